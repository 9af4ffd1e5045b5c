/* Answers to HTTP requests: bodies, problems, the headers every answer
 * carries (security, CORS), a document's file name, an aggregate's ETag,
 * and the count and access log line of each answer. */
#include "gateway_reply.h"
#include "gateway_problem.h"
#include "samhand_log.h"
#include "samhand/v1/envelope.pb-c.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

static double s_seconds_since(const struct timespec *start)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - start->tv_sec) + (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

void gateway_reply_count(gateway_t *gateway, const char *label, int status,
                         const struct timespec *start, const char *request_id)
{
    double seconds = s_seconds_since(start);
    log_set_request_id(request_id);
    log_info("%s %d %.1f ms", label, status, seconds * 1000);
    log_set_request_id(NULL);
    char labels[256];
    snprintf(labels, sizeof labels, "route=\"%s\",code=\"%d\"", label, status);
    metrics_add(gateway->metrics, "samhand_http_requests_total", labels, 1);
    snprintf(labels, sizeof labels, "route=\"%s\"", label);
    metrics_observe(gateway->metrics, "samhand_http_request_duration_seconds", labels, seconds);
}

void gateway_reply_send(h2o_req_t *req, int status, const char *content_type, const char *body,
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

void gateway_reply_json(h2o_req_t *req, int status, const char *content_type, json_t *body,
                        const char *request_id)
{
    if (body && strcmp(content_type, "application/problem+json") == 0 && s_wants_bokmal(req))
        gateway_problem_in_bokmal(body);
    char *text = json_dumps(body, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(body);
    if (!text) {
        static const char fallback[] = "{\"title\":\"Internal Server Error\",\"status\":500}";
        gateway_reply_send(req, 500, "application/problem+json", fallback, sizeof fallback - 1,
                           request_id);
        return;
    }
    gateway_reply_send(req, status, content_type, text, strlen(text), request_id);
    free(text);
}

void gateway_reply_problem(h2o_req_t *req, int status, const char *detail, const char *field,
                           const char *request_id)
{
    gateway_reply_json(req, status, "application/problem+json",
                       gateway_problem_new(status, detail, field, request_id), request_id);
}

char *gateway_reply_refusal(int status, const char *detail, bool is_bokmal, const char *request_id,
                            size_t *len)
{
    json_t *problem = gateway_problem_new(status, detail, NULL, request_id);
    if (is_bokmal)
        gateway_problem_in_bokmal(problem);
    char *body = json_dumps(problem, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(problem);
    size_t body_len = body ? strlen(body) : 0;
    char *text = malloc(body_len + 1024);
    int n = snprintf(text, 1024,
                     "HTTP/1.1 %d %s\r\nConnection: close\r\nContent-Length: %zu\r\n"
                     "Content-Type: application/problem+json\r\nCache-Control: no-store\r\n"
                     "X-Content-Type-Options: nosniff\r\nX-Frame-Options: DENY\r\n"
                     "Content-Security-Policy: default-src 'none'; frame-ancestors 'none'\r\n"
                     "X-Request-Id: %s\r\n%s\r\n",
                     status, gateway_problem_reason(status), body_len, request_id,
                     status == 401 ? "WWW-Authenticate: Bearer realm=\"samhand\"\r\n" : "");
    memcpy(text + n, body ? body : "", body_len);
    *len = (size_t)n + body_len;
    free(body);
    return text;
}

/* Adds a response header; the value is copied into the request's pool
 * (h2o keeps a reference until the answer is sent). */
void gateway_reply_header(h2o_req_t *req, const char *name, const char *value, size_t len)
{
    h2o_iovec_t copy = h2o_strdup(&req->pool, value, len);
    h2o_add_header_by_str(&req->pool, &req->res.headers, name, strlen(name), 0, NULL, copy.base,
                          copy.len);
}

/* What every answer tells a browser: not to guess types, frame it, send
 * referrers, load anything into it or reach it but over HTTPS. The
 * documents (notice.html) carry their style inline; the web pages load
 * their own scripts and styles and talk to this API only. */
void gateway_reply_security_headers(h2o_req_t *req, const char *page_policy)
{
    bool page = page_policy != NULL;
    if (page)
        gateway_reply_header(req, "content-security-policy", page_policy, strlen(page_policy));
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
        gateway_reply_header(req, headers[i][0], headers[i][1], strlen(headers[i][1]));
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
int gateway_reply_cors(gateway_t *gateway, h2o_req_t *req, const char *request_id)
{
    ssize_t i = h2o_find_header_by_str(&req->headers, H2O_STRLIT("origin"), -1);
    if (i < 0)
        return 0;
    h2o_iovec_t origin = req->headers.entries[i].value;
    bool allowed = s_origin_allowed(gateway->cors_origins, origin.base, origin.len);
    bool preflight =
        gateway_is_method(req, "OPTIONS") &&
        h2o_find_header_by_str(&req->headers, H2O_STRLIT("access-control-request-method"), -1) >= 0;
    gateway_reply_header(req, "vary", H2O_STRLIT("Origin"));
    if (!allowed) {
        if (!preflight)
            return 0; /* answered, but the browser keeps it from the page */
        gateway_reply_problem(req, 403, "this origin may not call the API (SAMHAND_CORS_ORIGINS)",
                              NULL, request_id);
        return 1;
    }
    gateway_reply_header(req, "access-control-allow-origin", origin.base, origin.len);
    gateway_reply_header(req, "access-control-expose-headers",
                         H2O_STRLIT("X-Request-Id, Location, Retry-After, ETag"));
    if (!preflight)
        return 0;
    gateway_reply_header(req, "access-control-allow-methods",
                         H2O_STRLIT("GET, POST, PUT, PATCH, DELETE"));
    gateway_reply_header(
        req, "access-control-allow-headers",
        H2O_STRLIT("Authorization, Content-Type, Idempotency-Key, X-Request-Id, If-Match, "
                   "Last-Event-ID"));
    gateway_reply_header(req, "access-control-max-age", H2O_STRLIT("600"));
    gateway_reply_send(req, 204, "text/plain", "", 0, request_id);
    return 1;
}

/* Content-Disposition for a document's file name (RFC 6266, 8187): the
 * name percent-encoded as UTF-8 in filename*, and an ASCII fallback
 * without quotes, backslashes or controls for old clients. */
void gateway_reply_content_disposition(h2o_req_t *req, const char *filename)
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

/* An aggregate's ETag: its version, the microseconds of its update_time,
 * which If-Match sends back and the service compares with its own. */
void gateway_reply_etag(h2o_req_t *req, const ProtobufCMessage *message)
{
    const ProtobufCFieldDescriptor *field =
        protobuf_c_message_descriptor_get_field_by_name(message->descriptor, "update_time");
    if (!field || field->type != PROTOBUF_C_TYPE_MESSAGE ||
        field->descriptor != &samhand__v1__timestamp__descriptor)
        return;
    const Samhand__V1__Timestamp *time =
        *(Samhand__V1__Timestamp *const *)((const char *)message + field->offset);
    if (!time)
        return;
    long long micros = (long long)time->seconds * 1000000 + time->nanos / 1000;
    char etag[32];
    int n = snprintf(etag, sizeof etag, "\"%lld\"", micros);
    gateway_reply_header(req, "etag", etag, (size_t)n);
}
