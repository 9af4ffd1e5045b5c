/* Writing text into the HTML documents the services render (notices,
 * minutes, reports, mails): escaped, line breaks kept; and into XML (the
 * PDFs' XMP metadata). */
#ifndef SAMHAND_HTML_H
#define SAMHAND_HTML_H

#include <stdio.h>

/* Writes `text` with &, <, > and " escaped and newlines as <br>. */
void html_text(FILE *out, const char *text);

/* Writes `text` as XML 1.0 character data or attribute value: &, <, > and
 * " escaped, the control characters XML does not allow left out. */
void xml_text(FILE *out, const char *text);

#endif
