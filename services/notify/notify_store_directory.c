/* The SQL of notify's read model of agenda's directory: persons,
 * organisations, committees and memberships, which mails and reminders are
 * addressed from. See notify_store.h. */
#include "notify_store.h"
#include "samhand_rows.h"

/* Each table's upsert of a run's rows, the last of each id kept (see
 * rows_batch_t). */
static const char *const s_person_columns[] = {"id", "name", "email", "organization_id"};
static const char s_person_sql[] =
    "INSERT INTO people (id, name, email, organization_id) SELECT DISTINCT ON (id) id, name, "
    "email, nullif(organization_id, '')::uuid FROM jsonb_to_recordset($1::jsonb) AS r(n int, id "
    "uuid, name text, email text, organization_id text) ORDER BY id, n DESC ON CONFLICT (id) DO "
    "UPDATE SET name = EXCLUDED.name, email = EXCLUDED.email, organization_id = "
    "EXCLUDED.organization_id";
static const char *const s_organization_columns[] = {"id", "name", "contact_email", "review_email"};
static const char s_organization_sql[] =
    "INSERT INTO organizations (id, name, contact_email, review_email) SELECT DISTINCT ON (id) "
    "id, name, nullif(contact_email, ''), nullif(review_email, '') FROM "
    "jsonb_to_recordset($1::jsonb) AS r(n int, id uuid, name text, contact_email text, "
    "review_email text) ORDER BY id, n DESC ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, "
    "contact_email = EXCLUDED.contact_email, review_email = EXCLUDED.review_email";
static const char *const s_committee_columns[] = {"id", "name", "short_name"};
static const char s_committee_sql[] =
    "INSERT INTO committees (id, name, short_name) SELECT DISTINCT ON (id) id, name, short_name "
    "FROM jsonb_to_recordset($1::jsonb) AS r(n int, id uuid, name text, short_name text) ORDER BY "
    "id, n DESC ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, short_name = "
    "EXCLUDED.short_name";
static const char *const s_membership_columns[] = {"id",   "committee_id", "person_id",
                                                   "role", "term_from",    "term_to"};
static const char s_membership_sql[] =
    "INSERT INTO memberships (id, committee_id, person_id, role, term_from, term_to) SELECT "
    "DISTINCT ON (id) id, committee_id, person_id, role, term_from, term_to FROM "
    "jsonb_to_recordset($1::jsonb) AS r(n int, id uuid, committee_id uuid, person_id uuid, role "
    "text, term_from date, term_to date) ORDER BY id, n DESC ON CONFLICT (id) DO UPDATE SET role "
    "= EXCLUDED.role, term_from = EXCLUDED.term_from, term_to = EXCLUDED.term_to";

#define S_BATCH(name)                                                                              \
    rows_batch_new(name##_sql, name##_columns, sizeof name##_columns / sizeof(char *))

int notify_store_directory_init(notify_store_directory_t *d)
{
    *d = (notify_store_directory_t){S_BATCH(s_person), S_BATCH(s_organization),
                                    S_BATCH(s_committee), S_BATCH(s_membership)};
    if (d->people && d->organizations && d->committees && d->memberships)
        return 0;
    notify_store_directory_clear(d);
    return -1;
}

int notify_store_directory_flush(notify_store_directory_t *d, db_t *db)
{
    return rows_batch_flush(d->people, db) != 0 || rows_batch_flush(d->organizations, db) != 0 ||
                   rows_batch_flush(d->committees, db) != 0 ||
                   rows_batch_flush(d->memberships, db) != 0
               ? -1
               : 0;
}

void notify_store_directory_clear(notify_store_directory_t *d)
{
    rows_batch_destroy(&d->people);
    rows_batch_destroy(&d->organizations);
    rows_batch_destroy(&d->committees);
    rows_batch_destroy(&d->memberships);
}
