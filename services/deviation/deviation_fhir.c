/* A report as a FHIR R5 AdverseEvent (JSON), for the parties' own quality
 * systems. The patient is never identified: the subject is a description. */
#include "deviation_labels.h"
#include "deviation_server.h"
#include "samhand_check.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void s_time(json_t *resource, const char *key, const Samhand__V1__Timestamp *t)
{
    if (!t)
        return;
    char text[32];
    time_t seconds = (time_t)t->seconds;
    struct tm tm;
    gmtime_r(&seconds, &tm);
    strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
    json_object_set_new(resource, key, json_string(text));
}

static json_t *s_text(const char *text)
{
    return json_pack("{s:s}", "text", text);
}

static json_t *s_participant(const char *function, const char *organization_id)
{
    char reference[64];
    snprintf(reference, sizeof reference, "Organization/%s", organization_id);
    return json_pack("{s:{s:s}, s:{s:s}}", "function", "text", function, "actor", "reference",
                     reference);
}

char *deviation_fhir_render(const Samhand__V1__DeviationReport *r)
{
    const char *status;
    switch (r->state) {
    case SAMHAND__V1__DEVIATION_REPORT__STATE__CLOSED:
    case SAMHAND__V1__DEVIATION_REPORT__STATE__ANSWERED:
        status = "completed";
        break;
    case SAMHAND__V1__DEVIATION_REPORT__STATE__REJECTED:
    case SAMHAND__V1__DEVIATION_REPORT__STATE__DUPLICATE:
        status = "entered-in-error";
        break;
    default:
        status = "in-progress";
    }
    const ProtobufCEnumValue *type = protobuf_c_enum_descriptor_get_value(
        &samhand__v1__deviation_report__type__descriptor, r->type);
    json_t *event = json_pack(
        "{s:s, s:s, s:[{s:s, s:s}], s:s, s:s, s:{s:s}, s:[o, o]}", "resourceType", "AdverseEvent",
        "id", r->id, "identifier", "system", "urn:samhand:deviation", "value", r->reference,
        "status", status, "actuality", "actual", "subject", "display",
        r->is_patient_related ? "Pasient (ikke identifisert)" : "Ingen pasient", "participant",
        s_participant("reporter", r->reporting_organization_id),
        s_participant("receiver", r->receiving_organization_id));
    if (r->category_code[0])
        json_object_set_new(event, "category",
                            json_pack("[{s:[{s:s, s:s}]}]", "coding", "system",
                                      "urn:samhand:deviation-category", "code", r->category_code));
    if (type && r->type)
        json_object_set_new(event, "code",
                            json_pack("{s:[{s:s, s:s}]}", "coding", "system",
                                      "urn:samhand:deviation-type", "code", type->name));
    /* the degree of harm, as its label says it */
    const ProtobufCEnumValue *harm = protobuf_c_enum_descriptor_get_value(
        &samhand__v1__deviation_report__harm_degree__descriptor, r->harm_degree);
    if (harm && r->harm_degree)
        json_object_set_new(event, "seriousness",
                            json_pack("{s:[{s:s, s:s, s:s}]}", "coding", "system",
                                      "urn:samhand:harm-degree", "code", harm->name, "display",
                                      deviation_label_harm(harm->name)));
    s_time(event, "occurrenceDateTime", r->occurred_time);
    s_time(event, "detected", r->discovered_time);
    s_time(event, "recordedDate", r->submit_time);
    if (r->actual_consequence[0])
        json_object_set_new(event, "outcome", json_pack("[o]", s_text(r->actual_consequence)));
    if (r->immediate_measures[0])
        json_object_set_new(
            event, "mitigatingAction",
            json_pack("[{s:o}]", "itemCodeableConcept", s_text(r->immediate_measures)));
    json_t *notes = json_array();
    if (r->description[0])
        json_array_append_new(notes, s_text(r->description));
    if (r->possible_consequence[0]) {
        char *text = NULL;
        if (asprintf(&text, "Mulig konsekvens: %s", r->possible_consequence) >= 0) {
            json_array_append_new(notes, s_text(text));
            free(text);
        }
    }
    if (r->answer[0]) {
        char *text = NULL;
        if (asprintf(&text, "Svar: %s", r->answer) >= 0) {
            json_array_append_new(notes, s_text(text));
            free(text);
        }
    }
    json_object_set_new(event, "note", notes);
    char *out = json_dumps(event, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
    json_decref(event);
    return out;
}
