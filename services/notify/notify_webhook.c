/* Webhook delivery on notify's loop: one sender fiber per process claims
 * the due deliveries in batches (of each subscription that may be sent to,
 * its first pending ones in the order of its counter), and a fiber per
 * subscription's chain posts them one after the other over the loop's
 * libcurl, each as a CloudEvent signed per the Standard Webhooks
 * specification, the next only when the one before succeeded (so an
 * endpoint gets the feed's order). Each delivery completes on its own; the
 * sender records what became of them in batches and schedules retries:
 * exponential backoff with jitter over about a day, Retry-After honoured,
 * 410 disables the subscription, and a delivery out of retries becomes a
 * dead letter. A new URL answers a handshake before events go to it;
 * secrets (HMAC "v1") and ed25519 private keys ("v1a") are opened from
 * their sealed form only to sign. */
#include "notify_curl.h"
#include "notify_post.h"
#include "notify_server.h"
#include "notify_store.h"
#include "samhand_fiber.h"
#include "samhand_log.h"
#include "samhand_metrics.h"
#include "samhand_rows.h"

#include <curl/curl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Backoff after the n-th failure, in units of the base (5 s by default):
 * 5 s, 30 s, 2 min, 10 min, 30 min, 1 h, 2 h, 4 h, 8 h, 12 h: about a day. */
static const int s_backoff[] = {1, 6, 24, 120, 360, 720, 1440, 2880, 5760, 8640};
#define BACKOFF_STEPS (sizeof s_backoff / sizeof s_backoff[0])
#define DISABLE_AFTER_DAYS 3
#define IN_FLIGHT_MAX 512        /* deliveries claimed and not yet recorded, in all */
#define CHAIN_MAX 64             /* of one subscription in a claim: sent one at a time */
#define CHAIN_MAX_MS 30000       /* then the rest of a chain waits for the next claim */
#define CLAIM_EVERY_MS 5         /* the shortest time between two claims, as events come in */
#define UPKEEP_MAX 8             /* handshakes, heartbeats claimed at once */
#define SENDER_IDLE_MAX_MS 60000 /* the longest the sender sleeps with nothing due */
#define SENDER_BUSY_MS 1000      /* ... with deliveries in flight (their ends wake it) */
#define SENDER_RETAKE_MS 50      /* the shortest */

typedef enum { JOB_DELIVERED, JOB_FAILED, JOB_UNSIGNED, JOB_UNSENT } s_outcome_t;

/* A claimed delivery: its row, its POST, what became of it. */
typedef struct s_job {
    notify_claimed_t row; /* its strings are the job's */
    notify_post_t post;
    bool is_unsigned; /* its secret did not open with SAMHAND_SECRET_KEY: not sent */
    s_outcome_t outcome;
    struct s_job *next_in_chain, *next_done;
} s_job_t;

/* The process's one sender: its fiber and connection (whose backend holds
 * the leases of what it claimed), the transfers' fibers, and what they
 * finished, to be recorded. */
static struct {
    bus_server_t *server;
    const char *database_url;
    const notify_context_t *context;
    notify_curl_t *curl;
    db_t *db;
    fiber_t *fiber;
    bool is_stopping;
    bool is_due;        /* deliveries came in, or something finished */
    bool has_finished;  /* a chain (or a handshake) ended: look at once */
    int64_t claimed_at; /* the last claim's time */
    bool is_upkeep_due; /* subscriptions changed: handshakes, heartbeats too */
    int n_claimed;      /* claimed deliveries not yet recorded */
    int n_fibers;       /* chains, handshakes and heartbeats on their way */
    s_job_t *done_head, *done_tail;
} s_sender;

/* Switches a subscription off, once, and tells its owner in the same
 * transaction: `reason` is kept for the API, `why` is for people. */
static void s_disable(db_t *db, const char *subscription_id, const char *reason, const char *why)
{
    if (db_begin(db) != 0)
        return;
    int rc = notify_store_disable(db, subscription_id, reason);
    if (rc < 0 || (rc > 0 && notify_mail_subscription_disabled(db, subscription_id, why, false,
                                                               s_sender.context) != 0)) {
        db_rollback(db);
        return;
    }
    if (db_commit(db) == 0 && rc > 0)
        log_warn("webhook subscription %s switched off: %s", subscription_id, reason);
}

#define UNSIGNED_ANSWER "not sent: the secret does not open with SAMHAND_SECRET_KEY"
#define UNSIGNED_RETRY_BASES 6 /* tried again after 30 s by default */

/* A secret that does not open with SAMHAND_SECRET_KEY (the key changed
 * under it, or the sealed text altered) is samhand's failure, not the
 * endpoint's: nothing goes out unsigned, and nothing counts against the
 * subscription (no failure in a row, no dead letter, no switching off, no
 * mail to its owner); what `what` was to send waits, tried again after
 * UNSIGNED_RETRY_BASES retry bases, until the key is put right or the
 * secret rotated. Operators see it in the log (the subscription, never a
 * secret) and in samhand_queue_items_total{queue="webhooks",
 * flow="unsigned"}. Returns the delay in ms. */
static long s_unsigned(const char *what, const char *subscription_id)
{
    metrics_queue_flow("notify", "webhooks", "unsigned", 1);
    log_warn("could not sign the %s of webhook subscription %s: %s", what, subscription_id,
             UNSIGNED_ANSWER);
    return s_sender.context->retry_base_ms * UNSIGNED_RETRY_BASES;
}

/* Tells a subscription's owner that its endpoint began to fail: once a
 * spell, at its first failed attempt. */
static void s_tell_failing(db_t *db, const char *subscription_id, const notify_post_t *post)
{
    char why[300];
    if (post->status)
        snprintf(why, sizeof why, "mottakeren svarte %ld", post->status);
    else
        snprintf(why, sizeof why, "mottakeren svarte ikke (%s)", post->answer.response);
    if (db_begin(db) != 0)
        return;
    if (notify_mail_subscription_failing(db, subscription_id, why, s_sender.context) != 0 ||
        db_commit(db) != 0) {
        log_warn("could not tell the owner of subscription %s that it fails: %s", subscription_id,
                 db_error(db));
        db_rollback(db);
    }
}

static notify_attempt_t s_attempt(const s_job_t *job)
{
    return (notify_attempt_t){job->row.id, job->row.subscription_id, job->post.status,
                              job->post.latency_ms, job->post.answer.response};
}

/* Records a failed attempt: the retry (or the dead letter), 410's switch
 * off, and the switch off of an endpoint failing for days. */
static void s_failed(db_t *db, const s_job_t *job)
{
    const notify_context_t *context = s_sender.context;
    int attempts = job->row.attempts + 1;
    long delay = context->retry_base_ms * s_backoff[(size_t)(attempts - 1) % BACKOFF_STEPS];
    delay += (long)(rand() % 41 - 20) * delay / 100; /* jitter of ±20 % */
    if (job->post.answer.retry_after_s >= 0 && job->post.answer.retry_after_s * 1000 > delay)
        delay = job->post.answer.retry_after_s * 1000;
    bool is_dead = attempts >= context->max_attempts, is_failing_long, is_first;
    notify_attempt_t attempt = s_attempt(job);
    if (notify_store_failed(db, &attempt, delay, is_dead, DISABLE_AFTER_DAYS, &is_failing_long,
                            &is_first) != 0)
        log_warn("could not record a failed webhook delivery: %s", db_error(db));
    metrics_queue_flow("notify", "webhooks", is_dead ? "dead" : "retried", 1);
    if (is_dead)
        log_warn("webhook delivery %s is a dead letter after %d attempts", job->row.id, attempts);
    const char *subscription = job->row.subscription_id;
    if (job->post.status == 410) { /* gone: the endpoint says so itself */
        s_disable(db, subscription, "the endpoint answered 410 Gone", "mottakeren svarte 410 Gone");
    } else if (is_failing_long) {
        /* an endpoint failing for days is switched off, and its owner told */
        char reason[40], why[80];
        snprintf(reason, sizeof reason, "failing for %d days", DISABLE_AFTER_DAYS);
        snprintf(why, sizeof why, "mottakeren har feilet i %d døgn", DISABLE_AFTER_DAYS);
        s_disable(db, subscription, reason, why);
    } else if (is_first) {
        s_tell_failing(db, subscription, &job->post);
    }
}

static void s_job_free(s_job_t *job)
{
    notify_post_clear(&job->post);
    notify_claimed_clear(&job->row);
}

/* Records what the chains finished since the last time: the successes in
 * one statement (the path every event takes), each failure with its
 * retry, and lets go of what a failure left unsent. Without `db` (the
 * process ends without its database) it only forgets them: their leases
 * end with the process. */
static void s_record(db_t *db)
{
    s_job_t *done = s_sender.done_head;
    s_sender.done_head = s_sender.done_tail = NULL;
    size_t n = 0, n_ok = 0, n_unsent = 0;
    for (s_job_t *j = done; j; j = j->next_done)
        n++;
    if (n == 0)
        return;
    if (!db)
        goto cleanup;
    notify_attempt_t *ok = calloc(n, sizeof *ok);
    const char **unsent = calloc(n, sizeof *unsent);
    for (s_job_t *j = done; j; j = j->next_done) {
        if (j->outcome == JOB_DELIVERED && ok)
            ok[n_ok++] = s_attempt(j);
        else if (j->outcome == JOB_UNSENT && unsent)
            unsent[n_unsent++] = j->row.id;
    }
    if (n_ok > 0) {
        if (notify_store_delivered(db, ok, n_ok) == 0)
            metrics_queue_flow("notify", "webhooks", "out", (int)n_ok);
        else /* they stay leased, and go again with the same webhook-id when it ends */
            log_warn("could not record %zu webhook deliveries as delivered: %s", n_ok,
                     db_error(db));
    }
    for (s_job_t *j = done; j; j = j->next_done) {
        if (j->outcome == JOB_FAILED) {
            s_failed(db, j);
        } else if (j->outcome == JOB_UNSIGNED) {
            long delay_ms = s_unsigned("delivery", j->row.subscription_id);
            if (notify_store_unsigned(db, j->row.id, delay_ms, UNSIGNED_ANSWER) != 0)
                log_warn("could not record an unsigned webhook delivery: %s", db_error(db));
        }
    }
    /* behind a failure: due again, and taken once the head is through */
    if (n_unsent > 0 && notify_store_release(db, unsent, n_unsent) != 0)
        log_warn("could not let go of %zu webhook deliveries: %s", n_unsent, db_error(db));
    free(ok);
    free(unsent);

cleanup:
    for (s_job_t *j = done, *next; j; j = next) {
        next = j->next_done;
        s_job_free(j);
        free(j);
    }
    s_sender.n_claimed -= (int)n;
}

static void s_done(s_job_t *job, s_outcome_t outcome)
{
    job->outcome = outcome;
    job->next_done = NULL;
    if (s_sender.done_tail)
        s_sender.done_tail->next_done = job;
    else
        s_sender.done_head = job;
    s_sender.done_tail = job;
}

static void s_sender_nudge(void)
{
    s_sender.is_due = true;
    if (s_sender.fiber)
        fiber_wake(s_sender.fiber);
}

/* A subscription's chain of claimed deliveries, sent one after the other:
 * the next only when the one before succeeded, so the endpoint gets them
 * in the order of its counter; each done as soon as it is answered, and
 * the chain's recorded together when it ends (the subscription's next
 * deliveries wait behind it anyway). */
static void s_chain_fiber(void *arg)
{
    s_job_t *job = arg;
    int64_t started = bus_now_ms();
    bool is_open = true; /* nothing before failed */
    for (s_job_t *next; job; job = next) {
        next = job->next_in_chain;
        if (!is_open || s_sender.is_stopping || bus_now_ms() - started > CHAIN_MAX_MS) {
            s_done(job, JOB_UNSENT);
        } else if (job->is_unsigned) {
            s_done(job, JOB_UNSIGNED); /* not sent; the rest of its chain waits behind it */
            is_open = false;
        } else {
            notify_post_send(&job->post, s_sender.curl, job->row.url,
                             s_sender.context->allow_loopback);
            is_open = notify_post_is_ok(&job->post);
            s_done(job, is_open                                                ? JOB_DELIVERED
                        : s_sender.is_stopping && job->post.result != CURLE_OK ? JOB_UNSENT
                                                                               : JOB_FAILED);
        }
    }
    s_sender.n_fibers--;
    s_sender.has_finished = true;
    s_sender_nudge();
}

/* The body of a claimed delivery, from the event's body without the
 * counter: made once an event a claim (50 receivers of one event share
 * it), in `bases` (the claim's events so far, `n_bases` of them). */
typedef struct {
    const char *event_id;
    char *base;
} s_base_t;

static void s_prepare(s_job_t *job, s_base_t *bases, int *n_bases)
{
    char *base = NULL;
    for (int i = 0; i < *n_bases && !base; i++)
        if (strcmp(bases[i].event_id, job->row.event_id) == 0)
            base = bases[i].base;
    if (!base) {
        base = notify_cloudevent_body(job->row.event, job->row.event_len, job->row.sequence, 0);
        bases[*n_bases] = (s_base_t){job->row.event_id, base};
        (*n_bases)++;
    }
    job->post.body =
        base ? notify_cloudevent_with_counter(base, job->row.subscription_sequence) : NULL;
    job->is_unsigned = notify_post_sign(&job->post, job->row.event_id, s_sender.context->secret_key,
                                        job->row.secret_sealed, job->row.previous_sealed) != 0;
}

/* Claims what is due, as much as the bound on deliveries in flight
 * leaves room for, and starts a fiber for each subscription's chain.
 * Returns how many were claimed. */
static int s_claim(db_t *db)
{
    int room = IN_FLIGHT_MAX - s_sender.n_claimed, n = 0;
    if (room <= 0)
        return 0;
    notify_claimed_t *rows = notify_store_claim(db, room, CHAIN_MAX, &n);
    if (n <= 0)
        return 0;
    s_base_t *bases = calloc((size_t)n, sizeof *bases);
    int n_bases = 0;
    s_job_t *head = NULL, *last = NULL;
    for (int i = 0; i < n; i++) {
        s_job_t *job = calloc(1, sizeof *job);
        if (!job || !bases) { /* out of memory: the lease lapses, it goes again */
            free(job);
            notify_claimed_clear(&rows[i]);
            continue;
        }
        job->row = rows[i];
        s_prepare(job, bases, &n_bases);
        s_sender.n_claimed++;
        bool is_same = last && strcmp(last->row.subscription_id, job->row.subscription_id) == 0;
        if (is_same) {
            last->next_in_chain = job;
        } else {
            if (head && fiber_spawn(s_chain_fiber, head))
                s_sender.n_fibers++;
            else if (head) /* no fiber: let go of the chain */
                for (s_job_t *j = head; j; j = j->next_in_chain)
                    s_done(j, JOB_UNSENT);
            head = job;
        }
        last = job;
    }
    if (head && fiber_spawn(s_chain_fiber, head))
        s_sender.n_fibers++;
    else if (head)
        for (s_job_t *j = head; j; j = j->next_in_chain)
            s_done(j, JOB_UNSENT);
    for (int i = 0; i < n_bases; i++)
        free(bases[i].base);
    free(bases);
    free(rows); /* the strings are the jobs' now */
    return n;
}

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
    const notify_context_t *context = s_sender.context;
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
    long delay_ms = context->retry_base_ms * s_backoff[(size_t)(attempts - 1) % BACKOFF_STEPS];
    if (notify_store_handshake_failed(db, h->id, attempts, delay_ms, error) != 0)
        log_warn("could not record a failed webhook handshake: %s", db_error(db));
    if (attempts >= context->max_attempts)
        s_disable(db, h->id, "the endpoint did not answer the handshake",
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
        notify_post_sign(&post, h->handshake_id, s_sender.context->secret_key, h->secret_sealed,
                         NULL);
    if (post.headers)
        notify_post_send(&post, s_sender.curl, h->url, s_sender.context->allow_loopback);
    bool is_aborted = s_sender.is_stopping && post.result != CURLE_OK;
    db_t *db = post.body && !is_aborted ? bus_server_db_take(s_sender.server) : NULL;
    if (db && post.headers) {
        s_handshake_done(db, h, &post);
    } else if (db) {
        long delay_ms = s_unsigned("handshake", h->id);
        if (notify_store_handshake_unsigned(db, h->id, delay_ms, UNSIGNED_ANSWER) != 0)
            log_warn("could not record an unsigned webhook handshake: %s", db_error(db));
    }
    if (db)
        bus_server_db_give_back(s_sender.server, db);
    notify_post_clear(&post);
    notify_handshake_clear(h);
    free(h);
    s_sender.n_fibers--;
    s_sender.has_finished = true; /* what is due now changed: its URL's deliveries, its next try */
    s_sender_nudge();
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
        notify_post_sign(&post, h->heartbeat_id, s_sender.context->secret_key, h->secret_sealed,
                         h->previous_sealed);
    if (post.headers) {
        notify_post_send(&post, s_sender.curl, h->url, s_sender.context->allow_loopback);
        if (!notify_post_is_ok(&post) && !s_sender.is_stopping)
            log_info("webhook heartbeat of subscription %s not taken: %ld %s", h->id, post.status,
                     post.answer.response);
    } else if (post.body) {
        s_unsigned("heartbeat", h->id); /* the next is a period later anyway */
    }
    notify_post_clear(&post);
    notify_heartbeat_clear(h);
    free(h);
    s_sender.n_fibers--;
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
                s_sender.n_fibers++;
                continue;
            }
        }
        free(one);
        clear(row);
    }
    free(rows);
}

/* Claims the due handshakes and heartbeats and starts a fiber for each. */
static void s_upkeep(db_t *db)
{
    int n = 0;
    notify_handshake_t *shakes = notify_store_handshakes(db, UPKEEP_MAX, &n);
    s_spawn_each(shakes, n, sizeof *shakes, s_handshake_fiber, s_handshake_clear);
    notify_heartbeat_t *beats = notify_store_heartbeats(db, UPKEEP_MAX, &n);
    s_spawn_each(beats, n, sizeof *beats, s_heartbeat_fiber, s_heartbeat_clear);
}

/* How long the sender may sleep: with deliveries in flight, until their
 * ends wake it (SENDER_BUSY_MS at most, for retries falling due
 * meanwhile); else until the first delivery, handshake or heartbeat falls
 * due, SENDER_IDLE_MAX_MS at most. Something due that could not be taken
 * (another replica holds it) is looked at again after SENDER_RETAKE_MS,
 * not in a spin. */
static int s_sleep_ms(db_t *db)
{
    long ms =
        s_sender.n_claimed > 0 ? SENDER_BUSY_MS : notify_store_next_due_ms(db, SENDER_IDLE_MAX_MS);
    if (ms < 0)
        ms = 1000; /* the database is away: look again soon */
    return (int)(ms < SENDER_RETAKE_MS     ? SENDER_RETAKE_MS
                 : ms > SENDER_IDLE_MAX_MS ? SENDER_IDLE_MAX_MS
                                           : ms);
}

static void s_sender_fiber(void *arg)
{
    (void)arg;
    s_sender.is_upkeep_due = true;
    while (!s_sender.is_stopping) {
        /* a sender without its database keeps trying: the deliveries
         * wait, the queue's age shows it, nothing is lost */
        if (!s_sender.db) {
            s_sender.db = db_new(s_sender.database_url, "notify", 1000);
            /* what became of a delivery is recorded without waiting for the
             * disk: lost in a database crash, it is sent again with the
             * same webhook-id, which receivers deduplicate on anyway */
            if (s_sender.db && notify_store_sender_session(s_sender.db) != 0)
                log_warn("could not set up the webhook sender's session: %s",
                         db_error(s_sender.db));
        }
        if (!s_sender.db) {
            fiber_poll(NULL, 0, 1000);
            continue;
        }
        /* deliveries coming in (each commit of the fan-out wakes it) are
         * claimed together, CLAIM_EVERY_MS after the last claim at the
         * soonest, unless something ended and made room */
        int64_t since_ms = bus_now_ms() - s_sender.claimed_at;
        if (!s_sender.has_finished && !s_sender.is_upkeep_due && since_ms < CLAIM_EVERY_MS) {
            fiber_poll(NULL, 0, (int)(CLAIM_EVERY_MS - since_ms));
            continue;
        }
        db_t *db = s_sender.db;
        s_sender.is_due = s_sender.has_finished = false;
        s_record(db);
        int claimed = s_claim(db);
        s_sender.claimed_at = bus_now_ms();
        if (s_sender.is_upkeep_due) {
            s_sender.is_upkeep_due = false;
            s_upkeep(db);
        }
        if (s_sender.is_due || s_sender.is_upkeep_due || s_sender.done_head ||
            (claimed > 0 && s_sender.n_claimed < IN_FLIGHT_MAX))
            continue;
        int sleep_ms = s_sleep_ms(db);
        int64_t until = bus_now_ms() + sleep_ms;
        if (!s_sender.is_due && !s_sender.is_upkeep_due)
            fiber_poll(NULL, 0, sleep_ms);
        if (bus_now_ms() >= until) /* the time, not a wake: what fell due */
            s_sender.is_upkeep_due = true;
    }
    /* the chains end at once (their transfers are aborted); what they
     * claimed and did not record is leased by this connection's backend,
     * which ends with it, so it is due again at once elsewhere */
    while (s_sender.n_fibers > 0 || notify_mail_is_running())
        fiber_poll(NULL, 0, 100);
    s_record(s_sender.db);
    notify_curl_destroy(&s_sender.curl);
    notify_post_cleanup();
    db_destroy(&s_sender.db);
    s_sender.fiber = NULL;
}

void notify_wake_deliveries(void *context)
{
    (void)context;
    s_sender_nudge();
}

void notify_wake_senders(void *context)
{
    (void)context;
    s_sender.is_upkeep_due = true;
    s_sender_nudge();
}

void notify_delivery_start(bus_server_t *server, const char *database_url, void *context)
{
    srand((unsigned)bus_now_ms()); /* jitter differs between replicas */
    s_sender.server = server;
    s_sender.database_url = database_url;
    s_sender.context = context;
    s_sender.curl = notify_curl_new();
    if (!s_sender.curl) {
        log_error("could not start webhook and mail delivery: out of memory");
        return;
    }
    s_sender.fiber = fiber_spawn(s_sender_fiber, NULL);
    notify_mail_start(server, s_sender.curl, context);
}

void notify_delivery_stop(void *context)
{
    (void)context;
    s_sender.is_stopping = true;
    notify_mail_stop();
    notify_curl_stop(s_sender.curl);
    if (s_sender.fiber)
        fiber_wake(s_sender.fiber);
}
