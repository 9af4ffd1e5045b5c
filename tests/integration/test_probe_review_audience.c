/* A report waiting in leader review is for the reporting organisation's
 * leaders alone, and the receiver learns nothing of it before approval,
 * along two ways a review found open (and that are closed since): the
 * receiving hospital's secretariat cannot point the municipality's review
 * address at itself (an organisation's addresses are changed by the
 * partnership's or its own administrators), and a key of no organisation
 * holding quality and leader reads no party's waiting reports in the feed
 * (the partnership's roles see past organisations only in events for
 * such roles). */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static harness_stack_t s_stack;
static harness_smtp_t *s_smtp;
static char s_kommune[40], s_sykehus[40];

static void s_in_feed(const char *key, const char *type, const char *id, bool *seen_p)
{
    char path[200];
    snprintf(path, sizeof path, "/v1/events?types=%s&limit=500", type);
    *seen_p = false;
    for (int tries = 0; tries < 60 && !*seen_p; tries++) {
        harness_http_response_t *r = key ? harness_stack_send_as(&s_stack, key, "GET", path, NULL)
                                         : harness_stack_get(&s_stack, path);
        *seen_p = r->status == 200 && strstr(r->body, id);
        harness_http_response_free(&r);
        if (!*seen_p)
            usleep(100 * 1000);
    }
}

static void s_organization(const char *number, const char *kind, const char *contact, char id[40])
{
    char body[512];
    snprintf(body, sizeof body,
             "{\"name\":\"Org %s\",\"organizationNumber\":\"%s\",\"kind\":\"%s\","
             "\"contactEmail\":\"%s\"}",
             number, number, kind, contact);
    harness_http_response_t *r = harness_stack_send(&s_stack, "POST", "/v1/organizations", body);
    harness_expect_status(r, 201);
    snprintf(id, 40, "%s", harness_json_text(r, "id"));
    harness_http_response_free(&r);
    bool seen;
    s_in_feed(NULL, "no.samhand.organization.created", id, &seen);
    assert_true(seen);
}

/* A report of the municipality to the hospital, waiting for its leaders. */
static void s_waiting_report(char id[40])
{
    char key[128], body[1024];
    harness_stack_new_key(&s_stack, s_kommune, "[\"reporter\"]", key);
    snprintf(body, sizeof body,
             "{\"reportingOrganizationId\":\"%s\",\"receivingOrganizationId\":\"%s\","
             "\"occurredTime\":\"2026-11-02T10:00:00+01:00\",\"type\":\"BREACH_OF_AGREEMENT\","
             "\"categoryCode\":\"SAM-EPIKRISE\",\"description\":\"Epikrisen kom ikke.\","
             "\"harmDegree\":\"MINOR\",\"submit\":true}",
             s_kommune, s_sykehus);
    harness_http_response_t *r = NULL;
    for (int tries = 0; tries < 50; tries++) {
        r = harness_stack_send_as(&s_stack, key, "POST", "/v1/deviations", body);
        if (r->status == 201)
            break;
        harness_http_response_free(&r);
        usleep(100 * 1000);
    }
    harness_expect_status(r, 201);
    assert_string_equal(harness_json_text(r, "state"), "IN_REVIEW");
    snprintf(id, 40, "%s", harness_json_text(r, "id"));
    harness_http_response_free(&r);
}

static int s_setup(void **state)
{
    s_smtp = harness_smtp_start();
    setenv("SAMHAND_SMTP_URL", harness_smtp_url(s_smtp), 1);
    setenv("SAMHAND_WEB_URL", "https://samhand.example", 1);
    harness_stack_start(&s_stack, harness_database_url());
    char etag[32], if_match[48];
    harness_stack_settings_etag(&s_stack, NULL, etag);
    snprintf(if_match, sizeof if_match, "If-Match: %s", etag);
    char url[512];
    snprintf(url, sizeof url, "%s/v1/settings", s_stack.base_url);
    const char *headers[] = {s_stack.auth_header, if_match, NULL};
    harness_http_response_t *r = harness_http_request(
        "PUT", url,
        "{\"answerDeadline\":{\"length\":10,\"unit\":\"WORKING_DAYS\"},\"statisticsPeriod\":"
        "\"TERTIAL\",\"reminderDays\":2,\"isLeaderReview\":true,\"comment\":\"Leder ser over\"}",
        headers);
    harness_expect_status(r, 200);
    harness_http_response_free(&r);
    s_organization("938000018", "MUNICIPALITY", "postmottak@levanger.example", s_kommune);
    s_organization("938000026", "HOSPITAL_TRUST", "postmottak@hnt.example", s_sykehus);
    return 0;
}

static int s_teardown(void **state)
{
    harness_stack_stop(&s_stack);
    harness_smtp_stop(&s_smtp);
    return 0;
}

static void test_the_receivers_secretariat_takes_the_review_address(void **state)
{
    char key[128], path[200], id[40];
    harness_stack_new_key(&s_stack, s_sykehus, "[\"secretariat\"]", key);
    snprintf(path, sizeof path, "/v1/organizations/%s", s_kommune);
    harness_http_response_t *r = harness_stack_send_as(&s_stack, key, "PATCH", path,
                                                       "{\"reviewEmail\":\"spion@hnt.example\"}");
    long status = r->status;
    harness_http_response_free(&r);
    if (status != 200)
        return; /* refused: closed */
    bool seen;
    s_in_feed(NULL, "no.samhand.organization.updated", s_kommune, &seen);
    size_t from = harness_smtp_wait(s_smtp, 0, 0);
    s_waiting_report(id);
    bool mailed = false;
    for (int t = 0; t < 150 && !mailed; t++) {
        size_t n = harness_smtp_wait(s_smtp, 0, 0);
        for (size_t i = from; i < n && !mailed; i++) {
            char *text = harness_smtp_first_part(harness_smtp_message(s_smtp, i));
            mailed = strstr(text, id) &&
                     strcmp(harness_smtp_recipient(s_smtp, i), "<spion@hnt.example>") == 0;
            free(text);
        }
        if (!mailed)
            usleep(100 * 1000);
    }
    fail_msg("the hospital's secretariat set the municipality's reviewEmail (PATCH: 200)%s",
             mailed ? " and was mailed that the municipality's report to it waits in leader review"
                    : "");
}

static void test_a_partnership_quality_key_with_leader_reads_waiting_reports(void **state)
{
    char key[128], id[40], path[200];
    harness_stack_new_key(&s_stack, NULL, "[\"quality\",\"leader\"]", key);
    s_waiting_report(id);
    snprintf(path, sizeof path, "/v1/deviations/%s", id);
    harness_http_response_t *r = harness_stack_send_as(&s_stack, key, "GET", path, NULL);
    long status = r->status;
    harness_http_response_free(&r);
    bool seen;
    s_in_feed(key, "no.samhand.deviation.review_requested", id, &seen);
    if (!seen)
        return;
    /* not only that it waits: the event is the report (its data, base64 in the feed) */
    r = harness_stack_send_as(&s_stack, key, "GET",
                              "/v1/events?types=no.samhand.deviation.review_requested&limit=500",
                              NULL);
    bool whole = r->status == 200 && strstr(r->body, "SAM-EPIKRISE") != NULL;
    harness_http_response_free(&r);
    fail_msg("a key of no organisation with quality and leader reads the review_requested "
             "event of another organisation's report waiting in review%s (GET of the report "
             "itself: %ld)",
             whole ? ", the report with it" : "", status);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_the_receivers_secretariat_takes_the_review_address),
        cmocka_unit_test(test_a_partnership_quality_key_with_leader_reads_waiting_reports),
    };
    return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
