/* SQL of the directory: organisations and persons; see agenda_store.h for
 * the contract. */
#include "agenda_store_sql.h"
#include "samhand_rows.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ORG_COLUMNS                                                                                \
    "id, name, organization_number, kind, " ROWS_TIMESTAMP_US(                                     \
        "created_at") ", " ROWS_TIMESTAMP_US("updated_at") ", coalesce(contact_email, ''), "       \
                                                           "coalesce(review_email, ''), row_seq"

/* ORG_COLUMNS, in order, into samhand.v1.Organization */
static const rows_map_t s_organization_map =
    ROWS_MAP(samhand__v1__organization__descriptor, "id", "name", "organization_number", "kind",
             "create_time", "update_time", "contact_email", "review_email");

static ProtobufCMessage *s_organization(const PGresult *res, int row)
{
    return rows_read(&s_organization_map, res, row);
}

int agenda_store_organization_insert(db_t *db, const char *name, const char *number,
                                     const char *kind, const char *contact_email,
                                     const char *review_email, Samhand__V1__Organization **out)
{
    const char *params[] = {name, number, kind, contact_email, review_email};
    return rows_one(db,
                    "INSERT INTO organizations (name, organization_number, kind, contact_email, "
                    "review_email) VALUES ($1, $2, $3, nullif($4, ''), nullif($5, '')) "
                    "RETURNING " ORG_COLUMNS,
                    5, params, s_organization, (ProtobufCMessage **)out);
}

int agenda_store_organization_get(db_t *db, const char *id, Samhand__V1__Organization **out)
{
    const char *params[] = {id};
    return rows_one(db, "SELECT " ORG_COLUMNS " FROM organizations WHERE id = $1", 1, params,
                    s_organization, (ProtobufCMessage **)out);
}

int agenda_store_organization_update(db_t *db, const char *id, const char *name, const char *kind,
                                     const char *contact_email, const char *review_email,
                                     Samhand__V1__Organization **out)
{
    const char *params[] = {id, name, kind, contact_email, review_email};
    return rows_one(
        db,
        "UPDATE organizations SET name = coalesce($2, name), kind = coalesce($3, kind), "
        "contact_email = CASE WHEN $4::text IS NULL THEN contact_email "
        "ELSE nullif($4, '') END, review_email = CASE WHEN $5::text IS NULL THEN review_email "
        "ELSE nullif($5, '') END, updated_at = now() WHERE id = $1 "
        "RETURNING " ORG_COLUMNS,
        5, params, s_organization, (ProtobufCMessage **)out);
}

int agenda_store_organization_list(db_t *db, agenda_page_t page, const char *kind, const char *q,
                                   const char *number, Samhand__V1__ListOrganizationsResponse **out)
{
    char after[24], limit[16];
    rows_page_params(page.after, page.limit, after, limit);
    const char *params[] = {after, limit, kind, q, number};
    return rows_list(db,
                     "SELECT " ORG_COLUMNS " FROM organizations WHERE row_seq > $1"
                     " AND ($3::text IS NULL OR kind = $3)"
                     " AND ($4::text IS NULL OR strpos(lower(name), lower($4)) > 0)"
                     " AND ($5::text IS NULL OR organization_number = $5)"
                     " ORDER BY row_seq LIMIT $2",
                     5, params, s_organization, page.limit,
                     &samhand__v1__list_organizations_response__descriptor,
                     (ProtobufCMessage **)out);
}

/* ---------------------------------------------------------------- persons */

#define PERSON_COLUMNS                                                                             \
    "id, name, title, organization_id, email, " ROWS_TIMESTAMP_US(                                 \
        "created_at") ", " ROWS_TIMESTAMP_US("updated_at") ", coalesce(principal_subject, ''), "   \
                                                           "row_seq"

/* PERSON_COLUMNS, in order, into samhand.v1.Person */
static const rows_map_t s_person_map =
    ROWS_MAP(samhand__v1__person__descriptor, "id", "name", "title", "organization_id", "email",
             "create_time", "update_time", "principal_subject");

static ProtobufCMessage *s_person(const PGresult *res, int row)
{
    return rows_read(&s_person_map, res, row);
}

int agenda_store_person_insert(db_t *db, const char *name, const char *title,
                               const char *organization_id, const char *email,
                               const char *principal_subject, Samhand__V1__Person **out)
{
    const char *params[] = {name, title, organization_id, email, principal_subject};
    return rows_one(db,
                    "INSERT INTO persons (name, title, organization_id, email, principal_subject) "
                    "SELECT $1, $2, id, $4, nullif($5, '') FROM organizations WHERE id = $3 "
                    "RETURNING " PERSON_COLUMNS,
                    5, params, s_person, (ProtobufCMessage **)out);
}

int agenda_store_person_get(db_t *db, const char *id, Samhand__V1__Person **out)
{
    const char *params[] = {id};
    return rows_one(db, "SELECT " PERSON_COLUMNS " FROM persons WHERE id = $1", 1, params, s_person,
                    (ProtobufCMessage **)out);
}

int agenda_store_person_update(db_t *db, const char *id, const char *name, const char *title,
                               const char *organization_id, const char *email,
                               const char *principal_subject, Samhand__V1__Person **out)
{
    const char *params[] = {id, name, title, organization_id, email, principal_subject};
    return rows_one(db,
                    "UPDATE persons SET name = coalesce($2, name), title = coalesce($3, title), "
                    "organization_id = coalesce($4::uuid, organization_id), "
                    "email = coalesce($5, email), principal_subject = CASE WHEN $6::text IS NULL "
                    "THEN principal_subject ELSE nullif($6, '') END, updated_at = now() "
                    "WHERE id = $1 RETURNING " PERSON_COLUMNS,
                    6, params, s_person, (ProtobufCMessage **)out);
}

int agenda_store_person_name_of(db_t *db, const char *subject, char **name)
{
    const char *params[] = {subject};
    PGresult *res =
        db_query(db, "SELECT name FROM persons WHERE principal_subject = $1", 1, params);
    if (!res)
        return -1;
    *name = PQntuples(res) > 0 ? rows_text(res, 0, 0) : NULL;
    PQclear(res);
    return 0;
}

int agenda_store_person_kept_by(db_t *db, const char *person_id, const char *organization_id)
{
    if (!organization_id || !organization_id[0])
        return 0;
    const char *params[] = {person_id, organization_id};
    return rows_bool(db,
                     "SELECT EXISTS (SELECT 1 FROM memberships m JOIN committees c ON "
                     "c.id = m.committee_id WHERE m.person_id = $1 AND "
                     "c.secretariat_organization_id = $2::uuid AND m.term_from <= "
                     "current_date AND (m.term_to IS NULL OR m.term_to >= current_date))",
                     2, params);
}

int agenda_store_person_list(db_t *db, agenda_page_t page, const char *organization_id,
                             const char *q, Samhand__V1__ListPersonsResponse **out)
{
    char after[24], limit[16];
    rows_page_params(page.after, page.limit, after, limit);
    const char *params[] = {after, limit, organization_id, q};
    return rows_list(db,
                     "SELECT " PERSON_COLUMNS " FROM persons WHERE row_seq > $1"
                     " AND ($3::uuid IS NULL OR organization_id = $3)"
                     " AND ($4::text IS NULL OR strpos(lower(name), lower($4)) > 0)"
                     " ORDER BY row_seq LIMIT $2",
                     4, params, s_person, page.limit,
                     &samhand__v1__list_persons_response__descriptor, (ProtobufCMessage **)out);
}
