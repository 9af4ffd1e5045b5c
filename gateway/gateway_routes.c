/* The route table. A new endpoint is a row here and a message in a .proto. */
#include "gateway_routes.h"

#include "samhand/v1/agenda.pb-c.h"
#include "samhand/v1/deviation.pb-c.h"
#include "samhand/v1/notify.pb-c.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define D(type) &samhand__v1__##type##__descriptor
#define PUBLIC GATEWAY_ACCESS_PUBLIC
#define AUTH GATEWAY_ACCESS_AUTHENTICATED

const gateway_route_t gateway_routes[] = {
    {"POST", "/v1/organizations", "agenda", "agenda.CreateOrganization",
     D(create_organization_request), D(organization), 201, AUTH, "directory",
     "Register an organisation of the partnership"},
    {"GET", "/v1/organizations", "agenda", "agenda.ListOrganizations",
     D(list_organizations_request), D(list_organizations_response), 200, PUBLIC, "directory",
     "List organisations"},
    {"GET", "/v1/organizations/{id}", "agenda", "agenda.GetOrganization",
     D(get_organization_request), D(organization), 200, PUBLIC, "directory", "Get an organisation"},
    {"PATCH", "/v1/organizations/{id}", "agenda", "agenda.UpdateOrganization",
     D(update_organization_request), D(organization), 200, AUTH, "directory",
     "Change an organisation's name or kind"},
    {"POST", "/v1/api-keys", "agenda", "agenda.CreateApiKey", D(create_api_key_request), D(api_key),
     201, AUTH, "directory",
     "Make an API key for a party's system; the key is in this answer only"},
    {"GET", "/v1/api-keys", "agenda", "agenda.ListApiKeys", D(list_api_keys_request),
     D(list_api_keys_response), 200, AUTH, "directory", "List API keys (never the keys)"},
    {"GET", "/v1/api-keys/{id}", "agenda", "agenda.GetApiKey", D(get_api_key_request), D(api_key),
     200, AUTH, "directory", "Get an API key (never the key)"},
    {"DELETE", "/v1/api-keys/{id}", "agenda", "agenda.RevokeApiKey", D(get_api_key_request),
     D(api_key), 200, AUTH, "directory",
     "Revoke an API key: it opens nothing from a few seconds on"},
    {"POST", "/v1/persons", "agenda", "agenda.CreatePerson", D(create_person_request), D(person),
     201, AUTH, "directory", "Register a person"},
    {"GET", "/v1/persons", "agenda", "agenda.ListPersons", D(list_persons_request),
     D(list_persons_response), 200, AUTH, "directory", "List persons"},
    {"GET", "/v1/persons/{id}", "agenda", "agenda.GetPerson", D(get_person_request), D(person), 200,
     AUTH, "directory", "Get a person"},
    {"PATCH", "/v1/persons/{id}", "agenda", "agenda.UpdatePerson", D(update_person_request),
     D(person), 200, AUTH, "directory", "Change a person"},
    {"POST", "/v1/committees", "agenda", "agenda.CreateCommittee", D(create_committee_request),
     D(committee), 201, AUTH, "committees", "Create a committee"},
    {"GET", "/v1/committees", "agenda", "agenda.ListCommittees", D(list_committees_request),
     D(list_committees_response), 200, PUBLIC, "committees", "List committees"},
    {"GET", "/v1/committees/{id}", "agenda", "agenda.GetCommittee", D(get_committee_request),
     D(committee), 200, PUBLIC, "committees", "Get a committee"},
    {"PATCH", "/v1/committees/{id}", "agenda", "agenda.UpdateCommittee",
     D(update_committee_request), D(committee), 200, AUTH, "committees", "Change a committee"},
    {"PUT", "/v1/committees/{committeeId}/case-numbering/{year}", "agenda",
     "agenda.SetCaseNumbering", D(set_case_numbering_request), D(case_numbering), 200, AUTH,
     "committees",
     "Continue a year's case numbers from `nextNumber` (moving to samhand mid-year); refused "
     "once a notice gave that number or a later one"},
    {"POST", "/v1/committees/{committeeId}/memberships", "agenda", "agenda.CreateMembership",
     D(create_membership_request), D(membership), 201, AUTH, "committees",
     "Add a person to a committee for a term"},
    {"GET", "/v1/committees/{committeeId}/memberships/{id}", "agenda", "agenda.GetMembership",
     D(get_membership_request), D(membership), 200, PUBLIC, "committees", "Get a membership"},
    {"PATCH", "/v1/committees/{committeeId}/memberships/{id}", "agenda", "agenda.UpdateMembership",
     D(update_membership_request), D(membership), 200, AUTH, "committees",
     "End a term, or change its role, start or organisation"},
    {"GET", "/v1/committees/{committeeId}/memberships", "agenda", "agenda.ListMemberships",
     D(list_memberships_request), D(list_memberships_response), 200, PUBLIC, "committees",
     "List a committee's memberships"},
    {"POST", "/v1/meetings", "agenda", "agenda.CreateMeeting", D(create_meeting_request),
     D(meeting), 201, AUTH, "meetings", "Create a meeting of a committee, as a draft"},
    {"GET", "/v1/meetings", "agenda", "agenda.ListMeetings", D(list_meetings_request),
     D(list_meetings_response), 200, PUBLIC, "meetings",
     "List meetings (drafts only with a credential)"},
    {"GET", "/v1/meetings/{id}", "agenda", "agenda.GetMeeting", D(get_meeting_request), D(meeting),
     200, PUBLIC, "meetings",
     "Get a meeting with its agenda and time slots: as its last notice went out (version=N: "
     "notice N), the working draft to those who run the committee"},
    {"GET", "/v1/meetings/{id}/notice.pdf", "agenda", "agenda.GetMeetingNoticePdf",
     D(get_meeting_request), D(document), 200, PUBLIC, "meetings",
     "The notice with its agenda and case documents, as PDF (fonts embedded): the same notice "
     "and the same exempt items hidden as notice.html"},
    {"PATCH", "/v1/meetings/{id}", "agenda", "agenda.UpdateMeeting", D(update_meeting_request),
     D(meeting), 200, AUTH, "meetings", "Change a meeting's time, place, kind or chair"},
    {"POST", "/v1/meetings/{meetingId}/items", "agenda", "agenda.AddAgendaItem",
     D(add_agenda_item_request), D(meeting), 200, AUTH, "meetings",
     "Add an item to the agenda; answers with the meeting"},
    {"PATCH", "/v1/meetings/{meetingId}/items/{itemId}", "agenda", "agenda.UpdateAgendaItem",
     D(update_agenda_item_request), D(meeting), 200, AUTH, "meetings",
     "Change or move an agenda item; answers with the meeting"},
    {"DELETE", "/v1/meetings/{meetingId}/items/{itemId}", "agenda", "agenda.DeleteAgendaItem",
     D(delete_agenda_item_request), D(meeting), 200, AUTH, "meetings",
     "Remove an agenda item (a numbered case is withdrawn); answers with the meeting"},
    {"POST", "/v1/meetings/{id}/publish", "agenda", "agenda.PublishMeeting",
     D(publish_meeting_request), D(publish_meeting_response), 200, AUTH, "meetings",
     "Publish the notice, or a supplementary notice of the changes since"},
    {"POST", "/v1/meetings/{id}/cancel", "agenda", "agenda.CancelMeeting",
     D(cancel_meeting_request), D(meeting), 200, AUTH, "meetings", "Cancel a meeting"},
    {"GET", "/v1/meetings/{id}/notice.html", "agenda", "agenda.GetMeetingNotice",
     D(get_meeting_request), D(document), 200, PUBLIC, "meetings",
     "The notice with its agenda (møteinnkalling), as HTML: the last that went out (version=N: "
     "notice N), the working draft to those who run the committee"},
    {"PUT", "/v1/meetings/{meetingId}/attendance", "agenda", "agenda.SetAttendance",
     D(set_attendance_request), D(meeting), 200, AUTH, "minutes",
     "Record who attended: present, absent with notice, deputies, observers"},
    {"PUT", "/v1/meetings/{meetingId}/items/{itemId}/outcome", "agenda", "agenda.SetOutcome",
     D(set_outcome_request), D(meeting), 200, AUTH, "minutes",
     "Record an item's discussion points, outcome and decision"},
    {"POST", "/v1/meetings/{meetingId}/minutes/approve", "agenda", "agenda.ApproveMinutes",
     D(approve_minutes_request), D(meeting), 200, AUTH, "minutes",
     "Approve the minutes; they are frozen from then on"},
    {"GET", "/v1/meetings/{id}/minutes.html", "agenda", "agenda.GetMinutes",
     D(get_meeting_document_request), D(document), 200, PUBLIC, "minutes",
     "The minutes (referat), as HTML"},
    {"GET", "/v1/meetings/{id}/minutes.pdf", "agenda", "agenda.GetMinutesPdf",
     D(get_meeting_document_request), D(document), 200, PUBLIC, "minutes",
     "The minutes (referat), as PDF (fonts embedded): the same minutes and the same exempt items "
     "hidden as minutes.html"},
    {"POST", "/v1/meetings/{meetingId}/absences", "agenda", "agenda.ReportAbsence",
     D(report_absence_request), D(absence), 201, AUTH, "attendance",
     "Report absence (forfall) from a coming meeting, as the member (personId empty) or for "
     "them; the first deputy by rank is called up at once"},
    {"POST", "/v1/meetings/{meetingId}/absences/{id}/withdraw", "agenda", "agenda.WithdrawAbsence",
     D(withdraw_absence_request), D(absence), 200, AUTH, "attendance",
     "Withdraw a notice of absence; the deputies' call-ups are withdrawn with it"},
    {"GET", "/v1/meetings/{meetingId}/seats", "agenda", "agenda.ListSeats", D(list_seats_request),
     D(list_seats_response), 200, AUTH, "attendance",
     "Every seat of the meeting and its state (coming, absent, deputy called, deputy accepted, "
     "no deputy left) to those who run the committee; a member's own seat to the member"},
    {"POST", "/v1/call-ups/{id}/accept", "agenda", "agenda.AcceptCallUp", D(answer_call_up_request),
     D(absence), 200, AUTH, "attendance", "Accept a call-up as the deputy called"},
    {"POST", "/v1/call-ups/{id}/decline", "agenda", "agenda.DeclineCallUp",
     D(answer_call_up_request), D(absence), 200, AUTH, "attendance",
     "Decline a call-up as the deputy called; the next deputy by rank is called"},
    {"POST", "/v1/meetings/{meetingId}/items/{itemId}/disqualifications", "agenda",
     "agenda.DeclareDisqualification", D(declare_disqualification_request), D(disqualification),
     201, AUTH, "attendance",
     "Declare oneself possibly disqualified (inhabil, forvaltningsloven § 6) for an item, with "
     "the reason"},
    {"PUT", "/v1/meetings/{meetingId}/disqualifications/{id}/decision", "agenda",
     "agenda.DecideDisqualification", D(decide_disqualification_request), D(disqualification), 200,
     AUTH, "attendance",
     "Record the committee's decision on a declaration: DISQUALIFIED (the member steps out for "
     "the item) or NOT_DISQUALIFIED"},
    {"GET", "/v1/meetings/{meetingId}/disqualifications", "agenda", "agenda.ListDisqualifications",
     D(list_disqualifications_request), D(list_disqualifications_response), 200, AUTH, "attendance",
     "The declarations of disqualification with their reasons: every one to those who run the "
     "committee, a member's own to the member"},
    {"GET", "/v1/me/meetings", "agenda", "agenda.ListMyMeetings", D(list_my_meetings_request),
     D(list_my_meetings_response), 200, AUTH, "attendance",
     "The coming meetings of the committees the caller's person sits in, with their seat, "
     "call-ups and declarations"},
    {"GET", "/v1/cases", "agenda", "agenda.ListCases", D(list_cases_request),
     D(list_cases_response), 200, AUTH, "cases",
     "Find cases by part of their title (an exempt one only with a standing in its committee)"},
    {"GET", "/v1/cases/{id}", "agenda", "agenda.GetCase", D(get_case_request), D(case), 200, AUTH,
     "minutes", "A case with every treatment, across meetings and committees"},
    {"POST", "/v1/actions", "agenda", "agenda.CreateAction", D(create_action_request), D(action),
     201, AUTH, "actions", "Record an action decided by a committee"},
    {"GET", "/v1/actions", "agenda", "agenda.ListActions", D(list_actions_request),
     D(list_actions_response), 200, AUTH, "actions",
     "List actions: per committee, open, overdue, by responsible organisation"},
    {"GET", "/v1/actions/{id}", "agenda", "agenda.GetAction", D(get_action_request), D(action), 200,
     AUTH, "actions", "Get an action with its dated progress notes"},
    {"PATCH", "/v1/actions/{id}", "agenda", "agenda.UpdateAction", D(update_action_request),
     D(action), 200, AUTH, "actions",
     "Change an action; a new status or a note adds a dated progress note"},
    {"POST", "/v1/meetings/{meetingId}/follow-up", "agenda", "agenda.AddFollowUp",
     D(add_follow_up_request), D(meeting), 200, AUTH, "actions",
     "Put the committee's open actions on the agenda as one follow-up item"},
    {"PUT", "/v1/meetings/{meetingId}/items/{itemId}/document", "agenda", "agenda.PutCaseDocument",
     D(put_case_document_request), D(case_document), 200, AUTH, "cases",
     "Write an item's case document (saksfremlegg)"},
    {"GET", "/v1/meetings/{meetingId}/items/{itemId}/document", "agenda", "agenda.GetCaseDocument",
     D(get_case_document_request), D(case_document), 200, PUBLIC, "cases",
     "Read an item's case document"},
    {"POST", "/v1/meetings/{meetingId}/items/{itemId}/attachments", "agenda",
     "agenda.AddAttachment", D(add_attachment_request), D(case_document), 200, AUTH, "cases",
     "Attach a file (base64 content) to an item's case document"},
    {"GET", "/v1/attachments/{id}", "agenda", "agenda.GetAttachment", D(get_attachment_request),
     D(document), 200, PUBLIC, "cases", "Download an attachment"},
    {"POST", "/v1/committees/{committeeId}/proposals", "agenda", "agenda.CreateProposal",
     D(create_proposal_request), D(proposal), 201, AUTH, "cases",
     "Submit a case to a committee (innmeldt sak)"},
    {"GET", "/v1/committees/{committeeId}/proposals", "agenda", "agenda.ListProposals",
     D(list_proposals_request), D(list_proposals_response), 200, AUTH, "cases",
     "List a committee's proposals"},
    {"GET", "/v1/proposals/{id}", "agenda", "agenda.GetProposal", D(get_proposal_request),
     D(proposal), 200, AUTH, "cases", "Get a proposal and what became of it"},
    {"POST", "/v1/proposals/{id}/accept", "agenda", "agenda.AcceptProposal",
     D(accept_proposal_request), D(proposal), 200, AUTH, "cases",
     "Place a proposal on a meeting's agenda"},
    {"POST", "/v1/proposals/{id}/decline", "agenda", "agenda.DeclineProposal",
     D(decline_proposal_request), D(proposal), 200, AUTH, "cases",
     "Decline a proposal, with the reason"},
    {"POST", "/v1/committees/{committeeId}/emergencies", "agenda", "agenda.OpenEmergency",
     D(open_emergency_request), D(emergency), 201, AUTH, "emergencies",
     "Open a crisis meeting series of an emergency committee"},
    {"GET", "/v1/committees/{committeeId}/emergencies", "agenda", "agenda.ListEmergencies",
     D(list_emergencies_request), D(list_emergencies_response), 200, AUTH, "emergencies",
     "The committee's crisis series, open and closed, with their meetings and log"},
    {"GET", "/v1/emergencies/{id}", "agenda", "agenda.GetEmergency", D(get_emergency_request),
     D(emergency), 200, AUTH, "emergencies", "An emergency with its meetings and log"},
    {"POST", "/v1/emergencies/{emergencyId}/meetings", "agenda", "agenda.CallEmergencyMeeting",
     D(call_emergency_meeting_request), D(meeting), 201, AUTH, "emergencies",
     "Call a crisis meeting; its notice goes out at once"},
    {"POST", "/v1/emergencies/{emergencyId}/log", "agenda", "agenda.LogEmergency",
     D(log_emergency_request), D(emergency), 200, AUTH, "emergencies",
     "Log a situation report or a decision"},
    {"POST", "/v1/emergencies/{emergencyId}/close", "agenda", "agenda.CloseEmergency",
     D(close_emergency_request), D(emergency), 200, AUTH, "emergencies",
     "Close the series when the emergency ends"},
    {"GET", "/v1/committees/{id}/calendar.ics", "agenda", "agenda.GetCommitteeCalendar",
     D(get_committee_request), D(document), 200, PUBLIC, "committees",
     "Every noticed meeting of a committee, as its last notice went out, as an iCalendar feed"},
    {"GET", "/v1/committees/{id}/documents", "agenda", "agenda.ListCommitteeDocuments",
     D(list_committee_documents_request), D(list_committee_documents_response), 200, PUBLIC,
     "committees",
     "A committee's public archive: each meeting's notice as it last went out and its approved "
     "minutes, newest first, by year (`year`)"},
    {"GET", "/v1/deviation-categories", "deviation", "deviation.ListCategories",
     D(list_deviation_categories_request), D(list_deviation_categories_response), 200, PUBLIC,
     "deviations", "The category code list of the report form (?version= for an earlier one)"},
    {"POST", "/v1/deviation-categories/versions", "deviation", "deviation.LoadCategories",
     D(load_categories_request), D(list_deviation_categories_response), 201, AUTH, "deviations",
     "Load a new version of the code list, mapping every code it retires (administrators)"},
    {"POST", "/v1/deviations", "deviation", "deviation.CreateReport", D(create_deviation_request),
     D(deviation_report), 201, AUTH, "deviations",
     "Report a deviation, as a draft or submitted at once"},
    {"GET", "/v1/deviations", "deviation", "deviation.ListReports", D(list_deviations_request),
     D(list_deviations_response), 200, AUTH, "deviations",
     "The reports the caller's organisation sent or received (all, for quality roles)"},
    {"GET", "/v1/deviations/stats", "deviation", "deviation.Stats", D(deviation_stats_request),
     D(deviation_stats_response), 200, AUTH, "deviations",
     "Statistics for a period (2023-T1, 2016-Q1, 2024-H2, 2024-05; by default the partnership's "
     "last ended one) beside the period before (format=csv or html)"},
    {"GET", "/v1/deviations/{id}", "deviation", "deviation.GetReport", D(get_deviation_request),
     D(deviation_report), 200, AUTH, "deviations",
     "A report with its deadlines, history and the caller's next steps"},
    {"PATCH", "/v1/deviations/{id}", "deviation", "deviation.UpdateReport",
     D(update_deviation_request), D(deviation_report), 200, AUTH, "deviations",
     "Change a draft (its writer only), If-Match on the ETag read; every error of the form at "
     "once"},
    {"GET", "/v1/deviations/{id}/fhir", "deviation", "deviation.ExportReport",
     D(export_deviation_request), D(document), 200, AUTH, "deviations",
     "The report as a FHIR R5 AdverseEvent (application/fhir+json)"},
    {"GET", "/v1/deviations/{id}/reads", "deviation", "deviation.ListReads",
     D(list_deviation_reads_request), D(list_deviation_reads_response), 200, AUTH, "deviations",
     "Who read the report, when and how (the access log), for quality staff"},
    {"POST", "/v1/deviations/{id}/analysis", "deviation", "deviation.CreateAnalysis",
     D(create_analysis_request), D(joint_analysis), 201, AUTH, "deviations",
     "Begin the joint incident analysis of a report once it is requested, by either party; "
     "every error at once"},
    {"GET", "/v1/deviations/{id}/analysis", "deviation", "deviation.GetAnalysis",
     D(get_analysis_request), D(joint_analysis), 200, AUTH, "deviations",
     "The joint analysis: participants, timeline, causes, findings and measures (the two "
     "parties and the partnership's quality staff)"},
    {"PATCH", "/v1/deviations/{id}/analysis", "deviation", "deviation.UpdateAnalysis",
     D(update_analysis_request), D(joint_analysis), 200, AUTH, "deviations",
     "Change the analysis, If-Match on the ETag read: the lists present replace those there; "
     "a measure keeps its id and is cancelled, not left out; every error at once"},
    {"POST", "/v1/deviations/{id}/analysis/finalize", "deviation", "deviation.FinalizeAnalysis",
     D(finalize_analysis_request), D(joint_analysis), 200, AUTH, "deviations",
     "Finalise the analysis, If-Match on the ETag read: locked from then (a change is 409)"},
    {"POST", "/v1/deviations/{id}/analysis/measures/{measureId}/done", "deviation",
     "deviation.CompleteMeasure", D(complete_measure_request), D(joint_analysis), 200, AUTH,
     "deviations", "Mark a measure of the analysis done (also once the analysis is final)"},
    {"GET", "/v1/deviations/{id}/analysis/report.html", "deviation", "deviation.AnalysisReport",
     D(analysis_report_request), D(document), 200, AUTH, "deviations",
     "The analysis's final report (sluttrapport) as HTML in bokmål; a draft until final"},
    {"GET", "/v1/analysis-measures", "deviation", "deviation.ListMeasures",
     D(list_analysis_measures_request), D(list_analysis_measures_response), 200, AUTH, "deviations",
     "Open measures of the joint analyses the caller reads, soonest due first (overdue=true: "
     "past their due date)"},
    {"GET", "/v1/settings", "deviation", "deviation.GetSettings", D(get_settings_request),
     D(partnership_settings), 200, AUTH, "settings",
     "The partnership's settings in force today: deviation deadlines, statistics period, "
     "reminder lead time"},
    {"GET", "/v1/settings/versions", "deviation", "deviation.ListSettingsVersions",
     D(list_settings_versions_request), D(list_settings_versions_response), 200, AUTH, "settings",
     "Every version of the settings, oldest first, with who made it: the audit trail"},
    {"PUT", "/v1/settings", "deviation", "deviation.PutSettings", D(put_settings_request),
     D(partnership_settings), 200, AUTH, "settings",
     "A new version of the settings from validFrom (today or later), If-Match on the newest "
     "version's ETag"},
#define STEP(path, method, summary)                                                                \
    {                                                                                              \
        "POST", "/v1/deviations/{id}/" path, "deviation", "deviation." method,                     \
            D(deviation_action_request), D(deviation_report), 200, AUTH, "deviations", summary     \
    }
    STEP("submit", "Submit", "Submit a draft to the receiver"),
    STEP("acknowledge", "Acknowledge", "Register (acknowledge) a report received"),
    STEP("request-information", "RequestInformation",
         "Ask the reporter for information; the answer deadline pauses"),
    STEP("give-information", "GiveInformation", "Give the information asked for"),
    STEP("respond", "Respond", "Answer the report"),
    STEP("forward", "Forward", "Forward to the party concerned; the deadlines start again"),
    STEP("reject", "Reject", "Reject as not a cooperation deviation, with the reason"),
    STEP("mark-duplicate", "MarkDuplicate", "Mark as a duplicate of another report"),
    STEP("dispute", "Dispute", "Dispute the answer; the case goes to the committee"),
    STEP("request-analysis", "RequestAnalysis", "Request a joint incident analysis"),
    STEP("close", "Close", "Close the report"),
    STEP("reopen", "Reopen", "Reopen a closed, rejected or duplicate report"),
    STEP("approve", "Approve", "Leader review: approve a report on to the receiver"),
    STEP("return", "Return", "Leader review: return a report to its writer, with a comment"),
#undef STEP
    {"GET", "/v1/events", "notify", "notify.ListEvents", D(list_events_request),
     D(list_events_response), 200, AUTH, "events",
     "The pull feed: CloudEvents the caller may see, after a cursor (types=prefixes)"},
    {"POST", "/v1/subscriptions", "notify", "notify.CreateSubscription",
     D(create_subscription_request), D(subscription), 201, AUTH, "events",
     "Subscribe an endpoint to events; the signing secret is shown this once"},
    {"GET", "/v1/subscriptions", "notify", "notify.ListSubscriptions",
     D(list_subscriptions_request), D(list_subscriptions_response), 200, AUTH, "events",
     "The caller's organisation's subscriptions"},
    {"GET", "/v1/subscriptions/{id}", "notify", "notify.GetSubscription",
     D(get_subscription_request), D(subscription), 200, AUTH, "events", "Get a subscription"},
    {"PATCH", "/v1/subscriptions/{id}", "notify", "notify.UpdateSubscription",
     D(update_subscription_request), D(subscription), 200, AUTH, "events",
     "Change, pause, resume a subscription, or rotate its secret"},
    {"DELETE", "/v1/subscriptions/{id}", "notify", "notify.DeleteSubscription",
     D(get_subscription_request), D(subscription), 200, AUTH, "events",
     "Delete a subscription with its deliveries"},
    {"GET", "/v1/subscriptions/{subscriptionId}/deliveries", "notify", "notify.ListDeliveries",
     D(list_deliveries_request), D(list_deliveries_response), 200, AUTH, "events",
     "Deliveries with every attempt (time, status, latency, start of the answer)"},
    {"POST", "/v1/subscriptions/{subscriptionId}/replay", "notify", "notify.Replay",
     D(replay_request), D(replay_response), 200, AUTH, "events",
     "Deliver dead letters again, by id or time range, or everything since a time"},
    {"GET", "/v1/subscriptions/{subscriptionId}/events", "notify", "notify.ListSubscriptionEvents",
     D(list_subscription_events_request), D(list_events_response), 200, AUTH, "events",
     "The events that matched the subscription, by its counter (after=subscriptionsequence)"},
    {"GET", "/v1/meetings/{id}/calendar.ics", "agenda", "agenda.GetMeetingCalendar",
     D(get_meeting_request), D(document), 200, PUBLIC, "meetings",
     "The meeting as an iCalendar event, SEQUENCE the notice's version (version=N: notice N)"},
};
const size_t gateway_routes_count = sizeof gateway_routes / sizeof gateway_routes[0];

const char *gateway_route_label(const gateway_route_t *route)
{
    static char *labels[sizeof gateway_routes / sizeof gateway_routes[0]];
    size_t i = (size_t)(route - gateway_routes);
    assert(i < gateway_routes_count);
    if (!labels[i]) {
        size_t size = strlen(route->method) + strlen(route->path) + 2;
        labels[i] = malloc(size);
        assert(labels[i]);
        snprintf(labels[i], size, "%s %s", route->method, route->path);
    }
    return labels[i];
}

static int s_hex(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Matches `path` against `template`; fills params. 1 on a match. */
static int s_match(const char *template, const char *path, size_t path_len,
                   gateway_path_params_t *params)
{
    const char *t = template, *p = path, *end = path + path_len;
    params->n = 0;
    while (*t && p < end) {
        if (*t == '{') {
            const char *close = strchr(t, '}');
            const char *slash = memchr(p, '/', (size_t)(end - p));
            size_t seg_len = (size_t)((slash ? slash : end) - p);
            if (!close || seg_len == 0 || params->n == GATEWAY_MAX_PATH_PARAMS)
                return 0;
            size_t name_len = (size_t)(close - t - 1);
            gateway_path_param_t *param = &params->params[params->n++];
            snprintf(param->name, sizeof param->name, "%.*s", (int)name_len, t + 1);
            size_t j = 0;
            for (size_t i = 0; i < seg_len; i++) {
                char c = p[i];
                if (c == '%' && i + 2 < seg_len && s_hex(p[i + 1]) >= 0 && s_hex(p[i + 2]) >= 0) {
                    c = (char)(s_hex(p[i + 1]) * 16 + s_hex(p[i + 2]));
                    i += 2;
                }
                if (c == '\0' || j + 1 >= sizeof param->value)
                    return 0;
                param->value[j++] = c;
            }
            param->value[j] = '\0';
            t = close + 1;
            p += seg_len;
        } else {
            if (*t != *p)
                return 0;
            t++;
            p++;
        }
    }
    /* a trailing slash is the same resource */
    if (!*t && p + 1 == end && *p == '/')
        p++;
    return !*t && p == end;
}

const gateway_route_t *gateway_route_match(const char *method, const char *path, size_t path_len,
                                           gateway_path_params_t *params, int *path_known,
                                           char *allow, size_t allow_size)
{
    gateway_path_params_t scratch;
    size_t used = 0;
    *path_known = 0;
    allow[0] = '\0';
    for (size_t i = 0; i < gateway_routes_count; i++) {
        const gateway_route_t *route = &gateway_routes[i];
        if (!s_match(route->path, path, path_len, &scratch))
            continue;
        if (strcmp(route->method, method) == 0) {
            *params = scratch;
            return route;
        }
        *path_known = 1;
        if (used < allow_size)
            used += (size_t)snprintf(allow + used, allow_size - used, "%s%s", used ? ", " : "",
                                     route->method);
    }
    return NULL;
}

bool gateway_route_takes_files(const gateway_route_t *route)
{
    for (unsigned i = 0; i < route->request->n_fields; i++)
        if (route->request->fields[i].type == PROTOBUF_C_TYPE_BYTES)
            return true;
    return false;
}

bool gateway_route_requires_if_match(const gateway_route_t *route)
{
    /* the service answers 428 to these without If-Match */
    return strcmp(route->rpc, "deviation.PutSettings") == 0 ||
           strcmp(route->rpc, "deviation.UpdateReport") == 0 ||
           strcmp(route->rpc, "deviation.UpdateAnalysis") == 0 ||
           strcmp(route->rpc, "deviation.FinalizeAnalysis") == 0;
}

bool gateway_route_versioned(const gateway_route_t *route)
{
    static const char *const versioned[] = {
        "agenda.UpdateOrganization", "agenda.UpdatePerson",        "agenda.UpdateCommittee",
        "agenda.UpdateMeeting",      "agenda.AddAgendaItem",       "agenda.UpdateAgendaItem",
        "agenda.DeleteAgendaItem",   "agenda.UpdateAction",        "notify.UpdateSubscription",
        "agenda.SetAttendance",      "agenda.SetOutcome",          "agenda.PutCaseDocument",
        "agenda.UpdateMembership",   "deviation.PutSettings",      "deviation.UpdateReport",
        "deviation.UpdateAnalysis",  "deviation.FinalizeAnalysis", NULL};
    for (size_t i = 0; versioned[i]; i++)
        if (strcmp(route->rpc, versioned[i]) == 0)
            return true;
    return false;
}
