/* Every SQL statement of the agenda service. Results come back as protobuf
 * messages allocated with malloc, which the caller frees with
 * protobuf_c_message_free_unpacked(&msg->base, NULL); a PGresult never
 * leaves this file. Functions return 0 on success, 1 when the row (or a row
 * it depends on) does not exist, -1 on a database error (see db_error). */
#ifndef AGENDA_STORE_H
#define AGENDA_STORE_H

#include "samhand/v1/agenda.pb-c.h"
#include "samhand_db.h"

#include <stdbool.h>

/* A page request: rows after the cursor's position, at most `limit`. */
typedef struct {
    int64_t after;
    int limit;
} agenda_page_t;

/* Who reads, for the queries that ask agenda_caller_standing of many
 * committees at once: administrators run every committee, a secretariat
 * or secretary those its organisation is the secretariat of, and the
 * principal (by subject) those of its memberships today. */
typedef struct {
    bool is_administrator;
    const char *staff_organization_id; /* NULL when not of a secretariat */
    const char *subject;               /* "" without a credential */
} agenda_reader_t;

int agenda_store_organization_insert(db_t *db, const char *name, const char *number,
                                     const char *kind, const char *contact_email,
                                     const char *review_email, Samhand__V1__Organization **out);
int agenda_store_organization_get(db_t *db, const char *id, Samhand__V1__Organization **out);
/* NULL arguments keep the stored value. */
/* NULL leaves a field as it is; contact_email "" removes the address */
/* NULL leaves a field as it is; "" removes an address. */
int agenda_store_organization_update(db_t *db, const char *id, const char *name, const char *kind,
                                     const char *contact_email, const char *review_email,
                                     Samhand__V1__Organization **out);
int agenda_store_organization_list(db_t *db, agenda_page_t page, const char *kind, const char *q,
                                   const char *number,
                                   Samhand__V1__ListOrganizationsResponse **out);

int agenda_store_person_insert(db_t *db, const char *name, const char *title,
                               const char *organization_id, const char *email,
                               const char *principal_subject, Samhand__V1__Person **out);
int agenda_store_person_get(db_t *db, const char *id, Samhand__V1__Person **out);
int agenda_store_person_update(db_t *db, const char *id, const char *name, const char *title,
                               const char *organization_id, const char *email,
                               const char *principal_subject, Samhand__V1__Person **out);
/* The name of the person who signs in as `subject` into *name (the caller
 * frees), or NULL when none: 0, or -1 on error. */
int agenda_store_person_name_of(db_t *db, const char *subject, char **name);
/* 1 when the organisation runs a committee the person has a membership of
 * today, 0 when not, -1 on error. */
int agenda_store_person_kept_by(db_t *db, const char *person_id, const char *organization_id);
int agenda_store_person_list(db_t *db, agenda_page_t page, const char *organization_id,
                             const char *q, Samhand__V1__ListPersonsResponse **out);

typedef struct {
    const char *name, *short_name, *kind, *parent_id, *mandate, *case_number_format;
    const char *secretariat_organization_id;
    const char *notice_period_days; /* decimal text */
    int clear_parent;               /* update only: set parent to none */
    /* the numbering practice, "t" or "f"; NULL: the default (insert) or unchanged */
    const char *numbers_any_other_business, *numbers_orientations, *carried_case_keeps_number;
} agenda_committee_fields_t;

int agenda_store_committee_insert(db_t *db, const agenda_committee_fields_t *fields,
                                  Samhand__V1__Committee **out);
int agenda_store_committee_get(db_t *db, const char *id, Samhand__V1__Committee **out);
int agenda_store_committee_update(db_t *db, const char *id, const agenda_committee_fields_t *fields,
                                  Samhand__V1__Committee **out);
int agenda_store_committee_list(db_t *db, agenda_page_t page, const char *kind,
                                const char *parent_id, const char *q,
                                Samhand__V1__ListCommitteesResponse **out);
/* 1 when `ancestor` is `id` or above it in the reporting line, 0 when not, -1 on error. */
int agenda_store_committee_reports_to(db_t *db, const char *id, const char *ancestor);
/* Who stands in the committee, for agenda_caller_standing: the id of the
 * organisation that runs it into `secretariat` ("" when none), whether the
 * person who signs in as `subject` is today its secretary, chair or vice
 * chair (*runs) or a member in any role (*member). 0, 1 when the
 * committee does not exist, -1 on error. */
int agenda_store_committee_standing(db_t *db, const char *committee_id, const char *subject,
                                    char secretariat[40], bool *runs, bool *member);
/* Whether person `person_id` holds a membership of the committee today, in
 * any role (the standing of a member, for a document made for them): 1
 * or 0, -1 on error. */
int agenda_store_person_is_member(db_t *db, const char *committee_id, const char *person_id);
/* Of `person_ids` (n of them), those who hold a membership of meeting
 * `meeting_id`'s committee today, into `members` (the caller's array of n,
 * the strings borrowed from person_ids). Their number, or -1 on error. */
int agenda_store_members_of_meeting(db_t *db, const char *meeting_id, char *const *person_ids,
                                    size_t n, const char **members);

/* organization_id NULL: the person's own organisation. Returns 1 when the
 * person does not exist. */
int agenda_store_membership_insert(db_t *db, const char *committee_id, const char *person_id,
                                   const char *role, const char *organization_id,
                                   const char *term_from, const char *term_to,
                                   Samhand__V1__Membership **out);
int agenda_store_membership_get(db_t *db, const char *committee_id, const char *id,
                                Samhand__V1__Membership **out);
/* NULL keeps a value; clear_term_to makes the term open-ended. Returns 1
 * when no such membership is in the committee. */
int agenda_store_membership_update(db_t *db, const char *committee_id, const char *id,
                                   const char *role, const char *organization_id,
                                   const char *term_from, const char *term_to, int clear_term_to,
                                   Samhand__V1__Membership **out);
int agenda_store_membership_list(db_t *db, agenda_page_t page, const char *committee_id,
                                 const char *role, const char *active_on,
                                 Samhand__V1__ListMembershipsResponse **out);

/* ---------------------------------------------------------------- API keys */

/* Makes a key of the parties' systems and keeps only its SHA-256:
 * organization_id NULL for none, roles_json a JSON array of role names.
 * 0 with *out and *key (the key itself, shown once; the caller frees
 * both), or -1 (a foreign key violation, 23503, when the organisation does
 * not exist). */
int agenda_store_api_key_insert(db_t *db, const char *name, const char *organization_id,
                                const char *roles_json, const char *created_by,
                                Samhand__V1__ApiKey **out, char **key);
int agenda_store_api_key_get(db_t *db, const char *id, Samhand__V1__ApiKey **out);
int agenda_store_api_key_list(db_t *db, agenda_page_t page, Samhand__V1__ListApiKeysResponse **out);
/* Revokes a key in force: 1 when there is none (or it is revoked already). */
int agenda_store_api_key_revoke(db_t *db, const char *id, const char *revoked_by,
                                Samhand__V1__ApiKey **out);
/* The digests of the keys in force, for the gateway. */
int agenda_store_api_key_digests(db_t *db, agenda_page_t page,
                                 Samhand__V1__ListApiKeyDigestsResponse **out);

/* ---------------------------------------------------------------- meetings */

typedef struct {
    const char *committee_id, *kind, *title, *place, *online_url, *chair_person_id;
    const char *starts_at, *ends_at; /* seconds since the epoch, as text */
    int clear_chair;                 /* update only: no chair standing in */
} agenda_meeting_fields_t;

int agenda_store_meeting_insert(db_t *db, const agenda_meeting_fields_t *fields,
                                Samhand__V1__Meeting **out);
/* The meeting with its agenda items in order and its attendance (times
 * not yet filled in), and its notices' versions when asked, in one round
 * trip. `lock` takes the row for the rest of the transaction. */
int agenda_store_meeting_get(db_t *db, const char *id, bool lock, bool with_notice_versions,
                             Samhand__V1__Meeting **out);
/* NULL fields keep their values. */
int agenda_store_meeting_update(db_t *db, const char *id, const agenda_meeting_fields_t *fields);
/* from/to: seconds since the epoch as text, or NULL; drafts only when
 * `with_drafts` */
int agenda_store_meeting_list(db_t *db, agenda_page_t page, const char *committee_id,
                              const char *state, const char *from, const char *to, bool with_drafts,
                              const char *q, const agenda_reader_t *reader,
                              Samhand__V1__ListMeetingsResponse **out);
/* Marks the meeting changed now: a new version of it. */
int agenda_store_meeting_touch(db_t *db, const char *id);
int agenda_store_meeting_set_state(db_t *db, const char *id, const char *state,
                                   const char *cancel_reason);
/* Records a notice: state NOTICE_PUBLISHED, its version and time. */
int agenda_store_meeting_noticed(db_t *db, const char *id, int version);
/* Keeps notice `version` of a meeting as it went out. 0 or -1. */
int agenda_store_notice_keep(db_t *db, const char *meeting_id, int version,
                             const Samhand__V1__KeptNotice *notice);
/* Notice `version` as kept: 0 with *out (the caller frees), 1 when there is
 * no such notice, -1. */
int agenda_store_notice_get(db_t *db, const char *meeting_id, int version,
                            Samhand__V1__KeptNotice **out);
/* Whether notice `version` gives the meeting another start than the
 * notice before it: 1, 0 (the same, or no notice before), -1. */
int agenda_store_notice_moved(db_t *db, const char *meeting_id, int version);

typedef struct {
    const char *kind, *title, *description, *exemption_basis, *public_title;
    char **presenters;
    size_t n_presenters;
    int set_presenters;
    const char *duration_min, *is_exempt; /* text: "10", "t"/"f" */
} agenda_item_fields_t;

/* Inserts at `position` (1-based; items from there move down), treating
 * `case_id` (or none). */
int agenda_store_item_insert(db_t *db, const char *meeting_id, int position,
                             const agenda_item_fields_t *fields, int added_in_version,
                             const char *case_id);
int agenda_store_item_update(db_t *db, const char *item_id, const agenda_item_fields_t *fields);
/* Moves an item from one position to another, shifting those between. */
int agenda_store_item_move(db_t *db, const char *meeting_id, int from, int to);
/* Deletes the item at `position` and closes the gap. */
int agenda_store_item_delete(db_t *db, const char *meeting_id, const char *item_id, int position);
int agenda_store_item_withdraw(db_t *db, const char *item_id);
int agenda_store_item_numbered(db_t *db, const char *item_id, int year, int seq, const char *number,
                               int version);

/* Gives a carried item the number of the treatment it was carried from (a
 * postponed case that keeps its number): 0, 1 when that had none. */
int agenda_store_item_number_kept(db_t *db, const char *item_id, int version);

/* The committee-year's numbering into *out (the caller frees): 0, 1 when the
 * committee does not exist, -1 on error. With `lock`, the year's sequence is
 * locked for a change to the end of the transaction. */
int agenda_store_case_numbering_get(db_t *db, const char *committee_id, int year, bool lock,
                                    Samhand__V1__CaseNumbering **out);
/* Sets the number the year's next notice gives first (the sequence locked). */
int agenda_store_case_numbering_set(db_t *db, const char *committee_id, int year, int next_number);

/* Takes `count` numbers of the committee's sequence for `year`; *first is
 * the first of them. */
int agenda_store_case_numbers_take(db_t *db, const char *committee_id, int year, int count,
                                   int *first);

/* A change of agenda item `item_id` for the next supplementary notice:
 * `text` as it reads with the item's title, `public_text` without it;
 * while the item is exempt (`exempt` now, or later) the notice prints
 * `public_text`, and an item exempt now never has its title stored. */
int agenda_store_change_add_item(db_t *db, const char *meeting_id, const char *item_id, bool exempt,
                                 const char *text, const char *public_text);
int agenda_store_change_add(db_t *db, const char *meeting_id, const char *description);
/* Gives the pending changes to notice `version`; returns them in order
 * (caller frees each and the array). */
int agenda_store_changes_take(db_t *db, const char *meeting_id, int version, char ***out,
                              size_t *n);
/* The descriptions of the changes carried by notice `version`, or (0)
 * those waiting for the next one. */
int agenda_store_changes_of(db_t *db, const char *meeting_id, int version, char ***out, size_t *n);

/* ------------------------------------------------------------------ minutes */

/* A new case, started in the meeting's committee; its id in `id`. */
int agenda_store_case_insert(db_t *db, const char *title, const char *meeting_id, char id[40]);
/* 1 when the case exists, 0 when not, -1 on error. */
int agenda_store_case_exists(db_t *db, const char *id);
/* The case with every treatment `reader` may read, in time order: not an
 * item drafted after its meeting's notice, unless the reader runs that
 * committee. */
int agenda_store_case_get(db_t *db, const char *id, const agenda_reader_t *reader,
                          Samhand__V1__Case **out);
/* A page of cases whose title holds `q` (or all), of `committee_id` (or
 * any), with a treatment `reader` may read (as agenda_store_case_get),
 * leaving out those ever treated as exempt unless the reader has a
 * standing in that committee (a membership today, or its organisation
 * runs it); administrators see every one. */
int agenda_store_case_list(db_t *db, agenda_page_t page, const char *q, const char *committee_id,
                           const agenda_reader_t *reader, Samhand__V1__ListCasesResponse **out);
int agenda_store_item_outcome(db_t *db, const char *item_id, const char *outcome,
                              const char *decision, char **points, size_t n_points);
/* Replaces the attendance with a JSON array of {person_id, status, deputy_for}. */
int agenda_store_attendance_set(db_t *db, const char *meeting_id, const char *entries_json);
int agenda_store_minutes_approved(db_t *db, const char *meeting_id);
/* Puts every postponed, not yet carried treatment of the committee onto its
 * first draft meeting after it; *carried counts them. */
int agenda_store_carry_postponed(db_t *db, const char *committee_id, int *carried);
/* Takes a carried treatment back off a draft agenda when the postponement
 * is undone. */
int agenda_store_uncarry(db_t *db, const char *item_id);

/* ------------------------------------------------------------------ actions */

typedef struct {
    const char *committee_id, *item_id, *description, *responsible, *due_date, *status;
    char **organization_ids;
    size_t n_organization_ids;
    int set_organizations; /* update only */
    int clear_due_date;    /* update only */
} agenda_action_fields_t;

/* 1 when every id names an organisation, 0 when one does not, -1 on error. */
int agenda_store_organizations_exist(db_t *db, char **ids, size_t n);
/* Numbers the action in its committee; 1 when the committee does not exist. */
int agenda_store_action_insert(db_t *db, const agenda_action_fields_t *fields, char id[40]);
/* With its notes, oldest first. */
int agenda_store_action_get(db_t *db, const char *id, bool lock, Samhand__V1__Action **out);
/* NULL fields keep their values. */
int agenda_store_action_update(db_t *db, const char *id, const agenda_action_fields_t *fields);
int agenda_store_action_note(db_t *db, const char *id, const char *text, const char *author);
/* Without notes. */
int agenda_store_action_list(db_t *db, agenda_page_t page, const char *committee_id,
                             const char *status, bool overdue, bool open,
                             const char *organization_id, Samhand__V1__ListActionsResponse **out);

/* ----------------------------------------------------------- case documents */

typedef struct {
    char **responsible, **case_officers, **proposed_decisions, **referenced_case_ids;
    size_t n_responsible, n_case_officers, n_proposed_decisions, n_referenced_case_ids;
    const char *background, *assessment;
} agenda_document_fields_t;

/* Creates or replaces the item's case document. */
int agenda_store_document_put(db_t *db, const char *item_id, const agenda_document_fields_t *f);
/* 1 when every id names a case, 0 when one does not, -1 on error. */
int agenda_store_cases_exist(db_t *db, char **ids, size_t n);
/* With the attachments' descriptions (not their content). */
int agenda_store_document_get(db_t *db, const char *item_id, Samhand__V1__CaseDocument **out);
/* Every case document of a meeting's agenda, in agenda order; the caller
 * frees each and the array. */
int agenda_store_documents_of_meeting(db_t *db, const char *meeting_id,
                                      Samhand__V1__CaseDocument ***out, size_t *n);
int agenda_store_attachment_insert(db_t *db, const char *item_id, const char *filename,
                                   const char *content_type, const uint8_t *content, size_t len,
                                   char id[40]);

typedef struct {
    char *filename, *content_type, *sha256;
    unsigned char *content;
    size_t len;
    bool is_exempt, is_draft;
    bool is_drafted; /* added after its meeting's last notice: no notice carries it yet */
    char committee_id[40];
} agenda_attachment_t;

/* An attachment with its content; free with agenda_attachment_clear. */
int agenda_store_attachment_get(db_t *db, const char *id, agenda_attachment_t *out);
void agenda_attachment_clear(agenda_attachment_t *a);

/* ---------------------------------------------------------------- proposals */

int agenda_store_proposal_insert(db_t *db, const Samhand__V1__CreateProposalRequest *req,
                                 const char *submitted_by, Samhand__V1__Proposal **out);
int agenda_store_proposal_get(db_t *db, const char *id, bool lock, Samhand__V1__Proposal **out);

/* A proposal a disputed deviation report becomes (agenda_store_dispute.c),
 * by the id the deviation service gave it. */
typedef struct {
    const char *proposal_id, *deviation_id, *committee_id;
    const char *title, *description, *submitter_name;
    const char *organization_id; /* the reporting organisation, if agenda knows it */
} agenda_dispute_t;

/* Inserts the proposal and its link to the report: 0, 1 when there is no
 * such committee or the proposal was made already, -1 on an error. */
int agenda_store_dispute_insert(db_t *db, const agenda_dispute_t *d);

/* The name of organisation `id` into `out`: 0, 1 when there is none, -1. */
int agenda_store_organization_name(db_t *db, const char *id, char *out, size_t size);

/* Someone outside the committees' readers who follows proposals: those
 * sent in by `subject` (the principal, never empty) or for
 * `organization_id` (NULL: none). NULL as a follower: every proposal. */
typedef struct {
    const char *subject;
    const char *organization_id;
} agenda_proposal_follower_t;

/* The proposal if `follower` follows it: 0, 1 if not (or none), -1. */
int agenda_store_proposal_get_followed(db_t *db, const char *id,
                                       const agenda_proposal_follower_t *follower,
                                       Samhand__V1__Proposal **out);
/* Records the decision: ACCEPTED with where it went, or DECLINED with why. */
int agenda_store_proposal_decide(db_t *db, const char *id, const char *state,
                                 const char *meeting_id, const char *item_id, const char *reason);
/* A committee's proposals (those `follower` follows, unless NULL). */
int agenda_store_proposal_list(db_t *db, agenda_page_t page, const char *committee_id,
                               const char *state, const agenda_proposal_follower_t *follower,
                               Samhand__V1__ListProposalsResponse **out);
/* The id of the item at `position` of a meeting's agenda. */
int agenda_store_last_item_id(db_t *db, const char *meeting_id, int position, char id[40]);

/* -------------------------------------------------------------- emergencies */

/* Opens a series; unique violation (23505) when one is open already. */
int agenda_store_emergency_insert(db_t *db, const char *committee_id, const char *title,
                                  const char *description, char id[40]);
/* With its meetings and its log. */
int agenda_store_emergency_get(db_t *db, const char *id, bool lock, Samhand__V1__Emergency **out);
/* A page of the committee's emergencies, each with its meetings and log. */
int agenda_store_emergency_list(db_t *db, agenda_page_t page, const char *committee_id,
                                Samhand__V1__ListEmergenciesResponse **out);
int agenda_store_emergency_log(db_t *db, const char *id, const char *kind, const char *text,
                               const char *meeting_id, const char *author);
int agenda_store_emergency_close(db_t *db, const char *id, const char *note);
int agenda_store_meeting_in_emergency(db_t *db, const char *meeting_id, const char *emergency_id);

#endif
