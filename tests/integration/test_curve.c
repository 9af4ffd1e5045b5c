/* CurveZMQ on the bus: with the keys configured, the whole stack works
 * over encrypted and authenticated sockets, and a socket without the right
 * keys (plain, or CURVE with a client key of its own) gets nothing from a
 * service. Without keys, a plain bus must be asked for. */
#include "harness.h"
#include "samhand_bus.h"
#include "samhand_curve.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static harness_stack_t s_stack;
static char s_client_public[41], s_client_secret[41];

static int s_setup(void **state)
{
    char server_public[41], server_secret[41];
    assert_int_equal(curve_keypair(server_public, server_secret), 0);
    assert_int_equal(curve_keypair(s_client_public, s_client_secret), 0);
    setenv("SAMHAND_CURVE_SERVER_PUBLIC", server_public, 1);
    setenv("SAMHAND_CURVE_SERVER_SECRET", server_secret, 1);
    setenv("SAMHAND_CURVE_CLIENT_PUBLIC", s_client_public, 1);
    setenv("SAMHAND_CURVE_CLIENT_SECRET", s_client_secret, 1);
    harness_stack_start(&s_stack, harness_database_url());
    return 0;
}

static int s_teardown(void **state)
{
    harness_stack_stop(&s_stack);
    return 0;
}

static void test_the_stack_works_over_curve(void **state)
{
    harness_http_response_t *r = harness_stack_get(&s_stack, "/readyz");
    assert_int_equal(r->status, 200);
    harness_http_response_free(&r);
    r = harness_stack_send(&s_stack, "POST", "/v1/organizations",
                           "{\"name\":\"Stjørdal kommune\",\"organizationNumber\":\"938587051\","
                           "\"kind\":\"MUNICIPALITY\"}");
    assert_int_equal(r->status, 201);
    char id[40];
    snprintf(id, sizeof id, "%s", harness_json_text(r, "id"));
    harness_http_response_free(&r);
    /* the event reaches notify over the encrypted stream */
    bool seen = false;
    for (int i = 0; i < 100 && !seen; i++) {
        r = harness_stack_get(&s_stack, "/v1/events?types=no.samhand.organization.");
        seen = r->body && strstr(r->body, id);
        harness_http_response_free(&r);
        if (!seen)
            usleep(100 * 1000);
    }
    assert_true(seen);
}

/* A service's health, asked with this process's keys as configured now. */
static bool s_answered(const char *service)
{
    char error[160], method[64];
    assert_int_equal(curve_init(false, error, sizeof error), 0);
    const char *endpoint = strcmp(service, "agenda") == 0      ? s_stack.agenda_endpoint
                           : strcmp(service, "deviation") == 0 ? s_stack.deviation_endpoint
                                                               : s_stack.notify_endpoint;
    snprintf(method, sizeof method, "%s.Health", service);
    bus_client_t *client = bus_client_new(endpoint);
    Samhand__V1__HealthRequest req = SAMHAND__V1__HEALTH_REQUEST__INIT;
    Samhand__V1__Envelope *reply = bus_client_call(client, method, &req.base, 1500);
    bus_client_destroy(&client);
    bool answered = reply != NULL;
    if (reply)
        samhand__v1__envelope__free_unpacked(reply, NULL);
    return answered;
}

static void test_without_the_keys_nothing(void **state)
{
    static const char *const services[] = {"agenda", "deviation", "notify"};
    char other_public[41], other_secret[41];
    assert_int_equal(curve_keypair(other_public, other_secret), 0);
    for (size_t i = 0; i < 3; i++) {
        /* with the client key: an answer (so the refusals below mean something) */
        assert_true(s_answered(services[i]));
        /* plain, asked for explicitly */
        unsetenv("SAMHAND_CURVE_CLIENT_PUBLIC");
        setenv("SAMHAND_BUS_PLAIN", "1", 1);
        assert_false(s_answered(services[i]));
        /* CURVE, knowing the server, with a client key of its own */
        setenv("SAMHAND_CURVE_CLIENT_PUBLIC", other_public, 1);
        setenv("SAMHAND_CURVE_CLIENT_SECRET", other_secret, 1);
        assert_false(s_answered(services[i]));
        setenv("SAMHAND_CURVE_CLIENT_PUBLIC", s_client_public, 1);
        setenv("SAMHAND_CURVE_CLIENT_SECRET", s_client_secret, 1);
    }
    /* and no key at all without asking for plain: a process will not start */
    unsetenv("SAMHAND_CURVE_CLIENT_PUBLIC");
    unsetenv("SAMHAND_BUS_PLAIN");
    char error[200];
    assert_int_equal(curve_init(true, error, sizeof error), -1);
    assert_non_null(strstr(error, "SAMHAND_BUS_PLAIN=1"));
    setenv("SAMHAND_CURVE_CLIENT_PUBLIC", s_client_public, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_the_stack_works_over_curve),
        cmocka_unit_test(test_without_the_keys_nothing),
    };
    return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
