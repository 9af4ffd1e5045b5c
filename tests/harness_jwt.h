/* Test tokens: key pairs made on the spot, their JWKS, and JWTs signed
 * with them (or tampered with), as an OpenID Connect issuer would. */
#ifndef HARNESS_JWT_H
#define HARNESS_JWT_H

#include <stddef.h>

typedef struct harness_signer harness_signer_t;

/* A new key pair: "RS256" (RSA 2048) or "ES256" (P-256). */
harness_signer_t *harness_signer_new(const char *alg, const char *kid);
void harness_signer_free(harness_signer_t **signer_p);

/* Writes the private key to `path` as PEM (PKCS#8), for an identity
 * provider run outside this process; 0 or -1. */
int harness_signer_pem(const harness_signer_t *signer, const char *path);

/* {"keys":[...]} with the public keys of `signers`; caller frees. */
char *harness_jwks(harness_signer_t *const *signers, size_t n);

/* A JWT of `payload` (JSON text) signed by `signer`, its header
 * {"alg","kid","typ"} unless `header` (JSON text) is given; caller frees. */
char *harness_jwt(harness_signer_t *signer, const char *header, const char *payload);

#endif
