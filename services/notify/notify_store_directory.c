/* The SQL of notify's read model of agenda's directory: persons,
 * organisations, committees and memberships, which mails and reminders are
 * addressed from. See notify_store.h. */
#include "notify_store.h"
#include "samhand_rows.h"

int notify_store_person_keep(db_t *db, const char *const params[4])
{
    return rows_exec(db,
                     "INSERT INTO people (id, name, email, organization_id) VALUES ($1, $2, "
                     "$3, $4) ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, email = "
                     "EXCLUDED.email, organization_id = EXCLUDED.organization_id",
                     4, params) < 0
               ? -1
               : 0;
}

int notify_store_organization_keep(db_t *db, const char *const params[4])
{
    return rows_exec(db,
                     "INSERT INTO organizations (id, name, contact_email, review_email) VALUES "
                     "($1, $2, nullif($3, ''), nullif($4, '')) ON CONFLICT (id) DO UPDATE SET "
                     "name = EXCLUDED.name, contact_email = EXCLUDED.contact_email, "
                     "review_email = EXCLUDED.review_email",
                     4, params) < 0
               ? -1
               : 0;
}

int notify_store_committee_keep(db_t *db, const char *const params[3])
{
    return rows_exec(db,
                     "INSERT INTO committees (id, name, short_name) VALUES ($1, $2, $3) ON "
                     "CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, short_name = "
                     "EXCLUDED.short_name",
                     3, params) < 0
               ? -1
               : 0;
}

int notify_store_membership_keep(db_t *db, const char *const params[6])
{
    return rows_exec(db,
                     "INSERT INTO memberships (id, committee_id, person_id, role, term_from, "
                     "term_to) VALUES ($1, $2, $3, $4, $5::date, $6::date) ON CONFLICT (id) "
                     "DO UPDATE SET role = EXCLUDED.role, term_from = EXCLUDED.term_from, "
                     "term_to = EXCLUDED.term_to",
                     6, params) < 0
               ? -1
               : 0;
}
