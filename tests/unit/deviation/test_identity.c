/* Identity numbers in free text as people write them: refused in every
 * spelling of one, with where it starts and how long it is written; other
 * numbers (accounts, phones, dates with case numbers) accepted. */
#include "harness.h"
#include "deviation_identity.h"

/* 2026-12-01, the last second of 2031 and the first of 2032 in Oslo */
#define IN_2026 INT64_C(1796083200)
#define IN_2031 (DEVIATION_IDENTITY_NEW_SERIES_S - 1)
#define IN_2032 DEVIATION_IDENTITY_NEW_SERIES_S

static void test_check_digits(void **state)
{
    assert_true(deviation_identity_valid("15057522035", IN_2026));
    assert_true(deviation_identity_valid("41019012393", IN_2026)); /* D-number: day + 40 */
    assert_true(deviation_identity_valid("15457522018", IN_2026)); /* H-number: month + 40 */
    assert_true(deviation_identity_valid("81234567802", IN_2026)); /* FH-number: no date */
    assert_true(deviation_identity_valid("01010100131", IN_2026));
    assert_false(deviation_identity_valid("15057522036", IN_2026)); /* second check digit off */
    assert_false(deviation_identity_valid("15057522135", IN_2026)); /* first check digit off */
    assert_false(deviation_identity_valid("12345678901", IN_2026));
    assert_false(deviation_identity_valid("12345678911", IN_2026)); /* both hold, 12.34 no date */
    /* the 2032 series: the first check's remainder 1, 2 or 3 from 1 January 2032 */
    assert_false(deviation_identity_valid("01019033127", IN_2031));
    assert_true(deviation_identity_valid("01019033127", IN_2032));
    assert_true(deviation_identity_valid("01019033135", IN_2032));
    assert_true(deviation_identity_valid("01019033143", IN_2032));
    assert_false(deviation_identity_valid("01019033151", IN_2032)); /* remainder 4 */
    assert_false(deviation_identity_valid("0101903311x", IN_2026));
}

static const struct {
    const char *text;
    int64_t written_s;
    int position; /* 0: accepted */
    int length;
    const char *why;
} s_spellings[] = {
    /* refused: an identity number however it is written */
    {"15057522035", IN_2026, 1, 11, "eleven digits in a row"},
    {"Pasient 15057522035 fikk ikke epikrise.", IN_2026, 9, 11, "inside a sentence"},
    {"010190-33119", IN_2026, 1, 12, "a hyphen before the individual number"},
    {"01.01.90 33119", IN_2026, 1, 14, "the date with full stops, then a space"},
    {"010190\u00a033119", IN_2026, 1, 12, "a no-break space before the individual number"},
    {"010190 33119", IN_2026, 1, 12, "a space before the individual number"},
    {"01.01.90-33119", IN_2026, 1, 14, "full stops, then a hyphen"},
    {"01-01-90-33119", IN_2026, 1, 14, "hyphens throughout"},
    {"01 01 90 33119", IN_2026, 1, 14, "spaces throughout"},
    {"01.01.90\u00a033119", IN_2026, 1, 14, "full stops, then a no-break space"},
    {"010190\u202f33119", IN_2026, 1, 12, "a narrow no-break space"},
    {"010190\u200933119", IN_2026, 1, 12, "a thin space"},
    {"010190\t33119", IN_2026, 1, 12, "a tab"},
    {"010190  33119", IN_2026, 1, 13, "two spaces are still one gap"},
    {"010190 - 33119", IN_2026, 1, 14, "a spaced hyphen"},
    {"010190\u201333119", IN_2026, 1, 12, "an en dash"},
    {"010190\u201133119", IN_2026, 1, 12, "a non-breaking hyphen"},
    {"010190\n33119", IN_2026, 1, 12, "split over a line break"},
    {"010190\r\n33119", IN_2026, 1, 13, "split over a Windows line break"},
    {"01.01.90\u202833119", IN_2026, 1, 14, "a Unicode line separator"},
    {"0101903\n3119", IN_2026, 1, 12, "wrapped inside the individual number"},
    {"01019\r\n033119", IN_2026, 1, 13, "wrapped inside the date"},
    {"010190 -\n 33119", IN_2026, 1, 15, "hyphenated at a line's end, the next indented"},
    {"0101\u00ad9033119", IN_2026, 1, 12, "an invisible soft hyphen"},
    {"010\u200b19033119", IN_2026, 1, 12, "a zero-width space anywhere"},
    {"\uff10\uff11\uff10\uff11\uff19\uff10\uff13\uff13\uff11\uff11\uff19", IN_2026, 1, 11,
     "full-width digits"},
    {"41.01.90 12393", IN_2026, 1, 14, "a D-number: the day + 40"},
    {"15.45.75 22018", IN_2026, 1, 14, "an H-number: the month + 40"},
    {"81234567802", IN_2026, 1, 11, "an FH-number holds no date"},
    {"Bør på: 01.01.90 33119", IN_2026, 9, 14, "characters counted, not bytes: æ, ø, å are one"},
    {"(010190-33119)", IN_2026, 2, 12, "in parentheses"},
    {"fnr:010190-33119.", IN_2026, 5, 12, "after a colon, before a full stop"},
    {"Tlf 73 86 80 00, 010190 33119", IN_2026, 18, 12, "after a phone number"},
    {"1234 01019033119", IN_2026, 6, 11, "after other digits and a space"},
    {"12 01 01 90 33119", IN_2026, 4, 14, "in a run of pairs, where it starts"},
    {"01.01.90 33119 og 15057522035", IN_2026, 1, 14, "the first of two"},
    {"01019033127", IN_2032, 1, 11, "the 2032 series, first check's remainder 1, in 2032"},
    {"01.01.90 33143", IN_2032, 1, 14, "the 2032 series, remainder 3, spelt out, in 2032"},
    {"15057522035", IN_2032, 1, 11, "today's series still holds in 2032"},
    /* accepted: no identity number */
    {"", IN_2026, 0, 0, "nothing"},
    {"Referanse 12345678901", IN_2026, 0, 0, "the check digits fail"},
    {"150575220350", IN_2026, 0, 0, "twelve digits"},
    {"915057522035", IN_2026, 0, 0, "part of a longer run"},
    {"01.01.90 3311", IN_2026, 0, 0, "ten digits"},
    {"1505752 2035", IN_2026, 0, 0, "a space inside the individual number"},
    {"01019 033119", IN_2026, 0, 0, "a space that parts none of the date's parts"},
    {"01.0190 33119", IN_2026, 0, 0, "the date neither whole nor in its three parts"},
    {"010190          33119", IN_2026, 0, 0, "too far apart to be one number"},
    {"1234.56.78903", IN_2026, 0, 0, "an account number"},
    {"0101.90.33119", IN_2026, 0, 0, "an account number (11 digits a mod-11 one too)"},
    {"0101 90 33119", IN_2026, 0, 0, "an account number with spaces"},
    {"+47 915 57 522", IN_2026, 0, 0, "a mobile number"},
    {"Ring 73 86 80 00 eller 915 57 522", IN_2026, 0, 0, "two phone numbers"},
    {"+4791557522", IN_2026, 0, 0, "a phone number with its country code"},
    {"Møtet 08.02.23 behandlet sak 12/23", IN_2026, 0, 0, "a date, then a case number"},
    {"01.01.90 33/119", IN_2026, 0, 0, "a date, then a case number: '/' parts nothing"},
    {"08.02.2023 2023/00123", IN_2026, 0, 0, "a date, then an archive case number"},
    {"08.02.23 13.00–13.10", IN_2026, 0, 0, "a date, then a time slot"},
    {"orgnr 883974832", IN_2026, 0, 0, "an organisation number"},
    {"12.34.56 78911", IN_2026, 0, 0, "check digits hold, but 12.34 is no date"},
    {"12345678911", IN_2026, 0, 0, "check digits hold, no date, no FH-number"},
    {"01019033127", IN_2031, 0, 0, "the 2032 series before 2032: none issued yet"},
    {"01019033151", IN_2032, 0, 0, "remainder 4: no series has it"},
    {"010190\x80"
     "33119",
     IN_2026, 0, 0, "a byte that is no character parts the number"},
};

static void test_every_spelling(void **state)
{
    size_t refused = 0, accepted = 0;
    for (size_t i = 0; i < sizeof s_spellings / sizeof s_spellings[0]; i++) {
        deviation_identity_at_t at =
            deviation_identity_find(s_spellings[i].text, s_spellings[i].written_s);
        if (at.position != s_spellings[i].position || at.length != s_spellings[i].length)
            fail_msg("row %zu (%s): found at %d, %d long; expected %d, %d long", i,
                     s_spellings[i].why, at.position, at.length, s_spellings[i].position,
                     s_spellings[i].length);
        if (at.position)
            refused++;
        else
            accepted++;
    }
    assert_true(refused >= 20 && accepted >= 20);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_check_digits),
        cmocka_unit_test(test_every_spelling),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
