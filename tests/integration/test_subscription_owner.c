/* Only what you may see, through every channel of events: an event for
 * some roles (an API key's, for administrators) reaches no one else in the
 * feed, the stream or a webhook; a subscription sees what the principal
 * that made it may see now (paused when its key is revoked, its owner
 * told, and not redirected by another key of the organisation); a new URL
 * answers a handshake before events go to it; and webhook secrets are
 * kept sealed, in the subscriptions and in the stored idempotent answers. */
#include "harness.h"

#include <curl/curl.h>
#include <libpq-fe.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define KOMMUNE "11111111-1111-4111-8111-111111111111"
#define SYKEHUS "22222222-2222-4222-8222-222222222222"

static harness_stack_t s_stack;
static harness_smtp_t *s_smtp;
static const char *s_db;
static const char *s_kommune = "Authorization: Bearer shk_kommune";     /* reporter */
static const char *s_integration = "Authorization: Bearer shk_sykehus"; /* integration */
static const char *s_quality = "Authorization: Bearer shk_kvalitet";    /* quality */

static harness_http_response_t *s_as(const char *who, const char *method, const char *path,
                                     const char *body)
{
    char url[512];
    snprintf(url, sizeof url, "%s%s", s_stack.base_url, path);
    const char *headers[] = {who, NULL};
    return harness_http_request(method, url, body, headers);
}

static int s_setup(void **state)
{
    static const harness_key_t keys[] = {{"shk_kommune", KOMMUNE, "reporter"},
                                         {"shk_sykehus", SYKEHUS, "integration"},
                                         {"shk_kvalitet", SYKEHUS, "quality+integration"}};
    harness_api_keys_set(keys, 3);
    setenv("SAMHAND_WEBHOOK_RETRY_BASE_MS", "100", 1);
    setenv("SAMHAND_WEBHOOK_MAX_ATTEMPTS", "5", 1);
    s_smtp = harness_smtp_start();
    setenv("SAMHAND_SMTP_URL", harness_smtp_url(s_smtp), 1);
    s_db = harness_database_url();
    harness_stack_start(&s_stack, s_db);
    return 0;
}

static int s_teardown(void **state)
{
    harness_stack_stop(&s_stack);
    harness_smtp_stop(&s_smtp);
    return 0;
}

/* Creates an organisation named `name`; its id into `id`. */
static void s_organization(const char *name, const char *number, char id[40])
{
    char body[256];
    snprintf(body, sizeof body,
             "{\"name\":\"%s\",\"organizationNumber\":\"%s\",\"kind\":\"MUNICIPALITY\"}", name,
             number);
    harness_http_response_t *r = harness_stack_send(&s_stack, "POST", "/v1/organizations", body);
    harness_expect_status(r, 201);
    if (id)
        snprintf(id, 40, "%s", harness_json_text(r, "id"));
    harness_http_response_free(&r);
}

/* An API key made by the administrator for `organization` with `roles`
 * (JSON strings); its id and the Authorization header that uses it, once
 * the gateway knows it. */
static void s_api_key(const char *organization, const char *roles, char id[40], char header[128])
{
    char body[256];
    snprintf(body, sizeof body, "{\"name\":\"Fagsystem\",\"organizationId\":\"%s\",\"roles\":[%s]}",
             organization, roles);
    harness_http_response_t *r = harness_stack_send(&s_stack, "POST", "/v1/api-keys", body);
    harness_expect_status(r, 201);
    snprintf(id, 40, "%s", harness_json_text(r, "id"));
    snprintf(header, 128, "Authorization: Bearer %s", harness_json_text(r, "key"));
    harness_http_response_free(&r);
    for (int i = 0; i < 50; i++) {
        r = s_as(header, "GET", "/v1/me", NULL);
        long status = r->status;
        harness_http_response_free(&r);
        if (status == 200)
            return;
        usleep(100 * 1000);
    }
    fail_msg("the gateway did not take the new key");
}

/* Subscribes `url` to `types` as `who`; returns the id, writes the secret. */
static void s_subscribe(const char *who, const char *url, const char *types, const char *contact,
                        char id[40], char secret[80])
{
    char body[512];
    snprintf(body, sizeof body, "{\"url\":\"%s\",\"eventTypes\":[%s],\"contactEmail\":\"%s\"}", url,
             types, contact ? contact : "");
    harness_http_response_t *r = s_as(who, "POST", "/v1/subscriptions", body);
    harness_expect_status(r, 201);
    snprintf(id, 40, "%s", harness_json_text(r, "id"));
    if (secret)
        snprintf(secret, 80, "%s", harness_json_text(r, "secret"));
    harness_http_response_free(&r);
}

/* The subscription's state once it is `state` (10 s at most). */
static harness_http_response_t *s_subscription_once(const char *id, const char *state)
{
    char path[128];
    snprintf(path, sizeof path, "/v1/subscriptions/%s", id);
    harness_http_response_t *r = NULL;
    for (int i = 0; i < 100; i++) {
        harness_http_response_free(&r);
        r = harness_stack_get(&s_stack, path);
        if (strcmp(harness_json_text(r, "state"), state) == 0)
            break;
        usleep(100 * 1000);
    }
    assert_string_equal(harness_json_text(r, "state"), state);
    return r;
}

/* Whether a request `rx` received is of `type` (and, if given, holds `text`). */
static bool s_received(harness_receiver_t *rx, const char *type, const char *text)
{
    char quoted[128];
    snprintf(quoted, sizeof quoted, "\"type\":\"%s", type);
    for (size_t i = 0; harness_receiver_body(rx, i); i++)
        if (strstr(harness_receiver_body(rx, i), quoted) &&
            (!text || strstr(harness_receiver_body(rx, i), text)))
            return true;
    return false;
}

/* The feed of `who`, from the start, with `types`. */
static harness_http_response_t *s_feed(const char *who, const char *types)
{
    char path[256];
    snprintf(path, sizeof path, "/v1/events?limit=500&types=%s", types);
    harness_http_response_t *r = s_as(who, "GET", path, NULL);
    harness_expect_status(r, 200);
    return r;
}

/* Waits (10 s at most) until the administrator's feed of `types` holds
 * `text`: notify has applied the event that says it. */
static void s_await_in_feed(const char *types, const char *text)
{
    harness_http_response_t *r = NULL;
    for (int t = 0; t < 100; t++) {
        harness_http_response_free(&r);
        r = s_feed(s_stack.auth_header, types);
        if (strstr(r->body, text))
            break;
        usleep(100 * 1000);
    }
    assert_non_null(strstr(r->body, text));
    harness_http_response_free(&r);
}

static size_t s_count(harness_http_response_t *feed, const char *type)
{
    size_t n = 0;
    json_t *items = json_object_get(feed->json, "items");
    for (size_t i = 0; i < json_array_size(items); i++)
        n +=
            strcmp(json_string_value(json_object_get(json_array_get(items, i), "type")), type) == 0;
    return n;
}

typedef struct {
    const char *until; /* stop once the stream holds this */
    char received[65536];
    size_t len;
} s_sse_t;

static size_t s_sse_write(char *data, size_t size, size_t n, void *arg)
{
    s_sse_t *sse = arg;
    size_t take = size * n;
    if (sse->len + take >= sizeof sse->received)
        return 0;
    memcpy(sse->received + sse->len, data, take);
    sse->len += take;
    sse->received[sse->len] = '\0';
    return strstr(sse->received, sse->until) ? 0 : take; /* 0 ends the transfer */
}

/* The stream of `who` from the start, until it holds `until` (10 s). */
static void s_stream(const char *who, s_sse_t *sse)
{
    char url[256];
    snprintf(url, sizeof url, "%s/v1/events/stream?after=0", s_stack.base_url);
    struct curl_slist *headers = curl_slist_append(NULL, who);
    CURL *curl = curl_easy_init();
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, s_sse_write);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, sse);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 10000L);
    curl_easy_perform(curl);
    curl_easy_cleanup(curl);
    curl_slist_free_all(headers);
    assert_non_null(strstr(sse->received, sse->until));
}

/* An API key's events are for administrators: the integration and the
 * quality roles get them in no channel, while the administrator does,
 * without the key. */
static void test_key_events_only_to_administrators(void **state)
{
    harness_receiver_t *admin_rx = harness_receiver_start(NULL, 0, 204);
    harness_receiver_t *integration_rx = harness_receiver_start(NULL, 0, 204);
    harness_receiver_t *quality_rx = harness_receiver_start(NULL, 0, 204);
    char id[40];
    s_subscribe(s_stack.auth_header, harness_receiver_url(admin_rx), "", NULL, id, NULL);
    s_subscribe(s_integration, harness_receiver_url(integration_rx), "", NULL, id, NULL);
    s_subscribe(s_quality, harness_receiver_url(quality_rx), "", NULL, id, NULL);
    harness_http_response_t *r = s_subscription_once(id, "ACTIVE"); /* handshakes answered */
    harness_http_response_free(&r);

    char org[40], key_id[40], key[128];
    s_organization("Nøkkelkommune", "942110472", org);
    s_api_key(org, "\"integration\"", key_id, key);
    s_organization("Etterpå kommune", "942110480", NULL); /* after the key's event */

    /* webhooks: everything up to the later organisation, the key's event
     * only to the administrator's */
    harness_receiver_t *rxs[] = {admin_rx, integration_rx, quality_rx};
    for (size_t i = 0; i < 3; i++) {
        for (int t = 0;
             t < 100 && !s_received(rxs[i], "no.samhand.organization.created", "Etterpå kommune");
             t++)
            usleep(100 * 1000);
        assert_true(s_received(rxs[i], "no.samhand.organization.created", "Etterpå kommune"));
        assert_int_equal(s_received(rxs[i], "no.samhand.api_key.created", NULL), i == 0);
    }
    /* what the administrator gets names the key, never holds it */
    for (size_t i = 0; harness_receiver_body(admin_rx, i); i++)
        if (strstr(harness_receiver_body(admin_rx, i), "no.samhand.api_key.created")) {
            assert_non_null(strstr(harness_receiver_body(admin_rx, i), key_id));
            assert_null(strstr(harness_receiver_body(admin_rx, i), key + 22));
            assert_null(strstr(harness_receiver_body(admin_rx, i), "sha256"));
        }

    /* the feed */
    r = s_feed(s_stack.auth_header, "no.samhand.api_key.");
    assert_int_equal(s_count(r, "no.samhand.api_key.created"), 1);
    harness_http_response_free(&r);
    const char *others[] = {s_integration, s_quality, s_kommune};
    for (size_t i = 0; i < 3; i++) {
        r = s_feed(others[i], "no.samhand.");
        assert_int_equal(s_count(r, "no.samhand.api_key.created"), 0);
        assert_true(s_count(r, "no.samhand.organization.created") >= 2);
        harness_http_response_free(&r);
    }

    /* the stream, until the organisation made after the key */
    static s_sse_t admin_sse = {.until = "Etterpå kommune"},
                   integration_sse = {.until = "Etterpå kommune"},
                   quality_sse = {.until = "Etterpå kommune"};
    s_stream(s_stack.auth_header, &admin_sse);
    s_stream(s_integration, &integration_sse);
    s_stream(s_quality, &quality_sse);
    assert_non_null(strstr(admin_sse.received, "event: no.samhand.api_key.created"));
    assert_null(strstr(integration_sse.received, "no.samhand.api_key."));
    assert_null(strstr(quality_sse.received, "no.samhand.api_key."));

    harness_receiver_stop(&admin_rx);
    harness_receiver_stop(&integration_rx);
    harness_receiver_stop(&quality_rx);
}

/* A report from the municipality to `receiver`, submitted; one the
 * deviation service does not know yet (it learns organisations from
 * agenda's events) is tried again for a while. */
static void s_report(const char *receiver, const char *description)
{
    char body[512];
    snprintf(body, sizeof body,
             "{\"reportingOrganizationId\":\"" KOMMUNE "\",\"receivingOrganizationId\":\"%s\","
             "\"occurredTime\":\"2026-11-02T10:00:00+01:00\",\"type\":\"BREACH_OF_AGREEMENT\","
             "\"categoryCode\":\"SAM-EPIKRISE\",\"description\":\"%s\",\"reporterName\":\"Kari "
             "Melder\",\"harmDegree\":\"MINOR\",\"submit\":true}",
             receiver, description);
    harness_http_response_t *r = s_as(s_kommune, "POST", "/v1/deviations", body);
    for (int t = 0; t < 50 && r->status != 201; t++) {
        harness_http_response_free(&r);
        usleep(100 * 1000);
        r = s_as(s_kommune, "POST", "/v1/deviations", body);
    }
    harness_expect_status(r, 201);
    harness_http_response_free(&r);
}

/* The finding of issue 12: a subscription made by a quality key of a third
 * organisation kept seeing every report after the key was revoked, and an
 * integration key of the same organisation redirected it. Now the
 * revocation pauses it, says why and tells its contact; the other key may
 * neither redirect it, rotate its secret nor switch it on again; and no
 * report reaches it any more. (A party's quality key sees its own
 * party's reports only: here those sent to the third municipality.) */
static void test_revoked_owner_pauses_its_subscription(void **state)
{
    char org[40], quality_id[40], quality[128], integration_id[40], integration[128];
    s_organization("Tredje kommune", "942110499", org);
    s_api_key(org, "\"quality\",\"integration\"", quality_id, quality);
    s_api_key(org, "\"integration\"", integration_id, integration);
    harness_receiver_t *rx = harness_receiver_start(NULL, 0, 204);
    char id[40];
    s_subscribe(quality, harness_receiver_url(rx), "\"no.samhand.deviation.\"",
                "kvalitet@tredje.kommune.no", id, NULL);
    harness_http_response_t *r = s_subscription_once(id, "ACTIVE");
    assert_non_null(strstr(harness_json_text(r, "ownerSubject"), "key:"));
    harness_http_response_free(&r);

    /* alive, the quality role sees a report sent to its organisation */
    s_report(org, "Før tilbaketrekking.");
    for (int t = 0; t < 100 && !s_received(rx, "no.samhand.deviation.", "Før tilbaketrekking"); t++)
        usleep(100 * 1000);
    assert_true(s_received(rx, "no.samhand.deviation.", "Før tilbaketrekking"));

    size_t mails = harness_smtp_wait(s_smtp, 0, 0);
    char path[128];
    snprintf(path, sizeof path, "/v1/api-keys/%s", quality_id);
    r = harness_stack_send(&s_stack, "DELETE", path, NULL);
    harness_expect_status(r, 200);
    harness_http_response_free(&r);
    r = s_subscription_once(id, "PAUSED");
    assert_non_null(strstr(harness_json_text(r, "disabledReason"), "revoked"));
    harness_http_response_free(&r);
    /* its contact is told */
    assert_true(harness_smtp_wait(s_smtp, mails + 1, 15000) > mails);
    bool told = false;
    for (size_t i = mails; i < harness_smtp_wait(s_smtp, 0, 0); i++)
        told = told || strstr(harness_smtp_recipient(s_smtp, i), "kvalitet@tredje.kommune.no");
    assert_true(told);

    /* another key of the organisation does not take it over */
    harness_receiver_t *other = harness_receiver_start(NULL, 0, 204);
    snprintf(path, sizeof path, "/v1/subscriptions/%s", id);
    char body[256];
    snprintf(body, sizeof body, "{\"url\":\"%s\"}", harness_receiver_url(other));
    r = s_as(integration, "PATCH", path, body);
    harness_assert_problem(r, 403, "url");
    harness_http_response_free(&r);
    r = s_as(integration, "PATCH", path, "{\"rotateSecret\":true}");
    harness_assert_problem(r, 403, "rotateSecret");
    harness_http_response_free(&r);
    r = s_as(integration, "PATCH", path, "{\"state\":\"ACTIVE\"}");
    harness_assert_problem(r, 409, "state");
    harness_http_response_free(&r);

    /* and nothing more arrives, anywhere */
    size_t before = harness_receiver_wait(rx, 0, 0);
    s_report(org, "Etter tilbaketrekking.");
    s_await_in_feed("no.samhand.deviation.", "Etter tilbaketrekking");
    usleep(1500 * 1000);
    assert_int_equal(harness_receiver_wait(rx, 0, 0), before);
    assert_false(s_received(rx, "no.samhand.deviation.", "Etter tilbaketrekking"));
    assert_int_equal(harness_receiver_wait(other, 0, 0), 0);
    assert_int_equal(harness_receiver_handshakes(other), 0);
    harness_receiver_stop(&other);
    harness_receiver_stop(&rx);
}

/* A new municipality `name` with an integration key (its id and header)
 * subscribed to committees' events at a receiver of its own (returned),
 * the subscription's id into `id`. */
static harness_receiver_t *s_integration_key_subscribed(const char *name, const char *number,
                                                        char key_id[40], char key[128], char id[40])
{
    char org[40];
    s_organization(name, number, org);
    s_api_key(org, "\"integration\"", key_id, key);
    harness_receiver_t *rx = harness_receiver_start(NULL, 0, 204);
    s_subscribe(key, harness_receiver_url(rx), "\"no.samhand.committee.\"", NULL, id, NULL);
    return rx;
}

/* notify applies what it missed in runs, many events in one transaction:
 * a key revoked and an event raised after it in the same run, the event
 * still reaches none of the key's subscriptions (each event is fanned out
 * to those who may see it after every event before it, as one by one). */
static void test_a_revocation_holds_for_the_rest_of_its_run(void **state)
{
    char key_id[40], key[128], id[40], path[128];
    harness_receiver_t *rx =
        s_integration_key_subscribed("Fjerde kommune", "942110502", key_id, key, id);
    harness_http_response_t *r = s_subscription_once(id, "ACTIVE");
    harness_http_response_free(&r);
    /* alive, the key's subscription gets committees' events */
    r = harness_stack_send(&s_stack, "POST", "/v1/committees",
                           "{\"name\":\"Før tilbaketrekkingen\",\"kind\":\"OTHER\"}");
    harness_expect_status(r, 201);
    harness_http_response_free(&r);
    for (int t = 0; t < 100 && !s_received(rx, "no.samhand.committee.", "Før tilbaketrekkingen");
         t++)
        usleep(100 * 1000);
    assert_true(s_received(rx, "no.samhand.committee.", "Før tilbaketrekkingen"));
    /* both while notify stands still, so that it takes them in one run */
    assert_int_equal(kill(s_stack.notify, SIGSTOP), 0);
    snprintf(path, sizeof path, "/v1/api-keys/%s", key_id);
    r = harness_stack_send(&s_stack, "DELETE", path, NULL);
    harness_expect_status(r, 200);
    harness_http_response_free(&r);
    r = harness_stack_send(&s_stack, "POST", "/v1/committees",
                           "{\"name\":\"Etter tilbaketrekkingen\",\"kind\":\"OTHER\"}");
    harness_expect_status(r, 201);
    harness_http_response_free(&r);
    harness_await_published("agenda");
    assert_int_equal(kill(s_stack.notify, SIGCONT), 0);
    s_await_in_feed("no.samhand.committee.", "Etter tilbaketrekkingen");
    /* no delivery of it was even queued for the revoked key's subscription:
     * the one it had before is all */
    PGconn *conn = PQconnectdb(s_db);
    const char *params[] = {id};
    PGresult *res =
        PQexecParams(conn, "SELECT count(*) FROM notify.deliveries WHERE subscription_id = $1", 1,
                     NULL, params, NULL, NULL, 0);
    assert_string_equal(PQgetvalue(res, 0, 0), "1");
    PQclear(res);
    PQfinish(conn);
    assert_false(s_received(rx, "no.samhand.committee.", "Etter tilbaketrekkingen"));
    harness_receiver_stop(&rx);
}

/* A request of `who` to notify, on a thread of its own. */
typedef struct {
    const char *who, *method;
    char path[128], body[512];
    harness_http_response_t *r;
} s_async_t;

static void *s_async(void *arg)
{
    s_async_t *a = arg;
    a->r = s_as(a->who, a->method, a->path, a->body);
    return NULL;
}

/* One value a statement on `conn` gives ("" when none). */
static void s_value(PGconn *conn, const char *sql, const char *param, char *out, size_t size)
{
    const char *params[] = {param};
    PGresult *res = PQexecParams(conn, sql, param ? 1 : 0, NULL, params, NULL, NULL, 0);
    snprintf(out, size, "%s",
             PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) > 0 ? PQgetvalue(res, 0, 0)
                                                                          : "");
    PQclear(res);
}

/* `request` sent with `key` (principal `subject`) while notify applies the
 * key's revocation:
 * the principal marked revoked and the key's ACTIVE subscriptions paused
 * in a transaction held open (as the follower's run has them) until the
 * request waits for it or has been answered. Returns the answer; the
 * subscriptions the key owns are ACTIVE in none of them afterwards. */
static harness_http_response_t *s_during_revocation(const char *subject, const char *key,
                                                    s_async_t *request)
{
    char value[64];
    PGconn *revoking = PQconnectdb(s_db);
    assert_int_equal(PQstatus(revoking), CONNECTION_OK);
    PQclear(PQexec(revoking, "BEGIN"));
    s_value(revoking,
            "WITH r AS (UPDATE notify.principals SET revoked_at = now() WHERE subject = $1 "
            "RETURNING 1) SELECT count(*) FROM r",
            subject, value, sizeof value);
    assert_string_equal(value, "1");
    s_value(revoking,
            "WITH p AS (UPDATE notify.subscriptions SET state = 'PAUSED', disabled_reason = "
            "'revoked' WHERE owner_subject = $1 AND state = 'ACTIVE' RETURNING 1) "
            "SELECT count(*) FROM p",
            subject, value, sizeof value);
    char pid[24];
    s_value(revoking, "SELECT pg_backend_pid()", NULL, pid, sizeof pid);
    request->who = key;
    pthread_t thread;
    assert_int_equal(pthread_create(&thread, NULL, s_async, request), 0);
    /* the request is answered, or waits for the revocation (3 s at most) */
    PGconn *watch = PQconnectdb(s_db);
    for (int i = 0; i < 60; i++) {
        s_value(watch,
                "SELECT count(*) FROM pg_stat_activity WHERE $1::int = ANY(pg_blocking_pids(pid))",
                pid, value, sizeof value);
        if (strcmp(value, "0") != 0)
            break;
        usleep(50 * 1000);
    }
    PQfinish(watch);
    PQclear(PQexec(revoking, "COMMIT"));
    pthread_join(thread, NULL);
    s_value(revoking,
            "SELECT count(*) FROM notify.subscriptions WHERE owner_subject = $1 AND state = "
            "'ACTIVE'",
            subject, value, sizeof value);
    PQfinish(revoking);
    assert_string_equal(value, "0");
    return request->r;
}

/* A request authenticated just before its key was revoked may reach
 * notify while notify applies the revocation. What it makes or switches
 * on is paused with the key's other subscriptions, or refused: no
 * subscription of a revoked key is ACTIVE afterwards. */
static void test_a_revocation_being_applied_is_not_outrun(void **state)
{
    char key_id[40], key[128], paused[40], subject[64];
    /* one of its subscriptions its owner has paused itself */
    harness_receiver_t *rx =
        s_integration_key_subscribed("Femte kommune", "942110510", key_id, key, paused);
    harness_http_response_t *r = s_subscription_once(paused, "ACTIVE");
    snprintf(subject, sizeof subject, "%s", harness_json_text(r, "ownerSubject"));
    harness_http_response_free(&r);
    char path[128];
    snprintf(path, sizeof path, "/v1/subscriptions/%s", paused);
    r = s_as(key, "PATCH", path, "{\"state\":\"PAUSED\"}");
    harness_expect_status(r, 200);
    harness_http_response_free(&r);

    /* a new subscription */
    s_async_t create = {.method = "POST", .path = "/v1/subscriptions"};
    snprintf(create.body, sizeof create.body,
             "{\"url\":\"%s\",\"eventTypes\":[\"no.samhand.committee.\"]}",
             harness_receiver_url(rx));
    r = s_during_revocation(subject, key, &create);
    harness_assert_problem(r, 403, NULL);
    harness_http_response_free(&r);
    /* the paused one switched on again */
    s_async_t resume = {.method = "PATCH"};
    snprintf(resume.path, sizeof resume.path, "/v1/subscriptions/%s", paused);
    snprintf(resume.body, sizeof resume.body, "{\"state\":\"ACTIVE\"}");
    r = s_during_revocation(subject, key, &resume);
    harness_assert_problem(r, 409, "state");
    harness_http_response_free(&r);
    harness_receiver_stop(&rx);
}

/* A new URL gets no event before it answered the handshake with 2xx;
 * what happened meanwhile follows, in order, once it has. A changed URL
 * answers it again. */
static void test_new_url_answers_a_handshake_first(void **state)
{
    harness_receiver_t *rx = harness_receiver_start(NULL, 0, 204);
    harness_receiver_handshake_status(rx, 500);
    char id[40];
    s_subscribe(s_stack.auth_header, harness_receiver_url(rx), "\"no.samhand.committee.\"", NULL,
                id, NULL);
    harness_http_response_t *r = s_subscription_once(id, "REQUESTED");
    harness_http_response_free(&r);
    harness_http_response_t *c = harness_stack_send(&s_stack, "POST", "/v1/committees",
                                                    "{\"name\":\"Venterådet\",\"kind\":\"OTHER\"}");
    harness_expect_status(c, 201);
    harness_http_response_free(&c);
    for (int t = 0; t < 100 && harness_receiver_handshakes(rx) < 2; t++)
        usleep(100 * 1000);
    assert_true(harness_receiver_handshakes(rx) >= 2); /* asked, refused, asked again */
    assert_int_equal(harness_receiver_wait(rx, 1, 500), 0);
    r = s_subscription_once(id, "REQUESTED");
    harness_http_response_free(&r);

    harness_receiver_handshake_status(rx, 204);
    assert_int_equal(harness_receiver_wait(rx, 1, 15000), 1);
    assert_true(s_received(rx, "no.samhand.committee.created", "Venterådet"));
    r = s_subscription_once(id, "ACTIVE");
    harness_http_response_free(&r);

    /* moved: the new place is asked first */
    harness_receiver_t *moved = harness_receiver_start(NULL, 0, 204);
    harness_receiver_handshake_status(moved, 503);
    char path[128], body[256];
    snprintf(path, sizeof path, "/v1/subscriptions/%s", id);
    snprintf(body, sizeof body, "{\"url\":\"%s\"}", harness_receiver_url(moved));
    r = harness_stack_send(&s_stack, "PATCH", path, body);
    harness_expect_status(r, 200);
    assert_string_equal(harness_json_text(r, "state"), "REQUESTED");
    harness_http_response_free(&r);
    c = harness_stack_send(&s_stack, "POST", "/v1/committees",
                           "{\"name\":\"Flytterådet\",\"kind\":\"OTHER\"}");
    harness_expect_status(c, 201);
    harness_http_response_free(&c);
    for (int t = 0; t < 100 && harness_receiver_handshakes(moved) < 1; t++)
        usleep(100 * 1000);
    assert_true(harness_receiver_handshakes(moved) >= 1);
    usleep(300 * 1000);
    assert_int_equal(harness_receiver_wait(moved, 1, 0), 0);
    assert_int_equal(harness_receiver_wait(rx, 2, 0), 1); /* nor to the old one */
    harness_receiver_handshake_status(moved, 200);
    assert_int_equal(harness_receiver_wait(moved, 1, 15000), 1);
    assert_true(s_received(moved, "no.samhand.committee.created", "Flytterådet"));
    harness_receiver_stop(&moved);
    harness_receiver_stop(&rx);
}

/* How many rows of the notify schema's `table` hold `text` anywhere
 * (their whole row as text; a bytea column as its bytes too). */
static long s_rows_holding(PGconn *conn, const char *table, const char *text)
{
    char sql[512];
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM notify.%s t WHERE strpos(t::text, $1) > 0 OR strpos(t::text, "
             "encode(convert_to($1, 'UTF8'), 'hex')) > 0",
             table);
    const char *params[] = {text};
    PGresult *res = PQexecParams(conn, sql, 1, NULL, params, NULL, NULL, 0);
    assert_int_equal(PQresultStatus(res), PGRES_TUPLES_OK);
    long n = atol(PQgetvalue(res, 0, 0));
    PQclear(res);
    return n;
}

/* A secret is shown once: the database holds it sealed, in the
 * subscription and in no stored answer (a repeat of the request gets the
 * answer without it), and deliveries still verify with it, after a
 * rotation too. */
static void test_secrets_are_kept_sealed(void **state)
{
    harness_receiver_t *rx = harness_receiver_start(NULL, 0, 204);
    char body[512];
    snprintf(body, sizeof body, "{\"url\":\"%s\",\"eventTypes\":[\"no.samhand.committee.\"]}",
             harness_receiver_url(rx));
    char url[256];
    snprintf(url, sizeof url, "%s/v1/subscriptions", s_stack.base_url);
    const char *headers[] = {s_stack.auth_header, "Idempotency-Key: forsegla-1", NULL};
    harness_http_response_t *r = harness_http_request("POST", url, body, headers);
    harness_expect_status(r, 201);
    char id[40], secret[80];
    snprintf(id, sizeof id, "%s", harness_json_text(r, "id"));
    snprintf(secret, sizeof secret, "%s", harness_json_text(r, "secret"));
    harness_http_response_free(&r);
    assert_int_equal(strncmp(secret, "whsec_", 6), 0);
    r = harness_http_request("POST", url, body,
                             headers); /* the repeat: the answer, not the secret */
    assert_true(r->status == 200 || r->status == 201);
    assert_string_equal(harness_json_text(r, "id"), id);
    assert_string_equal(harness_json_text(r, "secret"), "");
    harness_http_response_free(&r);

    PGconn *conn = PQconnectdb(s_db);
    assert_int_equal(PQstatus(conn), CONNECTION_OK);
    const char *b64 = secret + 6;
    assert_int_equal(s_rows_holding(conn, "subscriptions", b64), 0);
    assert_int_equal(s_rows_holding(conn, "idempotency", b64), 0);
    assert_int_equal(s_rows_holding(conn, "idempotency", id), 1); /* the answer is there */

    r = harness_stack_send(&s_stack, "POST", "/v1/committees",
                           "{\"name\":\"Forseglet\",\"kind\":\"OTHER\"}");
    harness_expect_status(r, 201);
    harness_http_response_free(&r);
    assert_int_equal(harness_receiver_wait(rx, 1, 15000), 1);
    assert_int_equal(harness_receiver_verify(rx, secret), 0);

    /* rotated (and moved, to see what the new one signs alone): sealed as
     * well, and it signs */
    harness_receiver_t *moved = harness_receiver_start(NULL, 0, 204);
    char path[128];
    snprintf(path, sizeof path, "/v1/subscriptions/%s", id);
    snprintf(body, sizeof body, "{\"url\":\"%s\",\"rotateSecret\":true}",
             harness_receiver_url(moved));
    r = harness_stack_send(&s_stack, "PATCH", path, body);
    harness_expect_status(r, 200);
    char rotated[80];
    snprintf(rotated, sizeof rotated, "%s", harness_json_text(r, "secret"));
    harness_http_response_free(&r);
    assert_int_equal(strncmp(rotated, "whsec_", 6), 0);
    assert_int_equal(s_rows_holding(conn, "subscriptions", rotated + 6), 0);
    assert_int_equal(s_rows_holding(conn, "subscriptions", b64), 0);
    assert_int_equal(s_rows_holding(conn, "idempotency", rotated + 6), 0);
    r = harness_stack_send(&s_stack, "POST", "/v1/committees",
                           "{\"name\":\"Rotert\",\"kind\":\"OTHER\"}");
    harness_expect_status(r, 201);
    harness_http_response_free(&r);
    assert_int_equal(harness_receiver_wait(moved, 1, 15000), 1);
    assert_int_equal(harness_receiver_verify(moved, rotated), 0);
    PQfinish(conn);
    harness_receiver_stop(&moved);
    harness_receiver_stop(&rx);
}

/* A secret an older notify kept in plain text is sealed when notify
 * starts, and goes on signing. */
static void test_plain_secrets_sealed_at_start(void **state)
{
    harness_receiver_t *rx = harness_receiver_start(NULL, 0, 204);
    const char *secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    PGconn *conn = PQconnectdb(s_db);
    assert_int_equal(PQstatus(conn), CONNECTION_OK);
    const char *params[] = {harness_receiver_url(rx), secret};
    PGresult *res = PQexecParams(conn,
                                 "INSERT INTO notify.subscriptions (owner_subject, url, "
                                 "verified_url, event_types, secret) VALUES ('admin', $1, $1, "
                                 "'{no.samhand.committee.}', $2) RETURNING id",
                                 2, NULL, params, NULL, NULL, 0);
    assert_int_equal(PQresultStatus(res), PGRES_TUPLES_OK);
    PQclear(res);
    harness_stack_crash(&s_stack, "notify");
    long plain = 1;
    for (int t = 0; t < 100 && plain > 0; t++) {
        usleep(100 * 1000);
        res = PQexec(conn, "SELECT count(*) FROM notify.subscriptions WHERE secret IS NOT NULL OR "
                           "previous_secret IS NOT NULL");
        plain = PQresultStatus(res) == PGRES_TUPLES_OK ? atol(PQgetvalue(res, 0, 0)) : 1;
        PQclear(res);
    }
    assert_int_equal(plain, 0);
    assert_int_equal(s_rows_holding(conn, "subscriptions", secret + 6), 0);
    PQfinish(conn);
    harness_http_response_t *r = NULL;
    for (int t = 0; t < 100; t++) { /* notify is back */
        harness_http_response_free(&r);
        r = harness_stack_send(&s_stack, "POST", "/v1/committees",
                               "{\"name\":\"Gammel hemmelighet\",\"kind\":\"OTHER\"}");
        if (r->status == 201)
            break;
        usleep(100 * 1000);
    }
    harness_expect_status(r, 201);
    harness_http_response_free(&r);
    assert_int_equal(harness_receiver_wait(rx, 1, 15000), 1);
    assert_int_equal(harness_receiver_verify(rx, secret), 0);
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
        cmocka_unit_test_teardown(test_key_events_only_to_administrators, s_forget),
        cmocka_unit_test_teardown(test_revoked_owner_pauses_its_subscription, s_forget),
        cmocka_unit_test_teardown(test_a_revocation_holds_for_the_rest_of_its_run, s_forget),
        cmocka_unit_test_teardown(test_a_revocation_being_applied_is_not_outrun, s_forget),
        cmocka_unit_test_teardown(test_new_url_answers_a_handshake_first, s_forget),
        cmocka_unit_test_teardown(test_secrets_are_kept_sealed, s_forget),
        cmocka_unit_test_teardown(test_plain_secrets_sealed_at_start, s_forget),
    };
    return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
