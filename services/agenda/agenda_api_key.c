/* API keys of the parties' systems: made and revoked by administrators,
 * each bound to an organisation of the directory and to roles. The key is
 * made here (two random UUIDs' worth of hex after "shk_"), shown once, and
 * only its SHA-256 is kept; the gateway reads the digests in force. */
#include "agenda_checks.h"
#include "agenda_server.h"
#include "samhand_check.h"
#include "samhand_rows.h" /* rows_json_array */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NAME_MAX_CHARS 200

static int s_refuse(bus_call_t *call)
{
    return bus_call_fail(call, BUS_PERMISSION_DENIED, NULL,
                         "API keys are kept by the partnership's administrators");
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
    if (!bus_call_holds_partnership_role(call, "administrator"))
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
                                 "member, reporter, quality, integration, leader)",
                                 req->roles[i]);
    char *roles = rows_json_array(req->roles, req->n_roles);
    if (!roles)
        return bus_call_fail(call, BUS_INTERNAL, NULL, "out of memory");
    const Samhand__V1__Principal *p = call->envelope->principal;
    db_begin(call->db);
    Samhand__V1__ApiKey *k = NULL;
    char *key = NULL;
    int made = agenda_store_api_key_insert(
        call->db, req->name, check_empty(req->organization_id) ? NULL : req->organization_id, roles,
        p && p->subject[0] ? p->subject : "(none)", &k, &key);
    free(roles);
    if (made != 0) {
        int failed = strcmp(db_sqlstate(call->db), "23503") == 0
                         ? bus_call_fail(call, BUS_INVALID_ARGUMENT, "organization_id",
                                         "organization %s does not exist", req->organization_id)
                         : bus_call_fail_db(call, "create API key");
        db_rollback(call->db);
        return failed;
    }
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
    if (!bus_call_holds_partnership_role(call, "administrator"))
        return s_refuse(call);
    Samhand__V1__ApiKey *k = NULL;
    int rc = check_uuid(req->id) ? agenda_store_api_key_get(call->db, req->id, &k) : 1;
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
    if (!bus_call_holds_partnership_role(call, "administrator"))
        return s_refuse(call);
    agenda_page_t page;
    if (agenda_page(call, req->limit, req->cursor, &page) != 0)
        return -1;
    Samhand__V1__ListApiKeysResponse *list = NULL;
    if (agenda_store_api_key_list(call->db, page, &list) != 0)
        return bus_call_fail_db(call, "list API keys");
    bus_call_reply_free(call, &list->base);
    return 0;
}

int agenda_api_key_revoke(bus_call_t *call)
{
    const Samhand__V1__GetApiKeyRequest *req = (const void *)call->request;
    if (!bus_call_holds_partnership_role(call, "administrator"))
        return s_refuse(call);
    const Samhand__V1__Principal *p = call->envelope->principal;
    /* revoked once, told once; a second revoke answers with the first's time */
    Samhand__V1__ApiKey *k = NULL;
    int rc = 1;
    if (check_uuid(req->id)) {
        if (db_begin(call->db) != 0)
            return bus_call_fail_db(call, "revoke API key");
        rc = agenda_store_api_key_revoke(call->db, req->id,
                                         p && p->subject[0] ? p->subject : "(none)", &k);
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

int agenda_api_key_digests(bus_call_t *call)
{
    /* not routed by the gateway: it asks for itself, with no principal */
    const Samhand__V1__ListApiKeyDigestsRequest *req = (const void *)call->request;
    int limit = req->limit > 0 && req->limit <= 1000 ? req->limit : 500;
    agenda_page_t page = {.after = req->cursor[0] ? strtoll(req->cursor, NULL, 10) : 0,
                          .limit = limit};
    Samhand__V1__ListApiKeyDigestsResponse *list = NULL;
    if (agenda_store_api_key_digests(call->db, page, &list) != 0)
        return bus_call_fail_db(call, "list API key digests");
    bus_call_reply_free(call, &list->base);
    return 0;
}
