#include "report_markdown.h"

#include <stdio.h>

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

ecr_result ecrc_report_write_markdown(const run_report *r, const char *path)
{
    report_summary s;
    ecrc_report_summarize(r, &s);
    size_t ran = s.total - s.skipped;
    ecr_atomic_file af;
    if (ecr_atomic_open(&af, path) != ECR_OK)
        return ECR_EIO;
    FILE *f = af.f;

    fputs("## ecrconform: ", f);
    md(f, r->target ? r->target : "unnamed");
    fputs(": ", f);
    ecrc_report_text_percent(f, s.passed, ran);
    fprintf(f, " (%zu/%zu passed)\n\n", s.passed, ran);
    fprintf(f, "%zu passed, %zu failed, %zu errored, %zu skipped, %zu total", s.passed, s.failed,
            s.errored, s.skipped, s.total);
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

    size_t nbad = s.failed + s.errored, shown = 0;
    if (nbad) {
        fprintf(f, "\n### Failures (%zu)\n\n", nbad);
        for (size_t i = 0; i < r->ncases && shown < MARKDOWN_LIST_MAX; i++) {
            const case_report *c = &r->cases[i];
            if (c->status != ECRC_CASE_FAIL && c->status != ECRC_CASE_ERROR)
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
    return ecrc_report_text_close(&af);
}
