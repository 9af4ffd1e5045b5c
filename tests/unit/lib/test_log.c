/* Log lines are one JSON object each, with the request id when set. */
#include "harness.h"
#include "samhand_log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *s_capture(void (*emit)(void))
{
    char path[] = "/tmp/samhand-log-XXXXXX";
    int fd = mkstemp(path);
    int saved = dup(2);
    fflush(stderr);
    dup2(fd, 2);
    emit();
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    lseek(fd, 0, SEEK_SET);
    char *text = calloc(1, 4096);
    ssize_t n = read(fd, text, 4095);
    assert_true(n >= 0);
    close(fd);
    unlink(path);
    return text;
}

static void s_emit(void)
{
    log_init("agenda");
    log_set_request_id("abc123");
    log_info("could not insert \"%s\"", "x");
    log_set_request_id(NULL);
    log_debug("not shown at info");
    log_error("plain");
}

static void test_json_lines(void **state)
{
    char *text = s_capture(s_emit);
    char *second = strchr(text, '\n');
    assert_non_null(second);
    *second++ = '\0';
    json_t *first = json_loads(text, 0, NULL);
    assert_non_null(first);
    assert_string_equal(json_string_value(json_object_get(first, "level")), "info");
    assert_string_equal(json_string_value(json_object_get(first, "service")), "agenda");
    assert_string_equal(json_string_value(json_object_get(first, "requestId")), "abc123");
    assert_string_equal(json_string_value(json_object_get(first, "message")),
                        "could not insert \"x\"");
    json_t *next = json_loads(second, JSON_DISABLE_EOF_CHECK, NULL);
    assert_non_null(next);
    assert_string_equal(json_string_value(json_object_get(next, "level")), "error");
    assert_null(json_object_get(next, "requestId"));
    json_decref(first);
    json_decref(next);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_json_lines)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
