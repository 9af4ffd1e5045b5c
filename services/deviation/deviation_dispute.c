/* A disputed report before the committee the partnership names for
 * disputes: the dispute step gives it a proposal id there (agenda, which
 * follows this service's events, makes the proposal: an innmeldt sak), and
 * the committee's taking of it (placed on a meeting's agenda, declined
 * with a reason, and decided in its approved minutes) comes back from
 * agenda's events onto the report, each with a
 * no.samhand.deviation.dispute_decided event for both parties. */
#include "deviation_report.h"
#include "samhand/v1/agenda.pb-c.h"

#include <string.h>

int deviation_dispute_open(bus_call_t *call, deviation_report_t *r, const char *today)
{
    Samhand__V1__PartnershipSettings *rule = NULL;
    if (deviation_settings_at(call->db, call->service, today, 0, &rule) != 0)
        return bus_call_fail_db(call, "read settings");
    int rc = 0;
    if (rule->dispute_committee_id[0] &&
        deviation_store_dispute_open(call->db, r->id, rule->dispute_committee_id) != 0)
        rc = bus_call_fail_db(call, "send the dispute to the committee");
    protobuf_c_message_free_unpacked(&rule->base, NULL);
    return rc;
}

/* The event of report `id` that the committee took its dispute on. */
static int s_decided(db_t *db, const char *id)
{
    deviation_report_t *r = NULL;
    if (deviation_store_get(db, id, false, &r) != 0)
        return -1;
    deviation_deadline_status(r);
    int rc = deviation_append_event(db, "no.samhand.deviation.dispute_decided", r);
    protobuf_c_message_free_unpacked(&r->base, NULL);
    return rc;
}

/* The decision of an item as the approved minutes give it to everyone (an
 * exempt item's is not: its outcome alone). */
static const char *s_decision(const Samhand__V1__AgendaItem *item)
{
    if (item->decision && item->decision[0])
        return item->decision;
    switch (item->outcome) {
    case SAMHAND__V1__AGENDA_ITEM__OUTCOME__NOTED:
        return "Tatt til orientering.";
    case SAMHAND__V1__AGENDA_ITEM__OUTCOME__POSTPONED:
        return "Utsatt.";
    case SAMHAND__V1__AGENDA_ITEM__OUTCOME__WITHDRAWN:
        return "Trukket.";
    default:
        return "Vedtatt.";
    }
}

/* The approved minutes of a meeting: each dispute decided there. */
static int s_minutes(db_t *db, const Samhand__V1__Event *event)
{
    Samhand__V1__Meeting *m = samhand__v1__meeting__unpack(NULL, event->data.len, event->data.data);
    if (!m)
        return 0;
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < m->n_items; i++) {
        char id[40];
        int found =
            deviation_store_dispute_minutes(db, m->items[i]->id, s_decision(m->items[i]), id);
        rc = found < 0 ? -1 : found == 0 ? s_decided(db, id) : 0;
    }
    samhand__v1__meeting__free_unpacked(m, NULL);
    return rc;
}

int deviation_dispute_apply(db_t *db, const Samhand__V1__Event *event)
{
    if (strcmp(event->type, "no.samhand.meeting.minutes_approved") == 0)
        return s_minutes(db, event);
    bool accepted = strcmp(event->type, "no.samhand.proposal.accepted") == 0;
    if (!accepted && strcmp(event->type, "no.samhand.proposal.declined") != 0)
        return 0;
    Samhand__V1__Proposal *p =
        samhand__v1__proposal__unpack(NULL, event->data.len, event->data.data);
    if (!p)
        return 0; /* unreadable: nothing to keep, and nothing to retry */
    char id[40];
    int rc = p->deviation_id[0]
                 ? deviation_store_dispute_decided(
                       db, p->id, accepted ? "ACCEPTED" : "DECLINED", accepted ? p->meeting_id : "",
                       accepted ? p->item_id : "", accepted ? "" : p->decline_reason, id)
                 : 1;
    samhand__v1__proposal__free_unpacked(p, NULL);
    if (rc != 0)
        return rc < 0 ? -1 : 0; /* a proposal of no report */
    return s_decided(db, id);
}
