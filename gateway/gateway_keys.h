/* API keys made through the API (agenda keeps them): the gateway holds the
 * digests of those in force, read from agenda every few seconds, and at
 * once when a key it does not know arrives (that request waits for the
 * read instead of being refused). A revoked key stops within the interval.
 * Runs on the gateway's loop. */
#ifndef GATEWAY_KEYS_H
#define GATEWAY_KEYS_H

#include <stddef.h>
#include <uv.h>

#include "gateway_bridge.h"
#include "gateway_oidc.h"

typedef struct gateway_keys gateway_keys_t;

/* A request waiting for the keys to be read; owned by the waiter, linked
 * here until done or forgotten. */
typedef struct gateway_keys_waiter {
    struct gateway_keys_waiter *prev, *next;
    void (*done)(struct gateway_keys_waiter *waiter);
} gateway_keys_waiter_t;

gateway_keys_t *gateway_keys_new(uv_loop_t *loop, gateway_bridge_t *bridge);
void gateway_keys_destroy(gateway_keys_t **keys_p);

/* The principal of a key made through the API (`key` without "Bearer "):
 * 0, or -1 when it is none of those in force. */
int gateway_keys_check(gateway_keys_t *keys, const char *key, size_t len,
                       Samhand__V1__Principal *principal, gateway_identity_t *identity);

/* For a key not known: reads the keys now, or when a second has passed
 * since the last read, and returns 1 (`waiter->done` is called when that
 * read ends, whatever came of it); 0 when there is no agenda to ask and the
 * key is refused now. A key still not known after the read is refused by
 * the caller. */
int gateway_keys_wait(gateway_keys_t *keys, gateway_keys_waiter_t *waiter);

/* A waiter that went away before the read ended. */
void gateway_keys_forget(gateway_keys_t *keys, gateway_keys_waiter_t *waiter);

#endif
