/* A committee's public archive (GET /v1/committees/{id}/documents), read
 * by anyone as a partnership's web site shows it: every meeting's notice
 * as it last went out (a cancelled meeting's too) and its minutes once
 * approved, newest first, by year; no draft, no unapproved minutes, the
 * meeting's title as noticed (not a change made since), and the documents
 * behind the paths served to the public. */
#include "harness.h"

#include <string.h>

static harness_stack_t s_stack;
static char s_committee[40], s_old[40], s_spring[40], s_cancelled[40], s_draft[40], s_next[40];

static void s_send(const char *method, const char *path, const char *body)
{
    harness_http_response_t *r = harness_stack_send(&s_stack, method, path, body);
    harness_expect_status(r, 200);
    harness_http_response_free(&r);
}

static void s_meeting(const char *title, const char *start, const char *end, char id[40])
{
    char body[512];
    snprintf(body, sizeof body,
             "{\"committeeId\":\"%s\",\"title\":\"%s\",\"startTime\":\"%s\",\"endTime\":\"%s\","
             "\"place\":\"Sykehuset Levanger\"}",
             s_committee, title, start, end);
    harness_stack_create(&s_stack, "/v1/meetings", body, id);
}

static int s_setup(void **state)
{
    (void)state;
    harness_stack_start(&s_stack, harness_database_url());
    harness_stack_create(&s_stack, "/v1/committees",
                         "{\"name\":\"Administrativt samarbeidsutvalg\",\"shortName\":\"ASU\","
                         "\"kind\":\"ADMINISTRATIVE\"}",
                         s_committee);
    char item[40], path[200];
    /* 2024: held, its minutes approved; an exempt item on it */
    s_meeting("ASU-møte mars", "2024-03-05T09:00:00+01:00", "2024-03-05T12:00:00+01:00", s_old);
    harness_stack_add_item(&s_stack, s_old,
                           "{\"kind\":\"CASE\",\"title\":\"Klage fra Kari Kanarifugl\","
                           "\"durationMin\":10,\"isExempt\":true,\"publicTitle\":\"Sak om klage\","
                           "\"exemptionBasis\":\"offl. § 13\"}",
                           item);
    harness_stack_publish(&s_stack, s_old);
    snprintf(path, sizeof path, "/v1/meetings/%s/items/%s/outcome", s_old, item);
    s_send("PUT", path,
           "{\"outcome\":\"ADOPTED_AS_AMENDED\",\"decision\":\"Klagen tas til følge.\"}");
    char org[40], person[40], body[256];
    harness_stack_create(
        &s_stack, "/v1/organizations",
        "{\"name\":\"Helse Nord-Trøndelag HF\",\"organizationNumber\":\"983974880\","
        "\"kind\":\"HOSPITAL_TRUST\"}",
        org);
    snprintf(body, sizeof body, "{\"name\":\"Elisabeth Romuld\",\"organizationId\":\"%s\"}", org);
    harness_stack_create(&s_stack, "/v1/persons", body, person);
    snprintf(path, sizeof path, "/v1/meetings/%s/attendance", s_old);
    snprintf(body, sizeof body, "{\"entries\":[{\"personId\":\"%s\",\"status\":\"PRESENT\"}]}",
             person);
    s_send("PUT", path, body);
    snprintf(path, sizeof path, "/v1/meetings/%s/minutes/approve", s_old);
    s_send("POST", path, NULL);
    /* 2025: one noticed (then renamed, not noticed again), one cancelled,
     * one never noticed */
    s_meeting("ASU-møte juni", "2025-06-10T09:00:00+02:00", "2025-06-10T12:00:00+02:00", s_spring);
    harness_stack_add_item(&s_stack, s_spring,
                           "{\"kind\":\"CASE\",\"title\":\"Tjenesteavtale 2\",\"durationMin\":15}",
                           item);
    harness_stack_publish(&s_stack, s_spring);
    snprintf(path, sizeof path, "/v1/meetings/%s", s_spring);
    harness_http_response_t *r =
        harness_stack_send(&s_stack, "PATCH", path, "{\"title\":\"Utkast til nytt navn\"}");
    assert_true(r->status == 200);
    harness_http_response_free(&r);
    s_meeting("ASU-møte november", "2025-11-11T09:00:00+01:00", "2025-11-11T12:00:00+01:00",
              s_cancelled);
    harness_stack_add_item(&s_stack, s_cancelled,
                           "{\"kind\":\"CASE\",\"title\":\"Budsjett\",\"durationMin\":15}", item);
    harness_stack_publish(&s_stack, s_cancelled);
    snprintf(path, sizeof path, "/v1/meetings/%s/cancel", s_cancelled);
    s_send("POST", path, "{\"reason\":\"For få saker\"}");
    s_meeting("ASU-møte desember", "2025-12-02T09:00:00+01:00", "2025-12-02T12:00:00+01:00",
              s_draft);
    /* 2027: noticed, a supplementary notice after it */
    s_meeting("ASU-møte februar", "2027-02-09T09:00:00+01:00", "2027-02-09T12:00:00+01:00", s_next);
    harness_stack_add_item(&s_stack, s_next,
                           "{\"kind\":\"CASE\",\"title\":\"Årsplan\",\"durationMin\":15}", item);
    harness_stack_publish(&s_stack, s_next);
    harness_stack_add_item(&s_stack, s_next,
                           "{\"kind\":\"CASE\",\"title\":\"Tilleggssak\",\"durationMin\":5}", item);
    harness_stack_publish(&s_stack, s_next);
    return 0;
}

static int s_teardown(void **state)
{
    (void)state;
    harness_stack_stop(&s_stack);
    return 0;
}

/* GET as the public: no credential */
static harness_http_response_t *s_public(const char *path)
{
    char url[400];
    snprintf(url, sizeof url, "%s%s", s_stack.base_url, path);
    return harness_http_request("GET", url, NULL, NULL);
}

static harness_http_response_t *s_archive(const char *query)
{
    char path[200];
    snprintf(path, sizeof path, "/v1/committees/%s/documents%s", s_committee, query);
    return s_public(path);
}

static const char *s_text(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    return json_is_string(v) ? json_string_value(v) : "";
}

static void test_the_public_reads_notices_and_approved_minutes_newest_first(void **state)
{
    (void)state;
    harness_http_response_t *r = s_archive("");
    harness_expect_status(r, 200);
    json_t *docs = json_object_get(r->json, "documents");
    static const struct {
        const char *meeting, *kind, *title;
        int year, version;
        bool cancelled;
    } want[] = {
        {s_next, "NOTICE", "ASU-møte februar", 2027, 2, false},
        {s_cancelled, "NOTICE", "ASU-møte november", 2025, 1, true},
        {s_spring, "NOTICE", "ASU-møte juni", 2025, 1, false},
        {s_old, "MINUTES", "ASU-møte mars", 2024, 0, false},
        {s_old, "NOTICE", "ASU-møte mars", 2024, 1, false},
    };
    size_t n = sizeof want / sizeof want[0];
    if (json_array_size(docs) != n)
        fail_msg("%zu documents, not %zu: %s", json_array_size(docs), n, r->body);
    for (size_t i = 0; i < n; i++) {
        json_t *d = json_array_get(docs, i);
        assert_string_equal(s_text(d, "meetingId"), want[i].meeting);
        assert_string_equal(s_text(d, "kind"), want[i].kind);
        assert_string_equal(s_text(d, "title"), want[i].title);
        assert_int_equal(json_integer_value(json_object_get(d, "year")), want[i].year);
        assert_int_equal(json_integer_value(json_object_get(d, "noticeVersion")), want[i].version);
        assert_true(json_is_true(json_object_get(d, "isCancelled")) == want[i].cancelled);
        assert_true(strlen(s_text(d, "time")) > 0); /* when it went out, or was approved */
        char pdf[200];
        snprintf(pdf, sizeof pdf, "/v1/meetings/%s/%s.pdf", want[i].meeting,
                 strcmp(want[i].kind, "NOTICE") == 0 ? "notice" : "minutes");
        assert_string_equal(s_text(d, "pdfPath"), pdf);
    }
    json_t *years = json_object_get(r->json, "years");
    assert_int_equal(json_array_size(years), 3);
    assert_int_equal(json_integer_value(json_array_get(years, 0)), 2027);
    assert_int_equal(json_integer_value(json_array_get(years, 2)), 2024);
    /* neither the draft meeting, nor the name given since the notice, nor an
     * exempt item's title */
    assert_null(strstr(r->body, s_draft));
    assert_null(strstr(r->body, "Utkast til nytt navn"));
    assert_null(strstr(r->body, "Kanarifugl"));
    harness_http_response_free(&r);
}

/* Those who run the committee read the same archive: the title the notice
 * went out with, not their draft's since */
static void test_the_secretariat_reads_the_record_too(void **state)
{
    (void)state;
    char path[200];
    snprintf(path, sizeof path, "/v1/committees/%s/documents?year=2025", s_committee);
    harness_http_response_t *r = harness_stack_get(&s_stack, path);
    harness_expect_status(r, 200);
    assert_non_null(strstr(r->body, "ASU-møte juni"));
    assert_null(strstr(r->body, "Utkast til nytt navn"));
    harness_http_response_free(&r);
}

static void test_a_year_at_a_time(void **state)
{
    (void)state;
    harness_http_response_t *r = s_archive("?year=2024");
    harness_expect_status(r, 200);
    json_t *docs = json_object_get(r->json, "documents");
    assert_int_equal(json_array_size(docs), 2);
    assert_string_equal(s_text(json_array_get(docs, 0), "kind"), "MINUTES");
    assert_int_equal(json_array_size(json_object_get(r->json, "years")), 3); /* all still */
    harness_http_response_free(&r);
    r = s_archive("?year=2019");
    harness_expect_status(r, 200);
    assert_int_equal(json_array_size(json_object_get(r->json, "documents")), 0);
    harness_http_response_free(&r);
    r = s_archive("?year=23");
    harness_assert_problem(r, 400, "year");
    harness_http_response_free(&r);
    r = s_archive("?year=tjuetjuefire");
    harness_assert_problem(r, 400, "year");
    harness_http_response_free(&r);
}

static void test_the_paths_serve_the_public_its_documents(void **state)
{
    (void)state;
    harness_http_response_t *r = s_archive("?year=2024");
    harness_expect_status(r, 200);
    json_t *docs = json_object_get(r->json, "documents");
    for (size_t i = 0; i < json_array_size(docs); i++) {
        harness_http_response_t *pdf = s_public(s_text(json_array_get(docs, i), "pdfPath"));
        harness_expect_status(pdf, 200);
        assert_string_equal(pdf->content_type, "application/pdf");
        harness_http_response_free(&pdf);
        harness_http_response_t *html = s_public(s_text(json_array_get(docs, i), "htmlPath"));
        harness_expect_status(html, 200);
        /* the exempt item by its public title only */
        assert_non_null(strstr(html->body, "Sak om klage"));
        assert_null(strstr(html->body, "Kanarifugl"));
        harness_http_response_free(&html);
    }
    harness_http_response_free(&r);
}

static void test_an_unknown_committee_is_404(void **state)
{
    (void)state;
    harness_http_response_t *r =
        s_public("/v1/committees/7c9e6679-7425-40de-944b-e07fc1f90ae7/documents");
    harness_assert_problem(r, 404, "id");
    harness_http_response_free(&r);
    r = s_public("/v1/committees/ikke-en-id/documents");
    harness_expect_status(r, 404);
    harness_http_response_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_the_public_reads_notices_and_approved_minutes_newest_first),
        cmocka_unit_test(test_the_secretariat_reads_the_record_too),
        cmocka_unit_test(test_a_year_at_a_time),
        cmocka_unit_test(test_the_paths_serve_the_public_its_documents),
        cmocka_unit_test(test_an_unknown_committee_is_404),
    };
    return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
