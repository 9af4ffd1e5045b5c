/* A report waiting for a leader's approval (leader review,
 * no.samhand.deviation.review_requested) by mail, in Norwegian, to the
 * reporting organisation's leaders: at its review address (review_email
 * in agenda's directory; none without one: a shared postmottak is
 * journaled). Only that one waits,
 * from whom to whom, and the link: nothing of the report itself (no
 * patient, no writer), which is read in samhand where access is checked. */
#include "notify_mail_text.h"
#include "notify_server.h"
#include "notify_store.h"
#include "samhand/v1/deviation.pb-c.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int notify_mail_review_plan(db_t *db, const Samhand__V1__Event *e, const notify_context_t *ctx)
{
    Samhand__V1__DeviationReport *r =
        samhand__v1__deviation_report__unpack(NULL, e->data.len, e->data.data);
    if (!r)
        return 0;
    char *address = NULL, *reporting = NULL, *receiving = NULL;
    int found =
        notify_store_review_address(db, r->reporting_organization_id, r->receiving_organization_id,
                                    &address, &reporting, &receiving);
    int rc = found < 0 ? -1 : 0;
    if (found > 0) {
        char *subject = NULL, *html = NULL;
        notify_mail_text_review(r, reporting, receiving, ctx ? ctx->web_url : NULL, &subject,
                                &html);
        rc = !subject || !html
                 ? -1
                 : notify_mail_queue(db, e->id, "deviation_review_requested", address,
                                     r->reporting_organization_id, subject, html, NULL);
        free(subject);
        free(html);
    }
    free(address);
    free(reporting);
    free(receiving);
    samhand__v1__deviation_report__free_unpacked(r, NULL);
    return rc;
}
