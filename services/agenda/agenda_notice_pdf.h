/* The notice (møteinnkalling) as PDF: a pure renderer over what the notice
 * handler has loaded and the reader may see, laid out as the seed notices
 * are (heading, agenda table, one case document a case). */
#ifndef AGENDA_NOTICE_PDF_H
#define AGENDA_NOTICE_PDF_H

#include "samhand/v1/agenda.pb-c.h"

#include <stdbool.h>
#include <stddef.h>

/* One notice as a reader sees it; everything borrowed. */
typedef struct {
    const char *heading;                     /* MØTEINNKALLING, TILLEGGSINNKALLING ... */
    const Samhand__V1__Meeting *meeting;     /* exempt items already hidden for the reader */
    const Samhand__V1__Committee *committee; /* for Utvalg */
    const Samhand__V1__Person *chair;        /* the chair standing in, or NULL */
    char **changes;                          /* the changes a supplementary notice lists */
    size_t n_changes;
    bool is_drafted;                       /* the changes are not sent out yet */
    Samhand__V1__CaseDocument **case_docs; /* only those the reader may see, in agenda order */
    size_t n_case_docs;
    /* the declarations of possible disqualification with their reasons:
     * for those who run the committee only, else none */
    Samhand__V1__Disqualification *const *declarations;
    size_t n_declarations;
} agenda_notice_t;

/* Renders the notice as an A4 PDF with its fonts embedded. Returns the
 * bytes (the caller frees them) and their length in *len, or NULL when
 * cairo failed or the PDF module could not be loaded (the cause in
 * *error, static). The drawing is agenda_notice_pdf_draw in the module
 * (agenda_pdf_module.c loads it on first use). */
char *agenda_notice_pdf(const agenda_notice_t *notice, size_t *len, const char **error);
char *agenda_notice_pdf_draw(const agenda_notice_t *notice, size_t *len, const char **error);

/* «Ekstraordinært møte», «Beredskapsmøte», or NULL for an ordinary
 * meeting: the Møtetype line of the notice. */
const char *agenda_meeting_kind_text(int kind);

#endif
