/* Deadlines from a rule and statistics periods; see deviation_rules.h. */
#include "deviation_rules.h"
#include "samhand_time.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#define UNIT(name) SAMHAND__V1__DEADLINE_RULE__UNIT__##name
#define KIND(name) SAMHAND__V1__STATISTICS_PERIOD__##name

static void s_format(int y, int m, int d, char out[11])
{
    snprintf(out, 11, "%04u-%02u-%02u", (unsigned)y % 10000u, (unsigned)m % 100u,
             (unsigned)d % 100u);
}

bool deviation_rule_valid(const Samhand__V1__DeadlineRule *rule)
{
    return rule && rule->length >= 1 && rule->length <= 365 &&
           (rule->unit == UNIT(WORKING_DAYS) || rule->unit == UNIT(CALENDAR_DAYS) ||
            rule->unit == UNIT(WEEKS));
}

void deviation_rule_due(const Samhand__V1__DeadlineRule *rule, const char *from, char out[11])
{
    int y, m, d;
    out[0] = '\0';
    if (!deviation_rule_valid(rule) || sscanf(from, "%d-%d-%d", &y, &m, &d) != 3)
        return;
    if (rule->unit == UNIT(WORKING_DAYS)) {
        time_add_working_days(&y, &m, &d, rule->length);
        s_format(y, m, d, out);
        return;
    }
    int days = rule->unit == UNIT(WEEKS) ? 7 * rule->length : rule->length;
    struct tm tm = {.tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d + days, .tm_hour = 12};
    time_t t = timegm(&tm); /* normalises the day past the month's end */
    gmtime_r(&t, &tm);
    s_format(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, out);
}

/* ----------------------------------------------------------------- periods */

static const struct {
    Samhand__V1__StatisticsPeriod kind;
    char letter; /* in the name; 0 for months, written as two digits */
    int months;
    const char *word; /* in a heading */
} s_kinds[] = {
    {KIND(TERTIAL), 'T', 4, "tertial"},
    {KIND(QUARTER), 'Q', 3, "kvartal"},
    {KIND(HALF_YEAR), 'H', 6, "halvår"},
    {KIND(MONTH), 0, 1, NULL},
};
#define KINDS (sizeof s_kinds / sizeof s_kinds[0])

/* The months of a period of `kind`; 0 for no kind of the table. */
static int s_months(Samhand__V1__StatisticsPeriod kind)
{
    for (size_t i = 0; i < KINDS; i++)
        if (s_kinds[i].kind == kind)
            return s_kinds[i].months;
    return 0;
}

int deviation_period_parse(const char *text, deviation_period_t *out)
{
    if (!text || strlen(text) != 7 || text[4] != '-')
        return -1;
    for (int i = 0; i < 4; i++)
        if (text[i] < '0' || text[i] > '9')
            return -1;
    if (text[6] < '0' || text[6] > '9')
        return -1;
    int year =
        (text[0] - '0') * 1000 + (text[1] - '0') * 100 + (text[2] - '0') * 10 + (text[3] - '0');
    if (year < 2000 || year > 2100)
        return -1;
    for (size_t i = 0; i < KINDS; i++) {
        int index;
        if (s_kinds[i].letter && text[5] == s_kinds[i].letter)
            index = text[6] - '0';
        else if (!s_kinds[i].letter && text[5] >= '0' && text[5] <= '9')
            index = (text[5] - '0') * 10 + (text[6] - '0');
        else
            continue;
        if (index < 1 || index > 12 / s_kinds[i].months)
            return -1;
        *out = (deviation_period_t){s_kinds[i].kind, year, index};
        return 0;
    }
    return -1;
}

deviation_period_t deviation_period_of(Samhand__V1__StatisticsPeriod kind, int year, int month)
{
    if (s_months(kind) == 0)
        kind = KIND(TERTIAL); /* none other is known */
    return (deviation_period_t){kind, year, (month - 1) / s_months(kind) + 1};
}

deviation_period_t deviation_period_previous(deviation_period_t p)
{
    if (p.index > 1)
        return (deviation_period_t){p.kind, p.year, p.index - 1};
    return (deviation_period_t){p.kind, p.year - 1, 12 / s_months(p.kind)};
}

void deviation_period_range(deviation_period_t p, char from[11], char to_excl[11])
{
    int months = s_months(p.kind);
    int first = 1 + months * (p.index - 1);
    s_format(p.year, first, 1, from);
    if (first + months > 12)
        s_format(p.year + 1, 1, 1, to_excl);
    else
        s_format(p.year, first + months, 1, to_excl);
}

int deviation_period_of_range(const char *from, const char *to, deviation_period_t *out)
{
    int y, m, d;
    if (sscanf(from, "%4d-%2d-%2d", &y, &m, &d) != 3 || d != 1 || y < 2000 || y > 2100)
        return -1;
    for (size_t i = 0; i < KINDS; i++) {
        if ((m - 1) % s_kinds[i].months != 0)
            continue;
        deviation_period_t p = {s_kinds[i].kind, y, (m - 1) / s_kinds[i].months + 1};
        char start[11], end_excl[11], last[11];
        deviation_period_range(p, start, end_excl);
        int ey, em, ed;
        sscanf(end_excl, "%d-%d-%d", &ey, &em, &ed);
        struct tm tm = {.tm_year = ey - 1900, .tm_mon = em - 1, .tm_mday = 0, .tm_hour = 12};
        time_t t = timegm(&tm); /* day 0: the last of the month before */
        gmtime_r(&t, &tm);
        s_format(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, last);
        if (strcmp(start, from) == 0 && strcmp(last, to) == 0) {
            *out = p;
            return 0;
        }
    }
    return -1;
}

void deviation_period_name(deviation_period_t p, char out[16])
{
    for (size_t i = 0; i < KINDS; i++)
        if (s_kinds[i].kind == p.kind && s_kinds[i].letter) {
            snprintf(out, 16, "%04u-%c%u", (unsigned)p.year % 10000u, s_kinds[i].letter,
                     (unsigned)p.index % 10u);
            return;
        }
    snprintf(out, 16, "%04u-%02u", (unsigned)p.year % 10000u, (unsigned)p.index % 100u);
}

void deviation_period_title(deviation_period_t p, char *out, size_t size)
{
    static const char *const months[] = {"januar",    "februar", "mars",     "april",
                                         "mai",       "juni",    "juli",     "august",
                                         "september", "oktober", "november", "desember"};
    for (size_t i = 0; i < KINDS; i++)
        if (s_kinds[i].kind == p.kind && s_kinds[i].word) {
            snprintf(out, size, "%d. %s %d", p.index, s_kinds[i].word, p.year);
            return;
        }
    snprintf(out, size, "%s %d", months[(p.index - 1) % 12], p.year);
}
