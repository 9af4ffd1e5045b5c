/* Case documents (saksfremlegg) and their attachments: who is responsible,
 * the numbered proposed decisions, background and assessment, references
 * to earlier cases, and files kept with their SHA-256. */
#include "agenda_checks.h"
#include "agenda_document.h"
#include "agenda_meeting.h"
#include "agenda_scope.h"
#include "agenda_server.h"
#include "samhand_check.h"

#include <assert.h>
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

static Samhand__V1__CaseDocument *s_document_of(Samhand__V1__CaseDocument **docs, size_t n,
                                                const char *item_id)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(docs[i]->item_id, item_id) == 0)
            return docs[i];
    return NULL;
}

static void s_free_documents(Samhand__V1__CaseDocument **docs, size_t n)
{
    for (size_t i = 0; i < n; i++)
        protobuf_c_message_free_unpacked(&docs[i]->base, NULL);
    free(docs);
}

/* What an event of the item's case document says to every party: the
 * document as the public reads it, `m` and `docs` (agenda_meeting_public:
 * of a noticed meeting, its last notice). Of an exempt item only that it
 * changed; of an item or a document the notice does not carry (drafted
 * after it), only the item's id. Fills and returns `ids` unless the whole
 * document is shown. */
static const Samhand__V1__CaseDocument *s_shown(const Samhand__V1__Meeting *m,
                                                Samhand__V1__CaseDocument **docs, size_t n,
                                                const char *item_id, Samhand__V1__CaseDocument *ids)
{
    const Samhand__V1__AgendaItem *item = NULL;
    for (size_t i = 0; i < m->n_items && !item; i++)
        if (strcmp(m->items[i]->id, item_id) == 0)
            item = m->items[i];
    Samhand__V1__CaseDocument *doc = item ? s_document_of(docs, n, item_id) : NULL;
    if (doc && !item->is_exempt)
        return doc;
    samhand__v1__case_document__init(ids);
    ids->item_id = (char *)item_id;
    ids->update_time = doc ? doc->update_time : NULL;
    return ids;
}

/* Commits with the event and replies with the document as stored. The
 * event goes to every party: the document as the public reads it
 * (s_shown), never the draft after a notice. */
static int s_commit(bus_call_t *call, const char *meeting_id, const char *committee_id,
                    const char *item_id)
{
    Samhand__V1__CaseDocument *doc = NULL, **docs = NULL;
    size_t n_docs = 0;
    if (agenda_store_document_get(call->db, item_id, &doc) != 0) {
        db_rollback(call->db);
        return bus_call_fail_db(call, "read case document");
    }
    Samhand__V1__Meeting *m = agenda_meeting_public(call, meeting_id, &docs, &n_docs);
    int rc = -1;
    if (!m) {
        db_rollback(call->db);
    } else {
        Samhand__V1__CaseDocument ids;
        const Samhand__V1__CaseDocument *shown = s_shown(m, docs, n_docs, item_id, &ids);
        rc = agenda_commit_reply(call, "no.samhand.case_document.changed", item_id, NULL,
                                 committee_id, &shown->base, &doc->base);
        protobuf_c_message_free_unpacked(&m->base, NULL);
    }
    s_free_documents(docs, n_docs);
    protobuf_c_message_free_unpacked(&doc->base, NULL);
    return rc;
}

/* Whether two forms of a document say the same. */
static bool s_same(const Samhand__V1__CaseDocument *a, const Samhand__V1__CaseDocument *b)
{
    size_t len = protobuf_c_message_get_packed_size(&a->base);
    if (len != protobuf_c_message_get_packed_size(&b->base))
        return false;
    uint8_t *pa = malloc(len + 1), *pb = malloc(len + 1);
    assert(pa && pb);
    protobuf_c_message_pack(&a->base, pa);
    protobuf_c_message_pack(&b->base, pb);
    bool same = memcmp(pa, pb, len) == 0;
    free(pa);
    free(pb);
    return same;
}

int agenda_document_noticed(bus_call_t *call, const char *meeting_id, int version)
{
    Samhand__V1__KeptNotice *before = NULL;
    int rc = agenda_store_notice_get(call->db, meeting_id, version - 1, &before);
    if (rc != 0) /* the notice before went out before notices were kept */
        return rc < 0 ? bus_call_fail_db(call, "read the notice") : 0;
    Samhand__V1__CaseDocument **docs = NULL;
    size_t n_docs = 0;
    Samhand__V1__Meeting *m = agenda_meeting_public(call, meeting_id, &docs, &n_docs);
    rc = m ? 0 : -1;
    for (size_t i = 0; rc == 0 && i < n_docs; i++) {
        const Samhand__V1__CaseDocument *was =
            s_document_of(before->case_documents, before->n_case_documents, docs[i]->item_id);
        if (was && s_same(was, docs[i]))
            continue;
        Samhand__V1__CaseDocument ids;
        const Samhand__V1__CaseDocument *shown = s_shown(m, docs, n_docs, docs[i]->item_id, &ids);
        if (db_outbox_append(call->db, "no.samhand.case_document.changed", docs[i]->item_id, NULL,
                             m->committee_id, &shown->base) != 0)
            rc = bus_call_fail_db(call, "record the change");
    }
    if (m)
        protobuf_c_message_free_unpacked(&m->base, NULL);
    s_free_documents(docs, n_docs);
    protobuf_c_message_free_unpacked(&before->base, NULL);
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
done:
    protobuf_c_message_free_unpacked(&m->base, NULL);
    return rc != 0 ? -1 : s_commit(call, req->meeting_id, committee_id, req->item_id);
}

int agenda_document_get(bus_call_t *call)
{
    const Samhand__V1__GetCaseDocumentRequest *req = (const void *)call->request;
    Samhand__V1__Meeting *m = NULL;
    Samhand__V1__CaseDocument **docs = NULL;
    size_t n_docs = 0;
    /* as the caller reads the meeting: of a noticed one, the document its
     * last notice carried, to all but those who run the committee */
    if (agenda_meeting_read(call, req->meeting_id, 0, &m, &docs, &n_docs) != 0)
        return -1;
    int rc = -1;
    Samhand__V1__AgendaItem *item = s_item(call, m, req->item_id);
    if (!item)
        goto done;
    Samhand__V1__CaseDocument *doc = s_document_of(docs, n_docs, item->id);
    if (!doc || (item->is_exempt && !agenda_caller_sees_exempt(call, m->committee_id))) {
        bus_call_fail(call, BUS_NOT_FOUND, "item_id", "agenda item %s has no case document",
                      req->item_id);
        goto done;
    }
    bus_call_reply(call, &doc->base);
    rc = 0;
done:
    s_free_documents(docs, n_docs);
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
done:
    protobuf_c_message_free_unpacked(&m->base, NULL);
    return rc != 0 ? -1 : s_commit(call, req->meeting_id, committee_id, req->item_id);
}

int agenda_attachment_get(bus_call_t *call)
{
    const Samhand__V1__GetAttachmentRequest *req = (const void *)call->request;
    agenda_attachment_t a = {0};
    int rc = check_uuid(req->id) ? agenda_store_attachment_get(call->db, req->id, &a) : 1;
    if (rc < 0)
        return bus_call_fail_db(call, "read attachment");
    /* one added after the notice is read with the notice that carries it,
     * but by those who run the committee */
    if (rc > 0 || (a.is_draft && !agenda_caller_known(call)) ||
        (a.is_exempt && !agenda_caller_sees_exempt(call, a.committee_id)) ||
        (a.is_drafted && agenda_caller_standing(call, a.committee_id) != AGENDA_STANDING_RUNS)) {
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
