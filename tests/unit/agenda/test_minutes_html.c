/* The minutes as HTML, rendered from data alone: a known meeting of ASU
 * (shared/seeds/003, 08.02.2023) with a member absent and the deputy who
 * came for her, one who stepped out of an item as disqualified, reads as
 * this text, word for word. */
#include "agenda_minutes_html.h"
#include "harness.h"

#include <stdlib.h>
#include <string.h>

/* 2023-02-08 13.00 in Oslo (CET) */
#define SEED_START 1675857600LL

static const char *const s_expected =
    "<!DOCTYPE html>\n<html lang=\"nb\">\n<head>\n<meta charset=\"utf-8\">\n"
    "<title>Referat – ASU 08.02.2023</title>\n"
    "<style>body{font-family:sans-serif;max-width:62em;margin:2em auto;padding:0 1em}"
    "h3{margin-bottom:.2em}.vedtak{margin-left:1em}.status{color:#555}</style>\n"
    "</head>\n<body>\n<h1>Referat fra Administrativt samarbeidsutvalg 08.02.2023</h1>\n"
    "<p class=\"status\">Utkast – ikke godkjent.</p>\n"
    "<p>Sted: 1930, 30M11<br>\nTid: 08.02.2023 kl. 13.00–16.00<br>\n"
    "Møteleder: Ingjerd Astad</p>\n"
    "<p>Til stede: Ingjerd Astad, Runar Asp</p>\n"
    "<p>Vara: Dag To (for Kari Nordmann)</p>\n"
    "<p>Forfall: Kari Nordmann</p>\n"
    "<h3>1/23 Godkjenning av innkalling og saksliste.</h3>\n"
    "<p class=\"vedtak\"><strong>Vedtak:</strong><br>Innkalling og saksliste godkjennes.</p>\n"
    "<h3>2/23 Tilsetting av fagrådsleder</h3>\n"
    "<p class=\"inhabil\">Runar Asp ble funnet inhabil (forvaltningsloven § 6) og fratrådte "
    "under behandlingen av saken.</p>\n"
    "<p>Momenter fra diskusjonen:</p>\n<ul>\n<li>Tre søkere &lt;intervjuet&gt;.</li>\n</ul>\n"
    "<p class=\"vedtak\"><strong>Vedtak:</strong><br>1. ASU tilsetter.<br>2. Tiltredelse "
    "1. mai.</p>\n"
    "<h3>3/23 Evaluering av pandemihåndteringen</h3>\n"
    "<p class=\"vedtak\"><strong>Vedtak:</strong><br>Tatt til orientering.</p>\n"
    "</body>\n</html>\n";

static void test_minutes_read_as_the_known_text(void **state)
{
    (void)state;
    Samhand__V1__Committee committee = SAMHAND__V1__COMMITTEE__INIT;
    committee.name = "Administrativt samarbeidsutvalg";
    committee.short_name = "ASU";
    Samhand__V1__Person chair = SAMHAND__V1__PERSON__INIT;
    chair.name = "Ingjerd Astad";
    Samhand__V1__Timestamp start = SAMHAND__V1__TIMESTAMP__INIT, end = SAMHAND__V1__TIMESTAMP__INIT;
    start.seconds = SEED_START;
    end.seconds = SEED_START + 3 * 3600;
    Samhand__V1__Meeting meeting = SAMHAND__V1__MEETING__INIT;
    meeting.place = "1930, 30M11";
    meeting.start_time = &start;
    meeting.end_time = &end;
    meeting.state = SAMHAND__V1__MEETING__STATE__HELD;

    struct {
        const char *id, *name;
        int status;
        const char *deputy_for;
    } people[] = {
        {"p1", "Ingjerd Astad", SAMHAND__V1__ATTENDANCE__STATUS__PRESENT, ""},
        {"p2", "Runar Asp", SAMHAND__V1__ATTENDANCE__STATUS__PRESENT, ""},
        {"p3", "Kari Nordmann", SAMHAND__V1__ATTENDANCE__STATUS__ABSENT_WITH_NOTICE, ""},
        {"p4", "Dag To", SAMHAND__V1__ATTENDANCE__STATUS__DEPUTY, "p3"},
    };
    Samhand__V1__Attendance attendance[4], *attendance_ps[4];
    for (size_t i = 0; i < 4; i++) {
        samhand__v1__attendance__init(&attendance[i]);
        attendance[i].person_id = (char *)people[i].id;
        attendance[i].person_name = (char *)people[i].name;
        attendance[i].status = people[i].status;
        attendance[i].deputy_for_person_id = (char *)people[i].deputy_for;
        attendance_ps[i] = &attendance[i];
    }
    meeting.attendance = attendance_ps;
    meeting.n_attendance = 4;

    char *points[] = {"Tre søkere <intervjuet>."};
    Samhand__V1__AgendaItem items[4], *item_ps[4];
    for (size_t i = 0; i < 4; i++) {
        samhand__v1__agenda_item__init(&items[i]);
        item_ps[i] = &items[i];
    }
    items[0].id = "i1", items[0].case_number = "1/23";
    items[0].title = "Godkjenning av innkalling og saksliste.";
    items[0].outcome = SAMHAND__V1__AGENDA_ITEM__OUTCOME__ADOPTED_AS_PROPOSED;
    items[0].decision = "Innkalling og saksliste godkjennes.";
    items[1].id = "i2", items[1].case_number = "2/23";
    items[1].title = "Tilsetting av fagrådsleder";
    items[1].outcome = SAMHAND__V1__AGENDA_ITEM__OUTCOME__ADOPTED_AS_AMENDED;
    items[1].decision = "1. ASU tilsetter.\n2. Tiltredelse 1. mai.";
    items[1].discussion_points = points;
    items[1].n_discussion_points = 1;
    items[2].id = "i3", items[2].kind = SAMHAND__V1__AGENDA_ITEM__KIND__BREAK;
    items[2].title = "Pause.";
    items[3].id = "i4", items[3].case_number = "3/23";
    items[3].title = "Evaluering av pandemihåndteringen";
    items[3].outcome = SAMHAND__V1__AGENDA_ITEM__OUTCOME__NOTED;
    meeting.items = item_ps;
    meeting.n_items = 4;

    /* one decided (shown, without its reason), one not decided (not shown) */
    Samhand__V1__Disqualification d[2], *d_ps[2];
    for (size_t i = 0; i < 2; i++) {
        samhand__v1__disqualification__init(&d[i]);
        d_ps[i] = &d[i];
    }
    d[0].item_id = "i2", d[0].person_name = "Runar Asp", d[0].reason = "Søsteren søker";
    d[0].decision = SAMHAND__V1__DISQUALIFICATION__DECISION__DISQUALIFIED;
    d[1].item_id = "i4", d[1].person_name = "Ingjerd Astad", d[1].reason = "Leder fagrådet";

    agenda_minutes_t minutes = {.meeting = &meeting,
                                .committee = &committee,
                                .chair = &chair,
                                .disqualifications = d_ps,
                                .n_disqualifications = 2};
    size_t len = 0;
    char *html = agenda_minutes_html_render(&minutes, &len);
    assert_non_null(html);
    assert_int_equal(strlen(html), len);
    assert_string_equal(html, s_expected);
    assert_null(strstr(html, "Søsteren"));
    free(html);
}

static void test_approved_minutes_say_when(void **state)
{
    (void)state;
    Samhand__V1__Committee committee = SAMHAND__V1__COMMITTEE__INIT;
    committee.name = "Administrativt samarbeidsutvalg";
    Samhand__V1__Timestamp start = SAMHAND__V1__TIMESTAMP__INIT, end = SAMHAND__V1__TIMESTAMP__INIT,
                           approved = SAMHAND__V1__TIMESTAMP__INIT;
    start.seconds = SEED_START;
    end.seconds = SEED_START + 3600;
    approved.seconds = SEED_START + 7 * 86400;
    Samhand__V1__Meeting meeting = SAMHAND__V1__MEETING__INIT;
    meeting.online_url = "https://teams.example/asu";
    meeting.start_time = &start;
    meeting.end_time = &end;
    meeting.minutes_approve_time = &approved;
    agenda_minutes_t minutes = {.meeting = &meeting, .committee = &committee};
    size_t len = 0;
    char *html = agenda_minutes_html_render(&minutes, &len);
    assert_non_null(strstr(html, "<p class=\"status\">Godkjent 15.02.2023.</p>\n"
                                 "<p>Sted: https://teams.example/asu<br>\n"
                                 "Tid: 08.02.2023 kl. 13.00–14.00</p>\n</body>"));
    assert_non_null(strstr(html, "<title>Referat – Administrativt samarbeidsutvalg 08.02.2023"));
    free(html);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_minutes_read_as_the_known_text),
        cmocka_unit_test(test_approved_minutes_say_when),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
