/* The documents of a meeting for people and their calendars: the notice
 * (møteinnkalling) with its agenda table in Norwegian, as the seed notices
 * look, and the calendars: loading them and replying; the rendering is
 * agenda_notice_html.c's, agenda_notice_pdf.c's and agenda_ics.c's. */
#include "agenda_ics.h"
#include "agenda_meeting.h"
#include "agenda_notice.h"
#include "agenda_notice_html.h"
#include "agenda_notice_pdf.h"
#include "agenda_scope.h"
#include "agenda_server.h"
#include "agenda_store_attendance.h"
#include "samhand_check.h"
#include "samhand_html.h"
#include "samhand_time.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The committee and the chair standing in, for the heading. */
static int s_context(bus_call_t *call, const Samhand__V1__Meeting *m,
                     Samhand__V1__Committee **committee, Samhand__V1__Person **chair)
{
    if (agenda_store_committee_get(call->db, m->committee_id, committee) != 0)
        return bus_call_fail_db(call, "read committee");
    *chair = NULL;
    if (m->chair_person_id[0] && agenda_store_person_get(call->db, m->chair_person_id, chair) < 0)
        return bus_call_fail_db(call, "read person");
    return 0;
}

const Samhand__V1__AgendaItem *agenda_notice_item_of(const Samhand__V1__Meeting *m,
                                                     const Samhand__V1__CaseDocument *doc)
{
    for (size_t i = 0; i < m->n_items; i++)
        if (strcmp(m->items[i]->id, doc->item_id) == 0)
            return m->items[i];
    return NULL;
}

/* A notice as the caller may read it, with what it owns. */
typedef struct {
    agenda_notice_t notice;
    Samhand__V1__Meeting *meeting;
    Samhand__V1__Committee *committee;
    Samhand__V1__Person *chair;
    Samhand__V1__CaseDocument **docs; /* all read; notice.case_docs: those shown */
    size_t n_docs;
    Samhand__V1__ListDisqualificationsResponse *declarations; /* the secretary's only */
} s_loaded_t;

static void s_loaded_free(s_loaded_t *loaded)
{
    for (size_t i = 0; i < loaded->notice.n_changes; i++)
        free(loaded->notice.changes[i]);
    free(loaded->notice.changes);
    free(loaded->notice.case_docs);
    for (size_t i = 0; i < loaded->n_docs; i++)
        protobuf_c_message_free_unpacked(&loaded->docs[i]->base, NULL);
    free(loaded->docs);
    if (loaded->committee)
        protobuf_c_message_free_unpacked(&loaded->committee->base, NULL);
    if (loaded->chair)
        protobuf_c_message_free_unpacked(&loaded->chair->base, NULL);
    if (loaded->meeting)
        protobuf_c_message_free_unpacked(&loaded->meeting->base, NULL);
    if (loaded->declarations)
        protobuf_c_message_free_unpacked(&loaded->declarations->base, NULL);
}

/* The case documents shown with the notice: those of items on it and not
 * withdrawn; exempt ones only for callers with a standing. */
static int s_shown_documents(bus_call_t *call, s_loaded_t *loaded)
{
    const Samhand__V1__Meeting *m = loaded->meeting;
    agenda_notice_t *notice = &loaded->notice;
    notice->case_docs = calloc(loaded->n_docs ? loaded->n_docs : 1, sizeof *notice->case_docs);
    if (!notice->case_docs)
        return bus_call_fail(call, BUS_INTERNAL, NULL, "out of memory");
    int sees_exempt = -1; /* asked at the first exempt item, once */
    for (size_t k = 0; k < loaded->n_docs; k++) {
        const Samhand__V1__AgendaItem *item = agenda_notice_item_of(m, loaded->docs[k]);
        if (!item || item->is_withdrawn)
            continue;
        if (item->is_exempt && sees_exempt < 0)
            sees_exempt = agenda_caller_sees_exempt(call, m->committee_id);
        if (item->is_exempt && !sees_exempt)
            continue;
        notice->case_docs[notice->n_case_docs++] = loaded->docs[k];
    }
    return 0;
}

/* The declarations of disqualification with their reasons, for those
 * who run the committee (the notice lists them to the secretary only). */
static int s_declarations(bus_call_t *call, s_loaded_t *loaded)
{
    const Samhand__V1__Meeting *m = loaded->meeting;
    if (agenda_caller_standing(call, m->committee_id) != AGENDA_STANDING_RUNS)
        return 0;
    loaded->declarations = calloc(1, sizeof *loaded->declarations);
    if (!loaded->declarations)
        return bus_call_fail(call, BUS_INTERNAL, NULL, "out of memory");
    samhand__v1__list_disqualifications_response__init(loaded->declarations);
    if (agenda_store_disqualifications(call->db, m->id, NULL, &loaded->declarations->base,
                                       "items") != 0)
        return bus_call_fail_db(call, "read declarations");
    loaded->notice.declarations = loaded->declarations->items;
    loaded->notice.n_declarations = loaded->declarations->n_items;
    return 0;
}

/* Reads the notice asked for (the meeting, ?version=N) as the caller may
 * see it. 0, or -1 having failed the call; s_loaded_free either way. */
static int s_notice_load(bus_call_t *call, s_loaded_t *loaded)
{
    const Samhand__V1__GetMeetingRequest *req = (const void *)call->request;
    memset(loaded, 0, sizeof *loaded);
    int version = agenda_meeting_version_asked(call, req->version);
    if (version < 0 || agenda_meeting_read(call, req->id, version, &loaded->meeting, &loaded->docs,
                                           &loaded->n_docs) != 0)
        return -1;
    const Samhand__V1__Meeting *m = loaded->meeting;
    agenda_notice_t *notice = &loaded->notice;
    /* the working draft shows what its next supplementary notice will say */
    notice->is_drafted = m->has_unpublished_changes;
    if (s_context(call, m, &loaded->committee, &loaded->chair) != 0)
        return -1;
    if ((notice->is_drafted || m->notice_version > 1) &&
        agenda_store_changes_of(call->db, m->id, notice->is_drafted ? 0 : m->notice_version,
                                &notice->changes, &notice->n_changes) != 0)
        return bus_call_fail_db(call, "read changes");
    notice->meeting = m;
    notice->committee = loaded->committee;
    notice->chair = loaded->chair;
    notice->heading = m->state == SAMHAND__V1__MEETING__STATE__DRAFT ? "MØTEINNKALLING (UTKAST)"
                      : notice->is_drafted                           ? "TILLEGGSINNKALLING (UTKAST)"
                      : m->notice_version > 1                        ? "TILLEGGSINNKALLING"
                                                                     : "MØTEINNKALLING";
    return s_shown_documents(call, loaded) != 0 ? -1 : s_declarations(call, loaded);
}

/* innkalling-2023-02-08.<suffix> */
static void s_notice_filename(const Samhand__V1__Meeting *m, const char *suffix, char *out,
                              size_t size)
{
    struct tm tm;
    time_oslo(m->start_time->seconds, &tm);
    snprintf(out, size, "innkalling-%04d-%02d-%02d.%s", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, suffix);
}

int agenda_notice_pdf_get(bus_call_t *call)
{
    s_loaded_t loaded;
    int rc = s_notice_load(call, &loaded);
    if (rc == 0) {
        size_t len = 0;
        const char *error = NULL;
        char *pdf = agenda_notice_pdf(&loaded.notice, &len, &error);
        char filename[96];
        s_notice_filename(loaded.meeting, "pdf", filename, sizeof filename);
        rc =
            pdf ? bus_call_reply_document(call, "application/pdf", pdf, len, filename)
                : bus_call_fail(call, BUS_INTERNAL, NULL, "could not render the notice: %s", error);
        free(pdf);
    }
    s_loaded_free(&loaded);
    return rc;
}

int agenda_notice_html(bus_call_t *call)
{
    s_loaded_t loaded;
    if (s_notice_load(call, &loaded) != 0) {
        s_loaded_free(&loaded);
        return -1;
    }
    const agenda_notice_t *notice = &loaded.notice;
    size_t len = 0;
    char *body = agenda_notice_html_render(notice, &len);
    if (!body) {
        s_loaded_free(&loaded);
        return bus_call_fail(call, BUS_INTERNAL, NULL,
                             "could not render the notice: out of memory");
    }
    char filename[96];
    s_notice_filename(notice->meeting, "html", filename, sizeof filename);
    bus_call_reply_document(call, "text/html; charset=utf-8", body, len, filename);
    free(body);
    s_loaded_free(&loaded);
    return 0;
}

/* ------------------------------------------------------------ iCalendar */

int agenda_notice_ics(bus_call_t *call)
{
    const Samhand__V1__GetMeetingRequest *req = (const void *)call->request;
    Samhand__V1__Meeting *m = NULL;
    Samhand__V1__Committee *committee = NULL;
    Samhand__V1__Person *chair = NULL;
    int version = agenda_meeting_version_asked(call, req->version);
    if (version < 0 || agenda_meeting_read(call, req->id, version, &m, NULL, NULL) != 0)
        return -1;
    int rc = s_context(call, m, &committee, &chair);
    if (rc != 0)
        goto done;
    size_t len = 0;
    char *body = agenda_ics_meeting(m, committee, bus_now_ms() / 1000, &len);
    bus_call_reply_document(call, "text/calendar; charset=utf-8", body, len, "mote.ics");
    free(body);
done:
    if (committee)
        protobuf_c_message_free_unpacked(&committee->base, NULL);
    if (chair)
        protobuf_c_message_free_unpacked(&chair->base, NULL);
    protobuf_c_message_free_unpacked(&m->base, NULL);
    return rc;
}

/* Every noticed meeting of a committee, for subscribing in a calendar. */
int agenda_committee_ics(bus_call_t *call)
{
    const Samhand__V1__GetCommitteeRequest *req = (const void *)call->request;
    Samhand__V1__Committee *committee = NULL;
    int rc = check_uuid(req->id) ? agenda_store_committee_get(call->db, req->id, &committee) : 1;
    if (rc < 0)
        return bus_call_fail_db(call, "read committee");
    if (rc > 0)
        return bus_call_fail(call, BUS_NOT_FOUND, "id", "committee %s does not exist", req->id);
    Samhand__V1__ListMeetingsResponse *meetings = NULL;
    rc = agenda_meeting_list_committee(call, committee->id, &meetings);
    if (rc == 0) {
        size_t len = 0;
        char *body = agenda_ics_committee(committee, meetings->items, meetings->n_items,
                                          bus_now_ms() / 1000, &len);
        bus_call_reply_document(call, "text/calendar; charset=utf-8", body, len, "utvalg.ics");
        free(body);
        protobuf_c_message_free_unpacked(&meetings->base, NULL);
    }
    protobuf_c_message_free_unpacked(&committee->base, NULL);
    return rc;
}

static void s_carried_from(FILE *out, const Samhand__V1__AgendaItem *item,
                           void (*text)(FILE *, const char *))
{
    fputs("Utsatt fra ", out);
    if (item->carried_from_meeting_time) {
        char date[11];
        time_format_date(item->carried_from_meeting_time->seconds, date);
        fprintf(out, "møtet %s", date);
    } else {
        fputs("et tidligere møte", out);
    }
    /* a case that kept its number need not say it twice */
    if (item->carried_from_case_number[0] &&
        strcmp(item->carried_from_case_number, item->case_number) != 0) {
        fputs(", sak ", out);
        text(out, item->carried_from_case_number);
    }
}

static void s_plain_text(FILE *out, const char *text)
{
    fputs(text, out);
}

void agenda_carried_from_text(FILE *out, const Samhand__V1__AgendaItem *item)
{
    s_carried_from(out, item, html_text);
}

void agenda_carried_from_plain(FILE *out, const Samhand__V1__AgendaItem *item)
{
    s_carried_from(out, item, s_plain_text);
}

const char *agenda_meeting_kind_text(int kind)
{
    switch (kind) {
    case SAMHAND__V1__MEETING__KIND__EXTRAORDINARY:
        return "Ekstraordinært møte";
    case SAMHAND__V1__MEETING__KIND__EMERGENCY:
        return "Beredskapsmøte";
    default:
        return NULL;
    }
}
