/* Events as the CloudEvents 1.0 JSON a webhook receiver gets: another
 * service's event with its place in the stream and in the subscription's
 * own, and notify's own events (handshakes, heartbeats). */
#include "notify_server.h"
#include "samhand_transcode.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The event as the CloudEvents JSON a receiver gets: its place in the
 * stream (`sequence`, the feed's cursor) and in the subscription's own
 * (`subscriptionsequence`, from 1 without gaps). */
char *notify_cloudevent_body(const unsigned char *stored, size_t len, long long sequence,
                             long long subscription_sequence)
{
    Samhand__V1__Event *e = samhand__v1__event__unpack(NULL, len, stored);
    if (!e)
        return NULL;
    Samhand__V1__Any any = SAMHAND__V1__ANY__INIT;
    any.type = e->data_type;
    any.value = e->data;
    char schema[160];
    snprintf(schema, sizeof schema, "urn:samhand:%s", e->data_type);
    Samhand__V1__CloudEvent cloud = SAMHAND__V1__CLOUD_EVENT__INIT;
    cloud.specversion = "1.0";
    cloud.id = e->id;
    cloud.source = e->source;
    cloud.type = e->type;
    cloud.subject = e->subject;
    cloud.time = e->time;
    cloud.datacontenttype = "application/json";
    cloud.data = &any;
    cloud.dataschema = schema;
    cloud.actor = e->actor;
    cloud.actororganization = e->actor_organization_id;
    char counter[24] = "";
    if (subscription_sequence > 0)
        snprintf(counter, sizeof counter, "%lld", subscription_sequence);
    cloud.sequence = sequence;
    cloud.subscriptionsequence =
        counter; /* "" leaves it out (notify_cloudevent_with_counter adds it) */
    json_t *json = transcode_to_json(&cloud.base);
    char *text = json_dumps(json, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(json);
    samhand__v1__event__free_unpacked(e, NULL);
    return text;
}

/* The event's body without its counter, as notify_cloudevent_body makes it, with the
 * subscription's counter added last: one transcoding an event, not one a
 * delivery (50 receivers of one event share it). Caller frees. */
char *notify_cloudevent_with_counter(const char *base, long long subscription_sequence)
{
    size_t len = strlen(base);
    if (len < 2 || base[len - 1] != '}')
        return NULL;
    char tail[64];
    int n =
        snprintf(tail, sizeof tail, ",\"subscriptionsequence\":\"%lld\"}", subscription_sequence);
    char *text = malloc(len + (size_t)n);
    if (!text)
        return NULL;
    memcpy(text, base, len - 1);
    memcpy(text + len - 1, tail, (size_t)n + 1);
    return text;
}

/* A CloudEvent of notify's own (source /notify) about subscription
 * `subject`: `data` packed, of the message `data_type`. Malloc'ed JSON. */
char *notify_cloudevent_own(const char *id, const char *type, const char *subject,
                            const char *data_type, uint8_t *data, size_t len)
{
    Samhand__V1__Any any = SAMHAND__V1__ANY__INIT;
    any.type = (char *)data_type;
    any.value.data = data;
    any.value.len = len;
    char schema[160];
    snprintf(schema, sizeof schema, "urn:samhand:%s", data_type);
    int64_t now_ms = bus_now_ms();
    Samhand__V1__Timestamp time = SAMHAND__V1__TIMESTAMP__INIT;
    time.seconds = now_ms / 1000;
    time.nanos = (int32_t)(now_ms % 1000) * 1000000;
    Samhand__V1__CloudEvent cloud = SAMHAND__V1__CLOUD_EVENT__INIT;
    cloud.specversion = "1.0";
    cloud.id = (char *)id;
    cloud.source = "/notify";
    cloud.type = (char *)type;
    cloud.subject = (char *)subject;
    cloud.time = &time;
    cloud.datacontenttype = "application/json";
    cloud.data = &any;
    cloud.dataschema = schema;
    cloud.actor = "system";
    json_t *json = transcode_to_json(&cloud.base);
    char *text = json_dumps(json, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(json);
    return text;
}
