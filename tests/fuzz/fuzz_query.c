/* The gateway's reading of a request line fed hostile paths and query
 * strings: the route table's matching with its percent-decoded path
 * parameters, the query string into the request message, and a service's
 * decoding of the page asked for (limit and cursor, bus_call_page). The
 * first byte picks the method; the rest is the path and query. Whatever
 * is accepted must pack, and a page accepted is one the store can use. */
#include "gateway_query.h"
#include "gateway_routes.h"
#include "samhand_transcode.h"
#include "samhand_bus.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const char *const s_methods[] = {"GET", "POST", "PATCH", "PUT", "DELETE"};

static void s_page(const ProtobufCMessage *msg)
{
    const ProtobufCFieldDescriptor *limit =
        protobuf_c_message_descriptor_get_field_by_name(msg->descriptor, "limit");
    const ProtobufCFieldDescriptor *cursor =
        protobuf_c_message_descriptor_get_field_by_name(msg->descriptor, "cursor");
    if (!limit || !cursor || limit->type != PROTOBUF_C_TYPE_INT32 ||
        cursor->type != PROTOBUF_C_TYPE_STRING)
        return;
    bus_call_t call = {.code = BUS_OK};
    int64_t after = -1;
    int page_limit = -1;
    int rc =
        bus_call_page(&call, *(const int32_t *)((const char *)msg + limit->offset),
                      *(char *const *)((const char *)msg + cursor->offset), &after, &page_limit);
    if (rc == 0 && (after < 0 || page_limit < 1 || page_limit > 500))
        abort();
    if (rc != 0 && (call.code == BUS_OK || !call.field[0]))
        abort();
    free(call.body);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const char *method = s_methods[data[0] % (sizeof s_methods / sizeof s_methods[0])];
    const char *url = (const char *)data + 1;
    size_t len = size - 1;
    const char *question = memchr(url, '?', len);
    size_t path_len = question ? (size_t)(question - url) : len;
    gateway_path_params_t params;
    int path_known;
    char allow[128];
    const gateway_route_t *route =
        gateway_route_match(method, url, path_len, &params, &path_known, allow, sizeof allow);
    if (!route) {
        /* the query string still, on the request of some route */
        route = &gateway_routes[data[0] % gateway_routes_count];
        params.n = 0;
    }
    ProtobufCMessage *msg = transcode_new(route->request);
    transcode_error_t err;
    int rc = 0;
    for (size_t i = 0; i < params.n && rc == 0; i++)
        rc = transcode_set_from_text(msg, params.params[i].name, params.params[i].value, &err);
    if (rc == 0 && question)
        rc = gateway_query_apply(msg, question + 1, len - path_len - 1, &err);
    if (rc == 0) {
        size_t packed_len = protobuf_c_message_get_packed_size(msg);
        uint8_t *packed = malloc(packed_len + 1);
        if (protobuf_c_message_pack(msg, packed) != packed_len)
            abort();
        free(packed);
        s_page(msg);
    }
    transcode_free(&msg);
    return 0;
}
