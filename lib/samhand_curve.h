/* CurveZMQ on the bus and on the event streams: the services' ROUTER and
 * PUB sockets are CURVE servers with the partnership's server key, and
 * accept only clients holding its client key (checked by czmq's zauth);
 * the gateway's and the services' DEALER and SUB sockets are CURVE
 * clients. On when the keys are configured (`./samhand up` makes them):
 *   SAMHAND_CURVE_SERVER_PUBLIC, SAMHAND_CURVE_SERVER_SECRET (services)
 *   SAMHAND_CURVE_CLIENT_PUBLIC, SAMHAND_CURVE_CLIENT_SECRET (all)
 * as Z85 text (40 characters). Without them a process refuses to start,
 * unless SAMHAND_BUS_PLAIN=1 asks for a plain bus (it says so in its log). */
#ifndef SAMHAND_CURVE_H
#define SAMHAND_CURVE_H

#include <czmq.h>
#include <stdbool.h>
#include <stddef.h>

/* Reads and checks the keys (once per process). 0, or -1 with `error`
 * naming the variable that is wrong. `server`: this process serves (its
 * secret server key is needed). */
int curve_init(bool server, char *error, size_t error_size);

bool curve_on(void);

/* Before bind: a CURVE server socket that only the client key opens. */
void curve_server(zsock_t *socket);

/* Before connect: a CURVE client of the servers. */
void curve_client(zsock_t *socket);

/* The authenticator of a serving process (NULL when plain): it reads the
 * allowed client key from a directory of its own, kept until
 * curve_auth_stop. */
zactor_t *curve_auth_start(void);
void curve_auth_stop(zactor_t **auth_p);

/* A new key pair as Z85 text, for `./samhand up`. 0 or -1. */
int curve_keypair(char public_txt[41], char secret_txt[41]);

#endif
