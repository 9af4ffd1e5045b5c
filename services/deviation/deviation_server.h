/* The deviation service's route table, its settings, and what its
 * aggregates share. */
#ifndef DEVIATION_SERVER_H
#define DEVIATION_SERVER_H

#include "deviation_store.h"
#include "samhand/v1/event.pb-c.h"
#include "samhand_bus.h"

/* The environment's settings: the defaults of the partnership's first
 * settings version only (deviation_settings.c keeps the versions). */
typedef struct {
    long acknowledge_days; /* working days to acknowledge */
    long answer_days;      /* working days to answer */
    long reminder_days;    /* working days ahead a due date is reminded of */
} deviation_context_t;

extern const bus_route_t deviation_routes[];
extern const size_t deviation_routes_count;
extern const db_migration_t deviation_migrations[];
extern const size_t deviation_migrations_count;

int deviation_categories_list(bus_call_t *call);
/* POST /v1/deviation-categories/versions: a new version of the code list
 * with the mapping from the codes it retires (deviation_categories.c). */
int deviation_categories_load(bus_call_t *call);
int deviation_report_create(bus_call_t *call);
int deviation_report_get(bus_call_t *call);
/* PATCH /v1/deviations/{id}: a draft changed by its writer, If-Match
 * required (deviation_draft.c). */
int deviation_report_update(bus_call_t *call);
int deviation_report_list(bus_call_t *call);
/* Every step of the workflow; the step is the bus method ("deviation.Respond"). */
int deviation_report_step(bus_call_t *call);
int deviation_stats(bus_call_t *call);
int deviation_report_export(bus_call_t *call);
/* GET /v1/deviations/{id}/reads: the report's access log, for quality. */
int deviation_reads_list(bus_call_t *call);

/* The joint analysis of a report (deviation_analysis.c): begun (POST
 * /v1/deviations/{id}/analysis), read, changed with If-Match, finalised
 * with If-Match (locked from then), a measure marked done, the final
 * report as HTML, and the open (or overdue) measures the caller reads. */
int deviation_analysis_create(bus_call_t *call);
int deviation_analysis_get(bus_call_t *call);
int deviation_analysis_update(bus_call_t *call);
int deviation_analysis_finalize(bus_call_t *call);
int deviation_analysis_complete_measure(bus_call_t *call);
int deviation_analysis_report(bus_call_t *call);
int deviation_analysis_measures(bus_call_t *call);

/* GET /v1/settings (the version in force today), GET /v1/settings/versions,
 * PUT /v1/settings (a new version, administrators, If-Match). */
int deviation_settings_get(bus_call_t *call);
int deviation_settings_versions(bus_call_t *call);
int deviation_settings_put(bus_call_t *call);

/* The settings version `version`, or with 0 the one in force on `date`
 * (YYYY-MM-DD), into *out (the caller frees it); version 1 is written from
 * the environment first if there is none. 0 or -1 (a database error). */
int deviation_settings_at(db_t *db, const deviation_context_t *ctx, const char *date, int version,
                          Samhand__V1__PartnershipSettings **out);

/* The report as a FHIR R5 AdverseEvent in JSON; the caller frees it. */
char *deviation_fhir_render(const Samhand__V1__DeviationReport *report);

/* Keeps the read model of organisations from a run of agenda's events,
 * and a disputed report's standing before the committee (see
 * consumer_apply_run_fn). */
int deviation_directory_apply_run(db_t *db, Samhand__V1__Event *const *events, size_t n,
                                  void *context);
/* How the committee took a disputed report's proposal, from agenda's
 * proposal events (deviation_dispute.c). 0 or -1. */
int deviation_dispute_apply(db_t *db, const Samhand__V1__Event *event);

/* Finds reports due soon or overdue and writes their events. */
void deviation_scheduler_run(db_t *db, void *context);

/* Today in Oslo as YYYY-MM-DD. */
void deviation_today(char out[11]);

#endif
