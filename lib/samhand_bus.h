/* The bus: protobuf Envelopes over ZeroMQ. A service runs a bus_server: one
 * thread reads the ROUTER and handles each request on a fiber of its own
 * (samhand_fiber.h), dispatching by method through the service's route
 * table, on one of a few database connections whose waits give the thread
 * to the other requests. A client sends an Envelope on a DEALER and
 * matches the reply by request id. */
#ifndef SAMHAND_BUS_H
#define SAMHAND_BUS_H

#include <czmq.h>
#include <stdbool.h>
#include <stdint.h>

#include "samhand/v1/envelope.pb-c.h"
#include "samhand_db.h"

typedef Samhand__V1__Status__Code bus_code_t;
#define BUS_OK SAMHAND__V1__STATUS__CODE__OK
#define BUS_INVALID_ARGUMENT SAMHAND__V1__STATUS__CODE__INVALID_ARGUMENT
#define BUS_NOT_FOUND SAMHAND__V1__STATUS__CODE__NOT_FOUND
#define BUS_ALREADY_EXISTS SAMHAND__V1__STATUS__CODE__ALREADY_EXISTS
#define BUS_FAILED_PRECONDITION SAMHAND__V1__STATUS__CODE__FAILED_PRECONDITION
#define BUS_PERMISSION_DENIED SAMHAND__V1__STATUS__CODE__PERMISSION_DENIED
#define BUS_UNAUTHENTICATED SAMHAND__V1__STATUS__CODE__UNAUTHENTICATED
#define BUS_UNAVAILABLE SAMHAND__V1__STATUS__CODE__UNAVAILABLE
#define BUS_DEADLINE_EXCEEDED SAMHAND__V1__STATUS__CODE__DEADLINE_EXCEEDED
#define BUS_INTERNAL SAMHAND__V1__STATUS__CODE__INTERNAL
#define BUS_UNIMPLEMENTED SAMHAND__V1__STATUS__CODE__UNIMPLEMENTED
#define BUS_UNPROCESSABLE SAMHAND__V1__STATUS__CODE__UNPROCESSABLE
#define BUS_PRECONDITION_FAILED SAMHAND__V1__STATUS__CODE__PRECONDITION_FAILED
#define BUS_PRECONDITION_REQUIRED SAMHAND__V1__STATUS__CODE__PRECONDITION_REQUIRED

/* One request being handled, on its fiber. */
typedef struct {
    const Samhand__V1__Envelope *envelope; /* principal, request id, deadline */
    const ProtobufCMessage *request;       /* unpacked body, of the route's type */
    db_t *db;                              /* the connection it has for its time */
    void *service;                         /* the service context given to the server */
    struct bus_server *server;             /* the server handling it */
    /* The reply, set through bus_call_reply() or bus_call_fail(). */
    bus_code_t code;
    char message[512];
    char field[128];
    uint8_t *body;
    size_t body_len;
    bool is_document; /* body is a samhand.v1.Document to pass on as it is */
    bool remembered;  /* the reply is stored for its Idempotency-Key in the change's transaction */
    /* Errors of several fields (bus_call_add_error), which the reply
     * carries when bus_call_fail_errors failed the call. */
    Samhand__V1__FieldError **errors;
    size_t n_errors;
    bool is_failed_with_errors;
    /* The person a handler reads for instead of the caller: a service's
     * document made for one recipient of a mail (a handler sets it on a
     * call of its own that it hands to another); NULL: the caller. */
    const char *reader_person_id;
} bus_call_t;

typedef struct {
    const char *method; /* "agenda.CreateOrganization" */
    const ProtobufCMessageDescriptor *request;
    int (*handle)(bus_call_t *call); /* 0 or -1 (after bus_call_fail) */
} bus_route_t;

/* Packs `response` as the reply body. Returns 0. */
int bus_call_reply(bus_call_t *call, const ProtobufCMessage *response);
/* bus_call_reply(), then frees the response (as unpacked or built by
 * protobuf-c's allocator): for an answer read from the store. */
int bus_call_reply_free(bus_call_t *call, ProtobufCMessage *response);

/* The reply of a change, set while its transaction is still open: with
 * an Idempotency-Key it is stored in that same transaction, so a repeat
 * gets it even if this process dies right after the commit, and the change
 * is not done twice. Call it just before the commit. 0, or -1 when the
 * store failed (the transaction is then aborted: fail and roll back). */
int bus_call_reply_before_commit(bus_call_t *call, const ProtobufCMessage *response);

/* Replies with a rendered document (CSV, HTML, iCalendar) instead of the
 * route's message; the gateway sends it as it is. Returns 0. */
int bus_call_reply_document(bus_call_t *call, const char *content_type, const void *body,
                            size_t len, const char *filename);

/* Sets an error reply naming the offending request field (proto name, or
 * NULL). Returns -1 so handlers can `return bus_call_fail(...)`. */
int bus_call_fail(bus_call_t *call, bus_code_t code, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Notes an error of one request field (proto name) without failing the
 * call yet, so that every field at fault is named in one answer. */
void bus_call_add_error(bus_call_t *call, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Fails the call with `code` and every error added (the first as its
 * message and field, all in the reply's errors) and returns -1; returns 0
 * when none was added. */
int bus_call_fail_errors(bus_call_t *call, bus_code_t code);

/* A list request's page, as every list takes it: `limit` 1 to 500 (0:
 * 50) and `cursor`, the position this service gave out as nextCursor
 * ("": the start). 0, or -1 having failed the call naming the field. */
int bus_call_page(bus_call_t *call, int32_t limit, const char *cursor, int64_t *after,
                  int *limit_out);

/* True when the caller's principal holds one of the `roles` (names,
 * NULL-terminated): the gateway filled them in after authentication. */
bool bus_call_has_role(const bus_call_t *call, const char *const *roles);

/* True when the caller's principal holds the one role `role` (such as
 * "administrator"): the role check every service makes. */
bool bus_call_holds_role(const bus_call_t *call, const char *role);
/* Whether the caller holds `role` for the partnership: a principal of no
 * organisation. A party's administrator or quality staff are that party's
 * and hold no power over the others or the partnership's own settings. */
bool bus_call_holds_partnership_role(const bus_call_t *call, const char *role);

/* A long-poll's envelope deadline is the end of its wait plus this margin:
 * the service answers (with nothing, if nothing came) by the wait's end,
 * and the answer has the margin to travel back. */
#define BUS_LONG_POLL_MARGIN_MS 2000

/* For a request that waits for news (a long-poll): gives its connection
 * back and sleeps until the service's read model changes
 * (bus_server_changed), until `until_ms` (bus_now_ms's clock), or until
 * the server stops; then has a connection again in call->db. 0 when
 * something changed, 1 at the end of the wait, -1 having failed the call
 * (no connection to be had again). No transaction may be open; a request
 * with an Idempotency-Key does not wait (1 at once). */
int bus_call_await_change(bus_call_t *call, int64_t until_ms);

/* Maps the call connection's last database error to a reply: constraint
 * violations become client errors, the rest INTERNAL (logged). Returns -1. */
int bus_call_fail_db(bus_call_t *call, const char *what);

/* --- server --- */

/* A queue of the service watched by operators: one statement giving its
 * depth and the age in seconds of its oldest item (0 when empty). A queue
 * that waits on others (the parties' endpoints) is shown and measured,
 * but never makes the service unready: its health is its owners'. */
typedef struct {
    const char *name; /* "webhooks" */
    const char *sql;
    bool is_external;
} bus_queue_t;

/* A family of gauges read fresh at every scrape, one series a row of its
 * statement (label value, value); a series gone from the answer is gone
 * from /metrics. The statement bounds its rows. */
typedef struct {
    const char *name;  /* "samhand_webhook_subscription_consecutive_failures" */
    const char *help;  /* its HELP text */
    const char *label; /* the label each row names, e.g. "subscription" */
    const char *sql;
} bus_gauge_t;

typedef struct {
    const char *name; /* service name, also the method prefix */
    const char *version;
    const char *endpoints; /* where the ROUTER binds, comma separated */
    const char *database_url;
    const bus_route_t *routes;
    size_t n_routes;
    int connections; /* database connections the requests share */
    void *service;
    const bus_queue_t *queues; /* besides the outbox every service has */
    size_t n_queues;
    const bus_gauge_t *gauges; /* read at each scrape of its metrics */
    size_t n_gauges;
} bus_server_config_t;

typedef struct bus_server bus_server_t;

/* Binds the ROUTER and opens the database connections; the service's
 * schema must already be migrated. Returns NULL on failure (logged). The
 * config is copied, its strings and routes are borrowed. */
bus_server_t *bus_server_new(const bus_server_config_t *config);

/* Serves on this thread's loop: a fiber reads the ROUTER and starts a
 * fiber for each request; fiber_loop_run() runs them. */
void bus_server_serve(bus_server_t *server);

/* A route another module serves for the server, beside the service's own
 * (the relay's "<service>.Events"): copied, its strings borrowed. At most
 * BUS_OWN_ROUTES_MAX. */
#define BUS_OWN_ROUTES_MAX 4
void bus_server_route(bus_server_t *server, const bus_route_t *route);
/* Stops reading the ROUTER; the requests in flight finish (those waiting
 * for news stop waiting). */
void bus_server_stop(bus_server_t *server);

/* The service's read model changed (a follower applied events): every
 * request waiting in bus_call_await_change looks again. */
void bus_server_changed(bus_server_t *server);

/* For replicas: the changes any replica's followers commit reach the
 * waiting requests of every replica. A fiber LISTENs on a connection of
 * its own; bus_server_announce_change, in the follower's transaction,
 * NOTIFYs at its commit. Call once, before fiber_loop_run. */
void bus_server_listen_changes(bus_server_t *server);
/* In the caller's open transaction: tells every replica at commit (or, not
 * listening, this one's requests at once after the commit: call
 * bus_server_changed then). Returns true when the change was announced
 * to the listeners. */
bool bus_server_announce_change(bus_server_t *server, db_t *db);

/* Serves on a thread of the server's own instead (bus_server_destroy
 * stops it). Returns 0. */
int bus_server_start(bus_server_t *server);

/* A database connection of the server's for a fiber of its loop (the
 * relay's, a consumer's, scheduled work), waiting in turn for one; NULL
 * when the database cannot be reached. Give it back, with no transaction
 * open, as soon as the work is done. */
db_t *bus_server_db_take(bus_server_t *server);
void bus_server_db_give_back(bus_server_t *server, db_t *db);
/* Connections beyond the first that the work has not needed for this long
 * are closed: an idle service holds one. */
#define BUS_CONNECTION_IDLE_MS 10000

/* Stops, closes and frees everything; accepts NULL. */
void bus_server_destroy(bus_server_t **server_p);

/* The endpoint actually bound (useful with tcp://127.0.0.1:*); borrowed. */
const char *bus_server_endpoint(bus_server_t *server);

/* --- client --- */

typedef struct bus_client bus_client_t;

/* A DEALER connected to every endpoint of the comma-separated list. */
bus_client_t *bus_client_new(const char *endpoints);
void bus_client_destroy(bus_client_t **client_p);

/* Sends `request` as `method` and waits up to `timeout_ms` for the reply.
 * Returns the reply envelope (free with samhand__v1__envelope__free_unpacked)
 * or NULL on timeout or when no service is connected. */
Samhand__V1__Envelope *bus_client_call(bus_client_t *client, const char *method,
                                       const ProtobufCMessage *request, int timeout_ms);

/* --- helpers --- */

int64_t bus_now_ms(void);

/* Writes 32 lowercase hex characters of randomness and a NUL into `out`. */
void bus_random_id(char out[33]);

/* With If-Match (the envelope's if_match): locks the row `id` of `table`
 * (a literal of the caller's) in the caller's transaction and compares its
 * version, the microseconds of updated_at. 0 when it may go on (no
 * If-Match, or the same version, or no such row: the handler says 404),
 * -1 having failed the call (412, or a database error). */
int bus_call_check_version(bus_call_t *call, const char *table, const char *id);
/* The same for a row whose key column is not "id" (a literal too). */
int bus_call_check_version_by(bus_call_t *call, const char *table, const char *key, const char *id);

#endif
