/* An anonymous report's reporter is kept from every role of every
 * receiving organisation (the receiver today and the one it was forwarded
 * from), quality staff and administrators of theirs included, in every
 * answer, export, access log and event; the partnership's own quality
 * staff (a quality key for no party) are shown it, and each such read is
 * in the access log. A receiver that forwarded a report keeps reading it,
 * with its history. */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define KOMMUNE "11111111-1111-4111-8111-111111111111"
#define SYKEHUS "22222222-2222-4222-8222-222222222222"
#define LEGEKONTOR "33333333-3333-4333-8333-333333333333"

/* the reporter, by name and e-mail: in no answer of a receiving side */
#define CANARY_NAME "Kari Hemmeligsen"
#define CANARY_MAIL "kari.hemmeligsen@trondheim.kommune.no"

static harness_stack_t s_stack;

static const harness_key_t s_keys[] = {
    {"shk_kommune_reporter", KOMMUNE, "reporter"},
    {"shk_sykehus_reporter", SYKEHUS, "reporter"},
    {"shk_sykehus_quality", SYKEHUS, "quality"},
    {"shk_sykehus_integration", SYKEHUS, "integration"},
    {"shk_sykehus_admin", SYKEHUS, "administrator"},
    {"shk_sykehus_all", SYKEHUS, "reporter+quality+integration+administrator"},
    {"shk_lege_reporter", LEGEKONTOR, "reporter"},
    {"shk_lege_quality", LEGEKONTOR, "quality"},
    {"shk_lege_integration", LEGEKONTOR, "integration"},
    {"shk_partnership_quality", "", "quality"},
};
/* whether s_keys[i] is a role of a receiving organisation */
static const bool s_is_receiving[] = {false, true, true, true, true, true, true, true, true, false};
#define N_KEYS (sizeof s_keys / sizeof s_keys[0])
_Static_assert(sizeof s_is_receiving / sizeof s_is_receiving[0] == N_KEYS,
               "a receiving side for every key");
enum { KOMMUNE_REPORTER, SYKEHUS_REPORTER, SYKEHUS_QUALITY };
#define LEGE_REPORTER 6
#define PARTNERSHIP_QUALITY (N_KEYS - 1)

static harness_http_response_t *s_as(size_t who, const char *method, const char *path,
                                     const char *body)
{
    return harness_stack_send_as(&s_stack, s_keys[who].key, method, path, body);
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

/* An anonymous report from the municipality to the hospital, submitted,
 * acknowledged and forwarded by the hospital to the GP office; its id. */
static void s_anonymous_forwarded(char id[40])
{
    harness_http_response_t *r =
        s_as(KOMMUNE_REPORTER, "POST", "/v1/deviations",
             "{\"reportingOrganizationId\":\"" KOMMUNE "\",\"receivingOrganizationId\":\"" SYKEHUS
             "\",\"reportingUnit\":\"Hjemmesykepleien\",\"reporterName\":\"" CANARY_NAME
             "\",\"reporterEmail\":\"" CANARY_MAIL "\",\"isAnonymous\":true,"
             "\"occurredTime\":\"2026-11-02T10:00:00+01:00\",\"type\":\"BREACH_OF_AGREEMENT\","
             "\"categoryCode\":\"SAM-EPIKRISE\",\"description\":\"Epikrise "
             "mangler.\",\"harmDegree\":\"MINOR\",\"submit\":true}");
    harness_expect_status(r, 201);
    snprintf(id, 40, "%s", harness_json_text(r, "id"));
    assert_string_equal(harness_json_text(r, "reporterName"), CANARY_NAME); /* the reporter's own */
    harness_http_response_free(&r);
    char path[128];
    /* the reporter opens it: a line of the access log with its principal */
    snprintf(path, sizeof path, "/v1/deviations/%s", id);
    r = s_as(KOMMUNE_REPORTER, "GET", path, NULL);
    harness_expect_status(r, 200);
    harness_http_response_free(&r);
    snprintf(path, sizeof path, "/v1/deviations/%s/acknowledge", id);
    r = s_as(SYKEHUS_REPORTER, "POST", path, "{}");
    harness_expect_status(r, 200);
    harness_http_response_free(&r);
    snprintf(path, sizeof path, "/v1/deviations/%s/forward", id);
    r = s_as(SYKEHUS_REPORTER, "POST", path,
             "{\"forwardToOrganizationId\":\"" LEGEKONTOR "\",\"comment\":\"Gjelder fastlegen.\"}");
    harness_expect_status(r, 200);
    /* the forwarder keeps reading it: the whole report in its answer */
    assert_string_equal(harness_json_text(r, "receivingOrganizationId"), LEGEKONTOR);
    assert_string_equal(harness_json_text(r, "description"), "Epikrise mangler.");
    assert_string_equal(harness_json_text(r, "reporterName"), "");
    harness_http_response_free(&r);
}

/* Fails naming the key and the route when the reporter is in `r`. */
static void s_no_reporter(size_t who, const char *what, const harness_http_response_t *r)
{
    const char *body = r->body ? r->body : "";
    if (strstr(body, "Hemmeligsen") || strstr(body, "hemmeligsen") ||
        strstr(r->headers ? r->headers : "", "emmeligsen"))
        fail_msg("%s (%s) was shown the anonymous reporter in %s", s_keys[who].key,
                 s_keys[who].roles, what);
}

static void test_no_receiving_role_sees_an_anonymous_reporter(void **state)
{
    char id[40], path[160];
    s_anonymous_forwarded(id);
    harness_http_response_t *r = NULL;
    static const char *const routes[] = {"/v1/deviations/%s", "/v1/deviations/%s/fhir",
                                         "/v1/deviations/%s/reads", "/v1/deviations?limit=500",
                                         "/v1/deviations?limit=500&newestFirst=true"};
    for (size_t k = 0; k < N_KEYS; k++) {
        if (!s_is_receiving[k])
            continue;
        for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
            snprintf(path, sizeof path, routes[i], id);
            r = s_as(k, "GET", path, NULL);
            s_no_reporter(k, path, r);
            /* the access log names no one of the reporting side */
            if (r->status == 200 && strstr(path, "/reads")) {
                size_t j;
                json_t *read;
                json_array_foreach(json_object_get(r->json, "items"), j, read)
                {
                    if (strcmp(json_string_value(json_object_get(read, "organizationId")),
                               KOMMUNE) == 0)
                        assert_string_equal(json_string_value(json_object_get(read, "subject")),
                                            "anonymous");
                }
            }
            harness_http_response_free(&r);
        }
        /* the event feed of every receiving role: the report's events, no reporter */
        for (int tries = 0; tries < 100; tries++) {
            r = s_as(k, "GET", "/v1/events?types=no.samhand.deviation.&limit=500", NULL);
            harness_expect_status(r, 200);
            bool found =
                r->body && strstr(r->body, "no.samhand.deviation.forwarded") && strstr(r->body, id);
            s_no_reporter(k, "the event feed", r);
            harness_http_response_free(&r);
            if (found)
                break;
            assert_true(tries < 99);
            usleep(100 * 1000);
        }
    }
}

static void test_partnership_quality_sees_the_reporter_and_is_logged(void **state)
{
    char id[40], path[160];
    s_anonymous_forwarded(id);
    snprintf(path, sizeof path, "/v1/deviations/%s", id);
    harness_http_response_t *r = s_as(PARTNERSHIP_QUALITY, "GET", path, NULL);
    harness_expect_status(r, 200);
    assert_string_equal(harness_json_text(r, "reporterName"), CANARY_NAME);
    assert_string_equal(harness_json_text(r, "reporterEmail"), CANARY_MAIL);
    harness_http_response_free(&r);
    /* the read is in the access log as one of the reporter, with who read it */
    snprintf(path, sizeof path, "/v1/deviations/%s/reads?limit=500", id);
    r = harness_stack_get(&s_stack, path); /* the administrator reads it */
    harness_expect_status(r, 200);
    size_t j, revealed = 0;
    json_t *read;
    json_array_foreach(json_object_get(r->json, "items"), j, read)
    {
        if (strcmp(json_string_value(json_object_get(read, "how")), "REPORTER") == 0) {
            revealed++;
            assert_string_equal(json_string_value(json_object_get(read, "organizationId")), "");
            assert_true(strncmp(json_string_value(json_object_get(read, "subject")), "key:", 4) ==
                        0);
        }
    }
    assert_int_equal(revealed, 1);
    harness_http_response_free(&r);
    /* the reporting side reads its own without such a line */
    snprintf(path, sizeof path, "/v1/deviations/%s", id);
    r = s_as(KOMMUNE_REPORTER, "GET", path, NULL);
    assert_string_equal(harness_json_text(r, "reporterName"), CANARY_NAME);
    harness_http_response_free(&r);
    /* in a list too: one line more of the reporter */
    r = s_as(PARTNERSHIP_QUALITY, "GET", "/v1/deviations?limit=500", NULL);
    harness_expect_status(r, 200);
    assert_non_null(strstr(r->body, CANARY_NAME));
    harness_http_response_free(&r);
    snprintf(path, sizeof path, "/v1/deviations/%s/reads?limit=500", id);
    r = harness_stack_get(&s_stack, path);
    revealed = 0;
    json_array_foreach(json_object_get(r->json, "items"), j, read)
    {
        revealed += strcmp(json_string_value(json_object_get(read, "how")), "REPORTER") == 0;
    }
    assert_int_equal(revealed, 2);
    harness_http_response_free(&r);
}

static void test_a_forwarder_keeps_reading_the_report(void **state)
{
    char id[40], path[160];
    s_anonymous_forwarded(id);
    /* the new receiver answers; the hospital, which forwarded it, reads the answer */
    snprintf(path, sizeof path, "/v1/deviations/%s/acknowledge", id);
    harness_http_response_t *r = s_as(LEGE_REPORTER, "POST", path, "{}");
    harness_expect_status(r, 200);
    harness_http_response_free(&r);
    snprintf(path, sizeof path, "/v1/deviations/%s/respond", id);
    r = s_as(LEGE_REPORTER, "POST", path, "{\"answer\":\"Rutinen er endret.\"}");
    harness_expect_status(r, 200);
    harness_http_response_free(&r);
    snprintf(path, sizeof path, "/v1/deviations/%s", id);
    r = s_as(SYKEHUS_REPORTER, "GET", path, NULL);
    harness_expect_status(r, 200);
    assert_string_equal(harness_json_text(r, "answer"), "Rutinen er endret.");
    json_t *history = json_object_get(r->json, "history");
    assert_int_equal(json_array_size(history), 5); /* submit … respond */
    json_t *previous = json_object_get(r->json, "previousReceivingOrganizationIds");
    assert_int_equal(json_array_size(previous), 1);
    assert_string_equal(json_string_value(json_array_get(previous, 0)), SYKEHUS);
    /* it reads, and takes no step any more */
    assert_int_equal(json_array_size(json_object_get(r->json, "allowedActions")), 0);
    harness_http_response_free(&r);
    snprintf(path, sizeof path, "/v1/deviations/%s/close", id);
    r = s_as(SYKEHUS_REPORTER, "POST", path, "{}");
    harness_assert_problem(r, 409, "state");
    harness_http_response_free(&r);
    /* and finds it in its list */
    r = s_as(SYKEHUS_REPORTER, "GET", "/v1/deviations?limit=500", NULL);
    harness_expect_status(r, 200);
    assert_non_null(strstr(r->body, id));
    harness_http_response_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_no_receiving_role_sees_an_anonymous_reporter),
        cmocka_unit_test(test_partnership_quality_sees_the_reporter_and_is_logged),
        cmocka_unit_test(test_a_forwarder_keeps_reading_the_report),
    };
    return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
