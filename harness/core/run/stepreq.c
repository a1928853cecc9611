/* stepreq.c: a case step's request (stepreq.h). */
#include "stepreq.h"

#include <stdlib.h>
#include <string.h>

#include "ecr/json.h"
#include "ecr/util.h"

ecr_result ecrc_step_request_build(const case_step *s, vars *v, step_request *sq, char *bad,
                                   size_t badsz)
{
    memset(sq, 0, sizeof *sq);
    ecr_result rc = ECR_OK;
    if (badsz)
        bad[0] = '\0';
    if (s->raw_body) {
        sq->body = ecrc_vars_expand(v, s->raw_body, 0, &rc, bad, badsz);
    } else {
        sq->in = ecrc_vars_expand_json(v, s->input, &rc, bad, badsz);
        sq->body =
            sq->in ? ecr_strdup(json_object_to_json_string_ext(sq->in, ECR_JSON_COMPACT)) : NULL;
    }
    if (s->target)
        sq->target = ecrc_vars_expand(v, s->target, 0, &rc, bad, badsz);
    if (s->nheaders)
        sq->hdrs = calloc(s->nheaders, sizeof *sq->hdrs);
    if (sq->hdrs)
        sq->nhdrs = s->nheaders;
    int ok = sq->body && (!s->target || sq->target) && (!s->nheaders || sq->hdrs);
    for (size_t k = 0; ok && k < s->nheaders; k++) {
        sq->hdrs[k].name = s->header_names[k];
        sq->hdrs[k].value = ecrc_vars_expand(v, s->header_values[k], 0, &rc, bad, badsz);
        ok = sq->hdrs[k].value != NULL;
    }
    if (!ok)
        return ECR_EINVAL;
    sq->req = (aws_request){.operation = s->operation,
                            .target = sq->target,
                            .body = sq->body,
                            .body_len = strlen(sq->body),
                            .auth = s->auth,
                            .headers = sq->hdrs,
                            .nheaders = s->nheaders};
    return ECR_OK;
}

void ecrc_step_request_free(step_request *sq)
{
    if (!sq)
        return;
    /* hdrs was calloc'ed for every header: values not reached are NULL. */
    for (size_t k = 0; k < sq->nhdrs; k++)
        free(sq->hdrs[k].value);
    free(sq->hdrs);
    free(sq->target);
    free(sq->body);
    json_object_put(sq->in);
    memset(sq, 0, sizeof *sq);
}
