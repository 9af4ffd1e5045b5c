/* SQL of cases, outcomes, attendance and minutes; see agenda_store.h for
 * the contract. */
#include "agenda_store_sql.h"
#include "samhand_rows.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int agenda_store_case_insert(db_t *db, const char *title, const char *meeting_id, char id[40])
{
    const char *params[] = {title, meeting_id};
    PGresult *res = db_query(db,
                             "INSERT INTO cases (title, committee_id) SELECT $1, committee_id "
                             "FROM meetings WHERE id = $2 RETURNING id",
                             2, params);
    if (!res)
        return -1;
    int found = PQntuples(res) > 0;
    if (found)
        snprintf(id, 40, "%s", PQgetvalue(res, 0, 0));
    PQclear(res);
    return found ? 0 : 1;
}

int agenda_store_case_exists(db_t *db, const char *id)
{
    const char *params[] = {id};
    PGresult *res = db_query(db, "SELECT 1 FROM cases WHERE id = $1", 1, params);
    if (!res)
        return -1;
    int found = PQntuples(res) > 0;
    PQclear(res);
    return found;
}

/* a case's treatments, in the order of their statement's columns; the
 * meeting's time (seconds) is read by hand below */
static const rows_map_t s_treatment_map =
    ROWS_MAP(samhand__v1__treatment__descriptor, "committee_id", "committee_name", "meeting_id",
             NULL, "item_id", "case_number", "outcome", "decision", "is_withdrawn", "is_exempt",
             "exemption_basis", "public_title");

static ProtobufCMessage *s_treatment(const PGresult *res, int row)
{
    Samhand__V1__Treatment *t = (Samhand__V1__Treatment *)rows_read(&s_treatment_map, res, row);
    t->meeting_time = rows_timestamp_s(res, row, 3);
    return &t->base;
}

/* a case: id, title, committee, created */
static const rows_map_t s_case_map =
    ROWS_MAP(samhand__v1__case__descriptor, "id", "title", "committee_id", "create_time");

static ProtobufCMessage *s_case(const PGresult *res, int row)
{
    return rows_read(&s_case_map, res, row);
}

int agenda_store_case_list(db_t *db, agenda_page_t page, const char *q, const char *committee_id,
                           const agenda_reader_t *reader, Samhand__V1__ListCasesResponse **out)
{
    char after[24], limit[16];
    rows_page_params(page.after, page.limit, after, limit);
    const char *params[] = {after,
                            limit,
                            q,
                            committee_id,
                            reader->is_administrator ? "t" : "f",
                            reader->subject,
                            reader->staff_organization_id};
    return rows_list(
        db,
        "SELECT c.id, c.title, c.committee_id, " ROWS_TIMESTAMP_US(
            "c.created_at") ", c.row_seq FROM cases c WHERE c.row_seq > $1"
                            " AND ($3::text IS NULL OR strpos(lower(c.title), lower($3)) > 0)"
                            " AND ($4::uuid IS NULL OR c.committee_id = $4)"
                            /* a case is its treatments, those the reader may read */
                            " AND EXISTS (SELECT 1 FROM agenda_items i JOIN meetings m ON m.id = "
                            "i.meeting_id WHERE i.case_id = c.id AND NOT " DRAFTED_AFTER_NOTICE(
                                "i", "m",
                                READER_RUNS(
                                    "m.committee_id", "$5", "$7",
                                    "$6")) ")"
                                           /* an exempt treatment's case only with a
                                              standing in its committee */
                                           " AND ($5::boolean OR NOT EXISTS (SELECT 1 FROM "
                                           "agenda_items i JOIN "
                                           "meetings m ON m.id = i.meeting_id JOIN "
                                           "committees k ON k.id = "
                                           "m.committee_id WHERE i.case_id = c.id "
                                           "AND " ITEM_IS_EXEMPT(
                                               "i") " AND NOT "
                                                    "(coalesce(k.secretariat_organization_id = "
                                                    "$7::uuid, false) OR "
                                                    "EXISTS (SELECT 1 FROM memberships ms JOIN "
                                                    "persons p ON p.id = "
                                                    "ms.person_id WHERE ms.committee_id = k.id AND "
                                                    "p.principal_subject = "
                                                    "$6 AND ms.term_from <= current_date AND "
                                                    "(ms.term_to IS NULL OR "
                                                    "ms.term_to >= current_date)))))"
                                                    " ORDER BY c.row_seq LIMIT $2",
        7, params, s_case, page.limit, &samhand__v1__list_cases_response__descriptor,
        (ProtobufCMessage **)out);
}

/* A case's treatments as the reader reads them ($2-$4 its READER_RUNS):
 * a noticed meeting as its last notice, to those who do not run its
 * committee: its start, the item's exemption and public title. */
#define TREATMENT_RUNS READER_RUNS("m.committee_id", "$2", "$3", "$4")
#define TREATMENT_START                                                                            \
    "extract(epoch FROM coalesce((SELECT v.starts_at FROM notice_versions v WHERE v.meeting_id = " \
    "m.id AND v.version = m.notice_version AND NOT " TREATMENT_RUNS "), m.starts_at))::bigint"
#define TREATMENT_ITEM                                                                             \
    "i.id, coalesce(i.case_number, ''), coalesce(i.outcome, ''), i.decision, "                     \
    "i.is_withdrawn, " ITEM_IS_EXEMPT("i") ", i.exemption_basis, " ITEM_NOTICED_PUBLIC_TITLE("i")
#define TREATMENT_COLUMNS "m.committee_id, c.name, m.id, " TREATMENT_START ", " TREATMENT_ITEM

int agenda_store_case_get(db_t *db, const char *id, const agenda_reader_t *reader,
                          Samhand__V1__Case **out)
{
    const char *params[] = {id};
    PGresult *res = db_query(db,
                             "SELECT id, title, committee_id, " ROWS_TIMESTAMP_US(
                                 "created_at") " FROM cases WHERE id = $1",
                             1, params);
    if (!res)
        return -1;
    if (PQntuples(res) == 0) {
        PQclear(res);
        return 1;
    }
    Samhand__V1__Case *c = malloc(sizeof *c);
    assert(c);
    samhand__v1__case__init(c);
    c->id = rows_text(res, 0, 0);
    c->title = rows_text(res, 0, 1);
    c->committee_id = rows_text(res, 0, 2);
    c->create_time = rows_timestamp_us(res, 0, 3);
    PQclear(res);
    const char *reader_params[] = {id, reader->is_administrator ? "t" : "f",
                                   reader->staff_organization_id, reader->subject};
    if (rows_children(db,
                      "SELECT " TREATMENT_COLUMNS " FROM agenda_items i JOIN meetings m ON m.id = "
                      "i.meeting_id JOIN committees c ON c.id = m.committee_id WHERE i.case_id = "
                      "$1 AND NOT " DRAFTED_AFTER_NOTICE("i", "m", TREATMENT_RUNS) " ORDER BY 4, "
                                                                                   "i.position",
                      4, reader_params, s_treatment, &c->base, "treatments") != 0) {
        protobuf_c_message_free_unpacked(&c->base, NULL);
        return -1;
    }
    *out = c;
    return 0;
}

int agenda_store_item_outcome(db_t *db, const char *item_id, const char *outcome,
                              const char *decision, char **points, size_t n_points)
{
    char *json = rows_json_array(points, n_points);
    if (!json)
        return -1;
    const char *params[] = {item_id, outcome, decision, json};
    int rc = rows_exec(db,
                       "UPDATE agenda_items SET outcome = $2, decision = coalesce($3, ''), "
                       "discussion_points = ARRAY(SELECT jsonb_array_elements_text($4::jsonb)), "
                       "updated_at = now() WHERE id = $1",
                       4, params);
    free(json);
    return rc;
}

int agenda_store_attendance_set(db_t *db, const char *meeting_id, const char *entries_json)
{
    const char *params[] = {meeting_id, entries_json};
    if (rows_exec(db, "DELETE FROM attendance WHERE meeting_id = $1", 1, params) < 0)
        return -1;
    return rows_exec(db,
                     "INSERT INTO attendance (meeting_id, person_id, status, deputy_for) "
                     "SELECT $1, (e->>'person_id')::uuid, e->>'status', "
                     "nullif(e->>'deputy_for', '')::uuid FROM jsonb_array_elements($2::jsonb) e",
                     2, params) < 0
               ? -1
               : 0;
}

int agenda_store_minutes_approved(db_t *db, const char *meeting_id)
{
    const char *params[] = {meeting_id};
    return rows_exec(db,
                     "UPDATE meetings SET state = 'MINUTES_APPROVED', minutes_approved_at = now(), "
                     "updated_at = now() WHERE id = $1",
                     1, params);
}

int agenda_store_carry_postponed(db_t *db, const char *committee_id, int *carried)
{
    /* every postponed treatment not yet carried, and the committee's first
     * draft meeting after it */
    const char *params[] = {committee_id};
    PGresult *res = db_query(
        db,
        "SELECT i.id, t.id FROM agenda_items i JOIN meetings m ON m.id = i.meeting_id "
        "CROSS JOIN LATERAL (SELECT n.id FROM meetings n WHERE n.committee_id = m.committee_id "
        "AND n.state = 'DRAFT' AND n.starts_at > m.starts_at ORDER BY n.starts_at LIMIT 1) t "
        "WHERE m.committee_id = $1 AND i.outcome = 'POSTPONED' AND NOT EXISTS "
        "(SELECT 1 FROM agenda_items c WHERE c.carried_from = i.id) ORDER BY m.starts_at, "
        "i.position",
        1, params);
    if (!res)
        return -1;
    *carried = 0;
    int rc = 0;
    for (int i = 0; i < PQntuples(res) && rc == 0; i++) {
        const char *carry[] = {PQgetvalue(res, i, 0), PQgetvalue(res, i, 1)};
        /* at the end of the agenda, before any other business if that is last */
        rc = rows_exec(
            db,
            "WITH last AS (SELECT coalesce(max(position), 0) AS p, "
            "  bool_or(kind = 'ANY_OTHER_BUSINESS' AND position = "
            "    (SELECT max(position) FROM agenda_items WHERE meeting_id = $2)) AS aob "
            "  FROM agenda_items WHERE meeting_id = $2), "
            "shift AS (UPDATE agenda_items SET position = position + 1 "
            "  WHERE meeting_id = $2 AND (SELECT aob FROM last) AND "
            "  position = (SELECT p FROM last) RETURNING id), "
            "carried AS (INSERT INTO agenda_items (meeting_id, position, kind, title, "
            "description, presenters, duration_min, is_exempt, exemption_basis, case_id, "
            "carried_from, public_title) "
            "SELECT $2, CASE WHEN (SELECT aob FROM last) THEN (SELECT p FROM last) "
            "ELSE (SELECT p FROM last) + 1 END, kind, title, description, presenters, "
            "duration_min, is_exempt, exemption_basis, case_id, id, public_title FROM agenda_items "
            "WHERE id = $1 RETURNING id), "
            /* its case document comes along, a copy the secretary revises */
            "document AS (INSERT INTO case_documents (item_id, responsible, case_officers, "
            "proposed_decisions, background, assessment, referenced_case_ids) "
            "SELECT carried.id, d.responsible, d.case_officers, d.proposed_decisions, "
            "d.background, d.assessment, d.referenced_case_ids FROM carried, case_documents d "
            "WHERE d.item_id = $1) "
            "INSERT INTO attachments (item_id, filename, content_type, size_bytes, sha256, "
            "content) SELECT carried.id, a.filename, a.content_type, a.size_bytes, a.sha256, "
            "a.content FROM carried, attachments a WHERE a.item_id = $1",
            2, carry);
        *carried += rc == 0;
    }
    PQclear(res);
    return rc < 0 ? -1 : 0;
}

int agenda_store_uncarry(db_t *db, const char *item_id)
{
    /* only from an agenda still in draft; a noticed one keeps it */
    const char *params[] = {item_id};
    PGresult *res = db_query(db,
                             "SELECT c.id, c.meeting_id, c.position FROM agenda_items c JOIN "
                             "meetings m ON m.id = c.meeting_id WHERE c.carried_from = $1 AND "
                             "m.state = 'DRAFT'",
                             1, params);
    if (!res)
        return -1;
    int rc = 0;
    if (PQntuples(res) > 0)
        rc = agenda_store_item_delete(db, PQgetvalue(res, 0, 1), PQgetvalue(res, 0, 0),
                                      atoi(PQgetvalue(res, 0, 2)));
    PQclear(res);
    return rc < 0 ? -1 : 0;
}
