/* Emergencies: an emergency committee (beredskaps-ASU) opens a crisis
 * series, calls meetings whose notice goes out at once with the notice
 * period waived, logs situation reports and decisions, and closes the
 * series when the emergency ends. */
#include "agenda_checks.h"
#include "agenda_meeting.h"
#include "agenda_scope.h"
#include "agenda_server.h"
#include "samhand_check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TITLE_MAX_CHARS 200
#define TEXT_MAX_CHARS 10000

static int s_not_found(bus_call_t *call, const char *id)
{
    return bus_call_fail(call, BUS_NOT_FOUND, "id", "emergency %s does not exist", id);
}

static const char *s_author(bus_call_t *call)
{
    const Samhand__V1__Principal *p = call->envelope->principal;
    return p && p->subject ? p->subject : "";
}

/* Loads an open series for a change; 0 or -1 after failing. */
static int s_open_series(bus_call_t *call, const char *id, Samhand__V1__Emergency **out)
{
    if (!check_uuid(id))
        return s_not_found(call, id);
    if (db_begin(call->db) != 0)
        return bus_call_fail_db(call, "change emergency");
    int rc = agenda_store_emergency_get(call->db, id, true, out);
    if (rc < 0)
        return bus_call_fail_db(call, "read emergency");
    if (rc > 0)
        return s_not_found(call, id);
    if (agenda_scope_check(call, (*out)->committee_id) != 0) {
        protobuf_c_message_free_unpacked(&(*out)->base, NULL);
        *out = NULL;
        return -1;
    }
    if (!(*out)->is_open) {
        protobuf_c_message_free_unpacked(&(*out)->base, NULL);
        *out = NULL;
        return bus_call_fail(call, BUS_FAILED_PRECONDITION, "id", "the emergency is closed");
    }
    return 0;
}

static int s_commit(bus_call_t *call, const char *id, const char *type)
{
    Samhand__V1__Emergency *e = NULL;
    if (agenda_store_emergency_get(call->db, id, false, &e) != 0) {
        db_rollback(call->db);
        return bus_call_fail_db(call, "read emergency");
    }
    return agenda_commit(call, type, e->id, NULL, e->committee_id, &e->base);
}

/* The request's committee: 0 with whether it is an emergency committee,
 * or -1 after a 404 naming committee_id. */
static int s_committee(bus_call_t *call, const char *id, bool *is_emergency)
{
    Samhand__V1__Committee *committee = NULL;
    int rc = check_uuid(id) ? agenda_store_committee_get(call->db, id, &committee) : 1;
    if (rc < 0)
        return bus_call_fail_db(call, "read committee");
    if (rc > 0)
        return bus_call_fail(call, BUS_NOT_FOUND, "committee_id", "committee %s does not exist",
                             id);
    *is_emergency = committee->kind == SAMHAND__V1__COMMITTEE__KIND__EMERGENCY;
    protobuf_c_message_free_unpacked(&committee->base, NULL);
    return 0;
}

int agenda_emergency_open(bus_call_t *call)
{
    const Samhand__V1__OpenEmergencyRequest *req = (const void *)call->request;
    if (agenda_check_required(call, "title", req->title, TITLE_MAX_CHARS) != 0 ||
        agenda_check_optional(call, "description", req->description, TEXT_MAX_CHARS) != 0)
        return -1;
    bool emergency = false;
    if (s_committee(call, req->committee_id, &emergency) != 0)
        return -1;
    if (agenda_scope_check(call, req->committee_id) != 0)
        return -1;
    if (!emergency)
        return bus_call_fail(call, BUS_INVALID_ARGUMENT, "committee_id",
                             "only an emergency committee opens an emergency");
    char id[40];
    if (db_begin(call->db) != 0 ||
        agenda_store_emergency_insert(call->db, req->committee_id, req->title, req->description,
                                      id) != 0) {
        if (strcmp(db_sqlstate(call->db), "23505") == 0)
            return bus_call_fail(call, BUS_FAILED_PRECONDITION, "committee_id",
                                 "the committee has an open emergency already");
        return bus_call_fail_db(call, "open emergency");
    }
    /* the event is the alert: members learn of it at once */
    return s_commit(call, id, "no.samhand.emergency.opened");
}

int agenda_emergency_get(bus_call_t *call)
{
    const Samhand__V1__GetEmergencyRequest *req = (const void *)call->request;
    Samhand__V1__Emergency *e = NULL;
    int rc = check_uuid(req->id) ? agenda_store_emergency_get(call->db, req->id, false, &e) : 1;
    if (rc < 0)
        return bus_call_fail_db(call, "read emergency");
    if (rc > 0)
        return s_not_found(call, req->id);
    bus_call_reply_free(call, &e->base);
    return 0;
}

int agenda_emergency_list(bus_call_t *call)
{
    const Samhand__V1__ListEmergenciesRequest *req = (const void *)call->request;
    agenda_page_t page;
    if (agenda_page(call, req->limit, req->cursor, &page) != 0)
        return -1;
    bool emergency;
    if (s_committee(call, req->committee_id, &emergency) != 0)
        return -1;
    Samhand__V1__ListEmergenciesResponse *list = NULL;
    if (agenda_store_emergency_list(call->db, page, req->committee_id, &list) != 0)
        return bus_call_fail_db(call, "list emergencies");
    bus_call_reply_free(call, &list->base);
    return 0;
}

int agenda_emergency_meeting(bus_call_t *call)
{
    const Samhand__V1__CallEmergencyMeetingRequest *req = (const void *)call->request;
    if (!req->start_time || !req->end_time)
        return bus_call_fail(call, BUS_INVALID_ARGUMENT,
                             req->start_time ? "end_time" : "start_time", "%s is required",
                             req->start_time ? "end_time" : "start_time");
    int64_t start = req->start_time->seconds, end = req->end_time->seconds;
    if (end <= start || end - start > 24 * 3600)
        return bus_call_fail(call, BUS_INVALID_ARGUMENT, "end_time",
                             "end_time must be after start_time, at most 24 hours later");
    if (check_empty(req->place) && check_empty(req->online_url))
        return bus_call_fail(call, BUS_INVALID_ARGUMENT, "place",
                             "a crisis meeting needs a place or an online link");
    if (agenda_check_optional(call, "place", req->place, 200) != 0 ||
        agenda_check_optional(call, "online_url", req->online_url, 500) != 0)
        return -1;

    Samhand__V1__Emergency *e = NULL;
    if (s_open_series(call, req->emergency_id, &e) != 0)
        return -1;
    int rc = -1;
    Samhand__V1__Meeting *m = NULL;
    Samhand__V1__Committee *committee = NULL;
    char starts[24], ends[24], meeting_id[40] = "", minutes[24];
    snprintf(starts, sizeof starts, "%lld", (long long)start);
    snprintf(ends, sizeof ends, "%lld", (long long)end);
    snprintf(minutes, sizeof minutes, "%lld", (long long)((end - start) / 60));
    agenda_meeting_fields_t fields = {
        .committee_id = e->committee_id,
        .kind = "EMERGENCY",
        .title = e->title,
        .place = req->place,
        .online_url = req->online_url,
        .starts_at = starts,
        .ends_at = ends,
    };
    agenda_item_fields_t item = {
        .kind = "ORIENTATION",
        .title = "Situasjonsrapport og tiltak",
        .duration_min = minutes,
        .is_exempt = "f",
    };
    if (agenda_store_meeting_insert(call->db, &fields, &m) != 0) {
        bus_call_fail_db(call, "call crisis meeting");
        goto done;
    }
    snprintf(meeting_id, sizeof meeting_id, "%s", m->id);
    protobuf_c_message_free_unpacked(&m->base, NULL);
    m = NULL;
    if (agenda_store_meeting_in_emergency(call->db, meeting_id, e->id) != 0 ||
        agenda_store_item_insert(call->db, meeting_id, 1, &item, 0, NULL) != 0 ||
        agenda_store_meeting_get(call->db, meeting_id, true, false, &m) != 0 ||
        agenda_store_committee_get(call->db, e->committee_id, &committee) != 0) {
        bus_call_fail_db(call, "call crisis meeting");
        goto done;
    }
    /* the notice goes out at once: the notice period is waived */
    if (agenda_meeting_number_cases(call, m, committee, 1) != 0)
        goto done;
    if (agenda_meeting_noticed(call, meeting_id, 1) != 0)
        goto done;
    rc = 0;
done:
    if (m)
        protobuf_c_message_free_unpacked(&m->base, NULL);
    if (committee)
        protobuf_c_message_free_unpacked(&committee->base, NULL);
    protobuf_c_message_free_unpacked(&e->base, NULL);
    return rc != 0 ? -1
                   : agenda_meeting_commit(call, meeting_id, "no.samhand.meeting.notice_published");
}

int agenda_emergency_log(bus_call_t *call)
{
    const Samhand__V1__LogEmergencyRequest *req = (const void *)call->request;
    bool bad = false;
    const char *kind = agenda_enum_name(
        call, "kind", &samhand__v1__emergency_log_entry__kind__descriptor, req->kind, &bad);
    if (bad)
        return -1;
    if (!kind)
        return bus_call_fail(call, BUS_INVALID_ARGUMENT, "kind", "kind is required");
    if (agenda_check_required(call, "text", req->text, TEXT_MAX_CHARS) != 0 ||
        agenda_check_ref(call, "meeting_id", req->meeting_id, false) != 0)
        return -1;
    Samhand__V1__Emergency *e = NULL;
    if (s_open_series(call, req->emergency_id, &e) != 0)
        return -1;
    bool in_series = check_empty(req->meeting_id);
    for (size_t i = 0; i < e->n_meeting_ids && !in_series; i++)
        in_series = strcmp(e->meeting_ids[i], req->meeting_id) == 0;
    protobuf_c_message_free_unpacked(&e->base, NULL);
    if (!in_series)
        return bus_call_fail(call, BUS_INVALID_ARGUMENT, "meeting_id",
                             "meeting %s is not a meeting of this emergency", req->meeting_id);
    if (agenda_store_emergency_log(call->db, req->emergency_id, kind, req->text,
                                   check_empty(req->meeting_id) ? NULL : req->meeting_id,
                                   s_author(call)) != 0)
        return bus_call_fail_db(call, "log emergency");
    return s_commit(call, req->emergency_id, "no.samhand.emergency.logged");
}

int agenda_emergency_close(bus_call_t *call)
{
    const Samhand__V1__CloseEmergencyRequest *req = (const void *)call->request;
    if (agenda_check_optional(call, "closing_note", req->closing_note, TEXT_MAX_CHARS) != 0)
        return -1;
    Samhand__V1__Emergency *e = NULL;
    if (s_open_series(call, req->emergency_id, &e) != 0)
        return -1;
    protobuf_c_message_free_unpacked(&e->base, NULL);
    if (agenda_store_emergency_close(call->db, req->emergency_id, req->closing_note) != 0)
        return bus_call_fail_db(call, "close emergency");
    return s_commit(call, req->emergency_id, "no.samhand.emergency.closed");
}
