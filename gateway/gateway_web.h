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
    char *policy;  /* the pages' Content-Security-Policy */
    char *sign_in; /* GET /v1/sign-in: how the pages may sign in (JSON) */
} gateway_web_t;

/* Signing in on the pages with OpenID Connect: the authorization code
 * flow with PKCE, the pages a public client. Without a client id the
 * pages offer API keys only. */
typedef struct {
    const char *client_id;              /* SAMHAND_OIDC_WEB_CLIENT_ID; "": off */
    const char *authorization_endpoint; /* "": <issuer>/connect/authorize */
    const char *token_endpoint;         /* "": <issuer>/connect/token */
    const char *scope;                  /* asked for: "openid samhand-api" */
    const char *name;                   /* on the button: "HelseID" */
} gateway_web_login_t;

/* Reads the files of `dir` (not its subdirectories); "" reads nothing.
 * 0, or -1 with `error`. */
int gateway_web_load(gateway_web_t *web, const char *dir, char *error, size_t error_size);
void gateway_web_clear(gateway_web_t *web);

/* Renders the pages' policy and GET /v1/sign-in from `login` and the
 * issuer whose tokens the gateway takes; the policy lets the pages reach
 * the token endpoint's origin too. 0, or -1 with `error`. */
int gateway_web_login_init(gateway_web_t *web, const gateway_web_login_t *login, const char *issuer,
                           char *error, size_t error_size);

/* The file for a request path ("/" is index.html), or NULL. */
const gateway_web_file_t *gateway_web_find(const gateway_web_t *web, const char *path, size_t len);

#endif
