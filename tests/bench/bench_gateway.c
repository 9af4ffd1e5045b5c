/* Load generator for the gateway: N connections (threads with keep-alive
 * libcurl handles) drive one request kind for a fixed time and print
 * requests/s and latency percentiles. Not a test: it prints figures.
 *
 *   bench_gateway URL MODE CONNECTIONS SECONDS [API_KEY]
 *   MODE: write  POST /v1/organizations (unique valid numbers)
 *         read   GET /v1/committees/{id} (one committee, created first)
 */
#include <curl/curl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_SAMPLES (4 * 1024 * 1024)

static const char *s_url, *s_mode, *s_key;
static char s_committee_path[128];
static double s_seconds;
static atomic_long s_sequence;
static atomic_long s_failures;
static double *s_latencies_ms;
static atomic_long s_count;

static double s_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static size_t s_discard(char *data, size_t size, size_t n, void *user)
{
    char *capture = user;
    if (capture && !capture[0])
        snprintf(capture, 256, "%.*s", (int)(size * n > 255 ? 255 : size * n), data);
    return size * n;
}

/* The next valid 9-digit organisation number (mod-11 check digit). */
static void s_next_number(char out[10])
{
    static const int weights[] = {3, 2, 7, 6, 5, 4, 3, 2};
    for (;;) {
        long n = 10000000 + atomic_fetch_add(&s_sequence, 1);
        char digits[16];
        snprintf(digits, sizeof digits, "%08ld", n % 100000000);
        int sum = 0;
        for (int i = 0; i < 8; i++)
            sum += (digits[i] - '0') * weights[i];
        int check = 11 - sum % 11;
        if (check == 11)
            check = 0;
        if (check == 10)
            continue;
        memcpy(out, digits, 8);
        out[8] = (char)('0' + check);
        out[9] = '\0';
        return;
    }
}

static void *s_worker(void *arg)
{
    CURL *curl = curl_easy_init();
    struct curl_slist *headers = NULL;
    char auth[160];
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", s_key ? s_key : "");
    headers = curl_slist_append(headers, auth);
    headers = curl_slist_append(headers, "Content-Type: application/json");
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, s_discard);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, NULL);
    curl_easy_setopt(curl, CURLOPT_TCP_NODELAY, 1L);
    char url[256], body[256];
    int write = strcmp(s_mode, "write") == 0;
    snprintf(url, sizeof url, "%s%s", s_url, write ? "/v1/organizations" : s_committee_path);
    curl_easy_setopt(curl, CURLOPT_URL, url);
    double end = s_now() + s_seconds;
    while (s_now() < end) {
        if (write) {
            char number[10];
            s_next_number(number);
            snprintf(body, sizeof body,
                     "{\"name\":\"Bench kommune %s\",\"organizationNumber\":\"%s\","
                     "\"kind\":\"MUNICIPALITY\"}",
                     number, number);
            curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
        }
        double start = s_now();
        long status = 0;
        if (curl_easy_perform(curl) == CURLE_OK)
            curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
        double ms = (s_now() - start) * 1000;
        if (status != (write ? 201 : 200)) {
            atomic_fetch_add(&s_failures, 1);
            continue;
        }
        long i = atomic_fetch_add(&s_count, 1);
        if (i < MAX_SAMPLES)
            s_latencies_ms[i] = ms;
    }
    curl_slist_free_all(headers);
    curl_easy_cleanup(curl);
    return NULL;
}

static int s_compare(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static int s_create_committee(void)
{
    CURL *curl = curl_easy_init();
    struct curl_slist *headers = NULL;
    char auth[160], url[256], reply[256] = "";
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", s_key ? s_key : "");
    headers = curl_slist_append(headers, auth);
    headers = curl_slist_append(headers, "Content-Type: application/json");
    snprintf(url, sizeof url, "%s/v1/committees", s_url);
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS,
                     "{\"name\":\"Administrativt samarbeidsutvalg\",\"shortName\":\"ASU\","
                     "\"kind\":\"ADMINISTRATIVE\"}");
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, s_discard);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, reply);
    CURLcode rc = curl_easy_perform(curl);
    curl_slist_free_all(headers);
    curl_easy_cleanup(curl);
    const char *id = strstr(reply, "\"id\":\"");
    if (rc != CURLE_OK || !id) {
        fprintf(stderr, "could not create a committee to read: %s\n", reply);
        return -1;
    }
    snprintf(s_committee_path, sizeof s_committee_path, "/v1/committees/%.36s", id + 6);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 5) {
        fprintf(stderr, "usage: %s URL write|read CONNECTIONS SECONDS [API_KEY]\n", argv[0]);
        return 2;
    }
    s_url = argv[1];
    s_mode = argv[2];
    int connections = atoi(argv[3]);
    s_seconds = atof(argv[4]);
    s_key = argc > 5 ? argv[5] : getenv("SAMHAND_API_KEY");
    srand((unsigned)time(NULL));
    s_sequence = (long)(rand() % 50000000);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    if (strcmp(s_mode, "read") == 0 && s_create_committee() != 0)
        return 1;
    s_latencies_ms = malloc(sizeof(double) * MAX_SAMPLES);

    pthread_t *threads = calloc((size_t)connections, sizeof *threads);
    double start = s_now();
    for (int i = 0; i < connections; i++)
        pthread_create(&threads[i], NULL, s_worker, NULL);
    for (int i = 0; i < connections; i++)
        pthread_join(threads[i], NULL);
    double elapsed = s_now() - start;

    long n = atomic_load(&s_count);
    long samples = n < MAX_SAMPLES ? n : MAX_SAMPLES;
    qsort(s_latencies_ms, (size_t)samples, sizeof(double), s_compare);
    double p50 = samples ? s_latencies_ms[samples / 2] : 0;
    double p99 = samples ? s_latencies_ms[(long)(samples * 0.99)] : 0;
    printf("gateway %-5s connections=%d requests=%ld failures=%ld rps=%.0f p50_ms=%.2f "
           "p99_ms=%.2f\n",
           s_mode, connections, n, atomic_load(&s_failures), (double)n / elapsed, p50, p99);
    free(threads);
    free(s_latencies_ms);
    curl_global_cleanup();
    return atomic_load(&s_failures) && !n ? 1 : 0;
}
