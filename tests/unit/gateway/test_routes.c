/* The route table: paths with parameters, trailing slashes, 405 with Allow,
 * one label a route. */
#include "harness.h"
#include "gateway_routes.h"

#include <stdio.h>
#include <string.h>

static const gateway_route_t *s_match(const char *method, const char *path,
                                      gateway_path_params_t *params, int *known, char *allow)
{
    return gateway_route_match(method, path, strlen(path), params, known, allow, 64);
}

static void test_parameters_are_captured(void **state)
{
    gateway_path_params_t params;
    int known;
    char allow[64];
    const gateway_route_t *r =
        s_match("GET", "/v1/committees/4f1c/memberships", &params, &known, allow);
    assert_non_null(r);
    assert_string_equal(r->rpc, "agenda.ListMemberships");
    assert_int_equal(params.n, 1);
    assert_string_equal(params.params[0].name, "committeeId");
    assert_string_equal(params.params[0].value, "4f1c");

    r = s_match("GET", "/v1/organizations/a%2Db/", &params, &known, allow);
    assert_non_null(r);
    assert_string_equal(r->rpc, "agenda.GetOrganization");
    assert_string_equal(params.params[0].value, "a-b");
}

static void test_unknown_and_wrong_method(void **state)
{
    gateway_path_params_t params;
    int known;
    char allow[64];
    assert_null(s_match("GET", "/v1/organisations", &params, &known, allow));
    assert_false(known);
    assert_null(s_match("GET", "/v1/organizations//", &params, &known, allow));
    assert_null(s_match("DELETE", "/v1/committees/x", &params, &known, allow));
    assert_true(known);
    assert_string_equal(allow, "GET, PATCH");
}

static void test_every_route_is_complete(void **state)
{
    for (size_t i = 0; i < gateway_routes_count; i++) {
        const gateway_route_t *r = &gateway_routes[i];
        assert_non_null(r->request);
        assert_non_null(r->response);
        assert_true(r->success_status == 200 || r->success_status == 201);
        assert_true(strncmp(r->path, "/v1/", 4) == 0);
        assert_true(strncmp(r->rpc, r->service, strlen(r->service)) == 0);
        assert_non_null(r->summary);
    }
}

/* Each route is counted under one label, the same string every time. */
static void test_a_route_has_one_label(void **state)
{
    for (size_t i = 0; i < gateway_routes_count; i++) {
        const gateway_route_t *r = &gateway_routes[i];
        char expected[160];
        snprintf(expected, sizeof expected, "%s %s", r->method, r->path);
        assert_string_equal(gateway_route_label(r), expected);
        assert_ptr_equal(gateway_route_label(r), gateway_route_label(r));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parameters_are_captured),
        cmocka_unit_test(test_unknown_and_wrong_method),
        cmocka_unit_test(test_every_route_is_complete),
        cmocka_unit_test(test_a_route_has_one_label),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
