/* The database module against a real PostgreSQL: migrations apply once and
 * in order, the outbox lives and dies with its transaction, a lost
 * connection is re-established. */
#include "harness.h"
#include "samhand_db.h"
#include "samhand/v1/envelope.pb-c.h"

#include <stdlib.h>
#include <string.h>

static const db_migration_t s_migrations[] = {
    {1, "001_things.sql", "CREATE TABLE things (id int PRIMARY KEY, name text NOT NULL);"},
    {2, "002_more.sql",
     "ALTER TABLE things ADD COLUMN note text; INSERT INTO things VALUES (1, 'a', 'b');"},
};

static const char *s_url;

static int s_count(db_t *db, const char *sql)
{
    PGresult *res = db_query(db, sql, 0, NULL);
    assert_non_null(res);
    int n = atoi(PQgetvalue(res, 0, 0));
    PQclear(res);
    return n;
}

static void test_migrations_apply_once(void **state)
{
    db_t *db = db_new(s_url, "dbtest", 5000);
    assert_non_null(db);
    assert_int_equal(db_migrate(db, s_migrations, 1), 1);
    assert_int_equal(db_migrate(db, s_migrations, 2), 2);
    /* again: nothing to do, nothing fails */
    assert_int_equal(db_migrate(db, s_migrations, 2), 2);
    assert_int_equal(s_count(db, "SELECT count(*) FROM things"), 1);
    assert_int_equal(s_count(db, "SELECT count(*) FROM schema_migrations"), 2);
    assert_int_equal(db_schema_version(db), 2);
    db_destroy(&db);
    assert_null(db);
}

static void test_failed_migration_changes_nothing(void **state)
{
    const db_migration_t broken[] = {
        s_migrations[0],
        s_migrations[1],
        {3, "003_broken.sql", "CREATE TABLE half (x int); SELECT * FROM no_such_table;"},
    };
    db_t *db = db_new(s_url, "dbtest", 5000);
    assert_int_equal(db_migrate(db, broken, 3), -1);
    assert_int_equal(db_schema_version(db), 2);
    assert_int_equal(s_count(db, "SELECT count(*) FROM pg_tables WHERE tablename = 'half'"), 0);
    db_destroy(&db);
}

static void test_outbox_follows_transaction(void **state)
{
    db_t *db = db_new(s_url, "dbtest", 5000);
    Samhand__V1__HealthResponse data = SAMHAND__V1__HEALTH_RESPONSE__INIT;
    data.service = "x";
    int before = s_count(db, "SELECT count(*) FROM outbox");

    assert_int_equal(db_begin(db), 0);
    assert_int_equal(db_outbox_append(db, "no.samhand.test.done", "s1", NULL, NULL, &data.base), 0);
    db_rollback(db);
    assert_int_equal(s_count(db, "SELECT count(*) FROM outbox"), before);

    assert_int_equal(db_begin(db), 0);
    assert_int_equal(db_outbox_append(db, "no.samhand.test.done", "s2", "org", NULL, &data.base),
                     0);
    assert_int_equal(db_commit(db), 0);
    assert_int_equal(s_count(db, "SELECT count(*) FROM outbox"), before + 1);
    assert_int_equal(s_count(db, "SELECT count(*) FROM outbox WHERE subject = 's2' AND "
                                 "type = 'no.samhand.test.done' AND published_at IS NULL"),
                     1);
    db_destroy(&db);
}

static void test_outbox_commit_is_one_unit(void **state)
{
    db_t *db = db_new(s_url, "dbtest", 5000);
    Samhand__V1__HealthResponse data = SAMHAND__V1__HEALTH_RESPONSE__INIT;
    int before = s_count(db, "SELECT count(*) FROM outbox");

    /* the change and its event commit together */
    const char *row[] = {"10", "ten"};
    assert_int_equal(db_begin(db), 0);
    PGresult *res = db_query(db, "INSERT INTO things (id, name) VALUES ($1, $2)", 2, row);
    assert_non_null(res);
    PQclear(res);
    assert_int_equal(db_outbox_commit(db, "no.samhand.test.done", "10", NULL, NULL, &data.base), 0);
    assert_int_equal(s_count(db, "SELECT count(*) FROM things WHERE id = 10"), 1);
    assert_int_equal(s_count(db, "SELECT count(*) FROM outbox"), before + 1);

    /* a change whose transaction failed leaves no event, and no change */
    const char *dup[] = {"11", "eleven"};
    assert_int_equal(db_begin(db), 0);
    res = db_query(db, "INSERT INTO things (id, name) VALUES ($1, $2)", 2, dup);
    PQclear(res);
    const char *again[] = {"10", "ten again"};
    assert_null(db_query(db, "INSERT INTO things (id, name) VALUES ($1, $2)", 2, again));
    assert_int_equal(db_outbox_commit(db, "no.samhand.test.done", "11", NULL, NULL, &data.base),
                     -1);
    assert_int_equal(s_count(db, "SELECT count(*) FROM things WHERE id = 11"), 0);
    assert_int_equal(s_count(db, "SELECT count(*) FROM outbox"), before + 1);

    /* a transaction that did nothing costs nothing and breaks nothing */
    assert_int_equal(db_begin(db), 0);
    assert_int_equal(db_commit(db), 0);
    assert_int_equal(db_begin(db), 0);
    db_rollback(db);
    assert_int_equal(s_count(db, "SELECT count(*) FROM things WHERE id = 10"), 1);
    db_destroy(&db);
}

static void test_reconnects_after_connection_loss(void **state)
{
    db_t *db = db_new(s_url, "dbtest", 5000);
    db_t *killer = db_new(s_url, "dbtest", 5000);
    PGresult *res = db_query(db, "SELECT pg_backend_pid()", 0, NULL);
    const char *pid[] = {PQgetvalue(res, 0, 0)};
    PGresult *killed = db_query(killer, "SELECT pg_terminate_backend($1::int)", 1, pid);
    assert_non_null(killed);
    PQclear(killed);
    PQclear(res);
    /* the next statement outside a transaction reconnects and succeeds,
     * with the schema still on the search path */
    assert_int_equal(s_count(db, "SELECT count(*) FROM things WHERE id = 1"), 1);
    db_destroy(&db);
    db_destroy(&killer);
}

/* What a connection's owner set for its session (notify's sender: plans
 * made for the rows there are, commits without waiting for the disk) holds
 * on the new session after the old one was cut, as after a restart of
 * the database. */
static void test_session_settings_outlive_a_reconnection(void **state)
{
    db_t *db = db_new(s_url, "dbtest", 5000);
    db_t *killer = db_new(s_url, "dbtest", 5000);
    assert_int_equal(db_set_session(db, "SELECT set_config('plan_cache_mode', "
                                        "'force_custom_plan', false), "
                                        "set_config('synchronous_commit', 'off', false)"),
                     0);
    PGresult *res = db_query(db, "SELECT pg_backend_pid()", 0, NULL);
    char old_pid[16];
    snprintf(old_pid, sizeof old_pid, "%s", PQgetvalue(res, 0, 0));
    PQclear(res);
    const char *pid[] = {old_pid};
    PGresult *killed = db_query(killer, "SELECT pg_terminate_backend($1::int)", 1, pid);
    assert_non_null(killed);
    PQclear(killed);
    res = db_query(db,
                   "SELECT current_setting('plan_cache_mode'), "
                   "current_setting('synchronous_commit'), pg_backend_pid()::text <> $1",
                   1, pid);
    assert_non_null(res);
    assert_string_equal(PQgetvalue(res, 0, 2), "t"); /* a new session */
    assert_string_equal(PQgetvalue(res, 0, 0), "force_custom_plan");
    assert_string_equal(PQgetvalue(res, 0, 1), "off");
    PQclear(res);
    db_destroy(&db);
    db_destroy(&killer);
}

/* A session's days are Oslo's, whatever the server's time zone (the test
 * cluster's is UTC): between 23 and 24 UTC in winter current_date is
 * already tomorrow in Oslo, and a deadline due "today" is Oslo's today. */
static void test_a_sessions_days_are_oslos(void **state)
{
    db_t *db = db_new(s_url, "dbtest", 5000);
    PGresult *res = db_query(db,
                             "SELECT current_setting('TimeZone'), current_date = (now() AT TIME "
                             "ZONE 'Europe/Oslo')::date, '2026-12-01 23:30:00+00'::timestamptz"
                             "::date::text",
                             0, NULL);
    assert_non_null(res);
    assert_string_equal(PQgetvalue(res, 0, 0), "Europe/Oslo");
    assert_string_equal(PQgetvalue(res, 0, 1), "t");
    assert_string_equal(PQgetvalue(res, 0, 2), "2026-12-02");
    PQclear(res);
    db_destroy(&db);
}

/* A connection lost inside a transaction fails its COMMIT: the work is gone,
 * and the caller must hear so (a COMMIT retried on a new connection would
 * report success with nothing committed). */
/* A statement that fails because the connection was lost inside a
 * transaction leaves the transaction lost, not ended: the statements after
 * it fail too, and so does its COMMIT, until it is rolled back. They must
 * not run on a new connection, each committing on its own (the follower
 * of notify wrote its offset past events whose rows had gone with the old
 * session, when PostgreSQL restarted between two of its statements). */
static void test_a_transaction_lost_with_its_connection_stays_lost(void **state)
{
    db_t *db = db_new(s_url, "dbtest", 5000);
    db_t *killer = db_new(s_url, "dbtest", 5000);
    assert_int_equal(db_begin(db), 0);
    PGresult *res = db_query(
        db, "INSERT INTO things (id, name) VALUES (80, 'x') RETURNING pg_backend_pid()", 0, NULL);
    assert_non_null(res);
    char old_pid[16];
    snprintf(old_pid, sizeof old_pid, "%s", PQgetvalue(res, 0, 0));
    PQclear(res);
    const char *pid[] = {old_pid};
    PGresult *killed = db_query(killer, "SELECT pg_terminate_backend($1::int)", 1, pid);
    assert_non_null(killed);
    PQclear(killed);
    /* the statement that meets the lost connection fails ... */
    res = db_query(db, "SELECT pg_notify('dbtest', 'x')", 0, NULL);
    assert_null(res);
    /* ... and so does every one after it, and the commit */
    res = db_query(db, "INSERT INTO things (id, name) VALUES (81, 'y')", 0, NULL);
    assert_null(res);
    assert_int_not_equal(db_commit(db), 0);
    assert_int_equal(s_count(killer, "SELECT count(*) FROM things WHERE id IN (80, 81)"), 0);
    /* rolled back, the connection is made again for the next work */
    db_rollback(db);
    assert_int_equal(db_begin(db), 0);
    res = db_query(db, "INSERT INTO things (id, name) VALUES (82, 'z')", 0, NULL);
    assert_non_null(res);
    PQclear(res);
    assert_int_equal(db_commit(db), 0);
    assert_int_equal(s_count(killer, "SELECT count(*) FROM things WHERE id = 82"), 1);
    db_destroy(&db);
    db_destroy(&killer);
}

static void test_commit_fails_when_the_connection_is_lost(void **state)
{
    db_t *db = db_new(s_url, "dbtest", 5000);
    db_t *killer = db_new(s_url, "dbtest", 5000);
    assert_int_equal(db_begin(db), 0);
    PGresult *res = db_query(
        db, "INSERT INTO things (id, name) VALUES (77, 'x') RETURNING pg_backend_pid()", 0, NULL);
    assert_non_null(res);
    const char *pid[] = {PQgetvalue(res, 0, 0)};
    PGresult *killed = db_query(killer, "SELECT pg_terminate_backend($1::int)", 1, pid);
    assert_non_null(killed);
    PQclear(killed);
    PQclear(res);
    assert_int_not_equal(db_commit(db), 0);
    assert_int_equal(s_count(db, "SELECT count(*) FROM things WHERE id = 77"), 0);
    db_destroy(&db);
    db_destroy(&killer);
}

static void test_errors_carry_sqlstate(void **state)
{
    db_t *db = db_new(s_url, "dbtest", 5000);
    const char *params[] = {"1", "dup"};
    PGresult *res = db_query(db, "INSERT INTO things (id, name) VALUES ($1, $2)", 2, params);
    assert_null(res);
    assert_string_equal(db_sqlstate(db), "23505");
    assert_non_null(strstr(db_error(db), "duplicate key"));
    db_destroy(&db);
}

int main(void)
{
    s_url = harness_database_url();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_migrations_apply_once),
        cmocka_unit_test(test_failed_migration_changes_nothing),
        cmocka_unit_test(test_outbox_follows_transaction),
        cmocka_unit_test(test_outbox_commit_is_one_unit),
        cmocka_unit_test(test_reconnects_after_connection_loss),
        cmocka_unit_test(test_session_settings_outlive_a_reconnection),
        cmocka_unit_test(test_a_sessions_days_are_oslos),
        cmocka_unit_test(test_commit_fails_when_the_connection_is_lost),
        cmocka_unit_test(test_a_transaction_lost_with_its_connection_stays_lost),
        cmocka_unit_test(test_errors_carry_sqlstate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
