/* The checks shared by the agenda aggregates: required and optional text,
 * references, enums, pages and update masks; and committing a change with
 * its event and its reply. */
#include "agenda_checks.h"
#include "samhand_check.h"

#include <stdlib.h>
#include <string.h>

int agenda_check_required(bus_call_t *call, const char *field, const char *value, size_t max)
{
    if (check_empty(value))
        return bus_call_fail(call, BUS_INVALID_ARGUMENT, field, "%s is required", field);
    return agenda_check_optional(call, field, value, max);
}

int agenda_check_optional(bus_call_t *call, const char *field, const char *value, size_t max)
{
    if (!check_empty(value) && !check_text(value, max))
        return bus_call_fail(call, BUS_INVALID_ARGUMENT, field,
                             "%s must be text of at most %zu characters without control "
                             "characters",
                             field, max);
    return 0;
}

int agenda_check_ref(bus_call_t *call, const char *field, const char *id, bool required)
{
    if (check_empty(id)) {
        if (required)
            return bus_call_fail(call, BUS_INVALID_ARGUMENT, field, "%s is required", field);
        return 0;
    }
    if (!check_uuid(id))
        return bus_call_fail(call, BUS_INVALID_ARGUMENT, field, "%s must be a UUID", field);
    return 0;
}

const char *agenda_enum_name(bus_call_t *call, const char *field,
                             const ProtobufCEnumDescriptor *desc, int value, bool *bad)
{
    if (value == 0)
        return NULL;
    const ProtobufCEnumValue *v = protobuf_c_enum_descriptor_get_value(desc, value);
    if (!v) {
        *bad = true;
        bus_call_fail(call, BUS_INVALID_ARGUMENT, field, "%s has no value %d", field, value);
        return NULL;
    }
    return v->name;
}

int agenda_page(bus_call_t *call, int32_t limit, const char *cursor, agenda_page_t *page)
{
    return bus_call_page(call, limit, cursor, &page->after, &page->limit);
}

bool agenda_masked(char **mask, size_t n, const char *field)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(mask[i], field) == 0)
            return true;
    return false;
}

int agenda_check_mask(bus_call_t *call, char **mask, size_t n, const char *const *allowed)
{
    for (size_t i = 0; i < n; i++) {
        bool ok = false;
        for (const char *const *a = allowed; *a && !ok; a++)
            ok = strcmp(mask[i], *a) == 0;
        if (!ok)
            return bus_call_fail(call, BUS_INVALID_ARGUMENT, mask[i], "%s cannot be changed",
                                 mask[i]);
    }
    if (n == 0)
        return bus_call_fail(call, BUS_INVALID_ARGUMENT, NULL, "nothing to change");
    return 0;
}

int agenda_commit_reply(bus_call_t *call, const char *type, const char *subject,
                        const char *organization_id, const char *committee_id,
                        const ProtobufCMessage *event, const ProtobufCMessage *reply)
{
    if (bus_call_reply_before_commit(call, reply) != 0) {
        bus_call_fail_db(call, "record the change");
        db_rollback(call->db);
        return -1;
    }
    if (db_outbox_commit(call->db, type, subject, organization_id, committee_id, event) != 0)
        return bus_call_fail_db(call, "record the change");
    return 0;
}

int agenda_commit(bus_call_t *call, const char *type, const char *subject,
                  const char *organization_id, const char *committee_id,
                  ProtobufCMessage *aggregate)
{
    int rc = agenda_commit_reply(call, type, subject, organization_id, committee_id, aggregate,
                                 aggregate);
    protobuf_c_message_free_unpacked(aggregate, NULL);
    return rc;
}

ProtobufCMessage *agenda_copy(const ProtobufCMessage *message)
{
    size_t len = protobuf_c_message_get_packed_size(message);
    uint8_t *packed = malloc(len + 1);
    if (!packed)
        return NULL;
    protobuf_c_message_pack(message, packed);
    ProtobufCMessage *copy = protobuf_c_message_unpack(message->descriptor, NULL, len, packed);
    free(packed);
    return copy;
}

void agenda_text_replace(char **field, const char *value)
{
    if (*field && *field != protobuf_c_empty_string)
        free(*field);
    *field = strdup(value);
}
