/* The tests' databases (see harness.h): a fresh one per test program on
 * the PostgreSQL that `./samhand test` started, with a role and a schema
 * of its own for each service. */
#include "harness.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

const char *const harness_services[3] = {"agenda", "deviation", "notify"};

static char s_url[512];

static void s_exec(PGconn *conn, const char *sql)
{
    PGresult *res = PQexec(conn, sql);
    if (PQresultStatus(res) != PGRES_COMMAND_OK) {
        fprintf(stderr, "test database set-up failed: %s: %s", sql, PQerrorMessage(conn));
        exit(1);
    }
    PQclear(res);
}

/* Each service gets its own role, owning its schema and nothing else, as in
 * production: a service that reached into another's tables would fail. */
static void s_prepare_roles(const char *url)
{
    PGconn *conn = PQconnectdb(url);
    for (int i = 0; i < 3; i++) {
        char sql[300];
        snprintf(sql, sizeof sql,
                 "DO $$ BEGIN CREATE ROLE %s LOGIN; EXCEPTION WHEN duplicate_object OR "
                 "unique_violation THEN NULL; END $$",
                 harness_services[i]);
        s_exec(conn, sql);
        snprintf(sql, sizeof sql, "CREATE SCHEMA %s AUTHORIZATION %s", harness_services[i],
                 harness_services[i]);
        s_exec(conn, sql);
    }
    PQfinish(conn);
}

const char *harness_service_url(const char *service)
{
    static char urls[3][600];
    for (int i = 0; i < 3; i++) {
        if (strcmp(service, harness_services[i]) == 0) {
            snprintf(urls[i], sizeof urls[i], "%s%cuser=%s", s_url, strchr(s_url, '?') ? '&' : '?',
                     service);
            return urls[i];
        }
    }
    return s_url;
}

const char *harness_database_url(void)
{
    const char *base = getenv("SAMHAND_TEST_DATABASE_URL");
    if (!base || !*base) {
        fprintf(stderr,
                "SAMHAND_TEST_DATABASE_URL is not set: run the suite with ./samhand test\n");
        exit(1);
    }
    PGconn *conn = PQconnectdb(base);
    if (PQstatus(conn) != CONNECTION_OK) {
        fprintf(stderr, "cannot reach the test PostgreSQL: %s", PQerrorMessage(conn));
        exit(1);
    }
    char name[64], sql[128];
    snprintf(name, sizeof name, "t_%d_%ld", (int)getpid(), (long)time(NULL));
    snprintf(sql, sizeof sql, "CREATE DATABASE %s", name);
    PGresult *res = PQexec(conn, sql);
    if (PQresultStatus(res) != PGRES_COMMAND_OK) {
        fprintf(stderr, "cannot create test database: %s", PQerrorMessage(conn));
        exit(1);
    }
    PQclear(res);
    PQfinish(conn);
    /* replace the database name: the URL ends in /<dbname> */
    const char *slash = strrchr(base, '/');
    snprintf(s_url, sizeof s_url, "%.*s/%s", (int)(slash - base), base, name);
    s_prepare_roles(s_url);
    return s_url;
}

void harness_await_published(const char *service)
{
    char sql[160];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM %s.outbox_stream WHERE published_seq IS NULL",
             service);
    PGconn *conn = PQconnectdb(s_url);
    bool published = false;
    for (int t = 0; t < 200 && !published; t++) {
        PGresult *res = PQexec(conn, sql);
        published =
            PQresultStatus(res) == PGRES_TUPLES_OK && strcmp(PQgetvalue(res, 0, 0), "0") == 0;
        PQclear(res);
        if (!published)
            usleep(50 * 1000);
    }
    PQfinish(conn);
    if (!published)
        fail_msg("%s did not publish what it committed within 10 s", service);
    /* the relay sends a batch just after it commits its mark: a moment for
     * the last of it to reach the sockets */
    usleep(200 * 1000);
}
