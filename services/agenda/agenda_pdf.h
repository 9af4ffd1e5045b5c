/* The drawing the agenda's PDF documents share (the notice, the minutes):
 * an A4 page with margins, pango layouts in DejaVu Sans embedded by cairo
 * as subsets, text broken over pages line by line, numbered entries, rules,
 * a page footer, and tables whose header repeats on every page they run
 * over. A document is drawn into memory; no other I/O. */
#ifndef AGENDA_PDF_H
#define AGENDA_PDF_H

#include <cairo.h>
#include <pango/pangocairo.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* A4 in points, margins of 2 cm */
#define AGENDA_PDF_PAGE_W 595.276
#define AGENDA_PDF_PAGE_H 841.89
#define AGENDA_PDF_MARGIN 56.69
#define AGENDA_PDF_TEXT_W (AGENDA_PDF_PAGE_W - 2 * AGENDA_PDF_MARGIN)
#define AGENDA_PDF_BOTTOM (AGENDA_PDF_PAGE_H - AGENDA_PDF_MARGIN)

#define AGENDA_PDF_FONT "DejaVu Sans 10"
#define AGENDA_PDF_FONT_BOLD "DejaVu Sans Bold 10"
#define AGENDA_PDF_FONT_SMALL "DejaVu Sans 8"
#define AGENDA_PDF_FONT_TITLE "DejaVu Sans Bold 16"
#define AGENDA_PDF_FONT_HEAD "DejaVu Sans Bold 12"

#define AGENDA_PDF_COLUMNS_MAX 8

/* A table's column: its label in the header and its width in points (0:
 * what the other columns leave of the text width). */
typedef struct {
    const char *label;
    double width;
} agenda_pdf_column_t;

/* A table: its columns, the last right-aligned. */
typedef struct {
    const agenda_pdf_column_t *columns;
    size_t n_columns; /* at most AGENDA_PDF_COLUMNS_MAX */
} agenda_pdf_table_t;

/* One document being drawn; owned by its caller between _begin and _end. */
typedef struct {
    cairo_surface_t *surface;
    cairo_t *cr;
    PangoFontMap *fonts;
    PangoContext *pango;
    FILE *out;
    char *bytes;
    size_t len;
    double y; /* where the next block starts */
    int page;
    /* what the document says of itself (agenda_pdf_describe); borrowed */
    const char *title, *author, *subject;
} agenda_pdf_t;

/* Starts a document of A4 pages into memory, its first page open. */
void agenda_pdf_begin(agenda_pdf_t *doc);

/* The document's title, author (NULL for none) and subject, in its
 * information dictionary and its XMP metadata; the strings must live until
 * agenda_pdf_end. */
void agenda_pdf_describe(agenda_pdf_t *doc, const char *title, const char *author,
                         const char *subject);

/* Ends the document with the last page's footer and lets go of everything
 * drawing held. Returns the PDF's bytes as PDF/A-2b (samhand_pdfa.h: the
 * XMP claim, the sRGB output intent, cairo's fonts embedded) for the
 * caller to free, their length in *len, or NULL when cairo failed (the
 * cause in *error, static). */
char *agenda_pdf_end(agenda_pdf_t *doc, size_t *len, const char **error);

/* A layout of `text` in `font`, `width` points wide, words wrapped and no
 * kerning; the caller unrefs it (g_object_unref). */
PangoLayout *agenda_pdf_layout(agenda_pdf_t *doc, const char *text, const char *font, double width);

/* The layout's height in points. */
double agenda_pdf_height(PangoLayout *layout);

/* Ends the page with its footer («Side N») and opens the next. */
void agenda_pdf_new_page(agenda_pdf_t *doc);

/* Text from the left margin + `indent`, broken over pages line by line;
 * `space` points above it. Nothing for NULL or "". */
void agenda_pdf_text(agenda_pdf_t *doc, const char *text, const char *font, double indent,
                     double space);

/* A numbered or bulleted entry: the mark in the margin, the text hanging. */
void agenda_pdf_entry(agenda_pdf_t *doc, const char *mark, const char *text);

/* A thin line across the text width. */
void agenda_pdf_rule(agenda_pdf_t *doc);

/* «label: a/b/c» on a line of its own; nothing when n is 0. */
void agenda_pdf_names(agenda_pdf_t *doc, const char *label, char **names, size_t n);

/* The table's header row. */
void agenda_pdf_table_header(agenda_pdf_t *doc, const agenda_pdf_table_t *table);

/* One row of the table from its cells' text (NULL: empty); a row does not
 * break over pages, so one that does not fit starts a new page under the
 * header. `is_grey`: the text in grey (a withdrawn item). */
void agenda_pdf_row(agenda_pdf_t *doc, const agenda_pdf_table_t *table, const char *const *cells,
                    bool is_header, bool is_grey);

#endif
