/* The gateway process: configuration and the parts it wires together. */
#ifndef GATEWAY_H
#define GATEWAY_H

#define H2O_USE_LIBUV 1
#include <h2o.h>
#include <uv.h>

#include "gateway_auth.h"
#include "gateway_bridge.h"
#include "gateway_keys.h"
#include "gateway_limit.h"
#include "gateway_oidc.h"
#include "gateway_web.h"
#include "samhand_metrics.h"

#define GATEWAY_SERVICES 3

typedef struct {
    /* configuration */
    const char *listen_host;
    long port;
    long max_body_bytes;
    long max_upload_bytes; /* requests that carry files */
    long request_timeout_ms;
    long ready_timeout_ms;
    long queue_max_age_s;                            /* /readyz turns unready past it */
    const char *service_endpoints[GATEWAY_SERVICES]; /* agenda, deviation, notify */
    gateway_auth_t auth;      /* large: the gateway_t lives in static storage */
    gateway_limit_t limit;    /* likewise */
    const char *cors_origins; /* "" or "https://a.example,https://b.example" */

    /* running parts, owned here */
    uv_loop_t *loop;
    uv_tcp_t listener;
    h2o_globalconf_t h2o_config;
    h2o_context_t h2o_context;
    h2o_accept_ctx_t accept_ctx;
    gateway_bridge_t *bridge;
    gateway_oidc_t *oidc; /* NULL: API keys only */
    gateway_keys_t *keys; /* the API keys made through the API */
    const char *web_dir;  /* SAMHAND_WEB_DIR */
    gateway_web_t web;    /* the pages, read at start */
    metrics_t *metrics;
    char *openapi; /* rendered once at start */
} gateway_t;

extern const char *const gateway_service_names[GATEWAY_SERVICES];

/* Whether the request's method is `method` ("GET"). */
static inline bool gateway_is_method(h2o_req_t *req, const char *method)
{
    return h2o_memis(req->method.base, req->method.len, method, strlen(method));
}

/* Binds the listener and starts serving on gateway->loop. 0 or -1 (logged). */
int gateway_http_start(gateway_t *gateway);

/* Stops accepting; connections in flight finish with the loop. */
void gateway_http_stop(gateway_t *gateway);

#endif
