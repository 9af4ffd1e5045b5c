/* Review probe (wave-review): leader review is a second pair of eyes
 * before a report reaches the receiver, but deviation's Approve step asks
 * only that the caller be a leader of the reporting organisation, not
 * that it be someone other than the report's writer: a principal with the
 * roles reporter and leader (one HelseID user with both claims, one key)
 * writes, submits and approves its own report. Fails until the writer is
 * refused the approval of its own report. */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define KOMMUNE "11111111-1111-4111-8111-111111111111"
#define SYKEHUS "22222222-2222-4222-8222-222222222222"
#define KEY "shk_probe_kommune_reporter_and_leader"

static harness_stack_t s_stack;

static harness_http_response_t *s_as(bool admin, const char *method, const char *path,
                                     const char *body, const char *extra)
{
    return harness_stack_send_with(&s_stack, admin ? NULL : KEY, method, path, body, extra);
}

static void s_newest_etag(char out[48])
{
    char etag[32];
    harness_stack_settings_etag(&s_stack, NULL, etag);
    snprintf(out, 48, "If-Match: %s", etag);
}

static int s_setup(void **state)
{
    static const harness_key_t keys[] = {{KEY, KOMMUNE, "reporter+leader"}};
    harness_api_keys_set(keys, 1);
    harness_stack_start(&s_stack, harness_database_url());
    char etag[48];
    s_newest_etag(etag);
    harness_http_response_t *r =
        s_as(true, "PUT", "/v1/settings",
             "{\"answerDeadline\":{\"length\":10,\"unit\":\"WORKING_DAYS\"},\"statisticsPeriod\":"
             "\"TERTIAL\",\"reminderDays\":2,\"isLeaderReview\":true,\"comment\":\"Leder ser "
             "over meldingene\"}",
             etag);
    harness_expect_status(r, 200);
    harness_http_response_free(&r);
    return 0;
}

static int s_teardown(void **state)
{
    harness_stack_stop(&s_stack);
    return 0;
}

static void test_a_writer_who_is_a_leader_approves_its_own_report(void **state)
{
    harness_http_response_t *r =
        s_as(false, "POST", "/v1/deviations",
             "{\"reportingOrganizationId\":\"" KOMMUNE "\",\"receivingOrganizationId\":\"" SYKEHUS
             "\",\"occurredTime\":\"2026-11-02T10:00:00+01:00\",\"type\":\"BREACH_OF_AGREEMENT\","
             "\"categoryCode\":\"SAM-EPIKRISE\",\"harmDegree\":\"NO_HARM\",\"description\":"
             "\"Epikrise mangler.\",\"submit\":true}",
             NULL);
    harness_expect_status(r, 201);
    assert_string_equal(harness_json_text(r, "state"), "IN_REVIEW");
    char path[160];
    snprintf(path, sizeof path, "/v1/deviations/%s/approve", harness_json_text(r, "id"));
    harness_http_response_free(&r);
    r = s_as(false, "POST", path, "{}", NULL);
    long status = r->status;
    char state_text[64];
    snprintf(state_text, sizeof state_text, "%s",
             status == 200 ? harness_json_text(r, "state") : "");
    harness_http_response_free(&r);
    if (status == 200)
        fail_msg("the writer approved its own report in leader review: 200, %s", state_text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_writer_who_is_a_leader_approves_its_own_report),
    };
    return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
