/* The partnership's rules as arithmetic, without the database: a deadline
 * from a rule ("5 working days", "4 weeks") and the periods statistics
 * are published for (2023-T1, 2016-Q1, 2024-H2, 2024-05). */
#ifndef DEVIATION_RULES_H
#define DEVIATION_RULES_H

#include "samhand/v1/deviation.pb-c.h"

#include <stdbool.h>

/* The due date (YYYY-MM-DD) `rule` gives from `from` (YYYY-MM-DD): its
 * length in working days (skipping weekends and Norwegian public
 * holidays), calendar days or weeks of 7 days. "" for no rule. */
void deviation_rule_due(const Samhand__V1__DeadlineRule *rule, const char *from, char out[11]);

/* Whether the rule is one a partnership may set: a length of 1-365 in one
 * of the three units. */
bool deviation_rule_valid(const Samhand__V1__DeadlineRule *rule);

/* One statistics period: a tertial, quarter or half-year by its number
 * (1-based) or a month (1-12) of a year. */
typedef struct {
    Samhand__V1__StatisticsPeriod kind;
    int year;  /* 2000-2100 */
    int index; /* T1-T3, Q1-Q4, H1-H2, 01-12 */
} deviation_period_t;

/* Reads "2023-T1", "2016-Q1", "2024-H2" or "2024-05": 0, or -1 for anything
 * else (2024-Q5, 2024-13, 2024-T0, a year outside 2000-2100). */
int deviation_period_parse(const char *text, deviation_period_t *out);

/* The period of `kind` that holds the month `month` (1-12) of `year`. */
deviation_period_t deviation_period_of(Samhand__V1__StatisticsPeriod kind, int year, int month);

/* The one before. */
deviation_period_t deviation_period_previous(deviation_period_t p);

/* Its first day and the first day after it, YYYY-MM-DD. */
void deviation_period_range(deviation_period_t p, char from[11], char to_excl[11]);

/* The period, of any kind, that `from`..`to` (inclusive) is whole: 0, or
 * -1 when it is none (a tertial before a quarter of the same range: none
 * is both). */
int deviation_period_of_range(const char *from, const char *to, deviation_period_t *out);

/* "2023-T1", "2024-05" */
void deviation_period_name(deviation_period_t p, char out[16]);

/* As a heading says it: "1. tertial 2023", "3. kvartal 2016", "2. halvår
 * 2024", "mai 2024". */
void deviation_period_title(deviation_period_t p, char *out, size_t size);

#endif
