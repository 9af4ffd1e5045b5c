/* samhand-gateway: HTTP/JSON in front, protobuf over ZeroMQ behind. */
#include "gateway.h"
#include "gateway_openapi.h"
#include "samhand_curve.h"

#include <curl/curl.h>
#include "samhand_bus.h"
#include "samhand_config.h"
#include "samhand_log.h"

#include <czmq.h>
#include <signal.h>
#include <malloc.h>
#include <stdio.h>

static uv_timer_t s_drain_timer;
static int64_t s_drain_deadline_ms;

/* Stops once no request waits for a service any more, or at the deadline. */
static void s_on_drain_tick(uv_timer_t *timer)
{
    gateway_t *gateway = timer->data;
    /* a long-poll or stream the service holds ends with the gateway */
    if (gateway_bridge_owed(gateway->bridge) == 0 || bus_now_ms() >= s_drain_deadline_ms)
        uv_stop(gateway->loop);
}

/* Stops accepting at once; requests in flight get their answers first. */
static void s_on_signal(uv_signal_t *handle, int signum)
{
    gateway_t *gateway = handle->data;
    if (s_drain_deadline_ms) {
        uv_stop(gateway->loop); /* a second signal: now */
        return;
    }
    log_info("stopping on signal %d", signum);
    gateway_http_stop(gateway);
    s_drain_deadline_ms = bus_now_ms() + gateway->request_timeout_ms;
    s_drain_timer.data = gateway;
    uv_timer_start(&s_drain_timer, s_on_drain_tick, 0, 10);
}

/* `samhand-gateway healthcheck`, for a container's health check: the
 * running gateway's own /readyz (every service reachable with its database),
 * at the address the same environment configures. 0 on 200, else 1. */
static int s_healthcheck(const gateway_t *gateway)
{
    const char *host = gateway->listen_host;
    if (strcmp(host, "0.0.0.0") == 0 || strcmp(host, "::") == 0 || host[0] == '\0')
        host = "127.0.0.1";
    char url[300];
    snprintf(url, sizeof url, strchr(host, ':') ? "http://[%s]:%ld/readyz" : "http://%s:%ld/readyz",
             host, gateway->port);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    CURL *curl = curl_easy_init();
    long status = 0;
    FILE *sink = fopen("/dev/null", "w");
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 3000L);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, sink);
    CURLcode rc = curl_easy_perform(curl);
    if (rc == CURLE_OK)
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_cleanup(curl);
    if (sink)
        fclose(sink);
    if (rc != CURLE_OK)
        printf("gateway: %s: %s\n", url, curl_easy_strerror(rc));
    else
        printf("gateway: %s answered %ld\n", url, status);
    return status == 200 ? 0 : 1;
}

int main(int argc, char **argv)
{
    static gateway_t gateway;
    const char *admin_key_sha256 = NULL, *api_keys = NULL, *log_level = NULL;
    long rate = 0, burst = 0, allow_http_jwks = 0;
    gateway_oidc_config_t oidc = {0};
    gateway_web_login_t login = {0};
    const config_var_t vars[] = {
        {"SAMHAND_HTTP_HOST", CONFIG_STRING, "127.0.0.1", "address to listen on", 0, 0,
         &gateway.listen_host, NULL, NULL},
        {"SAMHAND_HTTP_PORT", CONFIG_INT, "8080", "TCP port to listen on", 1, 65535, NULL,
         &gateway.port, NULL},
        {"SAMHAND_AGENDA_ENDPOINT", CONFIG_ENDPOINT, "tcp://127.0.0.1:7101",
         "agenda service endpoint(s), one per replica, comma separated", 0, 0,
         &gateway.service_endpoints[0], NULL, NULL},
        {"SAMHAND_DEVIATION_ENDPOINT", CONFIG_ENDPOINT, "tcp://127.0.0.1:7102",
         "deviation service endpoint(s)", 0, 0, &gateway.service_endpoints[1], NULL, NULL},
        {"SAMHAND_NOTIFY_ENDPOINT", CONFIG_ENDPOINT, "tcp://127.0.0.1:7103",
         "notify service endpoint(s)", 0, 0, &gateway.service_endpoints[2], NULL, NULL},
        {"SAMHAND_ADMIN_KEY_SHA256", CONFIG_STRING, "",
         "SHA-256 (64 hex digits) of the administrator API key; empty: none", 0, 0,
         &admin_key_sha256, NULL, NULL},
        {"SAMHAND_API_KEYS", CONFIG_STRING, "",
         "integration keys: comma-separated <sha256 hex>:<organization id>:<role>+<role>", 0, 0,
         &api_keys, NULL, NULL},
        {"SAMHAND_MAX_BODY_BYTES", CONFIG_INT, "1048576", "largest request body accepted", 1024,
         16 * 1024 * 1024, NULL, &gateway.max_body_bytes, NULL},
        {"SAMHAND_MAX_UPLOAD_BYTES", CONFIG_INT, "16777216",
         "largest body of a request that carries a file (base64), e.g. an attachment", 1024,
         60 * 1024 * 1024, NULL, &gateway.max_upload_bytes, NULL},
        {"SAMHAND_REQUEST_TIMEOUT_MS", CONFIG_INT, "5000",
         "how long a request waits for its service before 504", 10, 600000, NULL,
         &gateway.request_timeout_ms, NULL},
        {"SAMHAND_QUEUE_MAX_AGE_SECONDS", CONFIG_INT, "300",
         "/readyz is unready when a queue's oldest item waits longer", 1, 86400 * 7, NULL,
         &gateway.queue_max_age_s, NULL},
        {"SAMHAND_READY_TIMEOUT_MS", CONFIG_INT, "1000",
         "how long /readyz waits for each service's health answer", 10, 60000, NULL,
         &gateway.ready_timeout_ms, NULL},
        {"SAMHAND_RATE_LIMIT", CONFIG_INT, "50",
         "requests a second per credential, sustained (429 beyond); 0: no limit", 0, 1000000, NULL,
         &rate, NULL},
        {"SAMHAND_RATE_BURST", CONFIG_INT, "200", "requests per credential at once", 1, 1000000,
         NULL, &burst, NULL},
        {"SAMHAND_CORS_ORIGINS", CONFIG_STRING, "",
         "origins whose web pages may call the API, comma separated "
         "(https://samhand.example.no); empty: none",
         0, 0, &gateway.cors_origins, NULL, NULL},
        {"SAMHAND_OIDC_ISSUER", CONFIG_STRING, "",
         "OpenID Connect issuer whose access tokens are accepted (iss), e.g. "
         "https://helseid-sts.nhn.no; empty: API keys only",
         0, 0, &oidc.issuer, NULL, NULL},
        {"SAMHAND_OIDC_AUDIENCE", CONFIG_STRING, "samhand-api", "the tokens' audience (aud)", 0, 0,
         &oidc.audience, NULL, NULL},
        {"SAMHAND_OIDC_JWKS", CONFIG_STRING, "",
         "the issuer's keys: a JWKS file, or its https:// URL (fetched at start, hourly, and for "
         "an unknown key; http:// is refused)",
         0, 0, &oidc.jwks, NULL, NULL},
        {"SAMHAND_OIDC_ALLOW_HTTP_JWKS", CONFIG_INT, "0",
         "1: a SAMHAND_OIDC_JWKS URL may be plain http:// (tests only: anyone on the way could "
         "hand the gateway keys of their own)",
         0, 1, NULL, &allow_http_jwks, NULL},
        {"SAMHAND_OIDC_ORG_CLAIM", CONFIG_STRING, "helseid://claims/client/claims/orgnr_parent",
         "the claim with the caller's organisation number", 0, 0, &oidc.org_claim, NULL, NULL},
        {"SAMHAND_OIDC_ROLES_CLAIM", CONFIG_STRING, "samhand_roles",
         "the claim with samhand's roles (an array, or a string separated by spaces)", 0, 0,
         &oidc.roles_claim, NULL, NULL},
        {"SAMHAND_OIDC_CLOCK_SKEW_SECONDS", CONFIG_INT, "60",
         "allowed difference of clocks on a token's expiry and not-before", 0, 600, NULL,
         &oidc.clock_skew_s, NULL},
        {"SAMHAND_OIDC_WEB_CLIENT_ID", CONFIG_STRING, "",
         "the client id the web pages sign in as (authorization code with PKCE, a public "
         "client; its redirect URI is the gateway's /); empty: the pages take API keys only",
         0, 0, &login.client_id, NULL, NULL},
        {"SAMHAND_OIDC_AUTHORIZATION_ENDPOINT", CONFIG_STRING, "",
         "where the pages send a user to sign in; empty: <issuer>/connect/authorize", 0, 0,
         &login.authorization_endpoint, NULL, NULL},
        {"SAMHAND_OIDC_TOKEN_ENDPOINT", CONFIG_STRING, "",
         "where the pages exchange the code for an access token; empty: <issuer>/connect/token", 0,
         0, &login.token_endpoint, NULL, NULL},
        {"SAMHAND_OIDC_WEB_SCOPE", CONFIG_STRING, "openid",
         "the scope the pages ask for (one that gives a token for SAMHAND_OIDC_AUDIENCE)", 0, 0,
         &login.scope, NULL, NULL},
        {"SAMHAND_OIDC_WEB_NAME", CONFIG_STRING, "HelseID",
         "the sign-in's name on the pages' button", 0, 0, &login.name, NULL, NULL},
        {"SAMHAND_WEB_DIR", CONFIG_STRING, "",
         "the web pages to serve at / (web/ of the source; `up` sets it); empty: none", 0, 0,
         &gateway.web_dir, NULL, NULL},
        {"SAMHAND_LOG_LEVEL", CONFIG_CHOICE, "info", "debug, info, warn or error", 0, 0, &log_level,
         NULL, config_log_levels},
    };
    /* `./samhand up` makes the bus's keys with this */
    if (argc == 2 && strcmp(argv[1], "--curve-keypair") == 0) {
        char public_txt[41], secret_txt[41];
        if (curve_keypair(public_txt, secret_txt) != 0)
            return 1;
        printf("%s %s\n", public_txt, secret_txt);
        return 0;
    }
    /* `healthcheck` reads the same environment as the gateway itself */
    bool healthcheck = argc == 2 && strcmp(argv[1], "healthcheck") == 0;
    int rc = config_load(vars, sizeof vars / sizeof vars[0], healthcheck ? 1 : argc, argv,
                         "samhand gateway: the HTTP/JSON API (/v1), health, metrics, OpenAPI.");
    if (rc != 0)
        return rc > 0 ? 0 : 2;
    if (healthcheck)
        return s_healthcheck(&gateway);
    log_level_t level;
    log_level_parse(log_level, &level); /* validated by config_load */
    char error[200];
    if (gateway_auth_init(&gateway.auth, admin_key_sha256, api_keys, error, sizeof error) != 0) {
        fprintf(stderr, "%s: %s\n", argv[0], error);
        return 2;
    }
    gateway_limit_init(&gateway.limit, (double)rate, (double)burst);
    if (gateway_web_load(&gateway.web, gateway.web_dir, error, sizeof error) != 0 ||
        gateway_web_login_init(&gateway.web, &login, oidc.issuer, error, sizeof error) != 0) {
        fprintf(stderr, "%s: %s\n", argv[0], error);
        return 2;
    }
    log_init("gateway");
    if (curve_init(false, error, sizeof error) != 0) {
        fprintf(stderr, "%s: %s\n", argv[0], error);
        return 2;
    }
    log_set_level(level);
    zsys_handler_set(NULL); /* libuv handles the signals here */
    zsys_init();
    signal(SIGPIPE, SIG_IGN);

    gateway.loop = uv_default_loop();
    gateway_bridge_service_t services[GATEWAY_SERVICES];
    for (int i = 0; i < GATEWAY_SERVICES; i++)
        services[i] =
            (gateway_bridge_service_t){gateway_service_names[i], gateway.service_endpoints[i]};
    gateway.bridge = gateway_bridge_new(gateway.loop, services, GATEWAY_SERVICES);
    gateway.keys = gateway_keys_new(gateway.loop, gateway.bridge);
    oidc.allow_http_jwks = allow_http_jwks == 1;
    /* libcurl (and with it OpenSSL's TLS) only for OpenID Connect's keys:
     * initialised, some 2 MB resident, only when an issuer is configured */
    if (oidc.issuer[0])
        curl_global_init(CURL_GLOBAL_DEFAULT);
    gateway.oidc = gateway_oidc_new(gateway.loop, gateway.bridge, &oidc, error, sizeof error);
    if (!gateway.oidc && oidc.issuer[0]) {
        fprintf(stderr, "%s: %s\n", argv[0], error);
        gateway_keys_destroy(&gateway.keys);
        gateway_bridge_destroy(&gateway.bridge);
        return 2;
    }
    gateway.metrics = metrics_new();
    gateway.openapi = gateway_openapi_render();
    if (gateway_http_start(&gateway) != 0)
        return 1;

    uv_timer_init(gateway.loop, &s_drain_timer);
    uv_signal_t sigint, sigterm;
    uv_signal_init(gateway.loop, &sigint);
    uv_signal_init(gateway.loop, &sigterm);
    sigint.data = sigterm.data = &gateway;
    uv_signal_start(&sigint, s_on_signal, SIGINT);
    uv_signal_start(&sigterm, s_on_signal, SIGTERM);

    /* what building the tables and the OpenAPI document freed goes back
     * to the system instead of staying resident in the heap */
    malloc_trim(0);
    uv_run(gateway.loop, UV_RUN_DEFAULT);

    uv_close((uv_handle_t *)&s_drain_timer, NULL);
    uv_close((uv_handle_t *)&sigint, NULL);
    uv_close((uv_handle_t *)&sigterm, NULL);
    gateway_oidc_destroy(&gateway.oidc);
    gateway_keys_destroy(&gateway.keys);
    gateway_bridge_destroy(&gateway.bridge);
    uv_run(gateway.loop, UV_RUN_NOWAIT);
    metrics_destroy(&gateway.metrics);
    gateway_web_clear(&gateway.web);
    free(gateway.openapi);
    return 0;
}
