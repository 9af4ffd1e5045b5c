/* One signed webhook POST over notify's loop; see notify_post.h. */
#include "notify_post.h"
#include "notify_server.h"
#include "samhand_check.h"
#include "samhand_log.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

static size_t s_on_body(char *data, size_t size, size_t n, void *arg)
{
    notify_answer_t *a = arg;
    size_t take = size * n;
    if (a->len < sizeof a->response - 1) {
        size_t room = sizeof a->response - 1 - a->len;
        memcpy(a->response + a->len, data, take < room ? take : room);
        a->len += take < room ? take : room;
        a->response[a->len] = '\0';
    }
    return size * n;
}

static size_t s_on_header(char *data, size_t size, size_t n, void *arg)
{
    notify_answer_t *a = arg;
    if (size * n > 12 && strncasecmp(data, "retry-after:", 12) == 0)
        a->retry_after_s = strtol(data + 12, NULL, 10);
    return size * n;
}

/* Called for every address a connection is to be made to, before its
 * socket exists: the address a name led to is checked here, so no name
 * (or rebinding of one) takes a webhook to this machine or a metadata
 * service, and not a byte (not a SYN, nor TLS's hello) goes to it. A
 * refused address fails as a closed port does, in the same words
 * (libcurl's), so the attempts cannot be used to scan this machine's
 * ports; the log says which it was. */
static curl_socket_t s_on_open_socket(void *arg, curlsocktype purpose,
                                      struct curl_sockaddr *address)
{
    notify_post_t *post = arg;
    char ip[INET6_ADDRSTRLEN] = "";
    if (address->family == AF_INET)
        inet_ntop(AF_INET, &((struct sockaddr_in *)&address->addr)->sin_addr, ip, sizeof ip);
    else if (address->family == AF_INET6)
        inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&address->addr)->sin6_addr, ip, sizeof ip);
    if (purpose != CURLSOCKTYPE_IPCXN || notify_address_refused(ip, post->allow_loopback)) {
        post->refused = true;
        log_info("a webhook was not sent to %s: samhand does not send webhooks there", ip);
        return CURL_SOCKET_BAD;
    }
    return socket(address->family, address->socktype, address->protocol);
}

int notify_post_sign(notify_post_t *post, const char *id, const unsigned char key[32],
                     const char *sealed, const char *previous_sealed)
{
    const char *body = post->body ? post->body : "";
    char timestamp[24], id_header[96], ts_header[64], sig_header[256], sig[100], old_sig[100];
    snprintf(timestamp, sizeof timestamp, "%lld", (long long)(bus_now_ms() / 1000));
    char *secret = sealed ? notify_secret_open(key, sealed) : NULL;
    char *previous = previous_sealed ? notify_secret_open(key, previous_sealed) : NULL;
    struct curl_slist *headers = NULL;
    if (!secret || notify_signature_entry(secret, id, timestamp, body, sig) != 0)
        goto cleanup;
    /* while a secret is being rotated, both sign (a v1 and a v1a when the
     * rotation changed the scheme); an old one that does not open (the
     * key changed under it, and the owner rotated to mend it) is left out */
    if (previous && notify_signature_entry(previous, id, timestamp, body, old_sig) == 0)
        snprintf(sig_header, sizeof sig_header, "webhook-signature: %s %s", sig, old_sig);
    else
        snprintf(sig_header, sizeof sig_header, "webhook-signature: %s", sig);
    snprintf(id_header, sizeof id_header, "webhook-id: %s", id);
    snprintf(ts_header, sizeof ts_header, "webhook-timestamp: %s", timestamp);
    headers = curl_slist_append(NULL, "Content-Type: application/json");
    headers = curl_slist_append(headers, id_header);
    headers = curl_slist_append(headers, ts_header);
    headers = curl_slist_append(headers, sig_header);

cleanup:
    free(secret);
    free(previous);
    post->headers = headers;
    return headers ? 0 : -1;
}

/* libcurl handles kept for the next posts: their settings are reset, and
 * the connections are the multi handle's */
#define EASY_KEPT 64
static CURL *s_easy_kept[EASY_KEPT];
static int s_n_easy_kept;

static CURL *s_easy_take(void)
{
    return s_n_easy_kept > 0 ? s_easy_kept[--s_n_easy_kept] : curl_easy_init();
}

static void s_easy_give_back(CURL *easy)
{
    if (easy && s_n_easy_kept < EASY_KEPT)
        s_easy_kept[s_n_easy_kept++] = easy;
    else if (easy)
        curl_easy_cleanup(easy);
}

void notify_post_cleanup(void)
{
    while (s_n_easy_kept > 0)
        curl_easy_cleanup(s_easy_kept[--s_n_easy_kept]);
}

void notify_post_send(notify_post_t *post, notify_curl_t *multi, const char *url,
                      bool allow_loopback)
{
    post->answer = (notify_answer_t){.retry_after_s = -1};
    post->allow_loopback = allow_loopback;
    CURL *curl = post->easy = s_easy_take();
    curl_easy_reset(curl);
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, post->body ? post->body : "");
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, post->headers);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 10000L);
    curl_easy_setopt(curl, CURLOPT_USERAGENT, "samhand-webhooks/" SAMHAND_VERSION);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, s_on_body);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &post->answer);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, s_on_header);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, &post->answer);
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_OPENSOCKETFUNCTION, s_on_open_socket);
    curl_easy_setopt(curl, CURLOPT_OPENSOCKETDATA, post);
    post->result = notify_curl_perform(multi, curl);
    curl_off_t total_us = 0;
    curl_easy_getinfo(curl, CURLINFO_TOTAL_TIME_T, &total_us);
    post->latency_ms = (int)(total_us / 1000);
    if (post->result == CURLE_OK)
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &post->status);
    else /* a refused address reads as a closed port: curl's own words */
        snprintf(post->answer.response, sizeof post->answer.response, "%s",
                 curl_easy_strerror(post->result));
    check_utf8_cut(post->answer.response);
    s_easy_give_back(curl);
    post->easy = NULL;
}

bool notify_post_is_ok(const notify_post_t *post)
{
    return post->status >= 200 && post->status < 300;
}

void notify_post_clear(notify_post_t *post)
{
    curl_slist_free_all(post->headers);
    free(post->body);
    *post = (notify_post_t){0};
}
