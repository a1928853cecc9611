/* stepreq.h: a case step's request, built from the step and the case's
 * variables, exactly as the runner sends it: the body (the raw body, or the
 * expanded input as compact JSON), X-Amz-Target (the step's own, expanded),
 * the extra headers (expanded), the sign mode. The runner sends it;
 * `reproduce` prints it as a curl command. One function, so the two can never
 * disagree about what a step sends.
 */
#ifndef ECR_STEPREQ_H
#define ECR_STEPREQ_H

#include <json-c/json.h>
#include <stddef.h>

#include "awsclient.h"
#include "casefile.h"
#include "vars.h"

typedef struct step_request {
    aws_request req; /* points into the members below */
    char *body;
    char *target;     /* NULL: the operation's default X-Amz-Target */
    aws_header *hdrs; /* names borrowed from the step, values owned */
    size_t nhdrs;
    json_object *in; /* the expanded input (NULL for a raw body), for further pages */
} step_request;

/* Builds s's request into sq with the variables v. Returns ECR_OK; ECR_EINVAL
 * when a variable is unknown (its name in bad, badsz bytes) or memory ran out
 * (bad then empty). sq is always safe to pass to ecrc_step_request_free. */
ecr_result ecrc_step_request_build(const case_step *s, vars *v, step_request *sq, char *bad,
                                   size_t badsz);

/* Frees what sq owns; sq may be NULL. */
void ecrc_step_request_free(step_request *sq);

#endif
