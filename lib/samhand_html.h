/* Writing text into the HTML documents the services render (notices,
 * minutes, reports, mails): escaped, line breaks kept. */
#ifndef SAMHAND_HTML_H
#define SAMHAND_HTML_H

#include <stdio.h>

/* Writes `text` with &, <, > and " escaped and newlines as <br>. */
void html_text(FILE *out, const char *text);

#endif
