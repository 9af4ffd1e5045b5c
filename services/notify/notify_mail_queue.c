/* The plumbing every mail's planning shares: a mail queued once per event
 * and address (the mailer woken when it commits), and the documents a mail
 * carries fetched from agenda (a document to render into its text, the
 * PDFs kept for its recipients). Which mails an event calls for is in
 * notify_mail.c, notify_mail_callup.c and notify_mail_dispute.c. */
#include "notify_server.h"
#include "notify_store.h"
#include "samhand/v1/agenda.pb-c.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void s_on_mail_queued(void *arg)
{
    (void)arg;
    notify_mail_wake();
}

int notify_mail_queue(db_t *db, const char *event_id, const char *kind, const char *to,
                      const char *organization_id, const char *subject, const char *html,
                      const char *calendar)
{
    return notify_mail_queue_with(db, event_id, kind, to, organization_id, subject, html, calendar,
                                  NULL);
}

int notify_mail_queue_with(db_t *db, const char *event_id, const char *kind, const char *to,
                           const char *organization_id, const char *subject, const char *html,
                           const char *calendar, const char *document_id)
{
    const char *params[] = {event_id,        kind,       to, subject, html, calendar,
                            organization_id, document_id};
    int is_queued = notify_store_mail_insert_with(db, params);
    if (is_queued < 0)
        return -1;
    if (is_queued) { /* not: planned already, or not to be sent */
        db_count_at_commit(db, "mail", "in", 1);
        db_at_commit(db, s_on_mail_queued, NULL); /* the mailer sends it once committed */
    }
    return 0;
}

/* A client per render: they are few (a notice, minutes), and nothing is
 * left behind when the consumer's thread ends. */
char *notify_mail_render(const notify_context_t *ctx, const char *method, const char *meeting_id,
                         int version)
{
    bus_client_t *client = bus_client_new(ctx->agenda_endpoint);
    Samhand__V1__GetMeetingRequest req = SAMHAND__V1__GET_MEETING_REQUEST__INIT;
    char number[16] = "";
    if (version > 0)
        snprintf(number, sizeof number, "%d", version);
    req.id = (char *)meeting_id;
    req.version = number;
    Samhand__V1__Envelope *reply = bus_client_call(client, method, &req.base, 5000);
    bus_client_destroy(&client);
    if (!reply)
        return NULL;
    char *text = NULL;
    if (!reply->status || reply->status->code == BUS_OK) {
        Samhand__V1__Document *doc =
            samhand__v1__document__unpack(NULL, reply->body.len, reply->body.data);
        if (doc) {
            text = strndup((const char *)doc->body.data, doc->body.len);
            samhand__v1__document__free_unpacked(doc, NULL);
        }
    }
    samhand__v1__envelope__free_unpacked(reply, NULL);
    return text;
}

int notify_mail_keep_documents(db_t *db, const Samhand__V1__Event *e, const notify_context_t *ctx,
                               const char *meeting_id, int notice_version, bool is_minutes,
                               char *const *person_ids, int n, const char *filename,
                               char (*document_ids)[40])
{
    Samhand__V1__GetMailDocumentsRequest req = SAMHAND__V1__GET_MAIL_DOCUMENTS_REQUEST__INIT;
    char version[16] = "";
    if (!is_minutes && notice_version > 0)
        snprintf(version, sizeof version, "%d", notice_version);
    req.meeting_id = (char *)meeting_id;
    req.kind = is_minutes ? SAMHAND__V1__GET_MAIL_DOCUMENTS_REQUEST__KIND__MINUTES
                          : SAMHAND__V1__GET_MAIL_DOCUMENTS_REQUEST__KIND__NOTICE;
    req.version = version;
    req.person_ids = (char **)person_ids;
    req.n_person_ids = (size_t)n;
    /* on the consumer's fiber: the loop serves on while agenda renders */
    bus_client_t *client = bus_client_new(ctx->agenda_endpoint);
    Samhand__V1__Envelope *reply =
        client ? bus_client_call(client, "agenda.GetMailDocuments", &req.base, 15000) : NULL;
    bus_client_destroy(&client);
    Samhand__V1__GetMailDocumentsResponse *docs =
        !reply || (reply->status && reply->status->code != BUS_OK)
            ? NULL
            : samhand__v1__get_mail_documents_response__unpack(NULL, reply->body.len,
                                                               reply->body.data);
    if (reply)
        samhand__v1__envelope__free_unpacked(reply, NULL);
    if (!docs)
        return -1;
    char public_id[40] = "", members_id[40] = "";
    int rc = 0;
    if (docs->public_document &&
        notify_store_mail_document_keep(
            db, e->id, "public", filename, docs->public_document->content_type,
            docs->public_document->body.data, docs->public_document->body.len, public_id) != 0)
        rc = -1;
    if (rc == 0 && docs->members_document &&
        notify_store_mail_document_keep(
            db, e->id, "members", filename, docs->members_document->content_type,
            docs->members_document->body.data, docs->members_document->body.len, members_id) != 0)
        rc = -1;
    for (int i = 0; rc == 0 && i < n; i++) {
        bool is_member = false;
        for (size_t k = 0; k < docs->n_member_person_ids; k++)
            if (strcmp(docs->member_person_ids[k], person_ids[i]) == 0)
                is_member = true;
        snprintf(document_ids[i], 40, "%s", is_member ? members_id : public_id);
        if (!document_ids[i][0])
            rc = -1; /* agenda left someone without a document */
    }
    samhand__v1__get_mail_documents_response__free_unpacked(docs, NULL);
    return rc;
}
