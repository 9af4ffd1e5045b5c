/* The agenda service's dispatch table, from bus method to handler. */
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
