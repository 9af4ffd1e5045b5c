/* PDF/A-2b by an incremental update of cairo's file; see samhand_pdfa.h.
 * The update (ISO 32000-1 7.5.6) appends new versions of the catalog and
 * the information dictionary, three new objects (the ICC profile, the
 * output intent, the XMP metadata), a cross-reference section for them
 * and a trailer pointing back at cairo's (/Prev) with the file's /ID. */
#include "samhand_pdfa.h"
#include "samhand_html.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PDFA_PRODUCER "cairo (https://cairographics.org), PDF/A-2b by samhand"

/* The last occurrence of `needle` in the first `len` bytes of `hay`. */
static const char *s_last(const char *hay, size_t len, const char *needle)
{
    size_t n = strlen(needle);
    if (n > len)
        return NULL;
    for (size_t i = len - n + 1; i-- > 0;)
        if (memcmp(hay + i, needle, n) == 0)
            return hay + i;
    return NULL;
}

/* The integer after `key` (e.g. "/Size") within [from, to), or -1. */
static long s_number_after(const char *from, const char *to, const char *key, long *second)
{
    size_t n = strlen(key);
    for (const char *p = from; p + n < to; p++) {
        if (memcmp(p, key, n) != 0 || (p[n] != ' ' && p[n] != '\n' && p[n] != '\r'))
            continue;
        char *end;
        long value = strtol(p + n, &end, 10);
        if (end == p + n || value < 0)
            return -1;
        if (second)
            *second = strtol(end, NULL, 10);
        return value;
    }
    return -1;
}

/* Where object `number` (generation 0) starts in the file: its last
 * definition, at the start of a line. */
static const char *s_object(const char *pdf, size_t len, long number)
{
    char head[32];
    snprintf(head, sizeof head, "\n%ld 0 obj", number);
    const char *p = s_last(pdf, len, head);
    return p ? p + 1 : NULL;
}

/* The inside of the dictionary that starts at the first "<<" after
 * `from`: *inner and *inner_len, nested dictionaries whole. */
static bool s_dictionary(const char *from, const char *end, const char **inner, size_t *inner_len)
{
    const char *open = NULL;
    for (const char *p = from; p + 1 < end; p++)
        if (p[0] == '<' && p[1] == '<') {
            open = p;
            break;
        }
    if (!open)
        return false;
    int depth = 0;
    for (const char *p = open; p + 1 < end; p++) {
        if (p[0] == '<' && p[1] == '<') {
            depth++, p++;
        } else if (p[0] == '>' && p[1] == '>') {
            if (--depth == 0) {
                *inner = open + 2;
                *inner_len = (size_t)(p - open - 2);
                return true;
            }
            p++;
        }
    }
    return false;
}

/* UTF-8 as a PDF text string in UTF-16BE with its byte order mark, hex. */
static void s_text_string(FILE *out, const char *utf8)
{
    fputs("<FEFF", out);
    const unsigned char *s = (const unsigned char *)utf8;
    while (*s) {
        uint32_t c = *s++;
        int more = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : 0;
        if (more)
            c &= 0x3F >> more;
        for (; more > 0 && (*s & 0xC0) == 0x80; more--)
            c = (c << 6) | (*s++ & 0x3F);
        if (more > 0 || (c >= 0x80 && c < 0xA0) || c > 0x10FFFF)
            c = 0xFFFD; /* cut short or not a character */
        if (c >= 0x10000) {
            c -= 0x10000;
            fprintf(out, "%04X%04X", 0xD800 + (c >> 10), 0xDC00 + (c & 0x3FF));
        } else {
            fprintf(out, "%04X", c);
        }
    }
    fputc('>', out);
}

static bool s_given(const char *s)
{
    return s && s[0];
}

/* The XMP packet: the PDF/A claim and what the information dictionary
 * says, in its XMP properties (ISO 19005-2 6.6.2.3). */
static char *s_xmp(const pdfa_meta_t *meta, const char *date, size_t *len)
{
    char *text = NULL;
    FILE *out = open_memstream(&text, len);
    fputs("<?xpacket begin=\"\xEF\xBB\xBF\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n"
          "<x:xmpmeta xmlns:x=\"adobe:ns:meta/\">\n"
          " <rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n"
          "  <rdf:Description rdf:about=\"\"\n"
          "    xmlns:dc=\"http://purl.org/dc/elements/1.1/\"\n"
          "    xmlns:xmp=\"http://ns.adobe.com/xap/1.0/\"\n"
          "    xmlns:pdf=\"http://ns.adobe.com/pdf/1.3/\"\n"
          "    xmlns:pdfaid=\"http://www.aiim.org/pdfa/ns/id/\">\n"
          "   <pdfaid:part>2</pdfaid:part>\n"
          "   <pdfaid:conformance>B</pdfaid:conformance>\n"
          "   <dc:format>application/pdf</dc:format>\n",
          out);
    if (s_given(meta->title)) {
        fputs("   <dc:title><rdf:Alt><rdf:li xml:lang=\"x-default\">", out);
        xml_text(out, meta->title);
        fputs("</rdf:li></rdf:Alt></dc:title>\n", out);
    }
    if (s_given(meta->author)) {
        fputs("   <dc:creator><rdf:Seq><rdf:li>", out);
        xml_text(out, meta->author);
        fputs("</rdf:li></rdf:Seq></dc:creator>\n", out);
    }
    if (s_given(meta->subject)) {
        fputs("   <dc:description><rdf:Alt><rdf:li xml:lang=\"x-default\">", out);
        xml_text(out, meta->subject);
        fputs("</rdf:li></rdf:Alt></dc:description>\n", out);
    }
    if (s_given(meta->creator)) {
        fputs("   <xmp:CreatorTool>", out);
        xml_text(out, meta->creator);
        fputs("</xmp:CreatorTool>\n", out);
    }
    fprintf(out,
            "   <xmp:CreateDate>%s</xmp:CreateDate>\n"
            "   <xmp:ModifyDate>%s</xmp:ModifyDate>\n"
            "   <xmp:MetadataDate>%s</xmp:MetadataDate>\n"
            "   <pdf:Producer>" PDFA_PRODUCER "</pdf:Producer>\n"
            "  </rdf:Description>\n"
            " </rdf:RDF>\n"
            "</x:xmpmeta>\n"
            "<?xpacket end=\"w\"?>",
            date, date, date);
    fclose(out);
    return text;
}

/* 16 bytes from the file's content (FNV-1a, twice), for its /ID */
static void s_identifier(const char *pdf, size_t len, char hex[33])
{
    uint64_t h[2] = {0xcbf29ce484222325ULL, 0x84222325cbf29ce4ULL};
    for (size_t i = 0; i < len; i++)
        for (int k = 0; k < 2; k++)
            h[k] = (h[k] ^ (unsigned char)pdf[i]) * 0x100000001b3ULL;
    snprintf(hex, 33, "%016llX%016llX", (unsigned long long)h[0], (unsigned long long)h[1]);
}

char *pdfa_2b(const char *pdf, size_t len, const pdfa_meta_t *meta, size_t *out_len,
              const char **error)
{
    const char *startxref = s_last(pdf, len, "startxref");
    const char *trailer = startxref ? s_last(pdf, (size_t)(startxref - pdf), "trailer") : NULL;
    if (!trailer) {
        *error = "no trailer (not a PDF file with a cross-reference table)";
        return NULL;
    }
    long prev = strtol(startxref + strlen("startxref"), NULL, 10);
    long size = s_number_after(trailer, startxref, "/Size", NULL);
    long root = s_number_after(trailer, startxref, "/Root", NULL);
    long info = s_number_after(trailer, startxref, "/Info", NULL);
    const char *catalog = root > 0 ? s_object(pdf, len, root) : NULL;
    const char *inner;
    size_t inner_len;
    if (prev <= 0 || size <= 0 || !catalog ||
        !s_dictionary(catalog, pdf + len, &inner, &inner_len)) {
        *error = "no catalog";
        return NULL;
    }
    char *catalog_text = strndup(inner, inner_len);
    if (strstr(catalog_text, "/Metadata") || strstr(catalog_text, "/OutputIntents")) {
        free(catalog_text);
        *error = "the catalog has metadata or output intents already";
        return NULL;
    }
    long icc = size, intent = size + 1, metadata = size + 2;
    long new_size = size + 3;
    if (info <= 0)
        info = new_size++;

    struct tm tm;
    gmtime_r(&meta->created, &tm);
    char xmp_date[32], pdf_date[32];
    strftime(xmp_date, sizeof xmp_date, "%Y-%m-%dT%H:%M:%SZ", &tm);
    strftime(pdf_date, sizeof pdf_date, "D:%Y%m%d%H%M%SZ", &tm);
    size_t xmp_len;
    char *xmp = s_xmp(meta, xmp_date, &xmp_len);

    char *bytes = NULL;
    size_t n = 0;
    FILE *out = open_memstream(&bytes, &n);
    fwrite(pdf, 1, len, out);
    if (len > 0 && pdf[len - 1] != '\n')
        fputc('\n', out);
    /* the new objects in number order, each offset kept for the xref */
    long numbers[5];
    long offsets[5];
    int k = 0;

    offsets[k] = ftell(out), numbers[k++] = icc;
    fprintf(out, "%ld 0 obj\n<< /N 3 /Length %zu >>\nstream\n", icc, meta->icc_len);
    fwrite(meta->icc, 1, meta->icc_len, out);
    fputs("\nendstream\nendobj\n", out);

    offsets[k] = ftell(out), numbers[k++] = intent;
    fprintf(out, "%ld 0 obj\n<< /Type /OutputIntent /S /GTS_PDFA1 /OutputConditionIdentifier ",
            intent);
    s_text_string(out, meta->icc_name);
    fputs(" /Info ", out);
    s_text_string(out, meta->icc_name);
    fprintf(out, " /DestOutputProfile %ld 0 R >>\nendobj\n", icc);

    /* the metadata stream is not compressed (ISO 19005-2 6.6.2.1) */
    offsets[k] = ftell(out), numbers[k++] = metadata;
    fprintf(out, "%ld 0 obj\n<< /Type /Metadata /Subtype /XML /Length %zu >>\nstream\n", metadata,
            xmp_len);
    fwrite(xmp, 1, xmp_len, out);
    fputs("\nendstream\nendobj\n", out);

    offsets[k] = ftell(out), numbers[k++] = root;
    fprintf(out, "%ld 0 obj\n<<%s /Metadata %ld 0 R /OutputIntents [%ld 0 R] >>\nendobj\n", root,
            catalog_text, metadata, intent);

    offsets[k] = ftell(out), numbers[k++] = info;
    fprintf(out, "%ld 0 obj\n<<", info);
    const char *keys[] = {"/Title", "/Author", "/Subject", "/Creator"};
    const char *values[] = {meta->title, meta->author, meta->subject, meta->creator};
    for (int i = 0; i < 4; i++)
        if (s_given(values[i])) {
            fprintf(out, " %s ", keys[i]);
            s_text_string(out, values[i]);
        }
    fprintf(out, " /Producer (" PDFA_PRODUCER ") /CreationDate (%s) /ModDate (%s) >>\nendobj\n",
            pdf_date, pdf_date);

    /* one subsection per object: the numbers are not contiguous */
    long xref = ftell(out);
    fputs("xref\n", out);
    for (int i = 0; i < k; i++)
        fprintf(out, "%ld 1\n%010ld 00000 n \n", numbers[i], offsets[i]);
    char id[33];
    s_identifier(pdf, len, id);
    fprintf(out,
            "trailer\n<< /Size %ld /Root %ld 0 R /Info %ld 0 R /Prev %ld /ID [<%s> <%s>] >>\n"
            "startxref\n%ld\n%%%%EOF\n",
            new_size, root, info, prev, id, id, xref);
    fclose(out);
    free(xmp);
    free(catalog_text);
    *out_len = n;
    return bytes;
}
