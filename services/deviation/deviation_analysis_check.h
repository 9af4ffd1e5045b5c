/* The checks of a joint analysis's content and the settling of its
 * measures (deviation_analysis_check.c), for its handlers
 * (deviation_analysis.c): every error of a change noted at once
 * (bus_call_add_error), ids and done times given by the service. */
#ifndef DEVIATION_ANALYSIS_CHECK_H
#define DEVIATION_ANALYSIS_CHECK_H

#include "deviation_report.h"
#include "samhand_bus.h"

typedef Samhand__V1__JointAnalysis analysis_t;
typedef Samhand__V1__AnalysisMeasure measure_t;

#define MEASURE_STATE(name) SAMHAND__V1__ANALYSIS_MEASURE__STATE__##name
#define ANALYSIS_FINAL SAMHAND__V1__JOINT_ANALYSIS__STATE__FINAL

/* Notes every error of the analysis's content `c` of report `r`. */
void deviation_analysis_check(bus_call_t *call, const deviation_report_t *r, const analysis_t *c);
/* Gives new measures their ids and every measure its done time as its
 * state says; notes the errors of ids (one given on a new analysis, one
 * the analysis lacks, one twice, one left out). `before`: the analysis as
 * it was, NULL for a new one. */
void deviation_analysis_settle_measures(bus_call_t *call, const analysis_t *before,
                                        measure_t **measures, size_t n);
/* When and by whom measure `m` was marked done or cancelled: kept from
 * `before` while its state stays, the caller now when it changes, none
 * while open. */
void deviation_analysis_settle_done(bus_call_t *call, measure_t *m, const measure_t *before);
/* The measure `id` of `a`, or NULL. */
const measure_t *deviation_analysis_measure(const analysis_t *a, const char *id);

#endif
