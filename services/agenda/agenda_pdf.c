/* The drawing the agenda's PDF documents share, on cairo's PDF surface
 * (Debian: libcairo2) laid out by pango (libpango-1.0): page, fonts,
 * layouts, text over pages, entries, rules, footer and tables with their
 * header repeated. Fonts (DejaVu Sans) are embedded as subsets by cairo.
 * No I/O but the bytes it returns. */
#include "agenda_pdf.h"
#include "samhand_pdfa.h"

#include <cairo-pdf.h>

#include <assert.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* sRGB IEC61966-2.1 (Debian's icc-profiles-free), embedded by the build */
extern const unsigned char agenda_srgb_icc[];
extern const size_t agenda_srgb_icc_len;

#define S_PAD 3.0 /* inside a table cell */

static double s_column_width(const agenda_pdf_table_t *table, size_t i)
{
    if (table->columns[i].width > 0)
        return table->columns[i].width;
    double rest = AGENDA_PDF_TEXT_W;
    for (size_t j = 0; j < table->n_columns; j++)
        rest -= table->columns[j].width;
    return rest;
}

static cairo_status_t s_on_write(void *closure, const unsigned char *data, unsigned int length)
{
    return fwrite(data, 1, length, closure) == length ? CAIRO_STATUS_SUCCESS
                                                      : CAIRO_STATUS_WRITE_ERROR;
}

void agenda_pdf_begin(agenda_pdf_t *doc)
{
    *doc = (agenda_pdf_t){.y = AGENDA_PDF_MARGIN, .page = 1};
    doc->out = open_memstream(&doc->bytes, &doc->len);
    doc->surface = cairo_pdf_surface_create_for_stream(s_on_write, doc->out, AGENDA_PDF_PAGE_W,
                                                       AGENDA_PDF_PAGE_H);
    doc->cr = cairo_create(doc->surface);
    /* a font map of its own, let go of with the document */
    doc->fonts = pango_cairo_font_map_new();
    doc->pango = pango_font_map_create_context(doc->fonts);
    pango_cairo_context_set_resolution(doc->pango, 72); /* font sizes in points */
    cairo_font_options_t *options = cairo_font_options_create();
    cairo_font_options_set_hint_metrics(options, CAIRO_HINT_METRICS_OFF);
    cairo_font_options_set_hint_style(options, CAIRO_HINT_STYLE_NONE);
    pango_cairo_context_set_font_options(doc->pango, options);
    cairo_font_options_destroy(options);
    PangoLanguage *nb = pango_language_from_string("nb");
    pango_context_set_language(doc->pango, nb);
}

static void s_footer(agenda_pdf_t *doc)
{
    char text[32];
    snprintf(text, sizeof text, "Side %d", doc->page);
    PangoLayout *layout = agenda_pdf_layout(doc, text, AGENDA_PDF_FONT_SMALL, AGENDA_PDF_TEXT_W);
    pango_layout_set_alignment(layout, PANGO_ALIGN_RIGHT);
    cairo_move_to(doc->cr, AGENDA_PDF_MARGIN, AGENDA_PDF_BOTTOM + 18);
    pango_cairo_show_layout(doc->cr, layout);
    g_object_unref(layout);
}

void agenda_pdf_describe(agenda_pdf_t *doc, const char *title, const char *author,
                         const char *subject)
{
    doc->title = title, doc->author = author, doc->subject = subject;
    cairo_pdf_surface_set_metadata(doc->surface, CAIRO_PDF_METADATA_TITLE, title);
    if (author)
        cairo_pdf_surface_set_metadata(doc->surface, CAIRO_PDF_METADATA_AUTHOR, author);
    cairo_pdf_surface_set_metadata(doc->surface, CAIRO_PDF_METADATA_SUBJECT, subject);
    cairo_pdf_surface_set_metadata(doc->surface, CAIRO_PDF_METADATA_CREATOR, "samhand");
}

char *agenda_pdf_end(agenda_pdf_t *doc, size_t *len, const char **error)
{
    s_footer(doc);
    g_object_unref(doc->pango);
    g_object_unref(doc->fonts);
    cairo_destroy(doc->cr);
    cairo_surface_finish(doc->surface);
    cairo_status_t status = cairo_surface_status(doc->surface);
    cairo_surface_destroy(doc->surface);
    fclose(doc->out);
    char *bytes = doc->bytes;
    size_t n = doc->len;
    pdfa_meta_t meta = {.title = doc->title,
                        .author = doc->author,
                        .subject = doc->subject,
                        .creator = "samhand",
                        .created = time(NULL),
                        .icc = agenda_srgb_icc,
                        .icc_len = agenda_srgb_icc_len,
                        .icc_name = "sRGB IEC61966-2.1"};
    *doc = (agenda_pdf_t){0};
    if (status != CAIRO_STATUS_SUCCESS) {
        *error = cairo_status_to_string(status);
        free(bytes);
        return NULL;
    }
    char *archived = pdfa_2b(bytes, n, &meta, len, error);
    free(bytes);
    return archived;
}

PangoLayout *agenda_pdf_layout(agenda_pdf_t *doc, const char *text, const char *font, double width)
{
    PangoLayout *layout = pango_layout_new(doc->pango);
    PangoFontDescription *desc = pango_font_description_from_string(font);
    pango_layout_set_font_description(layout, desc);
    pango_font_description_free(desc);
    pango_layout_set_width(layout, (int)(width * PANGO_SCALE));
    pango_layout_set_wrap(layout, PANGO_WRAP_WORD_CHAR);
    /* no kerning: text tools read a kerned pair («To») as two words */
    PangoAttrList *attrs = pango_attr_list_new();
    pango_attr_list_insert(attrs, pango_attr_font_features_new("kern 0"));
    pango_layout_set_attributes(layout, attrs);
    pango_attr_list_unref(attrs);
    pango_layout_set_text(layout, text, -1);
    return layout;
}

double agenda_pdf_height(PangoLayout *layout)
{
    int w, h;
    pango_layout_get_size(layout, &w, &h);
    return (double)h / PANGO_SCALE;
}

void agenda_pdf_new_page(agenda_pdf_t *doc)
{
    s_footer(doc);
    cairo_show_page(doc->cr);
    doc->page++;
    doc->y = AGENDA_PDF_MARGIN;
}

void agenda_pdf_text(agenda_pdf_t *doc, const char *text, const char *font, double indent,
                     double space)
{
    if (!text || !text[0])
        return;
    PangoLayout *layout = agenda_pdf_layout(doc, text, font, AGENDA_PDF_TEXT_W - indent);
    doc->y += space;
    PangoLayoutIter *iter = pango_layout_get_iter(layout);
    double top = 0; /* of the layout, in its own coordinates, on this page */
    bool is_first = true;
    do {
        PangoRectangle line;
        pango_layout_iter_get_line_extents(iter, NULL, &line);
        double line_y = (double)line.y / PANGO_SCALE, line_h = (double)line.height / PANGO_SCALE;
        if (is_first)
            top = line_y;
        if (doc->y + (line_y - top) + line_h > AGENDA_PDF_BOTTOM) {
            agenda_pdf_new_page(doc);
            top = line_y;
        }
        double baseline = (double)pango_layout_iter_get_baseline(iter) / PANGO_SCALE;
        cairo_move_to(doc->cr, AGENDA_PDF_MARGIN + indent, doc->y + (baseline - top));
        pango_cairo_show_layout_line(doc->cr, pango_layout_iter_get_line_readonly(iter));
        is_first = false;
        if (!pango_layout_iter_next_line(iter)) {
            doc->y += line_y - top + line_h;
            break;
        }
    } while (true);
    pango_layout_iter_free(iter);
    g_object_unref(layout);
}

void agenda_pdf_entry(agenda_pdf_t *doc, const char *mark, const char *text)
{
    PangoLayout *layout = agenda_pdf_layout(doc, mark, AGENDA_PDF_FONT, 18);
    if (doc->y + agenda_pdf_height(layout) + 2 > AGENDA_PDF_BOTTOM)
        agenda_pdf_new_page(doc);
    cairo_move_to(doc->cr, AGENDA_PDF_MARGIN + 6, doc->y + 2);
    pango_cairo_show_layout(doc->cr, layout);
    g_object_unref(layout);
    agenda_pdf_text(doc, text, AGENDA_PDF_FONT, 26, 2);
}

void agenda_pdf_rule(agenda_pdf_t *doc)
{
    doc->y += 3;
    cairo_move_to(doc->cr, AGENDA_PDF_MARGIN, doc->y);
    cairo_line_to(doc->cr, AGENDA_PDF_MARGIN + AGENDA_PDF_TEXT_W, doc->y);
    cairo_set_line_width(doc->cr, 0.75);
    cairo_stroke(doc->cr);
    doc->y += 3;
}

void agenda_pdf_names(agenda_pdf_t *doc, const char *label, char **names, size_t n)
{
    if (n == 0)
        return;
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    fprintf(out, "%s: ", label);
    for (size_t i = 0; i < n; i++)
        fprintf(out, "%s%s", i ? "/" : "", names[i]);
    fclose(out);
    agenda_pdf_text(doc, text, AGENDA_PDF_FONT, 0, 0);
    free(text);
}

void agenda_pdf_table_header(agenda_pdf_t *doc, const agenda_pdf_table_t *table)
{
    const char *cells[AGENDA_PDF_COLUMNS_MAX];
    for (size_t i = 0; i < table->n_columns; i++)
        cells[i] = table->columns[i].label;
    agenda_pdf_row(doc, table, cells, true, false);
}

void agenda_pdf_row(agenda_pdf_t *doc, const agenda_pdf_table_t *table, const char *const *cells,
                    bool is_header, bool is_grey)
{
    assert(table->n_columns <= AGENDA_PDF_COLUMNS_MAX);
    const char *font = is_header ? AGENDA_PDF_FONT_BOLD : AGENDA_PDF_FONT;
    PangoLayout *layouts[AGENDA_PDF_COLUMNS_MAX];
    double height = 0;
    for (size_t i = 0; i < table->n_columns; i++) {
        layouts[i] = agenda_pdf_layout(doc, cells[i] ? cells[i] : "", font,
                                       s_column_width(table, i) - 2 * S_PAD);
        if (i == table->n_columns - 1)
            pango_layout_set_alignment(layouts[i], PANGO_ALIGN_RIGHT);
        double h = agenda_pdf_height(layouts[i]);
        height = h > height ? h : height;
    }
    height += 2 * S_PAD;
    if (doc->y + height > AGENDA_PDF_BOTTOM && doc->y > AGENDA_PDF_MARGIN) {
        agenda_pdf_new_page(doc);
        if (!is_header)
            agenda_pdf_table_header(doc, table);
    }
    double x = AGENDA_PDF_MARGIN;
    cairo_set_line_width(doc->cr, 0.5);
    for (size_t i = 0; i < table->n_columns; i++) {
        double w = s_column_width(table, i);
        cairo_set_source_rgb(doc->cr, 0.53, 0.53, 0.53);
        cairo_rectangle(doc->cr, x, doc->y, w, height);
        cairo_stroke(doc->cr);
        double grey = is_grey ? 0.4 : 0;
        cairo_set_source_rgb(doc->cr, grey, grey, grey);
        cairo_move_to(doc->cr, x + S_PAD, doc->y + S_PAD);
        pango_cairo_show_layout(doc->cr, layouts[i]);
        g_object_unref(layouts[i]);
        x += w;
    }
    cairo_set_source_rgb(doc->cr, 0, 0, 0);
    doc->y += height;
}
