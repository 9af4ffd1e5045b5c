/* Dispatch table of the notify service: bus method to handler. */
#include "notify_server.h"

/* A zero-length array is not C11; one sentinel row that no client can name. */
const bus_route_t notify_routes[] = {{"", NULL, NULL}};
const size_t notify_routes_count = 0;
