/* The mail that calls a deputy up (innkalling av vara): when a member's
 * absence calls the next deputy by rank, the deputy gets, in Norwegian,
 * whom they are called for and to which meeting, the link to accept or
 * decline, the notice as the public reads it and its calendar event. The
 * member's reason is never in it: the event does not carry it. */
#include "notify_server.h"
#include "notify_store.h"
#include "samhand/v1/agenda.pb-c.h"
#include "samhand_html.h"
#include "samhand_log.h"
#include "samhand_time.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The intro to the deputy, set before the notice. Data in, text out; the
 * caller frees it. */
static char *s_intro(const Samhand__V1__CallUp *c, const char *committee, const char *web_url)
{
    char *html = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&html, &len);
    if (!out)
        return NULL;
    fputs("<div class=\"innkalling-vara\">\n<p>Du er innkalt som ", out);
    if (c->rank > 0)
        fprintf(out, "%d. ", c->rank);
    fputs("vara for ", out);
    html_text(out, c->absent_name);
    fputs(", som har meldt forfall til møtet i ", out);
    html_text(out, committee);
    if (c->meeting_start_time) {
        char date[11], clock[6];
        time_format_date(c->meeting_start_time->seconds, date);
        time_format_clock(c->meeting_start_time->seconds, clock);
        fprintf(out, " %s kl. %s", date, clock);
    }
    fputs(".</p>\n<p>Svar om du kan komme: <a href=\"", out);
    char link[512];
    snprintf(link, sizeof link, "%s/mine-moter.html?innkalling=%s", web_url, c->id);
    html_text(out, link);
    fputs("\">", out);
    html_text(out, link);
    fputs("</a>. Takker du nei, blir neste vara innkalt.</p>\n"
          "<p>Møteinnkallingen følger nedenfor, og møtet er lagt ved som kalenderhendelse.</p>\n"
          "</div>\n<hr>\n",
          out);
    fclose(out);
    return html;
}

/* The notice with the intro after its <body>, or the intro alone. */
static char *s_with_notice(const char *intro, const char *notice)
{
    const char *body = notice ? strstr(notice, "<body>") : NULL;
    char *html = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&html, &len);
    if (!out)
        return NULL;
    if (body) {
        body += strlen("<body>");
        fwrite(notice, 1, (size_t)(body - notice), out);
        fputs("\n", out);
        fputs(intro, out);
        fputs(body, out);
    } else {
        fputs("<!DOCTYPE html>\n<html lang=\"nb\"><head><meta charset=\"utf-8\"></head><body>\n",
              out);
        fputs(intro, out);
        fputs("</body></html>\n", out);
    }
    fclose(out);
    return html;
}

int notify_mail_callup_plan(db_t *db, const Samhand__V1__Event *e, const notify_context_t *ctx)
{
    if (strcmp(e->type, "no.samhand.absence.deputy_called") != 0)
        return 0;
    Samhand__V1__Absence *a = samhand__v1__absence__unpack(NULL, e->data.len, e->data.data);
    if (!a)
        return 0;
    /* the deputy called last, still waiting for an answer */
    const Samhand__V1__CallUp *c = NULL;
    for (size_t i = 0; i < a->n_call_ups; i++)
        if (a->call_ups[i]->state == SAMHAND__V1__CALL_UP__STATE__CALLED)
            c = a->call_ups[i];
    if (!c) {
        samhand__v1__absence__free_unpacked(a, NULL);
        return 0;
    }
    const char *params[] = {c->deputy_person_id, a->committee_id};
    PGresult *res = db_query(db,
                             "SELECT p.email, p.organization_id, (SELECT coalesce(nullif("
                             "c.name, ''), c.short_name) FROM committees c WHERE c.id = "
                             "$2::uuid), (SELECT coalesce(nullif(c.short_name, ''), c.name) "
                             "FROM committees c WHERE c.id = $2::uuid) FROM people p WHERE "
                             "p.id = $1::uuid AND p.email <> ''",
                             2, params);
    int rc = res ? 0 : -1;
    if (res && PQntuples(res) > 0) {
        const char *committee = PQgetisnull(res, 0, 2) ? "utvalget" : PQgetvalue(res, 0, 2);
        const char *short_name = PQgetisnull(res, 0, 3) ? committee : PQgetvalue(res, 0, 3);
        char *notice = notify_mail_render(ctx, "agenda.GetMeetingNotice", a->meeting_id);
        char *calendar = notify_mail_render(ctx, "agenda.GetMeetingCalendar", a->meeting_id);
        char *intro = s_intro(c, committee, ctx->web_url);
        char *html = intro ? s_with_notice(intro, notice) : NULL;
        if (!notice || !calendar || !html) {
            log_warn("could not render the notice for a deputy's call-up; trying again later");
            rc = -1;
        } else {
            char subject[300], date[11] = "";
            if (c->meeting_start_time)
                time_format_date(c->meeting_start_time->seconds, date);
            snprintf(subject, sizeof subject, "Innkalling som vara: %s %s", short_name, date);
            rc = notify_mail_queue(db, e->id, "callup", PQgetvalue(res, 0, 0),
                                   PQgetisnull(res, 0, 1) ? NULL : PQgetvalue(res, 0, 1), subject,
                                   html, calendar);
        }
        free(notice);
        free(calendar);
        free(intro);
        free(html);
    }
    PQclear(res);
    samhand__v1__absence__free_unpacked(a, NULL);
    return rc;
}
