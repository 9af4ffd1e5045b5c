/* The HTML escaping of every document the services render (notices,
 * minutes, reports, mails) fed hostile text: what comes out holds no
 * markup but the line breaks, and reads back as the text. */
#include "samhand_html.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    memcpy(text, data, size);
    text[size] = '\0';
    char *html = NULL;
    size_t html_len = 0;
    FILE *out = open_memstream(&html, &html_len);
    html_text(out, text);
    fclose(out);
    /* unescape: the only markup is <br>, the only entities the four */
    static const struct {
        const char *entity;
        char c;
    } entities[] = {{"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"<br>", '\n'}};
    size_t j = 0;
    for (size_t i = 0; i < html_len;) {
        size_t k = 0;
        while (k < sizeof entities / sizeof entities[0] &&
               strncmp(html + i, entities[k].entity, strlen(entities[k].entity)) != 0)
            k++;
        char c;
        if (k < sizeof entities / sizeof entities[0]) {
            c = entities[k].c;
            i += strlen(entities[k].entity);
        } else {
            c = html[i++];
            if (c == '<' || c == '>' || c == '"' || c == '&')
                abort(); /* markup from the text */
        }
        if (text[j++] != c)
            abort();
    }
    if (text[j] != '\0')
        abort();
    free(html);
    free(text);
    return 0;
}
