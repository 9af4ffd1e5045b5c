/* Review probe (wave-review): a party's administrator is that party's
 * (commit 72fde07: only the roles of no organisation are the
 * partnership's). Yet agenda.CreateApiKey asks only for the administrator
 * role, so a municipality's administrator key makes a key of no
 * organisation with the role quality, the partnership's quality staff,
 * and with it reads a report between two other parties and who reported
 * it anonymously. Fails until a party's administrator is refused a key
 * of no organisation (or of another organisation). */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define KOMMUNE "11111111-1111-4111-8111-111111111111"
#define SYKEHUS "22222222-2222-4222-8222-222222222222"
#define ANNEN "44444444-4444-4444-8444-444444444444"
#define CANARY_NAME "Kari Hemmeligsen"

static harness_stack_t s_stack;

static const harness_key_t s_keys[] = {
    {"shk_probe_kommune_reporter", KOMMUNE, "reporter"},
    {"shk_probe_annen_admin", ANNEN, "administrator"},
};
enum { KOMMUNE_REPORTER, ANNEN_ADMIN };
#define N_KEYS (sizeof s_keys / sizeof s_keys[0])

static harness_http_response_t *s_as(const char *key, const char *method, const char *path,
                                     const char *body)
{
    return harness_stack_send_as(&s_stack, key, method, path, body);
}

static int s_setup(void **state)
{
    harness_api_keys_set(s_keys, N_KEYS);
    harness_stack_start(&s_stack, harness_database_url());
    return 0;
}

static int s_teardown(void **state)
{
    harness_stack_stop(&s_stack);
    return 0;
}

static void test_party_administrator_mints_a_partnership_quality_key(void **state)
{
    /* an anonymous report between the municipality and the hospital */
    harness_http_response_t *r =
        s_as(s_keys[KOMMUNE_REPORTER].key, "POST", "/v1/deviations",
             "{\"reportingOrganizationId\":\"" KOMMUNE "\",\"receivingOrganizationId\":\"" SYKEHUS
             "\",\"reporterName\":\"" CANARY_NAME "\",\"isAnonymous\":true,"
             "\"occurredTime\":\"2026-11-02T10:00:00+01:00\",\"type\":\"BREACH_OF_AGREEMENT\","
             "\"categoryCode\":\"SAM-EPIKRISE\",\"harmDegree\":\"NO_HARM\",\"description\":"
             "\"Epikrise mangler.\",\"submit\":true}");
    harness_expect_status(r, 201);
    char id[40], path[160];
    snprintf(id, sizeof id, "%s", harness_json_text(r, "id"));
    harness_http_response_free(&r);

    /* the third party's administrator sees nothing of it */
    snprintf(path, sizeof path, "/v1/deviations/%s", id);
    r = s_as(s_keys[ANNEN_ADMIN].key, "GET", path, NULL);
    harness_expect_status(r, 404);
    harness_http_response_free(&r);

    /* ... and asks for a key of no organisation: the partnership's quality */
    r = s_as(s_keys[ANNEN_ADMIN].key, "POST", "/v1/api-keys",
             "{\"name\":\"probe\",\"roles\":[\"quality\"]}");
    long made = r->status;
    char minted[128] = "";
    if (made == 201 && harness_json_text(r, "key"))
        snprintf(minted, sizeof minted, "%s", harness_json_text(r, "key"));
    harness_http_response_free(&r);
    if (made != 201)
        return; /* refused: as it should be */

    /* the minted key reads the report, and who reported it */
    bool read = false, named = false;
    for (int i = 0; i < 30 && !read; i++) {
        r = s_as(minted, "GET", path, NULL);
        read = r->status == 200;
        named = read && r->body && strstr(r->body, CANARY_NAME);
        harness_http_response_free(&r);
        if (!read)
            usleep(200 * 1000);
    }
    fail_msg("a party's administrator (of %s) made a key of no organisation with the role "
             "quality (201)%s%s",
             ANNEN, read ? ", which read the report between two other parties" : "",
             named ? " and its anonymous reporter's name" : "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_party_administrator_mints_a_partnership_quality_key),
    };
    return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
