/* HTML and XML escaping; see samhand_html.h. */
#include "samhand_html.h"

/* one character of text: the four that mean markup escaped */
static void s_escaped(FILE *out, char c)
{
    switch (c) {
    case '&':
        fputs("&amp;", out);
        break;
    case '<':
        fputs("&lt;", out);
        break;
    case '>':
        fputs("&gt;", out);
        break;
    case '"':
        fputs("&quot;", out);
        break;
    default:
        fputc(c, out);
    }
}

void html_text(FILE *out, const char *text)
{
    for (const char *p = text; *p; p++) {
        if (*p == '\n')
            fputs("<br>", out);
        else
            s_escaped(out, *p);
    }
}

void xml_text(FILE *out, const char *text)
{
    for (const char *p = text; *p; p++)
        /* XML 1.0 has no other control characters than these */
        if ((unsigned char)*p >= 0x20 || *p == '\t' || *p == '\n' || *p == '\r')
            s_escaped(out, *p);
}
