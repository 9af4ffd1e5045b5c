/* A report waiting for a leader's approval (leader review,
 * no.samhand.deviation.review_requested) by mail, in Norwegian, to the
 * reporting organisation's leaders: at its review address (review_email
 * in agenda's directory), else its shared address. Only that one waits,
 * from whom to whom, and the link: nothing of the report itself (no
 * patient, no writer), which is read in samhand where access is checked. */
#include "samhand_html.h"
#include "notify_server.h"
#include "notify_store.h"
#include "samhand/v1/deviation.pb-c.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The mail: data in, text out (the caller frees both). */
static void s_text(const Samhand__V1__DeviationReport *r, const char *reporting,
                   const char *receiving, const char *web_url, char **subject_p, char **html_p)
{
    bool is_proposal = r->type == SAMHAND__V1__DEVIATION_REPORT__TYPE__IMPROVEMENT_PROPOSAL;
    const char *what = is_proposal ? "Et forbedringsforslag" : "En avviksmelding";
    char *subject = NULL, *html = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&subject, &len);
    fprintf(out, "%s venter på godkjenning: %s",
            is_proposal ? "Forbedringsforslag" : "Avviksmelding", reporting);
    fclose(out);
    out = open_memstream(&html, &len);
    fputs("<!DOCTYPE html>\n<html lang=\"nb\"><head><meta charset=\"utf-8\"></head><body>\n<p>",
          out);
    fputs(what, out);
    fputs(" fra ", out);
    html_text(out, reporting);
    fputs(" til ", out);
    html_text(out, receiving);
    fputs(" venter på godkjenning hos leder før den sendes. Godkjenn den, eller send den "
          "tilbake med det som må endres.</p>\n",
          out);
    if (web_url && web_url[0]) {
        fputs("<p>Åpne den i samhand: <a href=\"", out);
        html_text(out, web_url);
        fputs("/#avvik-", out);
        html_text(out, r->id);
        fputs("\">", out);
        html_text(out, web_url);
        fputs("/#avvik-", out);
        html_text(out, r->id);
        fputs("</a>.</p>\n", out);
    } else {
        fputs("<p>Du finner den i samhand blant meldingene til godkjenning.</p>\n", out);
    }
    fputs("<p>Hilsen samhand</p>\n</body></html>\n", out);
    fclose(out);
    *subject_p = subject;
    *html_p = html;
}

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
        s_text(r, reporting, receiving, ctx ? ctx->web_url : NULL, &subject, &html);
        rc = notify_mail_queue(db, e->id, "deviation_review_requested", address,
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
