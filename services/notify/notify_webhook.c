/* Webhook delivery: SAMHAND_WEBHOOK_SENDERS threads per notify process,
 * each for its share of the subscriptions, take for each active
 * subscription the oldest pending delivery when it is due (so an endpoint
 * gets events in the order of the feed), posts it as a CloudEvent signed per
 * the Standard Webhooks specification, records the attempt, and schedules
 * the retry: exponential backoff with jitter over about a day, Retry-After
 * honoured, 410 disables the subscription, and a delivery out of retries
 * becomes a dead letter. A new URL answers a handshake before events go
 * to it; secrets (HMAC "v1") and ed25519 private keys ("v1a") are opened
 * from their sealed form only to sign. */
#include "notify_server.h"
#include "samhand_check.h"
#include "samhand_log.h"
#include "samhand_metrics.h"
#include "samhand_rows.h"
#include "samhand_service.h"
#include "samhand_transcode.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <ifaddrs.h>
#include <netdb.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <openssl/crypto.h>
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
#define SENDER_IDLE_MAX_MS 60000 /* the longest a sender sleeps with nothing due */
#define SENDER_RETAKE_MS 50      /* the shortest */
#define CHAIN_MAX 16             /* deliveries of one subscription claimed in a round */

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
 * secret's base64 after "whsec_". 0 or -1. */
static int s_sign_hmac(const char *secret, const char *content, size_t content_len, char out[100])
{
    unsigned char key[66];
    int key_len = notify_key_bytes(secret, "whsec_", key, sizeof key);
    unsigned char mac[32];
    unsigned int mac_len = 0;
    if (key_len < 0 || !HMAC(EVP_sha256(), key, key_len, (const unsigned char *)content,
                             content_len, mac, &mac_len))
        return -1;
    memcpy(out, "v1,", 3);
    EVP_EncodeBlock((unsigned char *)out + 3, mac, (int)mac_len);
    return 0;
}

/* "v1a,<base64 of the ed25519 signature of id.timestamp.body>" by the
 * private key "whsk_<base64 of its raw 32 bytes>". 0 or -1. */
static int s_sign_ed25519(const char *private_key, const char *content, size_t content_len,
                          char out[100])
{
    unsigned char raw[33], signature[64];
    size_t signature_len = sizeof signature;
    int raw_len = notify_key_bytes(private_key, "whsk_", raw, sizeof raw);
    EVP_PKEY *key =
        raw_len == 32 ? EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, raw, 32) : NULL;
    OPENSSL_cleanse(raw, sizeof raw);
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    int rc = -1;
    if (!key || !md || EVP_DigestSignInit(md, NULL, NULL, NULL, key) != 1 ||
        EVP_DigestSign(md, signature, &signature_len, (const unsigned char *)content,
                       content_len) != 1)
        goto cleanup;
    memcpy(out, "v1a,", 4);
    EVP_EncodeBlock((unsigned char *)out + 4, signature, (int)signature_len);
    rc = 0;

cleanup:
    EVP_MD_CTX_free(md);
    EVP_PKEY_free(key);
    return rc;
}

/* One entry of webhook-signature for `secret` over id.timestamp.body: by
 * its scheme, which its prefix tells (whsk_: ed25519, else HMAC). 0 or -1. */
static int s_sign(const char *secret, const char *id, const char *timestamp, const char *body,
                  char out[100])
{
    char *content = NULL;
    int len = asprintf(&content, "%s.%s.%s", id, timestamp, body);
    if (len < 0)
        return -1;
    int rc = strncmp(secret, "whsk_", 5) == 0 ? s_sign_ed25519(secret, content, (size_t)len, out)
                                              : s_sign_hmac(secret, content, (size_t)len, out);
    free(content);
    return rc;
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
    if (rc < 0 || (rc == 0 && notify_mail_subscription_disabled(db, subscription_id, why, false,
                                                                context) != 0)) {
        db_rollback(db);
        return;
    }
    if (db_commit(db) == 0 && rc == 0)
        log_warn("webhook subscription %s switched off: %s", subscription_id, reason);
}

/* The event as the CloudEvents JSON a receiver gets: its place in the
 * stream (`sequence`, the feed's cursor) and in the subscription's own
 * (`subscriptionsequence`, from 1 without gaps). */
static char *s_body(const unsigned char *stored, size_t len, long long sequence,
                    long long subscription_sequence)
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
    cloud.actor = e->actor;
    cloud.actororganization = e->actor_organization_id;
    char counter[24] = "";
    if (subscription_sequence > 0)
        snprintf(counter, sizeof counter, "%lld", subscription_sequence);
    cloud.sequence = sequence;
    cloud.subscriptionsequence = counter; /* "" leaves it out (s_with_counter adds it) */
    json_t *json = transcode_to_json(&cloud.base);
    char *text = json_dumps(json, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(json);
    samhand__v1__event__free_unpacked(e, NULL);
    return text;
}

/* The event's body without its counter, as s_body makes it, with the
 * subscription's counter added last: one transcoding an event, not one a
 * delivery (50 receivers of one event share it). Caller frees. */
static char *s_with_counter(const char *base, long long subscription_sequence)
{
    size_t len = strlen(base);
    if (len < 2 || base[len - 1] != '}')
        return NULL;
    char tail[64];
    int n =
        snprintf(tail, sizeof tail, ",\"subscriptionsequence\":\"%lld\"}", subscription_sequence);
    char *text = malloc(len + (size_t)n);
    if (!text)
        return NULL;
    memcpy(text, base, len - 1);
    memcpy(text + len - 1, tail, (size_t)n + 1);
    return text;
}

/* The addresses of this machine's interfaces, as IPv6 (IPv4 mapped), read
 * at the first check and again when older than LOCAL_REFRESH_MS: an
 * address added later (a new interface, DHCP) is refused within seconds. */
#define LOCAL_MAX 256
#define LOCAL_REFRESH_MS 5000
static pthread_mutex_t s_local_lock = PTHREAD_MUTEX_INITIALIZER;
static struct in6_addr s_local[LOCAL_MAX];
static int s_n_local;
static int64_t s_local_read_ms = -LOCAL_REFRESH_MS;

static void s_local_read(void)
{
    struct ifaddrs *list = NULL;
    if (getifaddrs(&list) != 0) {
        log_warn("could not read this machine's addresses: %s", strerror(errno));
        return; /* the last ones read stay */
    }
    s_n_local = 0;
    for (struct ifaddrs *i = list; i && s_n_local < LOCAL_MAX; i = i->ifa_next) {
        if (!i->ifa_addr)
            continue;
        struct in6_addr *a = &s_local[s_n_local];
        if (i->ifa_addr->sa_family == AF_INET6) {
            *a = ((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr;
        } else if (i->ifa_addr->sa_family == AF_INET) {
            memset(a, 0, sizeof *a);
            a->s6_addr[10] = a->s6_addr[11] = 0xff;
            memcpy(&a->s6_addr[12], &((struct sockaddr_in *)i->ifa_addr)->sin_addr, 4);
        } else {
            continue;
        }
        s_n_local++;
    }
    freeifaddrs(list);
}

/* Whether `a` (IPv6, IPv4 mapped) is an address of this machine. */
static bool s_is_local(const struct in6_addr *a)
{
    bool is_local = false;
    pthread_mutex_lock(&s_local_lock);
    int64_t now_ms = bus_now_ms();
    if (now_ms - s_local_read_ms >= LOCAL_REFRESH_MS) {
        s_local_read();
        s_local_read_ms = now_ms;
    }
    for (int i = 0; i < s_n_local && !is_local; i++)
        is_local = memcmp(&s_local[i], a, sizeof *a) == 0;
    pthread_mutex_unlock(&s_local_lock);
    return is_local;
}

bool notify_address_refused(const char *ip, bool allow_loopback)
{
    struct in_addr v4;
    struct in6_addr v6;
    if (inet_pton(AF_INET6, ip, &v6) == 1) {
        if (IN6_IS_ADDR_V4MAPPED(&v6))
            memcpy(&v4.s_addr, &v6.s6_addr[12], 4);
        else if (IN6_IS_ADDR_LOOPBACK(&v6))
            return !allow_loopback;
        else if (IN6_IS_ADDR_UNSPECIFIED(&v6) || IN6_IS_ADDR_LINKLOCAL(&v6))
            return true;
        else
            return !allow_loopback && s_is_local(&v6);
    } else if (inet_pton(AF_INET, ip, &v4) != 1) {
        return true;
    }
    uint32_t host = ntohl(v4.s_addr);
    if (host >> 24 == 127)
        return !allow_loopback;
    if (host >> 24 == 0 || host >> 16 == 0xa9fe) /* 0.0.0.0/8, 169.254.0.0/16 */
        return true;
    struct in6_addr mapped = {0};
    mapped.s6_addr[10] = mapped.s6_addr[11] = 0xff;
    memcpy(&mapped.s6_addr[12], &v4.s_addr, 4);
    return !allow_loopback && s_is_local(&mapped);
}

bool notify_url_refused(const char *url, bool allow_loopback)
{
    CURLU *u = curl_url();
    char *host = NULL;
    bool refused = false;
    if (u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK) {
        char address[64];
        size_t len = strlen(host);
        bool bracketed = len > 2 && host[0] == '[' && host[len - 1] == ']';
        snprintf(address, sizeof address, "%.*s", (int)(bracketed ? len - 2 : len),
                 bracketed ? host + 1 : host);
        /* any spelling the system reads as an address without a lookup
         * ("0", "127.1", "0x7f000001"), as libcurl will connect to it */
        struct addrinfo hints = {.ai_flags = AI_NUMERICHOST, .ai_family = AF_UNSPEC}, *res = NULL;
        if (getaddrinfo(address, NULL, &hints, &res) == 0) {
            char canonical[INET6_ADDRSTRLEN] = "";
            const void *bytes =
                res->ai_family == AF_INET6
                    ? (const void *)&((struct sockaddr_in6 *)res->ai_addr)->sin6_addr
                    : (const void *)&((struct sockaddr_in *)res->ai_addr)->sin_addr;
            refused = !inet_ntop(res->ai_family, bytes, canonical, sizeof canonical) ||
                      notify_address_refused(canonical, allow_loopback);
            freeaddrinfo(res);
        }
    }
    curl_free(host);
    curl_url_cleanup(u);
    return refused;
}

/* A claimed delivery on its way: a row of s_claim's result, its request
 * and what came back. */
typedef struct {
    int row;
    int next; /* the subscription's next job, sent after this one succeeds; -1 */
    CURL *easy;
    struct curl_slist *headers;
    char *body; /* its own: the subscription's counter is in it */
    char *base; /* the event's body without the counter: made once an event a round, the
                 * first job of the event owns it and the others borrow it */
    bool owns_base;
    bool sent;
    s_answer_t answer;
    CURLcode result;
    long status;
    int latency_ms;
    bool allow_loopback;
    bool refused;     /* an address webhooks may not go to: not connected */
    bool is_unsigned; /* its secret did not open with SAMHAND_SECRET_KEY: not sent */
    bool is_recorded; /* what became of it is recorded already */
} s_job_t;

/* Called for every address a connection is to be made to, before its
 * socket exists: the address a name led to is checked here, so no name
 * (or rebinding of one) takes a webhook to this machine or a metadata
 * service, and not a byte (not a SYN, nor TLS's hello) goes to it. A
 * refused address fails as a closed port does, in the same words
 * (libcurl's), so the attempts cannot be used to scan this machine's
 * ports; the log says which it was. */
static curl_socket_t s_on_open_socket(void *arg, curlsocktype purpose,
                                      struct curl_sockaddr *address)
{
    s_job_t *job = arg;
    char ip[INET6_ADDRSTRLEN] = "";
    if (address->family == AF_INET)
        inet_ntop(AF_INET, &((struct sockaddr_in *)&address->addr)->sin_addr, ip, sizeof ip);
    else if (address->family == AF_INET6)
        inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&address->addr)->sin6_addr, ip, sizeof ip);
    if (purpose != CURLSOCKTYPE_IPCXN || notify_address_refused(ip, job->allow_loopback)) {
        job->refused = true;
        log_info("a webhook was not sent to %s: samhand does not send webhooks there", ip);
        return CURL_SOCKET_BAD;
    }
    return socket(address->family, address->socktype, address->protocol);
}

/* The webhook headers of `body` signed with the sealed `secret` (and,
 * while a rotation lasts, `previous` too, or NULL); NULL when `secret`
 * does not open with the key. */
static struct curl_slist *s_signed_headers(const notify_context_t *context, const char *id,
                                           const char *body, const char *sealed,
                                           const char *previous_sealed)
{
    char timestamp[24], id_header[96], ts_header[64], sig_header[256], sig[100], old_sig[100];
    snprintf(timestamp, sizeof timestamp, "%lld", (long long)(bus_now_ms() / 1000));
    char *secret = notify_secret_open(context->secret_key, sealed);
    char *previous =
        previous_sealed ? notify_secret_open(context->secret_key, previous_sealed) : NULL;
    struct curl_slist *headers = NULL;
    if (!secret || s_sign(secret, id, timestamp, body, sig) != 0)
        goto cleanup;
    /* while a secret is being rotated, both sign (a v1 and a v1a when the
     * rotation changed the scheme); an old one that does not open (the
     * key changed under it, and the owner rotated to mend it) is left out */
    if (previous && s_sign(previous, id, timestamp, body, old_sig) == 0) {
        snprintf(sig_header, sizeof sig_header, "webhook-signature: %s %s", sig, old_sig);
    } else {
        snprintf(sig_header, sizeof sig_header, "webhook-signature: %s", sig);
    }
    snprintf(id_header, sizeof id_header, "webhook-id: %s", id);
    snprintf(ts_header, sizeof ts_header, "webhook-timestamp: %s", timestamp);
    headers = curl_slist_append(NULL, "Content-Type: application/json");
    headers = curl_slist_append(headers, id_header);
    headers = curl_slist_append(headers, ts_header);
    headers = curl_slist_append(headers, sig_header);

cleanup:
    free(secret);
    free(previous);
    return headers;
}

/* The options every webhook POST has: `body` to `url`, what comes back
 * into `job`, and each address checked before it is connected to. */
static void s_setup_post(s_job_t *job, const char *url, const char *body)
{
    job->answer = (s_answer_t){.retry_after_s = -1};
    CURL *curl = job->easy;
    curl_easy_reset(curl);
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, job->headers);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 10000L);
    curl_easy_setopt(curl, CURLOPT_USERAGENT, "samhand-webhooks/" SAMHAND_VERSION);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, s_on_body);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &job->answer);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, s_on_header);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, &job->answer);
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_PRIVATE, job);
    curl_easy_setopt(curl, CURLOPT_OPENSOCKETFUNCTION, s_on_open_socket);
    curl_easy_setopt(curl, CURLOPT_OPENSOCKETDATA, job);
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
 * flow="unsigned"}. The delay, in ms, into `delay_ms`. */
static void s_unsigned(const char *what, const char *subscription_id,
                       const notify_context_t *context, char delay_ms[24])
{
    snprintf(delay_ms, 24, "%ld", context->retry_base_ms * UNSIGNED_RETRY_BASES);
    metrics_queue_flow("notify", "webhooks", "unsigned", 1);
    log_warn("could not sign the %s of webhook subscription %s: %s", what, subscription_id,
             UNSIGNED_ANSWER);
}

/* A claimed delivery that could not be signed: let go until it is tried
 * again, its attempt log saying why once (not once a try). */
static void s_delivery_unsigned(db_t *db, const PGresult *res, const s_job_t *job,
                                const notify_context_t *context)
{
    char delay_ms[24];
    s_unsigned("delivery", PQgetvalue(res, job->row, 1), context, delay_ms);
    const char *params[] = {PQgetvalue(res, job->row, 0), delay_ms, UNSIGNED_ANSWER};
    if (rows_exec(db,
                  "WITH later AS (UPDATE deliveries SET leased_by = NULL, next_attempt_at = now() "
                  "+ make_interval(secs => $2::double precision / 1000) WHERE id = $1::uuid) "
                  "INSERT INTO delivery_attempts (delivery_id, status, latency_ms, response) "
                  "SELECT $1::uuid, 0, 0, $3 WHERE NOT EXISTS (SELECT 1 FROM (SELECT response "
                  "FROM delivery_attempts WHERE delivery_id = $1::uuid ORDER BY id DESC LIMIT 1) "
                  "l WHERE l.response = $3)",
                  3, params) < 0)
        log_warn("could not record an unsigned webhook delivery: %s", db_error(db));
}

/* Prepares the signed POST of a claimed delivery. */
static void s_prepare(s_job_t *jobs, int index, const PGresult *res,
                      const notify_context_t *context)
{
    s_job_t *job = &jobs[index];
    const char *event_id = PQgetvalue(res, job->row, 5);
    /* the event's body without the counter: an earlier job's of the same
     * event, or made now */
    for (int i = 0; i < index && !job->base; i++)
        if (jobs[i].base && strcmp(PQgetvalue(res, jobs[i].row, 5), event_id) == 0)
            job->base = jobs[i].base;
    if (!job->base) {
        size_t len;
        unsigned char *stored =
            PQunescapeBytea((const unsigned char *)PQgetvalue(res, job->row, 6), &len);
        job->base = s_body(stored, len, strtoll(PQgetvalue(res, job->row, 8), NULL, 10), 0);
        job->owns_base = job->base != NULL;
        PQfreemem(stored);
    }
    job->body = job->base
                    ? s_with_counter(job->base, strtoll(PQgetvalue(res, job->row, 9), NULL, 10))
                    : NULL;
    const char *body = job->body ? job->body : "";
    job->headers =
        s_signed_headers(context, event_id, body, PQgetvalue(res, job->row, 3),
                         PQgetisnull(res, job->row, 4) ? NULL : PQgetvalue(res, job->row, 4));
    s_setup_post(job, PQgetvalue(res, job->row, 2), body);
    if (!job->headers) {
        job->is_unsigned = true;
        snprintf(job->answer.response, sizeof job->answer.response, UNSIGNED_ANSWER);
    }
}

/* Tells a subscription's owner that its endpoint began to fail: once a
 * spell, at its first failed attempt. */
static void s_tell_failing(db_t *db, const char *subscription_id, const s_job_t *job,
                           const notify_context_t *context)
{
    char why[300];
    if (job->status)
        snprintf(why, sizeof why, "mottakeren svarte %ld", job->status);
    else
        snprintf(why, sizeof why, "mottakeren svarte ikke (%s)", job->answer.response);
    if (db_begin(db) != 0)
        return;
    if (notify_mail_subscription_failing(db, subscription_id, why, context) != 0 ||
        db_commit(db) != 0) {
        log_warn("could not tell the owner of subscription %s that it fails: %s", subscription_id,
                 db_error(db));
        db_rollback(db);
    }
}

/* Records a failed attempt: the retry (or the dead letter), 410's switch
 * off, and the switch off of an endpoint failing for days. */
static void s_failed(db_t *db, const PGresult *res, const s_job_t *job,
                     const notify_context_t *context)
{
    const char *delivery_id = PQgetvalue(res, job->row, 0);
    const char *subscription = PQgetvalue(res, job->row, 1);
    int attempts = atoi(PQgetvalue(res, job->row, 7)) + 1;
    char status_text[16], latency_text[16], delay_ms[24];
    snprintf(status_text, sizeof status_text, "%ld", job->status);
    snprintf(latency_text, sizeof latency_text, "%d", job->latency_ms);
    long delay = context->retry_base_ms * s_backoff[(size_t)(attempts - 1) % BACKOFF_STEPS];
    delay += (long)(rand() % 41 - 20) * delay / 100; /* jitter of ±20 % */
    if (job->answer.retry_after_s >= 0 && job->answer.retry_after_s * 1000 > delay)
        delay = job->answer.retry_after_s * 1000;
    bool dead = attempts >= context->max_attempts;
    char days[8];
    snprintf(delay_ms, sizeof delay_ms, "%ld", delay);
    snprintf(days, sizeof days, "%d", DISABLE_AFTER_DAYS);
    /* in one statement: the attempt, the retry (or the dead letter), and
     * the subscription failing since the first failure; whether it has
     * failed for days comes back */
    const char *params[] = {delivery_id,          status_text, latency_text,
                            job->answer.response, delay_ms,    dead ? "DEAD" : "PENDING",
                            subscription,         days};
    PGresult *failed = db_query(
        db,
        "WITH attempt AS (INSERT INTO delivery_attempts (delivery_id, status, latency_ms, "
        "response) VALUES ($1, $2, $3, $4)), "
        "retry AS (UPDATE deliveries SET attempts = attempts + 1, state = $6, leased_by = NULL, "
        "next_attempt_at = now() + make_interval(secs => $5::double precision / 1000) "
        "WHERE id = $1), "
        "failing AS (UPDATE subscriptions SET failing_since = coalesce(failing_since, now()), "
        "consecutive_failures = consecutive_failures + 1 "
        "WHERE id = $7 RETURNING state, failing_since, consecutive_failures) "
        "SELECT state = 'ACTIVE' AND failing_since < now() - make_interval(days => $8::int), "
        "state = 'ACTIVE' AND consecutive_failures = 1 FROM failing",
        8, params);
    if (!failed)
        log_warn("could not record a failed webhook delivery: %s", db_error(db));
    metrics_queue_flow("notify", "webhooks", dead ? "dead" : "retried", 1);
    if (dead)
        log_warn("webhook delivery %s is a dead letter after %d attempts", delivery_id, attempts);
    if (job->status == 410) /* gone: the endpoint says so itself */
        s_disable(db, subscription, "the endpoint answered 410 Gone", "mottakeren svarte 410 Gone",
                  context);
    else if (failed && PQntuples(failed) > 0 && PQgetvalue(failed, 0, 0)[0] == 't') {
        /* an endpoint failing for days is switched off, and its owner told */
        char reason[40], why[80];
        snprintf(reason, sizeof reason, "failing for %d days", DISABLE_AFTER_DAYS);
        snprintf(why, sizeof why, "mottakeren har feilet i %d døgn", DISABLE_AFTER_DAYS);
        s_disable(db, subscription, reason, why, context);
    } else if (failed && PQntuples(failed) > 0 && PQgetvalue(failed, 0, 1)[0] == 't') {
        s_tell_failing(db, subscription, job, context);
    }
    PQclear(failed);
}

/* Records the round's successes in one statement: the attempts, the
 * deliveries done, and their subscriptions healthy again. This is the path
 * every event takes. */
static void s_delivered(db_t *db, const PGresult *res, const s_job_t *jobs, int n)
{
    json_t *done = json_array();
    for (int i = 0; i < n; i++) {
        const s_job_t *job = &jobs[i];
        if (job->status < 200 || job->status >= 300)
            continue;
        json_array_append_new(done, json_pack("{s:s, s:s, s:I, s:i, s:s}", "id",
                                              PQgetvalue(res, job->row, 0), "subscription",
                                              PQgetvalue(res, job->row, 1), "status",
                                              (json_int_t)job->status, "latency_ms",
                                              job->latency_ms, "response", job->answer.response));
    }
    size_t count = json_array_size(done);
    if (count > 0) {
        char *text = json_dumps(done, JSON_COMPACT);
        const char *params[] = {text};
        PGresult *recorded =
            db_query(db,
                     "WITH done AS (SELECT * FROM jsonb_to_recordset($1::jsonb) AS t(id uuid, "
                     "subscription uuid, status int, latency_ms int, response text)), "
                     "attempt AS (INSERT INTO delivery_attempts (delivery_id, status, "
                     "latency_ms, response) SELECT id, status, latency_ms, response FROM "
                     "done), "
                     "delivered AS (UPDATE deliveries d SET state = 'DELIVERED', attempts = "
                     "d.attempts + 1, delivered_at = now(), leased_by = NULL FROM done "
                     "WHERE d.id = done.id) "
                     "UPDATE subscriptions s SET failing_since = NULL, consecutive_failures = 0, "
                     "last_sent_at = now() FROM done WHERE s.id = done.subscription AND "
                     "(s.failing_since IS NOT NULL OR s.consecutive_failures > 0 OR "
                     "s.heartbeat_seconds > 0)",
                     1, params);
        free(text);
        if (recorded)
            metrics_queue_flow("notify", "webhooks", "out", (int)count);
        else /* they stay leased, and go again with the same webhook-id when it ends */
            log_warn("could not record %zu webhook deliveries as delivered: %s", count,
                     db_error(db));
        PQclear(recorded);
    }
    json_decref(done);
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
    char limit[16], part_text[16], parts_text[16], chain[16];
    snprintf(limit, sizeof limit, "%d", max);
    snprintf(part_text, sizeof part_text, "%d", part);
    snprintf(parts_text, sizeof parts_text, "%d", parts);
    snprintf(chain, sizeof chain, "%d", CHAIN_MAX);
    const char *params[] = {limit, part_text, parts_text, chain};
    return db_query(
        db,
        /* the first pending deliveries of each subscription by its index,
         * not a sort of every pending delivery (a backlog does not slow the
         * claim), in the order of its counter as far as they are due
         * without a gap: the head first; a paced subscription no more than
         * its rate allows in a second, and none before its pause is over */
        "WITH heads AS (SELECT h.id, h.subscription_id, h.subscription_sequence, bool_and(h.due) "
        "  OVER (PARTITION BY h.subscription_id ORDER BY h.subscription_sequence) AS ready "
        "  FROM subscriptions s CROSS JOIN LATERAL "
        "  (SELECT d.id, d.subscription_id, d.subscription_sequence, " DUE " AS due "
        "   FROM deliveries d WHERE d.subscription_id = s.id AND d.state = 'PENDING' "
        "   ORDER BY d.subscription_sequence "
        "   LIMIT CASE WHEN s.max_per_second > 0 THEN least($4::int, s.max_per_second) "
        "   ELSE $4::int END) h "
        "  WHERE s.state = 'ACTIVE' AND s.url = s.verified_url AND s.secret_sealed IS NOT NULL "
        "  AND s.paced_until <= now() "
        "  AND mod(abs(hashtext(s.id::text)), $3::int) = $2::int), "
        "chosen AS (SELECT id, subscription_id FROM heads WHERE ready "
        "  ORDER BY subscription_id, subscription_sequence LIMIT $1::int), "
        "paced AS (UPDATE subscriptions s SET paced_until = now() + make_interval(secs => "
        "  c.n::double precision / s.max_per_second) FROM (SELECT subscription_id, count(*) AS n "
        "  FROM chosen GROUP BY subscription_id) c "
        "  WHERE s.id = c.subscription_id AND s.max_per_second > 0) "
        "UPDATE deliveries d SET next_attempt_at = now() + interval '2 minutes', "
        "leased_by = pg_backend_pid() "
        "FROM chosen, subscriptions s, events e "
        "WHERE d.id = chosen.id AND s.id = d.subscription_id AND e.seq = d.event_seq "
        /* again on the row itself: a replica that claimed it meanwhile wins */
        "AND " DUE " "
        "RETURNING d.id, s.id, s.url, s.secret_sealed, CASE WHEN s.previous_secret_until > now() "
        "THEN s.previous_secret_sealed END, e.id, e.event, d.attempts, d.event_seq, "
        "d.subscription_sequence",
        4, params);
}

/* One sender: the subscriptions whose hash falls in its part, so each
 * subscription has one sender and keeps its order, while a slow endpoint
 * holds up only its part (never the mail, which has a thread of its own). */
typedef struct {
    const service_background_t *background;
    int part, parts;
    atomic_bool *stop;
} s_sender_t;

/* A statement about the sender's share of the subscriptions: $1 is its
 * part, $2 how many parts there are. */
static PGresult *s_share_query(db_t *db, const s_sender_t *sender, const char *sql)
{
    char part[16], parts[16];
    snprintf(part, sizeof part, "%d", sender->part);
    snprintf(parts, sizeof parts, "%d", sender->parts);
    const char *params[] = {part, parts};
    return db_query(db, sql, 2, params);
}

#define CLAIM_MAX 256      /* deliveries one sender claims in a round */
#define ROUND_MAX_MS 30000 /* then the rest of the chains wait for the next */

/* Jobs in the order of their subscription and, within it, of the stream. */
static __thread const PGresult *s_sort_claim;
static int s_by_chain(const void *a, const void *b)
{
    int x = ((const s_job_t *)a)->row, y = ((const s_job_t *)b)->row;
    int c = strcmp(PQgetvalue(s_sort_claim, x, 1), PQgetvalue(s_sort_claim, y, 1));
    if (c)
        return c;
    long long sx = strtoll(PQgetvalue(s_sort_claim, x, 9), NULL, 10);
    long long sy = strtoll(PQgetvalue(s_sort_claim, y, 9), NULL, 10);
    return sx < sy ? -1 : sx > sy;
}

static void s_finish(s_job_t *job)
{
    curl_off_t total_us = 0;
    curl_easy_getinfo(job->easy, CURLINFO_TOTAL_TIME_T, &total_us);
    job->latency_ms = (int)(total_us / 1000);
    if (job->result == CURLE_OK)
        curl_easy_getinfo(job->easy, CURLINFO_RESPONSE_CODE, &job->status);
    else /* a refused address reads as a closed port: curl's own words */
        snprintf(job->answer.response, sizeof job->answer.response, "%s",
                 curl_easy_strerror(job->result));
    check_utf8_cut(job->answer.response);
}

/* A CloudEvent of notify's own (source /notify) about subscription
 * `subject`: `data` packed, of the message `data_type`. Malloc'ed JSON. */
static char *s_own_body(const char *id, const char *type, const char *subject,
                        const char *data_type, uint8_t *data, size_t len)
{
    Samhand__V1__Any any = SAMHAND__V1__ANY__INIT;
    any.type = (char *)data_type;
    any.value.data = data;
    any.value.len = len;
    char schema[160];
    snprintf(schema, sizeof schema, "urn:samhand:%s", data_type);
    int64_t now_ms = bus_now_ms();
    Samhand__V1__Timestamp time = SAMHAND__V1__TIMESTAMP__INIT;
    time.seconds = now_ms / 1000;
    time.nanos = (int32_t)(now_ms % 1000) * 1000000;
    Samhand__V1__CloudEvent cloud = SAMHAND__V1__CLOUD_EVENT__INIT;
    cloud.specversion = "1.0";
    cloud.id = (char *)id;
    cloud.source = "/notify";
    cloud.type = (char *)type;
    cloud.subject = (char *)subject;
    cloud.time = &time;
    cloud.datacontenttype = "application/json";
    cloud.data = &any;
    cloud.dataschema = schema;
    cloud.actor = "system";
    json_t *json = transcode_to_json(&cloud.base);
    char *text = json_dumps(json, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(json);
    return text;
}

/* The handshake's body: a CloudEvent no.samhand.subscription.handshake
 * whose data is the subscription as it waits (no secret). */
static char *s_handshake_body(const PGresult *res, int row)
{
    Samhand__V1__Subscription sub = SAMHAND__V1__SUBSCRIPTION__INIT;
    sub.id = PQgetvalue(res, row, 0);
    sub.url = PQgetvalue(res, row, 1);
    sub.event_types = rows_json_strings(PQgetvalue(res, row, 3), &sub.n_event_types);
    sub.organization_id = PQgetvalue(res, row, 4);
    sub.committee_id = PQgetvalue(res, row, 5);
    sub.state = SAMHAND__V1__SUBSCRIPTION__STATE__REQUESTED;
    size_t len = samhand__v1__subscription__get_packed_size(&sub);
    uint8_t *packed = malloc(len + 1);
    samhand__v1__subscription__pack(&sub, packed);
    char *text = s_own_body(PQgetvalue(res, row, 7), "no.samhand.subscription.handshake", sub.id,
                            samhand__v1__subscription__descriptor.name, packed, len);
    free(packed);
    for (size_t i = 0; i < sub.n_event_types; i++)
        free(sub.event_types[i]);
    free(sub.event_types);
    return text;
}

/* Records what became of one handshake: the URL verified, or the next try
 * (by the deliveries' backoff), or after the last one switched off. */
static void s_handshake_done(db_t *db, const PGresult *res, int row, const s_job_t *job,
                             const notify_context_t *context)
{
    const char *id = PQgetvalue(res, row, 0);
    if (job->status >= 200 && job->status < 300) {
        const char *params[] = {id, PQgetvalue(res, row, 1)};
        if (rows_exec(db,
                      "UPDATE subscriptions SET verified_url = $2, handshake_attempts = 0, "
                      "handshake_error = '' WHERE id = $1 AND url = $2",
                      2, params) < 0)
            log_warn("could not record a webhook handshake: %s", db_error(db));
        return;
    }
    int attempts = atoi(PQgetvalue(res, row, 6)) + 1;
    char delay_ms[24], attempts_text[16], error[300];
    snprintf(delay_ms, sizeof delay_ms, "%ld",
             context->retry_base_ms * s_backoff[(size_t)(attempts - 1) % BACKOFF_STEPS]);
    snprintf(attempts_text, sizeof attempts_text, "%d", attempts);
    if (job->status)
        snprintf(error, sizeof error, "%ld %s", job->status, job->answer.response);
    else
        snprintf(error, sizeof error, "%s", job->answer.response);
    const char *params[] = {id, attempts_text, delay_ms, error};
    if (rows_exec(db,
                  "UPDATE subscriptions SET handshake_attempts = $2::int, handshake_error = $4, "
                  "handshake_next_at = now() + make_interval(secs => $3::double precision / "
                  "1000) WHERE id = $1",
                  4, params) < 0)
        log_warn("could not record a failed webhook handshake: %s", db_error(db));
    if (attempts >= context->max_attempts)
        s_disable(db, id, "the endpoint did not answer the handshake",
                  "mottakeren svarte ikke på håndtrykket (en signert POST som skal besvares "
                  "med 2xx)",
                  context);
}

/* A handshake that could not be signed: tried again later, its error
 * saying why, and its attempts not counted (they would switch the
 * subscription off). */
static void s_handshake_unsigned(db_t *db, const char *subscription_id,
                                 const notify_context_t *context)
{
    char delay_ms[24];
    s_unsigned("handshake", subscription_id, context, delay_ms);
    const char *params[] = {subscription_id, delay_ms, UNSIGNED_ANSWER};
    if (rows_exec(db,
                  "UPDATE subscriptions SET handshake_error = $3, handshake_next_at = now() + "
                  "make_interval(secs => $2::double precision / 1000) WHERE id = $1",
                  3, params) < 0)
        log_warn("could not record an unsigned webhook handshake: %s", db_error(db));
}

/* Handshakes of the sender's subscriptions whose URL is new: a signed
 * POST the endpoint answers 2xx before events go to it (as FHIR R5's
 * handshake), so nobody points samhand's events at an endpoint that did
 * not ask for them. One at a time, each within the delivery timeout.
 * Returns how many were tried. */
static int s_handshakes(db_t *db, CURL *easy, const s_sender_t *sender,
                        const notify_context_t *context)
{
    PGresult *res = s_share_query(
        db, sender,
        "UPDATE subscriptions SET handshake_next_at = now() + interval '2 minutes' WHERE id IN "
        "(SELECT id FROM subscriptions WHERE state = 'ACTIVE' AND url IS DISTINCT FROM "
        "verified_url AND secret_sealed IS NOT NULL AND handshake_next_at <= now() AND "
        "mod(abs(hashtext(id::text)), $2::int) = $1::int ORDER BY handshake_next_at LIMIT 8 FOR "
        "UPDATE SKIP LOCKED) RETURNING id, url, secret_sealed, array_to_json(event_types)::text, "
        "coalesce(organization_id::text, ''), coalesce(committee_id::text, ''), "
        "handshake_attempts, gen_random_uuid()");
    int n = res ? PQntuples(res) : 0;
    for (int i = 0; i < n; i++) {
        s_job_t job = {.easy = easy, .allow_loopback = context->allow_loopback};
        char *body = s_handshake_body(res, i);
        job.headers = body ? s_signed_headers(context, PQgetvalue(res, i, 7), body,
                                              PQgetvalue(res, i, 2), NULL)
                           : NULL;
        s_setup_post(&job, PQgetvalue(res, i, 1), body ? body : "");
        if (job.headers) {
            job.result = curl_easy_perform(easy);
            s_finish(&job);
            s_handshake_done(db, res, i, &job, context);
        } else if (body) {
            s_handshake_unsigned(db, PQgetvalue(res, i, 0), context);
        }
        curl_slist_free_all(job.headers);
        free(body);
    }
    PQclear(res);
    return n;
}

/* Heartbeats of the sender's subscriptions that asked for one and had no
 * delivery for heartbeat_seconds: a signed no.samhand.subscription.heartbeat
 * (source /notify, a new webhook-id each) whose data holds the counters,
 * so a receiver knows the way is open and where the stream stands. Not to
 * a failing endpoint (its head delivery is its probe); a delivery made
 * counts as a sign of life. Whatever the answer, the next is a period
 * later. Returns how many were sent. */
static int s_heartbeats(db_t *db, CURL *easy, const s_sender_t *sender,
                        const notify_context_t *context)
{
    PGresult *res = s_share_query(
        db, sender,
        "UPDATE subscriptions s SET last_sent_at = now() WHERE s.id IN (SELECT id FROM "
        "subscriptions WHERE state = 'ACTIVE' AND url = verified_url AND secret_sealed IS NOT "
        "NULL AND heartbeat_seconds > 0 AND failing_since IS NULL AND last_sent_at <= now() - "
        "make_interval(secs => heartbeat_seconds) AND mod(abs(hashtext(id::text)), $2::int) = "
        "$1::int ORDER BY last_sent_at LIMIT 8 FOR UPDATE SKIP LOCKED) "
        "RETURNING s.id, s.url, s.secret_sealed, CASE WHEN s.previous_secret_until > now() THEN "
        "s.previous_secret_sealed END, coalesce((SELECT c.last_sequence FROM "
        "subscription_counters c WHERE c.subscription_id = s.id), 0), (SELECT count(*) FROM "
        "deliveries d WHERE "
        "d.subscription_id = s.id AND d.state = 'PENDING'), gen_random_uuid()");
    int n = res ? PQntuples(res) : 0;
    for (int i = 0; i < n; i++) {
        Samhand__V1__SubscriptionHeartbeat beat = SAMHAND__V1__SUBSCRIPTION_HEARTBEAT__INIT;
        beat.subscription_id = PQgetvalue(res, i, 0);
        beat.last_sequence = strtoll(PQgetvalue(res, i, 4), NULL, 10);
        beat.pending_deliveries = strtoll(PQgetvalue(res, i, 5), NULL, 10);
        size_t len = samhand__v1__subscription_heartbeat__get_packed_size(&beat);
        uint8_t *packed = malloc(len + 1);
        samhand__v1__subscription_heartbeat__pack(&beat, packed);
        const char *id = PQgetvalue(res, i, 6);
        char *body = s_own_body(id, "no.samhand.subscription.heartbeat", beat.subscription_id,
                                samhand__v1__subscription_heartbeat__descriptor.name, packed, len);
        free(packed);
        s_job_t job = {.easy = easy, .allow_loopback = context->allow_loopback};
        job.headers = body ? s_signed_headers(context, id, body, PQgetvalue(res, i, 2),
                                              PQgetisnull(res, i, 3) ? NULL : PQgetvalue(res, i, 3))
                           : NULL;
        s_setup_post(&job, PQgetvalue(res, i, 1), body ? body : "");
        if (job.headers) {
            job.result = curl_easy_perform(easy);
            s_finish(&job);
            if (job.status < 200 || job.status >= 300)
                log_info("webhook heartbeat of subscription %s not taken: %ld %s",
                         beat.subscription_id, job.status, job.answer.response);
        } else if (body) {
            char delay_ms[24]; /* the next is a period later anyway */
            s_unsigned("heartbeat", beat.subscription_id, context, delay_ms);
        }
        curl_slist_free_all(job.headers);
        free(body);
    }
    PQclear(res);
    return n;
}

/* One round of a sender: claims the due deliveries of its subscriptions,
 * a chain of up to CHAIN_MAX per subscription, and sends the chains side
 * by side, each one after the other (the next only when the one before
 * succeeded, so every endpoint gets the stream's order); then records what
 * became of them and lets go of what a failure left unsent. Returns how
 * many were claimed. */
static int s_round(db_t *db, CURLM *multi, CURL **pool, s_job_t *jobs, const s_sender_t *sender,
                   const notify_context_t *context)
{
    PGresult *claimed = s_claim(db, CLAIM_MAX, sender->part, sender->parts);
    int n = claimed ? PQntuples(claimed) : 0;
    if (n == 0) {
        PQclear(claimed);
        return 0;
    }
    for (int i = 0; i < n; i++)
        jobs[i] = (s_job_t){.row = i, .next = -1, .allow_loopback = context->allow_loopback};
    s_sort_claim = claimed; /* qsort has no argument for it; one per thread */
    qsort(jobs, (size_t)n, sizeof *jobs, s_by_chain);
    s_sort_claim = NULL;
    int active = 0;
    for (int i = 0; i < n; i++) {
        if (!pool[i])
            pool[i] = curl_easy_init();
        jobs[i].easy = pool[i];
        s_prepare(jobs, i, claimed, context);
        bool same = i > 0 && strcmp(PQgetvalue(claimed, jobs[i].row, 1),
                                    PQgetvalue(claimed, jobs[i - 1].row, 1)) == 0;
        if (same) {
            jobs[i - 1].next = i;
        } else if (jobs[i].is_unsigned) {
            /* not sent; the rest of its chain waits behind it */
            s_delivery_unsigned(db, claimed, &jobs[i], context);
            jobs[i].is_recorded = true;
        } else {
            curl_multi_add_handle(multi, jobs[i].easy);
            jobs[i].sent = true;
            active++;
        }
    }
    int64_t started = bus_now_ms();
    while (active > 0) {
        int running = 0;
        if (curl_multi_perform(multi, &running) != CURLM_OK)
            break;
        CURLMsg *msg;
        int left;
        bool added = false;
        while ((msg = curl_multi_info_read(multi, &left))) {
            if (msg->msg != CURLMSG_DONE)
                continue;
            s_job_t *job = NULL;
            curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&job);
            job->result = msg->data.result;
            s_finish(job);
            curl_multi_remove_handle(multi, job->easy);
            active--;
            bool ok = job->status >= 200 && job->status < 300;
            if (ok && job->next >= 0 && bus_now_ms() - started < ROUND_MAX_MS) {
                s_job_t *next = &jobs[job->next];
                curl_multi_add_handle(multi, next->easy);
                next->sent = true;
                active++;
                added = true;
            }
        }
        if (active > 0 && !added && curl_multi_poll(multi, NULL, 0, 1000, NULL) != CURLM_OK)
            break;
    }
    s_delivered(db, claimed, jobs, n);
    json_t *unsent = json_array();
    for (int i = 0; i < n; i++) {
        if (!jobs[i].sent && !jobs[i].is_recorded)
            json_array_append_new(unsent, json_string(PQgetvalue(claimed, jobs[i].row, 0)));
        else if (jobs[i].sent && (jobs[i].status < 200 || jobs[i].status >= 300))
            s_failed(db, claimed, &jobs[i], context);
        curl_slist_free_all(jobs[i].headers);
        free(jobs[i].body);
        if (jobs[i].owns_base)
            free(jobs[i].base);
    }
    if (json_array_size(unsent) > 0) {
        /* behind a failure: due again, and taken once the head is through */
        char *ids = json_dumps(unsent, JSON_COMPACT);
        const char *params[] = {ids};
        PQclear(db_query(db,
                         "UPDATE deliveries SET next_attempt_at = now(), leased_by = NULL WHERE "
                         "id IN (SELECT jsonb_array_elements_text($1::jsonb)::uuid)",
                         1, params));
        free(ids);
    }
    json_decref(unsent);
    PQclear(claimed);
    return n;
}

void notify_wake_senders(void *arg)
{
    notify_context_t *context = arg;
    int n = atomic_load(&context->n_sender_wake);
    for (int i = 0; i < n; i++)
        db_wake((void *)(intptr_t)context->sender_wake[i]);
}

/* How long the sender may sleep: until the first of its share falls due
 * (the head of a subscription's deliveries past its retry time and its
 * pacing, a handshake, a heartbeat), SENDER_IDLE_MAX_MS at most;
 * deliveries that come in wake it before. Something due that the last
 * round could not take (another replica holds it) is looked at again
 * after SENDER_RETAKE_MS, not in a spin. */
static int s_next_due_ms(db_t *db, const s_sender_t *sender)
{
    PGresult *res = s_share_query(
        db, sender,
        "SELECT ceil(extract(epoch FROM least("
        " (SELECT min(greatest(h.next_attempt_at, h.paced_until)) FROM "
        "  (SELECT DISTINCT ON (d.subscription_id) d.next_attempt_at, s.paced_until "
        "   FROM subscriptions s JOIN deliveries d ON d.subscription_id = s.id "
        "   AND d.state = 'PENDING' WHERE s.state = 'ACTIVE' AND s.url = s.verified_url "
        "   AND s.secret_sealed IS NOT NULL AND mod(abs(hashtext(s.id::text)), $2::int) = $1::int "
        "   ORDER BY d.subscription_id, d.subscription_sequence) h), "
        " (SELECT min(handshake_next_at) FROM subscriptions WHERE state = 'ACTIVE' "
        "  AND url IS DISTINCT FROM verified_url AND secret_sealed IS NOT NULL "
        "  AND mod(abs(hashtext(id::text)), $2::int) = $1::int), "
        " (SELECT min(last_sent_at + make_interval(secs => heartbeat_seconds)) FROM subscriptions "
        "  WHERE state = 'ACTIVE' AND url = verified_url AND secret_sealed IS NOT NULL "
        "  AND heartbeat_seconds > 0 AND failing_since IS NULL "
        "  AND mod(abs(hashtext(id::text)), $2::int) = $1::int)) - now()) * 1000)");
    long ms = SENDER_IDLE_MAX_MS;
    if (!res)
        ms = 1000; /* the database is away: look again soon */
    else if (!PQgetisnull(res, 0, 0))
        ms = atol(PQgetvalue(res, 0, 0));
    PQclear(res);
    return (int)(ms < SENDER_RETAKE_MS     ? SENDER_RETAKE_MS
                 : ms > SENDER_IDLE_MAX_MS ? SENDER_IDLE_MAX_MS
                                           : ms);
}

static void s_send(const s_sender_t *sender, zsock_t *pipe)
{
    const notify_context_t *context = sender->background->context;
    db_t *db = NULL;
    CURL *curl = curl_easy_init(); /* for the handshakes and heartbeats */
    CURLM *multi = curl_multi_init();
    /* connections kept open to every endpoint of the sender's share */
    curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, 256L);
    CURL *pool[CLAIM_MAX] = {0};
    /* a round's jobs on the heap: a thread-local array would be every
     * thread's, in memory too */
    s_job_t *jobs = calloc(CLAIM_MAX, sizeof *jobs);
    int wake = context->sender_wake[sender->part];
    /* woken by the pipe (sender 0: the end), by deliveries coming in, by
     * the end, or when the next of its share falls due */
    zmq_pollitem_t items[] = {{NULL, wake, ZMQ_POLLIN, 0},
                              {pipe ? zsock_resolve(pipe) : NULL, 0, ZMQ_POLLIN, 0}};
    int busy = 1; /* work done last round: look again at once */
    while (!atomic_load(sender->stop)) {
        if (!busy) {
            zmq_poll(items, pipe ? 2 : 1, db ? s_next_due_ms(db, sender) : 1000);
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
        if (!db) {
            db = db_new(sender->background->database_url, sender->background->name, 1000);
            /* what became of a delivery is recorded without waiting for the
             * disk: lost in a database crash, it is sent again with the
             * same webhook-id, which receivers deduplicate on anyway */
            if (db)
                PQclear(db_query(db, "SET synchronous_commit TO off", 0, NULL));
        }
        if (!db) {
            busy = 0;
            continue;
        }
        int handshakes = s_handshakes(db, curl, sender, context);
        busy = s_round(db, multi, pool, jobs, sender, context) > 0 || handshakes > 0;
        s_heartbeats(db, curl, sender, context);
    }
    for (int i = 0; i < CLAIM_MAX; i++)
        if (pool[i])
            curl_easy_cleanup(pool[i]);
    curl_multi_cleanup(multi);
    free(jobs);
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
    notify_mail_thread_t mail = {background, &stop};
    pthread_t mailer;
    pthread_create(&mailer, NULL, notify_mail_main, &mail);
    zsock_signal(pipe, 0);
    s_send(&senders[0], pipe); /* until the actor is told to end */
    atomic_store(&stop, true);
    for (int i = 1; i < parts; i++)
        db_wake((void *)(intptr_t)shared->sender_wake[i]);
    notify_mail_wake();
    for (int i = 1; i < parts; i++)
        pthread_join(threads[i], NULL);
    pthread_join(mailer, NULL);
    /* the eventfds stay open: a consumer still committing may write to
     * them, and a closed number could by then be another file */
    free(threads);
    free(senders);
}
