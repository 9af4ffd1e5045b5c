/* Review probe (wave-review): the joint analysis belongs to the two
 * parties that write it. A report whose analysis the municipality and the
 * hospital wrote, closed and reopened, was forwarded by the hospital to a
 * third party, which then read the whole analysis while the hospital was
 * refused it. Now such a report is not forwarded (409), and the analysis
 * stays the two parties'. */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KOMMUNE "11111111-1111-4111-8111-111111111111"
#define SYKEHUS "22222222-2222-4222-8222-222222222222"
#define ANNEN "44444444-4444-4444-8444-444444444444"
#define CANARY "CANARY-ANALYSE-SYKEHUSET"

static harness_stack_t s_stack;

static const harness_key_t s_keys[] = {
    {"shk_probe_fw_kommune", KOMMUNE, "reporter"},
    {"shk_probe_fw_sykehus", SYKEHUS, "reporter"},
    {"shk_probe_fw_annen", ANNEN, "reporter"},
};
enum { KOMMUNE_REPORTER, SYKEHUS_REPORTER, ANNEN_REPORTER };
#define N_KEYS (sizeof s_keys / sizeof s_keys[0])

static harness_http_response_t *s_as(int who, const char *method, const char *path,
                                     const char *body)
{
    return harness_stack_send_as(&s_stack, s_keys[who].key, method, path, body);
}

static void s_step(int who, const char *id, const char *step, const char *body)
{
    char path[160];
    snprintf(path, sizeof path, "/v1/deviations/%s/%s", id, step);
    harness_http_response_t *r = s_as(who, "POST", path, body);
    if (r->status != 200)
        fail_msg("%s: %ld %s", step, r->status, r->body);
    harness_http_response_free(&r);
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

static void test_the_analysis_goes_with_a_forwarded_report(void **state)
{
    harness_http_response_t *r =
        s_as(KOMMUNE_REPORTER, "POST", "/v1/deviations",
             "{\"reportingOrganizationId\":\"" KOMMUNE "\",\"receivingOrganizationId\":\"" SYKEHUS
             "\",\"occurredTime\":\"2026-11-02T10:00:00+01:00\",\"type\":\"BREACH_OF_AGREEMENT\","
             "\"categoryCode\":\"SAM-EPIKRISE\",\"harmDegree\":\"NO_HARM\",\"description\":"
             "\"Epikrise mangler.\",\"submit\":true}");
    harness_expect_status(r, 201);
    char id[40], path[160];
    snprintf(id, sizeof id, "%s", harness_json_text(r, "id"));
    harness_http_response_free(&r);
    s_step(SYKEHUS_REPORTER, id, "acknowledge", "{}");
    s_step(KOMMUNE_REPORTER, id, "request-analysis", "{}");
    snprintf(path, sizeof path, "/v1/deviations/%s/analysis", id);
    r = s_as(SYKEHUS_REPORTER, "POST", path,
             "{\"summary\":\"" CANARY "\",\"participants\":[{\"name\":\"Berit Sengepost\","
             "\"role\":\"Avdelingssykepleier\",\"organizationId\":\"" SYKEHUS "\"}],"
             "\"findings\":[\"Sengeposten sendte ikke epikrisen\"]}");
    harness_expect_status(r, 201);
    harness_http_response_free(&r);

    /* closed, reopened, and forwarded by the hospital to a third party */
    s_step(KOMMUNE_REPORTER, id, "close", "{}");
    s_step(KOMMUNE_REPORTER, id, "reopen", "{}");
    /* refused: the analysis is the two parties' record (409 naming the field) */
    snprintf(path, sizeof path, "/v1/deviations/%s/forward", id);
    r = s_as(SYKEHUS_REPORTER, "POST", path, "{\"forwardToOrganizationId\":\"" ANNEN "\"}");
    harness_assert_problem(r, 409, "forwardToOrganizationId");
    harness_http_response_free(&r);
    snprintf(path, sizeof path, "/v1/deviations/%s/analysis", id);

    r = s_as(ANNEN_REPORTER, "GET", path, NULL);
    long third = r->status;
    bool canary = r->body && strstr(r->body, CANARY);
    harness_http_response_free(&r);
    r = s_as(SYKEHUS_REPORTER, "GET", path, NULL);
    long author = r->status;
    harness_http_response_free(&r);
    if (third == 200 || author != 200)
        fail_msg("after the hospital forwarded the report, the third party reads its joint "
                 "analysis: %ld%s; the hospital, which wrote it: %ld",
                 third, canary ? " (with the hospital's summary)" : "", author);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_the_analysis_goes_with_a_forwarded_report),
    };
    return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
