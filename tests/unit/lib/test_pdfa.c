/* lib/samhand_pdfa: cairo's PDF made PDF/A-2b by an incremental update,
 * read back by qpdf, poppler and xmllint. */
#include "harness_pdf.h"
#include "samhand_pdfa.h"

#include <cairo-pdf.h>
#include <cairo.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static cairo_status_t s_write(void *closure, const unsigned char *data, unsigned int length)
{
    return fwrite(data, 1, length, closure) == length ? CAIRO_STATUS_SUCCESS
                                                      : CAIRO_STATUS_WRITE_ERROR;
}

/* A page of Norwegian text as cairo writes it, its title set (so cairo
 * writes an information dictionary that the update must replace). */
static char *s_cairo_pdf(const char *title, size_t *len)
{
    char *bytes = NULL;
    FILE *out = open_memstream(&bytes, len);
    cairo_surface_t *surface = cairo_pdf_surface_create_for_stream(s_write, out, 595.276, 841.89);
    cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE, title);
    cairo_t *cr = cairo_create(surface);
    cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
    cairo_move_to(cr, 56, 80);
    cairo_show_text(cr, "Sak 1/23 Godkjenning av innkalling og saksliste – æøå");
    cairo_show_page(cr);
    cairo_destroy(cr);
    cairo_surface_finish(surface);
    assert_int_equal(cairo_surface_status(surface), CAIRO_STATUS_SUCCESS);
    cairo_surface_destroy(surface);
    fclose(out);
    return bytes;
}

static unsigned char s_icc[65536];
static size_t s_icc_len;

static pdfa_meta_t s_meta(const char *title)
{
    if (!s_icc_len) {
        FILE *f = fopen("/usr/share/color/icc/sRGB.icc", "rb");
        assert_non_null(f);
        s_icc_len = fread(s_icc, 1, sizeof s_icc, f);
        fclose(f);
    }
    return (pdfa_meta_t){.title = title,
                         .author = "Administrativt samarbeidsutvalg",
                         .subject = "Møtereferat",
                         .creator = "samhand",
                         .created = 1675850400, /* 2023-02-08 10:00 UTC */
                         .icc = s_icc,
                         .icc_len = s_icc_len,
                         .icc_name = "sRGB IEC61966-2.1"};
}

static void test_cairo_s_pdf_becomes_pdf_a_2b(void **state)
{
    (void)state;
    /* markup and Norwegian letters, as a committee's name may have them */
    const char *title = "Referat – ASU & <Helse> «Sør» 08.02.2023 æøå";
    size_t len, archived_len;
    char *pdf = s_cairo_pdf("cairo's own title", &len);
    pdfa_meta_t meta = s_meta(title);
    const char *error = NULL;
    char *archived = pdfa_2b(pdf, len, &meta, &archived_len, &error);
    assert_non_null(archived);
    assert_true(archived_len > len);
    assert_memory_equal(archived, pdf, len); /* an update: cairo's bytes stay as they were */
    harness_http_response_t file = {.body = archived, .body_len = archived_len};
    harness_pdf_sound(&file);
    harness_pdf_fonts_embedded(&file, 1);
    harness_pdf_archival(&file, title);
    int status;
    char *info = harness_http_body_through(&file, "pdfinfo %s", &status);
    assert_non_null(strstr(info, "Author:          Administrativt samarbeidsutvalg\n"));
    assert_non_null(strstr(info, "Subject:         Møtereferat\n"));
    assert_non_null(strstr(info, "Encrypted:       no\n"));
    assert_null(strstr(info, "cairo's own title"));
    free(info);
    free(archived);
    free(pdf);
}

static void test_what_is_not_cairo_s_pdf_is_refused(void **state)
{
    (void)state;
    pdfa_meta_t meta = s_meta("x");
    size_t out_len;
    const char *error = NULL;
    const char *text = "not a PDF at all";
    assert_null(pdfa_2b(text, strlen(text), &meta, &out_len, &error));
    assert_string_equal(error, "no trailer (not a PDF file with a cross-reference table)");
    /* made once, not twice: a second claim would leave two metadata streams */
    size_t len, archived_len;
    char *pdf = s_cairo_pdf("t", &len);
    char *archived = pdfa_2b(pdf, len, &meta, &archived_len, &error);
    assert_non_null(archived);
    error = NULL;
    assert_null(pdfa_2b(archived, archived_len, &meta, &out_len, &error));
    assert_string_equal(error, "the catalog has metadata or output intents already");
    free(archived);
    free(pdf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cairo_s_pdf_becomes_pdf_a_2b),
        cmocka_unit_test(test_what_is_not_cairo_s_pdf_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
