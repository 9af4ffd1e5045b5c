/* Joint incident analyses (felles hendelsesanalyse) of deviation reports:
 * one per report, begun once a joint analysis is requested, written by the
 * two parties (their case handlers and quality staff), read by them and
 * the partnership's quality staff only, every change an event for those
 * alone, If-Match on the version read; finalised, it is locked, and only
 * its measures are followed up (marked done) until none is open. */
#include "deviation_analysis.h"
#include "deviation_analysis_check.h"
#include "deviation_identity.h"
#include "deviation_report.h"
#include "samhand_check.h"
#include "samhand_transcode.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ access */

/* Who reads an analysis: any deviation role of its two parties (not the
 * receivers the report passed through, not another organisation's quality
 * staff), and the partnership's own quality staff and administrators (of
 * no organisation). */
static bool s_reads(bus_call_t *call, const deviation_report_t *r)
{
    const char *org = deviation_caller_organization(call);
    if (!org[0])
        return deviation_caller_is_quality(call);
    return strcmp(org, r->reporting_organization_id) == 0 ||
           strcmp(org, r->receiving_organization_id) == 0;
}

/* Who writes it: of those, the parties' case handlers (the reporter role,
 * which takes a report's steps) and quality staff, and the partnership's
 * quality staff. */
static bool s_writes(bus_call_t *call, const deviation_report_t *r)
{
    static const char *const roles[] = {"reporter", "quality", NULL};
    if (!s_reads(call, r))
        return false;
    if (!deviation_caller_organization(call)[0])
        return deviation_caller_is_partnership_quality(call);
    return bus_call_has_role(call, roles);
}

/* The report `id` if the caller may read (`write`: write) its analysis:
 * 404 when it may not see the report, 403 when it sees the report but not
 * its analysis. 0, or -1 having failed the call. */
static int s_load_report(bus_call_t *call, const char *id, bool lock, bool write,
                         deviation_report_t **out)
{
    int rc = check_uuid(id) ? deviation_store_get(call->db, id, lock, out) : 1;
    if (rc < 0)
        return bus_call_fail_db(call, "read deviation");
    if (rc == 0 && deviation_sides(call, *out) == 0) {
        protobuf_c_message_free_unpacked(&(*out)->base, NULL);
        rc = 1;
    }
    if (rc > 0) {
        *out = NULL;
        return bus_call_fail(call, BUS_NOT_FOUND, "id", "deviation %s does not exist", id);
    }
    const char *refusal = NULL;
    if (!s_reads(call, *out))
        refusal = "the joint analysis of a report is read by its two parties and the "
                  "partnership's quality staff only";
    else if (write && !s_writes(call, *out))
        refusal = "the joint analysis is written by the two parties' case handlers and "
                  "quality staff";
    if (refusal) {
        protobuf_c_message_free_unpacked(&(*out)->base, NULL);
        *out = NULL;
        return bus_call_fail(call, BUS_PERMISSION_DENIED, NULL, "%s", refusal);
    }
    return 0;
}

/* The report and its analysis, as s_load_report; 404 when it has none. */
static int s_load(bus_call_t *call, const char *id, bool lock, bool write, deviation_report_t **r,
                  analysis_t **a)
{
    if (s_load_report(call, id, lock, write, r) != 0)
        return -1;
    int rc = deviation_store_analysis_get(call->db, id, lock, a);
    if (rc == 0)
        return 0;
    protobuf_c_message_free_unpacked(&(*r)->base, NULL);
    *r = NULL;
    if (rc < 0)
        return bus_call_fail_db(call, "read analysis");
    return bus_call_fail(call, BUS_NOT_FOUND, "id", "deviation %s has no joint analysis", id);
}

/* Who of the reporting side of an anonymous report marked a measure or
 * finalised the analysis would tell who reported it: to those not shown
 * the reporter, only the organisation. */
static void s_hide_reporting_actors(analysis_t *a)
{
    for (size_t i = 0; i < a->n_measures; i++)
        if (strcmp(a->measures[i]->done_by_organization_id, a->reporting_organization_id) == 0)
            deviation_replace_text(&a->measures[i]->done_by, "");
    if (strcmp(a->finalized_by_organization_id, a->reporting_organization_id) == 0)
        deviation_replace_text(&a->finalized_by, "");
}

static void s_present(bus_call_t *call, const deviation_report_t *r, analysis_t *a)
{
    if (!deviation_sees_reporter(call, r, deviation_sides(call, r)))
        s_hide_reporting_actors(a);
}

/* ------------------------------------------------------------------ store */

/* The content of `c` as the JSON the store keeps; the caller frees it. */
static char *s_content_json(const analysis_t *c)
{
    analysis_t content = SAMHAND__V1__JOINT_ANALYSIS__INIT;
    content.summary = c->summary;
    content.n_participants = c->n_participants;
    content.participants = c->participants;
    content.n_timeline = c->n_timeline;
    content.timeline = c->timeline;
    content.n_causes = c->n_causes;
    content.causes = c->causes;
    content.n_findings = c->n_findings;
    content.findings = c->findings;
    content.n_measures = c->n_measures;
    content.measures = c->measures;
    json_t *json = transcode_to_json(&content.base);
    char *text = json_dumps(json, JSON_COMPACT);
    json_decref(json);
    return text;
}

static analysis_t *s_copy(const analysis_t *a)
{
    size_t len = samhand__v1__joint_analysis__get_packed_size(a);
    uint8_t *packed = malloc(len ? len : 1);
    assert(packed);
    samhand__v1__joint_analysis__pack(a, packed);
    analysis_t *copy = samhand__v1__joint_analysis__unpack(NULL, len, packed);
    free(packed);
    return copy;
}

/* Commits the change of the analysis of `r` with its event
 * no.samhand.deviation.analysis.<event> for the two parties and the
 * partnership's quality staff alone (an anonymous report's as its receiver
 * may see it), and replies with the analysis as the caller may see it. */
static int s_commit(bus_call_t *call, const deviation_report_t *r, const char *event)
{
    analysis_t *a = NULL, *shown = NULL;
    if (deviation_store_analysis_get(call->db, r->id, false, &a) != 0 || !(shown = s_copy(a))) {
        if (a)
            protobuf_c_message_free_unpacked(&a->base, NULL);
        db_rollback(call->db);
        return bus_call_fail_db(call, "read analysis");
    }
    if (r->is_anonymous) {
        s_hide_reporting_actors(shown);
        if (deviation_sides(call, r) & DEVIATION_SIDE_REPORTER)
            db_set_actor(call->db, "anonymous", r->reporting_organization_id);
    }
    static const char *const roles[] = {"administrator", "reporter", "quality", "integration",
                                        "leader"};
    const char *organizations[] = {r->reporting_organization_id, r->receiving_organization_id};
    db_audience_t to = {.organizations = organizations,
                        .n_organizations = 2,
                        .roles = roles,
                        .n_roles = sizeof roles / sizeof roles[0]};
    char type[96];
    snprintf(type, sizeof type, "no.samhand.deviation.analysis.%s", event);
    int rc = db_outbox_append_for(call->db, type, r->id, r->receiving_organization_id, NULL, &to,
                                  &shown->base);
    s_present(call, r, a);
    if (rc == 0)
        rc = bus_call_reply_before_commit(call, &a->base);
    protobuf_c_message_free_unpacked(&a->base, NULL);
    protobuf_c_message_free_unpacked(&shown->base, NULL);
    if (rc != 0 || db_commit(call->db) != 0) {
        bus_call_fail_db(call, "record analysis");
        db_rollback(call->db);
        return -1;
    }
    return 0;
}

/* Stores the analysis's content `c` (`what` names the work in an error)
 * and commits with its `event`. 0, or -1 having failed the call. */
static int s_store_commit(bus_call_t *call, const deviation_report_t *r, const analysis_t *c,
                          const char *what, const char *event)
{
    char *json = s_content_json(c);
    int stored = deviation_store_analysis_update(call->db, r->id, json);
    free(json);
    if (stored != 0)
        return bus_call_fail_db(call, what);
    return s_commit(call, r, event);
}

/* The version a reader was given as ETag: its update time in microseconds. */
static bool s_is_version(const analysis_t *a, const char *if_match)
{
    char etag[24];
    snprintf(etag, sizeof etag, "%lld",
             (long long)a->update_time->seconds * 1000000 + a->update_time->nanos / 1000);
    return strcmp(etag, if_match) == 0;
}

/* 428 without If-Match, 409 when final, 412 when changed since. */
static int s_check_change(bus_call_t *call, const analysis_t *a, bool needs_if_match)
{
    const char *if_match = call->envelope->if_match;
    if (needs_if_match && (!if_match || !if_match[0]))
        return bus_call_fail(call, BUS_PRECONDITION_REQUIRED, NULL,
                             "If-Match is required: the ETag of the analysis as you read it "
                             "(GET /v1/deviations/{id}/analysis)");
    if (a->state == ANALYSIS_FINAL)
        return bus_call_fail(call, BUS_FAILED_PRECONDITION, "state",
                             "the analysis is final and locked: its final report is the record; "
                             "only its measures are followed up (marked done)");
    if (if_match && if_match[0] && !s_is_version(a, if_match))
        return bus_call_fail(call, BUS_PRECONDITION_FAILED, NULL,
                             "the analysis was changed after the version in If-Match; read it "
                             "again");
    return 0;
}

/* ---------------------------------------------------------------- handlers */

int deviation_analysis_create(bus_call_t *call)
{
    const Samhand__V1__CreateAnalysisRequest *req = (const void *)call->request;
    if (db_begin(call->db) != 0)
        return bus_call_fail_db(call, "create analysis");
    deviation_report_t *r = NULL;
    if (s_load_report(call, req->id, true, true, &r) != 0)
        return -1;
    int rc = -1;
    char *json = NULL;
    if (r->state != STATE(ANALYSIS_REQUESTED)) {
        bus_call_fail(call, BUS_FAILED_PRECONDITION, "state",
                      "a joint analysis begins once it is requested for the report "
                      "(POST /v1/deviations/{id}/request-analysis); the report is %s",
                      deviation_state_name(r->state));
        goto cleanup;
    }
    analysis_t c = SAMHAND__V1__JOINT_ANALYSIS__INIT;
    c.summary = req->summary;
    c.n_participants = req->n_participants;
    c.participants = req->participants;
    c.n_timeline = req->n_timeline;
    c.timeline = req->timeline;
    c.n_causes = req->n_causes;
    c.causes = req->causes;
    c.n_findings = req->n_findings;
    c.findings = req->findings;
    c.n_measures = req->n_measures;
    c.measures = req->measures;
    deviation_analysis_check(call, r, &c);
    deviation_analysis_settle_measures(call, NULL, req->measures, req->n_measures);
    if (bus_call_fail_errors(call, BUS_INVALID_ARGUMENT) != 0)
        goto cleanup;
    json = s_content_json(&c);
    int stored = deviation_store_analysis_insert(call->db, r->id, json);
    if (stored < 0) {
        bus_call_fail_db(call, "create analysis");
        goto cleanup;
    }
    if (stored > 0) {
        bus_call_fail(call, BUS_ALREADY_EXISTS, "id",
                      "deviation %s has a joint analysis already; change it with PATCH", r->id);
        goto cleanup;
    }
    rc = s_commit(call, r, "started");
cleanup:
    free(json);
    protobuf_c_message_free_unpacked(&r->base, NULL);
    return rc;
}

int deviation_analysis_get(bus_call_t *call)
{
    const Samhand__V1__GetAnalysisRequest *req = (const void *)call->request;
    deviation_report_t *r = NULL;
    analysis_t *a = NULL;
    if (s_load(call, req->id, false, false, &r, &a) != 0)
        return -1;
    /* the access log has every read of what a report holds, its analysis too */
    int rc = deviation_log_read(call, r->id, "ANALYSIS");
    s_present(call, r, a);
    protobuf_c_message_free_unpacked(&r->base, NULL);
    if (rc != 0) {
        protobuf_c_message_free_unpacked(&a->base, NULL);
        return -1;
    }
    bus_call_reply_free(call, &a->base);
    return 0;
}

static bool s_masked(const Samhand__V1__UpdateAnalysisRequest *req, const char *field)
{
    for (size_t i = 0; i < req->n_update_mask; i++)
        if (strcmp(req->update_mask[i], field) == 0)
            return true;
    return false;
}

int deviation_analysis_update(bus_call_t *call)
{
    const Samhand__V1__UpdateAnalysisRequest *req = (const void *)call->request;
    if (req->n_update_mask == 0)
        return bus_call_fail(call, BUS_INVALID_ARGUMENT, NULL, "nothing to change");
    if (db_begin(call->db) != 0)
        return bus_call_fail_db(call, "change analysis");
    deviation_report_t *r = NULL;
    analysis_t *a = NULL;
    if (s_load(call, req->id, true, true, &r, &a) != 0)
        return -1;
    int rc = -1;
    if (s_check_change(call, a, true) != 0)
        goto cleanup;
    /* the content as it will be: each list of the request where present,
     * else the analysis's (borrowed from both: free neither before it) */
    analysis_t c = SAMHAND__V1__JOINT_ANALYSIS__INIT;
    bool m = s_masked(req, "measures");
    c.summary = s_masked(req, "summary") ? req->summary : a->summary;
    c.n_participants = s_masked(req, "participants") ? req->n_participants : a->n_participants;
    c.participants = s_masked(req, "participants") ? req->participants : a->participants;
    c.n_timeline = s_masked(req, "timeline") ? req->n_timeline : a->n_timeline;
    c.timeline = s_masked(req, "timeline") ? req->timeline : a->timeline;
    c.n_causes = s_masked(req, "causes") ? req->n_causes : a->n_causes;
    c.causes = s_masked(req, "causes") ? req->causes : a->causes;
    c.n_findings = s_masked(req, "findings") ? req->n_findings : a->n_findings;
    c.findings = s_masked(req, "findings") ? req->findings : a->findings;
    c.n_measures = m ? req->n_measures : a->n_measures;
    c.measures = m ? req->measures : a->measures;
    deviation_analysis_check(call, r, &c);
    if (m)
        deviation_analysis_settle_measures(call, a, req->measures, req->n_measures);
    if (bus_call_fail_errors(call, BUS_INVALID_ARGUMENT) != 0)
        goto cleanup;
    rc = s_store_commit(call, r, &c, "change analysis", "changed");
cleanup:
    protobuf_c_message_free_unpacked(&a->base, NULL);
    protobuf_c_message_free_unpacked(&r->base, NULL);
    return rc;
}

int deviation_analysis_finalize(bus_call_t *call)
{
    const Samhand__V1__FinalizeAnalysisRequest *req = (const void *)call->request;
    if (db_begin(call->db) != 0)
        return bus_call_fail_db(call, "finalize analysis");
    deviation_report_t *r = NULL;
    analysis_t *a = NULL;
    if (s_load(call, req->id, true, true, &r, &a) != 0)
        return -1;
    int rc = -1;
    if (s_check_change(call, a, true) != 0)
        goto cleanup;
    /* what a final report cannot be without, every lack at once */
    if (check_empty(a->summary))
        bus_call_add_error(call, "summary", "summary is required before the analysis is final");
    bool reporting = false, receiving = false;
    for (size_t i = 0; i < a->n_participants; i++) {
        reporting |= strcmp(a->participants[i]->organization_id, r->reporting_organization_id) == 0;
        receiving |= strcmp(a->participants[i]->organization_id, r->receiving_organization_id) == 0;
    }
    if (!reporting || !receiving)
        bus_call_add_error(call, "participants",
                           "participants must name someone of each of the two parties before "
                           "the analysis is final");
    if (bus_call_fail_errors(call, BUS_FAILED_PRECONDITION) != 0)
        goto cleanup;
    if (deviation_store_analysis_finalize(call->db, r->id, deviation_caller_subject(call),
                                          deviation_caller_organization(call)) != 0) {
        bus_call_fail_db(call, "finalize analysis");
        goto cleanup;
    }
    rc = s_commit(call, r, "finalized");
cleanup:
    protobuf_c_message_free_unpacked(&a->base, NULL);
    protobuf_c_message_free_unpacked(&r->base, NULL);
    return rc;
}

int deviation_analysis_complete_measure(bus_call_t *call)
{
    const Samhand__V1__CompleteMeasureRequest *req = (const void *)call->request;
    if (db_begin(call->db) != 0)
        return bus_call_fail_db(call, "complete measure");
    deviation_report_t *r = NULL;
    analysis_t *a = NULL;
    if (s_load(call, req->id, true, true, &r, &a) != 0)
        return -1;
    int rc = -1;
    measure_t *m = (measure_t *)deviation_analysis_measure(a, req->measure_id);
    if (!m) {
        bus_call_fail(call, BUS_NOT_FOUND, "measure_id", "the analysis has no measure %s",
                      req->measure_id);
        goto cleanup;
    }
    if (m->state != MEASURE_STATE(OPEN)) {
        bus_call_fail(call, BUS_FAILED_PRECONDITION, "measure_id",
                      m->state == MEASURE_STATE(DONE) ? "measure %s is done already"
                                                      : "measure %s is cancelled already",
                      m->id);
        goto cleanup;
    }
    m->state = MEASURE_STATE(DONE);
    deviation_analysis_settle_done(call, m, NULL);
    rc = s_store_commit(call, r, a, "complete measure", "measure_done");
cleanup:
    protobuf_c_message_free_unpacked(&a->base, NULL);
    protobuf_c_message_free_unpacked(&r->base, NULL);
    return rc;
}

int deviation_analysis_report(bus_call_t *call)
{
    const Samhand__V1__AnalysisReportRequest *req = (const void *)call->request;
    deviation_report_t *r = NULL;
    analysis_t *a = NULL;
    if (s_load(call, req->id, false, false, &r, &a) != 0)
        return -1;
    char *reporting = NULL, *receiving = NULL, *category = NULL;
    int rc = deviation_log_read(call, r->id, "ANALYSIS");
    if (rc == 0 && (rc = deviation_store_analysis_names(call->db, r->id, &reporting, &receiving,
                                                        &category)) != 0)
        bus_call_fail_db(call, "read analysis");
    if (rc == 0) {
        s_present(call, r, a);
        deviation_analysis_names_t names = {reporting, receiving, category};
        char *html = deviation_analysis_html(a, &names);
        char filename[64];
        snprintf(filename, sizeof filename, "sluttrapport-%s.html",
                 a->deviation_reference[0] ? a->deviation_reference : a->deviation_id);
        bus_call_reply_document(call, "text/html; charset=utf-8", html, strlen(html), filename);
        free(html);
    }
    free(reporting);
    free(receiving);
    free(category);
    protobuf_c_message_free_unpacked(&a->base, NULL);
    protobuf_c_message_free_unpacked(&r->base, NULL);
    return rc == 0 ? 0 : -1;
}

int deviation_analysis_measures(bus_call_t *call)
{
    const Samhand__V1__ListAnalysisMeasuresRequest *req = (const void *)call->request;
    int64_t after;
    int limit;
    if (bus_call_page(call, req->limit, req->cursor, &after, &limit) != 0)
        return -1;
    /* the partnership's quality staff: every analysis; anyone else: those
     * of the reports its organisation is a party to */
    const char *org = deviation_caller_organization(call);
    if (!org[0] && !deviation_caller_is_quality(call))
        return bus_call_fail(call, BUS_PERMISSION_DENIED, NULL,
                             "measures are seen by the parties of their analyses");
    char today[11];
    deviation_today(today);
    Samhand__V1__ListAnalysisMeasuresResponse *list = NULL;
    if (deviation_store_measures_open(call->db, org[0] ? org : NULL, today, req->overdue, after,
                                      limit, &list) != 0)
        return bus_call_fail_db(call, "list measures");
    /* a measure shown is a read of its report's analysis: logged, each
     * report once a page, or the page is not given */
    const char **ids = calloc(list->n_items + 1, sizeof *ids);
    size_t n = 0;
    for (size_t i = 0; ids && i < list->n_items; i++) {
        bool seen = false;
        for (size_t k = 0; k < n && !seen; k++)
            seen = strcmp(ids[k], list->items[i]->deviation_id) == 0;
        if (!seen)
            ids[n++] = list->items[i]->deviation_id;
    }
    int rc = !ids     ? -1
             : n == 0 ? 0
                      : deviation_store_reads_log(call->db, ids, n, deviation_caller_subject(call),
                                                  org[0] ? org : NULL, "ANALYSIS");
    free(ids);
    if (rc != 0) {
        protobuf_c_message_free_unpacked(&list->base, NULL);
        return bus_call_fail_db(call, "log the read");
    }
    bus_call_reply_free(call, &list->base);
    return 0;
}
