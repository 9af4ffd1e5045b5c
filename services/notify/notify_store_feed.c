/* The SQL of notify's inbox of events: an event kept and fanned out to the
 * subscriptions that want it, the pull feed's pages, a subscription's own
 * events, and the partnership's settings as their events tell them. See
 * notify_store.h. */
#include "notify_store.h"
#include "samhand_rows.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int notify_store_event_keep(db_t *db, const Samhand__V1__Event *event, int *fanned)
{
    size_t len = samhand__v1__event__get_packed_size(event);
    uint8_t *packed = malloc(len + 1);
    samhand__v1__event__pack(event, packed);
    char *audience =
        rows_json_array(event->audience_organization_ids, event->n_audience_organization_ids);
    char *roles = rows_json_array(event->audience_roles, event->n_audience_roles);
    char *subjects = rows_json_array(event->audience_subjects, event->n_audience_subjects);
    char sequence[24];
    snprintf(sequence, sizeof sequence, "%lld", (long long)event->sequence);
    /* the source's name is its path: "/agenda" -> "agenda" */
    const char *source = event->source[0] == '/' ? event->source + 1 : event->source;
    const char *params[] = {event->id,
                            source,
                            sequence,
                            event->type,
                            event->subject,
                            audience,
                            (const char *)packed,
                            event->organization_id[0] ? event->organization_id : NULL,
                            event->committee_id[0] ? event->committee_id : NULL,
                            roles,
                            subjects};
    int lengths[] = {0, 0, 0, 0, 0, 0, (int)len, 0, 0, 0, 0};
    int formats[] = {0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0};
    /* the event into the inbox and, when it is new, one delivery per
     * subscription that wants it and whose owner, alive, may see it now, in
     * one statement of the same transaction: an event is fanned out exactly
     * once. The subscriptions are matched against the row the insert
     * returns, not looked up again in events (whose plan, made while the
     * table was small, would scan it whole). Whatever the subscription's
     * state: a paused one, one waiting for its handshake or one switched
     * off keeps its stream, and the senders send only for the active ones.
     * Each delivery takes the subscription's next counter (its row locked,
     * in the order of the ids, so two fan-outs at once neither skip a
     * number nor deadlock). */
    PGresult *res = db_query_bin(
        db,
        "WITH e AS (INSERT INTO events (id, source, source_sequence, type, subject, audience, "
        "event, organization_id, committee_id, audience_roles, audience_subjects) VALUES ($1, $2, "
        "$3, $4, $5, ARRAY(SELECT jsonb_array_elements_text($6::jsonb)::uuid), $7, $8, $9, "
        "ARRAY(SELECT jsonb_array_elements_text($10::jsonb)), ARRAY(SELECT "
        "jsonb_array_elements_text($11::jsonb))) ON CONFLICT (id) DO NOTHING "
        "RETURNING seq, type, organization_id, committee_id, audience, audience_roles, "
        "audience_subjects), "
        "matched AS (SELECT s.id, e.seq FROM e, subscriptions s JOIN "
        "principals p ON p.subject = s.owner_subject AND p.revoked_at IS NULL "
        "WHERE (cardinality(s.event_types) = 0 OR EXISTS (SELECT 1 FROM "
        "     unnest(s.event_types) prefix WHERE starts_with(e.type, prefix))) "
        "AND (s.organization_id IS NULL OR s.organization_id = e.organization_id OR "
        "     s.organization_id = ANY (e.audience)) "
        "AND (s.committee_id IS NULL OR s.committee_id = e.committee_id) "
        "AND visible_to(e.audience, e.audience_roles, e.audience_subjects, "
        "     s.owner_subject, s.owner_organization_id, p.roles) "
        "), "
        /* each subscription's counter, one more, in id order (no deadlock
         * between two fan-outs); its own table, so the subscriptions' rows
         * the senders scan stay as they are */
        "counted AS (INSERT INTO subscription_counters AS c (subscription_id, "
        "last_sequence) SELECT id, 1 FROM matched ORDER BY id ON CONFLICT "
        "(subscription_id) DO UPDATE SET last_sequence = c.last_sequence + 1 "
        "RETURNING c.subscription_id, c.last_sequence), "
        "fanned AS (INSERT INTO deliveries (subscription_id, event_seq, subscription_sequence) "
        "SELECT c.subscription_id, m.seq, c.last_sequence FROM counted c JOIN matched m "
        "ON m.id = c.subscription_id RETURNING 1) "
        "SELECT e.seq, (SELECT count(*) FROM fanned) FROM e",
        11, params, lengths, formats);
    free(packed);
    free(audience);
    free(roles);
    free(subjects);
    if (!res)
        return -1;
    bool is_new = PQntuples(res) > 0;
    *fanned = is_new ? atoi(PQgetvalue(res, 0, 1)) : 0;
    PQclear(res);
    return is_new ? 1 : 0;
}

/* The events of `res` (columns: seq, event and, when `by_subscription`,
 * the subscription's counter); clears `res`. */
static notify_feed_event_t *s_events(PGresult *res, bool by_subscription, int *n)
{
    if (!res) {
        *n = -1;
        return NULL;
    }
    *n = PQntuples(res);
    notify_feed_event_t *rows = calloc((size_t)*n + 1, sizeof *rows);
    for (int i = 0; i < *n; i++) {
        size_t len;
        unsigned char *bytes = PQunescapeBytea((const unsigned char *)PQgetvalue(res, i, 1), &len);
        rows[i].event = samhand__v1__event__unpack(NULL, len, bytes);
        PQfreemem(bytes);
        rows[i].seq = strtoll(PQgetvalue(res, i, 0), NULL, 10);
        if (by_subscription)
            rows[i].subscription_sequence = strtoll(PQgetvalue(res, i, 2), NULL, 10);
    }
    PQclear(res);
    return rows;
}

void notify_feed_events_free(notify_feed_event_t *rows, int n)
{
    for (int i = 0; rows && i < n; i++)
        if (rows[i].event)
            samhand__v1__event__free_unpacked(rows[i].event, NULL);
    free(rows);
}

notify_feed_event_t *notify_store_feed(db_t *db, const char *const params[6], int *n)
{
    return s_events(db_query(db,
                             "SELECT seq, event FROM events WHERE seq > $1"
                             " AND ($3::jsonb IS NULL OR EXISTS (SELECT 1 FROM "
                             "      jsonb_array_elements_text($3::jsonb) prefix "
                             "      WHERE starts_with(type, prefix)))"
                             " AND visible_to(audience, audience_roles, audience_subjects, $4, "
                             "      $5::uuid, ARRAY(SELECT jsonb_array_elements_text($6::jsonb)))"
                             " ORDER BY seq LIMIT $2",
                             6, params),
                    false, n);
}

notify_feed_event_t *notify_store_subscription_events(db_t *db, const char *const params[6], int *n)
{
    /* what matched it when it came, as far as the caller may see it now
     * (as in the feed) */
    return s_events(
        db_query(db,
                 "SELECT e.seq, e.event, d.subscription_sequence FROM deliveries d JOIN events e "
                 "ON e.seq = d.event_seq WHERE d.subscription_id = $1 AND "
                 "d.subscription_sequence > $2 AND visible_to(e.audience, e.audience_roles, "
                 "e.audience_subjects, $4, $5::uuid, "
                 "ARRAY(SELECT jsonb_array_elements_text($6::jsonb))) "
                 "ORDER BY d.subscription_sequence LIMIT $3",
                 6, params),
        true, n);
}

notify_feed_event_t *notify_store_settings_events(db_t *db, int *n)
{
    return s_events(db_query(db,
                             "SELECT seq, event FROM events WHERE source = 'deviation' AND type = "
                             "'no.samhand.deviation.settings_changed' ORDER BY seq DESC LIMIT 100",
                             0, NULL),
                    false, n);
}
