/* The upkeep of webhook subscriptions beside their deliveries: the
 * handshake a new URL answers before events go to it, and the heartbeat of
 * a subscription that asked for one, each a signed POST on a fiber of its
 * own over the sender's libcurl. What the sender shares with it is in
 * notify_webhook.h. */
#include "notify_post.h"
#include "notify_server.h"
#include "notify_store.h"
#include "notify_webhook.h"
#include "samhand_fiber.h"
#include "samhand_log.h"
#include "samhand_rows.h"

#include <curl/curl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define UPKEEP_MAX 8 /* handshakes, heartbeats claimed at once */

/* The process's one sender, as notify_webhook_upkeep was last given it. */
static notify_sender_t *s_sender;

/* The handshake's body: a CloudEvent no.samhand.subscription.handshake
 * whose data is the subscription as it waits (no secret). */
static char *s_handshake_body(const notify_handshake_t *h)
{
    Samhand__V1__Subscription sub = SAMHAND__V1__SUBSCRIPTION__INIT;
    sub.id = h->id;
    sub.url = h->url;
    sub.event_types = rows_json_strings(h->event_types_json, &sub.n_event_types);
    sub.organization_id = h->organization_id;
    sub.committee_id = h->committee_id;
    sub.state = SAMHAND__V1__SUBSCRIPTION__STATE__REQUESTED;
    size_t len = samhand__v1__subscription__get_packed_size(&sub);
    uint8_t *packed = malloc(len + 1);
    samhand__v1__subscription__pack(&sub, packed);
    char *text = notify_cloudevent_own(h->handshake_id, "no.samhand.subscription.handshake", sub.id,
                                       samhand__v1__subscription__descriptor.name, packed, len);
    free(packed);
    for (size_t i = 0; i < sub.n_event_types; i++)
        free(sub.event_types[i]);
    free(sub.event_types);
    return text;
}

/* Records what became of one handshake: the URL verified, or the next try
 * (by the deliveries' backoff), or after the last one switched off. */
static void s_handshake_done(db_t *db, const notify_handshake_t *h, const notify_post_t *post)
{
    const notify_context_t *context = s_sender->context;
    if (notify_post_is_ok(post)) {
        if (notify_store_handshake_verified(db, h->id, h->url) != 0)
            log_warn("could not record a webhook handshake: %s", db_error(db));
        return;
    }
    int attempts = h->attempts + 1;
    char error[300];
    if (post->status)
        snprintf(error, sizeof error, "%ld %s", post->status, post->answer.response);
    else
        snprintf(error, sizeof error, "%s", post->answer.response);
    long delay_ms = notify_webhook_backoff_ms(attempts);
    if (notify_store_handshake_failed(db, h->id, attempts, delay_ms, error) != 0)
        log_warn("could not record a failed webhook handshake: %s", db_error(db));
    if (attempts >= context->max_attempts)
        notify_webhook_disable(
            db, h->id, "the endpoint did not answer the handshake",
            "mottakeren svarte ikke på håndtrykket (en signert POST som skal besvares "
            "med 2xx)");
}

/* A handshake of a subscription whose URL is new: a signed POST the
 * endpoint answers 2xx before events go to it (as FHIR R5's handshake), so
 * nobody points samhand's events at an endpoint that did not ask for
 * them. A fiber each, within the delivery timeout. */
static void s_handshake_fiber(void *arg)
{
    notify_handshake_t *h = arg;
    notify_post_t post = {0};
    post.body = s_handshake_body(h);
    if (post.body) /* unsigned, it keeps no headers */
        notify_post_sign(&post, h->handshake_id, s_sender->context->secret_key, h->secret_sealed,
                         NULL);
    if (post.headers)
        notify_post_send(&post, s_sender->curl, h->url, s_sender->context->allow_loopback);
    bool is_aborted = s_sender->is_stopping && post.result != CURLE_OK;
    db_t *db = post.body && !is_aborted ? bus_server_db_take(s_sender->server) : NULL;
    if (db && post.headers) {
        s_handshake_done(db, h, &post);
    } else if (db) {
        long delay_ms = notify_webhook_unsigned("handshake", h->id);
        if (notify_store_handshake_unsigned(db, h->id, delay_ms, NOTIFY_UNSIGNED_ANSWER) != 0)
            log_warn("could not record an unsigned webhook handshake: %s", db_error(db));
    }
    if (db)
        bus_server_db_give_back(s_sender->server, db);
    notify_post_clear(&post);
    notify_handshake_clear(h);
    free(h);
    s_sender->n_fibers--;
    s_sender->has_finished = true; /* what is due now changed: its URL's deliveries, its next try */
    notify_webhook_nudge();
}

/* A heartbeat of a subscription that asked for one and had no delivery
 * for heartbeat_seconds: a signed no.samhand.subscription.heartbeat
 * (source /notify, a new webhook-id each) whose data holds the counters,
 * so a receiver knows the way is open and where the stream stands. Not to
 * a failing endpoint (its head delivery is its probe); a delivery made
 * counts as a sign of life. Whatever the answer, the next is a period
 * later. */
static void s_heartbeat_fiber(void *arg)
{
    notify_heartbeat_t *h = arg;
    Samhand__V1__SubscriptionHeartbeat beat = SAMHAND__V1__SUBSCRIPTION_HEARTBEAT__INIT;
    beat.subscription_id = h->id;
    beat.last_sequence = h->last_sequence;
    beat.pending_deliveries = h->pending_deliveries;
    size_t len = samhand__v1__subscription_heartbeat__get_packed_size(&beat);
    uint8_t *packed = malloc(len + 1);
    samhand__v1__subscription_heartbeat__pack(&beat, packed);
    notify_post_t post = {0};
    post.body =
        notify_cloudevent_own(h->heartbeat_id, "no.samhand.subscription.heartbeat", h->id,
                              samhand__v1__subscription_heartbeat__descriptor.name, packed, len);
    free(packed);
    if (post.body)
        notify_post_sign(&post, h->heartbeat_id, s_sender->context->secret_key, h->secret_sealed,
                         h->previous_sealed);
    if (post.headers) {
        notify_post_send(&post, s_sender->curl, h->url, s_sender->context->allow_loopback);
        if (!notify_post_is_ok(&post) && !s_sender->is_stopping)
            log_info("webhook heartbeat of subscription %s not taken: %ld %s", h->id, post.status,
                     post.answer.response);
    } else if (post.body) {
        notify_webhook_unsigned("heartbeat", h->id); /* the next is a period later anyway */
    }
    notify_post_clear(&post);
    notify_heartbeat_clear(h);
    free(h);
    s_sender->n_fibers--;
}

static void s_handshake_clear(void *row)
{
    notify_handshake_clear(row);
}

static void s_heartbeat_clear(void *row)
{
    notify_heartbeat_clear(row);
}

/* Starts `fn` on a fiber for each of the `n` rows of `rows` (each `size`
 * bytes), every fiber with a copy of its row of its own; a row that gets
 * none is cleared (claimed, it is tried again when the claim lapses).
 * Frees the array. */
static void s_spawn_each(void *rows, int n, size_t size, void (*fn)(void *), void (*clear)(void *))
{
    for (int i = 0; i < n; i++) {
        void *row = (char *)rows + (size_t)i * size, *one = malloc(size);
        if (one) {
            memcpy(one, row, size);
            if (fiber_spawn(fn, one)) {
                s_sender->n_fibers++;
                continue;
            }
        }
        free(one);
        clear(row);
    }
    free(rows);
}

void notify_webhook_upkeep(notify_sender_t *sender, db_t *db)
{
    s_sender = sender;
    int n = 0;
    notify_handshake_t *shakes = notify_store_handshakes(db, UPKEEP_MAX, &n);
    s_spawn_each(shakes, n, sizeof *shakes, s_handshake_fiber, s_handshake_clear);
    notify_heartbeat_t *beats = notify_store_heartbeats(db, UPKEEP_MAX, &n);
    s_spawn_each(beats, n, sizeof *beats, s_heartbeat_fiber, s_heartbeat_clear);
}
