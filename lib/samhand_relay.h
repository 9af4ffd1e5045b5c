/* The outbox relay and the event consumer.
 *
 * Relay: one per service process. The replica holding the relay lock takes
 * committed outbox rows in order, gives each the next number of the
 * service's stream (published_seq) and publishes it on the service's PUB
 * socket as [type][packed Event]. Any replica answers "<service>.Events"
 * (catch-up after a sequence number) from the outbox.
 *
 * Consumer: follows another service's stream: SUB on its PUB endpoints,
 * and catch-up over its ROUTER when it sees a gap, when it starts, and a
 * second after the last message in case one was lost. Each event is
 * applied in one transaction with the consumer's offset, so it is applied
 * exactly once. An event that fails to apply holds those after it: it is
 * tried again each second, or, refused by the database, ever less often
 * (to 30 s), and meanwhile what the source publishes is only counted; the
 * consumer's metrics say it is stuck, since when, and how far behind.
 *
 * Both are fibers of the calling thread's loop (samhand_fiber.h) and
 * borrow the connections of the service's bus server; idle, they sleep
 * until a commit or a message wakes them. */
#ifndef SAMHAND_RELAY_H
#define SAMHAND_RELAY_H

#include "samhand/v1/event.pb-c.h"
#include "samhand_bus.h"

typedef struct relay relay_t;

/* Starts the relay of `schema` on this thread's loop; `pub_endpoints` may
 * be "" (no PUB socket: consumers catch up over the ROUTER). NULL on
 * failure. */
relay_t *relay_new(bus_server_t *server, const char *schema, const char *pub_endpoints);
/* Asks its fiber to end; relay_destroy once the loop has run out. */
void relay_stop(relay_t *relay);
void relay_destroy(relay_t **relay_p);

/* The built-in "<service>.Events" handler. */
int relay_handle_events(bus_call_t *call);

/* Deletes published events older than `retention_hours`; how many, or -1. */
int relay_prune(db_t *db, int retention_hours);

typedef struct consumer consumer_t;

/* Applies one event inside the consumer's transaction; 0, or -1 to stop and
 * retry it later. */
typedef int (*consumer_apply_fn)(db_t *db, const Samhand__V1__Event *event, void *arg);
/* Applies a run of consecutive new events (n >= 1, in their order) inside
 * the consumer's transaction, in a few statements for the whole run rather
 * than some for each: a follower's statements an event are much of what a
 * write costs the database. 0, or -1 to have them applied one by one (each
 * as a run of one), so those before a failing one are kept. */
typedef int (*consumer_apply_run_fn)(db_t *db, Samhand__V1__Event *const *events, size_t n,
                                     void *arg);

/* Follows `source` ("agenda"): its PUB endpoints (may be "") and ROUTER
 * endpoints for catch-up; applies events in `schema` on the server's
 * connections, by `apply_run` when it is given, else by `apply` one after
 * the other. */
consumer_t *consumer_new(bus_server_t *server, const char *source, const char *pub_endpoints,
                         const char *router_endpoints, const char *schema, consumer_apply_fn apply,
                         consumer_apply_run_fn apply_run, void *arg);
/* Asks its fiber to end; consumer_destroy once the loop has run out. */
void consumer_stop(consumer_t *consumer);
void consumer_destroy(consumer_t **consumer_p);

#endif
