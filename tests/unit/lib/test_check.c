/* Input syntax checks: what the services accept as ids, dates, addresses, text. */
#include "harness.h"
#include "samhand_check.h"

static void test_uuid(void **state)
{
    assert_true(check_uuid("e4f135a4-c8a9-47dd-a08e-155909ec87ae"));
    assert_true(check_uuid("E4F135A4-C8A9-47DD-A08E-155909EC87AE"));
    assert_false(check_uuid("e4f135a4c8a947dda08e155909ec87ae"));
    assert_false(check_uuid("e4f135a4-c8a9-47dd-a08e-155909ec87a"));
    assert_false(check_uuid("g4f135a4-c8a9-47dd-a08e-155909ec87ae"));
    assert_false(check_uuid("1; DROP TABLE x"));
    assert_false(check_uuid(NULL));
}

static void test_date(void **state)
{
    assert_true(check_date("2023-02-08"));
    assert_true(check_date("2024-02-29"));  /* leap year */
    assert_false(check_date("2023-02-29")); /* not a leap year */
    assert_false(check_date("1900-02-29")); /* century, not leap */
    assert_true(check_date("2000-02-29"));  /* 400 years, leap */
    assert_false(check_date("2023-13-01"));
    assert_false(check_date("2023-04-31"));
    assert_false(check_date("08.02.2023"));
    assert_false(check_date("2023-2-8"));
}

static void test_email(void **state)
{
    assert_true(check_email("postmottak@stolav.no"));
    assert_true(check_email("a.b+c@trondheim.kommune.no"));
    assert_false(check_email("postmottak"));
    assert_false(check_email("@stolav.no"));
    assert_false(check_email("a@b"));
    assert_false(check_email("a b@stolav.no"));
    assert_false(check_email("a@@stolav.no"));
}

/* What may go into a Content-Type header: RFC 9110's grammar, nothing else. */
static void test_media_type(void **state)
{
    assert_true(check_media_type("application/pdf"));
    assert_true(check_media_type("text/plain; charset=utf-8"));
    assert_true(check_media_type("text/plain;charset=\"utf-8\""));
    assert_true(check_media_type(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"));
    assert_false(check_media_type("text/plain\r\nX-Injected: 1"));
    assert_false(check_media_type("text/plain; a=b\r\nX-Injected: 1"));
    assert_false(check_media_type("text/plain; a=\"b\r\n\""));
    assert_false(check_media_type("text/plain; a=\"b"));
    assert_false(check_media_type("text/plain; a"));
    assert_false(check_media_type("text"));
    assert_false(check_media_type("/plain"));
    assert_false(check_media_type("text/"));
    assert_false(check_media_type("te xt/plain"));
    assert_false(check_media_type(""));
}

/* A text cut by a byte limit is cut back to its last whole character. */
static void test_utf8_cut(void **state)
{
    char text[16];
    snprintf(text, sizeof text, "%.5s", "blåbær"); /* "bl", "å" (2 bytes), "b", half of "æ" */
    check_utf8_cut(text);
    assert_string_equal(text, "blåb");
    snprintf(text, sizeof text, "%s", "blåbær");
    check_utf8_cut(text);
    assert_string_equal(text, "blåbær");
    snprintf(text, sizeof text, "%s", "ab\xc3");
    check_utf8_cut(text);
    assert_string_equal(text, "ab");
}

static void test_text(void **state)
{
    assert_true(check_text("Administrativt samarbeidsutvalg (ASU) – Trøndelag", 200));
    assert_true(check_text("linje 1\nlinje 2\ttab", 200));
    assert_false(check_text("bell\x07", 200));
    assert_false(check_text("\xc3\x28", 200));     /* invalid continuation */
    assert_false(check_text("\xed\xa0\x80", 200)); /* UTF-16 surrogate */
    assert_false(check_text("\xe0\x80\xaf", 200)); /* overlong */
    assert_true(check_text("æøå", 3));
    assert_false(check_text("æøåx", 3)); /* counts characters, not bytes */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_uuid),     cmocka_unit_test(test_date),
        cmocka_unit_test(test_email),    cmocka_unit_test(test_media_type),
        cmocka_unit_test(test_utf8_cut), cmocka_unit_test(test_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
