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
