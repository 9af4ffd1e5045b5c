/* SQL of proposals; see agenda_store.h for the contract. */
#include "agenda_store_sql.h"
#include "samhand_rows.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* whether its item is exempt, when the meeting it was placed on starts */
#define PROPOSAL_PLACED                                                                            \
    ITEM_EXEMPT("proposals")                                                                       \
    ", " ROWS_TIMESTAMP_US(MEETING_NOTICED_START("proposals"))

/* the public title of the exempt item it was placed as */
#define PROPOSAL_PUBLIC_TITLE ITEM_PUBLIC_TITLE("proposals")

#define PROPOSAL_COLUMNS                                                                           \
    "id, committee_id, title, description, submitter_name, submitter_email, "                      \
    "coalesce(organization_id::text, ''), state, coalesce(meeting_id::text, ''), "                 \
    "coalesce(item_id::text, ''), decline_reason, " ROWS_TIMESTAMP_US(                             \
        "created_at") ", " ROWS_TIMESTAMP_US("decided_at") ", " PROPOSAL_PLACED                    \
                                                           ", " PROPOSAL_PUBLIC_TITLE              \
                                                           ", coalesce((SELECT "                   \
                                                           "d.deviation_id::text FROM "            \
                                                           "deviation_disputes d "                 \
                                                           "WHERE d.proposal_id = proposals.id), " \
                                                           "''), row_seq" /* the cursor last, as   \
                                                                             rows_list reads it */

/* Whom a proposal is answered to beside the committees' readers: the
 * principal that sent it in, and the organisation it was sent for. */
#define PROPOSAL_FOLLOWED_BY(subject, organization)                                                \
    "(" subject "::text IS NULL OR (submitted_by = " subject " AND " subject " <> '') OR "         \
    "organization_id = " organization "::uuid)"

static ProtobufCMessage *s_proposal(const PGresult *res, int row)
{
    Samhand__V1__Proposal *p = malloc(sizeof *p);
    assert(p);
    samhand__v1__proposal__init(p);
    p->id = rows_text(res, row, 0);
    p->committee_id = rows_text(res, row, 1);
    p->title = rows_text(res, row, 2);
    p->description = rows_text(res, row, 3);
    p->submitter_name = rows_text(res, row, 4);
    p->submitter_email = rows_text(res, row, 5);
    p->organization_id = rows_text(res, row, 6);
    p->state = rows_enum(&samhand__v1__proposal__state__descriptor, res, row, 7);
    p->meeting_id = rows_text(res, row, 8);
    p->item_id = rows_text(res, row, 9);
    p->decline_reason = rows_text(res, row, 10);
    p->create_time = rows_timestamp_us(res, row, 11);
    if (!PQgetisnull(res, row, 12))
        p->decide_time = rows_timestamp_us(res, row, 12);
    p->is_exempt = PQgetvalue(res, row, 13)[0] == 't';
    if (!PQgetisnull(res, row, 14))
        p->meeting_start_time = rows_timestamp_us(res, row, 14);
    p->public_title = rows_text(res, row, 15);
    p->deviation_id = rows_text(res, row, 16);
    return &p->base;
}

int agenda_store_proposal_insert(db_t *db, const Samhand__V1__CreateProposalRequest *req,
                                 const char *submitted_by, Samhand__V1__Proposal **out)
{
    const char *params[] = {
        req->committee_id,    req->title,
        req->description,     req->submitter_name,
        req->submitter_email, req->organization_id[0] ? req->organization_id : NULL,
        submitted_by};
    return rows_one(db,
                    "INSERT INTO proposals (committee_id, title, description, submitter_name, "
                    "submitter_email, organization_id, submitted_by) VALUES ($1, $2, $3, $4, $5, "
                    "$6::uuid, $7) RETURNING " PROPOSAL_COLUMNS,
                    7, params, s_proposal, (ProtobufCMessage **)out);
}

int agenda_store_proposal_get(db_t *db, const char *id, bool lock, Samhand__V1__Proposal **out)
{
    const char *params[] = {id};
    return rows_one(db,
                    lock ? "SELECT " PROPOSAL_COLUMNS " FROM proposals WHERE id = $1 FOR UPDATE"
                         : "SELECT " PROPOSAL_COLUMNS " FROM proposals WHERE id = $1",
                    1, params, s_proposal, (ProtobufCMessage **)out);
}

int agenda_store_proposal_get_followed(db_t *db, const char *id,
                                       const agenda_proposal_follower_t *follower,
                                       Samhand__V1__Proposal **out)
{
    const char *params[] = {id, follower ? follower->subject : NULL,
                            follower ? follower->organization_id : NULL};
    return rows_one(db,
                    "SELECT " PROPOSAL_COLUMNS
                    " FROM proposals WHERE id = $1 AND " PROPOSAL_FOLLOWED_BY("$2", "$3"),
                    3, params, s_proposal, (ProtobufCMessage **)out);
}

int agenda_store_proposal_decide(db_t *db, const char *id, const char *state,
                                 const char *meeting_id, const char *item_id, const char *reason)
{
    const char *params[] = {id, state, meeting_id, item_id, reason};
    return rows_exec(db,
                     "UPDATE proposals SET state = $2, meeting_id = $3::uuid, item_id = $4::uuid, "
                     "decline_reason = coalesce($5, ''), decided_at = now() WHERE id = $1",
                     5, params);
}

int agenda_store_proposal_list(db_t *db, agenda_page_t page, const char *committee_id,
                               const char *state, const agenda_proposal_follower_t *follower,
                               Samhand__V1__ListProposalsResponse **out)
{
    char after[24], limit[16];
    rows_page_params(page.after, page.limit, after, limit);
    const char *params[] = {after,
                            limit,
                            committee_id,
                            state,
                            follower ? follower->subject : NULL,
                            follower ? follower->organization_id : NULL};
    return rows_list(db,
                     "SELECT " PROPOSAL_COLUMNS " FROM proposals WHERE row_seq > $1"
                     " AND committee_id = $3 AND ($4::text IS NULL OR state = $4)"
                     " AND " PROPOSAL_FOLLOWED_BY("$5", "$6") " ORDER BY row_seq LIMIT $2",
                     6, params, s_proposal, page.limit,
                     &samhand__v1__list_proposals_response__descriptor, (ProtobufCMessage **)out);
}

int agenda_store_last_item_id(db_t *db, const char *meeting_id, int position, char id[40])
{
    char pos[16];
    snprintf(pos, sizeof pos, "%d", position);
    const char *params[] = {meeting_id, pos};
    PGresult *res = db_query(
        db, "SELECT id FROM agenda_items WHERE meeting_id = $1 AND position = $2", 2, params);
    if (!res)
        return -1;
    int found = PQntuples(res) > 0;
    if (found)
        snprintf(id, 40, "%s", PQgetvalue(res, 0, 0));
    PQclear(res);
    return found ? 0 : 1;
}
