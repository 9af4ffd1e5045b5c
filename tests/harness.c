/* See harness.h. */
#include "harness.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char s_url[512];
static const char *s_services[] = {"agenda", "deviation", "notify"};

static void s_exec(PGconn *conn, const char *sql)
{
    PGresult *res = PQexec(conn, sql);
    if (PQresultStatus(res) != PGRES_COMMAND_OK) {
        fprintf(stderr, "test database set-up failed: %s: %s", sql, PQerrorMessage(conn));
        exit(1);
    }
    PQclear(res);
}

/* Each service gets its own role, owning its schema and nothing else, as in
 * production: a service that reached into another's tables would fail. */
static void s_prepare_roles(const char *url)
{
    PGconn *conn = PQconnectdb(url);
    for (int i = 0; i < 3; i++) {
        char sql[300];
        snprintf(sql, sizeof sql,
                 "DO $$ BEGIN CREATE ROLE %s LOGIN; EXCEPTION WHEN duplicate_object OR "
                 "unique_violation THEN NULL; END $$",
                 s_services[i]);
        s_exec(conn, sql);
        snprintf(sql, sizeof sql, "CREATE SCHEMA %s AUTHORIZATION %s", s_services[i],
                 s_services[i]);
        s_exec(conn, sql);
    }
    PQfinish(conn);
}

const char *harness_service_url(const char *service)
{
    static char urls[3][600];
    for (int i = 0; i < 3; i++) {
        if (strcmp(service, s_services[i]) == 0) {
            snprintf(urls[i], sizeof urls[i], "%s%cuser=%s", s_url, strchr(s_url, '?') ? '&' : '?',
                     service);
            return urls[i];
        }
    }
    return s_url;
}

const char *harness_database_url(void)
{
    const char *base = getenv("SAMHAND_TEST_DATABASE_URL");
    if (!base || !*base) {
        fprintf(stderr,
                "SAMHAND_TEST_DATABASE_URL is not set: run the suite with ./samhand test\n");
        exit(1);
    }
    PGconn *conn = PQconnectdb(base);
    if (PQstatus(conn) != CONNECTION_OK) {
        fprintf(stderr, "cannot reach the test PostgreSQL: %s", PQerrorMessage(conn));
        exit(1);
    }
    char name[64], sql[128];
    snprintf(name, sizeof name, "t_%d_%ld", (int)getpid(), (long)time(NULL));
    snprintf(sql, sizeof sql, "CREATE DATABASE %s", name);
    PGresult *res = PQexec(conn, sql);
    if (PQresultStatus(res) != PGRES_COMMAND_OK) {
        fprintf(stderr, "cannot create test database: %s", PQerrorMessage(conn));
        exit(1);
    }
    PQclear(res);
    PQfinish(conn);
    /* replace the database name: the URL ends in /<dbname> */
    const char *slash = strrchr(base, '/');
    snprintf(s_url, sizeof s_url, "%.*s/%s", (int)(slash - base), base, name);
    s_prepare_roles(s_url);
    return s_url;
}

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

pid_t harness_spawn(const char *binary, const char *const *env)
{
    const char *dir = getenv("SAMHAND_BUILD_DIR");
    char path[512], log[512];
    snprintf(path, sizeof path, "%s/%s", dir && *dir ? dir : ".", binary);
    snprintf(log, sizeof log, "%s/Testing/%s-%d.log", dir && *dir ? dir : ".", binary,
             (int)getpid());
    pid_t pid = fork();
    if (pid == 0) {
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
    return pid;
}

int harness_stop(pid_t pid)
{
    if (pid <= 0)
        return -1;
    kill(pid, SIGTERM);
    for (int i = 0; i < 100; i++) {
        int status;
        if (waitpid(pid, &status, WNOHANG) == pid)
            return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        usleep(50 * 1000);
    }
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    return -1;
}

static size_t s_collect(char *data, size_t size, size_t n, void *userdata)
{
    http_response_t *r = userdata;
    size_t old = r->body_len;
    r->body = realloc(r->body, old + size * n + 1);
    memcpy(r->body + old, data, size * n);
    r->body_len += size * n;
    r->body[r->body_len] = '\0';
    return size * n;
}

static size_t s_collect_header(char *data, size_t size, size_t n, void *arg)
{
    char **headers = arg;
    size_t old = *headers ? strlen(*headers) : 0;
    *headers = realloc(*headers, old + size * n + 1);
    memcpy(*headers + old, data, size * n);
    (*headers)[old + size * n] = '\0';
    return size * n;
}

char *http_body_through(const http_response_t *response, const char *command, int *status)
{
    char file[] = "/tmp/samhand-body-XXXXXX";
    int fd = mkstemp(file);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, response->body, response->body_len), (ssize_t)response->body_len);
    close(fd);
    char line[1024];
    snprintf(line, sizeof line, command, file);
    FILE *p = popen(line, "r");
    assert_non_null(p);
    char *out = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&out, &len);
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, p)) > 0)
        fwrite(chunk, 1, n, mem);
    fclose(mem);
    int rc = pclose(p);
    *status = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
    unlink(file);
    return out;
}

const char *http_header(const http_response_t *response, const char *name, char *out, size_t size)
{
    out[0] = '\0';
    size_t len = strlen(name);
    for (const char *line = response->headers; line && *line;) {
        const char *end = strstr(line, "\r\n");
        if (!end)
            break;
        if (strncasecmp(line, name, len) == 0 && line[len] == ':') {
            const char *value = line + len + 1;
            while (*value == ' ')
                value++;
            snprintf(out, size, "%.*s", (int)(end - value), value);
            break;
        }
        line = end + 2;
    }
    return out;
}

http_response_t *http_request(const char *method, const char *url, const char *body,
                              const char *const *headers)
{
    http_response_t *r = calloc(1, sizeof *r);
    CURL *curl = curl_easy_init();
    struct curl_slist *list = NULL;
    int typed = 0;
    for (const char *const *h = headers; h && *h; h++) {
        list = curl_slist_append(list, *h);
        typed |= strncasecmp(*h, "Content-Type:", 13) == 0;
    }
    if (body && !typed)
        list = curl_slist_append(list, "Content-Type: application/json");
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 20000L);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, s_collect);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, s_collect_header);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, &r->headers);
    if (body) {
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
    }
    if (curl_easy_perform(curl) == CURLE_OK) {
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &r->status);
        char *ct = NULL;
        curl_easy_getinfo(curl, CURLINFO_CONTENT_TYPE, &ct);
        snprintf(r->content_type, sizeof r->content_type, "%s", ct ? ct : "");
        struct curl_header *location = NULL;
        if (curl_easy_header(curl, "Location", 0, CURLH_HEADER, -1, &location) == CURLHE_OK)
            snprintf(r->location, sizeof r->location, "%s", location->value);
    }
    if (!r->body)
        r->body = strdup("");
    r->json = json_loads(r->body, 0, NULL);
    curl_slist_free_all(list);
    curl_easy_cleanup(curl);
    return r;
}

void http_response_free(http_response_t **response_p)
{
    if (!response_p || !*response_p)
        return;
    json_decref((*response_p)->json);
    free((*response_p)->body);
    free((*response_p)->headers);
    free(*response_p);
    *response_p = NULL;
}

http_response_t *stack_get(harness_stack_t *stack, const char *path)
{
    return stack_send(stack, "GET", path, NULL);
}

http_response_t *stack_send(harness_stack_t *stack, const char *method, const char *path,
                            const char *json_body)
{
    char url[1024];
    snprintf(url, sizeof url, "%s%s", stack->base_url, path);
    const char *headers[] = {stack->auth_header, NULL};
    return http_request(method, url, json_body, headers);
}

http_response_t *stack_await(harness_stack_t *stack, const char *path, const char *key,
                             const char *value)
{
    http_response_t *r = NULL;
    for (int i = 0; i < 100; i++) {
        http_response_free(&r);
        r = stack_get(stack, path);
        if (strcmp(json_text(r, key), value) == 0)
            break;
        usleep(100 * 1000);
    }
    return r;
}

void expect_status(http_response_t *response, long status)
{
    if (response->status != status)
        fprintf(stderr, "expected %ld, got %ld: %s\n", status, response->status, response->body);
    assert_int_equal(response->status, status);
}

void assert_problem(http_response_t *response, long status, const char *field)
{
    if (response->status != status)
        fprintf(stderr, "expected %ld, got %ld: %s\n", status, response->status, response->body);
    assert_int_equal(response->status, status);
    assert_string_equal(response->content_type, "application/problem+json");
    assert_non_null(response->json);
    assert_int_equal(json_integer_value(json_object_get(response->json, "status")), status);
    assert_true(json_is_string(json_object_get(response->json, "detail")));
    if (field) {
        json_t *errors = json_object_get(response->json, "errors");
        const char *named = json_string_value(json_object_get(json_array_get(errors, 0), "field"));
        if (!named || strcmp(named, field) != 0)
            fprintf(stderr, "expected field %s: %s\n", field, response->body);
        assert_non_null(named);
        assert_string_equal(named, field);
    }
}

int stack_forget_subscriptions(harness_stack_t *stack)
{
    http_response_t *r = stack_get(stack, "/v1/subscriptions?limit=500");
    json_t *items = r->status == 200 ? json_object_get(r->json, "items") : NULL;
    for (size_t i = 0; i < json_array_size(items); i++) {
        char path[128];
        snprintf(path, sizeof path, "/v1/subscriptions/%s",
                 json_string_value(json_object_get(json_array_get(items, i), "id")));
        http_response_t *gone = stack_send(stack, "DELETE", path, NULL);
        assert_true(gone->status == 200 || gone->status == 404);
        http_response_free(&gone);
    }
    http_response_free(&r);
    return 0;
}

const char *json_text(http_response_t *response, const char *key)
{
    const char *text = json_string_value(json_object_get(response->json, key));
    return text ? text : "";
}

void stack_create(harness_stack_t *stack, const char *path, const char *body, char id[40])
{
    http_response_t *r = stack_send(stack, "POST", path, body);
    expect_status(r, 201);
    if (id)
        snprintf(id, 40, "%s", json_text(r, "id"));
    http_response_free(&r);
}

void stack_add_item(harness_stack_t *stack, const char *meeting, const char *body, char id[40])
{
    char path[128];
    snprintf(path, sizeof path, "/v1/meetings/%s/items", meeting);
    http_response_t *r = stack_send(stack, "POST", path, body);
    expect_status(r, 200);
    json_t *items = json_object_get(r->json, "items");
    const char *item_id =
        json_string_value(json_object_get(json_array_get(items, json_array_size(items) - 1), "id"));
    if (id)
        snprintf(id, 40, "%s", item_id ? item_id : "");
    http_response_free(&r);
}

void stack_publish(harness_stack_t *stack, const char *meeting)
{
    char path[128];
    snprintf(path, sizeof path, "/v1/meetings/%s/publish", meeting);
    http_response_t *r = stack_send(stack, "POST", path, NULL);
    expect_status(r, 200);
    http_response_free(&r);
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

/* Spawns service `i` of s_services with the stack's environment; the
 * database URL names the service's own role. */
static pid_t s_spawn_service(int i)
{
    snprintf(s_env[0], 700, "SAMHAND_DATABASE_URL=%s%cuser=%s", s_database_url,
             strchr(s_database_url, '?') ? '&' : '?', s_services[i]);
    const char *all[] = {s_env[0], s_env[1], s_env[2], s_env[3], s_env[4], s_env[5],
                         s_env[6], s_env[7], s_env[8], s_env[9], NULL};
    char binary[64];
    snprintf(binary, sizeof binary, "samhand-%s", s_services[i]);
    return harness_spawn(binary, all);
}

void harness_stack_crash(harness_stack_t *stack, const char *service)
{
    pid_t *pids[] = {&stack->agenda, &stack->deviation, &stack->notify};
    for (int i = 0; i < 3; i++) {
        if (strcmp(s_services[i], service) != 0)
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
        http_response_t *r = http_request("GET", url, NULL, NULL);
        long status = r->status;
        http_response_free(&r);
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

/* ------------------------------------------------------------ receiver */

#include <pthread.h>
#include <poll.h>

#define RECEIVER_MAX 8192
#define HANDSHAKES_KEPT 64
#define HELD_MAX 64

struct harness_receiver {
    int fd, port;
    char url[64];
    int statuses[32];
    size_t n_statuses;
    int then;
    int handshake_status; /* what a handshake gets, whatever `statuses` say */
    pthread_t thread;
    pthread_mutex_t lock;
    volatile int stop;
    size_t n, n_handshakes;
    char *heads[RECEIVER_MAX];
    char *bodies[RECEIVER_MAX];
    /* the first HANDSHAKES_KEPT handshakes, apart from the events */
    char *handshake_heads[HANDSHAKES_KEPT];
    char *handshake_bodies[HANDSHAKES_KEPT];
    /* connections answered HARNESS_HANG: held open, never answered */
    int held[HELD_MAX];
    size_t n_held;
};

/* Answers `status` on `conn` and closes it; HARNESS_HANG holds it open
 * instead, without a byte of answer, until the receiver stops. */
static void s_answer(harness_receiver_t *r, int conn, int status)
{
    if (status == HARNESS_HANG && r->n_held < HELD_MAX) {
        r->held[r->n_held++] = conn;
        return;
    }
    char answer[160];
    int n = snprintf(answer, sizeof answer,
                     "HTTP/1.1 %d X\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok", status);
    if (send(conn, answer, (size_t)n, MSG_NOSIGNAL) < 0) {
        /* the sender gave up: nothing to answer */
    }
    close(conn);
}

static void s_serve(harness_receiver_t *r, int conn)
{
    char buf[65536];
    size_t used = 0;
    char *end = NULL;
    while (!end && used < sizeof buf - 1) {
        ssize_t got = recv(conn, buf + used, sizeof buf - 1 - used, 0);
        if (got <= 0)
            break;
        used += (size_t)got;
        buf[used] = '\0';
        end = strstr(buf, "\r\n\r\n");
    }
    if (!end) {
        close(conn);
        return;
    }
    size_t head_len = (size_t)(end - buf) + 4;
    size_t length = 0;
    for (char *p = buf; p < end; p = strstr(p, "\r\n") + 2)
        if (strncasecmp(p, "content-length:", 15) == 0)
            length = strtoul(p + 15, NULL, 10);
    char *body = malloc(length + 1);
    size_t have = used - head_len < length ? used - head_len : length;
    memcpy(body, buf + head_len, have);
    while (have < length) {
        ssize_t got = recv(conn, body + have, length - have, 0);
        if (got <= 0)
            break;
        have += (size_t)got;
    }
    body[have] = '\0';
    pthread_mutex_lock(&r->lock);
    /* a new URL's handshake is answered as a receiver that wants the
     * events would, and counted apart from the events */
    if (strstr(body, "\"type\":\"no.samhand.subscription.handshake\"")) {
        int status = r->handshake_status;
        if (r->n_handshakes < HANDSHAKES_KEPT) {
            r->handshake_heads[r->n_handshakes] = strndup(buf, head_len);
            r->handshake_bodies[r->n_handshakes] = body;
        } else {
            free(body);
        }
        r->n_handshakes++;
        pthread_mutex_unlock(&r->lock);
        s_answer(r, conn, status);
        return;
    }
    size_t i = r->n;
    int status = i < r->n_statuses ? r->statuses[i] : r->then;
    if (status == 0) { /* an endpoint that hangs a while, then answers */
        pthread_mutex_unlock(&r->lock);
        sleep(4);
        pthread_mutex_lock(&r->lock);
        status = 204;
    }
    if (i < RECEIVER_MAX) {
        r->heads[i] = strndup(buf, head_len);
        r->bodies[i] = body;
        r->n++;
    } else {
        free(body);
    }
    pthread_mutex_unlock(&r->lock);
    s_answer(r, conn, status);
}

static void *s_receiver_main(void *arg)
{
    harness_receiver_t *r = arg;
    while (!r->stop) {
        struct pollfd p = {.fd = r->fd, .events = POLLIN};
        if (poll(&p, 1, 100) <= 0)
            continue;
        int conn = accept(r->fd, NULL, NULL);
        if (conn < 0)
            continue;
        s_serve(r, conn); /* closes it, or holds it */
    }
    for (size_t i = 0; i < r->n_held; i++)
        close(r->held[i]);
    return NULL;
}

harness_receiver_t *harness_receiver_start(const int *statuses, size_t n, int then)
{
    harness_receiver_t *r = calloc(1, sizeof *r);
    r->fd = socket(AF_INET, SOCK_STREAM, 0);
    int yes = 1;
    setsockopt(r->fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = 0};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (bind(r->fd, (struct sockaddr *)&addr, sizeof addr) != 0 || listen(r->fd, 64) != 0 ||
        getsockname(r->fd, (struct sockaddr *)&addr, &len) != 0) {
        perror("receiver");
        exit(1);
    }
    r->port = ntohs(addr.sin_port);
    snprintf(r->url, sizeof r->url, "http://127.0.0.1:%d/hook", r->port);
    r->n_statuses = n < 32 ? n : 32;
    if (r->n_statuses)
        memcpy(r->statuses, statuses, r->n_statuses * sizeof *statuses);
    r->then = then;
    r->handshake_status = 204;
    pthread_mutex_init(&r->lock, NULL);
    pthread_create(&r->thread, NULL, s_receiver_main, r);
    return r;
}

const char *harness_receiver_url(harness_receiver_t *r)
{
    return r->url;
}

void harness_receiver_handshake_status(harness_receiver_t *r, int status)
{
    pthread_mutex_lock(&r->lock);
    r->handshake_status = status;
    pthread_mutex_unlock(&r->lock);
}

size_t harness_receiver_handshakes(harness_receiver_t *r)
{
    pthread_mutex_lock(&r->lock);
    size_t n = r->n_handshakes;
    pthread_mutex_unlock(&r->lock);
    return n;
}

size_t harness_receiver_wait(harness_receiver_t *r, size_t n, int timeout_ms)
{
    for (int waited = 0;; waited += 20) {
        pthread_mutex_lock(&r->lock);
        size_t have = r->n;
        pthread_mutex_unlock(&r->lock);
        if (have >= n || waited >= timeout_ms)
            return have;
        usleep(20 * 1000);
    }
}

/* The value of header `name` in `head` (a request's line and headers),
 * in a buffer of the thread's, or NULL. */
static const char *s_head_value(const char *head, const char *name)
{
    static _Thread_local char value[512];
    size_t len = strlen(name);
    for (const char *p = head ? strstr(head, "\r\n") : NULL; p && p[2]; p = strstr(p + 2, "\r\n")) {
        const char *line = p + 2;
        if (strncasecmp(line, name, len) == 0 && line[len] == ':') {
            const char *v = line + len + 1;
            while (*v == ' ')
                v++;
            size_t vlen = strcspn(v, "\r");
            snprintf(value, sizeof value, "%.*s", (int)vlen, v);
            return value;
        }
    }
    return NULL;
}

const char *harness_receiver_header(harness_receiver_t *r, size_t i, const char *name)
{
    pthread_mutex_lock(&r->lock);
    const char *head = i < r->n ? r->heads[i] : NULL;
    pthread_mutex_unlock(&r->lock);
    return s_head_value(head, name);
}

const char *harness_receiver_body(harness_receiver_t *r, size_t i)
{
    pthread_mutex_lock(&r->lock);
    const char *body = i < r->n ? r->bodies[i] : NULL;
    pthread_mutex_unlock(&r->lock);
    return body;
}

const char *harness_receiver_head(harness_receiver_t *r, size_t i)
{
    pthread_mutex_lock(&r->lock);
    const char *head = i < r->n ? r->heads[i] : NULL;
    pthread_mutex_unlock(&r->lock);
    return head;
}

void harness_receiver_stop(harness_receiver_t **r_p)
{
    if (!r_p || !*r_p)
        return;
    harness_receiver_t *r = *r_p;
    r->stop = 1;
    pthread_join(r->thread, NULL);
    close(r->fd);
    for (size_t i = 0; i < r->n; i++) {
        free(r->heads[i]);
        free(r->bodies[i]);
    }
    for (size_t i = 0; i < r->n_handshakes && i < HANDSHAKES_KEPT; i++) {
        free(r->handshake_heads[i]);
        free(r->handshake_bodies[i]);
    }
    pthread_mutex_destroy(&r->lock);
    free(r);
    *r_p = NULL;
}

/* ---------------------------------------------------------------- smtp */

#define SMTP_MAX 128

struct harness_smtp {
    int fd;
    char url[64];
    pthread_t thread;
    pthread_mutex_t lock;
    volatile int stop;
    size_t n;
    char *rcpt[SMTP_MAX];
    char *message[SMTP_MAX];
};

/* Reads one CRLF-terminated line into `line`; 0 at the end. */
static int s_line(int conn, char *line, size_t size)
{
    size_t n = 0;
    while (n + 1 < size) {
        char c;
        if (recv(conn, &c, 1, 0) != 1)
            return 0;
        line[n++] = c;
        if (c == '\n')
            break;
    }
    line[n] = '\0';
    return 1;
}

static void s_say(int conn, const char *text)
{
    if (send(conn, text, strlen(text), MSG_NOSIGNAL) < 0)
        return;
}

static void s_smtp_session(harness_smtp_t *s, int conn)
{
    char line[4096], rcpt[512] = "";
    s_say(conn, "220 test ESMTP\r\n");
    while (s_line(conn, line, sizeof line)) {
        if (strncasecmp(line, "EHLO", 4) == 0 || strncasecmp(line, "HELO", 4) == 0) {
            s_say(conn, "250 test\r\n");
        } else if (strncasecmp(line, "RCPT TO:", 8) == 0) {
            snprintf(rcpt, sizeof rcpt, "%.500s", line + 8);
            rcpt[strcspn(rcpt, "\r\n")] = '\0';
            s_say(conn, "250 OK\r\n");
        } else if (strncasecmp(line, "DATA", 4) == 0) {
            s_say(conn, "354 go on\r\n");
            char *message = NULL;
            size_t len = 0;
            FILE *out = open_memstream(&message, &len);
            while (s_line(conn, line, sizeof line) && strcmp(line, ".\r\n") != 0)
                fputs(line[0] == '.' ? line + 1 : line, out);
            fclose(out);
            pthread_mutex_lock(&s->lock);
            if (s->n < SMTP_MAX) {
                s->rcpt[s->n] = strdup(rcpt);
                s->message[s->n] = message;
                s->n++;
            } else {
                free(message);
            }
            pthread_mutex_unlock(&s->lock);
            s_say(conn, "250 OK queued\r\n");
        } else if (strncasecmp(line, "QUIT", 4) == 0) {
            s_say(conn, "221 bye\r\n");
            return;
        } else {
            s_say(conn, "250 OK\r\n"); /* MAIL FROM, RSET, NOOP */
        }
    }
}

static void *s_smtp_main(void *arg)
{
    harness_smtp_t *s = arg;
    while (!s->stop) {
        struct pollfd p = {.fd = s->fd, .events = POLLIN};
        if (poll(&p, 1, 100) <= 0)
            continue;
        int conn = accept(s->fd, NULL, NULL);
        if (conn < 0)
            continue;
        s_smtp_session(s, conn);
        close(conn);
    }
    return NULL;
}

harness_smtp_t *harness_smtp_start(void)
{
    harness_smtp_t *s = calloc(1, sizeof *s);
    s->fd = socket(AF_INET, SOCK_STREAM, 0);
    int yes = 1;
    setsockopt(s->fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = 0};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (bind(s->fd, (struct sockaddr *)&addr, sizeof addr) != 0 || listen(s->fd, 16) != 0 ||
        getsockname(s->fd, (struct sockaddr *)&addr, &len) != 0) {
        perror("smtp");
        exit(1);
    }
    snprintf(s->url, sizeof s->url, "smtp://127.0.0.1:%d", ntohs(addr.sin_port));
    pthread_mutex_init(&s->lock, NULL);
    pthread_create(&s->thread, NULL, s_smtp_main, s);
    return s;
}

const char *harness_smtp_url(harness_smtp_t *s)
{
    return s->url;
}

size_t harness_smtp_wait(harness_smtp_t *s, size_t n, int timeout_ms)
{
    for (int waited = 0;; waited += 20) {
        pthread_mutex_lock(&s->lock);
        size_t have = s->n;
        pthread_mutex_unlock(&s->lock);
        if (have >= n || waited >= timeout_ms)
            return have;
        usleep(20 * 1000);
    }
}

const char *harness_smtp_recipient(harness_smtp_t *s, size_t i)
{
    pthread_mutex_lock(&s->lock);
    const char *r = i < s->n ? s->rcpt[i] : NULL;
    pthread_mutex_unlock(&s->lock);
    return r;
}

const char *harness_smtp_message(harness_smtp_t *s, size_t i)
{
    pthread_mutex_lock(&s->lock);
    const char *m = i < s->n ? s->message[i] : NULL;
    pthread_mutex_unlock(&s->lock);
    return m;
}

void harness_smtp_stop(harness_smtp_t **s_p)
{
    if (!s_p || !*s_p)
        return;
    harness_smtp_t *s = *s_p;
    s->stop = 1;
    pthread_join(s->thread, NULL);
    close(s->fd);
    for (size_t i = 0; i < s->n; i++) {
        free(s->rcpt[i]);
        free(s->message[i]);
    }
    pthread_mutex_destroy(&s->lock);
    free(s);
    *s_p = NULL;
}

/* Feeds deliveries `from`.. of `r` (its handshakes when `handshakes`) to
 * a node verifier in tests/tools, each with `key_name` = `key`; its exit
 * status. */
static int s_verify_with(harness_receiver_t *r, bool handshakes, size_t from, const char *tool,
                         const char *key_name, const char *key)
{
    const char *source = getenv("SAMHAND_SOURCE_DIR");
    char command[1024];
    snprintf(command, sizeof command, "node %s/tests/tools/%s >&2",
             source && *source ? source : ".", tool);
    FILE *node = popen(command, "w");
    if (!node)
        return -1;
    pthread_mutex_lock(&r->lock);
    size_t n =
        handshakes ? (r->n_handshakes < HANDSHAKES_KEPT ? r->n_handshakes : HANDSHAKES_KEPT) : r->n;
    char **heads = handshakes ? r->handshake_heads : r->heads;
    char **bodies = handshakes ? r->handshake_bodies : r->bodies;
    pthread_mutex_unlock(&r->lock);
    for (size_t i = from; i < n; i++) {
        /* each header read before the next (they share a buffer) */
        json_t *line = json_object();
        json_object_set_new(line, key_name, json_string(key));
        json_object_set_new(line, "id", json_string(s_head_value(heads[i], "webhook-id")));
        json_object_set_new(line, "timestamp",
                            json_string(s_head_value(heads[i], "webhook-timestamp")));
        json_object_set_new(line, "signature",
                            json_string(s_head_value(heads[i], "webhook-signature")));
        json_object_set_new(line, "body", json_string(bodies[i]));
        char *text = json_dumps(line, JSON_COMPACT);
        fprintf(node, "%s\n", text);
        free(text);
        json_decref(line);
    }
    int status = pclose(node);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int harness_receiver_verify(harness_receiver_t *r, const char *secret)
{
    return s_verify_with(r, false, 0, "verify-webhooks.mjs", "secret", secret);
}

int harness_receiver_verify_ed25519(harness_receiver_t *r, size_t from, const char *public_key)
{
    return s_verify_with(r, false, from, "verify-webhooks-ed25519.mjs", "publicKey", public_key);
}

int harness_receiver_verify_handshakes(harness_receiver_t *r, const char *key)
{
    if (harness_receiver_handshakes(r) == 0)
        return -1;
    return strncmp(key, "whpk_", 5) == 0
               ? s_verify_with(r, true, 0, "verify-webhooks-ed25519.mjs", "publicKey", key)
               : s_verify_with(r, true, 0, "verify-webhooks.mjs", "secret", key);
}
