/* Statistics of deviation reports for a period (a tertial, T1 Jan–Apr, T2
 * May–Aug, T3 Sep–Dec; a quarter, half-year or month; by default the
 * partnership's kind, from its settings) beside the period before: counts,
 * working days to acknowledge and to answer, the share answered in time,
 * each report against its own due date (the rule it was submitted under).
 * No figure of fewer than 5 reports is published (s_suppress). */
#include "deviation_labels.h"
#include "deviation_report.h"
#include "deviation_rules.h"
#include "deviation_server.h"
#include "deviation_stats.h"
#include "samhand_check.h"
#include "samhand_time.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SUPPRESS_BELOW 5

static int s_compare(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

static double s_median(int *v, size_t n)
{
    if (n == 0)
        return 0;
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

/* nearest rank */
static double s_p90(int *v, size_t n)
{
    if (n == 0)
        return 0;
    size_t rank = (size_t)ceil(0.9 * (double)n);
    return v[rank - 1];
}

/* Adds one to `key` in a growing list of counts. */
static void s_count(Samhand__V1__StatCount ***list, size_t *n, const char *key)
{
    for (size_t i = 0; i < *n; i++)
        if (strcmp((*list)[i]->key, key) == 0) {
            (*list)[i]->count++;
            return;
        }
    *list = realloc(*list, (*n + 2) * sizeof **list);
    Samhand__V1__StatCount *c = malloc(sizeof *c);
    samhand__v1__stat_count__init(c);
    c->key = strdup(key[0] ? key : "(ikke oppgitt)");
    c->count = 1;
    (*list)[(*n)++] = c;
}

/* Gives the count of `key` its organisation's name, once known. */
static void s_name(Samhand__V1__StatCount **list, size_t n, const char *key, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(list[i]->key, key) == 0 && !list[i]->name[0] && name[0]) {
            list[i]->name = strdup(name);
            return;
        }
}

/* A count of some reports but fewer than SUPPRESS_BELOW: one that could
 * point to a patient, a unit or a person. */
static bool s_small(int count)
{
    return count > 0 && count < SUPPRESS_BELOW;
}

/* A published cell with its true count (the cell says -1 once hidden). */
typedef struct {
    Samhand__V1__StatCount *cell;
    int count;
} s_cell_t;

/* The rule of every figure published: no count, share, median or
 * percentile of fewer than SUPPRESS_BELOW reports, and no suppressed count
 * that follows from the others. In a group of cells whose sum is known (a
 * breakdown sums to the total; the organisations of one kind and the
 * directions to or from that kind sum to the same reports), a small count
 * is suppressed (-1) and then the smallest of the others too, until at
 * least two are and together they hold at least SUPPRESS_BELOW reports:
 * subtracting what is shown from the sum tells no small count. True when
 * it hid one more. */
static bool s_protect(s_cell_t *cells, size_t n)
{
    size_t hidden = 0;
    int hidden_reports = 0;
    bool changed = false;
    for (size_t i = 0; i < n; i++)
        if (cells[i].cell->count < 0) {
            hidden++;
            hidden_reports += cells[i].count;
        }
    while (hidden > 0 && (hidden < 2 || hidden_reports < SUPPRESS_BELOW)) {
        size_t smallest = n;
        for (size_t i = 0; i < n; i++)
            if (cells[i].cell->count >= 0 &&
                (smallest == n || cells[i].count < cells[smallest].count))
                smallest = i;
        if (smallest == n)
            break; /* all suppressed: their sum is the total, itself suppressed if small */
        hidden_reports += cells[smallest].count;
        cells[smallest].cell->count = -1;
        hidden++;
        changed = true;
    }
    return changed;
}

typedef struct {
    s_cell_t *cells;
    size_t n;
} s_group_t;

static void s_group_add(s_group_t *g, Samhand__V1__StatCount *cell)
{
    g->cells = realloc(g->cells, (g->n + 1) * sizeof *g->cells);
    g->cells[g->n++] = (s_cell_t){cell, cell->count};
}

/* The kind ("MUNICIPALITY") of organisation `id` among the facts. */
static const char *s_kind_of(const deviation_fact_t *facts, size_t n, const char *id)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(facts[i].reporting, id) == 0)
            return facts[i].reporting_kind[0] ? facts[i].reporting_kind : "UNKNOWN";
        if (strcmp(facts[i].receiving, id) == 0)
            return facts[i].receiving_kind[0] ? facts[i].receiving_kind : "UNKNOWN";
    }
    return "UNKNOWN";
}

/* Suppresses the period's breakdowns together: each breakdown is a group,
 * and so are, for each kind of organisation, the organisations of that
 * kind that received (reported) and the directions to (from) that kind:
 * both sum to the reports received (made) by that kind, so one tells the
 * other's sum. Small counts first, then every group until none changes. */
static void s_suppress_all(Samhand__V1__DeviationPeriodStats *s, const deviation_fact_t *facts,
                           size_t n_facts)
{
    Samhand__V1__StatCount **dims[] = {s->by_category,
                                       s->by_type,
                                       s->by_state,
                                       s->by_direction,
                                       s->by_reporting_organization,
                                       s->by_receiving_organization,
                                       s->by_harm_degree};
    size_t n_dims[] = {s->n_by_category,
                       s->n_by_type,
                       s->n_by_state,
                       s->n_by_direction,
                       s->n_by_reporting_organization,
                       s->n_by_receiving_organization,
                       s->n_by_harm_degree};
#define N_DIMS (sizeof n_dims / sizeof n_dims[0])
    size_t n_groups = N_DIMS + 4 * (s->n_by_direction + 1);
    s_group_t *groups = calloc(n_groups, sizeof *groups);
    size_t used = N_DIMS;
    for (size_t d = 0; d < N_DIMS; d++)
        for (size_t i = 0; i < n_dims[d]; i++)
            s_group_add(&groups[d], dims[d][i]);
    /* for each kind in a direction: its organisations and its directions */
    for (size_t k = 0; k < s->n_by_direction; k++) {
        char kinds[96];
        snprintf(kinds, sizeof kinds, "%s", s->by_direction[k]->key);
        char *arrow = strstr(kinds, " → ");
        if (!arrow)
            continue;
        *arrow = '\0';
        const char *side_kind[2] = {kinds, arrow + strlen(" → ")};
        for (int side = 0; side < 2; side++) {
            /* a kind in several directions makes the same groups again:
             * harmless, and few */
            s_group_t *orgs = &groups[used++], *directions = &groups[used++];
            Samhand__V1__StatCount **list =
                side ? s->by_receiving_organization : s->by_reporting_organization;
            size_t n_list = side ? s->n_by_receiving_organization : s->n_by_reporting_organization;
            for (size_t i = 0; i < n_list; i++)
                if (strcmp(s_kind_of(facts, n_facts, list[i]->key), side_kind[side]) == 0)
                    s_group_add(orgs, list[i]);
            for (size_t i = 0; i < s->n_by_direction; i++) {
                char other[96];
                snprintf(other, sizeof other, "%s", s->by_direction[i]->key);
                char *at = strstr(other, " → ");
                if (!at)
                    continue;
                *at = '\0';
                const char *kind = side ? at + strlen(" → ") : other;
                if (strcmp(kind, side_kind[side]) == 0)
                    s_group_add(directions, s->by_direction[i]);
            }
        }
    }
    for (size_t g = 0; g < used; g++)
        for (size_t i = 0; i < groups[g].n; i++)
            if (s_small(groups[g].cells[i].count))
                groups[g].cells[i].cell->count = -1;
    for (bool changed = true; changed;) {
        changed = false;
        for (size_t g = 0; g < used; g++)
            changed |= s_protect(groups[g].cells, groups[g].n);
        /* a pair's sum is known while one side shows every cell: then the
         * other side's hidden cells must be two or more holding
         * SUPPRESS_BELOW, or (one direction alone, say) the known side
         * hides one too, so its sum is no longer known */
        for (size_t g = N_DIMS; g + 1 < used; g += 2)
            for (int side = 0; side < 2; side++) {
                s_group_t *x = &groups[g + (size_t)side], *y = &groups[g + 1 - (size_t)side];
                size_t hidden = 0, y_hidden = 0;
                int hidden_reports = 0;
                for (size_t i = 0; i < x->n; i++)
                    if (x->cells[i].cell->count < 0) {
                        hidden++;
                        hidden_reports += x->cells[i].count;
                    }
                for (size_t i = 0; i < y->n; i++)
                    y_hidden += y->cells[i].cell->count < 0;
                if (hidden == 0 || y_hidden > 0 || y->n == 0 ||
                    (hidden >= 2 && hidden_reports >= SUPPRESS_BELOW))
                    continue;
                size_t smallest = 0;
                for (size_t i = 1; i < y->n; i++)
                    if (y->cells[i].count < y->cells[smallest].count)
                        smallest = i;
                y->cells[smallest].cell->count = -1;
                changed = true;
            }
    }
    for (size_t g = 0; g < used; g++)
        free(groups[g].cells);
    free(groups);
#undef N_DIMS
}

/* A figure over `n` reports, or -1 when they are too few to publish it. */
static double s_figure(double value, size_t n)
{
    return n < SUPPRESS_BELOW ? -1 : value;
}

static Samhand__V1__DeviationPeriodStats *s_period(const deviation_fact_t *facts, size_t n,
                                                   const char *from, const char *to_incl)
{
    Samhand__V1__DeviationPeriodStats *s = malloc(sizeof *s);
    samhand__v1__deviation_period_stats__init(s);
    s->from = strdup(from);
    s->to = strdup(to_incl);
    s->total = (int32_t)n;
    int *ack = calloc(n + 1, sizeof *ack), *answer = calloc(n + 1, sizeof *answer);
    size_t n_ack = 0, n_answer = 0, in_time = 0;
    for (size_t i = 0; i < n; i++) {
        const deviation_fact_t *f = &facts[i];
        s_count(&s->by_category, &s->n_by_category, f->category);
        s_count(&s->by_type, &s->n_by_type, f->type);
        s_count(&s->by_state, &s->n_by_state, f->state);
        s_count(&s->by_harm_degree, &s->n_by_harm_degree, f->harm_degree);
        s_count(&s->by_reporting_organization, &s->n_by_reporting_organization, f->reporting);
        s_name(s->by_reporting_organization, s->n_by_reporting_organization, f->reporting,
               f->reporting_name);
        s_count(&s->by_receiving_organization, &s->n_by_receiving_organization, f->receiving);
        s_name(s->by_receiving_organization, s->n_by_receiving_organization, f->receiving,
               f->receiving_name);
        char direction[96];
        snprintf(direction, sizeof direction, "%s → %s",
                 f->reporting_kind[0] ? f->reporting_kind : "UNKNOWN",
                 f->receiving_kind[0] ? f->receiving_kind : "UNKNOWN");
        s_count(&s->by_direction, &s->n_by_direction, direction);
        if (f->acknowledged[0])
            ack[n_ack++] = time_working_days_between(f->submitted, f->acknowledged);
        if (f->answered[0]) {
            answer[n_answer++] = time_working_days_between(f->submitted, f->answered);
            in_time += strcmp(f->answered, f->answer_due) <= 0;
        }
    }
    if (s_small(s->total))
        s->total = -1;
    s_suppress_all(s, facts, n);
    qsort(ack, n_ack, sizeof *ack, s_compare);
    qsort(answer, n_answer, sizeof *answer, s_compare);
    s->median_days_to_acknowledge = s_figure(s_median(ack, n_ack), n_ack);
    s->p90_days_to_acknowledge = s_figure(s_p90(ack, n_ack), n_ack);
    s->median_days_to_answer = s_figure(s_median(answer, n_answer), n_answer);
    s->p90_days_to_answer = s_figure(s_p90(answer, n_answer), n_answer);
    /* a share tells both how many were in time and how many not */
    s->share_answered_in_time =
        s_small((int)in_time) || s_small((int)(n_answer - in_time))
            ? -1
            : s_figure(n_answer ? (double)in_time / (double)n_answer : 0, n_answer);
    free(ack);
    free(answer);
    return s;
}

static void s_date(int64_t days_since_epoch_noon, char out[11])
{
    time_t t = (time_t)days_since_epoch_noon;
    struct tm tm;
    gmtime_r(&t, &tm);
    snprintf(out, 11, "%04u-%02u-%02u", (unsigned)(tm.tm_year + 1900) % 10000u,
             (unsigned)(tm.tm_mon + 1) % 100u, (unsigned)tm.tm_mday % 100u);
}

static int64_t s_noon(const char *date)
{
    struct tm tm = {0};
    sscanf(date, "%d-%d-%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday);
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    tm.tm_hour = 12;
    return (int64_t)timegm(&tm);
}

/* Names every count as people read it (StatCount.name): a category by
 * its name in the code list, a type, state or direction by its Norwegian
 * label; organisations have theirs from the directory already. */
static void s_names(Samhand__V1__DeviationPeriodStats *s,
                    const Samhand__V1__ListDeviationCategoriesResponse *categories)
{
    for (size_t i = 0; i < s->n_by_category; i++) {
        const char *name = deviation_label_type(s->by_category[i]->key); /* "(ikke oppgitt)" */
        for (size_t j = 0; categories && j < categories->n_items; j++)
            if (strcmp(categories->items[j]->code, s->by_category[i]->key) == 0)
                name = categories->items[j]->name;
        deviation_replace_text(&s->by_category[i]->name, name);
    }
    for (size_t i = 0; i < s->n_by_type; i++)
        deviation_replace_text(&s->by_type[i]->name, deviation_label_type(s->by_type[i]->key));
    for (size_t i = 0; i < s->n_by_state; i++)
        deviation_replace_text(&s->by_state[i]->name, deviation_label_state(s->by_state[i]->key));
    for (size_t i = 0; i < s->n_by_harm_degree; i++)
        deviation_replace_text(&s->by_harm_degree[i]->name,
                               deviation_label_harm(s->by_harm_degree[i]->key));
    for (size_t i = 0; i < s->n_by_direction; i++) {
        char label[96];
        deviation_label_direction(s->by_direction[i]->key, label, sizeof label);
        deviation_replace_text(&s->by_direction[i]->name, label);
    }
}

/* The period's figures, each report's category counted under the code of
 * today's list that takes its place (`map`, the versions' mappings). */
static int s_compute(bus_call_t *call, const char *from, const char *to_excl,
                     const deviation_code_map_t *map, size_t n_map,
                     Samhand__V1__DeviationPeriodStats **out)
{
    deviation_fact_t *facts = NULL;
    size_t n = 0;
    if (deviation_store_facts(call->db, from, to_excl, &facts, &n) != 0)
        return bus_call_fail_db(call, "read statistics");
    for (size_t i = 0; i < n; i++) {
        const char *current = deviation_code_current(map, n_map, facts[i].category);
        if (current != facts[i].category) {
            char *copy = strdup(current);
            free(facts[i].category);
            facts[i].category = copy;
        }
    }
    char to_incl[11];
    s_date(s_noon(to_excl) - 86400, to_incl);
    *out = s_period(facts, n, from, to_incl);
    deviation_facts_free(facts, n);
    return 0;
}

int deviation_stats(bus_call_t *call)
{
    const Samhand__V1__DeviationStatsRequest *req = (const void *)call->request;
    char from[11], to_excl[11], prev_from[11], prev_to[11];
    char today[11];
    deviation_today(today);
    struct tm oslo;
    time_oslo(bus_now_ms() / 1000, &oslo);
    /* the partnership's kind of period, as its settings hold today */
    Samhand__V1__PartnershipSettings *settings = NULL;
    if (deviation_settings_at(call->db, call->service, today, 0, &settings) != 0)
        return bus_call_fail_db(call, "read settings");
    Samhand__V1__StatisticsPeriod partnership_kind = settings->statistics_period;
    protobuf_c_message_free_unpacked(&settings->base, NULL);
    deviation_period_t period;
    if (req->period[0]) {
        if (deviation_period_parse(req->period, &period) != 0)
            return bus_call_fail(call, BUS_INVALID_ARGUMENT, "period",
                                 "period must be a tertial (2023-T1), a quarter (2016-Q1), a "
                                 "half-year (2024-H2) or a month (2024-05) of 2000-2100");
    } else if (req->from[0] || req->to[0]) {
        if (!check_date(req->from))
            return bus_call_fail(call, BUS_INVALID_ARGUMENT, "from",
                                 "give period (2023-T1) or from and to (YYYY-MM-DD)");
        if (!check_date(req->to) || strcmp(req->to, req->from) < 0)
            return bus_call_fail(call, BUS_INVALID_ARGUMENT, "to",
                                 "to must be a date YYYY-MM-DD, not before from");
        /* Ranges that overlap could be subtracted from each other to tell
         * the counts under 5 that each hides: only whole periods are
         * published. */
        if (deviation_period_of_range(req->from, req->to, &period) != 0)
            return bus_call_fail(call, BUS_INVALID_ARGUMENT, "from",
                                 "statistics are published per whole period (a tertial, "
                                 "quarter, half-year or month: from its first day to its last, "
                                 "or period=2023-T1): figures of overlapping ranges could be "
                                 "subtracted to tell counts under 5");
    } else {
        /* the partnership's period: the last one ended */
        period = deviation_period_previous(
            deviation_period_of(partnership_kind, oslo.tm_year + 1900, oslo.tm_mon + 1));
    }
    /* Periods of two kinds overlap (a tertial less its quarter is a
     * month), so their figures could be subtracted to tell the counts
     * under 5 that each hides: the partnership's kind is published, the
     * others are for quality staff, who see every report anyway. */
    if (period.kind != partnership_kind && !deviation_caller_is_quality(call))
        return bus_call_fail(call, BUS_PERMISSION_DENIED, "period",
                             "statistics are published per the partnership's period (%s); "
                             "other periods are for quality staff, as figures of overlapping "
                             "periods could be subtracted to tell counts under 5",
                             protobuf_c_enum_descriptor_get_value(
                                 &samhand__v1__statistics_period__descriptor, partnership_kind)
                                 ->name);
    char name[16];
    deviation_period_name(period, name);
    deviation_period_range(period, from, to_excl);
    deviation_period_range(deviation_period_previous(period), prev_from, prev_to);
    /* the running period changes with every report: two reads a report
     * apart would tell what that one report is. Published once it has
     * ended; until then for quality staff, who see every report anyway. */
    if (strcmp(to_excl, today) > 0 && !deviation_caller_is_quality(call))
        return bus_call_fail(call, BUS_PERMISSION_DENIED, "period",
                             "a period's statistics are published when it has ended (on %s); "
                             "until then only quality staff see them, as two reads a report "
                             "apart would tell what that one report is",
                             to_excl);
    if (req->format[0] && strcmp(req->format, "json") != 0 && strcmp(req->format, "csv") != 0 &&
        strcmp(req->format, "html") != 0)
        return bus_call_fail(call, BUS_INVALID_ARGUMENT, "format",
                             "format must be json, csv or html");
    const Samhand__V1__Principal *p = call->envelope->principal;
    if (!p || !p->subject || !p->subject[0])
        return bus_call_fail(call, BUS_PERMISSION_DENIED, NULL,
                             "statistics are for committee members");

    Samhand__V1__DeviationStatsResponse response = SAMHAND__V1__DEVIATION_STATS_RESPONSE__INIT;
    response.period = name;
    response.period_kind = period.kind;
    /* reports of every version of the code list, grouped by today's */
    deviation_code_map_t *map = NULL;
    size_t n_map = 0;
    if (deviation_store_mappings(call->db, &map, &n_map) != 0)
        return bus_call_fail_db(call, "read statistics");
    int rc = s_compute(call, from, to_excl, map, n_map, &response.current);
    if (rc == 0 && s_compute(call, prev_from, prev_to, map, n_map, &response.previous) != 0) {
        protobuf_c_message_free_unpacked(&response.current->base, NULL);
        rc = -1;
    }
    deviation_store_mappings_free(map, n_map);
    if (rc != 0)
        return -1;
    Samhand__V1__ListDeviationCategoriesResponse *categories = NULL;
    if (deviation_store_categories(call->db, 0, &categories) != 0)
        categories = NULL; /* the codes stand in for the names */
    s_names(response.current, categories);
    s_names(response.previous, categories);
    if (categories)
        protobuf_c_message_free_unpacked(&categories->base, NULL);
    if (strcmp(req->format, "csv") == 0) {
        size_t len = 0;
        char *body = deviation_stats_csv(&response, period, &len);
        char filename[64];
        snprintf(filename, sizeof filename, "avvik-%s.csv", name);
        bus_call_reply_document(call, "text/csv; charset=utf-8", body, len, filename);
        free(body);
    } else if (strcmp(req->format, "html") == 0) {
        size_t len = 0;
        char *body = deviation_stats_html(&response, period, &len);
        char filename[64];
        snprintf(filename, sizeof filename, "avvik-%s.html", name);
        bus_call_reply_document(call, "text/html; charset=utf-8", body, len, filename);
        free(body);
    } else {
        bus_call_reply(call, &response.base);
    }
    protobuf_c_message_free_unpacked(&response.current->base, NULL);
    protobuf_c_message_free_unpacked(&response.previous->base, NULL);
    return 0;
}
