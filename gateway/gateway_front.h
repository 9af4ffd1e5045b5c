/* The front every connection passes before h2o: the client's bytes read
 * as HTTP/1.1 of RFC 9112, strictly (gateway_http1), and handed to h2o over
 * a socket pair only as requests whose framing has one reading. A body
 * too large for its route, or sent without a good credential to a route
 * that needs one, is refused from the request's head, before it is read. */
#ifndef GATEWAY_FRONT_H
#define GATEWAY_FRONT_H

#include "gateway.h"

/* The listener's connection callback (listener->data is the gateway):
 * takes the connection and puts a front between it and h2o. */
void gateway_front_accept(uv_stream_t *listener, int status);

#endif
