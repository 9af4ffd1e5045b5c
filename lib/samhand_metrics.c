/* A small, mutex-guarded metrics registry; series are few (routes x codes). */
#include "samhand_metrics.h"

#include <assert.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const double s_buckets[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                   0.1,    0.25,  0.5,    1,     2.5,  5};
#define BUCKETS (sizeof s_buckets / sizeof s_buckets[0])

typedef struct {
    char *labels;
    double value; /* counter, gauge; histogram sum */
    unsigned long count;
    unsigned long bucket[BUCKETS];
} s_series_t;

typedef struct {
    char *name;
    char *help;
    metrics_type_t type;
    s_series_t *series;
    size_t n_series;
} s_family_t;

struct metrics {
    pthread_mutex_t lock;
    s_family_t *families;
    size_t n_families;
};

metrics_t *metrics_new(void)
{
    metrics_t *metrics = calloc(1, sizeof *metrics);
    assert(metrics);
    pthread_mutex_init(&metrics->lock, NULL);
    return metrics;
}

void metrics_destroy(metrics_t **metrics_p)
{
    if (!metrics_p || !*metrics_p)
        return;
    metrics_t *metrics = *metrics_p;
    for (size_t i = 0; i < metrics->n_families; i++) {
        s_family_t *f = &metrics->families[i];
        for (size_t j = 0; j < f->n_series; j++)
            free(f->series[j].labels);
        free(f->series);
        free(f->name);
        free(f->help);
    }
    free(metrics->families);
    pthread_mutex_destroy(&metrics->lock);
    free(metrics);
    *metrics_p = NULL;
}

void metrics_describe(metrics_t *metrics, const char *name, metrics_type_t type, const char *help)
{
    pthread_mutex_lock(&metrics->lock);
    metrics->families =
        realloc(metrics->families, (metrics->n_families + 1) * sizeof *metrics->families);
    assert(metrics->families);
    s_family_t *f = &metrics->families[metrics->n_families++];
    *f = (s_family_t){.name = strdup(name), .help = strdup(help), .type = type};
    pthread_mutex_unlock(&metrics->lock);
}

/* Called with the lock held. A family must have been described. */
static s_series_t *s_series(metrics_t *metrics, const char *name, const char *labels)
{
    s_family_t *f = NULL;
    for (size_t i = 0; i < metrics->n_families && !f; i++)
        if (strcmp(metrics->families[i].name, name) == 0)
            f = &metrics->families[i];
    assert(f && "metric family not described");
    for (size_t j = 0; j < f->n_series; j++)
        if (strcmp(f->series[j].labels, labels) == 0)
            return &f->series[j];
    f->series = realloc(f->series, (f->n_series + 1) * sizeof *f->series);
    assert(f->series);
    s_series_t *s = &f->series[f->n_series++];
    memset(s, 0, sizeof *s);
    s->labels = strdup(labels);
    return s;
}

void metrics_add(metrics_t *metrics, const char *name, const char *labels, double value)
{
    pthread_mutex_lock(&metrics->lock);
    s_series(metrics, name, labels)->value += value;
    pthread_mutex_unlock(&metrics->lock);
}

void metrics_set(metrics_t *metrics, const char *name, const char *labels, double value)
{
    pthread_mutex_lock(&metrics->lock);
    s_series(metrics, name, labels)->value = value;
    pthread_mutex_unlock(&metrics->lock);
}

void metrics_observe(metrics_t *metrics, const char *name, const char *labels, double value)
{
    pthread_mutex_lock(&metrics->lock);
    s_series_t *s = s_series(metrics, name, labels);
    s->value += value;
    s->count++;
    for (size_t i = 0; i < BUCKETS; i++)
        if (value <= s_buckets[i])
            s->bucket[i]++;
    pthread_mutex_unlock(&metrics->lock);
}

static void s_line(FILE *out, const char *name, const char *suffix, const char *labels,
                   const char *extra, double value)
{
    const char *sep = labels[0] && extra[0] ? "," : "";
    if (labels[0] || extra[0])
        fprintf(out, "%s%s{%s%s%s} %.17g\n", name, suffix, labels, sep, extra, value);
    else
        fprintf(out, "%s%s %.17g\n", name, suffix, value);
}

char *metrics_render(metrics_t *metrics)
{
    static const char *types[] = {"counter", "gauge", "histogram"};
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    assert(out);
    pthread_mutex_lock(&metrics->lock);
    for (size_t i = 0; i < metrics->n_families; i++) {
        s_family_t *f = &metrics->families[i];
        fprintf(out, "# HELP %s %s\n# TYPE %s %s\n", f->name, f->help, f->name, types[f->type]);
        for (size_t j = 0; j < f->n_series; j++) {
            s_series_t *s = &f->series[j];
            if (f->type != METRICS_HISTOGRAM) {
                s_line(out, f->name, "", s->labels, "", s->value);
                continue;
            }
            char le[32];
            for (size_t b = 0; b < BUCKETS; b++) {
                snprintf(le, sizeof le, "le=\"%g\"", s_buckets[b]);
                s_line(out, f->name, "_bucket", s->labels, le, (double)s->bucket[b]);
            }
            s_line(out, f->name, "_bucket", s->labels, "le=\"+Inf\"", (double)s->count);
            s_line(out, f->name, "_sum", s->labels, "", s->value);
            s_line(out, f->name, "_count", s->labels, "", (double)s->count);
        }
    }
    pthread_mutex_unlock(&metrics->lock);
    fclose(out);
    return text;
}

static metrics_t *s_process;
static pthread_once_t s_process_once = PTHREAD_ONCE_INIT;

static void s_process_init(void)
{
    s_process = metrics_new();
    metrics_describe(s_process, "samhand_queue_items_total", METRICS_COUNTER,
                     "Items of a queue by flow: in (entered), out (done), retried (failed, to be "
                     "tried again), dead (became a dead letter), since the process started");
    metrics_describe(s_process, "samhand_consumer_last_sequence", METRICS_GAUGE,
                     "The last event of a followed service's stream applied by this consumer");
    metrics_describe(s_process, "samhand_consumer_behind", METRICS_GAUGE,
                     "Events of the followed stream this consumer has seen published and not "
                     "applied yet");
    metrics_describe(s_process, "samhand_consumer_consecutive_failures", METRICS_GAUGE,
                     "Attempts in a row that failed to apply the next event (0: applying)");
    metrics_describe(s_process, "samhand_consumer_failing_since_timestamp_seconds", METRICS_GAUGE,
                     "Unix time of the first of those failed attempts (0: applying)");
}

metrics_t *metrics_process(void)
{
    pthread_once(&s_process_once, s_process_init);
    return s_process;
}

void metrics_queue_flow(const char *service, const char *queue, const char *flow, double n)
{
    char labels[192];
    snprintf(labels, sizeof labels, "service=\"%s\",queue=\"%s\",flow=\"%s\"", service, queue,
             flow);
    metrics_add(metrics_process(), "samhand_queue_items_total", labels, n);
}
