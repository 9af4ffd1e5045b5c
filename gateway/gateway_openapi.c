/* The OpenAPI 3.1 document, generated from the route table and the protobuf
 * descriptors so that it can never disagree with what the gateway does. */
#include "gateway_openapi.h"
#include "gateway_policy.h"
#include "gateway_routes.h"
#include "samhand_transcode.h"

#include <stdbool.h>
#include <string.h>

static json_t *s_schema_ref(const char *full_name)
{
    char ref[160];
    const char *short_name = strrchr(full_name, '.') ? strrchr(full_name, '.') + 1 : full_name;
    snprintf(ref, sizeof ref, "#/components/schemas/%s", short_name);
    return json_pack("{s:s}", "$ref", ref);
}

static void s_add_message(json_t *schemas, const ProtobufCMessageDescriptor *desc);

static json_t *s_field_schema(json_t *schemas, const ProtobufCFieldDescriptor *field)
{
    json_t *schema;
    switch (field->type) {
    case PROTOBUF_C_TYPE_INT32:
    case PROTOBUF_C_TYPE_SINT32:
    case PROTOBUF_C_TYPE_SFIXED32:
    case PROTOBUF_C_TYPE_UINT32:
    case PROTOBUF_C_TYPE_FIXED32:
        schema = json_pack("{s:s, s:s}", "type", "integer", "format", "int32");
        break;
    case PROTOBUF_C_TYPE_INT64:
    case PROTOBUF_C_TYPE_SINT64:
    case PROTOBUF_C_TYPE_SFIXED64:
    case PROTOBUF_C_TYPE_UINT64:
    case PROTOBUF_C_TYPE_FIXED64:
        schema = json_pack("{s:s, s:s}", "type", "string", "format", "int64");
        break;
    case PROTOBUF_C_TYPE_FLOAT:
    case PROTOBUF_C_TYPE_DOUBLE:
        schema = json_pack("{s:s}", "type", "number");
        break;
    case PROTOBUF_C_TYPE_BOOL:
        schema = json_pack("{s:s}", "type", "boolean");
        break;
    case PROTOBUF_C_TYPE_STRING:
        schema = json_pack("{s:s}", "type", "string");
        break;
    case PROTOBUF_C_TYPE_BYTES:
        schema = json_pack("{s:s, s:s}", "type", "string", "contentEncoding", "base64");
        break;
    case PROTOBUF_C_TYPE_ENUM: {
        const ProtobufCEnumDescriptor *e = field->descriptor;
        json_t *names = json_array();
        for (unsigned i = 0; i < e->n_values; i++)
            json_array_append_new(names, json_string(e->values[i].name));
        schema = json_pack("{s:s, s:o}", "type", "string", "enum", names);
        break;
    }
    case PROTOBUF_C_TYPE_MESSAGE: {
        const ProtobufCMessageDescriptor *m = field->descriptor;
        if (strcmp(m->name, "samhand.v1.Timestamp") == 0) {
            schema = json_pack("{s:s, s:s}", "type", "string", "format", "date-time");
        } else if (strcmp(m->name, "samhand.v1.Any") == 0) {
            schema = json_pack("{s:s, s:s}", "type", "object", "description",
                               "the aggregate after the change, as its own type's JSON "
                               "(see dataschema)");
        } else {
            s_add_message(schemas, m);
            schema = s_schema_ref(m->name);
        }
        break;
    }
    default:
        schema = json_object();
    }
    if (field->label == PROTOBUF_C_LABEL_REPEATED)
        schema = json_pack("{s:s, s:o}", "type", "array", "items", schema);
    return schema;
}

static bool s_ends_with(const char *text, const char *end)
{
    size_t n = strlen(text), m = strlen(end);
    return n >= m && strcmp(text + n - m, end) == 0;
}

/* An example value of a scalar string field, by what its name says. */
static const char *s_example_text(const char *name)
{
    if (strcmp(name, "id") == 0 || s_ends_with(name, "_id") || s_ends_with(name, "_ids"))
        return "2b5f8c1e-4a7d-4c3b-9e61-0f8d2a7c5b90";
    if (strstr(name, "email"))
        return "postmottak@trondheim.kommune.no";
    if (strcmp(name, "organization_number") == 0)
        return "942110464";
    if (strstr(name, "date") || strcmp(name, "term_from") == 0 || strcmp(name, "term_to") == 0 ||
        strcmp(name, "from") == 0 || strcmp(name, "to") == 0 || strcmp(name, "active_on") == 0)
        return "2026-11-30";
    if (strcmp(name, "url") == 0)
        return "https://fagsystem.trondheim.kommune.no/samhand/hendelser";
    if (strstr(name, "cursor") || strcmp(name, "after") == 0)
        return "42";
    if (strcmp(name, "name") == 0)
        return "Trondheim kommune";
    if (strcmp(name, "title") == 0)
        return "Handlingsplan for helsefellesskapet 2026";
    return "tekst";
}

/* An example of a message, made from its fields: what a client would send
 * or get, consistent with the schema. */
static json_t *s_example(const ProtobufCMessageDescriptor *desc, int depth)
{
    json_t *example = json_object();
    for (unsigned i = 0; depth < 3 && i < desc->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &desc->fields[i];
        if (strcmp(f->name, "update_mask") == 0)
            continue;
        json_t *value;
        switch (f->type) {
        case PROTOBUF_C_TYPE_INT32:
        case PROTOBUF_C_TYPE_SINT32:
        case PROTOBUF_C_TYPE_SFIXED32:
        case PROTOBUF_C_TYPE_UINT32:
        case PROTOBUF_C_TYPE_FIXED32:
            value = json_integer(strcmp(f->name, "limit") == 0 ? 50 : 1);
            break;
        case PROTOBUF_C_TYPE_INT64:
        case PROTOBUF_C_TYPE_SINT64:
        case PROTOBUF_C_TYPE_SFIXED64:
        case PROTOBUF_C_TYPE_UINT64:
        case PROTOBUF_C_TYPE_FIXED64:
            value = json_string("1");
            break;
        case PROTOBUF_C_TYPE_FLOAT:
        case PROTOBUF_C_TYPE_DOUBLE:
            value = json_real(1.5);
            break;
        case PROTOBUF_C_TYPE_BOOL:
            value = json_false();
            break;
        case PROTOBUF_C_TYPE_STRING:
            value = json_string(s_example_text(f->name));
            break;
        case PROTOBUF_C_TYPE_BYTES:
            value = json_string("JVBERi0xLjcK");
            break;
        case PROTOBUF_C_TYPE_ENUM: {
            const ProtobufCEnumDescriptor *e = f->descriptor;
            value = json_string(e->values[e->n_values > 1 ? 1 : 0].name);
            break;
        }
        case PROTOBUF_C_TYPE_MESSAGE: {
            const ProtobufCMessageDescriptor *m = f->descriptor;
            if (strcmp(m->name, "samhand.v1.Timestamp") == 0)
                value = json_string("2026-11-22T10:00:00Z");
            else if (strcmp(m->name, "samhand.v1.Any") == 0)
                value = json_object();
            else
                value = s_example(m, depth + 1);
            break;
        }
        default:
            continue;
        }
        if (f->label == PROTOBUF_C_LABEL_REPEATED)
            value = json_pack("[o]", value);
        char name[128];
        transcode_json_name(f->name, name, sizeof name);
        json_object_set_new(example, name, value);
    }
    return example;
}

static void s_add_message(json_t *schemas, const ProtobufCMessageDescriptor *desc)
{
    if (json_object_get(schemas, desc->short_name))
        return;
    json_t *properties = json_object();
    json_t *schema = json_pack("{s:s, s:o, s:b, s:[o]}", "type", "object", "properties", properties,
                               "additionalProperties", 0, "examples", s_example(desc, 0));
    json_object_set_new(schemas, desc->short_name, schema);
    for (unsigned i = 0; i < desc->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &desc->fields[i];
        if (strcmp(f->name, "update_mask") == 0)
            continue;
        char name[128];
        transcode_json_name(f->name, name, sizeof name);
        json_object_set_new(properties, name, s_field_schema(schemas, f));
    }
}

/* The request schema without the fields that come from the path. */
static json_t *s_body_schema(json_t *schemas, const gateway_route_t *route)
{
    json_t *properties = json_object();
    json_t *example = s_example(route->request, 0);
    for (unsigned i = 0; i < route->request->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &route->request->fields[i];
        char name[128], placeholder[140];
        transcode_json_name(f->name, name, sizeof name);
        snprintf(placeholder, sizeof placeholder, "{%s}", name);
        if (strcmp(f->name, "update_mask") == 0 || strstr(route->path, placeholder)) {
            json_object_del(example, name);
            continue;
        }
        json_object_set_new(properties, name, s_field_schema(schemas, f));
    }
    return json_pack("{s:s, s:o, s:b, s:[o]}", "type", "object", "properties", properties,
                     "additionalProperties", 0, "examples", example);
}

static json_t *s_parameters(json_t *schemas, const gateway_route_t *route, int with_query)
{
    json_t *list = json_array();
    for (unsigned i = 0; i < route->request->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &route->request->fields[i];
        char name[128], placeholder[140];
        transcode_json_name(f->name, name, sizeof name);
        snprintf(placeholder, sizeof placeholder, "{%s}", name);
        int in_path = strstr(route->path, placeholder) != NULL;
        if (f->label == PROTOBUF_C_LABEL_REPEATED || f->type == PROTOBUF_C_TYPE_MESSAGE ||
            (!in_path && !with_query))
            continue;
        json_array_append_new(list, json_pack("{s:s, s:s, s:b, s:o}", "name", name, "in",
                                              in_path ? "path" : "query", "required", in_path,
                                              "schema", s_field_schema(schemas, f)));
    }
    return list;
}

static json_t *s_problem_response(const char *description)
{
    return json_pack("{s:s, s:{s:{s:{s:s}}}}", "description", description, "content",
                     "application/problem+json", "schema", "$ref", "#/components/schemas/Problem");
}

char *gateway_openapi_render(void)
{
    json_t *schemas = json_object();
    json_object_set_new(
        schemas, "Problem",
        json_pack("{s:s, s:s, s:{s:{s:s}, s:{s:s}, s:{s:s}, s:{s:s}, s:{s:s}, s:{s:s, s:{s:s, "
                  "s:{s:{s:s}, s:{s:s}}}}}}",
                  "type", "object", "description", "RFC 9457 problem details", "properties", "type",
                  "type", "string", "title", "type", "string", "status", "type", "integer",
                  "detail", "type", "string", "requestId", "type", "string", "errors", "type",
                  "array", "items", "type", "object", "properties", "field", "type", "string",
                  "detail", "type", "string"));
    json_t *paths = json_object();
    for (size_t i = 0; i < gateway_routes_count; i++) {
        const gateway_route_t *route = &gateway_routes[i];
        json_t *item = json_object_get(paths, route->path);
        if (!item) {
            item = json_object();
            json_object_set_new(paths, route->path, item);
        }
        int has_body = strcmp(route->method, "GET") != 0 && strcmp(route->method, "DELETE") != 0;
        char status[8], lower[16];
        snprintf(status, sizeof status, "%d", route->success_status);
        size_t j = 0;
        for (; route->method[j] && j < sizeof lower - 1; j++)
            lower[j] = (char)(route->method[j] | 0x20);
        lower[j] = '\0';
        const char *media = "application/json";
        json_t *success_schema = s_schema_ref(route->response->name);
        if (strcmp(route->response->name, "samhand.v1.Document") == 0) {
            /* rendered documents: the media type follows the path's suffix */
            const char *dot = strrchr(route->path, '.');
            media = !dot || strchr(dot, '/')   ? "application/octet-stream"
                    : strcmp(dot, ".ics") == 0 ? "text/calendar"
                    : strcmp(dot, ".pdf") == 0 ? "application/pdf"
                                               : "text/html";
            json_decref(success_schema);
            success_schema = json_pack("{s:s}", "type", "string");
        }
        json_t *responses = json_pack(
            "{s:{s:s, s:{s:{s:o}}}, s:o, s:o, s:o, s:o}", status, "description", "success",
            "content", media, "schema", success_schema, "400",
            s_problem_response("invalid request, the field is named"), "404",
            s_problem_response("not found"), "503", s_problem_response("service unreachable"),
            "504", s_problem_response("service did not answer in time"));
        if (route->access != GATEWAY_ACCESS_PUBLIC) {
            json_object_set_new(responses, "401", s_problem_response("no valid credential"));
            json_object_set_new(responses, "403",
                                s_problem_response("the credential's roles may not do this"));
        }
        if (strcmp(route->response->name, "samhand.v1.Document") != 0)
            s_add_message(schemas, route->response);
        json_t *operation =
            json_pack("{s:s, s:[s], s:s, s:o, s:o}", "summary", route->summary, "tags", route->tag,
                      "operationId", route->rpc, "parameters",
                      s_parameters(schemas, route, !has_body), "responses", responses);
        if (gateway_route_versioned(route)) {
            /* a lost update is refused */
            bool required = gateway_route_requires_if_match(route);
            json_array_append_new(
                json_object_get(operation, "parameters"),
                json_pack("{s:s, s:s, s:b, s:s, s:{s:s}}", "name", "If-Match", "in", "header",
                          "required", required, "description",
                          required
                              ? "The ETag of the version read (required: without it 428); "
                                "when it has changed since: 412."
                              : "The ETag of the version read; when it has changed since: 412.",
                          "schema", "type", "string"));
            json_object_set_new(responses, "412",
                                s_problem_response("changed since the version in If-Match"));
            if (required)
                json_object_set_new(responses, "428", s_problem_response("no If-Match"));
        }
        if (strcmp(route->method, "POST") == 0) {
            /* every POST may be repeated safely */
            json_array_append_new(
                json_object_get(operation, "parameters"),
                json_pack("{s:s, s:s, s:b, s:s, s:{s:s, s:i, s:i}}", "name", "Idempotency-Key",
                          "in", "header", "required", 0, "description",
                          "A repeat with the same key and body gets the first answer and is not "
                          "done twice (24 hours); the same key with another body gets 422.",
                          "schema", "type", "string", "minLength", 1, "maxLength", 255));
            json_object_set_new(responses, "422",
                                s_problem_response("the Idempotency-Key was used for another "
                                                   "request"));
        }
        if (has_body)
            json_object_set_new(operation, "requestBody",
                                json_pack("{s:b, s:{s:{s:o}}}", "required", 1, "content",
                                          "application/json", "schema",
                                          s_body_schema(schemas, route)));
        if (route->access == GATEWAY_ACCESS_PUBLIC) {
            json_object_set_new(operation, "security", json_array()); /* no credential */
        } else {
            json_object_set_new(operation, "security", json_pack("[{s:[]}]", "apiKey"));
            /* the authorization table's row, for people and for generators */
            char roles[160], description[512];
            unsigned may = gateway_policy_roles(route->rpc);
            const char *scope = gateway_policy_scope(route->rpc);
            gateway_roles_text(may, roles, sizeof roles);
            snprintf(description, sizeof description, "Roles: %s.%s%s%s", roles,
                     scope ? " On " : "", scope ? scope : "", scope ? "." : "");
            if (scope)
                json_object_set_new(operation, "x-samhand-scope", json_string(scope));
            json_object_set_new(operation, "description", json_string(description));
            json_t *names = json_array();
            for (unsigned bit = 1; bit <= ROLE_ANY; bit <<= 1)
                if (may & bit) {
                    gateway_roles_text(bit, roles, sizeof roles);
                    json_array_append_new(names, json_string(roles));
                }
            json_object_set_new(operation, "x-samhand-roles", names);
        }
        json_object_set_new(item, lower, operation);
    }
    /* the operations endpoints, served by the gateway itself */
    static const struct {
        const char *path, *id, *summary, *type;
        bool credential;
    } ops[] = {
        {"/healthz", "gateway.Health", "The gateway process is up", "application/json", false},
        {"/readyz", "gateway.Ready",
         "Every service answers and its database is reachable (else 503)", "application/json",
         false},
        {"/metrics", "gateway.Metrics", "Prometheus metrics", "text/plain", false},
        {"/openapi.json", "gateway.OpenApi", "This document", "application/json", false},
        {"/v1/sign-in", "gateway.SignIn",
         "How the web pages may sign in: API keys, and an OpenID Connect provider's endpoints "
         "and client id if one is set",
         "application/json", false},
        {"/v1/me", "gateway.Me",
         "Who the credential is: subject, organisation, roles and the operations (operationIds) "
         "they may call",
         "application/json", true},
        {"/v1/events/stream", "notify.StreamEvents",
         "Server-sent events: the feed as it happens, resuming after Last-Event-ID",
         "text/event-stream", true},
    };
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        json_t *get =
            json_pack("{s:s, s:s, s:[s], s:{s:{s:s, s:{s:{}}}, s:o}}", "operationId", ops[i].id,
                      "summary", ops[i].summary, "tags", "operations", "responses", "200",
                      "description", "success", "content", ops[i].type, "4XX",
                      s_problem_response(ops[i].credential ? "no valid credential, or a bad cursor"
                                                           : "not a request this endpoint takes"));
        json_object_set_new(get, "security",
                            ops[i].credential ? json_pack("[{s:[]}]", "apiKey") : json_array());
        json_object_set_new(paths, ops[i].path, json_pack("{s:o}", "get", get));
    }
    json_t *doc = json_pack(
        "{s:s, s:{s:s, s:s, s:s}, s:[{s:s}], s:o, s:{s:o, s:{s:{s:s, s:s}}}}", "openapi", "3.1.0",
        "info", "title", "samhand API", "version", SAMHAND_VERSION, "description",
        "The cooperation platform of a Norwegian health partnership: directory, committees, "
        "meetings, deviations, events.",
        "servers", "url", "/", "paths", paths, "components", "schemas", schemas, "securitySchemes",
        "apiKey", "type", "http", "scheme", "bearer");
    char *text = json_dumps(doc, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
    json_decref(doc);
    return text;
}
