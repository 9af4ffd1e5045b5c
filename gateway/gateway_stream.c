/* Server-sent events: GET /v1/events/stream keeps the response open and
 * writes each event the caller may see as it reaches the feed, resuming
 * after Last-Event-ID (or ?after=). It reads the same feed as GET
 * /v1/events, a page at a time, one chunk in flight at a time. */
#include "gateway_stream.h"
#include "gateway_credential.h"
#include "gateway_problem.h"
#include "samhand_transcode.h"
#include "samhand/v1/notify.pb-c.h"
#include "samhand_bus.h"
#include "samhand_log.h"

#include <string.h>

#define POLL_MS 250     /* after an empty page that came at once (notify did not wait) */
#define WAIT_SECONDS 10 /* notify holds the ask until events come, or this long */
#define PING_MS 15000

typedef struct {
    h2o_generator_t super; /* first: h2o calls us with a pointer to it */
    gateway_t *gateway;
    h2o_req_t *req;
    Samhand__V1__Principal principal;
    char request_id[64];
    char cursor[32];
    char types[256];
    gateway_call_t *call;
    uv_timer_t *timer; /* malloc'ed: freed in its close callback */
    char *chunk;       /* the bytes in flight, until proceed */
    bool sending, stopped;
    int64_t last_write_ms;
    int64_t asked_ms; /* when the page in flight was asked for */
    int round;
} s_stream_t;

static void s_on_timer_closed(uv_handle_t *handle)
{
    free(handle);
}

static void s_on_dispose(void *data)
{
    s_stream_t *s = data;
    if (s->call)
        gateway_bridge_cancel(s->gateway->bridge, s->call);
    s->call = NULL;
    if (s->timer)
        uv_close((uv_handle_t *)s->timer, s_on_timer_closed);
    s->timer = NULL;
    free(s->chunk);
    s->chunk = NULL;
}

static void s_write(s_stream_t *s, char *text, size_t len)
{
    free(s->chunk);
    s->chunk = text;
    s->sending = true;
    s->last_write_ms = bus_now_ms();
    h2o_iovec_t buf = h2o_iovec_init(text, len);
    h2o_send(s->req, &buf, 1, H2O_SEND_STATE_IN_PROGRESS);
}

static void s_on_page(void *ctx, const Samhand__V1__Envelope *reply);

static void s_poll(uv_timer_t *timer)
{
    s_stream_t *s = timer->data;
    if (s->stopped || s->sending || s->call)
        return;
    Samhand__V1__ListEventsRequest req = SAMHAND__V1__LIST_EVENTS_REQUEST__INIT;
    req.after = s->cursor;
    req.types = s->types;
    req.limit = 100;
    req.wait_seconds = WAIT_SECONDS;
    uint8_t body[512];
    size_t len = samhand__v1__list_events_request__get_packed_size(&req);
    if (len > sizeof body)
        return;
    samhand__v1__list_events_request__pack(&req, body);
    char id[80];
    snprintf(id, sizeof id, "%s-%d", s->request_id, ++s->round);
    Samhand__V1__Envelope envelope = SAMHAND__V1__ENVELOPE__INIT;
    envelope.request_id = id;
    envelope.method = "notify.ListEvents";
    envelope.principal = &s->principal;
    s->asked_ms = bus_now_ms();
    envelope.deadline_ms = s->asked_ms + WAIT_SECONDS * 1000L + BUS_LONG_POLL_MARGIN_MS;
    envelope.body.data = body;
    envelope.body.len = len;
    s->call = gateway_bridge_call(s->gateway->bridge, "notify", &envelope, s_on_page, s);
    gateway_bridge_may_wait(s->gateway->bridge, s->call);
    if (!s->call)
        uv_timer_start(s->timer, s_poll, 1000, 0); /* notify is away: try again */
}

/* A page of the feed: each event as an SSE message with its cursor as id. */
static void s_on_page(void *ctx, const Samhand__V1__Envelope *reply)
{
    s_stream_t *s = ctx;
    s->call = NULL;
    Samhand__V1__ListEventsResponse *page =
        reply && (!reply->status || reply->status->code == BUS_OK)
            ? samhand__v1__list_events_response__unpack(NULL, reply->body.len, reply->body.data)
            : NULL;
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    for (size_t i = 0; page && i < page->n_items; i++) {
        json_t *json = transcode_to_json(&page->items[i]->base);
        char *data = json_dumps(json, JSON_COMPACT | JSON_PRESERVE_ORDER);
        fprintf(out, "id: %lld\nevent: %s\ndata: %s\n\n", (long long)page->items[i]->sequence,
                page->items[i]->type, data ? data : "{}");
        free(data);
        json_decref(json);
    }
    if (page && page->next_cursor[0])
        snprintf(s->cursor, sizeof s->cursor, "%s", page->next_cursor);
    bool more = page && page->n_items == 100;
    if (page)
        samhand__v1__list_events_response__free_unpacked(page, NULL);
    if (len == 0 && bus_now_ms() - s->last_write_ms >= PING_MS)
        fputs(": ping\n\n", out); /* keeps proxies from closing an idle stream */
    fclose(out);
    /* nothing more for a credential revoked or expired since the stream
     * began: asked before every write, so not one event goes out after */
    if (len > 0 && !s->stopped &&
        !gateway_credential_holds(s->gateway, s->req, s->principal.subject)) {
        free(text);
        log_info("event stream ended: its credential no longer holds");
        s->stopped = true;
        h2o_send(s->req, NULL, 0, H2O_SEND_STATE_FINAL);
        return;
    }
    if (len > 0 && !s->stopped) {
        s_write(s, text, len); /* proceed schedules the next poll */
        return;
    }
    free(text);
    /* notify waited for events and had none: ask again at once (a ping
     * goes out when one is due); an empty page at once means it did not
     * wait, and the next ask waits a moment instead */
    bool waited = bus_now_ms() - s->asked_ms >= 1000;
    if (!s->stopped)
        uv_timer_start(s->timer, s_poll, more || waited ? 0 : POLL_MS, 0);
}

static void s_on_proceed(h2o_generator_t *self, h2o_req_t *req)
{
    s_stream_t *s = (s_stream_t *)self;
    s->sending = false;
    free(s->chunk);
    s->chunk = NULL;
    if (!s->stopped && s->timer)
        uv_timer_start(s->timer, s_poll, 0, 0);
}

static void s_on_stop(h2o_generator_t *self, h2o_req_t *req)
{
    s_stream_t *s = (s_stream_t *)self;
    s->stopped = true;
    if (s->timer)
        uv_timer_stop(s->timer);
}

void gateway_stream_events(gateway_t *gateway, h2o_req_t *req,
                           const Samhand__V1__Principal *principal, const char *request_id)
{
    s_stream_t *s = h2o_mem_alloc_shared(&req->pool, sizeof *s, s_on_dispose);
    memset(s, 0, sizeof *s);
    s->super.proceed = s_on_proceed;
    s->super.stop = s_on_stop;
    s->gateway = gateway;
    s->req = req;
    /* the principal's strings may be the caller's: the stream keeps copies */
    s->principal = *principal;
    s->principal.subject = h2o_strdup(&req->pool, principal->subject, SIZE_MAX).base;
    s->principal.organization_id =
        h2o_strdup(&req->pool, principal->organization_id, SIZE_MAX).base;
    s->principal.roles = h2o_mem_alloc_pool(&req->pool, sizeof(char *) * (principal->n_roles + 1));
    for (size_t i = 0; i < principal->n_roles; i++)
        s->principal.roles[i] = h2o_strdup(&req->pool, principal->roles[i], SIZE_MAX).base;
    snprintf(s->request_id, sizeof s->request_id, "%s", request_id);
    /* resume after Last-Event-ID, or ?after=; ?types= as the feed has it */
    ssize_t last = h2o_find_header_by_str(&req->headers, H2O_STRLIT("last-event-id"), -1);
    if (last >= 0)
        snprintf(s->cursor, sizeof s->cursor, "%.*s", (int)req->headers.entries[last].value.len,
                 req->headers.entries[last].value.base);
    if (req->query_at != SIZE_MAX) {
        const char *query = req->path.base + req->query_at + 1;
        size_t qlen = req->path.len - req->query_at - 1;
        for (const char *p = query; p < query + qlen;) {
            const char *amp = memchr(p, '&', (size_t)(query + qlen - p));
            size_t n = (size_t)((amp ? amp : query + qlen) - p);
            if (n > 6 && strncmp(p, "after=", 6) == 0 && !s->cursor[0])
                snprintf(s->cursor, sizeof s->cursor, "%.*s", (int)(n - 6), p + 6);
            else if (n > 6 && strncmp(p, "types=", 6) == 0)
                snprintf(s->types, sizeof s->types, "%.*s", (int)(n - 6), p + 6);
            p += n + 1;
        }
    }
    for (const char *c = s->cursor; *c; c++)
        if (*c < '0' || *c > '9') {
            json_t *problem = gateway_problem_new(400,
                                                  "Last-Event-ID (or after) must be an id this "
                                                  "stream gave out",
                                                  "after", request_id);
            char *text = json_dumps(problem, JSON_COMPACT);
            json_decref(problem);
            req->res.status = 400;
            req->res.reason = "Bad Request";
            h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, NULL,
                           H2O_STRLIT("application/problem+json"));
            h2o_send_inline(req, text, strlen(text));
            free(text);
            return;
        }
    s->timer = malloc(sizeof *s->timer);
    uv_timer_init(gateway->loop, s->timer);
    s->timer->data = s;
    req->res.status = 200;
    req->res.reason = "OK";
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, NULL,
                   H2O_STRLIT("text/event-stream; charset=utf-8"));
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CACHE_CONTROL, NULL,
                   H2O_STRLIT("no-store"));
    h2o_start_response(req, &s->super);
    char *hello = strdup(": samhand event stream\n\n");
    s_write(s, hello, strlen(hello));
}
