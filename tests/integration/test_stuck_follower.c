/* A follower that meets an event its database refuses: it holds what
 * follows (the stream's order), says so to operators (how many attempts
 * failed, since when, how far behind it is), neither asks its source again
 * at every new event nor logs every attempt, and goes on by itself, in
 * order, once the cause is gone. */
#include "harness.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static harness_stack_t s_stack;
static const char *s_db;

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

/* The value of `series` (name and labels) in the stack's /metrics. */
static double s_metric(const char *series)
{
    harness_http_response_t *r = harness_stack_get(&s_stack, "/metrics");
    harness_expect_status(r, 200);
    char *line = strstr(r->body, series);
    double value = line ? strtod(line + strlen(series), NULL) : -1;
    harness_http_response_free(&r);
    return value;
}

#define DEVIATION_FOLLOWS "{service=\"deviation\",source=\"agenda\"}"
/* agenda's answers to catch-ups (every follower's) */
#define CATCH_UPS                                                                                  \
    "samhand_bus_requests_total{service=\"agenda\",method=\"agenda.Events\",code=\"OK\"}"

static void s_sql(PGconn *conn, const char *sql)
{
    PGresult *res = PQexec(conn, sql);
    if (PQresultStatus(res) != PGRES_COMMAND_OK && PQresultStatus(res) != PGRES_TUPLES_OK)
        fail_msg("%s: %s", sql, PQerrorMessage(conn));
    PQclear(res);
}

static long s_count(PGconn *conn, const char *sql)
{
    PGresult *res = PQexec(conn, sql);
    long n = PQresultStatus(res) == PGRES_TUPLES_OK ? atol(PQgetvalue(res, 0, 0)) : -1;
    PQclear(res);
    return n;
}

static void s_create_organization(long *base, const char *name)
{
    long number = 0;
    while (!number)
        number = harness_org_number((*base)++);
    char body[200];
    snprintf(body, sizeof body,
             "{\"name\":\"%s\",\"organizationNumber\":\"%ld\",\"kind\":\"MUNICIPALITY\"}", name,
             number);
    harness_stack_create(&s_stack, "/v1/organizations", body, NULL);
}

static void test_a_refused_event_holds_the_follower_visibly_and_quietly(void **state)
{
    PGconn *conn = PQconnectdb(s_db);
    long base = 71000000;
    s_create_organization(&base, "Før kommune");
    for (int i = 0; i < 100 && s_count(conn, "SELECT count(*) FROM deviation.organizations") < 1;
         i++)
        usleep(100 * 1000);
    assert_int_equal(s_count(conn, "SELECT count(*) FROM deviation.organizations"), 1);
    assert_true(s_metric("samhand_consumer_consecutive_failures" DEVIATION_FOLLOWS) == 0);

    /* deviation's copy of the directory will not take this name */
    s_sql(conn, "ALTER TABLE deviation.organizations ADD CONSTRAINT test_refuses "
                "CHECK (name <> 'Avvist kommune')");
    time_t before = time(NULL);
    s_create_organization(&base, "Avvist kommune");
    usleep(300 * 1000);
    double catch_ups = s_metric(CATCH_UPS);
    enum { AFTER = 30 };
    for (int i = 0; i < AFTER; i++) {
        char name[64];
        snprintf(name, sizeof name, "Etter kommune %02d", i);
        s_create_organization(&base, name);
    }
    sleep(4);

    /* what follows waits behind it: nothing after it is applied */
    assert_int_equal(s_count(conn, "SELECT count(*) FROM deviation.organizations"), 1);
    /* operators see it: attempts failed, since when, how far behind */
    double failures = s_metric("samhand_consumer_consecutive_failures" DEVIATION_FOLLOWS);
    double since = s_metric("samhand_consumer_failing_since_timestamp_seconds" DEVIATION_FOLLOWS);
    double behind = s_metric("samhand_consumer_behind" DEVIATION_FOLLOWS);
    fprintf(stderr, "failures %.0f, failing since %.0f (test began it at %ld), behind %.0f\n",
            failures, since, (long)before, behind);
    assert_true(failures >= 2);
    assert_true(since >= (double)before - 1 && since <= (double)time(NULL));
    assert_true(behind >= AFTER + 1);
    /* and the source is not asked again at every event it publishes: once
     * an attempt, a second apart, then further (without the wait, each of
     * the 30 events brought a catch-up of its own: 23 in 4 s) */
    double asked = s_metric(CATCH_UPS) - catch_ups;
    fprintf(stderr, "catch-ups in the 4 s after: %.0f\n", asked);
    assert_true(asked <= failures + 4); /* notify's own look a second after the last */

    /* the log says which event and why, without the row's values (the
     * database's DETAIL quotes the failing row) */
    char path[512], text[65536];
    snprintf(path, sizeof path, "%s/Testing/samhand-deviation-%d.log", getenv("SAMHAND_BUILD_DIR"),
             (int)getpid());
    FILE *log = fopen(path, "r");
    assert_non_null(log);
    size_t len = fread(text, 1, sizeof text - 1, log);
    text[len] = '\0';
    fclose(log);
    assert_non_null(strstr(text, "could not apply agenda event"));
    assert_non_null(strstr(text, "test_refuses"));
    assert_null(strstr(text, "Avvist kommune"));

    /* the cause gone, it goes on by itself, in order, and says so */
    s_sql(conn, "ALTER TABLE deviation.organizations DROP CONSTRAINT test_refuses");
    for (int i = 0;
         i < 400 && s_count(conn, "SELECT count(*) FROM deviation.organizations") < AFTER + 2; i++)
        usleep(100 * 1000);
    assert_int_equal(s_count(conn, "SELECT count(*) FROM deviation.organizations"), AFTER + 2);
    assert_int_equal(s_count(conn, "SELECT count(*) FROM deviation.organizations "
                                   "WHERE name = 'Avvist kommune'"),
                     1);
    assert_true(s_metric("samhand_consumer_consecutive_failures" DEVIATION_FOLLOWS) == 0);
    assert_true(s_metric("samhand_consumer_failing_since_timestamp_seconds" DEVIATION_FOLLOWS) ==
                0);
    assert_true(s_metric("samhand_consumer_behind" DEVIATION_FOLLOWS) == 0);
    PQfinish(conn);
}

/* An outbox row that is no Event (a bug, a damaged page): the source's
 * stream stops before it, and its followers say they are stuck there
 * rather than look as if they had caught up. */
static void test_a_row_the_source_cannot_read_shows_as_stuck(void **state)
{
    PGconn *conn = PQconnectdb(s_db);
    long base = 72000000;
    s_create_organization(&base, "Første kommune");
    long before = 0;
    for (int i = 0; i < 100; i++) {
        before = s_count(conn, "SELECT count(*) FROM deviation.organizations WHERE name = "
                               "'Første kommune'");
        if (before == 1)
            break;
        usleep(100 * 1000);
    }
    assert_int_equal(before, 1);
    long copied = s_count(conn, "SELECT count(*) FROM deviation.organizations");
    /* bytes no protobuf reader takes (field 15 of wire type 7) */
    s_sql(conn, "INSERT INTO agenda.outbox (type, subject, event) "
                "VALUES ('no.samhand.organization.created', 'test', '\\xff00'::bytea)");
    enum { AFTER = 5 };
    for (int i = 0; i < AFTER; i++) {
        char name[64];
        snprintf(name, sizeof name, "Bak kommune %d", i);
        s_create_organization(&base, name);
    }
    sleep(3);
    assert_int_equal(s_count(conn, "SELECT count(*) FROM deviation.organizations"), copied);
    double failures = s_metric("samhand_consumer_consecutive_failures" DEVIATION_FOLLOWS);
    double behind = s_metric("samhand_consumer_behind" DEVIATION_FOLLOWS);
    fprintf(stderr, "failures %.0f, behind %.0f\n", failures, behind);
    assert_true(failures >= 2);
    assert_true(behind >= AFTER + 1);

    /* the row mended (here: made a copy of the first one's event, which
     * applies again as the same organisation), all follow in order */
    s_sql(conn, "UPDATE agenda.outbox SET event = (SELECT event FROM agenda.outbox WHERE "
                "type = 'no.samhand.organization.created' AND event <> '\\xff00'::bytea "
                "ORDER BY sequence LIMIT 1) WHERE event = '\\xff00'::bytea");
    for (int i = 0;
         i < 400 && s_count(conn, "SELECT count(*) FROM deviation.organizations") < copied + AFTER;
         i++)
        usleep(100 * 1000);
    assert_int_equal(s_count(conn, "SELECT count(*) FROM deviation.organizations"), copied + AFTER);
    for (int i = 0;
         i < 50 && s_metric("samhand_consumer_consecutive_failures" DEVIATION_FOLLOWS) != 0; i++)
        usleep(100 * 1000);
    assert_true(s_metric("samhand_consumer_consecutive_failures" DEVIATION_FOLLOWS) == 0);
    assert_true(s_metric("samhand_consumer_behind" DEVIATION_FOLLOWS) == 0);
    PQfinish(conn);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_refused_event_holds_the_follower_visibly_and_quietly),
        cmocka_unit_test(test_a_row_the_source_cannot_read_shows_as_stuck),
    };
    return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
