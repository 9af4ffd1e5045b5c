/* libpq wrapper owned by one thread (or one fiber) at a time; see
 * samhand_db.h. The connection is non-blocking: every wait for the
 * server goes through fiber_wait, so on a fiber the loop runs the others
 * meanwhile, and on a plain thread it blocks as libpq itself would. */
#include "samhand_db.h"
#include "samhand_fiber.h"
#include "samhand_visibility.h"
#include "samhand_log.h"
#include "samhand_metrics.h"
#include "samhand/v1/event.pb-c.h"

#include <assert.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

/* Statements prepared on this connection, keyed by their text: parsed and
 * planned once per connection instead of once per call. */
#define PREPARED_MAX 128

#define REPLAN_FIRST 64 /* the uses after which a prepared statement is planned anew first */

typedef struct {
    char *sql;
    unsigned long hash;
    long uses;
    long replan_at; /* planned anew at this use, then at twice as many */
    bool is_gone;   /* deallocated, not prepared again: prepared at its next use */
} s_prepared_t;

#define DEFERRED_MAX 4 /* events of a transaction waiting for its next statement */

struct db {
    PGconn *conn;
    s_prepared_t prepared[PREPARED_MAX];
    int n_prepared;
    const char *unprepared_sql; /* the statement db_query_planned runs now */
    char *url;
    char *schema;
    char *session_sql; /* run after each connect: db_set_session */
    int in_transaction;
    int begin_pending; /* BEGIN asked for, sent with the next statement */
    /* events appended to the outbox in this transaction and not yet sent:
     * their inserts travel with the next statement or the COMMIT */
    struct s_deferred {
        char *type, *subject;
        uint8_t *packed;
        int len;
    } deferred[DEFERRED_MAX];
    int n_deferred;
    /* queue items this transaction moves, counted when it commits */
    struct {
        const char *queue, *flow;
        int n;
    } counts[4];
    int n_counts;
    /* what to call when this transaction commits */
    struct {
        void (*fn)(void *);
        void *arg;
    } at_commit[4];
    int n_at_commit;
    char error[512];
    char sqlstate[6];
    /* who the work on this connection is for: events carry it */
    const char *actor, *actor_organization_id;
};

/* Only the message's first line is kept: the server's DETAIL (and a
 * CONTEXT) quote the failing row's values, which are the parties' data,
 * and db_error() is what the logs say; the first line names the
 * constraint or the cause. */
static void s_set_error(db_t *db, const char *message, const char *sqlstate)
{
    if (!message)
        message = "unknown error";
    snprintf(db->error, sizeof db->error, "%.*s", (int)strcspn(message, "\n"), message);
    size_t len = strlen(db->error);
    while (len && (db->error[len - 1] == '\n' || db->error[len - 1] == ' '))
        db->error[--len] = '\0';
    snprintf(db->sqlstate, sizeof db->sqlstate, "%s", sqlstate ? sqlstate : "");
}

/* Sends what libpq has buffered, reading meanwhile as libpq asks of a
 * non-blocking connection. 0, or -1 when the connection failed. */
static int s_flush(db_t *db)
{
    int rc;
    while ((rc = PQflush(db->conn)) == 1) {
        int ready = fiber_wait(NULL, PQsocket(db->conn), ZMQ_POLLIN | ZMQ_POLLOUT, -1);
        if ((ready & ZMQ_POLLIN) && !PQconsumeInput(db->conn))
            return -1;
    }
    return rc;
}

/* The next result of what was sent, waiting for the server without
 * blocking the loop; NULL at the end of a statement's results. */
static PGresult *s_result(db_t *db)
{
    while (PQisBusy(db->conn)) {
        fiber_wait(NULL, PQsocket(db->conn), ZMQ_POLLIN, -1);
        if (!PQconsumeInput(db->conn) && PQisBusy(db->conn))
            return NULL;
    }
    return PQgetResult(db->conn);
}

/* The result of the one statement just queued by a PQsend* call (`sent`,
 * its return value), having read to its end: the async PQexec. */
static PGresult *s_finish(db_t *db, int sent)
{
    if (!sent || s_flush(db) != 0)
        return NULL;
    PGresult *res = s_result(db), *more;
    while ((more = s_result(db)) != NULL) {
        /* a statement gives one result; keep the last, as PQexec does */
        PQclear(res);
        res = more;
    }
    return res;
}

/* The session's settings: the schema's search path and the partnership's
 * time zone (its days are Oslo's: current_date, a timestamptz's date and a
 * date compared with a time, whatever the server's zone), then what the
 * owner of the connection set with db_set_session. After every connect, so
 * that a reconnection (the database restarted) gives the same session. */
static int s_set_session(db_t *db)
{
    const char *params[] = {db->schema};
    PGresult *res = s_finish(db, PQsendQueryParams(db->conn,
                                                   "SELECT set_config('search_path', $1, false), "
                                                   "set_config('TimeZone', 'Europe/Oslo', false)",
                                                   1, NULL, params, NULL, NULL, 0));
    int ok = PQresultStatus(res) == PGRES_TUPLES_OK;
    PQclear(res);
    if (ok && db->session_sql) {
        res = s_finish(db,
                       PQsendQueryParams(db->conn, db->session_sql, 0, NULL, NULL, NULL, NULL, 0));
        ok = PQresultStatus(res) == PGRES_TUPLES_OK || PQresultStatus(res) == PGRES_COMMAND_OK;
        PQclear(res);
    }
    if (!ok)
        s_set_error(db, PQerrorMessage(db->conn), NULL);
    return ok ? 0 : -1;
}

static void s_forget_prepared(db_t *db)
{
    for (int i = 0; i < db->n_prepared; i++)
        free(db->prepared[i].sql);
    db->n_prepared = 0;
}

static unsigned long s_hash(const char *text)
{
    unsigned long h = 1469598103934665603UL; /* FNV-1a */
    for (; *text; text++)
        h = (h ^ (unsigned char)*text) * 1099511628211UL;
    return h;
}

/* Prepares `p` (named `name`) anew, so that PostgreSQL plans it for its
 * tables as they are now: a prepared statement keeps one generic plan once
 * its first few runs have made it, until a table's statistics change, and
 * one made while a table was small scans it whole once it has grown (a
 * report updated by id, its table filled from empty: 420 µs a call, 97 µs
 * planned anew, until autovacuum analyzed the table, a minute or more
 * later). At uses 64, 128, 256 ...: the table each plan was made for is at
 * least half as large as now where each use adds a row. What cannot be
 * dropped (a transaction failed) stays as it is until the next time. */
static void s_replan(db_t *db, s_prepared_t *p, const char *name, int nparams)
{
    if (!p->is_gone) {
        char sql[32];
        snprintf(sql, sizeof sql, "DEALLOCATE %.15s", name);
        PGresult *res = s_finish(db, PQsendQuery(db->conn, sql));
        p->is_gone = PQresultStatus(res) == PGRES_COMMAND_OK;
        PQclear(res);
        if (!p->is_gone)
            return;
    }
    PGresult *res = s_finish(db, PQsendPrepare(db->conn, name, p->sql, nparams, NULL));
    p->is_gone = PQresultStatus(res) != PGRES_COMMAND_OK;
    PQclear(res);
}

/* The name of `sql` prepared on this connection, preparing it first if
 * needed; "" (unnamed, prepared per call) when the cache is full, for
 * db_query_planned, and for a statement without parameters: it would keep
 * one plan for good (there are no values to plan it for anew), the one
 * made when its tables were small, which scans them whole once they have
 * grown (notify's look for the next delivery due: 93 ms a call, a scan of
 * every delivery for each subscription); NULL when preparing failed
 * (error set). */
static const char *s_statement(db_t *db, const char *sql, int nparams, char name[16])
{
    if (sql == db->unprepared_sql || nparams == 0)
        return "";
    unsigned long hash = s_hash(sql);
    for (int i = 0; i < db->n_prepared; i++) {
        s_prepared_t *p = &db->prepared[i];
        if (p->hash == hash && strcmp(p->sql, sql) == 0) {
            snprintf(name, 16, "s%d", i);
            if (++p->uses >= p->replan_at || p->is_gone) {
                p->replan_at = 2 * p->uses;
                s_replan(db, p, name, nparams);
            }
            return p->is_gone ? "" : name;
        }
    }
    if (db->n_prepared == PREPARED_MAX)
        return "";
    snprintf(name, 16, "s%d", db->n_prepared);
    PGresult *res = s_finish(db, PQsendPrepare(db->conn, name, sql, nparams, NULL));
    int ok = PQresultStatus(res) == PGRES_COMMAND_OK;
    if (!ok)
        s_set_error(db, res ? PQresultErrorMessage(res) : PQerrorMessage(db->conn),
                    res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL);
    PQclear(res);
    if (!ok)
        return NULL;
    db->prepared[db->n_prepared] =
        (s_prepared_t){.sql = strdup(sql), .hash = hash, .uses = 1, .replan_at = REPLAN_FIRST};
    db->n_prepared++;
    return name;
}

/* One attempt to connect, driving libpq's connection state machine
 * without blocking the loop. */
static int s_connect_once(db_t *db)
{
    if (db->conn)
        PQfinish(db->conn);
    db->conn = PQconnectStart(db->url);
    if (!db->conn)
        return -1;
    PostgresPollingStatusType poll = PGRES_POLLING_WRITING;
    while (PQstatus(db->conn) != CONNECTION_BAD && poll != PGRES_POLLING_OK &&
           poll != PGRES_POLLING_FAILED) {
        fiber_wait(NULL, PQsocket(db->conn),
                   poll == PGRES_POLLING_READING ? ZMQ_POLLIN : ZMQ_POLLOUT, 10000);
        poll = PQconnectPoll(db->conn);
    }
    if (PQstatus(db->conn) != CONNECTION_OK || PQsetnonblocking(db->conn, 1) != 0)
        return -1;
    return 0;
}

static int s_connect(db_t *db, int wait_ms)
{
    s_forget_prepared(db);
    struct timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (;;) {
        if (s_connect_once(db) == 0)
            return s_set_session(db);
        s_set_error(db, db->conn ? PQerrorMessage(db->conn) : "out of memory", NULL);
        clock_gettime(CLOCK_MONOTONIC, &now);
        long elapsed_ms =
            (now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000;
        if (elapsed_ms >= wait_ms)
            return -1;
        fiber_sleep(200);
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

/* Lets go of the events waiting for their insert (sent, or gone with their
 * transaction). */
static void s_deferred_forget(db_t *db)
{
    for (int i = 0; i < db->n_deferred; i++) {
        free(db->deferred[i].type);
        free(db->deferred[i].subject);
        free(db->deferred[i].packed);
    }
    db->n_deferred = 0;
}

void db_destroy(db_t **db_p)
{
    if (!db_p || !*db_p)
        return;
    db_t *db = *db_p;
    if (db->conn)
        PQfinish(db->conn);
    s_deferred_forget(db);
    s_forget_prepared(db);
    free(db->url);
    free(db->schema);
    free(db->session_sql);
    free(db);
    *db_p = NULL;
}

int db_set_session(db_t *db, const char *sql)
{
    free(db->session_sql);
    db->session_sql = strdup(sql);
    if (!db->session_sql)
        return -1;
    PGresult *res = db_query(db, sql, 0, NULL);
    PQclear(res);
    return res ? 0 : -1;
}

/* One statement of a round trip. */
typedef struct {
    const char *sql;
    int nparams;
    const char *const *params;
    const int *lengths;
    const int *formats;
} s_step_t;

static int s_ok(const PGresult *res)
{
    ExecStatusType status = PQresultStatus(res);
    return status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK;
}

#define STEPS_MAX 16 /* statements of one round trip: BEGIN, the deferred, 8 */
#define EACH_MAX 8

/* Runs `steps` in one round trip (libpq pipeline mode when more than one):
 * 0 and every step's result in each[i] (the caller's to clear), or -1
 * and none, with the first failure's error set. */
static int s_run(db_t *db, const s_step_t *steps, int n, PGresult **each)
{
    char names[STEPS_MAX][16];
    const char *statements[STEPS_MAX];
    assert(n >= 1 && n <= STEPS_MAX);
    for (int i = 0; i < n; i++)
        each[i] = NULL;
    for (int i = 0; i < n; i++) {
        statements[i] = s_statement(db, steps[i].sql, steps[i].nparams, names[i]);
        if (!statements[i])
            return -1;
    }
    if (n == 1) {
        PGresult *res = s_finish(
            db, *statements[0]
                    ? PQsendQueryPrepared(db->conn, statements[0], steps[0].nparams,
                                          steps[0].params, steps[0].lengths, steps[0].formats, 0)
                    : PQsendQueryParams(db->conn, steps[0].sql, steps[0].nparams, NULL,
                                        steps[0].params, steps[0].lengths, steps[0].formats, 0));
        if (s_ok(res)) {
            each[0] = res;
            return 0;
        }
        s_set_error(db, res ? PQresultErrorMessage(res) : PQerrorMessage(db->conn),
                    res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL);
        PQclear(res);
        return -1;
    }

    if (!PQenterPipelineMode(db->conn)) {
        s_set_error(db, PQerrorMessage(db->conn), NULL);
        return -1;
    }
    int sent = 1;
    for (int i = 0; i < n && sent; i++)
        sent = *statements[i]
                   ? PQsendQueryPrepared(db->conn, statements[i], steps[i].nparams, steps[i].params,
                                         steps[i].lengths, steps[i].formats, 0)
                   : PQsendQueryParams(db->conn, steps[i].sql, steps[i].nparams, NULL,
                                       steps[i].params, steps[i].lengths, steps[i].formats, 0);
    sent = sent && PQpipelineSync(db->conn) && s_flush(db) == 0;
    int failed = !sent;
    if (!sent)
        s_set_error(db, PQerrorMessage(db->conn), NULL);
    /* every step gives a result and a NULL; then comes the sync */
    for (int i = 0; sent && i < n; i++) {
        PGresult *res = s_result(db);
        if (!res) {
            s_set_error(db, PQerrorMessage(db->conn), NULL);
            failed = 1;
            break;
        }
        if (!failed && !s_ok(res)) {
            s_set_error(db, PQresultErrorMessage(res), PQresultErrorField(res, PG_DIAG_SQLSTATE));
            failed = 1;
        }
        each[i] = res;
        PQclear(s_result(db)); /* the NULL that ends this step */
    }
    PGresult *sync;
    while ((sync = s_result(db)) != NULL) {
        ExecStatusType status = PQresultStatus(sync);
        PQclear(sync);
        if (status == PGRES_PIPELINE_SYNC)
            break;
    }
    PQexitPipelineMode(db->conn);
    if (failed) /* all or none */
        for (int i = 0; i < n; i++)
            PQclear(each[i]), each[i] = NULL;
    return failed ? -1 : 0;
}

static const s_step_t s_begin_step = {"BEGIN", 0, NULL, NULL, NULL};

/* The transaction's id is taken (pg_current_xact_id in FROM, evaluated
 * before the row's target list, whose identity default takes the
 * sequence) before its row's sequence: so a transaction holding a sequence
 * has an id below any id given out after that sequence was read, which is
 * what the relay's horizon counts on (samhand_relay.c). */
#define OUTBOX_INSERT                                                                              \
    "INSERT INTO outbox (type, subject, event) SELECT $1::text, $2::text, $3::bytea "              \
    "FROM pg_current_xact_id()"

/* Runs the caller's `n` steps as db_query does one statement: after a
 * BEGIN not yet sent and the outbox inserts deferred (all in one round
 * trip), and, `may_retry`, again once on a new connection when the
 * connection was lost before anything of a transaction was done (never a
 * COMMIT: the first may have committed). `each` as s_run's, for the
 * caller's steps alone. */
static PGresult *s_run_retrying(db_t *db, const s_step_t *steps, int n, PGresult **each,
                                bool may_retry)
{
    for (int attempt = 0; attempt < 2; attempt++) {
        int with_begin = db->begin_pending;
        s_step_t all[STEPS_MAX];
        const char *deferred[DEFERRED_MAX][3];
        int lengths[DEFERRED_MAX][3];
        static const int formats[3] = {0, 0, 1};
        int lead = 0;
        if (with_begin)
            all[lead++] = s_begin_step;
        for (int i = 0; i < db->n_deferred; i++) {
            const struct s_deferred *d = &db->deferred[i];
            deferred[i][0] = d->type;
            deferred[i][1] = d->subject;
            deferred[i][2] = (const char *)d->packed;
            lengths[i][0] = lengths[i][1] = 0;
            lengths[i][2] = d->len;
            all[lead++] = (s_step_t){OUTBOX_INSERT, 3, deferred[i], lengths[i], formats};
        }
        assert(lead + n <= STEPS_MAX);
        memcpy(all + lead, steps, (size_t)n * sizeof *steps);
        PGresult *got[STEPS_MAX], *res = NULL;
        if (s_run(db, all, lead + n, got) == 0) {
            for (int i = 0; i < lead; i++)
                PQclear(got[i]);
            if (each)
                memcpy(each, got + lead, (size_t)n * sizeof *each);
            else
                for (int i = lead; i < lead + n - 1; i++)
                    PQclear(got[i]);
            res = got[lead + n - 1]; /* with `each`, only the sign of success */
        }
        if (PQstatus(db->conn) != CONNECTION_BAD)
            db->begin_pending = 0;
        if (res || PQstatus(db->conn) != CONNECTION_BAD)
            s_deferred_forget(db); /* sent; or failed, and the transaction with them */
        if (res)
            return res;
        /* Lost connection before anything of a transaction was done:
         * nothing half-done, so reconnect and retry once. */
        if (PQstatus(db->conn) != CONNECTION_BAD || attempt > 0 || !may_retry ||
            (db->in_transaction && !with_begin))
            break;
        log_warn("database connection lost, reconnecting: %s", db->error);
        char saved[sizeof db->error];
        memcpy(saved, db->error, sizeof saved);
        if (s_connect(db, 2000) != 0) {
            memcpy(db->error, saved, sizeof saved);
            break;
        }
    }
    s_deferred_forget(db);
    if (PQstatus(db->conn) == CONNECTION_BAD) {
        /* a transaction stays open, and lost: what it did went with the
         * old session, so its next statements and its COMMIT fail too
         * (retried on a new connection, each would commit on its own)
         * until the caller rolls it back */
        db->begin_pending = 0;
        snprintf(db->sqlstate, sizeof db->sqlstate, "08006");
    }
    return NULL;
}

PGresult *db_query_bin(db_t *db, const char *sql, int nparams, const char *const *params,
                       const int *lengths, const int *formats)
{
    s_step_t step = {sql, nparams, params, lengths, formats};
    return s_run_retrying(db, &step, 1, NULL, true);
}

int db_query_each(db_t *db, const db_statement_t *statements, int n, PGresult **results)
{
    assert(n >= 1 && n <= EACH_MAX);
    s_step_t steps[EACH_MAX];
    for (int i = 0; i < n; i++)
        steps[i] =
            (s_step_t){statements[i].sql, statements[i].nparams, statements[i].params, NULL, NULL};
    for (int i = 0; i < n; i++)
        results[i] = NULL;
    return s_run_retrying(db, steps, n, results, true) ? 0 : -1;
}

PGresult *db_query(db_t *db, const char *sql, int nparams, const char *const *params)
{
    return db_query_bin(db, sql, nparams, params, NULL, NULL);
}

PGresult *db_query_planned(db_t *db, const char *sql, int nparams, const char *const *params)
{
    db->unprepared_sql = sql;
    PGresult *res = db_query_bin(db, sql, nparams, params, NULL, NULL);
    db->unprepared_sql = NULL;
    return res;
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
    if (db->begin_pending) {
        db->begin_pending = 0;
        PQclear(PQexec(db->conn, "BEGIN"));
    }
    PGresult *res = PQexec(db->conn, sql);
    ExecStatusType status = PQresultStatus(res);
    int ok = status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK;
    if (!ok)
        s_set_error(db, res ? PQresultErrorMessage(res) : PQerrorMessage(db->conn),
                    res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL);
    PQclear(res);
    return ok ? 0 : -1;
}

int db_socket(db_t *db)
{
    return db->conn ? PQsocket(db->conn) : -1;
}

int db_notifications(db_t *db)
{
    if (!db->conn || !PQconsumeInput(db->conn) || PQstatus(db->conn) == CONNECTION_BAD)
        return -1;
    int n = 0;
    PGnotify *notify;
    while ((notify = PQnotifies(db->conn)) != NULL) {
        PQfreemem(notify);
        n++;
    }
    return n;
}

int db_begin(db_t *db)
{
    /* No round trip of its own: BEGIN goes out with the first statement.
     * The last failure is forgotten: what fails in this one is its own. */
    db->error[0] = db->sqlstate[0] = '\0';
    db->in_transaction = 1;
    db->begin_pending = 1;
    return 0;
}

void db_count_at_commit(db_t *db, const char *queue, const char *flow, int n)
{
    for (int i = 0; i < db->n_counts; i++)
        if (strcmp(db->counts[i].queue, queue) == 0 && strcmp(db->counts[i].flow, flow) == 0) {
            db->counts[i].n += n;
            return;
        }
    if (db->n_counts < (int)(sizeof db->counts / sizeof db->counts[0])) {
        db->counts[db->n_counts].queue = queue;
        db->counts[db->n_counts].flow = flow;
        db->counts[db->n_counts++].n = n;
    }
}

void db_set_actor(db_t *db, const char *subject, const char *organization_id)
{
    if (!db)
        return;
    db->actor = subject;
    db->actor_organization_id = organization_id;
}

void db_at_commit(db_t *db, void (*fn)(void *), void *arg)
{
    for (int i = 0; i < db->n_at_commit; i++)
        if (db->at_commit[i].fn == fn && db->at_commit[i].arg == arg)
            return;
    assert(db->n_at_commit < (int)(sizeof db->at_commit / sizeof db->at_commit[0]));
    if (db->n_at_commit < (int)(sizeof db->at_commit / sizeof db->at_commit[0])) {
        db->at_commit[db->n_at_commit].fn = fn;
        db->at_commit[db->n_at_commit++].arg = arg;
    }
}

void db_wake(void *eventfd)
{
    uint64_t one = 1;
    if (write((int)(intptr_t)eventfd, &one, sizeof one) < 0) {
        /* full (2^64 - 2 wake-ups unread) or closed: the reader's own
         * tick finds the work */
    }
}

/* The relay's eventfd, woken by every commit that wrote to the outbox. */
static atomic_int s_outbox_wake = -1;

void db_outbox_wake(int fd)
{
    atomic_store(&s_outbox_wake, fd);
}

void db_outbox_nudge(void)
{
    int fd = atomic_load(&s_outbox_wake);
    if (fd >= 0)
        db_wake((void *)(intptr_t)fd);
}

static void s_wake_relay(db_t *db)
{
    int fd = atomic_load(&s_outbox_wake);
    if (fd >= 0)
        db_at_commit(db, db_wake, (void *)(intptr_t)fd);
}

/* What waited for the commit: the counts, then the wake-ups. */
static void s_committed(db_t *db)
{
    for (int i = 0; i < db->n_counts; i++)
        if (db->counts[i].n > 0)
            metrics_queue_flow(db->schema, db->counts[i].queue, db->counts[i].flow,
                               db->counts[i].n);
    db->n_counts = 0;
    for (int i = 0; i < db->n_at_commit; i++)
        db->at_commit[i].fn(db->at_commit[i].arg);
    db->n_at_commit = 0;
}

int db_commit(db_t *db)
{
    /* a transaction of deferred events alone sends them, BEGIN first */
    int had_statements = !db->begin_pending || db->n_deferred > 0;
    if (db->n_deferred == 0)
        db->begin_pending = 0;
    /* still in the transaction while COMMIT travels: a connection lost now
     * must fail the commit, not retry COMMIT on a new connection, where it
     * would "succeed" with no transaction and the work would be gone */
    s_step_t commit = {"COMMIT", 0, NULL, NULL, NULL};
    PGresult *res = had_statements ? s_run_retrying(db, &commit, 1, NULL, false) : NULL;
    int rc = had_statements && !res ? -1 : 0;
    PQclear(res);
    /* a deferred insert that failed left COMMIT unrun in the pipeline, and
     * the transaction open and aborted */
    if (rc != 0 && PQstatus(db->conn) != CONNECTION_BAD &&
        PQtransactionStatus(db->conn) != PQTRANS_IDLE)
        PQclear(s_finish(db, PQsendQuery(db->conn, "ROLLBACK")));
    db->in_transaction = 0;
    if (rc == 0)
        s_committed(db);
    db->n_counts = 0;
    db->n_at_commit = 0;
    return rc;
}

void db_rollback(db_t *db)
{
    db->n_counts = 0;
    db->n_at_commit = 0;
    s_deferred_forget(db);
    if (!db->in_transaction)
        return;
    int had_statements = !db->begin_pending;
    db->in_transaction = 0;
    db->begin_pending = 0;
    if (had_statements) {
        PQclear(s_finish(db, PQsendQuery(db->conn, "ROLLBACK")));
    }
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
    /* its IF NOT EXISTS and IF EXISTS would each log a NOTICE at every start */
    "SET LOCAL client_min_messages = warning;"
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    "  version integer PRIMARY KEY,"
    "  name text NOT NULL,"
    "  applied_at timestamptz NOT NULL DEFAULT now());"
    /* One index a write pays: the rows by sequence, which the relay's
     * batches and the catch-up read. `id` is a random UUID that nothing
     * looks up (notify's inbox is unique by it); `outbox_numbered` below
     * holds only rows numbered before the marks. */
    "CREATE TABLE IF NOT EXISTS outbox ("
    "  sequence bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
    "  id uuid NOT NULL DEFAULT gen_random_uuid(),"
    "  type text NOT NULL,"
    "  subject text NOT NULL,"
    "  event bytea NOT NULL,"
    "  created_at timestamptz NOT NULL DEFAULT now(),"
    "  published_at timestamptz);"
    /* Every change below only when missing: DDL locks the outbox even
     * when there is nothing to do, and another replica already serving
     * (its relay, its followers) holds the outbox in its transactions; its
     * lock and an upgrade to ACCESS EXCLUSIVE deadlocked, and the replica
     * starting second exited. */
    /* the stream is numbered by marks, one a publication, not row by row:
     * every row up to `sequence` is final (committed, or never will be),
     * and those after the mark before it are numbered in their order up to
     * `published`; see samhand_relay.c */
    "CREATE TABLE IF NOT EXISTS outbox_marks ("
    "  published bigint PRIMARY KEY,"
    "  sequence bigint NOT NULL,"
    "  published_at timestamptz NOT NULL DEFAULT now());"
    "DO $$ BEGIN"
    /* published_seq and published_at: the numbers the relay once wrote into
     * every row (before outbox_marks), kept for the rows numbered so */
    "  IF NOT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = 'outbox'::regclass"
    "                 AND attname = 'published_seq' AND NOT attisdropped) THEN"
    "    ALTER TABLE outbox ADD COLUMN published_seq bigint;"
    "  END IF;"
    /* the first mark: what the relay numbered row by row before stays so,
     * and what it had not yet numbered is numbered now, as it did, while
     * no writer is in the middle of a transaction (SHARE waits for them) */
    /* (or again, after marks that an earlier build of the marks left
     * behind when the relay went back to numbering rows for a while) */
    "  IF NOT EXISTS (SELECT 1 FROM outbox_marks) OR EXISTS (SELECT 1 FROM outbox"
    "      WHERE published_seq IS NOT NULL AND sequence > (SELECT sequence"
    "        FROM outbox_marks ORDER BY published DESC LIMIT 1)) THEN"
    "    LOCK TABLE outbox IN SHARE MODE;"
    "    UPDATE outbox o SET published_seq = u.base + u.rn, published_at = now()"
    "      FROM (SELECT sequence, row_number() OVER (ORDER BY sequence) AS rn,"
    "        (SELECT coalesce(max(published_seq), 0) FROM outbox) AS base"
    "        FROM outbox WHERE published_seq IS NULL) u WHERE o.sequence = u.sequence;"
    "    INSERT INTO outbox_marks (published, sequence)"
    "      SELECT coalesce(max(published_seq), 0), coalesce(max(sequence), 0) FROM outbox;"
    "  END IF;"
    /* rows numbered by marks carry no number: only the old ones are indexed */
    "  IF to_regclass('outbox_unpublished') IS NOT NULL THEN"
    "    DROP INDEX outbox_unpublished;"
    "  END IF;"
    "  IF EXISTS (SELECT 1 FROM pg_constraint WHERE conrelid = 'outbox'::regclass"
    "             AND conname = 'outbox_published_seq_key') THEN"
    "    ALTER TABLE outbox DROP CONSTRAINT outbox_published_seq_key;"
    "  END IF;"
    "  IF to_regclass('outbox_numbered') IS NULL THEN"
    "    CREATE UNIQUE INDEX outbox_numbered ON outbox (published_seq)"
    "      WHERE published_seq IS NOT NULL;"
    "  END IF;"
    /* each row with its number in the stream (NULL: not yet published), for
     * people and tests; the relay's own statements find rows by the marks.
     * (A new definition needs a new name, or a migration, to replace it.) */
    "  IF to_regclass('outbox_stream') IS NULL THEN"
    "    CREATE VIEW outbox_stream AS"
    "      SELECT o.sequence, o.id, o.type, o.subject, o.event, o.created_at,"
    "        CASE WHEN o.published_seq IS NOT NULL THEN o.published_seq"
    "          WHEN o.sequence <= top.sequence THEN first.published"
    "            + row_number() OVER (PARTITION BY o.published_seq IS NULL ORDER BY o.sequence)"
    "        END AS published_seq"
    "      FROM outbox o,"
    "        (SELECT published, sequence FROM outbox_marks ORDER BY published LIMIT 1) first,"
    "        (SELECT sequence FROM outbox_marks ORDER BY published DESC LIMIT 1) top"
    "      WHERE o.published_seq IS NOT NULL OR o.sequence > first.sequence;"
    "  END IF;"
    /* an outbox made without its primary key (7d7cdd9, for a day) */
    "  IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conrelid = 'outbox'::regclass"
    "                 AND contype = 'p') THEN"
    "    ALTER TABLE outbox ADD PRIMARY KEY (sequence);"
    "  END IF;"
    /* an outbox made when `id` was unique as well */
    "  IF EXISTS (SELECT 1 FROM pg_constraint WHERE conrelid = 'outbox'::regclass"
    "             AND conname = 'outbox_id_key') THEN"
    "    ALTER TABLE outbox DROP CONSTRAINT outbox_id_key;"
    "  END IF;"
    "END $$;"
    /* where this service's consumers are in other services' streams */
    "CREATE TABLE IF NOT EXISTS consumer_offsets ("
    "  source text PRIMARY KEY,"
    "  last_sequence bigint NOT NULL);"
    "CREATE TABLE IF NOT EXISTS idempotency ("
    "  subject text NOT NULL,"
    "  method text NOT NULL,"
    "  key text NOT NULL,"
    "  request_sha256 bytea NOT NULL,"
    "  reply bytea NOT NULL,"
    "  created_at timestamptz NOT NULL DEFAULT now(),"
    "  PRIMARY KEY (subject, method, key));";

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
    /* A schema made beforehand for the service's own role (./samhand up,
     * the compose stack) needs no CREATE right on the database. */
    res = db_query(db, "SELECT 1 FROM pg_namespace WHERE nspname = $1", 1, schema_param);
    int exists = res && PQntuples(res) > 0;
    PQclear(res);
    if ((!exists && s_command(db, create) != 0) || s_script(db, s_bootstrap_sql) != 0) {
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

/* Packs the Event for `data`; the caller frees *packed_p. */
static size_t s_pack_event(db_t *db, const char *type, const char *subject,
                           const char *organization_id, const char *committee_id,
                           const db_audience_t *audience, const ProtobufCMessage *data,
                           uint8_t **packed_p)
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
    if (audience) {
        event.audience_organization_ids = (char **)audience->organizations;
        event.n_audience_organization_ids = audience->n_organizations;
        event.audience_subjects = (char **)audience->subjects;
        event.n_audience_subjects = audience->n_subjects;
    }
    /* the roles that may read it: the visibility table's, unless the
     * service narrows them further */
    const visibility_event_t *visible = visibility_event(type);
    event.audience_roles = (char **)visible->roles;
    event.n_audience_roles = visibility_roles_count(visible);
    if (audience && audience->n_roles > 0) {
        event.audience_roles = (char **)audience->roles;
        event.n_audience_roles = audience->n_roles;
    }
    event.actor = (char *)(db->actor && db->actor[0] ? db->actor : "system");
    event.actor_organization_id =
        (char *)(db->actor_organization_id ? db->actor_organization_id : "");
    event.data_type = (char *)data->descriptor->name;
    event.data.len = protobuf_c_message_get_packed_size(data);
    uint8_t *data_bytes = malloc(event.data.len + 1);
    assert(data_bytes);
    protobuf_c_message_pack(data, data_bytes);
    event.data.data = data_bytes;
    size_t len = samhand__v1__event__get_packed_size(&event);
    *packed_p = malloc(len + 1);
    assert(*packed_p);
    samhand__v1__event__pack(&event, *packed_p);
    free(data_bytes);
    return len;
}

int db_outbox_append(db_t *db, const char *type, const char *subject, const char *organization_id,
                     const char *committee_id, const ProtobufCMessage *data)
{
    return db_outbox_append_for(db, type, subject, organization_id, committee_id, NULL, data);
}

int db_outbox_append_for(db_t *db, const char *type, const char *subject,
                         const char *organization_id, const char *committee_id,
                         const db_audience_t *audience, const ProtobufCMessage *data)
{
    uint8_t *packed;
    size_t len =
        s_pack_event(db, type, subject, organization_id, committee_id, audience, data, &packed);
    /* in a transaction the insert waits for the next statement or the
     * COMMIT and travels with it: no round trip of its own; a fifth, or
     * one outside a transaction, goes now (with those waiting) */
    if (db->in_transaction && db->n_deferred < DEFERRED_MAX) {
        struct s_deferred d = {strdup(type), strdup(subject), packed, (int)len};
        if (!d.type || !d.subject) {
            free(d.type);
            free(d.subject);
            free(packed);
            s_set_error(db, "out of memory", NULL);
            return -1;
        }
        db->deferred[db->n_deferred++] = d;
    } else {
        const char *params[] = {type, subject, (const char *)packed};
        int lengths[] = {0, 0, (int)len};
        int formats[] = {0, 0, 1};
        PGresult *res = db_query_bin(db, OUTBOX_INSERT, 3, params, lengths, formats);
        free(packed);
        if (!res)
            return -1;
        PQclear(res);
    }
    db_count_at_commit(db, "outbox", "in", 1);
    s_wake_relay(db);
    return 0;
}

int db_outbox_commit(db_t *db, const char *type, const char *subject, const char *organization_id,
                     const char *committee_id, const ProtobufCMessage *data)
{
    return db_outbox_commit_for(db, type, subject, organization_id, committee_id, NULL, data);
}

int db_outbox_commit_for(db_t *db, const char *type, const char *subject,
                         const char *organization_id, const char *committee_id,
                         const db_audience_t *audience, const ProtobufCMessage *data)
{
    assert(db->in_transaction);
    /* the insert is deferred, and goes with the COMMIT: one round trip */
    if (db_outbox_append_for(db, type, subject, organization_id, committee_id, audience, data) !=
        0) {
        db_rollback(db);
        return -1;
    }
    return db_commit(db);
}

/* ------------------------------------------------------------ idempotency */

int db_idempotency_begin(db_t *db, const char *subject, const char *method, const char *key,
                         const uint8_t *request, size_t request_len, uint8_t **reply_p,
                         size_t *reply_len)
{
    const char *lock_params[] = {subject, method, key};
    PGresult *res = db_query(db, "SELECT pg_advisory_lock(hashtext($1 || ' ' || $2 || ' ' || $3))",
                             3, lock_params);
    if (!res)
        return -1;
    PQclear(res);
    const char *params[] = {subject, method, key, (const char *)request};
    int lengths[] = {0, 0, 0, (int)request_len};
    int formats[] = {0, 0, 0, 1};
    res = db_query_bin(db,
                       "SELECT request_sha256 = sha256($4::bytea), reply FROM idempotency "
                       "WHERE subject = $1 AND method = $2 AND key = $3",
                       4, params, lengths, formats);
    if (!res) {
        db_idempotency_end(db, subject, method, key);
        return -1;
    }
    int rc = 0;
    if (PQntuples(res) > 0) {
        rc = PQgetvalue(res, 0, 0)[0] == 't' ? 1 : 2;
        if (rc == 1) {
            size_t len;
            unsigned char *bytes =
                PQunescapeBytea((const unsigned char *)PQgetvalue(res, 0, 1), &len);
            *reply_p = malloc(len + 1);
            assert(*reply_p);
            memcpy(*reply_p, bytes, len);
            *reply_len = len;
            PQfreemem(bytes);
        }
    }
    PQclear(res);
    return rc;
}

int db_idempotency_store(db_t *db, const char *subject, const char *method, const char *key,
                         const uint8_t *request, size_t request_len, const uint8_t *reply,
                         size_t reply_len)
{
    const char *params[] = {subject, method, key, (const char *)request, (const char *)reply};
    int lengths[] = {0, 0, 0, (int)request_len, (int)reply_len};
    int formats[] = {0, 0, 0, 1, 1};
    PGresult *res = db_query_bin(db,
                                 "INSERT INTO idempotency (subject, method, key, request_sha256, "
                                 "reply) VALUES ($1, $2, $3, sha256($4::bytea), $5) "
                                 "ON CONFLICT DO NOTHING",
                                 5, params, lengths, formats);
    PQclear(res);
    return res ? 0 : -1;
}

void db_idempotency_end(db_t *db, const char *subject, const char *method, const char *key)
{
    const char *params[] = {subject, method, key};
    PQclear(db_query(db, "SELECT pg_advisory_unlock(hashtext($1 || ' ' || $2 || ' ' || $3))", 3,
                     params));
}

int db_idempotency_prune(db_t *db, int retention_hours)
{
    char hours[16];
    snprintf(hours, sizeof hours, "%d", retention_hours);
    const char *params[] = {hours};
    PGresult *res = db_query(
        db, "DELETE FROM idempotency WHERE created_at < now() - make_interval(hours => $1::int)", 1,
        params);
    if (!res)
        return -1;
    int n = atoi(PQcmdTuples(res));
    PQclear(res);
    return n;
}
