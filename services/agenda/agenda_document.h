/* What the publication of a notice asks of case documents (agenda_document.c). */
#ifndef AGENDA_DOCUMENT_H
#define AGENDA_DOCUMENT_H

#include "agenda_store.h"
#include "samhand_bus.h"

/* Appends, in the call's transaction, a no.samhand.case_document.changed
 * event for each case document that notice `version` (2 and on) of the
 * meeting carries changed since the notice before, as the public reads it
 * now that it went out. 0 or -1 after bus_call_fail. */
int agenda_document_noticed(bus_call_t *call, const char *meeting_id, int version);

#endif
