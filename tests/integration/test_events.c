/* The pull feed: every change of agenda and deviation reaches notify by the
 * event stream and comes out as CloudEvents, in order, paged by a cursor,
 * filtered by type, and only to those who may see it. */
#include "harness.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define KOMMUNE "11111111-1111-4111-8111-111111111111"
#define SYKEHUS "22222222-2222-4222-8222-222222222222"
#define ANNEN "44444444-4444-4444-8444-444444444444"

static harness_stack_t s_stack;
static const char *s_kommune = "Authorization: Bearer shk_kommune";
static const char *s_annen = "Authorization: Bearer shk_annen";
static const char *s_sykehus = "Authorization: Bearer shk_sykehus";

static harness_http_response_t *s_as(const char *who, const char *path, const char *body)
{
    char url[512];
    snprintf(url, sizeof url, "%s%s", s_stack.base_url, path);
    const char *headers[] = {who, NULL};
    return harness_http_request(body ? "POST" : "GET", url, body, headers);
}

/* The feed as `who` sees it, once it holds an event of `type`. */
static harness_http_response_t *s_feed_with(const char *who, const char *query, const char *type)
{
    harness_http_response_t *r = NULL;
    for (int i = 0; i < 100; i++) {
        harness_http_response_free(&r);
        char path[256];
        snprintf(path, sizeof path, "/v1/events%s", query);
        r = s_as(who, path, NULL);
        assert_int_equal(r->status, 200);
        json_t *items = json_object_get(r->json, "items");
        for (size_t j = 0; j < json_array_size(items); j++)
            if (strcmp(json_string_value(json_object_get(json_array_get(items, j), "type")),
                       type) == 0)
                return r;
        usleep(100 * 1000);
    }
    return r;
}

static bool s_has(harness_http_response_t *r, const char *type)
{
    json_t *items = json_object_get(r->json, "items");
    for (size_t j = 0; j < json_array_size(items); j++)
        if (strcmp(json_string_value(json_object_get(json_array_get(items, j), "type")), type) == 0)
            return true;
    return false;
}

static char s_database[256];

static int s_setup(void **state)
{
    static const harness_key_t keys[] = {{"shk_kommune", KOMMUNE, "reporter"},
                                         {"shk_annen", ANNEN, "reporter"},
                                         {"shk_sykehus", SYKEHUS, "integration"}};
    harness_api_keys_set(keys, 3);
    snprintf(s_database, sizeof s_database, "%s", harness_database_url());
    harness_stack_start(&s_stack, s_database);
    harness_http_response_t *r =
        harness_stack_send(&s_stack, "POST", "/v1/organizations",
                           "{\"name\":\"Trondheim kommune\",\"organizationNumber\":"
                           "\"942110464\",\"kind\":\"MUNICIPALITY\"}");
    assert_int_equal(r->status, 201);
    harness_http_response_free(&r);
    r = s_as(s_kommune, "/v1/deviations",
             "{\"reportingOrganizationId\":\"" KOMMUNE "\",\"receivingOrganizationId\":\"" SYKEHUS
             "\",\"occurredTime\":\"2026-11-02T10:00:00+01:00\",\"type\":\"BREACH_OF_AGREEMENT\","
             "\"categoryCode\":\"SAM-EPIKRISE\",\"description\":\"Epikrise mangler.\","
             "\"harmDegree\":\"MINOR\",\"submit\":true}");
    assert_int_equal(r->status, 201);
    harness_http_response_free(&r);
    return 0;
}

static int s_teardown(void **state)
{
    harness_stack_stop(&s_stack);
    return 0;
}

static void test_cloud_events(void **state)
{
    /* agenda's and deviation's streams reach notify each in its own time */
    harness_http_response_t *r =
        s_feed_with(s_stack.auth_header, "", "no.samhand.organization.created");
    harness_http_response_free(&r);
    r = s_feed_with(s_stack.auth_header, "", "no.samhand.deviation.submitted");
    assert_true(s_has(r, "no.samhand.organization.created"));
    json_t *items = json_object_get(r->json, "items");
    json_t *org = NULL;
    for (size_t i = 0; i < json_array_size(items); i++)
        if (strcmp(json_string_value(json_object_get(json_array_get(items, i), "type")),
                   "no.samhand.organization.created") == 0)
            org = json_array_get(items, i);
    assert_non_null(org);
    assert_string_equal(json_string_value(json_object_get(org, "specversion")), "1.0");
    assert_string_equal(json_string_value(json_object_get(org, "source")), "/agenda");
    assert_string_equal(json_string_value(json_object_get(org, "datacontenttype")),
                        "application/json");
    assert_string_equal(json_string_value(json_object_get(org, "dataschema")),
                        "urn:samhand:samhand.v1.Organization");
    assert_int_equal(strlen(json_string_value(json_object_get(org, "id"))), 36);
    json_t *data = json_object_get(org, "data");
    assert_string_equal(json_string_value(json_object_get(data, "name")), "Trondheim kommune");
    assert_string_equal(json_string_value(json_object_get(data, "kind")), "MUNICIPALITY");
    assert_string_equal(json_string_value(json_object_get(org, "subject")),
                        json_string_value(json_object_get(data, "id")));
    /* who did it, for the audit trail: the administrator; the deviation by
     * the municipality's key, for the municipality */
    assert_string_equal(json_string_value(json_object_get(org, "actor")), "admin");
    json_t *deviation = NULL;
    for (size_t i = 0; i < json_array_size(items); i++)
        if (strcmp(json_string_value(json_object_get(json_array_get(items, i), "type")),
                   "no.samhand.deviation.submitted") == 0)
            deviation = json_array_get(items, i);
    assert_non_null(deviation);
    assert_true(strncmp(json_string_value(json_object_get(deviation, "actor")), "key:", 4) == 0);
    assert_string_equal(json_string_value(json_object_get(deviation, "actororganization")),
                        KOMMUNE);
    harness_http_response_free(&r);
}

static void test_paging_and_types(void **state)
{
    harness_http_response_t *r =
        s_feed_with(s_stack.auth_header, "?limit=1", "no.samhand.organization.created");
    assert_int_equal(json_array_size(json_object_get(r->json, "items")), 1);
    char cursor[32], first[64];
    snprintf(cursor, sizeof cursor, "%s", harness_json_text(r, "nextCursor"));
    snprintf(first, sizeof first, "%s",
             json_string_value(
                 json_object_get(json_array_get(json_object_get(r->json, "items"), 0), "id")));
    harness_http_response_free(&r);
    char query[96];
    snprintf(query, sizeof query, "/v1/events?limit=1&after=%s", cursor);
    r = harness_stack_get(&s_stack, query);
    assert_int_equal(json_array_size(json_object_get(r->json, "items")), 1);
    assert_string_not_equal(json_string_value(json_object_get(
                                json_array_get(json_object_get(r->json, "items"), 0), "id")),
                            first);
    harness_http_response_free(&r);

    r = harness_stack_get(&s_stack, "/v1/events?types=no.samhand.deviation.");
    json_t *items = json_object_get(r->json, "items");
    assert_true(json_array_size(items) >= 1);
    for (size_t i = 0; i < json_array_size(items); i++)
        assert_int_equal(
            strncmp(json_string_value(json_object_get(json_array_get(items, i), "type")),
                    "no.samhand.deviation.", 21),
            0);
    harness_http_response_free(&r);

    r = harness_stack_get(&s_stack, "/v1/events?after=soon");
    harness_assert_problem(r, 400, "after");
    harness_http_response_free(&r);
}

static void test_only_what_one_may_see(void **state)
{
    /* the reporter sees its deviation; a third party sees the directory but not it */
    harness_http_response_t *r = s_feed_with(s_kommune, "", "no.samhand.deviation.submitted");
    assert_true(s_has(r, "no.samhand.deviation.submitted"));
    harness_http_response_free(&r);
    r = s_feed_with(s_annen, "", "no.samhand.organization.created");
    assert_true(s_has(r, "no.samhand.organization.created"));
    assert_false(s_has(r, "no.samhand.deviation.submitted"));
    harness_http_response_free(&r);
    char url[256];
    snprintf(url, sizeof url, "%s/v1/events", s_stack.base_url);
    r = harness_http_request("GET", url, NULL, NULL);
    harness_assert_problem(r, 401, NULL);
    harness_http_response_free(&r);
}

typedef struct {
    char path[128];
    harness_http_response_t *response;
} s_poll_t;

static void *s_poll(void *arg)
{
    s_poll_t *poll = arg;
    poll->response = harness_stack_get(&s_stack, poll->path);
    return NULL;
}

static void test_long_poll_waits_for_the_next_event(void **state)
{
    /* where the feed is now */
    harness_http_response_t *r = harness_stack_get(&s_stack, "/v1/events?limit=500");
    char cursor[32];
    snprintf(cursor, sizeof cursor, "%s", harness_json_text(r, "nextCursor"));
    harness_http_response_free(&r);

    s_poll_t poll = {.response = NULL};
    snprintf(poll.path, sizeof poll.path, "/v1/events?after=%s&waitSeconds=20", cursor);
    pthread_t thread;
    pthread_create(&thread, NULL, s_poll, &poll);
    usleep(500 * 1000); /* the poll is waiting now */
    r = harness_stack_send(&s_stack, "POST", "/v1/committees",
                           "{\"name\":\"Fagråd for legemidler\",\"kind\":\"EXPERT_COUNCIL\"}");
    harness_expect_status(r, 201);
    harness_http_response_free(&r);
    pthread_join(thread, NULL);
    harness_expect_status(poll.response, 200);
    json_t *items = json_object_get(poll.response->json, "items");
    assert_int_equal(json_array_size(items), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(items, 0), "type")),
                        "no.samhand.committee.created");
    harness_http_response_free(&poll.response);

    r = harness_stack_get(&s_stack, "/v1/events?waitSeconds=31");
    harness_assert_problem(r, 400, "waitSeconds");
    harness_http_response_free(&r);
}

typedef struct {
    char last_event_id[32];
    const char *until; /* stop once the stream holds this */
    char received[16384];
    size_t len;
} s_sse_t;

static size_t s_sse_write(char *data, size_t size, size_t n, void *arg)
{
    s_sse_t *sse = arg;
    size_t take = size * n;
    if (sse->len + take >= sizeof sse->received)
        return 0;
    memcpy(sse->received + sse->len, data, take);
    sse->len += take;
    sse->received[sse->len] = '\0';
    return strstr(sse->received, sse->until) ? 0 : take; /* 0 ends the transfer */
}

static void *s_sse(void *arg)
{
    s_sse_t *sse = arg;
    char url[256], last[64];
    snprintf(url, sizeof url, "%s/v1/events/stream", s_stack.base_url);
    snprintf(last, sizeof last, "Last-Event-ID: %s", sse->last_event_id);
    struct curl_slist *headers = curl_slist_append(NULL, s_stack.auth_header);
    headers = curl_slist_append(headers, last);
    CURL *curl = curl_easy_init();
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, s_sse_write);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, sse);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 15000L);
    curl_easy_perform(curl);
    curl_easy_cleanup(curl);
    curl_slist_free_all(headers);
    return NULL;
}

static void test_server_sent_events(void **state)
{
    harness_http_response_t *r = harness_stack_get(&s_stack, "/v1/events?limit=500");
    s_sse_t first = {.until = "event: no.samhand.committee.created"};
    snprintf(first.last_event_id, sizeof first.last_event_id, "%s",
             harness_json_text(r, "nextCursor"));
    harness_http_response_free(&r);
    pthread_t thread;
    pthread_create(&thread, NULL, s_sse, &first);
    usleep(500 * 1000);
    r = harness_stack_send(
        &s_stack, "POST", "/v1/committees",
        "{\"name\":\"Fagråd for rus og psykisk helse\",\"kind\":\"EXPERT_COUNCIL\"}");
    harness_expect_status(r, 201);
    harness_http_response_free(&r);
    pthread_join(thread, NULL);
    const char *event = strstr(first.received, "id: ");
    assert_non_null(event);
    assert_non_null(strstr(first.received, "event: no.samhand.committee.created\ndata: {"));
    assert_non_null(strstr(first.received, "\"name\":\"Fagråd for rus og psykisk helse\""));

    /* resuming after that id gives what came after, not it again */
    s_sse_t second = {.until = "Fagråd for nyfødte"};
    sscanf(event + 4, "%31s", second.last_event_id);
    r = harness_stack_send(&s_stack, "POST", "/v1/committees",
                           "{\"name\":\"Fagråd for nyfødte\",\"kind\":\"EXPERT_COUNCIL\"}");
    harness_expect_status(r, 201);
    harness_http_response_free(&r);
    pthread_create(&thread, NULL, s_sse, &second);
    pthread_join(thread, NULL);
    assert_non_null(strstr(second.received, "Fagråd for nyfødte"));
    assert_null(strstr(second.received, "rus og psykisk helse"));

    char url[256];
    snprintf(url, sizeof url, "%s/v1/events/stream", s_stack.base_url);
    r = harness_http_request("GET", url, NULL, NULL);
    harness_assert_problem(r, 401, NULL);
    harness_http_response_free(&r);
}

/* An anonymous report's events go to the receiver's systems too: without
 * who reported it, by name, e-mail or principal; only the organisation. */
static void test_anonymous_report_in_events(void **state)
{
    harness_http_response_t *r =
        s_as(s_kommune, "/v1/deviations",
             "{\"reportingOrganizationId\":\"" KOMMUNE "\",\"receivingOrganizationId\":\"" SYKEHUS
             "\",\"occurredTime\":\"2026-11-02T10:00:00+01:00\",\"type\":\"BREACH_OF_AGREEMENT\","
             "\"categoryCode\":\"SAM-EPIKRISE\",\"description\":\"Legemiddelliste mangler.\","
             "\"isAnonymous\":true,\"reporterName\":\"Ola Anonym\",\"reporterEmail\":"
             "\"ola.anonym@trondheim.kommune.no\",\"harmDegree\":\"MINOR\",\"submit\":true}");
    assert_int_equal(r->status, 201);
    char id[40];
    snprintf(id, sizeof id, "%s", harness_json_text(r, "id"));
    harness_http_response_free(&r);
    json_t *event = NULL;
    for (int i = 0; i < 100 && !event; i++) {
        harness_http_response_free(&r);
        r = s_as(s_sykehus, "/v1/events?types=no.samhand.deviation.submitted&limit=500", NULL);
        assert_int_equal(r->status, 200);
        size_t j;
        json_t *item;
        json_array_foreach(json_object_get(r->json, "items"), j, item)
        {
            if (strcmp(json_string_value(json_object_get(item, "subject")), id) == 0)
                event = item;
        }
        if (!event)
            usleep(100 * 1000);
    }
    assert_non_null(event);
    char *text = json_dumps(event, 0);
    assert_null(strstr(text, "Ola Anonym"));
    assert_null(strstr(text, "ola.anonym"));
    free(text);
    assert_string_equal(json_string_value(json_object_get(event, "actor")), "anonymous");
    assert_string_equal(json_string_value(json_object_get(event, "actororganization")), KOMMUNE);
    assert_true(json_is_true(json_object_get(json_object_get(event, "data"), "isAnonymous")));
    harness_http_response_free(&r);
}

/* The gateway stops cleanly while a client still reads the event stream
 * (it dereferenced the bridge it had already destroyed). */
static void test_stops_cleanly_with_a_stream_open(void **state)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr = {.sin_family = AF_INET,
                               .sin_port = htons((uint16_t)s_stack.http_port)};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&addr, sizeof addr), 0);
    char request[512], head[1024] = "";
    int n = snprintf(request, sizeof request,
                     "GET /v1/events/stream HTTP/1.1\r\nHost: 127.0.0.1\r\n%s\r\n\r\n",
                     s_stack.auth_header);
    assert_int_equal(write(fd, request, (size_t)n), n);
    struct timeval timeout = {.tv_sec = 5};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    assert_true(read(fd, head, sizeof head - 1) > 0);
    assert_non_null(strstr(head, "200"));
    usleep(300 * 1000);           /* the stream asks notify for the next page, and waits */
    harness_stack_stop(&s_stack); /* fails on any exit but a clean one */
    close(fd);
    harness_stack_start(&s_stack, s_database);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cloud_events),
        cmocka_unit_test(test_paging_and_types),
        cmocka_unit_test(test_only_what_one_may_see),
        cmocka_unit_test(test_long_poll_waits_for_the_next_event),
        cmocka_unit_test(test_server_sent_events),
        cmocka_unit_test(test_anonymous_report_in_events),
        cmocka_unit_test(test_stops_cleanly_with_a_stream_open),
    };
    return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
