/* The operations endpoints as rows of one table, and the fan-out that
 * asks every service at once for /readyz and /metrics. */
#include "gateway_ops.h"
#include "gateway_credential.h"
#include "gateway_metrics.h"
#include "gateway_policy.h"
#include "gateway_reply.h"
#include "gateway_stream.h"
#include "samhand_bus.h"
#include "samhand/v1/envelope.pb-c.h"

#include <string.h>

/* One request of the table's: what its handler is given. */
typedef struct {
    gateway_t *gateway;
    h2o_handler_t *self;
    h2o_req_t *req;
    const char *label; /* the row's: "GET /readyz" */
    const struct timespec *start;
    const char *request_id;
} s_op_t;

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
    const char *label;
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
static void s_fanout(const s_op_t *op, const char *what, s_fanout_done_fn done)
{
    gateway_t *gateway = op->gateway;
    s_fanout_t *f = h2o_mem_alloc_shared(&op->req->pool, sizeof *f, s_on_fanout_dispose);
    memset(f, 0, sizeof *f);
    f->gateway = gateway;
    f->req = op->req;
    f->done = done;
    f->label = op->label;
    f->start = *op->start;
    snprintf(f->request_id, sizeof f->request_id, "%s", op->request_id);
    f->waiting = 1; /* held until every call is out, so done runs once, at the end */
    for (int i = 0; i < GATEWAY_SERVICES; i++) {
        char method[64], id[80];
        snprintf(method, sizeof method, "%s.%s", gateway_service_names[i], what);
        snprintf(id, sizeof id, "%s-%d", op->request_id, i);
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
    gateway_reply_json(f->req, status, "application/json", body, f->request_id);
    gateway_reply_count(f->gateway, f->label, status, &f->start, f->request_id);
}

/* What anyone may read of /metrics: the queues' depth and oldest age (the
 * operations page) and whether each service is up.
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

/* The gateway's metrics and every service's, merged into one exposition:
 * all of it for an administrator, the public families for anyone else. */
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
    if (gateway_credential_check(gateway, f->req, &principal, &identity) != GATEWAY_AUTH_OK ||
        !(gateway_principal_roles(&principal) & ROLE_ADMINISTRATOR))
        s_public_metrics(merged);
    gateway_reply_send(f->req, 200, "text/plain; version=0.0.4; charset=utf-8", merged,
                       strlen(merged), f->request_id);
    free(merged);
    free(own);
    for (int i = 0; i < GATEWAY_SERVICES; i++)
        if (responses[i])
            samhand__v1__metrics_response__free_unpacked(responses[i], NULL);
}

/* ------------------------------------------------------------ the table */

static void s_healthz(const s_op_t *op)
{
    gateway_reply_send(op->req, 200, "application/json", H2O_STRLIT("{\"status\":\"ok\"}"),
                       op->request_id);
    gateway_reply_count(op->gateway, op->label, 200, op->start, op->request_id);
}

static void s_readyz(const s_op_t *op)
{
    s_fanout(op, "Health", s_on_readiness);
}

static void s_metrics(const s_op_t *op)
{
    s_fanout(op, "Metrics", s_on_metrics);
}

/* A text the gateway rendered at start. */
static void s_rendered(const s_op_t *op, const char *text)
{
    gateway_reply_send(op->req, 200, "application/json", text, strlen(text), op->request_id);
    gateway_reply_count(op->gateway, op->label, 200, op->start, op->request_id);
}

static void s_openapi(const s_op_t *op)
{
    s_rendered(op, op->gateway->openapi);
}

/* How the pages may sign in: API keys, and OpenID Connect if set. */
static void s_sign_in(const s_op_t *op)
{
    s_rendered(op, op->gateway->web.sign_in);
}

/* Whether the request's credential is good; when not, the request has
 * been answered (401) or parked. The principal's strings may live in
 * `identity` (a token's): the caller keeps both. */
static bool s_credential(const s_op_t *op, Samhand__V1__Principal *principal,
                         gateway_identity_t *identity)
{
    gateway_auth_result_t result =
        gateway_credential_check(op->gateway, op->req, principal, identity);
    return !gateway_credential_refused(op->gateway, op->self, op->req, result, identity, op->label,
                                       op->start, op->request_id);
}

/* Who the credential is: what the web pages show and offer. */
static void s_me(const s_op_t *op)
{
    Samhand__V1__Principal principal = SAMHAND__V1__PRINCIPAL__INIT;
    gateway_identity_t identity;
    if (!s_credential(op, &principal, &identity))
        return;
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
    gateway_reply_json(op->req, 200, "application/json",
                       json_pack("{s:s, s:s, s:o, s:o, s:o}", "subject", principal.subject,
                                 "organizationId",
                                 principal.organization_id ? principal.organization_id : "",
                                 "roles", roles, "operations", operations, "scopes", scopes),
                       op->request_id);
    gateway_reply_count(op->gateway, op->label, 200, op->start, op->request_id);
}

/* Server-sent events, for a good credential within its limit. */
static void s_events_stream(const s_op_t *op)
{
    Samhand__V1__Principal principal = SAMHAND__V1__PRINCIPAL__INIT;
    gateway_identity_t identity;
    if (!s_credential(op, &principal, &identity) ||
        gateway_credential_limited(op->gateway, op->req, &principal, op->label, op->start,
                                   op->request_id))
        return;
    gateway_reply_count(op->gateway, op->label, 200, op->start, op->request_id);
    gateway_stream_events(op->gateway, op->req, &principal, op->request_id);
}

/* Method and path in one label, as the answers are counted. */
static const struct {
    const char *label;
    void (*serve)(const s_op_t *op);
} s_ops[] = {
    {"GET /healthz", s_healthz},
    {"GET /readyz", s_readyz},
    {"GET /metrics", s_metrics},
    {"GET /openapi.json", s_openapi},
    {"GET /v1/sign-in", s_sign_in},
    {"GET /v1/me", s_me},
    {"GET /v1/events/stream", s_events_stream},
};

int gateway_ops_serve(gateway_t *gateway, h2o_handler_t *self, h2o_req_t *req,
                      const struct timespec *start, const char *request_id)
{
    size_t path_len = req->query_at != SIZE_MAX ? req->query_at : req->path.len;
    size_t method_len = req->method.len;
    for (size_t i = 0; i < sizeof s_ops / sizeof s_ops[0]; i++) {
        const char *label = s_ops[i].label;
        if (strlen(label) == method_len + 1 + path_len &&
            memcmp(label, req->method.base, method_len) == 0 && label[method_len] == ' ' &&
            memcmp(label + method_len + 1, req->path.base, path_len) == 0) {
            s_op_t op = {gateway, self, req, label, start, request_id};
            s_ops[i].serve(&op);
            return 1;
        }
    }
    return 0;
}
