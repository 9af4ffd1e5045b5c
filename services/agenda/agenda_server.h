/* The agenda service's route table: from bus method to the handler of
 * one aggregate. */
#ifndef AGENDA_SERVER_H
#define AGENDA_SERVER_H

#include "agenda_store.h"
#include "samhand/v1/event.pb-c.h"
#include "samhand_bus.h"

#include <stdio.h>

extern const bus_route_t agenda_routes[];
extern const size_t agenda_routes_count;
extern const db_migration_t agenda_migrations[];
extern const size_t agenda_migrations_count;

/* Follows the deviation service's events: a disputed report becomes a
 * proposal to the committee the partnership names (agenda_dispute.c). */
int agenda_dispute_apply(db_t *db, const Samhand__V1__Event *event, void *context);

/* Handlers, one file per aggregate. */
int agenda_organization_create(bus_call_t *call);
int agenda_organization_get(bus_call_t *call);
int agenda_organization_update(bus_call_t *call);
int agenda_organization_list(bus_call_t *call);
int agenda_api_key_create(bus_call_t *call);
int agenda_api_key_get(bus_call_t *call);
int agenda_api_key_list(bus_call_t *call);
int agenda_api_key_revoke(bus_call_t *call);
int agenda_api_key_digests(bus_call_t *call); /* for the gateway, not routed */
int agenda_person_create(bus_call_t *call);
int agenda_person_get(bus_call_t *call);
int agenda_person_update(bus_call_t *call);
int agenda_person_list(bus_call_t *call);
int agenda_committee_create(bus_call_t *call);
int agenda_committee_get(bus_call_t *call);
int agenda_committee_update(bus_call_t *call);
int agenda_committee_list(bus_call_t *call);
int agenda_committee_numbering_set(bus_call_t *call);
int agenda_membership_create(bus_call_t *call);
int agenda_membership_get(bus_call_t *call);
int agenda_membership_update(bus_call_t *call);
int agenda_membership_list(bus_call_t *call);

int agenda_meeting_create(bus_call_t *call);
int agenda_meeting_get(bus_call_t *call);
int agenda_meeting_update(bus_call_t *call);
int agenda_meeting_list(bus_call_t *call);
int agenda_meeting_publish(bus_call_t *call);
int agenda_meeting_cancel(bus_call_t *call);
int agenda_item_add(bus_call_t *call);
int agenda_item_update(bus_call_t *call);
int agenda_item_delete(bus_call_t *call);
int agenda_notice_html(bus_call_t *call);
int agenda_notice_pdf_get(bus_call_t *call);
int agenda_committee_ics(bus_call_t *call);
/* agenda_archive.c: a committee's public notices and approved minutes */
int agenda_committee_documents(bus_call_t *call);
int agenda_minutes_attendance(bus_call_t *call);
int agenda_minutes_outcome(bus_call_t *call);
int agenda_minutes_approve(bus_call_t *call);
int agenda_minutes_html(bus_call_t *call);
int agenda_minutes_pdf_get(bus_call_t *call);
/* agenda_mail_documents.c: the PDFs of a meeting's mails, a variant each reader */
int agenda_mail_documents(bus_call_t *call);
int agenda_case_get(bus_call_t *call);
int agenda_case_list(bus_call_t *call);
int agenda_action_create(bus_call_t *call);
int agenda_action_get(bus_call_t *call);
int agenda_action_update(bus_call_t *call);
int agenda_action_list(bus_call_t *call);
int agenda_action_follow_up(bus_call_t *call);
int agenda_document_put(bus_call_t *call);
int agenda_document_get(bus_call_t *call);
int agenda_attachment_add(bus_call_t *call);
int agenda_attachment_get(bus_call_t *call);
int agenda_proposal_create(bus_call_t *call);
int agenda_proposal_get(bus_call_t *call);
int agenda_proposal_list(bus_call_t *call);
int agenda_proposal_accept(bus_call_t *call);
int agenda_proposal_decline(bus_call_t *call);
int agenda_emergency_open(bus_call_t *call);
int agenda_emergency_get(bus_call_t *call);
int agenda_emergency_list(bus_call_t *call);
int agenda_emergency_meeting(bus_call_t *call);
int agenda_emergency_log(bus_call_t *call);
int agenda_emergency_close(bus_call_t *call);
int agenda_notice_ics(bus_call_t *call);

#endif
