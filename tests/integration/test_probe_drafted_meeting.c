/* What the secretariat drafts after a notice reaches no one until the
 * supplementary notice, along three ways a review found open (and that
 * are closed since): the meeting list's from/to window is of the time the
 * reader reads (the last notice's, not the draft's, so a drafted date is
 * not found by narrowing the window); an action (and a placed proposal)
 * takes its item's exemption from the last notice as well as the draft (a
 * drafted lifting of an exemption shows nothing before its notice); and
 * an exempt item drafted onto a noticed meeting gives no public title
 * away through an action on it. The case view reads the same way. */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static harness_stack_t s_stack;
static char s_trust[40], s_levanger[40], s_asu[40];
static char s_outsider[80]; /* a member key of Levanger, of no committee */

static harness_http_response_t *s_as(const char *key, const char *method, const char *path,
                                     const char *body)
{
    return harness_stack_send_by(&s_stack, key, method, path, body);
}

static void s_meeting(const char *start, char id[40])
{
    char body[512];
    snprintf(body, sizeof body,
             "{\"committeeId\":\"%s\",\"startTime\":\"%sT12:00:00+01:00\","
             "\"endTime\":\"%sT15:00:00+01:00\",\"place\":\"Levanger\"}",
             s_asu, start, start);
    harness_stack_create(&s_stack, "/v1/meetings", body, id);
}

static void s_item(const char *meeting, const char *body, char id[40])
{
    char path[128];
    snprintf(path, sizeof path, "/v1/meetings/%s/items", meeting);
    harness_http_response_t *r = harness_stack_send(&s_stack, "POST", path, body);
    harness_expect_status(r, 200);
    json_t *items = json_object_get(r->json, "items");
    json_t *item = json_array_get(items, json_array_size(items) - 1);
    snprintf(id, 40, "%s", json_string_value(json_object_get(item, "id")));
    harness_http_response_free(&r);
}

static void s_publish(const char *meeting)
{
    char path[128];
    snprintf(path, sizeof path, "/v1/meetings/%s/publish", meeting);
    harness_http_response_t *r = harness_stack_send(&s_stack, "POST", path, NULL);
    harness_expect_status(r, 200);
    harness_http_response_free(&r);
}

static void s_action(const char *item, const char *description, char id[40])
{
    char body[512];
    snprintf(body, sizeof body,
             "{\"committeeId\":\"%s\",\"itemId\":\"%s\",\"description\":\"%s\","
             "\"dueDate\":\"2027-09-01\"}",
             s_asu, item, description);
    harness_stack_create(&s_stack, "/v1/actions", body, id);
}

static int s_setup(void **state)
{
    harness_stack_start(&s_stack, harness_database_url());
    harness_stack_create(
        &s_stack, "/v1/organizations",
        "{\"name\":\"Helse Nord-Trøndelag HF\",\"organizationNumber\":\"983974880\","
        "\"kind\":\"HOSPITAL_TRUST\"}",
        s_trust);
    harness_stack_create(&s_stack, "/v1/organizations",
                         "{\"name\":\"Levanger kommune\",\"organizationNumber\":\"938587051\","
                         "\"kind\":\"MUNICIPALITY\"}",
                         s_levanger);
    char body[512];
    snprintf(body, sizeof body,
             "{\"name\":\"Administrativt samarbeidsutvalg\",\"shortName\":\"ASU\","
             "\"kind\":\"ADMINISTRATIVE\",\"secretariatOrganizationId\":\"%s\"}",
             s_trust);
    harness_stack_create(&s_stack, "/v1/committees", body, s_asu);
    snprintf(body, sizeof body,
             "{\"name\":\"member\",\"organizationId\":\"%s\",\"roles\":[\"member\"]}", s_levanger);
    harness_http_response_t *r = harness_stack_send(&s_stack, "POST", "/v1/api-keys", body);
    harness_expect_status(r, 201);
    snprintf(s_outsider, sizeof s_outsider, "%s", harness_json_text(r, "key"));
    harness_http_response_free(&r);
    return 0;
}

static int s_teardown(void **state)
{
    harness_stack_stop(&s_stack);
    return 0;
}

static bool s_listed(const char *from, const char *to, const char *meeting)
{
    char path[256];
    snprintf(path, sizeof path, "/v1/meetings?committeeId=%s&from=%s&to=%s&limit=100", s_asu, from,
             to);
    harness_http_response_t *r = s_as(NULL, "GET", path, NULL);
    harness_expect_status(r, 200);
    bool listed = strstr(r->body, meeting) != NULL;
    harness_http_response_free(&r);
    return listed;
}

static void test_the_list_window_tells_a_drafted_date(void **state)
{
    char meeting[40], item[40], path[160];
    s_meeting("2027-05-10", meeting);
    s_item(meeting, "{\"kind\":\"CASE\",\"title\":\"Budsjett\",\"durationMin\":20}", item);
    s_publish(meeting);
    /* the secretariat drafts a move; no supplementary notice yet */
    snprintf(path, sizeof path, "/v1/meetings/%s", meeting);
    harness_http_response_t *r = harness_stack_send(
        &s_stack, "PATCH", path,
        "{\"startTime\":\"2027-06-21T12:00:00+02:00\",\"endTime\":\"2027-06-21T15:00:00+02:00\"}");
    harness_expect_status(r, 200);
    harness_http_response_free(&r);
    /* the public reads the notice's date */
    r = s_as(NULL, "GET", path, NULL);
    harness_expect_status(r, 200);
    assert_non_null(strstr(harness_json_text(r, "startTime"), "2027-05-10"));
    harness_http_response_free(&r);
    bool on_noticed_day = s_listed("2027-05-10", "2027-05-10", meeting);
    bool on_drafted_day = s_listed("2027-06-21", "2027-06-21", meeting);
    if (on_drafted_day || !on_noticed_day)
        fail_msg("without a key, GET /v1/meetings?from=&to= lists the noticed meeting on its "
                 "drafted day 2027-06-21 (%s) and %s on its noticed day 2027-05-10: the window "
                 "filters the working draft's starts_at",
                 on_drafted_day ? "listed" : "not listed", on_noticed_day ? "lists it" : "not");
}

static void test_a_drafted_lifting_of_an_exemption_shows_the_action(void **state)
{
    char meeting[40], item[40], action[40], path[200];
    s_meeting("2027-03-11", meeting);
    s_item(meeting,
           "{\"kind\":\"CASE\",\"title\":\"Oppsigelse av CANARY-NAVN\",\"durationMin\":20,"
           "\"isExempt\":true,\"publicTitle\":\"Sak om personal\","
           "\"exemptionBasis\":\"offl. § 25\"}",
           item);
    s_action(item, "CANARY-TILTAK", action);
    s_publish(meeting);
    snprintf(path, sizeof path, "/v1/meetings/%s/items/%s", meeting, item);
    harness_http_response_t *r =
        harness_stack_send(&s_stack, "PATCH", path, "{\"isExempt\":false,\"exemptionBasis\":\"\"}");
    harness_expect_status(r, 200);
    harness_http_response_free(&r);
    /* the meeting still reads as its notice: the item is exempt */
    snprintf(path, sizeof path, "/v1/meetings/%s", meeting);
    r = s_as(s_outsider, "GET", path, NULL);
    harness_expect_status(r, 200);
    bool meeting_hides = strstr(r->body, "CANARY-NAVN") == NULL;
    harness_http_response_free(&r);
    snprintf(path, sizeof path, "/v1/actions/%s", action);
    r = s_as(s_outsider, "GET", path, NULL);
    harness_expect_status(r, 200);
    bool action_shows = strstr(r->body, "CANARY-TILTAK") != NULL;
    harness_http_response_free(&r);
    if (action_shows)
        fail_msg("a drafted lifting of an exemption (no supplementary notice) shows the exempt "
                 "case's action CANARY-TILTAK to one without standing (the meeting %s the item)",
                 meeting_hides ? "still hides" : "shows");
}

static void test_an_exempt_item_drafted_after_the_notice_shows_through_its_action(void **state)
{
    char meeting[40], item[40], drafted[40], action[40], path[200];
    s_meeting("2027-04-08", meeting);
    s_item(meeting, "{\"kind\":\"CASE\",\"title\":\"Samhandlingsavtalen\",\"durationMin\":20}",
           item);
    s_publish(meeting);
    /* drafted onto the noticed meeting: reaches no one before its notice */
    s_item(meeting,
           "{\"kind\":\"CASE\",\"title\":\"Tilsetting av CANARY-NAVN\",\"durationMin\":20,"
           "\"isExempt\":true,\"publicTitle\":\"CANARY-UTKAST\",\"exemptionBasis\":\"offl. § 25\"}",
           drafted);
    s_action(drafted, "Forberede saken", action);
    snprintf(path, sizeof path, "/v1/meetings/%s", meeting);
    harness_http_response_t *r = s_as(s_outsider, "GET", path, NULL);
    harness_expect_status(r, 200);
    bool meeting_hides = strstr(r->body, "CANARY-UTKAST") == NULL;
    harness_http_response_free(&r);
    snprintf(path, sizeof path, "/v1/actions/%s", action);
    r = s_as(s_outsider, "GET", path, NULL);
    harness_expect_status(r, 200);
    bool action_shows = strstr(r->body, "CANARY-UTKAST") != NULL;
    harness_http_response_free(&r);
    if (action_shows)
        fail_msg("the public title CANARY-UTKAST of an item drafted after the notice reaches one "
                 "without standing through an action on it (the meeting %s it): "
                 "ITEM_PUBLIC_TITLE falls back to agenda_items when the last notice lacks the item",
                 meeting_hides ? "hides" : "shows");
}

/* GET /v1/cases/{id} (agenda_store_case_get) reads its treatments from the
 * working draft: the meeting's starts_at, the item's is_exempt and
 * public_title, so a drafted move and a drafted lifting of an exemption
 * (the exempt case's title, the case's own) reach those without standing. */
static void test_a_case_view_reads_the_draft(void **state)
{
    char meeting[40], item[40], case_id[40], path[200];
    s_meeting("2027-02-11", meeting);
    char body[512];
    snprintf(path, sizeof path, "/v1/meetings/%s/items", meeting);
    harness_http_response_t *r = harness_stack_send(
        &s_stack, "POST", path,
        "{\"kind\":\"CASE\",\"title\":\"Oppsigelse av CANARY-SAK\",\"durationMin\":20,"
        "\"isExempt\":true,\"publicTitle\":\"Sak om personal\",\"exemptionBasis\":\"offl. § 25\"}");
    harness_expect_status(r, 200);
    json_t *items = json_object_get(r->json, "items");
    json_t *last = json_array_get(items, json_array_size(items) - 1);
    snprintf(item, sizeof item, "%s", json_string_value(json_object_get(last, "id")));
    snprintf(case_id, sizeof case_id, "%s", json_string_value(json_object_get(last, "caseId")));
    harness_http_response_free(&r);
    s_publish(meeting);
    snprintf(path, sizeof path, "/v1/cases/%s", case_id);
    r = s_as(s_outsider, "GET", path, NULL);
    harness_expect_status(r, 200);
    bool hidden_before = strstr(r->body, "CANARY-SAK") == NULL;
    harness_http_response_free(&r);
    /* drafted: a move and the exemption lifted; no supplementary notice */
    snprintf(path, sizeof path, "/v1/meetings/%s", meeting);
    r = harness_stack_send(
        &s_stack, "PATCH", path,
        "{\"startTime\":\"2027-02-25T12:00:00+01:00\",\"endTime\":\"2027-02-25T15:00:00+01:00\"}");
    harness_expect_status(r, 200);
    harness_http_response_free(&r);
    snprintf(path, sizeof path, "/v1/meetings/%s/items/%s", meeting, item);
    r = harness_stack_send(&s_stack, "PATCH", path, "{\"isExempt\":false,\"exemptionBasis\":\"\"}");
    harness_expect_status(r, 200);
    harness_http_response_free(&r);
    snprintf(path, sizeof path, "/v1/cases/%s", case_id);
    r = s_as(s_outsider, "GET", path, NULL);
    harness_expect_status(r, 200);
    bool title_shown = strstr(r->body, "CANARY-SAK") != NULL;
    /* 2027-02-25T11:00:00Z, the drafted start */
    bool drafted_time = strstr(r->body, "2027-02-25") != NULL;
    snprintf(body, sizeof body, "%.300s", r->body);
    harness_http_response_free(&r);
    if (hidden_before && (title_shown || drafted_time))
        fail_msg("GET /v1/cases/{id} by one without standing reads the draft of a noticed "
                 "meeting:%s%s: %s",
                 title_shown ? " the exempt title (exemption lifted in the draft only)" : "",
                 drafted_time ? " the drafted start 2027-02-25" : "", body);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_the_list_window_tells_a_drafted_date),
        cmocka_unit_test(test_a_drafted_lifting_of_an_exemption_shows_the_action),
        cmocka_unit_test(test_an_exempt_item_drafted_after_the_notice_shows_through_its_action),
        cmocka_unit_test(test_a_case_view_reads_the_draft),
    };
    return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
