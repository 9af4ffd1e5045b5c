/* The content of a joint analysis checked, every error at once, and its
 * measures settled: ids and done times are the service's (see
 * deviation_analysis_check.h). */
#include "deviation_analysis.h"
#include "deviation_analysis_check.h"
#include "deviation_identity.h"
#include "samhand_check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NAME_MAX_CHARS 300
#define PARTICIPANTS_MAX 50
#define ENTRIES_MAX 200 /* of the timeline, the causes, the findings, the measures */

static void s_text(bus_call_t *call, const char *field, const char *text, size_t max_chars,
                   bool is_required)
{
    if (is_required && check_empty(text)) {
        bus_call_add_error(call, field, "%s is required", field);
        return;
    }
    if (!check_text(text, max_chars)) {
        bus_call_add_error(call, field, "%s must be text of at most %zu characters", field,
                           max_chars);
        return;
    }
    deviation_identity_at_t at = deviation_identity_find(text, bus_now_ms() / 1000);
    if (at.position)
        bus_call_add_error(call, field,
                           "%s holds what looks like a national identity number (fødselsnummer "
                           "or D-number) at character %d, %d characters long; remove it, an "
                           "analysis must not identify the patient",
                           field, at.position, at.length);
}

static void s_party(bus_call_t *call, const char *field, const char *id,
                    const deviation_report_t *r)
{
    if (check_empty(id))
        bus_call_add_error(call, field, "%s is required: one of the two parties", field);
    else if (strcmp(id, r->reporting_organization_id) != 0 &&
             strcmp(id, r->receiving_organization_id) != 0)
        bus_call_add_error(call, field,
                           "%s must be one of the two parties: the reporting or the receiving "
                           "organization of the report",
                           field);
}

static bool s_too_many(bus_call_t *call, const char *field, size_t n, size_t max)
{
    if (n <= max)
        return false;
    bus_call_add_error(call, field, "%s holds at most %zu", field, max);
    return true;
}

/* Notes every error of the analysis's content (bus_call_add_error). */
void deviation_analysis_check(bus_call_t *call, const deviation_report_t *r, const analysis_t *c)
{
    char field[64];
    s_text(call, "summary", c->summary, DEVIATION_TEXT_MAX_CHARS, false);
    if (!s_too_many(call, "participants", c->n_participants, PARTICIPANTS_MAX))
        for (size_t i = 0; i < c->n_participants; i++) {
            const Samhand__V1__AnalysisParticipant *p = c->participants[i];
            snprintf(field, sizeof field, "participants[%zu].name", i);
            s_text(call, field, p->name, NAME_MAX_CHARS, true);
            snprintf(field, sizeof field, "participants[%zu].role", i);
            s_text(call, field, p->role, NAME_MAX_CHARS, true);
            snprintf(field, sizeof field, "participants[%zu].organization_id", i);
            s_party(call, field, p->organization_id, r);
        }
    if (!s_too_many(call, "timeline", c->n_timeline, ENTRIES_MAX))
        for (size_t i = 0; i < c->n_timeline; i++) {
            snprintf(field, sizeof field, "timeline[%zu].time", i);
            if (!c->timeline[i]->time)
                bus_call_add_error(call, field, "%s is required", field);
            snprintf(field, sizeof field, "timeline[%zu].description", i);
            s_text(call, field, c->timeline[i]->description, DEVIATION_TEXT_MAX_CHARS, true);
        }
    if (!s_too_many(call, "causes", c->n_causes, ENTRIES_MAX))
        for (size_t i = 0; i < c->n_causes; i++) {
            snprintf(field, sizeof field, "causes[%zu].category", i);
            if (!deviation_analysis_category_label(c->causes[i]->category)[0])
                bus_call_add_error(call, field,
                                   "%s is required: COMMUNICATION, ROUTINES, COMPETENCE, "
                                   "STAFFING, EQUIPMENT_IT, ORGANISATION or OTHER",
                                   field);
            snprintf(field, sizeof field, "causes[%zu].description", i);
            s_text(call, field, c->causes[i]->description, DEVIATION_TEXT_MAX_CHARS, true);
        }
    if (!s_too_many(call, "findings", c->n_findings, ENTRIES_MAX))
        for (size_t i = 0; i < c->n_findings; i++) {
            snprintf(field, sizeof field, "findings[%zu]", i);
            s_text(call, field, c->findings[i], DEVIATION_TEXT_MAX_CHARS, true);
        }
    if (!s_too_many(call, "measures", c->n_measures, ENTRIES_MAX))
        for (size_t i = 0; i < c->n_measures; i++) {
            const measure_t *m = c->measures[i];
            snprintf(field, sizeof field, "measures[%zu].description", i);
            s_text(call, field, m->description, DEVIATION_TEXT_MAX_CHARS, true);
            snprintf(field, sizeof field, "measures[%zu].owner_organization_id", i);
            s_party(call, field, m->owner_organization_id, r);
            snprintf(field, sizeof field, "measures[%zu].owner_person", i);
            s_text(call, field, m->owner_person, NAME_MAX_CHARS, false);
            snprintf(field, sizeof field, "measures[%zu].due_date", i);
            if (!check_date(m->due_date))
                bus_call_add_error(call, field, "%s is required, written YYYY-MM-DD", field);
            snprintf(field, sizeof field, "measures[%zu].state", i);
            if (m->state != 0 && !protobuf_c_enum_descriptor_get_value(
                                     &samhand__v1__analysis_measure__state__descriptor, m->state))
                bus_call_add_error(call, field, "%s has no value %d", field, m->state);
        }
}

/* ---------------------------------------------------------------- measures */

static Samhand__V1__Timestamp *s_time_copy(const Samhand__V1__Timestamp *t)
{
    if (!t)
        return NULL;
    Samhand__V1__Timestamp *copy = malloc(sizeof *copy);
    assert(copy);
    *copy = *t;
    return copy;
}

const measure_t *deviation_analysis_measure(const analysis_t *a, const char *id)
{
    for (size_t i = 0; a && i < a->n_measures; i++)
        if (strcmp(a->measures[i]->id, id) == 0)
            return a->measures[i];
    return NULL;
}

/* When and by whom a measure was marked done or cancelled: kept while its
 * state stays, the caller now when it changes, none while open. */
void deviation_analysis_settle_done(bus_call_t *call, measure_t *m, const measure_t *before)
{
    free(m->done_time);
    m->done_time = NULL;
    if (before && before->state == m->state) {
        m->done_time = s_time_copy(before->done_time);
        deviation_replace_text(&m->done_by, before->done_by);
        deviation_replace_text(&m->done_by_organization_id, before->done_by_organization_id);
    } else if (m->state != MEASURE_STATE(OPEN)) {
        int64_t now_ms = bus_now_ms();
        m->done_time = malloc(sizeof *m->done_time);
        assert(m->done_time);
        samhand__v1__timestamp__init(m->done_time);
        m->done_time->seconds = now_ms / 1000;
        m->done_time->nanos = (int32_t)(now_ms % 1000) * 1000000;
        deviation_replace_text(&m->done_by, deviation_caller_subject(call));
        deviation_replace_text(&m->done_by_organization_id, deviation_caller_organization(call));
    } else {
        deviation_replace_text(&m->done_by, "");
        deviation_replace_text(&m->done_by_organization_id, "");
    }
}

/* Gives new measures their ids and every measure its done time as its
 * state says; notes the errors of ids (one given on a new analysis, one
 * the analysis lacks, one twice, one left out). */
void deviation_analysis_settle_measures(bus_call_t *call, const analysis_t *before,
                                        measure_t **measures, size_t n)
{
    char field[64];
    for (size_t i = 0; i < n; i++) {
        measure_t *m = measures[i];
        snprintf(field, sizeof field, "measures[%zu].id", i);
        const measure_t *was = NULL;
        if (!check_empty(m->id)) {
            was = deviation_analysis_measure(before, m->id);
            if (!before)
                bus_call_add_error(call, field, "%s is given by the service; leave it out", field);
            else if (!was)
                bus_call_add_error(call, field,
                                   "%s: the analysis has no measure %s; leave id out for a new "
                                   "measure",
                                   field, m->id);
            for (size_t j = 0; j < i; j++)
                if (strcmp(measures[j]->id, m->id) == 0)
                    bus_call_add_error(call, field, "%s names measure %s twice", field, m->id);
        } else {
            char hex[33], id[37];
            bus_random_id(hex);
            snprintf(id, sizeof id, "%.8s-%.4s-4%.3s-8%.3s-%.12s", hex, hex + 8, hex + 13, hex + 17,
                     hex + 20);
            deviation_replace_text(&m->id, id);
        }
        if (m->state == 0)
            m->state = MEASURE_STATE(OPEN);
        deviation_analysis_settle_done(call, m, was);
        deviation_replace_text(&m->deviation_id, "");
        deviation_replace_text(&m->deviation_reference, "");
    }
    for (size_t i = 0; before && i < before->n_measures; i++) {
        bool kept = false;
        for (size_t j = 0; j < n && !kept; j++)
            kept = strcmp(measures[j]->id, before->measures[i]->id) == 0;
        if (!kept)
            bus_call_add_error(call, "measures",
                               "measures leaves out measure %s; a measure stays in the record: "
                               "cancel it (state CANCELLED) instead",
                               before->measures[i]->id);
    }
}
