/* Who sees what, declared once for every service, the gateway and the
 * tests: for each kind of event (and so each aggregate) the roles that may
 * read it and the view it carries. The outbox stamps every event with its
 * row's roles (db_outbox_*), notify shows an event only to principals who
 * hold one of them (and who pass its organisations and subjects), and the
 * gateway's policy table must grant the aggregate's reads to the same roles
 * (tests/unit/gateway/test_policy.c holds them together).
 *
 *   aggregate        read by                                view in its event
 *   organisation     everyone                               whole
 *   committee        everyone                               whole
 *   membership       everyone                               person by id only
 *   meeting          everyone                               public: exempt items
 *                                                           by legal basis only
 *   case document    everyone                               of an exempt item: ids only
 *   person           committee readers (not reporters)      name, e-mail, principal
 *   proposal         committee readers                      submitter's e-mail
 *   action           committee readers                      whole
 *   emergency        committee readers                      whole
 *   API key          administrators                         never the key or digest
 *   deviation        deviation roles of the two parties,    anonymous: no reporter;
 *                    the partnership's quality staff;       (deviation_report.c)
 *                    a draft its reporter only
 *   joint analysis   deviation roles of the two parties,    anonymous: no reporting-
 *                    the partnership's quality staff        side actor
 *                                                           (deviation_analysis.c)
 *
 * A type not in the table is for administrators only: a new event is
 * hidden until someone says who may see it. */
#ifndef SAMHAND_VISIBILITY_H
#define SAMHAND_VISIBILITY_H

#include <stddef.h>

typedef struct {
    const char *type_prefix;  /* "no.samhand.person." */
    const char *read_rpc;     /* the read of the aggregate, granted to the same roles */
    const char *const *roles; /* NULL-terminated; NULL: everyone, even without a credential */
    const char *view;         /* what the event's data holds, for people */
} visibility_event_t;

extern const visibility_event_t visibility_events[];
extern const size_t visibility_events_count;

/* The row for an event type; the administrators-only row for a type the
 * table lacks. Never NULL. */
const visibility_event_t *visibility_event(const char *type);

/* The number of roles in a row's NULL-terminated list (0 for everyone). */
size_t visibility_roles_count(const visibility_event_t *row);

#endif
