/* Who acts on a committee's work: the gateway's policy table says which
 * roles may call a method at all; this table says on WHICH committees.
 * A secretary or chair acts on the committees they are secretary, chair or
 * vice chair of (by a membership today), the secretariat (and secretaries)
 * of the organisation that runs the committee act on it, administrators
 * everywhere; the members of a committee take part in it (its crisis log,
 * the progress of its actions, as do the organisations answering for an
 * action) and see its exempt papers. */
#include "agenda_scope.h"
#include "samhand_check.h"

#include <string.h>

typedef enum {
    SCOPE_RUNS,       /* those who run the committee */
    SCOPE_TAKES_PART, /* those who run it and its members */
} scope_t;

static const struct {
    const char *method;
    scope_t scope;
} s_scopes[] = {
    {"agenda.UpdateCommittee", SCOPE_RUNS},      {"agenda.SetCaseNumbering", SCOPE_RUNS},
    {"agenda.CreateMembership", SCOPE_RUNS},     {"agenda.UpdateMembership", SCOPE_RUNS},
    {"agenda.CreateMeeting", SCOPE_RUNS},        {"agenda.UpdateMeeting", SCOPE_RUNS},
    {"agenda.AddAgendaItem", SCOPE_RUNS},        {"agenda.UpdateAgendaItem", SCOPE_RUNS},
    {"agenda.DeleteAgendaItem", SCOPE_RUNS},     {"agenda.PublishMeeting", SCOPE_RUNS},
    {"agenda.CancelMeeting", SCOPE_RUNS},        {"agenda.SetAttendance", SCOPE_RUNS},
    {"agenda.SetOutcome", SCOPE_RUNS},           {"agenda.ApproveMinutes", SCOPE_RUNS},
    {"agenda.PutCaseDocument", SCOPE_RUNS},      {"agenda.AddAttachment", SCOPE_RUNS},
    {"agenda.CreateAction", SCOPE_RUNS},         {"agenda.UpdateAction", SCOPE_TAKES_PART},
    {"agenda.AddFollowUp", SCOPE_RUNS},          {"agenda.AcceptProposal", SCOPE_RUNS},
    {"agenda.DeclineProposal", SCOPE_RUNS},      {"agenda.OpenEmergency", SCOPE_RUNS},
    {"agenda.CallEmergencyMeeting", SCOPE_RUNS}, {"agenda.LogEmergency", SCOPE_TAKES_PART},
    {"agenda.CloseEmergency", SCOPE_RUNS},
};

bool agenda_caller_known(bus_call_t *call)
{
    const Samhand__V1__Principal *p = call->envelope->principal;
    return call->reader_person_id || (p && p->subject && *p->subject);
}

int agenda_caller_standing(bus_call_t *call, const char *committee_id)
{
    if (!agenda_caller_known(call) || !check_uuid(committee_id))
        return AGENDA_STANDING_NONE;
    if (call->reader_person_id) {
        /* a document for a mail's recipient: what they would read signed
         * in, as a member at most (never a secretary's working draft) */
        int is_member =
            agenda_store_person_is_member(call->db, committee_id, call->reader_person_id);
        return is_member > 0 ? AGENDA_STANDING_MEMBER : AGENDA_STANDING_NONE;
    }
    const Samhand__V1__Principal *p = call->envelope->principal;
    if (bus_call_holds_role(call, "administrator"))
        return AGENDA_STANDING_RUNS;
    char runner[40];
    bool runs = false, member = false;
    int standing = AGENDA_STANDING_NONE;
    if (agenda_store_committee_standing(call->db, committee_id, p->subject, runner, &runs,
                                        &member) == 0) {
        bool of_runner = runner[0] && p->organization_id && strcmp(runner, p->organization_id) == 0;
        bool staff =
            bus_call_holds_role(call, "secretariat") || bus_call_holds_role(call, "secretary");
        if ((of_runner && staff) || runs)
            standing = AGENDA_STANDING_RUNS;
        else if (member)
            standing = AGENDA_STANDING_MEMBER;
    }
    return standing;
}

agenda_reader_t agenda_caller_reader(bus_call_t *call)
{
    agenda_reader_t reader = {.subject = ""};
    if (!agenda_caller_known(call) || call->reader_person_id)
        return reader; /* a mail's recipient: the public's reading of other committees */
    const Samhand__V1__Principal *p = call->envelope->principal;
    reader.is_administrator = bus_call_holds_role(call, "administrator");
    reader.subject = p->subject;
    if (check_uuid(p->organization_id) &&
        (bus_call_holds_role(call, "secretariat") || bus_call_holds_role(call, "secretary")))
        reader.staff_organization_id = p->organization_id;
    return reader;
}

bool agenda_caller_sees_exempt(bus_call_t *call, const char *committee_id)
{
    return agenda_caller_standing(call, committee_id) != AGENDA_STANDING_NONE;
}

int agenda_scope_check(bus_call_t *call, const char *committee_id)
{
    return agenda_scope_check_standing(call, agenda_caller_standing(call, committee_id));
}

int agenda_scope_check_standing(bus_call_t *call, int standing)
{
    const char *method = call->envelope->method;
    for (size_t i = 0; i < sizeof s_scopes / sizeof s_scopes[0]; i++) {
        if (strcmp(s_scopes[i].method, method) != 0)
            continue;
        if (standing == AGENDA_STANDING_RUNS ||
            (standing == AGENDA_STANDING_MEMBER && s_scopes[i].scope == SCOPE_TAKES_PART))
            return 0;
        if (s_scopes[i].scope == SCOPE_TAKES_PART)
            return bus_call_fail(call, BUS_PERMISSION_DENIED, NULL,
                                 "only the committee's members, its secretary and chair, the "
                                 "secretariat of the organisation that runs it "
                                 "(secretariatOrganizationId) and administrators may do this");
        return bus_call_fail(call, BUS_PERMISSION_DENIED, NULL,
                             "only the committee's secretary and chair, the secretariat of the "
                             "organisation that runs it (secretariatOrganizationId) and "
                             "administrators may do this");
    }
    return 0; /* not a change of a committee's work */
}
