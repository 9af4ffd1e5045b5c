/* The gateway's JWT verification fed hostile tokens: as they come (the
 * first byte even), or (odd) a header and a payload of the fuzzer's, split
 * at the first NUL, signed here with the issuer's own key so that what
 * follows the signature check, the claims, is reached too. A token that
 * passes says who it is for in the shapes gateway_jwt.h promises. */
#include "gateway_jwt.h"
#include "harness_jwt.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define NOW 1763798899

static harness_signer_t *s_signers[2];
static gateway_jwks_t s_jwks;
static const gateway_jwt_rules_t s_rules = {.issuer = "https://helseid.test",
                                            .audience = "samhand",
                                            .clock_skew_s = 60,
                                            .org_claim =
                                                "helseid://claims/client/claims/orgnr_parent",
                                            .roles_claim = "samhand_roles"};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    s_signers[0] = harness_signer_new("ES256", "helseid-ec");
    s_signers[1] = harness_signer_new("RS256", "helseid-rsa");
    char *jwks = harness_jwks(s_signers, 2);
    char error[200];
    if (gateway_jwks_load(&s_jwks, jwks, error, sizeof error) != 0)
        abort();
    free(jwks);
    return 0;
}

static void s_verify(const char *token, size_t len)
{
    gateway_jwt_claims_t claims;
    char why[200];
    if (gateway_jwt_verify(&s_jwks, &s_rules, token, len, NOW, &claims, why, sizeof why) != 0)
        return;
    size_t org = strlen(claims.org_number);
    if (!claims.subject[0] ||
        (org != 0 && (org != 9 || strspn(claims.org_number, "0123456789") != 9)) ||
        claims.n_roles > GATEWAY_JWT_MAX_ROLES)
        abort();
    for (size_t i = 0; i < claims.n_roles; i++)
        if (!memchr(claims.roles[i], '\0', sizeof claims.roles[i]))
            abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    if (data[0] % 2 == 0) {
        s_verify((const char *)data + 1, size - 1);
        return 0;
    }
    /* header NUL payload, or a payload alone (the signer's own header) */
    char *text = malloc(size);
    memcpy(text, data + 1, size - 1);
    text[size - 1] = '\0';
    size_t header_len = strlen(text);
    const char *header = header_len < size - 1 ? text : NULL;
    const char *payload = header ? text + header_len + 1 : text;
    /* the RSA key only now and then: its signatures are slow */
    char *token = harness_jwt(s_signers[data[0] % 16 == 15], header, payload);
    s_verify(token, strlen(token));
    free(token);
    free(text);
    return 0;
}
