/* Statistics of deviation reports for a tertial (T1 Jan–Apr, T2 May–Aug,
 * T3 Sep–Dec) or a date range, beside the period before: counts, working
 * days to acknowledge and to answer, the share answered in time. Counts
 * under 5 are suppressed in the breakdowns by organisation. */
#include "deviation_server.h"
#include "samhand_check.h"
#include "samhand_time.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* Working days from `from` (exclusive) to `to` (inclusive). */
static int s_days(const char *from, const char *to)
{
    int y, m, d, n = 0;
    if (sscanf(from, "%d-%d-%d", &y, &m, &d) != 3)
        return 0;
    for (int i = 0; i < 2000; i++) {
        char day[11];
        time_add_working_days(&y, &m, &d, 1);
        snprintf(day, sizeof day, "%04u-%02u-%02u", (unsigned)y % 10000u, (unsigned)m % 100u,
                 (unsigned)d % 100u);
        if (strcmp(day, to) > 0)
            break;
        n++;
    }
    return n;
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

static void s_suppress(Samhand__V1__StatCount **list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (list[i]->count < SUPPRESS_BELOW)
            list[i]->count = -1;
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
        s_count(&s->by_reporting_organization, &s->n_by_reporting_organization, f->reporting);
        s_count(&s->by_receiving_organization, &s->n_by_receiving_organization, f->receiving);
        if (f->acknowledged[0])
            ack[n_ack++] = s_days(f->submitted, f->acknowledged);
        if (f->answered[0]) {
            answer[n_answer++] = s_days(f->submitted, f->answered);
            in_time += strcmp(f->answered, f->answer_due) <= 0;
        }
    }
    s_suppress(s->by_reporting_organization, s->n_by_reporting_organization);
    s_suppress(s->by_receiving_organization, s->n_by_receiving_organization);
    qsort(ack, n_ack, sizeof *ack, s_compare);
    qsort(answer, n_answer, sizeof *answer, s_compare);
    s->median_days_to_acknowledge = s_median(ack, n_ack);
    s->p90_days_to_acknowledge = s_p90(ack, n_ack);
    s->median_days_to_answer = s_median(answer, n_answer);
    s->p90_days_to_answer = s_p90(answer, n_answer);
    s->share_answered_in_time = n_answer ? (double)in_time / (double)n_answer : 0;
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

static int s_compute(bus_call_t *call, const char *from, const char *to_excl,
                     Samhand__V1__DeviationPeriodStats **out)
{
    deviation_fact_t *facts = NULL;
    size_t n = 0;
    if (deviation_store_facts(call->db, from, to_excl, &facts, &n) != 0)
        return bus_call_fail_db(call, "read statistics");
    char to_incl[11];
    s_date(s_noon(to_excl) - 86400, to_incl);
    *out = s_period(facts, n, from, to_incl);
    deviation_facts_free(facts, n);
    return 0;
}

static void s_csv_section(FILE *out, const char *period, const char *group,
                          Samhand__V1__StatCount **list, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        fprintf(out, "%s;%s;\"", period, group);
        for (const char *p = list[i]->key; *p; p++)
            fputs(*p == '"' ? "\"\"" : (char[2]){*p, 0}, out);
        if (list[i]->count < 0)
            fputs("\";<5\r\n", out);
        else
            fprintf(out, "\";%d\r\n", list[i]->count);
    }
}

static void s_csv_period(FILE *out, const char *label, const Samhand__V1__DeviationPeriodStats *s)
{
    fprintf(out, "%s;totalt;alle;%d\r\n", label, s->total);
    s_csv_section(out, label, "kategori", s->by_category, s->n_by_category);
    s_csv_section(out, label, "type", s->by_type, s->n_by_type);
    s_csv_section(out, label, "status", s->by_state, s->n_by_state);
    s_csv_section(out, label, "meldende virksomhet", s->by_reporting_organization,
                  s->n_by_reporting_organization);
    s_csv_section(out, label, "mottakende virksomhet", s->by_receiving_organization,
                  s->n_by_receiving_organization);
    fprintf(out, "%s;virkedager til mottak;median;%.1f\r\n", label, s->median_days_to_acknowledge);
    fprintf(out, "%s;virkedager til mottak;90-persentil;%.1f\r\n", label,
            s->p90_days_to_acknowledge);
    fprintf(out, "%s;virkedager til svar;median;%.1f\r\n", label, s->median_days_to_answer);
    fprintf(out, "%s;virkedager til svar;90-persentil;%.1f\r\n", label, s->p90_days_to_answer);
    fprintf(out, "%s;besvart innen frist;andel;%.3f\r\n", label, s->share_answered_in_time);
}

int deviation_stats(bus_call_t *call)
{
    const Samhand__V1__DeviationStatsRequest *req = (const void *)call->request;
    char from[11], to_excl[11], prev_from[11], prev_to[11];
    int year, tertial;
    char extra;
    if (req->period[0]) {
        if (sscanf(req->period, "%4d-T%1d%c", &year, &tertial, &extra) != 2 || tertial < 1 ||
            tertial > 3 || year < 2000 || year > 2100)
            return bus_call_fail(call, BUS_INVALID_ARGUMENT, "period",
                                 "period must be a tertial like 2023-T1 (T1 Jan–Apr, T2 May–Aug, "
                                 "T3 Sep–Dec)");
        int first_month = 1 + 4 * (tertial - 1);
        snprintf(from, sizeof from, "%04d-%02d-01", year, first_month);
        snprintf(to_excl, sizeof to_excl, "%04d-%02d-01", tertial == 3 ? year + 1 : year,
                 tertial == 3 ? 1 : first_month + 4);
        int prev_year = tertial == 1 ? year - 1 : year;
        int prev_month = tertial == 1 ? 9 : first_month - 4;
        snprintf(prev_from, sizeof prev_from, "%04d-%02d-01", prev_year, prev_month);
        snprintf(prev_to, sizeof prev_to, "%s", from);
    } else {
        if (!check_date(req->from))
            return bus_call_fail(call, BUS_INVALID_ARGUMENT, "from",
                                 "give period (2023-T1) or from and to (YYYY-MM-DD)");
        if (!check_date(req->to) || strcmp(req->to, req->from) < 0)
            return bus_call_fail(call, BUS_INVALID_ARGUMENT, "to",
                                 "to must be a date YYYY-MM-DD, not before from");
        snprintf(from, sizeof from, "%s", req->from);
        s_date(s_noon(req->to) + 86400, to_excl);
        int64_t length = s_noon(to_excl) - s_noon(from);
        s_date(s_noon(from) - length, prev_from);
        snprintf(prev_to, sizeof prev_to, "%s", from);
    }
    if (req->format[0] && strcmp(req->format, "json") != 0 && strcmp(req->format, "csv") != 0)
        return bus_call_fail(call, BUS_INVALID_ARGUMENT, "format", "format must be json or csv");
    const Samhand__V1__Principal *p = call->envelope->principal;
    if (!p || !p->subject || !p->subject[0])
        return bus_call_fail(call, BUS_PERMISSION_DENIED, NULL,
                             "statistics are for committee members");

    Samhand__V1__DeviationStatsResponse response = SAMHAND__V1__DEVIATION_STATS_RESPONSE__INIT;
    if (s_compute(call, from, to_excl, &response.current) != 0)
        return -1;
    if (s_compute(call, prev_from, prev_to, &response.previous) != 0) {
        protobuf_c_message_free_unpacked(&response.current->base, NULL);
        return -1;
    }
    if (strcmp(req->format, "csv") == 0) {
        char *body = NULL;
        size_t len = 0;
        FILE *out = open_memstream(&body, &len);
        fputs("periode;gruppering;verdi;antall\r\n", out);
        char label[32];
        snprintf(label, sizeof label, "%s..%s", response.current->from, response.current->to);
        s_csv_period(out, label, response.current);
        snprintf(label, sizeof label, "%s..%s", response.previous->from, response.previous->to);
        s_csv_period(out, label, response.previous);
        fclose(out);
        char filename[64];
        snprintf(filename, sizeof filename, "avvik-%s.csv",
                 req->period[0] ? req->period : response.current->from);
        bus_call_reply_document(call, "text/csv; charset=utf-8", body, len, filename);
        free(body);
    } else {
        bus_call_reply(call, &response.base);
    }
    protobuf_c_message_free_unpacked(&response.current->base, NULL);
    protobuf_c_message_free_unpacked(&response.previous->base, NULL);
    return 0;
}
