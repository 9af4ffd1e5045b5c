/* Dispatch table of the notify service: bus method to handler. */
#include "notify_server.h"

const bus_route_t notify_routes[] = {
    {"notify.ListEvents", &samhand__v1__list_events_request__descriptor, notify_feed_list},
    {"notify.CreateSubscription", &samhand__v1__create_subscription_request__descriptor,
     notify_subscription_create},
    {"notify.GetSubscription", &samhand__v1__get_subscription_request__descriptor,
     notify_subscription_get},
    {"notify.ListSubscriptions", &samhand__v1__list_subscriptions_request__descriptor,
     notify_subscription_list},
    {"notify.UpdateSubscription", &samhand__v1__update_subscription_request__descriptor,
     notify_subscription_update},
    {"notify.DeleteSubscription", &samhand__v1__get_subscription_request__descriptor,
     notify_subscription_delete},
    {"notify.ListDeliveries", &samhand__v1__list_deliveries_request__descriptor,
     notify_deliveries_list},
    {"notify.Replay", &samhand__v1__replay_request__descriptor, notify_replay},
    {"notify.ListSubscriptionEvents", &samhand__v1__list_subscription_events_request__descriptor,
     notify_subscription_events},
};
const size_t notify_routes_count = sizeof notify_routes / sizeof notify_routes[0];
