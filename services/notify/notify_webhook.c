/* Webhook delivery: SAMHAND_WEBHOOK_SENDERS threads per notify process,
 * each for its share of the subscriptions, take for each active
 * subscription the oldest pending delivery when it is due (so an endpoint
 * gets events in the order of the feed), posts it as a CloudEvent signed per
 * the Standard Webhooks specification, records the attempt, and schedules
 * the retry: exponential backoff with jitter over about a day, Retry-After
 * honoured, 410 disables the subscription, and a delivery out of retries
 * becomes a dead letter. */
#include "notify_server.h"
#include "gateway_transcode.h"
#include "samhand_log.h"
#include "samhand_metrics.h"
#include "samhand_rows.h"
#include "samhand_service.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/eventfd.h>
#include <unistd.h>

/* Backoff after the n-th failure, in units of the base (5 s by default):
 * 5 s, 30 s, 2 min, 10 min, 30 min, 1 h, 2 h, 4 h, 8 h, 12 h: about a day. */
static const int s_backoff[] = {1, 6, 24, 120, 360, 720, 1440, 2880, 5760, 8640};
#define BACKOFF_STEPS (sizeof s_backoff / sizeof s_backoff[0])
#define DISABLE_AFTER_DAYS 3
#define SENDER_TICK_MS 50 /* looks for retries falling due */

typedef struct {
    char response[257];
    size_t len;
    long retry_after_s;
} s_answer_t;

static size_t s_on_body(char *data, size_t size, size_t n, void *arg)
{
    s_answer_t *a = arg;
    size_t take = size * n;
    if (a->len < sizeof a->response - 1) {
        size_t room = sizeof a->response - 1 - a->len;
        memcpy(a->response + a->len, data, take < room ? take : room);
        a->len += take < room ? take : room;
        a->response[a->len] = '\0';
    }
    return size * n;
}

static size_t s_on_header(char *data, size_t size, size_t n, void *arg)
{
    s_answer_t *a = arg;
    if (size * n > 12 && strncasecmp(data, "retry-after:", 12) == 0)
        a->retry_after_s = strtol(data + 12, NULL, 10);
    return size * n;
}

/* "v1,<base64 of HMAC-SHA256(key, id.timestamp.body)>", the key being the
 * secret's base64 after "whsec_". */
static void s_sign(const char *secret, const char *id, const char *timestamp, const char *body,
                   char out[100])
{
    const char *b64 = strncmp(secret, "whsec_", 6) == 0 ? secret + 6 : secret;
    unsigned char key[64];
    int key_len = EVP_DecodeBlock(key, (const unsigned char *)b64, (int)strlen(b64));
    size_t b64_len = strlen(b64);
    while (b64_len > 0 && b64[b64_len - 1] == '=' && key_len > 0)
        key_len--, b64_len--;
    char *signed_content = NULL;
    int len = asprintf(&signed_content, "%s.%s.%s", id, timestamp, body);
    unsigned char mac[32];
    unsigned int mac_len = 0;
    HMAC(EVP_sha256(), key, key_len, (unsigned char *)signed_content, (size_t)len, mac, &mac_len);
    free(signed_content);
    memcpy(out, "v1,", 3);
    EVP_EncodeBlock((unsigned char *)out + 3, mac, (int)mac_len);
}

/* Switches a subscription off, once, and tells its owner in the same
 * transaction: `reason` is kept for the API, `why` is for people. */
static void s_disable(db_t *db, const char *subscription_id, const char *reason, const char *why,
                      const notify_context_t *context)
{
    if (db_begin(db) != 0)
        return;
    const char *params[] = {subscription_id, reason};
    int rc = rows_exec(db,
                       "UPDATE subscriptions SET state = 'DISABLED', disabled_reason = $2, "
                       "updated_at = now() WHERE id = $1 AND state = 'ACTIVE'",
                       2, params);
    if (rc < 0 ||
        (rc == 0 && notify_mail_subscription_disabled(db, subscription_id, why, context) != 0)) {
        db_rollback(db);
        return;
    }
    if (db_commit(db) == 0 && rc == 0)
        log_warn("webhook subscription %s switched off: %s", subscription_id, reason);
}

/* The event as the CloudEvents JSON a receiver gets. */
static char *s_body(const unsigned char *stored, size_t len)
{
    Samhand__V1__Event *e = samhand__v1__event__unpack(NULL, len, stored);
    if (!e)
        return NULL;
    Samhand__V1__Any any = SAMHAND__V1__ANY__INIT;
    any.type = e->data_type;
    any.value = e->data;
    char schema[160];
    snprintf(schema, sizeof schema, "urn:samhand:%s", e->data_type);
    Samhand__V1__CloudEvent cloud = SAMHAND__V1__CLOUD_EVENT__INIT;
    cloud.specversion = "1.0";
    cloud.id = e->id;
    cloud.source = e->source;
    cloud.type = e->type;
    cloud.subject = e->subject;
    cloud.time = e->time;
    cloud.datacontenttype = "application/json";
    cloud.data = &any;
    cloud.dataschema = schema;
    json_t *json = transcode_to_json(&cloud.base);
    char *text = json_dumps(json, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(json);
    samhand__v1__event__free_unpacked(e, NULL);
    return text;
}

/* Sends one claimed delivery (a row of s_claim's result) and records what
 * became of it. */
static void s_deliver(db_t *db, CURL *curl, PGresult *res, int row, const notify_context_t *context)
{
    const char *delivery_id = PQgetvalue(res, row, 0);
    size_t len;
    unsigned char *stored = PQunescapeBytea((const unsigned char *)PQgetvalue(res, row, 6), &len);
    char *body = s_body(stored, len);
    PQfreemem(stored);
    char timestamp[24], id_header[96], ts_header[64], sig_header[256], sig[100], old_sig[100];
    snprintf(timestamp, sizeof timestamp, "%lld", (long long)(bus_now_ms() / 1000));
    const char *event_id = PQgetvalue(res, row, 5);
    s_sign(PQgetvalue(res, row, 3), event_id, timestamp, body ? body : "", sig);
    /* while a secret is being rotated, both sign */
    if (!PQgetisnull(res, row, 4)) {
        s_sign(PQgetvalue(res, row, 4), event_id, timestamp, body ? body : "", old_sig);
        snprintf(sig_header, sizeof sig_header, "webhook-signature: %s %s", sig, old_sig);
    } else {
        snprintf(sig_header, sizeof sig_header, "webhook-signature: %s", sig);
    }
    snprintf(id_header, sizeof id_header, "webhook-id: %s", event_id);
    snprintf(ts_header, sizeof ts_header, "webhook-timestamp: %s", timestamp);
    struct curl_slist *headers = NULL;
    headers = curl_slist_append(headers, "Content-Type: application/json");
    headers = curl_slist_append(headers, id_header);
    headers = curl_slist_append(headers, ts_header);
    headers = curl_slist_append(headers, sig_header);
    s_answer_t answer = {.retry_after_s = -1};
    curl_easy_reset(curl);
    curl_easy_setopt(curl, CURLOPT_URL, PQgetvalue(res, row, 2));
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body ? body : "");
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 10000L);
    curl_easy_setopt(curl, CURLOPT_USERAGENT, "samhand-webhooks/" SAMHAND_VERSION);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, s_on_body);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &answer);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, s_on_header);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, &answer);
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    int64_t started = bus_now_ms();
    CURLcode rc = curl_easy_perform(curl);
    long status = 0;
    if (rc == CURLE_OK)
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    else
        snprintf(answer.response, sizeof answer.response, "%s", curl_easy_strerror(rc));
    int latency = (int)(bus_now_ms() - started);
    curl_slist_free_all(headers);
    free(body);

    int attempts = atoi(PQgetvalue(res, row, 7)) + 1;
    const char *subscription = PQgetvalue(res, row, 1);
    char status_text[16], latency_text[16], delay_ms[24];
    snprintf(status_text, sizeof status_text, "%ld", status);
    snprintf(latency_text, sizeof latency_text, "%d", latency);
    const char *attempt[] = {delivery_id, status_text, latency_text, answer.response};
    const char *sub[] = {subscription};
    if (status >= 200 && status < 300) {
        /* the attempt, the delivery and the subscription's health in one
         * round trip: this is the path every event takes */
        const char *done[] = {delivery_id, status_text, latency_text, answer.response,
                              subscription};
        PQclear(db_query(db,
                         "WITH attempt AS (INSERT INTO delivery_attempts (delivery_id, status, "
                         "latency_ms, response) VALUES ($1, $2, $3, $4)), "
                         "delivered AS (UPDATE deliveries SET state = 'DELIVERED', attempts = "
                         "attempts + 1, delivered_at = now(), leased_by = NULL WHERE id = $1) "
                         "UPDATE subscriptions SET failing_since = NULL "
                         "WHERE id = $5 AND failing_since IS NOT NULL",
                         5, done));
        metrics_queue_flow("notify", "webhooks", "out", 1);
        return;
    }
    PQclear(db_query(db,
                     "INSERT INTO delivery_attempts (delivery_id, status, latency_ms, response) "
                     "VALUES ($1, $2, $3, $4)",
                     4, attempt));
    if (status == 410) /* gone: the endpoint says so itself */
        s_disable(db, subscription, "the endpoint answered 410 Gone", "mottakeren svarte 410 Gone",
                  context);
    long delay = context->retry_base_ms * s_backoff[(size_t)(attempts - 1) % BACKOFF_STEPS];
    delay += (long)(rand() % 41 - 20) * delay / 100; /* jitter of ±20 % */
    if (answer.retry_after_s >= 0 && answer.retry_after_s * 1000 > delay)
        delay = answer.retry_after_s * 1000;
    snprintf(delay_ms, sizeof delay_ms, "%ld", delay);
    const char *retry[] = {delivery_id, delay_ms,
                           attempts >= context->max_attempts ? "DEAD" : "PENDING"};
    PQclear(db_query(db,
                     "UPDATE deliveries SET attempts = attempts + 1, state = $3, leased_by = NULL, "
                     "next_attempt_at = "
                     "now() + make_interval(secs => $2::double precision / 1000) WHERE id = $1",
                     3, retry));
    metrics_queue_flow("notify", "webhooks", attempts >= context->max_attempts ? "dead" : "retried",
                       1);
    if (attempts >= context->max_attempts)
        log_warn("webhook delivery %s is a dead letter after %d attempts", delivery_id, attempts);
    /* an endpoint failing for days is switched off, and its owner told */
    PQclear(db_query(db,
                     "UPDATE subscriptions SET failing_since = coalesce(failing_since, now()) "
                     "WHERE id = $1",
                     1, sub));
    char days[8];
    snprintf(days, sizeof days, "%d", DISABLE_AFTER_DAYS);
    const char *failing[] = {subscription, days};
    PGresult *old = db_query(db,
                             "SELECT 1 FROM subscriptions WHERE id = $1 AND state = 'ACTIVE' AND "
                             "failing_since < now() - make_interval(days => $2::int)",
                             2, failing);
    if (old && PQntuples(old) > 0) {
        char reason[40], why[80];
        snprintf(reason, sizeof reason, "failing for %d days", DISABLE_AFTER_DAYS);
        snprintf(why, sizeof why, "mottakeren har feilet i %d døgn", DISABLE_AFTER_DAYS);
        s_disable(db, subscription, reason, why, context);
    }
    PQclear(old);
}

/* Claims the due head delivery of each active subscription, with what it
 * takes to send it. The claim is a lease of two minutes held by this
 * connection's backend: it keeps other replicas off the delivery, and it
 * ends early when the holder's session is gone (the process died), so a
 * crash does not hold up a subscription for the rest of the lease. */
#define DUE                                                                                        \
    "(d.next_attempt_at <= now() OR (d.leased_by IS NOT NULL AND NOT EXISTS "                      \
    "(SELECT 1 FROM pg_stat_activity a WHERE a.pid = d.leased_by)))"

static PGresult *s_claim(db_t *db, int max, int part, int parts)
{
    char limit[16], part_text[16], parts_text[16];
    snprintf(limit, sizeof limit, "%d", max);
    snprintf(part_text, sizeof part_text, "%d", part);
    snprintf(parts_text, sizeof parts_text, "%d", parts);
    const char *params[] = {limit, part_text, parts_text};
    return db_query(
        db,
        /* the head of each subscription by its index, not a sort of every
         * pending delivery: a backlog does not slow the claim */
        "WITH heads AS (SELECT h.id, h.due FROM subscriptions s CROSS JOIN LATERAL "
        "  (SELECT d.id, " DUE " AS due FROM deliveries d WHERE d.subscription_id = s.id "
        "   AND d.state = 'PENDING' ORDER BY d.event_seq LIMIT 1) h "
        "  WHERE s.state = 'ACTIVE' AND mod(abs(hashtext(s.id::text)), $3::int) = $2::int), "
        "chosen AS (SELECT id FROM heads WHERE due LIMIT $1::int) "
        "UPDATE deliveries d SET next_attempt_at = now() + interval '2 minutes', "
        "leased_by = pg_backend_pid() "
        "FROM chosen, subscriptions s, events e "
        "WHERE d.id = chosen.id AND s.id = d.subscription_id AND e.seq = d.event_seq "
        /* again on the row itself: a replica that claimed it meanwhile wins */
        "AND " DUE " "
        "RETURNING d.id, s.id, s.url, s.secret, CASE WHEN s.previous_secret_until > now() "
        "THEN s.previous_secret END, e.id, e.event, d.attempts",
        3, params);
}

/* One sender: the subscriptions whose hash falls in its part, so each
 * subscription has one sender and keeps its order, while a slow endpoint
 * holds up only its part. Part 0 also plans the reminders and sends the
 * mail. */
typedef struct {
    const service_background_t *background;
    int part, parts;
    atomic_bool *stop;
} s_sender_t;

void notify_wake_senders(void *arg)
{
    notify_context_t *context = arg;
    int n = atomic_load(&context->n_sender_wake);
    for (int i = 0; i < n; i++)
        db_wake((void *)(intptr_t)context->sender_wake[i]);
}

static void s_send(const s_sender_t *sender, zsock_t *pipe)
{
    const notify_context_t *context = sender->background->context;
    db_t *db = NULL;
    CURL *curl = curl_easy_init();
    /* connections kept open to every endpoint of the sender's share */
    curl_easy_setopt(curl, CURLOPT_MAXCONNECTS, 256L);
    int wake = context->sender_wake[sender->part];
    /* woken by the pipe (sender 0: the end), by deliveries coming in, or
     * by its tick for retries falling due */
    zmq_pollitem_t items[] = {{NULL, wake, ZMQ_POLLIN, 0},
                              {pipe ? zsock_resolve(pipe) : NULL, 0, ZMQ_POLLIN, 0}};
    int busy = 0;             /* work done last round: look again at once */
    char digest_day[11] = ""; /* the last day whose reminders were planned */
    while (!atomic_load(sender->stop)) {
        if (!busy) {
            zmq_poll(items, pipe ? 2 : 1, SENDER_TICK_MS);
            if (pipe && (items[1].revents & ZMQ_POLLIN))
                break; /* $TERM */
        }
        if (items[0].revents & ZMQ_POLLIN) {
            uint64_t wakes;
            if (read(wake, &wakes, sizeof wakes) < 0) {
                /* EAGAIN: nothing more to read, the round looks anyway */
            }
            items[0].revents = 0;
        }
        /* a sender without its database keeps trying: its share of the
         * subscriptions waits, the queue's age shows it, nothing is lost */
        if (!db)
            db = db_new(sender->background->database_url, sender->background->name, 1000);
        if (!db) {
            busy = 0;
            continue;
        }
        PGresult *claimed = s_claim(db, 64, sender->part, sender->parts);
        int n = claimed ? PQntuples(claimed) : 0;
        busy = n > 0;
        for (int i = 0; i < n; i++)
            s_deliver(db, curl, claimed, i, context);
        PQclear(claimed);
        if (sender->part == 0) {
            notify_reminder_plan(db, context, digest_day);
            notify_mail_send_due(db, curl, context);
        }
    }
    curl_easy_cleanup(curl);
    db_destroy(&db);
}

static void *s_sender_main(void *arg)
{
    s_send(arg, NULL);
    return NULL;
}

void notify_webhook_actor(zsock_t *pipe, void *args)
{
    const service_background_t *background = args;
    const notify_context_t *context = background->context;
    int parts = context->webhook_senders > 0 ? (int)context->webhook_senders : 1;
    srand((unsigned)bus_now_ms()); /* jitter differs between replicas */
    atomic_bool stop = false;
    notify_context_t *shared = background->context;
    for (int i = 0; i < parts; i++)
        shared->sender_wake[i] = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    atomic_store(&shared->n_sender_wake, parts);
    s_sender_t *senders = calloc((size_t)parts, sizeof *senders);
    pthread_t *threads = calloc((size_t)parts, sizeof *threads);
    for (int i = 0; i < parts; i++)
        senders[i] = (s_sender_t){background, i, parts, &stop};
    for (int i = 1; i < parts; i++)
        pthread_create(&threads[i], NULL, s_sender_main, &senders[i]);
    zsock_signal(pipe, 0);
    s_send(&senders[0], pipe); /* until the actor is told to end */
    atomic_store(&stop, true);
    for (int i = 1; i < parts; i++)
        pthread_join(threads[i], NULL);
    /* the eventfds stay open: a consumer still committing may write to
     * them, and a closed number could by then be another file */
    free(threads);
    free(senders);
}
