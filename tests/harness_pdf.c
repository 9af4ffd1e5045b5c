/* Reading PDFs back with pdftotext, pdffonts and qpdf, for the tests of
 * notice.pdf and minutes.pdf. */
#include "harness_pdf.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *harness_pdf_text(const harness_http_response_t *pdf)
{
    int status;
    char *text = harness_http_body_through(pdf, "pdftotext -raw -enc UTF-8 %s - 2>&1", &status);
    size_t j = 0;
    for (size_t i = 0; text[i]; i++) {
        if (text[i] == '\n' && j > 0 && text[j - 1] == '-')
            continue;
        bool space = text[i] == ' ' || text[i] == '\n' || text[i] == '\f' || text[i] == '\t';
        if (space && (j == 0 || text[j - 1] == ' '))
            continue;
        text[j++] = space ? ' ' : text[i];
    }
    text[j] = '\0';
    return text;
}

const char *harness_pdf_in_order(const char *text, const char *const *needles, size_t n)
{
    const char *at = text;
    for (size_t i = 0; i < n; i++) {
        const char *found = strstr(at, needles[i]);
        if (!found)
            fail_msg("«%s» not found after «%.80s»", needles[i], at);
        at = found + strlen(needles[i]);
    }
    return at;
}

void harness_pdf_fonts_embedded(const harness_http_response_t *pdf, size_t at_least)
{
    int status;
    char *fonts = harness_http_body_through(pdf, "pdffonts %s 2>&1", &status);
    assert_int_equal(status, 0);
    size_t n_fonts = 0;
    char *save = NULL;
    int line_no = 0;
    for (char *line = strtok_r(fonts, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        if (line_no++ < 2) /* the heading and its rule */
            continue;
        char *tokens[16];
        size_t n = 0;
        char *save_word = NULL;
        for (char *w = strtok_r(line, " ", &save_word); w && n < 16;
             w = strtok_r(NULL, " ", &save_word))
            tokens[n++] = w;
        assert_true(n >= 6);
        if (strcmp(tokens[n - 5], "yes") != 0)
            fail_msg("font %s is not embedded", tokens[0]);
        n_fonts++;
    }
    assert_true(n_fonts >= at_least);
    free(fonts);
}

void harness_pdf_sound(const harness_http_response_t *pdf)
{
    int status;
    char *check = harness_http_body_through(pdf, "qpdf --check %s 2>&1", &status);
    if (status != 0)
        fail_msg("qpdf --check: %s", check);
    free(check);
}

/* The object `ref` ("13 0 R") of qpdf's JSON (version 2) of the file. */
static json_t *s_object(json_t *objects, const char *ref)
{
    char key[64];
    snprintf(key, sizeof key, "obj:%s", ref);
    json_t *object = json_object_get(objects, key);
    if (!object)
        fail_msg("qpdf shows no object %s", ref);
    json_t *value = json_object_get(object, "value");
    if (value)
        return value;
    json_t *stream = json_object_get(object, "stream");
    if (!stream)
        fail_msg("object %s is neither a value nor a stream", ref);
    return json_object_get(stream, "dict");
}

void harness_pdf_archival(const harness_http_response_t *pdf, const char *title)
{
    int status;
    char *text = harness_http_body_through(pdf, "qpdf --json=2 --json-key=qpdf %s", &status);
    assert_int_equal(status, 0);
    json_error_t error;
    json_t *json = json_loads(text, 0, &error);
    if (!json)
        fail_msg("qpdf's JSON does not parse: %s", error.text);
    json_t *objects = json_array_get(json_object_get(json, "qpdf"), 1);
    json_t *trailer = json_object_get(json_object_get(objects, "trailer"), "value");
    assert_non_null(trailer);
    assert_int_equal(json_array_size(json_object_get(trailer, "/ID")), 2);
    json_t *catalog = s_object(objects, json_string_value(json_object_get(trailer, "/Root")));
    assert_non_null(json_object_get(catalog, "/Metadata"));
    json_t *intents = json_object_get(catalog, "/OutputIntents");
    if (json_array_size(intents) != 1)
        fail_msg("the catalog has %zu output intents", json_array_size(intents));
    json_t *intent = s_object(objects, json_string_value(json_array_get(intents, 0)));
    assert_string_equal(json_string_value(json_object_get(intent, "/S")), "/GTS_PDFA1");
    json_t *profile =
        s_object(objects, json_string_value(json_object_get(intent, "/DestOutputProfile")));
    assert_int_equal(json_integer_value(json_object_get(profile, "/N")), 3);
    json_decref(json);
    free(text);

    char *xmp =
        harness_http_body_through(pdf, "pdfinfo -meta %s | xmllint --noout - 2>&1", &status);
    if (status != 0)
        fail_msg("the XMP metadata is not well-formed XML: %s", xmp);
    free(xmp);
    xmp = harness_http_body_through(pdf, "pdfinfo -meta %s", &status);
    assert_int_equal(status, 0);
    assert_non_null(strstr(xmp, "<pdfaid:part>2</pdfaid:part>"));
    assert_non_null(strstr(xmp, "<pdfaid:conformance>B</pdfaid:conformance>"));
    free(xmp);
    /* the title as both say it, read back by poppler's XML parser and by its
     * reading of the information dictionary */
    char *info = harness_http_body_through(pdf, "pdfinfo %s", &status);
    assert_int_equal(status, 0);
    char line[1024];
    snprintf(line, sizeof line, "Title:           %s\n", title);
    if (!strstr(info, line))
        fail_msg("pdfinfo does not read the title «%s»: %s", title, info);
    free(info);
    char *xml_title = harness_http_body_through(
        pdf, "pdfinfo -meta %s | xmllint --xpath 'string(//*[local-name()=\"title\"])' -", &status);
    assert_int_equal(status, 0);
    xml_title[strcspn(xml_title, "\n")] = '\0'; /* xmllint ends it with a line feed */
    assert_string_equal(xml_title, title);
    free(xml_title);
}
