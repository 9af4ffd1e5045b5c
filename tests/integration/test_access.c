/* Access control over every route of the route table: without a
 * credential 401, with one whose roles the authorization table does not
 * list 403, and neither carries any data; with a role that may, the
 * request gets past the gateway (what the service then says depends on
 * the ids and bodies, which are made up here). Public routes need nothing.
 * And what every answer carries: security headers, CORS for the configured
 * origin only, 429 with Retry-After past a credential's rate. */
#include "harness.h"
#include "gateway_policy.h"
#include "gateway_routes.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <openssl/evp.h>

#include <pthread.h>
#include <signal.h>

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>

#define ORG "33333333-3333-4333-8333-333333333333"
#define SOMEONE "44444444-4444-4444-8444-444444444444" /* no such thing */

static harness_stack_t s_stack;
static const char *const s_roles[] = {"administrator", "secretariat", "secretary",  "member",
                                      "reporter",      "quality",     "integration"};
#define N_ROLES (sizeof s_roles / sizeof s_roles[0])

static int s_setup(void **state)
{
    static char names[N_ROLES][40];
    harness_key_t keys[N_ROLES];
    for (size_t i = 0; i < N_ROLES; i++) {
        snprintf(names[i], sizeof names[i], "shk_%s", s_roles[i]);
        /* the administrator is the partnership's (of no organisation): a
         * party's holds no power over the partnership's keys and settings */
        keys[i] = (harness_key_t){names[i], strcmp(s_roles[i], "administrator") == 0 ? "" : ORG,
                                  s_roles[i]};
    }
    harness_api_keys_set(keys, N_ROLES);
    setenv("SAMHAND_RATE_LIMIT", "20", 1);
    setenv("SAMHAND_RATE_BURST", "100", 1);
    setenv("SAMHAND_WEBHOOK_ALLOW_LOOPBACK", "0", 1); /* as in production */
    setenv("SAMHAND_CORS_ORIGINS", "https://samhand.helsefellesskap.no, https://test.example", 1);
    harness_stack_start(&s_stack, harness_database_url());
    return 0;
}

static int s_teardown(void **state)
{
    harness_stack_stop(&s_stack);
    return 0;
}

/* The route's path with every {parameter} an id of nothing. */
static void s_path(const char *template, char *out, size_t size)
{
    size_t used = 0;
    for (const char *p = template; *p && used + 40 < size;) {
        if (*p == '{') {
            used += (size_t)snprintf(out + used, size - used, "%s", SOMEONE);
            p = strchr(p, '}') + 1;
        } else {
            out[used++] = *p++;
        }
    }
    out[used] = '\0';
}

static harness_http_response_t *s_call(const gateway_route_t *route, const char *role)
{
    char path[256], url[512], header[96];
    s_path(route->path, path, sizeof path);
    snprintf(url, sizeof url, "%s%s", s_stack.base_url, path);
    snprintf(header, sizeof header, "Authorization: Bearer shk_%s", role ? role : "");
    const char *headers[] = {header, NULL};
    bool body = strcmp(route->method, "GET") != 0 && strcmp(route->method, "DELETE") != 0;
    return harness_http_request(route->method, url, body ? "{}" : NULL, role ? headers : NULL);
}

/* A refusal says why and nothing else: the problem's own fields. */
static void s_no_data(const harness_http_response_t *r, const gateway_route_t *route)
{
    const char *key;
    json_t *value;
    json_object_foreach(r->json, key, value)
    {
        if (strcmp(key, "type") && strcmp(key, "title") && strcmp(key, "status") &&
            strcmp(key, "detail") && strcmp(key, "instance") && strcmp(key, "requestId"))
            fail_msg("%s %s: the refusal carries \"%s\"", route->method, route->path, key);
    }
}

static void test_every_route(void **state)
{
    size_t checked = 0, refused = 0;
    for (size_t i = 0; i < gateway_routes_count; i++) {
        const gateway_route_t *route = &gateway_routes[i];
        harness_http_response_t *r = s_call(route, NULL);
        if (route->access == GATEWAY_ACCESS_PUBLIC) {
            if (r->status == 401 || r->status == 403)
                fail_msg("public %s %s refused without a credential", route->method, route->path);
            harness_http_response_free(&r);
            continue;
        }
        if (r->status != 401)
            fail_msg("%s %s without a credential: %ld", route->method, route->path, r->status);
        s_no_data(r, route);
        harness_http_response_free(&r);

        unsigned may = gateway_policy_roles(route->rpc);
        for (size_t k = 0; k < N_ROLES; k++) {
            bool allowed = may & gateway_role_bit(s_roles[k], strlen(s_roles[k]));
            r = s_call(route, s_roles[k]);
            if (allowed && (r->status == 401 || r->status == 403 || r->status == 0))
                fail_msg("%s %s as %s: %ld, %s", route->method, route->path, s_roles[k], r->status,
                         r->body);
            if (!allowed) {
                if (r->status != 403)
                    fail_msg("%s %s as %s: %ld, not 403", route->method, route->path, s_roles[k],
                             r->status);
                s_no_data(r, route);
                refused++;
            }
            harness_http_response_free(&r);
            checked++;
        }
    }
    /* the table is not everyone-may-everything */
    assert_true(refused > checked / 4);
}

static void test_refusal_names_the_roles(void **state)
{
    char url[256];
    snprintf(url, sizeof url, "%s/v1/organizations", s_stack.base_url);
    const char *headers[] = {"Authorization: Bearer shk_reporter", NULL};
    harness_http_response_t *r = harness_http_request(
        "POST", url, "{\"name\":\"Ny\",\"organizationNumber\":\"974575086\",\"kind\":\"OTHER\"}",
        headers);
    assert_int_equal(r->status, 403);
    assert_string_equal(harness_json_text(r, "detail"),
                        "this needs one of the roles: administrator, secretariat");
    harness_http_response_free(&r);
    /* and nothing was made */
    r = harness_stack_get(&s_stack, "/v1/organizations?q=Ny");
    assert_int_equal(r->status, 200);
    assert_int_equal(json_array_size(json_object_get(r->json, "items")), 0);
    harness_http_response_free(&r);
}

/* /v1/me tells each role the operations it may call, the same table the
 * gateway enforces: the web pages offer only those. */
static void test_me_lists_what_the_role_may_do(void **state)
{
    char url[256], header[96];
    snprintf(url, sizeof url, "%s/v1/me", s_stack.base_url);
    harness_http_response_t *r = harness_http_request("GET", url, NULL, NULL);
    assert_int_equal(r->status, 401);
    harness_http_response_free(&r);
    for (size_t i = 0; i < N_ROLES; i++) {
        snprintf(header, sizeof header, "Authorization: Bearer shk_%s", s_roles[i]);
        const char *headers[] = {header, NULL};
        r = harness_http_request("GET", url, NULL, headers);
        assert_int_equal(r->status, 200);
        json_t *operations = json_object_get(r->json, "operations");
        unsigned bit = gateway_role_bit(s_roles[i], strlen(s_roles[i]));
        size_t listed = 0;
        for (size_t p = 0; p < gateway_policies_count; p++) {
            bool may = (gateway_policies[p].roles & bit) != 0, found = false;
            size_t k;
            json_t *name;
            json_array_foreach(operations, k, name)
            {
                found = found || strcmp(json_string_value(name), gateway_policies[p].rpc) == 0;
            }
            if (may != found)
                fail_msg("%s: /v1/me %s %s", s_roles[i], found ? "offers" : "lacks",
                         gateway_policies[p].rpc);
            /* and on what: a secretary publishes the notices of the
             * committees she runs, not every committee's */
            json_t *scope =
                json_object_get(json_object_get(r->json, "scopes"), gateway_policies[p].rpc);
            if (may && gateway_policies[p].scope &&
                (!scope || strcmp(json_string_value(scope), gateway_policies[p].scope) != 0))
                fail_msg("%s: /v1/me does not say on what %s", s_roles[i], gateway_policies[p].rpc);
            listed += may;
        }
        assert_int_equal(json_array_size(operations), listed);
        harness_http_response_free(&r);
    }
    assert_non_null(strstr(gateway_policy_scope("agenda.PublishMeeting"), "runs"));
}

typedef struct {
    char url[256];
    const char *auth;
    harness_http_response_t *r;
} s_async_t;

static void *s_get_with_shared_id(void *arg)
{
    s_async_t *a = arg;
    const char *headers[] = {a->auth, "X-Request-Id: one-id-for-two", NULL};
    a->r = harness_http_request("GET", a->url, NULL, headers);
    return NULL;
}

/* Two callers who send the same X-Request-Id at the same time each get
 * their own answer: one principal's data never reaches another. */
static void test_shared_request_id_never_crosses(void **state)
{
    harness_http_response_t *r =
        harness_stack_send(&s_stack, "POST", "/v1/organizations",
                           "{\"name\":\"Meråker kommune\",\"organizationNumber\":"
                           "\"961381185\",\"kind\":\"MUNICIPALITY\"}");
    assert_int_equal(r->status, 201);
    harness_http_response_free(&r);
    /* one waits at notify, held still for a moment ... */
    kill(s_stack.notify, SIGSTOP);
    s_async_t poll = {.auth = "Authorization: Bearer shk_integration"};
    snprintf(poll.url, sizeof poll.url, "%s/v1/subscriptions", s_stack.base_url);
    pthread_t thread;
    assert_int_equal(pthread_create(&thread, NULL, s_get_with_shared_id, &poll), 0);
    usleep(300 * 1000);
    /* ... while the other's answer comes back from agenda */
    s_async_t list = {.auth = "Authorization: Bearer shk_quality"};
    snprintf(list.url, sizeof list.url, "%s/v1/organizations?limit=500", s_stack.base_url);
    s_get_with_shared_id(&list);
    assert_int_equal(list.r->status, 200);
    assert_non_null(strstr(list.r->body, "Meråker kommune"));
    kill(s_stack.notify, SIGCONT);
    pthread_join(thread, NULL);
    assert_int_equal(poll.r->status, 200);
    assert_null(strstr(poll.r->body, "Meråker kommune"));
    harness_http_response_free(&list.r);
    harness_http_response_free(&poll.r);
}

/* A subscription cannot make samhand call into its own machine or a
 * cloud's metadata service: an address is refused when the subscription
 * is made, a name when a delivery finds where it leads. */
static void test_webhooks_never_call_into_the_host(void **state)
{
    static const char *const refused[] = {"http://169.254.169.254/latest/meta-data/",
                                          "http://127.0.0.1:8080/v1/api-keys",
                                          "http://[::1]/",
                                          "http://0.0.0.0/",
                                          "https://[fe80::1]/",
                                          "http://[::ffff:127.0.0.1]/"};
    char body[256];
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        snprintf(body, sizeof body, "{\"url\":\"%s\"}", refused[i]);
        harness_http_response_t *r =
            harness_stack_send(&s_stack, "POST", "/v1/subscriptions", body);
        if (r->status != 400)
            fail_msg("a subscription to %s answered %ld", refused[i], r->status);
        harness_assert_problem(r, 400, "url");
        harness_http_response_free(&r);
    }
    /* a name that leads here: made, and then never sent to */
    harness_receiver_t *rx = harness_receiver_start(NULL, 0, 204);
    const char *port = strrchr(harness_receiver_url(rx), ':') + 1;
    snprintf(body, sizeof body,
             "{\"url\":\"http://localhost:%s\",\"eventTypes\":[\"no.samhand.organization.\"]}",
             port);
    harness_http_response_t *r = harness_stack_send(&s_stack, "POST", "/v1/subscriptions", body);
    assert_int_equal(r->status, 201);
    char path[128];
    snprintf(path, sizeof path, "/v1/subscriptions/%s", harness_json_text(r, "id"));
    harness_http_response_free(&r);
    r = harness_stack_send(
        &s_stack, "POST", "/v1/organizations",
        "{\"name\":\"Tydal kommune\",\"organizationNumber\":\"970542507\",\"kind\":"
        "\"MUNICIPALITY\"}");
    assert_int_equal(r->status, 201);
    harness_http_response_free(&r);
    /* the first thing sent to a new URL, its handshake, is not sent */
    const char *response = NULL;
    for (int i = 0; i < 100 && !response; i++) {
        harness_http_response_free(&r);
        r = harness_stack_get(&s_stack, path);
        response = harness_json_text(r, "handshakeError");
        if (!response[0]) {
            response = NULL;
            usleep(100 * 1000);
        }
    }
    assert_non_null(response);
    /* in the words of a closed port's, so that no port of this machine
     * can be told open from closed by the attempts */
    char refused_answer[300];
    snprintf(refused_answer, sizeof refused_answer, "%s", response);
    harness_http_response_free(&r);
    assert_int_equal(harness_receiver_wait(rx, 1, 500), 0);
    harness_receiver_stop(&rx);
    snprintf(body, sizeof body,
             "{\"url\":\"http://localhost:%d\",\"eventTypes\":[\"no.samhand.organization.\"]}",
             harness_free_port());
    r = harness_stack_send(&s_stack, "POST", "/v1/subscriptions", body);
    assert_int_equal(r->status, 201);
    snprintf(path, sizeof path, "/v1/subscriptions/%s", harness_json_text(r, "id"));
    for (int i = 0; i < 100; i++) {
        harness_http_response_free(&r);
        r = harness_stack_get(&s_stack, path);
        if (harness_json_text(r, "handshakeError")[0])
            break;
        usleep(100 * 1000);
    }
    assert_string_equal(harness_json_text(r, "handshakeError"), refused_answer);
    harness_http_response_free(&r);
}

/* This machine's own addresses are refused too, not only loopback: an
 * address of any of its interfaces (read with getifaddrs, as notify does). */
static void test_webhooks_never_call_the_hosts_own_addresses(void **state)
{
    struct ifaddrs *list = NULL;
    assert_int_equal(getifaddrs(&list), 0);
    char ip[INET6_ADDRSTRLEN] = "";
    for (struct ifaddrs *i = list; i && !ip[0]; i = i->ifa_next)
        if (i->ifa_addr && i->ifa_addr->sa_family == AF_INET && !(i->ifa_flags & IFF_LOOPBACK))
            inet_ntop(AF_INET, &((struct sockaddr_in *)i->ifa_addr)->sin_addr, ip, sizeof ip);
    freeifaddrs(list);
    if (!ip[0]) {
        fprintf(stderr, "skipped: this machine has no IPv4 address but loopback\n");
        skip();
    }
    char body[256];
    snprintf(body, sizeof body, "{\"url\":\"http://%s:8080/v1/api-keys\"}", ip);
    harness_http_response_t *r = harness_stack_send(&s_stack, "POST", "/v1/subscriptions", body);
    if (r->status != 400)
        fail_msg("a subscription to this machine's %s answered %ld", ip, r->status);
    harness_assert_problem(r, 400, "url");
    harness_http_response_free(&r);
}

static void test_security_headers(void **state)
{
    static const char *const paths[] = {"/v1/committees", "/v1/nowhere", "/healthz"};
    char value[256];
    for (size_t i = 0; i < 3; i++) {
        harness_http_response_t *r = harness_stack_get(&s_stack, paths[i]);
        assert_string_equal(harness_http_header(r, "x-content-type-options", value, sizeof value),
                            "nosniff");
        assert_string_equal(harness_http_header(r, "x-frame-options", value, sizeof value), "DENY");
        assert_string_equal(harness_http_header(r, "referrer-policy", value, sizeof value),
                            "no-referrer");
        assert_non_null(
            strstr(harness_http_header(r, "content-security-policy", value, sizeof value),
                   "frame-ancestors 'none'"));
        assert_string_equal(harness_http_header(r, "cache-control", value, sizeof value),
                            "no-store");
        harness_http_response_free(&r);
    }
}

static void test_cors_for_the_configured_origins(void **state)
{
    char url[256], value[256];
    snprintf(url, sizeof url, "%s/v1/deviations", s_stack.base_url);
    /* a preflight from the partnership's own pages */
    const char *preflight[] = {"Origin: https://samhand.helsefellesskap.no",
                               "Access-Control-Request-Method: POST",
                               "Access-Control-Request-Headers: authorization, content-type", NULL};
    harness_http_response_t *r = harness_http_request("OPTIONS", url, NULL, preflight);
    assert_int_equal(r->status, 204);
    assert_string_equal(harness_http_header(r, "access-control-allow-origin", value, sizeof value),
                        "https://samhand.helsefellesskap.no");
    assert_non_null(
        strstr(harness_http_header(r, "access-control-allow-headers", value, sizeof value),
               "Authorization"));
    assert_non_null(strstr(
        harness_http_header(r, "access-control-allow-methods", value, sizeof value), "POST"));
    harness_http_response_free(&r);
    /* from anywhere else: refused, and no permission in the answer */
    const char *elsewhere[] = {"Origin: https://evil.example",
                               "Access-Control-Request-Method: POST", NULL};
    r = harness_http_request("OPTIONS", url, NULL, elsewhere);
    assert_int_equal(r->status, 403);
    assert_string_equal(harness_http_header(r, "access-control-allow-origin", value, sizeof value),
                        "");
    harness_http_response_free(&r);
    /* the answer itself: readable by the allowed origin only */
    snprintf(url, sizeof url, "%s/v1/committees", s_stack.base_url);
    const char *allowed[] = {"Origin: https://test.example", NULL};
    r = harness_http_request("GET", url, NULL, allowed);
    assert_int_equal(r->status, 200);
    assert_string_equal(harness_http_header(r, "access-control-allow-origin", value, sizeof value),
                        "https://test.example");
    harness_http_response_free(&r);
    r = harness_http_request("GET", url, NULL, elsewhere);
    assert_int_equal(r->status, 200);
    assert_string_equal(harness_http_header(r, "access-control-allow-origin", value, sizeof value),
                        "");
    harness_http_response_free(&r);
}

static void test_rate_limit_per_credential(void **state)
{
    char url[256], value[64];
    snprintf(url, sizeof url, "%s/v1/actions", s_stack.base_url);
    const char *member[] = {"Authorization: Bearer shk_member", NULL};
    const char *quality[] = {"Authorization: Bearer shk_quality", NULL};
    /* far beyond the burst of 100 at once: the rest get 429 */
    int ok = 0, limited = 0;
    for (int i = 0; i < 160; i++) {
        harness_http_response_t *r = harness_http_request("GET", url, NULL, member);
        if (r->status == 200)
            ok++;
        else if (r->status == 429) {
            limited++;
            assert_true(atoi(harness_http_header(r, "retry-after", value, sizeof value)) >= 1);
            assert_string_equal(r->content_type, "application/problem+json");
        }
        harness_http_response_free(&r);
    }
    /* at most the burst and what 20 a second refill meanwhile (the key was
     * used before, by the tests above) */
    assert_true(limited >= 20);
    assert_true(ok > 0 && ok <= 130);
    /* another credential is not held back by it */
    harness_http_response_t *r = harness_http_request("GET", url, NULL, quality);
    assert_int_equal(r->status, 200);
    harness_http_response_free(&r);
    /* and after a pause, the first may go on */
    usleep(1100 * 1000);
    r = harness_http_request("GET", url, NULL, member);
    assert_int_equal(r->status, 200);
    harness_http_response_free(&r);
}

/* Keys for the parties' systems, made and revoked by an administrator
 * through the API: shown once, usable at once, refused soon after revoke. */
static void test_api_keys_through_the_api(void **state)
{
    harness_http_response_t *r =
        harness_stack_send(&s_stack, "POST", "/v1/organizations",
                           "{\"name\":\"Frosta kommune\",\"organizationNumber\":"
                           "\"944305483\",\"kind\":\"MUNICIPALITY\"}");
    assert_int_equal(r->status, 201);
    char org[40], body[512], id[40], key[80], path[128], url[256], auth[128];
    snprintf(org, sizeof org, "%s", harness_json_text(r, "id"));
    harness_http_response_free(&r);

    /* refused: a role that is none, an organisation that is not there, and
     * anyone but an administrator */
    snprintf(body, sizeof body,
             "{\"name\":\"Fagsystem\",\"organizationId\":\"%s\",\"roles\":[\"superuser\"]}", org);
    r = harness_stack_send(&s_stack, "POST", "/v1/api-keys", body);
    harness_assert_problem(r, 400, "roles");
    harness_http_response_free(&r);
    r = harness_stack_send(&s_stack, "POST", "/v1/api-keys",
                           "{\"name\":\"Fagsystem\",\"organizationId\":\"" SOMEONE "\",\"roles\":["
                           "\"integration\"]}");
    harness_assert_problem(r, 400, "organizationId");
    harness_http_response_free(&r);
    snprintf(url, sizeof url, "%s/v1/api-keys", s_stack.base_url);
    const char *secretariat[] = {"Authorization: Bearer shk_secretariat", NULL};
    snprintf(body, sizeof body,
             "{\"name\":\"Fagsystem i Frosta\",\"organizationId\":\"%s\",\"roles\":["
             "\"integration\"]}",
             org);
    r = harness_http_request("POST", url, body, secretariat);
    assert_int_equal(r->status, 403);
    harness_http_response_free(&r);

    /* made: the key in this answer only */
    r = harness_stack_send(&s_stack, "POST", "/v1/api-keys", body);
    assert_int_equal(r->status, 201);
    snprintf(id, sizeof id, "%s", harness_json_text(r, "id"));
    snprintf(key, sizeof key, "%s", harness_json_text(r, "key"));
    char subject[32];
    snprintf(subject, sizeof subject, "%s", harness_json_text(r, "subject"));
    assert_int_equal(strlen(subject), 16); /* key:<12 hex> */
    assert_int_equal(strlen(key), 68);
    assert_true(strncmp(key, "shk_", 4) == 0);
    char prefix[9];
    snprintf(prefix, sizeof prefix, "%.8s", key + 4);
    assert_string_equal(harness_json_text(r, "prefix"), prefix);
    harness_http_response_free(&r);
    snprintf(path, sizeof path, "/v1/api-keys/%s", id);
    r = harness_stack_get(&s_stack, path);
    assert_int_equal(r->status, 200);
    const char *shown = harness_json_text(r, "key");
    assert_true(!shown || !*shown); /* never again */
    assert_null(strstr(r->body, key + 4));
    harness_http_response_free(&r);

    /* usable at once, with its organisation and roles, as the principal
     * its subject names (what a person's principalSubject is set to) */
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", key);
    const char *with_key[] = {auth, NULL};
    snprintf(url, sizeof url, "%s/v1/me", s_stack.base_url);
    r = harness_http_request("GET", url, NULL, with_key);
    assert_int_equal(r->status, 200);
    assert_string_equal(harness_json_text(r, "subject"), subject);
    harness_http_response_free(&r);
    snprintf(url, sizeof url, "%s/v1/subscriptions", s_stack.base_url);
    r = harness_http_request("GET", url, NULL, with_key);
    assert_int_equal(r->status, 200);
    harness_http_response_free(&r);
    snprintf(url, sizeof url, "%s/v1/organizations", s_stack.base_url);
    r = harness_http_request(
        "POST", url, "{\"name\":\"Ny\",\"organizationNumber\":\"974575086\",\"kind\":\"OTHER\"}",
        with_key);
    assert_int_equal(r->status, 403);
    harness_http_response_free(&r);

    /* revoked: refused within seconds */
    r = harness_stack_send(&s_stack, "DELETE", path, NULL);
    assert_int_equal(r->status, 200);
    assert_non_null(json_object_get(r->json, "revokeTime"));
    harness_http_response_free(&r);
    snprintf(url, sizeof url, "%s/v1/subscriptions", s_stack.base_url);
    long status = 200;
    for (int i = 0; i < 150 && status == 200; i++) {
        r = harness_http_request("GET", url, NULL, with_key);
        status = r->status;
        harness_http_response_free(&r);
        if (status == 200)
            usleep(100 * 1000);
    }
    assert_int_equal(status, 401);
}

/* The subject the gateway gives an API key: "key:" and 12 hex digits of
 * its SHA-256. */
static void s_key_subject(const char *key, char out[32])
{
    unsigned char digest[32];
    unsigned int len = 0;
    EVP_Digest(key, strlen(key), digest, &len, EVP_sha256(), NULL);
    int n = snprintf(out, 32, "key:");
    for (int i = 0; i < 6; i++)
        n += snprintf(out + n, 32 - (size_t)n, "%02x", digest[i]);
}

static const char *s_first_title(harness_http_response_t *r)
{
    return json_string_value(
        json_object_get(json_array_get(json_object_get(r->json, "items"), 0), "title"));
}

/* Exempt content (unntatt offentlighet) is for the committee's members:
 * the person signed in with a membership sees it; another member-role
 * credential, the public and every event reader see only the legal basis. */
static void test_exempt_content_for_members_only(void **state)
{
    char org[40], person[40], committee[40], meeting[40], body[512], path[160], url[256],
        subject[32];
    harness_http_response_t *r =
        harness_stack_send(&s_stack, "POST", "/v1/organizations",
                           "{\"name\":\"Malvik kommune\",\"organizationNumber\":"
                           "\"939865942\",\"kind\":\"MUNICIPALITY\"}");
    assert_int_equal(r->status, 201);
    snprintf(org, sizeof org, "%s", harness_json_text(r, "id"));
    harness_http_response_free(&r);
    s_key_subject("shk_member", subject);
    snprintf(body, sizeof body,
             "{\"name\":\"Mona Medlem\",\"organizationId\":\"%s\",\"principalSubject\":\"%s\"}",
             org, subject);
    r = harness_stack_send(&s_stack, "POST", "/v1/persons", body);
    assert_int_equal(r->status, 201);
    snprintf(person, sizeof person, "%s", harness_json_text(r, "id"));
    assert_string_equal(harness_json_text(r, "principalSubject"), subject);
    harness_http_response_free(&r);
    /* one principal, one person */
    r = harness_stack_send(&s_stack, "POST", "/v1/persons", body);
    harness_assert_problem(r, 409, "principalSubject");
    harness_http_response_free(&r);
    r = harness_stack_send(&s_stack, "POST", "/v1/committees",
                           "{\"name\":\"Fagråd for legevakt\",\"kind\":\"EXPERT_COUNCIL\"}");
    snprintf(committee, sizeof committee, "%s", harness_json_text(r, "id"));
    harness_http_response_free(&r);
    snprintf(path, sizeof path, "/v1/committees/%s/memberships", committee);
    snprintf(body, sizeof body,
             "{\"personId\":\"%s\",\"role\":\"MEMBER\",\"termFrom\":\"2024-01-01\"}", person);
    r = harness_stack_send(&s_stack, "POST", path, body);
    assert_int_equal(r->status, 201);
    harness_http_response_free(&r);
    snprintf(body, sizeof body,
             "{\"committeeId\":\"%s\",\"startTime\":\"2031-03-04T09:00:00+01:00\","
             "\"endTime\":\"2031-03-04T10:00:00+01:00\",\"place\":\"Legevakten\"}",
             committee);
    r = harness_stack_send(&s_stack, "POST", "/v1/meetings", body);
    snprintf(meeting, sizeof meeting, "%s", harness_json_text(r, "id"));
    harness_http_response_free(&r);
    snprintf(path, sizeof path, "/v1/meetings/%s/items", meeting);
    r = harness_stack_send(
        &s_stack, "POST", path,
        "{\"kind\":\"CASE\",\"title\":\"Klage på navngitt lege\",\"durationMin\":15,"
        "\"isExempt\":true,\"publicTitle\":\"Sak om personal\",\"exemptionBasis\":\"offl. § 13\"}");
    assert_int_equal(r->status, 200);
    /* the secretariat's administrator writing it sees it */
    assert_string_equal(s_first_title(r), "Klage på navngitt lege");
    harness_http_response_free(&r);
    snprintf(path, sizeof path, "/v1/meetings/%s/publish", meeting);
    r = harness_stack_send(&s_stack, "POST", path, NULL);
    assert_int_equal(r->status, 200);
    harness_http_response_free(&r);

    snprintf(url, sizeof url, "%s/v1/meetings/%s", s_stack.base_url, meeting);
    const char *member[] = {"Authorization: Bearer shk_member", NULL};
    const char *quality[] = {"Authorization: Bearer shk_quality", NULL};
    r = harness_http_request("GET", url, NULL, member);
    assert_int_equal(r->status, 200);
    assert_string_equal(s_first_title(r), "Klage på navngitt lege");
    harness_http_response_free(&r);
    r = harness_http_request("GET", url, NULL, quality);
    assert_int_equal(r->status, 200);
    assert_string_equal(s_first_title(r), "Sak om personal (unntatt offentlighet, offl. § 13)");
    harness_http_response_free(&r);
    r = harness_http_request("GET", url, NULL, NULL);
    assert_string_equal(s_first_title(r), "Sak om personal (unntatt offentlighet, offl. § 13)");
    harness_http_response_free(&r);
    /* the events every party reads never carry it */
    bool seen = false;
    for (int i = 0; i < 50 && !seen; i++) {
        r = harness_stack_get(&s_stack, "/v1/events?types=no.samhand.meeting.&limit=500");
        seen = r->body && strstr(r->body, meeting);
        if (seen)
            assert_null(strstr(r->body, "navngitt"));
        harness_http_response_free(&r);
        if (!seen)
            usleep(100 * 1000);
    }
    assert_true(seen);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_route),
        cmocka_unit_test(test_refusal_names_the_roles),
        cmocka_unit_test(test_me_lists_what_the_role_may_do),
        cmocka_unit_test(test_shared_request_id_never_crosses),
        cmocka_unit_test(test_webhooks_never_call_into_the_host),
        cmocka_unit_test(test_webhooks_never_call_the_hosts_own_addresses),
        cmocka_unit_test(test_security_headers),
        cmocka_unit_test(test_cors_for_the_configured_origins),
        cmocka_unit_test(test_rate_limit_per_credential),
        cmocka_unit_test(test_api_keys_through_the_api),
        cmocka_unit_test(test_exempt_content_for_members_only),
    };
    return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
