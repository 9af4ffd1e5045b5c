/* The calendars of agenda rendered from data alone, against known
 * calendar text (RFC 5545): a meeting's event with its agenda (a withdrawn
 * item left out, the text escaped, the long description folded at 75
 * octets), a cancelled meeting's calendar cancelling it, and a committee's
 * calendar with one event a meeting, without agendas. */
#include "agenda_ics.h"
#include "harness.h"

#include <stdlib.h>
#include <string.h>

#define STAMP 1675238400LL /* 2023-02-01 08.00 UTC */
#define START 1675857600LL /* 2023-02-08 13.00 in Oslo (CET) */

typedef struct {
    Samhand__V1__Committee committee;
    Samhand__V1__Meeting meetings[2];
    Samhand__V1__Timestamp times[4];
    Samhand__V1__AgendaItem items[4];
    Samhand__V1__Timestamp item_times[4];
    Samhand__V1__AgendaItem *item_ps[4];
} fixture_t;

static void s_fixture(fixture_t *f)
{
    memset(f, 0, sizeof *f);
    samhand__v1__committee__init(&f->committee);
    f->committee.name = "Administrativt samarbeidsutvalg";
    f->committee.short_name = "ASU";
    static const int64_t times[] = {START, START + 3 * 3600, 1678881600, 1678881600 + 2 * 3600};
    for (int i = 0; i < 4; i++) {
        samhand__v1__timestamp__init(&f->times[i]);
        f->times[i].seconds = times[i];
    }
    Samhand__V1__Meeting *m = &f->meetings[0];
    samhand__v1__meeting__init(m);
    m->id = "3f0c5a1e-0000-4000-8000-000000000001";
    m->title = "Møte i administrativt samarbeidsutvalg";
    m->place = "1930, 30M11";
    m->online_url = "https://møte.example/asu";
    m->state = SAMHAND__V1__MEETING__STATE__NOTICE_PUBLISHED;
    m->notice_version = 2;
    m->start_time = &f->times[0];
    m->end_time = &f->times[1];
    static const struct {
        const char *case_number, *title;
        int64_t start;
        bool is_withdrawn;
    } items[] = {
        {"1/23", "Godkjenning av innkalling og saksliste.", START, false},
        {"", "Trukket sak", START + 600, true},
        {"2/23", "Samarbeidsavtale om tjeneste i allmennpraksis for LIS i sykehustjeneste",
         START + 600, false},
        {"", "Pause.", START + 1200, false},
    };
    for (int i = 0; i < 4; i++) {
        samhand__v1__agenda_item__init(&f->items[i]);
        samhand__v1__timestamp__init(&f->item_times[i]);
        f->item_times[i].seconds = items[i].start;
        f->items[i].case_number = (char *)items[i].case_number;
        f->items[i].title = (char *)items[i].title;
        f->items[i].is_withdrawn = items[i].is_withdrawn;
        f->items[i].start_time = &f->item_times[i];
        f->item_ps[i] = &f->items[i];
    }
    m->items = f->item_ps;
    m->n_items = 4;
    Samhand__V1__Meeting *cancelled = &f->meetings[1];
    samhand__v1__meeting__init(cancelled);
    cancelled->id = "3f0c5a1e-0000-4000-8000-000000000002";
    cancelled->state = SAMHAND__V1__MEETING__STATE__CANCELLED;
    cancelled->notice_version = 1;
    cancelled->start_time = &f->times[2];
    cancelled->end_time = &f->times[3];
}

static void test_meeting_calendar_is_the_known_text(void **state)
{
    (void)state;
    fixture_t f;
    s_fixture(&f);
    size_t len = 0;
    char *ics = agenda_ics_meeting(&f.meetings[0], &f.committee, STAMP, &len);
    assert_non_null(ics);
    assert_int_equal(strlen(ics), len);
    assert_string_equal(
        ics, "BEGIN:VCALENDAR\r\n"
             "VERSION:2.0\r\n"
             "PRODID:-//samhand//agenda//NO\r\n"
             "CALSCALE:GREGORIAN\r\n"
             "METHOD:PUBLISH\r\n"
             "BEGIN:VEVENT\r\n"
             "UID:3f0c5a1e-0000-4000-8000-000000000001@samhand\r\n"
             "SEQUENCE:2\r\n"
             "DTSTAMP:20230201T080000Z\r\n"
             "DTSTART:20230208T120000Z\r\n"
             "DTEND:20230208T150000Z\r\n"
             "SUMMARY:ASU: Møte i administrativt samarbeidsutvalg\r\n"
             "LOCATION:1930\\, 30M11\r\n"
             "URL:https://møte.example/asu\r\n"
             "STATUS:CONFIRMED\r\n"
             "DESCRIPTION:Saksliste:\\n13.00 1/23 Godkjenning av innkalling og saksliste.\r\n"
             " \\n13.10 2/23 Samarbeidsavtale om tjeneste i allmennpraksis for LIS i sykeh\r\n"
             " ustjeneste\\n13.20 Pause.\r\n"
             "END:VEVENT\r\n"
             "END:VCALENDAR\r\n");
    free(ics);
}

static void test_cancelled_meeting_s_calendar_cancels_it(void **state)
{
    (void)state;
    fixture_t f;
    s_fixture(&f);
    size_t len = 0;
    char *ics = agenda_ics_meeting(&f.meetings[1], &f.committee, STAMP, &len);
    assert_non_null(strstr(ics, "\r\nMETHOD:CANCEL\r\n"));
    assert_non_null(strstr(ics, "\r\nSTATUS:CANCELLED\r\n"));
    assert_non_null(strstr(ics, "\r\nDESCRIPTION:Saksliste:\r\n")); /* no items */
    free(ics);
}

static void test_committee_calendar_is_the_known_text(void **state)
{
    (void)state;
    fixture_t f;
    s_fixture(&f);
    Samhand__V1__Meeting *meetings[] = {&f.meetings[0], &f.meetings[1]};
    size_t len = 0;
    char *ics = agenda_ics_committee(&f.committee, meetings, 2, STAMP, &len);
    assert_non_null(ics);
    assert_int_equal(strlen(ics), len);
    assert_string_equal(ics, "BEGIN:VCALENDAR\r\n"
                             "VERSION:2.0\r\n"
                             "PRODID:-//samhand//agenda//NO\r\n"
                             "CALSCALE:GREGORIAN\r\n"
                             "METHOD:PUBLISH\r\n"
                             "X-WR-CALNAME:Administrativt samarbeidsutvalg\r\n"
                             "BEGIN:VEVENT\r\n"
                             "UID:3f0c5a1e-0000-4000-8000-000000000001@samhand\r\n"
                             "SEQUENCE:2\r\n"
                             "DTSTAMP:20230201T080000Z\r\n"
                             "DTSTART:20230208T120000Z\r\n"
                             "DTEND:20230208T150000Z\r\n"
                             "SUMMARY:ASU: Møte i administrativt samarbeidsutvalg\r\n"
                             "LOCATION:1930\\, 30M11\r\n"
                             "URL:https://møte.example/asu\r\n"
                             "STATUS:CONFIRMED\r\n"
                             "END:VEVENT\r\n"
                             "BEGIN:VEVENT\r\n"
                             "UID:3f0c5a1e-0000-4000-8000-000000000002@samhand\r\n"
                             "SEQUENCE:1\r\n"
                             "DTSTAMP:20230201T080000Z\r\n"
                             "DTSTART:20230315T120000Z\r\n"
                             "DTEND:20230315T140000Z\r\n"
                             "SUMMARY:ASU\r\n"
                             "STATUS:CANCELLED\r\n"
                             "END:VEVENT\r\n"
                             "END:VCALENDAR\r\n");
    free(ics);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_meeting_calendar_is_the_known_text),
        cmocka_unit_test(test_cancelled_meeting_s_calendar_cancels_it),
        cmocka_unit_test(test_committee_calendar_is_the_known_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
