/* Input syntax checks; see samhand_check.h. */
#include "samhand_check.h"

#include <ctype.h>
#include <stdint.h>
#include <string.h>

bool check_empty(const char *text)
{
    return !text || !*text;
}

bool check_uuid(const char *text)
{
    if (!text || strlen(text) != 36)
        return false;
    for (int i = 0; i < 36; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (text[i] != '-')
                return false;
        } else if (!isxdigit((unsigned char)text[i])) {
            return false;
        }
    }
    return true;
}

bool check_date(const char *text)
{
    if (!text || strlen(text) != 10 || text[4] != '-' || text[7] != '-')
        return false;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && !isdigit((unsigned char)text[i]))
            return false;
    int year =
        (text[0] - '0') * 1000 + (text[1] - '0') * 100 + (text[2] - '0') * 10 + (text[3] - '0');
    int month = (text[5] - '0') * 10 + (text[6] - '0');
    int day = (text[8] - '0') * 10 + (text[9] - '0');
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (year < 1900 || month < 1 || month > 12 || day < 1)
        return false;
    bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    int max = days[month - 1] + (month == 2 && leap);
    return day <= max;
}

bool check_email(const char *text)
{
    if (!text)
        return false;
    size_t len = strlen(text);
    if (len < 3 || len > 254)
        return false;
    const char *at = strchr(text, '@');
    if (!at || at == text || strchr(at + 1, '@'))
        return false;
    const char *dot = strrchr(at + 1, '.');
    if (!dot || dot == at + 1 || dot[1] == '\0')
        return false;
    for (const char *p = text; *p; p++)
        if ((unsigned char)*p <= ' ' || *p == 0x7f)
            return false;
    return true;
}

bool check_text(const char *text, size_t max_chars)
{
    size_t chars = 0;
    const unsigned char *p = (const unsigned char *)text;
    while (*p) {
        uint32_t c = *p;
        int extra;
        if (c < 0x80)
            extra = 0;
        else if ((c & 0xe0) == 0xc0 && c >= 0xc2)
            extra = 1, c &= 0x1f;
        else if ((c & 0xf0) == 0xe0)
            extra = 2, c &= 0x0f;
        else if ((c & 0xf8) == 0xf0 && c <= 0xf4)
            extra = 3, c &= 0x07;
        else
            return false;
        p++;
        for (int i = 0; i < extra; i++, p++) {
            if ((*p & 0xc0) != 0x80)
                return false;
            c = (c << 6) | (*p & 0x3f);
        }
        if ((extra == 2 && (c < 0x800 || (c >= 0xd800 && c <= 0xdfff))) ||
            (extra == 3 && (c < 0x10000 || c > 0x10ffff)))
            return false;
        if (c < 0x20 && c != '\n' && c != '\t' && c != '\r')
            return false;
        if (++chars > max_chars)
            return false;
    }
    return true;
}

const char *const check_roles[] = {"administrator", "secretariat", "secretary",
                                   "member",        "reporter",    "quality",
                                   "integration",   "leader",      NULL};

bool check_role(const char *text)
{
    for (size_t i = 0; text && check_roles[i]; i++)
        if (strcmp(text, check_roles[i]) == 0)
            return true;
    return false;
}

/* RFC 9110 tchar */
static bool s_tchar(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c && strchr("!#$%&'*+-.^_`|~", c));
}

static const char *s_token(const char *p)
{
    const char *start = p;
    while (s_tchar(*p))
        p++;
    return p > start ? p : NULL;
}

static const char *s_quoted_string(const char *p)
{
    if (*p++ != '"')
        return NULL;
    for (; *p && *p != '"'; p++) {
        unsigned char c = (unsigned char)*p;
        if (c == '\\') {
            c = (unsigned char)*++p;
            if (!(c == '\t' || (c >= 0x20 && c != 0x7f)))
                return NULL;
        } else if (!(c == '\t' || (c >= 0x20 && c != 0x7f))) {
            return NULL;
        }
    }
    return *p == '"' ? p + 1 : NULL;
}

bool check_media_type(const char *text)
{
    if (!text || strlen(text) > 255)
        return false;
    const char *p = s_token(text);
    if (!p || *p++ != '/' || !(p = s_token(p)))
        return false;
    for (;;) {
        while (*p == ' ' || *p == '\t')
            p++;
        if (!*p)
            return true;
        if (*p++ != ';')
            return false;
        while (*p == ' ' || *p == '\t')
            p++;
        if (!*p)
            return true;
        if (!(p = s_token(p)) || *p++ != '=')
            return false;
        p = *p == '"' ? s_quoted_string(p) : s_token(p);
        if (!p)
            return false;
    }
}

void check_utf8_cut(char *text)
{
    unsigned char *p = (unsigned char *)text;
    while (*p) {
        int n = *p < 0x80             ? 1
                : (*p & 0xe0) == 0xc0 ? 2
                : (*p & 0xf0) == 0xe0 ? 3
                : (*p & 0xf8) == 0xf0 ? 4
                                      : 0;
        for (int i = 1; i < n; i++)
            if ((p[i] & 0xc0) != 0x80)
                n = 0;
        if (n == 0 || (n == 2 && *p < 0xc2)) {
            *p = '\0';
            return;
        }
        p += n;
    }
}
