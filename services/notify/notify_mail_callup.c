/* The mails of call-ups (innkalling av vara): when a member's absence
 * calls the next deputy by rank, the deputy gets, in Norwegian, whom they
 * are called for and to which meeting, the link to accept or decline, the
 * notice as PDF (as the deputy reads it) and its calendar event; when the meeting
 * is cancelled or moved, the deputies whose call-ups it ended are told;
 * when no deputy is left, the committee's secretaries are told whose seat
 * stands empty. The member's reason is never in them: the events do not
 * carry it. */
#include "notify_mail_text.h"
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
static char *s_intro(const Samhand__V1__CallUp *c, const char *committee, const char *filename,
                     const char *web_url)
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
    fputs(".</p>\n<p>Svar om du kan komme: ", out);
    char page[128];
    snprintf(page, sizeof page, "mine-moter.html?innkalling=%s", c->id);
    notify_mail_text_link(out, web_url, page);
    fputs(". Takker du nei, blir neste vara innkalt.</p>\n<p>Møteinnkallingen er vedlagt (", out);
    html_text(out, filename);
    fputs("), og møtet er lagt ved som kalenderhendelse.</p>\n</div>\n", out);
    fclose(out);
    return html;
}

/* The notice with the intro after its <body>, or (no notice) the intro
 * alone as a page of its own. */
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
        fputs(NOTIFY_MAIL_HTML_HEAD, out);
        fputs(intro, out);
        fputs("</body></html>\n", out);
    }
    fclose(out);
    return html;
}

/* "13.00 05.02.2031" parts of a call-up's meeting: its date and clock. */
static void s_when(const Samhand__V1__CallUp *c, char date[11], char clock[6])
{
    date[0] = clock[0] = '\0';
    if (c->meeting_start_time) {
        time_format_date(c->meeting_start_time->seconds, date);
        time_format_clock(c->meeting_start_time->seconds, clock);
    }
}

/* The committee's name (else its short name) and short name (else its
 * name) into the caller's buffers, "utvalget" for one unknown. 0, or -1 on
 * error. */
static int s_committee(db_t *db, const char *committee_id, char name[300], char short_name[300])
{
    int found = notify_store_committee_names(db, committee_id, name, short_name);
    if (found == 0) {
        snprintf(name, 300, "%s", "utvalget");
        snprintf(short_name, 300, "%s", "utvalget");
    }
    return found < 0 ? -1 : 0;
}

/* The mail to a deputy whose call-up ended: the meeting was cancelled,
 * or moved (`is_moved`: the call-up's time is the new one). Data in, text
 * out; the caller frees it. */
static char *s_ended_text(const Samhand__V1__CallUp *c, const char *committee, bool is_moved,
                          const char *web_url)
{
    char *html = NULL, date[11], clock[6];
    size_t len = 0;
    FILE *out = open_memstream(&html, &len);
    if (!out)
        return NULL;
    s_when(c, date, clock);
    fputs(NOTIFY_MAIL_HTML_HEAD "<p>Du var innkalt som ", out);
    if (c->rank > 0)
        fprintf(out, "%d. ", c->rank);
    fputs("vara for ", out);
    html_text(out, c->absent_name);
    fputs(" til møtet i ", out);
    html_text(out, committee);
    if (is_moved)
        fprintf(out,
                ". Møtet er flyttet til %s kl. %s, og innkallingen din gjelder ikke lenger. "
                "Blir du spurt på nytt for det nye tidspunktet, får du en egen innkalling.</p>\n",
                date, clock);
    else
        fputs(
            ". Møtet er avlyst, og innkallingen din gjelder ikke lenger. Du skal ikke møte.</p>\n",
            out);
    if (web_url && web_url[0]) {
        fputs("<p>Dine møter finner du i samhand: ", out);
        notify_mail_text_link(out, web_url, "mine-moter.html");
        fputs(".</p>\n", out);
    }
    fputs("<p>Hilsen samhand</p>\n</body></html>\n", out);
    fclose(out);
    return html;
}

/* A cancelled or moved meeting: each deputy whose call-up it ended is told. */
static int s_plan_ended(db_t *db, const Samhand__V1__Event *e, const Samhand__V1__Absence *a,
                        bool is_moved, const notify_context_t *ctx)
{
    char committee[300], short_name[300];
    if (s_committee(db, a->committee_id, committee, short_name) != 0)
        return -1;
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < a->n_call_ups; i++) {
        const Samhand__V1__CallUp *c = a->call_ups[i];
        if (c->state != SAMHAND__V1__CALL_UP__STATE__ENDED)
            continue;
        notify_mail_address_t to = {0};
        int found = notify_store_person_address(db, c->deputy_person_id, &to);
        if (found < 0)
            return -1;
        if (found > 0) {
            char *html = s_ended_text(c, committee, is_moved, ctx->web_url);
            char subject[400], date[11], clock[6];
            s_when(c, date, clock);
            snprintf(subject, sizeof subject, "%s: %s %s",
                     is_moved ? "Møtet er flyttet, innkallingen som vara gjelder ikke"
                              : "Avlyst møte, innkallingen som vara gjelder ikke",
                     short_name, date);
            rc = !html ? -1
                       : notify_mail_queue(db, e->id, "callup_ended", to.email, to.organization_id,
                                           subject, html, NULL);
            free(html);
        }
        notify_mail_address_clear(&to);
    }
    return rc;
}

/* No deputy left for an absent member: the committee's secretaries (by a
 * membership on the meeting's day) are told whose seat stands empty and
 * which deputies declined. Data in, text out; the caller frees it. */
static char *s_no_deputy_text(const Samhand__V1__Absence *a, const char *committee,
                              const char *date, const char *clock, const char *web_url)
{
    char *html = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&html, &len);
    if (!out)
        return NULL;
    fputs(NOTIFY_MAIL_HTML_HEAD "<p>", out);
    html_text(out, a->person_name);
    fputs(" har meldt forfall til møtet i ", out);
    html_text(out, committee);
    if (date[0])
        fprintf(out, " %s kl. %s", date, clock);
    fputs(", og ingen vara er igjen å kalle inn. Plassen til ", out);
    html_text(out, a->person_name);
    fputs(" står tom.</p>\n", out);
    size_t declined = 0;
    for (size_t i = 0; i < a->n_call_ups; i++)
        declined += a->call_ups[i]->state == SAMHAND__V1__CALL_UP__STATE__DECLINED;
    if (declined > 0) {
        fputs("<p>Vara som har takket nei:</p>\n<ul>\n", out);
        for (size_t i = 0; i < a->n_call_ups; i++) {
            const Samhand__V1__CallUp *c = a->call_ups[i];
            if (c->state != SAMHAND__V1__CALL_UP__STATE__DECLINED)
                continue;
            fputs("<li>", out);
            html_text(out, c->deputy_name);
            if (c->rank > 0)
                fprintf(out, " (%d. vara)", c->rank);
            fputs("</li>\n", out);
        }
        fputs("</ul>\n", out);
    } else {
        fputs("<p>Utvalget har ingen vara som kan møte for denne plassen.</p>\n", out);
    }
    fputs("<p>Se møtets plasser og kall inn noen andre om det trengs", out);
    if (web_url && web_url[0]) {
        fputs(": ", out);
        notify_mail_text_link(out, web_url, "moter.html");
    }
    fputs(".</p>\n<p>Hilsen samhand</p>\n</body></html>\n", out);
    fclose(out);
    return html;
}

static int s_plan_no_deputy(db_t *db, const Samhand__V1__Event *e, const Samhand__V1__Absence *a,
                            const notify_context_t *ctx)
{
    char committee[300], short_name[300], date[11] = "", clock[6] = "", day[11] = "";
    if (s_committee(db, a->committee_id, committee, short_name) != 0)
        return -1;
    /* the meeting's time from a call-up (every one carries it), else today */
    for (size_t i = 0; i < a->n_call_ups && !date[0]; i++)
        s_when(a->call_ups[i], date, clock);
    if (date[0])
        snprintf(day, sizeof day, "%.4s-%.2s-%.2s", date + 6, date + 3, date);
    int n = 0;
    notify_mail_address_t *secretaries =
        notify_store_secretary_addresses(db, a->committee_id, day[0] ? day : NULL, &n);
    if (n < 0)
        return -1;
    int rc = 0;
    char *html = n > 0 ? s_no_deputy_text(a, committee, date, clock, ctx->web_url) : NULL;
    char subject[400];
    snprintf(subject, sizeof subject, "Ingen vara igjen: %s %s", short_name, date);
    for (int i = 0; rc == 0 && i < n; i++)
        rc = !html ? -1
                   : notify_mail_queue(db, e->id, "no_deputy_left", secretaries[i].email,
                                       secretaries[i].organization_id, subject, html, NULL);
    free(html);
    notify_mail_addresses_free(secretaries, n);
    return rc;
}

int notify_mail_callup_plan(db_t *db, const Samhand__V1__Event *e, const notify_context_t *ctx)
{
    bool is_cancelled = strcmp(e->type, "no.samhand.absence.meeting_cancelled") == 0;
    bool is_moved = strcmp(e->type, "no.samhand.absence.meeting_moved") == 0;
    bool is_none_left = strcmp(e->type, "no.samhand.absence.no_deputy_left") == 0;
    if (is_cancelled || is_moved || is_none_left) {
        Samhand__V1__Absence *a = samhand__v1__absence__unpack(NULL, e->data.len, e->data.data);
        if (!a)
            return 0;
        int rc =
            is_none_left ? s_plan_no_deputy(db, e, a, ctx) : s_plan_ended(db, e, a, is_moved, ctx);
        samhand__v1__absence__free_unpacked(a, NULL);
        return rc;
    }
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
    notify_mail_address_t to = {0};
    char committee[300], short_name[300];
    int found = notify_store_person_address(db, c->deputy_person_id, &to);
    int rc = found < 0 ? -1 : 0;
    if (found > 0 && s_committee(db, a->committee_id, committee, short_name) != 0)
        rc = -1;
    else if (found > 0) {
        /* the notice as PDF, as the deputy reads it (a member today: in full) */
        char subject[400], date[11] = "", filename[300], document_id[40] = "";
        if (c->meeting_start_time)
            time_format_date(c->meeting_start_time->seconds, date);
        snprintf(filename, sizeof filename, "Innkalling %.200s %s.pdf", short_name, date);
        char *const person_ids[] = {c->deputy_person_id};
        int kept = notify_mail_keep_documents(db, e, ctx, a->meeting_id, 0, false, person_ids, 1,
                                              filename, &document_id);
        char *calendar = notify_mail_render(ctx, "agenda.GetMeetingCalendar", a->meeting_id, 0);
        char *intro = s_intro(c, committee, filename, ctx->web_url);
        char *html = intro ? s_with_notice(intro, NULL) : NULL;
        if (kept != 0 || !calendar || !html) {
            log_warn("could not render the notice for a deputy's call-up; trying again later");
            rc = -1;
        } else {
            snprintf(subject, sizeof subject, "Innkalling som vara: %s %s", short_name, date);
            rc = notify_mail_queue_with(db, e->id, "callup", to.email, to.organization_id, subject,
                                        html, calendar, document_id);
        }
        free(calendar);
        free(intro);
        free(html);
    }
    notify_mail_address_clear(&to);
    samhand__v1__absence__free_unpacked(a, NULL);
    return rc;
}
