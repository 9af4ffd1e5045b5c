/* Every route of the table, as h2o hands it over: matched (404, 405),
 * admitted (credential, role, limit), turned into an Envelope from path,
 * query and body, sent over the bridge to its service, and the reply
 * turned into HTTP; a long-poll is asked again until it has items or its
 * wait ends. */
#ifndef GATEWAY_FORWARD_H
#define GATEWAY_FORWARD_H

#include "gateway.h"

#include <time.h>

/* Handles `req` (no page, no operations endpoint) through the route
 * table; `self` handles it again when it is parked for the keys. The
 * answer comes now or when the service replies. */
void gateway_forward(gateway_t *gateway, h2o_handler_t *self, h2o_req_t *req,
                     const struct timespec *start, const char *request_id);

#endif
