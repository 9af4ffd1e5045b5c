/* The notice (møteinnkalling) as HTML (agenda_notice_html.c): data in,
 * text out, as agenda_notice_pdf renders it as PDF. */
#ifndef AGENDA_NOTICE_HTML_H
#define AGENDA_NOTICE_HTML_H

#include "agenda_notice_pdf.h"

#include <stddef.h>

/* Renders the notice as one HTML page. Returns the text (the caller frees
 * it) and its length in *len, or NULL when out of memory. */
char *agenda_notice_html_render(const agenda_notice_t *notice, size_t *len);

#endif
