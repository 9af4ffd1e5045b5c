/* SQL of meetings and the notices kept of them; see agenda_store.h for the
 * contract. */
#include "agenda_store_sql.h"
#include "samhand_rows.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Whether meeting `m` reads as its last notice (kept) to one who does not
 * run its committee, `runs` saying whether the reader does. */
#define READS_AS_NOTICED(m, runs)                                                                  \
    "(" m ".state IN ('NOTICE_PUBLISHED', 'CANCELLED') AND EXISTS (SELECT 1 FROM "                 \
    "notice_versions v WHERE v.meeting_id = " m ".id AND v.version = " m ".notice_version) AND "   \
    "NOT " runs ")"
/* when the meeting starts as the list's reader reads it ($9-$11 its
 * READER_RUNS): a noticed meeting's last notice's, else the draft's */
#define LISTED_START                                                                               \
    "(CASE WHEN " READS_AS_NOTICED(                                                                \
        "meetings", READER_RUNS("meetings.committee_id", "$9", "$10",                              \
                                "$11")) " THEN (SELECT v.starts_at FROM notice_versions v WHERE "  \
                                        "v.meeting_id = meetings.id AND v.version = "              \
                                        "meetings.notice_version) ELSE starts_at END)"
/* whether the meeting changed since its last notice */
#define MEETING_CHANGED                                                                            \
    "EXISTS (SELECT 1 FROM agenda_changes c WHERE c.meeting_id = meetings.id AND "                 \
    "c.version IS NULL)"
#define MEETING_TIMES                                                                              \
    ROWS_TIMESTAMP_US("notice_at")                                                                 \
    ", cancel_reason, " ROWS_TIMESTAMP_US("created_at") ", " ROWS_TIMESTAMP_US(                    \
        "updated_at") ", " ROWS_TIMESTAMP_US("minutes_approved_at")
/* the paging key, row_seq, last */
#define MEETING_COLUMNS                                                                            \
    "id, committee_id, kind, title, extract(epoch FROM starts_at)::bigint, "                       \
    "extract(epoch FROM ends_at)::bigint, place, online_url, "                                     \
    "coalesce(chair_person_id::text, ''), state, notice_version, " MEETING_TIMES                   \
    ", " MEETING_CHANGED ", row_seq"

static ProtobufCMessage *s_meeting(const PGresult *res, int row)
{
    Samhand__V1__Meeting *m = malloc(sizeof *m);
    assert(m);
    samhand__v1__meeting__init(m);
    m->id = rows_text(res, row, 0);
    m->committee_id = rows_text(res, row, 1);
    m->kind = rows_enum(&samhand__v1__meeting__kind__descriptor, res, row, 2);
    m->title = rows_text(res, row, 3);
    m->start_time = rows_timestamp_s(res, row, 4);
    m->end_time = rows_timestamp_s(res, row, 5);
    m->place = rows_text(res, row, 6);
    m->online_url = rows_text(res, row, 7);
    m->chair_person_id = rows_text(res, row, 8);
    m->state = rows_enum(&samhand__v1__meeting__state__descriptor, res, row, 9);
    m->notice_version = atoi(PQgetvalue(res, row, 10));
    if (!PQgetisnull(res, row, 11))
        m->notice_time = rows_timestamp_us(res, row, 11);
    m->cancel_reason = rows_text(res, row, 12);
    m->create_time = rows_timestamp_us(res, row, 13);
    m->update_time = rows_timestamp_us(res, row, 14);
    if (!PQgetisnull(res, row, 15))
        m->minutes_approve_time = rows_timestamp_us(res, row, 15);
    m->has_unpublished_changes = PQgetvalue(res, row, 16)[0] == 't';
    return &m->base;
}

#define ITEM_COLUMNS                                                                               \
    "id, meeting_id, position, kind, title, description, array_to_json(presenters)::text, "        \
    "duration_min, is_exempt, exemption_basis, coalesce(case_number, ''), is_withdrawn, "          \
    "added_in_version, coalesce(case_id::text, ''), coalesce(outcome, ''), decision, "             \
    "array_to_json(discussion_points)::text, coalesce(carried_from::text, ''), "                   \
    "(SELECT extract(epoch FROM om.starts_at)::bigint FROM agenda_items o JOIN meetings om ON "    \
    "om.id = o.meeting_id WHERE o.id = agenda_items.carried_from), "                               \
    "(SELECT coalesce(o.case_number, '') FROM agenda_items o WHERE o.id = "                        \
    "agenda_items.carried_from), public_title"

static ProtobufCMessage *s_item(const PGresult *res, int row)
{
    Samhand__V1__AgendaItem *item = malloc(sizeof *item);
    assert(item);
    samhand__v1__agenda_item__init(item);
    item->id = rows_text(res, row, 0);
    item->meeting_id = rows_text(res, row, 1);
    item->position = atoi(PQgetvalue(res, row, 2));
    item->kind = rows_enum(&samhand__v1__agenda_item__kind__descriptor, res, row, 3);
    item->title = rows_text(res, row, 4);
    item->description = rows_text(res, row, 5);
    item->presenters = rows_json_strings(PQgetvalue(res, row, 6), &item->n_presenters);
    item->duration_min = atoi(PQgetvalue(res, row, 7));
    item->is_exempt = PQgetvalue(res, row, 8)[0] == 't';
    item->exemption_basis = rows_text(res, row, 9);
    item->case_number = rows_text(res, row, 10);
    item->is_withdrawn = PQgetvalue(res, row, 11)[0] == 't';
    item->added_in_version = atoi(PQgetvalue(res, row, 12));
    item->case_id = rows_text(res, row, 13);
    item->outcome = rows_enum(&samhand__v1__agenda_item__outcome__descriptor, res, row, 14);
    item->decision = rows_text(res, row, 15);
    item->discussion_points =
        rows_json_strings(PQgetvalue(res, row, 16), &item->n_discussion_points);
    item->carried_from_item_id = rows_text(res, row, 17);
    if (!PQgetisnull(res, row, 18))
        item->carried_from_meeting_time = rows_timestamp_s(res, row, 18);
    item->carried_from_case_number = rows_text(res, row, 19);
    item->public_title = rows_text(res, row, 20);
    return &item->base;
}

int agenda_store_meeting_insert(db_t *db, const agenda_meeting_fields_t *f,
                                Samhand__V1__Meeting **out)
{
    const char *params[] = {f->committee_id, f->kind,  f->title,      f->starts_at,
                            f->ends_at,      f->place, f->online_url, f->chair_person_id};
    return rows_one(db,
                    "INSERT INTO meetings (committee_id, kind, title, starts_at, ends_at, place, "
                    "online_url, chair_person_id) VALUES ($1, $2, coalesce($3, ''), "
                    "to_timestamp($4::bigint), to_timestamp($5::bigint), coalesce($6, ''), "
                    "coalesce($7, ''), $8::uuid) RETURNING " MEETING_COLUMNS,
                    8, params, s_meeting, (ProtobufCMessage **)out);
}

ProtobufCMessage *agenda_rows_attendance(const PGresult *res, int row)
{
    Samhand__V1__Attendance *a = malloc(sizeof *a);
    assert(a);
    samhand__v1__attendance__init(a);
    a->person_id = rows_text(res, row, 0);
    a->status = rows_enum(&samhand__v1__attendance__status__descriptor, res, row, 1);
    a->deputy_for_person_id = rows_text(res, row, 2);
    a->person_name = rows_text(res, row, 3);
    return &a->base;
}

static ProtobufCMessage *s_notice_version(const PGresult *res, int row);

#define NOTICE_VERSIONS_SQL                                                                        \
    "SELECT version, " ROWS_TIMESTAMP_US("published_at") " FROM notice_versions "                  \
                                                         "WHERE meeting_id = $1 ORDER BY version"

int agenda_store_meeting_get(db_t *db, const char *id, bool lock, bool with_notice_versions,
                             Samhand__V1__Meeting **out)
{
    const char *params[] = {id};
    /* one round trip: the row (locked first, when asked), then its lists */
    const db_statement_t reads[] = {
        {lock ? "SELECT " MEETING_COLUMNS " FROM meetings WHERE id = $1 FOR UPDATE"
              : "SELECT " MEETING_COLUMNS " FROM meetings WHERE id = $1",
         1, params},
        {"SELECT " ITEM_COLUMNS " FROM agenda_items WHERE meeting_id = $1 ORDER BY position", 1,
         params},
        {"SELECT a.person_id, a.status, coalesce(a.deputy_for::text, ''), p.name "
         "FROM attendance a JOIN persons p ON p.id = a.person_id "
         "WHERE a.meeting_id = $1 ORDER BY p.name, a.person_id",
         1, params},
        {NOTICE_VERSIONS_SQL, 1, params}};
    int n = with_notice_versions ? 4 : 3;
    PGresult *res[4];
    if (db_query_each(db, reads, n, res) != 0)
        return -1;
    bool found = PQntuples(res[0]) > 0;
    if (found) {
        *out = (Samhand__V1__Meeting *)s_meeting(res[0], 0);
        rows_children_of(res[1], s_item, &(*out)->base, "items");
        rows_children_of(res[2], agenda_rows_attendance, &(*out)->base, "attendance");
        if (with_notice_versions)
            rows_children_of(res[3], s_notice_version, &(*out)->base, "notice_versions");
    } else {
        for (int i = 1; i < n; i++)
            PQclear(res[i]);
    }
    PQclear(res[0]);
    return found ? 0 : 1;
}

int agenda_store_meeting_update(db_t *db, const char *id, const agenda_meeting_fields_t *f)
{
    const char *params[] = {id,
                            f->kind,
                            f->title,
                            f->starts_at,
                            f->ends_at,
                            f->place,
                            f->online_url,
                            f->chair_person_id,
                            f->clear_chair ? "t" : "f"};
    PGresult *res = db_query(
        db,
        "UPDATE meetings SET kind = coalesce($2, kind), title = coalesce($3, title), "
        "starts_at = coalesce(to_timestamp($4::bigint), starts_at), "
        "ends_at = coalesce(to_timestamp($5::bigint), ends_at), place = coalesce($6, place), "
        "online_url = coalesce($7, online_url), chair_person_id = CASE WHEN $9::boolean THEN NULL "
        "ELSE coalesce($8::uuid, chair_person_id) END, updated_at = now() WHERE id = $1",
        9, params);
    if (!res)
        return -1;
    int found = atoi(PQcmdTuples(res)) > 0;
    PQclear(res);
    return found ? 0 : 1;
}

int agenda_store_meeting_list(db_t *db, agenda_page_t page, const char *committee_id,
                              const char *state, const char *from, const char *to, bool with_drafts,
                              const char *q, const agenda_reader_t *reader,
                              Samhand__V1__ListMeetingsResponse **out)
{
    char after[24], limit[16];
    rows_page_params(page.after, page.limit, after, limit);
    const agenda_reader_t nobody = {.subject = ""};
    if (!reader)
        reader = &nobody;
    const char *params[] = {after,
                            limit,
                            committee_id,
                            state,
                            from,
                            to,
                            with_drafts ? "t" : "f",
                            q,
                            reader->is_administrator ? "t" : "f",
                            reader->staff_organization_id,
                            reader->subject};
    return rows_list(
        db,
        "SELECT " MEETING_COLUMNS " FROM meetings WHERE row_seq > $1"
        " AND ($3::uuid IS NULL OR committee_id = $3)"
        " AND ($4::text IS NULL OR state = $4)"
        /* the window is of the time the reader reads: the last notice's
         * (READS_AS_NOTICED), or the working draft's */
        " AND ($5::bigint IS NULL OR " LISTED_START " >= to_timestamp($5::bigint))"
        " AND ($6::bigint IS NULL OR " LISTED_START " < to_timestamp($6::bigint))"
        " AND ($7::boolean OR state <> 'DRAFT')"
        /* what the reader reads is searched: the last notice's words by
         * those who read it, the working draft by those who run the
         * committee; an exempt item's title (exempt then or now) is
         * not the public's: its public title is searched instead */
        " AND ($8::text IS NULL OR CASE WHEN " READS_AS_NOTICED(
            "meetings",
            READER_RUNS(
                "meetings.committee_id", "$9", "$10",
                "$11")) " THEN "
                        "      EXISTS (SELECT 1 FROM notice_versions v WHERE v.meeting_id = "
                        "      meetings.id AND v.version = meetings.notice_version AND "
                        "      (strpos(lower(v.title), lower($8)) > 0 OR "
                        "      strpos(lower(v.place), lower($8)) > 0 OR EXISTS (SELECT 1 FROM "
                        "      notice_items n JOIN agenda_items i ON i.id = n.item_id WHERE "
                        "      n.meeting_id = v.meeting_id AND n.version = v.version AND "
                        "      strpos(lower(CASE WHEN n.is_exempt OR i.is_exempt THEN "
                        "      coalesce(nullif(n.public_title, ''), i.public_title) ELSE n.title "
                        "END), "
                        "      lower($8)) > 0)))"
                        "      ELSE strpos(lower(title), lower($8)) > 0 OR "
                        "      strpos(lower(place), lower($8)) > 0 OR EXISTS (SELECT 1 FROM "
                        "      agenda_items i WHERE i.meeting_id = meetings.id AND "
                        "      strpos(lower(CASE WHEN i.is_exempt THEN i.public_title ELSE "
                        "      i.title END), lower($8)) > 0) END)"
                        " ORDER BY row_seq LIMIT $2",
        11, params, s_meeting, page.limit, &samhand__v1__list_meetings_response__descriptor,
        (ProtobufCMessage **)out);
}

int agenda_store_meeting_touch(db_t *db, const char *id)
{
    const char *params[] = {id};
    return rows_exec(db, "UPDATE meetings SET updated_at = now() WHERE id = $1", 1, params);
}

int agenda_store_meeting_set_state(db_t *db, const char *id, const char *state,
                                   const char *cancel_reason)
{
    const char *params[] = {id, state, cancel_reason};
    return rows_exec(db,
                     "UPDATE meetings SET state = $2, cancel_reason = coalesce($3, cancel_reason), "
                     "updated_at = now() WHERE id = $1",
                     3, params);
}

int agenda_store_meeting_noticed(db_t *db, const char *id, int version)
{
    char v[16];
    snprintf(v, sizeof v, "%d", version);
    const char *params[] = {id, v};
    return rows_exec(db,
                     "UPDATE meetings SET state = 'NOTICE_PUBLISHED', notice_version = $2, "
                     "notice_at = now(), updated_at = now() WHERE id = $1",
                     2, params);
}

int agenda_store_notice_keep(db_t *db, const char *meeting_id, int version,
                             const Samhand__V1__KeptNotice *notice)
{
    size_t len = protobuf_c_message_get_packed_size(&notice->base);
    uint8_t *packed = malloc(len + 1);
    char *hex = malloc(2 * len + 1);
    assert(packed && hex);
    protobuf_c_message_pack(&notice->base, packed);
    for (size_t i = 0; i < len; i++)
        snprintf(hex + 2 * i, 3, "%02x", packed[i]);
    hex[2 * len] = '\0';
    char v[16];
    snprintf(v, sizeof v, "%d", version);
    const char *params[] = {meeting_id, v, hex};
    /* the notice is the meeting as it stands in this transaction */
    int rc = rows_exec(db,
                       "INSERT INTO notice_versions (meeting_id, version, notice, title, place, "
                       "starts_at, ends_at) SELECT $1, $2, decode($3, 'hex'), title, place, "
                       "starts_at, ends_at FROM meetings "
                       "WHERE id = $1",
                       3, params);
    if (rc >= 0)
        rc = rows_exec(db,
                       "INSERT INTO notice_items (meeting_id, version, item_id, title, is_exempt, "
                       "public_title) SELECT $1, $2, id, title, is_exempt, public_title "
                       "FROM agenda_items "
                       "WHERE meeting_id = $1",
                       2, params);
    free(hex);
    free(packed);
    return rc < 0 ? -1 : 0;
}

int agenda_store_notice_moved(db_t *db, const char *meeting_id, int version)
{
    char v[16];
    snprintf(v, sizeof v, "%d", version);
    const char *params[] = {meeting_id, v};
    return rows_bool(db,
                     "SELECT EXISTS (SELECT 1 FROM notice_versions n JOIN notice_versions b ON "
                     "b.meeting_id = n.meeting_id AND b.version = n.version - 1 WHERE "
                     "n.meeting_id = $1 AND n.version = $2 AND n.starts_at <> b.starts_at)",
                     2, params);
}

int agenda_store_notice_get(db_t *db, const char *meeting_id, int version,
                            Samhand__V1__KeptNotice **out)
{
    char v[16];
    snprintf(v, sizeof v, "%d", version);
    const char *params[] = {meeting_id, v};
    *out = NULL;
    PGresult *res = db_query(db,
                             "SELECT encode(notice, 'hex') FROM notice_versions "
                             "WHERE meeting_id = $1 AND version = $2",
                             2, params);
    if (!res)
        return -1;
    int rc = 1;
    if (PQntuples(res) == 1) {
        const char *hex = PQgetvalue(res, 0, 0);
        size_t len = strlen(hex) / 2;
        uint8_t *packed = malloc(len + 1);
        assert(packed);
        for (size_t i = 0; i < len; i++) {
            unsigned byte;
            sscanf(hex + 2 * i, "%2x", &byte);
            packed[i] = (uint8_t)byte;
        }
        *out = samhand__v1__kept_notice__unpack(NULL, len, packed);
        free(packed);
        rc = *out ? 0 : -1;
    }
    PQclear(res);
    return rc;
}

static ProtobufCMessage *s_notice_version(const PGresult *res, int row)
{
    Samhand__V1__NoticeVersion *v = malloc(sizeof *v);
    assert(v);
    samhand__v1__notice_version__init(v);
    v->version = atoi(PQgetvalue(res, row, 0));
    v->kind = v->version > 1 ? SAMHAND__V1__NOTICE_VERSION__KIND__SUPPLEMENTARY_NOTICE
                             : SAMHAND__V1__NOTICE_VERSION__KIND__NOTICE;
    v->publish_time = rows_timestamp_us(res, row, 1);
    return &v->base;
}
