/* The final report (sluttrapport) of a joint incident analysis as HTML in
 * bokmål: data in, text out. */
#include "deviation_analysis.h"
#include "samhand_html.h"
#include "samhand_time.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *deviation_analysis_category_label(int category)
{
    switch (category) {
    case SAMHAND__V1__ANALYSIS_CAUSE__CATEGORY__COMMUNICATION:
        return "Kommunikasjon og informasjonsoverføring";
    case SAMHAND__V1__ANALYSIS_CAUSE__CATEGORY__ROUTINES:
        return "Rutiner og prosedyrer";
    case SAMHAND__V1__ANALYSIS_CAUSE__CATEGORY__COMPETENCE:
        return "Kompetanse og opplæring";
    case SAMHAND__V1__ANALYSIS_CAUSE__CATEGORY__STAFFING:
        return "Bemanning og arbeidsbelastning";
    case SAMHAND__V1__ANALYSIS_CAUSE__CATEGORY__EQUIPMENT_IT:
        return "Teknisk utstyr og IKT";
    case SAMHAND__V1__ANALYSIS_CAUSE__CATEGORY__ORGANISATION:
        return "Organisering og ansvarsforhold";
    case SAMHAND__V1__ANALYSIS_CAUSE__CATEGORY__OTHER:
        return "Annet";
    default:
        return "";
    }
}

/* "08.12.2026 kl. 10.30", Oslo time. */
static void s_when(FILE *out, const Samhand__V1__Timestamp *t)
{
    if (!t)
        return;
    char date[11], clock[6];
    time_format_date(t->seconds, date);
    time_format_clock(t->seconds, clock);
    fprintf(out, "%s kl. %s", date, clock);
}

/* "08.12.2026" of "2026-12-08". */
static void s_date(FILE *out, const char *iso)
{
    if (strlen(iso) == 10)
        fprintf(out, "%.2s.%.2s.%.4s", iso + 8, iso + 5, iso);
}

static const char *s_party(const Samhand__V1__JointAnalysis *a,
                           const deviation_analysis_names_t *names, const char *id)
{
    if (strcmp(id, a->reporting_organization_id) == 0 && names->reporting_name)
        return names->reporting_name;
    if (strcmp(id, a->receiving_organization_id) == 0 && names->receiving_name)
        return names->receiving_name;
    return id;
}

static void s_cell(FILE *out, const char *text)
{
    fputs("<td>", out);
    html_text(out, text);
    fputs("</td>", out);
}

static void s_measures(FILE *out, const Samhand__V1__JointAnalysis *a,
                       const deviation_analysis_names_t *names)
{
    fputs("<h2>Tiltak</h2>\n", out);
    if (!a->n_measures) {
        fputs("<p>Ingen tiltak.</p>\n", out);
        return;
    }
    fputs("<table>\n<thead><tr><th scope=\"col\">Tiltak</th><th scope=\"col\">Ansvarlig</th>"
          "<th scope=\"col\">Frist</th><th scope=\"col\">Status</th></tr></thead>\n<tbody>\n",
          out);
    for (size_t i = 0; i < a->n_measures; i++) {
        const Samhand__V1__AnalysisMeasure *m = a->measures[i];
        fputs("<tr>", out);
        s_cell(out, m->description);
        fputs("<td>", out);
        html_text(out, s_party(a, names, m->owner_organization_id));
        if (m->owner_person[0]) {
            fputs(" (", out);
            html_text(out, m->owner_person);
            fputs(")", out);
        }
        fputs("</td><td>", out);
        s_date(out, m->due_date);
        fputs("</td><td>", out);
        if (m->state == SAMHAND__V1__ANALYSIS_MEASURE__STATE__DONE) {
            fputs("Utført ", out);
            s_when(out, m->done_time);
        } else if (m->state == SAMHAND__V1__ANALYSIS_MEASURE__STATE__CANCELLED) {
            fputs("Avbrutt ", out);
            s_when(out, m->done_time);
        } else {
            fputs("Åpen", out);
        }
        fputs("</td></tr>\n", out);
    }
    fputs("</tbody>\n</table>\n", out);
}

char *deviation_analysis_html(const Samhand__V1__JointAnalysis *a,
                              const deviation_analysis_names_t *names)
{
    char *html = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&html, &len);
    bool is_final = a->state == SAMHAND__V1__JOINT_ANALYSIS__STATE__FINAL;
    const char *reference = a->deviation_reference[0] ? a->deviation_reference : a->deviation_id;
    fputs("<!DOCTYPE html>\n<html lang=\"nb\">\n<head>\n<meta charset=\"utf-8\">\n<title>", out);
    fputs("Sluttrapport, felles hendelsesanalyse ", out);
    html_text(out, reference);
    fputs("</title>\n</head>\n<body>\n<h1>Sluttrapport: felles hendelsesanalyse</h1>\n", out);
    if (is_final) {
        fputs("<p>Ferdigstilt ", out);
        s_when(out, a->final_time);
        fputs(".</p>\n", out);
    } else {
        fputs("<p><strong>Utkast:</strong> analysen er ikke ferdigstilt.</p>\n", out);
    }
    fputs("<dl>\n<dt>Avviksmelding</dt><dd>", out);
    html_text(out, reference);
    fputs("</dd>\n", out);
    if (names->category_name && names->category_name[0]) {
        fputs("<dt>Kategori</dt><dd>", out);
        html_text(out, names->category_name);
        fputs("</dd>\n", out);
    }
    fputs("<dt>Meldende virksomhet</dt><dd>", out);
    html_text(out, s_party(a, names, a->reporting_organization_id));
    fputs("</dd>\n<dt>Mottakende virksomhet</dt><dd>", out);
    html_text(out, s_party(a, names, a->receiving_organization_id));
    fputs("</dd>\n</dl>\n", out);

    fputs("<h2>Sammendrag</h2>\n<p>", out);
    html_text(out, a->summary[0] ? a->summary : "Ikke skrevet.");
    fputs("</p>\n<h2>Deltakere</h2>\n", out);
    if (a->n_participants) {
        fputs("<table>\n<thead><tr><th scope=\"col\">Navn</th><th scope=\"col\">Rolle</th>"
              "<th scope=\"col\">Virksomhet</th></tr></thead>\n<tbody>\n",
              out);
        for (size_t i = 0; i < a->n_participants; i++) {
            fputs("<tr>", out);
            s_cell(out, a->participants[i]->name);
            s_cell(out, a->participants[i]->role);
            s_cell(out, s_party(a, names, a->participants[i]->organization_id));
            fputs("</tr>\n", out);
        }
        fputs("</tbody>\n</table>\n", out);
    } else {
        fputs("<p>Ingen deltakere oppgitt.</p>\n", out);
    }

    fputs("<h2>Tidslinje</h2>\n", out);
    if (a->n_timeline) {
        fputs("<table>\n<thead><tr><th scope=\"col\">Tidspunkt</th><th scope=\"col\">Hva "
              "skjedde</th></tr></thead>\n<tbody>\n",
              out);
        for (size_t i = 0; i < a->n_timeline; i++) {
            fputs("<tr><td>", out);
            s_when(out, a->timeline[i]->time);
            fputs("</td>", out);
            s_cell(out, a->timeline[i]->description);
            fputs("</tr>\n", out);
        }
        fputs("</tbody>\n</table>\n", out);
    } else {
        fputs("<p>Ingen hendelser oppgitt.</p>\n", out);
    }

    fputs("<h2>Årsaker og medvirkende faktorer</h2>\n", out);
    if (a->n_causes) {
        fputs("<table>\n<thead><tr><th scope=\"col\">Kategori</th><th "
              "scope=\"col\">Beskrivelse</th></tr></thead>\n<tbody>\n",
              out);
        for (size_t i = 0; i < a->n_causes; i++) {
            fputs("<tr>", out);
            s_cell(out, deviation_analysis_category_label(a->causes[i]->category));
            s_cell(out, a->causes[i]->description);
            fputs("</tr>\n", out);
        }
        fputs("</tbody>\n</table>\n", out);
    } else {
        fputs("<p>Ingen årsaker oppgitt.</p>\n", out);
    }

    fputs("<h2>Funn</h2>\n", out);
    if (a->n_findings) {
        fputs("<ol>\n", out);
        for (size_t i = 0; i < a->n_findings; i++) {
            fputs("<li>", out);
            html_text(out, a->findings[i]);
            fputs("</li>\n", out);
        }
        fputs("</ol>\n", out);
    } else {
        fputs("<p>Ingen funn oppgitt.</p>\n", out);
    }
    s_measures(out, a, names);
    fputs("</body>\n</html>\n", out);
    fclose(out);
    return html;
}
