#include "report_markdown.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "causes.h"
#include "report_text.h"

static void md(FILE *f, const char *s)
{
    ecrc_report_text_md(f, s);
}

static void more(FILE *f, size_t shown, size_t total)
{
    if (total > shown)
        fprintf(f, "- ... and %zu more, see report.html\n", total - shown);
}

static void id_list(FILE *f, const char *title, char *const *ids, size_t n)
{
    if (!n)
        return;
    fprintf(f, "- %s (%zu): ", title, n);
    for (size_t i = 0; i < n && i < MARKDOWN_LIST_MAX; i++) {
        if (i)
            fputs(", ", f);
        md(f, ids[i]);
    }
    if (n > MARKDOWN_LIST_MAX)
        fprintf(f, ", ... and %zu more", n - MARKDOWN_LIST_MAX);
    fputc('\n', f);
}

/* How many cause groups summary.md shows, and how many lines of each. */
#define MARKDOWN_CAUSES_MAX 10
#define MARKDOWN_CAUSE_LINES_MAX 6

static void cause_items(FILE *f, const run_report *r, const cause_group *gs, size_t n,
                        size_t nfailing)
{
    for (size_t i = 0; i < n && i < MARKDOWN_CAUSES_MAX; i++) {
        const cause_group *g = &gs[i];
        fprintf(f, "- **%s%zu case%s** (%s", g->n == nfailing ? "all " : "", g->n,
                g->n == 1 ? "" : "s", ecrc_case_status_name(g->status));
        if (g->nexpected)
            fprintf(f, ", %zu expected by the baseline", g->nexpected);
        fputs("): ", f);
        for (size_t k = 0; k < g->n && k < 8; k++) {
            if (k)
                fputs(", ", f);
            md(f, r->cases[g->cases[k]].id);
        }
        if (g->n > 8)
            fprintf(f, ", ... and %zu more", g->n - 8);
        fputc('\n', f);
        const char *p = g->key;
        for (size_t l = 0; p && *p && l < MARKDOWN_CAUSE_LINES_MAX; l++) {
            const char *nl = strchr(p, '\n');
            size_t len = nl ? (size_t)(nl - p) : strlen(p);
            char *line = strndup(p, len);
            fputs("  - ", f);
            md(f, line ? line : "(out of memory)");
            fputc('\n', f);
            free(line);
            p = nl ? nl + 1 : NULL;
        }
        if (p && *p)
            fputs("  - ...\n", f);
    }
    if (n > MARKDOWN_CAUSES_MAX)
        fprintf(f, "- ... and %zu more causes, see report.html\n", n - MARKDOWN_CAUSES_MAX);
}

/* The verdict, then failures grouped by cause: what a pull-request comment
 * must say first. */
static ecr_result write_verdict(FILE *f, const run_report *r, const report_summary *s)
{
    report_gate g;
    ecrc_report_gate(r, s, &g);
    fprintf(f, "**%s** \xe2\x80\x94 %zu new failure%s",
            g.met ? "PASS: gate met" : "FAIL: gate not met", g.new_failures,
            g.new_failures == 1 ? "" : "s");
    if (r->baseline_file) {
        fprintf(f, ", %zu fixed; %zu expected failure%s (baseline ", g.fixed, g.expected,
                g.expected == 1 ? "" : "s");
        md(f, r->baseline_file);
        fputc(')', f);
    }
    if (g.flaky)
        fprintf(f, ", %zu flaky%s", g.flaky, g.flaky_allowed ? " (allowed by --allow-flaky)" : "");
    fprintf(f, "; %zu passed, %zu skipped of %zu cases.\n\n", s->passed, s->skipped, s->total);
    cause_list cl;
    ecr_result rc = ecrc_causes_build(r, &cl);
    if (rc)
        return rc;
    if (cl.nfailing) {
        fprintf(f, "### Failures by cause (%zu)\n\n", cl.nfailing);
        cause_items(f, r, cl.groups, cl.n, cl.nfailing);
        if (cl.nlines) {
            fputs("\nDifferences shared by several failing cases:\n\n", f);
            cause_items(f, r, cl.lines, cl.nlines, cl.nfailing);
        }
        fputc('\n', f);
    }
    ecrc_causes_free(&cl);
    return ECR_OK;
}

ecr_result ecrc_report_write_markdown(const run_report *r, const char *path)
{
    report_summary s;
    ecrc_report_summarize(r, &s);
    size_t ran = s.total - s.skipped;
    ecr_atomic_file af;
    if (ecr_atomic_open(&af, path) != ECR_OK)
        return ECR_EIO;
    FILE *f = af.f;

    report_gate g;
    ecrc_report_gate(r, &s, &g);
    fputs("## ecrconform: ", f);
    md(f, r->target ? r->target : "unnamed");
    fprintf(f, ": %s\n\n", g.met ? "PASS" : "FAIL");
    ecr_result vrc = write_verdict(f, r, &s);
    fputs("Score ", f);
    ecrc_report_text_percent(f, s.passed, ran);
    fprintf(f, " (%zu/%zu passed): ", s.passed, ran);
    fprintf(f, "%zu passed, %zu failed, %zu errored, %zu skipped, %zu total", s.passed, s.failed,
            s.errored, s.skipped, s.total);
    if (s.flaky)
        fprintf(f, ", %zu flaky (failed, then passed on a retry)", s.flaky);
    if (s.expected)
        fprintf(f, " (%zu failures expected by the baseline)", s.expected);
    fputs(". Endpoint ", f);
    md(f, r->endpoint ? r->endpoint : "(unknown)");
    fputs(", ecrconform ", f);
    md(f, r->harness_version ? r->harness_version : "(unknown)");
    fputs(", started ", f);
    md(f, r->started_at ? r->started_at : "(unknown)");
    fputs(".\n\n", f);
    if (r->manifest_only) {
        fputs("Note: fixture images were pushed manifest-only (the target has no layer API: ", f);
        md(f, r->manifest_only);
        fputs(").\n\n", f);
    }

    fputs("| expectations (step goldens) by provenance | met | checked | score "
          "|\n|---|---:|---:|---:|\n",
          f);
    fprintf(f, "| C/D (confirmed, documented) | %zu | %zu | ", s.cd_passed, s.cd_total);
    ecrc_report_text_percent(f, s.cd_passed, s.cd_total);
    fprintf(f, " |\n| I/E (inferred, emulator-only) | %zu | %zu | ", s.ie_passed, s.ie_total);
    ecrc_report_text_percent(f, s.ie_passed, s.ie_total);
    fprintf(f, " |\n| open (any listed answer passes) | %zu | %zu | ", s.open_passed, s.open_total);
    ecrc_report_text_percent(f, s.open_passed, s.open_total);
    fprintf(f, " |\n| of C/D: ECR's Content-Type and request id (default check) | %zu | %zu | ",
            s.headers_passed, s.headers_total);
    ecrc_report_text_percent(f, s.headers_passed, s.headers_total);
    fputs(" |\n", f);

    size_t nans = 0;
    for (size_t i = 0; i < r->ncases; i++)
        for (size_t k = 0; k < r->cases[i].nsteps; k++)
            nans += r->cases[i].steps[k].nanswers;
    if (nans) {
        fputs("\n### Open questions: the answers this target gave\n\n"
              "| question | case | step | answer |\n|---|---|---|---|\n",
              f);
        for (size_t i = 0; i < r->ncases; i++)
            for (size_t k = 0; k < r->cases[i].nsteps; k++)
                for (size_t a = 0; a < r->cases[i].steps[k].nanswers; a++) {
                    const step_answer *sa = &r->cases[i].steps[k].answers[a];
                    fputs("| ", f);
                    md(f, sa->question ? sa->question : "?");
                    fputs(" | ", f);
                    md(f, r->cases[i].id ? r->cases[i].id : "?");
                    fputs(" | ", f);
                    md(f, r->cases[i].steps[k].name ? r->cases[i].steps[k].name : "?");
                    fputs(" | ", f);
                    md(f, sa->answer ? sa->answer : "?");
                    fputs(" |\n", f);
                }
    }

    size_t nbad = s.failed + s.errored + s.flaky, shown = 0;
    if (nbad) {
        fprintf(f, "\n### Failures (%zu)\n\n", nbad);
        for (size_t i = 0; i < r->ncases && shown < MARKDOWN_LIST_MAX; i++) {
            const case_report *c = &r->cases[i];
            if (c->status != ECRC_CASE_FAIL && c->status != ECRC_CASE_ERROR &&
                c->status != ECRC_CASE_FLAKY)
                continue;
            fputs("- **", f);
            md(f, c->id);
            fprintf(f, "** (%s, level ", ecrc_case_status_name(c->status));
            md(f, c->level ? c->level : "?");
            fputs("): ", f);
            md(f, ecrc_report_case_headline(c));
            if (c->baseline_expected)
                fputs(" *(expected by the baseline)*", f);
            fputc('\n', f);
            shown++;
        }
        more(f, shown, nbad);
    }

    if (s.skipped) {
        fprintf(f, "\n### Skipped (%zu)\n\n", s.skipped);
        shown = 0;
        for (size_t i = 0; i < r->ncases && shown < MARKDOWN_LIST_MAX; i++) {
            const case_report *c = &r->cases[i];
            if (c->status != ECRC_CASE_SKIP)
                continue;
            fputs("- ", f);
            md(f, c->id);
            fputs(": ", f);
            md(f, c->reason ? c->reason : "(no reason given)");
            fputc('\n', f);
            shown++;
        }
        more(f, shown, s.skipped);
    }

    if (r->baseline_file) {
        fputs("\n### Baseline ", f);
        md(f, r->baseline_file);
        fputs("\n\n", f);
        fprintf(f, "- %zu expected failures, %zu regressions, %zu fixed\n", s.expected,
                r->nregressions, r->nfixed);
        id_list(f, "Regressions", r->regressions, r->nregressions);
        id_list(f, "Fixed (remove from the baseline)", r->fixed, r->nfixed);
    }
    ecr_result crc = ecrc_report_text_close(&af);
    return vrc ? vrc : crc;
}
