/* The gateway's /metrics: its own exposition and every service's as one. */
#ifndef GATEWAY_METRICS_H
#define GATEWAY_METRICS_H

#include <stddef.h>

/* One Prometheus exposition from several: each family once, its HELP and
 * TYPE from the first text that has them, its series from all. The caller
 * frees the result. */
char *gateway_metrics_merge(const char *const *texts, size_t n);

#endif
