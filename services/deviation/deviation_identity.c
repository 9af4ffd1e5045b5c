/* Finding identity numbers in text; see deviation_identity.h. */
#include "deviation_identity.h"

#include <stddef.h>

/* The most characters one gap between two digits may take: ". " or " - ",
 * a line break with the indentation around it. */
#define GAP_MAX_CHARS 8

typedef enum {
    CH_OTHER,
    CH_DIGIT,
    CH_SPACE,     /* ' ', tab, no-break and the other Unicode spaces */
    CH_MARK,      /* '-', '.', the Unicode hyphens and dashes */
    CH_BREAK,     /* line and paragraph breaks */
    CH_INVISIBLE, /* soft hyphen, zero-width spaces and joiners, BOM */
} char_kind_t;

/* One character of the text. */
typedef struct {
    char_kind_t kind;
    char digit; /* '0'..'9' for a CH_DIGIT */
    int bytes;  /* its length in UTF-8; 1 for a byte that starts none */
} text_char_t;

/* Decodes the UTF-8 character at p (never past its terminating NUL). */
static unsigned s_decode(const unsigned char *p, int *bytes)
{
    int n = p[0] < 0x80             ? 1
            : (p[0] & 0xe0) == 0xc0 ? 2
            : (p[0] & 0xf0) == 0xe0 ? 3
            : (p[0] & 0xf8) == 0xf0 ? 4
                                    : 0;
    unsigned cp = n == 1 ? p[0] : n == 2 ? p[0] & 0x1fu : n == 3 ? p[0] & 0x0fu : p[0] & 0x07u;
    for (int i = 1; i < n; i++) {
        if ((p[i] & 0xc0) != 0x80) {
            n = 0;
            break;
        }
        cp = cp << 6 | (p[i] & 0x3fu);
    }
    *bytes = n ? n : 1;
    return n ? cp : 0xfffd;
}

static text_char_t s_char(const char *at)
{
    text_char_t c = {CH_OTHER, 0, 1};
    unsigned cp = s_decode((const unsigned char *)at, &c.bytes);
    if (cp >= '0' && cp <= '9')
        c.kind = CH_DIGIT, c.digit = (char)cp;
    else if (cp >= 0xff10 && cp <= 0xff19) /* full-width digits */
        c.kind = CH_DIGIT, c.digit = (char)('0' + (cp - 0xff10));
    else if (cp == ' ' || cp == '\t' || cp == '\v' || cp == '\f' || cp == 0xa0 || cp == 0x1680 ||
             (cp >= 0x2000 && cp <= 0x200a) || cp == 0x202f || cp == 0x205f || cp == 0x3000)
        c.kind = CH_SPACE;
    else if (cp == '-' || cp == '.' || (cp >= 0x2010 && cp <= 0x2015) || cp == 0x2212 ||
             cp == 0xfe63 || cp == 0xff0d || cp == 0xff0e)
        c.kind = CH_MARK;
    else if (cp == '\n' || cp == '\r' || cp == 0x85 || cp == 0x2028 || cp == 0x2029)
        c.kind = CH_BREAK;
    else if (cp == 0xad || (cp >= 0x200b && cp <= 0x200d) || cp == 0x2060 || cp == 0xfeff)
        c.kind = CH_INVISIBLE;
    return c;
}

static bool s_in(int value, int low, int high)
{
    return value >= low && value <= high;
}

/* ddmmyy with the D-number's day + 40 and the H-number's month + 40; or an
 * FH-number, which holds no date. */
static bool s_shaped(const char d[11])
{
    if (d[0] == '8' || d[0] == '9')
        return true;
    int day = (d[0] - '0') * 10 + d[1] - '0', month = (d[2] - '0') * 10 + d[3] - '0';
    return (s_in(day, 1, 31) || s_in(day, 41, 71)) && (s_in(month, 1, 12) || s_in(month, 41, 52));
}

static int s_weighted_mod11(const char *digits, const int *weights, int n)
{
    int sum = 0;
    for (int i = 0; i < n; i++)
        sum += (digits[i] - '0') * weights[i];
    return sum % 11;
}

bool deviation_identity_valid(const char digits[11], int64_t written_s)
{
    static const int w1[] = {3, 7, 6, 1, 8, 9, 4, 5, 2, 1};
    static const int w2[] = {5, 4, 3, 2, 7, 6, 5, 4, 3, 2, 1};
    for (int i = 0; i < 11; i++)
        if (digits[i] < '0' || digits[i] > '9')
            return false;
    int first = s_weighted_mod11(digits, w1, 10);
    int first_max = written_s >= DEVIATION_IDENTITY_NEW_SERIES_S ? 3 : 0;
    return s_shaped(digits) && first <= first_max && s_weighted_mod11(digits, w2, 11) == 0;
}

/* What stands between two digits of a candidate. */
typedef enum {
    GAP_NONE,      /* nothing (or only invisible characters) */
    GAP_SEPARATOR, /* spaces, dashes, full stops */
    GAP_BREAK,     /* a line break, with whatever separates around it */
} gap_t;

/* Reads the gap at `*at`, advancing past it and counting its characters;
 * -1 when it is too long to stand inside one number. */
static int s_gap(const char **at, int *chars)
{
    gap_t gap = GAP_NONE;
    for (int n = 0;; n++) {
        text_char_t c = s_char(*at);
        if (c.kind == CH_DIGIT || c.kind == CH_OTHER)
            return (int)gap; /* the text's NUL is CH_OTHER */
        if (n == GAP_MAX_CHARS)
            return -1;
        if (c.kind == CH_BREAK)
            gap = GAP_BREAK;
        else if (c.kind != CH_INVISIBLE && gap == GAP_NONE)
            gap = GAP_SEPARATOR;
        *at += c.bytes;
        (*chars)++;
    }
}

/* Reads an identity number's spelling starting at the digit at p; returns
 * its length in characters, or 0 when what stands there is none. */
static int s_candidate(const char *p, char digits[11])
{
    gap_t gaps[11] = {GAP_NONE};
    int chars = 0;
    for (int n = 0;; n++) {
        text_char_t c = s_char(p);
        if (c.kind != CH_DIGIT)
            return 0;
        digits[n] = c.digit;
        p += c.bytes;
        chars++;
        if (n == 10)
            break;
        int gap = s_gap(&p, &chars);
        if (gap < 0)
            return 0;
        gaps[n + 1] = (gap_t)gap;
        /* separators between the date's parts and before the individual
         * number; a line break wherever the text was wrapped */
        if (gaps[n + 1] == GAP_SEPARATOR && n + 1 != 2 && n + 1 != 4 && n + 1 != 6)
            return 0;
    }
    if (s_char(p).kind == CH_DIGIT)
        return 0; /* part of a longer run */
    /* the date is written whole or in its three parts: 1234.56.78903 is an
     * account number, not 12.34.56 78903 */
    if ((gaps[2] == GAP_SEPARATOR && gaps[4] == GAP_NONE) ||
        (gaps[2] == GAP_NONE && gaps[4] == GAP_SEPARATOR))
        return 0;
    return chars;
}

deviation_identity_at_t deviation_identity_find(const char *text, int64_t written_s)
{
    deviation_identity_at_t none = {0, 0};
    bool after_digit = false;
    int position = 0;
    for (const char *p = text; *p;) {
        text_char_t c = s_char(p);
        position++; /* counts characters, not bytes */
        if (c.kind == CH_DIGIT && !after_digit) {
            char digits[11];
            int length = s_candidate(p, digits);
            if (length && deviation_identity_valid(digits, written_s))
                return (deviation_identity_at_t){position, length};
        }
        after_digit = c.kind == CH_DIGIT;
        p += c.bytes;
    }
    return none;
}
