/* Deviation reports: the common form, the refusal of identity numbers,
 * who may see a report, and the workflow with its audit trail and its
 * deadlines by the partnership's rule in force at submission. */
#include "deviation_identity.h"
#include "deviation_report.h"
#include "deviation_rules.h"
#include "deviation_server.h"
#include "samhand_check.h"
#include "samhand_log.h"
#include "samhand_time.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *deviation_state_name(int state)
{
    const ProtobufCEnumValue *v = protobuf_c_enum_descriptor_get_value(
        &samhand__v1__deviation_report__state__descriptor, state);
    return v ? v->name : "UNKNOWN";
}

/* ---------------------------------------------------------------- checks */

/* Notes an error for every string field of `msg` that holds an identity
 * number. Neither the number nor the text around it is stored or logged:
 * the answer names the field and the position only. */
void deviation_scan_note(bus_call_t *call, const ProtobufCMessage *msg)
{
    const ProtobufCMessageDescriptor *desc = msg->descriptor;
    int64_t written_s = bus_now_ms() / 1000; /* the rules as they hold when it is written */
    for (unsigned i = 0; i < desc->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &desc->fields[i];
        if (f->type != PROTOBUF_C_TYPE_STRING || f->label == PROTOBUF_C_LABEL_REPEATED)
            continue;
        const char *text = *(char *const *)((const char *)msg + f->offset);
        deviation_identity_at_t at =
            text ? deviation_identity_find(text, written_s) : (deviation_identity_at_t){0, 0};
        if (at.position)
            bus_call_add_error(call, f->name,
                               "%s holds what looks like a national identity number "
                               "(fødselsnummer or D-number) at character %d, %d characters "
                               "long; remove it, a deviation report must not identify the "
                               "patient",
                               f->name, at.position, at.length);
    }
}

int deviation_scan(bus_call_t *call, const ProtobufCMessage *msg)
{
    deviation_scan_note(call, msg);
    return bus_call_fail_errors(call, BUS_INVALID_ARGUMENT);
}

/* Notes every error of the form; -1 having failed the call when the code
 * list cannot be read. */
int deviation_check_form(bus_call_t *call, const Samhand__V1__CreateDeviationRequest *req)
{
    static const struct {
        const char *name;
        size_t max;
    } texts[] = {{"reporting_unit", DEVIATION_SHORT_MAX_CHARS},
                 {"reporter_name", DEVIATION_SHORT_MAX_CHARS},
                 {"actual_consequence", DEVIATION_TEXT_MAX_CHARS},
                 {"possible_consequence", DEVIATION_TEXT_MAX_CHARS},
                 {"description", DEVIATION_TEXT_MAX_CHARS},
                 {"immediate_measures", DEVIATION_TEXT_MAX_CHARS},
                 {"improvement_suggestion", DEVIATION_TEXT_MAX_CHARS},
                 {"agreement_clause", DEVIATION_SHORT_MAX_CHARS}};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        const ProtobufCFieldDescriptor *f =
            protobuf_c_message_descriptor_get_field_by_name(req->base.descriptor, texts[i].name);
        const char *text = *(char *const *)((const char *)req + f->offset);
        if (!check_empty(text) && !check_text(text, texts[i].max))
            bus_call_add_error(call, texts[i].name, "%s must be text of at most %zu characters",
                               texts[i].name, texts[i].max);
    }
    if (!check_empty(req->reporter_email) && !check_email(req->reporter_email))
        bus_call_add_error(call, "reporter_email",
                           "reporter_email must be an e-mail address like name@example.no");
    if (!check_uuid(req->reporting_organization_id))
        bus_call_add_error(call, "reporting_organization_id",
                           "reporting_organization_id is required (a UUID)");
    if (!check_uuid(req->receiving_organization_id))
        bus_call_add_error(call, "receiving_organization_id",
                           "receiving_organization_id is required (a UUID)");
    else if (strcmp(req->reporting_organization_id, req->receiving_organization_id) == 0)
        bus_call_add_error(call, "receiving_organization_id",
                           "a deviation is between two parties: the receiver cannot be the "
                           "reporter");
    int64_t now = bus_now_ms() / 1000;
    if (req->occurred_time && req->occurred_time->seconds > now + 3600)
        bus_call_add_error(call, "occurred_time", "occurred_time lies in the future");
    if (req->discovered_time && req->discovered_time->seconds > now + 3600)
        bus_call_add_error(call, "discovered_time", "discovered_time lies in the future");
    else if (req->occurred_time && req->discovered_time &&
             req->discovered_time->seconds < req->occurred_time->seconds)
        bus_call_add_error(call, "discovered_time", "discovered_time is before occurred_time");
    if (req->type && !protobuf_c_enum_descriptor_get_value(
                         &samhand__v1__deviation_report__type__descriptor, req->type))
        bus_call_add_error(call, "type", "type has no value %d", req->type);
    if (req->harm_degree &&
        !protobuf_c_enum_descriptor_get_value(
            &samhand__v1__deviation_report__harm_degree__descriptor, req->harm_degree))
        bus_call_add_error(call, "harm_degree", "harm_degree has no value %d", req->harm_degree);
    if (req->category_code[0]) {
        int usable = deviation_store_category_usable(call->db, req->category_code);
        if (usable < 0)
            return bus_call_fail_db(call, "read categories");
        /* the code as given is not echoed: it may be anything typed */
        if (!usable)
            bus_call_add_error(call, "category_code",
                               "category_code is not in the code list; see "
                               "/v1/deviation-categories");
    }
    return 0;
}

/* Notes what a report lacks before it goes to the receiver, each field:
 * a degree of harm too (a draft may lack it; reports submitted before it
 * was asked keep none, shown as «Ikke vurdert»). */
static void s_note_incomplete(bus_call_t *call, int type, const char *category_code,
                              const Samhand__V1__Timestamp *occurred, const char *description,
                              int harm_degree)
{
    if (!type)
        bus_call_add_error(call, "type", "type is required to submit");
    if (!category_code[0])
        bus_call_add_error(call, "category_code", "category_code is required to submit");
    if (!occurred)
        bus_call_add_error(call, "occurred_time", "occurred_time is required to submit");
    if (!description[0])
        bus_call_add_error(call, "description", "description is required to submit");
    if (!harm_degree)
        bus_call_add_error(call, "harm_degree", "harm_degree is required to submit");
}

/* A well-formed report that lacks what submission needs is unprocessable
 * (422), every field it lacks named at once. */
int deviation_check_complete(bus_call_t *call, const deviation_report_t *r)
{
    s_note_incomplete(call, r->type, r->category_code, r->occurred_time, r->description,
                      r->harm_degree);
    return bus_call_fail_errors(call, BUS_UNPROCESSABLE);
}

/* -------------------------------------------------------------- deadlines */

void deviation_add_days(const char *from, int days, char out[11])
{
    int y, m, d;
    sscanf(from, "%d-%d-%d", &y, &m, &d);
    time_add_working_days(&y, &m, &d, days);
    snprintf(out, 11, "%04u-%02u-%02u", (unsigned)y % 10000u, (unsigned)m % 100u,
             (unsigned)d % 100u);
}

/* ---------------------------------------------------------------- handlers */

/* Whether every organisation of `a` may see the report `id`: what an event
 * for them may say of the report a duplicate points to. */
static bool s_all_may_see(db_t *db, const deviation_audience_t *a, const char *id)
{
    deviation_report_t *other = NULL;
    if (!check_uuid(id) || deviation_store_get(db, id, false, &other) != 0)
        return false;
    deviation_audience_t b = deviation_audience(other);
    bool all = b.subject == NULL;
    for (size_t i = 0; all && i < a->n_organization_ids; i++) {
        bool found = false;
        for (size_t j = 0; j < b.n_organization_ids; j++)
            found |= strcmp(a->organization_ids[i], b.organization_ids[j]) == 0;
        all = found;
    }
    protobuf_c_message_free_unpacked(&other->base, NULL);
    return all;
}

/* Appends the report's event for those who may see the report (deviation_audience)
 * and their systems: the whole report as the receiver may see it, so an
 * anonymous one without who reported it, and never who wrote it. */
int deviation_append_event(db_t *db, const char *type, deviation_report_t *r)
{
    deviation_audience_t a = deviation_audience(r);
    /* waiting in leader review (review_requested), its event is for the
     * reporting organisation's leaders alone, who are to approve it (and
     * are mailed that it waits): not its other roles, no quality role of
     * any party, and the receiver learns nothing before approval */
    static const char *const leaders[] = {"leader"};
    bool for_leaders = r->state == STATE(IN_REVIEW);
    db_audience_t to = {.organizations = a.organization_ids,
                        .n_organizations = a.n_organization_ids,
                        .roles = for_leaders ? leaders : NULL,
                        .n_roles = for_leaders ? 1 : 0,
                        .subjects = a.subject ? &a.subject : NULL,
                        .n_subjects = a.subject ? 1 : 0};
    bool shows_duplicate = !r->duplicate_of_id[0] || s_all_may_see(db, &a, r->duplicate_of_id);
    /* the leader's word to the writer (a return's comment) is the reporting
     * side's own: not in an event any other party may get */
    bool internal = r->state == STATE(DRAFT) || r->state == STATE(IN_REVIEW);
    if (!r->is_anonymous) { /* as it is, less what some may not see: no copy */
        char *subject = r->reporter_subject, *duplicate_of = r->duplicate_of_id;
        r->reporter_subject = (char *)protobuf_c_empty_string;
        if (!shows_duplicate)
            r->duplicate_of_id = (char *)protobuf_c_empty_string;
        char **said = calloc(r->n_history + 1, sizeof *said);
        for (size_t i = 0; i < r->n_history && !internal; i++)
            if (strcmp(r->history[i]->action, "return") == 0) {
                said[i] = r->history[i]->comment;
                r->history[i]->comment = (char *)protobuf_c_empty_string;
            }
        int rc = db_outbox_append_for(db, type, r->id, a.organization, NULL, &to, &r->base);
        for (size_t i = 0; i < r->n_history; i++)
            if (said[i])
                r->history[i]->comment = said[i];
        free(said);
        r->reporter_subject = subject;
        r->duplicate_of_id = duplicate_of;
        return rc;
    }
    size_t len = samhand__v1__deviation_report__get_packed_size(r);
    uint8_t *packed = malloc(len ? len : 1);
    assert(packed);
    samhand__v1__deviation_report__pack(r, packed);
    deviation_report_t *shown = samhand__v1__deviation_report__unpack(NULL, len, packed);
    free(packed);
    if (!shown)
        return -1;
    deviation_hide_reporter(shown);
    deviation_replace_text(&shown->reporter_subject, "");
    for (size_t i = 0; i < shown->n_history && !internal; i++) /* the leader's word */
        if (strcmp(shown->history[i]->action, "return") == 0)
            deviation_replace_text(&shown->history[i]->comment, "");
    if (!shows_duplicate)
        deviation_replace_text(&shown->duplicate_of_id, "");
    int rc = db_outbox_append_for(db, type, shown->id, a.organization, NULL, &to, &shown->base);
    samhand__v1__deviation_report__free_unpacked(shown, NULL);
    return rc;
}

/* Commits the change with its event and replies with the report as the
 * caller may see it afterwards (the reply stored with the change for a
 * repeat). */
static int s_commit_report(bus_call_t *call, deviation_report_t *r, const char *event);

int deviation_commit(bus_call_t *call, const char *id, const char *event)
{
    deviation_report_t *r = NULL;
    if (deviation_store_get(call->db, id, false, &r) != 0) {
        db_rollback(call->db);
        return bus_call_fail_db(call, "read deviation");
    }
    /* a report sent to its receiver has a reference, taken with its event
     * (one in its leader's review has none yet) */
    if (!r->reference[0] && r->state != SAMHAND__V1__DEVIATION_REPORT__STATE__DRAFT &&
        r->state != SAMHAND__V1__DEVIATION_REPORT__STATE__IN_REVIEW) {
        char reference[32];
        bool is_proposal = r->type == SAMHAND__V1__DEVIATION_REPORT__TYPE__IMPROVEMENT_PROPOSAL;
        if (deviation_store_give_reference(call->db, id, is_proposal, reference) != 0) {
            protobuf_c_message_free_unpacked(&r->base, NULL);
            db_rollback(call->db);
            return bus_call_fail_db(call, "give the deviation its reference");
        }
        free(r->reference);
        r->reference = strdup(reference);
    }
    return s_commit_report(call, r, event);
}

/* deviation_commit's part after the report is read (and owned): its
 * event, the reply, the commit. */
static int s_commit_report(bus_call_t *call, deviation_report_t *r, const char *event)
{
    char type[96];
    snprintf(type, sizeof type, "no.samhand.deviation.%s", event);
    deviation_deadline_status(r);
    /* who on the reporting side of an anonymous report made a change is
     * not told either: the event says only the organisation */
    if (r->is_anonymous && (deviation_sides(call, r) & DEVIATION_SIDE_REPORTER))
        db_set_actor(call->db, "anonymous", r->reporting_organization_id);
    int rc = deviation_append_event(call->db, type, r);
    if (rc == 0 && deviation_sides(call, r) == 0) {
        /* one who may no longer see it after its step is told what the
         * step did, and nothing more (a forwarder keeps reading it since
         * issue 19: a safety net, not a path taken) */
        deviation_report_t gone = SAMHAND__V1__DEVIATION_REPORT__INIT;
        gone.id = r->id;
        gone.state = r->state;
        gone.receiving_organization_id = r->receiving_organization_id;
        rc = bus_call_reply_before_commit(call, &gone.base);
    } else if (rc == 0) {
        /* the answer shows the partnership's quality staff who reported an
         * anonymous report: logged with the change, or neither is made */
        int sides = deviation_sides(call, r);
        if (r->is_anonymous && !(sides & DEVIATION_SIDE_REPORTER) &&
            deviation_sees_reporter(call, r, sides)) {
            rc = deviation_log_read(call, r->id, "REPORTER");
        }
        deviation_present(call, r);
        if (rc == 0)
            rc = bus_call_reply_before_commit(call, &r->base);
    }
    protobuf_c_message_free_unpacked(&r->base, NULL);
    if (rc != 0 || db_commit(call->db) != 0) {
        bus_call_fail_db(call, "record deviation");
        db_rollback(call->db);
        return -1;
    }
    return 0;
}

/* A submission `today` by `rule`: SUBMITTED, its deadlines from today
 * (in ack_due and answer_due, which *change points to), the rule's
 * version kept. */
static void s_submission(const Samhand__V1__PartnershipSettings *rule, const char *today,
                         char ack_due[11], char answer_due[11], deviation_change_t *change)
{
    deviation_rule_due(rule->acknowledge_deadline, today, ack_due);
    deviation_rule_due(rule->answer_deadline, today, answer_due);
    *change = (deviation_change_t){.state = "SUBMITTED",
                                   .acknowledge_due = ack_due[0] ? ack_due : NULL,
                                   .answer_due = answer_due,
                                   .set_submitted = true,
                                   .settings_version = rule->version};
}

/* Submission: the reference, the deadlines from today by the rule in
 * force today (kept on the report: its settings version), the history
 * line. */
/* deviation_submit by `rule`, the settings in force `today` (the caller's). */
static int s_submit_by(bus_call_t *call, deviation_report_t *r, const char *action,
                       const char *comment, const char **event,
                       const Samhand__V1__PartnershipSettings *rule, const char *today)
{
    const char *from = deviation_state_name(r->state);
    /* leader review: a draft goes to the reporting organisation's leader
     * first, and on to the receiver only when approved */
    if (rule->is_leader_review && r->state == STATE(DRAFT)) {
        deviation_change_t review = {.state = "IN_REVIEW"};
        *event = "review_requested";
        if (deviation_store_change(call->db, r->id, &review) != 0 ||
            deviation_store_transition(call->db, r->id, action, from, "IN_REVIEW", comment,
                                       deviation_caller_subject(call),
                                       deviation_caller_organization(call)) != 0)
            return bus_call_fail_db(call, "submit deviation");
        return 0;
    }
    *event = "submitted";
    char ack_due[11], answer_due[11];
    deviation_change_t change;
    s_submission(rule, today, ack_due, answer_due, &change);
    if (deviation_store_change(call->db, r->id, &change) != 0 ||
        deviation_store_transition(call->db, r->id, action, from, "SUBMITTED", comment,
                                   deviation_caller_subject(call),
                                   deviation_caller_organization(call)) != 0)
        return bus_call_fail_db(call, "submit deviation");
    return 0;
}

int deviation_submit(bus_call_t *call, deviation_report_t *r, const char *action,
                     const char *comment, const char **event)
{
    char today[11];
    deviation_today(today);
    Samhand__V1__PartnershipSettings *rule = NULL;
    if (deviation_settings_at(call->db, call->service, today, 0, &rule) != 0)
        return bus_call_fail_db(call, "read settings");
    int rc = s_submit_by(call, r, action, comment, event, rule, today);
    protobuf_c_message_free_unpacked(&rule->base, NULL);
    return rc;
}

int deviation_report_create(bus_call_t *call)
{
    const Samhand__V1__CreateDeviationRequest *req = (const void *)call->request;
    /* every error of the form in one answer */
    deviation_scan_note(call, &req->base);
    if (deviation_check_form(call, req) != 0)
        return -1;
    /* malformed fields are a bad request (400); a well-formed form that
     * lacks what submission needs is unprocessable (422): all named */
    bool is_malformed = call->n_errors > 0;
    if (req->submit)
        s_note_incomplete(call, req->type, req->category_code, req->occurred_time, req->description,
                          req->harm_degree);
    if (bus_call_fail_errors(call, is_malformed ? BUS_INVALID_ARGUMENT : BUS_UNPROCESSABLE) != 0)
        return -1;
    /* one reports for one's own organisation */
    const char *org = deviation_caller_organization(call);
    if (!deviation_caller_is_quality(call) && strcmp(org, req->reporting_organization_id) != 0)
        return bus_call_fail(call, BUS_PERMISSION_DENIED, "reporting_organization_id",
                             "you can report only for your own organization");
    if (db_begin(call->db) != 0)
        return bus_call_fail_db(call, "create deviation");
    if (!req->submit) {
        char id[40];
        if (deviation_store_insert(call->db, req, deviation_caller_subject(call), id) != 0)
            return bus_call_fail_db(call, "create deviation");
        return deviation_commit(call, id, "drafted");
    }
    char today[11];
    deviation_today(today);
    Samhand__V1__PartnershipSettings *rule = NULL;
    if (deviation_settings_at(call->db, call->service, today, 0, &rule) != 0)
        return bus_call_fail_db(call, "read settings");
    if (!rule->is_leader_review) {
        /* made submitted: one row written once, not a draft submitted */
        char ack_due[11], answer_due[11];
        deviation_change_t change;
        s_submission(rule, today, ack_due, answer_due, &change);
        protobuf_c_message_free_unpacked(&rule->base, NULL);
        deviation_report_t *r = NULL;
        bool is_proposal = req->type == SAMHAND__V1__DEVIATION_REPORT__TYPE__IMPROVEMENT_PROPOSAL;
        if (deviation_store_insert_submitted(call->db, req, deviation_caller_subject(call), &change,
                                             is_proposal, deviation_caller_subject(call),
                                             deviation_caller_organization(call), &r) != 0)
            return bus_call_fail_db(call, "create deviation");
        return s_commit_report(call, r, "submitted");
    }
    /* to the leader first: the draft, then its step by the rule just read;
     * the form was found complete above, and the draft is this
     * transaction's alone, so it is not read back first (deviation_commit
     * reads it once, with its event) */
    char id[40];
    if (deviation_store_insert(call->db, req, deviation_caller_subject(call), id) != 0) {
        protobuf_c_message_free_unpacked(&rule->base, NULL);
        return bus_call_fail_db(call, "create deviation");
    }
    deviation_report_t draft = SAMHAND__V1__DEVIATION_REPORT__INIT;
    draft.id = id;
    draft.state = STATE(DRAFT);
    const char *event = "submitted";
    int rc = s_submit_by(call, &draft, "submit", "", &event, rule, today);
    protobuf_c_message_free_unpacked(&rule->base, NULL);
    return rc != 0 ? -1 : deviation_commit(call, id, event);
}

int deviation_report_get(bus_call_t *call)
{
    const Samhand__V1__GetDeviationRequest *req = (const void *)call->request;
    deviation_report_t *r = NULL;
    if (deviation_load(call, req->id, false, &r) != 0)
        return -1;
    if (deviation_log_reads(call, &r, 1, "GET") != 0) {
        protobuf_c_message_free_unpacked(&r->base, NULL);
        return -1;
    }
    deviation_present(call, r);
    bus_call_reply_free(call, &r->base);
    return 0;
}

int deviation_report_list(bus_call_t *call)
{
    const Samhand__V1__ListDeviationsRequest *req = (const void *)call->request;
    deviation_page_t page = {.newest_first = req->newest_first};
    if (bus_call_page(call, req->limit, req->cursor, &page.after, &page.limit) != 0)
        return -1;
    const char *state = NULL;
    if (req->state) {
        const ProtobufCEnumValue *v = protobuf_c_enum_descriptor_get_value(
            &samhand__v1__deviation_report__state__descriptor, req->state);
        if (!v)
            return bus_call_fail(call, BUS_INVALID_ARGUMENT, "state", "state has no value %d",
                                 req->state);
        state = v->name;
    }
    if (req->organization_id[0] && !check_uuid(req->organization_id))
        return bus_call_fail(call, BUS_INVALID_ARGUMENT, "organization_id",
                             "organization_id must be a UUID");
    /* quality roles see all, and may narrow it to one organisation; others
     * see their own organisation's */
    const char *org = deviation_caller_is_quality(call)
                          ? (req->organization_id[0] ? req->organization_id : NULL)
                          : deviation_caller_organization(call);
    if (!deviation_caller_is_quality(call) && !org[0])
        return bus_call_fail(call, BUS_PERMISSION_DENIED, NULL,
                             "reports are seen by the organizations they concern");
    char today[11];
    deviation_today(today);
    Samhand__V1__ListDeviationsResponse *list = NULL;
    if (req->reference[0] && !check_text(req->reference, 32))
        return bus_call_fail(call, BUS_INVALID_ARGUMENT, "reference",
                             "reference is a report's reference like AVV-2026-0001");
    const char *type = NULL;
    if (req->type) {
        const ProtobufCEnumValue *v = protobuf_c_enum_descriptor_get_value(
            &samhand__v1__deviation_report__type__descriptor, req->type);
        if (!v)
            return bus_call_fail(call, BUS_INVALID_ARGUMENT, "type", "type has no value %d",
                                 req->type);
        type = v->name;
    }
    /* a report in leader review: its reporting organisation's alone */
    if (deviation_store_list(call->db, page, org, deviation_caller_subject(call), state,
                             req->overdue, today, req->reference[0] ? req->reference : NULL,
                             deviation_caller_organization(call), type, &list) != 0)
        return bus_call_fail_db(call, "list deviations");
    if (deviation_log_reads(call, list->items, list->n_items, "LIST") != 0) {
        protobuf_c_message_free_unpacked(&list->base, NULL);
        return -1;
    }
    for (size_t i = 0; i < list->n_items; i++)
        deviation_present(call, list->items[i]);
    bus_call_reply_free(call, &list->base);
    return 0;
}

int deviation_reads_list(bus_call_t *call)
{
    const Samhand__V1__ListDeviationReadsRequest *req = (const void *)call->request;
    /* the partnership's quality staff, and a party's of its own reports
     * (deviation_load refuses the others as no report) */
    static const char *const log_readers[] = {"quality", "administrator", NULL};
    if (!bus_call_has_role(call, log_readers))
        return bus_call_fail(call, BUS_PERMISSION_DENIED, NULL,
                             "the access log is read by quality staff");
    int64_t after;
    int limit;
    if (bus_call_page(call, req->limit, req->cursor, &after, &limit) != 0)
        return -1;
    deviation_report_t *r = NULL;
    if (deviation_load(call, req->id, false, &r) != 0)
        return -1;
    Samhand__V1__ListDeviationReadsResponse *list = NULL;
    if (deviation_store_reads_list(call->db, req->id, after, limit, &list) != 0) {
        protobuf_c_message_free_unpacked(&r->base, NULL);
        return bus_call_fail_db(call, "list reads");
    }
    /* who of the reporting side read an anonymous report would tell who
     * reported it: to those not shown the reporter, only their organisation */
    if (!deviation_sees_reporter(call, r, deviation_sides(call, r)))
        for (size_t i = 0; i < list->n_items; i++)
            if (strcmp(list->items[i]->organization_id, r->reporting_organization_id) == 0)
                deviation_replace_text(&list->items[i]->subject, "anonymous");
    protobuf_c_message_free_unpacked(&r->base, NULL);
    bus_call_reply_free(call, &list->base);
    return 0;
}

int deviation_report_export(bus_call_t *call)
{
    const Samhand__V1__ExportDeviationRequest *req = (const void *)call->request;
    deviation_report_t *r = NULL;
    if (deviation_load(call, req->id, false, &r) != 0)
        return -1;
    if (deviation_log_reads(call, &r, 1, "EXPORT") != 0) {
        protobuf_c_message_free_unpacked(&r->base, NULL);
        return -1;
    }
    deviation_present(call, r);
    char *json = deviation_fhir_render(r);
    char filename[64];
    snprintf(filename, sizeof filename, "%s.fhir.json", r->reference[0] ? r->reference : r->id);
    bus_call_reply_document(call, "application/fhir+json", json, strlen(json), filename);
    free(json);
    protobuf_c_message_free_unpacked(&r->base, NULL);
    return 0;
}

/* --------------------------------------------------------------- scheduler */

static int s_alert(db_t *db, const char *id, bool overdue, void *arg)
{
    deviation_report_t *r = NULL;
    if (deviation_store_get(db, id, false, &r) != 0)
        return -1;
    deviation_deadline_status(r);
    int rc = deviation_append_event(
        db, overdue ? "no.samhand.deviation.overdue" : "no.samhand.deviation.due_soon", r);
    protobuf_c_message_free_unpacked(&r->base, NULL);
    return rc;
}

void deviation_scheduler_run(db_t *db, void *context)
{
    char today[11], soon[11];
    deviation_today(today);
    deviation_add_days(today, 1, soon); /* due by the next working day */
    if (db_begin(db) != 0)
        return;
    int n = deviation_store_alerts(db, today, soon, s_alert, context);
    if (n < 0 || db_commit(db) != 0) {
        log_error("could not raise deviation deadline events: %s", db_error(db));
        db_rollback(db);
        return;
    }
    if (n > 0)
        log_info("raised %d deviation deadline events", n);
}
