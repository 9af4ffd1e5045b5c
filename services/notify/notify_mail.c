/* E-mail to people: the notice with its calendar event to every member of
 * the committee, supplementary notices, cancellations and approved minutes,
 * a receipt and the answer to a deviation's reporter, word of a new
 * deviation to the receiving organisation, word to the submitter of a
 * proposal (innmeldt sak) when it is placed on an agenda or declined, the
 * committee's answer to a disputed deviation to both parties
 * (notify_mail_dispute.c), and
 * of a webhook subscription switched off to its owner. Mails are planned
 * when their event arrives (once, with the event), rendered by agenda (or
 * here), queued with the documents they carry (notify_mail_queue.c), and
 * sent by the mailer (notify_mail_send.c). The reminder digests
 * are planned in notify_reminder.c (by the mailer, once a day). */
#include "notify_mail_text.h"
#include "notify_server.h"
#include "notify_store.h"
#include "samhand_check.h"
#include "samhand/v1/agenda.pb-c.h"
#include "samhand/v1/deviation.pb-c.h"
#include "samhand_log.h"
#include "samhand_time.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ read model */

int notify_directory_keep(notify_store_directory_t *d, const Samhand__V1__Event *e)
{
    int rc = 1; /* kept, or nothing to keep of one unreadable */
    if (strcmp(e->data_type, "samhand.v1.Person") == 0) {
        Samhand__V1__Person *p = samhand__v1__person__unpack(NULL, e->data.len, e->data.data);
        if (p) {
            const char *row[] = {p->id, p->name, p->email, p->organization_id};
            rc = rows_batch_add(d->people, row) == 0 ? 1 : -1;
            samhand__v1__person__free_unpacked(p, NULL);
        }
        return rc;
    }
    if (strcmp(e->data_type, "samhand.v1.Organization") == 0) {
        Samhand__V1__Organization *o =
            samhand__v1__organization__unpack(NULL, e->data.len, e->data.data);
        if (o) {
            const char *row[] = {o->id, o->name, o->contact_email, o->review_email};
            rc = rows_batch_add(d->organizations, row) == 0 ? 1 : -1;
            samhand__v1__organization__free_unpacked(o, NULL);
        }
        return rc;
    }
    if (strcmp(e->data_type, "samhand.v1.Committee") == 0) {
        Samhand__V1__Committee *c = samhand__v1__committee__unpack(NULL, e->data.len, e->data.data);
        if (c) {
            const char *row[] = {c->id, c->name, c->short_name};
            rc = rows_batch_add(d->committees, row) == 0 ? 1 : -1;
            samhand__v1__committee__free_unpacked(c, NULL);
        }
        return rc;
    }
    if (strcmp(e->data_type, "samhand.v1.Membership") == 0) {
        Samhand__V1__Membership *m =
            samhand__v1__membership__unpack(NULL, e->data.len, e->data.data);
        if (m) {
            const ProtobufCEnumValue *role = protobuf_c_enum_descriptor_get_value(
                &samhand__v1__membership__role__descriptor, m->role);
            const char *row[] = {m->id,        m->committee_id,
                                 m->person_id, role ? role->name : "MEMBER",
                                 m->term_from, m->term_to[0] ? m->term_to : NULL};
            rc = rows_batch_add(d->memberships, row) == 0 ? 1 : -1;
            samhand__v1__membership__free_unpacked(m, NULL);
        }
        return rc;
    }
    return 0;
}

/* ------------------------------------------------------------ planning */

/* notify_mail_keep_documents for the members on a meeting's mail. */
static int s_keep_member_documents(db_t *db, const Samhand__V1__Event *e,
                                   const notify_context_t *ctx, const Samhand__V1__Meeting *m,
                                   bool is_minutes, const notify_member_address_t *members, int n,
                                   const char *filename, char (*document_ids)[40])
{
    char **ids = calloc((size_t)n, sizeof *ids);
    if (!ids)
        return -1;
    for (int i = 0; i < n; i++)
        ids[i] = members[i].person_id;
    int rc = notify_mail_keep_documents(db, e, ctx, m->id, m->notice_version, is_minutes, ids, n,
                                        filename, document_ids);
    free(ids);
    return rc;
}

static int s_plan_meeting(db_t *db, const Samhand__V1__Event *e, const notify_context_t *ctx)
{
    const char *kind, *word, *document = "agenda.GetMeetingNotice", *file_word = "Innkalling";
    if (strcmp(e->type, "no.samhand.meeting.notice_published") == 0)
        kind = "notice", word = "Møteinnkalling";
    else if (strcmp(e->type, "no.samhand.meeting.notice_supplemented") == 0)
        kind = "supplement", word = "Tilleggsinnkalling", file_word = "Tilleggsinnkalling";
    else if (strcmp(e->type, "no.samhand.meeting.cancelled") == 0)
        kind = "cancellation", word = "Avlyst møte";
    else if (strcmp(e->type, "no.samhand.meeting.minutes_approved") == 0)
        kind = "minutes", word = "Referat", document = "agenda.GetMinutes", file_word = "Referat";
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
    int n;
    notify_member_address_t *members = notify_store_member_addresses(db, m->committee_id, day, &n);
    int rc = n < 0 ? -1 : 0;
    bool is_minutes = strcmp(kind, "minutes") == 0;
    /* a notice and the minutes go as PDF, each reader's variant; a
     * cancellation says so in the mail itself */
    bool has_pdf = strcmp(kind, "cancellation") != 0;
    char *html = NULL, *calendar = NULL, filename[300] = "";
    char(*document_ids)[40] = NULL;
    if (n > 0) {
        if (!is_minutes)
            calendar =
                notify_mail_render(ctx, "agenda.GetMeetingCalendar", m->id, m->notice_version);
        if (has_pdf) {
            /* «Innkalling ASU 08.02.2023.pdf» */
            snprintf(filename, sizeof filename, "%s %.200s %s.pdf", file_word, members[0].committee,
                     date);
            document_ids = calloc((size_t)n, sizeof *document_ids);
            html = notify_mail_text_document(kind, m, members[0].committee, filename,
                                             calendar != NULL, ctx->web_url);
            if (!document_ids || !html ||
                s_keep_member_documents(db, e, ctx, m, is_minutes, members, n, filename,
                                        document_ids) != 0) {
                free(html);
                html = NULL;
            }
        } else {
            html = notify_mail_render(ctx, document, m->id, m->notice_version);
        }
        if (!html) {
            log_warn("could not render the %s of a meeting; trying again later", kind);
            rc = -1; /* the event is applied again later */
        }
    }
    for (int i = 0; rc == 0 && i < n; i++) {
        char subject[300];
        snprintf(subject, sizeof subject, "%s: %s %s", word, members[i].committee, date);
        rc = notify_mail_queue_with(db, e->id, kind, members[i].email, members[i].organization_id,
                                    subject, html, calendar, document_ids ? document_ids[i] : NULL);
    }
    notify_member_addresses_free(members, n);
    free(document_ids);
    free(html);
    free(calendar);
    samhand__v1__meeting__free_unpacked(m, NULL);
    return rc;
}

/* A deviation for the receiving organisation to answer, to its shared
 * address: the reference, who sent it and the deadlines, nothing of the
 * case itself (that is read in samhand, where access is checked). */

static int s_tell_receiver(db_t *db, const Samhand__V1__Event *e,
                           const Samhand__V1__DeviationReport *r)
{
    char *address = NULL, *reporter = NULL;
    int found = notify_store_receiver_address(db, r->receiving_organization_id,
                                              r->reporting_organization_id, &address, &reporter);
    if (found <= 0)
        return found; /* 0: no shared address known: the feed and webhooks tell it */
    char subject[200];
    snprintf(subject, sizeof subject, "Ny avviksmelding %s til dere", r->reference);
    char *html = notify_mail_text_deviation_received(r, reporter);
    int rc = !html ? -1
                   : notify_mail_queue(db, e->id, "deviation_received", address,
                                       r->receiving_organization_id, subject, html, NULL);
    free(html);
    free(address);
    free(reporter);
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
        char subject[200];
        if (receipt)
            snprintf(subject, sizeof subject, "Kvittering: avviksmelding %s er mottatt",
                     r->reference);
        else
            snprintf(subject, sizeof subject, "Svar på avviksmelding %s", r->reference);
        char *html =
            receipt ? notify_mail_text_deviation_receipt(r) : notify_mail_text_deviation_answer(r);
        rc = !html
                 ? -1
                 : notify_mail_queue(db, e->id, receipt ? "deviation_receipt" : "deviation_answer",
                                     r->reporter_email, r->reporting_organization_id, subject, html,
                                     NULL);
        free(html);
    }
    samhand__v1__deviation_report__free_unpacked(r, NULL);
    return rc;
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
    char *committee = NULL;
    int found = notify_store_committee_name(db, p->committee_id, &committee);
    if (found < 0) {
        samhand__v1__proposal__free_unpacked(p, NULL);
        return -1;
    }
    char *subject = NULL, *html = NULL;
    notify_mail_text_proposal(p, is_accepted, found ? committee : "utvalget", &subject, &html);
    free(committee);
    int rc = notify_mail_queue(
        db, e->id, is_accepted ? "proposal_accepted" : "proposal_declined", p->submitter_email,
        p->organization_id[0] ? p->organization_id : NULL, subject, html, NULL);
    free(subject);
    free(html);
    samhand__v1__proposal__free_unpacked(p, NULL);
    return rc;
}

/* A mail about a subscription to its contact, or else the owner
 * organisation's shared address (one mail a spell of failing, or a
 * switching off, by `is_failing`): the mail names the subscription and
 * `why` after `opening`, and ends with `closing` (HTML). Nobody to tell:
 * nothing sent, 0. */
static int s_subscription_mail(db_t *db, const char *subscription_id, bool is_failing,
                               const char *kind, const char *subject_opening, const char *opening,
                               const char *why, const char *closing)
{
    notify_subscription_contact_t contact = {0};
    int found = notify_store_subscription_contact(db, subscription_id, is_failing, &contact);
    if (found <= 0)
        return found; /* 0: nobody to tell: the subscription's state and health say it */
    const char *description = contact.description;
    char subject[300];
    snprintf(subject, sizeof subject, "%s: %.200s", subject_opening,
             description[0] ? description : contact.url);
    check_utf8_cut(subject);
    char *html = notify_mail_text_subscription(opening, contact.url, description, why, closing);
    int rc = !html ? -1
                   : notify_mail_queue(db, contact.mail_key, kind, contact.address, NULL, subject,
                                       html, NULL);
    free(html);
    notify_subscription_contact_clear(&contact);
    return rc;
}

/* A subscription switched off: which, why, and how to catch up. */
int notify_mail_subscription_disabled(db_t *db, const char *subscription_id, const char *why,
                                      bool is_owner_gone, const notify_context_t *ctx)
{
    if (!ctx->smtp_url[0])
        return 0;
    return s_subscription_mail(
        db, subscription_id, false, "subscription_disabled", "Webhook-abonnement slått av",
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
        db, subscription_id, true, "subscription_failing", "Webhook-abonnement feiler",
        "samhand får ikke levert hendelser til", why,
        "<p>samhand prøver igjen med økende mellomrom, i omtrent et døgn for hver hendelse; "
        "hendelsene venter i rekkefølge. Feiler mottakeren i 3 døgn, eller svarer den 410 "
        "Gone, slås abonnementet av. Du får ikke flere slike meldinger før mottakeren har "
        "virket igjen.</p>\n");
}

int notify_mail_plan(db_t *db, const Samhand__V1__Event *event, const notify_context_t *ctx)
{
    if (notify_principal_keep(db, event, ctx) != 0)
        return -1;
    if (!ctx || !ctx->smtp_url[0])
        return 0; /* no mail server configured: nobody to write to */
    if (strncmp(event->type, "no.samhand.meeting.", 19) == 0)
        return s_plan_meeting(db, event, ctx);
    if (strcmp(event->type, "no.samhand.deviation.dispute_decided") == 0)
        return notify_mail_dispute_plan(db, event);
    if (strcmp(event->type, "no.samhand.deviation.review_requested") == 0)
        return notify_mail_review_plan(db, event, ctx);
    if (strncmp(event->type, "no.samhand.deviation.", 21) == 0)
        return s_plan_deviation(db, event);
    if (strncmp(event->type, "no.samhand.proposal.", 20) == 0)
        return s_plan_proposal(db, event);
    if (strncmp(event->type, "no.samhand.absence.", 19) == 0)
        return notify_mail_callup_plan(db, event, ctx);
    return 0;
}
