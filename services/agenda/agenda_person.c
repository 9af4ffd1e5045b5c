/* Persons of the directory: name, title, e-mail and the organisation they
 * work for. Personal data: never logged. */
#include "agenda_checks.h"
#include "agenda_server.h"
#include "samhand_check.h"

#include <string.h>

#define NAME_MAX_CHARS 200
#define TITLE_MAX_CHARS 200

static int s_not_found(bus_call_t *call, const char *id)
{
    return bus_call_fail(call, BUS_NOT_FOUND, "id", "person %s does not exist", id);
}

#define SUBJECT_MAX_CHARS 160

/* "oidc:<sub>" or "key:<12 hex>", as the gateway names principals. */
static int s_check_principal(bus_call_t *call, const char *subject)
{
    if (!check_empty(subject) &&
        ((strncmp(subject, "oidc:", 5) != 0 && strncmp(subject, "key:", 4) != 0) ||
         !check_text(subject, SUBJECT_MAX_CHARS) || strpbrk(subject, " \t\r\n")))
        return bus_call_fail(call, BUS_INVALID_ARGUMENT, "principal_subject",
                             "principal_subject is the principal the person signs in as: "
                             "oidc:<sub of their token> or key:<12 hex digits of their key>");
    return 0;
}

/* Two persons cannot sign in as the same principal. */
static int s_taken(bus_call_t *call)
{
    return bus_call_fail(call, BUS_ALREADY_EXISTS, "principal_subject",
                         "principal_subject is another person's");
}

static bool s_of_organization(bus_call_t *call, const char *organization_id)
{
    const Samhand__V1__Principal *p = call->envelope->principal;
    return p && organization_id && p->organization_id[0] &&
           strcmp(p->organization_id, organization_id) == 0;
}

/* Who a person signs in as decides what they see (a membership opens a
 * committee's exempt papers), and their organisation whose secretariat
 * may link them: only an administrator, or the secretariat of the
 * person's own organisation, links a person to a principal or moves them
 * to another organisation. `field` is the one refused. */
static int s_may_link(bus_call_t *call, const char *organization_id, const char *field)
{
    if (bus_call_holds_role(call, "administrator") || s_of_organization(call, organization_id))
        return 0;
    return bus_call_fail(call, BUS_PERMISSION_DENIED, field,
                         "only administrators and the secretariat of the person's own "
                         "organisation may say whom a person signs in as, or move them to "
                         "another organisation");
}

static int s_check_email(bus_call_t *call, const char *email)
{
    if (!check_empty(email) && !check_email(email))
        return bus_call_fail(call, BUS_INVALID_ARGUMENT, "email",
                             "email must be an e-mail address like name@example.no");
    return 0;
}

static int s_no_organization(bus_call_t *call, const char *id)
{
    return bus_call_fail(call, BUS_INVALID_ARGUMENT, "organization_id",
                         "organization %s does not exist", id);
}

int agenda_person_create(bus_call_t *call)
{
    const Samhand__V1__CreatePersonRequest *req = (const void *)call->request;
    if (agenda_check_required(call, "name", req->name, NAME_MAX_CHARS) != 0 ||
        agenda_check_optional(call, "title", req->title, TITLE_MAX_CHARS) != 0 ||
        agenda_check_ref(call, "organization_id", req->organization_id, true) != 0 ||
        s_check_email(call, req->email) != 0 ||
        s_check_principal(call, req->principal_subject) != 0 ||
        (!check_empty(req->principal_subject) &&
         s_may_link(call, req->organization_id, "principal_subject") != 0))
        return -1;

    Samhand__V1__Person *person = NULL;
    if (db_begin(call->db) != 0)
        return bus_call_fail_db(call, "create person");
    int rc = agenda_store_person_insert(call->db, req->name, req->title, req->organization_id,
                                        req->email, req->principal_subject, &person);
    if (rc < 0) {
        if (strcmp(db_sqlstate(call->db), "23505") == 0)
            return s_taken(call);
        return bus_call_fail_db(call, "create person");
    }
    if (rc > 0)
        return s_no_organization(call, req->organization_id);
    return agenda_commit(call, "no.samhand.person.created", person->id, person->organization_id,
                         NULL, &person->base);
}

int agenda_person_get(bus_call_t *call)
{
    const Samhand__V1__GetPersonRequest *req = (const void *)call->request;
    if (!check_uuid(req->id))
        return s_not_found(call, req->id);
    Samhand__V1__Person *person = NULL;
    int rc = agenda_store_person_get(call->db, req->id, &person);
    if (rc < 0)
        return bus_call_fail_db(call, "read person");
    if (rc > 0)
        return s_not_found(call, req->id);
    bus_call_reply_free(call, &person->base);
    return 0;
}

int agenda_person_update(bus_call_t *call)
{
    const Samhand__V1__UpdatePersonRequest *req = (const void *)call->request;
    static const char *const allowed[] = {
        "name", "title", "organization_id", "email", "principal_subject", NULL};
    if (!check_uuid(req->id))
        return s_not_found(call, req->id);
    if (agenda_check_mask(call, req->update_mask, req->n_update_mask, allowed) != 0)
        return -1;
    char **mask = req->update_mask;
    size_t n = req->n_update_mask;
    const char *name = NULL, *title = NULL, *organization_id = NULL, *email = NULL,
               *principal = NULL;
    if (agenda_masked(mask, n, "name")) {
        if (agenda_check_required(call, "name", req->name, NAME_MAX_CHARS) != 0)
            return -1;
        name = req->name;
    }
    if (agenda_masked(mask, n, "title")) {
        if (agenda_check_optional(call, "title", req->title, TITLE_MAX_CHARS) != 0)
            return -1;
        title = req->title;
    }
    if (agenda_masked(mask, n, "organization_id")) {
        if (agenda_check_ref(call, "organization_id", req->organization_id, true) != 0)
            return -1;
        organization_id = req->organization_id;
    }
    if (agenda_masked(mask, n, "email")) {
        if (s_check_email(call, req->email) != 0)
            return -1;
        email = req->email;
    }
    if (agenda_masked(mask, n, "principal_subject")) {
        if (s_check_principal(call, req->principal_subject) != 0)
            return -1;
        principal = req->principal_subject;
    }

    Samhand__V1__Person *person = NULL;
    if (db_begin(call->db) != 0)
        return bus_call_fail_db(call, "update person");
    if (bus_call_check_version(call, "persons", req->id) != 0)
        return -1;
    /* the person as they are: whose they are decides who changes them */
    Samhand__V1__Person *before = NULL;
    int found = agenda_store_person_get(call->db, req->id, &before);
    if (found < 0)
        return bus_call_fail_db(call, "read person");
    if (found > 0)
        return s_not_found(call, req->id);
    int refused = 0;
    if (principal || organization_id)
        refused = s_may_link(call, before->organization_id,
                             principal ? "principal_subject" : "organization_id");
    else if (!bus_call_holds_role(call, "administrator") &&
             !s_of_organization(call, before->organization_id)) {
        /* name, title, e-mail: also the secretariat of an organisation
         * running a committee the person sits on (it registers them) */
        int keeps = call->envelope->principal
                        ? agenda_store_person_kept_by(call->db, req->id,
                                                      call->envelope->principal->organization_id)
                        : 0;
        if (keeps < 0)
            refused = bus_call_fail_db(call, "read person");
        else if (!keeps)
            refused = bus_call_fail(call, BUS_PERMISSION_DENIED, NULL,
                                    "only administrators, the secretariat of the person's own "
                                    "organisation and that of an organisation running a "
                                    "committee the person sits on may change a person");
    }
    protobuf_c_message_free_unpacked(&before->base, NULL);
    if (refused)
        return -1;
    int rc = agenda_store_person_update(call->db, req->id, name, title, organization_id, email,
                                        principal, &person);
    if (rc < 0) {
        if (strcmp(db_sqlstate(call->db), "23503") == 0)
            return s_no_organization(call, req->organization_id);
        if (strcmp(db_sqlstate(call->db), "23505") == 0)
            return s_taken(call);
        return bus_call_fail_db(call, "update person");
    }
    if (rc > 0)
        return s_not_found(call, req->id);
    return agenda_commit(call, "no.samhand.person.updated", person->id, person->organization_id,
                         NULL, &person->base);
}

int agenda_person_list(bus_call_t *call)
{
    const Samhand__V1__ListPersonsRequest *req = (const void *)call->request;
    agenda_page_t page;
    if (agenda_page(call, req->limit, req->cursor, &page) != 0 ||
        agenda_check_ref(call, "organization_id", req->organization_id, false) != 0)
        return -1;
    Samhand__V1__ListPersonsResponse *list = NULL;
    if (agenda_store_person_list(call->db, page,
                                 check_empty(req->organization_id) ? NULL : req->organization_id,
                                 check_empty(req->q) ? NULL : req->q, &list) != 0)
        return bus_call_fail_db(call, "list persons");
    bus_call_reply_free(call, &list->base);
    return 0;
}
