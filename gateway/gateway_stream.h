/* Server-sent events: GET /v1/events/stream, the feed of GET /v1/events
 * written as it grows. */
#ifndef GATEWAY_STREAM_H
#define GATEWAY_STREAM_H

#include "gateway.h"

/* Serves GET /v1/events/stream (server-sent events) for `principal`; the
 * response stays open until the client leaves, the credential stops
 * holding or the gateway stops. */
void gateway_stream_events(gateway_t *gateway, h2o_req_t *req,
                           const Samhand__V1__Principal *principal, const char *request_id);

#endif
