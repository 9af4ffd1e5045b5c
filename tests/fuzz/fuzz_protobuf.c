/* Protobuf decoding of every message a process of samhand reads from
 * another: the requests of every service's dispatch table, the replies the
 * gateway reads, the Envelope around them and the Event of the outboxes
 * with the aggregate it carries. The first byte says what the rest is: an
 * Envelope dispatched as a service dispatches it, an Event read as a
 * follower reads it, or (the next two bytes say which) one of the messages. What
 * unpacks must pack again and show as JSON, as the gateway shows it. */
#include "fuzz_known.h"

#include <stdbool.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    fuzz_known_init();
    return 0;
}

/* Whether protobuf-c kept fields of `msg` (or of a message in it) that it
 * does not know. */
static bool s_has_unknown(const ProtobufCMessage *msg)
{
    if (msg->n_unknown_fields)
        return true;
    const ProtobufCMessageDescriptor *desc = msg->descriptor;
    for (unsigned i = 0; i < desc->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &desc->fields[i];
        if (f->type != PROTOBUF_C_TYPE_MESSAGE)
            continue;
        const char *slot = (const char *)msg + f->offset;
        if (f->label == PROTOBUF_C_LABEL_REPEATED) {
            size_t n = *(const size_t *)((const char *)msg + f->quantifier_offset);
            for (size_t k = 0; k < n; k++)
                if (s_has_unknown((*(ProtobufCMessage *const *const *)slot)[k]))
                    return true;
        } else if (*(ProtobufCMessage *const *)slot &&
                   s_has_unknown(*(ProtobufCMessage *const *)slot)) {
            return true;
        }
    }
    return false;
}

/* Unpacks `len` bytes as `desc`; what unpacks packs again, unpacks again
 * and shows as JSON. */
static void s_read(const ProtobufCMessageDescriptor *desc, const uint8_t *data, size_t len)
{
    ProtobufCMessage *msg = protobuf_c_message_unpack(desc, NULL, len, data);
    if (!msg)
        return;
    size_t packed_len = protobuf_c_message_get_packed_size(msg);
    uint8_t *packed = malloc(packed_len + 1);
    if (protobuf_c_message_pack(msg, packed) != packed_len)
        abort();
    ProtobufCMessage *again = protobuf_c_message_unpack(desc, NULL, packed_len, packed);
    /* protobuf-c keeps fields it does not know and packs them again as
     * they were read, even those it would not read packed by itself (a
     * field number 0 written in two bytes): those only */
    if (!again && !s_has_unknown(msg))
        abort();
    protobuf_c_message_free_unpacked(again, NULL);
    json_t *json = transcode_to_json(msg);
    char *text = json_dumps(json, JSON_COMPACT);
    if (!text) /* the gateway could not send it */
        abort();
    free(text);
    json_decref(json);
    free(packed);

    if (desc == &samhand__v1__envelope__descriptor) {
        /* a service finds the route by method and unpacks the body */
        const Samhand__V1__Envelope *env = (const void *)msg;
        const ProtobufCMessageDescriptor *request = fuzz_service_request(env->method);
        if (request)
            s_read(request, env->body.data, env->body.len);
    } else if (desc == &samhand__v1__event__descriptor) {
        /* a follower unpacks the aggregate by its type */
        const Samhand__V1__Event *event = (const void *)msg;
        const ProtobufCMessageDescriptor *inner = fuzz_known_by_name(event->data_type);
        if (inner && inner != desc)
            s_read(inner, event->data.data, event->data.len);
    }
    protobuf_c_message_free_unpacked(msg, NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    switch (data[0] % 4) {
    case 0:
        s_read(&samhand__v1__envelope__descriptor, data + 1, size - 1);
        break;
    case 1:
        s_read(&samhand__v1__event__descriptor, data + 1, size - 1);
        break;
    default:
        if (size >= 3)
            s_read(fuzz_known[((size_t)data[1] << 8 | data[2]) % fuzz_n_known], data + 3, size - 3);
    }
    return 0;
}
