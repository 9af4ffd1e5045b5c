/* Actions from decisions, as in the action table of ASU case 3/23 (seed
 * 003): numbered per committee, responsible parties, due dates, dated
 * progress, open and overdue lists, and the follow-up item on an agenda. */
#include "harness.h"

#include <stdio.h>
#include <string.h>

static harness_stack_t s_stack;
static char s_asu[40], s_county[40], s_hospital[40];

static size_t s_count(const char *path)
{
    harness_http_response_t *r = harness_stack_get(&s_stack, path);
    harness_expect_status(r, 200);
    size_t n = json_array_size(json_object_get(r->json, "items"));
    harness_http_response_free(&r);
    return n;
}

static int s_setup(void **state)
{
    harness_stack_start(&s_stack, harness_database_url());
    harness_stack_create(&s_stack, "/v1/committees",
                         "{\"name\":\"Administrativt samarbeidsutvalg\",\"shortName\":\"ASU\","
                         "\"kind\":\"ADMINISTRATIVE\"}",
                         s_asu);
    harness_stack_create(
        &s_stack, "/v1/organizations",
        "{\"name\":\"Statsforvalteren i Trøndelag\",\"organizationNumber\":\"974764350\","
        "\"kind\":\"COUNTY_GOVERNOR\"}",
        s_county);
    harness_stack_create(&s_stack, "/v1/organizations",
                         "{\"name\":\"St. Olavs hospital HF\",\"organizationNumber\":\"883974832\","
                         "\"kind\":\"HOSPITAL_TRUST\"}",
                         s_hospital);
    return 0;
}

static int s_teardown(void **state)
{
    harness_stack_stop(&s_stack);
    return 0;
}

static char s_ros[40], s_plan[40];

static void test_actions_numbered_and_followed(void **state)
{
    char body[1024];
    snprintf(body, sizeof body,
             "{\"committeeId\":\"%s\",\"description\":\"En helhetlig gjennomgang av risiko- og "
             "sårbarhetsanalyser på alle nivå som omhandler pandemi i regionen bør "
             "gjennomføres.\",\"responsible\":\"Fagråd helseb. og akuttmed. kjede\","
             "\"responsibleOrganizationIds\":[\"%s\"],\"dueDate\":\"2023-06-30\"}",
             s_asu, s_county);
    harness_http_response_t *r = harness_stack_send(&s_stack, "POST", "/v1/actions", body);
    harness_expect_status(r, 201);
    snprintf(s_ros, sizeof s_ros, "%s", harness_json_text(r, "id"));
    assert_int_equal(json_integer_value(json_object_get(r->json, "number")), 1);
    assert_string_equal(harness_json_text(r, "status"), "OPEN");
    assert_true(json_is_true(json_object_get(r->json, "isOverdue")));
    harness_http_response_free(&r);

    snprintf(body, sizeof body,
             "{\"committeeId\":\"%s\",\"description\":\"Plan for oppfølging av anbefalte "
             "tiltak\",\"responsible\":\"AU\",\"responsibleOrganizationIds\":[\"%s\"],"
             "\"dueDate\":\"2031-06-30\"}",
             s_asu, s_hospital);
    r = harness_stack_send(&s_stack, "POST", "/v1/actions", body);
    harness_expect_status(r, 201);
    snprintf(s_plan, sizeof s_plan, "%s", harness_json_text(r, "id"));
    assert_int_equal(json_integer_value(json_object_get(r->json, "number")), 2);
    assert_false(json_is_true(json_object_get(r->json, "isOverdue")));
    harness_http_response_free(&r);

    char path[200];
    snprintf(path, sizeof path, "/v1/actions?committeeId=%s&open=true", s_asu);
    assert_int_equal(s_count(path), 2);
    snprintf(path, sizeof path, "/v1/actions?committeeId=%s&overdue=true", s_asu);
    assert_int_equal(s_count(path), 1);
    snprintf(path, sizeof path, "/v1/actions?organizationId=%s", s_hospital);
    assert_int_equal(s_count(path), 1);

    /* progress is dated and signed */
    snprintf(path, sizeof path, "/v1/actions/%s", s_ros);
    r = harness_stack_send(&s_stack, "PATCH", path,
                           "{\"status\":\"IN_PROGRESS\",\"note\":\"Statsforvalteren har påbegynt "
                           "revisjon av ROS-Trøndelag.\"}");
    harness_expect_status(r, 200);
    json_t *notes = json_object_get(r->json, "notes");
    assert_int_equal(json_array_size(notes), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(notes, 0), "text")),
                        "Status: Åpen → Pågår");
    assert_string_equal(json_string_value(json_object_get(json_array_get(notes, 1), "author")),
                        "admin");
    assert_true(strlen(json_string_value(json_object_get(json_array_get(notes, 1), "time"))) >= 20);
    harness_http_response_free(&r);

    r = harness_stack_send(&s_stack, "PATCH", path, "{\"status\":\"DONE\"}");
    harness_expect_status(r, 200);
    assert_false(json_is_true(json_object_get(r->json, "isOverdue")));
    assert_int_equal(json_array_size(json_object_get(r->json, "notes")), 3);
    harness_http_response_free(&r);
    snprintf(path, sizeof path, "/v1/actions?committeeId=%s&overdue=true", s_asu);
    assert_int_equal(s_count(path), 0);
    snprintf(path, sizeof path, "/v1/actions?committeeId=%s&status=DONE", s_asu);
    assert_int_equal(s_count(path), 1);
}

static void test_refusals(void **state)
{
    char body[512];
    snprintf(body, sizeof body,
             "{\"committeeId\":\"%s\",\"description\":\"X\",\"dueDate\":\"30.06.2023\"}", s_asu);
    harness_http_response_t *r = harness_stack_send(&s_stack, "POST", "/v1/actions", body);
    harness_assert_problem(r, 400, "dueDate");
    harness_http_response_free(&r);
    snprintf(body, sizeof body,
             "{\"committeeId\":\"%s\",\"description\":\"X\",\"responsibleOrganizationIds\":"
             "[\"00000000-0000-0000-0000-000000000000\"]}",
             s_asu);
    r = harness_stack_send(&s_stack, "POST", "/v1/actions", body);
    harness_assert_problem(r, 400, "responsibleOrganizationIds");
    harness_http_response_free(&r);
    snprintf(body, sizeof body, "{\"committeeId\":\"%s\"}", s_asu);
    r = harness_stack_send(&s_stack, "POST", "/v1/actions", body);
    harness_assert_problem(r, 400, "description");
    harness_http_response_free(&r);
    r = harness_stack_send(
        &s_stack, "POST", "/v1/actions",
        "{\"committeeId\":\"00000000-0000-0000-0000-000000000000\",\"description\":\"X\"}");
    harness_assert_problem(r, 400, "committeeId");
    harness_http_response_free(&r);
    char path[128];
    snprintf(path, sizeof path, "/v1/actions/%s", s_plan);
    r = harness_stack_send(&s_stack, "PATCH", path, "{\"number\":7}");
    harness_assert_problem(r, 400, "number");
    harness_http_response_free(&r);
    char url[200];
    snprintf(url, sizeof url, "%s/v1/actions", s_stack.base_url);
    r = harness_http_request("GET", url, NULL, NULL);
    harness_assert_problem(r, 401, NULL);
    harness_http_response_free(&r);
}

static void test_follow_up_on_the_agenda(void **state)
{
    char meeting[40], body[512], path[160];
    snprintf(body, sizeof body,
             "{\"committeeId\":\"%s\",\"startTime\":\"2031-02-05T13:00:00+01:00\","
             "\"endTime\":\"2031-02-05T16:00:00+01:00\",\"place\":\"Teams\"}",
             s_asu);
    harness_stack_create(&s_stack, "/v1/meetings", body, meeting);
    snprintf(path, sizeof path, "/v1/meetings/%s/follow-up", meeting);
    harness_http_response_t *r = harness_stack_send(&s_stack, "POST", path, "{\"durationMin\":15}");
    harness_expect_status(r, 200);
    json_t *item = json_array_get(json_object_get(r->json, "items"), 0);
    assert_string_equal(json_string_value(json_object_get(item, "title")), "Oppfølging av tiltak");
    assert_int_equal(json_integer_value(json_object_get(item, "durationMin")), 15);
    const char *text = json_string_value(json_object_get(item, "description"));
    assert_non_null(strstr(text, "Nr. 2: Plan for oppfølging av anbefalte tiltak – Ansvar: AU – "
                                 "Status: Åpen – Frist: 30.06.2031"));
    assert_null(strstr(text, "Nr. 1:")); /* done: no longer followed up */
    harness_http_response_free(&r);
}

/* A new due date or owner needs a note saying why, and both stay in the
 * action's history, signed by the name of the person who changed it. */
static void test_a_moved_due_date_is_kept_with_why(void **state)
{
    char id[40], body[512], path[128], person[40];
    snprintf(body, sizeof body,
             "{\"committeeId\":\"%s\",\"description\":\"Revidere rutinen\","
             "\"responsible\":\"Fagrådet\",\"dueDate\":\"2031-06-01\"}",
             s_asu);
    harness_stack_create(&s_stack, "/v1/actions", body, id);
    snprintf(path, sizeof path, "/v1/actions/%s", id);
    harness_http_response_t *r =
        harness_stack_send(&s_stack, "PATCH", path, "{\"dueDate\":\"2031-09-01\"}");
    harness_assert_problem(r, 400, "note");
    harness_http_response_free(&r);
    r = harness_stack_send(&s_stack, "PATCH", path, "{\"responsible\":\"Sekretariatet\"}");
    harness_assert_problem(r, 400, "note");
    harness_http_response_free(&r);

    /* the secretary who signs in as a person of the directory */
    r = harness_stack_send(&s_stack, "POST", "/v1/api-keys",
                           "{\"name\":\"Sekretær\",\"roles\":[\"administrator\"]}");
    harness_expect_status(r, 201);
    char key[80], subject[32];
    snprintf(key, sizeof key, "%s", harness_json_text(r, "key"));
    snprintf(subject, sizeof subject, "%s", harness_json_text(r, "subject"));
    harness_http_response_free(&r);
    snprintf(body, sizeof body,
             "{\"name\":\"Siri Sekretær\",\"organizationId\":\"%s\",\"principalSubject\":"
             "\"%s\"}",
             s_hospital, subject);
    harness_stack_create(&s_stack, "/v1/persons", body, person);
    char url[256], auth[128];
    snprintf(url, sizeof url, "%s%s", s_stack.base_url, path);
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", key);
    const char *headers[] = {auth, NULL};
    r = harness_http_request("PATCH", url,
                             "{\"dueDate\":\"2031-09-01\",\"responsible\":\"Sekretariatet\","
                             "\"note\":\"Venter på ny forskrift.\"}",
                             headers);
    harness_expect_status(r, 200);
    json_t *notes = json_object_get(r->json, "notes");
    assert_int_equal(json_array_size(notes), 3);
    const char *want[] = {"Frist: 01.06.2031 → 01.09.2031", "Ansvar: Fagrådet → Sekretariatet",
                          "Venter på ny forskrift."};
    for (size_t i = 0; i < 3; i++) {
        json_t *note = json_array_get(notes, i);
        assert_string_equal(json_string_value(json_object_get(note, "text")), want[i]);
        assert_string_equal(json_string_value(json_object_get(note, "author")), "Siri Sekretær");
    }
    assert_string_equal(harness_json_text(r, "dueDate"), "2031-09-01");
    harness_http_response_free(&r);
    /* the same date again is no change, and needs no note */
    r = harness_stack_send(&s_stack, "PATCH", path, "{\"dueDate\":\"2031-09-01\"}");
    harness_expect_status(r, 200);
    harness_http_response_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_actions_numbered_and_followed),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_follow_up_on_the_agenda),
        cmocka_unit_test(test_a_moved_due_date_is_kept_with_why),
    };
    return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
