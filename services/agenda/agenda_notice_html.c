/* The notice (møteinnkalling) as one HTML page: a pure renderer over what
 * the notice handler has loaded and the reader may see (agenda_notice_t),
 * laid out as the seed notices are: heading, SAKSLISTE, one SAKSFREMLEGG a
 * case. No I/O but the text it returns. */
#include "agenda_notice.h"
#include "agenda_notice_html.h"
#include "samhand_html.h"
#include "samhand_time.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void s_names(FILE *out, const char *label, char **names, size_t n)
{
    if (n == 0)
        return;
    fprintf(out, "<br>\n%s: ", label);
    for (size_t i = 0; i < n; i++) {
        if (i)
            fputs("/", out);
        html_text(out, names[i]);
    }
}

/* One SAKSFREMLEGG a case document, after the agenda, as the seed notices
 * have them: those the reader may see (s_notice_load). */
static void s_case_documents(FILE *out, const agenda_notice_t *notice, const char *date)
{
    for (size_t k = 0; k < notice->n_case_docs; k++) {
        const Samhand__V1__CaseDocument *doc = notice->case_docs[k];
        const Samhand__V1__AgendaItem *item = agenda_notice_item_of(notice->meeting, doc);
        fputs("<section class=\"saksfremlegg\">\n<h2>SAKSFREMLEGG</h2>\n<p><strong>Sak: ", out);
        html_text(out, item->case_number);
        fputs("</strong> ", out);
        html_text(out, item->title);
        fputs("</p>\n<p>Utvalg: ", out);
        html_text(out, notice->committee->name);
        fprintf(out, "<br>\nDato: %s", date);
        s_names(out, "Saksansvarlig", doc->responsible, doc->n_responsible);
        s_names(out, "Saksbehandler", doc->case_officers, doc->n_case_officers);
        fputs("</p>\n", out);
        if (doc->n_proposed_decisions > 0) {
            fputs("<h3>Forslag til vedtak</h3>\n<ol>\n", out);
            for (size_t i = 0; i < doc->n_proposed_decisions; i++) {
                fputs("<li>", out);
                html_text(out, doc->proposed_decisions[i]);
                fputs("</li>\n", out);
            }
            fputs("</ol>\n", out);
        }
        if (doc->n_attachments > 0) {
            fputs("<h3>Vedlegg</h3>\n<ul>\n", out);
            for (size_t i = 0; i < doc->n_attachments; i++) {
                fprintf(out, "<li><a href=\"/v1/attachments/%s\">", doc->attachments[i]->id);
                html_text(out, doc->attachments[i]->filename);
                fputs("</a></li>\n", out);
            }
            fputs("</ul>\n", out);
        }
        if (doc->background[0]) {
            fputs("<h3>Bakgrunn og saksopplysninger</h3>\n<p>", out);
            html_text(out, doc->background);
            fputs("</p>\n", out);
        }
        if (doc->assessment[0]) {
            fputs("<h3>Vurdering og anbefaling</h3>\n<p>", out);
            html_text(out, doc->assessment);
            fputs("</p>\n", out);
        }
        fputs("</section>\n", out);
    }
}

/* The declarations of possible disqualification, for the secretary: who,
 * for which item, why, and what was decided. */
static void s_declarations(FILE *out, const agenda_notice_t *notice)
{
    if (notice->n_declarations == 0)
        return;
    fputs("<h2>Erklæringer om mulig inhabilitet (til sekretariatet)</h2>\n<table>\n<thead><tr>"
          "<th>Sak</th><th>Navn</th><th>Begrunnelse</th><th>Avgjørelse</th></tr></thead>\n"
          "<tbody>\n",
          out);
    for (size_t i = 0; i < notice->n_declarations; i++) {
        const Samhand__V1__Disqualification *d = notice->declarations[i];
        const Samhand__V1__AgendaItem *item = NULL;
        for (size_t k = 0; k < notice->meeting->n_items && !item; k++)
            if (strcmp(notice->meeting->items[k]->id, d->item_id) == 0)
                item = notice->meeting->items[k];
        fputs("<tr><td>", out);
        if (item)
            html_text(out, item->case_number[0] ? item->case_number : item->title);
        fputs("</td><td>", out);
        html_text(out, d->person_name);
        fputs("</td><td>", out);
        html_text(out, d->reason);
        fputs("</td><td>", out);
        fputs(d->decision == SAMHAND__V1__DISQUALIFICATION__DECISION__DISQUALIFIED ? "Inhabil"
              : d->decision == SAMHAND__V1__DISQUALIFICATION__DECISION__NOT_DISQUALIFIED
                  ? "Ikke inhabil"
                  : "Ikke avgjort",
              out);
        fputs("</td></tr>\n", out);
    }
    fputs("</tbody>\n</table>\n", out);
}

char *agenda_notice_html_render(const agenda_notice_t *notice, size_t *len)
{
    const Samhand__V1__Meeting *m = notice->meeting;
    const Samhand__V1__Committee *committee = notice->committee;
    const Samhand__V1__Person *chair = notice->chair;
    bool drafted = notice->is_drafted;
    const char *heading = notice->heading;
    char date[11], from[6], to[6];
    time_format_date(m->start_time->seconds, date);
    time_format_clock(m->start_time->seconds, from);
    time_format_clock(m->end_time->seconds, to);
    char *body = NULL;
    FILE *out = open_memstream(&body, len);
    if (!out)
        return NULL;
    fputs("<!DOCTYPE html>\n<html lang=\"nb\">\n<head>\n<meta charset=\"utf-8\">\n<title>", out);
    fputs(heading, out);
    fputs(" – ", out);
    html_text(out, committee->short_name[0] ? committee->short_name : committee->name);
    fprintf(out, " %s</title>\n", date);
    fputs("<style>body{font-family:sans-serif;max-width:62em;margin:2em auto;padding:0 1em}"
          "table{border-collapse:collapse;width:100%}th,td{border:1px solid #888;"
          "padding:.3em .5em;text-align:left;vertical-align:top}.tid{text-align:right}"
          ".trukket td{color:#666}.avlyst{color:#a00}</style>\n</head>\n<body>\n",
          out);
    fprintf(out, "<h1>%s</h1>\n<p>Utvalg: ", heading);
    html_text(out, committee->name);
    if (m->title[0]) {
        fputs("<br>\nMøte: ", out);
        html_text(out, m->title);
    }
    if (agenda_meeting_kind_text(m->kind))
        fprintf(out, "<br>\nMøtetype: %s", agenda_meeting_kind_text(m->kind));
    fputs("<br>\nMøtested: ", out);
    html_text(out, m->place);
    if (m->online_url[0]) {
        fputs(m->place[0] ? ", <a href=\"" : "<a href=\"", out);
        html_text(out, m->online_url);
        fputs("\">lenke til digitalt møte</a>", out);
    }
    fprintf(out, "<br>\nMøtedato: %s kl. %s–%s", date, from, to);
    if (chair) {
        fputs("<br>\nMøteleder: ", out);
        html_text(out, chair->name);
    }
    fputs("</p>\n", out);
    if (m->state == SAMHAND__V1__MEETING__STATE__CANCELLED) {
        fputs("<p class=\"avlyst\"><strong>Møtet er avlyst.</strong> ", out);
        html_text(out, m->cancel_reason);
        fputs("</p>\n", out);
    }
    if (notice->n_changes > 0) {
        if (drafted)
            fprintf(out, "<h2>Endringer siden innkalling %d, ikke sendt ut</h2>\n<ul>\n",
                    m->notice_version);
        else
            fprintf(out, "<h2>Endringer i tilleggsinnkalling %d</h2>\n<ul>\n",
                    m->notice_version - 1);
        for (size_t i = 0; i < notice->n_changes; i++) {
            fputs("<li>", out);
            html_text(out, notice->changes[i]);
            fputs("</li>\n", out);
        }
        fputs("</ul>\n", out);
    }
    fputs("<h2>SAKSLISTE</h2>\n<table>\n<thead><tr><th>Kl.</th><th>Saksnr.</th><th>Saker</th>"
          "<th>Ansvarlig innleder</th><th class=\"tid\">Tid</th></tr></thead>\n<tbody>\n",
          out);
    for (size_t i = 0; i < m->n_items; i++) {
        const Samhand__V1__AgendaItem *item = m->items[i];
        char a[6], b[6];
        time_format_clock(item->start_time->seconds, a);
        time_format_clock(item->end_time->seconds, b);
        if (item->is_withdrawn)
            fputs("<tr class=\"trukket\"><td></td><td>", out);
        else
            fprintf(out, "<tr><td>%s–%s</td><td>", a, b);
        html_text(out, item->case_number);
        fputs("</td><td>", out);
        html_text(out, item->title);
        if (item->carried_from_item_id[0]) {
            fputs("<br>", out);
            agenda_carried_from_text(out, item);
        }
        if (item->is_withdrawn)
            fputs(" (trukket)", out);
        else if (item->description[0]) {
            fputs("<br>", out);
            html_text(out, item->description);
        }
        fputs("</td><td>", out);
        for (size_t j = 0; j < item->n_presenters; j++) {
            if (j)
                fputs("<br>", out);
            html_text(out, item->presenters[j]);
        }
        if (item->is_withdrawn)
            fputs("</td><td class=\"tid\"></td></tr>\n", out);
        else
            fprintf(out, "</td><td class=\"tid\">%d</td></tr>\n", item->duration_min);
    }
    fputs("</tbody>\n</table>\n", out);
    s_case_documents(out, notice, date);
    s_declarations(out, notice);
    fputs("</body>\n</html>\n", out);
    fclose(out);
    return body;
}
