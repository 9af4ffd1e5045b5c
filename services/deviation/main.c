/* samhand-deviation: deviation reports, workflow, deadlines, statistics. */
#include "deviation_server.h"
#include "samhand_service.h"

int main(int argc, char **argv)
{
    const service_def_t def = {
        .name = "deviation",
        .summary = "samhand deviation service: deviation reports, workflow, deadlines, statistics.",
        .default_endpoint = "tcp://127.0.0.1:7102",
        .endpoint_variable = "SAMHAND_DEVIATION_ENDPOINT",
        .migrations = deviation_migrations,
        .n_migrations = deviation_migrations_count,
        .routes = deviation_routes,
        .n_routes = deviation_routes_count,
    };
    return service_main(&def, argc, argv);
}
