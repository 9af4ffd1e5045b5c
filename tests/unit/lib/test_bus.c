/* The bus in-process: a server with a route table answers a client over a
 * real tcp:// socket; unknown methods, undecodable bodies and missed
 * deadlines get a status, never silence or a crash. */
#include "harness.h"
#include "samhand_bus.h"
#include "samhand_fiber.h"
#include "samhand_log.h"

#include <string.h>

static const char *s_url;

/* Echoes the request's service name back in a HealthResponse. */
static int s_echo(bus_call_t *call)
{
    const Samhand__V1__HealthResponse *req = (const void *)call->request;
    if (strcmp(req->service, "fail") == 0)
        return bus_call_fail(call, BUS_INVALID_ARGUMENT, "service", "service is %s", "bad");
    Samhand__V1__HealthResponse reply = SAMHAND__V1__HEALTH_RESPONSE__INIT;
    reply.service = req->service;
    reply.schema_version = 42;
    return bus_call_reply(call, &reply.base);
}

static const bus_route_t s_routes[] = {
    {"bustest.Echo", &samhand__v1__health_response__descriptor, s_echo},
};

static bus_server_t *s_server;

static int s_setup(void **state)
{
    db_t *db = db_new(s_url, "bustest", 5000);
    assert_int_equal(db_migrate(db, NULL, 0), 0);
    db_destroy(&db);
    bus_server_config_t config = {
        .name = "bustest",
        .version = "test",
        .endpoints = "tcp://127.0.0.1:*",
        .database_url = s_url,
        .routes = s_routes,
        .n_routes = 1,
        .connections = 2,
    };
    s_server = bus_server_new(&config);
    assert_non_null(s_server);
    bus_server_start(s_server);
    return 0;
}

static int s_teardown(void **state)
{
    bus_server_destroy(&s_server);
    assert_null(s_server);
    return 0;
}

static void test_request_reply(void **state)
{
    bus_client_t *client = bus_client_new(bus_server_endpoint(s_server));
    Samhand__V1__HealthResponse req = SAMHAND__V1__HEALTH_RESPONSE__INIT;
    req.service = "hello";
    for (int i = 0; i < 20; i++) {
        Samhand__V1__Envelope *reply = bus_client_call(client, "bustest.Echo", &req.base, 5000);
        assert_non_null(reply);
        assert_int_equal(reply->status->code, BUS_OK);
        Samhand__V1__HealthResponse *body =
            samhand__v1__health_response__unpack(NULL, reply->body.len, reply->body.data);
        assert_string_equal(body->service, "hello");
        assert_int_equal(body->schema_version, 42);
        samhand__v1__health_response__free_unpacked(body, NULL);
        samhand__v1__envelope__free_unpacked(reply, NULL);
    }
    bus_client_destroy(&client);
}

static void test_errors_are_statuses(void **state)
{
    bus_client_t *client = bus_client_new(bus_server_endpoint(s_server));
    Samhand__V1__HealthResponse req = SAMHAND__V1__HEALTH_RESPONSE__INIT;
    req.service = "fail";
    Samhand__V1__Envelope *reply = bus_client_call(client, "bustest.Echo", &req.base, 5000);
    assert_non_null(reply);
    assert_int_equal(reply->status->code, BUS_INVALID_ARGUMENT);
    assert_string_equal(reply->status->field, "service");
    assert_string_equal(reply->status->message, "service is bad");
    samhand__v1__envelope__free_unpacked(reply, NULL);

    reply = bus_client_call(client, "bustest.Nothing", &req.base, 5000);
    assert_non_null(reply);
    assert_int_equal(reply->status->code, BUS_UNIMPLEMENTED);
    samhand__v1__envelope__free_unpacked(reply, NULL);
    bus_client_destroy(&client);
}

static void test_health_is_built_in(void **state)
{
    bus_client_t *client = bus_client_new(bus_server_endpoint(s_server));
    Samhand__V1__HealthRequest req = SAMHAND__V1__HEALTH_REQUEST__INIT;
    Samhand__V1__Envelope *reply = bus_client_call(client, "bustest.Health", &req.base, 5000);
    assert_non_null(reply);
    assert_int_equal(reply->status->code, BUS_OK);
    Samhand__V1__HealthResponse *health =
        samhand__v1__health_response__unpack(NULL, reply->body.len, reply->body.data);
    assert_true(health->database_ok);
    assert_string_equal(health->service, "bustest");
    samhand__v1__health_response__free_unpacked(health, NULL);
    samhand__v1__envelope__free_unpacked(reply, NULL);
    bus_client_destroy(&client);
}

static void test_no_server_times_out(void **state)
{
    char endpoint[64];
    snprintf(endpoint, sizeof endpoint, "tcp://127.0.0.1:%d", harness_free_port());
    bus_client_t *client = bus_client_new(endpoint);
    Samhand__V1__HealthRequest req = SAMHAND__V1__HEALTH_REQUEST__INIT;
    assert_null(bus_client_call(client, "bustest.Health", &req.base, 300));
    bus_client_destroy(&client);
}

/* The work that goes on after a stop (a request finishing, a follower
 * taking a connection) wakes none of the server's own fibers that have
 * ended: before, opening a connection woke the ended trimmer, freed
 * memory (a crash at a service's stop, seen under the sanitizer). */
static bus_server_t *s_looped;

static void s_after_stop(void *arg)
{
    (void)arg;
    bus_server_stop(s_looped);
    fiber_sleep(100); /* the server's fibers end meanwhile */
    db_t *a = bus_server_db_take(s_looped), *b = bus_server_db_take(s_looped);
    assert_non_null(a);
    assert_non_null(b); /* the second one opened now */
    bus_server_db_give_back(s_looped, a);
    bus_server_db_give_back(s_looped, b);
}

static void test_work_after_a_stop_wakes_no_ended_fiber(void **state)
{
    bus_server_config_t config = {
        .name = "bustest",
        .version = "test",
        .endpoints = "tcp://127.0.0.1:*",
        .database_url = s_url,
        .routes = s_routes,
        .n_routes = 1,
        .connections = 2,
    };
    s_looped = bus_server_new(&config);
    assert_non_null(s_looped);
    bus_server_serve(s_looped);
    bus_server_listen_changes(s_looped);
    fiber_spawn(s_after_stop, NULL);
    fiber_loop_run(); /* ends when every fiber has */
    bus_server_destroy(&s_looped);
}

int main(void)
{
    log_set_level(LOG_LEVEL_WARN);
    s_url = harness_database_url();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_request_reply),
        cmocka_unit_test(test_errors_are_statuses),
        cmocka_unit_test(test_health_is_built_in),
        cmocka_unit_test(test_no_server_times_out),
        cmocka_unit_test(test_work_after_a_stop_wakes_no_ended_fiber),
    };
    return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
