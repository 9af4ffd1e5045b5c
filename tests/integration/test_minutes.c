/* Minutes as in the expert council's minutes of 27.02.2025 (seed 000): a
 * chair standing in, a case postponed to the next meeting that lands there
 * by itself and stays one case, discussion points and decisions, approval
 * that freezes the minutes, and a case that goes on to ASU. */
#include "harness.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static harness_stack_t s_stack;
static char s_council[40], s_asu[40], s_romuld[40], s_valla[40], s_dolmen[40];

static void s_meeting(const char *committee, const char *start, const char *end, char id[40])
{
    char body[512];
    snprintf(body, sizeof body,
             "{\"committeeId\":\"%s\",\"startTime\":\"%s\",\"endTime\":\"%s\",\"place\":\"Teams\"}",
             committee, start, end);
    harness_stack_create(&s_stack, "/v1/meetings", body, id);
}

static harness_http_response_t *s_outcome(const char *meeting, const char *item, const char *body)
{
    char path[200];
    snprintf(path, sizeof path, "/v1/meetings/%s/items/%s/outcome", meeting, item);
    return harness_stack_send(&s_stack, "PUT", path, body);
}

static json_t *s_items_of(const char *meeting, harness_http_response_t **r)
{
    char path[128];
    snprintf(path, sizeof path, "/v1/meetings/%s", meeting);
    *r = harness_stack_get(&s_stack, path);
    harness_expect_status(*r, 200);
    return json_object_get((*r)->json, "items");
}

static int s_setup(void **state)
{
    harness_stack_start(&s_stack, harness_database_url());
    char org[40], body[512];
    harness_stack_create(
        &s_stack, "/v1/organizations",
        "{\"name\":\"Helse Nord-Trøndelag HF\",\"organizationNumber\":\"983974880\","
        "\"kind\":\"HOSPITAL_TRUST\"}",
        org);
    snprintf(body, sizeof body, "{\"name\":\"Elisabeth Romuld\",\"organizationId\":\"%s\"}", org);
    harness_stack_create(&s_stack, "/v1/persons", body, s_romuld);
    snprintf(body, sizeof body, "{\"name\":\"Liv Hege Valla\",\"organizationId\":\"%s\"}", org);
    harness_stack_create(&s_stack, "/v1/persons", body, s_valla);
    snprintf(body, sizeof body, "{\"name\":\"Jenny Dolmen\",\"organizationId\":\"%s\"}", org);
    harness_stack_create(&s_stack, "/v1/persons", body, s_dolmen);
    harness_stack_create(
        &s_stack, "/v1/committees",
        "{\"name\":\"Fagråd for legesamarbeid mellom kommunene og Helse Nord-Trøndelag\","
        "\"shortName\":\"Fagråd lege\",\"kind\":\"EXPERT_COUNCIL\"}",
        s_council);
    harness_stack_create(&s_stack, "/v1/committees",
                         "{\"name\":\"Administrativt samarbeidsutvalg\",\"shortName\":\"ASU\","
                         "\"kind\":\"ADMINISTRATIVE\"}",
                         s_asu);
    return 0;
}

static int s_teardown(void **state)
{
    harness_stack_stop(&s_stack);
    return 0;
}

static char s_feb[40], s_routine[40], s_lis[40], s_welcome[40];

static void test_minutes_of_27_february_2025(void **state)
{
    s_meeting(s_council, "2025-02-27T14:00:00+01:00", "2025-02-27T15:30:00+01:00", s_feb);
    char path[200], body[512];
    snprintf(path, sizeof path, "/v1/meetings/%s", s_feb);
    snprintf(body, sizeof body, "{\"chairPersonId\":\"%s\"}", s_romuld);
    harness_http_response_t *r = harness_stack_send(&s_stack, "PATCH", path, body);
    harness_expect_status(r, 200);
    harness_http_response_free(&r);
    harness_stack_add_item(
        &s_stack, s_feb, "{\"kind\":\"NOTICE_APPROVAL\",\"title\":\"Velkommen\",\"durationMin\":5}",
        s_welcome);
    harness_stack_add_item(
        &s_stack, s_feb,
        "{\"kind\":\"CASE\",\"title\":\"Revidert rutine for legesamarbeid\",\"durationMin\":20}",
        s_routine);
    harness_stack_add_item(
        &s_stack, s_feb,
        "{\"kind\":\"CASE\",\"title\":\"Revidert særavtale for LIS 1 og ALIS\",\"durationMin\":30}",
        s_lis);

    /* no minutes before the notice */
    r = s_outcome(s_feb, s_routine, "{\"outcome\":\"POSTPONED\"}");
    harness_assert_problem(r, 409, "state");
    harness_http_response_free(&r);
    harness_stack_publish(&s_stack, s_feb);

    snprintf(path, sizeof path, "/v1/meetings/%s/attendance", s_feb);
    snprintf(body, sizeof body,
             "{\"entries\":[{\"personId\":\"%s\",\"status\":\"PRESENT\"},"
             "{\"personId\":\"%s\",\"status\":\"DEPUTY\",\"deputyForPersonId\":\"%s\"},"
             "{\"personId\":\"%s\",\"status\":\"ABSENT_WITH_NOTICE\"}]}",
             s_romuld, s_valla, s_dolmen, s_dolmen);
    r = harness_stack_send(&s_stack, "PUT", path, body);
    harness_expect_status(r, 200);
    assert_string_equal(harness_json_text(r, "state"), "HELD");
    assert_int_equal(json_array_size(json_object_get(r->json, "attendance")), 3);
    harness_http_response_free(&r);
    snprintf(body, sizeof body, "{\"entries\":[{\"personId\":\"%s\",\"status\":\"DEPUTY\"}]}",
             s_valla);
    r = harness_stack_send(&s_stack, "PUT", path, body);
    harness_assert_problem(r, 400, "entries[0].deputyForPersonId");
    harness_http_response_free(&r);

    r = s_outcome(s_feb, s_welcome, "{\"outcome\":\"ADOPTED_AS_PROPOSED\"}");
    harness_expect_status(r, 200);
    harness_http_response_free(&r);
    r = s_outcome(
        s_feb, s_routine,
        "{\"outcome\":\"POSTPONED\",\"decision\":\"Utsettelsen til neste møte godkjennes.\"}");
    harness_expect_status(r, 200);
    harness_http_response_free(&r);

    /* approval needs every outcome, and names what is missing */
    snprintf(path, sizeof path, "/v1/meetings/%s/minutes/approve", s_feb);
    r = harness_stack_send(&s_stack, "POST", path, NULL);
    harness_assert_problem(r, 409, "items");
    assert_non_null(strstr(harness_json_text(r, "detail"), "3/25"));
    harness_http_response_free(&r);

    r = s_outcome(s_feb, s_lis, "{\"outcome\":\"ADOPTED_AS_AMENDED\"}");
    harness_assert_problem(r, 400, "decision");
    harness_http_response_free(&r);
    r = s_outcome(s_feb, s_lis,
                  "{\"outcome\":\"ADOPTED_AS_AMENDED\",\"decision\":\"Fagrådet ber om at "
                  "kommunene får delta i tilsettingsutvalget.\",\"discussionPoints\":["
                  "\"Kvalifikasjonsprinsippet gjelder, men er vanskelig når svært mange "
                  "kandidater står veldig likt.\",\"Færre kommuneoverleger å velge inn til "
                  "dette arbeidet.\"]}");
    harness_expect_status(r, 200);
    harness_http_response_free(&r);

    snprintf(path, sizeof path, "/v1/meetings/%s/minutes.html", s_feb);
    r = harness_stack_get(&s_stack, path);
    harness_expect_status(r, 200);
    assert_non_null(strstr(r->body, "<h1>Referat fra Fagråd for legesamarbeid mellom kommunene og "
                                    "Helse Nord-Trøndelag 27.02.2025</h1>"));
    assert_non_null(strstr(r->body, "Utkast – ikke godkjent."));
    assert_non_null(strstr(r->body, "Møteleder: Elisabeth Romuld"));
    assert_non_null(strstr(r->body, "<p>Til stede: Elisabeth Romuld</p>"));
    assert_non_null(strstr(r->body, "<p>Vara: Liv Hege Valla (for Jenny Dolmen)</p>"));
    assert_non_null(strstr(r->body, "<h3>2/25 Revidert rutine for legesamarbeid</h3>"));
    assert_non_null(strstr(r->body, "Utsettelsen til neste møte godkjennes."));
    assert_non_null(
        strstr(r->body, "<li>Færre kommuneoverleger å velge inn til dette arbeidet.</li>"));
    harness_http_response_free(&r);

    snprintf(path, sizeof path, "/v1/meetings/%s/minutes/approve", s_feb);
    r = harness_stack_send(&s_stack, "POST", path, NULL);
    harness_expect_status(r, 200);
    assert_string_equal(harness_json_text(r, "state"), "MINUTES_APPROVED");
    harness_http_response_free(&r);

    /* approved minutes are frozen */
    r = s_outcome(s_feb, s_lis, "{\"outcome\":\"NOTED\"}");
    harness_assert_problem(r, 409, "state");
    harness_http_response_free(&r);
}

static void test_postponed_case_lands_on_the_next_agenda(void **state)
{
    /* the next meeting is created after the postponement: the case is there */
    char april[40];
    s_meeting(s_council, "2025-04-24T14:00:00+02:00", "2025-04-24T15:30:00+02:00", april);
    harness_http_response_t *r;
    json_t *items = s_items_of(april, &r);
    assert_int_equal(json_array_size(items), 1);
    json_t *carried = json_array_get(items, 0);
    assert_string_equal(json_string_value(json_object_get(carried, "title")),
                        "Revidert rutine for legesamarbeid");
    assert_string_equal(json_string_value(json_object_get(carried, "carriedFromItemId")),
                        s_routine);
    char case_id[40], carried_id[40];
    snprintf(case_id, sizeof case_id, "%s", json_string_value(json_object_get(carried, "caseId")));
    snprintf(carried_id, sizeof carried_id, "%s",
             json_string_value(json_object_get(carried, "id")));
    assert_int_equal(strlen(case_id), 36);
    harness_http_response_free(&r);

    /* it is the same case: both treatments are listed */
    char path[128];
    snprintf(path, sizeof path, "/v1/cases/%s", case_id);
    r = harness_stack_get(&s_stack, path);
    harness_expect_status(r, 200);
    json_t *treatments = json_object_get(r->json, "treatments");
    assert_int_equal(json_array_size(treatments), 2);
    assert_string_equal(
        json_string_value(json_object_get(json_array_get(treatments, 0), "outcome")), "POSTPONED");
    assert_string_equal(
        json_string_value(json_object_get(json_array_get(treatments, 0), "caseNumber")), "2/25");
    harness_http_response_free(&r);

    /* the case goes on to ASU: a third treatment in another committee */
    char asu_meeting[40], asu_item[40], body[256];
    s_meeting(s_asu, "2025-05-14T13:00:00+02:00", "2025-05-14T16:00:00+02:00", asu_meeting);
    snprintf(body, sizeof body,
             "{\"kind\":\"CASE\",\"title\":\"Revidert rutine for legesamarbeid\","
             "\"durationMin\":20,\"caseId\":\"%s\"}",
             case_id);
    harness_stack_add_item(&s_stack, asu_meeting, body, asu_item);
    r = harness_stack_get(&s_stack, path);
    treatments = json_object_get(r->json, "treatments");
    assert_int_equal(json_array_size(treatments), 3);
    assert_string_equal(
        json_string_value(json_object_get(json_array_get(treatments, 2), "committeeName")),
        "Administrativt samarbeidsutvalg");
    harness_http_response_free(&r);
    r = harness_stack_send(&s_stack, "POST",
                           "/v1/meetings/00000000-0000-0000-0000-000000000000/items",
                           "{\"kind\":\"CASE\",\"title\":\"X\",\"durationMin\":5}");
    harness_assert_problem(r, 404, NULL);
    harness_http_response_free(&r);
    snprintf(path, sizeof path, "/v1/meetings/%s/items", asu_meeting);
    r = harness_stack_send(&s_stack, "POST", path,
                           "{\"kind\":\"CASE\",\"title\":\"X\",\"durationMin\":5,"
                           "\"caseId\":\"00000000-0000-0000-0000-000000000000\"}");
    harness_assert_problem(r, 400, "caseId");
    harness_http_response_free(&r);
}

static void test_postponement_undone_leaves_the_draft(void **state)
{
    /* the next meeting exists first; a postponement lands on it at once,
     * and leaves again when the outcome changes */
    char june[40], sept[40], item[40];
    s_meeting(s_council, "2025-06-05T14:00:00+02:00", "2025-06-05T15:00:00+02:00", june);
    harness_stack_add_item(&s_stack, june,
                           "{\"kind\":\"CASE\",\"title\":\"Legevaktsamarbeid\",\"durationMin\":20}",
                           item);
    harness_stack_add_item(
        &s_stack, june,
        "{\"kind\":\"ANY_OTHER_BUSINESS\",\"title\":\"Eventuelt\",\"durationMin\":5}",
        (char[40]){0});
    s_meeting(s_council, "2025-09-04T14:00:00+02:00", "2025-09-04T15:00:00+02:00", sept);
    char aob[40];
    harness_stack_add_item(
        &s_stack, sept,
        "{\"kind\":\"ANY_OTHER_BUSINESS\",\"title\":\"Eventuelt\",\"durationMin\":5}", aob);
    harness_stack_publish(&s_stack, june);

    harness_http_response_t *r = s_outcome(june, item, "{\"outcome\":\"POSTPONED\"}");
    harness_expect_status(r, 200);
    harness_http_response_free(&r);
    json_t *items = s_items_of(sept, &r);
    assert_int_equal(json_array_size(items), 2);
    /* before any other business */
    assert_string_equal(json_string_value(json_object_get(json_array_get(items, 0), "title")),
                        "Legevaktsamarbeid");
    assert_string_equal(json_string_value(json_object_get(json_array_get(items, 1), "title")),
                        "Eventuelt");
    harness_http_response_free(&r);

    r = s_outcome(june, item, "{\"outcome\":\"NOTED\"}");
    harness_expect_status(r, 200);
    harness_http_response_free(&r);
    items = s_items_of(sept, &r);
    assert_int_equal(json_array_size(items), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(items, 0), "title")),
                        "Eventuelt");
    assert_int_equal(json_integer_value(json_object_get(json_array_get(items, 0), "position")), 1);
    harness_http_response_free(&r);
}

/* Adopted as proposed, the case document's proposed decisions become the
 * decision, numbered, as text of its own: the minutes and every treatment
 * of the case carry them (seed 000's LIS case:
 * "1. ASU ber forhandlingsutvalget ... 2. ASU ber om ..."). */
static void test_adopted_as_proposed_keeps_the_proposed_decisions(void **state)
{
    char meeting[40], item[40], bare[40], path[200];
    s_meeting(s_asu, "2025-03-17T12:00:00+01:00", "2025-03-17T15:00:00+01:00", meeting);
    harness_stack_add_item(&s_stack, meeting,
                           "{\"kind\":\"CASE\",\"title\":\"Revidert særavtale for LIS 1 og ALIS\","
                           "\"durationMin\":30}",
                           item);
    harness_stack_add_item(&s_stack, meeting,
                           "{\"kind\":\"CASE\",\"title\":\"Eventuelt\",\"durationMin\":10}", bare);
    snprintf(path, sizeof path, "/v1/meetings/%s/items/%s/document", meeting, item);
    harness_http_response_t *r = harness_stack_send(
        &s_stack, "PUT", path,
        "{\"proposedDecisions\":[\"ASU ber forhandlingsutvalget om å reforhandle særavtalene.\","
        "\"Forhandlingsutvalget kommer med innstilling til møtet den 2. juni.\"]}");
    harness_expect_status(r, 200);
    harness_http_response_free(&r);
    harness_stack_publish(&s_stack, meeting);

    r = s_outcome(meeting, item, "{\"outcome\":\"ADOPTED_AS_PROPOSED\"}");
    harness_expect_status(r, 200);
    harness_http_response_free(&r);
    /* nothing proposed, nothing written: "as proposed" would say nothing */
    r = s_outcome(meeting, bare, "{\"outcome\":\"ADOPTED_AS_PROPOSED\"}");
    harness_assert_problem(r, 400, "decision");
    harness_http_response_free(&r);

    /* the decision is its own text: the case document is frozen now the
     * meeting is held, and the decision stands beside it */
    r = harness_stack_send(&s_stack, "PUT", path, "{\"proposedDecisions\":[\"Noe annet.\"]}");
    harness_assert_problem(r, 409, "state");
    harness_http_response_free(&r);
    const char *want = "1. ASU ber forhandlingsutvalget om å reforhandle særavtalene.\n"
                       "2. Forhandlingsutvalget kommer med innstilling til møtet den 2. juni.";
    json_t *items = s_items_of(meeting, &r);
    json_t *adopted = json_array_get(items, 0);
    assert_string_equal(json_string_value(json_object_get(adopted, "decision")), want);
    char case_path[128];
    snprintf(case_path, sizeof case_path, "/v1/cases/%s",
             json_string_value(json_object_get(adopted, "caseId")));
    harness_http_response_free(&r);
    r = harness_stack_get(&s_stack, case_path);
    harness_expect_status(r, 200);
    json_t *treatment = json_array_get(json_object_get(r->json, "treatments"), 0);
    assert_string_equal(json_string_value(json_object_get(treatment, "decision")), want);
    harness_http_response_free(&r);
    snprintf(path, sizeof path, "/v1/meetings/%s/minutes.html", meeting);
    r = harness_stack_get(&s_stack, path);
    harness_expect_status(r, 200);
    assert_non_null(strstr(r->body, "1. ASU ber forhandlingsutvalget om å reforhandle "
                                    "særavtalene.<br>2. Forhandlingsutvalget"));
    assert_null(strstr(r->body, "Noe annet."));
    harness_http_response_free(&r);
}

/* A postponed case comes onto the next agenda with its case document, a
 * copy the secretary may revise without changing what went before, and
 * says where it came from on the agenda, the notice and the minutes. */
static void test_a_postponed_case_brings_its_document_and_its_origin(void **state)
{
    char october[40], item[40], november[40], path[200];
    s_meeting(s_asu, "2025-10-06T12:00:00+02:00", "2025-10-06T15:00:00+02:00", october);
    harness_stack_add_item(&s_stack, october,
                           "{\"kind\":\"CASE\",\"title\":\"Felles rutine for ø-hjelp\","
                           "\"durationMin\":20}",
                           item);
    snprintf(path, sizeof path, "/v1/meetings/%s/items/%s/document", october, item);
    harness_http_response_t *r =
        harness_stack_send(&s_stack, "PUT", path,
                           "{\"background\":\"Rutinen fra 2019 er utdatert.\","
                           "\"proposedDecisions\":[\"ASU vedtar den felles rutinen.\"]}");
    harness_expect_status(r, 200);
    harness_http_response_free(&r);
    harness_stack_publish(&s_stack, october);
    r = s_outcome(october, item, "{\"outcome\":\"POSTPONED\"}");
    harness_expect_status(r, 200);
    json_t *postponed = json_array_get(json_object_get(r->json, "items"), 0);
    char number[16];
    snprintf(number, sizeof number, "%s",
             json_string_value(json_object_get(postponed, "caseNumber")));
    harness_http_response_free(&r);

    s_meeting(s_asu, "2025-11-03T12:00:00+01:00", "2025-11-03T15:00:00+01:00", november);
    json_t *items = s_items_of(november, &r);
    json_t *carried = json_array_get(items, 0);
    char carried_id[40];
    snprintf(carried_id, sizeof carried_id, "%s",
             json_string_value(json_object_get(carried, "id")));
    assert_string_equal(json_string_value(json_object_get(carried, "carriedFromCaseNumber")),
                        number);
    assert_string_equal(json_string_value(json_object_get(carried, "carriedFromMeetingTime")),
                        "2025-10-06T10:00:00Z");
    harness_http_response_free(&r);

    /* its case document came along, and is its own */
    char carried_path[200];
    snprintf(carried_path, sizeof carried_path, "/v1/meetings/%s/items/%s/document", november,
             carried_id);
    r = harness_stack_get(&s_stack, carried_path);
    harness_expect_status(r, 200);
    assert_string_equal(harness_json_text(r, "background"), "Rutinen fra 2019 er utdatert.");
    harness_http_response_free(&r);
    r = harness_stack_send(
        &s_stack, "PUT", carried_path,
        "{\"background\":\"Rutinen fra 2019 er utdatert; høringen er avsluttet.\","
        "\"proposedDecisions\":[\"ASU vedtar den felles rutinen.\"]}");
    harness_expect_status(r, 200);
    harness_http_response_free(&r);
    r = harness_stack_get(&s_stack, path);
    assert_string_equal(harness_json_text(r, "background"), "Rutinen fra 2019 er utdatert.");
    harness_http_response_free(&r);

    /* where it came from, on the notice and in the minutes; it kept its
     * number (the committee's default practice), so says it once */
    const char *want = "Utsatt fra møtet 06.10.2025";
    harness_stack_publish(&s_stack, november);
    snprintf(path, sizeof path, "/v1/meetings/%s/notice.html", november);
    r = harness_stack_get(&s_stack, path);
    assert_non_null(strstr(r->body, want));
    assert_null(strstr(r->body, ", sak "));
    harness_http_response_free(&r);
    items = s_items_of(november, &r);
    assert_string_equal(json_string_value(json_object_get(json_array_get(items, 0), "caseNumber")),
                        number);
    harness_http_response_free(&r);
    r = s_outcome(november, carried_id, "{\"outcome\":\"ADOPTED_AS_PROPOSED\"}");
    harness_expect_status(r, 200);
    harness_http_response_free(&r);
    snprintf(path, sizeof path, "/v1/meetings/%s/minutes.html", november);
    r = harness_stack_get(&s_stack, path);
    assert_non_null(strstr(r->body, want));
    assert_non_null(strstr(r->body, "ASU vedtar den felles rutinen."));
    harness_http_response_free(&r);
}

/* Minutes are written from the meeting's start, not before, and approved
 * only once it has ended: a meeting months ahead has no minutes yet. */
static void test_no_minutes_before_the_meeting(void **state)
{
    char ahead[40], item[40], path[200];
    s_meeting(s_asu, "2031-02-05T12:00:00+01:00", "2031-02-05T15:00:00+01:00", ahead);
    harness_stack_add_item(&s_stack, ahead,
                           "{\"kind\":\"CASE\",\"title\":\"Økonomi\",\"durationMin\":20}", item);
    harness_stack_publish(&s_stack, ahead);
    snprintf(path, sizeof path, "/v1/meetings/%s/attendance", ahead);
    harness_http_response_t *r = harness_stack_send(&s_stack, "PUT", path, "{\"entries\":[]}");
    harness_assert_problem(r, 409, "startTime");
    assert_non_null(strstr(r->body, "05.02.2031 kl. 12.00"));
    harness_http_response_free(&r);
    r = s_outcome(ahead, item, "{\"outcome\":\"NOTED\"}");
    harness_assert_problem(r, 409, "startTime");
    harness_http_response_free(&r);
    snprintf(path, sizeof path, "/v1/meetings/%s/minutes/approve", ahead);
    r = harness_stack_send(&s_stack, "POST", path, NULL);
    harness_assert_problem(r, 409, "endTime");
    harness_http_response_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_minutes_of_27_february_2025),
        cmocka_unit_test(test_adopted_as_proposed_keeps_the_proposed_decisions),
        cmocka_unit_test(test_a_postponed_case_brings_its_document_and_its_origin),
        cmocka_unit_test(test_no_minutes_before_the_meeting),
        cmocka_unit_test(test_postponed_case_lands_on_the_next_agenda),
        cmocka_unit_test(test_postponement_undone_leaves_the_draft),
    };
    return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
