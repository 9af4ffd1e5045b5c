/* Query strings into request messages; see gateway_query.h. */
#include "gateway_query.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

static int s_hex(int c)
{
    return isdigit(c) ? c - '0' : isxdigit(c) ? (tolower(c) - 'a' + 10) : -1;
}

/* Percent-decodes [p, end) into out; '+' is a space. 0, or -1 when malformed. */
static int s_decode(const char *p, const char *end, char *out, size_t size)
{
    size_t j = 0;
    for (; p < end; p++) {
        int c = (unsigned char)*p;
        if (c == '+') {
            c = ' ';
        } else if (c == '%') {
            if (end - p < 3 || s_hex((unsigned char)p[1]) < 0 || s_hex((unsigned char)p[2]) < 0)
                return -1;
            c = s_hex((unsigned char)p[1]) * 16 + s_hex((unsigned char)p[2]);
            p += 2;
        }
        if (c == 0 || j + 1 >= size)
            return -1;
        out[j++] = (char)c;
    }
    out[j] = '\0';
    return 0;
}

int gateway_query_apply(ProtobufCMessage *msg, const char *query, size_t len,
                        transcode_error_t *err)
{
    const char *p = query, *end = query + len;
    while (p < end) {
        const char *amp = memchr(p, '&', (size_t)(end - p));
        const char *stop = amp ? amp : end;
        const char *eq = memchr(p, '=', (size_t)(stop - p));
        char name[64], value[1024];
        if (stop > p) {
            if (s_decode(p, eq ? eq : stop, name, sizeof name) != 0) {
                snprintf(err->field, sizeof err->field, "%s", "");
                snprintf(err->message, sizeof err->message, "the query string is malformed");
                return -1;
            }
            if (s_decode(eq ? eq + 1 : stop, stop, value, sizeof value) != 0) {
                snprintf(err->field, sizeof err->field, "%s", name);
                snprintf(err->message, sizeof err->message, "is malformed or longer than %zu bytes",
                         sizeof value - 1);
                return -1;
            }
            if (transcode_set_from_text(msg, name, value, err) != 0)
                return -1;
        }
        p = stop + 1;
    }
    return 0;
}
