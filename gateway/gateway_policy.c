/* The authorization table, beside the route table: for each bus method
 * behind a route that needs a credential, the roles that may call it. */
#include "gateway_policy.h"

#include <stdio.h>
#include <string.h>

static const char *const s_role_names[] = {"administrator", "secretariat", "secretary",  "member",
                                           "reporter",      "quality",     "integration"};
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
#define DEVIATIONS (ADMIN | ROLE_REPORTER | ROLE_QUALITY | ROLE_INTEGRATION)
#define INTEGRATIONS (ADMIN | ROLE_INTEGRATION)

const gateway_policy_t gateway_policies[] = {
    /* the directory: kept by the secretariat, persons read by committee people */
    {"agenda.CreateOrganization", DIRECTORY},
    {"agenda.UpdateOrganization", DIRECTORY},
    {"agenda.CreateApiKey", ADMIN},
    {"agenda.ListApiKeys", ADMIN},
    {"agenda.GetApiKey", ADMIN},
    {"agenda.RevokeApiKey", ADMIN},
    {"agenda.CreatePerson", DIRECTORY},
    {"agenda.UpdatePerson", DIRECTORY},
    {"agenda.ListPersons", COMMITTEE_READ},
    {"agenda.GetPerson", COMMITTEE_READ},
    /* committees and their members */
    {"agenda.CreateCommittee", DIRECTORY},
    {"agenda.UpdateCommittee", DIRECTORY},
    {"agenda.CreateMembership", DIRECTORY},
    {"agenda.UpdateMembership", DIRECTORY},
    /* meetings, agendas, case documents, minutes: the secretaries */
    {"agenda.CreateMeeting", MEETINGS},
    {"agenda.UpdateMeeting", MEETINGS},
    {"agenda.AddAgendaItem", MEETINGS},
    {"agenda.UpdateAgendaItem", MEETINGS},
    {"agenda.DeleteAgendaItem", MEETINGS},
    {"agenda.PublishMeeting", MEETINGS},
    {"agenda.CancelMeeting", MEETINGS},
    {"agenda.SetAttendance", MEETINGS},
    {"agenda.SetOutcome", MEETINGS},
    {"agenda.ApproveMinutes", MEETINGS},
    {"agenda.PutCaseDocument", MEETINGS},
    {"agenda.AddAttachment", MEETINGS},
    {"agenda.GetCase", COMMITTEE_READ},
    /* actions: decided by the committee, progress by its members too */
    {"agenda.CreateAction", MEETINGS},
    {"agenda.UpdateAction", MEETINGS | ROLE_MEMBER},
    {"agenda.ListActions", COMMITTEE_READ},
    {"agenda.GetAction", COMMITTEE_READ},
    {"agenda.AddFollowUp", MEETINGS},
    /* proposals: anyone of the parties may send a case in */
    {"agenda.CreateProposal", ROLE_ANY},
    {"agenda.ListProposals", COMMITTEE_READ},
    {"agenda.GetProposal", COMMITTEE_READ},
    {"agenda.AcceptProposal", MEETINGS},
    {"agenda.DeclineProposal", MEETINGS},
    /* emergencies: run by the secretaries, logged by members too */
    {"agenda.OpenEmergency", MEETINGS},
    {"agenda.GetEmergency", COMMITTEE_READ},
    {"agenda.CallEmergencyMeeting", MEETINGS},
    {"agenda.LogEmergency", MEETINGS | ROLE_MEMBER},
    {"agenda.CloseEmergency", MEETINGS},
    /* deviations: the parties' reporters and systems, quality; which
     * reports each may see and handle is the deviation service's rule */
    {"deviation.CreateReport", DEVIATIONS},
    {"deviation.ListReports", DEVIATIONS},
    {"deviation.GetReport", DEVIATIONS},
    {"deviation.ExportReport", DEVIATIONS},
    {"deviation.ListReads", ADMIN | ROLE_QUALITY}, /* the access log */
    {"deviation.Submit", DEVIATIONS},
    {"deviation.Acknowledge", DEVIATIONS},
    {"deviation.RequestInformation", DEVIATIONS},
    {"deviation.GiveInformation", DEVIATIONS},
    {"deviation.Respond", DEVIATIONS},
    {"deviation.Forward", DEVIATIONS},
    {"deviation.Reject", DEVIATIONS},
    {"deviation.MarkDuplicate", DEVIATIONS},
    {"deviation.Dispute", DEVIATIONS},
    {"deviation.RequestAnalysis", DEVIATIONS},
    {"deviation.Close", DEVIATIONS},
    {"deviation.Reopen", DEVIATIONS},
    /* aggregated, names of small counts suppressed: for the committees too */
    {"deviation.Stats", ROLE_ANY},
    /* events: each sees what its organisation may; subscriptions are for
     * the parties' systems */
    {"notify.ListEvents", ROLE_ANY},
    {"notify.CreateSubscription", INTEGRATIONS},
    {"notify.ListSubscriptions", INTEGRATIONS},
    {"notify.GetSubscription", INTEGRATIONS},
    {"notify.UpdateSubscription", INTEGRATIONS},
    {"notify.DeleteSubscription", INTEGRATIONS},
    {"notify.ListDeliveries", INTEGRATIONS},
    {"notify.Replay", INTEGRATIONS},
};
const size_t gateway_policies_count = sizeof gateway_policies / sizeof gateway_policies[0];

unsigned gateway_policy_roles(const char *rpc)
{
    for (size_t i = 0; i < gateway_policies_count; i++)
        if (strcmp(gateway_policies[i].rpc, rpc) == 0)
            return gateway_policies[i].roles;
    return 0;
}
