/* Shared main() of the services; see samhand_service.h. */
#include "samhand_service.h"
#include "samhand_config.h"
#include "samhand_log.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define IDEMPOTENCY_HOURS 24

int service_main(const service_def_t *def, int argc, char **argv)
{
    const char *database_url = NULL, *endpoint = NULL, *log_level = NULL;
    long workers = 0, housekeeping_s = 60;
    const config_var_t common[] = {
        {"SAMHAND_DATABASE_URL", CONFIG_STRING, NULL,
         "PostgreSQL connection URI, e.g. postgresql://samhand@127.0.0.1:5432/samhand", 0, 0,
         &database_url, NULL, NULL},
        {def->endpoint_variable, CONFIG_ENDPOINT, def->default_endpoint,
         "ZeroMQ endpoint(s) the ROUTER binds, comma separated", 0, 0, &endpoint, NULL, NULL},
        {"SAMHAND_WORKERS", CONFIG_INT, "4",
         "worker threads, each with its own database connection", 1, 256, NULL, &workers, NULL},
        {"SAMHAND_HOUSEKEEPING_SECONDS", CONFIG_INT, "60",
         "seconds between runs of scheduled work (deadline alerts, pruning)", 1, 3600, NULL,
         &housekeeping_s, NULL},
        {"SAMHAND_LOG_LEVEL", CONFIG_CHOICE, "info", "debug, info, warn or error", 0, 0, &log_level,
         NULL, config_log_levels},
    };
    /* the common settings, then the service's own */
    size_t n_common = sizeof common / sizeof common[0];
    config_var_t *vars = calloc(n_common + def->n_config, sizeof *vars);
    assert(vars);
    memcpy(vars, common, sizeof common);
    if (def->n_config)
        memcpy(vars + n_common, def->config, def->n_config * sizeof *vars);
    int rc = config_load(vars, n_common + def->n_config, argc, argv, def->summary);
    free(vars);
    if (rc != 0)
        return rc > 0 ? 0 : 2;
    log_level_t level;
    log_level_parse(log_level, &level); /* validated by config_load */
    log_init(def->name);
    log_set_level(level);
    zsys_init();
    zsys_set_logstream(NULL);

    db_t *db = db_new(database_url, def->name, 30000);
    if (!db)
        return 1;
    int version = db_migrate(db, def->migrations, def->n_migrations);
    if (version < 0) {
        db_destroy(&db);
        return 1;
    }
    log_info("schema %s at version %d", def->name, version);

    bus_server_config_t config = {
        .name = def->name,
        .version = SAMHAND_VERSION,
        .endpoints = endpoint,
        .database_url = database_url,
        .routes = def->routes,
        .n_routes = def->n_routes,
        .workers = (int)workers,
        .service = def->context,
    };
    bus_server_t *server = bus_server_new(&config);
    if (!server) {
        db_destroy(&db);
        return 1;
    }
    bus_server_start(server);

    /* zsys installs SIGINT/SIGTERM handlers that set zsys_interrupted.
     * Meanwhile this thread does the housekeeping: idempotency keys are
     * kept for IDEMPOTENCY_HOURS. */
    int64_t next_prune = 0, next_housekeeping = 0;
    while (!zsys_interrupted) {
        if (def->housekeeping && zclock_mono() >= next_housekeeping) {
            def->housekeeping(db, def->context);
            next_housekeeping = zclock_mono() + housekeeping_s * 1000;
        }
        if (zclock_mono() >= next_prune) {
            int pruned = db_idempotency_prune(db, IDEMPOTENCY_HOURS);
            if (pruned > 0)
                log_info("forgot %d idempotency keys older than %d hours", pruned,
                         IDEMPOTENCY_HOURS);
            next_prune = zclock_mono() + 3600 * 1000;
        }
        zclock_sleep(100);
    }
    log_info("stopping");
    bus_server_destroy(&server);
    db_destroy(&db);
    return 0;
}
