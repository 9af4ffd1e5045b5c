/* The directory and the committees end to end: HTTP to the gateway, the
 * bus to agenda, PostgreSQL, and back; every route, paging, filters,
 * updates, access without a credential, and the outbox event of each
 * change. Data from the ASU notice of St. Olavs hospital (seed 003). */
#include "harness.h"

#include <libpq-fe.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static harness_stack_t s_stack;
static const char *s_db;
static char s_hospital[40], s_municipality[40];

static harness_http_response_t *s_post(const char *path, const char *body)
{
    return harness_stack_send(&s_stack, "POST", path, body);
}

static long s_outbox(const char *type)
{
    PGconn *conn = PQconnectdb(s_db);
    const char *params[] = {type};
    PGresult *res = PQexecParams(conn, "SELECT count(*) FROM agenda.outbox WHERE type = $1", 1,
                                 NULL, params, NULL, NULL, 0);
    assert_int_equal(PQresultStatus(res), PGRES_TUPLES_OK);
    long n = atol(PQgetvalue(res, 0, 0));
    PQclear(res);
    PQfinish(conn);
    return n;
}

static int s_setup(void **state)
{
    s_db = harness_database_url();
    harness_stack_start(&s_stack, s_db);
    return 0;
}

static int s_teardown(void **state)
{
    harness_stack_stop(&s_stack);
    return 0;
}

static void test_organizations(void **state)
{
    harness_http_response_t *r = s_post("/v1/organizations", "{\"name\":\"St. Olavs hospital HF\","
                                                             "\"organizationNumber\":\"883974832\","
                                                             "\"kind\":\"HOSPITAL_TRUST\"}");
    harness_expect_status(r, 201);
    assert_string_equal(r->content_type, "application/json");
    assert_string_equal(harness_json_text(r, "name"), "St. Olavs hospital HF");
    assert_string_equal(harness_json_text(r, "kind"), "HOSPITAL_TRUST");
    assert_int_equal(strlen(harness_json_text(r, "id")), 36);
    assert_true(strlen(harness_json_text(r, "createTime")) >= 20);
    snprintf(s_hospital, sizeof s_hospital, "%s", harness_json_text(r, "id"));
    char location[128];
    snprintf(location, sizeof location, "/v1/organizations/%s", s_hospital);
    assert_string_equal(r->location, location);
    harness_http_response_free(&r);

    r = s_post("/v1/organizations",
               "{\"name\":\"Trondheim kommune\","
               "\"organizationNumber\":\"942110464\",\"kind\":\"MUNICIPALITY\"}");
    harness_expect_status(r, 201);
    snprintf(s_municipality, sizeof s_municipality, "%s", harness_json_text(r, "id"));
    harness_http_response_free(&r);

    /* the number is unique */
    r = s_post("/v1/organizations", "{\"name\":\"Kopi\",\"organizationNumber\":\"942110464\","
                                    "\"kind\":\"MUNICIPALITY\"}");
    harness_assert_problem(r, 409, "organizationNumber");
    harness_http_response_free(&r);
    r = s_post(
        "/v1/organizations",
        "{\"name\":\"Feil\",\"organizationNumber\":\"942110465\",\"kind\":\"MUNICIPALITY\"}");
    harness_assert_problem(r, 400, "organizationNumber");
    harness_http_response_free(&r);

    char path[128];
    snprintf(path, sizeof path, "/v1/organizations/%s", s_hospital);
    r = harness_stack_get(&s_stack, path);
    harness_expect_status(r, 200);
    assert_string_equal(harness_json_text(r, "organizationNumber"), "883974832");
    harness_http_response_free(&r);

    r = harness_stack_send(&s_stack, "PATCH", path, "{\"name\":\"St. Olavs hospital\"}");
    harness_expect_status(r, 200);
    assert_string_equal(harness_json_text(r, "name"), "St. Olavs hospital");
    assert_string_equal(harness_json_text(r, "kind"), "HOSPITAL_TRUST"); /* untouched */
    harness_http_response_free(&r);
    r = harness_stack_send(&s_stack, "PATCH", path, "{\"organizationNumber\":\"942110464\"}");
    harness_assert_problem(r, 400, "organizationNumber");
    harness_http_response_free(&r);

    r = harness_stack_get(&s_stack, "/v1/organizations/00000000-0000-0000-0000-000000000000");
    harness_assert_problem(r, 404, NULL);
    harness_http_response_free(&r);

    r = harness_stack_get(&s_stack, "/v1/organizations?kind=MUNICIPALITY");
    harness_expect_status(r, 200);
    json_t *items = json_object_get(r->json, "items");
    assert_int_equal(json_array_size(items), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(items, 0), "name")),
                        "Trondheim kommune");
    harness_http_response_free(&r);
    r = harness_stack_get(&s_stack, "/v1/organizations?q=OLAV");
    assert_int_equal(json_array_size(json_object_get(r->json, "items")), 1);
    harness_http_response_free(&r);
    r = harness_stack_get(&s_stack, "/v1/organizations?organizationNumber=942110464");
    assert_int_equal(json_array_size(json_object_get(r->json, "items")), 1);
    harness_http_response_free(&r);

    assert_int_equal(s_outbox("no.samhand.organization.created"), 2);
    assert_int_equal(s_outbox("no.samhand.organization.updated"), 1);
}

static void test_paging_visits_every_row_once(void **state)
{
    /* 7 more municipalities with valid numbers: 9 organisations in all */
    static const char *numbers[] = {"964982953", "944022929", "964981604", "938772924",
                                    "940192226", "964983380", "970000003"};
    for (int i = 0; i < 7; i++) {
        char body[200];
        snprintf(
            body, sizeof body,
            "{\"name\":\"Kommune %d\",\"organizationNumber\":\"%s\",\"kind\":\"MUNICIPALITY\"}", i,
            numbers[i]);
        harness_http_response_t *r = s_post("/v1/organizations", body);
        if (r->status != 201)
            fprintf(stderr, "%s: %s\n", numbers[i], r->body);
        harness_expect_status(r, 201);
        harness_http_response_free(&r);
    }
    char cursor[64] = "";
    int seen = 0, pages = 0;
    char ids[16][40];
    do {
        char path[128];
        snprintf(path, sizeof path, "/v1/organizations?limit=4%s%s", cursor[0] ? "&cursor=" : "",
                 cursor);
        harness_http_response_t *r = harness_stack_get(&s_stack, path);
        harness_expect_status(r, 200);
        json_t *items = json_object_get(r->json, "items");
        assert_true(json_array_size(items) <= 4);
        for (size_t i = 0; i < json_array_size(items); i++) {
            const char *id = json_string_value(json_object_get(json_array_get(items, i), "id"));
            for (int j = 0; j < seen; j++)
                assert_string_not_equal(ids[j], id);
            snprintf(ids[seen++], 40, "%s", id);
        }
        snprintf(cursor, sizeof cursor, "%s", harness_json_text(r, "nextCursor"));
        pages++;
        harness_http_response_free(&r);
    } while (cursor[0] && pages < 10);
    assert_int_equal(seen, 9);
    assert_int_equal(pages, 3);

    harness_http_response_t *r = harness_stack_get(&s_stack, "/v1/organizations?limit=501");
    harness_assert_problem(r, 400, "limit");
    harness_http_response_free(&r);
    r = harness_stack_get(&s_stack, "/v1/organizations?cursor=abc");
    harness_assert_problem(r, 400, "cursor");
    harness_http_response_free(&r);
}

static void test_persons(void **state)
{
    char body[512];
    snprintf(body, sizeof body,
             "{\"name\":\"Kari Nordmann\",\"title\":\"Kommuneoverlege\",\"organizationId\":\"%s\","
             "\"email\":\"kari.nordmann@trondheim.kommune.no\"}",
             s_municipality);
    harness_http_response_t *r = s_post("/v1/persons", body);
    harness_expect_status(r, 201);
    char id[40], path[128];
    snprintf(id, sizeof id, "%s", harness_json_text(r, "id"));
    assert_string_equal(harness_json_text(r, "organizationId"), s_municipality);
    harness_http_response_free(&r);

    snprintf(body, sizeof body, "{\"name\":\"X\",\"organizationId\":\"%s\",\"email\":\"nope\"}",
             s_municipality);
    r = s_post("/v1/persons", body);
    harness_assert_problem(r, 400, "email");
    harness_http_response_free(&r);
    r = s_post("/v1/persons", "{\"name\":\"X\",\"organizationId\":"
                              "\"00000000-0000-0000-0000-000000000000\"}");
    harness_assert_problem(r, 400, "organizationId");
    harness_http_response_free(&r);
    r = s_post("/v1/persons", "{\"title\":\"Lege\"}");
    harness_assert_problem(r, 400, "name");
    harness_http_response_free(&r);

    snprintf(path, sizeof path, "/v1/persons/%s", id);
    snprintf(body, sizeof body, "{\"organizationId\":\"%s\",\"title\":\"Overlege\"}", s_hospital);
    r = harness_stack_send(&s_stack, "PATCH", path, body);
    harness_expect_status(r, 200);
    assert_string_equal(harness_json_text(r, "organizationId"), s_hospital);
    assert_string_equal(harness_json_text(r, "title"), "Overlege");
    assert_string_equal(harness_json_text(r, "name"), "Kari Nordmann");
    harness_http_response_free(&r);

    snprintf(path, sizeof path, "/v1/persons?organizationId=%s", s_hospital);
    r = harness_stack_get(&s_stack, path);
    harness_expect_status(r, 200);
    assert_int_equal(json_array_size(json_object_get(r->json, "items")), 1);
    harness_http_response_free(&r);

    /* persons are personal data: no credential, no answer */
    char url[128];
    snprintf(url, sizeof url, "%s/v1/persons", s_stack.base_url);
    r = harness_http_request("GET", url, NULL, NULL);
    harness_assert_problem(r, 401, NULL);
    harness_http_response_free(&r);
    const char *wrong[] = {"Authorization: Bearer shk_wrong", NULL};
    r = harness_http_request("GET", url, NULL, wrong);
    harness_assert_problem(r, 401, NULL);
    harness_http_response_free(&r);
    assert_int_equal(s_outbox("no.samhand.person.created"), 1);
    assert_int_equal(s_outbox("no.samhand.person.updated"), 1);
}

static void test_committees_and_memberships(void **state)
{
    harness_http_response_t *r =
        s_post("/v1/committees", "{\"name\":\"Overordnet samarbeidsutvalg\",\"shortName\":\"OSS\","
                                 "\"kind\":\"POLITICAL\"}");
    harness_expect_status(r, 201);
    char oss[40], asu[40], path[160], body[512];
    snprintf(oss, sizeof oss, "%s", harness_json_text(r, "id"));
    assert_int_equal(json_integer_value(json_object_get(r->json, "noticePeriodDays")), 14);
    assert_string_equal(harness_json_text(r, "caseNumberFormat"), "{n}/{yy}");
    harness_http_response_free(&r);

    snprintf(body, sizeof body,
             "{\"name\":\"Administrativt samarbeidsutvalg\",\"shortName\":\"ASU\","
             "\"kind\":\"ADMINISTRATIVE\",\"parentId\":\"%s\",\"noticePeriodDays\":10,"
             "\"caseNumberFormat\":\"{nn}-{yy}\",\"mandate\":\"Følger opp "
             "samarbeidsavtalen.\"}",
             oss);
    r = s_post("/v1/committees", body);
    harness_expect_status(r, 201);
    snprintf(asu, sizeof asu, "%s", harness_json_text(r, "id"));
    assert_string_equal(harness_json_text(r, "parentId"), oss);
    assert_string_equal(harness_json_text(r, "mandate"), "Følger opp samarbeidsavtalen.");
    harness_http_response_free(&r);

    r = s_post("/v1/committees",
               "{\"name\":\"X\",\"kind\":\"OTHER\",\"caseNumberFormat\":\"{n}\"}");
    harness_assert_problem(r, 400, "caseNumberFormat");
    harness_http_response_free(&r);
    r = s_post("/v1/committees", "{\"name\":\"X\",\"kind\":\"OTHER\",\"noticePeriodDays\":-1}");
    harness_assert_problem(r, 400, "noticePeriodDays");
    harness_http_response_free(&r);
    r = s_post("/v1/committees", "{\"name\":\"X\"}");
    harness_assert_problem(r, 400, "kind");
    harness_http_response_free(&r);

    /* a reporting line may not loop */
    snprintf(path, sizeof path, "/v1/committees/%s", oss);
    snprintf(body, sizeof body, "{\"parentId\":\"%s\"}", asu);
    r = harness_stack_send(&s_stack, "PATCH", path, body);
    harness_assert_problem(r, 400, "parentId");
    harness_http_response_free(&r);

    snprintf(path, sizeof path, "/v1/committees/%s", asu);
    r = harness_stack_send(&s_stack, "PATCH", path,
                           "{\"noticePeriodDays\":7,\"caseNumberFormat\":\"{n}/{yy}\"}");
    harness_expect_status(r, 200);
    assert_int_equal(json_integer_value(json_object_get(r->json, "noticePeriodDays")), 7);
    assert_string_equal(harness_json_text(r, "shortName"), "ASU");
    harness_http_response_free(&r);

    /* committees are public: readable without a credential, not writable */
    char url[256];
    snprintf(url, sizeof url, "%s/v1/committees/%s", s_stack.base_url, asu);
    r = harness_http_request("GET", url, NULL, NULL);
    harness_expect_status(r, 200);
    assert_string_equal(harness_json_text(r, "name"), "Administrativt samarbeidsutvalg");
    harness_http_response_free(&r);
    snprintf(url, sizeof url, "%s/v1/committees", s_stack.base_url);
    r = harness_http_request("POST", url, "{\"name\":\"X\",\"kind\":\"OTHER\"}", NULL);
    harness_assert_problem(r, 401, NULL);
    harness_http_response_free(&r);

    snprintf(path, sizeof path, "/v1/committees?parentId=%s", oss);
    r = harness_stack_get(&s_stack, path);
    assert_int_equal(json_array_size(json_object_get(r->json, "items")), 1);
    harness_http_response_free(&r);
    r = harness_stack_get(&s_stack, "/v1/committees?kind=POLITICAL");
    assert_int_equal(json_array_size(json_object_get(r->json, "items")), 1);
    harness_http_response_free(&r);

    /* memberships: a person chairs ASU for a term */
    r = harness_stack_get(&s_stack, "/v1/persons");
    const char *person = json_string_value(
        json_object_get(json_array_get(json_object_get(r->json, "items"), 0), "id"));
    char person_id[40];
    snprintf(person_id, sizeof person_id, "%s", person);
    harness_http_response_free(&r);

    snprintf(path, sizeof path, "/v1/committees/%s/memberships", asu);
    snprintf(body, sizeof body,
             "{\"personId\":\"%s\",\"role\":\"CHAIR\",\"termFrom\":\"2023-01-01\","
             "\"termTo\":\"2024-12-31\"}",
             person_id);
    r = s_post(path, body);
    harness_expect_status(r, 201);
    assert_string_equal(harness_json_text(r, "committeeId"), asu);
    assert_string_equal(harness_json_text(r, "role"), "CHAIR");
    assert_string_equal(harness_json_text(r, "organizationId"), s_hospital); /* the person's own */
    harness_http_response_free(&r);
    snprintf(body, sizeof body,
             "{\"personId\":\"%s\",\"role\":\"MEMBER\",\"termFrom\":\"2025-01-01\","
             "\"organizationId\":\"%s\"}",
             person_id, s_municipality);
    r = s_post(path, body);
    harness_expect_status(r, 201);
    assert_string_equal(harness_json_text(r, "organizationId"), s_municipality);
    assert_string_equal(harness_json_text(r, "termTo"), "");
    harness_http_response_free(&r);

    snprintf(body, sizeof body,
             "{\"personId\":\"%s\",\"role\":\"MEMBER\",\"termFrom\":\"2025-01-01\","
             "\"termTo\":\"2024-01-01\"}",
             person_id);
    r = s_post(path, body);
    harness_assert_problem(r, 400, "termTo");
    harness_http_response_free(&r);
    snprintf(body, sizeof body,
             "{\"personId\":\"%s\",\"role\":\"MEMBER\",\"termFrom\":\"01.01.2025\"}", person_id);
    r = s_post(path, body);
    harness_assert_problem(r, 400, "termFrom");
    harness_http_response_free(&r);
    r = s_post("/v1/committees/00000000-0000-0000-0000-000000000000/memberships", body);
    harness_assert_problem(r, 404, NULL);
    harness_http_response_free(&r);

    snprintf(path, sizeof path, "/v1/committees/%s/memberships?activeOn=2024-06-01", asu);
    r = harness_stack_get(&s_stack, path);
    harness_expect_status(r, 200);
    json_t *items = json_object_get(r->json, "items");
    assert_int_equal(json_array_size(items), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(items, 0), "role")),
                        "CHAIR");
    harness_http_response_free(&r);
    snprintf(path, sizeof path, "/v1/committees/%s/memberships", asu);
    r = harness_stack_get(&s_stack, path);
    assert_int_equal(json_array_size(json_object_get(r->json, "items")), 2);

    /* a term ends: the membership is no longer active after it */
    json_t *first = json_array_get(json_object_get(r->json, "items"), 0);
    char membership[200];
    snprintf(membership, sizeof membership, "/v1/committees/%s/memberships/%s", asu,
             json_string_value(json_object_get(first, "id")));
    harness_http_response_free(&r);
    r = harness_stack_send(&s_stack, "PATCH", membership, "{\"termTo\":\"2023-12-31\"}");
    harness_expect_status(r, 200);
    assert_string_equal(harness_json_text(r, "termTo"), "2023-12-31");
    assert_string_equal(harness_json_text(r, "role"), "CHAIR");
    harness_http_response_free(&r);
    r = harness_stack_send(&s_stack, "PATCH", membership, "{\"termTo\":\"2022-12-31\"}");
    harness_assert_problem(r, 400, "termTo");
    harness_http_response_free(&r);
    r = harness_stack_send(&s_stack, "PATCH", membership, "{\"personId\":\"x\"}");
    harness_assert_problem(r, 400, "personId");
    harness_http_response_free(&r);
    r = harness_stack_get(&s_stack, membership);
    harness_expect_status(r, 200);
    assert_string_equal(harness_json_text(r, "termTo"), "2023-12-31");
    harness_http_response_free(&r);
    snprintf(path, sizeof path, "/v1/committees/%s/memberships?activeOn=2024-06-01", asu);
    r = harness_stack_get(&s_stack, path);
    assert_int_equal(json_array_size(json_object_get(r->json, "items")), 0);
    harness_http_response_free(&r);
    /* a membership is found only under its own committee */
    snprintf(membership, sizeof membership, "/v1/committees/%s/memberships/%s", oss,
             strrchr(membership, '/') + 1);
    r = harness_stack_get(&s_stack, membership);
    harness_assert_problem(r, 404, NULL);
    harness_http_response_free(&r);

    assert_int_equal(s_outbox("no.samhand.committee.created"), 2);
    assert_int_equal(s_outbox("no.samhand.committee.updated"), 1);
    assert_int_equal(s_outbox("no.samhand.membership.created"), 2);
    assert_int_equal(s_outbox("no.samhand.membership.updated"), 1);
}

static void test_idempotency_key(void **state)
{
    char url[128];
    snprintf(url, sizeof url, "%s/v1/committees", s_stack.base_url);
    const char *headers[] = {s_stack.auth_header, "Idempotency-Key: asu-2026-1", NULL};
    const char *body = "{\"name\":\"Fagråd for legesamarbeid\",\"kind\":\"EXPERT_COUNCIL\"}";
    long before = s_outbox("no.samhand.committee.created");

    harness_http_response_t *first = harness_http_request("POST", url, body, headers);
    harness_expect_status(first, 201);
    harness_http_response_t *again = harness_http_request("POST", url, body, headers);
    harness_expect_status(again, 201);
    /* the same committee, created once, announced once */
    assert_string_equal(harness_json_text(again, "id"), harness_json_text(first, "id"));
    assert_string_equal(harness_json_text(again, "createTime"),
                        harness_json_text(first, "createTime"));
    assert_int_equal(s_outbox("no.samhand.committee.created"), before + 1);
    harness_http_response_free(&first);
    harness_http_response_free(&again);

    /* the same key for another request is refused, not silently answered */
    harness_http_response_t *other =
        harness_http_request("POST", url, "{\"name\":\"Annet\",\"kind\":\"OTHER\"}", headers);
    harness_assert_problem(other, 422, NULL);
    harness_http_response_free(&other);

    const char *bad[] = {s_stack.auth_header, "Idempotency-Key: has space", NULL};
    other = harness_http_request("POST", url, body, bad);
    harness_assert_problem(other, 400, NULL);
    harness_http_response_free(&other);
    assert_int_equal(s_outbox("no.samhand.committee.created"), before + 1);
}

/* Two people edit the same committee: the second, holding the version it
 * read before the first saved, gets 412 instead of overwriting. */
static void test_lost_update_refused(void **state)
{
    harness_http_response_t *r =
        harness_stack_send(&s_stack, "POST", "/v1/committees",
                           "{\"name\":\"Fagråd for rus og psykisk helse\",\"kind\":"
                           "\"EXPERT_COUNCIL\"}");
    harness_expect_status(r, 201);
    char path[128], url[256], etag[64], match[96], auth[128];
    snprintf(path, sizeof path, "/v1/committees/%s", harness_json_text(r, "id"));
    harness_http_response_free(&r);
    r = harness_stack_get(&s_stack, path);
    harness_http_header(r, "etag", etag, sizeof etag);
    assert_true(strlen(etag) > 2 && etag[0] == '"');
    harness_http_response_free(&r);

    snprintf(url, sizeof url, "%s%s", s_stack.base_url, path);
    snprintf(match, sizeof match, "If-Match: %s", etag);
    snprintf(auth, sizeof auth, "%s", s_stack.auth_header);
    const char *first[] = {auth, match, NULL};
    r = harness_http_request("PATCH", url, "{\"mandate\":\"Samhandling om rus\"}", first);
    harness_expect_status(r, 200);
    char newer[64];
    harness_http_header(r, "etag", newer, sizeof newer);
    assert_string_not_equal(newer, etag);
    harness_http_response_free(&r);
    /* the second with the old version: refused, and nothing changed */
    r = harness_http_request("PATCH", url, "{\"mandate\":\"Noe annet\"}", first);
    harness_assert_problem(r, 412, NULL);
    harness_http_response_free(&r);
    r = harness_stack_get(&s_stack, path);
    assert_string_equal(harness_json_text(r, "mandate"), "Samhandling om rus");
    harness_http_response_free(&r);
    /* with the version just read it goes through; a made-up one is refused */
    snprintf(match, sizeof match, "If-Match: W/%s", newer);
    r = harness_http_request("PATCH", url, "{\"mandate\":\"Noe annet\"}", first);
    harness_expect_status(r, 200);
    harness_http_response_free(&r);
    const char *bad[] = {auth, "If-Match: yesterday", NULL};
    r = harness_http_request("PATCH", url, "{\"mandate\":\"X\"}", bad);
    harness_assert_problem(r, 400, NULL);
    harness_http_response_free(&r);

    /* a meeting's agenda is guarded by the meeting's version */
    char body[512], items[256];
    snprintf(body, sizeof body,
             "{\"committeeId\":\"%s\",\"startTime\":\"2031-05-05T09:00:00+02:00\","
             "\"endTime\":\"2031-05-05T11:00:00+02:00\",\"place\":\"Rådhuset\"}",
             path + strlen("/v1/committees/"));
    r = harness_stack_send(&s_stack, "POST", "/v1/meetings", body);
    harness_expect_status(r, 201);
    harness_http_header(r, "etag", etag, sizeof etag);
    snprintf(items, sizeof items, "%s/v1/meetings/%s/items", s_stack.base_url,
             harness_json_text(r, "id"));
    harness_http_response_free(&r);
    snprintf(match, sizeof match, "If-Match: %s", etag);
    const char *agenda[] = {auth, match, NULL};
    r = harness_http_request(
        "POST", items, "{\"kind\":\"CASE\",\"title\":\"Rusplan\",\"durationMin\":30}", agenda);
    harness_expect_status(r, 200);
    harness_http_response_free(&r);
    r = harness_http_request("POST", items,
                             "{\"kind\":\"CASE\",\"title\":\"Annet\",\"durationMin\":30}", agenda);
    harness_assert_problem(r, 412, NULL);
    harness_http_response_free(&r);
}

static void test_each_service_sees_only_its_schema(void **state)
{
    static const struct {
        const char *role, *foreign_table;
    } cases[] = {
        {"agenda", "deviation.outbox"},
        {"deviation", "agenda.organizations"},
        {"notify", "agenda.persons"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        PGconn *conn = PQconnectdb(harness_service_url(cases[i].role));
        assert_int_equal(PQstatus(conn), CONNECTION_OK);
        char sql[128];
        snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", cases[i].foreign_table);
        PGresult *res = PQexec(conn, sql);
        assert_int_equal(PQresultStatus(res), PGRES_FATAL_ERROR);
        assert_string_equal(PQresultErrorField(res, PG_DIAG_SQLSTATE), "42501");
        PQclear(res);
        PQfinish(conn);
    }
    /* and its own schema is its to use */
    PGconn *conn = PQconnectdb(harness_service_url("agenda"));
    PGresult *res = PQexec(conn, "SELECT count(*) FROM agenda.organizations");
    assert_int_equal(PQresultStatus(res), PGRES_TUPLES_OK);
    PQclear(res);
    PQfinish(conn);
}

static void test_operations_endpoints(void **state)
{
    harness_http_response_t *r = harness_stack_get(&s_stack, "/healthz");
    harness_expect_status(r, 200);
    harness_http_response_free(&r);
    r = harness_stack_get(&s_stack, "/readyz");
    harness_expect_status(r, 200);
    assert_string_equal(harness_json_text(r, "status"), "ready");
    assert_true(json_is_true(json_object_get(
        json_object_get(json_object_get(r->json, "services"), "agenda"), "database")));
    harness_http_response_free(&r);

    r = harness_stack_get(&s_stack, "/metrics");
    harness_expect_status(r, 200);
    assert_non_null(strstr(r->body, "# TYPE samhand_http_requests_total counter"));
    assert_non_null(strstr(
        r->body, "samhand_http_requests_total{route=\"POST /v1/organizations\",code=\"201\"}"));
    /* the services' own counters are merged in, one family for all */
    assert_non_null(strstr(r->body, "samhand_bus_requests_total{service=\"agenda\",method=\"agenda."
                                    "CreateOrganization\",code=\"OK\"}"));
    assert_non_null(strstr(r->body, "samhand_bus_requests_total{service=\"agenda\",method=\"agenda."
                                    "CreateOrganization\",code=\"ALREADY_EXISTS\"} 1"));
    assert_non_null(strstr(r->body, "samhand_service_up{service=\"notify\"} 1"));
    assert_non_null(strstr(r->body, "samhand_queue_depth{service=\"agenda\",queue=\"outbox\"}"));
    const char *family = strstr(r->body, "# TYPE samhand_bus_requests_total counter");
    assert_non_null(family);
    assert_null(strstr(family + 1, "# TYPE samhand_bus_requests_total"));
    /* and Prometheus itself accepts the exposition */
    char path[] = "/tmp/samhand-metrics-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, r->body, strlen(r->body)), (ssize_t)strlen(r->body));
    close(fd);
    char command[128];
    snprintf(command, sizeof command, "promtool check metrics < %s", path);
    int check = system(command);
    unlink(path);
    if (check != 0)
        fprintf(stderr,
                "promtool refused /metrics (is the Debian package prometheus installed?)\n");
    assert_int_equal(check, 0);
    harness_http_response_free(&r);

    /* the OpenAPI document lists every route that exists, and nothing else */
    r = harness_stack_get(&s_stack, "/openapi.json");
    harness_expect_status(r, 200);
    assert_string_equal(harness_json_text(r, "openapi"), "3.1.0");
    json_t *paths = json_object_get(r->json, "paths");
    assert_non_null(json_object_get(json_object_get(paths, "/v1/organizations"), "post"));
    assert_non_null(json_object_get(json_object_get(paths, "/v1/committees/{id}"), "patch"));
    assert_non_null(
        json_object_get(json_object_get(paths, "/v1/committees/{committeeId}/memberships"), "get"));
    assert_null(json_object_get(paths, "/v1/web"));
    assert_non_null(json_object_get(paths, "/v1/events/stream"));
    assert_non_null(json_object_get(json_object_get(paths, "/v1/events"), "get"));
    assert_non_null(json_object_get(json_object_get(paths, "/readyz"), "get"));
    /* an update that needs If-Match says so, and what its absence answers */
    json_t *put_settings = json_object_get(json_object_get(paths, "/v1/settings"), "put");
    assert_non_null(json_object_get(json_object_get(put_settings, "responses"), "428"));
    assert_non_null(json_object_get(json_object_get(put_settings, "responses"), "412"));
    size_t n;
    json_t *param;
    bool if_match_required = false;
    json_array_foreach(
        json_object_get(put_settings, "parameters"), n,
        param) if (strcmp(json_string_value(json_object_get(param, "name")), "If-Match") == 0)
        if_match_required = json_is_true(json_object_get(param, "required"));
    assert_true(if_match_required);
    json_t *org = json_object_get(
        json_object_get(json_object_get(r->json, "components"), "schemas"), "Organization");
    assert_non_null(json_object_get(json_object_get(org, "properties"), "organizationNumber"));

    /* and a real OpenAPI linter (Redocly's, from npm) finds nothing in it */
    char spec[] = "/tmp/samhand-openapi-XXXXXX.json", out[] = "/tmp/samhand-lint-XXXXXX";
    fd = mkstemps(spec, 5);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, r->body, strlen(r->body)), (ssize_t)strlen(r->body));
    close(fd);
    close(mkstemp(out));
    const char *source = getenv("SAMHAND_SOURCE_DIR");
    char lint[1024];
    snprintf(lint, sizeof lint,
             "%s/tests/node_modules/.bin/redocly lint --config %s/tests/tools/redocly.yaml "
             "%s > %s 2>&1",
             source ? source : ".", source ? source : ".", spec, out);
    int linted = system(lint);
    FILE *f = fopen(out, "r");
    char line[512];
    bool warned = false;
    while (f && fgets(line, sizeof line, f)) {
        /* the linter's own notices (its Node.js support) are not about us */
        if (strstr(line, "Node.js"))
            continue;
        if (strstr(line, "warning") || strstr(line, "error")) {
            fprintf(stderr, "redocly: %s", line);
            warned = true;
        }
    }
    if (f)
        fclose(f);
    unlink(spec);
    unlink(out);
    assert_int_equal(linted, 0);
    assert_false(warned);
    harness_http_response_free(&r);
}

/* The name `service`'s copy of the directory holds for organisation `id`
 * once it is `name` (10 s at most); "" when it holds none. */
static char *s_copied_name(const char *service, const char *id, const char *name)
{
    PGconn *conn = PQconnectdb(s_db);
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT name FROM %s.organizations WHERE id = $1", service);
    const char *params[] = {id};
    char *held = strdup("");
    for (int t = 0; t < 100 && strcmp(held, name) != 0; t++) {
        if (t)
            usleep(100 * 1000);
        PGresult *res = PQexecParams(conn, sql, 1, NULL, params, NULL, NULL, 0);
        free(held);
        held = strdup(PQntuples(res) ? PQgetvalue(res, 0, 0) : "");
        PQclear(res);
    }
    PQfinish(conn);
    return held;
}

/* The followers take what they missed in runs and keep a run's changes of
 * the directory in one statement a table: an organisation made and
 * renamed twice while they stood still is held by each as it was last. */
static void test_a_run_of_changes_is_copied_as_the_last_one(void **state)
{
    char id[40], path[128];
    assert_int_equal(kill(s_stack.notify, SIGSTOP), 0);
    assert_int_equal(kill(s_stack.deviation, SIGSTOP), 0);
    harness_stack_create(&s_stack, "/v1/organizations",
                         "{\"name\":\"Første navn\",\"organizationNumber\":\"942110510\","
                         "\"kind\":\"MUNICIPALITY\"}",
                         id);
    snprintf(path, sizeof path, "/v1/organizations/%s", id);
    static const char *const renames[] = {"{\"name\":\"Andre navn\"}", "{\"name\":\"Siste navn\"}"};
    for (size_t i = 0; i < 2; i++) {
        harness_http_response_t *r = harness_stack_send(&s_stack, "PATCH", path, renames[i]);
        harness_expect_status(r, 200);
        harness_http_response_free(&r);
    }
    harness_await_published("agenda");
    assert_int_equal(kill(s_stack.notify, SIGCONT), 0);
    assert_int_equal(kill(s_stack.deviation, SIGCONT), 0);
    static const char *const followers[] = {"notify", "deviation"};
    for (size_t i = 0; i < 2; i++) {
        char *held = s_copied_name(followers[i], id, "Siste navn");
        assert_string_equal(held, "Siste navn");
        free(held);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_organizations),
        cmocka_unit_test(test_paging_visits_every_row_once),
        cmocka_unit_test(test_persons),
        cmocka_unit_test(test_committees_and_memberships),
        cmocka_unit_test(test_idempotency_key),
        cmocka_unit_test(test_lost_update_refused),
        cmocka_unit_test(test_each_service_sees_only_its_schema),
        cmocka_unit_test(test_operations_endpoints),
        cmocka_unit_test(test_a_run_of_changes_is_copied_as_the_last_one),
    };
    return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
