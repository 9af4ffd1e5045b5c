/* Who may call what: the roles, and for every route that needs a
 * credential the roles that may call it. The gateway enforces this table
 * (403 to a credential without one of them); the services enforce the
 * row-level rules again (a deviation only for its two organisations and
 * quality, exempt content only for members). */
#ifndef GATEWAY_POLICY_H
#define GATEWAY_POLICY_H

#include <stddef.h>

#include "samhand/v1/envelope.pb-c.h"

typedef enum {
    ROLE_ADMINISTRATOR = 1u << 0, /* runs the installation: everything */
    ROLE_SECRETARIAT = 1u << 1,   /* the partnership's secretariat: directory, committees */
    ROLE_SECRETARY = 1u << 2,     /* a committee's secretary: meetings, minutes, actions */
    ROLE_MEMBER = 1u << 3,        /* a committee member: reads, progress on actions */
    ROLE_REPORTER = 1u << 4,      /* reports and handles deviations for an organisation */
    ROLE_QUALITY = 1u << 5,       /* quality staff: every deviation, the statistics */
    ROLE_INTEGRATION = 1u << 6,   /* a party's system: events, subscriptions, deviations */
    ROLE_LEADER = 1u << 7, /* a leader of an organisation: reviews its reports (leader review) */
} gateway_role_t;

#define ROLE_ANY 0xffu /* any valid credential */

/* The role's bit, or 0 for a name that is no role. */
unsigned gateway_role_bit(const char *name, size_t len);

/* The roles a principal holds. */
unsigned gateway_principal_roles(const Samhand__V1__Principal *principal);

/* The roles that may call `rpc` ("agenda.CreateMeeting"), or 0 when the
 * table has no row for it (then nobody may: a route without a policy is a
 * mistake the unit test catches). */
unsigned gateway_policy_roles(const char *rpc);

/* The row's scope for `rpc`, or NULL when the roles alone decide. */
const char *gateway_policy_scope(const char *rpc);

/* "administrator, secretariat" for a set of roles, into `out`. */
void gateway_roles_text(unsigned roles, char *out, size_t size);

/* The table itself, for the unit test and OpenAPI. */
typedef struct {
    const char *rpc;
    unsigned roles;
    const char *scope; /* on what, beyond the roles ("the committees the caller runs"), or NULL */
} gateway_policy_t;
extern const gateway_policy_t gateway_policies[];
extern const size_t gateway_policies_count;

#endif
