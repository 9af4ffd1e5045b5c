/* The texts of the mails notify_mail.c plans, in Norwegian HTML: a
 * meeting's document mail, a deviation's word to its receiver, receipt and
 * answer to its reporter, a proposal's outcome to its submitter, a
 * subscription's trouble to its contact, and the daily reminder digest
 * (planned by notify_reminder.c). Data in, text out; see
 * notify_mail_text.h. */
#include "notify_mail_text.h"
#include "samhand_check.h"
#include "samhand_html.h"
#include "samhand_time.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void notify_mail_text_link(FILE *out, const char *web_url, const char *page)
{
    char link[512];
    snprintf(link, sizeof link, "%s/%s", web_url, page);
    fputs("<a href=\"", out);
    html_text(out, link);
    fputs("\">", out);
    html_text(out, link);
    fputs("</a>", out);
}

char *notify_mail_text_document(const char *kind, const Samhand__V1__Meeting *m,
                                const char *committee, const char *filename, bool has_calendar,
                                const char *web_url)
{
    char *html = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&html, &len);
    if (!out)
        return NULL;
    char date[11], clock[6];
    time_format_date(m->start_time->seconds, date);
    time_format_clock(m->start_time->seconds, clock);
    const char *what = strcmp(kind, "minutes") == 0      ? "referatet fra"
                       : strcmp(kind, "supplement") == 0 ? "tilleggsinnkallingen til"
                                                         : "innkallingen til";
    fputs(NOTIFY_MAIL_HTML_HEAD "<p>Vedlagt er ", out);
    fputs(what, out);
    fputs(" møtet i ", out);
    html_text(out, committee);
    fprintf(out, " %s kl. %s (", date, clock);
    html_text(out, filename);
    fputs(")", out);
    if (has_calendar)
        fputs(", og møtet er lagt ved som kalenderhendelse", out);
    fputs(".</p>\n", out);
    if (web_url && web_url[0]) {
        fputs("<p>Møtet og dokumentene finner du også i samhand: ", out);
        notify_mail_text_link(out, web_url, "mine-moter.html");
        fputs(".</p>\n", out);
    }
    fputs("<p>Hilsen samhand</p>\n</body></html>\n", out);
    fclose(out);
    return html;
}

/* A deadline with a due date (YYYY-MM-DD) to print; none when the rule
 * the report was submitted under has none. */
static bool s_due(const Samhand__V1__Deadline *d)
{
    return d && strlen(d->due_date) == 10;
}

/* "2026-11-20" -> "20.11.2026" */
static void s_norwegian_date(const char *iso, char out[11])
{
    snprintf(out, 11, "%.2s.%.2s.%.4s", iso + 8, iso + 5, iso);
}

/* The deadline's due date as 08.02.2023. */
static void s_due_date(const Samhand__V1__Deadline *d, char out[11])
{
    s_norwegian_date(d->due_date, out);
}

/* The report's deadlines by `both` (a format of the acknowledgement's
 * and the answer's date) or, when the partnership set no acknowledgement
 * deadline (its settings), by `answer_only`; nothing without either. */
static void s_deadlines(FILE *out, const Samhand__V1__DeviationReport *r, const char *both,
                        const char *answer_only)
{
    char acknowledge[11], answer[11];
    if (!s_due(r->answer_deadline))
        return;
    s_due_date(r->answer_deadline, answer);
    if (s_due(r->acknowledge_deadline)) {
        s_due_date(r->acknowledge_deadline, acknowledge);
        fprintf(out, both, acknowledge, answer);
    } else {
        fprintf(out, answer_only, answer);
    }
}

char *notify_mail_text_deviation_received(const Samhand__V1__DeviationReport *r,
                                          const char *reporter)
{
    char *html = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&html, &len);
    if (!out)
        return NULL;
    fputs(NOTIFY_MAIL_HTML_HEAD "<p>Dere har mottatt avviksmelding <strong>", out);
    html_text(out, r->reference);
    fputs("</strong> fra ", out);
    html_text(out, reporter);
    fputs(".", out);
    s_deadlines(out, r, " Den skal bekreftes innen %s og besvares innen %s.",
                " Den skal besvares innen %s.");
    fputs("</p>\n<p>Les og behandle meldingen i samhand.</p>\n<p>Hilsen samhand</p>\n"
          "</body></html>\n",
          out);
    fclose(out);
    return html;
}

char *notify_mail_text_deviation_receipt(const Samhand__V1__DeviationReport *r)
{
    char *html = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&html, &len);
    if (!out)
        return NULL;
    fprintf(out,
            NOTIFY_MAIL_HTML_HEAD
            "<p>Avviksmeldingen din er registrert med referanse <strong>%s</strong>.",
            r->reference);
    s_deadlines(out, r, " Mottakeren skal bekrefte den innen %s og svare innen %s.",
                " Mottakeren skal svare innen %s.");
    fputs("</p>\n<p>Hilsen samhand</p>\n</body></html>\n", out);
    fclose(out);
    return html;
}

char *notify_mail_text_deviation_answer(const Samhand__V1__DeviationReport *r)
{
    char *html = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&html, &len);
    if (!out)
        return NULL;
    fprintf(out,
            NOTIFY_MAIL_HTML_HEAD
            "<p>Avviksmelding <strong>%s</strong> er besvart:</p>\n<blockquote>",
            r->reference);
    html_text(out, r->answer);
    fputs("</blockquote>\n<p>Er du ikke enig i svaret, kan du bestride det i samhand.</p>\n"
          "<p>Hilsen samhand</p>\n</body></html>\n",
          out);
    fclose(out);
    return html;
}

void notify_mail_text_proposal(const Samhand__V1__Proposal *p, bool is_accepted,
                               const char *committee, char **subject_p, char **html_p)
{
    char *subject = NULL, *html = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&subject, &len);
    fprintf(out, "%s: %.200s",
            is_accepted ? "Innmeldt sak satt på sakslisten" : "Innmeldt sak avslått", p->title);
    fclose(out);
    check_utf8_cut(subject); /* 200 bytes may end inside a character */
    out = open_memstream(&html, &len);
    fputs(NOTIFY_MAIL_HTML_HEAD "<p>Saken «", out);
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

char *notify_mail_text_subscription(const char *opening, const char *url, const char *description,
                                    const char *why, const char *closing)
{
    char *html = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&html, &len);
    if (!out)
        return NULL;
    fprintf(out, NOTIFY_MAIL_HTML_HEAD "<p>%s <code>", opening);
    html_text(out, url);
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
    return html;
}

#define DIGEST_MAX_ITEMS 100 /* listed in one mail; the rest are counted */

void notify_mail_text_digest(const notify_due_t *due, size_t n, const char *today, char **subject_p,
                             char **html_p)
{
    int overdue = 0;
    for (size_t i = 0; i < n; i++)
        overdue += due[i].is_overdue;
    int soon = (int)n - overdue;
    char date[11], subject[200];
    s_norwegian_date(today, date);
    if (overdue && soon)
        snprintf(subject, sizeof subject, "Påminnelse %s: %d %s passert, %d forfaller snart", date,
                 overdue, overdue == 1 ? "frist" : "frister", soon);
    else if (overdue)
        snprintf(subject, sizeof subject, "Påminnelse %s: %d %s passert", date, overdue,
                 overdue == 1 ? "frist" : "frister");
    else
        snprintf(subject, sizeof subject, "Påminnelse %s: %d %s forfaller snart", date, soon,
                 soon == 1 ? "frist" : "frister");
    *subject_p = strdup(subject);
    *html_p = NULL;
    char *html = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&html, &len);
    if (!out)
        return;
    fputs(NOTIFY_MAIL_HTML_HEAD "<p>Dette er fristene i samhand som gjelder dere.</p>\n", out);
    for (int section = 0; section < 2; section++) {
        bool want_overdue = section == 0;
        if ((want_overdue && !overdue) || (!want_overdue && !soon))
            continue;
        fputs(want_overdue ? "<h2>Fristen er passert</h2>\n<ul>\n"
                           : "<h2>Forfaller snart</h2>\n<ul>\n",
              out);
        int listed = 0, left = 0;
        for (size_t i = 0; i < n; i++) {
            if (due[i].is_overdue != want_overdue)
                continue;
            if (listed == DIGEST_MAX_ITEMS) {
                left++;
                continue;
            }
            char day[11];
            s_norwegian_date(due[i].due_date, day);
            fputs("<li>", out);
            html_text(out, due[i].title);
            fprintf(out, " – frist %s</li>\n", day);
            listed++;
        }
        if (left)
            fprintf(out, "<li>og %d til</li>\n", left);
        fputs("</ul>\n", out);
    }
    fputs("<p>Følg opp i samhand. Du får én slik oversikt per dag så lenge noe forfaller.</p>\n"
          "<p>Hilsen samhand</p>\n</body></html>\n",
          out);
    fclose(out);
    *html_p = html;
}

void notify_mail_text_review(const Samhand__V1__DeviationReport *r, const char *reporting,
                             const char *receiving, const char *web_url, char **subject_p,
                             char **html_p)
{
    bool is_proposal = r->type == SAMHAND__V1__DEVIATION_REPORT__TYPE__IMPROVEMENT_PROPOSAL;
    const char *what = is_proposal ? "Et forbedringsforslag" : "En avviksmelding";
    char *subject = NULL, *html = NULL;
    size_t len = 0;
    *subject_p = *html_p = NULL;
    FILE *out = open_memstream(&subject, &len);
    if (!out)
        return;
    fprintf(out, "%s venter på godkjenning: %s",
            is_proposal ? "Forbedringsforslag" : "Avviksmelding", reporting);
    fclose(out);
    out = open_memstream(&html, &len);
    if (!out) {
        free(subject);
        return;
    }
    fputs(NOTIFY_MAIL_HTML_HEAD "<p>", out);
    fputs(what, out);
    fputs(" fra ", out);
    html_text(out, reporting);
    fputs(" til ", out);
    html_text(out, receiving);
    fputs(" venter på godkjenning hos leder før den sendes. Godkjenn den, eller send den "
          "tilbake med det som må endres.</p>\n",
          out);
    if (web_url && web_url[0]) {
        char page[64];
        snprintf(page, sizeof page, "#avvik-%s", r->id);
        fputs("<p>Åpne den i samhand: ", out);
        notify_mail_text_link(out, web_url, page);
        fputs(".</p>\n", out);
    } else {
        fputs("<p>Du finner den i samhand blant meldingene til godkjenning.</p>\n", out);
    }
    fputs("<p>Hilsen samhand</p>\n</body></html>\n", out);
    fclose(out);
    *subject_p = subject;
    *html_p = html;
}
