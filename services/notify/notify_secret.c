/* Webhook secrets at rest: sealed with SAMHAND_SECRET_KEY by AES-256-GCM
 * (OpenSSL EVP), a random nonce per secret, kept as "v1." and the base64
 * of nonce, ciphertext and tag; and the sealing at start-up of the secrets
 * an older notify kept in plain text. The key never leaves the process. */
#include "notify_server.h"
#include "notify_store.h"
#include "samhand_log.h"

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NONCE_BYTES 12
#define TAG_BYTES 16
#define SECRET_MAX 128
#define SEALED_PREFIX "v1."
/* what a sealed text is for: one sealed for something else does not open */
static const unsigned char s_aad[] = "samhand webhook secret";

static int s_hex(char c)
{
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

int notify_secret_key_parse(const char *text, unsigned char key[NOTIFY_SECRET_KEY_BYTES])
{
    size_t len = text ? strlen(text) : 0;
    if (len == 2 * NOTIFY_SECRET_KEY_BYTES) {
        for (size_t i = 0; i < NOTIFY_SECRET_KEY_BYTES; i++) {
            int hi = s_hex(text[2 * i]), lo = s_hex(text[2 * i + 1]);
            if (hi < 0 || lo < 0)
                return -1;
            key[i] = (unsigned char)(hi << 4 | lo);
        }
        return 0;
    }
    /* base64 of 32 bytes: 44 characters, the last one '=' */
    if (len != 44 || text[43] != '=' || text[42] == '=')
        return -1;
    unsigned char bytes[36];
    if (EVP_DecodeBlock(bytes, (const unsigned char *)text, 44) != 33)
        return -1;
    memcpy(key, bytes, NOTIFY_SECRET_KEY_BYTES);
    return 0;
}

char *notify_secret_seal(const unsigned char key[NOTIFY_SECRET_KEY_BYTES], const char *secret)
{
    size_t len = strlen(secret);
    if (len > SECRET_MAX)
        return NULL;
    unsigned char sealed[NONCE_BYTES + SECRET_MAX + TAG_BYTES];
    char *text = NULL;
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    int out = 0, final = 0;
    if (!c || RAND_bytes(sealed, NONCE_BYTES) != 1 ||
        EVP_EncryptInit_ex(c, EVP_aes_256_gcm(), NULL, key, sealed) != 1 ||
        EVP_EncryptUpdate(c, NULL, &out, s_aad, sizeof s_aad - 1) != 1 ||
        EVP_EncryptUpdate(c, sealed + NONCE_BYTES, &out, (const unsigned char *)secret, (int)len) !=
            1 ||
        EVP_EncryptFinal_ex(c, sealed + NONCE_BYTES + out, &final) != 1 ||
        EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, TAG_BYTES,
                            sealed + NONCE_BYTES + out + final) != 1)
        goto cleanup;
    size_t total = NONCE_BYTES + (size_t)out + (size_t) final + TAG_BYTES;
    text = malloc(sizeof SEALED_PREFIX + 4 * ((total + 2) / 3));
    if (!text)
        goto cleanup;
    memcpy(text, SEALED_PREFIX, sizeof SEALED_PREFIX - 1);
    EVP_EncodeBlock((unsigned char *)text + sizeof SEALED_PREFIX - 1, sealed, (int)total);

cleanup:
    EVP_CIPHER_CTX_free(c);
    return text;
}

char *notify_secret_open(const unsigned char key[NOTIFY_SECRET_KEY_BYTES], const char *sealed)
{
    if (!sealed || strncmp(sealed, SEALED_PREFIX, sizeof SEALED_PREFIX - 1) != 0)
        return NULL;
    const char *b64 = sealed + sizeof SEALED_PREFIX - 1;
    size_t b64_len = strlen(b64);
    if (b64_len % 4 != 0 || b64_len > 4 * ((NONCE_BYTES + SECRET_MAX + TAG_BYTES + 2) / 3))
        return NULL;
    unsigned char bytes[NONCE_BYTES + SECRET_MAX + TAG_BYTES + 3];
    int n = EVP_DecodeBlock(bytes, (const unsigned char *)b64, (int)b64_len);
    for (size_t i = b64_len; i > 0 && b64[i - 1] == '=' && n > 0; i--)
        n--;
    if (n < NONCE_BYTES + TAG_BYTES)
        return NULL;
    int cipher_len = n - NONCE_BYTES - TAG_BYTES;
    char *secret = malloc((size_t)cipher_len + 1);
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    int out = 0, final = 0;
    bool opened =
        secret && c && EVP_DecryptInit_ex(c, EVP_aes_256_gcm(), NULL, key, bytes) == 1 &&
        EVP_DecryptUpdate(c, NULL, &out, s_aad, sizeof s_aad - 1) == 1 &&
        EVP_DecryptUpdate(c, (unsigned char *)secret, &out, bytes + NONCE_BYTES, cipher_len) == 1 &&
        EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, TAG_BYTES, bytes + NONCE_BYTES + cipher_len) ==
            1 &&
        EVP_DecryptFinal_ex(c, (unsigned char *)secret + out, &final) == 1;
    EVP_CIPHER_CTX_free(c);
    if (!opened) {
        free(secret);
        return NULL;
    }
    secret[out + final] = '\0';
    return secret;
}

void notify_secret_seal_plain(db_t *db, void *arg)
{
    const notify_context_t *context = arg;
    if (db_begin(db) != 0)
        return;
    int rows = 0, sealed = 0;
    notify_plain_secret_t *plain = notify_store_plain_secrets(db, &rows);
    for (int i = 0; i < rows; i++) {
        char *secret =
            plain[i].secret ? notify_secret_seal(context->secret_key, plain[i].secret) : NULL;
        char *previous =
            plain[i].previous ? notify_secret_seal(context->secret_key, plain[i].previous) : NULL;
        int rc = (secret || !plain[i].secret) && (previous || !plain[i].previous)
                     ? notify_store_secret_sealed(db, plain[i].id, secret, previous)
                     : -1;
        free(secret);
        free(previous);
        if (rc < 0) {
            notify_plain_secrets_free(plain, rows);
            log_error("could not seal the webhook secrets kept in plain text: %s", db_error(db));
            db_rollback(db);
            return;
        }
        sealed++;
    }
    notify_plain_secrets_free(plain, rows);
    if (rows < 0 || db_commit(db) != 0) {
        log_error("could not seal the webhook secrets kept in plain text: %s", db_error(db));
        db_rollback(db);
        return;
    }
    if (sealed > 0)
        log_info("sealed %d webhook secrets kept in plain text", sealed);
}

int notify_key_bytes(const char *text, const char *prefix, unsigned char *key, int room)
{
    size_t prefix_len = strlen(prefix);
    const char *b64 = strncmp(text, prefix, prefix_len) == 0 ? text + prefix_len : text;
    size_t b64_len = strlen(b64);
    if (b64_len % 4 != 0 || (int)(b64_len / 4 * 3) > room)
        return -1;
    int len = EVP_DecodeBlock(key, (const unsigned char *)b64, (int)b64_len);
    while (b64_len > 0 && b64[b64_len - 1] == '=' && len > 0)
        len--, b64_len--;
    return len;
}
