/* The deviation service's copy of the directory's organisations, kept from
 * agenda's events: names and kinds for statistics and reports. */
#include "deviation_server.h"
#include "samhand/v1/agenda.pb-c.h"

#include <string.h>

int deviation_directory_apply(db_t *db, const Samhand__V1__Event *event, void *context)
{
    (void)context;
    if (strncmp(event->type, "no.samhand.proposal.", 20) == 0 ||
        strcmp(event->type, "no.samhand.meeting.minutes_approved") == 0)
        return deviation_dispute_apply(db, event);
    if (strcmp(event->type, "no.samhand.organization.created") != 0 &&
        strcmp(event->type, "no.samhand.organization.updated") != 0)
        return 0; /* not ours to keep */
    Samhand__V1__Organization *org =
        samhand__v1__organization__unpack(NULL, event->data.len, event->data.data);
    if (!org)
        return 0; /* unreadable: nothing to keep, and nothing to retry */
    const ProtobufCEnumValue *kind = protobuf_c_enum_descriptor_get_value(
        &samhand__v1__organization__kind__descriptor, org->kind);
    const char *params[] = {org->id, org->name, kind ? kind->name : "OTHER"};
    int rc = deviation_store_organization_upsert(db, params);
    samhand__v1__organization__free_unpacked(org, NULL);
    return rc;
}
