/* The database module against a real PostgreSQL: migrations apply once and
 * in order, the outbox lives and dies with its transaction, a lost
 * connection is re-established, a statement is planned for the tables as
 * they are. */
#include "harness.h"
#include "samhand_db.h"
#include "samhand/v1/envelope.pb-c.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
    assert_int_equal(s_count(db, "SELECT count(*) FROM outbox_stream WHERE subject = 's2' AND "
                                 "type = 'no.samhand.test.done' AND published_seq IS NULL"),
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

/* An outbox made in `schema` by `create` (the table's definition), then
 * started on: the number of its indexes and whether `sequence` is its
 * primary key. */
static int s_outbox_indexes_after_start(const char *schema, const char *create, bool *keyed)
{
    db_t *db = db_new(s_url, schema, 5000);
    assert_non_null(db);
    char sql[600];
    snprintf(sql, sizeof sql, "CREATE SCHEMA %s", schema);
    PGresult *res = db_query(db, sql, 0, NULL);
    assert_non_null(res);
    PQclear(res);
    snprintf(sql, sizeof sql, "CREATE TABLE %s.outbox (%s)", schema, create);
    res = db_query(db, sql, 0, NULL);
    assert_non_null(res);
    PQclear(res);
    assert_int_equal(db_migrate(db, s_migrations, 1), 1);
    int n = s_count(db, "SELECT count(*) FROM pg_indexes WHERE schemaname = current_schema() "
                        "AND tablename = 'outbox'");
    *keyed = s_count(db, "SELECT count(*) FROM pg_constraint c JOIN pg_attribute a ON "
                         "a.attrelid = c.conrelid AND a.attnum = c.conkey[1] WHERE c.conrelid = "
                         "'outbox'::regclass AND c.contype = 'p' AND a.attname = 'sequence'") == 1;
    db_destroy(&db);
    return n;
}

/* Every index on the outbox is paid by each write: it keeps its rows by
 * sequence (its primary key) and, for the rows numbered before the marks,
 * by their number. An outbox made when it kept four (a unique id, the
 * unpublished, the published by number), or made without its primary key,
 * has the same two after the next start. */
static void test_the_outbox_keeps_two_indexes(void **state)
{
    bool keyed = false;
    assert_int_equal(
        s_outbox_indexes_after_start(
            "dbold",
            "sequence bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, "
            "id uuid NOT NULL DEFAULT gen_random_uuid() UNIQUE, type text NOT NULL, subject "
            "text NOT NULL, event bytea NOT NULL, created_at timestamptz NOT NULL DEFAULT now(), "
            "published_at timestamptz",
            &keyed),
        2);
    assert_true(keyed);
    keyed = false;
    assert_int_equal(s_outbox_indexes_after_start(
                         "dbunkeyed",
                         "sequence bigint GENERATED ALWAYS AS IDENTITY, id uuid NOT NULL DEFAULT "
                         "gen_random_uuid(), type text NOT NULL, subject text NOT NULL, event "
                         "bytea NOT NULL, created_at timestamptz NOT NULL DEFAULT now(), "
                         "published_at timestamptz, published_seq bigint UNIQUE",
                         &keyed),
                     2);
    assert_true(keyed);
    db_t *db = db_new(s_url, "dbtest", 5000);
    assert_int_equal(db_migrate(db, s_migrations, 2), 2);
    assert_int_equal(s_count(db, "SELECT count(*) FROM pg_indexes WHERE schemaname = "
                                 "current_schema() AND tablename = 'outbox'"),
                     2);
    db_destroy(&db);
}

/* An outbox whose relay numbered rows one by one after an earlier build of
 * the marks had left marks behind: the start numbers what is unpublished
 * on from the rows' numbers and marks the end of them, so the stream goes
 * on from its last number, once each (not from the old mark, again). */
static void test_marks_left_behind_are_passed_at_the_start(void **state)
{
    db_t *db = db_new(s_url, "dbstale", 5000);
    assert_non_null(db);
    const char *setup[] = {
        "CREATE SCHEMA dbstale",
        "CREATE TABLE dbstale.outbox (sequence bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, "
        "id uuid NOT NULL DEFAULT gen_random_uuid(), type text NOT NULL, subject text NOT NULL, "
        "event bytea NOT NULL, created_at timestamptz NOT NULL DEFAULT now(), "
        "published_at timestamptz, published_seq bigint)",
        "CREATE TABLE dbstale.outbox_marks (published bigint PRIMARY KEY, sequence bigint NOT "
        "NULL, published_at timestamptz NOT NULL DEFAULT now())",
        "INSERT INTO dbstale.outbox_marks VALUES (5, 5)",
        "INSERT INTO dbstale.outbox (type, subject, event, published_at, published_seq) SELECT "
        "'t', 's', '\\x00', now(), g FROM generate_series(1, 8) g",
        "INSERT INTO dbstale.outbox (type, subject, event) SELECT 't', 's', '\\x00' FROM "
        "generate_series(1, 2)"};
    for (size_t i = 0; i < sizeof setup / sizeof *setup; i++) {
        PGresult *res = db_query(db, setup[i], 0, NULL);
        assert_non_null(res);
        PQclear(res);
    }
    assert_int_equal(db_migrate(db, s_migrations, 1), 1);
    assert_int_equal(s_count(db, "SELECT published FROM outbox_marks ORDER BY published DESC "
                                 "LIMIT 1"),
                     10);
    assert_int_equal(s_count(db, "SELECT count(DISTINCT published_seq) FILTER (WHERE "
                                 "published_seq BETWEEN 1 AND 10) FROM outbox_stream"),
                     10);
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
    /* a transaction of an event alone goes in one round trip, BEGIN to
     * COMMIT; lost with its connection, it is not sent again on another
     * (the first may have committed: the event would be there twice) */
    Samhand__V1__HealthResponse data = SAMHAND__V1__HEALTH_RESPONSE__INIT;
    res = db_query(db, "SELECT pg_backend_pid()", 0, NULL);
    const char *again[] = {PQgetvalue(res, 0, 0)};
    assert_int_equal(db_begin(db), 0);
    assert_int_equal(db_outbox_append(db, "no.samhand.test.done", "lost", NULL, NULL, &data.base),
                     0);
    PQclear(db_query(killer, "SELECT pg_terminate_backend($1::int)", 1, again));
    PQclear(res);
    usleep(100 * 1000); /* the backend gone */
    assert_int_not_equal(db_commit(db), 0);
    assert_int_equal(s_count(db, "SELECT count(*) FROM outbox WHERE subject = 'lost'"), 0);
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

/* What a failure says (and so the logs) names the constraint, never the
 * row's values: PostgreSQL's DETAIL quotes them ("Key (name)=(…) already
 * exists"), a person's name or a party's data. */
static void test_errors_quote_no_values(void **state)
{
    db_t *db = db_new(s_url, "dbtest", 5000);
    PGresult *res = db_query(
        db, "CREATE UNIQUE INDEX IF NOT EXISTS things_name ON things (name) WHERE id IN (71, 72)",
        0, NULL);
    assert_non_null(res);
    PQclear(res);
    const char *first[] = {"71", "Kari Nordmann"}, *again[] = {"72", "Kari Nordmann"};
    PQclear(db_query(db, "INSERT INTO things (id, name) VALUES ($1, $2)", 2, first));
    res = db_query(db, "INSERT INTO things (id, name) VALUES ($1, $2)", 2, again);
    assert_null(res);
    assert_string_equal(db_sqlstate(db), "23505");
    assert_non_null(strstr(db_error(db), "things_name"));
    assert_null(strstr(db_error(db), "Kari"));
    PQclear(db_query(db, "DROP INDEX things_name", 0, NULL));
    db_destroy(&db);
}

/* How many scans of `table` of `kind` ("seq_scan") this connection's
 * transaction has made. */
static int s_scans(db_t *db, const char *table, const char *kind)
{
    char sql[160];
    snprintf(sql, sizeof sql, "SELECT %s FROM pg_stat_xact_user_tables WHERE relname = '%s'", kind,
             table);
    return s_count(db, sql);
}

/* A statement without parameters is planned for its tables as they are
 * when it runs, not kept from its first run: made while a table was small
 * (a scan of its page), its plan would scan the table whole once it had
 * grown, where its index reads a few rows. */
static void test_a_statement_without_parameters_is_planned_for_the_table_now(void **state)
{
    db_t *db = db_new(s_url, "dbtest", 5000);
    assert_non_null(db);
    PQclear(db_query(db, "CREATE TABLE grows (id int PRIMARY KEY, k int NOT NULL)", 0, NULL));
    PQclear(db_query(db, "CREATE INDEX grows_k ON grows (k)", 0, NULL));
    PQclear(db_query(db, "INSERT INTO grows SELECT i, i FROM generate_series(1, 10) i", 0, NULL));
    PQclear(db_query(db, "ANALYZE grows", 0, NULL));
    static const char *const look = "SELECT count(*) FROM grows WHERE k = 7";
    /* the scans this connection has counted, before the look and after,
     * in one transaction (the counts are not handed on within one) */
    assert_int_equal(db_begin(db), 0);
    int seq = s_scans(db, "grows", "seq_scan"), idx = s_scans(db, "grows", "idx_scan");
    assert_int_equal(s_count(db, look), 1); /* one page: read whole */
    assert_int_equal(s_scans(db, "grows", "seq_scan"), seq + 1);
    assert_int_equal(db_commit(db), 0);
    PQclear(
        db_query(db, "INSERT INTO grows SELECT i, i FROM generate_series(11, 100000) i", 0, NULL));
    assert_int_equal(db_begin(db), 0);
    seq = s_scans(db, "grows", "seq_scan");
    idx = s_scans(db, "grows", "idx_scan");
    assert_int_equal(s_count(db, look), 1);
    assert_int_equal(s_scans(db, "grows", "seq_scan"), seq);
    assert_int_equal(s_scans(db, "grows", "idx_scan"), idx + 1);
    assert_int_equal(db_commit(db), 0);
    PQclear(db_query(db, "DROP TABLE grows", 0, NULL));
    db_destroy(&db);
}

/* A prepared statement is planned anew as its uses grow, for its tables as
 * they are then: its generic plan, made while a table was small (a scan of
 * its page), would scan the table whole once it had grown, where its index
 * reads a few rows, until an ANALYZE happened to come. */
static void test_a_prepared_statement_is_planned_anew_as_its_tables_grow(void **state)
{
    db_t *db = db_new(s_url, "dbtest", 5000);
    assert_non_null(db);
    PQclear(
        db_query(db, "CREATE TABLE grows_by_use (id int PRIMARY KEY, k int NOT NULL)", 0, NULL));
    PQclear(db_query(db, "CREATE INDEX grows_by_use_k ON grows_by_use (k)", 0, NULL));
    PQclear(db_query(db, "INSERT INTO grows_by_use SELECT i, i FROM generate_series(1, 10) i", 0,
                     NULL));
    PQclear(db_query(db, "ANALYZE grows_by_use", 0, NULL));
    static const char *const look = "SELECT count(*) FROM grows_by_use WHERE k = $1";
    const char *seven[] = {"7"};
    /* its first uses: planned once generic, for one page, read whole */
    for (int i = 0; i < 10; i++) {
        PGresult *res = db_query(db, look, 1, seven);
        assert_non_null(res);
        PQclear(res);
    }
    assert_int_equal(db_begin(db), 0);
    int seq = s_scans(db, "grows_by_use", "seq_scan");
    PQclear(db_query(db, look, 1, seven));
    assert_int_equal(s_scans(db, "grows_by_use", "seq_scan"), seq + 1);
    assert_int_equal(db_commit(db), 0);
    /* the table grows, no ANALYZE comes; the statement goes on being used */
    PQclear(db_query(db, "INSERT INTO grows_by_use SELECT i, i FROM generate_series(11, 100000) i",
                     0, NULL));
    for (int i = 0; i < 60; i++)
        PQclear(db_query(db, look, 1, seven));
    assert_int_equal(db_begin(db), 0);
    seq = s_scans(db, "grows_by_use", "seq_scan");
    int idx = s_scans(db, "grows_by_use", "idx_scan");
    PGresult *res = db_query(db, look, 1, seven);
    assert_non_null(res);
    assert_string_equal(PQgetvalue(res, 0, 0), "1");
    PQclear(res);
    assert_int_equal(s_scans(db, "grows_by_use", "seq_scan"), seq);
    assert_int_equal(s_scans(db, "grows_by_use", "idx_scan"), idx + 1);
    assert_int_equal(db_commit(db), 0);
    PQclear(db_query(db, "DROP TABLE grows_by_use", 0, NULL));
    db_destroy(&db);
}

/* Statements sent together (db_query_each) each give their own result, in
 * order, each seeing what those before it did, with the BEGIN not yet
 * sent; one failing gives none of them, its error, and the transaction to
 * roll back; a connection lost before them is made again. */
static void test_statements_sent_together_answer_each(void **state)
{
    db_t *db = db_new(s_url, "dbtest", 5000);
    assert_non_null(db);
    const char *id[] = {"41"}, *name[] = {"41", "together"};
    const db_statement_t write_and_read[] = {
        {"INSERT INTO things (id, name) VALUES ($1, $2)", 2, name},
        {"SELECT name FROM things WHERE id = $1", 1, id},
        {"SELECT count(*) FROM things WHERE id >= $1::int - 40", 1, id}};
    PGresult *res[3];
    assert_int_equal(db_begin(db), 0);
    assert_int_equal(db_query_each(db, write_and_read, 3, res), 0);
    assert_int_equal(PQresultStatus(res[0]), PGRES_COMMAND_OK);
    assert_string_equal(PQgetvalue(res[1], 0, 0), "together");
    int before = atoi(PQgetvalue(res[2], 0, 0));
    for (int i = 0; i < 3; i++)
        PQclear(res[i]);
    db_rollback(db); /* the BEGIN went with them: nothing stays */
    assert_int_equal(s_count(db, "SELECT count(*) FROM things WHERE id = 41"), 0);
    assert_true(before >= 1);

    const char *one[] = {"1", "dup"};
    const db_statement_t failing[] = {{"SELECT name FROM things WHERE id = $1", 1, id},
                                      {"INSERT INTO things (id, name) VALUES ($1, $2)", 2, one},
                                      {"SELECT name FROM things WHERE id = $1", 1, id}};
    assert_int_equal(db_begin(db), 0);
    res[0] = res[1] = res[2] = (PGresult *)1;
    assert_int_equal(db_query_each(db, failing, 3, res), -1);
    for (int i = 0; i < 3; i++)
        assert_null(res[i]);
    assert_string_equal(db_sqlstate(db), "23505");
    db_rollback(db);
    assert_int_equal(s_count(db, "SELECT count(*) FROM things WHERE id = 1"), 1);

    db_t *killer = db_new(s_url, "dbtest", 5000);
    PGresult *pid = db_query(db, "SELECT pg_backend_pid()", 0, NULL);
    const char *pids[] = {PQgetvalue(pid, 0, 0)};
    PQclear(db_query(killer, "SELECT pg_terminate_backend($1::int)", 1, pids));
    PQclear(pid);
    const db_statement_t reads[] = {
        {"SELECT name FROM things WHERE id = $1", 1, (const char *[]){"1"}},
        {"SELECT count(*) FROM things WHERE id = $1", 1, id}};
    assert_int_equal(db_query_each(db, reads, 2, res), 0);
    assert_string_equal(PQgetvalue(res[0], 0, 0), "a");
    assert_string_equal(PQgetvalue(res[1], 0, 0), "0");
    PQclear(res[0]);
    PQclear(res[1]);
    db_destroy(&killer);
    db_destroy(&db);
}

/* An event appended in a transaction has no round trip of its own: its
 * insert travels with the transaction's next statement, or its COMMIT.
 * Seen from the database: a trigger that refuses it answers the statement
 * after the append (or the commit), which then fails with the refusal's
 * error; the transaction leaves nothing, and the connection works on. */
static void test_an_event_travels_with_the_next_statement(void **state)
{
    db_t *db = db_new(s_url, "dbtest", 5000);
    Samhand__V1__HealthResponse data = SAMHAND__V1__HEALTH_RESPONSE__INIT;
    PQclear(db_query(db,
                     "CREATE FUNCTION refuse_event() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN "
                     "IF NEW.subject = 'refused' THEN RAISE EXCEPTION 'refused event'; END IF; "
                     "RETURN NEW; END$$",
                     0, NULL));
    PQclear(db_query(db,
                     "CREATE TRIGGER refuse_event BEFORE INSERT ON outbox FOR EACH ROW "
                     "EXECUTE FUNCTION refuse_event()",
                     0, NULL));
    /* seen by the next statement of its transaction, gone with a rollback */
    assert_int_equal(db_begin(db), 0);
    assert_int_equal(db_outbox_append(db, "no.samhand.test.done", "kept", NULL, NULL, &data.base),
                     0);
    assert_int_equal(s_count(db, "SELECT count(*) FROM outbox WHERE subject = 'kept'"), 1);
    db_rollback(db);
    assert_int_equal(s_count(db, "SELECT count(*) FROM outbox WHERE subject = 'kept'"), 0);
    /* refused: the append has not been answered yet; the next statement is */
    assert_int_equal(db_begin(db), 0);
    assert_int_equal(
        db_outbox_append(db, "no.samhand.test.done", "refused", NULL, NULL, &data.base), 0);
    const char *twelve[] = {"12"};
    PGresult *res = db_query(db, "SELECT count(*) FROM things WHERE id = $1", 1, twelve);
    assert_null(res);
    assert_string_equal(db_sqlstate(db), "P0001");
    assert_non_null(strstr(db_error(db), "refused event"));
    db_rollback(db);
    /* ... or the commit, which fails and leaves nothing of the transaction */
    const char *row[] = {"12", "twelve"};
    assert_int_equal(db_begin(db), 0);
    PQclear(db_query(db, "INSERT INTO things (id, name) VALUES ($1, $2)", 2, row));
    assert_int_equal(
        db_outbox_append(db, "no.samhand.test.done", "refused", NULL, NULL, &data.base), 0);
    assert_int_equal(db_commit(db), -1);
    assert_string_equal(db_sqlstate(db), "P0001");
    assert_int_equal(s_count(db, "SELECT count(*) FROM things WHERE id = 12"), 0);
    /* a transaction of the event alone, committed with it */
    assert_int_equal(db_begin(db), 0);
    assert_int_equal(db_outbox_append(db, "no.samhand.test.done", "alone", NULL, NULL, &data.base),
                     0);
    assert_int_equal(db_commit(db), 0);
    assert_int_equal(s_count(db, "SELECT count(*) FROM outbox WHERE subject = 'alone'"), 1);
    PQclear(db_query(db, "DROP TRIGGER refuse_event ON outbox", 0, NULL));
    PQclear(db_query(db, "DROP FUNCTION refuse_event()", 0, NULL));
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
        cmocka_unit_test(test_the_outbox_keeps_two_indexes),
        cmocka_unit_test(test_marks_left_behind_are_passed_at_the_start),
        cmocka_unit_test(test_reconnects_after_connection_loss),
        cmocka_unit_test(test_session_settings_outlive_a_reconnection),
        cmocka_unit_test(test_a_sessions_days_are_oslos),
        cmocka_unit_test(test_commit_fails_when_the_connection_is_lost),
        cmocka_unit_test(test_a_transaction_lost_with_its_connection_stays_lost),
        cmocka_unit_test(test_errors_carry_sqlstate),
        cmocka_unit_test(test_errors_quote_no_values),
        cmocka_unit_test(test_a_statement_without_parameters_is_planned_for_the_table_now),
        cmocka_unit_test(test_a_prepared_statement_is_planned_anew_as_its_tables_grow),
        cmocka_unit_test(test_statements_sent_together_answer_each),
        cmocka_unit_test(test_an_event_travels_with_the_next_statement),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
