/* The organisations a report passed through (sql/007 report_forwards):
 * each receiver that forwarded it keeps reading it. See deviation_store.h. */
#include "deviation_store.h"
#include "samhand_rows.h"

int deviation_store_forward_record(db_t *db, const char *id, const char *organization_id)
{
    const char *params[] = {id, organization_id};
    return rows_exec(db,
                     "INSERT INTO report_forwards (report_id, organization_id) VALUES ($1, "
                     "$2::uuid) ON CONFLICT DO NOTHING",
                     2, params) < 0
               ? -1
               : 0;
}
