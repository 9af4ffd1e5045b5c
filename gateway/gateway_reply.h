/* Answers to HTTP requests: the body with its type, problem details in the
 * language asked for, the headers every answer carries (security, CORS),
 * a document's file name, an aggregate's ETag, and the count and access
 * log line of each answer. Strings given are copied into the request's
 * pool where h2o keeps them past the call. */
#ifndef GATEWAY_REPLY_H
#define GATEWAY_REPLY_H

#include "gateway.h"

#include <jansson.h>
#include <protobuf-c/protobuf-c.h>
#include <time.h>

/* Sends `len` bytes of `body` with `status`, its type, no-store and the
 * request id. The body is h2o's to send: it must outlive the call (a
 * literal, or memory of the request's pool) unless h2o copies it, as
 * h2o_send_inline does. */
void gateway_reply_send(h2o_req_t *req, int status, const char *content_type, const char *body,
                        size_t len, const char *request_id);

/* Sends `body` (taken: its reference is dropped) as JSON; a problem in
 * bokmål when the caller asked for it. */
void gateway_reply_json(h2o_req_t *req, int status, const char *content_type, json_t *body,
                        const char *request_id);

/* Sends an RFC 9457 problem; `field` may be NULL. */
void gateway_reply_problem(h2o_req_t *req, int status, const char *detail, const char *field,
                           const char *request_id);

/* A whole HTTP/1.1 answer that closes the connection, with the problem
 * `status` and `detail` (in bokmål when `is_bokmal`) and the headers every
 * answer carries: what the front writes itself, h2o not asked. The caller
 * frees it; its length in *len. */
char *gateway_reply_refusal(int status, const char *detail, bool is_bokmal, const char *request_id,
                            size_t *len);

/* Adds a response header, its value copied into the request's pool. */
void gateway_reply_header(h2o_req_t *req, const char *name, const char *value, size_t len);

/* The headers every answer carries for browsers; `page_policy` is the
 * Content-Security-Policy of a web page, NULL for the API's own. */
void gateway_reply_security_headers(h2o_req_t *req, const char *page_policy);

/* CORS for the configured origins (SAMHAND_CORS_ORIGINS): their pages may
 * read the answers, and a preflight is answered here. Returns 1 when the
 * request has been answered (a preflight), else 0. */
int gateway_reply_cors(gateway_t *gateway, h2o_req_t *req, const char *request_id);

/* Content-Disposition: inline with `filename` (RFC 6266, 8187). */
void gateway_reply_content_disposition(h2o_req_t *req, const char *filename);

/* The ETag of an aggregate `message` (a reply unpacked by protobuf-c): the
 * microseconds of its update_time, "1763798899801023", which If-Match
 * sends back. Nothing when it has no update time. */
void gateway_reply_etag(h2o_req_t *req, const ProtobufCMessage *message);

/* Counts the answer under `label` (a route template, never the path or
 * query itself, which may hold names) and writes its access log line. */
void gateway_reply_count(gateway_t *gateway, const char *label, int status,
                         const struct timespec *start, const char *request_id);

#endif
