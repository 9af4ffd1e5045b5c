/* Who the caller is to a committee, and the table of what that lets them
 * change (agenda_scope.c). */
#ifndef AGENDA_SCOPE_H
#define AGENDA_SCOPE_H

#include "agenda_store.h"
#include "samhand_bus.h"

/* True when the caller presented a valid credential, or the call reads
 * for a person (call->reader_person_id: a mail's recipient). */
bool agenda_caller_known(bus_call_t *call);

/* The caller's standing in a committee (agenda_scope.c): RUNS for
 * administrators, the committee's secretary, chair and vice chair (by a
 * membership today of the person who signs in as the caller) and the
 * secretariat and secretaries of the organisation that runs it; MEMBER for
 * its other members today; NONE otherwise. A call that reads for a person
 * (call->reader_person_id) has MEMBER when that person holds a membership
 * today, else NONE: never RUNS. Asks the database. */
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

#endif
