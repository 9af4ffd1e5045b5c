/* Nothing acknowledged is lost through a crash: a burst of 2000 committees
 * is created while notify, and then agenda, are killed with SIGKILL and
 * started again, and another while PostgreSQL is restarted twice under the
 * stack; every committee whose creation was answered 201 reaches
 * the webhook receiver, every delivery verifies with the Standard Webhooks
 * reference library, and an event delivered twice carries the same
 * webhook-id both times. */
#include "harness.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define BURST 2000

static harness_stack_t s_stack;
static const char *s_db;

static int s_compare(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

typedef struct {
    char committee[40];
    char webhook_id[64];
} s_seen_t;

static int s_compare_seen(const void *a, const void *b)
{
    return strcmp(((const s_seen_t *)a)->committee, ((const s_seen_t *)b)->committee);
}

/* The committees of the first `received` deliveries, with their
 * webhook-id, sorted by committee. */
static s_seen_t *s_seen(harness_receiver_t *rx, size_t received)
{
    s_seen_t *seen = calloc(received ? received : 1, sizeof *seen);
    for (size_t i = 0; i < received; i++) {
        json_t *event = json_loads(harness_receiver_body(rx, i), 0, NULL);
        assert_non_null(event);
        const char *id = json_string_value(json_object_get(json_object_get(event, "data"), "id"));
        assert_non_null(id);
        snprintf(seen[i].committee, sizeof seen[i].committee, "%s", id);
        snprintf(seen[i].webhook_id, sizeof seen[i].webhook_id, "%s",
                 harness_receiver_header(rx, i, "webhook-id"));
        json_decref(event);
    }
    qsort(seen, received, sizeof *seen, s_compare_seen);
    return seen;
}

/* How many of the sorted `acknowledged` are not among `seen`. */
static size_t s_missing(char **acknowledged, size_t n, const s_seen_t *seen, size_t received)
{
    size_t missing = 0;
    for (size_t i = 0; i < n; i++) {
        s_seen_t key = {0};
        snprintf(key.committee, sizeof key.committee, "%s", acknowledged[i]);
        missing += bsearch(&key, seen, received, sizeof *seen, s_compare_seen) == NULL;
    }
    return missing;
}

/* What became of the first few acknowledged committees that never
 * arrived, so that a failure says where the event stopped: agenda's
 * outbox, notify's copy, its deliveries. */
static void s_explain_missing(char **acknowledged, size_t n, const s_seen_t *seen, size_t received)
{
    PGconn *conn = PQconnectdb(s_db);
    int shown = 0;
    for (size_t i = 0; i < n && shown < 5; i++) {
        s_seen_t key = {0};
        snprintf(key.committee, sizeof key.committee, "%s", acknowledged[i]);
        if (bsearch(&key, seen, received, sizeof *seen, s_compare_seen))
            continue;
        shown++;
        const char *params[] = {acknowledged[i]};
        PGresult *res = PQexecParams(
            conn,
            "SELECT o.sequence, o.published_seq, o.published_at, e.seq, d.state, d.attempts, "
            "round(extract(epoch FROM d.next_attempt_at - now())), d.leased_by, s.url, "
            "s.state, s.failing_since, (SELECT last_sequence FROM notify.consumer_offsets "
            "WHERE source = 'agenda') FROM agenda.outbox o LEFT JOIN notify.events e ON "
            "e.id = o.id LEFT JOIN notify.deliveries d ON d.event_seq = e.seq LEFT JOIN "
            "notify.subscriptions s ON s.id = d.subscription_id WHERE o.subject LIKE '%' || $1",
            1, NULL, params, NULL, NULL, 0);
        print_message("committee %s:%s\n", acknowledged[i],
                      PQresultStatus(res) != PGRES_TUPLES_OK ? PQerrorMessage(conn)
                      : PQntuples(res) == 0                  ? " not in agenda's outbox"
                                                             : "");
        for (int r = 0; PQresultStatus(res) == PGRES_TUPLES_OK && r < PQntuples(res); r++) {
            print_message("  outbox %s published %s at %s; notify event %s; delivery %s attempts "
                          "%s due in %s s leased by %s to %s (%s, failing since %s); notify "
                          "follows agenda at %s\n",
                          PQgetvalue(res, r, 0), PQgetvalue(res, r, 1), PQgetvalue(res, r, 2),
                          PQgetvalue(res, r, 3), PQgetvalue(res, r, 4), PQgetvalue(res, r, 5),
                          PQgetvalue(res, r, 6), PQgetvalue(res, r, 7), PQgetvalue(res, r, 8),
                          PQgetvalue(res, r, 9), PQgetvalue(res, r, 10), PQgetvalue(res, r, 11));
        }
        PQclear(res);
    }
    PQfinish(conn);
}

/* Creates BURST committees, calling `crash` with its argument once when half
 * are acknowledged, and checks every acknowledged one reaches the webhook
 * receiver, verifiable, repeats with their webhook-id. */
static void s_burst(void (*crash)(int at), const char *what)
{
    harness_receiver_t *rx = harness_receiver_start(NULL, 0, 204);
    char body[256];
    snprintf(body, sizeof body,
             "{\"url\":\"%s\",\"eventTypes\":[\"no.samhand.committee.created\"]}",
             harness_receiver_url(rx));
    harness_http_response_t *r = harness_stack_send(&s_stack, "POST", "/v1/subscriptions", body);
    assert_int_equal(r->status, 201);
    char secret[80];
    snprintf(secret, sizeof secret, "%s", harness_json_text(r, "secret"));
    harness_http_response_free(&r);

    char **acknowledged = calloc(BURST, sizeof *acknowledged);
    size_t n_acknowledged = 0;
    int crashes = 0;
    for (int attempt = 0; n_acknowledged < BURST && attempt < 4 * BURST; attempt++) {
        if (crashes < 2 && n_acknowledged == (size_t)(crashes + 1) * BURST / 3)
            crash(crashes++);
        snprintf(body, sizeof body, "{\"name\":\"%s %d\",\"kind\":\"OTHER\"}", what, attempt);
        r = harness_stack_send(&s_stack, "POST", "/v1/committees", body);
        /* while a part is down the gateway answers 503 or 504: not
         * acknowledged, so not owed; the client tries again a little later */
        if (r->status == 201) {
            acknowledged[n_acknowledged++] = strdup(harness_json_text(r, "id"));
        } else {
            if (r->status != 503 && r->status != 504)
                fail_msg("POST /v1/committees answered %ld: %s", r->status, r->body);
            usleep(20 * 1000);
        }
        harness_http_response_free(&r);
    }
    assert_int_equal(n_acknowledged, BURST);

    /* well inside the two minutes of a delivery's lease: the lease of a
     * notify that died ends with its database session. Repeats count
     * among the deliveries received, so the wait goes on until every
     * acknowledged committee is among them or the minute is up. */
    qsort(acknowledged, n_acknowledged, sizeof *acknowledged, s_compare);
    size_t received = 0, missing = n_acknowledged;
    s_seen_t *seen = NULL;
    for (time_t until = time(NULL) + 60; missing > 0 && time(NULL) < until;) {
        received = harness_receiver_wait(rx, received + missing, 1000);
        free(seen);
        seen = s_seen(rx, received);
        missing = s_missing(acknowledged, n_acknowledged, seen, received);
    }
    if (missing > 0) {
        print_message("%zu of %zu acknowledged committees never arrived\n", missing,
                      n_acknowledged);
        s_explain_missing(acknowledged, n_acknowledged, seen, received);
    }
    assert_true(received >= n_acknowledged);
    /* every delivery, repeats included, verifies with the reference library */
    assert_int_equal(harness_receiver_verify(rx, secret), 0);
    for (size_t i = 1; i < received; i++)
        if (strcmp(seen[i].committee, seen[i - 1].committee) == 0)
            assert_string_equal(seen[i].webhook_id, seen[i - 1].webhook_id);
    for (size_t i = 0; i < n_acknowledged; i++) {
        s_seen_t key = {0};
        snprintf(key.committee, sizeof key.committee, "%s", acknowledged[i]);
        if (!bsearch(&key, seen, received, sizeof *seen, s_compare_seen))
            fail_msg("committee %s was acknowledged but its event never arrived", acknowledged[i]);
        free(acknowledged[i]);
    }
    free(acknowledged);
    free(seen);
    harness_receiver_stop(&rx);
}

/* kill -9 of notify, then of agenda */
static void s_kill_services(int at)
{
    harness_stack_crash(&s_stack, at == 0 ? "notify" : "agenda");
}

/* PostgreSQL restarted (fast shutdown: every session cut) under the stack */
static void s_restart_database(int at)
{
    const char *restart = getenv("SAMHAND_TEST_PG_RESTART");
    assert_non_null(restart);
    assert_int_equal(system(restart), 0);
}

static void test_burst_through_killed_services(void **state)
{
    s_burst(s_kill_services, "Utvalg");
}

static void test_burst_through_database_restarts(void **state)
{
    s_burst(s_restart_database, "Råd");
}

static int s_setup(void **state)
{
    s_db = harness_database_url();
    harness_stack_start(&s_stack, s_db);
    return 0;
}

static int s_teardown(void **state)
{
    harness_stack_stop(&s_stack);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_burst_through_killed_services),
        cmocka_unit_test(test_burst_through_database_restarts),
    };
    return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
