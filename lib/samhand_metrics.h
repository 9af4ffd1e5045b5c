/* Prometheus metrics of one process: counters, gauges and histograms keyed by
 * name and label set, rendered in the text exposition format. */
#ifndef SAMHAND_METRICS_H
#define SAMHAND_METRICS_H

typedef struct metrics metrics_t;

typedef enum { METRICS_COUNTER, METRICS_GAUGE, METRICS_HISTOGRAM } metrics_type_t;

metrics_t *metrics_new(void);
void metrics_destroy(metrics_t **metrics_p);

/* Declares a family once, before use: its type and its HELP text. */
void metrics_describe(metrics_t *metrics, const char *name, metrics_type_t type, const char *help);

/* `labels` is the inside of the braces, e.g. `route="GET /v1/x",code="200"`, or "". */
void metrics_add(metrics_t *metrics, const char *name, const char *labels, double value);
void metrics_set(metrics_t *metrics, const char *name, const char *labels, double value);
void metrics_observe(metrics_t *metrics, const char *name, const char *labels, double value);

/* The registry shared by the threads of a process that are not the bus
 * server's (relay, consumers, background actors); the bus server renders
 * it with its own. Created on first use, lives as long as the process. */
metrics_t *metrics_process(void);

/* Counts `n` items of a queue: flow "in" (entered), "out" (left, done),
 * "retried" (failed, to be tried again) or "dead" (became a dead letter),
 * as samhand_queue_items_total in metrics_process(). */
void metrics_queue_flow(const char *service, const char *queue, const char *flow, double n);

/* The whole exposition, NUL-terminated; the caller frees it. */
char *metrics_render(metrics_t *metrics);

#endif
