/* The SQL of notify's inbox of events: an event kept and fanned out to the
 * subscriptions that want it, the pull feed's pages, a subscription's own
 * events, and the partnership's settings as their events tell them. See
 * notify_store.h. */
#include "notify_store.h"
#include "samhand_rows.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The packed event as bytea's hex text ("\x0a12..."), which the statement's
 * record reads as a bytea column. */
static char *s_packed_hex(const Samhand__V1__Event *event)
{
    static const char digits[] = "0123456789abcdef";
    size_t len = samhand__v1__event__get_packed_size(event);
    uint8_t *packed = malloc(len + 1);
    char *hex = malloc(2 * len + 3);
    if (!packed || !hex) {
        free(packed);
        free(hex);
        return NULL;
    }
    samhand__v1__event__pack(event, packed);
    hex[0] = '\\';
    hex[1] = 'x';
    for (size_t i = 0; i < len; i++) {
        hex[2 + 2 * i] = digits[packed[i] >> 4];
        hex[3 + 2 * i] = digits[packed[i] & 15];
    }
    hex[2 + 2 * len] = '\0';
    free(packed);
    return hex;
}

/* The run as the statement's one parameter: the inbox's columns of each
 * event, as the records of a JSON array. */
static char *s_run_json(Samhand__V1__Event *const *events, size_t n)
{
    json_t *rows = json_array();
    for (size_t i = 0; i < n; i++) {
        const Samhand__V1__Event *e = events[i];
        char *hex = s_packed_hex(e);
        /* the source's name is its path: "/agenda" -> "agenda" */
        const char *source = e->source[0] == '/' ? e->source + 1 : e->source;
        /* an audience with an entry that is no UTF-8 is no array (NULL),
         * which json_pack refuses: the run fails rather than be kept with
         * the entry left out, which would let more see the event */
        json_t *row =
            hex ? json_pack("{s:s, s:s, s:I, s:s, s:s, s:o, s:s, s:s?, s:s?, s:o, s:o}", "id",
                            e->id, "source", source, "source_sequence", (json_int_t)e->sequence,
                            "type", e->type, "subject", e->subject, "audience",
                            rows_json_string_array(e->audience_organization_ids,
                                                   e->n_audience_organization_ids),
                            "event", hex, "organization_id",
                            e->organization_id[0] ? e->organization_id : NULL, "committee_id",
                            e->committee_id[0] ? e->committee_id : NULL, "audience_roles",
                            rows_json_string_array(e->audience_roles, e->n_audience_roles),
                            "audience_subjects",
                            rows_json_string_array(e->audience_subjects, e->n_audience_subjects))
                : NULL;
        free(hex);
        if (!row || json_array_append_new(rows, row) != 0) {
            json_decref(rows);
            return NULL;
        }
    }
    char *text = json_dumps(rows, JSON_COMPACT);
    json_decref(rows);
    return text;
}

int notify_store_events_keep(db_t *db, Samhand__V1__Event *const *events, size_t n, bool *is_new,
                             int *fanned)
{
    char *run = s_run_json(events, n);
    if (!run)
        return -1;
    const char *params[] = {run};
    /* the events into the inbox, in their order, and those that are new
     * fanned out: one delivery per subscription that wants one and whose
     * owner, alive, may see it now, in one statement of the same
     * transaction, so an event is fanned out exactly once. The
     * subscriptions are matched against the rows the insert returns, not
     * looked up again in events (whose plan, made while the table was
     * small, would scan it whole). Whatever the subscription's state: a
     * paused one, one waiting for its handshake or one switched off keeps
     * its stream, and the senders send only for the active ones.
     *
     * Each subscription's counter goes up once for the whole run, by how
     * many of its events it has (its row locked in the order of the ids, so
     * two such statements at once neither skip a number nor deadlock; a run
     * cut in parts, against another's at once, may: PostgreSQL ends one,
     * whose events are then applied one by one), and its
     * deliveries take the numbers below the new value in the events'
     * order. Once a run, not once an event: every update of a row within a
     * transaction leaves a version that the next one's lookup walks past,
     * so a counter moved once an event made a run's fan-out grow with the
     * square of its length (a run of 256 events to 50 subscriptions took
     * seconds, and a follower behind applied ever longer runs). The new
     * counters are looked up by id in one object made once, not joined:
     * the planner, which expects a row or two of `matched`, joins CTEs by
     * nested loops, every delivery against every subscription (a run of
     * 200 events to 50: a million comparisons, a third of its time). */
    PGresult *res = db_query(
        db,
        "WITH e AS (INSERT INTO events (id, source, source_sequence, type, subject, audience, "
        "event, organization_id, committee_id, audience_roles, audience_subjects) "
        "SELECT id, source, source_sequence, type, subject, audience, event, organization_id, "
        "committee_id, audience_roles, audience_subjects FROM jsonb_to_recordset($1::jsonb) AS "
        "r(id uuid, source text, source_sequence bigint, type text, subject text, audience "
        "uuid[], event bytea, organization_id uuid, committee_id uuid, audience_roles text[], "
        "audience_subjects text[]) ORDER BY source_sequence ON CONFLICT (id) DO NOTHING "
        "RETURNING seq, source_sequence, type, organization_id, committee_id, audience, "
        "audience_roles, audience_subjects), "
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
        "wanted AS (SELECT id, count(*) AS n FROM matched GROUP BY id), "
        /* its own table, so the subscriptions' rows the senders scan stay
         * as they are */
        "counted AS (INSERT INTO subscription_counters AS c (subscription_id, "
        "last_sequence) SELECT id, n FROM wanted ORDER BY id ON CONFLICT "
        "(subscription_id) DO UPDATE SET last_sequence = c.last_sequence + excluded.last_sequence "
        "RETURNING c.subscription_id, c.last_sequence), "
        "fanned AS (INSERT INTO deliveries (subscription_id, event_seq, subscription_sequence) "
        "SELECT id, seq, ((SELECT jsonb_object_agg(subscription_id, last_sequence) FROM counted) "
        "->> id::text)::bigint - n + place FROM (SELECT id, seq, count(*) OVER (PARTITION BY id) "
        "AS n, row_number() OVER (PARTITION BY id ORDER BY seq) AS place FROM matched) w "
        "RETURNING 1) "
        "SELECT e.source_sequence, (SELECT count(*) FROM fanned) FROM e",
        1, params);
    free(run);
    if (!res)
        return -1;
    for (size_t i = 0; i < n; i++)
        is_new[i] = false;
    *fanned = PQntuples(res) > 0 ? atoi(PQgetvalue(res, 0, 1)) : 0;
    /* the new ones by their number at the source (one source a run) */
    for (int row = 0; row < PQntuples(res); row++) {
        long long sequence = strtoll(PQgetvalue(res, row, 0), NULL, 10);
        for (size_t i = 0; i < n; i++)
            if ((long long)events[i]->sequence == sequence)
                is_new[i] = true;
    }
    PQclear(res);
    return 0;
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
