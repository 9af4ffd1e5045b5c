/* The partnership's rules as arithmetic: a deadline in working days,
 * calendar days or weeks from the day of submission, and the statistics
 * periods as written (2023-T1, 2016-Q1, 2024-H2, 2024-05), with what is
 * refused. */
#include "harness.h"
#include "deviation_rules.h"

#include <string.h>

#define UNIT(name) SAMHAND__V1__DEADLINE_RULE__UNIT__##name
#define KIND(name) SAMHAND__V1__STATISTICS_PERIOD__##name

static void test_deadlines(void **state)
{
    static const struct {
        int length;
        int unit;
        const char *from, *due, *why;
    } cases[] = {
        {5, UNIT(WORKING_DAYS), "2026-12-01", "2026-12-08", "a week of working days"},
        {2, UNIT(WORKING_DAYS), "2026-12-23", "2026-12-28", "over Christmas Day and a weekend"},
        {1, UNIT(WORKING_DAYS), "2027-03-24", "2027-03-30", "over Easter, Thursday to Monday"},
        {20, UNIT(WORKING_DAYS), "2026-05-13", "2026-06-12", "over Ascension, 17 May, Whit Monday"},
        {28, UNIT(CALENDAR_DAYS), "2026-12-01", "2026-12-29", "calendar days count every day"},
        {10, UNIT(CALENDAR_DAYS), "2026-12-25", "2027-01-04", "into the next year"},
        {4, UNIT(WEEKS), "2026-12-01", "2026-12-29", "4 weeks are 28 calendar days"},
        {4, UNIT(WEEKS), "2028-02-01", "2028-02-29", "to a leap day"},
        {1, UNIT(WEEKS), "2026-12-19", "2026-12-26", "a week ends on a holiday: it stays"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        Samhand__V1__DeadlineRule rule = SAMHAND__V1__DEADLINE_RULE__INIT;
        rule.length = cases[i].length;
        rule.unit = cases[i].unit;
        char due[11];
        deviation_rule_due(&rule, cases[i].from, due);
        if (strcmp(due, cases[i].due) != 0)
            fail_msg("%d from %s (%s): %s, not %s", cases[i].length, cases[i].from, cases[i].why,
                     due, cases[i].due);
    }
    /* no rule: no deadline */
    char due[11] = "x";
    deviation_rule_due(NULL, "2026-12-01", due);
    assert_string_equal(due, "");
    Samhand__V1__DeadlineRule bad = SAMHAND__V1__DEADLINE_RULE__INIT;
    bad.length = 0;
    bad.unit = UNIT(WEEKS);
    assert_false(deviation_rule_valid(&bad));
    bad.length = 366;
    assert_false(deviation_rule_valid(&bad));
    bad.length = 3;
    bad.unit = UNIT(UNIT_UNSPECIFIED);
    assert_false(deviation_rule_valid(&bad));
}

static void test_periods(void **state)
{
    static const struct {
        const char *text;
        int kind; /* 0: refused */
        int year, index;
        const char *from, *to_excl, *previous, *title;
    } cases[] = {
        {"2023-T1", KIND(TERTIAL), 2023, 1, "2023-01-01", "2023-05-01", "2022-T3",
         "1. tertial 2023"},
        {"2022-T3", KIND(TERTIAL), 2022, 3, "2022-09-01", "2023-01-01", "2022-T2",
         "3. tertial 2022"},
        {"2016-Q1", KIND(QUARTER), 2016, 1, "2016-01-01", "2016-04-01", "2015-Q4",
         "1. kvartal 2016"},
        {"2026-Q4", KIND(QUARTER), 2026, 4, "2026-10-01", "2027-01-01", "2026-Q3",
         "4. kvartal 2026"},
        {"2024-H2", KIND(HALF_YEAR), 2024, 2, "2024-07-01", "2025-01-01", "2024-H1",
         "2. halvår 2024"},
        {"2024-H1", KIND(HALF_YEAR), 2024, 1, "2024-01-01", "2024-07-01", "2023-H2",
         "1. halvår 2024"},
        {"2024-05", KIND(MONTH), 2024, 5, "2024-05-01", "2024-06-01", "2024-04", "mai 2024"},
        {"2024-01", KIND(MONTH), 2024, 1, "2024-01-01", "2024-02-01", "2023-12", "januar 2024"},
        {"2024-12", KIND(MONTH), 2024, 12, "2024-12-01", "2025-01-01", "2024-11", "desember 2024"},
        /* refused */
        {"2024-Q5", 0, 0, 0, NULL, NULL, NULL, NULL},
        {"2024-Q0", 0, 0, 0, NULL, NULL, NULL, NULL},
        {"2024-13", 0, 0, 0, NULL, NULL, NULL, NULL},
        {"2024-00", 0, 0, 0, NULL, NULL, NULL, NULL},
        {"2024-T0", 0, 0, 0, NULL, NULL, NULL, NULL},
        {"2024-T4", 0, 0, 0, NULL, NULL, NULL, NULL},
        {"2024-H3", 0, 0, 0, NULL, NULL, NULL, NULL},
        {"2024-t1", 0, 0, 0, NULL, NULL, NULL, NULL},
        {"2024-5", 0, 0, 0, NULL, NULL, NULL, NULL},
        {"2024-T1x", 0, 0, 0, NULL, NULL, NULL, NULL},
        {"24-T1", 0, 0, 0, NULL, NULL, NULL, NULL},
        {"1999-T1", 0, 0, 0, NULL, NULL, NULL, NULL},
        {"2101-Q1", 0, 0, 0, NULL, NULL, NULL, NULL},
        {"2024-W12", 0, 0, 0, NULL, NULL, NULL, NULL},
        {"", 0, 0, 0, NULL, NULL, NULL, NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        deviation_period_t p;
        int rc = deviation_period_parse(cases[i].text, &p);
        if (!cases[i].kind) {
            if (rc == 0)
                fail_msg("%s was taken for a period", cases[i].text);
            continue;
        }
        if (rc != 0)
            fail_msg("%s was refused", cases[i].text);
        assert_int_equal(p.kind, cases[i].kind);
        assert_int_equal(p.year, cases[i].year);
        assert_int_equal(p.index, cases[i].index);
        char from[11], to_excl[11], name[16], title[48];
        deviation_period_range(p, from, to_excl);
        assert_string_equal(from, cases[i].from);
        assert_string_equal(to_excl, cases[i].to_excl);
        deviation_period_name(p, name);
        assert_string_equal(name, cases[i].text);
        deviation_period_name(deviation_period_previous(p), name);
        assert_string_equal(name, cases[i].previous);
        deviation_period_title(p, title, sizeof title);
        assert_string_equal(title, cases[i].title);
    }
}

static void test_period_of_a_day_and_of_a_range(void **state)
{
    char name[16];
    deviation_period_name(deviation_period_of(KIND(QUARTER), 2026, 12), name);
    assert_string_equal(name, "2026-Q4");
    deviation_period_name(deviation_period_of(KIND(TERTIAL), 2026, 12), name);
    assert_string_equal(name, "2026-T3");
    deviation_period_name(deviation_period_of(KIND(HALF_YEAR), 2026, 6), name);
    assert_string_equal(name, "2026-H1");
    deviation_period_name(deviation_period_of(KIND(MONTH), 2026, 2), name);
    assert_string_equal(name, "2026-02");

    deviation_period_t p;
    assert_int_equal(deviation_period_of_range("2023-05-01", "2023-08-31", &p), 0);
    deviation_period_name(p, name);
    assert_string_equal(name, "2023-T2");
    assert_int_equal(deviation_period_of_range("2016-01-01", "2016-03-31", &p), 0);
    deviation_period_name(p, name);
    assert_string_equal(name, "2016-Q1");
    assert_int_equal(deviation_period_of_range("2024-07-01", "2024-12-31", &p), 0);
    deviation_period_name(p, name);
    assert_string_equal(name, "2024-H2");
    assert_int_equal(deviation_period_of_range("2024-02-01", "2024-02-29", &p), 0);
    deviation_period_name(p, name);
    assert_string_equal(name, "2024-02");
    /* none of them: a day, eight months, a year, a shifted start */
    assert_int_equal(deviation_period_of_range("2024-03-05", "2024-03-05", &p), -1);
    assert_int_equal(deviation_period_of_range("2024-01-01", "2024-08-31", &p), -1);
    assert_int_equal(deviation_period_of_range("2024-01-01", "2024-12-31", &p), -1);
    assert_int_equal(deviation_period_of_range("2024-01-02", "2024-04-30", &p), -1);
    assert_int_equal(deviation_period_of_range("2024-02-01", "2024-02-28", &p), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_deadlines),
        cmocka_unit_test(test_periods),
        cmocka_unit_test(test_period_of_a_day_and_of_a_range),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
