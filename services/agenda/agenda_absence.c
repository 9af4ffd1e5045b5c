/* A member's absence (forfall) from a coming meeting, with the deputies
 * called up one after the other: reported and withdrawn by the member or
 * those who run the committee, a call-up answered by its deputy alone,
 * and the call-ups ended when the meeting is cancelled or moved. The
 * reason is personal: it is answered to the member and those who run the
 * committee, and never carried by an event. */
#include "agenda_attendance.h"
#include "agenda_checks.h"
#include "agenda_meeting.h"
#include "agenda_scope.h"
#include "agenda_server.h"
#include "agenda_store_attendance.h"
#include "samhand_check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ------------------------------------------------------------ absences */

/* A coming meeting whose notice is out, locked: 0, or -1 after failing. */
static int s_coming(bus_call_t *call, const char *id, Samhand__V1__Meeting **out)
{
    if (agenda_meeting_load(call, id, true, out) != 0)
        return -1;
    const Samhand__V1__Meeting *m = *out;
    const char *why = NULL, *field = "state";
    if (m->state != SAMHAND__V1__MEETING__STATE__NOTICE_PUBLISHED)
        why = m->state == SAMHAND__V1__MEETING__STATE__DRAFT
                  ? "the notice of the meeting has not gone out"
              : m->state == SAMHAND__V1__MEETING__STATE__CANCELLED
                  ? "the meeting is cancelled: its call-ups have ended and its absences no "
                    "longer count"
                  : "the meeting is no longer to come";
    else if (m->start_time && (int64_t)time(NULL) >= m->start_time->seconds)
        why = "the meeting has begun", field = "start_time";
    if (!why)
        return 0;
    protobuf_c_message_free_unpacked(&(*out)->base, NULL);
    *out = NULL;
    return bus_call_fail(call, BUS_FAILED_PRECONDITION, field, "%s", why);
}

/* What an event of an absence carries: the absence without its reason. */
static ProtobufCMessage *s_absence_event(const Samhand__V1__Absence *a)
{
    Samhand__V1__Absence *copy = (Samhand__V1__Absence *)agenda_copy(&a->base);
    if (copy)
        agenda_text_replace(&copy->reason, "");
    return copy ? &copy->base : NULL;
}

/* Appends the event `type` of the absence (s_absence_event) to the
 * outbox. 0, or -1 after failing. */
static int s_absence_append(bus_call_t *call, const char *type, const Samhand__V1__Absence *a)
{
    ProtobufCMessage *event = s_absence_event(a);
    int rc = 0;
    if (!event)
        rc = bus_call_fail(call, BUS_INTERNAL, NULL, "out of memory");
    else if (db_outbox_append(call->db, type, a->id, NULL, a->committee_id, event) != 0)
        rc = bus_call_fail_db(call, "record the change");
    if (event)
        protobuf_c_message_free_unpacked(event, NULL);
    return rc;
}

/* Appends `type` for the absence, then (`last`) the event of what calling
 * the next deputy gave, and commits replying with the absence. */
static int s_absence_commit(bus_call_t *call, Samhand__V1__Absence *a, const char *type, int called)
{
    ProtobufCMessage *event = s_absence_event(a);
    if (!event)
        return bus_call_fail(call, BUS_INTERNAL, NULL, "out of memory");
    const char *next = called == 0   ? "no.samhand.absence.deputy_called"
                       : called == 1 ? "no.samhand.absence.no_deputy_left"
                                     : NULL;
    int rc = 0;
    if (next) {
        rc = db_outbox_append(call->db, type, a->id, NULL, a->committee_id, event);
        type = next;
    }
    if (rc != 0)
        rc = bus_call_fail_db(call, "record the change");
    else
        rc = agenda_commit_reply(call, type, a->id, NULL, a->committee_id, event, &a->base);
    protobuf_c_message_free_unpacked(event, NULL);
    protobuf_c_message_free_unpacked(&a->base, NULL);
    return rc;
}

/* Whether any deputy was ever called for the absence. */
static bool s_any_called(const Samhand__V1__Absence *a)
{
    return a->n_call_ups > 0;
}

int agenda_absence_report(bus_call_t *call)
{
    const Samhand__V1__ReportAbsenceRequest *req = (const void *)call->request;
    if (agenda_check_optional(call, "reason", req->reason, AGENDA_REASON_MAX_CHARS) != 0)
        return -1;
    Samhand__V1__Meeting *m = NULL;
    char person_id[40], id[40];
    if (db_begin(call->db) != 0)
        return bus_call_fail_db(call, "report absence");
    if (s_coming(call, req->meeting_id, &m) != 0)
        return -1;
    int rc =
        agenda_attendance_acting_for(call, m->committee_id, req->person_id, "person_id", person_id);
    char meeting_id[40];
    snprintf(meeting_id, sizeof meeting_id, "%s", m->id);
    protobuf_c_message_free_unpacked(&m->base, NULL);
    if (rc != 0)
        return -1;
    rc = agenda_store_seat_held(call->db, meeting_id, person_id);
    if (rc < 0)
        return bus_call_fail_db(call, "report absence");
    if (rc == 0)
        return bus_call_fail(call, BUS_INVALID_ARGUMENT, "person_id",
                             "person %s holds no seat of the committee on the meeting's day "
                             "(chair, vice chair or member)",
                             person_id);
    rc = agenda_store_absence_insert(call->db, meeting_id, person_id,
                                     req->reason ? req->reason : "", id);
    if (rc < 0)
        return bus_call_fail_db(call, "report absence");
    if (rc > 0)
        return bus_call_fail(call, BUS_ALREADY_EXISTS, "person_id",
                             "the absence of person %s from this meeting is reported already",
                             person_id);
    int called = agenda_store_call_next(call->db, id);
    Samhand__V1__Absence *a = NULL;
    if (called < 0 || agenda_store_absence_get(call->db, meeting_id, id, &a) != 0)
        return bus_call_fail_db(call, "report absence");
    /* a member without deputies is absent; nobody was called, so none is left */
    return s_absence_commit(call, a, "no.samhand.absence.reported",
                            called == 1 && !s_any_called(a) ? -1 : called);
}

/* The absence of the request's meeting, when the caller is its member or
 * runs the committee; anyone else is told it does not exist. */
static int s_absence_of(bus_call_t *call, const char *meeting_id, const char *id,
                        Samhand__V1__Absence **out)
{
    int rc = check_uuid(meeting_id) && check_uuid(id)
                 ? agenda_store_absence_get(call->db, meeting_id, id, out)
                 : 1;
    if (rc < 0)
        return bus_call_fail_db(call, "read absence");
    char own[40] = "";
    if (rc == 0 && agenda_attendance_caller(call, own) != 0)
        return -1;
    if (rc == 0 && strcmp(own, (*out)->person_id) != 0 &&
        agenda_caller_standing(call, (*out)->committee_id) != AGENDA_STANDING_RUNS)
        rc = 1;
    if (rc == 0)
        return 0;
    if (*out)
        protobuf_c_message_free_unpacked(&(*out)->base, NULL);
    *out = NULL;
    return bus_call_fail(call, BUS_NOT_FOUND, "id", "absence %s does not exist", id);
}

int agenda_absence_withdraw(bus_call_t *call)
{
    const Samhand__V1__WithdrawAbsenceRequest *req = (const void *)call->request;
    Samhand__V1__Meeting *m = NULL;
    Samhand__V1__Absence *a = NULL;
    if (db_begin(call->db) != 0)
        return bus_call_fail_db(call, "withdraw absence");
    if (s_absence_of(call, req->meeting_id, req->id, &a) != 0)
        return -1;
    protobuf_c_message_free_unpacked(&a->base, NULL);
    if (s_coming(call, req->meeting_id, &m) != 0)
        return -1;
    protobuf_c_message_free_unpacked(&m->base, NULL);
    int rc = agenda_store_absence_withdraw(call->db, req->meeting_id, req->id);
    if (rc < 0)
        return bus_call_fail_db(call, "withdraw absence");
    if (rc > 0)
        return bus_call_fail(call, BUS_FAILED_PRECONDITION, "id", "absence %s is withdrawn already",
                             req->id);
    if (agenda_store_absence_get(call->db, req->meeting_id, req->id, &a) != 0)
        return bus_call_fail_db(call, "withdraw absence");
    return s_absence_commit(call, a, "no.samhand.absence.withdrawn", -1);
}

/* ------------------------------------------------------------ call-ups */

/* Keeps of the absence's call-ups those `ended` names for it. */
static void s_keep_ended(Samhand__V1__Absence *a, const agenda_ended_call_up_t *ended, size_t n)
{
    size_t kept = 0;
    for (size_t i = 0; i < a->n_call_ups; i++) {
        bool is_ended = false;
        for (size_t k = 0; k < n && !is_ended; k++)
            is_ended = strcmp(ended[k].id, a->call_ups[i]->id) == 0;
        if (is_ended)
            a->call_ups[kept++] = a->call_ups[i];
        else
            protobuf_c_message_free_unpacked(&a->call_ups[i]->base, NULL);
    }
    a->n_call_ups = kept;
}

/* A moved meeting's absence still stands: the first deputy by rank who
 * has not declined is called for the new time (the one whose call-up
 * ended, asked again), or none is left. 0, or -1 after failing. */
static int s_call_again(bus_call_t *call, const char *meeting_id, const char *absence_id)
{
    int called = agenda_store_call_next(call->db, absence_id);
    Samhand__V1__Absence *a = NULL;
    if (called < 0 || agenda_store_absence_get(call->db, meeting_id, absence_id, &a) != 0)
        return bus_call_fail_db(call, "call the next deputy");
    int rc = s_absence_append(
        call,
        called == 0 ? "no.samhand.absence.deputy_called" : "no.samhand.absence.no_deputy_left", a);
    protobuf_c_message_free_unpacked(&a->base, NULL);
    return rc;
}

int agenda_call_ups_end(bus_call_t *call, const char *meeting_id, bool is_cancelled)
{
    agenda_ended_call_up_t *ended = NULL;
    size_t n = 0;
    if (agenda_store_call_ups_end(call->db, meeting_id, &ended, &n) != 0)
        return bus_call_fail_db(call, "end call-ups");
    const char *type =
        is_cancelled ? "no.samhand.absence.meeting_cancelled" : "no.samhand.absence.meeting_moved";
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        bool is_first = true; /* one event an absence */
        for (size_t k = 0; k < i && is_first; k++)
            is_first = strcmp(ended[k].absence_id, ended[i].absence_id) != 0;
        if (!is_first)
            continue;
        Samhand__V1__Absence *a = NULL;
        if (agenda_store_absence_get(call->db, meeting_id, ended[i].absence_id, &a) != 0) {
            rc = bus_call_fail_db(call, "end call-ups");
            break;
        }
        s_keep_ended(a, ended, n);
        rc = s_absence_append(call, type, a);
        protobuf_c_message_free_unpacked(&a->base, NULL);
        if (rc == 0 && !is_cancelled)
            rc = s_call_again(call, meeting_id, ended[i].absence_id);
    }
    free(ended);
    return rc;
}

/* Answers a call-up as its deputy: `state` ACCEPTED or DECLINED. A call-up
 * of anyone else answers 404 as one that does not exist. */
static int s_answer(bus_call_t *call, const char *state, const char *type)
{
    const Samhand__V1__AnswerCallUpRequest *req = (const void *)call->request;
    Samhand__V1__CallUp *c = NULL;
    char own[40];
    if (db_begin(call->db) != 0)
        return bus_call_fail_db(call, "answer call-up");
    int rc = check_uuid(req->id) ? agenda_store_call_up_get(call->db, req->id, &c) : 1;
    if (rc < 0 || (rc == 0 && agenda_attendance_caller(call, own) != 0)) {
        if (c)
            protobuf_c_message_free_unpacked(&c->base, NULL);
        return rc < 0 ? bus_call_fail_db(call, "answer call-up") : -1;
    }
    if (rc == 0 && strcmp(own, c->deputy_person_id) != 0) {
        protobuf_c_message_free_unpacked(&c->base, NULL);
        rc = 1;
    }
    if (rc > 0)
        return bus_call_fail(call, BUS_NOT_FOUND, "id", "call-up %s does not exist", req->id);
    char meeting_id[40], absence_id[40];
    snprintf(meeting_id, sizeof meeting_id, "%s", c->meeting_id);
    snprintf(absence_id, sizeof absence_id, "%s", c->absence_id);
    protobuf_c_message_free_unpacked(&c->base, NULL);
    Samhand__V1__Meeting *m = NULL;
    if (s_coming(call, meeting_id, &m) != 0)
        return -1;
    protobuf_c_message_free_unpacked(&m->base, NULL);
    rc = agenda_store_call_up_answer(call->db, req->id, state);
    if (rc < 0)
        return bus_call_fail_db(call, "answer call-up");
    if (rc > 0)
        return bus_call_fail(call, BUS_FAILED_PRECONDITION, "state",
                             "the call-up is answered already, its absence withdrawn, or it "
                             "ended when the meeting was moved");
    int called = -1;
    if (strcmp(state, "DECLINED") == 0 &&
        (called = agenda_store_call_next(call->db, absence_id)) < 0)
        return bus_call_fail_db(call, "call the next deputy");
    Samhand__V1__Absence *a = NULL;
    if (agenda_store_absence_get(call->db, meeting_id, absence_id, &a) != 0)
        return bus_call_fail_db(call, "answer call-up");
    /* the deputy is answered with the absence as a deputy may read it */
    agenda_text_replace(&a->reason, "");
    return s_absence_commit(call, a, type, called);
}

int agenda_call_up_accept(bus_call_t *call)
{
    return s_answer(call, "ACCEPTED", "no.samhand.absence.deputy_accepted");
}

int agenda_call_up_decline(bus_call_t *call)
{
    return s_answer(call, "DECLINED", "no.samhand.absence.deputy_declined");
}
