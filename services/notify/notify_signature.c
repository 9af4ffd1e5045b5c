/* Standard Webhooks signatures: one entry of webhook-signature for a
 * secret, by the scheme its prefix tells (whsec_: HMAC-SHA256 "v1",
 * whsk_: ed25519 "v1a"). Pure: secret and content in, text out. */
#include "notify_server.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
