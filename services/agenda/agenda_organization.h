/* The organisation number rule (agenda_organization.c), for its unit test. */
#ifndef AGENDA_ORGANIZATION_H
#define AGENDA_ORGANIZATION_H

#include <stdbool.h>

/* True when Organization.organization_number rules hold: 9 digits whose
 * last is the mod-11 check digit of the first 8 (weights 3 2 7 6 5 4 3 2). */
bool agenda_organization_number_valid(const char *number);

#endif
