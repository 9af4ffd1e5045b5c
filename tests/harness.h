/* Test harness shared by the tests, one file a concern: a fresh database
 * per test program on the PostgreSQL that `./samhand test` started
 * (harness_db.c), the real binaries started as child processes on free
 * ports and the administrator's requests and fixtures against them
 * (harness_stack.c), a small HTTP client and the assertions on its answers
 * (harness_http.c), a real webhook receiver (harness_receiver.c) and a
 * real SMTP server (harness_smtp.c); test tokens and PDFs have headers of
 * their own (harness_jwt.h, harness_pdf.h). */
#ifndef SAMHAND_TEST_HARNESS_H
#define SAMHAND_TEST_HARNESS_H

#include <jansson.h>
#include <stdbool.h>
#include <sys/types.h>

/* cmocka needs these before its header */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

/* ---- the databases (harness_db.c) */

/* The services, each with its role and schema: agenda, deviation, notify. */
extern const char *const harness_services[3];

/* Creates a new, empty database for this test program and returns its URL
 * (static storage). Aborts the test program when no test PostgreSQL is
 * configured (SAMHAND_TEST_DATABASE_URL, set by ./samhand test). */
const char *harness_database_url(void);

/* The URL of harness_database_url() logging in as `service`'s own role
 * ("agenda", "deviation", "notify"), which owns that service's schema. */
const char *harness_service_url(const char *service);

/* Waits until `service` ("agenda") has published every event it committed
 * (its outbox numbered to the end, and a moment for the relay's sending
 * after its mark), failing the test after 10 s: what a
 * test raised is then on the bus, or waiting at a follower stopped with
 * SIGSTOP for it to take in one run. */
void harness_await_published(const char *service);

/* ---- the HTTP client and its assertions (harness_http.c) */

/* An answer. */
typedef struct {
    long status;
    char *body;      /* NUL-terminated */
    size_t body_len; /* what came, a PDF's NUL bytes too */
    json_t *json;    /* parsed body, or NULL */
    char content_type[128];
    char location[256]; /* the Location header, or "" */
    char *headers;      /* every header line of the answer, as received */
} harness_http_response_t;

/* The value of the answer's header `name` (case-insensitive) in `out`, or
 * "" when it has none; returns out. */
const char *harness_http_header(const harness_http_response_t *response, const char *name,
                                char *out, size_t size);

/* One HTTP request; `body` may be NULL; `headers` is NULL-terminated or
 * NULL. A body is sent as application/json unless a header says otherwise. Never fails the test
 * itself: status 0 means no answer. */
harness_http_response_t *harness_http_request(const char *method, const char *url, const char *body,
                                              const char *const *headers);
void harness_http_response_free(harness_http_response_t **response_p);

/* Runs `command` (a shell command line with %s for a file that holds the
 * answer's body, as `pdftotext %s -`) to read a document back with an
 * outside tool. Returns what it wrote (the caller frees it), its exit
 * status in *status. */
char *harness_http_body_through(const harness_http_response_t *response, const char *command,
                                int *status) __attribute__((format(printf, 2, 0)));

/* Asserts the status, printing the body when it is another. */
void harness_expect_status(harness_http_response_t *response, long status);

/* Asserts a problem+json answer with `status` naming `field` (NULL: any). */
void harness_assert_problem(harness_http_response_t *response, long status, const char *field);

/* The string member `key` of the response's JSON ("" when absent). */
const char *harness_json_text(harness_http_response_t *response, const char *key);

/* ---- the stack under test (harness_stack.c) */

/* A TCP port on 127.0.0.1 that nothing listens on right now. */
int harness_free_port(void);

/* SAMHAND_SECRET_KEY of the stacks the tests start (64 hex digits),
 * unless a test sets its own */
#define HARNESS_SECRET_KEY "6b7a1c0e9d3f2a584e6c1b0a9f8e7d6c5b4a39281706f5e4d3c2b1a098f7e6d5"

/* A running stack: the three services and the gateway. */
typedef struct {
    pid_t agenda, deviation, notify, gateway;
    int http_port;
    char base_url[64];
    char agenda_endpoint[64], deviation_endpoint[64], notify_endpoint[64];
    char admin_key[64];
    char auth_header[96]; /* "Authorization: Bearer <admin key>" */
} harness_stack_t;

/* Starts every binary against `database_url` and waits until /readyz says
 * ready (fails the test after 30 s). */
void harness_stack_start(harness_stack_t *stack, const char *database_url);
void harness_stack_stop(harness_stack_t *stack);

/* kill -9 of one service ("notify"), then the same binary started again
 * with the same environment, as a supervisor would. */
void harness_stack_crash(harness_stack_t *stack, const char *service);

/* Waits until /readyz says ready (fails the test after 30 s). */
void harness_stack_wait_ready(harness_stack_t *stack);

/* A valid organisation number (mod 11) from `base`, eight digits, with its
 * check digit; 0 when that base has none. */
long harness_org_number(long base);

/* Starts another replica of `service` ("notify") beside the stack's, with
 * its environment but a ROUTER and an event endpoint of its own (written
 * to `router`): it follows and serves the same schema as the first. Its
 * pid, for harness_stop. */
pid_t harness_stack_spawn_replica(harness_stack_t *stack, const char *service, char router[64]);

/* An entry of SAMHAND_API_KEYS for `key` (the SHA-256 of it, the
 * organisation, the roles joined by '+'), written into `entry`. */
void harness_api_key(const char *key, const char *organization_id, const char *roles, char *entry,
                     size_t size);

/* An API key of a test: the key itself, its organisation ("" for none: the
 * partnership's) and its roles ("reporter+quality"). */
typedef struct {
    const char *key, *organization_id, *roles;
} harness_key_t;

/* SAMHAND_API_KEYS for the stacks started after it: the `n` `keys`. */
void harness_api_keys_set(const harness_key_t *keys, size_t n);

/* Starts one binary of the build ("samhand-agenda") with extra environment
 * "NAME=value" entries (NULL-terminated); stderr goes to a log file. */
pid_t harness_spawn(const char *binary, const char *const *env);

/* SIGTERM, then waits; returns the exit status (-1 if it had to be killed). */
int harness_stop(pid_t pid);

/* Shorthands against a stack, authenticated with the administrator key. */
harness_http_response_t *harness_stack_get(harness_stack_t *stack, const char *path);
harness_http_response_t *harness_stack_send(harness_stack_t *stack, const char *method,
                                            const char *path, const char *json_body);
/* As harness_stack_send, by the holder of the API key `key`. */
harness_http_response_t *harness_stack_send_as(harness_stack_t *stack, const char *key,
                                               const char *method, const char *path,
                                               const char *body);
/* By the holder of `key`, or with no credential at all when `key` is NULL
 * (the public: the probes' reader without a key). */
harness_http_response_t *harness_stack_send_by(harness_stack_t *stack, const char *key,
                                               const char *method, const char *path,
                                               const char *body);
/* As harness_stack_send_as with one more header `extra` ("If-Match:
 * \"1\""; NULL: none); `key` NULL: the administrator's. */
harness_http_response_t *harness_stack_send_with(harness_stack_t *stack, const char *key,
                                                 const char *method, const char *path,
                                                 const char *body, const char *extra);
/* As harness_stack_send_with with the headers `extras` (NULL-terminated,
 * six at most). */
harness_http_response_t *harness_stack_send_headers(harness_stack_t *stack, const char *key,
                                                    const char *method, const char *path,
                                                    const char *body, const char *const *extras);
/* An API key made through the API by the administrator (POST /v1/api-keys):
 * of `organization_id` (NULL: of the partnership) with `roles`, a JSON
 * array ("[\"reporter\"]"); the key, shown once, into `key`. */
void harness_stack_new_key(harness_stack_t *stack, const char *organization_id,
                           const char *roles_json, char key[128]);
/* The ETag of the newest version of the partnership's settings ("\"…\"",
 * the microseconds of its updateTime), read with `key` (NULL: the
 * administrator's), asserting 200. */
void harness_stack_settings_etag(harness_stack_t *stack, const char *key, char etag[32]);

/* Deletes every webhook subscription the stack has: a test's subscription
 * outliving it would be delivered to its stopped receiver's port, which
 * the kernel may give to any listener since (one that never answers holds
 * up the sender's round). As a cmocka teardown it returns 0. */
int harness_stack_forget_subscriptions(harness_stack_t *stack);

/* GET `path` until its string member `key` reads `value`, 10 s at most;
 * the last answer, which the caller checks and frees. */
harness_http_response_t *harness_stack_await(harness_stack_t *stack, const char *path,
                                             const char *key, const char *value);

/* Fixtures against a stack, as the administrator, each asserting its
 * answer: POSTs `body` to `path` (201) and copies the new resource's id
 * into `id` (unless NULL); adds an item to `meeting` (200) and copies its
 * id (the last item of the answer); publishes the notice of `meeting`
 * (200). */
void harness_stack_create(harness_stack_t *stack, const char *path, const char *body, char id[40]);
/* As harness_stack_create, for a POST that makes a resource (201) or does
 * an action (200): either is taken, the answer printed when it is
 * neither. */
void harness_stack_post(harness_stack_t *stack, const char *path, const char *body, char id[40]);
void harness_stack_add_item(harness_stack_t *stack, const char *meeting, const char *body,
                            char id[40]);
void harness_stack_publish(harness_stack_t *stack, const char *meeting);

/* ---- the webhook receiver (harness_receiver.c) */

/* A real webhook receiver for tests: an HTTP/1.1 server on a free port in
 * a thread of the test, answering each request with the next status of
 * `statuses` (then `then`; 0 hangs 4 s and then answers 204; HARNESS_HANG
 * takes the request and never answers, the connection held open until the
 * receiver stops), and keeping what it got. */
typedef struct harness_receiver harness_receiver_t;
#define HARNESS_HANG (-1)

harness_receiver_t *harness_receiver_start(const int *statuses, size_t n, int then);
/* "http://127.0.0.1:<port>/hook" */
const char *harness_receiver_url(harness_receiver_t *r);
/* A subscription's handshake (a POST of no.samhand.subscription.handshake)
 * is answered 204, or `status` once set, whatever the statuses of the
 * events; it is not among the requests below, but counted and kept for
 * harness_receiver_verify_handshakes. */
void harness_receiver_handshake_status(harness_receiver_t *r, int status);
size_t harness_receiver_handshakes(harness_receiver_t *r);
/* Waits up to `timeout_ms` for at least `n` requests; returns how many. */
size_t harness_receiver_wait(harness_receiver_t *r, size_t n, int timeout_ms);
/* The i-th request's header value (case-insensitive name) or NULL, and its
 * body; borrowed until the receiver stops. */
const char *harness_receiver_header(harness_receiver_t *r, size_t i, const char *name);
const char *harness_receiver_body(harness_receiver_t *r, size_t i);
/* The i-th request's line and headers as received; borrowed likewise. */
const char *harness_receiver_head(harness_receiver_t *r, size_t i);
void harness_receiver_stop(harness_receiver_t **r_p);

/* Verifies every request `r` received with the Standard Webhooks reference
 * library (npm standardwebhooks, run by node from tests/tools) and `secret`;
 * returns 0 when all verify. */
int harness_receiver_verify(harness_receiver_t *r, const char *secret);

/* The same for ed25519 (v1a) signatures from delivery `from` on, checked
 * with node's crypto against `public_key` (whpk_…): the npm standardwebhooks
 * 1.1.1 cannot check v1a. */
int harness_receiver_verify_ed25519(harness_receiver_t *r, size_t from, const char *public_key);

/* The same for the handshakes `r` answered (the first 64), by `key`: a
 * secret (whsec_…) or a public key (whpk_…); -1 when there was none. */
int harness_receiver_verify_handshakes(harness_receiver_t *r, const char *key);

/* ---- the SMTP server (harness_smtp.c) */

/* A real SMTP server for tests, on a free port in a thread of the test:
 * accepts every mail and keeps recipient and message. */
typedef struct harness_smtp harness_smtp_t;

harness_smtp_t *harness_smtp_start(void);
/* "smtp://127.0.0.1:<port>" */
const char *harness_smtp_url(harness_smtp_t *s);
/* Waits up to `timeout_ms` for `n` mails; returns how many it has. */
size_t harness_smtp_wait(harness_smtp_t *s, size_t n, int timeout_ms);
/* The i-th mail's recipient and whole message (headers, MIME parts);
 * borrowed until the server stops. */
const char *harness_smtp_recipient(harness_smtp_t *s, size_t i);
const char *harness_smtp_message(harness_smtp_t *s, size_t i);
void harness_smtp_stop(harness_smtp_t **s_p);
/* The text of a message's first MIME part (base64 as the mailer writes
 * it), decoded, asserting it is there; the caller frees it. */
char *harness_smtp_first_part(const char *message);

#endif
