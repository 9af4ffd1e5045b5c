/* The claim of webhook deliveries (notify_store_claim) against a real
 * PostgreSQL, with claims at once as two notify replicas make them: no two
 * claims take from one subscription at once, so its deliveries go out one
 * after the other, in its counter's order; a claim in progress holds up
 * neither the other subscriptions nor the fan-out. */
#include "harness.h"
#include "notify_server.h"
#include "notify_store.h"
#include "samhand_db.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *s_url;

static db_t *s_connect(void)
{
    db_t *db = db_new(s_url, "notify", 5000);
    assert_non_null(db);
    return db;
}

/* The first column of the first row as a number; -1 when none. */
static long long s_number(db_t *db, const char *sql, int n, const char *const *params)
{
    PGresult *res = db_query(db, sql, n, params);
    long long v = res && PQntuples(res) > 0 && !PQgetisnull(res, 0, 0)
                      ? strtoll(PQgetvalue(res, 0, 0), NULL, 10)
                      : -1;
    if (!res)
        print_error("%s: %s\n", sql, db_error(db));
    PQclear(res);
    return v;
}

static void s_exec(db_t *db, const char *sql, int n, const char *const *params)
{
    PGresult *res = db_query(db, sql, n, params);
    if (!res)
        fail_msg("%s: %s", sql, db_error(db));
    PQclear(res);
}

/* A subscription the senders may send to; its id into `id`. */
static void s_subscription(db_t *db, char id[40])
{
    PGresult *res = db_query(db,
                             "INSERT INTO subscriptions (owner_subject, url, verified_url, "
                             "secret_sealed) VALUES ('test', 'http://127.0.0.1:9/hook', "
                             "'http://127.0.0.1:9/hook', 'sealed') RETURNING id",
                             0, NULL);
    assert_non_null(res);
    snprintf(id, 40, "%s", PQgetvalue(res, 0, 0));
    PQclear(res);
}

/* An event and its pending delivery to `subscription`, number `number` of
 * its counter, due now. */
static void s_delivery(db_t *db, const char *subscription, int number)
{
    char text[16];
    snprintf(text, sizeof text, "%d", number);
    const char *params[] = {subscription, text};
    s_exec(db,
           "WITH e AS (INSERT INTO events (id, source, source_sequence, type, subject, event) "
           "VALUES (gen_random_uuid(), 'agenda', $2::bigint, 'no.samhand.committee.created', "
           "'c', '\\x00'::bytea) RETURNING seq) INSERT INTO deliveries (subscription_id, "
           "event_seq, subscription_sequence) SELECT $1::uuid, seq, $2::bigint FROM e",
           2, params);
}

/* A claim on a thread of its own (it blocks its thread while the database
 * makes it wait), as another replica's. */
typedef struct {
    db_t *db;
    long long pid;
    pthread_t thread;
    atomic_bool done;
    int n;
    notify_claimed_t *rows;
} s_claim_t;

static void *s_claim_run(void *arg)
{
    s_claim_t *c = arg;
    c->rows = notify_store_claim(c->db, 10, 10, &c->n);
    atomic_store(&c->done, true);
    return NULL;
}

static void s_claim_start(s_claim_t *c)
{
    c->db = s_connect();
    c->pid = s_number(c->db, "SELECT pg_backend_pid()", 0, NULL);
    atomic_store(&c->done, false);
    assert_int_equal(pthread_create(&c->thread, NULL, s_claim_run, c), 0);
}

/* Until the claim has ended or waits for a lock (5 s at most); true when
 * it waits. */
static bool s_claim_waits(db_t *watch, s_claim_t *c)
{
    char pid[24];
    snprintf(pid, sizeof pid, "%lld", c->pid);
    const char *params[] = {pid};
    for (int i = 0; i < 100; i++) {
        if (atomic_load(&c->done))
            return false;
        if (s_number(watch,
                     "SELECT count(*) FROM pg_stat_activity WHERE pid = $1::int AND "
                     "wait_event_type = 'Lock'",
                     1, params) == 1)
            return true;
        usleep(50 * 1000);
    }
    fail_msg("the claim neither ended nor waited for a lock within 5 s");
    return false;
}

static void s_claim_join(s_claim_t *c)
{
    pthread_join(c->thread, NULL);
}

static void s_claim_end(s_claim_t *c)
{
    notify_claimed_free(c->rows, c->n);
    db_destroy(&c->db);
}

static int s_setup(void **state)
{
    (void)state;
    s_url = harness_database_url();
    db_t *db = s_connect();
    assert_true(db_migrate(db, notify_migrations, notify_migrations_count) > 0);
    db_destroy(&db);
    return 0;
}

static int s_reset(void **state)
{
    (void)state;
    db_t *db = s_connect();
    s_exec(db, "TRUNCATE subscriptions, deliveries, events CASCADE", 0, NULL);
    db_destroy(&db);
    return 0;
}

/* Replica A's claim reads the subscription's first delivery and is held
 * up leasing it (a lock the test holds on the row); the second delivery
 * comes; replica B's claim then reads both. Before, B's statement waited
 * behind A on the first row, found it leased when A committed, passed over
 * it and leased the second: both replicas sent at once, the second before
 * the first. Now B passes over the subscription A is claiming from, and
 * gets the second only once the first is sent. */
static void test_a_subscription_is_claimed_from_by_one_claim_at_a_time(void **state)
{
    (void)state;
    db_t *db = s_connect();
    char sub[40];
    s_subscription(db, sub);
    s_delivery(db, sub, 1);

    db_t *holder = s_connect();
    assert_int_equal(db_begin(holder), 0);
    s_exec(holder, "SELECT 1 FROM deliveries WHERE subscription_sequence = 1 FOR UPDATE", 0, NULL);

    s_claim_t a = {0}, b = {0};
    s_claim_start(&a);
    assert_true(s_claim_waits(db, &a)); /* on the holder's lock of the first */
    s_delivery(db, sub, 2);
    s_claim_start(&b);
    bool b_waits = s_claim_waits(db, &b);
    db_rollback(holder);
    s_claim_join(&a);
    s_claim_join(&b);

    assert_int_equal(a.n, 1);
    assert_int_equal(a.rows[0].subscription_sequence, 1);
    if (b.n > 0)
        fail_msg("the second replica claimed delivery %lld while the first sent delivery 1 "
                 "(it %s for the first's claim)",
                 b.rows[0].subscription_sequence, b_waits ? "waited" : "did not wait");
    assert_int_equal(b.n, 0);
    assert_false(b_waits);

    /* the first still in flight (leased by A's live session): nothing */
    s_claim_end(&b);
    b.db = s_connect();
    b.rows = notify_store_claim(b.db, 10, 10, &b.n);
    assert_int_equal(b.n, 0);
    /* sent and recorded: the second goes, to whichever claims */
    s_exec(db,
           "UPDATE deliveries SET state = 'DELIVERED', delivered_at = now(), leased_by = NULL "
           "WHERE subscription_sequence = 1",
           0, NULL);
    b.rows = notify_store_claim(b.db, 10, 10, &b.n);
    assert_int_equal(b.n, 1);
    assert_int_equal(b.rows[0].subscription_sequence, 2);

    s_claim_end(&a);
    s_claim_end(&b);
    db_destroy(&holder);
    db_destroy(&db);
}

/* A claim in progress on one subscription (its row locked as a claim
 * locks it) holds up neither another replica's claim of the other
 * subscriptions nor the fan-out adding deliveries to it. */
static void test_a_claim_in_progress_holds_up_no_other_work(void **state)
{
    (void)state;
    db_t *db = s_connect();
    char busy[40], other[40];
    s_subscription(db, busy);
    s_subscription(db, other);
    s_delivery(db, busy, 1);
    s_delivery(db, other, 1);

    db_t *claiming = s_connect();
    assert_int_equal(db_begin(claiming), 0);
    const char *params[] = {busy};
    s_exec(claiming, "SELECT 1 FROM subscriptions WHERE id = $1::uuid FOR NO KEY UPDATE", 1,
           params);

    s_claim_t b = {0};
    s_claim_start(&b);
    assert_false(s_claim_waits(db, &b));
    s_claim_join(&b);
    assert_int_equal(b.n, 1);
    assert_string_equal(b.rows[0].subscription_id, other);

    /* the fan-out's insert goes on (a statement that waited would fail) */
    s_exec(db, "SET statement_timeout = '2s'", 0, NULL);
    s_delivery(db, busy, 2);
    s_exec(db, "RESET statement_timeout", 0, NULL);

    db_rollback(claiming);
    s_claim_end(&b);
    db_destroy(&claiming);
    db_destroy(&db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_a_subscription_is_claimed_from_by_one_claim_at_a_time, s_reset),
        cmocka_unit_test_setup(test_a_claim_in_progress_holds_up_no_other_work, s_reset),
    };
    return cmocka_run_group_tests(tests, s_setup, NULL);
}
