/* The HTTP side of the gateway on h2o + libuv: operations endpoints, and
 * every /v1 route of the table turned into an Envelope and back. */
#include "gateway.h"
#include "samhand_check.h"
#include "gateway_problem.h"
#include "gateway_policy.h"
#include "gateway_query.h"
#include "gateway_routes.h"
#include "samhand_transcode.h"
#include "samhand_bus.h"
#include "samhand_log.h"
#include "samhand/v1/agenda.pb-c.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

const char *const gateway_service_names[GATEWAY_SERVICES] = {"agenda", "deviation", "notify"};

/* h2o's own limit sits above ours, so that up to it the refusal is ours
 * (the front refuses a body over the route's limit before h2o sees it). */
#define H2O_ENTITY_LIMIT (64 * 1024 * 1024)

typedef struct {
    h2o_handler_t super;
    gateway_t *gateway;
} s_handler_t;

/* One HTTP request on its way through the bus; lives in the request pool. */
typedef struct {
    gateway_t *gateway;
    h2o_req_t *req;
    const gateway_route_t *route;
    gateway_call_t *call;
    char request_id[64];
    struct timespec start;
    /* long-poll: a request with wait_seconds is asked again while its
     * answer has no items, until then */
    int64_t wait_until_ms;
    Samhand__V1__Envelope envelope; /* to ask again; its parts live in the pool */
    /* who asks, found once when the request came (strings in identity or
     * the key table): every call of the exchange carries it */
    Samhand__V1__Principal principal;
    gateway_identity_t identity;
    uv_timer_t *again; /* malloc'ed: freed in its close callback */
    int round;
} s_exchange_t;

#define LONG_POLL_INTERVAL_MS 250
#define LONG_POLL_MAX_SECONDS 30

/* ------------------------------------------------------------ responses */

static double s_seconds_since(const struct timespec *start)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - start->tv_sec) + (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

/* Counts the answer and writes the access log line: route template, never
 * the path or query itself, which may hold names. */
static void s_count(gateway_t *gateway, const char *route, int status, const struct timespec *start,
                    const char *request_id)
{
    double seconds = s_seconds_since(start);
    log_set_request_id(request_id);
    log_info("%s %d %.1f ms", route, status, seconds * 1000);
    log_set_request_id(NULL);
    char labels[256];
    snprintf(labels, sizeof labels, "route=\"%s\",code=\"%d\"", route, status);
    metrics_add(gateway->metrics, "samhand_http_requests_total", labels, 1);
    snprintf(labels, sizeof labels, "route=\"%s\"", route);
    metrics_observe(gateway->metrics, "samhand_http_request_duration_seconds", labels, seconds);
}

static void s_send(h2o_req_t *req, int status, const char *content_type, const char *body,
                   size_t len, const char *request_id)
{
    req->res.status = status;
    req->res.reason = gateway_problem_reason(status);
    req->res.content_length = len;
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, NULL, content_type,
                   strlen(content_type));
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CACHE_CONTROL, NULL,
                   H2O_STRLIT("no-store"));
    if (request_id)
        h2o_add_header_by_str(&req->pool, &req->res.headers, H2O_STRLIT("x-request-id"), 0, NULL,
                              request_id, strlen(request_id));
    h2o_send_inline(req, body, len);
}

/* Whether the caller asked for problem details in bokmål. */
static bool s_wants_bokmal(h2o_req_t *req)
{
    ssize_t i = h2o_find_header(&req->headers, H2O_TOKEN_ACCEPT_LANGUAGE, -1);
    return i >= 0 && gateway_problem_wants_bokmal(req->headers.entries[i].value.base,
                                                  req->headers.entries[i].value.len);
}

static void s_send_json(h2o_req_t *req, int status, const char *content_type, json_t *body,
                        const char *request_id)
{
    if (body && strcmp(content_type, "application/problem+json") == 0 && s_wants_bokmal(req))
        gateway_problem_in_bokmal(body);
    char *text = json_dumps(body, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(body);
    if (!text) {
        static const char fallback[] = "{\"title\":\"Internal Server Error\",\"status\":500}";
        s_send(req, 500, "application/problem+json", fallback, sizeof fallback - 1, request_id);
        return;
    }
    s_send(req, status, content_type, text, strlen(text), request_id);
    free(text);
}

static void s_send_problem(h2o_req_t *req, int status, const char *detail, const char *field,
                           const char *request_id)
{
    s_send_json(req, status, "application/problem+json",
                gateway_problem_new(status, detail, field, request_id), request_id);
}

/* ------------------------------------------------------------ requests */

static int s_is_method(h2o_req_t *req, const char *method)
{
    return h2o_memis(req->method.base, req->method.len, method, strlen(method));
}

/* Adds a response header; the value is copied into the request's pool
 * (h2o keeps a reference until the answer is sent). */
static void s_header(h2o_req_t *req, const char *name, const char *value, size_t len)
{
    h2o_iovec_t copy = h2o_strdup(&req->pool, value, len);
    h2o_add_header_by_str(&req->pool, &req->res.headers, name, strlen(name), 0, NULL, copy.base,
                          copy.len);
}

/* What every answer tells a browser: not to guess types, frame it, send
 * referrers, load anything into it or reach it but over HTTPS. The
 * documents (notice.html) carry their style inline; the web pages load
 * their own scripts and styles and talk to this API only. */
static void s_security_headers(h2o_req_t *req, const char *page_policy)
{
    bool page = page_policy != NULL;
    if (page)
        s_header(req, "content-security-policy", page_policy, strlen(page_policy));
    static const char *const headers[][2] = {
        {"x-content-type-options", "nosniff"},
        {"x-frame-options", "DENY"},
        {"referrer-policy", "no-referrer"},
        {"strict-transport-security", "max-age=31536000"},
        {"cross-origin-opener-policy", "same-origin"},
        {"content-security-policy", "default-src 'none'; style-src 'unsafe-inline'; img-src "
                                    "data:; frame-ancestors 'none'; base-uri 'none'; "
                                    "form-action 'none'"},
    };
    /* the API's policy is the last: a page has its own */
    size_t n = sizeof headers / sizeof headers[0] - (page ? 1 : 0);
    for (size_t i = 0; i < n; i++)
        s_header(req, headers[i][0], headers[i][1], strlen(headers[i][1]));
}

static bool s_origin_allowed(const char *list, const char *origin, size_t len)
{
    for (const char *p = list; p && *p;) {
        const char *end = strchr(p, ',');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        while (n && *p == ' ')
            p++, n--;
        while (n && p[n - 1] == ' ')
            n--;
        if (n == len && strncasecmp(p, origin, len) == 0)
            return true;
        p = end ? end + 1 : NULL;
    }
    return false;
}

/* CORS for the configured origins (SAMHAND_CORS_ORIGINS): their pages may
 * read the answers, and a preflight is answered here. Returns 1 when the
 * request has been answered (a preflight). */
static int s_cors(gateway_t *gateway, h2o_req_t *req, const char *request_id)
{
    ssize_t i = h2o_find_header_by_str(&req->headers, H2O_STRLIT("origin"), -1);
    if (i < 0)
        return 0;
    h2o_iovec_t origin = req->headers.entries[i].value;
    bool allowed = s_origin_allowed(gateway->cors_origins, origin.base, origin.len);
    bool preflight =
        s_is_method(req, "OPTIONS") &&
        h2o_find_header_by_str(&req->headers, H2O_STRLIT("access-control-request-method"), -1) >= 0;
    s_header(req, "vary", H2O_STRLIT("Origin"));
    if (!allowed) {
        if (!preflight)
            return 0; /* answered, but the browser keeps it from the page */
        s_send_problem(req, 403, "this origin may not call the API (SAMHAND_CORS_ORIGINS)", NULL,
                       request_id);
        return 1;
    }
    s_header(req, "access-control-allow-origin", origin.base, origin.len);
    s_header(req, "access-control-expose-headers",
             H2O_STRLIT("X-Request-Id, Location, Retry-After, ETag"));
    if (!preflight)
        return 0;
    s_header(req, "access-control-allow-methods", H2O_STRLIT("GET, POST, PUT, PATCH, DELETE"));
    s_header(req, "access-control-allow-headers",
             H2O_STRLIT("Authorization, Content-Type, Idempotency-Key, X-Request-Id, If-Match, "
                        "Last-Event-ID"));
    s_header(req, "access-control-max-age", H2O_STRLIT("600"));
    s_send(req, 204, "text/plain", "", 0, request_id);
    return 1;
}

/* tchar of RFC 9110 5.6.2: what a token is made of */
static bool s_is_tchar(int c)
{
    return isalnum(c) || (c && strchr("!#$%&'*+-.^_`|~", c));
}

/* Content-Disposition for a document's file name (RFC 6266, 8187): the
 * name percent-encoded as UTF-8 in filename*, and an ASCII fallback
 * without quotes, backslashes or controls for old clients. */
static void s_content_disposition(h2o_req_t *req, const char *filename)
{
    size_t len = strlen(filename);
    char *out = h2o_mem_alloc_pool(&req->pool, len * 4 + 64), *q = out;
    q += sprintf(q, "inline; filename=\"");
    for (const unsigned char *p = (const unsigned char *)filename; *p; p++) {
        if ((*p & 0xc0) == 0x80)
            continue; /* the rest of a character beyond ASCII: one '_' for it */
        *q++ = *p >= 0x80 || *p < 0x20 || *p == 0x7f || strchr("\"\\%", *p) ? '_' : (char)*p;
    }
    q += sprintf(q, "\"; filename*=UTF-8''");
    for (const unsigned char *p = (const unsigned char *)filename; *p; p++) {
        if (isalnum(*p) || strchr("!#$&+-.^_`|~", *p))
            *q++ = (char)*p;
        else
            q += sprintf(q, "%%%02X", *p);
    }
    h2o_add_header_by_str(&req->pool, &req->res.headers, H2O_STRLIT("content-disposition"), 0, NULL,
                          out, (size_t)(q - out));
}

/* An aggregate's ETag: its version, the microseconds of its updateTime
 * ("2026-11-22T08:48:19.801023Z"), which If-Match sends back. */
static void s_etag(h2o_req_t *req, json_t *json)
{
    const char *time = json_string_value(json_object_get(json, "updateTime"));
    struct tm tm = {0};
    const char *rest = time ? strptime(time, "%Y-%m-%dT%H:%M:%S", &tm) : NULL;
    if (!rest)
        return;
    long long micros = (long long)timegm(&tm) * 1000000;
    if (*rest == '.') {
        long scale = 100000;
        for (rest++; *rest >= '0' && *rest <= '9'; rest++, scale /= 10)
            micros += (*rest - '0') * scale;
    }
    char etag[32];
    int n = snprintf(etag, sizeof etag, "\"%lld\"", micros);
    s_header(req, "etag", etag, (size_t)n);
}

/* Who is calling: an OpenID Connect access token (when an issuer is
 * configured and the credential is a JWT) or an API key. */
static gateway_auth_result_t s_authenticate_value(gateway_t *gateway, const char *value, size_t len,
                                                  Samhand__V1__Principal *principal,
                                                  gateway_identity_t *identity)
{
    h2o_iovec_t v = h2o_iovec_init(value, len);
    if (gateway->oidc && v.len > 7 && strncasecmp(v.base, "Bearer ", 7) == 0 &&
        gateway_jwt_looks_like(v.base + 7, v.len - 7))
        return gateway_oidc_principal(gateway->oidc, v.base + 7, v.len - 7, principal, identity) ==
                       0
                   ? GATEWAY_AUTH_OK
                   : GATEWAY_AUTH_INVALID;
    gateway_auth_result_t result = gateway_auth_check(&gateway->auth, v.base, v.len, principal);
    if (result == GATEWAY_AUTH_INVALID && gateway->keys && v.len > 7 &&
        strncasecmp(v.base, "Bearer ", 7) == 0 &&
        gateway_keys_check(gateway->keys, v.base + 7, v.len - 7, principal, identity) == 0)
        result = GATEWAY_AUTH_OK;
    return result;
}

static gateway_auth_result_t s_authenticate(gateway_t *gateway, h2o_req_t *req,
                                            Samhand__V1__Principal *principal,
                                            gateway_identity_t *identity)
{
    identity->organization_unknown = false;
    ssize_t i = h2o_find_header(&req->headers, H2O_TOKEN_AUTHORIZATION, -1);
    if (i < 0)
        return GATEWAY_AUTH_MISSING;
    h2o_iovec_t v = req->headers.entries[i].value;
    return s_authenticate_value(gateway, v.base, v.len, principal, identity);
}

bool gateway_credential_holds(gateway_t *gateway, h2o_req_t *req, const char *subject)
{
    Samhand__V1__Principal principal = SAMHAND__V1__PRINCIPAL__INIT;
    gateway_identity_t identity;
    return s_authenticate(gateway, req, &principal, &identity) == GATEWAY_AUTH_OK &&
           principal.subject && strcmp(principal.subject, subject) == 0;
}

/* A request with an API key the gateway does not know waits for the keys
 * to be read from agenda once (a key made a moment ago), then is handled
 * again from the start. */
typedef struct {
    gateway_keys_waiter_t waiter; /* first: the keys module hands it back */
    gateway_t *gateway;
    h2o_handler_t *handler;
    h2o_req_t *req;
    bool for_organizations; /* waits for the organisations (a token's), not the keys */
} s_parked_t;

static int s_on_req(h2o_handler_t *self, h2o_req_t *req);

static void s_on_parked_dispose(void *data)
{
    s_parked_t *p = data;
    if (p->for_organizations)
        gateway_oidc_forget(p->gateway->oidc, &p->waiter);
    else
        gateway_keys_forget(p->gateway->keys, &p->waiter);
}

static void s_on_keys_read(gateway_keys_waiter_t *waiter)
{
    s_parked_t *p = (s_parked_t *)waiter;
    p->req->res.headers = (h2o_headers_t){NULL, 0, 0}; /* the second pass adds its own */
    /* marked, so that the second pass refuses a key still not known */
    h2o_add_header_by_str(&p->req->pool, &p->req->headers, H2O_STRLIT("x-samhand-keys-read"), 0,
                          NULL, H2O_STRLIT("1"));
    s_on_req(p->handler, p->req);
}

static bool s_wait_for_key(gateway_t *gateway, h2o_handler_t *self, h2o_req_t *req)
{
    ssize_t i = h2o_find_header(&req->headers, H2O_TOKEN_AUTHORIZATION, -1);
    if (!gateway->keys || i < 0 ||
        h2o_find_header_by_str(&req->headers, H2O_STRLIT("x-samhand-keys-read"), -1) >= 0)
        return false;
    h2o_iovec_t v = req->headers.entries[i].value;
    if (v.len < 11 || strncasecmp(v.base, "Bearer shk_", 11) != 0)
        return false;
    s_parked_t *p = h2o_mem_alloc_shared(&req->pool, sizeof *p, s_on_parked_dispose);
    memset(p, 0, sizeof *p);
    p->waiter.done = s_on_keys_read;
    p->gateway = gateway;
    p->handler = self;
    p->req = req;
    return gateway_keys_wait(gateway->keys, &p->waiter) == 1;
}

static void s_on_organizations_read(gateway_keys_waiter_t *waiter)
{
    s_parked_t *p = (s_parked_t *)waiter;
    h2o_add_header_by_str(&p->req->pool, &p->req->headers, H2O_STRLIT("x-samhand-orgs-read"), 0,
                          NULL, H2O_STRLIT("1"));
    s_on_req(p->handler, p->req);
}

/* A token of an organisation registered a moment ago: handled again once
 * the organisations are read, so that it acts for it from the first
 * request (not, until the next read, for none). */
static bool s_wait_for_organizations(gateway_t *gateway, h2o_handler_t *self, h2o_req_t *req)
{
    if (!gateway->oidc ||
        h2o_find_header_by_str(&req->headers, H2O_STRLIT("x-samhand-orgs-read"), -1) >= 0)
        return false;
    s_parked_t *p = h2o_mem_alloc_shared(&req->pool, sizeof *p, s_on_parked_dispose);
    memset(p, 0, sizeof *p);
    p->waiter.done = s_on_organizations_read;
    p->gateway = gateway;
    p->handler = self;
    p->req = req;
    p->for_organizations = true;
    return gateway_oidc_wait_for_organizations(gateway->oidc, &p->waiter) == 1;
}

/* For a route that needs a credential, after s_authenticate gave
 * `result`: 0 when it is good; 1 when the request is handled already,
 * parked until the keys are read once (an API key made a moment ago) or
 * answered 401 and counted under `label`. */
static int s_refused_credential(gateway_t *gateway, h2o_handler_t *self, h2o_req_t *req,
                                gateway_auth_result_t result, const gateway_identity_t *identity,
                                const char *label, const struct timespec *start,
                                const char *request_id)
{
    if (result == GATEWAY_AUTH_OK)
        return identity->organization_unknown && s_wait_for_organizations(gateway, self, req);
    if (result == GATEWAY_AUTH_INVALID && s_wait_for_key(gateway, self, req))
        return 1;
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_WWW_AUTHENTICATE, NULL,
                   H2O_STRLIT("Bearer realm=\"samhand\""));
    s_send_problem(req, 401,
                   result == GATEWAY_AUTH_MISSING
                       ? "this needs a credential: Authorization: Bearer <API key or access token>"
                       : "the credential is not valid",
                   NULL, request_id);
    s_count(gateway, label, 401, start, request_id);
    return 1;
}

/* The limit per credential: 0, or 1 when 429 has been answered. */
static int s_limited(gateway_t *gateway, h2o_req_t *req, const Samhand__V1__Principal *principal,
                     const char *label, const struct timespec *start, const char *request_id)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    int wait = gateway_limit_take(&gateway->limit, principal->subject,
                                  (double)now.tv_sec + (double)now.tv_nsec / 1e9);
    if (wait == 0)
        return 0;
    char seconds[16], detail[128];
    snprintf(seconds, sizeof seconds, "%d", wait);
    snprintf(detail, sizeof detail, "too many requests with this credential; try again in %d s",
             wait);
    s_header(req, "retry-after", seconds, strlen(seconds));
    s_send_problem(req, 429, detail, NULL, request_id);
    s_count(gateway, label, 429, start, request_id);
    return 1;
}

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

static int s_hex(int c)
{
    return isdigit(c) ? c - '0' : isxdigit(c) ? (tolower(c) - 'a' + 10) : -1;
}

static void s_on_timer_closed(uv_handle_t *handle)
{
    free(handle);
}

static void s_on_exchange_dispose(void *data)
{
    s_exchange_t *ex = data;
    if (ex->call) /* the client left before the service answered */
        gateway_bridge_cancel(ex->gateway->bridge, ex->call);
    if (ex->again)
        uv_close((uv_handle_t *)ex->again, s_on_timer_closed);
}

static void s_on_reply(void *ctx, const Samhand__V1__Envelope *reply);

/* Asks the service again, for a long-poll that got nothing yet. */
static void s_on_again(uv_timer_t *timer)
{
    s_exchange_t *ex = timer->data;
    char id[80];
    snprintf(id, sizeof id, "%s-%d", ex->request_id, ++ex->round);
    ex->envelope.request_id = id;
    /* the service waits out what is left of the wait itself */
    ex->envelope.deadline_ms = ex->wait_until_ms + BUS_LONG_POLL_MARGIN_MS;
    ex->call =
        gateway_bridge_call(ex->gateway->bridge, ex->route->service, &ex->envelope, s_on_reply, ex);
    gateway_bridge_may_wait(ex->gateway->bridge, ex->call);
    if (!ex->call) {
        s_send_problem(ex->req, 503, "the service is not reachable; try again shortly", NULL,
                       ex->request_id);
    }
}

/* True when a long-poll should wait on: the answer has no items yet. */
static bool s_wait_on(s_exchange_t *ex, const ProtobufCMessage *body)
{
    if (!ex->wait_until_ms || bus_now_ms() + LONG_POLL_INTERVAL_MS >= ex->wait_until_ms)
        return false;
    const ProtobufCFieldDescriptor *items =
        protobuf_c_message_descriptor_get_field_by_name(body->descriptor, "items");
    return items && *(const size_t *)((const char *)body + items->quantifier_offset) == 0;
}

static void s_on_reply(void *ctx, const Samhand__V1__Envelope *reply)
{
    s_exchange_t *ex = ctx;
    h2o_req_t *req = ex->req;
    gateway_t *gateway = ex->gateway;
    const gateway_route_t *route = ex->route;
    ex->call = NULL;
    char route_label[128];
    snprintf(route_label, sizeof route_label, "%s %s", route->method, route->path);

    int status;
    if (!reply) {
        status = 504;
        log_set_request_id(ex->request_id);
        log_warn("%s did not answer %s within %ld ms", route->service, route->rpc,
                 gateway->request_timeout_ms);
        log_set_request_id(NULL);
        s_send_problem(req, status, "the service did not answer in time; try again", NULL,
                       ex->request_id);
    } else if ((!reply->status || reply->status->code == BUS_OK) &&
               (reply->is_document || route->response == &samhand__v1__document__descriptor)) {
        /* a rendered document goes out as it is */
        Samhand__V1__Document *doc =
            samhand__v1__document__unpack(NULL, reply->body.len, reply->body.data);
        if (!doc) {
            status = 500;
            s_send_problem(req, 500, "the service answered something unreadable", NULL,
                           ex->request_id);
        } else {
            status = 200;
            if (doc->filename[0])
                s_content_disposition(req, doc->filename);
            /* a type set by a user at upload goes out only as a media type */
            s_send(req, 200,
                   check_media_type(doc->content_type) ? doc->content_type
                                                       : "application/octet-stream",
                   (const char *)doc->body.data, doc->body.len, ex->request_id);
            samhand__v1__document__free_unpacked(doc, NULL);
        }
    } else if (!reply->status || reply->status->code == BUS_OK) {
        ProtobufCMessage *body =
            protobuf_c_message_unpack(route->response, NULL, reply->body.len, reply->body.data);
        if (!body) {
            status = 502;
            s_send_problem(req, 500, "the service answered something unreadable", NULL,
                           ex->request_id);
        } else if (s_wait_on(ex, body)) {
            protobuf_c_message_free_unpacked(body, NULL);
            if (!ex->again) {
                ex->again = malloc(sizeof *ex->again);
                uv_timer_init(gateway->loop, ex->again);
                ex->again->data = ex;
            }
            uv_timer_start(ex->again, s_on_again, LONG_POLL_INTERVAL_MS, 0);
            return; /* nothing yet: ask again in a moment */
        } else {
            status = route->success_status;
            json_t *json = transcode_to_json(body);
            const char *id = json_string_value(json_object_get(json, "id"));
            if (status == 201 && id) {
                /* where the new resource lives: the collection's path and its id, when
                 * that is a path one can GET */
                size_t path_len = req->query_at != SIZE_MAX ? req->query_at : req->path.len;
                while (path_len > 1 && req->path.base[path_len - 1] == '/')
                    path_len--;
                char *location = h2o_mem_alloc_pool(&req->pool, path_len + strlen(id) + 2);
                int n = sprintf(location, "%.*s/%s", (int)path_len, req->path.base, id);
                gateway_path_params_t params;
                int known;
                char allow[64];
                if (gateway_route_match("GET", location, (size_t)n, &params, &known, allow,
                                        sizeof allow))
                    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_LOCATION, NULL,
                                   location, (size_t)n);
            }
            s_etag(req, json);
            s_send_json(req, status, "application/json", json, ex->request_id);
            protobuf_c_message_free_unpacked(body, NULL);
        }
    } else {
        status = gateway_problem_http_status(reply->status->code);
        s_send_problem(req, status, reply->status->message, reply->status->field, ex->request_id);
    }
    s_count(gateway, route_label, status, &ex->start, ex->request_id);
}

/* Builds the request message from path, query and body, and sends it. */
static void s_forward(gateway_t *gateway, h2o_req_t *req, const gateway_route_t *route,
                      const gateway_path_params_t *params, s_exchange_t *ex)
{
    transcode_error_t err = {{0}, {0}};
    ProtobufCMessage *msg = transcode_new(route->request);
    int status = 400;
    const char *detail = NULL;
    char detail_buf[512];
    json_t *body = NULL;

    int has_body = s_is_method(req, "POST") || s_is_method(req, "PATCH") || s_is_method(req, "PUT");
    if (has_body) {
        ssize_t ct = h2o_find_header(&req->headers, H2O_TOKEN_CONTENT_TYPE, -1);
        h2o_iovec_t type = ct >= 0 ? req->headers.entries[ct].value : h2o_iovec_init(NULL, 0);
        /* requests that carry files (a bytes field) may be larger */
        long limit = gateway->max_body_bytes;
        for (unsigned i = 0; i < route->request->n_fields; i++)
            if (route->request->fields[i].type == PROTOBUF_C_TYPE_BYTES)
                limit = gateway->max_upload_bytes;
        if (req->entity.len > (size_t)limit) {
            status = 413;
            snprintf(detail_buf, sizeof detail_buf, "the body is larger than %ld bytes", limit);
            detail = detail_buf;
            goto refuse;
        }
        if (req->entity.len > 0 &&
            (type.len < 16 || strncasecmp(type.base, "application/json", 16) != 0 ||
             (type.len > 16 && type.base[16] != ';' && type.base[16] != ' '))) {
            status = 415;
            detail = "the body must be JSON, sent as Content-Type: application/json";
            goto refuse;
        }
        json_error_t jerr;
        body = req->entity.len
                   ? json_loadb(req->entity.base, req->entity.len, JSON_REJECT_DUPLICATES, &jerr)
                   : json_object();
        if (!body) {
            snprintf(detail_buf, sizeof detail_buf,
                     "the body is not valid JSON: %s at line %d column %d", jerr.text, jerr.line,
                     jerr.column);
            detail = detail_buf;
            goto refuse;
        }
        if (transcode_from_json(msg, body, &err) != 0)
            goto refuse_field;
    }
    /* POSTs honour Idempotency-Key: printable ASCII, at most 255 characters */
    ssize_t idem = s_is_method(req, "POST")
                       ? h2o_find_header_by_str(&req->headers, H2O_STRLIT("idempotency-key"), -1)
                       : -1;
    char *idempotency_key = NULL;
    if (idem >= 0) {
        h2o_iovec_t v = req->headers.entries[idem].value;
        int ok = v.len > 0 && v.len <= 255;
        for (size_t i = 0; ok && i < v.len; i++)
            ok = v.base[i] > ' ' && v.base[i] < 0x7f;
        if (!ok) {
            detail = "the Idempotency-Key header must be 1 to 255 printable ASCII characters";
            goto refuse;
        }
        idempotency_key = h2o_strdup(&req->pool, v.base, v.len).base;
    }
    /* If-Match on the updates that keep a version: the ETag read before */
    ssize_t match = h2o_find_header(&req->headers, H2O_TOKEN_IF_MATCH, -1);
    char *if_match = NULL;
    if (match >= 0) {
        h2o_iovec_t v = req->headers.entries[match].value;
        if (!gateway_route_versioned(route)) {
            detail = "If-Match is taken by the changes of organizations, persons, committees, "
                     "memberships, meetings (their agendas and minutes), case documents, "
                     "actions and subscriptions";
            goto refuse;
        }
        if (!(v.len == 1 && v.base[0] == '*')) { /* "*": any version */
            size_t at = v.len > 2 && v.base[0] == 'W' && v.base[1] == '/' ? 2 : 0;
            bool ok = v.len >= at + 3 && v.len - at <= 24 && v.base[at] == '"' &&
                      v.base[v.len - 1] == '"';
            for (size_t i = at + 1; ok && i < v.len - 1; i++)
                ok = v.base[i] >= '0' && v.base[i] <= '9';
            if (!ok) {
                detail = "If-Match must be an ETag this API gave out, like \"1763798899801023\"";
                goto refuse;
            }
            if_match = h2o_strdup(&req->pool, v.base + at + 1, v.len - at - 2).base;
        }
    }
    for (size_t i = 0; i < params->n; i++)
        if (transcode_set_from_text(msg, params->params[i].name, params->params[i].value, &err) !=
            0)
            goto refuse_field;
    if (req->query_at != SIZE_MAX &&
        gateway_query_apply(msg, req->path.base + req->query_at + 1,
                            req->path.len - req->query_at - 1, &err) != 0)
        goto refuse_field;

    Samhand__V1__Envelope envelope = SAMHAND__V1__ENVELOPE__INIT;
    envelope.request_id = ex->request_id;
    envelope.method = (char *)route->rpc;
    envelope.principal = &ex->principal;
    envelope.deadline_ms = bus_now_ms() + gateway->request_timeout_ms;
    envelope.body.len = protobuf_c_message_get_packed_size(msg);
    envelope.body.data = h2o_mem_alloc_pool(&req->pool, envelope.body.len + 1);
    protobuf_c_message_pack(msg, envelope.body.data);
    if (idempotency_key)
        envelope.idempotency_key = idempotency_key;
    if (if_match)
        envelope.if_match = if_match;
    transcode_free(&msg);
    json_decref(body);

    /* a long-poll keeps what it needs to ask again */
    const ProtobufCFieldDescriptor *wait =
        protobuf_c_message_descriptor_get_field_by_name(route->request, "wait_seconds");
    if (wait && wait->type == PROTOBUF_C_TYPE_INT32) {
        ProtobufCMessage *parsed =
            protobuf_c_message_unpack(route->request, NULL, envelope.body.len, envelope.body.data);
        int32_t seconds = parsed ? *(const int32_t *)((const char *)parsed + wait->offset) : 0;
        protobuf_c_message_free_unpacked(parsed, NULL);
        if (seconds < 0 || seconds > LONG_POLL_MAX_SECONDS) {
            snprintf(err.field, sizeof err.field, "waitSeconds");
            snprintf(err.message, sizeof err.message, "must be from 0 to %d",
                     LONG_POLL_MAX_SECONDS);
            goto refuse_field_late;
        }
        if (seconds > 0) {
            /* the service waits for news (or says it does not, answering
             * at once: then it is asked again in a moment) */
            ex->wait_until_ms = bus_now_ms() + seconds * 1000L;
            envelope.deadline_ms = ex->wait_until_ms + BUS_LONG_POLL_MARGIN_MS;
            ex->envelope = envelope;
        }
    }
    ex->call = gateway_bridge_call(gateway->bridge, route->service, &envelope, s_on_reply, ex);
    if (ex->wait_until_ms)
        gateway_bridge_may_wait(gateway->bridge, ex->call);
    if (!ex->call) {
        char label[128];
        snprintf(label, sizeof label, "%s %s", route->method, route->path);
        s_send_problem(req, 503, "the service is not reachable; try again shortly", NULL,
                       ex->request_id);
        s_count(gateway, label, 503, &ex->start, ex->request_id);
    }
    return;

refuse_field_late : {
    char label[128], message[600];
    snprintf(label, sizeof label, "%s %s", route->method, route->path);
    snprintf(message, sizeof message, "%s %s", err.field, err.message);
    s_send_problem(req, 400, message, err.field, ex->request_id);
    s_count(gateway, label, 400, &ex->start, ex->request_id);
    return;
}
refuse_field:
    detail = err.message;
    if (err.field[0]) {
        snprintf(detail_buf, sizeof detail_buf, "%s %s", err.field, err.message);
        detail = detail_buf;
    }
refuse:
    transcode_free(&msg);
    json_decref(body);
    {
        char label[128];
        snprintf(label, sizeof label, "%s %s", route->method, route->path);
        s_send_problem(req, status, detail, err.field[0] ? err.field : NULL, ex->request_id);
        s_count(gateway, label, status, &ex->start, ex->request_id);
    }
}

/* ------------------------------------------------------------ operations */

/* One request to every service at once (health, metrics), answered when
 * all have replied or timed out. Lives in the HTTP request's pool. */
typedef struct s_fanout s_fanout_t;
typedef void (*s_fanout_done_fn)(s_fanout_t *fanout);

struct s_fanout {
    gateway_t *gateway;
    h2o_req_t *req;
    gateway_call_t *calls[GATEWAY_SERVICES];
    Samhand__V1__Envelope *replies[GATEWAY_SERVICES]; /* NULL: none in time */
    int connected[GATEWAY_SERVICES];
    int waiting;
    s_fanout_done_fn done;
    char request_id[64];
    struct timespec start;
};

static void s_on_fanout_dispose(void *data)
{
    s_fanout_t *f = data;
    for (int i = 0; i < GATEWAY_SERVICES; i++) {
        if (f->calls[i])
            gateway_bridge_cancel(f->gateway->bridge, f->calls[i]);
        if (f->replies[i])
            samhand__v1__envelope__free_unpacked(f->replies[i], NULL);
    }
}

static void s_on_fanout_reply(s_fanout_t *f, int index, const Samhand__V1__Envelope *reply)
{
    f->calls[index] = NULL;
    if (reply) { /* keep a copy: the bridge frees its own after this call */
        size_t len = samhand__v1__envelope__get_packed_size(reply);
        uint8_t *buf = malloc(len + 1);
        samhand__v1__envelope__pack(reply, buf);
        f->replies[index] = samhand__v1__envelope__unpack(NULL, len, buf);
        free(buf);
    }
    if (--f->waiting == 0)
        f->done(f);
}

#define FANOUT_CALLBACK(i)                                                                         \
    static void s_on_fanout_##i(void *ctx, const Samhand__V1__Envelope *reply)                     \
    {                                                                                              \
        s_on_fanout_reply(ctx, i, reply);                                                          \
    }
FANOUT_CALLBACK(0)
FANOUT_CALLBACK(1)
FANOUT_CALLBACK(2)
static const gateway_bridge_done_fn s_fanout_callbacks[GATEWAY_SERVICES] = {
    s_on_fanout_0, s_on_fanout_1, s_on_fanout_2};

/* Sends "<service>.<what>" with an empty body to every service. */
static void s_fanout(gateway_t *gateway, h2o_req_t *req, const char *what, s_fanout_done_fn done,
                     const char *request_id, const struct timespec *start)
{
    s_fanout_t *f = h2o_mem_alloc_shared(&req->pool, sizeof *f, s_on_fanout_dispose);
    memset(f, 0, sizeof *f);
    f->gateway = gateway;
    f->req = req;
    f->done = done;
    f->start = *start;
    snprintf(f->request_id, sizeof f->request_id, "%s", request_id);
    f->waiting = 1; /* held until every call is out, so done runs once, at the end */
    for (int i = 0; i < GATEWAY_SERVICES; i++) {
        char method[64], id[80];
        snprintf(method, sizeof method, "%s.%s", gateway_service_names[i], what);
        snprintf(id, sizeof id, "%s-%d", request_id, i);
        Samhand__V1__Envelope envelope = SAMHAND__V1__ENVELOPE__INIT;
        envelope.request_id = id;
        envelope.method = method;
        envelope.deadline_ms = bus_now_ms() + gateway->ready_timeout_ms;
        f->calls[i] = gateway_bridge_call(gateway->bridge, gateway_service_names[i], &envelope,
                                          s_fanout_callbacks[i], f);
        f->connected[i] = f->calls[i] != NULL;
        f->waiting += f->connected[i];
    }
    if (--f->waiting == 0)
        done(f);
}

/* Ready when every service answers its health request with a reachable,
 * migrated database. */
static void s_on_readiness(s_fanout_t *f)
{
    json_t *services = json_object();
    int ready = 1;
    for (int i = 0; i < GATEWAY_SERVICES; i++) {
        const Samhand__V1__Envelope *reply = f->replies[i];
        json_t *entry;
        if (!f->connected[i]) {
            entry = json_pack("{s:s}", "status", "not connected");
            ready = 0;
        } else if (!reply) {
            entry = json_pack("{s:s}", "status", "no answer in time");
            ready = 0;
        } else {
            Samhand__V1__HealthResponse *health =
                reply->status && reply->status->code != BUS_OK
                    ? NULL
                    : samhand__v1__health_response__unpack(NULL, reply->body.len, reply->body.data);
            int ok = health && health->database_ok;
            /* a queue whose oldest item waits too long means work is stuck */
            long age = health ? (long)health->oldest_queue_item_age_seconds : 0;
            int stuck = ok && age > f->gateway->queue_max_age_s;
            entry = json_pack("{s:s, s:b, s:i, s:I, s:s}", "status",
                              !ok     ? "database unreachable"
                              : stuck ? "queue stuck"
                                      : "ok",
                              "database", ok, "schemaVersion", health ? health->schema_version : -1,
                              "oldestQueueItemAgeSeconds", (json_int_t)age, "oldestQueue",
                              health && health->oldest_queue ? health->oldest_queue : "");
            ready &= ok && !stuck;
            if (health)
                samhand__v1__health_response__free_unpacked(health, NULL);
        }
        json_object_set_new(services, gateway_service_names[i], entry);
    }
    json_t *body =
        json_pack("{s:s, s:o}", "status", ready ? "ready" : "unready", "services", services);
    int status = ready ? 200 : 503;
    s_send_json(f->req, status, "application/json", body, f->request_id);
    s_count(f->gateway, "GET /readyz", status, &f->start, f->request_id);
}

/* The gateway's metrics and every service's, merged into one exposition. */
/* What anyone may read of /metrics: the queues (depth, oldest age, items
 * in and out: the operations page and `samhand queues`), how far each
 * consumer has come and whether each service is up.
 * The rest (requests by method and route, each subscription's health)
 * tells what the parties do and whose endpoint fails: administrators'. */
static bool s_public_metric(const char *line, size_t len)
{
    static const char *const families[] = {
        "samhand_queue_depth", "samhand_queue_oldest_age_seconds", "samhand_service_up"};
    const char *name = line;
    if (len > 7 && (strncmp(line, "# HELP ", 7) == 0 || strncmp(line, "# TYPE ", 7) == 0))
        name = line + 7;
    for (size_t i = 0; i < sizeof families / sizeof families[0]; i++) {
        size_t n = strlen(families[i]);
        if ((size_t)(line + len - name) > n && strncmp(name, families[i], n) == 0 &&
            (name[n] == '{' || name[n] == ' '))
            return true;
    }
    return false;
}

/* `text` less every line s_public_metric does not keep, in place. */
static void s_public_metrics(char *text)
{
    char *out = text;
    for (char *line = text; *line;) {
        char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        if (s_public_metric(line, len)) {
            memmove(out, line, len);
            out += len;
            *out++ = '\n';
        }
        line += len + (end ? 1 : 0);
    }
    *out = '\0';
}

static void s_on_metrics(s_fanout_t *f)
{
    gateway_t *gateway = f->gateway;
    metrics_set(gateway->metrics, "samhand_bus_pending_requests", "",
                (double)gateway_bridge_pending(gateway->bridge));
    const char *texts[1 + GATEWAY_SERVICES];
    Samhand__V1__MetricsResponse *responses[GATEWAY_SERVICES] = {NULL};
    size_t n = 0;
    for (int i = 0; i < GATEWAY_SERVICES; i++) {
        const Samhand__V1__Envelope *reply = f->replies[i];
        if (reply && (!reply->status || reply->status->code == BUS_OK))
            responses[i] =
                samhand__v1__metrics_response__unpack(NULL, reply->body.len, reply->body.data);
        char labels[64];
        snprintf(labels, sizeof labels, "service=\"%s\"", gateway_service_names[i]);
        metrics_set(gateway->metrics, "samhand_service_up", labels, responses[i] ? 1 : 0);
    }
    char *own = metrics_render(gateway->metrics);
    texts[n++] = own;
    for (int i = 0; i < GATEWAY_SERVICES; i++)
        if (responses[i])
            texts[n++] = responses[i]->text;
    char *merged = gateway_metrics_merge(texts, n);
    Samhand__V1__Principal principal = SAMHAND__V1__PRINCIPAL__INIT;
    gateway_identity_t identity;
    if (s_authenticate(gateway, f->req, &principal, &identity) != GATEWAY_AUTH_OK ||
        !(gateway_principal_roles(&principal) & ROLE_ADMINISTRATOR))
        s_public_metrics(merged);
    s_send(f->req, 200, "text/plain; version=0.0.4; charset=utf-8", merged, strlen(merged),
           f->request_id);
    free(merged);
    free(own);
    for (int i = 0; i < GATEWAY_SERVICES; i++)
        if (responses[i])
            samhand__v1__metrics_response__free_unpacked(responses[i], NULL);
}

static int s_on_req(h2o_handler_t *self, h2o_req_t *req)
{
    gateway_t *gateway = ((s_handler_t *)self)->gateway;
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    char request_id[64];
    s_request_id(req, request_id);
    size_t path_len = req->query_at != SIZE_MAX ? req->query_at : req->path.len;
    const char *path = req->path.base;
    const gateway_web_file_t *page =
        s_is_method(req, "GET") ? gateway_web_find(&gateway->web, path, path_len) : NULL;
    s_security_headers(req, page ? gateway->web.policy : NULL);
    if (page) {
        s_send(req, 200, page->content_type, page->body, page->len, request_id);
        s_count(gateway, "GET (page)", 200, &start, request_id);
        return 0;
    }
    if (s_cors(gateway, req, request_id) != 0) {
        s_count(gateway, "OPTIONS (preflight)", req->res.status, &start, request_id);
        return 0;
    }

#define IS_PATH(p) (path_len == strlen(p) && memcmp(path, p, path_len) == 0)
    if (s_is_method(req, "GET") && IS_PATH("/healthz")) {
        s_send(req, 200, "application/json", H2O_STRLIT("{\"status\":\"ok\"}"), request_id);
        s_count(gateway, "GET /healthz", 200, &start, request_id);
        return 0;
    }
    if (s_is_method(req, "GET") && IS_PATH("/readyz")) {
        s_fanout(gateway, req, "Health", s_on_readiness, request_id, &start);
        return 0;
    }
    if (s_is_method(req, "GET") && IS_PATH("/metrics")) {
        s_fanout(gateway, req, "Metrics", s_on_metrics, request_id, &start);
        return 0;
    }
    if (s_is_method(req, "GET") && IS_PATH("/openapi.json")) {
        s_send(req, 200, "application/json", gateway->openapi, strlen(gateway->openapi),
               request_id);
        s_count(gateway, "GET /openapi.json", 200, &start, request_id);
        return 0;
    }

    if (s_is_method(req, "GET") && IS_PATH("/v1/sign-in")) {
        /* how the pages may sign in: API keys, and OpenID Connect if set */
        s_send(req, 200, "application/json", gateway->web.sign_in, strlen(gateway->web.sign_in),
               request_id);
        s_count(gateway, "GET /v1/sign-in", 200, &start, request_id);
        return 0;
    }

    if (s_is_method(req, "GET") && IS_PATH("/v1/me")) {
        /* who the credential is: what the web pages show and offer */
        Samhand__V1__Principal principal = SAMHAND__V1__PRINCIPAL__INIT;
        gateway_identity_t identity;
        if (s_refused_credential(gateway, self, req,
                                 s_authenticate(gateway, req, &principal, &identity), &identity,
                                 "GET /v1/me", &start, request_id))
            return 0;
        json_t *roles = json_array();
        for (size_t i = 0; i < principal.n_roles; i++)
            json_array_append_new(roles, json_string(principal.roles[i]));
        /* the operations the policy lets these roles call: the pages offer
         * only those, from the same table the gateway enforces */
        json_t *operations = json_array(), *scopes = json_object();
        unsigned held = gateway_principal_roles(&principal);
        for (size_t i = 0; i < gateway_policies_count; i++)
            if (gateway_policies[i].roles & held) {
                json_array_append_new(operations, json_string(gateway_policies[i].rpc));
                /* and on what: the committees it runs, its own reports */
                if (gateway_policies[i].scope)
                    json_object_set_new(scopes, gateway_policies[i].rpc,
                                        json_string(gateway_policies[i].scope));
            }
        s_send_json(req, 200, "application/json",
                    json_pack("{s:s, s:s, s:o, s:o, s:o}", "subject", principal.subject,
                              "organizationId",
                              principal.organization_id ? principal.organization_id : "", "roles",
                              roles, "operations", operations, "scopes", scopes),
                    request_id);
        s_count(gateway, "GET /v1/me", 200, &start, request_id);
        return 0;
    }

    if (s_is_method(req, "GET") && IS_PATH("/v1/events/stream")) {
        Samhand__V1__Principal principal = SAMHAND__V1__PRINCIPAL__INIT;
        gateway_identity_t identity;
        if (s_refused_credential(gateway, self, req,
                                 s_authenticate(gateway, req, &principal, &identity), &identity,
                                 "GET /v1/events/stream", &start, request_id))
            return 0;
        if (s_limited(gateway, req, &principal, "GET /v1/events/stream", &start, request_id))
            return 0;
        s_count(gateway, "GET /v1/events/stream", 200, &start, request_id);
        gateway_stream_events(gateway, req, &principal, request_id);
        return 0;
    }
#undef IS_PATH

    char method[16];
    snprintf(method, sizeof method, "%.*s", (int)req->method.len, req->method.base);
    gateway_path_params_t params;
    int path_known;
    char allow[64];
    const gateway_route_t *route =
        gateway_route_match(method, path, path_len, &params, &path_known, allow, sizeof allow);
    if (!route) {
        if (path_known) {
            h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_ALLOW, NULL, allow,
                           strlen(allow));
            char detail[128];
            snprintf(detail, sizeof detail, "%s is not allowed here; allowed: %s", method, allow);
            s_send_problem(req, 405, detail, NULL, request_id);
            s_count(gateway, "unmatched", 405, &start, request_id);
        } else {
            s_send_problem(req, 404, "no such resource; see /openapi.json", NULL, request_id);
            s_count(gateway, "unmatched", 404, &start, request_id);
        }
        return 0;
    }

    s_exchange_t *ex = h2o_mem_alloc_shared(&req->pool, sizeof *ex, s_on_exchange_dispose);
    memset(ex, 0, sizeof *ex);
    ex->gateway = gateway;
    ex->req = req;
    ex->route = route;
    ex->start = start;
    memcpy(ex->request_id, request_id, sizeof ex->request_id);
    ex->principal = (Samhand__V1__Principal)SAMHAND__V1__PRINCIPAL__INIT;
    Samhand__V1__Principal *principal = &ex->principal;
    gateway_auth_result_t result = s_authenticate(gateway, req, principal, &ex->identity);
    if (route->access == GATEWAY_ACCESS_PUBLIC && result != GATEWAY_AUTH_OK)
        *principal = (Samhand__V1__Principal)SAMHAND__V1__PRINCIPAL__INIT; /* anyone */
    if (route->access != GATEWAY_ACCESS_PUBLIC) {
        char label[128];
        snprintf(label, sizeof label, "%s %s", route->method, route->path);
        if (s_refused_credential(gateway, self, req, result, &ex->identity, label, &start,
                                 request_id))
            return 0;
        /* the authorization table: a role that may, or 403 saying which */
        unsigned may = gateway_policy_roles(route->rpc);
        if (!(gateway_principal_roles(principal) & may)) {
            char roles[160], detail[256];
            gateway_roles_text(may, roles, sizeof roles);
            snprintf(detail, sizeof detail, "this needs one of the roles: %s", roles);
            s_send_problem(req, 403, detail, NULL, request_id);
            s_count(gateway, label, 403, &start, request_id);
            return 0;
        }
        if (s_limited(gateway, req, principal, label, &start, request_id))
            return 0;
    }
    s_forward(gateway, req, route, &params, ex);
    return 0;
}

/* ------------------------------------------------------------ the front */

/* Every connection passes a front before h2o: it reads the client's bytes
 * as HTTP/1.1 of RFC 9112, strictly, and hands h2o (over a socket pair)
 * only requests whose framing has one reading. A body too large for its
 * route, or sent without a good credential to a route that needs one, is
 * refused from the request's head, before it is read: h2o 2.2 reads a
 * whole body before a handler sees the request. A refusal is answered
 * after h2o's answers to the requests before it, and the connection
 * closes. */

#define FRONT_HEAD_MAX 8192
#define FRONT_LINE_MAX 1024 /* a chunk's size line, a trailer line */
#define FRONT_TRAILER_MAX 8192
#define FRONT_QUEUE_MAX (1 << 20) /* bytes waiting to be written, either way */
#define FRONT_LINGER_MS 2000      /* reading on after a refusal, so that it arrives */

typedef enum {
    FRONT_HEAD,
    FRONT_LENGTH,
    FRONT_CHUNK_SIZE,
    FRONT_CHUNK_DATA,
    FRONT_CHUNK_CR,
    FRONT_CHUNK_LF,
    FRONT_TRAILER,
    FRONT_HELD,    /* a head waits for the API keys to be read */
    FRONT_REFUSED, /* nothing more passes */
} s_front_state_t;

typedef struct {
    gateway_keys_waiter_t waiter; /* first: the keys module hands it back */
    uv_tcp_t client;
    uv_pipe_t inner; /* our end of the pair; h2o reads the other */
    uv_timer_t linger;
    gateway_t *gateway;
    int handles; /* open; the front is freed when none is left */
    bool closing, keys_read, waiting_for_keys, lingering, client_shut, inner_shut;
    bool is_bokmal; /* the request passed last asked for bokmål (its body's refusals) */
    s_front_state_t state;
    char head[FRONT_HEAD_MAX];
    size_t head_len;
    char line[FRONT_LINE_MAX];
    size_t line_len, trailer_len;
    uint64_t left, body_bytes, limit;
    char *held; /* what came after a head held for the keys */
    size_t held_len;
    char *refusal; /* the answer, written when h2o has closed its side */
    size_t refusal_len;
} s_front_t;

/* What a request head says, pointing into s_front_t.head. */
typedef struct {
    const char *method, *path, *authorization;
    size_t method_len, path_len, authorization_len;
    bool chunked;
    int64_t content_length; /* -1: none */
} s_head_t;

static void s_front_feed(s_front_t *front, const char *data, size_t len);
static void s_on_client_read(uv_stream_t *stream, ssize_t nread, const uv_buf_t *buf);
static void s_on_inner_read(uv_stream_t *stream, ssize_t nread, const uv_buf_t *buf);

static void s_on_front_closed(uv_handle_t *handle)
{
    s_front_t *front = handle->data;
    if (--front->handles == 0) {
        free(front->held);
        free(front->refusal);
        free(front);
    }
}

static void s_front_close(s_front_t *front)
{
    if (front->closing)
        return;
    front->closing = true;
    if (front->waiting_for_keys)
        gateway_keys_forget(front->gateway->keys, &front->waiter);
    uv_close((uv_handle_t *)&front->client, s_on_front_closed);
    uv_close((uv_handle_t *)&front->inner, s_on_front_closed);
    uv_close((uv_handle_t *)&front->linger, s_on_front_closed);
}

/* what a client sends after a refusal is read into this and dropped */
static char s_discarded[65536];

static void s_on_front_alloc(uv_handle_t *handle, size_t suggested, uv_buf_t *buf)
{
    s_front_t *front = handle->data;
    if (front->lingering && handle == (uv_handle_t *)&front->client) {
        *buf = uv_buf_init(s_discarded, sizeof s_discarded);
        return;
    }
    buf->base = malloc(65536);
    buf->len = buf->base ? 65536 : 0;
}

static void s_on_front_written(uv_write_t *write, int status)
{
    s_front_t *front = write->handle->data;
    uv_stream_t *to = write->handle;
    free(write->data);
    free(write);
    if (status != 0 || front->closing)
        return;
    if (uv_stream_get_write_queue_size(to) >= FRONT_QUEUE_MAX)
        return;
    /* room again: read on from the side that waited for it */
    if (to == (uv_stream_t *)&front->client)
        uv_read_start((uv_stream_t *)&front->inner, s_on_front_alloc, s_on_inner_read);
    else if (front->state != FRONT_HELD && front->state != FRONT_REFUSED)
        uv_read_start((uv_stream_t *)&front->client, s_on_front_alloc, s_on_client_read);
}

/* Writes `data` (malloc'ed, handed over) to `to`; stops reading `from`
 * while too much waits. */
static void s_front_write(s_front_t *front, uv_stream_t *to, uv_stream_t *from, char *data,
                          size_t len)
{
    if (len == 0 || front->closing) {
        free(data);
        return;
    }
    uv_write_t *write = malloc(sizeof *write);
    write->data = data;
    uv_buf_t buf = uv_buf_init(data, (unsigned)len);
    if (uv_write(write, to, &buf, 1, s_on_front_written) != 0) {
        free(data);
        free(write);
        s_front_close(front);
        return;
    }
    if (from && uv_stream_get_write_queue_size(to) >= FRONT_QUEUE_MAX)
        uv_read_stop(from);
}

static void s_on_linger(uv_timer_t *timer)
{
    s_front_close(timer->data);
}

static void s_on_front_shut(uv_shutdown_t *shutdown, int status)
{
    s_front_t *front = shutdown->handle->data;
    bool client = shutdown->handle == (uv_stream_t *)&front->client;
    free(shutdown);
    if (!client || front->closing)
        return; /* the pair: h2o closes its side next */
    if (front->lingering && status == 0)
        uv_timer_start(&front->linger, s_on_linger, FRONT_LINGER_MS, 0);
    else
        s_front_close(front);
}

/* No more from us on `stream`, once what waits is written. */
static void s_front_shutdown(s_front_t *front, uv_stream_t *stream)
{
    bool *done = stream == (uv_stream_t *)&front->client ? &front->client_shut : &front->inner_shut;
    if (*done || front->closing)
        return;
    *done = true;
    uv_shutdown_t *shutdown = malloc(sizeof *shutdown);
    if (uv_shutdown(shutdown, stream, s_on_front_shut) != 0) {
        free(shutdown);
        s_front_close(front);
    }
}

/* h2o's answers go to the client as they are; when h2o has closed its
 * side, the refusal (if any) follows and the connection ends. */
static void s_on_inner_read(uv_stream_t *stream, ssize_t nread, const uv_buf_t *buf)
{
    s_front_t *front = stream->data;
    if (nread > 0) {
        s_front_write(front, (uv_stream_t *)&front->client, stream, buf->base, (size_t)nread);
        return;
    }
    free(buf->base);
    if (nread == 0)
        return;
    uv_read_stop(stream);
    if (front->refusal) {
        s_front_write(front, (uv_stream_t *)&front->client, NULL, front->refusal,
                      front->refusal_len);
        front->refusal = NULL;
        front->lingering = true;
        uv_read_start((uv_stream_t *)&front->client, s_on_front_alloc, s_on_client_read);
    }
    s_front_shutdown(front, (uv_stream_t *)&front->client);
}

static void s_on_client_read(uv_stream_t *stream, ssize_t nread, const uv_buf_t *buf)
{
    s_front_t *front = stream->data;
    if (nread > 0 && !front->lingering)
        s_front_feed(front, buf->base, (size_t)nread);
    if (buf->base != s_discarded)
        free(buf->base);
    if (nread >= 0)
        return;
    uv_read_stop(stream);
    if (front->lingering || nread != UV_EOF)
        s_front_close(front);
    else if (front->state != FRONT_REFUSED)
        s_front_shutdown(front, (uv_stream_t *)&front->inner); /* h2o answers, then closes */
}

/* Whether the head in `head` (whole or in part, framed well or not) asks
 * for bokmål: its Accept-Language line, read leniently, as a refusal of
 * its framing is to be understood too. */
static bool s_head_wants_bokmal(const char *head, size_t len)
{
    static const char name[] = "accept-language:";
    const size_t name_len = sizeof name - 1;
    for (const char *p = head, *end = head + len; p < end;) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        const char *line_end = eol ? eol : end;
        if (line_end > p && line_end[-1] == '\r')
            line_end--;
        if ((size_t)(line_end - p) >= name_len && strncasecmp(p, name, name_len) == 0)
            return gateway_problem_wants_bokmal(p + name_len, (size_t)(line_end - p - name_len));
        if (!eol)
            break;
        p = eol + 1;
    }
    return false;
}

/* Refuses the request whose head is in front->head (or, in its body, the
 * one passed last), in the language it asked for: the answer waits until
 * h2o has answered those before it and closed its side. */
static void s_front_refuse(s_front_t *front, int status, const char *detail, const char *label)
{
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    char request_id[33];
    bus_random_id(request_id);
    json_t *problem = gateway_problem_new(status, detail, NULL, request_id);
    bool in_head = front->state == FRONT_HEAD || front->state == FRONT_HELD;
    if (in_head ? s_head_wants_bokmal(front->head, front->head_len) : front->is_bokmal)
        gateway_problem_in_bokmal(problem);
    char *body = json_dumps(problem, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(problem);
    size_t body_len = body ? strlen(body) : 0;
    front->refusal = malloc(body_len + 1024);
    int n = snprintf(front->refusal, 1024,
                     "HTTP/1.1 %d %s\r\nConnection: close\r\nContent-Length: %zu\r\n"
                     "Content-Type: application/problem+json\r\nCache-Control: no-store\r\n"
                     "X-Content-Type-Options: nosniff\r\nX-Frame-Options: DENY\r\n"
                     "Content-Security-Policy: default-src 'none'; frame-ancestors 'none'\r\n"
                     "X-Request-Id: %s\r\n%s\r\n",
                     status, gateway_problem_reason(status), body_len, request_id,
                     status == 401 ? "WWW-Authenticate: Bearer realm=\"samhand\"\r\n" : "");
    memcpy(front->refusal + n, body ? body : "", body_len);
    front->refusal_len = (size_t)n + body_len;
    free(body);
    front->state = FRONT_REFUSED;
    uv_read_stop((uv_stream_t *)&front->client);
    s_front_shutdown(front, (uv_stream_t *)&front->inner);
    s_count(front->gateway, label, status, &start, request_id);
}

static bool s_is_ows(int c)
{
    return c == ' ' || c == '\t';
}

/* A field value may hold visible characters, spaces, tabs and obs-text. */
static bool s_field_value_valid(const char *p, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)p[i];
        if ((c < 0x20 && c != '\t') || c == 0x7f)
            return false;
    }
    return true;
}

/* Reads the head in front->head (request line and fields, each line ended
 * by CRLF, an empty line last) into `h`. NULL, or why it is refused. */
static const char *s_head_parse(s_front_t *front, s_head_t *h)
{
    memset(h, 0, sizeof *h);
    h->content_length = -1;
    const char *p = front->head, *end = front->head + front->head_len;
    const char *eol = memchr(p, '\n', (size_t)(end - p));
    if (!eol || eol == p || eol[-1] != '\r')
        return "the request line must end in CR LF";
    const char *sp1 = memchr(p, ' ', (size_t)(eol - p));
    const char *sp2 = sp1 ? memchr(sp1 + 1, ' ', (size_t)(eol - sp1 - 1)) : NULL;
    if (!sp1 || !sp2 || sp1 == p || sp2 == sp1 + 1)
        return "the request line must be: method, target, version";
    for (const char *q = p; q < sp1; q++)
        if (!s_is_tchar((unsigned char)*q))
            return "the method must be a token";
    for (const char *q = sp1 + 1; q < sp2; q++)
        if ((unsigned char)*q <= ' ' || *q == 0x7f)
            return "the request target holds a space or a control character";
    size_t version_len = (size_t)(eol - 1 - (sp2 + 1));
    bool is_11 = version_len == 8 && memcmp(sp2 + 1, "HTTP/1.1", 8) == 0;
    if (!is_11 && !(version_len == 8 && memcmp(sp2 + 1, "HTTP/1.0", 8) == 0))
        return "only HTTP/1.1 (and 1.0) is spoken here";
    h->method = p;
    h->method_len = (size_t)(sp1 - p);
    h->path = sp1 + 1;
    h->path_len = (size_t)(sp2 - sp1 - 1);
    const char *q = memchr(h->path, '?', h->path_len);
    if (q)
        h->path_len = (size_t)(q - h->path);
    int codings = 0, lengths = 0;
    bool other_coding = false;
    for (p = eol + 1; p < end; p = eol + 1) {
        eol = memchr(p, '\n', (size_t)(end - p));
        if (!eol || eol == p || eol[-1] != '\r')
            return "every header line must end in CR LF";
        if (eol - 1 == p)
            break; /* the empty line */
        if (s_is_ows((unsigned char)*p))
            return "a header line may not be folded onto the next";
        const char *colon = memchr(p, ':', (size_t)(eol - p));
        if (!colon || colon == p)
            return "a header line must be name: value";
        for (const char *c = p; c < colon; c++)
            if (!s_is_tchar((unsigned char)*c))
                return "a header name must be a token, with no space before its colon";
        const char *v = colon + 1, *v_end = eol - 1;
        while (v < v_end && s_is_ows((unsigned char)*v))
            v++;
        while (v_end > v && s_is_ows((unsigned char)v_end[-1]))
            v_end--;
        if (!s_field_value_valid(v, (size_t)(v_end - v)))
            return "a header value holds a control character";
        size_t name_len = (size_t)(colon - p), v_len = (size_t)(v_end - v);
#define IS_NAME(n) (name_len == strlen(n) && strncasecmp(p, n, name_len) == 0)
        if (IS_NAME("content-length")) {
            if (v_len == 0 || v_len > 18)
                return "Content-Length must be a number of bytes";
            int64_t value = 0;
            for (size_t i = 0; i < v_len; i++) {
                if (!isdigit((unsigned char)v[i]))
                    return "Content-Length must be one number of bytes";
                value = value * 10 + (v[i] - '0');
            }
            if (lengths++ && value != h->content_length)
                return "two different Content-Length headers";
            h->content_length = value;
        } else if (IS_NAME("transfer-encoding")) {
            /* a list, maybe over several lines: it must come to one chunked */
            for (const char *e = v; e < v_end;) {
                const char *comma = memchr(e, ',', (size_t)(v_end - e));
                const char *e_end = comma ? comma : v_end, *t_end = e_end;
                while (e < t_end && s_is_ows((unsigned char)*e))
                    e++;
                while (t_end > e && s_is_ows((unsigned char)t_end[-1]))
                    t_end--;
                if (t_end > e) {
                    codings++;
                    if (!(t_end - e == 7 && strncasecmp(e, "chunked", 7) == 0))
                        other_coding = true;
                }
                e = comma ? comma + 1 : v_end;
            }
            if (v_len == 0)
                other_coding = true;
        } else if (IS_NAME("authorization") && !h->authorization) {
            h->authorization = v;
            h->authorization_len = v_len;
        }
#undef IS_NAME
    }
    if (codings || other_coding) {
        if (!is_11)
            return "Transfer-Encoding is HTTP/1.1's";
        if (lengths)
            return "Content-Length and Transfer-Encoding together";
        if (codings != 1 || other_coding)
            return "the only transfer coding taken is one chunked";
        h->chunked = true;
    }
    return NULL;
}

static void s_on_front_keys_read(gateway_keys_waiter_t *waiter);

/* A whole head has come: refused, held for the keys, or passed to h2o
 * (appended to `out`). 0 when it passed. */
static int s_front_head(s_front_t *front, char **out, size_t *out_len)
{
    s_head_t h;
    const char *why = s_head_parse(front, &h);
    if (why) {
        s_front_refuse(front, 400, why, "(framing)");
        return -1;
    }
    gateway_t *gateway = front->gateway;
    bool has_body = h.chunked || h.content_length > 0;
    front->limit = (uint64_t)gateway->max_body_bytes;
    if (has_body) {
        char method[16], label[128], allow[64];
        snprintf(method, sizeof method, "%.*s", (int)h.method_len, h.method);
        gateway_path_params_t params;
        int known;
        const gateway_route_t *route =
            gateway_route_match(method, h.path, h.path_len, &params, &known, allow, sizeof allow);
        snprintf(label, sizeof label, "%s %s", route ? route->method : "unmatched",
                 route ? route->path : "");
        if (route) {
            for (unsigned i = 0; i < route->request->n_fields; i++)
                if (route->request->fields[i].type == PROTOBUF_C_TYPE_BYTES)
                    front->limit = (uint64_t)gateway->max_upload_bytes;
        }
        if (route && route->access != GATEWAY_ACCESS_PUBLIC) {
            Samhand__V1__Principal principal = SAMHAND__V1__PRINCIPAL__INIT;
            gateway_identity_t identity;
            gateway_auth_result_t result =
                h.authorization ? s_authenticate_value(gateway, h.authorization,
                                                       h.authorization_len, &principal, &identity)
                                : GATEWAY_AUTH_MISSING;
            if (result == GATEWAY_AUTH_INVALID && !front->keys_read && gateway->keys &&
                h.authorization_len > 11 && strncasecmp(h.authorization, "Bearer shk_", 11) == 0) {
                /* a key made a moment ago: the head waits for the keys */
                front->waiter.done = s_on_front_keys_read;
                if (gateway_keys_wait(gateway->keys, &front->waiter) == 1) {
                    front->waiting_for_keys = true;
                    front->state = FRONT_HELD;
                    uv_read_stop((uv_stream_t *)&front->client);
                    return -1;
                }
            }
            if (result != GATEWAY_AUTH_OK) {
                s_front_refuse(front, 401,
                               result == GATEWAY_AUTH_MISSING
                                   ? "this needs a credential: Authorization: Bearer <API key or "
                                     "access token>; the body was not read"
                                   : "the credential is not valid; the body was not read",
                               label);
                return -1;
            }
        }
        if (h.content_length > 0 && (uint64_t)h.content_length > front->limit) {
            char detail[128];
            snprintf(detail, sizeof detail, "the body is larger than %" PRIu64 " bytes",
                     front->limit);
            s_front_refuse(front, 413, detail, label);
            return -1;
        }
    }
    front->is_bokmal = s_head_wants_bokmal(front->head, front->head_len);
    *out = realloc(*out, *out_len + front->head_len);
    memcpy(*out + *out_len, front->head, front->head_len);
    *out_len += front->head_len;
    front->keys_read = false;
    front->body_bytes = 0;
    front->state = h.chunked ? FRONT_CHUNK_SIZE : h.content_length > 0 ? FRONT_LENGTH : FRONT_HEAD;
    front->left = h.content_length > 0 ? (uint64_t)h.content_length : 0;
    front->head_len = 0;
    return 0;
}

static void s_on_front_keys_read(gateway_keys_waiter_t *waiter)
{
    s_front_t *front = (s_front_t *)waiter;
    front->waiting_for_keys = false;
    front->keys_read = true;
    char *out = NULL;
    size_t out_len = 0;
    if (s_front_head(front, &out, &out_len) != 0) {
        free(out);
        return;
    }
    s_front_write(front, (uv_stream_t *)&front->inner, NULL, out, out_len);
    char *held = front->held;
    size_t held_len = front->held_len;
    front->held = NULL;
    front->held_len = 0;
    s_front_feed(front, held, held_len);
    free(held);
    if (front->state != FRONT_HELD && front->state != FRONT_REFUSED)
        uv_read_start((uv_stream_t *)&front->client, s_on_front_alloc, s_on_client_read);
}

/* A chunk's size line (in front->line, without its CR LF): the size, then
 * nothing or extensions after ';'. 0, or -1 when malformed. */
static int s_chunk_size(s_front_t *front, uint64_t *size)
{
    size_t i = 0;
    *size = 0;
    for (; i < front->line_len && s_hex((unsigned char)front->line[i]) >= 0; i++) {
        if (i >= 15)
            return -1;
        *size = *size * 16 + (uint64_t)s_hex((unsigned char)front->line[i]);
    }
    if (i == 0)
        return -1;
    while (i < front->line_len && s_is_ows((unsigned char)front->line[i]))
        i++;
    if (i < front->line_len && front->line[i] != ';')
        return -1;
    return s_field_value_valid(front->line + i, front->line_len - i) ? 0 : -1;
}

/* Passes the client's bytes through the framing rules to h2o. */
static void s_front_feed(s_front_t *front, const char *data, size_t len)
{
    char *out = malloc(len + 1);
    size_t out_len = 0;
    const char *p = data, *end = data + len;
    while (p < end && front->state != FRONT_REFUSED) {
        char c = *p;
        switch (front->state) {
        case FRONT_HEAD: {
            /* up to the empty line */
            if (front->head_len == FRONT_HEAD_MAX) {
                s_front_refuse(front, 400, "the request head is larger than 8 KiB", "(framing)");
                break;
            }
            front->head[front->head_len++] = c;
            p++;
            size_t n = front->head_len;
            if (n == 2 && memcmp(front->head, "\r\n", 2) == 0)
                front->head_len = 0; /* an empty line between requests */
            else if (n >= 4 && memcmp(front->head + n - 4, "\r\n\r\n", 4) == 0)
                s_front_head(front, &out, &out_len);
            else if (c == '\n' && (n < 2 || front->head[n - 2] != '\r'))
                s_front_refuse(front, 400, "every header line must end in CR LF", "(framing)");
            break;
        }
        case FRONT_LENGTH: {
            size_t n = (size_t)(end - p) < front->left ? (size_t)(end - p) : front->left;
            out = realloc(out, out_len + n + 1);
            memcpy(out + out_len, p, n);
            out_len += n;
            p += n;
            if ((front->left -= n) == 0)
                front->state = FRONT_HEAD;
            break;
        }
        case FRONT_CHUNK_SIZE:
        case FRONT_TRAILER:
            out = realloc(out, out_len + 2);
            out[out_len++] = c;
            p++;
            if (c == '\n') {
                if (front->line_len == 0 || front->line[front->line_len - 1] != '\r') {
                    s_front_refuse(front, 400, "a chunk's line must end in CR LF", "(framing)");
                    break;
                }
                front->line_len--; /* without its CR */
                if (front->state == FRONT_TRAILER) {
                    if (front->line_len == 0)
                        front->state = FRONT_HEAD;
                    front->line_len = 0;
                    break;
                }
                uint64_t size;
                if (s_chunk_size(front, &size) != 0) {
                    s_front_refuse(front, 400, "a chunk's size line is malformed", "(framing)");
                    break;
                }
                front->line_len = 0;
                front->body_bytes += size;
                if (front->body_bytes > front->limit) {
                    char detail[128];
                    snprintf(detail, sizeof detail, "the body is larger than %" PRIu64 " bytes",
                             front->limit);
                    s_front_refuse(front, 413, detail, "(framing)");
                    break;
                }
                front->left = size;
                front->trailer_len = 0;
                front->state = size ? FRONT_CHUNK_DATA : FRONT_TRAILER;
            } else if (front->line_len == FRONT_LINE_MAX ||
                       (front->state == FRONT_TRAILER &&
                        ++front->trailer_len > FRONT_TRAILER_MAX)) {
                s_front_refuse(front, 400, "a chunk's line is too long", "(framing)");
            } else {
                front->line[front->line_len++] = c;
            }
            break;
        case FRONT_CHUNK_DATA: {
            size_t n = (size_t)(end - p) < front->left ? (size_t)(end - p) : front->left;
            out = realloc(out, out_len + n + 1);
            memcpy(out + out_len, p, n);
            out_len += n;
            p += n;
            if ((front->left -= n) == 0)
                front->state = FRONT_CHUNK_CR;
            break;
        }
        case FRONT_CHUNK_CR:
        case FRONT_CHUNK_LF:
            if (c != (front->state == FRONT_CHUNK_CR ? '\r' : '\n')) {
                s_front_refuse(front, 400, "a chunk's data must end in CR LF", "(framing)");
                break;
            }
            out = realloc(out, out_len + 2);
            out[out_len++] = c;
            p++;
            front->state = front->state == FRONT_CHUNK_CR ? FRONT_CHUNK_LF : FRONT_CHUNK_SIZE;
            break;
        case FRONT_HELD:
            /* what came after the head waits with it */
            front->held = realloc(front->held, front->held_len + (size_t)(end - p));
            memcpy(front->held + front->held_len, p, (size_t)(end - p));
            front->held_len += (size_t)(end - p);
            p = end;
            break;
        case FRONT_REFUSED:
            break;
        }
    }
    if (front->state == FRONT_REFUSED)
        out_len = 0; /* nothing of a refused request reaches h2o */
    s_front_write(front, (uv_stream_t *)&front->inner, (uv_stream_t *)&front->client, out, out_len);
}

static void s_on_accept(uv_stream_t *listener, int status)
{
    gateway_t *gateway = listener->data;
    if (status != 0)
        return;
    s_front_t *front = calloc(1, sizeof *front);
    front->gateway = gateway;
    uv_tcp_init(listener->loop, &front->client);
    uv_pipe_init(listener->loop, &front->inner, 0);
    uv_timer_init(listener->loop, &front->linger);
    front->client.data = front->inner.data = front->linger.data = front;
    front->handles = 3;
    int pair[2] = {-1, -1};
    uv_pipe_t *h2o_side = NULL;
    if (uv_accept(listener, (uv_stream_t *)&front->client) != 0 ||
        socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0)
        goto cleanup;
    if (uv_pipe_open(&front->inner, pair[0]) != 0)
        goto cleanup;
    pair[0] = -1; /* the pipe's now */
    h2o_side = malloc(sizeof *h2o_side);
    uv_pipe_init(listener->loop, h2o_side, 0);
    if (uv_pipe_open(h2o_side, pair[1]) != 0) {
        uv_close((uv_handle_t *)h2o_side, (uv_close_cb)free);
        goto cleanup;
    }
    pair[1] = -1;
    uv_tcp_nodelay(&front->client, 1);
    h2o_socket_t *sock = h2o_uv_socket_create((uv_stream_t *)h2o_side, (uv_close_cb)free);
    h2o_accept(&gateway->accept_ctx, sock);
    uv_read_start((uv_stream_t *)&front->client, s_on_front_alloc, s_on_client_read);
    uv_read_start((uv_stream_t *)&front->inner, s_on_front_alloc, s_on_inner_read);
    return;

cleanup:
    log_warn("could not take a connection: %s", strerror(errno));
    for (int i = 0; i < 2; i++)
        if (pair[i] >= 0)
            close(pair[i]);
    s_front_close(front);
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
        (rc = uv_listen((uv_stream_t *)&gateway->listener, 511, s_on_accept)) != 0) {
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
