/* agenda_case_number_format: a case's number as the committee writes it
 * ("{n}/{yy}" gives the seed's 1/23 … 9/23), whatever the buffer. */
#include "harness.h"
#include "agenda_meeting.h"

#include <string.h>

static void test_case_numbers_as_committees_write_them(void **state)
{
    (void)state;
    static const struct {
        const char *format;
        int seq, year;
        const char *number;
    } cases[] = {
        {"{n}/{yy}", 1, 2023, "1/23"}, /* the seed's ASU */
        {"{n}/{yy}", 9, 2023, "9/23"},
        {"{n}/{yy}", 112, 2009, "112/09"},
        {"{yyyy}/{nn}", 7, 2025, "2025/07"},
        {"Sak {nn}-{yyyy}", 12, 2024, "Sak 12-2024"},
        {"PSU {n}/{yy}", 3, 2100, "PSU 3/00"},
        {"{x}/{n}", 4, 2023, "{x}/4"}, /* an unknown field is text */
        {"", 5, 2023, ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char out[64];
        agenda_case_number_format(cases[i].format, cases[i].seq, cases[i].year, out, sizeof out);
        if (strcmp(out, cases[i].number) != 0)
            fail_msg("«%s» of %d in %d is «%s», not «%s»", cases[i].format, cases[i].seq,
                     cases[i].year, out, cases[i].number);
    }
}

static void test_a_short_buffer_is_cut_and_ended(void **state)
{
    (void)state;
    /* every size from none of the text to all of it: terminated, a prefix,
     * never past the end (AddressSanitizer watches the heap copy) */
    const char *whole = "Sak 12345/2023";
    for (size_t size = 1; size <= strlen(whole) + 1; size++) {
        char *out = test_malloc(size);
        agenda_case_number_format("Sak {n}/{yyyy}", 12345, 2023, out, size);
        assert_true(strlen(out) < size);
        assert_memory_equal(out, whole, strlen(out));
        test_free(out);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_case_numbers_as_committees_write_them),
        cmocka_unit_test(test_a_short_buffer_is_cut_and_ended),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
