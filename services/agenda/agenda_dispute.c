/* A disputed deviation report goes to the committee the partnership names
 * for disputes as a proposal (innmeldt sak), by following the deviation
 * service's events: its no.samhand.deviation.disputed event names the
 * committee and the proposal's id. The proposal says which report it is
 * and between whom, never what it says: a report is read by its parties
 * and quality staff, a proposal by everyone who reads the committees'
 * work. The secretary places it on an agenda or declines it as any other;
 * the deviation service follows that back onto the report. */
#include "agenda_server.h"
#include "agenda_store.h"
#include "samhand/v1/deviation.pb-c.h"
#include "samhand_log.h"

#include <stdio.h>
#include <string.h>

int agenda_dispute_apply(db_t *db, const Samhand__V1__Event *event, void *context)
{
    (void)context;
    if (strcmp(event->type, "no.samhand.deviation.disputed") != 0)
        return 0; /* not ours to act on */
    Samhand__V1__DeviationReport *r =
        samhand__v1__deviation_report__unpack(NULL, event->data.len, event->data.data);
    if (!r)
        return 0; /* unreadable: nothing to do, and nothing to retry */
    int rc = 0;
    if (!r->dispute_committee_id[0] || !r->dispute_proposal_id[0])
        goto cleanup; /* the partnership names no committee for disputes */
    char from[256], to[256], title[320], description[2048];
    if (agenda_store_organization_name(db, r->reporting_organization_id, from, sizeof from) < 0 ||
        agenda_store_organization_name(db, r->receiving_organization_id, to, sizeof to) < 0) {
        rc = -1;
        goto cleanup;
    }
    snprintf(title, sizeof title, "Bestridt samhandlingsavvik %s", r->reference);
    snprintf(description, sizeof description,
             "Avviksmelding %s fra %s til %s er besvart, og melderen har bestridt svaret. "
             "Saken meldes inn etter helsefellesskapets rutine for bestridte avvik. Meldingen, "
             "svaret og begrunnelsen leses i samhand av partene og kvalitetsrådgiverne "
             "(/v1/deviations/%s).",
             r->reference, from[0] ? from : "den meldende parten",
             to[0] ? to : "den mottakende parten", r->id);
    agenda_dispute_t d = {.proposal_id = r->dispute_proposal_id,
                          .deviation_id = r->id,
                          .committee_id = r->dispute_committee_id,
                          .title = title,
                          .description = description,
                          .submitter_name = from[0] ? from : "Samhandlingsavvik",
                          .organization_id = r->reporting_organization_id};
    rc = agenda_store_dispute_insert(db, &d);
    if (rc == 1) {
        /* a committee since removed, or a repeat: nothing to make */
        log_warn("deviation %s: no proposal made for committee %s", r->id, r->dispute_committee_id);
        rc = 0;
        goto cleanup;
    }
    if (rc != 0)
        goto cleanup;
    Samhand__V1__Proposal *p = NULL;
    rc = agenda_store_proposal_get(db, r->dispute_proposal_id, false, &p) == 0 ? 0 : -1;
    if (rc == 0) {
        rc = db_outbox_append(db, "no.samhand.proposal.submitted", p->id,
                              p->organization_id[0] ? p->organization_id : NULL, p->committee_id,
                              &p->base);
        protobuf_c_message_free_unpacked(&p->base, NULL);
    }
cleanup:
    samhand__v1__deviation_report__free_unpacked(r, NULL);
    return rc;
}
