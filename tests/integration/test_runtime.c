/* What a service costs when nothing happens: one thread doing its work
 * (besides ZeroMQ's own), a few database connections, and no questions to
 * the database while idle. */
#include "harness.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <libpq-fe.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CONNECTION_IDLE_MS 10000 /* BUS_CONNECTION_IDLE_MS of lib/samhand_bus.h */

static harness_stack_t s_stack;
static const char *s_database;

static int s_setup(void **state)
{
    (void)state;
    setenv("SAMHAND_DB_CONNECTIONS", "4", 1); /* the default */
    s_database = harness_database_url();
    harness_stack_start(&s_stack, s_database);
    /* some work first: the pools open what a request needs */
    harness_http_response_t *r =
        harness_stack_send(&s_stack, "POST", "/v1/organizations",
                           "{\"name\":\"Ringsaker kommune\",\"kind\":\"MUNICIPALITY\","
                           "\"organizationNumber\":\"970169717\"}");
    assert_int_equal(r->status, 201);
    harness_http_response_free(&r);
    r = harness_stack_get(&s_stack, "/v1/organizations");
    assert_int_equal(r->status, 200);
    harness_http_response_free(&r);
    sleep(2); /* the event reaches the followers */
    return 0;
}

static int s_teardown(void **state)
{
    (void)state;
    harness_stack_stop(&s_stack);
    return 0;
}

/* The process's threads that are not ZeroMQ's I/O and reaper threads. */
static int s_own_threads(pid_t pid)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/task", (int)pid);
    DIR *dir = opendir(path);
    assert_non_null(dir);
    int n = 0;
    struct dirent *entry;
    while ((entry = readdir(dir)) != NULL) {
        if (entry->d_name[0] == '.')
            continue;
        char comm_path[384], comm[64] = "";
        snprintf(comm_path, sizeof comm_path, "%s/%s/comm", path, entry->d_name);
        FILE *f = fopen(comm_path, "r");
        if (f) {
            if (!fgets(comm, sizeof comm, f))
                comm[0] = '\0';
            fclose(f);
        }
        if (strncmp(comm, "ZMQbg/", 6) != 0)
            n++;
    }
    closedir(dir);
    return n;
}

static void test_one_thread_does_the_work(void **state)
{
    (void)state;
    assert_int_equal(s_own_threads(s_stack.agenda), 1);
    assert_int_equal(s_own_threads(s_stack.deviation), 1);
    /* notify too: its webhooks and mail go over libcurl on its loop */
    assert_int_equal(s_own_threads(s_stack.notify), 1);
}

static PGconn *s_connect(void)
{
    PGconn *conn = PQconnectdb(s_database);
    assert_int_equal(PQstatus(conn), CONNECTION_OK);
    return conn;
}

static long s_number(PGconn *conn, const char *sql, const char *param)
{
    const char *params[] = {param};
    PGresult *res = PQexecParams(conn, sql, param ? 1 : 0, NULL, params, NULL, NULL, 0);
    assert_int_equal(PQresultStatus(res), PGRES_TUPLES_OK);
    long n = atol(PQgetvalue(res, 0, 0));
    PQclear(res);
    return n;
}

/* Idle (CONNECTION_IDLE_MS after the work), a service holds one
 * connection for its loop, one to LISTEN where it follows other services
 * (each of them now: agenda follows deviation's disputes), and notify one
 * for its webhook sender, whose session holds the leases of the
 * deliveries on their way. */
static void test_few_database_connections(void **state)
{
    (void)state;
    sleep(CONNECTION_IDLE_MS / 1000 + 1);
    PGconn *conn = s_connect();
    static const char *sql = "SELECT count(*) FROM pg_stat_activity WHERE datname = "
                             "current_database() AND usename = $1";
    fprintf(stderr, "connections: agenda %ld deviation %ld notify %ld\n",
            s_number(conn, sql, "agenda"), s_number(conn, sql, "deviation"),
            s_number(conn, sql, "notify"));
    assert_true(s_number(conn, sql, "agenda") <= 2);
    assert_true(s_number(conn, sql, "deviation") <= 2);
    assert_true(s_number(conn, sql, "notify") <= 3);
    PQfinish(conn);
}

/* The scans of the services' tables so far: what every question to the
 * database costs, and what autovacuum, busy in a fresh database, does
 * not add to (its transactions would count in pg_stat_database). */
static long s_questions(PGconn *conn)
{
    return s_number(conn,
                    "SELECT coalesce(sum(coalesce(seq_scan, 0) + coalesce(idx_scan, 0)), 0) "
                    "FROM pg_stat_all_tables WHERE schemaname IN ('agenda', 'deviation', "
                    "'notify')",
                    NULL);
}

/* Idle, nothing polls: the relays, followers, senders and the mailer
 * sleep until there is something to do (at most once a minute when
 * nothing is due), so the database sees next to no questions: fewer than
 * two a second, where the relays alone asked 150 times a second. A
 * backend reports its counts up to seconds late, so the window is long
 * and starts a while after the work. */
static void test_idle_asks_the_database_nothing(void **state)
{
    (void)state;
    PGconn *conn = s_connect();
    sleep(3);
    long before = s_questions(conn);
    sleep(10);
    long after = s_questions(conn);
    PQfinish(conn);
    fprintf(stderr, "idle: %ld table scans in 10 s\n", after - before);
    assert_true(after - before <= 20);
}

/* Open event streams that get nothing wait in notify for events (10 s a
 * page); they ask the database nothing while nothing happens (they used
 * to ask four times a second each). */
static void test_idle_streams_ask_nothing(void **state)
{
    (void)state;
    enum { STREAMS = 20 };
    int fds[STREAMS];
    for (int i = 0; i < STREAMS; i++) {
        fds[i] = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in addr = {.sin_family = AF_INET,
                                   .sin_port = htons((uint16_t)s_stack.http_port)};
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        assert_int_equal(connect(fds[i], (struct sockaddr *)&addr, sizeof addr), 0);
        char request[512], head[1024] = "";
        int n =
            snprintf(request, sizeof request,
                     "GET /v1/events/stream?after=999999 HTTP/1.1\r\nHost: 127.0.0.1\r\n%s\r\n\r\n",
                     s_stack.auth_header);
        assert_int_equal(write(fds[i], request, (size_t)n), n);
        struct timeval timeout = {.tv_sec = 5};
        setsockopt(fds[i], SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
        assert_true(read(fds[i], head, sizeof head - 1) > 0);
        assert_non_null(strstr(head, " 200 "));
    }
    PGconn *conn = s_connect();
    sleep(2); /* each stream's first ask is answered and waits (10 s) */
    long before = s_questions(conn);
    sleep(6);
    long after = s_questions(conn);
    PQfinish(conn);
    for (int i = 0; i < STREAMS; i++)
        close(fds[i]);
    /* asking four times a second, the streams made 480 questions */
    fprintf(stderr, "20 idle streams: %ld table scans in 6 s\n", after - before);
    assert_true(after - before <= 15);
}

/* A stop asked for while a service waits on the database (the stop's
 * wake ends that wait, which goes on) ends the process once the wait is
 * over: `service` started again while `lock` (a LOCK TABLE) is held, so
 * that its first work at start waits, then SIGTERM, then the lock let go;
 * the process must end within harness_stop's 5 s. */
static void s_stop_while_waiting(const char *service, pid_t *pid, const char *lock)
{
    PGconn *holder = s_connect();
    PGresult *res = PQexec(holder, lock);
    assert_int_equal(PQresultStatus(res), PGRES_COMMAND_OK);
    PQclear(res);
    harness_stack_crash(&s_stack, service);
    char holder_pid[16];
    snprintf(holder_pid, sizeof holder_pid, "%d", PQbackendPID(holder));
    const char *params[] = {holder_pid};
    /* another session: a transaction sees pg_stat_activity as it first was */
    PGconn *watch = s_connect();
    bool blocked = false;
    for (int i = 0; i < 200 && !blocked; i++) {
        res = PQexecParams(watch,
                           "SELECT count(*) FROM pg_stat_activity WHERE $1::int = "
                           "ANY (pg_blocking_pids(pid))",
                           1, NULL, params, NULL, NULL, 0);
        blocked = PQresultStatus(res) == PGRES_TUPLES_OK && atoi(PQgetvalue(res, 0, 0)) > 0;
        PQclear(res);
        if (!blocked)
            usleep(50 * 1000);
    }
    PQfinish(watch);
    if (!blocked)
        PQfinish(holder);
    assert_true(blocked);
    kill(*pid, SIGTERM);
    usleep(300 * 1000); /* the stop is asked for while the work waits */
    res = PQexec(holder, "ROLLBACK");
    PQclear(res);
    PQfinish(holder);
    int status = harness_stop(*pid);
    harness_stack_crash(&s_stack, service); /* for the teardown's stop */
    harness_stack_wait_ready(&s_stack);
    assert_int_equal(status, 0);
}

/* agenda's pruning at start */
static void test_a_stop_while_pruning_ends_agenda(void **state)
{
    (void)state;
    s_stop_while_waiting("agenda", &s_stack.agenda,
                         "BEGIN; LOCK TABLE agenda.outbox IN SHARE ROW EXCLUSIVE MODE");
}

/* notify's webhook sender claiming at start: before, it went on to sleep
 * until something fell due (a minute at most) and the stop with it */
static void test_a_stop_while_claiming_ends_notify(void **state)
{
    (void)state;
    s_stop_while_waiting("notify", &s_stack.notify,
                         "BEGIN; LOCK TABLE notify.subscriptions IN EXCLUSIVE MODE");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_thread_does_the_work),
        cmocka_unit_test(test_few_database_connections),
        cmocka_unit_test(test_idle_asks_the_database_nothing),
        cmocka_unit_test(test_idle_streams_ask_nothing),
        cmocka_unit_test(test_a_stop_while_pruning_ends_agenda),
        cmocka_unit_test(test_a_stop_while_claiming_ends_notify),
    };
    return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
