/* The partnership's settings on real PostgreSQL: read by every party,
 * changed by administrators with If-Match, each change a dated version with
 * who made it and an event; a partnership that answers "within 4 weeks",
 * acknowledges with no deadline and reports per quarter gets exactly that,
 * while a report keeps the rule it was submitted under, forwarded too, and
 * statistics measure each report against its own due date. */
#include "harness.h"
#include "samhand_time.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define KOMMUNE "11111111-1111-4111-8111-111111111111"
#define SYKEHUS "22222222-2222-4222-8222-222222222222"
#define LEGEKONTOR "33333333-3333-4333-8333-333333333333"

static harness_stack_t s_stack;
static const char *s_db;
static const harness_key_t s_keys[] = {
    {"shk_kommune_sykepleier", KOMMUNE, "reporter"},
    {"shk_sykehus_avdeling", SYKEHUS, "reporter"},
};
/* the keys callers hold; NULL: the administrator's */
static const char *s_kommune = "shk_kommune_sykepleier";
static const char *s_sykehus = "shk_sykehus_avdeling";
static const char *const s_admin = NULL;

/* a report submitted under version 1, before the partnership's change */
static char s_old_report[40], s_old_ack_due[11], s_old_answer_due[11];

static harness_http_response_t *s_call(const char *who, const char *method, const char *path,
                                       const char *body, const char *if_match)
{
    char match[96];
    snprintf(match, sizeof match, "If-Match: %s", if_match ? if_match : "");
    return harness_stack_send_with(&s_stack, who, method, path, body, if_match ? match : NULL);
}

static void s_sql(const char *sql)
{
    PGconn *conn = PQconnectdb(s_db);
    PGresult *res = PQexec(conn, sql);
    if (PQresultStatus(res) != PGRES_COMMAND_OK && PQresultStatus(res) != PGRES_TUPLES_OK)
        fail_msg("%s: %s", sql, PQerrorMessage(conn));
    PQclear(res);
    PQfinish(conn);
}

/* Today in Oslo, `days` calendar days on, as YYYY-MM-DD. */
static void s_day(int days, char out[11])
{
    struct tm tm;
    time_oslo(time(NULL), &tm);
    tm.tm_mday += days;
    tm.tm_hour = 12;
    time_t t = timegm(&tm);
    gmtime_r(&t, &tm);
    strftime(out, 11, "%Y-%m-%d", &tm);
}

/* Today in Oslo, `days` working days on. */
static void s_working_day(int days, char out[11])
{
    struct tm tm;
    time_oslo(time(NULL), &tm);
    int y = tm.tm_year + 1900, m = tm.tm_mon + 1, d = tm.tm_mday;
    time_add_working_days(&y, &m, &d, days);
    snprintf(out, 11, "%04d-%02d-%02d", y, m, d);
}

static void s_submit(const char *who, const char *from, const char *to, char id[40])
{
    char body[1024];
    snprintf(body, sizeof body,
             "{\"reportingOrganizationId\":\"%s\",\"receivingOrganizationId\":\"%s\","
             "\"occurredTime\":\"2026-11-02T10:00:00+01:00\",\"type\":\"BREACH_OF_AGREEMENT\","
             "\"categoryCode\":\"SAM-EPIKRISE\",\"description\":\"Epikrise mangler.\","
             "\"harmDegree\":\"MINOR\",\"submit\":true}",
             from, to);
    harness_http_response_t *r = s_call(who, "POST", "/v1/deviations", body, NULL);
    harness_expect_status(r, 201);
    snprintf(id, 40, "%s", harness_json_text(r, "id"));
    harness_http_response_free(&r);
}

static json_t *s_get_report(const char *id)
{
    char path[128];
    snprintf(path, sizeof path, "/v1/deviations/%s", id);
    harness_http_response_t *r = s_call(s_kommune, "GET", path, NULL, NULL);
    harness_expect_status(r, 200);
    json_t *report = json_incref(r->json);
    harness_http_response_free(&r);
    return report;
}

static const char *s_due(json_t *report, const char *deadline)
{
    return json_string_value(json_object_get(json_object_get(report, deadline), "dueDate"));
}

/* The ETag of the newest version, from the list of versions. */
static void s_newest_etag(char out[32])
{
    harness_stack_settings_etag(&s_stack, s_kommune, out);
}

static int s_setup(void **state)
{
    s_db = harness_database_url();
    harness_api_keys_set(s_keys, sizeof s_keys / sizeof s_keys[0]);
    /* the environment: version 1's defaults, and only version 1's */
    setenv("SAMHAND_DEVIATION_ACKNOWLEDGE_DAYS", "5", 1);
    setenv("SAMHAND_DEVIATION_ANSWER_DAYS", "20", 1);
    harness_stack_start(&s_stack, s_db);
    return 0;
}

static int s_teardown(void **state)
{
    harness_stack_stop(&s_stack);
    return 0;
}

static void test_first_version_is_the_environment(void **state)
{
    harness_http_response_t *r = s_call(s_kommune, "GET", "/v1/settings", NULL, NULL);
    harness_expect_status(r, 200);
    assert_int_equal(json_integer_value(json_object_get(r->json, "version")), 1);
    json_t *ack = json_object_get(r->json, "acknowledgeDeadline");
    assert_int_equal(json_integer_value(json_object_get(ack, "length")), 5);
    assert_string_equal(json_string_value(json_object_get(ack, "unit")), "WORKING_DAYS");
    json_t *answer = json_object_get(r->json, "answerDeadline");
    assert_int_equal(json_integer_value(json_object_get(answer, "length")), 20);
    assert_string_equal(harness_json_text(r, "statisticsPeriod"), "TERTIAL");
    assert_int_equal(json_integer_value(json_object_get(r->json, "reminderDays")), 2);
    assert_true(json_is_true(json_object_get(r->json, "isInForce")));
    char etag[64];
    assert_true(harness_http_header(r, "etag", etag, sizeof etag)[0] == '"');
    harness_http_response_free(&r);

    /* submitted under version 1: 5 and 20 working days */
    s_submit(s_kommune, KOMMUNE, SYKEHUS, s_old_report);
    json_t *report = s_get_report(s_old_report);
    char ack_due[11], answer_due[11];
    s_working_day(5, ack_due);
    s_working_day(20, answer_due);
    assert_string_equal(s_due(report, "acknowledgeDeadline"), ack_due);
    assert_string_equal(s_due(report, "answerDeadline"), answer_due);
    assert_int_equal(json_integer_value(json_object_get(report, "settingsVersion")), 1);
    snprintf(s_old_ack_due, sizeof s_old_ack_due, "%s", ack_due);
    snprintf(s_old_answer_due, sizeof s_old_answer_due, "%s", answer_due);
    json_decref(report);
}

static const char *s_four_weeks = "{\"answerDeadline\":{\"length\":4,\"unit\":\"WEEKS\"},"
                                  "\"statisticsPeriod\":\"QUARTER\",\"reminderDays\":3,"
                                  "\"comment\":\"Ny samarbeidsavtale fra i dag\"}";

static void test_changes_are_refused_unless_right(void **state)
{
    /* only administrators change them */
    char etag[32];
    s_newest_etag(etag);
    harness_http_response_t *r = s_call(s_kommune, "PUT", "/v1/settings", s_four_weeks, etag);
    harness_assert_problem(r, 403, NULL);
    harness_http_response_free(&r);
    /* without If-Match: 428, with another version's: 412 */
    r = s_call(s_admin, "PUT", "/v1/settings", s_four_weeks, NULL);
    harness_assert_problem(r, 428, NULL);
    harness_http_response_free(&r);
    r = s_call(s_admin, "PUT", "/v1/settings", s_four_weeks, "\"1234567\"");
    harness_assert_problem(r, 412, NULL);
    harness_http_response_free(&r);
    /* bad input, the field named */
    char yesterday[11], body[512];
    s_day(-1, yesterday);
    snprintf(body, sizeof body,
             "{\"validFrom\":\"%s\",\"answerDeadline\":{\"length\":4,\"unit\":\"WEEKS\"},"
             "\"statisticsPeriod\":\"QUARTER\"}",
             yesterday);
    const struct {
        const char *body, *field;
    } bad[] = {
        {body, "validFrom"},
        {"{\"validFrom\":\"2026-13-01\",\"answerDeadline\":{\"length\":4,\"unit\":\"WEEKS\"},"
         "\"statisticsPeriod\":\"QUARTER\"}",
         "validFrom"},
        {"{\"answerDeadline\":{\"length\":-4,\"unit\":\"WEEKS\"},\"statisticsPeriod\":\"QUARTER\"}",
         "answerDeadline.length"},
        {"{\"answerDeadline\":{\"length\":4,\"unit\":\"FORTNIGHTS\"},"
         "\"statisticsPeriod\":\"QUARTER\"}",
         "answerDeadline.unit"},
        {"{\"answerDeadline\":{\"length\":4},\"statisticsPeriod\":\"QUARTER\"}",
         "answerDeadline.unit"},
        {"{\"acknowledgeDeadline\":{\"length\":0,\"unit\":\"WEEKS\"},\"answerDeadline\":"
         "{\"length\":4,\"unit\":\"WEEKS\"},\"statisticsPeriod\":\"QUARTER\"}",
         "acknowledgeDeadline.length"},
        {"{\"statisticsPeriod\":\"QUARTER\"}", "answerDeadline"},
        {"{\"answerDeadline\":{\"length\":4,\"unit\":\"WEEKS\"}}", "statisticsPeriod"},
        {"{\"answerDeadline\":{\"length\":4,\"unit\":\"WEEKS\"},\"statisticsPeriod\":\"QUARTER\","
         "\"reminderDays\":31}",
         "reminderDays"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        r = s_call(s_admin, "PUT", "/v1/settings", bad[i].body, etag);
        if (r->status != 400)
            fail_msg("%s: %ld %s", bad[i].body, r->status, r->body);
        harness_assert_problem(r, 400, bad[i].field);
        harness_http_response_free(&r);
    }
    /* in bokmål, for the page */
    char match[64];
    snprintf(match, sizeof match, "If-Match: %s", etag);
    const char *extras[] = {match, "Accept-Language: nb", NULL};
    r = harness_stack_send_headers(&s_stack, s_admin, "PUT", "/v1/settings", body, extras);
    harness_assert_problem(r, 400, "validFrom");
    if (!strstr(r->body, "i dag"))
        fail_msg("not in bokmål: %s", r->body);
    harness_http_response_free(&r);
    /* nothing of it was kept */
    r = s_call(s_kommune, "GET", "/v1/settings/versions", NULL, NULL);
    assert_int_equal(json_array_size(json_object_get(r->json, "items")), 1);
    harness_http_response_free(&r);
}

static void test_four_weeks_no_acknowledgement_quarters(void **state)
{
    char etag[32];
    s_newest_etag(etag);
    harness_http_response_t *r = s_call(s_admin, "PUT", "/v1/settings", s_four_weeks, etag);
    harness_expect_status(r, 200);
    assert_int_equal(json_integer_value(json_object_get(r->json, "version")), 2);
    char today[11];
    s_day(0, today);
    assert_string_equal(harness_json_text(r, "validFrom"), today);
    assert_false(json_is_object(json_object_get(r->json, "acknowledgeDeadline")));
    assert_string_equal(harness_json_text(r, "actor"), "admin");
    char new_etag[64];
    harness_http_header(r, "etag", new_etag, sizeof new_etag);
    assert_string_not_equal(new_etag, etag);
    harness_http_response_free(&r);
    /* the same If-Match again is a lost update now */
    r = s_call(s_admin, "PUT", "/v1/settings", s_four_weeks, etag);
    harness_assert_problem(r, 412, NULL);
    harness_http_response_free(&r);

    /* in force today, for every party; the versions are the audit trail */
    r = s_call(s_sykehus, "GET", "/v1/settings", NULL, NULL);
    harness_expect_status(r, 200);
    assert_int_equal(json_integer_value(json_object_get(r->json, "version")), 2);
    assert_string_equal(harness_json_text(r, "statisticsPeriod"), "QUARTER");
    harness_http_response_free(&r);
    r = s_call(s_sykehus, "GET", "/v1/settings/versions", NULL, NULL);
    json_t *items = json_object_get(r->json, "items");
    assert_int_equal(json_array_size(items), 2);
    json_t *first = json_array_get(items, 0), *second = json_array_get(items, 1);
    assert_false(json_is_true(json_object_get(first, "isInForce")));
    assert_true(json_is_true(json_object_get(second, "isInForce")));
    assert_string_equal(json_string_value(json_object_get(second, "comment")),
                        "Ny samarbeidsavtale fra i dag");
    assert_string_equal(json_string_value(json_object_get(second, "actor")), "admin");
    harness_http_response_free(&r);

    /* a report under version 2: answered within 28 calendar days, no
     * acknowledgement deadline */
    char id[40], answer_due[11];
    s_submit(s_kommune, KOMMUNE, SYKEHUS, id);
    json_t *report = s_get_report(id);
    s_day(28, answer_due);
    assert_string_equal(s_due(report, "answerDeadline"), answer_due);
    assert_string_equal(s_due(report, "acknowledgeDeadline"), "");
    assert_int_equal(json_integer_value(json_object_get(report, "settingsVersion")), 2);
    json_decref(report);

    /* the report of version 1 keeps its deadlines */
    report = s_get_report(s_old_report);
    assert_string_equal(s_due(report, "acknowledgeDeadline"), s_old_ack_due);
    assert_string_equal(s_due(report, "answerDeadline"), s_old_answer_due);
    assert_int_equal(json_integer_value(json_object_get(report, "settingsVersion")), 1);
    json_decref(report);

    /* forwarded, each starts again by its own rule */
    char path[160];
    snprintf(path, sizeof path, "/v1/deviations/%s/forward", s_old_report);
    r = s_call(s_sykehus, "POST", path, "{\"forwardToOrganizationId\":\"" LEGEKONTOR "\"}", NULL);
    harness_expect_status(r, 200);
    harness_http_response_free(&r);
    snprintf(path, sizeof path, "/v1/deviations/%s/forward", id);
    r = s_call(s_sykehus, "POST", path, "{\"forwardToOrganizationId\":\"" LEGEKONTOR "\"}", NULL);
    harness_expect_status(r, 200);
    harness_http_response_free(&r);
    report = s_get_report(s_old_report);
    char ack_due[11], old_answer_due[11];
    s_working_day(5, ack_due);
    s_working_day(20, old_answer_due);
    assert_string_equal(s_due(report, "acknowledgeDeadline"), ack_due);
    assert_string_equal(s_due(report, "answerDeadline"), old_answer_due);
    json_decref(report);
    report = s_get_report(id);
    assert_string_equal(s_due(report, "answerDeadline"), answer_due);
    assert_string_equal(s_due(report, "acknowledgeDeadline"), "");
    json_decref(report);

    /* the change is an event every party reads, with who made it */
    for (int i = 0; i < 100; i++) {
        r = s_call(s_kommune, "GET", "/v1/events?types=no.samhand.deviation.settings_changed", NULL,
                   NULL);
        if (json_array_size(json_object_get(r->json, "items")) > 0)
            break;
        harness_http_response_free(&r);
        usleep(100 * 1000);
    }
    assert_non_null(r);
    json_t *event = json_array_get(json_object_get(r->json, "items"), 0);
    assert_non_null(event);
    assert_string_equal(json_string_value(json_object_get(event, "actor")), "admin");
    assert_int_equal(json_integer_value(json_object_get(json_object_get(event, "data"), "version")),
                     2);
    harness_http_response_free(&r);
}

/* Five reports under one rule, answered 15 days after submission: as if
 * submitted on 3 February 2025, each due date moved with it. */
static void s_answered_in_february(char ids[5][40])
{
    for (int i = 0; i < 5; i++) {
        char path[160], sql[512];
        s_submit(s_kommune, KOMMUNE, SYKEHUS, ids[i]);
        snprintf(path, sizeof path, "/v1/deviations/%s/acknowledge", ids[i]);
        harness_http_response_t *r = s_call(s_sykehus, "POST", path, "{}", NULL);
        harness_expect_status(r, 200);
        harness_http_response_free(&r);
        snprintf(path, sizeof path, "/v1/deviations/%s/respond", ids[i]);
        r = s_call(s_sykehus, "POST", path, "{\"answer\":\"Rutinen er endret.\"}", NULL);
        harness_expect_status(r, 200);
        harness_http_response_free(&r);
        snprintf(sql, sizeof sql,
                 "UPDATE deviation.reports SET answer_due = '2025-02-03'::date + (answer_due - "
                 "(submitted_at AT TIME ZONE 'Europe/Oslo')::date), submitted_at = "
                 "'2025-02-03 12:00+01', acknowledged_at = '2025-02-04 12:00+01', answered_at = "
                 "'2025-02-18 12:00+01' WHERE id = '%s'",
                 ids[i]);
        s_sql(sql);
    }
}

static void test_statistics_by_the_partnerships_period_and_each_reports_rule(void **state)
{
    /* five under 4 weeks (version 2), five under 10 calendar days (3) */
    char under_four_weeks[5][40], under_ten_days[5][40], etag[32];
    s_answered_in_february(under_four_weeks);
    s_newest_etag(etag);
    harness_http_response_t *r =
        s_call(s_admin, "PUT", "/v1/settings",
               "{\"answerDeadline\":{\"length\":10,\"unit\":\"CALENDAR_DAYS\"},"
               "\"statisticsPeriod\":\"QUARTER\",\"reminderDays\":3}",
               etag);
    harness_expect_status(r, 200);
    assert_int_equal(json_integer_value(json_object_get(r->json, "version")), 3);
    harness_http_response_free(&r);
    s_answered_in_february(under_ten_days);

    /* by default the partnership's period: the last quarter ended */
    r = s_call(s_kommune, "GET", "/v1/deviations/stats", NULL, NULL);
    harness_expect_status(r, 200);
    struct tm tm;
    time_oslo(time(NULL), &tm);
    int quarter = tm.tm_mon / 3, year = tm.tm_year + 1900;
    if (quarter == 0) {
        quarter = 4;
        year--;
    }
    char expected[32];
    snprintf(expected, sizeof expected, "%d-Q%d", year, quarter);
    assert_string_equal(harness_json_text(r, "period"), expected);
    assert_string_equal(harness_json_text(r, "periodKind"), "QUARTER");
    harness_http_response_free(&r);

    /* 2025-Q1: 15 days is in time by 4 weeks, late by 10 days: half */
    r = s_call(s_kommune, "GET", "/v1/deviations/stats?period=2025-Q1", NULL, NULL);
    harness_expect_status(r, 200);
    json_t *now = json_object_get(r->json, "current");
    assert_int_equal(json_integer_value(json_object_get(now, "total")), 10);
    assert_string_equal(json_string_value(json_object_get(now, "from")), "2025-01-01");
    assert_string_equal(json_string_value(json_object_get(now, "to")), "2025-03-31");
    assert_true(json_real_value(json_object_get(now, "shareAnsweredInTime")) == 0.5);
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(r->json, "previous"), "from")),
        "2024-10-01");
    harness_http_response_free(&r);

    /* any other kind on request, for those who see every report: periods
     * of two kinds overlap, so their figures could be subtracted */
    r = s_call(s_kommune, "GET", "/v1/deviations/stats?period=2025-T1", NULL, NULL);
    harness_assert_problem(r, 403, "period");
    harness_http_response_free(&r);
    const struct {
        const char *query, *kind, *from, *to;
    } kinds[] = {
        {"period=2025-T1", "TERTIAL", "2025-01-01", "2025-04-30"},
        {"period=2025-H1", "HALF_YEAR", "2025-01-01", "2025-06-30"},
        {"period=2025-02", "MONTH", "2025-02-01", "2025-02-28"},
        {"from=2025-01-01&to=2025-03-31", "QUARTER", "2025-01-01", "2025-03-31"},
    };
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        char path[128];
        snprintf(path, sizeof path, "/v1/deviations/stats?%s", kinds[i].query);
        r = s_call(s_admin, "GET", path, NULL, NULL);
        harness_expect_status(r, 200);
        assert_string_equal(harness_json_text(r, "periodKind"), kinds[i].kind);
        now = json_object_get(r->json, "current");
        assert_string_equal(json_string_value(json_object_get(now, "from")), kinds[i].from);
        assert_string_equal(json_string_value(json_object_get(now, "to")), kinds[i].to);
        assert_int_equal(json_integer_value(json_object_get(now, "total")), 10);
        assert_true(json_real_value(json_object_get(now, "shareAnsweredInTime")) == 0.5);
        harness_http_response_free(&r);
    }
    r = s_call(s_kommune, "GET", "/v1/deviations/stats?period=2025-Q1&format=html", NULL, NULL);
    harness_expect_status(r, 200);
    assert_non_null(strstr(r->body, "Samhandlingsavvik – 1. kvartal 2025"));
    harness_http_response_free(&r);
    r = s_call(s_kommune, "GET", "/v1/deviations/stats?period=2025-Q5", NULL, NULL);
    harness_assert_problem(r, 400, "period");
    harness_http_response_free(&r);
}

static void test_a_version_from_a_later_day(void **state)
{
    char tomorrow[11], body[512], etag[32];
    s_day(1, tomorrow);
    s_newest_etag(etag);
    snprintf(body, sizeof body,
             "{\"validFrom\":\"%s\",\"acknowledgeDeadline\":{\"length\":2,\"unit\":"
             "\"WORKING_DAYS\"},\"answerDeadline\":{\"length\":6,\"unit\":\"WEEKS\"},"
             "\"statisticsPeriod\":\"MONTH\",\"reminderDays\":5}",
             tomorrow);
    harness_http_response_t *r = s_call(s_admin, "PUT", "/v1/settings", body, etag);
    harness_expect_status(r, 200);
    assert_int_equal(json_integer_value(json_object_get(r->json, "version")), 4);
    assert_false(json_is_true(json_object_get(r->json, "isInForce")));
    harness_http_response_free(&r);
    /* today is still version 3's */
    r = s_call(s_kommune, "GET", "/v1/settings", NULL, NULL);
    assert_int_equal(json_integer_value(json_object_get(r->json, "version")), 3);
    harness_http_response_free(&r);
    char id[40], due[11];
    s_submit(s_kommune, KOMMUNE, SYKEHUS, id);
    json_t *report = s_get_report(id);
    s_day(10, due);
    assert_string_equal(s_due(report, "answerDeadline"), due);
    assert_int_equal(json_integer_value(json_object_get(report, "settingsVersion")), 3);
    json_decref(report);
    /* and no version may come in before one planned */
    s_newest_etag(etag);
    r = s_call(s_admin, "PUT", "/v1/settings", s_four_weeks, etag);
    harness_assert_problem(r, 400, "validFrom");
    harness_http_response_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_first_version_is_the_environment),
        cmocka_unit_test(test_changes_are_refused_unless_right),
        cmocka_unit_test(test_four_weeks_no_acknowledgement_quarters),
        cmocka_unit_test(test_statistics_by_the_partnerships_period_and_each_reports_rule),
        cmocka_unit_test(test_a_version_from_a_later_day),
    };
    return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
