/* The gateway speaks HTTP/1.1 strictly and refuses early: a body too large
 * or on a route that needs a credential without one is refused from its
 * head, before it is read; framing that two parsers could read two ways is
 * 400 and the connection closes; no switch to HTTP/2; no text a user set
 * becomes a response header unless it is what the header may hold. Raw
 * bytes over a plain socket, so that nothing in between tidies them. */
#include "harness.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static harness_stack_t s_stack;

static int s_setup(void **state)
{
    harness_stack_start(&s_stack, harness_database_url());
    return 0;
}

static int s_teardown(void **state)
{
    harness_http_response_t *r = harness_stack_get(&s_stack, "/healthz");
    assert_int_equal(r->status, 200);
    harness_http_response_free(&r);
    harness_stack_stop(&s_stack);
    return 0;
}

static int s_connect(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(s_stack.http_port)};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&addr, sizeof addr), 0);
    return fd;
}

static void s_write(int fd, const char *data, size_t len)
{
    while (len > 0) {
        ssize_t n = send(fd, data, len, MSG_NOSIGNAL);
        if (n <= 0)
            return; /* the gateway may have closed already: what it answered counts */
        data += n;
        len -= (size_t)n;
    }
}

/* Reads what the gateway answers within `timeout_ms`, until it closes.
 * Returns the bytes (NUL-terminated, caller frees); `closed` tells whether
 * the gateway closed the connection in that time. */
static char *s_read(int fd, int timeout_ms, bool *closed)
{
    size_t cap = 65536, len = 0;
    char *buf = malloc(cap + 1);
    *closed = false;
    struct timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (;;) {
        clock_gettime(CLOCK_MONOTONIC, &now);
        long left = timeout_ms -
                    ((now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000);
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (left <= 0 || poll(&p, 1, (int)left) <= 0)
            break;
        if (len == cap)
            buf = realloc(buf, (cap *= 2) + 1);
        ssize_t n = recv(fd, buf + len, cap - len, 0);
        if (n <= 0) {
            *closed = true;
            break;
        }
        len += (size_t)n;
    }
    buf[len] = '\0';
    return buf;
}

/* One exchange on a new connection: `request` sent as it is, the answer
 * read for up to `timeout_ms`. */
static char *s_exchange(const char *request, size_t len, int timeout_ms, bool *closed)
{
    int fd = s_connect();
    s_write(fd, request, len);
    char *reply = s_read(fd, timeout_ms, closed);
    close(fd);
    return reply;
}

/* Sends `text` with the administrator's credential after its Host line,
 * so that only its framing is wrong, and expects 400 and a close. */
static void s_expect_bad_framing(const char *text)
{
    char request[2048];
    const char *host = strstr(text, "Host: x\r\n") + 9;
    snprintf(request, sizeof request, "%.*s%s\r\n%s", (int)(host - text), text, s_stack.auth_header,
             host);
    bool closed;
    char *reply = s_exchange(request, strlen(request), 3000, &closed);
    if (strncmp(reply, "HTTP/1.1 400 ", 13) != 0 || !closed)
        fprintf(stderr, "request:\n%s\nreply (%s):\n%s\n", request, closed ? "closed" : "open",
                reply);
    assert_int_equal(strncmp(reply, "HTTP/1.1 400 ", 13), 0);
    assert_true(closed);
    free(reply);
}

static void test_ambiguous_framing_is_400_and_closes(void **state)
{
    /* two lengths, a length beside a coding, codings other than one final
     * chunked, and chunks whose lines end in a bare LF */
    s_expect_bad_framing("POST /v1/committees HTTP/1.1\r\nHost: x\r\nContent-Type: "
                         "application/json\r\nContent-Length: 2\r\nContent-Length: 40\r\n\r\n{}");
    s_expect_bad_framing(
        "POST /v1/committees HTTP/1.1\r\nHost: x\r\nContent-Length: 2,40\r\n\r\n{}");
    s_expect_bad_framing("POST /v1/committees HTTP/1.1\r\nHost: x\r\nContent-Length: 7\r\n"
                         "Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n");
    s_expect_bad_framing("POST /v1/committees HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: "
                         "chunked\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n");
    s_expect_bad_framing("POST /v1/committees HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n"
                         "Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n");
    s_expect_bad_framing("POST /v1/committees HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: "
                         "chunked, identity\r\n\r\n2\r\n{}\r\n0\r\n\r\n");
    s_expect_bad_framing("POST /v1/committees HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: "
                         "chunked\r\n\r\n2\n{}\r\n0\r\n\r\n");
    s_expect_bad_framing("POST /v1/committees HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: "
                         "chunked\r\n\r\n2\r\n{}\n0\r\n\r\n");
}

static void test_well_framed_bodies_still_pass(void **state)
{
    /* chunked with an extension, and a length, both with the admin key:
     * the service answers (400 naming the missing kind), not the framing */
    char request[1024];
    snprintf(request, sizeof request,
             "POST /v1/committees HTTP/1.1\r\nHost: x\r\n%s\r\nContent-Type: "
             "application/json\r\nTransfer-Encoding: chunked\r\n\r\n4;a=b\r\n{\"na\r\n"
             "8\r\nme\":\"X\"}\r\n0\r\n\r\n",
             s_stack.auth_header);
    bool closed;
    char *reply = s_exchange(request, strlen(request), 3000, &closed);
    assert_int_equal(strncmp(reply, "HTTP/1.1 400 ", 13), 0);
    assert_non_null(strstr(reply, "kind"));
    free(reply);
}

static void test_no_switch_to_http2(void **state)
{
    bool closed;
    const char upgrade[] = "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: Upgrade, "
                           "HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAAP__"
                           "\r\n\r\n";
    char *reply = s_exchange(upgrade, sizeof upgrade - 1, 3000, &closed);
    assert_int_equal(strncmp(reply, "HTTP/1.1 200 ", 13), 0);
    assert_non_null(strstr(reply, "{\"status\":\"ok\"}"));
    free(reply);
    /* the HTTP/2 connection preface and an empty SETTINGS frame */
    const char preface[] = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\0\0\0\4\0\0\0\0\0";
    reply = s_exchange(preface, sizeof preface - 1, 3000, &closed);
    assert_int_equal(strncmp(reply, "HTTP/1.1 400 ", 13), 0);
    free(reply);
}

static void test_media_type_with_line_break_adds_no_header(void **state)
{
    harness_http_response_t *r =
        harness_stack_send(&s_stack, "POST", "/v1/committees",
                           "{\"name\":\"Rammeutvalg\",\"kind\":\"ADMINISTRATIVE\"}");
    harness_expect_status(r, 201);
    char body[512], path[256], id[40];
    snprintf(body, sizeof body,
             "{\"committeeId\":\"%s\",\"startTime\":\"2031-02-08T13:00:00+01:00\","
             "\"endTime\":\"2031-02-08T15:00:00+01:00\",\"place\":\"Rom 1\"}",
             harness_json_text(r, "id"));
    harness_http_response_free(&r);
    r = harness_stack_send(&s_stack, "POST", "/v1/meetings", body);
    harness_expect_status(r, 201);
    snprintf(id, sizeof id, "%s", harness_json_text(r, "id"));
    harness_http_response_free(&r);
    snprintf(path, sizeof path, "/v1/meetings/%s/items", id);
    r = harness_stack_send(
        &s_stack, "POST", path,
        "{\"kind\":\"CASE\",\"title\":\"Avtale\",\"presenters\":[],\"durationMin\":10}");
    harness_expect_status(r, 200);
    json_t *items = json_object_get(
        json_object_get(r->json, "meeting") ? json_object_get(r->json, "meeting") : r->json,
        "items");
    char item[40];
    snprintf(item, sizeof item, "%s",
             json_string_value(json_object_get(json_array_get(items, 0), "id")));
    harness_http_response_free(&r);

    snprintf(path, sizeof path, "/v1/meetings/%s/items/%s/attachments", id, item);
    r = harness_stack_send(&s_stack, "POST", path,
                           "{\"filename\":\"Avtale æ;ø.pdf\",\"contentType\":\"application/pdf; "
                           "a=b\\r\\nX-Injected: 1\",\"content\":\"JVBERi0xLjQ=\"}");
    if (r->status == 400) {
        /* the service refused it at upload: that holds too */
        harness_http_response_free(&r);
        return;
    }
    harness_expect_status(r, 200);
    json_t *attachment = json_array_get(json_object_get(r->json, "attachments"), 0);
    snprintf(path, sizeof path, "/v1/attachments/%s",
             json_string_value(json_object_get(attachment, "id")));
    harness_http_response_free(&r);
    r = harness_stack_get(&s_stack, path);
    harness_expect_status(r, 200);
    char value[256];
    assert_string_equal(harness_http_header(r, "x-injected", value, sizeof value), "");
    assert_string_equal(r->content_type, "application/octet-stream");
    assert_string_equal(harness_http_header(r, "content-disposition", value, sizeof value),
                        "inline; filename=\"Avtale _;_.pdf\"; "
                        "filename*=UTF-8''Avtale%20%C3%A6%3B%C3%B8.pdf");
    harness_http_response_free(&r);
}

/* The gateway's resident memory, from /proc. */
static long s_gateway_rss_kb(void)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", (int)s_stack.gateway);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    long kb = -1;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "VmRSS: %ld kB", &kb) == 1)
            break;
    fclose(f);
    return kb;
}

static void test_too_large_is_refused_from_its_length(void **state)
{
    /* a length far over the limit, a few bytes sent: 413 at once */
    char request[1024];
    snprintf(request, sizeof request,
             "POST /v1/committees HTTP/1.1\r\nHost: x\r\n%s\r\nContent-Type: "
             "application/json\r\nContent-Length: 50000000\r\n\r\n{\"name\"",
             s_stack.auth_header);
    bool closed;
    char *reply = s_exchange(request, strlen(request), 2000, &closed);
    assert_int_equal(strncmp(reply, "HTTP/1.1 413 ", 13), 0);
    assert_non_null(strstr(reply, "application/problem+json"));
    assert_true(closed);
    free(reply);

    /* chunked, refused as it passes the limit (1 MiB for committees) */
    int fd = s_connect();
    snprintf(request, sizeof request,
             "POST /v1/committees HTTP/1.1\r\nHost: x\r\n%s\r\nContent-Type: "
             "application/json\r\nTransfer-Encoding: chunked\r\n\r\n",
             s_stack.auth_header);
    s_write(fd, request, strlen(request));
    static char chunk[65536 + 16];
    int n = sprintf(chunk, "10000\r\n");
    memset(chunk + n, ' ', 65536);
    memcpy(chunk + n + 65536, "\r\n", 2);
    for (int i = 0; i < 17; i++)
        s_write(fd, chunk, (size_t)n + 65536 + 2);
    reply = s_read(fd, 2000, &closed);
    close(fd);
    assert_int_equal(strncmp(reply, "HTTP/1.1 413 ", 13), 0);
    free(reply);
}

static void test_no_credential_no_body_read(void **state)
{
    /* a route that needs a credential: 401 from the head, the body unread */
    const char request[] = "POST /v1/committees HTTP/1.1\r\nHost: x\r\nContent-Type: "
                           "application/json\r\nContent-Length: 900000\r\n\r\n{\"na";
    bool closed;
    char *reply = s_exchange(request, sizeof request - 1, 2000, &closed);
    assert_int_equal(strncmp(reply, "HTTP/1.1 401 ", 13), 0);
    assert_non_null(strstr(reply, "Bearer realm=\"samhand\""));
    free(reply);
    const char bad_key[] = "PUT /v1/meetings/0/attendance HTTP/1.1\r\nHost: x\r\nAuthorization: "
                           "Bearer nope\r\nContent-Length: 900000\r\n\r\n{";
    reply = s_exchange(bad_key, sizeof bad_key - 1, 2000, &closed);
    assert_int_equal(strncmp(reply, "HTTP/1.1 401 ", 13), 0);
    free(reply);

    /* eight uploads of 12 MiB at once without a credential: the gateway
     * does not grow by what they carry */
    long before = s_gateway_rss_kb();
    enum { UPLOADS = 8, UPLOAD_BYTES = 12 * 1024 * 1024 };
    int fds[UPLOADS];
    char head[512];
    int head_len = snprintf(head, sizeof head,
                            "POST /v1/meetings/0/items/0/attachments HTTP/1.1\r\nHost: "
                            "x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n",
                            UPLOAD_BYTES);
    char *filler = malloc(1 << 20);
    memset(filler, 'A', 1 << 20);
    for (int i = 0; i < UPLOADS; i++) {
        fds[i] = s_connect();
        s_write(fds[i], head, (size_t)head_len);
    }
    for (int mb = 0; mb < UPLOAD_BYTES >> 20; mb++)
        for (int i = 0; i < UPLOADS; i++) {
            /* without blocking: a gateway that reads nothing fills the buffers */
            struct pollfd p = {.fd = fds[i], .events = POLLOUT};
            if (poll(&p, 1, 100) == 1)
                send(fds[i], filler, 1 << 20, MSG_NOSIGNAL | MSG_DONTWAIT);
        }
    long during = s_gateway_rss_kb();
    for (int i = 0; i < UPLOADS; i++) {
        reply = s_read(fds[i], 2000, &closed);
        assert_int_equal(strncmp(reply, "HTTP/1.1 401 ", 13), 0);
        free(reply);
        close(fds[i]);
    }
    free(filler);
    fprintf(stderr, "gateway VmRSS: %ld kB before, %ld kB with the uploads\n", before, during);
    assert_true(during - before < 8 * 1024);
}

/* The problem the front refused `request` with: its status line's code
 * and its body (caller frees). */
static json_t *s_refusal(const char *request, size_t len, int status)
{
    bool closed;
    char *reply = s_exchange(request, len, 3000, &closed);
    char code[16];
    snprintf(code, sizeof code, "HTTP/1.1 %d ", status);
    if (strncmp(reply, code, strlen(code)) != 0)
        fprintf(stderr, "request:\n%s\nreply:\n%s\n", request, reply);
    assert_int_equal(strncmp(reply, code, strlen(code)), 0);
    const char *body = strstr(reply, "\r\n\r\n");
    assert_non_null(body);
    json_t *problem = json_loads(body + 4, 0, NULL);
    assert_non_null(problem);
    free(reply);
    return problem;
}

/* `request` (with "%s" where Accept-Language goes) refused with `status`,
 * in English without asking and in bokmål when asked, with the same
 * fields: the detail in bokmål is `bokmal`, the English `english`. */
static void s_expect_refusal_in_both(const char *request, int status, const char *english,
                                     const char *bokmal)
{
    char plain[2048], asked[2048];
    snprintf(plain, sizeof plain, request, "");
    snprintf(asked, sizeof asked, request, "Accept-Language: nb-NO, nb;q=0.9, en;q=0.5\r\n");
    json_t *en = s_refusal(plain, strlen(plain), status);
    json_t *nb = s_refusal(asked, strlen(asked), status);
    assert_string_equal(json_string_value(json_object_get(en, "detail")), english);
    assert_string_equal(json_string_value(json_object_get(nb, "detail")), bokmal);
    assert_string_not_equal(json_string_value(json_object_get(en, "title")),
                            json_string_value(json_object_get(nb, "title")));
    /* the same field names, the same status: only the words change */
    assert_int_equal(json_object_size(en), json_object_size(nb));
    const char *key;
    json_t *value;
    json_object_foreach(en, key, value) assert_non_null(json_object_get(nb, key));
    assert_int_equal(json_integer_value(json_object_get(nb, "status")), status);
    json_decref(en);
    json_decref(nb);
}

static void test_front_refuses_in_bokmal_when_asked(void **state)
{
    char request[1024];
    /* framing: the language line before the fault, and one the front read
     * before it passed the head (a chunk's fault in the body) */
    s_expect_refusal_in_both("POST /v1/committees HTTP/1.1\r\nHost: x\r\n%sContent-Length: "
                             "2\r\nContent-Length: 40\r\n\r\n{}",
                             400, "two different Content-Length headers",
                             "to ulike Content-Length");
    s_expect_refusal_in_both("POST /v1/committees HTTP/1.1\r\nHost: x\r\n%sX-A: b\r\n c\r\n\r\n",
                             400, "a header line may not be folded onto the next",
                             "en linje i hodet kan ikke fortsette på neste linje");
    snprintf(request, sizeof request,
             "POST /v1/committees HTTP/1.1\r\nHost: x\r\n%s\r\n%%sContent-Type: "
             "application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n",
             s_stack.auth_header);
    s_expect_refusal_in_both(request, 400, "a chunk's size line is malformed",
                             "størrelseslinjen i en chunk er feil skrevet");
    /* no credential, and a body too large: refused from the head */
    s_expect_refusal_in_both("POST /v1/committees HTTP/1.1\r\nHost: x\r\n%sContent-Type: "
                             "application/json\r\nContent-Length: 900000\r\n\r\n{",
                             401,
                             "this needs a credential: Authorization: Bearer <API key or access "
                             "token>; the body was not read",
                             "dette krever innlogging (en API-nøkkel eller et tilgangstoken)");
    snprintf(request, sizeof request,
             "POST /v1/committees HTTP/1.1\r\nHost: x\r\n%s\r\n%%sContent-Type: "
             "application/json\r\nContent-Length: 50000000\r\n\r\n{",
             s_stack.auth_header);
    s_expect_refusal_in_both(request, 413, "the body is larger than 1048576 bytes",
                             "innholdet er større enn 1048576 byte");
}

static void test_jwks_only_over_https(void **state)
{
    char issuer[] = "SAMHAND_OIDC_ISSUER=https://helseid-sts.nhn.no";
    char jwks[] = "SAMHAND_OIDC_JWKS=http://127.0.0.1:9/jwks";
    char port[32];
    snprintf(port, sizeof port, "SAMHAND_HTTP_PORT=%d", harness_free_port());
    const char *env[] = {issuer, jwks, port, NULL};
    pid_t pid = harness_spawn("samhand-gateway", env);
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 2);
    char log[512], line[1024];
    snprintf(log, sizeof log, "%s/Testing/samhand-gateway-%d.log", getenv("SAMHAND_BUILD_DIR"),
             (int)getpid());
    FILE *f = fopen(log, "r");
    assert_non_null(f);
    bool said = false;
    while (fgets(line, sizeof line, f))
        said |= strstr(line, "SAMHAND_OIDC_JWKS must be a file or an https:// URL") != NULL;
    fclose(f);
    assert_true(said);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ambiguous_framing_is_400_and_closes),
        cmocka_unit_test(test_well_framed_bodies_still_pass),
        cmocka_unit_test(test_no_switch_to_http2),
        cmocka_unit_test(test_media_type_with_line_break_adds_no_header),
        cmocka_unit_test(test_too_large_is_refused_from_its_length),
        cmocka_unit_test(test_no_credential_no_body_read),
        cmocka_unit_test(test_front_refuses_in_bokmal_when_asked),
        cmocka_unit_test(test_jwks_only_over_https),
    };
    return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
