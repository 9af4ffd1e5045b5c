/* The route table's requests: the HTTP request into an Envelope to its
 * service, the reply back out as JSON, a document or a problem. What one
 * request needs on its way lives in its exchange, in the request's pool. */
#include "gateway_forward.h"
#include "gateway_credential.h"
#include "gateway_policy.h"
#include "gateway_problem.h"
#include "gateway_reply.h"
#include "gateway_request.h"
#include "gateway_routes.h"
#include "samhand_bus.h"
#include "samhand_check.h"
#include "samhand_log.h"
#include "samhand_transcode.h"

#include <string.h>
#include <strings.h>

#define LONG_POLL_INTERVAL_MS 250

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

static void s_count(s_exchange_t *ex, int status)
{
    gateway_reply_count(ex->gateway, gateway_route_label(ex->route), status, &ex->start,
                        ex->request_id);
}

/* ------------------------------------------------------------ the reply */

static void s_on_reply(void *ctx, const Samhand__V1__Envelope *reply);

/* Sends the exchange's envelope; 503 when no replica of the service is
 * connected. */
static void s_call(s_exchange_t *ex)
{
    gateway_t *gateway = ex->gateway;
    ex->call =
        gateway_bridge_call(gateway->bridge, ex->route->service, &ex->envelope, s_on_reply, ex);
    if (ex->wait_until_ms)
        gateway_bridge_may_wait(gateway->bridge, ex->call);
    if (!ex->call) {
        gateway_reply_problem(ex->req, 503, "the service is not reachable; try again shortly", NULL,
                              ex->request_id);
        s_count(ex, 503);
    }
}

/* Asks the service again, for a long-poll that got nothing yet. */
static void s_on_again(uv_timer_t *timer)
{
    s_exchange_t *ex = timer->data;
    char id[80];
    snprintf(id, sizeof id, "%s-%d", ex->request_id, ++ex->round);
    ex->envelope.request_id = id;
    /* the service waits out what is left of the wait itself */
    ex->envelope.deadline_ms = ex->wait_until_ms + BUS_LONG_POLL_MARGIN_MS;
    s_call(ex);
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

static void s_ask_again_later(s_exchange_t *ex)
{
    if (!ex->again) {
        ex->again = malloc(sizeof *ex->again);
        uv_timer_init(ex->gateway->loop, ex->again);
        ex->again->data = ex;
    }
    uv_timer_start(ex->again, s_on_again, LONG_POLL_INTERVAL_MS, 0);
}

static int s_unreadable(s_exchange_t *ex)
{
    gateway_reply_problem(ex->req, 500, "the service answered something unreadable", NULL,
                          ex->request_id);
    return 500;
}

static int s_reply_timeout(s_exchange_t *ex)
{
    log_set_request_id(ex->request_id);
    log_warn("%s did not answer %s within %ld ms", ex->route->service, ex->route->rpc,
             ex->gateway->request_timeout_ms);
    log_set_request_id(NULL);
    gateway_reply_problem(ex->req, 504, "the service did not answer in time; try again", NULL,
                          ex->request_id);
    return 504;
}

/* A rendered document goes out as it is. */
static int s_reply_document(s_exchange_t *ex, const Samhand__V1__Envelope *reply)
{
    Samhand__V1__Document *doc =
        samhand__v1__document__unpack(NULL, reply->body.len, reply->body.data);
    if (!doc)
        return s_unreadable(ex);
    if (doc->filename[0])
        gateway_reply_content_disposition(ex->req, doc->filename);
    /* a type set by a user at upload goes out only as a media type */
    gateway_reply_send(ex->req, 200,
                       check_media_type(doc->content_type) ? doc->content_type
                                                           : "application/octet-stream",
                       (const char *)doc->body.data, doc->body.len, ex->request_id);
    samhand__v1__document__free_unpacked(doc, NULL);
    return 200;
}

/* Where a new resource lives: the collection's path and its id, when that
 * is a path one can GET. */
static void s_location(h2o_req_t *req, const char *id)
{
    size_t path_len = req->query_at != SIZE_MAX ? req->query_at : req->path.len;
    while (path_len > 1 && req->path.base[path_len - 1] == '/')
        path_len--;
    char *location = h2o_mem_alloc_pool(&req->pool, path_len + strlen(id) + 2);
    int n = sprintf(location, "%.*s/%s", (int)path_len, req->path.base, id);
    gateway_path_params_t params;
    int known;
    char allow[64];
    if (gateway_route_match("GET", location, (size_t)n, &params, &known, allow, sizeof allow))
        h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_LOCATION, NULL, location,
                       (size_t)n);
}

/* The reply's message as JSON, or, for a long-poll with nothing yet,
 * asked again in a moment (0). The status sent. */
static int s_reply_message(s_exchange_t *ex, const Samhand__V1__Envelope *reply)
{
    ProtobufCMessage *body =
        protobuf_c_message_unpack(ex->route->response, NULL, reply->body.len, reply->body.data);
    if (!body)
        return s_unreadable(ex);
    int status = 0;
    if (s_wait_on(ex, body)) {
        s_ask_again_later(ex);
    } else {
        status = ex->route->success_status;
        json_t *json = transcode_to_json(body);
        const char *id = json_string_value(json_object_get(json, "id"));
        if (status == 201 && id)
            s_location(ex->req, id);
        gateway_reply_etag(ex->req, body);
        gateway_reply_json(ex->req, status, "application/json", json, ex->request_id);
    }
    protobuf_c_message_free_unpacked(body, NULL);
    return status;
}

static void s_on_reply(void *ctx, const Samhand__V1__Envelope *reply)
{
    s_exchange_t *ex = ctx;
    ex->call = NULL;
    int status;
    if (!reply) {
        status = s_reply_timeout(ex);
    } else if (reply->status && reply->status->code != BUS_OK) {
        status = gateway_problem_http_status(reply->status->code);
        json_t *problem = gateway_problem_new(status, reply->status->message, reply->status->field,
                                              ex->request_id);
        if (reply->status->n_errors)
            gateway_problem_set_errors(problem, reply->status->errors, reply->status->n_errors);
        gateway_reply_json(ex->req, status, "application/problem+json", problem, ex->request_id);
    } else if (reply->is_document || ex->route->response == &samhand__v1__document__descriptor) {
        status = s_reply_document(ex, reply);
    } else if ((status = s_reply_message(ex, reply)) == 0) {
        return; /* nothing yet: asked again in a moment */
    }
    s_count(ex, status);
}

/* ------------------------------------------------------------ admission */

/* The route of `req`, or NULL when 404 or 405 has been answered. */
static const gateway_route_t *s_match(gateway_t *gateway, h2o_req_t *req,
                                      gateway_path_params_t *params, const struct timespec *start,
                                      const char *request_id)
{
    size_t path_len = req->query_at != SIZE_MAX ? req->query_at : req->path.len;
    char method[16], allow[64];
    snprintf(method, sizeof method, "%.*s", (int)req->method.len, req->method.base);
    int path_known;
    const gateway_route_t *route = gateway_route_match(method, req->path.base, path_len, params,
                                                       &path_known, allow, sizeof allow);
    if (route)
        return route;
    int status = path_known ? 405 : 404;
    if (path_known) {
        h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_ALLOW, NULL, allow, strlen(allow));
        char detail[128];
        snprintf(detail, sizeof detail, "%s is not allowed here; allowed: %s", method, allow);
        gateway_reply_problem(req, 405, detail, NULL, request_id);
    } else {
        gateway_reply_problem(req, 404, "no such resource; see /openapi.json", NULL, request_id);
    }
    gateway_reply_count(gateway, "unmatched", status, start, request_id);
    return NULL;
}

/* Whether the caller may call the route: a public route takes anyone, the
 * others a good credential (401), a role the policy table names for it
 * (403) and room in the limit (429). */
static bool s_admitted(s_exchange_t *ex, h2o_handler_t *self)
{
    gateway_t *gateway = ex->gateway;
    h2o_req_t *req = ex->req;
    Samhand__V1__Principal *principal = &ex->principal;
    gateway_auth_result_t result = gateway_credential_check(gateway, req, principal, &ex->identity);
    if (ex->route->access == GATEWAY_ACCESS_PUBLIC) {
        if (result != GATEWAY_AUTH_OK)
            *principal = (Samhand__V1__Principal)SAMHAND__V1__PRINCIPAL__INIT; /* anyone */
        return true;
    }
    const char *label = gateway_route_label(ex->route);
    if (gateway_credential_refused(gateway, self, req, result, &ex->identity, label, &ex->start,
                                   ex->request_id))
        return false;
    unsigned may = gateway_policy_roles(ex->route->rpc);
    if (!(gateway_principal_roles(principal) & may)) {
        char roles[160], detail[256];
        gateway_roles_text(may, roles, sizeof roles);
        snprintf(detail, sizeof detail, "this needs one of the roles: %s", roles);
        gateway_reply_problem(req, 403, detail, NULL, ex->request_id);
        s_count(ex, 403);
        return false;
    }
    return !gateway_credential_limited(gateway, req, principal, label, &ex->start, ex->request_id);
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

void gateway_forward(gateway_t *gateway, h2o_handler_t *self, h2o_req_t *req,
                     const struct timespec *start, const char *request_id)
{
    gateway_path_params_t params;
    const gateway_route_t *route = s_match(gateway, req, &params, start, request_id);
    if (!route)
        return;
    s_exchange_t *ex = h2o_mem_alloc_shared(&req->pool, sizeof *ex, s_on_exchange_dispose);
    memset(ex, 0, sizeof *ex);
    ex->gateway = gateway;
    ex->req = req;
    ex->route = route;
    ex->start = *start;
    snprintf(ex->request_id, sizeof ex->request_id, "%s", request_id);
    ex->principal = (Samhand__V1__Principal)SAMHAND__V1__PRINCIPAL__INIT;
    if (!s_admitted(ex, self))
        return;
    gateway_refusal_t refusal = {0};
    int32_t wait_seconds = 0;
    Samhand__V1__Envelope *envelope = &ex->envelope;
    *envelope = (Samhand__V1__Envelope)SAMHAND__V1__ENVELOPE__INIT;
    if (gateway_request_read(gateway, req, route, &params, envelope, &wait_seconds, &refusal) !=
        0) {
        gateway_reply_problem(req, refusal.status, refusal.detail,
                              refusal.field[0] ? refusal.field : NULL, request_id);
        s_count(ex, refusal.status);
        return;
    }
    envelope->request_id = ex->request_id;
    envelope->method = (char *)route->rpc;
    envelope->principal = &ex->principal;
    envelope->deadline_ms = bus_now_ms() + gateway->request_timeout_ms;
    if (wait_seconds > 0) {
        /* the service waits for news (or says it does not, answering at
         * once: then it is asked again in a moment) */
        ex->wait_until_ms = bus_now_ms() + wait_seconds * 1000L;
        envelope->deadline_ms = ex->wait_until_ms + BUS_LONG_POLL_MARGIN_MS;
    }
    s_call(ex);
}
