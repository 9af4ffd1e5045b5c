/* The texts of notify's mails (notify_mail_text.c), each a whole HTML
 * page in Norwegian. Data in, text out: each returns a malloc'ed text the
 * caller frees (NULL when out of memory). */
#ifndef NOTIFY_MAIL_TEXT_H
#define NOTIFY_MAIL_TEXT_H

#include "samhand/v1/agenda.pb-c.h"
#include "notify_store.h"
#include "samhand/v1/deviation.pb-c.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* The start of every mail's page, up to and with its <body>. */
#define NOTIFY_MAIL_HTML_HEAD                                                                      \
    "<!DOCTYPE html>\n<html lang=\"nb\"><head><meta charset=\"utf-8\"></head><body>\n"

/* Writes a link to the page `page` ("mine-moter.html") of samhand at
 * `web_url`, its address as its text, escaped. */
void notify_mail_text_link(FILE *out, const char *web_url, const char *page);

/* The short text of a mail that carries its document as PDF (`kind`:
 * "notice", "supplement" or "minutes"): what it is, when, the attached
 * `filename`, the calendar event when `has_calendar`, and where the same
 * is read in samhand (`web_url`, NULL or "" for nowhere). */
char *notify_mail_text_document(const char *kind, const Samhand__V1__Meeting *m,
                                const char *committee, const char *filename, bool has_calendar,
                                const char *web_url);

/* A deviation for the receiving organisation to answer, to its shared
 * address: the reference, who sent it (`reporter`) and the deadlines,
 * nothing of the case itself (that is read in samhand, where access is
 * checked). */
char *notify_mail_text_deviation_received(const Samhand__V1__DeviationReport *r,
                                          const char *reporter);
/* The receipt to a deviation's reporter: its reference and the deadlines. */
char *notify_mail_text_deviation_receipt(const Samhand__V1__DeviationReport *r);
/* The answer to a deviation's reporter, and that it may be disputed. */
char *notify_mail_text_deviation_answer(const Samhand__V1__DeviationReport *r);

/* A report waiting for a leader's approval, to the reporting
 * organisation's review address: from whom to whom (`reporting`,
 * `receiving`), a deviation or an improvement proposal, and the link to it
 * at `web_url` (NULL or "": where it is found); nothing of what it says,
 * nor who wrote it. Its subject and text into *subject_p and *html_p,
 * which the caller frees. */
void notify_mail_text_review(const Samhand__V1__DeviationReport *r, const char *reporting,
                             const char *receiving, const char *web_url, char **subject_p,
                             char **html_p);

/* The mail to a proposal's submitter: where it was placed (`is_accepted`),
 * or why it was declined; its subject and text into *subject_p and
 * *html_p, which the caller frees. */
void notify_mail_text_proposal(const Samhand__V1__Proposal *p, bool is_accepted,
                               const char *committee, char **subject_p, char **html_p);

/* A mail about a subscription: `opening`, its URL and description ("" for
 * none), `why`, and `closing` (HTML). */
char *notify_mail_text_subscription(const char *opening, const char *url, const char *description,
                                    const char *why, const char *closing);

/* The daily reminder digest to one address of its `n` items due, oldest
 * first (`due`: one address's rows of notify_store_due_by_address), on
 * `today` (YYYY-MM-DD): the overdue first, then those due soon, at most
 * 100 listed of each and the rest counted; its subject and text into
 * *subject_p and *html_p, which the caller frees. */
void notify_mail_text_digest(const notify_due_t *due, size_t n, const char *today, char **subject_p,
                             char **html_p);

#endif
