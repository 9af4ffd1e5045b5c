/* The web pages, in memory; see gateway_web.h. */
#include "gateway_web.h"

#include <dirent.h>
#include <stdbool.h>
#include <jansson.h>
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
    while ((e = readdir(d))) {
        const char *type = s_type(e->d_name);
        if (e->d_name[0] == '.' || !type || strlen(e->d_name) >= sizeof web->files[0].name)
            continue;
        if (web->n == GATEWAY_WEB_FILES) {
            snprintf(error, error_size, "SAMHAND_WEB_DIR %s has more than %d pages and files", dir,
                     GATEWAY_WEB_FILES);
            closedir(d);
            gateway_web_clear(web);
            return -1;
        }
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
    free(web->policy);
    free(web->sign_in);
    web->policy = web->sign_in = NULL;
}

/* https://, or plain http to this machine (a test's identity provider) */
static bool s_endpoint_ok(const char *url)
{
    return strncmp(url, "https://", 8) == 0 || strncmp(url, "http://127.0.0.1", 16) == 0 ||
           strncmp(url, "http://localhost", 16) == 0;
}

int gateway_web_login_init(gateway_web_t *web, const gateway_web_login_t *login, const char *issuer,
                           char *error, size_t error_size)
{
    char authorize[512], token[512], origin[512] = "";
    bool on = login->client_id && login->client_id[0];
    if (on && (!issuer || !issuer[0])) {
        snprintf(error, error_size, "SAMHAND_OIDC_WEB_CLIENT_ID needs SAMHAND_OIDC_ISSUER");
        return -1;
    }
    if (on) {
        snprintf(authorize, sizeof authorize, "%s",
                 login->authorization_endpoint && login->authorization_endpoint[0]
                     ? login->authorization_endpoint
                     : "");
        if (!authorize[0])
            snprintf(authorize, sizeof authorize, "%s/connect/authorize", issuer);
        snprintf(token, sizeof token, "%s",
                 login->token_endpoint && login->token_endpoint[0] ? login->token_endpoint : "");
        if (!token[0])
            snprintf(token, sizeof token, "%s/connect/token", issuer);
        if (!s_endpoint_ok(authorize) || !s_endpoint_ok(token)) {
            snprintf(error, error_size,
                     "SAMHAND_OIDC_AUTHORIZATION_ENDPOINT and SAMHAND_OIDC_TOKEN_ENDPOINT must be "
                     "https:// URLs");
            return -1;
        }
        /* the origin: scheme://host[:port], up to the path */
        const char *path = strchr(strstr(token, "://") + 3, '/');
        size_t len = path ? (size_t)(path - token) : strlen(token);
        snprintf(origin, sizeof origin, " %.*s", (int)len, token);
    }
    char policy[1024];
    snprintf(policy, sizeof policy,
             "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
             "connect-src 'self'%s; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
             origin);
    web->policy = strdup(policy);
    json_t *doc = json_pack("{s:b}", "apiKey", 1);
    if (on)
        json_object_set_new(
            doc, "openIdConnect",
            json_pack("{s:s, s:s, s:s, s:s, s:s}", "name",
                      login->name && login->name[0] ? login->name : "OpenID Connect",
                      "authorizationEndpoint", authorize, "tokenEndpoint", token, "clientId",
                      login->client_id, "scope",
                      login->scope && login->scope[0] ? login->scope : "openid"));
    web->sign_in = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    return 0;
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
