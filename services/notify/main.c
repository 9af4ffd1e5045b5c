/* samhand-notify: event stream, webhooks, e-mail, pull feed. */
#include "notify_server.h"
#include "samhand_service.h"

int main(int argc, char **argv)
{
    static const service_consumer_t consumers[] = {{"agenda", notify_inbox_apply},
                                                   {"deviation", notify_inbox_apply}};
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
    };
    return service_main(&def, argc, argv);
}
