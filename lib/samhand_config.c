/* Environment configuration, validated once at start-up. */
#include "samhand_config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const config_log_levels[] = {"debug", "info", "warn", "error", NULL};

static void s_print_help(const config_var_t *vars, size_t n, const char *prog, const char *summary)
{
    printf("usage: %s [--help]\n\n%s\n\nConfiguration (environment variables):\n", prog, summary);
    for (size_t i = 0; i < n; i++) {
        printf("  %-32s %s", vars[i].name, vars[i].help);
        if (vars[i].default_value)
            printf(" (default: %s)", vars[i].default_value[0] ? vars[i].default_value : "empty");
        else
            printf(" (required)");
        printf("\n");
    }
}

static int s_valid_endpoints(const char *value)
{
    const char *p = value;
    while (*p) {
        if (strncmp(p, "tcp://", 6) != 0 && strncmp(p, "ipc://", 6) != 0)
            return 0;
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        if (len <= 6)
            return 0;
        p += len;
        if (*p == ',')
            p++;
    }
    return 1;
}

int config_load(const config_var_t *vars, size_t n, int argc, char **argv, const char *summary)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            s_print_help(vars, n, argv[0], summary);
            return 1;
        }
        fprintf(stderr, "%s: unknown argument \"%s\" (try --help)\n", argv[0], argv[i]);
        return -1;
    }

    for (size_t i = 0; i < n; i++) {
        const config_var_t *v = &vars[i];
        const char *value = getenv(v->name);
        if (!value || !*value)
            value = v->default_value;
        if (!value) {
            fprintf(stderr, "%s: %s is required: %s\n", argv[0], v->name, v->help);
            return -1;
        }
        switch (v->kind) {
        case CONFIG_STRING:
            *v->string_out = value;
            break;
        case CONFIG_ENDPOINT:
            if (!s_valid_endpoints(value)) {
                fprintf(stderr, "%s: %s=\"%s\" is not a list of tcp:// or ipc:// endpoints\n",
                        argv[0], v->name, value);
                return -1;
            }
            *v->string_out = value;
            break;
        case CONFIG_CHOICE: {
            size_t c = 0;
            while (v->choices[c] && strcmp(v->choices[c], value) != 0)
                c++;
            if (!v->choices[c]) {
                fprintf(stderr, "%s: %s=\"%s\" must be one of:", argv[0], v->name, value);
                for (c = 0; v->choices[c]; c++)
                    fprintf(stderr, " %s", v->choices[c]);
                fprintf(stderr, "\n");
                return -1;
            }
            *v->string_out = value;
            break;
        }
        case CONFIG_INT: {
            char *end;
            errno = 0;
            long number = strtol(value, &end, 10);
            if (errno || end == value || *end || number < v->min || number > v->max) {
                fprintf(stderr, "%s: %s=\"%s\" must be an integer from %ld to %ld\n", argv[0],
                        v->name, value, v->min, v->max);
                return -1;
            }
            *v->int_out = number;
            break;
        }
        }
    }
    return 0;
}
