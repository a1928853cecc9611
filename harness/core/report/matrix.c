#include "matrix.h"
#include "ecr/util.h"
#include "report_files.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_text.h"

/* One column: a report, its label and its cases sorted by id. */
typedef struct column {
    const run_report *r;
    char *label; /* owned */
    const case_report **sorted;
    report_summary sum;
} column;

typedef struct matrix {
    column *cols;
    size_t ncols;
    const char **ids; /* borrowed from the reports; sorted, unique */
    size_t nids;
} matrix;

static int cmp_case(const void *a, const void *b)
{
    const case_report *x = *(const case_report *const *)a, *y = *(const case_report *const *)b;
    return strcmp(x->id, y->id);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static const case_report *lookup(const column *c, const char *id)
{
    size_t lo = 0, hi = c->r->ncases;
    /* Only cases with an id are in sorted[]; see build(). */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const case_report *k = c->sorted[mid];
        if (!k)
            break;
        int d = strcmp(id, k->id);
        if (d == 0) {
            /* The first of equal ids wins, as it did in the run. */
            while (mid > 0 && c->sorted[mid - 1] && strcmp(id, c->sorted[mid - 1]->id) == 0)
                mid--;
            return c->sorted[mid];
        }
        if (d < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

static int label_taken(const matrix *m, size_t upto, const char *label)
{
    for (size_t i = 0; i < upto; i++)
        if (strcmp(m->cols[i].label, label) == 0)
            return 1;
    return 0;
}

static void matrix_free(matrix *m)
{
    for (size_t i = 0; m->cols && i < m->ncols; i++) {
        free(m->cols[i].label);
        free(m->cols[i].sorted);
    }
    free(m->cols);
    free(m->ids);
}

static ecr_result build(matrix *m, const run_report *const *reports, size_t n)
{
    memset(m, 0, sizeof *m);
    m->cols = calloc(n, sizeof *m->cols);
    if (!m->cols)
        return ECR_ENOMEM;
    m->ncols = n;
    size_t total = 0;
    for (size_t i = 0; i < n; i++) {
        column *c = &m->cols[i];
        c->r = reports[i];
        ecrc_report_summarize(c->r, &c->sum);
        const char *name = c->r->target && c->r->target[0] ? c->r->target : "unnamed";
        /* The name comes from a report file: any length, so allocated (a cut
         * label could make two targets look like one). */
        char *label = ecr_strdup(name);
        for (unsigned k = 2; label && label_taken(m, i, label) && k < UINT_MAX; k++) {
            free(label);
            label = ecr_asprintf("%s (%u)", name, k);
        }
        if (!(c->label = label))
            return ECR_ENOMEM;
        /* Padded with NULLs at the end for cases without an id. */
        c->sorted = calloc(c->r->ncases + 1, sizeof *c->sorted);
        if (!c->sorted)
            return ECR_ENOMEM;
        size_t k = 0;
        for (size_t j = 0; j < c->r->ncases; j++)
            if (c->r->cases[j].id)
                c->sorted[k++] = &c->r->cases[j];
        qsort(c->sorted, k, sizeof *c->sorted, cmp_case);
        total += k;
    }
    m->ids = calloc(total + 1, sizeof *m->ids);
    if (!m->ids)
        return ECR_ENOMEM;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < reports[i]->ncases; j++)
            if (reports[i]->cases[j].id)
                m->ids[m->nids++] = reports[i]->cases[j].id;
    qsort(m->ids, m->nids, sizeof *m->ids, cmp_str);
    size_t u = 0;
    for (size_t i = 0; i < m->nids; i++)
        if (u == 0 || strcmp(m->ids[u - 1], m->ids[i]) != 0)
            m->ids[u++] = m->ids[i];
    m->nids = u;
    return ECR_OK;
}

/* 1 when the targets that ran case id disagree on it. Absent and skipped
 * cells say nothing about the behaviour, so they never make a row differ. */
static int diverges(const matrix *m, const char *id)
{
    int seen = 0;
    case_status first = ECRC_CASE_PASS;
    for (size_t i = 0; i < m->ncols; i++) {
        const case_report *c = lookup(&m->cols[i], id);
        if (!c || c->status == ECRC_CASE_SKIP)
            continue;
        if (seen && c->status != first)
            return 1;
        first = c->status;
        seen = 1;
    }
    return 0;
}

static void pct(FILE *f, size_t passed, size_t ran)
{
    ecrc_report_text_percent(f, passed, ran);
    fprintf(f, " (%zu/%zu)", passed, ran);
}

/* The strings around a score row's title and cells, per output format. */
typedef struct row_markup {
    const char *row_open, *title_close, *cell_open, *cell_close, *row_close;
} row_markup;

static const row_markup HTML_ROW = {"<tr class=\"score\"><td>", "</td>", "<td>", "</td>",
                                    "</tr>\n"};
static const row_markup MD_ROW = {"| **", "** |", " ", " |", "\n"};

/* The score rows (overall, C/D, I/E, open), one cell per column. */
static void score_rows(FILE *f, const matrix *m, const row_markup *mk)
{
    static const char *const titles[] = {"score", "C/D score", "I/E score", "open (any answer)"};
    for (int which = 0; which < 4; which++) {
        fputs(mk->row_open, f);
        fputs(titles[which], f);
        fputs(mk->title_close, f);
        for (size_t i = 0; i < m->ncols; i++) {
            const report_summary *s = &m->cols[i].sum;
            fputs(mk->cell_open, f);
            if (which == 0)
                pct(f, s->passed, s->total - s->skipped);
            else if (which == 1)
                pct(f, s->cd_passed, s->cd_total);
            else if (which == 2)
                pct(f, s->ie_passed, s->ie_total);
            else
                pct(f, s->open_passed, s->open_total);
            fputs(mk->cell_close, f);
        }
        fputs(mk->row_close, f);
    }
}

/* ---- HTML -------------------------------------------------------------- */

static const char css[] =
    "body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;color:#1f2328;"
    "margin:0 auto;padding:1em 2em}\n"
    "table{border-collapse:collapse}\n"
    "th,td{border:1px solid #d0d7de;padding:.25em .6em;text-align:left;vertical-align:top}\n"
    "th{background:#f6f8fa}th small{font-weight:normal;color:#57606a}\n"
    "tr.diverge td.id{font-weight:700}tr.diverge td.id::after{content:' \\2260';color:#a40e26}\n"
    "tr.score td{font-weight:600;background:#f6f8fa}\n"
    ".pass{background:#dafbe1;color:#116329}\n"
    ".fail{background:#ffebe9;color:#a40e26}\n"
    ".error{background:#fff1e5;color:#953800}\n"
    ".skip{background:#eaeef2;color:#57606a}\n"
    ".absent{color:#8c959f;font-style:italic}\n"
    ".note{color:#57606a}\n";

static ecr_result write_html(const matrix *m, const char *path)
{
    ecr_atomic_file af;
    if (ecr_atomic_open(&af, path) != ECR_OK)
        return ECR_EIO;
    FILE *f = af.f;
    size_t ndiv = 0;
    for (size_t i = 0; i < m->nids; i++)
        ndiv += (size_t)diverges(m, m->ids[i]);
    fprintf(f,
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<title>ecrconform: comparison of %zu runs</title>\n<style>\n%s</style>\n"
            "</head>\n<body>\n<h1>ecrconform: comparison of %zu runs</h1>\n"
            "<p class=\"note\">%zu cases; the targets disagree on %zu (marked &ne;). "
            "&ldquo;absent&rdquo;: the run did not have the case. Score = passed / "
            "(total &minus; skipped).</p>\n<table>\n<tr><th>Case</th>",
            m->ncols, css, m->ncols, m->nids, ndiv);
    for (size_t i = 0; i < m->ncols; i++) {
        const run_report *r = m->cols[i].r;
        fputs("<th>", f);
        ecrc_report_text_html(f, m->cols[i].label);
        fputs("<br><small>", f);
        ecrc_report_text_html(f, r->endpoint ? r->endpoint : "");
        fputs("<br>", f);
        ecrc_report_text_html(f, r->started_at ? r->started_at : "");
        fputs("</small></th>", f);
    }
    fputs("</tr>\n", f);
    for (size_t k = 0; k < m->nids; k++) {
        const char *id = m->ids[k];
        fprintf(f, "<tr%s><td class=\"id\">", diverges(m, id) ? " class=\"diverge\"" : "");
        ecrc_report_text_html(f, id);
        fputs("</td>", f);
        for (size_t i = 0; i < m->ncols; i++) {
            const case_report *c = lookup(&m->cols[i], id);
            const char *st = c ? ecrc_case_status_name(c->status) : "absent";
            fprintf(f, "<td class=\"%s\"", st);
            if (c && c->reason) {
                fputs(" title=\"", f);
                ecrc_report_text_html(f, c->reason);
                fputc('"', f);
            }
            fprintf(f, ">%s%s</td>", st, ecrc_report_case_expected_failure(c) ? " (expected)" : "");
        }
        fputs("</tr>\n", f);
    }
    score_rows(f, m, &HTML_ROW);
    fputs("</table>\n</body>\n</html>\n", f);
    return ecrc_report_text_close(&af);
}

/* ---- Markdown ---------------------------------------------------------- */

static ecr_result write_md(const matrix *m, const char *path)
{
    ecr_atomic_file af;
    if (ecr_atomic_open(&af, path) != ECR_OK)
        return ECR_EIO;
    FILE *f = af.f;
    fprintf(f, "## ecrconform: comparison of %zu runs\n\n| case |", m->ncols);
    for (size_t i = 0; i < m->ncols; i++) {
        fputc(' ', f);
        ecrc_report_text_md(f, m->cols[i].label);
        fputs(" |", f);
    }
    fputs("\n|---|", f);
    for (size_t i = 0; i < m->ncols; i++)
        fputs("---|", f);
    fputc('\n', f);
    for (size_t k = 0; k < m->nids; k++) {
        const char *id = m->ids[k];
        fputs("| ", f);
        ecrc_report_text_md(f, id);
        fputs(diverges(m, id) ? " (differs) |" : " |", f);
        for (size_t i = 0; i < m->ncols; i++) {
            const case_report *c = lookup(&m->cols[i], id);
            fprintf(f, " %s%s |", c ? ecrc_case_status_name(c->status) : "absent",
                    ecrc_report_case_expected_failure(c) ? " (expected)" : "");
        }
        fputc('\n', f);
    }
    score_rows(f, m, &MD_ROW);
    return ecrc_report_text_close(&af);
}

ecr_result ecrc_matrix_write(const run_report *const *reports, size_t n, const char *dir)
{
    if (!n)
        return ECR_EINVAL;
    ecr_result rc = ecr_mkdir_p(dir);
    if (rc)
        return rc;
    matrix m;
    rc = build(&m, reports, n);
    if (!rc) {
        char path[PATH_MAX];
        int len = snprintf(path, sizeof path, "%s/compare.html", dir);
        rc = (len < 0 || (size_t)len >= sizeof path) ? ECR_EIO : write_html(&m, path);
        len = snprintf(path, sizeof path, "%s/compare.md", dir);
        ecr_result rc2 = (len < 0 || (size_t)len >= sizeof path) ? ECR_EIO : write_md(&m, path);
        if (!rc)
            rc = rc2;
    }
    matrix_free(&m);
    return rc;
}

ecr_result ecrc_matrix_compare_files(const char *const *paths, size_t n, const char *dir,
                                     diag_list *diags)
{
    if (!n)
        return ECR_EINVAL;
    run_report **reports = calloc(n, sizeof *reports);
    if (!reports)
        return ECR_ENOMEM;
    ecr_result rc = ECR_OK;
    for (size_t i = 0; i < n; i++) {
        const char *err = NULL;
        reports[i] = ecrc_report_read_json(paths[i], &err);
        if (!reports[i]) {
            ecr_diag_add(diags, paths[i], "", "%s", err ? err : "cannot read the report");
            rc = ECR_EPARSE;
        }
    }
    if (!rc)
        rc = ecrc_matrix_write((const run_report *const *)reports, n, dir);
    for (size_t i = 0; i < n; i++)
        ecrc_report_free(reports[i]);
    free(reports);
    return rc;
}
