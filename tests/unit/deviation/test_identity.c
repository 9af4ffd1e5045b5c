/* Identity numbers in free text: found with and without the space, not
 * when the check digits fail or the digits run on. */
#include "harness.h"
#include "deviation_identity.h"

static void test_check_digits(void **state)
{
    assert_true(deviation_identity_valid("15057522035"));
    assert_true(deviation_identity_valid("41019012393")); /* D-number: first digit + 4 */
    assert_true(deviation_identity_valid("01010100131"));
    assert_false(deviation_identity_valid("15057522036")); /* second check digit off */
    assert_false(deviation_identity_valid("15057522135")); /* first check digit off */
    assert_false(deviation_identity_valid("12345678901"));
}

static void test_found_where_it_stands(void **state)
{
    assert_int_equal(deviation_identity_find("15057522035"), 1);
    assert_int_equal(deviation_identity_find("Pasient 15057522035 fikk ikke epikrise."), 9);
    assert_int_equal(deviation_identity_find("Pasient 150575 22035 fikk ikke epikrise."), 9);
    assert_int_equal(deviation_identity_find("D-nr.: 41019012393."), 8);
    /* positions count characters: æ, ø and å are one each */
    assert_int_equal(deviation_identity_find("Bør på: 24068812328"), 9);
    assert_int_equal(deviation_identity_find("tlf 73 86 80 00, 01010100131"), 18);
}

static void test_not_an_identity_number(void **state)
{
    assert_int_equal(deviation_identity_find(""), 0);
    assert_int_equal(deviation_identity_find("Referanse 12345678901"), 0); /* check digits fail */
    assert_int_equal(deviation_identity_find("150575220350"), 0);          /* 12 digits */
    assert_int_equal(deviation_identity_find("915057522035"), 0);  /* part of a longer run */
    assert_int_equal(deviation_identity_find("150575  22035"), 0); /* two spaces */
    assert_int_equal(deviation_identity_find("1505752 2035"), 0);  /* space in the wrong place */
    assert_int_equal(deviation_identity_find("orgnr 883974832"), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_check_digits),
        cmocka_unit_test(test_found_where_it_stands),
        cmocka_unit_test(test_not_an_identity_number),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
