/* Organisations of the partnership: hospital trust, municipalities, GP
 * offices, county governor. Owns the rules of the organisation number. */
#include "agenda_checks.h"
#include "agenda_organization.h"
#include "agenda_server.h"
#include "samhand_check.h"

#include <ctype.h>
#include <string.h>

#define NAME_MAX_CHARS 200

bool agenda_organization_number_valid(const char *number)
{
    static const int weights[] = {3, 2, 7, 6, 5, 4, 3, 2};
    if (!number || strlen(number) != 9)
        return false;
    int sum = 0;
    for (int i = 0; i < 9; i++)
        if (!isdigit((unsigned char)number[i]))
            return false;
    for (int i = 0; i < 8; i++)
        sum += (number[i] - '0') * weights[i];
    int check = 11 - sum % 11;
    if (check == 11)
        check = 0;
    return check != 10 && check == number[8] - '0';
}

#define EMAIL_MAX_CHARS 254

/* Optional; an address when given. */
static int s_check_email(bus_call_t *call, const char *field, const char *email)
{
    if (!check_empty(email) && (strlen(email) > EMAIL_MAX_CHARS || !check_email(email)))
        return bus_call_fail(call, BUS_INVALID_ARGUMENT, field,
                             "%s must be an e-mail address like postmottak@example.no", field);
    return 0;
}

/* Who may set where an existing organisation is written to (its shared and
 * review addresses): the partnership's administrators (of no
 * organisation) and the organisation's own administrators. Not the
 * secretariat, which keeps the directory's names: a receiving party's
 * secretariat would read another party's mail (a report waiting for its
 * leaders' approval) by pointing its address at itself. */
static bool s_may_address(bus_call_t *call, const char *organization_id)
{
    if (bus_call_holds_partnership_role(call, "administrator"))
        return true;
    const Samhand__V1__Principal *p = call->envelope ? call->envelope->principal : NULL;
    return bus_call_holds_role(call, "administrator") && p && p->organization_id &&
           strcmp(p->organization_id, organization_id) == 0;
}

static int s_not_found(bus_call_t *call, const char *id)
{
    return bus_call_fail(call, BUS_NOT_FOUND, "id", "organization %s does not exist", id);
}

int agenda_organization_create(bus_call_t *call)
{
    const Samhand__V1__CreateOrganizationRequest *req = (const void *)call->request;
    bool bad = false;
    if (agenda_check_required(call, "name", req->name, NAME_MAX_CHARS) != 0)
        return -1;
    if (check_empty(req->organization_number))
        return bus_call_fail(call, BUS_INVALID_ARGUMENT, "organization_number",
                             "organization_number is required");
    if (!agenda_organization_number_valid(req->organization_number))
        return bus_call_fail(call, BUS_INVALID_ARGUMENT, "organization_number",
                             "organization_number must be 9 digits with a valid mod-11 check "
                             "digit");
    const char *kind = agenda_enum_name(call, "kind", &samhand__v1__organization__kind__descriptor,
                                        req->kind, &bad);
    if (bad)
        return -1;
    if (!kind)
        return bus_call_fail(call, BUS_INVALID_ARGUMENT, "kind", "kind is required");
    if (s_check_email(call, "contact_email", req->contact_email) != 0 ||
        s_check_email(call, "review_email", req->review_email) != 0)
        return -1;

    Samhand__V1__Organization *org = NULL;
    if (db_begin(call->db) != 0)
        return bus_call_fail_db(call, "create organization");
    if (agenda_store_organization_insert(call->db, req->name, req->organization_number, kind,
                                         req->contact_email, req->review_email, &org) != 0) {
        if (strcmp(db_sqlstate(call->db), "23505") == 0)
            return bus_call_fail(call, BUS_ALREADY_EXISTS, "organization_number",
                                 "an organization with number %s exists already",
                                 req->organization_number);
        return bus_call_fail_db(call, "create organization");
    }
    return agenda_commit(call, "no.samhand.organization.created", org->id, org->id, NULL,
                         &org->base);
}

int agenda_organization_get(bus_call_t *call)
{
    const Samhand__V1__GetOrganizationRequest *req = (const void *)call->request;
    if (!check_uuid(req->id))
        return s_not_found(call, req->id);
    Samhand__V1__Organization *org = NULL;
    int rc = agenda_store_organization_get(call->db, req->id, &org);
    if (rc < 0)
        return bus_call_fail_db(call, "read organization");
    if (rc > 0)
        return s_not_found(call, req->id);
    bus_call_reply_free(call, &org->base);
    return 0;
}

int agenda_organization_update(bus_call_t *call)
{
    const Samhand__V1__UpdateOrganizationRequest *req = (const void *)call->request;
    static const char *const allowed[] = {"name", "kind", "contact_email", "review_email", NULL};
    if (!check_uuid(req->id))
        return s_not_found(call, req->id);
    if (agenda_check_mask(call, req->update_mask, req->n_update_mask, allowed) != 0)
        return -1;
    const char *name = NULL, *kind = NULL, *contact_email = NULL, *review_email = NULL;
    bool bad = false;
    if (agenda_masked(req->update_mask, req->n_update_mask, "name")) {
        if (agenda_check_required(call, "name", req->name, NAME_MAX_CHARS) != 0)
            return -1;
        name = req->name;
    }
    if (agenda_masked(req->update_mask, req->n_update_mask, "kind")) {
        kind = agenda_enum_name(call, "kind", &samhand__v1__organization__kind__descriptor,
                                req->kind, &bad);
        if (bad)
            return -1;
        if (!kind)
            return bus_call_fail(call, BUS_INVALID_ARGUMENT, "kind", "kind cannot be unspecified");
    }
    if (agenda_masked(req->update_mask, req->n_update_mask, "contact_email")) {
        if (s_check_email(call, "contact_email", req->contact_email) != 0)
            return -1;
        contact_email = req->contact_email ? req->contact_email : "";
    }
    if (agenda_masked(req->update_mask, req->n_update_mask, "review_email")) {
        if (s_check_email(call, "review_email", req->review_email) != 0)
            return -1;
        review_email = req->review_email ? req->review_email : "";
    }

    if ((contact_email || review_email) && !s_may_address(call, req->id))
        return bus_call_fail(call, BUS_PERMISSION_DENIED,
                             contact_email ? "contact_email" : "review_email",
                             "an organization's addresses are changed by the partnership's "
                             "administrators or the organization's own");
    Samhand__V1__Organization *org = NULL;
    if (db_begin(call->db) != 0)
        return bus_call_fail_db(call, "update organization");
    if (bus_call_check_version(call, "organizations", req->id) != 0)
        return -1;
    int rc = agenda_store_organization_update(call->db, req->id, name, kind, contact_email,
                                              review_email, &org);
    if (rc < 0)
        return bus_call_fail_db(call, "update organization");
    if (rc > 0)
        return s_not_found(call, req->id);
    return agenda_commit(call, "no.samhand.organization.updated", org->id, org->id, NULL,
                         &org->base);
}

int agenda_organization_list(bus_call_t *call)
{
    const Samhand__V1__ListOrganizationsRequest *req = (const void *)call->request;
    agenda_page_t page;
    bool bad = false;
    if (agenda_page(call, req->limit, req->cursor, &page) != 0)
        return -1;
    const char *kind = agenda_enum_name(call, "kind", &samhand__v1__organization__kind__descriptor,
                                        req->kind, &bad);
    if (bad)
        return -1;
    Samhand__V1__ListOrganizationsResponse *list = NULL;
    if (agenda_store_organization_list(
            call->db, page, kind, check_empty(req->q) ? NULL : req->q,
            check_empty(req->organization_number) ? NULL : req->organization_number, &list) != 0)
        return bus_call_fail_db(call, "list organizations");
    bus_call_reply_free(call, &list->base);
    return 0;
}
