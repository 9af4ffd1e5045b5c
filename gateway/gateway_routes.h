/* The gateway's one route table: HTTP method and path to service, bus
 * method, request and response types, success status and who may call. */
#ifndef GATEWAY_ROUTES_H
#define GATEWAY_ROUTES_H

#include <protobuf-c/protobuf-c.h>
#include <stdbool.h>
#include <stddef.h>

typedef enum {
    GATEWAY_ACCESS_PUBLIC,        /* anyone, no token */
    GATEWAY_ACCESS_AUTHENTICATED, /* any valid credential */
} gateway_access_t;

typedef struct {
    const char *method;  /* "GET", "POST", "PATCH" */
    const char *path;    /* "/v1/committees/{committeeId}/memberships" */
    const char *service; /* "agenda" */
    const char *rpc;     /* "agenda.ListMemberships" */
    const ProtobufCMessageDescriptor *request;
    const ProtobufCMessageDescriptor *response;
    int success_status; /* 200, 201 */
    gateway_access_t access;
    const char *tag;     /* OpenAPI grouping */
    const char *summary; /* one line for OpenAPI */
} gateway_route_t;

extern const gateway_route_t gateway_routes[];
extern const size_t gateway_routes_count;

#define GATEWAY_MAX_PATH_PARAMS 4

typedef struct {
    char name[32];   /* the {name} of the template, a JSON field name */
    char value[128]; /* percent-decoded segment */
} gateway_path_param_t;

typedef struct {
    size_t n;
    gateway_path_param_t params[GATEWAY_MAX_PATH_PARAMS];
} gateway_path_params_t;

/* The route's label in metrics and the access log, "POST /v1/meetings":
 * made once per route, on first use, and kept for the process. */
const char *gateway_route_label(const gateway_route_t *route);

/* Whether the route's request carries files (a bytes field), so that its
 * body may be as large as SAMHAND_MAX_UPLOAD_BYTES. */
bool gateway_route_takes_files(const gateway_route_t *route);

/* Whether the route's updates keep a version, so that If-Match can guard
 * them against lost updates (412). */
bool gateway_route_versioned(const gateway_route_t *route);

/* Whether a versioned route refuses an update without If-Match (428). */
bool gateway_route_requires_if_match(const gateway_route_t *route);

/* The route for `method` and `path` (no query string), or NULL. When the
 * path matches some route but not with this method, *path_known is set and
 * `allow` receives the methods that do match ("GET, POST"). */
const gateway_route_t *gateway_route_match(const char *method, const char *path, size_t path_len,
                                           gateway_path_params_t *params, int *path_known,
                                           char *allow, size_t allow_size);

#endif
