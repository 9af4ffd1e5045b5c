/* A party's failing receivers are the party's, not the platform's: /readyz
 * stays ready while its endpoints answer 500, 503 or 410, and each
 * subscription shows its own health (failing since, failures in a row,
 * the oldest pending age) in the API, /metrics and `samhand queues`; its
 * owner is told once when it starts failing, and when it is switched off;
 * and no receiver, not even one that hangs, holds up samhand's own mail. */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define KOMMUNE "11111111-1111-4111-8111-111111111111"
#define SYKEHUS "22222222-2222-4222-8222-222222222222"

static harness_stack_t s_stack;
static harness_smtp_t *s_smtp;

static int s_setup(void **state)
{
    setenv("SAMHAND_WEBHOOK_RETRY_BASE_MS", "100", 1);
    setenv("SAMHAND_WEBHOOK_MAX_ATTEMPTS", "50", 1);
    setenv("SAMHAND_QUEUE_MAX_AGE_SECONDS", "1", 1);
    s_smtp = harness_smtp_start();
    setenv("SAMHAND_SMTP_URL", harness_smtp_url(s_smtp), 1);
    /* notify's one sender: every endpoint shares it, a hanging one too */
    static const harness_key_t keys[] = {{"shk_kommune", KOMMUNE, "reporter"}};
    harness_api_keys_set(keys, 1);
    harness_stack_start(&s_stack, harness_database_url());
    return 0;
}

static int s_teardown(void **state)
{
    harness_stack_stop(&s_stack);
    harness_smtp_stop(&s_smtp);
    return 0;
}

static void s_subscribe(harness_receiver_t *rx, const char *contact, char id[40])
{
    char body[512];
    snprintf(body, sizeof body,
             "{\"url\":\"%s\",\"eventTypes\":[\"no.samhand.committee.\"],\"contactEmail\":\"%s\"}",
             harness_receiver_url(rx), contact);
    harness_http_response_t *r = harness_stack_send(&s_stack, "POST", "/v1/subscriptions", body);
    harness_expect_status(r, 201);
    snprintf(id, 40, "%s", harness_json_text(r, "id"));
    harness_http_response_free(&r);
}

/* How many mails went to `to`. */
static int s_mails(const char *to)
{
    int n = 0;
    for (size_t i = 0; i < harness_smtp_wait(s_smtp, 0, 0); i++)
        n += strstr(harness_smtp_recipient(s_smtp, i), to) != NULL;
    return n;
}

static void test_failing_receivers_leave_the_platform_ready(void **state)
{
    static const int gone[] = {410};
    harness_receiver_t *failing = harness_receiver_start(NULL, 0, 500);
    harness_receiver_t *leaving = harness_receiver_start(gone, 1, 204);
    /* unavailable, not hanging: a hanging endpoint holds up its sender
     * (the test below has one) */
    harness_receiver_t *hanging = harness_receiver_start(NULL, 0, 503);
    char failing_id[40], leaving_id[40], hanging_id[40];
    s_subscribe(failing, "feil@kommune.no", failing_id);
    s_subscribe(leaving, "borte@kommune.no", leaving_id);
    s_subscribe(hanging, "treg@kommune.no", hanging_id);
    harness_http_response_t *r = harness_stack_send(
        &s_stack, "POST", "/v1/committees", "{\"name\":\"Samarbeidsutvalget\",\"kind\":\"OTHER\"}");
    harness_expect_status(r, 201);
    harness_http_response_free(&r);
    assert_true(harness_receiver_wait(failing, 3, 10000) >= 3);

    /* well past SAMHAND_QUEUE_MAX_AGE_SECONDS of waiting deliveries: the
     * platform is ready all along */
    for (int i = 0; i < 30; i++) {
        r = harness_stack_get(&s_stack, "/readyz");
        if (r->status != 200)
            fail_msg("/readyz answered %ld while only receivers failed: %s", r->status, r->body);
        harness_http_response_free(&r);
        usleep(100 * 1000);
    }

    /* each subscription's own health */
    char path[128];
    snprintf(path, sizeof path, "/v1/subscriptions/%s", failing_id);
    r = harness_stack_get(&s_stack, path);
    harness_expect_status(r, 200);
    json_t *health = json_object_get(r->json, "health");
    assert_non_null(json_object_get(health, "failingSince"));
    assert_true(json_integer_value(json_object_get(health, "consecutiveFailures")) >= 3);
    assert_true(atoll(json_string_value(json_object_get(health, "oldestPendingAgeSeconds"))) >= 2);
    harness_http_response_free(&r);
    snprintf(path, sizeof path, "/v1/subscriptions/%s", leaving_id);
    for (int i = 0; i < 100; i++) { /* its sender may still wait on the slow one */
        r = harness_stack_get(&s_stack, path);
        bool is_off = strcmp(harness_json_text(r, "state"), "DISABLED") == 0;
        harness_http_response_free(&r);
        if (is_off)
            break;
        usleep(100 * 1000);
    }
    r = harness_stack_get(&s_stack, path);
    assert_string_equal(harness_json_text(r, "state"), "DISABLED");
    harness_http_response_free(&r);

    /* in /metrics, one series per subscription, as Prometheus takes it */
    r = harness_stack_get(&s_stack, "/metrics");
    harness_expect_status(r, 200);
    char series[256];
    snprintf(series, sizeof series,
             "samhand_webhook_subscription_consecutive_failures{service=\"notify\","
             "subscription=\"%s\"} ",
             failing_id);
    assert_non_null(strstr(r->body, series));
    snprintf(series, sizeof series,
             "samhand_webhook_subscription_failing_since_timestamp_seconds{service=\"notify\","
             "subscription=\"%s\"} ",
             failing_id);
    assert_non_null(strstr(r->body, series));
    snprintf(series, sizeof series,
             "samhand_webhook_subscription_oldest_pending_age_seconds{service=\"notify\","
             "subscription=\"%s\"} ",
             hanging_id);
    assert_non_null(strstr(r->body, series));
    snprintf(series, sizeof series, "subscription=\"%s\"", leaving_id); /* off: not watched */
    assert_null(strstr(r->body, series));
    char file[] = "/tmp/samhand-metrics-XXXXXX";
    int fd = mkstemp(file);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, r->body, strlen(r->body)), (ssize_t)strlen(r->body));
    close(fd);
    char command[4200];
    snprintf(command, sizeof command, "promtool check metrics < %s", file);
    int check = system(command);
    unlink(file);
    assert_int_equal(check, 0);
    harness_http_response_free(&r);

    /* in `samhand queues`, from the running stack */
    snprintf(command, sizeof command, "SAMHAND_HTTP_PORT=%d SAMHAND_KEY=%s %s/samhand queues",
             s_stack.http_port, s_stack.admin_key, getenv("SAMHAND_SOURCE_DIR"));
    FILE *out = popen(command, "r");
    assert_non_null(out);
    char line[512];
    bool listed = false;
    while (fgets(line, sizeof line, out))
        listed = listed || (strstr(line, failing_id) && strstr(line, "T"));
    assert_int_equal(pclose(out), 0);
    assert_true(listed);

    /* its owner told once that it fails, however often it fails; the one
     * that answered 410 told that it is off (and only that) */
    for (int i = 0; i < 100 && (s_mails("feil@kommune.no") < 1 || s_mails("borte@kommune.no") < 1);
         i++)
        usleep(100 * 1000);
    usleep(1000 * 1000);
    assert_int_equal(s_mails("feil@kommune.no"), 1);
    assert_int_equal(s_mails("borte@kommune.no"), 1);
    assert_int_equal(s_mails("treg@kommune.no"), 1);
    harness_receiver_stop(&failing);
    harness_receiver_stop(&leaving);
    harness_receiver_stop(&hanging);
}

/* Mail is samhand's own queue, which /readyz counts, and no receiver holds
 * it up: while three endpoints hang on their handshakes (each takes the
 * request and never answers, so the one webhook sender waits out the 10 s
 * timeout of each in turn), a deviation's receipt reaches its reporter
 * within seconds, and /readyz stays 200 all along. */
static void test_a_hanging_receiver_never_delays_mail(void **state)
{
    harness_receiver_t *hanging[3];
    for (int i = 0; i < 3; i++) {
        hanging[i] = harness_receiver_start(NULL, 0, HARNESS_HANG);
        harness_receiver_handshake_status(hanging[i], HARNESS_HANG);
        char id[40], contact[64];
        snprintf(contact, sizeof contact, "heng%d@kommune.no", i);
        s_subscribe(hanging[i], contact, id);
    }
    /* the sender is held by the first of them */
    size_t handshakes = 0;
    for (int i = 0; i < 100 && handshakes == 0; i++, usleep(100 * 1000))
        for (int j = 0; j < 3; j++)
            handshakes += harness_receiver_handshakes(hanging[j]);
    assert_true(handshakes > 0);
    char url[256];
    snprintf(url, sizeof url, "%s/v1/deviations", s_stack.base_url);
    const char *headers[] = {"Authorization: Bearer shk_kommune", NULL};
    harness_http_response_t *r = harness_http_request(
        "POST", url,
        "{\"reportingOrganizationId\":\"" KOMMUNE "\",\"receivingOrganizationId\":\"" SYKEHUS
        "\",\"reporterName\":\"Kari Nordmann\",\"reporterEmail\":\"kari@kommune.no\","
        "\"occurredTime\":\"2026-11-02T10:00:00+01:00\",\"type\":\"BREACH_OF_AGREEMENT\","
        "\"categoryCode\":\"SAM-EPIKRISE\",\"description\":\"Epikrise mangler.\","
        "\"harmDegree\":\"MINOR\",\"submit\":true}",
        headers);
    harness_expect_status(r, 201);
    harness_http_response_free(&r);
    /* well inside the first hanging handshake's 10 s */
    for (int i = 0; i < 50 && s_mails("kari@kommune.no") == 0; i++) {
        r = harness_stack_get(&s_stack, "/readyz");
        if (r->status != 200)
            fail_msg("/readyz answered %ld while a receiver hung: %s", r->status, r->body);
        harness_http_response_free(&r);
        usleep(100 * 1000);
    }
    assert_int_equal(s_mails("kari@kommune.no"), 1);
    r = harness_stack_get(&s_stack, "/readyz");
    harness_expect_status(r, 200);
    harness_http_response_free(&r);
    for (int i = 0; i < 3; i++)
        harness_receiver_stop(&hanging[i]);
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
        cmocka_unit_test_teardown(test_failing_receivers_leave_the_platform_ready, s_forget),
        cmocka_unit_test_teardown(test_a_hanging_receiver_never_delays_mail, s_forget),
    };
    return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
