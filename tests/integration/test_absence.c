/* Absence (forfall) and deputies over the real stack and a real SMTP
 * receiver: a member reports absence for a coming meeting as themselves,
 * the first deputy by rank gets a call-up by mail and declines, the second
 * is called and accepts, and the minutes show the second deputy for that
 * member. Only the member (or the committee's secretary) reports for a
 * member, only the called deputy answers a call-up, and the reason of
 * absence or of a declaration of disqualification is read by the member
 * and the secretary only: never in the public meeting, the notice, the
 * minutes, the event feed or a deputy's mail. */
#include "harness.h"
#include "samhand_time.h"

#include <libpq-fe.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static harness_stack_t s_stack;
static harness_smtp_t *s_smtp;

#define REASON "Sykdom i familien"
#define DISQUALIFICATION_REASON "Søsteren min er søker til stillingen"

typedef struct {
    char id[40];
    char auth[128]; /* "Authorization: Bearer shk_…" of their personal key */
} person_t;

static char s_hospital[40], s_kommune[40], s_asu[40];
static person_t s_kari, s_dag1, s_dag2, s_ola, s_outsider;

static harness_http_response_t *s_as(const person_t *who, const char *method, const char *path,
                                     const char *body)
{
    char url[512];
    snprintf(url, sizeof url, "%s%s", s_stack.base_url, path);
    const char *headers[] = {who->auth, "Accept-Language: nb", NULL};
    return harness_http_request(method, url, body, headers);
}

/* A person of `org` who signs in with a personal key of `role`. */
static void s_person(person_t *p, const char *name, const char *email, const char *org,
                     const char *role)
{
    char body[512];
    snprintf(body, sizeof body, "{\"name\":\"%s\",\"organizationId\":\"%s\",\"roles\":[\"%s\"]}",
             name, org, role);
    harness_http_response_t *r = harness_stack_send(&s_stack, "POST", "/v1/api-keys", body);
    harness_expect_status(r, 201);
    char subject[40];
    snprintf(p->auth, sizeof p->auth, "Authorization: Bearer %s", harness_json_text(r, "key"));
    snprintf(subject, sizeof subject, "%s", harness_json_text(r, "subject"));
    harness_http_response_free(&r);
    snprintf(body, sizeof body,
             "{\"name\":\"%s\",\"organizationId\":\"%s\",\"email\":\"%s\","
             "\"principalSubject\":\"%s\"}",
             name, org, email, subject);
    harness_stack_post(&s_stack, "/v1/persons", body, p->id);
}

static void s_member(const person_t *p, const char *role, const char *extra)
{
    char path[160], body[512];
    snprintf(path, sizeof path, "/v1/committees/%s/memberships", s_asu);
    snprintf(body, sizeof body,
             "{\"personId\":\"%s\",\"role\":\"%s\",\"termFrom\":\"2020-01-01\"%s}", p->id, role,
             extra);
    harness_stack_post(&s_stack, path, body, NULL);
}

/* The text of the mail's one PDF attachment, as an outside reader finds
 * it: python3's email package takes the mail apart, poppler's pdftotext
 * reads the PDF. The caller frees it. */
static char *s_pdf_text(const char *message)
{
    harness_http_response_t raw = {.body = (char *)message, .body_len = strlen(message)};
    int status;
    char *text = harness_http_body_through(
        &raw,
        "python3 -c 'import email, sys\nfrom email import policy\n"
        "m = email.message_from_binary_file(open(sys.argv[1], \"rb\"), policy=policy.default)\n"
        "pdfs = [p for p in m.iter_attachments() if p.get_content_type() == "
        "\"application/pdf\"]\nassert len(pdfs) == 1\n"
        "sys.stdout.buffer.write(pdfs[0].get_content())' %s | pdftotext -raw -enc UTF-8 - - 2>&1",
        &status);
    if (status != 0)
        fail_msg("no PDF to read in the mail: %s", text);
    return text;
}

/* The call-up mail to `address` among those from `from` on, waiting for
 * it (a deputy, a member of the committee, also gets every notice). */
static const char *s_mail_to(size_t from, const char *address)
{
    char want[128];
    snprintf(want, sizeof want, "<%s>", address);
    for (int tries = 0; tries < 150; tries++) {
        size_t n = harness_smtp_wait(s_smtp, 0, 0);
        for (size_t i = from; i < n; i++) {
            if (strcmp(harness_smtp_recipient(s_smtp, i), want) != 0)
                continue;
            char *html = harness_smtp_first_part(harness_smtp_message(s_smtp, i));
            bool is_call_up = strstr(html, "Du er innkalt som") != NULL;
            free(html);
            if (is_call_up)
                return harness_smtp_message(s_smtp, i);
        }
        usleep(100 * 1000);
    }
    fail_msg("no mail to %s", address);
    return NULL;
}

static void s_rfc3339(time_t t, char out[32])
{
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* A published meeting of ASU from `start`, one hour long, with one case. */
static void s_meeting(time_t start, char meeting[40], char item[40])
{
    char from[32], to[32], body[512], path[160];
    s_rfc3339(start, from);
    s_rfc3339(start + 3600, to);
    snprintf(body, sizeof body,
             "{\"committeeId\":\"%s\",\"startTime\":\"%s\",\"endTime\":\"%s\","
             "\"place\":\"Auditoriet, St. Olavs hospital\"}",
             s_asu, from, to);
    harness_stack_post(&s_stack, "/v1/meetings", body, meeting);
    snprintf(path, sizeof path, "/v1/meetings/%s/items", meeting);
    harness_http_response_t *r = harness_stack_send(&s_stack, "POST", path,
                                                    "{\"kind\":\"CASE\",\"title\":\"Tilsetting av "
                                                    "fagrådsleder\",\"durationMin\":30}");
    harness_expect_status(r, 200);
    json_t *items = json_object_get(r->json, "items");
    snprintf(item, 40, "%s", json_string_value(json_object_get(json_array_get(items, 0), "id")));
    harness_http_response_free(&r);
    snprintf(path, sizeof path, "/v1/meetings/%s/publish", meeting);
    harness_stack_post(&s_stack, path, NULL, NULL);
}

/* The call-up of `deputy` in an absence's answer. */
static const char *s_call_up_of(harness_http_response_t *r, const person_t *deputy,
                                const char *state)
{
    json_t *calls = json_object_get(r->json, "callUps");
    for (size_t i = 0; i < json_array_size(calls); i++) {
        json_t *c = json_array_get(calls, i);
        if (strcmp(json_string_value(json_object_get(c, "deputyPersonId")), deputy->id) == 0 &&
            strcmp(json_string_value(json_object_get(c, "state")), state) == 0)
            return json_string_value(json_object_get(c, "id"));
    }
    fail_msg("no call-up of %s in state %s: %s", deputy->id, state, r->body);
    return NULL;
}

static json_t *s_seat_of(harness_http_response_t *r, const person_t *p)
{
    json_t *items = json_object_get(r->json, "items");
    for (size_t i = 0; i < json_array_size(items); i++) {
        json_t *s = json_array_get(items, i);
        if (strcmp(json_string_value(json_object_get(s, "personId")), p->id) == 0)
            return s;
    }
    return NULL;
}

static int s_setup(void **state)
{
    setenv("SAMHAND_REMINDER_ON", "never", 1);
    setenv("SAMHAND_LOG_LEVEL", "debug", 1);
    setenv("SAMHAND_HOUSEKEEPING_SECONDS", "1", 1); /* notify forgets old mails every second */
    s_smtp = harness_smtp_start();
    setenv("SAMHAND_SMTP_URL", harness_smtp_url(s_smtp), 1);
    setenv("SAMHAND_WEB_URL", "https://samhand.helsefellesskapet.no", 1);
    harness_stack_start(&s_stack, harness_database_url());
    harness_stack_post(&s_stack, "/v1/organizations",
                       "{\"name\":\"St. Olavs hospital HF\",\"organizationNumber\":\"883974832\","
                       "\"kind\":\"HOSPITAL_TRUST\"}",
                       s_hospital);
    harness_stack_post(&s_stack, "/v1/organizations",
                       "{\"name\":\"Trondheim kommune\",\"organizationNumber\":\"942110464\","
                       "\"kind\":\"MUNICIPALITY\"}",
                       s_kommune);
    harness_stack_post(&s_stack, "/v1/committees",
                       "{\"name\":\"Administrativt samarbeidsutvalg\",\"shortName\":\"ASU\","
                       "\"kind\":\"ADMINISTRATIVE\",\"noticePeriodDays\":0}",
                       s_asu);
    s_person(&s_kari, "Kari Nordmann", "kari@trondheim.kommune.no", s_kommune, "member");
    s_person(&s_dag1, "Dag En", "dag.en@trondheim.kommune.no", s_kommune, "member");
    s_person(&s_dag2, "Dag To", "dag.to@trondheim.kommune.no", s_kommune, "member");
    s_person(&s_ola, "Ola Nordmann", "ola@stolav.no", s_hospital, "member");
    s_person(&s_outsider, "Ulla Utenfor", "ulla@stolav.no", s_hospital, "secretary");
    s_member(&s_kari, "MEMBER", "");
    s_member(&s_ola, "MEMBER", "");
    char extra[200];
    /* Dag En is Kari's own 1. vara; Dag To the municipality's seat's 2. vara */
    snprintf(extra, sizeof extra, ",\"deputyForPersonId\":\"%s\",\"deputyRank\":1", s_kari.id);
    s_member(&s_dag1, "DEPUTY", extra);
    snprintf(extra, sizeof extra, ",\"deputyForOrganizationId\":\"%s\",\"deputyRank\":2",
             s_kommune);
    s_member(&s_dag2, "DEPUTY", extra);
    return 0;
}

static int s_teardown(void **state)
{
    harness_stack_stop(&s_stack);
    harness_smtp_stop(&s_smtp);
    return 0;
}

static void test_deputies_in_order(void **state)
{
    char path[160];
    snprintf(path, sizeof path, "/v1/committees/%s/memberships?role=DEPUTY", s_asu);
    harness_http_response_t *r = harness_stack_get(&s_stack, path);
    harness_expect_status(r, 200);
    assert_non_null(strstr(r->body, "\"deputyRank\":1"));
    assert_non_null(strstr(r->body, "\"deputyRank\":2"));
    harness_http_response_free(&r);
    /* a rank without whom, whom without a rank, both, or a member's: refused by name */
    snprintf(path, sizeof path, "/v1/committees/%s/memberships", s_asu);
    char body[400];
    snprintf(body, sizeof body,
             "{\"personId\":\"%s\",\"role\":\"DEPUTY\",\"termFrom\":\"2020-01-01\","
             "\"deputyRank\":3}",
             s_ola.id);
    r = harness_stack_send(&s_stack, "POST", path, body);
    harness_assert_problem(r, 400, "deputyForPersonId");
    harness_http_response_free(&r);
    snprintf(body, sizeof body,
             "{\"personId\":\"%s\",\"role\":\"DEPUTY\",\"termFrom\":\"2020-01-01\","
             "\"deputyForPersonId\":\"%s\"}",
             s_ola.id, s_kari.id);
    r = harness_stack_send(&s_stack, "POST", path, body);
    harness_assert_problem(r, 400, "deputyRank");
    harness_http_response_free(&r);
    snprintf(body, sizeof body,
             "{\"personId\":\"%s\",\"role\":\"MEMBER\",\"termFrom\":\"2020-01-01\","
             "\"deputyForPersonId\":\"%s\",\"deputyRank\":1}",
             s_ola.id, s_kari.id);
    r = harness_stack_send(&s_stack, "POST", path, body);
    harness_assert_problem(r, 400, "deputyForPersonId");
    harness_http_response_free(&r);
    snprintf(body, sizeof body,
             "{\"personId\":\"%s\",\"role\":\"DEPUTY\",\"termFrom\":\"2020-01-01\","
             "\"deputyForPersonId\":\"%s\",\"deputyForOrganizationId\":\"%s\","
             "\"deputyRank\":1}",
             s_ola.id, s_kari.id, s_kommune);
    r = harness_stack_send(&s_stack, "POST", path, body);
    harness_assert_problem(r, 400, "deputyForOrganizationId");
    harness_http_response_free(&r);
    snprintf(body, sizeof body,
             "{\"personId\":\"%s\",\"role\":\"DEPUTY\",\"termFrom\":\"2020-01-01\","
             "\"deputyForPersonId\":\"%s\",\"deputyRank\":100}",
             s_ola.id, s_kari.id);
    r = harness_stack_send(&s_stack, "POST", path, body);
    harness_assert_problem(r, 400, "deputyRank");
    harness_http_response_free(&r);
}

/* The story of issue 18: absence reported, the first deputy mailed and
 * declining, the second accepting, and the minutes showing the second. */
static void test_absence_calls_the_deputies_in_turn_and_the_minutes_show_who_came(void **state)
{
    char meeting[40], item[40], path[200], call_up[40];
    time_t start = time(NULL) + 30;
    s_meeting(start, meeting, item);
    size_t mails = harness_smtp_wait(s_smtp, 0, 0);

    snprintf(path, sizeof path, "/v1/meetings/%s/absences", meeting);
    harness_http_response_t *r = s_as(&s_kari, "POST", path, "{\"reason\":\"" REASON "\"}");
    harness_expect_status(r, 201);
    assert_string_equal(harness_json_text(r, "personId"), s_kari.id);
    assert_string_equal(harness_json_text(r, "reason"), REASON);
    snprintf(call_up, sizeof call_up, "%s", s_call_up_of(r, &s_dag1, "CALLED"));
    harness_http_response_free(&r);

    /* Dag En's call-up: Norwegian, the notice, the calendar, a link; no reason */
    const char *message = s_mail_to(mails, "dag.en@trondheim.kommune.no");
    assert_non_null(strstr(message, "Content-Type: text/calendar; charset=utf-8; method=PUBLISH"));
    char *html = harness_smtp_first_part(message);
    assert_non_null(strstr(html, "Du er innkalt som 1. vara for Kari Nordmann"));
    assert_non_null(strstr(html, "Møteinnkallingen er vedlagt (Innkalling ASU "));
    assert_null(strstr(html, "<h1>MØTEINNKALLING</h1>")); /* the notice is the PDF */
    char *pdf_text = s_pdf_text(message);
    assert_non_null(strstr(pdf_text, "MØTEINNKALLING"));
    assert_non_null(strstr(pdf_text, "Tilsetting av fagrådsleder"));
    assert_null(strstr(pdf_text, REASON));
    free(pdf_text);
    char link[200];
    snprintf(link, sizeof link,
             "https://samhand.helsefellesskapet.no/mine-moter.html?innkalling=%s", call_up);
    assert_non_null(strstr(html, link));
    assert_null(strstr(html, REASON));
    free(html);
    assert_null(strstr(message, REASON));

    /* only the deputy called answers; anyone else is told there is none */
    snprintf(path, sizeof path, "/v1/call-ups/%s/accept", call_up);
    const person_t *others[] = {&s_dag2, &s_ola, &s_kari, &s_outsider};
    for (size_t i = 0; i < sizeof others / sizeof others[0]; i++) {
        r = s_as(others[i], "POST", path, NULL);
        harness_assert_problem(r, 404, "id");
        harness_http_response_free(&r);
    }

    mails = harness_smtp_wait(s_smtp, 0, 0);
    snprintf(path, sizeof path, "/v1/call-ups/%s/decline", call_up);
    r = s_as(&s_dag1, "POST", path, NULL);
    harness_expect_status(r, 200);
    assert_null(strstr(r->body, REASON)); /* a deputy is not told why */
    s_call_up_of(r, &s_dag1, "DECLINED");
    snprintf(call_up, sizeof call_up, "%s", s_call_up_of(r, &s_dag2, "CALLED"));
    harness_http_response_free(&r);
    /* declined is declined: a second answer is refused */
    r = s_as(&s_dag1, "POST", path, NULL);
    harness_assert_problem(r, 409, "state");
    harness_http_response_free(&r);

    message = s_mail_to(mails, "dag.to@trondheim.kommune.no");
    html = harness_smtp_first_part(message);
    assert_non_null(strstr(html, "Du er innkalt som 2. vara for Kari Nordmann"));
    free(html);
    snprintf(path, sizeof path, "/v1/call-ups/%s/accept", call_up);
    r = s_as(&s_dag2, "POST", path, NULL);
    harness_expect_status(r, 200);
    s_call_up_of(r, &s_dag2, "ACCEPTED");
    harness_http_response_free(&r);

    /* the secretary follows every seat, with the reason; a member their own */
    snprintf(path, sizeof path, "/v1/meetings/%s/seats", meeting);
    r = harness_stack_get(&s_stack, path);
    harness_expect_status(r, 200);
    json_t *seat = s_seat_of(r, &s_kari);
    assert_non_null(seat);
    assert_string_equal(json_string_value(json_object_get(seat, "state")), "DEPUTY_ACCEPTED");
    assert_string_equal(json_string_value(json_object_get(seat, "deputyName")), "Dag To");
    assert_string_equal(json_string_value(json_object_get(seat, "reason")), REASON);
    assert_string_equal(json_string_value(json_object_get(s_seat_of(r, &s_ola), "state")),
                        "COMING");
    harness_http_response_free(&r);
    r = s_as(&s_ola, "GET", path, NULL);
    harness_expect_status(r, 200);
    assert_null(s_seat_of(r, &s_kari));
    assert_non_null(s_seat_of(r, &s_ola));
    assert_null(strstr(r->body, REASON));
    harness_http_response_free(&r);

    /* every step is an event, none with the reason */
    r = harness_stack_get(&s_stack, "/v1/events?types=no.samhand.absence.&limit=50");
    for (int tries = 0; tries < 100 && !strstr(r->body, "deputy_accepted"); tries++) {
        harness_http_response_free(&r);
        usleep(100 * 1000);
        r = harness_stack_get(&s_stack, "/v1/events?types=no.samhand.absence.&limit=50");
    }
    harness_expect_status(r, 200);
    const char *steps[] = {"no.samhand.absence.reported", "no.samhand.absence.deputy_called",
                           "no.samhand.absence.deputy_declined",
                           "no.samhand.absence.deputy_accepted"};
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++)
        assert_non_null(strstr(r->body, steps[i]));
    assert_null(strstr(r->body, REASON));
    harness_http_response_free(&r);

    /* the public meeting and notice carry none of it */
    snprintf(path, sizeof path, "%s/v1/meetings/%s", s_stack.base_url, meeting);
    r = harness_http_request("GET", path, NULL, NULL);
    harness_expect_status(r, 200);
    assert_null(strstr(r->body, REASON));
    harness_http_response_free(&r);

    /* once the meeting has begun, the minutes start from the seats */
    while (time(NULL) <= start)
        usleep(200 * 1000);
    snprintf(path, sizeof path, "/v1/meetings/%s/items/%s/outcome", meeting, item);
    r = harness_stack_send(&s_stack, "PUT", path, "{\"outcome\":\"NOTED\"}");
    harness_expect_status(r, 200);
    harness_http_response_free(&r);
    snprintf(path, sizeof path, "%s/v1/meetings/%s/minutes.html", s_stack.base_url, meeting);
    r = harness_http_request("GET", path, NULL, NULL);
    harness_expect_status(r, 200);
    assert_non_null(strstr(r->body, "<p>Til stede: Ola Nordmann</p>"));
    assert_non_null(strstr(r->body, "<p>Vara: Dag To (for Kari Nordmann)</p>"));
    assert_non_null(strstr(r->body, "<p>Forfall: Kari Nordmann</p>"));
    assert_null(strstr(r->body, "Dag En"));
    assert_null(strstr(r->body, REASON));
    harness_http_response_free(&r);
    /* and the meeting's attendance is recorded from them */
    snprintf(path, sizeof path, "/v1/meetings/%s", meeting);
    r = harness_stack_get(&s_stack, path);
    assert_non_null(strstr(r->body, "\"status\":\"DEPUTY\""));
    assert_non_null(strstr(r->body, s_dag2.id));
    harness_http_response_free(&r);
}

static void test_who_may_report_absence(void **state)
{
    char meeting[40], item[40], path[200], body[200];
    s_meeting(time(NULL) + 86400 * 30, meeting, item);
    snprintf(path, sizeof path, "/v1/meetings/%s/absences", meeting);
    /* another member may not report for Kari; a secretary of another
     * organisation (who runs nothing here) neither */
    snprintf(body, sizeof body, "{\"personId\":\"%s\"}", s_kari.id);
    harness_http_response_t *r = s_as(&s_ola, "POST", path, body);
    harness_assert_problem(r, 403, "personId");
    harness_http_response_free(&r);
    r = s_as(&s_outsider, "POST", path, body);
    harness_assert_problem(r, 403, "personId");
    harness_http_response_free(&r);
    /* a deputy holds no seat to be absent from */
    r = s_as(&s_dag1, "POST", path, "{}");
    harness_assert_problem(r, 400, "personId");
    harness_http_response_free(&r);
    /* a reason too long, a meeting that is not there */
    char *long_body = malloc(2100 + 20);
    memset(long_body, 'x', 2100 + 20);
    memcpy(long_body, "{\"reason\":\"", 11);
    memcpy(long_body + 2100 + 17, "\"}", 3);
    r = s_as(&s_kari, "POST", path, long_body);
    harness_assert_problem(r, 400, "reason");
    harness_http_response_free(&r);
    free(long_body);
    r = s_as(&s_kari, "POST", "/v1/meetings/00000000-0000-4000-8000-000000000000/absences", "{}");
    assert_int_equal(r->status, 404);
    harness_http_response_free(&r);

    /* the secretary records it for Kari; a second report is refused */
    r = harness_stack_send(&s_stack, "POST", path, body);
    harness_expect_status(r, 201);
    char absence[40], call_up[40];
    snprintf(absence, sizeof absence, "%s", harness_json_text(r, "id"));
    snprintf(call_up, sizeof call_up, "%s", s_call_up_of(r, &s_dag1, "CALLED"));
    harness_http_response_free(&r);
    r = s_as(&s_kari, "POST", path, "{}");
    harness_assert_problem(r, 409, "personId");
    harness_http_response_free(&r);

    /* Ola cannot withdraw Kari's absence (nor learn it exists); Kari can */
    snprintf(path, sizeof path, "/v1/meetings/%s/absences/%s/withdraw", meeting, absence);
    r = s_as(&s_ola, "POST", path, NULL);
    harness_assert_problem(r, 404, "id");
    harness_http_response_free(&r);
    r = s_as(&s_kari, "POST", path, NULL);
    harness_expect_status(r, 200);
    assert_true(json_is_true(json_object_get(r->json, "isWithdrawn")));
    s_call_up_of(r, &s_dag1, "WITHDRAWN");
    harness_http_response_free(&r);
    /* the withdrawn call-up is answered no more */
    snprintf(path, sizeof path, "/v1/call-ups/%s/accept", call_up);
    r = s_as(&s_dag1, "POST", path, NULL);
    harness_assert_problem(r, 409, "state");
    harness_http_response_free(&r);
    snprintf(path, sizeof path, "/v1/meetings/%s/seats", meeting);
    r = harness_stack_get(&s_stack, path);
    assert_string_equal(json_string_value(json_object_get(s_seat_of(r, &s_kari), "state")),
                        "COMING");
    harness_http_response_free(&r);
}

static void test_disqualification_declared_decided_and_minuted_without_its_reason(void **state)
{
    char meeting[40], item[40], path[200], body[300], id[40];
    time_t start = time(NULL) + 20;
    s_meeting(start, meeting, item);
    snprintf(path, sizeof path, "/v1/meetings/%s/items/%s/disqualifications", meeting, item);
    /* a reason is required; another member may not declare for Kari */
    harness_http_response_t *r = s_as(&s_kari, "POST", path, "{}");
    harness_assert_problem(r, 400, "reason");
    harness_http_response_free(&r);
    snprintf(body, sizeof body, "{\"personId\":\"%s\",\"reason\":\"Uenig\"}", s_kari.id);
    r = s_as(&s_ola, "POST", path, body);
    harness_assert_problem(r, 403, "personId");
    harness_http_response_free(&r);
    r = s_as(&s_kari, "POST", path, "{\"reason\":\"" DISQUALIFICATION_REASON "\"}");
    harness_expect_status(r, 201);
    snprintf(id, sizeof id, "%s", harness_json_text(r, "id"));
    assert_string_equal(harness_json_text(r, "reason"), DISQUALIFICATION_REASON);
    assert_string_equal(harness_json_text(r, "decision"), "DECISION_UNSPECIFIED");
    harness_http_response_free(&r);
    r = s_as(&s_kari, "POST", path, "{\"reason\":\"" DISQUALIFICATION_REASON "\"}");
    harness_assert_problem(r, 409, "itemId");
    harness_http_response_free(&r);
    snprintf(path, sizeof path,
             "/v1/meetings/%s/items/00000000-0000-4000-8000-000000000000/disqualifications",
             meeting);
    r = s_as(&s_kari, "POST", path, "{\"reason\":\"Annet\"}");
    harness_assert_problem(r, 404, "itemId");
    harness_http_response_free(&r);

    /* the declarations: the secretary's all, a member's own */
    snprintf(path, sizeof path, "/v1/meetings/%s/disqualifications", meeting);
    r = harness_stack_get(&s_stack, path);
    harness_expect_status(r, 200);
    assert_non_null(strstr(r->body, DISQUALIFICATION_REASON));
    harness_http_response_free(&r);
    r = s_as(&s_kari, "GET", path, NULL);
    assert_non_null(strstr(r->body, DISQUALIFICATION_REASON));
    harness_http_response_free(&r);
    r = s_as(&s_ola, "GET", path, NULL);
    harness_expect_status(r, 200);
    assert_null(strstr(r->body, DISQUALIFICATION_REASON));
    assert_null(strstr(r->body, s_kari.id));
    harness_http_response_free(&r);

    /* the notice lists them to the secretary only */
    snprintf(path, sizeof path, "/v1/meetings/%s/notice.html", meeting);
    r = harness_stack_get(&s_stack, path);
    assert_non_null(
        strstr(r->body, "<h2>Erklæringer om mulig inhabilitet (til sekretariatet)</h2>"));
    assert_non_null(strstr(r->body, "<td>Kari Nordmann</td><td>" DISQUALIFICATION_REASON
                                    "</td><td>Ikke avgjort</td>"));
    harness_http_response_free(&r);
    r = s_as(&s_ola, "GET", path, NULL);
    harness_expect_status(r, 200);
    assert_null(strstr(r->body, "inhabilitet"));
    assert_null(strstr(r->body, DISQUALIFICATION_REASON));
    harness_http_response_free(&r);
    char url[300];
    snprintf(url, sizeof url, "%s%s", s_stack.base_url, path);
    r = harness_http_request("GET", url, NULL, NULL);
    harness_expect_status(r, 200);
    assert_null(strstr(r->body, DISQUALIFICATION_REASON));
    harness_http_response_free(&r);

    /* the decision is the secretary's */
    snprintf(path, sizeof path, "/v1/meetings/%s/disqualifications/%s/decision", meeting, id);
    r = s_as(&s_kari, "PUT", path, "{\"decision\":\"NOT_DISQUALIFIED\"}");
    assert_int_equal(r->status, 403);
    harness_http_response_free(&r);
    r = harness_stack_send(&s_stack, "PUT", path, "{\"decision\":\"MAYBE\"}");
    harness_assert_problem(r, 400, "decision");
    harness_http_response_free(&r);
    r = harness_stack_send(&s_stack, "PUT", path, "{\"decision\":\"DISQUALIFIED\"}");
    harness_expect_status(r, 200);
    assert_string_equal(harness_json_text(r, "decision"), "DISQUALIFIED");
    harness_http_response_free(&r);

    /* the minutes say she stepped out, never why */
    while (time(NULL) <= start)
        usleep(200 * 1000);
    snprintf(path, sizeof path, "/v1/meetings/%s/items/%s/outcome", meeting, item);
    r = harness_stack_send(&s_stack, "PUT", path, "{\"outcome\":\"NOTED\"}");
    harness_expect_status(r, 200);
    harness_http_response_free(&r);
    snprintf(url, sizeof url, "%s/v1/meetings/%s/minutes.html", s_stack.base_url, meeting);
    r = harness_http_request("GET", url, NULL, NULL);
    harness_expect_status(r, 200);
    assert_non_null(strstr(r->body, "<p class=\"inhabil\">Kari Nordmann ble funnet inhabil "
                                    "(forvaltningsloven § 6) og fratrådte under behandlingen av "
                                    "saken.</p>"));
    assert_null(strstr(r->body, DISQUALIFICATION_REASON));
    harness_http_response_free(&r);
    /* the minutes as PDF say the same */
    snprintf(url, sizeof url, "%s/v1/meetings/%s/minutes.pdf", s_stack.base_url, meeting);
    r = harness_http_request("GET", url, NULL, NULL);
    harness_expect_status(r, 200);
    int status = -1;
    char *text = harness_http_body_through(r, "pdftotext %s -", &status);
    assert_int_equal(status, 0);
    assert_non_null(strstr(text, "Kari Nordmann ble funnet inhabil"));
    assert_null(strstr(text, "Søsteren"));
    free(text);
    harness_http_response_free(&r);
    /* nor does any event */
    r = harness_stack_get(&s_stack, "/v1/events?types=no.samhand.disqualification.&limit=50");
    for (int tries = 0; tries < 100 && !strstr(r->body, "disqualification.decided"); tries++) {
        harness_http_response_free(&r);
        usleep(100 * 1000);
        r = harness_stack_get(&s_stack, "/v1/events?types=no.samhand.disqualification.&limit=50");
    }
    assert_non_null(strstr(r->body, "no.samhand.disqualification.declared"));
    assert_non_null(strstr(r->body, "no.samhand.disqualification.decided"));
    assert_null(strstr(r->body, DISQUALIFICATION_REASON));
    harness_http_response_free(&r);
}

/* No reason reaches a log line of any process, at the most verbose level. */
static void test_no_reason_in_any_log(void **state)
{
    const char *dir = getenv("SAMHAND_BUILD_DIR");
    static const char *const services[] = {"samhand-agenda", "samhand-deviation", "samhand-notify",
                                           "samhand-gateway"};
    for (size_t i = 0; i < sizeof services / sizeof services[0]; i++) {
        char path[512];
        snprintf(path, sizeof path, "%s/Testing/%s-%d.log", dir && *dir ? dir : ".", services[i],
                 (int)getpid());
        FILE *f = fopen(path, "r");
        assert_non_null(f);
        char line[8192];
        size_t lines = 0;
        while (fgets(line, sizeof line, f)) {
            lines++;
            if (strstr(line, REASON) || strstr(line, DISQUALIFICATION_REASON))
                fail_msg("%s logs a reason: %s", services[i], line);
        }
        fclose(f);
        assert_true(lines > 0);
    }
}

/* The mail to `address` from `from` on whose text holds `text`, waiting
 * for it; its text (the caller frees it). */
static char *s_mail_with(size_t from, const char *address, const char *text)
{
    char want[128];
    snprintf(want, sizeof want, "<%s>", address);
    for (int tries = 0; tries < 150; tries++) {
        size_t n = harness_smtp_wait(s_smtp, 0, 0);
        for (size_t i = from; i < n; i++) {
            if (strcmp(harness_smtp_recipient(s_smtp, i), want) != 0)
                continue;
            char *html = harness_smtp_first_part(harness_smtp_message(s_smtp, i));
            if (strstr(html, text))
                return html;
            free(html);
        }
        usleep(100 * 1000);
    }
    fail_msg("no mail to %s saying «%s»", address, text);
    return NULL;
}

/* Kari's absence from `meeting`, reported as herself; the call-up of Dag
 * En it gave into `call_up`. */
static void s_kari_absent(const char *meeting, char call_up[40])
{
    char path[160];
    snprintf(path, sizeof path, "/v1/meetings/%s/absences", meeting);
    harness_http_response_t *r = s_as(&s_kari, "POST", path, "{}");
    harness_expect_status(r, 201);
    snprintf(call_up, 40, "%s", s_call_up_of(r, &s_dag1, "CALLED"));
    harness_http_response_free(&r);
}

/* A cancelled meeting ends its call-ups: the deputy called is told by
 * mail, and accepting afterwards is refused with 409 that says why. */
static void test_a_cancelled_meeting_ends_its_call_ups(void **state)
{
    char meeting[40], item[40], call_up[40], path[160];
    s_meeting(time(NULL) + 20 * 86400, meeting, item);
    size_t mails = harness_smtp_wait(s_smtp, 0, 0);
    s_kari_absent(meeting, call_up);
    free(s_mail_with(mails, "dag.en@trondheim.kommune.no", "Du er innkalt som 1. vara"));
    mails = harness_smtp_wait(s_smtp, 0, 0);
    snprintf(path, sizeof path, "/v1/meetings/%s/cancel", meeting);
    harness_http_response_t *r =
        harness_stack_send(&s_stack, "POST", path, "{\"reason\":\"Lokalet er ikke ledig\"}");
    harness_expect_status(r, 200);
    harness_http_response_free(&r);

    char *html =
        s_mail_with(mails, "dag.en@trondheim.kommune.no", "innkallingen din gjelder ikke lenger");
    assert_non_null(strstr(html, "Du var innkalt som 1. vara for Kari Nordmann til møtet i "
                                 "Administrativt samarbeidsutvalg. Møtet er avlyst"));
    free(html);

    snprintf(path, sizeof path, "/v1/call-ups/%s/accept", call_up);
    r = s_as(&s_dag1, "POST", path, NULL);
    harness_assert_problem(r, 409, "state");
    if (!strstr(r->body, "møtet er avlyst: innkallingene av vara gjelder ikke lenger"))
        fail_msg("the refusal does not say the meeting is cancelled: %s", r->body);
    harness_http_response_free(&r);
    /* the call-up has ended, and says so */
    r = harness_stack_get(&s_stack, "/v1/events?types=no.samhand.absence.&limit=500");
    for (int tries = 0; tries < 100 && !strstr(r->body, "meeting_cancelled"); tries++) {
        harness_http_response_free(&r);
        usleep(100 * 1000);
        r = harness_stack_get(&s_stack, "/v1/events?types=no.samhand.absence.&limit=500");
    }
    assert_non_null(strstr(r->body, "no.samhand.absence.meeting_cancelled"));
    harness_http_response_free(&r);
}

/* Moves a published meeting by PATCH (a draft until its supplementary
 * notice) from `start` to `new_start`, one hour long. */
static void s_move(const char *meeting, time_t new_start)
{
    char from[32], to[32], body[200], path[160];
    s_rfc3339(new_start, from);
    s_rfc3339(new_start + 3600, to);
    snprintf(body, sizeof body, "{\"startTime\":\"%s\",\"endTime\":\"%s\"}", from, to);
    snprintf(path, sizeof path, "/v1/meetings/%s", meeting);
    harness_http_response_t *r = harness_stack_send(&s_stack, "PATCH", path, body);
    harness_expect_status(r, 200);
    harness_http_response_free(&r);
}

static void s_publish(const char *meeting)
{
    char path[160];
    snprintf(path, sizeof path, "/v1/meetings/%s/publish", meeting);
    harness_http_response_t *r = harness_stack_send(&s_stack, "POST", path, NULL);
    harness_expect_status(r, 200);
    harness_http_response_free(&r);
}

/* A moved meeting ends the call-ups for its old time, an accepted one
 * too, when the supplementary notice with the new time goes out: the
 * deputy is told, and asked again for the new time. */
static void test_a_moved_meeting_ends_its_call_ups_and_asks_again(void **state)
{
    char meeting[40], item[40], call_up[40], path[160];
    time_t start = time(NULL) + 21 * 86400;
    s_meeting(start, meeting, item);
    size_t mails = harness_smtp_wait(s_smtp, 0, 0);
    s_kari_absent(meeting, call_up);
    snprintf(path, sizeof path, "/v1/call-ups/%s/accept", call_up);
    harness_http_response_t *r = s_as(&s_dag1, "POST", path, NULL);
    harness_expect_status(r, 200);
    harness_http_response_free(&r);
    free(s_mail_with(mails, "dag.en@trondheim.kommune.no", "Du er innkalt som 1. vara"));

    mails = harness_smtp_wait(s_smtp, 0, 0);
    s_move(meeting, start + 86400);
    s_publish(meeting);

    char *html = s_mail_with(mails, "dag.en@trondheim.kommune.no", "Møtet er flyttet til");
    assert_non_null(strstr(html, "innkallingen din gjelder ikke lenger"));
    free(html);
    free(s_mail_with(mails, "dag.en@trondheim.kommune.no", "Du er innkalt som 1. vara"));
    /* the seat: Dag En called again, for the new time */
    snprintf(path, sizeof path, "/v1/meetings/%s/seats", meeting);
    r = harness_stack_get(&s_stack, path);
    harness_expect_status(r, 200);
    json_t *seat = s_seat_of(r, &s_kari);
    assert_non_null(seat);
    assert_string_equal(json_string_value(json_object_get(seat, "state")), "DEPUTY_CALLED");
    assert_string_equal(json_string_value(json_object_get(seat, "deputyName")), "Dag En");
    harness_http_response_free(&r);
    /* the accepted call-up of the old time is over: accepting it is refused */
    snprintf(path, sizeof path, "/v1/call-ups/%s/accept", call_up);
    r = s_as(&s_dag1, "POST", path, NULL);
    harness_assert_problem(r, 409, "state");
    harness_http_response_free(&r);
}

/* A change of a published meeting is a draft until its supplementary
 * notice goes out: a drafted new time reaches no deputy (no mail that the
 * meeting moved, no new call-up), and a deputy called up meanwhile reads
 * the last notice's time. The notice then ends the call-ups. */
static void test_a_drafted_move_reaches_no_deputy_before_its_notice(void **state)
{
    char meeting[40], item[40], call_up[40], path[160];
    time_t start = time(NULL) + 23 * 86400;
    s_meeting(start, meeting, item);
    size_t mails = harness_smtp_wait(s_smtp, 0, 0);
    s_kari_absent(meeting, call_up);
    free(s_mail_with(mails, "dag.en@trondheim.kommune.no", "Du er innkalt som 1. vara"));
    mails = harness_smtp_wait(s_smtp, 0, 0);
    s_move(meeting, start + 2 * 86400);
    /* the deputy's call-up still stands, at the notice's time, and the
     * deputy reads the meeting at that time */
    harness_http_response_t *r = s_as(&s_dag1, "GET", "/v1/me/meetings", NULL);
    harness_expect_status(r, 200);
    char noticed[32];
    s_rfc3339(start, noticed);
    json_t *mine = json_loads(r->body, 0, NULL), *found = NULL, *entry;
    size_t i;
    json_array_foreach(json_object_get(mine, "items"), i, entry)
    {
        if (strcmp(json_string_value(json_object_get(json_object_get(entry, "meeting"), "id")),
                   meeting) == 0)
            found = entry;
    }
    assert_non_null(found);
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(found, "meeting"), "startTime")),
        noticed);
    json_t *c = json_array_get(json_object_get(found, "callUps"), 0);
    assert_string_equal(json_string_value(json_object_get(c, "state")), "CALLED");
    assert_string_equal(json_string_value(json_object_get(c, "meetingStartTime")), noticed);
    json_decref(mine);
    harness_http_response_free(&r);
    /* 3 s for a mail the move must not make (the mail above came in less) */
    for (int tries = 0; tries < 30; tries++) {
        size_t n = harness_smtp_wait(s_smtp, 0, 0);
        for (size_t k = mails; k < n; k++) {
            if (strcmp(harness_smtp_recipient(s_smtp, k), "<dag.en@trondheim.kommune.no>") != 0)
                continue;
            char *html = harness_smtp_first_part(harness_smtp_message(s_smtp, k));
            bool moved = strstr(html, "Møtet er flyttet") != NULL;
            free(html);
            if (moved)
                fail_msg("the deputy was mailed the drafted new time before any supplementary "
                         "notice");
        }
        usleep(100 * 1000);
    }
    s_publish(meeting);
    char *html = s_mail_with(mails, "dag.en@trondheim.kommune.no", "Møtet er flyttet til");
    char date[11];
    time_format_date(start + 2 * 86400, date);
    assert_non_null(strstr(html, date));
    free(html);
    snprintf(path, sizeof path, "/v1/call-ups/%s/accept", call_up);
    r = s_as(&s_dag1, "POST", path, NULL);
    harness_assert_problem(r, 409, "state");
    harness_http_response_free(&r);
}

/* A count from notify's own tables. */
static long s_notify_count(const char *sql)
{
    PGconn *db = PQconnectdb(harness_service_url("notify"));
    PGresult *res = PQexec(db, sql);
    assert_int_equal(PQresultStatus(res), PGRES_TUPLES_OK);
    long n = atol(PQgetvalue(res, 0, 0));
    PQclear(res);
    PQfinish(db);
    return n;
}

static long s_notify_count_until(const char *sql, long wanted)
{
    long n = -1;
    for (int tries = 0; tries < 100 && (n = s_notify_count(sql)) != wanted; tries++)
        usleep(100 * 1000);
    return n;
}

/* The notice PDF a deputy's call-up carries (a member's variant: exempt
 * cases in full) is kept only until its mails are sent; the mail itself
 * for SAMHAND_MAIL_RETENTION_DAYS (30) after it was sent, then it goes. */
static void test_a_mails_pdf_and_then_the_mail_are_forgotten(void **state)
{
    char meeting[40], item[40], call_up[40];
    s_meeting(time(NULL) + 25 * 86400, meeting, item);
    /* this meeting's call-up, not an earlier test's: the mail is marked
     * sent only after the receiver has it, and one sent after the clock
     * below is turned back would stay */
    size_t mails = harness_smtp_wait(s_smtp, 0, 0);
    s_kari_absent(meeting, call_up);
    free(s_mail_with(mails, "dag.en@trondheim.kommune.no", "Du er innkalt som 1. vara"));
    static const char *const kept =
        "SELECT count(*) FROM mails m JOIN mail_documents d ON d.id = m.document_id WHERE "
        "m.kind = 'callup'";
    static const char *const documents = "SELECT count(*) FROM mail_documents";
    static const char *const sent =
        "SELECT count(*) FROM mails WHERE kind = 'callup' AND state = 'SENT'";
    assert_int_equal(s_notify_count_until(kept, 0), 0);
    assert_int_equal(s_notify_count_until(documents, 0), 0);
    long n = s_notify_count(sent);
    assert_true(n >= 1); /* the mail stays, without its PDF */
    /* sent 31 days ago: forgotten with what it said */
    PGconn *db = PQconnectdb(harness_service_url("notify"));
    PQclear(PQexec(db, "UPDATE mails SET sent_at = now() - interval '31 days' WHERE kind = "
                       "'callup' AND state = 'SENT'"));
    PQfinish(db);
    assert_int_equal(s_notify_count_until(sent, 0), 0);
}

/* When the last deputy declines, the committee's secretary is told in
 * Norwegian whose seat stands empty and who declined. */
static void test_the_secretary_is_told_when_no_deputy_is_left(void **state)
{
    person_t siri;
    s_person(&siri, "Siri Sekretær", "siri@stolav.no", s_hospital, "secretary");
    s_member(&siri, "SECRETARY", "");
    char meeting[40], item[40], call_up[40], path[160];
    s_meeting(time(NULL) + 22 * 86400, meeting, item);
    size_t mails = harness_smtp_wait(s_smtp, 0, 0);
    s_kari_absent(meeting, call_up);
    snprintf(path, sizeof path, "/v1/call-ups/%s/decline", call_up);
    harness_http_response_t *r = s_as(&s_dag1, "POST", path, NULL);
    harness_expect_status(r, 200);
    snprintf(call_up, sizeof call_up, "%s", s_call_up_of(r, &s_dag2, "CALLED"));
    harness_http_response_free(&r);
    snprintf(path, sizeof path, "/v1/call-ups/%s/decline", call_up);
    r = s_as(&s_dag2, "POST", path, NULL);
    harness_expect_status(r, 200);
    harness_http_response_free(&r);

    char *html = s_mail_with(mails, "siri@stolav.no", "ingen vara er igjen");
    assert_non_null(strstr(html, "Kari Nordmann har meldt forfall til møtet i Administrativt "
                                 "samarbeidsutvalg"));
    assert_non_null(strstr(html, "Plassen til Kari Nordmann står tom."));
    assert_non_null(strstr(html, "<li>Dag En (1. vara)</li>"));
    assert_non_null(strstr(html, "<li>Dag To (2. vara)</li>"));
    free(html);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_deputies_in_order),
        cmocka_unit_test(test_absence_calls_the_deputies_in_turn_and_the_minutes_show_who_came),
        cmocka_unit_test(test_who_may_report_absence),
        cmocka_unit_test(test_disqualification_declared_decided_and_minuted_without_its_reason),
        cmocka_unit_test(test_no_reason_in_any_log),
        cmocka_unit_test(test_a_cancelled_meeting_ends_its_call_ups),
        cmocka_unit_test(test_a_moved_meeting_ends_its_call_ups_and_asks_again),
        cmocka_unit_test(test_a_drafted_move_reaches_no_deputy_before_its_notice),
        cmocka_unit_test(test_the_secretary_is_told_when_no_deputy_is_left),
        cmocka_unit_test(test_a_mails_pdf_and_then_the_mail_are_forgotten),
    };
    return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
