/* The authorization table beside the route table: every route that needs
 * a credential has a row, every row a route, and the roles read from keys
 * are the ones the table knows. */
#include "gateway_policy.h"
#include "gateway_routes.h"
#include "samhand_visibility.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

static void test_every_route_has_a_policy(void **state)
{
    for (size_t i = 0; i < gateway_routes_count; i++) {
        const gateway_route_t *r = &gateway_routes[i];
        if (r->access == GATEWAY_ACCESS_PUBLIC)
            continue;
        if (gateway_policy_roles(r->rpc) == 0)
            fail_msg("%s %s (%s) has no row in the policy table", r->method, r->path, r->rpc);
    }
}

static void test_every_policy_has_a_route(void **state)
{
    for (size_t p = 0; p < gateway_policies_count; p++) {
        bool found = false;
        for (size_t i = 0; i < gateway_routes_count && !found; i++)
            found = strcmp(gateway_routes[i].rpc, gateway_policies[p].rpc) == 0 &&
                    gateway_routes[i].access != GATEWAY_ACCESS_PUBLIC;
        if (!found)
            fail_msg("the policy for %s has no route that needs a credential",
                     gateway_policies[p].rpc);
    }
}

static void test_least_privilege(void **state)
{
    /* a reporter reports deviations and reads events, nothing of the
     * committees' internals or the directory's keeping */
    assert_true(gateway_policy_roles("deviation.CreateReport") & ROLE_REPORTER);
    assert_true(gateway_policy_roles("notify.ListEvents") & ROLE_REPORTER);
    assert_false(gateway_policy_roles("agenda.CreateOrganization") & ROLE_REPORTER);
    assert_false(gateway_policy_roles("agenda.ListPersons") & ROLE_REPORTER);
    assert_false(gateway_policy_roles("notify.CreateSubscription") & ROLE_REPORTER);
    /* a committee member reads, does not publish or approve */
    assert_true(gateway_policy_roles("agenda.GetCase") & ROLE_MEMBER);
    assert_false(gateway_policy_roles("agenda.PublishMeeting") & ROLE_MEMBER);
    assert_false(gateway_policy_roles("agenda.ApproveMinutes") & ROLE_MEMBER);
    assert_false(gateway_policy_roles("deviation.GetReport") & ROLE_MEMBER);
    /* the administrator may do everything */
    for (size_t p = 0; p < gateway_policies_count; p++)
        assert_true(gateway_policies[p].roles & ROLE_ADMINISTRATOR);
}

static void test_role_names(void **state)
{
    assert_int_equal(gateway_role_bit("quality", 7), ROLE_QUALITY);
    assert_int_equal(gateway_role_bit("qualit", 6), 0);
    assert_int_equal(gateway_role_bit("admin", 5), 0);
    char *roles[] = {"reporter", "integration", "nonsense"};
    Samhand__V1__Principal p = SAMHAND__V1__PRINCIPAL__INIT;
    p.roles = roles;
    p.n_roles = 3;
    assert_int_equal(gateway_principal_roles(&p), ROLE_REPORTER | ROLE_INTEGRATION);
    char text[128];
    gateway_roles_text(ROLE_ADMINISTRATOR | ROLE_SECRETARIAT, text, sizeof text);
    assert_string_equal(text, "administrator, secretariat");
}

/* An event goes to those who may read its aggregate, and no further: the
 * visibility table's roles for each kind of event are the policy table's
 * for the aggregate's read (or, where the read has a row rule, among them),
 * and an event for everyone is of an aggregate the public reads. */
static void test_events_go_to_the_readers_of_their_aggregate(void **state)
{
    for (size_t v = 0; v < visibility_events_count; v++) {
        const visibility_event_t *row = &visibility_events[v];
        const gateway_route_t *read = NULL;
        for (size_t i = 0; i < gateway_routes_count && !read; i++)
            if (strcmp(gateway_routes[i].rpc, row->read_rpc) == 0)
                read = &gateway_routes[i];
        if (!read)
            fail_msg("%s: no route reads %s", row->type_prefix, row->read_rpc);
        if (!row->roles) {
            if (read->access != GATEWAY_ACCESS_PUBLIC)
                fail_msg("%s goes to everyone, but %s needs a credential", row->type_prefix,
                         row->read_rpc);
            continue;
        }
        unsigned roles = 0;
        for (size_t k = 0; row->roles[k]; k++) {
            unsigned bit = gateway_role_bit(row->roles[k], strlen(row->roles[k]));
            if (!bit)
                fail_msg("%s names no role \"%s\"", row->type_prefix, row->roles[k]);
            roles |= bit;
        }
        /* a read with a row rule of its own (a proposal: also its sender)
         * may answer more roles, each only its own rows; the event, which
         * every party reads, goes to the roles that read them all */
        unsigned readers = gateway_policy_roles(row->read_rpc);
        bool is_narrower = gateway_policy_scope(row->read_rpc) && (roles & ~readers) == 0;
        if (read->access == GATEWAY_ACCESS_PUBLIC || (roles != readers && !is_narrower))
            fail_msg("%s goes to other roles than may call %s", row->type_prefix, row->read_rpc);
    }
    /* an event of a kind nobody declared is for administrators only */
    const visibility_event_t *unknown = visibility_event("no.samhand.nothing.declared");
    assert_int_equal(visibility_roles_count(unknown), 1);
    assert_string_equal(unknown->roles[0], "administrator");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_route_has_a_policy),
        cmocka_unit_test(test_every_policy_has_a_route),
        cmocka_unit_test(test_least_privilege),
        cmocka_unit_test(test_role_names),
        cmocka_unit_test(test_events_go_to_the_readers_of_their_aggregate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
