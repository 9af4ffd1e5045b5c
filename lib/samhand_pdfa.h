/* PDF/A-2b (ISO 19005-2, level B) for the PDF files cairo writes: an
 * incremental update that adds what cairo 1.16 does not write, the XMP
 * metadata claiming the part and level, an output intent with an RGB ICC
 * profile (cairo paints in DeviceRGB), a document information dictionary
 * that says the same as the XMP, and the file identifier. cairo already
 * embeds every font (as subsets) and encrypts nothing. Bytes in, bytes
 * out; no I/O. */
#ifndef SAMHAND_PDFA_H
#define SAMHAND_PDFA_H

#include <stddef.h>
#include <time.h>

/* What the document says of itself (UTF-8; NULL or "" for none). */
typedef struct {
    const char *title;
    const char *author;
    const char *subject;
    const char *creator; /* the application, e.g. "samhand" */
    time_t created;
    /* the output intent's profile: an ICC profile of an RGB device */
    const unsigned char *icc;
    size_t icc_len;
    const char *icc_name; /* e.g. "sRGB IEC61966-2.1" */
} pdfa_meta_t;

/* `pdf` (len bytes, a whole file with a classic cross-reference table, as
 * cairo writes it) with the update appended, in a new malloc'ed buffer of
 * *out_len bytes; NULL when the file is not one this can update (the
 * reason in *error, static): no trailer, no catalog, or a catalog that has
 * metadata or output intents of its own already. */
char *pdfa_2b(const char *pdf, size_t len, const pdfa_meta_t *meta, size_t *out_len,
              const char **error);

#endif
