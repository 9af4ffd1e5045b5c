/* Dispatch table of the notify service: bus method to handler. */
#include "notify_server.h"

const bus_route_t notify_routes[] = {
    {"notify.ListEvents", &samhand__v1__list_events_request__descriptor, notify_feed_list},
};
const size_t notify_routes_count = sizeof notify_routes / sizeof notify_routes[0];
