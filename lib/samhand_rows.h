/* For the stores: PostgreSQL rows into protobuf messages allocated with
 * malloc (so protobuf_c_message_free_unpacked frees them), single-row and
 * paged list queries, and text arrays as JSON. */
#ifndef SAMHAND_ROWS_H
#define SAMHAND_ROWS_H

#include "samhand/v1/envelope.pb-c.h"
#include "samhand_db.h"

/* A column of microseconds since the epoch, for rows_timestamp_us. */
#define ROWS_TIMESTAMP_US(col) "(extract(epoch FROM " col ") * 1000000)::bigint"

/* The column's text ("" for NULL), malloc'ed. */
char *rows_text(const PGresult *res, int row, int col);

/* A Timestamp from microseconds (ROWS_TIMESTAMP_US) or from seconds. */
Samhand__V1__Timestamp *rows_timestamp_us(const PGresult *res, int row, int col);
Samhand__V1__Timestamp *rows_timestamp_s(const PGresult *res, int row, int col);

/* The enum value named by the column, 0 when it names none. */
int rows_enum(const ProtobufCEnumDescriptor *desc, const PGresult *res, int row, int col);

/* A JSON array of strings (array_to_json of a text[]) as a malloc'ed array
 * of n malloc'ed strings. */
char **rows_json_strings(const char *text, size_t *n);

/* Strings as a JSON array, for a $n::jsonb parameter; caller frees. NULL
 * when one of them is no UTF-8 (or out of memory), never the array without
 * it: a list with an entry left out (an audience, a filter, a role) would
 * say something else than was asked, so the caller fails instead. */
char *rows_json_array(char *const *values, size_t n);
/* The same as a jansson array (json_t), for a document being built; NULL
 * as above. */
struct json_t *rows_json_string_array(char *const *values, size_t n);

/* The rows a run of events keeps in one table, for one statement instead
 * of one a row: each row's values by column (NULL for SQL NULL), sent as
 * $1, a JSON array of records with each row's place as "n", which the
 * statement reads with jsonb_to_recordset ... AS r(n int, <columns>); an
 * upsert keeps the last row of each key: SELECT DISTINCT ON (id) ... ORDER
 * BY id, n DESC. */
typedef struct rows_batch rows_batch_t;

rows_batch_t *rows_batch_new(const char *sql, const char *const *columns, size_t n_columns);
/* One row more: n_columns values. 0, or -1 when one is no UTF-8 (or out
 * of memory): the run is not to be applied as if the row had been kept. */
int rows_batch_add(rows_batch_t *batch, const char *const *values);
/* Runs the statement on what was added, if anything, and empties the
 * batch; 0, or -1. */
int rows_batch_flush(rows_batch_t *batch, db_t *db);
void rows_batch_destroy(rows_batch_t **batch_p);

/* How a statement's columns map onto the fields of one message: column i
 * into the field named fields[i] ("create_time"), or nowhere when it is
 * NULL (a paging key, or a column the converter reads by hand after
 * rows_read). Columns past the last name are not read. Written with
 * ROWS_MAP under the statement's column list, in the same order. */
typedef struct {
    const ProtobufCMessageDescriptor *descriptor;
    const char *const *fields;
    size_t n_fields;
} rows_map_t;

#define ROWS_MAP(descriptor_, ...)                                                                 \
    {                                                                                              \
        &(descriptor_), (const char *const[]){__VA_ARGS__},                                        \
            sizeof((const char *const[]){__VA_ARGS__}) / sizeof(const char *)                      \
    }

/* Row `row` of `res` as a new message of the map's type, each mapped
 * column read by its field's type: a string as its text ("" for NULL), an
 * enum by its value's name (0 when it names none), an integer, a bool
 * ('t'), a repeated string from a JSON array (array_to_json), a Timestamp
 * from microseconds (ROWS_TIMESTAMP_US). The caller frees it with
 * protobuf_c_message_free_unpacked. */
ProtobufCMessage *rows_read(const rows_map_t *map, const PGresult *res, int row);

/* Converts row `row` of `res` to a freshly allocated message. */
typedef ProtobufCMessage *(*rows_convert_fn)(const PGresult *res, int row);

/* Runs a statement expected to return at most one row: 0 and *out, 1 when
 * there is no row, -1 on error. */
int rows_one(db_t *db, const char *sql, int n, const char *const *params, rows_convert_fn convert,
             ProtobufCMessage **out);

/* Runs a list statement that selected up to limit + 1 rows with the paging
 * key last, into a new list response of `desc`: its `items`, and in
 * `next_cursor` the key of the last row shown when more follow ("" at the
 * end). 0 or -1. */
int rows_list(db_t *db, const char *sql, int n, const char *const *params, rows_convert_fn convert,
              int limit, const ProtobufCMessageDescriptor *desc, ProtobufCMessage **out);

/* Runs `sql` and sets the repeated message field `field` ("notes") of
 * `parent`, a message just read, to its rows converted (a child list: a
 * meeting's items, an action's notes). 0, or -1 leaving `parent` as it
 * was. */
int rows_children(db_t *db, const char *sql, int n, const char *const *params,
                  rows_convert_fn convert, ProtobufCMessage *parent, const char *field);
/* As rows_children, from a result already had (db_query_each); clears it. */
void rows_children_of(PGresult *res, rows_convert_fn convert, ProtobufCMessage *parent,
                      const char *field);

/* The text parameters of a page: rows after `after`, limit + 1 of them. */
void rows_page_params(int64_t after, int limit, char after_text[24], char limit_text[16]);

/* Runs a statement: 0 when it changed rows (or returns no count), 1 when it
 * changed none, -1 on error. */
int rows_exec(db_t *db, const char *sql, int n, const char *const *params);

/* The truth of a statement that answers one boolean ("SELECT EXISTS …"):
 * 1, 0, or -1 on error. */
int rows_bool(db_t *db, const char *sql, int n, const char *const *params);

#endif
