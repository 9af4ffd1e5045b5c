/* The PDFs notify attaches to the mails of a meeting (the notice, the
 * approved minutes): each recipient gets the variant they would read
 * signed in, the members' (exempt items in full) to those with a
 * membership of the committee today, the public's (exempt items by their
 * public title) to everyone else. The documents are notice.pdf's and
 * minutes.pdf's, made by their own handlers for the reader; at most two a
 * request. No route of the gateway's leads here. */
#include "agenda_server.h"
#include "agenda_store.h"
#include "samhand_check.h"

#include <stdlib.h>
#include <string.h>

#define KIND(name) SAMHAND__V1__GET_MAIL_DOCUMENTS_REQUEST__KIND__##name

/* The document as `person_id` reads it (NULL: as the public does) into
 * *out (the caller frees it). 0, or -1 having failed the call. */
static int s_render(bus_call_t *call, const Samhand__V1__GetMailDocumentsRequest *req,
                    const char *person_id, Samhand__V1__Document **out)
{
    Samhand__V1__GetMeetingRequest notice = SAMHAND__V1__GET_MEETING_REQUEST__INIT;
    notice.id = req->meeting_id;
    notice.version = req->version;
    Samhand__V1__GetMeetingDocumentRequest minutes =
        SAMHAND__V1__GET_MEETING_DOCUMENT_REQUEST__INIT;
    minutes.id = req->meeting_id;
    bool is_minutes = req->kind == KIND(MINUTES);
    /* a call of this handler's own: the reader is the recipient, never
     * the service that asks */
    Samhand__V1__Envelope envelope = *call->envelope;
    envelope.principal = NULL;
    bus_call_t inner = {
        .envelope = &envelope,
        .request = is_minutes ? &minutes.base : &notice.base,
        .db = call->db,
        .service = call->service,
        .server = call->server,
        .reader_person_id = person_id,
    };
    if (is_minutes)
        agenda_minutes_pdf_get(&inner);
    else
        agenda_notice_pdf_get(&inner);
    call->db = inner.db;
    int rc = 0;
    if (inner.code != BUS_OK) {
        /* the document handlers fail with one field, never a list */
        rc = bus_call_fail(call, inner.code, inner.field[0] ? inner.field : NULL, "%s",
                           inner.message);
    } else if (!(*out = samhand__v1__document__unpack(NULL, inner.body_len, inner.body))) {
        rc = bus_call_fail(call, BUS_INTERNAL, NULL, "could not render the document");
    }
    free(inner.body);
    return rc;
}

int agenda_mail_documents(bus_call_t *call)
{
    const Samhand__V1__GetMailDocumentsRequest *req = (const void *)call->request;
    if (!check_uuid(req->meeting_id))
        return bus_call_fail(call, BUS_INVALID_ARGUMENT, "meeting_id", "meeting_id must be a UUID");
    if (req->kind != KIND(NOTICE) && req->kind != KIND(MINUTES))
        return bus_call_fail(call, BUS_INVALID_ARGUMENT, "kind", "kind must be NOTICE or MINUTES");
    if (req->n_person_ids == 0)
        return bus_call_fail(call, BUS_INVALID_ARGUMENT, "person_ids",
                             "person_ids (the recipients) is required");
    for (size_t i = 0; i < req->n_person_ids; i++)
        if (!check_uuid(req->person_ids[i]))
            return bus_call_fail(call, BUS_INVALID_ARGUMENT, "person_ids",
                                 "person_ids must be UUIDs");
    const char **members = calloc(req->n_person_ids, sizeof *members);
    if (!members)
        return bus_call_fail(call, BUS_INTERNAL, NULL, "out of memory");
    int n_members = agenda_store_members_of_meeting(call->db, req->meeting_id, req->person_ids,
                                                    req->n_person_ids, members);
    Samhand__V1__Document *public_doc = NULL, *members_doc = NULL;
    int rc = n_members < 0 ? bus_call_fail_db(call, "read memberships") : 0;
    if (rc == 0 && (size_t)n_members < req->n_person_ids)
        rc = s_render(call, req, NULL, &public_doc);
    if (rc == 0 && n_members > 0)
        rc = s_render(call, req, members[0], &members_doc);
    if (rc == 0) {
        Samhand__V1__GetMailDocumentsResponse resp = SAMHAND__V1__GET_MAIL_DOCUMENTS_RESPONSE__INIT;
        resp.public_document = public_doc;
        resp.members_document = members_doc;
        resp.member_person_ids = (char **)members;
        resp.n_member_person_ids = (size_t)n_members;
        bus_call_reply(call, &resp.base);
    }
    if (public_doc)
        samhand__v1__document__free_unpacked(public_doc, NULL);
    if (members_doc)
        samhand__v1__document__free_unpacked(members_doc, NULL);
    free(members);
    return rc;
}
