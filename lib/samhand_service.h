/* The life of a service process: configuration, migrations, the bus server,
 * and waiting for SIGINT/SIGTERM. Every service's main() is one call. */
#ifndef SAMHAND_SERVICE_H
#define SAMHAND_SERVICE_H

#include "samhand_bus.h"
#include "samhand_config.h"
#include "samhand_relay.h"

/* Another service's event stream this one follows. */
typedef struct {
    const char *source;           /* "agenda" */
    const char *default_endpoint; /* its ROUTER unless SAMHAND_<SOURCE>_ENDPOINT says */
    /* one event, or (when set) a run of them at once; each gets the
     * service's context as its argument */
    consumer_apply_fn apply;
    consumer_apply_run_fn apply_run;
} service_consumer_t;

typedef struct {
    const char *name;             /* "agenda": schema, log name, method prefix */
    const char *summary;          /* one line for --help */
    const char *default_endpoint; /* e.g. "tcp://127.0.0.1:7101" */
    const char *endpoint_variable;
    const db_migration_t *migrations;
    size_t n_migrations;
    const bus_route_t *routes;
    size_t n_routes;
    /* the service's own settings, after the common ones */
    const config_var_t *config;
    size_t n_config;
    /* handed to every handler as call->service */
    void *context;
    /* run about once a minute on a connection of its own (scheduled work);
     * NULL for none */
    void (*housekeeping)(db_t *db, void *context);
    const service_consumer_t *consumers;
    size_t n_consumers;
    /* work of the service's own on its loop (webhook delivery, say):
     * `start` spawns its fibers once the server serves (`database_url` for
     * a connection of their own), `stop` asks them to end at SIGINT or
     * SIGTERM (they finish before service_main returns); NULL for none */
    void (*start)(bus_server_t *server, const char *database_url, void *context);
    void (*stop)(void *context);
    /* queues operators watch, besides the outbox */
    const bus_queue_t *queues;
    size_t n_queues;
    /* gauges read at each scrape (per subscription, say); NULL for none */
    const bus_gauge_t *gauges;
    size_t n_gauges;
} service_def_t;

/* Runs the service until a signal; returns the process exit code. */
int service_main(const service_def_t *def, int argc, char **argv);

#endif
