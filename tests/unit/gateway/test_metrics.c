/* /metrics merges the gateway's and every service's exposition: each family
 * once, described once, with the series of all. */
#include "harness.h"
#include "gateway_metrics.h"

#include <stdlib.h>
#include <string.h>

static int s_count(const char *text, const char *needle)
{
    int n = 0;
    for (const char *p = text; (p = strstr(p, needle)); p += strlen(needle))
        n++;
    return n;
}

static void test_families_merge(void **state)
{
    const char *gateway = "# HELP samhand_http_requests_total HTTP requests\n"
                          "# TYPE samhand_http_requests_total counter\n"
                          "samhand_http_requests_total{code=\"200\"} 5\n";
    const char *agenda = "# HELP samhand_bus_requests_total Requests\n"
                         "# TYPE samhand_bus_requests_total counter\n"
                         "samhand_bus_requests_total{service=\"agenda\"} 3\n";
    const char *notify = "# HELP samhand_bus_requests_total Requests\n"
                         "# TYPE samhand_bus_requests_total counter\n"
                         "samhand_bus_requests_total{service=\"notify\"} 1\n";
    const char *texts[] = {gateway, agenda, notify};
    char *merged = gateway_metrics_merge(texts, 3);
    assert_int_equal(s_count(merged, "# TYPE samhand_bus_requests_total counter\n"), 1);
    assert_int_equal(s_count(merged, "# HELP samhand_bus_requests_total"), 1);
    /* both series follow their family's TYPE line, together */
    const char *type = strstr(merged, "# TYPE samhand_bus_requests_total");
    const char *a = strstr(merged, "{service=\"agenda\"} 3\n");
    const char *n = strstr(merged, "{service=\"notify\"} 1\n");
    assert_non_null(a);
    assert_non_null(n);
    assert_true(type < a && a < n);
    assert_null(strstr(n, "samhand_http_requests_total"));
    assert_non_null(strstr(merged, "samhand_http_requests_total{code=\"200\"} 5\n"));
    free(merged);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_families_merge)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
