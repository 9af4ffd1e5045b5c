/* iCalendar content lines; see samhand_ics.h. */
#include "samhand_ics.h"

#include <string.h>
#include <time.h>

#define LINE_OCTETS 75 /* RFC 5545 3.1, without the CRLF */

/* The octets of the UTF-8 character at `p`: what its first byte says, as
 * far as continuation bytes follow; 1 for a byte that starts none. */
static size_t s_char_len(const unsigned char *p)
{
    size_t want = p[0] < 0xc0 ? 1 : p[0] < 0xe0 ? 2 : p[0] < 0xf0 ? 3 : p[0] < 0xf8 ? 4 : 1;
    size_t len = 1;
    while (len < want && (p[len] & 0xc0) == 0x80)
        len++;
    return len;
}

/* Writes `len` octets that stay on one physical line, folding first when
 * they would make it longer than LINE_OCTETS. */
static void s_put(FILE *out, size_t *width, const char *unit, size_t len)
{
    if (*width + len > LINE_OCTETS) {
        fputs("\r\n ", out);
        *width = 1;
    }
    fwrite(unit, 1, len, out);
    *width += len;
}

void ics_line(FILE *out, const char *name, const char *value, bool is_text)
{
    size_t width = 0;
    for (const char *p = name; *p; p++)
        s_put(out, &width, p, 1);
    s_put(out, &width, ":", 1);
    for (const char *p = value; *p;) {
        char escaped[2] = {'\\', *p};
        if (is_text && (*p == '\\' || *p == ';' || *p == ',' || *p == '\n')) {
            if (*p == '\n')
                escaped[1] = 'n';
            s_put(out, &width, escaped, 2);
            p++;
        } else if (*p == '\r' || *p == '\n') {
            p++; /* no line break inside a content line */
        } else {
            size_t len = s_char_len((const unsigned char *)p);
            s_put(out, &width, p, len);
            p += len;
        }
    }
    fputs("\r\n", out);
}

void ics_time(int64_t seconds, char out[17])
{
    time_t t = (time_t)seconds;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 17, "%Y%m%dT%H%M%SZ", &tm);
}
