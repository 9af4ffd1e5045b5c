/* The minutes as PDF, drawn on the agenda's shared PDF drawing (agenda_pdf:
 * cairo's PDF surface laid out by pango), in the order and words of the
 * HTML minutes: heading and approval, place, time and chair, attendance,
 * then each item with its discussion points and decision. Fonts are
 * embedded as subsets by cairo. No I/O but the bytes it returns. */
#include "agenda_minutes_html.h"
#include "agenda_minutes_pdf.h"
#include "agenda_notice.h"
#include "agenda_pdf.h"
#include "samhand_time.h"

#include <cairo-pdf.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* «Til stede: A, B» of those whose attendance is `status`; a deputy with
 * whom they stood in for. Nothing when there is none. */
static void s_people(agenda_pdf_t *doc, const Samhand__V1__Meeting *m, int status,
                     const char *label)
{
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    bool any = false;
    for (size_t i = 0; i < m->n_attendance; i++) {
        const Samhand__V1__Attendance *a = m->attendance[i];
        if ((int)a->status != status)
            continue;
        fprintf(out, "%s%s", any ? ", " : "", a->person_name);
        const char *deputy_for = agenda_deputy_for(m, a);
        if (status == SAMHAND__V1__ATTENDANCE__STATUS__DEPUTY && deputy_for)
            fprintf(out, " (for %s)", deputy_for);
        any = true;
    }
    fclose(out);
    if (any) {
        char *line = NULL;
        size_t line_len = 0;
        out = open_memstream(&line, &line_len);
        fprintf(out, "%s: %s", label, text);
        fclose(out);
        agenda_pdf_text(doc, line, AGENDA_PDF_FONT, 0, 4);
        free(line);
    }
    free(text);
}

static void s_heading(agenda_pdf_t *doc, const agenda_minutes_t *minutes, const char *date)
{
    const Samhand__V1__Meeting *m = minutes->meeting;
    char line[1200], from[6], to[6];
    snprintf(line, sizeof line, "Referat fra %s %s", minutes->committee->name, date);
    agenda_pdf_text(doc, line, AGENDA_PDF_FONT_TITLE, 0, 0);
    if (m->minutes_approve_time) {
        char approved[11];
        time_format_date(m->minutes_approve_time->seconds, approved);
        snprintf(line, sizeof line, "Godkjent %s.", approved);
    } else {
        snprintf(line, sizeof line, "Utkast – ikke godkjent.");
    }
    agenda_pdf_text(doc, line, AGENDA_PDF_FONT, 0, 8);
    snprintf(line, sizeof line, "Sted: %s", m->place[0] ? m->place : m->online_url);
    agenda_pdf_text(doc, line, AGENDA_PDF_FONT, 0, 8);
    time_format_clock(m->start_time->seconds, from);
    time_format_clock(m->end_time->seconds, to);
    snprintf(line, sizeof line, "Tid: %s kl. %s–%s", date, from, to);
    agenda_pdf_text(doc, line, AGENDA_PDF_FONT, 0, 0);
    if (minutes->chair) {
        snprintf(line, sizeof line, "Møteleder: %s", minutes->chair->name);
        agenda_pdf_text(doc, line, AGENDA_PDF_FONT, 0, 0);
    }
    s_people(doc, m, SAMHAND__V1__ATTENDANCE__STATUS__PRESENT, "Til stede");
    s_people(doc, m, SAMHAND__V1__ATTENDANCE__STATUS__DEPUTY, "Vara");
    s_people(doc, m, SAMHAND__V1__ATTENDANCE__STATUS__OBSERVER, "Observatører");
    s_people(doc, m, SAMHAND__V1__ATTENDANCE__STATUS__ABSENT_WITH_NOTICE, "Forfall");
}

/* One item: its case number and title as loaded (an exempt one already
 * read by its legal basis for those who may not see it), then its
 * discussion points and decision, blank already for those readers. */
static void s_item(agenda_pdf_t *doc, const agenda_minutes_t *minutes,
                   const Samhand__V1__AgendaItem *item)
{
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    fprintf(out, "%s%s%s", item->case_number, item->case_number[0] ? " " : "", item->title);
    fclose(out);
    agenda_pdf_text(doc, text, AGENDA_PDF_FONT_HEAD, 0, 14);
    free(text);
    if (item->is_withdrawn) {
        agenda_pdf_text(doc, "Trukket før møtet.", AGENDA_PDF_FONT, 0, 4);
        return;
    }
    if (item->carried_from_item_id[0]) {
        out = open_memstream(&text, &len);
        agenda_carried_from_plain(out, item);
        fclose(out);
        agenda_pdf_text(doc, text, AGENDA_PDF_FONT, 0, 4);
        free(text);
    }
    /* who stepped out of it as disqualified, as the HTML minutes say it */
    for (size_t i = 0; i < minutes->n_disqualifications; i++) {
        const Samhand__V1__Disqualification *d = minutes->disqualifications[i];
        const char *said = agenda_disqualification_text(d->decision);
        if (!said || strcmp(d->item_id, item->id) != 0)
            continue;
        char line[600];
        snprintf(line, sizeof line, "%s %s", d->person_name, said);
        agenda_pdf_text(doc, line, AGENDA_PDF_FONT, 0, 4);
    }
    if (item->n_discussion_points > 0) {
        agenda_pdf_text(doc, "Momenter fra diskusjonen:", AGENDA_PDF_FONT, 0, 4);
        for (size_t i = 0; i < item->n_discussion_points; i++)
            agenda_pdf_entry(doc, "•", item->discussion_points[i]);
    }
    if (item->outcome) {
        agenda_pdf_text(doc, "Vedtak:", AGENDA_PDF_FONT_BOLD, 12, 6);
        agenda_pdf_text(doc,
                        item->decision[0] ? item->decision : agenda_outcome_text(item->outcome),
                        AGENDA_PDF_FONT, 12, 0);
    }
}

char *agenda_minutes_pdf_draw(const agenda_minutes_t *minutes, size_t *len, const char **error)
{
    const Samhand__V1__Meeting *m = minutes->meeting;
    const Samhand__V1__Committee *committee = minutes->committee;
    agenda_pdf_t doc;
    agenda_pdf_begin(&doc);
    char date[11], title[600];
    time_format_date(m->start_time->seconds, date);
    snprintf(title, sizeof title, "Referat – %s %s",
             committee->short_name[0] ? committee->short_name : committee->name, date);
    agenda_pdf_describe(&doc, title, committee->name, "Møtereferat");

    s_heading(&doc, minutes, date);
    for (size_t i = 0; i < m->n_items; i++)
        if (m->items[i]->kind != SAMHAND__V1__AGENDA_ITEM__KIND__BREAK)
            s_item(&doc, minutes, m->items[i]);
    return agenda_pdf_end(&doc, len, error);
}
