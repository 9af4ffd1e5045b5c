/* A meeting's seats before it is held: deputies in order of rank, a
 * member's absence (forfall) with the deputies called up one after the
 * other, possible disqualification (inhabilitet, fvl. § 6) for an item, and
 * the member's own coming meetings. Who acts: the member as themselves (by
 * the person whose principalSubject the caller is), or those who run the
 * committee for them; a call-up is answered by its deputy alone. A reason
 * is personal: it is answered to the member and those who run the
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

#define REASON_MAX_CHARS 2000

/* ------------------------------------------------------------ deputies */

int agenda_deputy_apply(bus_call_t *call, Samhand__V1__Membership **m, const char *for_person_id,
                        const char *for_organization_id, int rank)
{
    bool has_person = !check_empty(for_person_id), has_org = !check_empty(for_organization_id);
    if (agenda_check_ref(call, "deputy_for_person_id", for_person_id, false) != 0 ||
        agenda_check_ref(call, "deputy_for_organization_id", for_organization_id, false) != 0)
        return -1;
    if (rank < 0 || rank > 99)
        return bus_call_fail(call, BUS_INVALID_ARGUMENT, "deputy_rank",
                             "deputy_rank is the deputy's place in the order, 1 to 99");
    bool clears = !has_person && !has_org && rank == 0;
    if (clears && !(*m)->deputy_for_person_id[0] && !(*m)->deputy_for_organization_id[0] &&
        (*m)->deputy_rank == 0)
        return 0; /* nothing of a deputy's, before or after */
    if (clears)
        goto store;
    if ((*m)->role != SAMHAND__V1__MEMBERSHIP__ROLE__DEPUTY)
        return bus_call_fail(call, BUS_INVALID_ARGUMENT,
                             has_person ? "deputy_for_person_id"
                             : has_org  ? "deputy_for_organization_id"
                                        : "deputy_rank",
                             "only a deputy (role DEPUTY) stands in for someone");
    if (has_person && has_org)
        return bus_call_fail(call, BUS_INVALID_ARGUMENT, "deputy_for_organization_id",
                             "a deputy stands in for one member (deputy_for_person_id) or for "
                             "an organisation's seat (deputy_for_organization_id), not both");
    if (!has_person && !has_org)
        return bus_call_fail(call, BUS_INVALID_ARGUMENT, "deputy_for_person_id",
                             "deputy_rank needs whom the deputy stands in for: "
                             "deputy_for_person_id or deputy_for_organization_id");
    if (rank == 0)
        return bus_call_fail(call, BUS_INVALID_ARGUMENT, "deputy_rank",
                             "deputy_rank (1 for 1. vara, 2 for 2. vara, …) is required for a "
                             "deputy who stands in for someone");
    if (has_person && strcmp(for_person_id, (*m)->person_id) == 0)
        return bus_call_fail(call, BUS_INVALID_ARGUMENT, "deputy_for_person_id",
                             "a deputy does not stand in for themselves");
store:;
    char rank_text[16];
    snprintf(rank_text, sizeof rank_text, "%d", rank);
    Samhand__V1__Membership *stored = NULL;
    int rc = agenda_store_membership_set_deputy(
        call->db, (*m)->committee_id, (*m)->id, has_person ? for_person_id : NULL,
        has_org ? for_organization_id : NULL, clears ? NULL : rank_text, &stored);
    if (rc < 0) {
        if (strcmp(db_sqlstate(call->db), "23503") == 0)
            return bus_call_fail(call, BUS_INVALID_ARGUMENT,
                                 has_person ? "deputy_for_person_id" : "deputy_for_organization_id",
                                 has_person ? "person %s does not exist"
                                            : "organization %s does not exist",
                                 has_person ? for_person_id : for_organization_id);
        return bus_call_fail_db(call, "set deputy");
    }
    if (rc > 0)
        return bus_call_fail(call, BUS_NOT_FOUND, "id", "membership %s does not exist", (*m)->id);
    protobuf_c_message_free_unpacked(&(*m)->base, NULL);
    *m = stored;
    return 0;
}

/* ------------------------------------------------------------ who acts */

/* The person the caller signs in as into person_id ("" when none). */
static int s_caller_person(bus_call_t *call, char person_id[40])
{
    person_id[0] = '\0';
    if (!agenda_caller_known(call))
        return 0;
    int rc = agenda_store_person_of(call->db, call->envelope->principal->subject, person_id);
    if (rc < 0)
        return bus_call_fail_db(call, "read person");
    return 0;
}

/* Whom the caller acts for: `asked` (a person id, or "" for themselves)
 * into person_id, when it is the caller themselves or the caller runs the
 * committee. 0, or -1 after failing: 400 when the caller is no person and
 * names none, 403 naming `field` for someone else's. */
static int s_acting_for(bus_call_t *call, const char *committee_id, const char *asked,
                        const char *field, char person_id[40])
{
    char own[40];
    if (s_caller_person(call, own) != 0)
        return -1;
    if (check_empty(asked)) {
        if (!own[0])
            return bus_call_fail(call, BUS_INVALID_ARGUMENT, field,
                                 "%s is required: the credential is no person's (a person's "
                                 "principalSubject)",
                                 field);
        snprintf(person_id, 40, "%s", own);
        return 0;
    }
    if (agenda_check_ref(call, field, asked, true) != 0)
        return -1;
    if (strcmp(asked, own) != 0 &&
        agenda_caller_standing(call, committee_id) != AGENDA_STANDING_RUNS)
        return bus_call_fail(call, BUS_PERMISSION_DENIED, field,
                             "only the member themselves, the committee's secretary and chair, "
                             "the secretariat of the organisation that runs it and "
                             "administrators may do this for a member");
    snprintf(person_id, 40, "%s", asked);
    return 0;
}

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
    if (agenda_check_optional(call, "reason", req->reason, REASON_MAX_CHARS) != 0)
        return -1;
    Samhand__V1__Meeting *m = NULL;
    char person_id[40], id[40];
    if (db_begin(call->db) != 0)
        return bus_call_fail_db(call, "report absence");
    if (s_coming(call, req->meeting_id, &m) != 0)
        return -1;
    int rc = s_acting_for(call, m->committee_id, req->person_id, "person_id", person_id);
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
    if (rc == 0 && s_caller_person(call, own) != 0)
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
    ProtobufCMessage *event = s_absence_event(a);
    int rc = 0;
    if (!event)
        rc = bus_call_fail(call, BUS_INTERNAL, NULL, "out of memory");
    else if (db_outbox_append(call->db,
                              called == 0 ? "no.samhand.absence.deputy_called"
                                          : "no.samhand.absence.no_deputy_left",
                              a->id, NULL, a->committee_id, event) != 0)
        rc = bus_call_fail_db(call, "record the change");
    if (event)
        protobuf_c_message_free_unpacked(event, NULL);
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
        ProtobufCMessage *event = s_absence_event(a);
        if (!event)
            rc = bus_call_fail(call, BUS_INTERNAL, NULL, "out of memory");
        else if (db_outbox_append(call->db, type, a->id, NULL, a->committee_id, event) != 0)
            rc = bus_call_fail_db(call, "record the change");
        if (event)
            protobuf_c_message_free_unpacked(event, NULL);
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
    if (rc < 0 || (rc == 0 && s_caller_person(call, own) != 0)) {
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

/* ------------------------------------------------------------ seats */

/* Who reads a meeting's seats or declarations: whether the caller runs
 * its committee (*runs: all of them), and the caller's own person (own:
 * theirs alone). 0, or -1 after failing (404 for a meeting not there). */
static int s_reader_of(bus_call_t *call, const char *meeting_id, bool *runs, char own[40])
{
    Samhand__V1__Meeting *m = NULL;
    if (agenda_meeting_load(call, meeting_id, false, &m) != 0)
        return -1;
    *runs = agenda_caller_standing(call, m->committee_id) == AGENDA_STANDING_RUNS;
    protobuf_c_message_free_unpacked(&m->base, NULL);
    return s_caller_person(call, own);
}

int agenda_seat_list(bus_call_t *call)
{
    const Samhand__V1__ListSeatsRequest *req = (const void *)call->request;
    bool runs = false;
    char own[40];
    if (s_reader_of(call, req->meeting_id, &runs, own) != 0)
        return -1;
    Samhand__V1__ListSeatsResponse *list = NULL;
    if (agenda_store_seats(call->db, req->meeting_id, &list) != 0)
        return bus_call_fail_db(call, "list seats");
    /* those who run the committee follow every seat; a member their own */
    size_t kept = 0;
    for (size_t i = 0; i < list->n_items; i++) {
        Samhand__V1__Seat *s = list->items[i];
        if (runs || strcmp(s->person_id, own) == 0)
            list->items[kept++] = s;
        else
            protobuf_c_message_free_unpacked(&s->base, NULL);
    }
    list->n_items = kept;
    bus_call_reply_free(call, &list->base);
    return 0;
}

/* ------------------------------------------------------------ disqualification */

static ProtobufCMessage *s_disqualification_event(const Samhand__V1__Disqualification *d)
{
    Samhand__V1__Disqualification *copy = (Samhand__V1__Disqualification *)agenda_copy(&d->base);
    if (copy)
        agenda_text_replace(&copy->reason, "");
    return copy ? &copy->base : NULL;
}

static int s_disqualification_commit(bus_call_t *call, Samhand__V1__Disqualification *d,
                                     const char *type)
{
    ProtobufCMessage *event = s_disqualification_event(d);
    int rc = event ? agenda_commit_reply(call, type, d->id, NULL, d->committee_id, event, &d->base)
                   : bus_call_fail(call, BUS_INTERNAL, NULL, "out of memory");
    if (event)
        protobuf_c_message_free_unpacked(event, NULL);
    protobuf_c_message_free_unpacked(&d->base, NULL);
    return rc;
}

int agenda_disqualification_declare(bus_call_t *call)
{
    const Samhand__V1__DeclareDisqualificationRequest *req = (const void *)call->request;
    if (agenda_check_required(call, "reason", req->reason, REASON_MAX_CHARS) != 0)
        return -1;
    Samhand__V1__Meeting *m = NULL;
    if (db_begin(call->db) != 0)
        return bus_call_fail_db(call, "declare disqualification");
    if (agenda_meeting_load(call, req->meeting_id, true, &m) != 0)
        return -1;
    const char *why = NULL;
    if (m->state == SAMHAND__V1__MEETING__STATE__DRAFT)
        why = "the notice of the meeting has not gone out";
    else if (m->state != SAMHAND__V1__MEETING__STATE__NOTICE_PUBLISHED &&
             m->state != SAMHAND__V1__MEETING__STATE__HELD)
        why = "the minutes are approved, or the meeting cancelled";
    bool on_agenda = false;
    for (size_t i = 0; i < m->n_items && !on_agenda; i++)
        on_agenda = strcmp(m->items[i]->id, req->item_id) == 0 && !m->items[i]->is_withdrawn &&
                    m->items[i]->kind != SAMHAND__V1__AGENDA_ITEM__KIND__BREAK;
    char person_id[40], meeting_id[40], id[40];
    snprintf(meeting_id, sizeof meeting_id, "%s", m->id);
    int rc = why ? bus_call_fail(call, BUS_FAILED_PRECONDITION, "state", "%s", why)
             : !on_agenda
                 ? bus_call_fail(call, BUS_NOT_FOUND, "item_id",
                                 "agenda item %s is not on this meeting", req->item_id)
                 : s_acting_for(call, m->committee_id, req->person_id, "person_id", person_id);
    protobuf_c_message_free_unpacked(&m->base, NULL);
    if (rc != 0)
        return -1;
    rc = agenda_store_seat_held(call->db, meeting_id, person_id);
    if (rc < 0)
        return bus_call_fail_db(call, "declare disqualification");
    if (rc == 0)
        return bus_call_fail(call, BUS_INVALID_ARGUMENT, "person_id",
                             "person %s holds no seat of the committee on the meeting's day",
                             person_id);
    rc = agenda_store_disqualification_insert(call->db, req->item_id, person_id, req->reason, id);
    if (rc < 0)
        return bus_call_fail_db(call, "declare disqualification");
    if (rc > 0)
        return bus_call_fail(call, BUS_ALREADY_EXISTS, "item_id",
                             "person %s has declared this item already", person_id);
    Samhand__V1__Disqualification *d = NULL;
    if (agenda_store_disqualification_get(call->db, meeting_id, id, &d) != 0)
        return bus_call_fail_db(call, "declare disqualification");
    return s_disqualification_commit(call, d, "no.samhand.disqualification.declared");
}

int agenda_disqualification_decide(bus_call_t *call)
{
    const Samhand__V1__DecideDisqualificationRequest *req = (const void *)call->request;
    bool bad = false;
    const char *decision =
        agenda_enum_name(call, "decision", &samhand__v1__disqualification__decision__descriptor,
                         req->decision, &bad);
    if (bad)
        return -1;
    if (!decision)
        return bus_call_fail(call, BUS_INVALID_ARGUMENT, "decision",
                             "decision is required: DISQUALIFIED or NOT_DISQUALIFIED");
    Samhand__V1__Meeting *m = NULL;
    Samhand__V1__Disqualification *d = NULL;
    if (db_begin(call->db) != 0)
        return bus_call_fail_db(call, "decide disqualification");
    if (agenda_meeting_load(call, req->meeting_id, true, &m) != 0)
        return -1;
    int rc = agenda_scope_check(call, m->committee_id);
    bool frozen = m->state == SAMHAND__V1__MEETING__STATE__MINUTES_APPROVED ||
                  m->state == SAMHAND__V1__MEETING__STATE__CANCELLED;
    protobuf_c_message_free_unpacked(&m->base, NULL);
    if (rc != 0)
        return -1;
    if (frozen)
        return bus_call_fail(call, BUS_FAILED_PRECONDITION, "state",
                             "the minutes are approved, or the meeting cancelled");
    rc = check_uuid(req->id)
             ? agenda_store_disqualification_get(call->db, req->meeting_id, req->id, &d)
             : 1;
    if (rc < 0)
        return bus_call_fail_db(call, "decide disqualification");
    if (rc > 0)
        return bus_call_fail(call, BUS_NOT_FOUND, "id", "declaration %s does not exist", req->id);
    protobuf_c_message_free_unpacked(&d->base, NULL);
    if (agenda_store_disqualification_decide(call->db, req->id, decision) != 0 ||
        agenda_store_disqualification_get(call->db, req->meeting_id, req->id, &d) != 0)
        return bus_call_fail_db(call, "decide disqualification");
    return s_disqualification_commit(call, d, "no.samhand.disqualification.decided");
}

int agenda_disqualification_list(bus_call_t *call)
{
    const Samhand__V1__ListDisqualificationsRequest *req = (const void *)call->request;
    bool runs = false;
    char own[40];
    if (s_reader_of(call, req->meeting_id, &runs, own) != 0)
        return -1;
    Samhand__V1__ListDisqualificationsResponse list =
        SAMHAND__V1__LIST_DISQUALIFICATIONS_RESPONSE__INIT;
    /* the secretary sees every declaration; a member their own (none
     * without a person) */
    if (!runs && !own[0]) {
        bus_call_reply(call, &list.base);
        return 0;
    }
    Samhand__V1__ListDisqualificationsResponse *out = malloc(sizeof *out);
    if (!out)
        return bus_call_fail(call, BUS_INTERNAL, NULL, "out of memory");
    *out = list;
    if (agenda_store_disqualifications(call->db, req->meeting_id, runs ? NULL : own, &out->base,
                                       "items") != 0) {
        free(out);
        return bus_call_fail_db(call, "list disqualifications");
    }
    bus_call_reply_free(call, &out->base);
    return 0;
}

/* ------------------------------------------------------------ the member's own */

int agenda_my_meetings(bus_call_t *call)
{
    char own[40];
    if (s_caller_person(call, own) != 0)
        return -1;
    Samhand__V1__ListMyMeetingsResponse *list = malloc(sizeof *list);
    if (!list)
        return bus_call_fail(call, BUS_INTERNAL, NULL, "out of memory");
    samhand__v1__list_my_meetings_response__init(list);
    char **ids = NULL;
    size_t n = 0;
    int rc = own[0] ? agenda_store_my_meetings(call->db, own, &ids, &n) : 0;
    if (rc != 0) {
        protobuf_c_message_free_unpacked(&list->base, NULL);
        return bus_call_fail_db(call, "list my meetings");
    }
    list->person_id = strdup(own);
    list->items = calloc(n ? n : 1, sizeof *list->items);
    list->committee_ids = calloc(n ? n : 1, sizeof *list->committee_ids);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        Samhand__V1__MyMeeting *mine = malloc(sizeof *mine);
        samhand__v1__my_meeting__init(mine);
        list->items[list->n_items++] = mine;
        if (agenda_meeting_read(call, ids[i], 0, &mine->meeting, NULL, NULL) != 0) {
            rc = -1;
            break;
        }
        const char *committee_id = mine->meeting->committee_id;
        bool known = false;
        for (size_t k = 0; k < list->n_committee_ids && !known; k++)
            known = strcmp(list->committee_ids[k], committee_id) == 0;
        if (!known)
            list->committee_ids[list->n_committee_ids++] = strdup(committee_id);
        Samhand__V1__Committee *committee = NULL;
        if (agenda_store_committee_get(call->db, committee_id, &committee) == 0) {
            mine->committee_name = strdup(committee->name);
            protobuf_c_message_free_unpacked(&committee->base, NULL);
        }
        Samhand__V1__ListSeatsResponse *seats = NULL;
        if (agenda_store_seats(call->db, ids[i], &seats) != 0 ||
            agenda_store_call_ups_of(call->db, ids[i], own, &mine->base, "call_ups") != 0 ||
            agenda_store_disqualifications(call->db, ids[i], own, &mine->base,
                                           "disqualifications") != 0) {
            if (seats)
                protobuf_c_message_free_unpacked(&seats->base, NULL);
            rc = bus_call_fail_db(call, "list my meetings");
            break;
        }
        for (size_t s = 0; s < seats->n_items && !mine->seat; s++)
            if (strcmp(seats->items[s]->person_id, own) == 0) {
                mine->seat = seats->items[s];
                seats->items[s] = seats->items[--seats->n_items];
            }
        protobuf_c_message_free_unpacked(&seats->base, NULL);
    }
    for (size_t i = 0; i < n; i++)
        free(ids[i]);
    free(ids);
    if (rc != 0) {
        protobuf_c_message_free_unpacked(&list->base, NULL);
        return -1;
    }
    bus_call_reply_free(call, &list->base);
    return 0;
}
