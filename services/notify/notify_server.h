/* The notify service's route table. Only the built-in notify.Health answers in
 * the walking skeleton; the aggregates arrive with their issues. */
#ifndef NOTIFY_SERVER_H
#define NOTIFY_SERVER_H

#include "samhand_bus.h"

extern const bus_route_t notify_routes[];
extern const size_t notify_routes_count;
extern const db_migration_t notify_migrations[];
extern const size_t notify_migrations_count;

#endif
