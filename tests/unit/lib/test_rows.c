/* The stores' row reader against a real PostgreSQL: each column of a row
 * lands in the field its map names, read by that field's type, NULL reads
 * as the field's zero, and a column mapped to nothing is left for the
 * converter; and a batch of rows a run keeps in one statement. */
#include "harness.h"
#include "samhand/v1/agenda.pb-c.h"
#include "samhand_rows.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static const rows_map_t s_action_map =
    ROWS_MAP(samhand__v1__action__descriptor, "id", "responsible_organization_ids", "status",
             "is_overdue", "number", "create_time", NULL, "description");

static const char *s_url; /* one database for the program: made once */

static PGresult *s_query(db_t *db, const char *sql)
{
    PGresult *res = db_query(db, sql, 0, NULL);
    assert_non_null(res);
    assert_int_equal(PQntuples(res), 1);
    return res;
}

static void test_each_column_lands_in_its_field_by_type(void **state)
{
    (void)state;
    db_t *db = db_new(s_url, "rowstest", 5000);
    assert_non_null(db);
    PGresult *res = s_query(db, "SELECT 'a1', array_to_json(ARRAY['o1', 'o2'])::text, "
                                "'IN_PROGRESS', true, 7, " ROWS_TIMESTAMP_US(
                                    "'2023-02-08 13:00:00.25+01'::timestamptz") ", 'skipped', "
                                                                                "'Følg opp'");
    Samhand__V1__Action *a = (Samhand__V1__Action *)rows_read(&s_action_map, res, 0);
    assert_string_equal(a->id, "a1");
    assert_int_equal(a->n_responsible_organization_ids, 2);
    assert_string_equal(a->responsible_organization_ids[1], "o2");
    assert_int_equal(a->status, SAMHAND__V1__ACTION__STATUS__IN_PROGRESS);
    assert_true(a->is_overdue);
    assert_int_equal(a->number, 7);
    assert_non_null(a->create_time);
    assert_int_equal(a->create_time->seconds, 1675857600); /* 12.00 UTC */
    assert_int_equal(a->create_time->nanos, 250000000);
    assert_string_equal(a->description, "Følg opp");
    /* what the map leaves out is as a new message has it */
    assert_null(a->update_time);
    assert_string_equal(a->committee_id, "");
    PQclear(res);
    protobuf_c_message_free_unpacked(&a->base, NULL);
    db_destroy(&db);
}

static void test_null_reads_as_the_fields_zero(void **state)
{
    (void)state;
    db_t *db = db_new(s_url, "rowstest", 5000);
    PGresult *res = s_query(db, "SELECT NULL::text, NULL::text, 'NO_SUCH_STATUS', NULL::boolean, "
                                "NULL::int, 0::bigint, NULL, NULL::text");
    Samhand__V1__Action *a = (Samhand__V1__Action *)rows_read(&s_action_map, res, 0);
    assert_string_equal(a->id, "");
    assert_int_equal(a->n_responsible_organization_ids, 0);
    assert_int_equal(a->status, 0);
    assert_false(a->is_overdue);
    assert_int_equal(a->number, 0);
    assert_int_equal(a->create_time->seconds, 0);
    assert_string_equal(a->description, "");
    PQclear(res);
    protobuf_c_message_free_unpacked(&a->base, NULL);
    db_destroy(&db);
}

/* A batch of rows is written by its one statement, the last row of a key
 * kept and a NULL as NULL; a value that is no UTF-8 is refused when it is
 * added (not kept as nothing), and an empty batch writes nothing. */
static void test_a_batch_keeps_the_last_row_of_a_key(void **state)
{
    (void)state;
    db_t *db = db_new(s_url, "rowstest", 5000);
    assert_non_null(db);
    PQclear(db_query(db, "CREATE SCHEMA IF NOT EXISTS rowstest", 0, NULL));
    PGresult *made = db_query(
        db, "CREATE TABLE rowstest.kept (id int PRIMARY KEY, name text NOT NULL, note text)", 0,
        NULL);
    assert_non_null(made);
    PQclear(made);
    static const char *const columns[] = {"id", "name", "note"};
    rows_batch_t *batch = rows_batch_new(
        "INSERT INTO rowstest.kept (id, name, note) SELECT DISTINCT ON (id) id, name, note FROM "
        "jsonb_to_recordset($1::jsonb) AS r(n int, id int, name text, note text) ORDER BY id, n "
        "DESC ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, note = EXCLUDED.note",
        columns, 3);
    assert_non_null(batch);
    assert_int_equal(rows_batch_flush(batch, db), 0); /* nothing added: nothing sent */
    const char *first[] = {"1", "Første", "a"}, *second[] = {"2", "Annen", NULL},
               *last[] = {"1", "Siste", NULL}, *broken[] = {"3", "\xff\xfe", NULL};
    assert_int_equal(rows_batch_add(batch, first), 0);
    assert_int_equal(rows_batch_add(batch, second), 0);
    assert_int_equal(rows_batch_add(batch, last), 0);
    assert_int_equal(rows_batch_add(batch, broken), -1);
    assert_int_equal(rows_batch_flush(batch, db), 0);
    PGresult *res =
        db_query(db,
                 "SELECT string_agg(id || ':' || name || ':' || coalesce(note, 'NULL'), "
                 "',' ORDER BY id) FROM rowstest.kept",
                 0, NULL);
    assert_non_null(res);
    assert_string_equal(PQgetvalue(res, 0, 0), "1:Siste:NULL,2:Annen:NULL");
    PQclear(res);
    rows_batch_destroy(&batch);
    assert_null(batch);
    db_destroy(&db);
}

/* A list for a statement is the whole list or none: an entry that is no
 * UTF-8 is not left out (an audience or a filter without it says something
 * else), the list is refused. */
static void test_a_list_with_an_entry_not_utf8_is_refused_whole(void **state)
{
    (void)state;
    char *fine[] = {"Første", "b"}, *broken[] = {"a", "\xc3\x28", "c"};
    char *text = rows_json_array(fine, 2);
    assert_string_equal(text, "[\"Første\",\"b\"]");
    free(text);
    text = rows_json_array(fine, 0);
    assert_string_equal(text, "[]");
    free(text);
    assert_null(rows_json_array(broken, 3));
    assert_null(rows_json_string_array(broken, 3));
    json_t *array = rows_json_string_array(fine, 2);
    assert_int_equal(json_array_size(array), 2);
    json_decref(array);
}

int main(void)
{
    s_url = harness_database_url();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_each_column_lands_in_its_field_by_type),
        cmocka_unit_test(test_null_reads_as_the_fields_zero),
        cmocka_unit_test(test_a_batch_keeps_the_last_row_of_a_key),
        cmocka_unit_test(test_a_list_with_an_entry_not_utf8_is_refused_whole),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
