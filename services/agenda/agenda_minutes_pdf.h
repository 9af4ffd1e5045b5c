/* The minutes (protokoll) as PDF: a pure renderer over what the minutes
 * handler has loaded and the reader may see, in the order and words of the
 * HTML minutes (heading, approval, attendance, each item's discussion and
 * decision). */
#ifndef AGENDA_MINUTES_PDF_H
#define AGENDA_MINUTES_PDF_H

#include "samhand/v1/agenda.pb-c.h"

#include <stddef.h>

/* One meeting's minutes as a reader sees them; everything borrowed by the
 * renderers. */
typedef struct {
    const Samhand__V1__Meeting *meeting;     /* exempt items already hidden for the reader */
    const Samhand__V1__Committee *committee; /* for the heading */
    const Samhand__V1__Person *chair;        /* the chair standing in, or NULL */
    /* the decided declarations of disqualification of the items the reader
     * sees, in agenda order (never their reasons) */
    Samhand__V1__Disqualification *const *disqualifications;
    size_t n_disqualifications;
    Samhand__V1__ListDisqualificationsResponse *declarations; /* the loader's, which frees it */
} agenda_minutes_t;

/* Renders the minutes as an A4 PDF with its fonts embedded. Returns the
 * bytes (the caller frees them) and their length in *len, or NULL when
 * cairo failed or the PDF module could not be loaded (the cause in
 * *error, static). The drawing is agenda_minutes_pdf_draw in the module. */
char *agenda_minutes_pdf(const agenda_minutes_t *minutes, size_t *len, const char **error);
char *agenda_minutes_pdf_draw(const agenda_minutes_t *minutes, size_t *len, const char **error);

/* «Vedtatt som foreslått.» …: what the minutes say of an outcome without a
 * decision of its own; "" for none. Static. */
const char *agenda_outcome_text(int outcome);

/* The name of whom the deputy `a` stood in for, as the attendance lists
 * them, or NULL. Borrowed from `m`. */
const char *agenda_deputy_for(const Samhand__V1__Meeting *m, const Samhand__V1__Attendance *a);

#endif
