/* Configuration from environment variables: one table per binary, defaults,
 * validation at start-up, and the `--help` text generated from the table. */
#ifndef SAMHAND_CONFIG_H
#define SAMHAND_CONFIG_H

#include <stddef.h>

typedef enum {
    CONFIG_STRING,   /* any non-empty text */
    CONFIG_INT,      /* decimal integer within [min, max] */
    CONFIG_ENDPOINT, /* ZeroMQ endpoint(s), tcp:// or ipc://, comma separated */
    CONFIG_CHOICE,   /* one of `choices` */
} config_kind_t;

typedef struct {
    const char *name; /* environment variable, e.g. SAMHAND_AGENDA_ENDPOINT */
    config_kind_t kind;
    const char *default_value; /* NULL: required */
    const char *help;
    long min, max;              /* CONFIG_INT only */
    const char **string_out;    /* CONFIG_STRING, CONFIG_ENDPOINT: borrowed from environ */
    long *int_out;              /* CONFIG_INT */
    const char *const *choices; /* CONFIG_CHOICE: NULL-terminated; result in string_out */
} config_var_t;

/* The choices of SAMHAND_LOG_LEVEL, in log_level_t order. */
extern const char *const config_log_levels[];

/* Reads every variable of `vars`. With `--help` among the arguments prints the
 * table and returns 1; on a missing or invalid value prints which one and
 * why on stderr and returns -1; otherwise returns 0. */
int config_load(const config_var_t *vars, size_t n, int argc, char **argv, const char *summary);

#endif
