/* The SQL of a meeting's seats before it is held (agenda_store_attendance.c):
 * deputies in order, notices of absence, the deputies called up one after
 * the other, declarations of possible disqualification, and the attendance
 * the minutes start from. Same contract as agenda_store.h: messages come
 * back malloc'ed (free with protobuf_c_message_free_unpacked), 0 on
 * success, 1 when the row does not exist, -1 on a database error. */
#ifndef AGENDA_STORE_ATTENDANCE_H
#define AGENDA_STORE_ATTENDANCE_H

#include "agenda_store.h"

/* Sets a membership's deputy fields (NULL clears one; rank as decimal
 * text) and returns the membership. */
int agenda_store_membership_set_deputy(db_t *db, const char *committee_id, const char *id,
                                       const char *for_person_id, const char *for_organization_id,
                                       const char *rank, Samhand__V1__Membership **out);

/* The id of the person who signs in as `subject` into person_id. */
int agenda_store_person_of(db_t *db, const char *subject, char person_id[40]);

/* 1 when the person holds a seat (chair, vice chair, member) of the
 * meeting's committee on the meeting's day, 0 when not, -1 on error. */
int agenda_store_seat_held(db_t *db, const char *meeting_id, const char *person_id);

/* A new notice of absence into id; 1 when one stands already. */
int agenda_store_absence_insert(db_t *db, const char *meeting_id, const char *person_id,
                                const char *reason, char id[40]);
/* A notice of absence of the meeting with its call-ups, oldest first. */
int agenda_store_absence_get(db_t *db, const char *meeting_id, const char *id,
                             Samhand__V1__Absence **out);
/* Withdraws a standing notice and every call-up still open; 1 when none stands. */
int agenda_store_absence_withdraw(db_t *db, const char *meeting_id, const char *id);
/* A call-up ended by a change of its meeting. */
typedef struct {
    char absence_id[40], id[40];
} agenda_ended_call_up_t;
/* Ends every open call-up (called, or accepted) of the meeting: its
 * meeting was cancelled or moved. Those ended into *ended (n of them, the
 * caller frees the array; NULL when none). 0, or -1 on error. */
int agenda_store_call_ups_end(db_t *db, const char *meeting_id, agenda_ended_call_up_t **ended,
                              size_t *n);

/* Calls the next deputy for the absence: of those standing in for the
 * member, then for the member's organisation's seat, by rank, the first
 * with a term on the meeting's day who has not declined for this meeting,
 * is not called or coming for another member and has no absence of their
 * own. 0 when one was called, 1 when none is left. */
int agenda_store_call_next(db_t *db, const char *absence_id);

/* A call-up, with its absence's meeting and committee. */
int agenda_store_call_up_get(db_t *db, const char *id, Samhand__V1__CallUp **out);
/* The call-up's answer (ACCEPTED, DECLINED) while it is CALLED; 1 when it is not. */
int agenda_store_call_up_answer(db_t *db, const char *id, const char *state);

/* Every seat of the meeting with its state, by name. */
int agenda_store_seats(db_t *db, const char *meeting_id, Samhand__V1__ListSeatsResponse **out);

/* The call-ups of the person as a deputy for the meeting, oldest first,
 * into the repeated field `field` of `parent`. */
int agenda_store_call_ups_of(db_t *db, const char *meeting_id, const char *person_id,
                             ProtobufCMessage *parent, const char *field);

/* The attendance the seats give (present, absent with notice, the
 * deputies who accepted for whom), as Attendance rows into the meeting's
 * `attendance` when it has none recorded. */
int agenda_store_attendance_from_seats(db_t *db, Samhand__V1__Meeting *meeting);
/* Records that attendance when the meeting has none recorded yet. */
int agenda_store_attendance_seed(db_t *db, const char *meeting_id);

/* A declaration of possible disqualification into id; 1 when the person
 * declared one for the item already. */
int agenda_store_disqualification_insert(db_t *db, const char *item_id, const char *person_id,
                                         const char *reason, char id[40]);
int agenda_store_disqualification_get(db_t *db, const char *meeting_id, const char *id,
                                      Samhand__V1__Disqualification **out);
int agenda_store_disqualification_decide(db_t *db, const char *id, const char *decision);
/* The meeting's declarations (of one person when person_id is not NULL),
 * in agenda order, into the repeated field `field` of `parent`. */
int agenda_store_disqualifications(db_t *db, const char *meeting_id, const char *person_id,
                                   ProtobufCMessage *parent, const char *field);

/* The ids of the coming meetings (notice out, not ended) of the
 * committees the person has a membership of on the meeting's day, soonest
 * first, at most 50: *ids (n of them, malloc'ed; the caller frees each and
 * the array). */
int agenda_store_my_meetings(db_t *db, const char *person_id, char ***ids, size_t *n);

#endif
