/* causes.c: failures grouped by cause (causes.h). */
#include "causes.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "ecr/buf.h"
#include "ecr/util.h"

/* Long enough that no error type, field name or word is taken for a token. */
#define TOKEN_MIN 20

char *ecrc_causes_normalise(const char *line)
{
    size_t n = strlen(line);
    /* The output is never longer than the input plus a few bytes per token:
     * "<NNNNN-char token>" (at most 22 bytes) stands for at least 20. */
    size_t cap = n + n / TOKEN_MIN * 4 + 16;
    char *out = malloc(cap);
    if (!out)
        return NULL;
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        if (!strncmp(line + i, "ecrc-", 5)) {
            size_t h = 0;
            while (h < 8 && isxdigit((unsigned char)line[i + 5 + h]))
                h++;
            if (h == 8 && line[i + 13] == '/') {
                /* ecrc-<run>/<case>/<name>: the case part differs from case
                 * to case, the name is what the case file calls it. */
                size_t j = i + 14;
                while (line[j] && line[j] != '/' && !isspace((unsigned char)line[j]) &&
                       line[j] != '\'' && line[j] != '"')
                    j++;
                if (line[j] == '/') {
                    memcpy(out + o, "ecrc-RUN/CASE/", 14);
                    o += 14;
                    i = j + 1;
                } else {
                    memcpy(out + o, "ecrc-RUN/", 9);
                    o += 9;
                    i += 14;
                }
                continue;
            }
        }
        if (isalnum((unsigned char)line[i]) && (i == 0 || !isalnum((unsigned char)line[i - 1]))) {
            size_t j = i, digits = 0, letters = 0;
            while (j < n && isalnum((unsigned char)line[j])) {
                digits += isdigit((unsigned char)line[j]) != 0;
                letters += isalpha((unsigned char)line[j]) != 0;
                j++;
            }
            if (j - i >= TOKEN_MIN && digits && letters && j - i < 100000) {
                int w = snprintf(out + o, cap - o, "<%zu-char token>", j - i);
                if (w > 0 && (size_t)w < cap - o) {
                    o += (size_t)w;
                    i = j;
                    continue;
                }
            }
            memcpy(out + o, line + i, j - i);
            o += j - i;
            i = j;
            continue;
        }
        out[o++] = line[i++];
    }
    out[o] = '\0';
    return out;
}

/* An error's cause: its first clause (what stopped the case; a teardown
 * failing after it is a consequence), normalised, with the names the case
 * file gives ('app', 'v1') set aside: one wrong key makes every case's
 * CreateRepository fail the same way, whatever the repository is called. */
static char *error_key(const char *reason)
{
    char *first = ecr_strdup(reason);
    if (!first)
        return NULL;
    char *cut = strstr(first, "; ");
    if (cut)
        *cut = '\0';
    char *n = ecrc_causes_normalise(first);
    free(first);
    if (!n)
        return NULL;
    /* 'name' -> '*' in place: never longer. */
    size_t o = 0;
    for (size_t i = 0; n[i];) {
        char *close = n[i] == '\'' ? strchr(n + i + 1, '\'') : NULL;
        if (close && close - (n + i) - 1 >= 1 &&
            !memchr(n + i + 1, ' ', (size_t)(close - (n + i) - 1))) {
            memcpy(n + o, "'*'", 3);
            o += 3;
            i = (size_t)(close - n) + 1;
            continue;
        }
        n[o++] = n[i++];
    }
    n[o] = '\0';
    return n;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The distinct normalised diff lines of c, sorted, in *lines (owned). */
static ecr_result case_lines(const case_report *c, char ***lines, size_t *n)
{
    size_t total = 0;
    *lines = NULL;
    *n = 0;
    for (size_t i = 0; i < c->nsteps; i++)
        total += c->steps[i].ndiff;
    if (!total)
        return ECR_OK;
    char **v = calloc(total, sizeof *v);
    if (!v)
        return ECR_ENOMEM;
    size_t k = 0;
    for (size_t i = 0; i < c->nsteps; i++)
        for (size_t d = 0; d < c->steps[i].ndiff; d++) {
            if (!(v[k] = ecrc_causes_normalise(c->steps[i].diff[d] ? c->steps[i].diff[d] : ""))) {
                for (size_t x = 0; x < k; x++)
                    free(v[x]);
                free(v);
                return ECR_ENOMEM;
            }
            k++;
        }
    qsort(v, k, sizeof *v, cmp_str);
    size_t u = 0;
    for (size_t i = 0; i < k; i++) {
        if (u && !strcmp(v[u - 1], v[i])) {
            free(v[i]);
            continue;
        }
        v[u++] = v[i];
    }
    *lines = v;
    *n = u;
    return ECR_OK;
}

/* Adds case i to the group keyed key in *gs (creating it); key is taken
 * over (freed when a group has it already). */
static ecr_result add_to(cause_group **gs, size_t *ng, size_t cap, char *key, case_status st,
                         size_t i, int expected)
{
    cause_group *g = NULL;
    for (size_t k = 0; k < *ng; k++)
        if ((*gs)[k].status == st && !strcmp((*gs)[k].key, key)) {
            g = &(*gs)[k];
            break;
        }
    if (g) {
        free(key);
    } else {
        g = &(*gs)[(*ng)++];
        memset(g, 0, sizeof *g);
        g->key = key;
        g->status = st;
        if (!(g->cases = calloc(cap, sizeof *g->cases)))
            return ECR_ENOMEM;
    }
    g->cases[g->n++] = i;
    g->nexpected += expected != 0;
    return ECR_OK;
}

static int cmp_group(const void *a, const void *b)
{
    const cause_group *x = a, *y = b;
    if (x->n != y->n)
        return x->n > y->n ? -1 : 1;
    return x->cases[0] < y->cases[0] ? -1 : x->cases[0] > y->cases[0];
}

ecr_result ecrc_causes_build(const run_report *r, cause_list *out)
{
    memset(out, 0, sizeof *out);
    size_t cap = 0, ndiffs = 0;
    for (size_t i = 0; i < r->ncases; i++) {
        const case_report *c = &r->cases[i];
        if (c->status != ECRC_CASE_FAIL && c->status != ECRC_CASE_ERROR)
            continue;
        cap++;
        for (size_t s = 0; s < c->nsteps; s++)
            ndiffs += c->steps[s].ndiff;
    }
    out->nfailing = cap;
    if (!cap)
        return ECR_OK;
    out->groups = calloc(cap, sizeof *out->groups);
    out->lines = ndiffs ? calloc(ndiffs, sizeof *out->lines) : NULL;
    if (!out->groups || (ndiffs && !out->lines)) {
        ecrc_causes_free(out);
        return ECR_ENOMEM;
    }
    for (size_t i = 0; i < r->ncases; i++) {
        const case_report *c = &r->cases[i];
        if (c->status != ECRC_CASE_FAIL && c->status != ECRC_CASE_ERROR)
            continue;
        int expected = ecrc_report_case_expected_failure(c);
        char **lines = NULL;
        size_t n = 0;
        ecr_result rc = c->status == ECRC_CASE_FAIL ? case_lines(c, &lines, &n) : ECR_OK;
        char *key = NULL;
        if (!rc && n) {
            buf b;
            ecr_buf_init(&b, ECRC_REPORT_READ_MAX); /* the lines are in memory already */
            for (size_t k = 0; k < n && !rc; k++)
                rc = ecr_buf_printf(&b, "%s%s", k ? "\n" : "", lines[k]);
            key = rc ? NULL : ecr_buf_steal(&b);
            ecr_buf_free(&b);
            if (!rc && !key)
                rc = ECR_ENOMEM;
        } else if (!rc) {
            key = error_key(c->reason ? c->reason : "(no reason given)");
            if (!key)
                rc = ECR_ENOMEM;
        }
        if (!rc)
            rc = add_to(&out->groups, &out->n, cap, key, c->status, i, expected);
        for (size_t k = 0; k < n; k++) {
            if (!rc && n > 1) { /* a case's only line is its whole cause: no line group */
                char *l = ecr_strdup(lines[k]);
                rc = l ? add_to(&out->lines, &out->nlines, cap, l, ECRC_CASE_FAIL, i, expected)
                       : ECR_ENOMEM;
            }
            free(lines[k]);
        }
        free(lines);
        if (rc) {
            ecrc_causes_free(out);
            return rc;
        }
    }
    /* Only lines that tie several cases together say something new. */
    size_t keep = 0;
    for (size_t k = 0; k < out->nlines; k++) {
        if (out->lines[k].n >= 2) {
            out->lines[keep++] = out->lines[k];
        } else {
            free(out->lines[k].key);
            free(out->lines[k].cases);
        }
    }
    out->nlines = keep;
    qsort(out->groups, out->n, sizeof *out->groups, cmp_group);
    if (out->nlines)
        qsort(out->lines, out->nlines, sizeof *out->lines, cmp_group);
    return ECR_OK;
}

void ecrc_causes_free(cause_list *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->n; i++) {
        free(l->groups[i].key);
        free(l->groups[i].cases);
    }
    for (size_t i = 0; i < l->nlines; i++) {
        free(l->lines[i].key);
        free(l->lines[i].cases);
    }
    free(l->groups);
    free(l->lines);
    memset(l, 0, sizeof *l);
}
