/* Rate limiting per credential: a token bucket per principal, refilled at
 * `rate` requests a second up to `burst`. A fixed table: when it is full,
 * the bucket least recently used among a key's candidates is taken over
 * (it was full again long ago, or nearly). Single-threaded: the gateway's
 * loop owns it. */
#ifndef GATEWAY_LIMIT_H
#define GATEWAY_LIMIT_H

#define GATEWAY_LIMIT_SLOTS 4096

typedef struct {
    char key[48]; /* the principal's subject; "" for a free slot */
    double tokens;
    double at; /* when tokens was last brought up to date, in seconds */
} gateway_bucket_t;

typedef struct {
    double rate;  /* requests a second; 0: no limit */
    double burst; /* at most this many at once */
    gateway_bucket_t buckets[GATEWAY_LIMIT_SLOTS];
} gateway_limit_t;

void gateway_limit_init(gateway_limit_t *limit, double rate, double burst);

/* Takes one request for `key` at time `now` (seconds, monotonic): 0 when
 * it may go, else the whole seconds to wait until it could (Retry-After). */
int gateway_limit_take(gateway_limit_t *limit, const char *key, double now);

#endif
