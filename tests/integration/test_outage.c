/* A service that is gone gives 503, one that hangs gives 504, and the
 * gateway recovers by itself when the service is back; a change whose
 * service died at its commit is not done twice when it is asked again. */
#include "harness.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static harness_stack_t s_stack;
static const char *s_db;

static int s_setup(void **state)
{
    setenv("SAMHAND_REQUEST_TIMEOUT_MS", "500", 1); /* inherited by the gateway */
    s_db = harness_database_url();
    harness_stack_start(&s_stack, s_db);
    return 0;
}

static int s_teardown(void **state)
{
    harness_stack_stop(&s_stack);
    return 0;
}

static long s_status(void)
{
    harness_http_response_t *r = harness_stack_get(&s_stack, "/v1/committees");
    long status = r->status;
    if (status >= 500)
        assert_string_equal(r->content_type, "application/problem+json");
    harness_http_response_free(&r);
    return status;
}

static long s_wait_for(long wanted)
{
    long status = 0;
    for (int i = 0; i < 100 && status != wanted; i++) {
        status = s_status();
        if (status != wanted)
            usleep(100 * 1000);
    }
    return status;
}

static void test_stopped_service_gives_503_then_recovers(void **state)
{
    assert_int_equal(s_status(), 200);
    assert_int_equal(harness_stop(s_stack.agenda), 0);
    assert_int_equal(s_wait_for(503), 503);
    harness_http_response_t *r = harness_stack_get(&s_stack, "/readyz");
    assert_int_equal(r->status, 503);
    assert_string_equal(harness_json_text(r, "status"), "unready");
    harness_http_response_free(&r);

    char env_db[300], env_ep[100];
    snprintf(env_db, sizeof env_db, "SAMHAND_DATABASE_URL=%s", harness_service_url("agenda"));
    snprintf(env_ep, sizeof env_ep, "SAMHAND_AGENDA_ENDPOINT=%s", s_stack.agenda_endpoint);
    const char *env[] = {env_db, env_ep, NULL};
    s_stack.agenda = harness_spawn("samhand-agenda", env);
    assert_int_equal(s_wait_for(200), 200);
}

static void test_hanging_service_gives_504_then_recovers(void **state)
{
    /* settled first: the agenda started by the test before answers
     * steadily, and nothing of it is in flight */
    assert_int_equal(s_wait_for(200), 200);
    usleep(300 * 1000);
    kill(s_stack.agenda, SIGSTOP);
    usleep(100 * 1000);
    assert_int_equal(s_status(), 504);
    kill(s_stack.agenda, SIGCONT);
    assert_int_equal(s_wait_for(200), 200);
}

/* A change committed just before its service died: the client never got
 * the answer, repeats the request with its Idempotency-Key once the
 * service is back, and gets the answer the change had, not a second
 * change. */
static void test_repeat_after_a_crash_at_the_commit(void **state)
{
    assert_int_equal(s_wait_for(200), 200);
    setenv("SAMHAND_TEST_EXIT_AFTER_COMMIT", "agenda.CreateCommittee", 1);
    harness_stack_crash(&s_stack, "agenda"); /* started again, to die at that commit */
    unsetenv("SAMHAND_TEST_EXIT_AFTER_COMMIT");
    assert_int_equal(s_wait_for(200), 200);

    char url[256];
    snprintf(url, sizeof url, "%s/v1/committees", s_stack.base_url);
    const char *headers[] = {s_stack.auth_header, "Idempotency-Key: krasjutvalget-1", NULL};
    const char *body = "{\"name\":\"Krasjutvalget\",\"kind\":\"OTHER\"}";
    harness_http_response_t *r = harness_http_request("POST", url, body, headers);
    assert_true(r->status == 503 || r->status == 504); /* no answer: it died */
    harness_http_response_free(&r);

    harness_stack_crash(&s_stack, "agenda"); /* reaped, started again as it should be */
    assert_int_equal(s_wait_for(200), 200);
    r = harness_http_request("POST", url, body, headers);
    assert_int_equal(r->status, 201);
    assert_string_equal(harness_json_text(r, "name"), "Krasjutvalget");
    harness_http_response_free(&r);

    /* made once */
    r = harness_stack_get(&s_stack, "/v1/committees?limit=500");
    assert_int_equal(r->status, 200);
    size_t i, made = 0;
    json_t *item;
    json_array_foreach(json_object_get(r->json, "items"), i, item)
    {
        made += strcmp(json_string_value(json_object_get(item, "name")), "Krasjutvalget") == 0;
    }
    assert_int_equal(made, 1);
    harness_http_response_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stopped_service_gives_503_then_recovers),
        cmocka_unit_test(test_hanging_service_gives_504_then_recovers),
        cmocka_unit_test(test_repeat_after_a_crash_at_the_commit),
    };
    return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
