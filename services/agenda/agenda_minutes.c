/* Minutes: who attended, each item's discussion and outcome, approval that
 * freezes them, and the minutes as a document. A postponed case goes by
 * itself onto the committee's next draft agenda and stays one case. */
#include "agenda_checks.h"
#include "agenda_meeting.h"
#include "agenda_attendance.h"
#include "agenda_minutes_html.h"
#include "agenda_minutes_pdf.h"
#include "agenda_store_attendance.h"
#include "agenda_notice.h"
#include "agenda_scope.h"
#include "agenda_server.h"
#include "samhand_check.h"
#include "samhand_html.h"
#include "samhand_time.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DECISION_MAX_CHARS 20000
#define POINT_MAX_CHARS 2000
#define POINTS_MAX 50
#define ATTENDANCE_MAX 200

/* Opens the meeting for writing its minutes: from the meeting's start
 * (what was said and decided is written as it happens), and their approval
 * only once it has ended. 0, or -1 after failing. */
static int s_open(bus_call_t *call, const char *meeting_id, bool approving,
                  Samhand__V1__Meeting **out)
{
    if (db_begin(call->db) != 0)
        return bus_call_fail_db(call, "write minutes");
    if (bus_call_check_version(call, "meetings", meeting_id) != 0 ||
        agenda_meeting_load(call, meeting_id, true, out) != 0)
        return -1;
    const char *why = NULL;
    switch ((*out)->state) {
    case SAMHAND__V1__MEETING__STATE__NOTICE_PUBLISHED:
    case SAMHAND__V1__MEETING__STATE__HELD: {
        const Samhand__V1__Timestamp *from = approving ? (*out)->end_time : (*out)->start_time;
        int64_t now = (int64_t)time(NULL);
        if (from && now < from->seconds) {
            char date[11], clock[6];
            time_format_date(from->seconds, date);
            time_format_clock(from->seconds, clock);
            protobuf_c_message_free_unpacked(&(*out)->base, NULL);
            *out = NULL;
            return bus_call_fail(call, BUS_FAILED_PRECONDITION,
                                 approving ? "end_time" : "start_time",
                                 approving ? "the minutes are approved once the meeting has ended "
                                             "(%s kl. %s)"
                                           : "the minutes are written from the meeting's start "
                                             "(%s kl. %s)",
                                 date, clock);
        }
        return 0;
    }
    case SAMHAND__V1__MEETING__STATE__MINUTES_APPROVED:
        why = "the minutes are approved and frozen";
        break;
    case SAMHAND__V1__MEETING__STATE__CANCELLED:
        why = "the meeting was cancelled";
        break;
    default:
        why = "the notice of the meeting has not gone out";
    }
    protobuf_c_message_free_unpacked(&(*out)->base, NULL);
    *out = NULL;
    return bus_call_fail(call, BUS_FAILED_PRECONDITION, "state", "%s", why);
}

/* The first word of the minutes makes a noticed meeting a held one. */
static int s_held(bus_call_t *call, const Samhand__V1__Meeting *m)
{
    /* the attendance starts from the seats: who reported absence, and the
     * deputies who accepted for whom */
    if (m->state == SAMHAND__V1__MEETING__STATE__NOTICE_PUBLISHED &&
        (agenda_store_meeting_set_state(call->db, m->id, "HELD", NULL) != 0 ||
         agenda_store_attendance_seed(call->db, m->id) != 0))
        return bus_call_fail_db(call, "write minutes");
    return 0;
}

int agenda_minutes_attendance(bus_call_t *call)
{
    const Samhand__V1__SetAttendanceRequest *req = (const void *)call->request;
    if (req->n_entries > ATTENDANCE_MAX)
        return bus_call_fail(call, BUS_INVALID_ARGUMENT, "entries",
                             "entries holds at most %d people", ATTENDANCE_MAX);
    json_t *entries = json_array();
    for (size_t i = 0; i < req->n_entries; i++) {
        const Samhand__V1__Attendance *a = req->entries[i];
        char field[64];
        snprintf(field, sizeof field, "entries[%zu].person_id", i);
        if (agenda_check_ref(call, field, a->person_id, true) != 0)
            goto refuse;
        for (size_t j = 0; j < i; j++)
            if (strcmp(req->entries[j]->person_id, a->person_id) == 0) {
                bus_call_fail(call, BUS_INVALID_ARGUMENT, field, "%s is listed twice", field);
                goto refuse;
            }
        snprintf(field, sizeof field, "entries[%zu].status", i);
        const ProtobufCEnumValue *status = protobuf_c_enum_descriptor_get_value(
            &samhand__v1__attendance__status__descriptor, a->status);
        if (!status || a->status == 0) {
            bus_call_fail(call, BUS_INVALID_ARGUMENT, field, "%s is required", field);
            goto refuse;
        }
        snprintf(field, sizeof field, "entries[%zu].deputy_for_person_id", i);
        bool deputy = a->status == SAMHAND__V1__ATTENDANCE__STATUS__DEPUTY;
        if (agenda_check_ref(call, field, a->deputy_for_person_id, deputy) != 0)
            goto refuse;
        if (!deputy && !check_empty(a->deputy_for_person_id)) {
            bus_call_fail(call, BUS_INVALID_ARGUMENT, field, "%s is for deputies only", field);
            goto refuse;
        }
        json_array_append_new(entries,
                              json_pack("{s:s, s:s, s:s}", "person_id", a->person_id, "status",
                                        status->name, "deputy_for", a->deputy_for_person_id));
    }
    Samhand__V1__Meeting *m = NULL;
    char *json = json_dumps(entries, JSON_COMPACT);
    json_decref(entries);
    if (s_open(call, req->meeting_id, false, &m) != 0) {
        free(json);
        return -1;
    }
    int rc = agenda_store_attendance_set(call->db, m->id, json);
    free(json);
    if (rc != 0) {
        protobuf_c_message_free_unpacked(&m->base, NULL);
        if (strcmp(db_sqlstate(call->db), "23503") == 0)
            return bus_call_fail(call, BUS_INVALID_ARGUMENT, "entries",
                                 "entries names a person who does not exist");
        return bus_call_fail_db(call, "record attendance");
    }
    rc = s_held(call, m);
    protobuf_c_message_free_unpacked(&m->base, NULL);
    if (rc != 0)
        return -1;
    return agenda_meeting_commit(call, req->meeting_id, "no.samhand.meeting.minutes_changed");
refuse:
    json_decref(entries);
    return -1;
}

/* The proposed decisions of the item's case document as one text, numbered
 * when there are several, into *out (the caller frees). 0, or -1 after
 * failing: without proposed decisions "as proposed" says nothing. */
static int s_proposed_decision(bus_call_t *call, const Samhand__V1__AgendaItem *item, char **out)
{
    /* the approvals of the notice and the minutes say what they approve */
    if (item->kind == SAMHAND__V1__AGENDA_ITEM__KIND__NOTICE_APPROVAL ||
        item->kind == SAMHAND__V1__AGENDA_ITEM__KIND__MINUTES_APPROVAL) {
        *out = strdup(item->kind == SAMHAND__V1__AGENDA_ITEM__KIND__NOTICE_APPROVAL
                          ? "Innkalling og saksliste godkjennes."
                          : "Referat fra forrige møte godkjennes.");
        return 0;
    }
    Samhand__V1__CaseDocument *doc = NULL;
    int found = agenda_store_document_get(call->db, item->id, &doc);
    if (found < 0)
        return bus_call_fail_db(call, "read case document");
    size_t len = 0;
    FILE *text = open_memstream(out, &len);
    for (size_t i = 0; found == 0 && i < doc->n_proposed_decisions; i++) {
        if (doc->n_proposed_decisions > 1)
            fprintf(text, "%s%zu. ", i ? "\n" : "", i + 1);
        fputs(doc->proposed_decisions[i], text);
    }
    fclose(text);
    if (found == 0)
        protobuf_c_message_free_unpacked(&doc->base, NULL);
    if (len == 0) {
        free(*out);
        *out = NULL;
        return bus_call_fail(call, BUS_INVALID_ARGUMENT, "decision",
                             "the case document proposes no decision to adopt as proposed: "
                             "write the decision, or the proposed decisions first");
    }
    return 0;
}

int agenda_minutes_outcome(bus_call_t *call)
{
    const Samhand__V1__SetOutcomeRequest *req = (const void *)call->request;
    bool bad = false;
    const char *outcome = agenda_enum_name(
        call, "outcome", &samhand__v1__agenda_item__outcome__descriptor, req->outcome, &bad);
    if (bad)
        return -1;
    if (!outcome)
        return bus_call_fail(call, BUS_INVALID_ARGUMENT, "outcome", "outcome is required");
    if (agenda_check_optional(call, "decision", req->decision, DECISION_MAX_CHARS) != 0)
        return -1;
    if (req->outcome == SAMHAND__V1__AGENDA_ITEM__OUTCOME__ADOPTED_AS_AMENDED &&
        check_empty(req->decision))
        return bus_call_fail(call, BUS_INVALID_ARGUMENT, "decision",
                             "decision (the amended text) is required when adopted as amended");
    if (req->n_discussion_points > POINTS_MAX)
        return bus_call_fail(call, BUS_INVALID_ARGUMENT, "discussion_points",
                             "discussion_points holds at most %d points", POINTS_MAX);
    for (size_t i = 0; i < req->n_discussion_points; i++) {
        char field[40];
        snprintf(field, sizeof field, "discussion_points[%zu]", i);
        if (agenda_check_required(call, field, req->discussion_points[i], POINT_MAX_CHARS) != 0)
            return -1;
    }

    Samhand__V1__Meeting *m = NULL;
    if (s_open(call, req->meeting_id, false, &m) != 0)
        return -1;
    int rc = -1;
    char *decision = NULL;
    Samhand__V1__AgendaItem *item = NULL;
    for (size_t i = 0; i < m->n_items && !item; i++)
        if (strcmp(m->items[i]->id, req->item_id) == 0)
            item = m->items[i];
    if (!item || item->is_withdrawn) {
        bus_call_fail(call, BUS_NOT_FOUND, "item_id", "agenda item %s is not on this meeting",
                      req->item_id);
        goto done;
    }
    if (item->kind == SAMHAND__V1__AGENDA_ITEM__KIND__BREAK) {
        bus_call_fail(call, BUS_INVALID_ARGUMENT, "item_id", "a break has no outcome");
        goto done;
    }
    /* adopted as proposed: the case document's proposed decisions become
     * the decision, as text that stays when the document changes later */
    if (req->outcome == SAMHAND__V1__AGENDA_ITEM__OUTCOME__ADOPTED_AS_PROPOSED &&
        check_empty(req->decision) && s_proposed_decision(call, item, &decision) != 0)
        goto done;
    bool was_postponed = item->outcome == SAMHAND__V1__AGENDA_ITEM__OUTCOME__POSTPONED;
    bool postponed = req->outcome == SAMHAND__V1__AGENDA_ITEM__OUTCOME__POSTPONED;
    int carried = 0;
    if (agenda_store_item_outcome(call->db, item->id, outcome, decision ? decision : req->decision,
                                  req->discussion_points, req->n_discussion_points) != 0 ||
        (was_postponed && !postponed && agenda_store_uncarry(call->db, item->id) != 0) ||
        (postponed && agenda_store_carry_postponed(call->db, m->committee_id, &carried) != 0)) {
        bus_call_fail_db(call, "record outcome");
        goto done;
    }
    rc = s_held(call, m);
done:
    free(decision);
    protobuf_c_message_free_unpacked(&m->base, NULL);
    if (rc != 0)
        return -1;
    return agenda_meeting_commit(call, req->meeting_id, "no.samhand.meeting.minutes_changed");
}

int agenda_minutes_approve(bus_call_t *call)
{
    const Samhand__V1__ApproveMinutesRequest *req = (const void *)call->request;
    Samhand__V1__Meeting *m = NULL;
    if (s_open(call, req->meeting_id, true, &m) != 0)
        return -1;
    int rc = -1;
    char missing[400] = "";
    size_t used = 0;
    for (size_t i = 0; i < m->n_items; i++) {
        const Samhand__V1__AgendaItem *item = m->items[i];
        if (item->is_withdrawn || item->kind == SAMHAND__V1__AGENDA_ITEM__KIND__BREAK ||
            item->outcome != 0 || used >= sizeof missing - 1)
            continue;
        used += (size_t)snprintf(missing + used, sizeof missing - used, "%s%s", used ? ", " : "",
                                 item->case_number[0] ? item->case_number : item->title);
    }
    if (m->n_attendance == 0) {
        bus_call_fail(call, BUS_FAILED_PRECONDITION, "attendance",
                      "the minutes need the attendance");
    } else if (missing[0]) {
        bus_call_fail(call, BUS_FAILED_PRECONDITION, "items", "the minutes need an outcome for %s",
                      missing);
    } else if (agenda_store_minutes_approved(call->db, m->id) != 0) {
        bus_call_fail_db(call, "approve minutes");
    } else {
        rc = 0;
    }
    protobuf_c_message_free_unpacked(&m->base, NULL);
    if (rc != 0)
        return -1;
    return agenda_meeting_commit(call, req->meeting_id, "no.samhand.meeting.minutes_approved");
}

int agenda_case_get(bus_call_t *call)
{
    const Samhand__V1__GetCaseRequest *req = (const void *)call->request;
    Samhand__V1__Case *c = NULL;
    agenda_reader_t reader = agenda_caller_reader(call);
    int rc = check_uuid(req->id) ? agenda_store_case_get(call->db, req->id, &reader, &c) : 1;
    if (rc < 0)
        return bus_call_fail_db(call, "read case");
    /* a case is its treatments: one whose only item was removed (never
     * numbered) is none, and its title (perhaps an exempt one) no one's;
     * nor is one whose only item was drafted after its meeting's notice,
     * but to those who run that committee */
    if (rc == 0 && c->n_treatments == 0) {
        protobuf_c_message_free_unpacked(&c->base, NULL);
        rc = 1;
    }
    if (rc > 0)
        return bus_call_fail(call, BUS_NOT_FOUND, "id", "case %s does not exist", req->id);
    /* an exempt treatment's decision only for those who see the committee's
     * exempt papers; the case's title not if any treatment was exempt */
    const char *hidden_basis = NULL, *public_title = "";
    for (size_t i = 0; i < c->n_treatments; i++) {
        Samhand__V1__Treatment *t = c->treatments[i];
        if (!t->is_exempt || agenda_caller_sees_exempt(call, t->committee_id))
            continue;
        agenda_text_replace(&t->decision, "");
        hidden_basis = t->exemption_basis;
        if (t->public_title[0])
            public_title = t->public_title;
    }
    if (hidden_basis) {
        char title[2048];
        if (public_title[0])
            snprintf(title, sizeof title, "%s (unntatt offentlighet%s%s)", public_title,
                     hidden_basis[0] ? ", " : "", hidden_basis);
        else
            snprintf(title, sizeof title, "Unntatt offentlighet%s%s", hidden_basis[0] ? ", " : "",
                     hidden_basis);
        agenda_text_replace(&c->title, title);
    }
    bus_call_reply_free(call, &c->base);
    return 0;
}

int agenda_case_list(bus_call_t *call)
{
    const Samhand__V1__ListCasesRequest *req = (const void *)call->request;
    agenda_page_t page;
    if (agenda_page(call, req->limit, req->cursor, &page) != 0 ||
        agenda_check_optional(call, "q", req->q, 200) != 0 ||
        agenda_check_ref(call, "committee_id", req->committee_id, false) != 0)
        return -1;
    /* the standing agenda_caller_standing gives, asked of every case at once */
    agenda_reader_t reader = agenda_caller_reader(call);
    Samhand__V1__ListCasesResponse *list = NULL;
    if (agenda_store_case_list(call->db, page, check_empty(req->q) ? NULL : req->q,
                               check_empty(req->committee_id) ? NULL : req->committee_id, &reader,
                               &list) != 0)
        return bus_call_fail_db(call, "list cases");
    bus_call_reply_free(call, &list->base);
    return 0;
}

/* ---------------------------------------------------------------- document */

const char *agenda_outcome_text(int outcome)
{
    switch (outcome) {
    case SAMHAND__V1__AGENDA_ITEM__OUTCOME__ADOPTED_AS_PROPOSED:
        return "Vedtatt som foreslått.";
    case SAMHAND__V1__AGENDA_ITEM__OUTCOME__ADOPTED_AS_AMENDED:
        return "Vedtatt med endringer.";
    case SAMHAND__V1__AGENDA_ITEM__OUTCOME__NOTED:
        return "Tatt til orientering.";
    case SAMHAND__V1__AGENDA_ITEM__OUTCOME__POSTPONED:
        return "Utsatt til neste møte.";
    case SAMHAND__V1__AGENDA_ITEM__OUTCOME__WITHDRAWN:
        return "Trukket.";
    default:
        return "";
    }
}

const char *agenda_deputy_for(const Samhand__V1__Meeting *m, const Samhand__V1__Attendance *a)
{
    if (!a->deputy_for_person_id[0])
        return NULL;
    for (size_t i = 0; i < m->n_attendance; i++)
        if (strcmp(m->attendance[i]->person_id, a->deputy_for_person_id) == 0)
            return m->attendance[i]->person_name;
    return NULL;
}

/* What the seats give the minutes: the attendance they start from while
 * none is recorded, and the decided declarations of disqualification of
 * the items the reader may see (a declaration for an exempt item only to
 * those who see the item). 0, or -1 after failing. */
static int s_minutes_seats(bus_call_t *call, agenda_minutes_t *minutes)
{
    Samhand__V1__Meeting *m = (Samhand__V1__Meeting *)minutes->meeting;
    Samhand__V1__ListDisqualificationsResponse *list = calloc(1, sizeof *list);
    if (!list)
        return bus_call_fail(call, BUS_INTERNAL, NULL, "out of memory");
    samhand__v1__list_disqualifications_response__init(list);
    minutes->declarations = list;
    if (agenda_store_attendance_from_seats(call->db, m) != 0 ||
        agenda_store_disqualifications(call->db, m->id, NULL, &list->base, "items") != 0)
        return bus_call_fail_db(call, "read minutes");
    bool sees_exempt = agenda_caller_sees_exempt(call, m->committee_id);
    size_t kept = 0;
    for (size_t i = 0; i < list->n_items; i++) {
        Samhand__V1__Disqualification *d = list->items[i];
        bool shown = d->decision != 0;
        for (size_t k = 0; shown && k < m->n_items; k++)
            if (strcmp(m->items[k]->id, d->item_id) == 0 && m->items[k]->is_exempt && !sees_exempt)
                shown = false;
        agenda_text_replace(&d->reason, ""); /* the minutes never print a reason */
        if (shown)
            list->items[kept++] = d;
        else
            protobuf_c_message_free_unpacked(&d->base, NULL);
    }
    list->n_items = kept;
    minutes->disqualifications = list->items;
    minutes->n_disqualifications = kept;
    return 0;
}

/* The minutes of the meeting the request names, as the caller may see them
 * (agenda_meeting_load hides exempt items), into *minutes: 0, or -1 after
 * failing (no minutes before the meeting is held). Free with s_minutes_free
 * either way. */
static int s_minutes_load(bus_call_t *call, agenda_minutes_t *minutes)
{
    const Samhand__V1__GetMeetingDocumentRequest *req = (const void *)call->request;
    Samhand__V1__Meeting *m = NULL;
    Samhand__V1__Committee *committee = NULL;
    Samhand__V1__Person *chair = NULL;
    *minutes = (agenda_minutes_t){0};
    if (agenda_meeting_load(call, req->id, false, &m) != 0)
        return -1;
    minutes->meeting = m;
    if (m->state != SAMHAND__V1__MEETING__STATE__HELD &&
        m->state != SAMHAND__V1__MEETING__STATE__MINUTES_APPROVED)
        return bus_call_fail(call, BUS_NOT_FOUND, "id", "meeting %s has no minutes yet", req->id);
    int rc = agenda_store_committee_get(call->db, m->committee_id, &committee);
    minutes->committee = rc == 0 ? committee : NULL;
    if (rc != 0 || (m->chair_person_id[0] &&
                    agenda_store_person_get(call->db, m->chair_person_id, &chair) < 0))
        return bus_call_fail_db(call, "read minutes");
    minutes->chair = chair;
    return s_minutes_seats(call, minutes);
}

static void s_minutes_free(agenda_minutes_t *minutes)
{
    if (minutes->committee)
        protobuf_c_message_free_unpacked((ProtobufCMessage *)&minutes->committee->base, NULL);
    if (minutes->chair)
        protobuf_c_message_free_unpacked((ProtobufCMessage *)&minutes->chair->base, NULL);
    if (minutes->meeting)
        protobuf_c_message_free_unpacked((ProtobufCMessage *)&minutes->meeting->base, NULL);
    if (minutes->declarations)
        protobuf_c_message_free_unpacked(&minutes->declarations->base, NULL);
    *minutes = (agenda_minutes_t){0};
}

/* referat-2025-02-27.<suffix> */
static void s_minutes_filename(const Samhand__V1__Meeting *m, const char *suffix, char *out,
                               size_t size)
{
    struct tm tm;
    time_oslo(m->start_time->seconds, &tm);
    snprintf(out, size, "referat-%04d-%02d-%02d.%s", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
             suffix);
}

int agenda_minutes_pdf_get(bus_call_t *call)
{
    agenda_minutes_t minutes;
    int rc = s_minutes_load(call, &minutes);
    if (rc == 0) {
        size_t len = 0;
        const char *error = NULL;
        char *pdf = agenda_minutes_pdf(&minutes, &len, &error);
        char filename[64];
        s_minutes_filename(minutes.meeting, "pdf", filename, sizeof filename);
        rc = pdf ? bus_call_reply_document(call, "application/pdf", pdf, len, filename)
                 : bus_call_fail(call, BUS_INTERNAL, NULL, "could not render the minutes: %s",
                                 error);
        free(pdf);
    }
    s_minutes_free(&minutes);
    return rc;
}

int agenda_minutes_html(bus_call_t *call)
{
    agenda_minutes_t minutes;
    if (s_minutes_load(call, &minutes) != 0) {
        s_minutes_free(&minutes);
        return -1;
    }
    size_t len = 0;
    char *body = agenda_minutes_html_render(&minutes, &len);
    char filename[64];
    s_minutes_filename(minutes.meeting, "html", filename, sizeof filename);
    int rc = 0;
    if (body) {
        Samhand__V1__Document doc = SAMHAND__V1__DOCUMENT__INIT;
        doc.content_type = "text/html; charset=utf-8";
        doc.body.data = (uint8_t *)body;
        doc.body.len = len;
        doc.filename = filename;
        bus_call_reply(call, &doc.base);
    } else {
        rc = bus_call_fail(call, BUS_INTERNAL, NULL, "could not render the minutes: out of memory");
    }
    free(body);
    s_minutes_free(&minutes);
    return rc;
}
