/* The partnership's settings as a resource: deadlines of deviation reports,
 * the statistics period and the reminder lead time, versioned by the date
 * from which each version holds. Read by every signed-in caller, changed by
 * administrators only, with If-Match on the newest version; each change is
 * a new version (the audit trail) and a no.samhand.deviation.
 * settings_changed event for every party. Version 1 comes from the
 * environment the first time the settings are needed. */
#include "deviation_rules.h"
#include "deviation_server.h"
#include "samhand_check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef Samhand__V1__PartnershipSettings settings_t;
typedef Samhand__V1__ListSettingsVersionsResponse versions_t;

/* Every version, version 1 written first if there is none yet. */
static int s_versions(db_t *db, const deviation_context_t *ctx, bool lock, versions_t **out)
{
    char ack[16], answer[16], reminder[16];
    snprintf(ack, sizeof ack, "%ld", ctx->acknowledge_days);
    snprintf(answer, sizeof answer, "%ld", ctx->answer_days);
    snprintf(reminder, sizeof reminder, "%ld", ctx->reminder_days);
    const char *first[] = {ack, "WORKING_DAYS", answer, "WORKING_DAYS", "TERTIAL", reminder};
    if (deviation_store_settings_list(db, lock, out) != 0)
        return -1;
    if ((*out)->n_items > 0)
        return 0;
    protobuf_c_message_free_unpacked(&(*out)->base, NULL);
    *out = NULL;
    if (deviation_store_settings_first(db, first) != 0)
        return -1;
    return deviation_store_settings_list(db, false, out);
}

/* The version of `list` in force on `date`: the newest whose valid_from is
 * on or before it (version 1 holds from 2000). */
static settings_t *s_in_force(const versions_t *list, const char *date)
{
    settings_t *found = list->n_items ? list->items[0] : NULL;
    for (size_t i = 0; i < list->n_items; i++)
        if (strcmp(list->items[i]->valid_from, date) <= 0)
            found = list->items[i];
    return found;
}

/* A copy of one version, for a caller who keeps it past the list. */
static settings_t *s_copy(const settings_t *s)
{
    size_t len = samhand__v1__partnership_settings__get_packed_size(s);
    uint8_t *packed = malloc(len ? len : 1);
    samhand__v1__partnership_settings__pack(s, packed);
    settings_t *copy = samhand__v1__partnership_settings__unpack(NULL, len, packed);
    free(packed);
    return copy;
}

int deviation_settings_at(db_t *db, const deviation_context_t *ctx, const char *date, int version,
                          Samhand__V1__PartnershipSettings **out)
{
    versions_t *list = NULL;
    if (s_versions(db, ctx, false, &list) != 0)
        return -1;
    settings_t *found = NULL;
    if (version > 0) {
        for (size_t i = 0; i < list->n_items; i++)
            if (list->items[i]->version == version)
                found = list->items[i];
    }
    if (!found)
        found = s_in_force(list, date);
    *out = found ? s_copy(found) : NULL;
    protobuf_c_message_free_unpacked(&list->base, NULL);
    return *out ? 0 : -1;
}

/* ---------------------------------------------------------------- handlers */

static void s_mark_in_force(versions_t *list)
{
    char today[11];
    deviation_today(today);
    settings_t *now = s_in_force(list, today);
    for (size_t i = 0; i < list->n_items; i++)
        list->items[i]->is_in_force = list->items[i] == now;
}

int deviation_settings_get(bus_call_t *call)
{
    versions_t *list = NULL;
    if (s_versions(call->db, call->service, false, &list) != 0)
        return bus_call_fail_db(call, "read settings");
    s_mark_in_force(list);
    char today[11];
    deviation_today(today);
    int rc = bus_call_reply(call, &s_in_force(list, today)->base);
    protobuf_c_message_free_unpacked(&list->base, NULL);
    return rc;
}

int deviation_settings_versions(bus_call_t *call)
{
    versions_t *list = NULL;
    if (s_versions(call->db, call->service, false, &list) != 0)
        return bus_call_fail_db(call, "read settings");
    s_mark_in_force(list);
    return bus_call_reply_free(call, &list->base);
}

static int s_check_rule(bus_call_t *call, const Samhand__V1__DeadlineRule *rule, const char *name)
{
    char field[64];
    if (rule->length < 1 || rule->length > 365) {
        snprintf(field, sizeof field, "%s.length", name);
        return bus_call_fail(call, BUS_INVALID_ARGUMENT, field, "%s must be from 1 to 365", field);
    }
    if (!deviation_rule_valid(rule)) {
        snprintf(field, sizeof field, "%s.unit", name);
        return bus_call_fail(call, BUS_INVALID_ARGUMENT, field,
                             "%s must be WORKING_DAYS, CALENDAR_DAYS or WEEKS", field);
    }
    return 0;
}

static int s_check(bus_call_t *call, const Samhand__V1__PutSettingsRequest *req, const char *today)
{
    if (req->valid_from[0] && !check_date(req->valid_from))
        return bus_call_fail(call, BUS_INVALID_ARGUMENT, "valid_from",
                             "valid_from must be a date YYYY-MM-DD");
    /* a rule never changes for what was made under it: no version from
     * before today */
    if (req->valid_from[0] && strcmp(req->valid_from, today) < 0)
        return bus_call_fail(call, BUS_INVALID_ARGUMENT, "valid_from",
                             "valid_from must be today (%s) or later: a rule does not change "
                             "for reports already submitted",
                             today);
    if (req->acknowledge_deadline &&
        s_check_rule(call, req->acknowledge_deadline, "acknowledge_deadline") != 0)
        return -1;
    if (!req->answer_deadline)
        return bus_call_fail(call, BUS_INVALID_ARGUMENT, "answer_deadline",
                             "answer_deadline is required (a length and a unit)");
    if (s_check_rule(call, req->answer_deadline, "answer_deadline") != 0)
        return -1;
    if (!protobuf_c_enum_descriptor_get_value(&samhand__v1__statistics_period__descriptor,
                                              req->statistics_period) ||
        req->statistics_period == SAMHAND__V1__STATISTICS_PERIOD__STATISTICS_PERIOD_UNSPECIFIED)
        return bus_call_fail(call, BUS_INVALID_ARGUMENT, "statistics_period",
                             "statistics_period must be TERTIAL, QUARTER, HALF_YEAR or MONTH");
    if (req->reminder_days < 0 || req->reminder_days > 30)
        return bus_call_fail(call, BUS_INVALID_ARGUMENT, "reminder_days",
                             "reminder_days must be from 0 to 30");
    if (req->dispute_committee_id[0] && !check_uuid(req->dispute_committee_id))
        return bus_call_fail(call, BUS_INVALID_ARGUMENT, "dispute_committee_id",
                             "dispute_committee_id must be a UUID");
    if (!check_empty(req->comment) && !check_text(req->comment, 1000))
        return bus_call_fail(call, BUS_INVALID_ARGUMENT, "comment",
                             "comment must be text of at most 1000 characters");
    return 0;
}

int deviation_settings_put(bus_call_t *call)
{
    const Samhand__V1__PutSettingsRequest *req = (const void *)call->request;
    /* the partnership's administrators: a party's rule no other party */
    if (!bus_call_holds_partnership_role(call, "administrator"))
        return bus_call_fail(call, BUS_PERMISSION_DENIED, NULL,
                             "the partnership's settings are changed by administrators");
    char today[11];
    deviation_today(today);
    if (s_check(call, req, today) != 0)
        return -1;
    const char *if_match = call->envelope->if_match;
    if (!if_match || !if_match[0])
        return bus_call_fail(call, BUS_PRECONDITION_REQUIRED, NULL,
                             "If-Match is required: the ETag of the newest settings version "
                             "(GET /v1/settings/versions)");
    versions_t *list = NULL;
    if (db_begin(call->db) != 0 || s_versions(call->db, call->service, true, &list) != 0)
        return bus_call_fail_db(call, "read settings");
    settings_t *newest = list->items[list->n_items - 1];
    char etag[24];
    snprintf(etag, sizeof etag, "%lld",
             (long long)newest->update_time->seconds * 1000000 + newest->update_time->nanos / 1000);
    const char *valid_from = req->valid_from[0] ? req->valid_from : today;
    int rc = -1;
    if (strcmp(etag, if_match) != 0) {
        bus_call_fail(call, BUS_PRECONDITION_FAILED, NULL,
                      "it was changed after the version in If-Match; read it again");
        goto done;
    }
    if (strcmp(valid_from, newest->valid_from) < 0) {
        bus_call_fail(call, BUS_INVALID_ARGUMENT, "valid_from",
                      "valid_from must not be before %s, from which version %d holds",
                      newest->valid_from, newest->version);
        goto done;
    }
    settings_t next = SAMHAND__V1__PARTNERSHIP_SETTINGS__INIT;
    next.version = newest->version + 1;
    next.valid_from = (char *)valid_from;
    next.acknowledge_deadline = req->acknowledge_deadline;
    next.answer_deadline = req->answer_deadline;
    next.statistics_period = req->statistics_period;
    next.reminder_days = req->reminder_days;
    next.comment = req->comment;
    next.dispute_committee_id = req->dispute_committee_id;
    next.is_leader_review = req->is_leader_review;
    const Samhand__V1__Principal *p = call->envelope->principal;
    const char *actor = p && p->subject ? p->subject : "";
    const char *org = p && p->organization_id ? p->organization_id : "";
    if (deviation_store_settings_insert(call->db, &next, actor, org) != 0) {
        bus_call_fail_db(call, "record settings");
        goto done;
    }
    settings_t *made = NULL;
    if (deviation_settings_at(call->db, call->service, valid_from, next.version, &made) != 0) {
        bus_call_fail_db(call, "record settings");
        goto done;
    }
    made->is_in_force = strcmp(made->valid_from, today) <= 0;
    char subject[16];
    snprintf(subject, sizeof subject, "%d", made->version);
    /* every party reads the rules it works under: no audience */
    if (db_outbox_append(call->db, "no.samhand.deviation.settings_changed", subject, NULL, NULL,
                         &made->base) != 0 ||
        bus_call_reply_before_commit(call, &made->base) != 0 || db_commit(call->db) != 0) {
        bus_call_fail_db(call, "record settings");
        db_rollback(call->db);
    } else {
        rc = 0;
    }
    protobuf_c_message_free_unpacked(&made->base, NULL);
done:
    protobuf_c_message_free_unpacked(&list->base, NULL);
    return rc;
}
