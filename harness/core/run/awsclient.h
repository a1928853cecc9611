/* awsclient.h: an AWS JSON 1.1 client on libcurl, signing with sigv4.
 *
 * Sends `POST /` with `Content-Type: application/x-amz-json-1.1` and
 * `X-Amz-Target: AmazonEC2ContainerRegistry_V20150921.<Operation>`, signed
 * with SigV4 (service "ecr"). Keeps status, headers and body of every
 * exchange. One client holds one curl easy handle, so consecutive calls reuse
 * the connection; a client is not thread-safe (use one per worker thread).
 *
 * The program calls curl_global_init() once before creating any client and
 * curl_global_cleanup() after freeing the last one (harness/cli/main.c does;
 * the unit tests do it in their suite set-up): libcurl requires it to be done
 * while no other thread runs.
 */
#ifndef ECR_AWSCLIENT_H
#define ECR_AWSCLIENT_H

#include "ecrc.h"

#include <stddef.h>
#include "ecr/result.h"

#define AWS_DEFAULT_TIMEOUT_MS 30000L
#define AWS_DEFAULT_MAX_RESPONSE (8u * 1024u * 1024u)

/* Bytes kept of a response's error type, with the NUL. */
#define ECRC_ERROR_TYPE_MAX 256

typedef struct aws_header {
    char *name;
    char *value;
} aws_header;

/* The access key raw.auth "unknown-key" signs with: no target knows it. */
#define ECRC_UNKNOWN_ACCESS_KEY "AKIDUNKNOWNECRCONFORM0"

typedef struct aws_request {
    const char *operation; /* "BatchDeleteImage"; used for X-Amz-Target */
    const char *target;    /* NULL, or a literal X-Amz-Target overriding operation */
    const char *body;      /* NULL means "{}" */
    size_t body_len;
    ecrc_sign_mode auth;
    const aws_header *headers; /* extra/replacing headers, borrowed */
    size_t nheaders;
} aws_request;

typedef struct aws_response {
    long status;         /* HTTP status; 0 when no response arrived */
    aws_header *headers; /* owned; names as received */
    size_t nheaders;
    char *body; /* owned, NUL-terminated (may hold NULs before) */
    size_t body_len;
    /* Derived for error responses (status >= 300), Smithy awsJson1_1 rules:
     * X-Amzn-ErrorType header, else body "code", else body "__type";
     * sanitised (before the first ':', after the first '#'). "" when none.
     * The cap bounds peer data (real types are under 64 bytes): a longer
     * type leaves error_type "" and sets error_type_too_long, so that it is
     * reported as such (ecrc_aws_response_error_type), never cut. */
    char error_type[ECRC_ERROR_TYPE_MAX];
    int error_type_too_long;
    char *error_message; /* owned; body "message" or "Message"; NULL when absent */
    /* libcurl's message (at most CURL_ERROR_SIZE, which fits: see
     * awsclient.c) or one of ours when the call failed. */
    char transport_error[512];
    double elapsed_ms;
} aws_response;

/* Sends req and fills *resp (always initialised, free it with
 * ecrc_aws_response_free even on failure). Returns ECR_OK when any HTTP response
 * arrived (whatever its status), ECR_ECONNECT when the target could not be
 * reached, ECR_ETIMEOUT, ECR_ETOOBIG when the body exceeded max_response,
 * ECR_EHTTP for other transport failures (resp->transport_error says which). */
ecr_result ecrc_aws_client_call(aws_client *c, const aws_request *req, aws_response *resp);

/* How long c's requests take, request to last byte: a moving average over
 * the answered ones, in ms (0 before the first). Cannot fail. */
double ecrc_aws_client_rtt_ms(const aws_client *c);

/* Sends a plain unsigned HTTP request (the emulator control interface).
 * method "GET"/"POST"/"DELETE", path beginning with '/', body may be NULL.
 * Same results as ecrc_aws_client_call. */
ecr_result ecrc_aws_client_plain(aws_client *c, const char *method, const char *path,
                                 const char *body, aws_response *resp);

/* First header named name (case-insensitive) or NULL. Borrowed. */
const char *ecrc_aws_response_header(const aws_response *resp, const char *name);

/* Frees what resp owns; resp may be NULL. */
void ecrc_aws_response_free(aws_response *resp);

/* The error type of resp for messages and diffs: error_type, or
 * "(an error type longer than 255 bytes)" when it did not fit. Borrowed or
 * static; never NULL. */
const char *ecrc_aws_response_error_type(const aws_response *resp);

/* Smithy awsJson1_1 error type sanitising: copies into out (size outsz) the
 * part of raw before the first ':' and then after the first '#' (raw NULL
 * gives ""). Returns ECR_OK, ECR_ETOOBIG leaving out "" when that part does
 * not fit (never cut), or ECR_EINVAL when out is NULL or outsz 0. */
ecr_result ecrc_aws_sanitize_error_type(const char *raw, char *out, size_t outsz);

#endif
