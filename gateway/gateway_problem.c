/* Problem details: what went wrong, in which field, for which request. */
#include "gateway_problem.h"

#include <stdbool.h>
#include "samhand_transcode.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

static const struct {
    bus_code_t code;
    int http_status;
} s_status_table[] = {
    {BUS_OK, 200},
    {BUS_INVALID_ARGUMENT, 400},
    {BUS_NOT_FOUND, 404},
    {BUS_ALREADY_EXISTS, 409},
    {BUS_FAILED_PRECONDITION, 409},
    {BUS_PERMISSION_DENIED, 403},
    {BUS_UNAUTHENTICATED, 401},
    {BUS_UNAVAILABLE, 503},
    {BUS_DEADLINE_EXCEEDED, 504},
    {BUS_INTERNAL, 500},
    {BUS_UNIMPLEMENTED, 501},
    {BUS_UNPROCESSABLE, 422},
    {BUS_PRECONDITION_FAILED, 412},
    {BUS_PRECONDITION_REQUIRED, 428},
};

int gateway_problem_http_status(bus_code_t code)
{
    for (size_t i = 0; i < sizeof s_status_table / sizeof s_status_table[0]; i++)
        if (s_status_table[i].code == code)
            return s_status_table[i].http_status;
    return 500;
}

const char *gateway_problem_reason(int http_status)
{
    switch (http_status) {
    case 200:
        return "OK";
    case 201:
        return "Created";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 409:
        return "Conflict";
    case 413:
        return "Content Too Large";
    case 415:
        return "Unsupported Media Type";
    case 422:
        return "Unprocessable Content";
    case 412:
        return "Precondition Failed";
    case 428:
        return "Precondition Required";
    case 429:
        return "Too Many Requests";
    case 500:
        return "Internal Server Error";
    case 501:
        return "Not Implemented";
    case 503:
        return "Service Unavailable";
    case 504:
        return "Gateway Timeout";
    default:
        return "Error";
    }
}

/* "items[2].organization_number" -> "items[2].organizationNumber" */
static void s_json_path(const char *path, char *out, size_t size)
{
    char part[128];
    size_t used = 0;
    out[0] = '\0';
    while (*path && used < size) {
        size_t len = strcspn(path, ".[");
        snprintf(part, sizeof part, "%.*s", (int)len, path);
        char name[128];
        transcode_json_name(part, name, sizeof name);
        used += (size_t)snprintf(out + used, size - used, "%s", name);
        path += len;
        size_t sep = strcspn(path, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_");
        if (used < size)
            used += (size_t)snprintf(out + used, size - used, "%.*s", (int)sep, path);
        path += sep;
    }
}

/* Services name fields as the proto does; a detail that opens with the
 * field's proto name is rewritten to the JSON name the client sent. */
static const char *s_rewrite(const char *detail, const char *field, char *out, size_t size)
{
    if (field && *field && detail) {
        size_t len = strlen(field);
        if (strncmp(detail, field, len) == 0 && (detail[len] == ' ' || detail[len] == '\0')) {
            char path[256];
            s_json_path(field, path, sizeof path);
            snprintf(out, size, "%s%s", path, detail + len);
            return out;
        }
    }
    return detail;
}

void gateway_problem_set_errors(json_t *problem, Samhand__V1__FieldError *const *errors, size_t n)
{
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++) {
        char path[256], rewritten[768];
        s_json_path(errors[i]->field, path, sizeof path);
        const char *detail =
            s_rewrite(errors[i]->message, errors[i]->field, rewritten, sizeof rewritten);
        json_t *error = json_pack("{s:s, s:s}", "field", path, "detail", detail ? detail : "");
        if (error)
            json_array_append_new(list, error);
    }
    json_object_set_new(problem, "errors", list);
    if (n > 1) {
        char detail[128];
        snprintf(detail, sizeof detail, "%zu fields are not valid; see errors", n);
        json_object_set_new(problem, "detail", json_string(detail));
    }
}

json_t *gateway_problem_new(int http_status, const char *detail, const char *field,
                            const char *request_id)
{
    char rewritten[768];
    detail = s_rewrite(detail, field, rewritten, sizeof rewritten);
    /* about:blank: the status says what kind of problem it is (RFC 9457 4.2.1) */
    const char *type = "about:blank";
    json_t *problem = json_pack("{s:s, s:s, s:i, s:s}", "type", type, "title",
                                gateway_problem_reason(http_status), "status", http_status,
                                "detail", detail ? detail : "");
    if (!problem) /* detail was not UTF-8 */
        problem = json_pack("{s:s, s:s, s:i}", "type", type, "title",
                            gateway_problem_reason(http_status), "status", http_status);
    if (request_id)
        json_object_set_new(problem, "requestId", json_string(request_id));
    if (field && *field) {
        char path[256];
        s_json_path(field, path, sizeof path);
        json_t *error = json_pack("{s:s, s:s}", "field", path, "detail", detail ? detail : "");
        if (error)
            json_object_set_new(problem, "errors", json_pack("[o]", error));
    }
    return problem;
}
