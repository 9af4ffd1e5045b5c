/* A request's framing as RFC 9112 writes it, strictly: the head (request
 * line, one CR LF a line, no folding, names that are tokens, values
 * without controls; one Content-Length, or one chunked for HTTP/1.1,
 * never both) and the body that follows it (its length, or its chunks
 * and trailer). Pure functions over bytes: what the front (gateway_front)
 * checks before h2o sees a byte. */
#ifndef GATEWAY_HTTP1_H
#define GATEWAY_HTTP1_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define GATEWAY_HTTP1_LINE_MAX 1024 /* a chunk's size line, a trailer line */

/* What a head says, pointing into the bytes it was read from. */
typedef struct {
    const char *method, *path, *authorization; /* path: without the query */
    size_t method_len, path_len, authorization_len;
    bool chunked;
    int64_t content_length; /* -1: none */
} gateway_http1_head_t;

/* Reads the head of `len` bytes (request line and fields, each line
 * ended by CR LF, an empty line last) into `h`. NULL, or why it is
 * refused (a static string). */
const char *gateway_http1_parse_head(const char *head, size_t len, gateway_http1_head_t *h);

/* Whether a head (whole or in part, framed well or not) asks for bokmål:
 * its Accept-Language line, read leniently, as a refusal of its framing is
 * to be understood too. */
bool gateway_http1_wants_bokmal(const char *head, size_t len);

/* A chunk's size line of `len` bytes, without its CR LF: the size in hex,
 * then nothing or extensions after ';'. 0, or -1 when malformed. */
int gateway_http1_chunk_size(const char *line, size_t len, uint64_t *size);

typedef enum {
    GATEWAY_HTTP1_BODY_DONE, /* read to its end, or none */
    GATEWAY_HTTP1_BODY_LENGTH,
    GATEWAY_HTTP1_BODY_CHUNK_SIZE,
    GATEWAY_HTTP1_BODY_CHUNK_DATA,
    GATEWAY_HTTP1_BODY_CHUNK_CR,
    GATEWAY_HTTP1_BODY_CHUNK_LF,
    GATEWAY_HTTP1_BODY_TRAILER,
} gateway_http1_body_state_t;

/* A body on its way, read as its bytes come. */
typedef struct {
    gateway_http1_body_state_t state;
    char line[GATEWAY_HTTP1_LINE_MAX];
    size_t line_len, trailer_len;
    uint64_t left;  /* of the length, or of the chunk */
    uint64_t bytes; /* the chunks' so far */
    uint64_t limit; /* the chunks' at most */
} gateway_http1_body_t;

/* Starts the body the head `h` announces: its Content-Length, or chunks
 * of at most `limit` bytes in all. */
void gateway_http1_body_start(gateway_http1_body_t *body, const gateway_http1_head_t *h,
                              uint64_t limit);

/* Reads on in the body from `len` bytes of `data`: the number of them
 * that are the body's (to pass on as they are; its state is
 * GATEWAY_HTTP1_BODY_DONE when it ended among them), or -1 when it is
 * refused, with the HTTP status (400, 413) in *status and why in `why`. */
ssize_t gateway_http1_body_read(gateway_http1_body_t *body, const char *data, size_t len,
                                int *status, char *why, size_t why_size);

#endif
