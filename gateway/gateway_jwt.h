/* OpenID Connect access tokens: JWTs signed with RS256 or ES256, checked
 * against the issuer's keys (a JWKS document) and against the issuer,
 * audience, expiry and not-before, as HelseID issues them. Nothing else is
 * accepted: no "none", no shared-secret HS256, no key from the token. */
#ifndef GATEWAY_JWT_H
#define GATEWAY_JWT_H

#include <stddef.h>
#include <stdint.h>

#define GATEWAY_JWKS_MAX 16
#define GATEWAY_JWT_MAX_ROLES 8

typedef struct {
    char kid[128];
    int alg;    /* GATEWAY_JWT_RS256 or GATEWAY_JWT_ES256 */
    void *pkey; /* EVP_PKEY */
} gateway_jwk_t;

typedef struct {
    gateway_jwk_t keys[GATEWAY_JWKS_MAX];
    size_t n;
} gateway_jwks_t;

enum { GATEWAY_JWT_RS256 = 1, GATEWAY_JWT_ES256 = 2 };

/* What the gateway checks a token against. */
typedef struct {
    const char *issuer;      /* "iss" must be exactly this */
    const char *audience;    /* "aud" must be or contain this */
    long clock_skew_s;       /* allowed on exp and nbf */
    const char *org_claim;   /* the claim with the organisation number */
    const char *roles_claim; /* the claim with samhand's roles (string or array) */
} gateway_jwt_rules_t;

/* What a valid token says. */
typedef struct {
    char subject[128];   /* "sub" */
    char org_number[16]; /* 9 digits, or "" */
    char roles[GATEWAY_JWT_MAX_ROLES][24];
    size_t n_roles;
} gateway_jwt_claims_t;

/* Reads a JWKS document (RSA and P-256 EC keys; others are skipped).
 * 0, or -1 with `error` saying why. Replaces what `jwks` held. */
int gateway_jwks_load(gateway_jwks_t *jwks, const char *json, char *error, size_t error_size);

void gateway_jwks_clear(gateway_jwks_t *jwks);

/* Verifies `token` at time `now` (Unix seconds). 0 and `claims`, or -1
 * with `why` (for the log; the caller answers 401 without it). */
int gateway_jwt_verify(const gateway_jwks_t *jwks, const gateway_jwt_rules_t *rules,
                       const char *token, size_t len, int64_t now, gateway_jwt_claims_t *claims,
                       char *why, size_t why_size);

/* Whether a bearer credential looks like a JWT (three dot-separated parts)
 * rather than an API key. */
int gateway_jwt_looks_like(const char *token, size_t len);

#endif
