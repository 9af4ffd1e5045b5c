/* A draft changed by the one who wrote it: PATCH /v1/deviations/{id} with
 * the fields that change, If-Match on the version read (428 without it,
 * 412 when it changed since), every error of the form in one answer. A
 * submitted report is not changed: it moves by the steps of its workflow. */
#include "deviation_report.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

typedef Samhand__V1__UpdateDeviationRequest update_t;
typedef Samhand__V1__CreateDeviationRequest form_t;

static bool s_masked(const update_t *req, const char *field)
{
    for (size_t i = 0; i < req->n_update_mask; i++)
        if (strcmp(req->update_mask[i], field) == 0)
            return true;
    return false;
}

/* The form as it will be: each field of the request where it is present,
 * else of the draft. Its values are borrowed from both: free neither
 * before it. */
static void s_merge(const deviation_report_t *r, const update_t *req, form_t *out)
{
    samhand__v1__create_deviation_request__init(out);
    const ProtobufCMessageDescriptor *desc = out->base.descriptor;
    for (unsigned i = 0; i < desc->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &desc->fields[i];
        if (strcmp(f->name, "submit") == 0)
            continue;
        const ProtobufCMessage *from = s_masked(req, f->name) ? &req->base : &r->base;
        const ProtobufCFieldDescriptor *g =
            protobuf_c_message_descriptor_get_field_by_name(from->descriptor, f->name);
        assert(g && g->type == f->type && g->label == f->label);
        size_t size = f->type == PROTOBUF_C_TYPE_BOOL   ? sizeof(protobuf_c_boolean)
                      : f->type == PROTOBUF_C_TYPE_ENUM ? sizeof(int)
                                                        : sizeof(void *);
        memcpy((char *)out + f->offset, (const char *)from + g->offset, size);
    }
}

/* The version a reader was given as ETag: its update time in microseconds. */
static void s_etag(const deviation_report_t *r, char out[24])
{
    snprintf(out, 24, "%lld",
             (long long)r->update_time->seconds * 1000000 + r->update_time->nanos / 1000);
}

int deviation_report_update(bus_call_t *call)
{
    const update_t *req = (const void *)call->request;
    const char *if_match = call->envelope->if_match;
    if (!if_match || !if_match[0])
        return bus_call_fail(call, BUS_PRECONDITION_REQUIRED, NULL,
                             "If-Match is required: the ETag of the draft as you read it "
                             "(GET /v1/deviations/{id})");
    if (req->n_update_mask == 0)
        return bus_call_fail(call, BUS_INVALID_ARGUMENT, NULL, "nothing to change");
    if (db_begin(call->db) != 0)
        return bus_call_fail_db(call, "change deviation");
    /* a draft is its writer's alone: anyone else is told it does not exist */
    deviation_report_t *r = NULL;
    if (deviation_load(call, req->id, true, &r) != 0)
        return -1;
    int rc = -1;
    form_t merged;
    char etag[24];
    s_etag(r, etag);
    if (r->state != STATE(DRAFT)) {
        bus_call_fail(call, BUS_FAILED_PRECONDITION, "state",
                      "only a draft is changed; a submitted report moves by the steps of its "
                      "workflow");
        goto cleanup;
    }
    if (strcmp(etag, if_match) != 0) {
        bus_call_fail(call, BUS_PRECONDITION_FAILED, NULL,
                      "it was changed after the version in If-Match; read it again");
        goto cleanup;
    }
    s_merge(r, req, &merged);
    deviation_scan_note(call, &req->base);
    if (deviation_check_form(call, &merged) != 0 ||
        bus_call_fail_errors(call, BUS_INVALID_ARGUMENT) != 0)
        goto cleanup;
    if (deviation_store_update_draft(call->db, r->id, &merged) != 0) {
        bus_call_fail_db(call, "change deviation");
        goto cleanup;
    }
    char id[40];
    snprintf(id, sizeof id, "%s", r->id);
    protobuf_c_message_free_unpacked(&r->base, NULL);
    return deviation_commit(call, id, "draft_changed");
cleanup:
    protobuf_c_message_free_unpacked(&r->base, NULL);
    return rc;
}
