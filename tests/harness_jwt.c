/* Test tokens with OpenSSL 3; see harness_jwt.h. */
#include "harness_jwt.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct harness_signer {
    char alg[8], kid[64];
    EVP_PKEY *key;
};

static char *s_b64url(const unsigned char *bytes, size_t len)
{
    char *out = malloc(len * 4 / 3 + 8);
    int n = EVP_EncodeBlock((unsigned char *)out, bytes, (int)len);
    while (n > 0 && out[n - 1] == '=')
        n--;
    out[n] = '\0';
    for (int i = 0; i < n; i++)
        out[i] = out[i] == '+' ? '-' : out[i] == '/' ? '_' : out[i];
    return out;
}

harness_signer_t *harness_signer_new(const char *alg, const char *kid)
{
    harness_signer_t *s = calloc(1, sizeof *s);
    snprintf(s->alg, sizeof s->alg, "%s", alg);
    snprintf(s->kid, sizeof s->kid, "%s", kid);
    s->key = strcmp(alg, "ES256") == 0 ? EVP_EC_gen("P-256") : EVP_RSA_gen(2048);
    return s;
}

void harness_signer_free(harness_signer_t **signer_p)
{
    if (!signer_p || !*signer_p)
        return;
    EVP_PKEY_free((*signer_p)->key);
    free(*signer_p);
    *signer_p = NULL;
}

int harness_signer_pem(const harness_signer_t *signer, const char *path)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    int ok = PEM_write_PrivateKey(f, signer->key, NULL, NULL, 0, NULL, NULL);
    return fclose(f) == 0 && ok ? 0 : -1;
}

static char *s_bn_b64(const EVP_PKEY *key, const char *name, int width)
{
    BIGNUM *bn = NULL;
    EVP_PKEY_get_bn_param(key, name, &bn);
    int len = width ? width : BN_num_bytes(bn);
    unsigned char *bytes = calloc(1, (size_t)len);
    BN_bn2binpad(bn, bytes, len);
    char *text = s_b64url(bytes, (size_t)len);
    free(bytes);
    BN_free(bn);
    return text;
}

char *harness_jwks(harness_signer_t *const *signers, size_t n)
{
    size_t size = 16384, used = 0;
    char *out = malloc(size);
    used += (size_t)snprintf(out + used, size - used, "{\"keys\":[");
    for (size_t i = 0; i < n; i++) {
        const harness_signer_t *s = signers[i];
        if (strcmp(s->alg, "ES256") == 0) {
            char *x = s_bn_b64(s->key, OSSL_PKEY_PARAM_EC_PUB_X, 32);
            char *y = s_bn_b64(s->key, OSSL_PKEY_PARAM_EC_PUB_Y, 32);
            used += (size_t)snprintf(out + used, size - used,
                                     "%s{\"kty\":\"EC\",\"crv\":\"P-256\",\"use\":\"sig\","
                                     "\"kid\":\"%s\",\"x\":\"%s\",\"y\":\"%s\"}",
                                     i ? "," : "", s->kid, x, y);
            free(x);
            free(y);
        } else {
            char *nn = s_bn_b64(s->key, OSSL_PKEY_PARAM_RSA_N, 0);
            char *e = s_bn_b64(s->key, OSSL_PKEY_PARAM_RSA_E, 0);
            used += (size_t)snprintf(out + used, size - used,
                                     "%s{\"kty\":\"RSA\",\"use\":\"sig\",\"alg\":\"RS256\","
                                     "\"kid\":\"%s\",\"n\":\"%s\",\"e\":\"%s\"}",
                                     i ? "," : "", s->kid, nn, e);
            free(nn);
            free(e);
        }
    }
    snprintf(out + used, size - used, "]}");
    return out;
}

char *harness_jwt(harness_signer_t *s, const char *header, const char *payload)
{
    char default_header[160];
    snprintf(default_header, sizeof default_header,
             "{\"alg\":\"%s\",\"kid\":\"%s\",\"typ\":\"at+jwt\"}", s->alg, s->kid);
    const char *h = header ? header : default_header;
    char *h64 = s_b64url((const unsigned char *)h, strlen(h));
    char *p64 = s_b64url((const unsigned char *)payload, strlen(payload));
    size_t signed_len = strlen(h64) + 1 + strlen(p64);
    char *token = malloc(signed_len + 1024);
    sprintf(token, "%s.%s", h64, p64);
    free(h64);
    free(p64);
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    size_t sig_len = 0;
    EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, s->key);
    EVP_DigestSign(md, NULL, &sig_len, (unsigned char *)token, signed_len);
    unsigned char *sig = malloc(sig_len);
    EVP_DigestSign(md, sig, &sig_len, (unsigned char *)token, signed_len);
    EVP_MD_CTX_free(md);
    unsigned char raw[64];
    const unsigned char *use = sig;
    size_t use_len = sig_len;
    if (strcmp(s->alg, "ES256") == 0) { /* DER -> r || s, as JOSE has it */
        const unsigned char *p = sig;
        ECDSA_SIG *es = d2i_ECDSA_SIG(NULL, &p, (long)sig_len);
        BN_bn2binpad(ECDSA_SIG_get0_r(es), raw, 32);
        BN_bn2binpad(ECDSA_SIG_get0_s(es), raw + 32, 32);
        ECDSA_SIG_free(es);
        use = raw;
        use_len = 64;
    }
    char *s64 = s_b64url(use, use_len);
    sprintf(token + signed_len, ".%s", s64);
    free(s64);
    free(sig);
    return token;
}
