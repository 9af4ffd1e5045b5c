/* The joint incident analysis of a report as a record: begun once it is
 * requested, written by both parties with If-Match on the version read,
 * every error of it named at once, finalised into a final report in
 * bokmål and locked; read by the two parties and the partnership's quality
 * staff alone (not a third organisation's quality staff, administrators or
 * case handlers) in every route, list, event and document; an anonymous
 * reporter stays hidden from the receiver; its open measures are listed
 * when overdue and reach their owner organisation in the daily reminder. */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define CANARY_NAME "Kari Hemmeligsen"

static harness_stack_t s_stack;
static harness_smtp_t *s_smtp;

/* The organisations, made through the directory (with shared addresses
 * for the reminders), and keys of theirs made through the API. */
static char s_kommune[40], s_sykehus[40], s_lege[40];
enum {
    KOMMUNE_REPORTER,
    KOMMUNE_QUALITY,
    SYKEHUS_REPORTER,
    SYKEHUS_QUALITY,
    SYKEHUS_INTEGRATION,
    SYKEHUS_MEMBER,
    LEGE_REPORTER,
    LEGE_QUALITY,
    LEGE_ADMIN,
    PARTNERSHIP_QUALITY,
    N_KEYS
};
static char s_keys[N_KEYS][128];

static harness_http_response_t *s_as(int who, const char *method, const char *path,
                                     const char *body, const char *header)
{
    char url[512], auth[200];
    snprintf(url, sizeof url, "%s%s", s_stack.base_url, path);
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", s_keys[who]);
    const char *headers[] = {auth, header, NULL};
    return harness_http_request(method, url, body, headers);
}

static void s_key(int who, const char *org, const char *role)
{
    char roles[64];
    snprintf(roles, sizeof roles, "[\"%s\"]", role);
    harness_stack_new_key(&s_stack, org, roles, s_keys[who]);
}

static int s_setup(void **state)
{
    setenv("SAMHAND_REMINDER_ON", "never", 1); /* until the test of it */
    s_smtp = harness_smtp_start();
    setenv("SAMHAND_SMTP_URL", harness_smtp_url(s_smtp), 1);
    harness_stack_start(&s_stack, harness_database_url());
    harness_stack_post(
        &s_stack, "/v1/organizations",
        "{\"name\":\"Frosta kommune\",\"organizationNumber\":\"944305483\","
        "\"kind\":\"MUNICIPALITY\",\"contactEmail\":\"postmottak@frosta.kommune.no\"}",
        s_kommune);
    harness_stack_post(&s_stack, "/v1/organizations",
                       "{\"name\":\"St. Olavs hospital HF\",\"organizationNumber\":\"883974832\","
                       "\"kind\":\"HOSPITAL_TRUST\",\"contactEmail\":\"postmottak@stolav.no\"}",
                       s_sykehus);
    harness_stack_post(&s_stack, "/v1/organizations",
                       "{\"name\":\"Frosta legekontor\",\"organizationNumber\":\"974305488\","
                       "\"kind\":\"GP_OFFICE\",\"contactEmail\":\"post@frostalege.no\"}",
                       s_lege);
    s_key(KOMMUNE_REPORTER, s_kommune, "reporter");
    s_key(KOMMUNE_QUALITY, s_kommune, "quality");
    s_key(SYKEHUS_REPORTER, s_sykehus, "reporter");
    s_key(SYKEHUS_QUALITY, s_sykehus, "quality");
    s_key(SYKEHUS_INTEGRATION, s_sykehus, "integration");
    s_key(SYKEHUS_MEMBER, s_sykehus, "member");
    s_key(LEGE_REPORTER, s_lege, "reporter");
    s_key(LEGE_QUALITY, s_lege, "quality");
    s_key(LEGE_ADMIN, s_lege, "administrator");
    s_key(PARTNERSHIP_QUALITY, "", "quality");
    return 0;
}

static int s_teardown(void **state)
{
    harness_stack_stop(&s_stack);
    harness_smtp_stop(&s_smtp);
    return 0;
}

/* A report from the municipality to the hospital, acknowledged by it; with
 * `requested`, a joint analysis asked for. Its id and reference. */
static void s_report(bool is_anonymous, bool requested, char id[40], char reference[40])
{
    char body[1024], path[160];
    snprintf(body, sizeof body,
             "{\"reportingOrganizationId\":\"%s\",\"receivingOrganizationId\":\"%s\","
             "\"reportingUnit\":\"Hjemmesykepleien\",\"reporterName\":\"" CANARY_NAME "\","
             "\"isAnonymous\":%s,\"occurredTime\":\"2026-11-02T10:00:00+01:00\","
             "\"type\":\"BREACH_OF_AGREEMENT\",\"categoryCode\":\"SAM-EPIKRISE\","
             "\"description\":\"Epikrise mangler ved "
             "utskrivning.\",\"harmDegree\":\"MINOR\",\"submit\":true}",
             s_kommune, s_sykehus, is_anonymous ? "true" : "false");
    harness_http_response_t *r = s_as(KOMMUNE_REPORTER, "POST", "/v1/deviations", body, NULL);
    harness_expect_status(r, 201);
    snprintf(id, 40, "%s", harness_json_text(r, "id"));
    snprintf(reference, 40, "%s", harness_json_text(r, "reference"));
    harness_http_response_free(&r);
    snprintf(path, sizeof path, "/v1/deviations/%s/acknowledge", id);
    r = s_as(SYKEHUS_REPORTER, "POST", path, "{}", NULL);
    harness_expect_status(r, 200);
    harness_http_response_free(&r);
    if (!requested)
        return;
    snprintf(path, sizeof path, "/v1/deviations/%s/request-analysis", id);
    r = s_as(KOMMUNE_REPORTER, "POST", path, "{\"comment\":\"Vi ønsker en felles analyse.\"}",
             NULL);
    harness_expect_status(r, 200);
    harness_http_response_free(&r);
}

/* The analysis begun by the municipality's quality adviser with one
 * participant of each party and two measures for the hospital: one
 * overdue, one due far ahead. Its ETag into `etag`. */
static void s_begin(const char *id, char etag[32])
{
    char body[2048], path[160];
    snprintf(body, sizeof body,
             "{\"summary\":\"Pasient utskrevet uten epikrise til hjemmesykepleien.\","
             "\"participants\":[{\"name\":\"Ola Kvalitet\",\"role\":\"Kvalitetsrådgiver\","
             "\"organizationId\":\"%s\"},{\"name\":\"Berit Sengepost\",\"role\":"
             "\"Avdelingssykepleier\",\"organizationId\":\"%s\"}],"
             "\"measures\":[{\"description\":\"Innføre sjekkliste for utskrivning\","
             "\"ownerOrganizationId\":\"%s\",\"ownerPerson\":\"Berit Sengepost\","
             "\"dueDate\":\"2023-01-31\"},{\"description\":\"Evaluere sjekklisten\","
             "\"ownerOrganizationId\":\"%s\",\"dueDate\":\"2099-12-31\"}]}",
             s_kommune, s_sykehus, s_sykehus, s_sykehus);
    snprintf(path, sizeof path, "/v1/deviations/%s/analysis", id);
    harness_http_response_t *r = s_as(KOMMUNE_QUALITY, "POST", path, body, NULL);
    if (r->status != 201)
        fprintf(stderr, "%s\n", r->body);
    harness_expect_status(r, 201);
    assert_string_equal(harness_json_text(r, "state"), "IN_PROGRESS");
    json_t *measures = json_object_get(r->json, "measures");
    assert_int_equal(json_array_size(measures), 2);
    json_t *m = json_array_get(measures, 0);
    assert_int_equal(strlen(json_string_value(json_object_get(m, "id"))), 36);
    assert_string_equal(json_string_value(json_object_get(m, "state")), "OPEN");
    harness_http_header(r, "etag", etag, 32);
    assert_true(etag[0] == '"');
    harness_http_response_free(&r);
}

static void s_if_match(const char *etag, char out[64])
{
    snprintf(out, 64, "If-Match: %s", etag);
}

/* The fields an answer's errors name, comma separated, in order. */
static void s_fields(const harness_http_response_t *r, char *out, size_t size)
{
    size_t used = 0, i;
    json_t *error;
    out[0] = '\0';
    json_array_foreach(json_object_get(r->json, "errors"), i, error)
    {
        used += (size_t)snprintf(out + used, size - used, "%s%s", used ? "," : "",
                                 json_string_value(json_object_get(error, "field")));
    }
}

static void test_both_parties_write_it_with_if_match(void **state)
{
    char id[40], reference[40], etag[32], next[32], path[160], if_match[64], body[2048];
    s_report(false, false, id, reference);
    snprintf(path, sizeof path, "/v1/deviations/%s/analysis", id);
    /* not before a joint analysis is asked for */
    harness_http_response_t *r =
        s_as(KOMMUNE_QUALITY, "POST", path, "{\"summary\":\"For tidlig.\"}", NULL);
    harness_assert_problem(r, 409, "state");
    harness_http_response_free(&r);
    r = s_as(KOMMUNE_QUALITY, "GET", path, NULL, NULL);
    harness_assert_problem(r, 404, "id");
    harness_http_response_free(&r);
    snprintf(path, sizeof path, "/v1/deviations/%s/request-analysis", id);
    r = s_as(SYKEHUS_REPORTER, "POST", path, "{}", NULL);
    harness_expect_status(r, 200);
    harness_http_response_free(&r);

    s_begin(id, etag);
    snprintf(path, sizeof path, "/v1/deviations/%s/analysis", id);
    /* one analysis a report */
    r = s_as(SYKEHUS_QUALITY, "POST", path, "{}", NULL);
    harness_assert_problem(r, 409, "id");
    harness_http_response_free(&r);
    /* the hospital's case handler reads what the municipality wrote */
    r = s_as(SYKEHUS_REPORTER, "GET", path, NULL, NULL);
    harness_expect_status(r, 200);
    assert_string_equal(harness_json_text(r, "deviationReference"), reference);
    assert_string_equal(harness_json_text(r, "reportingOrganizationId"), s_kommune);
    assert_string_equal(harness_json_text(r, "receivingOrganizationId"), s_sykehus);
    harness_http_header(r, "etag", next, sizeof next);
    assert_string_equal(next, etag);
    json_t *m0 = json_array_get(json_object_get(r->json, "measures"), 0);
    char measure[40], second[40];
    snprintf(measure, sizeof measure, "%s", json_string_value(json_object_get(m0, "id")));
    snprintf(second, sizeof second, "%s",
             json_string_value(
                 json_object_get(json_array_get(json_object_get(r->json, "measures"), 1), "id")));
    harness_http_response_free(&r);

    const char *timeline = "{\"timeline\":[{\"time\":\"2026-11-01T14:00:00+01:00\","
                           "\"description\":\"Pasienten skrives ut.\"},{\"time\":"
                           "\"2026-11-02T10:00:00+01:00\",\"description\":\"Hjemmesykepleien "
                           "finner ingen epikrise.\"}],\"causes\":[{\"category\":"
                           "\"COMMUNICATION\",\"description\":\"Epikrisen ble ikke sendt.\"}],"
                           "\"findings\":[\"Ingen fast rutine for utsending ved helg.\"]}";
    /* without the version read: 428; another version: 412 */
    r = s_as(SYKEHUS_REPORTER, "PATCH", path, timeline, NULL);
    harness_assert_problem(r, 428, NULL);
    harness_http_response_free(&r);
    r = s_as(SYKEHUS_REPORTER, "PATCH", path, timeline, "If-Match: \"1\"");
    harness_assert_problem(r, 412, NULL);
    harness_http_response_free(&r);
    /* a system of the hospital reads it, but does not write it */
    s_if_match(etag, if_match);
    r = s_as(SYKEHUS_INTEGRATION, "PATCH", path, timeline, if_match);
    harness_assert_problem(r, 403, NULL);
    harness_http_response_free(&r);
    r = s_as(SYKEHUS_INTEGRATION, "GET", path, NULL, NULL);
    harness_expect_status(r, 200);
    harness_http_response_free(&r);
    /* the hospital's case handler with the version read: those lists, the
     * rest as they were */
    r = s_as(SYKEHUS_REPORTER, "PATCH", path, timeline, if_match);
    harness_expect_status(r, 200);
    assert_int_equal(json_array_size(json_object_get(r->json, "timeline")), 2);
    assert_int_equal(json_array_size(json_object_get(r->json, "participants")), 2);
    assert_int_equal(json_array_size(json_object_get(r->json, "measures")), 2);
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(json_object_get(r->json, "causes"), 0), "category")),
                        "COMMUNICATION");
    harness_http_header(r, "etag", next, sizeof next);
    assert_string_not_equal(next, etag);
    harness_http_response_free(&r);
    /* the old version is stale now */
    r = s_as(KOMMUNE_QUALITY, "PATCH", path, "{\"summary\":\"Ny tekst.\"}", if_match);
    harness_assert_problem(r, 412, NULL);
    harness_http_response_free(&r);
    /* a measure is not left out: it is cancelled, and done when it is */
    s_if_match(next, if_match);
    snprintf(body, sizeof body,
             "{\"measures\":[{\"id\":\"%s\",\"description\":\"Innføre sjekkliste for "
             "utskrivning\",\"ownerOrganizationId\":\"%s\",\"dueDate\":\"2023-01-31\"}]}",
             measure, s_sykehus);
    r = s_as(KOMMUNE_QUALITY, "PATCH", path, body, if_match);
    harness_assert_problem(r, 400, "measures");
    harness_http_response_free(&r);
    snprintf(body, sizeof body,
             "{\"measures\":[{\"id\":\"%s\",\"description\":\"Innføre sjekkliste for "
             "utskrivning\",\"ownerOrganizationId\":\"%s\",\"dueDate\":\"2023-01-31\"},"
             "{\"id\":\"%s\",\"description\":\"Evaluere sjekklisten\",\"ownerOrganizationId\":"
             "\"%s\",\"dueDate\":\"2099-12-31\",\"state\":\"CANCELLED\"},{\"description\":"
             "\"Opplæring av helgebemanningen\",\"ownerOrganizationId\":\"%s\",\"dueDate\":"
             "\"2099-06-30\"}]}",
             measure, s_sykehus, second, s_sykehus, s_kommune);
    r = s_as(KOMMUNE_QUALITY, "PATCH", path, body, if_match);
    harness_expect_status(r, 200);
    json_t *measures = json_object_get(r->json, "measures");
    assert_int_equal(json_array_size(measures), 3);
    assert_string_equal(json_string_value(json_object_get(json_array_get(measures, 0), "id")),
                        measure);
    json_t *cancelled = json_array_get(measures, 1);
    assert_string_equal(json_string_value(json_object_get(cancelled, "state")), "CANCELLED");
    assert_true(json_string_length(json_object_get(cancelled, "doneTime")) > 0);
    assert_string_equal(json_string_value(json_object_get(cancelled, "doneByOrganizationId")),
                        s_kommune);
    harness_http_response_free(&r);

    /* each change an event, for the parties */
    bool seen = false;
    for (int i = 0; i < 100 && !seen; i++) {
        r = s_as(SYKEHUS_REPORTER, "GET",
                 "/v1/events?types=no.samhand.deviation.analysis.&limit=500", NULL, NULL);
        seen = r->body && strstr(r->body, "no.samhand.deviation.analysis.started") &&
               strstr(r->body, "no.samhand.deviation.analysis.changed") && strstr(r->body, id);
        harness_http_response_free(&r);
        if (!seen)
            usleep(100 * 1000);
    }
    assert_true(seen);
}

static void test_every_error_of_the_analysis_at_once(void **state)
{
    char id[40], reference[40], path[160], body[2048], fields[512];
    s_report(false, true, id, reference);
    snprintf(path, sizeof path, "/v1/deviations/%s/analysis", id);
    snprintf(body, sizeof body,
             "{\"participants\":[{\"role\":\"Lege\",\"organizationId\":\"%s\"}],"
             "\"timeline\":[{\"description\":\"\"}],"
             "\"causes\":[{\"description\":\"Uklart ansvar.\"}],"
             "\"findings\":[\"Pasient 01018010018 ble skrevet ut.\"],"
             "\"measures\":[{\"description\":\"Ny rutine\",\"ownerOrganizationId\":\"%s\"}]}",
             s_lege, s_kommune);
    harness_http_response_t *r = s_as(SYKEHUS_QUALITY, "POST", path, body, NULL);
    harness_assert_problem(r, 400, NULL);
    s_fields(r, fields, sizeof fields);
    assert_string_equal(fields, "participants[0].name,participants[0].organizationId,"
                                "timeline[0].time,timeline[0].description,causes[0].category,"
                                "findings[0],measures[0].dueDate");
    /* the identity number is not repeated in the answer */
    assert_null(strstr(r->body, "01018010018"));
    harness_http_response_free(&r);
    /* in bokmål when asked, each field in its own words */
    r = s_as(SYKEHUS_QUALITY, "POST", path, body, "Accept-Language: nb");
    harness_assert_problem(r, 400, NULL);
    assert_non_null(strstr(r->body, "participants[0].organizationId må være en av de to partene"));
    assert_non_null(strstr(r->body, "measures[0].dueDate må fylles ut, skrevet ÅÅÅÅ-MM-DD"));
    assert_non_null(strstr(r->body, "en hendelsesanalyse skal ikke kunne identifisere pasienten"));
    harness_http_response_free(&r);
    /* nothing was begun */
    r = s_as(SYKEHUS_QUALITY, "GET", path, NULL, NULL);
    harness_assert_problem(r, 404, "id");
    harness_http_response_free(&r);
    /* begun empty, it is not finalised before it has a summary and
     * someone of each party: both named at once */
    r = s_as(SYKEHUS_QUALITY, "POST", path, "{}", NULL);
    harness_expect_status(r, 201);
    char etag[32], if_match[64];
    harness_http_header(r, "etag", etag, sizeof etag);
    harness_http_response_free(&r);
    s_if_match(etag, if_match);
    snprintf(path, sizeof path, "/v1/deviations/%s/analysis/finalize", id);
    r = s_as(SYKEHUS_QUALITY, "POST", path, "{}", if_match);
    harness_assert_problem(r, 409, NULL);
    s_fields(r, fields, sizeof fields);
    assert_string_equal(fields, "summary,participants");
    harness_http_response_free(&r);
}

static void test_final_report_and_the_lock(void **state)
{
    char id[40], reference[40], etag[32], path[160], if_match[64], measure[40];
    s_report(false, true, id, reference);
    s_begin(id, etag);
    snprintf(path, sizeof path, "/v1/deviations/%s/analysis/finalize", id);
    harness_http_response_t *r = s_as(SYKEHUS_QUALITY, "POST", path, "{}", NULL);
    harness_assert_problem(r, 428, NULL);
    harness_http_response_free(&r);
    s_if_match(etag, if_match);
    r = s_as(SYKEHUS_QUALITY, "POST", path, "{}", if_match);
    harness_expect_status(r, 200);
    assert_string_equal(harness_json_text(r, "state"), "FINAL");
    assert_string_equal(harness_json_text(r, "finalizedByOrganizationId"), s_sykehus);
    snprintf(measure, sizeof measure, "%s",
             json_string_value(
                 json_object_get(json_array_get(json_object_get(r->json, "measures"), 0), "id")));
    harness_http_header(r, "etag", etag, sizeof etag);
    harness_http_response_free(&r);
    /* locked: a change, or finalising again, is 409 saying so */
    s_if_match(etag, if_match);
    snprintf(path, sizeof path, "/v1/deviations/%s/analysis", id);
    r = s_as(KOMMUNE_QUALITY, "PATCH", path, "{\"summary\":\"Endret etterpå.\"}", if_match);
    harness_assert_problem(r, 409, "state");
    assert_non_null(strstr(r->body, "final"));
    harness_http_response_free(&r);
    snprintf(path, sizeof path, "/v1/deviations/%s/analysis/finalize", id);
    r = s_as(KOMMUNE_QUALITY, "POST", path, "{}", if_match);
    harness_assert_problem(r, 409, "state");
    harness_http_response_free(&r);
    /* its measures are still followed up: done once, by whom and when */
    snprintf(path, sizeof path, "/v1/deviations/%s/analysis/measures/%s/done", id, measure);
    r = s_as(SYKEHUS_REPORTER, "POST", path, "{}", NULL);
    harness_expect_status(r, 200);
    json_t *m = json_array_get(json_object_get(r->json, "measures"), 0);
    assert_string_equal(json_string_value(json_object_get(m, "state")), "DONE");
    assert_true(json_string_length(json_object_get(m, "doneTime")) > 0);
    assert_true(strncmp(json_string_value(json_object_get(m, "doneBy")), "key:", 4) == 0);
    harness_http_response_free(&r);
    r = s_as(SYKEHUS_REPORTER, "POST", path, "{}", NULL);
    harness_assert_problem(r, 409, "measureId");
    harness_http_response_free(&r);

    /* the final report, in bokmål */
    snprintf(path, sizeof path, "/v1/deviations/%s/analysis/report.html", id);
    r = s_as(KOMMUNE_REPORTER, "GET", path, NULL, NULL);
    harness_expect_status(r, 200);
    char type[64];
    harness_http_header(r, "content-type", type, sizeof type);
    assert_non_null(strstr(type, "text/html"));
    assert_non_null(strstr(r->body, "<html lang=\"nb\">"));
    assert_non_null(strstr(r->body, "Sluttrapport: felles hendelsesanalyse"));
    assert_non_null(strstr(r->body, reference));
    assert_non_null(strstr(r->body, "<dd>Frosta kommune</dd>"));
    assert_non_null(strstr(r->body, "<dd>St. Olavs hospital HF</dd>"));
    assert_non_null(strstr(r->body, "<td>Berit Sengepost</td><td>Avdelingssykepleier</td>"
                                    "<td>St. Olavs hospital HF</td>"));
    assert_non_null(strstr(r->body, "<td>Innføre sjekkliste for utskrivning</td><td>St. Olavs "
                                    "hospital HF (Berit Sengepost)</td><td>31.01.2023</td>"
                                    "<td>Utført "));
    assert_non_null(strstr(r->body, "<td>31.12.2099</td><td>Åpen</td>"));
    assert_non_null(strstr(r->body, "Ferdigstilt "));
    assert_null(strstr(r->body, "Utkast"));
    harness_http_response_free(&r);
}

/* Fails when the body of `r` holds `needle`, naming who and where. */
static void s_lacks(int who, const char *what, const harness_http_response_t *r, const char *needle)
{
    if (r->body && strstr(r->body, needle))
        fail_msg("key %d was shown %s in %s", who, needle, what);
}

static void test_only_the_parties_and_quality_read_it(void **state)
{
    char id[40], reference[40], etag[32], path[200];
    s_report(false, true, id, reference);
    s_begin(id, etag);
    static const char *const routes[] = {"/v1/deviations/%s/analysis",
                                         "/v1/deviations/%s/analysis/report.html"};
    /* readers: both parties' roles, and the partnership's quality staff */
    static const int readers[] = {KOMMUNE_REPORTER, KOMMUNE_QUALITY,     SYKEHUS_REPORTER,
                                  SYKEHUS_QUALITY,  SYKEHUS_INTEGRATION, PARTNERSHIP_QUALITY};
    /* not: the third organisation's case handler, quality staff and
     * administrator (to whom the report is no report) and a committee
     * member of a party (no deviation role) */
    static const struct {
        int who;
        long status;
    } others[] = {
        {LEGE_REPORTER, 404}, {LEGE_QUALITY, 404}, {LEGE_ADMIN, 404}, {SYKEHUS_MEMBER, 403}};
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
        snprintf(path, sizeof path, routes[i], id);
        for (size_t k = 0; k < sizeof readers / sizeof readers[0]; k++) {
            harness_http_response_t *r = s_as(readers[k], "GET", path, NULL, NULL);
            harness_expect_status(r, 200);
            harness_http_response_free(&r);
        }
        for (size_t k = 0; k < sizeof others / sizeof others[0]; k++) {
            harness_http_response_t *r = s_as(others[k].who, "GET", path, NULL, NULL);
            harness_assert_problem(r, others[k].status, NULL);
            s_lacks(others[k].who, path, r, "Sengepost");
            harness_http_response_free(&r);
        }
    }
    /* nor do they write it */
    snprintf(path, sizeof path, "/v1/deviations/%s/analysis", id);
    char if_match[64];
    s_if_match(etag, if_match);
    harness_http_response_t *r =
        s_as(LEGE_QUALITY, "PATCH", path, "{\"summary\":\"Fra utsiden.\"}", if_match);
    harness_assert_problem(r, 404, NULL);
    harness_http_response_free(&r);
    /* the lists of measures: the parties' and the partnership's, no one else's */
    r = s_as(SYKEHUS_REPORTER, "GET", "/v1/analysis-measures?limit=500", NULL, NULL);
    harness_expect_status(r, 200);
    assert_non_null(strstr(r->body, id));
    harness_http_response_free(&r);
    r = s_as(PARTNERSHIP_QUALITY, "GET", "/v1/analysis-measures?limit=500", NULL, NULL);
    harness_expect_status(r, 200);
    assert_non_null(strstr(r->body, id));
    harness_http_response_free(&r);
    for (size_t k = 0; k < sizeof others / sizeof others[0]; k++) {
        r = s_as(others[k].who, "GET", "/v1/analysis-measures?limit=500", NULL, NULL);
        s_lacks(others[k].who, "the measures", r, id);
        s_lacks(others[k].who, "the measures", r, "sjekkliste");
        harness_http_response_free(&r);
    }
    /* the events: the parties and the partnership's quality staff have
     * them; the third organisation's quality staff and administrator,
     * who see every report's events, have none of the analysis's */
    bool seen = false;
    for (int i = 0; i < 100 && !seen; i++) {
        r = s_as(PARTNERSHIP_QUALITY, "GET",
                 "/v1/events?types=no.samhand.deviation.analysis.&limit=500", NULL, NULL);
        harness_expect_status(r, 200);
        seen = r->body && strstr(r->body, id);
        harness_http_response_free(&r);
        if (!seen)
            usleep(100 * 1000);
    }
    assert_true(seen);
    r = s_as(KOMMUNE_REPORTER, "GET", "/v1/events?types=no.samhand.deviation.analysis.&limit=500",
             NULL, NULL);
    assert_non_null(strstr(r->body, id));
    harness_http_response_free(&r);
    static const int outsiders[] = {LEGE_QUALITY, LEGE_ADMIN, LEGE_REPORTER};
    for (size_t k = 0; k < sizeof outsiders / sizeof outsiders[0]; k++) {
        r = s_as(outsiders[k], "GET", "/v1/events?limit=500", NULL, NULL);
        harness_expect_status(r, 200);
        s_lacks(outsiders[k], "the event feed", r, "deviation.analysis.");
        s_lacks(outsiders[k], "the event feed", r, "Sengepost");
        harness_http_response_free(&r);
    }
    /* nor do the report's own events: it is no report of theirs */
    r = s_as(LEGE_QUALITY, "GET", "/v1/events?types=no.samhand.deviation.&limit=500", NULL, NULL);
    harness_expect_status(r, 200);
    s_lacks(LEGE_QUALITY, "the event feed", r, id);
    harness_http_response_free(&r);
}

/* The access log has every read of a report's joint analysis, as JSON and
 * as its final report and through its measures in the list of open
 * measures: who, of which organisation, how ANALYSIS;
 * a refused read is none. */
static size_t s_analysis_reads(const char *id, const char *organization)
{
    char path[200];
    snprintf(path, sizeof path, "/v1/deviations/%s/reads?limit=100", id);
    harness_http_response_t *r = s_as(PARTNERSHIP_QUALITY, "GET", path, NULL, NULL);
    harness_expect_status(r, 200);
    json_t *list = json_loads(r->body, 0, NULL), *read;
    size_t i, n = 0;
    json_array_foreach(json_object_get(list, "items"), i, read)
    {
        const char *how = json_string_value(json_object_get(read, "how"));
        const char *org = json_string_value(json_object_get(read, "organizationId"));
        n += how && strcmp(how, "ANALYSIS") == 0 && org && strcmp(org, organization) == 0;
    }
    json_decref(list);
    harness_http_response_free(&r);
    return n;
}

static void test_each_read_of_the_analysis_is_logged(void **state)
{
    char id[40], reference[40], etag[32], path[200];
    s_report(false, true, id, reference);
    s_begin(id, etag);
    const char *sykehus = s_sykehus, *lege = s_lege;
    assert_int_equal(s_analysis_reads(id, sykehus), 0);
    snprintf(path, sizeof path, "/v1/deviations/%s/analysis", id);
    harness_http_response_t *r = s_as(SYKEHUS_QUALITY, "GET", path, NULL, NULL);
    harness_expect_status(r, 200);
    harness_http_response_free(&r);
    assert_int_equal(s_analysis_reads(id, sykehus), 1);
    snprintf(path, sizeof path, "/v1/deviations/%s/analysis/report.html", id);
    r = s_as(SYKEHUS_QUALITY, "GET", path, NULL, NULL);
    harness_expect_status(r, 200);
    harness_http_response_free(&r);
    assert_int_equal(s_analysis_reads(id, sykehus), 2);
    r = s_as(LEGE_QUALITY, "GET", path, NULL, NULL);
    harness_assert_problem(r, 404, NULL);
    harness_http_response_free(&r);
    assert_int_equal(s_analysis_reads(id, lege), 0);
    /* its measures in the list of open measures are a read of it too */
    r = s_as(SYKEHUS_QUALITY, "GET", "/v1/analysis-measures?limit=100", NULL, NULL);
    harness_expect_status(r, 200);
    bool listed = strstr(r->body, id) != NULL;
    harness_http_response_free(&r);
    if (listed)
        assert_int_equal(s_analysis_reads(id, sykehus), 3);
    else
        fail_msg("the analysis's open measure is not in its party's list");
}

static void test_an_anonymous_reporter_stays_hidden(void **state)
{
    char id[40], reference[40], etag[32], path[200];
    s_report(true, true, id, reference);
    s_begin(id, etag);
    /* the reporting side closes a measure and finalises the analysis */
    snprintf(path, sizeof path, "/v1/deviations/%s/analysis", id);
    harness_http_response_t *r = s_as(KOMMUNE_REPORTER, "GET", path, NULL, NULL);
    char measure[40];
    snprintf(measure, sizeof measure, "%s",
             json_string_value(
                 json_object_get(json_array_get(json_object_get(r->json, "measures"), 0), "id")));
    harness_http_response_free(&r);
    snprintf(path, sizeof path, "/v1/deviations/%s/analysis/measures/%s/done", id, measure);
    r = s_as(KOMMUNE_REPORTER, "POST", path, "{}", NULL);
    harness_expect_status(r, 200);
    harness_http_header(r, "etag", etag, sizeof etag);
    /* the reporting side is shown who did it */
    json_t *m = json_array_get(json_object_get(r->json, "measures"), 0);
    assert_true(strncmp(json_string_value(json_object_get(m, "doneBy")), "key:", 4) == 0);
    harness_http_response_free(&r);
    char if_match[64];
    s_if_match(etag, if_match);
    snprintf(path, sizeof path, "/v1/deviations/%s/analysis/finalize", id);
    r = s_as(KOMMUNE_REPORTER, "POST", path, "{}", if_match);
    harness_expect_status(r, 200);
    harness_http_response_free(&r);
    /* the receiving side: the organisation, never who of it */
    static const int receivers[] = {SYKEHUS_REPORTER, SYKEHUS_QUALITY, SYKEHUS_INTEGRATION};
    for (size_t k = 0; k < sizeof receivers / sizeof receivers[0]; k++) {
        snprintf(path, sizeof path, "/v1/deviations/%s/analysis", id);
        r = s_as(receivers[k], "GET", path, NULL, NULL);
        harness_expect_status(r, 200);
        s_lacks(receivers[k], path, r, "Hemmeligsen");
        assert_string_equal(harness_json_text(r, "finalizedBy"), "");
        assert_string_equal(harness_json_text(r, "finalizedByOrganizationId"), s_kommune);
        m = json_array_get(json_object_get(r->json, "measures"), 0);
        assert_string_equal(json_string_value(json_object_get(m, "doneBy")), "");
        harness_http_response_free(&r);
        snprintf(path, sizeof path, "/v1/deviations/%s/analysis/report.html", id);
        r = s_as(receivers[k], "GET", path, NULL, NULL);
        harness_expect_status(r, 200);
        s_lacks(receivers[k], path, r, "Hemmeligsen");
        s_lacks(receivers[k], path, r, "key:");
        harness_http_response_free(&r);
    }
    /* nor in the events, which every party's system receives */
    bool seen = false;
    for (int i = 0; i < 100 && !seen; i++) {
        r = s_as(SYKEHUS_QUALITY, "GET",
                 "/v1/events?types=no.samhand.deviation.analysis.finalized&limit=500", NULL, NULL);
        seen = r->body && strstr(r->body, id);
        s_lacks(SYKEHUS_QUALITY, "the event feed", r, "Hemmeligsen");
        if (seen) {
            /* the events' actor and data name the organisation only */
            json_t *items = json_object_get(r->json, "items");
            for (size_t j = 0; j < json_array_size(items); j++) {
                const char *text = json_dumps(json_array_get(items, j), JSON_COMPACT);
                if (strstr(text, id) && strstr(text, "\"doneBy\":\"key:"))
                    fail_msg("the receiver's event names who of the reporting side did it");
                free((void *)text);
            }
        }
        harness_http_response_free(&r);
        if (!seen)
            usleep(100 * 1000);
    }
    assert_true(seen);
    /* the partnership's quality staff are shown who did it */
    snprintf(path, sizeof path, "/v1/deviations/%s/analysis", id);
    r = s_as(PARTNERSHIP_QUALITY, "GET", path, NULL, NULL);
    harness_expect_status(r, 200);
    m = json_array_get(json_object_get(r->json, "measures"), 0);
    assert_true(strncmp(json_string_value(json_object_get(m, "doneBy")), "key:", 4) == 0);
    harness_http_response_free(&r);
}

static void test_overdue_measures_reach_their_owner(void **state)
{
    char id[40], reference[40], etag[32], text[300];
    s_report(false, true, id, reference);
    s_begin(id, etag);
    /* listed as overdue: the one past its date, not the one far ahead */
    harness_http_response_t *r =
        s_as(SYKEHUS_QUALITY, "GET", "/v1/analysis-measures?overdue=true&limit=500", NULL, NULL);
    harness_expect_status(r, 200);
    json_t *items = json_object_get(r->json, "items");
    bool listed = false;
    for (size_t i = 0; i < json_array_size(items); i++) {
        json_t *m = json_array_get(items, i);
        if (strcmp(json_string_value(json_object_get(m, "deviationId")), id) != 0)
            continue;
        assert_string_equal(json_string_value(json_object_get(m, "description")),
                            "Innføre sjekkliste for utskrivning");
        assert_string_equal(json_string_value(json_object_get(m, "deviationReference")), reference);
        listed = true;
    }
    assert_true(listed);
    assert_null(strstr(r->body, "Evaluere sjekklisten"));
    harness_http_response_free(&r);
    r = s_as(SYKEHUS_QUALITY, "GET", "/v1/analysis-measures?limit=500", NULL, NULL);
    assert_non_null(strstr(r->body, "Evaluere sjekklisten"));
    harness_http_response_free(&r);

    /* the day's reminder, ten working days ahead: the owner's shared
     * address hears of the overdue measure, like a committee's action */
    bool seen = false;
    for (int i = 0; i < 100 && !seen; i++) {
        r = s_as(SYKEHUS_REPORTER, "GET",
                 "/v1/events?types=no.samhand.deviation.analysis.started&limit=500", NULL, NULL);
        seen = r->body && strstr(r->body, id);
        harness_http_response_free(&r);
        if (!seen)
            usleep(100 * 1000);
    }
    assert_true(seen);
    size_t before = harness_smtp_wait(s_smtp, 0, 0);
    setenv("SAMHAND_REMINDER_ON", "every-day", 1);
    setenv("SAMHAND_REMINDER_HOUR", "0", 1);
    setenv("SAMHAND_REMINDER_DAYS", "10", 1);
    harness_stack_crash(&s_stack, "notify");
    snprintf(text, sizeof text,
             "<li>Tiltak etter hendelsesanalyse av avviksmelding %s – frist 31.01.2023</li>",
             reference);
    char *html = NULL;
    for (int i = 0; i < 200 && !html; i++) {
        size_t n = harness_smtp_wait(s_smtp, 0, 0);
        for (size_t j = before; j < n && !html; j++) {
            if (strcmp(harness_smtp_recipient(s_smtp, j), "<postmottak@stolav.no>") != 0)
                continue;
            char *part = harness_smtp_first_part(harness_smtp_message(s_smtp, j));
            if (strstr(part, text))
                html = part;
            else
                free(part);
        }
        if (!html)
            usleep(100 * 1000);
    }
    if (!html)
        fail_msg("no digest to the owner names the overdue measure");
    assert_non_null(strstr(html, "<h2>Fristen er passert</h2>"));
    /* the shared address reads the reference and the due date, never the
     * measure's words (those are for the parties' deviation roles) */
    assert_null(strstr(html, "Innføre sjekkliste"));
    assert_null(strstr(html, "Evaluere sjekklisten")); /* not due for years */
    free(html);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_both_parties_write_it_with_if_match),
        cmocka_unit_test(test_every_error_of_the_analysis_at_once),
        cmocka_unit_test(test_final_report_and_the_lock),
        cmocka_unit_test(test_only_the_parties_and_quality_read_it),
        cmocka_unit_test(test_each_read_of_the_analysis_is_logged),
        cmocka_unit_test(test_an_anonymous_reporter_stays_hidden),
        /* last: it turns the daily reminders on */
        cmocka_unit_test(test_overdue_measures_reach_their_owner),
    };
    return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
