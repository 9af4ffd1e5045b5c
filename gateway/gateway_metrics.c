/* Merges Prometheus text expositions of several processes into one, so
 * that each metric family appears once with all its series together. */
#include "gateway_metrics.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    char name[128];
    char *head;   /* HELP and TYPE lines */
    char *series; /* sample lines */
    size_t head_len, series_len;
    int has_help, has_type;
} s_family_t;

static void s_append(char **buf, size_t *len, const char *line, size_t line_len)
{
    *buf = realloc(*buf, *len + line_len + 2);
    memcpy(*buf + *len, line, line_len);
    (*buf)[*len + line_len] = '\n';
    *len += line_len + 1;
    (*buf)[*len] = '\0';
}

static s_family_t *s_family(s_family_t **families, size_t *n, const char *name, size_t name_len)
{
    for (size_t i = 0; i < *n; i++)
        if (strlen((*families)[i].name) == name_len &&
            memcmp((*families)[i].name, name, name_len) == 0)
            return &(*families)[i];
    *families = realloc(*families, (*n + 1) * sizeof **families);
    s_family_t *f = &(*families)[(*n)++];
    memset(f, 0, sizeof *f);
    snprintf(f->name, sizeof f->name, "%.*s", (int)name_len, name);
    return f;
}

char *gateway_metrics_merge(const char *const *texts, size_t n_texts)
{
    s_family_t *families = NULL;
    size_t n = 0;
    for (size_t t = 0; t < n_texts; t++) {
        s_family_t *current = NULL;
        for (const char *line = texts[t]; line && *line;) {
            const char *end = strchr(line, '\n');
            size_t len = end ? (size_t)(end - line) : strlen(line);
            if (len > 7 && (strncmp(line, "# HELP ", 7) == 0 || strncmp(line, "# TYPE ", 7) == 0)) {
                const char *name = line + 7;
                size_t name_len = strcspn(name, " \n");
                current = s_family(&families, &n, name, name_len);
                /* the first process to describe a family describes it */
                int *seen = line[2] == 'H' ? &current->has_help : &current->has_type;
                if (!*seen)
                    s_append(&current->head, &current->head_len, line, len);
                *seen = 1;
            } else if (len > 0 && line[0] != '#') {
                if (!current) { /* an undescribed sample: a family of its own */
                    size_t name_len = strcspn(line, "{ ");
                    current = s_family(&families, &n, line, name_len);
                }
                s_append(&current->series, &current->series_len, line, len);
            }
            line = end ? end + 1 : line + len;
        }
    }
    char *out = NULL;
    size_t out_len = 0;
    FILE *stream = open_memstream(&out, &out_len);
    for (size_t i = 0; i < n; i++) {
        if (families[i].head)
            fputs(families[i].head, stream);
        if (families[i].series)
            fputs(families[i].series, stream);
        free(families[i].head);
        free(families[i].series);
    }
    fclose(stream);
    free(families);
    return out;
}
