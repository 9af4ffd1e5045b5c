/* The messages one process of samhand reads from another, in one order,
 * for fuzz_protobuf and for the seeds fuzz_seeds writes for it: the
 * Envelope, the Event, the requests and replies of the route table and the
 * requests of every service's dispatch table. */
#ifndef FUZZ_KNOWN_H
#define FUZZ_KNOWN_H

#include "agenda_server.h"
#include "deviation_server.h"
#include "gateway_routes.h"
#include "samhand_transcode.h"
#include "notify_server.h"
#include "samhand/v1/envelope.pb-c.h"
#include "samhand/v1/event.pb-c.h"

#include <string.h>

#define KNOWN_MAX 512

static const ProtobufCMessageDescriptor *fuzz_known[KNOWN_MAX];
static size_t fuzz_n_known;

static inline void fuzz_know(const ProtobufCMessageDescriptor *desc)
{
    for (size_t i = 0; i < fuzz_n_known; i++)
        if (fuzz_known[i] == desc)
            return;
    if (fuzz_n_known < KNOWN_MAX)
        fuzz_known[fuzz_n_known++] = desc;
    transcode_register(desc);
}

static inline const ProtobufCMessageDescriptor *fuzz_known_by_name(const char *name)
{
    for (size_t i = 0; i < fuzz_n_known; i++)
        if (strcmp(fuzz_known[i]->name, name) == 0)
            return fuzz_known[i];
    return NULL;
}

/* A service's dispatch table: the request type of every method. */
static inline const ProtobufCMessageDescriptor *fuzz_service_request(const char *method)
{
    const struct {
        const bus_route_t *routes;
        size_t n;
    } services[] = {{agenda_routes, agenda_routes_count},
                    {deviation_routes, deviation_routes_count},
                    {notify_routes, notify_routes_count}};
    for (size_t s = 0; s < sizeof services / sizeof services[0]; s++)
        for (size_t i = 0; i < services[s].n; i++)
            if (strcmp(services[s].routes[i].method, method) == 0)
                return services[s].routes[i].request;
    return NULL;
}

static inline void fuzz_known_init(void)
{
    fuzz_know(&samhand__v1__envelope__descriptor);
    fuzz_know(&samhand__v1__event__descriptor);
    for (size_t i = 0; i < gateway_routes_count; i++) {
        fuzz_know(gateway_routes[i].request);
        fuzz_know(gateway_routes[i].response);
    }
    for (size_t i = 0; i < agenda_routes_count; i++)
        fuzz_know(agenda_routes[i].request);
    for (size_t i = 0; i < deviation_routes_count; i++)
        fuzz_know(deviation_routes[i].request);
    for (size_t i = 0; i < notify_routes_count; i++)
        fuzz_know(notify_routes[i].request);
}

#endif
