/* samhand-deviation: deviation reports, workflow, deadlines, statistics. */
#include "deviation_server.h"
#include "samhand_service.h"

int main(int argc, char **argv)
{
    static deviation_context_t context;
    const config_var_t config[] = {
        {"SAMHAND_DEVIATION_ACKNOWLEDGE_DAYS", CONFIG_INT, "5",
         "working days the receiver has to acknowledge a report, in the partnership's first "
         "settings version (later ones are set through /v1/settings)",
         1, 60, NULL, &context.acknowledge_days, NULL},
        {"SAMHAND_DEVIATION_ANSWER_DAYS", CONFIG_INT, "20",
         "working days the receiver has to answer a report, in the first settings version", 1, 250,
         NULL, &context.answer_days, NULL},
        {"SAMHAND_REMINDER_DAYS", CONFIG_INT, "2",
         "working days ahead a due date is reminded of, in the first settings version (as "
         "notify reads it)",
         0, 30, NULL, &context.reminder_days, NULL},
    };
    static const service_consumer_t consumers[] = {
        {"agenda", "tcp://127.0.0.1:7101", NULL, deviation_directory_apply_run}};
    const service_def_t def = {
        .name = "deviation",
        .summary = "samhand deviation service: deviation reports, workflow, deadlines, statistics.",
        .default_endpoint = "tcp://127.0.0.1:7102",
        .endpoint_variable = "SAMHAND_DEVIATION_ENDPOINT",
        .migrations = deviation_migrations,
        .n_migrations = deviation_migrations_count,
        .routes = deviation_routes,
        .n_routes = deviation_routes_count,
        .config = config,
        .n_config = sizeof config / sizeof config[0],
        .context = &context,
        .housekeeping = deviation_scheduler_run,
        .consumers = consumers,
        .n_consumers = 1,
    };
    return service_main(&def, argc, argv);
}
