/* Where a webhook may go: the address guard every subscription URL and
 * every address a delivery connects to passes, so no webhook reaches this
 * machine (unless allowed, for tests and a developer's receiver), a
 * cloud's metadata service or the unspecified address. */
#include "notify_server.h"
#include "samhand_log.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <ifaddrs.h>
#include <netdb.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The addresses of this machine's interfaces, as IPv6 (IPv4 mapped), read
 * at the first check and again when older than LOCAL_REFRESH_MS: an
 * address added later (a new interface, DHCP) is refused within seconds. */
#define LOCAL_MAX 256
#define LOCAL_REFRESH_MS 5000
static pthread_mutex_t s_local_lock = PTHREAD_MUTEX_INITIALIZER;
static struct in6_addr s_local[LOCAL_MAX];
static int s_n_local;
static int64_t s_local_read_ms = -LOCAL_REFRESH_MS;

static void s_local_read(void)
{
    struct ifaddrs *list = NULL;
    if (getifaddrs(&list) != 0) {
        log_warn("could not read this machine's addresses: %s", strerror(errno));
        return; /* the last ones read stay */
    }
    s_n_local = 0;
    for (struct ifaddrs *i = list; i && s_n_local < LOCAL_MAX; i = i->ifa_next) {
        if (!i->ifa_addr)
            continue;
        struct in6_addr *a = &s_local[s_n_local];
        if (i->ifa_addr->sa_family == AF_INET6) {
            *a = ((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr;
        } else if (i->ifa_addr->sa_family == AF_INET) {
            memset(a, 0, sizeof *a);
            a->s6_addr[10] = a->s6_addr[11] = 0xff;
            memcpy(&a->s6_addr[12], &((struct sockaddr_in *)i->ifa_addr)->sin_addr, 4);
        } else {
            continue;
        }
        s_n_local++;
    }
    freeifaddrs(list);
}

/* Whether `a` (IPv6, IPv4 mapped) is an address of this machine. */
static bool s_is_local(const struct in6_addr *a)
{
    bool is_local = false;
    pthread_mutex_lock(&s_local_lock);
    int64_t now_ms = bus_now_ms();
    if (now_ms - s_local_read_ms >= LOCAL_REFRESH_MS) {
        s_local_read();
        s_local_read_ms = now_ms;
    }
    for (int i = 0; i < s_n_local && !is_local; i++)
        is_local = memcmp(&s_local[i], a, sizeof *a) == 0;
    pthread_mutex_unlock(&s_local_lock);
    return is_local;
}

bool notify_address_refused(const char *ip, bool allow_loopback)
{
    struct in_addr v4;
    struct in6_addr v6;
    if (inet_pton(AF_INET6, ip, &v6) == 1) {
        if (IN6_IS_ADDR_V4MAPPED(&v6))
            memcpy(&v4.s_addr, &v6.s6_addr[12], 4);
        else if (IN6_IS_ADDR_LOOPBACK(&v6))
            return !allow_loopback;
        else if (IN6_IS_ADDR_UNSPECIFIED(&v6) || IN6_IS_ADDR_LINKLOCAL(&v6))
            return true;
        else
            return !allow_loopback && s_is_local(&v6);
    } else if (inet_pton(AF_INET, ip, &v4) != 1) {
        return true;
    }
    uint32_t host = ntohl(v4.s_addr);
    if (host >> 24 == 127)
        return !allow_loopback;
    if (host >> 24 == 0 || host >> 16 == 0xa9fe) /* 0.0.0.0/8, 169.254.0.0/16 */
        return true;
    struct in6_addr mapped = {0};
    mapped.s6_addr[10] = mapped.s6_addr[11] = 0xff;
    memcpy(&mapped.s6_addr[12], &v4.s_addr, 4);
    return !allow_loopback && s_is_local(&mapped);
}

bool notify_url_refused(const char *url, bool allow_loopback)
{
    CURLU *u = curl_url();
    char *host = NULL;
    bool refused = false;
    if (u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK) {
        char address[64];
        size_t len = strlen(host);
        bool bracketed = len > 2 && host[0] == '[' && host[len - 1] == ']';
        snprintf(address, sizeof address, "%.*s", (int)(bracketed ? len - 2 : len),
                 bracketed ? host + 1 : host);
        /* any spelling the system reads as an address without a lookup
         * ("0", "127.1", "0x7f000001"), as libcurl will connect to it */
        struct addrinfo hints = {.ai_flags = AI_NUMERICHOST, .ai_family = AF_UNSPEC}, *res = NULL;
        if (getaddrinfo(address, NULL, &hints, &res) == 0) {
            char canonical[INET6_ADDRSTRLEN] = "";
            const void *bytes =
                res->ai_family == AF_INET6
                    ? (const void *)&((struct sockaddr_in6 *)res->ai_addr)->sin6_addr
                    : (const void *)&((struct sockaddr_in *)res->ai_addr)->sin_addr;
            refused = !inet_ntop(res->ai_family, bytes, canonical, sizeof canonical) ||
                      notify_address_refused(canonical, allow_loopback);
            freeaddrinfo(res);
        }
    }
    curl_free(host);
    curl_url_cleanup(u);
    return refused;
}
