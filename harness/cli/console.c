/* console.c: the terminal side of `run` (console.h). */
#include "console.h"

#include <stdarg.h>
#include <stdlib.h>

#include "ecr/util.h"

/* Erases the current terminal line: the progress line is redrawn in place. */
#define CLEAR_LINE "\r\033[K"

/* s fit for the terminal (ecr_term_safe); *keep holds the copy to free. */
static const char *safe(const char *s, char **keep)
{
    *keep = s ? ecr_term_safe(s) : NULL;
    return *keep ? *keep : s ? "(out of memory)" : "";
}

void console_init(console *c, FILE *out, FILE *err, int progress, int verbose)
{
    c->out = out;
    c->err = err;
    c->progress = progress;
    c->verbose = verbose;
}

void console_header(console *c, const target_info *t, size_t ncases)
{
    char *name, *endpoint;
    fprintf(c->out, "ecrconform %s: %zu case%s against %s (%s)%s%s\n", ECRCONFORM_VERSION, ncases,
            ncases == 1 ? "" : "s", safe(t->name, &name), safe(t->endpoint, &endpoint),
            t->fault_injection ? ", fault injection" : "", t->strict_auth ? ", strict auth" : "");
    fflush(c->out);
    free(name);
    free(endpoint);
}

/* The distinct provenance levels of a case's expectations, strongest first
 * ("C", "CI", ...): the console shows what the case asserts at which level. */
static const char *levels_of(const case_report *cr, char *out, size_t outsz)
{
    static const char order[] = "CDIE";
    size_t o = 0;
    for (const char *l = order; *l && o + 1 < outsz; l++)
        for (size_t i = 0; i < cr->nsteps; i++)
            if (cr->steps[i].level && cr->steps[i].level[0] == *l) {
                out[o++] = *l;
                break;
            }
    out[o] = '\0';
    return o ? out : (cr->level ? cr->level : "?");
}

static void print_step_diffs(console *c, const step_report *sr)
{
    FILE *f = c->out;
    char *name, *line, *golden, *actual;
    safe(sr->name, &name);
    const char *n = name ? name : "";
    /* Long diffs are cut on the console; the reports keep every line. */
    size_t shown = c->verbose || sr->ndiff <= 10 ? sr->ndiff : 8;
    for (size_t k = 0; k < shown; k++) {
        fprintf(f, "      %s: %s\n", n, safe(sr->diff[k], &line));
        free(line);
    }
    if (shown < sr->ndiff)
        fprintf(f, "      %s: ... %zu more (--verbose, or the reports)\n", n, sr->ndiff - shown);
    if (sr->actual && sr->golden) {
        const char *g = safe(sr->golden, &golden), *a = safe(sr->actual, &actual);
        fprintf(f, "      %s: see:    diff -u %s %s\n", n, g, a);
        fprintf(f, "      %s: accept: cp %s %s  (then review it: see its \"review\")\n", n, a, g);
        free(golden);
        free(actual);
    }
    free(name);
}

void console_case(console *c, const case_report *cr, const runner_progress *p)
{
    static const char *const tags[] = {"PASS ", "FAIL ", "ERROR", "SKIP "};
    FILE *f = c->out;
    char lv[8];
    char *id, *reason;
    if (c->progress)
        fputs(CLEAR_LINE, f);
    fprintf(f, "%s %-52s [%-4s] %6.0f ms",
            (unsigned)cr->status < ECRC_CASE_NSTATUS ? tags[cr->status] : "?    ",
            safe(cr->id, &id), levels_of(cr, lv, sizeof lv), cr->duration_ms);
    free(id);
    if (cr->status != ECRC_CASE_PASS && cr->reason) {
        fprintf(f, "  %s", safe(cr->reason, &reason));
        free(reason);
    }
    fputc('\n', f);
    if (cr->status == ECRC_CASE_FAIL)
        for (size_t i = 0; i < cr->nsteps; i++)
            print_step_diffs(c, &cr->steps[i]);
    if (c->progress && p)
        fprintf(f, "[%zu/%zu] pass %zu  fail %zu  error %zu  skip %zu", p->done, p->total,
                p->counts[ECRC_CASE_PASS], p->counts[ECRC_CASE_FAIL], p->counts[ECRC_CASE_ERROR],
                p->counts[ECRC_CASE_SKIP]);
    fflush(f);
}

void console_warn(console *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = ecr_vasprintf(fmt, ap);
    va_end(ap);
    char *text;
    if (c->progress) {
        fputs(CLEAR_LINE, c->out);
        fflush(c->out);
    }
    fprintf(c->err, "ecrconform run: %s\n", safe(msg ? msg : "(out of memory)", &text));
    fflush(c->err);
    free(text);
    free(msg);
}

void console_run_done(console *c)
{
    if (c->progress) {
        fputs(CLEAR_LINE, c->out);
        fflush(c->out);
    }
}

void console_summary(console *c, const run_report *rep, const report_summary *s,
                     const char *report_dir, size_t ninvalid)
{
    FILE *f = c->out;
    char *tmp, *dir;
    fprintf(f, "\n%zu passed, %zu failed, %zu errored, %zu skipped (%zu case%s, %.0f ms)\n",
            s->passed, s->failed, s->errored, s->skipped, s->total, s->total == 1 ? "" : "s",
            rep->duration_ms);
    fprintf(f,
            "score %.1f%% of %zu run; expectations met: C/D %zu/%zu, I/E %zu/%zu, open %zu/%zu "
            "(C/D includes ECR's headers on %zu/%zu answers)\n",
            s->score * 100.0, s->total - s->skipped, s->cd_passed, s->cd_total, s->ie_passed,
            s->ie_total, s->open_passed, s->open_total, s->headers_passed, s->headers_total);
    if (ninvalid)
        fprintf(f, "%zu invalid case file%s (run 'ecrconform lint' for every problem)\n", ninvalid,
                ninvalid == 1 ? "" : "s");
    if (rep->baseline_file) {
        fprintf(f, "baseline %s: %zu regression%s, %zu fixed\n", safe(rep->baseline_file, &tmp),
                rep->nregressions, rep->nregressions == 1 ? "" : "s", rep->nfixed);
        free(tmp);
        for (size_t i = 0; i < rep->nregressions; i++) {
            fprintf(f, "  regression: %s\n", safe(rep->regressions[i], &tmp));
            free(tmp);
        }
        for (size_t i = 0; i < rep->nfixed; i++) {
            fprintf(f, "  fixed (now passes; remove it from the baseline): %s\n",
                    safe(rep->fixed[i], &tmp));
            free(tmp);
        }
    }
    const char *d = safe(report_dir, &dir);
    fprintf(f, "reports: %s/report.json %s/junit.xml %s/report.html %s/summary.md\n", d, d, d, d);
    free(dir);
    fflush(f);
}
