/* Two replicas of agenda against one database: started together they
 * migrate the schema once (neither fails), and both serve requests: with
 * either one stopped the gateway still answers through the other. */
#include "harness.h"

#include <libpq-fe.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static long s_get_status(const char *base_url)
{
    char url[128];
    snprintf(url, sizeof url, "%s/v1/committees", base_url);
    http_response_t *r = http_request("GET", url, NULL, NULL);
    long status = r->status;
    http_response_free(&r);
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

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_two_replicas)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
