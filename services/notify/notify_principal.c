/* Who owns subscriptions, and what they may see now: notify's read model
 * of principals, kept from agenda's API-key events (organisation, roles,
 * revocation) and from every request to notify (the roles a principal had
 * at its last call: OpenID Connect users, the operator's keys). A revoked
 * key's subscriptions are paused and their owners told. */
#include "notify_server.h"
#include "samhand/v1/agenda.pb-c.h"
#include "samhand_log.h"
#include "samhand_rows.h"

#include <stdlib.h>
#include <string.h>

void notify_principal_seen(bus_call_t *call)
{
    const Samhand__V1__Principal *p = call->envelope->principal;
    if (!p || !p->subject || !p->subject[0])
        return;
    char *roles = rows_json_array(p->roles, p->n_roles);
    const char *params[] = {
        p->subject, p->organization_id && p->organization_id[0] ? p->organization_id : NULL, roles};
    /* written only when something changed: a stream's polls cost no write */
    if (rows_exec(call->db,
                  "INSERT INTO principals (subject, organization_id, roles) VALUES ($1, $2, "
                  "ARRAY(SELECT jsonb_array_elements_text($3::jsonb))) ON CONFLICT (subject) DO "
                  "UPDATE SET organization_id = EXCLUDED.organization_id, roles = EXCLUDED.roles, "
                  "updated_at = now() WHERE principals.roles IS DISTINCT FROM EXCLUDED.roles OR "
                  "principals.organization_id IS DISTINCT FROM EXCLUDED.organization_id",
                  3, params) < 0)
        log_warn("could not keep what principal %s may see: %s", p->subject, db_error(call->db));
    free(roles);
}

/* A revoked key's subscriptions: paused, with the reason, each owner told. */
static int s_pause_owned(db_t *db, const char *subject, const notify_context_t *ctx)
{
    const char *params[] = {subject};
    PGresult *res = db_query(db,
                             "UPDATE subscriptions SET state = 'PAUSED', disabled_reason = 'the "
                             "API key that owns it was revoked', updated_at = now() WHERE "
                             "owner_subject = $1 AND state = 'ACTIVE' RETURNING id",
                             1, params);
    if (!res)
        return -1;
    int rc = 0;
    for (int i = 0; rc == 0 && i < PQntuples(res); i++)
        rc = notify_mail_subscription_disabled(
            db, PQgetvalue(res, i, 0), "nøkkelen som eier det, er trukket tilbake", true, ctx);
    if (rc == 0 && PQntuples(res) > 0)
        log_info("paused %d webhook subscriptions of revoked key %s", PQntuples(res), subject);
    PQclear(res);
    return rc;
}

int notify_principal_keep(db_t *db, const Samhand__V1__Event *e, const notify_context_t *ctx)
{
    if (strcmp(e->data_type, "samhand.v1.ApiKey") != 0)
        return 0;
    Samhand__V1__ApiKey *k = samhand__v1__api_key__unpack(NULL, e->data.len, e->data.data);
    if (!k)
        return 0;
    int rc = 0;
    /* the operator's key ("admin") is no key of agenda's, and always lives */
    if (k->subject[0] && strcmp(k->subject, "admin") != 0) {
        char *roles = rows_json_array(k->roles, k->n_roles);
        char revoked[24] = "";
        if (k->revoke_time)
            snprintf(revoked, sizeof revoked, "%lld", (long long)k->revoke_time->seconds);
        const char *params[] = {k->subject, k->organization_id[0] ? k->organization_id : NULL,
                                roles, revoked[0] ? revoked : NULL};
        rc = rows_exec(db,
                       "INSERT INTO principals (subject, organization_id, roles, revoked_at) "
                       "VALUES ($1, $2, ARRAY(SELECT jsonb_array_elements_text($3::jsonb)), "
                       "to_timestamp($4::bigint)) ON CONFLICT (subject) DO UPDATE SET "
                       "organization_id = EXCLUDED.organization_id, roles = EXCLUDED.roles, "
                       "revoked_at = coalesce(principals.revoked_at, EXCLUDED.revoked_at), "
                       "updated_at = now()",
                       4, params) < 0
                 ? -1
                 : 0;
        free(roles);
        if (rc == 0 && k->revoke_time)
            rc = s_pause_owned(db, k->subject, ctx);
    }
    samhand__v1__api_key__free_unpacked(k, NULL);
    return rc;
}
