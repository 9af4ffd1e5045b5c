/* Every SQL statement of the deviation service. Messages come back
 * malloc'ed (free with protobuf_c_message_free_unpacked); 0 on success, 1
 * when the row does not exist, -1 on a database error (see db_error). */
#ifndef DEVIATION_STORE_H
#define DEVIATION_STORE_H

#include "deviation_codes.h"
#include "samhand/v1/deviation.pb-c.h"
#include "samhand_db.h"
#include "samhand_rows.h"

#include <stdbool.h>

/* ---- the category code list in versions (deviation_store_codes.c) */

/* The list of `version` (0: the newest) with its date, title and the
 * mappings from the codes it retired; 1 when there is no such version. */
int deviation_store_categories(db_t *db, int version,
                               Samhand__V1__ListDeviationCategoriesResponse **out);
/* 1 when the code is in the list and not retired, 0 when not, -1 on error. */
int deviation_store_category_usable(db_t *db, const char *code);
/* Every mapping of every version into a new array of *n rows; free it
 * with deviation_store_mappings_free. 0 or -1. */
int deviation_store_mappings(db_t *db, deviation_code_map_t **out, size_t *n);
void deviation_store_mappings_free(deviation_code_map_t *map, size_t n);

/* One code ever in the list, and the version that retired it (0: none). */
typedef struct {
    char *code, *name, *axis;
    int retired_in;
} deviation_code_row_t;

/* Every code ever in the list, the list locked against another new
 * version until the transaction ends; free with deviation_store_codes_free. */
int deviation_store_codes_all(db_t *db, deviation_code_row_t **out, size_t *n);
void deviation_store_codes_free(deviation_code_row_t *rows, size_t n);

/* Appends the next version as `req` gives it (checked), retiring the
 * codes `retired`, by `actor`; its number into *version. 0 or -1. */
int deviation_store_categories_load(db_t *db, const Samhand__V1__LoadCategoriesRequest *req,
                                    const char *actor, const char *const *retired, size_t n_retired,
                                    int *version);

/* Inserts a report as DRAFT; its id in `id`. */
int deviation_store_insert(db_t *db, const Samhand__V1__CreateDeviationRequest *req,
                           const char *reporter_subject, char id[40]);

/* Writes a draft's form anew (its reporting organisation and writer
 * stay). 0, or -1 on an error or when it is no draft. */
int deviation_store_update_draft(db_t *db, const char *id,
                                 const Samhand__V1__CreateDeviationRequest *form);

/* With its history, oldest first. Deadline statuses are left to the caller;
 * the due dates are in acknowledge_deadline/answer_deadline. `lock` takes
 * the row for the transaction. */
int deviation_store_get(db_t *db, const char *id, bool lock, Samhand__V1__DeviationReport **out);

/* Columns a step of the workflow may set; NULL leaves a column alone. Times
 * are "now" when the flag is set. */
typedef struct {
    const char *state;
    const char *receiving_organization_id;
    const char *answer, *rejection_reason, *duplicate_of;
    const char *acknowledge_due, *answer_due; /* YYYY-MM-DD */
    const char *paused_on;                    /* YYYY-MM-DD, or "" to clear */
    bool set_submitted, set_acknowledged, set_answered, set_closed;
    bool clear_acknowledged, clear_answered, clear_closed;
    int settings_version; /* > 0: the settings version whose deadline rule it keeps */
} deviation_change_t;

int deviation_store_change(db_t *db, const char *id, const deviation_change_t *change);
/* Gives the report the year's next reference of its series (a deviation
 * AVV-2026-0042, an improvement proposal FOR-2026-0007) and puts it in
 * `reference`. From a sequence: it waits for no other submission, and a
 * number a failed transaction took is not given again. */
int deviation_store_give_reference(db_t *db, const char *id, bool is_proposal, char reference[32]);

/* Inserts the form `req` as a report already submitted by `change` (its
 * deadlines and settings version), with the year's next reference of its
 * series and its one transition (submit, from DRAFT) by `actor`: the row
 * is written once. *out: the report as deviation_store_get reads it. */
int deviation_store_insert_submitted(db_t *db, const Samhand__V1__CreateDeviationRequest *req,
                                     const char *reporter_subject, const deviation_change_t *change,
                                     bool is_proposal, const char *actor,
                                     const char *actor_organization_id,
                                     Samhand__V1__DeviationReport **out);

int deviation_store_transition(db_t *db, const char *id, const char *action, const char *from,
                               const char *to, const char *comment, const char *actor,
                               const char *actor_organization_id);

/* organization_id NULL: every report (quality roles); else those it
 * reported or received; drafts only of the principal `subject`. */
typedef struct {
    int64_t after; /* newest_first: before, when not 0 */
    int limit;
    bool newest_first;
} deviation_page_t;

/* A report in leader review only for `caller_organization` ("" none) when
 * it is the reporting one; `type` NULL: every type. */
int deviation_store_list(db_t *db, deviation_page_t page, const char *organization_id,
                         const char *subject, const char *state, bool overdue, const char *today,
                         const char *reference, const char *caller_organization, const char *type,
                         Samhand__V1__ListDeviationsResponse **out);

/* Reports due for an alert: the acknowledgement or the answer due on or
 * before `soon` (due soon) or before `today` (overdue), not yet alerted.
 * Calls `emit` for each and marks it; returns how many or -1. */
typedef int (*deviation_alert_fn)(db_t *db, const char *id, bool overdue, void *arg);
int deviation_store_alerts(db_t *db, const char *today, const char *soon, deviation_alert_fn emit,
                           void *arg);

/* The submitted reports of [from, to) (YYYY-MM-DD, Oslo), for statistics:
 * one row each, in submission order. */
typedef struct {
    char *category, *type, *state, *reporting, *receiving;
    char submitted[11], acknowledged[11], answered[11]; /* "" when not */
    char answer_due[11];
    /* from the directory's read model; "" when agenda has not told yet */
    char *reporting_kind, *receiving_kind, *reporting_name, *receiving_name;
    char *harm_degree; /* "" when not given */
} deviation_fact_t;

int deviation_store_facts(db_t *db, const char *from, const char *to, deviation_fact_t **out,
                          size_t *n);
void deviation_facts_free(deviation_fact_t *facts, size_t n);

/* ---- the partnership's settings, versioned (sql/006) */

/* Writes version 1 from the environment's defaults unless there is one:
 * params are acknowledge length and unit (both NULL: none), answer length
 * and unit, statistics period, reminder days. 0 or -1. */
int deviation_store_settings_first(db_t *db, const char *const params[6]);

/* Every version, oldest first, in a new response (the caller frees it);
 * with `lock`, the table is locked against another new version until the
 * transaction ends. 0 or -1. */
int deviation_store_settings_list(db_t *db, bool lock,
                                  Samhand__V1__ListSettingsVersionsResponse **out);

/* Appends version `s->version` as given, with who made it. 0 or -1. */
int deviation_store_settings_insert(db_t *db, const Samhand__V1__PartnershipSettings *s,
                                    const char *actor, const char *actor_organization_id);

/* ---- the access log (deviation_store_read.c) */

/* Logs that `subject` (of `organization_id`, or NULL) was shown the reports
 * `ids` in the way `how` (GET, LIST, EXPORT; REPORTER: who reported an
 * anonymous one). 0 or -1. */
int deviation_store_reads_log(db_t *db, const char *const *ids, size_t n, const char *subject,
                              const char *organization_id, const char *how);

/* The reads of report `id` after sequence `after`, at most `limit`, in a
 * new response (the caller frees it). 0 or -1. */
int deviation_store_reads_list(db_t *db, const char *id, int64_t after, int limit,
                               Samhand__V1__ListDeviationReadsResponse **out);

/* ---- the organisations a report passed through (deviation_store_forward.c) */

/* Records that `organization_id` forwarded report `id` and keeps reading it. 0 or -1. */
int deviation_store_forward_record(db_t *db, const char *id, const char *organization_id);

/* ---- a report's dispute before the committee (deviation_store_dispute.c) */

/* Sends report `id`'s dispute to `committee_id`: a new proposal id, state
 * SUBMITTED. 0 or -1. */
int deviation_store_dispute_open(db_t *db, const char *id, const char *committee_id);

/* How the committee took the proposal `proposal_id` (ACCEPTED onto
 * `meeting_id` as `item_id`, or DECLINED for `reason`), on the report it
 * came from, whose id goes into `id`: 0, 1 when it came from none, -1. */
int deviation_store_dispute_decided(db_t *db, const char *proposal_id, const char *state,
                                    const char *meeting_id, const char *item_id, const char *reason,
                                    char id[40]);

/* The committee's decision on the item `item_id` in its approved minutes,
 * on the report disputed there (state DECIDED), whose id goes into `id`:
 * 0, 1 when the item is no report's, -1. */
int deviation_store_dispute_minutes(db_t *db, const char *item_id, const char *decision,
                                    char id[40]);

/* ---- joint analyses (deviation_store_analysis.c, sql/010) */

/* The analysis of report `deviation_id` with the report's reference and
 * parties (`lock`: for the transaction). 0, 1 when it has none, -1. */
int deviation_store_analysis_get(db_t *db, const char *deviation_id, bool lock,
                                 Samhand__V1__JointAnalysis **out);
/* Begins the analysis of the report with its content (the JSON of the
 * analysis's participants, timeline, causes, findings, measures and
 * summary). 0, 1 when it has one already, -1. */
int deviation_store_analysis_insert(db_t *db, const char *deviation_id, const char *content);
/* Writes its content anew. 0 or -1. */
int deviation_store_analysis_update(db_t *db, const char *deviation_id, const char *content);
/* Makes it final, by `subject` of `organization_id` ("" none). 0 or -1. */
int deviation_store_analysis_finalize(db_t *db, const char *deviation_id, const char *subject,
                                      const char *organization_id);
/* The open measures of the analyses of reports `organization_id` reported
 * or received (NULL: all), soonest due first; with `overdue`, only those
 * due before `today` (YYYY-MM-DD). A page after `after`, in a new response
 * (the caller frees it). 0 or -1. */
int deviation_store_measures_open(db_t *db, const char *organization_id, const char *today,
                                  bool overdue, int64_t after, int limit,
                                  Samhand__V1__ListAnalysisMeasuresResponse **out);
/* What the final report names: the two parties' names (their ids while
 * the directory has not told) and the report's category name (""), each
 * malloc'ed for the caller. 0, 1 when there is no such report, -1. */
int deviation_store_analysis_names(db_t *db, const char *deviation_id, char **reporting_name,
                                   char **receiving_name, char **category_name);

/* The read model of the directory's organisations, a run's changes in one
 * statement: rows of id, name, kind (rows_batch_t; the last of an id). */
rows_batch_t *deviation_store_organizations_batch(void);

#endif
