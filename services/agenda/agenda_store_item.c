/* SQL of agenda items, case numbering and the changes a supplementary
 * notice carries; see agenda_store.h for the contract. */
#include "agenda_store_sql.h"
#include "samhand_rows.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
    if (!presenters)
        return -1;
    const char *params[] = {meeting_id,         pos,        f->kind,         f->title,
                            f->description,     presenters, f->duration_min, f->is_exempt,
                            f->exemption_basis, version,    case_id,         f->public_title};
    int rc = rows_exec(db,
                       "INSERT INTO agenda_items (meeting_id, position, kind, title, description, "
                       "presenters, duration_min, is_exempt, exemption_basis, added_in_version, "
                       "case_id, public_title) VALUES ($1, $2, $3, $4, coalesce($5, ''), "
                       "ARRAY(SELECT jsonb_array_elements_text($6::jsonb)), $7, $8, "
                       "coalesce($9, ''), $10, $11::uuid, coalesce($12, ''))",
                       12, params);
    free(presenters);
    return rc;
}

int agenda_store_item_update(db_t *db, const char *item_id, const agenda_item_fields_t *f)
{
    char *presenters = f->set_presenters ? rows_json_array(f->presenters, f->n_presenters) : NULL;
    if (f->set_presenters && !presenters)
        return -1;
    const char *params[] = {item_id,        f->kind,         f->title,     f->description,
                            presenters,     f->duration_min, f->is_exempt, f->exemption_basis,
                            f->public_title};
    int rc = rows_exec(db,
                       "UPDATE agenda_items SET kind = coalesce($2, kind), "
                       "title = coalesce($3, title), description = coalesce($4, description), "
                       "presenters = CASE WHEN $5::jsonb IS NULL THEN presenters ELSE "
                       "ARRAY(SELECT jsonb_array_elements_text($5::jsonb)) END, "
                       "duration_min = coalesce($6::integer, duration_min), "
                       "is_exempt = coalesce($7::boolean, is_exempt), "
                       "exemption_basis = coalesce($8, exemption_basis), "
                       "public_title = coalesce($9, public_title), updated_at = now() "
                       "WHERE id = $1",
                       9, params);
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
