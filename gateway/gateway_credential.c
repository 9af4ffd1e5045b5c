/* Who calls, read from a request, and the answers when it may not: a
 * credential missing or not valid (401, after parking a request whose key
 * or organisation was made a moment ago) and too many requests (429). */
#include "gateway_credential.h"
#include "gateway_reply.h"

#include <string.h>
#include <strings.h>

/* Who is calling: an OpenID Connect access token (when an issuer is
 * configured and the credential is a JWT) or an API key. */
gateway_auth_result_t gateway_credential_check_value(gateway_t *gateway, const char *value,
                                                     size_t len, Samhand__V1__Principal *principal,
                                                     gateway_identity_t *identity)
{
    h2o_iovec_t v = h2o_iovec_init(value, len);
    if (gateway->oidc && v.len > 7 && strncasecmp(v.base, "Bearer ", 7) == 0 &&
        gateway_jwt_looks_like(v.base + 7, v.len - 7))
        return gateway_oidc_principal(gateway->oidc, v.base + 7, v.len - 7, principal, identity) ==
                       0
                   ? GATEWAY_AUTH_OK
                   : GATEWAY_AUTH_INVALID;
    gateway_auth_result_t result = gateway_auth_check(&gateway->auth, v.base, v.len, principal);
    if (result == GATEWAY_AUTH_INVALID && gateway->keys && v.len > 7 &&
        strncasecmp(v.base, "Bearer ", 7) == 0 &&
        gateway_keys_check(gateway->keys, v.base + 7, v.len - 7, principal, identity) == 0)
        result = GATEWAY_AUTH_OK;
    return result;
}

gateway_auth_result_t gateway_credential_check(gateway_t *gateway, h2o_req_t *req,
                                               Samhand__V1__Principal *principal,
                                               gateway_identity_t *identity)
{
    identity->organization_unknown = false;
    ssize_t i = h2o_find_header(&req->headers, H2O_TOKEN_AUTHORIZATION, -1);
    if (i < 0)
        return GATEWAY_AUTH_MISSING;
    h2o_iovec_t v = req->headers.entries[i].value;
    return gateway_credential_check_value(gateway, v.base, v.len, principal, identity);
}

bool gateway_credential_holds(gateway_t *gateway, h2o_req_t *req, const char *subject)
{
    Samhand__V1__Principal principal = SAMHAND__V1__PRINCIPAL__INIT;
    gateway_identity_t identity;
    return gateway_credential_check(gateway, req, &principal, &identity) == GATEWAY_AUTH_OK &&
           principal.subject && strcmp(principal.subject, subject) == 0;
}

/* A request with an API key the gateway does not know waits for the keys
 * to be read from agenda once (a key made a moment ago), then is handled
 * again from the start. */
typedef struct {
    gateway_keys_waiter_t waiter; /* first: the keys module hands it back */
    gateway_t *gateway;
    h2o_handler_t *handler;
    h2o_req_t *req;
    bool for_organizations; /* waits for the organisations (a token's), not the keys */
} s_parked_t;

static void s_on_parked_dispose(void *data)
{
    s_parked_t *p = data;
    if (p->for_organizations)
        gateway_oidc_forget(p->gateway->oidc, &p->waiter);
    else
        gateway_keys_forget(p->gateway->keys, &p->waiter);
}

static void s_on_keys_read(gateway_keys_waiter_t *waiter)
{
    s_parked_t *p = (s_parked_t *)waiter;
    p->req->res.headers = (h2o_headers_t){NULL, 0, 0}; /* the second pass adds its own */
    /* marked, so that the second pass refuses a key still not known */
    h2o_add_header_by_str(&p->req->pool, &p->req->headers, H2O_STRLIT("x-samhand-keys-read"), 0,
                          NULL, H2O_STRLIT("1"));
    p->handler->on_req(p->handler, p->req);
}

/* The request parked in its pool, to be handled by `self` again when
 * `done` is called. */
static s_parked_t *s_park(gateway_t *gateway, h2o_handler_t *self, h2o_req_t *req,
                          void (*done)(gateway_keys_waiter_t *), bool for_organizations)
{
    s_parked_t *p = h2o_mem_alloc_shared(&req->pool, sizeof *p, s_on_parked_dispose);
    memset(p, 0, sizeof *p);
    p->waiter.done = done;
    p->gateway = gateway;
    p->handler = self;
    p->req = req;
    p->for_organizations = for_organizations;
    return p;
}

static bool s_wait_for_key(gateway_t *gateway, h2o_handler_t *self, h2o_req_t *req)
{
    ssize_t i = h2o_find_header(&req->headers, H2O_TOKEN_AUTHORIZATION, -1);
    if (!gateway->keys || i < 0 ||
        h2o_find_header_by_str(&req->headers, H2O_STRLIT("x-samhand-keys-read"), -1) >= 0)
        return false;
    h2o_iovec_t v = req->headers.entries[i].value;
    if (v.len < 11 || strncasecmp(v.base, "Bearer shk_", 11) != 0)
        return false;
    s_parked_t *p = s_park(gateway, self, req, s_on_keys_read, false);
    return gateway_keys_wait(gateway->keys, &p->waiter) == 1;
}

static void s_on_organizations_read(gateway_keys_waiter_t *waiter)
{
    s_parked_t *p = (s_parked_t *)waiter;
    h2o_add_header_by_str(&p->req->pool, &p->req->headers, H2O_STRLIT("x-samhand-orgs-read"), 0,
                          NULL, H2O_STRLIT("1"));
    p->handler->on_req(p->handler, p->req);
}

/* A token of an organisation registered a moment ago: handled again once
 * the organisations are read, so that it acts for it from the first
 * request (not, until the next read, for none). */
static bool s_wait_for_organizations(gateway_t *gateway, h2o_handler_t *self, h2o_req_t *req)
{
    if (!gateway->oidc ||
        h2o_find_header_by_str(&req->headers, H2O_STRLIT("x-samhand-orgs-read"), -1) >= 0)
        return false;
    s_parked_t *p = s_park(gateway, self, req, s_on_organizations_read, true);
    return gateway_oidc_wait_for_organizations(gateway->oidc, &p->waiter) == 1;
}

/* For a route that needs a credential, after gateway_credential_check gave
 * `result`: 0 when it is good; 1 when the request is handled already,
 * parked until the keys are read once (an API key made a moment ago) or
 * answered 401 and counted under `label`. */
int gateway_credential_refused(gateway_t *gateway, h2o_handler_t *self, h2o_req_t *req,
                               gateway_auth_result_t result, const gateway_identity_t *identity,
                               const char *label, const struct timespec *start,
                               const char *request_id)
{
    if (result == GATEWAY_AUTH_OK)
        return identity->organization_unknown && s_wait_for_organizations(gateway, self, req);
    if (result == GATEWAY_AUTH_INVALID && s_wait_for_key(gateway, self, req))
        return 1;
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_WWW_AUTHENTICATE, NULL,
                   H2O_STRLIT("Bearer realm=\"samhand\""));
    gateway_reply_problem(
        req, 401,
        result == GATEWAY_AUTH_MISSING
            ? "this needs a credential: Authorization: Bearer <API key or access token>"
            : "the credential is not valid",
        NULL, request_id);
    gateway_reply_count(gateway, label, 401, start, request_id);
    return 1;
}

/* The limit per credential: 0, or 1 when 429 has been answered. */
int gateway_credential_limited(gateway_t *gateway, h2o_req_t *req,
                               const Samhand__V1__Principal *principal, const char *label,
                               const struct timespec *start, const char *request_id)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    int wait = gateway_limit_take(&gateway->limit, principal->subject,
                                  (double)now.tv_sec + (double)now.tv_nsec / 1e9);
    if (wait == 0)
        return 0;
    char seconds[16], detail[128];
    snprintf(seconds, sizeof seconds, "%d", wait);
    snprintf(detail, sizeof detail, "too many requests with this credential; try again in %d s",
             wait);
    gateway_reply_header(req, "retry-after", seconds, strlen(seconds));
    gateway_reply_problem(req, 429, detail, NULL, request_id);
    gateway_reply_count(gateway, label, 429, start, request_id);
    return 1;
}
