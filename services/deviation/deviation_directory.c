/* The deviation service's copy of the directory's organisations, kept from
 * agenda's events: names and kinds for statistics and reports. */
#include "deviation_server.h"
#include "deviation_store.h"
#include "samhand/v1/agenda.pb-c.h"

#include <string.h>

/* Adds an organisation's event to `organizations`: 1, 0 for another
 * event, -1 when it cannot be kept. */
static int s_organization_keep(rows_batch_t *organizations, const Samhand__V1__Event *event)
{
    if (strcmp(event->type, "no.samhand.organization.created") != 0 &&
        strcmp(event->type, "no.samhand.organization.updated") != 0)
        return 0;
    Samhand__V1__Organization *org =
        samhand__v1__organization__unpack(NULL, event->data.len, event->data.data);
    if (!org)
        return 1; /* unreadable: nothing to keep, and nothing to retry */
    const ProtobufCEnumValue *kind = protobuf_c_enum_descriptor_get_value(
        &samhand__v1__organization__kind__descriptor, org->kind);
    const char *row[] = {org->id, org->name, kind ? kind->name : "OTHER"};
    int rc = rows_batch_add(organizations, row) == 0 ? 1 : -1;
    samhand__v1__organization__free_unpacked(org, NULL);
    return rc;
}

int deviation_directory_apply_run(db_t *db, Samhand__V1__Event *const *events, size_t n,
                                  void *context)
{
    (void)context;
    rows_batch_t *organizations = deviation_store_organizations_batch();
    if (!organizations)
        return -1;
    int rc = 0;
    /* the organisations of those in a row in one statement, written
     * before a proposal's event is applied after them */
    for (size_t i = 0; rc == 0 && i < n; i++) {
        int kept = s_organization_keep(organizations, events[i]);
        if (kept != 0) {
            rc = kept < 0 ? -1 : 0;
            continue;
        }
        if (strncmp(events[i]->type, "no.samhand.proposal.", 20) == 0 ||
            strcmp(events[i]->type, "no.samhand.meeting.minutes_approved") == 0)
            rc = rows_batch_flush(organizations, db) != 0 ||
                         deviation_dispute_apply(db, events[i]) != 0
                     ? -1
                     : 0;
    }
    if (rc == 0)
        rc = rows_batch_flush(organizations, db);
    rows_batch_destroy(&organizations);
    return rc;
}
