/* merge.c: one report from several shards (merge.h). */
#include "merge.h"

#include <stdlib.h>
#include <string.h>

#include "ecr/diag.h"
#include "ecr/util.h"

static int cmp_case(const void *a, const void *b)
{
    const case_report *x = a, *y = b;
    int d = strcmp(x->file ? x->file : "", y->file ? y->file : "");
    return d ? d : strcmp(x->id ? x->id : "", y->id ? y->id : "");
}

static int same(const char *a, const char *b)
{
    return !strcmp(a ? a : "", b ? b : "");
}

/* Appends a copy of each of v[0..n) not yet in *out. */
static ecr_result union_into(char ***out, size_t *nout, char *const *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int seen = 0;
        for (size_t k = 0; k < *nout && !seen; k++)
            seen = !strcmp((*out)[k], v[i]);
        if (seen)
            continue;
        char **grown = realloc(*out, (*nout + 1) * sizeof *grown);
        if (!grown)
            return ECR_ENOMEM;
        *out = grown;
        if (!(grown[*nout] = ecr_strdup(v[i])))
            return ECR_ENOMEM;
        (*nout)++;
    }
    return ECR_OK;
}

/* Whether the inputs belong together; every problem goes to diags. */
static int check(run_report *const *in, const char *const *names, size_t n, diag_list *diags)
{
    int ok = 1;
    for (size_t i = 1; i < n; i++) {
        if (!same(in[i]->target, in[0]->target)) {
            ecr_diag_add(diags, names[i], "target.name",
                         "target '%s', but %s is for target '%s': shards of one run only",
                         in[i]->target ? in[i]->target : "", names[0],
                         in[0]->target ? in[0]->target : "");
            ok = 0;
        }
        if (!in[i]->baseline_file != !in[0]->baseline_file ||
            !same(in[i]->baseline_file, in[0]->baseline_file)) {
            ecr_diag_add(diags, names[i], "baseline.file",
                         "baseline '%s', but %s has '%s': one baseline for every shard",
                         in[i]->baseline_file ? in[i]->baseline_file : "(none)", names[0],
                         in[0]->baseline_file ? in[0]->baseline_file : "(none)");
            ok = 0;
        }
    }
    /* A case in two inputs: overlapping shards, or the same report twice. */
    for (size_t i = 0; i < n; i++)
        for (size_t c = 0; c < in[i]->ncases; c++)
            for (size_t j = 0; j <= i; j++)
                for (size_t d = 0; d < (j == i ? c : in[j]->ncases); d++)
                    if (same(in[i]->cases[c].id, in[j]->cases[d].id)) {
                        ecr_diag_add(diags, names[i], "cases",
                                     "case '%s' is also in %s: shards must not overlap",
                                     in[i]->cases[c].id ? in[i]->cases[c].id : "", names[j]);
                        ok = 0;
                    }
    return ok;
}

run_report *ecrc_report_merge(run_report *const *in, const char *const *names, size_t n,
                              diag_list *diags)
{
    if (!n || !check(in, names, n, diags))
        return NULL;
    run_report *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    size_t total = 0;
    for (size_t i = 0; i < n; i++)
        total += in[i]->ncases;
    const run_report *first = in[0];
    r->target = ecr_strdup(first->target ? first->target : "unnamed");
    r->endpoint = ecr_strdup(first->endpoint ? first->endpoint : "");
    r->harness_version = ecr_strdup(first->harness_version ? first->harness_version : "");
    const char *started = first->started_at;
    for (size_t i = 1; i < n; i++) {
        if (in[i]->started_at && (!started || strcmp(in[i]->started_at, started) < 0))
            started = in[i]->started_at;
        if (in[i]->duration_ms > r->duration_ms)
            r->duration_ms = in[i]->duration_ms;
    }
    if (first->duration_ms > r->duration_ms)
        r->duration_ms = first->duration_ms;
    r->started_at = ecr_strdup(started ? started : "");
    r->cases = calloc(total ? total : 1, sizeof *r->cases);
    ecr_result rc =
        (!r->target || !r->endpoint || !r->harness_version || !r->started_at || !r->cases)
            ? ECR_ENOMEM
            : ECR_OK;
    if (!rc && first->baseline_file && !(r->baseline_file = ecr_strdup(first->baseline_file)))
        rc = ECR_ENOMEM;
    /* Allowed in the merge only when every shard allowed it: one shard's
     * --allow-flaky must not pass another's flaky cases. */
    r->allow_flaky = 1;
    for (size_t i = 0; i < n && !rc; i++) {
        r->insecure |= in[i]->insecure;
        r->allow_flaky &= in[i]->allow_flaky;
        rc = union_into(&r->regressions, &r->nregressions, in[i]->regressions, in[i]->nregressions);
        if (!rc)
            rc = union_into(&r->fixed, &r->nfixed, in[i]->fixed, in[i]->nfixed);
    }
    if (rc) {
        ecrc_report_free(r);
        return NULL;
    }
    /* The cases move: each input keeps an empty list. */
    for (size_t i = 0; i < n; i++) {
        if (in[i]->ncases)
            memcpy(r->cases + r->ncases, in[i]->cases, in[i]->ncases * sizeof *r->cases);
        r->ncases += in[i]->ncases;
        free(in[i]->cases);
        in[i]->cases = NULL;
        in[i]->ncases = 0;
    }
    qsort(r->cases, r->ncases, sizeof *r->cases, cmp_case);
    /* Regressions in report order, as a run lists them. */
    size_t k = 0;
    for (size_t c = 0; c < r->ncases; c++)
        for (size_t g = k; g < r->nregressions; g++)
            if (same(r->regressions[g], r->cases[c].id)) {
                char *t = r->regressions[k];
                r->regressions[k++] = r->regressions[g];
                r->regressions[g] = t;
                break;
            }
    return r;
}
