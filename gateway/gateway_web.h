/* The web pages for people (web/): plain HTML, CSS and JavaScript read
 * into memory at start from SAMHAND_WEB_DIR and served by the gateway at
 * "/", with a Content-Security-Policy that lets them load only themselves
 * and talk only to this API. */
#ifndef GATEWAY_WEB_H
#define GATEWAY_WEB_H

#include <stddef.h>

typedef struct {
    char name[64]; /* "index.html" */
    const char *content_type;
    char *body;
    size_t len;
} gateway_web_file_t;

#define GATEWAY_WEB_FILES 32

typedef struct {
    gateway_web_file_t files[GATEWAY_WEB_FILES];
    size_t n;
} gateway_web_t;

/* Reads the files of `dir` (not its subdirectories); "" reads nothing.
 * 0, or -1 with `error`. */
int gateway_web_load(gateway_web_t *web, const char *dir, char *error, size_t error_size);
void gateway_web_clear(gateway_web_t *web);

/* The file for a request path ("/" is index.html), or NULL. */
const gateway_web_file_t *gateway_web_find(const gateway_web_t *web, const char *path, size_t len);

#endif
