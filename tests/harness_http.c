/* The tests' HTTP client (see harness.h): one request by libcurl, its
 * answer with headers and parsed JSON, and the assertions on an answer. */
#include "harness.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <unistd.h>

static size_t s_collect(char *data, size_t size, size_t n, void *userdata)
{
    harness_http_response_t *r = userdata;
    size_t old = r->body_len;
    r->body = realloc(r->body, old + size * n + 1);
    memcpy(r->body + old, data, size * n);
    r->body_len += size * n;
    r->body[r->body_len] = '\0';
    return size * n;
}

static size_t s_collect_header(char *data, size_t size, size_t n, void *arg)
{
    char **headers = arg;
    size_t old = *headers ? strlen(*headers) : 0;
    *headers = realloc(*headers, old + size * n + 1);
    memcpy(*headers + old, data, size * n);
    (*headers)[old + size * n] = '\0';
    return size * n;
}

char *harness_http_body_through(const harness_http_response_t *response, const char *command,
                                int *status)
{
    char file[] = "/tmp/samhand-body-XXXXXX";
    int fd = mkstemp(file);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, response->body, response->body_len), (ssize_t)response->body_len);
    close(fd);
    char line[1024];
    snprintf(line, sizeof line, command, file);
    FILE *p = popen(line, "r");
    assert_non_null(p);
    char *out = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&out, &len);
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, p)) > 0)
        fwrite(chunk, 1, n, mem);
    fclose(mem);
    int rc = pclose(p);
    *status = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
    unlink(file);
    return out;
}

const char *harness_http_header(const harness_http_response_t *response, const char *name,
                                char *out, size_t size)
{
    out[0] = '\0';
    size_t len = strlen(name);
    for (const char *line = response->headers; line && *line;) {
        const char *end = strstr(line, "\r\n");
        if (!end)
            break;
        if (strncasecmp(line, name, len) == 0 && line[len] == ':') {
            const char *value = line + len + 1;
            while (*value == ' ')
                value++;
            snprintf(out, size, "%.*s", (int)(end - value), value);
            break;
        }
        line = end + 2;
    }
    return out;
}

harness_http_response_t *harness_http_request(const char *method, const char *url, const char *body,
                                              const char *const *headers)
{
    harness_http_response_t *r = calloc(1, sizeof *r);
    CURL *curl = curl_easy_init();
    struct curl_slist *list = NULL;
    int typed = 0;
    for (const char *const *h = headers; h && *h; h++) {
        list = curl_slist_append(list, *h);
        typed |= strncasecmp(*h, "Content-Type:", 13) == 0;
    }
    if (body && !typed)
        list = curl_slist_append(list, "Content-Type: application/json");
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 20000L);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, s_collect);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, s_collect_header);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, &r->headers);
    if (body) {
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
    }
    if (curl_easy_perform(curl) == CURLE_OK) {
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &r->status);
        char *ct = NULL;
        curl_easy_getinfo(curl, CURLINFO_CONTENT_TYPE, &ct);
        snprintf(r->content_type, sizeof r->content_type, "%s", ct ? ct : "");
        struct curl_header *location = NULL;
        if (curl_easy_header(curl, "Location", 0, CURLH_HEADER, -1, &location) == CURLHE_OK)
            snprintf(r->location, sizeof r->location, "%s", location->value);
    }
    if (!r->body)
        r->body = strdup("");
    r->json = json_loads(r->body, 0, NULL);
    curl_slist_free_all(list);
    curl_easy_cleanup(curl);
    return r;
}

void harness_http_response_free(harness_http_response_t **response_p)
{
    if (!response_p || !*response_p)
        return;
    json_decref((*response_p)->json);
    free((*response_p)->body);
    free((*response_p)->headers);
    free(*response_p);
    *response_p = NULL;
}

void harness_expect_status(harness_http_response_t *response, long status)
{
    if (response->status != status)
        fprintf(stderr, "expected %ld, got %ld: %s\n", status, response->status, response->body);
    assert_int_equal(response->status, status);
}

void harness_assert_problem(harness_http_response_t *response, long status, const char *field)
{
    if (response->status != status)
        fprintf(stderr, "expected %ld, got %ld: %s\n", status, response->status, response->body);
    assert_int_equal(response->status, status);
    assert_string_equal(response->content_type, "application/problem+json");
    assert_non_null(response->json);
    assert_int_equal(json_integer_value(json_object_get(response->json, "status")), status);
    assert_true(json_is_string(json_object_get(response->json, "detail")));
    if (field) {
        json_t *errors = json_object_get(response->json, "errors");
        const char *named = json_string_value(json_object_get(json_array_get(errors, 0), "field"));
        if (!named || strcmp(named, field) != 0)
            fprintf(stderr, "expected field %s: %s\n", field, response->body);
        assert_non_null(named);
        assert_string_equal(named, field);
    }
}

const char *harness_json_text(harness_http_response_t *response, const char *key)
{
    const char *text = json_string_value(json_object_get(response->json, key));
    return text ? text : "";
}
