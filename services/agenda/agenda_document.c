/* Case documents (saksfremlegg) and their attachments: who is responsible,
 * the numbered proposed decisions, background and assessment, references
 * to earlier cases, and files kept with their SHA-256. */
#include "agenda_server.h"
#include "samhand_check.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NAMES_MAX 20
#define NAME_MAX_CHARS 200
#define DECISIONS_MAX 30
#define DECISION_MAX_CHARS 5000
#define TEXT_MAX_CHARS 50000
#define REFERENCES_MAX 20
#define FILENAME_MAX_CHARS 200
#define ATTACHMENT_MAX_BYTES (10 * 1024 * 1024)

static int s_check_list(bus_call_t *call, const char *name, char **values, size_t n, size_t max_n,
                        size_t max_chars)
{
    if (n > max_n)
        return bus_call_fail(call, BUS_INVALID_ARGUMENT, name, "%s holds at most %zu entries", name,
                             max_n);
    for (size_t i = 0; i < n; i++) {
        char field[64];
        snprintf(field, sizeof field, "%s[%zu]", name, i);
        if (agenda_check_required(call, field, values[i], max_chars) != 0)
            return -1;
    }
    return 0;
}

/* Finds the item in the loaded meeting, fit to carry a case document. */
static Samhand__V1__AgendaItem *s_item(bus_call_t *call, Samhand__V1__Meeting *m, const char *id)
{
    for (size_t i = 0; i < m->n_items; i++) {
        Samhand__V1__AgendaItem *item = m->items[i];
        if (strcmp(item->id, id) != 0)
            continue;
        if (item->kind == SAMHAND__V1__AGENDA_ITEM__KIND__BREAK) {
            bus_call_fail(call, BUS_INVALID_ARGUMENT, "item_id", "a break has no case document");
            return NULL;
        }
        return item;
    }
    bus_call_fail(call, BUS_NOT_FOUND, "item_id", "agenda item %s is not on this meeting", id);
    return NULL;
}

static int s_open(bus_call_t *call, const char *meeting_id, Samhand__V1__Meeting **m)
{
    if (db_begin(call->db) != 0)
        return bus_call_fail_db(call, "change case document");
    if (agenda_meeting_load(call, meeting_id, true, m) != 0)
        return -1;
    if ((*m)->state != SAMHAND__V1__MEETING__STATE__DRAFT &&
        (*m)->state != SAMHAND__V1__MEETING__STATE__NOTICE_PUBLISHED) {
        protobuf_c_message_free_unpacked(&(*m)->base, NULL);
        *m = NULL;
        return bus_call_fail(call, BUS_FAILED_PRECONDITION, "state",
                             "the case documents of a meeting that is held or cancelled cannot "
                             "change");
    }
    return 0;
}

/* Commits with the event and replies with the document as stored. */
/* The change's event goes to every party: of an exempt item's document it
 * says only that it changed. */
static int s_commit(bus_call_t *call, const char *committee_id, const char *item_id, bool exempt)
{
    Samhand__V1__CaseDocument *doc = NULL;
    if (agenda_store_document_get(call->db, item_id, &doc) != 0) {
        db_rollback(call->db);
        return bus_call_fail_db(call, "read case document");
    }
    if (!exempt)
        return agenda_commit(call, "no.samhand.case_document.changed", item_id, NULL, committee_id,
                             &doc->base);
    Samhand__V1__CaseDocument shown = SAMHAND__V1__CASE_DOCUMENT__INIT;
    shown.item_id = doc->item_id;
    shown.update_time = doc->update_time;
    int rc = agenda_commit_reply(call, "no.samhand.case_document.changed", item_id, NULL,
                                 committee_id, &shown.base, &doc->base);
    protobuf_c_message_free_unpacked(&doc->base, NULL);
    return rc;
}

static int s_note_change(bus_call_t *call, const Samhand__V1__Meeting *m,
                         const Samhand__V1__AgendaItem *item, const char *what)
{
    if (m->state != SAMHAND__V1__MEETING__STATE__NOTICE_PUBLISHED)
        return 0;
    char text[400], public_text[128];
    snprintf(text, sizeof text, "%s: %s", what,
             item->case_number[0] ? item->case_number : item->title);
    check_utf8_cut(text);
    snprintf(public_text, sizeof public_text, "%s: %s", what,
             item->case_number[0] ? item->case_number : "(unntatt offentlighet)");
    if (agenda_store_change_add_item(call->db, m->id, item->id, item->is_exempt, text,
                                     public_text) != 0)
        return bus_call_fail_db(call, "record the change");
    return 0;
}

int agenda_document_put(bus_call_t *call)
{
    const Samhand__V1__PutCaseDocumentRequest *req = (const void *)call->request;
    if (s_check_list(call, "responsible", req->responsible, req->n_responsible, NAMES_MAX,
                     NAME_MAX_CHARS) != 0 ||
        s_check_list(call, "case_officers", req->case_officers, req->n_case_officers, NAMES_MAX,
                     NAME_MAX_CHARS) != 0 ||
        s_check_list(call, "proposed_decisions", req->proposed_decisions, req->n_proposed_decisions,
                     DECISIONS_MAX, DECISION_MAX_CHARS) != 0 ||
        agenda_check_optional(call, "background", req->background, TEXT_MAX_CHARS) != 0 ||
        agenda_check_optional(call, "assessment", req->assessment, TEXT_MAX_CHARS) != 0)
        return -1;
    if (req->n_referenced_case_ids > REFERENCES_MAX)
        return bus_call_fail(call, BUS_INVALID_ARGUMENT, "referenced_case_ids",
                             "referenced_case_ids holds at most %d cases", REFERENCES_MAX);
    for (size_t i = 0; i < req->n_referenced_case_ids; i++) {
        char field[48];
        snprintf(field, sizeof field, "referenced_case_ids[%zu]", i);
        if (agenda_check_ref(call, field, req->referenced_case_ids[i], true) != 0)
            return -1;
    }

    Samhand__V1__Meeting *m = NULL;
    if (s_open(call, req->meeting_id, &m) != 0)
        return -1;
    if (bus_call_check_version_by(call, "case_documents", "item_id", req->item_id) != 0) {
        protobuf_c_message_free_unpacked(&m->base, NULL);
        return -1;
    }
    int rc = -1;
    bool exempt = false;
    char committee_id[40];
    snprintf(committee_id, sizeof committee_id, "%s", m->committee_id);
    Samhand__V1__AgendaItem *item = s_item(call, m, req->item_id);
    if (!item)
        goto done;
    int exist = req->n_referenced_case_ids
                    ? agenda_store_cases_exist(call->db, req->referenced_case_ids,
                                               req->n_referenced_case_ids)
                    : 1;
    if (exist < 0) {
        bus_call_fail_db(call, "read cases");
        goto done;
    }
    if (!exist) {
        bus_call_fail(call, BUS_INVALID_ARGUMENT, "referenced_case_ids",
                      "referenced_case_ids names a case that does not exist");
        goto done;
    }
    agenda_document_fields_t fields = {
        .responsible = req->responsible,
        .n_responsible = req->n_responsible,
        .case_officers = req->case_officers,
        .n_case_officers = req->n_case_officers,
        .proposed_decisions = req->proposed_decisions,
        .n_proposed_decisions = req->n_proposed_decisions,
        .referenced_case_ids = req->referenced_case_ids,
        .n_referenced_case_ids = req->n_referenced_case_ids,
        .background = req->background,
        .assessment = req->assessment,
    };
    if (agenda_store_document_put(call->db, item->id, &fields) != 0) {
        bus_call_fail_db(call, "store case document");
        goto done;
    }
    rc = s_note_change(call, m, item, "Endret saksfremlegg");
    exempt = item->is_exempt;
done:
    protobuf_c_message_free_unpacked(&m->base, NULL);
    return rc != 0 ? -1 : s_commit(call, committee_id, req->item_id, exempt);
}

int agenda_document_get(bus_call_t *call)
{
    const Samhand__V1__GetCaseDocumentRequest *req = (const void *)call->request;
    Samhand__V1__Meeting *m = NULL;
    if (agenda_meeting_load(call, req->meeting_id, false, &m) != 0)
        return -1;
    int rc = -1;
    Samhand__V1__AgendaItem *item = s_item(call, m, req->item_id);
    if (!item)
        goto done;
    if (item->is_exempt && !agenda_caller_sees_exempt(call, m->committee_id)) {
        bus_call_fail(call, BUS_NOT_FOUND, "item_id", "agenda item %s has no case document",
                      req->item_id);
        goto done;
    }
    Samhand__V1__CaseDocument *doc = NULL;
    int found = agenda_store_document_get(call->db, item->id, &doc);
    if (found < 0) {
        bus_call_fail_db(call, "read case document");
    } else if (found > 0) {
        bus_call_fail(call, BUS_NOT_FOUND, "item_id", "agenda item %s has no case document",
                      req->item_id);
    } else {
        bus_call_reply_free(call, &doc->base);
        rc = 0;
    }
done:
    protobuf_c_message_free_unpacked(&m->base, NULL);
    return rc;
}

int agenda_attachment_add(bus_call_t *call)
{
    const Samhand__V1__AddAttachmentRequest *req = (const void *)call->request;
    if (agenda_check_required(call, "filename", req->filename, FILENAME_MAX_CHARS) != 0)
        return -1;
    if (strpbrk(req->filename, "/\\\n\r\t\""))
        return bus_call_fail(call, BUS_INVALID_ARGUMENT, "filename",
                             "filename must not hold slashes, quotes or line breaks");
    if (!check_media_type(req->content_type))
        return bus_call_fail(call, BUS_INVALID_ARGUMENT, "content_type",
                             "content_type must be a media type like application/pdf or "
                             "text/plain; charset=utf-8");
    if (req->content.len == 0)
        return bus_call_fail(call, BUS_INVALID_ARGUMENT, "content", "content is empty");
    if (req->content.len > ATTACHMENT_MAX_BYTES)
        return bus_call_fail(call, BUS_INVALID_ARGUMENT, "content",
                             "content is %zu bytes; an attachment may have at most %d",
                             req->content.len, ATTACHMENT_MAX_BYTES);
    Samhand__V1__Meeting *m = NULL;
    if (s_open(call, req->meeting_id, &m) != 0)
        return -1;
    int rc = -1;
    bool exempt = false;
    char committee_id[40], id[40];
    snprintf(committee_id, sizeof committee_id, "%s", m->committee_id);
    Samhand__V1__AgendaItem *item = s_item(call, m, req->item_id);
    if (!item)
        goto done;
    /* an attachment belongs to the case document: make sure there is one */
    Samhand__V1__CaseDocument *doc = NULL;
    int found = agenda_store_document_get(call->db, item->id, &doc);
    if (found == 0)
        protobuf_c_message_free_unpacked(&doc->base, NULL);
    agenda_document_fields_t empty = {0};
    if (found < 0 || (found > 0 && agenda_store_document_put(call->db, item->id, &empty) != 0) ||
        agenda_store_attachment_insert(call->db, item->id, req->filename, req->content_type,
                                       req->content.data, req->content.len, id) != 0) {
        bus_call_fail_db(call, "store attachment");
        goto done;
    }
    rc = s_note_change(call, m, item, "Nytt vedlegg");
    exempt = item->is_exempt;
done:
    protobuf_c_message_free_unpacked(&m->base, NULL);
    return rc != 0 ? -1 : s_commit(call, committee_id, req->item_id, exempt);
}

int agenda_attachment_get(bus_call_t *call)
{
    const Samhand__V1__GetAttachmentRequest *req = (const void *)call->request;
    agenda_attachment_t a = {0};
    int rc = check_uuid(req->id) ? agenda_store_attachment_get(call->db, req->id, &a) : 1;
    if (rc < 0)
        return bus_call_fail_db(call, "read attachment");
    if (rc > 0 || (a.is_draft && !agenda_caller_known(call)) ||
        (a.is_exempt && !agenda_caller_sees_exempt(call, a.committee_id))) {
        agenda_attachment_clear(&a);
        return bus_call_fail(call, BUS_NOT_FOUND, "id", "attachment %s does not exist", req->id);
    }
    Samhand__V1__Document doc = SAMHAND__V1__DOCUMENT__INIT;
    doc.content_type = a.content_type;
    doc.body.data = a.content;
    doc.body.len = a.len;
    doc.filename = a.filename;
    bus_call_reply(call, &doc.base);
    agenda_attachment_clear(&a);
    return 0;
}
