/* The statistics of deviation reports rendered: data in, text out
 * (deviation_stats_render.c); deviation_stats.c computes and replies. */
#ifndef DEVIATION_STATS_H
#define DEVIATION_STATS_H

#include "deviation_rules.h"
#include "samhand/v1/deviation.pb-c.h"

#include <stddef.h>

/* The two periods as CSV (semicolons, CRLF), suppressed figures as "<5"
 * and "skjult". Returns a malloc'ed body of *len bytes the caller frees. */
char *deviation_stats_csv(const Samhand__V1__DeviationStatsResponse *s, size_t *len);

/* The two periods as one HTML page; `categories` names the codes (NULL:
 * the codes stand for themselves). A malloc'ed body of *len bytes the
 * caller frees. */
char *deviation_stats_html(const Samhand__V1__DeviationStatsResponse *s, deviation_period_t period,
                           const Samhand__V1__ListDeviationCategoriesResponse *categories,
                           size_t *len);

#endif
