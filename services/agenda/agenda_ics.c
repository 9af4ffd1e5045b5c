/* The calendars of agenda rendered as iCalendar: data in, text out; see
 * agenda_ics.h. The content lines are lib/samhand_ics's. */
#include "agenda_ics.h"
#include "samhand_ics.h"
#include "samhand_time.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

static const char s_ics_head[] =
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//samhand//agenda//NO\r\nCALSCALE:GREGORIAN\r\n";

/* One VEVENT of a meeting; `agenda` (or NULL) goes into its description. */
static void s_ics_event(FILE *out, const Samhand__V1__Meeting *m,
                        const Samhand__V1__Committee *committee, const char *agenda,
                        int64_t stamp_s)
{
    char uid[80], stamp[17], start[17], end[17], summary[512], sequence[16];
    snprintf(uid, sizeof uid, "%s@samhand", m->id);
    ics_time(stamp_s, stamp);
    ics_time(m->start_time->seconds, start);
    ics_time(m->end_time->seconds, end);
    snprintf(summary, sizeof summary, "%s%s%s",
             committee->short_name[0] ? committee->short_name : committee->name,
             m->title[0] ? ": " : "", m->title[0] ? m->title : "");
    snprintf(sequence, sizeof sequence, "%d", m->notice_version);
    bool cancelled = m->state == SAMHAND__V1__MEETING__STATE__CANCELLED;
    fputs("BEGIN:VEVENT\r\n", out);
    ics_line(out, "UID", uid, false);
    ics_line(out, "SEQUENCE", sequence, false);
    ics_line(out, "DTSTAMP", stamp, false);
    ics_line(out, "DTSTART", start, false);
    ics_line(out, "DTEND", end, false);
    ics_line(out, "SUMMARY", summary, true);
    if (m->place[0])
        ics_line(out, "LOCATION", m->place, true);
    if (m->online_url[0])
        ics_line(out, "URL", m->online_url, false);
    ics_line(out, "STATUS",
             cancelled                                        ? "CANCELLED"
             : m->state == SAMHAND__V1__MEETING__STATE__DRAFT ? "TENTATIVE"
                                                              : "CONFIRMED",
             false);
    if (agenda)
        ics_line(out, "DESCRIPTION", agenda, true);
    fputs("END:VEVENT\r\n", out);
}

char *agenda_ics_meeting(const Samhand__V1__Meeting *m, const Samhand__V1__Committee *committee,
                         int64_t stamp_s, size_t *len)
{
    char *body = NULL, *agenda = NULL;
    size_t agenda_len = 0;
    FILE *list = open_memstream(&agenda, &agenda_len);
    fputs("Saksliste:", list);
    for (size_t i = 0; i < m->n_items; i++) {
        const Samhand__V1__AgendaItem *item = m->items[i];
        if (item->is_withdrawn)
            continue;
        char a[6];
        time_format_clock(item->start_time->seconds, a);
        fprintf(list, "\n%s %s%s%s", a, item->case_number, item->case_number[0] ? " " : "",
                item->title);
    }
    fclose(list);
    FILE *out = open_memstream(&body, len);
    fputs(s_ics_head, out);
    ics_line(out, "METHOD",
             m->state == SAMHAND__V1__MEETING__STATE__CANCELLED ? "CANCEL" : "PUBLISH", false);
    s_ics_event(out, m, committee, agenda, stamp_s);
    fputs("END:VCALENDAR\r\n", out);
    fclose(out);
    free(agenda);
    return body;
}

char *agenda_ics_committee(const Samhand__V1__Committee *committee,
                           Samhand__V1__Meeting *const *meetings, size_t n, int64_t stamp_s,
                           size_t *len)
{
    char *body = NULL;
    FILE *out = open_memstream(&body, len);
    fputs(s_ics_head, out);
    ics_line(out, "METHOD", "PUBLISH", false);
    ics_line(out, "X-WR-CALNAME", committee->name, true);
    for (size_t i = 0; i < n; i++)
        s_ics_event(out, meetings[i], committee, NULL, stamp_s);
    fputs("END:VCALENDAR\r\n", out);
    fclose(out);
    return body;
}
