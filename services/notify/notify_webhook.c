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
 * dead letter. A new URL answers a handshake before events go to it, and a
 * subscription may ask for heartbeats: both in notify_webhook_upkeep.c.
 * Secrets (HMAC "v1") and ed25519 private keys ("v1a") are opened from
 * their sealed form only to sign. */
#include "notify_curl.h"
#include "notify_post.h"
#include "notify_server.h"
#include "notify_store.h"
#include "notify_webhook.h"
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

/* The process's one sender: what its fibers share (notify_webhook.h), its
 * fiber and connection (whose backend holds the leases of what it
 * claimed), and what the chains finished, to be recorded. */
static struct {
    notify_sender_t shared;
    const char *database_url;
    db_t *db;
    fiber_t *fiber;
    bool is_due;        /* deliveries came in, or something finished */
    int64_t claimed_at; /* the last claim's time */
    bool is_upkeep_due; /* subscriptions changed: handshakes, heartbeats too */
    int n_claimed;      /* claimed deliveries not yet recorded */
    s_job_t *done_head, *done_tail;
} s_sender;

long notify_webhook_backoff_ms(int attempts)
{
    return s_sender.shared.context->retry_base_ms *
           s_backoff[(size_t)(attempts - 1) % BACKOFF_STEPS];
}

void notify_webhook_disable(db_t *db, const char *subscription_id, const char *reason,
                            const char *why)
{
    if (db_begin(db) != 0)
        return;
    int rc = notify_store_disable(db, subscription_id, reason);
    if (rc < 0 || (rc > 0 && notify_mail_subscription_disabled(db, subscription_id, why, false,
                                                               s_sender.shared.context) != 0)) {
        db_rollback(db);
        return;
    }
    if (db_commit(db) == 0 && rc > 0)
        log_warn("webhook subscription %s switched off: %s", subscription_id, reason);
}

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
long notify_webhook_unsigned(const char *what, const char *subscription_id)
{
    metrics_queue_flow("notify", "webhooks", "unsigned", 1);
    log_warn("could not sign the %s of webhook subscription %s: %s", what, subscription_id,
             NOTIFY_UNSIGNED_ANSWER);
    return s_sender.shared.context->retry_base_ms * UNSIGNED_RETRY_BASES;
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
    if (notify_mail_subscription_failing(db, subscription_id, why, s_sender.shared.context) != 0 ||
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
    const notify_context_t *context = s_sender.shared.context;
    int attempts = job->row.attempts + 1;
    long delay = notify_webhook_backoff_ms(attempts);
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
        notify_webhook_disable(db, subscription, "the endpoint answered 410 Gone",
                               "mottakeren svarte 410 Gone");
    } else if (is_failing_long) {
        /* an endpoint failing for days is switched off, and its owner told */
        char reason[40], why[80];
        snprintf(reason, sizeof reason, "failing for %d days", DISABLE_AFTER_DAYS);
        snprintf(why, sizeof why, "mottakeren har feilet i %d døgn", DISABLE_AFTER_DAYS);
        notify_webhook_disable(db, subscription, reason, why);
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
            long delay_ms = notify_webhook_unsigned("delivery", j->row.subscription_id);
            if (notify_store_unsigned(db, j->row.id, delay_ms, NOTIFY_UNSIGNED_ANSWER) != 0)
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

void notify_webhook_nudge(void)
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
        if (!is_open || s_sender.shared.is_stopping || bus_now_ms() - started > CHAIN_MAX_MS) {
            s_done(job, JOB_UNSENT);
        } else if (job->is_unsigned) {
            s_done(job, JOB_UNSIGNED); /* not sent; the rest of its chain waits behind it */
            is_open = false;
        } else {
            notify_post_send(&job->post, s_sender.shared.curl, job->row.url,
                             s_sender.shared.context->allow_loopback);
            is_open = notify_post_is_ok(&job->post);
            s_done(job, is_open ? JOB_DELIVERED
                        : s_sender.shared.is_stopping && job->post.result != CURLE_OK ? JOB_UNSENT
                                                                                      : JOB_FAILED);
        }
    }
    s_sender.shared.n_fibers--;
    s_sender.shared.has_finished = true;
    notify_webhook_nudge();
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
    job->is_unsigned =
        notify_post_sign(&job->post, job->row.event_id, s_sender.shared.context->secret_key,
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
                s_sender.shared.n_fibers++;
            else if (head) /* no fiber: let go of the chain */
                for (s_job_t *j = head; j; j = j->next_in_chain)
                    s_done(j, JOB_UNSENT);
            head = job;
        }
        last = job;
    }
    if (head && fiber_spawn(s_chain_fiber, head))
        s_sender.shared.n_fibers++;
    else if (head)
        for (s_job_t *j = head; j; j = j->next_in_chain)
            s_done(j, JOB_UNSENT);
    for (int i = 0; i < n_bases; i++)
        free(bases[i].base);
    free(bases);
    free(rows); /* the strings are the jobs' now */
    return n;
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
    while (!s_sender.shared.is_stopping) {
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
        if (!s_sender.shared.has_finished && !s_sender.is_upkeep_due && since_ms < CLAIM_EVERY_MS) {
            fiber_poll(NULL, 0, (int)(CLAIM_EVERY_MS - since_ms));
            continue;
        }
        db_t *db = s_sender.db;
        s_sender.is_due = s_sender.shared.has_finished = false;
        s_record(db);
        int claimed = s_claim(db);
        s_sender.claimed_at = bus_now_ms();
        if (s_sender.is_upkeep_due) {
            s_sender.is_upkeep_due = false;
            notify_webhook_upkeep(&s_sender.shared, db);
        }
        if (s_sender.is_due || s_sender.is_upkeep_due || s_sender.done_head ||
            (claimed > 0 && s_sender.n_claimed < IN_FLIGHT_MAX))
            continue;
        int sleep_ms = s_sleep_ms(db);
        int64_t until = bus_now_ms() + sleep_ms;
        /* a stop that came while it recorded or claimed (its wake ended a
         * database wait) ends the loop here, not after the sleep */
        if (!s_sender.is_due && !s_sender.is_upkeep_due && !s_sender.shared.is_stopping)
            fiber_poll(NULL, 0, sleep_ms);
        if (bus_now_ms() >= until) /* the time, not a wake: what fell due */
            s_sender.is_upkeep_due = true;
    }
    /* the chains end at once (their transfers are aborted); what they
     * claimed and did not record is leased by this connection's backend,
     * which ends with it, so it is due again at once elsewhere */
    while (s_sender.shared.n_fibers > 0 || notify_mail_is_running())
        fiber_poll(NULL, 0, 100);
    s_record(s_sender.db);
    notify_curl_destroy(&s_sender.shared.curl);
    notify_post_cleanup();
    db_destroy(&s_sender.db);
    s_sender.fiber = NULL;
}

void notify_wake_deliveries(void *context)
{
    (void)context;
    notify_webhook_nudge();
}

void notify_wake_senders(void *context)
{
    (void)context;
    s_sender.is_upkeep_due = true;
    notify_webhook_nudge();
}

void notify_delivery_start(bus_server_t *server, const char *database_url, void *context)
{
    srand((unsigned)bus_now_ms()); /* jitter differs between replicas */
    s_sender.shared.server = server;
    s_sender.database_url = database_url;
    s_sender.shared.context = context;
    s_sender.shared.curl = notify_curl_new();
    if (!s_sender.shared.curl) {
        log_error("could not start webhook and mail delivery: out of memory");
        return;
    }
    s_sender.fiber = fiber_spawn(s_sender_fiber, NULL);
    notify_mail_start(server, s_sender.shared.curl, context);
}

void notify_delivery_stop(void *context)
{
    (void)context;
    s_sender.shared.is_stopping = true;
    notify_mail_stop();
    notify_curl_stop(s_sender.shared.curl);
    if (s_sender.fiber)
        fiber_wake(s_sender.fiber);
}
