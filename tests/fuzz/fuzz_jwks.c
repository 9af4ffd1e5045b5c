/* The gateway's JWKS reader fed hostile key sets, as an issuer's URL or a
 * file might hand them over: what loads is at most GATEWAY_JWKS_MAX keys,
 * each RS256 or ES256 with a key, and clears without a leak. */
#include "gateway_jwt.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    memcpy(text, data, size);
    text[size] = '\0';
    gateway_jwks_t jwks = {.n = 0};
    char error[200] = "";
    int rc = gateway_jwks_load(&jwks, text, error, sizeof error);
    if (rc != 0 && (jwks.n != 0 || !error[0]))
        abort();
    if (jwks.n > GATEWAY_JWKS_MAX)
        abort();
    for (size_t i = 0; i < jwks.n; i++)
        if (!jwks.keys[i].pkey ||
            (jwks.keys[i].alg != GATEWAY_JWT_RS256 && jwks.keys[i].alg != GATEWAY_JWT_ES256))
            abort();
    gateway_jwks_clear(&jwks);
    free(text);
    return 0;
}
