/* The texts of actions (tiltak) in Norwegian (agenda_action_text.c): a
 * status's name, and the table of open actions a follow-up item puts on
 * an agenda. Data in, text out. */
#ifndef AGENDA_ACTION_TEXT_H
#define AGENDA_ACTION_TEXT_H

#include "samhand/v1/agenda.pb-c.h"

#include <stddef.h>

/* The status's name ("Åpen", "Pågår", "Utført", "Avbrutt"; "" for none). */
const char *agenda_action_status_text(int status);

/* The action table of the seed notices, one line an action ("Nr. 2: … –
 * Ansvar: … – Status: Åpen – Frist: 30.06.2031"), or "Ingen åpne
 * tiltak." for none; the actions as given (an exempt one hidden by the
 * caller). Malloc'ed, the caller frees it; NULL when out of memory. */
char *agenda_action_table_text(Samhand__V1__Action *const *actions, size_t n);

#endif
