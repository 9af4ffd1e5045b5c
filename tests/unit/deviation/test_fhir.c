/* deviation_fhir_render: a report as a FHIR R5 AdverseEvent, as a
 * receiving system reads it: the elements R5 requires (status, actuality,
 * subject), the state mapped to R5's status codes, the two parties as
 * participants, category, type and degree of harm as codings, the times,
 * and the report's texts as notes; never who reported it. */
#include "harness.h"
#include "deviation_server.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#define STATE(name) SAMHAND__V1__DEVIATION_REPORT__STATE__##name

static Samhand__V1__Timestamp s_at(int64_t seconds)
{
    Samhand__V1__Timestamp t = SAMHAND__V1__TIMESTAMP__INIT;
    t.seconds = seconds;
    return t;
}

/* A report as the store gives it, its reporter named (a canary) */
static void s_report(Samhand__V1__DeviationReport *r, Samhand__V1__Timestamp times[3])
{
    samhand__v1__deviation_report__init(r);
    r->id = "0d8c2f7e-5b7a-4c1e-9d6f-2a1b3c4d5e6f";
    r->reference = "AVV-2023-0007";
    r->state = STATE(SUBMITTED);
    r->reporting_organization_id = "11111111-1111-1111-1111-111111111111";
    r->receiving_organization_id = "22222222-2222-2222-2222-222222222222";
    r->reporter_name = "Kari Kanarifugl";
    r->reporter_email = "kari.kanarifugl@kommune.no";
    r->reporter_subject = "principal-kari-kanarifugl";
    r->is_anonymous = true;
    r->is_patient_related = true;
    r->type = SAMHAND__V1__DEVIATION_REPORT__TYPE__BREACH_OF_AGREEMENT;
    r->category_code = "EPIKRISE";
    r->harm_degree = SAMHAND__V1__DEVIATION_REPORT__HARM_DEGREE__MODERATE;
    r->description = "Epikrisen kom ikke fram før hjemkomst.";
    r->possible_consequence = "Feil medisinering.";
    r->actual_consequence = "Ingen.";
    r->immediate_measures = "Ringte sykehuset.";
    r->answer = "";
    times[0] = s_at(1676019600); /* 2023-02-10 09:00 UTC */
    times[1] = s_at(1676023200);
    times[2] = s_at(1676026800);
    r->occurred_time = &times[0];
    r->discovered_time = &times[1];
    r->submit_time = &times[2];
}

static json_t *s_render(const Samhand__V1__DeviationReport *r, char **text)
{
    *text = deviation_fhir_render(r);
    assert_non_null(*text);
    json_error_t error;
    json_t *json = json_loads(*text, 0, &error);
    if (!json)
        fail_msg("not JSON: %s", error.text);
    return json;
}

static const char *s_str(json_t *o, const char *path)
{
    json_t *v = json_object_get(o, path);
    assert_true(json_is_string(v));
    return json_string_value(v);
}

static void test_a_report_is_an_r5_adverse_event(void **state)
{
    (void)state;
    Samhand__V1__DeviationReport r;
    Samhand__V1__Timestamp times[3];
    s_report(&r, times);
    char *text;
    json_t *event = s_render(&r, &text);
    assert_string_equal(s_str(event, "resourceType"), "AdverseEvent");
    assert_string_equal(s_str(event, "id"), r.id);
    assert_string_equal(s_str(event, "status"), "in-progress");
    assert_string_equal(s_str(event, "actuality"), "actual");
    assert_string_equal(s_str(json_object_get(event, "subject"), "display"),
                        "Pasient (ikke identifisert)");
    json_t *identifier = json_array_get(json_object_get(event, "identifier"), 0);
    assert_string_equal(s_str(identifier, "value"), "AVV-2023-0007");
    /* the two parties, by reference to their Organization */
    json_t *participants = json_object_get(event, "participant");
    assert_int_equal(json_array_size(participants), 2);
    assert_string_equal(
        s_str(json_object_get(json_array_get(participants, 0), "actor"), "reference"),
        "Organization/11111111-1111-1111-1111-111111111111");
    assert_string_equal(s_str(json_object_get(json_array_get(participants, 1), "function"), "text"),
                        "receiver");
    json_t *category = json_array_get(
        json_object_get(json_array_get(json_object_get(event, "category"), 0), "coding"), 0);
    assert_string_equal(s_str(category, "code"), "EPIKRISE");
    json_t *harm =
        json_array_get(json_object_get(json_object_get(event, "seriousness"), "coding"), 0);
    assert_string_equal(s_str(harm, "code"), "MODERATE");
    assert_string_equal(s_str(harm, "display"), "Moderat skade");
    assert_string_equal(s_str(event, "occurrenceDateTime"), "2023-02-10T09:00:00Z");
    assert_string_equal(s_str(event, "recordedDate"), "2023-02-10T11:00:00Z");
    /* description, then the possible consequence, as notes */
    json_t *notes = json_object_get(event, "note");
    assert_int_equal(json_array_size(notes), 2);
    assert_string_equal(s_str(json_array_get(notes, 0), "text"), r.description);
    assert_string_equal(s_str(json_array_get(notes, 1), "text"),
                        "Mulig konsekvens: Feil medisinering.");
    /* who reported it is in no element of the resource */
    assert_null(strstr(text, "Kanarifugl"));
    assert_null(strstr(text, "kanarifugl"));
    json_decref(event);
    free(text);
}

static void test_states_map_to_r5_status_codes(void **state)
{
    (void)state;
    static const struct {
        int state;
        const char *status;
    } cases[] = {
        {STATE(DRAFT), "in-progress"},
        {STATE(SUBMITTED), "in-progress"},
        {STATE(AWAITING_RESPONSE), "in-progress"},
        {STATE(ANSWERED), "completed"},
        {STATE(DISPUTED), "in-progress"},
        {STATE(CLOSED), "completed"},
        {STATE(REJECTED), "entered-in-error"},
        {STATE(DUPLICATE), "entered-in-error"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        Samhand__V1__DeviationReport r;
        Samhand__V1__Timestamp times[3];
        s_report(&r, times);
        r.state = cases[i].state;
        char *text;
        json_t *event = s_render(&r, &text);
        assert_string_equal(s_str(event, "status"), cases[i].status);
        json_decref(event);
        free(text);
    }
}

static void test_what_is_not_given_is_left_out(void **state)
{
    (void)state;
    Samhand__V1__DeviationReport r;
    Samhand__V1__Timestamp times[3];
    s_report(&r, times);
    r.is_patient_related = false;
    r.category_code = "";
    r.harm_degree = SAMHAND__V1__DEVIATION_REPORT__HARM_DEGREE__HARM_DEGREE_UNSPECIFIED;
    r.occurred_time = NULL;
    r.actual_consequence = "";
    r.answer = "Rutinen er endret.";
    char *text;
    json_t *event = s_render(&r, &text);
    assert_string_equal(s_str(json_object_get(event, "subject"), "display"), "Ingen pasient");
    assert_null(json_object_get(event, "category"));
    assert_null(json_object_get(event, "seriousness"));
    assert_null(json_object_get(event, "occurrenceDateTime"));
    assert_null(json_object_get(event, "outcome"));
    json_t *notes = json_object_get(event, "note");
    assert_string_equal(s_str(json_array_get(notes, json_array_size(notes) - 1), "text"),
                        "Svar: Rutinen er endret.");
    json_decref(event);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_report_is_an_r5_adverse_event),
        cmocka_unit_test(test_states_map_to_r5_status_codes),
        cmocka_unit_test(test_what_is_not_given_is_left_out),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
