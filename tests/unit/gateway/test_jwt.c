/* Access tokens as HelseID issues them: accepted when signed by a key of
 * the issuer's JWKS (RS256, ES256) for our audience within their validity;
 * refused when expired, not yet valid, for another audience or issuer,
 * badly signed, signed by an unknown key, or with alg none or HS256. */
#include "gateway_jwt.h"
#include "harness_jwt.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define NOW 1795000000 /* 2026-11-18 */
#define ISSUER "https://helseid-sts.test.nhn.no"
#define AUDIENCE "samhand-api"
#define ORG_CLAIM "helseid://claims/client/claims/orgnr_parent"

static harness_signer_t *s_rsa, *s_ec, *s_stranger;
static gateway_jwks_t s_jwks;
static const gateway_jwt_rules_t s_rules = {ISSUER, AUDIENCE, 60, ORG_CLAIM, "samhand_roles"};

static int s_setup(void **state)
{
    s_rsa = harness_signer_new("RS256", "rsa-1");
    s_ec = harness_signer_new("ES256", "ec-1");
    s_stranger = harness_signer_new("RS256", "rsa-1"); /* same kid, another key */
    harness_signer_t *both[] = {s_rsa, s_ec};
    char *jwks = harness_jwks(both, 2);
    char error[200];
    assert_int_equal(gateway_jwks_load(&s_jwks, jwks, error, sizeof error), 0);
    assert_int_equal(s_jwks.n, 2);
    free(jwks);
    return 0;
}

static int s_teardown(void **state)
{
    gateway_jwks_clear(&s_jwks);
    harness_signer_free(&s_rsa);
    harness_signer_free(&s_ec);
    harness_signer_free(&s_stranger);
    return 0;
}

/* Claims with `exp`, `nbf`, `aud` and `iss` as given. */
static char *s_payload(long exp, long nbf, const char *aud, const char *iss)
{
    char *text = malloc(1024);
    snprintf(text, 1024,
             "{\"iss\":\"%s\",\"aud\":%s,\"sub\":\"hpr:565501234\",\"exp\":%ld,\"nbf\":%ld,"
             "\"iat\":%ld,\"" ORG_CLAIM "\":\"942110464\",\"samhand_roles\":[\"reporter\","
             "\"quality\"]}",
             iss, aud, exp, nbf, (long)NOW - 10);
    return text;
}

static int s_verify(const char *token, char why[200])
{
    gateway_jwt_claims_t claims;
    return gateway_jwt_verify(&s_jwks, &s_rules, token, strlen(token), NOW, &claims, why, 200);
}

static void test_valid_tokens(void **state)
{
    char *payload = s_payload(NOW + 300, NOW - 10, "[\"other\",\"" AUDIENCE "\"]", ISSUER);
    harness_signer_t *signers[] = {s_rsa, s_ec};
    for (int i = 0; i < 2; i++) {
        char *token = harness_jwt(signers[i], NULL, payload);
        assert_true(gateway_jwt_looks_like(token, strlen(token)));
        gateway_jwt_claims_t claims;
        char why[200] = "";
        int rc =
            gateway_jwt_verify(&s_jwks, &s_rules, token, strlen(token), NOW, &claims, why, 200);
        if (rc != 0)
            fail_msg("refused: %s", why);
        assert_string_equal(claims.subject, "hpr:565501234");
        assert_string_equal(claims.org_number, "942110464");
        assert_int_equal(claims.n_roles, 2);
        assert_string_equal(claims.roles[1], "quality");
        free(token);
    }
    free(payload);
    /* within the clock skew of 60 s */
    payload = s_payload(NOW - 30, NOW + 30, "\"" AUDIENCE "\"", ISSUER);
    char *token = harness_jwt(s_ec, NULL, payload);
    char why[200];
    assert_int_equal(s_verify(token, why), 0);
    free(token);
    free(payload);
}

static void s_refused(const char *token, const char *because)
{
    char why[200] = "";
    assert_int_equal(s_verify(token, why), -1);
    if (!strstr(why, because))
        fail_msg("refused for \"%s\", not \"%s\"", why, because);
}

static void test_refused_claims(void **state)
{
    struct {
        long exp, nbf;
        const char *aud, *iss, *because;
    } cases[] = {
        {NOW - 61, NOW - 600, "\"" AUDIENCE "\"", ISSUER, "expired"},
        {NOW + 600, NOW + 61, "\"" AUDIENCE "\"", ISSUER, "not yet valid"},
        {NOW + 600, NOW - 10, "\"another-api\"", ISSUER, "audience"},
        {NOW + 600, NOW - 10, "[\"a\",\"b\"]", ISSUER, "audience"},
        {NOW + 600, NOW - 10, "\"" AUDIENCE "\"", "https://evil.example", "issuer"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *payload = s_payload(cases[i].exp, cases[i].nbf, cases[i].aud, cases[i].iss);
        char *token = harness_jwt(s_rsa, NULL, payload);
        s_refused(token, cases[i].because);
        free(token);
        free(payload);
    }
    /* dates no clock holds (found by fuzz_jwt) are refused, not cast */
    const char *beyond[][2] = {
        {"1e300", "1"},
        {"-1e300", "1"},
        {"\"tomorrow\"", "1"},
        {"9999999999", "176311111111111111111111111111111111111111179880.0"},
        {"9999999999", "-1e300"},
        {"9999999999", "null"},
    };
    for (size_t i = 0; i < sizeof beyond / sizeof beyond[0]; i++) {
        char payload[512];
        snprintf(payload, sizeof payload,
                 "{\"iss\":\"%s\",\"aud\":\"%s\",\"sub\":\"hpr:565501234\",\"exp\":%s,"
                 "\"nbf\":%s}",
                 ISSUER, AUDIENCE, beyond[i][0], beyond[i][1]);
        char *token = harness_jwt(s_rsa, NULL, payload);
        s_refused(token, i < 3 ? "exp is not a date" : "nbf is not a date");
        free(token);
    }
}

static void test_refused_signatures(void **state)
{
    char *payload = s_payload(NOW + 300, NOW - 10, "\"" AUDIENCE "\"", ISSUER);
    /* another key under a known kid */
    char *token = harness_jwt(s_stranger, NULL, payload);
    s_refused(token, "bad signature");
    free(token);
    /* a payload changed after signing */
    token = harness_jwt(s_rsa, NULL, payload);
    char *dot = strchr(token, '.');
    dot[3] = dot[3] == 'A' ? 'B' : 'A';
    s_refused(token, "");
    free(token);
    /* an unknown kid */
    token = harness_jwt(s_rsa, "{\"alg\":\"RS256\",\"kid\":\"nobody\"}", payload);
    s_refused(token, "no key");
    free(token);
    /* an ES256 signature claimed to be RS256 */
    token = harness_jwt(s_ec, "{\"alg\":\"RS256\",\"kid\":\"rsa-1\"}", payload);
    s_refused(token, "bad signature");
    free(token);
    /* alg none, with or without a signature, and HS256 */
    token = harness_jwt(s_rsa, "{\"alg\":\"none\",\"kid\":\"rsa-1\"}", payload);
    s_refused(token, "alg none");
    *strrchr(token, '.') = '\0';
    strcat(token, ".");
    s_refused(token, "alg none");
    free(token);
    token = harness_jwt(s_rsa, "{\"alg\":\"HS256\",\"kid\":\"rsa-1\"}", payload);
    s_refused(token, "alg HS256");
    free(token);
    /* not a JWT at all */
    s_refused("shk_0123456789abcdef", "three parts");
    s_refused("a.b.c.d", "three parts");
    free(payload);
}

static void test_bad_jwks(void **state)
{
    gateway_jwks_t jwks = {0};
    char error[200];
    assert_int_equal(gateway_jwks_load(&jwks, "not json", error, sizeof error), -1);
    assert_int_equal(gateway_jwks_load(&jwks, "{\"keys\":[]}", error, sizeof error), -1);
    assert_int_equal(gateway_jwks_load(&jwks, "{\"keys\":[{\"kty\":\"oct\",\"k\":\"c2VjcmV0\"}]}",
                                       error, sizeof error),
                     -1); /* a shared secret is no key of ours */
    gateway_jwks_clear(&jwks);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_tokens),
        cmocka_unit_test(test_refused_claims),
        cmocka_unit_test(test_refused_signatures),
        cmocka_unit_test(test_bad_jwks),
    };
    return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
