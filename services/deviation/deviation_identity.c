/* Finding identity numbers in text; see deviation_identity.h. */
#include "deviation_identity.h"

#include <string.h>

static bool s_digit(char c)
{
    return c >= '0' && c <= '9';
}

bool deviation_identity_valid(const char digits[11])
{
    static const int w1[] = {3, 7, 6, 1, 8, 9, 4, 5, 2};
    static const int w2[] = {5, 4, 3, 2, 7, 6, 5, 4, 3, 2};
    int sum = 0;
    for (int i = 0; i < 9; i++)
        sum += (digits[i] - '0') * w1[i];
    int k1 = 11 - sum % 11;
    if (k1 == 11)
        k1 = 0;
    if (k1 == 10 || k1 != digits[9] - '0')
        return false;
    sum = 0;
    for (int i = 0; i < 10; i++)
        sum += (digits[i] - '0') * w2[i];
    int k2 = 11 - sum % 11;
    if (k2 == 11)
        k2 = 0;
    return k2 != 10 && k2 == digits[10] - '0';
}

/* Reads 11 digits at p, with one space allowed after the sixth; returns the
 * number of bytes they take (11 or 12), or 0. */
static int s_candidate(const char *p, char digits[11])
{
    int n = 0, i = 0;
    while (n < 11) {
        if (s_digit(p[i])) {
            digits[n++] = p[i++];
        } else if (n == 6 && p[i] == ' ' && i == 6) {
            i++;
        } else {
            return 0;
        }
    }
    return s_digit(p[i]) ? 0 : i;
}

int deviation_identity_find(const char *text)
{
    int position = 0;
    for (const char *p = text; *p; p++) {
        if (((unsigned char)*p & 0xc0) != 0x80)
            position++; /* counts characters, not bytes */
        if (!s_digit(*p) || (p > text && s_digit(p[-1])))
            continue;
        char digits[11];
        if (s_candidate(p, digits) && deviation_identity_valid(digits))
            return position;
    }
    return 0;
}
