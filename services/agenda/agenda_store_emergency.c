/* SQL of emergencies, their meetings and log; see agenda_store.h for the
 * contract. */
#include "agenda_store_sql.h"
#include "samhand_rows.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int agenda_store_emergency_insert(db_t *db, const char *committee_id, const char *title,
                                  const char *description, char id[40])
{
    const char *params[] = {committee_id, title, description};
    PGresult *res = db_query(db,
                             "INSERT INTO emergencies (committee_id, title, description) VALUES "
                             "($1, $2, coalesce($3, '')) RETURNING id",
                             3, params);
    if (!res)
        return -1;
    snprintf(id, 40, "%s", PQgetvalue(res, 0, 0));
    PQclear(res);
    return 0;
}

/* a log entry's kind, text, meeting, time and author */
static const rows_map_t s_log_entry_map = ROWS_MAP(samhand__v1__emergency_log_entry__descriptor,
                                                   "kind", "text", "meeting_id", "time", "author");

static ProtobufCMessage *s_log_entry(const PGresult *res, int row)
{
    return rows_read(&s_log_entry_map, res, row);
}

int agenda_store_emergency_list(db_t *db, agenda_page_t page, const char *committee_id,
                                Samhand__V1__ListEmergenciesResponse **out)
{
    char after[24], limit[16];
    rows_page_params(page.after, page.limit, after, limit);
    const char *params[] = {after, limit, committee_id};
    PGresult *res = db_query(db,
                             "SELECT id, row_seq FROM emergencies WHERE committee_id = $3 AND "
                             "row_seq > $1 ORDER BY row_seq LIMIT $2",
                             3, params);
    if (!res)
        return -1;
    int rows = PQntuples(res);
    int shown = rows > page.limit ? page.limit : rows;
    Samhand__V1__ListEmergenciesResponse *list = malloc(sizeof *list);
    assert(list);
    samhand__v1__list_emergencies_response__init(list);
    list->items = calloc((size_t)shown + 1, sizeof *list->items);
    assert(list->items);
    int rc = 0;
    for (int i = 0; i < shown && rc == 0; i++) {
        rc = agenda_store_emergency_get(db, PQgetvalue(res, i, 0), false, &list->items[i]);
        if (rc == 0)
            list->n_items++;
    }
    list->next_cursor = rows > shown && shown > 0 ? rows_text(res, shown - 1, 1) : strdup("");
    PQclear(res);
    if (rc != 0) {
        protobuf_c_message_free_unpacked(&list->base, NULL);
        return -1;
    }
    *out = list;
    return 0;
}

int agenda_store_emergency_get(db_t *db, const char *id, bool lock, Samhand__V1__Emergency **out)
{
    const char *params[] = {id};
    PGresult *res = db_query(db,
                             lock ? "SELECT id, committee_id, title, description, closed_at IS "
                                    "NULL, " ROWS_TIMESTAMP_US("opened_at") ", " ROWS_TIMESTAMP_US(
                                        "closed_at") ", closing_note FROM emergencies WHERE id = "
                                                     "$1 FOR UPDATE"
                                  : "SELECT id, committee_id, title, description, closed_at IS "
                                    "NULL, " ROWS_TIMESTAMP_US("opened_at") ", " ROWS_TIMESTAMP_US(
                                        "closed_at") ", closing_note FROM emergencies WHERE id = "
                                                     "$1",
                             1, params);
    if (!res)
        return -1;
    if (PQntuples(res) == 0) {
        PQclear(res);
        return 1;
    }
    Samhand__V1__Emergency *e = malloc(sizeof *e);
    assert(e);
    samhand__v1__emergency__init(e);
    e->id = rows_text(res, 0, 0);
    e->committee_id = rows_text(res, 0, 1);
    e->title = rows_text(res, 0, 2);
    e->description = rows_text(res, 0, 3);
    e->is_open = PQgetvalue(res, 0, 4)[0] == 't';
    e->open_time = rows_timestamp_us(res, 0, 5);
    if (!PQgetisnull(res, 0, 6))
        e->close_time = rows_timestamp_us(res, 0, 6);
    e->closing_note = rows_text(res, 0, 7);
    PQclear(res);

    res = db_query(db, "SELECT id FROM meetings WHERE emergency_id = $1 ORDER BY starts_at, id", 1,
                   params);
    if (res) {
        int rows = PQntuples(res);
        e->meeting_ids = calloc((size_t)rows + 1, sizeof *e->meeting_ids);
        assert(e->meeting_ids);
        for (int i = 0; i < rows; i++)
            e->meeting_ids[i] = rows_text(res, i, 0);
        e->n_meeting_ids = (size_t)rows;
        PQclear(res);
    }
    if (!res ||
        rows_children(db,
                      "SELECT kind, text, coalesce(meeting_id::text, ''), " ROWS_TIMESTAMP_US(
                          "created_at") ", author FROM emergency_log WHERE emergency_id = "
                                        "$1 ORDER BY id",
                      1, params, s_log_entry, &e->base, "log") != 0) {
        protobuf_c_message_free_unpacked(&e->base, NULL);
        return -1;
    }
    *out = e;
    return 0;
}

int agenda_store_emergency_log(db_t *db, const char *id, const char *kind, const char *text,
                               const char *meeting_id, const char *author)
{
    const char *params[] = {id, kind, text, meeting_id, author};
    return rows_exec(db,
                     "INSERT INTO emergency_log (emergency_id, kind, text, meeting_id, author) "
                     "VALUES ($1, $2, $3, $4::uuid, $5)",
                     5, params);
}

int agenda_store_emergency_close(db_t *db, const char *id, const char *note)
{
    const char *params[] = {id, note};
    return rows_exec(db,
                     "UPDATE emergencies SET closed_at = now(), closing_note = coalesce($2, '') "
                     "WHERE id = $1 AND closed_at IS NULL",
                     2, params);
}

int agenda_store_meeting_in_emergency(db_t *db, const char *meeting_id, const char *emergency_id)
{
    const char *params[] = {meeting_id, emergency_id};
    return rows_exec(db, "UPDATE meetings SET emergency_id = $2 WHERE id = $1", 2, params);
}
