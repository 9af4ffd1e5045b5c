/* E-mail over a real SMTP server: the notice with its calendar event goes
 * to every member of the committee with an address whose term covers the
 * meeting, once; the reporter of a deviation gets a receipt, and the
 * receiving organisation, at its shared address, word of a new deviation;
 * once a day everyone with something falling due or overdue gets one
 * digest of it; the owner of a webhook subscription switched off is told;
 * who sent a case in hears where it was placed, or why it was declined. */
#include "harness.h"
#include "samhand_time.h"

#include <libpq-fe.h>
#include <openssl/evp.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define KOMMUNE "11111111-1111-4111-8111-111111111111"
#define SYKEHUS "22222222-2222-4222-8222-222222222222"

static harness_stack_t s_stack;
static harness_smtp_t *s_smtp;
static const char *s_db;
static const char *s_kommune = "Authorization: Bearer shk_kommune";

static void s_create(const char *path, const char *body, char id[40])
{
    harness_http_response_t *r = harness_stack_send(&s_stack, "POST", path, body);
    if (r->status != 201 && r->status != 200)
        fprintf(stderr, "%s: %s\n", path, r->body);
    assert_true(r->status == 201 || r->status == 200);
    if (id)
        snprintf(id, 40, "%s", harness_json_text(r, "id"));
    harness_http_response_free(&r);
}

/* The subject as the mail has it: RFC 2047 base64 of UTF-8. */
static void s_encoded(const char *subject, char out[512])
{
    unsigned char b64[400];
    EVP_EncodeBlock(b64, (const unsigned char *)subject, (int)strlen(subject));
    snprintf(out, 512, "Subject: =?UTF-8?B?%s?=", b64);
}

/* The first MIME part's text, decoded. */
static char *s_first_part(const char *message)
{
    const char *start = strstr(message, "Content-Transfer-Encoding: base64\r\n\r\n");
    assert_non_null(start);
    start += strlen("Content-Transfer-Encoding: base64\r\n\r\n");
    const char *end = strstr(start, "--samhand-");
    char *b64 = calloc(1, (size_t)(end - start) + 1);
    size_t n = 0;
    for (const char *p = start; p < end; p++)
        if (*p != '\r' && *p != '\n')
            b64[n++] = *p;
    unsigned char *text = calloc(1, n + 1);
    int len = EVP_DecodeBlock(text, (unsigned char *)b64, (int)n);
    assert_true(len > 0);
    free(b64);
    return (char *)text;
}

static int s_setup(void **state)
{
    /* no digest until the test of it has its data in place */
    setenv("SAMHAND_REMINDER_ON", "never", 1);
    s_smtp = harness_smtp_start();
    setenv("SAMHAND_SMTP_URL", harness_smtp_url(s_smtp), 1);
    setenv("SAMHAND_MAIL_FROM", "post@helsefellesskapet.no", 1);
    char entry[200];
    harness_api_key("shk_kommune", KOMMUNE, "reporter", entry, sizeof entry);
    setenv("SAMHAND_API_KEYS", entry, 1);
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
    s_create("/v1/organizations",
             "{\"name\":\"St. Olavs hospital HF\",\"organizationNumber\":\"883974832\","
             "\"kind\":\"HOSPITAL_TRUST\"}",
             org);
    snprintf(body, sizeof body,
             "{\"name\":\"Kari Nordmann\",\"organizationId\":\"%s\",\"email\":\"kari@stolav.no\"}",
             org);
    s_create("/v1/persons", body, kari);
    snprintf(body, sizeof body,
             "{\"name\":\"Ola Nordmann\",\"organizationId\":\"%s\",\"email\":\"ola@stolav.no\"}",
             org);
    s_create("/v1/persons", body, ola);
    snprintf(body, sizeof body, "{\"name\":\"Per Uten Epost\",\"organizationId\":\"%s\"}", org);
    s_create("/v1/persons", body, per);
    s_create("/v1/committees",
             "{\"name\":\"Administrativt samarbeidsutvalg\",\"shortName\":\"ASU\","
             "\"kind\":\"ADMINISTRATIVE\"}",
             asu);
    snprintf(path, sizeof path, "/v1/committees/%s/memberships", asu);
    snprintf(body, sizeof body,
             "{\"personId\":\"%s\",\"role\":\"CHAIR\",\"termFrom\":\"2023-01-01\"}", kari);
    s_create(path, body, NULL);
    /* a member whose term ended, and one without an address: no mail */
    snprintf(body, sizeof body,
             "{\"personId\":\"%s\",\"role\":\"MEMBER\",\"termFrom\":\"2020-01-01\","
             "\"termTo\":\"2022-12-31\"}",
             ola);
    s_create(path, body, NULL);
    snprintf(body, sizeof body,
             "{\"personId\":\"%s\",\"role\":\"MEMBER\",\"termFrom\":\"2023-01-01\"}", per);
    s_create(path, body, NULL);

    snprintf(body, sizeof body,
             "{\"committeeId\":\"%s\",\"startTime\":\"2031-02-05T13:00:00+01:00\","
             "\"endTime\":\"2031-02-05T16:00:00+01:00\",\"place\":\"1930, 30M11\"}",
             asu);
    s_create("/v1/meetings", body, meeting);
    snprintf(path, sizeof path, "/v1/meetings/%s/items", meeting);
    s_create(path, "{\"kind\":\"CASE\",\"title\":\"Handlingsplan 2031\",\"durationMin\":30}", NULL);
    snprintf(path, sizeof path, "/v1/meetings/%s/publish", meeting);
    s_create(path, NULL, NULL);

    assert_int_equal(harness_smtp_wait(s_smtp, 1, 15000), 1);
    assert_string_equal(harness_smtp_recipient(s_smtp, 0), "<kari@stolav.no>");
    const char *message = harness_smtp_message(s_smtp, 0);
    char subject[512];
    s_encoded("Møteinnkalling: ASU 05.02.2031", subject);
    assert_non_null(strstr(message, subject));
    assert_non_null(strstr(message, "From: samhand <post@helsefellesskapet.no>"));
    assert_non_null(strstr(message, "Content-Type: text/calendar; charset=utf-8; method=PUBLISH"));
    char *html = s_first_part(message);
    assert_non_null(strstr(html, "<h1>MØTEINNKALLING</h1>"));
    assert_non_null(strstr(html, "Handlingsplan 2031"));
    free(html);
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
    char *html = s_first_part(harness_smtp_message(s_smtp, 1));
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
    s_create("/v1/organizations",
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
    char *html = s_first_part(harness_smtp_message(s_smtp, before));
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
    s_create("/v1/organizations",
             "{\"name\":\"Frosta kommune\",\"organizationNumber\":\"944305483\","
             "\"kind\":\"MUNICIPALITY\",\"contactEmail\":\"postmottak@frosta.kommune.no\"}",
             frosta);
    snprintf(body, sizeof body,
             "{\"name\":\"Siri Sekretær\",\"organizationId\":\"%s\","
             "\"email\":\"sekretariat@helsefellesskapet.no\"}",
             frosta);
    s_create("/v1/persons", body, secretary);
    s_create("/v1/committees",
             "{\"name\":\"Partnerskapsmøtet\",\"shortName\":\"PSU\",\"kind\":\"POLITICAL\"}", psu);
    snprintf(path, sizeof path, "/v1/committees/%s/memberships", psu);
    snprintf(body, sizeof body,
             "{\"personId\":\"%s\",\"role\":\"SECRETARY\",\"termFrom\":\"2023-01-01\"}", secretary);
    s_create(path, body, NULL);

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
        s_create("/v1/actions", body, i == 3 ? done : NULL);
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
    char *html = s_first_part(message);
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
    html = s_first_part(message);
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
    char *html = s_first_part(s_mail_to(before, "<postmottak@frosta.kommune.no>"));
    if (!strstr(html, text))
        fail_msg("no \"%s\" in %s", text, html);
    assert_null(strstr(html, "bekreftes"));
    free(html);
    html = s_first_part(s_mail_to(before, "<kari.nordmann@trondheim.kommune.no>"));
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
    html = s_first_part(message);
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
    s_create("/v1/subscriptions", body, id);
    size_t before = harness_smtp_wait(s_smtp, 0, 0);
    s_create("/v1/organizations",
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
    char *html = s_first_part(message);
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
    s_create("/v1/committees",
             "{\"name\":\"Fagråd for legesamarbeid\",\"shortName\":\"Fagrådet\","
             "\"kind\":\"EXPERT_COUNCIL\"}",
             council);
    snprintf(body, sizeof body,
             "{\"committeeId\":\"%s\",\"startTime\":\"2031-02-27T14:00:00+01:00\","
             "\"endTime\":\"2031-02-27T15:30:00+01:00\",\"place\":\"Teams\"}",
             council);
    s_create("/v1/meetings", body, meeting);
    snprintf(path, sizeof path, "/v1/committees/%s/proposals", council);
    s_create(path,
             "{\"title\":\"Avviksmeldinger Helseplattformen\",\"submitterName\":\"Camilla Forr\","
             "\"submitterEmail\":\"camilla.forr@steinkjer.kommune.no\"}",
             placed);
    s_create(path,
             "{\"title\":\"Parkering ved sykehuset\",\"submitterName\":\"Ola Nordmann\","
             "\"submitterEmail\":\"ola@levanger.kommune.no\"}",
             declined);
    s_create(path, "{\"title\":\"Kantinen\",\"submitterName\":\"Per\"}", silent);
    size_t before = harness_smtp_wait(s_smtp, 0, 0);

    snprintf(path, sizeof path, "/v1/proposals/%s/accept", placed);
    snprintf(body, sizeof body, "{\"meetingId\":\"%s\"}", meeting);
    s_create(path, body, NULL);
    snprintf(path, sizeof path, "/v1/proposals/%s/decline", declined);
    s_create(path, "{\"reason\":\"Ligger utenfor fagrådets mandat; sendt til sykehuset.\"}", NULL);
    snprintf(path, sizeof path, "/v1/proposals/%s/decline", silent);
    s_create(path, "{\"reason\":\"Utenfor mandatet.\"}", NULL);

    assert_int_equal(harness_smtp_wait(s_smtp, before + 2, 15000), before + 2);
    const char *message = s_mail_to(before, "<camilla.forr@steinkjer.kommune.no>");
    assert_non_null(message);
    char subject[512];
    s_encoded("Innmeldt sak satt på sakslisten: Avviksmeldinger Helseplattformen", subject);
    assert_non_null(strstr(message, subject));
    char *html = s_first_part(message);
    assert_non_null(strstr(html, "<html lang=\"nb\">"));
    assert_non_null(strstr(html,
                           "Saken «Avviksmeldinger Helseplattformen», som du meldte inn til "
                           "Fagrådet, er satt på sakslisten til møtet 27.02.2031 kl. 14.00."));
    free(html);

    message = s_mail_to(before, "<ola@levanger.kommune.no>");
    assert_non_null(message);
    s_encoded("Innmeldt sak avslått: Parkering ved sykehuset", subject);
    assert_non_null(strstr(message, subject));
    html = s_first_part(message);
    assert_non_null(strstr(html, "blir ikke tatt opp. Begrunnelse:"));
    assert_non_null(strstr(html, "Ligger utenfor fagrådets mandat; sendt til sykehuset."));
    free(html);
    /* once each, and none for the proposal without an address */
    usleep(1500 * 1000);
    assert_int_equal(harness_smtp_wait(s_smtp, 0, 0), before + 2);
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
    };
    return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
