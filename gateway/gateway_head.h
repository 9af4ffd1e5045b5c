/* A request head read as RFC 9112 writes it, strictly: the request line,
 * one CR LF a line, no folding, names that are tokens, values without
 * controls, framing with one reading (one Content-Length, or one chunked
 * for HTTP/1.1, never both), and a chunk's size line. Pure functions over
 * bytes: what the front (gateway_front) checks before h2o sees a byte. */
#ifndef GATEWAY_HEAD_H
#define GATEWAY_HEAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What a head says, pointing into the bytes it was read from. */
typedef struct {
    const char *method, *path, *authorization; /* path: without the query */
    size_t method_len, path_len, authorization_len;
    bool chunked;
    int64_t content_length; /* -1: none */
} gateway_head_t;

/* Reads the head of `len` bytes (request line and fields, each line
 * ended by CR LF, an empty line last) into `h`. NULL, or why it is
 * refused (a static string). */
const char *gateway_head_parse(const char *head, size_t len, gateway_head_t *h);

/* Whether a head (whole or in part, framed well or not) asks for bokmål:
 * its Accept-Language line, read leniently, as a refusal of its framing is
 * to be understood too. */
bool gateway_head_wants_bokmal(const char *head, size_t len);

/* A chunk's size line of `len` bytes, without its CR LF: the size in hex,
 * then nothing or extensions after ';'. 0, or -1 when malformed. */
int gateway_head_chunk_size(const char *line, size_t len, uint64_t *size);

#endif
