/* Meetings: from draft through notice (and supplementary notices) to held,
 * or cancelled. Owns the rules of publication: case numbers in agenda order
 * from the committee's yearly sequence, an agenda that fits the meeting,
 * and the notice period. */
#include "agenda_checks.h"
#include "agenda_document.h"
#include "agenda_attendance.h"
#include "agenda_meeting.h"
#include "agenda_notice.h"
#include "agenda_scope.h"
#include "agenda_server.h"
#include "samhand_check.h"
#include "samhand_time.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TITLE_MAX_CHARS 200
#define PLACE_MAX_CHARS 200
#define URL_MAX_CHARS 500
#define REASON_MAX_CHARS 2000
#define MAX_MEETING_HOURS 24
#define EARLIEST_MEETING 946684800LL /* 2000-01-01 */
#define LATEST_MEETING 4102444800LL  /* 2100-01-01 */

static const char *s_state_name(int state)
{
    const ProtobufCEnumValue *v =
        protobuf_c_enum_descriptor_get_value(&samhand__v1__meeting__state__descriptor, state);
    return v ? v->name : "UNKNOWN";
}

void agenda_case_number_format(const char *format, int seq, int year, char *out, size_t size)
{
    size_t used = 0;
    out[0] = '\0';
    for (const char *p = format; *p && used + 1 < size;) {
        int n = 0;
        if (strncmp(p, "{nn}", 4) == 0)
            n = snprintf(out + used, size - used, "%02d", seq), p += 4;
        else if (strncmp(p, "{n}", 3) == 0)
            n = snprintf(out + used, size - used, "%d", seq), p += 3;
        else if (strncmp(p, "{yyyy}", 6) == 0)
            n = snprintf(out + used, size - used, "%04d", year), p += 6;
        else if (strncmp(p, "{yy}", 4) == 0)
            n = snprintf(out + used, size - used, "%02d", year % 100), p += 4;
        else
            out[used] = *p++, out[used + 1] = '\0', n = 1;
        used += (size_t)n;
    }
}

/* ------------------------------------------------------------- notices */

/* Keeps the notice just published as `version`: the meeting and its agenda
 * as they stand in this transaction, with the case documents. 0 or -1
 * after bus_call_fail. */
static int s_keep_notice(bus_call_t *call, const char *id, int version)
{
    Samhand__V1__KeptNotice kept = SAMHAND__V1__KEPT_NOTICE__INIT;
    int rc = -1;
    if (agenda_store_meeting_get(call->db, id, false, false, &kept.meeting) != 0 ||
        agenda_store_documents_of_meeting(call->db, id, &kept.case_documents,
                                          &kept.n_case_documents) != 0 ||
        agenda_store_notice_keep(call->db, id, version, &kept) != 0)
        bus_call_fail_db(call, "keep the notice");
    else
        rc = 0;
    if (kept.meeting)
        protobuf_c_message_free_unpacked(&kept.meeting->base, NULL);
    for (size_t i = 0; i < kept.n_case_documents; i++)
        protobuf_c_message_free_unpacked(&kept.case_documents[i]->base, NULL);
    free(kept.case_documents);
    return rc;
}

int agenda_meeting_noticed(bus_call_t *call, const char *id, int version)
{
    if (agenda_store_meeting_noticed(call->db, id, version) != 0)
        return bus_call_fail_db(call, "publish meeting");
    if (s_keep_notice(call, id, version) != 0)
        return -1;
    /* the case documents drafted since the last notice reach the public now */
    return version > 1 ? agenda_document_noticed(call, id, version) : 0;
}

/* The event goes to every party: the meeting as the public reads it (its
 * last notice, exempt items hidden), never the draft after a notice; the
 * caller gets the meeting as it may see it. */
static int s_commit_meeting(bus_call_t *call, const char *type, Samhand__V1__Meeting *m,
                            const ProtobufCMessage *reply)
{
    Samhand__V1__Meeting *shown = agenda_meeting_public(call, m->id, NULL, NULL);
    if (!shown) {
        db_rollback(call->db);
        return bus_call_fail(call, BUS_INTERNAL, NULL, "could not record the change");
    }
    int rc = agenda_commit_reply(call, type, m->id, NULL, m->committee_id, &shown->base, reply);
    samhand__v1__meeting__free_unpacked(shown, NULL);
    return rc;
}

int agenda_meeting_commit(bus_call_t *call, const char *id, const char *type)
{
    /* any change of the meeting, its agenda or minutes is a new version */
    if (agenda_store_meeting_touch(call->db, id) < 0) {
        db_rollback(call->db);
        return bus_call_fail_db(call, "record the change");
    }
    Samhand__V1__Meeting *m = NULL;
    if (agenda_meeting_load(call, id, false, &m) != 0) {
        db_rollback(call->db);
        return -1;
    }
    int rc = s_commit_meeting(call, type, m, &m->base);
    samhand__v1__meeting__free_unpacked(m, NULL);
    return rc;
}

/* ------------------------------------------------------------ validation */

static int s_check_time(bus_call_t *call, const char *field, const Samhand__V1__Timestamp *t)
{
    if (!t)
        return bus_call_fail(call, BUS_INVALID_ARGUMENT, field, "%s is required", field);
    if (t->seconds < EARLIEST_MEETING || t->seconds >= LATEST_MEETING)
        return bus_call_fail(call, BUS_INVALID_ARGUMENT, field, "%s must be between 2000 and 2100",
                             field);
    return 0;
}

static int s_check_span(bus_call_t *call, int64_t start, int64_t end)
{
    if (end <= start)
        return bus_call_fail(call, BUS_INVALID_ARGUMENT, "end_time",
                             "end_time must be after start_time");
    if (end - start > MAX_MEETING_HOURS * 3600)
        return bus_call_fail(call, BUS_INVALID_ARGUMENT, "end_time",
                             "a meeting lasts at most %d hours", MAX_MEETING_HOURS);
    return 0;
}

static int s_check_url(bus_call_t *call, const char *url)
{
    if (check_empty(url))
        return 0;
    if ((strncmp(url, "https://", 8) != 0 && strncmp(url, "http://", 7) != 0) ||
        !check_text(url, URL_MAX_CHARS) || strpbrk(url, " \t\n\"<>"))
        return bus_call_fail(call, BUS_INVALID_ARGUMENT, "online_url",
                             "online_url must be an http:// or https:// address");
    return 0;
}

static int s_require_person(bus_call_t *call, const char *id)
{
    Samhand__V1__Person *person = NULL;
    int rc = agenda_store_person_get(call->db, id, &person);
    if (rc < 0)
        return bus_call_fail_db(call, "read person");
    if (rc > 0)
        return bus_call_fail(call, BUS_INVALID_ARGUMENT, "chair_person_id",
                             "person %s does not exist", id);
    protobuf_c_message_free_unpacked(&person->base, NULL);
    return 0;
}

/* Loads the committee of a meeting; 0 or -1 after bus_call_fail. */
static int s_committee(bus_call_t *call, const char *id, const char *field,
                       Samhand__V1__Committee **out)
{
    if (!check_uuid(id))
        return bus_call_fail(call, BUS_INVALID_ARGUMENT, field, "%s must be a UUID", field);
    int rc = agenda_store_committee_get(call->db, id, out);
    if (rc < 0)
        return bus_call_fail_db(call, "read committee");
    if (rc > 0)
        return bus_call_fail(call, BUS_INVALID_ARGUMENT, field, "committee %s does not exist", id);
    return 0;
}

/* ---------------------------------------------------------------- handlers */

int agenda_meeting_create(bus_call_t *call)
{
    const Samhand__V1__CreateMeetingRequest *req = (const void *)call->request;
    bool bad = false;
    Samhand__V1__Committee *committee = NULL;
    if (s_committee(call, req->committee_id, "committee_id", &committee) != 0)
        return -1;
    protobuf_c_message_free_unpacked(&committee->base, NULL);
    if (agenda_scope_check(call, req->committee_id) != 0)
        return -1;
    if (agenda_check_optional(call, "title", req->title, TITLE_MAX_CHARS) != 0 ||
        agenda_check_optional(call, "place", req->place, PLACE_MAX_CHARS) != 0 ||
        s_check_url(call, req->online_url) != 0 ||
        s_check_time(call, "start_time", req->start_time) != 0 ||
        s_check_time(call, "end_time", req->end_time) != 0 ||
        s_check_span(call, req->start_time->seconds, req->end_time->seconds) != 0 ||
        agenda_check_ref(call, "chair_person_id", req->chair_person_id, false) != 0)
        return -1;
    if (!check_empty(req->chair_person_id) && s_require_person(call, req->chair_person_id) != 0)
        return -1;
    const char *kind =
        agenda_enum_name(call, "kind", &samhand__v1__meeting__kind__descriptor, req->kind, &bad);
    if (bad)
        return -1;

    char start[24], end[24];
    snprintf(start, sizeof start, "%lld", (long long)req->start_time->seconds);
    snprintf(end, sizeof end, "%lld", (long long)req->end_time->seconds);
    agenda_meeting_fields_t fields = {
        .committee_id = req->committee_id,
        .kind = kind ? kind : "ORDINARY",
        .title = req->title,
        .place = req->place,
        .online_url = req->online_url,
        .chair_person_id = check_empty(req->chair_person_id) ? NULL : req->chair_person_id,
        .starts_at = start,
        .ends_at = end,
    };
    Samhand__V1__Meeting *m = NULL;
    if (db_begin(call->db) != 0 || agenda_store_meeting_insert(call->db, &fields, &m) != 0)
        return bus_call_fail_db(call, "create meeting");
    char id[40];
    snprintf(id, sizeof id, "%s", m->id);
    protobuf_c_message_free_unpacked(&m->base, NULL);
    /* cases postponed at earlier meetings come onto this agenda by themselves */
    int carried;
    if (agenda_store_carry_postponed(call->db, req->committee_id, &carried) != 0)
        return bus_call_fail_db(call, "carry postponed cases");
    return agenda_meeting_commit(call, id, "no.samhand.meeting.created");
}

int agenda_meeting_get(bus_call_t *call)
{
    const Samhand__V1__GetMeetingRequest *req = (const void *)call->request;
    Samhand__V1__Meeting *m = NULL;
    int version = agenda_meeting_version_asked(call, req->version);
    if (version < 0 || agenda_meeting_read(call, req->id, version, &m, NULL, NULL) != 0)
        return -1;
    bus_call_reply_free(call, &m->base);
    return 0;
}

int agenda_meeting_list(bus_call_t *call)
{
    const Samhand__V1__ListMeetingsRequest *req = (const void *)call->request;
    agenda_page_t page;
    bool bad = false;
    if (agenda_page(call, req->limit, req->cursor, &page) != 0 ||
        agenda_check_ref(call, "committee_id", req->committee_id, false) != 0)
        return -1;
    char from[24], to[24];
    int y, m, d;
    if (!check_empty(req->from)) {
        if (!check_date(req->from) || sscanf(req->from, "%d-%d-%d", &y, &m, &d) != 3)
            return bus_call_fail(call, BUS_INVALID_ARGUMENT, "from",
                                 "from must be a date written YYYY-MM-DD");
        snprintf(from, sizeof from, "%lld", (long long)time_oslo_to_utc(y, m, d, 0, 0));
    }
    if (!check_empty(req->to)) {
        if (!check_date(req->to) || sscanf(req->to, "%d-%d-%d", &y, &m, &d) != 3)
            return bus_call_fail(call, BUS_INVALID_ARGUMENT, "to",
                                 "to must be a date written YYYY-MM-DD");
        /* through the end of that day */
        snprintf(to, sizeof to, "%lld", (long long)time_oslo_to_utc(y, m, d, 0, 0) + 86400);
    }
    const char *state =
        agenda_enum_name(call, "state", &samhand__v1__meeting__state__descriptor, req->state, &bad);
    if (bad || agenda_check_optional(call, "q", req->q, 200) != 0)
        return -1;
    /* the search matches what the reader reads (the last notice, or the draft) */
    agenda_reader_t reader = agenda_caller_reader(call);
    Samhand__V1__ListMeetingsResponse *list = NULL;
    if (agenda_store_meeting_list(
            call->db, page, check_empty(req->committee_id) ? NULL : req->committee_id, state,
            check_empty(req->from) ? NULL : from, check_empty(req->to) ? NULL : to,
            agenda_caller_known(call), check_empty(req->q) ? NULL : req->q, &reader, &list) != 0)
        return bus_call_fail_db(call, "list meetings");
    if (agenda_meeting_list_as_noticed(call, list) != 0) {
        protobuf_c_message_free_unpacked(&list->base, NULL);
        return -1;
    }
    bus_call_reply_free(call, &list->base);
    return 0;
}

/* Draft or noticed: the agenda and the meeting may still change. */
static int s_check_changeable(bus_call_t *call, const Samhand__V1__Meeting *m)
{
    if (m->state != SAMHAND__V1__MEETING__STATE__DRAFT &&
        m->state != SAMHAND__V1__MEETING__STATE__NOTICE_PUBLISHED)
        return bus_call_fail(call, BUS_FAILED_PRECONDITION, "state",
                             "the meeting is %s and can no longer change", s_state_name(m->state));
    return 0;
}

int agenda_meeting_update(bus_call_t *call)
{
    const Samhand__V1__UpdateMeetingRequest *req = (const void *)call->request;
    static const char *const allowed[] = {"kind",  "title",      "start_time",      "end_time",
                                          "place", "online_url", "chair_person_id", NULL};
    char **mask = req->update_mask;
    size_t n = req->n_update_mask;
    bool bad = false;
    if (agenda_check_mask(call, mask, n, allowed) != 0)
        return -1;

    Samhand__V1__Meeting *m = NULL;
    if (db_begin(call->db) != 0)
        return bus_call_fail_db(call, "update meeting");
    if (bus_call_check_version(call, "meetings", req->id) != 0 ||
        agenda_meeting_load(call, req->id, true, &m) != 0)
        return -1;
    int rc = -1;
    agenda_meeting_fields_t fields = {0};
    char start[24], end[24];
    int64_t new_start = m->start_time->seconds, new_end = m->end_time->seconds;
    bool noticed = m->state == SAMHAND__V1__MEETING__STATE__NOTICE_PUBLISHED;
    if (s_check_changeable(call, m) != 0)
        goto done;
    if (agenda_masked(mask, n, "kind")) {
        fields.kind = agenda_enum_name(call, "kind", &samhand__v1__meeting__kind__descriptor,
                                       req->kind, &bad);
        if (bad)
            goto done;
        if (!fields.kind) {
            bus_call_fail(call, BUS_INVALID_ARGUMENT, "kind", "kind cannot be unspecified");
            goto done;
        }
    }
    if (agenda_masked(mask, n, "title")) {
        if (agenda_check_optional(call, "title", req->title, TITLE_MAX_CHARS) != 0)
            goto done;
        fields.title = req->title;
    }
    if (agenda_masked(mask, n, "place")) {
        if (agenda_check_optional(call, "place", req->place, PLACE_MAX_CHARS) != 0)
            goto done;
        fields.place = req->place;
    }
    if (agenda_masked(mask, n, "online_url")) {
        if (s_check_url(call, req->online_url) != 0)
            goto done;
        fields.online_url = req->online_url;
    }
    if (agenda_masked(mask, n, "chair_person_id")) {
        if (agenda_check_ref(call, "chair_person_id", req->chair_person_id, false) != 0)
            goto done;
        if (check_empty(req->chair_person_id)) {
            fields.clear_chair = 1;
        } else {
            if (s_require_person(call, req->chair_person_id) != 0)
                goto done;
            fields.chair_person_id = req->chair_person_id;
        }
    }
    if (agenda_masked(mask, n, "start_time")) {
        if (s_check_time(call, "start_time", req->start_time) != 0)
            goto done;
        new_start = req->start_time->seconds;
        snprintf(start, sizeof start, "%lld", (long long)new_start);
        fields.starts_at = start;
    }
    if (agenda_masked(mask, n, "end_time")) {
        if (s_check_time(call, "end_time", req->end_time) != 0)
            goto done;
        new_end = req->end_time->seconds;
        snprintf(end, sizeof end, "%lld", (long long)new_end);
        fields.ends_at = end;
    }
    if (s_check_span(call, new_start, new_end) != 0)
        goto done;
    if (agenda_store_meeting_update(call->db, req->id, &fields) != 0) {
        bus_call_fail_db(call, "update meeting");
        goto done;
    }
    if (noticed) {
        /* a change to a published notice goes out as a supplementary one */
        char text[400], date[11], from[6], to[6];
        int failed = 0;
        if (fields.starts_at || fields.ends_at) {
            time_format_date(new_start, date);
            time_format_clock(new_start, from);
            time_format_clock(new_end, to);
            snprintf(text, sizeof text, "Nytt tidspunkt: %s kl. %s–%s", date, from, to);
            failed |= agenda_store_change_add(call->db, req->id, text) != 0;
        }
        if (fields.place || fields.online_url) {
            snprintf(text, sizeof text, "Nytt møtested: %s%s%s",
                     fields.place ? fields.place : m->place,
                     (fields.online_url ? fields.online_url : m->online_url)[0] ? ", " : "",
                     fields.online_url ? fields.online_url : m->online_url);
            failed |= agenda_store_change_add(call->db, req->id, text) != 0;
        }
        if (fields.title || fields.kind || fields.chair_person_id || fields.clear_chair)
            failed |=
                agenda_store_change_add(call->db, req->id, "Endrede opplysninger om møtet") != 0;
        if (failed) {
            bus_call_fail_db(call, "record the change");
            goto done;
        }
    }
    rc = 0;
done:
    protobuf_c_message_free_unpacked(&m->base, NULL);
    if (rc != 0)
        return -1;
    return agenda_meeting_commit(call, req->id, "no.samhand.meeting.updated");
}

int agenda_meeting_cancel(bus_call_t *call)
{
    const Samhand__V1__CancelMeetingRequest *req = (const void *)call->request;
    if (agenda_check_optional(call, "reason", req->reason, REASON_MAX_CHARS) != 0)
        return -1;
    Samhand__V1__Meeting *m = NULL;
    if (db_begin(call->db) != 0)
        return bus_call_fail_db(call, "cancel meeting");
    if (agenda_meeting_load(call, req->id, true, &m) != 0)
        return -1;
    bool noticed = m->state == SAMHAND__V1__MEETING__STATE__NOTICE_PUBLISHED;
    int rc = s_check_changeable(call, m);
    protobuf_c_message_free_unpacked(&m->base, NULL);
    if (rc != 0)
        return -1;
    if (noticed && check_empty(req->reason))
        return bus_call_fail(call, BUS_INVALID_ARGUMENT, "reason",
                             "reason is required to cancel a meeting whose notice went out");
    if (agenda_store_meeting_set_state(call->db, req->id, "CANCELLED", req->reason) != 0)
        return bus_call_fail_db(call, "cancel meeting");
    /* the deputies called up for it are told, and come no more */
    if (noticed && agenda_call_ups_end(call, req->id, true) != 0)
        return -1;
    return agenda_meeting_commit(call, req->id, "no.samhand.meeting.cancelled");
}

/* Whether the committee's practice gives an item of this kind a number. */
static bool s_numbered_kind(const Samhand__V1__Committee *committee, int kind)
{
    if (kind == SAMHAND__V1__AGENDA_ITEM__KIND__BREAK)
        return false;
    for (size_t i = 0; i < committee->n_unnumbered_kinds; i++)
        if ((int)committee->unnumbered_kinds[i] == kind)
            return false;
    return true;
}

/* A postponed case that keeps the number it had where it was postponed. */
static bool s_keeps_number(const Samhand__V1__Committee *committee,
                           const Samhand__V1__AgendaItem *item)
{
    return committee->carried_case_number == SAMHAND__V1__COMMITTEE__CARRIED_CASE_NUMBER__KEPT &&
           item->carried_from_item_id[0] && item->carried_from_case_number[0];
}

int agenda_meeting_number_cases(bus_call_t *call, Samhand__V1__Meeting *m,
                                const Samhand__V1__Committee *committee, int version)
{
    int count = 0;
    for (size_t i = 0; i < m->n_items; i++) {
        const Samhand__V1__AgendaItem *item = m->items[i];
        if (item->case_number[0] || item->is_withdrawn || !s_numbered_kind(committee, item->kind))
            continue;
        if (s_keeps_number(committee, item)) {
            if (agenda_store_item_number_kept(call->db, item->id, version) < 0)
                return bus_call_fail_db(call, "number case");
            continue;
        }
        count++;
    }
    if (count == 0)
        return 0;
    struct tm tm;
    time_oslo(m->start_time->seconds, &tm);
    int year = tm.tm_year + 1900, seq;
    if (agenda_store_case_numbers_take(call->db, m->committee_id, year, count, &seq) != 0)
        return bus_call_fail_db(call, "take case numbers");
    for (size_t i = 0; i < m->n_items; i++) {
        Samhand__V1__AgendaItem *item = m->items[i];
        if (item->case_number[0] || item->is_withdrawn || !s_numbered_kind(committee, item->kind) ||
            s_keeps_number(committee, item))
            continue;
        char number[48];
        agenda_case_number_format(committee->case_number_format, seq, year, number, sizeof number);
        if (agenda_store_item_numbered(call->db, item->id, year, seq, number, version) != 0)
            return bus_call_fail_db(call, "number case");
        seq++;
    }
    return 0;
}

int agenda_meeting_publish(bus_call_t *call)
{
    const Samhand__V1__PublishMeetingRequest *req = (const void *)call->request;
    Samhand__V1__Meeting *m = NULL;
    Samhand__V1__Committee *committee = NULL;
    char **changes = NULL;
    size_t n_changes = 0;
    char warning[300] = "";
    int rc = -1;
    if (db_begin(call->db) != 0)
        return bus_call_fail_db(call, "publish meeting");
    if (agenda_meeting_load(call, req->id, true, &m) != 0)
        return -1;
    if (s_check_changeable(call, m) != 0 ||
        s_committee(call, m->committee_id, "committee_id", &committee) != 0)
        goto done;

    size_t active = 0;
    for (size_t i = 0; i < m->n_items; i++)
        active += !m->items[i]->is_withdrawn;
    if (active == 0) {
        bus_call_fail(call, BUS_FAILED_PRECONDITION, "items", "the agenda is empty");
        goto done;
    }
    if (!m->place[0] && !m->online_url[0]) {
        bus_call_fail(call, BUS_FAILED_PRECONDITION, "place",
                      "a notice needs a place or an online link");
        goto done;
    }
    int64_t meeting_min = (m->end_time->seconds - m->start_time->seconds) / 60;
    if (m->agenda_minutes > meeting_min) {
        char from[6], to[6];
        time_format_clock(m->start_time->seconds, from);
        time_format_clock(m->end_time->seconds, to);
        bus_call_fail(call, BUS_FAILED_PRECONDITION, "items",
                      "the agenda takes %d minutes, %lld more than the meeting's %lld (%s–%s)",
                      m->agenda_minutes, (long long)(m->agenda_minutes - meeting_min),
                      (long long)meeting_min, from, to);
        goto done;
    }

    int version = m->notice_version + 1;
    if (agenda_meeting_number_cases(call, m, committee, version) != 0)
        goto done;
    if (agenda_store_changes_take(call->db, m->id, version, &changes, &n_changes) != 0) {
        bus_call_fail_db(call, "publish meeting");
        goto done;
    }
    if (version > 1 && n_changes == 0) {
        bus_call_fail(call, BUS_FAILED_PRECONDITION, NULL, "nothing has changed since notice %d",
                      m->notice_version);
        goto done;
    }
    if (agenda_meeting_noticed(call, m->id, version) != 0)
        goto done;
    /* moved by this notice: the deputies called up for the old time are
     * told, their call-ups end, and they are asked again for the new one
     * (not before: a drafted time reaches no one until its notice) */
    int moved = version > 1 ? agenda_store_notice_moved(call->db, m->id, version) : 0;
    if (moved < 0) {
        bus_call_fail_db(call, "publish meeting");
        goto done;
    }
    if (moved && agenda_call_ups_end(call, m->id, false) != 0)
        goto done;
    int64_t lead_days = (m->start_time->seconds - bus_now_ms() / 1000) / 86400;
    if (version == 1 && m->kind != SAMHAND__V1__MEETING__KIND__EMERGENCY &&
        lead_days < committee->notice_period_days)
        snprintf(warning, sizeof warning,
                 "the notice goes out %lld days before the meeting; the committee's notice "
                 "period is %d days",
                 (long long)(lead_days < 0 ? 0 : lead_days), committee->notice_period_days);
    rc = 0;

done:
    if (m)
        protobuf_c_message_free_unpacked(&m->base, NULL);
    if (committee)
        protobuf_c_message_free_unpacked(&committee->base, NULL);
    if (rc == 0) {
        Samhand__V1__Meeting *after = NULL;
        rc = agenda_meeting_load(call, req->id, false, &after);
        if (rc == 0) {
            const char *type = after->notice_version > 1 ? "no.samhand.meeting.notice_supplemented"
                                                         : "no.samhand.meeting.notice_published";
            Samhand__V1__PublishMeetingResponse response =
                SAMHAND__V1__PUBLISH_MEETING_RESPONSE__INIT;
            char *warnings[] = {warning};
            response.meeting = after;
            response.n_warnings = warning[0] ? 1 : 0;
            response.warnings = warnings;
            response.n_changes = n_changes;
            response.changes = changes;
            if (s_commit_meeting(call, type, after, &response.base) != 0)
                rc = -1;
            protobuf_c_message_free_unpacked(&after->base, NULL);
        }
    }
    for (size_t i = 0; i < n_changes; i++)
        free(changes[i]);
    free(changes);
    return rc;
}
