/* Who owns subscriptions, and what they may see now: notify's read model
 * of principals, kept from agenda's API-key events (organisation, roles,
 * revocation) and from every request to notify (the roles a principal had
 * at its last call: OpenID Connect users, the operator's keys). A revoked
 * key's subscriptions are paused and their owners told. */
#include "notify_server.h"
#include "notify_store.h"
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
    if (notify_store_principal_seen(call->db, params) != 0)
        log_warn("could not keep what principal %s may see: %s", p->subject, db_error(call->db));
    free(roles);
}

/* A revoked key's subscriptions: paused, with the reason, each owner told. */
static int s_pause_owned(db_t *db, const char *subject, const notify_context_t *ctx)
{
    int n = 0;
    char **ids = notify_store_subscriptions_pause_owned(db, subject, &n);
    if (n < 0)
        return -1;
    int rc = 0;
    for (int i = 0; rc == 0 && i < n; i++)
        rc = notify_mail_subscription_disabled(
            db, ids[i], "nøkkelen som eier det, er trukket tilbake", true, ctx);
    if (rc == 0 && n > 0)
        log_info("paused %d webhook subscriptions of revoked key %s", n, subject);
    notify_store_strings_free(ids, n);
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
        rc = notify_store_principal_keep(db, params);
        free(roles);
        if (rc == 0 && k->revoke_time)
            rc = s_pause_owned(db, k->subject, ctx);
    }
    samhand__v1__api_key__free_unpacked(k, NULL);
    return rc;
}
