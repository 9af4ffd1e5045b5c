/* API keys checked against their SHA-256, in constant time. */
#include "gateway_auth.h"
#include "gateway_policy.h"
#include "samhand_check.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static int s_hex_digest(const char *hex, size_t len, unsigned char out[32])
{
    if (len != 64)
        return -1;
    for (int i = 0; i < 32; i++) {
        unsigned int byte;
        char pair[3] = {hex[2 * i], hex[2 * i + 1], 0};
        if (!strchr("0123456789abcdefABCDEF", pair[0]) ||
            !strchr("0123456789abcdefABCDEF", pair[1]) || sscanf(pair, "%2x", &byte) != 1)
            return -1;
        out[i] = (unsigned char)byte;
    }
    return 0;
}

int gateway_auth_init(gateway_auth_t *auth, const char *admin_hex, const char *api_keys,
                      char *error, size_t error_size)
{
    memset(auth, 0, sizeof *auth);
    if (admin_hex && *admin_hex) {
        gateway_key_t *key = &auth->keys[auth->n_keys++];
        if (s_hex_digest(admin_hex, strlen(admin_hex), key->sha256) != 0) {
            snprintf(error, error_size, "SAMHAND_ADMIN_KEY_SHA256 must be 64 hexadecimal digits");
            return -1;
        }
        snprintf(key->subject, sizeof key->subject, "admin");
        snprintf(key->role_text, sizeof key->role_text, "administrator");
        key->roles[key->n_roles++] = key->role_text;
    }
    for (const char *p = api_keys ? api_keys : ""; *p;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        char entry[512];
        snprintf(entry, sizeof entry, "%.*s", (int)len, p);
        p += len + (end ? 1 : 0);
        char *first = strchr(entry, ':');
        char *second = first ? strchr(first + 1, ':') : NULL;
        if (auth->n_keys == GATEWAY_AUTH_MAX_KEYS) {
            snprintf(error, error_size, "SAMHAND_API_KEYS holds more than %d keys",
                     GATEWAY_AUTH_MAX_KEYS);
            return -1;
        }
        gateway_key_t *key = &auth->keys[auth->n_keys];
        if (!second || s_hex_digest(entry, (size_t)(first - entry), key->sha256) != 0) {
            snprintf(error, error_size,
                     "SAMHAND_API_KEYS entry %zu must be <sha256 hex>:<organization id>:<roles>",
                     auth->n_keys + 1);
            return -1;
        }
        *second = '\0';
        if (first[1] && !check_uuid(first + 1)) {
            snprintf(error, error_size, "SAMHAND_API_KEYS entry %zu: %s is not an organization id",
                     auth->n_keys + 1, first + 1);
            return -1;
        }
        snprintf(key->organization_id, sizeof key->organization_id, "%s", first + 1);
        snprintf(key->subject, sizeof key->subject, "key:%.12s", entry);
        snprintf(key->role_text, sizeof key->role_text, "%s", second + 1);
        for (char *save = NULL, *role = strtok_r(key->role_text, "+", &save);
             role && key->n_roles < GATEWAY_AUTH_MAX_ROLES; role = strtok_r(NULL, "+", &save)) {
            if (!gateway_role_bit(role, strlen(role))) {
                char known[160];
                gateway_roles_text(ROLE_ANY, known, sizeof known);
                snprintf(error, error_size,
                         "SAMHAND_API_KEYS entry %zu: \"%s\" is not a role (roles: %s)",
                         auth->n_keys + 1, role, known);
                return -1;
            }
            key->roles[key->n_roles++] = role;
        }
        if (key->n_roles == 0) {
            snprintf(error, error_size, "SAMHAND_API_KEYS entry %zu has no role", auth->n_keys + 1);
            return -1;
        }
        auth->n_keys++;
    }
    return 0;
}

gateway_auth_result_t gateway_auth_check(const gateway_auth_t *auth, const char *header,
                                         size_t header_len, Samhand__V1__Principal *principal)
{
    if (!header || header_len == 0)
        return GATEWAY_AUTH_MISSING;
    if (header_len <= 7 || strncasecmp(header, "Bearer ", 7) != 0)
        return GATEWAY_AUTH_INVALID;
    unsigned char digest[32];
    unsigned int digest_len = 0;
    if (!EVP_Digest(header + 7, header_len - 7, digest, &digest_len, EVP_sha256(), NULL))
        return GATEWAY_AUTH_INVALID;
    for (size_t i = 0; i < auth->n_keys; i++) {
        const gateway_key_t *key = &auth->keys[i];
        if (CRYPTO_memcmp(digest, key->sha256, sizeof digest) != 0)
            continue;
        principal->subject = (char *)key->subject;
        principal->organization_id = (char *)key->organization_id;
        principal->n_roles = key->n_roles;
        principal->roles = (char **)key->roles;
        return GATEWAY_AUTH_OK;
    }
    return GATEWAY_AUTH_INVALID;
}
