/* An HTTP request read into its route's request message: the JSON body,
 * Idempotency-Key, If-Match, the path's parameters and the query string,
 * each refused with the field at fault. */
#include "gateway_request.h"
#include "gateway_query.h"
#include "samhand_transcode.h"

#include <string.h>
#include <strings.h>

#define LONG_POLL_MAX_SECONDS 30

static int s_refuse(gateway_refusal_t *r, int status, const char *detail)
{
    r->status = status;
    snprintf(r->detail, sizeof r->detail, "%s", detail);
    return -1;
}

/* A value the transcoder refused: "<field> <why>", or why for the body. */
static int s_refuse_field(gateway_refusal_t *r, const transcode_error_t *err)
{
    r->status = 400;
    snprintf(r->field, sizeof r->field, "%s", err->field);
    if (err->field[0])
        snprintf(r->detail, sizeof r->detail, "%s %s", err->field, err->message);
    else
        snprintf(r->detail, sizeof r->detail, "%s", err->message);
    return -1;
}

/* The JSON body of a POST, PUT or PATCH into `msg`. */
static int s_read_body(gateway_t *gateway, h2o_req_t *req, const gateway_route_t *route,
                       ProtobufCMessage *msg, gateway_refusal_t *r)
{
    long limit =
        gateway_route_takes_files(route) ? gateway->max_upload_bytes : gateway->max_body_bytes;
    if (req->entity.len > (size_t)limit) {
        snprintf(r->detail, sizeof r->detail, "the body is larger than %ld bytes", limit);
        r->status = 413;
        return -1;
    }
    ssize_t ct = h2o_find_header(&req->headers, H2O_TOKEN_CONTENT_TYPE, -1);
    h2o_iovec_t type = ct >= 0 ? req->headers.entries[ct].value : h2o_iovec_init(NULL, 0);
    if (req->entity.len > 0 &&
        (type.len < 16 || strncasecmp(type.base, "application/json", 16) != 0 ||
         (type.len > 16 && type.base[16] != ';' && type.base[16] != ' ')))
        return s_refuse(r, 415, "the body must be JSON, sent as Content-Type: application/json");
    json_error_t jerr;
    json_t *body = req->entity.len ? json_loadb(req->entity.base, req->entity.len,
                                                JSON_REJECT_DUPLICATES, &jerr)
                                   : json_object();
    if (!body) {
        snprintf(r->detail, sizeof r->detail, "the body is not valid JSON: %s at line %d column %d",
                 jerr.text, jerr.line, jerr.column);
        r->status = 400;
        return -1;
    }
    transcode_error_t err = {{0}, {0}};
    int rc = transcode_from_json(msg, body, &err);
    json_decref(body);
    return rc == 0 ? 0 : s_refuse_field(r, &err);
}

/* POSTs honour Idempotency-Key: printable ASCII, at most 255 characters.
 * *key is NULL without one. */
static int s_read_idempotency_key(h2o_req_t *req, char **key, gateway_refusal_t *r)
{
    ssize_t i = gateway_is_method(req, "POST")
                    ? h2o_find_header_by_str(&req->headers, H2O_STRLIT("idempotency-key"), -1)
                    : -1;
    if (i < 0)
        return 0;
    h2o_iovec_t v = req->headers.entries[i].value;
    bool ok = v.len > 0 && v.len <= 255;
    for (size_t j = 0; ok && j < v.len; j++)
        ok = v.base[j] > ' ' && v.base[j] < 0x7f;
    if (!ok)
        return s_refuse(r, 400,
                        "the Idempotency-Key header must be 1 to 255 printable ASCII characters");
    *key = h2o_strdup(&req->pool, v.base, v.len).base;
    return 0;
}

/* If-Match on the updates that keep a version: the ETag read before, its
 * digits in *version ("*", any version, and none leave it NULL). */
static int s_read_if_match(h2o_req_t *req, const gateway_route_t *route, char **version,
                           gateway_refusal_t *r)
{
    ssize_t i = h2o_find_header(&req->headers, H2O_TOKEN_IF_MATCH, -1);
    if (i < 0)
        return 0;
    if (!gateway_route_versioned(route))
        return s_refuse(r, 400,
                        "If-Match is taken by the changes of organizations, persons, committees, "
                        "memberships, meetings (their agendas and minutes), case documents, "
                        "actions and subscriptions");
    h2o_iovec_t v = req->headers.entries[i].value;
    if (v.len == 1 && v.base[0] == '*')
        return 0;
    size_t at = v.len > 2 && v.base[0] == 'W' && v.base[1] == '/' ? 2 : 0;
    bool ok = v.len >= at + 3 && v.len - at <= 24 && v.base[at] == '"' && v.base[v.len - 1] == '"';
    for (size_t j = at + 1; ok && j < v.len - 1; j++)
        ok = v.base[j] >= '0' && v.base[j] <= '9';
    if (!ok)
        return s_refuse(r, 400,
                        "If-Match must be an ETag this API gave out, like \"1763798899801023\"");
    *version = h2o_strdup(&req->pool, v.base + at + 1, v.len - at - 2).base;
    return 0;
}

/* The path's parameters and the query string into `msg`. */
static int s_read_params(h2o_req_t *req, const gateway_path_params_t *params, ProtobufCMessage *msg,
                         gateway_refusal_t *r)
{
    transcode_error_t err = {{0}, {0}};
    for (size_t i = 0; i < params->n; i++)
        if (transcode_set_from_text(msg, params->params[i].name, params->params[i].value, &err) !=
            0)
            return s_refuse_field(r, &err);
    if (req->query_at != SIZE_MAX &&
        gateway_query_apply(msg, req->path.base + req->query_at + 1,
                            req->path.len - req->query_at - 1, &err) != 0)
        return s_refuse_field(r, &err);
    return 0;
}

/* A long-poll's wait_seconds, 0 to LONG_POLL_MAX_SECONDS. */
static int s_read_wait(const ProtobufCMessage *msg, int32_t *wait_seconds, gateway_refusal_t *r)
{
    const ProtobufCFieldDescriptor *wait =
        protobuf_c_message_descriptor_get_field_by_name(msg->descriptor, "wait_seconds");
    if (!wait || wait->type != PROTOBUF_C_TYPE_INT32)
        return 0;
    int32_t seconds = *(const int32_t *)((const char *)msg + wait->offset);
    if (seconds < 0 || seconds > LONG_POLL_MAX_SECONDS) {
        snprintf(r->field, sizeof r->field, "waitSeconds");
        snprintf(r->detail, sizeof r->detail, "waitSeconds must be from 0 to %d",
                 LONG_POLL_MAX_SECONDS);
        r->status = 400;
        return -1;
    }
    *wait_seconds = seconds;
    return 0;
}

int gateway_request_read(gateway_t *gateway, h2o_req_t *req, const gateway_route_t *route,
                         const gateway_path_params_t *params, Samhand__V1__Envelope *envelope,
                         int32_t *wait_seconds, gateway_refusal_t *r)
{
    ProtobufCMessage *msg = transcode_new(route->request);
    char *idempotency_key = NULL, *if_match = NULL;
    bool has_body = gateway_is_method(req, "POST") || gateway_is_method(req, "PATCH") ||
                    gateway_is_method(req, "PUT");
    if ((has_body && s_read_body(gateway, req, route, msg, r) != 0) ||
        s_read_idempotency_key(req, &idempotency_key, r) != 0 ||
        s_read_if_match(req, route, &if_match, r) != 0 || s_read_params(req, params, msg, r) != 0 ||
        s_read_wait(msg, wait_seconds, r) != 0) {
        transcode_free(&msg);
        return -1;
    }
    envelope->body.len = protobuf_c_message_get_packed_size(msg);
    envelope->body.data = h2o_mem_alloc_pool(&req->pool, envelope->body.len + 1);
    protobuf_c_message_pack(msg, envelope->body.data);
    if (idempotency_key)
        envelope->idempotency_key = idempotency_key;
    if (if_match)
        envelope->if_match = if_match;
    transcode_free(&msg);
    return 0;
}
