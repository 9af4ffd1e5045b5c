/* The event stream of a service: committed outbox rows published in order
 * with contiguous sequence numbers, catch-up after a number over the
 * ROUTER, and a consumer that applies each event exactly once, also after
 * a restart and for what it missed while away. */
#include "harness.h"
#include "samhand_relay.h"
#include "samhand_fiber.h"
#include "samhand_log.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *s_url;
static char s_pub[64];
static bus_server_t *s_server;

static const bus_route_t s_routes[] = {{"", NULL, NULL}};

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
                                part->schema, s_apply, NULL);
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

static int s_apply(db_t *db, const Samhand__V1__Event *event, void *arg)
{
    char seq[24];
    snprintf(seq, sizeof seq, "%lld", (long long)event->sequence);
    const char *params[] = {seq};
    PGresult *res = db_query(db, "INSERT INTO applied (sequence) VALUES ($1)", 1, params);
    PQclear(res);
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

int main(void)
{
    log_set_level(LOG_LEVEL_WARN);
    s_url = harness_database_url();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_published_in_order),
        cmocka_unit_test(test_catch_up_after_a_number),
        cmocka_unit_test(test_consumer_applies_each_once),
    };
    return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
