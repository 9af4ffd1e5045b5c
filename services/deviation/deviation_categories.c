/* The category code list as a resource: read by anyone, any version of it
 * (GET /v1/deviation-categories?version=), and a new version loaded by
 * administrators (POST /v1/deviation-categories/versions) with a mapping
 * from every code it retires, as one no.samhand.deviation.
 * categories_changed event for every party. Reports keep the code and the
 * version they were coded with; statistics count them under today's codes
 * by the mappings (deviation_codes.c). */
#include "deviation_codes.h"
#include "deviation_report.h"
#include "samhand_check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef Samhand__V1__LoadCategoriesRequest load_t;

int deviation_categories_list(bus_call_t *call)
{
    const Samhand__V1__ListDeviationCategoriesRequest *req = (const void *)call->request;
    if (req->version < 0)
        return bus_call_fail(call, BUS_INVALID_ARGUMENT, "version",
                             "version must be a version of the code list (1, 2, ...)");
    Samhand__V1__ListDeviationCategoriesResponse *list = NULL;
    int rc = deviation_store_categories(call->db, req->version, &list);
    if (rc < 0)
        return bus_call_fail_db(call, "list categories");
    if (rc > 0)
        return bus_call_fail(call, BUS_NOT_FOUND, "version", "the code list has no version %d",
                             req->version);
    return bus_call_reply_free(call, &list->base);
}

static const deviation_code_row_t *s_row(const deviation_code_row_t *rows, size_t n,
                                         const char *code)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(rows[i].code, code) == 0)
            return &rows[i];
    return NULL;
}

static bool s_in_items(const load_t *req, const char *code)
{
    for (size_t i = 0; i < req->n_items; i++)
        if (strcmp(req->items[i]->code, code) == 0)
            return true;
    return false;
}

static const Samhand__V1__CategoryMapping *s_mapping_of(const load_t *req, const char *code)
{
    for (size_t i = 0; i < req->n_mappings; i++)
        if (strcmp(req->mappings[i]->from_code, code) == 0)
            return req->mappings[i];
    return NULL;
}

/* Notes every error of the new version against the list as it is (`rows`,
 * every code ever), and collects the codes of the list in force it leaves
 * out into `retired` (n_rows + 1 entries, borrowed from `rows`). */
static size_t s_check(bus_call_t *call, const load_t *req, const deviation_code_row_t *rows,
                      size_t n_rows, const char **retired)
{
    if (!check_date(req->published))
        bus_call_add_error(call, "published",
                           "published is required: the date of the list (YYYY-MM-DD)");
    if (check_empty(req->title) || !check_text(req->title, 300))
        bus_call_add_error(call, "title",
                           "title is required: what the list is, at most 300 characters");
    if (!check_empty(req->comment) && !check_text(req->comment, 1000))
        bus_call_add_error(call, "comment", "comment must be text of at most 1000 characters");
    if (req->n_items == 0 || req->n_items > 500)
        bus_call_add_error(call, "items", "items must hold the whole list: 1 to 500 categories");
    for (size_t i = 0; i < req->n_items; i++) {
        const Samhand__V1__DeviationCategory *c = req->items[i];
        const deviation_code_row_t *known = s_row(rows, n_rows, c->code);
        bool twice = false;
        for (size_t j = 0; j < i; j++)
            twice |= strcmp(req->items[j]->code, c->code) == 0;
        if (!deviation_code_valid(c->code))
            bus_call_add_error(call, "items",
                               "items[%zu].code must be 2-40 capital letters, digits and "
                               "hyphens, starting with a letter (SAM-EPIKRISE)",
                               i);
        else if (twice)
            bus_call_add_error(call, "items", "items[%zu].code %s is in the list twice", i,
                               c->code);
        else if (known && known->retired_in)
            bus_call_add_error(call, "items",
                               "items[%zu].code %s was retired in version %d; a retired code "
                               "never comes back, give it a new code",
                               i, c->code, known->retired_in);
        else if (known && (strcmp(known->name, c->name) != 0 || strcmp(known->axis, c->axis) != 0))
            bus_call_add_error(call, "items",
                               "items[%zu].code %s keeps its name and axis (%s, %s); to change "
                               "them give it a new code and map the old one to it",
                               i, c->code, known->name, known->axis);
        if (check_empty(c->name) || !check_text(c->name, 200))
            bus_call_add_error(call, "items", "items[%zu].name is required, at most 200 characters",
                               i);
        if (strcmp(c->axis, "NOKUP") != 0 && strcmp(c->axis, "SAMHANDLING") != 0)
            bus_call_add_error(call, "items", "items[%zu].axis must be NOKUP or SAMHANDLING", i);
    }
    /* every code in force that it leaves out maps to one of its codes */
    size_t n_retired = 0;
    for (size_t i = 0; i < n_rows; i++) {
        if (rows[i].retired_in || s_in_items(req, rows[i].code))
            continue;
        retired[n_retired++] = rows[i].code;
        if (!s_mapping_of(req, rows[i].code))
            bus_call_add_error(call, "mappings",
                               "mappings must map %s, which the new version leaves out, to a "
                               "code of the new version",
                               rows[i].code);
    }
    for (size_t i = 0; i < req->n_mappings; i++) {
        const Samhand__V1__CategoryMapping *m = req->mappings[i];
        const deviation_code_row_t *from = s_row(rows, n_rows, m->from_code);
        if (!from || from->retired_in || s_in_items(req, m->from_code))
            bus_call_add_error(call, "mappings",
                               "mappings[%zu].fromCode must be a code of the list in force that "
                               "the new version leaves out",
                               i);
        else if (s_mapping_of(req, m->from_code) != m)
            bus_call_add_error(call, "mappings", "mappings[%zu].fromCode is mapped twice", i);
        if (!s_in_items(req, m->to_code))
            bus_call_add_error(call, "mappings",
                               "mappings[%zu].toCode must be a code of the new version", i);
    }
    return n_retired;
}

int deviation_categories_load(bus_call_t *call)
{
    const load_t *req = (const void *)call->request;
    /* the partnership's administrators: a party's rule no other party */
    if (!bus_call_holds_partnership_role(call, "administrator"))
        return bus_call_fail(call, BUS_PERMISSION_DENIED, NULL,
                             "a new version of the code list is loaded by administrators");
    if (db_begin(call->db) != 0)
        return bus_call_fail_db(call, "load categories");
    deviation_code_row_t *rows = NULL;
    size_t n_rows = 0;
    if (deviation_store_codes_all(call->db, &rows, &n_rows) != 0)
        return bus_call_fail_db(call, "load categories");
    const char **retired = calloc(n_rows + 1, sizeof *retired);
    size_t n_retired = s_check(call, req, rows, n_rows, retired);
    int rc = -1, version = 0;
    Samhand__V1__ListDeviationCategoriesResponse *made = NULL;
    if (bus_call_fail_errors(call, BUS_INVALID_ARGUMENT) != 0)
        goto cleanup;
    const char *actor = deviation_caller_subject(call);
    if (deviation_store_categories_load(call->db, req, actor, retired, n_retired, &version) != 0 ||
        deviation_store_categories(call->db, version, &made) != 0) {
        bus_call_fail_db(call, "load categories");
        goto cleanup;
    }
    char subject[16];
    snprintf(subject, sizeof subject, "%d", version);
    /* every party codes by it: no audience */
    if (db_outbox_append(call->db, "no.samhand.deviation.categories_changed", subject, NULL, NULL,
                         &made->base) != 0 ||
        bus_call_reply_before_commit(call, &made->base) != 0 || db_commit(call->db) != 0) {
        bus_call_fail_db(call, "load categories");
        goto cleanup;
    }
    rc = 0;
cleanup:
    if (rc != 0)
        db_rollback(call->db);
    if (made)
        protobuf_c_message_free_unpacked(&made->base, NULL);
    free(retired);
    deviation_store_codes_free(rows, n_rows);
    return rc;
}
