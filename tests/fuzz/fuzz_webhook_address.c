/* The webhook address guard fed hostile addresses and URLs (the first
 * byte: bit 0 allows loopback, bit 1 says the rest is a URL, as a
 * subscription gives it, rather than an address, as libcurl connects to
 * it). Whatever the spelling, an address of this machine's loopback
 * (unless allowed), a link-local one (a cloud's metadata service), the
 * unspecified one and anything that is no address are refused. */
#include "notify_server.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netdb.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/* Whether the address always refused, or refused unless loopback is allowed. */
static bool s_must_refuse(const struct in6_addr *a, bool allow_loopback)
{
    if (IN6_IS_ADDR_V4MAPPED(a)) {
        uint32_t host = (uint32_t)a->s6_addr[12] << 24 | (uint32_t)a->s6_addr[13] << 16 |
                        (uint32_t)a->s6_addr[14] << 8 | a->s6_addr[15];
        if (host >> 24 == 127)
            return !allow_loopback;
        return host >> 24 == 0 || host >> 16 == 0xa9fe;
    }
    if (IN6_IS_ADDR_LOOPBACK(a))
        return !allow_loopback;
    return IN6_IS_ADDR_UNSPECIFIED(a) || IN6_IS_ADDR_LINKLOCAL(a);
}

/* `text` as the numeric address the system would connect to (any spelling
 * getaddrinfo takes without a lookup: "127.1", "0x7f000001"), IPv4 mapped. */
static bool s_numeric(const char *text, struct in6_addr *a)
{
    struct addrinfo hints = {.ai_flags = AI_NUMERICHOST, .ai_family = AF_UNSPEC}, *res = NULL;
    if (getaddrinfo(text, NULL, &hints, &res) != 0)
        return false;
    if (res->ai_family == AF_INET6) {
        *a = ((struct sockaddr_in6 *)res->ai_addr)->sin6_addr;
    } else {
        memset(a, 0, sizeof *a);
        a->s6_addr[10] = a->s6_addr[11] = 0xff;
        memcpy(&a->s6_addr[12], &((struct sockaddr_in *)res->ai_addr)->sin_addr, 4);
    }
    freeaddrinfo(res);
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    bool allow_loopback = data[0] & 1, is_url = data[0] & 2;
    char *text = malloc(size);
    memcpy(text, data + 1, size - 1);
    text[size - 1] = '\0';
    struct in6_addr a;
    if (!is_url) {
        bool refused = notify_address_refused(text, allow_loopback);
        struct in6_addr v6;
        struct in_addr v4;
        bool is_address = inet_pton(AF_INET6, text, &v6) == 1 || inet_pton(AF_INET, text, &v4) == 1;
        if (!is_address && !refused)
            abort(); /* no address, yet not refused */
        if (is_address && s_numeric(text, &a) && s_must_refuse(&a, allow_loopback) && !refused)
            abort();
    } else {
        bool refused = notify_url_refused(text, allow_loopback);
        /* the host as libcurl will connect to it */
        CURLU *u = curl_url();
        char *host = NULL;
        if (curl_url_set(u, CURLUPART_URL, text, 0) == CURLUE_OK &&
            curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK) {
            size_t len = strlen(host);
            if (len > 2 && host[0] == '[' && host[len - 1] == ']') {
                memmove(host, host + 1, len - 2);
                host[len - 2] = '\0';
            }
            if (s_numeric(host, &a) && s_must_refuse(&a, allow_loopback) && !refused)
                abort(); /* a refused address in another spelling */
        }
        curl_free(host);
        curl_url_cleanup(u);
    }
    free(text);
    return 0;
}
