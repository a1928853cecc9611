#include "report_html.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "causes.h"
#include "report_text.h"

#define FC_PREFIX "failureCode:"
#define EX_PREFIX "exception:"

static const char css[] =
    "body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;color:#1f2328;"
    "max-width:1200px;margin:0 auto;padding:1em 2em}\n"
    "h1{font-size:1.6em;margin-bottom:.2em}\n"
    "h2{border-bottom:1px solid #d0d7de;padding-bottom:.2em;margin-top:1.8em}\n"
    "table{border-collapse:collapse;margin:.5em 0}\n"
    "th,td{border:1px solid #d0d7de;padding:.25em .6em;text-align:left;vertical-align:top}\n"
    "th{background:#f6f8fa}td.n{text-align:right;font-variant-numeric:tabular-nums}\n"
    "pre{background:#f6f8fa;padding:.6em;overflow:auto;white-space:pre-wrap;"
    "word-break:break-all;max-height:32em;margin:.3em 0}\n"
    "pre.diff{background:#fff5f5}\n"
    ".meta,.note{color:#57606a}\n"
    ".big{font-size:2.2em;font-weight:700;margin:.2em 0}\n"
    ".badge{display:inline-block;padding:0 .55em;border-radius:1em;font-size:.85em;"
    "font-weight:600}\n"
    ".pass{background:#dafbe1;color:#116329}\n"
    ".fail{background:#ffebe9;color:#a40e26}\n"
    ".error{background:#fff1e5;color:#953800}\n"
    ".skip{background:#eaeef2;color:#57606a}\n"
    ".flaky{background:#fff8c5;color:#7d4e00}\n"
    ".expected{background:#fbefff;color:#6639ba}\n"
    ".gap{background:#fff8c5;color:#7d4e00}\n"
    ".verdict{font-size:1.8em;font-weight:700;margin:.3em 0;padding:.2em .5em;border-radius:6px}\n"
    "nav.jump a{margin-right:1em}\n"
    "td pre{margin:0;max-height:12em}\n"
    "a.pass,a.fail,a.error,a.skip{padding:0 .3em;border-radius:3px;text-decoration:none;"
    "margin-right:.2em;white-space:nowrap}\n"
    "details.case{border:1px solid #d0d7de;border-radius:6px;margin:.4em 0;padding:.3em .8em}\n"
    "details.case>summary{cursor:pointer}\n"
    "div.failure{border-left:4px solid #cf222e;padding:.1em .8em;margin:.8em 0}\n"
    "div.failure.error{border-left-color:#bc4c00}\n"
    "div.step{border-top:1px dashed #d0d7de;margin-top:.5em;padding-top:.3em}\n"
    "dl{display:grid;grid-template-columns:max-content auto;gap:.1em 1em}\n"
    "dt{font-weight:600}dd{margin:0}\n";

static void esc(FILE *f, const char *s)
{
    ecrc_report_text_html(f, s);
}

static void badge(FILE *f, case_status st)
{
    const char *n = ecrc_case_status_name(st);
    fprintf(f, "<span class=\"badge %s\">%s</span>", n, n);
}

/* <a href="#case-ID" class="STATUS">ID</a> */
static void case_link(FILE *f, const case_report *c, int coloured)
{
    fputs("<a href=\"#case-", f);
    esc(f, c->id);
    fputc('"', f);
    if (coloured)
        fprintf(f, " class=\"%s\"", ecrc_case_status_name(c->status));
    fputc('>', f);
    esc(f, c->id);
    fputs("</a>", f);
}

static void write_header(FILE *f, const run_report *r)
{
    const char *target = r->target ? r->target : "unnamed";
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
          "<title>ecrconform: ",
          f);
    esc(f, target);
    fprintf(f, "</title>\n<style>\n%s</style>\n</head>\n<body>\n<header>\n<h1>ecrconform report: ",
            css);
    esc(f, target);
    fputs("</h1>\n<p class=\"meta\">Endpoint <code>", f);
    esc(f, r->endpoint ? r->endpoint : "(unknown)");
    fputs("</code> &middot; ecrconform ", f);
    esc(f, r->harness_version ? r->harness_version : "(unknown version)");
    fputs(" &middot; started ", f);
    esc(f, r->started_at ? r->started_at : "(unknown)");
    fputs(" &middot; took ", f);
    ecrc_report_text_seconds(f, r->duration_ms);
    fputs(" s</p>\n", f);
    if (r->manifest_only) {
        fputs("<p class=\"meta\">Note: fixture images were pushed manifest-only (the target has "
              "no layer API: ",
              f);
        esc(f, r->manifest_only);
        fputs(")</p>\n", f);
    }
    fputs("</header>\n", f);
}

/* How many case links a cause lists before "and N more". */
#define CAUSE_LINKS_MAX 40

/* The gate result, first thing on the page. */
static void write_verdict(FILE *f, const run_report *r, const report_summary *s)
{
    report_gate g;
    ecrc_report_gate(r, s, &g);
    fprintf(f, "<section id=\"verdict\">\n<p class=\"verdict %s\">%s</p>\n<p>",
            g.met ? "pass" : "fail", g.met ? "PASS: gate met" : "FAIL: gate not met");
    fprintf(f, "<strong>%zu new failure%s</strong>", g.new_failures,
            g.new_failures == 1 ? "" : "s");
    if (r->baseline_file) {
        fprintf(f, ", %zu fixed; %zu expected failure%s (baseline <code>", g.fixed, g.expected,
                g.expected == 1 ? "" : "s");
        esc(f, r->baseline_file);
        fputs("</code>)", f);
    }
    if (g.flaky)
        fprintf(f, ", <span class=\"badge flaky\">%zu flaky</span>%s", g.flaky,
                g.flaky_allowed ? " (allowed by --allow-flaky)" : "");
    fprintf(f, "; %zu passed, %zu skipped of %zu cases.</p>\n</section>\n", s->passed, s->skipped,
            s->total);
}

static void cause_rows(FILE *f, const run_report *r, const cause_group *gs, size_t n,
                       size_t nfailing)
{
    fputs("<table>\n<tr><th>Cases</th><th>Cause</th><th>Which</th></tr>\n", f);
    for (size_t i = 0; i < n; i++) {
        const cause_group *g = &gs[i];
        fprintf(f, "<tr><td class=\"n\">%s%zu", g->n == nfailing && n > 0 ? "all " : "", g->n);
        if (g->nexpected)
            fprintf(f, "<br><span class=\"badge expected\">%zu expected</span>", g->nexpected);
        fprintf(f, "</td><td><span class=\"badge %s\">%s</span><pre>",
                ecrc_case_status_name(g->status), ecrc_case_status_name(g->status));
        esc(f, g->key);
        fputs("</pre></td><td>", f);
        for (size_t k = 0; k < g->n && k < CAUSE_LINKS_MAX; k++)
            case_link(f, &r->cases[g->cases[k]], 1);
        if (g->n > CAUSE_LINKS_MAX)
            fprintf(f, " &hellip; and %zu more", g->n - CAUSE_LINKS_MAX);
        fputs("</td></tr>\n", f);
    }
    fputs("</table>\n", f);
}

/* Failures grouped by cause (causes.h), before any detail. */
static ecr_result write_causes(FILE *f, const run_report *r)
{
    cause_list cl;
    ecr_result rc = ecrc_causes_build(r, &cl);
    if (rc)
        return rc;
    fprintf(f, "<section id=\"causes\">\n<h2>Failures by cause (%zu case%s)</h2>\n", cl.nfailing,
            cl.nfailing == 1 ? "" : "s");
    if (!cl.nfailing) {
        fputs("<p>None.</p>\n</section>\n", f);
        ecrc_causes_free(&cl);
        return ECR_OK;
    }
    fputs("<p class=\"note\">Cases whose failure is the same once run-to-run values (request "
          "ids, run-unique names) are set aside: an error's reason, or a failure's set of "
          "differences.</p>\n",
          f);
    cause_rows(f, r, cl.groups, cl.n, cl.nfailing);
    if (cl.nlines) {
        fputs("<h3>Differences shared by several failing cases</h3>\n", f);
        cause_rows(f, r, cl.lines, cl.nlines, cl.nfailing);
    }
    fputs("</section>\n", f);
    ecrc_causes_free(&cl);
    return ECR_OK;
}

static void write_nav(FILE *f)
{
    fputs("<nav class=\"jump\"><a href=\"#verdict\">Verdict</a><a href=\"#causes\">Causes</a>"
          "<a href=\"#score\">Score</a><a href=\"#coverage\">Coverage</a>"
          "<a href=\"#failures\">Failures</a><a href=\"#skipped\">Skipped</a>"
          "<a href=\"#cases\">All cases</a></nav>\n",
          f);
}

static void level_row(FILE *f, const char *label, size_t passed, size_t ran)
{
    fprintf(f, "<tr><td>%s</td><td class=\"n\">%zu</td><td class=\"n\">%zu</td><td class=\"n\">",
            label, passed, ran);
    ecrc_report_text_percent(f, passed, ran);
    fputs("</td></tr>\n", f);
}

static void write_score(FILE *f, const report_summary *s)
{
    size_t ran = s->total - s->skipped;
    fputs("<section id=\"score\">\n<h2>Score</h2>\n<p class=\"big\">", f);
    ecrc_report_text_percent(f, s->passed, ran);
    fprintf(f,
            "</p>\n<p>%zu of %zu run cases passed: <span class=\"badge pass\">%zu passed</span> "
            "<span class=\"badge fail\">%zu failed</span> "
            "<span class=\"badge error\">%zu errored</span> "
            "<span class=\"badge skip\">%zu skipped</span> (%zu cases in total)",
            s->passed, ran, s->passed, s->failed, s->errored, s->skipped, s->total);
    if (s->flaky)
        fprintf(f,
                "; <span class=\"badge flaky\">%zu flaky</span> (failed, then passed on a retry)",
                s->flaky);
    if (s->expected)
        fprintf(f, "; <span class=\"badge expected\">%zu expected by the baseline</span>",
                s->expected);
    fputs(".</p>\n<table>\n<tr><th>Expectations (step goldens) by provenance</th><th>Met</th>"
          "<th>Checked</th><th>Score</th></tr>\n",
          f);
    level_row(f, "C/D: confirmed on AWS or documented", s->cd_passed, s->cd_total);
    level_row(f, "I/E: inferred or emulator-only", s->ie_passed, s->ie_total);
    level_row(f, "open: nobody knows ECR's answer; any listed answer passes", s->open_passed,
              s->open_total);
    level_row(f, "of C/D: ECR's Content-Type and request id on every answer (default check)",
              s->headers_passed, s->headers_total);
    fputs("</table>\n<p class=\"note\">Score = passed / (total &minus; skipped). Skipped cases "
          "count neither as passes nor as failures. Each step's golden is one expectation, counted "
          "at its own level; a case's level is the weakest among its goldens.</p>\n</section>\n",
          f);
}

/* The answers the target gave to open questions, one row per step answer. */
static void write_open_answers(FILE *f, const run_report *r)
{
    size_t n = 0;
    for (size_t i = 0; i < r->ncases; i++)
        for (size_t k = 0; k < r->cases[i].nsteps; k++)
            n += r->cases[i].steps[k].nanswers;
    if (!n)
        return;
    fputs("<section id=\"open\">\n<h2>Open questions: the answers this target gave</h2>\n"
          "<p class=\"note\">Nobody has recorded real ECR's answer to these questions "
          "(docs/OPEN-QUESTIONS.md); every listed answer passes.</p>\n<table>\n"
          "<tr><th>Question</th><th>Case</th><th>Step</th><th>Answer</th></tr>\n",
          f);
    for (size_t i = 0; i < r->ncases; i++)
        for (size_t k = 0; k < r->cases[i].nsteps; k++)
            for (size_t a = 0; a < r->cases[i].steps[k].nanswers; a++) {
                const step_answer *sa = &r->cases[i].steps[k].answers[a];
                fputs("<tr><td>", f);
                esc(f, sa->question ? sa->question : "?");
                fputs("</td><td>", f);
                esc(f, r->cases[i].id ? r->cases[i].id : "?");
                fputs("</td><td>", f);
                esc(f, r->cases[i].steps[k].name ? r->cases[i].steps[k].name : "?");
                fputs("</td><td>", f);
                esc(f, sa->answer ? sa->answer : "?");
                fputs("</td></tr>\n", f);
            }
    fputs("</table>\n</section>\n", f);
}

static const case_report *find_case(const run_report *r, const char *id)
{
    for (size_t i = 0; i < r->ncases; i++)
        if (r->cases[i].id && id && strcmp(r->cases[i].id, id) == 0)
            return &r->cases[i];
    return NULL;
}

static void id_list(FILE *f, const run_report *r, char *const *ids, size_t n)
{
    fputs("<ul>\n", f);
    for (size_t i = 0; i < n; i++) {
        const case_report *c = find_case(r, ids[i]);
        fputs("<li>", f);
        if (c)
            case_link(f, c, 1);
        else
            esc(f, ids[i]);
        if (c && c->reason) {
            fputs(": ", f);
            esc(f, c->reason);
        }
        fputs("</li>\n", f);
    }
    fputs("</ul>\n", f);
}

static void write_baseline(FILE *f, const run_report *r, const report_summary *s)
{
    if (!r->baseline_file)
        return;
    fputs("<section id=\"baseline\">\n<h2>Baseline</h2>\n<p>Baseline <code>", f);
    esc(f, r->baseline_file);
    fprintf(f, "</code>: %zu expected failures, %zu regressions, %zu fixed.</p>\n", s->expected,
            r->nregressions, r->nfixed);
    if (r->nregressions) {
        fputs("<h3>Regressions (failing, not in the baseline)</h3>\n", f);
        id_list(f, r, r->regressions, r->nregressions);
    }
    if (r->nfixed) {
        fputs("<h3>Fixed (in the baseline, now passing: remove them from it)</h3>\n", f);
        id_list(f, r, r->fixed, r->nfixed);
    }
    fputs("</section>\n", f);
}

/* ---- coverage ---------------------------------------------------------- */

typedef struct cov_row {
    char *label;             /* owned */
    const coverage_entry *e; /* NULL: a known failure code no case covers */
} cov_row;

static int cmp_row(const void *a, const void *b)
{
    return strcmp(((const cov_row *)a)->label, ((const cov_row *)b)->label);
}

static int has_prefix(const char *s, const char *p)
{
    return strncmp(s, p, strlen(p)) == 0;
}

static void coverage_row(FILE *f, const run_report *r, const cov_row *row)
{
    const coverage_entry *e = row->e;
    fprintf(f, "<tr%s><td>", e ? "" : " class=\"gap\"");
    esc(f, row->label);
    fputs("</td>", f);
    for (int st = 0; st < ECRC_CASE_NSTATUS; st++) {
        size_t n = e ? e->count[st] : 0;
        if (n && st != ECRC_CASE_PASS)
            fprintf(f, "<td class=\"n %s\">%zu</td>", ecrc_case_status_name((case_status)st), n);
        else
            fprintf(f, "<td class=\"n\">%zu</td>", n);
    }
    fputs("<td>", f);
    if (!e)
        fputs("<em>not covered by any case</em>", f);
    for (size_t k = 0; e && k < e->ncases; k++) {
        if (k)
            fputc(' ', f);
        case_link(f, &r->cases[e->cases[k]], 1);
    }
    fputs("</td></tr>\n", f);
}

static void coverage_table(FILE *f, const run_report *r, const cov_row *rows, size_t n)
{
    fputs("<table>\n<tr><th>Label</th><th>pass</th><th>fail</th><th>error</th><th>skip</th>"
          "<th>Cases</th></tr>\n",
          f);
    for (size_t i = 0; i < n; i++)
        coverage_row(f, r, &rows[i]);
    fputs("</table>\n", f);
}

static ecr_result write_coverage(FILE *f, const run_report *r)
{
    report_coverage cov;
    if (ecrc_report_coverage_build(r, &cov))
        return ECR_ENOMEM;
    size_t nknown = 0;
    while (ecrc_report_known_failure_codes[nknown])
        nknown++;
    /* rows[0..nmain) codes and exceptions, rows[nmain..) everything else */
    cov_row *rows = calloc(cov.n + nknown + 1, sizeof *rows);
    cov_row *other = calloc(cov.n + 1, sizeof *other);
    size_t nmain = 0, nother = 0;
    ecr_result rc = rows && other ? ECR_OK : ECR_ENOMEM;
    for (size_t i = 0; !rc && i < cov.n; i++) {
        cov_row row = {strdup(cov.entries[i].label), &cov.entries[i]};
        if (!row.label) {
            rc = ECR_ENOMEM;
            break;
        }
        if (has_prefix(row.label, FC_PREFIX) || has_prefix(row.label, EX_PREFIX))
            rows[nmain++] = row;
        else
            other[nother++] = row;
    }
    for (size_t k = 0; !rc && k < nknown; k++) {
        char label[128];
        snprintf(label, sizeof label, FC_PREFIX "%s", ecrc_report_known_failure_codes[k]);
        int seen = 0;
        for (size_t i = 0; i < cov.n && !seen; i++)
            seen = strcmp(cov.entries[i].label, label) == 0;
        if (seen)
            continue;
        rows[nmain].label = strdup(label);
        if (!rows[nmain].label)
            rc = ECR_ENOMEM;
        else
            nmain++;
    }
    if (!rc) {
        qsort(rows, nmain, sizeof *rows, cmp_row);
        fputs("<section id=\"coverage\">\n<h2>Coverage</h2>\n<p class=\"note\">Failure codes "
              "and exceptions the cases cover, with the number of cases per result. Highlighted "
              "rows are failure codes of BatchDeleteImage that no case covers.</p>\n",
              f);
        coverage_table(f, r, rows, nmain);
        if (nother) {
            fputs("<h3>Behaviours</h3>\n", f);
            coverage_table(f, r, other, nother);
        }
        fputs("</section>\n", f);
    }
    for (size_t i = 0; rows && i < nmain; i++)
        free(rows[i].label);
    for (size_t i = 0; other && i < nother; i++)
        free(other[i].label);
    free(rows);
    free(other);
    ecrc_report_coverage_free(&cov);
    return rc;
}

/* ---- cases ------------------------------------------------------------- */

static void diff_pre(FILE *f, const case_report *c)
{
    int any = 0;
    for (size_t i = 0; i < c->nsteps; i++) {
        const step_report *s = &c->steps[i];
        for (size_t k = 0; k < s->ndiff; k++) {
            fputs(any ? "\n" : "<pre class=\"diff\">", f);
            fputc('[', f);
            esc(f, s->name);
            fputs("] ", f);
            esc(f, s->diff[k]);
            any = 1;
        }
    }
    if (any)
        fputs("</pre>\n", f);
}

static void expected_note(FILE *f, const case_report *c)
{
    if (!ecrc_report_case_expected_failure(c))
        return;
    fputs(" <span class=\"badge expected\">expected failure (baseline)</span>", f);
}

static void write_failures(FILE *f, const run_report *r, const report_summary *s)
{
    fprintf(f, "<section id=\"failures\">\n<h2>Failures (%zu)</h2>\n", s->failed + s->errored);
    if (!s->failed && !s->errored && !s->flaky)
        fputs("<p>None.</p>\n", f);
    for (size_t i = 0; i < r->ncases; i++) {
        const case_report *c = &r->cases[i];
        if (c->status != ECRC_CASE_FAIL && c->status != ECRC_CASE_ERROR &&
            c->status != ECRC_CASE_FLAKY)
            continue;
        fprintf(f, "<div class=\"failure %s\">\n<h3>", ecrc_case_status_name(c->status));
        case_link(f, c, 0);
        fputc(' ', f);
        badge(f, c->status);
        expected_note(f, c);
        fputs("</h3>\n<p>", f);
        esc(f, c->summary);
        fputs("</p>\n", f);
        if (c->reason) {
            fputs("<p><strong>Reason:</strong> ", f);
            esc(f, c->reason);
            fputs("</p>\n", f);
        }
        if (ecrc_report_case_expected_failure(c) && c->baseline_reason) {
            fputs("<p><strong>Baseline:</strong> ", f);
            esc(f, c->baseline_reason);
            fputs("</p>\n", f);
        }
        diff_pre(f, c);
        fputs("</div>\n", f);
    }
    fputs("</section>\n", f);
}

static void write_skipped(FILE *f, const run_report *r, const report_summary *s)
{
    fprintf(f, "<section id=\"skipped\">\n<h2>Skipped (%zu)</h2>\n", s->skipped);
    if (!s->skipped) {
        fputs("<p>None.</p>\n</section>\n", f);
        return;
    }
    fputs("<ul>\n", f);
    for (size_t i = 0; i < r->ncases; i++) {
        const case_report *c = &r->cases[i];
        if (c->status != ECRC_CASE_SKIP)
            continue;
        fputs("<li>", f);
        case_link(f, c, 0);
        fputs(": ", f);
        esc(f, c->reason ? c->reason : "(no reason given)");
        fputs("</li>\n", f);
    }
    fputs("</ul>\n</section>\n", f);
}

static void dl_item(FILE *f, const char *term, const char *value)
{
    if (!value)
        return;
    fprintf(f, "<dt>%s</dt><dd>", term);
    esc(f, value);
    fputs("</dd>\n", f);
}

static void write_step(FILE *f, const case_report *c, const step_report *s)
{
    fputs("<div class=\"step\">\n<h4>Step ", f);
    esc(f, s->name);
    fputs(": ", f);
    esc(f, s->operation);
    fputs(" <small>(level ", f);
    esc(f, s->level ? s->level : "?");
    /* A step of a skipped case never ran: grey, not a red "differs". */
    if (c->status == ECRC_CASE_SKIP)
        fputs(")</small> <span class=\"badge skip\">not run</span></h4>\n", f);
    else
        fprintf(f, ")</small> <span class=\"badge %s\">%s</span></h4>\n",
                s->passed ? "pass" : "fail", s->passed ? "matches" : "differs");
    if (s->ndiff) {
        fputs("<pre class=\"diff\">", f);
        for (size_t k = 0; k < s->ndiff; k++) {
            if (k)
                fputc('\n', f);
            esc(f, s->diff[k]);
        }
        fputs("</pre>\n", f);
    }
    if (!s->passed && s->reproduce && c->status != ECRC_CASE_SKIP) {
        fputs("<details open><summary>Reproduce by hand (credentials from "
              "<code>$AWS_ACCESS_KEY_ID</code> / <code>$AWS_SECRET_ACCESS_KEY</code>; the "
              "fixture: <code>ecrconform reproduce ",
              f);
        esc(f, c->id);
        fputs(" --endpoint URL</code>)</summary><pre class=\"repro\">", f);
        esc(f, s->reproduce);
        fputs("</pre></details>\n", f);
    }
    const char *parts[2][2] = {{"Request", s->request}, {"Response", s->response}};
    for (int i = 0; i < 2; i++) {
        fprintf(f, "<details%s><summary>%s</summary>", s->passed ? "" : " open", parts[i][0]);
        if (parts[i][1]) {
            fputs("<pre>", f);
            esc(f, parts[i][1]);
            fputs("</pre>", f);
        } else {
            fputs("<p class=\"note\">not recorded</p>", f);
        }
        fputs("</details>\n", f);
    }
    fputs("</div>\n", f);
}

static void write_case(FILE *f, const case_report *c)
{
    int bad = c->status == ECRC_CASE_FAIL || c->status == ECRC_CASE_ERROR;
    fputs("<details class=\"case\" id=\"case-", f);
    esc(f, c->id);
    fprintf(f, "\"%s>\n<summary>", bad ? " open" : "");
    badge(f, c->status);
    fputs(" <strong>", f);
    esc(f, c->id);
    fputs("</strong> <small>level ", f);
    esc(f, c->level ? c->level : "?");
    fputs("</small>", f);
    expected_note(f, c);
    fputs(" &mdash; ", f);
    esc(f, c->summary);
    fputs("</summary>\n<dl>\n", f);
    dl_item(f, "File", c->file);
    if (c->ncovers) {
        fputs("<dt>Covers</dt><dd>", f);
        for (size_t i = 0; i < c->ncovers; i++) {
            if (i)
                fputs(", ", f);
            esc(f, c->covers[i]);
        }
        fputs("</dd>\n", f);
    }
    dl_item(f, "Status", ecrc_case_status_name(c->status));
    dl_item(f, "Level", c->level);
    fputs("<dt>Duration</dt><dd>", f);
    ecrc_report_text_seconds(f, c->duration_ms);
    fputs(" s</dd>\n", f);
    dl_item(f, "Reason", c->reason);
    if (c->baseline_expected)
        dl_item(f, "Baseline", c->baseline_reason ? c->baseline_reason : "expected failure");
    fputs("</dl>\n", f);
    for (size_t i = 0; i < c->nsteps; i++)
        write_step(f, c, &c->steps[i]);
    fputs("</details>\n", f);
}

ecr_result ecrc_report_write_html(const run_report *r, const char *path)
{
    report_summary s;
    ecrc_report_summarize(r, &s);
    ecr_atomic_file af;
    if (ecr_atomic_open(&af, path) != ECR_OK)
        return ECR_EIO;
    FILE *f = af.f;
    write_header(f, r);
    write_verdict(f, r, &s);
    ecr_result crc0 = write_causes(f, r);
    write_nav(f);
    write_score(f, &s);
    write_open_answers(f, r);
    write_baseline(f, r, &s);
    ecr_result rc = write_coverage(f, r);
    write_failures(f, r, &s);
    write_skipped(f, r, &s);
    fprintf(f, "<section id=\"cases\">\n<h2>All cases (%zu)</h2>\n", r->ncases);
    for (size_t i = 0; i < r->ncases; i++)
        write_case(f, &r->cases[i]);
    fputs("</section>\n<footer class=\"note\"><p>Generated by ecrconform ", f);
    esc(f, r->harness_version);
    fputs(". Requests and responses are redacted.</p></footer>\n</body>\n</html>\n", f);
    ecr_result crc = ecrc_report_text_close(&af);
    return crc0 ? crc0 : rc ? rc : crc;
}
