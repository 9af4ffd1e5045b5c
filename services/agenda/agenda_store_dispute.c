/* SQL of the proposals a disputed deviation report becomes (sql/025
 * deviation_disputes); see agenda_store.h. */
#include "agenda_store.h"
#include "samhand_rows.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int agenda_store_organization_name(db_t *db, const char *id, char *out, size_t size)
{
    const char *params[] = {id};
    PGresult *res = db_query(db, "SELECT name FROM organizations WHERE id = $1::uuid", 1, params);
    if (!res)
        return -1;
    int found = PQntuples(res) > 0;
    snprintf(out, size, "%s", found ? PQgetvalue(res, 0, 0) : "");
    PQclear(res);
    return found ? 0 : 1;
}

int agenda_store_dispute_insert(db_t *db, const agenda_dispute_t *d)
{
    const char *params[] = {d->proposal_id, d->committee_id,   d->title,
                            d->description, d->submitter_name, d->organization_id};
    int rc = rows_exec(db,
                       "INSERT INTO proposals (id, committee_id, title, description, "
                       "submitter_name, organization_id, submitted_by) SELECT $1::uuid, c.id, $3, "
                       "$4, $5, (SELECT o.id FROM organizations o WHERE o.id = $6::uuid), 'system' "
                       "FROM committees c WHERE c.id = $2::uuid ON CONFLICT (id) DO NOTHING",
                       6, params);
    if (rc != 0)
        return rc; /* no such committee, or made already */
    const char *link[] = {d->proposal_id, d->deviation_id};
    return rows_exec(db,
                     "INSERT INTO deviation_disputes (proposal_id, deviation_id) VALUES ($1, $2)",
                     2, link) < 0
               ? -1
               : 0;
}
