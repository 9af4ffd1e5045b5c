/* The authorization table, beside the route table: for each bus method
 * behind a route that needs a credential, the roles that may call it. */
#include "gateway_policy.h"

#include <stdio.h>
#include <string.h>

static const char *const s_role_names[] = {"administrator", "secretariat", "secretary",   "member",
                                           "reporter",      "quality",     "integration", "leader"};
#define N_ROLES (sizeof s_role_names / sizeof s_role_names[0])

unsigned gateway_role_bit(const char *name, size_t len)
{
    for (size_t i = 0; i < N_ROLES; i++)
        if (strlen(s_role_names[i]) == len && strncmp(s_role_names[i], name, len) == 0)
            return 1u << i;
    return 0;
}

unsigned gateway_principal_roles(const Samhand__V1__Principal *principal)
{
    unsigned roles = 0;
    for (size_t i = 0; principal && i < principal->n_roles; i++)
        roles |= gateway_role_bit(principal->roles[i], strlen(principal->roles[i]));
    return roles;
}

void gateway_roles_text(unsigned roles, char *out, size_t size)
{
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < N_ROLES && used < size; i++)
        if (roles & (1u << i))
            used += (size_t)snprintf(out + used, size - used, "%s%s", used ? ", " : "",
                                     s_role_names[i]);
}

/* The sets the table is made of. */
#define ADMIN ROLE_ADMINISTRATOR
#define DIRECTORY (ADMIN | ROLE_SECRETARIAT)  /* who is who */
#define MEETINGS (DIRECTORY | ROLE_SECRETARY) /* a committee's work */
#define COMMITTEE_READ (MEETINGS | ROLE_MEMBER | ROLE_QUALITY | ROLE_INTEGRATION)
#define DEVIATIONS (ADMIN | ROLE_REPORTER | ROLE_QUALITY | ROLE_INTEGRATION | ROLE_LEADER)
#define INTEGRATIONS (ADMIN | ROLE_INTEGRATION)

/* On which of them (the services enforce it, and refuse naming the rule) */
#define RUNS                                                                                       \
    "the committees the caller runs: as their secretary, chair or vice chair, or as the "          \
    "secretariat of the organisation that runs them (administrators: all)"
#define TAKES_PART                                                                                 \
    "the committees the caller runs or is a member of, and an action also the organisations "      \
    "answering for it (administrators: all)"
#define PARTIES                                                                                    \
    "the reports of the caller's organisation, reporting or receiving (quality and "               \
    "administrators: all; a draft: its reporter only)"
#define ANALYSIS                                                                                   \
    "the analyses of the reports the caller's organisation reported or received (written by "      \
    "their reporters and quality roles), and every analysis for the partnership's quality "        \
    "staff and administrators (of no organisation)"
#define OWNED "the subscriptions of the caller's organisation (administrators: all)"
#define FOLLOWS                                                                                    \
    "every proposal for those who read the committees' work; for anyone else those they sent "     \
    "in or that were sent for their organisation (any other: 404)"
#define SELF_OR_RUNS                                                                               \
    "the caller's own person (its principalSubject), or anyone's in the committees the caller "    \
    "runs (administrators: all)"
#define CALLED_DEPUTY "the call-ups of the caller's own person (any other: 404)"
#define SELF "the caller's own person (its principalSubject)"
#define OWN_ORGANISATION "the caller's own organisation (administrators and the secretariat: any)"

const gateway_policy_t gateway_policies[] = {
    /* the directory: kept by the secretariat, persons read by committee people */
    {"agenda.CreateOrganization", DIRECTORY, NULL},
    {"agenda.UpdateOrganization", DIRECTORY, NULL},
    {"agenda.CreateApiKey", ADMIN, NULL},
    {"agenda.ListApiKeys", ADMIN, NULL},
    {"agenda.GetApiKey", ADMIN, NULL},
    {"agenda.RevokeApiKey", ADMIN, NULL},
    {"agenda.CreatePerson", DIRECTORY, NULL},
    {"agenda.UpdatePerson", DIRECTORY, NULL},
    {"agenda.ListPersons", COMMITTEE_READ, NULL},
    {"agenda.GetPerson", COMMITTEE_READ, NULL},
    /* committees and their members */
    {"agenda.CreateCommittee", DIRECTORY, NULL},
    {"agenda.UpdateCommittee", DIRECTORY, RUNS},
    {"agenda.SetCaseNumbering", DIRECTORY, RUNS},
    {"agenda.CreateMembership", DIRECTORY, RUNS},
    {"agenda.UpdateMembership", DIRECTORY, RUNS},
    /* meetings, agendas, case documents, minutes: the secretaries */
    {"agenda.CreateMeeting", MEETINGS, RUNS},
    {"agenda.UpdateMeeting", MEETINGS, RUNS},
    {"agenda.AddAgendaItem", MEETINGS, RUNS},
    {"agenda.UpdateAgendaItem", MEETINGS, RUNS},
    {"agenda.DeleteAgendaItem", MEETINGS, RUNS},
    {"agenda.PublishMeeting", MEETINGS, RUNS},
    {"agenda.CancelMeeting", MEETINGS, RUNS},
    {"agenda.SetAttendance", MEETINGS, RUNS},
    {"agenda.SetOutcome", MEETINGS, RUNS},
    {"agenda.ApproveMinutes", MEETINGS, RUNS},
    {"agenda.PutCaseDocument", MEETINGS, RUNS},
    {"agenda.AddAttachment", MEETINGS, RUNS},
    {"agenda.GetCase", COMMITTEE_READ, NULL},
    {"agenda.ListCases", COMMITTEE_READ, NULL},
    /* actions: decided by the committee, progress by its members too */
    {"agenda.CreateAction", MEETINGS, RUNS},
    {"agenda.UpdateAction", MEETINGS | ROLE_MEMBER, TAKES_PART},
    {"agenda.ListActions", COMMITTEE_READ, NULL},
    {"agenda.GetAction", COMMITTEE_READ, NULL},
    {"agenda.AddFollowUp", MEETINGS, RUNS},
    /* proposals: anyone of the parties may send a case in, and follow it */
    {"agenda.CreateProposal", ROLE_ANY, OWN_ORGANISATION},
    {"agenda.ListProposals", ROLE_ANY, FOLLOWS},
    {"agenda.GetProposal", ROLE_ANY, FOLLOWS},
    {"agenda.AcceptProposal", MEETINGS, RUNS},
    {"agenda.DeclineProposal", MEETINGS, RUNS},
    /* a meeting's seats: a member for themselves, the secretaries for anyone;
     * a call-up by its deputy alone */
    {"agenda.ReportAbsence", MEETINGS | ROLE_MEMBER, SELF_OR_RUNS},
    {"agenda.WithdrawAbsence", MEETINGS | ROLE_MEMBER, SELF_OR_RUNS},
    {"agenda.ListSeats", MEETINGS | ROLE_MEMBER, SELF_OR_RUNS},
    {"agenda.AcceptCallUp", MEETINGS | ROLE_MEMBER, CALLED_DEPUTY},
    {"agenda.DeclineCallUp", MEETINGS | ROLE_MEMBER, CALLED_DEPUTY},
    {"agenda.DeclareDisqualification", MEETINGS | ROLE_MEMBER, SELF_OR_RUNS},
    {"agenda.DecideDisqualification", MEETINGS, RUNS},
    {"agenda.ListDisqualifications", MEETINGS | ROLE_MEMBER, SELF_OR_RUNS},
    {"agenda.ListMyMeetings", MEETINGS | ROLE_MEMBER, SELF},
    /* emergencies: run by the secretaries, logged by members too */
    {"agenda.OpenEmergency", MEETINGS, RUNS},
    {"agenda.GetEmergency", COMMITTEE_READ, NULL},
    {"agenda.ListEmergencies", COMMITTEE_READ, NULL},
    {"agenda.CallEmergencyMeeting", MEETINGS, RUNS},
    {"agenda.LogEmergency", MEETINGS | ROLE_MEMBER, TAKES_PART},
    {"agenda.CloseEmergency", MEETINGS, RUNS},
    /* deviations: the parties' reporters and systems, quality; which
     * reports each may see and handle is the deviation service's rule */
    {"deviation.CreateReport", DEVIATIONS, PARTIES},
    {"deviation.ListReports", DEVIATIONS, PARTIES},
    {"deviation.GetReport", DEVIATIONS, PARTIES},
    {"deviation.UpdateReport", DEVIATIONS, PARTIES},
    {"deviation.ExportReport", DEVIATIONS, PARTIES},
    {"deviation.ListReads", ADMIN | ROLE_QUALITY, NULL}, /* the access log */
    {"deviation.Submit", DEVIATIONS, PARTIES},
    {"deviation.Acknowledge", DEVIATIONS, PARTIES},
    {"deviation.RequestInformation", DEVIATIONS, PARTIES},
    {"deviation.GiveInformation", DEVIATIONS, PARTIES},
    {"deviation.Respond", DEVIATIONS, PARTIES},
    {"deviation.Forward", DEVIATIONS, PARTIES},
    {"deviation.Reject", DEVIATIONS, PARTIES},
    {"deviation.MarkDuplicate", DEVIATIONS, PARTIES},
    {"deviation.Dispute", DEVIATIONS, PARTIES},
    {"deviation.RequestAnalysis", DEVIATIONS, PARTIES},
    {"deviation.Close", DEVIATIONS, PARTIES},
    {"deviation.Reopen", DEVIATIONS, PARTIES},
    /* a report's joint analysis: its two parties (case handlers and quality
     * write) and the partnership's quality staff */
    {"deviation.CreateAnalysis", DEVIATIONS, ANALYSIS},
    {"deviation.GetAnalysis", DEVIATIONS, ANALYSIS},
    {"deviation.UpdateAnalysis", DEVIATIONS, ANALYSIS},
    {"deviation.FinalizeAnalysis", DEVIATIONS, ANALYSIS},
    {"deviation.CompleteMeasure", DEVIATIONS, ANALYSIS},
    {"deviation.AnalysisReport", DEVIATIONS, ANALYSIS},
    {"deviation.ListMeasures", DEVIATIONS, ANALYSIS},
    /* leader review: a leader of the reporting organisation (the service checks) */
    {"deviation.Approve", DEVIATIONS, PARTIES},
    {"deviation.Return", DEVIATIONS, PARTIES},
    /* the partnership's settings: the rules every party works under, read
     * by all, changed by administrators */
    {"deviation.GetSettings", ROLE_ANY, NULL},
    {"deviation.ListSettingsVersions", ROLE_ANY, NULL},
    {"deviation.PutSettings", ADMIN, NULL},
    /* the category code list: read by all (public), a version loaded by administrators */
    {"deviation.LoadCategories", ADMIN, NULL},
    /* aggregated, no figure of fewer than 5 reports: for the committees too */
    {"deviation.Stats", ROLE_ANY, NULL},
    /* events: each sees what its organisation may; subscriptions are for
     * the parties' systems */
    {"notify.ListEvents", ROLE_ANY, NULL},
    {"notify.CreateSubscription", INTEGRATIONS, NULL},
    {"notify.ListSubscriptions", INTEGRATIONS, OWNED},
    {"notify.GetSubscription", INTEGRATIONS, OWNED},
    {"notify.UpdateSubscription", INTEGRATIONS, OWNED},
    {"notify.DeleteSubscription", INTEGRATIONS, OWNED},
    {"notify.ListDeliveries", INTEGRATIONS, OWNED},
    {"notify.Replay", INTEGRATIONS, OWNED},
    {"notify.ListSubscriptionEvents", INTEGRATIONS, OWNED},
};
const size_t gateway_policies_count = sizeof gateway_policies / sizeof gateway_policies[0];

unsigned gateway_policy_roles(const char *rpc)
{
    for (size_t i = 0; i < gateway_policies_count; i++)
        if (strcmp(gateway_policies[i].rpc, rpc) == 0)
            return gateway_policies[i].roles;
    return 0;
}

const char *gateway_policy_scope(const char *rpc)
{
    for (size_t i = 0; i < gateway_policies_count; i++)
        if (strcmp(gateway_policies[i].rpc, rpc) == 0)
            return gateway_policies[i].scope;
    return NULL;
}
