/* OpenID Connect tokens in the gateway; see gateway_oidc.h. */
#include "gateway_oidc.h"
#include "gateway_keys.h"
#include "gateway_policy.h"
#include "samhand/v1/agenda.pb-c.h"
#include "samhand_bus.h"
#include "samhand_log.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define JWKS_REFRESH_MS (3600 * 1000) /* the issuer's keys, again every hour */
#define JWKS_UNKNOWN_KID_MS 60000     /* at most this often for a key not known */
#define ORGS_REFRESH_MS 60000         /* the directory's organisations */
#define ORGS_UNKNOWN_MS 2000          /* at most this often for a number not known */
#define ORGS_MAX 4096

typedef struct {
    char number[10];
    char id[40];
} s_org_t;

struct gateway_oidc {
    gateway_oidc_config_t config;
    gateway_jwt_rules_t rules;
    uv_loop_t *loop;
    gateway_bridge_t *bridge;
    gateway_jwks_t jwks;
    /* fetching the keys from a URL, off the loop */
    uv_work_t fetch;
    bool fetching;
    char *fetched, fetch_error[200];
    uint64_t last_fetch_ms;
    uv_timer_t jwks_timer, orgs_timer, orgs_soon;
    /* the organisations by number: the one in use, and the next being read */
    s_org_t *orgs, *next_orgs;
    size_t n_orgs, n_next_orgs;
    gateway_call_t *orgs_call;
    char orgs_cursor[64];
    uint64_t last_orgs_ms;
    gateway_keys_waiter_t waiters; /* for the read under way; a ring, the head no waiter */
};

/* ------------------------------------------------------------ the keys */

typedef struct {
    char *data;
    size_t len;
} s_buffer_t;

static size_t s_collect(char *data, size_t size, size_t n, void *arg)
{
    s_buffer_t *b = arg;
    if (b->len + size * n > 1 << 20)
        return 0; /* no JWKS is a megabyte */
    b->data = realloc(b->data, b->len + size * n + 1);
    memcpy(b->data + b->len, data, size * n);
    b->len += size * n;
    b->data[b->len] = '\0';
    return size * n;
}

/* The JWKS document from the file or the URL (https, or http too when
 * `allow_http`); caller frees. */
static char *s_read_jwks(const char *source, bool allow_http, char *error, size_t error_size)
{
    if (strncasecmp(source, "https://", 8) != 0 && strncasecmp(source, "http://", 7) != 0) {
        FILE *f = fopen(source, "rb");
        if (!f) {
            snprintf(error, error_size, "cannot read the JWKS file %s", source);
            return NULL;
        }
        s_buffer_t b = {0};
        char chunk[4096];
        size_t n;
        while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
            s_collect(chunk, 1, n, &b);
        fclose(f);
        return b.data ? b.data : strdup("");
    }
    CURL *curl = curl_easy_init();
    s_buffer_t b = {0};
    curl_easy_setopt(curl, CURLOPT_URL, source);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, s_collect);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 10000L);
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, allow_http ? "http,https" : "https");
    curl_easy_setopt(curl, CURLOPT_USERAGENT, "samhand-gateway/" SAMHAND_VERSION);
    CURLcode rc = curl_easy_perform(curl);
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_cleanup(curl);
    if (rc != CURLE_OK || status != 200) {
        snprintf(error, error_size, "could not fetch the JWKS from %s: %s", source,
                 rc != CURLE_OK ? curl_easy_strerror(rc) : "not 200");
        free(b.data);
        return NULL;
    }
    return b.data ? b.data : strdup("");
}

static void s_fetch_work(uv_work_t *work)
{
    gateway_oidc_t *oidc = work->data;
    oidc->fetched = s_read_jwks(oidc->config.jwks, oidc->config.allow_http_jwks, oidc->fetch_error,
                                sizeof oidc->fetch_error);
}

static void s_fetch_done(uv_work_t *work, int status)
{
    gateway_oidc_t *oidc = work->data;
    oidc->fetching = false;
    if (!oidc->fetched) {
        log_warn("%s; the keys known stay in use", oidc->fetch_error);
        return;
    }
    gateway_jwks_t fresh = {0};
    char error[200];
    if (gateway_jwks_load(&fresh, oidc->fetched, error, sizeof error) == 0) {
        gateway_jwks_clear(&oidc->jwks);
        oidc->jwks = fresh;
        log_info("the issuer's keys: %zu", oidc->jwks.n);
    } else {
        log_warn("%s; the keys known stay in use", error);
    }
    free(oidc->fetched);
    oidc->fetched = NULL;
}

static void s_refresh_keys(gateway_oidc_t *oidc)
{
    if (oidc->fetching)
        return;
    oidc->fetching = true;
    oidc->last_fetch_ms = uv_now(oidc->loop);
    oidc->fetch.data = oidc;
    uv_queue_work(oidc->loop, &oidc->fetch, s_fetch_work, s_fetch_done);
}

static void s_on_jwks_timer(uv_timer_t *timer)
{
    s_refresh_keys(timer->data);
}

/* ------------------------------------------------------------ the organisations */

static void s_ask_orgs(gateway_oidc_t *oidc);

static void s_wake_waiters(gateway_oidc_t *oidc)
{
    while (oidc->waiters.next != &oidc->waiters) {
        gateway_keys_waiter_t *w = oidc->waiters.next;
        gateway_oidc_forget(oidc, w);
        w->done(w);
    }
}

static void s_on_orgs(void *ctx, const Samhand__V1__Envelope *reply)
{
    gateway_oidc_t *oidc = ctx;
    oidc->orgs_call = NULL;
    Samhand__V1__ListOrganizationsResponse *list =
        reply && (!reply->status || reply->status->code == BUS_OK)
            ? samhand__v1__list_organizations_response__unpack(NULL, reply->body.len,
                                                               reply->body.data)
            : NULL;
    if (!list) {
        oidc->n_next_orgs = 0; /* try again at the next tick */
        oidc->orgs_cursor[0] = '\0';
        s_wake_waiters(oidc);
        return;
    }
    for (size_t i = 0; i < list->n_items && oidc->n_next_orgs < ORGS_MAX; i++) {
        s_org_t *o = &oidc->next_orgs[oidc->n_next_orgs++];
        snprintf(o->number, sizeof o->number, "%s", list->items[i]->organization_number);
        snprintf(o->id, sizeof o->id, "%s", list->items[i]->id);
    }
    snprintf(oidc->orgs_cursor, sizeof oidc->orgs_cursor, "%s", list->next_cursor);
    samhand__v1__list_organizations_response__free_unpacked(list, NULL);
    if (oidc->orgs_cursor[0]) {
        s_ask_orgs(oidc);
        return;
    }
    /* all read: the new table is the one in use */
    s_org_t *old = oidc->orgs;
    oidc->orgs = oidc->next_orgs;
    oidc->n_orgs = oidc->n_next_orgs;
    oidc->next_orgs = old;
    oidc->n_next_orgs = 0;
    s_wake_waiters(oidc);
}

static void s_ask_orgs(gateway_oidc_t *oidc)
{
    Samhand__V1__ListOrganizationsRequest req = SAMHAND__V1__LIST_ORGANIZATIONS_REQUEST__INIT;
    req.limit = 500;
    req.cursor = oidc->orgs_cursor;
    oidc->orgs_call = gateway_bridge_ask(oidc->bridge, "agenda", "agenda.ListOrganizations",
                                         &req.base, 5000, s_on_orgs, oidc);
}

static void s_on_orgs_timer(uv_timer_t *timer)
{
    gateway_oidc_t *oidc = timer->data;
    if (oidc->orgs_call)
        return; /* still reading */
    oidc->last_orgs_ms = uv_now(oidc->loop);
    oidc->n_next_orgs = 0;
    oidc->orgs_cursor[0] = '\0';
    s_ask_orgs(oidc);
}

int gateway_oidc_wait_for_organizations(gateway_oidc_t *oidc, gateway_keys_waiter_t *waiter)
{
    waiter->prev = oidc->waiters.prev;
    waiter->next = &oidc->waiters;
    oidc->waiters.prev->next = waiter;
    oidc->waiters.prev = waiter;
    if (oidc->orgs_call || uv_is_active((uv_handle_t *)&oidc->orgs_soon))
        return 1; /* a read is under way or due: it wakes this one too */
    uint64_t since = uv_now(oidc->loop) - oidc->last_orgs_ms;
    if (since < ORGS_UNKNOWN_MS) {
        /* read a moment ago: the next read, at most that moment away, may
         * have an organisation registered since */
        uv_timer_start(&oidc->orgs_soon, s_on_orgs_timer, ORGS_UNKNOWN_MS - since, 0);
        return 1;
    }
    s_on_orgs_timer(&oidc->orgs_timer);
    if (!oidc->orgs_call) { /* no agenda to ask */
        gateway_oidc_forget(oidc, waiter);
        return 0;
    }
    return 1;
}

void gateway_oidc_forget(gateway_oidc_t *oidc, gateway_keys_waiter_t *waiter)
{
    (void)oidc;
    if (!waiter->next)
        return;
    waiter->prev->next = waiter->next;
    waiter->next->prev = waiter->prev;
    waiter->next = waiter->prev = NULL;
}

static const char *s_org_id(const gateway_oidc_t *oidc, const char *number)
{
    for (size_t i = 0; i < oidc->n_orgs; i++)
        if (strcmp(oidc->orgs[i].number, number) == 0)
            return oidc->orgs[i].id;
    return NULL;
}

/* ------------------------------------------------------------ the gateway's side */

gateway_oidc_t *gateway_oidc_new(uv_loop_t *loop, gateway_bridge_t *bridge,
                                 const gateway_oidc_config_t *config, char *error,
                                 size_t error_size)
{
    if (!config->issuer || !config->issuer[0])
        return NULL;
    if (!config->jwks || !config->jwks[0] || !config->audience || !config->audience[0]) {
        snprintf(error, error_size,
                 "SAMHAND_OIDC_ISSUER needs SAMHAND_OIDC_AUDIENCE and SAMHAND_OIDC_JWKS");
        return NULL;
    }
    if (strncasecmp(config->jwks, "http://", 7) == 0 && !config->allow_http_jwks) {
        snprintf(error, error_size,
                 "SAMHAND_OIDC_JWKS must be a file or an https:// URL: keys fetched over plain "
                 "http could come from anyone on the way (SAMHAND_OIDC_ALLOW_HTTP_JWKS=1 allows "
                 "it, for tests)");
        return NULL;
    }
    gateway_oidc_t *oidc = calloc(1, sizeof *oidc);
    oidc->config = *config;
    oidc->rules = (gateway_jwt_rules_t){config->issuer, config->audience, config->clock_skew_s,
                                        config->org_claim, config->roles_claim};
    oidc->loop = loop;
    oidc->bridge = bridge;
    /* the keys at start, synchronously: without them no token can pass */
    char *text = s_read_jwks(config->jwks, config->allow_http_jwks, error, error_size);
    if (!text || gateway_jwks_load(&oidc->jwks, text, error, error_size) != 0) {
        free(text);
        free(oidc);
        return NULL;
    }
    free(text);
    oidc->last_fetch_ms = uv_now(loop);
    oidc->waiters.next = oidc->waiters.prev = &oidc->waiters;
    oidc->orgs = calloc(ORGS_MAX, sizeof *oidc->orgs);
    oidc->next_orgs = calloc(ORGS_MAX, sizeof *oidc->next_orgs);
    uv_timer_init(loop, &oidc->jwks_timer);
    oidc->jwks_timer.data = oidc;
    uv_timer_start(&oidc->jwks_timer, s_on_jwks_timer, JWKS_REFRESH_MS, JWKS_REFRESH_MS);
    uv_timer_init(loop, &oidc->orgs_timer);
    oidc->orgs_timer.data = oidc;
    uv_timer_init(loop, &oidc->orgs_soon);
    oidc->orgs_soon.data = oidc;
    /* soon after start (agenda may not be connected yet), then every minute */
    uv_timer_start(&oidc->orgs_timer, s_on_orgs_timer, 200, ORGS_REFRESH_MS);
    return oidc;
}

void gateway_oidc_destroy(gateway_oidc_t **oidc_p)
{
    if (!oidc_p || !*oidc_p)
        return;
    gateway_oidc_t *oidc = *oidc_p;
    uv_timer_stop(&oidc->jwks_timer);
    uv_timer_stop(&oidc->orgs_timer);
    uv_timer_stop(&oidc->orgs_soon);
    uv_close((uv_handle_t *)&oidc->jwks_timer, NULL);
    uv_close((uv_handle_t *)&oidc->orgs_timer, NULL);
    uv_close((uv_handle_t *)&oidc->orgs_soon, NULL);
    if (oidc->orgs_call)
        gateway_bridge_cancel(oidc->bridge, oidc->orgs_call);
    while (oidc->waiters.next != &oidc->waiters)
        gateway_oidc_forget(oidc, oidc->waiters.next);
    gateway_jwks_clear(&oidc->jwks);
    free(oidc->orgs);
    free(oidc->next_orgs);
    /* the loop runs once more after this (main), so the timers' close
     * callbacks find nothing freed under them: the struct is leaked at exit
     * only if a fetch is still running */
    if (!oidc->fetching)
        free(oidc);
    *oidc_p = NULL;
}

int gateway_oidc_principal(gateway_oidc_t *oidc, const char *token, size_t len,
                           Samhand__V1__Principal *principal, gateway_identity_t *identity)
{
    gateway_jwt_claims_t claims;
    char why[200];
    int rc = gateway_jwt_verify(&oidc->jwks, &oidc->rules, token, len, (int64_t)time(NULL), &claims,
                                why, sizeof why);
    if (rc != 0) {
        /* a key rotated at the issuer: look again, now and then */
        if (strncmp(why, "no key", 6) == 0 &&
            uv_now(oidc->loop) - oidc->last_fetch_ms > JWKS_UNKNOWN_KID_MS)
            s_refresh_keys(oidc);
        log_info("token refused: %s", why);
        return -1;
    }
    memset(identity, 0, sizeof *identity);
    snprintf(identity->subject, sizeof identity->subject, "oidc:%.150s", claims.subject);
    const char *org = claims.org_number[0] ? s_org_id(oidc, claims.org_number) : NULL;
    /* an organisation registered since the last look: the caller may wait
     * for the next (gateway_oidc_wait_for_organizations) */
    identity->organization_unknown = claims.org_number[0] && !org;
    snprintf(identity->organization_id, sizeof identity->organization_id, "%s", org ? org : "");
    principal->subject = identity->subject;
    principal->organization_id = identity->organization_id;
    principal->n_roles = 0;
    principal->roles = identity->roles;
    for (size_t i = 0; i < claims.n_roles; i++) {
        if (!gateway_role_bit(claims.roles[i], strlen(claims.roles[i])))
            continue; /* the issuer's other roles are none of ours */
        snprintf(identity->role_text[principal->n_roles], sizeof identity->role_text[0], "%s",
                 claims.roles[i]);
        identity->roles[principal->n_roles] = identity->role_text[principal->n_roles];
        principal->n_roles++;
    }
    return 0;
}
