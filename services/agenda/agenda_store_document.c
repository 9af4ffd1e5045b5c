/* SQL of case documents and their attachments; see agenda_store.h for the
 * contract. */
#include "agenda_store_sql.h"
#include "samhand_rows.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int agenda_store_document_put(db_t *db, const char *item_id, const agenda_document_fields_t *f)
{
    char *responsible = rows_json_array(f->responsible, f->n_responsible);
    char *officers = rows_json_array(f->case_officers, f->n_case_officers);
    char *decisions = rows_json_array(f->proposed_decisions, f->n_proposed_decisions);
    char *references = rows_json_array(f->referenced_case_ids, f->n_referenced_case_ids);
    if (!responsible || !officers || !decisions || !references) {
        free(responsible);
        free(officers);
        free(decisions);
        free(references);
        return -1;
    }
    const char *params[] = {item_id,       responsible,   officers,  decisions,
                            f->background, f->assessment, references};
    int rc =
        rows_exec(db,
                  "INSERT INTO case_documents (item_id, responsible, case_officers, "
                  "proposed_decisions, background, assessment, referenced_case_ids) VALUES ($1, "
                  "ARRAY(SELECT jsonb_array_elements_text($2::jsonb)), "
                  "ARRAY(SELECT jsonb_array_elements_text($3::jsonb)), "
                  "ARRAY(SELECT jsonb_array_elements_text($4::jsonb)), coalesce($5, ''), "
                  "coalesce($6, ''), ARRAY(SELECT jsonb_array_elements_text($7::jsonb)::uuid)) "
                  "ON CONFLICT (item_id) DO UPDATE SET responsible = EXCLUDED.responsible, "
                  "case_officers = EXCLUDED.case_officers, proposed_decisions = "
                  "EXCLUDED.proposed_decisions, background = EXCLUDED.background, assessment = "
                  "EXCLUDED.assessment, referenced_case_ids = EXCLUDED.referenced_case_ids, "
                  "updated_at = now()",
                  7, params);
    free(responsible);
    free(officers);
    free(decisions);
    free(references);
    return rc;
}

int agenda_store_cases_exist(db_t *db, char **ids, size_t n)
{
    char *json = rows_json_array(ids, n);
    if (!json)
        return -1;
    const char *params[] = {json};
    PGresult *res = db_query(db,
                             "SELECT count(*) FROM cases WHERE id IN "
                             "(SELECT jsonb_array_elements_text($1::jsonb)::uuid)",
                             1, params);
    free(json);
    if (!res)
        return -1;
    size_t found = (size_t)atol(PQgetvalue(res, 0, 0));
    PQclear(res);
    return found == n;
}

/* DOCUMENT_COLUMNS (below), in order, into samhand.v1.CaseDocument */
static const rows_map_t s_document_map = ROWS_MAP(
    samhand__v1__case_document__descriptor, "item_id", "responsible", "case_officers",
    "proposed_decisions", "background", "assessment", "referenced_case_ids", "update_time");

static ProtobufCMessage *s_document(const PGresult *res, int row)
{
    return rows_read(&s_document_map, res, row);
}

/* Attachments of the documents in `docs`, in order of arrival. */
static int s_attachments(db_t *db, Samhand__V1__CaseDocument **docs, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        const char *params[] = {docs[k]->item_id};
        PGresult *res = db_query(db,
                                 "SELECT id, filename, content_type, size_bytes, "
                                 "encode(sha256, 'hex') FROM attachments WHERE item_id = $1 "
                                 "ORDER BY created_at, id",
                                 1, params);
        if (!res)
            return -1;
        int rows = PQntuples(res);
        docs[k]->attachments = calloc((size_t)rows + 1, sizeof *docs[k]->attachments);
        assert(docs[k]->attachments);
        for (int i = 0; i < rows; i++) {
            Samhand__V1__AttachmentInfo *a = malloc(sizeof *a);
            assert(a);
            samhand__v1__attachment_info__init(a);
            a->id = rows_text(res, i, 0);
            a->filename = rows_text(res, i, 1);
            a->content_type = rows_text(res, i, 2);
            a->size_bytes = strtoll(PQgetvalue(res, i, 3), NULL, 10);
            a->sha256 = rows_text(res, i, 4);
            docs[k]->attachments[i] = a;
        }
        docs[k]->n_attachments = (size_t)rows;
        PQclear(res);
    }
    return 0;
}

#define DOCUMENT_COLUMNS                                                                           \
    "d.item_id, array_to_json(d.responsible)::text, array_to_json(d.case_officers)::text, "        \
    "array_to_json(d.proposed_decisions)::text, d.background, d.assessment, "                      \
    "array_to_json(d.referenced_case_ids)::text, " ROWS_TIMESTAMP_US("d.updated_at")

int agenda_store_document_get(db_t *db, const char *item_id, Samhand__V1__CaseDocument **out)
{
    const char *params[] = {item_id};
    int rc = rows_one(db, "SELECT " DOCUMENT_COLUMNS " FROM case_documents d WHERE d.item_id = $1",
                      1, params, s_document, (ProtobufCMessage **)out);
    if (rc != 0)
        return rc;
    if (s_attachments(db, out, 1) != 0) {
        protobuf_c_message_free_unpacked(&(*out)->base, NULL);
        *out = NULL;
        return -1;
    }
    return 0;
}

int agenda_store_documents_of_meeting(db_t *db, const char *meeting_id,
                                      Samhand__V1__CaseDocument ***out, size_t *n)
{
    const char *params[] = {meeting_id};
    PGresult *res = db_query(db,
                             "SELECT " DOCUMENT_COLUMNS " FROM case_documents d JOIN agenda_items "
                             "i ON i.id = d.item_id WHERE i.meeting_id = $1 ORDER BY i.position",
                             1, params);
    if (!res)
        return -1;
    int rows = PQntuples(res);
    *out = calloc((size_t)rows + 1, sizeof **out);
    assert(*out);
    for (int i = 0; i < rows; i++)
        (*out)[i] = (Samhand__V1__CaseDocument *)s_document(res, i);
    *n = (size_t)rows;
    PQclear(res);
    return s_attachments(db, *out, *n);
}

int agenda_store_attachment_insert(db_t *db, const char *item_id, const char *filename,
                                   const char *content_type, const uint8_t *content, size_t len,
                                   char id[40])
{
    char size[24];
    snprintf(size, sizeof size, "%zu", len);
    const char *params[] = {item_id, filename, content_type, size, (const char *)content};
    int lengths[] = {0, 0, 0, 0, (int)len};
    int formats[] = {0, 0, 0, 0, 1};
    PGresult *res = db_query_bin(db,
                                 "INSERT INTO attachments (item_id, filename, content_type, "
                                 "size_bytes, sha256, content) VALUES ($1, $2, $3, $4, "
                                 "sha256($5::bytea), $5) RETURNING id",
                                 5, params, lengths, formats);
    if (!res)
        return -1;
    snprintf(id, 40, "%s", PQgetvalue(res, 0, 0));
    PQclear(res);
    return 0;
}

int agenda_store_attachment_get(db_t *db, const char *id, agenda_attachment_t *out)
{
    const char *params[] = {id};
    /* binary result: the content as bytes */
    PGresult *res =
        db_query(db,
                 "SELECT a.filename, a.content_type, a.content, " ITEM_IS_EXEMPT(
                     "i") ", "
                          "m.state, encode(a.sha256, 'hex'), m.committee_id, m.state IN "
                          "('NOTICE_PUBLISHED', 'CANCELLED') AND a.created_at > (SELECT "
                          "max(v.published_at) FROM notice_versions v WHERE v.meeting_id = m.id) "
                          "FROM attachments a JOIN "
                          "agenda_items i ON i.id = a.item_id JOIN meetings m ON "
                          "m.id = i.meeting_id WHERE a.id = $1",
                 1, params);
    if (!res)
        return -1;
    if (PQntuples(res) == 0) {
        PQclear(res);
        return 1;
    }
    out->filename = rows_text(res, 0, 0);
    out->content_type = rows_text(res, 0, 1);
    out->content = PQunescapeBytea((const unsigned char *)PQgetvalue(res, 0, 2), &out->len);
    out->is_exempt = PQgetvalue(res, 0, 3)[0] == 't';
    out->is_draft = strcmp(PQgetvalue(res, 0, 4), "DRAFT") == 0;
    out->sha256 = rows_text(res, 0, 5);
    snprintf(out->committee_id, sizeof out->committee_id, "%s", PQgetvalue(res, 0, 6));
    out->is_drafted = PQgetvalue(res, 0, 7)[0] == 't';
    PQclear(res);
    return 0;
}

void agenda_attachment_clear(agenda_attachment_t *a)
{
    free(a->filename);
    free(a->content_type);
    free(a->sha256);
    PQfreemem(a->content);
    memset(a, 0, sizeof *a);
}
