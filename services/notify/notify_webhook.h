/* The webhook sender's two files and what they share: notify_webhook.c
 * (the sender: claims, chains, outcomes, retries, switching off) and
 * notify_webhook_upkeep.c (the handshakes and heartbeats of
 * subscriptions). */
#ifndef NOTIFY_WEBHOOK_H
#define NOTIFY_WEBHOOK_H

#include "notify_curl.h"
#include "notify_server.h"

#include <stdbool.h>

/* What an attempt that could not be signed answers. */
#define NOTIFY_UNSIGNED_ANSWER "not sent: the secret does not open with SAMHAND_SECRET_KEY"

/* What the process's one sender and its fibers share. */
typedef struct {
    bus_server_t *server;
    const notify_context_t *context;
    notify_curl_t *curl;
    bool is_stopping;
    bool has_finished; /* a chain (or a handshake) ended: look at once */
    int n_fibers;      /* chains, handshakes and heartbeats on their way */
} notify_sender_t;

/* The delay before the try after the `attempts`-th failure, by the backoff
 * table, without jitter. */
long notify_webhook_backoff_ms(int attempts);

/* Switches a subscription off, once, and tells its owner in the same
 * transaction: `reason` is kept for the API, `why` is for people. */
void notify_webhook_disable(db_t *db, const char *subscription_id, const char *reason,
                            const char *why);

/* Counts and logs that the `what` ("delivery", "handshake", "heartbeat")
 * of a subscription could not be signed; the delay before it is tried
 * again, in ms. */
long notify_webhook_unsigned(const char *what, const char *subscription_id);

/* Wakes the sender: something is due, or finished. */
void notify_webhook_nudge(void);

/* Claims the due handshakes and heartbeats and starts a fiber for each,
 * counted in sender->n_fibers. */
void notify_webhook_upkeep(notify_sender_t *sender, db_t *db);

#endif
