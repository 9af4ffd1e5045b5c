/* The SQL of notify's read model of principals and of a revoked key's
 * subscriptions paused. See notify_store.h. */
#include "notify_store.h"
#include "samhand_rows.h"

#include <stdlib.h>
#include <string.h>

int notify_store_principal_seen(db_t *db, const char *const params[3])
{
    /* written only when something changed: a stream's polls cost no write */
    return rows_exec(db,
                     "INSERT INTO principals (subject, organization_id, roles) VALUES ($1, $2, "
                     "ARRAY(SELECT jsonb_array_elements_text($3::jsonb))) ON CONFLICT (subject) DO "
                     "UPDATE SET organization_id = EXCLUDED.organization_id, roles = "
                     "EXCLUDED.roles, updated_at = now() WHERE principals.roles IS DISTINCT FROM "
                     "EXCLUDED.roles OR principals.organization_id IS DISTINCT FROM "
                     "EXCLUDED.organization_id",
                     3, params) < 0
               ? -1
               : 0;
}

int notify_store_principal_keep(db_t *db, const char *const params[4])
{
    return rows_exec(db,
                     "INSERT INTO principals (subject, organization_id, roles, revoked_at) "
                     "VALUES ($1, $2, ARRAY(SELECT jsonb_array_elements_text($3::jsonb)), "
                     "to_timestamp($4::bigint)) ON CONFLICT (subject) DO UPDATE SET "
                     "organization_id = EXCLUDED.organization_id, roles = EXCLUDED.roles, "
                     "revoked_at = coalesce(principals.revoked_at, EXCLUDED.revoked_at), "
                     "updated_at = now()",
                     4, params) < 0
               ? -1
               : 0;
}

char **notify_store_subscriptions_pause_owned(db_t *db, const char *subject, int *n)
{
    const char *params[] = {subject};
    PGresult *res = db_query(db,
                             "UPDATE subscriptions SET state = 'PAUSED', disabled_reason = 'the "
                             "API key that owns it was revoked', updated_at = now() WHERE "
                             "owner_subject = $1 AND state = 'ACTIVE' RETURNING id",
                             1, params);
    if (!res) {
        *n = -1;
        return NULL;
    }
    *n = PQntuples(res);
    char **ids = calloc((size_t)*n + 1, sizeof *ids);
    for (int i = 0; i < *n; i++)
        ids[i] = strdup(PQgetvalue(res, i, 0));
    PQclear(res);
    return ids;
}

void notify_store_strings_free(char **strings, int n)
{
    for (int i = 0; strings && i < n; i++)
        free(strings[i]);
    free(strings);
}
