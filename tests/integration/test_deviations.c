/* Deviation reports between a municipality, the hospital and a GP office:
 * the form, identity numbers refused wherever they are written, the whole
 * workflow and each refused step, deadlines in working days, forwarding,
 * and who sees what. */
#include "harness.h"
#include "samhand/v1/deviation.pb-c.h"
#include "samhand/v1/event.pb-c.h"
#include "samhand_time.h"

#include <libpq-fe.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define KOMMUNE "11111111-1111-4111-8111-111111111111"
#define SYKEHUS "22222222-2222-4222-8222-222222222222"
#define LEGEKONTOR "33333333-3333-4333-8333-333333333333"
#define ANNEN "44444444-4444-4444-8444-444444444444"

static harness_stack_t s_stack;
static const char *s_db;

/* one credential per party */
static const char *s_kommune = "Authorization: Bearer shk_kommune_sykepleier";
/* another key of the same municipality: a colleague, or its own system */
static const char *s_kommune_kollega = "Authorization: Bearer shk_kommune_kollega";
static const char *s_sykehus = "Authorization: Bearer shk_sykehus_avdeling";
static const char *s_lege = "Authorization: Bearer shk_fastlege";
static const char *s_kvalitet = "Authorization: Bearer shk_kvalitet";
static const char *s_annen = "Authorization: Bearer shk_annen_kommune";

static harness_http_response_t *s_as(const char *who, const char *method, const char *path,
                                     const char *body)
{
    char url[512];
    snprintf(url, sizeof url, "%s%s", s_stack.base_url, path);
    const char *headers[] = {who, NULL};
    return harness_http_request(method, url, body, headers);
}

static long s_sql_count(const char *sql)
{
    PGconn *conn = PQconnectdb(s_db);
    PGresult *res = PQexec(conn, sql);
    long n = atol(PQgetvalue(res, 0, 0));
    PQclear(res);
    PQfinish(conn);
    return n;
}

static int s_setup(void **state)
{
    s_db = harness_database_url();
    static const harness_key_t parties[] = {
        {"shk_kommune_sykepleier", KOMMUNE, "reporter"},
        {"shk_kommune_kollega", KOMMUNE, "reporter"},
        {"shk_sykehus_avdeling", SYKEHUS, "reporter"},
        {"shk_fastlege", LEGEKONTOR, "reporter"},
        {"shk_kvalitet", "", "quality"},
        {"shk_annen_kommune", ANNEN, "reporter"},
    };
    harness_api_keys_set(parties,
                         sizeof parties / sizeof parties[0]); /* inherited by the gateway */
    setenv("SAMHAND_HOUSEKEEPING_SECONDS", "1", 1);           /* deadline alerts every second */
    harness_stack_start(&s_stack, s_db);
    return 0;
}

static int s_teardown(void **state)
{
    harness_stack_stop(&s_stack);
    return 0;
}

static char s_form[2048];

/* A complete form from `from` to `to`, one field overridden by `extra`. */
static const char *s_report(const char *from, const char *to, const char *extra, bool submit)
{
    snprintf(
        s_form, sizeof s_form,
        "{\"reportingOrganizationId\":\"%s\",\"reportingUnit\":\"Hjemmesykepleien sone "
        "Øst\",\"receivingOrganizationId\":\"%s\",\"reporterName\":\"Kari Nordmann\","
        "\"occurredTime\":\"2026-11-02T10:00:00+01:00\",\"discoveredTime\":"
        "\"2026-11-03T08:00:00+01:00\",\"isPatientRelated\":true,\"type\":"
        "\"BREACH_OF_AGREEMENT\",\"categoryCode\":\"SAM-EPIKRISE\",\"description\":"
        "\"Pasienten kom hjem uten epikrise og uten oppdatert legemiddelliste.\","
        "\"immediateMeasures\":\"Ringte avdelingen.\",\"harmDegree\":\"MINOR\",\"submit\":%s%s%s}",
        from, to, submit ? "true" : "false", extra[0] ? "," : "", extra);
    return s_form;
}

static void test_categories_are_public(void **state)
{
    char url[128];
    snprintf(url, sizeof url, "%s/v1/deviation-categories", s_stack.base_url);
    harness_http_response_t *r = harness_http_request("GET", url, NULL, NULL);
    harness_expect_status(r, 200);
    /* version 2: NOKUP's event types beside the cooperation categories */
    assert_int_equal(json_array_size(json_object_get(r->json, "items")), 22);
    assert_int_equal(json_integer_value(json_object_get(r->json, "version")), 2);
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(json_object_get(r->json, "items"), 0), "name")),
                        "Epikrise / utskrivningsrapport");
    harness_http_response_free(&r);
}

static void test_identity_numbers_refused_everywhere(void **state)
{
    static const char *fields[] = {"reportingUnit",         "reporterName",   "actualConsequence",
                                   "possibleConsequence",   "description",    "immediateMeasures",
                                   "improvementSuggestion", "agreementClause"};
    /* as people write them (JSON-escaped), how long each is written, its tail */
    static const struct {
        const char *json;
        int length;
        const char *tail;
    } numbers[] = {{"15057522035", 11, "22035"},       {"150575 22035", 12, "22035"},
                   {"41019012393", 11, "12393"},       {"010190-33119", 12, "33119"},
                   {"01.01.90 33119", 14, "33119"},    {"010190\\u00a033119", 12, "33119"},
                   {"010190\\r\\n33119", 13, "33119"}, {"0101903\\n3119", 12, "0101903"}};
    for (size_t f = 0; f < sizeof fields / sizeof fields[0]; f++) {
        for (size_t n = 0; n < sizeof numbers / sizeof numbers[0]; n++) {
            char extra[256];
            snprintf(extra, sizeof extra, "\"%s\":\"Gjelder pas. %s\"", fields[f], numbers[n].json);
            /* the field given twice would be refused as such: drop the default */
            const char *body = s_report(KOMMUNE, SYKEHUS, "", true);
            char *copy = strdup(body);
            char key[64];
            snprintf(key, sizeof key, "\"%s\":", fields[f]);
            char *at = strstr(copy, key);
            if (at) { /* replace the field's value */
                char *end = strstr(at + strlen(key) + 1, "\",") + 2;
                memmove(at, end, strlen(end) + 1);
            }
            size_t len = strlen(copy);
            copy[len - 1] = '\0';
            char full[3072];
            snprintf(full, sizeof full, "%s,%s}", copy, extra);
            free(copy);
            harness_http_response_t *r = s_as(s_kommune, "POST", "/v1/deviations", full);
            harness_assert_problem(r, 400, fields[f]);
            char where[64];
            snprintf(where, sizeof where, "at character 14, %d characters long", numbers[n].length);
            assert_non_null(strstr(harness_json_text(r, "detail"), where));
            assert_null(strstr(r->body, numbers[n].tail)); /* the number is not echoed */
            harness_http_response_free(&r);
        }
    }
    /* in bokmål too: where, how long, never the number */
    char url[512];
    snprintf(url, sizeof url, "%s/v1/deviations", s_stack.base_url);
    const char *norwegian[] = {s_kommune, "Accept-Language: nb", NULL};
    harness_http_response_t *nb = harness_http_request(
        "POST", url,
        s_report(KOMMUNE, SYKEHUS, "\"agreementClause\":\"Fnr. 01.01.90 33119\"", true), norwegian);
    harness_assert_problem(nb, 400, "agreementClause");
    assert_non_null(strstr(harness_json_text(nb, "detail"),
                           "agreementClause ser ut til å inneholde et "
                           "fødselsnummer eller D-nummer (ved tegn 6, "
                           "14 tegn langt)"));
    assert_null(strstr(nb->body, "33119"));
    harness_http_response_free(&nb);
    /* nothing of it was stored */
    assert_int_equal(s_sql_count("SELECT count(*) FROM deviation.reports"), 0);
    /* an 11-digit number whose check digits fail is no identity number, nor
     * are an account number, a phone number, a date and a case number */
    harness_http_response_t *r = s_as(
        s_kommune, "POST", "/v1/deviations",
        s_report(KOMMUNE, SYKEHUS,
                 "\"agreementClause\":\"Avtale 12345678901, konto 0101.90.33119, tlf +47 915 57 "
                 "522, møtet 01.01.90 sak 33/119\"",
                 true));
    harness_expect_status(r, 201);
    harness_http_response_free(&r);
}

static char s_id[40];

static const char *s_step(const char *who, const char *step, const char *body, long status)
{
    static char state[40];
    char path[160];
    snprintf(path, sizeof path, "/v1/deviations/%s/%s", s_id, step);
    harness_http_response_t *r = s_as(who, "POST", path, body ? body : "{}");
    harness_expect_status(r, status);
    snprintf(state, sizeof state, "%s", status == 200 ? harness_json_text(r, "state") : "");
    harness_http_response_free(&r);
    return state;
}

static void s_deadline_after(int working_days, char out[11])
{
    struct tm tm;
    time_oslo(time(NULL), &tm);
    int y = tm.tm_year + 1900, m = tm.tm_mon + 1, d = tm.tm_mday;
    time_add_working_days(&y, &m, &d, working_days);
    snprintf(out, 11, "%04d-%02d-%02d", y, m, d);
}

static void test_the_whole_workflow(void **state)
{
    harness_http_response_t *r =
        s_as(s_kommune, "POST", "/v1/deviations", s_report(KOMMUNE, SYKEHUS, "", true));
    harness_expect_status(r, 201);
    snprintf(s_id, sizeof s_id, "%s", harness_json_text(r, "id"));
    assert_string_equal(harness_json_text(r, "state"), "SUBMITTED");
    assert_int_equal(strncmp(harness_json_text(r, "reference"), "AVV-20", 6), 0);
    char ack_due[11], answer_due[11];
    s_deadline_after(5, ack_due);
    s_deadline_after(20, answer_due);
    json_t *ack = json_object_get(r->json, "acknowledgeDeadline");
    assert_string_equal(json_string_value(json_object_get(ack, "dueDate")), ack_due);
    assert_string_equal(json_string_value(json_object_get(ack, "status")), "PENDING");
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(r->json, "answerDeadline"), "dueDate")),
        answer_due);
    harness_http_response_free(&r);

    /* the reporter cannot acknowledge its own report; the answer says what it can do */
    char path[160];
    snprintf(path, sizeof path, "/v1/deviations/%s/acknowledge", s_id);
    r = s_as(s_kommune, "POST", path, "{}");
    harness_assert_problem(r, 409, "state");
    assert_non_null(strstr(harness_json_text(r, "detail"), "allowed: nothing"));
    harness_http_response_free(&r);
    snprintf(path, sizeof path, "/v1/deviations/%s/respond", s_id);
    r = s_as(s_sykehus, "POST", path, "{\"answer\":\"For tidlig\"}");
    harness_assert_problem(r, 409, "state");
    assert_non_null(strstr(harness_json_text(r, "detail"),
                           "allowed: acknowledge, forward, reject, mark-duplicate"));
    harness_http_response_free(&r);

    assert_string_equal(s_step(s_sykehus, "acknowledge", NULL, 200), "AWAITING_RESPONSE");
    s_step(s_sykehus, "request-information", "{}", 400); /* what is needed must be said */
    assert_string_equal(s_step(s_sykehus, "request-information",
                               "{\"comment\":\"Hvilken dato kom pasienten hjem?\"}", 200),
                        "INFORMATION_REQUESTED");
    snprintf(path, sizeof path, "/v1/deviations/%s", s_id);
    r = s_as(s_sykehus, "GET", path, NULL);
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(r->json, "answerDeadline"), "status")),
        "PAUSED");
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(r->json, "acknowledgeDeadline"), "status")),
                        "MET");
    harness_http_response_free(&r);
    assert_string_equal(
        s_step(s_kommune, "give-information", "{\"comment\":\"3. november.\"}", 200),
        "AWAITING_RESPONSE");
    s_step(s_sykehus, "respond", "{\"answer\":\"Sjekket 150575 22035\"}",
           400); /* no identity numbers */
    assert_string_equal(
        s_step(s_sykehus, "respond",
               "{\"answer\":\"Epikrisen ble ikke sendt. Rutinen er strammet inn.\"}", 200),
        "ANSWERED");
    assert_string_equal(s_step(s_kommune, "dispute",
                               "{\"comment\":\"Svaret løser ikke "
                               "legemiddellisten.\"}",
                               200),
                        "DISPUTED");
    assert_string_equal(s_step(s_kommune, "request-analysis", NULL, 200), "ANALYSIS_REQUESTED");
    assert_string_equal(s_step(s_sykehus, "close", NULL, 200), "CLOSED");
    assert_string_equal(s_step(s_kvalitet, "reopen", NULL, 200), "AWAITING_RESPONSE");

    r = s_as(s_kommune, "GET", path, NULL);
    json_t *history = json_object_get(r->json, "history");
    assert_int_equal(json_array_size(history), 9);
    json_t *dispute = json_array_get(history, 5);
    assert_string_equal(json_string_value(json_object_get(dispute, "action")), "dispute");
    assert_string_equal(json_string_value(json_object_get(dispute, "fromState")), "ANSWERED");
    assert_string_equal(json_string_value(json_object_get(dispute, "toState")), "DISPUTED");
    assert_string_equal(json_string_value(json_object_get(dispute, "actorOrganizationId")),
                        KOMMUNE);
    assert_true(strlen(json_string_value(json_object_get(dispute, "time"))) >= 20);
    json_t *allowed = json_object_get(r->json, "allowedActions");
    assert_true(json_array_size(allowed) >= 1);
    harness_http_response_free(&r);

    /* every step is an event */
    assert_int_equal(s_sql_count("SELECT count(*) FROM deviation.outbox WHERE type = "
                                 "'no.samhand.deviation.answered'"),
                     1);
    assert_int_equal(s_sql_count("SELECT count(*) FROM deviation.outbox WHERE type = "
                                 "'no.samhand.deviation.reopened'"),
                     1);
}

static void test_forward_reject_duplicate(void **state)
{
    harness_http_response_t *r =
        s_as(s_lege, "POST", "/v1/deviations", s_report(LEGEKONTOR, SYKEHUS, "", true));
    harness_expect_status(r, 201);
    snprintf(s_id, sizeof s_id, "%s", harness_json_text(r, "id"));
    harness_http_response_free(&r);
    s_step(s_sykehus, "forward", "{\"forwardToOrganizationId\":\"" LEGEKONTOR "\"}", 400);
    assert_string_equal(s_step(s_sykehus, "forward",
                               "{\"forwardToOrganizationId\":\"" KOMMUNE
                               "\",\"comment\":\"Gjelder hjemmetjenesten.\"}",
                               200),
                        "SUBMITTED");
    char path[160];
    snprintf(path, sizeof path, "/v1/deviations/%s", s_id);
    /* the municipality is the receiver now; the hospital, which handled
     * it, still reads it (issue 19) and takes no step */
    r = s_as(s_sykehus, "GET", path, NULL);
    harness_expect_status(r, 200);
    assert_int_equal(json_array_size(json_object_get(r->json, "allowedActions")), 0);
    harness_http_response_free(&r);
    r = s_as(s_kommune, "GET", path, NULL);
    harness_expect_status(r, 200);
    assert_string_equal(harness_json_text(r, "receivingOrganizationId"), KOMMUNE);
    json_t *first = json_array_get(json_object_get(r->json, "history"), 1);
    assert_non_null(strstr(json_string_value(json_object_get(first, "comment")),
                           "Videresendt fra " SYKEHUS " til " KOMMUNE));
    harness_http_response_free(&r);
    s_step(s_kommune, "reject", "{}", 400);
    assert_string_equal(
        s_step(s_kommune, "reject", "{\"reason\":\"Internt avvik i legekontoret.\"}", 200),
        "REJECTED");

    char first_id[40];
    r = s_as(s_kommune, "POST", "/v1/deviations", s_report(KOMMUNE, SYKEHUS, "", true));
    snprintf(first_id, sizeof first_id, "%s", harness_json_text(r, "id"));
    harness_http_response_free(&r);
    r = s_as(s_kommune, "POST", "/v1/deviations", s_report(KOMMUNE, SYKEHUS, "", true));
    snprintf(s_id, sizeof s_id, "%s", harness_json_text(r, "id"));
    harness_http_response_free(&r);
    s_step(s_sykehus, "mark-duplicate",
           "{\"duplicateOfId\":\"00000000-0000-0000-0000-000000000000\"}", 400);
    char body[128];
    snprintf(body, sizeof body, "{\"duplicateOfId\":\"%s\"}", first_id);
    assert_string_equal(s_step(s_sykehus, "mark-duplicate", body, 200), "DUPLICATE");
}

static void test_who_sees_what(void **state)
{
    /* a draft is the reporter's alone, and needs what a report needs to go */
    harness_http_response_t *r =
        s_as(s_kommune, "POST", "/v1/deviations",
             "{\"reportingOrganizationId\":\"" KOMMUNE "\",\"receivingOrganizationId\":\"" SYKEHUS
             "\",\"description\":\"Utkast\",\"isAnonymous\":true,"
             "\"reporterName\":\"Ola Anonym\"}");
    harness_expect_status(r, 201);
    assert_string_equal(harness_json_text(r, "state"), "DRAFT");
    snprintf(s_id, sizeof s_id, "%s", harness_json_text(r, "id"));
    harness_http_response_free(&r);
    char path[160];
    snprintf(path, sizeof path, "/v1/deviations/%s", s_id);
    r = s_as(s_sykehus, "GET", path, NULL);
    harness_assert_problem(r, 404, NULL);
    harness_http_response_free(&r);
    snprintf(path, sizeof path, "/v1/deviations/%s/submit", s_id);
    r = s_as(s_kommune, "POST", path, "{}");
    harness_assert_problem(r, 422, "type");
    harness_http_response_free(&r);

    /* an anonymous reporter stays unknown to the receiver */
    r = s_as(s_kommune, "POST", "/v1/deviations",
             s_report(KOMMUNE, SYKEHUS, "\"isAnonymous\":true", true));
    snprintf(s_id, sizeof s_id, "%s", harness_json_text(r, "id"));
    harness_http_response_free(&r);
    snprintf(path, sizeof path, "/v1/deviations/%s", s_id);
    r = s_as(s_sykehus, "GET", path, NULL);
    harness_expect_status(r, 200);
    assert_string_equal(harness_json_text(r, "reporterName"), "");
    harness_http_response_free(&r);
    r = s_as(s_kommune, "GET", path, NULL);
    assert_string_equal(harness_json_text(r, "reporterName"), "Kari Nordmann");
    harness_http_response_free(&r);
    r = s_as(s_kvalitet, "GET", path, NULL);
    assert_string_equal(harness_json_text(r, "reporterName"), "Kari Nordmann");
    harness_http_response_free(&r);
    /* a third party gets nothing, not even that it exists */
    r = s_as(s_annen, "GET", path, NULL);
    harness_assert_problem(r, 404, NULL);
    harness_http_response_free(&r);
    r = s_as(s_annen, "GET", "/v1/deviations", NULL);
    harness_expect_status(r, 200);
    assert_int_equal(json_array_size(json_object_get(r->json, "items")), 0);
    harness_http_response_free(&r);
    /* nor may one report in another's name */
    r = s_as(s_annen, "POST", "/v1/deviations", s_report(KOMMUNE, SYKEHUS, "", true));
    harness_assert_problem(r, 403, "reportingOrganizationId");
    harness_http_response_free(&r);

    long all = s_sql_count("SELECT count(*) FROM deviation.reports WHERE state <> 'DRAFT'");
    r = s_as(s_kvalitet, "GET", "/v1/deviations?limit=500", NULL);
    assert_int_equal((long)json_array_size(json_object_get(r->json, "items")), all);
    harness_http_response_free(&r);
    long hospital = s_sql_count("SELECT count(*) FROM deviation.reports WHERE state <> 'DRAFT' AND "
                                "(reporting_organization_id = '" SYKEHUS
                                "' OR receiving_organization_id = '" SYKEHUS "' OR id IN "
                                "(SELECT report_id FROM deviation.report_forwards WHERE "
                                "organization_id = '" SYKEHUS "'))");
    r = s_as(s_sykehus, "GET", "/v1/deviations?limit=500", NULL);
    assert_int_equal((long)json_array_size(json_object_get(r->json, "items")), hospital);
    harness_http_response_free(&r);
}

static void s_sql(const char *sql)
{
    PGconn *conn = PQconnectdb(s_db);
    PGresult *res = PQexec(conn, sql);
    assert_int_equal(PQresultStatus(res), PGRES_COMMAND_OK);
    PQclear(res);
    PQfinish(conn);
}

static long s_wait_for_events(const char *type, long wanted)
{
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM deviation.outbox WHERE type = '%s'", type);
    long n = 0;
    for (int i = 0; i < 100 && n < wanted; i++) {
        n = s_sql_count(sql);
        if (n < wanted)
            usleep(100 * 1000);
    }
    return n;
}

static void test_deadline_alerts(void **state)
{
    char late[40], soon[40], sql[512], path[160];
    harness_http_response_t *r =
        s_as(s_kommune, "POST", "/v1/deviations", s_report(KOMMUNE, SYKEHUS, "", true));
    snprintf(late, sizeof late, "%s", harness_json_text(r, "id"));
    harness_http_response_free(&r);
    r = s_as(s_kommune, "POST", "/v1/deviations", s_report(KOMMUNE, SYKEHUS, "", true));
    snprintf(soon, sizeof soon, "%s", harness_json_text(r, "id"));
    harness_http_response_free(&r);
    /* as if the first had come in weeks ago and the second were due today:
     * today in Oslo, as the service counts deadlines (between 23 and 24 UTC,
     * or 22 and 24 in summer, the database's own date is yesterday's) */
    snprintf(sql, sizeof sql,
             "UPDATE deviation.reports SET acknowledge_due = (now() AT TIME ZONE "
             "'Europe/Oslo')::date - 1 WHERE id = '%s'",
             late);
    s_sql(sql);
    snprintf(sql, sizeof sql,
             "UPDATE deviation.reports SET acknowledge_due = (now() AT TIME ZONE "
             "'Europe/Oslo')::date WHERE id = '%s'",
             soon);
    s_sql(sql);
    assert_int_equal(s_wait_for_events("no.samhand.deviation.overdue", 1), 1);
    assert_true(s_wait_for_events("no.samhand.deviation.due_soon", 1) >= 1);
    /* once each: the next rounds raise nothing new for them */
    usleep(2500 * 1000);
    assert_int_equal(s_sql_count("SELECT count(*) FROM deviation.outbox WHERE type = "
                                 "'no.samhand.deviation.overdue'"),
                     1);

    snprintf(path, sizeof path, "/v1/deviations/%s", late);
    r = s_as(s_sykehus, "GET", path, NULL);
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(r->json, "acknowledgeDeadline"), "status")),
                        "OVERDUE");
    harness_http_response_free(&r);
    r = s_as(s_sykehus, "GET", "/v1/deviations?overdue=true", NULL);
    json_t *items = json_object_get(r->json, "items");
    assert_int_equal(json_array_size(items), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(items, 0), "id")), late);
    harness_http_response_free(&r);
}

/* Every read of a report is logged, and quality staff read the log: who
 * (the principal and its organisation), when and how. */
static void test_reads_are_logged(void **state)
{
    harness_http_response_t *r =
        s_as(s_kommune, "POST", "/v1/deviations", s_report(KOMMUNE, SYKEHUS, "", true));
    char id[40], path[160];
    snprintf(id, sizeof id, "%s", harness_json_text(r, "id"));
    harness_http_response_free(&r);
    snprintf(path, sizeof path, "/v1/deviations/%s", id);
    r = s_as(s_sykehus, "GET", path, NULL); /* the receiver opens it */
    assert_int_equal(r->status, 200);
    harness_http_response_free(&r);
    r = s_as(s_kommune, "GET", "/v1/deviations?limit=500", NULL); /* the reporter lists */
    assert_int_equal(r->status, 200);
    harness_http_response_free(&r);
    snprintf(path, sizeof path, "/v1/deviations/%s/fhir", id);
    r = s_as(s_kvalitet, "GET", path, NULL);
    assert_int_equal(r->status, 200);
    harness_http_response_free(&r);

    snprintf(path, sizeof path, "/v1/deviations/%s/reads", id);
    r = s_as(s_kvalitet, "GET", path, NULL);
    assert_int_equal(r->status, 200);
    json_t *items = json_object_get(r->json, "items");
    assert_int_equal(json_array_size(items), 3);
    static const char *const how[] = {"GET", "LIST", "EXPORT"};
    static const char *const org[] = {SYKEHUS, KOMMUNE, ""};
    for (size_t i = 0; i < 3; i++) {
        json_t *read = json_array_get(items, i);
        assert_string_equal(json_string_value(json_object_get(read, "how")), how[i]);
        const char *o = json_string_value(json_object_get(read, "organizationId"));
        assert_string_equal(o ? o : "", org[i]);
        assert_true(strncmp(json_string_value(json_object_get(read, "subject")), "key:", 4) == 0);
        assert_non_null(json_object_get(read, "time"));
    }
    harness_http_response_free(&r);
    /* not for the parties themselves: 403 from the gateway, nothing else */
    r = s_as(s_sykehus, "GET", path, NULL);
    assert_int_equal(r->status, 403);
    assert_null(json_object_get(r->json, "items"));
    harness_http_response_free(&r);
}

static void test_fhir_export(void **state)
{
    harness_http_response_t *r =
        s_as(s_kommune, "POST", "/v1/deviations", s_report(KOMMUNE, SYKEHUS, "", true));
    char id[40], reference[40], path[160];
    snprintf(id, sizeof id, "%s", harness_json_text(r, "id"));
    snprintf(reference, sizeof reference, "%s", harness_json_text(r, "reference"));
    harness_http_response_free(&r);
    /* found by its reference, as the parties write it to each other, by
     * those who may see it only */
    char search[160];
    snprintf(search, sizeof search, "/v1/deviations?reference=%s", reference);
    r = s_as(s_sykehus, "GET", search, NULL);
    harness_expect_status(r, 200);
    assert_int_equal(json_array_size(json_object_get(r->json, "items")), 1);
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(json_object_get(r->json, "items"), 0), "id")),
                        id);
    harness_http_response_free(&r);
    r = s_as(s_annen, "GET", search, NULL);
    harness_expect_status(r, 200);
    assert_int_equal(json_array_size(json_object_get(r->json, "items")), 0);
    harness_http_response_free(&r);
    snprintf(path, sizeof path, "/v1/deviations/%s/fhir", id);
    r = s_as(s_sykehus, "GET", path, NULL);
    harness_expect_status(r, 200);
    assert_string_equal(r->content_type, "application/fhir+json");
    assert_string_equal(harness_json_text(r, "resourceType"), "AdverseEvent");
    assert_string_equal(harness_json_text(r, "status"), "in-progress");
    assert_string_equal(harness_json_text(r, "actuality"), "actual");
    json_t *identifier = json_array_get(json_object_get(r->json, "identifier"), 0);
    assert_string_equal(json_string_value(json_object_get(identifier, "value")), reference);
    json_t *actor =
        json_object_get(json_array_get(json_object_get(r->json, "participant"), 0), "actor");
    assert_string_equal(json_string_value(json_object_get(actor, "reference")),
                        "Organization/" KOMMUNE);
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(r->json, "subject"), "display")),
        "Pasient (ikke identifisert)");
    assert_non_null(strstr(r->body, "\"occurrenceDateTime\": \"2026-11-02T09:00:00Z\""));
    harness_http_response_free(&r);
    r = s_as(s_annen, "GET", path, NULL);
    harness_assert_problem(r, 404, NULL);
    harness_http_response_free(&r);
}

/* The Event the deviation service stored of `type` about report `id` (the
 * latest), as notify gets it; free with samhand__v1__event__free_unpacked. */
static Samhand__V1__Event *s_outbox_event(const char *type, const char *id)
{
    PGconn *conn = PQconnectdb(s_db);
    const char *params[] = {type, id};
    PGresult *res = PQexecParams(conn,
                                 "SELECT event FROM deviation.outbox WHERE type = $1 AND "
                                 "subject = $2 ORDER BY sequence DESC LIMIT 1",
                                 2, NULL, params, NULL, NULL, 1);
    assert_int_equal(PQntuples(res), 1);
    Samhand__V1__Event *e = samhand__v1__event__unpack(NULL, (size_t)PQgetlength(res, 0, 0),
                                                       (const uint8_t *)PQgetvalue(res, 0, 0));
    assert_non_null(e);
    PQclear(res);
    PQfinish(conn);
    return e;
}

static void s_sql_text(const char *sql, char *out, size_t size)
{
    PGconn *conn = PQconnectdb(s_db);
    PGresult *res = PQexec(conn, sql);
    assert_int_equal(PQntuples(res), 1);
    snprintf(out, size, "%s", PQgetvalue(res, 0, 0));
    PQclear(res);
    PQfinish(conn);
}

/* Whether `who`'s list of reports holds `id`. */
static bool s_listed(const char *who, const char *id)
{
    harness_http_response_t *r = s_as(who, "GET", "/v1/deviations?limit=500", NULL);
    assert_int_equal(r->status, 200);
    bool found = strstr(r->body, id) != NULL;
    harness_http_response_free(&r);
    return found;
}

/* The answer's body without its request id, for comparing two answers. */
static char *s_without_request_id(const harness_http_response_t *r)
{
    char *body = strdup(r->body ? r->body : "");
    char *at = strstr(body, "\"requestId\":\"");
    if (at) {
        char *end = strchr(at + 13, '"');
        memmove(at + 13, end, strlen(end) + 1);
    }
    return body;
}

/* A draft is the reporter's alone: not the receiver's, not a colleague's
 * of the same municipality, not quality's; neither by GET and lists nor by
 * its event, which is for the reporter only. */
static void test_a_draft_is_its_reporters_alone(void **state)
{
    harness_http_response_t *r =
        s_as(s_kommune, "POST", "/v1/deviations",
             s_report(KOMMUNE, SYKEHUS, "\"improvementSuggestion\":\"UTKAST-KANARI-7Q\"", false));
    harness_expect_status(r, 201);
    char id[40], path[160];
    snprintf(id, sizeof id, "%s", harness_json_text(r, "id"));
    assert_string_equal(harness_json_text(r, "reporterSubject"), ""); /* never shown */
    harness_http_response_free(&r);

    snprintf(path, sizeof path, "/v1/deviations/%s", id);
    r = s_as(s_kommune, "GET", path, NULL);
    harness_expect_status(r, 200);
    harness_http_response_free(&r);
    /* everyone else: as if it did not exist */
    harness_http_response_t *none =
        s_as(s_kommune, "GET", "/v1/deviations/9b2f0c8e-5d1a-4c3e-8f7a-2b6d4e1a9c0f", NULL);
    harness_assert_problem(none, 404, NULL);
    const char *others[] = {s_kommune_kollega, s_sykehus, s_kvalitet, s_annen};
    for (size_t i = 0; i < 4; i++) {
        r = s_as(others[i], "GET", path, NULL);
        harness_assert_problem(r, 404, NULL);
        assert_null(strstr(r->body, "KANARI"));
        harness_http_response_free(&r);
        assert_false(s_listed(others[i], id));
    }
    harness_http_response_free(&none);
    assert_true(s_listed(s_kommune, id));

    /* its event is for the reporter's organisation and, in it, the
     * reporter alone; it does not say who that is */
    char subject[128], sql[256];
    snprintf(sql, sizeof sql, "SELECT reporter_subject FROM deviation.reports WHERE id = '%s'", id);
    s_sql_text(sql, subject, sizeof subject);
    assert_int_equal(strncmp(subject, "key:", 4), 0);
    Samhand__V1__Event *e = s_outbox_event("no.samhand.deviation.drafted", id);
    assert_int_equal(e->n_audience_organization_ids, 1);
    assert_string_equal(e->audience_organization_ids[0], KOMMUNE);
    assert_int_equal(e->n_audience_subjects, 1);
    assert_string_equal(e->audience_subjects[0], subject);
    assert_string_equal(e->organization_id, KOMMUNE);
    Samhand__V1__DeviationReport *data =
        samhand__v1__deviation_report__unpack(NULL, e->data.len, e->data.data);
    assert_string_equal(data->reporter_subject, "");
    samhand__v1__deviation_report__free_unpacked(data, NULL);
    samhand__v1__event__free_unpacked(e, NULL);

    /* the feed: the reporter gets it, the receiver does not */
    bool seen = false;
    for (int i = 0; i < 100 && !seen; i++) {
        r = s_as(s_kommune, "GET", "/v1/events?types=no.samhand.deviation.drafted&limit=500", NULL);
        seen = r->status == 200 && strstr(r->body, "UTKAST-KANARI-7Q") != NULL;
        harness_http_response_free(&r);
        if (!seen)
            usleep(100 * 1000);
    }
    assert_true(seen);
    r = s_as(s_sykehus, "GET", "/v1/events?limit=500", NULL);
    harness_expect_status(r, 200);
    assert_null(strstr(r->body, "UTKAST-KANARI-7Q"));
    assert_null(strstr(r->body, id));
    harness_http_response_free(&r);

    /* a colleague cannot submit it either; once the reporter has, the
     * receiver sees it and its event goes to both parties */
    snprintf(path, sizeof path, "/v1/deviations/%s/submit", id);
    r = s_as(s_kommune_kollega, "POST", path, "{}");
    harness_assert_problem(r, 404, "id");
    harness_http_response_free(&r);
    r = s_as(s_kommune, "POST", path, "{}");
    harness_expect_status(r, 200);
    assert_string_equal(harness_json_text(r, "reporterSubject"), "");
    harness_http_response_free(&r);
    snprintf(path, sizeof path, "/v1/deviations/%s", id);
    r = s_as(s_sykehus, "GET", path, NULL);
    harness_expect_status(r, 200);
    harness_http_response_free(&r);
    e = s_outbox_event("no.samhand.deviation.submitted", id);
    assert_int_equal(e->n_audience_organization_ids, 2);
    assert_int_equal(e->n_audience_subjects, 0);
    assert_string_equal(e->organization_id, SYKEHUS);
    samhand__v1__event__free_unpacked(e, NULL);
}

/* A report one may not see answers every id-taking step exactly as an id
 * that names no report: mark-duplicate tells nothing of whether it exists. */
static void test_a_report_one_may_not_see_is_no_report(void **state)
{
    char foreign[40], mine[40], path[160], body[160];
    /* between the GP office and the municipality: not the hospital's */
    harness_http_response_t *r =
        s_as(s_lege, "POST", "/v1/deviations", s_report(LEGEKONTOR, KOMMUNE, "", true));
    snprintf(foreign, sizeof foreign, "%s", harness_json_text(r, "id"));
    harness_http_response_free(&r);
    r = s_as(s_kommune, "POST", "/v1/deviations", s_report(KOMMUNE, SYKEHUS, "", true));
    snprintf(mine, sizeof mine, "%s", harness_json_text(r, "id"));
    harness_http_response_free(&r);

    snprintf(path, sizeof path, "/v1/deviations/%s/mark-duplicate", mine);
    snprintf(body, sizeof body, "{\"duplicateOfId\":\"%s\"}", foreign);
    harness_http_response_t *seen = s_as(s_sykehus, "POST", path, body);
    harness_http_response_t *none = s_as(
        s_sykehus, "POST", path, "{\"duplicateOfId\":\"9b2f0c8e-5d1a-4c3e-8f7a-2b6d4e1a9c0f\"}");
    harness_assert_problem(none, 400, "duplicateOfId");
    /* the same answer, but for the id it was given */
    char *a = s_without_request_id(seen), *b = s_without_request_id(none);
    assert_int_equal(seen->status, none->status);
    char *at = strstr(a, foreign);
    assert_null(at); /* no id echoed */
    assert_string_equal(a, b);
    free(a);
    free(b);
    harness_http_response_free(&seen);
    harness_http_response_free(&none);

    /* a report one may not see is no report to act on or read either */
    const char *steps[] = {"acknowledge", "forward", "reject", "close", "reopen", "fhir"};
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        bool get = strcmp(steps[i], "fhir") == 0;
        snprintf(path, sizeof path, "/v1/deviations/%s/%s", foreign, steps[i]);
        r = s_as(s_sykehus, get ? "GET" : "POST", path, get ? NULL : "{}");
        snprintf(path, sizeof path, "/v1/deviations/9b2f0c8e-5d1a-4c3e-8f7a-2b6d4e1a9c0f/%s",
                 steps[i]);
        none = s_as(s_sykehus, get ? "GET" : "POST", path, get ? NULL : "{}");
        harness_assert_problem(r, 404, NULL);
        /* the answers differ only in the id asked for */
        char *x = s_without_request_id(r), *y = s_without_request_id(none);
        assert_non_null(strstr(x, foreign));
        for (char *id_at = strstr(x, foreign); id_at; id_at = strstr(id_at, foreign))
            memcpy(id_at, "9b2f0c8e-5d1a-4c3e-8f7a-2b6d4e1a9c0f", 36);
        assert_string_equal(x, y);
        free(x);
        free(y);
        harness_http_response_free(&r);
        harness_http_response_free(&none);
    }
}

/* A duplicate points to a report the one reading it may not see: the
 * receiver sees which, the reporter of the duplicate not (nor its event). */
static void test_a_duplicate_shows_only_what_one_may_see(void **state)
{
    char first[40], second[40], path[160], body[160];
    harness_http_response_t *r =
        s_as(s_lege, "POST", "/v1/deviations", s_report(LEGEKONTOR, SYKEHUS, "", true));
    snprintf(first, sizeof first, "%s", harness_json_text(r, "id"));
    harness_http_response_free(&r);
    r = s_as(s_kommune, "POST", "/v1/deviations", s_report(KOMMUNE, SYKEHUS, "", true));
    snprintf(second, sizeof second, "%s", harness_json_text(r, "id"));
    harness_http_response_free(&r);
    snprintf(path, sizeof path, "/v1/deviations/%s/mark-duplicate", second);
    snprintf(body, sizeof body, "{\"duplicateOfId\":\"%s\"}", first);
    r = s_as(s_sykehus, "POST", path, body);
    harness_expect_status(r, 200);
    assert_string_equal(harness_json_text(r, "duplicateOfId"), first);
    harness_http_response_free(&r);
    snprintf(path, sizeof path, "/v1/deviations/%s", second);
    r = s_as(s_kommune, "GET", path, NULL);
    harness_expect_status(r, 200);
    assert_string_equal(harness_json_text(r, "state"), "DUPLICATE");
    assert_null(strstr(r->body, first));
    harness_http_response_free(&r);
    Samhand__V1__Event *e = s_outbox_event("no.samhand.deviation.marked_duplicate", second);
    Samhand__V1__DeviationReport *data =
        samhand__v1__deviation_report__unpack(NULL, e->data.len, e->data.data);
    assert_string_equal(data->duplicate_of_id, "");
    samhand__v1__deviation_report__free_unpacked(data, NULL);
    samhand__v1__event__free_unpacked(e, NULL);
}

/* Who forwards a report is no longer a party: the answer says it went and
 * where, not the report it may no longer see. */
/* Who forwards a report keeps reading it (issue 19): its answer is the
 * report as it reads it now, with the new receiver and its history. */
static void test_forwarding_keeps_the_report_readable(void **state)
{
    char id[40], path[160];
    harness_http_response_t *r = s_as(s_kommune, "POST", "/v1/deviations",
                                      s_report(KOMMUNE, SYKEHUS, "\"isAnonymous\":false", true));
    snprintf(id, sizeof id, "%s", harness_json_text(r, "id"));
    harness_http_response_free(&r);
    snprintf(path, sizeof path, "/v1/deviations/%s/forward", id);
    r = s_as(s_sykehus, "POST", path, "{\"forwardToOrganizationId\":\"" LEGEKONTOR "\"}");
    harness_expect_status(r, 200);
    assert_string_equal(harness_json_text(r, "id"), id);
    assert_string_equal(harness_json_text(r, "state"), "SUBMITTED");
    assert_string_equal(harness_json_text(r, "receivingOrganizationId"), LEGEKONTOR);
    assert_string_equal(harness_json_text(r, "reportingOrganizationId"), KOMMUNE);
    assert_int_equal(json_array_size(json_object_get(r->json, "history")), 2);
    assert_int_equal(json_array_size(json_object_get(r->json, "allowedActions")), 0);
    harness_http_response_free(&r);
}

/* The ids of every report `who` may list, page by page of `limit`, in the
 * order asked for; their count. */
static size_t s_all_ids(const char *who, bool newest_first, char ids[][40], size_t max)
{
    char cursor[40] = "", path[200];
    size_t n = 0;
    do {
        snprintf(path, sizeof path, "/v1/deviations?limit=3%s%s%s",
                 newest_first ? "&newestFirst=true" : "", cursor[0] ? "&cursor=" : "", cursor);
        harness_http_response_t *r = s_as(who, "GET", path, NULL);
        assert_int_equal(r->status, 200);
        size_t i;
        json_t *item;
        json_array_foreach(json_object_get(r->json, "items"), i, item)
        {
            assert_true(n < max);
            snprintf(ids[n++], 40, "%s", json_string_value(json_object_get(item, "id")));
        }
        snprintf(cursor, sizeof cursor, "%s", harness_json_text(r, "nextCursor"));
        harness_http_response_free(&r);
    } while (cursor[0]);
    return n;
}

/* The latest reported first, paged backwards: the same reports as in
 * the order they came, the other way round. */
static void test_newest_first(void **state)
{
    static char oldest[200][40], newest[200][40];
    size_t n = s_all_ids(s_kvalitet, false, oldest, 200);
    assert_true(n > 3); /* more than a page */
    assert_int_equal(s_all_ids(s_kvalitet, true, newest, 200), n);
    for (size_t i = 0; i < n; i++)
        assert_string_equal(newest[i], oldest[n - 1 - i]);
}

static void s_sql_exec(const char *sql)
{
    PGconn *conn = PQconnectdb(s_db);
    PGresult *res = PQexec(conn, sql);
    if (PQresultStatus(res) != PGRES_COMMAND_OK)
        fail_msg("%s: %s", sql, PQerrorMessage(conn));
    PQclear(res);
    PQfinish(conn);
}

/* A submitted report's reference: AVV-<year>-<number>. */
static void s_submit_reference(char reference[40])
{
    harness_http_response_t *r =
        s_as(s_kommune, "POST", "/v1/deviations", s_report(KOMMUNE, SYKEHUS, "", true));
    harness_expect_status(r, 201);
    snprintf(reference, 40, "%s", harness_json_text(r, "reference"));
    harness_http_response_free(&r);
}

/* References count up within the year, grow a digit past 9999 instead of
 * losing one (lpad cut AVV-2026-10000 to AVV-2026-1000, a reference given
 * before), and start at 0001 in a new year. */
static void test_references_count_by_year(void **state)
{
    char first[40], second[40], year[8], expected[40];
    s_submit_reference(first);
    s_submit_reference(second);
    assert_int_equal(strlen(first), strlen("AVV-2026-0001"));
    snprintf(year, sizeof year, "%.4s", first + 4);
    assert_int_equal(strncmp(second, first, 9), 0); /* the same year */
    assert_true(atoi(second + 9) > atoi(first + 9));
    /* the year's 10 000th */
    s_sql_exec("UPDATE deviation.reference_years SET base = (SELECT last_value FROM "
               "deviation.reference_numbers) + 1 - 10000 WHERE year = extract(year FROM now() "
               "AT TIME ZONE 'Europe/Oslo')");
    char big[40];
    s_submit_reference(big);
    snprintf(expected, sizeof expected, "AVV-%s-10000", year);
    assert_string_equal(big, expected);
    /* a new year: what was given so far is moved a hundred years back */
    char sql[512];
    snprintf(sql, sizeof sql,
             "UPDATE deviation.reports SET reference = replace(reference, 'AVV-%s-', 'AVV-%d-') "
             "WHERE reference LIKE 'AVV-%s-%%'",
             year, atoi(year) - 100, year);
    s_sql_exec(sql);
    snprintf(sql, sizeof sql, "UPDATE deviation.reference_years SET year = %d WHERE year = %s",
             atoi(year) - 100, year);
    s_sql_exec(sql);
    char fresh[40];
    s_submit_reference(fresh);
    snprintf(expected, sizeof expected, "AVV-%s-0001", year);
    assert_string_equal(fresh, expected);
    s_submit_reference(fresh);
    snprintf(expected, sizeof expected, "AVV-%s-0002", year);
    assert_string_equal(fresh, expected);
}

/* The answer to a POST that made a report is what its reporter's read of
 * it gives. */
static void s_same_as_read(harness_http_response_t *made)
{
    char path[80];
    snprintf(path, sizeof path, "/v1/deviations/%s", harness_json_text(made, "id"));
    harness_http_response_t *read = s_as(s_kommune, "GET", path, NULL);
    harness_expect_status(read, 200);
    assert_non_null(made->json);
    assert_non_null(read->json);
    if (!json_equal(made->json, read->json))
        fail_msg("the POST answered\n%s\nand a read gives\n%s", made->body, read->body);
    harness_http_response_free(&read);
}

/* A report made and submitted at once is one row written once, in the
 * POST's transaction (as a draft submitted it was inserted and updated
 * twice, each update writing every index of the row anew), and the answer
 * to the POST is the report as a read of it gives it. */
static void test_a_submitted_report_is_written_once(void **state)
{
    /* every write of a report, by transaction, while the test looks */
    s_sql_exec("CREATE TABLE public.test_report_writes (report_id uuid, op text, "
               "xid xid8 DEFAULT pg_current_xact_id())");
    s_sql_exec("CREATE FUNCTION public.test_report_written() RETURNS trigger LANGUAGE plpgsql "
               "SECURITY DEFINER AS $$BEGIN INSERT INTO public.test_report_writes (report_id, op) "
               "VALUES (NEW.id, TG_OP); RETURN NEW; END$$");
    s_sql_exec("CREATE TRIGGER test_report_written AFTER INSERT OR UPDATE ON deviation.reports "
               "FOR EACH ROW EXECUTE FUNCTION public.test_report_written()");
    harness_http_response_t *made =
        s_as(s_kommune, "POST", "/v1/deviations", s_report(KOMMUNE, SYKEHUS, "", true));
    harness_expect_status(made, 201);
    char id[40], sql[400];
    snprintf(id, sizeof id, "%s", harness_json_text(made, "id"));
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM public.test_report_writes WHERE report_id = '%s' AND xid = "
             "(SELECT xid FROM public.test_report_writes WHERE report_id = '%s' AND op = "
             "'INSERT')",
             id, id);
    long writes = s_sql_count(sql);
    s_sql_exec("DROP TRIGGER test_report_written ON deviation.reports");
    s_sql_exec("DROP FUNCTION public.test_report_written()");
    s_sql_exec("DROP TABLE public.test_report_writes");
    assert_int_equal(writes, 1);
    assert_string_equal(harness_json_text(made, "state"), "SUBMITTED");
    assert_int_equal(strncmp(harness_json_text(made, "reference"), "AVV-", 4), 0);
    s_same_as_read(made);
    harness_http_response_free(&made);
    /* an anonymous one too: its answer hides the reporter as a read does */
    made = s_as(s_kommune, "POST", "/v1/deviations",
                s_report(KOMMUNE, SYKEHUS, "\"isAnonymous\":true", true));
    harness_expect_status(made, 201);
    s_same_as_read(made);
    harness_http_response_free(&made);
}

/* notify keeps what falls due from a run of events in one statement, the
 * last of each report's kept: a backlog of reports submitted and then
 * acknowledged (notify stopped meanwhile) leaves each with its answer due
 * and nothing to acknowledge, written in a few statements, not two an
 * event. */
static void test_what_falls_due_is_kept_once_a_run(void **state)
{
    enum { REPORTS = 12 };
    s_sql_exec("CREATE TABLE public.test_due_statements (at timestamptz DEFAULT now())");
    s_sql_exec("CREATE FUNCTION public.test_due_written() RETURNS trigger LANGUAGE plpgsql "
               "SECURITY DEFINER AS $$BEGIN INSERT INTO public.test_due_statements DEFAULT VALUES; "
               "RETURN NULL; END$$");
    s_sql_exec("CREATE TRIGGER test_due_written AFTER INSERT ON notify.due_items "
               "FOR EACH STATEMENT EXECUTE FUNCTION public.test_due_written()");
    char ids[REPORTS][40];
    long made[REPORTS], acknowledged[REPORTS];
    /* nothing is asserted while notify stands still: a failure then would
     * leave it stopped for the stack's teardown */
    assert_int_equal(kill(s_stack.notify, SIGSTOP), 0);
    for (int i = 0; i < REPORTS; i++) {
        harness_http_response_t *r =
            s_as(s_kommune, "POST", "/v1/deviations", s_report(KOMMUNE, SYKEHUS, "", true));
        made[i] = r->status;
        snprintf(ids[i], sizeof ids[i], "%s", r->status == 201 ? harness_json_text(r, "id") : "");
        harness_http_response_free(&r);
        char path[160];
        snprintf(path, sizeof path, "/v1/deviations/%s/acknowledge", ids[i]);
        r = s_as(s_sykehus, "POST", path, "{}");
        acknowledged[i] = r->status;
        harness_http_response_free(&r);
    }
    harness_await_published("deviation");
    assert_int_equal(kill(s_stack.notify, SIGCONT), 0);
    for (int i = 0; i < REPORTS; i++) {
        assert_int_equal(made[i], 201);
        assert_int_equal(acknowledged[i], 200);
    }
    char sql[400];
    long kept = 0;
    for (int t = 0; t < 100 && kept < REPORTS; t++) {
        usleep(100 * 1000);
        kept = 0;
        for (int i = 0; i < REPORTS; i++) {
            snprintf(sql, sizeof sql,
                     "SELECT count(*) FROM notify.due_items WHERE id = '%s' AND ((kind = "
                     "'deviation_acknowledge' AND due_date IS NULL) OR (kind = 'deviation_answer' "
                     "AND due_date IS NOT NULL))",
                     ids[i]);
            kept += s_sql_count(sql) == 2;
        }
    }
    long statements = s_sql_count("SELECT count(*) FROM public.test_due_statements");
    s_sql_exec("DROP TRIGGER test_due_written ON notify.due_items");
    s_sql_exec("DROP FUNCTION public.test_due_written()");
    s_sql_exec("DROP TABLE public.test_due_statements");
    assert_int_equal(kept, REPORTS);
    /* once an event would be 4 a report (48); the backlog comes in a few runs */
    if (statements > REPORTS / 2)
        fail_msg("what falls due took %ld statements for %d reports", statements, REPORTS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_categories_are_public),
        cmocka_unit_test(test_identity_numbers_refused_everywhere),
        cmocka_unit_test(test_the_whole_workflow),
        cmocka_unit_test(test_forward_reject_duplicate),
        cmocka_unit_test(test_who_sees_what),
        cmocka_unit_test(test_a_draft_is_its_reporters_alone),
        cmocka_unit_test(test_a_report_one_may_not_see_is_no_report),
        cmocka_unit_test(test_a_duplicate_shows_only_what_one_may_see),
        cmocka_unit_test(test_forwarding_keeps_the_report_readable),
        cmocka_unit_test(test_deadline_alerts),
        cmocka_unit_test(test_fhir_export),
        cmocka_unit_test(test_reads_are_logged),
        cmocka_unit_test(test_newest_first),
        cmocka_unit_test(test_references_count_by_year),
        cmocka_unit_test(test_a_submitted_report_is_written_once),
        cmocka_unit_test(test_what_falls_due_is_kept_once_a_run),
    };
    return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
