/* API key check against a configured SHA-256, in constant time. */
#include "gateway_auth.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <string.h>
#include <strings.h>

int gateway_auth_init(gateway_auth_t *auth, const char *hex)
{
    memset(auth, 0, sizeof *auth);
    if (!hex || !*hex)
        return 0;
    if (strlen(hex) != 64)
        return -1;
    for (int i = 0; i < 32; i++) {
        unsigned int byte;
        char pair[3] = {hex[2 * i], hex[2 * i + 1], 0};
        if (!strchr("0123456789abcdefABCDEF", pair[0]) ||
            !strchr("0123456789abcdefABCDEF", pair[1]) || sscanf(pair, "%2x", &byte) != 1)
            return -1;
        auth->admin_key_sha256[i] = (unsigned char)byte;
    }
    auth->has_admin_key = 1;
    return 0;
}

gateway_auth_result_t gateway_auth_check(const gateway_auth_t *auth, const char *header,
                                         size_t header_len, Samhand__V1__Principal *principal)
{
    static char *admin_roles[] = {"administrator"};
    if (!header || header_len == 0)
        return GATEWAY_AUTH_MISSING;
    if (header_len <= 7 || strncasecmp(header, "Bearer ", 7) != 0)
        return GATEWAY_AUTH_INVALID;
    const char *key = header + 7;
    size_t key_len = header_len - 7;
    unsigned char digest[32];
    unsigned int digest_len = 0;
    if (!auth->has_admin_key ||
        !EVP_Digest(key, key_len, digest, &digest_len, EVP_sha256(), NULL) ||
        CRYPTO_memcmp(digest, auth->admin_key_sha256, sizeof digest) != 0)
        return GATEWAY_AUTH_INVALID;
    principal->subject = "admin";
    principal->n_roles = 1;
    principal->roles = admin_roles;
    return GATEWAY_AUTH_OK;
}
