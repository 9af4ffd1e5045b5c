/* Oslo time and Norwegian working days. */
#include "harness.h"
#include "samhand_time.h"

static void test_oslo_offsets_and_formats(void **state)
{
    /* 08.02.2023 13.00 in Oslo is 12:00 UTC (winter) */
    int64_t meeting = 1675857600;
    assert_int_equal(time_oslo_offset(meeting), 3600);
    char date[11], clock[6];
    time_format_date(meeting, date);
    time_format_clock(meeting, clock);
    assert_string_equal(date, "08.02.2023");
    assert_string_equal(clock, "13.00");
    assert_int_equal(time_oslo_to_utc(2023, 2, 8, 13, 0), meeting);

    /* 27.02.2025 and 02.06.2025 13.00: winter and summer */
    assert_int_equal(time_oslo_to_utc(2025, 6, 2, 13, 0), 1748862000);
    assert_int_equal(time_oslo_offset(1748862000), 7200);

    /* the switches of 2023: 26 March and 29 October at 01:00 UTC */
    assert_int_equal(time_oslo_offset(1679792400 - 1), 3600);
    assert_int_equal(time_oslo_offset(1679792400), 7200);
    assert_int_equal(time_oslo_offset(1698541200 - 1), 7200);
    assert_int_equal(time_oslo_offset(1698541200), 3600);
}

static void test_easter_and_holidays(void **state)
{
    int m, d;
    time_easter(2023, &m, &d);
    assert_int_equal(m, 4);
    assert_int_equal(d, 9);
    time_easter(2025, &m, &d);
    assert_int_equal(m, 4);
    assert_int_equal(d, 20);
    time_easter(2024, &m, &d);
    assert_int_equal(m, 3);
    assert_int_equal(d, 31);

    assert_true(time_is_public_holiday(2023, 4, 6));  /* Maundy Thursday */
    assert_true(time_is_public_holiday(2023, 4, 7));  /* Good Friday */
    assert_true(time_is_public_holiday(2023, 4, 10)); /* Easter Monday */
    assert_true(time_is_public_holiday(2023, 5, 18)); /* Ascension Day */
    assert_true(time_is_public_holiday(2023, 5, 29)); /* Whit Monday */
    assert_true(time_is_public_holiday(2023, 5, 17));
    assert_true(time_is_public_holiday(2023, 12, 26));
    /* the movable ones over several years */
    assert_true(time_is_public_holiday(2024, 3, 28)); /* Maundy Thursday */
    assert_true(time_is_public_holiday(2024, 5, 9));  /* Ascension Day */
    assert_true(time_is_public_holiday(2024, 5, 20)); /* Whit Monday */
    assert_true(time_is_public_holiday(2025, 4, 21)); /* Easter Monday */
    assert_true(time_is_public_holiday(2025, 5, 29)); /* Ascension Day */
    assert_true(time_is_public_holiday(2025, 6, 9));  /* Whit Monday */
    assert_true(time_is_public_holiday(2026, 4, 3));  /* Good Friday */
    assert_true(time_is_public_holiday(2026, 5, 14)); /* Ascension Day */
    assert_false(time_is_public_holiday(2024, 5, 10));
    assert_false(time_is_public_holiday(2023, 4, 5));
    assert_false(time_is_public_holiday(2023, 12, 24));
}

static void test_working_days(void **state)
{
    /* Wednesday 5 April 2023 + 5 working days skips Easter (6, 7, 10 April): 17 April */
    int y = 2023, m = 4, d = 5;
    time_add_working_days(&y, &m, &d, 5);
    assert_int_equal(m, 4);
    assert_int_equal(d, 17);
    /* Friday 12 May 2023 + 3: Mon 15, Tue 16, (17 May), (Thu 18 Ascension), Fri 19 */
    y = 2023, m = 5, d = 12;
    time_add_working_days(&y, &m, &d, 3);
    assert_int_equal(d, 19);
    /* from a Saturday, 0 days gives the next working day */
    y = 2023, m = 2, d = 11;
    time_add_working_days(&y, &m, &d, 0);
    assert_int_equal(d, 13);
    /* 17 May and Whit Monday in one stretch: Tue 16 May 2024 +2 -> Wed 22 May
     * (17 May is a Friday, Whit Monday the 20th) */
    y = 2024, m = 5, d = 16;
    time_add_working_days(&y, &m, &d, 2);
    assert_int_equal(m, 5);
    assert_int_equal(d, 22);
    /* across the new year */
    y = 2022, m = 12, d = 23;
    time_add_working_days(&y, &m, &d, 2);
    assert_int_equal(y, 2022);
    assert_int_equal(m, 12);
    assert_int_equal(d, 28);
}

static void test_working_days_between(void **state)
{
    /* Wednesday 5 April 2023 to Monday 17 April: Easter's 6, 7 and 10 April
     * do not count, the 11th to the 14th and the 17th do */
    assert_int_equal(time_working_days_between("2023-04-05", "2023-04-17"), 5);
    /* from a Saturday the count starts at Monday: Monday itself is day 0 */
    assert_int_equal(time_working_days_between("2023-02-11", "2023-02-13"), 0);
    assert_int_equal(time_working_days_between("2023-02-11", "2023-02-14"), 1);
    /* the same day, an earlier day and no date at all are none */
    assert_int_equal(time_working_days_between("2023-02-13", "2023-02-13"), 0);
    assert_int_equal(time_working_days_between("2023-02-14", "2023-02-13"), 0);
    assert_int_equal(time_working_days_between("", "2023-02-13"), 0);
    /* a long stretch has no cap: from Friday 29 December 2023, all of 2024's
     * 252 working days (366 days, 104 weekend days, 10 weekday holidays) */
    assert_int_equal(time_working_days_between("2023-12-29", "2024-12-31"), 252);
    /* agrees with adding working days: Tue 16 May 2024 + 2 is Wed 22 May */
    assert_int_equal(time_working_days_between("2024-05-16", "2024-05-22"), 2);
}

static void test_oslo_date_iso(void **state)
{
    char day[11];
    /* 2023-03-25 23:30 UTC is already the 26th in Oslo (CET, +1) */
    time_oslo_date_iso(1679787000, day);
    assert_string_equal(day, "2023-03-26");
    /* 2023-07-01 21:59 UTC is 23:59 in Oslo (CEST, +2) */
    time_oslo_date_iso(1688248740, day);
    assert_string_equal(day, "2023-07-01");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_oslo_offsets_and_formats),
        cmocka_unit_test(test_easter_and_holidays),
        cmocka_unit_test(test_working_days),
        cmocka_unit_test(test_working_days_between),
        cmocka_unit_test(test_oslo_date_iso),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
