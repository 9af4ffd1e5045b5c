/* The committee's answer to a disputed deviation by mail, in Norwegian, to
 * both parties (no.samhand.deviation.dispute_decided once the committee
 * has decided it in approved minutes, or declined to take it up): to each
 * organisation's shared address, and to the reporter when the report
 * names one (an anonymous report's event names none). The reference, the
 * committee and its words; nothing of the report itself, which is read in
 * samhand where access is checked. */
#include "samhand_html.h"
#include "notify_mail_text.h"
#include "notify_server.h"
#include "notify_store.h"
#include "samhand/v1/deviation.pb-c.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The mail to the party whose counterpart is `other`: data in, text out
 * (the caller frees both). */
static void s_text(const Samhand__V1__DeviationReport *r, const char *committee, const char *other,
                   char **subject_p, char **html_p)
{
    bool decided = strcmp(r->dispute_state, "DECIDED") == 0;
    char *subject = NULL, *html = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&subject, &len);
    fprintf(out, decided ? "%s har behandlet avviksmelding %s" : "%s tar ikke opp avviksmelding %s",
            committee, r->reference);
    fclose(out);
    out = open_memstream(&html, &len);
    fputs(NOTIFY_MAIL_HTML_HEAD "<p>", out);
    html_text(out, committee);
    fputs(decided ? " har behandlet det bestridte svaret på avviksmelding <strong>"
                  : " tar ikke opp det bestridte svaret på avviksmelding <strong>",
          out);
    html_text(out, r->reference);
    fputs("</strong> mellom dere og ", out);
    html_text(out, other);
    fputs(decided ? ". Vedtak:</p>\n<blockquote>" : " som sak. Begrunnelse:</p>\n<blockquote>",
          out);
    html_text(out, decided ? r->dispute_decision : r->dispute_reason);
    fputs("</blockquote>\n<p>Les meldingen og vedtaket i samhand.</p>\n<p>Hilsen samhand</p>\n"
          "</body></html>\n",
          out);
    fclose(out);
    *subject_p = subject;
    *html_p = html;
}

/* Tells the party `org` (its counterpart `other`) at its shared address,
 * and at `personal` (the reporter's, or NULL) too. */
static int s_tell(db_t *db, const Samhand__V1__Event *e, const Samhand__V1__DeviationReport *r,
                  const char *committee, const char *org, const char *other, const char *personal)
{
    char *address = NULL, *other_name = NULL;
    int found = notify_store_receiver_address(db, org, other, &address, &other_name);
    if (found < 0)
        return -1;
    if (found == 0) { /* no shared address: its name for the reporter's mail */
        address = NULL;
        other_name = strdup("den andre parten");
    }
    char *subject = NULL, *html = NULL;
    s_text(r, committee, other_name, &subject, &html);
    int rc = 0;
    if (address)
        rc = notify_mail_queue(db, e->id, "deviation_dispute_decided", address, org, subject, html,
                               NULL);
    if (rc == 0 && personal && personal[0])
        rc = notify_mail_queue(db, e->id, "deviation_dispute_decided", personal, org, subject, html,
                               NULL);
    free(subject);
    free(html);
    free(address);
    free(other_name);
    return rc;
}

int notify_mail_dispute_plan(db_t *db, const Samhand__V1__Event *e)
{
    Samhand__V1__DeviationReport *r =
        samhand__v1__deviation_report__unpack(NULL, e->data.len, e->data.data);
    if (!r)
        return 0;
    /* placed on an agenda is no answer yet: the decision, or the refusal */
    if (strcmp(r->dispute_state, "DECIDED") != 0 && strcmp(r->dispute_state, "DECLINED") != 0) {
        samhand__v1__deviation_report__free_unpacked(r, NULL);
        return 0;
    }
    char *committee = NULL;
    int found = r->dispute_committee_id[0]
                    ? notify_store_committee_name(db, r->dispute_committee_id, &committee)
                    : 0;
    if (found < 0) {
        samhand__v1__deviation_report__free_unpacked(r, NULL);
        return -1;
    }
    if (found == 0)
        committee = strdup("Utvalget");
    int rc = s_tell(db, e, r, committee, r->reporting_organization_id, r->receiving_organization_id,
                    r->is_anonymous ? NULL : r->reporter_email);
    if (rc == 0)
        rc = s_tell(db, e, r, committee, r->receiving_organization_id, r->reporting_organization_id,
                    NULL);
    free(committee);
    samhand__v1__deviation_report__free_unpacked(r, NULL);
    return rc;
}
