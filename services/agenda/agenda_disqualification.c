/* Disqualification (inhabilitet, fvl. § 6) for an item of a meeting: a
 * member declares it (or those who run the committee for them), those who
 * run the committee decide it. The reason is personal: it is answered to
 * the member and those who run the committee, and never carried by an
 * event. */
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
    if (agenda_check_required(call, "reason", req->reason, AGENDA_REASON_MAX_CHARS) != 0)
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
    int rc = why          ? bus_call_fail(call, BUS_FAILED_PRECONDITION, "state", "%s", why)
             : !on_agenda ? bus_call_fail(call, BUS_NOT_FOUND, "item_id",
                                          "agenda item %s is not on this meeting", req->item_id)
                          : agenda_attendance_acting_for(call, m->committee_id, req->person_id,
                                                         "person_id", person_id);
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
    if (agenda_attendance_reader_of(call, req->meeting_id, &runs, own) != 0)
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
