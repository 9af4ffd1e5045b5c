/* SQL of actions and their follow-up notes; see agenda_store.h for the
 * contract. */
#include "agenda_store_sql.h"
#include "samhand_rows.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* the item's exemption and public title, as those without a standing read them */
#define ACTION_ITEM_COLUMNS ITEM_EXEMPT("actions") ", " ITEM_PUBLIC_TITLE("actions")
#define ACTION_TIMES ROWS_TIMESTAMP_US("created_at") ", " ROWS_TIMESTAMP_US("updated_at")
#define ACTION_COLUMNS                                                                             \
    "id, committee_id, coalesce(item_id::text, ''), description, "                                 \
    "array_to_json(responsible_organization_ids)::text, responsible, "                             \
    "coalesce(due_date::text, ''), status, (due_date < (now() AT TIME ZONE 'Europe/Oslo')::date "  \
    "AND status IN ('OPEN', 'IN_PROGRESS')), number, " ACTION_TIMES ", " ACTION_ITEM_COLUMNS       \
    ", row_seq"

/* ACTION_COLUMNS, in order, into samhand.v1.Action */
static const rows_map_t s_action_map =
    ROWS_MAP(samhand__v1__action__descriptor, "id", "committee_id", "item_id", "description",
             "responsible_organization_ids", "responsible", "due_date", "status", "is_overdue",
             "number", "create_time", "update_time", "is_exempt", "public_title");

static ProtobufCMessage *s_action(const PGresult *res, int row)
{
    return rows_read(&s_action_map, res, row);
}

int agenda_store_organizations_exist(db_t *db, char **ids, size_t n)
{
    char *json = rows_json_array(ids, n);
    if (!json)
        return -1;
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
    if (!orgs)
        return -1;
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

/* an action's notes: time, text, author */
static const rows_map_t s_note_map =
    ROWS_MAP(samhand__v1__action_note__descriptor, "time", "text", "author");

static ProtobufCMessage *s_note(const PGresult *res, int row)
{
    return rows_read(&s_note_map, res, row);
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
    if (f->set_organizations && !orgs)
        return -1; /* not the list without one: nor as if it had not been given */
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
