/* The inbox of events from agenda and deviation, and the pull feed over it
 * (which the gateway's stream reads too): CloudEvents in the order notify
 * received them, each only to those who may see it by visible_to (sql/009),
 * the predicate the webhooks' fan-out and the mail ask as well. */
#include "notify_server.h"
#include "notify_store.h"
#include "samhand_rows.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FEED_DEFAULT 100
#define FEED_MAX 500
#define FEED_WAIT_MAX 30 /* seconds a long-poll may wait, as the gateway allows */

/* Whether applying `event` changes who may see what: an API key's event
 * (its roles, its organisation, its revocation). */
static bool s_changes_principals(const Samhand__V1__Event *event)
{
    return strcmp(event->data_type, "samhand.v1.ApiKey") == 0;
}

int notify_inbox_apply_run(db_t *db, Samhand__V1__Event *const *events, size_t n, void *context)
{
    bool *is_new = calloc(n, sizeof *is_new);
    /* what falls due, the run's in one statement at its end (nothing of
     * the run reads it) */
    rows_batch_t *due = notify_store_due_batch();
    notify_store_directory_t directory;
    if (!is_new || !due || notify_store_directory_init(&directory) != 0) {
        free(is_new);
        rows_batch_destroy(&due);
        return -1;
    }
    int rc = 0;
    /* kept and fanned out a part at a time, each part up to and with an
     * event that changes the principals: an event is fanned out to those
     * who may see it after every event before it was applied, as when
     * they come one by one (a key revoked, then an event: not to that
     * key's subscriptions) */
    for (size_t from = 0, to; rc == 0 && from < n; from = to) {
        for (to = from + 1; to < n && !s_changes_principals(events[to - 1]); to++)
            ;
        int fanned = 0;
        rc = notify_store_events_keep(db, events + from, to - from, is_new + from, &fanned);
        if (rc == 0 && fanned > 0) {
            db_count_at_commit(db, "webhooks", "in", fanned);
            db_at_commit(db, notify_wake_deliveries, context); /* at once, not at their next look */
        }
        /* the read models, mails and reminders of the new ones (not of one
         * had already: nothing twice); the directory's changes one
         * statement a table for those in a row, written before anything
         * else is planned, which reads the directory as the events before
         * it left it */
        for (size_t i = from; rc == 0 && i < to; i++) {
            int kept = is_new[i] ? notify_directory_keep(&directory, events[i]) : 1;
            if (kept != 0) {
                rc = kept < 0 ? -1 : 0;
                continue;
            }
            if (notify_store_directory_flush(&directory, db) != 0 ||
                notify_mail_plan(db, events[i], context) != 0 ||
                notify_reminder_keep(due, events[i]) != 0)
                rc = -1;
        }
    }
    if (rc == 0)
        rc = notify_store_directory_flush(&directory, db);
    if (rc == 0)
        rc = rows_batch_flush(due, db);
    rows_batch_destroy(&due);
    notify_store_directory_clear(&directory);
    free(is_new);
    return rc;
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
        if (!types) /* not fewer types than asked for */
            return bus_call_fail(call, BUS_INVALID_ARGUMENT, "types", "types must be valid UTF-8");
    }
    const Samhand__V1__Principal *p = call->envelope->principal;
    char after_text[24], limit_text[16];
    snprintf(after_text, sizeof after_text, "%lld", after);
    snprintf(limit_text, sizeof limit_text, "%d", limit);
    char *roles = rows_json_array(p ? p->roles : NULL, p ? p->n_roles : 0);
    if (!roles) { /* not as one with fewer roles */
        free(types);
        return bus_call_fail(call, BUS_INTERNAL, NULL, "the principal's roles are no UTF-8");
    }
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
    notify_feed_event_t *rows;
    int n;
    for (;;) {
        rows = notify_store_feed(call->db, params, &n);
        if (n != 0 || !until)
            break;
        notify_feed_events_free(rows, n);
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
    if (n < 0)
        return bus_call_fail_db(call, "read events");
    return notify_feed_reply(call, rows, n, after_text);
}

int notify_feed_reply(bus_call_t *call, notify_feed_event_t *rows, int n, const char *after)
{
    Samhand__V1__ListEventsResponse list = SAMHAND__V1__LIST_EVENTS_RESPONSE__INIT;
    list.items = calloc((size_t)n + 1, sizeof *list.items);
    Samhand__V1__CloudEvent *cloud = calloc((size_t)n + 1, sizeof *cloud);
    Samhand__V1__Any *any = calloc((size_t)n + 1, sizeof *any);
    char(*schemas)[160] = calloc((size_t)n + 1, sizeof *schemas);
    char(*counters)[24] = calloc((size_t)n + 1, sizeof *counters);
    for (int i = 0; i < n; i++) {
        Samhand__V1__Event *e = rows[i].event;
        if (!e)
            continue;
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
        cloud[i].sequence = rows[i].seq;
        cloud[i].actor = e->actor;
        cloud[i].actororganization = e->actor_organization_id;
        if (rows[i].subscription_sequence > 0) {
            snprintf(counters[i], sizeof counters[i], "%lld", rows[i].subscription_sequence);
            cloud[i].subscriptionsequence = counters[i];
        }
        list.items[list.n_items++] = &cloud[i];
    }
    /* where to go on from: the last row read (a subscription's events page
     * by its counter), or where the caller was */
    char next[24];
    if (n > 0)
        snprintf(next, sizeof next, "%lld",
                 rows[n - 1].subscription_sequence > 0 ? rows[n - 1].subscription_sequence
                                                       : rows[n - 1].seq);
    else
        snprintf(next, sizeof next, "%s", after);
    list.next_cursor = next;
    bus_call_reply(call, &list.base);
    free(cloud);
    free(any);
    free(schemas);
    free(counters);
    free(list.items);
    notify_feed_events_free(rows, n);
    return 0;
}
