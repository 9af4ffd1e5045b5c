/* The minutes (referat) as HTML, rendered from what the minutes handler has
 * loaded and the reader may see: heading and approval, place, time and
 * chair, attendance (present, deputies and for whom, observers, absent with
 * notice), then each item with who stepped out for it, the points of the
 * discussion and the decision. Data in, text out. */
#include "agenda_minutes_html.h"
#include "agenda_notice.h"
#include "samhand_html.h"
#include "samhand_time.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Text whose lines (a numbered decision) stay lines in HTML. */
static void s_lines(FILE *out, const char *text)
{
    for (const char *line = text; line;) {
        const char *end = strchr(line, '\n');
        char *part = strndup(line, end ? (size_t)(end - line) : strlen(line));
        html_text(out, part);
        free(part);
        if (end)
            fputs("<br>", out);
        line = end ? end + 1 : NULL;
    }
}

static void s_people(FILE *out, const Samhand__V1__Meeting *m, int status, const char *label)
{
    bool any = false;
    for (size_t i = 0; i < m->n_attendance; i++) {
        const Samhand__V1__Attendance *a = m->attendance[i];
        if ((int)a->status != status)
            continue;
        fputs(any ? ", " : "<p>", out);
        if (!any)
            fprintf(out, "%s: ", label);
        html_text(out, a->person_name);
        const char *deputy_for = agenda_deputy_for(m, a);
        if (status == SAMHAND__V1__ATTENDANCE__STATUS__DEPUTY && deputy_for) {
            fputs(" (for ", out);
            html_text(out, deputy_for);
            fputs(")", out);
        }
        any = true;
    }
    if (any)
        fputs("</p>\n", out);
}

const char *agenda_disqualification_text(int decision)
{
    switch (decision) {
    case SAMHAND__V1__DISQUALIFICATION__DECISION__DISQUALIFIED:
        return "ble funnet inhabil (forvaltningsloven § 6) og fratrådte under behandlingen av "
               "saken.";
    case SAMHAND__V1__DISQUALIFICATION__DECISION__NOT_DISQUALIFIED:
        return "ble funnet ikke inhabil (forvaltningsloven § 6) og deltok i behandlingen av "
               "saken.";
    default:
        return NULL;
    }
}

static void s_disqualifications(FILE *out, const agenda_minutes_t *minutes,
                                const Samhand__V1__AgendaItem *item)
{
    for (size_t i = 0; i < minutes->n_disqualifications; i++) {
        const Samhand__V1__Disqualification *d = minutes->disqualifications[i];
        const char *text = agenda_disqualification_text(d->decision);
        if (!text || strcmp(d->item_id, item->id) != 0)
            continue;
        fputs("<p class=\"inhabil\">", out);
        html_text(out, d->person_name);
        fprintf(out, " %s</p>\n", text);
    }
}

static void s_item(FILE *out, const agenda_minutes_t *minutes, const Samhand__V1__AgendaItem *item)
{
    fputs("<h3>", out);
    if (item->case_number[0]) {
        html_text(out, item->case_number);
        fputs(" ", out);
    }
    html_text(out, item->title);
    fputs("</h3>\n", out);
    if (item->is_withdrawn) {
        fputs("<p>Trukket før møtet.</p>\n", out);
        return;
    }
    if (item->carried_from_item_id[0]) {
        fputs("<p>", out);
        agenda_carried_from_text(out, item);
        fputs("</p>\n", out);
    }
    s_disqualifications(out, minutes, item);
    /* an exempt item's discussion and decision are blank already for
     * those who may not see them (agenda_meeting_load) */
    if (item->n_discussion_points > 0) {
        fputs("<p>Momenter fra diskusjonen:</p>\n<ul>\n", out);
        for (size_t j = 0; j < item->n_discussion_points; j++) {
            fputs("<li>", out);
            html_text(out, item->discussion_points[j]);
            fputs("</li>\n", out);
        }
        fputs("</ul>\n", out);
    }
    if (item->outcome) {
        fputs("<p class=\"vedtak\"><strong>Vedtak:</strong><br>", out);
        if (item->decision[0])
            s_lines(out, item->decision);
        else
            fputs(agenda_outcome_text(item->outcome), out);
        fputs("</p>\n", out);
    }
}

char *agenda_minutes_html_render(const agenda_minutes_t *minutes, size_t *len)
{
    const Samhand__V1__Meeting *m = minutes->meeting;
    const Samhand__V1__Committee *committee = minutes->committee;
    const Samhand__V1__Person *chair = minutes->chair;
    char date[11], from[6], to[6];
    time_format_date(m->start_time->seconds, date);
    time_format_clock(m->start_time->seconds, from);
    time_format_clock(m->end_time->seconds, to);
    char *body = NULL;
    FILE *out = open_memstream(&body, len);
    if (!out)
        return NULL;
    fputs(
        "<!DOCTYPE html>\n<html lang=\"nb\">\n<head>\n<meta charset=\"utf-8\">\n<title>Referat – ",
        out);
    html_text(out, committee->short_name[0] ? committee->short_name : committee->name);
    fprintf(out, " %s</title>\n", date);
    fputs("<style>body{font-family:sans-serif;max-width:62em;margin:2em auto;padding:0 1em}"
          "h3{margin-bottom:.2em}.vedtak{margin-left:1em}.status{color:#555}</style>\n"
          "</head>\n<body>\n<h1>Referat fra ",
          out);
    html_text(out, committee->name);
    fprintf(out, " %s</h1>\n", date);
    if (m->minutes_approve_time) {
        char approved[11];
        time_format_date(m->minutes_approve_time->seconds, approved);
        fprintf(out, "<p class=\"status\">Godkjent %s.</p>\n", approved);
    } else {
        fputs("<p class=\"status\">Utkast – ikke godkjent.</p>\n", out);
    }
    fputs("<p>Sted: ", out);
    html_text(out, m->place[0] ? m->place : m->online_url);
    fprintf(out, "<br>\nTid: %s kl. %s–%s", date, from, to);
    if (chair) {
        fputs("<br>\nMøteleder: ", out);
        html_text(out, chair->name);
    }
    fputs("</p>\n", out);
    s_people(out, m, SAMHAND__V1__ATTENDANCE__STATUS__PRESENT, "Til stede");
    s_people(out, m, SAMHAND__V1__ATTENDANCE__STATUS__DEPUTY, "Vara");
    s_people(out, m, SAMHAND__V1__ATTENDANCE__STATUS__OBSERVER, "Observatører");
    s_people(out, m, SAMHAND__V1__ATTENDANCE__STATUS__ABSENT_WITH_NOTICE, "Forfall");
    for (size_t i = 0; i < m->n_items; i++)
        if (m->items[i]->kind != SAMHAND__V1__AGENDA_ITEM__KIND__BREAK)
            s_item(out, minutes, m->items[i]);
    fputs("</body>\n</html>\n", out);
    fclose(out);
    return body;
}
