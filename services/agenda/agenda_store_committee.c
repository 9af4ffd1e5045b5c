/* SQL of committees and their memberships; see agenda_store.h for the
 * contract. */
#include "agenda_store_sql.h"
#include "samhand_rows.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define COMMITTEE_COLUMNS                                                                          \
    "id, name, short_name, kind, parent_id, mandate, notice_period_days, case_number_format, "     \
    "" ROWS_TIMESTAMP_US("created_at") ", " ROWS_TIMESTAMP_US(                                     \
        "updated_at") ", "                                                                         \
                      "coalesce(secretariat_organization_id::text, ''), row_seq, "                 \
                      "numbers_any_other_business, numbers_orientations, "                         \
                      "carried_case_keeps_number"

/* COMMITTEE_COLUMNS, in order, into samhand.v1.Committee; the numbering
 * columns are read by hand below */
static const rows_map_t s_committee_map =
    ROWS_MAP(samhand__v1__committee__descriptor, "id", "name", "short_name", "kind", "parent_id",
             "mandate", "notice_period_days", "case_number_format", "create_time", "update_time",
             "secretariat_organization_id");

static ProtobufCMessage *s_committee(const PGresult *res, int row)
{
    Samhand__V1__Committee *c = (Samhand__V1__Committee *)rows_read(&s_committee_map, res, row);
    /* breaks never numbered, and what the committee's practice leaves out */
    c->unnumbered_kinds = malloc(3 * sizeof *c->unnumbered_kinds);
    assert(c->unnumbered_kinds);
    if (PQgetvalue(res, row, 13)[0] == 'f')
        c->unnumbered_kinds[c->n_unnumbered_kinds++] = SAMHAND__V1__AGENDA_ITEM__KIND__ORIENTATION;
    c->unnumbered_kinds[c->n_unnumbered_kinds++] = SAMHAND__V1__AGENDA_ITEM__KIND__BREAK;
    if (PQgetvalue(res, row, 12)[0] == 'f')
        c->unnumbered_kinds[c->n_unnumbered_kinds++] =
            SAMHAND__V1__AGENDA_ITEM__KIND__ANY_OTHER_BUSINESS;
    c->carried_case_number = PQgetvalue(res, row, 14)[0] == 't'
                                 ? SAMHAND__V1__COMMITTEE__CARRIED_CASE_NUMBER__KEPT
                                 : SAMHAND__V1__COMMITTEE__CARRIED_CASE_NUMBER__NEW;
    return &c->base;
}

int agenda_store_committee_insert(db_t *db, const agenda_committee_fields_t *f,
                                  Samhand__V1__Committee **out)
{
    const char *params[] = {f->name,
                            f->short_name,
                            f->kind,
                            f->parent_id,
                            f->mandate,
                            f->notice_period_days,
                            f->case_number_format,
                            f->secretariat_organization_id,
                            f->numbers_any_other_business,
                            f->numbers_orientations,
                            f->carried_case_keeps_number};
    return rows_one(db,
                    "INSERT INTO committees (name, short_name, kind, parent_id, mandate, "
                    "notice_period_days, case_number_format, secretariat_organization_id, "
                    "numbers_any_other_business, numbers_orientations, carried_case_keeps_number) "
                    "VALUES ($1, coalesce($2, ''), $3, $4, coalesce($5, ''), $6, $7, $8, "
                    "coalesce($9::boolean, true), coalesce($10::boolean, true), "
                    "coalesce($11::boolean, true)) RETURNING " COMMITTEE_COLUMNS,
                    11, params, s_committee, (ProtobufCMessage **)out);
}

int agenda_store_committee_get(db_t *db, const char *id, Samhand__V1__Committee **out)
{
    const char *params[] = {id};
    return rows_one(db, "SELECT " COMMITTEE_COLUMNS " FROM committees WHERE id = $1", 1, params,
                    s_committee, (ProtobufCMessage **)out);
}

int agenda_store_committee_update(db_t *db, const char *id, const agenda_committee_fields_t *f,
                                  Samhand__V1__Committee **out)
{
    const char *params[] = {id,
                            f->name,
                            f->short_name,
                            f->kind,
                            f->parent_id,
                            f->mandate,
                            f->notice_period_days,
                            f->case_number_format,
                            f->clear_parent ? "t" : "f",
                            f->secretariat_organization_id,
                            f->numbers_any_other_business,
                            f->numbers_orientations,
                            f->carried_case_keeps_number};
    return rows_one(
        db,
        "UPDATE committees SET name = coalesce($2, name), "
        "short_name = coalesce($3, short_name), kind = coalesce($4, kind), "
        "parent_id = CASE WHEN $9::boolean THEN NULL ELSE coalesce($5::uuid, parent_id) "
        "END, mandate = coalesce($6, mandate), "
        "notice_period_days = coalesce($7::integer, notice_period_days), "
        "case_number_format = coalesce($8, case_number_format), "
        "secretariat_organization_id = coalesce($10::uuid, secretariat_organization_id), "
        "numbers_any_other_business = coalesce($11::boolean, numbers_any_other_business), "
        "numbers_orientations = coalesce($12::boolean, numbers_orientations), "
        "carried_case_keeps_number = coalesce($13::boolean, carried_case_keeps_number), "
        "updated_at = now() WHERE id = $1 RETURNING " COMMITTEE_COLUMNS,
        13, params, s_committee, (ProtobufCMessage **)out);
}

int agenda_store_committee_list(db_t *db, agenda_page_t page, const char *kind,
                                const char *parent_id, const char *q,
                                Samhand__V1__ListCommitteesResponse **out)
{
    char after[24], limit[16];
    rows_page_params(page.after, page.limit, after, limit);
    const char *params[] = {after, limit, kind, parent_id, q};
    return rows_list(db,
                     "SELECT " COMMITTEE_COLUMNS " FROM committees WHERE row_seq > $1"
                     " AND ($3::text IS NULL OR kind = $3)"
                     " AND ($4::uuid IS NULL OR parent_id = $4)"
                     " AND ($5::text IS NULL OR strpos(lower(name), lower($5)) > 0 OR "
                     "      strpos(lower(short_name), lower($5)) > 0)"
                     " ORDER BY row_seq LIMIT $2",
                     5, params, s_committee, page.limit,
                     &samhand__v1__list_committees_response__descriptor, (ProtobufCMessage **)out);
}

int agenda_store_committee_reports_to(db_t *db, const char *id, const char *ancestor)
{
    const char *params[] = {id, ancestor};
    return rows_bool(db,
                     "WITH RECURSIVE line(id, parent_id) AS ("
                     "  SELECT id, parent_id FROM committees WHERE id = $1"
                     "  UNION SELECT c.id, c.parent_id FROM committees c"
                     "  JOIN line ON c.id = line.parent_id)"
                     " SELECT EXISTS (SELECT 1 FROM line WHERE id = $2)",
                     2, params);
}

int agenda_store_committee_standing(db_t *db, const char *committee_id, const char *subject,
                                    char secretariat[40], bool *runs, bool *member)
{
    /* one question: the committee's secretariat, and the caller's
     * memberships of it today (through the person who signs in as them) */
    const char *params[] = {committee_id, subject};
    PGresult *res = db_query(
        db,
        "SELECT coalesce(c.secretariat_organization_id::text, ''), "
        "coalesce(bool_or(m.role IN ('SECRETARY', 'CHAIR', 'VICE_CHAIR')), false), "
        "count(m.id) > 0 FROM committees c "
        "LEFT JOIN memberships m ON m.committee_id = c.id AND m.term_from <= current_date AND "
        "(m.term_to IS NULL OR m.term_to >= current_date) AND m.person_id IN "
        "(SELECT id FROM persons WHERE principal_subject = $2) "
        "WHERE c.id = $1 GROUP BY c.id",
        2, params);
    if (!res)
        return -1;
    int rc = 1;
    if (PQntuples(res) == 1) {
        snprintf(secretariat, 40, "%s", PQgetvalue(res, 0, 0));
        *runs = PQgetvalue(res, 0, 1)[0] == 't';
        *member = PQgetvalue(res, 0, 2)[0] == 't';
        rc = 0;
    }
    PQclear(res);
    return rc;
}

int agenda_store_person_is_member(db_t *db, const char *committee_id, const char *person_id)
{
    const char *params[] = {committee_id, person_id};
    PGresult *res = db_query(db,
                             "SELECT 1 FROM memberships WHERE committee_id = $1::uuid AND "
                             "person_id = $2::uuid AND term_from <= current_date AND "
                             "(term_to IS NULL OR term_to >= current_date) LIMIT 1",
                             2, params);
    if (!res)
        return -1;
    int is_member = PQntuples(res) > 0;
    PQclear(res);
    return is_member;
}

int agenda_store_members_of_meeting(db_t *db, const char *meeting_id, char *const *person_ids,
                                    size_t n, const char **members)
{
    /* the ids as one array literal: they are uuids, checked by the caller */
    char *list = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&list, &len);
    if (!out)
        return -1;
    fputc('{', out);
    for (size_t i = 0; i < n; i++)
        fprintf(out, "%s%s", i ? "," : "", person_ids[i]);
    fputc('}', out);
    fclose(out);
    const char *params[] = {meeting_id, list};
    PGresult *res = db_query(
        db,
        "SELECT DISTINCT ms.person_id::text FROM meetings mt JOIN memberships ms ON "
        "ms.committee_id = mt.committee_id WHERE mt.id = $1::uuid AND ms.person_id = ANY "
        "($2::uuid[]) AND ms.term_from <= current_date AND (ms.term_to IS NULL OR ms.term_to >= "
        "current_date)",
        2, params);
    free(list);
    if (!res)
        return -1;
    int found = 0;
    for (int r = 0; r < PQntuples(res); r++)
        for (size_t i = 0; i < n; i++)
            if (strcmp(person_ids[i], PQgetvalue(res, r, 0)) == 0) {
                members[found++] = person_ids[i];
                break;
            }
    PQclear(res);
    return found;
}

/* ------------------------------------------------------------ memberships */

#define MEMBERSHIP_COLUMNS                                                                         \
    "id, committee_id, person_id, role, organization_id, term_from::text, "                        \
    "coalesce(term_to::text, ''), " ROWS_TIMESTAMP_US("created_at") ", " ROWS_TIMESTAMP_US(        \
        "updated_at") ", coalesce(deputy_for_person_id::text, ''), "                               \
                      "coalesce(deputy_for_organization_id::text, ''), coalesce(deputy_rank, 0), " \
                      "row_seq"

/* MEMBERSHIP_COLUMNS, in order, into samhand.v1.Membership */
static const rows_map_t s_membership_map =
    ROWS_MAP(samhand__v1__membership__descriptor, "id", "committee_id", "person_id", "role",
             "organization_id", "term_from", "term_to", "create_time", "update_time",
             "deputy_for_person_id", "deputy_for_organization_id", "deputy_rank");

static ProtobufCMessage *s_membership(const PGresult *res, int row)
{
    return rows_read(&s_membership_map, res, row);
}

int agenda_store_membership_insert(db_t *db, const char *committee_id, const char *person_id,
                                   const char *role, const char *organization_id,
                                   const char *term_from, const char *term_to,
                                   Samhand__V1__Membership **out)
{
    const char *params[] = {committee_id, person_id, role, organization_id, term_from, term_to};
    return rows_one(
        db,
        "INSERT INTO memberships (committee_id, person_id, role, organization_id, "
        "term_from, term_to) SELECT $1, p.id, $3, coalesce($4::uuid, p.organization_id), "
        "$5::date, $6::date FROM persons p WHERE p.id = $2 RETURNING " MEMBERSHIP_COLUMNS,
        6, params, s_membership, (ProtobufCMessage **)out);
}

int agenda_store_membership_get(db_t *db, const char *committee_id, const char *id,
                                Samhand__V1__Membership **out)
{
    const char *params[] = {committee_id, id};
    return rows_one(
        db, "SELECT " MEMBERSHIP_COLUMNS " FROM memberships WHERE committee_id = $1 AND id = $2", 2,
        params, s_membership, (ProtobufCMessage **)out);
}

int agenda_store_membership_update(db_t *db, const char *committee_id, const char *id,
                                   const char *role, const char *organization_id,
                                   const char *term_from, const char *term_to, int clear_term_to,
                                   Samhand__V1__Membership **out)
{
    const char *params[] = {
        committee_id, id, role, organization_id, term_from, term_to, clear_term_to ? "t" : "f"};
    return rows_one(
        db,
        "UPDATE memberships SET role = coalesce($3, role), "
        "organization_id = coalesce($4::uuid, organization_id), "
        "term_from = coalesce($5::date, term_from), "
        "term_to = CASE WHEN $7::boolean THEN NULL ELSE coalesce($6::date, term_to) END, "
        "updated_at = now() WHERE committee_id = $1 AND id = $2 RETURNING " MEMBERSHIP_COLUMNS,
        7, params, s_membership, (ProtobufCMessage **)out);
}

int agenda_store_membership_list(db_t *db, agenda_page_t page, const char *committee_id,
                                 const char *role, const char *active_on,
                                 Samhand__V1__ListMembershipsResponse **out)
{
    char after[24], limit[16];
    rows_page_params(page.after, page.limit, after, limit);
    const char *params[] = {after, limit, committee_id, role, active_on};
    return rows_list(db,
                     "SELECT " MEMBERSHIP_COLUMNS " FROM memberships WHERE row_seq > $1"
                     " AND committee_id = $3"
                     " AND ($4::text IS NULL OR role = $4)"
                     " AND ($5::date IS NULL OR (term_from <= $5 AND "
                     "      (term_to IS NULL OR term_to >= $5)))"
                     " ORDER BY row_seq LIMIT $2",
                     5, params, s_membership, page.limit,
                     &samhand__v1__list_memberships_response__descriptor, (ProtobufCMessage **)out);
}
