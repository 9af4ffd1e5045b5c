/* An emergency committee (the seed's Beredskaps-ASU) opens a crisis series,
 * calls a meeting whose notice goes out at once, logs situation reports and
 * decisions, and closes the series when the emergency ends. */
#include "harness.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static harness_stack_t s_stack;
static const char *s_db;
static char s_beredskap[40], s_asu[40];

static long s_outbox(const char *type)
{
    PGconn *conn = PQconnectdb(s_db);
    const char *params[] = {type};
    PGresult *res = PQexecParams(conn, "SELECT count(*) FROM agenda.outbox WHERE type = $1", 1,
                                 NULL, params, NULL, NULL, 0);
    long n = atol(PQgetvalue(res, 0, 0));
    PQclear(res);
    PQfinish(conn);
    return n;
}

static int s_setup(void **state)
{
    s_db = harness_database_url();
    harness_stack_start(&s_stack, s_db);
    harness_stack_create(
        &s_stack, "/v1/committees",
        "{\"name\":\"Beredskaps-ASU\",\"kind\":\"EMERGENCY\",\"noticePeriodDays\":10}",
        s_beredskap);
    harness_stack_create(&s_stack, "/v1/committees",
                         "{\"name\":\"ASU\",\"kind\":\"ADMINISTRATIVE\"}", s_asu);
    return 0;
}

static int s_teardown(void **state)
{
    harness_stack_stop(&s_stack);
    return 0;
}

static void test_crisis_series(void **state)
{
    char path[200], id[40], meeting[40], body[512];
    snprintf(path, sizeof path, "/v1/committees/%s/emergencies", s_asu);
    harness_http_response_t *r =
        harness_stack_send(&s_stack, "POST", path, "{\"title\":\"Pandemi\"}");
    harness_assert_problem(r, 400, "committeeId");
    harness_http_response_free(&r);

    snprintf(path, sizeof path, "/v1/committees/%s/emergencies", s_beredskap);
    harness_stack_create(
        &s_stack, path, "{\"title\":\"Koronapandemien\",\"description\":\"Samordning av tiltak.\"}",
        id);
    r = harness_stack_send(&s_stack, "POST", path, "{\"title\":\"En til\"}");
    harness_assert_problem(r, 409, "committeeId");
    harness_http_response_free(&r);
    assert_int_equal(s_outbox("no.samhand.emergency.opened"), 1);

    /* a meeting the next morning: noticed at once, whatever the notice period */
    snprintf(path, sizeof path, "/v1/emergencies/%s/meetings", id);
    r = harness_stack_send(
        &s_stack, "POST", path,
        "{\"startTime\":\"2031-03-12T08:00:00+01:00\",\"endTime\":\"2031-03-12T08:45:00+01:00\"}");
    harness_assert_problem(r, 400, "place");
    harness_http_response_free(&r);
    r = harness_stack_send(
        &s_stack, "POST", path,
        "{\"startTime\":\"2031-03-12T08:00:00+01:00\",\"endTime\":\"2031-03-12T08:45:00+01:00\","
        "\"onlineUrl\":\"https://teams.example/beredskap\"}");
    harness_expect_status(r, 201);
    assert_string_equal(r->location, ""); /* it lives under /v1/meetings */
    assert_string_equal(harness_json_text(r, "state"), "NOTICE_PUBLISHED");
    assert_string_equal(harness_json_text(r, "kind"), "EMERGENCY");
    assert_string_equal(harness_json_text(r, "title"), "Koronapandemien");
    json_t *item = json_array_get(json_object_get(r->json, "items"), 0);
    assert_string_equal(json_string_value(json_object_get(item, "caseNumber")), "1/31");
    assert_int_equal(json_integer_value(json_object_get(item, "durationMin")), 45);
    snprintf(meeting, sizeof meeting, "%s", harness_json_text(r, "id"));
    harness_http_response_free(&r);
    assert_int_equal(s_outbox("no.samhand.meeting.notice_published"), 1);

    snprintf(path, sizeof path, "/v1/emergencies/%s/log", id);
    snprintf(body, sizeof body,
             "{\"kind\":\"SITUATION_REPORT\",\"text\":\"12 innlagte, 3 på intensiv.\","
             "\"meetingId\":\"%s\"}",
             meeting);
    r = harness_stack_send(&s_stack, "POST", path, body);
    harness_expect_status(r, 200);
    harness_http_response_free(&r);
    snprintf(body, sizeof body,
             "{\"kind\":\"DECISION\",\"text\":\"Besøksstans ved sykehjemmene fra i dag.\","
             "\"meetingId\":\"%s\"}",
             meeting);
    r = harness_stack_send(&s_stack, "POST", path, body);
    harness_expect_status(r, 200);
    json_t *log = json_object_get(r->json, "log");
    assert_int_equal(json_array_size(log), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(log, 1), "kind")),
                        "DECISION");
    assert_string_equal(json_string_value(json_object_get(json_array_get(log, 1), "author")),
                        "admin");
    assert_int_equal(json_array_size(json_object_get(r->json, "meetingIds")), 1);
    harness_http_response_free(&r);
    r = harness_stack_send(
        &s_stack, "POST", path,
        "{\"kind\":\"DECISION\",\"text\":\"X\",\"meetingId\":\"00000000-0000-0000-0000-"
        "000000000000\"}");
    harness_assert_problem(r, 400, "meetingId");
    harness_http_response_free(&r);
    r = harness_stack_send(&s_stack, "POST", path, "{\"text\":\"X\"}");
    harness_assert_problem(r, 400, "kind");
    harness_http_response_free(&r);

    snprintf(path, sizeof path, "/v1/emergencies/%s/close", id);
    r = harness_stack_send(&s_stack, "POST", path,
                           "{\"closingNote\":\"Normal drift fra 1. april.\"}");
    harness_expect_status(r, 200);
    assert_false(json_is_true(json_object_get(r->json, "isOpen")));
    assert_true(strlen(harness_json_text(r, "closeTime")) >= 20);
    harness_http_response_free(&r);
    snprintf(path, sizeof path, "/v1/emergencies/%s/meetings", id);
    r = harness_stack_send(
        &s_stack, "POST", path,
        "{\"startTime\":\"2031-04-12T08:00:00+02:00\",\"endTime\":\"2031-04-12T08:45:00+02:00\","
        "\"place\":\"Rådhuset\"}");
    harness_assert_problem(r, 409, "id");
    harness_http_response_free(&r);

    /* a new emergency may open once the last one is closed */
    snprintf(path, sizeof path, "/v1/committees/%s/emergencies", s_beredskap);
    char flood[40];
    harness_stack_create(&s_stack, path, "{\"title\":\"Flom\"}", flood);

    /* the committee's series, open and closed, oldest first, each with its
     * meetings and log; a page at a time */
    r = harness_stack_get(&s_stack, path);
    harness_expect_status(r, 200);
    json_t *items = json_object_get(r->json, "items");
    assert_int_equal(json_array_size(items), 2);
    json_t *closed = json_array_get(items, 0), *open = json_array_get(items, 1);
    assert_string_equal(json_string_value(json_object_get(closed, "id")), id);
    assert_false(json_is_true(json_object_get(closed, "isOpen")));
    assert_int_equal(json_array_size(json_object_get(closed, "meetingIds")), 1);
    assert_true(json_array_size(json_object_get(closed, "log")) >= 1);
    assert_string_equal(json_string_value(json_object_get(open, "id")), flood);
    assert_true(json_is_true(json_object_get(open, "isOpen")));
    harness_http_response_free(&r);
    char page[256];
    snprintf(page, sizeof page, "%s?limit=1", path);
    r = harness_stack_get(&s_stack, page);
    harness_expect_status(r, 200);
    assert_int_equal(json_array_size(json_object_get(r->json, "items")), 1);
    char next[400];
    snprintf(next, sizeof next, "%s?limit=1&cursor=%s", path, harness_json_text(r, "nextCursor"));
    harness_http_response_free(&r);
    r = harness_stack_get(&s_stack, next);
    harness_expect_status(r, 200);
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(json_object_get(r->json, "items"), 0), "id")),
                        flood);
    assert_string_equal(harness_json_text(r, "nextCursor"), "");
    harness_http_response_free(&r);
    /* a committee that is none */
    r = harness_stack_get(&s_stack,
                          "/v1/committees/44444444-4444-4444-8444-444444444444/emergencies");
    harness_assert_problem(r, 404, "committeeId");
    harness_http_response_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_crisis_series)};
    return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
