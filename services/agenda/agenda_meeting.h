/* What the other aggregates ask of a meeting (agenda_meeting.c and
 * agenda_meeting_read.c): loading it as its reader may see it, marking it
 * noticed, numbering its cases, committing a change of it. */
#ifndef AGENDA_MEETING_H
#define AGENDA_MEETING_H

#include "agenda_store.h"
#include "samhand_bus.h"

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

/* Every meeting of the committee but drafts, oldest first, each as
 * agenda_meeting_list_as_noticed gives it to the caller, in (*out)->items
 * (the caller frees *out). 0 or -1 after bus_call_fail. */
int agenda_meeting_list_committee(bus_call_t *call, const char *committee_id,
                                  Samhand__V1__ListMeetingsResponse **out);

/* Marks the meeting noticed as `version` (1 the notice, 2.. supplementary
 * notices) and keeps that notice as it goes out. 0 or -1 after
 * bus_call_fail. */
int agenda_meeting_noticed(bus_call_t *call, const char *id, int version);

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

/* The meeting as the public reads it: its last notice (the working draft
 * before one), exempt items by their legal basis only; with `docs`, the
 * case documents shown with it (of the notice, when one is). For events,
 * which every party reads. NULL after bus_call_fail; the caller frees the
 * meeting and the documents. */
Samhand__V1__Meeting *agenda_meeting_public(bus_call_t *call, const char *id,
                                            Samhand__V1__CaseDocument ***docs, size_t *n_docs);

/* Writes the case number of `seq` in `year` by `format` ("{n}/{yy}"). */
void agenda_case_number_format(const char *format, int seq, int year, char *out, size_t size);

#endif
