/* The identity-number finder fed hostile report text: it must end, and
 * what it answers is 0 or the position (in characters) of a digit that
 * starts a run of 11 digits, or 6, a space and 5, with valid check
 * digits. */
#include "deviation_identity.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    memcpy(text, data, size);
    text[size] = '\0';
    int position = deviation_identity_find(text);
    if (position < 0)
        abort();
    if (position > 0) {
        /* the byte where the position-th character starts */
        const char *p = text;
        for (int chars = 0; *p; p++)
            if (((unsigned char)*p & 0xc0) != 0x80 && ++chars == position)
                break;
        if (!*p || *p < '0' || *p > '9')
            abort();
        char digits[11];
        size_t n = 0;
        for (const char *q = p; *q && n < 11; q++)
            if (*q >= '0' && *q <= '9')
                digits[n++] = *q;
            else if (*q != ' ')
                break;
        if (n != 11 || !deviation_identity_valid(digits))
            abort();
    }
    free(text);
    return 0;
}
