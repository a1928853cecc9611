/* ecr/http.h: one HTTP exchange handed from a server to a hook outside it.
 *
 * The emulator's server (libecremu) can let a hook answer a request before
 * it does (ecremu_config.intercept); `ecrconform replay` hooks the runner's
 * library (libecrc_core) in that way. The two libraries never include each
 * other, so the request and the reply they pass are defined here, once.
 */
#ifndef ECR_HTTP_H
#define ECR_HTTP_H

#include <stddef.h>

#include "ecr/result.h"

/* A request header as received (both borrowed). */
typedef struct ecr_http_header {
    const char *name;
    const char *value;
} ecr_http_header;

/* A request as the server received it. Every pointer is borrowed for the
 * duration of the hook's call. */
typedef struct ecr_http_request {
    const char *method;
    const char *url; /* the path, percent-decoded, without the query */
    const ecr_http_header *headers;
    size_t nheaders;
    const char *body; /* len bytes, NUL-terminated after them; never NULL */
    size_t len;
} ecr_http_request;

/* Most headers a hook's reply may add (the server adds Content-Type and
 * x-amzn-RequestId itself when the reply does not set them). */
#define ECR_HTTP_REPLY_HEADERS_MAX 8

/* A hook's reply. Zero it (or ecr_http_reply_init) before use; strings are
 * owned by the reply and freed by ecr_http_reply_free. */
typedef struct ecr_http_reply {
    int status;
    char *body; /* the JSON text sent as is; NULL: an empty body */
    char *header_names[ECR_HTTP_REPLY_HEADERS_MAX];
    char *header_values[ECR_HTTP_REPLY_HEADERS_MAX];
    size_t nheaders;
    char note[256]; /* a few words for the request log ("" for none) */
} ecr_http_reply;

/* Zeroes r. Cannot fail. */
void ecr_http_reply_init(ecr_http_reply *r);

/* Adds a header to r (both strings copied). ECR_ETOOBIG when r holds
 * ECR_HTTP_REPLY_HEADERS_MAX already, ECR_ENOMEM; r is unchanged then. */
ecr_result ecr_http_reply_header(ecr_http_reply *r, const char *name, const char *value);

/* The value of the reply header name (case-insensitive), or NULL. Borrowed. */
const char *ecr_http_reply_get(const ecr_http_reply *r, const char *name);

/* Frees what r owns and zeroes it; r may be NULL. */
void ecr_http_reply_free(ecr_http_reply *r);

/* The value of the first request header name (case-insensitive), or NULL.
 * Borrowed from rq. */
const char *ecr_http_request_header(const ecr_http_request *rq, const char *name);

#endif
