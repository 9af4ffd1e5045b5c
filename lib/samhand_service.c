/* Shared main() of the services; see samhand_service.h. */
#include "samhand_service.h"
#include "samhand_curve.h"
#include "samhand_config.h"
#include "samhand_fiber.h"
#include "samhand_log.h"

#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#define IDEMPOTENCY_HOURS 24

/* The scheduled work: the service's housekeeping every so many seconds,
 * pruning every hour; a fiber that sleeps until the next is due. */
typedef struct {
    const service_def_t *def;
    bus_server_t *server;
    long housekeeping_s, retention_hours;
    bool stopping;
    fiber_t *fiber;
} s_schedule_t;

static void s_prune(db_t *db, long retention_hours)
{
    int events = relay_prune(db, (int)retention_hours);
    if (events > 0)
        log_info("pruned %d published events older than %ld hours", events, retention_hours);
    int pruned = db_idempotency_prune(db, IDEMPOTENCY_HOURS);
    if (pruned > 0)
        log_info("forgot %d idempotency keys older than %d hours", pruned, IDEMPOTENCY_HOURS);
}

static void s_schedule_fiber(void *arg)
{
    s_schedule_t *schedule = arg;
    const service_def_t *def = schedule->def;
    int64_t next_prune = 0, next_housekeeping = def->housekeeping ? 0 : INT64_MAX;
    while (!schedule->stopping) {
        int64_t now = zclock_mono();
        if (now >= next_housekeeping || now >= next_prune) {
            db_t *db = bus_server_db_take(schedule->server);
            if (db && now >= next_housekeeping) {
                def->housekeeping(db, def->context);
                next_housekeeping = zclock_mono() + schedule->housekeeping_s * 1000;
            }
            if (db && now >= next_prune) {
                s_prune(db, schedule->retention_hours);
                next_prune = zclock_mono() + 3600 * 1000;
            }
            if (db)
                bus_server_db_give_back(schedule->server, db);
            else
                fiber_sleep(1000); /* the database is away: soon again */
            continue;
        }
        int64_t next = next_housekeeping < next_prune ? next_housekeeping : next_prune;
        fiber_poll(NULL, 0, (int)(next - now)); /* a wake ends it early: stopping */
    }
}

/* Waits for SIGINT or SIGTERM, then asks every fiber to end. */
typedef struct {
    int fd;
    bus_server_t *server;
    relay_t *relay;
    consumer_t **consumers;
    size_t n_consumers;
    s_schedule_t *schedule;
    const service_def_t *def;
} s_stop_t;

static void s_stop_fiber(void *arg)
{
    s_stop_t *stop = arg;
    struct signalfd_siginfo info;
    while (read(stop->fd, &info, sizeof info) != (ssize_t)sizeof info)
        fiber_wait(NULL, stop->fd, ZMQ_POLLIN, -1);
    log_info("stopping");
    bus_server_stop(stop->server);
    relay_stop(stop->relay);
    for (size_t i = 0; i < stop->n_consumers; i++)
        consumer_stop(stop->consumers[i]);
    stop->schedule->stopping = true;
    fiber_wake(stop->schedule->fiber);
    if (stop->def->stop)
        stop->def->stop(stop->def->context);
}

/* "tcp://0.0.0.0:7101" or "tcp://<star>:7101" is where a ROUTER binds; a client
 * on the same host connects to 127.0.0.1 instead. Each endpoint of a comma
 * separated list is rewritten; ipc:// stays as it is. */
static void s_connectable(const char *bind, char *out, size_t size)
{
    size_t n = 0;
    out[0] = '\0';
    while (*bind && n + 1 < size) {
        const char *end = strchr(bind, ',');
        size_t len = end ? (size_t)(end - bind) : strlen(bind);
        const char *host = "";
        size_t skip = 0;
        if (len > 8 && strncmp(bind, "tcp://*:", 8) == 0)
            host = "tcp://127.0.0.1:", skip = 8;
        else if (len > 14 && strncmp(bind, "tcp://0.0.0.0:", 14) == 0)
            host = "tcp://127.0.0.1:", skip = 14;
        int w = snprintf(out + n, size - n, "%s%s%.*s", n ? "," : "", host, (int)(len - skip),
                         bind + skip);
        if (w < 0 || (size_t)w >= size - n)
            break;
        n += (size_t)w;
        bind += len + (end ? 1 : 0);
    }
}

/* `<binary> healthcheck`, for a container's health check: asks the running
 * service, on its own ROUTER as configured by the same environment, for its
 * health. 0 when it answers within 3 s with its database reachable, else 1;
 * one line on stdout says which. */
static int s_healthcheck(const service_def_t *def, const char *endpoint)
{
    char error[160], connect[512];
    if (curve_init(false, error, sizeof error) != 0) {
        printf("%s: %s\n", def->name, error);
        return 1;
    }
    s_connectable(endpoint, connect, sizeof connect);
    bus_client_t *client = bus_client_new(connect);
    if (!client) {
        printf("%s: could not connect to %s\n", def->name, connect);
        return 1;
    }
    char method[96];
    snprintf(method, sizeof method, "%s.Health", def->name);
    Samhand__V1__HealthRequest request = SAMHAND__V1__HEALTH_REQUEST__INIT;
    Samhand__V1__Envelope *reply =
        bus_client_call(client, method, (const ProtobufCMessage *)&request, 3000);
    int status = 1;
    if (!reply) {
        printf("%s: no answer on %s within 3 s\n", def->name, connect);
    } else {
        Samhand__V1__HealthResponse *health =
            reply->status && reply->status->code != BUS_OK
                ? NULL
                : samhand__v1__health_response__unpack(NULL, reply->body.len, reply->body.data);
        if (health && health->database_ok) {
            printf("%s: ready (schema version %d)\n", def->name, (int)health->schema_version);
            status = 0;
        } else {
            printf("%s: not ready (database unreachable)\n", def->name);
        }
        if (health)
            samhand__v1__health_response__free_unpacked(health, NULL);
        samhand__v1__envelope__free_unpacked(reply, NULL);
    }
    bus_client_destroy(&client);
    return status;
}

int service_main(const service_def_t *def, int argc, char **argv)
{
    /* `healthcheck` reads the same environment as the service itself */
    bool healthcheck = argc == 2 && strcmp(argv[1], "healthcheck") == 0;
    if (healthcheck)
        argc = 1;
    const char *database_url = NULL, *endpoint = NULL, *log_level = NULL;
    long connections = 0, housekeeping_s = 60, retention_hours = 168;
    const char *events_endpoint = NULL;
    char events_variable[64], upper[32];
    size_t u = 0;
    for (const char *p = def->name; *p && u < sizeof upper - 1; p++)
        upper[u++] = (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
    upper[u] = '\0';
    snprintf(events_variable, sizeof events_variable, "SAMHAND_%s_EVENTS_ENDPOINT", upper);
    const config_var_t common[] = {
        {"SAMHAND_DATABASE_URL", CONFIG_STRING, NULL,
         "PostgreSQL connection URI, e.g. postgresql://samhand@127.0.0.1:5432/samhand", 0, 0,
         &database_url, NULL, NULL},
        {def->endpoint_variable, CONFIG_ENDPOINT, def->default_endpoint,
         "ZeroMQ endpoint(s) the ROUTER binds, comma separated", 0, 0, &endpoint, NULL, NULL},
        {"SAMHAND_DB_CONNECTIONS", CONFIG_INT, "4",
         "database connections the requests share (they run on one thread)", 1, 64, NULL,
         &connections, NULL},
        {events_variable, CONFIG_ENDPOINT, "",
         "ZeroMQ endpoint(s) where this replica publishes its events (PUB); empty: "
         "subscribers catch up over the ROUTER",
         0, 0, &events_endpoint, NULL, NULL},
        {"SAMHAND_OUTBOX_RETENTION_HOURS", CONFIG_INT, "168",
         "hours published events stay for catch-up", 1, 24 * 365, NULL, &retention_hours, NULL},
        {"SAMHAND_HOUSEKEEPING_SECONDS", CONFIG_INT, "60",
         "seconds between runs of scheduled work (deadline alerts, pruning)", 1, 3600, NULL,
         &housekeeping_s, NULL},
        {"SAMHAND_LOG_LEVEL", CONFIG_CHOICE, "info", "debug, info, warn or error", 0, 0, &log_level,
         NULL, config_log_levels},
    };
    /* the common settings, the service's own, then where its sources are */
    size_t n_common = sizeof common / sizeof common[0];
    size_t n_vars = n_common + def->n_config + 2 * def->n_consumers;
    config_var_t *vars = calloc(n_vars, sizeof *vars);
    assert(vars);
    memcpy(vars, common, sizeof common);
    if (def->n_config)
        memcpy(vars + n_common, def->config, def->n_config * sizeof *vars);
    const char *source_pub[4] = {0}, *source_router[4] = {0};
    char source_names[4][2][64];
    assert(def->n_consumers <= 4);
    for (size_t i = 0; i < def->n_consumers; i++) {
        char up[32];
        size_t k = 0;
        for (const char *p = def->consumers[i].source; *p && k < sizeof up - 1; p++)
            up[k++] = (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
        up[k] = '\0';
        snprintf(source_names[i][0], 64, "SAMHAND_%s_EVENTS_ENDPOINT", up);
        snprintf(source_names[i][1], 64, "SAMHAND_%s_ENDPOINT", up);
        vars[n_common + def->n_config + 2 * i] =
            (config_var_t){source_names[i][0],
                           CONFIG_ENDPOINT,
                           "",
                           "where the followed service publishes its events (SUB)",
                           0,
                           0,
                           &source_pub[i],
                           NULL,
                           NULL};
        vars[n_common + def->n_config + 2 * i + 1] =
            (config_var_t){source_names[i][1],
                           CONFIG_ENDPOINT,
                           def->consumers[i].default_endpoint,
                           "the followed service's ROUTER, for catching up",
                           0,
                           0,
                           &source_router[i],
                           NULL,
                           NULL};
    }
    int rc = config_load(vars, n_vars, argc, argv, def->summary);
    free(vars);
    if (rc != 0)
        return rc > 0 ? 0 : 2;
    log_level_t level;
    log_level_parse(log_level, &level); /* validated by config_load */
    log_init(def->name);
    log_set_level(level);
    if (healthcheck) {
        zsys_init();
        zsys_set_logstream(NULL);
        return s_healthcheck(def, endpoint);
    }
    /* SIGINT and SIGTERM come as reads of a signalfd on the loop; blocked
     * here, before any thread starts, so none of them takes the signal */
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, NULL);
    int stop_fd = signalfd(-1, &stop_signals, SFD_NONBLOCK | SFD_CLOEXEC);
    if (stop_fd < 0) {
        log_error("could not make a signalfd: %s", strerror(errno));
        return 1;
    }
    zsys_init();
    zsys_handler_set(NULL);
    zsys_set_logstream(NULL);
    /* from here every way out goes through cleanup: czmq's own shutdown at
     * exit must find no actor alive (it would abort destroying one) */
    int status = 1;
    zactor_t *auth = NULL;
    bus_server_t *server = NULL;
    relay_t *relay = NULL;
    consumer_t *consumers[4] = {0};
    char curve_error[160];
    if (curve_init(true, curve_error, sizeof curve_error) != 0) {
        fprintf(stderr, "%s: %s\n", argv[0], curve_error);
        status = 2;
        goto cleanup;
    }
    auth = curve_auth_start();
    if (curve_on() && !auth)
        goto cleanup;

    db_t *db = db_new(database_url, def->name, 30000);
    if (!db)
        goto cleanup;
    int version = db_migrate(db, def->migrations, def->n_migrations);
    db_destroy(&db);
    if (version < 0)
        goto cleanup;
    log_info("schema %s at version %d", def->name, version);

    bus_server_config_t config = {
        .name = def->name,
        .version = SAMHAND_VERSION,
        .endpoints = endpoint,
        .database_url = database_url,
        .routes = def->routes,
        .n_routes = def->n_routes,
        .connections = (int)connections,
        .service = def->context,
        .queues = def->queues,
        .n_queues = def->n_queues,
        .gauges = def->gauges,
        .n_gauges = def->n_gauges,
    };
    server = bus_server_new(&config);
    if (!server) {
        log_error("not serving, so stopping");
        goto cleanup;
    }
    /* the event endpoint is bound before anything runs, so a replica that
     * cannot have it stops at once, as for its ROUTER */
    relay = relay_new(server, def->name, events_endpoint);
    if (!relay) {
        log_error("not publishing events, so stopping");
        goto cleanup;
    }
    /* this thread's loop runs the requests, the relay, the consumers, the
     * scheduled work and the service's own (webhook delivery), as fibers */
    bus_server_serve(server);
    if (def->n_consumers > 0) /* long-polls wait for what the followers apply */
        bus_server_listen_changes(server);
    if (def->start)
        def->start(server, database_url, def->context);
    for (size_t i = 0; i < def->n_consumers; i++)
        consumers[i] = consumer_new(server, def->consumers[i].source, source_pub[i],
                                    source_router[i], def->name, def->consumers[i].apply,
                                    def->consumers[i].apply_run, def->context);
    s_schedule_t schedule = {def, server, housekeeping_s, retention_hours, false, NULL};
    schedule.fiber = fiber_spawn(s_schedule_fiber, &schedule);
    s_stop_t stop = {stop_fd, server, relay, consumers, def->n_consumers, &schedule, def};
    fiber_spawn(s_stop_fiber, &stop);
    /* what configuration, migrations and the tables' set-up freed goes
     * back to the system instead of staying resident in the heap */
    malloc_trim(0);
    fiber_loop_run();
    status = 0;

cleanup:
    for (size_t i = 0; i < def->n_consumers; i++)
        consumer_destroy(&consumers[i]);
    relay_destroy(&relay);
    bus_server_destroy(&server);
    curve_auth_stop(&auth);
    close(stop_fd);
    return status;
}
