/* Each committee's numbering practice, through HTTP on real PostgreSQL: a
 * committee that gives any other business no number, a case postponed in
 * November that keeps its number on January's agenda among the new year's
 * cases (or, as the committee may choose, takes a new one), and a committee
 * that moves to samhand mid-year continuing where its old system stopped,
 * never back over a number a notice gave. */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static harness_stack_t s_stack;

static void s_committee(const char *name, const char *practice, char id[40])
{
    char body[512];
    snprintf(body, sizeof body, "{\"name\":\"%s\",\"kind\":\"ADMINISTRATIVE\"%s%s}", name,
             practice[0] ? "," : "", practice);
    harness_stack_create(&s_stack, "/v1/committees", body, id);
}

static void s_meeting(const char *committee, const char *start, const char *end, char id[40])
{
    char body[512];
    snprintf(body, sizeof body,
             "{\"committeeId\":\"%s\",\"title\":\"Møte\",\"startTime\":\"%s\",\"endTime\":\"%s\","
             "\"place\":\"Teams\"}",
             committee, start, end);
    harness_stack_create(&s_stack, "/v1/meetings", body, id);
}

static void s_item(const char *meeting, const char *kind, const char *title, char id[40])
{
    char body[256];
    snprintf(body, sizeof body, "{\"kind\":\"%s\",\"title\":\"%s\",\"durationMin\":10}", kind,
             title);
    harness_stack_add_item(&s_stack, meeting, body, id);
}

static void s_outcome(const char *meeting, const char *item, const char *outcome)
{
    char path[200], body[64];
    snprintf(path, sizeof path, "/v1/meetings/%s/items/%s/outcome", meeting, item);
    snprintf(body, sizeof body, "{\"outcome\":\"%s\"}", outcome);
    harness_http_response_t *r = harness_stack_send(&s_stack, "PUT", path, body);
    harness_expect_status(r, 200);
    harness_http_response_free(&r);
}

/* The case numbers of the meeting's agenda in order, "-" for none:
 * "1/41 - 2/41". */
static void s_numbers(const char *meeting, char *out, size_t size)
{
    char path[128];
    snprintf(path, sizeof path, "/v1/meetings/%s", meeting);
    harness_http_response_t *r = harness_stack_get(&s_stack, path);
    harness_expect_status(r, 200);
    json_t *items = json_object_get(r->json, "items");
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < json_array_size(items); i++) {
        const char *number =
            json_string_value(json_object_get(json_array_get(items, i), "caseNumber"));
        used += (size_t)snprintf(out + used, size - used, "%s%s", i ? " " : "",
                                 number && number[0] ? number : "-");
    }
    harness_http_response_free(&r);
}

static harness_http_response_t *s_set_next(const char *committee, const char *year,
                                           const char *body)
{
    char path[200];
    snprintf(path, sizeof path, "/v1/committees/%s/case-numbering/%s", committee, year);
    return harness_stack_send(&s_stack, "PUT", path, body);
}

/* The year's next number set as asked. */
static void s_next_is(const char *committee, const char *year, int next)
{
    char body[48];
    snprintf(body, sizeof body, "{\"nextNumber\":%d}", next);
    harness_http_response_t *r = s_set_next(committee, year, body);
    harness_expect_status(r, 200);
    assert_int_equal(json_integer_value(json_object_get(r->json, "nextNumber")), next);
    harness_http_response_free(&r);
}

static int s_setup(void **state)
{
    harness_stack_start(&s_stack, harness_database_url());
    return 0;
}

static int s_teardown(void **state)
{
    harness_stack_stop(&s_stack);
    return 0;
}

/* A meeting on `date` from 11.00 UTC, with every kind of
 * item, published; its case numbers into `numbers`. */
static void s_agenda_published(const char *committee, const char *date, char meeting[40],
                               char *numbers, size_t size)
{
    static const char *const agenda[][2] = {{"NOTICE_APPROVAL", "Godkjenning av innkalling"},
                                            {"CASE", "Økonomirapport"},
                                            {"BREAK", "Pause"},
                                            {"ORIENTATION", "Orientering fra kommunene"},
                                            {"ANY_OTHER_BUSINESS", "Eventuelt"}};
    char start[32], end[32];
    snprintf(start, sizeof start, "%sT11:00:00Z", date);
    snprintf(end, sizeof end, "%sT14:00:00Z", date);
    s_meeting(committee, start, end, meeting);
    for (size_t i = 0; i < sizeof agenda / sizeof agenda[0]; i++)
        s_item(meeting, agenda[i][0], agenda[i][1], NULL);
    harness_stack_publish(&s_stack, meeting);
    s_numbers(meeting, numbers, size);
}

/* One committee numbers Eventuelt (samhand's default), another does not;
 * breaks never get one. */
static void test_a_committee_that_does_not_number_any_other_business(void **state)
{
    char psu[40], asu[40], meeting[40];
    s_committee("Partssammensatt samarbeidsutvalg", "\"unnumberedKinds\":[\"ANY_OTHER_BUSINESS\"]",
                psu);
    s_committee("Administrativt samarbeidsutvalg", "", asu);

    char path[128];
    snprintf(path, sizeof path, "/v1/committees/%s", psu);
    harness_http_response_t *r = harness_stack_get(&s_stack, path);
    harness_expect_status(r, 200);
    json_t *kinds = json_object_get(r->json, "unnumberedKinds");
    assert_int_equal(json_array_size(kinds), 2);
    assert_string_equal(json_string_value(json_array_get(kinds, 0)), "BREAK");
    assert_string_equal(json_string_value(json_array_get(kinds, 1)), "ANY_OTHER_BUSINESS");
    assert_string_equal(harness_json_text(r, "carriedCaseNumber"), "KEPT");
    harness_http_response_free(&r);

    char numbers[128];
    s_agenda_published(psu, "2041-03-06", meeting, numbers, sizeof numbers);
    assert_string_equal(numbers, "1/41 2/41 - 3/41 -");
    s_agenda_published(asu, "2041-03-07", meeting, numbers, sizeof numbers);
    assert_string_equal(numbers, "1/41 2/41 - 3/41 4/41");

    /* the practice changes with the agreement (with the version read): the
     * notices out keep their numbers, the next one follows the new practice */
    r = harness_stack_get(&s_stack, path);
    char etag[64], if_match[80];
    harness_http_header(r, "ETag", etag, sizeof etag);
    harness_http_response_free(&r);
    snprintf(if_match, sizeof if_match, "If-Match: %s", etag);
    char url[256];
    snprintf(url, sizeof url, "%s/v1/committees/%s", s_stack.base_url, asu);
    const char *headers[] = {s_stack.auth_header, if_match, NULL};
    r = harness_http_request("PATCH", url,
                             "{\"unnumberedKinds\":[\"ORIENTATION\",\"ANY_OTHER_BUSINESS\"],"
                             "\"carriedCaseNumber\":\"NEW\"}",
                             headers);
    harness_assert_problem(r, 412, NULL); /* the ETag was PSU's */
    harness_http_response_free(&r);
    snprintf(path, sizeof path, "/v1/committees/%s", asu);
    r = harness_stack_get(&s_stack, path);
    harness_http_header(r, "ETag", etag, sizeof etag);
    harness_http_response_free(&r);
    snprintf(if_match, sizeof if_match, "If-Match: %s", etag);
    r = harness_http_request("PATCH", url,
                             "{\"unnumberedKinds\":[\"ORIENTATION\",\"ANY_OTHER_BUSINESS\"],"
                             "\"carriedCaseNumber\":\"NEW\"}",
                             headers);
    harness_expect_status(r, 200);
    assert_int_equal(json_array_size(json_object_get(r->json, "unnumberedKinds")), 3);
    assert_string_equal(harness_json_text(r, "carriedCaseNumber"), "NEW");
    harness_http_response_free(&r);
    s_numbers(meeting, numbers, sizeof numbers);
    assert_string_equal(numbers, "1/41 2/41 - 3/41 4/41");
    char april[40];
    s_agenda_published(asu, "2041-04-07", april, numbers, sizeof numbers);
    assert_string_equal(numbers, "5/41 6/41 - - -");

    /* a case is always numbered, and a practice named as the API names it */
    r = harness_stack_send(&s_stack, "PATCH", path, "{\"unnumberedKinds\":[\"CASE\"]}");
    harness_assert_problem(r, 400, "unnumberedKinds");
    harness_http_response_free(&r);
    r = harness_stack_send(&s_stack, "PATCH", path,
                           "{\"carriedCaseNumber\":\"CARRIED_CASE_NUMBER_UNSPECIFIED\"}");
    harness_assert_problem(r, 400, "carriedCaseNumber");
    harness_http_response_free(&r);
    r = harness_stack_send(
        &s_stack, "POST", "/v1/committees",
        "{\"name\":\"X\",\"kind\":\"OTHER\",\"unnumberedKinds\":[\"MINUTES_APPROVAL\"]}");
    harness_assert_problem(r, 400, "unnumberedKinds");
    harness_http_response_free(&r);
}

/* The event of the meeting's notice (the last one of `type` for it). */
static json_t *s_notice_event(const char *meeting, harness_http_response_t **r)
{
    for (int attempt = 0; attempt < 100; attempt++) {
        *r = harness_stack_get(&s_stack,
                               "/v1/events?types=no.samhand.meeting.notice_published&limit=500");
        json_t *items = json_object_get((*r)->json, "items");
        for (size_t i = json_array_size(items); i-- > 0;) {
            json_t *data = json_object_get(json_array_get(items, i), "data");
            json_t *m = json_object_get(data, "meeting") ? json_object_get(data, "meeting") : data;
            const char *id = json_string_value(json_object_get(m, "id"));
            if (id && strcmp(id, meeting) == 0)
                return m;
        }
        harness_http_response_free(r);
        usleep(100 * 1000);
    }
    fail_msg("no notice event of meeting %s", meeting);
    return NULL;
}

/* A case postponed in November keeps its number on January's agenda, among
 * the new year's cases, using none of their numbers; it shows so on the
 * notice, the calendar, the minutes and in the events. The committee moved
 * to samhand in the autumn: 2024's numbers continue from 12. */
static void test_a_postponed_case_keeps_its_number_into_the_new_year(void **state)
{
    char asu[40], november[40], january[40], postponed[40], other[40], path[200];
    s_committee("Administrativt samarbeidsutvalg Innherred", "", asu);
    s_next_is(asu, "2024", 12);

    s_meeting(asu, "2024-11-14T12:00:00+01:00", "2024-11-14T15:00:00+01:00", november);
    s_item(november, "CASE", "Felles rutine for ø-hjelp", postponed);
    s_item(november, "CASE", "Budsjett 2025", other);
    harness_stack_publish(&s_stack, november);
    char numbers[128];
    s_numbers(november, numbers, sizeof numbers);
    assert_string_equal(numbers, "12/24 13/24");
    s_outcome(november, postponed, "POSTPONED");
    s_outcome(november, other, "NOTED");

    /* January's agenda: the carried case (there as soon as the meeting is)
     * as 12/24, the new year's own cases from 1/25 with no gap */
    s_meeting(asu, "2025-01-16T12:00:00+01:00", "2025-01-16T15:00:00+01:00", january);
    char first[40];
    s_item(january, "NOTICE_APPROVAL", "Godkjenning av innkalling", first);
    s_item(january, "CASE", "Samhandlingsavvik tertial 3", NULL);
    harness_stack_publish(&s_stack, january);
    s_numbers(january, numbers, sizeof numbers);
    assert_string_equal(numbers, "12/24 1/25 2/25");
    harness_http_response_t *r =
        s_set_next(asu, "2025", "{\"nextNumber\":3}"); /* 1/25 and 2/25 given, no more */
    harness_expect_status(r, 200);
    assert_int_equal(json_integer_value(json_object_get(r->json, "lastGiven")), 2);
    harness_http_response_free(&r);

    snprintf(path, sizeof path, "/v1/meetings/%s/notice.html", january);
    r = harness_stack_get(&s_stack, path);
    harness_expect_status(r, 200);
    assert_non_null(strstr(r->body, "12/24"));
    assert_non_null(strstr(r->body, "Utsatt fra møtet 14.11.2024"));
    assert_null(strstr(r->body, "3/25"));
    harness_http_response_free(&r);
    snprintf(path, sizeof path, "/v1/meetings/%s/calendar.ics", january);
    r = harness_stack_get(&s_stack, path);
    harness_expect_status(r, 200);
    char *unfolded = strdup(r->body), *to = unfolded; /* lines fold at 75 octets */
    for (const char *from = r->body; *from; from++)
        if (strncmp(from, "\r\n ", 3) == 0)
            from += 2;
        else
            *to++ = *from;
    *to = '\0';
    assert_non_null(strstr(unfolded, "12/24 Felles rutine for ø-hjelp"));
    free(unfolded);
    harness_http_response_free(&r);

    json_t *m = s_notice_event(january, &r);
    json_t *items = json_object_get(m, "items");
    assert_string_equal(json_string_value(json_object_get(json_array_get(items, 0), "caseNumber")),
                        "12/24");
    harness_http_response_free(&r);

    char carried[40];
    snprintf(path, sizeof path, "/v1/meetings/%s", january);
    r = harness_stack_get(&s_stack, path);
    snprintf(carried, sizeof carried, "%s",
             json_string_value(
                 json_object_get(json_array_get(json_object_get(r->json, "items"), 0), "id")));
    harness_http_response_free(&r);
    s_outcome(january, carried, "NOTED");
    snprintf(path, sizeof path, "/v1/meetings/%s/minutes.html", january);
    r = harness_stack_get(&s_stack, path);
    harness_expect_status(r, 200);
    assert_non_null(strstr(r->body, "<h3>12/24 Felles rutine for ø-hjelp</h3>"));
    harness_http_response_free(&r);
}

/* A committee whose practice is a new number: the carried case takes the
 * next of the new year's, and every later one shifts. */
static void test_a_postponed_case_may_take_a_new_number(void **state)
{
    char council[40], october[40], november[40], item[40];
    s_committee("Fagråd for legesamarbeid", "\"carriedCaseNumber\":\"NEW\"", council);
    s_meeting(council, "2025-10-02T14:00:00+02:00", "2025-10-02T15:00:00+02:00", october);
    s_item(october, "CASE", "Legevaktsamarbeid", item);
    harness_stack_publish(&s_stack, october);
    s_outcome(october, item, "POSTPONED");
    s_meeting(council, "2025-11-06T14:00:00+01:00", "2025-11-06T15:00:00+01:00", november);
    s_item(november, "CASE", "Fastlegeordningen", NULL);
    harness_stack_publish(&s_stack, november);
    char numbers[64];
    s_numbers(november, numbers, sizeof numbers);
    assert_string_equal(numbers, "2/25 3/25");
    char path[128];
    snprintf(path, sizeof path, "/v1/meetings/%s/notice.html", november);
    harness_http_response_t *r = harness_stack_get(&s_stack, path);
    assert_non_null(strstr(r->body, "Utsatt fra møtet 02.10.2025, sak 1/25"));
    harness_http_response_free(&r);
}

/* A partnership that moves to samhand in June continues the year's numbers
 * where its old system stopped; never back over one a notice gave. */
static void test_a_committee_starting_mid_year_continues_its_numbers(void **state)
{
    char asu[40], june[40], september[40];
    s_committee("Administrativt samarbeidsutvalg Namdal", "", asu);
    harness_http_response_t *r = s_set_next(asu, "2042", "{\"nextNumber\":15}");
    harness_expect_status(r, 200);
    assert_int_equal(json_integer_value(json_object_get(r->json, "nextNumber")), 15);
    assert_int_equal(json_integer_value(json_object_get(r->json, "lastGiven")), 0);
    assert_int_equal(json_integer_value(json_object_get(r->json, "year")), 2042);
    harness_http_response_free(&r);
    /* changed its mind before any notice: nothing given, nothing in the way */
    s_next_is(asu, "2042", 7);
    s_next_is(asu, "2042", 15);

    s_meeting(asu, "2042-06-12T12:00:00+02:00", "2042-06-12T15:00:00+02:00", june);
    s_item(june, "CASE", "Overgang til samhand", NULL);
    s_item(june, "CASE", "Tjenesteavtale 2", NULL);
    harness_stack_publish(&s_stack, june);
    char numbers[64];
    s_numbers(june, numbers, sizeof numbers);
    assert_string_equal(numbers, "15/42 16/42");

    /* refused at or below a number given, naming the field, in bokmål too */
    r = s_set_next(asu, "2042", "{\"nextNumber\":16}");
    harness_assert_problem(r, 409, "nextNumber");
    assert_non_null(strstr(harness_json_text(r, "detail"), "after 16"));
    harness_http_response_free(&r);
    char url[256];
    snprintf(url, sizeof url, "%s/v1/committees/%s/case-numbering/2042", s_stack.base_url, asu);
    const char *norwegian[] = {s_stack.auth_header, "Accept-Language: nb", NULL};
    r = harness_http_request("PUT", url, "{\"nextNumber\":3}", norwegian);
    harness_assert_problem(r, 409, "nextNumber");
    assert_non_null(
        strstr(harness_json_text(r, "detail"), "må være etter 16, det siste saksnummeret"));
    harness_http_response_free(&r);
    /* past them it is fine: the old system's numbers for a joint meeting */
    s_next_is(asu, "2042", 20);
    s_meeting(asu, "2042-09-11T12:00:00+02:00", "2042-09-11T15:00:00+02:00", september);
    s_item(september, "CASE", "Høring", NULL);
    harness_stack_publish(&s_stack, september);
    s_numbers(september, numbers, sizeof numbers);
    assert_string_equal(numbers, "20/42");

    r = s_set_next(asu, "2042", "{\"nextNumber\":20}");
    harness_assert_problem(r, 409, "nextNumber");
    harness_http_response_free(&r);
    r = s_set_next(asu, "2042", "{\"nextNumber\":21}");
    harness_expect_status(r, 200);
    assert_int_equal(json_integer_value(json_object_get(r->json, "lastGiven")), 20);
    harness_http_response_free(&r);

    /* what the request must hold */
    r = s_set_next(asu, "2042", "{\"nextNumber\":0}");
    harness_assert_problem(r, 400, "nextNumber");
    harness_http_response_free(&r);
    r = s_set_next(asu, "1999", "{\"nextNumber\":5}");
    harness_assert_problem(r, 400, "year");
    harness_http_response_free(&r);
    r = s_set_next("00000000-0000-0000-0000-000000000000", "2042", "{\"nextNumber\":5}");
    harness_assert_problem(r, 404, NULL);
    harness_http_response_free(&r);
    r = harness_http_request("PUT", url, "{\"nextNumber\":30}", NULL);
    assert_int_equal(r->status, 401);
    harness_http_response_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_committee_that_does_not_number_any_other_business),
        cmocka_unit_test(test_a_postponed_case_keeps_its_number_into_the_new_year),
        cmocka_unit_test(test_a_postponed_case_may_take_a_new_number),
        cmocka_unit_test(test_a_committee_starting_mid_year_continues_its_numbers),
    };
    return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
