/* The minutes (referat) as HTML (agenda_minutes_html.c): data in, text
 * out, as agenda_minutes_pdf renders them as PDF. */
#ifndef AGENDA_MINUTES_HTML_H
#define AGENDA_MINUTES_HTML_H

#include "agenda_minutes_pdf.h"

#include <stddef.h>

/* Renders the minutes as one HTML page. Returns the text (the caller
 * frees it) and its length in *len. */
char *agenda_minutes_html_render(const agenda_minutes_t *minutes, size_t *len);

/* What the minutes say of a decided declaration of disqualification
 * (never its reason): «Kari Nordmann ble funnet inhabil …». Static, or
 * NULL while it is not decided. */
const char *agenda_disqualification_text(int decision);

#endif
