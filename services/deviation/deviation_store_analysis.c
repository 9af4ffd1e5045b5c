/* SQL of the joint analyses (sql/010): one row per report, its content as
 * canonical JSON, its open measures found in that content for follow-up.
 * See deviation_store.h. */
#include "deviation_store.h"
#include "samhand_log.h"
#include "samhand_rows.h"
#include "samhand_transcode.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Replaces a string field read from JSON by a column's text. */
static void s_set_text(char **field, const PGresult *res, int row, int col)
{
    if (*field != protobuf_c_empty_string)
        free(*field);
    *field = rows_text(res, row, col);
}

/* The content's JSON into a new message of `desc`; the service alone
 * writes it, so one it cannot read is a bug: logged, and shown as an empty
 * message rather than failing every read of it. */
static ProtobufCMessage *s_from_json(const ProtobufCMessageDescriptor *desc, const char *text)
{
    json_error_t error;
    json_t *json = json_loads(text, 0, &error);
    ProtobufCMessage *msg = transcode_new(desc);
    transcode_error_t err;
    if (!json || transcode_from_json(msg, json, &err) != 0) {
        log_error("could not read analysis content: %s", json ? err.message : error.text);
        transcode_free(&msg);
        msg = transcode_new(desc);
    }
    json_decref(json);
    return msg;
}

static ProtobufCMessage *s_analysis(const PGresult *res, int row)
{
    Samhand__V1__JointAnalysis *a =
        (void *)s_from_json(&samhand__v1__joint_analysis__descriptor, PQgetvalue(res, row, 6));
    s_set_text(&a->id, res, row, 0);
    s_set_text(&a->deviation_id, res, row, 1);
    s_set_text(&a->deviation_reference, res, row, 2);
    s_set_text(&a->reporting_organization_id, res, row, 3);
    s_set_text(&a->receiving_organization_id, res, row, 4);
    a->state = rows_enum(&samhand__v1__joint_analysis__state__descriptor, res, row, 5);
    if (!PQgetisnull(res, row, 7))
        a->final_time = rows_timestamp_us(res, row, 7);
    s_set_text(&a->finalized_by, res, row, 8);
    s_set_text(&a->finalized_by_organization_id, res, row, 9);
    a->create_time = rows_timestamp_us(res, row, 10);
    a->update_time = rows_timestamp_us(res, row, 11);
    for (size_t i = 0; i < a->n_measures; i++) {
        s_set_text(&a->measures[i]->deviation_id, res, row, 1);
        s_set_text(&a->measures[i]->deviation_reference, res, row, 2);
    }
    return &a->base;
}

int deviation_store_analysis_get(db_t *db, const char *deviation_id, bool lock,
                                 Samhand__V1__JointAnalysis **out)
{
    char sql[1024];
    snprintf(sql, sizeof sql,
             "SELECT a.id, a.deviation_id, coalesce(r.reference, ''), "
             "r.reporting_organization_id, r.receiving_organization_id, a.state, "
             "a.content::text, " ROWS_TIMESTAMP_US(
                 "a.final_at") ", a.finalized_by, "
                               "coalesce(a.finalized_by_organization_id::text, "
                               "''), " ROWS_TIMESTAMP_US("a.created_at") ", " ROWS_TIMESTAMP_US(
                                   "a.updated_at") " FROM analyses a JOIN "
                                                   "reports r ON r.id = "
                                                   "a.deviation_id WHERE "
                                                   "a.deviation_id = $1%s",
             lock ? " FOR UPDATE OF a" : "");
    const char *params[] = {deviation_id};
    return rows_one(db, sql, 1, params, s_analysis, (ProtobufCMessage **)out);
}

int deviation_store_analysis_insert(db_t *db, const char *deviation_id, const char *content)
{
    const char *params[] = {deviation_id, content};
    int rc = rows_exec(db,
                       "INSERT INTO analyses (deviation_id, content) VALUES ($1, $2::jsonb) "
                       "ON CONFLICT (deviation_id) DO NOTHING",
                       2, params);
    return rc < 0 ? -1 : rc;
}

int deviation_store_analysis_update(db_t *db, const char *deviation_id, const char *content)
{
    const char *params[] = {deviation_id, content};
    return rows_exec(db,
                     "UPDATE analyses SET content = $2::jsonb, updated_at = clock_timestamp() "
                     "WHERE deviation_id = $1",
                     2, params) < 0
               ? -1
               : 0;
}

int deviation_store_analysis_finalize(db_t *db, const char *deviation_id, const char *subject,
                                      const char *organization_id)
{
    const char *params[] = {deviation_id, subject, organization_id};
    return rows_exec(db,
                     "UPDATE analyses SET state = 'FINAL', final_at = clock_timestamp(), "
                     "finalized_by = $2, finalized_by_organization_id = nullif($3, '')::uuid, "
                     "updated_at = clock_timestamp() WHERE deviation_id = $1",
                     3, params) < 0
               ? -1
               : 0;
}

static ProtobufCMessage *s_measure(const PGresult *res, int row)
{
    Samhand__V1__AnalysisMeasure *m =
        (void *)s_from_json(&samhand__v1__analysis_measure__descriptor, PQgetvalue(res, row, 0));
    s_set_text(&m->deviation_id, res, row, 1);
    s_set_text(&m->deviation_reference, res, row, 2);
    return &m->base;
}

int deviation_store_measures_open(db_t *db, const char *organization_id, const char *today,
                                  bool overdue, int64_t after, int limit,
                                  Samhand__V1__ListAnalysisMeasuresResponse **out)
{
    char after_text[24], limit_text[16];
    rows_page_params(after, limit, after_text, limit_text);
    const char *params[] = {organization_id ? organization_id : "", today, overdue ? "t" : "f",
                            after_text, limit_text};
    return rows_list(
        db,
        "WITH open AS (SELECT m.value AS measure, a.deviation_id, coalesce(r.reference, '') AS "
        "reference, row_number() OVER (ORDER BY m.value->>'dueDate', m.value->>'id') AS n "
        "FROM analyses a JOIN reports r ON r.id = a.deviation_id "
        "CROSS JOIN LATERAL jsonb_array_elements(a.content->'measures') m "
        "WHERE m.value->>'state' = 'OPEN' AND ($1 = '' OR r.reporting_organization_id::text = $1 "
        "OR r.receiving_organization_id::text = $1) "
        "AND (NOT $3::boolean OR (m.value->>'dueDate')::date < $2::date)) "
        "SELECT measure::text, deviation_id, reference, n FROM open WHERE n > $4 ORDER BY n "
        "LIMIT $5",
        5, params, s_measure, limit, &samhand__v1__list_analysis_measures_response__descriptor,
        (ProtobufCMessage **)out);
}

int deviation_store_analysis_names(db_t *db, const char *deviation_id, char **reporting_name,
                                   char **receiving_name, char **category_name)
{
    const char *params[] = {deviation_id};
    PGresult *res = db_query(db,
                             "SELECT coalesce(f.name, r.reporting_organization_id::text), "
                             "coalesce(t.name, r.receiving_organization_id::text), "
                             "coalesce(c.name, '') FROM reports r "
                             "LEFT JOIN organizations f ON f.id = r.reporting_organization_id "
                             "LEFT JOIN organizations t ON t.id = r.receiving_organization_id "
                             "LEFT JOIN categories c ON c.code = r.category_code WHERE r.id = $1",
                             1, params);
    if (!res)
        return -1;
    int found = PQntuples(res) > 0;
    if (found) {
        *reporting_name = rows_text(res, 0, 0);
        *receiving_name = rows_text(res, 0, 1);
        *category_name = rows_text(res, 0, 2);
    }
    PQclear(res);
    return found ? 0 : 1;
}
