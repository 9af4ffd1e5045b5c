/* Nothing acknowledged is lost through a crash: a burst of committees is
 * created while notify, and then agenda, are killed with SIGKILL and
 * started again; every committee whose creation was answered 201 reaches
 * the webhook receiver, every delivery verifies with the Standard Webhooks
 * reference library, and an event delivered twice carries the same
 * webhook-id both times. */
#include "harness.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BURST 2000

static harness_stack_t s_stack;

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

static void test_burst_through_crashes(void **state)
{
    harness_receiver_t *rx = harness_receiver_start(NULL, 0, 204);
    char body[256];
    snprintf(body, sizeof body, "{\"url\":\"%s\",\"eventTypes\":[\"no.samhand.committee.created\"]}",
             harness_receiver_url(rx));
    http_response_t *r = stack_send(&s_stack, "POST", "/v1/subscriptions", body);
    assert_int_equal(r->status, 201);
    char secret[80];
    snprintf(secret, sizeof secret, "%s", json_text(r, "secret"));
    http_response_free(&r);

    char **acknowledged = calloc(BURST, sizeof *acknowledged);
    size_t n_acknowledged = 0;
    bool notify_crashed = false, agenda_crashed = false;
    for (int attempt = 0; n_acknowledged < BURST && attempt < 4 * BURST; attempt++) {
        if (!notify_crashed && n_acknowledged == BURST / 4)
            harness_stack_crash(&s_stack, "notify"), notify_crashed = true;
        if (!agenda_crashed && n_acknowledged == BURST / 2)
            harness_stack_crash(&s_stack, "agenda"), agenda_crashed = true;
        snprintf(body, sizeof body, "{\"name\":\"Utvalg %d\",\"kind\":\"OTHER\"}", attempt);
        r = stack_send(&s_stack, "POST", "/v1/committees", body);
        /* while agenda is down the gateway answers 503 or 504: not
         * acknowledged, so not owed; the client tries again a little later */
        if (r->status == 201) {
            acknowledged[n_acknowledged++] = strdup(json_text(r, "id"));
        } else {
            assert_true(r->status == 503 || r->status == 504);
            usleep(20 * 1000);
        }
        http_response_free(&r);
    }
    assert_int_equal(n_acknowledged, BURST);

    /* well inside the two minutes of a delivery's lease: the lease of the
     * notify that died ends with its database session */
    size_t received = harness_receiver_wait(rx, n_acknowledged, 60000);
    assert_true(received >= n_acknowledged);
    s_seen_t *seen = calloc(received, sizeof *seen);
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
    /* every delivery, repeats included, verifies with the reference library */
    assert_int_equal(harness_receiver_verify(rx, secret), 0);
    qsort(seen, received, sizeof *seen, s_compare_seen);
    for (size_t i = 1; i < received; i++)
        if (strcmp(seen[i].committee, seen[i - 1].committee) == 0)
            assert_string_equal(seen[i].webhook_id, seen[i - 1].webhook_id);
    qsort(acknowledged, n_acknowledged, sizeof *acknowledged, s_compare);
    for (size_t i = 0; i < n_acknowledged; i++) {
        s_seen_t key = {0};
        snprintf(key.committee, sizeof key.committee, "%s", acknowledged[i]);
        if (!bsearch(&key, seen, received, sizeof *seen, s_compare_seen))
            fail_msg("committee %s was acknowledged but its event never arrived",
                     acknowledged[i]);
        free(acknowledged[i]);
    }
    free(acknowledged);
    free(seen);
    harness_receiver_stop(&rx);
}

static int s_setup(void **state)
{
    harness_stack_start(&s_stack, harness_database_url());
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
        cmocka_unit_test(test_burst_through_crashes),
    };
    return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
