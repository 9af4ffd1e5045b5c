/* Writing iCalendar (RFC 5545) content lines for the calendars the services
 * render: TEXT values escaped, long lines folded. */
#ifndef SAMHAND_ICS_H
#define SAMHAND_ICS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* Writes "name:value" and CRLF, `value` escaped as TEXT when `is_text`
 * (its line breaks as \n), folded at 75 octets without splitting a UTF-8
 * character. A value that is not TEXT loses its CRs and LFs: a line break
 * would end the content line and start another property. */
void ics_line(FILE *out, const char *name, const char *value, bool is_text);

/* Unix seconds as a UTC DATE-TIME ("20261122T050751Z") into `out`. */
void ics_time(int64_t seconds, char out[17]);

#endif
