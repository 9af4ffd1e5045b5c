/* The workflow of a deviation report: each step's states, side and event
 * in one table whose rows carry the step's own rule, and the taking of a
 * step with its line in the history. */
#include "deviation_report.h"
#include "deviation_rules.h"
#include "samhand_check.h"
#include "samhand_time.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One step being taken: what it asks, the report as it stands, and the
 * change the step's rule fills in before it is stored. */
typedef struct {
    bus_call_t *call;
    const Samhand__V1__DeviationActionRequest *req;
    deviation_report_t *r;
    deviation_change_t change;
    const char *comment; /* what the history says of the step */
    const char *event;   /* the event's name when the step's rule chose another */
    char today[11], ack_due[11], answer_due[11];
    char note[DEVIATION_TEXT_MAX_CHARS + 200];
} step_t;

/* A step's own rule: 0 to store its change, -1 having failed the call, 1
 * when it stored everything itself. */
typedef int step_fn(step_t *s);
static step_fn s_step_submit, s_step_acknowledge, s_step_request_information,
    s_step_give_information, s_step_respond, s_step_forward, s_step_reject, s_step_mark_duplicate,
    s_step_dispute, s_step_close, s_step_reopen, s_step_approve, s_step_return;

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
    {"Submit", "submit", BIT(DRAFT), STATE(SUBMITTED), DEVIATION_SIDE_REPORTER, "submitted",
     s_step_submit},
    {"Acknowledge", "acknowledge", BIT(SUBMITTED), STATE(AWAITING_RESPONSE),
     DEVIATION_SIDE_RECEIVER, "acknowledged", s_step_acknowledge},
    {"RequestInformation", "request-information", BIT(AWAITING_RESPONSE),
     STATE(INFORMATION_REQUESTED), DEVIATION_SIDE_RECEIVER, "information_requested",
     s_step_request_information},
    {"GiveInformation", "give-information", BIT(INFORMATION_REQUESTED), STATE(AWAITING_RESPONSE),
     DEVIATION_SIDE_REPORTER, "information_given", s_step_give_information},
    {"Respond", "respond", BIT(AWAITING_RESPONSE), STATE(ANSWERED), DEVIATION_SIDE_RECEIVER,
     "answered", s_step_respond},
    {"Forward", "forward", BIT(SUBMITTED) | BIT(AWAITING_RESPONSE), STATE(SUBMITTED),
     DEVIATION_SIDE_RECEIVER, "forwarded", s_step_forward},
    {"Reject", "reject", BIT(SUBMITTED) | BIT(AWAITING_RESPONSE), STATE(REJECTED),
     DEVIATION_SIDE_RECEIVER, "rejected", s_step_reject},
    {"MarkDuplicate", "mark-duplicate", BIT(SUBMITTED) | BIT(AWAITING_RESPONSE), STATE(DUPLICATE),
     DEVIATION_SIDE_RECEIVER, "marked_duplicate", s_step_mark_duplicate},
    {"Dispute", "dispute", BIT(ANSWERED), STATE(DISPUTED), DEVIATION_SIDE_REPORTER, "disputed",
     s_step_dispute},
    {"RequestAnalysis", "request-analysis", BIT(AWAITING_RESPONSE) | BIT(ANSWERED) | BIT(DISPUTED),
     STATE(ANALYSIS_REQUESTED), DEVIATION_SIDE_REPORTER | DEVIATION_SIDE_RECEIVER,
     "analysis_requested", NULL},
    {"Close", "close", BIT(ANSWERED) | BIT(DISPUTED) | BIT(ANALYSIS_REQUESTED), STATE(CLOSED),
     DEVIATION_SIDE_REPORTER | DEVIATION_SIDE_RECEIVER, "closed", s_step_close},
    {"Reopen", "reopen", BIT(CLOSED) | BIT(REJECTED) | BIT(DUPLICATE), STATE(AWAITING_RESPONSE),
     DEVIATION_SIDE_REPORTER | DEVIATION_SIDE_RECEIVER, "reopened", s_step_reopen},
    /* leader review: the leader of the reporting organisation sends it on
     * (then it is submitted to the receiver) or back to its writer */
    {"Approve", "approve", BIT(IN_REVIEW), STATE(SUBMITTED), DEVIATION_SIDE_REVIEWER, "submitted",
     s_step_approve},
    {"Return", "return", BIT(IN_REVIEW), STATE(DRAFT), DEVIATION_SIDE_REVIEWER, "returned",
     s_step_return},
};
#define STEPS (sizeof s_steps / sizeof s_steps[0])

/* The steps the caller, on `sides` of it, may take on `r` now, into
 * r->allowed_actions (freed with the report). */
void deviation_steps_allowed(Samhand__V1__DeviationReport *r, int sides)
{
    r->allowed_actions = calloc(STEPS + 1, sizeof *r->allowed_actions);
    for (size_t i = 0; i < STEPS; i++)
        if ((s_steps[i].from & (1u << r->state)) &&
            (sides & (s_steps[i].sides | DEVIATION_SIDE_QUALITY)))
            r->allowed_actions[r->n_allowed_actions++] = strdup(s_steps[i].action);
}

/* ------------------------------------------------------------------ steps */

static int s_step_submit(step_t *s)
{
    if (deviation_check_complete(s->call, s->r) != 0 ||
        deviation_submit(s->call, s->r, "submit", s->req->comment, &s->event) != 0)
        return -1;
    return 1;
}

static int s_step_approve(step_t *s)
{
    /* a leader's review is another's: the writer does not approve their own */
    const char *subject = deviation_caller_subject(s->call);
    if (subject[0] && s->r->reporter_subject && strcmp(subject, s->r->reporter_subject) == 0)
        return bus_call_fail(s->call, BUS_PERMISSION_DENIED, NULL,
                             "a report is approved by a leader other than its writer");
    if (deviation_check_complete(s->call, s->r) != 0 ||
        deviation_submit(s->call, s->r, "approve", s->req->comment, &s->event) != 0)
        return -1;
    return 1;
}

static int s_step_return(step_t *s)
{
    if (check_empty(s->req->comment))
        return bus_call_fail(s->call, BUS_INVALID_ARGUMENT, "comment",
                             "comment (what the writer should change) is required");
    return 0;
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
    deviation_report_t *r = s->r;
    int paused = 0;
    for (size_t i = r->n_history; i-- > 0;)
        if (strcmp(r->history[i]->action, "request-information") == 0) {
            char since[11];
            time_format_date(r->history[i]->time->seconds, s->note);
            snprintf(since, sizeof since, "%.4s-%.2s-%.2s", s->note + 6, s->note + 3, s->note);
            paused = time_working_days_between(since, s->today);
            break;
        }
    deviation_add_days(r->answer_deadline->due_date, paused, s->answer_due);
    s->change.answer_due = s->answer_due;
    s->change.paused_on = "";
    return 0;
}

static int s_step_respond(step_t *s)
{
    if (check_empty(s->req->answer) || !check_text(s->req->answer, DEVIATION_TEXT_MAX_CHARS))
        return bus_call_fail(s->call, BUS_INVALID_ARGUMENT, "answer", "answer is required");
    s->change.answer = s->req->answer;
    s->change.set_answered = true;
    return 0;
}

static int s_step_forward(step_t *s)
{
    deviation_report_t *r = s->r;
    const char *target = s->req->forward_to_organization_id;
    if (!check_uuid(target))
        return bus_call_fail(s->call, BUS_INVALID_ARGUMENT, "forward_to_organization_id",
                             "forward_to_organization_id is required (a UUID)");
    if (strcmp(target, r->receiving_organization_id) == 0 ||
        strcmp(target, r->reporting_organization_id) == 0)
        return bus_call_fail(s->call, BUS_INVALID_ARGUMENT, "forward_to_organization_id",
                             "forward to a party other than the reporter and the present receiver");
    if (r->n_previous_receiving_organization_ids >= DEVIATION_FORWARDS_MAX)
        return bus_call_fail(s->call, BUS_FAILED_PRECONDITION, "forward_to_organization_id",
                             "a report is forwarded at most %d times; answer or reject it",
                             DEVIATION_FORWARDS_MAX);
    /* a joint analysis is its two parties' record: forwarded, the report
     * would take it to a third and out of the hands that wrote it */
    Samhand__V1__JointAnalysis *analysis = NULL;
    int has_analysis = deviation_store_analysis_get(s->call->db, r->id, false, &analysis);
    if (has_analysis < 0)
        return bus_call_fail_db(s->call, "read analysis");
    if (has_analysis == 0) {
        protobuf_c_message_free_unpacked(&analysis->base, NULL);
        return bus_call_fail(s->call, BUS_FAILED_PRECONDITION, "forward_to_organization_id",
                             "a report with a joint analysis stays with the two parties that "
                             "write it: it is not forwarded");
    }
    /* the receiver it leaves keeps reading it, with its history */
    if (deviation_store_forward_record(s->call->db, r->id, r->receiving_organization_id) != 0)
        return bus_call_fail_db(s->call, "record the forwarding");
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
    if (check_empty(s->req->reason) || !check_text(s->req->reason, DEVIATION_TEXT_MAX_CHARS))
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
    if (strcmp(other, s->r->id) == 0 || !deviation_may_see(s->call, other))
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
    /* to the committee the partnership names for disputes, if any */
    return deviation_dispute_open(s->call, s->r, s->today);
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
static int s_refuse_step(bus_call_t *call, size_t step, const deviation_report_t *r, int sides)
{
    char allowed[300] = "";
    size_t used = 0;
    for (size_t i = 0; i < STEPS; i++)
        if ((s_steps[i].from & (1u << r->state)) &&
            (sides & (s_steps[i].sides | DEVIATION_SIDE_QUALITY)))
            used += (size_t)snprintf(allowed + used, sizeof allowed - used, "%s%s",
                                     used ? ", " : "", s_steps[i].action);
    return bus_call_fail(call, BUS_FAILED_PRECONDITION, "state",
                         "%s is not possible for you when the report is %s; allowed: %s",
                         s_steps[step].action, deviation_state_name(r->state),
                         used ? allowed : "nothing");
}

/* Takes step `step` on the loaded report `s->r`: its rule, then the change
 * and its line in the history. 0, or -1 having failed the call. */
static int s_take_step(step_t *s, size_t step)
{
    deviation_report_t *r = s->r;
    int sides = deviation_sides(s->call, r);
    if (!(s_steps[step].from & (1u << r->state)) ||
        !(sides & (s_steps[step].sides | DEVIATION_SIDE_QUALITY)))
        return s_refuse_step(s->call, step, r, sides);
    const char *from = deviation_state_name(r->state);
    s->change.state = deviation_state_name(s_steps[step].to);
    int rc = s_steps[step].take ? s_steps[step].take(s) : 0;
    if (rc != 0)
        return rc > 0 ? 0 : -1;
    if (deviation_store_change(s->call->db, r->id, &s->change) != 0 ||
        deviation_store_transition(s->call->db, r->id, s_steps[step].action, from, s->change.state,
                                   s->comment, deviation_caller_subject(s->call),
                                   deviation_caller_organization(s->call)) != 0)
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
    if (deviation_scan(call, &req->base) != 0)
        return -1;
    if (!check_empty(req->comment) && !check_text(req->comment, DEVIATION_TEXT_MAX_CHARS))
        return bus_call_fail(call, BUS_INVALID_ARGUMENT, "comment",
                             "comment must be text of at most %d characters",
                             DEVIATION_TEXT_MAX_CHARS);
    if (db_begin(call->db) != 0)
        return bus_call_fail_db(call, "change deviation");
    step_t *s = calloc(1, sizeof *s);
    s->call = call;
    s->req = req;
    s->comment = req->comment;
    deviation_today(s->today);
    if (deviation_load(call, req->id, true, &s->r) != 0) {
        free(s);
        return -1;
    }
    int rc = s_take_step(s, step);
    char id[40];
    snprintf(id, sizeof id, "%s", s->r->id);
    protobuf_c_message_free_unpacked(&s->r->base, NULL);
    const char *event = s->event ? s->event : s_steps[step].event; /* static strings */
    free(s);
    if (rc != 0)
        return -1;
    return deviation_commit(call, id, event);
}
