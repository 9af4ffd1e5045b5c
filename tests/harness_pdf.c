/* Reading PDFs back with pdftotext, pdffonts and qpdf, for the tests of
 * notice.pdf and minutes.pdf. */
#include "harness_pdf.h"

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
