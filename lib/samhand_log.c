/* JSON-lines logging; the request id is per thread, or per fiber on one. */
#include "samhand_log.h"
#include "samhand_fiber.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

static char s_service[64] = "samhand";
static log_level_t s_min_level = LOG_LEVEL_INFO;
static _Thread_local char s_request_id[64];

static const char *s_level_names[] = {"debug", "info", "warn", "error"};

void log_init(const char *service)
{
    snprintf(s_service, sizeof s_service, "%s", service);
}

void log_set_level(log_level_t level)
{
    s_min_level = level;
}

int log_level_parse(const char *name, log_level_t *level)
{
    for (int i = 0; i < 4; i++) {
        if (strcmp(name, s_level_names[i]) == 0) {
            *level = (log_level_t)i;
            return 0;
        }
    }
    return -1;
}

/* On a fiber the id is the fiber's (borrowed): the fibers of one thread
 * take turns, so a thread's one id would be another request's by the time
 * the line is written. */
void log_set_request_id(const char *request_id)
{
    if (fiber_active())
        fiber_set_local((void *)request_id);
    else
        snprintf(s_request_id, sizeof s_request_id, "%s", request_id ? request_id : "");
}

void log_write(log_level_t level, const char *fmt, ...)
{
    if (level < s_min_level)
        return;

    char message[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);

    struct timeval tv;
    gettimeofday(&tv, NULL);
    struct tm tm;
    gmtime_r(&tv.tv_sec, &tm);
    char stamp[40];
    size_t n = strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(stamp + n, sizeof stamp - n, ".%03ldZ", (long)(tv.tv_usec / 1000));

    json_t *line = json_pack("{s:s, s:s, s:s, s:s}", "time", stamp, "level", s_level_names[level],
                             "service", s_service, "message", message);
    if (!line)
        return;
    const char *request_id = fiber_active() ? fiber_local() : s_request_id;
    if (request_id && request_id[0])
        json_object_set_new(line, "requestId", json_string(request_id));
    char *text = json_dumps(line, JSON_COMPACT | JSON_PRESERVE_ORDER);
    if (text) {
        fprintf(stderr, "%s\n", text);
        free(text);
    }
    json_decref(line);
}
