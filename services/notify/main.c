/* samhand-notify: event stream, webhooks, e-mail, pull feed. */
#include "notify_server.h"
#include "notify_store.h"
#include "samhand_log.h"
#include "samhand_service.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "samhand_transcode.h"
#include "samhand/v1/agenda.pb-c.h"
#include "samhand/v1/deviation.pb-c.h"

/* Every minute (at start-up first): secrets an older notify kept in plain
 * text are sealed, deliveries older than the retention expire, and mails
 * past theirs are forgotten (with members' PDFs, exempt content in them). */
static void s_housekeeping(db_t *db, void *context)
{
    const notify_context_t *ctx = context;
    notify_secret_seal_plain(db, context);
    notify_subscription_expire(db, context);
    int n = notify_store_mail_forget(db, ctx->mail_retention_days);
    if (n < 0)
        log_warn("could not forget old mails: %s", db_error(db));
    else if (n > 0)
        log_info("forgot %d mails and attachments past their use", n);
}

int main(int argc, char **argv)
{
    /* the aggregates webhook bodies carry, for their JSON */
    static const ProtobufCMessageDescriptor *const aggregates[] = {
        &samhand__v1__organization__descriptor,
        &samhand__v1__person__descriptor,
        &samhand__v1__committee__descriptor,
        &samhand__v1__membership__descriptor,
        &samhand__v1__meeting__descriptor,
        &samhand__v1__case_document__descriptor,
        &samhand__v1__proposal__descriptor,
        &samhand__v1__action__descriptor,
        &samhand__v1__emergency__descriptor,
        &samhand__v1__absence__descriptor,
        &samhand__v1__disqualification__descriptor,
        &samhand__v1__deviation_report__descriptor,
        &samhand__v1__joint_analysis__descriptor,
        &samhand__v1__api_key__descriptor,
        &samhand__v1__subscription__descriptor,
        &samhand__v1__subscription_heartbeat__descriptor,
        &samhand__v1__cloud_event__descriptor};
    for (size_t i = 0; i < sizeof aggregates / sizeof aggregates[0]; i++)
        transcode_register(aggregates[i]);
    static notify_context_t context;
    static const char *const reminder_days[] = {"working-days", "every-day", "never", NULL};
    const config_var_t config[] = {
        {"SAMHAND_WEBHOOK_RETRY_BASE_MS", CONFIG_INT, "5000",
         "delay before the first retry of a webhook; later ones grow to about a day", 10, 3600000,
         NULL, &context.retry_base_ms, NULL},
        {"SAMHAND_WEBHOOK_MAX_ATTEMPTS", CONFIG_INT, "11",
         "attempts before a delivery (webhook or mail) becomes a dead letter", 1, 100, NULL,
         &context.max_attempts, NULL},
        {"SAMHAND_WEBHOOK_ALLOW_LOOPBACK", CONFIG_INT, "0",
         "1: webhooks may go to this machine (loopback and its interfaces' addresses), for tests "
         "and a developer's receiver; link-local addresses are never called",
         0, 1, NULL, &context.allow_loopback, NULL},
        {"SAMHAND_WEBHOOK_RETENTION_DAYS", CONFIG_INT, "30",
         "days a delivery waits (paused, switched off, failing) before it expires as a dead "
         "letter",
         1, 3650, NULL, &context.retention_days, NULL},
        {"SAMHAND_MAIL_RETENTION_DAYS", CONFIG_INT, "30",
         "days a mail sent (or given up) is kept, for the operators, before it is deleted with "
         "what it said; the PDFs attached to mails go as soon as each mail that carries them is "
         "sent",
         1, 3650, NULL, &context.mail_retention_days, NULL},
        {"SAMHAND_SECRET_KEY", CONFIG_STRING, NULL,
         "32 bytes (64 hex digits or base64) that seal webhook secrets in the database "
         "(AES-256-GCM); required, and the same for every replica and restart",
         0, 0, &context.secret_key_text, NULL, NULL},
        {"SAMHAND_SMTP_URL", CONFIG_STRING, "",
         "mail server, e.g. smtp://mail.example.no:25 or smtps://…; empty: no e-mail", 0, 0,
         &context.smtp_url, NULL, NULL},
        {"SAMHAND_MAIL_FROM", CONFIG_STRING, "samhand@localhost", "the sender of every mail", 0, 0,
         &context.mail_from, NULL, NULL},
        {"SAMHAND_WEB_URL", CONFIG_STRING, "http://127.0.0.1:8080",
         "where people open the pages, for the links in mails (a deputy's call-up)", 0, 0,
         &context.web_url, NULL, NULL},
        {"SAMHAND_REMINDER_ON", CONFIG_CHOICE, "working-days",
         "days a reminder digest goes out: working-days, every-day or never", 0, 0,
         &context.reminder_on, NULL, reminder_days},
        {"SAMHAND_REMINDER_HOUR", CONFIG_INT, "7",
         "hour (Oslo time) from which the day's reminder digests go out", 0, 23, NULL,
         &context.reminder_hour, NULL},
        {"SAMHAND_REMINDER_DAYS", CONFIG_INT, "2",
         "working days ahead a due date is reminded of (overdue ones every day)", 0, 30, NULL,
         &context.reminder_days, NULL},
    };
    static const service_consumer_t consumers[] = {
        {"agenda", "tcp://127.0.0.1:7101", NULL, notify_inbox_apply_run},
        {"deviation", "tcp://127.0.0.1:7102", NULL, notify_inbox_apply_run}};
    /* notices and minutes are rendered by agenda, at the ROUTER notify
     * follows it on (SAMHAND_AGENDA_ENDPOINT, validated with the rest) */
    /* the secret key's form, which the configuration table cannot check;
     * without one, the table refuses the start and says so */
    const char *secret_key = getenv("SAMHAND_SECRET_KEY");
    bool help = false;
    for (int i = 1; i < argc; i++)
        help = help || strcmp(argv[i], "--help") == 0;
    if (!help && secret_key && *secret_key &&
        notify_secret_key_parse(secret_key, context.secret_key) != 0) {
        fprintf(stderr, "%s: SAMHAND_SECRET_KEY must be 32 bytes as 64 hex digits or as base64\n",
                argv[0]);
        return 2;
    }
    const char *agenda = getenv("SAMHAND_AGENDA_ENDPOINT");
    context.agenda_endpoint = agenda && *agenda ? agenda : consumers[0].default_endpoint;
    const service_def_t def = {
        .name = "notify",
        .summary = "samhand notify service: event stream, webhooks, e-mail, pull feed.",
        .default_endpoint = "tcp://127.0.0.1:7103",
        .endpoint_variable = "SAMHAND_NOTIFY_ENDPOINT",
        .migrations = notify_migrations,
        .n_migrations = notify_migrations_count,
        .routes = notify_routes,
        .n_routes = notify_routes_count,
        .consumers = consumers,
        .n_consumers = 2,
        .config = config,
        .n_config = sizeof config / sizeof config[0],
        .context = &context,
        .start = notify_delivery_start,
        .stop = notify_delivery_stop,
        /* at start-up first: secrets an older notify kept in plain text */
        .housekeeping = s_housekeeping,
        .queues = notify_store_queues,
        .n_queues = notify_store_queues_count,
        .gauges = notify_store_gauges,
        .n_gauges = notify_store_gauges_count,
    };
    return service_main(&def, argc, argv);
}
