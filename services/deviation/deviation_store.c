/* SQL of the deviation service; see deviation_store.h for the contract. */
#include "deviation_store.h"
#include "samhand_rows.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------- reports */

static char *s_seconds_text(const Samhand__V1__Timestamp *t, char buf[24])
{
    if (!t)
        return NULL;
    snprintf(buf, 24, "%lld", (long long)t->seconds);
    return buf;
}

/* The form's columns as parameters $1..$19, in the order of the insert
 * (the writer's subject, $4, from `reporter_subject`); `times` holds the
 * text of the two times. */
static void s_form_params(const Samhand__V1__CreateDeviationRequest *req,
                          const char *reporter_subject, char times[2][24], const char *params[19])
{
    const ProtobufCEnumValue *type = protobuf_c_enum_descriptor_get_value(
        &samhand__v1__deviation_report__type__descriptor, req->type);
    const ProtobufCEnumValue *harm = protobuf_c_enum_descriptor_get_value(
        &samhand__v1__deviation_report__harm_degree__descriptor, req->harm_degree);
    const char *values[] = {req->reporting_organization_id,
                            req->reporting_unit,
                            req->receiving_organization_id,
                            reporter_subject,
                            req->reporter_name,
                            req->reporter_email,
                            req->is_anonymous ? "t" : "f",
                            s_seconds_text(req->occurred_time, times[0]),
                            s_seconds_text(req->discovered_time, times[1]),
                            req->is_patient_related ? "t" : "f",
                            req->type && type ? type->name : NULL,
                            req->category_code[0] ? req->category_code : NULL,
                            req->actual_consequence,
                            req->possible_consequence,
                            req->description,
                            req->immediate_measures,
                            req->improvement_suggestion,
                            req->agreement_clause,
                            req->harm_degree && harm ? harm->name : NULL};
    memcpy(params, values, sizeof values);
}

int deviation_store_update_draft(db_t *db, const char *id,
                                 const Samhand__V1__CreateDeviationRequest *form)
{
    char times[2][24];
    const char *params[19];
    s_form_params(form, id, times, params); /* $4, the writer, stays: the id there */
    return rows_exec(
               db,
               "UPDATE reports SET reporting_unit = $2, receiving_organization_id = $3, "
               "reporter_name = $5, reporter_email = $6, is_anonymous = $7, "
               "occurred_at = to_timestamp($8::bigint), discovered_at = to_timestamp($9::bigint), "
               "is_patient_related = $10, type = $11, category_code = $12, "
               "actual_consequence = $13, possible_consequence = $14, description = $15, "
               "immediate_measures = $16, improvement_suggestion = $17, agreement_clause = $18, "
               "harm_degree = $19, category_version = CASE WHEN $12::text IS NULL THEN NULL ELSE "
               "(SELECT max(version) FROM category_versions) END, updated_at = now() "
               "WHERE id = $4::uuid AND state = 'DRAFT' AND reporting_organization_id = $1",
               19, params) == 0
               ? 0
               : -1;
}

int deviation_store_insert(db_t *db, const Samhand__V1__CreateDeviationRequest *req,
                           const char *reporter_subject, char id[40])
{
    char times[2][24];
    const char *params[19];
    s_form_params(req, reporter_subject, times, params);
    PGresult *res = db_query(
        db,
        "INSERT INTO reports (state, reporting_organization_id, reporting_unit, "
        "receiving_organization_id, reporter_subject, reporter_name, reporter_email, is_anonymous, "
        "occurred_at, discovered_at, is_patient_related, type, category_code, actual_consequence, "
        "possible_consequence, description, immediate_measures, improvement_suggestion, "
        "agreement_clause, harm_degree, category_version) VALUES ('DRAFT', $1, $2, $3, $4, $5, "
        "$6, $7, to_timestamp($8::bigint), to_timestamp($9::bigint), $10, $11, $12, $13, $14, $15, "
        "$16, $17, $18, $19, CASE WHEN $12::text IS NULL THEN NULL ELSE (SELECT max(version) FROM "
        "category_versions) END) RETURNING id",
        19, params);
    if (!res)
        return -1;
    snprintf(id, 40, "%s", PQgetvalue(res, 0, 0));
    PQclear(res);
    return 0;
}

/* The columns of a report, in s_report's order; the cursor (row_seq) last. */
/* clang-format off */
#define REPORT_COLUMNS                                                                             \
    "id, coalesce(reference, ''), state, reporting_organization_id, reporting_unit, "              \
    "receiving_organization_id, reporter_name, reporter_email, is_anonymous, "                     \
    "extract(epoch FROM occurred_at)::bigint, extract(epoch FROM discovered_at)::bigint, "         \
    "is_patient_related, coalesce(type, ''), coalesce(category_code, ''), actual_consequence, "    \
    "possible_consequence, description, immediate_measures, improvement_suggestion, "              \
    "agreement_clause, answer, rejection_reason, coalesce(duplicate_of::text, ''), "               \
    "coalesce(acknowledge_due::text, ''), coalesce(answer_due::text, ''), "                        \
    ROWS_TIMESTAMP_US("submitted_at") ", " ROWS_TIMESTAMP_US("acknowledged_at") ", "              \
    ROWS_TIMESTAMP_US("answered_at") ", " ROWS_TIMESTAMP_US("closed_at") ", "                     \
    ROWS_TIMESTAMP_US("created_at") ", " ROWS_TIMESTAMP_US("updated_at") ", "                     \
    "coalesce(paused_on::text, ''), reporter_subject, coalesce(settings_version, 0), "            \
    "array_to_json(ARRAY(SELECT f.organization_id::text FROM report_forwards f "                   \
    "  WHERE f.report_id = reports.id ORDER BY f.forwarded_at)), "                                 \
    "coalesce(dispute_committee_id::text, ''), coalesce(dispute_proposal_id::text, ''), "          \
    "coalesce(dispute_state, ''), coalesce(dispute_meeting_id::text, ''), dispute_reason, "        \
    "coalesce(harm_degree, ''), dispute_decision, coalesce(category_version, 0), row_seq"
/* clang-format on */

static Samhand__V1__Deadline *s_deadline(const PGresult *res, int row, int col)
{
    Samhand__V1__Deadline *d = malloc(sizeof *d);
    assert(d);
    samhand__v1__deadline__init(d);
    d->due_date = rows_text(res, row, col);
    return d;
}

static Samhand__V1__Timestamp *s_maybe_us(const PGresult *res, int row, int col)
{
    return PQgetisnull(res, row, col) ? NULL : rows_timestamp_us(res, row, col);
}

static Samhand__V1__Timestamp *s_maybe_s(const PGresult *res, int row, int col)
{
    return PQgetisnull(res, row, col) ? NULL : rows_timestamp_s(res, row, col);
}

/* REPORT_COLUMNS, in order, into samhand.v1.DeviationReport; the times
 * that may be missing and the deadlines are read by hand below */
static const rows_map_t s_report_map = ROWS_MAP(
    samhand__v1__deviation_report__descriptor, "id", "reference", "state",
    "reporting_organization_id", "reporting_unit", "receiving_organization_id", "reporter_name",
    "reporter_email", "is_anonymous", NULL, NULL, "is_patient_related", "type", "category_code",
    "actual_consequence", "possible_consequence", "description", "immediate_measures",
    "improvement_suggestion", "agreement_clause", "answer", "rejection_reason", "duplicate_of_id",
    NULL, NULL, NULL, NULL, NULL, NULL, "create_time", "update_time", NULL, "reporter_subject",
    "settings_version", "previous_receiving_organization_ids", "dispute_committee_id",
    "dispute_proposal_id", "dispute_state", "dispute_meeting_id", "dispute_reason", "harm_degree",
    "dispute_decision", "category_version");

static ProtobufCMessage *s_report(const PGresult *res, int row)
{
    Samhand__V1__DeviationReport *r =
        (Samhand__V1__DeviationReport *)rows_read(&s_report_map, res, row);
    r->occurred_time = s_maybe_s(res, row, 9);
    r->discovered_time = s_maybe_s(res, row, 10);
    r->acknowledge_deadline = s_deadline(res, row, 23);
    r->answer_deadline = s_deadline(res, row, 24);
    r->submit_time = s_maybe_us(res, row, 25);
    r->acknowledge_time = s_maybe_us(res, row, 26);
    r->answer_time = s_maybe_us(res, row, 27);
    r->close_time = s_maybe_us(res, row, 28);
    /* column 31, paused_on, travels in the answer deadline's status: the
     * aggregate reads it from there */
    if (PQgetvalue(res, row, 31)[0])
        r->answer_deadline->status = SAMHAND__V1__DEADLINE__STATUS__PAUSED;
    return &r->base;
}

/* a report's transitions: action, from, to, comment, actor, organisation,
 * time */
static const rows_map_t s_transition_map =
    ROWS_MAP(samhand__v1__deviation_transition__descriptor, "action", "from_state", "to_state",
             "comment", "actor", "actor_organization_id", "time");

static ProtobufCMessage *s_transition(const PGresult *res, int row)
{
    return rows_read(&s_transition_map, res, row);
}

int deviation_store_get(db_t *db, const char *id, bool lock, Samhand__V1__DeviationReport **out)
{
    const char *params[] = {id};
    int rc = rows_one(db,
                      lock ? "SELECT " REPORT_COLUMNS " FROM reports WHERE id = $1 FOR UPDATE"
                           : "SELECT " REPORT_COLUMNS " FROM reports WHERE id = $1",
                      1, params, s_report, (ProtobufCMessage **)out);
    if (rc != 0)
        return rc;
    if (rows_children(db,
                      "SELECT action, from_state, to_state, comment, actor, "
                      "coalesce(actor_organization_id::text, ''), " ROWS_TIMESTAMP_US(
                          "created_at") " FROM transitions WHERE report_id = $1 ORDER BY id",
                      1, params, s_transition, &(*out)->base, "history") != 0) {
        protobuf_c_message_free_unpacked(&(*out)->base, NULL);
        *out = NULL;
        return -1;
    }
    return 0;
}

int deviation_store_change(db_t *db, const char *id, const deviation_change_t *c)
{
    char version[16];
    snprintf(version, sizeof version, "%d", c->settings_version);
    const char *params[] = {id,
                            c->state,
                            c->receiving_organization_id,
                            c->answer,
                            c->rejection_reason,
                            c->duplicate_of,
                            c->acknowledge_due,
                            c->answer_due,
                            c->paused_on,
                            c->set_submitted ? "t" : "f",
                            c->set_acknowledged ? "t" : (c->clear_acknowledged ? "c" : "f"),
                            c->set_answered ? "t" : (c->clear_answered ? "c" : "f"),
                            c->set_closed ? "t" : (c->clear_closed ? "c" : "f"),
                            c->settings_version > 0 ? version : NULL};
    return rows_exec(
        db,
        "UPDATE reports SET state = coalesce($2, state), "
        "receiving_organization_id = coalesce($3::uuid, receiving_organization_id), "
        "answer = coalesce($4, answer), rejection_reason = coalesce($5, rejection_reason), "
        "duplicate_of = coalesce($6::uuid, duplicate_of), "
        "acknowledge_due = coalesce($7::date, acknowledge_due), "
        "answer_due = coalesce($8::date, answer_due), "
        "paused_on = CASE WHEN $9::text IS NULL THEN paused_on WHEN $9 = '' THEN NULL "
        "  ELSE $9::date END, "
        "submitted_at = CASE WHEN $10::boolean THEN now() ELSE submitted_at END, "
        "acknowledged_at = CASE $11 WHEN 't' THEN now() WHEN 'c' THEN NULL ELSE acknowledged_at "
        "  END, "
        "answered_at = CASE $12 WHEN 't' THEN now() WHEN 'c' THEN NULL ELSE answered_at END, "
        "closed_at = CASE $13 WHEN 't' THEN now() WHEN 'c' THEN NULL ELSE closed_at END, "
        "due_soon_notified = due_soon_notified AND $7::date IS NULL AND $8::date IS NULL, "
        "overdue_notified = overdue_notified AND $7::date IS NULL AND $8::date IS NULL, "
        "settings_version = coalesce($14::integer, settings_version), "
        "updated_at = now() WHERE id = $1",
        14, params);
}

/* The reference's text from the year's row `n` of its series ($2), as
 * both the reference of a submitted report and of a new one have it. */
#define REFERENCE_OF_N                                                                             \
    "$2 || '-' || n.year || '-' || lpad(n.number::text, greatest(4, length(n.number::text)), '0')"
#define REFERENCE_N                                                                                \
    "n AS (SELECT r.year, nextval($3::regclass) - r.base AS number FROM reference_years r "        \
    "  WHERE r.series = $2 AND r.year = extract(year FROM now() AT TIME ZONE "                     \
    "  'Europe/Oslo')::integer)"

/* The year's base of a series, made by its first report of a year: a
 * concurrent first waits for this one's commit and then finds it (see
 * 010_reference_numbers.sql). */
static int s_reference_year(db_t *db, const char *const params[2])
{
    return rows_exec(db,
                     "INSERT INTO reference_years (series, year, base) SELECT $1, extract(year "
                     "FROM now() AT TIME ZONE 'Europe/Oslo')::integer, nextval($2::regclass) "
                     "ON CONFLICT (series, year) DO NOTHING",
                     2, params) < 0
               ? -1
               : 0;
}

int deviation_store_give_reference(db_t *db, const char *id, bool is_proposal, char reference[32])
{
    /* a series, and the sequence it is counted from (016_proposal_references.sql) */
    const char *series[] = {is_proposal ? "FOR" : "AVV",
                            is_proposal ? "proposal_reference_numbers" : "reference_numbers"};
    const char *params[] = {id, series[0], series[1]};
    for (int attempt = 0; attempt < 2; attempt++) {
        PGresult *res =
            db_query(db,
                     "WITH " REFERENCE_N " UPDATE reports SET reference = " REFERENCE_OF_N
                     " FROM n WHERE id = $1 AND reference IS NULL RETURNING reference",
                     3, params);
        if (!res)
            return -1;
        int rows = PQntuples(res);
        if (rows == 1)
            snprintf(reference, 32, "%s", PQgetvalue(res, 0, 0));
        PQclear(res);
        if (rows == 1)
            return 0;
        /* the year's first report: its base, then the number */
        if (attempt > 0 || s_reference_year(db, series) != 0)
            return -1;
    }
    return -1;
}

int deviation_store_insert_submitted(db_t *db, const Samhand__V1__CreateDeviationRequest *req,
                                     const char *reporter_subject, const deviation_change_t *c,
                                     bool is_proposal, const char *actor,
                                     const char *actor_organization_id,
                                     Samhand__V1__DeviationReport **out)
{
    const char *series[] = {is_proposal ? "FOR" : "AVV",
                            is_proposal ? "proposal_reference_numbers" : "reference_numbers"};
    char times[2][24], version[16];
    const char *form[19];
    s_form_params(req, reporter_subject, times, form);
    snprintf(version, sizeof version, "%d", c->settings_version);
    /* $1 the actor, $2 and $3 the series as give_reference has them, the
     * form $4..$22, then the submission */
    const char *params[27] = {actor, series[0], series[1]};
    memcpy(params + 3, form, sizeof form);
    params[22] = c->acknowledge_due;
    params[23] = c->answer_due;
    params[24] = c->settings_version > 0 ? version : NULL;
    params[25] = actor_organization_id;
    params[26] = "submit";
    for (int attempt = 0; attempt < 2; attempt++) {
        /* the row written once, submitted, with its reference and its
         * transition: not a draft updated twice (each update of a report
         * writes every index of it anew) */
        PGresult *res = db_query(
            db,
            "WITH " REFERENCE_N ", made AS (INSERT INTO reports (state, reporting_organization_id, "
            "reporting_unit, receiving_organization_id, reporter_subject, reporter_name, "
            "reporter_email, is_anonymous, occurred_at, discovered_at, is_patient_related, type, "
            "category_code, actual_consequence, possible_consequence, description, "
            "immediate_measures, improvement_suggestion, agreement_clause, harm_degree, "
            "category_version, acknowledge_due, answer_due, submitted_at, settings_version, "
            "reference) SELECT 'SUBMITTED', $4, $5, $6, $7, $8, $9, $10, "
            "to_timestamp($11::bigint), to_timestamp($12::bigint), $13, $14, $15, $16, $17, $18, "
            "$19, $20, $21, $22, CASE WHEN $15::text IS NULL THEN NULL ELSE (SELECT max(version) "
            "FROM category_versions) END, $23::date, $24::date, now(), "
            "$25::integer, " REFERENCE_OF_N " FROM n RETURNING *), "
            "t AS (INSERT INTO transitions (report_id, action, from_state, to_state, comment, "
            "actor, actor_organization_id) SELECT id, $27, 'DRAFT', 'SUBMITTED', '', $1, "
            "nullif($26, '')::uuid FROM made RETURNING action AS t_action, from_state AS t_from, "
            "to_state AS t_to, comment AS t_comment, actor AS t_actor, "
            "coalesce(actor_organization_id::text, '') AS t_organization, " ROWS_TIMESTAMP_US(
                "created_at") " AS t_time) "
                              "SELECT " REPORT_COLUMNS
                              ", t.t_action, t.t_from, t.t_to, t.t_comment, "
                              "t.t_actor, t.t_organization, t.t_time FROM made AS reports, t",
            27, params);
        if (!res)
            return -1;
        if (PQntuples(res) == 1) {
            Samhand__V1__DeviationReport *r = (Samhand__V1__DeviationReport *)s_report(res, 0);
            /* the transition as the database keeps it, in the row's last
             * seven columns */
            int t = PQnfields(res) - 7;
            Samhand__V1__DeviationTransition *step = malloc(sizeof *step);
            r->history = malloc(sizeof *r->history);
            assert(step && r->history);
            samhand__v1__deviation_transition__init(step);
            step->action = rows_text(res, 0, t);
            step->from_state =
                rows_enum(&samhand__v1__deviation_report__state__descriptor, res, 0, t + 1);
            step->to_state =
                rows_enum(&samhand__v1__deviation_report__state__descriptor, res, 0, t + 2);
            step->comment = rows_text(res, 0, t + 3);
            step->actor = rows_text(res, 0, t + 4);
            step->actor_organization_id = rows_text(res, 0, t + 5);
            step->time = rows_timestamp_us(res, 0, t + 6);
            r->history[0] = step;
            r->n_history = 1;
            PQclear(res);
            *out = r;
            return 0;
        }
        PQclear(res);
        /* the year's first report: its base, then the report */
        if (attempt > 0 || s_reference_year(db, series) != 0)
            return -1;
    }
    return -1;
}

int deviation_store_transition(db_t *db, const char *id, const char *action, const char *from,
                               const char *to, const char *comment, const char *actor,
                               const char *actor_organization_id)
{
    const char *params[] = {id, action, from, to, comment, actor, actor_organization_id};
    return rows_exec(db,
                     "INSERT INTO transitions (report_id, action, from_state, to_state, comment, "
                     "actor, actor_organization_id) VALUES ($1, $2, $3, $4, coalesce($5, ''), $6, "
                     "nullif($7, '')::uuid)",
                     7, params);
}

int deviation_store_list(db_t *db, deviation_page_t page, const char *organization_id,
                         const char *subject, const char *state, bool overdue, const char *today,
                         const char *reference, const char *caller_organization, const char *type,
                         Samhand__V1__ListDeviationsResponse **out)
{
    char after[24], limit[16];
    rows_page_params(page.after, page.limit, after, limit);
    const char *params[] = {
        after,   limit,     organization_id,     state, overdue ? "t" : "f", today,
        subject, reference, caller_organization, type};
    /* who may see a report, as deviation_report.c's s_sides has it */
#define LIST_WHERE                                                                                 \
    " AND ($3::uuid IS NULL OR reporting_organization_id = $3 OR receiving_organization_id = $3"   \
    "      OR id IN (SELECT report_id FROM report_forwards WHERE organization_id = $3))"           \
    " AND (state <> 'DRAFT' OR (reporter_subject = $7 AND $7 <> ''))"                              \
    " AND ($4::text IS NULL OR state = $4)"                                                        \
    " AND (NOT $5::boolean OR (state = 'SUBMITTED' AND acknowledge_due < $6::date) OR "            \
    "      (state = 'AWAITING_RESPONSE' AND answer_due < $6::date))"                               \
    " AND ($8::text IS NULL OR upper(reference) = upper($8))"                                      \
    " AND (state <> 'IN_REVIEW' OR reporting_organization_id::text = $9)"                          \
    " AND ($10::text IS NULL OR type = $10)"
    const char *sql = page.newest_first ? "SELECT " REPORT_COLUMNS " FROM reports WHERE "
                                          "($1::bigint = 0 OR row_seq < $1)" LIST_WHERE
                                          " ORDER BY row_seq DESC LIMIT $2"
                                        : "SELECT " REPORT_COLUMNS " FROM reports WHERE "
                                          "row_seq > $1" LIST_WHERE " ORDER BY row_seq LIMIT $2";
#undef LIST_WHERE
    return rows_list(db, sql, 10, params, s_report, page.limit,
                     &samhand__v1__list_deviations_response__descriptor, (ProtobufCMessage **)out);
}

int deviation_store_alerts(db_t *db, const char *today, const char *soon, deviation_alert_fn emit,
                           void *arg)
{
    const char *params[] = {today, soon};
    PGresult *res = db_query(
        db,
        "SELECT id, (state = 'SUBMITTED' AND acknowledge_due < $1::date) OR "
        "(state = 'AWAITING_RESPONSE' AND answer_due < $1::date) FROM reports WHERE "
        "((state = 'SUBMITTED' AND acknowledge_due <= $2::date) OR "
        " (state = 'AWAITING_RESPONSE' AND answer_due <= $2::date)) AND NOT overdue_notified AND "
        "(NOT due_soon_notified OR (state = 'SUBMITTED' AND acknowledge_due < $1::date) OR "
        " (state = 'AWAITING_RESPONSE' AND answer_due < $1::date)) "
        "ORDER BY row_seq LIMIT 1000 FOR UPDATE SKIP LOCKED",
        2, params);
    if (!res)
        return -1;
    int count = 0;
    for (int i = 0; i < PQntuples(res); i++) {
        const char *id = PQgetvalue(res, i, 0);
        bool overdue = PQgetvalue(res, i, 1)[0] == 't';
        const char *mark[] = {id};
        if (emit(db, id, overdue, arg) != 0 ||
            rows_exec(db,
                      overdue ? "UPDATE reports SET overdue_notified = true, due_soon_notified = "
                                "true WHERE id = $1"
                              : "UPDATE reports SET due_soon_notified = true WHERE id = $1",
                      1, mark) < 0) {
            PQclear(res);
            return -1;
        }
        count++;
    }
    PQclear(res);
    return count;
}

int deviation_store_facts(db_t *db, const char *from, const char *to, deviation_fact_t **out,
                          size_t *n)
{
    const char *params[] = {from, to};
    PGresult *res = db_query(
        db,
        "SELECT coalesce(category_code, ''), coalesce(type, ''), state, "
        "reporting_organization_id, receiving_organization_id, "
        "to_char(submitted_at AT TIME ZONE 'Europe/Oslo', 'YYYY-MM-DD'), "
        "coalesce(to_char(acknowledged_at AT TIME ZONE 'Europe/Oslo', 'YYYY-MM-DD'), ''), "
        "coalesce(to_char(answered_at AT TIME ZONE 'Europe/Oslo', 'YYYY-MM-DD'), ''), "
        "coalesce(answer_due::text, ''), coalesce(f.kind, ''), coalesce(t.kind, ''), "
        "coalesce(f.name, ''), coalesce(t.name, ''), coalesce(harm_degree, '') FROM reports "
        "LEFT JOIN organizations f ON f.id = reporting_organization_id "
        "LEFT JOIN organizations t ON t.id = receiving_organization_id "
        "WHERE submitted_at IS NOT NULL AND "
        "(submitted_at AT TIME ZONE 'Europe/Oslo')::date >= $1::date AND "
        "(submitted_at AT TIME ZONE 'Europe/Oslo')::date < $2::date ORDER BY submitted_at",
        2, params);
    if (!res)
        return -1;
    int rows = PQntuples(res);
    *out = calloc((size_t)rows + 1, sizeof **out);
    assert(*out);
    for (int i = 0; i < rows; i++) {
        deviation_fact_t *f = &(*out)[i];
        f->category = rows_text(res, i, 0);
        f->type = rows_text(res, i, 1);
        f->state = rows_text(res, i, 2);
        f->reporting = rows_text(res, i, 3);
        f->receiving = rows_text(res, i, 4);
        snprintf(f->submitted, sizeof f->submitted, "%s", PQgetvalue(res, i, 5));
        snprintf(f->acknowledged, sizeof f->acknowledged, "%s", PQgetvalue(res, i, 6));
        snprintf(f->answered, sizeof f->answered, "%s", PQgetvalue(res, i, 7));
        snprintf(f->answer_due, sizeof f->answer_due, "%s", PQgetvalue(res, i, 8));
        f->reporting_kind = rows_text(res, i, 9);
        f->receiving_kind = rows_text(res, i, 10);
        f->reporting_name = rows_text(res, i, 11);
        f->receiving_name = rows_text(res, i, 12);
        f->harm_degree = rows_text(res, i, 13);
    }
    *n = (size_t)rows;
    PQclear(res);
    return 0;
}

void deviation_facts_free(deviation_fact_t *facts, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(facts[i].category);
        free(facts[i].type);
        free(facts[i].state);
        free(facts[i].reporting);
        free(facts[i].receiving);
        free(facts[i].reporting_kind);
        free(facts[i].receiving_kind);
        free(facts[i].reporting_name);
        free(facts[i].receiving_name);
        free(facts[i].harm_degree);
    }
    free(facts);
}

rows_batch_t *deviation_store_organizations_batch(void)
{
    static const char *const columns[] = {"id", "name", "kind"};
    return rows_batch_new(
        "INSERT INTO organizations (id, name, kind) SELECT DISTINCT ON (id) id, name, kind FROM "
        "jsonb_to_recordset($1::jsonb) AS r(n int, id uuid, name text, kind text) ORDER BY id, n "
        "DESC ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, kind = EXCLUDED.kind, "
        "updated_at = now()",
        columns, 3);
}

/* ------------------------------------------------------------------ settings */

int deviation_store_settings_first(db_t *db, const char *const params[6])
{
    return rows_exec(db,
                     "INSERT INTO settings_versions (version, valid_from, acknowledge_length, "
                     "acknowledge_unit, answer_length, answer_unit, statistics_period, "
                     "reminder_days, comment, actor) VALUES (1, '2000-01-01', $1::integer, $2, "
                     "$3::integer, $4, $5, $6::integer, 'Fra miljøvariablene', 'system') "
                     "ON CONFLICT (version) DO NOTHING",
                     6, params) < 0
               ? -1
               : 0;
}

static Samhand__V1__DeadlineRule *s_rule(const PGresult *res, int row, int col)
{
    if (PQgetisnull(res, row, col))
        return NULL;
    Samhand__V1__DeadlineRule *rule = malloc(sizeof *rule);
    assert(rule);
    samhand__v1__deadline_rule__init(rule);
    rule->length = atoi(PQgetvalue(res, row, col));
    rule->unit = rows_enum(&samhand__v1__deadline_rule__unit__descriptor, res, row, col + 1);
    return rule;
}

static Samhand__V1__PartnershipSettings *s_settings(const PGresult *res, int row)
{
    Samhand__V1__PartnershipSettings *s = malloc(sizeof *s);
    assert(s);
    samhand__v1__partnership_settings__init(s);
    s->version = atoi(PQgetvalue(res, row, 0));
    s->valid_from = rows_text(res, row, 1);
    s->acknowledge_deadline = s_rule(res, row, 2);
    s->answer_deadline = s_rule(res, row, 4);
    s->statistics_period = rows_enum(&samhand__v1__statistics_period__descriptor, res, row, 6);
    s->reminder_days = atoi(PQgetvalue(res, row, 7));
    s->comment = rows_text(res, row, 8);
    s->actor = rows_text(res, row, 9);
    s->actor_organization_id = rows_text(res, row, 10);
    s->create_time = rows_timestamp_us(res, row, 11);
    s->update_time = rows_timestamp_us(res, row, 11);
    s->dispute_committee_id = rows_text(res, row, 12);
    s->is_leader_review = PQgetvalue(res, row, 13)[0] == 't';
    return s;
}

int deviation_store_settings_list(db_t *db, bool lock,
                                  Samhand__V1__ListSettingsVersionsResponse **out)
{
    if (lock &&
        rows_exec(db, "LOCK TABLE settings_versions IN SHARE ROW EXCLUSIVE MODE", 0, NULL) < 0)
        return -1;
    PGresult *res =
        db_query(db,
                 "SELECT version, valid_from::text, acknowledge_length, "
                 "acknowledge_unit, answer_length, answer_unit, statistics_period, "
                 "reminder_days, comment, actor, "
                 "coalesce(actor_organization_id::text, ''), " ROWS_TIMESTAMP_US(
                     "created_at") ", coalesce(dispute_committee_id::text, ''), leader_review "
                                   "FROM settings_versions ORDER BY version",
                 0, NULL);
    if (!res)
        return -1;
    Samhand__V1__ListSettingsVersionsResponse *list = malloc(sizeof *list);
    assert(list);
    samhand__v1__list_settings_versions_response__init(list);
    int rows = PQntuples(res);
    list->items = calloc((size_t)rows + 1, sizeof *list->items);
    assert(list->items);
    for (int i = 0; i < rows; i++)
        list->items[i] = s_settings(res, i);
    list->n_items = (size_t)rows;
    PQclear(res);
    *out = list;
    return 0;
}

static const char *s_enum_name(const ProtobufCEnumDescriptor *desc, int value)
{
    const ProtobufCEnumValue *v = protobuf_c_enum_descriptor_get_value(desc, value);
    return v ? v->name : NULL;
}

int deviation_store_settings_insert(db_t *db, const Samhand__V1__PartnershipSettings *s,
                                    const char *actor, const char *actor_organization_id)
{
    char version[16], ack_length[16], answer_length[16], reminder[16];
    snprintf(version, sizeof version, "%d", s->version);
    snprintf(ack_length, sizeof ack_length, "%d",
             s->acknowledge_deadline ? s->acknowledge_deadline->length : 0);
    snprintf(answer_length, sizeof answer_length, "%d", s->answer_deadline->length);
    snprintf(reminder, sizeof reminder, "%d", s->reminder_days);
    const ProtobufCEnumDescriptor *unit = &samhand__v1__deadline_rule__unit__descriptor;
    const char *params[] = {
        version,
        s->valid_from,
        s->acknowledge_deadline ? ack_length : NULL,
        s->acknowledge_deadline ? s_enum_name(unit, s->acknowledge_deadline->unit) : NULL,
        answer_length,
        s_enum_name(unit, s->answer_deadline->unit),
        s_enum_name(&samhand__v1__statistics_period__descriptor, s->statistics_period),
        reminder,
        s->comment,
        actor,
        actor_organization_id,
        s->dispute_committee_id,
        s->is_leader_review ? "t" : "f"};
    return rows_exec(db,
                     "INSERT INTO settings_versions (version, valid_from, acknowledge_length, "
                     "acknowledge_unit, answer_length, answer_unit, statistics_period, "
                     "reminder_days, comment, actor, actor_organization_id, "
                     "dispute_committee_id, leader_review) VALUES ($1::integer, $2::date, "
                     "$3::integer, $4, $5::integer, $6, $7, $8::integer, $9, $10, "
                     "nullif($11, '')::uuid, nullif($12, '')::uuid, $13::boolean)",
                     13, params) < 0
               ? -1
               : 0;
}
