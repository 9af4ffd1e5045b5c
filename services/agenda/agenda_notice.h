/* Text of the notice that the minutes and the PDF print too (agenda_notice.c). */
#ifndef AGENDA_NOTICE_H
#define AGENDA_NOTICE_H

#include "samhand/v1/agenda.pb-c.h"

#include <stdio.h>

/* «Utsatt fra møtet 12.03.2023, sak 6/23» of a carried item, as HTML. */
void agenda_carried_from_text(FILE *out, const Samhand__V1__AgendaItem *item);
/* The same as plain text (for the PDF). */
void agenda_carried_from_plain(FILE *out, const Samhand__V1__AgendaItem *item);

/* The agenda item of the meeting a case document belongs to, or NULL. */
const Samhand__V1__AgendaItem *agenda_notice_item_of(const Samhand__V1__Meeting *m,
                                                     const Samhand__V1__CaseDocument *doc);

#endif
