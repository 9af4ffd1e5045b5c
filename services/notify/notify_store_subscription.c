/* The SQL of notify's webhook subscriptions as their owners manage them:
 * the subscription, its deliveries with their attempts, replays and
 * expiry. See notify_store.h; a PGresult never leaves this file. */
#include "notify_store.h"
#include "samhand_rows.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>

/* its health (subscription_health), after the rest */
#define HEALTH_COLUMNS                                                                             \
    ROWS_TIMESTAMP_US("failing_since")                                                             \
    ", consecutive_failures, coalesce((SELECT "                                                    \
    "h.oldest_pending_age_seconds FROM subscription_health h "                                     \
    "WHERE h.id = subscriptions.id), 0)"

/* an active subscription whose URL has not answered the handshake is
 * REQUESTED: events wait for it */
#define SUBSCRIPTION_COLUMNS                                                                       \
    "id, url, array_to_json(event_types)::text, coalesce(organization_id::text, ''), "             \
    "coalesce(committee_id::text, ''), description, CASE WHEN state = 'ACTIVE' AND url IS "        \
    "DISTINCT FROM verified_url THEN 'REQUESTED' ELSE state END, "                                 \
    "coalesce(owner_organization_id::text, ''), disabled_reason, " ROWS_TIMESTAMP_US(              \
        "created_at") ", " ROWS_TIMESTAMP_US("updated_at") ", contact_email, owner_subject, "      \
                                                           "handshake_error, max_per_second, "     \
                                                           "heartbeat_seconds, coalesce((SELECT "  \
                                                           "c.last_sequence FROM "                 \
                                                           "subscription_counters c WHERE "        \
                                                           "c.subscription_id = "                  \
                                                           "subscriptions.id), "                   \
                                                           "0), "                                  \
                                                           "(SELECT count(*) FROM deliveries d "   \
                                                           "WHERE d.subscription_id = "            \
                                                           "subscriptions.id AND d.state = "       \
                                                           "'PENDING'), " HEALTH_COLUMNS           \
                                                           ", signature_scheme, public_key, "      \
                                                           "row_seq"

/* The health columns from `col` on: failing since (or NULL),
 * consecutive failures, oldest pending age. */
static Samhand__V1__SubscriptionHealth *s_health(const PGresult *res, int row, int col)
{
    Samhand__V1__SubscriptionHealth *h = malloc(sizeof *h);
    assert(h);
    samhand__v1__subscription_health__init(h);
    if (!PQgetisnull(res, row, col))
        h->failing_since = rows_timestamp_us(res, row, col);
    h->consecutive_failures = atoi(PQgetvalue(res, row, col + 1));
    h->oldest_pending_age_seconds = strtoll(PQgetvalue(res, row, col + 2), NULL, 10);
    return h;
}

static ProtobufCMessage *s_subscription(const PGresult *res, int row)
{
    Samhand__V1__Subscription *s = malloc(sizeof *s);
    samhand__v1__subscription__init(s);
    s->id = rows_text(res, row, 0);
    s->url = rows_text(res, row, 1);
    s->event_types = rows_json_strings(PQgetvalue(res, row, 2), &s->n_event_types);
    s->organization_id = rows_text(res, row, 3);
    s->committee_id = rows_text(res, row, 4);
    s->description = rows_text(res, row, 5);
    s->state = rows_enum(&samhand__v1__subscription__state__descriptor, res, row, 6);
    s->owner_organization_id = rows_text(res, row, 7);
    s->disabled_reason = rows_text(res, row, 8);
    s->create_time = rows_timestamp_us(res, row, 9);
    s->update_time = rows_timestamp_us(res, row, 10);
    s->contact_email = rows_text(res, row, 11);
    s->owner_subject = rows_text(res, row, 12);
    s->handshake_error = rows_text(res, row, 13);
    s->max_deliveries_per_second = atoi(PQgetvalue(res, row, 14));
    s->heartbeat_seconds = atoi(PQgetvalue(res, row, 15));
    s->last_sequence = strtoll(PQgetvalue(res, row, 16), NULL, 10);
    s->pending_deliveries = strtoll(PQgetvalue(res, row, 17), NULL, 10);
    s->health = s_health(res, row, 18);
    s->signature_scheme = rows_enum(&samhand__v1__signature_scheme__descriptor, res, row, 21);
    s->public_key = rows_text(res, row, 22);
    return &s->base;
}

int notify_store_subscription_get(db_t *db, const char *const params[3],
                                  Samhand__V1__Subscription **out)
{
    return rows_one(db,
                    "SELECT " SUBSCRIPTION_COLUMNS " FROM subscriptions WHERE "
                    "id = $1 AND ($2::boolean OR owner_organization_id = $3)",
                    3, params, s_subscription, (ProtobufCMessage **)out);
}

int notify_store_subscription_list(db_t *db, int64_t after, int limit, bool sees_all,
                                   const char *organization_id,
                                   Samhand__V1__ListSubscriptionsResponse **out)
{
    char after_text[24], limit_text[16];
    rows_page_params(after, limit, after_text, limit_text);
    const char *params[] = {after_text, limit_text, sees_all ? "t" : "f", organization_id};
    return rows_list(db,
                     "SELECT " SUBSCRIPTION_COLUMNS " FROM subscriptions WHERE row_seq > $1 AND "
                     "($3::boolean OR owner_organization_id = $4) ORDER BY row_seq LIMIT $2",
                     4, params, s_subscription, limit,
                     &samhand__v1__list_subscriptions_response__descriptor,
                     (ProtobufCMessage **)out);
}

/* The owner `subject` (an SQL expression) is not revoked in notify's read
 * model of principals, and its row there, if any, is locked against a
 * revocation until the commit: a revocation being applied meanwhile (the
 * principal's row first, then the owner's subscriptions paused, in one
 * transaction) is waited for and then seen, or waits for this transaction
 * and then pauses what it made ACTIVE too. */
#define OWNER_NOT_REVOKED(subject)                                                                 \
    "(SELECT p.revoked_at IS NULL FROM principals p WHERE p.subject = " subject " FOR SHARE) "     \
    "IS NOT FALSE"

int notify_store_owner_revoked(db_t *db, const char *subject)
{
    const char *params[] = {subject};
    PGresult *res = db_query(db, "SELECT NOT " OWNER_NOT_REVOKED("$1"), 1, params);
    int revoked = res && PQntuples(res) == 1 ? strcmp(PQgetvalue(res, 0, 0), "t") == 0 : -1;
    PQclear(res);
    return revoked;
}

int notify_store_subscription_insert(db_t *db, const char *const params[13],
                                     Samhand__V1__Subscription **out)
{
    return rows_one(db,
                    "INSERT INTO subscriptions (owner_subject, owner_organization_id, url, "
                    "event_types, organization_id, committee_id, description, secret_sealed, "
                    "contact_email, max_per_second, heartbeat_seconds, signature_scheme, "
                    "public_key) VALUES ($1, $2, $3, ARRAY(SELECT "
                    "jsonb_array_elements_text($4::jsonb)), $5, $6, $7, $8, $9, $10::int, "
                    "$11::int, $12, $13) RETURNING " SUBSCRIPTION_COLUMNS,
                    13, params, s_subscription, (ProtobufCMessage **)out);
}

/* The number of rows a statement changed, or -1. */
static long long s_changed(db_t *db, const char *sql, int n, const char *const *params)
{
    PGresult *res = db_query(db, sql, n, params);
    if (!res)
        return -1;
    long long changed = strtoll(PQcmdTuples(res), NULL, 10);
    PQclear(res);
    return changed;
}

int notify_store_subscription_update(db_t *db, const char *const params[11])
{
    PGresult *res = db_query(
        db,
        "UPDATE subscriptions s SET url = coalesce($2, url), event_types = CASE WHEN $3::jsonb IS "
        "NULL THEN event_types ELSE ARRAY(SELECT jsonb_array_elements_text($3::jsonb)) END, "
        "description = coalesce($4, description), state = coalesce($5, state), "
        "disabled_reason = CASE WHEN $5 IS NULL THEN disabled_reason ELSE '' END, "
        "failing_since = CASE WHEN $5 = 'ACTIVE' THEN NULL ELSE failing_since END, "
        "handshake_attempts = CASE WHEN $2 IS DISTINCT FROM url AND $2 IS NOT NULL THEN 0 ELSE "
        "handshake_attempts END, handshake_next_at = CASE WHEN $2 IS DISTINCT FROM url AND $2 IS "
        "NOT NULL THEN now() ELSE handshake_next_at END, "
        "previous_secret_sealed = CASE WHEN $6::text IS NULL THEN previous_secret_sealed ELSE "
        "secret_sealed END, previous_secret_until = CASE WHEN $6::text IS NULL THEN "
        "previous_secret_until ELSE now() + interval '24 hours' END, secret_sealed = coalesce($6, "
        "secret_sealed), contact_email = coalesce($7, contact_email), max_per_second = "
        "coalesce($8::int, max_per_second), heartbeat_seconds = coalesce($9::int, "
        "heartbeat_seconds), signature_scheme = coalesce($10, signature_scheme), public_key = "
        "CASE WHEN $10 IS NULL THEN public_key ELSE $11 END, updated_at = now() "
        "WHERE id = $1 AND ($5 IS DISTINCT FROM 'ACTIVE' OR " OWNER_NOT_REVOKED(
            "s.owner_subject") ")",
        11, params);
    if (!res)
        return -1;
    bool changed = atoi(PQcmdTuples(res)) > 0;
    PQclear(res);
    return changed;
}

int notify_store_subscription_delete(db_t *db, const char *id)
{
    const char *params[] = {id};
    if (rows_exec(db,
                  "DELETE FROM delivery_attempts WHERE delivery_id IN (SELECT id FROM deliveries "
                  "WHERE subscription_id = $1)",
                  1, params) < 0 ||
        rows_exec(db, "DELETE FROM deliveries WHERE subscription_id = $1", 1, params) < 0 ||
        rows_exec(db, "DELETE FROM subscriptions WHERE id = $1", 1, params) < 0)
        return -1;
    return 0;
}

static ProtobufCMessage *s_delivery(const PGresult *res, int row)
{
    Samhand__V1__Delivery *d = malloc(sizeof *d);
    samhand__v1__delivery__init(d);
    d->id = rows_text(res, row, 0);
    d->event_id = rows_text(res, row, 1);
    d->event_type = rows_text(res, row, 2);
    d->state = rows_enum(&samhand__v1__delivery__state__descriptor, res, row, 3);
    d->attempts = atoi(PQgetvalue(res, row, 4));
    d->next_attempt_time = rows_timestamp_us(res, row, 5);
    return &d->base;
}

static ProtobufCMessage *s_attempt(const PGresult *res, int row)
{
    Samhand__V1__DeliveryAttempt *a = malloc(sizeof *a);
    assert(a);
    samhand__v1__delivery_attempt__init(a);
    a->time = rows_timestamp_us(res, row, 0);
    a->status = atoi(PQgetvalue(res, row, 1));
    a->latency_ms = atoi(PQgetvalue(res, row, 2));
    a->response = rows_text(res, row, 3);
    return &a->base;
}

int notify_store_deliveries_list(db_t *db, const char *subscription_id, const char *state,
                                 int64_t after, int limit,
                                 Samhand__V1__ListDeliveriesResponse **out)
{
    char after_text[24], limit_text[16];
    rows_page_params(after, limit, after_text, limit_text);
    const char *params[] = {after_text, limit_text, subscription_id, state};
    return rows_list(db,
                     "SELECT d.id, e.id, e.type, d.state, d.attempts, " ROWS_TIMESTAMP_US(
                         "d.next_attempt_at") ", d.row_seq FROM deliveries d JOIN events e ON "
                                              "e.seq = d.event_seq WHERE d.row_seq > $1 AND "
                                              "d.subscription_id = $3 AND ($4::text IS NULL OR "
                                              "d.state = $4) ORDER BY d.row_seq LIMIT $2",
                     4, params, s_delivery, limit,
                     &samhand__v1__list_deliveries_response__descriptor, (ProtobufCMessage **)out);
}

int notify_store_delivery_attempts(db_t *db, Samhand__V1__Delivery *delivery)
{
    const char *id[] = {delivery->id};
    return rows_children(db,
                         "SELECT " ROWS_TIMESTAMP_US("at") ", status, latency_ms, response FROM "
                                                           "delivery_attempts WHERE delivery_id "
                                                           "= $1 ORDER BY id",
                         1, id, s_attempt, &delivery->base, "attempt_log");
}

long long notify_store_deliveries_recover(db_t *db, const char *subscription_id, int64_t since_s)
{
    char since_text[24];
    snprintf(since_text, sizeof since_text, "%lld", (long long)since_s);
    const char *params[] = {subscription_id, since_text};
    return s_changed(
        db,
        "UPDATE deliveries d SET state = 'PENDING', attempts = 0, next_attempt_at = now(), "
        "delivered_at = NULL FROM events e WHERE e.seq = d.event_seq AND d.subscription_id = $1 "
        "AND d.state IN ('DELIVERED', 'DEAD') AND e.received_at >= to_timestamp($2::bigint)",
        2, params);
}

long long notify_store_deliveries_replay(db_t *db, const char *const params[4])
{
    return s_changed(
        db,
        "UPDATE deliveries d SET state = 'PENDING', attempts = 0, next_attempt_at = now() "
        "FROM events e WHERE e.seq = d.event_seq AND d.subscription_id = $1 AND d.state = 'DEAD' "
        "AND ($2::uuid IS NULL OR d.id = $2) AND ($3::bigint IS NULL OR e.received_at >= "
        "to_timestamp($3::bigint)) AND ($4::bigint IS NULL OR e.received_at <= "
        "to_timestamp($4::bigint))",
        4, params);
}

long long notify_store_deliveries_expire(db_t *db, const char *const params[2])
{
    return s_changed(
        db,
        "WITH expired AS (UPDATE deliveries d SET state = 'DEAD', leased_by = NULL FROM events e "
        "WHERE e.seq = d.event_seq AND d.state = 'PENDING' AND e.received_at < now() - "
        "make_interval(days => $1::int) RETURNING d.id) "
        "INSERT INTO delivery_attempts (delivery_id, status, latency_ms, response) "
        "SELECT id, 0, 0, $2 FROM expired",
        2, params);
}
