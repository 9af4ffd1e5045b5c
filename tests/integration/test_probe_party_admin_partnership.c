/* Review probe (wave-review): a party's administrator is that party's
 * (commit 72fde07), yet deviation.LoadCategories and deviation.PutSettings
 * ask only for the administrator role: a municipality's administrator
 * key loads a new version of the partnership's category code list (every
 * party's form and statistics) and a new version of the partnership's
 * settings (every party's deadlines, leader review, dispute committee).
 * Fails until both are for the administrators of no organisation. */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define ANNEN "44444444-4444-4444-8444-444444444444"
#define ANNEN_ADMIN_KEY "shk_probe_annen_administrator"

static harness_stack_t s_stack;

static harness_http_response_t *s_as(const char *method, const char *path, const char *body,
                                     const char *extra)
{
    return harness_stack_send_with(&s_stack, ANNEN_ADMIN_KEY, method, path, body, extra);
}

static int s_setup(void **state)
{
    static const harness_key_t keys[] = {{ANNEN_ADMIN_KEY, ANNEN, "administrator"}};
    harness_api_keys_set(keys, 1);
    harness_stack_start(&s_stack, harness_database_url());
    return 0;
}

static int s_teardown(void **state)
{
    harness_stack_stop(&s_stack);
    return 0;
}

static void test_party_administrator_loads_the_partnerships_code_list(void **state)
{
    /* the list in force, loaded again as a new version (no code retired) */
    harness_http_response_t *r = s_as("GET", "/v1/deviation-categories", NULL, NULL);
    harness_expect_status(r, 200);
    json_t *body = json_object();
    json_object_set_new(body, "published", json_string("2026-12-01"));
    json_object_set_new(body, "title", json_string("Probe: lastet av en parts administrator"));
    json_t *items = json_array();
    size_t i;
    json_t *item;
    json_array_foreach(json_object_get(r->json, "items"), i, item)
    {
        json_t *copy = json_object();
        json_object_set(copy, "code", json_object_get(item, "code"));
        json_object_set(copy, "name", json_object_get(item, "name"));
        json_object_set(copy, "axis", json_object_get(item, "axis"));
        json_array_append_new(items, copy);
    }
    json_object_set_new(body, "items", items);
    harness_http_response_free(&r);
    char *text = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    r = s_as("POST", "/v1/deviation-categories/versions", text, NULL);
    free(text);
    long status = r->status;
    char answer[300];
    snprintf(answer, sizeof answer, "%.280s", r->body ? r->body : "");
    harness_http_response_free(&r);
    if (status == 201)
        fail_msg("a party's administrator (of %s) loaded a new version of the partnership's "
                 "code list: 201",
                 ANNEN);
    if (status != 403)
        fail_msg("expected 403 for a party's administrator, got %ld: %s", status, answer);
}

/* The If-Match of the newest settings version, as the party's
 * administrator reads it. */
static void s_newest_etag(char out[48])
{
    char etag[32];
    harness_stack_settings_etag(&s_stack, ANNEN_ADMIN_KEY, etag);
    snprintf(out, 48, "If-Match: %s", etag);
}

static void test_party_administrator_changes_the_partnerships_settings(void **state)
{
    char etag[48];
    s_newest_etag(etag);
    harness_http_response_t *r =
        s_as("PUT", "/v1/settings",
             "{\"answerDeadline\":{\"length\":365,\"unit\":\"WEEKS\"},\"statisticsPeriod\":"
             "\"MONTH\",\"reminderDays\":0,\"isLeaderReview\":false,\"comment\":\"Probe: en "
             "kommunes administrator\"}",
             etag);
    long status = r->status;
    harness_http_response_free(&r);
    if (status == 200)
        fail_msg("a party's administrator (of %s) made a new version of the partnership's "
                 "settings: 200",
                 ANNEN);
    assert_int_equal(status, 403);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_party_administrator_loads_the_partnerships_code_list),
        cmocka_unit_test(test_party_administrator_changes_the_partnerships_settings),
    };
    return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
