/* select.c: which loaded cases a run keeps (select.h). */
#include "select.h"

#include <fnmatch.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "casefile.h"
#include "ecr/util.h"
#include "golden.h"

unsigned ecrc_shard_of(const char *id, unsigned nshards)
{
    if (nshards <= 1)
        return 1;
    /* FNV-1a, 64 bits: small, well spread, and the same on every machine. */
    uint64_t h = 1469598103934665603ULL;
    for (const unsigned char *p = (const unsigned char *)id; *p; p++) {
        h ^= *p;
        h *= 1099511628211ULL;
    }
    return (unsigned)(h % nshards) + 1;
}

ecr_result ecrc_selection_load_rerun(ecrc_selection *sel, const char *path, const char **err)
{
    run_report *r = ecrc_report_read_json(path, err);
    if (!r)
        return ECR_EPARSE;
    sel->rerun_set = 1;
    char **v = realloc(sel->rerun, (sel->nrerun + r->ncases + 1) * sizeof *v);
    if (!v) {
        ecrc_report_free(r);
        return ECR_ENOMEM;
    }
    sel->rerun = v;
    ecr_result rc = ECR_OK;
    for (size_t i = 0; i < r->ncases && !rc; i++) {
        const case_report *c = &r->cases[i];
        if (!c->id || (c->status != ECRC_CASE_FAIL && c->status != ECRC_CASE_ERROR))
            continue;
        if (!(sel->rerun[sel->nrerun] = ecr_strdup(c->id)))
            rc = ECR_ENOMEM;
        else
            sel->nrerun++;
    }
    ecrc_report_free(r);
    return rc;
}

void ecrc_selection_free(ecrc_selection *sel)
{
    if (!sel)
        return;
    for (size_t i = 0; i < sel->nrerun; i++)
        free(sel->rerun[i]);
    free(sel->rerun);
    sel->rerun = NULL;
    sel->nrerun = 0;
}

/* The id an entry goes by: its case's, else its file's stem (an id must
 * equal the stem, lint says so). */
static void entry_id(const run_entry *e, char *out, size_t outsz)
{
    if (e->c) {
        ecr_copy_str(out, outsz, e->c->id);
        return;
    }
    const char *base = strrchr(e->path, '/');
    base = base ? base + 1 : e->path;
    size_t n = strlen(base);
    if (n > 5 && !strcmp(base + n - 5, ".json"))
        n -= 5;
    if (n >= outsz)
        n = outsz - 1; /* only compared: a cut stem matches no real id */
    memcpy(out, base, n);
    out[n] = '\0';
}

static int covers_match(const case_def *c, const ecrc_selection *sel)
{
    if (!sel->ncovers)
        return 1;
    for (size_t i = 0; i < sel->ncovers; i++)
        for (size_t k = 0; k < c->ncovers; k++)
            if (strpbrk(sel->covers[i], "*?[") ? fnmatch(sel->covers[i], c->covers[k], 0) == 0
                                               : strcmp(sel->covers[i], c->covers[k]) == 0)
                return 1;
    return 0;
}

/* Whether any of the case's goldens is at one of the levels asked (the
 * levels the console shows beside the case). */
static int level_match(const case_def *c, const ecrc_selection *sel)
{
    if (!sel->levels[0])
        return 1;
    for (size_t i = 0; i < c->nsteps; i++)
        if (c->steps[i].golden &&
            strchr(sel->levels, ecrc_golden_level_name(c->steps[i].golden->level)[0]))
            return 1;
    return 0;
}

static int keeps(const ecrc_selection *sel, const run_entry *e)
{
    char id[512];
    entry_id(e, id, sizeof id);
    if (sel->nshards > 1 && ecrc_shard_of(id, sel->nshards) != sel->shard)
        return 0;
    if (sel->rerun_set) {
        int found = 0;
        for (size_t i = 0; i < sel->nrerun && !found; i++)
            found = !strcmp(sel->rerun[i], id);
        if (!found)
            return 0;
    }
    if (!e->c)
        return 1;
    return covers_match(e->c, sel) && level_match(e->c, sel);
}

void ecrc_selection_apply(const ecrc_selection *sel, loaded_set *set)
{
    size_t kept = 0;
    for (size_t i = 0; i < set->n; i++) {
        if (keeps(sel, &set->entries[i])) {
            set->entries[kept] = set->entries[i];
            set->cases[kept] = set->cases[i];
            set->invalid[kept] = set->invalid[i];
            kept++;
            continue;
        }
        if (!set->cases[i])
            set->ninvalid--;
        ecrc_case_free(set->cases[i]);
        free(set->invalid[i]);
    }
    set->n = kept;
}
