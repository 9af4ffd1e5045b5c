/* A committee's public archive: its meetings' notices as they last went
 * out and their approved minutes, by year, as the partnerships publish
 * them on their web sites. What each document shows a reader is the
 * document's own route's business (notice.pdf, minutes.pdf hide exempt
 * items there); this lists which exist, with the meeting's title as its
 * last notice gave it. */
#include "agenda_checks.h"
#include "agenda_meeting.h"
#include "agenda_server.h"
#include "agenda_store.h"
#include "samhand_check.h"
#include "samhand_time.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KIND(name) SAMHAND__V1__COMMITTEE_DOCUMENT__KIND__##name
#define STATE(name) SAMHAND__V1__MEETING__STATE__##name

static int s_year(const Samhand__V1__Timestamp *t)
{
    char date[11];
    time_oslo_date_iso(t ? t->seconds : 0, date);
    return atoi(date);
}

static Samhand__V1__Timestamp *s_copy_time(const Samhand__V1__Timestamp *t)
{
    if (!t)
        return NULL;
    Samhand__V1__Timestamp *copy = malloc(sizeof *copy);
    assert(copy);
    *copy = *t;
    return copy;
}

/* `title`: the meeting's as its last notice gave it */
static Samhand__V1__CommitteeDocument *s_document(const Samhand__V1__Meeting *m, const char *title,
                                                  int kind)
{
    Samhand__V1__CommitteeDocument *d = malloc(sizeof *d);
    assert(d);
    samhand__v1__committee_document__init(d);
    const char *name = kind == KIND(NOTICE) ? "notice" : "minutes";
    d->kind = kind;
    d->meeting_id = strdup(m->id);
    d->year = s_year(m->start_time);
    d->meeting_time = s_copy_time(m->start_time);
    d->title = strdup(title);
    d->notice_version = kind == KIND(NOTICE) ? m->notice_version : 0;
    d->time = s_copy_time(kind == KIND(NOTICE) ? m->notice_time : m->minutes_approve_time);
    d->is_cancelled = m->state == STATE(CANCELLED);
    char path[128];
    snprintf(path, sizeof path, "/v1/meetings/%s/%s.pdf", m->id, name);
    d->pdf_path = strdup(path);
    snprintf(path, sizeof path, "/v1/meetings/%s/%s.html", m->id, name);
    d->html_path = strdup(path);
    assert(d->meeting_id && d->title && d->pdf_path && d->html_path);
    return d;
}

/* newest meeting first; its minutes before its notice */
static int s_newest_first(const void *a, const void *b)
{
    const Samhand__V1__CommitteeDocument *x = *(void *const *)a, *y = *(void *const *)b;
    int64_t tx = x->meeting_time ? x->meeting_time->seconds : 0;
    int64_t ty = y->meeting_time ? y->meeting_time->seconds : 0;
    if (tx != ty)
        return tx > ty ? -1 : 1;
    int c = strcmp(x->meeting_id, y->meeting_id);
    return c ? c : (int)y->kind - (int)x->kind;
}

int agenda_committee_documents(bus_call_t *call)
{
    const Samhand__V1__ListCommitteeDocumentsRequest *req = (const void *)call->request;
    if (req->year != 0 && (req->year < 1900 || req->year > 9999))
        return bus_call_fail(call, BUS_INVALID_ARGUMENT, "year",
                             "year must be a year written with four digits, e.g. 2023");
    Samhand__V1__Committee *committee = NULL;
    int rc = check_uuid(req->id) ? agenda_store_committee_get(call->db, req->id, &committee) : 1;
    if (rc < 0)
        return bus_call_fail_db(call, "read committee");
    if (rc > 0)
        return bus_call_fail(call, BUS_NOT_FOUND, "id", "committee %s does not exist", req->id);
    protobuf_c_message_free_unpacked(&committee->base, NULL);
    Samhand__V1__ListMeetingsResponse *meetings = NULL;
    if (agenda_meeting_list_committee(call, req->id, &meetings) != 0)
        return -1;
    Samhand__V1__ListCommitteeDocumentsResponse out =
        SAMHAND__V1__LIST_COMMITTEE_DOCUMENTS_RESPONSE__INIT;
    out.documents = calloc(2 * meetings->n_items + 1, sizeof *out.documents);
    out.years = calloc(meetings->n_items + 1, sizeof *out.years);
    assert(out.documents && out.years);
    for (size_t i = 0; i < meetings->n_items; i++) {
        const Samhand__V1__Meeting *m = meetings->items[i];
        /* a notice that went out is public record, the meeting cancelled
         * since or not; minutes once approved */
        if (m->notice_version < 1)
            continue;
        int year = s_year(m->start_time);
        bool known = false;
        for (size_t y = 0; y < out.n_years; y++)
            known = known || out.years[y] == year;
        if (!known)
            out.years[out.n_years++] = year;
        if (req->year && year != req->year)
            continue;
        /* the archive is the public record: those who run the committee
         * read a changed meeting's draft elsewhere, here its last notice */
        Samhand__V1__KeptNotice *kept = NULL;
        if (m->has_unpublished_changes &&
            agenda_store_notice_get(call->db, m->id, m->notice_version, &kept) < 0) {
            rc = bus_call_fail_db(call, "read the notice");
            break;
        }
        const char *title = kept && kept->meeting ? kept->meeting->title : m->title;
        out.documents[out.n_documents++] = s_document(m, title, KIND(NOTICE));
        if (m->state == STATE(MINUTES_APPROVED))
            out.documents[out.n_documents++] = s_document(m, title, KIND(MINUTES));
        if (kept)
            protobuf_c_message_free_unpacked(&kept->base, NULL);
    }
    protobuf_c_message_free_unpacked(&meetings->base, NULL);
    qsort(out.documents, out.n_documents, sizeof *out.documents, s_newest_first);
    for (size_t i = 1; i < out.n_years; i++) /* newest first: few, by insertion */
        for (size_t j = i; j > 0 && out.years[j] > out.years[j - 1]; j--) {
            int t = out.years[j];
            out.years[j] = out.years[j - 1], out.years[j - 1] = t;
        }
    if (rc == 0)
        rc = bus_call_reply(call, &out.base);
    for (size_t i = 0; i < out.n_documents; i++)
        protobuf_c_message_free_unpacked(&out.documents[i]->base, NULL);
    free(out.documents);
    free(out.years);
    return rc;
}
