/* API keys of the parties' systems: made and revoked by administrators,
 * each bound to an organisation of the directory and to roles. The key is
 * made here (two random UUIDs' worth of hex after "shk_"), shown once, and
 * only its SHA-256 is kept; the gateway reads the digests in force. */
#include "agenda_server.h"
#include "samhand_check.h"
#include "samhand_rows.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NAME_MAX_CHARS 200

static bool s_administrator(bus_call_t *call)
{
    static const char *const roles[] = {"administrator", NULL};
    return bus_call_has_role(call, roles);
}

static int s_refuse(bus_call_t *call)
{
    return bus_call_fail(call, BUS_PERMISSION_DENIED, NULL, "API keys are kept by administrators");
}

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

/* A key's event, no.samhand.api_key.created or .revoked, for notify to
 * know whose subscriptions live: the key's id, subject, prefix,
 * organisation, roles and times, never the key or its digest; seen by
 * administrators only. In the caller's transaction. 0 or -1. */
static int s_key_event(bus_call_t *call, const char *type, const Samhand__V1__ApiKey *k)
{
    Samhand__V1__ApiKey shown = SAMHAND__V1__API_KEY__INIT;
    shown.id = k->id;
    shown.subject = k->subject;
    shown.prefix = k->prefix;
    shown.organization_id = k->organization_id;
    shown.roles = k->roles;
    shown.n_roles = k->n_roles;
    shown.create_time = k->create_time;
    shown.revoke_time = k->revoke_time;
    /* for administrators only (samhand_visibility.c) */
    return db_outbox_append(call->db, type, k->id,
                            k->organization_id[0] ? k->organization_id : NULL, NULL, &shown.base);
}

int agenda_api_key_create(bus_call_t *call)
{
    const Samhand__V1__CreateApiKeyRequest *req = (const void *)call->request;
    if (!s_administrator(call))
        return s_refuse(call);
    if (agenda_check_required(call, "name", req->name, NAME_MAX_CHARS) != 0)
        return -1;
    if (!check_empty(req->organization_id) && !check_uuid(req->organization_id))
        return bus_call_fail(call, BUS_INVALID_ARGUMENT, "organization_id",
                             "organization_id must be a UUID");
    if (req->n_roles == 0)
        return bus_call_fail(call, BUS_INVALID_ARGUMENT, "roles", "roles are required");
    for (size_t i = 0; i < req->n_roles; i++)
        if (!check_role(req->roles[i]))
            return bus_call_fail(call, BUS_INVALID_ARGUMENT, "roles",
                                 "\"%.40s\" is not a role (administrator, secretariat, secretary, "
                                 "member, reporter, quality, integration)",
                                 req->roles[i]);
    char *roles = rows_json_array(req->roles, req->n_roles);
    const Samhand__V1__Principal *p = call->envelope->principal;
    const char *params[] = {req->name,
                            check_empty(req->organization_id) ? NULL : req->organization_id, roles,
                            p && p->subject[0] ? p->subject : "(none)"};
    db_begin(call->db);
    PGresult *res = db_query(
        call->db,
        "WITH k AS (SELECT 'shk_' || replace(gen_random_uuid()::text || gen_random_uuid()::text, "
        "'-', '') AS key), "
        "made AS (INSERT INTO api_keys (name, sha256, prefix, organization_id, roles, created_by) "
        "SELECT $1, encode(sha256(convert_to(k.key, 'UTF8')), 'hex'), substr(k.key, 5, 8), "
        "$2::uuid, ARRAY(SELECT jsonb_array_elements_text($3::jsonb)), $4 FROM k "
        "RETURNING " KEY_COLUMNS ") "
        "SELECT made.*, k.key FROM made, k",
        4, params);
    free(roles);
    if (!res) {
        int failed = strcmp(db_sqlstate(call->db), "23503") == 0
                         ? bus_call_fail(call, BUS_INVALID_ARGUMENT, "organization_id",
                                         "organization %s does not exist", req->organization_id)
                         : bus_call_fail_db(call, "create API key");
        db_rollback(call->db);
        return failed;
    }
    Samhand__V1__ApiKey *k = (Samhand__V1__ApiKey *)s_key(res, 0);
    char *key = rows_text(res, 0, KEY_COLUMN_COUNT);
    PQclear(res);
    /* a repeat of the request gets the answer without the key: it is
     * shown once, and kept nowhere but in this answer */
    int rc = s_key_event(call, "no.samhand.api_key.created", k);
    if (rc == 0)
        rc = bus_call_reply_before_commit(call, &k->base);
    if (rc != 0 || db_commit(call->db) != 0) {
        bus_call_fail_db(call, "create API key");
        db_rollback(call->db);
        free(key);
        protobuf_c_message_free_unpacked(&k->base, NULL);
        return -1;
    }
    k->key = key; /* the only time it is shown */
    bus_call_reply_free(call, &k->base);
    return 0;
}

int agenda_api_key_get(bus_call_t *call)
{
    const Samhand__V1__GetApiKeyRequest *req = (const void *)call->request;
    if (!s_administrator(call))
        return s_refuse(call);
    const char *params[] = {req->id};
    Samhand__V1__ApiKey *k = NULL;
    int rc = check_uuid(req->id)
                 ? rows_one(call->db, "SELECT " KEY_COLUMNS " FROM api_keys WHERE id = $1", 1,
                            params, s_key, (ProtobufCMessage **)&k)
                 : 1;
    if (rc < 0)
        return bus_call_fail_db(call, "read API key");
    if (rc > 0)
        return bus_call_fail(call, BUS_NOT_FOUND, "id", "API key %s does not exist", req->id);
    bus_call_reply_free(call, &k->base);
    return 0;
}

int agenda_api_key_list(bus_call_t *call)
{
    const Samhand__V1__ListApiKeysRequest *req = (const void *)call->request;
    if (!s_administrator(call))
        return s_refuse(call);
    agenda_page_t page;
    if (agenda_page(call, req->limit, req->cursor, &page) != 0)
        return -1;
    char after_text[24], limit_text[16];
    rows_page_params(page.after, page.limit, after_text, limit_text);
    const char *params[] = {after_text, limit_text};
    Samhand__V1__ListApiKeysResponse *list = NULL;
    if (rows_list(call->db,
                  "SELECT " KEY_COLUMNS " FROM api_keys WHERE row_seq > $1 ORDER BY row_seq "
                  "LIMIT $2",
                  2, params, s_key, page.limit, &samhand__v1__list_api_keys_response__descriptor,
                  (ProtobufCMessage **)&list) != 0)
        return bus_call_fail_db(call, "list API keys");
    bus_call_reply_free(call, &list->base);
    return 0;
}

int agenda_api_key_revoke(bus_call_t *call)
{
    const Samhand__V1__GetApiKeyRequest *req = (const void *)call->request;
    if (!s_administrator(call))
        return s_refuse(call);
    const Samhand__V1__Principal *p = call->envelope->principal;
    const char *params[] = {req->id, p && p->subject[0] ? p->subject : "(none)"};
    /* revoked once, told once; a second revoke answers with the first's time */
    Samhand__V1__ApiKey *k = NULL;
    int rc = 1;
    if (check_uuid(req->id)) {
        if (db_begin(call->db) != 0)
            return bus_call_fail_db(call, "revoke API key");
        rc = rows_one(call->db,
                      "UPDATE api_keys SET revoked_at = now(), revoked_by = $2 WHERE id = $1 AND "
                      "revoked_at IS NULL RETURNING " KEY_COLUMNS,
                      2, params, s_key, (ProtobufCMessage **)&k);
        if (rc == 0 && s_key_event(call, "no.samhand.api_key.revoked", k) != 0)
            rc = -1;
        if (k)
            protobuf_c_message_free_unpacked(&k->base, NULL);
        if (rc < 0 || (rc == 0 && db_commit(call->db) != 0)) {
            db_rollback(call->db);
            return bus_call_fail_db(call, "revoke API key");
        }
        db_rollback(call->db);
    }
    return agenda_api_key_get(call);
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

int agenda_api_key_digests(bus_call_t *call)
{
    /* not routed by the gateway: it asks for itself, with no principal */
    const Samhand__V1__ListApiKeyDigestsRequest *req = (const void *)call->request;
    int limit = req->limit > 0 && req->limit <= 1000 ? req->limit : 500;
    long long after = req->cursor[0] ? strtoll(req->cursor, NULL, 10) : 0;
    char after_text[24], limit_text[16];
    rows_page_params(after, limit, after_text, limit_text);
    const char *params[] = {after_text, limit_text};
    Samhand__V1__ListApiKeyDigestsResponse *list = NULL;
    if (rows_list(call->db,
                  "SELECT sha256, coalesce(organization_id::text, ''), array_to_json(roles)::text, "
                  "prefix, row_seq FROM api_keys WHERE revoked_at IS NULL AND row_seq > $1 "
                  "ORDER BY row_seq LIMIT $2",
                  2, params, s_digest, limit,
                  &samhand__v1__list_api_key_digests_response__descriptor,
                  (ProtobufCMessage **)&list) != 0)
        return bus_call_fail_db(call, "list API key digests");
    bus_call_reply_free(call, &list->base);
    return 0;
}
