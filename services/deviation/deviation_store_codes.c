/* SQL of the category code list in versions (sql/003, 013, 014): a
 * version's codes, date, title and mappings, every code ever in the list,
 * and the loading of a new version. See deviation_store.h. */
#include "deviation_store.h"
#include "samhand_rows.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* a category's code, name, axis and version */
static const rows_map_t s_category_map =
    ROWS_MAP(samhand__v1__deviation_category__descriptor, "code", "name", "axis", "version");

static ProtobufCMessage *s_category(const PGresult *res, int row)
{
    return rows_read(&s_category_map, res, row);
}

static const rows_map_t s_mapping_map =
    ROWS_MAP(samhand__v1__category_mapping__descriptor, "from_code", "to_code", "version");

static ProtobufCMessage *s_mapping(const PGresult *res, int row)
{
    return rows_read(&s_mapping_map, res, row);
}

int deviation_store_categories(db_t *db, int version,
                               Samhand__V1__ListDeviationCategoriesResponse **out)
{
    char text[16];
    snprintf(text, sizeof text, "%d", version);
    const char *params[] = {text};
    PGresult *res = db_query(db,
                             "SELECT version, published::text, title FROM category_versions "
                             "WHERE version = coalesce(nullif($1::integer, 0), "
                             "(SELECT max(version) FROM category_versions))",
                             1, params);
    if (!res)
        return -1;
    if (PQntuples(res) == 0) {
        PQclear(res);
        return 1;
    }
    Samhand__V1__ListDeviationCategoriesResponse *list = malloc(sizeof *list);
    assert(list);
    samhand__v1__list_deviation_categories_response__init(list);
    list->version = atoi(PQgetvalue(res, 0, 0));
    list->published = rows_text(res, 0, 1);
    list->title = rows_text(res, 0, 2);
    PQclear(res);
    snprintf(text, sizeof text, "%d", list->version);
    if (rows_children(db,
                      "SELECT code, name, axis, version FROM categories WHERE version <= $1 AND "
                      "(retired_in IS NULL OR retired_in > $1) ORDER BY sort_order, code",
                      1, params, s_category, &list->base, "items") != 0 ||
        rows_children(db,
                      "SELECT from_code, to_code, version FROM category_mappings WHERE version = "
                      "$1 ORDER BY from_code",
                      1, params, s_mapping, &list->base, "mappings") != 0) {
        protobuf_c_message_free_unpacked(&list->base, NULL);
        return -1;
    }
    *out = list;
    return 0;
}

int deviation_store_category_usable(db_t *db, const char *code)
{
    const char *params[] = {code};
    PGresult *res =
        db_query(db, "SELECT 1 FROM categories WHERE code = $1 AND retired_in IS NULL", 1, params);
    if (!res)
        return -1;
    int found = PQntuples(res) > 0;
    PQclear(res);
    return found;
}

int deviation_store_mappings(db_t *db, deviation_code_map_t **out, size_t *n)
{
    PGresult *res = db_query(db, "SELECT from_code, to_code FROM category_mappings", 0, NULL);
    if (!res)
        return -1;
    int rows = PQntuples(res);
    *out = calloc((size_t)rows + 1, sizeof **out);
    assert(*out);
    for (int i = 0; i < rows; i++)
        (*out)[i] = (deviation_code_map_t){rows_text(res, i, 0), rows_text(res, i, 1)};
    *n = (size_t)rows;
    PQclear(res);
    return 0;
}

void deviation_store_mappings_free(deviation_code_map_t *map, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free((char *)map[i].from);
        free((char *)map[i].to);
    }
    free(map);
}

int deviation_store_codes_all(db_t *db, deviation_code_row_t **out, size_t *n)
{
    /* one new version at a time: the check and the load see the same list */
    if (rows_exec(db, "LOCK TABLE category_versions IN SHARE ROW EXCLUSIVE MODE", 0, NULL) < 0)
        return -1;
    PGresult *res = db_query(db,
                             "SELECT code, name, axis, coalesce(retired_in, 0) FROM categories "
                             "ORDER BY sort_order, code",
                             0, NULL);
    if (!res)
        return -1;
    int rows = PQntuples(res);
    *out = calloc((size_t)rows + 1, sizeof **out);
    assert(*out);
    for (int i = 0; i < rows; i++)
        (*out)[i] = (deviation_code_row_t){rows_text(res, i, 0), rows_text(res, i, 1),
                                           rows_text(res, i, 2), atoi(PQgetvalue(res, i, 3))};
    *n = (size_t)rows;
    PQclear(res);
    return 0;
}

void deviation_store_codes_free(deviation_code_row_t *rows, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(rows[i].code);
        free(rows[i].name);
        free(rows[i].axis);
    }
    free(rows);
}

int deviation_store_categories_load(db_t *db, const Samhand__V1__LoadCategoriesRequest *req,
                                    const char *actor, const char *const *retired, size_t n_retired,
                                    int *version)
{
    const char *params[] = {req->published, req->title, req->comment, actor};
    PGresult *res = db_query(db,
                             "INSERT INTO category_versions (version, published, title, comment, "
                             "actor) SELECT max(version) + 1, $1::date, $2, $3, $4 FROM "
                             "category_versions RETURNING version",
                             4, params);
    if (!res)
        return -1;
    char v[16], order[16];
    snprintf(v, sizeof v, "%s", PQgetvalue(res, 0, 0));
    *version = atoi(v);
    PQclear(res);
    /* new codes join with this version; those that stay keep their name
     * and take their place in the form's order */
    for (size_t i = 0; i < req->n_items; i++) {
        snprintf(order, sizeof order, "%zu", (i + 1) * 10);
        const Samhand__V1__DeviationCategory *c = req->items[i];
        const char *row[] = {c->code, c->name, c->axis, v, order};
        if (rows_exec(db,
                      "INSERT INTO categories (code, name, axis, version, sort_order) VALUES ($1, "
                      "$2, $3, $4::integer, $5::integer) ON CONFLICT (code) DO UPDATE SET "
                      "sort_order = EXCLUDED.sort_order",
                      5, row) < 0)
            return -1;
    }
    for (size_t i = 0; i < n_retired; i++) {
        const char *row[] = {retired[i], v};
        if (rows_exec(db, "UPDATE categories SET retired_in = $2::integer WHERE code = $1", 2,
                      row) < 0)
            return -1;
    }
    for (size_t i = 0; i < req->n_mappings; i++) {
        const char *row[] = {req->mappings[i]->from_code, req->mappings[i]->to_code, v};
        if (rows_exec(db,
                      "INSERT INTO category_mappings (version, from_code, to_code) VALUES "
                      "($3::integer, $1, $2)",
                      3, row) < 0)
            return -1;
    }
    return 0;
}
