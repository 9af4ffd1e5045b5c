/* HTML escaping; see samhand_html.h. */
#include "samhand_html.h"

void html_text(FILE *out, const char *text)
{
    for (const char *p = text; *p; p++) {
        switch (*p) {
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
        case '\n':
            fputs("<br>", out);
            break;
        default:
            fputc(*p, out);
        }
    }
}
