/* The SQL of the mail's planning: a mail queued once per event and
 * address, and whom a mail goes to (a committee's members or secretaries,
 * a person, an organisation's shared address, a subscription's contact).
 * The mailer's claims and outcomes are in notify_store.c. See
 * notify_store.h. */
#include "notify_store.h"
#include "samhand_rows.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int notify_store_mail_insert(db_t *db, const char *const params[7])
{
    const char *with[8] = {params[0], params[1], params[2], params[3],
                           params[4], params[5], params[6], NULL};
    return notify_store_mail_insert_with(db, with);
}

int notify_store_mail_insert_with(db_t *db, const char *const params[8])
{
    /* The recipient is no principal: whom a kind of mail goes to is
     * notify_mail.c's rule (a report's parties, a committee's members), so
     * it stands in for the roles that read the aggregate, never for those
     * that see past the organisations (quality, administrators); it has no
     * subject, so an event for some principals only (a draft) is never
     * mailed, nor one for administrators only. */
    PGresult *res =
        db_query(db,
                 "INSERT INTO mails (event_id, kind, to_address, subject, html, calendar, "
                 "document_id) SELECT $1, $2, $3, $4, $5, $6, $8::uuid WHERE NOT EXISTS "
                 "(SELECT 1 FROM events e "
                 "WHERE e.id = $1::uuid AND NOT visible_to(e.audience, e.audience_roles, "
                 "e.audience_subjects, NULL, $7::uuid, "
                 "array_remove(array_remove(e.audience_roles, 'quality'), 'administrator'))) "
                 "ON CONFLICT DO NOTHING",
                 8, params);
    if (!res)
        return -1;
    int is_queued = atoi(PQcmdTuples(res)) > 0;
    PQclear(res);
    return is_queued;
}

int notify_store_mail_document_keep(db_t *db, const char *event_id, const char *variant,
                                    const char *filename, const char *content_type,
                                    const void *body, size_t len, char id[40])
{
    /* the bytes as a binary parameter: a PDF holds NUL bytes */
    const char *params[] = {event_id, variant, filename, content_type, body};
    const int lengths[] = {0, 0, 0, 0, (int)len};
    const int formats[] = {0, 0, 0, 0, 1};
    PGresult *res = db_query_bin(db,
                                 "INSERT INTO mail_documents (event_id, variant, filename, "
                                 "content_type, body) VALUES ($1::uuid, $2, $3, $4, $5::bytea) "
                                 "ON CONFLICT (event_id, variant) DO UPDATE SET variant = "
                                 "EXCLUDED.variant RETURNING id",
                                 5, params, lengths, formats);
    if (!res)
        return -1;
    int rc = PQntuples(res) == 1 ? 0 : -1;
    if (rc == 0)
        snprintf(id, 40, "%s", PQgetvalue(res, 0, 0));
    PQclear(res);
    return rc;
}

static char *s_dup_or_null(const PGresult *res, int row, int col)
{
    return PQgetisnull(res, row, col) ? NULL : strdup(PQgetvalue(res, row, col));
}

notify_member_address_t *notify_store_member_addresses(db_t *db, const char *committee_id,
                                                       const char *day, int *n)
{
    const char *params[] = {committee_id, day};
    PGresult *res = db_query(db,
                             "SELECT DISTINCT p.email, coalesce(nullif(c.short_name, ''), c.name, "
                             "''), p.organization_id, p.id FROM memberships ms JOIN people p ON "
                             "p.id = ms.person_id LEFT "
                             "JOIN committees c ON c.id = ms.committee_id WHERE ms.committee_id = "
                             "$1 AND ms.term_from <= $2::date AND (ms.term_to IS NULL OR "
                             "ms.term_to >= $2::date) AND p.email <> ''",
                             2, params);
    if (!res) {
        *n = -1;
        return NULL;
    }
    *n = PQntuples(res);
    notify_member_address_t *rows = calloc((size_t)*n + 1, sizeof *rows);
    for (int i = 0; i < *n; i++) {
        rows[i].email = strdup(PQgetvalue(res, i, 0));
        rows[i].committee = strdup(PQgetvalue(res, i, 1));
        rows[i].organization_id = s_dup_or_null(res, i, 2);
        rows[i].person_id = strdup(PQgetvalue(res, i, 3));
    }
    PQclear(res);
    return rows;
}

void notify_member_addresses_free(notify_member_address_t *rows, int n)
{
    for (int i = 0; rows && i < n; i++) {
        free(rows[i].email);
        free(rows[i].committee);
        free(rows[i].organization_id);
        free(rows[i].person_id);
    }
    free(rows);
}

/* The first row's first `n` columns of a statement of two parameters,
 * malloc'ed into *out[0..n-1]: 1, 0 when there is no row, -1. */
static int s_row_texts(db_t *db, const char *sql, const char *const params[2], char **const *out,
                       int n)
{
    PGresult *res = db_query(db, sql, 2, params);
    if (!res)
        return -1;
    int found = PQntuples(res) > 0;
    for (int i = 0; found && i < n; i++)
        *out[i] = strdup(PQgetvalue(res, 0, i));
    PQclear(res);
    return found;
}

int notify_store_receiver_address(db_t *db, const char *receiving_id, const char *reporting_id,
                                  char **address, char **reporter_name)
{
    const char *params[] = {receiving_id, reporting_id};
    char **const out[] = {address, reporter_name};
    return s_row_texts(db,
                       "SELECT o.contact_email, coalesce((SELECT name FROM organizations "
                       "WHERE id = $2::uuid), 'en annen part') FROM organizations o "
                       "WHERE o.id = $1::uuid AND o.contact_email IS NOT NULL",
                       params, out, 2);
}

int notify_store_mail_forget(db_t *db, long retention_days)
{
    char days[24];
    snprintf(days, sizeof days, "%ld", retention_days);
    const char *params[] = {days};
    PGresult *res = db_query(
        db,
        "WITH old AS (DELETE FROM mails WHERE state IN ('SENT', 'DEAD') AND coalesce(sent_at, "
        "next_attempt_at, created_at) < now() - make_interval(days => $1::int) RETURNING id), "
        "done AS (UPDATE mails SET document_id = NULL WHERE document_id IS NOT NULL AND state = "
        "'SENT' AND id NOT IN (SELECT id FROM old) RETURNING document_id), "
        "docs AS (DELETE FROM mail_documents d WHERE NOT EXISTS (SELECT 1 FROM mails m WHERE "
        "m.document_id = d.id AND m.state <> 'SENT' AND m.id NOT IN (SELECT id FROM old)) "
        "RETURNING id) "
        "SELECT (SELECT count(*) FROM old) + (SELECT count(*) FROM docs)",
        1, params);
    if (!res)
        return -1;
    int n = atoi(PQgetvalue(res, 0, 0));
    PQclear(res);
    return n;
}

int notify_store_review_address(db_t *db, const char *reporting_id, const char *receiving_id,
                                char **address, char **reporting_name, char **receiving_name)
{
    const char *params[] = {reporting_id, receiving_id};
    char **const out[] = {address, reporting_name, receiving_name};
    return s_row_texts(db,
                       "SELECT o.review_email, o.name, coalesce((SELECT name FROM organizations "
                       "WHERE id = $2::uuid), 'en annen part') FROM organizations o WHERE o.id = "
                       "$1::uuid AND o.review_email IS NOT NULL",
                       params, out, 3);
}

int notify_store_committee_name(db_t *db, const char *committee_id, char **name)
{
    const char *params[] = {committee_id};
    PGresult *res = db_query(db,
                             "SELECT coalesce(nullif(short_name, ''), name) FROM committees "
                             "WHERE id = $1::uuid",
                             1, params);
    if (!res)
        return -1;
    int found = PQntuples(res) > 0;
    if (found)
        *name = strdup(PQgetvalue(res, 0, 0));
    PQclear(res);
    return found;
}

int notify_store_committee_names(db_t *db, const char *committee_id, char name[300],
                                 char short_name[300])
{
    const char *params[] = {committee_id};
    PGresult *res = db_query(db,
                             "SELECT coalesce(nullif(name, ''), short_name), "
                             "coalesce(nullif(short_name, ''), name) FROM committees WHERE id = "
                             "$1::uuid",
                             1, params);
    if (!res)
        return -1;
    int found = PQntuples(res) > 0;
    if (found) {
        snprintf(name, 300, "%s", PQgetvalue(res, 0, 0));
        snprintf(short_name, 300, "%s", PQgetvalue(res, 0, 1));
    }
    PQclear(res);
    return found;
}

int notify_store_person_address(db_t *db, const char *person_id, notify_mail_address_t *address)
{
    const char *params[] = {person_id};
    PGresult *res = db_query(db,
                             "SELECT email, organization_id FROM people WHERE id = $1::uuid "
                             "AND email <> ''",
                             1, params);
    if (!res)
        return -1;
    int found = PQntuples(res) > 0;
    if (found) {
        address->email = strdup(PQgetvalue(res, 0, 0));
        address->organization_id = s_dup_or_null(res, 0, 1);
    }
    PQclear(res);
    return found;
}

void notify_mail_address_clear(notify_mail_address_t *address)
{
    free(address->email);
    free(address->organization_id);
    *address = (notify_mail_address_t){0};
}

notify_mail_address_t *notify_store_secretary_addresses(db_t *db, const char *committee_id,
                                                        const char *day, int *n)
{
    const char *params[] = {committee_id, day};
    PGresult *res = db_query(
        db,
        "SELECT DISTINCT p.email, p.organization_id FROM memberships ms JOIN people p ON p.id = "
        "ms.person_id WHERE ms.committee_id = $1::uuid AND ms.role = 'SECRETARY' AND "
        "ms.term_from <= coalesce($2::date, current_date) AND (ms.term_to IS NULL OR "
        "ms.term_to >= coalesce($2::date, current_date)) AND p.email <> ''",
        2, params);
    if (!res) {
        *n = -1;
        return NULL;
    }
    *n = PQntuples(res);
    notify_mail_address_t *rows = calloc((size_t)*n + 1, sizeof *rows);
    for (int i = 0; i < *n; i++) {
        rows[i].email = strdup(PQgetvalue(res, i, 0));
        rows[i].organization_id = s_dup_or_null(res, i, 1);
    }
    PQclear(res);
    return rows;
}

void notify_mail_addresses_free(notify_mail_address_t *rows, int n)
{
    for (int i = 0; rows && i < n; i++)
        notify_mail_address_clear(&rows[i]);
    free(rows);
}

/* The subscription's address to write to, URL, description and the key of
 * a mail made of `what` ("disabled:" and its last change, "failing:" and
 * when it began to fail). */
#define SUBSCRIPTION_CONTACT_SQL(what, extra)                                                      \
    "SELECT coalesce(nullif(s.contact_email, ''), o.contact_email), s.url, s.description, "        \
    "md5(" what ")::uuid FROM subscriptions s LEFT JOIN organizations o ON o.id = "                \
    "s.owner_organization_id WHERE s.id = $1 AND coalesce(nullif(s.contact_email, ''), "           \
    "o.contact_email) IS NOT NULL" extra

int notify_store_subscription_contact(db_t *db, const char *subscription_id, bool is_failing,
                                      notify_subscription_contact_t *contact)
{
    const char *params[] = {subscription_id};
    PGresult *res =
        db_query(db,
                 is_failing ? SUBSCRIPTION_CONTACT_SQL("'failing:' || s.id || s.failing_since",
                                                       " AND s.failing_since IS NOT NULL")
                            : SUBSCRIPTION_CONTACT_SQL("'disabled:' || s.id || s.updated_at", ""),
                 1, params);
    if (!res)
        return -1;
    int found = PQntuples(res) > 0;
    if (found) {
        contact->address = strdup(PQgetvalue(res, 0, 0));
        contact->url = strdup(PQgetvalue(res, 0, 1));
        contact->description = strdup(PQgetvalue(res, 0, 2));
        contact->mail_key = strdup(PQgetvalue(res, 0, 3));
    }
    PQclear(res);
    return found;
}

void notify_subscription_contact_clear(notify_subscription_contact_t *contact)
{
    free(contact->address);
    free(contact->url);
    free(contact->description);
    free(contact->mail_key);
    *contact = (notify_subscription_contact_t){0};
}
