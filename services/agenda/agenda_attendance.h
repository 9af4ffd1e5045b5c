/* A meeting's seats before it is held (agenda_attendance.c): deputies in
 * order, absence with the deputies called up, disqualification, and the
 * member's own coming meetings. */
#ifndef AGENDA_ATTENDANCE_H
#define AGENDA_ATTENDANCE_H

#include "samhand_bus.h"
#include "samhand/v1/agenda.pb-c.h"

/* Checks and sets a membership's deputy fields (whom it stands in for,
 * its rank) in the open transaction, replacing *m with the membership as
 * stored. `role` is the membership's role (DEPUTY alone takes them).
 * 0, or -1 after failing with the field at fault. */
int agenda_deputy_apply(bus_call_t *call, Samhand__V1__Membership **m, const char *for_person_id,
                        const char *for_organization_id, int rank);

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
int agenda_seat_list(bus_call_t *call);
int agenda_disqualification_declare(bus_call_t *call);
int agenda_disqualification_decide(bus_call_t *call);
int agenda_disqualification_list(bus_call_t *call);
int agenda_my_meetings(bus_call_t *call);

#endif
