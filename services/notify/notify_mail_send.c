/* The mailer: one fiber of notify's loop that sends the mails planned in
 * notify_mail.c over SMTP (libcurl on the loop, so a mail server that
 * hangs holds up no webhook), as MIME messages (multipart/mixed) with
 * their calendar and their PDF (a notice, minutes) attached, with retries
 * and then a dead letter; it plans the day's reminders too
 * (notify_reminder.c). The message is written here rather than with
 * libcurl's curl_mime_*: curl writes an attachment's file name as it is
 * (no RFC 2231 for «Møteinnkalling …»), and the PDF comes from the
 * database already in base64 lines. */
#include "notify_curl.h"
#include "notify_server.h"
#include "notify_store.h"
#include "samhand_fiber.h"
#include "samhand_log.h"
#include "samhand_metrics.h"

#include <curl/curl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

static bool s_is_ascii(const char *text)
{
    for (const unsigned char *p = (const unsigned char *)text; *p; p++)
        if (*p < 0x20 || *p > 0x7e)
            return false;
    return true;
}

/* The attachment's headers, its file name as every mail reader finds it:
 * an ASCII name quoted (RFC 2045), any other as UTF-8 in RFC 2231's
 * `filename*` for the disposition and, for readers that look only at the
 * type's `name`, as an RFC 2047 encoded word there. */
static void s_attachment_headers(FILE *out, const char *type, const char *name)
{
    if (s_is_ascii(name) && !strpbrk(name, "\"\\")) {
        fprintf(out,
                "Content-Type: %s;\r\n\tname=\"%s\"\r\n"
                "Content-Disposition: attachment;\r\n\tfilename=\"%s\"\r\n",
                type, name, name);
        return;
    }
    unsigned char encoded[1024];
    size_t name_len = strlen(name) > 700 ? 700 : strlen(name);
    EVP_EncodeBlock(encoded, (const unsigned char *)name, (int)name_len);
    fprintf(out,
            "Content-Type: %s;\r\n\tname=\"=?UTF-8?B?%s?=\"\r\n"
            "Content-Disposition: attachment;\r\n\tfilename*=UTF-8''",
            type, encoded);
    /* attr-char of RFC 2231 as they are, every other byte %XX */
    for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
            strchr("!#$&+-.^_`|~", *p))
            fputc(*p, out);
        else
            fprintf(out, "%%%02X", *p);
    }
    fputs("\r\n", out);
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
    if (mail->document_base64) {
        fprintf(out, "--samhand-%s\r\n", id);
        s_attachment_headers(out, mail->document_type, mail->document_name);
        fprintf(out, "Content-Transfer-Encoding: base64\r\n\r\n%s\r\n", mail->document_base64);
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
    /* made with the first mail: libcurl's and OpenSSL's set-up (about a
     * megabyte resident) is not paid by a notify that sends none */
    CURL *curl = NULL;
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
        if (n > 0 && !curl)
            curl = curl_easy_init();
        for (int i = 0; i < n && curl && !s_mailer.is_stopping; i++)
            s_send(curl, ids[i]); /* without a handle, they are claimed again later */
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
