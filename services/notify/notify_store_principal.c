/* The SQL of notify's read model of principals, of a revoked key's
 * subscriptions paused, and of the secrets they sign with sealed. See
 * notify_store.h. */
#include "notify_store.h"
#include "samhand_rows.h"

#include <openssl/crypto.h>
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

notify_plain_secret_t *notify_store_plain_secrets(db_t *db, int *n)
{
    PGresult *res = db_query(db,
                             "SELECT id, secret, previous_secret FROM subscriptions WHERE secret "
                             "IS NOT NULL OR previous_secret IS NOT NULL FOR UPDATE SKIP LOCKED",
                             0, NULL);
    if (!res) {
        *n = -1;
        return NULL;
    }
    *n = PQntuples(res);
    notify_plain_secret_t *rows = calloc((size_t)*n + 1, sizeof *rows);
    for (int i = 0; i < *n; i++) {
        rows[i].id = strdup(PQgetvalue(res, i, 0));
        rows[i].secret = PQgetisnull(res, i, 1) ? NULL : strdup(PQgetvalue(res, i, 1));
        rows[i].previous = PQgetisnull(res, i, 2) ? NULL : strdup(PQgetvalue(res, i, 2));
    }
    PQclear(res);
    return rows;
}

void notify_plain_secrets_free(notify_plain_secret_t *rows, int n)
{
    for (int i = 0; rows && i < n; i++) {
        free(rows[i].id);
        if (rows[i].secret)
            OPENSSL_cleanse(rows[i].secret, strlen(rows[i].secret));
        free(rows[i].secret);
        if (rows[i].previous)
            OPENSSL_cleanse(rows[i].previous, strlen(rows[i].previous));
        free(rows[i].previous);
    }
    free(rows);
}

int notify_store_secret_sealed(db_t *db, const char *id, const char *secret_sealed,
                               const char *previous_sealed)
{
    const char *params[] = {id, secret_sealed, previous_sealed};
    return rows_exec(db,
                     "UPDATE subscriptions SET secret_sealed = coalesce($2, "
                     "secret_sealed), previous_secret_sealed = $3, secret = NULL, "
                     "previous_secret = NULL WHERE id = $1",
                     3, params) < 0
               ? -1
               : 0;
}
