/* ecr/base64.h: standard base64 (RFC 4648 section 4, with '=' padding), as
 * AWS JSON carries blobs (UploadLayerPart's layerPartBlob) and as ECR's
 * authorization token is made. Both directions go through OpenSSL's
 * EVP_EncodeBlock / EVP_DecodeBlock; this module only adds what those lack:
 * exact output lengths (EVP_DecodeBlock counts padding as zero bytes) and a
 * strict check of the input alphabet and padding.
 */
#ifndef ECR_BASE64_H
#define ECR_BASE64_H

#include <stddef.h>
#include "ecr/result.h"

/* Returns the base64 text of data[0..len) as a new NUL-terminated string
 * (the caller frees it), or NULL when memory runs out or len is too large
 * for OpenSSL (over INT_MAX / 4 * 3 bytes). len 0 gives "". */
char *ecr_base64_encode(const void *data, size_t len);

/* Decodes text[0..len) into a new buffer: *out (the caller frees it; one
 * spare NUL byte follows the data) and *outlen, the exact decoded length.
 * The text must be canonical padded base64: a length that is a multiple of
 * 4, only A-Z a-z 0-9 + /, at most two '=' and only at the end. No
 * whitespace. Returns ECR_EPARSE for anything else, ECR_ETOOBIG when len is
 * over INT_MAX, ECR_ENOMEM; *out is then NULL and *outlen 0. len 0 decodes
 * to an empty (allocated) buffer. */
ecr_result ecr_base64_decode(const char *text, size_t len, unsigned char **out, size_t *outlen);

#endif
