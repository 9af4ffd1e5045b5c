/* A request's framing has one reading or is refused, before h2o sees it. */
#include "harness.h"
#include "gateway_http1.h"

#include <string.h>

static const char *s_parse(const char *text, gateway_http1_head_t *h)
{
    return gateway_http1_parse_head(text, strlen(text), h);
}

static void test_a_good_head_is_read(void **state)
{
    gateway_http1_head_t h;
    assert_null(s_parse("POST /v1/meetings?limit=2 HTTP/1.1\r\nHost: x\r\n"
                        "Authorization: Bearer k\r\nContent-Length: 12\r\n\r\n",
                        &h));
    assert_int_equal(h.method_len, 4);
    assert_memory_equal(h.method, "POST", 4);
    /* the path without its query, as routes match it */
    assert_int_equal(h.path_len, strlen("/v1/meetings"));
    assert_memory_equal(h.path, "/v1/meetings", h.path_len);
    assert_int_equal(h.authorization_len, strlen("Bearer k"));
    assert_int_equal(h.content_length, 12);
    assert_false(h.chunked);

    assert_null(s_parse("PUT /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", &h));
    assert_true(h.chunked);
    assert_int_equal(h.content_length, -1);
}

static void test_two_readings_are_refused(void **state)
{
    gateway_http1_head_t h;
    assert_non_null(
        s_parse("POST /x HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", &h));
    assert_non_null(
        s_parse("POST /x HTTP/1.1\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n", &h));
    assert_non_null(s_parse("POST /x HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", &h));
    assert_non_null(s_parse("POST /x HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", &h));
    assert_non_null(s_parse("GET /x HTTP/1.1\r\nHost: a\r\n b\r\n\r\n", &h)); /* folded */
    assert_non_null(s_parse("GET /x HTTP/1.1\nHost: a\r\n\r\n", &h));         /* bare LF */
    assert_non_null(s_parse("GET /x HTTP/1.1\r\nHost : a\r\n\r\n", &h));
    assert_non_null(s_parse("GET /x HTTP/2\r\n\r\n", &h));
}

static void test_chunk_sizes(void **state)
{
    uint64_t size;
    assert_int_equal(gateway_http1_chunk_size("1a", 2, &size), 0);
    assert_int_equal(size, 26);
    assert_int_equal(gateway_http1_chunk_size("0;name=value", 12, &size), 0);
    assert_int_equal(size, 0);
    assert_int_equal(gateway_http1_chunk_size("", 0, &size), -1);
    assert_int_equal(gateway_http1_chunk_size("g", 1, &size), -1);
    assert_int_equal(gateway_http1_chunk_size("1 x", 3, &size), -1);
    assert_int_equal(gateway_http1_chunk_size("1000000000000000", 16, &size), -1);
}

static void test_bokmal_is_read_from_a_broken_head_too(void **state)
{
    const char *head = "GET /x HTTP/1.1\nAccept-Language: nb, en\n";
    assert_true(gateway_http1_wants_bokmal(head, strlen(head)));
    head = "GET /x HTTP/1.1\r\nAccept-Language: en\r\n\r\n";
    assert_false(gateway_http1_wants_bokmal(head, strlen(head)));
}

static ssize_t s_read(gateway_http1_body_t *body, const char *text, int *status)
{
    char why[128];
    return gateway_http1_body_read(body, text, strlen(text), status, why, sizeof why);
}

/* A body ends where its framing says, and what follows is the next
 * request's. */
static void test_a_body_ends_where_its_framing_says(void **state)
{
    gateway_http1_head_t h;
    gateway_http1_body_t body;
    int status = 0;
    assert_null(s_parse("POST /x HTTP/1.1\r\nContent-Length: 3\r\n\r\n", &h));
    gateway_http1_body_start(&body, &h, 100);
    assert_int_equal(s_read(&body, "ab", &status), 2);
    assert_int_equal(body.state, GATEWAY_HTTP1_BODY_LENGTH);
    assert_int_equal(s_read(&body, "cGET /", &status), 1);
    assert_int_equal(body.state, GATEWAY_HTTP1_BODY_DONE);

    assert_null(s_parse("POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", &h));
    gateway_http1_body_start(&body, &h, 100);
    const char *chunks = "3;x=y\r\nabc\r\n0\r\nTrailer: t\r\n\r\nGET /";
    assert_int_equal(s_read(&body, chunks, &status), (ssize_t)strlen(chunks) - 5);
    assert_int_equal(body.state, GATEWAY_HTTP1_BODY_DONE);
}

static void test_a_bad_or_large_chunked_body_is_refused(void **state)
{
    gateway_http1_head_t h;
    gateway_http1_body_t body;
    int status = 0;
    assert_null(s_parse("POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", &h));
    gateway_http1_body_start(&body, &h, 4);
    assert_int_equal(s_read(&body, "5\r\n", &status), -1);
    assert_int_equal(status, 413);

    gateway_http1_body_start(&body, &h, 100);
    assert_int_equal(s_read(&body, "1\r\nab", &status), -1);
    assert_int_equal(status, 400);

    gateway_http1_body_start(&body, &h, 100);
    assert_int_equal(s_read(&body, "1\n", &status), -1);
    assert_int_equal(status, 400);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_good_head_is_read),
        cmocka_unit_test(test_two_readings_are_refused),
        cmocka_unit_test(test_chunk_sizes),
        cmocka_unit_test(test_bokmal_is_read_from_a_broken_head_too),
        cmocka_unit_test(test_a_body_ends_where_its_framing_says),
        cmocka_unit_test(test_a_bad_or_large_chunked_body_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
