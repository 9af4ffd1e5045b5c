/* Deviation reports: the common form, the refusal of identity numbers,
 * who may see a report, and the workflow with its audit trail and its
 * deadlines by the partnership's rule in force at submission. */
#include "deviation_identity.h"
#include "deviation_rules.h"
#include "deviation_server.h"
#include "samhand_check.h"
#include "samhand_log.h"
#include "samhand_time.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TEXT_MAX_CHARS 20000
#define SHORT_MAX_CHARS 300

typedef enum { SIDE_REPORTER = 1, SIDE_RECEIVER = 2, SIDE_QUALITY = 4 } s_side_t;

typedef Samhand__V1__DeviationReport report_t;
#define STATE(name) SAMHAND__V1__DEVIATION_REPORT__STATE__##name
#define BIT(name) (1u << STATE(name))

/* One step being taken: what it asks, the report as it stands, and the
 * change the step's rule fills in before it is stored. */
typedef struct {
    bus_call_t *call;
    const Samhand__V1__DeviationActionRequest *req;
    report_t *r;
    deviation_change_t change;
    const char *comment; /* what the history says of the step */
    char today[11], ack_due[11], answer_due[11];
    char note[TEXT_MAX_CHARS + 200];
} step_t;

/* A step's own rule: 0 to store its change, -1 having failed the call, 1
 * when it stored everything itself. */
typedef int step_fn(step_t *s);
static step_fn s_step_submit, s_step_acknowledge, s_step_request_information,
    s_step_give_information, s_step_respond, s_step_forward, s_step_reject, s_step_mark_duplicate,
    s_step_dispute, s_step_close, s_step_reopen;

/* The workflow: which step leads from which states to which, whose it is
 * to take, and its rule. The event of a step is no.samhand.deviation.<event>. */
static const struct {
    const char *method; /* bus method after "deviation." */
    const char *action; /* as the history and the URL say it */
    unsigned from;      /* bit per state */
    int to;
    int sides;
    const char *event;
    step_fn *take; /* NULL: the change of state alone */
} s_steps[] = {
    {"Submit", "submit", BIT(DRAFT), STATE(SUBMITTED), SIDE_REPORTER, "submitted", s_step_submit},
    {"Acknowledge", "acknowledge", BIT(SUBMITTED), STATE(AWAITING_RESPONSE), SIDE_RECEIVER,
     "acknowledged", s_step_acknowledge},
    {"RequestInformation", "request-information", BIT(AWAITING_RESPONSE),
     STATE(INFORMATION_REQUESTED), SIDE_RECEIVER, "information_requested",
     s_step_request_information},
    {"GiveInformation", "give-information", BIT(INFORMATION_REQUESTED), STATE(AWAITING_RESPONSE),
     SIDE_REPORTER, "information_given", s_step_give_information},
    {"Respond", "respond", BIT(AWAITING_RESPONSE), STATE(ANSWERED), SIDE_RECEIVER, "answered",
     s_step_respond},
    {"Forward", "forward", BIT(SUBMITTED) | BIT(AWAITING_RESPONSE), STATE(SUBMITTED), SIDE_RECEIVER,
     "forwarded", s_step_forward},
    {"Reject", "reject", BIT(SUBMITTED) | BIT(AWAITING_RESPONSE), STATE(REJECTED), SIDE_RECEIVER,
     "rejected", s_step_reject},
    {"MarkDuplicate", "mark-duplicate", BIT(SUBMITTED) | BIT(AWAITING_RESPONSE), STATE(DUPLICATE),
     SIDE_RECEIVER, "marked_duplicate", s_step_mark_duplicate},
    {"Dispute", "dispute", BIT(ANSWERED), STATE(DISPUTED), SIDE_REPORTER, "disputed",
     s_step_dispute},
    {"RequestAnalysis", "request-analysis", BIT(AWAITING_RESPONSE) | BIT(ANSWERED) | BIT(DISPUTED),
     STATE(ANALYSIS_REQUESTED), SIDE_REPORTER | SIDE_RECEIVER, "analysis_requested", NULL},
    {"Close", "close", BIT(ANSWERED) | BIT(DISPUTED) | BIT(ANALYSIS_REQUESTED), STATE(CLOSED),
     SIDE_REPORTER | SIDE_RECEIVER, "closed", s_step_close},
    {"Reopen", "reopen", BIT(CLOSED) | BIT(REJECTED) | BIT(DUPLICATE), STATE(AWAITING_RESPONSE),
     SIDE_REPORTER | SIDE_RECEIVER, "reopened", s_step_reopen},
};
#define STEPS (sizeof s_steps / sizeof s_steps[0])

static const char *s_state_name(int state)
{
    const ProtobufCEnumValue *v = protobuf_c_enum_descriptor_get_value(
        &samhand__v1__deviation_report__state__descriptor, state);
    return v ? v->name : "UNKNOWN";
}

/* ------------------------------------------------------------------ access */

static const char *s_caller_organization(bus_call_t *call)
{
    const Samhand__V1__Principal *p = call->envelope->principal;
    return p && p->organization_id ? p->organization_id : "";
}

/* Partnership-wide quality roles (and administrators) see every report. */
static bool s_quality(bus_call_t *call)
{
    static const char *const roles[] = {"quality", "administrator", NULL};
    return bus_call_has_role(call, roles);
}

static const char *s_caller_subject(bus_call_t *call)
{
    const Samhand__V1__Principal *p = call->envelope->principal;
    return p && p->subject ? p->subject : "";
}

/* Who may see a report: the one rule behind every read, the answer of every
 * change, every refusal (a report one may not see answers as one that does
 * not exist) and the audience of every event. While it is a draft, the
 * principal who wrote it alone; once submitted, its reporting and its
 * receiving organisation, and the partnership's quality roles. */
typedef struct {
    const char *organization_ids[2];
    size_t n_organization_ids;
    const char *subject;      /* only this principal, or NULL */
    bool is_seen_by_quality;  /* and quality roles, whatever their organisation */
    const char *organization; /* the organisation an event is for */
} s_audience_t;

static s_audience_t s_audience(const report_t *r)
{
    if (r->state == STATE(DRAFT))
        return (s_audience_t){.organization_ids = {r->reporting_organization_id},
                              .n_organization_ids = 1,
                              .subject = r->reporter_subject,
                              .organization = r->reporting_organization_id};
    return (s_audience_t){
        .organization_ids = {r->reporting_organization_id, r->receiving_organization_id},
        .n_organization_ids = 2,
        .is_seen_by_quality = true,
        .organization = r->receiving_organization_id};
}

/* The caller's sides of the report by that rule; 0: it may not see it. */
static int s_sides(bus_call_t *call, const report_t *r)
{
    s_audience_t a = s_audience(r);
    const char *org = s_caller_organization(call);
    const char *subject = s_caller_subject(call);
    if (a.subject) /* a draft: its reporter's alone, whoever else they are */
        return subject[0] && strcmp(subject, a.subject) == 0 ? SIDE_REPORTER : 0;
    int sides = a.is_seen_by_quality && s_quality(call) ? SIDE_QUALITY : 0;
    for (size_t i = 0; org[0] && i < a.n_organization_ids; i++) {
        if (strcmp(org, a.organization_ids[i]) != 0)
            continue;
        if (strcmp(org, r->reporting_organization_id) == 0)
            sides |= SIDE_REPORTER;
        if (strcmp(org, r->receiving_organization_id) == 0)
            sides |= SIDE_RECEIVER;
    }
    return sides;
}

/* Whether the caller may see the report `id` (false for no such report,
 * and when it cannot be read). */
static bool s_may_see(bus_call_t *call, const char *id)
{
    report_t *r = NULL;
    if (!check_uuid(id) || deviation_store_get(call->db, id, false, &r) != 0)
        return false;
    bool may = s_sides(call, r) != 0;
    protobuf_c_message_free_unpacked(&r->base, NULL);
    return may;
}

/* A string field set anew; an empty one of an unpacked message is
 * protobuf-c's shared empty string, not ours to free. */
static void s_replace(char **field, const char *value)
{
    if (*field != protobuf_c_empty_string)
        free(*field);
    *field = strdup(value);
}

/* The deadlines' status as of today: what the caller is shown, and what an
 * event carries (so a receiver or notify's reminders need not work it out). */
static void s_deadline_status(report_t *r)
{
    char today[11];
    deviation_today(today);
    Samhand__V1__Deadline *ack = r->acknowledge_deadline, *answer = r->answer_deadline;
    char date[11];
    if (ack && ack->due_date[0]) {
        if (r->acknowledge_time) {
            time_format_date(r->acknowledge_time->seconds, date); /* DD.MM.YYYY */
            char iso[11] = {date[6], date[7], date[8], date[9], '-', date[3],
                            date[4], '-',     date[0], date[1], '\0'};
            ack->status = strcmp(iso, ack->due_date) <= 0 ? SAMHAND__V1__DEADLINE__STATUS__MET
                                                          : SAMHAND__V1__DEADLINE__STATUS__MISSED;
        } else {
            ack->status = strcmp(today, ack->due_date) > 0 && r->state == STATE(SUBMITTED)
                              ? SAMHAND__V1__DEADLINE__STATUS__OVERDUE
                              : SAMHAND__V1__DEADLINE__STATUS__PENDING;
        }
    }
    if (answer && answer->due_date[0]) {
        if (r->answer_time) {
            time_format_date(r->answer_time->seconds, date);
            char iso[11] = {date[6], date[7], date[8], date[9], '-', date[3],
                            date[4], '-',     date[0], date[1], '\0'};
            answer->status = strcmp(iso, answer->due_date) <= 0
                                 ? SAMHAND__V1__DEADLINE__STATUS__MET
                                 : SAMHAND__V1__DEADLINE__STATUS__MISSED;
        } else if (answer->status != SAMHAND__V1__DEADLINE__STATUS__PAUSED) {
            bool open = r->state == STATE(SUBMITTED) || r->state == STATE(AWAITING_RESPONSE);
            answer->status = open && strcmp(today, answer->due_date) > 0
                                 ? SAMHAND__V1__DEADLINE__STATUS__OVERDUE
                                 : SAMHAND__V1__DEADLINE__STATUS__PENDING;
        }
    }
}

/* Deadlines as of today, the caller's next steps, and anonymity towards
 * the receiver. */
/* An anonymous report without who reported it: no name, no e-mail, no
 * principal on the reporting side's steps. */
static void s_hide_reporter(report_t *r)
{
    s_replace(&r->reporter_name, "");
    s_replace(&r->reporter_email, "");
    for (size_t i = 0; i < r->n_history; i++)
        if (r->history[i]->actor_organization_id[0] &&
            strcmp(r->history[i]->actor_organization_id, r->reporting_organization_id) == 0)
            s_replace(&r->history[i]->actor, "");
}

static void s_present(bus_call_t *call, report_t *r)
{
    s_deadline_status(r);
    int sides = s_sides(call, r);
    if (r->is_anonymous && !(sides & (SIDE_REPORTER | SIDE_QUALITY)))
        s_hide_reporter(r);
    r->allowed_actions = calloc(STEPS + 1, sizeof *r->allowed_actions);
    for (size_t i = 0; i < STEPS; i++)
        if ((s_steps[i].from & (1u << r->state)) && (sides & (s_steps[i].sides | SIDE_QUALITY)))
            r->allowed_actions[r->n_allowed_actions++] = strdup(s_steps[i].action);
    /* the report it duplicates, to those who may see that one */
    if (r->duplicate_of_id[0] && !s_may_see(call, r->duplicate_of_id))
        s_replace(&r->duplicate_of_id, "");
    s_replace(&r->reporter_subject, "");
}

/* Loads a report the caller may see; 404 for anyone else. */
/* Logs that the caller was shown these reports; a read that cannot be
 * logged is not given (0, or -1 having failed the call). */
static int s_log_reads(bus_call_t *call, const char *const *ids, size_t n, const char *how)
{
    if (n == 0)
        return 0;
    const Samhand__V1__Principal *p = call->envelope->principal;
    const char *org = s_caller_organization(call);
    if (deviation_store_reads_log(call->db, ids, n,
                                  p && p->subject && p->subject[0] ? p->subject : "(none)",
                                  org[0] ? org : NULL, how) != 0)
        return bus_call_fail_db(call, "log the read");
    return 0;
}

static int s_load(bus_call_t *call, const char *id, bool lock, report_t **out)
{
    int rc = check_uuid(id) ? deviation_store_get(call->db, id, lock, out) : 1;
    if (rc < 0)
        return bus_call_fail_db(call, "read deviation");
    if (rc == 0 && s_sides(call, *out) == 0) {
        protobuf_c_message_free_unpacked(&(*out)->base, NULL);
        *out = NULL;
        rc = 1;
    }
    if (rc > 0)
        return bus_call_fail(call, BUS_NOT_FOUND, "id", "deviation %s does not exist", id);
    return 0;
}

/* ---------------------------------------------------------------- checks */

/* Refuses any string field of `msg` that holds an identity number. Neither
 * the number nor the text around it is stored or logged: the answer names
 * the field and the position only. */
static int s_scan(bus_call_t *call, const ProtobufCMessage *msg)
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
            return bus_call_fail(call, BUS_INVALID_ARGUMENT, f->name,
                                 "%s holds what looks like a national identity number "
                                 "(fødselsnummer or D-number) at character %d, %d characters "
                                 "long; remove it, a deviation report must not identify the "
                                 "patient",
                                 f->name, at.position, at.length);
    }
    return 0;
}

static int s_check_form(bus_call_t *call, const Samhand__V1__CreateDeviationRequest *req)
{
    static const struct {
        const char *name;
        size_t max;
    } texts[] = {{"reporting_unit", SHORT_MAX_CHARS},
                 {"reporter_name", SHORT_MAX_CHARS},
                 {"actual_consequence", TEXT_MAX_CHARS},
                 {"possible_consequence", TEXT_MAX_CHARS},
                 {"description", TEXT_MAX_CHARS},
                 {"immediate_measures", TEXT_MAX_CHARS},
                 {"improvement_suggestion", TEXT_MAX_CHARS},
                 {"agreement_clause", SHORT_MAX_CHARS}};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        const ProtobufCFieldDescriptor *f =
            protobuf_c_message_descriptor_get_field_by_name(req->base.descriptor, texts[i].name);
        const char *text = *(char *const *)((const char *)req + f->offset);
        if (!check_empty(text) && !check_text(text, texts[i].max))
            return bus_call_fail(call, BUS_INVALID_ARGUMENT, texts[i].name,
                                 "%s must be text of at most %zu characters", texts[i].name,
                                 texts[i].max);
    }
    if (!check_empty(req->reporter_email) && !check_email(req->reporter_email))
        return bus_call_fail(call, BUS_INVALID_ARGUMENT, "reporter_email",
                             "reporter_email must be an e-mail address like name@example.no");
    if (!check_uuid(req->reporting_organization_id))
        return bus_call_fail(call, BUS_INVALID_ARGUMENT, "reporting_organization_id",
                             "reporting_organization_id is required (a UUID)");
    if (!check_uuid(req->receiving_organization_id))
        return bus_call_fail(call, BUS_INVALID_ARGUMENT, "receiving_organization_id",
                             "receiving_organization_id is required (a UUID)");
    if (strcmp(req->reporting_organization_id, req->receiving_organization_id) == 0)
        return bus_call_fail(call, BUS_INVALID_ARGUMENT, "receiving_organization_id",
                             "a deviation is between two parties: the receiver cannot be the "
                             "reporter");
    int64_t now = bus_now_ms() / 1000;
    if (req->occurred_time && req->occurred_time->seconds > now + 3600)
        return bus_call_fail(call, BUS_INVALID_ARGUMENT, "occurred_time",
                             "occurred_time lies in the future");
    if (req->discovered_time && req->discovered_time->seconds > now + 3600)
        return bus_call_fail(call, BUS_INVALID_ARGUMENT, "discovered_time",
                             "discovered_time lies in the future");
    if (req->occurred_time && req->discovered_time &&
        req->discovered_time->seconds < req->occurred_time->seconds)
        return bus_call_fail(call, BUS_INVALID_ARGUMENT, "discovered_time",
                             "discovered_time is before occurred_time");
    if (req->type && !protobuf_c_enum_descriptor_get_value(
                         &samhand__v1__deviation_report__type__descriptor, req->type))
        return bus_call_fail(call, BUS_INVALID_ARGUMENT, "type", "type has no value %d", req->type);
    if (req->category_code[0]) {
        int usable = deviation_store_category_usable(call->db, req->category_code);
        if (usable < 0)
            return bus_call_fail_db(call, "read categories");
        if (!usable)
            return bus_call_fail(call, BUS_INVALID_ARGUMENT, "category_code",
                                 "category_code %s is not in the code list; see "
                                 "/v1/deviation-categories",
                                 req->category_code);
    }
    return 0;
}

/* What a report needs before it goes to the receiver. */
static int s_check_complete(bus_call_t *call, const report_t *r)
{
    if (!r->type)
        return bus_call_fail(call, BUS_INVALID_ARGUMENT, "type", "type is required to submit");
    if (!r->category_code[0])
        return bus_call_fail(call, BUS_INVALID_ARGUMENT, "category_code",
                             "category_code is required to submit");
    if (!r->occurred_time)
        return bus_call_fail(call, BUS_INVALID_ARGUMENT, "occurred_time",
                             "occurred_time is required to submit");
    if (!r->description[0])
        return bus_call_fail(call, BUS_INVALID_ARGUMENT, "description",
                             "description is required to submit");
    return 0;
}

/* -------------------------------------------------------------- deadlines */

static void s_add_days(const char *from, int days, char out[11])
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
static bool s_all_may_see(db_t *db, const s_audience_t *a, const char *id)
{
    report_t *other = NULL;
    if (!check_uuid(id) || deviation_store_get(db, id, false, &other) != 0)
        return false;
    s_audience_t b = s_audience(other);
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

/* Appends the report's event for those who may see the report (s_audience)
 * and their systems: the whole report as the receiver may see it, so an
 * anonymous one without who reported it, and never who wrote it. */
static int s_append_event(db_t *db, const char *type, report_t *r)
{
    s_audience_t a = s_audience(r);
    db_audience_t to = {.organizations = a.organization_ids,
                        .n_organizations = a.n_organization_ids,
                        .subjects = a.subject ? &a.subject : NULL,
                        .n_subjects = a.subject ? 1 : 0};
    bool shows_duplicate = !r->duplicate_of_id[0] || s_all_may_see(db, &a, r->duplicate_of_id);
    if (!r->is_anonymous) { /* as it is, less what some may not see: no copy */
        char *subject = r->reporter_subject, *duplicate_of = r->duplicate_of_id;
        r->reporter_subject = (char *)protobuf_c_empty_string;
        if (!shows_duplicate)
            r->duplicate_of_id = (char *)protobuf_c_empty_string;
        int rc = db_outbox_append_for(db, type, r->id, a.organization, NULL, &to, &r->base);
        r->reporter_subject = subject;
        r->duplicate_of_id = duplicate_of;
        return rc;
    }
    size_t len = samhand__v1__deviation_report__get_packed_size(r);
    uint8_t *packed = malloc(len ? len : 1);
    assert(packed);
    samhand__v1__deviation_report__pack(r, packed);
    report_t *shown = samhand__v1__deviation_report__unpack(NULL, len, packed);
    free(packed);
    if (!shown)
        return -1;
    s_hide_reporter(shown);
    s_replace(&shown->reporter_subject, "");
    if (!shows_duplicate)
        s_replace(&shown->duplicate_of_id, "");
    int rc = db_outbox_append_for(db, type, shown->id, a.organization, NULL, &to, &shown->base);
    samhand__v1__deviation_report__free_unpacked(shown, NULL);
    return rc;
}

/* Commits the change with its event and replies with the report as the
 * caller may see it afterwards (the reply stored with the change for a
 * repeat). */
static int s_commit(bus_call_t *call, const char *id, const char *event)
{
    report_t *r = NULL;
    if (deviation_store_get(call->db, id, false, &r) != 0) {
        db_rollback(call->db);
        return bus_call_fail_db(call, "read deviation");
    }
    char type[96];
    snprintf(type, sizeof type, "no.samhand.deviation.%s", event);
    s_deadline_status(r);
    /* who on the reporting side of an anonymous report made a change is
     * not told either: the event says only the organisation */
    if (r->is_anonymous && (s_sides(call, r) & SIDE_REPORTER))
        db_set_actor(call->db, "anonymous", r->reporting_organization_id);
    int rc = s_append_event(call->db, type, r);
    if (rc == 0 && s_sides(call, r) == 0) {
        /* one who may no longer see it (having forwarded it) is told that
         * it went and where, which it said itself, and nothing more */
        report_t gone = SAMHAND__V1__DEVIATION_REPORT__INIT;
        gone.id = r->id;
        gone.state = r->state;
        gone.receiving_organization_id = r->receiving_organization_id;
        rc = bus_call_reply_before_commit(call, &gone.base);
    } else if (rc == 0) {
        s_present(call, r);
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

/* Submission: the reference, the deadlines from today by the rule in
 * force today (kept on the report: its settings version), the history
 * line. */
static int s_submit(bus_call_t *call, report_t *r, const char *comment)
{
    char today[11], ack_due[11], answer_due[11];
    deviation_today(today);
    Samhand__V1__PartnershipSettings *rule = NULL;
    if (deviation_settings_at(call->db, call->service, today, 0, &rule) != 0)
        return bus_call_fail_db(call, "read settings");
    deviation_rule_due(rule->acknowledge_deadline, today, ack_due);
    deviation_rule_due(rule->answer_deadline, today, answer_due);
    int version = rule->version;
    protobuf_c_message_free_unpacked(&rule->base, NULL);
    deviation_change_t change = {.state = "SUBMITTED",
                                 .acknowledge_due = ack_due[0] ? ack_due : NULL,
                                 .answer_due = answer_due,
                                 .set_submitted = true,
                                 .give_reference = true};
    if (deviation_store_change(call->db, r->id, &change) != 0 ||
        deviation_store_set_settings_version(call->db, r->id, version) != 0 ||
        deviation_store_transition(call->db, r->id, "submit", "DRAFT", "SUBMITTED", comment,
                                   s_caller_subject(call), s_caller_organization(call)) != 0)
        return bus_call_fail_db(call, "submit deviation");
    return 0;
}

int deviation_categories_list(bus_call_t *call)
{
    Samhand__V1__ListDeviationCategoriesResponse *list = NULL;
    if (deviation_store_categories(call->db, &list) != 0)
        return bus_call_fail_db(call, "list categories");
    bus_call_reply_free(call, &list->base);
    return 0;
}

int deviation_report_create(bus_call_t *call)
{
    const Samhand__V1__CreateDeviationRequest *req = (const void *)call->request;
    if (s_scan(call, &req->base) != 0 || s_check_form(call, req) != 0)
        return -1;
    /* one reports for one's own organisation */
    const char *org = s_caller_organization(call);
    if (!s_quality(call) && strcmp(org, req->reporting_organization_id) != 0)
        return bus_call_fail(call, BUS_PERMISSION_DENIED, "reporting_organization_id",
                             "you can report only for your own organization");
    char id[40];
    if (db_begin(call->db) != 0 ||
        deviation_store_insert(call->db, req, s_caller_subject(call), id) != 0)
        return bus_call_fail_db(call, "create deviation");
    if (req->submit) {
        report_t *r = NULL;
        if (deviation_store_get(call->db, id, true, &r) != 0)
            return bus_call_fail_db(call, "create deviation");
        int rc = s_check_complete(call, r);
        if (rc == 0)
            rc = s_submit(call, r, "");
        protobuf_c_message_free_unpacked(&r->base, NULL);
        if (rc != 0)
            return -1;
        return s_commit(call, id, "submitted");
    }
    return s_commit(call, id, "drafted");
}

int deviation_report_get(bus_call_t *call)
{
    const Samhand__V1__GetDeviationRequest *req = (const void *)call->request;
    report_t *r = NULL;
    if (s_load(call, req->id, false, &r) != 0)
        return -1;
    const char *ids[] = {r->id};
    if (s_log_reads(call, ids, 1, "GET") != 0) {
        protobuf_c_message_free_unpacked(&r->base, NULL);
        return -1;
    }
    s_present(call, r);
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
    const char *org = s_quality(call) ? (req->organization_id[0] ? req->organization_id : NULL)
                                      : s_caller_organization(call);
    if (!s_quality(call) && !org[0])
        return bus_call_fail(call, BUS_PERMISSION_DENIED, NULL,
                             "reports are seen by the organizations they concern");
    char today[11];
    deviation_today(today);
    Samhand__V1__ListDeviationsResponse *list = NULL;
    if (req->reference[0] && !check_text(req->reference, 32))
        return bus_call_fail(call, BUS_INVALID_ARGUMENT, "reference",
                             "reference is a report's reference like AVV-2026-0001");
    if (deviation_store_list(call->db, page, org, s_caller_subject(call), state, req->overdue,
                             today, req->reference[0] ? req->reference : NULL, &list) != 0)
        return bus_call_fail_db(call, "list deviations");
    const char **ids = calloc(list->n_items + 1, sizeof *ids);
    for (size_t i = 0; i < list->n_items; i++)
        ids[i] = list->items[i]->id;
    int logged = s_log_reads(call, ids, list->n_items, "LIST");
    free(ids);
    if (logged != 0) {
        protobuf_c_message_free_unpacked(&list->base, NULL);
        return -1;
    }
    for (size_t i = 0; i < list->n_items; i++)
        s_present(call, list->items[i]);
    bus_call_reply_free(call, &list->base);
    return 0;
}

int deviation_reads_list(bus_call_t *call)
{
    const Samhand__V1__ListDeviationReadsRequest *req = (const void *)call->request;
    if (!s_quality(call))
        return bus_call_fail(call, BUS_PERMISSION_DENIED, NULL,
                             "the access log is read by quality staff");
    int64_t after;
    int limit;
    if (bus_call_page(call, req->limit, req->cursor, &after, &limit) != 0)
        return -1;
    report_t *r = NULL;
    if (s_load(call, req->id, false, &r) != 0)
        return -1;
    protobuf_c_message_free_unpacked(&r->base, NULL);
    Samhand__V1__ListDeviationReadsResponse *list = NULL;
    if (deviation_store_reads_list(call->db, req->id, after, limit, &list) != 0)
        return bus_call_fail_db(call, "list reads");
    bus_call_reply_free(call, &list->base);
    return 0;
}

/* ------------------------------------------------------------------ steps */

static int s_step_submit(step_t *s)
{
    if (s_check_complete(s->call, s->r) != 0 || s_submit(s->call, s->r, s->req->comment) != 0)
        return -1;
    return 1;
}

static int s_step_acknowledge(step_t *s)
{
    s->change.set_acknowledged = true;
    return 0;
}

static int s_step_request_information(step_t *s)
{
    if (check_empty(s->req->comment))
        return bus_call_fail(s->call, BUS_INVALID_ARGUMENT, "comment",
                             "comment (what information is needed) is required");
    s->change.paused_on = s->today;
    return 0;
}

static int s_step_give_information(step_t *s)
{
    if (check_empty(s->req->comment))
        return bus_call_fail(s->call, BUS_INVALID_ARGUMENT, "comment",
                             "comment (the information) is required");
    /* the answer deadline moves by the working days it was paused */
    report_t *r = s->r;
    int paused = 0;
    for (size_t i = r->n_history; i-- > 0;)
        if (strcmp(r->history[i]->action, "request-information") == 0) {
            char since[11];
            time_format_date(r->history[i]->time->seconds, s->note);
            snprintf(since, sizeof since, "%.4s-%.2s-%.2s", s->note + 6, s->note + 3, s->note);
            paused = time_working_days_between(since, s->today);
            break;
        }
    s_add_days(r->answer_deadline->due_date, paused, s->answer_due);
    s->change.answer_due = s->answer_due;
    s->change.paused_on = "";
    return 0;
}

static int s_step_respond(step_t *s)
{
    if (check_empty(s->req->answer) || !check_text(s->req->answer, TEXT_MAX_CHARS))
        return bus_call_fail(s->call, BUS_INVALID_ARGUMENT, "answer", "answer is required");
    s->change.answer = s->req->answer;
    s->change.set_answered = true;
    return 0;
}

static int s_step_forward(step_t *s)
{
    report_t *r = s->r;
    const char *target = s->req->forward_to_organization_id;
    if (!check_uuid(target))
        return bus_call_fail(s->call, BUS_INVALID_ARGUMENT, "forward_to_organization_id",
                             "forward_to_organization_id is required (a UUID)");
    if (strcmp(target, r->receiving_organization_id) == 0 ||
        strcmp(target, r->reporting_organization_id) == 0)
        return bus_call_fail(s->call, BUS_INVALID_ARGUMENT, "forward_to_organization_id",
                             "forward to a party other than the reporter and the present receiver");
    /* a new receiver: the deadlines start again, by the rule the report
     * was submitted under; the history keeps the old */
    Samhand__V1__PartnershipSettings *rule = NULL;
    if (deviation_settings_at(s->call->db, s->call->service, s->today,
                              r->settings_version ? r->settings_version : 1, &rule) != 0)
        return bus_call_fail_db(s->call, "read settings");
    deviation_rule_due(rule->acknowledge_deadline, s->today, s->ack_due);
    deviation_rule_due(rule->answer_deadline, s->today, s->answer_due);
    protobuf_c_message_free_unpacked(&rule->base, NULL);
    s->change.receiving_organization_id = target;
    s->change.acknowledge_due = s->ack_due[0] ? s->ack_due : NULL;
    s->change.answer_due = s->answer_due;
    s->change.clear_acknowledged = true;
    snprintf(s->note, sizeof s->note, "Videresendt fra %s til %s.", r->receiving_organization_id,
             target);
    if (s->comment[0]) {
        size_t used = strlen(s->note);
        snprintf(s->note + used, sizeof s->note - used, " %s", s->comment);
    }
    s->comment = s->note;
    return 0;
}

static int s_step_reject(step_t *s)
{
    if (check_empty(s->req->reason) || !check_text(s->req->reason, TEXT_MAX_CHARS))
        return bus_call_fail(s->call, BUS_INVALID_ARGUMENT, "reason",
                             "reason (why this is not a cooperation deviation) is required");
    s->change.rejection_reason = s->req->reason;
    s->change.set_acknowledged = s->r->acknowledge_time == NULL;
    s->comment = s->req->reason;
    return 0;
}

static int s_step_mark_duplicate(step_t *s)
{
    /* one the caller may not see answers as one that does not exist */
    const char *other = s->req->duplicate_of_id;
    if (strcmp(other, s->r->id) == 0 || !s_may_see(s->call, other))
        return bus_call_fail(s->call, BUS_INVALID_ARGUMENT, "duplicate_of_id",
                             "duplicate_of_id must name another report");
    s->change.duplicate_of = other;
    s->change.set_acknowledged = s->r->acknowledge_time == NULL;
    return 0;
}

static int s_step_dispute(step_t *s)
{
    if (check_empty(s->req->comment))
        return bus_call_fail(s->call, BUS_INVALID_ARGUMENT, "comment",
                             "comment (why the answer is not accepted) is required");
    return 0;
}

static int s_step_close(step_t *s)
{
    s->change.set_closed = true;
    return 0;
}

static int s_step_reopen(step_t *s)
{
    s->change.clear_closed = true;
    s->change.clear_answered = true;
    return 0;
}

/* Fails the call with the steps the caller may take instead. */
static int s_refuse_step(bus_call_t *call, size_t step, const report_t *r, int sides)
{
    char allowed[300] = "";
    size_t used = 0;
    for (size_t i = 0; i < STEPS; i++)
        if ((s_steps[i].from & (1u << r->state)) && (sides & (s_steps[i].sides | SIDE_QUALITY)))
            used += (size_t)snprintf(allowed + used, sizeof allowed - used, "%s%s",
                                     used ? ", " : "", s_steps[i].action);
    return bus_call_fail(call, BUS_FAILED_PRECONDITION, "state",
                         "%s is not possible for you when the report is %s; allowed: %s",
                         s_steps[step].action, s_state_name(r->state), used ? allowed : "nothing");
}

/* Takes step `step` on the loaded report `s->r`: its rule, then the change
 * and its line in the history. 0, or -1 having failed the call. */
static int s_take_step(step_t *s, size_t step)
{
    report_t *r = s->r;
    int sides = s_sides(s->call, r);
    if (!(s_steps[step].from & (1u << r->state)) || !(sides & (s_steps[step].sides | SIDE_QUALITY)))
        return s_refuse_step(s->call, step, r, sides);
    const char *from = s_state_name(r->state);
    s->change.state = s_state_name(s_steps[step].to);
    int rc = s_steps[step].take ? s_steps[step].take(s) : 0;
    if (rc != 0)
        return rc > 0 ? 0 : -1;
    if (deviation_store_change(s->call->db, r->id, &s->change) != 0 ||
        deviation_store_transition(s->call->db, r->id, s_steps[step].action, from, s->change.state,
                                   s->comment, s_caller_subject(s->call),
                                   s_caller_organization(s->call)) != 0)
        return bus_call_fail_db(s->call, "change deviation");
    return 0;
}

int deviation_report_step(bus_call_t *call)
{
    const Samhand__V1__DeviationActionRequest *req = (const void *)call->request;
    const char *method = strchr(call->envelope->method, '.') + 1;
    size_t step = 0;
    while (step < STEPS && strcmp(s_steps[step].method, method) != 0)
        step++;
    assert(step < STEPS);
    if (s_scan(call, &req->base) != 0)
        return -1;
    if (!check_empty(req->comment) && !check_text(req->comment, TEXT_MAX_CHARS))
        return bus_call_fail(call, BUS_INVALID_ARGUMENT, "comment",
                             "comment must be text of at most %d characters", TEXT_MAX_CHARS);
    if (db_begin(call->db) != 0)
        return bus_call_fail_db(call, "change deviation");
    step_t *s = calloc(1, sizeof *s);
    s->call = call;
    s->req = req;
    s->comment = req->comment;
    deviation_today(s->today);
    if (s_load(call, req->id, true, &s->r) != 0) {
        free(s);
        return -1;
    }
    int rc = s_take_step(s, step);
    char id[40];
    snprintf(id, sizeof id, "%s", s->r->id);
    protobuf_c_message_free_unpacked(&s->r->base, NULL);
    free(s);
    if (rc != 0)
        return -1;
    return s_commit(call, id, s_steps[step].event);
}

int deviation_report_export(bus_call_t *call)
{
    const Samhand__V1__ExportDeviationRequest *req = (const void *)call->request;
    report_t *r = NULL;
    if (s_load(call, req->id, false, &r) != 0)
        return -1;
    const char *ids[] = {r->id};
    if (s_log_reads(call, ids, 1, "EXPORT") != 0) {
        protobuf_c_message_free_unpacked(&r->base, NULL);
        return -1;
    }
    s_present(call, r);
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
    report_t *r = NULL;
    if (deviation_store_get(db, id, false, &r) != 0)
        return -1;
    s_deadline_status(r);
    int rc = s_append_event(
        db, overdue ? "no.samhand.deviation.overdue" : "no.samhand.deviation.due_soon", r);
    protobuf_c_message_free_unpacked(&r->base, NULL);
    return rc;
}

void deviation_scheduler_run(db_t *db, void *context)
{
    char today[11], soon[11];
    deviation_today(today);
    s_add_days(today, 1, soon); /* due by the next working day */
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
