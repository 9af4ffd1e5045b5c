/* One signed webhook POST over notify's loop: its headers per the Standard
 * Webhooks specification, the request with every address checked before
 * it is connected to, and what came back. The webhook deliveries, the
 * handshakes and the heartbeats all send this way. */
#ifndef NOTIFY_POST_H
#define NOTIFY_POST_H

#include "notify_curl.h"

#include <stdbool.h>
#include <stddef.h>

/* What came back: the start of the answer (or libcurl's words when there
 * was none), and Retry-After in seconds (-1: none). */
typedef struct {
    char response[257];
    size_t len;
    long retry_after_s;
} notify_answer_t;

/* One POST: its request (`body`, malloc'ed, and `headers` are the post's,
 * notify_post_clear frees them) and what came back. */
typedef struct {
    CURL *easy;
    struct curl_slist *headers;
    char *body;
    notify_answer_t answer;
    CURLcode result;
    long status;
    int latency_ms;
    bool allow_loopback;
    bool refused; /* an address webhooks may not go to: not connected */
} notify_post_t;

/* Signs `post->body` as webhook `id` with the secret `sealed` opens with
 * `key` (and, while a rotation lasts, `previous_sealed` too; NULL: none)
 * into `post->headers`. 0, or -1 when `sealed` does not open: then there
 * are no headers and nothing is to be sent. */
int notify_post_sign(notify_post_t *post, const char *id, const unsigned char key[32],
                     const char *sealed, const char *previous_sealed);

/* POSTs `post->body` with its headers to `url` on `curl` (the calling fiber
 * waits), an address of this machine refused unless `allow_loopback`;
 * what came back into `post`. */
void notify_post_send(notify_post_t *post, notify_curl_t *curl, const char *url,
                      bool allow_loopback);

/* Whether the endpoint took it (2xx). */
bool notify_post_is_ok(const notify_post_t *post);

/* Frees the post's body and headers and zeroes it. */
void notify_post_clear(notify_post_t *post);

/* Frees the libcurl handles kept for the next posts (at the end). */
void notify_post_cleanup(void);

#endif
