/* The agenda service's dispatch table, from bus method to handler, and the
 * checks shared by its aggregates. */
#include "agenda_server.h"
#include "samhand_check.h"
#include "samhand_log.h"

#include <stdlib.h>
#include <string.h>

#define ROUTE(method, type, handler)                                                               \
    {                                                                                              \
        "agenda." method, &samhand__v1__##type##__descriptor, handler                              \
    }

const bus_route_t agenda_routes[] = {
    ROUTE("CreateOrganization", create_organization_request, agenda_organization_create),
    ROUTE("GetOrganization", get_organization_request, agenda_organization_get),
    ROUTE("UpdateOrganization", update_organization_request, agenda_organization_update),
    ROUTE("ListOrganizations", list_organizations_request, agenda_organization_list),
    ROUTE("CreateApiKey", create_api_key_request, agenda_api_key_create),
    ROUTE("GetApiKey", get_api_key_request, agenda_api_key_get),
    ROUTE("ListApiKeys", list_api_keys_request, agenda_api_key_list),
    ROUTE("RevokeApiKey", get_api_key_request, agenda_api_key_revoke),
    ROUTE("ListApiKeyDigests", list_api_key_digests_request, agenda_api_key_digests),
    ROUTE("CreatePerson", create_person_request, agenda_person_create),
    ROUTE("GetPerson", get_person_request, agenda_person_get),
    ROUTE("UpdatePerson", update_person_request, agenda_person_update),
    ROUTE("ListPersons", list_persons_request, agenda_person_list),
    ROUTE("CreateCommittee", create_committee_request, agenda_committee_create),
    ROUTE("GetCommittee", get_committee_request, agenda_committee_get),
    ROUTE("UpdateCommittee", update_committee_request, agenda_committee_update),
    ROUTE("ListCommittees", list_committees_request, agenda_committee_list),
    ROUTE("SetCaseNumbering", set_case_numbering_request, agenda_committee_numbering_set),
    ROUTE("CreateMembership", create_membership_request, agenda_membership_create),
    ROUTE("GetMembership", get_membership_request, agenda_membership_get),
    ROUTE("UpdateMembership", update_membership_request, agenda_membership_update),
    ROUTE("ListMemberships", list_memberships_request, agenda_membership_list),
    ROUTE("CreateMeeting", create_meeting_request, agenda_meeting_create),
    ROUTE("GetMeeting", get_meeting_request, agenda_meeting_get),
    ROUTE("UpdateMeeting", update_meeting_request, agenda_meeting_update),
    ROUTE("ListMeetings", list_meetings_request, agenda_meeting_list),
    ROUTE("PublishMeeting", publish_meeting_request, agenda_meeting_publish),
    ROUTE("CancelMeeting", cancel_meeting_request, agenda_meeting_cancel),
    ROUTE("AddAgendaItem", add_agenda_item_request, agenda_item_add),
    ROUTE("UpdateAgendaItem", update_agenda_item_request, agenda_item_update),
    ROUTE("DeleteAgendaItem", delete_agenda_item_request, agenda_item_delete),
    ROUTE("GetMeetingNotice", get_meeting_request, agenda_notice_html),
    ROUTE("GetMeetingNoticePdf", get_meeting_request, agenda_notice_pdf_get),
    ROUTE("GetMeetingCalendar", get_meeting_request, agenda_notice_ics),
    ROUTE("GetCommitteeCalendar", get_committee_request, agenda_committee_ics),
    ROUTE("SetAttendance", set_attendance_request, agenda_minutes_attendance),
    ROUTE("SetOutcome", set_outcome_request, agenda_minutes_outcome),
    ROUTE("ApproveMinutes", approve_minutes_request, agenda_minutes_approve),
    ROUTE("GetMinutes", get_meeting_document_request, agenda_minutes_html),
    ROUTE("GetCase", get_case_request, agenda_case_get),
    ROUTE("ListCases", list_cases_request, agenda_case_list),
    ROUTE("CreateAction", create_action_request, agenda_action_create),
    ROUTE("GetAction", get_action_request, agenda_action_get),
    ROUTE("UpdateAction", update_action_request, agenda_action_update),
    ROUTE("ListActions", list_actions_request, agenda_action_list),
    ROUTE("AddFollowUp", add_follow_up_request, agenda_action_follow_up),
    ROUTE("PutCaseDocument", put_case_document_request, agenda_document_put),
    ROUTE("GetCaseDocument", get_case_document_request, agenda_document_get),
    ROUTE("AddAttachment", add_attachment_request, agenda_attachment_add),
    ROUTE("GetAttachment", get_attachment_request, agenda_attachment_get),
    ROUTE("CreateProposal", create_proposal_request, agenda_proposal_create),
    ROUTE("GetProposal", get_proposal_request, agenda_proposal_get),
    ROUTE("ListProposals", list_proposals_request, agenda_proposal_list),
    ROUTE("AcceptProposal", accept_proposal_request, agenda_proposal_accept),
    ROUTE("DeclineProposal", decline_proposal_request, agenda_proposal_decline),
    ROUTE("OpenEmergency", open_emergency_request, agenda_emergency_open),
    ROUTE("GetEmergency", get_emergency_request, agenda_emergency_get),
    ROUTE("ListEmergencies", list_emergencies_request, agenda_emergency_list),
    ROUTE("CallEmergencyMeeting", call_emergency_meeting_request, agenda_emergency_meeting),
    ROUTE("LogEmergency", log_emergency_request, agenda_emergency_log),
    ROUTE("CloseEmergency", close_emergency_request, agenda_emergency_close),
};
const size_t agenda_routes_count = sizeof agenda_routes / sizeof agenda_routes[0];

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
