/* Configuration: defaults, validation that names the variable, --help. */
#include "harness.h"
#include "samhand_config.h"

#include <stdlib.h>

static const char *s_url, *s_endpoint, *s_level;
static long s_workers;

static int s_load(int argc, char **argv)
{
    const config_var_t vars[] = {
        {"T_URL", CONFIG_STRING, NULL, "database", 0, 0, &s_url, NULL, NULL},
        {"T_ENDPOINT", CONFIG_ENDPOINT, "tcp://127.0.0.1:7101", "bus", 0, 0, &s_endpoint, NULL,
         NULL},
        {"T_WORKERS", CONFIG_INT, "4", "workers", 1, 64, NULL, &s_workers, NULL},
        {"T_LEVEL", CONFIG_CHOICE, "info", "level", 0, 0, &s_level, NULL, config_log_levels},
    };
    return config_load(vars, 4, argc, argv, "test");
}

static void test_defaults_apply(void **state)
{
    char *argv[] = {"t", NULL};
    setenv("T_URL", "postgresql://x", 1);
    unsetenv("T_ENDPOINT");
    unsetenv("T_WORKERS");
    assert_int_equal(s_load(1, argv), 0);
    assert_string_equal(s_url, "postgresql://x");
    assert_string_equal(s_endpoint, "tcp://127.0.0.1:7101");
    assert_int_equal(s_workers, 4);
}

static void test_required_missing_fails(void **state)
{
    char *argv[] = {"t", NULL};
    unsetenv("T_URL");
    assert_int_equal(s_load(1, argv), -1);
}

static void test_invalid_values_fail(void **state)
{
    char *argv[] = {"t", NULL};
    setenv("T_URL", "postgresql://x", 1);
    setenv("T_WORKERS", "0", 1);
    assert_int_equal(s_load(1, argv), -1);
    setenv("T_WORKERS", "4x", 1);
    assert_int_equal(s_load(1, argv), -1);
    setenv("T_WORKERS", "8", 1);
    setenv("T_ENDPOINT", "inproc://x", 1);
    assert_int_equal(s_load(1, argv), -1);
    setenv("T_ENDPOINT", "tcp://127.0.0.1:1,tcp://127.0.0.1:2", 1);
    assert_int_equal(s_load(1, argv), 0);
    assert_int_equal(s_workers, 8);
    setenv("T_LEVEL", "verbose", 1);
    assert_int_equal(s_load(1, argv), -1);
    setenv("T_LEVEL", "debug", 1);
    assert_int_equal(s_load(1, argv), 0);
    assert_string_equal(s_level, "debug");
}

static void test_help_and_unknown_arguments(void **state)
{
    char *help[] = {"t", "--help", NULL};
    char *junk[] = {"t", "--bogus", NULL};
    assert_int_equal(s_load(2, help), 1);
    assert_int_equal(s_load(2, junk), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults_apply),
        cmocka_unit_test(test_required_missing_fails),
        cmocka_unit_test(test_invalid_values_fail),
        cmocka_unit_test(test_help_and_unknown_arguments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
