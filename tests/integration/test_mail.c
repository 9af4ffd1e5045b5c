/* E-mail over a real SMTP server: the notice with its calendar event goes
 * to every member of the committee with an address whose term covers the
 * meeting, once; the reporter of a deviation gets a receipt, and the
 * receiving organisation, at its shared address, word of a new deviation;
 * once a day everyone with something falling due or overdue gets one
 * digest of it; the owner of a webhook subscription switched off is told;
 * who sent a case in hears where it was placed, or why it was declined. */
#include "harness.h"
#include "harness_pdf.h"
#include "samhand_time.h"

#include <libpq-fe.h>
#include <openssl/evp.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define KOMMUNE "11111111-1111-4111-8111-111111111111"
#define SYKEHUS "22222222-2222-4222-8222-222222222222"

static harness_stack_t s_stack;
static harness_smtp_t *s_smtp;
static const char *s_db;
static const char *s_kommune = "Authorization: Bearer shk_kommune";

/* The subject as the mail has it: RFC 2047 base64 of UTF-8. */
static void s_encoded(const char *subject, char out[512])
{
    unsigned char b64[400];
    EVP_EncodeBlock(b64, (const unsigned char *)subject, (int)strlen(subject));
    snprintf(out, 512, "Subject: =?UTF-8?B?%s?=", b64);
}

/* A mail as an outside reader's parser takes it (python3's email
 * package): its content type, its one PDF attachment's file name and
 * bytes, and its text body. */
typedef struct {
    char type[64], filename[256];
    char *text;                   /* the html (or plain) body, decoded */
    harness_http_response_t *pdf; /* the attachment, as harness_pdf_* read it */
} s_parsed_t;

static void s_parse(const char *message, s_parsed_t *out)
{
    memset(out, 0, sizeof *out);
    char pdf_file[64];
    snprintf(pdf_file, sizeof pdf_file, "/tmp/samhand-mail-%d.pdf", (int)getpid());
    unlink(pdf_file);
    harness_http_response_t raw = {.body = (char *)message, .body_len = strlen(message)};
    char command[1000];
    snprintf(command, sizeof command,
             "python3 -c 'import email, sys\nfrom email import policy\n"
             "m = email.message_from_binary_file(open(sys.argv[1], \"rb\"), "
             "policy=policy.default)\n"
             "pdfs = [p for p in m.iter_attachments() if p.get_content_type() == "
             "\"application/pdf\"]\n"
             "print(m.get_content_type())\nprint(len(pdfs))\n"
             "print(pdfs[0].get_filename() if pdfs else \"\")\n"
             "if pdfs:\n    open(sys.argv[2], \"wb\").write(pdfs[0].get_content())\n"
             "b = m.get_body((\"html\", \"plain\"))\n"
             "print(b.get_content() if b else \"\")' %%s %s 2>&1",
             pdf_file);
    int status;
    char *said = harness_http_body_through(&raw, command, &status);
    if (status != 0)
        fail_msg("python3 could not parse the mail: %s", said);
    int n_pdfs = 0, used = 0;
    assert_int_equal(sscanf(said, "%63[^\n]\n%d\n%n", out->type, &n_pdfs, &used), 2);
    const char *rest = said + used;
    const char *eol = strchr(rest, '\n');
    assert_non_null(eol);
    snprintf(out->filename, sizeof out->filename, "%.*s", (int)(eol - rest), rest);
    out->text = strdup(eol + 1);
    free(said);
    if (n_pdfs != 1)
        return;
    FILE *f = fopen(pdf_file, "rb");
    assert_non_null(f);
    out->pdf = calloc(1, sizeof *out->pdf);
    out->pdf->status = 200;
    char *bytes = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&bytes, &len);
    char chunk[4096];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0)
        fwrite(chunk, 1, got, mem);
    fclose(mem);
    fclose(f);
    unlink(pdf_file);
    out->pdf->body = bytes;
    out->pdf->body_len = len;
}

static void s_parsed_clear(s_parsed_t *parsed)
{
    free(parsed->text);
    harness_http_response_free(&parsed->pdf);
}

static int s_setup(void **state)
{
    /* no digest until the test of it has its data in place */
    setenv("SAMHAND_REMINDER_ON", "never", 1);
    s_smtp = harness_smtp_start();
    setenv("SAMHAND_SMTP_URL", harness_smtp_url(s_smtp), 1);
    setenv("SAMHAND_MAIL_FROM", "post@helsefellesskapet.no", 1);
    static const harness_key_t keys[] = {{"shk_kommune", KOMMUNE, "reporter"}};
    harness_api_keys_set(keys, 1);
    s_db = harness_database_url();
    harness_stack_start(&s_stack, s_db);
    return 0;
}

static int s_teardown(void **state)
{
    harness_stack_stop(&s_stack);
    harness_smtp_stop(&s_smtp);
    return 0;
}

static void test_notice_to_the_members(void **state)
{
    char org[40], kari[40], ola[40], per[40], asu[40], meeting[40], body[512], path[160];
    harness_stack_post(&s_stack, "/v1/organizations",
                       "{\"name\":\"St. Olavs hospital HF\",\"organizationNumber\":\"883974832\","
                       "\"kind\":\"HOSPITAL_TRUST\"}",
                       org);
    snprintf(body, sizeof body,
             "{\"name\":\"Kari Nordmann\",\"organizationId\":\"%s\",\"email\":\"kari@stolav.no\"}",
             org);
    harness_stack_post(&s_stack, "/v1/persons", body, kari);
    snprintf(body, sizeof body,
             "{\"name\":\"Ola Nordmann\",\"organizationId\":\"%s\",\"email\":\"ola@stolav.no\"}",
             org);
    harness_stack_post(&s_stack, "/v1/persons", body, ola);
    snprintf(body, sizeof body, "{\"name\":\"Per Uten Epost\",\"organizationId\":\"%s\"}", org);
    harness_stack_post(&s_stack, "/v1/persons", body, per);
    harness_stack_post(&s_stack, "/v1/committees",
                       "{\"name\":\"Administrativt samarbeidsutvalg\",\"shortName\":\"ASU\","
                       "\"kind\":\"ADMINISTRATIVE\"}",
                       asu);
    snprintf(path, sizeof path, "/v1/committees/%s/memberships", asu);
    snprintf(body, sizeof body,
             "{\"personId\":\"%s\",\"role\":\"CHAIR\",\"termFrom\":\"2023-01-01\"}", kari);
    harness_stack_post(&s_stack, path, body, NULL);
    /* a member whose term ended, and one without an address: no mail */
    snprintf(body, sizeof body,
             "{\"personId\":\"%s\",\"role\":\"MEMBER\",\"termFrom\":\"2020-01-01\","
             "\"termTo\":\"2022-12-31\"}",
             ola);
    harness_stack_post(&s_stack, path, body, NULL);
    snprintf(body, sizeof body,
             "{\"personId\":\"%s\",\"role\":\"MEMBER\",\"termFrom\":\"2023-01-01\"}", per);
    harness_stack_post(&s_stack, path, body, NULL);

    snprintf(body, sizeof body,
             "{\"committeeId\":\"%s\",\"startTime\":\"2031-02-05T13:00:00+01:00\","
             "\"endTime\":\"2031-02-05T16:00:00+01:00\",\"place\":\"1930, 30M11\"}",
             asu);
    harness_stack_post(&s_stack, "/v1/meetings", body, meeting);
    snprintf(path, sizeof path, "/v1/meetings/%s/items", meeting);
    harness_stack_post(&s_stack, path,
                       "{\"kind\":\"CASE\",\"title\":\"Handlingsplan 2031\",\"durationMin\":30}",
                       NULL);
    snprintf(path, sizeof path, "/v1/meetings/%s/publish", meeting);
    harness_stack_post(&s_stack, path, NULL, NULL);

    assert_int_equal(harness_smtp_wait(s_smtp, 1, 15000), 1);
    assert_string_equal(harness_smtp_recipient(s_smtp, 0), "<kari@stolav.no>");
    const char *message = harness_smtp_message(s_smtp, 0);
    char subject[512];
    s_encoded("Møteinnkalling: ASU 05.02.2031", subject);
    assert_non_null(strstr(message, subject));
    assert_non_null(strstr(message, "From: samhand <post@helsefellesskapet.no>"));
    assert_non_null(strstr(message, "Content-Type: text/calendar; charset=utf-8; method=PUBLISH"));
    /* the notice itself as PDF, the mail's text saying what is attached */
    s_parsed_t parsed;
    s_parse(message, &parsed);
    assert_string_equal(parsed.type, "multipart/mixed");
    assert_string_equal(parsed.filename, "Innkalling ASU 05.02.2031.pdf");
    assert_non_null(strstr(parsed.text, "Vedlagt er innkallingen til møtet i ASU 05.02.2031 "
                                        "kl. 13.00 (Innkalling ASU 05.02.2031.pdf)"));
    assert_null(strstr(parsed.text, "<h1>MØTEINNKALLING</h1>"));
    assert_non_null(parsed.pdf);
    char *text = harness_pdf_text(parsed.pdf);
    const char *order[] = {"MØTEINNKALLING", "Utvalg: Administrativt samarbeidsutvalg",
                           "13.00–13.30", "1/31", "Handlingsplan 2031"};
    harness_pdf_in_order(text, order, sizeof order / sizeof order[0]);
    free(text);
    s_parsed_clear(&parsed);
    /* once: no second mail to anyone */
    usleep(1500 * 1000);
    assert_int_equal(harness_smtp_wait(s_smtp, 2, 0), 1);
}

static void test_receipt_to_the_reporter(void **state)
{
    char url[256];
    snprintf(url, sizeof url, "%s/v1/deviations", s_stack.base_url);
    const char *headers[] = {s_kommune, NULL};
    harness_http_response_t *r = harness_http_request(
        "POST", url,
        "{\"reportingOrganizationId\":\"" KOMMUNE "\",\"receivingOrganizationId\":\"" SYKEHUS
        "\",\"reporterName\":\"Kari Nordmann\",\"reporterEmail\":\"kari.nordmann@trondheim."
        "kommune.no\",\"occurredTime\":\"2026-11-02T10:00:00+01:00\",\"type\":"
        "\"BREACH_OF_AGREEMENT\",\"categoryCode\":\"SAM-EPIKRISE\",\"description\":\"Epikrise "
        "mangler.\",\"harmDegree\":\"MINOR\",\"submit\":true}",
        headers);
    assert_int_equal(r->status, 201);
    char reference[40], subject[512], text[200];
    snprintf(reference, sizeof reference, "%s", harness_json_text(r, "reference"));
    harness_http_response_free(&r);
    assert_int_equal(harness_smtp_wait(s_smtp, 2, 15000), 2);
    assert_string_equal(harness_smtp_recipient(s_smtp, 1), "<kari.nordmann@trondheim.kommune.no>");
    snprintf(text, sizeof text, "Kvittering: avviksmelding %s er mottatt", reference);
    s_encoded(text, subject);
    assert_non_null(strstr(harness_smtp_message(s_smtp, 1), subject));
    char *html = harness_smtp_first_part(harness_smtp_message(s_smtp, 1));
    assert_non_null(strstr(html, reference));
    assert_non_null(strstr(html, "svare innen"));
    free(html);
}

static void test_new_deviation_to_the_receiver(void **state)
{
    /* the shared address is checked, and named when wrong */
    harness_http_response_t *r =
        harness_stack_send(&s_stack, "POST", "/v1/organizations",
                           "{\"name\":\"Helse Nord-Trøndelag HF\",\"organizationNumber\":"
                           "\"983974805\",\"kind\":\"HOSPITAL_TRUST\",\"contactEmail\":"
                           "\"postmottak\"}");
    harness_assert_problem(r, 400, "contactEmail");
    harness_http_response_free(&r);
    char hnt[40], body[1024], path[160];
    harness_stack_post(&s_stack, "/v1/organizations",
                       "{\"name\":\"Helse Nord-Trøndelag HF\",\"organizationNumber\":\"983974805\","
                       "\"kind\":\"HOSPITAL_TRUST\",\"contactEmail\":\"postmottak@hnt.no\"}",
                       hnt);
    snprintf(path, sizeof path, "/v1/organizations/%s", hnt);
    r = harness_stack_get(&s_stack, path);
    assert_string_equal(harness_json_text(r, "contactEmail"), "postmottak@hnt.no");
    harness_http_response_free(&r);
    /* agenda's stream and deviation's reach notify independently: wait
     * until notify knows the organisation (its feed shows the event) */
    bool known = false;
    for (int i = 0; i < 100 && !known; i++) {
        r = harness_stack_get(&s_stack, "/v1/events?types=no.samhand.organization.&limit=100");
        known = r->body && strstr(r->body, hnt);
        harness_http_response_free(&r);
        if (!known)
            usleep(100 * 1000);
    }
    assert_true(known);

    size_t before = harness_smtp_wait(s_smtp, 0, 0);
    char url[256];
    snprintf(url, sizeof url, "%s/v1/deviations", s_stack.base_url);
    const char *headers[] = {s_kommune, NULL};
    snprintf(body, sizeof body,
             "{\"reportingOrganizationId\":\"" KOMMUNE "\",\"receivingOrganizationId\":\"%s\","
             "\"reporterName\":\"Kari Nordmann\",\"occurredTime\":\"2026-11-02T10:00:00+01:00\","
             "\"type\":\"BREACH_OF_AGREEMENT\",\"categoryCode\":\"SAM-EPIKRISE\","
             "\"description\":\"Epikrise mangler for pasient på post "
             "3.\",\"harmDegree\":\"MINOR\",\"submit\":true}",
             hnt);
    r = harness_http_request("POST", url, body, headers);
    assert_int_equal(r->status, 201);
    char reference[40], subject[512], text[200];
    snprintf(reference, sizeof reference, "%s", harness_json_text(r, "reference"));
    harness_http_response_free(&r);
    /* no reporter address this time: the one mail is the receiver's */
    assert_int_equal(harness_smtp_wait(s_smtp, before + 1, 15000), before + 1);
    assert_string_equal(harness_smtp_recipient(s_smtp, before), "<postmottak@hnt.no>");
    snprintf(text, sizeof text, "Ny avviksmelding %s til dere", reference);
    s_encoded(text, subject);
    assert_non_null(strstr(harness_smtp_message(s_smtp, before), subject));
    char *html = harness_smtp_first_part(harness_smtp_message(s_smtp, before));
    assert_non_null(strstr(html, "besvares innen"));
    /* what happened is read in samhand, not in the mail */
    assert_null(strstr(html, "Epikrise mangler"));
    free(html);
}

/* Waits until notify's feed has an event of `type` about `subject`: the
 * streams reach notify on their own time. */
static void s_wait_in_feed(const char *type, const char *subject)
{
    char path[256];
    snprintf(path, sizeof path, "/v1/events?types=%s&limit=500", type);
    bool seen = false;
    for (int i = 0; i < 100 && !seen; i++) {
        harness_http_response_t *r = harness_stack_get(&s_stack, path);
        seen = r->body && strstr(r->body, subject);
        harness_http_response_free(&r);
        if (!seen)
            usleep(100 * 1000);
    }
    assert_true(seen);
}

/* The message of the mail to `address` among those from `from`, or NULL. */
static const char *s_mail_to(size_t from, const char *address)
{
    size_t n = harness_smtp_wait(s_smtp, 0, 0);
    for (size_t i = from; i < n; i++)
        if (strcmp(harness_smtp_recipient(s_smtp, i), address) == 0)
            return harness_smtp_message(s_smtp, i);
    return NULL;
}

static void test_daily_reminder_digest(void **state)
{
    char frosta[40], secretary[40], psu[40], done[40], body[1024], path[160];
    size_t start = harness_smtp_wait(s_smtp, 0, 0);
    harness_stack_post(
        &s_stack, "/v1/organizations",
        "{\"name\":\"Frosta kommune\",\"organizationNumber\":\"944305483\","
        "\"kind\":\"MUNICIPALITY\",\"contactEmail\":\"postmottak@frosta.kommune.no\"}",
        frosta);
    snprintf(body, sizeof body,
             "{\"name\":\"Siri Sekretær\",\"organizationId\":\"%s\","
             "\"email\":\"sekretariat@helsefellesskapet.no\"}",
             frosta);
    harness_stack_post(&s_stack, "/v1/persons", body, secretary);
    harness_stack_post(
        &s_stack, "/v1/committees",
        "{\"name\":\"Partnerskapsmøtet\",\"shortName\":\"PSU\",\"kind\":\"POLITICAL\"}", psu);
    snprintf(path, sizeof path, "/v1/committees/%s/memberships", psu);
    snprintf(body, sizeof body,
             "{\"personId\":\"%s\",\"role\":\"SECRETARY\",\"termFrom\":\"2023-01-01\"}", secretary);
    harness_stack_post(&s_stack, path, body, NULL);

    /* overdue for years, due in three days, due long after, and done */
    char soon[11];
    time_t in_three_days = time(NULL) + 3 * 86400;
    strftime(soon, sizeof soon, "%Y-%m-%d", gmtime(&in_three_days));
    const char *actions[][2] = {{"Revidere retningslinje for utskrivning", "2023-06-30"},
                                {"Avklare finansiering av ambulant team", soon},
                                {"Evaluere samarbeidsavtalen", "2099-12-31"},
                                {"Oppdatere kontaktlister", "2023-01-31"}};
    for (int i = 0; i < 4; i++) {
        snprintf(body, sizeof body,
                 "{\"committeeId\":\"%s\",\"description\":\"%s\",\"responsible\":\"Frosta\","
                 "\"responsibleOrganizationIds\":[\"%s\"],\"dueDate\":\"%s\"}",
                 psu, actions[i][0], frosta, actions[i][1]);
        harness_stack_post(&s_stack, "/v1/actions", body, i == 3 ? done : NULL);
    }
    snprintf(path, sizeof path, "/v1/actions/%s", done);
    harness_http_response_t *r =
        harness_stack_send(&s_stack, "PATCH", path, "{\"status\":\"DONE\"}");
    harness_expect_status(r, 200);
    harness_http_response_free(&r);
    /* a deviation to Frosta: to be acknowledged within days, answered later */
    char url[256], reference[40];
    snprintf(url, sizeof url, "%s/v1/deviations", s_stack.base_url);
    const char *headers[] = {s_kommune, NULL};
    snprintf(body, sizeof body,
             "{\"reportingOrganizationId\":\"" KOMMUNE "\",\"receivingOrganizationId\":\"%s\","
             "\"reporterName\":\"Kari Nordmann\",\"occurredTime\":\"2026-11-02T10:00:00+01:00\","
             "\"type\":\"BREACH_OF_AGREEMENT\",\"categoryCode\":\"SAM-EPIKRISE\","
             "\"description\":\"Epikrise mangler.\",\"harmDegree\":\"MINOR\",\"submit\":true}",
             frosta);
    r = harness_http_request("POST", url, body, headers);
    assert_int_equal(r->status, 201);
    snprintf(reference, sizeof reference, "%s", harness_json_text(r, "reference"));
    harness_http_response_free(&r);
    s_wait_in_feed("no.samhand.action.updated", done);
    s_wait_in_feed("no.samhand.deviation.submitted", reference);
    /* Frosta hears of the deviation at once, as always */
    assert_int_equal(harness_smtp_wait(s_smtp, start + 1, 15000), start + 1);

    /* from now on a digest every day from midnight, ten working days ahead */
    size_t before = start + 1;
    setenv("SAMHAND_REMINDER_ON", "every-day", 1);
    setenv("SAMHAND_REMINDER_HOUR", "0", 1);
    setenv("SAMHAND_REMINDER_DAYS", "10", 1);
    harness_stack_crash(&s_stack, "notify");
    /* Frosta, the secretary, and Helse Nord-Trøndelag of the test before */
    assert_int_equal(harness_smtp_wait(s_smtp, before + 3, 20000), before + 3);

    const char *message = s_mail_to(before, "<postmottak@frosta.kommune.no>");
    assert_non_null(message);
    struct tm oslo;
    time_oslo(time(NULL), &oslo);
    char subject[512], text[200];
    snprintf(text, sizeof text, "Påminnelse %02d.%02d.%04d: 1 frist passert, 2 forfaller snart",
             oslo.tm_mday, oslo.tm_mon + 1, oslo.tm_year + 1900);
    s_encoded(text, subject);
    assert_non_null(strstr(message, subject));
    char *html = harness_smtp_first_part(message);
    assert_non_null(strstr(html, "<h2>Fristen er passert</h2>\n<ul>\n<li>Oppfølgingspunkt 1: "
                                 "Revidere retningslinje for utskrivning – frist 30.06.2023</li>"));
    assert_non_null(strstr(html, "Oppfølgingspunkt 2: Avklare finansiering av ambulant team"));
    snprintf(text, sizeof text, "Avviksmelding %s skal bekreftes", reference);
    assert_non_null(strstr(html, text));
    /* not yet near, or done with */
    snprintf(text, sizeof text, "Avviksmelding %s skal besvares", reference);
    assert_null(strstr(html, text));
    assert_null(strstr(html, "Evaluere samarbeidsavtalen"));
    assert_null(strstr(html, "Oppdatere kontaktlister"));
    free(html);

    /* the committee's secretary: its actions, not Frosta's deviation */
    message = s_mail_to(before, "<sekretariat@helsefellesskapet.no>");
    assert_non_null(message);
    html = harness_smtp_first_part(message);
    assert_non_null(strstr(html, "Revidere retningslinje for utskrivning"));
    assert_non_null(strstr(html, "Avklare finansiering av ambulant team"));
    assert_null(strstr(html, reference));
    free(html);

    /* one a day: a restarted notify plans nothing more today */
    harness_stack_crash(&s_stack, "notify");
    usleep(2500 * 1000);
    assert_int_equal(harness_smtp_wait(s_smtp, 0, 0), before + 3);
}

/* A partnership that answers within 4 weeks, with no acknowledgement
 * deadline and reminders on the due date only: the mails of a new
 * deviation say the one deadline, and the next day's digest holds only
 * what is overdue. */
static void test_the_partnerships_rules_in_mails_and_reminders(void **state)
{
    harness_http_response_t *r = harness_stack_get(&s_stack, "/v1/organizations?q=Frosta");
    char frosta[40];
    snprintf(frosta, sizeof frosta, "%s",
             json_string_value(
                 json_object_get(json_array_get(json_object_get(r->json, "items"), 0), "id")));
    harness_http_response_free(&r);
    r = harness_stack_get(&s_stack, "/v1/settings");
    char etag[64], match[96], url[256];
    harness_http_header(r, "etag", etag, sizeof etag);
    harness_http_response_free(&r);
    snprintf(match, sizeof match, "If-Match: %s", etag);
    snprintf(url, sizeof url, "%s/v1/settings", s_stack.base_url);
    const char *admin[] = {s_stack.auth_header, match, NULL};
    r = harness_http_request("PUT", url,
                             "{\"answerDeadline\":{\"length\":4,\"unit\":\"WEEKS\"},"
                             "\"statisticsPeriod\":\"QUARTER\",\"reminderDays\":0}",
                             admin);
    harness_expect_status(r, 200);
    harness_http_response_free(&r);
    s_wait_in_feed("no.samhand.deviation.settings_changed", "QUARTER");

    size_t before = harness_smtp_wait(s_smtp, 0, 0);
    char body[1024];
    snprintf(url, sizeof url, "%s/v1/deviations", s_stack.base_url);
    const char *headers[] = {s_kommune, NULL};
    snprintf(body, sizeof body,
             "{\"reportingOrganizationId\":\"" KOMMUNE "\",\"receivingOrganizationId\":\"%s\","
             "\"reporterName\":\"Kari Nordmann\",\"reporterEmail\":\"kari.nordmann@trondheim."
             "kommune.no\",\"occurredTime\":\"2026-11-02T10:00:00+01:00\","
             "\"type\":\"BREACH_OF_AGREEMENT\",\"categoryCode\":\"SAM-EPIKRISE\","
             "\"description\":\"Epikrise mangler.\",\"harmDegree\":\"MINOR\",\"submit\":true}",
             frosta);
    r = harness_http_request("POST", url, body, headers);
    assert_int_equal(r->status, 201);
    harness_http_response_free(&r);
    assert_int_equal(harness_smtp_wait(s_smtp, before + 2, 15000), before + 2);
    struct tm due;
    time_oslo(time(NULL), &due);
    due.tm_mday += 28; /* 4 weeks of calendar days */
    due.tm_hour = 12;
    time_t in_four_weeks = timegm(&due);
    gmtime_r(&in_four_weeks, &due);
    char text[200];
    snprintf(text, sizeof text, "besvares innen %02d.%02d.%04d.", due.tm_mday, due.tm_mon + 1,
             due.tm_year + 1900);
    char *html = harness_smtp_first_part(s_mail_to(before, "<postmottak@frosta.kommune.no>"));
    if (!strstr(html, text))
        fail_msg("no \"%s\" in %s", text, html);
    assert_null(strstr(html, "bekreftes"));
    free(html);
    html = harness_smtp_first_part(s_mail_to(before, "<kari.nordmann@trondheim.kommune.no>"));
    snprintf(text, sizeof text, "Mottakeren skal svare innen %02d.%02d.%04d.", due.tm_mday,
             due.tm_mon + 1, due.tm_year + 1900);
    if (!strstr(html, text))
        fail_msg("no \"%s\" in %s", text, html);
    assert_null(strstr(html, "bekrefte"));
    free(html);

    /* the day's digests planned again: with the lead time 0, what falls
     * due in three days is not reminded of, what is overdue is */
    PGconn *conn = PQconnectdb(s_db);
    /* today's digest again: its day unmarked, its mails (one per address
     * a day) gone */
    PQclear(PQexec(conn, "DELETE FROM notify.digest_days"));
    PQclear(PQexec(conn, "DELETE FROM notify.mails WHERE kind = 'digest'"));
    PQfinish(conn);
    before = harness_smtp_wait(s_smtp, 0, 0);
    harness_stack_crash(&s_stack, "notify");
    const char *message = NULL;
    for (int i = 0; i < 200 && !message; i++) {
        message = s_mail_to(before, "<postmottak@frosta.kommune.no>");
        if (!message)
            usleep(100 * 1000);
    }
    assert_non_null(message);
    html = harness_smtp_first_part(message);
    assert_non_null(strstr(html, "Revidere retningslinje for utskrivning"));
    if (strstr(html, "Avklare finansiering av ambulant team"))
        fail_msg("reminded of what falls due in three days with the lead time 0: %s", html);
    free(html);
    /* the mail may go out before the restarted notify answers the bus */
    harness_stack_wait_ready(&s_stack);
}

static void test_owner_told_of_a_switched_off_subscription(void **state)
{
    harness_http_response_t *r =
        harness_stack_send(&s_stack, "POST", "/v1/subscriptions",
                           "{\"url\":\"http://127.0.0.1:9/\",\"contactEmail\":\"drift\"}");
    harness_assert_problem(r, 400, "contactEmail");
    harness_http_response_free(&r);

    const int gone[] = {410};
    harness_receiver_t *rx = harness_receiver_start(gone, 1, 410);
    char body[512], id[40], path[160];
    snprintf(body, sizeof body,
             "{\"url\":\"%s\",\"eventTypes\":[\"no.samhand.organization.\"],\"description\":"
             "\"Fagsystem i Frosta\",\"contactEmail\":\"drift@frosta.kommune.no\"}",
             harness_receiver_url(rx));
    harness_stack_post(&s_stack, "/v1/subscriptions", body, id);
    size_t before = harness_smtp_wait(s_smtp, 0, 0);
    harness_stack_post(&s_stack, "/v1/organizations",
                       "{\"name\":\"Leksvik legekontor\",\"organizationNumber\":\"974575086\","
                       "\"kind\":\"GP_OFFICE\"}",
                       NULL);
    assert_int_equal(harness_receiver_wait(rx, 1, 15000), 1);
    assert_int_equal(harness_smtp_wait(s_smtp, before + 1, 15000), before + 1);
    const char *message = s_mail_to(before, "<drift@frosta.kommune.no>");
    assert_non_null(message);
    char subject[512];
    s_encoded("Webhook-abonnement slått av: Fagsystem i Frosta", subject);
    assert_non_null(strstr(message, subject));
    char *html = harness_smtp_first_part(message);
    assert_non_null(strstr(html, "mottakeren svarte 410 Gone"));
    assert_non_null(strstr(html, harness_receiver_url(rx)));
    free(html);
    snprintf(path, sizeof path, "/v1/subscriptions/%s", id);
    r = harness_stack_get(&s_stack, path);
    assert_string_equal(harness_json_text(r, "state"), "DISABLED");
    assert_string_equal(harness_json_text(r, "contactEmail"), "drift@frosta.kommune.no");
    harness_http_response_free(&r);
    harness_receiver_stop(&rx);
}

/* Innmeldt sak: the submitter, at the address given, in Norwegian, once
 * for each decision; without an address nobody is written to. */
static void test_submitter_told_of_the_decision(void **state)
{
    char council[40], meeting[40], placed[40], declined[40], silent[40], body[512], path[160];
    harness_stack_post(&s_stack, "/v1/committees",
                       "{\"name\":\"Fagråd for legesamarbeid\",\"shortName\":\"Fagrådet\","
                       "\"kind\":\"EXPERT_COUNCIL\"}",
                       council);
    snprintf(body, sizeof body,
             "{\"committeeId\":\"%s\",\"startTime\":\"2031-02-27T14:00:00+01:00\","
             "\"endTime\":\"2031-02-27T15:30:00+01:00\",\"place\":\"Teams\"}",
             council);
    harness_stack_post(&s_stack, "/v1/meetings", body, meeting);
    snprintf(path, sizeof path, "/v1/committees/%s/proposals", council);
    harness_stack_post(
        &s_stack, path,
        "{\"title\":\"Avviksmeldinger Helseplattformen\",\"submitterName\":\"Camilla Forr\","
        "\"submitterEmail\":\"camilla.forr@steinkjer.kommune.no\"}",
        placed);
    harness_stack_post(&s_stack, path,
                       "{\"title\":\"Parkering ved sykehuset\",\"submitterName\":\"Ola Nordmann\","
                       "\"submitterEmail\":\"ola@levanger.kommune.no\"}",
                       declined);
    harness_stack_post(&s_stack, path, "{\"title\":\"Kantinen\",\"submitterName\":\"Per\"}",
                       silent);
    size_t before = harness_smtp_wait(s_smtp, 0, 0);

    snprintf(path, sizeof path, "/v1/proposals/%s/accept", placed);
    snprintf(body, sizeof body, "{\"meetingId\":\"%s\"}", meeting);
    harness_stack_post(&s_stack, path, body, NULL);
    snprintf(path, sizeof path, "/v1/proposals/%s/decline", declined);
    harness_stack_post(&s_stack, path,
                       "{\"reason\":\"Ligger utenfor fagrådets mandat; sendt til sykehuset.\"}",
                       NULL);
    snprintf(path, sizeof path, "/v1/proposals/%s/decline", silent);
    harness_stack_post(&s_stack, path, "{\"reason\":\"Utenfor mandatet.\"}", NULL);

    assert_int_equal(harness_smtp_wait(s_smtp, before + 2, 15000), before + 2);
    const char *message = s_mail_to(before, "<camilla.forr@steinkjer.kommune.no>");
    assert_non_null(message);
    char subject[512];
    s_encoded("Innmeldt sak satt på sakslisten: Avviksmeldinger Helseplattformen", subject);
    assert_non_null(strstr(message, subject));
    char *html = harness_smtp_first_part(message);
    assert_non_null(strstr(html, "<html lang=\"nb\">"));
    assert_non_null(strstr(html,
                           "Saken «Avviksmeldinger Helseplattformen», som du meldte inn til "
                           "Fagrådet, er satt på sakslisten til møtet 27.02.2031 kl. 14.00."));
    free(html);

    message = s_mail_to(before, "<ola@levanger.kommune.no>");
    assert_non_null(message);
    s_encoded("Innmeldt sak avslått: Parkering ved sykehuset", subject);
    assert_non_null(strstr(message, subject));
    html = harness_smtp_first_part(message);
    assert_non_null(strstr(html, "blir ikke tatt opp. Begrunnelse:"));
    assert_non_null(strstr(html, "Ligger utenfor fagrådets mandat; sendt til sykehuset."));
    free(html);
    /* once each, and none for the proposal without an address */
    usleep(1500 * 1000);
    assert_int_equal(harness_smtp_wait(s_smtp, 0, 0), before + 2);
}

/* A meeting's notice and approved minutes go to each member as PDF, the
 * variant they would read signed in: a member whose term ended yesterday
 * (it covered the meeting's day) reads an exempt case by its public
 * title, a member today by its full one. The file names are UTF-8 as
 * RFC 2231 has them. */
static void test_notice_and_minutes_as_pdf_each_reader_its_variant(void **state)
{
    char org[40], anne[40], bjorn[40], council[40], meeting[40], plan[40], exempt[40];
    char body[1024], path[200], yesterday[11];
    time_oslo_date_iso(time(NULL) - 86400, yesterday);
    harness_stack_post(&s_stack, "/v1/organizations",
                       "{\"name\":\"Helse Nord-Trøndelag HF\",\"organizationNumber\":\"983974791\","
                       "\"kind\":\"HOSPITAL_TRUST\"}",
                       org);
    snprintf(body, sizeof body,
             "{\"name\":\"Anne Lie\",\"organizationId\":\"%s\",\"email\":\"anne@hnt.no\"}", org);
    harness_stack_post(&s_stack, "/v1/persons", body, anne);
    snprintf(body, sizeof body,
             "{\"name\":\"Bjørn Vik\",\"organizationId\":\"%s\",\"email\":\"bjorn@hnt.no\"}", org);
    harness_stack_post(&s_stack, "/v1/persons", body, bjorn);
    harness_stack_post(&s_stack, "/v1/committees",
                       "{\"name\":\"Fagråd for legesamarbeid\",\"shortName\":\"Fagrådet lege\","
                       "\"kind\":\"EXPERT_COUNCIL\"}",
                       council);
    snprintf(path, sizeof path, "/v1/committees/%s/memberships", council);
    snprintf(body, sizeof body,
             "{\"personId\":\"%s\",\"role\":\"MEMBER\",\"termFrom\":\"2025-01-01\"}", anne);
    harness_stack_post(&s_stack, path, body, NULL);
    snprintf(body, sizeof body,
             "{\"personId\":\"%s\",\"role\":\"MEMBER\",\"termFrom\":\"2025-01-01\","
             "\"termTo\":\"%s\"}",
             bjorn, yesterday);
    harness_stack_post(&s_stack, path, body, NULL);
    snprintf(body, sizeof body,
             "{\"committeeId\":\"%s\",\"startTime\":\"2025-03-05T13:00:00+01:00\","
             "\"endTime\":\"2025-03-05T15:00:00+01:00\",\"place\":\"Teams\"}",
             council);
    harness_stack_post(&s_stack, "/v1/meetings", body, meeting);
    harness_stack_add_item(&s_stack, meeting,
                           "{\"kind\":\"CASE\",\"title\":\"Revidert rutine for legesamarbeid\","
                           "\"durationMin\":30}",
                           plan);
    harness_stack_add_item(
        &s_stack, meeting,
        "{\"kind\":\"CASE\",\"title\":\"Tilsetting av Kari Hansen som kommuneoverlege\","
        "\"durationMin\":20,\"isExempt\":true,\"publicTitle\":\"Sak om tilsetting\","
        "\"exemptionBasis\":\"offl. § 25\"}",
        exempt);
    size_t before = harness_smtp_wait(s_smtp, 0, 0);
    snprintf(path, sizeof path, "/v1/meetings/%s/publish", meeting);
    harness_stack_post(&s_stack, path, NULL, NULL);
    assert_int_equal(harness_smtp_wait(s_smtp, before + 2, 20000), before + 2);

    const char *full[] = {"1/25", "Revidert rutine for legesamarbeid", "2/25",
                          "Tilsetting av Kari Hansen som kommuneoverlege"};
    const char *public[] = {"1/25", "Revidert rutine for legesamarbeid", "2/25",
                            "Sak om tilsetting"};
    s_parsed_t parsed;
    s_parse(s_mail_to(before, "<anne@hnt.no>"), &parsed);
    assert_string_equal(parsed.type, "multipart/mixed");
    assert_string_equal(parsed.filename, "Innkalling Fagrådet lege 05.03.2025.pdf");
    assert_non_null(parsed.pdf);
    char *text = harness_pdf_text(parsed.pdf);
    harness_pdf_in_order(text, full, 4);
    free(text);
    s_parsed_clear(&parsed);
    s_parse(s_mail_to(before, "<bjorn@hnt.no>"), &parsed);
    assert_string_equal(parsed.filename, "Innkalling Fagrådet lege 05.03.2025.pdf");
    assert_non_null(parsed.pdf);
    text = harness_pdf_text(parsed.pdf);
    harness_pdf_in_order(text, public, 4);
    if (strstr(text, "Kari Hansen"))
        fail_msg("the exempt case's title in the PDF to a former member: %s", text);
    free(text);
    s_parsed_clear(&parsed);
    /* the raw message: the name as RFC 2231 and RFC 2047 write it */
    const char *raw = s_mail_to(before, "<bjorn@hnt.no>");
    assert_non_null(
        strstr(raw, "filename*=UTF-8''Innkalling%20Fagr%C3%A5det%20lege%2005.03.2025.pdf"));
    assert_non_null(strstr(raw, "Content-Type: application/pdf;"));

    /* the minutes, approved: the same two variants */
    snprintf(path, sizeof path, "/v1/meetings/%s/items/%s/outcome", meeting, plan);
    harness_http_response_t *r = harness_stack_send(
        &s_stack, "PUT", path,
        "{\"outcome\":\"ADOPTED_AS_PROPOSED\",\"decision\":\"Rutinen vedtas.\"}");
    harness_expect_status(r, 200);
    harness_http_response_free(&r);
    snprintf(path, sizeof path, "/v1/meetings/%s/items/%s/outcome", meeting, exempt);
    r = harness_stack_send(&s_stack, "PUT", path,
                           "{\"outcome\":\"ADOPTED_AS_PROPOSED\",\"decision\":\"Kari Hansen "
                           "tilsettes.\"}");
    harness_expect_status(r, 200);
    harness_http_response_free(&r);
    before = harness_smtp_wait(s_smtp, 0, 0);
    snprintf(path, sizeof path, "/v1/meetings/%s/minutes/approve", meeting);
    harness_stack_post(&s_stack, path, NULL, NULL);
    assert_int_equal(harness_smtp_wait(s_smtp, before + 2, 20000), before + 2);
    s_parse(s_mail_to(before, "<anne@hnt.no>"), &parsed);
    assert_string_equal(parsed.filename, "Referat Fagrådet lege 05.03.2025.pdf");
    assert_non_null(strstr(parsed.text, "Vedlagt er referatet fra møtet i Fagrådet lege"));
    assert_non_null(parsed.pdf);
    text = harness_pdf_text(parsed.pdf);
    harness_pdf_in_order(text, full, 4);
    assert_non_null(strstr(text, "Kari Hansen tilsettes."));
    free(text);
    s_parsed_clear(&parsed);
    s_parse(s_mail_to(before, "<bjorn@hnt.no>"), &parsed);
    assert_string_equal(parsed.filename, "Referat Fagrådet lege 05.03.2025.pdf");
    assert_non_null(parsed.pdf);
    text = harness_pdf_text(parsed.pdf);
    harness_pdf_in_order(text, public, 4);
    if (strstr(text, "Kari Hansen"))
        fail_msg("the exempt case in the minutes' PDF to a former member: %s", text);
    free(text);
    s_parsed_clear(&parsed);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_notice_to_the_members),
        cmocka_unit_test(test_receipt_to_the_reporter),
        cmocka_unit_test(test_new_deviation_to_the_receiver),
        cmocka_unit_test(test_daily_reminder_digest),
        cmocka_unit_test(test_the_partnerships_rules_in_mails_and_reminders),
        cmocka_unit_test(test_owner_told_of_a_switched_off_subscription),
        cmocka_unit_test(test_submitter_told_of_the_decision),
        cmocka_unit_test(test_notice_and_minutes_as_pdf_each_reader_its_variant),
    };
    return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
