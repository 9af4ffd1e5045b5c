/* RFC 9457 problem details and the one table from bus status to HTTP. */
#ifndef GATEWAY_PROBLEM_H
#define GATEWAY_PROBLEM_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "samhand_bus.h"

/* The HTTP status of a bus status code. */
int gateway_problem_http_status(bus_code_t code);

/* The reason phrase of an HTTP status ("Not Found"). */
const char *gateway_problem_reason(int http_status);

/* A problem+json body (new reference). `field` is a proto or JSON field
 * path, given in the JSON spelling in `errors[0].field`; NULL for none. */
json_t *gateway_problem_new(int http_status, const char *detail, const char *field,
                            const char *request_id);

/* Sets the problem's `errors` to every field error of a reply (JSON
 * names, as gateway_problem_new gives one), and with more than one its
 * detail to how many. */
void gateway_problem_set_errors(json_t *problem, Samhand__V1__FieldError *const *errors, size_t n);

/* Whether an Accept-Language value (`len` bytes, not NUL-terminated; NULL
 * for none) puts Norwegian first (nb, no or nn): problem details are then
 * in bokmål. The one place that decides the language of a problem. */
bool gateway_problem_wants_bokmal(const char *accept_language, size_t len);

/* The problem in Norwegian bokmål, in place, for a caller who asked for it
 * (Accept-Language: nb): its title, detail and each error's detail; a
 * message without a translation becomes a plain sentence for its status
 * naming the field at fault, never the English. Field names stay as they
 * are. */
void gateway_problem_in_bokmal(json_t *problem);

#endif
