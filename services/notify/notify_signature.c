/* Standard Webhooks signatures: one entry of webhook-signature for a
 * secret, by the scheme its prefix tells (whsec_: HMAC-SHA256 "v1",
 * whsk_: ed25519 "v1a"), pure: secret and content in, text out; and the
 * secrets and key pairs a subscription is signed with, new or its
 * owner's own. */
#include "notify_server.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

/* "v1,<base64 of HMAC-SHA256(key, id.timestamp.body)>", the key being the
 * secret's base64 after "whsec_". 0 or -1. */
static int s_sign_hmac(const char *secret, const char *content, size_t content_len, char out[100])
{
    unsigned char key[66];
    int key_len = notify_key_bytes(secret, "whsec_", key, sizeof key);
    unsigned char mac[32];
    unsigned int mac_len = 0;
    if (key_len < 0 || !HMAC(EVP_sha256(), key, key_len, (const unsigned char *)content,
                             content_len, mac, &mac_len))
        return -1;
    memcpy(out, "v1,", 3);
    EVP_EncodeBlock((unsigned char *)out + 3, mac, (int)mac_len);
    return 0;
}

/* "v1a,<base64 of the ed25519 signature of id.timestamp.body>" by the
 * private key "whsk_<base64 of its raw 32 bytes>". 0 or -1. */
static int s_sign_ed25519(const char *private_key, const char *content, size_t content_len,
                          char out[100])
{
    unsigned char raw[33], signature[64];
    size_t signature_len = sizeof signature;
    int raw_len = notify_key_bytes(private_key, "whsk_", raw, sizeof raw);
    EVP_PKEY *key =
        raw_len == 32 ? EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, raw, 32) : NULL;
    OPENSSL_cleanse(raw, sizeof raw);
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    int rc = -1;
    if (!key || !md || EVP_DigestSignInit(md, NULL, NULL, NULL, key) != 1 ||
        EVP_DigestSign(md, signature, &signature_len, (const unsigned char *)content,
                       content_len) != 1)
        goto cleanup;
    memcpy(out, "v1a,", 4);
    EVP_EncodeBlock((unsigned char *)out + 4, signature, (int)signature_len);
    rc = 0;

cleanup:
    EVP_MD_CTX_free(md);
    EVP_PKEY_free(key);
    return rc;
}

/* One entry of webhook-signature for `secret` over id.timestamp.body: by
 * its scheme, which its prefix tells (whsk_: ed25519, else HMAC). 0 or -1. */
int notify_signature_entry(const char *secret, const char *id, const char *timestamp,
                           const char *body, char out[100])
{
    char *content = NULL;
    int len = asprintf(&content, "%s.%s.%s", id, timestamp, body);
    if (len < 0)
        return -1;
    int rc = strncmp(secret, "whsk_", 5) == 0 ? s_sign_ed25519(secret, content, (size_t)len, out)
                                              : s_sign_hmac(secret, content, (size_t)len, out);
    free(content);
    return rc;
}

static void s_secret(char out[64])
{
    unsigned char bytes[24];
    if (getrandom(bytes, sizeof bytes, 0) != (ssize_t)sizeof bytes)
        memset(bytes, 0, sizeof bytes);
    memcpy(out, "whsec_", 6);
    EVP_EncodeBlock((unsigned char *)out + 6, bytes, sizeof bytes);
}

/* An ed25519 key pair (OpenSSL): `private_key` "whsk_" and `public_key`
 * "whpk_" with the base64 of the raw 32-byte keys, as Standard Webhooks
 * writes them. 0, or -1 when OpenSSL could not make one. */
static int s_key_pair(char private_key[64], char public_key[64])
{
    unsigned char raw[32];
    size_t len = sizeof raw;
    EVP_PKEY *key = NULL;
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, NULL);
    int rc = -1;
    if (!ctx || EVP_PKEY_keygen_init(ctx) != 1 || EVP_PKEY_keygen(ctx, &key) != 1 ||
        EVP_PKEY_get_raw_private_key(key, raw, &len) != 1 || len != sizeof raw)
        goto cleanup;
    memcpy(private_key, "whsk_", 5);
    EVP_EncodeBlock((unsigned char *)private_key + 5, raw, sizeof raw);
    len = sizeof raw;
    if (EVP_PKEY_get_raw_public_key(key, raw, &len) != 1 || len != sizeof raw)
        goto cleanup;
    memcpy(public_key, "whpk_", 5);
    EVP_EncodeBlock((unsigned char *)public_key + 5, raw, sizeof raw);
    rc = 0;

cleanup:
    OPENSSL_cleanse(raw, sizeof raw);
    EVP_PKEY_free(key);
    EVP_PKEY_CTX_free(ctx);
    return rc;
}

int notify_signature_own_key(const char *signing_key, char private_key[64], char public_key[64])
{
    unsigned char raw[72], derived[32];
    size_t derived_len = sizeof derived;
    int len = strncmp(signing_key, "whsk_", 5) == 0 && strlen(signing_key) <= 5 + 88
                  ? notify_key_bytes(signing_key, "whsk_", raw, sizeof raw)
                  : -1;
    EVP_PKEY *key = len == 32 || len == 64
                        ? EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, raw, 32)
                        : NULL;
    bool is_key = key && EVP_PKEY_get_raw_public_key(key, derived, &derived_len) == 1 &&
                  derived_len == sizeof derived &&
                  (len == 32 || CRYPTO_memcmp(raw + 32, derived, sizeof derived) == 0);
    if (is_key) {
        memcpy(private_key, "whsk_", 5);
        EVP_EncodeBlock((unsigned char *)private_key + 5, raw, 32);
        memcpy(public_key, "whpk_", 5);
        EVP_EncodeBlock((unsigned char *)public_key + 5, derived, sizeof derived);
    }
    OPENSSL_cleanse(raw, sizeof raw);
    EVP_PKEY_free(key);
    return is_key ? 0 : -1;
}

int notify_signature_new_secret(Samhand__V1__SignatureScheme scheme, char secret[64],
                                char public_key[64])
{
    public_key[0] = '\0';
    if (scheme == SAMHAND__V1__SIGNATURE_SCHEME__ED25519)
        return s_key_pair(secret, public_key);
    s_secret(secret);
    return 0;
}
