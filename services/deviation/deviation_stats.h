/* The statistics of deviation reports rendered: data in, text out
 * (deviation_stats_render.c); deviation_stats.c computes and replies. */
#ifndef DEVIATION_STATS_H
#define DEVIATION_STATS_H

#include "deviation_rules.h"
#include "samhand/v1/deviation.pb-c.h"

#include <stddef.h>

/* The two periods as CSV (UTF-8 with its byte order mark, semicolons,
 * CRLF, decimal commas): each period by its Norwegian title, each count by
 * its name (StatCount.name), suppressed figures as "<5" and "skjult".
 * Returns a malloc'ed body of *len bytes the caller frees. */
char *deviation_stats_csv(const Samhand__V1__DeviationStatsResponse *s, deviation_period_t period,
                          size_t *len);

/* The two periods as one HTML page, laid out as the partnership's
 * committee receives the tertial report: the count, by direction and by
 * category beside the period before, the time to answer and the share in
 * time; then the other breakdowns. A malloc'ed body of *len bytes the
 * caller frees. */
char *deviation_stats_html(const Samhand__V1__DeviationStatsResponse *s, deviation_period_t period,
                           size_t *len);

#endif
