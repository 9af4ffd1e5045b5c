/* The category code list across versions: a report coded in any version
 * is counted under the code of today's list by the versions' mappings,
 * through every version between; a code no version retired stays; a
 * cycle ends. And what a code may look like. */
#include "harness.h"
#include "deviation_codes.h"

#include <string.h>

/* version 2 retired two home-made codes for NOKUP's; version 3 merged two
 * cooperation categories and renamed a NOKUP code of version 2 */
static const deviation_code_map_t s_map[] = {
    {"SAM-HENVISNING", "SAM-DOKUMENTFLYT"},  {"NOKUP-KLINISK-PROSESS", "NOKUP-HT-KLINISK-PROSESS"},
    {"SAM-EPIKRISE", "SAM-DOKUMENTFLYT"},    {"NOKUP-HT-KLINISK-PROSESS", "NOKUP-HT-PROSEDYRE"},
    {"NOKUP-FALL", "NOKUP-HT-PASIENTUHELL"},
};
#define N_MAP (sizeof s_map / sizeof s_map[0])

static void test_a_code_counts_under_todays_code(void **state)
{
    /* one version on */
    assert_string_equal(deviation_code_current(s_map, N_MAP, "NOKUP-FALL"),
                        "NOKUP-HT-PASIENTUHELL");
    /* two merged into one */
    assert_string_equal(deviation_code_current(s_map, N_MAP, "SAM-HENVISNING"), "SAM-DOKUMENTFLYT");
    assert_string_equal(deviation_code_current(s_map, N_MAP, "SAM-EPIKRISE"), "SAM-DOKUMENTFLYT");
    /* version 1 to 3 through version 2, whatever the rows' order */
    assert_string_equal(deviation_code_current(s_map, N_MAP, "NOKUP-KLINISK-PROSESS"),
                        "NOKUP-HT-PROSEDYRE");
    /* today's codes and codes no version retired stay */
    assert_string_equal(deviation_code_current(s_map, N_MAP, "SAM-DOKUMENTFLYT"),
                        "SAM-DOKUMENTFLYT");
    assert_string_equal(deviation_code_current(s_map, N_MAP, "SAM-PROVESVAR"), "SAM-PROVESVAR");
    /* no category, and no mapping at all */
    assert_string_equal(deviation_code_current(s_map, N_MAP, ""), "");
    assert_string_equal(deviation_code_current(NULL, 0, "SAM-EPIKRISE"), "SAM-EPIKRISE");
}

static void test_a_cycle_ends(void **state)
{
    static const deviation_code_map_t cycle[] = {{"A-1", "B-1"}, {"B-1", "A-1"}};
    const char *code = deviation_code_current(cycle, 2, "A-1");
    assert_true(strcmp(code, "A-1") == 0 || strcmp(code, "B-1") == 0);
}

static void test_what_a_code_looks_like(void **state)
{
    assert_true(deviation_code_valid("SAM-EPIKRISE"));
    assert_true(deviation_code_valid("NOKUP-HT-GASS"));
    assert_true(deviation_code_valid("K2"));
    assert_false(deviation_code_valid("X"));
    assert_false(deviation_code_valid("sam-epikrise"));
    assert_false(deviation_code_valid("-SAM"));
    assert_false(deviation_code_valid("1SAM"));
    assert_false(deviation_code_valid("SAM EPIKRISE"));
    assert_false(deviation_code_valid("SAM-EPIKRISE;DROP"));
    assert_false(deviation_code_valid("A123456789012345678901234567890123456789X"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_code_counts_under_todays_code),
        cmocka_unit_test(test_a_cycle_ends),
        cmocka_unit_test(test_what_a_code_looks_like),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
