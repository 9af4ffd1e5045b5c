/* Actions from committee decisions (tiltak): who is responsible, by when,
 * and dated progress until done; open and overdue ones per committee, and
 * a follow-up item that puts them on an agenda. */
#include "agenda_action_text.h"
#include "agenda_checks.h"
#include "agenda_meeting.h"
#include "agenda_scope.h"
#include "agenda_server.h"
#include "samhand_check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DESCRIPTION_MAX_CHARS 5000
#define RESPONSIBLE_MAX_CHARS 300
#define NOTE_MAX_CHARS 5000
#define ORGANIZATIONS_MAX 50

static int s_check_organizations(bus_call_t *call, char **ids, size_t n)
{
    if (n > ORGANIZATIONS_MAX)
        return bus_call_fail(call, BUS_INVALID_ARGUMENT, "responsible_organization_ids",
                             "responsible_organization_ids holds at most %d", ORGANIZATIONS_MAX);
    for (size_t i = 0; i < n; i++) {
        char field[64];
        snprintf(field, sizeof field, "responsible_organization_ids[%zu]", i);
        if (agenda_check_ref(call, field, ids[i], true) != 0)
            return -1;
    }
    int exist = n ? agenda_store_organizations_exist(call->db, ids, n) : 1;
    if (exist < 0)
        return bus_call_fail_db(call, "read organizations");
    if (!exist)
        return bus_call_fail(call, BUS_INVALID_ARGUMENT, "responsible_organization_ids",
                             "responsible_organization_ids names an organization that does not "
                             "exist");
    return 0;
}

static int s_check_due(bus_call_t *call, const char *date)
{
    if (!check_empty(date) && !check_date(date))
        return bus_call_fail(call, BUS_INVALID_ARGUMENT, "due_date",
                             "due_date must be a date written YYYY-MM-DD");
    return 0;
}

static const char *s_author(bus_call_t *call)
{
    const Samhand__V1__Principal *p = call->envelope->principal;
    return p && p->subject ? p->subject : "";
}

/* Who signs a line of the history: the name of the person who signs in as
 * the caller, or the principal where no person is linked to it. */
static int s_author_name(bus_call_t *call, char out[256])
{
    snprintf(out, 256, "%s", s_author(call));
    if (!out[0])
        return 0;
    char *name = NULL;
    if (agenda_store_person_name_of(call->db, out, &name) < 0)
        return bus_call_fail_db(call, "read person");
    if (name)
        snprintf(out, 256, "%s", name);
    free(name);
    return 0;
}

/* "01.06.2025" of "2025-06-01", "ingen" of none. */
static void s_norwegian_date(const char *iso, char out[16])
{
    if (strlen(iso) == 10)
        snprintf(out, 16, "%.2s.%.2s.%.4s", iso + 8, iso + 5, iso);
    else
        snprintf(out, 16, "ingen");
}

static bool s_same_organizations(const Samhand__V1__Action *a,
                                 const Samhand__V1__UpdateActionRequest *req)
{
    if (a->n_responsible_organization_ids != req->n_responsible_organization_ids)
        return false;
    for (size_t i = 0; i < req->n_responsible_organization_ids; i++) {
        bool found = false;
        for (size_t j = 0; j < a->n_responsible_organization_ids && !found; j++)
            found = strcmp(req->responsible_organization_ids[i],
                           a->responsible_organization_ids[j]) == 0;
        if (!found)
            return false;
    }
    return true;
}

#define EXEMPT_TEXT "Unntatt offentlighet"

/* What someone without a standing in the committee sees of an action
 * decided on an exempt item: its number, status, due date and the item's
 * public title; not what it is, who answers for it or its notes. An item
 * exempt before public titles reads «Unntatt offentlighet». */
static void s_hide_exempt(Samhand__V1__Action *a)
{
    char text[2048];
    if (a->public_title[0])
        snprintf(text, sizeof text, "%s (unntatt offentlighet)", a->public_title);
    else
        snprintf(text, sizeof text, "%s", EXEMPT_TEXT);
    agenda_text_replace(&a->description, text);
    agenda_text_replace(&a->responsible, "");
    for (size_t i = 0; i < a->n_notes; i++)
        protobuf_c_message_free_unpacked(&a->notes[i]->base, NULL);
    free(a->notes);
    a->notes = NULL;
    a->n_notes = 0;
}

/* The action as the caller may see it. */
static void s_as_seen(bus_call_t *call, Samhand__V1__Action *a)
{
    if (a->is_exempt && !agenda_caller_sees_exempt(call, a->committee_id))
        s_hide_exempt(a);
}

/* Commits with the event (which every party reads: of an exempt item's
 * action, the public view) and replies with the action as it is now. */
static int s_commit(bus_call_t *call, const char *id, const char *type)
{
    Samhand__V1__Action *a = NULL, *shown = NULL;
    if (agenda_store_action_get(call->db, id, false, &a) != 0 ||
        (a->is_exempt && !(shown = (void *)agenda_copy(&a->base)))) {
        db_rollback(call->db);
        if (a)
            protobuf_c_message_free_unpacked(&a->base, NULL);
        return bus_call_fail_db(call, "read action");
    }
    if (!shown)
        return agenda_commit(call, type, a->id, NULL, a->committee_id, &a->base);
    s_hide_exempt(shown);
    s_as_seen(call, a);
    int rc = agenda_commit_reply(call, type, a->id, NULL, a->committee_id, &shown->base, &a->base);
    protobuf_c_message_free_unpacked(&shown->base, NULL);
    protobuf_c_message_free_unpacked(&a->base, NULL);
    return rc;
}

int agenda_action_create(bus_call_t *call)
{
    const Samhand__V1__CreateActionRequest *req = (const void *)call->request;
    if (agenda_check_ref(call, "committee_id", req->committee_id, true) != 0 ||
        agenda_check_ref(call, "item_id", req->item_id, false) != 0 ||
        agenda_check_required(call, "description", req->description, DESCRIPTION_MAX_CHARS) != 0 ||
        agenda_check_optional(call, "responsible", req->responsible, RESPONSIBLE_MAX_CHARS) != 0 ||
        s_check_due(call, req->due_date) != 0)
        return -1;
    if (db_begin(call->db) != 0)
        return bus_call_fail_db(call, "create action");
    if (agenda_scope_check(call, req->committee_id) != 0)
        return -1;
    if (s_check_organizations(call, req->responsible_organization_ids,
                              req->n_responsible_organization_ids) != 0)
        return -1;
    agenda_action_fields_t fields = {
        .committee_id = req->committee_id,
        .item_id = check_empty(req->item_id) ? NULL : req->item_id,
        .description = req->description,
        .responsible = req->responsible,
        .due_date = check_empty(req->due_date) ? NULL : req->due_date,
        .organization_ids = req->responsible_organization_ids,
        .n_organization_ids = req->n_responsible_organization_ids,
    };
    char id[40];
    int rc = agenda_store_action_insert(call->db, &fields, id);
    if (rc < 0) {
        if (strcmp(db_sqlstate(call->db), "23503") == 0)
            return bus_call_fail(call, BUS_INVALID_ARGUMENT, "item_id",
                                 "agenda item %s does not exist", req->item_id);
        return bus_call_fail_db(call, "create action");
    }
    if (rc > 0)
        return bus_call_fail(call, BUS_INVALID_ARGUMENT, "committee_id",
                             "committee %s does not exist", req->committee_id);
    return s_commit(call, id, "no.samhand.action.created");
}

int agenda_action_get(bus_call_t *call)
{
    const Samhand__V1__GetActionRequest *req = (const void *)call->request;
    Samhand__V1__Action *a = NULL;
    int rc = check_uuid(req->id) ? agenda_store_action_get(call->db, req->id, false, &a) : 1;
    if (rc < 0)
        return bus_call_fail_db(call, "read action");
    if (rc > 0)
        return bus_call_fail(call, BUS_NOT_FOUND, "id", "action %s does not exist", req->id);
    s_as_seen(call, a);
    bus_call_reply_free(call, &a->base);
    return 0;
}

int agenda_action_update(bus_call_t *call)
{
    const Samhand__V1__UpdateActionRequest *req = (const void *)call->request;
    static const char *const allowed[] = {
        "description", "responsible_organization_ids", "responsible", "due_date", "status", "note",
        NULL};
    char **mask = req->update_mask;
    size_t n = req->n_update_mask;
    bool bad = false;
    if (!check_uuid(req->id))
        return bus_call_fail(call, BUS_NOT_FOUND, "id", "action %s does not exist", req->id);
    if (agenda_check_mask(call, mask, n, allowed) != 0)
        return -1;
    agenda_action_fields_t fields = {0};
    if (agenda_masked(mask, n, "description")) {
        if (agenda_check_required(call, "description", req->description, DESCRIPTION_MAX_CHARS) !=
            0)
            return -1;
        fields.description = req->description;
    }
    if (agenda_masked(mask, n, "responsible")) {
        if (agenda_check_optional(call, "responsible", req->responsible, RESPONSIBLE_MAX_CHARS) !=
            0)
            return -1;
        fields.responsible = req->responsible;
    }
    if (agenda_masked(mask, n, "due_date")) {
        if (s_check_due(call, req->due_date) != 0)
            return -1;
        if (check_empty(req->due_date))
            fields.clear_due_date = 1;
        else
            fields.due_date = req->due_date;
    }
    if (agenda_masked(mask, n, "status")) {
        fields.status = agenda_enum_name(call, "status", &samhand__v1__action__status__descriptor,
                                         req->status, &bad);
        if (bad)
            return -1;
        if (!fields.status)
            return bus_call_fail(call, BUS_INVALID_ARGUMENT, "status",
                                 "status cannot be unspecified");
    }
    if (agenda_masked(mask, n, "note") &&
        agenda_check_required(call, "note", req->note, NOTE_MAX_CHARS) != 0)
        return -1;

    if (db_begin(call->db) != 0)
        return bus_call_fail_db(call, "update action");
    if (bus_call_check_version(call, "actions", req->id) != 0)
        return -1;
    Samhand__V1__Action *before = NULL;
    int rc = agenda_store_action_get(call->db, req->id, true, &before);
    if (rc < 0)
        return bus_call_fail_db(call, "read action");
    if (rc > 0)
        return bus_call_fail(call, BUS_NOT_FOUND, "id", "action %s does not exist", req->id);
    int old_status = before->status;
    /* members, and the organisations answering for it, move an action on
     * (status, a note); what it is and who answers for it are for those
     * who run the committee */
    int standing = agenda_caller_standing(call, before->committee_id);
    /* the organisations answering for it report their progress too */
    const Samhand__V1__Principal *p = call->envelope->principal;
    for (size_t i = 0; standing == AGENDA_STANDING_NONE && p && p->organization_id[0] &&
                       i < before->n_responsible_organization_ids;
         i++)
        if (strcmp(before->responsible_organization_ids[i], p->organization_id) == 0)
            standing = AGENDA_STANDING_MEMBER;
    if (agenda_scope_check_standing(call, standing) != 0) {
        protobuf_c_message_free_unpacked(&before->base, NULL);
        return -1;
    }
    for (size_t i = 0; i < n && standing == AGENDA_STANDING_MEMBER; i++)
        if (strcmp(mask[i], "status") != 0 && strcmp(mask[i], "note") != 0) {
            protobuf_c_message_free_unpacked(&before->base, NULL);
            return bus_call_fail(call, BUS_PERMISSION_DENIED, mask[i],
                                 "a member moves an action on (status, note); only the "
                                 "committee's secretary and chair, the secretariat of the "
                                 "organisation that runs it and administrators change %s",
                                 mask[i]);
        }
    /* a new due date or owner is kept in the history, with why */
    char changes[2][2600]; /* whole values: a byte limit could cut a character */
    size_t n_changes = 0;
    if (fields.due_date || fields.clear_due_date) {
        char was[16], now[16];
        s_norwegian_date(before->due_date, was);
        s_norwegian_date(fields.due_date ? fields.due_date : "", now);
        if (strcmp(was, now) != 0)
            snprintf(changes[n_changes++], sizeof changes[0], "Frist: %s → %s", was, now);
    }
    if (fields.responsible && strcmp(fields.responsible, before->responsible) != 0)
        snprintf(changes[n_changes++], sizeof changes[0], "Ansvar: %s → %s",
                 before->responsible[0] ? before->responsible : "ingen",
                 fields.responsible[0] ? fields.responsible : "ingen");
    else if (agenda_masked(mask, n, "responsible_organization_ids") &&
             !s_same_organizations(before, req))
        snprintf(changes[n_changes++], sizeof changes[0], "Ansvarlige virksomheter endret");
    if (n_changes > 0 && !agenda_masked(mask, n, "note")) {
        protobuf_c_message_free_unpacked(&before->base, NULL);
        return bus_call_fail(call, BUS_INVALID_ARGUMENT, "note",
                             "a new due date or owner needs a note saying why");
    }
    protobuf_c_message_free_unpacked(&before->base, NULL);
    if (agenda_masked(mask, n, "responsible_organization_ids")) {
        if (s_check_organizations(call, req->responsible_organization_ids,
                                  req->n_responsible_organization_ids) != 0)
            return -1;
        fields.organization_ids = req->responsible_organization_ids;
        fields.n_organization_ids = req->n_responsible_organization_ids;
        fields.set_organizations = 1;
    }
    if (agenda_store_action_update(call->db, req->id, &fields) != 0)
        return bus_call_fail_db(call, "update action");
    /* progress is dated and signed: a new status, due date or owner and a
     * note each leave a line */
    char author[256];
    if (s_author_name(call, author) != 0)
        return -1;
    if (fields.status && (int)req->status != old_status) {
        char text[128];
        snprintf(text, sizeof text, "Status: %s → %s", agenda_action_status_text(old_status),
                 agenda_action_status_text(req->status));
        if (agenda_store_action_note(call->db, req->id, text, author) != 0)
            return bus_call_fail_db(call, "record progress");
    }
    for (size_t i = 0; i < n_changes; i++)
        if (agenda_store_action_note(call->db, req->id, changes[i], author) != 0)
            return bus_call_fail_db(call, "record progress");
    if (agenda_masked(mask, n, "note") &&
        agenda_store_action_note(call->db, req->id, req->note, author) != 0)
        return bus_call_fail_db(call, "record progress");
    return s_commit(call, req->id, "no.samhand.action.updated");
}

int agenda_action_list(bus_call_t *call)
{
    const Samhand__V1__ListActionsRequest *req = (const void *)call->request;
    agenda_page_t page;
    bool bad = false;
    if (agenda_page(call, req->limit, req->cursor, &page) != 0 ||
        agenda_check_ref(call, "committee_id", req->committee_id, false) != 0 ||
        agenda_check_ref(call, "organization_id", req->organization_id, false) != 0)
        return -1;
    const char *status = agenda_enum_name(call, "status", &samhand__v1__action__status__descriptor,
                                          req->status, &bad);
    if (bad)
        return -1;
    Samhand__V1__ListActionsResponse *list = NULL;
    if (agenda_store_action_list(
            call->db, page, check_empty(req->committee_id) ? NULL : req->committee_id, status,
            req->overdue, req->open,
            check_empty(req->organization_id) ? NULL : req->organization_id, &list) != 0)
        return bus_call_fail_db(call, "list actions");
    for (size_t i = 0; i < list->n_items; i++)
        s_as_seen(call, list->items[i]);
    bus_call_reply_free(call, &list->base);
    return 0;
}

int agenda_action_follow_up(bus_call_t *call)
{
    const Samhand__V1__AddFollowUpRequest *req = (const void *)call->request;
    if (req->duration_min < 0 || req->duration_min > 1440)
        return bus_call_fail(call, BUS_INVALID_ARGUMENT, "duration_min",
                             "duration_min must be from 0 to 1440");
    if (db_begin(call->db) != 0)
        return bus_call_fail_db(call, "add follow-up");
    Samhand__V1__Meeting *m = NULL;
    if (agenda_meeting_load(call, req->meeting_id, true, &m) != 0)
        return -1;
    int rc = -1;
    Samhand__V1__ListActionsResponse *list = NULL;
    char *text = NULL;
    if (m->state != SAMHAND__V1__MEETING__STATE__DRAFT &&
        m->state != SAMHAND__V1__MEETING__STATE__NOTICE_PUBLISHED) {
        bus_call_fail(call, BUS_FAILED_PRECONDITION, "state",
                      "the agenda of a meeting that is held or cancelled cannot change");
        goto done;
    }
    agenda_page_t page = {.after = 0, .limit = 500};
    if (agenda_store_action_list(call->db, page, m->committee_id, NULL, false, true, NULL, &list) !=
        0) {
        bus_call_fail_db(call, "list actions");
        goto done;
    }
    /* the follow-up item is public: an exempt item's action by number */
    for (size_t i = 0; i < list->n_items; i++)
        if (list->items[i]->is_exempt)
            s_hide_exempt(list->items[i]);
    text = agenda_action_table_text(list->items, list->n_items);
    if (!text) {
        bus_call_fail(call, BUS_INTERNAL, NULL, "out of memory");
        goto done;
    }
    char duration[16];
    snprintf(duration, sizeof duration, "%d", req->duration_min ? req->duration_min : 10);
    agenda_item_fields_t fields = {
        .kind = "ORIENTATION",
        .title = "Oppfølging av tiltak",
        .description = text,
        .duration_min = duration,
        .is_exempt = "f",
    };
    if (agenda_store_item_insert(call->db, m->id, (int)m->n_items + 1, &fields, 0, NULL) != 0 ||
        (m->state == SAMHAND__V1__MEETING__STATE__NOTICE_PUBLISHED &&
         agenda_store_change_add(call->db, m->id, "Ny sak: Oppfølging av tiltak") != 0)) {
        bus_call_fail_db(call, "add follow-up");
        goto done;
    }
    rc = 0;
done:
    free(text);
    if (list)
        protobuf_c_message_free_unpacked(&list->base, NULL);
    protobuf_c_message_free_unpacked(&m->base, NULL);
    return rc != 0
               ? -1
               : agenda_meeting_commit(call, req->meeting_id, "no.samhand.meeting.agenda_changed");
}
