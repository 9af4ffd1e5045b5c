/* Events as the CloudEvents JSON a webhook receiver gets: the attributes
 * of the specification, the aggregate as JSON in data, the stream's
 * sequence and the subscription's own counter (a string, as an int64 is
 * in JSON), and notify's own events from /notify. */
#include "harness.h"
#include "notify_server.h"
#include "samhand_transcode.h"
#include "samhand/v1/agenda.pb-c.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static int s_setup(void **state)
{
    (void)state;
    transcode_register(&samhand__v1__organization__descriptor);
    transcode_register(&samhand__v1__cloud_event__descriptor);
    return 0;
}

static void test_an_event_as_a_cloudevent(void **state)
{
    (void)state;
    Samhand__V1__Organization org = SAMHAND__V1__ORGANIZATION__INIT;
    org.id = "0b3f6c1e-2a9d-4e4b-9a57-3c1f8e2d6a10";
    org.name = "Frosta kommune";
    org.organization_number = "944483466";
    uint8_t data[256];
    size_t data_len = samhand__v1__organization__pack(&org, data);
    Samhand__V1__Timestamp time = SAMHAND__V1__TIMESTAMP__INIT;
    time.seconds = 1675850400; /* 08.02.2023 11.00 in Oslo */
    Samhand__V1__Event e = SAMHAND__V1__EVENT__INIT;
    e.id = "5d1e2f3a-6b7c-4d8e-9f01-23456789abcd";
    e.type = "no.samhand.organization.created";
    e.source = "/agenda";
    e.subject = org.id;
    e.time = &time;
    e.data.data = data;
    e.data.len = data_len;
    e.data_type = "samhand.v1.Organization";
    e.actor = "admin";
    uint8_t stored[1024];
    size_t len = samhand__v1__event__pack(&e, stored);

    char *base = notify_cloudevent_body(stored, len, 42, 0);
    assert_non_null(base);
    char *text = notify_cloudevent_with_counter(base, 7);
    assert_non_null(text);
    json_error_t error;
    json_t *json = json_loads(text, 0, &error);
    assert_non_null(json);
    assert_string_equal(json_string_value(json_object_get(json, "specversion")), "1.0");
    assert_string_equal(json_string_value(json_object_get(json, "id")), e.id);
    assert_string_equal(json_string_value(json_object_get(json, "source")), "/agenda");
    assert_string_equal(json_string_value(json_object_get(json, "type")), e.type);
    assert_string_equal(json_string_value(json_object_get(json, "subject")), org.id);
    assert_string_equal(json_string_value(json_object_get(json, "time")), "2023-02-08T10:00:00Z");
    assert_string_equal(json_string_value(json_object_get(json, "datacontenttype")),
                        "application/json");
    assert_string_equal(json_string_value(json_object_get(json, "dataschema")),
                        "urn:samhand:samhand.v1.Organization");
    assert_string_equal(json_string_value(json_object_get(json, "sequence")), "42");
    assert_string_equal(json_string_value(json_object_get(json, "subscriptionsequence")), "7");
    json_t *d = json_object_get(json, "data");
    assert_string_equal(json_string_value(json_object_get(d, "name")), "Frosta kommune");
    assert_string_equal(json_string_value(json_object_get(d, "organizationNumber")), "944483466");
    /* the base has no counter: a receiver of the feed's order alone */
    assert_null(strstr(base, "subscriptionsequence"));
    json_decref(json);
    free(text);
    free(base);
}

static void test_no_event_no_body(void **state)
{
    (void)state;
    const unsigned char junk[] = {0xff, 0xff, 0xff, 0xff};
    assert_null(notify_cloudevent_body(junk, sizeof junk, 1, 0));
    assert_null(notify_cloudevent_with_counter("", 1));
    assert_null(notify_cloudevent_with_counter("[1]", 1));
}

static void test_own_events_come_from_notify(void **state)
{
    (void)state;
    uint8_t none[1];
    char *text = notify_cloudevent_own("7f0c", "no.samhand.subscription.heartbeat", "sub-1",
                                       "samhand.v1.Organization", none, 0);
    assert_non_null(text);
    json_t *json = json_loads(text, 0, NULL);
    assert_non_null(json);
    assert_string_equal(json_string_value(json_object_get(json, "source")), "/notify");
    assert_string_equal(json_string_value(json_object_get(json, "actor")), "system");
    assert_string_equal(json_string_value(json_object_get(json, "subject")), "sub-1");
    assert_non_null(json_object_get(json, "time"));
    json_decref(json);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_an_event_as_a_cloudevent),
        cmocka_unit_test(test_no_event_no_body),
        cmocka_unit_test(test_own_events_come_from_notify),
    };
    return cmocka_run_group_tests(tests, s_setup, NULL);
}
