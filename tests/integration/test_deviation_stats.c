/* Tertial statistics from a known set of reports, the figures worked out by
 * hand: counts by category, state and organisation, working days to
 * acknowledge and answer, share answered in time, the period before, and
 * the CSV a committee can open; no figure of fewer than 5 reports, nor one
 * that follows from the others. */
#include "harness.h"
#include "samhand_time.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* the parties, registered in the directory (agenda); the deviation
 * service learns of them from agenda's events */
static char KOMMUNE[40], SYKEHUS[40], LEGEKONTOR[40];

static harness_stack_t s_stack;
static const char *s_db;
/* quality roles may report and act for any party */
static const char *s_kommune, *s_sykehus, *s_lege;
static char s_period[32];

static harness_http_response_t *s_as(const char *who, const char *method, const char *path,
                                     const char *body)
{
    char url[512];
    snprintf(url, sizeof url, "%s%s", s_stack.base_url, path);
    const char *headers[] = {who, NULL};
    return harness_http_request(method, url, body, headers);
}

static void s_report(const char *who, const char *from, const char *to, const char *category,
                     char id[40])
{
    char body[1024];
    snprintf(body, sizeof body,
             "{\"reportingOrganizationId\":\"%s\",\"receivingOrganizationId\":\"%s\","
             "\"occurredTime\":\"2026-01-02T10:00:00+01:00\",\"type\":\"BREACH_OF_AGREEMENT\","
             "\"categoryCode\":\"%s\",\"description\":\"Se "
             "vedlagt.\",\"harmDegree\":\"MINOR\",\"submit\":true}",
             from, to, category);
    harness_http_response_t *r = s_as(who, "POST", "/v1/deviations", body);
    assert_int_equal(r->status, 201);
    if (id)
        snprintf(id, 40, "%s", harness_json_text(r, "id"));
    harness_http_response_free(&r);
}

static void s_step(const char *who, const char *id, const char *step, const char *body)
{
    char path[160];
    snprintf(path, sizeof path, "/v1/deviations/%s/%s", id, step);
    harness_http_response_t *r = s_as(who, "POST", path, body);
    assert_int_equal(r->status, 200);
    harness_http_response_free(&r);
}

static int s_count_of(json_t *list, const char *key)
{
    for (size_t i = 0; i < json_array_size(list); i++)
        if (strcmp(json_string_value(json_object_get(json_array_get(list, i), "key")), key) == 0)
            return (int)json_integer_value(json_object_get(json_array_get(list, i), "count"));
    return 0;
}

static int s_setup(void **state)
{
    s_db = harness_database_url();
    harness_stack_start(&s_stack, s_db);
    s_kommune = s_sykehus = s_lege = s_stack.auth_header;
    static const struct {
        const char *body;
        char *id;
    } orgs[] = {
        {"{\"name\":\"Trondheim kommune\",\"organizationNumber\":\"942110464\","
         "\"kind\":\"MUNICIPALITY\"}",
         KOMMUNE},
        {"{\"name\":\"St. Olavs hospital HF\",\"organizationNumber\":\"883974832\","
         "\"kind\":\"HOSPITAL_TRUST\"}",
         SYKEHUS},
        {"{\"name\":\"Moholt legesenter\",\"organizationNumber\":\"964982953\","
         "\"kind\":\"GP_OFFICE\"}",
         LEGEKONTOR},
    };
    for (size_t i = 0; i < 3; i++) {
        harness_http_response_t *r =
            harness_stack_send(&s_stack, "POST", "/v1/organizations", orgs[i].body);
        assert_int_equal(r->status, 201);
        snprintf(orgs[i].id, 40, "%s", harness_json_text(r, "id"));
        harness_http_response_free(&r);
    }
    struct tm tm;
    time_oslo(time(NULL), &tm);
    snprintf(s_period, sizeof s_period, "%d-T%d", tm.tm_year + 1900, tm.tm_mon / 4 + 1);
    return 0;
}

static int s_teardown(void **state)
{
    harness_stack_stop(&s_stack);
    return 0;
}

static void s_assert_nothing_small_follows(json_t *period);

/* The name of `key`'s count in a breakdown ("" when it has none). */
static const char *s_name_of(json_t *counts, const char *key)
{
    size_t i;
    json_t *c;
    json_array_foreach(counts, i, c)
    {
        if (strcmp(json_string_value(json_object_get(c, "key")), key) == 0)
            return json_string_value(json_object_get(c, "name"));
    }
    return "";
}

static void test_figures_by_hand(void **state)
{
    /* municipality -> hospital: 6 discharge summaries, 5 referrals;
     * GP -> hospital: 2 test results; hospital -> municipality: 5 medication lists */
    char ids[11][40];
    for (int i = 0; i < 6; i++)
        s_report(s_kommune, KOMMUNE, SYKEHUS, "SAM-EPIKRISE", ids[i]);
    for (int i = 6; i < 11; i++)
        s_report(s_kommune, KOMMUNE, SYKEHUS, "SAM-HENVISNING", ids[i]);
    for (int i = 0; i < 2; i++)
        s_report(s_lege, LEGEKONTOR, SYKEHUS, "SAM-PROVESVAR", NULL);
    for (int i = 0; i < 5; i++)
        s_report(s_sykehus, SYKEHUS, KOMMUNE, "SAM-LEGEMIDDELLISTE", NULL);
    /* the hospital acknowledges six and answers five, all today */
    for (int i = 0; i < 6; i++)
        s_step(s_sykehus, ids[i], "acknowledge", "{}");
    for (int i = 0; i < 5; i++)
        s_step(s_sykehus, ids[i], "respond", "{\"answer\":\"Rutinen er endret.\"}");

    /* by the time the figures are asked for, agenda's events have told the
     * deviation service who the parties are */
    char path[128];
    snprintf(path, sizeof path, "/v1/deviations/stats?period=%s", s_period);
    harness_http_response_t *r = NULL;
    for (int i = 0; i < 50; i++) {
        harness_http_response_free(&r);
        r = s_as(s_kommune, "GET", path, NULL);
        json_t *direction = json_object_get(json_object_get(r->json, "current"), "byDirection");
        if (s_count_of(direction, "MUNICIPALITY → HOSPITAL_TRUST") != 0)
            break;
        usleep(100 * 1000);
    }
    assert_int_equal(r->status, 200);
    json_t *now = json_object_get(r->json, "current");
    assert_int_equal(json_integer_value(json_object_get(now, "total")), 18);
    /* fewer than 5 is suppressed (-1), and so is the next smallest count
     * beside a lone small one, which would otherwise follow from the total */
    json_t *category = json_object_get(now, "byCategory");
    assert_int_equal(s_count_of(category, "SAM-EPIKRISE"), 6);
    assert_int_equal(s_count_of(category, "SAM-HENVISNING"), -1);
    assert_int_equal(s_count_of(category, "SAM-PROVESVAR"), -1);
    assert_int_equal(s_count_of(category, "SAM-LEGEMIDDELLISTE"), 5);
    /* each count named as people read it: the category's name, a label */
    assert_string_equal(s_name_of(category, "SAM-EPIKRISE"), "Epikrise / utskrivningsrapport");
    json_t *states = json_object_get(now, "byState");
    assert_string_equal(s_name_of(states, "SUBMITTED"), "Sendt");
    assert_string_equal(
        s_name_of(json_object_get(now, "byDirection"), "MUNICIPALITY → HOSPITAL_TRUST"),
        "Kommune → Helseforetak");
    assert_int_equal(s_count_of(states, "SUBMITTED"), 12);
    assert_int_equal(s_count_of(states, "AWAITING_RESPONSE"), -1);
    assert_int_equal(s_count_of(states, "ANSWERED"), -1);
    json_t *reporting = json_object_get(now, "byReportingOrganization");
    assert_int_equal(s_count_of(reporting, SYKEHUS), -1);
    assert_int_equal(s_count_of(reporting, LEGEKONTOR), -1);
    json_t *receiving = json_object_get(now, "byReceivingOrganization");
    json_t *direction = json_object_get(now, "byDirection");
    int m_to_h = s_count_of(direction, "MUNICIPALITY → HOSPITAL_TRUST");
    assert_int_equal(s_count_of(direction, "GP_OFFICE → HOSPITAL_TRUST"), -1);
    assert_int_equal(s_count_of(direction, "HOSPITAL_TRUST → MUNICIPALITY"), -1);
    /* the organisations of a kind and the directions to (from) it count
     * the same reports: the hospital received 13, of which the
     * municipality's 11 would tell the GP office's 2, and the
     * municipality's own 11 would tell its one direction */
    assert_false(s_count_of(receiving, SYKEHUS) >= 0 && m_to_h >= 0);
    assert_false(s_count_of(reporting, KOMMUNE) >= 0 && m_to_h < 0);
    assert_false(s_count_of(receiving, KOMMUNE) >= 0 &&
                 s_count_of(direction, "HOSPITAL_TRUST → MUNICIPALITY") < 0);
    assert_int_equal(s_count_of(json_object_get(now, "byType"), "BREACH_OF_AGREEMENT"), 18);
    s_assert_nothing_small_follows(now);
    /* acknowledged and answered the day they came: 0 working days, all in time */
    assert_true(json_real_value(json_object_get(now, "medianDaysToAcknowledge")) == 0.0);
    assert_true(json_real_value(json_object_get(now, "p90DaysToAnswer")) == 0.0);
    assert_true(json_real_value(json_object_get(now, "shareAnsweredInTime")) == 1.0);
    json_t *before = json_object_get(r->json, "previous");
    assert_int_equal(json_integer_value(json_object_get(before, "total")), 0);
    harness_http_response_free(&r);

    snprintf(path, sizeof path, "/v1/deviations/stats?period=%s&format=csv", s_period);
    r = s_as(s_kommune, "GET", path, NULL);
    assert_int_equal(r->status, 200);
    assert_string_equal(r->content_type, "text/csv; charset=utf-8");
    /* as a Norwegian spreadsheet opens it: UTF-8 marked, names and labels,
     * the period by its title, decimal commas (issue 19) */
    assert_int_equal(strncmp(r->body, "\xEF\xBB\xBFperiode;gruppering;verdi;antall\r\n", 36), 0);
    assert_non_null(strstr(r->body, ". tertial 20"));
    assert_non_null(strstr(r->body, ";kategori;\"Epikrise / utskrivningsrapport\";6\r\n"));
    assert_non_null(strstr(r->body, ";meldende virksomhet;\"Moholt legesenter\";skjult\r\n"));
    assert_non_null(strstr(r->body, ";status;\"Besvart\";skjult\r\n"));
    assert_non_null(strstr(r->body, ";besvart innen frist;prosent;100,0\r\n"));
    assert_non_null(strstr(r->body, ";virkedager til svar;median;0,0\r\n"));
    assert_null(strstr(r->body, "SAM-EPIKRISE"));
    assert_null(strstr(r->body, "ANSWERED"));
    assert_null(strstr(r->body, LEGEKONTOR));
    /* the period before had nothing: no share of it, never «0 %» */
    assert_non_null(strstr(r->body, ";besvart innen frist;prosent;<5\r\n"));
    harness_http_response_free(&r);

    /* the tertial report a committee puts on its agenda */
    snprintf(path, sizeof path, "/v1/deviations/stats?period=%s&format=html", s_period);
    r = s_as(s_kommune, "GET", path, NULL);
    assert_int_equal(r->status, 200);
    assert_string_equal(r->content_type, "text/html; charset=utf-8");
    assert_non_null(strstr(r->body, ". tertial "));
    assert_non_null(strstr(
        r->body,
        "<tr><td>Antall meldinger</td><td class=\"tall\">18</td><td class=\"tall\">0</td></tr>"));
    assert_non_null(
        strstr(r->body, "<tr><td>Epikrise / utskrivningsrapport</td><td class=\"tall\">6</td>"));
    assert_non_null(strstr(r->body, "<tr><td>Besvart</td><td class=\"tall\">skjult</td>"));
    assert_non_null(
        strstr(r->body, "<tr><td>Moholt legesenter</td><td class=\"tall\">skjult</td>"));
    /* beside the GP office's 2, which the hospital's 13 would tell */
    assert_non_null(
        strstr(r->body, "<tr><td>Kommune → Helseforetak</td><td class=\"tall\">skjult</td>"));
    /* laid out as the committee receives it: by direction, by category,
     * then the time to answer and the share in time, in Norwegian numbers */
    const char *by_direction = strstr(r->body, "<h2>Etter retning</h2>");
    const char *by_category = strstr(r->body, "<h2>Etter kategori</h2>");
    const char *answering = strstr(r->body, "<h2>Svartid og frister</h2>");
    assert_true(by_direction && by_category && answering && by_direction < by_category &&
                by_category < answering);
    assert_non_null(strstr(r->body, "<tr><td>Virkedager til svar, median</td><td "
                                    "class=\"tall\">0,0</td><td class=\"tall\">færre enn 5</td>"));
    assert_non_null(strstr(r->body, "<tr><td>Besvart innen frist</td><td class=\"tall\">100 %</td>"
                                    "<td class=\"tall\">færre enn 5</td>"));
    assert_null(strstr(r->body, "SAM-EPIKRISE"));
    assert_null(strstr(r->body, ">0 %</td>"));
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

/* Reports from `from` to `to` of `category`, submitted (and, when
 * `acknowledged`, acknowledged) on `day` at noon. */
static void s_reports_on(const char *day, const char *from, const char *to, const char *category,
                         int n, bool acknowledged)
{
    for (int i = 0; i < n; i++) {
        char id[40], sql[256];
        s_report(s_kommune, from, to, category, id);
        if (acknowledged)
            s_step(s_sykehus, id, "acknowledge", "{}");
        snprintf(sql, sizeof sql,
                 "UPDATE deviation.reports SET submitted_at = '%s 12:00+01', acknowledged_at = "
                 "CASE WHEN acknowledged_at IS NULL THEN NULL ELSE '%s 14:00+01'::timestamptz "
                 "END WHERE id = '%s'",
                 day, day, id);
        s_sql(sql);
    }
}

/* The statistics of one tertial ("2024-T1"), in JSON and in CSV. */
static json_t *s_tertial(const char *period, char **csv_p)
{
    char path[160];
    snprintf(path, sizeof path, "/v1/deviations/stats?period=%s", period);
    harness_http_response_t *r = s_as(s_kommune, "GET", path, NULL);
    assert_int_equal(r->status, 200);
    json_t *now = json_incref(json_object_get(r->json, "current"));
    harness_http_response_free(&r);
    snprintf(path, sizeof path, "/v1/deviations/stats?period=%s&format=csv", period);
    r = s_as(s_kommune, "GET", path, NULL);
    assert_int_equal(r->status, 200);
    *csv_p = strdup(r->body);
    harness_http_response_free(&r);
    return now;
}

static const char *const s_dimensions[] = {"byCategory",
                                           "byType",
                                           "byState",
                                           "byDirection",
                                           "byReportingOrganization",
                                           "byReceivingOrganization"};

/* In every breakdown, no count of 1 to 4 is shown, and the suppressed ones
 * do not follow from the total: none, or two or more holding 5 or more. */
static void s_assert_nothing_small_follows(json_t *period)
{
    json_int_t total = json_integer_value(json_object_get(period, "total"));
    for (size_t d = 0; d < sizeof s_dimensions / sizeof s_dimensions[0]; d++) {
        json_t *list = json_object_get(period, s_dimensions[d]);
        json_int_t shown = 0;
        size_t hidden = 0;
        for (size_t i = 0; i < json_array_size(list); i++) {
            json_int_t count =
                json_integer_value(json_object_get(json_array_get(list, i), "count"));
            if (count > 0 && count < 5)
                fail_msg("%s shows a count of %d", s_dimensions[d], (int)count);
            if (count < 0)
                hidden++;
            else
                shown += count;
        }
        if (hidden > 0 && total >= 0) {
            if (hidden < 2 || total - shown < 5)
                fail_msg("%s: %zu suppressed, %d by subtraction", s_dimensions[d], hidden,
                         (int)(total - shown));
        }
    }
}

/* No line of the CSV says 1 to 4. */
static void s_assert_csv_has_no_small_figure(const char *csv)
{
    for (const char *line = csv; *line; line = strchr(line, '\n') + 1) {
        const char *end = strchr(line, '\r');
        const char *last = end;
        while (last > line && last[-1] != ';')
            last--;
        if (end - last == 1 && *last >= '1' && *last <= '4')
            fail_msg("the CSV says %.*s", (int)(end - line), line);
        if (!strchr(line, '\n'))
            break;
    }
}

/* A tertial with three reports: nothing of it is told, not the total, not
 * a count of any breakdown, not the time to acknowledge two of them. */
static void test_a_day_of_few_reports_tells_nothing(void **state)
{
    s_reports_on("2024-03-05", KOMMUNE, SYKEHUS, "SAM-EPIKRISE", 2, true);
    s_reports_on("2024-03-05", LEGEKONTOR, SYKEHUS, "SAM-PROVESVAR", 1, false);
    char *csv = NULL;
    json_t *day = s_tertial("2024-T1", &csv);
    assert_int_equal(json_integer_value(json_object_get(day, "total")), -1);
    for (size_t d = 0; d < sizeof s_dimensions / sizeof s_dimensions[0]; d++) {
        json_t *list = json_object_get(day, s_dimensions[d]);
        assert_true(json_array_size(list) > 0);
        for (size_t i = 0; i < json_array_size(list); i++)
            assert_int_equal(json_integer_value(json_object_get(json_array_get(list, i), "count")),
                             -1);
    }
    assert_true(json_real_value(json_object_get(day, "medianDaysToAcknowledge")) < 0);
    assert_true(json_real_value(json_object_get(day, "p90DaysToAcknowledge")) < 0);
    assert_true(json_real_value(json_object_get(day, "medianDaysToAnswer")) < 0);
    assert_true(json_real_value(json_object_get(day, "shareAnsweredInTime")) < 0);
    s_assert_csv_has_no_small_figure(csv);
    assert_non_null(strstr(csv, ";totalt;alle;<5\r\n"));
    assert_non_null(strstr(csv, ";virkedager til mottak;median;<5\r\n"));
    free(csv);
    json_decref(day);
}

/* Beside one small count the next smallest is suppressed too, and small
 * counts that together are fewer than 5 take another with them: the total
 * minus what is shown never tells a small count. */
static void test_no_suppressed_count_follows_from_the_total(void **state)
{
    /* 6 discharge summaries and 2 referrals: 8 - 6 would say 2 */
    s_reports_on("2024-06-12", KOMMUNE, SYKEHUS, "SAM-EPIKRISE", 6, false);
    s_reports_on("2024-06-12", KOMMUNE, SYKEHUS, "SAM-HENVISNING", 2, false);
    char *csv = NULL;
    json_t *day = s_tertial("2024-T2", &csv);
    assert_int_equal(json_integer_value(json_object_get(day, "total")), 8);
    json_t *category = json_object_get(day, "byCategory");
    assert_int_equal(s_count_of(category, "SAM-HENVISNING"), -1);
    assert_int_equal(s_count_of(category, "SAM-EPIKRISE"), -1);
    assert_int_equal(s_count_of(json_object_get(day, "byReportingOrganization"), KOMMUNE), 8);
    s_assert_nothing_small_follows(day);
    s_assert_csv_has_no_small_figure(csv);
    free(csv);
    json_decref(day);

    /* 6, 1 and 1: the two ones, together 2, would each be 1 */
    s_reports_on("2024-10-19", KOMMUNE, SYKEHUS, "SAM-EPIKRISE", 6, false);
    s_reports_on("2024-10-19", KOMMUNE, SYKEHUS, "SAM-HENVISNING", 1, false);
    s_reports_on("2024-10-19", KOMMUNE, SYKEHUS, "SAM-PROVESVAR", 1, false);
    day = s_tertial("2024-T3", &csv);
    category = json_object_get(day, "byCategory");
    assert_int_equal(s_count_of(category, "SAM-EPIKRISE"), -1);
    s_assert_nothing_small_follows(day);
    s_assert_csv_has_no_small_figure(csv);
    free(csv);
    json_decref(day);
}

static void test_refusals(void **state)
{
    harness_http_response_t *r =
        s_as(s_kommune, "GET", "/v1/deviations/stats?period=2023-T4", NULL);
    harness_assert_problem(r, 400, "period");
    harness_http_response_free(&r);
    r = s_as(s_kommune, "GET", "/v1/deviations/stats?from=2023-05-01&to=2023-01-01", NULL);
    harness_assert_problem(r, 400, "to");
    harness_http_response_free(&r);
    r = s_as(s_kommune, "GET", "/v1/deviations/stats?period=2023-T1&format=xml", NULL);
    harness_assert_problem(r, 400, "format");
    harness_http_response_free(&r);
    /* a range is a tertial, and the one before it the previous period */
    r = s_as(s_kommune, "GET", "/v1/deviations/stats?from=2023-05-01&to=2023-08-31", NULL);
    assert_int_equal(r->status, 200);
    json_t *before = json_object_get(r->json, "previous");
    assert_string_equal(json_string_value(json_object_get(before, "from")), "2023-01-01");
    assert_string_equal(json_string_value(json_object_get(before, "to")), "2023-04-30");
    harness_http_response_free(&r);
    /* any other range could be subtracted from an overlapping one (a day
     * from the tertial around it) to tell the small counts each hides */
    const char *ranges[] = {"from=2024-03-05&to=2024-03-05", "from=2024-01-01&to=2024-08-31",
                            "from=2024-01-02&to=2024-04-30", "from=2024-09-01&to=2025-12-31"};
    for (size_t i = 0; i < 4; i++) {
        char path[128];
        snprintf(path, sizeof path, "/v1/deviations/stats?%s", ranges[i]);
        r = s_as(s_kommune, "GET", path, NULL);
        harness_assert_problem(r, 400, "from");
        assert_non_null(strstr(r->body, "per whole period"));
        harness_http_response_free(&r);
    }
    char url[256];
    snprintf(url, sizeof url, "%s/v1/deviations/stats?period=2023-T1", s_stack.base_url);
    r = harness_http_request("GET", url, NULL, NULL);
    harness_assert_problem(r, 401, NULL);
    harness_http_response_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_figures_by_hand),
        cmocka_unit_test(test_a_day_of_few_reports_tells_nothing),
        cmocka_unit_test(test_no_suppressed_count_follows_from_the_total),
        cmocka_unit_test(test_refusals),
    };
    return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
