/* A meeting's seats before it is held: who acts, deputies in order, the
 * seats and the member's own coming meetings (agenda_attendance.c),
 * absence with the deputies called up (agenda_absence.c), and
 * disqualification (agenda_disqualification.c). */
#ifndef AGENDA_ATTENDANCE_H
#define AGENDA_ATTENDANCE_H

#include "samhand_bus.h"
#include "samhand/v1/agenda.pb-c.h"

#include <stdbool.h>

/* The longest reason of an absence or a disqualification. */
#define AGENDA_REASON_MAX_CHARS 2000

/* ---- who acts (agenda_attendance.c) */

/* The person the caller signs in as into person_id ("" when none). 0, or
 * -1 after failing. */
int agenda_attendance_caller(bus_call_t *call, char person_id[40]);
/* Whom the caller acts for: `asked` (a person id, or "" for themselves)
 * into person_id, when it is the caller themselves or the caller runs the
 * committee. 0, or -1 after failing: 400 when the caller is no person and
 * names none, 403 naming `field` for someone else's. */
int agenda_attendance_acting_for(bus_call_t *call, const char *committee_id, const char *asked,
                                 const char *field, char person_id[40]);
/* Who reads a meeting's seats or declarations: whether the caller runs
 * its committee (*runs: all of them), and the caller's own person (own:
 * theirs alone). 0, or -1 after failing (404 for a meeting not there). */
int agenda_attendance_reader_of(bus_call_t *call, const char *meeting_id, bool *runs, char own[40]);

/* ---- deputies, seats, the member's own (agenda_attendance.c) */

/* Checks and sets a membership's deputy fields (whom it stands in for,
 * its rank) in the open transaction, replacing *m with the membership as
 * stored. `role` is the membership's role (DEPUTY alone takes them).
 * 0, or -1 after failing with the field at fault. */
int agenda_deputy_apply(bus_call_t *call, Samhand__V1__Membership **m, const char *for_person_id,
                        const char *for_organization_id, int rank);
int agenda_seat_list(bus_call_t *call);
int agenda_my_meetings(bus_call_t *call);

/* ---- absences and call-ups (agenda_absence.c) */

/* Ends the open call-ups (called, or accepted) of the meeting, cancelled
 * (`is_cancelled`) or moved to another time, in the open transaction: an
 * event of each absence whose call-ups ended (no.samhand.absence.
 * meeting_cancelled or meeting_moved), carrying those call-ups alone, so
 * that their deputies are told; of a moved meeting, the next deputy by
 * rank who has not declined is then called for the new time (the same
 * one, asked again). 0, or -1 after failing. */
int agenda_call_ups_end(bus_call_t *call, const char *meeting_id, bool is_cancelled);
int agenda_absence_report(bus_call_t *call);
int agenda_absence_withdraw(bus_call_t *call);
int agenda_call_up_accept(bus_call_t *call);
int agenda_call_up_decline(bus_call_t *call);

/* ---- disqualification (agenda_disqualification.c) */

int agenda_disqualification_declare(bus_call_t *call);
int agenda_disqualification_decide(bus_call_t *call);
int agenda_disqualification_list(bus_call_t *call);

#endif
