/* Who is calling. The walking skeleton knows one credential: the
 * administrator API key that `./samhand up` creates, of which the gateway
 * keeps only the SHA-256. OpenID Connect and per-organisation keys follow. */
#ifndef GATEWAY_AUTH_H
#define GATEWAY_AUTH_H

#include <stddef.h>

#include "samhand/v1/envelope.pb-c.h"

typedef struct {
    unsigned char admin_key_sha256[32];
    int has_admin_key;
} gateway_auth_t;

/* `admin_key_sha256_hex`: 64 hex digits, or "" for no administrator key.
 * Returns 0, or -1 when the text is not such a digest. */
int gateway_auth_init(gateway_auth_t *auth, const char *admin_key_sha256_hex);

typedef enum {
    GATEWAY_AUTH_OK,
    GATEWAY_AUTH_MISSING, /* no Authorization header */
    GATEWAY_AUTH_INVALID, /* a credential that is not valid */
} gateway_auth_result_t;

/* Checks an Authorization header value ("Bearer <key>"); on success fills
 * the principal with static strings (nothing to free). */
gateway_auth_result_t gateway_auth_check(const gateway_auth_t *auth, const char *header,
                                         size_t header_len, Samhand__V1__Principal *principal);

#endif
