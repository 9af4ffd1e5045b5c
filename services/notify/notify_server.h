/* The notify service: its route table, its inbox of every other service's
 * events, and the feed of them. */
#ifndef NOTIFY_SERVER_H
#define NOTIFY_SERVER_H

#include "notify_store.h"
#include "samhand/v1/event.pb-c.h"
#include "samhand/v1/notify.pb-c.h"
#include "samhand_bus.h"
#include "samhand_service.h"

#include <curl/curl.h>
#include <stdint.h>

extern const bus_route_t notify_routes[];
extern const size_t notify_routes_count;
extern const db_migration_t notify_migrations[];
extern const size_t notify_migrations_count;

#define NOTIFY_SECRET_KEY_BYTES 32

/* Settings of webhook and mail delivery. */
typedef struct {
    long retry_base_ms;   /* the first retry's delay; later ones grow from it */
    long max_attempts;    /* then the delivery is a dead letter */
    const char *smtp_url; /* "" : no e-mail */
    const char *mail_from;
    const char *agenda_endpoint; /* to render notices and minutes */
    const char *web_url;         /* the pages' address, for links in mails */
    long reminder_hour;          /* Oslo hour from which the day's digest goes out */
    long reminder_days;          /* working days ahead a due date is reminded of */
    const char *reminder_on;     /* "working-days", "every-day" or "never" */
    long allow_loopback;         /* 1: webhooks may go to this machine (tests, a developer) */
    long retention_days;         /* then a delivery still waiting is a dead letter */
    long mail_retention_days;    /* then a mail sent or dead is forgotten, with its PDF */
    const char *secret_key_text; /* SAMHAND_SECRET_KEY, as given */
    /* its 32 bytes, which seal the webhook secrets at rest */
    unsigned char secret_key[NOTIFY_SECRET_KEY_BYTES];
} notify_context_t;

/* Whether a webhook may not go to `ip` (text, as libcurl or inet_pton
 * take it): this machine (loopback, and every address of its interfaces)
 * unless `allow_loopback`, link-local addresses
 * (a cloud's metadata service at 169.254.169.254), the unspecified
 * address; anything that is no address. */
bool notify_address_refused(const char *ip, bool allow_loopback);

/* Whether the host of webhook address `url` is an address (not a name)
 * that notify_address_refused refuses; a name is checked when a delivery
 * connects, for what it then leads to. */
bool notify_url_refused(const char *url, bool allow_loopback);

/* Tells this process's webhook sender that subscriptions changed (a URL
 * to shake hands with, a pause over, a replay): it looks at everything
 * due. A db_at_commit fn; the argument is the notify_context_t. */
void notify_wake_senders(void *context);
/* Tells it that deliveries came in (the fan-out's db_at_commit fn). */
void notify_wake_deliveries(void *context);

/* One entry of webhook-signature for `secret` over id.timestamp.body, by
 * its scheme, which its prefix tells (whsk_: ed25519 "v1a,…", else HMAC
 * "v1,…"), into `out`. 0 or -1 (a secret that is no key). */
int notify_signature_entry(const char *secret, const char *id, const char *timestamp,
                           const char *body, char out[100]);

/* A new signing secret of `scheme` into `secret` (to be sealed): whsec_
 * and 24 random bytes for HMAC; for ED25519 a key pair, the private key
 * whsk_ and the public key whpk_ with the base64 of the raw 32-byte keys,
 * as Standard Webhooks writes them, the public key into `public_key` (""
 * for HMAC). 0, or -1 when OpenSSL could not make one. */
int notify_signature_new_secret(Samhand__V1__SignatureScheme scheme, char secret[64],
                                char public_key[64]);

/* The owner's own ed25519 private key `signing_key` (whsk_ and the base64
 * of its 32-byte seed, or of seed and public key as libsodium keeps them,
 * whose public half must then be the seed's) as samhand keeps it, whsk_
 * and the seed, into `private_key`, and its public key into `public_key`.
 * 0, or -1 when it is no such key. */
int notify_signature_own_key(const char *signing_key, char private_key[64], char public_key[64]);

/* The packed samhand.v1.Event `stored` as a CloudEvent's JSON, with its
 * `sequence` in the stream and, when above 0, `subscription_sequence`.
 * Malloc'ed, the caller frees it; NULL when it does not unpack. */
char *notify_cloudevent_body(const unsigned char *stored, size_t len, long long sequence,
                             long long subscription_sequence);
/* `base` (a body without its counter) with the subscription's counter
 * added last: one transcoding an event, not one a delivery. Caller frees;
 * NULL when `base` is no JSON object. */
char *notify_cloudevent_with_counter(const char *base, long long subscription_sequence);
/* A CloudEvent of notify's own (source /notify, now) about subscription
 * `subject`, its data `data` packed of the message `data_type`. Caller
 * frees. */
char *notify_cloudevent_own(const char *id, const char *type, const char *subject,
                            const char *data_type, uint8_t *data, size_t len);

/* Adds what a directory event says (a person, an organisation, a
 * committee, a membership) to notify's copy of it: 1 (an unreadable one is
 * kept as nothing), 0 when `event` is none of these, -1 when what it says
 * cannot be kept. */
int notify_directory_keep(notify_store_directory_t *directory, const Samhand__V1__Event *event);

/* Keeps the principals an API key's event tells of, and queues the mails
 * an event calls for. 0 or -1 (try the event again later). */
int notify_mail_plan(db_t *db, const Samhand__V1__Event *event, const notify_context_t *ctx);

/* Plans one mail (notify_mail_queue.c), once per event and address (a
 * second time is a no-op), counted into the mail queue when the
 * transaction commits. A mail of an
 * event goes only when its recipient, a person or an organisation's
 * address with no role (of `organization_id`, NULL if none), may see the
 * event (visible_to): an event for some roles or principals goes by no
 * mail. 0 or -1. */
int notify_mail_queue(db_t *db, const char *event_id, const char *kind, const char *to,
                      const char *organization_id, const char *subject, const char *html,
                      const char *calendar);
/* As notify_mail_queue, carrying the document `document_id` kept by
 * notify_store_mail_document_keep (NULL: none) as an attachment. */
int notify_mail_queue_with(db_t *db, const char *event_id, const char *kind, const char *to,
                           const char *organization_id, const char *subject, const char *html,
                           const char *calendar, const char *document_id);

/* A document of agenda's (`method`: agenda.GetMeetingNotice, …) of the
 * meeting as the public reads it: of a notice, the one of `version` (0:
 * the last), whatever went out since; 0 for minutes. The caller frees it.
 * NULL when agenda could not render it (notify_mail_queue.c). */
char *notify_mail_render(const notify_context_t *ctx, const char *method, const char *meeting_id,
                         int version);

/* The PDFs of a meeting's mails as agenda makes them for its recipients
 * `person_ids` (n; a variant each, the public's or the members'): its notice
 * `notice_version` (0: the last) or its minutes (`is_minutes`), kept for
 * the mails of event `e` under `filename`; each recipient's document id
 * into `document_ids` (of n). 0, or -1 when agenda could not make them
 * (the event is applied again later). */
int notify_mail_keep_documents(db_t *db, const Samhand__V1__Event *e, const notify_context_t *ctx,
                               const char *meeting_id, int notice_version, bool is_minutes,
                               char *const *person_ids, int n, const char *filename,
                               char (*document_ids)[40]);

/* The call-up of a deputy (no.samhand.absence.deputy_called) by mail to the
 * deputy (notify_mail_callup.c): in Norwegian, with the notice, the
 * calendar event and the link to answer. 0 or -1 (try again later). */
int notify_mail_callup_plan(db_t *db, const Samhand__V1__Event *event, const notify_context_t *ctx);

/* The committee's decision on a disputed deviation, or its refusal to take
 * it up (no.samhand.deviation.dispute_decided), by mail to both parties
 * (notify_mail_dispute.c). 0 or -1 (try again later). */
int notify_mail_dispute_plan(db_t *db, const Samhand__V1__Event *event);

/* A report waiting for its leaders' approval
 * (no.samhand.deviation.review_requested), by mail to the reporting
 * organisation's review address (notify_mail_review.c). 0 or -1 (try again
 * later). */
int notify_mail_review_plan(db_t *db, const Samhand__V1__Event *event, const notify_context_t *ctx);

/* Tells a subscription's owner by mail that it was switched off or paused,
 * and `why` (Norwegian, for people); `is_owner_gone`: its owner's key was
 * revoked, so it stays off. In the caller's transaction. 0 or -1. */
int notify_mail_subscription_disabled(db_t *db, const char *subscription_id, const char *why,
                                      bool is_owner_gone, const notify_context_t *ctx);

/* Tells a subscription's owner by mail that its endpoint began to fail,
 * `why` (Norwegian, for people), once per spell of failing (the mail is
 * keyed by the spell's start); the subscription goes on trying. In the
 * caller's transaction. 0 or -1. */
int notify_mail_subscription_failing(db_t *db, const char *subscription_id, const char *why,
                                     const notify_context_t *ctx);

/* Keeps what the caller may see now (its roles and organisation) as the
 * owner of subscriptions; a failure is logged, the call goes on. */
void notify_principal_seen(bus_call_t *call);

/* Keeps an API key's event of agenda's in the principals' read model, and
 * pauses a revoked key's subscriptions, telling their owners. 0 or -1. */
int notify_principal_keep(db_t *db, const Samhand__V1__Event *event, const notify_context_t *ctx);

/* SAMHAND_SECRET_KEY's 32 bytes from 64 hex digits or base64. 0 or -1. */
int notify_secret_key_parse(const char *text, unsigned char key[NOTIFY_SECRET_KEY_BYTES]);

/* A webhook secret sealed for the database (AES-256-GCM, a random nonce):
 * "v1.<base64>", malloc'ed, the caller frees it; NULL on failure. */
char *notify_secret_seal(const unsigned char key[NOTIFY_SECRET_KEY_BYTES], const char *secret);

/* The secret `sealed` holds, malloc'ed, the caller frees it; NULL when it
 * does not open with `key` (another key, or altered). */
char *notify_secret_open(const unsigned char key[NOTIFY_SECRET_KEY_BYTES], const char *sealed);

/* The bytes of a key written as `prefix` (which may be left out) and
 * base64, into `key` (room for `room`); their number, or -1 when it is
 * no base64 or too long. */
int notify_key_bytes(const char *text, const char *prefix, unsigned char *key, int room);

/* Seals the secrets an older notify kept in plain text (a housekeeping fn,
 * run at start-up and then every minute; the context is notify's). */
void notify_secret_seal_plain(db_t *db, void *context);

/* Keeps what falls due (open actions, deviation deadlines) from an event,
 * for the reminders, in `due` (notify_store_due_batch: written with the
 * run). 0 or -1 (try the event again later). */
int notify_reminder_keep(rows_batch_t *due, const Samhand__V1__Event *event);

/* Plans today's reminder digests, one mail per address listing what falls
 * due within the next working days and what is overdue, once a day from
 * the configured hour. `done_day` ("YYYY-MM-DD", the caller's) spares the
 * database the question once the day is planned. */
void notify_reminder_plan(db_t *db, const notify_context_t *ctx, char done_day[11]);

typedef struct notify_curl notify_curl_t;

/* Starts the mailer, a fiber of this loop: it plans the day's reminders
 * and sends the mail that is due over `curl`, one at a time, apart from
 * the webhooks, so an endpoint that hangs never holds up a mail (samhand's
 * own queue, which /readyz counts). notify_mail_stop ends it. */
void notify_mail_start(bus_server_t *server, notify_curl_t *curl, const notify_context_t *ctx);
void notify_mail_stop(void);
/* Whether the mailer's fiber has not ended yet (the libcurl driver it
 * uses outlives it). */
bool notify_mail_is_running(void);
/* Wakes the mailer (to send what was queued). */
void notify_mail_wake(void);

/* Starts webhook and mail delivery on this loop (the service's start fn;
 * the context is notify's): the libcurl driver, the webhook sender and the
 * mailer. notify_delivery_stop (the stop fn) ends them. */
void notify_delivery_start(bus_server_t *server, const char *database_url, void *context);
void notify_delivery_stop(void *context);

int notify_subscription_create(bus_call_t *call);
int notify_subscription_get(bus_call_t *call);
int notify_subscription_list(bus_call_t *call);
int notify_subscription_update(bus_call_t *call);
int notify_subscription_delete(bus_call_t *call);
int notify_deliveries_list(bus_call_t *call);

/* Expires the deliveries of events older than the retention that still
 * wait (a subscription paused or switched off that long): dead letters,
 * the reason in their attempt log (a housekeeping fn; the context is
 * notify's). */
void notify_subscription_expire(db_t *db, void *context);
int notify_replay(bus_call_t *call);
/* GET /v1/subscriptions/{id}/events: its matching events by its counter. */
int notify_subscription_events(bus_call_t *call);

/* Keeps a run of another service's events, each once by its id (see
 * consumer_apply_run_fn). */
int notify_inbox_apply_run(db_t *db, Samhand__V1__Event *const *events, size_t n, void *context);

/* GET /v1/events: the events the caller may see, after a cursor. */
int notify_feed_list(bus_call_t *call);

struct notify_feed_event; /* notify_store.h */
/* Replies with the `n` events of `rows` (a subscription's carry its
 * counter, which then is the cursor), the next cursor `after` when there
 * are none; frees `rows`. 0. */
int notify_feed_reply(bus_call_t *call, struct notify_feed_event *rows, int n, const char *after);

#endif
