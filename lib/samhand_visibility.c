/* The visibility table: who may read each kind of event (samhand_visibility.h). */
#include "samhand_visibility.h"

#include <string.h>

/* Those who may read the committees' working papers and the directory's
 * persons: every role but the deviation reporters'. */
static const char *const s_committee_readers[] = {
    "administrator", "secretariat", "secretary", "member", "quality", "integration", NULL};
static const char *const s_deviation_readers[] = {"administrator", "reporter", "quality",
                                                  "integration",   "leader",   NULL};
static const char *const s_administrators[] = {"administrator", NULL};
/* Those who keep the committees' papers: a member's absence and a
 * declaration of disqualification are no other party's business. */
static const char *const s_committee_staff[] = {"administrator", "secretariat", "secretary", NULL};

const visibility_event_t visibility_events[] = {
    {"no.samhand.organization.", "agenda.GetOrganization", NULL, "the organisation"},
    {"no.samhand.committee.", "agenda.GetCommittee", NULL, "the committee"},
    {"no.samhand.membership.", "agenda.GetMembership", NULL, "the membership, the person by id"},
    {"no.samhand.meeting.", "agenda.GetMeeting", NULL, "the meeting as the public sees it"},
    {"no.samhand.case_document.", "agenda.GetCaseDocument", NULL,
     "the case document; of an exempt item, ids only"},
    {"no.samhand.person.", "agenda.GetPerson", s_committee_readers,
     "the person: name, e-mail, principal"},
    {"no.samhand.proposal.", "agenda.GetProposal", s_committee_readers,
     "the proposal with its submitter"},
    {"no.samhand.action.", "agenda.GetAction", s_committee_readers, "the action"},
    {"no.samhand.emergency.", "agenda.GetEmergency", s_committee_readers,
     "the emergency with its log"},
    {"no.samhand.absence.", "agenda.ListSeats", s_committee_staff,
     "the absence with its call-ups, never its reason"},
    {"no.samhand.disqualification.", "agenda.ListDisqualifications", s_committee_staff,
     "the declaration and its decision, never its reason"},
    {"no.samhand.api_key.", "agenda.GetApiKey", s_administrators,
     "the key's id, subject and roles"},
    {"no.samhand.deviation.analysis.", "deviation.GetAnalysis", s_deviation_readers,
     "the joint analysis, for its two parties and the partnership's quality staff alone"},
    {"no.samhand.deviation.", "deviation.GetReport", s_deviation_readers,
     "the report as its receiver sees it"},
};
const size_t visibility_events_count = sizeof visibility_events / sizeof visibility_events[0];

static const visibility_event_t s_unknown = {"", "", s_administrators, "(not declared)"};

const visibility_event_t *visibility_event(const char *type)
{
    for (size_t i = 0; type && i < visibility_events_count; i++)
        if (strncmp(type, visibility_events[i].type_prefix,
                    strlen(visibility_events[i].type_prefix)) == 0)
            return &visibility_events[i];
    return &s_unknown;
}

size_t visibility_roles_count(const visibility_event_t *row)
{
    size_t n = 0;
    while (row->roles && row->roles[n])
        n++;
    return n;
}
