/* Webhooks to a real receiver: CloudEvents signed per the Standard Webhooks
 * specification (HMAC "v1", or ed25519 "v1a"), retried with the same webhook-id in the order of the
 * stream, dead letters replayed, 410 disabling the endpoint, and nothing
 * delivered that the subscriber's organisation may not see. */
#include "harness.h"

#include <libpq-fe.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define KOMMUNE "11111111-1111-4111-8111-111111111111"
#define SYKEHUS "22222222-2222-4222-8222-222222222222"
#define ANNEN "44444444-4444-4444-8444-444444444444"

static harness_stack_t s_stack;
static const char *s_kommune = "Authorization: Bearer shk_kommune";
static const char *s_annen = "Authorization: Bearer shk_annen";

static harness_http_response_t *s_as(const char *who, const char *method, const char *path,
                                     const char *body)
{
    char url[512];
    snprintf(url, sizeof url, "%s%s", s_stack.base_url, path);
    const char *headers[] = {who, NULL};
    return harness_http_request(method, url, body, headers);
}

/* Subscribes `url` to `types` as `who`; returns the id, writes the secret. */
static void s_subscribe(const char *who, const char *url, const char *types, char id[40],
                        char secret[80])
{
    char body[512];
    snprintf(body, sizeof body, "{\"url\":\"%s\",\"eventTypes\":[%s]}", url, types);
    harness_http_response_t *r = s_as(who, "POST", "/v1/subscriptions", body);
    if (r->status != 201)
        fprintf(stderr, "%s\n", r->body);
    assert_int_equal(r->status, 201);
    snprintf(id, 40, "%s", harness_json_text(r, "id"));
    if (secret)
        snprintf(secret, 80, "%s", harness_json_text(r, "secret"));
    harness_http_response_free(&r);
}

static const char *s_db; /* the stack's database */

static int s_setup(void **state)
{
    static const harness_key_t keys[] = {{"shk_kommune", KOMMUNE, "reporter+integration"},
                                         {"shk_annen", ANNEN, "integration"}};
    harness_api_keys_set(keys, 2);
    setenv("SAMHAND_WEBHOOK_RETRY_BASE_MS", "100", 1);
    setenv("SAMHAND_WEBHOOK_MAX_ATTEMPTS", "3", 1);
    setenv("SAMHAND_QUEUE_MAX_AGE_SECONDS", "2", 1);
    s_db = harness_database_url();
    harness_stack_start(&s_stack, s_db);
    return 0;
}

static int s_teardown(void **state)
{
    harness_stack_stop(&s_stack);
    return 0;
}

static void test_signed_cloud_event(void **state)
{
    harness_receiver_t *rx = harness_receiver_start(NULL, 0, 204);
    char id[40], secret[80];
    s_subscribe(s_stack.auth_header, harness_receiver_url(rx), "\"no.samhand.organization.\"", id,
                secret);
    assert_int_equal(strncmp(secret, "whsec_", 6), 0);
    char path[128];
    snprintf(path, sizeof path, "/v1/subscriptions/%s", id);
    harness_http_response_t *r = harness_stack_get(&s_stack, path);
    assert_string_equal(harness_json_text(r, "secret"), ""); /* shown once */
    harness_http_response_free(&r);

    harness_stack_create(&s_stack, "/v1/organizations",
                         "{\"name\":\"Trondheim kommune\",\"organizationNumber\":"
                         "\"942110464\",\"kind\":\"MUNICIPALITY\"}",
                         NULL);
    assert_int_equal(harness_receiver_wait(rx, 1, 10000), 1);
    r = harness_stack_get(&s_stack, path); /* its URL answered the handshake */
    assert_string_equal(harness_json_text(r, "state"), "ACTIVE");
    harness_http_response_free(&r);
    const char *body = harness_receiver_body(rx, 0);
    json_t *event = json_loads(body, 0, NULL);
    assert_non_null(event);
    assert_string_equal(json_string_value(json_object_get(event, "type")),
                        "no.samhand.organization.created");
    assert_string_equal(json_string_value(json_object_get(json_object_get(event, "data"), "name")),
                        "Trondheim kommune");
    char webhook_id[64], timestamp[32], signature[200];
    snprintf(webhook_id, sizeof webhook_id, "%s", harness_receiver_header(rx, 0, "webhook-id"));
    snprintf(timestamp, sizeof timestamp, "%s",
             harness_receiver_header(rx, 0, "webhook-timestamp"));
    snprintf(signature, sizeof signature, "%s",
             harness_receiver_header(rx, 0, "webhook-signature"));
    assert_string_equal(webhook_id, json_string_value(json_object_get(event, "id")));
    assert_true(llabs(atoll(timestamp) - (long long)time(NULL)) < 60);

    /* verify as a receiver would: HMAC-SHA256 of id.timestamp.body */
    unsigned char key[64], mac[32];
    int key_len = EVP_DecodeBlock(key, (const unsigned char *)secret + 6, (int)strlen(secret + 6));
    for (const char *p = secret + strlen(secret) - 1; *p == '='; p--)
        key_len--;
    char *content = NULL;
    int len = asprintf(&content, "%s.%s.%s", webhook_id, timestamp, body);
    unsigned int mac_len;
    HMAC(EVP_sha256(), key, key_len, (unsigned char *)content, (size_t)len, mac, &mac_len);
    free(content);
    char expected[100] = "v1,";
    EVP_EncodeBlock((unsigned char *)expected + 3, mac, (int)mac_len);
    assert_string_equal(signature, expected);
    /* and as an off-the-shelf library does; with another secret it refuses */
    assert_int_equal(harness_receiver_verify(rx, secret), 0);
    assert_int_not_equal(harness_receiver_verify(rx, "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"), 0);
    /* its handshake was signed the same way */
    assert_int_equal(harness_receiver_handshakes(rx), 1);
    assert_int_equal(harness_receiver_verify_handshakes(rx, secret), 0);
    assert_int_not_equal(
        harness_receiver_verify_handshakes(rx, "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"), 0);
    json_decref(event);
    harness_receiver_stop(&rx);
}

/* How many rows of notify's `table` hold `text` (as text, or hex as in a
 * stored answer's bytes). */
static long s_rows_holding(const char *table, const char *text)
{
    char sql[512];
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM notify.%s t WHERE strpos(t::text, $1) > 0 OR strpos(t::text, "
             "encode(convert_to($1, 'UTF8'), 'hex')) > 0",
             table);
    const char *params[] = {text};
    PGconn *conn = PQconnectdb(s_db);
    PGresult *res = PQexecParams(conn, sql, 1, NULL, params, NULL, NULL, 0);
    assert_int_equal(PQresultStatus(res), PGRES_TUPLES_OK);
    long n = atol(PQgetvalue(res, 0, 0));
    PQclear(res);
    PQfinish(conn);
    return n;
}

/* A subscription may be signed with ed25519 instead of a shared secret:
 * samhand makes the key pair, answers (and shows every time) the public
 * key and keeps the private one sealed, shown to nobody; its events and
 * heartbeats carry one "v1a," signature that verifies with the public key,
 * and with no other. */
static void test_ed25519_signed_cloud_event(void **state)
{
    harness_receiver_t *rx = harness_receiver_start(NULL, 0, 204);
    char body[512];
    snprintf(body, sizeof body,
             "{\"url\":\"%s\",\"eventTypes\":[\"no.samhand.organization.\"],"
             "\"signatureScheme\":\"ED25519\",\"heartbeatSeconds\":1}",
             harness_receiver_url(rx));
    harness_http_response_t *r = harness_stack_send(&s_stack, "POST", "/v1/subscriptions", body);
    assert_int_equal(r->status, 201);
    assert_string_equal(harness_json_text(r, "signatureScheme"), "ED25519");
    assert_string_equal(harness_json_text(r, "secret"), "");
    char id[40], public_key[80];
    snprintf(id, sizeof id, "%s", harness_json_text(r, "id"));
    snprintf(public_key, sizeof public_key, "%s", harness_json_text(r, "publicKey"));
    harness_http_response_free(&r);
    assert_int_equal(strncmp(public_key, "whpk_", 5), 0);
    assert_int_equal(strlen(public_key), 5 + 44); /* base64 of 32 bytes */
    char path[128];
    snprintf(path, sizeof path, "/v1/subscriptions/%s", id);
    r = harness_stack_get(&s_stack, path); /* public: shown again */
    assert_string_equal(harness_json_text(r, "publicKey"), public_key);
    assert_string_equal(harness_json_text(r, "secret"), "");
    harness_http_response_free(&r);
    /* the private key is kept sealed only: in plain nowhere */
    assert_int_equal(s_rows_holding("subscriptions", "whsk_"), 0);
    assert_int_equal(s_rows_holding("idempotency", "whsk_"), 0);

    harness_stack_create(&s_stack, "/v1/organizations",
                         "{\"name\":\"Malvik kommune\",\"organizationNumber\":"
                         "\"972417734\",\"kind\":\"MUNICIPALITY\"}",
                         NULL);
    /* the event, and a heartbeat a second after the last delivery */
    bool event = false, heartbeat = false;
    for (size_t i = 0; i < 5 && !(event && heartbeat); i++) {
        assert_true(harness_receiver_wait(rx, i + 1, 10000) > i);
        const char *signature = harness_receiver_header(rx, i, "webhook-signature");
        assert_int_equal(strncmp(signature, "v1a,", 4), 0);
        assert_null(strchr(signature, ' ')); /* one signature, no HMAC beside it */
        json_t *cloud = json_loads(harness_receiver_body(rx, i), 0, NULL);
        const char *type = json_string_value(json_object_get(cloud, "type"));
        event |= strcmp(type, "no.samhand.organization.created") == 0;
        heartbeat |= strcmp(type, "no.samhand.subscription.heartbeat") == 0;
        json_decref(cloud);
    }
    assert_true(event);
    assert_true(heartbeat);
    assert_int_equal(harness_receiver_verify_ed25519(rx, 0, public_key), 0);
    /* another key pair's public key does not verify them */
    assert_int_not_equal(
        harness_receiver_verify_ed25519(rx, 0, "whpk_/MK+BePf+e9P2SsczwF0q3lN/mVTHapLrgYq4Chnnx8="),
        0);
    /* and its handshake, by the same key */
    assert_int_equal(harness_receiver_handshakes(rx), 1);
    assert_int_equal(harness_receiver_verify_handshakes(rx, public_key), 0);
    assert_int_not_equal(
        harness_receiver_verify_handshakes(rx, "whpk_/MK+BePf+e9P2SsczwF0q3lN/mVTHapLrgYq4Chnnx8="),
        0);
    r = harness_stack_send(&s_stack, "DELETE", path, NULL);
    harness_http_response_free(&r);
    harness_receiver_stop(&rx);
}

/* The signature scheme is changed by a rotation: PATCH signatureScheme
 * ED25519 answers a new public key (no secret), and for the 24 hours the
 * old secret still signs, each delivery carries both a v1a (node's crypto
 * verifies it) and the old v1 (the standardwebhooks library verifies it);
 * rotating the key pair again signs with the new and the old key. */
static void test_rotation_to_ed25519_keeps_the_old_signature(void **state)
{
    harness_receiver_t *rx = harness_receiver_start(NULL, 0, 204);
    char id[40], secret[80];
    s_subscribe(s_stack.auth_header, harness_receiver_url(rx), "\"no.samhand.committee.\"", id,
                secret);
    char path[128];
    snprintf(path, sizeof path, "/v1/subscriptions/%s", id);
    harness_http_response_t *r =
        harness_stack_send(&s_stack, "PATCH", path, "{\"signatureScheme\":\"NONE\"}");
    assert_int_equal(r->status, 400);
    harness_http_response_free(&r);
    r = harness_stack_send(&s_stack, "PATCH", path,
                           "{\"signatureScheme\":\"SIGNATURE_SCHEME_UNSPECIFIED\"}");
    harness_assert_problem(r, 400, "signatureScheme");
    harness_http_response_free(&r);

    r = harness_stack_send(&s_stack, "PATCH", path, "{\"signatureScheme\":\"ED25519\"}");
    assert_int_equal(r->status, 200);
    assert_string_equal(harness_json_text(r, "signatureScheme"), "ED25519");
    assert_string_equal(harness_json_text(r, "secret"), "");
    char first_key[80];
    snprintf(first_key, sizeof first_key, "%s", harness_json_text(r, "publicKey"));
    harness_http_response_free(&r);
    assert_int_equal(strncmp(first_key, "whpk_", 5), 0);
    harness_stack_create(&s_stack, "/v1/committees", "{\"name\":\"Signert\",\"kind\":\"OTHER\"}",
                         NULL);
    assert_int_equal(harness_receiver_wait(rx, 1, 10000), 1);
    const char *signature = harness_receiver_header(rx, 0, "webhook-signature");
    assert_int_equal(strncmp(signature, "v1a,", 4), 0);
    assert_non_null(strstr(signature, " v1,"));
    assert_int_equal(harness_receiver_verify_ed25519(rx, 0, first_key), 0);
    assert_int_equal(harness_receiver_verify(rx, secret), 0);

    r = harness_stack_send(&s_stack, "PATCH", path, "{\"rotateSecret\":true}");
    assert_int_equal(r->status, 200);
    assert_string_equal(harness_json_text(r, "signatureScheme"), "ED25519");
    assert_string_equal(harness_json_text(r, "secret"), "");
    char second_key[80];
    snprintf(second_key, sizeof second_key, "%s", harness_json_text(r, "publicKey"));
    harness_http_response_free(&r);
    assert_string_not_equal(second_key, first_key);
    harness_stack_create(&s_stack, "/v1/committees",
                         "{\"name\":\"Signert igjen\",\"kind\":\"OTHER\"}", NULL);
    assert_int_equal(harness_receiver_wait(rx, 2, 10000), 2);
    assert_int_equal(harness_receiver_verify_ed25519(rx, 1, second_key), 0);
    assert_int_equal(harness_receiver_verify_ed25519(rx, 1, first_key), 0);
    r = harness_stack_send(&s_stack, "DELETE", path, NULL);
    harness_http_response_free(&r);
    harness_receiver_stop(&rx);
}

/* A fresh ed25519 key pair made here, as an owner would make theirs:
 * `private_key` whsk_ and the base64 of the seed (of seed and public key
 * when `libsodium_form`), `public_key` whpk_… */
static void s_owner_key_pair(bool libsodium_form, char private_key[128], char public_key[80])
{
    EVP_PKEY *key = NULL;
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, NULL);
    assert_int_equal(EVP_PKEY_keygen_init(ctx), 1);
    assert_int_equal(EVP_PKEY_keygen(ctx, &key), 1);
    unsigned char raw[64];
    size_t len = 32;
    assert_int_equal(EVP_PKEY_get_raw_private_key(key, raw, &len), 1);
    len = 32;
    assert_int_equal(EVP_PKEY_get_raw_public_key(key, raw + 32, &len), 1);
    memcpy(private_key, "whsk_", 5);
    EVP_EncodeBlock((unsigned char *)private_key + 5, raw, libsodium_form ? 64 : 32);
    memcpy(public_key, "whpk_", 5);
    EVP_EncodeBlock((unsigned char *)public_key + 5, raw + 32, 32);
    EVP_PKEY_free(key);
    EVP_PKEY_CTX_free(ctx);
}

/* The owner may bring their own ed25519 key pair: the private key
 * (whsk_, the Standard Webhooks form) given when the subscription is made
 * or rotated is sealed and never shown back, the public key answered is
 * its own, and the handshake and the events verify with it (the rotation's
 * with the new and the old key). A key that is not one is refused, naming
 * the field. */
static void test_owner_brings_their_own_ed25519_key(void **state)
{
    char private_key[128], public_key[80], body[512], path[128];
    s_owner_key_pair(false, private_key, public_key);
    static const char *const refused[][2] = {
        {"\"signingKey\":\"whsk_abc\"", "signingKey"},
        {"\"signingKey\":\"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\"", "signingKey"},
        {"\"signingKey\":\"whsk_!!!!MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSwAAAAAAA=\"", "signingKey"},
        /* 64 bytes whose public half is not the seed's */
        {"\"signingKey\":\"whsk_"
         "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
         "AAAAAAAAAAAAAA==\"",
         "signingKey"},
    };
    harness_receiver_t *rx = harness_receiver_start(NULL, 0, 204);
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        snprintf(body, sizeof body, "{\"url\":\"%s\",%s}", harness_receiver_url(rx), refused[i][0]);
        harness_http_response_t *r =
            harness_stack_send(&s_stack, "POST", "/v1/subscriptions", body);
        harness_assert_problem(r, 400, refused[i][1]);
        harness_http_response_free(&r);
    }
    snprintf(body, sizeof body,
             "{\"url\":\"%s\",\"signatureScheme\":\"HMAC_SHA256\",\"signingKey\":\"%s\"}",
             harness_receiver_url(rx), private_key);
    harness_http_response_t *r = harness_stack_send(&s_stack, "POST", "/v1/subscriptions", body);
    harness_assert_problem(r, 400, "signatureScheme");
    harness_http_response_free(&r);

    snprintf(body, sizeof body,
             "{\"url\":\"%s\",\"eventTypes\":[\"no.samhand.committee.\"],\"signingKey\":\"%s\"}",
             harness_receiver_url(rx), private_key);
    r = harness_stack_send(&s_stack, "POST", "/v1/subscriptions", body);
    harness_expect_status(r, 201);
    assert_string_equal(harness_json_text(r, "signatureScheme"), "ED25519");
    assert_string_equal(harness_json_text(r, "publicKey"), public_key);
    assert_string_equal(harness_json_text(r, "secret"), "");
    assert_null(strstr(r->body, private_key + 5)); /* never shown back */
    char id[40];
    snprintf(id, sizeof id, "%s", harness_json_text(r, "id"));
    harness_http_response_free(&r);
    assert_int_equal(s_rows_holding("subscriptions", private_key + 5), 0);
    assert_int_equal(s_rows_holding("idempotency", private_key + 5), 0);
    harness_stack_create(&s_stack, "/v1/committees",
                         "{\"name\":\"Egen nøkkel\",\"kind\":\"OTHER\"}", NULL);
    assert_int_equal(harness_receiver_wait(rx, 1, 10000), 1);
    assert_int_equal(harness_receiver_verify_ed25519(rx, 0, public_key), 0);
    assert_int_equal(harness_receiver_verify_handshakes(rx, public_key), 0);

    /* rotated to another key of the owner's, in libsodium's 64 bytes */
    char second_private[128], second_public[80];
    s_owner_key_pair(true, second_private, second_public);
    snprintf(path, sizeof path, "/v1/subscriptions/%s", id);
    r = harness_stack_send(&s_stack, "PATCH", path, "{\"signingKey\":\"whsk_\"}");
    harness_assert_problem(r, 400, "signingKey");
    harness_http_response_free(&r);
    snprintf(body, sizeof body, "{\"signingKey\":\"%s\"}", second_private);
    r = harness_stack_send(&s_stack, "PATCH", path, body);
    harness_expect_status(r, 200);
    assert_string_equal(harness_json_text(r, "publicKey"), second_public);
    assert_string_equal(harness_json_text(r, "secret"), "");
    assert_null(strstr(r->body, second_private + 5));
    harness_http_response_free(&r);
    harness_stack_create(&s_stack, "/v1/committees",
                         "{\"name\":\"Ny egen nøkkel\",\"kind\":\"OTHER\"}", NULL);
    assert_int_equal(harness_receiver_wait(rx, 2, 10000), 2);
    assert_int_equal(harness_receiver_verify_ed25519(rx, 1, second_public), 0);
    assert_int_equal(harness_receiver_verify_ed25519(rx, 1, public_key), 0); /* the old, 24 h */
    r = harness_stack_send(&s_stack, "DELETE", path, NULL);
    harness_http_response_free(&r);
    harness_receiver_stop(&rx);
}

static void test_retries_keep_the_order(void **state)
{
    static const int statuses[] = {500, 503, 204};
    harness_receiver_t *rx = harness_receiver_start(statuses, 3, 204);
    char id[40];
    s_subscribe(s_stack.auth_header, harness_receiver_url(rx), "\"no.samhand.committee.\"", id,
                NULL);
    harness_stack_create(&s_stack, "/v1/committees", "{\"name\":\"Første\",\"kind\":\"OTHER\"}",
                         NULL);
    harness_stack_create(&s_stack, "/v1/committees", "{\"name\":\"Andre\",\"kind\":\"OTHER\"}",
                         NULL);
    assert_int_equal(harness_receiver_wait(rx, 4, 15000), 4);
    static const char *names[] = {"Første", "Første", "Første", "Andre"};
    char first_id[64] = "";
    for (size_t i = 0; i < 4; i++) {
        json_t *event = json_loads(harness_receiver_body(rx, i), 0, NULL);
        assert_string_equal(
            json_string_value(json_object_get(json_object_get(event, "data"), "name")), names[i]);
        if (i == 0)
            snprintf(first_id, sizeof first_id, "%s", harness_receiver_header(rx, 0, "webhook-id"));
        if (i < 3) /* the same webhook-id on every attempt */
            assert_string_equal(harness_receiver_header(rx, i, "webhook-id"), first_id);
        json_decref(event);
    }
    /* every attempt is recorded */
    char path[160];
    snprintf(path, sizeof path, "/v1/subscriptions/%s/deliveries", id);
    harness_http_response_t *r = NULL;
    for (int i = 0; i < 50; i++) {
        harness_http_response_free(&r);
        r = harness_stack_get(&s_stack, path);
        json_t *second = json_array_get(json_object_get(r->json, "items"), 1);
        if (second && strcmp(json_string_value(json_object_get(second, "state")), "DELIVERED") == 0)
            break;
        usleep(100 * 1000);
    }
    json_t *first = json_array_get(json_object_get(r->json, "items"), 0);
    assert_string_equal(json_string_value(json_object_get(first, "state")), "DELIVERED");
    json_t *log = json_object_get(first, "attemptLog");
    assert_int_equal(json_array_size(log), 3);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(log, 0), "status")), 500);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(log, 2), "status")), 204);
    harness_http_response_free(&r);
    harness_receiver_stop(&rx);
}

/* A failure in the middle of a run of deliveries: the ones after it wait
 * for its retry, and the endpoint still gets the stream's order. */
static void test_a_failure_holds_back_what_follows(void **state)
{
    static const int statuses[] = {204, 500, 204};
    harness_receiver_t *rx = harness_receiver_start(statuses, 3, 204);
    char id[40];
    s_subscribe(s_stack.auth_header, harness_receiver_url(rx), "\"no.samhand.committee.\"", id,
                NULL);
    static const char *names[] = {"En", "To", "Tre", "Fire", "Fem", "Seks"};
    char body[128];
    for (size_t i = 0; i < 6; i++) {
        snprintf(body, sizeof body, "{\"name\":\"%s\",\"kind\":\"OTHER\"}", names[i]);
        harness_stack_create(&s_stack, "/v1/committees", body, NULL);
    }
    /* the second twice (500, then 204), every other once, in order */
    static const char *expected[] = {"En", "To", "To", "Tre", "Fire", "Fem", "Seks"};
    assert_int_equal(harness_receiver_wait(rx, 7, 15000), 7);
    usleep(500 * 1000);
    assert_int_equal(harness_receiver_wait(rx, 8, 0), 7);
    for (size_t i = 0; i < 7; i++) {
        json_t *event = json_loads(harness_receiver_body(rx, i), 0, NULL);
        assert_string_equal(
            json_string_value(json_object_get(json_object_get(event, "data"), "name")),
            expected[i]);
        json_decref(event);
    }
    harness_receiver_stop(&rx);
}

/* The value of one series in the gateway's /metrics, or -1 if absent. */
static double s_metric(const char *series)
{
    harness_http_response_t *r = harness_stack_get(&s_stack, "/metrics");
    double value = -1;
    size_t len = strlen(series);
    for (const char *p = r->body; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
        if (strncmp(p, series, len) == 0 && p[len] == ' ') {
            value = strtod(p + len + 1, NULL);
            break;
        }
    harness_http_response_free(&r);
    return value;
}

static double s_zero(double value)
{
    return value < 0 ? 0 : value; /* a series appears with its first item */
}

#define WEBHOOKS(flow)                                                                             \
    "samhand_queue_items_total{service=\"notify\",queue=\"webhooks\",flow=\"" flow "\"}"
#define OUTBOX(flow)                                                                               \
    "samhand_queue_items_total{service=\"agenda\",queue=\"outbox\",flow=\"" flow "\"}"

static void test_dead_letter_replayed(void **state)
{
    static const int statuses[] = {500, 500, 500};
    double in = s_zero(s_metric(WEBHOOKS("in"))), out = s_zero(s_metric(WEBHOOKS("out"))),
           retried = s_zero(s_metric(WEBHOOKS("retried"))),
           dead = s_zero(s_metric(WEBHOOKS("dead"))), outbox_in = s_zero(s_metric(OUTBOX("in"))),
           outbox_out = s_zero(s_metric(OUTBOX("out")));
    harness_receiver_t *rx = harness_receiver_start(statuses, 3, 204);
    char id[40], body[256];
    s_subscribe(s_stack.auth_header, harness_receiver_url(rx), "\"no.samhand.person.\"", id, NULL);
    harness_http_response_t *r = harness_stack_get(&s_stack, "/v1/organizations");
    const char *org = json_string_value(
        json_object_get(json_array_get(json_object_get(r->json, "items"), 0), "id"));
    snprintf(body, sizeof body, "{\"name\":\"Kari Nordmann\",\"organizationId\":\"%s\"}", org);
    harness_http_response_free(&r);
    harness_stack_create(&s_stack, "/v1/persons", body, NULL);
    assert_int_equal(harness_receiver_wait(rx, 3, 10000), 3);
    char path[160];
    snprintf(path, sizeof path, "/v1/subscriptions/%s/deliveries?state=DEAD", id);
    r = NULL;
    for (int i = 0; i < 50; i++) {
        harness_http_response_free(&r);
        r = harness_stack_get(&s_stack, path);
        if (json_array_size(json_object_get(r->json, "items")) == 1)
            break;
        usleep(100 * 1000);
    }
    assert_int_equal(json_array_size(json_object_get(r->json, "items")), 1);
    char delivery[40];
    snprintf(delivery, sizeof delivery, "%s",
             json_string_value(
                 json_object_get(json_array_get(json_object_get(r->json, "items"), 0), "id")));
    harness_http_response_free(&r);

    snprintf(path, sizeof path, "/v1/subscriptions/%s/replay", id);
    snprintf(body, sizeof body, "{\"deliveryId\":\"%s\"}", delivery);
    r = harness_stack_send(&s_stack, "POST", path, body);
    assert_int_equal(r->status, 200);
    assert_int_equal(json_integer_value(json_object_get(r->json, "replayed")), 1);
    harness_http_response_free(&r);
    assert_int_equal(harness_receiver_wait(rx, 4, 10000), 4);
    harness_receiver_stop(&rx);

    /* the queue counters saw it all: in, two retries, a dead letter, and
     * out after the replay (recorded just after the receiver answered) */
    for (int i = 0; i < 50 && s_metric(WEBHOOKS("out")) < out + 1; i++)
        usleep(100 * 1000);
    assert_true(s_metric(WEBHOOKS("out")) >= out + 1);
    assert_true(s_metric(WEBHOOKS("in")) >= in + 1);
    assert_true(s_metric(WEBHOOKS("retried")) >= retried + 2);
    assert_true(s_metric(WEBHOOKS("dead")) >= dead + 1);
    assert_true(s_metric(OUTBOX("in")) >= outbox_in + 1);
    assert_true(s_metric(OUTBOX("out")) >= outbox_out + 1);
    assert_true(s_metric("samhand_consumer_last_sequence{service=\"notify\",source=\"agenda\"}") >
                0);
}

/* Waits (10 s at most) for the subscription to be switched off, and for
 * its reason to hold `why`. */
static void s_expect_disabled(const char *id, const char *why)
{
    char path[128];
    snprintf(path, sizeof path, "/v1/subscriptions/%s", id);
    harness_http_response_t *r = harness_stack_await(&s_stack, path, "state", "DISABLED");
    assert_string_equal(harness_json_text(r, "state"), "DISABLED");
    assert_non_null(strstr(harness_json_text(r, "disabledReason"), why));
    harness_http_response_free(&r);
}

/* An endpoint failing for three days is switched off with the reason.
 * The days are made to have passed in the database: the subscription's
 * first failure is moved four days back. */
static void test_failing_for_days_disables(void **state)
{
    static const int statuses[] = {500};
    harness_receiver_t *rx = harness_receiver_start(statuses, 1, 500);
    char id[40];
    s_subscribe(s_stack.auth_header, harness_receiver_url(rx), "\"no.samhand.committee.\"", id,
                NULL);
    harness_stack_create(&s_stack, "/v1/committees", "{\"name\":\"Fjerde\",\"kind\":\"OTHER\"}",
                         NULL);
    assert_int_equal(harness_receiver_wait(rx, 1, 10000), 1);
    char sql[200];
    snprintf(sql, sizeof sql,
             "UPDATE notify.subscriptions SET failing_since = now() - interval '4 days' "
             "WHERE id = '%s' AND failing_since IS NOT NULL",
             id);
    PGconn *conn = PQconnectdb(s_db);
    PGresult *res = NULL;
    for (int i = 0; i < 50; i++) { /* once the first failure is recorded */
        PQclear(res);
        res = PQexec(conn, sql);
        if (atoi(PQcmdTuples(res)) == 1)
            break;
        usleep(100 * 1000);
    }
    assert_int_equal(atoi(PQcmdTuples(res)), 1);
    PQclear(res);
    PQfinish(conn);
    s_expect_disabled(id, "failing for 3 days"); /* at the next failure */
    harness_receiver_stop(&rx);
}

static void test_gone_disables(void **state)
{
    static const int statuses[] = {410};
    harness_receiver_t *rx = harness_receiver_start(statuses, 1, 204);
    char id[40];
    s_subscribe(s_stack.auth_header, harness_receiver_url(rx), "\"no.samhand.committee.\"", id,
                NULL);
    harness_stack_create(&s_stack, "/v1/committees", "{\"name\":\"Tredje\",\"kind\":\"OTHER\"}",
                         NULL);
    assert_int_equal(harness_receiver_wait(rx, 1, 10000), 1);
    s_expect_disabled(id, "410");
    usleep(500 * 1000);
    assert_int_equal(harness_receiver_wait(rx, 2, 0), 1); /* no more */
    harness_receiver_stop(&rx);
}

static void test_only_what_the_owner_may_see(void **state)
{
    harness_receiver_t *theirs = harness_receiver_start(NULL, 0, 204);
    harness_receiver_t *ours = harness_receiver_start(NULL, 0, 204);
    char a[40], b[40];
    s_subscribe(s_annen, harness_receiver_url(theirs), "\"no.samhand.deviation.\"", a, NULL);
    s_subscribe(s_kommune, harness_receiver_url(ours), "\"no.samhand.deviation.\"", b, NULL);
    harness_http_response_t *r =
        s_as(s_kommune, "POST", "/v1/deviations",
             "{\"reportingOrganizationId\":\"" KOMMUNE "\",\"receivingOrganizationId\":\"" SYKEHUS
             "\",\"occurredTime\":\"2026-11-02T10:00:00+01:00\",\"type\":\"BREACH_OF_AGREEMENT\","
             "\"categoryCode\":\"SAM-EPIKRISE\",\"description\":\"Epikrise "
             "mangler.\",\"harmDegree\":\"MINOR\",\"submit\":true}");
    assert_int_equal(r->status, 201);
    harness_http_response_free(&r);
    assert_int_equal(harness_receiver_wait(ours, 1, 10000), 1);
    usleep(500 * 1000);
    assert_int_equal(harness_receiver_wait(theirs, 1, 0), 0);
    /* nor does one organisation see another's subscriptions */
    char path[128];
    snprintf(path, sizeof path, "/v1/subscriptions/%s", b);
    r = s_as(s_annen, "GET", path, NULL);
    harness_assert_problem(r, 404, NULL);
    harness_http_response_free(&r);
    r = s_as(s_annen, "POST", "/v1/subscriptions", "{\"url\":\"ftp://x\"}");
    harness_assert_problem(r, 400, "url");
    harness_http_response_free(&r);
    harness_receiver_stop(&theirs);
    harness_receiver_stop(&ours);
}

static long s_ready(char *detail, size_t size)
{
    harness_http_response_t *r = harness_stack_get(&s_stack, "/readyz");
    long status = r->status;
    json_t *notify = json_object_get(json_object_get(r->json, "services"), "notify");
    snprintf(detail, size, "%s/%s", json_string_value(json_object_get(notify, "status")),
             json_string_value(json_object_get(notify, "oldestQueue")));
    harness_http_response_free(&r);
    return status;
}

/* An endpoint that hangs holds up its own deliveries, which the queue's
 * age shows, and never the platform: /readyz stays ready (its queues are
 * samhand's own work; a receiver's health is the subscription's). */
static void test_a_hanging_endpoint_leaves_the_platform_ready(void **state)
{
    static const int statuses[] = {0}; /* hangs 4 s */
    harness_receiver_t *rx = harness_receiver_start(statuses, 1, 204);
    char id[40], detail[64] = "";
    s_subscribe(s_stack.auth_header, harness_receiver_url(rx), "\"no.samhand.committee.\"", id,
                NULL);
    harness_stack_create(&s_stack, "/v1/committees", "{\"name\":\"Fjerde\",\"kind\":\"OTHER\"}",
                         NULL);
    for (int i = 0; i < 35; i++) { /* past SAMHAND_QUEUE_MAX_AGE_SECONDS (2) */
        if (s_ready(detail, sizeof detail) != 200)
            fail_msg("/readyz unready while only an endpoint hangs: %s", detail);
        usleep(100 * 1000);
    }
    assert_int_equal(harness_receiver_wait(rx, 1, 10000), 1);
    harness_http_response_t *r = NULL;
    for (int i = 0; i < 50; i++) { /* once its answer is recorded */
        harness_http_response_free(&r);
        r = harness_stack_get(&s_stack, "/metrics");
        if (strstr(r->body, "samhand_queue_depth{service=\"notify\",queue=\"webhooks\"} 0"))
            break;
        usleep(100 * 1000);
    }
    assert_non_null(
        strstr(r->body, "samhand_queue_depth{service=\"notify\",queue=\"webhooks\"} 0"));
    assert_non_null(
        strstr(r->body, "samhand_queue_depth{service=\"notify\",queue=\"dead_letters\"}"));
    assert_non_null(
        strstr(r->body, "samhand_queue_oldest_age_seconds{service=\"agenda\",queue=\"outbox\"}"));
    harness_http_response_free(&r);
    harness_receiver_stop(&rx);
}

/* The text of this test program's notify log ("" when there is none);
 * the caller frees it. */
static char *s_notify_log(void)
{
    char path[512];
    snprintf(path, sizeof path, "%s/Testing/samhand-notify-%d.log", getenv("SAMHAND_BUILD_DIR"),
             (int)getpid());
    FILE *f = fopen(path, "r");
    char *text = calloc(1, 1 << 22);
    if (f) {
        size_t n = fread(text, 1, (1 << 22) - 1, f);
        text[n] = '\0';
        fclose(f);
    }
    return text;
}

/* A secret that does not open with SAMHAND_SECRET_KEY (here: notify
 * restarted with another key) is samhand's fault, not the receiver's:
 * nothing is sent, signed or unsigned; the delivery waits, well past the
 * retries that would make it a dead letter, and the subscription stays
 * switched on and healthy (no failure counted, its owner not told);
 * operators see it counted (flow "unsigned") and logged, without the
 * secret. Once its owner rotates the secret, the event goes, signed with
 * the new one (the old, which does not open, left out). */
static void test_a_secret_that_will_not_open_is_samhands_failure(void **state)
{
    harness_receiver_t *rx = harness_receiver_start(NULL, 0, 204);
    char id[40], secret[80], path[160];
    s_subscribe(s_stack.auth_header, harness_receiver_url(rx), "\"no.samhand.committee.\"", id,
                secret);
    snprintf(path, sizeof path, "/v1/subscriptions/%s", id);
    harness_http_response_t *r = harness_stack_await(&s_stack, path, "state", "ACTIVE");
    assert_string_equal(harness_json_text(r, "state"), "ACTIVE");
    harness_http_response_free(&r);
    setenv("SAMHAND_SECRET_KEY", "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff",
           1);
    harness_stack_crash(&s_stack, "notify");
    harness_stack_wait_ready(&s_stack);
    harness_stack_create(&s_stack, "/v1/committees", "{\"name\":\"Usignert\",\"kind\":\"OTHER\"}",
                         NULL);
    /* the retries of a failing endpoint (3 here, 100 ms apart) would have
     * made it a dead letter long before */
    usleep(3000 * 1000);
    assert_int_equal(harness_receiver_wait(rx, 1, 0), 0);
    r = harness_stack_get(&s_stack, path);
    assert_string_equal(harness_json_text(r, "state"), "ACTIVE");
    json_t *health = json_object_get(r->json, "health");
    assert_null(json_object_get(health, "failingSince"));
    assert_int_equal(json_integer_value(json_object_get(health, "consecutiveFailures")), 0);
    harness_http_response_free(&r);
    snprintf(path, sizeof path, "/v1/subscriptions/%s/deliveries", id);
    r = harness_stack_get(&s_stack, path);
    json_t *delivery = json_array_get(json_object_get(r->json, "items"), 0);
    assert_string_equal(json_string_value(json_object_get(delivery, "state")), "PENDING");
    assert_int_equal(json_integer_value(json_object_get(delivery, "attempts")), 0);
    json_t *log = json_object_get(delivery, "attemptLog");
    assert_int_equal(json_array_size(log), 1); /* said once, not once a try */
    assert_non_null(strstr(json_string_value(json_object_get(json_array_get(log, 0), "response")),
                           "SAMHAND_SECRET_KEY"));
    harness_http_response_free(&r);
    r = harness_stack_get(&s_stack, "/metrics");
    assert_non_null(strstr(r->body,
                           "samhand_queue_items_total{service=\"notify\",queue=\"webhooks\","
                           "flow=\"unsigned\"} "));
    harness_http_response_free(&r);
    char *text = s_notify_log();
    char line[160];
    snprintf(line, sizeof line, "could not sign the delivery of webhook subscription %s", id);
    assert_non_null(strstr(text, line));
    assert_null(strstr(text, secret));
    assert_null(strstr(text, secret + 6));
    free(text);

    /* its owner rotates the secret (sealed with the key notify has now):
     * the event goes, signed with the new one alone */
    snprintf(path, sizeof path, "/v1/subscriptions/%s", id);
    r = harness_stack_send(&s_stack, "PATCH", path, "{\"rotateSecret\":true}");
    harness_expect_status(r, 200);
    char rotated[80];
    snprintf(rotated, sizeof rotated, "%s", harness_json_text(r, "secret"));
    harness_http_response_free(&r);
    assert_int_equal(harness_receiver_wait(rx, 1, 10000), 1);
    assert_int_equal(harness_receiver_verify(rx, rotated), 0);
    assert_null(strchr(harness_receiver_header(rx, 0, "webhook-signature"), ' '));
    harness_receiver_stop(&rx);
}

/* Each test's subscriptions go with it (see harness_stack_forget_subscriptions). */
static int s_forget(void **state)
{
    (void)state;
    return harness_stack_forget_subscriptions(&s_stack);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_signed_cloud_event, s_forget),
        cmocka_unit_test_teardown(test_ed25519_signed_cloud_event, s_forget),
        cmocka_unit_test_teardown(test_rotation_to_ed25519_keeps_the_old_signature, s_forget),
        cmocka_unit_test_teardown(test_owner_brings_their_own_ed25519_key, s_forget),
        cmocka_unit_test_teardown(test_retries_keep_the_order, s_forget),
        cmocka_unit_test_teardown(test_a_failure_holds_back_what_follows, s_forget),
        cmocka_unit_test_teardown(test_dead_letter_replayed, s_forget),
        cmocka_unit_test_teardown(test_gone_disables, s_forget),
        cmocka_unit_test_teardown(test_failing_for_days_disables, s_forget),
        cmocka_unit_test_teardown(test_only_what_the_owner_may_see, s_forget),
        cmocka_unit_test_teardown(test_a_hanging_endpoint_leaves_the_platform_ready, s_forget),
        cmocka_unit_test_teardown(test_a_secret_that_will_not_open_is_samhands_failure, s_forget),
    };
    return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
