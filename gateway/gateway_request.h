/* The HTTP side of a request into the Envelope its service reads: the
 * route's request message from body, headers, path and query. */
#ifndef GATEWAY_REQUEST_H
#define GATEWAY_REQUEST_H

#include "gateway.h"
#include "gateway_routes.h"

/* Why a request is refused before it is sent: status, detail and the
 * field at fault ("" for none). */
typedef struct {
    int status;
    char detail[600];
    char field[256];
} gateway_refusal_t;

/* Reads `req` into the request message of `route`: its JSON body (POST,
 * PUT, PATCH), Idempotency-Key, If-Match, the path's `params` and the
 * query string. Packs it into `envelope` with the key and the version
 * (memory of the request's pool); *wait_seconds is a long-poll's wait, 0
 * for none. 0, or -1 with `refusal` filled. */
int gateway_request_read(gateway_t *gateway, h2o_req_t *req, const gateway_route_t *route,
                         const gateway_path_params_t *params, Samhand__V1__Envelope *envelope,
                         int32_t *wait_seconds, gateway_refusal_t *refusal);

#endif
