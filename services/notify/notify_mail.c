/* E-mail to people: the notice with its calendar event to every member of
 * the committee, supplementary notices, cancellations and approved minutes,
 * a receipt and the answer to a deviation's reporter, word of a new
 * deviation to the receiving organisation, word to the submitter of a
 * proposal (innmeldt sak) when it is placed on an agenda or declined, and
 * of a webhook subscription switched off to its owner. Mails are planned
 * when their event arrives (once, with the event), rendered by agenda (or
 * here), and sent over SMTP (libcurl on notify's loop) with retries by a
 * fiber of their own, which no webhook endpoint holds up. The reminder
 * digests are planned in notify_reminder.c (by that fiber, once a day). */
#include "samhand_html.h"
#include "notify_curl.h"
#include "notify_server.h"
#include "notify_store.h"
#include "samhand_check.h"
#include "samhand_fiber.h"
#include "samhand/v1/agenda.pb-c.h"
#include "samhand/v1/deviation.pb-c.h"
#include "samhand_log.h"
#include "samhand_metrics.h"
#include "samhand_rows.h"
#include "samhand_time.h"

#include <curl/curl.h>
#include <openssl/evp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ read model */

static int s_keep_directory(db_t *db, const Samhand__V1__Event *e)
{
    if (strcmp(e->data_type, "samhand.v1.Person") == 0) {
        Samhand__V1__Person *p = samhand__v1__person__unpack(NULL, e->data.len, e->data.data);
        if (!p)
            return 0;
        const char *params[] = {p->id, p->name, p->email, p->organization_id};
        int rc = rows_exec(db,
                           "INSERT INTO people (id, name, email, organization_id) VALUES ($1, $2, "
                           "$3, $4) ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, email = "
                           "EXCLUDED.email, organization_id = EXCLUDED.organization_id",
                           4, params);
        samhand__v1__person__free_unpacked(p, NULL);
        return rc < 0 ? -1 : 0;
    }
    if (strcmp(e->data_type, "samhand.v1.Organization") == 0) {
        Samhand__V1__Organization *o =
            samhand__v1__organization__unpack(NULL, e->data.len, e->data.data);
        if (!o)
            return 0;
        const char *params[] = {o->id, o->name, o->contact_email};
        int rc = rows_exec(db,
                           "INSERT INTO organizations (id, name, contact_email) VALUES ($1, $2, "
                           "nullif($3, '')) ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, "
                           "contact_email = EXCLUDED.contact_email",
                           3, params);
        samhand__v1__organization__free_unpacked(o, NULL);
        return rc < 0 ? -1 : 0;
    }
    if (strcmp(e->data_type, "samhand.v1.Committee") == 0) {
        Samhand__V1__Committee *c = samhand__v1__committee__unpack(NULL, e->data.len, e->data.data);
        if (!c)
            return 0;
        const char *params[] = {c->id, c->name, c->short_name};
        int rc = rows_exec(db,
                           "INSERT INTO committees (id, name, short_name) VALUES ($1, $2, $3) ON "
                           "CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, short_name = "
                           "EXCLUDED.short_name",
                           3, params);
        samhand__v1__committee__free_unpacked(c, NULL);
        return rc < 0 ? -1 : 0;
    }
    if (strcmp(e->data_type, "samhand.v1.Membership") == 0) {
        Samhand__V1__Membership *m =
            samhand__v1__membership__unpack(NULL, e->data.len, e->data.data);
        if (!m)
            return 0;
        const ProtobufCEnumValue *role = protobuf_c_enum_descriptor_get_value(
            &samhand__v1__membership__role__descriptor, m->role);
        const char *params[] = {m->id,        m->committee_id,
                                m->person_id, role ? role->name : "MEMBER",
                                m->term_from, m->term_to[0] ? m->term_to : NULL};
        int rc = rows_exec(db,
                           "INSERT INTO memberships (id, committee_id, person_id, role, term_from, "
                           "term_to) VALUES ($1, $2, $3, $4, $5::date, $6::date) ON CONFLICT (id) "
                           "DO UPDATE SET role = EXCLUDED.role, term_from = EXCLUDED.term_from, "
                           "term_to = EXCLUDED.term_to",
                           6, params);
        samhand__v1__membership__free_unpacked(m, NULL);
        return rc < 0 ? -1 : 0;
    }
    return 0;
}

/* ------------------------------------------------------------ planning */

static void s_on_mail_queued(void *arg);

int notify_mail_queue(db_t *db, const char *event_id, const char *kind, const char *to,
                      const char *organization_id, const char *subject, const char *html,
                      const char *calendar)
{
    const char *params[] = {event_id, kind, to, subject, html, calendar, organization_id};
    /* The recipient is no principal: whom a kind of mail goes to is this
     * file's rule (a report's parties, a committee's members), so it stands
     * in for the roles that read the aggregate, never for those that see
     * past the organisations (quality, administrators); it has no subject,
     * so an event for some principals only (a draft) is never mailed, nor
     * one for administrators only. */
    PGresult *res =
        db_query(db,
                 "INSERT INTO mails (event_id, kind, to_address, subject, html, calendar) "
                 "SELECT $1, $2, $3, $4, $5, $6 WHERE NOT EXISTS (SELECT 1 FROM events e "
                 "WHERE e.id = $1::uuid AND NOT visible_to(e.audience, e.audience_roles, "
                 "e.audience_subjects, NULL, $7::uuid, "
                 "array_remove(array_remove(e.audience_roles, 'quality'), 'administrator'))) "
                 "ON CONFLICT DO NOTHING",
                 7, params);
    if (!res)
        return -1;
    if (atoi(PQcmdTuples(res)) > 0) { /* 0: planned already, or not to be sent */
        db_count_at_commit(db, "mail", "in", 1);
        db_at_commit(db, s_on_mail_queued, NULL); /* the mailer sends it once committed */
    }
    PQclear(res);
    return 0;
}

/* A document of agenda's, as the public reads it; of a notice, the one the
 * event carries (`version`, 0 for minutes), whatever went out since.
 * A client per render: they are few (a notice, minutes), and nothing is
 * left behind when the consumer's thread ends. */
static char *s_render(const notify_context_t *ctx, const char *method, const char *meeting_id,
                      int version)
{
    bus_client_t *client = bus_client_new(ctx->agenda_endpoint);
    Samhand__V1__GetMeetingRequest req = SAMHAND__V1__GET_MEETING_REQUEST__INIT;
    char number[16] = "";
    if (version > 0)
        snprintf(number, sizeof number, "%d", version);
    req.id = (char *)meeting_id;
    req.version = number;
    Samhand__V1__Envelope *reply = bus_client_call(client, method, &req.base, 5000);
    bus_client_destroy(&client);
    if (!reply)
        return NULL;
    char *text = NULL;
    if (!reply->status || reply->status->code == BUS_OK) {
        Samhand__V1__Document *doc =
            samhand__v1__document__unpack(NULL, reply->body.len, reply->body.data);
        if (doc) {
            text = strndup((const char *)doc->body.data, doc->body.len);
            samhand__v1__document__free_unpacked(doc, NULL);
        }
    }
    samhand__v1__envelope__free_unpacked(reply, NULL);
    return text;
}

char *notify_mail_render(const notify_context_t *ctx, const char *method, const char *meeting_id)
{
    return s_render(ctx, method, meeting_id, 0);
}

static int s_plan_meeting(db_t *db, const Samhand__V1__Event *e, const notify_context_t *ctx)
{
    const char *kind, *word, *document = "agenda.GetMeetingNotice";
    if (strcmp(e->type, "no.samhand.meeting.notice_published") == 0)
        kind = "notice", word = "Møteinnkalling";
    else if (strcmp(e->type, "no.samhand.meeting.notice_supplemented") == 0)
        kind = "supplement", word = "Tilleggsinnkalling";
    else if (strcmp(e->type, "no.samhand.meeting.cancelled") == 0)
        kind = "cancellation", word = "Avlyst møte";
    else if (strcmp(e->type, "no.samhand.meeting.minutes_approved") == 0)
        kind = "minutes", word = "Referat", document = "agenda.GetMinutes";
    else
        return 0;
    Samhand__V1__Meeting *m = samhand__v1__meeting__unpack(NULL, e->data.len, e->data.data);
    if (!m || !m->start_time) {
        if (m)
            samhand__v1__meeting__free_unpacked(m, NULL);
        return 0;
    }
    if (strcmp(kind, "cancellation") == 0 && m->notice_version == 0) {
        samhand__v1__meeting__free_unpacked(m, NULL); /* a draft told nobody */
        return 0;
    }
    char date[11], day[11];
    time_format_date(m->start_time->seconds, date);
    snprintf(day, sizeof day, "%.4s-%.2s-%.2s", date + 6, date + 3, date);
    /* the members on the meeting's day, with an address */
    const char *params[] = {m->committee_id, day};
    PGresult *res = db_query(
        db,
        "SELECT DISTINCT p.email, coalesce(nullif(c.short_name, ''), c.name, "
        "''), p.organization_id FROM memberships ms JOIN people p ON p.id = ms.person_id LEFT "
        "JOIN committees c ON c.id = ms.committee_id WHERE ms.committee_id = "
        "$1 AND ms.term_from <= $2::date AND (ms.term_to IS NULL OR "
        "ms.term_to >= $2::date) AND p.email <> ''",
        2, params);
    int rc = res ? 0 : -1;
    char *html = NULL, *calendar = NULL;
    if (res && PQntuples(res) > 0) {
        bool is_minutes = strcmp(kind, "minutes") == 0;
        html = s_render(ctx, document, m->id, is_minutes ? 0 : m->notice_version);
        if (!is_minutes)
            calendar = s_render(ctx, "agenda.GetMeetingCalendar", m->id, m->notice_version);
        if (!html) {
            log_warn("could not render the %s of a meeting; trying again later", kind);
            rc = -1; /* the event is applied again later */
        }
    }
    for (int i = 0; rc == 0 && res && i < PQntuples(res); i++) {
        char subject[300];
        snprintf(subject, sizeof subject, "%s: %s %s", word, PQgetvalue(res, i, 1), date);
        rc = notify_mail_queue(db, e->id, kind, PQgetvalue(res, i, 0),
                               PQgetisnull(res, i, 2) ? NULL : PQgetvalue(res, i, 2), subject, html,
                               calendar);
    }
    PQclear(res);
    free(html);
    free(calendar);
    samhand__v1__meeting__free_unpacked(m, NULL);
    return rc;
}

/* A deadline with a due date (YYYY-MM-DD) to print; none when the rule
 * the report was submitted under has none. */
static bool s_due(const Samhand__V1__Deadline *d)
{
    return d && strlen(d->due_date) == 10;
}

/* A deviation for the receiving organisation to answer, to its shared
 * address: the reference, who sent it and the deadlines, nothing of the
 * case itself (that is read in samhand, where access is checked). */

static int s_tell_receiver(db_t *db, const Samhand__V1__Event *e,
                           const Samhand__V1__DeviationReport *r)
{
    const char *params[] = {r->receiving_organization_id, r->reporting_organization_id};
    PGresult *res = db_query(db,
                             "SELECT o.contact_email, coalesce((SELECT name FROM organizations "
                             "WHERE id = $2::uuid), 'en annen part') FROM organizations o "
                             "WHERE o.id = $1::uuid AND o.contact_email IS NOT NULL",
                             2, params);
    if (!res)
        return -1;
    if (PQntuples(res) == 0) {
        PQclear(res); /* no shared address known: the feed and webhooks tell it */
        return 0;
    }
    char subject[200];
    snprintf(subject, sizeof subject, "Ny avviksmelding %s til dere", r->reference);
    char *html = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&html, &len);
    fputs("<!DOCTYPE html>\n<html lang=\"nb\"><head><meta charset=\"utf-8\"></head><body>\n", out);
    fputs("<p>Dere har mottatt avviksmelding <strong>", out);
    html_text(out, r->reference);
    fputs("</strong> fra ", out);
    html_text(out, PQgetvalue(res, 0, 1));
    fputs(".", out);
    /* a partnership may set no acknowledgement deadline (its settings) */
    if (s_due(r->acknowledge_deadline) && s_due(r->answer_deadline))
        fprintf(out, " Den skal bekreftes innen %.2s.%.2s.%.4s og besvares innen %.2s.%.2s.%.4s.",
                r->acknowledge_deadline->due_date + 8, r->acknowledge_deadline->due_date + 5,
                r->acknowledge_deadline->due_date, r->answer_deadline->due_date + 8,
                r->answer_deadline->due_date + 5, r->answer_deadline->due_date);
    else if (s_due(r->answer_deadline))
        fprintf(out, " Den skal besvares innen %.2s.%.2s.%.4s.", r->answer_deadline->due_date + 8,
                r->answer_deadline->due_date + 5, r->answer_deadline->due_date);
    fputs("</p>\n<p>Les og behandle meldingen i samhand.</p>\n<p>Hilsen samhand</p>\n"
          "</body></html>\n",
          out);
    fclose(out);
    int rc = notify_mail_queue(db, e->id, "deviation_received", PQgetvalue(res, 0, 0),
                               r->receiving_organization_id, subject, html, NULL);
    free(html);
    PQclear(res);
    return rc;
}

static int s_plan_deviation(db_t *db, const Samhand__V1__Event *e)
{
    bool receipt = strcmp(e->type, "no.samhand.deviation.submitted") == 0;
    bool answer = strcmp(e->type, "no.samhand.deviation.answered") == 0;
    bool forwarded = strcmp(e->type, "no.samhand.deviation.forwarded") == 0;
    if (!receipt && !answer && !forwarded)
        return 0;
    Samhand__V1__DeviationReport *r =
        samhand__v1__deviation_report__unpack(NULL, e->data.len, e->data.data);
    if (!r)
        return 0;
    /* the receiver hears of it when it is submitted, or forwarded to it */
    if ((receipt || forwarded) && s_tell_receiver(db, e, r) != 0) {
        samhand__v1__deviation_report__free_unpacked(r, NULL);
        return -1;
    }
    int rc = 0;
    if (forwarded) {
        samhand__v1__deviation_report__free_unpacked(r, NULL);
        return 0;
    }
    if (r->reporter_email[0]) {
        char *html = NULL, subject[200];
        size_t len = 0;
        FILE *out = open_memstream(&html, &len);
        fputs("<!DOCTYPE html>\n<html lang=\"nb\"><head><meta charset=\"utf-8\"></head><body>\n",
              out);
        if (receipt) {
            snprintf(subject, sizeof subject, "Kvittering: avviksmelding %s er mottatt",
                     r->reference);
            fprintf(out, "<p>Avviksmeldingen din er registrert med referanse <strong>%s</strong>.",
                    r->reference);
            if (s_due(r->acknowledge_deadline) && s_due(r->answer_deadline))
                fprintf(out,
                        " Mottakeren skal bekrefte den innen %.2s.%.2s.%.4s og svare innen "
                        "%.2s.%.2s.%.4s.",
                        r->acknowledge_deadline->due_date + 8,
                        r->acknowledge_deadline->due_date + 5, r->acknowledge_deadline->due_date,
                        r->answer_deadline->due_date + 8, r->answer_deadline->due_date + 5,
                        r->answer_deadline->due_date);
            else if (s_due(r->answer_deadline))
                fprintf(out, " Mottakeren skal svare innen %.2s.%.2s.%.4s.",
                        r->answer_deadline->due_date + 8, r->answer_deadline->due_date + 5,
                        r->answer_deadline->due_date);
            fputs("</p>\n", out);
        } else {
            snprintf(subject, sizeof subject, "Svar på avviksmelding %s", r->reference);
            fprintf(out, "<p>Avviksmelding <strong>%s</strong> er besvart:</p>\n<blockquote>",
                    r->reference);
            html_text(out, r->answer);
            fputs(
                "</blockquote>\n<p>Er du ikke enig i svaret, kan du bestride det i samhand.</p>\n",
                out);
        }
        fputs("<p>Hilsen samhand</p>\n</body></html>\n", out);
        fclose(out);
        rc =
            notify_mail_queue(db, e->id, receipt ? "deviation_receipt" : "deviation_answer",
                              r->reporter_email, r->reporting_organization_id, subject, html, NULL);
        free(html);
    }
    samhand__v1__deviation_report__free_unpacked(r, NULL);
    return rc;
}

/* The mail to a proposal's submitter: where it was placed, or why it was
 * declined. Data in, text out; the caller frees both. */
static void s_proposal_text(const Samhand__V1__Proposal *p, bool is_accepted, const char *committee,
                            char **subject_p, char **html_p)
{
    char *subject = NULL, *html = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&subject, &len);
    fprintf(out, "%s: %.200s",
            is_accepted ? "Innmeldt sak satt på sakslisten" : "Innmeldt sak avslått", p->title);
    fclose(out);
    check_utf8_cut(subject); /* 200 bytes may end inside a character */
    out = open_memstream(&html, &len);
    fputs("<!DOCTYPE html>\n<html lang=\"nb\"><head><meta charset=\"utf-8\"></head><body>\n"
          "<p>Saken «",
          out);
    html_text(out, p->title);
    fputs("», som du meldte inn til ", out);
    html_text(out, committee);
    if (is_accepted) {
        fputs(", er satt på sakslisten", out);
        if (p->meeting_start_time) {
            char date[11], clock[6];
            time_format_date(p->meeting_start_time->seconds, date);
            time_format_clock(p->meeting_start_time->seconds, clock);
            fprintf(out, " til møtet %s kl. %s", date, clock);
        }
        fputs(".</p>\n", out);
    } else {
        fputs(", blir ikke tatt opp. Begrunnelse:</p>\n<blockquote>", out);
        html_text(out, p->decline_reason);
        fputs("</blockquote>\n", out);
    }
    fputs("<p>Du kan følge saken i samhand.</p>\n<p>Hilsen samhand</p>\n</body></html>\n", out);
    fclose(out);
    *subject_p = subject;
    *html_p = html;
}

/* A proposal placed on an agenda or declined: its submitter hears of it,
 * at the address they gave (none given: nobody is written to). */
static int s_plan_proposal(db_t *db, const Samhand__V1__Event *e)
{
    bool is_accepted = strcmp(e->type, "no.samhand.proposal.accepted") == 0;
    if (!is_accepted && strcmp(e->type, "no.samhand.proposal.declined") != 0)
        return 0;
    Samhand__V1__Proposal *p = samhand__v1__proposal__unpack(NULL, e->data.len, e->data.data);
    if (!p)
        return 0;
    if (!p->submitter_email[0]) {
        samhand__v1__proposal__free_unpacked(p, NULL);
        return 0;
    }
    const char *params[] = {p->committee_id};
    PGresult *res = db_query(db,
                             "SELECT coalesce(nullif(short_name, ''), name) FROM committees "
                             "WHERE id = $1::uuid",
                             1, params);
    if (!res) {
        samhand__v1__proposal__free_unpacked(p, NULL);
        return -1;
    }
    char *subject = NULL, *html = NULL;
    s_proposal_text(p, is_accepted, PQntuples(res) ? PQgetvalue(res, 0, 0) : "utvalget", &subject,
                    &html);
    PQclear(res);
    int rc = notify_mail_queue(
        db, e->id, is_accepted ? "proposal_accepted" : "proposal_declined", p->submitter_email,
        p->organization_id[0] ? p->organization_id : NULL, subject, html, NULL);
    free(subject);
    free(html);
    samhand__v1__proposal__free_unpacked(p, NULL);
    return rc;
}

/* A mail about a subscription to its contact, or else the owner
 * organisation's shared address: `sql` reads that address, the URL, the
 * description and the mail's key (one mail a spell) of subscription $1;
 * the mail names the subscription and `why` after `opening`, and ends with
 * `closing` (HTML). Nobody to tell: nothing sent, 0. */
static int s_subscription_mail(db_t *db, const char *subscription_id, const char *sql,
                               const char *kind, const char *subject_opening, const char *opening,
                               const char *why, const char *closing)
{
    const char *params[] = {subscription_id};
    PGresult *res = db_query(db, sql, 1, params);
    if (!res)
        return -1;
    if (PQntuples(res) == 0) {
        PQclear(res); /* nobody to tell: the subscription's state and health say it */
        return 0;
    }
    const char *description = PQgetvalue(res, 0, 2);
    char subject[300];
    snprintf(subject, sizeof subject, "%s: %.200s", subject_opening,
             description[0] ? description : PQgetvalue(res, 0, 1));
    check_utf8_cut(subject);
    char *html = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&html, &len);
    fprintf(out,
            "<!DOCTYPE html>\n<html lang=\"nb\"><head><meta charset=\"utf-8\"></head><body>\n"
            "<p>%s <code>",
            opening);
    html_text(out, PQgetvalue(res, 0, 1));
    fputs("</code>", out);
    if (description[0]) {
        fputs(" (", out);
        html_text(out, description);
        fputs(")", out);
    }
    fputs(": ", out);
    html_text(out, why);
    fprintf(out, ".</p>\n%s<p>Hilsen samhand</p>\n</body></html>\n", closing);
    fclose(out);
    int rc = notify_mail_queue(db, PQgetvalue(res, 0, 3), kind, PQgetvalue(res, 0, 0), NULL,
                               subject, html, NULL);
    free(html);
    PQclear(res);
    return rc;
}

/* The subscription's address to write to, URL, description and the key of
 * a mail made of `what` ("disabled:" and its last change, "failing:" and
 * when it began to fail). */
#define SUBSCRIPTION_MAIL_SQL(what, extra)                                                         \
    "SELECT coalesce(nullif(s.contact_email, ''), o.contact_email), s.url, s.description, "        \
    "md5(" what ")::uuid FROM subscriptions s LEFT JOIN organizations o ON o.id = "                \
    "s.owner_organization_id WHERE s.id = $1 AND coalesce(nullif(s.contact_email, ''), "           \
    "o.contact_email) IS NOT NULL" extra

/* A subscription switched off: which, why, and how to catch up. */
int notify_mail_subscription_disabled(db_t *db, const char *subscription_id, const char *why,
                                      bool is_owner_gone, const notify_context_t *ctx)
{
    if (!ctx->smtp_url[0])
        return 0;
    return s_subscription_mail(
        db, subscription_id, SUBSCRIPTION_MAIL_SQL("'disabled:' || s.id || s.updated_at", ""),
        "subscription_disabled", "Webhook-abonnement slått av",
        "samhand har slått av abonnementet som sender hendelser til", why,
        is_owner_gone
            ? "<p>Abonnementet sender ikke mer. Trengs hendelsene fortsatt, lag et nytt "
              "abonnement med en nøkkel som er i bruk.</p>\n"
            : "<p>Hendelser som ikke ble levert, finnes som døde meldinger og kan sendes på "
              "nytt. Det som har skjedd mens abonnementet var av, kan hentes fra "
              "hendelsesstrømmen (<code>GET /v1/events</code>). Slå abonnementet på igjen når "
              "mottakeren virker.</p>\n");
}

/* A subscription whose endpoint began to fail: which, why, and what
 * follows (retries, then switched off). */
int notify_mail_subscription_failing(db_t *db, const char *subscription_id, const char *why,
                                     const notify_context_t *ctx)
{
    if (!ctx->smtp_url[0])
        return 0;
    return s_subscription_mail(
        db, subscription_id,
        SUBSCRIPTION_MAIL_SQL("'failing:' || s.id || s.failing_since",
                              " AND s.failing_since IS NOT NULL"),
        "subscription_failing", "Webhook-abonnement feiler",
        "samhand får ikke levert hendelser til", why,
        "<p>samhand prøver igjen med økende mellomrom, i omtrent et døgn for hver hendelse; "
        "hendelsene venter i rekkefølge. Feiler mottakeren i 3 døgn, eller svarer den 410 "
        "Gone, slås abonnementet av. Du får ikke flere slike meldinger før mottakeren har "
        "virket igjen.</p>\n");
}

int notify_mail_plan(db_t *db, const Samhand__V1__Event *event, const notify_context_t *ctx)
{
    if (s_keep_directory(db, event) != 0 || notify_principal_keep(db, event, ctx) != 0)
        return -1;
    if (!ctx || !ctx->smtp_url[0])
        return 0; /* no mail server configured: nobody to write to */
    if (strncmp(event->type, "no.samhand.meeting.", 19) == 0)
        return s_plan_meeting(db, event, ctx);
    if (strncmp(event->type, "no.samhand.deviation.", 21) == 0)
        return s_plan_deviation(db, event);
    if (strncmp(event->type, "no.samhand.proposal.", 20) == 0)
        return s_plan_proposal(db, event);
    if (strncmp(event->type, "no.samhand.absence.", 19) == 0)
        return notify_mail_callup_plan(db, event, ctx);
    return 0;
}

/* ------------------------------------------------------------ sending */

/* base64 in lines of 76, as MIME wants it */
static void s_base64(FILE *out, const char *text)
{
    size_t len = strlen(text);
    for (size_t at = 0; at < len; at += 57) {
        size_t take = len - at < 57 ? len - at : 57;
        unsigned char line[80];
        EVP_EncodeBlock(line, (const unsigned char *)text + at, (int)take);
        fprintf(out, "%s\r\n", line);
    }
}

static char *s_message(const char *id, const notify_mail_row_t *mail, const char *from, size_t *len)
{
    char date[64];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S +0000", &tm);
    char *text = NULL;
    FILE *out = open_memstream(&text, len);
    unsigned char encoded[1024];
    size_t subject_len = strlen(mail->subject) > 700 ? 700 : strlen(mail->subject);
    EVP_EncodeBlock(encoded, (const unsigned char *)mail->subject, (int)subject_len);
    fprintf(out,
            "From: samhand <%s>\r\nTo: <%s>\r\nSubject: =?UTF-8?B?%s?=\r\nDate: %s\r\n"
            "Message-ID: <%s@samhand>\r\nMIME-Version: 1.0\r\n"
            "Content-Type: multipart/mixed; boundary=\"samhand-%s\"\r\n\r\n"
            "--samhand-%s\r\nContent-Type: text/html; charset=utf-8\r\n"
            "Content-Transfer-Encoding: base64\r\n\r\n",
            from, mail->to, encoded, date, id, id, id);
    s_base64(out, mail->html);
    if (mail->calendar) {
        bool cancel = strstr(mail->calendar, "METHOD:CANCEL") != NULL;
        fprintf(out,
                "--samhand-%s\r\nContent-Type: text/calendar; charset=utf-8; method=%s\r\n"
                "Content-Disposition: attachment; filename=\"mote.ics\"\r\n"
                "Content-Transfer-Encoding: base64\r\n\r\n",
                id, cancel ? "CANCEL" : "PUBLISH");
        s_base64(out, mail->calendar);
    }
    fprintf(out, "--samhand-%s--\r\n", id);
    fclose(out);
    return text;
}

typedef struct {
    const char *data;
    size_t len, at;
} s_upload_t;

static size_t s_read(char *buf, size_t size, size_t n, void *arg)
{
    s_upload_t *u = arg;
    size_t take = u->len - u->at < size * n ? u->len - u->at : size * n;
    memcpy(buf, u->data + u->at, take);
    u->at += take;
    return take;
}

/* The mailer: one fiber of notify's loop, which sends over the loop's
 * libcurl (an SMTP server that hangs holds up only the mail, never a
 * webhook) and takes a connection of the server's only for each statement's
 * time. */
static struct {
    bus_server_t *server;
    notify_curl_t *curl;
    const notify_context_t *context;
    fiber_t *fiber;
    bool is_due, is_stopping;
} s_mailer;

void notify_mail_wake(void)
{
    s_mailer.is_due = true;
    if (s_mailer.fiber)
        fiber_wake(s_mailer.fiber);
}

static void s_on_mail_queued(void *arg)
{
    (void)arg;
    notify_mail_wake();
}

/* Sends mail `id`; the outcome recorded. */
static void s_send(CURL *curl, const char *id)
{
    const notify_context_t *ctx = s_mailer.context;
    notify_mail_row_t mail = {0};
    db_t *db = bus_server_db_take(s_mailer.server);
    int found = db ? notify_store_mail(db, id, &mail) : -1;
    if (db)
        bus_server_db_give_back(s_mailer.server, db);
    if (found != 1)
        return; /* gone, or the database away: due again in two minutes */
    size_t len = 0;
    char *message = s_message(id, &mail, ctx->mail_from, &len);
    char to[320], from[320];
    snprintf(to, sizeof to, "<%s>", mail.to);
    snprintf(from, sizeof from, "<%s>", ctx->mail_from);
    int attempts = mail.attempts + 1;
    notify_mail_row_clear(&mail);
    struct curl_slist *rcpt = curl_slist_append(NULL, to);
    s_upload_t upload = {message, len, 0};
    curl_easy_reset(curl);
    curl_easy_setopt(curl, CURLOPT_URL, ctx->smtp_url);
    curl_easy_setopt(curl, CURLOPT_MAIL_FROM, from);
    curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, rcpt);
    curl_easy_setopt(curl, CURLOPT_READFUNCTION, s_read);
    curl_easy_setopt(curl, CURLOPT_READDATA, &upload);
    curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 20000L);
    CURLcode rc = notify_curl_perform(s_mailer.curl, curl);
    curl_slist_free_all(rcpt);
    free(message);
    if (s_mailer.is_stopping && rc == CURLE_ABORTED_BY_CALLBACK)
        return; /* the process ends: due again in two minutes */
    db = bus_server_db_take(s_mailer.server);
    if (!db)
        return;
    if (rc == CURLE_OK) {
        if (notify_store_mail_sent(db, id) == 0)
            metrics_queue_flow("notify", "mail", "out", 1);
    } else {
        /* like webhooks: back off, then give up and keep it as dead */
        long delay_ms = ctx->retry_base_ms * (1L << (attempts < 12 ? attempts : 12));
        bool is_dead = attempts >= ctx->max_attempts;
        notify_store_mail_failed(db, id, delay_ms, is_dead, curl_easy_strerror(rc));
        metrics_queue_flow("notify", "mail", is_dead ? "dead" : "retried", 1);
        log_warn("could not send mail %s (attempt %d): %s", id, attempts, curl_easy_strerror(rc));
    }
    bus_server_db_give_back(s_mailer.server, db);
}

#define MAIL_BATCH 20
#define MAIL_IDLE_MAX_MS 60000 /* the longest the mailer sleeps (reminders: within a minute) */
#define MAIL_RETAKE_MS 50

/* Plans the day's reminders and sends what is due, MAIL_BATCH at a time;
 * sleeps until the next mail falls due (MAIL_IDLE_MAX_MS at most) or a
 * commit queues one. Without its database it keeps trying: the mail waits,
 * the queue's age shows it, nothing is lost. */
static void s_mailer_fiber(void *arg)
{
    (void)arg;
    const notify_context_t *ctx = s_mailer.context;
    CURL *curl = curl_easy_init();
    char digest_day[11] = ""; /* the last day whose reminders were planned */
    while (!s_mailer.is_stopping) {
        s_mailer.is_due = false;
        long sleep_ms = 1000;
        char ids[MAIL_BATCH][40];
        int n = 0;
        db_t *db = bus_server_db_take(s_mailer.server);
        if (db) {
            notify_reminder_plan(db, ctx, digest_day);
            n = ctx->smtp_url[0] ? notify_store_mails_claim(db, ids, MAIL_BATCH) : 0;
            if (n <= 0)
                sleep_ms = notify_store_mail_due_ms(db, MAIL_IDLE_MAX_MS);
            bus_server_db_give_back(s_mailer.server, db);
        }
        for (int i = 0; i < n && !s_mailer.is_stopping; i++)
            s_send(curl, ids[i]);
        if (n > 0 || s_mailer.is_due || s_mailer.is_stopping)
            continue;
        if (sleep_ms < 0)
            sleep_ms = 1000; /* the database is away: look again soon */
        fiber_poll(NULL, 0,
                   (int)(sleep_ms < MAIL_RETAKE_MS     ? MAIL_RETAKE_MS
                         : sleep_ms > MAIL_IDLE_MAX_MS ? MAIL_IDLE_MAX_MS
                                                       : sleep_ms));
    }
    curl_easy_cleanup(curl);
    s_mailer.fiber = NULL;
}

void notify_mail_start(bus_server_t *server, notify_curl_t *curl, const notify_context_t *ctx)
{
    s_mailer.server = server;
    s_mailer.curl = curl;
    s_mailer.context = ctx;
    s_mailer.fiber = fiber_spawn(s_mailer_fiber, NULL);
}

bool notify_mail_is_running(void)
{
    return s_mailer.fiber != NULL;
}

void notify_mail_stop(void)
{
    s_mailer.is_stopping = true;
    if (s_mailer.fiber)
        fiber_wake(s_mailer.fiber);
}
