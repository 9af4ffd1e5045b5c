/* A party's quality staff and administrator are that party's: they read
 * the reports their organisation is a party to, as its other roles do, and
 * no report between two other parties, by no route (the report, a list,
 * its export, its access log, its steps, the event feed, the running
 * period's statistics); they take only their own side's steps, and report
 * only for their own organisation. The partnership's quality staff (the
 * role made for no organisation) read every report. */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define KOMMUNE "11111111-1111-4111-8111-111111111111"
#define SYKEHUS "22222222-2222-4222-8222-222222222222"
#define ANNEN "44444444-4444-4444-8444-444444444444"

static harness_stack_t s_stack;

static const harness_key_t s_keys[] = {
    {"shk_kommune_reporter", KOMMUNE, "reporter"},
    {"shk_kommune_quality", KOMMUNE, "quality"},
    {"shk_sykehus_quality", SYKEHUS, "quality"},
    {"shk_annen_quality", ANNEN, "quality"},
    {"shk_annen_admin", ANNEN, "administrator"},
    {"shk_annen_all", ANNEN, "reporter+quality+integration+administrator"},
    {"shk_partnership_quality", "", "quality"},
};
enum {
    KOMMUNE_REPORTER,
    KOMMUNE_QUALITY,
    SYKEHUS_QUALITY,
    ANNEN_QUALITY,
    ANNEN_ADMIN,
    ANNEN_ALL,
    PARTNERSHIP_QUALITY
};
#define N_KEYS (sizeof s_keys / sizeof s_keys[0])

static harness_http_response_t *s_as(int who, const char *method, const char *path,
                                     const char *body)
{
    return harness_stack_send_as(&s_stack, s_keys[who].key, method, path, body);
}

/* `who`'s answer to `method path` has `status`, and `id` is not in it. */
static void s_expect(int who, const char *method, const char *path, const char *body, long status,
                     const char *id)
{
    harness_http_response_t *r = s_as(who, method, path, body);
    if (r->status != status)
        fail_msg("%s %s by %s answered %ld, not %ld: %s", method, path, s_keys[who].key, r->status,
                 status, r->body);
    if (id && r->body && strstr(r->body, id))
        fail_msg("%s %s by %s names report %s", method, path, s_keys[who].key, id);
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

#define FORM                                                                                       \
    "{\"reportingOrganizationId\":\"" KOMMUNE "\",\"receivingOrganizationId\":\"" SYKEHUS          \
    "\",\"reportingUnit\":\"Hjemmesykepleien\",\"reporterName\":\"Kari Nordmann\","                \
    "\"occurredTime\":\"2026-11-02T10:00:00+01:00\",\"type\":\"BREACH_OF_AGREEMENT\","             \
    "\"categoryCode\":\"SAM-EPIKRISE\",\"harmDegree\":\"NO_HARM\",\"description\":\"Epikrise "     \
    "mangler.\",\"submit\":true}"

static void test_other_parties_quality_staff_read_nothing_of_it(void **state)
{
    harness_http_response_t *r = s_as(KOMMUNE_REPORTER, "POST", "/v1/deviations", FORM);
    harness_expect_status(r, 201);
    char id[40], path[160];
    snprintf(id, sizeof id, "%s", harness_json_text(r, "id"));
    harness_http_response_free(&r);

    /* its event has reached notify once the partnership's quality staff
     * read it in the feed */
    bool in_feed = false;
    for (int i = 0; i < 100 && !in_feed; i++) {
        r = s_as(PARTNERSHIP_QUALITY, "GET", "/v1/events?types=no.samhand.deviation.&limit=500",
                 NULL);
        harness_expect_status(r, 200);
        in_feed = strstr(r->body, id) != NULL;
        harness_http_response_free(&r);
        if (!in_feed)
            usleep(100 * 1000);
    }
    assert_true(in_feed);
    /* a third party's quality staff, administrator, or all roles at once */
    const int others[] = {ANNEN_QUALITY, ANNEN_ADMIN, ANNEN_ALL};
    for (size_t i = 0; i < sizeof others / sizeof others[0]; i++) {
        int who = others[i];
        /* as no report (its answer names only the id it was asked for) */
        snprintf(path, sizeof path, "/v1/deviations/%s", id);
        s_expect(who, "GET", path, NULL, 404, NULL);
        snprintf(path, sizeof path, "/v1/deviations/%s/fhir", id);
        s_expect(who, "GET", path, NULL, 404, NULL);
        snprintf(path, sizeof path, "/v1/deviations/%s/reads", id);
        s_expect(who, "GET", path, NULL, 404, NULL);
        snprintf(path, sizeof path, "/v1/deviations/%s/acknowledge", id);
        s_expect(who, "POST", path, "{}", 404, NULL);
        s_expect(who, "GET", "/v1/deviations?limit=100", NULL, 200, id);
        s_expect(who, "GET", "/v1/deviations?organizationId=" KOMMUNE, NULL, 200, id);
        s_expect(who, "GET", "/v1/deviations?reference=AVV-", NULL, 200, id);
        s_expect(who, "GET", "/v1/events?types=no.samhand.deviation.&limit=500", NULL, 200, id);
        /* it reports for its own organisation only */
        s_expect(who, "POST", "/v1/deviations", FORM, 403, NULL);
    }
    /* the running period's figures change with each report: for the
     * partnership's quality staff, who see every report, alone */
    s_expect(ANNEN_QUALITY, "GET", "/v1/deviations/stats?period=2026-T3", NULL, 403, NULL);
    s_expect(PARTNERSHIP_QUALITY, "GET", "/v1/deviations/stats?period=2026-T3", NULL, 200, NULL);

    /* the parties' quality staff read it, and its access log */
    snprintf(path, sizeof path, "/v1/deviations/%s", id);
    s_expect(KOMMUNE_QUALITY, "GET", path, NULL, 200, NULL);
    s_expect(SYKEHUS_QUALITY, "GET", path, NULL, 200, NULL);
    s_expect(PARTNERSHIP_QUALITY, "GET", path, NULL, 200, NULL);
    snprintf(path, sizeof path, "/v1/deviations/%s/reads", id);
    s_expect(SYKEHUS_QUALITY, "GET", path, NULL, 200, NULL);
    /* the reporting side's quality staff do not acknowledge for the
     * receiver; the receiver's do */
    snprintf(path, sizeof path, "/v1/deviations/%s/acknowledge", id);
    r = s_as(KOMMUNE_QUALITY, "POST", path, "{}");
    if (r->status == 200)
        fail_msg("the reporting side's quality staff acknowledged for the receiver");
    harness_http_response_free(&r);
    s_expect(SYKEHUS_QUALITY, "POST", path, "{}", 200, NULL);
    snprintf(path, sizeof path, "/v1/deviations/%s", id);
    r = s_as(PARTNERSHIP_QUALITY, "GET", path, NULL);
    harness_expect_status(r, 200);
    assert_string_equal(harness_json_text(r, "state"), "AWAITING_RESPONSE");
    harness_http_response_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_other_parties_quality_staff_read_nothing_of_it),
    };
    return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
