/* Proposals as in the expert council's minutes (seed 000, item 5): a case
 * submitted by Camilla Forr and the GPs in Steinkjer, placed on the agenda
 * with who brought it; another declined with a reason; each decision an
 * event for the submitter. */
#include "harness.h"

#include <libpq-fe.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static harness_stack_t s_stack;
static const char *s_db;
static char s_council[40], s_other[40], s_steinkjer[40], s_meeting[40], s_levanger[40];

static long s_outbox(const char *type)
{
    PGconn *conn = PQconnectdb(s_db);
    const char *params[] = {type};
    PGresult *res = PQexecParams(conn, "SELECT count(*) FROM agenda.outbox WHERE type = $1", 1,
                                 NULL, params, NULL, NULL, 0);
    long n = atol(PQgetvalue(res, 0, 0));
    PQclear(res);
    PQfinish(conn);
    return n;
}

static int s_setup(void **state)
{
    s_db = harness_database_url();
    harness_stack_start(&s_stack, s_db);
    harness_stack_create(&s_stack, "/v1/committees",
                         "{\"name\":\"Fagråd for legesamarbeid\",\"kind\":\"EXPERT_COUNCIL\"}",
                         s_council);
    harness_stack_create(&s_stack, "/v1/committees",
                         "{\"name\":\"Annet utvalg\",\"kind\":\"OTHER\"}", s_other);
    harness_stack_create(&s_stack, "/v1/organizations",
                         "{\"name\":\"Steinkjer kommune\",\"organizationNumber\":\"944350675\","
                         "\"kind\":\"MUNICIPALITY\"}",
                         s_steinkjer);
    harness_stack_create(&s_stack, "/v1/organizations",
                         "{\"name\":\"Levanger kommune\",\"organizationNumber\":\"938587051\","
                         "\"kind\":\"MUNICIPALITY\"}",
                         s_levanger);
    char body[512];
    snprintf(body, sizeof body,
             "{\"committeeId\":\"%s\",\"startTime\":\"2031-02-27T14:00:00+01:00\","
             "\"endTime\":\"2031-02-27T15:30:00+01:00\",\"place\":\"Teams\"}",
             s_council);
    harness_stack_create(&s_stack, "/v1/meetings", body, s_meeting);
    return 0;
}

static int s_teardown(void **state)
{
    harness_stack_stop(&s_stack);
    return 0;
}

static void test_accepted_onto_the_agenda(void **state)
{
    char path[200], body[1024], id[40];
    snprintf(path, sizeof path, "/v1/committees/%s/proposals", s_council);
    snprintf(body, sizeof body,
             "{\"title\":\"Avviksmeldinger Helseplattformen\",\"description\":\"E-poster til HNT "
             "med avviksmeldinger svares ikke lenger ut.\",\"submitterName\":\"Camilla Forr og "
             "fastlegene i Steinkjer\",\"submitterEmail\":\"camilla.forr@steinkjer.kommune.no\","
             "\"organizationId\":\"%s\"}",
             s_steinkjer);
    harness_http_response_t *r = harness_stack_send(&s_stack, "POST", path, body);
    harness_expect_status(r, 201);
    assert_string_equal(harness_json_text(r, "state"), "SUBMITTED");
    snprintf(id, sizeof id, "%s", harness_json_text(r, "id"));
    harness_http_response_free(&r);

    /* not onto another committee's meeting */
    char other_meeting[40];
    snprintf(body, sizeof body,
             "{\"committeeId\":\"%s\",\"startTime\":\"2031-03-01T10:00:00+01:00\","
             "\"endTime\":\"2031-03-01T11:00:00+01:00\"}",
             s_other);
    harness_stack_create(&s_stack, "/v1/meetings", body, other_meeting);
    snprintf(path, sizeof path, "/v1/proposals/%s/accept", id);
    snprintf(body, sizeof body, "{\"meetingId\":\"%s\"}", other_meeting);
    r = harness_stack_send(&s_stack, "POST", path, body);
    harness_assert_problem(r, 400, "meetingId");
    harness_http_response_free(&r);

    snprintf(body, sizeof body, "{\"meetingId\":\"%s\",\"durationMin\":20}", s_meeting);
    r = harness_stack_send(&s_stack, "POST", path, body);
    harness_expect_status(r, 200);
    assert_string_equal(harness_json_text(r, "state"), "ACCEPTED");
    assert_string_equal(harness_json_text(r, "meetingId"), s_meeting);
    char item[40];
    snprintf(item, sizeof item, "%s", harness_json_text(r, "itemId"));
    assert_int_equal(strlen(item), 36);
    harness_http_response_free(&r);

    /* on the agenda, with who brought it in, as a case of its own */
    snprintf(path, sizeof path, "/v1/meetings/%s", s_meeting);
    r = harness_stack_get(&s_stack, path);
    json_t *first = json_array_get(json_object_get(r->json, "items"), 0);
    assert_string_equal(json_string_value(json_object_get(first, "id")), item);
    assert_string_equal(json_string_value(json_object_get(first, "title")),
                        "Avviksmeldinger Helseplattformen");
    assert_non_null(strstr(json_string_value(json_object_get(first, "description")),
                           "Innmeldt sak fra Camilla Forr og fastlegene i Steinkjer."));
    assert_int_equal(strlen(json_string_value(json_object_get(first, "caseId"))), 36);
    harness_http_response_free(&r);

    /* decided once */
    snprintf(path, sizeof path, "/v1/proposals/%s/decline", id);
    r = harness_stack_send(&s_stack, "POST", path, "{\"reason\":\"For sent.\"}");
    harness_assert_problem(r, 409, "state");
    harness_http_response_free(&r);
    assert_int_equal(s_outbox("no.samhand.proposal.submitted"), 1);
    assert_int_equal(s_outbox("no.samhand.proposal.accepted"), 1);
}

static void test_declined_with_a_reason(void **state)
{
    char path[200], id[40];
    snprintf(path, sizeof path, "/v1/committees/%s/proposals", s_council);
    harness_stack_create(
        &s_stack, path,
        "{\"title\":\"Parkering ved sykehuset\",\"submitterName\":\"Ola Nordmann\"}", id);
    snprintf(path, sizeof path, "/v1/proposals/%s/decline", id);
    harness_http_response_t *r = harness_stack_send(&s_stack, "POST", path, "{}");
    harness_assert_problem(r, 400, "reason");
    harness_http_response_free(&r);
    r = harness_stack_send(
        &s_stack, "POST", path,
        "{\"reason\":\"Ligger utenfor fagrådets mandat; sendt til sykehuset.\"}");
    harness_expect_status(r, 200);
    assert_string_equal(harness_json_text(r, "state"), "DECLINED");
    assert_string_equal(harness_json_text(r, "declineReason"),
                        "Ligger utenfor fagrådets mandat; sendt til sykehuset.");
    assert_true(strlen(harness_json_text(r, "decideTime")) >= 20);
    harness_http_response_free(&r);
    assert_int_equal(s_outbox("no.samhand.proposal.declined"), 1);

    snprintf(path, sizeof path, "/v1/committees/%s/proposals?state=DECLINED", s_council);
    r = harness_stack_get(&s_stack, path);
    assert_int_equal(json_array_size(json_object_get(r->json, "items")), 1);
    harness_http_response_free(&r);

    snprintf(path, sizeof path, "/v1/committees/%s/proposals", s_council);
    r = harness_stack_send(&s_stack, "POST", path, "{\"title\":\"X\"}");
    harness_assert_problem(r, 400, "submitterName");
    harness_http_response_free(&r);
    r = harness_stack_send(&s_stack, "POST", path,
                           "{\"title\":\"X\",\"submitterName\":\"Y\",\"submitterEmail\":\"nei\"}");
    harness_assert_problem(r, 400, "submitterEmail");
    harness_http_response_free(&r);
    r = harness_stack_send(&s_stack, "POST",
                           "/v1/committees/00000000-0000-0000-0000-000000000000/proposals",
                           "{\"title\":\"X\",\"submitterName\":\"Y\"}");
    harness_assert_problem(r, 404, "committeeId");
    harness_http_response_free(&r);
}

/* A new API key of `organization_id` with `role`. */
static void s_key(const char *organization_id, const char *role, char key[80])
{
    char body[256];
    snprintf(body, sizeof body, "{\"name\":\"%s\",\"organizationId\":\"%s\",\"roles\":[\"%s\"]}",
             role, organization_id, role);
    harness_http_response_t *r = harness_stack_send(&s_stack, "POST", "/v1/api-keys", body);
    harness_expect_status(r, 201);
    snprintf(key, 80, "%s", harness_json_text(r, "key"));
    harness_http_response_free(&r);
}

static harness_http_response_t *s_as(const char *key, const char *method, const char *path,
                                     const char *body)
{
    return harness_stack_send_as(&s_stack, key, method, path, body);
}

/* Whether the list of the committee's proposals as `key` holds `id`. */
static bool s_listed(const char *key, const char *id)
{
    char path[200];
    snprintf(path, sizeof path, "/v1/committees/%s/proposals?limit=500", s_council);
    harness_http_response_t *r = s_as(key, "GET", path, NULL);
    harness_expect_status(r, 200);
    bool found = false;
    json_t *items = json_object_get(r->json, "items");
    for (size_t i = 0; i < json_array_size(items); i++)
        found |=
            strcmp(json_string_value(json_object_get(json_array_get(items, i), "id")), id) == 0;
    harness_http_response_free(&r);
    return found;
}

/* A GP's reporter key sends a case in for Steinkjer (not for another
 * municipality), follows it to the meeting it was placed on, as does a
 * colleague of the same organisation; another organisation's key does not
 * learn it exists, nor does it list it. */
static void test_the_sender_follows_their_proposal(void **state)
{
    char gp[80], colleague[80], stranger[80], secretariat[80], path[200], id[40], mine[40];
    s_key(s_steinkjer, "reporter", gp);
    s_key(s_steinkjer, "reporter", colleague);
    s_key(s_levanger, "reporter", stranger);
    s_key(s_levanger, "secretariat", secretariat);

    snprintf(path, sizeof path, "/v1/committees/%s/proposals", s_council);
    char body[512];
    snprintf(body, sizeof body,
             "{\"title\":\"Henvisninger til BUP\",\"submitterName\":\"Camilla Forr\","
             "\"organizationId\":\"%s\"}",
             s_levanger);
    harness_http_response_t *r = s_as(gp, "POST", path, body);
    harness_assert_problem(r, 403, "organizationId");
    harness_http_response_free(&r);
    /* the secretariat registers a case that came in by letter, for anyone */
    snprintf(body, sizeof body,
             "{\"title\":\"Brev fra Steinkjer\",\"submitterName\":\"Sekretariatet\","
             "\"organizationId\":\"%s\"}",
             s_steinkjer);
    r = s_as(secretariat, "POST", path, body);
    harness_expect_status(r, 201);
    assert_string_equal(harness_json_text(r, "organizationId"), s_steinkjer);
    harness_http_response_free(&r);

    /* none given: the sender's own */
    r = s_as(gp, "POST", path,
             "{\"title\":\"Henvisninger til BUP\",\"submitterName\":\"Camilla Forr\","
             "\"submitterEmail\":\"camilla.forr@steinkjer.kommune.no\"}");
    harness_expect_status(r, 201);
    assert_string_equal(harness_json_text(r, "organizationId"), s_steinkjer);
    snprintf(mine, sizeof mine, "%s", harness_json_text(r, "id"));
    harness_http_response_free(&r);
    /* the secretariat's, sent with nobody's organisation */
    harness_stack_create(&s_stack, path,
                         "{\"title\":\"Kantinen\",\"submitterName\":\"Ola Nordmann\"}", id);

    char get[200], missing[200];
    snprintf(get, sizeof get, "/v1/proposals/%s", mine);
    r = s_as(gp, "GET", get, NULL);
    harness_expect_status(r, 200);
    assert_string_equal(harness_json_text(r, "state"), "SUBMITTED");
    harness_http_response_free(&r);
    r = s_as(colleague, "GET", get, NULL);
    harness_expect_status(r, 200);
    harness_http_response_free(&r);
    /* another organisation's: as if there were none */
    r = s_as(stranger, "GET", get, NULL);
    harness_assert_problem(r, 404, "id");
    harness_http_response_free(&r);
    snprintf(missing, sizeof missing, "/v1/proposals/44444444-4444-4444-8444-444444444444");
    r = s_as(stranger, "GET", missing, NULL);
    harness_assert_problem(r, 404, "id");
    harness_http_response_free(&r);
    snprintf(get, sizeof get, "/v1/proposals/%s", id);
    r = s_as(gp, "GET", get, NULL);
    harness_assert_problem(r, 404, "id");
    harness_http_response_free(&r);
    assert_true(s_listed(gp, mine));
    assert_true(s_listed(colleague, mine));
    assert_false(s_listed(gp, id));
    assert_false(s_listed(stranger, mine));

    /* placed on the meeting: the sender sees where and when */
    snprintf(path, sizeof path, "/v1/proposals/%s/accept", mine);
    snprintf(body, sizeof body, "{\"meetingId\":\"%s\"}", s_meeting);
    r = harness_stack_send(&s_stack, "POST", path, body);
    harness_expect_status(r, 200);
    harness_http_response_free(&r);
    snprintf(get, sizeof get, "/v1/proposals/%s", mine);
    r = s_as(gp, "GET", get, NULL);
    harness_expect_status(r, 200);
    assert_string_equal(harness_json_text(r, "state"), "ACCEPTED");
    assert_string_equal(harness_json_text(r, "meetingId"), s_meeting);
    assert_string_equal(harness_json_text(r, "meetingStartTime"), "2031-02-27T13:00:00Z");
    harness_http_response_free(&r);

    /* declined: the sender reads why */
    snprintf(path, sizeof path, "/v1/committees/%s/proposals", s_council);
    r = s_as(gp, "POST", path, "{\"title\":\"Parkering\",\"submitterName\":\"Camilla Forr\"}");
    harness_expect_status(r, 201);
    snprintf(id, sizeof id, "%s", harness_json_text(r, "id"));
    harness_http_response_free(&r);
    snprintf(path, sizeof path, "/v1/proposals/%s/decline", id);
    r = harness_stack_send(&s_stack, "POST", path, "{\"reason\":\"Utenfor mandatet.\"}");
    harness_expect_status(r, 200);
    harness_http_response_free(&r);
    snprintf(get, sizeof get, "/v1/proposals/%s", id);
    r = s_as(colleague, "GET", get, NULL);
    harness_expect_status(r, 200);
    assert_string_equal(harness_json_text(r, "state"), "DECLINED");
    assert_string_equal(harness_json_text(r, "declineReason"), "Utenfor mandatet.");
    harness_http_response_free(&r);
}

/* A committee's proposals a page at a time: the cursor leads to the next
 * page (it was the last column read, a public title, so the list ended
 * after its first page). */
static void test_proposals_page_on(void **state)
{
    char path[200], body[256], committee[40];
    harness_stack_create(&s_stack, "/v1/committees",
                         "{\"name\":\"Sidevis utvalg\",\"kind\":\"OTHER\"}", committee);
    snprintf(path, sizeof path, "/v1/committees/%s/proposals", committee);
    for (int i = 0; i < 3; i++) {
        snprintf(body, sizeof body, "{\"title\":\"Sak %d\",\"submitterName\":\"Kari\"}", i + 1);
        harness_http_response_t *r = harness_stack_send(&s_stack, "POST", path, body);
        harness_expect_status(r, 201);
        harness_http_response_free(&r);
    }
    snprintf(path, sizeof path, "/v1/committees/%s/proposals?limit=2", committee);
    harness_http_response_t *r = harness_stack_get(&s_stack, path);
    harness_expect_status(r, 200);
    assert_int_equal(json_array_size(json_object_get(r->json, "items")), 2);
    char cursor[40];
    snprintf(cursor, sizeof cursor, "%s", harness_json_text(r, "nextCursor"));
    harness_http_response_free(&r);
    assert_true(cursor[0] != '\0');
    snprintf(path, sizeof path, "/v1/committees/%s/proposals?limit=2&cursor=%s", committee, cursor);
    r = harness_stack_get(&s_stack, path);
    harness_expect_status(r, 200);
    json_t *items = json_object_get(r->json, "items");
    assert_int_equal(json_array_size(items), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(items, 0), "title")),
                        "Sak 3");
    assert_string_equal(harness_json_text(r, "nextCursor"), "");
    harness_http_response_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_accepted_onto_the_agenda),
        cmocka_unit_test(test_declined_with_a_reason),
        cmocka_unit_test(test_the_sender_follows_their_proposal),
        cmocka_unit_test(test_proposals_page_on),
    };
    return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
