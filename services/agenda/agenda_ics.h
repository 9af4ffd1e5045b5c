/* The calendars of agenda as iCalendar (RFC 5545) text (agenda_ics.c): a
 * meeting's event with its agenda, and a committee's calendar of its
 * meetings. Data in, text out: loading and replying are agenda_notice.c's. */
#ifndef AGENDA_ICS_H
#define AGENDA_ICS_H

#include "samhand/v1/agenda.pb-c.h"

#include <stddef.h>
#include <stdint.h>

/* The calendar of meeting `m` of `committee`: one VEVENT, METHOD CANCEL
 * when the meeting is cancelled (else PUBLISH), its agenda (the items not
 * withdrawn, with their start times, Oslo) in the description, stamped
 * `stamp_s` (Unix seconds). Returns the text (the caller frees it) and its
 * length in *len. */
char *agenda_ics_meeting(const Samhand__V1__Meeting *m, const Samhand__V1__Committee *committee,
                         int64_t stamp_s, size_t *len);

/* The calendar of `committee` for subscribing: the `n` meetings as one
 * VEVENT each, without agendas, stamped `stamp_s`. As agenda_ics_meeting. */
char *agenda_ics_committee(const Samhand__V1__Committee *committee,
                           Samhand__V1__Meeting *const *meetings, size_t n, int64_t stamp_s,
                           size_t *len);

#endif
