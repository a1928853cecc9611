/* report.c: the result model's helpers (names, summary, coverage, freeing)
 * and the two file-level entry points, report_write_all and
 * report_read_json. The JSON mapping itself lives in report_json.c. */
#include "report.h"

#include <errno.h>
#include <json-c/json.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "buf.h"
#include "report_json.h"

const char *const report_known_failure_codes[] = {
    "ImageNotFound",
    "ImageReferencedByManifestList",
    "InvalidImageDigest",
    "ImageTagDoesNotMatchDigest",
    "MissingDigestAndTag",
    "InvalidImageTag",
    "KmsError",
    "UpstreamAccessDenied",
    "UpstreamTooManyRequests",
    "UpstreamUnavailable",
    "ImageInaccessible",
    NULL,
};

static const char *const status_names[CASE_NSTATUS] = {"pass", "fail", "error", "skip"};

const char *case_status_name(case_status s)
{
    if ((unsigned)s >= CASE_NSTATUS)
        return "unknown";
    return status_names[s];
}

int case_status_parse(const char *name, case_status *out)
{
    if (!name)
        return -1;
    for (int i = 0; i < CASE_NSTATUS; i++) {
        if (strcmp(name, status_names[i]) == 0) {
            *out = (case_status)i;
            return 0;
        }
    }
    return -1;
}

double report_score(size_t passed, size_t ran)
{
    return ran ? (double)passed / (double)ran : 0.0;
}

static void count_level(report_summary *s, const char *level, int pass)
{
    const char *l = level ? level : "";
    if (strcmp(l, "C") == 0 || strcmp(l, "D") == 0) {
        s->cd_total++;
        s->cd_passed += (size_t)pass;
    } else if (strcmp(l, "I") == 0 || strcmp(l, "E") == 0) {
        s->ie_total++;
        s->ie_passed += (size_t)pass;
    }
}

void report_summarize(const run_report *r, report_summary *s)
{
    memset(s, 0, sizeof *s);
    for (size_t i = 0; i < r->ncases; i++) {
        const case_report *c = &r->cases[i];
        s->total++;
        switch (c->status) {
        case CASE_PASS:
            s->passed++;
            break;
        case CASE_FAIL:
            s->failed++;
            break;
        case CASE_ERROR:
            s->errored++;
            break;
        case CASE_SKIP:
            s->skipped++;
            break;
        }
        if (c->status == CASE_SKIP)
            continue; /* a skip says nothing about any level */
        if (report_case_expected_failure(c))
            s->expected++;
        /* Levels are counted per expectation (each step's golden), so a case
         * whose C assertion held but whose I state check failed shows up on
         * both sides. Reports read back without steps fall back to the case's
         * own (weakest) level. */
        if (c->nsteps) {
            for (size_t k = 0; k < c->nsteps; k++)
                count_level(s, c->steps[k].level, c->steps[k].passed != 0);
        } else {
            count_level(s, c->level, c->status == CASE_PASS);
        }
    }
    s->score = report_score(s->passed, s->total - s->skipped);
}

int report_case_expected_failure(const case_report *c)
{
    return c && c->baseline_expected && (c->status == CASE_FAIL || c->status == CASE_ERROR);
}

const char *report_case_headline(const case_report *c)
{
    for (size_t i = 0; i < c->nsteps; i++)
        if (c->steps[i].ndiff && c->steps[i].diff[0])
            return c->steps[i].diff[0];
    return c->reason ? c->reason : "";
}

/* ---- coverage ---------------------------------------------------------- */

static int cmp_label(const void *a, const void *b)
{
    const coverage_entry *x = a, *y = b;
    return strcmp(x->label, y->label);
}

static coverage_entry *find_entry(report_coverage *c, const char *label)
{
    for (size_t i = 0; i < c->n; i++)
        if (strcmp(c->entries[i].label, label) == 0)
            return &c->entries[i];
    return NULL;
}

ecr_result report_coverage_build(const run_report *r, report_coverage *out)
{
    out->entries = NULL;
    out->n = 0;
    size_t cap = 0;
    for (size_t i = 0; i < r->ncases; i++)
        cap += r->cases[i].ncovers;
    if (!cap)
        return ECR_OK;
    out->entries = calloc(cap, sizeof *out->entries);
    if (!out->entries)
        return ECR_ENOMEM;

    for (size_t i = 0; i < r->ncases; i++) {
        const case_report *c = &r->cases[i];
        for (size_t k = 0; k < c->ncovers; k++) {
            const char *label = c->covers[k];
            if (!label)
                continue;
            coverage_entry *e = find_entry(out, label);
            if (!e) {
                e = &out->entries[out->n++];
                e->label = label;
                /* At most one slot per case: a label is counted once per case. */
                e->cases = calloc(r->ncases, sizeof *e->cases);
                if (!e->cases) {
                    report_coverage_free(out);
                    return ECR_ENOMEM;
                }
            }
            if (e->ncases && e->cases[e->ncases - 1] == i)
                continue; /* listed twice in the same case */
            e->cases[e->ncases++] = i;
            e->total++;
            if ((unsigned)c->status < CASE_NSTATUS)
                e->count[c->status]++;
        }
    }
    qsort(out->entries, out->n, sizeof *out->entries, cmp_label);
    return ECR_OK;
}

void report_coverage_free(report_coverage *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n; i++)
        free(c->entries[i].cases);
    free(c->entries);
    c->entries = NULL;
    c->n = 0;
}

/* ---- files ------------------------------------------------------------- */

ecr_result report_make_dirs(const char *dir)
{
    char path[PATH_MAX];
    size_t len = strlen(dir);
    if (len == 0 || len >= sizeof path)
        return ECR_EIO;
    memcpy(path, dir, len + 1);
    for (size_t i = 1; i <= len; i++) {
        if (path[i] != '/' && path[i] != '\0')
            continue;
        char saved = path[i];
        path[i] = '\0';
        if (mkdir(path, 0777) != 0 && errno != EEXIST)
            return ECR_EIO;
        path[i] = saved;
    }
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return ECR_EIO;
    return ECR_OK;
}

ecr_result report_write_all(const run_report *r, const char *dir)
{
    static const struct {
        const char *name;
        ecr_result (*write)(const run_report *, const char *);
    } writers[] = {
        {"report.json", report_write_json},
        {"junit.xml", report_write_junit},
        {"report.html", report_write_html},
        {"summary.md", report_write_markdown},
    };
    ecr_result rc = report_make_dirs(dir);
    if (rc)
        return rc;
    ecr_result first = ECR_OK;
    for (size_t i = 0; i < sizeof writers / sizeof writers[0]; i++) {
        char path[PATH_MAX];
        int n = snprintf(path, sizeof path, "%s/%s", dir, writers[i].name);
        rc = (n < 0 || (size_t)n >= sizeof path) ? ECR_EIO : writers[i].write(r, path);
        if (rc && !first)
            first = rc;
    }
    return first;
}

/* Reads the whole file into b (bounded by REPORT_READ_MAX). */
static ecr_result slurp(const char *path, buf *b)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return ECR_EIO;
    char chunk[65536];
    ecr_result rc = ECR_OK;
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        rc = buf_append(b, chunk, n);
        if (rc)
            break;
    }
    if (!rc && ferror(f))
        rc = ECR_EIO;
    fclose(f);
    return rc;
}

run_report *report_read_json(const char *path, const char **err)
{
    const char *dummy;
    if (!err)
        err = &dummy;
    *err = NULL;
    if (!path) {
        *err = "no path given";
        return NULL;
    }

    buf b;
    buf_init(&b, REPORT_READ_MAX);
    ecr_result rc = slurp(path, &b);
    if (rc) {
        buf_free(&b);
        *err = rc == ECR_ETOOBIG  ? "file is larger than the report size limit"
               : rc == ECR_ENOMEM ? "out of memory"
                                  : "cannot read the file";
        return NULL;
    }
    if (!b.data || strlen(b.data) != b.len) {
        buf_free(&b);
        *err = b.len ? "not a JSON text (contains NUL bytes)" : "empty file";
        return NULL;
    }

    json_tokener *tok = json_tokener_new();
    if (!tok) {
        buf_free(&b);
        *err = "out of memory";
        return NULL;
    }
    json_object *root = json_tokener_parse_ex(tok, b.data, (int)b.len);
    enum json_tokener_error jerr = json_tokener_get_error(tok);
    size_t end = json_tokener_get_parse_end(tok);
    json_tokener_free(tok);
    int trailing = 0;
    for (size_t i = end; root && i < b.len; i++)
        if (!strchr(" \t\r\n", b.data[i]))
            trailing = 1;
    buf_free(&b);
    if (!root || jerr != json_tokener_success || trailing) {
        json_object_put(root);
        *err = "not valid JSON";
        return NULL;
    }
    run_report *r = report_json_parse(root, err);
    json_object_put(root);
    return r;
}

/* ---- freeing ----------------------------------------------------------- */

static void free_strv(char **v, size_t n)
{
    if (!v)
        return;
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

static void free_case(case_report *c)
{
    free(c->id);
    free(c->file);
    free(c->summary);
    free(c->reason);
    free_strv(c->covers, c->ncovers);
    free(c->level);
    for (size_t i = 0; c->steps && i < c->nsteps; i++) {
        step_report *s = &c->steps[i];
        free(s->name);
        free(s->operation);
        free(s->level);
        free(s->request);
        free(s->response);
        free(s->golden);
        free(s->actual);
        free_strv(s->diff, s->ndiff);
    }
    free(c->steps);
    free(c->baseline_reason);
}

void report_free(run_report *r)
{
    if (!r)
        return;
    free(r->target);
    free(r->endpoint);
    free(r->harness_version);
    free(r->started_at);
    for (size_t i = 0; r->cases && i < r->ncases; i++)
        free_case(&r->cases[i]);
    free(r->cases);
    free(r->baseline_file);
    free_strv(r->fixed, r->nfixed);
    free_strv(r->regressions, r->nregressions);
    free(r);
}
