/* The front of every connection: reads the client's bytes, refuses what
 * gateway_http1 refuses or what a request's head already rules out, and
 * passes the rest to h2o over a socket pair, with back-pressure both ways. */
#include "gateway_front.h"
#include "gateway_credential.h"
#include "gateway_http1.h"
#include "gateway_reply.h"
#include "gateway_routes.h"
#include "samhand_bus.h"
#include "samhand_log.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

/* Every connection passes a front before h2o: it reads the client's bytes
 * as HTTP/1.1 of RFC 9112, strictly, and hands h2o (over a socket pair)
 * only requests whose framing has one reading. A body too large for its
 * route, or sent without a good credential to a route that needs one, is
 * refused from the request's head, before it is read: h2o 2.2 reads a
 * whole body before a handler sees the request. A refusal is answered
 * after h2o's answers to the requests before it, and the connection
 * closes. */

#define FRONT_HEAD_MAX 8192
#define FRONT_QUEUE_MAX (1 << 20) /* bytes waiting to be written, either way */
#define FRONT_LINGER_MS 2000      /* reading on after a refusal, so that it arrives */

typedef enum {
    FRONT_HEAD,
    FRONT_BODY,
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
    gateway_http1_body_t body; /* of the request passed last */
    char *held;                /* what came after a head held for the keys */
    size_t held_len;
    char *refusal; /* the answer, written when h2o has closed its side */
    size_t refusal_len;
} s_front_t;

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

/* Refuses the request whose head is in front->head (or, in its body, the
 * one passed last), in the language it asked for: the answer waits until
 * h2o has answered those before it and closed its side. */
static void s_front_refuse(s_front_t *front, int status, const char *detail, const char *label)
{
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    char request_id[33];
    bus_random_id(request_id);
    bool in_head = front->state == FRONT_HEAD || front->state == FRONT_HELD;
    bool is_bokmal =
        in_head ? gateway_http1_wants_bokmal(front->head, front->head_len) : front->is_bokmal;
    front->refusal =
        gateway_reply_refusal(status, detail, is_bokmal, request_id, &front->refusal_len);
    front->state = FRONT_REFUSED;
    uv_read_stop((uv_stream_t *)&front->client);
    s_front_shutdown(front, (uv_stream_t *)&front->inner);
    gateway_reply_count(front->gateway, label, status, &start, request_id);
}

static void s_on_front_keys_read(gateway_keys_waiter_t *waiter);

/* A whole head has come: refused, held for the keys, or passed to h2o
 * (appended to `out`). 0 when it passed. */
static int s_front_head(s_front_t *front, char **out, size_t *out_len)
{
    gateway_http1_head_t h;
    const char *why = gateway_http1_parse_head(front->head, front->head_len, &h);
    if (why) {
        s_front_refuse(front, 400, why, "(framing)");
        return -1;
    }
    gateway_t *gateway = front->gateway;
    bool has_body = h.chunked || h.content_length > 0;
    uint64_t limit = (uint64_t)gateway->max_body_bytes;
    if (has_body) {
        char method[16], allow[64];
        snprintf(method, sizeof method, "%.*s", (int)h.method_len, h.method);
        gateway_path_params_t params;
        int known;
        const gateway_route_t *route =
            gateway_route_match(method, h.path, h.path_len, &params, &known, allow, sizeof allow);
        const char *label = route ? gateway_route_label(route) : "unmatched";
        if (route && gateway_route_takes_files(route))
            limit = (uint64_t)gateway->max_upload_bytes;
        if (route && route->access != GATEWAY_ACCESS_PUBLIC) {
            Samhand__V1__Principal principal = SAMHAND__V1__PRINCIPAL__INIT;
            gateway_identity_t identity;
            gateway_auth_result_t result =
                h.authorization
                    ? gateway_credential_check_value(gateway, h.authorization, h.authorization_len,
                                                     &principal, &identity)
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
        if (h.content_length > 0 && (uint64_t)h.content_length > limit) {
            char detail[128];
            snprintf(detail, sizeof detail, "the body is larger than %" PRIu64 " bytes", limit);
            s_front_refuse(front, 413, detail, label);
            return -1;
        }
    }
    front->is_bokmal = gateway_http1_wants_bokmal(front->head, front->head_len);
    *out = realloc(*out, *out_len + front->head_len);
    memcpy(*out + *out_len, front->head, front->head_len);
    *out_len += front->head_len;
    front->keys_read = false;
    gateway_http1_body_start(&front->body, &h, limit);
    front->state = front->body.state == GATEWAY_HTTP1_BODY_DONE ? FRONT_HEAD : FRONT_BODY;
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
        case FRONT_BODY: {
            int status;
            char why[128];
            ssize_t n = gateway_http1_body_read(&front->body, p, (size_t)(end - p), &status, why,
                                                sizeof why);
            if (n < 0) {
                s_front_refuse(front, status, why, "(framing)");
                break;
            }
            out = realloc(out, out_len + (size_t)n + 1);
            memcpy(out + out_len, p, (size_t)n);
            out_len += (size_t)n;
            p += n;
            if (front->body.state == GATEWAY_HTTP1_BODY_DONE)
                front->state = FRONT_HEAD;
            break;
        }
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

void gateway_front_accept(uv_stream_t *listener, int status)
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
