/* A published notice is a frozen document: what the public and the other
 * parties read of a noticed meeting (its JSON, notice.html and calendars)
 * is the last notice that went out, while the secretariat drafts the next
 * supplementary notice; each notice stays fetchable by its number, exempt
 * items hidden in every one of them. */
#include "harness.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static harness_stack_t s_stack;
static const char *s_db;
static char s_committee[40], s_meeting[40], s_public_item[40];
static char s_late_item[40], s_late_case[40]; /* "Avtale om legevakt", drafted after the notice */
static char s_other_auth[128]; /* "Authorization: Bearer <key>" of a party without standing */

static int s_setup(void **state)
{
    s_db = harness_database_url();
    harness_stack_start(&s_stack, s_db);
    harness_http_response_t *r =
        harness_stack_send(&s_stack, "POST", "/v1/committees",
                           "{\"name\":\"Administrativt samarbeidsutvalg\","
                           "\"shortName\":\"ASU\",\"kind\":\"ADMINISTRATIVE\","
                           "\"noticePeriodDays\":10,\"caseNumberFormat\":\"{n}/{yy}\"}");
    harness_expect_status(r, 201);
    snprintf(s_committee, sizeof s_committee, "%s", harness_json_text(r, "id"));
    harness_http_response_free(&r);
    r = harness_stack_send(
        &s_stack, "POST", "/v1/organizations",
        "{\"name\":\"St. Olavs hospital HF\",\"organizationNumber\":\"883974832\","
        "\"kind\":\"HOSPITAL_TRUST\"}");
    harness_expect_status(r, 201);
    char body[256];
    snprintf(body, sizeof body,
             "{\"name\":\"Fagsystem\",\"organizationId\":\"%s\",\"roles\":[\"member\"]}",
             harness_json_text(r, "id"));
    harness_http_response_free(&r);
    r = harness_stack_send(&s_stack, "POST", "/v1/api-keys", body);
    harness_expect_status(r, 201);
    snprintf(s_other_auth, sizeof s_other_auth, "Authorization: Bearer %s",
             harness_json_text(r, "key"));
    harness_http_response_free(&r);
    return 0;
}

static int s_teardown(void **state)
{
    harness_stack_stop(&s_stack);
    return 0;
}

typedef enum { PUBLIC, OTHER, SECRETARIAT } s_reader_t;

/* GET `path` as `who`. */
static harness_http_response_t *s_get(s_reader_t who, const char *path)
{
    char url[400];
    if (who == SECRETARIAT) /* the administrator: runs every committee */
        return harness_stack_get(&s_stack, path);
    snprintf(url, sizeof url, "%s%s", s_stack.base_url, path);
    const char *headers[] = {s_other_auth, NULL};
    return harness_http_request("GET", url, NULL, who == OTHER ? headers : NULL);
}

/* GET `path` (after the meeting's own, e.g. "/notice.html?version=1") as `who`. */
static harness_http_response_t *s_read(s_reader_t who, const char *path)
{
    char full[256];
    snprintf(full, sizeof full, "/v1/meetings/%s%s", s_meeting, path);
    return s_get(who, full);
}

static void s_post(const char *what, const char *body)
{
    char path[200];
    snprintf(path, sizeof path, "/v1/meetings/%s%s", s_meeting, what);
    harness_http_response_t *r = harness_stack_send(&s_stack, "POST", path, body);
    harness_expect_status(r, 200);
    harness_http_response_free(&r);
}

/* `field` of agenda item `index` of the working draft. */
static void s_item_field(size_t index, const char *field, char *out, size_t size)
{
    harness_http_response_t *r = s_read(SECRETARIAT, "");
    json_t *item = json_array_get(json_object_get(r->json, "items"), index);
    snprintf(out, size, "%s", json_string_value(json_object_get(item, field)));
    harness_http_response_free(&r);
}

static void s_put_document(size_t index, const char *background)
{
    char item[40], path[200], body[300];
    s_item_field(index, "id", item, sizeof item);
    snprintf(path, sizeof path, "/v1/meetings/%s/items/%s/document", s_meeting, item);
    snprintf(body, sizeof body, "{\"responsible\":[\"Kommuneoverlege\"],\"background\":\"%s\"}",
             background);
    harness_http_response_t *r = harness_stack_send(&s_stack, "PUT", path, body);
    harness_expect_status(r, 200);
    harness_http_response_free(&r);
}

/* Whether `who` finds the meeting searching the list for `q`. */
static bool s_found(s_reader_t who, const char *q)
{
    char path[200];
    snprintf(path, sizeof path, "/v1/meetings?committeeId=%s&q=%s", s_committee, q);
    harness_http_response_t *r = s_get(who, path);
    harness_expect_status(r, 200);
    bool found = strstr(r->body, s_meeting) != NULL;
    harness_http_response_free(&r);
    return found;
}

/* Whether `who` (not the public: cases need a key) finds the case drafted
 * after the notice, by search and by its id. */
static bool s_late_case_found(s_reader_t who)
{
    harness_http_response_t *r = s_get(who, "/v1/cases?q=legevakt");
    harness_expect_status(r, 200);
    bool listed = strstr(r->body, s_late_case) != NULL;
    harness_http_response_free(&r);
    char path[100];
    snprintf(path, sizeof path, "/v1/cases/%s", s_late_case);
    r = s_get(who, path);
    bool read = r->status == 200;
    if (!read)
        harness_assert_problem(r, 404, "id");
    harness_http_response_free(&r);
    assert_true(listed == read);
    return read;
}

/* The body of the case document of the item of `item_id` as `who` reads it,
 * or NULL when it is not found (404 naming itemId). The caller frees. */
static char *s_document(s_reader_t who, const char *item_id)
{
    char path[200];
    snprintf(path, sizeof path, "/items/%s/document", item_id);
    harness_http_response_t *r = s_read(who, path);
    char *body = NULL;
    if (r->status == 200)
        body = strdup(r->body);
    else
        harness_assert_problem(r, 404, "itemId");
    harness_http_response_free(&r);
    return body;
}

static size_t s_n_items(harness_http_response_t *r)
{
    return json_array_size(json_object_get(r->json, "items"));
}

/* Whether the outbox holds an event (of the meeting, its case documents,
 * anything: every party reads them) with `text` in it. */
static bool s_event_holds(const char *text)
{
    PGconn *conn = PQconnectdb(s_db);
    const char *params[] = {text};
    PGresult *res = PQexecParams(conn,
                                 "SELECT count(*) FROM agenda.outbox WHERE "
                                 "position(convert_to($1, 'UTF8') IN event) > 0",
                                 1, NULL, params, NULL, NULL, 0);
    bool holds = atol(PQgetvalue(res, 0, 0)) > 0;
    PQclear(res);
    PQfinish(conn);
    return holds;
}

/* The public and another party read the same: `absent` nowhere, in the
 * JSON (with `items` items), the notice and the calendar of `query`. */
static void s_readers_see(const char *query, size_t items, const char *absent)
{
    for (s_reader_t who = PUBLIC; who <= OTHER; who++) {
        char path[80];
        harness_http_response_t *r = s_read(who, query);
        harness_expect_status(r, 200);
        assert_int_equal(s_n_items(r), items);
        assert_false(json_is_true(json_object_get(r->json, "hasUnpublishedChanges")));
        assert_null(strstr(r->body, absent));
        assert_null(strstr(r->body, "navngitt"));
        harness_http_response_free(&r);
        snprintf(path, sizeof path, "/notice.html%s", query);
        r = s_read(who, path);
        harness_expect_status(r, 200);
        assert_null(strstr(r->body, absent));
        assert_null(strstr(r->body, "navngitt"));
        harness_http_response_free(&r);
        snprintf(path, sizeof path, "/calendar.ics%s", query);
        r = s_read(who, path);
        harness_expect_status(r, 200);
        assert_null(strstr(r->body, absent));
        assert_null(strstr(r->body, "navngitt"));
        harness_http_response_free(&r);
    }
}

static void test_a_change_after_the_notice_waits_for_the_supplementary_notice(void **state)
{
    char body[512];
    snprintf(body, sizeof body,
             "{\"committeeId\":\"%s\",\"startTime\":\"2031-02-05T13:00:00+01:00\","
             "\"endTime\":\"2031-02-05T16:00:00+01:00\",\"place\":\"Styrerommet\"}",
             s_committee);
    harness_http_response_t *r = harness_stack_send(&s_stack, "POST", "/v1/meetings", body);
    harness_expect_status(r, 201);
    snprintf(s_meeting, sizeof s_meeting, "%s", harness_json_text(r, "id"));
    harness_http_response_free(&r);
    s_post("/items", "{\"kind\":\"CASE\",\"title\":\"Samarbeidsavtale om jordmortjenester\","
                     "\"presenters\":[\"Ingjerd Astad\"],\"durationMin\":20}");
    s_post(
        "/items",
        "{\"kind\":\"CASE\",\"title\":\"Klage på navngitt lege\",\"durationMin\":15,"
        "\"isExempt\":true,\"publicTitle\":\"Sak om personal\",\"exemptionBasis\":\"offl. § 13\"}");
    s_put_document(0, "Dagberedskap i fødeavdelingen.");
    s_post("/publish", NULL);

    /* after the notice: a new case and a new room, drafted */
    s_post("/items", "{\"kind\":\"CASE\",\"title\":\"Avtale om legevakt\",\"durationMin\":10}");
    char path[200];
    snprintf(path, sizeof path, "/v1/meetings/%s", s_meeting);
    r = harness_stack_send(&s_stack, "PATCH", path, "{\"place\":\"Auditoriet\"}");
    harness_expect_status(r, 200);
    harness_http_response_free(&r);

    /* the public and the other parties read notice 1 as it went out */
    s_readers_see("", 2, "legevakt");
    s_readers_see("", 2, "Auditoriet");
    r = s_read(PUBLIC, "");
    assert_string_equal(harness_json_text(r, "place"), "Styrerommet");
    assert_int_equal(json_integer_value(json_object_get(r->json, "noticeVersion")), 1);
    json_t *versions = json_object_get(r->json, "noticeVersions");
    assert_int_equal(json_array_size(versions), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(versions, 0), "kind")),
                        "NOTICE");
    harness_http_response_free(&r);
    r = s_read(PUBLIC, "/notice.html");
    assert_non_null(strstr(r->body, "<h1>MØTEINNKALLING</h1>"));
    assert_non_null(strstr(r->body, "Møtested: Styrerommet"));
    harness_http_response_free(&r);
    r = s_read(PUBLIC, "/calendar.ics");
    assert_non_null(strstr(r->body, "SEQUENCE:1\r\n"));
    assert_non_null(strstr(r->body, "LOCATION:Styrerommet\r\n"));
    harness_http_response_free(&r);
    /* and so do the committee's feed and the list of meetings */
    char url[300];
    snprintf(url, sizeof url, "%s/v1/committees/%s/calendar.ics", s_stack.base_url, s_committee);
    r = harness_http_request("GET", url, NULL, NULL);
    harness_expect_status(r, 200);
    assert_non_null(strstr(r->body, "LOCATION:Styrerommet\r\n"));
    assert_null(strstr(r->body, "Auditoriet"));
    harness_http_response_free(&r);
    snprintf(url, sizeof url, "%s/v1/meetings?committeeId=%s", s_stack.base_url, s_committee);
    r = harness_http_request("GET", url, NULL, NULL);
    harness_expect_status(r, 200);
    assert_null(strstr(r->body, "Auditoriet"));
    assert_null(strstr(r->body, "\"hasUnpublishedChanges\":true"));
    harness_http_response_free(&r);
    /* the events of the drafting carry the notice, not the draft */
    assert_false(s_event_holds("legevakt"));
    assert_false(s_event_holds("Auditoriet"));

    /* the secretariat works on the draft, marked as such */
    r = s_read(SECRETARIAT, "");
    assert_int_equal(s_n_items(r), 3);
    assert_string_equal(harness_json_text(r, "place"), "Auditoriet");
    assert_true(json_is_true(json_object_get(r->json, "hasUnpublishedChanges")));
    harness_http_response_free(&r);
    r = s_read(SECRETARIAT, "/notice.html");
    assert_non_null(strstr(r->body, "<h1>TILLEGGSINNKALLING (UTKAST)</h1>"));
    assert_non_null(strstr(r->body, "<li>Ny sak: Avtale om legevakt</li>"));
    assert_non_null(strstr(r->body, "Klage på navngitt lege"));
    harness_http_response_free(&r);
    /* and reads notice 1 as the others do */
    r = s_read(SECRETARIAT, "?version=1");
    assert_int_equal(s_n_items(r), 2);
    assert_false(json_is_true(json_object_get(r->json, "hasUnpublishedChanges")));
    harness_http_response_free(&r);
}

static void test_a_search_a_case_document_and_a_case_drafted_after_the_notice_wait_too(void **state)
{
    /* drafted after the notice: a case document changed, one written for
     * the new item, whose case started with it */
    s_put_document(0, "Kveldsberedskap i fødeavdelingen.");
    s_put_document(2, "Nattberedskap på legevakten.");
    s_item_field(2, "id", s_late_item, sizeof s_late_item);
    s_item_field(2, "caseId", s_late_case, sizeof s_late_case);
    char item[40];
    s_item_field(0, "id", item, sizeof item);

    for (s_reader_t who = PUBLIC; who <= OTHER; who++) {
        /* a search matches the notice's words, never the draft's */
        assert_false(s_found(who, "legevakt"));
        assert_false(s_found(who, "Auditoriet"));
        assert_true(s_found(who, "Styrerommet"));
        assert_true(s_found(who, "jordmortjenester"));
        assert_false(s_found(who, "navngitt"));
        /* the case document is the one the notice carried */
        char *doc = s_document(who, item);
        assert_non_null(doc);
        assert_non_null(strstr(doc, "Dagberedskap"));
        assert_null(strstr(doc, "Kveldsberedskap"));
        free(doc);
        assert_null(s_document(who, s_late_item));
    }
    /* the case of the drafted item is no one's but the secretariat's */
    assert_false(s_late_case_found(OTHER));
    /* nor do the events of the drafting carry any of it */
    assert_false(s_event_holds("Kveldsberedskap"));
    assert_false(s_event_holds("Nattberedskap"));

    /* the secretariat searches and reads the draft */
    assert_true(s_found(SECRETARIAT, "legevakt"));
    assert_true(s_found(SECRETARIAT, "Auditoriet"));
    char *doc = s_document(SECRETARIAT, item);
    assert_non_null(strstr(doc, "Kveldsberedskap"));
    free(doc);
    doc = s_document(SECRETARIAT, s_late_item);
    assert_non_null(strstr(doc, "Nattberedskap"));
    free(doc);
    assert_true(s_late_case_found(SECRETARIAT));
}

static void test_the_supplementary_notice_goes_out_with_a_new_sequence(void **state)
{
    s_post("/publish", NULL);
    assert_true(s_event_holds("legevakt")); /* notice_supplemented carries it */

    s_readers_see("", 3, "Styrerommet");
    harness_http_response_t *r = s_read(PUBLIC, "");
    assert_int_equal(json_integer_value(json_object_get(r->json, "noticeVersion")), 2);
    json_t *versions = json_object_get(r->json, "noticeVersions");
    assert_int_equal(json_array_size(versions), 2);
    json_t *second = json_array_get(versions, 1);
    assert_int_equal(json_integer_value(json_object_get(second, "version")), 2);
    assert_string_equal(json_string_value(json_object_get(second, "kind")), "SUPPLEMENTARY_NOTICE");
    assert_non_null(json_string_value(json_object_get(second, "publishTime")));
    harness_http_response_free(&r);
    r = s_read(PUBLIC, "/notice.html");
    assert_non_null(strstr(r->body, "<h1>TILLEGGSINNKALLING</h1>"));
    assert_non_null(strstr(r->body, "<h2>Endringer i tilleggsinnkalling 1</h2>"));
    assert_non_null(strstr(r->body, "<li>Ny sak: Avtale om legevakt</li>"));
    assert_non_null(strstr(r->body, "<li>Nytt møtested: Auditoriet</li>"));
    harness_http_response_free(&r);
    r = s_read(PUBLIC, "/calendar.ics");
    assert_non_null(strstr(r->body, "SEQUENCE:2\r\n"));
    assert_non_null(strstr(r->body, "LOCATION:Auditoriet\r\n"));
    harness_http_response_free(&r);

    /* notice 1 is still there, as it went out, in all three forms */
    s_readers_see("?version=1", 2, "legevakt");
    r = s_read(PUBLIC, "?version=1");
    assert_int_equal(json_integer_value(json_object_get(r->json, "noticeVersion")), 1);
    assert_string_equal(harness_json_text(r, "place"), "Styrerommet");
    harness_http_response_free(&r);
    r = s_read(PUBLIC, "/notice.html?version=1");
    assert_non_null(strstr(r->body, "<h1>MØTEINNKALLING</h1>"));
    assert_non_null(strstr(r->body, "Sak om personal (unntatt offentlighet, offl. § 13)"));
    harness_http_response_free(&r);
    r = s_read(OTHER, "/calendar.ics?version=1");
    assert_non_null(strstr(r->body, "SEQUENCE:1\r\n"));
    assert_non_null(strstr(r->body, "LOCATION:Styrerommet\r\n"));
    harness_http_response_free(&r);
    s_readers_see("?version=2", 3, "Styrerommet");
}

static void
test_with_the_supplementary_notice_the_search_the_documents_and_the_case_follow(void **state)
{
    char item[40];
    s_item_field(0, "id", item, sizeof item);
    for (s_reader_t who = PUBLIC; who <= OTHER; who++) {
        assert_true(s_found(who, "legevakt"));
        assert_true(s_found(who, "Auditoriet"));
        assert_false(s_found(who, "Styrerommet"));
        char *doc = s_document(who, item);
        assert_non_null(strstr(doc, "Kveldsberedskap"));
        free(doc);
        doc = s_document(who, s_late_item);
        assert_non_null(strstr(doc, "Nattberedskap"));
        free(doc);
    }
    assert_true(s_late_case_found(OTHER));
    /* the case documents' events go out with the notice that carries them */
    assert_true(s_event_holds("Kveldsberedskap"));
    assert_true(s_event_holds("Nattberedskap"));
}

static void test_a_version_that_is_none_is_refused_by_name(void **state)
{
    static const char *const forms[] = {"", "/notice.html", "/calendar.ics"};
    for (size_t i = 0; i < 3; i++) {
        char path[80];
        snprintf(path, sizeof path, "%s?version=3", forms[i]);
        harness_http_response_t *r = s_read(PUBLIC, path);
        harness_assert_problem(r, 404, "version");
        harness_http_response_free(&r);
        static const char *const bad[] = {"0", "-1", "abc", "1.5"};
        for (size_t j = 0; j < 4; j++) {
            snprintf(path, sizeof path, "%s?version=%s", forms[i], bad[j]);
            r = s_read(OTHER, path);
            harness_assert_problem(r, 400, "version");
            harness_http_response_free(&r);
        }
    }
}

static void test_an_item_made_exempt_is_hidden_in_every_notice(void **state)
{
    harness_http_response_t *r = s_read(SECRETARIAT, "");
    snprintf(s_public_item, sizeof s_public_item, "%s",
             json_string_value(
                 json_object_get(json_array_get(json_object_get(r->json, "items"), 0), "id")));
    harness_http_response_free(&r);
    char path[200];
    snprintf(path, sizeof path, "/v1/meetings/%s/items/%s", s_meeting, s_public_item);
    r = harness_stack_send(&s_stack, "PATCH", path,
                           "{\"isExempt\":true,\"publicTitle\":\"Sak om "
                           "personal\",\"exemptionBasis\":\"offl. § 14\"}");
    harness_expect_status(r, 200);
    harness_http_response_free(&r);
    /* not published yet, and yet hidden at once in notices 1 and 2 */
    s_readers_see("?version=1", 2, "jordmortjenester");
    s_readers_see("?version=2", 3, "jordmortjenester");
    s_readers_see("", 3, "jordmortjenester");
    r = s_read(PUBLIC, "/notice.html?version=1");
    assert_non_null(strstr(r->body, "Sak om personal (unntatt offentlighet, offl. § 14)"));
    harness_http_response_free(&r);
    r = s_read(SECRETARIAT, "/notice.html?version=1");
    assert_non_null(strstr(r->body, "jordmortjenester"));
    harness_http_response_free(&r);
}

static void test_a_cancellation_shows_at_once(void **state)
{
    s_post("/cancel", "{\"reason\":\"Leder er syk.\"}");
    harness_http_response_t *r = s_read(PUBLIC, "");
    assert_string_equal(harness_json_text(r, "state"), "CANCELLED");
    assert_int_equal(s_n_items(r), 3); /* notice 2's agenda */
    harness_http_response_free(&r);
    r = s_read(PUBLIC, "/calendar.ics");
    assert_non_null(strstr(r->body, "METHOD:CANCEL\r\n"));
    assert_non_null(strstr(r->body, "STATUS:CANCELLED\r\n"));
    harness_http_response_free(&r);
    r = s_read(PUBLIC, "/notice.html?version=1");
    assert_non_null(strstr(r->body, "Møtet er avlyst."));
    harness_http_response_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_change_after_the_notice_waits_for_the_supplementary_notice),
        cmocka_unit_test(
            test_a_search_a_case_document_and_a_case_drafted_after_the_notice_wait_too),
        cmocka_unit_test(test_the_supplementary_notice_goes_out_with_a_new_sequence),
        cmocka_unit_test(
            test_with_the_supplementary_notice_the_search_the_documents_and_the_case_follow),
        cmocka_unit_test(test_a_version_that_is_none_is_refused_by_name),
        cmocka_unit_test(test_an_item_made_exempt_is_hidden_in_every_notice),
        cmocka_unit_test(test_a_cancellation_shows_at_once),
    };
    return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
