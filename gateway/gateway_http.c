/* The gateway's HTTP server on h2o + libuv: the listener, whose
 * connections pass the front (gateway_front) to h2o, and the one handler
 * that sends each request to the room that answers it: a web page, CORS,
 * an operations endpoint (gateway_ops) or a route of the table
 * (gateway_forward). */
#include "gateway.h"
#include "gateway_forward.h"
#include "gateway_front.h"
#include "gateway_ops.h"
#include "gateway_reply.h"
#include "gateway_routes.h"
#include "samhand_bus.h"
#include "samhand_log.h"
#include "samhand_transcode.h"

#include <ctype.h>
#include <string.h>

const char *const gateway_service_names[GATEWAY_SERVICES] = {"agenda", "deviation", "notify"};

/* h2o's own limit sits above ours, so that up to it the refusal is ours
 * (the front refuses a body over the route's limit before h2o sees it). */
#define H2O_ENTITY_LIMIT (64 * 1024 * 1024)

typedef struct {
    h2o_handler_t super;
    gateway_t *gateway;
} s_handler_t;

static void s_request_id(h2o_req_t *req, char out[64])
{
    ssize_t i = h2o_find_header_by_str(&req->headers, H2O_STRLIT("x-request-id"), -1);
    if (i >= 0) {
        h2o_iovec_t v = req->headers.entries[i].value;
        int ok = v.len > 0 && v.len < 64;
        for (size_t j = 0; ok && j < v.len; j++)
            ok = isalnum((unsigned char)v.base[j]) || strchr("-_.", v.base[j]);
        if (ok) {
            memcpy(out, v.base, v.len);
            out[v.len] = '\0';
            return;
        }
    }
    char id[33];
    bus_random_id(id);
    memcpy(out, id, sizeof id);
}

static int s_on_req(h2o_handler_t *self, h2o_req_t *req)
{
    gateway_t *gateway = ((s_handler_t *)self)->gateway;
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    char request_id[64];
    s_request_id(req, request_id);
    size_t path_len = req->query_at != SIZE_MAX ? req->query_at : req->path.len;
    const gateway_web_file_t *page = gateway_is_method(req, "GET")
                                         ? gateway_web_find(&gateway->web, req->path.base, path_len)
                                         : NULL;
    gateway_reply_security_headers(req, page ? gateway->web.policy : NULL);
    if (page) {
        gateway_reply_send(req, 200, page->content_type, page->body, page->len, request_id);
        gateway_reply_count(gateway, "GET (page)", 200, &start, request_id);
    } else if (gateway_reply_cors(gateway, req, request_id) != 0) {
        gateway_reply_count(gateway, "OPTIONS (preflight)", req->res.status, &start, request_id);
    } else if (!gateway_ops_serve(gateway, self, req, &start, request_id)) {
        gateway_forward(gateway, self, req, &start, request_id);
    }
    return 0;
}

static void s_describe_metrics(metrics_t *metrics)
{
    metrics_describe(metrics, "samhand_http_requests_total", METRICS_COUNTER,
                     "HTTP requests answered, by route and status code");
    metrics_describe(metrics, "samhand_http_request_duration_seconds", METRICS_HISTOGRAM,
                     "Time from request to response, by route");
    metrics_describe(metrics, "samhand_bus_pending_requests", METRICS_GAUGE,
                     "Requests sent to a service and waiting for the reply");
    metrics_describe(metrics, "samhand_service_up", METRICS_GAUGE,
                     "1 when the service answered the last metrics request in time");
}

int gateway_http_start(gateway_t *gateway)
{
    for (size_t i = 0; i < gateway_routes_count; i++) {
        transcode_register(gateway_routes[i].request);
        transcode_register(gateway_routes[i].response);
    }
    s_describe_metrics(gateway->metrics);
    h2o_config_init(&gateway->h2o_config);
    gateway->h2o_config.max_request_entity_size = H2O_ENTITY_LIMIT;
    /* HTTP/1.1 only: no h2c upgrade, no HTTP/2 by prior knowledge (h2o's
     * HTTP/2 code is not what this gateway is tested with) */
    gateway->h2o_config.http1.upgrade_to_http2 = 0;
    h2o_hostconf_t *host = h2o_config_register_host(&gateway->h2o_config,
                                                    h2o_iovec_init(H2O_STRLIT("default")), 65535);
    h2o_pathconf_t *pathconf = h2o_config_register_path(host, "/", 0);
    s_handler_t *handler = (s_handler_t *)h2o_create_handler(pathconf, sizeof *handler);
    handler->gateway = gateway;
    handler->super.on_req = s_on_req;
    h2o_context_init(&gateway->h2o_context, gateway->loop, &gateway->h2o_config);
    gateway->accept_ctx.ctx = &gateway->h2o_context;
    gateway->accept_ctx.hosts = gateway->h2o_config.hosts;

    struct sockaddr_in addr;
    int rc = uv_ip4_addr(gateway->listen_host, (int)gateway->port, &addr);
    if (rc != 0) {
        log_error("could not use SAMHAND_HTTP_HOST %s: %s", gateway->listen_host, uv_strerror(rc));
        return -1;
    }
    uv_tcp_init(gateway->loop, &gateway->listener);
    gateway->listener.data = gateway;
    if ((rc = uv_tcp_bind(&gateway->listener, (struct sockaddr *)&addr, 0)) != 0 ||
        (rc = uv_listen((uv_stream_t *)&gateway->listener, 511, gateway_front_accept)) != 0) {
        log_error("could not listen on %s:%ld: %s", gateway->listen_host, gateway->port,
                  uv_strerror(rc));
        return -1;
    }
    log_info("listening on http://%s:%ld", gateway->listen_host, gateway->port);
    return 0;
}

void gateway_http_stop(gateway_t *gateway)
{
    if (!uv_is_closing((uv_handle_t *)&gateway->listener))
        uv_close((uv_handle_t *)&gateway->listener, NULL);
}
