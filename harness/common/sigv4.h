/* sigv4.h: AWS Signature Version 4, the one implementation shared by the
 * runner's client (signing) and the emulator (verifying).
 *
 * Only what ECR's JSON protocol needs: header-based signing (no presigned
 * query strings, no chunked payloads). Hashing and HMAC go through OpenSSL's
 * EVP/HMAC API; nothing here hand-rolls cryptography.
 *
 * The canonical form follows the AWS SigV4 specification: method, URI path
 * (each segment URI-encoded once for non-S3 services), canonical query string
 * (sorted by name then value), canonical headers (lower-cased names, trimmed
 * values with inner runs of spaces collapsed, sorted by name, duplicate names
 * joined by ','), the signed header list, and the hex SHA-256 of the payload.
 */
#ifndef ECR_SIGV4_H
#define ECR_SIGV4_H

#include <stddef.h>
#include "buf.h"
#include "result.h"

typedef struct sigv4_header {
    const char *name;  /* any case; compared case-insensitively */
    const char *value; /* as sent; canonicalisation trims it */
} sigv4_header;

/* A request to sign or verify. All pointers are borrowed. */
typedef struct sigv4_request {
    const char *method;          /* "POST" */
    const char *path;            /* "/" ; raw path as on the request line, without query */
    const char *query;           /* raw query string without '?', or NULL */
    const sigv4_header *headers; /* every header that is (or will be) signed */
    size_t nheaders;
    const void *payload; /* body bytes; may be NULL when payload_len is 0 */
    size_t payload_len;
} sigv4_request;

typedef struct sigv4_credentials {
    const char *access_key;
    const char *secret_key;
    const char *session_token; /* NULL or "" when absent */
} sigv4_credentials;

typedef struct sigv4_scope {
    const char *amz_date; /* "20150830T123600Z" (X-Amz-Date) */
    const char *region;   /* "us-east-1" */
    const char *service;  /* "ecr" */
} sigv4_scope;

/* Appends the canonical request to out. The signed headers are all headers
 * of req (callers pass exactly the headers they sign). Returns ECR_EINVAL for
 * a NULL method/path, ECR_ETOOBIG/ECR_ENOMEM from the buffer, else ECR_OK. */
ecr_result sigv4_canonical_request(const sigv4_request *req, buf *out);

/* Appends the string to sign ("AWS4-HMAC-SHA256\n<date>\n<scope>\n<hash>")
 * for an already built canonical request. Fails like sigv4_canonical_request,
 * or ECR_ECRYPTO. */
ecr_result sigv4_string_to_sign(const char *canonical_request, const sigv4_scope *scope,
                                buf *out);

/* Computes the lowercase hex signature (65 bytes incl. NUL) of req. Fails like
 * the functions above. */
ecr_result sigv4_signature(const sigv4_request *req, const sigv4_credentials *creds,
                           const sigv4_scope *scope, char sig_hex[65]);

/* Appends the full Authorization header value
 * "AWS4-HMAC-SHA256 Credential=<ak>/<date>/<region>/<service>/aws4_request,
 *  SignedHeaders=<h1;h2>, Signature=<hex>" to out. The caller must already
 * have put X-Amz-Date (and X-Amz-Security-Token when a session token is used)
 * into req->headers. Fails like sigv4_signature. */
ecr_result sigv4_authorization(const sigv4_request *req, const sigv4_credentials *creds,
                               const sigv4_scope *scope, buf *out);

/* The parts of an Authorization header, parsed. Fields point into `storage`,
 * which the struct owns (fixed size: peer data is bounded). */
typedef struct sigv4_auth {
    char storage[2048];
    const char *access_key;
    const char *date;    /* yyyymmdd from the credential scope */
    const char *region;
    const char *service;
    const char *signed_headers; /* "content-type;host;x-amz-date" */
    const char *signature;      /* 64 lowercase hex */
} sigv4_auth;

/* Parses an Authorization header value. Returns ECR_EPARSE when it is not a
 * well-formed AWS4-HMAC-SHA256 header (wrong algorithm, missing Credential /
 * SignedHeaders / Signature, a scope without 5 parts or not ending in
 * aws4_request, a signature that is not 64 hex digits), ECR_ETOOBIG when it is
 * longer than the storage, else ECR_OK. */
ecr_result sigv4_parse_authorization(const char *value, sigv4_auth *out);

/* Verifies a received request: rebuilds the signature over the headers named
 * in auth->signed_headers (looked up in req->headers, case-insensitively) with
 * `secret_key` and the scope taken from `auth` and `amz_date`, and compares it
 * with auth->signature in constant time. Returns ECR_OK when it matches,
 * ECR_EINVAL when it does not or when a signed header is missing, other codes
 * as the functions above. */
ecr_result sigv4_verify(const sigv4_request *req, const sigv4_auth *auth, const char *amz_date,
                        const char *secret_key);

#endif
