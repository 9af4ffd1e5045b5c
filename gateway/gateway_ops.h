/* The operations endpoints, outside the route table as they answer from
 * the gateway itself or from every service at once: /healthz, /readyz,
 * /metrics, /openapi.json, and for the web pages /v1/sign-in, /v1/me and
 * the event stream /v1/events/stream. Each is a row of one small table. */
#ifndef GATEWAY_OPS_H
#define GATEWAY_OPS_H

#include "gateway.h"

#include <time.h>

/* Serves `req` when its method and path are an operations endpoint's: 1
 * when they are (answered now, or when the services have replied), else
 * 0. `self` handles it again when it is parked for the keys. */
int gateway_ops_serve(gateway_t *gateway, h2o_handler_t *self, h2o_req_t *req,
                      const struct timespec *start, const char *request_id);

#endif
