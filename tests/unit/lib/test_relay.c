/* The event stream of a service: committed outbox rows published in order
 * with contiguous sequence numbers, catch-up after a number over the
 * ROUTER, and a consumer that applies each event exactly once, also after
 * a restart and for what it missed while away. */
#include "harness.h"
#include "samhand_relay.h"
#include "samhand_fiber.h"
#include "samhand_log.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *s_url;
static char s_pub[64];
static bus_server_t *s_server;

static const bus_route_t s_routes[] = {{"", NULL, NULL}};
/* how many stops the parts' loops have passed on (relay_stop, consumer_stop) */
static atomic_int s_stops;

static void s_append(db_t *db, int n)
{
    for (int i = 0; i < n; i++) {
        Samhand__V1__HealthResponse data = SAMHAND__V1__HEALTH_RESPONSE__INIT;
        char subject[16];
        snprintf(subject, sizeof subject, "s%d", i);
        assert_int_equal(db_begin(db), 0);
        assert_int_equal(
            db_outbox_commit(db, "no.samhand.test.happened", subject, NULL, NULL, &data.base), 0);
    }
}

static int s_setup(void **state)
{
    db_t *db = db_new(s_url, "relaytest", 5000);
    assert_int_equal(db_migrate(db, NULL, 0), 0);
    db_t *sink = db_new(s_url, "sinktest", 5000);
    assert_int_equal(db_migrate(sink, NULL, 0), 0);
    PGresult *res = db_query(sink, "CREATE TABLE applied (sequence bigint PRIMARY KEY)", 0, NULL);
    PQclear(res);
    db_destroy(&sink);
    db_destroy(&db);
    snprintf(s_pub, sizeof s_pub, "tcp://127.0.0.1:%d", harness_free_port());
    bus_server_config_t config = {.name = "relaytest",
                                  .version = "test",
                                  .endpoints = "tcp://127.0.0.1:*",
                                  .database_url = s_url,
                                  .routes = s_routes,
                                  .n_routes = 0,
                                  .connections = 1};
    s_server = bus_server_new(&config);
    /* the source answers the catch-up as a service's relay has it do */
    static const bus_route_t events = {"relaytest.Events", &samhand__v1__events_request__descriptor,
                                       relay_handle_events};
    bus_server_route(s_server, &events);
    bus_server_start(s_server);
    return 0;
}

static int s_teardown(void **state)
{
    bus_server_destroy(&s_server);
    return 0;
}

/* A relay or a consumer runs as a fiber of a loop, borrowing the
 * connections of a bus server of its schema: here each on a thread of
 * its own, as a service's main thread would run it, until $TERM. */
typedef struct {
    const char *schema;
    bool is_consumer;
} s_part_t;

static int s_apply(db_t *db, const Samhand__V1__Event *event, void *arg);

static void s_stop_on_term(void *arg)
{
    zsock_t *pipe = ((void **)arg)[0];
    void *part = ((void **)arg)[1];
    bool is_consumer = ((void **)arg)[2] != NULL;
    fiber_wait(zsock_resolve(pipe), -1, ZMQ_POLLIN, -1);
    char *command = zstr_recv(pipe);
    zstr_free(&command);
    if (is_consumer)
        consumer_stop(part);
    else
        relay_stop(part);
    atomic_fetch_add(&s_stops, 1);
}

static void s_part_actor(zsock_t *pipe, void *args)
{
    const s_part_t *part = args;
    bus_server_config_t config = {.name = part->schema,
                                  .version = "test",
                                  .endpoints = "tcp://127.0.0.1:*",
                                  .database_url = s_url,
                                  .connections = 1};
    bus_server_t *server = bus_server_new(&config);
    assert_non_null(server);
    relay_t *relay = NULL;
    consumer_t *consumer = NULL;
    if (part->is_consumer)
        consumer = consumer_new(server, "relaytest", s_pub, bus_server_endpoint(s_server),
                                part->schema, s_apply, NULL, NULL);
    else
        relay = relay_new(server, part->schema, s_pub);
    void *stop[] = {pipe, part->is_consumer ? (void *)consumer : (void *)relay,
                    part->is_consumer ? (void *)1 : NULL};
    fiber_spawn(s_stop_on_term, stop);
    zsock_signal(pipe, 0);
    fiber_loop_run();
    consumer_destroy(&consumer);
    relay_destroy(&relay);
    bus_server_destroy(&server);
}

static zactor_t *s_relay_start(void)
{
    static const s_part_t part = {"relaytest", false};
    return zactor_new(s_part_actor, (void *)&part);
}

static zactor_t *s_consumer_start(void)
{
    static const s_part_t part = {"sinktest", true};
    return zactor_new(s_part_actor, (void *)&part);
}

static void test_published_in_order(void **state)
{
    zsock_t *sub = zsock_new_sub(s_pub, "");
    zactor_t *relay = s_relay_start();
    usleep(300 * 1000); /* let the subscription reach the publisher */
    db_t *db = db_new(s_url, "relaytest", 5000);
    s_append(db, 5);
    zsock_set_rcvtimeo(sub, 3000);
    for (int i = 1; i <= 5; i++) {
        char *type = zstr_recv(sub);
        assert_non_null(type);
        assert_string_equal(type, "no.samhand.test.happened");
        zstr_free(&type);
        zframe_t *frame = zframe_recv(sub);
        assert_non_null(frame);
        Samhand__V1__Event *event =
            samhand__v1__event__unpack(NULL, zframe_size(frame), zframe_data(frame));
        assert_int_equal(event->sequence, i);
        assert_int_equal(strlen(event->id), 36);
        samhand__v1__event__free_unpacked(event, NULL);
        zframe_destroy(&frame);
    }
    zactor_destroy(&relay);
    zsock_destroy(&sub);
    db_destroy(&db);
}

static void test_catch_up_after_a_number(void **state)
{
    bus_client_t *client = bus_client_new(bus_server_endpoint(s_server));
    Samhand__V1__EventsRequest req = SAMHAND__V1__EVENTS_REQUEST__INIT;
    req.after_sequence = 2;
    Samhand__V1__Envelope *reply = bus_client_call(client, "relaytest.Events", &req.base, 3000);
    assert_non_null(reply);
    Samhand__V1__EventsResponse *events =
        samhand__v1__events_response__unpack(NULL, reply->body.len, reply->body.data);
    assert_int_equal(events->n_events, 3);
    assert_int_equal(events->last_sequence, 5);
    Samhand__V1__Event *third =
        samhand__v1__event__unpack(NULL, events->events[0].len, events->events[0].data);
    assert_int_equal(third->sequence, 3);
    samhand__v1__event__free_unpacked(third, NULL);
    samhand__v1__events_response__free_unpacked(events, NULL);
    samhand__v1__envelope__free_unpacked(reply, NULL);
    bus_client_destroy(&client);
}

/* while set, every event fails to apply, as with a database away */
static atomic_bool s_apply_refuses;

/* while above 0, the event of this number fails to apply */
static atomic_llong s_apply_refuses_one;

/* inserts the sink refused: an event applied twice (its key) */
static atomic_int s_apply_failed;

static int s_apply(db_t *db, const Samhand__V1__Event *event, void *arg)
{
    if (atomic_load(&s_apply_refuses) || event->sequence == atomic_load(&s_apply_refuses_one))
        return -1;
    char seq[24];
    snprintf(seq, sizeof seq, "%lld", (long long)event->sequence);
    const char *params[] = {seq};
    PGresult *res = db_query(db, "INSERT INTO applied (sequence) VALUES ($1)", 1, params);
    PQclear(res);
    if (!res)
        atomic_fetch_add(&s_apply_failed, 1);
    return res ? 0 : -1;
}

static long s_applied(void)
{
    db_t *db = db_new(s_url, "sinktest", 5000);
    PGresult *res = db_query(db, "SELECT count(*) FROM applied", 0, NULL);
    long n = atol(PQgetvalue(res, 0, 0));
    PQclear(res);
    db_destroy(&db);
    return n;
}

static long s_wait_applied(long wanted)
{
    long n = 0;
    for (int i = 0; i < 100 && n < wanted; i++) {
        n = s_applied();
        if (n < wanted)
            usleep(100 * 1000);
    }
    return n;
}

static void test_consumer_applies_each_once(void **state)
{
    /* the 5 published so far come by catch-up */
    zactor_t *relay = s_relay_start();
    zactor_t *consumer = s_consumer_start();
    assert_int_equal(s_wait_applied(5), 5);
    /* new ones come over the subscription */
    db_t *db = db_new(s_url, "relaytest", 5000);
    s_append(db, 3);
    assert_int_equal(s_wait_applied(8), 8);
    /* away for a while: what happened meanwhile is caught up, nothing twice */
    zactor_destroy(&consumer);
    s_append(db, 4);
    usleep(200 * 1000);
    consumer = s_consumer_start();
    assert_int_equal(s_wait_applied(12), 12);
    usleep(1500 * 1000); /* the catch-up a second after the last passes: still 12 */
    assert_int_equal(s_applied(), 12);
    zactor_destroy(&consumer);
    zactor_destroy(&relay);
    db_destroy(&db);
}

/* The last event of a burst that could not be applied, on arrival nor in
 * the catch-up a second later, is applied once it can be, with nothing
 * more coming from the source to show the gap. */
static void test_failed_catch_up_is_tried_again(void **state)
{
    /* a port of its own: the last test's relay may not have let go of its
     * publisher's yet */
    snprintf(s_pub, sizeof s_pub, "tcp://127.0.0.1:%d", harness_free_port());
    zactor_t *relay = s_relay_start();
    zactor_t *consumer = s_consumer_start();
    long before = s_wait_applied(12);
    assert_int_equal(before, 12);
    atomic_store(&s_apply_refuses, true);
    db_t *db = db_new(s_url, "relaytest", 5000);
    s_append(db, 1);
    usleep(2500 * 1000); /* the arrival and the catch-up after a second fail */
    assert_int_equal(s_applied(), 12);
    atomic_store(&s_apply_refuses, false);
    assert_int_equal(s_wait_applied(13), 13);
    zactor_destroy(&consumer);
    zactor_destroy(&relay);
    db_destroy(&db);
}

/* One number a statement gives, or -1. */
static long long s_number(db_t *db, const char *sql, const char *param)
{
    const char *params[] = {param};
    PGresult *res = db_query(db, sql, param ? 1 : 0, params);
    long long n = res && PQntuples(res) > 0 && !PQgetisnull(res, 0, 0)
                      ? strtoll(PQgetvalue(res, 0, 0), NULL, 10)
                      : -1;
    PQclear(res);
    return n;
}

/* The backend that waits for a lock `holder` holds, waiting on a lock of
 * the kind `wait_event` ("advisory", "relation"); 0 when none does so
 * within 5 s. */
static long long s_blocked_by(db_t *holder, const char *wait_event)
{
    db_t *watch = db_new(s_url, "relaytest", 5000);
    char holder_pid[24];
    snprintf(holder_pid, sizeof holder_pid, "%lld",
             s_number(holder, "SELECT pg_backend_pid()", NULL));
    const char *params[] = {holder_pid, wait_event};
    long long pid = 0;
    for (int i = 0; i < 100 && pid == 0; i++) {
        PGresult *res = db_query(watch,
                                 "SELECT pid FROM pg_stat_activity WHERE $1::int = "
                                 "ANY(pg_blocking_pids(pid)) AND wait_event = $2",
                                 2, params);
        pid = res && PQntuples(res) == 1 ? strtoll(PQgetvalue(res, 0, 0), NULL, 10) : 0;
        PQclear(res);
        if (pid == 0)
            usleep(50 * 1000);
    }
    db_destroy(&watch);
    return pid;
}

/* 0 when a statement without parameters succeeds. */
static int s_exec(db_t *db, const char *sql)
{
    PGresult *res = db_query(db, sql, 0, NULL);
    PQclear(res);
    return res ? 0 : -1;
}

#define RELAY_LOCK "SELECT pg_advisory_lock(hashtext('samhand.relay.relaytest'))"
#define RELAY_UNLOCK "SELECT pg_advisory_unlock(hashtext('samhand.relay.relaytest'))"

/* The next event on `sub` within `timeout_ms`: its sequence (or -1) and,
 * when `subject` is given, its subject into it. */
static long long s_next_event(zsock_t *sub, int timeout_ms, char *subject, size_t size)
{
    if (subject)
        subject[0] = '\0';
    zsock_set_rcvtimeo(sub, timeout_ms);
    zmsg_t *msg = zmsg_recv(sub);
    if (!msg)
        return -1;
    zframe_t *body = zmsg_last(msg);
    Samhand__V1__Event *event =
        body ? samhand__v1__event__unpack(NULL, zframe_size(body), zframe_data(body)) : NULL;
    long long sequence = event ? event->sequence : -1;
    if (event && subject)
        snprintf(subject, size, "%s", event->subject);
    if (event)
        samhand__v1__event__free_unpacked(event, NULL);
    zmsg_destroy(&msg);
    return sequence;
}

/* The next event's sequence, or -1. */
static long long s_next_sequence(zsock_t *sub, int timeout_ms)
{
    return s_next_event(sub, timeout_ms, NULL, 0);
}

/* Transactions commit in another order than they took their outbox rows'
 * sequences: the row of the one still open is not passed over by the
 * numbering when a later row commits; the later waits, and both are
 * published in the order of their sequences, numbered without a gap. */
static void test_a_later_row_waits_for_an_earlier_transaction(void **state)
{
    zsock_t *sub = zsock_new_sub(s_pub, "");
    zactor_t *relay = s_relay_start();
    usleep(300 * 1000); /* let the subscription reach the publisher */
    db_t *early = db_new(s_url, "relaytest", 5000);
    db_t *late = db_new(s_url, "relaytest", 5000);
    long long last =
        s_number(late, "SELECT coalesce(max(published_seq), 0) FROM outbox_stream", NULL);
    Samhand__V1__HealthResponse data = SAMHAND__V1__HEALTH_RESPONSE__INIT;
    /* the later row's transaction has the older id: when it ends, the
     * earlier row's (the newest id) is above every snapshot's xmax and so
     * in no snapshot's list of those in progress */
    assert_int_equal(db_begin(late), 0);
    assert_true(s_number(late, "SELECT pg_current_xact_id()::text::bigint", NULL) > 0);
    assert_int_equal(db_begin(early), 0);
    assert_int_equal(
        db_outbox_append(early, "no.samhand.test.happened", "early", NULL, NULL, &data.base), 0);
    /* the row goes with the transaction's next statement */
    assert_true(s_number(early, "SELECT count(*) FROM outbox WHERE subject = 'early'", NULL) > 0);
    assert_int_equal(
        db_outbox_commit(late, "no.samhand.test.happened", "late", NULL, NULL, &data.base), 0);
    /* nothing while the earlier row's transaction is open */
    char subject[3][32];
    long long before = s_next_event(sub, 500, subject[0], sizeof subject[0]);
    assert_int_equal(db_commit(early), 0);
    long long first = s_next_event(sub, 3000, subject[1], sizeof subject[1]);
    long long second = s_next_event(sub, 3000, subject[2], sizeof subject[2]);
    zactor_destroy(&relay);
    zsock_destroy(&sub);
    db_destroy(&late);
    db_destroy(&early);
    assert_int_equal(before, -1);
    assert_int_equal(first, last + 1);
    assert_string_equal(subject[1], "early");
    assert_int_equal(second, last + 2);
    assert_string_equal(subject[2], "late");
}

/* A transaction left open that writes no event (another service's, say)
 * does not hold the stream back: what commits meanwhile is published. */
static void test_an_open_transaction_elsewhere_holds_nothing_back(void **state)
{
    zsock_t *sub = zsock_new_sub(s_pub, "");
    zactor_t *relay = s_relay_start();
    usleep(300 * 1000); /* let the subscription reach the publisher */
    db_t *other = db_new(s_url, "sinktest", 5000);
    db_t *writer = db_new(s_url, "relaytest", 5000);
    long long last =
        s_number(writer, "SELECT coalesce(max(published_seq), 0) FROM outbox_stream", NULL);
    assert_int_equal(db_begin(other), 0);
    assert_true(s_number(other, "SELECT pg_current_xact_id()::text::bigint", NULL) > 0);
    s_append(writer, 1);
    long long published = s_next_sequence(sub, 2000);
    db_rollback(other);
    zactor_destroy(&relay);
    zsock_destroy(&sub);
    db_destroy(&writer);
    db_destroy(&other);
    assert_int_equal(published, last + 1);
}

/* A publication the database refused (here: the relay's connection cut
 * while its publication waited for a lock) is published again by itself,
 * within the relay's retry, with no further commit to wake it. */
static void test_refused_publication_is_tried_again(void **state)
{
    /* a port of its own: the last test's relay may not have let go of its
     * publisher's yet */
    snprintf(s_pub, sizeof s_pub, "tcp://127.0.0.1:%d", harness_free_port());
    zsock_t *sub = zsock_new_sub(s_pub, "");
    zactor_t *relay = s_relay_start();
    usleep(300 * 1000); /* let the subscription reach the publisher */
    db_t *holder = db_new(s_url, "relaytest", 5000);
    db_t *writer = db_new(s_url, "relaytest", 5000);
    long long last =
        s_number(writer, "SELECT coalesce(max(published_seq), 0) FROM outbox_stream", NULL);
    /* the relay, woken by the commit, waits for its lock ... */
    assert_int_equal(s_exec(holder, RELAY_LOCK), 0);
    s_append(writer, 1);
    long long relay_pid = s_blocked_by(holder, "advisory");
    assert_true(relay_pid > 0);
    /* ... then, holding it, for the outbox, when its connection is cut */
    assert_int_equal(db_begin(holder), 0);
    assert_int_equal(s_exec(holder, "LOCK TABLE outbox IN ACCESS EXCLUSIVE MODE"), 0);
    assert_int_equal(s_exec(holder, RELAY_UNLOCK), 0);
    assert_int_equal(s_blocked_by(holder, "relation"), relay_pid);
    char pid[24];
    snprintf(pid, sizeof pid, "%lld", relay_pid);
    db_t *admin = db_new(s_url, "relaytest", 5000);
    assert_int_equal(s_number(admin, "SELECT pg_terminate_backend($1::int)::int", pid), 1);
    db_rollback(holder);
    /* published without another commit */
    long long published = s_next_sequence(sub, 2000);
    if (published != last + 1)
        s_append(writer, 1); /* a relay that gave up publishes at a commit */
    zactor_destroy(&relay);
    zsock_destroy(&sub);
    db_destroy(&admin);
    db_destroy(&writer);
    db_destroy(&holder);
    assert_int_equal(published, last + 1);
}

/* A stop that comes while the relay waits for the database (its wake ends
 * that wait, which then goes on) still ends the relay once the database
 * answers, not only at the next commit. */
static void test_stop_while_publishing_ends_the_relay(void **state)
{
    snprintf(s_pub, sizeof s_pub, "tcp://127.0.0.1:%d", harness_free_port()); /* as above */
    zactor_t *relay = s_relay_start();
    db_t *holder = db_new(s_url, "relaytest", 5000);
    db_t *writer = db_new(s_url, "relaytest", 5000);
    assert_int_equal(s_exec(holder, RELAY_LOCK), 0);
    s_append(writer, 1);
    assert_true(s_blocked_by(holder, "advisory") > 0);
    int stops = atomic_load(&s_stops);
    zstr_send(relay, "$TERM");
    for (int i = 0; i < 100 && atomic_load(&s_stops) == stops; i++)
        usleep(20 * 1000);
    assert_int_equal(atomic_load(&s_stops), stops + 1); /* relay_stop has been called */
    assert_int_equal(s_exec(holder, RELAY_UNLOCK), 0);
    /* the actor's pipe signals when its loop, the relay's fiber, has ended */
    zpoller_t *poller = zpoller_new(relay, NULL);
    bool ended = zpoller_wait(poller, 3000) == relay;
    zpoller_destroy(&poller);
    if (!ended)
        s_append(writer, 1); /* a relay that missed its stop ends at a commit */
    zactor_destroy(&relay);
    db_destroy(&writer);
    db_destroy(&holder);
    assert_true(ended);
}

/* A stop that comes while the follower waits for its source's answer to a
 * catch-up (the source's read held up by a lock on its outbox; the stop's
 * wake ends that wait, which goes on): `backlog` events published first,
 * then the follower started, stopped while it waits, and the lock let go.
 * Whether the follower ended within 3 s; how many it applied, in `applied`.
 * It has no PUB to connect to, so no event of the source would wake it. */
static bool s_stop_during_a_catch_up(int backlog, long *applied)
{
    snprintf(s_pub, sizeof s_pub, "tcp://127.0.0.1:%d", harness_free_port());
    zactor_t *relay = s_relay_start();
    db_t *writer = db_new(s_url, "relaytest", 5000);
    long long total = s_number(writer, "SELECT count(*) FROM outbox", NULL) + backlog;
    s_append(writer, backlog);
    for (int i = 0; i < 200 && s_number(writer, "SELECT count(*) FROM outbox_stream", NULL) < total;
         i++)
        usleep(50 * 1000);
    assert_int_equal(s_number(writer, "SELECT count(*) FROM outbox_stream", NULL), total);
    zactor_destroy(&relay);
    db_destroy(&writer);
    long before = s_applied();

    snprintf(s_pub, sizeof s_pub, "tcp://127.0.0.1:%d", harness_free_port()); /* nobody's */
    db_t *holder = db_new(s_url, "relaytest", 5000);
    assert_int_equal(db_begin(holder), 0);
    assert_int_equal(s_exec(holder, "LOCK TABLE outbox IN ACCESS EXCLUSIVE MODE"), 0);
    zactor_t *consumer = s_consumer_start(); /* catches up at once */
    assert_true(s_blocked_by(holder, "relation") > 0);
    int stops = atomic_load(&s_stops);
    zstr_send(consumer, "$TERM");
    for (int i = 0; i < 100 && atomic_load(&s_stops) == stops; i++)
        usleep(20 * 1000);
    assert_int_equal(atomic_load(&s_stops), stops + 1); /* consumer_stop has been called */
    db_rollback(holder); /* the source answers, well within the call's 2 s */
    zpoller_t *poller = zpoller_new(consumer, NULL);
    bool ended = zpoller_wait(poller, 3000) == consumer;
    zpoller_destroy(&poller);
    zsock_t *pub = NULL;
    if (!ended) /* one that missed its stop ends once its SUB connects */
        pub = zsock_new_pub(s_pub);
    zactor_destroy(&consumer);
    zsock_destroy(&pub);
    db_destroy(&holder);
    *applied = s_applied() - before;
    return ended;
}

/* Caught up by that answer, it ends; before, it then waited for the
 * source's next event (which may never come). */
static void test_stop_during_a_catch_up_ends_the_consumer(void **state)
{
    long applied;
    assert_true(s_stop_during_a_catch_up(3, &applied));
    assert_true(applied >= 3); /* and those of earlier tests it had not yet */
}

/* Of a long backlog it applies that answer's round and ends: the rest is
 * applied after a start (before, every round, 1 001 events, first). */
static void test_stop_ends_a_long_catch_up_after_its_round(void **state)
{
    long applied;
    assert_true(s_stop_during_a_catch_up(1001, &applied));
    fprintf(stderr, "applied before the stop ended the catch-up: %ld\n", applied);
    assert_true(applied > 0 && applied <= 500); /* one round's (CATCH_UP_LIMIT) */
}

/* Two replicas of a service follow one stream into one schema: between
 * them each event is applied once, in order (the offset's row, locked by
 * each run, tells one what the other applied). Before, both applied every
 * event, one over the other's; here the sink's key refused the second
 * application, and that follower stuck. */
static void test_two_followers_of_one_schema_apply_each_event_once(void **state)
{
    snprintf(s_pub, sizeof s_pub, "tcp://127.0.0.1:%d", harness_free_port());
    zactor_t *relay = s_relay_start();
    db_t *writer = db_new(s_url, "relaytest", 5000);
    db_t *sink = db_new(s_url, "sinktest", 5000);
    zactor_t *a = s_consumer_start(), *b = s_consumer_start();
    atomic_store(&s_apply_failed, 0);
    long before = s_applied();
    s_append(writer, 30);
    long long end = s_number(writer, "SELECT max(published_seq) FROM outbox_stream", NULL);
    for (int i = 0; i < 100; i++) {
        end = s_number(writer, "SELECT max(published_seq) FROM outbox_stream", NULL);
        if (end > 0 &&
            s_number(sink, "SELECT last_sequence FROM consumer_offsets WHERE source = 'relaytest'",
                     NULL) == end)
            break;
        usleep(100 * 1000);
    }
    usleep(500 * 1000); /* the other's attempts, if it makes any, are made */
    long applied = s_applied() - before;
    zactor_destroy(&a);
    zactor_destroy(&b);
    zactor_destroy(&relay);
    assert_int_equal(
        s_number(sink, "SELECT last_sequence FROM consumer_offsets WHERE source = 'relaytest'",
                 NULL),
        end);
    assert_int_equal(s_number(sink, "SELECT max(sequence) FROM applied", NULL), end);
    assert_true(applied >= 30);
    assert_int_equal(atomic_load(&s_apply_failed), 0);
    db_destroy(&sink);
    db_destroy(&writer);
}

/* A relay on a port of its own (as above), a connection to its schema,
 * how many events there were before (the follower applies those it has
 * not yet first) and three more. */
static zactor_t *s_relay_and_three_more(db_t **db, long *before)
{
    snprintf(s_pub, sizeof s_pub, "tcp://127.0.0.1:%d", harness_free_port());
    zactor_t *relay = s_relay_start();
    *db = db_new(s_url, "relaytest", 5000);
    *before = (long)s_number(*db, "SELECT count(*) FROM outbox", NULL);
    s_append(*db, 3);
    return relay;
}

/* An outbox row whose stored bytes are no Event (a bug, a damaged page)
 * stops the stream before it: its followers apply what comes before it
 * and wait there, never passing over it as if it were pruned; repaired,
 * it and what follows come in order. */
static void test_an_unreadable_event_is_waited_for(void **state)
{
    db_t *db;
    long before;
    zactor_t *relay = s_relay_and_three_more(&db, &before);
    /* the second of them damaged, what it held kept aside */
    char second[24];
    snprintf(
        second, sizeof second, "%lld",
        s_number(db, "SELECT sequence FROM outbox ORDER BY sequence DESC OFFSET 1 LIMIT 1", NULL));
    const char *params[] = {second};
    PGresult *kept = db_query(db, "SELECT event FROM outbox WHERE sequence = $1", 1, params);
    assert_non_null(kept);
    char *stored = strdup(PQgetvalue(kept, 0, 0));
    PQclear(kept);
    PGresult *res =
        db_query(db, "UPDATE outbox SET event = '\\xff'::bytea WHERE sequence = $1", 1, params);
    assert_non_null(res);
    PQclear(res);
    /* a follower that comes now, by catch-up */
    zactor_t *consumer = s_consumer_start();
    assert_int_equal(s_wait_applied(before + 1), before + 1);
    usleep(2500 * 1000); /* its catch-ups a second apart pass: still there */
    assert_int_equal(s_applied(), before + 1);
    /* repaired, the rest comes, nothing left out */
    const char *repair[] = {stored, second};
    res = db_query(db, "UPDATE outbox SET event = $1::bytea WHERE sequence = $2", 2, repair);
    assert_non_null(res);
    PQclear(res);
    free(stored);
    assert_int_equal(s_wait_applied(before + 3), before + 3);
    zactor_destroy(&consumer);
    zactor_destroy(&relay);
    db_destroy(&db);
}

/* A run of events the follower takes in one transaction, one of which
 * fails: those before it are kept (applied one by one after the run's
 * transaction is rolled back), it is tried again until it applies, and
 * those after it follow in order. */
static void test_a_failing_event_keeps_those_before_it_in_its_run(void **state)
{
    db_t *db;
    long before;
    zactor_t *relay = s_relay_and_three_more(&db, &before);
    /* the second of them fails; a follower that comes now takes all three
     * in the run of its catch-up */
    atomic_store(&s_apply_refuses_one, (long long)before + 2);
    zactor_t *consumer = s_consumer_start();
    assert_int_equal(s_wait_applied(before + 1), before + 1);
    usleep(2500 * 1000); /* its catch-ups a second apart pass: still there */
    assert_int_equal(s_applied(), before + 1);
    atomic_store(&s_apply_refuses_one, 0);
    assert_int_equal(s_wait_applied(before + 3), before + 3);
    zactor_destroy(&consumer);
    zactor_destroy(&relay);
    db_destroy(&db);
}

int main(void)
{
    log_set_level(LOG_LEVEL_WARN);
    s_url = harness_database_url();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_published_in_order),
        cmocka_unit_test(test_catch_up_after_a_number),
        cmocka_unit_test(test_consumer_applies_each_once),
        cmocka_unit_test(test_failed_catch_up_is_tried_again),
        cmocka_unit_test(test_a_later_row_waits_for_an_earlier_transaction),
        cmocka_unit_test(test_an_open_transaction_elsewhere_holds_nothing_back),
        cmocka_unit_test(test_refused_publication_is_tried_again),
        cmocka_unit_test(test_stop_while_publishing_ends_the_relay),
        cmocka_unit_test(test_stop_during_a_catch_up_ends_the_consumer),
        cmocka_unit_test(test_stop_ends_a_long_catch_up_after_its_round),
        cmocka_unit_test(test_two_followers_of_one_schema_apply_each_event_once),
        cmocka_unit_test(test_an_unreadable_event_is_waited_for),
        cmocka_unit_test(test_a_failing_event_keeps_those_before_it_in_its_run),
    };
    return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
