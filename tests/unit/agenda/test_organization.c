/* The rules of agenda_organization.c that need no database. */
#include "agenda_organization.h"
#include "agenda_server.h"
#include "harness.h"

static void test_organization_number_check_digit(void **state)
{
    /* real numbers: St. Olavs hospital HF, Trondheim kommune */
    assert_true(agenda_organization_number_valid("883974832"));
    assert_true(agenda_organization_number_valid("942110464"));
    assert_false(agenda_organization_number_valid("883974833")); /* wrong check digit */
    assert_false(agenda_organization_number_valid("123456789"));
    assert_false(agenda_organization_number_valid("88397483"));
    assert_false(agenda_organization_number_valid("8839748321"));
    assert_false(agenda_organization_number_valid("88397483x"));
    assert_false(agenda_organization_number_valid("883 974 832"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_organization_number_check_digit)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
