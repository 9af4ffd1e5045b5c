/* Event delivery benchmark: webhook receivers on this machine, committees
 * created through the gateway at a steady rate, and the time from commit
 * (the aggregate's createTime) to the webhook's arrival. Prints figures.
 *
 *   bench_events URL API_KEY RECEIVERS EVENTS_PER_SECOND SECONDS
 *
 * With 1 receiver it measures latency at a steady rate; with many, the
 * fan-out: deliveries per second over all receivers. The commits come from
 * SENDERS connections side by side, each at its share of the rate on its
 * own schedule, so the rate is offered even when one request takes longer
 * than the interval between two; `rate=` is the rate that was reached. */
#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <stdint.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define MAX_SAMPLES (1 << 20)

static double *s_latency_ms;
static atomic_long s_received, s_duplicates;

/* (receiver, webhook-id) pairs seen, by a 64-bit hash: a second one is a
 * duplicate delivery, which must not happen without a crash */
#define SEEN_SLOTS (1u << 21)
static _Atomic uint64_t *s_seen;

static bool s_first_time(int port, const char *id, size_t len)
{
    uint64_t h = 1469598103934665603ull ^ (uint64_t)port;
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)id[i]) * 1099511628211ull;
    h |= 1; /* 0 marks an empty slot */
    for (uint32_t at = (uint32_t)h & (SEEN_SLOTS - 1);; at = (at + 1) & (SEEN_SLOTS - 1)) {
        uint64_t empty = 0;
        if (atomic_compare_exchange_strong(&s_seen[at], &empty, h))
            return true;
        if (empty == h)
            return false;
    }
}
static volatile int s_stop;

static double s_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* "createTime":"2026-11-22T05:07:51.195182Z" -> seconds */
static double s_create_time(const char *body)
{
    const char *p = strstr(body, "\"createTime\":\"");
    if (!p)
        return 0;
    struct tm tm = {0};
    const char *rest = strptime(p + 14, "%Y-%m-%dT%H:%M:%S", &tm);
    double frac = rest && *rest == '.' ? atof(rest) : 0;
    return (double)timegm(&tm) + frac;
}

/* One connection of a receiver: keep-alive HTTP/1.1, 204 to everything.
 * Wakes every 200 ms to notice the end of the run. */
static void *s_connection(void *arg)
{
    int conn = (int)(intptr_t)arg;
    struct sockaddr_in local;
    socklen_t local_len = sizeof local;
    getsockname(conn, (struct sockaddr *)&local, &local_len);
    int port = ntohs(local.sin_port);
    struct timeval tv = {.tv_usec = 200 * 1000};
    setsockopt(conn, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    static __thread char buf[65536];
    size_t used = 0;
    while (!s_stop) {
        ssize_t got = recv(conn, buf + used, sizeof buf - 1 - used, 0);
        if (got < 0 && (errno == EAGAIN || errno == EINTR))
            continue;
        if (got <= 0)
            break;
        used += (size_t)got;
        buf[used] = '\0';
        char *end;
        while ((end = strstr(buf, "\r\n\r\n"))) {
            size_t head = (size_t)(end - buf) + 4;
            const char *cl = strcasestr(buf, "content-length:");
            size_t length = cl && cl < end ? strtoul(cl + 15, NULL, 10) : 0;
            if (used < head + length)
                break;
            char saved = buf[head + length];
            buf[head + length] = '\0';
            double created = s_create_time(buf + head);
            buf[head + length] = saved;
            const char *id = strcasestr(buf, "webhook-id:");
            if (id && id < end) {
                id += 11;
                while (*id == ' ')
                    id++;
                if (!s_first_time(port, id, strcspn(id, "\r\n")))
                    atomic_fetch_add(&s_duplicates, 1);
            }
            long i = atomic_fetch_add(&s_received, 1);
            if (created > 0 && i < MAX_SAMPLES)
                s_latency_ms[i] = (s_now() - created) * 1000;
            static const char ok[] = "HTTP/1.1 204 No Content\r\n\r\n";
            if (send(conn, ok, sizeof ok - 1, MSG_NOSIGNAL) < 0)
                goto done;
            memmove(buf, buf + head + length, used - head - length);
            used -= head + length;
            buf[used] = '\0';
        }
    }
done:
    close(conn);
    return NULL;
}

/* One receiver: every connection the sender opens gets its own thread, as
 * a real server would serve it. */
static void *s_receiver(void *arg)
{
    int fd = *(int *)arg;
    while (!s_stop) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, 100) <= 0)
            continue;
        int conn = accept(fd, NULL, NULL);
        if (conn < 0)
            continue;
        pthread_t thread;
        if (pthread_create(&thread, NULL, s_connection, (void *)(intptr_t)conn) == 0)
            pthread_detach(thread);
        else
            close(conn);
    }
    return NULL;
}

typedef struct {
    char *text; /* 4096 bytes: the start of the answer is enough */
    size_t len;
} s_buffer_t;

static size_t s_keep(char *d, size_t s, size_t n, void *u)
{
    s_buffer_t *b = u;
    size_t take = s * n < 4095 - b->len ? s * n : 4095 - b->len;
    memcpy(b->text + b->len, d, take);
    b->len += take;
    b->text[b->len] = '\0';
    return s * n;
}

/* Sends a request; with `id`, keeps the "id" of the answer. */
static long s_request(CURL *curl, const char *method, const char *url, const char *key,
                      const char *body, char id[40])
{
    struct curl_slist *h = NULL;
    char auth[160];
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", key);
    h = curl_slist_append(h, auth);
    h = curl_slist_append(h, "Content-Type: application/json");
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body ? body : "");
    char answer[4096] = "";
    s_buffer_t buffer = {answer, 0};
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, s_keep);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &buffer);
    long status = 0;
    if (curl_easy_perform(curl) == CURLE_OK)
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(h);
    const char *at = id ? strstr(answer, "\"id\":\"") : NULL;
    if (at)
        snprintf(id, 40, "%.36s", at + 6);
    return status;
}

static long s_post(CURL *curl, const char *url, const char *key, const char *body)
{
    return s_request(curl, "POST", url, key, body, NULL);
}

#define SENDERS 8

static const char *s_base, *s_key;
static int s_rate;
static double s_seconds, s_start;
static atomic_long s_sent, s_failed; /* failed: no 201, though it may have committed */

/* One sender: its own connection, a commit every SENDERS / rate seconds. */
static void *s_sender(void *arg)
{
    int index = (int)(intptr_t)arg;
    CURL *curl = curl_easy_init();
    char url[256], body[128];
    snprintf(url, sizeof url, "%s/v1/committees", s_base);
    double interval = (double)SENDERS / s_rate;
    double next = s_start + index * (1.0 / s_rate);
    for (long n = 0;; n++) {
        double wait = next - s_now();
        if (wait > 0)
            usleep((useconds_t)(wait * 1e6));
        if (s_now() - s_start >= s_seconds)
            break;
        snprintf(body, sizeof body, "{\"name\":\"Bench %d-%ld\",\"kind\":\"OTHER\"}", index, n);
        if (s_post(curl, url, s_key, body) == 201)
            atomic_fetch_add(&s_sent, 1);
        else
            atomic_fetch_add(&s_failed, 1);
        next += interval;
    }
    curl_easy_cleanup(curl);
    return NULL;
}

static int s_compare(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    if (argc < 6) {
        fprintf(stderr, "usage: %s URL API_KEY RECEIVERS EVENTS_PER_SECOND SECONDS\n", argv[0]);
        return 2;
    }
    const char *base = argv[1], *key = argv[2];
    int receivers = atoi(argv[3]), rate = atoi(argv[4]);
    double seconds = atof(argv[5]);
    s_latency_ms = calloc(MAX_SAMPLES, sizeof *s_latency_ms);
    s_seen = calloc(SEEN_SLOTS, sizeof *s_seen);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    CURL *curl = curl_easy_init();
    pthread_t *threads = calloc((size_t)receivers, sizeof *threads);
    int *fds = calloc((size_t)receivers, sizeof *fds);
    char(*subscriptions)[40] = calloc((size_t)receivers, sizeof *subscriptions);
    char url[256], body[512];
    for (int i = 0; i < receivers; i++) {
        fds[i] = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in addr = {.sin_family = AF_INET};
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t len = sizeof addr;
        bind(fds[i], (struct sockaddr *)&addr, sizeof addr);
        listen(fds[i], 64);
        getsockname(fds[i], (struct sockaddr *)&addr, &len);
        pthread_create(&threads[i], NULL, s_receiver, &fds[i]);
        snprintf(url, sizeof url, "%s/v1/subscriptions", base);
        snprintf(
            body, sizeof body,
            "{\"url\":\"http://127.0.0.1:%d/hook\",\"eventTypes\":[\"no.samhand.committee.\"]}",
            ntohs(addr.sin_port));
        if (s_request(curl, "POST", url, key, body, subscriptions[i]) != 201) {
            fprintf(stderr, "could not subscribe\n");
            return 1;
        }
    }
    /* a steady rate of commits */
    s_base = base;
    s_key = key;
    s_rate = rate;
    s_seconds = seconds;
    double start = s_start = s_now();
    pthread_t senders[SENDERS];
    for (int i = 0; i < SENDERS; i++)
        pthread_create(&senders[i], NULL, s_sender, (void *)(intptr_t)i);
    for (int i = 0; i < SENDERS; i++)
        pthread_join(senders[i], NULL);
    long sent = atomic_load(&s_sent), failed = atomic_load(&s_failed);
    double sending = s_now() - start;
    long wanted = sent * receivers;
    double drain_start = s_now();
    while (atomic_load(&s_received) < wanted && s_now() - drain_start < 120)
        usleep(50 * 1000);
    double total = s_now() - start;
    s_stop = 1;
    for (int i = 0; i < receivers; i++)
        pthread_join(threads[i], NULL);
    /* the next run's figures are its own: no endpoints left behind */
    for (int i = 0; i < receivers; i++) {
        snprintf(url, sizeof url, "%s/v1/subscriptions/%s", base, subscriptions[i]);
        s_request(curl, "DELETE", url, key, NULL, NULL);
    }
    long n = atomic_load(&s_received);
    long samples = n < MAX_SAMPLES ? n : MAX_SAMPLES;
    qsort(s_latency_ms, (size_t)samples, sizeof(double), s_compare);
    printf("events receivers=%d offered=%d/s rate=%.0f/s events=%ld failed=%ld deliveries=%ld/%ld "
           "duplicates=%ld deliveries_per_s=%.0f p50_ms=%.1f p99_ms=%.1f\n",
           receivers, rate, sent / sending, sent, failed, n, wanted, atomic_load(&s_duplicates),
           n / total, samples ? s_latency_ms[samples / 2] : 0,
           samples ? s_latency_ms[(long)(samples * 0.99)] : 0);
    curl_easy_cleanup(curl);
    curl_global_cleanup();
    return 0;
}
