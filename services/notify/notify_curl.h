/* libcurl on notify's loop: one multi handle whose sockets and timer the
 * fiber scheduler waits on, so a fiber sends a request (a webhook, a mail)
 * as straight-line code while every other fiber runs. A driver fiber
 * completes the transfers and wakes the fiber that waits for each. */
#ifndef NOTIFY_CURL_H
#define NOTIFY_CURL_H

#include <curl/curl.h>

typedef struct notify_curl notify_curl_t;

/* The multi handle and its driver fiber on this thread's loop; NULL when
 * out of memory. notify_curl_destroy frees it. */
notify_curl_t *notify_curl_new(void);

/* Ends the transfers still running (each fails with
 * CURLE_ABORTED_BY_CALLBACK) and the driver; from a fiber, waiting for the
 * driver to end. Accepts NULL; sets the caller's pointer to NULL. */
void notify_curl_destroy(notify_curl_t **curl_p);

/* Aborts the transfers running now and refuses new ones (the process
 * ends); the handle stays until notify_curl_destroy. */
void notify_curl_stop(notify_curl_t *curl);

/* Runs the transfer `easy` (set up by the caller, which keeps it) on the
 * multi handle; the calling fiber waits meanwhile. Returns its result, as
 * curl_easy_perform would. CURLOPT_PRIVATE is this module's. */
CURLcode notify_curl_perform(notify_curl_t *curl, CURL *easy);

#endif
