/* The iCalendar content lines of the notices and committee calendars fed
 * hostile text (a meeting's title, place, agenda): the first byte says
 * whether the value is TEXT. What comes out is one content line as RFC
 * 5545 3.1 has it: CRLF-terminated physical lines of at most 75 octets, no
 * other line break, folded between UTF-8 characters, and unfolded (and
 * unescaped) the whole value again, but for what it may not hold. */
#include "samhand_ics.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define NAME "DESCRIPTION"

/* Whether [p, p + n) is UTF-8, as every text from JSON or PostgreSQL is. */
static bool s_utf8(const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n;) {
        size_t len = p[i] < 0x80             ? 1
                     : (p[i] & 0xe0) == 0xc0 ? 2
                     : (p[i] & 0xf0) == 0xe0 ? 3
                     : (p[i] & 0xf8) == 0xf0 ? 4
                                             : 0;
        if (len == 0 || i + len > n)
            return false;
        for (size_t k = 1; k < len; k++)
            if ((p[i + k] & 0xc0) != 0x80)
                return false;
        i += len;
    }
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    bool is_text = data[0] & 1;
    char *value = malloc(size);
    memcpy(value, data + 1, size - 1);
    value[size - 1] = '\0';
    size_t value_len = strlen(value);
    bool is_utf8 = s_utf8((const unsigned char *)value, value_len);
    char *ics = NULL;
    size_t ics_len = 0;
    FILE *out = open_memstream(&ics, &ics_len);
    ics_line(out, NAME, value, is_text);
    fclose(out);

    /* physical lines, unfolded into one */
    char *unfolded = malloc(ics_len + 1);
    size_t u = 0;
    const char *line = ics;
    for (bool first = true; line < ics + ics_len; first = false) {
        const char *crlf = strstr(line, "\r\n");
        if (!crlf)
            abort(); /* not CRLF-terminated */
        size_t n = (size_t)(crlf - line);
        if (n > 75 || memchr(line, '\r', n) || memchr(line, '\n', n))
            abort(); /* too long, or a line break inside a content line */
        if (!first && line[0] != ' ')
            abort();
        if (is_utf8 && !s_utf8((const unsigned char *)line, n))
            abort(); /* a character split by folding */
        memcpy(unfolded + u, line + !first, n - !first);
        u += n - !first;
        line = crlf + 2;
    }
    unfolded[u] = '\0';
    if (strncmp(unfolded, NAME ":", strlen(NAME) + 1) != 0)
        abort();
    /* unescaped, the value less what a content line cannot hold */
    const char *p = unfolded + strlen(NAME) + 1;
    size_t j = 0;
    for (; *p; p++) {
        char c = *p;
        if (is_text && c == '\\') {
            p++;
            c = *p == 'n' ? '\n' : *p;
            if (!strchr("\\;,n", *p))
                abort();
        } else if (is_text && (c == ';' || c == ',')) {
            abort(); /* unescaped TEXT separator */
        }
        while (value[j] == '\r' || (!is_text && value[j] == '\n'))
            j++;
        if (value[j++] != c)
            abort();
    }
    /* the value in full, however long */
    while (value[j] == '\r' || (!is_text && value[j] == '\n'))
        j++;
    if (value[j])
        abort();
    free(unfolded);
    free(ics);
    free(value);
    return 0;
}
