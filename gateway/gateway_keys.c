/* API keys made through the API, as the gateway knows them; see
 * gateway_keys.h. */
#include "gateway_keys.h"
#include "gateway_policy.h"
#include "samhand/v1/agenda.pb-c.h"
#include "samhand_bus.h"
#include "samhand_log.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KEYS_REFRESH_MS 10000 /* a revoked key stops within this */
#define KEYS_UNKNOWN_MS 1000  /* at most this often for a key not known */
#define KEYS_MAX 4096

typedef struct {
    unsigned char sha256[32];
    char organization_id[40];
    char roles[GATEWAY_JWT_MAX_ROLES][24];
    size_t n_roles;
} s_key_t;

struct gateway_keys {
    uv_loop_t *loop;
    gateway_bridge_t *bridge;
    uv_timer_t timer;
    uv_timer_t soon; /* a read due shortly, for a key not known */
    int open_handles;
    s_key_t *keys, *next_keys; /* in use, and being read */
    size_t n_keys, n_next_keys;
    gateway_call_t *call;
    char cursor[64];
    uint64_t last_read_ms;
    gateway_keys_waiter_t waiters; /* a ring; the head is no waiter */
};

static void s_ask(gateway_keys_t *keys);

static void s_wake_waiters(gateway_keys_t *keys)
{
    while (keys->waiters.next != &keys->waiters) {
        gateway_keys_waiter_t *w = keys->waiters.next;
        gateway_keys_forget(keys, w);
        w->done(w);
    }
}

static int s_hex(const char *hex, unsigned char out[32])
{
    if (strlen(hex) != 64)
        return -1;
    for (int i = 0; i < 32; i++) {
        unsigned int byte;
        if (sscanf(hex + 2 * i, "%2x", &byte) != 1)
            return -1;
        out[i] = (unsigned char)byte;
    }
    return 0;
}

static void s_on_reply(void *ctx, const Samhand__V1__Envelope *reply)
{
    gateway_keys_t *keys = ctx;
    keys->call = NULL;
    Samhand__V1__ListApiKeyDigestsResponse *list =
        reply && (!reply->status || reply->status->code == BUS_OK)
            ? samhand__v1__list_api_key_digests_response__unpack(NULL, reply->body.len,
                                                                 reply->body.data)
            : NULL;
    if (!list) { /* agenda away: the keys known stay, the next tick tries again */
        keys->n_next_keys = 0;
        s_wake_waiters(keys);
        return;
    }
    for (size_t i = 0; i < list->n_items && keys->n_next_keys < KEYS_MAX; i++) {
        const Samhand__V1__ApiKeyDigest *d = list->items[i];
        s_key_t *k = &keys->next_keys[keys->n_next_keys];
        if (s_hex(d->sha256, k->sha256) != 0)
            continue;
        snprintf(k->organization_id, sizeof k->organization_id, "%s", d->organization_id);
        k->n_roles = 0;
        for (size_t r = 0; r < d->n_roles && k->n_roles < GATEWAY_JWT_MAX_ROLES; r++)
            snprintf(k->roles[k->n_roles++], sizeof k->roles[0], "%s", d->roles[r]);
        keys->n_next_keys++;
    }
    snprintf(keys->cursor, sizeof keys->cursor, "%s", list->next_cursor);
    samhand__v1__list_api_key_digests_response__free_unpacked(list, NULL);
    if (keys->cursor[0]) {
        s_ask(keys);
        if (!keys->call)
            s_wake_waiters(keys);
        return;
    }
    s_key_t *old = keys->keys;
    keys->keys = keys->next_keys;
    keys->n_keys = keys->n_next_keys;
    keys->next_keys = old;
    keys->n_next_keys = 0;
    s_wake_waiters(keys);
}

static void s_ask(gateway_keys_t *keys)
{
    Samhand__V1__ListApiKeyDigestsRequest req = SAMHAND__V1__LIST_API_KEY_DIGESTS_REQUEST__INIT;
    req.limit = 1000;
    req.cursor = keys->cursor;
    keys->call = gateway_bridge_ask(keys->bridge, "agenda", "agenda.ListApiKeyDigests", &req.base,
                                    5000, s_on_reply, keys);
    if (!keys->call) /* no agenda connected now: the keys known stay */
        keys->n_next_keys = 0;
}

static void s_read(gateway_keys_t *keys)
{
    if (keys->call)
        return; /* a read is under way: its end wakes the waiters too */
    keys->last_read_ms = uv_now(keys->loop);
    keys->n_next_keys = 0;
    keys->cursor[0] = '\0';
    s_ask(keys);
}

static void s_on_timer(uv_timer_t *timer)
{
    s_read(timer->data);
}

static void s_on_soon(uv_timer_t *timer)
{
    gateway_keys_t *keys = timer->data;
    s_read(keys);
    if (!keys->call)
        s_wake_waiters(keys); /* no agenda to ask: they are refused */
}

gateway_keys_t *gateway_keys_new(uv_loop_t *loop, gateway_bridge_t *bridge)
{
    gateway_keys_t *keys = calloc(1, sizeof *keys);
    keys->loop = loop;
    keys->bridge = bridge;
    keys->keys = calloc(KEYS_MAX, sizeof *keys->keys);
    keys->next_keys = calloc(KEYS_MAX, sizeof *keys->next_keys);
    keys->waiters.next = keys->waiters.prev = &keys->waiters;
    uv_timer_init(loop, &keys->timer);
    keys->timer.data = keys;
    uv_timer_start(&keys->timer, s_on_timer, 200, KEYS_REFRESH_MS);
    uv_timer_init(loop, &keys->soon);
    keys->soon.data = keys;
    keys->open_handles = 2;
    return keys;
}

static void s_on_closed(uv_handle_t *handle)
{
    gateway_keys_t *keys = handle->data;
    if (--keys->open_handles > 0)
        return; /* the other timer is still closing */
    free(keys->keys);
    free(keys->next_keys);
    free(keys);
}

void gateway_keys_destroy(gateway_keys_t **keys_p)
{
    if (!keys_p || !*keys_p)
        return;
    gateway_keys_t *keys = *keys_p;
    if (keys->call)
        gateway_bridge_cancel(keys->bridge, keys->call);
    while (keys->waiters.next != &keys->waiters)
        gateway_keys_forget(keys, keys->waiters.next);
    uv_timer_stop(&keys->timer);
    uv_timer_stop(&keys->soon);
    uv_close((uv_handle_t *)&keys->timer, s_on_closed); /* freed when both are closed */
    uv_close((uv_handle_t *)&keys->soon, s_on_closed);
    *keys_p = NULL;
}

int gateway_keys_check(gateway_keys_t *keys, const char *key, size_t len,
                       Samhand__V1__Principal *principal, gateway_identity_t *identity)
{
    unsigned char digest[32];
    unsigned int digest_len = 0;
    if (!EVP_Digest(key, len, digest, &digest_len, EVP_sha256(), NULL))
        return -1;
    for (size_t i = 0; i < keys->n_keys; i++) {
        const s_key_t *k = &keys->keys[i];
        if (CRYPTO_memcmp(digest, k->sha256, sizeof digest) != 0)
            continue;
        memset(identity, 0, sizeof *identity);
        int n = snprintf(identity->subject, sizeof identity->subject, "key:");
        for (int b = 0; b < 6; b++)
            n += snprintf(identity->subject + n, sizeof identity->subject - (size_t)n, "%02x",
                          digest[b]);
        snprintf(identity->organization_id, sizeof identity->organization_id, "%s",
                 k->organization_id);
        principal->subject = identity->subject;
        principal->organization_id = identity->organization_id;
        principal->roles = identity->roles;
        principal->n_roles = 0;
        for (size_t r = 0; r < k->n_roles; r++) {
            snprintf(identity->role_text[r], sizeof identity->role_text[0], "%s", k->roles[r]);
            identity->roles[principal->n_roles++] = identity->role_text[r];
        }
        return 0;
    }
    return -1;
}

int gateway_keys_wait(gateway_keys_t *keys, gateway_keys_waiter_t *waiter)
{
    waiter->prev = keys->waiters.prev;
    waiter->next = &keys->waiters;
    keys->waiters.prev->next = waiter;
    keys->waiters.prev = waiter;
    if (keys->call || uv_is_active((uv_handle_t *)&keys->soon))
        return 1; /* a read is under way or due: it wakes this one too */
    uint64_t since = uv_now(keys->loop) - keys->last_read_ms;
    if (since < KEYS_UNKNOWN_MS) {
        /* read a moment ago: the next read, at most a second away, may
         * have a key made since */
        uv_timer_start(&keys->soon, s_on_soon, KEYS_UNKNOWN_MS - since, 0);
        return 1;
    }
    s_read(keys);
    if (!keys->call) { /* no agenda to ask: refused now */
        gateway_keys_forget(keys, waiter);
        return 0;
    }
    return 1;
}

void gateway_keys_forget(gateway_keys_t *keys, gateway_keys_waiter_t *waiter)
{
    if (!waiter->next)
        return;
    waiter->prev->next = waiter->next;
    waiter->next->prev = waiter->prev;
    waiter->next = waiter->prev = NULL;
}
