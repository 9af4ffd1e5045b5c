/* The notice as HTML, rendered from data alone: the agenda table of the
 * seed's notice (shared/seeds/003: ASU, 08.02.2023) reads as it does there. */
#include "agenda_meeting.h"
#include "agenda_notice_html.h"
#include "harness.h"

#include <stdlib.h>
#include <string.h>

/* 2023-02-08 13.00 in Oslo (CET) */
#define SEED_START 1675857600LL

typedef struct {
    const char *case_number, *title, *description;
    const char *presenters[3];
    int duration_min;
} seed_item_t;

/* The seed's SAKSLISTE; its 8/23 reads «15.50–16.00» with 5 minutes,
 * which its own 9/23 at 15.55 contradicts: the times follow the minutes. */
static const seed_item_t s_seed[] = {
    {"1/23",
     "Godkjenning av innkalling og saksliste.",
     "Saker til eventuelt.",
     {"Ingjerd Astad"},
     10},
    {"2/23",
     "Samarbeidsavtale om tjeneste i allmennpraksis for LIS i sykehustjeneste i "
     "Helsefellesskapet mellom St. Olavs hospital og kommunene",
     "LIS sykehusspesialiteter – tjeneste i allmennmedisin",
     {"Brita Pukstad", "Lene Stene Salberg"},
     10},
    {"3/23",
     "Evaluering av pandemihåndteringen",
     "Fagråd 4 – helseberedskap og akuttmedisinsk",
     {"Erlend Vandvik"},
     30},
    {"4/23",
     "«Tirsdagsmøte»",
     "Samarbeidsmøte mellom kommunene og St. Olavs hospital",
     {"Lene Stene Salberg"},
     20},
    {"", "Pause.", "", {NULL}, 10},
    {"5/23",
     "Arbeidsseminar ASU – «det indre liv»",
     "Program og rammer for seminaret",
     {"Runar Asp"},
     20},
    {"6/23",
     "Status Forbedringsgruppe og avviksrapportering – 3. tertial 2022",
     "",
     {"Ingrid Kristiansen", "Trude Flatås Sæther"},
     30},
    {"", "Pause.", "", {NULL}, 10},
    {"7/23", "Helseplattformen.", "Statusoppdatering.", {"Marius Jermstad, Holtålen"}, 30},
    {"8/23",
     "Orientering om ekstraordinært ASU-møte og bakgrunnen for dette",
     "",
     {"Ingjerd Astad"},
     5},
    {"9/23", "Eventuelt", "Avslutning av møtet", {"Ingjerd Astad"}, 5},
};
#define SEED_ITEMS (sizeof s_seed / sizeof s_seed[0])

/* The rendered notice, with the meeting it was rendered from. */
static char *s_render(void)
{
    Samhand__V1__Committee committee = SAMHAND__V1__COMMITTEE__INIT;
    committee.name = "Administrativt samarbeidsutvalg";
    committee.short_name = "ASU";
    Samhand__V1__Timestamp start = SAMHAND__V1__TIMESTAMP__INIT, end = SAMHAND__V1__TIMESTAMP__INIT;
    start.seconds = SEED_START;
    end.seconds = SEED_START + 3 * 3600;
    Samhand__V1__Meeting meeting = SAMHAND__V1__MEETING__INIT;
    meeting.place = "1930, 30M11";
    meeting.start_time = &start;
    meeting.end_time = &end;
    meeting.state = SAMHAND__V1__MEETING__STATE__NOTICE_PUBLISHED;
    meeting.notice_version = 1;
    Samhand__V1__AgendaItem items[SEED_ITEMS], *item_ps[SEED_ITEMS];
    for (size_t i = 0; i < SEED_ITEMS; i++) {
        samhand__v1__agenda_item__init(&items[i]);
        items[i].case_number = (char *)s_seed[i].case_number;
        items[i].title = (char *)s_seed[i].title;
        items[i].description = (char *)s_seed[i].description;
        items[i].presenters = (char **)s_seed[i].presenters;
        while (items[i].n_presenters < 3 && s_seed[i].presenters[items[i].n_presenters])
            items[i].n_presenters++;
        items[i].duration_min = s_seed[i].duration_min;
        item_ps[i] = &items[i];
    }
    meeting.items = item_ps;
    meeting.n_items = SEED_ITEMS;
    agenda_meeting_fill_times(&meeting);
    agenda_notice_t notice = {
        .heading = "MØTEINNKALLING", .meeting = &meeting, .committee = &committee};
    size_t len = 0;
    char *html = agenda_notice_html_render(&notice, &len);
    for (size_t i = 0; i < SEED_ITEMS; i++) {
        free(items[i].start_time);
        free(items[i].end_time);
    }
    assert_non_null(html);
    assert_int_equal(strlen(html), len);
    return html;
}

static void test_notice_heading_reads_as_the_seed(void **state)
{
    (void)state;
    char *html = s_render();
    assert_non_null(strstr(html, "<h1>MØTEINNKALLING</h1>\n<p>Utvalg: Administrativt "
                                 "samarbeidsutvalg<br>\nMøtested: 1930, 30M11<br>\nMøtedato: "
                                 "08.02.2023 kl. 13.00–16.00</p>\n"));
    assert_non_null(strstr(html, "<title>MØTEINNKALLING – ASU 08.02.2023</title>"));
    free(html);
}

static void test_notice_agenda_table_is_the_seeds(void **state)
{
    (void)state;
    static const char *const rows[] = {
        "<tr><td>13.00–13.10</td><td>1/23</td><td>Godkjenning av innkalling og saksliste.<br>"
        "Saker til eventuelt.</td><td>Ingjerd Astad</td><td class=\"tid\">10</td></tr>\n",
        "<tr><td>13.10–13.20</td><td>2/23</td><td>Samarbeidsavtale om tjeneste i allmennpraksis "
        "for LIS i sykehustjeneste i Helsefellesskapet mellom St. Olavs hospital og "
        "kommunene<br>LIS sykehusspesialiteter – tjeneste i allmennmedisin</td><td>Brita "
        "Pukstad<br>Lene Stene Salberg</td><td class=\"tid\">10</td></tr>\n",
        "<tr><td>13.20–13.50</td><td>3/23</td><td>Evaluering av pandemihåndteringen<br>Fagråd 4 "
        "– helseberedskap og akuttmedisinsk</td><td>Erlend Vandvik</td><td "
        "class=\"tid\">30</td></tr>\n",
        "<tr><td>13.50–14.10</td><td>4/23</td><td>«Tirsdagsmøte»<br>Samarbeidsmøte mellom "
        "kommunene og St. Olavs hospital</td><td>Lene Stene Salberg</td><td "
        "class=\"tid\">20</td></tr>\n",
        "<tr><td>14.10–14.20</td><td></td><td>Pause.</td><td></td><td class=\"tid\">10</td></tr>\n",
        "<tr><td>14.20–14.40</td><td>5/23</td><td>Arbeidsseminar ASU – «det indre liv»<br>Program "
        "og rammer for seminaret</td><td>Runar Asp</td><td class=\"tid\">20</td></tr>\n",
        "<tr><td>14.40–15.10</td><td>6/23</td><td>Status Forbedringsgruppe og avviksrapportering "
        "– 3. tertial 2022</td><td>Ingrid Kristiansen<br>Trude Flatås Sæther</td><td "
        "class=\"tid\">30</td></tr>\n",
        "<tr><td>15.10–15.20</td><td></td><td>Pause.</td><td></td><td class=\"tid\">10</td></tr>\n",
        "<tr><td>15.20–15.50</td><td>7/23</td><td>Helseplattformen.<br>Statusoppdatering.</td>"
        "<td>Marius Jermstad, Holtålen</td><td class=\"tid\">30</td></tr>\n",
        "<tr><td>15.50–15.55</td><td>8/23</td><td>Orientering om ekstraordinært ASU-møte og "
        "bakgrunnen for dette</td><td>Ingjerd Astad</td><td class=\"tid\">5</td></tr>\n",
        "<tr><td>15.55–16.00</td><td>9/23</td><td>Eventuelt<br>Avslutning av møtet</td><td>Ingjerd "
        "Astad</td><td class=\"tid\">5</td></tr>\n",
    };
    char *html = s_render();
    const char *at = strstr(html, "<h2>SAKSLISTE</h2>");
    assert_non_null(at);
    /* every row, in the seed's order */
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        const char *row = strstr(at, rows[i]);
        if (!row)
            fail_msg("row %zu not found after the one before: %s", i + 1, rows[i]);
        at = row + strlen(rows[i]);
    }
    assert_non_null(strstr(at, "</tbody>\n</table>\n"));
    free(html);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_notice_heading_reads_as_the_seed),
        cmocka_unit_test(test_notice_agenda_table_is_the_seeds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
