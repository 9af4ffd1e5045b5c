/* The joint incident analysis (felles hendelsesanalyse) of a report: its
 * handlers (deviation_analysis.c), its checks (deviation_analysis_check.h)
 * and its final report
 * (sluttrapport) rendered as HTML in bokmål by a pure function
 * (deviation_analysis_html.c). */
#ifndef DEVIATION_ANALYSIS_H
#define DEVIATION_ANALYSIS_H

#include "samhand/v1/deviation.pb-c.h"

/* The cause category as the final report names it ("Kommunikasjon og
 * informasjonsoverføring"); "" for none. */
const char *deviation_analysis_category_label(int category);

/* What the final report needs beside the analysis: the two parties' names
 * (from the directory; the id when agenda has not told yet) and, of the
 * report, its reference and category name. All borrowed. */
typedef struct {
    const char *reporting_name, *receiving_name;
    const char *category_name;
} deviation_analysis_names_t;

/* The final report (sluttrapport) of `a` as an HTML document in bokmål:
 * the parties, the summary, the participants, the timeline, the causes by
 * category, the findings and the measures with owner, due date and state;
 * marked as a draft until the analysis is final. Times in Oslo time. The
 * caller frees the string. */
char *deviation_analysis_html(const Samhand__V1__JointAnalysis *a,
                              const deviation_analysis_names_t *names);

#endif
