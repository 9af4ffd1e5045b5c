/* DEALER sockets in a libuv loop. The ZeroMQ descriptor is edge-triggered:
 * every wake-up, and every send, drains while ZMQ_EVENTS says POLLIN.
 * A reply finds its call by the id the bridge gave the request on the
 * wire: the caller's request id (a client's X-Request-Id, which two
 * clients may share) and a number of this bridge's own, so no reply can
 * reach another asker. */
#include "gateway_bridge.h"
#include "samhand_curve.h"
#include "samhand_bus.h"
#include "samhand_log.h"

#include <stdio.h>
#include <stdlib.h>
#include <stdbool.h>
#include <string.h>

#define TICK_MS 10

struct gateway_call {
    char wire_id[96]; /* "<request id>.<sequence>": unique among the calls */
    int64_t deadline_ms;
    gateway_bridge_done_fn done;
    void *ctx;
    bool waits; /* a long-poll's or a stream's: the service holds it */
    gateway_call_t *prev, *next;
};

typedef struct {
    char *name;
    zsock_t *dealer;
    uv_poll_t poll;
    gateway_bridge_t *bridge;
} s_service_t;

struct gateway_bridge {
    uv_loop_t *loop;
    s_service_t *services;
    size_t n_services;
    gateway_call_t *head, *tail; /* in order of asking, for the deadlines */
    zhashx_t *by_id;             /* the same calls by wire id, for the replies */
    uint64_t sequence;
    size_t n_pending;
    size_t n_waiting; /* of them, calls the service may hold (long-polls) */
    size_t n_closing; /* handles whose close callback is still to come */
    uv_timer_t timer;
    uv_idle_t after_send; /* drains once the caller's stack has unwound */
};

static void s_unlink(gateway_bridge_t *bridge, gateway_call_t *call)
{
    if (call->prev)
        call->prev->next = call->next;
    else
        bridge->head = call->next;
    if (call->next)
        call->next->prev = call->prev;
    else
        bridge->tail = call->prev;
    zhashx_delete(bridge->by_id, call->wire_id);
    bridge->n_pending--;
    if (call->waits)
        bridge->n_waiting--;
    if (bridge->n_pending == 0)
        uv_timer_stop(&bridge->timer);
}

static void s_deliver(gateway_bridge_t *bridge, const uint8_t *data, size_t len)
{
    Samhand__V1__Envelope *reply = samhand__v1__envelope__unpack(NULL, len, data);
    if (!reply) {
        log_warn("dropped a reply that is not an envelope (%zu bytes)", len);
        return;
    }
    gateway_call_t *call = zhashx_lookup(bridge->by_id, reply->request_id);
    if (call) {
        s_unlink(bridge, call);
        call->done(call->ctx, reply);
        free(call);
    }
    /* no match: the asker timed out or left */
    samhand__v1__envelope__free_unpacked(reply, NULL);
}

static void s_drain(s_service_t *service)
{
    void *handle = zsock_resolve(service->dealer);
    while (zsock_events(service->dealer) & ZMQ_POLLIN) {
        zmq_msg_t msg;
        zmq_msg_init(&msg);
        if (zmq_msg_recv(&msg, handle, ZMQ_DONTWAIT) < 0) {
            zmq_msg_close(&msg);
            break;
        }
        s_deliver(service->bridge, zmq_msg_data(&msg), zmq_msg_size(&msg));
        zmq_msg_close(&msg);
    }
}

static void s_on_readable(uv_poll_t *poll, int status, int events)
{
    s_drain(poll->data);
}

/* Expires calls past their deadline; also drains, as a safety net for an
 * edge the poll did not see. */
static void s_on_tick(uv_timer_t *timer)
{
    gateway_bridge_t *bridge = timer->data;
    for (size_t i = 0; i < bridge->n_services; i++)
        s_drain(&bridge->services[i]);
    int64_t now = bus_now_ms();
    gateway_call_t *call = bridge->head;
    while (call) {
        gateway_call_t *next = call->next;
        if (call->deadline_ms <= now) {
            s_unlink(bridge, call);
            call->done(call->ctx, NULL);
            free(call);
        }
        call = next;
    }
}

/* A send may consume the descriptor's edge, so look for replies once more,
 * but never inside gateway_bridge_call: a reply delivered there would free
 * the call before its handle reaches the caller. */
static void s_on_after_send(uv_idle_t *idle)
{
    gateway_bridge_t *bridge = idle->data;
    uv_idle_stop(idle);
    for (size_t i = 0; i < bridge->n_services; i++)
        s_drain(&bridge->services[i]);
}

gateway_bridge_t *gateway_bridge_new(uv_loop_t *loop, const gateway_bridge_service_t *services,
                                     size_t n)
{
    gateway_bridge_t *bridge = calloc(1, sizeof *bridge);
    assert(bridge);
    bridge->loop = loop;
    bridge->services = calloc(n, sizeof *bridge->services);
    assert(bridge->services);
    bridge->n_services = n;
    bridge->by_id = zhashx_new(); /* borrows the calls: they are freed here */
    assert(bridge->by_id);
    uv_timer_init(loop, &bridge->timer);
    bridge->timer.data = bridge;
    uv_idle_init(loop, &bridge->after_send);
    bridge->after_send.data = bridge;
    for (size_t i = 0; i < n; i++) {
        s_service_t *service = &bridge->services[i];
        service->name = strdup(services[i].service);
        service->bridge = bridge;
        service->dealer = zsock_new(ZMQ_DEALER);
        zsock_set_linger(service->dealer, 0);
        curve_client(service->dealer);
        /* only connected replicas take requests: none connected means 503 */
        zsock_set_immediate(service->dealer, 1);
        zsock_set_sndhwm(service->dealer, 10000);
        zsock_set_rcvhwm(service->dealer, 10000);
        zsock_set_reconnect_ivl(service->dealer, 100);
        zsock_set_reconnect_ivl_max(service->dealer, 1000);
        char *list = strdup(services[i].endpoints);
        for (char *save = NULL, *e = strtok_r(list, ",", &save); e; e = strtok_r(NULL, ",", &save))
            zsock_connect(service->dealer, "%s", e);
        free(list);
        uv_poll_init(loop, &service->poll, zsock_fd(service->dealer));
        service->poll.data = service;
        uv_poll_start(&service->poll, UV_READABLE, s_on_readable);
    }
    return bridge;
}

static void s_on_closed(uv_handle_t *handle)
{
    gateway_bridge_t *bridge = handle->data;
    if (--bridge->n_closing == 0) {
        zhashx_destroy(&bridge->by_id);
        free(bridge->services);
        free(bridge);
    }
}

void gateway_bridge_destroy(gateway_bridge_t **bridge_p)
{
    if (!bridge_p || !*bridge_p)
        return;
    gateway_bridge_t *bridge = *bridge_p;
    bridge->n_closing = bridge->n_services + 2;
    while (bridge->head) {
        gateway_call_t *call = bridge->head;
        s_unlink(bridge, call);
        free(call);
    }
    for (size_t i = 0; i < bridge->n_services; i++) {
        s_service_t *service = &bridge->services[i];
        uv_poll_stop(&service->poll);
        service->poll.data = bridge;
        uv_close((uv_handle_t *)&service->poll, s_on_closed);
        zsock_destroy(&service->dealer);
        free(service->name);
    }
    uv_close((uv_handle_t *)&bridge->after_send, s_on_closed);
    uv_close((uv_handle_t *)&bridge->timer, s_on_closed);
    *bridge_p = NULL;
}

gateway_call_t *gateway_bridge_call(gateway_bridge_t *bridge, const char *service_name,
                                    const Samhand__V1__Envelope *request,
                                    gateway_bridge_done_fn done, void *ctx)
{
    s_service_t *service = NULL;
    /* none once the gateway is stopping (the bridge destroyed): a stream's
     * or a refresh's last timer may still ask */
    for (size_t i = 0; bridge && i < bridge->n_services && !service; i++)
        if (strcmp(bridge->services[i].name, service_name) == 0)
            service = &bridge->services[i];
    if (!service)
        return NULL;

    gateway_call_t *call = calloc(1, sizeof *call);
    assert(call);
    snprintf(call->wire_id, sizeof call->wire_id, "%.63s.%llx", request->request_id,
             (unsigned long long)++bridge->sequence);
    Samhand__V1__Envelope wire = *request;
    wire.request_id = call->wire_id;
    size_t len = samhand__v1__envelope__get_packed_size(&wire);
    zmq_msg_t msg;
    zmq_msg_init_size(&msg, len);
    samhand__v1__envelope__pack(&wire, zmq_msg_data(&msg));
    int sent = zmq_msg_send(&msg, zsock_resolve(service->dealer), ZMQ_DONTWAIT);
    if (sent < 0) {
        zmq_msg_close(&msg);
        free(call);
        uv_idle_start(&bridge->after_send, s_on_after_send);
        return NULL;
    }
    zhashx_insert(bridge->by_id, call->wire_id, call);
    call->deadline_ms = request->deadline_ms;
    call->done = done;
    call->ctx = ctx;
    call->prev = bridge->tail;
    if (bridge->tail)
        bridge->tail->next = call;
    else
        bridge->head = call;
    bridge->tail = call;
    if (bridge->n_pending++ == 0)
        uv_timer_start(&bridge->timer, s_on_tick, TICK_MS, TICK_MS);
    uv_idle_start(&bridge->after_send, s_on_after_send);
    return call;
}

void gateway_bridge_cancel(gateway_bridge_t *bridge, gateway_call_t *call)
{
    s_unlink(bridge, call);
    free(call);
}

size_t gateway_bridge_pending(gateway_bridge_t *bridge)
{
    return bridge->n_pending;
}

void gateway_bridge_may_wait(gateway_bridge_t *bridge, gateway_call_t *call)
{
    if (call && !call->waits) {
        call->waits = true;
        bridge->n_waiting++;
    }
}

size_t gateway_bridge_owed(gateway_bridge_t *bridge)
{
    return bridge->n_pending - bridge->n_waiting;
}

gateway_call_t *gateway_bridge_ask(gateway_bridge_t *bridge, const char *service,
                                   const char *method, const ProtobufCMessage *request,
                                   int timeout_ms, gateway_bridge_done_fn done, void *ctx)
{
    size_t len = protobuf_c_message_get_packed_size(request);
    uint8_t *body = malloc(len + 1);
    protobuf_c_message_pack(request, body);
    char request_id[64];
    snprintf(request_id, sizeof request_id, "gateway-%s", method);
    Samhand__V1__Envelope envelope = SAMHAND__V1__ENVELOPE__INIT;
    envelope.request_id = request_id;
    envelope.method = (char *)method;
    envelope.deadline_ms = bus_now_ms() + timeout_ms;
    envelope.body.data = body;
    envelope.body.len = len;
    gateway_call_t *call = gateway_bridge_call(bridge, service, &envelope, done, ctx);
    free(body);
    return call;
}
