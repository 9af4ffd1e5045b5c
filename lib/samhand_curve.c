/* CurveZMQ keys and sockets; see samhand_curve.h. */
#include "samhand_curve.h"
#include "samhand_log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct {
    bool on;
    char server_public[41], server_secret[41], client_public[41], client_secret[41];
    char auth_dir[32]; /* the client key's certificate, for zauth */
} s_keys;

static int s_key(const char *name, char out[41], bool needed, char *error, size_t size)
{
    const char *value = getenv(name);
    out[0] = '\0';
    if (!value || !*value) {
        if (needed) {
            snprintf(error, size, "%s is needed when CurveZMQ keys are configured", name);
            return -1;
        }
        return 0;
    }
    uint8_t bytes[32];
    if (strlen(value) != 40 || !zmq_z85_decode(bytes, value)) {
        snprintf(error, size, "%s must be a CurveZMQ key: 40 characters of Z85", name);
        return -1;
    }
    memcpy(out, value, 41);
    return 0;
}

int curve_init(bool server, char *error, size_t error_size)
{
    const char *any = getenv("SAMHAND_CURVE_CLIENT_PUBLIC");
    const char *plain = getenv("SAMHAND_BUS_PLAIN");
    s_keys.on = any && *any;
    if (!s_keys.on) {
        /* plain only when asked for */
        if (!plain || strcmp(plain, "1") != 0) {
            snprintf(error, error_size,
                     "the bus needs its CurveZMQ keys (SAMHAND_CURVE_SERVER_PUBLIC, "
                     "SAMHAND_CURVE_CLIENT_PUBLIC, SAMHAND_CURVE_CLIENT_SECRET%s; `./samhand up` "
                     "makes them), or SAMHAND_BUS_PLAIN=1 to run it unencrypted",
                     server ? ", SAMHAND_CURVE_SERVER_SECRET" : "");
            return -1;
        }
        log_warn("the bus is not encrypted (SAMHAND_BUS_PLAIN=1)");
        return 0;
    }
    if (s_key("SAMHAND_CURVE_SERVER_PUBLIC", s_keys.server_public, true, error, error_size) != 0 ||
        s_key("SAMHAND_CURVE_SERVER_SECRET", s_keys.server_secret, server, error, error_size) !=
            0 ||
        s_key("SAMHAND_CURVE_CLIENT_PUBLIC", s_keys.client_public, true, error, error_size) != 0 ||
        s_key("SAMHAND_CURVE_CLIENT_SECRET", s_keys.client_secret, true, error, error_size) != 0)
        return -1;
    return 0;
}

bool curve_on(void)
{
    return s_keys.on;
}

void curve_server(zsock_t *socket)
{
    if (!s_keys.on)
        return;
    zsock_set_curve_server(socket, 1);
    zsock_set_curve_publickey(socket, s_keys.server_public);
    zsock_set_curve_secretkey(socket, s_keys.server_secret);
    zsock_set_zap_domain(socket, "samhand");
}

void curve_client(zsock_t *socket)
{
    if (!s_keys.on)
        return;
    zsock_set_curve_serverkey(socket, s_keys.server_public);
    zsock_set_curve_publickey(socket, s_keys.client_public);
    zsock_set_curve_secretkey(socket, s_keys.client_secret);
}

zactor_t *curve_auth_start(void)
{
    if (!s_keys.on)
        return NULL;
    /* zauth reads the allowed client keys from a directory of certificates:
     * one, the client key's, written where only this process looks */
    char *dir = s_keys.auth_dir;
    snprintf(dir, sizeof s_keys.auth_dir, "/tmp/samhand-curve-XXXXXX");
    if (!mkdtemp(dir)) {
        log_error("could not make a directory for the CurveZMQ client key");
        return NULL;
    }
    char path[64];
    snprintf(path, sizeof path, "%s/client.key", dir);
    uint8_t public_key[32], secret_key[32];
    zmq_z85_decode(public_key, s_keys.client_public);
    zmq_z85_decode(secret_key, s_keys.client_secret);
    zcert_t *cert = zcert_new_from(public_key, secret_key);
    int saved = cert ? zcert_save_public(cert, path) : -1;
    zcert_destroy(&cert);
    zactor_t *auth = saved == 0 ? zactor_new(zauth, NULL) : NULL;
    if (auth) {
        zstr_sendx(auth, "CURVE", dir, NULL);
        zsock_wait(auth);
    }
    if (!auth)
        log_error("could not start the CurveZMQ authenticator");
    return auth;
}

void curve_auth_stop(zactor_t **auth_p)
{
    if (!auth_p || !*auth_p)
        return;
    zactor_destroy(auth_p);
    char path[64];
    snprintf(path, sizeof path, "%s/client.key", s_keys.auth_dir);
    unlink(path);
    rmdir(s_keys.auth_dir);
}

int curve_keypair(char public_txt[41], char secret_txt[41])
{
    return zmq_curve_keypair(public_txt, secret_txt) == 0 ? 0 : -1;
}
