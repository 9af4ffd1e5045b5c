/* Who may see a deviation report, on which side, and what they are shown
 * of it: the one rule behind every read, refusal and event audience. */
#include "deviation_report.h"
#include "samhand_check.h"
#include "samhand_time.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ access */

const char *deviation_caller_organization(bus_call_t *call)
{
    const Samhand__V1__Principal *p = call->envelope->principal;
    return p && p->organization_id ? p->organization_id : "";
}

/* Partnership-wide quality roles (and administrators) see every report:
 * those made for no organisation. A party's quality staff (the role with
 * an organisation) are that party's: they see its reports, as its other
 * roles do, and neither another party's nor the steps of its counterpart. */
bool deviation_caller_is_quality(bus_call_t *call)
{
    return bus_call_holds_partnership_role(call, "quality") ||
           bus_call_holds_partnership_role(call, "administrator");
}

bool deviation_caller_is_leader(bus_call_t *call)
{
    static const char *const roles[] = {"leader", NULL};
    return bus_call_has_role(call, roles) && deviation_caller_organization(call)[0];
}

bool deviation_caller_is_partnership_quality(bus_call_t *call)
{
    return bus_call_holds_partnership_role(call, "quality");
}

bool deviation_sees_reporter(bus_call_t *call, const deviation_report_t *r, int sides)
{
    return !r->is_anonymous || (sides & DEVIATION_SIDE_REPORTER) ||
           ((sides & DEVIATION_SIDE_QUALITY) && deviation_caller_is_partnership_quality(call));
}

const char *deviation_caller_subject(bus_call_t *call)
{
    const Samhand__V1__Principal *p = call->envelope->principal;
    return p && p->subject ? p->subject : "";
}

deviation_audience_t deviation_audience(const deviation_report_t *r)
{
    if (r->state == STATE(DRAFT))
        return (deviation_audience_t){.organization_ids = {r->reporting_organization_id},
                                      .n_organization_ids = 1,
                                      .subject = r->reporter_subject,
                                      .organization = r->reporting_organization_id};
    /* with its leader: the receiver sees nothing of it before approval */
    if (r->state == STATE(IN_REVIEW))
        return (deviation_audience_t){.organization_ids = {r->reporting_organization_id},
                                      .n_organization_ids = 1,
                                      .organization = r->reporting_organization_id};
    deviation_audience_t a = {
        .organization_ids = {r->reporting_organization_id, r->receiving_organization_id},
        .n_organization_ids = 2,
        .is_seen_by_quality = true,
        .organization = r->receiving_organization_id};
    /* the receivers it passed through, once each (it may come back to one) */
    for (size_t i = 0;
         i < r->n_previous_receiving_organization_ids &&
         a.n_organization_ids < sizeof a.organization_ids / sizeof a.organization_ids[0];
         i++) {
        const char *org = r->previous_receiving_organization_ids[i];
        bool known = false;
        for (size_t j = 0; j < a.n_organization_ids; j++)
            known |= strcmp(org, a.organization_ids[j]) == 0;
        if (!known)
            a.organization_ids[a.n_organization_ids++] = org;
    }
    return a;
}

/* The caller's sides of the report by that rule; 0: it may not see it. */
int deviation_sides(bus_call_t *call, const deviation_report_t *r)
{
    deviation_audience_t a = deviation_audience(r);
    const char *org = deviation_caller_organization(call);
    const char *subject = deviation_caller_subject(call);
    if (a.subject) /* a draft: its reporter's alone, whoever else they are */
        return subject[0] && strcmp(subject, a.subject) == 0 ? DEVIATION_SIDE_REPORTER : 0;
    int sides =
        a.is_seen_by_quality && deviation_caller_is_quality(call) ? DEVIATION_SIDE_QUALITY : 0;
    for (size_t i = 0; org[0] && i < a.n_organization_ids; i++) {
        if (strcmp(org, a.organization_ids[i]) != 0)
            continue;
        if (strcmp(org, r->reporting_organization_id) == 0)
            sides |= DEVIATION_SIDE_REPORTER |
                     (deviation_caller_is_leader(call) ? DEVIATION_SIDE_REVIEWER : 0);
        if (strcmp(org, r->receiving_organization_id) == 0)
            sides |= DEVIATION_SIDE_RECEIVER;
        else if (strcmp(org, r->reporting_organization_id) != 0)
            sides |= DEVIATION_SIDE_PASSED;
    }
    return sides;
}

/* Whether the caller may see the report `id` (false for no such report,
 * and when it cannot be read). */
bool deviation_may_see(bus_call_t *call, const char *id)
{
    deviation_report_t *r = NULL;
    if (!check_uuid(id) || deviation_store_get(call->db, id, false, &r) != 0)
        return false;
    bool may = deviation_sides(call, r) != 0;
    protobuf_c_message_free_unpacked(&r->base, NULL);
    return may;
}

/* A string field set anew; an empty one of an unpacked message is
 * protobuf-c's shared empty string, not ours to free. */
void deviation_replace_text(char **field, const char *value)
{
    if (*field != protobuf_c_empty_string)
        free(*field);
    *field = strdup(value);
}

/* The deadlines' status as of today: what the caller is shown, and what an
 * event carries (so a receiver or notify's reminders need not work it out). */
void deviation_deadline_status(deviation_report_t *r)
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

/* An anonymous report without who reported it: no name, no e-mail, no
 * principal on the reporting side's steps. */
void deviation_hide_reporter(deviation_report_t *r)
{
    deviation_replace_text(&r->reporter_name, "");
    deviation_replace_text(&r->reporter_email, "");
    for (size_t i = 0; i < r->n_history; i++)
        if (r->history[i]->actor_organization_id[0] &&
            strcmp(r->history[i]->actor_organization_id, r->reporting_organization_id) == 0)
            deviation_replace_text(&r->history[i]->actor, "");
}

/* Deadlines as of today, the caller's next steps, and anonymity towards
 * every receiving organisation. */
void deviation_present(bus_call_t *call, deviation_report_t *r)
{
    deviation_deadline_status(r);
    int sides = deviation_sides(call, r);
    if (!deviation_sees_reporter(call, r, sides))
        deviation_hide_reporter(r);
    /* the leader's word to the writer is the reporting organisation's own
     * (and may name who wrote it): the steps show, not what it said */
    if (!(sides & DEVIATION_SIDE_REPORTER))
        for (size_t i = 0; i < r->n_history; i++)
            if (strcmp(r->history[i]->action, "return") == 0)
                deviation_replace_text(&r->history[i]->comment, "");
    deviation_steps_allowed(r, sides);
    /* the report it duplicates, to those who may see that one */
    if (r->duplicate_of_id[0] && !deviation_may_see(call, r->duplicate_of_id))
        deviation_replace_text(&r->duplicate_of_id, "");
    deviation_replace_text(&r->reporter_subject, "");
}

/* Logs that the caller was shown these reports, and a REPORTER read of
 * each anonymous one whose reporter it is shown from outside its reporting
 * side; a read that cannot be logged is not given (0, or -1 having failed
 * the call). */
int deviation_log_reads(bus_call_t *call, deviation_report_t *const *reports, size_t n,
                        const char *how)
{
    if (n == 0)
        return 0;
    const Samhand__V1__Principal *p = call->envelope->principal;
    const char *org = deviation_caller_organization(call);
    const char *subject = p && p->subject && p->subject[0] ? p->subject : "(none)";
    const char **ids = calloc(n + 1, sizeof *ids), **revealed = calloc(n + 1, sizeof *revealed);
    size_t n_revealed = 0;
    for (size_t i = 0; i < n; i++) {
        ids[i] = reports[i]->id;
        int sides = deviation_sides(call, reports[i]);
        if (reports[i]->is_anonymous && !(sides & DEVIATION_SIDE_REPORTER) &&
            deviation_sees_reporter(call, reports[i], sides))
            revealed[n_revealed++] = reports[i]->id;
    }
    int rc = deviation_store_reads_log(call->db, ids, n, subject, org[0] ? org : NULL, how);
    if (rc == 0 && n_revealed)
        rc = deviation_store_reads_log(call->db, revealed, n_revealed, subject, org[0] ? org : NULL,
                                       "REPORTER");
    free(ids);
    free(revealed);
    if (rc != 0)
        return bus_call_fail_db(call, "log the read");
    return 0;
}

int deviation_log_read(bus_call_t *call, const char *id, const char *how)
{
    const char *ids[] = {id};
    const char *org = deviation_caller_organization(call);
    if (deviation_store_reads_log(call->db, ids, 1, deviation_caller_subject(call),
                                  org[0] ? org : NULL, how) != 0)
        return bus_call_fail_db(call, "log the read");
    return 0;
}

/* Loads a report the caller may see; 404 for anyone else. */
int deviation_load(bus_call_t *call, const char *id, bool lock, deviation_report_t **out)
{
    int rc = check_uuid(id) ? deviation_store_get(call->db, id, lock, out) : 1;
    if (rc < 0)
        return bus_call_fail_db(call, "read deviation");
    if (rc == 0 && deviation_sides(call, *out) == 0) {
        protobuf_c_message_free_unpacked(&(*out)->base, NULL);
        *out = NULL;
        rc = 1;
    }
    if (rc > 0)
        return bus_call_fail(call, BUS_NOT_FOUND, "id", "deviation %s does not exist", id);
    return 0;
}
