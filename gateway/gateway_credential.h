/* Who calls, read from a request: an OpenID Connect access token or an API
 * key (gateway_auth, gateway_keys, gateway_oidc), a request with a key or
 * an organisation made a moment ago parked until they are read, the 401
 * of a refused credential and the 429 of the limit per credential. */
#ifndef GATEWAY_CREDENTIAL_H
#define GATEWAY_CREDENTIAL_H

#include "gateway.h"

#include <time.h>

/* Checks an Authorization value of `len` bytes; on success fills
 * `principal` and `identity` with strings borrowed from the key tables or
 * the token's identity (nothing to free). */
gateway_auth_result_t gateway_credential_check_value(gateway_t *gateway, const char *value,
                                                     size_t len, Samhand__V1__Principal *principal,
                                                     gateway_identity_t *identity);

/* The same for the request's Authorization header (MISSING without one). */
gateway_auth_result_t gateway_credential_check(gateway_t *gateway, h2o_req_t *req,
                                               Samhand__V1__Principal *principal,
                                               gateway_identity_t *identity);

/* Whether the request's credential still holds and still names `subject`:
 * what a long response (the event stream) asks again before it writes, so
 * a key revoked or a token expired since it began stops it. */
bool gateway_credential_holds(gateway_t *gateway, h2o_req_t *req, const char *subject);

/* For a request that needs a credential, after gateway_credential_check
 * gave `result`: 0 when it is good; 1 when the request is handled already:
 * parked, to be handled again by `self` once the keys (an API key made a
 * moment ago) or the organisations (a token's, registered a moment ago)
 * are read, or answered 401 and counted under `label`. */
int gateway_credential_refused(gateway_t *gateway, h2o_handler_t *self, h2o_req_t *req,
                               gateway_auth_result_t result, const gateway_identity_t *identity,
                               const char *label, const struct timespec *start,
                               const char *request_id);

/* The limit per credential: 0, or 1 when 429 has been answered and counted
 * under `label`. */
int gateway_credential_limited(gateway_t *gateway, h2o_req_t *req,
                               const Samhand__V1__Principal *principal, const char *label,
                               const struct timespec *start, const char *request_id);

#endif
