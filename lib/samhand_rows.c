/* Row conversions for the stores; see samhand_rows.h. */
#include "samhand_rows.h"

#include <assert.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *rows_text(const PGresult *res, int row, int col)
{
    char *text = strdup(PQgetisnull(res, row, col) ? "" : PQgetvalue(res, row, col));
    assert(text);
    return text;
}

Samhand__V1__Timestamp *rows_timestamp_us(const PGresult *res, int row, int col)
{
    Samhand__V1__Timestamp *ts = malloc(sizeof *ts);
    assert(ts);
    samhand__v1__timestamp__init(ts);
    long long us = strtoll(PQgetvalue(res, row, col), NULL, 10);
    ts->seconds = us / 1000000;
    ts->nanos = (int32_t)(us % 1000000) * 1000;
    return ts;
}

Samhand__V1__Timestamp *rows_timestamp_s(const PGresult *res, int row, int col)
{
    Samhand__V1__Timestamp *ts = malloc(sizeof *ts);
    assert(ts);
    samhand__v1__timestamp__init(ts);
    ts->seconds = strtoll(PQgetvalue(res, row, col), NULL, 10);
    return ts;
}

int rows_enum(const ProtobufCEnumDescriptor *desc, const PGresult *res, int row, int col)
{
    const ProtobufCEnumValue *value =
        protobuf_c_enum_descriptor_get_value_by_name(desc, PQgetvalue(res, row, col));
    return value ? value->value : 0;
}

char **rows_json_strings(const char *text, size_t *n)
{
    json_t *array = json_loads(text, 0, NULL);
    *n = json_array_size(array);
    char **out = calloc(*n + 1, sizeof *out);
    assert(out);
    for (size_t i = 0; i < *n; i++) {
        const char *value = json_string_value(json_array_get(array, i));
        out[i] = strdup(value ? value : "");
        assert(out[i]);
    }
    json_decref(array);
    return out;
}

json_t *rows_json_string_array(char *const *values, size_t n)
{
    json_t *array = json_array();
    for (size_t i = 0; array && i < n; i++) {
        json_t *value = json_string(values[i]);
        if (!value || json_array_append_new(array, value) != 0) {
            json_decref(array);
            array = NULL;
        }
    }
    return array;
}

char *rows_json_array(char *const *values, size_t n)
{
    json_t *array = rows_json_string_array(values, n);
    char *text = array ? json_dumps(array, JSON_COMPACT) : NULL;
    json_decref(array);
    return text;
}

/* Where field `f` of `message` is, as a T. */
#define ROWS_AT(T, message, f) ((T *)((char *)(message) + (f)->offset))

static void s_read_field(ProtobufCMessage *message, const ProtobufCFieldDescriptor *f,
                         const PGresult *res, int row, int col)
{
    const char *value = PQgetvalue(res, row, col);
    if (f->label == PROTOBUF_C_LABEL_REPEATED) {
        assert(f->type == PROTOBUF_C_TYPE_STRING);
        *ROWS_AT(char **, message, f) =
            rows_json_strings(value, (size_t *)((char *)message + f->quantifier_offset));
        return;
    }
    assert(f->label != PROTOBUF_C_LABEL_OPTIONAL); /* proto3 fields, no presence */
    switch (f->type) {
    case PROTOBUF_C_TYPE_STRING:
        *ROWS_AT(char *, message, f) = rows_text(res, row, col);
        break;
    case PROTOBUF_C_TYPE_ENUM:
        *ROWS_AT(int, message, f) = rows_enum(f->descriptor, res, row, col);
        break;
    case PROTOBUF_C_TYPE_INT32:
    case PROTOBUF_C_TYPE_SINT32:
    case PROTOBUF_C_TYPE_UINT32:
        *ROWS_AT(int32_t, message, f) = atoi(value);
        break;
    case PROTOBUF_C_TYPE_INT64:
    case PROTOBUF_C_TYPE_SINT64:
    case PROTOBUF_C_TYPE_UINT64:
        *ROWS_AT(int64_t, message, f) = strtoll(value, NULL, 10);
        break;
    case PROTOBUF_C_TYPE_BOOL:
        *ROWS_AT(protobuf_c_boolean, message, f) = value[0] == 't';
        break;
    case PROTOBUF_C_TYPE_MESSAGE:
        assert(f->descriptor == &samhand__v1__timestamp__descriptor);
        *ROWS_AT(Samhand__V1__Timestamp *, message, f) = rows_timestamp_us(res, row, col);
        break;
    default:
        assert(!"a field type rows_read does not read");
    }
}

ProtobufCMessage *rows_read(const rows_map_t *map, const PGresult *res, int row)
{
    assert((size_t)PQnfields(res) >= map->n_fields);
    ProtobufCMessage *message = malloc(map->descriptor->sizeof_message);
    assert(message);
    map->descriptor->message_init(message);
    for (size_t col = 0; col < map->n_fields; col++) {
        if (!map->fields[col])
            continue;
        const ProtobufCFieldDescriptor *f =
            protobuf_c_message_descriptor_get_field_by_name(map->descriptor, map->fields[col]);
        assert(f); /* a name the message has */
        s_read_field(message, f, res, row, (int)col);
    }
    return message;
}

int rows_one(db_t *db, const char *sql, int n, const char *const *params, rows_convert_fn convert,
             ProtobufCMessage **out)
{
    PGresult *res = db_query(db, sql, n, params);
    if (!res)
        return -1;
    int found = PQntuples(res) > 0;
    if (found)
        *out = convert(res, 0);
    PQclear(res);
    return found ? 0 : 1;
}

int rows_list(db_t *db, const char *sql, int n, const char *const *params, rows_convert_fn convert,
              int limit, const ProtobufCMessageDescriptor *desc, ProtobufCMessage **out)
{
    const ProtobufCFieldDescriptor *items_field =
        protobuf_c_message_descriptor_get_field_by_name(desc, "items");
    const ProtobufCFieldDescriptor *cursor_field =
        protobuf_c_message_descriptor_get_field_by_name(desc, "next_cursor");
    assert(items_field && cursor_field);
    PGresult *res = db_query(db, sql, n, params);
    if (!res)
        return -1;
    ProtobufCMessage *list = malloc(desc->sizeof_message);
    assert(list);
    desc->message_init(list);
    int rows = PQntuples(res);
    int shown = rows > limit ? limit : rows;
    ProtobufCMessage **items = calloc((size_t)shown + 1, sizeof *items);
    assert(items);
    for (int i = 0; i < shown; i++)
        items[i] = convert(res, i);
    *(ProtobufCMessage ***)((char *)list + items_field->offset) = items;
    *(size_t *)((char *)list + items_field->quantifier_offset) = (size_t)shown;
    *(char **)((char *)list + cursor_field->offset) =
        rows > limit && shown > 0 ? rows_text(res, shown - 1, PQnfields(res) - 1) : strdup("");
    PQclear(res);
    *out = list;
    return 0;
}

int rows_children(db_t *db, const char *sql, int n, const char *const *params,
                  rows_convert_fn convert, ProtobufCMessage *parent, const char *field)
{
    PGresult *res = db_query(db, sql, n, params);
    if (!res)
        return -1;
    rows_children_of(res, convert, parent, field);
    return 0;
}

void rows_children_of(PGresult *res, rows_convert_fn convert, ProtobufCMessage *parent,
                      const char *field)
{
    const ProtobufCFieldDescriptor *f =
        protobuf_c_message_descriptor_get_field_by_name(parent->descriptor, field);
    assert(f && f->label == PROTOBUF_C_LABEL_REPEATED && f->type == PROTOBUF_C_TYPE_MESSAGE);
    int rows = PQntuples(res);
    ProtobufCMessage **items = calloc((size_t)rows + 1, sizeof *items);
    assert(items);
    for (int i = 0; i < rows; i++)
        items[i] = convert(res, i);
    PQclear(res);
    *(ProtobufCMessage ***)((char *)parent + f->offset) = items;
    *(size_t *)((char *)parent + f->quantifier_offset) = (size_t)rows;
}

void rows_page_params(int64_t after, int limit, char after_text[24], char limit_text[16])
{
    snprintf(after_text, 24, "%lld", (long long)after);
    snprintf(limit_text, 16, "%d", limit + 1);
}

struct rows_batch {
    const char *sql;
    const char *const *columns;
    size_t n_columns;
    json_t *rows; /* NULL while empty */
    json_int_t n;
};

rows_batch_t *rows_batch_new(const char *sql, const char *const *columns, size_t n_columns)
{
    rows_batch_t *b = calloc(1, sizeof *b);
    if (b)
        *b = (rows_batch_t){sql, columns, n_columns, NULL, 0};
    return b;
}

int rows_batch_add(rows_batch_t *b, const char *const *values)
{
    json_t *row = json_object();
    int rc = row && json_object_set_new(row, "n", json_integer(b->n++)) == 0 ? 0 : -1;
    for (size_t i = 0; rc == 0 && i < b->n_columns; i++) {
        json_t *value = values[i] ? json_string(values[i]) : json_null();
        rc = value && json_object_set_new(row, b->columns[i], value) == 0 ? 0 : -1;
    }
    if (rc == 0 && !b->rows)
        b->rows = json_array();
    if (rc == 0 && (!b->rows || json_array_append(b->rows, row) != 0))
        rc = -1;
    json_decref(row);
    return rc;
}

int rows_batch_flush(rows_batch_t *b, db_t *db)
{
    if (!b->rows)
        return 0;
    char *text = json_dumps(b->rows, JSON_COMPACT);
    json_decref(b->rows);
    b->rows = NULL;
    b->n = 0;
    if (!text)
        return -1;
    const char *params[] = {text};
    PGresult *res = db_query(db, b->sql, 1, params);
    free(text);
    PQclear(res);
    return res ? 0 : -1;
}

void rows_batch_destroy(rows_batch_t **batch_p)
{
    if (!batch_p || !*batch_p)
        return;
    json_decref((*batch_p)->rows);
    free(*batch_p);
    *batch_p = NULL;
}

int rows_exec(db_t *db, const char *sql, int n, const char *const *params)
{
    PGresult *res = db_query(db, sql, n, params);
    if (!res)
        return -1;
    int changed = PQcmdTuples(res)[0] == '\0' || atoi(PQcmdTuples(res)) > 0;
    PQclear(res);
    return changed ? 0 : 1;
}

int rows_bool(db_t *db, const char *sql, int n, const char *const *params)
{
    PGresult *res = db_query(db, sql, n, params);
    if (!res)
        return -1;
    int yes = PQntuples(res) > 0 && PQgetvalue(res, 0, 0)[0] == 't';
    PQclear(res);
    return yes;
}
