/* libpq wrapper owned by one thread at a time; see samhand_db.h. */
#include "samhand_db.h"
#include "samhand_log.h"
#include "samhand/v1/event.pb-c.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct db {
    PGconn *conn;
    char *url;
    char *schema;
    int in_transaction;
    char error[512];
    char sqlstate[6];
};

static void s_set_error(db_t *db, const char *message, const char *sqlstate)
{
    snprintf(db->error, sizeof db->error, "%s", message ? message : "unknown error");
    size_t len = strlen(db->error);
    while (len && (db->error[len - 1] == '\n' || db->error[len - 1] == ' '))
        db->error[--len] = '\0';
    snprintf(db->sqlstate, sizeof db->sqlstate, "%s", sqlstate ? sqlstate : "");
}

static int s_set_search_path(db_t *db)
{
    const char *params[] = {db->schema};
    PGresult *res = PQexecParams(db->conn, "SELECT set_config('search_path', $1, false)", 1, NULL,
                                 params, NULL, NULL, 0);
    int ok = PQresultStatus(res) == PGRES_TUPLES_OK;
    if (!ok)
        s_set_error(db, PQerrorMessage(db->conn), NULL);
    PQclear(res);
    return ok ? 0 : -1;
}

static int s_connect(db_t *db, int wait_ms)
{
    struct timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (;;) {
        if (db->conn)
            PQfinish(db->conn);
        db->conn = PQconnectdb(db->url);
        if (PQstatus(db->conn) == CONNECTION_OK)
            return s_set_search_path(db);
        s_set_error(db, PQerrorMessage(db->conn), NULL);
        clock_gettime(CLOCK_MONOTONIC, &now);
        long elapsed_ms =
            (now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000;
        if (elapsed_ms >= wait_ms)
            return -1;
        struct timespec pause = {0, 200 * 1000000L};
        nanosleep(&pause, NULL);
    }
}

db_t *db_new(const char *url, const char *schema, int wait_ms)
{
    db_t *db = calloc(1, sizeof *db);
    if (!db)
        return NULL;
    db->url = strdup(url);
    db->schema = strdup(schema);
    if (!db->url || !db->schema || s_connect(db, wait_ms) != 0) {
        log_error("could not connect to database: %s", db->error);
        db_destroy(&db);
        return NULL;
    }
    return db;
}

void db_destroy(db_t **db_p)
{
    if (!db_p || !*db_p)
        return;
    db_t *db = *db_p;
    if (db->conn)
        PQfinish(db->conn);
    free(db->url);
    free(db->schema);
    free(db);
    *db_p = NULL;
}

PGresult *db_query_bin(db_t *db, const char *sql, int nparams, const char *const *params,
                       const int *lengths, const int *formats)
{
    for (int attempt = 0; attempt < 2; attempt++) {
        PGresult *res = PQexecParams(db->conn, sql, nparams, NULL, params, lengths, formats, 0);
        ExecStatusType status = PQresultStatus(res);
        if (status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK)
            return res;
        s_set_error(db, res ? PQresultErrorMessage(res) : PQerrorMessage(db->conn),
                    res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL);
        PQclear(res);
        if (PQstatus(db->conn) != CONNECTION_BAD || db->in_transaction || attempt > 0)
            break;
        /* Lost connection outside a transaction: nothing half-done, retry once. */
        log_warn("database connection lost, reconnecting: %s", db->error);
        char saved[sizeof db->error];
        memcpy(saved, db->error, sizeof saved);
        if (s_connect(db, 2000) != 0) {
            memcpy(db->error, saved, sizeof saved);
            break;
        }
    }
    if (PQstatus(db->conn) == CONNECTION_BAD) {
        db->in_transaction = 0;
        snprintf(db->sqlstate, sizeof db->sqlstate, "08006");
    }
    return NULL;
}

PGresult *db_query(db_t *db, const char *sql, int nparams, const char *const *params)
{
    return db_query_bin(db, sql, nparams, params, NULL, NULL);
}

static int s_command(db_t *db, const char *sql)
{
    PGresult *res = db_query(db, sql, 0, NULL);
    PQclear(res);
    return res ? 0 : -1;
}

/* Runs a script of several statements (migrations only: no parameters). */
static int s_script(db_t *db, const char *sql)
{
    PGresult *res = PQexec(db->conn, sql);
    ExecStatusType status = PQresultStatus(res);
    int ok = status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK;
    if (!ok)
        s_set_error(db, res ? PQresultErrorMessage(res) : PQerrorMessage(db->conn),
                    res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL);
    PQclear(res);
    return ok ? 0 : -1;
}

int db_begin(db_t *db)
{
    if (s_command(db, "BEGIN") != 0)
        return -1;
    db->in_transaction = 1;
    return 0;
}

int db_commit(db_t *db)
{
    db->in_transaction = 0;
    return s_command(db, "COMMIT");
}

void db_rollback(db_t *db)
{
    if (!db->in_transaction)
        return;
    db->in_transaction = 0;
    PGresult *res = PQexec(db->conn, "ROLLBACK");
    PQclear(res);
}

const char *db_error(db_t *db)
{
    return db->error;
}

const char *db_sqlstate(db_t *db)
{
    return db->sqlstate;
}

int db_ping(db_t *db)
{
    return s_command(db, "SELECT 1");
}

/* Bookkeeping every service schema has, whatever its own migrations say. */
static const char *s_bootstrap_sql =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    "  version integer PRIMARY KEY,"
    "  name text NOT NULL,"
    "  applied_at timestamptz NOT NULL DEFAULT now());"
    "CREATE TABLE IF NOT EXISTS outbox ("
    "  sequence bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
    "  id uuid NOT NULL DEFAULT gen_random_uuid() UNIQUE,"
    "  type text NOT NULL,"
    "  subject text NOT NULL,"
    "  event bytea NOT NULL,"
    "  created_at timestamptz NOT NULL DEFAULT now(),"
    "  published_at timestamptz);"
    "CREATE INDEX IF NOT EXISTS outbox_unpublished ON outbox (sequence)"
    "  WHERE published_at IS NULL;";

int db_schema_version(db_t *db)
{
    PGresult *res =
        db_query(db, "SELECT coalesce(max(version), 0) FROM schema_migrations", 0, NULL);
    if (!res)
        return -1;
    int version = atoi(PQgetvalue(res, 0, 0));
    PQclear(res);
    return version;
}

int db_migrate(db_t *db, const db_migration_t *migrations, size_t n)
{
    const char *schema_param[] = {db->schema};
    PGresult *res = db_query(db, "SELECT pg_advisory_lock(hashtext('samhand.migrate.' || $1))", 1,
                             schema_param);
    if (!res) {
        log_error("could not take the migration lock: %s", db->error);
        return -1;
    }
    PQclear(res);

    int version = -1;
    char *create = NULL;
    char *quoted = PQescapeIdentifier(db->conn, db->schema, strlen(db->schema));
    if (!quoted || asprintf(&create, "CREATE SCHEMA IF NOT EXISTS %s", quoted) < 0) {
        create = NULL;
        goto cleanup;
    }
    if (s_command(db, create) != 0 || s_script(db, s_bootstrap_sql) != 0) {
        log_error("could not create schema %s: %s", db->schema, db->error);
        goto cleanup;
    }
    version = db_schema_version(db);
    for (size_t i = 0; version >= 0 && i < n; i++) {
        const db_migration_t *m = &migrations[i];
        if (m->version <= version)
            continue;
        char number[16];
        snprintf(number, sizeof number, "%d", m->version);
        const char *params[] = {number, m->name};
        if (db_begin(db) != 0 || s_script(db, m->sql) != 0) {
            log_error("could not apply migration %s: %s", m->name, db->error);
            db_rollback(db);
            version = -1;
            break;
        }
        res = db_query(db, "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", 2,
                       params);
        PQclear(res);
        if (!res || db_commit(db) != 0) {
            log_error("could not record migration %s: %s", m->name, db->error);
            db_rollback(db);
            version = -1;
            break;
        }
        log_info("applied migration %s", m->name);
        version = m->version;
    }

cleanup:
    res = db_query(db, "SELECT pg_advisory_unlock(hashtext('samhand.migrate.' || $1))", 1,
                   schema_param);
    PQclear(res);
    PQfreemem(quoted);
    free(create);
    return version;
}

int db_outbox_append(db_t *db, const char *type, const char *subject, const char *organization_id,
                     const char *committee_id, const ProtobufCMessage *data)
{
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    char source[80];
    snprintf(source, sizeof source, "/%s", db->schema);
    Samhand__V1__Timestamp time = SAMHAND__V1__TIMESTAMP__INIT;
    time.seconds = now.tv_sec;
    time.nanos = (int32_t)now.tv_nsec;
    Samhand__V1__Event event = SAMHAND__V1__EVENT__INIT;
    event.type = (char *)type;
    event.source = source;
    event.subject = (char *)subject;
    event.time = &time;
    event.organization_id = (char *)(organization_id ? organization_id : "");
    event.committee_id = (char *)(committee_id ? committee_id : "");
    event.data_type = (char *)data->descriptor->name;
    event.data.len = protobuf_c_message_get_packed_size(data);
    uint8_t *data_bytes = malloc(event.data.len ? event.data.len : 1);
    if (!data_bytes)
        return -1;
    protobuf_c_message_pack(data, data_bytes);
    event.data.data = data_bytes;

    size_t len = samhand__v1__event__get_packed_size(&event);
    uint8_t *packed = malloc(len ? len : 1);
    if (!packed) {
        free(data_bytes);
        return -1;
    }
    samhand__v1__event__pack(&event, packed);
    const char *params[] = {type, subject, (const char *)packed};
    int lengths[] = {0, 0, (int)len};
    int formats[] = {0, 0, 1};
    PGresult *res =
        db_query_bin(db, "INSERT INTO outbox (type, subject, event) VALUES ($1, $2, $3)", 3, params,
                     lengths, formats);
    free(packed);
    free(data_bytes);
    if (!res)
        return -1;
    PQclear(res);
    return 0;
}
