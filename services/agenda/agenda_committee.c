/* Committees (ASU, PSU, expert councils, working committees, GP councils,
 * emergency committees): who they report to, their notice period, how their
 * case numbers are written and their numbering practice, and where each
 * year's numbering stands. */
#include "agenda_checks.h"
#include "agenda_scope.h"
#include "agenda_server.h"
#include "samhand_check.h"

#include <stdio.h>
#include <string.h>

#define NAME_MAX_CHARS 200
#define SHORT_NAME_MAX_CHARS 32
#define MANDATE_MAX_CHARS 20000
#define DEFAULT_NOTICE_PERIOD_DAYS 14
#define DEFAULT_CASE_NUMBER_FORMAT "{n}/{yy}"

static int s_not_found(bus_call_t *call, const char *id)
{
    return bus_call_fail(call, BUS_NOT_FOUND, "id", "committee %s does not exist", id);
}

/* A format holds exactly one number token ({n}, or {nn} zero-padded) and one
 * year token ({yy} or {yyyy}) among literal characters: "{n}/{yy}" gives
 * 2/23, "{nn}-{yy}" 01-21, "{yyyy}/{n}" 2014/15. */
static int s_check_case_number_format(bus_call_t *call, const char *format)
{
    int numbers = 0, years = 0;
    const char *field = "case_number_format";
    if (strlen(format) > 32)
        goto bad;
    for (const char *p = format; *p;) {
        if (*p == '{') {
            if (strncmp(p, "{n}", 3) == 0 || strncmp(p, "{nn}", 4) == 0)
                numbers++;
            else if (strncmp(p, "{yy}", 4) == 0 || strncmp(p, "{yyyy}", 6) == 0)
                years++;
            else
                goto bad;
            p = strchr(p, '}') + 1;
        } else if (*p == '}' || (unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f) {
            goto bad;
        } else {
            p++;
        }
    }
    if (numbers == 1 && years == 1)
        return 0;
bad:
    return bus_call_fail(call, BUS_INVALID_ARGUMENT, field,
                         "case_number_format must hold one of {n} or {nn} and one of {yy} or "
                         "{yyyy}, at most 32 printable ASCII characters, like \"{n}/{yy}\"");
}

static int s_check_notice_period(bus_call_t *call, int days)
{
    if (days < 0 || days > 365)
        return bus_call_fail(call, BUS_INVALID_ARGUMENT, "notice_period_days",
                             "notice_period_days must be from 0 to 365");
    return 0;
}

static int s_no_parent(bus_call_t *call, const char *id)
{
    return bus_call_fail(call, BUS_INVALID_ARGUMENT, "parent_id",
                         "committee %s, given as parent, does not exist", id);
}

/* Which organisation runs a committee is an administrator's to say; the
 * secretariat that makes one runs it. */
static int s_check_secretariat(bus_call_t *call, const char *organization_id)
{
    if (!bus_call_holds_role(call, "administrator"))
        return bus_call_fail(call, BUS_PERMISSION_DENIED, "secretariat_organization_id",
                             "only administrators may say which organisation runs a committee; "
                             "a committee made by a secretariat is run by its organisation");
    return agenda_check_ref(call, "secretariat_organization_id", organization_id, true);
}

static int s_no_organization(bus_call_t *call, const char *id)
{
    return bus_call_fail(call, BUS_INVALID_ARGUMENT, "secretariat_organization_id",
                         "organisation %s, given as secretariat, does not exist", id);
}

/* The committee's numbering practice into `fields`: which kinds of item
 * get no number (breaks never do; orientations and any other business as
 * the committee says), and whether a postponed case keeps its number
 * (UNSPECIFIED: unchanged, or the default KEPT). */
static int s_numbering_practice(bus_call_t *call, const Samhand__V1__AgendaItem__Kind *kinds,
                                size_t n, agenda_committee_fields_t *fields)
{
    bool orientations = true, any_other_business = true;
    for (size_t i = 0; i < n; i++) {
        if (kinds[i] == SAMHAND__V1__AGENDA_ITEM__KIND__ORIENTATION)
            orientations = false;
        else if (kinds[i] == SAMHAND__V1__AGENDA_ITEM__KIND__ANY_OTHER_BUSINESS)
            any_other_business = false;
        else if (kinds[i] != SAMHAND__V1__AGENDA_ITEM__KIND__BREAK)
            return bus_call_fail(call, BUS_INVALID_ARGUMENT, "unnumbered_kinds",
                                 "unnumbered_kinds may hold ORIENTATION, ANY_OTHER_BUSINESS and "
                                 "BREAK: every other kind of item gets a case number");
    }
    fields->numbers_orientations = orientations ? "t" : "f";
    fields->numbers_any_other_business = any_other_business ? "t" : "f";
    return 0;
}

static int s_carried_case_number(bus_call_t *call, int value, bool required,
                                 agenda_committee_fields_t *fields)
{
    bool bad = false;
    const char *name =
        agenda_enum_name(call, "carried_case_number",
                         &samhand__v1__committee__carried_case_number__descriptor, value, &bad);
    if (bad)
        return -1;
    if (!name && required)
        return bus_call_fail(call, BUS_INVALID_ARGUMENT, "carried_case_number",
                             "carried_case_number cannot be unspecified");
    if (name)
        fields->carried_case_keeps_number =
            value == SAMHAND__V1__COMMITTEE__CARRIED_CASE_NUMBER__KEPT ? "t" : "f";
    return 0;
}

int agenda_committee_create(bus_call_t *call)
{
    const Samhand__V1__CreateCommitteeRequest *req = (const void *)call->request;
    bool bad = false;
    if (agenda_check_required(call, "name", req->name, NAME_MAX_CHARS) != 0 ||
        agenda_check_optional(call, "short_name", req->short_name, SHORT_NAME_MAX_CHARS) != 0 ||
        agenda_check_optional(call, "mandate", req->mandate, MANDATE_MAX_CHARS) != 0 ||
        agenda_check_ref(call, "parent_id", req->parent_id, false) != 0 ||
        s_check_notice_period(call, req->notice_period_days) != 0)
        return -1;
    const char *format =
        check_empty(req->case_number_format) ? DEFAULT_CASE_NUMBER_FORMAT : req->case_number_format;
    if (s_check_case_number_format(call, format) != 0)
        return -1;
    const char *kind =
        agenda_enum_name(call, "kind", &samhand__v1__committee__kind__descriptor, req->kind, &bad);
    if (bad)
        return -1;
    if (!kind)
        return bus_call_fail(call, BUS_INVALID_ARGUMENT, "kind", "kind is required");

    char days[16];
    snprintf(days, sizeof days, "%d",
             req->notice_period_days ? req->notice_period_days : DEFAULT_NOTICE_PERIOD_DAYS);
    agenda_committee_fields_t fields = {
        .name = req->name,
        .short_name = req->short_name,
        .kind = kind,
        .parent_id = check_empty(req->parent_id) ? NULL : req->parent_id,
        .mandate = req->mandate,
        .notice_period_days = days,
        .case_number_format = format,
    };
    if (s_numbering_practice(call, req->unnumbered_kinds, req->n_unnumbered_kinds, &fields) != 0 ||
        s_carried_case_number(call, req->carried_case_number, false, &fields) != 0)
        return -1;
    const Samhand__V1__Principal *p = call->envelope->principal;
    if (!check_empty(req->secretariat_organization_id)) {
        if (s_check_secretariat(call, req->secretariat_organization_id) != 0)
            return -1;
        fields.secretariat_organization_id = req->secretariat_organization_id;
    } else if (p && check_uuid(p->organization_id)) {
        char *ids[] = {p->organization_id};
        int exists = agenda_store_organizations_exist(call->db, ids, 1);
        if (exists < 0)
            return bus_call_fail_db(call, "create committee");
        if (exists > 0)
            fields.secretariat_organization_id = p->organization_id;
    }
    Samhand__V1__Committee *committee = NULL;
    if (db_begin(call->db) != 0)
        return bus_call_fail_db(call, "create committee");
    if (agenda_store_committee_insert(call->db, &fields, &committee) != 0) {
        if (strcmp(db_sqlstate(call->db), "23503") == 0)
            return check_empty(req->secretariat_organization_id) ||
                           strstr(db_error(call->db), "parent")
                       ? s_no_parent(call, req->parent_id)
                       : s_no_organization(call, req->secretariat_organization_id);
        return bus_call_fail_db(call, "create committee");
    }
    return agenda_commit(call, "no.samhand.committee.created", committee->id, NULL, committee->id,
                         &committee->base);
}

int agenda_committee_get(bus_call_t *call)
{
    const Samhand__V1__GetCommitteeRequest *req = (const void *)call->request;
    if (!check_uuid(req->id))
        return s_not_found(call, req->id);
    Samhand__V1__Committee *committee = NULL;
    int rc = agenda_store_committee_get(call->db, req->id, &committee);
    if (rc < 0)
        return bus_call_fail_db(call, "read committee");
    if (rc > 0)
        return s_not_found(call, req->id);
    bus_call_reply_free(call, &committee->base);
    return 0;
}

int agenda_committee_update(bus_call_t *call)
{
    const Samhand__V1__UpdateCommitteeRequest *req = (const void *)call->request;
    static const char *const allowed[] = {"name",
                                          "short_name",
                                          "kind",
                                          "parent_id",
                                          "mandate",
                                          "notice_period_days",
                                          "case_number_format",
                                          "secretariat_organization_id",
                                          "unnumbered_kinds",
                                          "carried_case_number",
                                          NULL};
    char **mask = req->update_mask;
    size_t n = req->n_update_mask;
    bool bad = false;
    if (!check_uuid(req->id))
        return s_not_found(call, req->id);
    if (agenda_check_mask(call, mask, n, allowed) != 0 || agenda_scope_check(call, req->id) != 0)
        return -1;

    agenda_committee_fields_t fields = {0};
    char days[16];
    if (agenda_masked(mask, n, "name")) {
        if (agenda_check_required(call, "name", req->name, NAME_MAX_CHARS) != 0)
            return -1;
        fields.name = req->name;
    }
    if (agenda_masked(mask, n, "short_name")) {
        if (agenda_check_optional(call, "short_name", req->short_name, SHORT_NAME_MAX_CHARS) != 0)
            return -1;
        fields.short_name = req->short_name;
    }
    if (agenda_masked(mask, n, "mandate")) {
        if (agenda_check_optional(call, "mandate", req->mandate, MANDATE_MAX_CHARS) != 0)
            return -1;
        fields.mandate = req->mandate;
    }
    if (agenda_masked(mask, n, "kind")) {
        fields.kind = agenda_enum_name(call, "kind", &samhand__v1__committee__kind__descriptor,
                                       req->kind, &bad);
        if (bad)
            return -1;
        if (!fields.kind)
            return bus_call_fail(call, BUS_INVALID_ARGUMENT, "kind", "kind cannot be unspecified");
    }
    if (agenda_masked(mask, n, "notice_period_days")) {
        if (s_check_notice_period(call, req->notice_period_days) != 0)
            return -1;
        snprintf(days, sizeof days, "%d", req->notice_period_days);
        fields.notice_period_days = days;
    }
    if (agenda_masked(mask, n, "case_number_format")) {
        if (s_check_case_number_format(call, req->case_number_format) != 0)
            return -1;
        fields.case_number_format = req->case_number_format;
    }
    if (agenda_masked(mask, n, "secretariat_organization_id")) {
        if (s_check_secretariat(call, req->secretariat_organization_id) != 0)
            return -1;
        fields.secretariat_organization_id = req->secretariat_organization_id;
    }
    /* a change of practice holds for the notices published from now on */
    if (agenda_masked(mask, n, "unnumbered_kinds") &&
        s_numbering_practice(call, req->unnumbered_kinds, req->n_unnumbered_kinds, &fields) != 0)
        return -1;
    if (agenda_masked(mask, n, "carried_case_number") &&
        s_carried_case_number(call, req->carried_case_number, true, &fields) != 0)
        return -1;
    if (agenda_masked(mask, n, "parent_id")) {
        if (agenda_check_ref(call, "parent_id", req->parent_id, false) != 0)
            return -1;
        if (check_empty(req->parent_id))
            fields.clear_parent = 1;
        else
            fields.parent_id = req->parent_id;
    }

    if (db_begin(call->db) != 0)
        return bus_call_fail_db(call, "update committee");
    if (bus_call_check_version(call, "committees", req->id) != 0)
        return -1;
    if (fields.parent_id) {
        /* Refuse a reporting line that loops back to this committee. */
        int loops = agenda_store_committee_reports_to(call->db, fields.parent_id, req->id);
        if (loops < 0)
            return bus_call_fail_db(call, "update committee");
        if (loops)
            return bus_call_fail(call, BUS_INVALID_ARGUMENT, "parent_id",
                                 "parent_id would make the committee report to itself");
    }
    Samhand__V1__Committee *committee = NULL;
    int rc = agenda_store_committee_update(call->db, req->id, &fields, &committee);
    if (rc < 0) {
        if (strcmp(db_sqlstate(call->db), "23503") == 0)
            return fields.parent_id && strstr(db_error(call->db), "parent")
                       ? s_no_parent(call, req->parent_id)
                       : s_no_organization(call, req->secretariat_organization_id);
        return bus_call_fail_db(call, "update committee");
    }
    if (rc > 0)
        return s_not_found(call, req->id);
    return agenda_commit(call, "no.samhand.committee.updated", committee->id, NULL, committee->id,
                         &committee->base);
}

int agenda_committee_list(bus_call_t *call)
{
    const Samhand__V1__ListCommitteesRequest *req = (const void *)call->request;
    agenda_page_t page;
    bool bad = false;
    if (agenda_page(call, req->limit, req->cursor, &page) != 0 ||
        agenda_check_ref(call, "parent_id", req->parent_id, false) != 0)
        return -1;
    const char *kind =
        agenda_enum_name(call, "kind", &samhand__v1__committee__kind__descriptor, req->kind, &bad);
    if (bad || agenda_check_optional(call, "q", req->q, 200) != 0)
        return -1;
    Samhand__V1__ListCommitteesResponse *list = NULL;
    if (agenda_store_committee_list(call->db, page, kind,
                                    check_empty(req->parent_id) ? NULL : req->parent_id,
                                    check_empty(req->q) ? NULL : req->q, &list) != 0)
        return bus_call_fail_db(call, "list committees");
    bus_call_reply_free(call, &list->base);
    return 0;
}

/* ---------------------------------------------------------- case numbers */

#define EARLIEST_CASE_YEAR 2000
#define LATEST_CASE_YEAR 2100
#define CASE_NUMBER_MAX 99999

static int s_no_committee(bus_call_t *call, const char *committee_id)
{
    return bus_call_fail(call, BUS_NOT_FOUND, "committee_id", "committee %s does not exist",
                         committee_id);
}

static int s_check_year(bus_call_t *call, const char *committee_id, int year)
{
    if (!check_uuid(committee_id))
        return s_no_committee(call, committee_id);
    if (year < EARLIEST_CASE_YEAR || year > LATEST_CASE_YEAR)
        return bus_call_fail(call, BUS_INVALID_ARGUMENT, "year",
                             "year must be between 2000 and 2100");
    return 0;
}

/* Where a committee-year's numbering continues: for a committee that moves
 * to samhand mid-year, after the last number its old system gave. Never
 * back over a number a notice has given. */
int agenda_committee_numbering_set(bus_call_t *call)
{
    const Samhand__V1__SetCaseNumberingRequest *req = (const void *)call->request;
    if (s_check_year(call, req->committee_id, req->year) != 0 ||
        agenda_scope_check(call, req->committee_id) != 0)
        return -1;
    if (req->next_number < 1 || req->next_number > CASE_NUMBER_MAX)
        return bus_call_fail(call, BUS_INVALID_ARGUMENT, "next_number",
                             "next_number must be from 1 to 99999");
    Samhand__V1__CaseNumbering *numbering = NULL;
    if (db_begin(call->db) != 0)
        return bus_call_fail_db(call, "set case numbering");
    int rc =
        agenda_store_case_numbering_get(call->db, req->committee_id, req->year, true, &numbering);
    if (rc < 0)
        return bus_call_fail_db(call, "set case numbering");
    if (rc > 0)
        return s_no_committee(call, req->committee_id);
    int last_given = numbering->last_given;
    protobuf_c_message_free_unpacked(&numbering->base, NULL);
    if (last_given >= req->next_number)
        return bus_call_fail(call, BUS_FAILED_PRECONDITION, "next_number",
                             "next_number must be after %d, the last case number the "
                             "committee's notices gave in %d",
                             last_given, req->year);
    if (agenda_store_case_numbering_set(call->db, req->committee_id, req->year, req->next_number) <
            0 ||
        agenda_store_case_numbering_get(call->db, req->committee_id, req->year, false,
                                        &numbering) != 0)
        return bus_call_fail_db(call, "set case numbering");
    return agenda_commit(call, "no.samhand.committee.case_numbering_set", req->committee_id, NULL,
                         req->committee_id, &numbering->base);
}
