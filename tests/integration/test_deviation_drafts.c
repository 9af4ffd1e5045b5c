/* The report form: a draft is changed by the one who wrote it, with
 * If-Match on the version read (428 without it, 412 when it changed
 * since); a form with several mistakes is answered with every one of them
 * at once, in bokmål when asked; the degree of harm is graded on the form
 * and counted in the statistics. */
#include "harness.h"

#include <libpq-fe.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define KOMMUNE "11111111-1111-4111-8111-111111111111"
#define SYKEHUS "22222222-2222-4222-8222-222222222222"
#define LEGEKONTOR "33333333-3333-4333-8333-333333333333"

static harness_stack_t s_stack;
static const char *s_writer = "Authorization: Bearer shk_kommune_sykepleier";
static const char *s_colleague = "Authorization: Bearer shk_kommune_kollega";
static const char *s_receiver = "Authorization: Bearer shk_sykehus";
static const char *s_quality = "Authorization: Bearer shk_kvalitet";

static harness_http_response_t *s_send(const char *who, const char *method, const char *path,
                                       const char *body, const char *header)
{
    char url[512];
    snprintf(url, sizeof url, "%s%s", s_stack.base_url, path);
    const char *headers[] = {who, header, NULL};
    return harness_http_request(method, url, body, headers);
}

static int s_setup(void **state)
{
    static const harness_key_t parties[] = {{"shk_kommune_sykepleier", KOMMUNE, "reporter"},
                                            {"shk_kommune_kollega", KOMMUNE, "reporter"},
                                            {"shk_sykehus", SYKEHUS, "reporter"},
                                            {"shk_kvalitet", "", "quality"}};
    harness_api_keys_set(parties, sizeof parties / sizeof parties[0]);
    harness_stack_start(&s_stack, harness_database_url());
    return 0;
}

static int s_teardown(void **state)
{
    harness_stack_stop(&s_stack);
    return 0;
}

/* A draft by the writer: its id and its ETag. */
static void s_draft(char id[40], char etag[32])
{
    harness_http_response_t *r =
        s_send(s_writer, "POST", "/v1/deviations",
               "{\"reportingOrganizationId\":\"" KOMMUNE "\",\"receivingOrganizationId\":\"" SYKEHUS
               "\",\"reportingUnit\":\"Hjemmesykepleien\",\"description\":\"Første utkast.\"}",
               NULL);
    harness_expect_status(r, 201);
    snprintf(id, 40, "%s", harness_json_text(r, "id"));
    harness_http_header(r, "etag", etag, 32);
    assert_true(etag[0] == '"');
    harness_http_response_free(&r);
}

/* The fields an answer's errors name, comma separated, in order. */
static void s_fields(const harness_http_response_t *r, char *out, size_t size)
{
    size_t used = 0, i;
    json_t *error;
    out[0] = '\0';
    json_array_foreach(json_object_get(r->json, "errors"), i, error)
    {
        used += (size_t)snprintf(out + used, size - used, "%s%s", used ? "," : "",
                                 json_string_value(json_object_get(error, "field")));
    }
}

static void test_a_draft_is_changed_with_if_match(void **state)
{
    char id[40], etag[32], path[128], if_match[64], fields[256];
    s_draft(id, etag);
    snprintf(path, sizeof path, "/v1/deviations/%s", id);
    const char *change = "{\"description\":\"Pasienten kom hjem uten epikrise.\","
                         "\"categoryCode\":\"SAM-EPIKRISE\",\"type\":\"BREACH_OF_AGREEMENT\"}";
    /* without the version read: 428, nothing changed */
    harness_http_response_t *r = s_send(s_writer, "PATCH", path, change, NULL);
    harness_assert_problem(r, 428, NULL);
    harness_http_response_free(&r);
    /* another version than the one there: 412 */
    r = s_send(s_writer, "PATCH", path, change, "If-Match: \"1\"");
    harness_assert_problem(r, 412, NULL);
    harness_http_response_free(&r);
    /* a colleague's key, and the receiver: no such report */
    snprintf(if_match, sizeof if_match, "If-Match: %s", etag);
    r = s_send(s_colleague, "PATCH", path, change, if_match);
    harness_assert_problem(r, 404, "id");
    harness_http_response_free(&r);
    r = s_send(s_receiver, "PATCH", path, change, if_match);
    harness_assert_problem(r, 404, "id");
    harness_http_response_free(&r);
    /* the writer with the version read: those fields, the rest as it was */
    r = s_send(s_writer, "PATCH", path, change, if_match);
    harness_expect_status(r, 200);
    assert_string_equal(harness_json_text(r, "description"), "Pasienten kom hjem uten epikrise.");
    assert_string_equal(harness_json_text(r, "categoryCode"), "SAM-EPIKRISE");
    assert_string_equal(harness_json_text(r, "reportingUnit"), "Hjemmesykepleien");
    assert_string_equal(harness_json_text(r, "state"), "DRAFT");
    char next[32];
    harness_http_header(r, "etag", next, sizeof next);
    assert_string_not_equal(next, etag);
    harness_http_response_free(&r);
    /* the old version is stale now */
    r = s_send(s_writer, "PATCH", path, "{\"reportingUnit\":\"Sone Øst\"}", if_match);
    harness_assert_problem(r, 412, NULL);
    harness_http_response_free(&r);
    /* the reporting organisation is not a field of the change */
    snprintf(if_match, sizeof if_match, "If-Match: %s", next);
    r = s_send(s_writer, "PATCH", path, "{\"reportingOrganizationId\":\"" LEGEKONTOR "\"}",
               if_match);
    harness_assert_problem(r, 400, "reportingOrganizationId");
    harness_http_response_free(&r);
    /* submitted, it moves by its workflow only */
    snprintf(path, sizeof path, "/v1/deviations/%s/submit", id);
    r = s_send(s_writer, "POST", path, "{\"comment\":\"\"}", NULL);
    harness_assert_problem(r, 422, "occurredTime"); /* the two fields it still lacks */
    s_fields(r, fields, sizeof fields);
    assert_string_equal(fields, "occurredTime,harmDegree");
    harness_http_response_free(&r);
    snprintf(path, sizeof path, "/v1/deviations/%s", id);
    r = s_send(s_writer, "PATCH", path,
               "{\"occurredTime\":\"2026-11-02T10:00:00+01:00\",\"harmDegree\":\"NO_HARM\"}",
               if_match);
    harness_expect_status(r, 200);
    harness_http_header(r, "etag", next, sizeof next);
    harness_http_response_free(&r);
    snprintf(path, sizeof path, "/v1/deviations/%s/submit", id);
    r = s_send(s_writer, "POST", path, "{}", NULL);
    harness_expect_status(r, 200);
    harness_http_response_free(&r);
    snprintf(path, sizeof path, "/v1/deviations/%s", id);
    snprintf(if_match, sizeof if_match, "If-Match: %s", next);
    r = s_send(s_writer, "PATCH", path, "{\"reportingUnit\":\"Sone Øst\"}", if_match);
    harness_assert_problem(r, 409, "state");
    harness_http_response_free(&r);
}

static void test_every_error_of_a_form_at_once(void **state)
{
    /* three mistakes: an address that is none, an identity number, a code
     * not in the list; each named, none echoed */
    const char *form =
        "{\"reportingOrganizationId\":\"" KOMMUNE "\",\"receivingOrganizationId\":\"" SYKEHUS
        "\",\"reporterEmail\":\"ikke-en-adresse\","
        "\"description\":\"Gjelder 01019033119.\","
        "\"categoryCode\":\"FINNES-IKKE-XYZ\"}";
    harness_http_response_t *r = s_send(s_writer, "POST", "/v1/deviations", form, NULL);
    harness_expect_status(r, 400);
    char fields[256];
    s_fields(r, fields, sizeof fields);
    assert_string_equal(fields, "description,reporterEmail,categoryCode");
    assert_null(strstr(r->body, "01019033119"));
    assert_null(strstr(r->body, "FINNES-IKKE-XYZ"));
    assert_string_equal(harness_json_text(r, "detail"), "3 fields are not valid; see errors");
    harness_http_response_free(&r);
    /* in bokmål, each of them */
    r = s_send(s_writer, "POST", "/v1/deviations", form, "Accept-Language: nb");
    harness_expect_status(r, 400);
    assert_string_equal(harness_json_text(r, "detail"), "3 felt er ikke gyldige; se errors");
    size_t i;
    json_t *error;
    json_array_foreach(json_object_get(r->json, "errors"), i, error)
    {
        const char *detail = json_string_value(json_object_get(error, "detail"));
        assert_null(strstr(detail, " must "));
        assert_null(strstr(detail, " is not "));
    }
    assert_non_null(strstr(r->body, "står ikke i kodelisten"));
    harness_http_response_free(&r);
    /* submitted at once, every field it lacks */
    r = s_send(s_writer, "POST", "/v1/deviations",
               "{\"reportingOrganizationId\":\"" KOMMUNE "\",\"receivingOrganizationId\":\"" SYKEHUS
               "\",\"submit\":true}",
               NULL);
    harness_expect_status(r, 422);
    s_fields(r, fields, sizeof fields);
    assert_string_equal(fields, "type,categoryCode,occurredTime,description,harmDegree");
    harness_http_response_free(&r);
    /* one mistake is still one error, its own detail */
    r = s_send(s_writer, "POST", "/v1/deviations",
               "{\"reportingOrganizationId\":\"" KOMMUNE "\",\"receivingOrganizationId\":\"" KOMMUNE
               "\"}",
               NULL);
    harness_assert_problem(r, 400, "receivingOrganizationId");
    assert_int_equal(json_array_size(json_object_get(r->json, "errors")), 1);
    assert_non_null(strstr(harness_json_text(r, "detail"), "between two parties"));
    harness_http_response_free(&r);
    /* and a change of a draft the same way */
    char id[40], etag[32], path[128], if_match[64];
    s_draft(id, etag);
    snprintf(path, sizeof path, "/v1/deviations/%s", id);
    snprintf(if_match, sizeof if_match, "If-Match: %s", etag);
    r = s_send(s_writer, "PATCH", path,
               "{\"reporterEmail\":\"ikke-en-adresse\",\"receivingOrganizationId\":\"" KOMMUNE
               "\",\"immediateMeasures\":\"Ringte om 010190 33119.\"}",
               if_match);
    harness_expect_status(r, 400);
    s_fields(r, fields, sizeof fields);
    assert_string_equal(fields, "immediateMeasures,reporterEmail,receivingOrganizationId");
    harness_http_response_free(&r);
    /* nothing of it was kept */
    r = s_send(s_writer, "GET", path, NULL, NULL);
    assert_string_equal(harness_json_text(r, "receivingOrganizationId"), SYKEHUS);
    assert_string_equal(harness_json_text(r, "reporterEmail"), "");
    harness_http_response_free(&r);
}

/* Run first: its reports are the only ones of the period. */
static void test_the_degree_of_harm_is_graded_and_counted(void **state)
{
    char body[1024], id[40] = "";
    for (int i = 0; i < 6; i++) {
        snprintf(body, sizeof body,
                 "{\"reportingOrganizationId\":\"" KOMMUNE
                 "\",\"receivingOrganizationId\":\"" SYKEHUS
                 "\",\"occurredTime\":\"2026-11-02T10:00:00+01:00\",\"type\":"
                 "\"BREACH_OF_AGREEMENT\",\"categoryCode\":\"SAM-EPIKRISE\",\"description\":"
                 "\"Epikrise manglet.\",\"harmDegree\":\"MODERATE\",\"submit\":true}");
        harness_http_response_t *r = s_send(s_writer, "POST", "/v1/deviations", body, NULL);
        harness_expect_status(r, 201);
        assert_string_equal(harness_json_text(r, "harmDegree"), "MODERATE");
        snprintf(id, sizeof id, "%s", harness_json_text(r, "id"));
        harness_http_response_free(&r);
    }
    /* the receiver's export grades it too */
    char path[160];
    snprintf(path, sizeof path, "/v1/deviations/%s/fhir", id);
    harness_http_response_t *r = s_send(s_receiver, "GET", path, NULL, NULL);
    harness_expect_status(r, 200);
    assert_non_null(strstr(r->body, "\"seriousness\""));
    assert_non_null(strstr(r->body, "Moderat skade"));
    harness_http_response_free(&r);
    /* a grade that is none is refused by name */
    r = s_send(s_writer, "POST", "/v1/deviations",
               "{\"reportingOrganizationId\":\"" KOMMUNE "\",\"receivingOrganizationId\":\"" SYKEHUS
               "\",\"harmDegree\":\"LITT\"}",
               NULL);
    harness_assert_problem(r, 400, "harmDegree");
    harness_http_response_free(&r);
    /* counted by grade, by its Norwegian name (the running period: quality staff) */
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    snprintf(path, sizeof path, "/v1/deviations/stats?period=%d-T%d", tm.tm_year + 1900,
             tm.tm_mon / 4 + 1);
    r = s_send(s_quality, "GET", path, NULL, NULL);
    harness_expect_status(r, 200);
    json_t *harm = json_object_get(json_object_get(r->json, "current"), "byHarmDegree");
    assert_int_equal(json_array_size(harm), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(harm, 0), "key")),
                        "MODERATE");
    assert_string_equal(json_string_value(json_object_get(json_array_get(harm, 0), "name")),
                        "Moderat skade");
    assert_int_equal(json_integer_value(json_object_get(json_array_get(harm, 0), "count")), 6);
    harness_http_response_free(&r);
    strncat(path, "&format=csv", sizeof path - strlen(path) - 1);
    r = s_send(s_quality, "GET", path, NULL, NULL);
    assert_non_null(strstr(r->body, ";skadegrad;\"Moderat skade\";6\r\n"));
    harness_http_response_free(&r);
}

/* A report goes to the receiver graded: a draft may lack the degree of
 * harm, a submission without it is refused (422) naming harmDegree beside
 * every other field it lacks; a report from before it was asked (none
 * recorded) still reads, and is counted as «Ikke vurdert». */
static void test_a_submitted_report_has_a_degree_of_harm(void **state)
{
    const char *form =
        "{\"reportingOrganizationId\":\"" KOMMUNE "\",\"receivingOrganizationId\":\"" SYKEHUS
        "\",\"occurredTime\":\"2026-11-02T10:00:00+01:00\",\"type\":"
        "\"BREACH_OF_AGREEMENT\",\"categoryCode\":\"SAM-HENVISNING\","
        "\"description\":\"Henvisningen kom ikke fram.\"%s}";
    char body[512], fields[256], id[40], path[160];
    /* a draft without it: kept */
    snprintf(body, sizeof body, form, "");
    harness_http_response_t *r = s_send(s_writer, "POST", "/v1/deviations", body, NULL);
    harness_expect_status(r, 201);
    assert_string_equal(harness_json_text(r, "harmDegree"), "HARM_DEGREE_UNSPECIFIED");
    snprintf(id, sizeof id, "%s", harness_json_text(r, "id"));
    harness_http_response_free(&r);
    /* submitted at once without it: 422, harmDegree named */
    snprintf(body, sizeof body, form, ",\"submit\":true");
    r = s_send(s_writer, "POST", "/v1/deviations", body, NULL);
    harness_assert_problem(r, 422, "harmDegree");
    s_fields(r, fields, sizeof fields);
    assert_string_equal(fields, "harmDegree");
    harness_http_response_free(&r);
    /* with another field missing too: both at once */
    r = s_send(s_writer, "POST", "/v1/deviations",
               "{\"reportingOrganizationId\":\"" KOMMUNE "\",\"receivingOrganizationId\":\"" SYKEHUS
               "\",\"type\":\"OTHER\",\"categoryCode\":\"SAM-HENVISNING\",\"occurredTime\":"
               "\"2026-11-02T10:00:00+01:00\",\"submit\":true}",
               NULL);
    harness_expect_status(r, 422);
    s_fields(r, fields, sizeof fields);
    assert_string_equal(fields, "description,harmDegree");
    harness_http_response_free(&r);
    /* the draft's own submission: the same */
    snprintf(path, sizeof path, "/v1/deviations/%s/submit", id);
    r = s_send(s_writer, "POST", path, "{}", NULL);
    harness_assert_problem(r, 422, "harmDegree");
    harness_http_response_free(&r);
    /* graded, it goes */
    snprintf(body, sizeof body, form, ",\"harmDegree\":\"NO_HARM\",\"submit\":true");
    r = s_send(s_writer, "POST", "/v1/deviations", body, NULL);
    harness_expect_status(r, 201);
    assert_string_equal(harness_json_text(r, "harmDegree"), "NO_HARM");
    snprintf(id, sizeof id, "%s", harness_json_text(r, "id"));
    harness_http_response_free(&r);
    /* one from before harm was asked: none recorded */
    PGconn *db = PQconnectdb(harness_service_url("deviation"));
    assert_int_equal(PQstatus(db), CONNECTION_OK);
    const char *params[] = {id};
    PGresult *res = PQexecParams(db, "UPDATE reports SET harm_degree = NULL WHERE id = $1", 1, NULL,
                                 params, NULL, NULL, 0);
    assert_int_equal(PQresultStatus(res), PGRES_COMMAND_OK);
    PQclear(res);
    PQfinish(db);
    snprintf(path, sizeof path, "/v1/deviations/%s", id);
    r = s_send(s_receiver, "GET", path, NULL, NULL);
    harness_expect_status(r, 200);
    assert_string_equal(harness_json_text(r, "harmDegree"), "HARM_DEGREE_UNSPECIFIED");
    harness_http_response_free(&r);
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    snprintf(path, sizeof path, "/v1/deviations/stats?period=%d-T%d&format=csv", tm.tm_year + 1900,
             tm.tm_mon / 4 + 1);
    r = s_send(s_quality, "GET", path, NULL, NULL);
    harness_expect_status(r, 200);
    assert_non_null(strstr(r->body, ";skadegrad;\"Ikke vurdert\";"));
    assert_null(strstr(r->body, "Ikke oppgitt\";"));
    harness_http_response_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_the_degree_of_harm_is_graded_and_counted),
        cmocka_unit_test(test_a_draft_is_changed_with_if_match),
        cmocka_unit_test(test_every_error_of_a_form_at_once),
        cmocka_unit_test(test_a_submitted_report_has_a_degree_of_harm),
    };
    return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
