/* The SQL of the reminders: what falls due, kept from the events, the days
 * whose digests are planned, and what is due to whom. See notify_store.h. */
#include "notify_store.h"
#include "samhand_rows.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A run's due items in one upsert, the last of each (kind, id) kept; titles
 * are cut at 240 characters (a long action description), where the
 * database counts characters rather than bytes. */
static const char *const s_due_columns[] = {
    "kind", "id", "title", "due_date", "organization_ids", "committee_id"};
static const char s_due_sql[] =
    "INSERT INTO due_items (kind, id, title, due_date, organization_ids, committee_id) SELECT "
    "DISTINCT ON (kind, id) kind, id, left(title, 240) || CASE WHEN length(title) > 240 THEN '…' "
    "ELSE '' END, due_date, ARRAY(SELECT "
    "jsonb_array_elements_text(organization_ids::jsonb)::uuid), "
    "committee_id FROM jsonb_to_recordset($1::jsonb) AS r(n int, kind text, id uuid, title text, "
    "due_date date, organization_ids text, committee_id uuid) ORDER BY kind, id, n DESC "
    "ON CONFLICT (kind, id) DO UPDATE SET title = EXCLUDED.title, due_date = EXCLUDED.due_date, "
    "organization_ids = EXCLUDED.organization_ids, committee_id = EXCLUDED.committee_id";

rows_batch_t *notify_store_due_batch(void)
{
    return rows_batch_new(s_due_sql, s_due_columns, sizeof s_due_columns / sizeof(char *));
}

int notify_store_digest_day(db_t *db, const char *today, char digest_id[40])
{
    const char *params[] = {today};
    PGresult *res = db_query(db,
                             "INSERT INTO digest_days (day) VALUES ($1::date) ON CONFLICT DO "
                             "NOTHING RETURNING md5('samhand-digest:' || day)::uuid",
                             1, params);
    if (!res)
        return -1;
    int is_new = PQntuples(res) > 0;
    if (is_new)
        snprintf(digest_id, 40, "%s", PQgetvalue(res, 0, 0));
    PQclear(res);
    return is_new;
}

notify_due_t *notify_store_due_by_address(db_t *db, const char *today, const char *until, int *n)
{
    const char *params[] = {today, until};
    PGresult *res = db_query(
        db,
        "WITH due AS (SELECT * FROM due_items WHERE due_date IS NOT NULL AND due_date <= "
        "$2::date), "
        "addressed AS (SELECT o.contact_email AS address, d.* FROM due d JOIN organizations o "
        "  ON o.id = ANY (d.organization_ids) WHERE o.contact_email IS NOT NULL "
        " UNION SELECT p.email, d.* FROM due d JOIN memberships ms ON ms.committee_id = "
        "  d.committee_id AND ms.role = 'SECRETARY' AND ms.term_from <= $1::date AND "
        "  (ms.term_to IS NULL OR ms.term_to >= $1::date) JOIN people p ON p.id = ms.person_id "
        "  WHERE p.email <> '') "
        "SELECT lower(address), title, due_date, due_date < $1::date FROM addressed "
        "ORDER BY lower(address), due_date, title",
        2, params);
    if (!res) {
        *n = -1;
        return NULL;
    }
    *n = PQntuples(res);
    notify_due_t *rows = calloc((size_t)*n + 1, sizeof *rows);
    for (int i = 0; i < *n; i++) {
        rows[i].address = strdup(PQgetvalue(res, i, 0));
        rows[i].title = strdup(PQgetvalue(res, i, 1));
        snprintf(rows[i].due_date, sizeof rows[i].due_date, "%s", PQgetvalue(res, i, 2));
        rows[i].is_overdue = PQgetvalue(res, i, 3)[0] == 't';
    }
    PQclear(res);
    return rows;
}

void notify_due_free(notify_due_t *rows, int n)
{
    for (int i = 0; rows && i < n; i++) {
        free(rows[i].address);
        free(rows[i].title);
    }
    free(rows);
}
