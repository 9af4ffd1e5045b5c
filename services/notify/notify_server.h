/* The notify service: its route table, its inbox of every other service's
 * events, and the feed of them. */
#ifndef NOTIFY_SERVER_H
#define NOTIFY_SERVER_H

#include "samhand/v1/event.pb-c.h"
#include "samhand/v1/notify.pb-c.h"
#include "samhand_bus.h"

extern const bus_route_t notify_routes[];
extern const size_t notify_routes_count;
extern const db_migration_t notify_migrations[];
extern const size_t notify_migrations_count;

/* Keeps an event of another service, once by its id. */
int notify_inbox_apply(db_t *db, const Samhand__V1__Event *event, void *context);

/* GET /v1/events: the events the caller may see, after a cursor. */
int notify_feed_list(bus_call_t *call);

#endif
