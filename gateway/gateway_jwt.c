/* JWT verification with OpenSSL 3 and jansson; see gateway_jwt.h. */
#include "gateway_jwt.h"

#include <jansson.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* base64url without padding -> bytes; the length, or -1. */
static long s_b64url(const char *in, size_t len, unsigned char **out)
{
    if (len > 1 << 20)
        return -1;
    size_t padded = (len + 3) / 4 * 4;
    char *text = malloc(padded + 1);
    for (size_t i = 0; i < len; i++) {
        char c = in[i];
        if (c == '+' || c == '/' || c == '=')
            goto bad; /* base64url has none of these */
        text[i] = c == '-' ? '+' : c == '_' ? '/' : c;
    }
    for (size_t i = len; i < padded; i++)
        text[i] = '=';
    text[padded] = '\0';
    *out = malloc(padded / 4 * 3 + 1);
    int n = EVP_DecodeBlock(*out, (unsigned char *)text, (int)padded);
    free(text);
    if (n < 0) {
        free(*out);
        *out = NULL;
        return -1;
    }
    n -= (int)(padded - len); /* the padding's bytes */
    (*out)[n] = '\0';
    return n;
bad:
    free(text);
    return -1;
}

static BIGNUM *s_bignum(json_t *jwk, const char *name)
{
    const char *text = json_string_value(json_object_get(jwk, name));
    unsigned char *bytes = NULL;
    long n = text ? s_b64url(text, strlen(text), &bytes) : -1;
    BIGNUM *bn = n > 0 ? BN_bin2bn(bytes, (int)n, NULL) : NULL;
    free(bytes);
    return bn;
}

static EVP_PKEY *s_rsa_key(json_t *jwk)
{
    BIGNUM *n = s_bignum(jwk, "n"), *e = s_bignum(jwk, "e");
    EVP_PKEY *pkey = NULL;
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    OSSL_PARAM *params = NULL;
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
    if (n && e && BN_num_bits(n) >= 2048 && OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) &&
        OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e) &&
        (params = OSSL_PARAM_BLD_to_param(bld)) && ctx && EVP_PKEY_fromdata_init(ctx) > 0 &&
        EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) <= 0)
        pkey = NULL;
    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    BN_free(n);
    BN_free(e);
    return pkey;
}

static EVP_PKEY *s_ec_key(json_t *jwk)
{
    const char *crv = json_string_value(json_object_get(jwk, "crv"));
    const char *x = json_string_value(json_object_get(jwk, "x"));
    const char *y = json_string_value(json_object_get(jwk, "y"));
    if (!crv || strcmp(crv, "P-256") != 0 || !x || !y)
        return NULL;
    unsigned char *xb = NULL, *yb = NULL, point[65];
    long xn = s_b64url(x, strlen(x), &xb), yn = s_b64url(y, strlen(y), &yb);
    EVP_PKEY *pkey = NULL;
    if (xn == 32 && yn == 32) {
        point[0] = 0x04; /* uncompressed */
        memcpy(point + 1, xb, 32);
        memcpy(point + 33, yb, 32);
        OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
        OSSL_PARAM *params = NULL;
        EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
        if (!(OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) &&
              OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point, sizeof point) &&
              (params = OSSL_PARAM_BLD_to_param(bld)) && ctx && EVP_PKEY_fromdata_init(ctx) > 0 &&
              EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) > 0))
            pkey = NULL;
        EVP_PKEY_CTX_free(ctx);
        OSSL_PARAM_free(params);
        OSSL_PARAM_BLD_free(bld);
    }
    free(xb);
    free(yb);
    return pkey;
}

void gateway_jwks_clear(gateway_jwks_t *jwks)
{
    for (size_t i = 0; i < jwks->n; i++)
        EVP_PKEY_free(jwks->keys[i].pkey);
    jwks->n = 0;
}

int gateway_jwks_load(gateway_jwks_t *jwks, const char *text, char *error, size_t error_size)
{
    gateway_jwks_clear(jwks);
    json_error_t json_error;
    json_t *doc = json_loads(text, 0, &json_error);
    json_t *keys = json_object_get(doc, "keys");
    if (!json_is_array(keys)) {
        snprintf(error, error_size, "the JWKS is not a JSON object with \"keys\": %s",
                 doc ? "no keys" : json_error.text);
        json_decref(doc);
        return -1;
    }
    size_t i;
    json_t *jwk;
    json_array_foreach(keys, i, jwk)
    {
        const char *kty = json_string_value(json_object_get(jwk, "kty"));
        const char *use = json_string_value(json_object_get(jwk, "use"));
        if (!kty || (use && strcmp(use, "sig") != 0) || jwks->n == GATEWAY_JWKS_MAX)
            continue;
        gateway_jwk_t *key = &jwks->keys[jwks->n];
        if (strcmp(kty, "RSA") == 0) {
            key->pkey = s_rsa_key(jwk);
            key->alg = GATEWAY_JWT_RS256;
        } else if (strcmp(kty, "EC") == 0) {
            key->pkey = s_ec_key(jwk);
            key->alg = GATEWAY_JWT_ES256;
        } else {
            continue;
        }
        if (!key->pkey)
            continue; /* a key we cannot use: RSA under 2048 bits, another curve */
        const char *kid = json_string_value(json_object_get(jwk, "kid"));
        snprintf(key->kid, sizeof key->kid, "%s", kid ? kid : "");
        jwks->n++;
    }
    json_decref(doc);
    if (jwks->n == 0) {
        snprintf(error, error_size, "the JWKS has no RSA (2048 bits or more) or P-256 key");
        return -1;
    }
    return 0;
}

int gateway_jwt_looks_like(const char *token, size_t len)
{
    const char *first = memchr(token, '.', len);
    const char *second = first ? memchr(first + 1, '.', len - (size_t)(first + 1 - token)) : NULL;
    return second != NULL;
}

/* The JOSE signature of ES256 (r || s, 32 bytes each) as the DER that
 * OpenSSL verifies. */
static int s_es256_der(const unsigned char *raw, long len, unsigned char **der)
{
    if (len != 64)
        return -1;
    ECDSA_SIG *sig = ECDSA_SIG_new();
    ECDSA_SIG_set0(sig, BN_bin2bn(raw, 32, NULL), BN_bin2bn(raw + 32, 32, NULL));
    *der = NULL;
    int n = i2d_ECDSA_SIG(sig, der);
    ECDSA_SIG_free(sig);
    return n;
}

static bool s_signature_ok(const gateway_jwk_t *key, const char *signed_part, size_t signed_len,
                           const unsigned char *sig, long sig_len)
{
    unsigned char *der = NULL;
    const unsigned char *check = sig;
    size_t check_len = (size_t)sig_len;
    if (key->alg == GATEWAY_JWT_ES256) {
        int n = s_es256_der(sig, sig_len, &der);
        if (n <= 0)
            return false;
        check = der;
        check_len = (size_t)n;
    }
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    bool ok =
        EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, key->pkey) > 0 &&
        EVP_DigestVerify(md, check, check_len, (const unsigned char *)signed_part, signed_len) == 1;
    EVP_MD_CTX_free(md);
    OPENSSL_free(der);
    return ok;
}

static json_t *s_json_part(const char *part, size_t len)
{
    unsigned char *bytes = NULL;
    long n = s_b64url(part, len, &bytes);
    json_t *json = n > 0 ? json_loadb((const char *)bytes, (size_t)n, 0, NULL) : NULL;
    free(bytes);
    return json_is_object(json) ? json : (json_decref(json), NULL);
}

#define FAIL(...)                                                                                  \
    do {                                                                                           \
        snprintf(why, why_size, __VA_ARGS__);                                                      \
        goto done;                                                                                 \
    } while (0)

/* A NumericDate (RFC 7519 § 2): seconds since the epoch, possibly with a
 * fraction. One beyond ±10¹² s (30 000 years) is no date a clock can hold,
 * and would not fit an int64_t either. */
static bool s_numeric_date(const json_t *value, int64_t *seconds)
{
    if (!json_is_number(value))
        return false;
    double v = json_number_value(value);
    if (!(v > -1e12 && v < 1e12)) /* and NaN */
        return false;
    *seconds = (int64_t)v;
    return true;
}

int gateway_jwt_verify(const gateway_jwks_t *jwks, const gateway_jwt_rules_t *rules,
                       const char *token, size_t len, int64_t now, gateway_jwt_claims_t *claims,
                       char *why, size_t why_size)
{
    int rc = -1;
    json_t *header = NULL, *payload = NULL;
    unsigned char *sig = NULL;
    memset(claims, 0, sizeof *claims);
    const char *dot1 = memchr(token, '.', len);
    const char *dot2 = dot1 ? memchr(dot1 + 1, '.', len - (size_t)(dot1 + 1 - token)) : NULL;
    if (!dot2 || memchr(dot2 + 1, '.', len - (size_t)(dot2 + 1 - token)))
        FAIL("not a signed JWT (three parts)");
    header = s_json_part(token, (size_t)(dot1 - token));
    payload = s_json_part(dot1 + 1, (size_t)(dot2 - dot1 - 1));
    if (!header || !payload)
        FAIL("header or payload is not base64url JSON");
    const char *alg = json_string_value(json_object_get(header, "alg"));
    int want = alg && strcmp(alg, "RS256") == 0   ? GATEWAY_JWT_RS256
               : alg && strcmp(alg, "ES256") == 0 ? GATEWAY_JWT_ES256
                                                  : 0;
    if (!want)
        FAIL("alg %s is not accepted (RS256, ES256)", alg ? alg : "(none)");
    const char *kid = json_string_value(json_object_get(header, "kid"));
    const gateway_jwk_t *key = NULL;
    for (size_t i = 0; i < jwks->n && !key; i++)
        if (jwks->keys[i].alg == want && (!kid || strcmp(jwks->keys[i].kid, kid) == 0))
            key = &jwks->keys[i];
    if (!key)
        FAIL("no key of the issuer for kid %s and %s", kid ? kid : "(none)", alg);
    long sig_len = s_b64url(dot2 + 1, len - (size_t)(dot2 + 1 - token), &sig);
    if (sig_len <= 0 || !s_signature_ok(key, token, (size_t)(dot2 - token), sig, sig_len))
        FAIL("bad signature");

    const char *iss = json_string_value(json_object_get(payload, "iss"));
    if (!iss || strcmp(iss, rules->issuer) != 0)
        FAIL("issuer %s is not %s", iss ? iss : "(none)", rules->issuer);
    json_t *aud = json_object_get(payload, "aud");
    bool for_us = json_is_string(aud) && strcmp(json_string_value(aud), rules->audience) == 0;
    size_t i;
    json_t *one;
    json_array_foreach(aud, i, one) for_us |=
        json_is_string(one) && strcmp(json_string_value(one), rules->audience) == 0;
    if (!for_us)
        FAIL("the token is not for audience %s", rules->audience);
    json_t *nbf = json_object_get(payload, "nbf");
    int64_t expires, not_before;
    if (!json_object_get(payload, "exp"))
        FAIL("no expiry");
    if (!s_numeric_date(json_object_get(payload, "exp"), &expires))
        FAIL("exp is not a date");
    if (expires + rules->clock_skew_s <= now)
        FAIL("expired");
    if (nbf && !s_numeric_date(nbf, &not_before))
        FAIL("nbf is not a date");
    if (nbf && not_before - rules->clock_skew_s > now)
        FAIL("not yet valid");
    const char *sub = json_string_value(json_object_get(payload, "sub"));
    if (!sub || !*sub)
        FAIL("no subject");
    snprintf(claims->subject, sizeof claims->subject, "%s", sub);
    const char *org = json_string_value(json_object_get(payload, rules->org_claim));
    if (org && strlen(org) == 9 && strspn(org, "0123456789") == 9)
        snprintf(claims->org_number, sizeof claims->org_number, "%s", org);
    json_t *roles = json_object_get(payload, rules->roles_claim);
    if (json_is_string(roles)) { /* "reporter quality" or "reporter" */
        char text[256];
        snprintf(text, sizeof text, "%s", json_string_value(roles));
        for (char *save = NULL, *r = strtok_r(text, " ,", &save);
             r && claims->n_roles < GATEWAY_JWT_MAX_ROLES; r = strtok_r(NULL, " ,", &save))
            snprintf(claims->roles[claims->n_roles++], sizeof claims->roles[0], "%s", r);
    }
    json_array_foreach(roles, i,
                       one) if (json_is_string(one) && claims->n_roles < GATEWAY_JWT_MAX_ROLES)
        snprintf(claims->roles[claims->n_roles++], sizeof claims->roles[0], "%s",
                 json_string_value(one));
    rc = 0;
done:
    json_decref(header);
    json_decref(payload);
    free(sig);
    return rc;
}
