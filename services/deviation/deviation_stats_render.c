/* The statistics of deviation reports rendered as CSV and as an HTML
 * page: pure functions of the computed figures; see deviation_stats.h.
 * Both are for people: Norwegian labels and names (a count's `name`), never
 * codes or ids; numbers with a decimal comma; the CSV as a Norwegian
 * spreadsheet reads it (semicolons, UTF-8 with its byte order mark). */
#include "deviation_labels.h"
#include "deviation_stats.h"
#include "samhand_html.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What a count is called: its name, else its key. */
static const char *s_label(const Samhand__V1__StatCount *c)
{
    return c->name && c->name[0] ? c->name : c->key;
}

/* A figure as people read it: a decimal comma, `percent` as "75 %"; a
 * figure of fewer than 5 reports (-1) as `hidden`. */
static void s_figure_text(double value, int decimals, bool percent, const char *hidden, char *out,
                          size_t size)
{
    if (value < 0) {
        snprintf(out, size, "%s", hidden);
        return;
    }
    deviation_label_number(percent ? value * 100 : value, decimals, out, size);
    if (percent && strlen(out) + 3 < size)
        strcat(out, " %");
}

/* ------------------------------------------------------------------ CSV */

static void s_csv_quoted(FILE *out, const char *text)
{
    fputc('"', out);
    for (const char *p = text; *p; p++)
        fputs(*p == '"' ? "\"\"" : (char[2]){*p, 0}, out);
    fputc('"', out);
}

static void s_csv_section(FILE *out, const char *period, const char *group,
                          Samhand__V1__StatCount **list, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        fprintf(out, "%s;%s;", period, group);
        s_csv_quoted(out, s_label(list[i]));
        /* a count is hidden when under 5, or when it would tell one that is */
        if (list[i]->count < 0)
            fputs(";skjult\r\n", out);
        else
            fprintf(out, ";%d\r\n", list[i]->count);
    }
}

/* One figure of the CSV, "<5" when suppressed. */
static void s_csv_figure(FILE *out, const char *period, const char *what, const char *which,
                         int decimals, double value)
{
    char text[32];
    s_figure_text(value, decimals, false, "<5", text, sizeof text);
    fprintf(out, "%s;%s;%s;%s\r\n", period, what, which, text);
}

static void s_csv_period(FILE *out, const char *period, const Samhand__V1__DeviationPeriodStats *s)
{
    s_csv_figure(out, period, "totalt", "alle", 0, s->total);
    s_csv_section(out, period, "retning", s->by_direction, s->n_by_direction);
    s_csv_section(out, period, "kategori", s->by_category, s->n_by_category);
    s_csv_section(out, period, "type", s->by_type, s->n_by_type);
    s_csv_section(out, period, "status", s->by_state, s->n_by_state);
    s_csv_section(out, period, "skadegrad", s->by_harm_degree, s->n_by_harm_degree);
    s_csv_section(out, period, "meldende virksomhet", s->by_reporting_organization,
                  s->n_by_reporting_organization);
    s_csv_section(out, period, "mottakende virksomhet", s->by_receiving_organization,
                  s->n_by_receiving_organization);
    s_csv_figure(out, period, "virkedager til mottak", "median", 1, s->median_days_to_acknowledge);
    s_csv_figure(out, period, "virkedager til mottak", "90-persentil", 1,
                 s->p90_days_to_acknowledge);
    s_csv_figure(out, period, "virkedager til svar", "median", 1, s->median_days_to_answer);
    s_csv_figure(out, period, "virkedager til svar", "90-persentil", 1, s->p90_days_to_answer);
    s_csv_figure(out, period, "besvart innen frist", "prosent", 1,
                 s->share_answered_in_time < 0 ? -1 : s->share_answered_in_time * 100);
}

char *deviation_stats_csv(const Samhand__V1__DeviationStatsResponse *s, deviation_period_t period,
                          size_t *len)
{
    char *body = NULL;
    FILE *out = open_memstream(&body, len);
    char now[48], before[48];
    deviation_period_title(period, now, sizeof now);
    deviation_period_title(deviation_period_previous(period), before, sizeof before);
    fputs("\xEF\xBB\xBF" /* UTF-8, for the spreadsheet */ "periode;gruppering;verdi;antall\r\n",
          out);
    s_csv_period(out, now, s->current);
    s_csv_period(out, before, s->previous);
    fclose(out);
    return body;
}

/* ------------------------------------------------------------- the report */

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

/* The head of a table of this period beside the one before. */
static void s_html_head(FILE *out, const char *first, const char *now, const char *before)
{
    fprintf(out,
            "<table>\n<thead><tr><th scope=\"col\">%s</th><th scope=\"col\" "
            "class=\"tall\">%s</th><th scope=\"col\" class=\"tall\">%s</th></tr></thead>\n"
            "<tbody>\n",
            first, now, before);
}

/* A table of one breakdown: this period's keys, then those only before. */
static void s_html_breakdown(FILE *out, const char *title, const char *now_title,
                             const char *before_title, Samhand__V1__StatCount **now, size_t n_now,
                             Samhand__V1__StatCount **before, size_t n_before)
{
    fprintf(out, "<h2>%s</h2>\n", title);
    s_html_head(out, "", now_title, before_title);
    for (size_t i = 0; i < n_now + n_before; i++) {
        const Samhand__V1__StatCount *c = i < n_now ? now[i] : before[i - n_now];
        if (i >= n_now && s_lookup(now, n_now, c->key))
            continue;
        fputs("<tr><td>", out);
        html_text(out, s_label(c));
        fputs("</td>", out);
        s_cell(out, s_lookup(now, n_now, c->key));
        s_cell(out, s_lookup(before, n_before, c->key));
        fputs("</tr>\n", out);
    }
    if (n_now + n_before == 0)
        fputs("<tr><td>Ingen meldinger</td><td class=\"tall\">0</td><td class=\"tall\">0</td>"
              "</tr>\n",
              out);
    fputs("</tbody>\n</table>\n", out);
}

/* A row of key figures, this period and the one before; a figure of fewer
 * than 5 reports (a share of fewer than 5 answered) is not shown. */
static void s_html_figure(FILE *out, const char *title, int decimals, bool percent, double now,
                          double before)
{
    fprintf(out, "<tr><td>%s</td>", title);
    double values[] = {now, before};
    for (int i = 0; i < 2; i++) {
        char text[48];
        s_figure_text(values[i], decimals, percent, "færre enn 5", text, sizeof text);
        fprintf(out, "<td class=\"tall\">%s</td>", text);
    }
    fputs("</tr>\n", out);
}

char *deviation_stats_html(const Samhand__V1__DeviationStatsResponse *s, deviation_period_t period,
                           size_t *len)
{
    char *body = NULL;
    FILE *out = open_memstream(&body, len);
    char title[96], now[48], before[48];
    deviation_period_title(period, now, sizeof now);
    deviation_period_title(deviation_period_previous(period), before, sizeof before);
    snprintf(title, sizeof title, "Samhandlingsavvik – %s", now);
    fprintf(out,
            "<!DOCTYPE html>\n<html lang=\"nb\">\n<head>\n<meta charset=\"utf-8\">\n<title>%s"
            "</title>\n<style>body{font-family:sans-serif;max-width:62em;margin:2em auto;"
            "padding:0 1em}table{border-collapse:collapse;margin-bottom:1.5em}th,td{border:1px "
            "solid #888;padding:.3em .6em;text-align:left}.tall{text-align:right}</style>\n"
            "</head>\n<body>\n<h1>%s</h1>\n",
            title, title);
    const Samhand__V1__DeviationPeriodStats *a = s->current, *b = s->previous;
    fprintf(out,
            "<p>Samhandlingsavvik meldt i perioden %.2s.%.2s.%.4s–%.2s.%.2s.%.4s, med %s til "
            "sammenligning. Tid til mottak og svar regnes i virkedager; hver melding måles mot "
            "fristen som gjaldt da den ble sendt.</p>\n",
            a->from + 8, a->from + 5, a->from, a->to + 8, a->to + 5, a->to, before);
    /* as the partnership's committee receives it: how many, between whom,
     * of what, and how fast they were answered */
    fputs("<h2>Meldte avvik</h2>\n", out);
    s_html_head(out, "", now, before);
    s_html_figure(out, "Antall meldinger", 0, false, a->total, b->total);
    fputs("</tbody>\n</table>\n", out);
    s_html_breakdown(out, "Etter retning", now, before, a->by_direction, a->n_by_direction,
                     b->by_direction, b->n_by_direction);
    s_html_breakdown(out, "Etter kategori", now, before, a->by_category, a->n_by_category,
                     b->by_category, b->n_by_category);
    fputs("<h2>Svartid og frister</h2>\n", out);
    s_html_head(out, "", now, before);
    s_html_figure(out, "Virkedager til svar, median", 1, false, a->median_days_to_answer,
                  b->median_days_to_answer);
    s_html_figure(out, "Virkedager til svar, 90-persentil", 1, false, a->p90_days_to_answer,
                  b->p90_days_to_answer);
    s_html_figure(out, "Besvart innen frist", 0, true, a->share_answered_in_time,
                  b->share_answered_in_time);
    s_html_figure(out, "Virkedager til mottak, median", 1, false, a->median_days_to_acknowledge,
                  b->median_days_to_acknowledge);
    s_html_figure(out, "Virkedager til mottak, 90-persentil", 1, false, a->p90_days_to_acknowledge,
                  b->p90_days_to_acknowledge);
    fputs("</tbody>\n</table>\n", out);
    s_html_breakdown(out, "Etter skadegrad", now, before, a->by_harm_degree, a->n_by_harm_degree,
                     b->by_harm_degree, b->n_by_harm_degree);
    s_html_breakdown(out, "Etter type", now, before, a->by_type, a->n_by_type, b->by_type,
                     b->n_by_type);
    s_html_breakdown(out, "Etter status", now, before, a->by_state, a->n_by_state, b->by_state,
                     b->n_by_state);
    s_html_breakdown(out, "Etter meldende virksomhet", now, before, a->by_reporting_organization,
                     a->n_by_reporting_organization, b->by_reporting_organization,
                     b->n_by_reporting_organization);
    s_html_breakdown(out, "Etter mottakende virksomhet", now, before, a->by_receiving_organization,
                     a->n_by_receiving_organization, b->by_receiving_organization,
                     b->n_by_receiving_organization);
    fputs("<p>Tall bygget på færre enn 5 meldinger vises ikke, og i fordelingene er også tall "
          "som de kunne regnes ut av, skjult. Andelen besvart innen frist vises når minst 5 "
          "meldinger er besvart.</p>\n</body>\n</html>\n",
          out);
    fclose(out);
    return body;
}
