/* samhand-agenda: the directory, committees, meetings and actions. */
#include "agenda_server.h"
#include "samhand_service.h"

int main(int argc, char **argv)
{
    /* a disputed deviation report becomes a proposal to the committee */
    static const service_consumer_t consumers[] = {
        {"deviation", "tcp://127.0.0.1:7102", agenda_dispute_apply, NULL}};
    const service_def_t def = {
        .name = "agenda",
        .summary = "samhand agenda service: directory, committees, meetings, actions.",
        .default_endpoint = "tcp://127.0.0.1:7101",
        .endpoint_variable = "SAMHAND_AGENDA_ENDPOINT",
        .migrations = agenda_migrations,
        .n_migrations = agenda_migrations_count,
        .routes = agenda_routes,
        .n_routes = agenda_routes_count,
        .consumers = consumers,
        .n_consumers = 1,
    };
    return service_main(&def, argc, argv);
}
