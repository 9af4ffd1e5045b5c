/* Every SQL statement of notify's webhook and mail delivery; see
 * notify_store.h. */
#include "notify_store.h"
#include "samhand_log.h"
#include "samhand_rows.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Whether webhooks may go to subscription `s`: switched on, its URL
 * verified by a handshake, its secret there to sign with. The one
 * definition the claim, the heartbeats, the due times and /readyz share
 * (every statement calls the subscription `s`). */
#define SENDABLE "s.state = 'ACTIVE' AND s.url = s.verified_url AND s.secret_sealed IS NOT NULL"
/* ... and one whose new URL is to answer a handshake first */
#define SHAKABLE                                                                                   \
    "s.state = 'ACTIVE' AND s.url IS DISTINCT FROM s.verified_url AND s.secret_sealed IS NOT NULL"

/* A delivery that may be claimed: due, or leased by a session that is gone
 * (its process died), so a crash does not hold up a subscription for the
 * rest of the lease. The sessions are read once a statement, and only
 * when a leased delivery asks (an uncorrelated subquery is evaluated on
 * first use). */
#define DUE                                                                                        \
    "(d.next_attempt_at <= now() OR (d.leased_by IS NOT NULL AND d.leased_by <> ALL "              \
    "((SELECT array_agg(pid) FROM pg_stat_activity)::int[])))"

/* The webhook deliveries notify itself is to keep up with, due and not
 * taken: of endpoints not failing, and not paced by their owner (a backlog
 * there is the receiver's). */
#define WEBHOOKS_DUE_SQL                                                                           \
    "SELECT count(*), coalesce(extract(epoch FROM now() - min(h.next_attempt_at)), 0) "            \
    "FROM subscriptions s CROSS JOIN LATERAL (SELECT d.next_attempt_at FROM deliveries d "         \
    "WHERE d.subscription_id = s.id AND d.state = 'PENDING' "                                      \
    "ORDER BY d.subscription_sequence LIMIT 1) h "                                                 \
    "WHERE " SENDABLE " AND s.failing_since IS NULL AND s.max_per_second = 0 AND "                 \
    "h.next_attempt_at <= now()"

/* webhook deliveries waiting (age: since the event came in), dead
 * letters, and the inbox's lag behind each followed stream is in its
 * consumers' offsets. How long a delivery waits is its receiver's
 * doing (an endpoint down, slow or answering 500): those queues are
 * shown, per subscription too, but never make notify unready; what
 * is notify's own is a delivery due to an endpoint that is not failing
 * and taken up by no sender (age: since it fell due) */
const bus_queue_t notify_store_queues[] = {
    {"webhooks",
     "SELECT count(*), coalesce(extract(epoch FROM now() - min(e.received_at)), "
     "0) FROM deliveries d JOIN events e ON e.seq = d.event_seq JOIN "
     "subscriptions s ON s.id = d.subscription_id WHERE d.state = 'PENDING' AND "
     "s.state = 'ACTIVE'",
     true},
    {"dead_letters", "SELECT count(*), 0 FROM deliveries WHERE state = 'DEAD'", true},
    {"webhooks_due", WEBHOOKS_DUE_SQL, false},
    {"mail",
     "SELECT count(*), coalesce(extract(epoch FROM now() - min(created_at)), 0) "
     "FROM mails WHERE state = 'PENDING'",
     false},
    {"dead_mail", "SELECT count(*), 0 FROM mails WHERE state = 'DEAD'", false},
};
const size_t notify_store_queues_count = sizeof notify_store_queues / sizeof notify_store_queues[0];

/* each subscription's own health, the worst SUBSCRIPTION_HEALTH_MAX
 * of those switched on (all, when there are few), one series each */
#define SUBSCRIPTION_HEALTH_MAX "100"
#define WORST_SUBSCRIPTIONS                                                                        \
    "(SELECT * FROM subscription_health WHERE state = 'ACTIVE' ORDER BY failing_since NULLS "      \
    "LAST, oldest_pending_age_seconds DESC, id LIMIT " SUBSCRIPTION_HEALTH_MAX ") w"
const bus_gauge_t notify_store_gauges[] = {
    {"samhand_webhook_subscription_failing_since_timestamp_seconds",
     "When a subscription's endpoint began to fail (Unix time), for those failing", "subscription",
     "SELECT id, extract(epoch FROM failing_since) FROM " WORST_SUBSCRIPTIONS
     " WHERE failing_since IS NOT NULL ORDER BY id"},
    {"samhand_webhook_subscription_consecutive_failures",
     "Attempts in a row a subscription's endpoint did not take (0: healthy)", "subscription",
     "SELECT id, consecutive_failures FROM " WORST_SUBSCRIPTIONS " ORDER BY id"},
    {"samhand_webhook_subscription_oldest_pending_age_seconds",
     "Age of the oldest delivery a subscription's endpoint has not taken yet (0: none)",
     "subscription",
     "SELECT id, oldest_pending_age_seconds FROM " WORST_SUBSCRIPTIONS " ORDER BY id"},
};
const size_t notify_store_gauges_count = sizeof notify_store_gauges / sizeof notify_store_gauges[0];

int notify_store_sender_session(db_t *db)
{
    /* what became of a delivery is recorded without waiting for the disk:
     * lost in a database crash, it is sent again with the same webhook-id,
     * which receivers deduplicate on anyway. And every statement planned
     * for the rows there are now: the deliveries grow from none to tens of
     * thousands within seconds of a burst, and a prepared statement's
     * generic plan, made when they were few, scans them all (seconds a
     * claim instead of milliseconds). Set again at each reconnection (a
     * restart of the database), or the claims there would go generic */
    return db_set_session(db, "SELECT set_config('synchronous_commit', 'off', false), "
                              "set_config('plan_cache_mode', 'force_custom_plan', false)");
}

static char *s_dup_or_null(const PGresult *res, int row, int col)
{
    return PQgetisnull(res, row, col) ? NULL : strdup(PQgetvalue(res, row, col));
}

static int s_by_chain(const void *a, const void *b)
{
    const notify_claimed_t *x = a, *y = b;
    int c = strcmp(x->subscription_id, y->subscription_id);
    if (c)
        return c;
    return x->subscription_sequence < y->subscription_sequence
               ? -1
               : x->subscription_sequence > y->subscription_sequence;
}

notify_claimed_t *notify_store_claim(db_t *db, int max, int chain_max, int *n)
{
    char limit[16], chain[16];
    snprintf(limit, sizeof limit, "%d", max);
    snprintf(chain, sizeof chain, "%d", chain_max);
    /* the subscriptions with something pending, locked by this claim
     * first: another replica's claim passes over them, and this claim
     * reads their deliveries in a statement of its own, whose snapshot
     * comes after the lock and so sees every lease the last claim of them
     * committed. One statement reading and leasing would not do: its
     * re-check of a row another claim leased meanwhile passes over that
     * row, but takes the rows after it, and two replicas would send one
     * subscription's deliveries at once, out of their order. NO KEY: the
     * fan-out's inserts of deliveries (their key share of the row) go on. */
    if (db_begin(db) != 0) {
        *n = -1;
        return NULL;
    }
    PGresult *res =
        db_query(db,
                 "SELECT coalesce(array_agg(id), '{}')::text FROM (SELECT s.id FROM "
                 "subscriptions s WHERE " SENDABLE " AND s.paced_until <= now() AND EXISTS "
                 "(SELECT 1 FROM deliveries d WHERE d.subscription_id = s.id AND d.state = "
                 "'PENDING') ORDER BY s.id FOR NO KEY UPDATE SKIP LOCKED) mine",
                 0, NULL);
    if (!res || strcmp(PQgetvalue(res, 0, 0), "{}") == 0) {
        *n = res ? 0 : -1;
        PQclear(res);
        db_rollback(db);
        return NULL;
    }
    char *mine = strdup(PQgetvalue(res, 0, 0));
    PQclear(res);
    const char *params[] = {limit, chain, mine};
    res = db_query(
        db,
        /* the first pending deliveries of each subscription by its index,
         * not a sort of every pending delivery (a backlog does not slow the
         * claim), in the order of its counter as far as they are due
         * without a gap: the head first; a paced subscription no more than
         * its rate allows in a second, and none before its pause is over */
        "WITH heads AS (SELECT h.id, h.subscription_id, h.subscription_sequence, bool_and(h.due) "
        "  OVER w AS ready, row_number() OVER w AS place "
        "  FROM subscriptions s CROSS JOIN LATERAL "
        "  (SELECT d.id, d.subscription_id, d.subscription_sequence, " DUE " AS due "
        "   FROM deliveries d WHERE d.subscription_id = s.id AND d.state = 'PENDING' "
        "   ORDER BY d.subscription_sequence "
        "   LIMIT CASE WHEN s.max_per_second > 0 THEN least($2::int, s.max_per_second) "
        "   ELSE $2::int END) h "
        "  WHERE s.id = ANY ($3::uuid[]) "
        "  WINDOW w AS (PARTITION BY h.subscription_id ORDER BY h.subscription_sequence)), "
        /* the heads of all first, then the second of each ...: a full
         * claim is shared among the subscriptions, and what each gets is
         * still its first ones without a gap */
        "chosen AS (SELECT id, subscription_id FROM heads WHERE ready "
        "  ORDER BY place, subscription_id LIMIT $1::int), "
        "paced AS (UPDATE subscriptions s SET paced_until = now() + make_interval(secs => "
        "  c.n::double precision / s.max_per_second) FROM (SELECT subscription_id, "
        "count(*) AS n "
        "  FROM chosen GROUP BY subscription_id) c "
        "  WHERE s.id = c.subscription_id AND s.max_per_second > 0) "
        "UPDATE deliveries d SET next_attempt_at = now() + interval '2 minutes', "
        "leased_by = pg_backend_pid() "
        "FROM chosen, subscriptions s, events e "
        "WHERE d.id = chosen.id AND s.id = d.subscription_id AND e.seq = d.event_seq "
        /* again on the row itself: a replica that claimed it meanwhile wins */
        "AND " DUE " "
        "RETURNING d.id, s.id, s.url, s.secret_sealed, CASE WHEN s.previous_secret_until "
        "> now() "
        "THEN s.previous_secret_sealed END, e.id, e.event, d.attempts, d.event_seq, "
        "d.subscription_sequence",
        3, params);
    free(mine);
    *n = res ? PQntuples(res) : -1;
    if (*n < 0 || db_commit(db) != 0) {
        PQclear(res);
        db_rollback(db);
        *n = -1;
        return NULL;
    }
    if (*n == 0) {
        PQclear(res);
        return NULL;
    }
    notify_claimed_t *rows = calloc((size_t)*n, sizeof *rows);
    for (int i = 0; rows && i < *n; i++) {
        notify_claimed_t *r = &rows[i];
        r->id = strdup(PQgetvalue(res, i, 0));
        r->subscription_id = strdup(PQgetvalue(res, i, 1));
        r->url = strdup(PQgetvalue(res, i, 2));
        r->secret_sealed = s_dup_or_null(res, i, 3);
        r->previous_sealed = s_dup_or_null(res, i, 4);
        r->event_id = strdup(PQgetvalue(res, i, 5));
        r->event = PQunescapeBytea((const unsigned char *)PQgetvalue(res, i, 6), &r->event_len);
        r->attempts = atoi(PQgetvalue(res, i, 7));
        r->sequence = strtoll(PQgetvalue(res, i, 8), NULL, 10);
        r->subscription_sequence = strtoll(PQgetvalue(res, i, 9), NULL, 10);
    }
    PQclear(res);
    if (!rows) {
        *n = -1;
        return NULL;
    }
    qsort(rows, (size_t)*n, sizeof *rows, s_by_chain);
    return rows;
}

void notify_claimed_free(notify_claimed_t *rows, int n)
{
    for (int i = 0; rows && i < n; i++)
        notify_claimed_clear(&rows[i]);
    free(rows);
}

void notify_claimed_clear(notify_claimed_t *r)
{
    {
        free(r->id);
        free(r->subscription_id);
        free(r->url);
        free(r->secret_sealed);
        free(r->previous_sealed);
        free(r->event_id);
        PQfreemem(r->event);
    }
    *r = (notify_claimed_t){0};
}

int notify_store_delivered(db_t *db, const notify_attempt_t *attempts, size_t n)
{
    json_t *done = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(done,
                              json_pack("{s:s, s:s, s:I, s:i, s:s}", "id", attempts[i].delivery_id,
                                        "subscription", attempts[i].subscription_id, "status",
                                        (json_int_t)attempts[i].status, "latency_ms",
                                        attempts[i].latency_ms, "response", attempts[i].response));
    char *text = json_dumps(done, JSON_COMPACT);
    json_decref(done);
    const char *params[] = {text};
    int rc = rows_exec(db,
                       "WITH done AS (SELECT * FROM jsonb_to_recordset($1::jsonb) AS t(id uuid, "
                       "subscription uuid, status int, latency_ms int, response text)), "
                       "attempt AS (INSERT INTO delivery_attempts (delivery_id, status, "
                       "latency_ms, response) SELECT id, status, latency_ms, response FROM "
                       "done), "
                       "delivered AS (UPDATE deliveries d SET state = 'DELIVERED', attempts = "
                       "d.attempts + 1, delivered_at = now(), leased_by = NULL FROM done "
                       "WHERE d.id = done.id) "
                       "UPDATE subscriptions s SET failing_since = NULL, consecutive_failures = "
                       "0, last_sent_at = now() FROM (SELECT DISTINCT subscription FROM done) "
                       "done WHERE s.id = done.subscription AND "
                       "(s.failing_since IS NOT NULL OR s.consecutive_failures > 0 OR "
                       "s.heartbeat_seconds > 0)",
                       1, params);
    free(text);
    return rc < 0 ? -1 : 0;
}

int notify_store_failed(db_t *db, const notify_attempt_t *attempt, long delay_ms, bool is_dead,
                        int disable_after_days, bool *is_failing_long, bool *is_first_failure)
{
    char status[16], latency[16], delay[24], days[16];
    snprintf(status, sizeof status, "%ld", attempt->status);
    snprintf(latency, sizeof latency, "%d", attempt->latency_ms);
    snprintf(delay, sizeof delay, "%ld", delay_ms);
    snprintf(days, sizeof days, "%d", disable_after_days);
    const char *params[] = {attempt->delivery_id,     status, latency,
                            attempt->response,        delay,  is_dead ? "DEAD" : "PENDING",
                            attempt->subscription_id, days};
    /* in one statement: the attempt, the retry (or the dead letter), and
     * the subscription failing since the first failure */
    PGresult *res = db_query(
        db,
        "WITH attempt AS (INSERT INTO delivery_attempts (delivery_id, status, latency_ms, "
        "response) VALUES ($1, $2, $3, $4)), "
        "retry AS (UPDATE deliveries SET attempts = attempts + 1, state = $6, leased_by = NULL, "
        "next_attempt_at = now() + make_interval(secs => $5::double precision / 1000) "
        "WHERE id = $1), "
        "failing AS (UPDATE subscriptions SET failing_since = coalesce(failing_since, now()), "
        "consecutive_failures = consecutive_failures + 1 "
        "WHERE id = $7 RETURNING state, failing_since, consecutive_failures) "
        "SELECT state = 'ACTIVE' AND failing_since < now() - make_interval(days => $8::int), "
        "state = 'ACTIVE' AND consecutive_failures = 1 FROM failing",
        8, params);
    *is_failing_long = res && PQntuples(res) > 0 && PQgetvalue(res, 0, 0)[0] == 't';
    *is_first_failure = res && PQntuples(res) > 0 && PQgetvalue(res, 0, 1)[0] == 't';
    int rc = res ? 0 : -1;
    PQclear(res);
    return rc;
}

int notify_store_unsigned(db_t *db, const char *delivery_id, long delay_ms, const char *why)
{
    char delay[24];
    snprintf(delay, sizeof delay, "%ld", delay_ms);
    const char *params[] = {delivery_id, delay, why};
    return rows_exec(db,
                     "WITH later AS (UPDATE deliveries SET leased_by = NULL, next_attempt_at = "
                     "now() + make_interval(secs => $2::double precision / 1000) WHERE id = "
                     "$1::uuid) INSERT INTO delivery_attempts (delivery_id, status, latency_ms, "
                     "response) SELECT $1::uuid, 0, 0, $3 WHERE NOT EXISTS (SELECT 1 FROM "
                     "(SELECT response FROM delivery_attempts WHERE delivery_id = $1::uuid ORDER "
                     "BY id DESC LIMIT 1) l WHERE l.response = $3)",
                     3, params) < 0
               ? -1
               : 0;
}

int notify_store_release(db_t *db, const char *const *delivery_ids, size_t n)
{
    json_t *ids = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(ids, json_string(delivery_ids[i]));
    char *text = json_dumps(ids, JSON_COMPACT);
    json_decref(ids);
    const char *params[] = {text};
    int rc = rows_exec(db,
                       "UPDATE deliveries SET next_attempt_at = now(), leased_by = NULL WHERE "
                       "id IN (SELECT jsonb_array_elements_text($1::jsonb)::uuid)",
                       1, params);
    free(text);
    return rc < 0 ? -1 : 0;
}

int notify_store_disable(db_t *db, const char *subscription_id, const char *reason)
{
    const char *params[] = {subscription_id, reason};
    int rc = rows_exec(db,
                       "UPDATE subscriptions SET state = 'DISABLED', disabled_reason = $2, "
                       "updated_at = now() WHERE id = $1 AND state = 'ACTIVE'",
                       2, params);
    return rc < 0 ? -1 : rc == 0; /* rows_exec: 0 when it changed a row */
}

notify_handshake_t *notify_store_handshakes(db_t *db, int max, int *n)
{
    char limit[16];
    snprintf(limit, sizeof limit, "%d", max);
    const char *params[] = {limit};
    PGresult *res = db_query(
        db,
        "UPDATE subscriptions SET handshake_next_at = now() + interval '2 minutes' WHERE id IN "
        "(SELECT id FROM subscriptions s WHERE " SHAKABLE " AND handshake_next_at <= now() "
        "ORDER BY handshake_next_at LIMIT $1::int FOR UPDATE SKIP LOCKED) RETURNING id, "
        "url, "
        "secret_sealed, array_to_json(event_types)::text, coalesce(organization_id::text, "
        "''), "
        "coalesce(committee_id::text, ''), handshake_attempts, gen_random_uuid()",
        1, params);
    *n = res ? PQntuples(res) : -1;
    notify_handshake_t *rows = *n > 0 ? calloc((size_t)*n, sizeof *rows) : NULL;
    for (int i = 0; rows && i < *n; i++) {
        rows[i].id = strdup(PQgetvalue(res, i, 0));
        rows[i].url = strdup(PQgetvalue(res, i, 1));
        rows[i].secret_sealed = strdup(PQgetvalue(res, i, 2));
        rows[i].event_types_json = strdup(PQgetvalue(res, i, 3));
        rows[i].organization_id = strdup(PQgetvalue(res, i, 4));
        rows[i].committee_id = strdup(PQgetvalue(res, i, 5));
        rows[i].attempts = atoi(PQgetvalue(res, i, 6));
        rows[i].handshake_id = strdup(PQgetvalue(res, i, 7));
    }
    if (*n > 0 && !rows)
        *n = -1;
    PQclear(res);
    return rows;
}

void notify_handshake_clear(notify_handshake_t *h)
{
    free(h->id);
    free(h->url);
    free(h->secret_sealed);
    free(h->event_types_json);
    free(h->organization_id);
    free(h->committee_id);
    free(h->handshake_id);
    *h = (notify_handshake_t){0};
}

int notify_store_handshake_verified(db_t *db, const char *subscription_id, const char *url)
{
    const char *params[] = {subscription_id, url};
    return rows_exec(db,
                     "UPDATE subscriptions SET verified_url = $2, handshake_attempts = 0, "
                     "handshake_error = '' WHERE id = $1 AND url = $2",
                     2, params) < 0
               ? -1
               : 0;
}

int notify_store_handshake_failed(db_t *db, const char *subscription_id, int attempts,
                                  long delay_ms, const char *error)
{
    char attempts_text[16], delay[24];
    snprintf(attempts_text, sizeof attempts_text, "%d", attempts);
    snprintf(delay, sizeof delay, "%ld", delay_ms);
    const char *params[] = {subscription_id, attempts_text, delay, error};
    return rows_exec(db,
                     "UPDATE subscriptions SET handshake_attempts = $2::int, handshake_error = "
                     "$4, handshake_next_at = now() + make_interval(secs => $3::double "
                     "precision / 1000) WHERE id = $1",
                     4, params) < 0
               ? -1
               : 0;
}

int notify_store_handshake_unsigned(db_t *db, const char *subscription_id, long delay_ms,
                                    const char *why)
{
    char delay[24];
    snprintf(delay, sizeof delay, "%ld", delay_ms);
    const char *params[] = {subscription_id, delay, why};
    return rows_exec(db,
                     "UPDATE subscriptions SET handshake_error = $3, handshake_next_at = now() + "
                     "make_interval(secs => $2::double precision / 1000) WHERE id = $1",
                     3, params) < 0
               ? -1
               : 0;
}

notify_heartbeat_t *notify_store_heartbeats(db_t *db, int max, int *n)
{
    char limit[16];
    snprintf(limit, sizeof limit, "%d", max);
    const char *params[] = {limit};
    PGresult *res =
        db_query(db,
                 "UPDATE subscriptions s SET last_sent_at = now() WHERE s.id IN (SELECT id FROM "
                 "subscriptions s WHERE " SENDABLE " AND heartbeat_seconds > 0 AND failing_since "
                 "IS NULL AND last_sent_at <= now() - make_interval(secs => heartbeat_seconds) "
                 "ORDER BY last_sent_at LIMIT $1::int FOR UPDATE SKIP LOCKED) "
                 "RETURNING s.id, s.url, s.secret_sealed, CASE WHEN s.previous_secret_until > "
                 "now() THEN "
                 "s.previous_secret_sealed END, coalesce((SELECT c.last_sequence FROM "
                 "subscription_counters c WHERE c.subscription_id = s.id), 0), (SELECT count(*) "
                 "FROM "
                 "deliveries d WHERE d.subscription_id = s.id AND d.state = 'PENDING'), "
                 "gen_random_uuid()",
                 1, params);
    *n = res ? PQntuples(res) : -1;
    notify_heartbeat_t *rows = *n > 0 ? calloc((size_t)*n, sizeof *rows) : NULL;
    for (int i = 0; rows && i < *n; i++) {
        rows[i].id = strdup(PQgetvalue(res, i, 0));
        rows[i].url = strdup(PQgetvalue(res, i, 1));
        rows[i].secret_sealed = strdup(PQgetvalue(res, i, 2));
        rows[i].previous_sealed = s_dup_or_null(res, i, 3);
        rows[i].last_sequence = strtoll(PQgetvalue(res, i, 4), NULL, 10);
        rows[i].pending_deliveries = strtoll(PQgetvalue(res, i, 5), NULL, 10);
        rows[i].heartbeat_id = strdup(PQgetvalue(res, i, 6));
    }
    if (*n > 0 && !rows)
        *n = -1;
    PQclear(res);
    return rows;
}

void notify_heartbeat_clear(notify_heartbeat_t *h)
{
    free(h->id);
    free(h->url);
    free(h->secret_sealed);
    free(h->previous_sealed);
    free(h->heartbeat_id);
    *h = (notify_heartbeat_t){0};
}

/* The milliseconds of a one-column result: `none_ms` for NULL, -1 for
 * no result. Clears it. */
static long s_ms(PGresult *res, long none_ms)
{
    long ms = !res ? -1 : PQgetisnull(res, 0, 0) ? none_ms : atol(PQgetvalue(res, 0, 0));
    PQclear(res);
    return ms;
}

long notify_store_next_due_ms(db_t *db, long none_ms)
{
    return s_ms(
        db_query(db,
                 "SELECT ceil(extract(epoch FROM least("
                 " (SELECT min(greatest(h.next_attempt_at, s.paced_until)) FROM subscriptions s "
                 "  CROSS JOIN LATERAL (SELECT d.next_attempt_at FROM deliveries d "
                 "   WHERE d.subscription_id = s.id AND d.state = 'PENDING' "
                 "   ORDER BY d.subscription_sequence LIMIT 1) h WHERE " SENDABLE "), "
                 " (SELECT min(handshake_next_at) FROM subscriptions s WHERE " SHAKABLE "), "
                 " (SELECT min(last_sent_at + make_interval(secs => "
                 "heartbeat_seconds)) FROM "
                 "  subscriptions s WHERE " SENDABLE " AND heartbeat_seconds > 0 "
                 "  AND failing_since IS NULL)) - now()) * 1000)",
                 0, NULL),
        none_ms);
}

int notify_store_mails_claim(db_t *db, char (*ids)[40], int max)
{
    char limit[16];
    snprintf(limit, sizeof limit, "%d", max);
    const char *params[] = {limit};
    PGresult *res = db_query(db,
                             "UPDATE mails SET next_attempt_at = now() + interval '2 minutes' "
                             "WHERE id IN (SELECT id FROM mails WHERE state = 'PENDING' AND "
                             "next_attempt_at <= now() ORDER BY created_at LIMIT $1::int FOR "
                             "UPDATE SKIP LOCKED) RETURNING id",
                             1, params);
    int n = res ? PQntuples(res) : -1;
    for (int i = 0; i < n && i < max; i++)
        snprintf(ids[i], 40, "%s", PQgetvalue(res, i, 0));
    PQclear(res);
    return n < max ? n : max;
}

int notify_store_mail(db_t *db, const char *id, notify_mail_row_t *mail)
{
    const char *params[] = {id};
    PGresult *res = db_query(
        db,
        "SELECT m.to_address, m.subject, m.html, m.calendar, m.attempts, d.filename, "
        "d.content_type, replace(encode(d.body, 'base64'), E'\\n', E'\\r\\n') FROM mails m "
        "LEFT JOIN mail_documents d ON d.id = m.document_id WHERE m.id = $1",
        1, params);
    int rc = !res ? -1 : PQntuples(res) == 0 ? 0 : 1;
    if (rc == 1) {
        mail->to = strdup(PQgetvalue(res, 0, 0));
        mail->subject = strdup(PQgetvalue(res, 0, 1));
        mail->html = strdup(PQgetvalue(res, 0, 2));
        mail->calendar = s_dup_or_null(res, 0, 3);
        mail->attempts = atoi(PQgetvalue(res, 0, 4));
        mail->document_name = s_dup_or_null(res, 0, 5);
        mail->document_type = s_dup_or_null(res, 0, 6);
        mail->document_base64 = s_dup_or_null(res, 0, 7);
    }
    PQclear(res);
    return rc;
}

void notify_mail_row_clear(notify_mail_row_t *mail)
{
    free(mail->to);
    free(mail->subject);
    free(mail->html);
    free(mail->calendar);
    free(mail->document_name);
    free(mail->document_type);
    free(mail->document_base64);
    *mail = (notify_mail_row_t){0};
}

int notify_store_mail_sent(db_t *db, const char *id)
{
    const char *params[] = {id};
    return rows_exec(db,
                     "UPDATE mails SET state = 'SENT', sent_at = now(), attempts = attempts + 1 "
                     "WHERE id = $1",
                     1, params) < 0
               ? -1
               : 0;
}

int notify_store_mail_failed(db_t *db, const char *id, long delay_ms, bool is_dead,
                             const char *error)
{
    char delay[24];
    snprintf(delay, sizeof delay, "%ld", delay_ms);
    const char *params[] = {id, delay, is_dead ? "DEAD" : "PENDING", error};
    return rows_exec(db,
                     "UPDATE mails SET attempts = attempts + 1, state = $3, last_error = $4, "
                     "next_attempt_at = now() + make_interval(secs => $2::double precision / "
                     "1000) WHERE id = $1",
                     4, params) < 0
               ? -1
               : 0;
}

long notify_store_mail_due_ms(db_t *db, long none_ms)
{
    return s_ms(db_query(db,
                         "SELECT ceil(extract(epoch FROM min(next_attempt_at) - now()) * 1000) "
                         "FROM mails WHERE state = 'PENDING'",
                         0, NULL),
                none_ms);
}
