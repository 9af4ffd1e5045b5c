/* SQL of API keys: the key made in the statement that keeps its SHA-256,
 * and the digests in force for the gateway; see agenda_store.h for the
 * contract. */
#include "agenda_store.h"
#include "samhand_rows.h"

#include <stdlib.h>

/* the columns of an ApiKey; its subject is how the gateway names a key's
 * principal: "key:" and the first 12 hex digits of its SHA-256 */
#define REVOKED_AT                                                                                 \
    "CASE WHEN revoked_at IS NULL THEN NULL ELSE " ROWS_TIMESTAMP_US("revoked_at") " END"
#define KEY_COLUMNS                                                                                \
    "id, name, coalesce(organization_id::text, ''), array_to_json(roles)::text, prefix, "          \
    "created_by, " ROWS_TIMESTAMP_US("created_at") ", " REVOKED_AT ", row_seq, "                   \
                                                   "'key:' || left(sha256, 12)"
#define KEY_COLUMN_COUNT 10 /* where the key itself follows, in the answer that makes it */

static ProtobufCMessage *s_key(const PGresult *res, int row)
{
    Samhand__V1__ApiKey *k = malloc(sizeof *k);
    samhand__v1__api_key__init(k);
    k->id = rows_text(res, row, 0);
    k->name = rows_text(res, row, 1);
    k->organization_id = rows_text(res, row, 2);
    k->roles = rows_json_strings(PQgetvalue(res, row, 3), &k->n_roles);
    k->prefix = rows_text(res, row, 4);
    k->created_by = rows_text(res, row, 5);
    k->create_time = rows_timestamp_us(res, row, 6);
    k->revoke_time = PQgetisnull(res, row, 7) ? NULL : rows_timestamp_us(res, row, 7);
    k->subject = rows_text(res, row, 9);
    return &k->base;
}

int agenda_store_api_key_insert(db_t *db, const char *name, const char *organization_id,
                                const char *roles_json, const char *created_by,
                                Samhand__V1__ApiKey **out, char **key)
{
    const char *params[] = {name, organization_id, roles_json, created_by};
    PGresult *res = db_query(
        db,
        "WITH k AS (SELECT 'shk_' || replace(gen_random_uuid()::text || gen_random_uuid()::text, "
        "'-', '') AS key), "
        "made AS (INSERT INTO api_keys (name, sha256, prefix, organization_id, roles, created_by) "
        "SELECT $1, encode(sha256(convert_to(k.key, 'UTF8')), 'hex'), substr(k.key, 5, 8), "
        "$2::uuid, ARRAY(SELECT jsonb_array_elements_text($3::jsonb)), $4 FROM k "
        "RETURNING " KEY_COLUMNS ") "
        "SELECT made.*, k.key FROM made, k",
        4, params);
    if (!res)
        return -1;
    *out = (Samhand__V1__ApiKey *)s_key(res, 0);
    *key = rows_text(res, 0, KEY_COLUMN_COUNT);
    PQclear(res);
    return 0;
}

int agenda_store_api_key_get(db_t *db, const char *id, Samhand__V1__ApiKey **out)
{
    const char *params[] = {id};
    return rows_one(db, "SELECT " KEY_COLUMNS " FROM api_keys WHERE id = $1", 1, params, s_key,
                    (ProtobufCMessage **)out);
}

int agenda_store_api_key_list(db_t *db, agenda_page_t page, Samhand__V1__ListApiKeysResponse **out)
{
    char after_text[24], limit_text[16];
    rows_page_params(page.after, page.limit, after_text, limit_text);
    const char *params[] = {after_text, limit_text};
    return rows_list(db,
                     "SELECT " KEY_COLUMNS " FROM api_keys WHERE row_seq > $1 ORDER BY row_seq "
                     "LIMIT $2",
                     2, params, s_key, page.limit, &samhand__v1__list_api_keys_response__descriptor,
                     (ProtobufCMessage **)out);
}

int agenda_store_api_key_revoke(db_t *db, const char *id, const char *revoked_by,
                                Samhand__V1__ApiKey **out)
{
    const char *params[] = {id, revoked_by};
    return rows_one(db,
                    "UPDATE api_keys SET revoked_at = now(), revoked_by = $2 WHERE id = $1 AND "
                    "revoked_at IS NULL RETURNING " KEY_COLUMNS,
                    2, params, s_key, (ProtobufCMessage **)out);
}

static ProtobufCMessage *s_digest(const PGresult *res, int row)
{
    Samhand__V1__ApiKeyDigest *d = malloc(sizeof *d);
    samhand__v1__api_key_digest__init(d);
    d->sha256 = rows_text(res, row, 0);
    d->organization_id = rows_text(res, row, 1);
    d->roles = rows_json_strings(PQgetvalue(res, row, 2), &d->n_roles);
    d->prefix = rows_text(res, row, 3);
    return &d->base;
}

int agenda_store_api_key_digests(db_t *db, agenda_page_t page,
                                 Samhand__V1__ListApiKeyDigestsResponse **out)
{
    char after_text[24], limit_text[16];
    rows_page_params(page.after, page.limit, after_text, limit_text);
    const char *params[] = {after_text, limit_text};
    return rows_list(
        db,
        "SELECT sha256, coalesce(organization_id::text, ''), array_to_json(roles)::text, "
        "prefix, row_seq FROM api_keys WHERE revoked_at IS NULL AND row_seq > $1 "
        "ORDER BY row_seq LIMIT $2",
        2, params, s_digest, page.limit, &samhand__v1__list_api_key_digests_response__descriptor,
        (ProtobufCMessage **)out);
}
