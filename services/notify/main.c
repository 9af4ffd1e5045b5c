/* samhand-notify: event stream, webhooks, e-mail, pull feed. */
#include "notify_server.h"
#include "notify_store.h"
#include "samhand_service.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "samhand_transcode.h"
#include "samhand/v1/agenda.pb-c.h"
#include "samhand/v1/deviation.pb-c.h"

/* Every minute (at start-up first): secrets an older notify kept in plain
 * text are sealed, and deliveries older than the retention expire. */
static void s_housekeeping(db_t *db, void *context)
{
    notify_secret_seal_plain(db, context);
    notify_subscription_expire(db, context);
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
        &samhand__v1__deviation_report__descriptor,
        &samhand__v1__api_key__descriptor,
        &samhand__v1__subscription__descriptor,
        &samhand__v1__subscription_heartbeat__descriptor,
        &samhand__v1__cloud_event__descriptor};
    for (size_t i = 0; i < sizeof aggregates / sizeof aggregates[0]; i++)
        transcode_register(aggregates[i]);
    static notify_context_t context;
    /* webhook deliveries waiting (age: since the event came in), dead
     * letters, and the inbox's lag behind each followed stream is in its
     * consumers' offsets. How long a delivery waits is its receiver's
     * doing (an endpoint down, slow or answering 500): those queues are
     * shown, per subscription too, but never make notify unready; what
     * is notify's own is a delivery due to an endpoint that is not failing
     * and taken up by no sender (age: since it fell due) */
    const bus_queue_t queues[] = {
        {"webhooks",
         "SELECT count(*), coalesce(extract(epoch FROM now() - min(e.received_at)), "
         "0) FROM deliveries d JOIN events e ON e.seq = d.event_seq JOIN "
         "subscriptions s ON s.id = d.subscription_id WHERE d.state = 'PENDING' AND "
         "s.state = 'ACTIVE'",
         true},
        {"dead_letters", "SELECT count(*), 0 FROM deliveries WHERE state = 'DEAD'", true},
        {"webhooks_due", notify_store_webhooks_due_sql, false},
        {"mail",
         "SELECT count(*), coalesce(extract(epoch FROM now() - min(created_at)), 0) "
         "FROM mails WHERE state = 'PENDING'",
         false},
        {"dead_mail", "SELECT count(*), 0 FROM mails WHERE state = 'DEAD'", false},
    };
    /* each subscription's own health, the worst SUBSCRIPTION_HEALTH_MAX
     * of those switched on (all, when there are few), one series each */
#define SUBSCRIPTION_HEALTH_MAX "100"
#define WORST_SUBSCRIPTIONS                                                                        \
    "(SELECT * FROM subscription_health WHERE state = 'ACTIVE' ORDER BY failing_since NULLS "      \
    "LAST, oldest_pending_age_seconds DESC, id LIMIT " SUBSCRIPTION_HEALTH_MAX ") w"
    static const bus_gauge_t gauges[] = {
        {"samhand_webhook_subscription_failing_since_timestamp_seconds",
         "When a subscription's endpoint began to fail (Unix time), for those failing",
         "subscription",
         "SELECT id, extract(epoch FROM failing_since) FROM " WORST_SUBSCRIPTIONS
         " WHERE failing_since IS NOT NULL ORDER BY id"},
        {"samhand_webhook_subscription_consecutive_failures",
         "Attempts in a row a subscription's endpoint did not take (0: healthy)", "subscription",
         "SELECT id, consecutive_failures FROM " WORST_SUBSCRIPTIONS " ORDER BY id"},
        {"samhand_webhook_subscription_oldest_pending_age_seconds",
         "Age of the oldest delivery a subscription's endpoint has not taken yet (0: none)",
         "subscription",
         "SELECT id, oldest_pending_age_seconds FROM " WORST_SUBSCRIPTIONS " ORDER BY id"},
    };
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
        {"SAMHAND_SECRET_KEY", CONFIG_STRING, NULL,
         "32 bytes (64 hex digits or base64) that seal webhook secrets in the database "
         "(AES-256-GCM); required, and the same for every replica and restart",
         0, 0, &context.secret_key_text, NULL, NULL},
        {"SAMHAND_SMTP_URL", CONFIG_STRING, "",
         "mail server, e.g. smtp://mail.example.no:25 or smtps://…; empty: no e-mail", 0, 0,
         &context.smtp_url, NULL, NULL},
        {"SAMHAND_MAIL_FROM", CONFIG_STRING, "samhand@localhost", "the sender of every mail", 0, 0,
         &context.mail_from, NULL, NULL},
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
        {"agenda", "tcp://127.0.0.1:7101", notify_inbox_apply},
        {"deviation", "tcp://127.0.0.1:7102", notify_inbox_apply}};
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
        .queues = queues,
        .n_queues = sizeof queues / sizeof queues[0],
        .gauges = gauges,
        .n_gauges = sizeof gauges / sizeof gauges[0],
    };
    return service_main(&def, argc, argv);
}
