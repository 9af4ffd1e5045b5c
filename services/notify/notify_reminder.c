/* Reminders: one digest a day per address of what falls due within the
 * next working days and of what is overdue, instead of a mail per item.
 * What falls due is kept from the events: an open action for its
 * responsible organisations and its committee's secretaries, a deviation's
 * acknowledge and answer deadlines for the receiving organisation, an open
 * measure of a joint analysis for its owner organisation. The day's
 * digests are planned once (the first replica to mark the day plans them)
 * and sent like every other mail; how many working days ahead a due date
 * is reminded of is the partnership's settings' (deviation's events). */
#include "notify_mail_text.h"
#include "notify_server.h"
#include "notify_store.h"
#include "samhand/v1/agenda.pb-c.h"
#include "samhand/v1/deviation.pb-c.h"
#include "samhand_log.h"
#include "samhand_rows.h"
#include "samhand_time.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ what is due */

static int s_keep(rows_batch_t *due, const char *kind, const char *id, const char *title,
                  const char *due_date, const char *organizations, const char *committee_id)
{
    const char *row[] = {kind, id, title, due_date, organizations, committee_id};
    return rows_batch_add(due, row);
}

static int s_keep_action(rows_batch_t *due, const Samhand__V1__Event *e)
{
    Samhand__V1__Action *a = samhand__v1__action__unpack(NULL, e->data.len, e->data.data);
    if (!a)
        return 0;
    bool open = a->status == SAMHAND__V1__ACTION__STATUS__OPEN ||
                a->status == SAMHAND__V1__ACTION__STATUS__IN_PROGRESS;
    char *organizations =
        rows_json_array(a->responsible_organization_ids, a->n_responsible_organization_ids);
    char *title = NULL;
    if (organizations && asprintf(&title, "Oppfølgingspunkt %d: %s", a->number, a->description) < 0)
        title = NULL;
    int rc = title
                 ? s_keep(due, "action", a->id, title, open && a->due_date[0] ? a->due_date : NULL,
                          organizations, a->committee_id[0] ? a->committee_id : NULL)
                 : -1;
    free(title);
    free(organizations);
    samhand__v1__action__free_unpacked(a, NULL);
    return rc;
}

/* A deadline still to be met: pending or overdue (met, missed and paused
 * ones are nothing to remind of). */
static const char *s_open_due(const Samhand__V1__Deadline *d)
{
    if (!d || !d->due_date[0])
        return NULL;
    return d->status == SAMHAND__V1__DEADLINE__STATUS__PENDING ||
                   d->status == SAMHAND__V1__DEADLINE__STATUS__OVERDUE
               ? d->due_date
               : NULL;
}

static int s_keep_deviation(rows_batch_t *due, const Samhand__V1__Event *e)
{
    Samhand__V1__DeviationReport *r =
        samhand__v1__deviation_report__unpack(NULL, e->data.len, e->data.data);
    if (!r)
        return 0;
    if (!r->reference[0] || !r->receiving_organization_id[0]) {
        samhand__v1__deviation_report__free_unpacked(r, NULL); /* a draft: nothing due */
        return 0;
    }
    char organizations[64], acknowledge[120], answer[120];
    snprintf(organizations, sizeof organizations, "[\"%s\"]", r->receiving_organization_id);
    snprintf(acknowledge, sizeof acknowledge, "Avviksmelding %s skal bekreftes", r->reference);
    snprintf(answer, sizeof answer, "Avviksmelding %s skal besvares", r->reference);
    /* owed by the receiver while the report waits for it: acknowledged
     * while submitted, answered until it is (rejected, closed or a
     * duplicate owes nothing) */
    bool submitted = r->state == SAMHAND__V1__DEVIATION_REPORT__STATE__SUBMITTED;
    bool awaiting =
        submitted || r->state == SAMHAND__V1__DEVIATION_REPORT__STATE__AWAITING_RESPONSE;
    int rc = s_keep(due, "deviation_acknowledge", r->id, acknowledge,
                    submitted ? s_open_due(r->acknowledge_deadline) : NULL, organizations, NULL);
    if (rc == 0)
        rc = s_keep(due, "deviation_answer", r->id, answer,
                    awaiting ? s_open_due(r->answer_deadline) : NULL, organizations, NULL);
    samhand__v1__deviation_report__free_unpacked(r, NULL);
    return rc;
}

/* The measures (tiltak) of a joint analysis, like a committee's actions:
 * each open one due for its owner organisation; done or cancelled, nothing. */
static int s_keep_analysis(rows_batch_t *due, const Samhand__V1__Event *e)
{
    Samhand__V1__JointAnalysis *a =
        samhand__v1__joint_analysis__unpack(NULL, e->data.len, e->data.data);
    if (!a)
        return 0;
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < a->n_measures; i++) {
        const Samhand__V1__AnalysisMeasure *m = a->measures[i];
        bool open = m->state == SAMHAND__V1__ANALYSIS_MEASURE__STATE__OPEN;
        char organizations[64];
        snprintf(organizations, sizeof organizations, "[\"%s\"]", m->owner_organization_id);
        char *title = NULL;
        /* the reference and the due date, never the measure's words: the
         * digest goes to the owner's shared address, and the analysis is
         * read in samhand by the parties' deviation roles */
        if (asprintf(&title, "Tiltak etter hendelsesanalyse av avviksmelding %s",
                     a->deviation_reference) < 0) {
            rc = -1;
            break;
        }
        rc = s_keep(due, "analysis_measure", m->id, title,
                    open && m->due_date[0] ? m->due_date : NULL,
                    m->owner_organization_id[0] ? organizations : "[]", NULL);
        free(title);
    }
    samhand__v1__joint_analysis__free_unpacked(a, NULL);
    return rc;
}

int notify_reminder_keep(rows_batch_t *due, const Samhand__V1__Event *event)
{
    if (strcmp(event->data_type, "samhand.v1.JointAnalysis") == 0)
        return s_keep_analysis(due, event);
    if (strcmp(event->data_type, "samhand.v1.Action") == 0)
        return s_keep_action(due, event);
    if (strcmp(event->data_type, "samhand.v1.DeviationReport") == 0)
        return s_keep_deviation(due, event);
    return 0;
}

/* ------------------------------------------------------------ the digest */

/* Rows [from, to) of `due` are one address's items, oldest due first. */
static int s_plan_one(db_t *db, const char *digest_id, const notify_due_t *due, int from, int to,
                      const char *today)
{
    char *subject = NULL, *html = NULL;
    notify_mail_text_digest(due + from, (size_t)(to - from), today, &subject, &html);
    int rc = !subject || !html ? -1
                               : notify_mail_queue(db, digest_id, "digest", due[from].address, NULL,
                                                   subject, html, NULL);
    free(subject);
    free(html);
    return rc;
}

static int s_plan_day(db_t *db, const char *today, const char *until)
{
    char digest_id[40];
    int is_new = notify_store_digest_day(db, today, digest_id);
    if (is_new <= 0)
        return is_new; /* 0: planned already, here or by another replica */
    int n;
    notify_due_t *due = notify_store_due_by_address(db, today, until, &n);
    if (n < 0)
        return -1;
    int rc = 0, addresses = 0;
    for (int from = 0; rc == 0 && from < n; addresses++) {
        int to = from + 1;
        while (to < n && strcmp(due[to].address, due[from].address) == 0)
            to++;
        rc = s_plan_one(db, digest_id, due, from, to, today);
        from = to;
    }
    notify_due_free(due, n);
    if (rc == 0)
        log_info("reminders for %s planned: %d digests", today, addresses);
    return rc;
}

/* The lead time in force on `today`: the partnership's settings version
 * that holds then (deviation's settings_changed events, in the inbox: the
 * newest version from on or before today), else SAMHAND_REMINDER_DAYS,
 * which is also the first version's. */
static int s_lead_days(db_t *db, const notify_context_t *ctx, const char *today)
{
    int days = (int)ctx->reminder_days, best = 0;
    int n;
    notify_feed_event_t *events = notify_store_settings_events(db, &n);
    if (n < 0) {
        log_warn("could not read the reminder lead time: %s", db_error(db));
        return days;
    }
    for (int i = 0; i < n; i++) {
        Samhand__V1__Event *e = events[i].event;
        Samhand__V1__PartnershipSettings *s =
            e ? samhand__v1__partnership_settings__unpack(NULL, e->data.len, e->data.data) : NULL;
        if (s && s->version > best && strcmp(s->valid_from, today) <= 0) {
            best = s->version;
            days = s->reminder_days;
        }
        if (s)
            samhand__v1__partnership_settings__free_unpacked(s, NULL);
    }
    notify_feed_events_free(events, n);
    return days;
}

void notify_reminder_plan(db_t *db, const notify_context_t *ctx, char done_day[11])
{
    if (!ctx->smtp_url[0] || strcmp(ctx->reminder_on, "never") == 0)
        return;
    int64_t now = time(NULL);
    struct tm oslo;
    time_oslo(now, &oslo);
    int year = oslo.tm_year + 1900, month = oslo.tm_mon + 1, day = oslo.tm_mday;
    char today[11];
    time_oslo_date_iso(now, today);
    if (strcmp(done_day, today) == 0 || oslo.tm_hour < ctx->reminder_hour)
        return;
    if (strcmp(ctx->reminder_on, "working-days") == 0 && !time_is_working_day(year, month, day)) {
        memcpy(done_day, today, 11); /* "YYYY-MM-DD" and its end */
        return;
    }
    time_add_working_days(&year, &month, &day, s_lead_days(db, ctx, today));
    struct tm due_by = {.tm_year = year - 1900, .tm_mon = month - 1, .tm_mday = day};
    char until[11];
    strftime(until, sizeof until, "%Y-%m-%d", &due_by);
    if (db_begin(db) != 0)
        return;
    if (s_plan_day(db, today, until) != 0) {
        db_rollback(db);
        return; /* the next round tries again */
    }
    if (db_commit(db) == 0)
        memcpy(done_day, today, 11); /* "YYYY-MM-DD" and its end */
}
