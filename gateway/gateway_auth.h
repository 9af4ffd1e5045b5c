/* Who is calling: API keys, of which the gateway keeps only the SHA-256.
 * The administrator key that `./samhand up` creates, and integration keys
 * bound to an organisation and roles (SAMHAND_API_KEYS). OpenID Connect
 * and keys managed through the API follow with the access-control issue. */
#ifndef GATEWAY_AUTH_H
#define GATEWAY_AUTH_H

#include <stddef.h>

#include "samhand/v1/envelope.pb-c.h"

#define GATEWAY_AUTH_MAX_KEYS 64
#define GATEWAY_AUTH_MAX_ROLES 8

typedef struct {
    unsigned char sha256[32];
    char subject[24];         /* "admin" or "key:<first hex digits>" */
    char organization_id[40]; /* "" for none */
    char *roles[GATEWAY_AUTH_MAX_ROLES];
    size_t n_roles;
    char role_text[128]; /* storage of roles */
} gateway_key_t;

typedef struct {
    gateway_key_t keys[GATEWAY_AUTH_MAX_KEYS];
    size_t n_keys;
} gateway_auth_t;

/* `admin_key_sha256_hex`: 64 hex digits, or "" for no administrator key.
 * `api_keys`: comma-separated `<sha256 hex>:<organization uuid>:<role>+<role>`
 * entries, or "". Returns 0, or -1 with `error` saying which entry is wrong. */
int gateway_auth_init(gateway_auth_t *auth, const char *admin_key_sha256_hex, const char *api_keys,
                      char *error, size_t error_size);

typedef enum {
    GATEWAY_AUTH_OK,
    GATEWAY_AUTH_MISSING, /* no Authorization header */
    GATEWAY_AUTH_INVALID, /* a credential that is not valid */
} gateway_auth_result_t;

/* Checks an Authorization header value ("Bearer <key>"); on success fills
 * the principal with strings borrowed from `auth` (nothing to free). */
gateway_auth_result_t gateway_auth_check(const gateway_auth_t *auth, const char *header,
                                         size_t header_len, Samhand__V1__Principal *principal);

#endif
