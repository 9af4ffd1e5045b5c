/* Proposals: cases submitted to a committee by anyone with access (innmeldt
 * sak), for their own organisation, placed on an agenda or declined with a
 * reason by the secretary. Those who read the committees' work see every
 * proposal; anyone else follows the ones they sent in or that were sent for
 * their organisation, and nothing of the others, not even that they exist.
 * The submitter learns of the decision through the event (and notify's
 * mail). */
#include "agenda_checks.h"
#include "agenda_meeting.h"
#include "agenda_scope.h"
#include "agenda_server.h"
#include "samhand_check.h"
#include "samhand_visibility.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TITLE_MAX_CHARS 300
#define DESCRIPTION_MAX_CHARS 20000
#define NAME_MAX_CHARS 200
#define REASON_MAX_CHARS 2000

static int s_not_found(bus_call_t *call, const char *id)
{
    return bus_call_fail(call, BUS_NOT_FOUND, "id", "proposal %s does not exist", id);
}

/* What someone without a standing in the committee sees of a proposal
 * placed on an item now exempt: who sent it in and where it went, not what
 * it is about. */
static void s_hide_exempt(Samhand__V1__Proposal *p)
{
    char title[2048];
    snprintf(title, sizeof title, "%s%s", p->public_title,
             p->public_title[0] ? " (unntatt offentlighet)" : "Unntatt offentlighet");
    agenda_text_replace(&p->title, title);
    agenda_text_replace(&p->description, "");
}

/* Whom the caller follows proposals as: NULL for the roles that read every
 * proposal (those the visibility table gives a proposal's events to), else
 * the caller's own principal and organisation. */
static const agenda_proposal_follower_t *s_follower(bus_call_t *call,
                                                    agenda_proposal_follower_t *follower)
{
    if (bus_call_has_role(call, visibility_event("no.samhand.proposal.")->roles))
        return NULL;
    const Samhand__V1__Principal *who = call->envelope->principal;
    follower->subject = agenda_caller_known(call) ? who->subject : "";
    follower->organization_id =
        who && check_uuid(who->organization_id) ? who->organization_id : NULL;
    return follower;
}

/* One sends a case in for one's own organisation (none given: that one);
 * administrators and the secretariat for any, or for none. */
static int s_on_behalf_of(bus_call_t *call, const char *requested, const char **organization_id)
{
    static const char *const anyone[] = {"administrator", "secretariat", NULL};
    const Samhand__V1__Principal *who = call->envelope->principal;
    const char *own = who && check_uuid(who->organization_id) ? who->organization_id : NULL;
    bool is_any = bus_call_has_role(call, anyone);
    if (check_empty(requested)) {
        *organization_id = is_any ? NULL : own;
        return 0;
    }
    if (!is_any && !(own && strcmp(requested, own) == 0))
        return bus_call_fail(call, BUS_PERMISSION_DENIED, "organization_id",
                             "you can submit a proposal only for your own organization");
    *organization_id = requested;
    return 0;
}

static void s_as_seen(bus_call_t *call, Samhand__V1__Proposal *p)
{
    if (p->is_exempt && !agenda_caller_sees_exempt(call, p->committee_id))
        s_hide_exempt(p);
}

/* Commits with the event and replies with the proposal as it is now. */
static int s_commit(bus_call_t *call, const char *id, const char *type)
{
    Samhand__V1__Proposal *p = NULL;
    if (agenda_store_proposal_get(call->db, id, false, &p) != 0) {
        db_rollback(call->db);
        return bus_call_fail_db(call, "read proposal");
    }
    /* events carry the proposal as it was at the change: it is placed on
     * an item that is public then; an item made exempt since hides it in
     * reads (s_as_seen), not in the events that went out before */
    return agenda_commit(call, type, p->id, p->organization_id[0] ? p->organization_id : NULL,
                         p->committee_id, &p->base);
}

int agenda_proposal_create(bus_call_t *call)
{
    const Samhand__V1__CreateProposalRequest *req = (const void *)call->request;
    if (agenda_check_required(call, "title", req->title, TITLE_MAX_CHARS) != 0 ||
        agenda_check_optional(call, "description", req->description, DESCRIPTION_MAX_CHARS) != 0 ||
        agenda_check_required(call, "submitter_name", req->submitter_name, NAME_MAX_CHARS) != 0 ||
        agenda_check_ref(call, "organization_id", req->organization_id, false) != 0)
        return -1;
    if (!check_empty(req->submitter_email) && !check_email(req->submitter_email))
        return bus_call_fail(call, BUS_INVALID_ARGUMENT, "submitter_email",
                             "submitter_email must be an e-mail address like name@example.no");
    if (!check_uuid(req->committee_id))
        return bus_call_fail(call, BUS_NOT_FOUND, "committee_id", "committee %s does not exist",
                             req->committee_id);
    const char *organization_id = NULL;
    if (s_on_behalf_of(call, req->organization_id, &organization_id) != 0)
        return -1;
    Samhand__V1__CreateProposalRequest fields = *req;
    fields.organization_id = (char *)(organization_id ? organization_id : "");
    const Samhand__V1__Principal *who = call->envelope->principal;
    Samhand__V1__Proposal *p = NULL;
    if (db_begin(call->db) != 0)
        return bus_call_fail_db(call, "submit proposal");
    if (agenda_store_proposal_insert(call->db, &fields, who && who->subject ? who->subject : "",
                                     &p) != 0) {
        if (strcmp(db_sqlstate(call->db), "23503") == 0) {
            if (strstr(db_error(call->db), "committee"))
                return bus_call_fail(call, BUS_NOT_FOUND, "committee_id",
                                     "committee %s does not exist", req->committee_id);
            return bus_call_fail(call, BUS_INVALID_ARGUMENT, "organization_id",
                                 "organization %s does not exist", fields.organization_id);
        }
        return bus_call_fail_db(call, "submit proposal");
    }
    char id[40];
    snprintf(id, sizeof id, "%s", p->id);
    protobuf_c_message_free_unpacked(&p->base, NULL);
    return s_commit(call, id, "no.samhand.proposal.submitted");
}

int agenda_proposal_get(bus_call_t *call)
{
    const Samhand__V1__GetProposalRequest *req = (const void *)call->request;
    agenda_proposal_follower_t follower;
    Samhand__V1__Proposal *p = NULL;
    int rc =
        check_uuid(req->id)
            ? agenda_store_proposal_get_followed(call->db, req->id, s_follower(call, &follower), &p)
            : 1;
    if (rc < 0)
        return bus_call_fail_db(call, "read proposal");
    if (rc > 0) /* one the caller does not follow: as if there were none */
        return s_not_found(call, req->id);
    s_as_seen(call, p);
    bus_call_reply_free(call, &p->base);
    return 0;
}

int agenda_proposal_list(bus_call_t *call)
{
    const Samhand__V1__ListProposalsRequest *req = (const void *)call->request;
    agenda_page_t page;
    bool bad = false;
    if (agenda_page(call, req->limit, req->cursor, &page) != 0)
        return -1;
    if (!check_uuid(req->committee_id))
        return bus_call_fail(call, BUS_NOT_FOUND, "committee_id", "committee %s does not exist",
                             req->committee_id);
    const char *state = agenda_enum_name(call, "state", &samhand__v1__proposal__state__descriptor,
                                         req->state, &bad);
    if (bad)
        return -1;
    agenda_proposal_follower_t follower;
    Samhand__V1__ListProposalsResponse *list = NULL;
    if (agenda_store_proposal_list(call->db, page, req->committee_id, state,
                                   s_follower(call, &follower), &list) != 0)
        return bus_call_fail_db(call, "list proposals");
    for (size_t i = 0; i < list->n_items; i++)
        s_as_seen(call, list->items[i]);
    bus_call_reply_free(call, &list->base);
    return 0;
}

/* Loads a proposal still waiting for a decision; 0 or -1 after failing. */
static int s_open(bus_call_t *call, const char *id, Samhand__V1__Proposal **p)
{
    if (!check_uuid(id))
        return s_not_found(call, id);
    if (db_begin(call->db) != 0)
        return bus_call_fail_db(call, "decide proposal");
    int rc = agenda_store_proposal_get(call->db, id, true, p);
    if (rc < 0)
        return bus_call_fail_db(call, "read proposal");
    if (rc > 0)
        return s_not_found(call, id);
    if (agenda_scope_check(call, (*p)->committee_id) != 0) {
        protobuf_c_message_free_unpacked(&(*p)->base, NULL);
        *p = NULL;
        return -1;
    }
    if ((*p)->state != SAMHAND__V1__PROPOSAL__STATE__SUBMITTED) {
        bool accepted = (*p)->state == SAMHAND__V1__PROPOSAL__STATE__ACCEPTED;
        protobuf_c_message_free_unpacked(&(*p)->base, NULL);
        *p = NULL;
        return bus_call_fail(call, BUS_FAILED_PRECONDITION, "state", "the proposal was %s already",
                             accepted ? "accepted" : "declined");
    }
    return 0;
}

int agenda_proposal_accept(bus_call_t *call)
{
    const Samhand__V1__AcceptProposalRequest *req = (const void *)call->request;
    if (req->duration_min < 0 || req->duration_min > 1440)
        return bus_call_fail(call, BUS_INVALID_ARGUMENT, "duration_min",
                             "duration_min must be from 0 to 1440");
    if (agenda_check_ref(call, "meeting_id", req->meeting_id, true) != 0)
        return -1;
    Samhand__V1__Proposal *p = NULL;
    Samhand__V1__Meeting *m = NULL;
    if (s_open(call, req->id, &p) != 0)
        return -1;
    int rc = -1;
    if (agenda_meeting_load(call, req->meeting_id, true, &m) != 0) {
        snprintf(call->field, sizeof call->field, "meeting_id");
        goto done;
    }
    if (strcmp(m->committee_id, p->committee_id) != 0) {
        bus_call_fail(call, BUS_INVALID_ARGUMENT, "meeting_id",
                      "the meeting belongs to another committee than the proposal");
        goto done;
    }
    if (m->state != SAMHAND__V1__MEETING__STATE__DRAFT &&
        m->state != SAMHAND__V1__MEETING__STATE__NOTICE_PUBLISHED) {
        bus_call_fail(call, BUS_FAILED_PRECONDITION, "meeting_id",
                      "the agenda of a meeting that is held or cancelled cannot change");
        goto done;
    }
    int last = (int)m->n_items + 1;
    if (req->position < 0 || req->position > last) {
        bus_call_fail(call, BUS_INVALID_ARGUMENT, "position",
                      "position must be from 1 to %d, or 0 for the end", last);
        goto done;
    }
    int position = req->position ? req->position : last;
    char case_id[40], item_id[40], duration[16], description[21000];
    snprintf(duration, sizeof duration, "%d", req->duration_min ? req->duration_min : 10);
    /* the agenda shows who brought the case in */
    snprintf(description, sizeof description, "Innmeldt sak fra %s.%s%s", p->submitter_name,
             p->description[0] ? "\n" : "", p->description);
    agenda_item_fields_t fields = {
        .kind = "CASE",
        .title = p->title,
        .description = description,
        .duration_min = duration,
        .is_exempt = "f",
    };
    if (agenda_store_case_insert(call->db, p->title, m->id, case_id) != 0 ||
        agenda_store_item_insert(call->db, m->id, position, &fields, 0, case_id) != 0 ||
        agenda_store_last_item_id(call->db, m->id, position, item_id) != 0 ||
        agenda_store_proposal_decide(call->db, p->id, "ACCEPTED", m->id, item_id, NULL) != 0) {
        bus_call_fail_db(call, "accept proposal");
        goto done;
    }
    if (m->state == SAMHAND__V1__MEETING__STATE__NOTICE_PUBLISHED) {
        char text[400];
        snprintf(text, sizeof text, "Ny sak (innmeldt): %s", p->title);
        check_utf8_cut(text);
        if (agenda_store_change_add_item(call->db, m->id, item_id, false, text,
                                         "Ny sak (innmeldt): (unntatt offentlighet)") != 0) {
            bus_call_fail_db(call, "record the change");
            goto done;
        }
    }
    rc = 0;
done:
    if (m)
        protobuf_c_message_free_unpacked(&m->base, NULL);
    protobuf_c_message_free_unpacked(&p->base, NULL);
    return rc != 0 ? -1 : s_commit(call, req->id, "no.samhand.proposal.accepted");
}

int agenda_proposal_decline(bus_call_t *call)
{
    const Samhand__V1__DeclineProposalRequest *req = (const void *)call->request;
    if (agenda_check_required(call, "reason", req->reason, REASON_MAX_CHARS) != 0)
        return -1;
    Samhand__V1__Proposal *p = NULL;
    if (s_open(call, req->id, &p) != 0)
        return -1;
    protobuf_c_message_free_unpacked(&p->base, NULL);
    if (agenda_store_proposal_decide(call->db, req->id, "DECLINED", NULL, NULL, req->reason) != 0)
        return bus_call_fail_db(call, "decline proposal");
    return s_commit(call, req->id, "no.samhand.proposal.declined");
}
