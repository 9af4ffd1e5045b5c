/* Metrics render in the Prometheus text format. */
#include "harness.h"
#include "samhand_metrics.h"

#include <stdlib.h>
#include <string.h>

static void test_counter_and_histogram_render(void **state)
{
    metrics_t *m = metrics_new();
    metrics_describe(m, "samhand_x_total", METRICS_COUNTER, "Things done");
    metrics_describe(m, "samhand_y_seconds", METRICS_HISTOGRAM, "Time taken");
    metrics_add(m, "samhand_x_total", "code=\"200\"", 1);
    metrics_add(m, "samhand_x_total", "code=\"200\"", 2);
    metrics_add(m, "samhand_x_total", "code=\"404\"", 1);
    metrics_observe(m, "samhand_y_seconds", "", 0.003);
    metrics_observe(m, "samhand_y_seconds", "", 7);
    char *text = metrics_render(m);
    assert_non_null(
        strstr(text, "# HELP samhand_x_total Things done\n# TYPE samhand_x_total counter\n"));
    assert_non_null(strstr(text, "samhand_x_total{code=\"200\"} 3\n"));
    assert_non_null(strstr(text, "samhand_x_total{code=\"404\"} 1\n"));
    assert_non_null(strstr(text, "# TYPE samhand_y_seconds histogram\n"));
    assert_non_null(strstr(text, "samhand_y_seconds_bucket{le=\"0.0025\"} 0\n"));
    assert_non_null(strstr(text, "samhand_y_seconds_bucket{le=\"0.005\"} 1\n"));
    assert_non_null(strstr(text, "samhand_y_seconds_bucket{le=\"+Inf\"} 2\n"));
    assert_non_null(strstr(text, "samhand_y_seconds_count 2\n"));
    free(text);
    metrics_destroy(&m);
    assert_null(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_counter_and_histogram_render)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
