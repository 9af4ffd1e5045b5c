/* Memberships: a person's role in a committee for a term, and the
 * organisation the person represents there. */
#include "agenda_attendance.h"
#include "agenda_checks.h"
#include "agenda_scope.h"
#include "agenda_server.h"
#include "samhand_check.h"

#include <stdlib.h>
#include <string.h>

static int s_check_committee(bus_call_t *call, const char *id)
{
    if (!check_uuid(id))
        return bus_call_fail(call, BUS_NOT_FOUND, "committee_id", "committee %s does not exist",
                             id);
    Samhand__V1__Committee *committee = NULL;
    int rc = agenda_store_committee_get(call->db, id, &committee);
    if (rc < 0)
        return bus_call_fail_db(call, "read committee");
    if (rc > 0)
        return bus_call_fail(call, BUS_NOT_FOUND, "committee_id", "committee %s does not exist",
                             id);
    protobuf_c_message_free_unpacked(&committee->base, NULL);
    return agenda_scope_check(call, id);
}

static int s_check_date(bus_call_t *call, const char *field, const char *value, bool required)
{
    if (check_empty(value)) {
        if (required)
            return bus_call_fail(call, BUS_INVALID_ARGUMENT, field, "%s is required", field);
        return 0;
    }
    if (!check_date(value))
        return bus_call_fail(call, BUS_INVALID_ARGUMENT, field,
                             "%s must be a date written YYYY-MM-DD", field);
    return 0;
}

int agenda_membership_create(bus_call_t *call)
{
    const Samhand__V1__CreateMembershipRequest *req = (const void *)call->request;
    bool bad = false;
    if (s_check_committee(call, req->committee_id) != 0 ||
        agenda_check_ref(call, "person_id", req->person_id, true) != 0 ||
        agenda_check_ref(call, "organization_id", req->organization_id, false) != 0 ||
        s_check_date(call, "term_from", req->term_from, true) != 0 ||
        s_check_date(call, "term_to", req->term_to, false) != 0)
        return -1;
    /* Both are YYYY-MM-DD, so text order is date order. */
    if (!check_empty(req->term_to) && strcmp(req->term_to, req->term_from) < 0)
        return bus_call_fail(call, BUS_INVALID_ARGUMENT, "term_to",
                             "term_to must not be before term_from");
    const char *role =
        agenda_enum_name(call, "role", &samhand__v1__membership__role__descriptor, req->role, &bad);
    if (bad)
        return -1;
    if (!role)
        return bus_call_fail(call, BUS_INVALID_ARGUMENT, "role", "role is required");

    Samhand__V1__Membership *m = NULL;
    if (db_begin(call->db) != 0)
        return bus_call_fail_db(call, "create membership");
    int rc = agenda_store_membership_insert(
        call->db, req->committee_id, req->person_id, role,
        check_empty(req->organization_id) ? NULL : req->organization_id, req->term_from,
        check_empty(req->term_to) ? NULL : req->term_to, &m);
    if (rc < 0) {
        if (strcmp(db_sqlstate(call->db), "23503") == 0)
            return bus_call_fail(call, BUS_INVALID_ARGUMENT, "organization_id",
                                 "organization %s does not exist", req->organization_id);
        return bus_call_fail_db(call, "create membership");
    }
    if (rc > 0)
        return bus_call_fail(call, BUS_INVALID_ARGUMENT, "person_id", "person %s does not exist",
                             req->person_id);
    if (agenda_deputy_apply(call, &m, req->deputy_for_person_id, req->deputy_for_organization_id,
                            req->deputy_rank) != 0) {
        protobuf_c_message_free_unpacked(&m->base, NULL);
        return -1;
    }
    return agenda_commit(call, "no.samhand.membership.created", m->id, m->organization_id,
                         m->committee_id, &m->base);
}

int agenda_membership_list(bus_call_t *call)
{
    const Samhand__V1__ListMembershipsRequest *req = (const void *)call->request;
    agenda_page_t page;
    bool bad = false;
    if (s_check_committee(call, req->committee_id) != 0 ||
        agenda_page(call, req->limit, req->cursor, &page) != 0 ||
        s_check_date(call, "active_on", req->active_on, false) != 0)
        return -1;
    const char *role =
        agenda_enum_name(call, "role", &samhand__v1__membership__role__descriptor, req->role, &bad);
    if (bad)
        return -1;
    Samhand__V1__ListMembershipsResponse *list = NULL;
    if (agenda_store_membership_list(call->db, page, req->committee_id, role,
                                     check_empty(req->active_on) ? NULL : req->active_on,
                                     &list) != 0)
        return bus_call_fail_db(call, "list memberships");
    bus_call_reply_free(call, &list->base);
    return 0;
}

static int s_not_found(bus_call_t *call, const char *committee_id, const char *id)
{
    return bus_call_fail(call, BUS_NOT_FOUND, "id", "membership %s does not exist in committee %s",
                         id, committee_id);
}

int agenda_membership_get(bus_call_t *call)
{
    const Samhand__V1__GetMembershipRequest *req = (const void *)call->request;
    if (!check_uuid(req->committee_id) || !check_uuid(req->id))
        return s_not_found(call, req->committee_id, req->id);
    Samhand__V1__Membership *m = NULL;
    int rc = agenda_store_membership_get(call->db, req->committee_id, req->id, &m);
    if (rc < 0)
        return bus_call_fail_db(call, "read membership");
    if (rc > 0)
        return s_not_found(call, req->committee_id, req->id);
    bus_call_reply_free(call, &m->base);
    return 0;
}

int agenda_membership_update(bus_call_t *call)
{
    const Samhand__V1__UpdateMembershipRequest *req = (const void *)call->request;
    static const char *const allowed[] = {"role",
                                          "organization_id",
                                          "term_from",
                                          "term_to",
                                          "deputy_for_person_id",
                                          "deputy_for_organization_id",
                                          "deputy_rank",
                                          NULL};
    char **mask = req->update_mask;
    size_t n = req->n_update_mask;
    bool bad = false;
    if (!check_uuid(req->committee_id) || !check_uuid(req->id))
        return s_not_found(call, req->committee_id, req->id);
    if (agenda_check_mask(call, mask, n, allowed) != 0 ||
        agenda_scope_check(call, req->committee_id) != 0)
        return -1;
    const char *role = NULL, *organization_id = NULL, *term_from = NULL, *term_to = NULL;
    int clear_term_to = 0;
    if (agenda_masked(mask, n, "role")) {
        role = agenda_enum_name(call, "role", &samhand__v1__membership__role__descriptor, req->role,
                                &bad);
        if (bad)
            return -1;
        if (!role)
            return bus_call_fail(call, BUS_INVALID_ARGUMENT, "role", "role cannot be unspecified");
    }
    if (agenda_masked(mask, n, "organization_id")) {
        if (agenda_check_ref(call, "organization_id", req->organization_id, true) != 0)
            return -1;
        organization_id = req->organization_id;
    }
    if (agenda_masked(mask, n, "term_from")) {
        if (s_check_date(call, "term_from", req->term_from, true) != 0)
            return -1;
        term_from = req->term_from;
    }
    if (agenda_masked(mask, n, "term_to")) {
        if (s_check_date(call, "term_to", req->term_to, false) != 0)
            return -1;
        if (check_empty(req->term_to))
            clear_term_to = 1;
        else
            term_to = req->term_to;
    }

    Samhand__V1__Membership *m = NULL;
    if (db_begin(call->db) != 0)
        return bus_call_fail_db(call, "update membership");
    if (bus_call_check_version(call, "memberships", req->id) != 0)
        return -1;
    int rc = agenda_store_membership_update(call->db, req->committee_id, req->id, role,
                                            organization_id, term_from, term_to, clear_term_to, &m);
    if (rc < 0) {
        const char *state = db_sqlstate(call->db);
        if (strcmp(state, "23503") == 0)
            return bus_call_fail(call, BUS_INVALID_ARGUMENT, "organization_id",
                                 "organization %s does not exist", req->organization_id);
        if (strcmp(state, "23514") == 0)
            return bus_call_fail(call, BUS_INVALID_ARGUMENT, term_to ? "term_to" : "term_from",
                                 "term_to must not be before term_from");
        return bus_call_fail_db(call, "update membership");
    }
    if (rc > 0)
        return s_not_found(call, req->committee_id, req->id);
    /* the deputy's fields as they are, but for those the mask changes; a
     * membership that is no longer a deputy's stands in for no one */
    bool for_person = agenda_masked(mask, n, "deputy_for_person_id");
    bool for_org = agenda_masked(mask, n, "deputy_for_organization_id");
    bool for_rank = agenda_masked(mask, n, "deputy_rank");
    if (for_person || for_org || for_rank || m->role != SAMHAND__V1__MEMBERSHIP__ROLE__DEPUTY) {
        const char *person = m->deputy_for_person_id, *org = m->deputy_for_organization_id;
        int rank = for_rank ? req->deputy_rank : m->deputy_rank;
        if (for_person || for_org) {
            person = for_person ? req->deputy_for_person_id : "";
            org = for_org ? req->deputy_for_organization_id : "";
        }
        if (!for_person && !for_org && !for_rank)
            person = org = "", rank = 0;
        char *person_copy = strdup(person), *org_copy = strdup(org);
        rc = agenda_deputy_apply(call, &m, person_copy, org_copy, rank);
        free(person_copy);
        free(org_copy);
        if (rc != 0) {
            protobuf_c_message_free_unpacked(&m->base, NULL);
            return -1;
        }
    }
    return agenda_commit(call, "no.samhand.membership.updated", m->id, m->organization_id,
                         m->committee_id, &m->base);
}
