/* reproduce.c: a case's fixture for replaying its steps by hand (reproduce.h). */
#include "reproduce.h"

#include <ctype.h>
#include <json-c/json.h>
#include <openssl/rand.h>
#include <stdlib.h>
#include <string.h>

#include "awsclient.h"
#include "curlcmd.h"
#include "ecr/json.h"
#include "ecr/util.h"
#include "fixture.h"
#include "stepreq.h"
#include "vars.h"

struct ecrc_repro {
    const case_def *c;
    const target_info *t;
    const aws_credentials *creds;
    aws_transport tr; /* copied: its strings are borrowed from the caller */
    char run_id[16];
    aws_client *cl;
    vars *v;
    fixture fx;
    int vars_ready; /* 1 once the fixture's variables are set */
};

ecrc_repro *ecrc_repro_new(const case_def *c, const target_info *t, const aws_credentials *creds,
                           const aws_transport *tr, long timeout_ms, const char *run_id,
                           ecr_result *rc)
{
    *rc = ECR_OK;
    if (run_id) {
        size_t n = strlen(run_id);
        int ok = n == 8;
        for (size_t i = 0; ok && i < n; i++)
            ok = isxdigit((unsigned char)run_id[i]) && !isupper((unsigned char)run_id[i]);
        if (!ok) {
            *rc = ECR_EINVAL;
            return NULL;
        }
    }
    ecrc_repro *r = calloc(1, sizeof *r);
    if (!r) {
        *rc = ECR_ENOMEM;
        return NULL;
    }
    r->c = c;
    r->t = t;
    r->creds = creds;
    if (tr)
        r->tr = *tr;
    if (run_id) {
        ecr_copy_str(r->run_id, sizeof r->run_id, run_id);
    } else {
        /* As the runner names its runs: 8 hex digits nobody else uses. */
        unsigned char rnd[4] = {0};
        if (RAND_bytes(rnd, sizeof rnd) != 1) {
            free(r);
            *rc = ECR_EIO;
            return NULL;
        }
        snprintf(r->run_id, sizeof r->run_id, "%02x%02x%02x%02x", rnd[0], rnd[1], rnd[2], rnd[3]);
    }
    r->cl = ecrc_aws_client_new(t->endpoint, creds, timeout_ms, 0);
    r->v = ecrc_vars_new();
    if (!r->cl || !r->v) {
        ecrc_repro_free(r);
        *rc = ECR_ENOMEM;
        return NULL;
    }
    ecrc_aws_client_set_transport(r->cl, tr);
    ecrc_fixture_init(&r->fx, c, r->run_id, t);
    return r;
}

const char *ecrc_repro_run_id(const ecrc_repro *r)
{
    return r->run_id;
}

const char *ecrc_repro_case_id(const ecrc_repro *r)
{
    return r->c->id;
}

size_t ecrc_repro_nsteps(const ecrc_repro *r)
{
    return r->c->nsteps;
}

static ecr_result ready(ecrc_repro *r, char *err, size_t errsz)
{
    if (r->vars_ready)
        return ECR_OK;
    ecr_result rc = ecrc_fixture_vars(&r->fx, r->v, err, errsz);
    r->vars_ready = rc == ECR_OK;
    return rc;
}

ecr_result ecrc_repro_build(ecrc_repro *r, char *err, size_t errsz)
{
    ecr_result rc = ready(r, err, errsz);
    return rc ? rc : ecrc_fixture_build(&r->fx, r->cl, err, errsz);
}

/* The request as the runner sends it (stepreq.h). */
char *ecrc_repro_command(ecrc_repro *r, size_t i, const char **name, char *err, size_t errsz)
{
    const case_step *s = &r->c->steps[i];
    if (name)
        *name = s->name;
    ecr_result rc = ready(r, err, errsz);
    if (rc)
        return NULL;
    char bad[128] = "";
    char *out = NULL;
    step_request sq;
    if (ecrc_step_request_build(s, r->v, &sq, bad, sizeof bad) == ECR_OK) {
        out = ecrc_curl_command(r->t->endpoint, r->creds->region,
                                r->creds->session_token[0] != '\0', &r->tr, &sq.req);
        if (!out)
            snprintf(err, errsz, "step %s: out of memory", s->name);
    } else {
        snprintf(err, errsz, "step %s: cannot build the request (variable '%s')", s->name, bad);
    }
    ecrc_step_request_free(&sq);
    return out;
}

ecr_result ecrc_repro_teardown(ecrc_repro *r, char *err, size_t errsz)
{
    /* The names come from the variables: a teardown in another process
     * (--cleanup) computes them first. */
    ecr_result rc = ready(r, err, errsz);
    return rc ? rc : ecrc_fixture_teardown(&r->fx, r->cl, err, errsz);
}

void ecrc_repro_free(ecrc_repro *r)
{
    if (!r)
        return;
    ecrc_fixture_free(&r->fx);
    ecrc_vars_free(r->v);
    ecrc_aws_client_free(r->cl);
    free(r);
}
