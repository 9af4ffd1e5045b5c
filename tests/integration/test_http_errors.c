/* Bad requests get a clear 4xx problem+json naming what is wrong, never a
 * 5xx, a crash or a hang; the gateway keeps serving afterwards. */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static harness_stack_t s_stack;

static int s_setup(void **state)
{
    harness_stack_start(&s_stack, harness_database_url());
    return 0;
}

static int s_teardown(void **state)
{
    /* still alive after all of it */
    harness_http_response_t *r = harness_stack_get(&s_stack, "/healthz");
    assert_int_equal(r->status, 200);
    harness_http_response_free(&r);
    harness_stack_stop(&s_stack);
    return 0;
}

static void test_bodies(void **state)
{
    static const struct {
        const char *body;
        long status;
        const char *field;
    } cases[] = {
        {"{\"name\":", 400, NULL}, /* malformed JSON */
        {"[1,2]", 400, NULL},      /* not an object */
        {"\"text\"", 400, NULL},
        {"{\"name\":42,\"kind\":\"OTHER\"}", 400, "name"},               /* wrong type */
        {"{\"name\":\"X\",\"kind\":\"OTHER\",\"size\":1}", 400, "size"}, /* unknown field */
        {"{\"kind\":\"OTHER\"}", 400, "name"},                           /* missing required */
        {"{\"name\":\"X\",\"kind\":\"NOPE\"}", 400, "kind"},             /* unknown enum */
        {"{\"name\":\"X\",\"kind\":\"OTHER\",\"noticePeriodDays\":\"many\"}", 400,
         "noticePeriodDays"},
        {"{\"name\":\"X\",\"kind\":\"OTHER\",\"parentId\":\"not-a-uuid\"}", 400, "parentId"},
        {"{\"name\":\"\\u0000\",\"kind\":\"OTHER\"}", 400, NULL},          /* NUL in text */
        {"{\"name\":\"a\",\"name\":\"b\",\"kind\":\"OTHER\"}", 400, NULL}, /* duplicate key */
        {"{\"name\":\"X\",\"kind\":\"OTHER\",\"updateMask\":[]}", 400, "updateMask"},
        {"{\"name\":\"\xff\",\"kind\":\"OTHER\"}", 400, NULL}, /* not UTF-8 */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        harness_http_response_t *r =
            harness_stack_send(&s_stack, "POST", "/v1/committees", cases[i].body);
        if (r->status != cases[i].status)
            fprintf(stderr, "case %zu: %s\n", i, cases[i].body);
        harness_assert_problem(r, cases[i].status, cases[i].field);
        harness_http_response_free(&r);
    }
}

static void test_oversized_body(void **state)
{
    size_t size = 1024 * 1024 + 100;
    char *body = malloc(size + 1);
    memset(body, 'a', size);
    memcpy(body, "{\"name\":\"", 9);
    memcpy(body + size - 2, "\"}", 2);
    body[size] = '\0';
    harness_http_response_t *r = harness_stack_send(&s_stack, "POST", "/v1/committees", body);
    harness_assert_problem(r, 413, NULL);
    harness_http_response_free(&r);
    free(body);
}

static void test_content_type(void **state)
{
    char url[128];
    snprintf(url, sizeof url, "%s/v1/committees", s_stack.base_url);
    const char *headers[] = {s_stack.auth_header, "Content-Type: text/plain", NULL};
    harness_http_response_t *r =
        harness_http_request("POST", url, "{\"name\":\"X\",\"kind\":\"OTHER\"}", headers);
    harness_assert_problem(r, 415, NULL);
    harness_http_response_free(&r);
    /* no body at all is an empty object: the service names the missing field */
    r = harness_http_request("POST", url, NULL, headers);
    harness_assert_problem(r, 400, "name");
    harness_http_response_free(&r);
}

static void test_paths_and_methods(void **state)
{
    harness_http_response_t *r = harness_stack_get(&s_stack, "/v1/nothing-here");
    harness_assert_problem(r, 404, NULL);
    harness_http_response_free(&r);
    r = harness_stack_get(&s_stack, "/");
    harness_assert_problem(r, 404, NULL);
    harness_http_response_free(&r);
    r = harness_stack_send(&s_stack, "DELETE", "/v1/committees", NULL);
    harness_assert_problem(r, 405, NULL);
    harness_http_response_free(&r);
    r = harness_stack_send(&s_stack, "PUT", "/v1/organizations/x", "{}");
    harness_assert_problem(r, 405, NULL);
    harness_http_response_free(&r);
    r = harness_stack_get(&s_stack, "/v1/committees/not-a-uuid");
    harness_assert_problem(r, 404, NULL);
    harness_http_response_free(&r);
    r = harness_stack_get(&s_stack, "/v1/committees/%00");
    assert_true(r->status >= 400 && r->status < 500);
    harness_http_response_free(&r);
}

static void test_query_parameters(void **state)
{
    harness_http_response_t *r = harness_stack_get(&s_stack, "/v1/committees?sort=name");
    harness_assert_problem(r, 400, "sort");
    harness_http_response_free(&r);
    r = harness_stack_get(&s_stack, "/v1/committees?limit=abc");
    harness_assert_problem(r, 400, "limit");
    harness_http_response_free(&r);
    r = harness_stack_get(&s_stack, "/v1/committees?kind=NOPE");
    harness_assert_problem(r, 400, "kind");
    harness_http_response_free(&r);
    r = harness_stack_get(&s_stack, "/v1/committees?limit=%zz");
    harness_assert_problem(r, 400, NULL);
    harness_http_response_free(&r);
    r = harness_stack_get(&s_stack, "/v1/committees?limit=2&kind=OTHER");
    assert_int_equal(r->status, 200);
    harness_http_response_free(&r);
}

/* Every list of every service takes the same page: limit 1 to 500 and a
 * cursor it gave out; anything else is 400 naming the field. */
static void test_every_list_pages_alike(void **state)
{
    static const char *const lists[] = {"/v1/committees", "/v1/persons", "/v1/actions",
                                        "/v1/deviations", "/v1/subscriptions"};
    static const struct {
        const char *query, *field;
    } bad[] = {{"limit=501", "limit"},  {"limit=-1", "limit"},     {"cursor=abc", "cursor"},
               {"cursor=-5", "cursor"}, {"cursor=%205", "cursor"}, {"cursor=%2B5", "cursor"},
               {"cursor=5x", "cursor"}};
    char path[128];
    for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++) {
        for (size_t j = 0; j < sizeof bad / sizeof bad[0]; j++) {
            snprintf(path, sizeof path, "%s?%s", lists[i], bad[j].query);
            harness_http_response_t *r = harness_stack_get(&s_stack, path);
            if (r->status != 400)
                fail_msg("GET %s answered %ld", path, r->status);
            harness_assert_problem(r, 400, bad[j].field);
            harness_http_response_free(&r);
        }
        snprintf(path, sizeof path, "%s?limit=500&cursor=0", lists[i]);
        harness_http_response_t *r = harness_stack_get(&s_stack, path);
        assert_int_equal(r->status, 200);
        harness_http_response_free(&r);
    }
}

/* Problem details in bokmål when asked for (the pages ask), English for
 * integrators by default; the field names stay. */
static void test_problems_in_bokmal_when_asked(void **state)
{
    char url[256];
    snprintf(url, sizeof url, "%s/v1/organizations", s_stack.base_url);
    const char *norwegian[] = {s_stack.auth_header, "Accept-Language: nb-NO,nb;q=0.9,en;q=0.5",
                               NULL};
    const char *body = "{\"organizationNumber\":\"974575086\",\"kind\":\"OTHER\"}";
    harness_http_response_t *r = harness_http_request("POST", url, body, norwegian);
    harness_assert_problem(r, 400, "name");
    assert_string_equal(harness_json_text(r, "title"), "Ugyldig forespørsel");
    assert_string_equal(harness_json_text(r, "detail"), "name må fylles ut");
    harness_http_response_free(&r);
    const char *english[] = {s_stack.auth_header, NULL};
    r = harness_http_request("POST", url, body, english);
    harness_assert_problem(r, 400, "name");
    assert_string_equal(harness_json_text(r, "detail"), "name is required");
    harness_http_response_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bodies),
        cmocka_unit_test(test_oversized_body),
        cmocka_unit_test(test_content_type),
        cmocka_unit_test(test_paths_and_methods),
        cmocka_unit_test(test_query_parameters),
        cmocka_unit_test(test_every_list_pages_alike),
        cmocka_unit_test(test_problems_in_bokmal_when_asked),
    };
    return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
