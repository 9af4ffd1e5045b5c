/* The statistics of deviation reports rendered as CSV and as an HTML
 * page: pure functions of the computed figures; see deviation_stats.h. */
#include "deviation_stats.h"
#include "samhand_html.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void s_csv_section(FILE *out, const char *period, const char *group,
                          Samhand__V1__StatCount **list, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        fprintf(out, "%s;%s;\"", period, group);
        for (const char *p = list[i]->key; *p; p++)
            fputs(*p == '"' ? "\"\"" : (char[2]){*p, 0}, out);
        /* a count is hidden when under 5, or when it would tell one that is */
        if (list[i]->count < 0)
            fputs("\";skjult\r\n", out);
        else
            fprintf(out, "\";%d\r\n", list[i]->count);
    }
}

/* One figure of the CSV, "<5" when suppressed. */
static void s_csv_figure(FILE *out, const char *label, const char *what, const char *which,
                         const char *format, double value)
{
    fprintf(out, "%s;%s;%s;", label, what, which);
    if (value < 0)
        fputs("<5", out);
    else
        fprintf(out, format, value);
    fputs("\r\n", out);
}

static void s_csv_period(FILE *out, const char *label, const Samhand__V1__DeviationPeriodStats *s)
{
    s_csv_figure(out, label, "totalt", "alle", "%.0f", s->total);
    s_csv_section(out, label, "kategori", s->by_category, s->n_by_category);
    s_csv_section(out, label, "type", s->by_type, s->n_by_type);
    s_csv_section(out, label, "status", s->by_state, s->n_by_state);
    s_csv_section(out, label, "retning", s->by_direction, s->n_by_direction);
    s_csv_section(out, label, "meldende virksomhet", s->by_reporting_organization,
                  s->n_by_reporting_organization);
    s_csv_section(out, label, "mottakende virksomhet", s->by_receiving_organization,
                  s->n_by_receiving_organization);
    s_csv_figure(out, label, "virkedager til mottak", "median", "%.1f",
                 s->median_days_to_acknowledge);
    s_csv_figure(out, label, "virkedager til mottak", "90-persentil", "%.1f",
                 s->p90_days_to_acknowledge);
    s_csv_figure(out, label, "virkedager til svar", "median", "%.1f", s->median_days_to_answer);
    s_csv_figure(out, label, "virkedager til svar", "90-persentil", "%.1f", s->p90_days_to_answer);
    s_csv_figure(out, label, "besvart innen frist", "andel", "%.3f", s->share_answered_in_time);
}

/* ------------------------------------------------------------- the report */

static const char *s_state_text(const char *state)
{
    static const char *names[][2] = {
        {"SUBMITTED", "Sendt"},
        {"AWAITING_RESPONSE", "Til behandling"},
        {"INFORMATION_REQUESTED", "Venter på opplysninger"},
        {"ANSWERED", "Besvart"},
        {"DISPUTED", "Omstridt svar"},
        {"ANALYSIS_REQUESTED", "Hendelsesanalyse bedt om"},
        {"CLOSED", "Lukket"},
        {"REJECTED", "Avvist"},
        {"DUPLICATE", "Duplikat"},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(names[i][0], state) == 0)
            return names[i][1];
    return state;
}

static const char *s_category_text(const Samhand__V1__ListDeviationCategoriesResponse *categories,
                                   const char *code)
{
    for (size_t i = 0; categories && i < categories->n_items; i++)
        if (strcmp(categories->items[i]->code, code) == 0)
            return categories->items[i]->name;
    return code;
}

static int s_lookup(Samhand__V1__StatCount **list, size_t n, const char *key)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(list[i]->key, key) == 0)
            return list[i]->count;
    return 0;
}

static void s_cell(FILE *out, int count)
{
    if (count < 0)
        fputs("<td class=\"tall\">skjult</td>", out);
    else
        fprintf(out, "<td class=\"tall\">%d</td>", count);
}

/* A table of one breakdown: this period's keys, then those only before. */
static void s_html_breakdown(FILE *out, const char *title, Samhand__V1__StatCount **now,
                             size_t n_now, Samhand__V1__StatCount **before, size_t n_before,
                             const char *(*label)(const void *, const char *), const void *arg)
{
    fprintf(out,
            "<h2>%s</h2>\n<table>\n<thead><tr><th></th><th class=\"tall\">Denne perioden"
            "</th><th class=\"tall\">Forrige periode</th></tr></thead>\n<tbody>\n",
            title);
    for (size_t i = 0; i < n_now + n_before; i++) {
        const char *key = i < n_now ? now[i]->key : before[i - n_now]->key;
        if (i >= n_now && s_lookup(now, n_now, key))
            continue;
        fputs("<tr><td>", out);
        html_text(out, label ? label(arg, key) : key);
        fputs("</td>", out);
        s_cell(out, s_lookup(now, n_now, key));
        s_cell(out, s_lookup(before, n_before, key));
        fputs("</tr>\n", out);
    }
    fputs("</tbody>\n</table>\n", out);
}

static const char *s_state_label(const void *arg, const char *key)
{
    (void)arg;
    return s_state_text(key);
}

static const char *s_category_label(const void *arg, const char *key)
{
    return s_category_text(arg, key);
}

static const char *s_kind_text(const char *kind, size_t len)
{
    static const char *names[][2] = {{"MUNICIPALITY", "Kommune"},
                                     {"HOSPITAL_TRUST", "Helseforetak"},
                                     {"GP_OFFICE", "Fastlegekontor"},
                                     {"COUNTY_GOVERNOR", "Statsforvalter"},
                                     {"OTHER", "Annen"},
                                     {"UNKNOWN", "Ukjent"}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strlen(names[i][0]) == len && strncmp(names[i][0], kind, len) == 0)
            return names[i][1];
    return "Ukjent";
}

/* "MUNICIPALITY → HOSPITAL_TRUST" -> "Kommune → Helseforetak" */
static const char *s_direction_label(const void *arg, const char *key)
{
    static _Thread_local char label[96];
    (void)arg;
    const char *arrow = strstr(key, " → ");
    if (!arrow)
        return key;
    const char *to = arrow + strlen(" → ");
    snprintf(label, sizeof label, "%s → %s", s_kind_text(key, (size_t)(arrow - key)),
             s_kind_text(to, strlen(to)));
    return label;
}

/* An organisation's name where the read model knows it, else its id. */
static const char *s_organization_label(const void *arg, const char *key)
{
    const Samhand__V1__DeviationPeriodStats *s = arg;
    Samhand__V1__StatCount **lists[] = {s->by_reporting_organization, s->by_receiving_organization};
    size_t sizes[] = {s->n_by_reporting_organization, s->n_by_receiving_organization};
    for (int l = 0; l < 2; l++)
        for (size_t i = 0; i < sizes[l]; i++)
            if (strcmp(lists[l][i]->key, key) == 0 && lists[l][i]->name[0])
                return lists[l][i]->name;
    return key;
}

/* A row of key figures, this period and the one before; "<5" when suppressed. */
static void s_html_figure(FILE *out, const char *title, const char *format, double now,
                          double before)
{
    fprintf(out, "<tr><td>%s</td>", title);
    double values[] = {now, before};
    for (int i = 0; i < 2; i++) {
        fputs("<td class=\"tall\">", out);
        if (values[i] < 0)
            fputs("&lt;5", out);
        else
            fprintf(out, format, values[i]);
        fputs("</td>", out);
    }
    fputs("</tr>\n", out);
}

char *deviation_stats_html(const Samhand__V1__DeviationStatsResponse *s, deviation_period_t period,
                           const Samhand__V1__ListDeviationCategoriesResponse *categories,
                           size_t *len)
{
    char *body = NULL;
    FILE *out = open_memstream(&body, len);
    char title[96], when[48];
    deviation_period_title(period, when, sizeof when);
    snprintf(title, sizeof title, "Avviksrapportering – %s", when);
    fprintf(out,
            "<!DOCTYPE html>\n<html lang=\"nb\">\n<head>\n<meta charset=\"utf-8\">\n<title>%s"
            "</title>\n<style>body{font-family:sans-serif;max-width:62em;margin:2em auto;"
            "padding:0 1em}table{border-collapse:collapse;margin-bottom:1.5em}th,td{border:1px "
            "solid #888;padding:.3em .6em;text-align:left}.tall{text-align:right}</style>\n"
            "</head>\n<body>\n<h1>%s</h1>\n",
            title, title);
    const Samhand__V1__DeviationPeriodStats *a = s->current, *b = s->previous;
    fprintf(out,
            "<p>Samhandlingsavvik meldt i perioden %.2s.%.2s.%.4s–%.2s.%.2s.%.4s, med forrige "
            "periode til sammenligning. Tid til mottak og svar regnes i virkedager; hver melding "
            "måles mot fristen som gjaldt da den ble sendt.</p>\n",
            a->from + 8, a->from + 5, a->from, a->to + 8, a->to + 5, a->to);
    fputs("<h2>Nøkkeltall</h2>\n<table>\n<thead><tr><th></th><th class=\"tall\">Denne "
          "perioden</th><th class=\"tall\">Forrige periode</th></tr></thead>\n<tbody>\n",
          out);
    s_html_figure(out, "Antall meldinger", "%.0f", a->total, b->total);
    s_html_figure(out, "Virkedager til mottak, median", "%.1f", a->median_days_to_acknowledge,
                  b->median_days_to_acknowledge);
    s_html_figure(out, "Virkedager til mottak, 90-persentil", "%.1f", a->p90_days_to_acknowledge,
                  b->p90_days_to_acknowledge);
    s_html_figure(out, "Virkedager til svar, median", "%.1f", a->median_days_to_answer,
                  b->median_days_to_answer);
    s_html_figure(out, "Virkedager til svar, 90-persentil", "%.1f", a->p90_days_to_answer,
                  b->p90_days_to_answer);
    s_html_figure(out, "Besvart innen frist", "%.0f %%",
                  a->share_answered_in_time < 0 ? -1 : a->share_answered_in_time * 100,
                  b->share_answered_in_time < 0 ? -1 : b->share_answered_in_time * 100);
    fputs("</tbody>\n</table>\n", out);
    s_html_breakdown(out, "Etter kategori", a->by_category, a->n_by_category, b->by_category,
                     b->n_by_category, s_category_label, categories);
    s_html_breakdown(out, "Etter status", a->by_state, a->n_by_state, b->by_state, b->n_by_state,
                     s_state_label, NULL);
    s_html_breakdown(out, "Etter retning", a->by_direction, a->n_by_direction, b->by_direction,
                     b->n_by_direction, s_direction_label, NULL);
    s_html_breakdown(out, "Etter meldende virksomhet", a->by_reporting_organization,
                     a->n_by_reporting_organization, b->by_reporting_organization,
                     b->n_by_reporting_organization, s_organization_label, a);
    s_html_breakdown(out, "Etter mottakende virksomhet", a->by_receiving_organization,
                     a->n_by_receiving_organization, b->by_receiving_organization,
                     b->n_by_receiving_organization, s_organization_label, a);
    fputs("<p>Tall bygget på færre enn 5 meldinger vises ikke (&lt;5), og i fordelingene er "
          "også tall som de kunne regnes ut av, skjult.</p>\n</body>\n</html>\n",
          out);
    fclose(out);
    return body;
}

char *deviation_stats_csv(const Samhand__V1__DeviationStatsResponse *s, size_t *len)
{
    char *body = NULL;
    FILE *out = open_memstream(&body, len);
    fputs("periode;gruppering;verdi;antall\r\n", out);
    char label[32];
    snprintf(label, sizeof label, "%s..%s", s->current->from, s->current->to);
    s_csv_period(out, label, s->current);
    snprintf(label, sizeof label, "%s..%s", s->previous->from, s->previous->to);
    s_csv_period(out, label, s->previous);
    fclose(out);
    return body;
}
