/* ROUTER server on one loop of fibers, and DEALER client, for the
 * Envelope protocol. */
#include "samhand_bus.h"
#include "samhand_curve.h"
#include "samhand_fiber.h"
#include "samhand_log.h"
#include "samhand_metrics.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/random.h>
#include <time.h>

int64_t bus_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void bus_random_id(char out[33])
{
    uint8_t bytes[16];
    if (getrandom(bytes, sizeof bytes, 0) != (ssize_t)sizeof bytes) {
        /* getrandom on Linux does not fail for 16 bytes once booted */
        for (size_t i = 0; i < sizeof bytes; i++)
            bytes[i] = (uint8_t)rand();
    }
    static const char hex[] = "0123456789abcdef";
    for (int i = 0; i < 16; i++) {
        out[2 * i] = hex[bytes[i] >> 4];
        out[2 * i + 1] = hex[bytes[i] & 15];
    }
    out[32] = '\0';
}

int bus_call_reply(bus_call_t *call, const ProtobufCMessage *response)
{
    free(call->body);
    call->body_len = protobuf_c_message_get_packed_size(response);
    call->body = malloc(call->body_len ? call->body_len : 1);
    assert(call->body);
    protobuf_c_message_pack(response, call->body);
    call->code = BUS_OK;
    return 0;
}

int bus_call_reply_before_commit(bus_call_t *call, const ProtobufCMessage *response)
{
    bus_call_reply(call, response);
    const Samhand__V1__Envelope *request = call->envelope;
    const char *key = request ? request->idempotency_key : NULL;
    if (!key || !*key)
        return 0;
    const char *subject = request->principal ? request->principal->subject : "";
    if (db_idempotency_store(call->db, subject, request->method, key, request->body.data,
                             request->body.len, call->body, call->body_len) != 0)
        return -1;
    call->remembered = true;
    return 0;
}

int bus_call_reply_free(bus_call_t *call, ProtobufCMessage *response)
{
    int rc = bus_call_reply(call, response);
    protobuf_c_message_free_unpacked(response, NULL);
    return rc;
}

int bus_call_reply_document(bus_call_t *call, const char *content_type, const void *body,
                            size_t len, const char *filename)
{
    Samhand__V1__Document doc = SAMHAND__V1__DOCUMENT__INIT;
    doc.content_type = (char *)content_type;
    doc.body.data = (uint8_t *)body;
    doc.body.len = len;
    doc.filename = (char *)(filename ? filename : "");
    bus_call_reply(call, &doc.base);
    call->is_document = true;
    return 0;
}

int bus_call_fail(bus_call_t *call, bus_code_t code, const char *field, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(call->message, sizeof call->message, fmt, ap);
    va_end(ap);
    snprintf(call->field, sizeof call->field, "%s", field ? field : "");
    call->code = code;
    free(call->body);
    call->body = NULL;
    call->is_document = false;
    call->remembered = false; /* a failed commit took the stored reply with it */
    call->body_len = 0;
    call->is_failed_with_errors = false;
    return -1;
}

void bus_call_add_error(bus_call_t *call, const char *field, const char *fmt, ...)
{
    Samhand__V1__FieldError *e = malloc(sizeof *e);
    assert(e);
    samhand__v1__field_error__init(e);
    e->field = strdup(field ? field : "");
    va_list ap;
    va_start(ap, fmt);
    if (vasprintf(&e->message, fmt, ap) < 0)
        e->message = NULL;
    va_end(ap);
    assert(e->field && e->message);
    call->errors = realloc(call->errors, (call->n_errors + 1) * sizeof *call->errors);
    assert(call->errors);
    call->errors[call->n_errors++] = e;
}

int bus_call_fail_errors(bus_call_t *call, bus_code_t code)
{
    if (call->n_errors == 0)
        return 0;
    bus_call_fail(call, code, call->errors[0]->field, "%s", call->errors[0]->message);
    call->is_failed_with_errors = true;
    return -1;
}

/* Frees the errors bus_call_add_error noted. */
static void s_errors_free(bus_call_t *call)
{
    for (size_t i = 0; i < call->n_errors; i++) {
        free(call->errors[i]->field);
        free(call->errors[i]->message);
        free(call->errors[i]);
    }
    free(call->errors);
    call->errors = NULL;
    call->n_errors = 0;
}

int bus_call_page(bus_call_t *call, int32_t limit, const char *cursor, int64_t *after,
                  int *limit_out)
{
    if (limit == 0)
        limit = 50;
    if (limit < 1 || limit > 500)
        return bus_call_fail(call, BUS_INVALID_ARGUMENT, "limit", "limit must be from 1 to 500");
    *limit_out = limit;
    *after = 0;
    if (cursor && *cursor) {
        char *end;
        errno = 0;
        long long position = strtoll(cursor, &end, 10);
        if (errno || *end || position < 0 || !isdigit((unsigned char)cursor[0]))
            return bus_call_fail(call, BUS_INVALID_ARGUMENT, "cursor",
                                 "cursor is not one this service gave out");
        *after = position;
    }
    return 0;
}

bool bus_call_has_role(const bus_call_t *call, const char *const *roles)
{
    const Samhand__V1__Principal *p = call->envelope ? call->envelope->principal : NULL;
    for (size_t i = 0; p && i < p->n_roles; i++)
        for (const char *const *r = roles; *r; r++)
            if (strcmp(p->roles[i], *r) == 0)
                return true;
    return false;
}

bool bus_call_holds_role(const bus_call_t *call, const char *role)
{
    const char *const roles[] = {role, NULL};
    return bus_call_has_role(call, roles);
}

bool bus_call_holds_partnership_role(const bus_call_t *call, const char *role)
{
    const Samhand__V1__Principal *p = call->envelope ? call->envelope->principal : NULL;
    return bus_call_holds_role(call, role) && p && (!p->organization_id || !p->organization_id[0]);
}

int bus_call_fail_db(bus_call_t *call, const char *what)
{
    const char *state = db_sqlstate(call->db);
    if (strcmp(state, "23505") == 0)
        return bus_call_fail(call, BUS_ALREADY_EXISTS, NULL, "could not %s: it exists already",
                             what);
    if (strcmp(state, "23503") == 0)
        return bus_call_fail(call, BUS_INVALID_ARGUMENT, NULL,
                             "could not %s: it refers to something that does not exist", what);
    if (strncmp(state, "08", 2) == 0 || strcmp(state, "57P01") == 0) {
        log_error("could not %s: %s", what, db_error(call->db));
        return bus_call_fail(call, BUS_UNAVAILABLE, NULL, "could not %s: database unavailable",
                             what);
    }
    log_error("could not %s: %s", what, db_error(call->db));
    return bus_call_fail(call, BUS_INTERNAL, NULL, "could not %s: internal error", what);
}

/* ------------------------------------------------------------------ server */

/* Requests in flight at most; past it the ROUTER is read no further and
 * ZeroMQ queues what comes (up to its high-water mark). */
#define IN_FLIGHT_MAX 256
/* ... and the relay's, the consumers', the housekeeping's beside them */
#define WAITING_MAX (IN_FLIGHT_MAX + 16)

typedef struct s_waiter s_waiter_t;
typedef struct s_awaiter s_awaiter_t;

struct bus_server {
    bus_server_config_t config;
    zsock_t *frontend; /* ROUTER, clients connect here; the loop's thread reads it */
    char *bound_endpoint;
    /* the connections of the process's fibers, opened as needed up to
     * config.connections: all, and those free now */
    db_t **connections;
    int n_connections;
    db_t **idle;
    int n_idle;
    /* the fibers waiting for a connection, in the order they came */
    s_waiter_t *waiting[WAITING_MAX];
    int waiting_head, n_waiting;
    int in_flight;
    bool stopping;
    fiber_t *reader; /* reads the ROUTER; parked while IN_FLIGHT_MAX are in flight */
    bool reader_parked;
    s_awaiter_t *awaiting; /* requests waiting for news (long-polls) */
    fiber_t *listener;     /* LISTENs for replicas' changes, or NULL */
    fiber_t *trimmer;      /* closes connections a burst opened, once idle */
    int64_t *idle_since;   /* when each of idle[] was given back */
    char channel[96];      /* "samhand_changed_<name>" */
    zactor_t *loop;
    zsock_t *loop_pipe; /* the actor's end, in the loop's thread */
    metrics_t *metrics;
    /* routes other modules serve for the server (the relay's Events) */
    bus_route_t own_routes[BUS_OWN_ROUTES_MAX];
    size_t n_own_routes;
};

static const bus_route_t *s_find_route(bus_server_t *server, const char *method)
{
    for (size_t i = 0; i < server->config.n_routes; i++)
        if (strcmp(server->config.routes[i].method, method) == 0)
            return &server->config.routes[i];
    for (size_t i = 0; i < server->n_own_routes; i++)
        if (strcmp(server->own_routes[i].method, method) == 0)
            return &server->own_routes[i];
    return NULL;
}

void bus_server_route(bus_server_t *server, const bus_route_t *route)
{
    assert(server->n_own_routes < BUS_OWN_ROUTES_MAX);
    server->own_routes[server->n_own_routes++] = *route;
}

/* Every queue of the service: the outbox (events not yet published) and
 * the service's own. Sets the gauges of all; returns the oldest item's age
 * among those that are the service's own work (not is_external) and which
 * queue holds it, or -1 when the database does not answer. */
static long s_queues(bus_call_t *call, bus_server_t *server, const char **oldest)
{
    static const bus_queue_t outbox = {
        "outbox",
        "SELECT count(*), coalesce(extract(epoch FROM now() - min(created_at)), 0) "
        "FROM outbox WHERE sequence > $1::bigint",
        false};
    /* the outbox's rows after the newest mark, the mark a parameter: as a
     * subquery the planner would not know the range is short, and scan */
    PGresult *res =
        db_query(call->db,
                 "SELECT coalesce((SELECT sequence FROM outbox_marks ORDER BY published DESC "
                 "LIMIT 1), 0)",
                 0, NULL);
    if (!res)
        return -1;
    char marked[24];
    snprintf(marked, sizeof marked, "%s", PQgetvalue(res, 0, 0));
    PQclear(res);
    const char *outbox_params[] = {marked};
    long worst = -1;
    *oldest = "";
    for (size_t i = 0; i <= server->config.n_queues; i++) {
        const bus_queue_t *q = i == 0 ? &outbox : &server->config.queues[i - 1];
        res = db_query(call->db, q->sql, i == 0 ? 1 : 0, outbox_params);
        if (!res)
            return -1;
        double depth = atof(PQgetvalue(res, 0, 0)), age = atof(PQgetvalue(res, 0, 1));
        PQclear(res);
        char labels[128];
        snprintf(labels, sizeof labels, "service=\"%s\",queue=\"%s\"", server->config.name,
                 q->name);
        metrics_set(server->metrics, "samhand_queue_depth", labels, depth);
        metrics_set(server->metrics, "samhand_queue_oldest_age_seconds", labels, age);
        /* an event left unpublished a second (its replica's relay gone,
         * say): this one's relay publishes it */
        if (i == 0 && depth > 0 && age >= 1)
            db_outbox_nudge();
        /* a queue waiting on the parties' endpoints is theirs to mind */
        if (!q->is_external && (long)age > worst) {
            worst = (long)age;
            *oldest = q->name;
        }
    }
    return worst;
}

/* The built-in "<service>.Health": database reachable, schema version, and
 * the oldest item waiting in any of its queues. */
static int s_handle_health(bus_call_t *call, bus_server_t *server)
{
    Samhand__V1__HealthResponse response = SAMHAND__V1__HEALTH_RESPONSE__INIT;
    response.service = (char *)server->config.name;
    response.version = (char *)server->config.version;
    response.schema_version = db_schema_version(call->db);
    response.database_ok = response.schema_version >= 0;
    const char *oldest = "";
    long age = response.database_ok ? s_queues(call, server, &oldest) : -1;
    response.oldest_queue_item_age_seconds = age > 0 ? age : 0;
    response.oldest_queue = (char *)oldest;
    return bus_call_reply(call, &response.base);
}

/* For the test of a crash at the worst moment (test_outage): with
 * SAMHAND_TEST_EXIT_AFTER_COMMIT naming this method, the process dies as
 * soon as the change is committed, before its answer is sent. */
static void s_test_crash(const char *method, const bus_call_t *call)
{
    const char *at = getenv("SAMHAND_TEST_EXIT_AFTER_COMMIT");
    if (at && *at && strcmp(at, method) == 0 && call->code == BUS_OK) {
        log_warn("exiting after the commit of %s, as SAMHAND_TEST_EXIT_AFTER_COMMIT asks", method);
        _exit(70);
    }
}

/* Runs the handler; with an Idempotency-Key, a repeated request gets the
 * answer of the first instead of being done again. */
static void s_run_handler(const bus_route_t *route, bus_call_t *call)
{
    const Samhand__V1__Envelope *request = call->envelope;
    const char *key = request->idempotency_key;
    if (!key || !*key) {
        route->handle(call);
        /* a handler that failed mid-transaction; none left when a
         * long-poll could not have a connection again (answered 503) */
        if (call->db)
            db_rollback(call->db);
        return;
    }
    const char *subject = request->principal ? request->principal->subject : "";
    uint8_t *stored = NULL;
    size_t stored_len = 0;
    int seen = db_idempotency_begin(call->db, subject, request->method, key, request->body.data,
                                    request->body.len, &stored, &stored_len);
    if (seen < 0) {
        bus_call_fail_db(call, "check the idempotency key");
        return;
    }
    if (seen == 1) {
        call->body = stored;
        call->body_len = stored_len;
        call->code = BUS_OK;
    } else if (seen == 2) {
        bus_call_fail(call, BUS_UNPROCESSABLE, NULL,
                      "the Idempotency-Key was used before with a different request");
    } else {
        route->handle(call);
        db_rollback(call->db);
        s_test_crash(request->method, call);
        /* a handler that did not store its reply with its change: now */
        if (call->code == BUS_OK && !call->remembered &&
            db_idempotency_store(call->db, subject, request->method, key, request->body.data,
                                 request->body.len, call->body, call->body_len) != 0)
            log_warn("could not store the answer of an idempotent request: %s", db_error(call->db));
    }
    db_idempotency_end(call->db, subject, request->method, key);
}

/* Appends `value` to `out` as a Prometheus label value (\\, \", \n escaped). */
static void s_label_value(zchunk_t *out, const char *value)
{
    for (const char *p = value; *p; p++) {
        const char *escaped = *p == '\\' ? "\\\\" : *p == '"' ? "\\\"" : *p == '\n' ? "\\n" : NULL;
        if (escaped)
            zchunk_extend(out, escaped, 2);
        else
            zchunk_extend(out, p, 1);
    }
}

/* The service's gauges read now, as exposition text (malloc'ed, the caller
 * frees it): a family whose statement fails is left out, and logged. */
static char *s_gauges(bus_call_t *call, bus_server_t *server)
{
    zchunk_t *out = zchunk_new(NULL, 0);
    for (size_t i = 0; i < server->config.n_gauges; i++) {
        const bus_gauge_t *g = &server->config.gauges[i];
        PGresult *res = db_query(call->db, g->sql, 0, NULL);
        if (!res) {
            log_warn("could not read the gauge %s: %s", g->name, db_error(call->db));
            continue;
        }
        char line[512];
        /* what snprintf wrote, never what it would have */
#define LINE_LEN(n) ((size_t)((n) < 0 ? 0 : (n) >= (int)sizeof line ? (int)sizeof line - 1 : (n)))
        int len = snprintf(line, sizeof line, "# HELP %s %s\n# TYPE %s gauge\n", g->name, g->help,
                           g->name);
        zchunk_extend(out, line, LINE_LEN(len));
        for (int row = 0; row < PQntuples(res); row++) {
            len = snprintf(line, sizeof line, "%s{service=\"%s\",%s=\"", g->name,
                           server->config.name, g->label);
            zchunk_extend(out, line, LINE_LEN(len));
            s_label_value(out, PQgetvalue(res, row, 0));
            len = snprintf(line, sizeof line, "\"} %s\n", PQgetvalue(res, row, 1));
            zchunk_extend(out, line, LINE_LEN(len));
        }
#undef LINE_LEN
        PQclear(res);
    }
    char *text = strndup((const char *)zchunk_data(out), zchunk_size(out));
    zchunk_destroy(&out);
    return text;
}

/* The built-in "<service>.Metrics": this process's metrics as text. */
static int s_handle_metrics(bus_call_t *call, bus_server_t *server)
{
    const char *oldest;
    s_queues(call, server, &oldest); /* fresh gauges for this scrape */
    Samhand__V1__MetricsResponse response = SAMHAND__V1__METRICS_RESPONSE__INIT;
    char *own = metrics_render(server->metrics);
    char *gauges = s_gauges(call, server);
    char *process = metrics_render(metrics_process());
    if (asprintf(&response.text, "%s%s%s", own, gauges ? gauges : "", process) < 0)
        response.text = NULL;
    free(own);
    free(gauges);
    free(process);
    bus_call_reply(call, &response.base);
    free(response.text);
    return 0;
}

static void s_count(bus_server_t *server, const char *method, bus_code_t code, double seconds)
{
    char labels[256];
    const ProtobufCEnumValue *name =
        protobuf_c_enum_descriptor_get_value(&samhand__v1__status__code__descriptor, (int)code);
    snprintf(labels, sizeof labels, "service=\"%s\",method=\"%s\",code=\"%s\"", server->config.name,
             method, name ? name->name : "UNKNOWN");
    metrics_add(server->metrics, "samhand_bus_requests_total", labels, 1);
    snprintf(labels, sizeof labels, "service=\"%s\",method=\"%s\"", server->config.name, method);
    metrics_observe(server->metrics, "samhand_bus_request_duration_seconds", labels, seconds);
}

/* Handles one envelope and returns the packed reply, or NULL to drop it. */
/* Handles one envelope on the connection *db_p (which a long-poll may
 * trade for another, or lose: NULL) and returns the packed reply, or
 * NULL to drop it. */
static zframe_t *s_handle(bus_server_t *server, db_t **db_p, zframe_t *payload)
{
    db_t *db = *db_p;
    bus_call_t call = {.db = db, .service = server->config.service, .server = server};
    Samhand__V1__Envelope *request =
        samhand__v1__envelope__unpack(NULL, zframe_size(payload), zframe_data(payload));
    if (!request) {
        log_warn("dropped a message that is not an envelope (%zu bytes)", zframe_size(payload));
        return NULL;
    }
    log_set_request_id(request->request_id);
    call.envelope = request;

    ProtobufCMessage *body = NULL;
    char health_method[96], metrics_method[96];
    snprintf(health_method, sizeof health_method, "%s.Health", server->config.name);
    snprintf(metrics_method, sizeof metrics_method, "%s.Metrics", server->config.name);
    const bus_route_t *route = NULL;
    int64_t start_us = zclock_usecs();
    if (request->deadline_ms && bus_now_ms() > request->deadline_ms) {
        bus_call_fail(&call, BUS_DEADLINE_EXCEEDED, NULL, "deadline passed before handling");
    } else if (!db) {
        bus_call_fail(&call, BUS_UNAVAILABLE, NULL, "the database cannot be reached");
    } else if (strcmp(request->method, health_method) == 0) {
        s_handle_health(&call, server);
    } else if (strcmp(request->method, metrics_method) == 0) {
        s_handle_metrics(&call, server);
    } else {
        route = s_find_route(server, request->method);
        if (!route) {
            bus_call_fail(&call, BUS_UNIMPLEMENTED, NULL, "unknown method \"%s\"", request->method);
        } else if (!(body = protobuf_c_message_unpack(route->request, NULL, request->body.len,
                                                      request->body.data))) {
            bus_call_fail(&call, BUS_INVALID_ARGUMENT, NULL, "could not decode %s",
                          route->request->name);
        } else {
            call.request = body;
            const Samhand__V1__Principal *p = request->principal;
            db_set_actor(call.db, p ? p->subject : NULL, p ? p->organization_id : NULL);
            s_run_handler(route, &call);
            if (call.db)
                db_set_actor(call.db, NULL, NULL);
        }
    }

    Samhand__V1__Status status = SAMHAND__V1__STATUS__INIT;
    status.code = call.code;
    status.message = call.message;
    status.field = call.field;
    if (call.code != BUS_OK && call.is_failed_with_errors) {
        status.errors = call.errors;
        status.n_errors = call.n_errors;
    }
    Samhand__V1__Envelope reply = SAMHAND__V1__ENVELOPE__INIT;
    reply.request_id = request->request_id;
    reply.method = request->method;
    reply.status = &status;
    reply.body.data = call.body;
    reply.body.len = call.body_len;
    reply.is_document = call.is_document && call.code == BUS_OK;
    zframe_t *frame = zframe_new(NULL, samhand__v1__envelope__get_packed_size(&reply));
    samhand__v1__envelope__pack(&reply, zframe_data(frame));
    if (call.code != BUS_OK && call.code != BUS_NOT_FOUND)
        log_info("%s answered %d: %s", request->method, call.code, call.message);
    /* only methods of the table: unknown names must not grow the series */
    if (route)
        s_count(server, route->method, call.code, (double)(zclock_usecs() - start_us) / 1e6);

    free(call.body);
    s_errors_free(&call);
    if (body)
        protobuf_c_message_free_unpacked(body, NULL);
    samhand__v1__envelope__free_unpacked(request, NULL);
    log_set_request_id(NULL);
    *db_p = call.db;
    return frame;
}

/* A fiber waiting for a connection: handed one (or NULL: try again, a
 * slot is free) when its turn comes. */
struct s_waiter {
    fiber_t *fiber;
    db_t *db;
    bool done;
};

/* Hands `db` to the fiber that has waited longest; false when none waits. */
static bool s_hand_over(bus_server_t *server, db_t *db)
{
    if (server->n_waiting == 0)
        return false;
    s_waiter_t *next = server->waiting[server->waiting_head];
    server->waiting_head = (server->waiting_head + 1) % WAITING_MAX;
    server->n_waiting--;
    next->db = db;
    next->done = true;
    fiber_wake(next->fiber);
    return true;
}

db_t *bus_server_db_take(bus_server_t *server)
{
    if (server->n_idle > 0)
        return server->idle[--server->n_idle];
    if (server->n_connections < server->config.connections) {
        /* one more, opened now; the loop goes on while it connects */
        int slot = server->n_connections++;
        db_t *db = db_new(server->config.database_url, server->config.name, 2000);
        if (db) {
            server->connections[slot] = db;
            if (server->trimmer)
                fiber_wake(server->trimmer); /* to close it again when idle */
            return db;
        }
        server->n_connections--;
        s_hand_over(server, NULL); /* the slot is free again: the next may try */
        return NULL;
    }
    s_waiter_t waiter = {fiber_self(), NULL, false};
    assert(waiter.fiber && server->n_waiting < WAITING_MAX);
    server->waiting[(server->waiting_head + server->n_waiting) % WAITING_MAX] = &waiter;
    server->n_waiting++;
    while (!waiter.done)
        fiber_park(); /* a wake for another reason: still waiting */
    return waiter.db ? waiter.db : bus_server_db_take(server);
}

void bus_server_db_give_back(bus_server_t *server, db_t *db)
{
    if (s_hand_over(server, db))
        return;
    /* the most recently used is taken first: those below it age */
    server->idle_since[server->n_idle] = bus_now_ms();
    server->idle[server->n_idle++] = db;
}

typedef struct {
    bus_server_t *server;
    zmsg_t *msg; /* the client's identity frames, then the envelope */
} s_request_t;

/* One request, on a fiber of its own: a connection, the handler, the
 * reply to whoever asked. */
static void s_request_fiber(void *arg)
{
    s_request_t *request = arg;
    bus_server_t *server = request->server;
    zmsg_t *msg = request->msg;
    free(request);
    zframe_t *payload = zmsg_last(msg);
    zframe_t *reply = NULL;
    if (payload) {
        db_t *db = bus_server_db_take(server);
        reply = s_handle(server, &db, payload);
        if (db)
            bus_server_db_give_back(server, db);
    }
    if (reply) {
        zmsg_remove(msg, payload);
        zframe_destroy(&payload);
        zmsg_append(msg, &reply);
        zmsg_send(&msg, server->frontend);
    }
    zmsg_destroy(&msg);
    server->in_flight--;
    if (server->reader_parked) {
        server->reader_parked = false;
        fiber_wake(server->reader);
    }
}

/* Reads the ROUTER and starts a fiber for every request, until stopping. */
static void s_reader_fiber(void *arg)
{
    bus_server_t *server = arg;
    void *router = zsock_resolve(server->frontend);
    while (!server->stopping) {
        if (server->in_flight >= IN_FLIGHT_MAX) {
            server->reader_parked = true;
            fiber_park();
            server->reader_parked = false; /* woken to stop, too */
            continue;
        }
        /* the ROUTER's receive timeout is 0: NULL when nothing is queued */
        zmsg_t *msg = zmsg_recv(server->frontend);
        if (!msg) {
            fiber_wait(router, -1, ZMQ_POLLIN, -1);
            continue;
        }
        s_request_t *request = malloc(sizeof *request);
        if (!request) {
            zmsg_destroy(&msg);
            continue;
        }
        *request = (s_request_t){server, msg};
        if (!fiber_spawn(s_request_fiber, request)) {
            log_error("could not start a fiber for a request; dropped it");
            zmsg_destroy(&msg);
            free(request);
            continue;
        }
        server->in_flight++;
    }
    server->reader = NULL; /* the requests still in flight wake it no more */
}

/* Sleeps while one connection is open; once more are, closes those the
 * work has left free for BUS_CONNECTION_IDLE_MS, the first one aside. */
static void s_trimmer_fiber(void *arg)
{
    bus_server_t *server = arg;
    while (!server->stopping) {
        if (server->n_connections <= 1) {
            fiber_park(); /* woken when a connection is opened */
            continue;
        }
        /* all in use: none has been free for long */
        int64_t free_for = server->n_idle ? bus_now_ms() - server->idle_since[0] : 0;
        if (free_for < BUS_CONNECTION_IDLE_MS) {
            fiber_poll(NULL, 0, (int)(BUS_CONNECTION_IDLE_MS - free_for));
            continue;
        }
        /* the longest free, at the bottom of the stack */
        db_t *db = server->idle[0];
        server->n_idle--;
        memmove(server->idle, server->idle + 1, (size_t)server->n_idle * sizeof *server->idle);
        memmove(server->idle_since, server->idle_since + 1,
                (size_t)server->n_idle * sizeof *server->idle_since);
        for (int i = 0; i < server->n_connections; i++)
            if (server->connections[i] == db)
                server->connections[i] = server->connections[--server->n_connections];
        db_destroy(&db);
    }
    server->trimmer = NULL; /* a connection opened from now on wakes nobody */
}

void bus_server_serve(bus_server_t *server)
{
    zsock_set_rcvtimeo(server->frontend, 0);
    server->reader = fiber_spawn(s_reader_fiber, server);
    server->trimmer = fiber_spawn(s_trimmer_fiber, server);
    assert(server->reader && server->trimmer);
    log_info("%s listening on %s, up to %d database connections", server->config.name,
             server->bound_endpoint, server->config.connections);
}

/* A request waiting for news, on its fiber's stack. */
struct s_awaiter {
    fiber_t *fiber;
    bool changed;
    s_awaiter_t *prev, *next;
};

void bus_server_changed(bus_server_t *server)
{
    for (s_awaiter_t *a = server->awaiting; a; a = a->next) {
        a->changed = true;
        fiber_wake(a->fiber);
    }
}

int bus_call_await_change(bus_call_t *call, int64_t until_ms)
{
    bus_server_t *server = call->server;
    const char *key = call->envelope->idempotency_key;
    int64_t left = until_ms - bus_now_ms();
    if (!server || !fiber_active() || server->stopping || left <= 0 || (key && *key))
        return 1;
    db_set_actor(call->db, NULL, NULL);
    bus_server_db_give_back(server, call->db);
    call->db = NULL;
    s_awaiter_t self = {fiber_self(), false, NULL, server->awaiting};
    if (server->awaiting)
        server->awaiting->prev = &self;
    server->awaiting = &self;
    while (!self.changed && !server->stopping && (left = until_ms - bus_now_ms()) > 0)
        fiber_poll(NULL, 0, (int)left);
    if (self.prev)
        self.prev->next = self.next;
    else
        server->awaiting = self.next;
    if (self.next)
        self.next->prev = self.prev;
    call->db = bus_server_db_take(server);
    if (!call->db)
        return bus_call_fail(call, BUS_UNAVAILABLE, NULL, "the database cannot be reached");
    const Samhand__V1__Principal *p = call->envelope->principal;
    db_set_actor(call->db, p ? p->subject : NULL, p ? p->organization_id : NULL);
    return self.changed ? 0 : 1;
}

/* LISTENs for the changes the followers of every replica announce, and
 * tells this replica's waiting requests; connects again when the
 * connection is lost (a change meanwhile: they look again anyway). */
static void s_listener_fiber(void *arg)
{
    bus_server_t *server = arg;
    db_t *db = NULL;
    while (!server->stopping) {
        if (!db) {
            db = db_new(server->config.database_url, server->config.name, 2000);
            char sql[128];
            snprintf(sql, sizeof sql, "LISTEN %s", server->channel);
            PGresult *res = db ? db_query(db, sql, 0, NULL) : NULL;
            if (!res) {
                db_destroy(&db);
                fiber_sleep(1000);
                continue;
            }
            PQclear(res);
            bus_server_changed(server); /* what came while not listening */
            if (server->stopping)
                break; /* the stop's wake ended the connect, not the wait below */
        }
        fiber_wait(NULL, db_socket(db), ZMQ_POLLIN, -1);
        int n = db_notifications(db);
        if (n < 0)
            db_destroy(&db);
        else if (n > 0)
            bus_server_changed(server);
    }
    db_destroy(&db);
    server->listener = NULL;
}

void bus_server_listen_changes(bus_server_t *server)
{
    snprintf(server->channel, sizeof server->channel, "samhand_changed_%s", server->config.name);
    server->listener = fiber_spawn(s_listener_fiber, server);
}

bool bus_server_announce_change(bus_server_t *server, db_t *db)
{
    if (!server->channel[0]) /* nobody listens for this replica's changes */
        return false;
    const char *params[] = {server->channel};
    PGresult *res = db_query(db, "SELECT pg_notify($1, '')", 1, params);
    PQclear(res);
    return res != NULL;
}

void bus_server_stop(bus_server_t *server)
{
    if (server->stopping)
        return;
    server->stopping = true;
    /* each clears its pointer when it ends */
    if (server->reader)
        fiber_wake(server->reader);
    if (server->listener)
        fiber_wake(server->listener);
    if (server->trimmer)
        fiber_wake(server->trimmer);
    for (s_awaiter_t *a = server->awaiting; a; a = a->next)
        fiber_wake(a->fiber);
}

/* Waits for the actor's $TERM, then stops the reader; the requests in
 * flight finish, and with them the loop. */
static void s_stop_fiber(void *arg)
{
    bus_server_t *server = arg;
    zsock_t *pipe = server->loop_pipe;
    for (;;) {
        fiber_wait(zsock_resolve(pipe), -1, ZMQ_POLLIN, -1);
        char *command = zstr_recv(pipe); /* there: it was ready */
        bool term = command && strcmp(command, "$TERM") == 0;
        zstr_free(&command);
        if (term)
            break;
    }
    bus_server_stop(server);
}

/* A thread of the server's own whose loop runs its fibers. */
static void s_loop_actor(zsock_t *pipe, void *args)
{
    bus_server_t *server = args;
    server->loop_pipe = pipe;
    bus_server_serve(server);
    fiber_spawn(s_stop_fiber, server);
    zsock_signal(pipe, 0);
    fiber_loop_run();
}

bus_server_t *bus_server_new(const bus_server_config_t *config)
{
    bus_server_t *server = calloc(1, sizeof *server);
    assert(server);
    server->config = *config;
    if (server->config.connections < 1)
        server->config.connections = 1;

    server->metrics = metrics_new();
    metrics_describe(server->metrics, "samhand_bus_requests_total", METRICS_COUNTER,
                     "Requests a service answered, by method and status");
    metrics_describe(server->metrics, "samhand_bus_request_duration_seconds", METRICS_HISTOGRAM,
                     "Time a service took to answer, by method");
    metrics_describe(server->metrics, "samhand_queue_depth", METRICS_GAUGE,
                     "Items waiting in a queue");
    metrics_describe(server->metrics, "samhand_queue_oldest_age_seconds", METRICS_GAUGE,
                     "Age of the oldest item waiting in a queue (0 when empty)");
    server->frontend = zsock_new(ZMQ_ROUTER);
    zsock_set_router_mandatory(server->frontend, 0);
    zsock_set_linger(server->frontend, 0);
    curve_server(server->frontend);
    char *endpoints = strdup(config->endpoints);
    for (char *save = NULL, *e = strtok_r(endpoints, ",", &save); e;
         e = strtok_r(NULL, ",", &save)) {
        if (zsock_bind(server->frontend, "%s", e) < 0) {
            log_error("could not bind %s: %s", e, zmq_strerror(zmq_errno()));
            free(endpoints);
            bus_server_destroy(&server);
            return NULL;
        }
    }
    free(endpoints);
    server->bound_endpoint = zsock_last_endpoint(server->frontend);

    int n = server->config.connections;
    server->connections = calloc((size_t)n, sizeof *server->connections);
    server->idle = calloc((size_t)n, sizeof *server->idle);
    server->idle_since = calloc((size_t)n, sizeof *server->idle_since);
    assert(server->connections && server->idle && server->idle_since);
    /* one now, so a database out of reach fails the start; more as the
     * work asks for them */
    db_t *first = db_new(config->database_url, config->name, 10000);
    if (!first) {
        bus_server_destroy(&server);
        return NULL;
    }
    server->connections[server->n_connections++] = first;
    server->idle_since[server->n_idle] = bus_now_ms();
    server->idle[server->n_idle++] = first;
    return server;
}

int bus_server_start(bus_server_t *server)
{
    server->loop = zactor_new(s_loop_actor, server);
    return 0;
}

const char *bus_server_endpoint(bus_server_t *server)
{
    return server->bound_endpoint;
}

void bus_server_destroy(bus_server_t **server_p)
{
    if (!server_p || !*server_p)
        return;
    bus_server_t *server = *server_p;
    zactor_destroy(&server->loop);
    if (server->connections) {
        for (int i = 0; i < server->n_connections; i++)
            db_destroy(&server->connections[i]);
        free(server->connections);
    }
    free(server->idle);
    free(server->idle_since);
    zsock_destroy(&server->frontend);
    zstr_free(&server->bound_endpoint);
    metrics_destroy(&server->metrics);
    free(server);
    *server_p = NULL;
}

/* ------------------------------------------------------------------ client */

struct bus_client {
    zsock_t *dealer;
};

bus_client_t *bus_client_new(const char *endpoints)
{
    bus_client_t *client = calloc(1, sizeof *client);
    assert(client);
    client->dealer = zsock_new(ZMQ_DEALER);
    zsock_set_linger(client->dealer, 0);
    curve_client(client->dealer);
    zsock_set_immediate(client->dealer, 1);
    zsock_set_rcvtimeo(client->dealer, 0); /* waits are fiber_wait's */
    char *list = strdup(endpoints);
    for (char *save = NULL, *e = strtok_r(list, ",", &save); e; e = strtok_r(NULL, ",", &save))
        zsock_connect(client->dealer, "%s", e);
    free(list);
    return client;
}

void bus_client_destroy(bus_client_t **client_p)
{
    if (!client_p || !*client_p)
        return;
    zsock_destroy(&(*client_p)->dealer);
    free(*client_p);
    *client_p = NULL;
}

Samhand__V1__Envelope *bus_client_call(bus_client_t *client, const char *method,
                                       const ProtobufCMessage *request, int timeout_ms)
{
    char request_id[33];
    bus_random_id(request_id);
    int64_t deadline = bus_now_ms() + timeout_ms;

    Samhand__V1__Envelope envelope = SAMHAND__V1__ENVELOPE__INIT;
    envelope.request_id = request_id;
    envelope.method = (char *)method;
    envelope.deadline_ms = deadline;
    envelope.body.len = protobuf_c_message_get_packed_size(request);
    envelope.body.data = malloc(envelope.body.len ? envelope.body.len : 1);
    assert(envelope.body.data);
    protobuf_c_message_pack(request, envelope.body.data);
    zframe_t *frame = zframe_new(NULL, samhand__v1__envelope__get_packed_size(&envelope));
    samhand__v1__envelope__pack(&envelope, zframe_data(frame));
    free(envelope.body.data);

    /* With ZMQ_IMMEDIATE a send waits for a connected peer; give it the
     * same deadline rather than queueing for nobody. The waits are
     * fiber_wait's, so on a fiber the loop goes on meanwhile. */
    void *dealer = zsock_resolve(client->dealer);
    while (zframe_send(&frame, client->dealer, ZFRAME_DONTWAIT) != 0) {
        int64_t left = deadline - bus_now_ms();
        if (left <= 0 || !(fiber_wait(dealer, -1, ZMQ_POLLOUT, (int)left) & ZMQ_POLLOUT)) {
            zframe_destroy(&frame);
            return NULL;
        }
    }
    Samhand__V1__Envelope *reply = NULL;
    for (int64_t left = timeout_ms; left > 0 && !reply; left = deadline - bus_now_ms()) {
        if (!(fiber_wait(dealer, -1, ZMQ_POLLIN, (int)left) & ZMQ_POLLIN))
            continue;
        zframe_t *in = zframe_recv(client->dealer); /* receive timeout 0 */
        if (!in)
            continue;
        reply = samhand__v1__envelope__unpack(NULL, zframe_size(in), zframe_data(in));
        zframe_destroy(&in);
        if (reply && strcmp(reply->request_id, request_id) != 0) {
            /* a late reply to an earlier call that timed out */
            samhand__v1__envelope__free_unpacked(reply, NULL);
            reply = NULL;
        }
    }
    return reply;
}

int bus_call_check_version(bus_call_t *call, const char *table, const char *id)
{
    return bus_call_check_version_by(call, table, "id", id);
}

int bus_call_check_version_by(bus_call_t *call, const char *table, const char *key, const char *id)
{
    const char *wanted = call->envelope->if_match;
    if (!wanted || !*wanted)
        return 0;
    char sql[200];
    snprintf(sql, sizeof sql,
             "SELECT (extract(epoch FROM updated_at) * 1000000)::bigint::text FROM %s "
             "WHERE %s::text = $1 FOR UPDATE",
             table, key);
    const char *params[] = {id};
    PGresult *res = db_query(call->db, sql, 1, params);
    if (!res)
        return bus_call_fail_db(call, "read the version");
    bool changed = PQntuples(res) > 0 && strcmp(PQgetvalue(res, 0, 0), wanted) != 0;
    PQclear(res);
    if (changed)
        return bus_call_fail(call, BUS_PRECONDITION_FAILED, NULL,
                             "it was changed after the version in If-Match; read it again");
    return 0;
}
