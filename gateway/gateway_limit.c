/* Token buckets per credential; see gateway_limit.h. */
#include "gateway_limit.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define PROBES 8 /* candidates of a key in the table */

void gateway_limit_init(gateway_limit_t *limit, double rate, double burst)
{
    memset(limit, 0, sizeof *limit);
    limit->rate = rate;
    limit->burst = burst < 1 ? 1 : burst;
}

static uint32_t s_hash(const char *key)
{
    uint32_t h = 2166136261u;
    for (; *key; key++)
        h = (h ^ (unsigned char)*key) * 16777619u;
    return h;
}

int gateway_limit_take(gateway_limit_t *limit, const char *key, double now)
{
    if (limit->rate <= 0)
        return 0;
    uint32_t h = s_hash(key);
    gateway_bucket_t *bucket = NULL, *oldest = NULL;
    for (int i = 0; i < PROBES; i++) {
        gateway_bucket_t *b = &limit->buckets[(h + (uint32_t)i) % GATEWAY_LIMIT_SLOTS];
        if (b->key[0] && strncmp(b->key, key, sizeof b->key - 1) == 0) {
            bucket = b;
            break;
        }
        /* the place for a new key: a free slot, else the longest unused */
        if (!oldest || (oldest->key[0] && (!b->key[0] || b->at < oldest->at)))
            oldest = b;
    }
    if (!bucket) { /* a new key, or one forgotten: it starts with a full bucket */
        bucket = oldest;
        snprintf(bucket->key, sizeof bucket->key, "%s", key);
        bucket->tokens = limit->burst;
        bucket->at = now;
    }
    bucket->tokens = fmin(limit->burst, bucket->tokens + (now - bucket->at) * limit->rate);
    bucket->at = now;
    if (bucket->tokens >= 1) {
        bucket->tokens -= 1;
        return 0;
    }
    return (int)ceil((1 - bucket->tokens) / limit->rate);
}
