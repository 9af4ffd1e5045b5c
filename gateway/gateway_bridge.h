/* The gateway's side of the bus: one DEALER per service, connected to every
 * replica, joined to the libuv loop through uv_poll on the socket's file
 * descriptor. Requests wait in a pending list until their reply or their
 * deadline. */
#ifndef GATEWAY_BRIDGE_H
#define GATEWAY_BRIDGE_H

#include <uv.h>

#include "samhand/v1/envelope.pb-c.h"

typedef struct gateway_bridge gateway_bridge_t;
typedef struct gateway_call gateway_call_t;

/* Called once per call that was not cancelled: with the reply (borrowed,
 * freed after the callback returns), or NULL when the deadline passed. */
typedef void (*gateway_bridge_done_fn)(void *ctx, const Samhand__V1__Envelope *reply);

typedef struct {
    const char *service;   /* "agenda" */
    const char *endpoints; /* comma-separated, one per replica */
} gateway_bridge_service_t;

gateway_bridge_t *gateway_bridge_new(uv_loop_t *loop, const gateway_bridge_service_t *services,
                                     size_t n);

/* Closes the sockets and the loop handles; pending calls are dropped. */
void gateway_bridge_destroy(gateway_bridge_t **bridge_p);

/* Sends `request` (its request_id and deadline_ms set by the caller) to
 * `service`. Returns a handle, or NULL when no replica of the service is
 * connected, it cannot take more or the bridge is gone (NULL, the gateway
 * stopping); then `done` is never called. */
gateway_call_t *gateway_bridge_call(gateway_bridge_t *bridge, const char *service,
                                    const Samhand__V1__Envelope *request,
                                    gateway_bridge_done_fn done, void *ctx);

/* The gateway asking for itself (no principal, no HTTP request behind
 * it): packs `request` into an envelope for `method` with a deadline of
 * `timeout_ms` and calls as gateway_bridge_call does. */
gateway_call_t *gateway_bridge_ask(gateway_bridge_t *bridge, const char *service,
                                   const char *method, const ProtobufCMessage *request,
                                   int timeout_ms, gateway_bridge_done_fn done, void *ctx);

/* Forgets a call whose asker went away; `done` will not be called. */
void gateway_bridge_cancel(gateway_bridge_t *bridge, gateway_call_t *call);

/* Calls waiting for a reply now. */
size_t gateway_bridge_pending(gateway_bridge_t *bridge);

/* Marks a call the service may hold until news comes (a long-poll, an
 * event stream's page): a stopping gateway does not wait for it. */
void gateway_bridge_may_wait(gateway_bridge_t *bridge, gateway_call_t *call);
/* Calls owed a prompt reply: the pending ones less those that may wait. */
size_t gateway_bridge_owed(gateway_bridge_t *bridge);

#endif
