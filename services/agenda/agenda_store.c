/* SQL of the agenda service; see agenda_store.h for the contract. */
#include "agenda_store.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- helpers */

static char *s_text(const PGresult *res, int row, int col)
{
    char *text = strdup(PQgetisnull(res, row, col) ? "" : PQgetvalue(res, row, col));
    assert(text);
    return text;
}

/* Columns holding microseconds since the epoch, see TIMESTAMP_US below. */
static Samhand__V1__Timestamp *s_timestamp(const PGresult *res, int row, int col)
{
    Samhand__V1__Timestamp *ts = malloc(sizeof *ts);
    assert(ts);
    samhand__v1__timestamp__init(ts);
    long long us = strtoll(PQgetvalue(res, row, col), NULL, 10);
    ts->seconds = us / 1000000;
    ts->nanos = (int32_t)(us % 1000000) * 1000;
    return ts;
}

static int s_enum(const ProtobufCEnumDescriptor *desc, const PGresult *res, int row, int col)
{
    const ProtobufCEnumValue *value =
        protobuf_c_enum_descriptor_get_value_by_name(desc, PQgetvalue(res, row, col));
    return value ? value->value : 0;
}

#define TIMESTAMP_US(col) "(extract(epoch FROM " col ") * 1000000)::bigint"

/* Converts row `row` of `res` to a freshly allocated message. */
typedef ProtobufCMessage *(*s_row_fn)(const PGresult *res, int row);

/* Runs a statement expected to return at most one row. */
static int s_one(db_t *db, const char *sql, int n, const char *const *params, s_row_fn convert,
                 ProtobufCMessage **out)
{
    PGresult *res = db_query(db, sql, n, params);
    if (!res)
        return -1;
    int found = PQntuples(res) > 0;
    if (found)
        *out = convert(res, 0);
    PQclear(res);
    return found ? 0 : 1;
}

/* Runs a list statement that selected up to page.limit + 1 rows, row_seq
 * last, into a new list response of `desc`: its `items` and the cursor of
 * the next page in `next_cursor` ("" at the end). */
static int s_list(db_t *db, const char *sql, int n, const char *const *params, s_row_fn convert,
                  agenda_page_t page, const ProtobufCMessageDescriptor *desc,
                  ProtobufCMessage **out)
{
    const ProtobufCFieldDescriptor *items_field =
        protobuf_c_message_descriptor_get_field_by_name(desc, "items");
    const ProtobufCFieldDescriptor *cursor_field =
        protobuf_c_message_descriptor_get_field_by_name(desc, "next_cursor");
    assert(items_field && cursor_field);
    PGresult *res = db_query(db, sql, n, params);
    if (!res)
        return -1;
    ProtobufCMessage *list = malloc(desc->sizeof_message);
    assert(list);
    desc->message_init(list);
    int rows = PQntuples(res);
    int shown = rows > page.limit ? page.limit : rows;
    ProtobufCMessage **items = calloc((size_t)shown + 1, sizeof *items);
    assert(items);
    for (int i = 0; i < shown; i++)
        items[i] = convert(res, i);
    *(ProtobufCMessage ***)((char *)list + items_field->offset) = items;
    *(size_t *)((char *)list + items_field->quantifier_offset) = (size_t)shown;
    *(char **)((char *)list + cursor_field->offset) =
        rows > page.limit && shown > 0 ? s_text(res, shown - 1, PQnfields(res) - 1) : strdup("");
    PQclear(res);
    *out = list;
    return 0;
}

static void s_page_params(agenda_page_t page, char after[24], char limit[16])
{
    snprintf(after, 24, "%lld", (long long)page.after);
    snprintf(limit, 16, "%d", page.limit + 1);
}

/* ---------------------------------------------------------- organizations */

#define ORG_COLUMNS                                                                                \
    "id, name, organization_number, kind, " TIMESTAMP_US("created_at") ", " TIMESTAMP_US(          \
        "updated_at") ", row_seq"

static ProtobufCMessage *s_organization(const PGresult *res, int row)
{
    Samhand__V1__Organization *org = malloc(sizeof *org);
    assert(org);
    samhand__v1__organization__init(org);
    org->id = s_text(res, row, 0);
    org->name = s_text(res, row, 1);
    org->organization_number = s_text(res, row, 2);
    org->kind = s_enum(&samhand__v1__organization__kind__descriptor, res, row, 3);
    org->create_time = s_timestamp(res, row, 4);
    org->update_time = s_timestamp(res, row, 5);
    return &org->base;
}

int agenda_store_organization_insert(db_t *db, const char *name, const char *number,
                                     const char *kind, Samhand__V1__Organization **out)
{
    const char *params[] = {name, number, kind};
    return s_one(db,
                 "INSERT INTO organizations (name, organization_number, kind) VALUES ($1, $2, $3) "
                 "RETURNING " ORG_COLUMNS,
                 3, params, s_organization, (ProtobufCMessage **)out);
}

int agenda_store_organization_get(db_t *db, const char *id, Samhand__V1__Organization **out)
{
    const char *params[] = {id};
    return s_one(db, "SELECT " ORG_COLUMNS " FROM organizations WHERE id = $1", 1, params,
                 s_organization, (ProtobufCMessage **)out);
}

int agenda_store_organization_update(db_t *db, const char *id, const char *name, const char *kind,
                                     Samhand__V1__Organization **out)
{
    const char *params[] = {id, name, kind};
    return s_one(db,
                 "UPDATE organizations SET name = coalesce($2, name), kind = coalesce($3, kind), "
                 "updated_at = now() WHERE id = $1 RETURNING " ORG_COLUMNS,
                 3, params, s_organization, (ProtobufCMessage **)out);
}

int agenda_store_organization_list(db_t *db, agenda_page_t page, const char *kind, const char *q,
                                   const char *number, Samhand__V1__ListOrganizationsResponse **out)
{
    char after[24], limit[16];
    s_page_params(page, after, limit);
    const char *params[] = {after, limit, kind, q, number};
    return s_list(db,
                  "SELECT " ORG_COLUMNS " FROM organizations WHERE row_seq > $1"
                  " AND ($3::text IS NULL OR kind = $3)"
                  " AND ($4::text IS NULL OR strpos(lower(name), lower($4)) > 0)"
                  " AND ($5::text IS NULL OR organization_number = $5)"
                  " ORDER BY row_seq LIMIT $2",
                  5, params, s_organization, page,
                  &samhand__v1__list_organizations_response__descriptor, (ProtobufCMessage **)out);
}

/* ---------------------------------------------------------------- persons */

#define PERSON_COLUMNS                                                                             \
    "id, name, title, organization_id, email, " TIMESTAMP_US("created_at") ", " TIMESTAMP_US(      \
        "updated_at") ", row_seq"

static ProtobufCMessage *s_person(const PGresult *res, int row)
{
    Samhand__V1__Person *person = malloc(sizeof *person);
    assert(person);
    samhand__v1__person__init(person);
    person->id = s_text(res, row, 0);
    person->name = s_text(res, row, 1);
    person->title = s_text(res, row, 2);
    person->organization_id = s_text(res, row, 3);
    person->email = s_text(res, row, 4);
    person->create_time = s_timestamp(res, row, 5);
    person->update_time = s_timestamp(res, row, 6);
    return &person->base;
}

int agenda_store_person_insert(db_t *db, const char *name, const char *title,
                               const char *organization_id, const char *email,
                               Samhand__V1__Person **out)
{
    const char *params[] = {name, title, organization_id, email};
    return s_one(db,
                 "INSERT INTO persons (name, title, organization_id, email) "
                 "SELECT $1, $2, id, $4 FROM organizations WHERE id = $3 "
                 "RETURNING " PERSON_COLUMNS,
                 4, params, s_person, (ProtobufCMessage **)out);
}

int agenda_store_person_get(db_t *db, const char *id, Samhand__V1__Person **out)
{
    const char *params[] = {id};
    return s_one(db, "SELECT " PERSON_COLUMNS " FROM persons WHERE id = $1", 1, params, s_person,
                 (ProtobufCMessage **)out);
}

int agenda_store_person_update(db_t *db, const char *id, const char *name, const char *title,
                               const char *organization_id, const char *email,
                               Samhand__V1__Person **out)
{
    const char *params[] = {id, name, title, organization_id, email};
    return s_one(db,
                 "UPDATE persons SET name = coalesce($2, name), title = coalesce($3, title), "
                 "organization_id = coalesce($4::uuid, organization_id), "
                 "email = coalesce($5, email), updated_at = now() "
                 "WHERE id = $1 RETURNING " PERSON_COLUMNS,
                 5, params, s_person, (ProtobufCMessage **)out);
}

int agenda_store_person_list(db_t *db, agenda_page_t page, const char *organization_id,
                             const char *q, Samhand__V1__ListPersonsResponse **out)
{
    char after[24], limit[16];
    s_page_params(page, after, limit);
    const char *params[] = {after, limit, organization_id, q};
    return s_list(db,
                  "SELECT " PERSON_COLUMNS " FROM persons WHERE row_seq > $1"
                  " AND ($3::uuid IS NULL OR organization_id = $3)"
                  " AND ($4::text IS NULL OR strpos(lower(name), lower($4)) > 0)"
                  " ORDER BY row_seq LIMIT $2",
                  4, params, s_person, page, &samhand__v1__list_persons_response__descriptor,
                  (ProtobufCMessage **)out);
}

/* ------------------------------------------------------------- committees */

#define COMMITTEE_COLUMNS                                                                          \
    "id, name, short_name, kind, parent_id, mandate, notice_period_days, case_number_format, "     \
    "" TIMESTAMP_US("created_at") ", " TIMESTAMP_US("updated_at") ", row_seq"

static ProtobufCMessage *s_committee(const PGresult *res, int row)
{
    Samhand__V1__Committee *c = malloc(sizeof *c);
    assert(c);
    samhand__v1__committee__init(c);
    c->id = s_text(res, row, 0);
    c->name = s_text(res, row, 1);
    c->short_name = s_text(res, row, 2);
    c->kind = s_enum(&samhand__v1__committee__kind__descriptor, res, row, 3);
    c->parent_id = s_text(res, row, 4);
    c->mandate = s_text(res, row, 5);
    c->notice_period_days = atoi(PQgetvalue(res, row, 6));
    c->case_number_format = s_text(res, row, 7);
    c->create_time = s_timestamp(res, row, 8);
    c->update_time = s_timestamp(res, row, 9);
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
                            f->case_number_format};
    return s_one(db,
                 "INSERT INTO committees (name, short_name, kind, parent_id, mandate, "
                 "notice_period_days, case_number_format) VALUES ($1, coalesce($2, ''), $3, $4, "
                 "coalesce($5, ''), $6, $7) RETURNING " COMMITTEE_COLUMNS,
                 7, params, s_committee, (ProtobufCMessage **)out);
}

int agenda_store_committee_get(db_t *db, const char *id, Samhand__V1__Committee **out)
{
    const char *params[] = {id};
    return s_one(db, "SELECT " COMMITTEE_COLUMNS " FROM committees WHERE id = $1", 1, params,
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
                            f->clear_parent ? "t" : "f"};
    return s_one(db,
                 "UPDATE committees SET name = coalesce($2, name), "
                 "short_name = coalesce($3, short_name), kind = coalesce($4, kind), "
                 "parent_id = CASE WHEN $9::boolean THEN NULL ELSE coalesce($5::uuid, parent_id) "
                 "END, mandate = coalesce($6, mandate), "
                 "notice_period_days = coalesce($7::integer, notice_period_days), "
                 "case_number_format = coalesce($8, case_number_format), updated_at = now() "
                 "WHERE id = $1 RETURNING " COMMITTEE_COLUMNS,
                 9, params, s_committee, (ProtobufCMessage **)out);
}

int agenda_store_committee_list(db_t *db, agenda_page_t page, const char *kind,
                                const char *parent_id, Samhand__V1__ListCommitteesResponse **out)
{
    char after[24], limit[16];
    s_page_params(page, after, limit);
    const char *params[] = {after, limit, kind, parent_id};
    return s_list(db,
                  "SELECT " COMMITTEE_COLUMNS " FROM committees WHERE row_seq > $1"
                  " AND ($3::text IS NULL OR kind = $3)"
                  " AND ($4::uuid IS NULL OR parent_id = $4)"
                  " ORDER BY row_seq LIMIT $2",
                  4, params, s_committee, page, &samhand__v1__list_committees_response__descriptor,
                  (ProtobufCMessage **)out);
}

int agenda_store_committee_reports_to(db_t *db, const char *id, const char *ancestor)
{
    const char *params[] = {id, ancestor};
    PGresult *res = db_query(db,
                             "WITH RECURSIVE line(id, parent_id) AS ("
                             "  SELECT id, parent_id FROM committees WHERE id = $1"
                             "  UNION SELECT c.id, c.parent_id FROM committees c"
                             "  JOIN line ON c.id = line.parent_id)"
                             " SELECT EXISTS (SELECT 1 FROM line WHERE id = $2)",
                             2, params);
    if (!res)
        return -1;
    int yes = PQgetvalue(res, 0, 0)[0] == 't';
    PQclear(res);
    return yes;
}

/* ------------------------------------------------------------ memberships */

#define MEMBERSHIP_COLUMNS                                                                         \
    "id, committee_id, person_id, role, organization_id, term_from::text, "                        \
    "coalesce(term_to::text, ''), " TIMESTAMP_US("created_at") ", row_seq"

static ProtobufCMessage *s_membership(const PGresult *res, int row)
{
    Samhand__V1__Membership *m = malloc(sizeof *m);
    assert(m);
    samhand__v1__membership__init(m);
    m->id = s_text(res, row, 0);
    m->committee_id = s_text(res, row, 1);
    m->person_id = s_text(res, row, 2);
    m->role = s_enum(&samhand__v1__membership__role__descriptor, res, row, 3);
    m->organization_id = s_text(res, row, 4);
    m->term_from = s_text(res, row, 5);
    m->term_to = s_text(res, row, 6);
    m->create_time = s_timestamp(res, row, 7);
    return &m->base;
}

int agenda_store_membership_insert(db_t *db, const char *committee_id, const char *person_id,
                                   const char *role, const char *organization_id,
                                   const char *term_from, const char *term_to,
                                   Samhand__V1__Membership **out)
{
    const char *params[] = {committee_id, person_id, role, organization_id, term_from, term_to};
    return s_one(db,
                 "INSERT INTO memberships (committee_id, person_id, role, organization_id, "
                 "term_from, term_to) SELECT $1, p.id, $3, coalesce($4::uuid, p.organization_id), "
                 "$5::date, $6::date FROM persons p WHERE p.id = $2 RETURNING " MEMBERSHIP_COLUMNS,
                 6, params, s_membership, (ProtobufCMessage **)out);
}

int agenda_store_membership_get(db_t *db, const char *committee_id, const char *id,
                                Samhand__V1__Membership **out)
{
    const char *params[] = {committee_id, id};
    return s_one(
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
    return s_one(db,
                 "UPDATE memberships SET role = coalesce($3, role), "
                 "organization_id = coalesce($4::uuid, organization_id), "
                 "term_from = coalesce($5::date, term_from), "
                 "term_to = CASE WHEN $7::boolean THEN NULL ELSE coalesce($6::date, term_to) END "
                 "WHERE committee_id = $1 AND id = $2 RETURNING " MEMBERSHIP_COLUMNS,
                 7, params, s_membership, (ProtobufCMessage **)out);
}

int agenda_store_membership_list(db_t *db, agenda_page_t page, const char *committee_id,
                                 const char *role, const char *active_on,
                                 Samhand__V1__ListMembershipsResponse **out)
{
    char after[24], limit[16];
    s_page_params(page, after, limit);
    const char *params[] = {after, limit, committee_id, role, active_on};
    return s_list(db,
                  "SELECT " MEMBERSHIP_COLUMNS " FROM memberships WHERE row_seq > $1"
                  " AND committee_id = $3"
                  " AND ($4::text IS NULL OR role = $4)"
                  " AND ($5::date IS NULL OR (term_from <= $5 AND "
                  "      (term_to IS NULL OR term_to >= $5)))"
                  " ORDER BY row_seq LIMIT $2",
                  5, params, s_membership, page,
                  &samhand__v1__list_memberships_response__descriptor, (ProtobufCMessage **)out);
}
