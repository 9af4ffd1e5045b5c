/* The deviation service's route table. Only the built-in deviation.Health answers in
 * the walking skeleton; the aggregates arrive with their issues. */
#ifndef DEVIATION_SERVER_H
#define DEVIATION_SERVER_H

#include "samhand_bus.h"

extern const bus_route_t deviation_routes[];
extern const size_t deviation_routes_count;
extern const db_migration_t deviation_migrations[];
extern const size_t deviation_migrations_count;

#endif
