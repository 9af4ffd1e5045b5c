/* Webhook subscriptions of the parties' systems: what they want, where it
 * goes, how it is signed (the HMAC secret shown once, or the ed25519
 * public key shown always; the secret or private key kept sealed); their deliveries
 * and the replay of dead letters. Managed by the owner organisation
 * (administrators and quality see all); each sees what the principal that
 * made it may see now, and only that principal or an administrator changes
 * where it goes or its secret. */
#include "notify_server.h"
#include "notify_store.h"
#include "samhand_check.h"
#include "samhand_log.h"
#include "samhand_rows.h"

#include <arpa/inet.h>
#include <assert.h>
#include <curl/curl.h>
#include <openssl/crypto.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define URL_MAX 2000
#define TYPES_MAX 50

/* Subscriptions are their owner organisation's: only administrators see
 * and manage every one (quality staff see every report, not every party's
 * systems). */
static bool s_sees_all(bus_call_t *call)
{
    return bus_call_holds_role(call, "administrator");
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

#define SIGNING_KEY_FORM                                                                           \
    "signing_key must be whsk_ and the base64 of an ed25519 private key: its 32-byte seed, or "    \
    "the 64 bytes of seed and public key"

/* The owner's own key as notify_signature_own_key takes it; 0, or -1 with
 * the call failed naming signing_key. */
static int s_own_key_pair(bus_call_t *call, const char *signing_key, char private_key[64],
                          char public_key[64])
{
    return notify_signature_own_key(signing_key, private_key, public_key) == 0
               ? 0
               : bus_call_fail(call, BUS_INVALID_ARGUMENT, "signing_key", SIGNING_KEY_FORM);
}

static const char *s_scheme_name(Samhand__V1__SignatureScheme scheme)
{
    return scheme == SAMHAND__V1__SIGNATURE_SCHEME__ED25519 ? "ED25519" : "HMAC_SHA256";
}

/* Loads a subscription the caller owns (or any, for administrators). */
static int s_load(bus_call_t *call, const char *id, Samhand__V1__Subscription **out)
{
    const char *params[] = {id, s_sees_all(call) ? "t" : "f", s_org(call)};
    int rc = check_uuid(id) ? notify_store_subscription_get(call->db, params, out) : 1;
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
                    : notify_signature_new_secret(scheme, secret, public_key) != 0)
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
    /* not for a key being revoked (checked by the gateway before, but
     * notify may be applying the revocation as this comes); its URL
     * answers the handshake before events go there */
    int revoked = notify_store_owner_revoked(call->db, s_subject(call));
    int rc = revoked != 0 ? -1 : notify_store_subscription_insert(call->db, params, &s);
    free(types);
    free(sealed);
    if (revoked == 1) {
        db_rollback(call->db);
        OPENSSL_cleanse(secret, sizeof secret);
        return bus_call_fail(call, BUS_PERMISSION_DENIED, NULL,
                             "the API key that makes the subscription has been revoked");
    }
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
    Samhand__V1__ListSubscriptionsResponse *list = NULL;
    if (notify_store_subscription_list(call->db, after, limit, s_sees_all(call), s_org(call),
                                       &list) != 0)
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
    bool is_owner = strcmp(s->owner_subject, s_subject(call)) == 0 || s_sees_all(call);
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
        if (!has_own_key && notify_signature_new_secret(scheme, secret, public_key) != 0)
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
    int changed = notify_store_subscription_update(call->db, params);
    free(types);
    free(sealed);
    if (changed < 0) {
        bus_call_fail_db(call, "update subscription");
        db_rollback(call->db);
        return -1;
    }
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
    if (db_begin(call->db) != 0 || notify_store_subscription_delete(call->db, req->id) != 0 ||
        db_commit(call->db) != 0) {
        protobuf_c_message_free_unpacked(&s->base, NULL);
        return bus_call_fail_db(call, "delete subscription");
    }
    bus_call_reply_free(call, &s->base);
    return 0;
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
    Samhand__V1__ListDeliveriesResponse *list = NULL;
    if (notify_store_deliveries_list(call->db, req->subscription_id, state ? state->name : NULL,
                                     after, limit, &list) != 0)
        return bus_call_fail_db(call, "list deliveries");
    /* every attempt of each, oldest first */
    for (size_t i = 0; i < list->n_items; i++) {
        if (notify_store_delivery_attempts(call->db, list->items[i]) != 0) {
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
    long long replayed = notify_store_deliveries_recover(call->db, subscription_id, since->seconds);
    if (replayed < 0)
        return bus_call_fail_db(call, "replay deliveries");
    Samhand__V1__ReplayResponse response = SAMHAND__V1__REPLAY_RESPONSE__INIT;
    response.replayed = (int32_t)replayed;
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
    int n;
    notify_feed_event_t *rows = notify_store_subscription_events(call->db, params, &n);
    free(roles);
    if (n < 0)
        return bus_call_fail_db(call, "read the subscription's events");
    return notify_feed_reply(call, rows, n, after_text);
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
    long long replayed = notify_store_deliveries_replay(call->db, params);
    if (replayed < 0)
        return bus_call_fail_db(call, "replay deliveries");
    Samhand__V1__ReplayResponse response = SAMHAND__V1__REPLAY_RESPONSE__INIT;
    response.replayed = (int32_t)replayed;
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
    long long expired = notify_store_deliveries_expire(db, params);
    if (expired < 0)
        log_warn("could not expire old webhook deliveries: %s", db_error(db));
    else if (expired > 0)
        log_info("%lld webhook deliveries expired as dead letters", expired);
}
