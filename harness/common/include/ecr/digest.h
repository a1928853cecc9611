/* digest.h: image digests as ECR computes them.
 *
 * An image's digest is "sha256:" + the lowercase hex SHA-256 of the exact
 * manifest bytes that were pushed (docs/ECR-BEHAVIOUR.md#digests). Computed with
 * OpenSSL's EVP API; shared by the runner (fixture digests) and the emulator
 * (PutImage). Also the raw SHA-256 and HMAC-SHA256 that SigV4 is made of.
 * Every function here is thread-safe: the algorithms are fetched once per
 * process and each thread keeps its own contexts (freed when it ends).
 */
#ifndef ECR_DIGEST_H
#define ECR_DIGEST_H

#include <stddef.h>
#include "ecr/result.h"

/* "sha256:" (7) + 64 hex + NUL */
#define DIGEST_STR_SIZE 72

/* Writes "sha256:<hex>" of data[0..len) into out. Returns ECR_ECRYPTO when
 * OpenSSL fails (out is then the empty string), else ECR_OK. */
ecr_result ecr_digest_sha256(const void *data, size_t len, char out[DIGEST_STR_SIZE]);

/* Writes the lowercase hex SHA-256 of data into out (65 bytes incl. NUL).
 * SigV4 needs the bare hex form for payload hashes. Same failures. */
ecr_result ecr_digest_sha256_hex(const void *data, size_t len, char out[65]);

/* The SHA-256 of data[0..len) into out. ECR_ECRYPTO when OpenSSL fails or
 * memory runs out (out is then undefined), else ECR_OK. */
ecr_result ecr_sha256(const void *data, size_t len, unsigned char out[32]);

/* HMAC-SHA256 of msg[0..msglen) under key[0..keylen) into out. Same
 * failures as ecr_sha256. */
ecr_result ecr_hmac_sha256(const void *key, size_t keylen, const void *msg, size_t msglen,
                           unsigned char out[32]);

#endif
