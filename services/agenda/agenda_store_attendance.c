/* SQL of a meeting's seats before it is held: deputies in order, absences,
 * call-ups, disqualifications; see agenda_store_attendance.h. */
#include "agenda_store_attendance.h"
#include "agenda_store_sql.h"
#include "samhand_rows.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The meeting $1, its committee and its day in Oslo. */
#define MEETING_DAY                                                                                \
    "mt AS (SELECT m.id, m.committee_id, (coalesce(v.starts_at, m.starts_at) AT TIME ZONE "        \
    "'Europe/Oslo')::date AS day FROM meetings m LEFT JOIN notice_versions v ON v.meeting_id = "   \
    "m.id AND v.version = m.notice_version WHERE m.id = $1::uuid)"
/* Those who hold a seat of the meeting's committee on its day, once each. */
#define SEATS                                                                                      \
    "seat AS (SELECT DISTINCT ON (ms.person_id) ms.person_id, ms.role, ms.organization_id "        \
    "FROM memberships ms, mt WHERE ms.committee_id = mt.committee_id AND ms.role IN ('CHAIR', "    \
    "'VICE_CHAIR', 'MEMBER') AND ms.term_from <= mt.day AND (ms.term_to IS NULL OR ms.term_to "    \
    ">= mt.day) ORDER BY ms.person_id, ms.row_seq)"

static Samhand__V1__Timestamp *s_time_or_null(const PGresult *res, int row, int col)
{
    return PQgetisnull(res, row, col) ? NULL : rows_timestamp_us(res, row, col);
}

static int s_id(db_t *db, const char *sql, int n, const char *const *params, char id[40])
{
    PGresult *res = db_query(db, sql, n, params);
    if (!res)
        return -1;
    int found = PQntuples(res) > 0;
    if (found)
        snprintf(id, 40, "%s", PQgetvalue(res, 0, 0));
    PQclear(res);
    return found ? 0 : 1;
}

int agenda_store_membership_set_deputy(db_t *db, const char *committee_id, const char *id,
                                       const char *for_person_id, const char *for_organization_id,
                                       const char *rank, Samhand__V1__Membership **out)
{
    const char *params[] = {committee_id, id, for_person_id, for_organization_id, rank};
    int rc = rows_exec(db,
                       "UPDATE memberships SET deputy_for_person_id = $3::uuid, "
                       "deputy_for_organization_id = $4::uuid, deputy_rank = $5::integer, "
                       "updated_at = now() WHERE committee_id = $1 AND id = $2",
                       5, params);
    if (rc != 0)
        return rc;
    return agenda_store_membership_get(db, committee_id, id, out);
}

int agenda_store_person_of(db_t *db, const char *subject, char person_id[40])
{
    const char *params[] = {subject};
    return s_id(db, "SELECT id FROM persons WHERE principal_subject = $1", 1, params, person_id);
}

int agenda_store_seat_held(db_t *db, const char *meeting_id, const char *person_id)
{
    const char *params[] = {meeting_id, person_id};
    return rows_bool(db,
                     "WITH " MEETING_DAY ", " SEATS
                     " SELECT EXISTS (SELECT 1 FROM seat WHERE person_id = $2::uuid)",
                     2, params);
}

/* ------------------------------------------------------------ absences */

#define CALL_UP_COLUMNS                                                                            \
    "c.id, c.absence_id, a.meeting_id, mt.committee_id, c.deputy_person_id, dp.name, c.rank, "     \
    "c.state, a.person_id, ap.name, " ROWS_TIMESTAMP_US("c.called_at") ", " ROWS_TIMESTAMP_US(     \
        "c.answered_at") ", " ROWS_TIMESTAMP_US("coalesce(nv.starts_at, mt.starts_at)")
#define CALL_UP_FROM                                                                               \
    " FROM call_ups c JOIN absences a ON a.id = c.absence_id JOIN meetings mt ON mt.id = "         \
    "a.meeting_id LEFT JOIN notice_versions nv ON nv.meeting_id = mt.id AND nv.version = "         \
    "mt.notice_version JOIN persons dp ON dp.id = c.deputy_person_id JOIN persons ap ON ap.id = "  \
    "a.person_id "

/* CALL_UP_COLUMNS, in order, into samhand.v1.CallUp; the times, which may
 * be missing, by hand below */
static const rows_map_t s_call_up_map =
    ROWS_MAP(samhand__v1__call_up__descriptor, "id", "absence_id", "meeting_id", "committee_id",
             "deputy_person_id", "deputy_name", "rank", "state", "absent_person_id", "absent_name");

static ProtobufCMessage *s_call_up(const PGresult *res, int row)
{
    Samhand__V1__CallUp *c = (Samhand__V1__CallUp *)rows_read(&s_call_up_map, res, row);
    c->call_time = s_time_or_null(res, row, 10);
    c->answer_time = s_time_or_null(res, row, 11);
    c->meeting_start_time = s_time_or_null(res, row, 12);
    return &c->base;
}

/* the absence's columns, in order, into samhand.v1.Absence; the times,
 * which may be missing, by hand below */
static const rows_map_t s_absence_map =
    ROWS_MAP(samhand__v1__absence__descriptor, "id", "meeting_id", "committee_id", "person_id",
             "person_name", "reason");

static ProtobufCMessage *s_absence(const PGresult *res, int row)
{
    Samhand__V1__Absence *a = (Samhand__V1__Absence *)rows_read(&s_absence_map, res, row);
    a->is_withdrawn = !PQgetisnull(res, row, 7);
    a->create_time = s_time_or_null(res, row, 6);
    a->withdraw_time = s_time_or_null(res, row, 7);
    return &a->base;
}

int agenda_store_absence_insert(db_t *db, const char *meeting_id, const char *person_id,
                                const char *reason, char id[40])
{
    const char *params[] = {meeting_id, person_id, reason};
    return s_id(db,
                "INSERT INTO absences (meeting_id, person_id, reason) VALUES ($1, $2, $3) "
                "ON CONFLICT (meeting_id, person_id) WHERE withdrawn_at IS NULL DO NOTHING "
                "RETURNING id",
                3, params, id);
}

int agenda_store_absence_get(db_t *db, const char *meeting_id, const char *id,
                             Samhand__V1__Absence **out)
{
    const char *params[] = {meeting_id, id};
    int rc = rows_one(db,
                      "SELECT a.id, a.meeting_id, mt.committee_id, a.person_id, p.name, a.reason, "
                      "" ROWS_TIMESTAMP_US("a.created_at") ", " ROWS_TIMESTAMP_US(
                          "a.withdrawn_at") " FROM absences a JOIN meetings mt ON mt.id = "
                                            "a.meeting_id JOIN persons p ON p.id = a.person_id "
                                            "WHERE a.meeting_id = $1 AND a.id = $2",
                      2, params, s_absence, (ProtobufCMessage **)out);
    if (rc != 0)
        return rc;
    const char *child[] = {id};
    if (rows_children(db,
                      "SELECT " CALL_UP_COLUMNS CALL_UP_FROM
                      "WHERE c.absence_id = $1 ORDER BY c.called_at, c.id",
                      1, child, s_call_up, &(*out)->base, "call_ups") != 0) {
        protobuf_c_message_free_unpacked(&(*out)->base, NULL);
        *out = NULL;
        return -1;
    }
    return 0;
}

int agenda_store_absence_withdraw(db_t *db, const char *meeting_id, const char *id)
{
    const char *params[] = {meeting_id, id};
    int rc = rows_exec(db,
                       "UPDATE absences SET withdrawn_at = now() WHERE meeting_id = $1 AND id = $2 "
                       "AND withdrawn_at IS NULL",
                       2, params);
    if (rc != 0)
        return rc;
    const char *child[] = {id};
    return rows_exec(db,
                     "UPDATE call_ups SET state = 'WITHDRAWN', answered_at = coalesce(answered_at, "
                     "now()) WHERE absence_id = $1 AND state IN ('CALLED', 'ACCEPTED')",
                     1, child) < 0
               ? -1
               : 0;
}

int agenda_store_call_ups_end(db_t *db, const char *meeting_id, agenda_ended_call_up_t **ended,
                              size_t *n)
{
    *ended = NULL;
    *n = 0;
    const char *params[] = {meeting_id};
    PGresult *res = db_query(db,
                             "UPDATE call_ups c SET state = 'ENDED', answered_at = "
                             "coalesce(c.answered_at, now()) FROM absences a WHERE a.id = "
                             "c.absence_id AND a.meeting_id = $1 AND a.withdrawn_at IS NULL AND "
                             "c.state IN ('CALLED', 'ACCEPTED') RETURNING c.absence_id, c.id",
                             1, params);
    if (!res)
        return -1;
    int rows = PQntuples(res);
    if (rows > 0 && !(*ended = calloc((size_t)rows, sizeof **ended))) {
        PQclear(res);
        return -1;
    }
    for (int i = 0; i < rows; i++) {
        snprintf((*ended)[i].absence_id, 40, "%s", PQgetvalue(res, i, 0));
        snprintf((*ended)[i].id, 40, "%s", PQgetvalue(res, i, 1));
    }
    *n = (size_t)rows;
    PQclear(res);
    return 0;
}

int agenda_store_call_next(db_t *db, const char *absence_id)
{
    const char *params[] = {absence_id};
    char id[40];
    return s_id(
        db,
        "WITH a AS (SELECT a.id, a.person_id, a.meeting_id, mt.committee_id, "
        "(mt.starts_at AT TIME ZONE 'Europe/Oslo')::date AS day FROM absences a JOIN meetings mt "
        "ON mt.id = a.meeting_id WHERE a.id = $1 AND a.withdrawn_at IS NULL), "
        "seat AS (SELECT ms.organization_id FROM memberships ms, a WHERE ms.committee_id = "
        "a.committee_id AND ms.person_id = a.person_id AND ms.role IN ('CHAIR', 'VICE_CHAIR', "
        "'MEMBER') AND ms.term_from <= a.day AND (ms.term_to IS NULL OR ms.term_to >= a.day)) "
        "INSERT INTO call_ups (absence_id, deputy_person_id, rank) "
        "SELECT a.id, d.person_id, d.deputy_rank FROM a, memberships d "
        "WHERE d.committee_id = a.committee_id AND d.role = 'DEPUTY' AND d.deputy_rank IS NOT NULL "
        "AND d.term_from <= a.day AND (d.term_to IS NULL OR d.term_to >= a.day) "
        "AND (d.deputy_for_person_id = a.person_id OR d.deputy_for_organization_id IN "
        "(SELECT organization_id FROM seat)) AND d.person_id <> a.person_id "
        "AND NOT EXISTS (SELECT 1 FROM call_ups c JOIN absences x ON x.id = c.absence_id "
        "WHERE x.meeting_id = a.meeting_id AND c.deputy_person_id = d.person_id AND c.state IN "
        "('CALLED', 'ACCEPTED', 'DECLINED')) "
        "AND NOT EXISTS (SELECT 1 FROM absences x WHERE x.meeting_id = a.meeting_id AND "
        "x.person_id = d.person_id AND x.withdrawn_at IS NULL) "
        "ORDER BY d.deputy_for_person_id IS NULL, d.deputy_rank, d.row_seq LIMIT 1 RETURNING id",
        1, params, id);
}

int agenda_store_call_up_get(db_t *db, const char *id, Samhand__V1__CallUp **out)
{
    const char *params[] = {id};
    return rows_one(db, "SELECT " CALL_UP_COLUMNS CALL_UP_FROM "WHERE c.id = $1", 1, params,
                    s_call_up, (ProtobufCMessage **)out);
}

int agenda_store_call_up_answer(db_t *db, const char *id, const char *state)
{
    const char *params[] = {id, state};
    return rows_exec(db,
                     "UPDATE call_ups SET state = $2, answered_at = now() WHERE id = $1 AND "
                     "state = 'CALLED'",
                     2, params);
}

int agenda_store_call_ups_of(db_t *db, const char *meeting_id, const char *person_id,
                             ProtobufCMessage *parent, const char *field)
{
    const char *params[] = {meeting_id, person_id};
    return rows_children(db,
                         "SELECT " CALL_UP_COLUMNS CALL_UP_FROM
                         "WHERE a.meeting_id = $1 AND c.deputy_person_id = $2 AND c.state NOT IN "
                         "('WITHDRAWN', 'ENDED') ORDER BY c.called_at, c.id",
                         2, params, s_call_up, parent, field);
}

/* ------------------------------------------------------------ seats */

static ProtobufCMessage *s_seat(const PGresult *res, int row)
{
    Samhand__V1__Seat *s = malloc(sizeof *s);
    assert(s);
    samhand__v1__seat__init(s);
    s->person_id = rows_text(res, row, 0);
    s->person_name = rows_text(res, row, 1);
    s->role = rows_enum(&samhand__v1__membership__role__descriptor, res, row, 2);
    s->organization_id = rows_text(res, row, 3);
    s->absence_id = rows_text(res, row, 4);
    s->reason = rows_text(res, row, 5);
    const char *call_state = PQgetvalue(res, row, 6);
    s->deputy_person_id = rows_text(res, row, 7);
    s->deputy_name = rows_text(res, row, 8);
    s->call_up_id = rows_text(res, row, 9);
    bool any_called = PQgetvalue(res, row, 10)[0] == 't';
    if (!s->absence_id[0])
        s->state = SAMHAND__V1__SEAT__STATE__COMING;
    else if (strcmp(call_state, "ACCEPTED") == 0)
        s->state = SAMHAND__V1__SEAT__STATE__DEPUTY_ACCEPTED;
    else if (strcmp(call_state, "CALLED") == 0)
        s->state = SAMHAND__V1__SEAT__STATE__DEPUTY_CALLED;
    else if (any_called)
        s->state = SAMHAND__V1__SEAT__STATE__NO_DEPUTY_LEFT;
    else
        s->state = SAMHAND__V1__SEAT__STATE__ABSENT;
    return &s->base;
}

int agenda_store_seats(db_t *db, const char *meeting_id, Samhand__V1__ListSeatsResponse **out)
{
    *out = malloc(sizeof **out);
    assert(*out);
    samhand__v1__list_seats_response__init(*out);
    const char *params[] = {meeting_id};
    if (rows_children(
            db,
            "WITH " MEETING_DAY ", " SEATS
            " SELECT s.person_id, p.name, s.role, s.organization_id, coalesce(a.id::text, ''), "
            "coalesce(a.reason, ''), coalesce(c.state, ''), coalesce(c.deputy_person_id::text, "
            "''), coalesce(dp.name, ''), coalesce(c.id::text, ''), (a.id IS NOT NULL AND EXISTS "
            "(SELECT 1 FROM call_ups x WHERE x.absence_id = a.id)) FROM seat s JOIN persons p ON "
            "p.id = s.person_id LEFT JOIN absences a ON a.meeting_id = $1::uuid AND a.person_id = "
            "s.person_id AND a.withdrawn_at IS NULL LEFT JOIN LATERAL (SELECT * FROM call_ups x "
            "WHERE x.absence_id = a.id AND x.state IN ('CALLED', 'ACCEPTED') ORDER BY "
            "x.called_at DESC LIMIT 1) c ON true LEFT JOIN persons dp ON dp.id = "
            "c.deputy_person_id ORDER BY p.name, s.person_id",
            1, params, s_seat, &(*out)->base, "items") != 0) {
        protobuf_c_message_free_unpacked(&(*out)->base, NULL);
        *out = NULL;
        return -1;
    }
    return 0;
}

/* The attendance the seats give: person, status, deputy_for, name. */
#define SEATED_ATTENDANCE                                                                          \
    "WITH " MEETING_DAY ", " SEATS ", ab AS (SELECT id, person_id FROM absences WHERE "            \
    "meeting_id = $1::uuid AND withdrawn_at IS NULL) "                                             \
    "SELECT s.person_id::text AS person_id, CASE WHEN ab.id IS NULL THEN 'PRESENT' ELSE "          \
    "'ABSENT_WITH_NOTICE' END AS status, '' AS deputy_for, p.name FROM seat s JOIN persons p ON "  \
    "p.id = s.person_id LEFT JOIN ab ON ab.person_id = s.person_id "                               \
    "UNION ALL SELECT c.deputy_person_id::text, 'DEPUTY', ab.person_id::text, p.name FROM ab "     \
    "JOIN call_ups c ON c.absence_id = ab.id AND c.state = 'ACCEPTED' JOIN persons p ON p.id = "   \
    "c.deputy_person_id WHERE c.deputy_person_id NOT IN (SELECT person_id FROM seat)"

int agenda_store_attendance_from_seats(db_t *db, Samhand__V1__Meeting *meeting)
{
    if (meeting->n_attendance > 0)
        return 0;
    const char *params[] = {meeting->id};
    return rows_children(db, SEATED_ATTENDANCE " ORDER BY 4, 1", 1, params, agenda_rows_attendance,
                         &meeting->base, "attendance");
}

int agenda_store_attendance_seed(db_t *db, const char *meeting_id)
{
    const char *params[] = {meeting_id};
    return rows_exec(db,
                     "INSERT INTO attendance (meeting_id, person_id, status, deputy_for) "
                     "SELECT $1::uuid, x.person_id::uuid, x.status, nullif(x.deputy_for, "
                     "'')::uuid FROM (" SEATED_ATTENDANCE ") x WHERE NOT EXISTS (SELECT 1 FROM "
                     "attendance WHERE meeting_id = $1::uuid)",
                     1, params) < 0
               ? -1
               : 0;
}

/* ------------------------------------------------------------ disqualifications */

#define DISQUALIFICATION_COLUMNS                                                                   \
    "d.id, i.meeting_id, mt.committee_id, d.item_id, d.person_id, p.name, d.reason, "              \
    "coalesce(d.decision, ''), " ROWS_TIMESTAMP_US("d.created_at") ", " ROWS_TIMESTAMP_US(         \
        "d.decided_at") " FROM disqualifications d JOIN agenda_items i ON i.id = d.item_id JOIN "  \
                        "meetings mt ON mt.id = i.meeting_id JOIN persons p ON p.id = "            \
                        "d.person_id "

/* the declaration's columns, in order, into samhand.v1.Disqualification;
 * the times, which may be missing, by hand below */
static const rows_map_t s_disqualification_map =
    ROWS_MAP(samhand__v1__disqualification__descriptor, "id", "meeting_id", "committee_id",
             "item_id", "person_id", "person_name", "reason", "decision");

static ProtobufCMessage *s_disqualification(const PGresult *res, int row)
{
    Samhand__V1__Disqualification *d =
        (Samhand__V1__Disqualification *)rows_read(&s_disqualification_map, res, row);
    d->create_time = s_time_or_null(res, row, 8);
    d->decide_time = s_time_or_null(res, row, 9);
    return &d->base;
}

int agenda_store_disqualification_insert(db_t *db, const char *item_id, const char *person_id,
                                         const char *reason, char id[40])
{
    const char *params[] = {item_id, person_id, reason};
    return s_id(db,
                "INSERT INTO disqualifications (item_id, person_id, reason) VALUES ($1, $2, $3) "
                "ON CONFLICT (item_id, person_id) DO NOTHING RETURNING id",
                3, params, id);
}

int agenda_store_disqualification_get(db_t *db, const char *meeting_id, const char *id,
                                      Samhand__V1__Disqualification **out)
{
    const char *params[] = {meeting_id, id};
    return rows_one(db, "SELECT " DISQUALIFICATION_COLUMNS "WHERE i.meeting_id = $1 AND d.id = $2",
                    2, params, s_disqualification, (ProtobufCMessage **)out);
}

int agenda_store_disqualification_decide(db_t *db, const char *id, const char *decision)
{
    const char *params[] = {id, decision};
    return rows_exec(db,
                     "UPDATE disqualifications SET decision = $2, decided_at = now() WHERE id = $1",
                     2, params);
}

int agenda_store_disqualifications(db_t *db, const char *meeting_id, const char *person_id,
                                   ProtobufCMessage *parent, const char *field)
{
    const char *params[] = {meeting_id, person_id};
    return rows_children(db,
                         "SELECT " DISQUALIFICATION_COLUMNS
                         "WHERE i.meeting_id = $1 AND ($2::uuid IS NULL OR d.person_id = $2) "
                         "ORDER BY i.position, p.name, d.id",
                         2, params, s_disqualification, parent, field);
}

/* ------------------------------------------------------------ the member's own */

int agenda_store_my_meetings(db_t *db, const char *person_id, char ***ids, size_t *n)
{
    const char *params[] = {person_id};
    PGresult *res = db_query(
        db,
        /* a meeting at the times its last notice gave it (not a drafted move) */
        "WITH mt AS (SELECT m.id, m.committee_id, coalesce(v.starts_at, m.starts_at) AS starts_at, "
        "coalesce(v.ends_at, m.ends_at) AS ends_at FROM meetings m LEFT JOIN notice_versions v ON "
        "v.meeting_id = m.id AND v.version = m.notice_version WHERE m.state IN "
        "('NOTICE_PUBLISHED', 'HELD')) "
        "SELECT mt.id FROM mt WHERE mt.ends_at >= now() AND EXISTS (SELECT 1 FROM memberships ms "
        "WHERE ms.committee_id = mt.committee_id AND ms.person_id = $1 AND ms.term_from <= "
        "(mt.starts_at AT TIME ZONE 'Europe/Oslo')::date AND (ms.term_to IS NULL OR ms.term_to >= "
        "(mt.starts_at AT TIME ZONE 'Europe/Oslo')::date)) ORDER BY mt.starts_at, mt.id LIMIT 50",
        1, params);
    if (!res)
        return -1;
    *n = (size_t)PQntuples(res);
    *ids = calloc(*n ? *n : 1, sizeof **ids);
    assert(*ids);
    for (size_t i = 0; i < *n; i++)
        (*ids)[i] = rows_text(res, (int)i, 0);
    PQclear(res);
    return 0;
}
