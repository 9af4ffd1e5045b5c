/* The gateway's JSON -> protobuf transcoder fed hostile request bodies: the
 * first two bytes pick a route of the route table, the rest is its body.
 * What is accepted must pack, unpack in the service as the same message,
 * and come back as JSON that reads as the same message again. */
#include "gateway_routes.h"
#include "samhand_transcode.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static ProtobufCMessage *s_through_the_bus(const ProtobufCMessage *msg)
{
    size_t len = protobuf_c_message_get_packed_size(msg);
    uint8_t *wire = malloc(len + 1);
    if (protobuf_c_message_pack(msg, wire) != len)
        abort();
    ProtobufCMessage *back = protobuf_c_message_unpack(msg->descriptor, NULL, len, wire);
    free(wire);
    if (!back) /* the service could not read what the gateway sent */
        abort();
    return back;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    const gateway_route_t *route =
        &gateway_routes[((size_t)data[0] << 8 | data[1]) % gateway_routes_count];
    json_error_t jerr;
    /* as the gateway reads a body */
    json_t *body = json_loadb((const char *)data + 2, size - 2, JSON_REJECT_DUPLICATES, &jerr);
    if (!body)
        return 0;
    transcode_error_t err;
    ProtobufCMessage *msg = transcode_new(route->request);
    if (transcode_from_json(msg, body, &err) == 0) {
        ProtobufCMessage *back = s_through_the_bus(msg);
        json_t *json = transcode_to_json(back);
        /* the JSON written is JSON the transcoder reads, to the same message */
        ProtobufCMessage *again = transcode_new(route->request);
        if (transcode_from_json(again, json, &err) != 0)
            abort();
        json_t *json_again = transcode_to_json(again);
        if (!json_equal(json, json_again))
            abort();
        json_decref(json_again);
        json_decref(json);
        transcode_free(&again);
        transcode_free(&back);
    } else if (strlen(err.message) == 0) {
        abort(); /* a refusal says why */
    }
    transcode_free(&msg);
    json_decref(body);
    return 0;
}
