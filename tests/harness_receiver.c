/* A real webhook receiver for the tests (see harness.h): an HTTP/1.1
 * server in a thread of the test that answers as it is told and keeps what
 * it got, and the Standard Webhooks verification of what it got. */
#include "harness.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define RECEIVER_MAX 8192
#define HANDSHAKES_KEPT 64
#define HELD_MAX 64

struct harness_receiver {
    int fd, port;
    char url[64];
    int statuses[32];
    size_t n_statuses;
    int then;
    int handshake_status; /* what a handshake gets, whatever `statuses` say */
    pthread_t thread;
    pthread_mutex_t lock;
    volatile int stop;
    size_t n, n_handshakes;
    char *heads[RECEIVER_MAX];
    char *bodies[RECEIVER_MAX];
    /* the first HANDSHAKES_KEPT handshakes, apart from the events */
    char *handshake_heads[HANDSHAKES_KEPT];
    char *handshake_bodies[HANDSHAKES_KEPT];
    /* connections answered HARNESS_HANG: held open, never answered */
    int held[HELD_MAX];
    size_t n_held;
};

/* Answers `status` on `conn` and closes it; HARNESS_HANG holds it open
 * instead, without a byte of answer, until the receiver stops. */
static void s_answer(harness_receiver_t *r, int conn, int status)
{
    if (status == HARNESS_HANG && r->n_held < HELD_MAX) {
        r->held[r->n_held++] = conn;
        return;
    }
    char answer[160];
    int n = snprintf(answer, sizeof answer,
                     "HTTP/1.1 %d X\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok", status);
    if (send(conn, answer, (size_t)n, MSG_NOSIGNAL) < 0) {
        /* the sender gave up: nothing to answer */
    }
    close(conn);
}

static void s_serve(harness_receiver_t *r, int conn)
{
    char buf[65536];
    size_t used = 0;
    char *end = NULL;
    while (!end && used < sizeof buf - 1) {
        ssize_t got = recv(conn, buf + used, sizeof buf - 1 - used, 0);
        if (got <= 0)
            break;
        used += (size_t)got;
        buf[used] = '\0';
        end = strstr(buf, "\r\n\r\n");
    }
    if (!end) {
        close(conn);
        return;
    }
    size_t head_len = (size_t)(end - buf) + 4;
    size_t length = 0;
    for (char *p = buf; p < end; p = strstr(p, "\r\n") + 2)
        if (strncasecmp(p, "content-length:", 15) == 0)
            length = strtoul(p + 15, NULL, 10);
    char *body = malloc(length + 1);
    size_t have = used - head_len < length ? used - head_len : length;
    memcpy(body, buf + head_len, have);
    while (have < length) {
        ssize_t got = recv(conn, body + have, length - have, 0);
        if (got <= 0)
            break;
        have += (size_t)got;
    }
    body[have] = '\0';
    pthread_mutex_lock(&r->lock);
    /* a new URL's handshake is answered as a receiver that wants the
     * events would, and counted apart from the events */
    if (strstr(body, "\"type\":\"no.samhand.subscription.handshake\"")) {
        int status = r->handshake_status;
        if (r->n_handshakes < HANDSHAKES_KEPT) {
            r->handshake_heads[r->n_handshakes] = strndup(buf, head_len);
            r->handshake_bodies[r->n_handshakes] = body;
        } else {
            free(body);
        }
        r->n_handshakes++;
        pthread_mutex_unlock(&r->lock);
        s_answer(r, conn, status);
        return;
    }
    size_t i = r->n;
    int status = i < r->n_statuses ? r->statuses[i] : r->then;
    if (status == 0) { /* an endpoint that hangs a while, then answers */
        pthread_mutex_unlock(&r->lock);
        sleep(4);
        pthread_mutex_lock(&r->lock);
        status = 204;
    }
    if (i < RECEIVER_MAX) {
        r->heads[i] = strndup(buf, head_len);
        r->bodies[i] = body;
        r->n++;
    } else {
        free(body);
    }
    pthread_mutex_unlock(&r->lock);
    s_answer(r, conn, status);
}

static void *s_receiver_main(void *arg)
{
    harness_receiver_t *r = arg;
    while (!r->stop) {
        struct pollfd p = {.fd = r->fd, .events = POLLIN};
        if (poll(&p, 1, 100) <= 0)
            continue;
        int conn = accept(r->fd, NULL, NULL);
        if (conn < 0)
            continue;
        s_serve(r, conn); /* closes it, or holds it */
    }
    for (size_t i = 0; i < r->n_held; i++)
        close(r->held[i]);
    return NULL;
}

harness_receiver_t *harness_receiver_start(const int *statuses, size_t n, int then)
{
    harness_receiver_t *r = calloc(1, sizeof *r);
    r->fd = socket(AF_INET, SOCK_STREAM, 0);
    int yes = 1;
    setsockopt(r->fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = 0};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (bind(r->fd, (struct sockaddr *)&addr, sizeof addr) != 0 || listen(r->fd, 64) != 0 ||
        getsockname(r->fd, (struct sockaddr *)&addr, &len) != 0) {
        perror("receiver");
        exit(1);
    }
    r->port = ntohs(addr.sin_port);
    snprintf(r->url, sizeof r->url, "http://127.0.0.1:%d/hook", r->port);
    r->n_statuses = n < 32 ? n : 32;
    if (r->n_statuses)
        memcpy(r->statuses, statuses, r->n_statuses * sizeof *statuses);
    r->then = then;
    r->handshake_status = 204;
    pthread_mutex_init(&r->lock, NULL);
    pthread_create(&r->thread, NULL, s_receiver_main, r);
    return r;
}

const char *harness_receiver_url(harness_receiver_t *r)
{
    return r->url;
}

void harness_receiver_handshake_status(harness_receiver_t *r, int status)
{
    pthread_mutex_lock(&r->lock);
    r->handshake_status = status;
    pthread_mutex_unlock(&r->lock);
}

size_t harness_receiver_handshakes(harness_receiver_t *r)
{
    pthread_mutex_lock(&r->lock);
    size_t n = r->n_handshakes;
    pthread_mutex_unlock(&r->lock);
    return n;
}

size_t harness_receiver_wait(harness_receiver_t *r, size_t n, int timeout_ms)
{
    for (int waited = 0;; waited += 20) {
        pthread_mutex_lock(&r->lock);
        size_t have = r->n;
        pthread_mutex_unlock(&r->lock);
        if (have >= n || waited >= timeout_ms)
            return have;
        usleep(20 * 1000);
    }
}

/* The value of header `name` in `head` (a request's line and headers),
 * in a buffer of the thread's, or NULL. */
static const char *s_head_value(const char *head, const char *name)
{
    static _Thread_local char value[512];
    size_t len = strlen(name);
    for (const char *p = head ? strstr(head, "\r\n") : NULL; p && p[2]; p = strstr(p + 2, "\r\n")) {
        const char *line = p + 2;
        if (strncasecmp(line, name, len) == 0 && line[len] == ':') {
            const char *v = line + len + 1;
            while (*v == ' ')
                v++;
            size_t vlen = strcspn(v, "\r");
            snprintf(value, sizeof value, "%.*s", (int)vlen, v);
            return value;
        }
    }
    return NULL;
}

const char *harness_receiver_header(harness_receiver_t *r, size_t i, const char *name)
{
    pthread_mutex_lock(&r->lock);
    const char *head = i < r->n ? r->heads[i] : NULL;
    pthread_mutex_unlock(&r->lock);
    return s_head_value(head, name);
}

const char *harness_receiver_body(harness_receiver_t *r, size_t i)
{
    pthread_mutex_lock(&r->lock);
    const char *body = i < r->n ? r->bodies[i] : NULL;
    pthread_mutex_unlock(&r->lock);
    return body;
}

const char *harness_receiver_head(harness_receiver_t *r, size_t i)
{
    pthread_mutex_lock(&r->lock);
    const char *head = i < r->n ? r->heads[i] : NULL;
    pthread_mutex_unlock(&r->lock);
    return head;
}

void harness_receiver_stop(harness_receiver_t **r_p)
{
    if (!r_p || !*r_p)
        return;
    harness_receiver_t *r = *r_p;
    r->stop = 1;
    pthread_join(r->thread, NULL);
    close(r->fd);
    for (size_t i = 0; i < r->n; i++) {
        free(r->heads[i]);
        free(r->bodies[i]);
    }
    for (size_t i = 0; i < r->n_handshakes && i < HANDSHAKES_KEPT; i++) {
        free(r->handshake_heads[i]);
        free(r->handshake_bodies[i]);
    }
    pthread_mutex_destroy(&r->lock);
    free(r);
    *r_p = NULL;
}

/* Feeds deliveries `from`.. of `r` (its handshakes when `handshakes`) to
 * a node verifier in tests/tools, each with `key_name` = `key`; its exit
 * status. */
static int s_verify_with(harness_receiver_t *r, bool handshakes, size_t from, const char *tool,
                         const char *key_name, const char *key)
{
    const char *source = getenv("SAMHAND_SOURCE_DIR");
    char command[1024];
    snprintf(command, sizeof command, "node %s/tests/tools/%s >&2",
             source && *source ? source : ".", tool);
    FILE *node = popen(command, "w");
    if (!node)
        return -1;
    pthread_mutex_lock(&r->lock);
    size_t n =
        handshakes ? (r->n_handshakes < HANDSHAKES_KEPT ? r->n_handshakes : HANDSHAKES_KEPT) : r->n;
    char **heads = handshakes ? r->handshake_heads : r->heads;
    char **bodies = handshakes ? r->handshake_bodies : r->bodies;
    pthread_mutex_unlock(&r->lock);
    for (size_t i = from; i < n; i++) {
        /* each header read before the next (they share a buffer) */
        json_t *line = json_object();
        json_object_set_new(line, key_name, json_string(key));
        json_object_set_new(line, "id", json_string(s_head_value(heads[i], "webhook-id")));
        json_object_set_new(line, "timestamp",
                            json_string(s_head_value(heads[i], "webhook-timestamp")));
        json_object_set_new(line, "signature",
                            json_string(s_head_value(heads[i], "webhook-signature")));
        json_object_set_new(line, "body", json_string(bodies[i]));
        char *text = json_dumps(line, JSON_COMPACT);
        fprintf(node, "%s\n", text);
        free(text);
        json_decref(line);
    }
    int status = pclose(node);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int harness_receiver_verify(harness_receiver_t *r, const char *secret)
{
    return s_verify_with(r, false, 0, "verify-webhooks.mjs", "secret", secret);
}

int harness_receiver_verify_ed25519(harness_receiver_t *r, size_t from, const char *public_key)
{
    return s_verify_with(r, false, from, "verify-webhooks-ed25519.mjs", "publicKey", public_key);
}

int harness_receiver_verify_handshakes(harness_receiver_t *r, const char *key)
{
    if (harness_receiver_handshakes(r) == 0)
        return -1;
    return strncmp(key, "whpk_", 5) == 0
               ? s_verify_with(r, true, 0, "verify-webhooks-ed25519.mjs", "publicKey", key)
               : s_verify_with(r, true, 0, "verify-webhooks.mjs", "secret", key);
}
