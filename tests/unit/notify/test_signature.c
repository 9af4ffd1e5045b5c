/* Webhook signatures as the Standard Webhooks specification has them: the
 * HMAC scheme gives the specification's own example, the ed25519 scheme
 * a signature the key's public half verifies, and a secret that is no key
 * signs nothing; an owner's own ed25519 key gives RFC 8032's public key,
 * and new secrets have the forms Standard Webhooks writes. */
#include "harness.h"
#include "notify_server.h"

#include <openssl/evp.h>
#include <string.h>

#define ID "msg_p5jXN8AQM9LWM0D4loKWxJek"
#define TIMESTAMP "1614265330"
#define BODY "{\"test\": 2432232314}"

static void test_hmac_signs_as_the_specification(void **state)
{
    (void)state;
    char out[100];
    assert_int_equal(
        notify_signature_entry("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", ID, TIMESTAMP, BODY, out),
        0);
    assert_string_equal(out, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    /* the prefix may be left out; another body, another signature */
    assert_int_equal(
        notify_signature_entry("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", ID, TIMESTAMP, BODY, out), 0);
    assert_string_equal(out, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    assert_int_equal(notify_signature_entry("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", ID, TIMESTAMP,
                                            "{\"test\": 2432232315}", out),
                     0);
    assert_string_not_equal(out, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
}

static void test_ed25519_verifies_with_the_public_key(void **state)
{
    (void)state;
    unsigned char raw[32];
    for (int i = 0; i < 32; i++)
        raw[i] = (unsigned char)(i * 7 + 1);
    char secret[64] = "whsk_";
    EVP_EncodeBlock((unsigned char *)secret + 5, raw, 32);
    char out[100];
    assert_int_equal(notify_signature_entry(secret, ID, TIMESTAMP, BODY, out), 0);
    assert_memory_equal(out, "v1a,", 4);
    unsigned char signature[80];
    assert_int_equal(
        EVP_DecodeBlock(signature, (const unsigned char *)out + 4, (int)strlen(out + 4)),
        66); /* 64 bytes, padded to a multiple of 3 */
    EVP_PKEY *key = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, raw, 32);
    unsigned char public_raw[32];
    size_t public_len = sizeof public_raw;
    assert_int_equal(EVP_PKEY_get_raw_public_key(key, public_raw, &public_len), 1);
    EVP_PKEY *public_key =
        EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, public_raw, public_len);
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    const char *content = ID "." TIMESTAMP "." BODY;
    assert_int_equal(EVP_DigestVerifyInit(md, NULL, NULL, NULL, public_key), 1);
    assert_int_equal(
        EVP_DigestVerify(md, signature, 64, (const unsigned char *)content, strlen(content)), 1);
    EVP_MD_CTX_free(md);
    EVP_PKEY_free(public_key);
    EVP_PKEY_free(key);
}

static void test_no_key_signs_nothing(void **state)
{
    (void)state;
    char out[100];
    assert_int_equal(notify_signature_entry("whsec_***", ID, TIMESTAMP, BODY, out), -1);
    assert_int_equal(notify_signature_entry("whsk_c2hvcnQ=", ID, TIMESTAMP, BODY, out), -1);
}

/* RFC 8032, 7.1, test 1: the seed and its public key */
#define SEED_B64 "nWGxne/9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A="
#define PUBLIC_B64 "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="

static void test_own_key_gives_the_public_key_of_rfc_8032(void **state)
{
    (void)state;
    char private_key[64], public_key[64];
    assert_int_equal(notify_signature_own_key("whsk_" SEED_B64, private_key, public_key), 0);
    assert_string_equal(private_key, "whsk_" SEED_B64);
    assert_string_equal(public_key, "whpk_" PUBLIC_B64);
    /* seed and public key as libsodium keeps them: kept as the seed */
    assert_int_equal(notify_signature_own_key("whsk_nWGxne/9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2DXWp"
                                              "gBgrEKt9VL/tPJZAc6DuFy89qmIyWvAhpo9wdRGg==",
                                              private_key, public_key),
                     0);
    assert_string_equal(private_key, "whsk_" SEED_B64);
    assert_string_equal(public_key, "whpk_" PUBLIC_B64);
}

static void test_own_key_refuses_what_is_no_such_key(void **state)
{
    (void)state;
    char private_key[64], public_key[64];
    /* a public half that is not the seed's */
    assert_int_equal(notify_signature_own_key("whsk_nWGxne/9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2AA"
                                              "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==",
                                              private_key, public_key),
                     -1);
    assert_int_equal(notify_signature_own_key(SEED_B64, private_key, public_key), -1);
    assert_int_equal(notify_signature_own_key("whsk_c2hvcnQ=", private_key, public_key), -1);
}

static void test_new_secrets_have_their_scheme_s_form(void **state)
{
    (void)state;
    char secret[64], other[64], public_key[64];
    assert_int_equal(
        notify_signature_new_secret(SAMHAND__V1__SIGNATURE_SCHEME__HMAC_SHA256, secret, public_key),
        0);
    assert_memory_equal(secret, "whsec_", 6);
    assert_int_equal(strlen(secret), 6 + 32); /* 24 bytes in base64 */
    assert_string_equal(public_key, "");
    assert_int_equal(
        notify_signature_new_secret(SAMHAND__V1__SIGNATURE_SCHEME__HMAC_SHA256, other, public_key),
        0);
    assert_string_not_equal(secret, other);
    assert_int_equal(
        notify_signature_new_secret(SAMHAND__V1__SIGNATURE_SCHEME__ED25519, secret, public_key), 0);
    assert_memory_equal(secret, "whsk_", 5);
    assert_memory_equal(public_key, "whpk_", 5);
    /* the public key is the private key's */
    char private_key[64], derived[64];
    assert_int_equal(notify_signature_own_key(secret, private_key, derived), 0);
    assert_string_equal(derived, public_key);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hmac_signs_as_the_specification),
        cmocka_unit_test(test_ed25519_verifies_with_the_public_key),
        cmocka_unit_test(test_no_key_signs_nothing),
        cmocka_unit_test(test_own_key_gives_the_public_key_of_rfc_8032),
        cmocka_unit_test(test_own_key_refuses_what_is_no_such_key),
        cmocka_unit_test(test_new_secrets_have_their_scheme_s_form),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
