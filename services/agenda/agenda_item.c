/* Agenda items of a meeting: added, changed, moved and removed while the
 * meeting is a draft or noticed. After a notice every change is recorded
 * for the supplementary notice, and a numbered case is withdrawn, never
 * deleted: its number stays given. */
#include "agenda_checks.h"
#include "agenda_meeting.h"
#include "agenda_server.h"
#include "samhand_check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TITLE_MAX_CHARS 300
#define DESCRIPTION_MAX_CHARS 20000
#define PRESENTER_MAX_CHARS 200
#define PRESENTERS_MAX 20
#define BASIS_MAX_CHARS 200
#define DURATION_MAX_MIN 1440

static int s_check_presenters(bus_call_t *call, char **presenters, size_t n)
{
    if (n > PRESENTERS_MAX)
        return bus_call_fail(call, BUS_INVALID_ARGUMENT, "presenters",
                             "presenters holds at most %d names", PRESENTERS_MAX);
    for (size_t i = 0; i < n; i++) {
        char field[32];
        snprintf(field, sizeof field, "presenters[%zu]", i);
        if (agenda_check_required(call, field, presenters[i], PRESENTER_MAX_CHARS) != 0)
            return -1;
    }
    return 0;
}

static int s_check_duration(bus_call_t *call, int minutes)
{
    if (minutes < 0 || minutes > DURATION_MAX_MIN)
        return bus_call_fail(call, BUS_INVALID_ARGUMENT, "duration_min",
                             "duration_min must be from 0 to %d", DURATION_MAX_MIN);
    return 0;
}

/* An exempt item needs what the public reads in its place. */
static int s_check_public_title(bus_call_t *call, bool exempt, const char *public_title)
{
    if (exempt && check_empty(public_title))
        return bus_call_fail(call, BUS_INVALID_ARGUMENT, "public_title",
                             "public_title (what the public reads in place of the title, e.g. "
                             "Sak om tilsetting) is required for an item exempt from public "
                             "access");
    return 0;
}

static bool s_noticed(const Samhand__V1__Meeting *m)
{
    return m->state == SAMHAND__V1__MEETING__STATE__NOTICE_PUBLISHED;
}

/* Loads the meeting for a change of its agenda; 0 or -1 after failing. */
static int s_open(bus_call_t *call, const char *meeting_id, Samhand__V1__Meeting **out)
{
    if (db_begin(call->db) != 0)
        return bus_call_fail_db(call, "change agenda");
    /* the agenda is part of the meeting: the meeting's version guards it */
    if (bus_call_check_version(call, "meetings", meeting_id) != 0 ||
        agenda_meeting_load(call, meeting_id, true, out) != 0)
        return -1;
    int state = (*out)->state;
    if (state != SAMHAND__V1__MEETING__STATE__DRAFT &&
        state != SAMHAND__V1__MEETING__STATE__NOTICE_PUBLISHED) {
        protobuf_c_message_free_unpacked(&(*out)->base, NULL);
        *out = NULL;
        return bus_call_fail(call, BUS_FAILED_PRECONDITION, "state",
                             "the agenda of a meeting that is held or cancelled cannot change");
    }
    return 0;
}

static Samhand__V1__AgendaItem *s_find(Samhand__V1__Meeting *m, const char *item_id)
{
    for (size_t i = 0; i < m->n_items; i++)
        if (strcmp(m->items[i]->id, item_id) == 0)
            return m->items[i];
    return NULL;
}

/* Records a change for the next supplementary notice, in the words the
 * notice prints: "Ny sak: …", "Endret: 4/23 …"; the public's words name an
 * exempt item by its public title, if it has one. */
static int s_record(bus_call_t *call, const char *meeting_id, const char *what, const char *item_id,
                    const char *case_number, bool exempt, const char *title,
                    const char *public_title)
{
    char text[512], public_text[512];
    const char *number = case_number ? case_number : "";
    snprintf(text, sizeof text, "%s: %s%s%s", what, number, number[0] ? " " : "", title);
    check_utf8_cut(text); /* a long title is cut at a character, not a byte */
    bool named = public_title && public_title[0];
    snprintf(public_text, sizeof public_text, "%s: %s%s%s%s(unntatt offentlighet)", what, number,
             number[0] ? " " : "", named ? public_title : "", named ? " " : "");
    check_utf8_cut(public_text);
    if (agenda_store_change_add_item(call->db, meeting_id, item_id, exempt, text, public_text) != 0)
        return bus_call_fail_db(call, "record the change");
    return 0;
}

int agenda_item_add(bus_call_t *call)
{
    const Samhand__V1__AddAgendaItemRequest *req = (const void *)call->request;
    bool bad = false;
    const char *kind = agenda_enum_name(call, "kind", &samhand__v1__agenda_item__kind__descriptor,
                                        req->kind, &bad);
    if (bad)
        return -1;
    if (!kind)
        return bus_call_fail(call, BUS_INVALID_ARGUMENT, "kind", "kind is required");
    if (agenda_check_required(call, "title", req->title, TITLE_MAX_CHARS) != 0 ||
        agenda_check_optional(call, "description", req->description, DESCRIPTION_MAX_CHARS) != 0 ||
        s_check_presenters(call, req->presenters, req->n_presenters) != 0 ||
        s_check_duration(call, req->duration_min) != 0 ||
        agenda_check_optional(call, "exemption_basis", req->exemption_basis, BASIS_MAX_CHARS) !=
            0 ||
        agenda_check_optional(call, "public_title", req->public_title, TITLE_MAX_CHARS) != 0)
        return -1;
    if (req->is_exempt && check_empty(req->exemption_basis))
        return bus_call_fail(call, BUS_INVALID_ARGUMENT, "exemption_basis",
                             "exemption_basis (the legal basis, e.g. offl. § 13) is required "
                             "for an item exempt from public access");
    if (s_check_public_title(call, req->is_exempt, req->public_title) != 0)
        return -1;

    Samhand__V1__Meeting *m = NULL;
    if (s_open(call, req->meeting_id, &m) != 0)
        return -1;
    int rc = -1;
    int last = (int)m->n_items + 1;
    if (req->position < 0 || req->position > last) {
        bus_call_fail(call, BUS_INVALID_ARGUMENT, "position",
                      "position must be from 1 to %d, or 0 for the end", last);
        goto done;
    }
    char duration[16];
    snprintf(duration, sizeof duration, "%d", req->duration_min);
    agenda_item_fields_t fields = {
        .kind = kind,
        .title = req->title,
        .description = req->description,
        .exemption_basis = req->exemption_basis,
        .public_title = req->public_title,
        .presenters = req->presenters,
        .n_presenters = req->n_presenters,
        .duration_min = duration,
        .is_exempt = req->is_exempt ? "t" : "f",
    };
    /* a case keeps its identity: continue the one given, or start one */
    char case_id[40] = "";
    if (!check_empty(req->case_id)) {
        int exists =
            check_uuid(req->case_id) ? agenda_store_case_exists(call->db, req->case_id) : 0;
        if (exists < 0) {
            bus_call_fail_db(call, "read case");
            goto done;
        }
        if (!exists) {
            bus_call_fail(call, BUS_INVALID_ARGUMENT, "case_id", "case %s does not exist",
                          req->case_id);
            goto done;
        }
        snprintf(case_id, sizeof case_id, "%s", req->case_id);
    } else if ((req->kind == SAMHAND__V1__AGENDA_ITEM__KIND__CASE ||
                req->kind == SAMHAND__V1__AGENDA_ITEM__KIND__ORIENTATION) &&
               agenda_store_case_insert(call->db, req->title, m->id, case_id) != 0) {
        bus_call_fail_db(call, "start case");
        goto done;
    }
    if (agenda_store_item_insert(call->db, m->id, req->position ? req->position : last, &fields, 0,
                                 case_id[0] ? case_id : NULL) != 0) {
        bus_call_fail_db(call, "add agenda item");
        goto done;
    }
    char item_id[40];
    if (s_noticed(m) && (agenda_store_last_item_id(
                             call->db, m->id, req->position ? req->position : last, item_id) != 0 ||
                         s_record(call, m->id, "Ny sak", item_id, NULL, req->is_exempt, req->title,
                                  req->public_title) != 0))
        goto done;
    rc = 0;
done:
    protobuf_c_message_free_unpacked(&m->base, NULL);
    return rc != 0
               ? -1
               : agenda_meeting_commit(call, req->meeting_id, "no.samhand.meeting.agenda_changed");
}

int agenda_item_update(bus_call_t *call)
{
    const Samhand__V1__UpdateAgendaItemRequest *req = (const void *)call->request;
    static const char *const allowed[] = {
        "kind",      "title",           "description", "presenters",   "duration_min",
        "is_exempt", "exemption_basis", "position",    "public_title", NULL};
    char **mask = req->update_mask;
    size_t n = req->n_update_mask;
    bool bad = false;
    if (agenda_check_mask(call, mask, n, allowed) != 0)
        return -1;
    Samhand__V1__Meeting *m = NULL;
    if (s_open(call, req->meeting_id, &m) != 0)
        return -1;
    int rc = -1;
    Samhand__V1__AgendaItem *item = check_uuid(req->item_id) ? s_find(m, req->item_id) : NULL;
    agenda_item_fields_t fields = {0};
    char duration[16];
    if (!item) {
        bus_call_fail(call, BUS_NOT_FOUND, "item_id", "agenda item %s is not on this meeting",
                      req->item_id);
        goto done;
    }
    if (item->is_withdrawn) {
        bus_call_fail(call, BUS_FAILED_PRECONDITION, "item_id",
                      "agenda item %s was withdrawn and cannot change", req->item_id);
        goto done;
    }
    if (agenda_masked(mask, n, "kind")) {
        fields.kind = agenda_enum_name(call, "kind", &samhand__v1__agenda_item__kind__descriptor,
                                       req->kind, &bad);
        if (bad)
            goto done;
        if (!fields.kind) {
            bus_call_fail(call, BUS_INVALID_ARGUMENT, "kind", "kind cannot be unspecified");
            goto done;
        }
        if (item->case_number[0] && req->kind == SAMHAND__V1__AGENDA_ITEM__KIND__BREAK) {
            bus_call_fail(call, BUS_INVALID_ARGUMENT, "kind",
                          "case %s has a number and cannot become a break", item->case_number);
            goto done;
        }
    }
    if (agenda_masked(mask, n, "title")) {
        if (agenda_check_required(call, "title", req->title, TITLE_MAX_CHARS) != 0)
            goto done;
        fields.title = req->title;
    }
    if (agenda_masked(mask, n, "description")) {
        if (agenda_check_optional(call, "description", req->description, DESCRIPTION_MAX_CHARS) !=
            0)
            goto done;
        fields.description = req->description;
    }
    if (agenda_masked(mask, n, "presenters")) {
        if (s_check_presenters(call, req->presenters, req->n_presenters) != 0)
            goto done;
        fields.presenters = req->presenters;
        fields.n_presenters = req->n_presenters;
        fields.set_presenters = 1;
    }
    if (agenda_masked(mask, n, "duration_min")) {
        if (s_check_duration(call, req->duration_min) != 0)
            goto done;
        snprintf(duration, sizeof duration, "%d", req->duration_min);
        fields.duration_min = duration;
    }
    if (agenda_masked(mask, n, "exemption_basis")) {
        if (agenda_check_optional(call, "exemption_basis", req->exemption_basis, BASIS_MAX_CHARS) !=
            0)
            goto done;
        fields.exemption_basis = req->exemption_basis;
    }
    if (agenda_masked(mask, n, "public_title")) {
        if (agenda_check_optional(call, "public_title", req->public_title, TITLE_MAX_CHARS) != 0)
            goto done;
        fields.public_title = req->public_title;
    }
    bool exempt = item->is_exempt;
    if (agenda_masked(mask, n, "is_exempt")) {
        exempt = req->is_exempt;
        fields.is_exempt = exempt ? "t" : "f";
    }
    const char *basis = fields.exemption_basis ? fields.exemption_basis : item->exemption_basis;
    if (exempt && check_empty(basis)) {
        bus_call_fail(call, BUS_INVALID_ARGUMENT, "exemption_basis",
                      "exemption_basis (the legal basis, e.g. offl. § 13) is required for an "
                      "item exempt from public access");
        goto done;
    }
    /* made or kept exempt: its public title is needed; an item exempt
     * before public titles may still move or change its minutes without */
    const char *public_title = fields.public_title ? fields.public_title : item->public_title;
    bool legacy = item->is_exempt && check_empty(item->public_title) && !fields.public_title &&
                  !fields.is_exempt && !fields.title;
    if (!legacy && s_check_public_title(call, exempt, public_title) != 0)
        goto done;
    if (agenda_masked(mask, n, "position") &&
        (req->position < 1 || req->position > (int)m->n_items)) {
        bus_call_fail(call, BUS_INVALID_ARGUMENT, "position", "position must be from 1 to %zu",
                      m->n_items);
        goto done;
    }

    if (agenda_store_item_update(call->db, item->id, &fields) != 0 ||
        (agenda_masked(mask, n, "position") && req->position != item->position &&
         agenda_store_item_move(call->db, m->id, item->position, req->position) < 0)) {
        bus_call_fail_db(call, "change agenda item");
        goto done;
    }
    /* exempt before or after: the title is not for the public either way */
    if (s_noticed(m) &&
        s_record(call, m->id, "Endret", item->id, item->case_number, item->is_exempt || exempt,
                 fields.title ? fields.title : item->title, public_title) != 0)
        goto done;
    rc = 0;
done:
    protobuf_c_message_free_unpacked(&m->base, NULL);
    return rc != 0
               ? -1
               : agenda_meeting_commit(call, req->meeting_id, "no.samhand.meeting.agenda_changed");
}

int agenda_item_delete(bus_call_t *call)
{
    const Samhand__V1__DeleteAgendaItemRequest *req = (const void *)call->request;
    Samhand__V1__Meeting *m = NULL;
    if (s_open(call, req->meeting_id, &m) != 0)
        return -1;
    int rc = -1;
    Samhand__V1__AgendaItem *item = check_uuid(req->item_id) ? s_find(m, req->item_id) : NULL;
    if (!item || item->is_withdrawn) {
        bus_call_fail(call, BUS_NOT_FOUND, "item_id", "agenda item %s is not on this meeting",
                      req->item_id);
        goto done;
    }
    if (item->case_number[0]) {
        /* a number once given stays: the case is withdrawn, not removed */
        if (agenda_store_item_withdraw(call->db, item->id) != 0) {
            bus_call_fail_db(call, "withdraw agenda item");
            goto done;
        }
        if (s_record(call, m->id, "Trukket", item->id, item->case_number, item->is_exempt,
                     item->title, item->public_title) != 0)
            goto done;
    } else {
        if (agenda_store_item_delete(call->db, m->id, item->id, item->position) != 0) {
            bus_call_fail_db(call, "remove agenda item");
            goto done;
        }
        if (s_noticed(m) && s_record(call, m->id, "Fjernet", item->id, item->case_number,
                                     item->is_exempt, item->title, item->public_title) != 0)
            goto done;
    }
    rc = 0;
done:
    protobuf_c_message_free_unpacked(&m->base, NULL);
    return rc != 0
               ? -1
               : agenda_meeting_commit(call, req->meeting_id, "no.samhand.meeting.agenda_changed");
}
