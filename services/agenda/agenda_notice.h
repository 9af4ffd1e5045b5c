/* Text of the notice that the minutes and the PDF print too (agenda_notice.c). */
#ifndef AGENDA_NOTICE_H
#define AGENDA_NOTICE_H

#include "samhand/v1/agenda.pb-c.h"

#include <stdio.h>

/* «Utsatt fra møtet 12.03.2023, sak 6/23» of a carried item, as HTML. */
void agenda_carried_from_text(FILE *out, const Samhand__V1__AgendaItem *item);
/* The same as plain text (for the PDF). */
void agenda_carried_from_plain(FILE *out, const Samhand__V1__AgendaItem *item);

#endif
