/* OpenID Connect in the gateway: the issuer's keys (a JWKS file, or its URL
 * fetched at start, every hour and when a token names a key not yet
 * known), and the organisations of the directory by number, so that a
 * token's organisation number (HelseID's orgnr claim) becomes the
 * organisation samhand knows. Runs on the gateway's loop. */
#ifndef GATEWAY_OIDC_H
#define GATEWAY_OIDC_H

#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

#include "gateway_bridge.h"
#include "gateway_jwt.h"
#include "samhand/v1/envelope.pb-c.h"

typedef struct gateway_oidc gateway_oidc_t;

typedef struct {
    const char *issuer; /* "" : OpenID Connect is off */
    const char *audience;
    const char *jwks;     /* a file, or an https:// URL */
    bool allow_http_jwks; /* an http:// URL too (SAMHAND_OIDC_ALLOW_HTTP_JWKS, for tests) */
    const char *org_claim;
    const char *roles_claim;
    long clock_skew_s;
} gateway_oidc_config_t;

/* NULL with `error` when the configuration cannot work (no keys in the
 * file, a URL that does not answer at start, a plain http:// URL unless
 * allowed: keys fetched so could be anyone's). */
gateway_oidc_t *gateway_oidc_new(uv_loop_t *loop, gateway_bridge_t *bridge,
                                 const gateway_oidc_config_t *config, char *error,
                                 size_t error_size);
void gateway_oidc_destroy(gateway_oidc_t **oidc_p);

/* Storage for a principal made from a token, owned by the caller. */
typedef struct {
    char subject[160];
    char organization_id[40];
    char role_text[GATEWAY_JWT_MAX_ROLES][24];
    char *roles[GATEWAY_JWT_MAX_ROLES];
    bool organization_unknown; /* the token names an organisation number not (yet) known */
} gateway_identity_t;

/* Checks a token and fills `principal` with strings in `identity`. 0, or
 * -1 (the reason is logged, never the token). A token whose organisation
 * is not in the directory gets no organisation, so it reaches nothing that
 * belongs to one. */
int gateway_oidc_principal(gateway_oidc_t *oidc, const char *token, size_t len,
                           Samhand__V1__Principal *principal, gateway_identity_t *identity);

/* A request whose token names an organisation the gateway does not know
 * yet (registered a moment ago) waits for the directory's organisations to
 * be read once, as a request with a new API key waits for the keys: 1 when
 * `waiter` is parked and its `done` will be called, 0 when they were read
 * a moment ago (the number is unknown indeed). */
struct gateway_keys_waiter; /* gateway_keys.h */
int gateway_oidc_wait_for_organizations(gateway_oidc_t *oidc, struct gateway_keys_waiter *waiter);
void gateway_oidc_forget(gateway_oidc_t *oidc, struct gateway_keys_waiter *waiter);

#endif
