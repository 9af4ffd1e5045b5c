/* The notice as PDF, checked with the tools a reader's machine has
 * (poppler-utils, qpdf): the ASU notice of 08.02.2023 (seed 003) entered
 * through the API prints its agenda table row by row (13.00–13.10 1/23 …
 * 15.55–16.00 9/23, the breaks, the presenters, the minutes), then its case
 * documents; its fonts are embedded, the file is sound and titled, and
 * those without standing read exempt cases by their legal basis only. */
#include "harness_pdf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static harness_stack_t s_stack;
static char s_committee[40], s_feb[40], s_march[40];

static int s_setup(void **state)
{
    harness_stack_start(&s_stack, harness_database_url());
    harness_http_response_t *r =
        harness_stack_send(&s_stack, "POST", "/v1/committees",
                           "{\"name\":\"Administrativt samarbeidsutvalg\","
                           "\"shortName\":\"ASU\",\"kind\":\"ADMINISTRATIVE\","
                           "\"noticePeriodDays\":10,\"caseNumberFormat\":\"{n}/{yy}\"}");
    harness_expect_status(r, 201);
    snprintf(s_committee, sizeof s_committee, "%s", harness_json_text(r, "id"));
    harness_http_response_free(&r);
    return 0;
}

static int s_teardown(void **state)
{
    harness_stack_stop(&s_stack);
    return 0;
}

static void s_meeting(const char *start, const char *end, char id[40])
{
    char body[512];
    snprintf(body, sizeof body,
             "{\"committeeId\":\"%s\",\"startTime\":\"%s\",\"endTime\":\"%s\",\"place\":\"1930, "
             "30M11\"}",
             s_committee, start, end);
    harness_http_response_t *r = harness_stack_send(&s_stack, "POST", "/v1/meetings", body);
    harness_expect_status(r, 201);
    snprintf(id, 40, "%s", harness_json_text(r, "id"));
    harness_http_response_free(&r);
}

/* Adds an item (`extra`: more JSON members, or "") and returns its id. */
static void s_item(const char *meeting, const char *kind, const char *title,
                   const char *description, const char *presenters_json, int minutes,
                   const char *extra, char id[40])
{
    char body[2048];
    snprintf(body, sizeof body,
             "{\"kind\":\"%s\",\"title\":\"%s\",\"description\":\"%s\",\"presenters\":%s,"
             "\"durationMin\":%d%s}",
             kind, title, description, presenters_json, minutes, extra);
    harness_stack_add_item(&s_stack, meeting, body, id);
}

static void s_document(const char *meeting, const char *item, const char *body)
{
    char path[200];
    snprintf(path, sizeof path, "/v1/meetings/%s/items/%s/document", meeting, item);
    harness_http_response_t *r = harness_stack_send(&s_stack, "PUT", path, body);
    harness_expect_status(r, 200);
    harness_http_response_free(&r);
}

/* GET notice.pdf`query` of `meeting`: by anyone, or by the administrator
 * (who runs every committee). */
static harness_http_response_t *s_get_pdf(const char *meeting, const char *query, bool is_public)
{
    char path[200], url[400];
    snprintf(path, sizeof path, "/v1/meetings/%s/notice.pdf%s", meeting, query);
    if (!is_public)
        return harness_stack_get(&s_stack, path);
    snprintf(url, sizeof url, "%s%s", s_stack.base_url, path);
    return harness_http_request("GET", url, NULL, NULL);
}

/* Whether the process maps a file whose path holds `name`. */
static bool s_maps(pid_t pid, const char *name)
{
    char path[64], line[1024];
    snprintf(path, sizeof path, "/proc/%d/maps", (int)pid);
    FILE *maps = fopen(path, "r");
    assert_non_null(maps);
    bool found = false;
    while (!found && fgets(line, sizeof line, maps))
        found = strstr(line, name) != NULL;
    fclose(maps);
    return found;
}

/* An agenda that has drawn no PDF holds neither cairo nor pango (about
 * 5 MB resident): the renderer is a module loaded with the first PDF. */
static void test_the_pdf_renderer_is_loaded_with_the_first_pdf(void **state)
{
    assert_false(s_maps(s_stack.agenda, "libcairo"));
    assert_false(s_maps(s_stack.agenda, "libpango"));
    assert_false(s_maps(s_stack.agenda, "samhand-agenda-pdf"));
    char meeting[40], item[40];
    s_meeting("2023-01-11T13:00:00+01:00", "2023-01-11T14:00:00+01:00", meeting);
    s_item(meeting, "CASE", "Orientering", "", "[]", 10, "", item);
    harness_http_response_t *pdf = s_get_pdf(meeting, "", false);
    harness_expect_status(pdf, 200);
    harness_pdf_sound(pdf);
    harness_http_response_free(&pdf);
    assert_true(s_maps(s_stack.agenda, "samhand-agenda-pdf.so"));
    assert_true(s_maps(s_stack.agenda, "libcairo"));
}

static void test_notice_pdf_prints_the_seed_table_row_by_row(void **state)
{
    s_meeting("2023-02-08T13:00:00+01:00", "2023-02-08T16:00:00+01:00", s_feb);
    char ids[11][40];
    s_item(s_feb, "NOTICE_APPROVAL", "Godkjenning av innkalling og saksliste.",
           "Saker til eventuelt.", "[\"Ingjerd Astad\"]", 10, "", ids[0]);
    s_item(s_feb, "CASE",
           "Samarbeidsavtale om tjeneste i allmennpraksis for LIS i sykehustjeneste i "
           "Helsefellesskapet mellom St. Olavs hospital og kommunene",
           "LIS sykehusspesialiteter – tjeneste i allmennmedisin",
           "[\"Brita Pukstad\",\"Lene Stene Salberg\"]", 10, "", ids[1]);
    s_item(s_feb, "CASE", "Evaluering av pandemihåndteringen",
           "Fagråd 4 – helseberedskap og akuttmedisinsk", "[\"Erlend Vandvik\"]", 30, "", ids[2]);
    s_item(s_feb, "ORIENTATION", "«Tirsdagsmøte»",
           "Samarbeidsmøte mellom kommunene og St. Olavs hospital", "[\"Lene Stene Salberg\"]", 20,
           "", ids[3]);
    s_item(s_feb, "BREAK", "Pause.", "", "[]", 10, "", ids[4]);
    s_item(s_feb, "CASE", "Arbeidsseminar ASU – «det indre liv»", "Program og rammer for seminaret",
           "[\"Runar Asp\"]", 20, "", ids[5]);
    s_item(s_feb, "CASE", "Status Forbedringsgruppe og avviksrapportering – 3. tertial 2022", "",
           "[\"Ingrid Kristiansen\",\"Trude Flatås Sæther\"]", 30, "", ids[6]);
    s_item(s_feb, "BREAK", "Pause.", "", "[]", 10, "", ids[7]);
    s_item(s_feb, "ORIENTATION", "Helseplattformen.", "Statusoppdatering.",
           "[\"Marius Jermstad, Holtålen\",\"Jan Roger Wold, Røros\",\"Mart Vaarheim, Indre "
           "Fosen\",\"Tor E. Evjen, Trondheim\",\"Per Olav Østbyhaug, St. Olavs\"]",
           30, "", ids[8]);
    s_item(s_feb, "ORIENTATION", "Orientering om ekstraordinært ASU-møte og bakgrunnen for dette",
           "", "[\"Ingjerd Astad\"]", 5, "", ids[9]);
    s_item(s_feb, "ANY_OTHER_BUSINESS", "Eventuelt", "Avslutning av møtet", "[\"Ingjerd Astad\"]",
           5, "", ids[10]);
    s_document(s_feb, ids[0],
               "{\"responsible\":[\"Ingjerd Astad\",\"Tom Christian Martinsen\"],"
               "\"caseOfficers\":[\"Lene Stene Salberg\",\"Johan Fredrik Skomsvoll\",\"Runar "
               "Asp\"],\"proposedDecisions\":[\"Innkalling og sakliste godkjennes.\"]}");
    /* long enough to run over a page */
    char background[12000] = "";
    for (int i = 0; i < 60; i++)
        strcat(background, "Oppnådde læringsmål er grunnlaget for spesialistgodkjenning av "
                           "leger, og tjenesten må vare minst 3 måneder. ");
    char body[14000];
    snprintf(body, sizeof body,
             "{\"responsible\":[\"Ingjerd Astad\",\"Tom Christian Martinsen\"],"
             "\"caseOfficers\":[\"Brita Pukstad\"],\"proposedDecisions\":[\"ASU anbefaler "
             "kommunene og sykehuset å inngå fremlagte samarbeidsavtale om tjeneste i "
             "allmennpraksis for LIS i sykehustjeneste.\"],\"background\":\"%s\","
             "\"assessment\":\"Avtaleutkastet vurderes som hensiktsmessig.\"}",
             background);
    s_document(s_feb, ids[1], body);
    harness_stack_publish(&s_stack, s_feb);

    harness_http_response_t *pdf = s_get_pdf(s_feb, "", true);
    harness_expect_status(pdf, 200);
    assert_string_equal(pdf->content_type, "application/pdf");
    char disposition[200];
    assert_non_null(
        strstr(harness_http_header(pdf, "Content-Disposition", disposition, sizeof disposition),
               "innkalling-2023-02-08.pdf"));
    assert_memory_equal(pdf->body, "%PDF-", 5);

    /* the table, row by row: each row's first line holds its time, case
     * number and minutes (pdftotext -layout keeps the columns apart) */
    static const struct {
        const char *span, *number, *minutes;
    } rows[] = {
        {"13.00–13.10", "1/23", "10"},   {"13.10–13.20", "2/23", "10"},
        {"13.20–13.50", "3/23", "30"},   {"13.50–14.10", "4/23", "20"},
        {"14.10–14.20", "Pause.", "10"}, {"14.20–14.40", "5/23", "20"},
        {"14.40–15.10", "6/23", "30"},   {"15.10–15.20", "Pause.", "10"},
        {"15.20–15.50", "7/23", "30"},   {"15.50–15.55", "8/23", "5"},
        {"15.55–16.00", "9/23", "5"},
    };
    int status;
    char *layout =
        harness_http_body_through(pdf, "pdftotext -layout -enc UTF-8 %s - 2>&1", &status);
    assert_int_equal(status, 0);
    const char *at = layout;
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        const char *line = strstr(at, rows[i].span);
        if (!line)
            fail_msg("row %zu: %s not found after the row before", i + 1, rows[i].span);
        const char *end = strchr(line, '\n');
        char text[400];
        snprintf(text, sizeof text, "%.*s", (int)(end - line), line);
        size_t n = strlen(text);
        while (n && text[n - 1] == ' ')
            text[--n] = '\0';
        const char *number = strstr(text, rows[i].number);
        if (!number || strcmp(text + n - strlen(rows[i].minutes), rows[i].minutes) != 0 ||
            text[n - strlen(rows[i].minutes) - 1] != ' ')
            fail_msg("row %zu reads «%s»", i + 1, text);
        at = end;
    }
    free(layout);

    /* every case number, title, description, presenter and time in order */
    char *text = harness_pdf_text(pdf);
    static const char *const agenda[] = {
        "MØTEINNKALLING",
        "Utvalg: Administrativt samarbeidsutvalg",
        "Møtested: 1930, 30M11",
        "Møtedato: 08.02.2023 kl. 13.00–16.00",
        "SAKSLISTE",
        "Kl. Saksnr. Saker Ansvarlig innleder Tid",
        "13.00–13.10 1/23 Godkjenning av innkalling og saksliste. Saker til eventuelt. Ingjerd "
        "Astad 10",
        "13.10–13.20 2/23 Samarbeidsavtale om tjeneste i allmennpraksis for LIS i sykehustjeneste "
        "i Helsefellesskapet mellom St. Olavs hospital og kommunene LIS sykehusspesialiteter – "
        "tjeneste i allmennmedisin Brita Pukstad Lene Stene Salberg 10",
        "13.20–13.50 3/23 Evaluering av pandemihåndteringen Fagråd 4 – helseberedskap og "
        "akuttmedisinsk Erlend Vandvik 30",
        "13.50–14.10 4/23 «Tirsdagsmøte» Samarbeidsmøte mellom kommunene og St. Olavs hospital "
        "Lene Stene Salberg 20",
        "14.10–14.20 Pause. 10",
        "14.20–14.40 5/23 Arbeidsseminar ASU – «det indre liv» Program og rammer for seminaret "
        "Runar Asp 20",
        "14.40–15.10 6/23 Status Forbedringsgruppe og avviksrapportering – 3. tertial 2022 Ingrid "
        "Kristiansen Trude Flatås Sæther 30",
        "15.10–15.20 Pause. 10",
        "15.20–15.50 7/23 Helseplattformen. Statusoppdatering. Marius Jermstad, Holtålen Jan "
        "Roger Wold, Røros Mart Vaarheim, Indre Fosen Tor E. Evjen, Trondheim Per Olav "
        "Østbyhaug, St. Olavs 30",
        "15.50–15.55 8/23 Orientering om ekstraordinært ASU-møte og bakgrunnen for dette Ingjerd "
        "Astad 5",
        "15.55–16.00 9/23 Eventuelt Avslutning av møtet Ingjerd Astad 5",
        /* then the case documents, with their sections and proposed decisions */
        "SAKSFREMLEGG",
        "Sak: 1/23 Godkjenning av innkalling og saksliste.",
        "Utvalg: Administrativt samarbeidsutvalg Dato: 08.02.2023",
        "Saksansvarlig: Ingjerd Astad/Tom Christian Martinsen",
        "Saksbehandler: Lene Stene Salberg/Johan Fredrik Skomsvoll/Runar Asp",
        "Forslag til vedtak 1. Innkalling og sakliste godkjennes.",
        "SAKSFREMLEGG",
        "Sak: 2/23 Samarbeidsavtale om tjeneste i allmennpraksis",
        "Forslag til vedtak 1. ASU anbefaler kommunene og sykehuset å inngå fremlagte "
        "samarbeidsavtale om tjeneste i allmennpraksis for LIS i sykehustjeneste.",
        "Bakgrunn og saksopplysninger Oppnådde læringsmål",
        "Vurdering og anbefaling Avtaleutkastet vurderes som hensiktsmessig.",
    };
    harness_pdf_in_order(text, agenda, sizeof agenda / sizeof agenda[0]);
    free(text);

    harness_pdf_fonts_embedded(pdf, 2); /* regular and bold */
    harness_pdf_sound(pdf);

    char *info = harness_http_body_through(pdf, "pdfinfo %s 2>&1", &status);
    assert_int_equal(status, 0);
    assert_non_null(strstr(info, "MØTEINNKALLING – ASU 08.02.2023"));
    const char *pages = strstr(info, "Pages:");
    assert_non_null(pages);
    /* the agenda, 1/23, and 2/23 over two pages */
    assert_true(atoi(pages + strlen("Pages:")) >= 4);
    free(info);
    harness_pdf_archival(pdf, "MØTEINNKALLING – ASU 08.02.2023");
    harness_http_response_free(&pdf);

    /* notice 1 by its number is the same notice */
    pdf = s_get_pdf(s_feb, "?version=1", true);
    harness_expect_status(pdf, 200);
    text = harness_pdf_text(pdf);
    assert_non_null(strstr(text, "15.55–16.00 9/23 Eventuelt"));
    free(text);
    harness_http_response_free(&pdf);
}

static void test_notice_pdf_shows_exempt_cases_by_their_legal_basis_only_to_the_public(void **state)
{
    s_meeting("2023-03-08T13:00:00+01:00", "2023-03-08T14:00:00+01:00", s_march);
    char open_id[40], exempt_id[40];
    s_item(s_march, "CASE", "Avtale om legevakt", "", "[\"Runar Asp\"]", 20, "", open_id);
    s_item(
        s_march, "CASE", "Klage på navngitt lege", "Bakgrunn for klagen", "[\"Ingjerd Astad\"]", 20,
        ",\"isExempt\":true,\"publicTitle\":\"Sak om personal\",\"exemptionBasis\":\"offl. § 13\"",
        exempt_id);
    s_document(s_march, exempt_id,
               "{\"proposedDecisions\":[\"Klagen tas til følge.\"],\"background\":\"Pasienten "
               "klager på behandlingen.\"}");
    s_document(s_march, open_id, "{\"proposedDecisions\":[\"Avtalen godkjennes.\"]}");
    harness_stack_publish(&s_stack, s_march);

    harness_http_response_t *pdf = s_get_pdf(s_march, "", true);
    harness_expect_status(pdf, 200);
    char *text = harness_pdf_text(pdf);
    static const char *const shown[] = {"10/23 Avtale om legevakt",
                                        "11/23 Sak om personal (unntatt offentlighet, offl. § 13)",
                                        "SAKSFREMLEGG", "Sak: 10/23 Avtale om legevakt"};
    harness_pdf_in_order(text, shown, sizeof shown / sizeof shown[0]);
    static const char *const hidden[] = {"Klage på navngitt lege", "Bakgrunn for klagen",
                                         "Ingjerd Astad", "Klagen tas til følge", "Pasienten"};
    for (size_t i = 0; i < sizeof hidden / sizeof hidden[0]; i++)
        if (strstr(text, hidden[i]))
            fail_msg("the public's PDF shows «%s»", hidden[i]);
    free(text);
    harness_http_response_free(&pdf);

    /* those who run the committee read it whole */
    pdf = s_get_pdf(s_march, "", false);
    harness_expect_status(pdf, 200);
    text = harness_pdf_text(pdf);
    static const char *const whole[] = {"11/23 Klage på navngitt lege Bakgrunn for klagen Ingjerd "
                                        "Astad 20",
                                        "Sak: 11/23 Klage på navngitt lege",
                                        "1. Klagen tas til følge."};
    harness_pdf_in_order(text, whole, sizeof whole / sizeof whole[0]);
    free(text);
    harness_http_response_free(&pdf);
}

static void test_notice_pdf_refuses_a_bad_version_naming_it(void **state)
{
    harness_http_response_t *r = s_get_pdf(s_feb, "?version=first", true);
    harness_assert_problem(r, 400, "version");
    harness_http_response_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_the_pdf_renderer_is_loaded_with_the_first_pdf),
        cmocka_unit_test(test_notice_pdf_prints_the_seed_table_row_by_row),
        cmocka_unit_test(
            test_notice_pdf_shows_exempt_cases_by_their_legal_basis_only_to_the_public),
        cmocka_unit_test(test_notice_pdf_refuses_a_bad_version_naming_it),
    };
    return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
