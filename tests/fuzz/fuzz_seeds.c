/* Writes the binary seeds of tests/fuzz/corpus/ from its text ones: for
 * fuzz_protobuf, each transcode seed's request packed (alone, in an
 * Envelope to its service's method, and as an Event's aggregate where the
 * body fits the route's reply); for fuzz_jwks, key sets of the keys the
 * tests' issuer makes. Usage: fuzz_seeds tests/fuzz/corpus */
#include "fuzz_known.h"
#include "harness_jwt.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>

static void s_write(const char *dir, const char *target, unsigned n, const uint8_t *prefix,
                    size_t prefix_len, const ProtobufCMessage *msg)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s/seed-%04u", dir, target, n);
    FILE *f = fopen(path, "wb");
    if (!f) {
        perror(path);
        exit(1);
    }
    fwrite(prefix, 1, prefix_len, f);
    if (msg) {
        size_t len = protobuf_c_message_get_packed_size(msg);
        uint8_t *packed = malloc(len + 1);
        protobuf_c_message_pack(msg, packed);
        fwrite(packed, 1, len, f);
        free(packed);
    }
    fclose(f);
}

static size_t s_index(const ProtobufCMessageDescriptor *desc)
{
    for (size_t i = 0; i < fuzz_n_known; i++)
        if (fuzz_known[i] == desc)
            return i;
    abort();
}

/* The message of `desc` from `body`, or NULL when it does not fit. */
static ProtobufCMessage *s_from(const ProtobufCMessageDescriptor *desc, json_t *body)
{
    transcode_error_t err;
    ProtobufCMessage *msg = transcode_new(desc);
    if (transcode_from_json(msg, body, &err) != 0)
        transcode_free(&msg);
    return msg;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: fuzz_seeds CORPUS_DIR\n");
        return 2;
    }
    fuzz_known_init();
    char path[4096];
    snprintf(path, sizeof path, "%s/transcode", argv[1]);
    DIR *d = opendir(path);
    if (!d) {
        perror(path);
        return 1;
    }
    unsigned n = 0;
    for (struct dirent *e; (e = readdir(d));) {
        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof path, "%s/transcode/%s", argv[1], e->d_name);
        FILE *f = fopen(path, "rb");
        uint8_t buf[65536];
        size_t len = fread(buf, 1, sizeof buf, f);
        fclose(f);
        if (len < 2)
            continue;
        const gateway_route_t *route =
            &gateway_routes[((size_t)buf[0] << 8 | buf[1]) % gateway_routes_count];
        json_t *body = json_loadb((const char *)buf + 2, len - 2, 0, NULL);
        ProtobufCMessage *msg = body ? s_from(route->request, body) : NULL;
        if (!msg) {
            json_decref(body);
            continue;
        }
        size_t index = s_index(route->request);
        uint8_t prefix[3] = {2, (uint8_t)(index >> 8), (uint8_t)index};
        s_write(argv[1], "protobuf", n++, prefix, 3, msg);

        Samhand__V1__Envelope env = SAMHAND__V1__ENVELOPE__INIT;
        Samhand__V1__Principal principal = SAMHAND__V1__PRINCIPAL__INIT;
        char *roles[] = {"admin"};
        principal.subject = "key:fuzz";
        principal.organization_id = "3f1c2a4e-5b6d-4e7f-8a9b-0c1d2e3f4a5b";
        principal.roles = roles;
        principal.n_roles = 1;
        env.request_id = "0123456789abcdef0123456789abcdef";
        env.method = (char *)route->rpc;
        env.principal = &principal;
        env.deadline_ms = 1763798899000;
        env.body.len = protobuf_c_message_get_packed_size(msg);
        env.body.data = malloc(env.body.len + 1);
        protobuf_c_message_pack(msg, env.body.data);
        s_write(argv[1], "protobuf", n++, (const uint8_t *)"\0", 1, &env.base);
        free(env.body.data);

        ProtobufCMessage *aggregate = s_from(route->response, body);
        if (aggregate) {
            Samhand__V1__Event event = SAMHAND__V1__EVENT__INIT;
            event.id = "9b1c2a4e-5b6d-4e7f-8a9b-0c1d2e3f4a5b";
            event.sequence = n;
            event.type = "no.samhand.fuzz.changed";
            event.source = (char *)route->service;
            event.data_type = (char *)route->response->name;
            event.data.len = protobuf_c_message_get_packed_size(aggregate);
            event.data.data = malloc(event.data.len + 1);
            protobuf_c_message_pack(aggregate, event.data.data);
            s_write(argv[1], "protobuf", n++, (const uint8_t *)"\1", 1, &event.base);
            free(event.data.data);
            transcode_free(&aggregate);
        }
        transcode_free(&msg);
        json_decref(body);
    }
    closedir(d);

    /* key sets: one RSA and one EC key, each alone and both */
    harness_signer_t *signers[2] = {harness_signer_new("RS256", "helseid-rsa"),
                                    harness_signer_new("ES256", "helseid-ec")};
    const struct {
        size_t first, n;
    } sets[] = {{0, 2}, {0, 1}, {1, 1}};
    for (size_t i = 0; i < sizeof sets / sizeof sets[0]; i++) {
        char *jwks = harness_jwks(signers + sets[i].first, sets[i].n);
        s_write(argv[1], "jwks", (unsigned)i, (const uint8_t *)jwks, strlen(jwks), NULL);
        free(jwks);
    }
    harness_signer_free(&signers[0]);
    harness_signer_free(&signers[1]);
    fprintf(stderr, "%u protobuf seeds, %zu key sets\n", n, sizeof sets / sizeof sets[0]);
    return 0;
}
