/* The inbox of events from agenda and deviation, and the pull feed over it
 * (which the gateway's stream reads too): CloudEvents in the order notify
 * received them, each only to those who may see it by visible_to (sql/009),
 * the predicate the webhooks' fan-out and the mail ask as well. */
#include "notify_server.h"
#include "samhand_rows.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FEED_DEFAULT 100
#define FEED_MAX 500
#define FEED_WAIT_MAX 30 /* seconds a long-poll may wait, as the gateway allows */

int notify_inbox_apply(db_t *db, const Samhand__V1__Event *event, void *context)
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
    bool new_event = PQntuples(res) > 0;
    int fanned = new_event ? atoi(PQgetvalue(res, 0, 1)) : 0;
    PQclear(res);
    if (!new_event)
        return 0; /* had it already: nothing more to do, nothing twice */
    if (fanned > 0) {
        db_count_at_commit(db, "webhooks", "in", fanned);
        db_at_commit(db, notify_wake_deliveries, context); /* at once, not at their next look */
    }
    return notify_mail_plan(db, event, context) != 0 || notify_reminder_keep(db, event) != 0 ? -1
                                                                                             : 0;
}

int notify_feed_list(bus_call_t *call)
{
    const Samhand__V1__ListEventsRequest *req = (const void *)call->request;
    notify_principal_seen(call);
    int limit = req->limit ? req->limit : FEED_DEFAULT;
    if (limit < 1 || limit > FEED_MAX)
        return bus_call_fail(call, BUS_INVALID_ARGUMENT, "limit", "limit must be from 1 to %d",
                             FEED_MAX);
    char *end = NULL;
    long long after = req->after[0] ? strtoll(req->after, &end, 10) : 0;
    if (req->after[0] && (*end || after < 0))
        return bus_call_fail(call, BUS_INVALID_ARGUMENT, "after",
                             "after is not a cursor this feed gave out");
    /* "a.,b." -> ["a.","b."] */
    char *types = NULL;
    if (req->types[0]) {
        char *copy = strdup(req->types);
        char *list[32];
        size_t n = 0;
        for (char *save = NULL, *t = strtok_r(copy, ",", &save); t && n < 32;
             t = strtok_r(NULL, ",", &save))
            list[n++] = t;
        types = rows_json_array(list, n);
        free(copy);
    }
    const Samhand__V1__Principal *p = call->envelope->principal;
    char after_text[24], limit_text[16];
    snprintf(after_text, sizeof after_text, "%lld", after);
    snprintf(limit_text, sizeof limit_text, "%d", limit);
    char *roles = rows_json_array(p ? p->roles : NULL, p ? p->n_roles : 0);
    const char *params[] = {after_text,
                            limit_text,
                            types,
                            p && p->subject ? p->subject : NULL,
                            p && p->organization_id && p->organization_id[0] ? p->organization_id
                                                                             : NULL,
                            roles};
    /* a long-poll: with nothing yet, wait (holding no connection) until
     * the followers bring events, by the end of the wait the gateway
     * gave, which is its deadline less the margin for the answer */
    int64_t until = 0;
    if (req->wait_seconds > 0) {
        int seconds = req->wait_seconds < FEED_WAIT_MAX ? req->wait_seconds : FEED_WAIT_MAX;
        until = bus_now_ms() + seconds * 1000L;
        int64_t deadline = call->envelope->deadline_ms;
        if (deadline && deadline - BUS_LONG_POLL_MARGIN_MS < until)
            until = deadline - BUS_LONG_POLL_MARGIN_MS;
    }
    PGresult *res;
    for (;;) {
        res = db_query(call->db,
                       "SELECT seq, event FROM events WHERE seq > $1"
                       " AND ($3::jsonb IS NULL OR EXISTS (SELECT 1 FROM "
                       "      jsonb_array_elements_text($3::jsonb) prefix "
                       "      WHERE starts_with(type, prefix)))"
                       " AND visible_to(audience, audience_roles, audience_subjects, $4, "
                       "      $5::uuid, ARRAY(SELECT jsonb_array_elements_text($6::jsonb)))"
                       " ORDER BY seq LIMIT $2",
                       6, params);
        if (!res || PQntuples(res) > 0 || !until)
            break;
        PQclear(res);
        int waited = bus_call_await_change(call, until);
        if (waited < 0) {
            free(types);
            free(roles);
            return -1;
        }
        if (waited == 1)
            until = 0; /* the wait is over: one last look */
    }
    free(types);
    free(roles);
    if (!res)
        return bus_call_fail_db(call, "read events");
    return notify_feed_reply(call, res, after_text);
}

int notify_feed_reply(bus_call_t *call, PGresult *res, const char *after)
{
    /* a subscription's events carry its counter, and page by it */
    bool by_subscription = PQnfields(res) > 2;
    int cursor_column = by_subscription ? 2 : 0;
    Samhand__V1__ListEventsResponse list = SAMHAND__V1__LIST_EVENTS_RESPONSE__INIT;
    int rows = PQntuples(res);
    list.items = calloc((size_t)rows + 1, sizeof *list.items);
    Samhand__V1__Event **events = calloc((size_t)rows + 1, sizeof *events);
    Samhand__V1__CloudEvent *cloud = calloc((size_t)rows + 1, sizeof *cloud);
    Samhand__V1__Any *any = calloc((size_t)rows + 1, sizeof *any);
    char(*schemas)[160] = calloc((size_t)rows + 1, sizeof *schemas);
    for (int i = 0; i < rows; i++) {
        size_t len;
        unsigned char *bytes = PQunescapeBytea((const unsigned char *)PQgetvalue(res, i, 1), &len);
        events[i] = samhand__v1__event__unpack(NULL, len, bytes);
        PQfreemem(bytes);
        if (!events[i])
            continue;
        Samhand__V1__Event *e = events[i];
        samhand__v1__cloud_event__init(&cloud[i]);
        samhand__v1__any__init(&any[i]);
        any[i].type = e->data_type;
        any[i].value = e->data;
        snprintf(schemas[i], sizeof schemas[i], "urn:samhand:%s", e->data_type);
        cloud[i].specversion = "1.0";
        cloud[i].id = e->id;
        cloud[i].source = e->source;
        cloud[i].type = e->type;
        cloud[i].subject = e->subject;
        cloud[i].time = e->time;
        cloud[i].datacontenttype = "application/json";
        cloud[i].data = &any[i];
        cloud[i].dataschema = schemas[i];
        cloud[i].sequence = strtoll(PQgetvalue(res, i, 0), NULL, 10);
        cloud[i].actor = e->actor;
        cloud[i].actororganization = e->actor_organization_id;
        if (by_subscription)
            cloud[i].subscriptionsequence = PQgetvalue(res, i, 2);
        list.items[list.n_items++] = &cloud[i];
    }
    /* where to go on from: the last row read, or where the caller was */
    char next[24];
    snprintf(next, sizeof next, "%s", rows ? PQgetvalue(res, rows - 1, cursor_column) : after);
    list.next_cursor = next;
    bus_call_reply(call, &list.base);
    for (int i = 0; i < rows; i++)
        if (events[i])
            samhand__v1__event__free_unpacked(events[i], NULL);
    free(events);
    free(cloud);
    free(any);
    free(schemas);
    free(list.items);
    PQclear(res);
    return 0;
}
