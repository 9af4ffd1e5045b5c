/* Dispatch table of the deviation service: bus method to handler. */
#include "deviation_server.h"

/* A zero-length array is not C11; one sentinel row that no client can name. */
const bus_route_t deviation_routes[] = {{"", NULL, NULL}};
const size_t deviation_routes_count = 0;
