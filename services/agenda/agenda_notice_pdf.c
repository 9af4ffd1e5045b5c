/* The notice as PDF, drawn with cairo's PDF surface and laid out by pango
 * (Debian: libcairo2, libpango-1.0): the heading, the agenda table
 * (Kl. | Saksnr. | Saker | Ansvarlig innleder | Tid) repeated on each page
 * it runs over, then one SAKSFREMLEGG a case, each on a page of its own.
 * Fonts (DejaVu Sans) are embedded as subsets by cairo. No I/O but the
 * bytes it returns. */
#include "agenda_notice.h"
#include "agenda_notice_pdf.h"
#include "agenda_server.h"
#include "samhand_time.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <pango/pangocairo.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A4 in points, margins of 2 cm */
#define S_PAGE_W 595.276
#define S_PAGE_H 841.89
#define S_MARGIN 56.69
#define S_TEXT_W (S_PAGE_W - 2 * S_MARGIN)
#define S_BOTTOM (S_PAGE_H - S_MARGIN)
#define S_PAD 3.0 /* inside a table cell */

#define S_FONT "DejaVu Sans 10"
#define S_FONT_BOLD "DejaVu Sans Bold 10"
#define S_FONT_SMALL "DejaVu Sans 8"
#define S_FONT_TITLE "DejaVu Sans Bold 16"
#define S_FONT_HEAD "DejaVu Sans Bold 12"

typedef struct {
    cairo_surface_t *surface;
    cairo_t *cr;
    PangoFontMap *fonts;
    PangoContext *pango;
    double y; /* where the next block starts */
    int page;
} s_doc_t;

/* The agenda table's columns: widths in points, the last right-aligned. */
static const struct {
    const char *label;
    double width;
} s_columns[] = {
    {"Kl.", 72}, {"Saksnr.", 50}, {"Saker", 0 /* the rest */}, {"Ansvarlig innleder", 124},
    {"Tid", 34},
};
#define S_N_COLUMNS (sizeof s_columns / sizeof s_columns[0])

static double s_column_width(size_t i)
{
    if (s_columns[i].width > 0)
        return s_columns[i].width;
    double rest = S_TEXT_W;
    for (size_t j = 0; j < S_N_COLUMNS; j++)
        rest -= s_columns[j].width;
    return rest;
}

static cairo_status_t s_on_write(void *closure, const unsigned char *data, unsigned int length)
{
    return fwrite(data, 1, length, closure) == length ? CAIRO_STATUS_SUCCESS
                                                      : CAIRO_STATUS_WRITE_ERROR;
}

static PangoLayout *s_layout(s_doc_t *doc, const char *text, const char *font, double width)
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

static double s_height(PangoLayout *layout)
{
    int w, h;
    pango_layout_get_size(layout, &w, &h);
    return (double)h / PANGO_SCALE;
}

static void s_footer(s_doc_t *doc)
{
    char text[32];
    snprintf(text, sizeof text, "Side %d", doc->page);
    PangoLayout *layout = s_layout(doc, text, S_FONT_SMALL, S_TEXT_W);
    pango_layout_set_alignment(layout, PANGO_ALIGN_RIGHT);
    cairo_move_to(doc->cr, S_MARGIN, S_BOTTOM + 18);
    pango_cairo_show_layout(doc->cr, layout);
    g_object_unref(layout);
}

static void s_new_page(s_doc_t *doc)
{
    s_footer(doc);
    cairo_show_page(doc->cr);
    doc->page++;
    doc->y = S_MARGIN;
}

/* Text from the left margin + `indent`, broken over pages line by line;
 * `space` points above it. */
static void s_text(s_doc_t *doc, const char *text, const char *font, double indent, double space)
{
    if (!text || !text[0])
        return;
    PangoLayout *layout = s_layout(doc, text, font, S_TEXT_W - indent);
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
        if (doc->y + (line_y - top) + line_h > S_BOTTOM) {
            s_new_page(doc);
            top = line_y;
        }
        double baseline = (double)pango_layout_iter_get_baseline(iter) / PANGO_SCALE;
        cairo_move_to(doc->cr, S_MARGIN + indent, doc->y + (baseline - top));
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

/* A numbered or bulleted entry: the mark in the margin, the text hanging. */
static void s_entry(s_doc_t *doc, const char *mark, const char *text)
{
    PangoLayout *layout = s_layout(doc, mark, S_FONT, 18);
    if (doc->y + s_height(layout) + 2 > S_BOTTOM)
        s_new_page(doc);
    cairo_move_to(doc->cr, S_MARGIN + 6, doc->y + 2);
    pango_cairo_show_layout(doc->cr, layout);
    g_object_unref(layout);
    s_text(doc, text, S_FONT, 26, 2);
}

static void s_rule(s_doc_t *doc)
{
    doc->y += 3;
    cairo_move_to(doc->cr, S_MARGIN, doc->y);
    cairo_line_to(doc->cr, S_MARGIN + S_TEXT_W, doc->y);
    cairo_set_line_width(doc->cr, 0.75);
    cairo_stroke(doc->cr);
    doc->y += 3;
}

/* One row of the table from its cells' text; a row does not break over
 * pages, so one that does not fit starts a new page under the header. */
static void s_row(s_doc_t *doc, const char *const cells[S_N_COLUMNS], bool is_header, bool is_grey);

static void s_table_header(s_doc_t *doc)
{
    const char *cells[S_N_COLUMNS];
    for (size_t i = 0; i < S_N_COLUMNS; i++)
        cells[i] = s_columns[i].label;
    s_row(doc, cells, true, false);
}

static void s_row(s_doc_t *doc, const char *const cells[S_N_COLUMNS], bool is_header, bool is_grey)
{
    const char *font = is_header ? S_FONT_BOLD : S_FONT;
    PangoLayout *layouts[S_N_COLUMNS];
    double height = 0;
    for (size_t i = 0; i < S_N_COLUMNS; i++) {
        layouts[i] = s_layout(doc, cells[i] ? cells[i] : "", font, s_column_width(i) - 2 * S_PAD);
        if (i == S_N_COLUMNS - 1)
            pango_layout_set_alignment(layouts[i], PANGO_ALIGN_RIGHT);
        double h = s_height(layouts[i]);
        height = h > height ? h : height;
    }
    height += 2 * S_PAD;
    if (doc->y + height > S_BOTTOM && doc->y > S_MARGIN) {
        s_new_page(doc);
        if (!is_header)
            s_table_header(doc);
    }
    double x = S_MARGIN;
    cairo_set_line_width(doc->cr, 0.5);
    for (size_t i = 0; i < S_N_COLUMNS; i++) {
        double w = s_column_width(i);
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

static void s_agenda(s_doc_t *doc, const Samhand__V1__Meeting *m)
{
    s_text(doc, "SAKSLISTE", S_FONT_HEAD, 0, 14);
    doc->y += 6;
    s_table_header(doc);
    for (size_t i = 0; i < m->n_items; i++) {
        const Samhand__V1__AgendaItem *item = m->items[i];
        char span[16] = "", minutes[16] = "", *saker = NULL, *presenters = NULL;
        size_t saker_len = 0, presenters_len = 0;
        if (!item->is_withdrawn) {
            char a[6], b[6];
            time_format_clock(item->start_time->seconds, a);
            time_format_clock(item->end_time->seconds, b);
            snprintf(span, sizeof span, "%s–%s", a, b);
            snprintf(minutes, sizeof minutes, "%d", item->duration_min);
        }
        FILE *out = open_memstream(&saker, &saker_len);
        fputs(item->title, out);
        if (item->carried_from_item_id[0]) {
            fputc('\n', out);
            agenda_carried_from_plain(out, item);
        }
        if (item->is_withdrawn)
            fputs(" (trukket)", out);
        else if (item->description[0])
            fprintf(out, "\n%s", item->description);
        fclose(out);
        out = open_memstream(&presenters, &presenters_len);
        for (size_t j = 0; j < item->n_presenters; j++)
            fprintf(out, "%s%s", j ? "\n" : "", item->presenters[j]);
        fclose(out);
        const char *cells[S_N_COLUMNS] = {span, item->case_number, saker, presenters, minutes};
        s_row(doc, cells, false, item->is_withdrawn);
        free(saker);
        free(presenters);
    }
}

static void s_names(s_doc_t *doc, const char *label, char **names, size_t n)
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
    s_text(doc, text, S_FONT, 0, 0);
    free(text);
}

static const Samhand__V1__AgendaItem *s_item_of(const Samhand__V1__Meeting *m,
                                                const Samhand__V1__CaseDocument *case_doc)
{
    for (size_t i = 0; i < m->n_items; i++)
        if (strcmp(m->items[i]->id, case_doc->item_id) == 0)
            return m->items[i];
    return NULL;
}

static void s_case_document(s_doc_t *doc, const agenda_notice_t *notice,
                            const Samhand__V1__CaseDocument *case_doc, const char *date)
{
    const Samhand__V1__AgendaItem *item = s_item_of(notice->meeting, case_doc);
    if (!item)
        return;
    s_new_page(doc);
    s_text(doc, "SAKSFREMLEGG", S_FONT_TITLE, 0, 0);
    char *sak = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&sak, &len);
    fprintf(out, "Sak: %s  %s", item->case_number, item->title);
    fclose(out);
    s_text(doc, sak, S_FONT_BOLD, 0, 12);
    free(sak);
    s_rule(doc);
    char line[600];
    snprintf(line, sizeof line, "Utvalg: %s", notice->committee->name);
    s_text(doc, line, S_FONT, 0, 4);
    snprintf(line, sizeof line, "Dato: %s", date);
    s_text(doc, line, S_FONT, 0, 0);
    s_names(doc, "Saksansvarlig", case_doc->responsible, case_doc->n_responsible);
    s_names(doc, "Saksbehandler", case_doc->case_officers, case_doc->n_case_officers);
    if (case_doc->n_proposed_decisions > 0) {
        s_text(doc, "Forslag til vedtak", S_FONT_HEAD, 0, 14);
        for (size_t i = 0; i < case_doc->n_proposed_decisions; i++) {
            char mark[24];
            snprintf(mark, sizeof mark, "%zu.", i + 1);
            s_entry(doc, mark, case_doc->proposed_decisions[i]);
        }
    }
    if (case_doc->n_attachments > 0) {
        s_text(doc, "Vedlegg", S_FONT_HEAD, 0, 14);
        for (size_t i = 0; i < case_doc->n_attachments; i++)
            s_entry(doc, "•", case_doc->attachments[i]->filename);
    }
    if (case_doc->background[0]) {
        s_text(doc, "Bakgrunn og saksopplysninger", S_FONT_HEAD, 0, 14);
        s_text(doc, case_doc->background, S_FONT, 0, 4);
    }
    if (case_doc->assessment[0]) {
        s_text(doc, "Vurdering og anbefaling", S_FONT_HEAD, 0, 14);
        s_text(doc, case_doc->assessment, S_FONT, 0, 4);
    }
}

const char *agenda_meeting_kind_text(int kind)
{
    switch (kind) {
    case SAMHAND__V1__MEETING__KIND__EXTRAORDINARY:
        return "Ekstraordinært møte";
    case SAMHAND__V1__MEETING__KIND__EMERGENCY:
        return "Beredskapsmøte";
    default:
        return NULL;
    }
}

static void s_heading(s_doc_t *doc, const agenda_notice_t *notice, const char *date)
{
    const Samhand__V1__Meeting *m = notice->meeting;
    char line[1200], from[6], to[6];
    s_text(doc, notice->heading, S_FONT_TITLE, 0, 0);
    snprintf(line, sizeof line, "Utvalg: %s", notice->committee->name);
    s_text(doc, line, S_FONT, 0, 12);
    if (m->title[0]) {
        snprintf(line, sizeof line, "Møte: %s", m->title);
        s_text(doc, line, S_FONT, 0, 0);
    }
    if (agenda_meeting_kind_text(m->kind)) {
        snprintf(line, sizeof line, "Møtetype: %s", agenda_meeting_kind_text(m->kind));
        s_text(doc, line, S_FONT, 0, 0);
    }
    snprintf(line, sizeof line, "Møtested: %s%s%s", m->place,
             m->place[0] && m->online_url[0] ? ", " : "", m->online_url);
    s_text(doc, line, S_FONT, 0, 0);
    time_format_clock(m->start_time->seconds, from);
    time_format_clock(m->end_time->seconds, to);
    snprintf(line, sizeof line, "Møtedato: %s kl. %s–%s", date, from, to);
    s_text(doc, line, S_FONT, 0, 0);
    if (notice->chair) {
        snprintf(line, sizeof line, "Møteleder: %s", notice->chair->name);
        s_text(doc, line, S_FONT, 0, 0);
    }
    if (m->state == SAMHAND__V1__MEETING__STATE__CANCELLED) {
        snprintf(line, sizeof line, "Møtet er avlyst. %s", m->cancel_reason);
        s_text(doc, line, S_FONT_BOLD, 0, 10);
    }
    if (notice->n_changes > 0) {
        if (notice->is_drafted)
            snprintf(line, sizeof line, "Endringer siden innkalling %d, ikke sendt ut",
                     m->notice_version);
        else
            snprintf(line, sizeof line, "Endringer i tilleggsinnkalling %d", m->notice_version - 1);
        s_text(doc, line, S_FONT_HEAD, 0, 14);
        for (size_t i = 0; i < notice->n_changes; i++)
            s_entry(doc, "•", notice->changes[i]);
    }
}

char *agenda_notice_pdf(const agenda_notice_t *notice, size_t *len, const char **error)
{
    const Samhand__V1__Meeting *m = notice->meeting;
    char *bytes = NULL;
    FILE *out = open_memstream(&bytes, len);
    s_doc_t doc = {.y = S_MARGIN, .page = 1};
    doc.surface = cairo_pdf_surface_create_for_stream(s_on_write, out, S_PAGE_W, S_PAGE_H);
    char date[11], title[600];
    time_format_date(m->start_time->seconds, date);
    snprintf(title, sizeof title, "%s – %s %s", notice->heading,
             notice->committee->short_name[0] ? notice->committee->short_name
                                              : notice->committee->name,
             date);
    cairo_pdf_surface_set_metadata(doc.surface, CAIRO_PDF_METADATA_TITLE, title);
    cairo_pdf_surface_set_metadata(doc.surface, CAIRO_PDF_METADATA_SUBJECT, "Møteinnkalling");
    cairo_pdf_surface_set_metadata(doc.surface, CAIRO_PDF_METADATA_CREATOR, "samhand");
    doc.cr = cairo_create(doc.surface);
    /* a font map of its own, let go of with the document */
    doc.fonts = pango_cairo_font_map_new();
    doc.pango = pango_font_map_create_context(doc.fonts);
    pango_cairo_context_set_resolution(doc.pango, 72); /* font sizes in points */
    cairo_font_options_t *options = cairo_font_options_create();
    cairo_font_options_set_hint_metrics(options, CAIRO_HINT_METRICS_OFF);
    cairo_font_options_set_hint_style(options, CAIRO_HINT_STYLE_NONE);
    pango_cairo_context_set_font_options(doc.pango, options);
    cairo_font_options_destroy(options);
    PangoLanguage *nb = pango_language_from_string("nb");
    pango_context_set_language(doc.pango, nb);

    s_heading(&doc, notice, date);
    s_agenda(&doc, m);
    for (size_t i = 0; i < notice->n_case_docs; i++)
        s_case_document(&doc, notice, notice->case_docs[i], date);
    s_footer(&doc);

    g_object_unref(doc.pango);
    g_object_unref(doc.fonts);
    cairo_destroy(doc.cr);
    cairo_surface_finish(doc.surface);
    cairo_status_t status = cairo_surface_status(doc.surface);
    cairo_surface_destroy(doc.surface);
    fclose(out);
    if (status != CAIRO_STATUS_SUCCESS) {
        *error = cairo_status_to_string(status);
        free(bytes);
        return NULL;
    }
    return bytes;
}
