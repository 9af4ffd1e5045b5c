/* JSON <-> protobuf by descriptor, in proto3 canonical JSON: lowerCamelCase
 * names (proto names accepted on input), enums as names, 64-bit integers as
 * strings, bytes as base64, samhand.v1.Timestamp as RFC 3339. One generic
 * translator for every message: a new endpoint needs no new parser. The
 * gateway's requests and replies and notify's webhook bodies go through it. */
#ifndef SAMHAND_TRANSCODE_H
#define SAMHAND_TRANSCODE_H

#include <jansson.h>
#include <protobuf-c/protobuf-c.h>

/* Where and why a translation failed: `field` is the JSON path of the
 * offending value ("organizationNumber", "items[2].name"), "" for the whole
 * body. */
typedef struct {
    char field[256];
    char message[256];
} transcode_error_t;

/* A new message of `desc` with every field at its default. Free with
 * transcode_free. */
ProtobufCMessage *transcode_new(const ProtobufCMessageDescriptor *desc);

/* Fills `msg` from the JSON object `object`. Unknown fields, wrong types and
 * out-of-range numbers are refused. A message with a `repeated string
 * update_mask` field gets the proto names of the top-level fields present.
 * Returns 0, or -1 with `err` filled (msg is then partly filled; free it). */
int transcode_from_json(ProtobufCMessage *msg, json_t *object, transcode_error_t *err);

/* Sets the field whose JSON or proto name is `name` from text, as a query
 * string or path segment gives it. Returns 0, -1 with `err` on a bad value,
 * or -2 when the message has no such field (err names it). */
int transcode_set_from_text(ProtobufCMessage *msg, const char *name, const char *text,
                            transcode_error_t *err);

/* The message as a JSON object (new reference). Every field is present. */
json_t *transcode_to_json(const ProtobufCMessage *msg);

/* Makes `desc` and every message type it holds known to the translation of
 * samhand.v1.Any (which shows as the message it holds). */
void transcode_register(const ProtobufCMessageDescriptor *desc);

/* Frees a message made by transcode_new or unpacked by protobuf-c. */
void transcode_free(ProtobufCMessage **msg_p);

/* lowerCamelCase of a proto field name into `out` ("case_number_format" ->
 * "caseNumberFormat"). */
void transcode_json_name(const char *proto_name, char *out, size_t size);

/* RFC 3339 <-> seconds and nanoseconds. Parse returns 0 or -1. */
int transcode_parse_rfc3339(const char *text, int64_t *seconds, int32_t *nanos);
void transcode_format_rfc3339(int64_t seconds, int32_t nanos, char out[40]);

#endif
