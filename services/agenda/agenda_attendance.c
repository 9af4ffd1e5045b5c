/* A meeting's seats before it is held: who acts at them (the member as
 * themselves, by the person whose principalSubject the caller is, or those
 * who run the committee for them), deputies in order of rank, the seats,
 * and the member's own coming meetings. A member's absence and its
 * call-ups are in agenda_absence.c, disqualification in
 * agenda_disqualification.c. */
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

/* ------------------------------------------------------------ who acts */

int agenda_attendance_caller(bus_call_t *call, char person_id[40])
{
    person_id[0] = '\0';
    if (!agenda_caller_known(call))
        return 0;
    int rc = agenda_store_person_of(call->db, call->envelope->principal->subject, person_id);
    if (rc < 0)
        return bus_call_fail_db(call, "read person");
    return 0;
}

int agenda_attendance_acting_for(bus_call_t *call, const char *committee_id, const char *asked,
                                 const char *field, char person_id[40])
{
    char own[40];
    if (agenda_attendance_caller(call, own) != 0)
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

int agenda_attendance_reader_of(bus_call_t *call, const char *meeting_id, bool *runs, char own[40])
{
    Samhand__V1__Meeting *m = NULL;
    if (agenda_meeting_load(call, meeting_id, false, &m) != 0)
        return -1;
    *runs = agenda_caller_standing(call, m->committee_id) == AGENDA_STANDING_RUNS;
    protobuf_c_message_free_unpacked(&m->base, NULL);
    return agenda_attendance_caller(call, own);
}

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

/* ------------------------------------------------------------ seats */

int agenda_seat_list(bus_call_t *call)
{
    const Samhand__V1__ListSeatsRequest *req = (const void *)call->request;
    bool runs = false;
    char own[40];
    if (agenda_attendance_reader_of(call, req->meeting_id, &runs, own) != 0)
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

/* ------------------------------------------------------------ the member's own */

int agenda_my_meetings(bus_call_t *call)
{
    char own[40];
    if (agenda_attendance_caller(call, own) != 0)
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
