/* The access log of the deviation store: who was shown which report, and
 * how (sql/ report_reads). See deviation_store.h. */
#include "deviation_store.h"
#include "samhand_rows.h"

#include <stdlib.h>

int deviation_store_reads_log(db_t *db, const char *const *ids, size_t n, const char *subject,
                              const char *organization_id, const char *how)
{
    char *list = rows_json_array((char **)ids, n);
    const char *params[] = {list, subject, organization_id, how};
    int rc = rows_exec(db,
                       "INSERT INTO report_reads (report_id, subject, organization_id, how) "
                       "SELECT id::uuid, $2, $3, $4 FROM jsonb_array_elements_text($1::jsonb) id",
                       4, params);
    free(list);
    return rc < 0 ? -1 : 0;
}

static ProtobufCMessage *s_read(const PGresult *res, int row)
{
    Samhand__V1__DeviationRead *r = malloc(sizeof *r);
    samhand__v1__deviation_read__init(r);
    r->time = rows_timestamp_us(res, row, 0);
    r->subject = rows_text(res, row, 1);
    r->organization_id = rows_text(res, row, 2);
    r->how = rows_enum(&samhand__v1__deviation_read__how__descriptor, res, row, 3);
    return &r->base;
}

int deviation_store_reads_list(db_t *db, const char *id, int64_t after, int limit,
                               Samhand__V1__ListDeviationReadsResponse **out)
{
    char after_text[24], limit_text[16];
    rows_page_params(after, limit, after_text, limit_text);
    const char *params[] = {id, after_text, limit_text};
    return rows_list(db,
                     "SELECT " ROWS_TIMESTAMP_US("read_at") ", subject, coalesce(organization_id::"
                                                            "text, ''), how, seq FROM report_reads "
                                                            "WHERE report_id = $1 AND seq > $2 "
                                                            "ORDER BY seq LIMIT $3",
                     3, params, s_read, limit,
                     &samhand__v1__list_deviation_reads_response__descriptor,
                     (ProtobufCMessage **)out);
}
