/* The identity-number finder fed hostile report text, as the rules held
 * before 2032 and after (the first byte chooses): it must end, and what it
 * answers is nothing, or (for well-formed UTF-8) a span inside the text
 * whose first character is a digit (ASCII or full-width). */
#include "deviation_identity.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* True when `text` is well-formed UTF-8 (what the gateway lets through):
 * only then are its characters counted as the finder counts them. */
static bool s_utf8(const unsigned char *p)
{
    while (*p) {
        int more = *p < 0x80             ? 0
                   : (*p & 0xe0) == 0xc0 ? 1
                   : (*p & 0xf0) == 0xe0 ? 2
                   : (*p & 0xf8) == 0xf0 ? 3
                                         : -1;
        if (more < 0 || (more == 1 && *p < 0xc2))
            return false;
        for (p++; more > 0; more--, p++)
            if ((*p & 0xc0) != 0x80)
                return false;
    }
    return true;
}

/* The number of UTF-8 characters in `text`. */
static int s_characters(const char *text)
{
    int n = 0;
    for (const char *p = text; *p; p++)
        n += ((unsigned char)*p & 0xc0) != 0x80;
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    int64_t written = data[0] & 1 ? DEVIATION_IDENTITY_NEW_SERIES_S : 1700000000;
    char *text = malloc(size);
    memcpy(text, data + 1, size - 1);
    text[size - 1] = '\0';
    deviation_identity_at_t at = deviation_identity_find(text, written);
    if (at.position < 0 || at.length < 0 || (at.position == 0) != (at.length == 0))
        abort();
    if (at.position > 0 && s_utf8((const unsigned char *)text)) {
        if (at.position + at.length - 1 > s_characters(text) || at.length < 11)
            abort();
        /* the byte where the position-th character starts */
        const char *p = text;
        for (int chars = 0; *p; p++)
            if (((unsigned char)*p & 0xc0) != 0x80 && ++chars == at.position)
                break;
        bool ascii = *p >= '0' && *p <= '9';
        bool wide = (unsigned char)p[0] == 0xef && (unsigned char)p[1] == 0xbc &&
                    (unsigned char)p[2] >= 0x90 && (unsigned char)p[2] <= 0x99;
        if (!ascii && !wide)
            abort();
    }
    free(text);
    return 0;
}
