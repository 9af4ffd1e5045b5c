/* The web pages, in memory; see gateway_web.h. */
#include "gateway_web.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *s_type(const char *name)
{
    const char *dot = strrchr(name, '.');
    if (!dot)
        return NULL;
    static const char *const types[][2] = {
        {".html", "text/html; charset=utf-8"},
        {".js", "text/javascript; charset=utf-8"},
        {".css", "text/css; charset=utf-8"},
        {".svg", "image/svg+xml"},
        {".png", "image/png"},
        {".ico", "image/x-icon"},
        {".json", "application/json"},
    };
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        if (strcmp(dot, types[i][0]) == 0)
            return types[i][1];
    return NULL; /* anything else is not served */
}

int gateway_web_load(gateway_web_t *web, const char *dir, char *error, size_t error_size)
{
    memset(web, 0, sizeof *web);
    if (!dir || !*dir)
        return 0;
    DIR *d = opendir(dir);
    if (!d) {
        snprintf(error, error_size, "SAMHAND_WEB_DIR %s cannot be read", dir);
        return -1;
    }
    struct dirent *e;
    while ((e = readdir(d)) && web->n < GATEWAY_WEB_FILES) {
        const char *type = s_type(e->d_name);
        if (e->d_name[0] == '.' || !type || strlen(e->d_name) >= sizeof web->files[0].name)
            continue;
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        FILE *f = fopen(path, "rb");
        if (!f)
            continue;
        gateway_web_file_t *file = &web->files[web->n];
        fseek(f, 0, SEEK_END);
        long size = ftell(f);
        fseek(f, 0, SEEK_SET);
        file->body = malloc((size_t)(size > 0 ? size : 0) + 1);
        file->len = size > 0 ? fread(file->body, 1, (size_t)size, f) : 0;
        fclose(f);
        snprintf(file->name, sizeof file->name, "%s", e->d_name);
        file->content_type = type;
        web->n++;
    }
    closedir(d);
    return 0;
}

void gateway_web_clear(gateway_web_t *web)
{
    for (size_t i = 0; i < web->n; i++)
        free(web->files[i].body);
    web->n = 0;
}

const gateway_web_file_t *gateway_web_find(const gateway_web_t *web, const char *path, size_t len)
{
    if (len == 0 || path[0] != '/')
        return NULL;
    const char *name = len == 1 ? "index.html" : path + 1;
    size_t name_len = len == 1 ? strlen("index.html") : len - 1;
    for (size_t i = 0; i < web->n; i++)
        if (strlen(web->files[i].name) == name_len &&
            memcmp(web->files[i].name, name, name_len) == 0)
            return &web->files[i];
    return NULL;
}
