/* The strict reading of a request's head and body framing (RFC 9112). */
#include "gateway_http1.h"
#include "gateway_problem.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* tchar of RFC 9110 5.6.2: what a token is made of */
static bool s_is_tchar(int c)
{
    return isalnum(c) || (c && strchr("!#$%&'*+-.^_`|~", c));
}

static int s_hex(int c)
{
    return isdigit(c) ? c - '0' : isxdigit(c) ? (tolower(c) - 'a' + 10) : -1;
}

static bool s_is_ows(int c)
{
    return c == ' ' || c == '\t';
}

/* A field value may hold visible characters, spaces, tabs and obs-text. */
static bool s_field_value_valid(const char *p, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)p[i];
        if ((c < 0x20 && c != '\t') || c == 0x7f)
            return false;
    }
    return true;
}

/* Whether the head (whole or in part, framed well or not) asks
 * for bokmål: its Accept-Language line, read leniently, as a refusal of
 * its framing is to be understood too. */
bool gateway_http1_wants_bokmal(const char *head, size_t len)
{
    static const char name[] = "accept-language:";
    const size_t name_len = sizeof name - 1;
    for (const char *p = head, *end = head + len; p < end;) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        const char *line_end = eol ? eol : end;
        if (line_end > p && line_end[-1] == '\r')
            line_end--;
        if ((size_t)(line_end - p) >= name_len && strncasecmp(p, name, name_len) == 0)
            return gateway_problem_wants_bokmal(p + name_len, (size_t)(line_end - p - name_len));
        if (!eol)
            break;
        p = eol + 1;
    }
    return false;
}

/* Reads the head (request line and fields, each line ended
 * by CRLF, an empty line last) into `h`. NULL, or why it is refused. */
const char *gateway_http1_parse_head(const char *head, size_t len, gateway_http1_head_t *h)
{
    memset(h, 0, sizeof *h);
    h->content_length = -1;
    const char *p = head, *end = head + len;
    const char *eol = memchr(p, '\n', (size_t)(end - p));
    if (!eol || eol == p || eol[-1] != '\r')
        return "the request line must end in CR LF";
    const char *sp1 = memchr(p, ' ', (size_t)(eol - p));
    const char *sp2 = sp1 ? memchr(sp1 + 1, ' ', (size_t)(eol - sp1 - 1)) : NULL;
    if (!sp1 || !sp2 || sp1 == p || sp2 == sp1 + 1)
        return "the request line must be: method, target, version";
    for (const char *q = p; q < sp1; q++)
        if (!s_is_tchar((unsigned char)*q))
            return "the method must be a token";
    for (const char *q = sp1 + 1; q < sp2; q++)
        if ((unsigned char)*q <= ' ' || *q == 0x7f)
            return "the request target holds a space or a control character";
    size_t version_len = (size_t)(eol - 1 - (sp2 + 1));
    bool is_11 = version_len == 8 && memcmp(sp2 + 1, "HTTP/1.1", 8) == 0;
    if (!is_11 && !(version_len == 8 && memcmp(sp2 + 1, "HTTP/1.0", 8) == 0))
        return "only HTTP/1.1 (and 1.0) is spoken here";
    h->method = p;
    h->method_len = (size_t)(sp1 - p);
    h->path = sp1 + 1;
    h->path_len = (size_t)(sp2 - sp1 - 1);
    const char *q = memchr(h->path, '?', h->path_len);
    if (q)
        h->path_len = (size_t)(q - h->path);
    int codings = 0, lengths = 0;
    bool other_coding = false;
    for (p = eol + 1; p < end; p = eol + 1) {
        eol = memchr(p, '\n', (size_t)(end - p));
        if (!eol || eol == p || eol[-1] != '\r')
            return "every header line must end in CR LF";
        if (eol - 1 == p)
            break; /* the empty line */
        if (s_is_ows((unsigned char)*p))
            return "a header line may not be folded onto the next";
        const char *colon = memchr(p, ':', (size_t)(eol - p));
        if (!colon || colon == p)
            return "a header line must be name: value";
        for (const char *c = p; c < colon; c++)
            if (!s_is_tchar((unsigned char)*c))
                return "a header name must be a token, with no space before its colon";
        const char *v = colon + 1, *v_end = eol - 1;
        while (v < v_end && s_is_ows((unsigned char)*v))
            v++;
        while (v_end > v && s_is_ows((unsigned char)v_end[-1]))
            v_end--;
        if (!s_field_value_valid(v, (size_t)(v_end - v)))
            return "a header value holds a control character";
        size_t name_len = (size_t)(colon - p), v_len = (size_t)(v_end - v);
#define IS_NAME(n) (name_len == strlen(n) && strncasecmp(p, n, name_len) == 0)
        if (IS_NAME("content-length")) {
            if (v_len == 0 || v_len > 18)
                return "Content-Length must be a number of bytes";
            int64_t value = 0;
            for (size_t i = 0; i < v_len; i++) {
                if (!isdigit((unsigned char)v[i]))
                    return "Content-Length must be one number of bytes";
                value = value * 10 + (v[i] - '0');
            }
            if (lengths++ && value != h->content_length)
                return "two different Content-Length headers";
            h->content_length = value;
        } else if (IS_NAME("transfer-encoding")) {
            /* a list, maybe over several lines: it must come to one chunked */
            for (const char *e = v; e < v_end;) {
                const char *comma = memchr(e, ',', (size_t)(v_end - e));
                const char *e_end = comma ? comma : v_end, *t_end = e_end;
                while (e < t_end && s_is_ows((unsigned char)*e))
                    e++;
                while (t_end > e && s_is_ows((unsigned char)t_end[-1]))
                    t_end--;
                if (t_end > e) {
                    codings++;
                    if (!(t_end - e == 7 && strncasecmp(e, "chunked", 7) == 0))
                        other_coding = true;
                }
                e = comma ? comma + 1 : v_end;
            }
            if (v_len == 0)
                other_coding = true;
        } else if (IS_NAME("authorization") && !h->authorization) {
            h->authorization = v;
            h->authorization_len = v_len;
        }
#undef IS_NAME
    }
    if (codings || other_coding) {
        if (!is_11)
            return "Transfer-Encoding is HTTP/1.1's";
        if (lengths)
            return "Content-Length and Transfer-Encoding together";
        if (codings != 1 || other_coding)
            return "the only transfer coding taken is one chunked";
        h->chunked = true;
    }
    return NULL;
}

/* A chunk's size line (without its CR LF): the size, then
 * nothing or extensions after ';'. 0, or -1 when malformed. */
int gateway_http1_chunk_size(const char *line, size_t len, uint64_t *size)
{
    size_t i = 0;
    *size = 0;
    for (; i < len && s_hex((unsigned char)line[i]) >= 0; i++) {
        if (i >= 15)
            return -1;
        *size = *size * 16 + (uint64_t)s_hex((unsigned char)line[i]);
    }
    if (i == 0)
        return -1;
    while (i < len && s_is_ows((unsigned char)line[i]))
        i++;
    if (i < len && line[i] != ';')
        return -1;
    return s_field_value_valid(line + i, len - i) ? 0 : -1;
}

#define TRAILER_MAX 8192

void gateway_http1_body_start(gateway_http1_body_t *body, const gateway_http1_head_t *h,
                              uint64_t limit)
{
    memset(body, 0, sizeof *body);
    body->limit = limit;
    body->left = h->content_length > 0 ? (uint64_t)h->content_length : 0;
    body->state = h->chunked              ? GATEWAY_HTTP1_BODY_CHUNK_SIZE
                  : h->content_length > 0 ? GATEWAY_HTTP1_BODY_LENGTH
                                          : GATEWAY_HTTP1_BODY_DONE;
}

static ssize_t s_refused(int status, const char *why, int *status_out, char *why_out,
                         size_t why_size)
{
    *status_out = status;
    snprintf(why_out, why_size, "%s", why);
    return -1;
}

/* A chunk's size line or a trailer line has ended (its LF read). */
static ssize_t s_line_ended(gateway_http1_body_t *body, int *status, char *why, size_t why_size)
{
    if (body->line_len == 0 || body->line[body->line_len - 1] != '\r')
        return s_refused(400, "a chunk's line must end in CR LF", status, why, why_size);
    body->line_len--; /* without its CR */
    if (body->state == GATEWAY_HTTP1_BODY_TRAILER) {
        if (body->line_len == 0)
            body->state = GATEWAY_HTTP1_BODY_DONE;
        body->line_len = 0;
        return 0;
    }
    uint64_t size;
    if (gateway_http1_chunk_size(body->line, body->line_len, &size) != 0)
        return s_refused(400, "a chunk's size line is malformed", status, why, why_size);
    body->line_len = 0;
    body->bytes += size;
    if (body->bytes > body->limit) {
        *status = 413;
        snprintf(why, why_size, "the body is larger than %" PRIu64 " bytes", body->limit);
        return -1;
    }
    body->left = size;
    body->trailer_len = 0;
    body->state = size ? GATEWAY_HTTP1_BODY_CHUNK_DATA : GATEWAY_HTTP1_BODY_TRAILER;
    return 0;
}

ssize_t gateway_http1_body_read(gateway_http1_body_t *body, const char *data, size_t len,
                                int *status, char *why, size_t why_size)
{
    size_t i = 0;
    while (i < len && body->state != GATEWAY_HTTP1_BODY_DONE) {
        char c = data[i];
        switch (body->state) {
        case GATEWAY_HTTP1_BODY_LENGTH:
        case GATEWAY_HTTP1_BODY_CHUNK_DATA: {
            size_t n = len - i < body->left ? len - i : (size_t)body->left;
            i += n;
            if ((body->left -= n) == 0)
                body->state = body->state == GATEWAY_HTTP1_BODY_LENGTH
                                  ? GATEWAY_HTTP1_BODY_DONE
                                  : GATEWAY_HTTP1_BODY_CHUNK_CR;
            break;
        }
        case GATEWAY_HTTP1_BODY_CHUNK_CR:
        case GATEWAY_HTTP1_BODY_CHUNK_LF: {
            bool cr = body->state == GATEWAY_HTTP1_BODY_CHUNK_CR;
            if (c != (cr ? '\r' : '\n'))
                return s_refused(400, "a chunk's data must end in CR LF", status, why, why_size);
            i++;
            body->state = cr ? GATEWAY_HTTP1_BODY_CHUNK_LF : GATEWAY_HTTP1_BODY_CHUNK_SIZE;
            break;
        }
        case GATEWAY_HTTP1_BODY_CHUNK_SIZE:
        case GATEWAY_HTTP1_BODY_TRAILER:
            i++;
            if (c == '\n') {
                if (s_line_ended(body, status, why, why_size) != 0)
                    return -1;
            } else if (body->line_len == GATEWAY_HTTP1_LINE_MAX ||
                       (body->state == GATEWAY_HTTP1_BODY_TRAILER &&
                        ++body->trailer_len > TRAILER_MAX)) {
                return s_refused(400, "a chunk's line is too long", status, why, why_size);
            } else {
                body->line[body->line_len++] = c;
            }
            break;
        case GATEWAY_HTTP1_BODY_DONE:
            break;
        }
    }
    return (ssize_t)i;
}
