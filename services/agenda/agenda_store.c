/* SQL of the agenda service; see agenda_store.h for the contract. */
#include "agenda_store.h"
#include "samhand_rows.h"

#include <assert.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------- organizations */

#define ORG_COLUMNS                                                                                \
    "id, name, organization_number, kind, " ROWS_TIMESTAMP_US(                                     \
        "created_at") ", " ROWS_TIMESTAMP_US("updated_at") ", coalesce(contact_email, ''), "       \
                                                           "row_seq"

static ProtobufCMessage *s_organization(const PGresult *res, int row)
{
    Samhand__V1__Organization *org = malloc(sizeof *org);
    assert(org);
    samhand__v1__organization__init(org);
    org->id = rows_text(res, row, 0);
    org->name = rows_text(res, row, 1);
    org->organization_number = rows_text(res, row, 2);
    org->kind = rows_enum(&samhand__v1__organization__kind__descriptor, res, row, 3);
    org->create_time = rows_timestamp_us(res, row, 4);
    org->update_time = rows_timestamp_us(res, row, 5);
    org->contact_email = rows_text(res, row, 6);
    return &org->base;
}

int agenda_store_organization_insert(db_t *db, const char *name, const char *number,
                                     const char *kind, const char *contact_email,
                                     Samhand__V1__Organization **out)
{
    const char *params[] = {name, number, kind, contact_email};
    return rows_one(db,
                    "INSERT INTO organizations (name, organization_number, kind, contact_email) "
                    "VALUES ($1, $2, $3, nullif($4, '')) RETURNING " ORG_COLUMNS,
                    4, params, s_organization, (ProtobufCMessage **)out);
}

int agenda_store_organization_get(db_t *db, const char *id, Samhand__V1__Organization **out)
{
    const char *params[] = {id};
    return rows_one(db, "SELECT " ORG_COLUMNS " FROM organizations WHERE id = $1", 1, params,
                    s_organization, (ProtobufCMessage **)out);
}

int agenda_store_organization_update(db_t *db, const char *id, const char *name, const char *kind,
                                     const char *contact_email, Samhand__V1__Organization **out)
{
    const char *params[] = {id, name, kind, contact_email};
    return rows_one(
        db,
        "UPDATE organizations SET name = coalesce($2, name), kind = coalesce($3, kind), "
        "contact_email = CASE WHEN $4::text IS NULL THEN contact_email "
        "ELSE nullif($4, '') END, updated_at = now() WHERE id = $1 "
        "RETURNING " ORG_COLUMNS,
        4, params, s_organization, (ProtobufCMessage **)out);
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

static ProtobufCMessage *s_person(const PGresult *res, int row)
{
    Samhand__V1__Person *person = malloc(sizeof *person);
    assert(person);
    samhand__v1__person__init(person);
    person->id = rows_text(res, row, 0);
    person->name = rows_text(res, row, 1);
    person->title = rows_text(res, row, 2);
    person->organization_id = rows_text(res, row, 3);
    person->email = rows_text(res, row, 4);
    person->create_time = rows_timestamp_us(res, row, 5);
    person->update_time = rows_timestamp_us(res, row, 6);
    person->principal_subject = rows_text(res, row, 7);
    return &person->base;
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

/* ------------------------------------------------------------- committees */

#define COMMITTEE_COLUMNS                                                                          \
    "id, name, short_name, kind, parent_id, mandate, notice_period_days, case_number_format, "     \
    "" ROWS_TIMESTAMP_US("created_at") ", " ROWS_TIMESTAMP_US(                                     \
        "updated_at") ", "                                                                         \
                      "coalesce(secretariat_organization_id::text, ''), row_seq, "                 \
                      "numbers_any_other_business, numbers_orientations, "                         \
                      "carried_case_keeps_number"

static ProtobufCMessage *s_committee(const PGresult *res, int row)
{
    Samhand__V1__Committee *c = malloc(sizeof *c);
    assert(c);
    samhand__v1__committee__init(c);
    c->id = rows_text(res, row, 0);
    c->name = rows_text(res, row, 1);
    c->short_name = rows_text(res, row, 2);
    c->kind = rows_enum(&samhand__v1__committee__kind__descriptor, res, row, 3);
    c->parent_id = rows_text(res, row, 4);
    c->mandate = rows_text(res, row, 5);
    c->notice_period_days = atoi(PQgetvalue(res, row, 6));
    c->case_number_format = rows_text(res, row, 7);
    c->create_time = rows_timestamp_us(res, row, 8);
    c->update_time = rows_timestamp_us(res, row, 9);
    c->secretariat_organization_id = rows_text(res, row, 10);
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

/* ------------------------------------------------------------ memberships */

#define MEMBERSHIP_COLUMNS                                                                         \
    "id, committee_id, person_id, role, organization_id, term_from::text, "                        \
    "coalesce(term_to::text, ''), " ROWS_TIMESTAMP_US("created_at") ", " ROWS_TIMESTAMP_US(        \
        "updated_at") ", row_seq"

static ProtobufCMessage *s_membership(const PGresult *res, int row)
{
    Samhand__V1__Membership *m = malloc(sizeof *m);
    assert(m);
    samhand__v1__membership__init(m);
    m->id = rows_text(res, row, 0);
    m->committee_id = rows_text(res, row, 1);
    m->person_id = rows_text(res, row, 2);
    m->role = rows_enum(&samhand__v1__membership__role__descriptor, res, row, 3);
    m->organization_id = rows_text(res, row, 4);
    m->term_from = rows_text(res, row, 5);
    m->term_to = rows_text(res, row, 6);
    m->create_time = rows_timestamp_us(res, row, 7);
    m->update_time = rows_timestamp_us(res, row, 8);
    return &m->base;
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

/* ---------------------------------------------------------------- meetings */

/* Whether the reader (administrator, its staff organisation, subject: the
 * parameters named) runs the committee of id `committee`: the standing
 * AGENDA_STANDING_RUNS of agenda_caller_standing, asked of many committees
 * in one query. */
#define READER_RUNS(committee, admin, org, subject)                                                \
    "(" admin "::boolean OR coalesce((SELECT k.secretariat_organization_id = " org "::uuid "       \
    "FROM committees k WHERE k.id = " committee "), false) OR EXISTS (SELECT 1 FROM "              \
    "memberships ms JOIN persons p ON p.id = ms.person_id WHERE ms.committee_id = " committee      \
    " AND p.principal_subject = " subject " AND ms.role IN ('SECRETARY', 'CHAIR', "                \
    "'VICE_CHAIR') AND ms.term_from <= current_date AND (ms.term_to IS NULL OR ms.term_to >= "     \
    "current_date)))"
/* Whether meeting `m` reads as its last notice (kept) to one who does not
 * run its committee, `runs` saying whether the reader does. */
#define READS_AS_NOTICED(m, runs)                                                                  \
    "(" m ".state IN ('NOTICE_PUBLISHED', 'CANCELLED') AND EXISTS (SELECT 1 FROM "                 \
    "notice_versions v WHERE v.meeting_id = " m ".id AND v.version = " m ".notice_version) AND "   \
    "NOT " runs ")"
/* Whether item `i` of meeting `m` was drafted after the meeting's notice
 * and no notice has carried it yet: only those who run the committee
 * (`runs`) read it. */
#define DRAFTED_AFTER_NOTICE(i, m, runs)                                                           \
    "(" m ".state IN ('NOTICE_PUBLISHED', 'CANCELLED') AND EXISTS (SELECT 1 FROM "                 \
    "notice_versions v WHERE v.meeting_id = " m ".id) AND NOT EXISTS (SELECT 1 FROM "              \
    "notice_items n WHERE n.meeting_id = " m ".id AND n.item_id = " i ".id) AND NOT " runs ")"

/* whether the meeting changed since its last notice */
#define MEETING_CHANGED                                                                            \
    "EXISTS (SELECT 1 FROM agenda_changes c WHERE c.meeting_id = meetings.id AND "                 \
    "c.version IS NULL)"
#define MEETING_TIMES                                                                              \
    ROWS_TIMESTAMP_US("notice_at")                                                                 \
    ", cancel_reason, " ROWS_TIMESTAMP_US("created_at") ", " ROWS_TIMESTAMP_US(                    \
        "updated_at") ", " ROWS_TIMESTAMP_US("minutes_approved_at")
/* the paging key, row_seq, last */
#define MEETING_COLUMNS                                                                            \
    "id, committee_id, kind, title, extract(epoch FROM starts_at)::bigint, "                       \
    "extract(epoch FROM ends_at)::bigint, place, online_url, "                                     \
    "coalesce(chair_person_id::text, ''), state, notice_version, " MEETING_TIMES                   \
    ", " MEETING_CHANGED ", row_seq"

static ProtobufCMessage *s_meeting(const PGresult *res, int row)
{
    Samhand__V1__Meeting *m = malloc(sizeof *m);
    assert(m);
    samhand__v1__meeting__init(m);
    m->id = rows_text(res, row, 0);
    m->committee_id = rows_text(res, row, 1);
    m->kind = rows_enum(&samhand__v1__meeting__kind__descriptor, res, row, 2);
    m->title = rows_text(res, row, 3);
    m->start_time = rows_timestamp_s(res, row, 4);
    m->end_time = rows_timestamp_s(res, row, 5);
    m->place = rows_text(res, row, 6);
    m->online_url = rows_text(res, row, 7);
    m->chair_person_id = rows_text(res, row, 8);
    m->state = rows_enum(&samhand__v1__meeting__state__descriptor, res, row, 9);
    m->notice_version = atoi(PQgetvalue(res, row, 10));
    if (!PQgetisnull(res, row, 11))
        m->notice_time = rows_timestamp_us(res, row, 11);
    m->cancel_reason = rows_text(res, row, 12);
    m->create_time = rows_timestamp_us(res, row, 13);
    m->update_time = rows_timestamp_us(res, row, 14);
    if (!PQgetisnull(res, row, 15))
        m->minutes_approve_time = rows_timestamp_us(res, row, 15);
    m->has_unpublished_changes = PQgetvalue(res, row, 16)[0] == 't';
    return &m->base;
}

#define ITEM_COLUMNS                                                                               \
    "id, meeting_id, position, kind, title, description, array_to_json(presenters)::text, "        \
    "duration_min, is_exempt, exemption_basis, coalesce(case_number, ''), is_withdrawn, "          \
    "added_in_version, coalesce(case_id::text, ''), coalesce(outcome, ''), decision, "             \
    "array_to_json(discussion_points)::text, coalesce(carried_from::text, ''), "                   \
    "(SELECT extract(epoch FROM om.starts_at)::bigint FROM agenda_items o JOIN meetings om ON "    \
    "om.id = o.meeting_id WHERE o.id = agenda_items.carried_from), "                               \
    "(SELECT coalesce(o.case_number, '') FROM agenda_items o WHERE o.id = "                        \
    "agenda_items.carried_from)"

static ProtobufCMessage *s_item(const PGresult *res, int row)
{
    Samhand__V1__AgendaItem *item = malloc(sizeof *item);
    assert(item);
    samhand__v1__agenda_item__init(item);
    item->id = rows_text(res, row, 0);
    item->meeting_id = rows_text(res, row, 1);
    item->position = atoi(PQgetvalue(res, row, 2));
    item->kind = rows_enum(&samhand__v1__agenda_item__kind__descriptor, res, row, 3);
    item->title = rows_text(res, row, 4);
    item->description = rows_text(res, row, 5);
    item->presenters = rows_json_strings(PQgetvalue(res, row, 6), &item->n_presenters);
    item->duration_min = atoi(PQgetvalue(res, row, 7));
    item->is_exempt = PQgetvalue(res, row, 8)[0] == 't';
    item->exemption_basis = rows_text(res, row, 9);
    item->case_number = rows_text(res, row, 10);
    item->is_withdrawn = PQgetvalue(res, row, 11)[0] == 't';
    item->added_in_version = atoi(PQgetvalue(res, row, 12));
    item->case_id = rows_text(res, row, 13);
    item->outcome = rows_enum(&samhand__v1__agenda_item__outcome__descriptor, res, row, 14);
    item->decision = rows_text(res, row, 15);
    item->discussion_points =
        rows_json_strings(PQgetvalue(res, row, 16), &item->n_discussion_points);
    item->carried_from_item_id = rows_text(res, row, 17);
    if (!PQgetisnull(res, row, 18))
        item->carried_from_meeting_time = rows_timestamp_s(res, row, 18);
    item->carried_from_case_number = rows_text(res, row, 19);
    return &item->base;
}

int agenda_store_meeting_insert(db_t *db, const agenda_meeting_fields_t *f,
                                Samhand__V1__Meeting **out)
{
    const char *params[] = {f->committee_id, f->kind,  f->title,      f->starts_at,
                            f->ends_at,      f->place, f->online_url, f->chair_person_id};
    return rows_one(db,
                    "INSERT INTO meetings (committee_id, kind, title, starts_at, ends_at, place, "
                    "online_url, chair_person_id) VALUES ($1, $2, coalesce($3, ''), "
                    "to_timestamp($4::bigint), to_timestamp($5::bigint), coalesce($6, ''), "
                    "coalesce($7, ''), $8::uuid) RETURNING " MEETING_COLUMNS,
                    8, params, s_meeting, (ProtobufCMessage **)out);
}

static ProtobufCMessage *s_attendance(const PGresult *res, int row)
{
    Samhand__V1__Attendance *a = malloc(sizeof *a);
    assert(a);
    samhand__v1__attendance__init(a);
    a->person_id = rows_text(res, row, 0);
    a->status = rows_enum(&samhand__v1__attendance__status__descriptor, res, row, 1);
    a->deputy_for_person_id = rows_text(res, row, 2);
    a->person_name = rows_text(res, row, 3);
    return &a->base;
}

int agenda_store_meeting_get(db_t *db, const char *id, bool lock, Samhand__V1__Meeting **out)
{
    const char *params[] = {id};
    int rc = rows_one(db,
                      lock ? "SELECT " MEETING_COLUMNS " FROM meetings WHERE id = $1 FOR UPDATE"
                           : "SELECT " MEETING_COLUMNS " FROM meetings WHERE id = $1",
                      1, params, s_meeting, (ProtobufCMessage **)out);
    if (rc != 0)
        return rc;
    if (rows_children(
            db, "SELECT " ITEM_COLUMNS " FROM agenda_items WHERE meeting_id = $1 ORDER BY position",
            1, params, s_item, &(*out)->base, "items") != 0 ||
        rows_children(db,
                      "SELECT a.person_id, a.status, coalesce(a.deputy_for::text, ''), p.name "
                      "FROM attendance a JOIN persons p ON p.id = a.person_id "
                      "WHERE a.meeting_id = $1 ORDER BY p.name, a.person_id",
                      1, params, s_attendance, &(*out)->base, "attendance") != 0) {
        protobuf_c_message_free_unpacked(&(*out)->base, NULL);
        *out = NULL;
        return -1;
    }
    return 0;
}

int agenda_store_meeting_update(db_t *db, const char *id, const agenda_meeting_fields_t *f)
{
    const char *params[] = {id,
                            f->kind,
                            f->title,
                            f->starts_at,
                            f->ends_at,
                            f->place,
                            f->online_url,
                            f->chair_person_id,
                            f->clear_chair ? "t" : "f"};
    PGresult *res = db_query(
        db,
        "UPDATE meetings SET kind = coalesce($2, kind), title = coalesce($3, title), "
        "starts_at = coalesce(to_timestamp($4::bigint), starts_at), "
        "ends_at = coalesce(to_timestamp($5::bigint), ends_at), place = coalesce($6, place), "
        "online_url = coalesce($7, online_url), chair_person_id = CASE WHEN $9::boolean THEN NULL "
        "ELSE coalesce($8::uuid, chair_person_id) END, updated_at = now() WHERE id = $1",
        9, params);
    if (!res)
        return -1;
    int found = atoi(PQcmdTuples(res)) > 0;
    PQclear(res);
    return found ? 0 : 1;
}

int agenda_store_meeting_list(db_t *db, agenda_page_t page, const char *committee_id,
                              const char *state, const char *from, const char *to, bool with_drafts,
                              const char *q, const agenda_reader_t *reader,
                              Samhand__V1__ListMeetingsResponse **out)
{
    char after[24], limit[16];
    rows_page_params(page.after, page.limit, after, limit);
    const agenda_reader_t nobody = {.subject = ""};
    if (!reader)
        reader = &nobody;
    const char *params[] = {after,
                            limit,
                            committee_id,
                            state,
                            from,
                            to,
                            with_drafts ? "t" : "f",
                            q,
                            reader->is_administrator ? "t" : "f",
                            reader->staff_organization_id,
                            reader->subject};
    return rows_list(
        db,
        "SELECT " MEETING_COLUMNS " FROM meetings WHERE row_seq > $1"
        " AND ($3::uuid IS NULL OR committee_id = $3)"
        " AND ($4::text IS NULL OR state = $4)"
        " AND ($5::bigint IS NULL OR starts_at >= to_timestamp($5::bigint))"
        " AND ($6::bigint IS NULL OR starts_at < to_timestamp($6::bigint))"
        " AND ($7::boolean OR state <> 'DRAFT')"
        /* what the reader reads is searched: the last notice's words by
         * those who read it, the working draft by those who run the
         * committee; an exempt item's title (exempt then or now) is
         * not the public's: not searched */
        " AND ($8::text IS NULL OR CASE WHEN " READS_AS_NOTICED(
            "meetings",
            READER_RUNS(
                "meetings.committee_id", "$9", "$10",
                "$11")) " THEN "
                        "      EXISTS (SELECT 1 FROM notice_versions v WHERE v.meeting_id = "
                        "      meetings.id AND v.version = meetings.notice_version AND "
                        "      (strpos(lower(v.title), lower($8)) > 0 OR "
                        "      strpos(lower(v.place), lower($8)) > 0 OR EXISTS (SELECT 1 FROM "
                        "      notice_items n JOIN agenda_items i ON i.id = n.item_id WHERE "
                        "      n.meeting_id = v.meeting_id AND n.version = v.version AND NOT "
                        "      n.is_exempt AND NOT i.is_exempt AND "
                        "      strpos(lower(n.title), lower($8)) > 0)))"
                        "      ELSE strpos(lower(title), lower($8)) > 0 OR "
                        "      strpos(lower(place), lower($8)) > 0 OR EXISTS (SELECT 1 FROM "
                        "      agenda_items i WHERE i.meeting_id = meetings.id AND NOT i.is_exempt "
                        "      AND strpos(lower(i.title), lower($8)) > 0) END)"
                        " ORDER BY row_seq LIMIT $2",
        11, params, s_meeting, page.limit, &samhand__v1__list_meetings_response__descriptor,
        (ProtobufCMessage **)out);
}

int agenda_store_meeting_set_state(db_t *db, const char *id, const char *state,
                                   const char *cancel_reason)
{
    const char *params[] = {id, state, cancel_reason};
    return rows_exec(db,
                     "UPDATE meetings SET state = $2, cancel_reason = coalesce($3, cancel_reason), "
                     "updated_at = now() WHERE id = $1",
                     3, params);
}

int agenda_store_meeting_noticed(db_t *db, const char *id, int version)
{
    char v[16];
    snprintf(v, sizeof v, "%d", version);
    const char *params[] = {id, v};
    return rows_exec(db,
                     "UPDATE meetings SET state = 'NOTICE_PUBLISHED', notice_version = $2, "
                     "notice_at = now(), updated_at = now() WHERE id = $1",
                     2, params);
}

int agenda_store_notice_keep(db_t *db, const char *meeting_id, int version,
                             const Samhand__V1__KeptNotice *notice)
{
    size_t len = protobuf_c_message_get_packed_size(&notice->base);
    uint8_t *packed = malloc(len + 1);
    char *hex = malloc(2 * len + 1);
    assert(packed && hex);
    protobuf_c_message_pack(&notice->base, packed);
    for (size_t i = 0; i < len; i++)
        snprintf(hex + 2 * i, 3, "%02x", packed[i]);
    hex[2 * len] = '\0';
    char v[16];
    snprintf(v, sizeof v, "%d", version);
    const char *params[] = {meeting_id, v, hex};
    /* the notice is the meeting as it stands in this transaction */
    int rc = rows_exec(db,
                       "INSERT INTO notice_versions (meeting_id, version, notice, title, place) "
                       "SELECT $1, $2, decode($3, 'hex'), title, place FROM meetings "
                       "WHERE id = $1",
                       3, params);
    if (rc >= 0)
        rc = rows_exec(db,
                       "INSERT INTO notice_items (meeting_id, version, item_id, title, is_exempt) "
                       "SELECT $1, $2, id, title, is_exempt FROM agenda_items "
                       "WHERE meeting_id = $1",
                       2, params);
    free(hex);
    free(packed);
    return rc < 0 ? -1 : 0;
}

int agenda_store_notice_get(db_t *db, const char *meeting_id, int version,
                            Samhand__V1__KeptNotice **out)
{
    char v[16];
    snprintf(v, sizeof v, "%d", version);
    const char *params[] = {meeting_id, v};
    *out = NULL;
    PGresult *res = db_query(db,
                             "SELECT encode(notice, 'hex') FROM notice_versions "
                             "WHERE meeting_id = $1 AND version = $2",
                             2, params);
    if (!res)
        return -1;
    int rc = 1;
    if (PQntuples(res) == 1) {
        const char *hex = PQgetvalue(res, 0, 0);
        size_t len = strlen(hex) / 2;
        uint8_t *packed = malloc(len + 1);
        assert(packed);
        for (size_t i = 0; i < len; i++) {
            unsigned byte;
            sscanf(hex + 2 * i, "%2x", &byte);
            packed[i] = (uint8_t)byte;
        }
        *out = samhand__v1__kept_notice__unpack(NULL, len, packed);
        free(packed);
        rc = *out ? 0 : -1;
    }
    PQclear(res);
    return rc;
}

static ProtobufCMessage *s_notice_version(const PGresult *res, int row)
{
    Samhand__V1__NoticeVersion *v = malloc(sizeof *v);
    assert(v);
    samhand__v1__notice_version__init(v);
    v->version = atoi(PQgetvalue(res, row, 0));
    v->kind = v->version > 1 ? SAMHAND__V1__NOTICE_VERSION__KIND__SUPPLEMENTARY_NOTICE
                             : SAMHAND__V1__NOTICE_VERSION__KIND__NOTICE;
    v->publish_time = rows_timestamp_us(res, row, 1);
    return &v->base;
}

int agenda_store_notice_versions(db_t *db, Samhand__V1__Meeting *m)
{
    const char *params[] = {m->id};
    return rows_children(
        db,
        "SELECT version, " ROWS_TIMESTAMP_US(
            "published_at") " FROM "
                            "notice_versions WHERE meeting_id = $1 ORDER BY version",
        1, params, s_notice_version, &m->base, "notice_versions");
}

/* ----------------------------------------------------------- agenda items */

int agenda_store_item_insert(db_t *db, const char *meeting_id, int position,
                             const agenda_item_fields_t *f, int added_in_version,
                             const char *case_id)
{
    char pos[16], version[16];
    snprintf(pos, sizeof pos, "%d", position);
    snprintf(version, sizeof version, "%d", added_in_version);
    const char *shift[] = {meeting_id, pos};
    if (rows_exec(db,
                  "UPDATE agenda_items SET position = position + 1 WHERE meeting_id = $1 AND "
                  "position >= $2",
                  2, shift) < 0)
        return -1;
    char *presenters = rows_json_array(f->presenters, f->n_presenters);
    const char *params[] = {meeting_id,         pos,        f->kind,         f->title,
                            f->description,     presenters, f->duration_min, f->is_exempt,
                            f->exemption_basis, version,    case_id};
    int rc = rows_exec(db,
                       "INSERT INTO agenda_items (meeting_id, position, kind, title, description, "
                       "presenters, duration_min, is_exempt, exemption_basis, added_in_version, "
                       "case_id) VALUES ($1, $2, $3, $4, coalesce($5, ''), "
                       "ARRAY(SELECT jsonb_array_elements_text($6::jsonb)), $7, $8, "
                       "coalesce($9, ''), $10, $11::uuid)",
                       11, params);
    free(presenters);
    return rc;
}

int agenda_store_item_update(db_t *db, const char *item_id, const agenda_item_fields_t *f)
{
    char *presenters = f->set_presenters ? rows_json_array(f->presenters, f->n_presenters) : NULL;
    const char *params[] = {item_id,    f->kind,         f->title,     f->description,
                            presenters, f->duration_min, f->is_exempt, f->exemption_basis};
    int rc = rows_exec(db,
                       "UPDATE agenda_items SET kind = coalesce($2, kind), "
                       "title = coalesce($3, title), description = coalesce($4, description), "
                       "presenters = CASE WHEN $5::jsonb IS NULL THEN presenters ELSE "
                       "ARRAY(SELECT jsonb_array_elements_text($5::jsonb)) END, "
                       "duration_min = coalesce($6::integer, duration_min), "
                       "is_exempt = coalesce($7::boolean, is_exempt), "
                       "exemption_basis = coalesce($8, exemption_basis), updated_at = now() "
                       "WHERE id = $1",
                       8, params);
    free(presenters);
    return rc;
}

int agenda_store_item_move(db_t *db, const char *meeting_id, int from, int to)
{
    char f[16], t[16];
    snprintf(f, sizeof f, "%d", from);
    snprintf(t, sizeof t, "%d", to);
    const char *params[] = {meeting_id, f, t};
    return rows_exec(db,
                     "UPDATE agenda_items SET position = CASE "
                     "WHEN position = $2 THEN $3::integer "
                     "WHEN $2 < $3 THEN position - 1 ELSE position + 1 END "
                     "WHERE meeting_id = $1 AND position BETWEEN least($2::integer, $3::integer) "
                     "AND greatest($2::integer, $3::integer)",
                     3, params);
}

int agenda_store_item_delete(db_t *db, const char *meeting_id, const char *item_id, int position)
{
    const char *params[] = {meeting_id, item_id};
    /* the item's case document and attachments go with it */
    const char *own[] = {item_id};
    if (rows_exec(db, "DELETE FROM attachments WHERE item_id = $1", 1, own) < 0 ||
        rows_exec(db, "DELETE FROM case_documents WHERE item_id = $1", 1, own) < 0)
        return -1;
    int rc = rows_exec(db, "DELETE FROM agenda_items WHERE meeting_id = $1 AND id = $2", 2, params);
    if (rc != 0)
        return rc;
    char pos[16];
    snprintf(pos, sizeof pos, "%d", position);
    const char *shift[] = {meeting_id, pos};
    return rows_exec(db,
                     "UPDATE agenda_items SET position = position - 1 WHERE meeting_id = $1 AND "
                     "position > $2",
                     2, shift) < 0
               ? -1
               : 0;
}

int agenda_store_item_withdraw(db_t *db, const char *item_id)
{
    const char *params[] = {item_id};
    return rows_exec(
        db, "UPDATE agenda_items SET is_withdrawn = true, updated_at = now() WHERE id = $1", 1,
        params);
}

int agenda_store_item_numbered(db_t *db, const char *item_id, int year, int seq, const char *number,
                               int version)
{
    char y[16], s[16], v[16];
    snprintf(y, sizeof y, "%d", year);
    snprintf(s, sizeof s, "%d", seq);
    snprintf(v, sizeof v, "%d", version);
    const char *params[] = {item_id, y, s, number, v};
    return rows_exec(db,
                     "UPDATE agenda_items SET case_year = $2, case_seq = $3, case_number = $4, "
                     "added_in_version = CASE WHEN added_in_version = 0 THEN $5::integer ELSE "
                     "added_in_version END WHERE id = $1 AND case_number IS NULL",
                     5, params);
}

int agenda_store_item_number_kept(db_t *db, const char *item_id, int version)
{
    char v[16];
    snprintf(v, sizeof v, "%d", version);
    const char *params[] = {item_id, v};
    return rows_exec(db,
                     "UPDATE agenda_items i SET case_year = o.case_year, case_seq = o.case_seq, "
                     "case_number = o.case_number, added_in_version = CASE WHEN "
                     "i.added_in_version = 0 THEN $2::integer ELSE i.added_in_version END "
                     "FROM agenda_items o WHERE i.id = $1 AND o.id = i.carried_from AND "
                     "i.case_number IS NULL AND o.case_number IS NOT NULL",
                     2, params);
}

static ProtobufCMessage *s_case_numbering(const PGresult *res, int row)
{
    Samhand__V1__CaseNumbering *n = malloc(sizeof *n);
    assert(n);
    samhand__v1__case_numbering__init(n);
    n->committee_id = rows_text(res, row, 0);
    n->year = atoi(PQgetvalue(res, row, 1));
    n->next_number = atoi(PQgetvalue(res, row, 2));
    n->last_given = atoi(PQgetvalue(res, row, 3));
    return &n->base;
}

/* The committee-year's next number and the highest one a notice gave. */
#define CASE_NUMBERING_SQL                                                                         \
    "SELECT c.id, $2::integer, coalesce((SELECT last_number FROM case_sequences s WHERE "          \
    "s.committee_id = c.id AND s.year = $2::integer), 0) + 1, coalesce((SELECT "                   \
    "max(i.case_seq) FROM agenda_items i JOIN meetings m ON m.id = i.meeting_id WHERE "            \
    "m.committee_id = c.id AND i.case_year = $2::integer), 0) FROM committees c WHERE c.id = $1"

int agenda_store_case_numbering_get(db_t *db, const char *committee_id, int year, bool lock,
                                    Samhand__V1__CaseNumbering **out)
{
    char y[16];
    snprintf(y, sizeof y, "%d", year);
    const char *params[] = {committee_id, y};
    /* a change waits for a notice being published, which takes numbers */
    if (lock && (rows_exec(db,
                           "INSERT INTO case_sequences (committee_id, year, last_number) SELECT "
                           "id, $2::integer, 0 FROM committees WHERE id = $1 ON CONFLICT DO "
                           "NOTHING",
                           2, params) < 0 ||
                 rows_exec(db,
                           "SELECT 1 FROM case_sequences WHERE committee_id = $1 AND year = "
                           "$2::integer FOR UPDATE",
                           2, params) < 0))
        return -1;
    return rows_one(db, CASE_NUMBERING_SQL, 2, params, s_case_numbering, (ProtobufCMessage **)out);
}

int agenda_store_case_numbering_set(db_t *db, const char *committee_id, int year, int next_number)
{
    char y[16], last[16];
    snprintf(y, sizeof y, "%d", year);
    snprintf(last, sizeof last, "%d", next_number - 1);
    const char *params[] = {committee_id, y, last};
    return rows_exec(db,
                     "UPDATE case_sequences SET last_number = $3::integer WHERE committee_id = $1 "
                     "AND year = $2::integer",
                     3, params);
}

int agenda_store_case_numbers_take(db_t *db, const char *committee_id, int year, int count,
                                   int *first)
{
    char y[16], c[16];
    snprintf(y, sizeof y, "%d", year);
    snprintf(c, sizeof c, "%d", count);
    const char *params[] = {committee_id, y, c};
    PGresult *res = db_query(db,
                             "INSERT INTO case_sequences (committee_id, year, last_number) "
                             "VALUES ($1, $2, $3) ON CONFLICT (committee_id, year) DO UPDATE "
                             "SET last_number = case_sequences.last_number + $3 "
                             "RETURNING last_number",
                             3, params);
    if (!res)
        return -1;
    *first = atoi(PQgetvalue(res, 0, 0)) - count + 1;
    PQclear(res);
    return 0;
}

int agenda_store_change_add(db_t *db, const char *meeting_id, const char *description)
{
    const char *params[] = {meeting_id, description};
    return rows_exec(db, "INSERT INTO agenda_changes (meeting_id, description) VALUES ($1, $2)", 2,
                     params);
}

int agenda_store_change_add_item(db_t *db, const char *meeting_id, const char *item_id, bool exempt,
                                 const char *text, const char *public_text)
{
    const char *params[] = {meeting_id, item_id, exempt ? "t" : "f", text, public_text};
    return rows_exec(db,
                     "INSERT INTO agenda_changes (meeting_id, item_id, description, "
                     "public_description) VALUES ($1, $2, CASE WHEN $3::boolean THEN $5 ELSE $4 "
                     "END, $5)",
                     5, params);
}

/* A change's text as the notice prints it: of an item exempt now, or
 * removed since (it may have been made exempt first), without its title. */
#define CHANGE_TEXT                                                                                \
    "CASE WHEN c.item_id IS NOT NULL AND (i.id IS NULL OR i.is_exempt) THEN "                      \
    "coalesce(c.public_description, c.description) ELSE "                                          \
    "c.description END"

static int s_strings(PGresult *res, char ***out, size_t *n)
{
    if (!res)
        return -1;
    int rows = PQntuples(res);
    *out = calloc((size_t)rows + 1, sizeof **out);
    assert(*out);
    for (int i = 0; i < rows; i++)
        (*out)[i] = rows_text(res, i, 0);
    *n = (size_t)rows;
    PQclear(res);
    return 0;
}

int agenda_store_changes_take(db_t *db, const char *meeting_id, int version, char ***out, size_t *n)
{
    char v[16];
    snprintf(v, sizeof v, "%d", version);
    const char *params[] = {meeting_id, v};
    return s_strings(db_query(db,
                              "WITH taken AS (UPDATE agenda_changes SET version = $2 "
                              "WHERE meeting_id = $1 AND version IS NULL RETURNING *) "
                              "SELECT " CHANGE_TEXT " FROM taken c LEFT JOIN agenda_items i "
                              "ON i.id = c.item_id ORDER BY c.id",
                              2, params),
                     out, n);
}

int agenda_store_changes_of(db_t *db, const char *meeting_id, int version, char ***out, size_t *n)
{
    char v[16];
    snprintf(v, sizeof v, "%d", version);
    const char *params[] = {meeting_id, v};
    return s_strings(db_query(db,
                              "SELECT " CHANGE_TEXT " FROM agenda_changes c LEFT JOIN "
                              "agenda_items i ON i.id = c.item_id WHERE c.meeting_id = $1 AND "
                              "c.version IS NOT DISTINCT FROM nullif($2::integer, 0) "
                              "ORDER BY c.id",
                              2, params),
                     out, n);
}

/* ------------------------------------------------------------------ minutes */

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

static ProtobufCMessage *s_treatment(const PGresult *res, int row)
{
    Samhand__V1__Treatment *t = malloc(sizeof *t);
    assert(t);
    samhand__v1__treatment__init(t);
    t->committee_id = rows_text(res, row, 0);
    t->committee_name = rows_text(res, row, 1);
    t->meeting_id = rows_text(res, row, 2);
    t->meeting_time = rows_timestamp_s(res, row, 3);
    t->item_id = rows_text(res, row, 4);
    t->case_number = rows_text(res, row, 5);
    t->outcome = rows_enum(&samhand__v1__agenda_item__outcome__descriptor, res, row, 6);
    t->decision = rows_text(res, row, 7);
    t->is_withdrawn = PQgetvalue(res, row, 8)[0] == 't';
    t->is_exempt = PQgetvalue(res, row, 9)[0] == 't';
    t->exemption_basis = rows_text(res, row, 10);
    return &t->base;
}

static ProtobufCMessage *s_case(const PGresult *res, int row)
{
    Samhand__V1__Case *c = malloc(sizeof *c);
    assert(c);
    samhand__v1__case__init(c);
    c->id = rows_text(res, row, 0);
    c->title = rows_text(res, row, 1);
    c->committee_id = rows_text(res, row, 2);
    c->create_time = rows_timestamp_us(res, row, 3);
    return &c->base;
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
                                READER_RUNS("m.committee_id", "$5", "$7",
                                            "$6")) ")"
                                                   /* an exempt treatment's case only with a
                                                      standing in its committee */
                                                   " AND ($5::boolean OR NOT EXISTS (SELECT 1 FROM "
                                                   "agenda_items i JOIN "
                                                   "meetings m ON m.id = i.meeting_id JOIN "
                                                   "committees k ON k.id = "
                                                   "m.committee_id WHERE i.case_id = c.id AND "
                                                   "i.is_exempt AND NOT "
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
    if (rows_children(
            db,
            "SELECT m.committee_id, c.name, m.id, extract(epoch FROM m.starts_at)::bigint, "
            "i.id, coalesce(i.case_number, ''), coalesce(i.outcome, ''), i.decision, "
            "i.is_withdrawn, i.is_exempt, i.exemption_basis FROM agenda_items i "
            "JOIN meetings m ON m.id = i.meeting_id "
            "JOIN committees c ON c.id = m.committee_id WHERE i.case_id = $1 AND "
            "NOT " DRAFTED_AFTER_NOTICE(
                "i", "m",
                READER_RUNS("m.committee_id", "$2", "$3", "$4")) " "
                                                                 "ORDER BY m.starts_at, i.position",
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
            "carried_from) "
            "SELECT $2, CASE WHEN (SELECT aob FROM last) THEN (SELECT p FROM last) "
            "ELSE (SELECT p FROM last) + 1 END, kind, title, description, presenters, "
            "duration_min, is_exempt, exemption_basis, case_id, id FROM agenda_items "
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

/* ------------------------------------------------------------------ actions */

/* Whether the agenda item a row came from is exempt from public access. */
#define ITEM_EXEMPT(table)                                                                         \
    "coalesce((SELECT i.is_exempt FROM agenda_items i WHERE i.id = " table ".item_id), false)"

#define ACTION_COLUMNS                                                                             \
    "id, committee_id, coalesce(item_id::text, ''), description, "                                 \
    "array_to_json(responsible_organization_ids)::text, responsible, "                             \
    "coalesce(due_date::text, ''), status, (due_date < (now() AT TIME ZONE 'Europe/Oslo')::date "  \
    "AND status IN ('OPEN', 'IN_PROGRESS')), number, " ROWS_TIMESTAMP_US(                          \
        "created_at") ", " ROWS_TIMESTAMP_US("updated_at") ", " ITEM_EXEMPT("actions") ", row_seq"

static ProtobufCMessage *s_action(const PGresult *res, int row)
{
    Samhand__V1__Action *a = malloc(sizeof *a);
    assert(a);
    samhand__v1__action__init(a);
    a->id = rows_text(res, row, 0);
    a->committee_id = rows_text(res, row, 1);
    a->item_id = rows_text(res, row, 2);
    a->description = rows_text(res, row, 3);
    a->responsible_organization_ids =
        rows_json_strings(PQgetvalue(res, row, 4), &a->n_responsible_organization_ids);
    a->responsible = rows_text(res, row, 5);
    a->due_date = rows_text(res, row, 6);
    a->status = rows_enum(&samhand__v1__action__status__descriptor, res, row, 7);
    a->is_overdue = PQgetvalue(res, row, 8)[0] == 't';
    a->number = atoi(PQgetvalue(res, row, 9));
    a->create_time = rows_timestamp_us(res, row, 10);
    a->update_time = rows_timestamp_us(res, row, 11);
    a->is_exempt = PQgetvalue(res, row, 12)[0] == 't';
    return &a->base;
}

int agenda_store_organizations_exist(db_t *db, char **ids, size_t n)
{
    char *json = rows_json_array(ids, n);
    const char *params[] = {json};
    PGresult *res = db_query(db,
                             "SELECT count(*) FROM organizations WHERE id IN "
                             "(SELECT jsonb_array_elements_text($1::jsonb)::uuid)",
                             1, params);
    free(json);
    if (!res)
        return -1;
    size_t found = (size_t)atol(PQgetvalue(res, 0, 0));
    PQclear(res);
    return found == n;
}

int agenda_store_action_insert(db_t *db, const agenda_action_fields_t *f, char id[40])
{
    const char *lock[] = {f->committee_id};
    PGresult *res = db_query(db, "SELECT 1 FROM committees WHERE id = $1 FOR UPDATE", 1, lock);
    if (!res)
        return -1;
    int found = PQntuples(res) > 0;
    PQclear(res);
    if (!found)
        return 1;
    char *orgs = rows_json_array(f->organization_ids, f->n_organization_ids);
    const char *params[] = {f->committee_id, f->item_id, f->description, orgs,
                            f->responsible,  f->due_date};
    res = db_query(db,
                   "INSERT INTO actions (committee_id, number, item_id, description, "
                   "responsible_organization_ids, responsible, due_date) SELECT $1, "
                   "coalesce(max(number), 0) + 1, $2::uuid, $3, "
                   "ARRAY(SELECT jsonb_array_elements_text($4::jsonb)::uuid), coalesce($5, ''), "
                   "$6::date FROM actions WHERE committee_id = $1 RETURNING id",
                   6, params);
    free(orgs);
    if (!res)
        return -1;
    snprintf(id, 40, "%s", PQgetvalue(res, 0, 0));
    PQclear(res);
    return 0;
}

static ProtobufCMessage *s_note(const PGresult *res, int row)
{
    Samhand__V1__ActionNote *note = malloc(sizeof *note);
    assert(note);
    samhand__v1__action_note__init(note);
    note->time = rows_timestamp_us(res, row, 0);
    note->text = rows_text(res, row, 1);
    note->author = rows_text(res, row, 2);
    return &note->base;
}

int agenda_store_action_get(db_t *db, const char *id, bool lock, Samhand__V1__Action **out)
{
    const char *params[] = {id};
    int rc = rows_one(db,
                      lock ? "SELECT " ACTION_COLUMNS " FROM actions WHERE id = $1 FOR UPDATE"
                           : "SELECT " ACTION_COLUMNS " FROM actions WHERE id = $1",
                      1, params, s_action, (ProtobufCMessage **)out);
    if (rc != 0)
        return rc;
    if (rows_children(db,
                      "SELECT " ROWS_TIMESTAMP_US("created_at") ", text, author FROM action_notes "
                                                                "WHERE action_id = $1 ORDER BY id",
                      1, params, s_note, &(*out)->base, "notes") != 0) {
        protobuf_c_message_free_unpacked(&(*out)->base, NULL);
        *out = NULL;
        return -1;
    }
    return 0;
}

int agenda_store_action_update(db_t *db, const char *id, const agenda_action_fields_t *f)
{
    char *orgs =
        f->set_organizations ? rows_json_array(f->organization_ids, f->n_organization_ids) : NULL;
    const char *params[] = {id,
                            f->description,
                            orgs,
                            f->responsible,
                            f->due_date,
                            f->status,
                            f->clear_due_date ? "t" : "f"};
    int rc = rows_exec(db,
                       "UPDATE actions SET description = coalesce($2, description), "
                       "responsible_organization_ids = CASE WHEN $3::jsonb IS NULL THEN "
                       "responsible_organization_ids ELSE ARRAY(SELECT "
                       "jsonb_array_elements_text($3::jsonb)::uuid) END, "
                       "responsible = coalesce($4, responsible), due_date = CASE WHEN $7::boolean "
                       "THEN NULL ELSE coalesce($5::date, due_date) END, "
                       "status = coalesce($6, status), updated_at = now() WHERE id = $1",
                       7, params);
    free(orgs);
    return rc;
}

int agenda_store_action_note(db_t *db, const char *id, const char *text, const char *author)
{
    const char *params[] = {id, text, author};
    return rows_exec(db, "INSERT INTO action_notes (action_id, text, author) VALUES ($1, $2, $3)",
                     3, params);
}

int agenda_store_action_list(db_t *db, agenda_page_t page, const char *committee_id,
                             const char *status, bool overdue, bool open,
                             const char *organization_id, Samhand__V1__ListActionsResponse **out)
{
    char after[24], limit[16];
    rows_page_params(page.after, page.limit, after, limit);
    const char *params[] = {
        after, limit, committee_id, status, overdue ? "t" : "f", open ? "t" : "f", organization_id};
    return rows_list(db,
                     "SELECT " ACTION_COLUMNS " FROM actions WHERE row_seq > $1"
                     " AND ($3::uuid IS NULL OR committee_id = $3)"
                     " AND ($4::text IS NULL OR status = $4)"
                     " AND (NOT $5::boolean OR (due_date < (now() AT TIME ZONE 'Europe/Oslo')::date"
                     "      AND status IN ('OPEN', 'IN_PROGRESS')))"
                     " AND (NOT $6::boolean OR status IN ('OPEN', 'IN_PROGRESS'))"
                     " AND ($7::uuid IS NULL OR $7::uuid = ANY (responsible_organization_ids))"
                     " ORDER BY row_seq LIMIT $2",
                     7, params, s_action, page.limit,
                     &samhand__v1__list_actions_response__descriptor, (ProtobufCMessage **)out);
}

/* ----------------------------------------------------------- case documents */

int agenda_store_document_put(db_t *db, const char *item_id, const agenda_document_fields_t *f)
{
    char *responsible = rows_json_array(f->responsible, f->n_responsible);
    char *officers = rows_json_array(f->case_officers, f->n_case_officers);
    char *decisions = rows_json_array(f->proposed_decisions, f->n_proposed_decisions);
    char *references = rows_json_array(f->referenced_case_ids, f->n_referenced_case_ids);
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

static ProtobufCMessage *s_document(const PGresult *res, int row)
{
    Samhand__V1__CaseDocument *d = malloc(sizeof *d);
    assert(d);
    samhand__v1__case_document__init(d);
    d->item_id = rows_text(res, row, 0);
    d->responsible = rows_json_strings(PQgetvalue(res, row, 1), &d->n_responsible);
    d->case_officers = rows_json_strings(PQgetvalue(res, row, 2), &d->n_case_officers);
    d->proposed_decisions = rows_json_strings(PQgetvalue(res, row, 3), &d->n_proposed_decisions);
    d->background = rows_text(res, row, 4);
    d->assessment = rows_text(res, row, 5);
    d->referenced_case_ids = rows_json_strings(PQgetvalue(res, row, 6), &d->n_referenced_case_ids);
    d->update_time = rows_timestamp_us(res, row, 7);
    return &d->base;
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
                 "SELECT a.filename, a.content_type, a.content, i.is_exempt, "
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

/* ---------------------------------------------------------------- proposals */

/* whether its item is exempt, when the meeting it was placed on starts */
#define PROPOSAL_PLACED                                                                            \
    ITEM_EXEMPT("proposals")                                                                       \
    ", " ROWS_TIMESTAMP_US("(SELECT m.starts_at FROM meetings m WHERE m.id = "                     \
                           "proposals.meeting_id)")

#define PROPOSAL_COLUMNS                                                                           \
    "id, committee_id, title, description, submitter_name, submitter_email, "                      \
    "coalesce(organization_id::text, ''), state, coalesce(meeting_id::text, ''), "                 \
    "coalesce(item_id::text, ''), decline_reason, " ROWS_TIMESTAMP_US(                             \
        "created_at") ", " ROWS_TIMESTAMP_US("decided_at") ", " PROPOSAL_PLACED ", row_seq"

/* Whom a proposal is answered to beside the committees' readers: the
 * principal that sent it in, and the organisation it was sent for. */
#define PROPOSAL_FOLLOWED_BY(subject, organization)                                                \
    "(" subject "::text IS NULL OR (submitted_by = " subject " AND " subject " <> '') OR "         \
    "organization_id = " organization "::uuid)"

static ProtobufCMessage *s_proposal(const PGresult *res, int row)
{
    Samhand__V1__Proposal *p = malloc(sizeof *p);
    assert(p);
    samhand__v1__proposal__init(p);
    p->id = rows_text(res, row, 0);
    p->committee_id = rows_text(res, row, 1);
    p->title = rows_text(res, row, 2);
    p->description = rows_text(res, row, 3);
    p->submitter_name = rows_text(res, row, 4);
    p->submitter_email = rows_text(res, row, 5);
    p->organization_id = rows_text(res, row, 6);
    p->state = rows_enum(&samhand__v1__proposal__state__descriptor, res, row, 7);
    p->meeting_id = rows_text(res, row, 8);
    p->item_id = rows_text(res, row, 9);
    p->decline_reason = rows_text(res, row, 10);
    p->create_time = rows_timestamp_us(res, row, 11);
    if (!PQgetisnull(res, row, 12))
        p->decide_time = rows_timestamp_us(res, row, 12);
    p->is_exempt = PQgetvalue(res, row, 13)[0] == 't';
    if (!PQgetisnull(res, row, 14))
        p->meeting_start_time = rows_timestamp_us(res, row, 14);
    return &p->base;
}

int agenda_store_proposal_insert(db_t *db, const Samhand__V1__CreateProposalRequest *req,
                                 const char *submitted_by, Samhand__V1__Proposal **out)
{
    const char *params[] = {
        req->committee_id,    req->title,
        req->description,     req->submitter_name,
        req->submitter_email, req->organization_id[0] ? req->organization_id : NULL,
        submitted_by};
    return rows_one(db,
                    "INSERT INTO proposals (committee_id, title, description, submitter_name, "
                    "submitter_email, organization_id, submitted_by) VALUES ($1, $2, $3, $4, $5, "
                    "$6::uuid, $7) RETURNING " PROPOSAL_COLUMNS,
                    7, params, s_proposal, (ProtobufCMessage **)out);
}

int agenda_store_proposal_get(db_t *db, const char *id, bool lock, Samhand__V1__Proposal **out)
{
    const char *params[] = {id};
    return rows_one(db,
                    lock ? "SELECT " PROPOSAL_COLUMNS " FROM proposals WHERE id = $1 FOR UPDATE"
                         : "SELECT " PROPOSAL_COLUMNS " FROM proposals WHERE id = $1",
                    1, params, s_proposal, (ProtobufCMessage **)out);
}

int agenda_store_proposal_get_followed(db_t *db, const char *id,
                                       const agenda_proposal_follower_t *follower,
                                       Samhand__V1__Proposal **out)
{
    const char *params[] = {id, follower ? follower->subject : NULL,
                            follower ? follower->organization_id : NULL};
    return rows_one(db,
                    "SELECT " PROPOSAL_COLUMNS
                    " FROM proposals WHERE id = $1 AND " PROPOSAL_FOLLOWED_BY("$2", "$3"),
                    3, params, s_proposal, (ProtobufCMessage **)out);
}

int agenda_store_proposal_decide(db_t *db, const char *id, const char *state,
                                 const char *meeting_id, const char *item_id, const char *reason)
{
    const char *params[] = {id, state, meeting_id, item_id, reason};
    return rows_exec(db,
                     "UPDATE proposals SET state = $2, meeting_id = $3::uuid, item_id = $4::uuid, "
                     "decline_reason = coalesce($5, ''), decided_at = now() WHERE id = $1",
                     5, params);
}

int agenda_store_proposal_list(db_t *db, agenda_page_t page, const char *committee_id,
                               const char *state, const agenda_proposal_follower_t *follower,
                               Samhand__V1__ListProposalsResponse **out)
{
    char after[24], limit[16];
    rows_page_params(page.after, page.limit, after, limit);
    const char *params[] = {after,
                            limit,
                            committee_id,
                            state,
                            follower ? follower->subject : NULL,
                            follower ? follower->organization_id : NULL};
    return rows_list(db,
                     "SELECT " PROPOSAL_COLUMNS " FROM proposals WHERE row_seq > $1"
                     " AND committee_id = $3 AND ($4::text IS NULL OR state = $4)"
                     " AND " PROPOSAL_FOLLOWED_BY("$5", "$6") " ORDER BY row_seq LIMIT $2",
                     6, params, s_proposal, page.limit,
                     &samhand__v1__list_proposals_response__descriptor, (ProtobufCMessage **)out);
}

int agenda_store_last_item_id(db_t *db, const char *meeting_id, int position, char id[40])
{
    char pos[16];
    snprintf(pos, sizeof pos, "%d", position);
    const char *params[] = {meeting_id, pos};
    PGresult *res = db_query(
        db, "SELECT id FROM agenda_items WHERE meeting_id = $1 AND position = $2", 2, params);
    if (!res)
        return -1;
    int found = PQntuples(res) > 0;
    if (found)
        snprintf(id, 40, "%s", PQgetvalue(res, 0, 0));
    PQclear(res);
    return found ? 0 : 1;
}

/* -------------------------------------------------------------- emergencies */

int agenda_store_emergency_insert(db_t *db, const char *committee_id, const char *title,
                                  const char *description, char id[40])
{
    const char *params[] = {committee_id, title, description};
    PGresult *res = db_query(db,
                             "INSERT INTO emergencies (committee_id, title, description) VALUES "
                             "($1, $2, coalesce($3, '')) RETURNING id",
                             3, params);
    if (!res)
        return -1;
    snprintf(id, 40, "%s", PQgetvalue(res, 0, 0));
    PQclear(res);
    return 0;
}

static ProtobufCMessage *s_log_entry(const PGresult *res, int row)
{
    Samhand__V1__EmergencyLogEntry *entry = malloc(sizeof *entry);
    assert(entry);
    samhand__v1__emergency_log_entry__init(entry);
    entry->kind = rows_enum(&samhand__v1__emergency_log_entry__kind__descriptor, res, row, 0);
    entry->text = rows_text(res, row, 1);
    entry->meeting_id = rows_text(res, row, 2);
    entry->time = rows_timestamp_us(res, row, 3);
    entry->author = rows_text(res, row, 4);
    return &entry->base;
}

int agenda_store_emergency_list(db_t *db, agenda_page_t page, const char *committee_id,
                                Samhand__V1__ListEmergenciesResponse **out)
{
    char after[24], limit[16];
    rows_page_params(page.after, page.limit, after, limit);
    const char *params[] = {after, limit, committee_id};
    PGresult *res = db_query(db,
                             "SELECT id, row_seq FROM emergencies WHERE committee_id = $3 AND "
                             "row_seq > $1 ORDER BY row_seq LIMIT $2",
                             3, params);
    if (!res)
        return -1;
    int rows = PQntuples(res);
    int shown = rows > page.limit ? page.limit : rows;
    Samhand__V1__ListEmergenciesResponse *list = malloc(sizeof *list);
    assert(list);
    samhand__v1__list_emergencies_response__init(list);
    list->items = calloc((size_t)shown + 1, sizeof *list->items);
    assert(list->items);
    int rc = 0;
    for (int i = 0; i < shown && rc == 0; i++) {
        rc = agenda_store_emergency_get(db, PQgetvalue(res, i, 0), false, &list->items[i]);
        if (rc == 0)
            list->n_items++;
    }
    list->next_cursor = rows > shown && shown > 0 ? rows_text(res, shown - 1, 1) : strdup("");
    PQclear(res);
    if (rc != 0) {
        protobuf_c_message_free_unpacked(&list->base, NULL);
        return -1;
    }
    *out = list;
    return 0;
}

int agenda_store_emergency_get(db_t *db, const char *id, bool lock, Samhand__V1__Emergency **out)
{
    const char *params[] = {id};
    PGresult *res = db_query(db,
                             lock ? "SELECT id, committee_id, title, description, closed_at IS "
                                    "NULL, " ROWS_TIMESTAMP_US("opened_at") ", " ROWS_TIMESTAMP_US(
                                        "closed_at") ", closing_note FROM emergencies WHERE id = "
                                                     "$1 FOR UPDATE"
                                  : "SELECT id, committee_id, title, description, closed_at IS "
                                    "NULL, " ROWS_TIMESTAMP_US("opened_at") ", " ROWS_TIMESTAMP_US(
                                        "closed_at") ", closing_note FROM emergencies WHERE id = "
                                                     "$1",
                             1, params);
    if (!res)
        return -1;
    if (PQntuples(res) == 0) {
        PQclear(res);
        return 1;
    }
    Samhand__V1__Emergency *e = malloc(sizeof *e);
    assert(e);
    samhand__v1__emergency__init(e);
    e->id = rows_text(res, 0, 0);
    e->committee_id = rows_text(res, 0, 1);
    e->title = rows_text(res, 0, 2);
    e->description = rows_text(res, 0, 3);
    e->is_open = PQgetvalue(res, 0, 4)[0] == 't';
    e->open_time = rows_timestamp_us(res, 0, 5);
    if (!PQgetisnull(res, 0, 6))
        e->close_time = rows_timestamp_us(res, 0, 6);
    e->closing_note = rows_text(res, 0, 7);
    PQclear(res);

    res = db_query(db, "SELECT id FROM meetings WHERE emergency_id = $1 ORDER BY starts_at, id", 1,
                   params);
    if (res) {
        int rows = PQntuples(res);
        e->meeting_ids = calloc((size_t)rows + 1, sizeof *e->meeting_ids);
        assert(e->meeting_ids);
        for (int i = 0; i < rows; i++)
            e->meeting_ids[i] = rows_text(res, i, 0);
        e->n_meeting_ids = (size_t)rows;
        PQclear(res);
    }
    if (!res ||
        rows_children(db,
                      "SELECT kind, text, coalesce(meeting_id::text, ''), " ROWS_TIMESTAMP_US(
                          "created_at") ", author FROM emergency_log WHERE emergency_id = "
                                        "$1 ORDER BY id",
                      1, params, s_log_entry, &e->base, "log") != 0) {
        protobuf_c_message_free_unpacked(&e->base, NULL);
        return -1;
    }
    *out = e;
    return 0;
}

int agenda_store_emergency_log(db_t *db, const char *id, const char *kind, const char *text,
                               const char *meeting_id, const char *author)
{
    const char *params[] = {id, kind, text, meeting_id, author};
    return rows_exec(db,
                     "INSERT INTO emergency_log (emergency_id, kind, text, meeting_id, author) "
                     "VALUES ($1, $2, $3, $4::uuid, $5)",
                     5, params);
}

int agenda_store_emergency_close(db_t *db, const char *id, const char *note)
{
    const char *params[] = {id, note};
    return rows_exec(db,
                     "UPDATE emergencies SET closed_at = now(), closing_note = coalesce($2, '') "
                     "WHERE id = $1 AND closed_at IS NULL",
                     2, params);
}

int agenda_store_meeting_in_emergency(db_t *db, const char *meeting_id, const char *emergency_id)
{
    const char *params[] = {meeting_id, emergency_id};
    return rows_exec(db, "UPDATE meetings SET emergency_id = $2 WHERE id = $1", 2, params);
}
