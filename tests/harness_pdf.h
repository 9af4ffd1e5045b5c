/* Reading the agenda's PDF documents back as a reader's machine would
 * (poppler-utils, qpdf), shared by the notice and minutes PDF tests. */
#ifndef HARNESS_PDF_H
#define HARNESS_PDF_H

#include "harness.h"

#include <stddef.h>

/* The text of the PDF in drawing order (pdftotext -raw), runs of white
 * space as one space and a word broken after its hyphen («ASU-|møte»)
 * whole again. The caller frees it. */
char *harness_pdf_text(const harness_http_response_t *pdf);

/* Fails the test unless `needles` come in `text` in this order; returns
 * where the last ended. */
const char *harness_pdf_in_order(const char *text, const char *const *needles, size_t n);

/* Fails the test unless every font of the PDF is embedded (pdffonts) and
 * there are at least `at_least` of them. */
void harness_pdf_fonts_embedded(const harness_http_response_t *pdf, size_t at_least);

/* Fails the test unless the file is PDF/A-2b as far as outside tools can
 * tell: qpdf reads a catalog with /Metadata and an /OutputIntents entry of
 * subtype /GTS_PDFA1 whose profile is an ICC stream of 3 components, and a
 * trailer with two /ID strings; poppler reads the XMP (well-formed XML by
 * xmllint) claiming pdfaid:part 2 and conformance B, with the title
 * `title`, which the information dictionary says too (pdfinfo). */
void harness_pdf_archival(const harness_http_response_t *pdf, const char *title);

/* Fails the test unless qpdf --check finds the file sound. */
void harness_pdf_sound(const harness_http_response_t *pdf);

#endif
