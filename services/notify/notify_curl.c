/* libcurl's multi interface on the fiber loop (see notify_curl.h): curl
 * says which sockets it waits on (CURLMOPT_SOCKETFUNCTION) and when it
 * must be called anyway (CURLMOPT_TIMERFUNCTION); the driver fiber waits
 * for exactly those with fiber_poll and hands what is ready to
 * curl_multi_socket_action. The transfers in flight are a list of the
 * waiting fibers' records. */
#include "notify_curl.h"
#include "samhand_fiber.h"
#include "samhand_log.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct s_transfer {
    CURL *easy;
    fiber_t *waiter;
    bool is_done;
    CURLcode result;
    struct s_transfer *prev, *next;
} s_transfer_t;

struct notify_curl {
    CURLM *multi;
    fiber_t *driver;
    fiber_t *closer;         /* waits in notify_curl_destroy for the driver to end */
    bool is_stopping;        /* no new transfers; the driver ends */
    bool is_ended;           /* the driver has */
    int64_t deadline_ms;     /* curl's timer; -1: none */
    zmq_pollitem_t *sockets; /* what curl waits on: fd and ZMQ_POLLIN/OUT */
    int n_sockets, sockets_cap;
    s_transfer_t *transfers;
};

static int64_t s_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Makes the driver look again (curl changed what it waits for), unless it
 * is what runs now. */
static void s_nudge(notify_curl_t *c)
{
    if (c->driver && fiber_self() != c->driver)
        fiber_wake(c->driver);
}

static int s_on_socket(CURL *easy, curl_socket_t fd, int what, void *arg, void *socket_arg)
{
    (void)easy;
    (void)socket_arg;
    notify_curl_t *c = arg;
    int i = 0;
    while (i < c->n_sockets && c->sockets[i].fd != fd)
        i++;
    if (what == CURL_POLL_REMOVE) {
        if (i < c->n_sockets)
            c->sockets[i] = c->sockets[--c->n_sockets];
        return 0;
    }
    if (i == c->n_sockets) {
        if (c->n_sockets == c->sockets_cap) {
            int cap = c->sockets_cap ? c->sockets_cap * 2 : 16;
            zmq_pollitem_t *grown = realloc(c->sockets, (size_t)cap * sizeof *grown);
            if (!grown)
                return -1;
            c->sockets = grown;
            c->sockets_cap = cap;
        }
        c->n_sockets++;
    }
    short events =
        (short)((what & CURL_POLL_IN ? ZMQ_POLLIN : 0) | (what & CURL_POLL_OUT ? ZMQ_POLLOUT : 0));
    c->sockets[i] = (zmq_pollitem_t){NULL, fd, events, 0};
    s_nudge(c);
    return 0;
}

static int s_on_timer(CURLM *multi, long timeout_ms, void *arg)
{
    (void)multi;
    notify_curl_t *c = arg;
    c->deadline_ms = timeout_ms < 0 ? -1 : s_now_ms() + timeout_ms;
    s_nudge(c);
    return 0;
}

static void s_unlink(notify_curl_t *c, s_transfer_t *t)
{
    if (t->prev)
        t->prev->next = t->next;
    else
        c->transfers = t->next;
    if (t->next)
        t->next->prev = t->prev;
    t->prev = t->next = NULL;
}

static void s_complete(notify_curl_t *c, s_transfer_t *t, CURLcode result)
{
    curl_multi_remove_handle(c->multi, t->easy);
    s_unlink(c, t);
    t->result = result;
    t->is_done = true;
    fiber_wake(t->waiter);
}

/* Hands the transfers curl has finished to their fibers. */
static void s_read_done(notify_curl_t *c)
{
    CURLMsg *msg;
    int left;
    while ((msg = curl_multi_info_read(c->multi, &left))) {
        if (msg->msg != CURLMSG_DONE)
            continue;
        s_transfer_t *t = NULL;
        CURLcode result = msg->data.result;
        curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&t);
        s_complete(c, t, result);
    }
}

static void s_drive(void *arg)
{
    notify_curl_t *c = arg;
    zmq_pollitem_t *ready = NULL;
    int ready_cap = 0, running = 0;
    while (!c->is_stopping) {
        /* a copy: curl changes its list while this fiber waits on it */
        if (c->n_sockets > ready_cap) {
            zmq_pollitem_t *grown = realloc(ready, (size_t)c->sockets_cap * sizeof *grown);
            if (!grown) {
                fiber_sleep(10);
                continue;
            }
            ready = grown;
            ready_cap = c->sockets_cap;
        }
        int n = c->n_sockets;
        if (n)
            memcpy(ready, c->sockets, (size_t)n * sizeof *ready);
        int64_t now = s_now_ms();
        int timeout_ms = c->deadline_ms < 0      ? -1
                         : c->deadline_ms <= now ? 0
                                                 : (int)(c->deadline_ms - now);
        if (n == 0 && timeout_ms < 0) {
            fiber_park(); /* nothing to do until a transfer comes */
            continue;
        }
        if (fiber_poll(ready, n, timeout_ms) > 0) {
            for (int i = 0; i < n; i++) {
                short ev = ready[i].revents;
                if (!ev)
                    continue;
                int mask = (ev & ZMQ_POLLIN ? CURL_CSELECT_IN : 0) |
                           (ev & ZMQ_POLLOUT ? CURL_CSELECT_OUT : 0) |
                           (ev & ZMQ_POLLERR ? CURL_CSELECT_ERR : 0);
                curl_multi_socket_action(c->multi, ready[i].fd, mask, &running);
            }
        }
        if (c->deadline_ms >= 0 && c->deadline_ms <= s_now_ms()) {
            c->deadline_ms = -1;
            curl_multi_socket_action(c->multi, CURL_SOCKET_TIMEOUT, 0, &running);
        }
        s_read_done(c);
    }
    free(ready);
    while (c->transfers)
        s_complete(c, c->transfers, CURLE_ABORTED_BY_CALLBACK);
    c->is_ended = true;
    c->driver = NULL;
    if (c->closer)
        fiber_wake(c->closer);
}

/* The multi handle, made with the first transfer: libcurl's global set-up
 * (OpenSSL's among it) costs about 2 MB resident, and a notify with
 * nothing to send need not pay it. */
static CURLM *s_multi(notify_curl_t *c)
{
    if (c->multi)
        return c->multi;
    c->multi = curl_multi_init();
    if (!c->multi)
        return NULL;
    curl_multi_setopt(c->multi, CURLMOPT_SOCKETFUNCTION, s_on_socket);
    curl_multi_setopt(c->multi, CURLMOPT_SOCKETDATA, c);
    curl_multi_setopt(c->multi, CURLMOPT_TIMERFUNCTION, s_on_timer);
    curl_multi_setopt(c->multi, CURLMOPT_TIMERDATA, c);
    /* connections kept open to the endpoints, for their next delivery */
    curl_multi_setopt(c->multi, CURLMOPT_MAXCONNECTS, 256L);
    return c->multi;
}

notify_curl_t *notify_curl_new(void)
{
    notify_curl_t *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->deadline_ms = -1;
    c->driver = fiber_spawn(s_drive, c);
    if (!c->driver) {
        free(c);
        return NULL;
    }
    return c;
}

void notify_curl_stop(notify_curl_t *c)
{
    if (!c || c->is_stopping)
        return;
    c->is_stopping = true;
    if (c->driver)
        fiber_wake(c->driver);
}

void notify_curl_destroy(notify_curl_t **curl_p)
{
    notify_curl_t *c = *curl_p;
    if (!c)
        return;
    *curl_p = NULL;
    notify_curl_stop(c);
    c->closer = fiber_self();
    while (!c->is_ended)
        fiber_park();
    if (c->multi)
        curl_multi_cleanup(c->multi);
    free(c->sockets);
    free(c);
}

CURLcode notify_curl_perform(notify_curl_t *c, CURL *easy)
{
    if (c->is_stopping)
        return CURLE_ABORTED_BY_CALLBACK;
    /* on the heap: the list outlives no transfer, but the compiler cannot
     * know that the driver unlinks it before this returns */
    s_transfer_t *t = calloc(1, sizeof *t);
    if (!t)
        return CURLE_OUT_OF_MEMORY;
    t->easy = easy;
    t->waiter = fiber_self();
    curl_easy_setopt(easy, CURLOPT_PRIVATE, t);
    if (!s_multi(c)) {
        free(t);
        return CURLE_OUT_OF_MEMORY;
    }
    CURLMcode rc = curl_multi_add_handle(c->multi, easy);
    if (rc != CURLM_OK) {
        log_warn("could not start a transfer: %s", curl_multi_strerror(rc));
        free(t);
        return CURLE_FAILED_INIT;
    }
    t->next = c->transfers;
    if (c->transfers)
        c->transfers->prev = t;
    c->transfers = t;
    s_nudge(c);
    while (!t->is_done)
        fiber_park();
    CURLcode result = t->result;
    free(t);
    return result;
}
