/* OpenID Connect access tokens at the gateway, as HelseID would issue
 * them: signed with RS256 or ES256 by a key of the issuer's JWKS (a file
 * here), for our audience, with the organisation number and samhand's
 * roles as claims. A valid token acts for its organisation with its roles;
 * a token expired, for another audience, unsigned or signed by another key
 * gets 401 and nothing else. API keys keep working beside them. */
#include "harness.h"
#include "harness_jwt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define ISSUER "https://helseid-sts.test.nhn.no"
#define ORG_CLAIM "helseid://claims/client/claims/orgnr_parent"

static harness_stack_t s_stack;
static harness_signer_t *s_rsa, *s_ec, *s_stranger;
static char s_jwks_path[256], s_trondheim[40], s_stolav[40];

static int s_setup(void **state)
{
    s_rsa = harness_signer_new("RS256", "helseid-rsa");
    s_ec = harness_signer_new("ES256", "helseid-ec");
    s_stranger = harness_signer_new("RS256", "helseid-rsa");
    harness_signer_t *keys[] = {s_rsa, s_ec};
    char *jwks = harness_jwks(keys, 2);
    snprintf(s_jwks_path, sizeof s_jwks_path, "/tmp/samhand-jwks-%d.json", (int)getpid());
    FILE *f = fopen(s_jwks_path, "w");
    fputs(jwks, f);
    fclose(f);
    free(jwks);
    setenv("SAMHAND_OIDC_ISSUER", ISSUER, 1);
    setenv("SAMHAND_OIDC_AUDIENCE", "samhand-api", 1);
    setenv("SAMHAND_OIDC_JWKS", s_jwks_path, 1);
    harness_stack_start(&s_stack, harness_database_url());
    static const char *const orgs[][2] = {{"Trondheim kommune", "942110464"},
                                          {"St. Olavs hospital HF", "883974832"}};
    char *ids[] = {s_trondheim, s_stolav};
    for (int i = 0; i < 2; i++) {
        char body[256];
        snprintf(body, sizeof body,
                 "{\"name\":\"%s\",\"organizationNumber\":\"%s\",\"kind\":\"%s\"}", orgs[i][0],
                 orgs[i][1], i ? "HOSPITAL_TRUST" : "MUNICIPALITY");
        harness_http_response_t *r =
            harness_stack_send(&s_stack, "POST", "/v1/organizations", body);
        assert_int_equal(r->status, 201);
        snprintf(ids[i], 40, "%s", harness_json_text(r, "id"));
        harness_http_response_free(&r);
    }
    return 0;
}

static int s_teardown(void **state)
{
    harness_stack_stop(&s_stack);
    unlink(s_jwks_path);
    harness_signer_free(&s_rsa);
    harness_signer_free(&s_ec);
    harness_signer_free(&s_stranger);
    return 0;
}

/* A token of a nurse at Trondheim kommune: `exp_in` seconds left. */
static char *s_token(harness_signer_t *signer, const char *header, long exp_in,
                     const char *audience, const char *roles)
{
    char payload[1024];
    long now = (long)time(NULL);
    snprintf(payload, sizeof payload,
             "{\"iss\":\"" ISSUER "\",\"aud\":\"%s\",\"sub\":\"hpr:565501234\",\"exp\":%ld,"
             "\"nbf\":%ld,\"iat\":%ld,\"" ORG_CLAIM "\":\"942110464\",\"samhand_roles\":%s}",
             audience, now + exp_in, now - 5, now - 5, roles);
    return harness_jwt(signer, header, payload);
}

static harness_http_response_t *s_with(const char *token, const char *method, const char *path,
                                       const char *body)
{
    char url[256], header[4096];
    snprintf(url, sizeof url, "%s%s", s_stack.base_url, path);
    snprintf(header, sizeof header, "Authorization: Bearer %s", token);
    const char *headers[] = {header, NULL};
    return harness_http_request(method, url, body, headers);
}

static void test_a_token_acts_for_its_organisation(void **state)
{
    char *token = s_token(s_rsa, NULL, 300, "samhand-api", "[\"reporter\"]");
    char body[1024];
    snprintf(body, sizeof body,
             "{\"reportingOrganizationId\":\"%s\",\"receivingOrganizationId\":\"%s\","
             "\"reporterName\":\"Kari Nordmann\",\"occurredTime\":\"2026-11-02T10:00:00+01:00\","
             "\"type\":\"BREACH_OF_AGREEMENT\",\"categoryCode\":\"SAM-EPIKRISE\","
             "\"description\":\"Epikrise mangler.\",\"harmDegree\":\"MINOR\",\"submit\":true}",
             s_trondheim, s_stolav);
    /* the organisations were registered a moment ago, after the gateway
     * read the directory: the first request waits for the next read and
     * acts for its organisation (it acted for none until then) */
    harness_http_response_t *r = s_with(token, "POST", "/v1/deviations", body);
    assert_int_equal(r->status, 201);
    char path[128];
    snprintf(path, sizeof path, "/v1/deviations/%s", harness_json_text(r, "id"));
    harness_http_response_free(&r);
    free(token);
    /* read back with an ES256 token of the same organisation */
    token = s_token(s_ec, NULL, 300, "samhand-api", "\"reporter quality\"");
    r = s_with(token, "GET", path, NULL);
    assert_int_equal(r->status, 200);
    assert_string_equal(harness_json_text(r, "reportingOrganizationId"), s_trondheim);
    harness_http_response_free(&r);
    /* its roles are the token's: a reporter keeps no directory */
    r = s_with(token, "POST", "/v1/organizations",
               "{\"name\":\"Ny\",\"organizationNumber\":\"974575086\",\"kind\":\"OTHER\"}");
    assert_int_equal(r->status, 403);
    harness_http_response_free(&r);
    free(token);
    /* the API keys still work beside the tokens */
    r = harness_stack_get(&s_stack, "/v1/persons");
    assert_int_equal(r->status, 200);
    harness_http_response_free(&r);
}

static void s_refused(char *token)
{
    harness_http_response_t *r = s_with(token, "GET", "/v1/deviations", NULL);
    assert_int_equal(r->status, 401);
    assert_string_equal(r->content_type, "application/problem+json");
    assert_null(json_object_get(r->json, "items"));
    assert_string_equal(harness_json_text(r, "detail"), "the credential is not valid");
    harness_http_response_free(&r);
    free(token);
}

static void test_bad_tokens_refused(void **state)
{
    s_refused(s_token(s_rsa, NULL, -120, "samhand-api", "[\"reporter\"]")); /* expired */
    s_refused(s_token(s_rsa, NULL, 300, "another-api", "[\"reporter\"]"));
    s_refused(s_token(s_stranger, NULL, 300, "samhand-api", "[\"reporter\"]"));
    s_refused(s_token(s_rsa, "{\"alg\":\"none\",\"kid\":\"helseid-rsa\"}", 300, "samhand-api",
                      "[\"reporter\"]"));
    s_refused(s_token(s_rsa, "{\"alg\":\"HS256\",\"kid\":\"helseid-rsa\"}", 300, "samhand-api",
                      "[\"reporter\"]"));
    /* not yet valid */
    char payload[512];
    long now = (long)time(NULL);
    snprintf(payload, sizeof payload,
             "{\"iss\":\"" ISSUER "\",\"aud\":\"samhand-api\",\"sub\":\"x\",\"exp\":%ld,"
             "\"nbf\":%ld,\"samhand_roles\":[\"reporter\"]}",
             now + 3600, now + 600);
    s_refused(harness_jwt(s_rsa, NULL, payload));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_token_acts_for_its_organisation),
        cmocka_unit_test(test_bad_tokens_refused),
    };
    return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
