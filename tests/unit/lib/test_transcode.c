/* JSON <-> protobuf by descriptor, as the API contract promises: camelCase,
 * enums by name, int64 as strings, RFC 3339 times, clear refusals. */
#include "harness.h"
#include "samhand_transcode.h"
#include "samhand/v1/agenda.pb-c.h"
#include "samhand/v1/event.pb-c.h"

#include <string.h>

static ProtobufCMessage *s_parse(const ProtobufCMessageDescriptor *desc, const char *text,
                                 transcode_error_t *err, int *rc)
{
    json_t *json = json_loads(text, 0, NULL);
    assert_non_null(json);
    ProtobufCMessage *msg = transcode_new(desc);
    *rc = transcode_from_json(msg, json, err);
    json_decref(json);
    return msg;
}

static void test_names_enums_and_round_trip(void **state)
{
    transcode_error_t err;
    int rc;
    ProtobufCMessage *msg = s_parse(&samhand__v1__create_committee_request__descriptor,
                                    "{\"name\":\"Administrativt samarbeidsutvalg\","
                                    "\"shortName\":\"ASU\",\"kind\":\"ADMINISTRATIVE\","
                                    "\"notice_period_days\":14,\"caseNumberFormat\":\"{n}/{yy}\"}",
                                    &err, &rc);
    assert_int_equal(rc, 0);
    Samhand__V1__CreateCommitteeRequest *req = (void *)msg;
    assert_string_equal(req->name, "Administrativt samarbeidsutvalg");
    assert_string_equal(req->short_name, "ASU");
    assert_int_equal(req->kind, SAMHAND__V1__COMMITTEE__KIND__ADMINISTRATIVE);
    assert_int_equal(req->notice_period_days, 14);

    /* survives packing, as it travels on the bus */
    size_t len = protobuf_c_message_get_packed_size(msg);
    uint8_t buf[512];
    protobuf_c_message_pack(msg, buf);
    ProtobufCMessage *back = protobuf_c_message_unpack(
        &samhand__v1__create_committee_request__descriptor, NULL, len, buf);
    json_t *out = transcode_to_json(back);
    assert_string_equal(json_string_value(json_object_get(out, "shortName")), "ASU");
    assert_string_equal(json_string_value(json_object_get(out, "kind")), "ADMINISTRATIVE");
    assert_int_equal(json_integer_value(json_object_get(out, "noticePeriodDays")), 14);
    json_decref(out);
    transcode_free(&back);
    transcode_free(&msg);
    assert_null(msg);
}

static void test_refusals_name_the_field(void **state)
{
    static const struct {
        const char *body, *field, *message_part;
    } cases[] = {
        {"{\"name\":5}", "name", "string"},
        {"{\"kind\":\"ASU\"}", "kind", "ADMINISTRATIVE"},
        {"{\"noticePeriodDays\":\"x\"}", "noticePeriodDays", "integer"},
        {"{\"noticePeriodDays\":1.5}", "noticePeriodDays", "integer"},
        {"{\"noticePeriodDays\":99999999999}", "noticePeriodDays", "from"},
        {"{\"colour\":\"red\"}", "colour", "not a field"},
        {"{\"name\":\"a\",\"name\":\"b\"}", NULL, NULL}, /* duplicates: refused by the parser */
        {"{\"name\":\"a\",\"shortName\":\"x\",\"short_name\":\"y\"}", "short_name", "twice"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *json = json_loads(cases[i].body, JSON_REJECT_DUPLICATES, NULL);
        if (!cases[i].field) {
            assert_null(json);
            continue;
        }
        ProtobufCMessage *msg = transcode_new(&samhand__v1__create_committee_request__descriptor);
        transcode_error_t err;
        assert_int_equal(transcode_from_json(msg, json, &err), -1);
        assert_string_equal(err.field, cases[i].field);
        assert_non_null(strstr(err.message, cases[i].message_part));
        json_decref(json);
        transcode_free(&msg);
    }
}

static void test_nested_paths_and_int64(void **state)
{
    transcode_error_t err;
    int rc;
    ProtobufCMessage *msg = s_parse(&samhand__v1__list_committees_response__descriptor,
                                    "{\"items\":[{\"name\":\"ok\"},{\"name\":false}]}", &err, &rc);
    assert_int_equal(rc, -1);
    assert_string_equal(err.field, "items[1].name");
    transcode_free(&msg);

    msg = s_parse(&samhand__v1__event__descriptor,
                  "{\"sequence\":\"9007199254740993\",\"time\":\"2023-02-08T09:00:00+01:00\","
                  "\"data\":\"aGVp\"}",
                  &err, &rc);
    assert_int_equal(rc, 0);
    Samhand__V1__Event *event = (void *)msg;
    assert_true(event->sequence == 9007199254740993LL); /* beyond a double's precision */
    assert_int_equal(event->time->seconds, 1675843200); /* 08:00 UTC */
    assert_int_equal(event->data.len, 3);
    assert_memory_equal(event->data.data, "hei", 3);
    json_t *out = transcode_to_json(msg);
    assert_string_equal(json_string_value(json_object_get(out, "sequence")), "9007199254740993");
    assert_string_equal(json_string_value(json_object_get(out, "time")), "2023-02-08T08:00:00Z");
    assert_string_equal(json_string_value(json_object_get(out, "data")), "aGVp");
    json_decref(out);
    transcode_free(&msg);
}

static void test_update_mask_lists_fields_present(void **state)
{
    transcode_error_t err;
    int rc;
    ProtobufCMessage *msg = s_parse(&samhand__v1__update_committee_request__descriptor,
                                    "{\"noticePeriodDays\":0,\"mandate\":\"\"}", &err, &rc);
    assert_int_equal(rc, 0);
    Samhand__V1__UpdateCommitteeRequest *req = (void *)msg;
    assert_int_equal(req->n_update_mask, 2);
    assert_string_equal(req->update_mask[0], "notice_period_days");
    assert_string_equal(req->update_mask[1], "mandate");
    transcode_free(&msg);

    msg = s_parse(&samhand__v1__update_committee_request__descriptor, "{\"updateMask\":[\"name\"]}",
                  &err, &rc);
    assert_int_equal(rc, -1);
    assert_string_equal(err.field, "updateMask");
    transcode_free(&msg);
}

static void test_text_parameters(void **state)
{
    transcode_error_t err;
    ProtobufCMessage *msg = transcode_new(&samhand__v1__list_committees_request__descriptor);
    assert_int_equal(transcode_set_from_text(msg, "limit", "25", &err), 0);
    assert_int_equal(transcode_set_from_text(msg, "kind", "GP_COUNCIL", &err), 0);
    assert_int_equal(transcode_set_from_text(msg, "parentId", "abc", &err), 0);
    Samhand__V1__ListCommitteesRequest *req = (void *)msg;
    assert_int_equal(req->limit, 25);
    assert_int_equal(req->kind, SAMHAND__V1__COMMITTEE__KIND__GP_COUNCIL);
    assert_string_equal(req->parent_id, "abc");
    assert_int_equal(transcode_set_from_text(msg, "limit", "many", &err), -1);
    assert_string_equal(err.field, "limit");
    assert_int_equal(transcode_set_from_text(msg, "sort", "name", &err), -2);
    assert_string_equal(err.field, "sort");
    transcode_free(&msg);
}

static void test_rfc3339(void **state)
{
    int64_t s;
    int32_t ns;
    assert_int_equal(transcode_parse_rfc3339("2025-02-27T13:00:00Z", &s, &ns), 0);
    assert_int_equal(s, 1740661200);
    assert_int_equal(transcode_parse_rfc3339("2025-02-27T14:00:00.5+01:00", &s, &ns), 0);
    assert_int_equal(s, 1740661200);
    assert_int_equal(ns, 500000000);
    assert_int_equal(transcode_parse_rfc3339("2025-02-27 13:00:00", &s, &ns), -1);
    assert_int_equal(transcode_parse_rfc3339("2025-02-27T13:00:00", &s, &ns), -1);
    char out[40];
    transcode_format_rfc3339(1740661200, 123000, out);
    assert_string_equal(out, "2025-02-27T13:00:00.000123Z");
    /* a time it reads it writes back readable: four digits of year (fuzz_transcode) */
    assert_int_equal(transcode_parse_rfc3339("0030-05-06T12:10:00Z", &s, &ns), 0);
    transcode_format_rfc3339(s, ns, out);
    assert_string_equal(out, "0030-05-06T12:10:00Z");
}

/* A list given under both its names, the first empty, is refused like any
 * field given twice, and leaks nothing (fuzz_transcode found the leak). */
static void test_repeated_field_given_twice(void **state)
{
    transcode_error_t err;
    int rc;
    ProtobufCMessage *msg =
        s_parse(&samhand__v1__put_case_document_request__descriptor,
                "{\"proposedDecisions\":[],\"proposed_decisions\":[\"Saken tas til orientering\"]}",
                &err, &rc);
    assert_int_equal(rc, -1);
    assert_string_equal(err.field, "proposed_decisions");
    assert_non_null(strstr(err.message, "twice"));
    transcode_free(&msg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names_enums_and_round_trip),
        cmocka_unit_test(test_refusals_name_the_field),
        cmocka_unit_test(test_nested_paths_and_int64),
        cmocka_unit_test(test_update_mask_lists_fields_present),
        cmocka_unit_test(test_text_parameters),
        cmocka_unit_test(test_rfc3339),
        cmocka_unit_test(test_repeated_field_given_twice),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
