/* The agenda service's route table and the helpers its aggregates share:
 * paging, field checks and committing a change together with its event. */
#ifndef AGENDA_SERVER_H
#define AGENDA_SERVER_H

#include "agenda_store.h"
#include "samhand_bus.h"

#include <stdio.h>

extern const bus_route_t agenda_routes[];
extern const size_t agenda_routes_count;
extern const db_migration_t agenda_migrations[];
extern const size_t agenda_migrations_count;

/* Handlers, one file per aggregate. */
int agenda_organization_create(bus_call_t *call);
int agenda_organization_get(bus_call_t *call);
int agenda_organization_update(bus_call_t *call);
int agenda_organization_list(bus_call_t *call);
int agenda_api_key_create(bus_call_t *call);
int agenda_api_key_get(bus_call_t *call);
int agenda_api_key_list(bus_call_t *call);
int agenda_api_key_revoke(bus_call_t *call);
int agenda_api_key_digests(bus_call_t *call); /* for the gateway, not routed */
int agenda_person_create(bus_call_t *call);
int agenda_person_get(bus_call_t *call);
int agenda_person_update(bus_call_t *call);
int agenda_person_list(bus_call_t *call);
int agenda_committee_create(bus_call_t *call);
int agenda_committee_get(bus_call_t *call);
int agenda_committee_update(bus_call_t *call);
int agenda_committee_list(bus_call_t *call);
int agenda_committee_numbering_set(bus_call_t *call);
int agenda_membership_create(bus_call_t *call);
int agenda_membership_get(bus_call_t *call);
int agenda_membership_update(bus_call_t *call);
int agenda_membership_list(bus_call_t *call);

int agenda_meeting_create(bus_call_t *call);
int agenda_meeting_get(bus_call_t *call);
int agenda_meeting_update(bus_call_t *call);
int agenda_meeting_list(bus_call_t *call);
int agenda_meeting_publish(bus_call_t *call);
int agenda_meeting_cancel(bus_call_t *call);
int agenda_item_add(bus_call_t *call);
int agenda_item_update(bus_call_t *call);
int agenda_item_delete(bus_call_t *call);
int agenda_notice_html(bus_call_t *call);
int agenda_notice_pdf_get(bus_call_t *call);
int agenda_committee_ics(bus_call_t *call);
int agenda_minutes_attendance(bus_call_t *call);
int agenda_minutes_outcome(bus_call_t *call);
int agenda_minutes_approve(bus_call_t *call);
int agenda_minutes_html(bus_call_t *call);
int agenda_case_get(bus_call_t *call);
int agenda_case_list(bus_call_t *call);
int agenda_action_create(bus_call_t *call);
int agenda_action_get(bus_call_t *call);
int agenda_action_update(bus_call_t *call);
int agenda_action_list(bus_call_t *call);
int agenda_action_follow_up(bus_call_t *call);
int agenda_document_put(bus_call_t *call);
int agenda_document_get(bus_call_t *call);
int agenda_attachment_add(bus_call_t *call);
int agenda_attachment_get(bus_call_t *call);
int agenda_proposal_create(bus_call_t *call);
int agenda_proposal_get(bus_call_t *call);
int agenda_proposal_list(bus_call_t *call);
int agenda_proposal_accept(bus_call_t *call);
int agenda_proposal_decline(bus_call_t *call);
int agenda_emergency_open(bus_call_t *call);
int agenda_emergency_get(bus_call_t *call);
int agenda_emergency_list(bus_call_t *call);
int agenda_emergency_meeting(bus_call_t *call);
int agenda_emergency_log(bus_call_t *call);
int agenda_emergency_close(bus_call_t *call);
int agenda_notice_ics(bus_call_t *call);

/* Meetings, shared by agenda_meeting.c, agenda_item.c and agenda_notice.c. */

/* Loads a meeting with its items, times filled in and, for callers without
 * a credential, exempt content hidden and drafts not found. 0, or -1 after
 * bus_call_fail (404 when missing). Free with protobuf_c_message_free_unpacked. */
int agenda_meeting_load(bus_call_t *call, const char *id, bool lock, Samhand__V1__Meeting **out);

/* Loads a meeting for a reader as agenda_meeting_load does, and as its
 * last notice went out unless the caller runs its committee (a
 * cancellation shows at once; a held meeting reads as held); `version`
 * (from agenda_meeting_version_asked) asks for notice N as it went out, to
 * anyone who may read the meeting (404 naming `version` when there is
 * none). With `docs`, the case documents of what is shown (of the notice,
 * when one is); the caller frees them and the meeting. 0 or -1 after
 * bus_call_fail. */
int agenda_meeting_read(bus_call_t *call, const char *id, int version, Samhand__V1__Meeting **out,
                        Samhand__V1__CaseDocument ***docs, size_t *n_docs);

/* The notice a request asks for by `version` (its text): 0 when none is
 * asked, else the positive number, or -1 after a 400 naming `version`. */
int agenda_meeting_version_asked(bus_call_t *call, const char *version);

/* Puts in a list of meetings, for a reader who does not run their
 * committee, what the last notice said (title, time, place) of those
 * changed since. 0 or -1 after bus_call_fail. */
int agenda_meeting_list_as_noticed(bus_call_t *call, Samhand__V1__ListMeetingsResponse *list);

/* Marks the meeting noticed as `version` (1 the notice, 2.. supplementary
 * notices) and keeps that notice as it goes out. 0 or -1 after
 * bus_call_fail. */
int agenda_meeting_noticed(bus_call_t *call, const char *id, int version);

/* Appends, in the call's transaction, a no.samhand.case_document.changed
 * event for each case document that notice `version` (2 and on) of the
 * meeting carries changed since the notice before, as the public reads it
 * now that it went out. 0 or -1 after bus_call_fail. */
int agenda_document_noticed(bus_call_t *call, const char *meeting_id, int version);

/* Sets each item's start and end from the meeting's start and the minutes
 * before it (withdrawn items take no time), and agenda_minutes. */
void agenda_meeting_fill_times(Samhand__V1__Meeting *meeting);

/* Replies with the meeting reloaded, after committing the open transaction
 * together with the event `type`. */
int agenda_meeting_commit(bus_call_t *call, const char *id, const char *type);

/* Numbers the agenda's unnumbered cases in agenda order, from the
 * committee's sequence for the meeting's year, for notice `version`. 0 or -1. */
int agenda_meeting_number_cases(bus_call_t *call, Samhand__V1__Meeting *m,
                                const Samhand__V1__Committee *committee, int version);

/* True when the caller presented a valid credential. */
bool agenda_caller_known(bus_call_t *call);

/* The caller's standing in a committee (agenda_scope.c): RUNS for
 * administrators, the committee's secretary, chair and vice chair (by a
 * membership today of the person who signs in as the caller) and the
 * secretariat and secretaries of the organisation that runs it; MEMBER for
 * its other members today; NONE otherwise. Asks the database. */
enum { AGENDA_STANDING_NONE, AGENDA_STANDING_MEMBER, AGENDA_STANDING_RUNS };
int agenda_caller_standing(bus_call_t *call, const char *committee_id);

/* The caller as the store asks agenda_caller_standing of many committees
 * at once (agenda_reader_t); its strings are the call's. */
agenda_reader_t agenda_caller_reader(bus_call_t *call);

/* Whether the caller sees what is exempt from public access in the
 * committee's papers: any standing in it. */
bool agenda_caller_sees_exempt(bus_call_t *call, const char *committee_id);

/* The scope table's rule for the call's method on the committee: 0 when
 * the caller may (or the method changes no committee's work), else -1
 * after a 403 that names the rule. */
int agenda_scope_check(bus_call_t *call, const char *committee_id);
/* The same for a standing the caller already knows. */
int agenda_scope_check_standing(bus_call_t *call, int standing);

/* The meeting as the public reads it: its last notice (the working draft
 * before one), exempt items by their legal basis only; with `docs`, the
 * case documents shown with it (of the notice, when one is). For events,
 * which every party reads. NULL after bus_call_fail; the caller frees the
 * meeting and the documents. */
Samhand__V1__Meeting *agenda_meeting_public(bus_call_t *call, const char *id,
                                            Samhand__V1__CaseDocument ***docs, size_t *n_docs);

/* «Utsatt fra møtet 12.03.2023, sak 6/23» of a carried item, as HTML. */
void agenda_carried_from_text(FILE *out, const Samhand__V1__AgendaItem *item);
/* The same as plain text (for the PDF). */
void agenda_carried_from_plain(FILE *out, const Samhand__V1__AgendaItem *item);

/* Writes the case number of `seq` in `year` by `format` ("{n}/{yy}"). */
void agenda_case_number_format(const char *format, int seq, int year, char *out, size_t size);

/* True when Organization.organization_number rules hold: 9 digits whose
 * last is the mod-11 check digit of the first 8 (weights 3 2 7 6 5 4 3 2). */
bool agenda_organization_number_valid(const char *number);

/* Field checks: 0 when fine, else -1 after bus_call_fail naming `field`. */
int agenda_check_required(bus_call_t *call, const char *field, const char *value, size_t max);
int agenda_check_optional(bus_call_t *call, const char *field, const char *value, size_t max);
int agenda_check_ref(bus_call_t *call, const char *field, const char *id, bool required);

/* The enum value's name for storage, or NULL for 0 (unspecified). Sets an
 * error and returns NULL with *bad = true for a value the enum lacks. */
const char *agenda_enum_name(bus_call_t *call, const char *field,
                             const ProtobufCEnumDescriptor *desc, int value, bool *bad);

/* Reads limit (default 50, 1..500) and cursor. 0 or -1 after bus_call_fail. */
int agenda_page(bus_call_t *call, int32_t limit, const char *cursor, agenda_page_t *page);

/* True when `field` (proto name) is listed in the request's update mask. */
bool agenda_masked(char **mask, size_t n, const char *field);

/* Refuses mask entries outside `allowed` (NULL-terminated). 0 or -1. */
int agenda_check_mask(bus_call_t *call, char **mask, size_t n, const char *const *allowed);

/* Writes the event of a change (`event`, what every party may read) into
 * the open transaction with the reply (`reply`, what the caller may see;
 * kept with the change for a repeat of the request) and commits. Returns
 * 0, or -1 after rolling back. */
int agenda_commit_reply(bus_call_t *call, const char *type, const char *subject,
                        const char *organization_id, const char *committee_id,
                        const ProtobufCMessage *event, const ProtobufCMessage *reply);

/* Replaces a string field of a message; the old one may be protobuf-c's
 * shared empty string (in an unpacked message), which is not freed. */
void agenda_text_replace(char **field, const char *value);

/* A deep copy of `message` (to blank what an event may not carry), or
 * NULL when out of memory; free with protobuf_c_message_free_unpacked. */
ProtobufCMessage *agenda_copy(const ProtobufCMessage *message);

/* agenda_commit_reply() of the aggregate as event and reply; frees it. */
int agenda_commit(bus_call_t *call, const char *type, const char *subject,
                  const char *organization_id, const char *committee_id,
                  ProtobufCMessage *aggregate);

#endif
