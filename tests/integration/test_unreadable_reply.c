/* A service that answers something the gateway cannot read: the caller
 * gets 500 and /metrics counts the 500 it got. The service is a ROUTER of
 * this test's own in agenda's place, speaking the bus as agenda would
 * (one frame, an Envelope) with a body that is no message. */
#include "harness.h"
#include "samhand/v1/envelope.pb-c.h"

#include <czmq.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

typedef struct {
    zsock_t *router;
    pthread_t thread;
    volatile bool stop;
    atomic_int answered; /* counted before the reply goes, so the test sees it */
} s_service_t;

/* static, and stopped in the teardown: a failed check leaves the test
 * function at once */
static s_service_t s_service;
static pid_t s_gateway;

/* Answers every request with its own request id and a body that does not
 * unpack: field 1, length 127, then nothing. */
static void *s_serve(void *arg)
{
    s_service_t *service = arg;
    zpoller_t *poller = zpoller_new(service->router, NULL);
    while (!service->stop) {
        if (!zpoller_wait(poller, 100))
            continue;
        zmsg_t *msg = zmsg_recv(service->router);
        if (!msg)
            break;
        zframe_t *identity = zmsg_pop(msg);
        zframe_t *frame = zmsg_last(msg);
        Samhand__V1__Envelope *request =
            frame ? samhand__v1__envelope__unpack(NULL, zframe_size(frame), zframe_data(frame))
                  : NULL;
        if (request) {
            static uint8_t garbage[] = {0x0a, 0x7f};
            Samhand__V1__Envelope reply = SAMHAND__V1__ENVELOPE__INIT;
            reply.request_id = request->request_id;
            reply.body.data = garbage;
            reply.body.len = sizeof garbage;
            size_t len = samhand__v1__envelope__get_packed_size(&reply);
            uint8_t *buf = malloc(len);
            samhand__v1__envelope__pack(&reply, buf);
            atomic_fetch_add(&service->answered, 1);
            zmsg_t *out = zmsg_new();
            zmsg_append(out, &identity);
            zmsg_addmem(out, buf, len);
            zmsg_send(&out, service->router);
            free(buf);
            samhand__v1__envelope__free_unpacked(request, NULL);
        }
        zframe_destroy(&identity);
        zmsg_destroy(&msg);
    }
    zpoller_destroy(&poller);
    return NULL;
}

/* The value of the series `series` in `text`, or -1 if absent. */
static double s_series(const char *text, const char *series)
{
    for (const char *p = text; (p = strstr(p, series)); p++)
        if ((p == text || p[-1] == '\n') && p[strlen(series)] == ' ')
            return atof(p + strlen(series) + 1);
    return -1;
}

static void test_an_unreadable_reply_is_counted_as_the_500_sent(void **state)
{
    s_service_t *service = &s_service;
    int agenda_port = harness_free_port(), http_port = harness_free_port();
    service->router = zsock_new(ZMQ_ROUTER);
    assert_int_equal(zsock_bind(service->router, "tcp://127.0.0.1:%d", agenda_port), agenda_port);
    pthread_create(&service->thread, NULL, s_serve, service);

    /* the administrator's key, to read the whole of /metrics */
    const char *key = "shk_00112233445566778899aabbccddeeff";
    unsigned char digest[32];
    unsigned int digest_len;
    EVP_Digest(key, strlen(key), digest, &digest_len, EVP_sha256(), NULL);
    char hash[128] = "SAMHAND_ADMIN_KEY_SHA256=", *h = hash + strlen(hash);
    for (int i = 0; i < 32; i++)
        h += sprintf(h, "%02x", digest[i]);
    char agenda[64], deviation[64], notify[64], port[64], auth[96], base[64];
    snprintf(agenda, sizeof agenda, "SAMHAND_AGENDA_ENDPOINT=tcp://127.0.0.1:%d", agenda_port);
    snprintf(deviation, sizeof deviation, "SAMHAND_DEVIATION_ENDPOINT=tcp://127.0.0.1:%d",
             harness_free_port());
    snprintf(notify, sizeof notify, "SAMHAND_NOTIFY_ENDPOINT=tcp://127.0.0.1:%d",
             harness_free_port());
    snprintf(port, sizeof port, "SAMHAND_HTTP_PORT=%d", http_port);
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", key);
    snprintf(base, sizeof base, "http://127.0.0.1:%d", http_port);
    const char *env[] = {agenda, deviation, notify, port, hash, "SAMHAND_RATE_LIMIT=0", NULL};
    s_gateway = harness_spawn("samhand-gateway", env);

    /* until the gateway listens and its DEALER has reached the service */
    char url[128];
    snprintf(url, sizeof url, "%s/v1/organizations", base);
    long status = 0;
    for (int i = 0; i < 100 && status != 500; i++) {
        harness_http_response_t *r = harness_http_request("GET", url, NULL, NULL);
        status = r->status;
        harness_http_response_free(&r);
        if (status != 500)
            usleep(100 * 1000);
    }
    assert_int_equal(status, 500);
    /* the 500 is the garbage's: the service answered (a request the
     * gateway gave up on while reaching it may have been answered too) */
    assert_true(atomic_load(&service->answered) >= 1);

    snprintf(url, sizeof url, "%s/metrics", base);
    const char *headers[] = {auth, NULL};
    harness_http_response_t *r = harness_http_request("GET", url, NULL, headers);
    harness_expect_status(r, 200);
    if (s_series(r->body, "samhand_http_requests_total{route=\"GET /v1/organizations\","
                          "code=\"500\"}") != 1)
        fail_msg("the 500 sent is not counted once as 500:\n%s", r->body);
    assert_true(s_series(r->body, "samhand_http_requests_total{route=\"GET "
                                  "/v1/organizations\",code=\"502\"}") < 0);
    harness_http_response_free(&r);

    int exit_status = harness_stop(s_gateway);
    s_gateway = 0;
    assert_int_equal(exit_status, 0);
}

static int s_teardown(void **state)
{
    if (s_gateway)
        harness_stop(s_gateway);
    if (s_service.router) {
        s_service.stop = true;
        pthread_join(s_service.thread, NULL);
        zsock_destroy(&s_service.router);
    }
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_an_unreadable_reply_is_counted_as_the_500_sent, s_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
