/* http.c: the exchange a server hands to a hook (ecr/http.h). */
#include "ecr/http.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ecr/util.h"

void ecr_http_reply_init(ecr_http_reply *r)
{
    memset(r, 0, sizeof *r);
}

ecr_result ecr_http_reply_header(ecr_http_reply *r, const char *name, const char *value)
{
    if (r->nheaders >= ECR_HTTP_REPLY_HEADERS_MAX)
        return ECR_ETOOBIG;
    char *n = ecr_strdup(name), *v = ecr_strdup(value);
    if (!n || !v) {
        free(n);
        free(v);
        return ECR_ENOMEM;
    }
    r->header_names[r->nheaders] = n;
    r->header_values[r->nheaders] = v;
    r->nheaders++;
    return ECR_OK;
}

const char *ecr_http_reply_get(const ecr_http_reply *r, const char *name)
{
    for (size_t i = 0; i < r->nheaders; i++)
        if (strcasecmp(r->header_names[i], name) == 0)
            return r->header_values[i];
    return NULL;
}

void ecr_http_reply_free(ecr_http_reply *r)
{
    if (!r)
        return;
    free(r->body);
    for (size_t i = 0; i < r->nheaders; i++) {
        free(r->header_names[i]);
        free(r->header_values[i]);
    }
    memset(r, 0, sizeof *r);
}

const char *ecr_http_request_header(const ecr_http_request *rq, const char *name)
{
    for (size_t i = 0; i < rq->nheaders; i++)
        if (rq->headers[i].name && strcasecmp(rq->headers[i].name, name) == 0)
            return rq->headers[i].value ? rq->headers[i].value : "";
    return NULL;
}
