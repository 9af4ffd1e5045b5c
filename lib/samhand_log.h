/* JSON-lines logging to stderr: one object per line with time, level,
 * service, request id and message. Never log patient or personal data. */
#ifndef SAMHAND_LOG_H
#define SAMHAND_LOG_H

#include <stdarg.h>

typedef enum { LOG_LEVEL_DEBUG, LOG_LEVEL_INFO, LOG_LEVEL_WARN, LOG_LEVEL_ERROR } log_level_t;

/* Names the process in every line; call once at start. `service` is copied. */
void log_init(const char *service);

/* Minimum level written (default info; SAMHAND_LOG_LEVEL=debug lowers it). */
void log_set_level(log_level_t level);

/* Parses "debug", "info", "warn", "error"; returns -1 for anything else. */
int log_level_parse(const char *name, log_level_t *level);

/* The request id carried by the lines of this thread, or of this fiber
 * (borrowed: keep it alive), until reset (NULL). */
void log_set_request_id(const char *request_id);

void log_write(log_level_t level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_debug(...) log_write(LOG_LEVEL_DEBUG, __VA_ARGS__)
#define log_info(...) log_write(LOG_LEVEL_INFO, __VA_ARGS__)
#define log_warn(...) log_write(LOG_LEVEL_WARN, __VA_ARGS__)
#define log_error(...) log_write(LOG_LEVEL_ERROR, __VA_ARGS__)

#endif
