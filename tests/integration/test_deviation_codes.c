/* The category code list in versions: the list in force is NOKUP's event
 * types (version 1.1 of January 2018) beside the partnership's cooperation
 * categories, with its version, date and title, and every earlier version
 * can be read; an administrator loads a new version with a mapping from
 * each code it retires (every mistake of the load named at once); a report
 * keeps the code and the version it was coded with; statistics count the
 * reports of every version under today's codes; the load is an event. */
#include "harness.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define KOMMUNE "11111111-1111-4111-8111-111111111111"
#define SYKEHUS "22222222-2222-4222-8222-222222222222"

static harness_stack_t s_stack;
static const char *s_reporter = "Authorization: Bearer shk_kommune";
static const char *s_quality = "Authorization: Bearer shk_kvalitet";

static harness_http_response_t *s_send(const char *who, const char *method, const char *path,
                                       const char *body)
{
    char url[512];
    snprintf(url, sizeof url, "%s%s", s_stack.base_url, path);
    const char *headers[] = {who, NULL};
    return harness_http_request(method, url, body, headers);
}

static int s_setup(void **state)
{
    static const harness_key_t keys[] = {{"shk_kommune", KOMMUNE, "reporter"},
                                         {"shk_kvalitet", "", "quality"}};
    harness_api_keys_set(keys, 2);
    harness_stack_start(&s_stack, harness_database_url());
    return 0;
}

static int s_teardown(void **state)
{
    harness_stack_stop(&s_stack);
    return 0;
}

/* The codes of a list answer, comma separated. */
static void s_codes(json_t *items, char *out, size_t size)
{
    size_t used = 0, i;
    json_t *item;
    out[0] = '\0';
    json_array_foreach(items, i, item)
    {
        used += (size_t)snprintf(out + used, size - used, ",%s",
                                 json_string_value(json_object_get(item, "code")));
    }
    if (used < size - 1)
        strcat(out, ",");
}

/* A submitted report coded `code`; its id. */
static void s_report(const char *code, char id[40])
{
    char body[512];
    snprintf(body, sizeof body,
             "{\"reportingOrganizationId\":\"" KOMMUNE "\",\"receivingOrganizationId\":\"" SYKEHUS
             "\",\"occurredTime\":\"2026-11-02T10:00:00+01:00\",\"type\":\"BREACH_OF_AGREEMENT\","
             "\"categoryCode\":\"%s\",\"description\":\"Dokumentet kom ikke.\",\"harmDegree\":"
             "\"NO_HARM\",\"submit\":true}",
             code);
    harness_http_response_t *r = s_send(s_reporter, "POST", "/v1/deviations", body);
    harness_expect_status(r, 201);
    snprintf(id, 40, "%s", harness_json_text(r, "id"));
    harness_http_response_free(&r);
}

static int s_version_of(const char *id)
{
    char path[128];
    snprintf(path, sizeof path, "/v1/deviations/%s", id);
    harness_http_response_t *r = s_send(s_reporter, "GET", path, NULL);
    harness_expect_status(r, 200);
    int version = (int)json_integer_value(json_object_get(r->json, "categoryVersion"));
    harness_http_response_free(&r);
    return version;
}

static void s_sql(const char *sql, const char *param)
{
    PGconn *db = PQconnectdb(harness_service_url("deviation"));
    assert_int_equal(PQstatus(db), CONNECTION_OK);
    PGresult *res = PQexecParams(db, sql, 1, NULL, &param, NULL, NULL, 0);
    assert_true(PQresultStatus(res) == PGRES_COMMAND_OK || PQresultStatus(res) == PGRES_TUPLES_OK);
    PQclear(res);
    PQfinish(db);
}

static void test_the_list_in_force_is_nokup_and_earlier_ones_are_kept(void **state)
{
    char codes[4096];
    harness_http_response_t *r = s_send(NULL, "GET", "/v1/deviation-categories", NULL);
    harness_expect_status(r, 200);
    assert_int_equal(json_integer_value(json_object_get(r->json, "version")), 2);
    assert_string_equal(harness_json_text(r, "published"), "2018-01-01");
    assert_non_null(strstr(harness_json_text(r, "title"), "NOKUP hendelsestype, versjon 1.1"));
    s_codes(json_object_get(r->json, "items"), codes, sizeof codes);
    assert_non_null(strstr(codes, ",NOKUP-HT-KLINISK-ADMINISTRASJON,"));
    assert_non_null(strstr(codes, ",NOKUP-HT-PASIENTUHELL,"));
    assert_non_null(strstr(codes, ",SAM-EPIKRISE,")); /* the cooperation categories stay */
    assert_null(strstr(codes, ",NOKUP-FALL,"));
    /* the version says what became of each code it retired */
    json_t *mappings = json_object_get(r->json, "mappings");
    assert_int_equal(json_array_size(mappings), 9);
    harness_http_response_free(&r);
    /* version 1 as it was */
    r = s_send(NULL, "GET", "/v1/deviation-categories?version=1", NULL);
    harness_expect_status(r, 200);
    assert_int_equal(json_integer_value(json_object_get(r->json, "version")), 1);
    assert_int_equal(json_array_size(json_object_get(r->json, "items")), 18);
    s_codes(json_object_get(r->json, "items"), codes, sizeof codes);
    assert_non_null(strstr(codes, ",NOKUP-FALL,"));
    assert_null(strstr(codes, ",NOKUP-HT-PASIENTUHELL,"));
    harness_http_response_free(&r);
    r = s_send(NULL, "GET", "/v1/deviation-categories?version=99", NULL);
    harness_assert_problem(r, 404, "version");
    harness_http_response_free(&r);
    /* a retired code is not used any more */
    r = s_send(s_reporter, "POST", "/v1/deviations",
               "{\"reportingOrganizationId\":\"" KOMMUNE "\",\"receivingOrganizationId\":\"" SYKEHUS
               "\",\"categoryCode\":\"NOKUP-FALL\"}");
    harness_assert_problem(r, 400, "categoryCode");
    harness_http_response_free(&r);
}

/* The list in force with SAM-HENVISNING and SAM-EPIKRISE merged into
 * SAM-DOKUMENTFLYT, as JSON items, and `mappings`. */
static char *s_next_version(const char *title, const char *mappings)
{
    harness_http_response_t *r = s_send(NULL, "GET", "/v1/deviation-categories", NULL);
    json_t *items = json_array();
    size_t i;
    json_t *item;
    json_array_foreach(json_object_get(r->json, "items"), i, item)
    {
        const char *code = json_string_value(json_object_get(item, "code"));
        if (strcmp(code, "SAM-HENVISNING") == 0 || strcmp(code, "SAM-EPIKRISE") == 0)
            continue;
        json_array_append_new(items, json_pack("{s:s,s:O,s:O}", "code", code, "name",
                                               json_object_get(item, "name"), "axis",
                                               json_object_get(item, "axis")));
    }
    harness_http_response_free(&r);
    json_array_insert_new(items, 0,
                          json_pack("{s:s,s:s,s:s}", "code", "SAM-DOKUMENTFLYT", "name",
                                    "Henvisning, epikrise og andre dokumenter", "axis",
                                    "SAMHANDLING"));
    json_t *body = json_pack("{s:s,s:s,s:o,s:o}", "published", "2026-11-01", "title", title,
                             "items", items, "mappings", json_loads(mappings, 0, NULL));
    char *text = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    return text;
}

static void test_a_new_version_maps_the_old_codes_and_reports_keep_theirs(void **state)
{
    /* reports of version 2, and one of version 1 (from before it changed) */
    char henvisning[5][40], epikrise[40], old[40], next[40];
    for (int i = 0; i < 4; i++)
        s_report("SAM-HENVISNING", henvisning[i]);
    s_report("SAM-EPIKRISE", epikrise);
    s_report("SAM-PROVESVAR", old);
    /* five of a category no version changed: the one report of version 1
     * is suppressed (under 5), and they rather than ours beside it */
    for (int i = 0; i < 5; i++)
        s_report("SAM-PROVESVAR", next);
    s_sql("UPDATE reports SET category_code = 'NOKUP-KLINISK-PROSESS', category_version = 1 "
          "WHERE id = $1",
          old);
    assert_int_equal(s_version_of(epikrise), 2);
    assert_int_equal(s_version_of(old), 1);

    /* a load with mistakes: every one named at once, nothing loaded */
    char *body = s_next_version("", "[{\"fromCode\":\"SAM-HENVISNING\",\"toCode\":\"SAM-NEI\"}]");
    char url[256];
    snprintf(url, sizeof url, "%s/v1/deviation-categories/versions", s_stack.base_url);
    const char *admin[] = {s_stack.auth_header, NULL};
    harness_http_response_t *r = harness_http_request("POST", url, body, admin);
    harness_expect_status(r, 400);
    char fields[512] = "";
    size_t i;
    json_t *error;
    json_array_foreach(json_object_get(r->json, "errors"), i, error)
    {
        strcat(fields, json_string_value(json_object_get(error, "field")));
        strcat(fields, ",");
    }
    assert_non_null(strstr(fields, "title,"));
    assert_non_null(strstr(fields, "mappings,"));
    assert_non_null(strstr(r->body, "SAM-EPIKRISE")); /* left out, not mapped */
    assert_non_null(strstr(r->body, "toCode must be a code of the new version"));
    harness_http_response_free(&r);
    free(body);

    body = s_next_version("Samhandlingskategorier 2027",
                          "[{\"fromCode\":\"SAM-HENVISNING\",\"toCode\":\"SAM-DOKUMENTFLYT\"},"
                          "{\"fromCode\":\"SAM-EPIKRISE\",\"toCode\":\"SAM-DOKUMENTFLYT\"}]");
    /* only administrators load one */
    r = s_send(s_quality, "POST", "/v1/deviation-categories/versions", body);
    harness_assert_problem(r, 403, NULL);
    harness_http_response_free(&r);
    r = harness_http_request("POST", url, body, admin);
    harness_expect_status(r, 201);
    assert_int_equal(json_integer_value(json_object_get(r->json, "version")), 3);
    assert_string_equal(harness_json_text(r, "published"), "2026-11-01");
    assert_int_equal(json_array_size(json_object_get(r->json, "mappings")), 2);
    harness_http_response_free(&r);
    free(body);

    /* the reports keep what they were coded with */
    char path[128];
    snprintf(path, sizeof path, "/v1/deviations/%s", epikrise);
    r = s_send(s_reporter, "GET", path, NULL);
    assert_string_equal(harness_json_text(r, "categoryCode"), "SAM-EPIKRISE");
    harness_http_response_free(&r);
    assert_int_equal(s_version_of(epikrise), 2);
    /* new reports code by version 3 */
    s_report("SAM-DOKUMENTFLYT", next);
    assert_int_equal(s_version_of(next), 3);
    r = s_send(s_reporter, "POST", "/v1/deviations",
               "{\"reportingOrganizationId\":\"" KOMMUNE "\",\"receivingOrganizationId\":\"" SYKEHUS
               "\",\"categoryCode\":\"SAM-HENVISNING\"}");
    harness_assert_problem(r, 400, "categoryCode");
    harness_http_response_free(&r);

    /* statistics: versions 1, 2 and 3 under today's codes */
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    snprintf(path, sizeof path, "/v1/deviations/stats?period=%d-T%d", tm.tm_year + 1900,
             tm.tm_mon / 4 + 1);
    r = s_send(s_quality, "GET", path, NULL);
    harness_expect_status(r, 200);
    json_t *by = json_object_get(json_object_get(r->json, "current"), "byCategory");
    int dokumentflyt = 0, prosess = 0;
    json_t *c;
    json_array_foreach(by, i, c)
    {
        const char *key = json_string_value(json_object_get(c, "key"));
        assert_string_not_equal(key, "SAM-HENVISNING");
        assert_string_not_equal(key, "SAM-EPIKRISE");
        assert_string_not_equal(key, "NOKUP-KLINISK-PROSESS");
        if (strcmp(key, "SAM-DOKUMENTFLYT") == 0) {
            dokumentflyt = (int)json_integer_value(json_object_get(c, "count"));
            assert_string_equal(json_string_value(json_object_get(c, "name")),
                                "Henvisning, epikrise og andre dokumenter");
        }
        if (strcmp(key, "NOKUP-HT-KLINISK-PROSESS") == 0)
            prosess = 1;
    }
    assert_int_equal(dokumentflyt, 6); /* 4 + 1 of version 2, 1 of version 3 */
    assert_int_equal(prosess, 1);      /* version 1's, through version 2's mapping */
    harness_http_response_free(&r);

    /* every party is told: one event, no audience */
    PGconn *db = PQconnectdb(harness_service_url("deviation"));
    PGresult *res = PQexec(db, "SELECT subject FROM outbox WHERE type = "
                               "'no.samhand.deviation.categories_changed'");
    assert_int_equal(PQntuples(res), 1);
    assert_string_equal(PQgetvalue(res, 0, 0), "3");
    PQclear(res);
    PQfinish(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_the_list_in_force_is_nokup_and_earlier_ones_are_kept),
        cmocka_unit_test(test_a_new_version_maps_the_old_codes_and_reports_keep_theirs),
    };
    return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
