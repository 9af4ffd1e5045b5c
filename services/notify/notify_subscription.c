/* Webhook subscriptions of the parties' systems: what they want, where it
 * goes, how it is signed (the HMAC secret shown once, or the ed25519
 * public key shown always; the secret or private key kept sealed); their deliveries
 * and the replay of dead letters. Managed by the owner organisation
 * (administrators and quality see all); each sees what the principal that
 * made it may see now, and only that principal or an administrator changes
 * where it goes or its secret. */
#include "notify_server.h"
#include "samhand_check.h"
#include "samhand_log.h"
#include "samhand_rows.h"

#include <arpa/inet.h>
#include <assert.h>
#include <curl/curl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#define URL_MAX 2000
#define TYPES_MAX 50

/* Subscriptions are their owner organisation's: only administrators see
 * and manage every one (quality staff see every report, not every party's
 * systems). */
static bool s_sees_all(bus_call_t *call)
{
    static const char *const roles[] = {"administrator", NULL};
    return bus_call_has_role(call, roles);
}

static bool s_administrator(bus_call_t *call)
{
    static const char *const roles[] = {"administrator", NULL};
    return bus_call_has_role(call, roles);
}

static const char *s_subject(bus_call_t *call)
{
    const Samhand__V1__Principal *p = call->envelope->principal;
    return p && p->subject ? p->subject : "";
}

static const char *s_org(bus_call_t *call)
{
    const Samhand__V1__Principal *p = call->envelope->principal;
    return p && p->organization_id && p->organization_id[0] ? p->organization_id : NULL;
}

static void s_secret(char out[64])
{
    unsigned char bytes[24];
    if (getrandom(bytes, sizeof bytes, 0) != (ssize_t)sizeof bytes)
        memset(bytes, 0, sizeof bytes);
    memcpy(out, "whsec_", 6);
    EVP_EncodeBlock((unsigned char *)out + 6, bytes, sizeof bytes);
}

/* An ed25519 key pair (OpenSSL): `private_key` "whsk_" and `public_key`
 * "whpk_" with the base64 of the raw 32-byte keys, as Standard Webhooks
 * writes them. 0, or -1 when OpenSSL could not make one. */
static int s_key_pair(char private_key[64], char public_key[64])
{
    unsigned char raw[32];
    size_t len = sizeof raw;
    EVP_PKEY *key = NULL;
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, NULL);
    int rc = -1;
    if (!ctx || EVP_PKEY_keygen_init(ctx) != 1 || EVP_PKEY_keygen(ctx, &key) != 1 ||
        EVP_PKEY_get_raw_private_key(key, raw, &len) != 1 || len != sizeof raw)
        goto cleanup;
    memcpy(private_key, "whsk_", 5);
    EVP_EncodeBlock((unsigned char *)private_key + 5, raw, sizeof raw);
    len = sizeof raw;
    if (EVP_PKEY_get_raw_public_key(key, raw, &len) != 1 || len != sizeof raw)
        goto cleanup;
    memcpy(public_key, "whpk_", 5);
    EVP_EncodeBlock((unsigned char *)public_key + 5, raw, sizeof raw);
    rc = 0;

cleanup:
    OPENSSL_cleanse(raw, sizeof raw);
    EVP_PKEY_free(key);
    EVP_PKEY_CTX_free(ctx);
    return rc;
}

#define SIGNING_KEY_FORM                                                                           \
    "signing_key must be whsk_ and the base64 of an ed25519 private key: its 32-byte seed, or "    \
    "the 64 bytes of seed and public key"

/* The owner's own ed25519 private key `signing_key` (whsk_ and the base64
 * of its 32-byte seed, or of seed and public key as libsodium keeps them,
 * whose public half must then be the seed's) as samhand keeps it, whsk_
 * and the seed, into `private_key`, and its public key into `public_key`.
 * 0, or -1 when it is no such key (the call failed naming signing_key). */
static int s_own_key_pair(bus_call_t *call, const char *signing_key, char private_key[64],
                          char public_key[64])
{
    unsigned char raw[72], derived[32];
    size_t derived_len = sizeof derived;
    int len = strncmp(signing_key, "whsk_", 5) == 0 && strlen(signing_key) <= 5 + 88
                  ? notify_key_bytes(signing_key, "whsk_", raw, sizeof raw)
                  : -1;
    EVP_PKEY *key = len == 32 || len == 64
                        ? EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, raw, 32)
                        : NULL;
    bool is_key = key && EVP_PKEY_get_raw_public_key(key, derived, &derived_len) == 1 &&
                  derived_len == sizeof derived &&
                  (len == 32 || CRYPTO_memcmp(raw + 32, derived, sizeof derived) == 0);
    if (is_key) {
        memcpy(private_key, "whsk_", 5);
        EVP_EncodeBlock((unsigned char *)private_key + 5, raw, 32);
        memcpy(public_key, "whpk_", 5);
        EVP_EncodeBlock((unsigned char *)public_key + 5, derived, sizeof derived);
    }
    OPENSSL_cleanse(raw, sizeof raw);
    EVP_PKEY_free(key);
    return is_key ? 0 : bus_call_fail(call, BUS_INVALID_ARGUMENT, "signing_key", SIGNING_KEY_FORM);
}

/* A new signing secret of `scheme` into `secret` (to be sealed), and for
 * ED25519 the public key into `public_key` ("" for HMAC). 0 or -1. */
static int s_new_secret(Samhand__V1__SignatureScheme scheme, char secret[64], char public_key[64])
{
    public_key[0] = '\0';
    if (scheme == SAMHAND__V1__SIGNATURE_SCHEME__ED25519)
        return s_key_pair(secret, public_key);
    s_secret(secret);
    return 0;
}

static const char *s_scheme_name(Samhand__V1__SignatureScheme scheme)
{
    return scheme == SAMHAND__V1__SIGNATURE_SCHEME__ED25519 ? "ED25519" : "HMAC_SHA256";
}

/* its health (subscription_health), after the rest */
#define HEALTH_COLUMNS                                                                             \
    ROWS_TIMESTAMP_US("failing_since")                                                             \
    ", consecutive_failures, coalesce((SELECT "                                                    \
    "h.oldest_pending_age_seconds FROM subscription_health h "                                     \
    "WHERE h.id = subscriptions.id), 0)"

/* an active subscription whose URL has not answered the handshake is
 * REQUESTED: events wait for it */
#define SUBSCRIPTION_COLUMNS                                                                       \
    "id, url, array_to_json(event_types)::text, coalesce(organization_id::text, ''), "             \
    "coalesce(committee_id::text, ''), description, CASE WHEN state = 'ACTIVE' AND url IS "        \
    "DISTINCT FROM verified_url THEN 'REQUESTED' ELSE state END, "                                 \
    "coalesce(owner_organization_id::text, ''), disabled_reason, " ROWS_TIMESTAMP_US(              \
        "created_at") ", " ROWS_TIMESTAMP_US("updated_at") ", contact_email, owner_subject, "      \
                                                           "handshake_error, max_per_second, "     \
                                                           "heartbeat_seconds, coalesce((SELECT "  \
                                                           "c.last_sequence FROM "                 \
                                                           "subscription_counters c WHERE "        \
                                                           "c.subscription_id = "                  \
                                                           "subscriptions.id), "                   \
                                                           "0), "                                  \
                                                           "(SELECT count(*) FROM deliveries d "   \
                                                           "WHERE d.subscription_id = "            \
                                                           "subscriptions.id AND d.state = "       \
                                                           "'PENDING'), " HEALTH_COLUMNS           \
                                                           ", signature_scheme, public_key, "      \
                                                           "row_seq"

/* The health columns from `col` on: failing since (or NULL),
 * consecutive failures, oldest pending age. */
static Samhand__V1__SubscriptionHealth *s_health(const PGresult *res, int row, int col)
{
    Samhand__V1__SubscriptionHealth *h = malloc(sizeof *h);
    assert(h);
    samhand__v1__subscription_health__init(h);
    if (!PQgetisnull(res, row, col))
        h->failing_since = rows_timestamp_us(res, row, col);
    h->consecutive_failures = atoi(PQgetvalue(res, row, col + 1));
    h->oldest_pending_age_seconds = strtoll(PQgetvalue(res, row, col + 2), NULL, 10);
    return h;
}

static ProtobufCMessage *s_subscription(const PGresult *res, int row)
{
    Samhand__V1__Subscription *s = malloc(sizeof *s);
    samhand__v1__subscription__init(s);
    s->id = rows_text(res, row, 0);
    s->url = rows_text(res, row, 1);
    s->event_types = rows_json_strings(PQgetvalue(res, row, 2), &s->n_event_types);
    s->organization_id = rows_text(res, row, 3);
    s->committee_id = rows_text(res, row, 4);
    s->description = rows_text(res, row, 5);
    s->state = rows_enum(&samhand__v1__subscription__state__descriptor, res, row, 6);
    s->owner_organization_id = rows_text(res, row, 7);
    s->disabled_reason = rows_text(res, row, 8);
    s->create_time = rows_timestamp_us(res, row, 9);
    s->update_time = rows_timestamp_us(res, row, 10);
    s->contact_email = rows_text(res, row, 11);
    s->owner_subject = rows_text(res, row, 12);
    s->handshake_error = rows_text(res, row, 13);
    s->max_deliveries_per_second = atoi(PQgetvalue(res, row, 14));
    s->heartbeat_seconds = atoi(PQgetvalue(res, row, 15));
    s->last_sequence = strtoll(PQgetvalue(res, row, 16), NULL, 10);
    s->pending_deliveries = strtoll(PQgetvalue(res, row, 17), NULL, 10);
    s->health = s_health(res, row, 18);
    s->signature_scheme = rows_enum(&samhand__v1__signature_scheme__descriptor, res, row, 21);
    s->public_key = rows_text(res, row, 22);
    return &s->base;
}

/* Loads a subscription the caller owns (or any, for administrators). */
static int s_load(bus_call_t *call, const char *id, Samhand__V1__Subscription **out)
{
    const char *params[] = {id, s_sees_all(call) ? "t" : "f", s_org(call)};
    int rc = check_uuid(id) ? rows_one(call->db,
                                       "SELECT " SUBSCRIPTION_COLUMNS " FROM subscriptions WHERE "
                                       "id = $1 AND ($2::boolean OR owner_organization_id = $3)",
                                       3, params, s_subscription, (ProtobufCMessage **)out)
                            : 1;
    if (rc < 0)
        return bus_call_fail_db(call, "read subscription");
    if (rc > 0)
        return bus_call_fail(call, BUS_NOT_FOUND, "id", "subscription %s does not exist", id);
    return 0;
}

/* Replies with `s` (and frees it), the reply kept with the change for a
 * repeat of the request, and commits. 0, or -1 with the transaction to be
 * rolled back. */
static int s_reply_and_commit(bus_call_t *call, Samhand__V1__Subscription *s)
{
    int rc = bus_call_reply_before_commit(call, &s->base);
    protobuf_c_message_free_unpacked(&s->base, NULL);
    return rc == 0 && db_commit(call->db) == 0 ? 0 : -1;
}

/* As s_reply_and_commit, for an answer that shows a new `secret`: the
 * answer kept for a repeat of the request leaves it out, so it is shown
 * once and kept nowhere but sealed. */
static int s_reply_secret_and_commit(bus_call_t *call, Samhand__V1__Subscription *s,
                                     const char *secret)
{
    if (bus_call_reply_before_commit(call, &s->base) != 0 || db_commit(call->db) != 0) {
        protobuf_c_message_free_unpacked(&s->base, NULL);
        return -1;
    }
    s->secret = strdup(secret);
    bus_call_reply_free(call, &s->base);
    return 0;
}

#define PER_SECOND_MAX 1000
#define HEARTBEAT_MAX_SECONDS 86400

/* The owner's pacing and heartbeat, each when given (NULL: not changed). */
static int s_check_settings(bus_call_t *call, const int32_t *per_second,
                            const int32_t *heartbeat_seconds)
{
    if (per_second && (*per_second < 0 || *per_second > PER_SECOND_MAX))
        return bus_call_fail(call, BUS_INVALID_ARGUMENT, "max_deliveries_per_second",
                             "max_deliveries_per_second must be from 0 (unlimited) to %d",
                             PER_SECOND_MAX);
    if (heartbeat_seconds && *heartbeat_seconds != 0 &&
        (*heartbeat_seconds < 1 || *heartbeat_seconds > HEARTBEAT_MAX_SECONDS))
        return bus_call_fail(call, BUS_INVALID_ARGUMENT, "heartbeat_seconds",
                             "heartbeat_seconds must be 0 (none) or from 1 to %d",
                             HEARTBEAT_MAX_SECONDS);
    return 0;
}

static int s_check(bus_call_t *call, const char *url, char **types, size_t n_types,
                   const char *contact_email)
{
    if (contact_email && contact_email[0] && !check_email(contact_email))
        return bus_call_fail(call, BUS_INVALID_ARGUMENT, "contact_email",
                             "contact_email must be an e-mail address, like "
                             "integrasjon@kommune.no");
    if (url) {
        if ((strncmp(url, "https://", 8) != 0 && strncmp(url, "http://", 7) != 0) ||
            !check_text(url, URL_MAX) || strpbrk(url, " \t\n\"<>"))
            return bus_call_fail(call, BUS_INVALID_ARGUMENT, "url",
                                 "url must be an http:// or https:// address");
        if (notify_url_refused(url, ((const notify_context_t *)call->service)->allow_loopback))
            return bus_call_fail(call, BUS_INVALID_ARGUMENT, "url",
                                 "url must not point at this machine or a link-local address");
    }
    if (n_types > TYPES_MAX)
        return bus_call_fail(call, BUS_INVALID_ARGUMENT, "event_types",
                             "event_types holds at most %d prefixes", TYPES_MAX);
    for (size_t i = 0; i < n_types; i++)
        if (strncmp(types[i], "no.samhand.", 11) != 0 || !check_text(types[i], 200))
            return bus_call_fail(call, BUS_INVALID_ARGUMENT, "event_types",
                                 "event_types are prefixes of event types, like "
                                 "no.samhand.deviation.");
    return 0;
}

/* `scheme` one samhand signs with; with the owner's own key
 * (`has_own_key`), ED25519. 0 or -1 (the call failed). */
static int s_check_scheme(bus_call_t *call, Samhand__V1__SignatureScheme scheme, bool has_own_key)
{
    if (scheme != SAMHAND__V1__SIGNATURE_SCHEME__HMAC_SHA256 &&
        scheme != SAMHAND__V1__SIGNATURE_SCHEME__ED25519)
        return bus_call_fail(call, BUS_INVALID_ARGUMENT, "signature_scheme",
                             "signature_scheme must be HMAC_SHA256 or ED25519");
    if (has_own_key && scheme != SAMHAND__V1__SIGNATURE_SCHEME__ED25519)
        return bus_call_fail(call, BUS_INVALID_ARGUMENT, "signature_scheme",
                             "a signing_key is an ed25519 key: signature_scheme ED25519 or none");
    return 0;
}

int notify_subscription_create(bus_call_t *call)
{
    const Samhand__V1__CreateSubscriptionRequest *req = (const void *)call->request;
    notify_principal_seen(call);
    if (check_empty(req->url))
        return bus_call_fail(call, BUS_INVALID_ARGUMENT, "url", "url is required");
    if (s_check(call, req->url, req->event_types, req->n_event_types, req->contact_email) != 0 ||
        s_check_settings(call, &req->max_deliveries_per_second, &req->heartbeat_seconds) != 0)
        return -1;
    if (!check_empty(req->organization_id) && !check_uuid(req->organization_id))
        return bus_call_fail(call, BUS_INVALID_ARGUMENT, "organization_id",
                             "organization_id must be a UUID");
    if (!check_empty(req->committee_id) && !check_uuid(req->committee_id))
        return bus_call_fail(call, BUS_INVALID_ARGUMENT, "committee_id",
                             "committee_id must be a UUID");
    if (!check_empty(req->description) && !check_text(req->description, 500))
        return bus_call_fail(call, BUS_INVALID_ARGUMENT, "description",
                             "description must be text of at most 500 characters");
    bool has_own_key = !check_empty(req->signing_key);
    Samhand__V1__SignatureScheme scheme = req->signature_scheme ? req->signature_scheme
                                          : has_own_key
                                              ? SAMHAND__V1__SIGNATURE_SCHEME__ED25519
                                              : SAMHAND__V1__SIGNATURE_SCHEME__HMAC_SHA256;
    if (s_check_scheme(call, scheme, has_own_key) != 0)
        return -1;
    const notify_context_t *context = call->service;
    char secret[64] = {0}, public_key[64] = {0};
    if (has_own_key ? s_own_key_pair(call, req->signing_key, secret, public_key) != 0
                    : s_new_secret(scheme, secret, public_key) != 0)
        return has_own_key ? -1
                           : bus_call_fail(call, BUS_INTERNAL, NULL,
                                           "could not make the subscription's key pair");
    char *sealed = notify_secret_seal(context->secret_key, secret);
    if (!sealed)
        return bus_call_fail(call, BUS_INTERNAL, NULL, "could not seal the subscription's secret");
    char *types = rows_json_array(req->event_types, req->n_event_types);
    char per_second[16], heartbeat[16];
    snprintf(per_second, sizeof per_second, "%d", req->max_deliveries_per_second);
    snprintf(heartbeat, sizeof heartbeat, "%d", req->heartbeat_seconds);
    const char *params[] = {s_subject(call),
                            s_org(call),
                            req->url,
                            types,
                            check_empty(req->organization_id) ? NULL : req->organization_id,
                            check_empty(req->committee_id) ? NULL : req->committee_id,
                            req->description,
                            sealed,
                            req->contact_email,
                            per_second,
                            heartbeat,
                            s_scheme_name(scheme),
                            public_key};
    Samhand__V1__Subscription *s = NULL;
    if (db_begin(call->db) != 0) {
        free(types);
        free(sealed);
        return bus_call_fail_db(call, "create subscription");
    }
    /* its URL answers the handshake before events go there */
    int rc = rows_one(call->db,
                      "INSERT INTO subscriptions (owner_subject, owner_organization_id, url, "
                      "event_types, organization_id, committee_id, description, secret_sealed, "
                      "contact_email, max_per_second, heartbeat_seconds, signature_scheme, "
                      "public_key) VALUES ($1, $2, $3, ARRAY(SELECT "
                      "jsonb_array_elements_text($4::jsonb)), $5, $6, $7, $8, $9, $10::int, "
                      "$11::int, $12, $13) RETURNING " SUBSCRIPTION_COLUMNS,
                      13, params, s_subscription, (ProtobufCMessage **)&s);
    free(types);
    free(sealed);
    /* an ed25519 key pair's private half is never shown: the answer has
     * its public key */
    if (rc == 0) {
        db_at_commit(call->db, notify_wake_senders, call->service);
        rc = scheme == SAMHAND__V1__SIGNATURE_SCHEME__ED25519
                 ? s_reply_and_commit(call, s)
                 : s_reply_secret_and_commit(call, s, secret);
    }
    OPENSSL_cleanse(secret, sizeof secret);
    if (rc != 0) {
        bus_call_fail_db(call, "create subscription");
        db_rollback(call->db);
        return -1;
    }
    return 0;
}

int notify_subscription_get(bus_call_t *call)
{
    const Samhand__V1__GetSubscriptionRequest *req = (const void *)call->request;
    notify_principal_seen(call);
    Samhand__V1__Subscription *s = NULL;
    if (s_load(call, req->id, &s) != 0)
        return -1;
    bus_call_reply_free(call, &s->base);
    return 0;
}

int notify_subscription_list(bus_call_t *call)
{
    const Samhand__V1__ListSubscriptionsRequest *req = (const void *)call->request;
    notify_principal_seen(call);
    int64_t after;
    int limit;
    if (bus_call_page(call, req->limit, req->cursor, &after, &limit) != 0)
        return -1;
    char after_text[24], limit_text[16];
    rows_page_params(after, limit, after_text, limit_text);
    const char *params[] = {after_text, limit_text, s_sees_all(call) ? "t" : "f", s_org(call)};
    Samhand__V1__ListSubscriptionsResponse *list = NULL;
    if (rows_list(call->db,
                  "SELECT " SUBSCRIPTION_COLUMNS " FROM subscriptions WHERE row_seq > $1 AND "
                  "($3::boolean OR owner_organization_id = $4) ORDER BY row_seq LIMIT $2",
                  4, params, s_subscription, limit,
                  &samhand__v1__list_subscriptions_response__descriptor,
                  (ProtobufCMessage **)&list) != 0)
        return bus_call_fail_db(call, "list subscriptions");
    bus_call_reply_free(call, &list->base);
    return 0;
}

int notify_subscription_update(bus_call_t *call)
{
    const Samhand__V1__UpdateSubscriptionRequest *req = (const void *)call->request;
    notify_principal_seen(call);
    Samhand__V1__Subscription *s = NULL;
    if (s_load(call, req->id, &s) != 0)
        return -1;
    bool is_owner = strcmp(s->owner_subject, s_subject(call)) == 0 || s_administrator(call);
    Samhand__V1__SignatureScheme scheme = s->signature_scheme;
    protobuf_c_message_free_unpacked(&s->base, NULL);
    bool has_url = false, has_types = false, has_description = false, has_state = false,
         has_contact = false, rotate = false, has_per_second = false, has_heartbeat = false,
         has_scheme = false, has_own_key = false;
    for (size_t i = 0; i < req->n_update_mask; i++) {
        const char *f = req->update_mask[i];
        if (strcmp(f, "url") == 0)
            has_url = true;
        else if (strcmp(f, "event_types") == 0)
            has_types = true;
        else if (strcmp(f, "description") == 0)
            has_description = true;
        else if (strcmp(f, "state") == 0)
            has_state = true;
        else if (strcmp(f, "contact_email") == 0)
            has_contact = true;
        else if (strcmp(f, "rotate_secret") == 0)
            rotate = req->rotate_secret;
        else if (strcmp(f, "max_deliveries_per_second") == 0)
            has_per_second = true;
        else if (strcmp(f, "heartbeat_seconds") == 0)
            has_heartbeat = true;
        else if (strcmp(f, "signature_scheme") == 0)
            has_scheme = true;
        else if (strcmp(f, "signing_key") == 0)
            has_own_key = true;
        else
            return bus_call_fail(call, BUS_INVALID_ARGUMENT, f, "%s cannot be changed", f);
    }
    /* where events go, and who can prove they came from samhand, are the
     * owner's: another key of the organisation does not redirect them */
    if ((has_url || rotate || has_scheme || has_own_key) && !is_owner)
        return bus_call_fail(call, BUS_PERMISSION_DENIED,
                             has_url       ? "url"
                             : rotate      ? "rotate_secret"
                             : has_own_key ? "signing_key"
                                           : "signature_scheme",
                             "only the principal that made the subscription, or an "
                             "administrator, changes its url or secret");
    /* a new scheme, or the owner's own key, is a rotation to a new secret
     * or key pair */
    if (has_scheme || has_own_key) {
        Samhand__V1__SignatureScheme wanted =
            has_scheme ? req->signature_scheme : SAMHAND__V1__SIGNATURE_SCHEME__ED25519;
        if (s_check_scheme(call, wanted, has_own_key) != 0)
            return -1;
        scheme = wanted;
        rotate = true;
    }
    if (s_check(call, has_url ? req->url : NULL, req->event_types, req->n_event_types,
                has_contact ? req->contact_email : NULL) != 0 ||
        s_check_settings(call, has_per_second ? &req->max_deliveries_per_second : NULL,
                         has_heartbeat ? &req->heartbeat_seconds : NULL) != 0)
        return -1;
    if (has_state && req->state != SAMHAND__V1__SUBSCRIPTION__STATE__ACTIVE &&
        req->state != SAMHAND__V1__SUBSCRIPTION__STATE__PAUSED)
        return bus_call_fail(call, BUS_INVALID_ARGUMENT, "state", "state must be ACTIVE or PAUSED");
    const notify_context_t *context = call->service;
    char secret[64] = {0}, public_key[64] = {0};
    char *sealed = NULL;
    if (rotate) {
        if (has_own_key && s_own_key_pair(call, req->signing_key, secret, public_key) != 0)
            return -1;
        if (!has_own_key && s_new_secret(scheme, secret, public_key) != 0)
            return bus_call_fail(call, BUS_INTERNAL, NULL,
                                 "could not make the subscription's key pair");
        if (!(sealed = notify_secret_seal(context->secret_key, secret)))
            return bus_call_fail(call, BUS_INTERNAL, NULL,
                                 "could not seal the subscription's secret");
    }
    if (db_begin(call->db) != 0) {
        free(sealed);
        return bus_call_fail_db(call, "update subscription");
    }
    if (bus_call_check_version(call, "subscriptions", req->id) != 0) {
        free(sealed);
        return -1;
    }
    char *types = has_types ? rows_json_array(req->event_types, req->n_event_types) : NULL;
    char per_second[16], heartbeat[16];
    snprintf(per_second, sizeof per_second, "%d", req->max_deliveries_per_second);
    snprintf(heartbeat, sizeof heartbeat, "%d", req->heartbeat_seconds);
    const char *params[] = {
        req->id,
        has_url ? req->url : NULL,
        types,
        has_description ? req->description : NULL,
        has_state ? (req->state == SAMHAND__V1__SUBSCRIPTION__STATE__ACTIVE ? "ACTIVE" : "PAUSED")
                  : NULL,
        sealed,
        has_contact ? req->contact_email : NULL,
        has_per_second ? per_second : NULL,
        has_heartbeat ? heartbeat : NULL,
        rotate ? s_scheme_name(scheme) : NULL,
        public_key};
    /* a subscription whose owner's key was revoked stays paused; a new URL
     * answers the handshake again (from its first attempt) */
    PGresult *res = db_query(
        call->db,
        "UPDATE subscriptions s SET url = coalesce($2, url), event_types = CASE WHEN $3::jsonb IS "
        "NULL THEN event_types ELSE ARRAY(SELECT jsonb_array_elements_text($3::jsonb)) END, "
        "description = coalesce($4, description), state = coalesce($5, state), "
        "disabled_reason = CASE WHEN $5 IS NULL THEN disabled_reason ELSE '' END, "
        "failing_since = CASE WHEN $5 = 'ACTIVE' THEN NULL ELSE failing_since END, "
        "handshake_attempts = CASE WHEN $2 IS DISTINCT FROM url AND $2 IS NOT NULL THEN 0 ELSE "
        "handshake_attempts END, handshake_next_at = CASE WHEN $2 IS DISTINCT FROM url AND $2 IS "
        "NOT NULL THEN now() ELSE handshake_next_at END, "
        "previous_secret_sealed = CASE WHEN $6::text IS NULL THEN previous_secret_sealed ELSE "
        "secret_sealed END, previous_secret_until = CASE WHEN $6::text IS NULL THEN "
        "previous_secret_until ELSE now() + interval '24 hours' END, secret_sealed = coalesce($6, "
        "secret_sealed), contact_email = coalesce($7, contact_email), max_per_second = "
        "coalesce($8::int, max_per_second), heartbeat_seconds = coalesce($9::int, "
        "heartbeat_seconds), signature_scheme = coalesce($10, signature_scheme), public_key = "
        "CASE WHEN $10 IS NULL THEN public_key ELSE $11 END, updated_at = now() "
        "WHERE id = $1 AND ($5 IS DISTINCT FROM 'ACTIVE' OR NOT EXISTS (SELECT 1 FROM principals "
        "p WHERE p.subject = s.owner_subject AND p.revoked_at IS NOT NULL))",
        11, params);
    free(types);
    free(sealed);
    if (!res) {
        bus_call_fail_db(call, "update subscription");
        db_rollback(call->db);
        return -1;
    }
    bool changed = atoi(PQcmdTuples(res)) > 0;
    PQclear(res);
    if (!changed) {
        db_rollback(call->db);
        return bus_call_fail(call, BUS_FAILED_PRECONDITION, "state",
                             "the API key that made the subscription was revoked: it stays "
                             "paused; make a new one with a key in use");
    }
    if (s_load(call, req->id, &s) != 0) {
        db_rollback(call->db);
        return -1;
    }
    db_at_commit(call->db, notify_wake_senders, call->service);
    bool shows_secret = rotate && scheme == SAMHAND__V1__SIGNATURE_SCHEME__HMAC_SHA256;
    int rc =
        shows_secret ? s_reply_secret_and_commit(call, s, secret) : s_reply_and_commit(call, s);
    OPENSSL_cleanse(secret, sizeof secret);
    if (rc != 0) {
        bus_call_fail_db(call, "update subscription");
        db_rollback(call->db);
        return -1;
    }
    return 0;
}

int notify_subscription_delete(bus_call_t *call)
{
    const Samhand__V1__GetSubscriptionRequest *req = (const void *)call->request;
    notify_principal_seen(call);
    Samhand__V1__Subscription *s = NULL;
    if (s_load(call, req->id, &s) != 0)
        return -1;
    const char *params[] = {req->id};
    if (db_begin(call->db) != 0 ||
        rows_exec(call->db,
                  "DELETE FROM delivery_attempts WHERE delivery_id IN (SELECT id FROM deliveries "
                  "WHERE subscription_id = $1)",
                  1, params) < 0 ||
        rows_exec(call->db, "DELETE FROM deliveries WHERE subscription_id = $1", 1, params) < 0 ||
        rows_exec(call->db, "DELETE FROM subscriptions WHERE id = $1", 1, params) < 0 ||
        db_commit(call->db) != 0) {
        protobuf_c_message_free_unpacked(&s->base, NULL);
        return bus_call_fail_db(call, "delete subscription");
    }
    bus_call_reply_free(call, &s->base);
    return 0;
}

static ProtobufCMessage *s_delivery(const PGresult *res, int row)
{
    Samhand__V1__Delivery *d = malloc(sizeof *d);
    samhand__v1__delivery__init(d);
    d->id = rows_text(res, row, 0);
    d->event_id = rows_text(res, row, 1);
    d->event_type = rows_text(res, row, 2);
    d->state = rows_enum(&samhand__v1__delivery__state__descriptor, res, row, 3);
    d->attempts = atoi(PQgetvalue(res, row, 4));
    d->next_attempt_time = rows_timestamp_us(res, row, 5);
    return &d->base;
}

static ProtobufCMessage *s_attempt(const PGresult *res, int row)
{
    Samhand__V1__DeliveryAttempt *a = malloc(sizeof *a);
    assert(a);
    samhand__v1__delivery_attempt__init(a);
    a->time = rows_timestamp_us(res, row, 0);
    a->status = atoi(PQgetvalue(res, row, 1));
    a->latency_ms = atoi(PQgetvalue(res, row, 2));
    a->response = rows_text(res, row, 3);
    return &a->base;
}

int notify_deliveries_list(bus_call_t *call)
{
    const Samhand__V1__ListDeliveriesRequest *req = (const void *)call->request;
    notify_principal_seen(call);
    Samhand__V1__Subscription *s = NULL;
    if (s_load(call, req->subscription_id, &s) != 0)
        return -1;
    protobuf_c_message_free_unpacked(&s->base, NULL);
    int64_t after;
    int limit;
    if (bus_call_page(call, req->limit, req->cursor, &after, &limit) != 0)
        return -1;
    const ProtobufCEnumValue *state =
        req->state ? protobuf_c_enum_descriptor_get_value(&samhand__v1__delivery__state__descriptor,
                                                          req->state)
                   : NULL;
    char after_text[24], limit_text[16];
    rows_page_params(after, limit, after_text, limit_text);
    const char *params[] = {after_text, limit_text, req->subscription_id,
                            state ? state->name : NULL};
    Samhand__V1__ListDeliveriesResponse *list = NULL;
    if (rows_list(call->db,
                  "SELECT d.id, e.id, e.type, d.state, d.attempts, " ROWS_TIMESTAMP_US(
                      "d.next_attempt_at") ", d.row_seq FROM deliveries d JOIN events e ON "
                                           "e.seq = d.event_seq WHERE d.row_seq > $1 AND "
                                           "d.subscription_id = $3 AND ($4::text IS NULL OR "
                                           "d.state = $4) ORDER BY d.row_seq LIMIT $2",
                  4, params, s_delivery, limit, &samhand__v1__list_deliveries_response__descriptor,
                  (ProtobufCMessage **)&list) != 0)
        return bus_call_fail_db(call, "list deliveries");
    /* every attempt of each, oldest first */
    for (size_t i = 0; i < list->n_items; i++) {
        const char *id[] = {list->items[i]->id};
        if (rows_children(call->db,
                          "SELECT " ROWS_TIMESTAMP_US("at") ", status, latency_ms, response FROM "
                                                            "delivery_attempts WHERE delivery_id "
                                                            "= $1 ORDER BY id",
                          1, id, s_attempt, &list->items[i]->base, "attempt_log") != 0) {
            protobuf_c_message_free_unpacked(&list->base, NULL);
            return bus_call_fail_db(call, "list delivery attempts");
        }
    }
    bus_call_reply_free(call, &list->base);
    return 0;
}

/* Recover since a time: every delivery of the events received since then
 * that is not pending (delivered, or a dead letter) is due again, from its
 * first attempt; the senders take them in the counter's order before what
 * came after. Queued in one statement; its progress is the subscription's
 * pending_deliveries going down. */
static int s_recover_since(bus_call_t *call, const char *subscription_id,
                           const Samhand__V1__Timestamp *since)
{
    char since_text[24];
    snprintf(since_text, sizeof since_text, "%lld", (long long)since->seconds);
    const char *params[] = {subscription_id, since_text};
    PGresult *res = db_query(
        call->db,
        "UPDATE deliveries d SET state = 'PENDING', attempts = 0, next_attempt_at = now(), "
        "delivered_at = NULL FROM events e WHERE e.seq = d.event_seq AND d.subscription_id = $1 "
        "AND d.state IN ('DELIVERED', 'DEAD') AND e.received_at >= to_timestamp($2::bigint)",
        2, params);
    if (!res)
        return bus_call_fail_db(call, "replay deliveries");
    Samhand__V1__ReplayResponse response = SAMHAND__V1__REPLAY_RESPONSE__INIT;
    response.replayed = atoi(PQcmdTuples(res));
    PQclear(res);
    notify_wake_senders(call->service);
    return bus_call_reply(call, &response.base);
}

#define EVENTS_DEFAULT 100
#define EVENTS_MAX 500

int notify_subscription_events(bus_call_t *call)
{
    const Samhand__V1__ListSubscriptionEventsRequest *req = (const void *)call->request;
    notify_principal_seen(call);
    Samhand__V1__Subscription *s = NULL;
    if (s_load(call, req->subscription_id, &s) != 0)
        return -1;
    protobuf_c_message_free_unpacked(&s->base, NULL);
    int limit = req->limit ? req->limit : EVENTS_DEFAULT;
    if (limit < 1 || limit > EVENTS_MAX)
        return bus_call_fail(call, BUS_INVALID_ARGUMENT, "limit", "limit must be from 1 to %d",
                             EVENTS_MAX);
    char *end = NULL;
    long long after = req->after[0] ? strtoll(req->after, &end, 10) : 0;
    if (req->after[0] && (*end || after < 0))
        return bus_call_fail(call, BUS_INVALID_ARGUMENT, "after",
                             "after must be a subscriptionsequence, like 41");
    const Samhand__V1__Principal *p = call->envelope->principal;
    char after_text[24], limit_text[16];
    snprintf(after_text, sizeof after_text, "%lld", after);
    snprintf(limit_text, sizeof limit_text, "%d", limit);
    char *roles = rows_json_array(p ? p->roles : NULL, p ? p->n_roles : 0);
    const char *params[] = {req->subscription_id, after_text,  limit_text,
                            s_subject(call),      s_org(call), roles};
    /* what matched it when it came, as far as the caller may see it now
     * (as in the feed) */
    PGresult *res = db_query(
        call->db,
        "SELECT e.seq, e.event, d.subscription_sequence FROM deliveries d JOIN events e ON "
        "e.seq = d.event_seq WHERE d.subscription_id = $1 AND d.subscription_sequence > $2 "
        "AND visible_to(e.audience, e.audience_roles, e.audience_subjects, $4, $5::uuid, "
        "ARRAY(SELECT jsonb_array_elements_text($6::jsonb))) "
        "ORDER BY d.subscription_sequence LIMIT $3",
        6, params);
    free(roles);
    if (!res)
        return bus_call_fail_db(call, "read the subscription's events");
    return notify_feed_reply(call, res, after_text);
}

int notify_replay(bus_call_t *call)
{
    const Samhand__V1__ReplayRequest *req = (const void *)call->request;
    notify_principal_seen(call);
    Samhand__V1__Subscription *s = NULL;
    if (s_load(call, req->subscription_id, &s) != 0)
        return -1;
    protobuf_c_message_free_unpacked(&s->base, NULL);
    if (req->since)
        return s_recover_since(call, req->subscription_id, req->since);
    if (check_empty(req->delivery_id) && (!req->from || !req->to))
        return bus_call_fail(call, BUS_INVALID_ARGUMENT, "delivery_id",
                             "give delivery_id, from and to, or since");
    if (!check_empty(req->delivery_id) && !check_uuid(req->delivery_id))
        return bus_call_fail(call, BUS_INVALID_ARGUMENT, "delivery_id",
                             "delivery_id must be a UUID");
    char from[24] = "", to[24] = "";
    if (req->from)
        snprintf(from, sizeof from, "%lld", (long long)req->from->seconds);
    if (req->to)
        snprintf(to, sizeof to, "%lld", (long long)req->to->seconds);
    const char *params[] = {req->subscription_id,
                            check_empty(req->delivery_id) ? NULL : req->delivery_id,
                            from[0] ? from : NULL, to[0] ? to : NULL};
    PGresult *res = db_query(
        call->db,
        "UPDATE deliveries d SET state = 'PENDING', attempts = 0, next_attempt_at = now() "
        "FROM events e WHERE e.seq = d.event_seq AND d.subscription_id = $1 AND d.state = 'DEAD' "
        "AND ($2::uuid IS NULL OR d.id = $2) AND ($3::bigint IS NULL OR e.received_at >= "
        "to_timestamp($3::bigint)) AND ($4::bigint IS NULL OR e.received_at <= "
        "to_timestamp($4::bigint))",
        4, params);
    if (!res)
        return bus_call_fail_db(call, "replay deliveries");
    Samhand__V1__ReplayResponse response = SAMHAND__V1__REPLAY_RESPONSE__INIT;
    response.replayed = atoi(PQcmdTuples(res));
    PQclear(res);
    notify_wake_senders(call->service); /* due now: the senders sleep until told */
    return bus_call_reply(call, &response.base);
}

void notify_subscription_expire(db_t *db, void *arg)
{
    const notify_context_t *context = arg;
    char days[16], response[160];
    snprintf(days, sizeof days, "%ld", context->retention_days);
    snprintf(response, sizeof response,
             "not delivered: waited longer than SAMHAND_WEBHOOK_RETENTION_DAYS (%ld days)",
             context->retention_days);
    const char *params[] = {days, response};
    PGresult *res = db_query(
        db,
        "WITH expired AS (UPDATE deliveries d SET state = 'DEAD', leased_by = NULL FROM events e "
        "WHERE e.seq = d.event_seq AND d.state = 'PENDING' AND e.received_at < now() - "
        "make_interval(days => $1::int) RETURNING d.id) "
        "INSERT INTO delivery_attempts (delivery_id, status, latency_ms, response) "
        "SELECT id, 0, 0, $2 FROM expired",
        2, params);
    if (!res)
        log_warn("could not expire old webhook deliveries: %s", db_error(db));
    else if (atoi(PQcmdTuples(res)) > 0)
        log_info("%s webhook deliveries expired as dead letters", PQcmdTuples(res));
    PQclear(res);
}
