/* SQL of a report's dispute before the committee (sql/008); see
 * deviation_store.h. */
#include "deviation_store.h"
#include "samhand_rows.h"

#include <stdio.h>

int deviation_store_dispute_open(db_t *db, const char *id, const char *committee_id)
{
    const char *params[] = {id, committee_id};
    return rows_exec(db,
                     "UPDATE reports SET dispute_committee_id = $2::uuid, dispute_proposal_id = "
                     "gen_random_uuid(), dispute_state = 'SUBMITTED', dispute_meeting_id = NULL, "
                     "dispute_item_id = NULL, dispute_reason = '', dispute_decision = '' "
                     "WHERE id = $1",
                     2, params) < 0
               ? -1
               : 0;
}

/* The one report a statement of `sql` over `params` changed, into `id`:
 * 0, 1 when none, -1. */
static int s_changed(db_t *db, const char *sql, int n, const char *const *params, char id[40])
{
    PGresult *res = db_query(db, sql, n, params);
    if (!res)
        return -1;
    int found = PQntuples(res) > 0;
    if (found)
        snprintf(id, 40, "%s", PQgetvalue(res, 0, 0));
    PQclear(res);
    return found ? 0 : 1;
}

int deviation_store_dispute_decided(db_t *db, const char *proposal_id, const char *state,
                                    const char *meeting_id, const char *item_id, const char *reason,
                                    char id[40])
{
    const char *params[] = {proposal_id, state, meeting_id, item_id, reason};
    return s_changed(db,
                     "UPDATE reports SET dispute_state = $2, dispute_meeting_id = "
                     "nullif($3, '')::uuid, dispute_item_id = nullif($4, '')::uuid, "
                     "dispute_reason = $5, updated_at = now() WHERE dispute_proposal_id = "
                     "$1::uuid RETURNING id",
                     5, params, id);
}

int deviation_store_dispute_minutes(db_t *db, const char *item_id, const char *decision,
                                    char id[40])
{
    const char *params[] = {item_id, decision};
    return s_changed(db,
                     "UPDATE reports SET dispute_state = 'DECIDED', dispute_decision = $2, "
                     "updated_at = now() WHERE dispute_item_id = $1::uuid RETURNING id",
                     2, params, id);
}
