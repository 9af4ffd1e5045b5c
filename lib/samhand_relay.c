/* Outbox relay and event consumer; see samhand_relay.h. */
#include "samhand_relay.h"
#include "samhand_curve.h"
#include "samhand_fiber.h"
#include "samhand_log.h"
#include "samhand_metrics.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#define RELAY_BATCH 200
#define RELAY_GAP_MS 5      /* at least between two publications when woken */
#define RELAY_RETRY_MS 1000 /* after a publication the database did not let happen */
#define RELAY_HORIZON_MS 2  /* between looks at whether rows beyond the horizon became final */
#define RELAY_HORIZON_MAX_MS 1000 /* ... doubling while a long transaction holds them back */
#define SAMPLES_MAX 8
#define RELAY_LOCK_CHECK_MS 20 /* a sample waits this long before its lock check */
#define CATCH_UP_LIMIT 500
#define RUN_MAX 256                /* events a consumer applies in one transaction */
#define APPLY_RETRY_MS 1000        /* after a failure that may pass by itself */
#define APPLY_BACKOFF_MAX_MS 30000 /* ... doubling to this after the database's refusals */
#define APPLY_LOG_EVERY_MS 600000  /* a stuck follower's log line at least this often */
#define APPLY_REFUSALS_QUICK 3     /* refusals tried again each second before it doubles */

/* Sets the stream's id and sequence on a stored event and packs it; the
 * caller frees *out. Returns its length, or 0 when the stored bytes are
 * not an Event. */
static size_t s_stamp(const unsigned char *stored, size_t len, const char *id, int64_t sequence,
                      uint8_t **out)
{
    Samhand__V1__Event *event = samhand__v1__event__unpack(NULL, len, stored);
    if (!event)
        return 0;
    char *old_id = event->id;
    event->id = (char *)id;
    event->sequence = sequence;
    size_t size = samhand__v1__event__get_packed_size(event);
    *out = malloc(size + 1);
    samhand__v1__event__pack(event, *out);
    event->id = old_id;
    samhand__v1__event__free_unpacked(event, NULL);
    return size;
}

/* ------------------------------------------------------------------ relay */

/* A sample of the outbox's sequence, waiting for every transaction older
 * than `xid`, taken just after it, to end (s_horizon). */
typedef struct {
    int64_t last;
    uint64_t xid;
    int64_t taken_ms;
} relay_sample_t;

struct relay {
    bus_server_t *server; /* whose connections it borrows */
    int64_t horizon;      /* every outbox row up to this sequence is final */
    int horizon_wait_ms;  /* until the next look while rows wait beyond it */
    int64_t marked;       /* the newest mark's sequence seen: published up to here */
    relay_sample_t samples[SAMPLES_MAX];
    int n_samples;
    char *schema;
    char events_method[96]; /* "<service>.Events", answered from the outbox */
    zsock_t *pub;           /* NULL without an event endpoint */
    int wake;               /* eventfd: a commit in this process wrote to the outbox */
    fiber_t *fiber;
    bool stopping;
};

/* Publishes one batch of the rows up to `horizon`; returns how many, or
 * -1. The lock makes the replicas publish one at a time; one that waits
 * for it then publishes what the other left, its own commits included.
 *
 * The stream is numbered without writing to its rows: the batch's rows are
 * those after the newest mark, in the order of their sequence, numbered on
 * from the mark's number, and one new mark (the batch's last number and
 * sequence) records the publication. That numbering never changes, and
 * never skips a row, only because every row up to the horizon is final:
 * committed, or never to be (see s_horizon). A row of a transaction still
 * in progress, whose sequence lies below another's that committed, is
 * beyond the horizon until it ends, and so waits for the next batch. */
static int s_publish(db_t *db, const char *schema, zsock_t *pub, int64_t horizon, int64_t *marked)
{
    if (horizon <= *marked)
        return 0; /* all of it published already, by this replica or another */
    const char *params[] = {schema};
    if (db_begin(db) != 0)
        return -1;
    PGresult *res =
        db_query(db, "SELECT pg_advisory_xact_lock(hashtext('samhand.relay.' || $1))", 1, params);
    if (!res) {
        db_rollback(db);
        return -1;
    }
    PQclear(res);
    /* the newest mark, as parameters: a range the planner sees is a
     * batch's, which it reads by the sequence's index */
    res =
        db_query(db, "SELECT published, sequence FROM outbox_marks ORDER BY published DESC LIMIT 1",
                 0, NULL);
    if (!res || PQntuples(res) != 1) {
        PQclear(res);
        db_rollback(db);
        return -1;
    }
    *marked = strtoll(PQgetvalue(res, 0, 1), NULL, 10);
    if (horizon <= *marked) {
        PQclear(res);
        db_rollback(db);
        return 0;
    }
    char until[24];
    snprintf(until, sizeof until, "%lld", (long long)horizon);
    const char *batch_params[] = {PQgetvalue(res, 0, 0), PQgetvalue(res, 0, 1), until};
    PGresult *top = res;
    /* planned at each batch: the outbox grows from empty, and a plan made
     * then would scan the whole table for a batch */
    res = db_query_planned(
        db,
        "WITH batch AS (SELECT $1::bigint + row_number() OVER (ORDER BY sequence) AS n, "
        "  sequence, id, type, event FROM outbox "
        "  WHERE sequence > $2::bigint AND sequence <= $3::bigint "
        "  ORDER BY sequence LIMIT 200), "
        "mark AS (INSERT INTO outbox_marks (published, sequence) "
        "  SELECT max(n), max(sequence) FROM batch HAVING count(*) > 0) "
        "SELECT n, id, type, event, sequence FROM batch ORDER BY n",
        3, batch_params);
    PQclear(top);
    if (!res || db_commit(db) != 0) {
        PQclear(res);
        db_rollback(db);
        return -1;
    }
    /* committed: now tell the subscribers, in order */
    int rows = PQntuples(res);
    if (rows > 0) {
        metrics_queue_flow(schema, "outbox", "out", rows);
        *marked = strtoll(PQgetvalue(res, rows - 1, 4), NULL, 10);
    }
    for (int i = 0; pub && i < rows; i++) {
        size_t len;
        unsigned char *stored = PQunescapeBytea((const unsigned char *)PQgetvalue(res, i, 3), &len);
        uint8_t *packed = NULL;
        size_t size = s_stamp(stored, len, PQgetvalue(res, i, 1),
                              strtoll(PQgetvalue(res, i, 0), NULL, 10), &packed);
        PQfreemem(stored);
        if (!size) {
            log_error("%s event %s (outbox row %s) is not an Event: not sent, and its followers "
                      "wait before it",
                      schema, PQgetvalue(res, i, 0), PQgetvalue(res, i, 1));
        } else {
            zmsg_t *msg = zmsg_new();
            zmsg_addstr(msg, PQgetvalue(res, i, 2));
            zmsg_addmem(msg, packed, size);
            zmsg_send(&msg, pub);
        }
        free(packed);
    }
    PQclear(res);
    return rows;
}

/* The samples of ids up to `final` are final: the horizon moves to the
 * newest of them (it covers the older ones), and they are let go. */
static void s_samples_final_up_to(relay_t *relay, uint64_t final)
{
    int kept = 0;
    for (int i = 0; i < relay->n_samples; i++) {
        if (relay->samples[i].xid <= final) {
            if (relay->samples[i].last > relay->horizon)
                relay->horizon = relay->samples[i].last;
        } else {
            relay->samples[kept++] = relay->samples[i];
        }
    }
    relay->n_samples = kept;
}

/* Which samples are final by `sql`, given their ids as $1 (xid8[]): it
 * answers the newest such id. 0, or -1 when the database did not answer. */
static int s_horizon_by(relay_t *relay, db_t *db, const char *sql)
{
    char ids[SAMPLES_MAX * 24 + 4] = "{";
    for (int i = 0; i < relay->n_samples; i++)
        snprintf(ids + strlen(ids), sizeof ids - strlen(ids), "%s%llu", i ? "," : "",
                 (unsigned long long)relay->samples[i].xid);
    strcat(ids, "}");
    const char *params[] = {ids};
    PGresult *res = db_query(db, sql, 1, params);
    if (!res)
        return -1;
    s_samples_final_up_to(relay, strtoull(PQgetvalue(res, 0, 0), NULL, 10));
    PQclear(res);
    return 0;
}

/* The samples that wait only for transactions that cannot write the
 * outbox: another service's (notify's steady fan-out, say) holds the
 * snapshot's xmin back, but its role may not insert into this outbox. Rows
 * come into an outbox only by INSERT in a session whose login role holds
 * that privilege (samhand's own service role, or a superuser; a hard rule:
 * no SECURITY DEFINER function, no SET ROLE writes an outbox), so a sample
 * is final once no transaction older than its id runs under such a role,
 * in a backend or prepared (one whose owner is gone counts). The backends'
 * list is read after the sample's id was given, and a transaction's id is
 * in it from its first write until it ends. */
#define SAMPLES_FINAL_BY_WRITERS                                                                   \
    "WITH w AS (SELECT max(a) AS age FROM ("                                                       \
    "  SELECT age(backend_xid) FROM pg_stat_activity WHERE backend_xid IS NOT NULL "               \
    "    AND datname = current_database() AND pid <> pg_backend_pid() "                            \
    "    AND has_any_column_privilege(usesysid, 'outbox', 'INSERT') "                              \
    "  UNION ALL SELECT age(transaction) FROM pg_prepared_xacts "                                  \
    "    WHERE database = current_database() "                                                     \
    "    AND (owner IS NULL OR has_any_column_privilege(owner, 'outbox', 'INSERT'))) t(a)) "       \
    "SELECT coalesce(max(s.xid::text::numeric), 0)::text "                                         \
    "FROM unnest($1::xid8[]) s(xid), w WHERE w.age IS NULL OR w.age <= age(xid(s.xid))"

/* Where every backend may write the outbox (a shared superuser role, as
 * the tests have it), the locks tell: a transaction that took an outbox
 * sequence holds a lock on the outbox until it ends, so a sample is final,
 * too, once no transaction older than its id holds one. It reads the whole
 * lock table (0.4 ms), so only for a sample held back a while. */
#define SAMPLES_FINAL_BY_LOCKS                                                                     \
    "WITH l AS MATERIALIZED (SELECT virtualtransaction, locktype, relation, mode, "                \
    "  transactionid FROM pg_locks WHERE locktype IN ('relation', 'transactionid')), "             \
    "w AS (SELECT virtualtransaction FROM l WHERE locktype = 'relation' "                          \
    "  AND relation = 'outbox'::regclass AND mode = 'RowExclusiveLock'), "                         \
    "o AS (SELECT max(age(l.transactionid)) AS age FROM l JOIN w "                                 \
    "  USING (virtualtransaction) WHERE l.locktype = 'transactionid') "                            \
    "SELECT coalesce(max(s.xid::text::numeric), 0)::text "                                         \
    "FROM unnest($1::xid8[]) s(xid), o WHERE o.age IS NULL OR o.age <= age(xid(s.xid))"

/* Advances relay->horizon: the sequence up to which every outbox row is
 * final. Each call samples the sequence's last value s, then (a later
 * statement) takes a transaction id x of its own and the oldest transaction
 * still in progress (the snapshot's xmin). A writer takes its transaction
 * id before its row's sequence (OUTBOX_INSERT), so every transaction that
 * had taken a value up to s has an id below x (ids are given in order, and
 * x came after s). Once a snapshot's xmin is at or above x, no transaction
 * below x is in progress: every row up to s is committed or never will be,
 * and s becomes the horizon. The samples waiting for that are kept, oldest
 * first; each call's xmin says whether they may go, and what the xmin holds
 * back is looked at by the writers' roles, then by the locks (above). 0, or
 * -1 when the database did not answer. */
static int s_horizon(relay_t *relay, db_t *db)
{
    PGresult *res = db_query(db,
                             "SELECT coalesce(pg_sequence_last_value("
                             "pg_get_serial_sequence('outbox', 'sequence')::regclass), 0)",
                             0, NULL);
    if (!res)
        return -1;
    int64_t last = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
    PQclear(res);
    /* a statement of its own, outside any transaction: its id ends with
     * it (a commit record, no flush: it wrote nothing). Not the snapshot's
     * xmax: that is one past the last transaction to end, and one that
     * took its id after it, in progress, is above it and in no list. None
     * when there is no room for the sample. */
    bool is_sampling = last > relay->horizon && relay->n_samples < SAMPLES_MAX;
    res = db_query(db,
                   is_sampling ? "SELECT pg_current_xact_id()::text, "
                                 "pg_snapshot_xmin(pg_current_snapshot())::text"
                               : "SELECT '0', pg_snapshot_xmin(pg_current_snapshot())::text",
                   0, NULL);
    if (!res)
        return -1;
    uint64_t xid = strtoull(PQgetvalue(res, 0, 0), NULL, 10);
    uint64_t xmin = strtoull(PQgetvalue(res, 0, 1), NULL, 10);
    PQclear(res);
    int64_t before = relay->horizon;
    s_samples_final_up_to(relay, xmin); /* nothing older than xmin is in progress */
    if (is_sampling && last > relay->horizon) {
        if (xmin >= xid)
            relay->horizon = last; /* nothing older was in progress: final now */
        else
            relay->samples[relay->n_samples++] = (relay_sample_t){last, xid, zclock_mono()};
    }
    /* what the xmin holds back: by the writers' roles at once, by the
     * locks once a sample has waited a while */
    if (relay->n_samples > 0 && s_horizon_by(relay, db, SAMPLES_FINAL_BY_WRITERS) != 0)
        return -1;
    if (relay->n_samples > 0 && zclock_mono() - relay->samples[0].taken_ms >= RELAY_LOCK_CHECK_MS &&
        s_horizon_by(relay, db, SAMPLES_FINAL_BY_LOCKS) != 0)
        return -1;
    /* a transaction left open holds the samples back: look less often */
    if (relay->horizon > before || relay->horizon_wait_ms == 0)
        relay->horizon_wait_ms = RELAY_HORIZON_MS;
    else if (relay->horizon_wait_ms < RELAY_HORIZON_MAX_MS)
        relay->horizon_wait_ms *= 2;
    return 0;
}

/* Publishes what the outbox holds up to the horizon; false when the
 * database would not (it is away or restarting), so that the caller tries
 * again. */
static bool s_publish_all(relay_t *relay, zsock_t *pub)
{
    db_t *db = bus_server_db_take(relay->server);
    if (!db)
        return false;
    int published = s_horizon(relay, db);
    while (published >= 0 && (published = s_publish(db, relay->schema, pub, relay->horizon,
                                                    &relay->marked)) == RELAY_BATCH) {
    }
    if (published < 0)
        log_warn("could not publish events: %s", db_error(db));
    bus_server_db_give_back(relay->server, db);
    return published >= 0;
}

/* Woken by this process's commits (the eventfd), and by nothing else:
 * idle, it sleeps. What it publishes at start covers what a process that
 * died left behind; a service's Health nudges it when the outbox holds an
 * item older than a second (another replica's, whose relay is gone). */
static void s_relay_fiber(void *arg)
{
    relay_t *relay = arg;
    zsock_t *pub = relay->pub;
    int64_t last_publish = 0;
    while (!relay->stopping) {
        last_publish = zclock_mono();
        bool published = s_publish_all(relay, pub);
        /* a stop that came while it published (its wake ended a database
         * wait, not this one) is seen here, not after the next commit */
        if (relay->stopping)
            break;
        /* what the database did not let it publish (a restart, a lost
         * connection) is tried again soon: no commit may come to wake it;
         * so are rows beyond the horizon, once their transactions ended */
        int timeout_ms = !published             ? RELAY_RETRY_MS
                         : relay->n_samples > 0 ? relay->horizon_wait_ms
                                                : -1;
        if (!(fiber_wait(NULL, relay->wake, ZMQ_POLLIN, timeout_ms) & ZMQ_POLLIN))
            continue; /* woken to stop, or the time to try again */
        /* under a stream of commits, one publication per few ms carries
         * them all, instead of a transaction of the relay's per commit */
        int64_t since = zclock_mono() - last_publish;
        if (since < RELAY_GAP_MS)
            fiber_sleep((int)(RELAY_GAP_MS - since));
        uint64_t wakes;
        if (read(relay->wake, &wakes, sizeof wakes) < 0) {
            /* EAGAIN: another read took them; publishing is what counts */
        }
    }
}

relay_t *relay_new(bus_server_t *server, const char *schema, const char *pub_endpoints)
{
    relay_t *relay = calloc(1, sizeof *relay);
    if (!relay)
        return NULL;
    relay->server = server;
    relay->schema = strdup(schema);
    relay->wake = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (!relay->schema || relay->wake < 0) {
        relay_destroy(&relay);
        return NULL;
    }
    if (pub_endpoints && pub_endpoints[0]) {
        relay->pub = zsock_new(ZMQ_PUB);
        curve_server(relay->pub);
        zsock_set_linger(relay->pub, 0);
        char *list = strdup(pub_endpoints);
        for (char *save = NULL, *e = strtok_r(list, ",", &save); e && relay;
             e = strtok_r(NULL, ",", &save)) {
            if (zsock_bind(relay->pub, "%s", e) < 0) {
                log_error("could not bind the event endpoint %s: %s", e, zmq_strerror(zmq_errno()));
                relay_destroy(&relay);
            }
        }
        free(list);
        if (!relay)
            return NULL;
    }
    /* any replica answers the catch-up of the events after a number */
    snprintf(relay->events_method, sizeof relay->events_method, "%s.Events", schema);
    bus_server_route(server,
                     &(bus_route_t){relay->events_method, &samhand__v1__events_request__descriptor,
                                    relay_handle_events});
    db_outbox_wake(relay->wake);
    relay->fiber = fiber_spawn(s_relay_fiber, relay);
    if (!relay->fiber)
        relay_destroy(&relay);
    return relay;
}

void relay_stop(relay_t *relay)
{
    if (!relay || relay->stopping)
        return;
    relay->stopping = true;
    fiber_wake(relay->fiber);
}

void relay_destroy(relay_t **relay_p)
{
    if (!relay_p || !*relay_p)
        return;
    relay_t *relay = *relay_p;
    db_outbox_wake(-1);
    if (relay->wake >= 0)
        close(relay->wake);
    zsock_destroy(&relay->pub);
    free(relay->schema);
    free(relay);
    *relay_p = NULL;
}

int relay_handle_events(bus_call_t *call)
{
    const Samhand__V1__EventsRequest *req = (const void *)call->request;
    int limit = req->limit > 0 && req->limit < CATCH_UP_LIMIT ? req->limit : CATCH_UP_LIMIT;
    if (req->after_sequence < 0)
        return bus_call_fail(call, BUS_INVALID_ARGUMENT, "after_sequence",
                             "after_sequence must not be negative");
    char after[24], count[16];
    snprintf(after, sizeof after, "%lld", (long long)req->after_sequence);
    snprintf(count, sizeof count, "%d", limit);
    const char *params[] = {after, count};
    /* one snapshot for the marks and the rows: a prune between them would
     * take the mark the rows are numbered from */
    db_begin(call->db);
    PGresult *iso = db_query(call->db, "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ", 0, NULL);
    if (!iso) {
        db_rollback(call->db);
        return bus_call_fail_db(call, "read events");
    }
    PQclear(iso);
    /* the last mark at or before the number asked for (or the first kept,
     * when that is pruned) and the newest: the rows between them are
     * numbered on from the first, in the order of their sequence */
    PGresult *marks = db_query(
        call->db,
        "SELECT m.published, m.sequence, top.published, top.sequence FROM "
        "((SELECT published, sequence FROM outbox_marks WHERE published <= $1::bigint "
        "  ORDER BY published DESC LIMIT 1) UNION ALL (SELECT published, sequence "
        "  FROM outbox_marks ORDER BY published LIMIT 1) LIMIT 1) m, "
        "(SELECT published, sequence FROM outbox_marks ORDER BY published DESC LIMIT 1) top",
        1, params);
    if (!marks || PQntuples(marks) != 1) {
        PQclear(marks);
        db_rollback(call->db);
        return bus_call_fail_db(call, "read events");
    }
    const char *range[] = {after, count, PQgetvalue(marks, 0, 0), PQgetvalue(marks, 0, 1),
                           PQgetvalue(marks, 0, 3)};
    /* the stream's last number: the newest mark's (the first mark took the
     * last of those numbered row by row) */
    int64_t last = strtoll(PQgetvalue(marks, 0, 2), NULL, 10);
    /* and those the relay once numbered row by row; planned at each call,
     * as the relay's batch, and reading no further than the rows asked for
     * (a consumer far behind asks from a mark many rows back) */
    PGresult *res = db_query_planned(
        call->db,
        "WITH numbered AS (SELECT $3::bigint + row_number() OVER (ORDER BY sequence) AS n, id, "
        "  event FROM (SELECT sequence, id, event FROM outbox WHERE sequence > $4::bigint "
        "  AND sequence <= $5::bigint AND published_seq IS NULL ORDER BY sequence "
        "  LIMIT greatest($1::bigint - $3::bigint, 0) + $2::int) o), "
        "events AS ((SELECT n, id, event FROM numbered WHERE n > $1::bigint) UNION ALL "
        "  (SELECT published_seq, id, event FROM outbox WHERE published_seq > $1::bigint "
        "  ORDER BY published_seq LIMIT $2::int)) "
        "SELECT n, id, event FROM events ORDER BY n LIMIT $2::int",
        5, range);
    PQclear(marks);
    if (!res) {
        db_rollback(call->db);
        return bus_call_fail_db(call, "read events");
    }
    Samhand__V1__EventsResponse response = SAMHAND__V1__EVENTS_RESPONSE__INIT;
    int rows = PQntuples(res);
    response.events = calloc((size_t)rows + 1, sizeof *response.events);
    for (int i = 0; i < rows; i++) {
        size_t len;
        unsigned char *stored = PQunescapeBytea((const unsigned char *)PQgetvalue(res, i, 2), &len);
        uint8_t *packed = NULL;
        size_t size = s_stamp(stored, len, PQgetvalue(res, i, 1),
                              strtoll(PQgetvalue(res, i, 0), NULL, 10), &packed);
        PQfreemem(stored);
        if (!size) {
            /* the stream stops before it: passed over, it would look to a
             * follower like events pruned, and be lost without a word */
            free(packed);
            log_error("event %s (outbox row %s) is not an Event; the stream stops before it",
                      PQgetvalue(res, i, 0), PQgetvalue(res, i, 1));
            break;
        }
        response.events[response.n_events].data = packed;
        response.events[response.n_events].len = size;
        response.n_events++;
    }
    response.last_sequence = last;
    PQclear(res);
    db_rollback(call->db); /* it read only */
    bus_call_reply(call, &response.base);
    for (size_t i = 0; i < response.n_events; i++)
        free(response.events[i].data);
    free(response.events);
    return 0;
}

int relay_prune(db_t *db, int retention_hours)
{
    char hours[16];
    snprintf(hours, sizeof hours, "%d", retention_hours);
    const char *params[] = {hours};
    /* whole publications older than the retention go, up to the newest
     * such mark, which stays: the numbering of what follows starts there */
    PGresult *res = db_query(
        db,
        "WITH cut AS (SELECT published, sequence FROM outbox_marks WHERE published_at < now() - "
        "  make_interval(hours => $1::int) ORDER BY published DESC LIMIT 1), "
        "marks AS (DELETE FROM outbox_marks WHERE published < (SELECT published FROM cut)), "
        "gone AS (DELETE FROM outbox WHERE sequence <= (SELECT sequence FROM cut) RETURNING 1) "
        "SELECT count(*) FROM gone",
        1, params);
    if (!res)
        return -1;
    int n = atoi(PQgetvalue(res, 0, 0));
    PQclear(res);
    return n;
}

/* --------------------------------------------------------------- consumer */

struct consumer {
    bus_server_t *server; /* whose connections it borrows */
    char *source, *pub_endpoints, *router_endpoints, *schema;
    consumer_apply_fn apply;
    consumer_apply_run_fn apply_run;
    void *arg;
    fiber_t *fiber;
    bool stopping;
    int64_t last;
    db_t *db;       /* borrowed while it applies */
    bool announced; /* the last run told every replica's long-polls at its commit */
    int64_t seen;   /* the newest event of the source it has heard of */
    /* the next event would not apply: attempts in a row that failed, since
     * when (unix seconds), and when (zclock_mono) to try again; until then
     * what the source publishes is only counted, so that a follower stuck
     * on one event neither asks its source again at every message nor
     * fills the log */
    int failures;
    int64_t failing_since, retry_at;
    int refusals;      /* of those, the database's refusals */
    int64_t logged_at; /* the last failure logged (zclock_mono) */
    char why[200];     /* the last failure's, for the log */
    char sqlstate[6];
    bool refused; /* the last failure will come again */
};

/* The consumer's position and health, for operators:
 * samhand_consumer_last_sequence, _behind, _consecutive_failures and
 * _failing_since_timestamp_seconds. */
static void s_report(const consumer_t *c)
{
    char labels[160];
    snprintf(labels, sizeof labels, "service=\"%s\",source=\"%s\"", c->schema, c->source);
    metrics_t *m = metrics_process();
    metrics_set(m, "samhand_consumer_last_sequence", labels, (double)c->last);
    metrics_set(m, "samhand_consumer_behind", labels,
                c->seen > c->last ? (double)(c->seen - c->last) : 0);
    metrics_set(m, "samhand_consumer_consecutive_failures", labels, c->failures);
    metrics_set(m, "samhand_consumer_failing_since_timestamp_seconds", labels,
                (double)c->failing_since);
}

/* A failure the database's next answer may not repeat: the connection or
 * the server away (no SQLSTATE, classes 08, 57, 58), a deadlock or a
 * serialization failure (40), resources short (53). Anything else is the
 * database refusing the event, which it will go on refusing until someone
 * changes the code or the data. */
static bool s_passing(const char *sqlstate)
{
    return !sqlstate[0] || strncmp(sqlstate, "08", 2) == 0 || strncmp(sqlstate, "40", 2) == 0 ||
           strncmp(sqlstate, "53", 2) == 0 || strncmp(sqlstate, "57", 2) == 0 ||
           strncmp(sqlstate, "58", 2) == 0;
}

/* The next event failed to apply (c->why, c->sqlstate, c->refused): tried
 * again in a second, or, refused (it will fail again), three times so and
 * then ever later, doubling to 30 s; the refusals are counted on their
 * own, so an outage before one does not skip its quick tries. Logged at
 * the first three attempts, at the 4th, 8th, 16th ..., and at least every
 * ten minutes. */
static void s_failed(consumer_t *c)
{
    int64_t now = zclock_mono();
    if (c->failures++ == 0)
        c->failing_since = zclock_time() / 1000;
    int64_t delay = APPLY_RETRY_MS;
    if (c->refused && ++c->refusals > APPLY_REFUSALS_QUICK) {
        int doublings = c->refusals - APPLY_REFUSALS_QUICK;
        delay = doublings >= 5 ? APPLY_BACKOFF_MAX_MS : (int64_t)APPLY_RETRY_MS << doublings;
        if (delay > APPLY_BACKOFF_MAX_MS)
            delay = APPLY_BACKOFF_MAX_MS;
    }
    c->retry_at = now + delay;
    if (c->failures <= APPLY_REFUSALS_QUICK || (c->failures & (c->failures - 1)) == 0 ||
        now - c->logged_at >= APPLY_LOG_EVERY_MS) {
        log_warn("could not apply %s event %lld (attempt %d, again in %lld ms): %s%s%s", c->source,
                 (long long)c->last + 1, c->failures, (long long)delay, c->why,
                 c->sqlstate[0] ? " SQLSTATE " : "", c->sqlstate);
        c->logged_at = now;
    }
    s_report(c);
}

/* The consumer applied something after failing: it follows again. */
static void s_recovered(consumer_t *c)
{
    if (c->failures == 0)
        return;
    log_info("applies %s events again, after %d failed attempts", c->source, c->failures);
    c->failures = c->refusals = 0;
    c->failing_since = 0;
    c->retry_at = 0;
    s_report(c);
}

/* When to ask the source again: when a failure's wait ends, or else in a
 * second. */
static int64_t s_next_try(const consumer_t *c)
{
    int64_t now = zclock_mono();
    return c->failures > 0 && c->retry_at > now ? c->retry_at : now + APPLY_RETRY_MS;
}

/* Why the next event failed, for s_failed; `refused`: it will fail again.
 * Only the first line of a database's message is kept: its DETAIL quotes
 * the failing row's values, which are the parties' data and stay out of
 * the log. */
static void s_keep_why(consumer_t *c, const char *why, const char *sqlstate, bool refused)
{
    snprintf(c->why, sizeof c->why, "%.*s", (int)strcspn(why, "\n"), why);
    snprintf(c->sqlstate, sizeof c->sqlstate, "%s", sqlstate);
    c->refused = refused;
}

/* `db`'s failure in the transaction (refused when the database said so),
 * or, when no statement failed, the service's code refusing the event. */
static void s_keep_failure(consumer_t *c, db_t *db)
{
    if (!db_error(db)[0])
        s_keep_why(c, "the service's code did not apply it", "", true);
    else
        s_keep_why(c, db_error(db), db_sqlstate(db), !s_passing(db_sqlstate(db)));
}

/* The newest event of the source heard of, for samhand_consumer_behind. */
static void s_seen(consumer_t *c, int64_t sequence)
{
    if (sequence > c->seen)
        c->seen = sequence;
}

/* The service's work for consecutive new events, in the open transaction. */
static int s_apply_events(consumer_t *c, Samhand__V1__Event *const *events, size_t n)
{
    if (c->apply_run)
        return c->apply_run(c->db, events, n, c->arg);
    for (size_t i = 0; i < n; i++)
        if (c->apply(c->db, events[i], c->arg) != 0)
            return -1;
    return 0;
}

/* The offset moves on with the events applied, never back. */
#define OFFSET_UPSERT                                                                              \
    "INSERT INTO consumer_offsets (source, last_sequence) VALUES ($1, $2) ON CONFLICT (source) "   \
    "DO UPDATE SET last_sequence = greatest(consumer_offsets.last_sequence, "                      \
    "excluded.last_sequence)"

/* The first statement of an apply's transaction: the offset's row,
 * locked till the commit. The replicas of a service follow the same
 * stream into the same schema; with the row locked they apply one run at
 * a time, and what another applied meanwhile (the row's number, read
 * after its commit) is passed over: each event is applied once, in order,
 * and never again over a later one. The number moves c->last on; -1 when
 * the database failed. */
static int64_t s_lock_offset(consumer_t *c)
{
    const char *params[] = {c->source};
    PGresult *res =
        db_query(c->db, "SELECT last_sequence FROM consumer_offsets WHERE source = $1 FOR UPDATE",
                 1, params);
    if (!res)
        return -1;
    int64_t done = PQntuples(res) ? strtoll(PQgetvalue(res, 0, 0), NULL, 10) : 0;
    PQclear(res);
    if (done > c->last)
        c->last = done;
    return done;
}

/* Applies the event after the last one, with the offset, in one
 * transaction. 0, 1 when it is not the next (skipped, or applied by
 * another replica), -1 on failure. */
static int s_apply(consumer_t *c, Samhand__V1__Event *event)
{
    if (event->sequence <= c->last)
        return 1; /* seen already */
    if (event->sequence != c->last + 1)
        return 1; /* a gap: catch-up fills it */
    char seq[24];
    snprintf(seq, sizeof seq, "%lld", (long long)event->sequence);
    const char *params[] = {c->source, seq};
    if (db_begin(c->db) != 0 || s_lock_offset(c) < 0) {
        s_keep_failure(c, c->db);
        db_rollback(c->db);
        return -1;
    }
    if (event->sequence <= c->last) {
        db_rollback(c->db);
        s_report(c);
        return 1; /* another replica's */
    }
    if (s_apply_events(c, &event, 1) != 0) {
        s_keep_failure(c, c->db);
        db_rollback(c->db);
        return -1;
    }
    PGresult *res = db_query(c->db, OFFSET_UPSERT, 2, params);
    PQclear(res);
    c->announced = res && bus_server_announce_change(c->server, c->db);
    if (!res || db_commit(c->db) != 0) {
        s_keep_failure(c, c->db);
        db_rollback(c->db);
        return -1;
    }
    c->last = event->sequence;
    s_report(c);
    return 0;
}

/* Applies the events that follow the last one in order, all with the
 * offset in one transaction: one commit for a run of events instead of one
 * each. When one of them fails, they are applied one by one, so those
 * before it are kept and the failing one is tried again later. Returns how
 * many were applied or passed over (applied by another replica), or -1
 * when one failed. */
static int s_apply_run_on(consumer_t *c, Samhand__V1__Event *const *events, size_t n)
{
    /* those that follow the last one */
    Samhand__V1__Event **next = malloc(n * sizeof *next);
    if (!next) {
        s_keep_why(c, "out of memory", "", false);
        return -1;
    }
    int64_t last = c->last;
    int applied = 0;
    for (size_t i = 0; i < n; i++) {
        if (events[i]->sequence <= last)
            continue; /* seen already */
        if (events[i]->sequence != last + 1)
            break; /* a gap: catch-up fills it */
        next[applied++] = events[i];
        last = events[i]->sequence;
    }
    if (applied == 0 || db_begin(c->db) != 0 || s_lock_offset(c) < 0) {
        free(next);
        if (applied > 0) {
            s_keep_failure(c, c->db);
            db_rollback(c->db);
        }
        return applied == 0 ? 0 : -1;
    }
    /* those another replica applied meanwhile are passed over */
    int passed = 0;
    while (passed < applied && next[passed]->sequence <= c->last)
        passed++;
    if (passed == applied) {
        free(next);
        db_rollback(c->db);
        s_report(c);
        return passed;
    }
    int rc = s_apply_events(c, next + passed, (size_t)(applied - passed));
    free(next);
    if (rc != 0)
        goto one_by_one;
    char seq[24];
    snprintf(seq, sizeof seq, "%lld", (long long)last);
    const char *params[] = {c->source, seq};
    PGresult *res = db_query(c->db, OFFSET_UPSERT, 2, params);
    PQclear(res);
    c->announced = res && bus_server_announce_change(c->server, c->db);
    if (!res || db_commit(c->db) != 0)
        goto one_by_one;
    c->last = last;
    s_report(c);
    return applied;

one_by_one:
    db_rollback(c->db);
    applied = 0;
    for (size_t i = 0; i < n; i++) {
        int one = s_apply(c, events[i]);
        if (one < 0)
            return -1;
        applied += one == 0;
    }
    return applied;
}

/* s_apply_run_on a connection borrowed for it. */
static int s_apply_run(consumer_t *c, Samhand__V1__Event *const *events, size_t n)
{
    if (n == 0)
        return 0;
    s_seen(c, events[n - 1]->sequence);
    c->db = bus_server_db_take(c->server);
    if (!c->db) {
        s_keep_why(c, "no database connection", "", false);
        s_failed(c);
        return -1;
    }
    int64_t before = c->last;
    int applied = s_apply_run_on(c, events, n);
    bus_server_db_give_back(c->server, c->db);
    c->db = NULL;
    if (applied > 0 && !c->announced)
        bus_server_changed(c->server); /* long-polls look again */
    /* what it applied before a failure is progress too: the failure that
     * follows is a new one */
    if (c->last > before)
        s_recovered(c);
    if (applied < 0)
        s_failed(c);
    return applied;
}

/* Asks the source for everything after the last applied event; false
 * when it could not (the source or the database away, an event that
 * would not apply), so that the caller asks again. */
static bool s_catch_up(consumer_t *c, bus_client_t *client)
{
    char method[64];
    snprintf(method, sizeof method, "%s.Events", c->source);
    /* a stop between rounds ends it: the rest is applied after a start */
    for (int round = 0; round < 100 && !c->stopping; round++) {
        Samhand__V1__EventsRequest req = SAMHAND__V1__EVENTS_REQUEST__INIT;
        req.after_sequence = c->last;
        req.limit = CATCH_UP_LIMIT;
        Samhand__V1__Envelope *reply = bus_client_call(client, method, &req.base, 2000);
        if (!reply)
            return false; /* the source is away: try again later */
        Samhand__V1__EventsResponse *events =
            reply->status && reply->status->code != BUS_OK
                ? NULL
                : samhand__v1__events_response__unpack(NULL, reply->body.len, reply->body.data);
        samhand__v1__envelope__free_unpacked(reply, NULL);
        if (!events)
            return false;
        Samhand__V1__Event **run = calloc(events->n_events + 1, sizeof *run);
        size_t n = 0;
        bool unreadable = false;
        for (size_t i = 0; i < events->n_events; i++) {
            Samhand__V1__Event *event =
                samhand__v1__event__unpack(NULL, events->events[i].len, events->events[i].data);
            if (!event) {
                /* those before it are applied, it and those after wait */
                unreadable = true;
                break;
            }
            if (n == 0 && event->sequence > c->last + 1) {
                /* pruned past its retention before we came: go on from here */
                log_warn("%s events %lld to %lld are gone; continuing after them", c->source,
                         (long long)c->last + 1, (long long)event->sequence - 1);
                c->last = event->sequence - 1;
            }
            run[n++] = event;
        }
        s_seen(c, events->last_sequence);
        int applied = s_apply_run(c, run, n);
        for (size_t i = 0; i < n; i++)
            samhand__v1__event__free_unpacked(run[i], NULL);
        free(run);
        if (applied >= 0 && unreadable) {
            s_keep_why(c, "the source sent bytes that are not an Event", "", true);
            s_failed(c);
        }
        if (applied < 0 || unreadable) {
            samhand__v1__events_response__free_unpacked(events, NULL);
            return false;
        }
        /* caught up when the last applied is the stream's last: short of
         * it, a full batch is followed by the next at once, and one that
         * brought nothing although the stream goes on (read in one
         * snapshot) stops before an event the source cannot read: the
         * follower is stuck there, and asks again as after a refusal */
        bool behind = c->last < events->last_sequence;
        bool more = events->n_events == CATCH_UP_LIMIT;
        samhand__v1__events_response__free_unpacked(events, NULL);
        s_report(c);
        if (!behind)
            return true;
        if (applied == 0 && !more) {
            char why[96];
            snprintf(why, sizeof why, "the source's stream stops before event %lld",
                     (long long)c->last + 1);
            s_keep_why(c, why, "", true);
            s_failed(c);
            return false;
        }
        if (!more || applied == 0)
            return false;
    }
    return false; /* a hundred rounds and still more: go on soon */
}

/* The last event applied, as the offset table says; -1 when it cannot be
 * read. */
static int64_t s_offset(consumer_t *c)
{
    db_t *db = bus_server_db_take(c->server);
    if (!db)
        return -1;
    const char *params[] = {c->source};
    /* made when it is not there yet, so that every apply can lock it */
    PGresult *res =
        db_query(db,
                 "WITH made AS (INSERT INTO consumer_offsets (source, last_sequence) "
                 "VALUES ($1, 0) ON CONFLICT (source) DO NOTHING RETURNING last_sequence) "
                 "SELECT last_sequence FROM made UNION ALL SELECT last_sequence FROM "
                 "consumer_offsets WHERE source = $1",
                 1, params);
    int64_t last = !res ? -1 : PQntuples(res) ? strtoll(PQgetvalue(res, 0, 0), NULL, 10) : 0;
    PQclear(res);
    bus_server_db_give_back(c->server, db);
    return last;
}

/* Follows the source: what its PUB sends, applied as it comes; a catch-up
 * over its ROUTER at start, at a gap, just after each (re)connection to
 * the source's PUB (what was sent before the subscription reached it), a
 * second after the last message (one lost at the end of a burst shows no
 * gap), and a second after a catch-up that failed. Idle, it sleeps.
 * Without a PUB endpoint it asks once a second. */
static void s_consumer_fiber(void *arg)
{
    consumer_t *c = arg;
    while (!c->stopping && (c->last = s_offset(c)) < 0)
        fiber_sleep(1000);
    s_report(c);

    zsock_t *sub = zsock_new(ZMQ_SUB);
    curve_client(sub);
    zsock_set_subscribe(sub, "");
    zsock_set_rcvtimeo(sub, 0);
    /* the SUB's connections as they are made */
    char monitor_endpoint[64];
    snprintf(monitor_endpoint, sizeof monitor_endpoint, "inproc://samhand-consumer-%p", (void *)c);
    zmq_socket_monitor(zsock_resolve(sub), monitor_endpoint, ZMQ_EVENT_HANDSHAKE_SUCCEEDED);
    zsock_t *monitor = zsock_new_pair(monitor_endpoint);
    zsock_set_rcvtimeo(monitor, 0);
    char *list = strdup(c->pub_endpoints);
    for (char *save = NULL, *e = strtok_r(list, ",", &save); e; e = strtok_r(NULL, ",", &save))
        zsock_connect(sub, "%s", e);
    free(list);
    bus_client_t *client = bus_client_new(c->router_endpoints);
    bool polling = !c->pub_endpoints[0];
    int64_t next_catch_up = zclock_mono(); /* -1: none due */
    while (!c->stopping) {
        if (next_catch_up >= 0 && zclock_mono() >= next_catch_up) {
            /* one that failed is tried again a second later: idle, the
             * source may send nothing more that would show the gap */
            bool caught_up = s_catch_up(c, client);
            next_catch_up = polling || !caught_up ? s_next_try(c) : -1;
        }
        /* a stop that came during the catch-up or an apply (its wake
         * ended a wait of theirs) is seen here: the wait below may be
         * for the source's next event, which may never come */
        if (c->stopping)
            break;
        int64_t timeout = next_catch_up < 0 ? -1 : next_catch_up - zclock_mono();
        zmq_pollitem_t items[] = {{zsock_resolve(sub), 0, ZMQ_POLLIN, 0},
                                  {zsock_resolve(monitor), 0, ZMQ_POLLIN, 0}};
        fiber_poll(items, 2, timeout < 0 ? -1 : (int)timeout);
        if (items[1].revents & ZMQ_POLLIN) {
            zmsg_t *event;
            while ((event = zmsg_recv(monitor)) != NULL)
                zmsg_destroy(&event);
            /* connected: once the subscription has reached the source
             * (or, stuck on an event, when its wait ends) */
            next_catch_up = zclock_mono() + 100;
            if (c->failures > 0 && c->retry_at > next_catch_up)
                next_catch_up = c->retry_at;
        }
        if (!(items[0].revents & ZMQ_POLLIN))
            continue;
        /* what has arrived, up to a run, is applied in one transaction */
        Samhand__V1__Event *run[RUN_MAX];
        size_t n = 0;
        zmsg_t *msg;
        while (n < RUN_MAX && (msg = zmsg_recv(sub)) != NULL) {
            zframe_t *type = zmsg_first(msg);
            zframe_t *body = type ? zmsg_next(msg) : NULL;
            Samhand__V1__Event *event =
                body ? samhand__v1__event__unpack(NULL, zframe_size(body), zframe_data(body))
                     : NULL;
            if (event)
                run[n++] = event;
            zmsg_destroy(&msg);
        }
        if (c->failures > 0 && zclock_mono() < c->retry_at) {
            /* stuck on the next event: counted, and tried at retry_at */
            if (n > 0)
                s_seen(c, run[n - 1]->sequence);
            s_report(c);
        } else {
            int applied = n > 0 && run[0]->sequence <= c->last + 1 ? s_apply_run(c, run, n) : 0;
            /* a gap: from the source (a failure waits for its retry) */
            if (applied >= 0 && n > 0 && run[n - 1]->sequence > c->last)
                s_catch_up(c, client);
        }
        for (size_t i = 0; i < n; i++)
            samhand__v1__event__free_unpacked(run[i], NULL);
        /* a safety net for a message the subscription missed */
        next_catch_up = s_next_try(c);
    }
    bus_client_destroy(&client);
    zmq_socket_monitor(zsock_resolve(sub), NULL, 0);
    zsock_destroy(&monitor);
    zsock_destroy(&sub);
}

consumer_t *consumer_new(bus_server_t *server, const char *source, const char *pub_endpoints,
                         const char *router_endpoints, const char *schema, consumer_apply_fn apply,
                         consumer_apply_run_fn apply_run, void *arg)
{
    consumer_t *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->server = server;
    c->source = strdup(source);
    c->pub_endpoints = strdup(pub_endpoints ? pub_endpoints : "");
    c->router_endpoints = strdup(router_endpoints);
    c->schema = strdup(schema);
    c->apply = apply;
    c->apply_run = apply_run;
    c->arg = arg;
    if (!c->source || !c->pub_endpoints || !c->router_endpoints || !c->schema ||
        !(c->fiber = fiber_spawn(s_consumer_fiber, c)))
        consumer_destroy(&c);
    return c;
}

void consumer_stop(consumer_t *c)
{
    if (!c || c->stopping)
        return;
    c->stopping = true;
    fiber_wake(c->fiber);
}

void consumer_destroy(consumer_t **consumer_p)
{
    if (!consumer_p || !*consumer_p)
        return;
    consumer_t *c = *consumer_p;
    free(c->source);
    free(c->pub_endpoints);
    free(c->router_endpoints);
    free(c->schema);
    free(c);
    *consumer_p = NULL;
}
