/* Two replicas of agenda against one database: started together they
 * migrate the schema once (neither fails), and both serve requests: with
 * either one stopped the gateway still answers through the other. Under
 * load the gateway spreads requests over both (each replica's own count of
 * what it answered says so); with one killed, the other answers, and every
 * event either committed is published once and followed in order. */
#include "harness.h"
#include "samhand/v1/envelope.pb-c.h"
#include "samhand_bus.h"
#include "samhand_curve.h"

#include <jansson.h>
#include <libpq-fe.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static long s_get_status(const char *base_url)
{
    char url[128];
    snprintf(url, sizeof url, "%s/v1/committees", base_url);
    harness_http_response_t *r = harness_http_request("GET", url, NULL, NULL);
    long status = r->status;
    harness_http_response_free(&r);
    return status;
}

/* Waits up to 10 s for every request of a burst to succeed. */
static int s_serves(const char *base_url)
{
    for (int i = 0; i < 100; i++) {
        int ok = 1;
        for (int j = 0; j < 5 && ok; j++)
            ok = s_get_status(base_url) == 200;
        if (ok)
            return 1;
        usleep(100 * 1000);
    }
    return 0;
}

static void test_two_replicas(void **state)
{
    const char *db = harness_database_url();
    char ep1[64], ep2[64], both[140], env_db[300], env_ep1[100], env_ep2[100], env_gw[200],
        env_port[64], base[64];
    int port = harness_free_port();
    snprintf(ep1, sizeof ep1, "tcp://127.0.0.1:%d", harness_free_port());
    snprintf(ep2, sizeof ep2, "tcp://127.0.0.1:%d", harness_free_port());
    snprintf(both, sizeof both, "%s,%s", ep1, ep2);
    snprintf(env_db, sizeof env_db, "SAMHAND_DATABASE_URL=%s", harness_service_url("agenda"));
    snprintf(env_ep1, sizeof env_ep1, "SAMHAND_AGENDA_ENDPOINT=%s", ep1);
    snprintf(env_ep2, sizeof env_ep2, "SAMHAND_AGENDA_ENDPOINT=%s", ep2);
    snprintf(env_gw, sizeof env_gw, "SAMHAND_AGENDA_ENDPOINT=%s", both);
    snprintf(env_port, sizeof env_port, "SAMHAND_HTTP_PORT=%d", port);
    snprintf(base, sizeof base, "http://127.0.0.1:%d", port);

    const char *a1_env[] = {env_db, env_ep1, NULL};
    const char *a2_env[] = {env_db, env_ep2, NULL};
    const char *gw_env[] = {env_gw, env_port, NULL};
    pid_t a1 = harness_spawn("samhand-agenda", a1_env);
    pid_t a2 = harness_spawn("samhand-agenda", a2_env);
    pid_t gw = harness_spawn("samhand-gateway", gw_env);

    assert_true(s_serves(base));
    /* both replicas are alive: neither tripped over the other's migration */
    assert_int_equal(waitpid(a1, NULL, WNOHANG), 0);
    assert_int_equal(waitpid(a2, NULL, WNOHANG), 0);
    PGconn *conn = PQconnectdb(db);
    PGresult *res =
        PQexec(conn, "SELECT count(*), count(DISTINCT version) FROM agenda.schema_migrations");
    assert_string_equal(PQgetvalue(res, 0, 0), PQgetvalue(res, 0, 1));
    assert_true(atoi(PQgetvalue(res, 0, 0)) >= 1);
    PQclear(res);
    PQfinish(conn);

    /* replica 1 down: replica 2 serves */
    assert_int_equal(harness_stop(a1), 0);
    assert_true(s_serves(base));
    /* replica 1 back, replica 2 down: replica 1 serves */
    a1 = harness_spawn("samhand-agenda", a1_env);
    usleep(300 * 1000);
    assert_int_equal(harness_stop(a2), 0);
    assert_true(s_serves(base));

    assert_int_equal(harness_stop(gw), 0);
    assert_int_equal(harness_stop(a1), 0);
}

/* the administrator key of the gateway this file starts, and its SHA-256 */
#define S_ADMIN_KEY "shk_replicas_test_key"
#define S_ADMIN_KEY_SHA256 "9978ba204b4638342614ce90fa7dc568cb916c1ac92f373b79c793f0ac8fb733"

/* The value of `series` (its whole name with labels) in the metrics of the
 * replica of `service` at `endpoint`, from the replica itself; 0 when it
 * has none, -1 when it does not answer. */
static double s_replica_metric(const char *service, const char *endpoint, const char *series)
{
    char method[64];
    snprintf(method, sizeof method, "%s.Metrics", service);
    bus_client_t *client = bus_client_new(endpoint);
    Samhand__V1__MetricsRequest req = SAMHAND__V1__METRICS_REQUEST__INIT;
    Samhand__V1__Envelope *reply = bus_client_call(client, method, &req.base, 3000);
    bus_client_destroy(&client);
    if (!reply)
        return -1;
    Samhand__V1__MetricsResponse *metrics =
        samhand__v1__metrics_response__unpack(NULL, reply->body.len, reply->body.data);
    samhand__v1__envelope__free_unpacked(reply, NULL);
    assert_non_null(metrics);
    const char *line = strstr(metrics->text, series);
    double value = line ? strtod(line + strlen(series), NULL) : 0;
    samhand__v1__metrics_response__free_unpacked(metrics, NULL);
    return value;
}

/* How many agenda.CreateOrganization the replica at `endpoint` answered
 * OK; -1 when it does not answer. */
static long s_created_by(const char *endpoint)
{
    return (long)s_replica_metric("agenda", endpoint,
                                  "samhand_bus_requests_total{service=\"agenda\","
                                  "method=\"agenda.CreateOrganization\",code=\"OK\"}");
}

/* The same of the notify replica at `endpoint`. */
static double s_notify_metric(const char *endpoint, const char *series)
{
    return s_replica_metric("notify", endpoint, series);
}

/* POSTs `n` organisations through the gateway at `base_url`, each until
 * it is answered 201 (the same Idempotency-Key every try); returns the
 * tries that were not. */
static int s_create_organizations(const char *base_url, long *next_base, int n)
{
    char url[128];
    snprintf(url, sizeof url, "%s/v1/organizations", base_url);
    int retried = 0;
    for (int made = 0; made < n;) {
        long number = harness_org_number((*next_base)++);
        if (!number)
            continue;
        char body[200], key[80];
        snprintf(body, sizeof body,
                 "{\"name\":\"Kommune %ld\",\"organizationNumber\":\"%ld\","
                 "\"kind\":\"MUNICIPALITY\"}",
                 number, number);
        snprintf(key, sizeof key, "Idempotency-Key: replicas-%ld", number);
        const char *headers[] = {key, "Authorization: Bearer " S_ADMIN_KEY, NULL};
        long status = 0;
        for (int tries = 0; tries < 50 && status != 201; tries++) {
            harness_http_response_t *r = harness_http_request("POST", url, body, headers);
            status = r->status;
            harness_http_response_free(&r);
            if (status != 201) {
                retried++;
                usleep(100 * 1000);
            }
        }
        assert_int_equal(status, 201);
        made++;
    }
    return retried;
}

static void test_requests_spread_over_replicas_and_survive_one(void **state)
{
    const char *db = harness_database_url();
    char router[2][64], pub[2][64], routers[140], pubs[140], env_db[300], env_router[2][100],
        env_pub[2][100], env_routers[200], env_pubs[200], env_dev_db[300], env_dev[100],
        env_port[64], base[64];
    for (int i = 0; i < 2; i++) {
        snprintf(router[i], sizeof router[i], "tcp://127.0.0.1:%d", harness_free_port());
        snprintf(pub[i], sizeof pub[i], "tcp://127.0.0.1:%d", harness_free_port());
        snprintf(env_router[i], sizeof env_router[i], "SAMHAND_AGENDA_ENDPOINT=%s", router[i]);
        snprintf(env_pub[i], sizeof env_pub[i], "SAMHAND_AGENDA_EVENTS_ENDPOINT=%s", pub[i]);
    }
    snprintf(routers, sizeof routers, "%s,%s", router[0], router[1]);
    snprintf(pubs, sizeof pubs, "%s,%s", pub[0], pub[1]);
    snprintf(env_routers, sizeof env_routers, "SAMHAND_AGENDA_ENDPOINT=%s", routers);
    snprintf(env_pubs, sizeof env_pubs, "SAMHAND_AGENDA_EVENTS_ENDPOINT=%s", pubs);
    snprintf(env_db, sizeof env_db, "SAMHAND_DATABASE_URL=%s", harness_service_url("agenda"));
    snprintf(env_dev_db, sizeof env_dev_db, "SAMHAND_DATABASE_URL=%s",
             harness_service_url("deviation"));
    snprintf(env_dev, sizeof env_dev, "SAMHAND_DEVIATION_ENDPOINT=tcp://127.0.0.1:%d",
             harness_free_port());
    int port = harness_free_port();
    snprintf(env_port, sizeof env_port, "SAMHAND_HTTP_PORT=%d", port);
    snprintf(base, sizeof base, "http://127.0.0.1:%d", port);

    const char *a_env[2][4] = {{env_db, env_router[0], env_pub[0], NULL},
                               {env_db, env_router[1], env_pub[1], NULL}};
    /* deviation follows both replicas: their ROUTERs and their PUBs */
    const char *dev_env[] = {env_dev_db, env_dev, env_routers, env_pubs, NULL};
    const char *gw_env[] = {env_routers, env_port, "SAMHAND_ADMIN_KEY_SHA256=" S_ADMIN_KEY_SHA256,
                            NULL};
    pid_t agenda[2] = {harness_spawn("samhand-agenda", a_env[0]),
                       harness_spawn("samhand-agenda", a_env[1])};
    pid_t deviation = harness_spawn("samhand-deviation", dev_env);
    pid_t gw = harness_spawn("samhand-gateway", gw_env);
    assert_true(s_serves(base));
    char error[160];
    setenv("SAMHAND_BUS_PLAIN", "1", 1);
    assert_int_equal(curve_init(false, error, sizeof error), 0);
    while (s_created_by(router[0]) < 0 || s_created_by(router[1]) < 0)
        usleep(100 * 1000);

    /* the gateway connects to each replica on its own, and until it has
     * both it sends everything to the one it has: one at a time until
     * each replica has answered one (a bounded wait, not a count) */
    long next_base = 92000000;
    int warm = 0;
    for (; warm < 200 && (s_created_by(router[0]) < 1 || s_created_by(router[1]) < 1); warm++)
        s_create_organizations(base, &next_base, 1);
    assert_true(warm < 200);

    /* then both answer a share of the requests */
    long before_0 = s_created_by(router[0]), before_1 = s_created_by(router[1]);
    s_create_organizations(base, &next_base, 40);
    long by_0 = s_created_by(router[0]) - before_0, by_1 = s_created_by(router[1]) - before_1;
    fprintf(stderr, "created by replica 0: %ld, by replica 1: %ld (after %d to reach both)\n", by_0,
            by_1, warm);
    assert_true(by_0 > 0 && by_1 > 0);
    assert_int_equal(by_0 + by_1, 40);

    /* replica 0 killed: replica 1 answers all that follow */
    kill(agenda[0], SIGKILL);
    waitpid(agenda[0], NULL, 0);
    s_create_organizations(base, &next_base, 20);
    assert_int_equal(s_created_by(router[1]), before_1 + by_1 + 20);

    /* every event published once, numbered without a gap, and followed by
     * deviation to the last (it applies them only in order) */
    PGconn *conn = PQconnectdb(db);
    bool settled = false;
    for (int i = 0; i < 100 && !settled; i++) {
        char total[16];
        snprintf(total, sizeof total, "%d", warm + 60);
        const char *params[] = {total};
        PGresult *res = PQexecParams(
            conn,
            "SELECT (SELECT count(*) = $1::int AND count(DISTINCT published_seq) = $1::int AND "
            "max(published_seq) = $1::int FROM agenda.outbox_stream) AND (SELECT last_sequence = "
            "$1::int FROM deviation.consumer_offsets WHERE source = 'agenda') AND (SELECT "
            "count(*) = $1::int FROM deviation.organizations)",
            1, NULL, params, NULL, NULL, 0);
        settled = PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1 &&
                  strcmp(PQgetvalue(res, 0, 0), "t") == 0;
        PQclear(res);
        if (!settled)
            usleep(100 * 1000);
    }
    PQfinish(conn);
    assert_true(settled);

    assert_int_equal(harness_stop(gw), 0);
    assert_int_equal(harness_stop(deviation), 0);
    assert_int_equal(harness_stop(agenda[1]), 0);
}

/* Two replicas of notify, as `./samhand up` runs them on two cores: both
 * follow agenda's stream and both send webhooks. Both hear every event
 * and take turns applying them (the offset's row), and every event is
 * fanned out once and reaches the endpoint once, in the stream's order. */
static void test_two_notify_replicas_deliver_each_event_once(void **state)
{
    const char *db = harness_database_url();
    harness_stack_t stack;
    harness_stack_start(&stack, db);
    char second[64];
    pid_t replica = harness_stack_spawn_replica(&stack, "notify", second);
    setenv("SAMHAND_BUS_PLAIN", "1", 1);
    char error[160];
    assert_int_equal(curve_init(false, error, sizeof error), 0);
    for (int i = 0; s_notify_metric(second, "samhand_consumer_last_sequence") < 0; i++) {
        if (i == 100)
            fail_msg("the second notify replica does not answer at %s", second);
        usleep(100 * 1000);
    }

    harness_receiver_t *rx = harness_receiver_start(NULL, 0, 204);
    char body[512];
    snprintf(body, sizeof body, "{\"url\":\"%s\",\"eventTypes\":[\"no.samhand.committee.\"]}",
             harness_receiver_url(rx));
    harness_http_response_t *r = harness_stack_send(&stack, "POST", "/v1/subscriptions", body);
    harness_expect_status(r, 201);
    harness_http_response_free(&r);

    enum { N = 40 };
    for (int i = 0; i < N; i++) {
        snprintf(body, sizeof body, "{\"name\":\"Utvalg %02d\",\"kind\":\"OTHER\"}", i);
        harness_stack_create(&stack, "/v1/committees", body, NULL);
    }
    assert_int_equal(harness_receiver_wait(rx, N, 20000), N);
    /* nothing more comes: no event twice */
    assert_int_equal(harness_receiver_wait(rx, N + 1, 2000), N);
    /* each committee's event once, in the stream's order across the two
     * replicas' senders (a claim passes over a subscription the other
     * replica is claiming from: unit_notify_claim has the interleaving
     * that once sent Utvalg 23 before 22 here) */
    char ids[N][64];
    bool got[N] = {false};
    int out_of_order = 0;
    for (size_t i = 0; i < N; i++) {
        json_t *event = json_loads(harness_receiver_body(rx, i), 0, NULL);
        const char *name =
            json_string_value(json_object_get(json_object_get(event, "data"), "name"));
        int k = -1;
        assert_non_null(name);
        assert_int_equal(sscanf(name, "Utvalg %d", &k), 1);
        assert_true(k >= 0 && k < N && !got[k]);
        got[k] = true;
        if (k != (int)i) {
            fprintf(stderr, "delivered as number %zu: %s\n", i, name);
            out_of_order++;
        }
        json_decref(event);
        snprintf(ids[i], sizeof ids[i], "%s", harness_receiver_header(rx, i, "webhook-id"));
        for (size_t j = 0; j < i; j++)
            assert_string_not_equal(ids[i], ids[j]);
    }

    assert_int_equal(out_of_order, 0);

    /* both replicas applied agenda's stream to its end, */
    PGconn *conn = PQconnectdb(db);
    PGresult *res = PQexec(conn, "SELECT max(published_seq) FROM agenda.outbox_stream");
    if (PQresultStatus(res) != PGRES_TUPLES_OK)
        fail_msg("%s", PQerrorMessage(conn));
    double last = strtod(PQgetvalue(res, 0, 0), NULL);
    PQclear(res);
    PQfinish(conn);
    char first[64];
    snprintf(first, sizeof first, "%s", stack.notify_endpoint);
    const char *applied = "samhand_consumer_last_sequence{service=\"notify\",source=\"agenda\"}";
    for (int i = 0; i < 100 && (s_notify_metric(first, applied) < last ||
                                s_notify_metric(second, applied) < last);
         i++)
        usleep(100 * 1000);
    assert_true(s_notify_metric(first, applied) >= last);
    assert_true(s_notify_metric(second, applied) >= last);
    /* and between them fanned each event out once and sent it once */
    const char *in = "samhand_queue_items_total{service=\"notify\",queue=\"webhooks\",flow=\"in\"}";
    const char *out =
        "samhand_queue_items_total{service=\"notify\",queue=\"webhooks\",flow=\"out\"}";
    fprintf(stderr, "fanned out by the first replica: %.0f, by the second: %.0f; sent %.0f, %.0f\n",
            s_notify_metric(first, in), s_notify_metric(second, in), s_notify_metric(first, out),
            s_notify_metric(second, out));
    assert_int_equal((int)(s_notify_metric(first, in) + s_notify_metric(second, in)), N);
    assert_int_equal((int)(s_notify_metric(first, out) + s_notify_metric(second, out)), N);

    harness_receiver_stop(&rx);
    assert_int_equal(harness_stop(replica), 0);
    harness_stack_stop(&stack);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_two_replicas),
        cmocka_unit_test(test_requests_spread_over_replicas_and_survive_one),
        cmocka_unit_test(test_two_notify_replicas_deliver_each_event_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
