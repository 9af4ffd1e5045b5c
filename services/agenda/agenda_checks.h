/* The checks and replies every aggregate shares (agenda_checks.c): field
 * checks, paging, update masks, and committing a change together with its
 * event. */
#ifndef AGENDA_CHECKS_H
#define AGENDA_CHECKS_H

#include "agenda_store.h"
#include "samhand_bus.h"

/* Field checks: 0 when fine, else -1 after bus_call_fail naming `field`. */
int agenda_check_required(bus_call_t *call, const char *field, const char *value, size_t max);
int agenda_check_optional(bus_call_t *call, const char *field, const char *value, size_t max);
int agenda_check_ref(bus_call_t *call, const char *field, const char *id, bool required);

/* The enum value's name for storage, or NULL for 0 (unspecified). Sets an
 * error and returns NULL with *bad = true for a value the enum lacks. */
const char *agenda_enum_name(bus_call_t *call, const char *field,
                             const ProtobufCEnumDescriptor *desc, int value, bool *bad);

/* Reads limit (default 50, 1..500) and cursor. 0 or -1 after bus_call_fail. */
int agenda_page(bus_call_t *call, int32_t limit, const char *cursor, agenda_page_t *page);

/* True when `field` (proto name) is listed in the request's update mask. */
bool agenda_masked(char **mask, size_t n, const char *field);

/* Refuses mask entries outside `allowed` (NULL-terminated). 0 or -1. */
int agenda_check_mask(bus_call_t *call, char **mask, size_t n, const char *const *allowed);

/* Writes the event of a change (`event`, what every party may read) into
 * the open transaction with the reply (`reply`, what the caller may see;
 * kept with the change for a repeat of the request) and commits. Returns
 * 0, or -1 after rolling back. */
int agenda_commit_reply(bus_call_t *call, const char *type, const char *subject,
                        const char *organization_id, const char *committee_id,
                        const ProtobufCMessage *event, const ProtobufCMessage *reply);

/* Replaces a string field of a message; the old one may be protobuf-c's
 * shared empty string (in an unpacked message), which is not freed. */
void agenda_text_replace(char **field, const char *value);

/* A deep copy of `message` (to blank what an event may not carry), or
 * NULL when out of memory; free with protobuf_c_message_free_unpacked. */
ProtobufCMessage *agenda_copy(const ProtobufCMessage *message);

/* agenda_commit_reply() of the aggregate as event and reply; frees it. */
int agenda_commit(bus_call_t *call, const char *type, const char *subject,
                  const char *organization_id, const char *committee_id,
                  ProtobufCMessage *aggregate);

#endif
