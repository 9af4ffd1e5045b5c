/* PostgreSQL access for one service: a connection bound to the service's
 * schema, parameterised statements only, transactions, reconnect, the
 * migrations of sql/NNN_*.sql under an advisory lock, and the outbox. */
#ifndef SAMHAND_DB_H
#define SAMHAND_DB_H

#include <libpq-fe.h>
#include <stddef.h>
#include <stdint.h>
#include <protobuf-c/protobuf-c.h>

typedef struct db db_t;

/* One migration, embedded in the binary at build time from sql/NNN_name.sql. */
typedef struct {
    int version;      /* NNN */
    const char *name; /* file name */
    const char *sql;
} db_migration_t;

/* Connects to `url` (libpq URI or key=value) and sets search_path to `schema`.
 * Retries for up to `wait_ms` while the server is not yet up. Returns NULL
 * when it cannot connect (logged); the caller owns the result. */
db_t *db_new(const char *url, const char *schema, int wait_ms);
void db_destroy(db_t **db_p);
/* Runs `sql` (no parameters; set_config calls) now and after every
 * reconnection, so that the session's settings outlive a restart of the
 * database. 0, or -1 when it failed now. */
int db_set_session(db_t *db, const char *sql);

/* Runs one parameterised statement (text parameters; NULL is SQL NULL).
 * Returns the result, which the caller PQclears, or NULL on failure: then
 * db_error() and db_sqlstate() tell why. A connection lost outside a
 * transaction is re-established and the statement retried once. */
PGresult *db_query(db_t *db, const char *sql, int nparams, const char *const *params);

/* As db_query, with per-parameter lengths and formats (1 = binary). */
PGresult *db_query_bin(db_t *db, const char *sql, int nparams, const char *const *params,
                       const int *lengths, const int *formats);

/* One statement of db_query_each: as db_query's arguments. */
typedef struct {
    const char *sql;
    int nparams;
    const char *const *params;
} db_statement_t;

/* Runs `n` statements (at most 8) in one round trip (libpq's pipeline
 * mode), each as db_query would run it: for reads that do not wait on each
 * other's answers (a meeting, its items, its attendance). 0 and each
 * statement's result in results[i] (the caller PQclears every one), or -1
 * and none: db_error() and db_sqlstate() tell the first failure's. */
int db_query_each(db_t *db, const db_statement_t *statements, int n, PGresult **results);

/* As db_query, planned afresh at every call instead of prepared once on
 * the connection: for a statement whose best plan changes as its tables
 * grow (a plan cached while a table was small scans it whole), run seldom
 * enough that planning it costs little (the relay's batch). */
PGresult *db_query_planned(db_t *db, const char *sql, int nparams, const char *const *params);

/* Opens a transaction. BEGIN is sent together with the next statement, so
 * it costs no round trip of its own. db_error() and db_sqlstate() are ""
 * after it until something in the transaction fails. */
int db_begin(db_t *db);
/* Counts `n` items of a queue (samhand_queue_items_total of the process,
 * labelled with the schema) when the current transaction commits, and not
 * at all if it rolls back. `queue` and `flow` must outlive the transaction
 * (string literals). */
void db_count_at_commit(db_t *db, const char *queue, const char *flow, int n);
/* Who the following work is for (borrowed until set again; NULL: the
 * service itself): the events written carry it. */
void db_set_actor(db_t *db, const char *subject, const char *organization_id);

/* Calls fn(arg) when the current transaction commits (and not if it rolls
 * back), once however often asked; at most 4 of them per transaction. For
 * waking a thread that waits for the work committed, so it finds it at
 * once instead of at its next tick. */
void db_at_commit(db_t *db, void (*fn)(void *), void *arg);
/* An fn for db_at_commit: wakes the eventfd `(intptr_t)eventfd`. */
void db_wake(void *eventfd);
/* The process's relay: every transaction that writes to the outbox wakes
 * `fd` when it commits. -1: none. */
void db_outbox_wake(int fd);
/* Wakes the process's relay now (it publishes what waits). */
void db_outbox_nudge(void);

int db_commit(db_t *db);
/* Rolls back if a transaction is open; safe to call on every error path. */
void db_rollback(db_t *db);

/* The last failure's message (borrowed, valid until the next call), its
 * first line only (never the DETAIL, which quotes row values), and its
 * SQLSTATE ("" when not from the server). */
const char *db_error(db_t *db);
const char *db_sqlstate(db_t *db);

/* LISTEN: the connection's socket, to wait on for notifications (-1 when
 * it has none), and what came: reads the socket and returns how many
 * notifications arrived since the last call, or -1 when the connection is
 * lost (the LISTEN with it: connect again and LISTEN again). */
int db_socket(db_t *db);
int db_notifications(db_t *db);

/* 0 when a trivial query succeeds. */
int db_ping(db_t *db);

/* Creates the schema with its bookkeeping (schema_migrations, outbox) and
 * applies every migration newer than the schema's version, each in its own
 * transaction, while holding an advisory lock so that replicas starting
 * together migrate once. Returns the schema version or -1. */
int db_migrate(db_t *db, const db_migration_t *migrations, size_t n);

/* Highest applied migration, or -1. */
int db_schema_version(db_t *db);

/* Appends a samhand.v1.Event to the outbox inside the caller's transaction,
 * so the event exists exactly when the change it records does. In a
 * transaction its insert is sent with the next statement or the COMMIT
 * (no round trip of its own): an insert refused fails that statement, or
 * the commit, with the insert's error and SQLSTATE. `data` is
 * the aggregate after the change; `organization_id` and `committee_id` (or
 * NULL) let consumers filter what a subscriber may see. The event id is a
 * fresh UUID; the sequence is the outbox row's. Returns 0 or -1. */
int db_outbox_append(db_t *db, const char *type, const char *subject, const char *organization_id,
                     const char *committee_id, const ProtobufCMessage *data);

/* Appends the event as db_outbox_append does and commits the transaction,
 * both in one round trip. Returns 0 when committed; on -1 nothing of the
 * transaction remains. */
int db_outbox_commit(db_t *db, const char *type, const char *subject, const char *organization_id,
                     const char *committee_id, const ProtobufCMessage *data);

/* Who may see an event, each list narrowing the others (empty: no
 * narrowing): the organisations, the roles (samhand_visibility.h names the
 * sets) and the principals by subject. */
typedef struct {
    const char *const *organizations;
    size_t n_organizations;
    const char *const *roles;
    size_t n_roles;
    const char *const *subjects;
    size_t n_subjects;
} db_audience_t;

/* As db_outbox_append and db_outbox_commit, for an event only `audience`
 * may see. */
int db_outbox_append_for(db_t *db, const char *type, const char *subject,
                         const char *organization_id, const char *committee_id,
                         const db_audience_t *audience, const ProtobufCMessage *data);
int db_outbox_commit_for(db_t *db, const char *type, const char *subject,
                         const char *organization_id, const char *committee_id,
                         const db_audience_t *audience, const ProtobufCMessage *data);

/* Idempotency-Key: a request repeated with the same key by the same
 * principal gets the first answer again instead of being done twice.
 *
 * db_idempotency_begin serialises requests with the same (subject, method,
 * key) on an advisory lock and looks the key up: 0 when it is new, 1 when
 * it was answered before (*reply_p, malloc'ed, holds that answer), 2 when it
 * was used with a different request, -1 on error. After 0, 1 or 2 the caller
 * calls db_idempotency_end to release the lock, after storing the answer of
 * a successful request with db_idempotency_store. */
int db_idempotency_begin(db_t *db, const char *subject, const char *method, const char *key,
                         const uint8_t *request, size_t request_len, uint8_t **reply_p,
                         size_t *reply_len);
int db_idempotency_store(db_t *db, const char *subject, const char *method, const char *key,
                         const uint8_t *request, size_t request_len, const uint8_t *reply,
                         size_t reply_len);
void db_idempotency_end(db_t *db, const char *subject, const char *method, const char *key);

/* Forgets keys older than `retention_hours`; returns how many, or -1. */
int db_idempotency_prune(db_t *db, int retention_hours);

#endif
