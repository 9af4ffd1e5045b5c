/* The notice as PDF, drawn on the agenda's shared PDF drawing (agenda_pdf:
 * cairo's PDF surface laid out by pango): the heading, the agenda table
 * (Kl. | Saksnr. | Saker | Ansvarlig innleder | Tid) repeated on each page
 * it runs over, then one SAKSFREMLEGG a case, each on a page of its own.
 * Fonts (DejaVu Sans) are embedded as subsets by cairo. No I/O but the
 * bytes it returns. */
#include "agenda_notice.h"
#include "agenda_notice_pdf.h"
#include "agenda_pdf.h"
#include "agenda_server.h"
#include "samhand_time.h"

#include <cairo-pdf.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The agenda table's columns: widths in points, the last right-aligned. */
static const agenda_pdf_column_t s_columns[] = {
    {"Kl.", 72}, {"Saksnr.", 50}, {"Saker", 0 /* the rest */}, {"Ansvarlig innleder", 124},
    {"Tid", 34},
};
#define S_N_COLUMNS (sizeof s_columns / sizeof s_columns[0])
static const agenda_pdf_table_t s_table = {s_columns, S_N_COLUMNS};

static void s_agenda(agenda_pdf_t *doc, const Samhand__V1__Meeting *m)
{
    agenda_pdf_text(doc, "SAKSLISTE", AGENDA_PDF_FONT_HEAD, 0, 14);
    doc->y += 6;
    agenda_pdf_table_header(doc, &s_table);
    for (size_t i = 0; i < m->n_items; i++) {
        const Samhand__V1__AgendaItem *item = m->items[i];
        char span[16] = "", minutes[16] = "", *saker = NULL, *presenters = NULL;
        size_t saker_len = 0, presenters_len = 0;
        if (!item->is_withdrawn) {
            char a[6], b[6];
            time_format_clock(item->start_time->seconds, a);
            time_format_clock(item->end_time->seconds, b);
            snprintf(span, sizeof span, "%s–%s", a, b);
            snprintf(minutes, sizeof minutes, "%d", item->duration_min);
        }
        FILE *out = open_memstream(&saker, &saker_len);
        fputs(item->title, out);
        if (item->carried_from_item_id[0]) {
            fputc('\n', out);
            agenda_carried_from_plain(out, item);
        }
        if (item->is_withdrawn)
            fputs(" (trukket)", out);
        else if (item->description[0])
            fprintf(out, "\n%s", item->description);
        fclose(out);
        out = open_memstream(&presenters, &presenters_len);
        for (size_t j = 0; j < item->n_presenters; j++)
            fprintf(out, "%s%s", j ? "\n" : "", item->presenters[j]);
        fclose(out);
        const char *cells[S_N_COLUMNS] = {span, item->case_number, saker, presenters, minutes};
        agenda_pdf_row(doc, &s_table, cells, false, item->is_withdrawn);
        free(saker);
        free(presenters);
    }
}

static const Samhand__V1__AgendaItem *s_item_of(const Samhand__V1__Meeting *m,
                                                const Samhand__V1__CaseDocument *case_doc)
{
    for (size_t i = 0; i < m->n_items; i++)
        if (strcmp(m->items[i]->id, case_doc->item_id) == 0)
            return m->items[i];
    return NULL;
}

static void s_case_document(agenda_pdf_t *doc, const agenda_notice_t *notice,
                            const Samhand__V1__CaseDocument *case_doc, const char *date)
{
    const Samhand__V1__AgendaItem *item = s_item_of(notice->meeting, case_doc);
    if (!item)
        return;
    agenda_pdf_new_page(doc);
    agenda_pdf_text(doc, "SAKSFREMLEGG", AGENDA_PDF_FONT_TITLE, 0, 0);
    char *sak = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&sak, &len);
    fprintf(out, "Sak: %s  %s", item->case_number, item->title);
    fclose(out);
    agenda_pdf_text(doc, sak, AGENDA_PDF_FONT_BOLD, 0, 12);
    free(sak);
    agenda_pdf_rule(doc);
    char line[600];
    snprintf(line, sizeof line, "Utvalg: %s", notice->committee->name);
    agenda_pdf_text(doc, line, AGENDA_PDF_FONT, 0, 4);
    snprintf(line, sizeof line, "Dato: %s", date);
    agenda_pdf_text(doc, line, AGENDA_PDF_FONT, 0, 0);
    agenda_pdf_names(doc, "Saksansvarlig", case_doc->responsible, case_doc->n_responsible);
    agenda_pdf_names(doc, "Saksbehandler", case_doc->case_officers, case_doc->n_case_officers);
    if (case_doc->n_proposed_decisions > 0) {
        agenda_pdf_text(doc, "Forslag til vedtak", AGENDA_PDF_FONT_HEAD, 0, 14);
        for (size_t i = 0; i < case_doc->n_proposed_decisions; i++) {
            char mark[24];
            snprintf(mark, sizeof mark, "%zu.", i + 1);
            agenda_pdf_entry(doc, mark, case_doc->proposed_decisions[i]);
        }
    }
    if (case_doc->n_attachments > 0) {
        agenda_pdf_text(doc, "Vedlegg", AGENDA_PDF_FONT_HEAD, 0, 14);
        for (size_t i = 0; i < case_doc->n_attachments; i++)
            agenda_pdf_entry(doc, "•", case_doc->attachments[i]->filename);
    }
    if (case_doc->background[0]) {
        agenda_pdf_text(doc, "Bakgrunn og saksopplysninger", AGENDA_PDF_FONT_HEAD, 0, 14);
        agenda_pdf_text(doc, case_doc->background, AGENDA_PDF_FONT, 0, 4);
    }
    if (case_doc->assessment[0]) {
        agenda_pdf_text(doc, "Vurdering og anbefaling", AGENDA_PDF_FONT_HEAD, 0, 14);
        agenda_pdf_text(doc, case_doc->assessment, AGENDA_PDF_FONT, 0, 4);
    }
}

static void s_heading(agenda_pdf_t *doc, const agenda_notice_t *notice, const char *date)
{
    const Samhand__V1__Meeting *m = notice->meeting;
    char line[1200], from[6], to[6];
    agenda_pdf_text(doc, notice->heading, AGENDA_PDF_FONT_TITLE, 0, 0);
    snprintf(line, sizeof line, "Utvalg: %s", notice->committee->name);
    agenda_pdf_text(doc, line, AGENDA_PDF_FONT, 0, 12);
    if (m->title[0]) {
        snprintf(line, sizeof line, "Møte: %s", m->title);
        agenda_pdf_text(doc, line, AGENDA_PDF_FONT, 0, 0);
    }
    if (agenda_meeting_kind_text(m->kind)) {
        snprintf(line, sizeof line, "Møtetype: %s", agenda_meeting_kind_text(m->kind));
        agenda_pdf_text(doc, line, AGENDA_PDF_FONT, 0, 0);
    }
    snprintf(line, sizeof line, "Møtested: %s%s%s", m->place,
             m->place[0] && m->online_url[0] ? ", " : "", m->online_url);
    agenda_pdf_text(doc, line, AGENDA_PDF_FONT, 0, 0);
    time_format_clock(m->start_time->seconds, from);
    time_format_clock(m->end_time->seconds, to);
    snprintf(line, sizeof line, "Møtedato: %s kl. %s–%s", date, from, to);
    agenda_pdf_text(doc, line, AGENDA_PDF_FONT, 0, 0);
    if (notice->chair) {
        snprintf(line, sizeof line, "Møteleder: %s", notice->chair->name);
        agenda_pdf_text(doc, line, AGENDA_PDF_FONT, 0, 0);
    }
    if (m->state == SAMHAND__V1__MEETING__STATE__CANCELLED) {
        snprintf(line, sizeof line, "Møtet er avlyst. %s", m->cancel_reason);
        agenda_pdf_text(doc, line, AGENDA_PDF_FONT_BOLD, 0, 10);
    }
    if (notice->n_changes > 0) {
        if (notice->is_drafted)
            snprintf(line, sizeof line, "Endringer siden innkalling %d, ikke sendt ut",
                     m->notice_version);
        else
            snprintf(line, sizeof line, "Endringer i tilleggsinnkalling %d", m->notice_version - 1);
        agenda_pdf_text(doc, line, AGENDA_PDF_FONT_HEAD, 0, 14);
        for (size_t i = 0; i < notice->n_changes; i++)
            agenda_pdf_entry(doc, "•", notice->changes[i]);
    }
}

char *agenda_notice_pdf_draw(const agenda_notice_t *notice, size_t *len, const char **error)
{
    const Samhand__V1__Meeting *m = notice->meeting;
    agenda_pdf_t doc;
    agenda_pdf_begin(&doc);
    char date[11], title[600];
    time_format_date(m->start_time->seconds, date);
    snprintf(title, sizeof title, "%s – %s %s", notice->heading,
             notice->committee->short_name[0] ? notice->committee->short_name
                                              : notice->committee->name,
             date);
    agenda_pdf_describe(&doc, title, notice->committee->name, "Møteinnkalling");

    s_heading(&doc, notice, date);
    s_agenda(&doc, m);
    for (size_t i = 0; i < notice->n_case_docs; i++)
        s_case_document(&doc, notice, notice->case_docs[i], date);
    return agenda_pdf_end(&doc, len, error);
}
