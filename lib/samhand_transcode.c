/* Generic JSON <-> protobuf translation driven by protobuf-c descriptors.
 * Everything it allocates comes from malloc, so a message it built is freed
 * by protobuf_c_message_free_unpacked like one protobuf-c unpacked. */
#include "samhand_transcode.h"

#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <openssl/evp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define TIMESTAMP_TYPE "samhand.v1.Timestamp"
#define MEMBER(msg, offset) ((void *)((char *)(msg) + (offset)))

void transcode_json_name(const char *proto_name, char *out, size_t size)
{
    size_t j = 0;
    int upper = 0;
    for (const char *p = proto_name; *p && j + 1 < size; p++) {
        if (*p == '_') {
            upper = 1;
            continue;
        }
        out[j++] = upper ? (char)toupper((unsigned char)*p) : *p;
        upper = 0;
    }
    out[j] = '\0';
}

static int s_fail(transcode_error_t *err, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int s_fail(transcode_error_t *err, const char *path, const char *fmt, ...)
{
    snprintf(err->field, sizeof err->field, "%s", path);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    return -1;
}

ProtobufCMessage *transcode_new(const ProtobufCMessageDescriptor *desc)
{
    ProtobufCMessage *msg = malloc(desc->sizeof_message);
    assert(msg);
    desc->message_init(msg);
    return msg;
}

void transcode_free(ProtobufCMessage **msg_p)
{
    if (msg_p && *msg_p) {
        protobuf_c_message_free_unpacked(*msg_p, NULL);
        *msg_p = NULL;
    }
}

static const ProtobufCFieldDescriptor *s_field(const ProtobufCMessageDescriptor *desc,
                                               const char *name)
{
    char json_name[128];
    for (unsigned i = 0; i < desc->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &desc->fields[i];
        transcode_json_name(f->name, json_name, sizeof json_name);
        if (strcmp(json_name, name) == 0 || strcmp(f->name, name) == 0)
            return f;
    }
    return NULL;
}

static size_t s_element_size(ProtobufCType type)
{
    switch (type) {
    case PROTOBUF_C_TYPE_INT32:
    case PROTOBUF_C_TYPE_SINT32:
    case PROTOBUF_C_TYPE_SFIXED32:
    case PROTOBUF_C_TYPE_UINT32:
    case PROTOBUF_C_TYPE_FIXED32:
    case PROTOBUF_C_TYPE_FLOAT:
    case PROTOBUF_C_TYPE_ENUM:
        return 4;
    case PROTOBUF_C_TYPE_INT64:
    case PROTOBUF_C_TYPE_SINT64:
    case PROTOBUF_C_TYPE_SFIXED64:
    case PROTOBUF_C_TYPE_UINT64:
    case PROTOBUF_C_TYPE_FIXED64:
    case PROTOBUF_C_TYPE_DOUBLE:
        return 8;
    case PROTOBUF_C_TYPE_BOOL:
        return sizeof(protobuf_c_boolean);
    case PROTOBUF_C_TYPE_STRING:
        return sizeof(char *);
    case PROTOBUF_C_TYPE_BYTES:
        return sizeof(ProtobufCBinaryData);
    case PROTOBUF_C_TYPE_MESSAGE:
        return sizeof(ProtobufCMessage *);
    }
    return 0;
}

/* ------------------------------------------------------------ timestamps */

int transcode_parse_rfc3339(const char *text, int64_t *seconds, int32_t *nanos)
{
    struct tm tm = {0};
    const char *p = strptime(text, "%Y-%m-%dT%H:%M:%S", &tm);
    if (!p || strlen(text) < 20 || text[4] != '-' || text[10] != 'T')
        return -1;
    int32_t frac = 0;
    if (*p == '.') {
        int digits = 0;
        for (p++; isdigit((unsigned char)*p); p++, digits++)
            if (digits < 9)
                frac = frac * 10 + (*p - '0');
        if (digits == 0 || digits > 9)
            return -1;
        for (; digits < 9; digits++)
            frac *= 10;
    }
    long offset = 0;
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if ((*p == '+' || *p == '-') && isdigit((unsigned char)p[1]) &&
               isdigit((unsigned char)p[2]) && p[3] == ':' && isdigit((unsigned char)p[4]) &&
               isdigit((unsigned char)p[5])) {
        offset =
            ((p[1] - '0') * 10 + (p[2] - '0')) * 3600 + ((p[4] - '0') * 10 + (p[5] - '0')) * 60;
        if (*p == '-')
            offset = -offset;
        p += 6;
    } else {
        return -1;
    }
    if (*p)
        return -1;
    *seconds = (int64_t)timegm(&tm) - offset;
    *nanos = frac;
    return 0;
}

void transcode_format_rfc3339(int64_t seconds, int32_t nanos, char out[40])
{
    time_t t = (time_t)seconds;
    struct tm tm;
    if (!gmtime_r(&t, &tm)) { /* beyond what a struct tm holds */
        snprintf(out, 40, "%s", seconds < 0 ? "0000-01-01T00:00:00Z" : "9999-12-31T23:59:59Z");
        return;
    }
    /* four digits of year, as RFC 3339 and the parser above want them
     * (strftime's %Y writes the year 30 as "30") */
    size_t n = (size_t)snprintf(out, 40, "%04d-%02d-%02dT%02d:%02d:%02d", tm.tm_year + 1900,
                                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    if (nanos > 0 && nanos < 1000000000) {
        if (nanos % 1000000 == 0)
            n += (size_t)snprintf(out + n, 40 - n, ".%03d", nanos / 1000000);
        else if (nanos % 1000 == 0)
            n += (size_t)snprintf(out + n, 40 - n, ".%06d", nanos / 1000);
        else
            n += (size_t)snprintf(out + n, 40 - n, ".%09d", nanos);
    }
    snprintf(out + n, 40 - n, "Z");
}

/* ------------------------------------------------------------- JSON -> pb */

static int s_from_json_message(ProtobufCMessage *msg, json_t *object, const char *path,
                               transcode_error_t *err, int top);

static int s_integer(json_t *value, const char *path, long long min, long long max, long long *out,
                     transcode_error_t *err)
{
    if (json_is_integer(value)) {
        *out = json_integer_value(value);
    } else if (json_is_string(value)) {
        /* canonical JSON sends 64-bit integers as strings; accept for all */
        const char *text = json_string_value(value);
        char *end;
        errno = 0;
        *out = strtoll(text, &end, 10);
        if (errno || end == text || *end)
            return s_fail(err, path, "must be an integer");
    } else if (json_is_real(value) && json_real_value(value) == floor(json_real_value(value)) &&
               fabs(json_real_value(value)) < 9e15) {
        *out = (long long)json_real_value(value);
    } else {
        return s_fail(err, path, "must be an integer");
    }
    if (*out < min || *out > max)
        return s_fail(err, path, "must be from %lld to %lld", min, max);
    return 0;
}

static int s_base64_decode(const char *text, ProtobufCBinaryData *out)
{
    size_t len = strlen(text);
    char *std = malloc(len + 4);
    assert(std);
    size_t j = 0;
    for (size_t i = 0; i < len; i++)
        std[j++] = text[i] == '-' ? '+' : text[i] == '_' ? '/' : text[i];
    while (j % 4)
        std[j++] = '=';
    std[j] = '\0';
    out->data = malloc(j / 4 * 3 + 1);
    assert(out->data);
    int n = EVP_DecodeBlock(out->data, (unsigned char *)std, (int)j);
    if (n < 0) {
        free(std);
        free(out->data);
        out->data = NULL;
        return -1;
    }
    int pad = 0;
    while (j > 0 && std[j - 1] == '=' && pad < 2)
        j--, pad++;
    out->len = (size_t)n - (size_t)pad;
    free(std);
    return 0;
}

/* Writes one value of `field` (scalar or element) at `slot`. */
static int s_from_json_value(const ProtobufCFieldDescriptor *field, json_t *value, void *slot,
                             const char *path, transcode_error_t *err)
{
    long long number;
    switch (field->type) {
    case PROTOBUF_C_TYPE_INT32:
    case PROTOBUF_C_TYPE_SINT32:
    case PROTOBUF_C_TYPE_SFIXED32:
        if (s_integer(value, path, INT32_MIN, INT32_MAX, &number, err) != 0)
            return -1;
        *(int32_t *)slot = (int32_t)number;
        return 0;
    case PROTOBUF_C_TYPE_UINT32:
    case PROTOBUF_C_TYPE_FIXED32:
        if (s_integer(value, path, 0, UINT32_MAX, &number, err) != 0)
            return -1;
        *(uint32_t *)slot = (uint32_t)number;
        return 0;
    case PROTOBUF_C_TYPE_INT64:
    case PROTOBUF_C_TYPE_SINT64:
    case PROTOBUF_C_TYPE_SFIXED64:
        if (s_integer(value, path, LLONG_MIN, LLONG_MAX, &number, err) != 0)
            return -1;
        *(int64_t *)slot = number;
        return 0;
    case PROTOBUF_C_TYPE_UINT64:
    case PROTOBUF_C_TYPE_FIXED64:
        /* values above INT64_MAX are not accepted: none of our fields needs them */
        if (s_integer(value, path, 0, LLONG_MAX, &number, err) != 0)
            return -1;
        *(uint64_t *)slot = (uint64_t)number;
        return 0;
    case PROTOBUF_C_TYPE_FLOAT:
    case PROTOBUF_C_TYPE_DOUBLE:
        if (!json_is_number(value))
            return s_fail(err, path, "must be a number");
        if (field->type == PROTOBUF_C_TYPE_FLOAT)
            *(float *)slot = (float)json_number_value(value);
        else
            *(double *)slot = json_number_value(value);
        return 0;
    case PROTOBUF_C_TYPE_BOOL:
        if (!json_is_boolean(value))
            return s_fail(err, path, "must be true or false");
        *(protobuf_c_boolean *)slot = json_is_true(value);
        return 0;
    case PROTOBUF_C_TYPE_ENUM: {
        const ProtobufCEnumDescriptor *desc = field->descriptor;
        const ProtobufCEnumValue *v = NULL;
        if (json_is_string(value))
            v = protobuf_c_enum_descriptor_get_value_by_name(desc, json_string_value(value));
        else if (json_is_integer(value) && json_integer_value(value) >= INT32_MIN &&
                 json_integer_value(value) <= INT32_MAX)
            v = protobuf_c_enum_descriptor_get_value(desc, (int)json_integer_value(value));
        if (!v) {
            /* list the allowed names, as a person filling a form needs them */
            char names[200] = "";
            size_t used = 0;
            for (unsigned i = 1; i < desc->n_values && used < sizeof names - 1; i++)
                used += (size_t)snprintf(names + used, sizeof names - used, "%s%s",
                                         i > 1 ? ", " : "", desc->values[i].name);
            return s_fail(err, path, "must be one of %s", names);
        }
        *(int *)slot = v->value;
        return 0;
    }
    case PROTOBUF_C_TYPE_STRING:
        if (!json_is_string(value))
            return s_fail(err, path, "must be a string");
        if (memchr(json_string_value(value), '\0', json_string_length(value)))
            return s_fail(err, path, "must not contain NUL characters");
        *(char **)slot = strdup(json_string_value(value));
        assert(*(char **)slot);
        return 0;
    case PROTOBUF_C_TYPE_BYTES:
        if (!json_is_string(value) ||
            s_base64_decode(json_string_value(value), (ProtobufCBinaryData *)slot) != 0)
            return s_fail(err, path, "must be base64");
        return 0;
    case PROTOBUF_C_TYPE_MESSAGE: {
        const ProtobufCMessageDescriptor *desc = field->descriptor;
        ProtobufCMessage *sub = transcode_new(desc);
        *(ProtobufCMessage **)slot = sub;
        if (strcmp(desc->name, TIMESTAMP_TYPE) == 0) {
            int64_t seconds;
            int32_t nanos;
            if (!json_is_string(value) ||
                transcode_parse_rfc3339(json_string_value(value), &seconds, &nanos) != 0)
                return s_fail(err, path, "must be an RFC 3339 time like 2023-02-08T09:00:00+01:00");
            /* fields 1 and 2 of Timestamp: seconds, nanos */
            *(int64_t *)MEMBER(sub, desc->fields[0].offset) = seconds;
            *(int32_t *)MEMBER(sub, desc->fields[1].offset) = nanos;
            return 0;
        }
        if (!json_is_object(value))
            return s_fail(err, path, "must be an object");
        return s_from_json_message(sub, value, path, err, 0);
    }
    }
    return s_fail(err, path, "has an unsupported type");
}

static int s_from_json_field(ProtobufCMessage *msg, const ProtobufCFieldDescriptor *field,
                             json_t *value, const char *path, transcode_error_t *err)
{
    if (json_is_null(value))
        return 0; /* null means the default */
    if (field->label == PROTOBUF_C_LABEL_REPEATED) {
        if (!json_is_array(value))
            return s_fail(err, path, "must be an array");
        size_t n = json_array_size(value);
        size_t size = s_element_size(field->type);
        size_t *count = MEMBER(msg, field->quantifier_offset);
        void **array = MEMBER(msg, field->offset);
        /* the same field given twice (name and json name), even as an
         * empty array first (its array would leak) */
        if (*count || *array)
            return s_fail(err, path, "is given twice");
        *array = calloc(n ? n : 1, size);
        assert(*array);
        for (size_t i = 0; i < n; i++) {
            char element_path[256];
            snprintf(element_path, sizeof element_path, "%s[%zu]", path, i);
            /* count what is filled so far, so a failure frees exactly that */
            *count = i + 1;
            if (s_from_json_value(field, json_array_get(value, i), (char *)*array + i * size,
                                  element_path, err) != 0)
                return -1;
        }
        *count = n;
        return 0;
    }
    void *slot = MEMBER(msg, field->offset);
    if (field->type == PROTOBUF_C_TYPE_STRING && *(char **)slot != field->default_value) {
        return s_fail(err, path, "is given twice");
    }
    if (field->type == PROTOBUF_C_TYPE_MESSAGE && *(void **)slot)
        return s_fail(err, path, "is given twice");
    if (s_from_json_value(field, value, slot, path, err) != 0)
        return -1;
    if (field->label == PROTOBUF_C_LABEL_OPTIONAL && field->quantifier_offset)
        *(protobuf_c_boolean *)MEMBER(msg, field->quantifier_offset) = 1;
    if (field->flags & PROTOBUF_C_FIELD_FLAG_ONEOF)
        *(uint32_t *)MEMBER(msg, field->quantifier_offset) = field->id;
    return 0;
}

static int s_from_json_message(ProtobufCMessage *msg, json_t *object, const char *path,
                               transcode_error_t *err, int top)
{
    const ProtobufCMessageDescriptor *desc = msg->descriptor;
    const ProtobufCFieldDescriptor *mask = top ? s_field(desc, "update_mask") : NULL;
    if (mask && (mask->type != PROTOBUF_C_TYPE_STRING || mask->label != PROTOBUF_C_LABEL_REPEATED))
        mask = NULL;
    const char *key;
    json_t *value;
    json_object_foreach(object, key, value)
    {
        char field_path[256];
        snprintf(field_path, sizeof field_path, "%s%s%s", path, path[0] ? "." : "", key);
        const ProtobufCFieldDescriptor *field = s_field(desc, key);
        if (!field)
            return s_fail(err, field_path, "is not a field of %s", desc->short_name);
        if (field == mask)
            return s_fail(err, field_path,
                          "is set by the server from the fields present; leave it out");
        if (s_from_json_field(msg, field, value, field_path, err) != 0)
            return -1;
    }
    if (mask) {
        size_t n = json_object_size(object);
        char **names = calloc(n ? n : 1, sizeof *names);
        assert(names);
        size_t i = 0;
        json_object_foreach(object, key, value)
        {
            names[i] = strdup(s_field(desc, key)->name);
            assert(names[i]);
            i++;
        }
        *(size_t *)MEMBER(msg, mask->quantifier_offset) = n;
        *(char ***)MEMBER(msg, mask->offset) = names;
    }
    return 0;
}

int transcode_from_json(ProtobufCMessage *msg, json_t *object, transcode_error_t *err)
{
    if (!json_is_object(object))
        return s_fail(err, "", "the body must be a JSON object");
    return s_from_json_message(msg, object, "", err, 1);
}

int transcode_set_from_text(ProtobufCMessage *msg, const char *name, const char *text,
                            transcode_error_t *err)
{
    const ProtobufCFieldDescriptor *field = s_field(msg->descriptor, name);
    if (!field || field->type == PROTOBUF_C_TYPE_MESSAGE ||
        field->label == PROTOBUF_C_LABEL_REPEATED) {
        s_fail(err, name, "is not a parameter of this request");
        return -2;
    }
    json_t *value;
    switch (field->type) {
    case PROTOBUF_C_TYPE_STRING:
    case PROTOBUF_C_TYPE_ENUM:
    case PROTOBUF_C_TYPE_BYTES:
        value = json_string(text);
        break;
    case PROTOBUF_C_TYPE_BOOL:
        value = strcmp(text, "true") == 0    ? json_true()
                : strcmp(text, "false") == 0 ? json_false()
                                             : json_string(text);
        break;
    case PROTOBUF_C_TYPE_FLOAT:
    case PROTOBUF_C_TYPE_DOUBLE: {
        char *end;
        double d = strtod(text, &end);
        value = *text && !*end ? json_real(d) : json_string(text);
        break;
    }
    default:
        value = json_string(text); /* integers parse from strings */
        break;
    }
    if (!value)
        return s_fail(err, name, "must be valid UTF-8");
    char json_name[128];
    transcode_json_name(field->name, json_name, sizeof json_name);
    int rc = s_from_json_field(msg, field, value, json_name, err);
    json_decref(value);
    return rc;
}

/* ---------------------------------------------------------------- registry */

#define REGISTRY_MAX 512
static const ProtobufCMessageDescriptor *s_registry[REGISTRY_MAX];
static size_t s_n_registry;

void transcode_register(const ProtobufCMessageDescriptor *desc)
{
    for (size_t i = 0; i < s_n_registry; i++)
        if (s_registry[i] == desc)
            return;
    if (s_n_registry == REGISTRY_MAX)
        return;
    s_registry[s_n_registry++] = desc;
    for (unsigned i = 0; i < desc->n_fields; i++)
        if (desc->fields[i].type == PROTOBUF_C_TYPE_MESSAGE)
            transcode_register(desc->fields[i].descriptor);
}

static const ProtobufCMessageDescriptor *s_lookup(const char *name)
{
    for (size_t i = 0; i < s_n_registry; i++)
        if (strcmp(s_registry[i]->name, name) == 0)
            return s_registry[i];
    return NULL;
}

/* samhand.v1.Any as the message it holds; {"@type", "value"} when its type
 * is not one the gateway knows. */
static json_t *s_any_to_json(const ProtobufCMessage *any)
{
    const char *type = *(char *const *)MEMBER(any, any->descriptor->fields[0].offset);
    const ProtobufCBinaryData *value = MEMBER(any, any->descriptor->fields[1].offset);
    const ProtobufCMessageDescriptor *desc = s_lookup(type);
    ProtobufCMessage *inner =
        desc ? protobuf_c_message_unpack(desc, NULL, value->len, value->data) : NULL;
    if (inner) {
        json_t *json = transcode_to_json(inner);
        protobuf_c_message_free_unpacked(inner, NULL);
        return json;
    }
    char *b64 = malloc(4 * ((value->len + 2) / 3) + 1);
    EVP_EncodeBlock((unsigned char *)b64, value->data, (int)value->len);
    json_t *json = json_pack("{s:s, s:s}", "@type", type, "value", b64);
    free(b64);
    return json;
}

/* ------------------------------------------------------------- pb -> JSON */

static json_t *s_to_json_value(const ProtobufCFieldDescriptor *field, const void *slot)
{
    char text[48];
    switch (field->type) {
    case PROTOBUF_C_TYPE_INT32:
    case PROTOBUF_C_TYPE_SINT32:
    case PROTOBUF_C_TYPE_SFIXED32:
        return json_integer(*(const int32_t *)slot);
    case PROTOBUF_C_TYPE_UINT32:
    case PROTOBUF_C_TYPE_FIXED32:
        return json_integer(*(const uint32_t *)slot);
    case PROTOBUF_C_TYPE_INT64:
    case PROTOBUF_C_TYPE_SINT64:
    case PROTOBUF_C_TYPE_SFIXED64:
        snprintf(text, sizeof text, "%" PRId64, *(const int64_t *)slot);
        return json_string(text);
    case PROTOBUF_C_TYPE_UINT64:
    case PROTOBUF_C_TYPE_FIXED64:
        snprintf(text, sizeof text, "%" PRIu64, *(const uint64_t *)slot);
        return json_string(text);
    case PROTOBUF_C_TYPE_FLOAT:
        return json_real(*(const float *)slot);
    case PROTOBUF_C_TYPE_DOUBLE:
        return json_real(*(const double *)slot);
    case PROTOBUF_C_TYPE_BOOL:
        return json_boolean(*(const protobuf_c_boolean *)slot);
    case PROTOBUF_C_TYPE_ENUM: {
        const ProtobufCEnumValue *v =
            protobuf_c_enum_descriptor_get_value(field->descriptor, *(const int *)slot);
        return v ? json_string(v->name) : json_integer(*(const int *)slot);
    }
    case PROTOBUF_C_TYPE_STRING: {
        const char *s = *(char *const *)slot;
        /* services hand out valid UTF-8; refuse to emit anything else */
        json_t *value = json_string(s ? s : "");
        return value ? value : json_string("");
    }
    case PROTOBUF_C_TYPE_BYTES: {
        const ProtobufCBinaryData *b = slot;
        char *out = malloc(4 * ((b->len + 2) / 3) + 1);
        assert(out);
        EVP_EncodeBlock((unsigned char *)out, b->data, (int)b->len);
        json_t *value = json_string(out);
        free(out);
        return value;
    }
    case PROTOBUF_C_TYPE_MESSAGE: {
        const ProtobufCMessage *sub = *(ProtobufCMessage *const *)slot;
        if (!sub)
            return json_null();
        if (strcmp(sub->descriptor->name, "samhand.v1.Any") == 0)
            return s_any_to_json(sub);
        if (strcmp(sub->descriptor->name, TIMESTAMP_TYPE) == 0) {
            char stamp[40];
            transcode_format_rfc3339(
                *(const int64_t *)MEMBER(sub, sub->descriptor->fields[0].offset),
                *(const int32_t *)MEMBER(sub, sub->descriptor->fields[1].offset), stamp);
            return json_string(stamp);
        }
        return transcode_to_json(sub);
    }
    }
    return json_null();
}

/* Fields left out of JSON when empty (protoc-c has no proto3 `optional`):
 * a CloudEvents extension attribute that only some events carry. */
static const struct {
    const char *message, *field;
} s_omitted_empty[] = {
    {"samhand.v1.CloudEvent", "subscriptionsequence"},
};

static bool s_absent_when_empty(const ProtobufCMessageDescriptor *desc,
                                const ProtobufCFieldDescriptor *field)
{
    for (size_t i = 0; i < sizeof s_omitted_empty / sizeof s_omitted_empty[0]; i++)
        if (strcmp(desc->name, s_omitted_empty[i].message) == 0 &&
            strcmp(field->name, s_omitted_empty[i].field) == 0)
            return true;
    return false;
}

json_t *transcode_to_json(const ProtobufCMessage *msg)
{
    const ProtobufCMessageDescriptor *desc = msg->descriptor;
    json_t *object = json_object();
    for (unsigned i = 0; i < desc->n_fields; i++) {
        const ProtobufCFieldDescriptor *field = &desc->fields[i];
        if (strcmp(field->name, "update_mask") == 0)
            continue;
        char name[128];
        transcode_json_name(field->name, name, sizeof name);
        const void *slot = MEMBER(msg, field->offset);
        json_t *value;
        if (field->label == PROTOBUF_C_LABEL_REPEATED) {
            size_t n = *(const size_t *)MEMBER(msg, field->quantifier_offset);
            size_t size = s_element_size(field->type);
            value = json_array();
            for (size_t j = 0; j < n; j++)
                json_array_append_new(value,
                                      s_to_json_value(field, *(char *const *)slot + j * size));
        } else {
            if (field->type == PROTOBUF_C_TYPE_MESSAGE && !*(void *const *)slot)
                continue;
            if (field->type == PROTOBUF_C_TYPE_STRING && !**(char *const *)slot &&
                s_absent_when_empty(desc, field))
                continue;
            value = s_to_json_value(field, slot);
        }
        json_object_set_new(object, name, value);
    }
    return object;
}
