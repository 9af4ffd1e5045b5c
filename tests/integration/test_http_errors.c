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
    http_response_t *r = stack_get(&s_stack, "/healthz");
    assert_int_equal(r->status, 200);
    http_response_free(&r);
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
        http_response_t *r = stack_send(&s_stack, "POST", "/v1/committees", cases[i].body);
        if (r->status != cases[i].status)
            fprintf(stderr, "case %zu: %s\n", i, cases[i].body);
        assert_problem(r, cases[i].status, cases[i].field);
        http_response_free(&r);
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
    http_response_t *r = stack_send(&s_stack, "POST", "/v1/committees", body);
    assert_problem(r, 413, NULL);
    http_response_free(&r);
    free(body);
}

static void test_content_type(void **state)
{
    char url[128];
    snprintf(url, sizeof url, "%s/v1/committees", s_stack.base_url);
    const char *headers[] = {s_stack.auth_header, "Content-Type: text/plain", NULL};
    http_response_t *r = http_request("POST", url, "{\"name\":\"X\",\"kind\":\"OTHER\"}", headers);
    assert_problem(r, 415, NULL);
    http_response_free(&r);
    /* no body at all is an empty object: the service names the missing field */
    r = http_request("POST", url, NULL, headers);
    assert_problem(r, 400, "name");
    http_response_free(&r);
}

static void test_paths_and_methods(void **state)
{
    http_response_t *r = stack_get(&s_stack, "/v1/nothing-here");
    assert_problem(r, 404, NULL);
    http_response_free(&r);
    r = stack_get(&s_stack, "/");
    assert_problem(r, 404, NULL);
    http_response_free(&r);
    r = stack_send(&s_stack, "DELETE", "/v1/committees", NULL);
    assert_problem(r, 405, NULL);
    http_response_free(&r);
    r = stack_send(&s_stack, "PUT", "/v1/organizations/x", "{}");
    assert_problem(r, 405, NULL);
    http_response_free(&r);
    r = stack_get(&s_stack, "/v1/committees/not-a-uuid");
    assert_problem(r, 404, NULL);
    http_response_free(&r);
    r = stack_get(&s_stack, "/v1/committees/%00");
    assert_true(r->status >= 400 && r->status < 500);
    http_response_free(&r);
}

static void test_query_parameters(void **state)
{
    http_response_t *r = stack_get(&s_stack, "/v1/committees?sort=name");
    assert_problem(r, 400, "sort");
    http_response_free(&r);
    r = stack_get(&s_stack, "/v1/committees?limit=abc");
    assert_problem(r, 400, "limit");
    http_response_free(&r);
    r = stack_get(&s_stack, "/v1/committees?kind=NOPE");
    assert_problem(r, 400, "kind");
    http_response_free(&r);
    r = stack_get(&s_stack, "/v1/committees?limit=%zz");
    assert_problem(r, 400, NULL);
    http_response_free(&r);
    r = stack_get(&s_stack, "/v1/committees?limit=2&kind=OTHER");
    assert_int_equal(r->status, 200);
    http_response_free(&r);
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
            http_response_t *r = stack_get(&s_stack, path);
            if (r->status != 400)
                fail_msg("GET %s answered %ld", path, r->status);
            assert_problem(r, 400, bad[j].field);
            http_response_free(&r);
        }
        snprintf(path, sizeof path, "%s?limit=500&cursor=0", lists[i]);
        http_response_t *r = stack_get(&s_stack, path);
        assert_int_equal(r->status, 200);
        http_response_free(&r);
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
    http_response_t *r = http_request("POST", url, body, norwegian);
    assert_problem(r, 400, "name");
    assert_string_equal(json_text(r, "title"), "Ugyldig forespørsel");
    assert_string_equal(json_text(r, "detail"), "name må fylles ut");
    http_response_free(&r);
    const char *english[] = {s_stack.auth_header, NULL};
    r = http_request("POST", url, body, english);
    assert_problem(r, 400, "name");
    assert_string_equal(json_text(r, "detail"), "name is required");
    http_response_free(&r);
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
