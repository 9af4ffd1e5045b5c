/* The token bucket per credential: a burst, then the rate, Retry-After in
 * whole seconds, and one credential's flood not touching another's. */
#include "gateway_limit.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

static void test_burst_then_rate(void **state)
{
    gateway_limit_t *limit = malloc(sizeof *limit);
    gateway_limit_init(limit, 2, 5); /* 2 a second, 5 at once */
    for (int i = 0; i < 5; i++)
        assert_int_equal(gateway_limit_take(limit, "key:a", 100.0), 0);
    assert_int_equal(gateway_limit_take(limit, "key:a", 100.0), 1); /* one token in 0.5 s */
    assert_int_equal(gateway_limit_take(limit, "key:b", 100.0), 0); /* another credential */
    assert_int_equal(gateway_limit_take(limit, "key:a", 100.5), 0);
    assert_int_equal(gateway_limit_take(limit, "key:a", 100.5), 1);
    /* a long pause fills the bucket to the burst, not beyond */
    for (int i = 0; i < 5; i++)
        assert_int_equal(gateway_limit_take(limit, "key:a", 1000.0), 0);
    assert_true(gateway_limit_take(limit, "key:a", 1000.0) > 0);
    free(limit);
}

static void test_slow_rate_says_how_long(void **state)
{
    gateway_limit_t *limit = malloc(sizeof *limit);
    gateway_limit_init(limit, 0.1, 1); /* one every 10 s */
    assert_int_equal(gateway_limit_take(limit, "admin", 0), 0);
    assert_int_equal(gateway_limit_take(limit, "admin", 0), 10);
    assert_int_equal(gateway_limit_take(limit, "admin", 5), 5);
    free(limit);
}

static void test_no_limit(void **state)
{
    gateway_limit_t *limit = malloc(sizeof *limit);
    gateway_limit_init(limit, 0, 0);
    for (int i = 0; i < 10000; i++)
        assert_int_equal(gateway_limit_take(limit, "admin", 1), 0);
    free(limit);
}

static void test_many_keys_share_the_table(void **state)
{
    gateway_limit_t *limit = malloc(sizeof *limit);
    gateway_limit_init(limit, 1, 1);
    char key[32];
    for (int i = 0; i < 3 * GATEWAY_LIMIT_SLOTS; i++) {
        snprintf(key, sizeof key, "key:%d", i);
        assert_int_equal(gateway_limit_take(limit, key, (double)i), 0);
    }
    /* the newest is still known and limited */
    assert_true(gateway_limit_take(limit, key, (double)(3 * GATEWAY_LIMIT_SLOTS - 1)) > 0);
    free(limit);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_burst_then_rate),
        cmocka_unit_test(test_slow_rate_says_how_long),
        cmocka_unit_test(test_no_limit),
        cmocka_unit_test(test_many_keys_share_the_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
