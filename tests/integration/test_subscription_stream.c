/* A subscription's stream, as a receiver relies on it: nothing lost while
 * it is paused or switched off, every webhook numbered by the stream
 * (sequence) and by the subscription (subscriptionsequence, from 1 without
 * gaps), a gap closed through GET /v1/subscriptions/{id}/events, a replay
 * of everything since a time, pacing, a probe instead of a flood for an
 * endpoint that fails, and heartbeats. Real binaries, PostgreSQL and a
 * real receiver; signatures checked with the reference library. */
#include "harness.h"

#include <libpq-fe.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static harness_stack_t s_stack;
static const char *s_db; /* the stack's database */

static int s_setup(void **state)
{
    setenv("SAMHAND_WEBHOOK_RETRY_BASE_MS", "100", 1);
    setenv("SAMHAND_WEBHOOK_MAX_ATTEMPTS", "11", 1);
    /* the retention's expiry is housekeeping, every minute unless told */
    setenv("SAMHAND_HOUSEKEEPING_SECONDS", "1", 1);
    s_db = harness_database_url();
    harness_stack_start(&s_stack, s_db);
    return 0;
}

static int s_teardown(void **state)
{
    harness_stack_stop(&s_stack);
    return 0;
}

static double s_now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + t.tv_nsec / 1e9;
}

/* Subscribes the receiver to `types` with `extra` JSON members ("" for
 * none), and waits for its handshake to be answered (ACTIVE). */
static void s_subscribe(harness_receiver_t *rx, const char *types, const char *extra, char id[40],
                        char secret[80])
{
    char body[512], path[128];
    snprintf(body, sizeof body, "{\"url\":\"%s\",\"eventTypes\":[%s]%s}", harness_receiver_url(rx),
             types, extra);
    harness_http_response_t *r = harness_stack_send(&s_stack, "POST", "/v1/subscriptions", body);
    if (r->status != 201)
        fprintf(stderr, "%s\n", r->body);
    assert_int_equal(r->status, 201);
    snprintf(id, 40, "%s", harness_json_text(r, "id"));
    snprintf(secret, 80, "%s", harness_json_text(r, "secret"));
    harness_http_response_free(&r);
    snprintf(path, sizeof path, "/v1/subscriptions/%s", id);
    for (int i = 0; i < 100; i++) {
        r = harness_stack_get(&s_stack, path);
        bool active = strcmp(harness_json_text(r, "state"), "ACTIVE") == 0;
        harness_http_response_free(&r);
        if (active)
            return;
        usleep(100 * 1000);
    }
    fail_msg("subscription %s never answered its handshake", id);
}

static void s_patch(const char *id, const char *body)
{
    char path[128];
    snprintf(path, sizeof path, "/v1/subscriptions/%s", id);
    harness_http_response_t *r = harness_stack_send(&s_stack, "PATCH", path, body);
    if (r->status != 200)
        fprintf(stderr, "%s\n", r->body);
    assert_int_equal(r->status, 200);
    harness_http_response_free(&r);
}

static void s_committee(const char *name)
{
    char body[128];
    snprintf(body, sizeof body, "{\"name\":\"%s\",\"kind\":\"OTHER\"}", name);
    harness_http_response_t *r = harness_stack_send(&s_stack, "POST", "/v1/committees", body);
    assert_int_equal(r->status, 201);
    harness_http_response_free(&r);
}

/* The i-th request's CloudEvent; the caller json_decref's it. */
static json_t *s_event(harness_receiver_t *rx, size_t i)
{
    json_t *event = json_loads(harness_receiver_body(rx, i), 0, NULL);
    assert_non_null(event);
    return event;
}

static const char *s_member(json_t *event, const char *key)
{
    const char *value = json_string_value(json_object_get(event, key));
    return value ? value : "";
}

static const char *s_name(json_t *event)
{
    return json_string_value(json_object_get(json_object_get(event, "data"), "name"));
}

/* Events raised while a subscription is paused wait for it: resumed, it
 * gets them in order, each with the stream's sequence (as the feed has
 * it) and its own counter from 1. */
static void test_pause_keeps_everything(void **state)
{
    harness_receiver_t *rx = harness_receiver_start(NULL, 0, 204);
    char id[40], secret[80];
    s_subscribe(rx, "\"no.samhand.committee.\"", "", id, secret);
    s_committee("Før pausen");
    assert_int_equal(harness_receiver_wait(rx, 1, 10000), 1);
    s_patch(id, "{\"state\":\"PAUSED\"}");
    s_committee("Under pausen 1");
    s_committee("Under pausen 2");
    usleep(1000 * 1000);
    assert_int_equal(harness_receiver_wait(rx, 2, 0), 1); /* paused: nothing goes */
    char path[128];
    snprintf(path, sizeof path, "/v1/subscriptions/%s", id);
    harness_http_response_t *r = harness_stack_get(&s_stack, path);
    assert_string_equal(harness_json_text(r, "pendingDeliveries"), "2");
    assert_string_equal(harness_json_text(r, "lastSequence"), "3");
    harness_http_response_free(&r);
    s_patch(id, "{\"state\":\"ACTIVE\"}");
    assert_int_equal(harness_receiver_wait(rx, 3, 10000), 3);
    static const char *names[] = {"Før pausen", "Under pausen 1", "Under pausen 2"};
    static const char *counters[] = {"1", "2", "3"};
    r = harness_stack_get(&s_stack, "/v1/events?types=no.samhand.committee.&limit=500");
    json_t *feed = json_object_get(r->json, "items");
    for (size_t i = 0; i < 3; i++) {
        json_t *event = s_event(rx, i);
        assert_string_equal(s_name(event), names[i]);
        assert_string_equal(s_member(event, "subscriptionsequence"), counters[i]);
        /* the stream's sequence, the same as in the feed */
        const char *sequence = s_member(event, "sequence");
        assert_string_not_equal(sequence, "0");
        bool in_feed = false;
        for (size_t j = 0; j < json_array_size(feed); j++) {
            json_t *f = json_array_get(feed, j);
            if (strcmp(s_member(f, "id"), s_member(event, "id")) == 0) {
                assert_string_equal(s_member(f, "sequence"), sequence);
                assert_null(json_object_get(f, "subscriptionsequence")); /* the feed's own */
                in_feed = true;
            }
        }
        assert_true(in_feed);
        json_decref(event);
    }
    harness_http_response_free(&r);
    assert_int_equal(harness_receiver_verify(rx, secret), 0);
    harness_receiver_stop(&rx);
}

/* Subscribes `rx` to committees' events, pauses it and raises committees
 * named `names` (NULL-terminated); returns once every one waits for it. */
static void s_paused_with(harness_receiver_t *rx, const char *const *names, char id[40],
                          char secret[80])
{
    s_subscribe(rx, "\"no.samhand.committee.\"", "", id, secret);
    s_patch(id, "{\"state\":\"PAUSED\"}");
    size_t n = 0;
    for (; names[n]; n++)
        s_committee(names[n]);
    char path[128], pending[16];
    snprintf(path, sizeof path, "/v1/subscriptions/%s", id);
    snprintf(pending, sizeof pending, "%zu", n);
    harness_http_response_t *r = harness_stack_await(&s_stack, path, "pendingDeliveries", pending);
    assert_string_equal(harness_json_text(r, "pendingDeliveries"), pending);
    harness_http_response_free(&r);
}

/* Deliveries waiting for a paused subscription are kept in the database,
 * not in notify: through a kill -9 of notify, with events raised before
 * and right after it, none is lost; resumed, the receiver gets each, in
 * order, counted 1..n without a gap. A crash may send one twice, always
 * with its webhook-id (at least once, as the README promises): a repeat
 * carries the counter and webhook-id of the one before it. */
static void test_paused_survives_kill_of_notify(void **state)
{
    harness_receiver_t *rx = harness_receiver_start(NULL, 0, 204);
    char id[40], secret[80];
    static const char *const before[] = {"Drept 1", "Drept 2", "Drept 3", NULL};
    s_paused_with(rx, before, id, secret); /* all three queued before the kill */
    harness_stack_crash(&s_stack, "notify");
    s_committee("Drept 4"); /* agenda keeps them until notify follows again */
    s_committee("Drept 5");
    harness_stack_wait_ready(&s_stack); /* notify back */
    s_patch(id, "{\"state\":\"ACTIVE\"}");
    size_t n = 0;
    for (int i = 0; i < 200; i++) { /* five distinct, repeats aside */
        n = harness_receiver_wait(rx, 5, 100);
        json_t *last = n ? s_event(rx, n - 1) : NULL;
        bool done = last && strcmp(s_member(last, "subscriptionsequence"), "5") == 0;
        json_decref(last);
        if (done)
            break;
    }
    long long expected = 1;
    char previous_id[64] = "";
    for (size_t i = 0; i < n; i++) {
        json_t *event = s_event(rx, i);
        long long counter = atoll(s_member(event, "subscriptionsequence"));
        const char *webhook_id = harness_receiver_header(rx, i, "webhook-id");
        if (counter == expected - 1) { /* a repeat of the one before */
            assert_string_equal(webhook_id, previous_id);
        } else {
            assert_int_equal(counter, expected);
            char name[32];
            snprintf(name, sizeof name, "Drept %lld", expected);
            assert_string_equal(s_name(event), name);
            expected++;
        }
        snprintf(previous_id, sizeof previous_id, "%s", webhook_id);
        json_decref(event);
    }
    assert_int_equal(expected, 6);
    assert_int_equal(harness_receiver_verify(rx, secret), 0);
    harness_receiver_stop(&rx);
}

/* A delivery that waited longer than SAMHAND_WEBHOOK_RETENTION_DAYS (a
 * paused subscription's, here aged by moving its event's arrival back 31
 * days) becomes a dead letter at the next housekeeping, its attempt log
 * saying why; the younger one beside it is kept and goes when the
 * subscription is resumed, its counter telling the receiver that one is
 * missing, and the dead letter can be sent again. */
static void test_retention_expires_only_the_old(void **state)
{
    harness_receiver_t *rx = harness_receiver_start(NULL, 0, 204);
    char id[40], secret[80], path[160];
    static const char *const names[] = {"Utgått", "Fersk", NULL};
    s_paused_with(rx, names, id, secret);
    PGconn *conn = PQconnectdb(s_db);
    const char *params[] = {id};
    PGresult *res =
        PQexecParams(conn,
                     "UPDATE notify.events SET received_at = now() - interval '31 days' "
                     "WHERE seq = (SELECT event_seq FROM notify.deliveries WHERE "
                     "subscription_id = $1 AND subscription_sequence = 1)",
                     1, NULL, params, NULL, NULL, 0);
    assert_string_equal(PQcmdTuples(res), "1");
    PQclear(res);
    PQfinish(conn);
    /* housekeeping runs every second here (SAMHAND_HOUSEKEEPING_SECONDS) */
    snprintf(path, sizeof path, "/v1/subscriptions/%s", id);
    harness_http_response_t *r = harness_stack_await(&s_stack, path, "pendingDeliveries", "1");
    assert_string_equal(harness_json_text(r, "pendingDeliveries"), "1");
    harness_http_response_free(&r);
    snprintf(path, sizeof path, "/v1/subscriptions/%s/deliveries", id);
    r = harness_stack_get(&s_stack, path);
    harness_expect_status(r, 200);
    json_t *items = json_object_get(r->json, "items");
    assert_int_equal(json_array_size(items), 2);
    int dead = 0, pending = 0;
    for (size_t i = 0; i < 2; i++) {
        json_t *d = json_array_get(items, i);
        const char *what = json_string_value(json_object_get(d, "state"));
        if (strcmp(what, "DEAD") == 0) {
            json_t *attempt = json_array_get(json_object_get(d, "attemptLog"), 0);
            assert_non_null(strstr(json_string_value(json_object_get(attempt, "response")),
                                   "SAMHAND_WEBHOOK_RETENTION_DAYS"));
            dead++;
        } else {
            assert_string_equal(what, "PENDING");
            pending++;
        }
    }
    assert_int_equal(dead, 1);
    assert_int_equal(pending, 1);
    harness_http_response_free(&r);
    s_patch(id, "{\"state\":\"ACTIVE\"}");
    assert_int_equal(harness_receiver_wait(rx, 1, 10000), 1);
    usleep(300 * 1000);
    assert_int_equal(harness_receiver_wait(rx, 2, 0), 1);
    json_t *event = s_event(rx, 0);
    assert_string_equal(s_name(event), "Fersk");
    assert_string_equal(s_member(event, "subscriptionsequence"), "2");
    json_decref(event);
    harness_receiver_stop(&rx);
}

/* A subscription switched off (410) and switched on again by its owner
 * gets what came while it was off. */
static void test_reenabled_gets_what_came_while_off(void **state)
{
    static const int statuses[] = {410};
    harness_receiver_t *rx = harness_receiver_start(statuses, 1, 204);
    char id[40], secret[80];
    s_subscribe(rx, "\"no.samhand.committee.\"", "", id, secret);
    s_committee("Avslått 1");
    assert_int_equal(harness_receiver_wait(rx, 1, 10000), 1);
    char path[128];
    snprintf(path, sizeof path, "/v1/subscriptions/%s", id);
    harness_http_response_t *r = harness_stack_await(&s_stack, path, "state", "DISABLED");
    assert_string_equal(harness_json_text(r, "state"), "DISABLED");
    harness_http_response_free(&r);
    s_committee("Avslått 2");
    usleep(500 * 1000);
    s_patch(id, "{\"state\":\"ACTIVE\"}");
    /* the one refused with 410 again, then the one that came meanwhile */
    assert_int_equal(harness_receiver_wait(rx, 3, 10000), 3);
    json_t *second = s_event(rx, 1), *third = s_event(rx, 2);
    assert_string_equal(s_name(second), "Avslått 1");
    assert_string_equal(s_name(third), "Avslått 2");
    assert_string_equal(s_member(third, "subscriptionsequence"), "2");
    json_decref(second);
    json_decref(third);
    harness_receiver_stop(&rx);
}

/* A receiver that lost one (it answered 2xx, then dropped it) sees the
 * gap in subscriptionsequence, which counts only the events matching the
 * subscription, and gets the missing one from the subscription's events. */
static void test_a_gap_is_found_and_closed(void **state)
{
    harness_receiver_t *rx = harness_receiver_start(NULL, 0, 204);
    char id[40], secret[80];
    s_subscribe(rx, "\"no.samhand.committee.\"", "", id, secret);
    harness_http_response_t *r =
        harness_stack_send(&s_stack, "POST", "/v1/organizations",
                           "{\"name\":\"Trondheim kommune\",\"organizationNumber\":"
                           "\"942110464\",\"kind\":\"MUNICIPALITY\"}");
    assert_int_equal(r->status, 201);
    char person[256];
    snprintf(person, sizeof person, "{\"name\":\"Kari Nordmann\",\"organizationId\":\"%s\"}",
             harness_json_text(r, "id"));
    harness_http_response_free(&r);
    for (int i = 0; i < 4; i++) {
        char name[32];
        snprintf(name, sizeof name, "Hull %d", i + 1);
        s_committee(name);
        /* an event the subscription does not want, in between */
        r = harness_stack_send(&s_stack, "POST", "/v1/persons", person);
        assert_int_equal(r->status, 201);
        harness_http_response_free(&r);
    }
    assert_int_equal(harness_receiver_wait(rx, 4, 10000), 4);
    /* the counters run 1..4 without a gap, whatever else happened */
    for (size_t i = 0; i < 4; i++) {
        json_t *event = s_event(rx, i);
        char expected[8];
        snprintf(expected, sizeof expected, "%zu", i + 1);
        assert_string_equal(s_member(event, "subscriptionsequence"), expected);
        json_decref(event);
    }
    /* the receiver dropped the third: after 2 it saw 4 */
    json_t *lost = s_event(rx, 2);
    char path[160];
    snprintf(path, sizeof path, "/v1/subscriptions/%s/events?after=2&limit=1", id);
    r = harness_stack_get(&s_stack, path);
    assert_int_equal(r->status, 200);
    json_t *items = json_object_get(r->json, "items");
    assert_int_equal(json_array_size(items), 1);
    json_t *found = json_array_get(items, 0);
    assert_string_equal(s_member(found, "id"), s_member(lost, "id"));
    assert_string_equal(s_member(found, "subscriptionsequence"), "3");
    assert_string_equal(s_member(found, "sequence"), s_member(lost, "sequence"));
    assert_string_equal(s_name(found), "Hull 3");
    assert_string_equal(harness_json_text(r, "nextCursor"), "3");
    harness_http_response_free(&r);
    json_decref(lost);
    /* and the whole of it, by the counter */
    snprintf(path, sizeof path, "/v1/subscriptions/%s/events", id);
    r = harness_stack_get(&s_stack, path);
    assert_int_equal(json_array_size(json_object_get(r->json, "items")), 4);
    harness_http_response_free(&r);
    snprintf(path, sizeof path, "/v1/subscriptions/%s/events?after=x", id);
    r = harness_stack_get(&s_stack, path);
    harness_assert_problem(r, 400, "after");
    harness_http_response_free(&r);
    harness_receiver_stop(&rx);
}

/* Recover since a time: what was delivered since then comes again, in
 * order, and the subscription's pending deliveries show the progress. */
static void test_recover_since(void **state)
{
    harness_receiver_t *rx = harness_receiver_start(NULL, 0, 204);
    char id[40], secret[80];
    s_subscribe(rx, "\"no.samhand.committee.\"", "", id, secret);
    s_committee("Igjen 1");
    s_committee("Igjen 2");
    assert_int_equal(harness_receiver_wait(rx, 2, 10000), 2);
    char path[160], body[128];
    /* received is not yet recorded: the sender writes down each delivery
     * after its receiver answered */
    snprintf(path, sizeof path, "/v1/subscriptions/%s", id);
    harness_http_response_t *settled =
        harness_stack_await(&s_stack, path, "pendingDeliveries", "0");
    assert_string_equal(harness_json_text(settled, "pendingDeliveries"), "0");
    harness_http_response_free(&settled);
    snprintf(path, sizeof path, "/v1/subscriptions/%s/replay", id);
    time_t since = time(NULL) - 60;
    struct tm tm;
    gmtime_r(&since, &tm);
    strftime(body, sizeof body, "{\"since\":\"%Y-%m-%dT%H:%M:%SZ\"}", &tm);
    harness_http_response_t *r = harness_stack_send(&s_stack, "POST", path, body);
    assert_int_equal(r->status, 200);
    assert_int_equal(json_integer_value(json_object_get(r->json, "replayed")), 2);
    harness_http_response_free(&r);
    assert_int_equal(harness_receiver_wait(rx, 4, 10000), 4);
    json_t *third = s_event(rx, 2), *fourth = s_event(rx, 3);
    assert_string_equal(s_name(third), "Igjen 1");
    assert_string_equal(s_member(third, "subscriptionsequence"), "1");
    assert_string_equal(s_name(fourth), "Igjen 2");
    json_decref(third);
    json_decref(fourth);
    snprintf(path, sizeof path, "/v1/subscriptions/%s", id);
    for (int i = 0; i < 50; i++) {
        r = harness_stack_get(&s_stack, path);
        bool done = strcmp(harness_json_text(r, "pendingDeliveries"), "0") == 0;
        harness_http_response_free(&r);
        if (done)
            break;
        usleep(100 * 1000);
    }
    r = harness_stack_get(&s_stack, path);
    assert_string_equal(harness_json_text(r, "pendingDeliveries"), "0");
    harness_http_response_free(&r);
    harness_receiver_stop(&rx);
}

/* An endpoint paced at 2 deliveries a second gets a backlog of 6 over
 * at least two seconds, in order; unpaced it takes a moment. */
static void test_pacing_per_endpoint(void **state)
{
    harness_receiver_t *rx = harness_receiver_start(NULL, 0, 204);
    char id[40], secret[80];
    s_subscribe(rx, "\"no.samhand.committee.\"", ",\"maxDeliveriesPerSecond\":2", id, secret);
    s_patch(id, "{\"state\":\"PAUSED\"}");
    for (int i = 0; i < 6; i++) {
        char name[32];
        snprintf(name, sizeof name, "Tempo %d", i + 1);
        s_committee(name);
    }
    s_patch(id, "{\"state\":\"ACTIVE\"}");
    assert_true(harness_receiver_wait(rx, 1, 10000) >= 1);
    double first = s_now_s();
    assert_int_equal(harness_receiver_wait(rx, 6, 10000), 6);
    double span = s_now_s() - first;
    assert_true(span >= 1.5);
    for (size_t i = 0; i < 6; i++) {
        json_t *event = s_event(rx, i);
        char expected[8];
        snprintf(expected, sizeof expected, "%zu", i + 1);
        assert_string_equal(s_member(event, "subscriptionsequence"), expected);
        json_decref(event);
    }
    char path[128];
    snprintf(path, sizeof path, "/v1/subscriptions/%s", id);
    harness_http_response_t *r =
        harness_stack_send(&s_stack, "PATCH", path, "{\"maxDeliveriesPerSecond\":-1}");
    harness_assert_problem(r, 400, "maxDeliveriesPerSecond");
    harness_http_response_free(&r);
    harness_receiver_stop(&rx);
}

/* An endpoint that keeps failing gets one delivery, its probe, after each
 * backoff, not the backlog behind it; once it answers, the rest follows in
 * order. */
static void test_a_failing_endpoint_is_probed(void **state)
{
    static const int statuses[] = {503, 503, 503};
    harness_receiver_t *rx = harness_receiver_start(statuses, 3, 204);
    char id[40], secret[80];
    s_subscribe(rx, "\"no.samhand.committee.\"", "", id, secret);
    s_patch(id, "{\"state\":\"PAUSED\"}");
    for (int i = 0; i < 5; i++) {
        char name[32];
        snprintf(name, sizeof name, "Probe %d", i + 1);
        s_committee(name);
    }
    s_patch(id, "{\"state\":\"ACTIVE\"}");
    assert_int_equal(harness_receiver_wait(rx, 8, 15000), 8);
    usleep(300 * 1000);
    assert_int_equal(harness_receiver_wait(rx, 9, 0), 8);
    static const char *expected[] = {"1", "1", "1", "1", "2", "3", "4", "5"};
    for (size_t i = 0; i < 8; i++) {
        json_t *event = s_event(rx, i);
        assert_string_equal(s_member(event, "subscriptionsequence"), expected[i]);
        json_decref(event);
    }
    harness_receiver_stop(&rx);
}

/* A subscription with a heartbeat gets, when nothing was sent for that
 * long, a signed no.samhand.subscription.heartbeat with its counter. */
static void test_heartbeat(void **state)
{
    harness_receiver_t *rx = harness_receiver_start(NULL, 0, 204);
    char id[40], secret[80];
    s_subscribe(rx, "\"no.samhand.committee.\"", ",\"heartbeatSeconds\":1", id, secret);
    s_committee("Puls");
    assert_int_equal(harness_receiver_wait(rx, 2, 10000), 2);
    size_t n = harness_receiver_wait(rx, 2, 0);
    json_t *beat = NULL;
    for (size_t i = 0; i < n && !beat; i++) {
        json_t *event = s_event(rx, i);
        if (strcmp(s_member(event, "type"), "no.samhand.subscription.heartbeat") == 0)
            beat = event;
        else
            json_decref(event);
    }
    assert_non_null(beat);
    assert_string_equal(s_member(beat, "source"), "/notify");
    assert_string_equal(s_member(beat, "subject"), id);
    json_t *data = json_object_get(beat, "data");
    assert_string_equal(json_string_value(json_object_get(data, "subscriptionId")), id);
    assert_non_null(json_object_get(data, "lastSequence"));
    json_decref(beat);
    assert_int_equal(harness_receiver_verify(rx, secret), 0);
    harness_receiver_stop(&rx);
}

/* `counts` ("n_tup_ins") of notify's `table`, as the statistics have it. */
static long long s_rows_written(PGconn *conn, const char *table, const char *counts)
{
    char sql[200];
    snprintf(sql, sizeof sql,
             "SELECT %s FROM pg_stat_user_tables WHERE schemaname = 'notify' AND relname = $1",
             counts);
    const char *params[] = {table};
    PGresult *res = PQexecParams(conn, sql, 1, NULL, params, NULL, NULL, 0);
    assert_int_equal(PQntuples(res), 1);
    long long n = atoll(PQgetvalue(res, 0, 0));
    PQclear(res);
    return n;
}

/* A backlog (notify stopped while agenda went on) is applied in runs: each
 * subscription's counter is written once a run, not once an event (a
 * counter moved once an event made a long run's fan-out take seconds),
 * and the receivers still get every event numbered 1..n in order. */
static void test_a_backlog_is_numbered_once_a_run(void **state)
{
    enum { SUBSCRIPTIONS = 3, EVENTS = 40 };
    harness_receiver_t *rx[SUBSCRIPTIONS];
    char id[SUBSCRIPTIONS][40], secret[SUBSCRIPTIONS][80];
    for (int i = 0; i < SUBSCRIPTIONS; i++) {
        rx[i] = harness_receiver_start(NULL, 0, 204);
        s_subscribe(rx[i], "\"no.samhand.committee.\"", "", id[i], secret[i]);
    }
    PGconn *conn = PQconnectdb(s_db);
    assert_int_equal(PQstatus(conn), CONNECTION_OK);
    /* the deliveries made (the senders update them: not counted), and the
     * counters' writes */
    long long deliveries = s_rows_written(conn, "deliveries", "n_tup_ins");
    long long counters = s_rows_written(conn, "subscription_counters", "n_tup_ins + n_tup_upd");
    assert_int_equal(kill(s_stack.notify, SIGSTOP), 0);
    for (int i = 0; i < EVENTS; i++) {
        char name[32];
        snprintf(name, sizeof name, "Etterslep %d", i + 1);
        s_committee(name);
    }
    harness_await_published("agenda");
    assert_int_equal(kill(s_stack.notify, SIGCONT), 0);
    for (int i = 0; i < SUBSCRIPTIONS; i++) {
        assert_int_equal(harness_receiver_wait(rx[i], EVENTS, 20000), EVENTS);
        for (int k = 0; k < EVENTS; k++) {
            json_t *event = s_event(rx[i], (size_t)k);
            char name[32], counter[16];
            snprintf(name, sizeof name, "Etterslep %d", k + 1);
            snprintf(counter, sizeof counter, "%d", k + 1);
            assert_string_equal(s_name(event), name);
            assert_string_equal(s_member(event, "subscriptionsequence"), counter);
            json_decref(event);
        }
        assert_int_equal(harness_receiver_verify(rx[i], secret[i]), 0);
    }
    /* the statistics come a little after the commits; the deliveries'
     * and the counters' from the same transactions */
    long long wanted = deliveries + SUBSCRIPTIONS * EVENTS;
    for (int t = 0; t < 100 && s_rows_written(conn, "deliveries", "n_tup_ins") < wanted; t++)
        usleep(100 * 1000);
    assert_int_equal(s_rows_written(conn, "deliveries", "n_tup_ins"), wanted);
    long long written =
        s_rows_written(conn, "subscription_counters", "n_tup_ins + n_tup_upd") - counters;
    /* once an event would be 120; the backlog comes in a few runs */
    if (written > SUBSCRIPTIONS * EVENTS / 4)
        fail_msg("the counters were written %lld times for %d events to %d subscriptions", written,
                 EVENTS, SUBSCRIPTIONS);
    PQfinish(conn);
    for (int i = 0; i < SUBSCRIPTIONS; i++)
        harness_receiver_stop(&rx[i]);
}

/* One value of `sql` on `conn`, as text ("" when there is no row). */
static void s_value(PGconn *conn, const char *sql, char *out, size_t size)
{
    PGresult *res = PQexec(conn, sql);
    snprintf(out, size, "%s",
             PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) > 0 ? PQgetvalue(res, 0, 0)
                                                                          : "");
    PQclear(res);
}

/* A superuser's transaction that writes agenda's outbox (an operator's, as
 * the rule of who may write an outbox allows) holds the stream back until
 * it ends, also where agenda's relay, logging in as agenda, cannot see
 * that session's transaction id in pg_stat_activity: an event committed
 * after it is not published before it, and both are, in the outbox's
 * order, once it commits. */
static void test_an_operators_open_write_holds_the_stream(void **state)
{
    s_committee("Foran operatøren");
    harness_await_published("agenda");
    PGconn *operator= PQconnectdb(s_db); /* the stack's superuser */
    assert_int_equal(PQstatus(operator), CONNECTION_OK);
    char held[24], later[24], n_held[24], n_later[24];
    PQclear(PQexec(operator, "BEGIN"));
    PQclear(PQexec(operator, "SELECT pg_current_xact_id()")); /* its id before its sequence */
    s_value(operator,
            "INSERT INTO agenda.outbox (type, subject, event) SELECT type, subject, event FROM "
            "agenda.outbox ORDER BY sequence DESC LIMIT 1 RETURNING sequence",
            held, sizeof held);
    assert_true(held[0]);
    s_committee("Etter operatøren");
    PGconn *look = PQconnectdb(s_db);
    s_value(look, "SELECT max(sequence) FROM agenda.outbox", later, sizeof later);
    assert_true(atoll(later) > atoll(held));
    usleep(1000 * 1000); /* the relay samples every few ms */
    char sql[200];
    snprintf(sql, sizeof sql,
             "SELECT coalesce(published_seq::text, 'none') FROM agenda.outbox_stream WHERE "
             "sequence = %s",
             later);
    s_value(look, sql, n_later, sizeof n_later);
    PQclear(PQexec(operator, "COMMIT"));
    PQfinish(operator);
    assert_string_equal(n_later, "none");
    harness_await_published("agenda");
    snprintf(sql, sizeof sql,
             "SELECT coalesce(published_seq::text, 'none') FROM agenda.outbox_stream WHERE "
             "sequence = %s",
             held);
    s_value(look, sql, n_held, sizeof n_held);
    snprintf(sql, sizeof sql,
             "SELECT coalesce(published_seq::text, 'none') FROM agenda.outbox_stream WHERE "
             "sequence = %s",
             later);
    s_value(look, sql, n_later, sizeof n_later);
    PQfinish(look);
    assert_string_not_equal(n_held, "none");
    assert_string_not_equal(n_later, "none");
    assert_int_equal(atoll(n_later), atoll(n_held) + 1);
}

/* Each test's subscriptions go with it (see harness_stack_forget_subscriptions). */
static int s_forget(void **state)
{
    (void)state;
    return harness_stack_forget_subscriptions(&s_stack);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_an_operators_open_write_holds_the_stream),
        cmocka_unit_test_teardown(test_pause_keeps_everything, s_forget),
        cmocka_unit_test_teardown(test_paused_survives_kill_of_notify, s_forget),
        cmocka_unit_test_teardown(test_retention_expires_only_the_old, s_forget),
        cmocka_unit_test_teardown(test_reenabled_gets_what_came_while_off, s_forget),
        cmocka_unit_test_teardown(test_a_gap_is_found_and_closed, s_forget),
        cmocka_unit_test_teardown(test_recover_since, s_forget),
        cmocka_unit_test_teardown(test_pacing_per_endpoint, s_forget),
        cmocka_unit_test_teardown(test_a_failing_endpoint_is_probed, s_forget),
        cmocka_unit_test_teardown(test_heartbeat, s_forget),
        cmocka_unit_test_teardown(test_a_backlog_is_numbered_once_a_run, s_forget),
    };
    return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
