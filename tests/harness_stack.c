/* The stack under test (see harness.h): free ports, the real binaries
 * started as child processes and stopped, a crashed service started again,
 * and the administrator's requests and fixtures against a stack. */
#include "harness.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* A port below the kernel's ephemeral range (32768-), where no outgoing
 * connection can take it between now and the service's bind; never the
 * same twice in one test program. */
int harness_free_port(void)
{
    static int given[64], n_given;
    static unsigned seed;
    if (!seed)
        seed = (unsigned)getpid() ^ (unsigned)time(NULL);
    for (int tries = 0; tries < 1000; tries++) {
        int port = 10000 + (int)(rand_r(&seed) % 22000);
        bool taken = false;
        for (int i = 0; i < n_given; i++)
            taken = taken || given[i] == port;
        if (taken)
            continue;
        /* test programs run side by side: a port is this process's while it
         * holds the port's lock (let go when it exits, however it ends) */
        char lock_path[64];
        snprintf(lock_path, sizeof lock_path, "/tmp/samhand-test-port-%d.lock", port);
        int lock = open(lock_path, O_CREAT | O_RDWR | O_CLOEXEC, 0666);
        if (lock < 0)
            continue;
        if (flock(lock, LOCK_EX | LOCK_NB) != 0) {
            close(lock);
            continue;
        }
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        int bound = bind(fd, (struct sockaddr *)&addr, sizeof addr) == 0;
        close(fd);
        if (!bound) {
            close(lock);
            continue;
        }
        if (n_given < (int)(sizeof given / sizeof given[0]))
            given[n_given++] = port;
        return port;
    }
    fprintf(stderr, "free port: none found\n");
    exit(1);
}

/* What harness_stop says of a process that did not stop cleanly: its
 * binary and its log (shared by the replicas of one binary in one test) */
static struct {
    pid_t pid;
    char binary[32];
    char log[512];
} s_spawned[64];

static void s_spawned_add(pid_t pid, const char *binary, const char *log)
{
    for (size_t i = 0; i < sizeof s_spawned / sizeof s_spawned[0]; i++)
        if (s_spawned[i].pid <= 0 || s_spawned[i].pid == pid) {
            s_spawned[i].pid = pid;
            snprintf(s_spawned[i].binary, sizeof s_spawned[i].binary, "%s", binary);
            snprintf(s_spawned[i].log, sizeof s_spawned[i].log, "%s", log);
            return;
        }
}

/* Why a stop failed, and the end of the process's log, on stderr: in CI's
 * output that is all there is of a service that hung or aborted. */
static void s_say_stop_failed(pid_t pid, const char *what, double seconds)
{
    size_t i = 0, n = sizeof s_spawned / sizeof s_spawned[0];
    while (i < n && s_spawned[i].pid != pid)
        i++;
    fprintf(stderr, "%s (pid %d): %s, %.1f s after SIGTERM\n", i < n ? s_spawned[i].binary : "?",
            (int)pid, what, seconds);
    FILE *log = i < n ? fopen(s_spawned[i].log, "r") : NULL;
    if (!log)
        return;
    /* the last 20 lines, each cut to 400 bytes */
    static char lines[20][400];
    char line[4096];
    size_t count = 0;
    while (fgets(line, sizeof line, log)) {
        char *keep = lines[count++ % 20];
        memcpy(keep, line, sizeof lines[0] - 1);
        keep[sizeof lines[0] - 1] = '\0';
    }
    fclose(log);
    fprintf(stderr, "the end of %s:\n", s_spawned[i].log);
    for (size_t k = count > 20 ? count - 20 : 0; k < count; k++) {
        const char *l = lines[k % 20];
        fprintf(stderr, "  %s%s", l, l[strlen(l) - 1] == '\n' ? "" : "\n");
    }
}

pid_t harness_spawn(const char *binary, const char *const *env)
{
    const char *dir = getenv("SAMHAND_BUILD_DIR");
    char path[512], log[512];
    snprintf(path, sizeof path, "%s/%s", dir && *dir ? dir : ".", binary);
    snprintf(log, sizeof log, "%s/Testing/%s-%d.log", dir && *dir ? dir : ".", binary,
             (int)getpid());
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid == 0) {
        /* a service ends with its test, even one killed by ctest's timeout:
         * it is told to stop when the test goes (no stack left behind to
         * reconnect for ever and weigh on what runs next) */
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (getppid() != parent)
            _exit(1);
        for (const char *const *e = env; e && *e; e++)
            putenv((char *)*e);
        /* a plain bus, unless the test brings CurveZMQ keys (test_curve) */
        setenv("SAMHAND_BUS_PLAIN", "1", 0);
        int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);
        if (fd >= 0) {
            dup2(fd, 2);
            close(fd);
        }
        execl(path, binary, (char *)NULL);
        fprintf(stderr, "cannot start %s: %s\n", path, strerror(errno));
        _exit(127);
    }
    if (pid > 0)
        s_spawned_add(pid, binary, log);
    return pid;
}

int harness_stop(pid_t pid)
{
    if (pid <= 0)
        return -1;
    struct timespec t0, t;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    kill(pid, SIGTERM);
    kill(pid, SIGCONT); /* one a test stopped (SIGSTOP) and did not let go */
    for (int i = 0; i < 100; i++) {
        int status;
        if (waitpid(pid, &status, WNOHANG) == pid) {
            clock_gettime(CLOCK_MONOTONIC, &t);
            double seconds = (double)(t.tv_sec - t0.tv_sec) + (t.tv_nsec - t0.tv_nsec) / 1e9;
            char what[64];
            if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
                return 0;
            if (WIFEXITED(status))
                snprintf(what, sizeof what, "exited with status %d", WEXITSTATUS(status));
            else
                snprintf(what, sizeof what, "ended by signal %d (%s)", WTERMSIG(status),
                         strsignal(WTERMSIG(status)));
            s_say_stop_failed(pid, what, seconds);
            return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        }
        usleep(50 * 1000);
    }
    s_say_stop_failed(pid, "still running; killed", 5.0);
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    return -1;
}

harness_http_response_t *harness_stack_get(harness_stack_t *stack, const char *path)
{
    return harness_stack_send(stack, "GET", path, NULL);
}

harness_http_response_t *harness_stack_send(harness_stack_t *stack, const char *method,
                                            const char *path, const char *json_body)
{
    char url[1024];
    snprintf(url, sizeof url, "%s%s", stack->base_url, path);
    const char *headers[] = {stack->auth_header, NULL};
    return harness_http_request(method, url, json_body, headers);
}

harness_http_response_t *harness_stack_await(harness_stack_t *stack, const char *path,
                                             const char *key, const char *value)
{
    harness_http_response_t *r = NULL;
    for (int i = 0; i < 100; i++) {
        harness_http_response_free(&r);
        r = harness_stack_get(stack, path);
        if (strcmp(harness_json_text(r, key), value) == 0)
            break;
        usleep(100 * 1000);
    }
    return r;
}

int harness_stack_forget_subscriptions(harness_stack_t *stack)
{
    harness_http_response_t *r = harness_stack_get(stack, "/v1/subscriptions?limit=500");
    json_t *items = r->status == 200 ? json_object_get(r->json, "items") : NULL;
    for (size_t i = 0; i < json_array_size(items); i++) {
        char path[128];
        snprintf(path, sizeof path, "/v1/subscriptions/%s",
                 json_string_value(json_object_get(json_array_get(items, i), "id")));
        harness_http_response_t *gone = harness_stack_send(stack, "DELETE", path, NULL);
        assert_true(gone->status == 200 || gone->status == 404);
        harness_http_response_free(&gone);
    }
    harness_http_response_free(&r);
    return 0;
}

void harness_stack_create(harness_stack_t *stack, const char *path, const char *body, char id[40])
{
    harness_http_response_t *r = harness_stack_send(stack, "POST", path, body);
    harness_expect_status(r, 201);
    if (id)
        snprintf(id, 40, "%s", harness_json_text(r, "id"));
    harness_http_response_free(&r);
}

void harness_stack_post(harness_stack_t *stack, const char *path, const char *body, char id[40])
{
    harness_http_response_t *r = harness_stack_send(stack, "POST", path, body);
    if (r->status != 201 && r->status != 200)
        fprintf(stderr, "%s: %s\n", path, r->body);
    assert_true(r->status == 201 || r->status == 200);
    if (id)
        snprintf(id, 40, "%s", harness_json_text(r, "id"));
    harness_http_response_free(&r);
}

void harness_stack_add_item(harness_stack_t *stack, const char *meeting, const char *body,
                            char id[40])
{
    char path[128];
    snprintf(path, sizeof path, "/v1/meetings/%s/items", meeting);
    harness_http_response_t *r = harness_stack_send(stack, "POST", path, body);
    harness_expect_status(r, 200);
    json_t *items = json_object_get(r->json, "items");
    const char *item_id =
        json_string_value(json_object_get(json_array_get(items, json_array_size(items) - 1), "id"));
    if (id)
        snprintf(id, 40, "%s", item_id ? item_id : "");
    harness_http_response_free(&r);
}

void harness_stack_publish(harness_stack_t *stack, const char *meeting)
{
    char path[128];
    snprintf(path, sizeof path, "/v1/meetings/%s/publish", meeting);
    harness_http_response_t *r = harness_stack_send(stack, "POST", path, NULL);
    harness_expect_status(r, 200);
    harness_http_response_free(&r);
}

void harness_api_key(const char *key, const char *organization_id, const char *roles, char *entry,
                     size_t size)
{
    unsigned char digest[32];
    unsigned int len;
    EVP_Digest(key, strlen(key), digest, &len, EVP_sha256(), NULL);
    char hex[65];
    for (int i = 0; i < 32; i++)
        sprintf(hex + 2 * i, "%02x", digest[i]);
    snprintf(entry, size, "%s:%s:%s", hex, organization_id, roles);
}

void harness_api_keys_set(const harness_key_t *keys, size_t n)
{
    char *all = calloc(n + 1, 320);
    size_t used = 0;
    for (size_t i = 0; i < n; i++) {
        char entry[300];
        harness_api_key(keys[i].key, keys[i].organization_id, keys[i].roles, entry, sizeof entry);
        used += (size_t)snprintf(all + used, (n + 1) * 320 - used, "%s%s", i ? "," : "", entry);
    }
    setenv("SAMHAND_API_KEYS", all, 1);
    free(all);
}

harness_http_response_t *harness_stack_send_as(harness_stack_t *stack, const char *key,
                                               const char *method, const char *path,
                                               const char *body)
{
    return harness_stack_send_with(stack, key, method, path, body, NULL);
}

harness_http_response_t *harness_stack_send_by(harness_stack_t *stack, const char *key,
                                               const char *method, const char *path,
                                               const char *body)
{
    if (key)
        return harness_stack_send_as(stack, key, method, path, body);
    char url[1024];
    snprintf(url, sizeof url, "%s%s", stack->base_url, path);
    return harness_http_request(method, url, body, NULL);
}

harness_http_response_t *harness_stack_send_with(harness_stack_t *stack, const char *key,
                                                 const char *method, const char *path,
                                                 const char *body, const char *extra)
{
    const char *extras[] = {extra, NULL};
    return harness_stack_send_headers(stack, key, method, path, body, extras);
}

harness_http_response_t *harness_stack_send_headers(harness_stack_t *stack, const char *key,
                                                    const char *method, const char *path,
                                                    const char *body, const char *const *extras)
{
    char url[1024], auth[200];
    snprintf(url, sizeof url, "%s%s", stack->base_url, path);
    if (key)
        snprintf(auth, sizeof auth, "Authorization: Bearer %s", key);
    else
        snprintf(auth, sizeof auth, "%s", stack->auth_header);
    const char *headers[8] = {auth};
    for (size_t i = 0; extras && extras[i] && i < 6; i++)
        headers[i + 1] = extras[i];
    return harness_http_request(method, url, body, headers);
}

void harness_stack_new_key(harness_stack_t *stack, const char *organization_id,
                           const char *roles_json, char key[128])
{
    char body[512];
    if (organization_id)
        snprintf(body, sizeof body, "{\"name\":\"test\",\"organizationId\":\"%s\",\"roles\":%s}",
                 organization_id, roles_json);
    else
        snprintf(body, sizeof body, "{\"name\":\"test\",\"roles\":%s}", roles_json);
    harness_http_response_t *r = harness_stack_send(stack, "POST", "/v1/api-keys", body);
    harness_expect_status(r, 201);
    snprintf(key, 128, "%s", harness_json_text(r, "key"));
    harness_http_response_free(&r);
}

void harness_stack_settings_etag(harness_stack_t *stack, const char *key, char etag[32])
{
    harness_http_response_t *r =
        harness_stack_send_with(stack, key, "GET", "/v1/settings/versions", NULL, NULL);
    harness_expect_status(r, 200);
    json_t *items = json_object_get(r->json, "items");
    json_t *newest = json_array_get(items, json_array_size(items) - 1);
    /* the ETag is the microseconds of updateTime, as every ETag of the API */
    const char *time_text = json_string_value(json_object_get(newest, "updateTime"));
    struct tm tm = {0};
    const char *rest = strptime(time_text, "%Y-%m-%dT%H:%M:%S", &tm);
    long long micros = (long long)timegm(&tm) * 1000000;
    if (rest && *rest == '.') {
        long scale = 100000;
        for (rest++; *rest >= '0' && *rest <= '9'; rest++, scale /= 10)
            micros += (*rest - '0') * scale;
    }
    snprintf(etag, 32, "\"%lld\"", micros);
    harness_http_response_free(&r);
}

static void s_make_key(harness_stack_t *stack, char hash_hex[65])
{
    unsigned char bytes[16], digest[32];
    FILE *f = fopen("/dev/urandom", "rb");
    if (!f || fread(bytes, 1, sizeof bytes, f) != sizeof bytes)
        exit(1);
    fclose(f);
    char *p = stack->admin_key + sprintf(stack->admin_key, "shk_");
    for (int i = 0; i < 16; i++)
        p += sprintf(p, "%02x", bytes[i]);
    unsigned int len;
    EVP_Digest(stack->admin_key, strlen(stack->admin_key), digest, &len, EVP_sha256(), NULL);
    for (int i = 0; i < 32; i++)
        sprintf(hash_hex + 2 * i, "%02x", digest[i]);
    snprintf(stack->auth_header, sizeof stack->auth_header, "Authorization: Bearer %s",
             stack->admin_key);
}

/* The stack's environment, kept so a crashed service can come back with
 * the same one. */
static char (*s_env)[700];
static char s_database_url[512];

/* Spawns service `i` of harness_services with the stack's environment; the
 * database URL names the service's own role. */
static pid_t s_spawn_service(int i)
{
    snprintf(s_env[0], 700, "SAMHAND_DATABASE_URL=%s%cuser=%s", s_database_url,
             strchr(s_database_url, '?') ? '&' : '?', harness_services[i]);
    const char *all[] = {s_env[0], s_env[1], s_env[2], s_env[3], s_env[4], s_env[5],
                         s_env[6], s_env[7], s_env[8], s_env[9], NULL};
    char binary[64];
    snprintf(binary, sizeof binary, "samhand-%s", harness_services[i]);
    return harness_spawn(binary, all);
}

long harness_org_number(long base)
{
    static const int weights[] = {3, 2, 7, 6, 5, 4, 3, 2};
    char digits[16];
    snprintf(digits, sizeof digits, "%08ld", base);
    int sum = 0;
    for (int i = 0; i < 8; i++)
        sum += (digits[i] - '0') * weights[i];
    int check = 11 - sum % 11;
    if (check == 10)
        return 0;
    return base * 10 + (check == 11 ? 0 : check);
}

pid_t harness_stack_spawn_replica(harness_stack_t *stack, const char *service, char router[64])
{
    int i = 0;
    while (i < 3 && strcmp(harness_services[i], service) != 0)
        i++;
    if (i == 3)
        fail_msg("no service %s", service);
    char upper[16], own_router[100], own_events[100];
    for (size_t j = 0; j <= strlen(service) && j < sizeof upper; j++)
        upper[j] = (char)toupper((unsigned char)service[j]);
    snprintf(router, 64, "tcp://127.0.0.1:%d", harness_free_port());
    snprintf(own_router, sizeof own_router, "SAMHAND_%s_ENDPOINT=%s", upper, router);
    snprintf(own_events, sizeof own_events, "SAMHAND_%s_EVENTS_ENDPOINT=tcp://127.0.0.1:%d", upper,
             harness_free_port());
    snprintf(s_env[0], 700, "SAMHAND_DATABASE_URL=%s%cuser=%s", s_database_url,
             strchr(s_database_url, '?') ? '&' : '?', service);
    /* the later of two entries of a name is the one the process sees */
    const char *all[] = {s_env[0], s_env[1], s_env[2], s_env[3],   s_env[4],   s_env[5], s_env[6],
                         s_env[7], s_env[8], s_env[9], own_router, own_events, NULL};
    char binary[64];
    snprintf(binary, sizeof binary, "samhand-%s", service);
    return harness_spawn(binary, all);
}

void harness_stack_crash(harness_stack_t *stack, const char *service)
{
    pid_t *pids[] = {&stack->agenda, &stack->deviation, &stack->notify};
    for (int i = 0; i < 3; i++) {
        if (strcmp(harness_services[i], service) != 0)
            continue;
        kill(*pids[i], SIGKILL);
        waitpid(*pids[i], NULL, 0);
        *pids[i] = s_spawn_service(i);
        return;
    }
    fail_msg("no service %s", service);
}

void harness_stack_start(harness_stack_t *stack, const char *database_url)
{
    memset(stack, 0, sizeof *stack);
    /* tests send bursts with one key; a test of the limit sets its own */
    setenv("SAMHAND_RATE_LIMIT", "0", 0);
    /* the tests' webhook receivers listen on 127.0.0.1 */
    setenv("SAMHAND_WEBHOOK_ALLOW_LOOPBACK", "1", 0);
    /* what seals webhook secrets at rest; a test of the key sets its own */
    setenv("SAMHAND_SECRET_KEY", HARNESS_SECRET_KEY, 0);
    char hash[65];
    s_make_key(stack, hash);
    stack->http_port = harness_free_port();
    snprintf(stack->base_url, sizeof stack->base_url, "http://127.0.0.1:%d", stack->http_port);
    snprintf(stack->agenda_endpoint, 64, "tcp://127.0.0.1:%d", harness_free_port());
    snprintf(stack->deviation_endpoint, 64, "tcp://127.0.0.1:%d", harness_free_port());
    snprintf(stack->notify_endpoint, 64, "tcp://127.0.0.1:%d", harness_free_port());

    static char env[12][700];
    s_env = env;
    snprintf(env[1], sizeof env[1], "SAMHAND_AGENDA_ENDPOINT=%s", stack->agenda_endpoint);
    snprintf(env[2], sizeof env[2], "SAMHAND_DEVIATION_ENDPOINT=%s", stack->deviation_endpoint);
    snprintf(env[3], sizeof env[3], "SAMHAND_NOTIFY_ENDPOINT=%s", stack->notify_endpoint);
    snprintf(env[4], sizeof env[4], "SAMHAND_HTTP_PORT=%d", stack->http_port);
    snprintf(env[5], sizeof env[5], "SAMHAND_ADMIN_KEY_SHA256=%s", hash);
    /* few, to keep the shared PostgreSQL small, unless a test sets them */
    const char *connections = getenv("SAMHAND_DB_CONNECTIONS");
    snprintf(env[6], sizeof env[6], "SAMHAND_DB_CONNECTIONS=%s",
             connections && *connections ? connections : "2");
    snprintf(env[7], sizeof env[7], "SAMHAND_AGENDA_EVENTS_ENDPOINT=tcp://127.0.0.1:%d",
             harness_free_port());
    snprintf(env[8], sizeof env[8], "SAMHAND_DEVIATION_EVENTS_ENDPOINT=tcp://127.0.0.1:%d",
             harness_free_port());
    snprintf(env[9], sizeof env[9], "SAMHAND_NOTIFY_EVENTS_ENDPOINT=tcp://127.0.0.1:%d",
             harness_free_port());
    snprintf(s_database_url, sizeof s_database_url, "%s", database_url);
    pid_t *pids[] = {&stack->agenda, &stack->deviation, &stack->notify};
    for (int i = 0; i < 3; i++)
        *pids[i] = s_spawn_service(i);
    const char *all[] = {env[0], env[1], env[2], env[3], env[4], env[5],
                         env[6], env[7], env[8], env[9], NULL};
    snprintf(env[0], sizeof env[0], "SAMHAND_LOG_LEVEL=info");
    stack->gateway = harness_spawn("samhand-gateway", all);
    harness_stack_wait_ready(stack);
}

void harness_stack_wait_ready(harness_stack_t *stack)
{
    char url[128];
    snprintf(url, sizeof url, "%s/readyz", stack->base_url);
    for (int i = 0; i < 300; i++) {
        harness_http_response_t *r = harness_http_request("GET", url, NULL, NULL);
        long status = r->status;
        harness_http_response_free(&r);
        if (status == 200)
            return;
        usleep(100 * 1000);
    }
    fprintf(stderr, "the stack did not become ready; see %s/Testing/*.log\n",
            getenv("SAMHAND_BUILD_DIR"));
    harness_stack_stop(stack);
    fail();
}

void harness_stack_stop(harness_stack_t *stack)
{
    /* A clean exit is part of the contract: a crash, a sanitizer report or
     * a leak makes the exit status non-zero and fails the test. */
    int gateway = harness_stop(stack->gateway);
    int agenda = harness_stop(stack->agenda);
    int deviation = harness_stop(stack->deviation);
    int notify = harness_stop(stack->notify);
    stack->gateway = stack->agenda = stack->deviation = stack->notify = 0;
    if (gateway || agenda || deviation || notify)
        fprintf(
            stderr,
            "exit status: gateway %d, agenda %d, deviation %d, notify %d; see %s/Testing/*.log\n",
            gateway, agenda, deviation, notify, getenv("SAMHAND_BUILD_DIR"));
    assert_int_equal(gateway, 0);
    assert_int_equal(agenda, 0);
    assert_int_equal(deviation, 0);
    assert_int_equal(notify, 0);
}
