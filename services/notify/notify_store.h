/* Every SQL statement of notify, behind one header: the webhook sender's
 * and the mailer's claims and outcomes, notify's queues and health gauges
 * (notify_store.c); the inbox and the feed (notify_store_feed.c); the
 * mail's planning (notify_store_mail.c); the reminders
 * (notify_store_reminder.c); the read models of agenda's directory
 * (notify_store_directory.c) and of principals (notify_store_principal.c);
 * the subscriptions as their owners manage them
 * (notify_store_subscription.c). What is claimed or read comes back as
 * plain structs the caller frees with the matching _free or _clear,
 * messages as protobuf-c messages the caller frees; a PGresult never
 * leaves the store. The statements run on the connection the caller
 * gives, in its transaction if one is open. */
#ifndef NOTIFY_STORE_H
#define NOTIFY_STORE_H

#include "samhand/v1/event.pb-c.h"
#include "samhand/v1/notify.pb-c.h"
#include "samhand_bus.h"
#include "samhand_db.h"
#include "samhand_rows.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Sets up the webhook sender's own session. 0 or -1. */
int notify_store_sender_session(db_t *db);

/* A delivery claimed for sending, with what it takes to send it. */
typedef struct {
    char *id, *subscription_id, *url;
    char *secret_sealed, *previous_sealed; /* previous: NULL unless a rotation lasts */
    char *event_id;
    unsigned char *event; /* the packed samhand.v1.Event */
    size_t event_len;
    int attempts;
    long long sequence, subscription_sequence;
} notify_claimed_t;

/* Claims up to `max` due deliveries: of each subscription that may be
 * sent to, its first pending ones in the order of its counter as far as
 * they are due without a gap (at most `chain_max`, fewer when it is
 * paced; when there are more than `max`, the first of every subscription
 * before the second of any), leased to this connection's backend for two
 * minutes. A subscription another connection is claiming from is passed
 * over, so no two claims take from one subscription at once. An array
 * sorted by subscription and counter, its length in `n` (0: none, NULL);
 * -1 in `n` when the database failed. Free with notify_claimed_free. */
notify_claimed_t *notify_store_claim(db_t *db, int max, int chain_max, int *n);
void notify_claimed_free(notify_claimed_t *rows, int n);
/* Frees the strings of one row (not the row). */
void notify_claimed_clear(notify_claimed_t *row);

/* What one attempt of a delivery came to. */
typedef struct {
    const char *delivery_id, *subscription_id;
    long status; /* 0: no answer */
    int latency_ms;
    const char *response;
} notify_attempt_t;

/* Records successful attempts in one statement: the attempts, the
 * deliveries done, their subscriptions healthy again. 0 or -1. */
int notify_store_delivered(db_t *db, const notify_attempt_t *attempts, size_t n);

/* Records a failed attempt: the next try after `delay_ms` or, `is_dead`,
 * the dead letter, and the subscription failing since its first failure.
 * Whether it has failed for `disable_after_days` into `is_failing_long`,
 * whether this is the first failure of a spell into `is_first_failure`.
 * 0 or -1. */
int notify_store_failed(db_t *db, const notify_attempt_t *attempt, long delay_ms, bool is_dead,
                        int disable_after_days, bool *is_failing_long, bool *is_first_failure);

/* A claimed delivery that was not signed: let go until `delay_ms`, its
 * attempt log saying `why` once. 0 or -1. */
int notify_store_unsigned(db_t *db, const char *delivery_id, long delay_ms, const char *why);

/* Lets go of claimed deliveries that were not sent (behind a failure):
 * due again at once. 0 or -1. */
int notify_store_release(db_t *db, const char *const *delivery_ids, size_t n);

/* Switches an active subscription off with `reason`. 1 when it was
 * switched off now, 0 when it was not active, -1. */
int notify_store_disable(db_t *db, const char *subscription_id, const char *reason);

/* A subscription whose new URL is to answer a handshake. */
typedef struct {
    char *id, *url, *secret_sealed, *event_types_json, *organization_id, *committee_id;
    char *handshake_id; /* the webhook-id of this try */
    int attempts;
} notify_handshake_t;

/* Claims up to `max` due handshakes for two minutes: an array (the caller
 * frees it and, with notify_handshake_clear, each row's strings), its
 * length in `n` (-1: the database failed). */
notify_handshake_t *notify_store_handshakes(db_t *db, int max, int *n);
void notify_handshake_clear(notify_handshake_t *row);
int notify_store_handshake_verified(db_t *db, const char *subscription_id, const char *url);
int notify_store_handshake_failed(db_t *db, const char *subscription_id, int attempts,
                                  long delay_ms, const char *error);
/* Not signed: tried again after `delay_ms`, its attempts not counted. */
int notify_store_handshake_unsigned(db_t *db, const char *subscription_id, long delay_ms,
                                    const char *why);

/* A subscription whose heartbeat is due (it is counted as sent now). */
typedef struct {
    char *id, *url, *secret_sealed, *previous_sealed, *heartbeat_id;
    long long last_sequence, pending_deliveries;
} notify_heartbeat_t;

/* Claims up to `max` due heartbeats, as notify_store_handshakes. */
notify_heartbeat_t *notify_store_heartbeats(db_t *db, int max, int *n);
void notify_heartbeat_clear(notify_heartbeat_t *row);

/* notify's queues (/readyz, /metrics: webhooks, dead letters,
 * webhooks_due, mail, dead mail) and its per-subscription health gauges,
 * each row with its statement, for its service declaration (main.c). */
extern const bus_queue_t notify_store_queues[];
extern const size_t notify_store_queues_count;
extern const bus_gauge_t notify_store_gauges[];
extern const size_t notify_store_gauges_count;

/* Milliseconds until the first delivery, handshake or heartbeat falls due
 * (<= 0: due now); `none_ms` when nothing waits, -1 when the database
 * failed. */
long notify_store_next_due_ms(db_t *db, long none_ms);

/* Claims up to `max` due mails for two minutes; their ids (uuid text) into
 * `ids`. How many, or -1. */
int notify_store_mails_claim(db_t *db, char (*ids)[40], int max);

/* A mail to send. */
typedef struct {
    char *to, *subject, *html, *calendar;
    /* its attached document, or all NULL: the file name as the recipient
     * sees it (UTF-8), its content type, its bytes in base64 in lines of
     * 76 ending in CRLF, as MIME wants it */
    char *document_name, *document_type, *document_base64;
    int attempts;
} notify_mail_row_t;

/* The mail `id`; 1, 0 when there is none, -1. notify_mail_row_clear frees
 * its strings. */
int notify_store_mail(db_t *db, const char *id, notify_mail_row_t *mail);
void notify_mail_row_clear(notify_mail_row_t *mail);
int notify_store_mail_sent(db_t *db, const char *id);
/* A failed try: again after `delay_ms`, or `is_dead`. */
int notify_store_mail_failed(db_t *db, const char *id, long delay_ms, bool is_dead,
                             const char *error);
/* As notify_store_next_due_ms, for the mail. */
long notify_store_mail_due_ms(db_t *db, long none_ms);

/* ---- the mail's planning (notify_store_mail.c) */

/* params: event, kind, address, subject, html, calendar (or NULL), the
 * recipient's organisation (or NULL): the mail queued unless it is
 * already or its recipient may not see the event. 1 when queued, 0 when
 * not, -1. */
int notify_store_mail_insert(db_t *db, const char *const params[7]);
/* As notify_store_mail_insert, with the id of the document it carries
 * (notify_store_mail_document_keep; NULL for none) as an eighth. */
int notify_store_mail_insert_with(db_t *db, const char *const params[8]);

/* Keeps the document `variant` ("public", "members") of event `event_id`
 * for its mails: file name, content type and `len` bytes; its id into
 * `id`. Kept once: a second call answers the first's id. 0 or -1. */
int notify_store_mail_document_keep(db_t *db, const char *event_id, const char *variant,
                                    const char *filename, const char *content_type,
                                    const void *body, size_t len, char id[40]);

/* A committee member with an address. */
typedef struct {
    char *email, *committee; /* the committee's short name, else its name */
    char *organization_id;   /* NULL: none */
    char *person_id;
} notify_member_address_t;

/* The members of `committee_id` on `day` (YYYY-MM-DD) with an address; *n
 * of them (-1 and NULL when the database failed). Free with
 * notify_member_addresses_free. */
notify_member_address_t *notify_store_member_addresses(db_t *db, const char *committee_id,
                                                       const char *day, int *n);
void notify_member_addresses_free(notify_member_address_t *rows, int n);
/* The shared address of organisation `receiving_id` and the name of
 * `reporting_id` ("en annen part" when unknown), malloc'ed, the caller
 * frees them. 1, 0 when it has no address, -1. */
int notify_store_receiver_address(db_t *db, const char *receiving_id, const char *reporting_id,
                                  char **address, char **reporter_name);
/* Where organisation `reporting_id` is told that a report waits for its
 * leaders' approval (its review address; never its shared address, a
 * postmottak whose mail is journaled, the public journal then telling of a
 * report before it is sent), its
 * name, and the name of `receiving_id` ("en annen part" when unknown),
 * malloc'ed, the caller frees them. 1, 0 when it has no address, -1. */
int notify_store_review_address(db_t *db, const char *reporting_id, const char *receiving_id,
                                char **address, char **reporting_name, char **receiving_name);
/* The committee's short name, else its name, malloc'ed into *name. 1, 0
 * when there is none, -1. */
int notify_store_committee_name(db_t *db, const char *committee_id, char **name);
/* The committee's name (else its short name) into `name` and its short
 * name (else its name) into `short_name`. 1, 0 when there is none (the
 * buffers untouched), -1. */
int notify_store_committee_names(db_t *db, const char *committee_id, char name[300],
                                 char short_name[300]);

/* An address a mail goes to, and the recipient's organisation (NULL: none). */
typedef struct {
    char *email, *organization_id;
} notify_mail_address_t;

/* The address of person `person_id`. 1, 0 when they have none, -1.
 * notify_mail_address_clear frees its strings. */
int notify_store_person_address(db_t *db, const char *person_id, notify_mail_address_t *address);
void notify_mail_address_clear(notify_mail_address_t *address);
/* The secretaries of `committee_id` on `day` (YYYY-MM-DD; NULL: today)
 * with an address, each address once; *n of them (-1 and NULL when the
 * database failed). Free with notify_mail_addresses_free. */
notify_mail_address_t *notify_store_secretary_addresses(db_t *db, const char *committee_id,
                                                        const char *day, int *n);
void notify_mail_addresses_free(notify_mail_address_t *rows, int n);

/* Whom a mail about a subscription goes to. */
typedef struct {
    char *address; /* its contact, else its owner organisation's */
    char *url, *description;
    char *mail_key; /* the mail's id: one a spell of failing, one a switching off */
} notify_subscription_contact_t;

/* The contact of `subscription_id` for a mail that it was switched off or,
 * `is_failing`, that it is failing (none when it is not). 1, 0 when there
 * is nobody to tell, -1. notify_subscription_contact_clear frees it. */
int notify_store_subscription_contact(db_t *db, const char *subscription_id, bool is_failing,
                                      notify_subscription_contact_t *contact);
void notify_subscription_contact_clear(notify_subscription_contact_t *contact);

/* ---- the read model of agenda's directory (notify_store_directory.c) */

/* Deletes what the mail queue no longer needs: a kept PDF once every mail
 * that carries it is sent, and mails sent or dead more than
 * `retention_days` ago with what they said. How many rows went, or -1. */
int notify_store_mail_forget(db_t *db, long retention_days);
/* What a run of directory events changes, a batch a table, written by
 * one statement each (rows_batch_t): the rows rows_batch_add takes are
 * people (id, name, e-mail, organisation), organizations (id, name,
 * contact e-mail, review e-mail; "" for none), committees (id, name,
 * short name) and memberships (id, committee, person, role, term from and
 * to or NULL). */
typedef struct {
    rows_batch_t *people, *organizations, *committees, *memberships;
} notify_store_directory_t;

int notify_store_directory_init(notify_store_directory_t *directory);
/* Writes what was added (the last of each id); 0, or -1. */
int notify_store_directory_flush(notify_store_directory_t *directory, db_t *db);
void notify_store_directory_clear(notify_store_directory_t *directory);

/* ---- the inbox and the feed (notify_store_feed.c) */

/* Keeps the `n` events of a run of one source in the inbox, each once by
 * its id, and fans out those that are new: one delivery, with the
 * subscription's next counter, for every subscription that wants one and
 * whose owner may see it, in the events' order; how many into `fanned`,
 * and which were new into `is_new` (n of them). 0, or -1. */
int notify_store_events_keep(db_t *db, Samhand__V1__Event *const *events, size_t n, bool *is_new,
                             int *fanned);

/* An event of the inbox as it is read back. */
typedef struct notify_feed_event {
    long long seq;                   /* its place in the feed */
    long long subscription_sequence; /* a subscription's counter; 0 in the feed */
    Samhand__V1__Event *event;       /* NULL when it does not unpack */
} notify_feed_event_t;

/* params: after, limit, type prefixes (JSON array, or NULL), the caller's
 * subject, organisation and roles (JSON array): the feed's next page of
 * what the caller may see, *n of them (-1 and NULL when the database
 * failed). Free with notify_feed_events_free. */
notify_feed_event_t *notify_store_feed(db_t *db, const char *const params[6], int *n);
/* params: subscription, after (its counter), limit, the caller's subject,
 * organisation and roles: the events that matched the subscription, by
 * its counter, as far as the caller may see them now; as notify_store_feed. */
notify_feed_event_t *notify_store_subscription_events(db_t *db, const char *const params[6],
                                                      int *n);
/* The last 100 events of deviation's settings changed, newest first; as
 * notify_store_feed. */
notify_feed_event_t *notify_store_settings_events(db_t *db, int *n);
void notify_feed_events_free(notify_feed_event_t *rows, int n);

/* ---- the reminders (notify_store_reminder.c) */

/* What falls due, kept or changed, a run's rows in one statement: each
 * row kind, id, title, due date (YYYY-MM-DD, or NULL: nothing due),
 * organisations (JSON array), committee (or NULL), the last of each kind
 * and id kept (rows_batch_add, rows_batch_flush). */
rows_batch_t *notify_store_due_batch(void);
/* Marks `today` as planned: 1 and the id of its digests in `digest_id`
 * when this call marked it, 0 when it was planned already, -1. */
int notify_store_digest_day(db_t *db, const char *today, char digest_id[40]);

/* Something due, at an address. */
typedef struct {
    char *address, *title;
    char due_date[11]; /* YYYY-MM-DD */
    bool is_overdue;
} notify_due_t;

/* Every address with something due by `until` or overdue on `today`, and
 * what, by address, oldest due first; *n of them (-1 and NULL when the
 * database failed). Free with notify_due_free. */
notify_due_t *notify_store_due_by_address(db_t *db, const char *today, const char *until, int *n);
void notify_due_free(notify_due_t *rows, int n);

/* ---- subscriptions as their owners manage them (notify_store_subscription.c) */

/* params: id, "t"/"f" for every owner, the owner organisation. 0, 1 when
 * there is none, -1. The caller frees *out. */
int notify_store_subscription_get(db_t *db, const char *const params[3],
                                  Samhand__V1__Subscription **out);
/* A page after row `after`, of one owner organisation unless `sees_all`. 0 or -1. */
int notify_store_subscription_list(db_t *db, int64_t after, int limit, bool sees_all,
                                   const char *organization_id,
                                   Samhand__V1__ListSubscriptionsResponse **out);
/* 1 when the principal `subject` is revoked, 0 when not (or not known),
 * -1; its row stays locked against a revocation until the transaction
 * ends, so that what the transaction makes for it is seen by one. */
int notify_store_owner_revoked(db_t *db, const char *subject);
/* params: owner subject and organisation, url, event types (JSON array),
 * organisation, committee, description, sealed secret, contact e-mail,
 * per second, heartbeat seconds, scheme, public key. 0 or -1. */
int notify_store_subscription_insert(db_t *db, const char *const params[13],
                                     Samhand__V1__Subscription **out);
/* params: id, then url, event types, description, state, sealed secret,
 * contact e-mail, per second, heartbeat, scheme (NULL: unchanged) and
 * public key. 1 when changed, 0 when the owner's key is revoked and it was
 * to be made ACTIVE, -1. */
int notify_store_subscription_update(db_t *db, const char *const params[11]);
/* The subscription with its deliveries and their attempts. 0 or -1. */
int notify_store_subscription_delete(db_t *db, const char *id);

/* A page of a subscription's deliveries, of one state unless NULL. 0 or -1. */
int notify_store_deliveries_list(db_t *db, const char *subscription_id, const char *state,
                                 int64_t after, int limit,
                                 Samhand__V1__ListDeliveriesResponse **out);
/* Sets the delivery's attempt_log, oldest first. 0 or -1. */
int notify_store_delivery_attempts(db_t *db, Samhand__V1__Delivery *delivery);
/* Every delivered or dead delivery of the events received since `since_s`
 * due again from its first attempt: how many, or -1. */
long long notify_store_deliveries_recover(db_t *db, const char *subscription_id, int64_t since_s);
/* params: subscription, delivery (or NULL), from and to (epoch seconds,
 * or NULL): its dead letters due again; how many, or -1. */
long long notify_store_deliveries_replay(db_t *db, const char *const params[4]);
/* params: retention days, the attempt's response: pending deliveries older
 * than that dead; how many, or -1. */
long long notify_store_deliveries_expire(db_t *db, const char *const params[2]);

/* ---- principals (notify_store_principal.c) */

/* params: subject, organisation (or NULL), roles (JSON array); written
 * only when they changed. 0 or -1. */
int notify_store_principal_seen(db_t *db, const char *const params[3]);
/* params: subject, organisation (or NULL), roles (JSON array), revoked at
 * (epoch seconds, or NULL; a revocation is kept). 0 or -1. */
int notify_store_principal_keep(db_t *db, const char *const params[4]);
/* Pauses the active subscriptions `subject` owns, its key revoked: their
 * ids, *n of them (-1 and NULL when the database failed). Free with
 * notify_store_strings_free. */
char **notify_store_subscriptions_pause_owned(db_t *db, const char *subject, int *n);
void notify_store_strings_free(char **strings, int n);

/* A subscription whose secrets are still in plain text (sql/ before
 * sealing): NULL for one it has not. */
typedef struct {
    char *id, *secret, *previous;
} notify_plain_secret_t;

/* The subscriptions with a secret in plain text, locked for the
 * transaction; *n of them (-1 and NULL when the database failed). Free
 * with notify_plain_secrets_free, which wipes the secrets. */
notify_plain_secret_t *notify_store_plain_secrets(db_t *db, int *n);
void notify_plain_secrets_free(notify_plain_secret_t *rows, int n);
/* Keeps the sealed secrets of `id` (NULL: the secret as sealed before) and
 * forgets the plain ones. 0 or -1. */
int notify_store_secret_sealed(db_t *db, const char *id, const char *secret_sealed,
                               const char *previous_sealed);

#endif
