/* console.c: the terminal side of `run` (console.h). */
#include "console.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ecr/util.h"

/* Erases the current terminal line: the progress line is redrawn in place. */
#define CLEAR_LINE "\r\033[K"

#define C_RED "\033[31m"
#define C_GREEN "\033[32m"
#define C_YELLOW "\033[33m"
#define C_CYAN "\033[36m"
#define C_GREY "\033[90m"
#define C_BOLD "\033[1m"
#define C_OFF "\033[0m"

/* s fit for the terminal (ecr_term_safe); *keep holds the copy to free. */
static const char *safe(const char *s, char **keep)
{
    *keep = s ? ecr_term_safe(s) : NULL;
    return *keep ? *keep : s ? "(out of memory)" : "";
}

void console_init(console *c, FILE *out, FILE *err, const console_options *o)
{
    memset(c, 0, sizeof *c);
    c->out = out;
    c->err = err;
    c->o = *o;
}

int console_want_color(FILE *out)
{
    const char *nc = getenv("NO_COLOR");
    return isatty(fileno(out)) && !(nc && nc[0]);
}

/* The status tag, padded to 5 columns, coloured when asked. */
static void tag(console *c, const char *color, const char *text)
{
    if (c->o.color)
        fprintf(c->out, "%s%-5s%s", color, text, C_OFF);
    else
        fprintf(c->out, "%-5s", text);
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

void console_header_baseline(console *c)
{
    if (!c->o.bl)
        return;
    char *path, *target;
    fprintf(c->out, "  baseline   %s  [target %s, %zu expected failure%s]\n",
            safe(c->o.bl->path, &path), safe(c->o.bl->target, &target), c->o.bl->n,
            c->o.bl->n == 1 ? "" : "s");
    free(path);
    free(target);
    fflush(c->out);
}

void console_begin(console *c, size_t ncases)
{
    free(c->slots);
    c->next = 0;
    c->nslots = 0;
    c->slots = ncases ? calloc(ncases, sizeof *c->slots) : NULL;
    if (c->slots)
        c->nslots = ncases;
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
    size_t shown = c->o.verbose || sr->ndiff <= 10 ? sr->ndiff : 8;
    for (size_t k = 0; k < shown; k++) {
        fprintf(f, "      %s: %s\n", n, safe(sr->diff[k], &line));
        free(line);
    }
    if (shown < sr->ndiff)
        fprintf(f, "      %s: ... %zu more (--verbose, or the reports)\n", n, sr->ndiff - shown);
    if (sr->actual && sr->golden) {
        const char *g = safe(sr->golden, &golden), *a = safe(sr->actual, &actual);
        fprintf(f, "      %s: see:    diff -u %s %s\n", n, g, a);
        /* Accepting a third-party target's answer as ECR's would teach the
         * goldens that target's bugs: the hint only where asked for. */
        if (c->o.accept_hint)
            fprintf(f, "      %s: accept: cp %s %s  (then review it: see its \"review\")\n", n, a,
                    g);
        free(golden);
        free(actual);
    }
    free(name);
}

/* The line's fixed part: tag, id, levels, time. */
static void case_line(console *c, const char *color, const char *t, const case_report *cr)
{
    char lv[8];
    char *id;
    tag(c, color, t);
    fprintf(c->out, " %-52s [%-4s] %6.0f ms", safe(cr->id, &id), levels_of(cr, lv, sizeof lv),
            cr->duration_ms);
    free(id);
}

static void print_reason(console *c, const char *prefix, const char *reason)
{
    char *r;
    if (reason) {
        fprintf(c->out, "  %s%s", prefix, safe(reason, &r));
        free(r);
    }
    fputc('\n', c->out);
}

/* One case, as console.h describes. */
static void emit(console *c, const case_report *cr)
{
    const baseline_entry *e = ecrc_baseline_find(c->o.bl, cr->id);
    switch (cr->status) {
    case ECRC_CASE_PASS:
        if (e) {
            case_line(c, C_CYAN, "FIXED", cr);
            print_reason(c, "", "now passes: remove it from the baseline");
        } else if (c->o.verbose) {
            case_line(c, C_GREEN, "PASS", cr);
            fputc('\n', c->out);
        }
        return;
    case ECRC_CASE_FLAKY:
        /* Never a plain pass: it failed once, whatever the retry said. */
        case_line(c, C_YELLOW, "FLAKY", cr);
        print_reason(c, "", cr->reason);
        for (size_t i = 0; i < cr->nsteps; i++)
            print_step_diffs(c, &cr->steps[i]);
        return;
    case ECRC_CASE_SKIP:
        if (c->o.verbose) {
            case_line(c, C_GREY, "SKIP", cr);
            print_reason(c, "", cr->reason);
        }
        return;
    case ECRC_CASE_FAIL:
    case ECRC_CASE_ERROR:
        if (e && e->status == cr->status) {
            c->nexpected++;
            if (!c->o.quiet) {
                case_line(c, C_YELLOW, "XFAIL", cr);
                print_reason(c, "expected (baseline): ", e->reason);
            }
            return;
        }
        case_line(c, C_RED, cr->status == ECRC_CASE_FAIL ? "FAIL" : "ERROR", cr);
        print_reason(c, "", cr->reason);
        if (cr->status == ECRC_CASE_FAIL)
            for (size_t i = 0; i < cr->nsteps; i++)
                print_step_diffs(c, &cr->steps[i]);
        return;
    default:
        case_line(c, "", "?", cr);
        fputc('\n', c->out);
    }
}

static void progress_line(console *c, const runner_progress *p)
{
    if (c->o.progress && p)
        fprintf(c->out, "[%zu/%zu] pass %zu  fail %zu  error %zu  skip %zu", p->done, p->total,
                p->counts[ECRC_CASE_PASS], p->counts[ECRC_CASE_FAIL], p->counts[ECRC_CASE_ERROR],
                p->counts[ECRC_CASE_SKIP]);
}

void console_case(console *c, const case_report *cr, const runner_progress *p)
{
    if (c->o.progress)
        fputs(CLEAR_LINE, c->out);
    if (c->nslots && p && p->index < c->nslots) {
        c->slots[p->index] = cr;
        while (c->next < c->nslots && c->slots[c->next])
            emit(c, c->slots[c->next++]);
    } else {
        emit(c, cr);
    }
    progress_line(c, p);
    fflush(c->out);
}

void console_warn(console *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = ecr_vasprintf(fmt, ap);
    va_end(ap);
    char *text;
    if (c->o.progress) {
        fputs(CLEAR_LINE, c->out);
        fflush(c->out);
    }
    fprintf(c->err, "ecrconform run: %s\n", safe(msg ? msg : "(out of memory)", &text));
    fflush(c->err);
    free(text);
    free(msg);
}

void console_run_done(console *c, int report_alive)
{
    if (c->o.progress) {
        fputs(CLEAR_LINE, c->out);
        fflush(c->out);
    }
    /* A slot never filled (a case the runner did not report) must not hold
     * back the ones after it. */
    while (report_alive && c->next < c->nslots) {
        if (c->slots[c->next])
            emit(c, c->slots[c->next]);
        c->next++;
    }
    free(c->slots);
    c->slots = NULL;
    c->nslots = c->next = 0;
    fflush(c->out);
}

/* The distinct skip reasons with their counts, first-seen order. */
static void print_skips(console *c, const run_report *rep)
{
    char *r;
    for (size_t i = 0; i < rep->ncases; i++) {
        const case_report *a = &rep->cases[i];
        if (a->status != ECRC_CASE_SKIP)
            continue;
        const char *why = a->reason ? a->reason : "no reason given";
        size_t n = 0, seen = 0;
        for (size_t j = 0; j < rep->ncases; j++) {
            const case_report *b = &rep->cases[j];
            if (b->status != ECRC_CASE_SKIP ||
                strcmp(b->reason ? b->reason : "no reason given", why))
                continue;
            if (j < i)
                seen = 1;
            n++;
        }
        if (!seen) {
            fprintf(c->out, "  skipped %zu: %s\n", n, safe(why, &r));
            free(r);
        }
    }
}

void console_summary(console *c, const run_report *rep, const report_summary *s,
                     const char *report_dir, size_t ninvalid)
{
    FILE *f = c->out;
    char *dir;
    fprintf(f, "\n%zu passed, %zu failed, %zu errored, %zu skipped", s->passed, s->failed,
            s->errored, s->skipped);
    if (s->flaky)
        fprintf(f, ", %zu flaky", s->flaky);
    fprintf(f, " (%zu case%s, %.0f ms)\n", s->total, s->total == 1 ? "" : "s", rep->duration_ms);
    fprintf(f,
            "score %.1f%% of %zu run; expectations met: C/D %zu/%zu, I/E %zu/%zu, open %zu/%zu "
            "(C/D includes ECR's headers on %zu/%zu answers)\n",
            s->score * 100.0, s->total - s->skipped, s->cd_passed, s->cd_total, s->ie_passed,
            s->ie_total, s->open_passed, s->open_total, s->headers_passed, s->headers_total);
    if (!c->o.verbose)
        print_skips(c, rep);
    if (ninvalid)
        fprintf(f, "%zu invalid case file%s (run 'ecrconform lint' for every problem)\n", ninvalid,
                ninvalid == 1 ? "" : "s");
    const char *d = safe(report_dir, &dir);
    fprintf(f, "reports: %s/report.json %s/junit.xml %s/report.html %s/summary.md\n", d, d, d, d);
    free(dir);
    fflush(f);
}

void console_verdict(console *c, const run_report *rep, const report_summary *s, int exit_code,
                     size_t ninvalid)
{
    FILE *f = c->out;
    char *tmp;
    size_t expected = s->expected;
    size_t newf = rep->baseline_file ? rep->nregressions : s->failed + s->errored;
    int pass = exit_code == ECRC_EXIT_OK;
    if (c->o.color)
        fputs(pass ? C_BOLD C_GREEN : C_BOLD C_RED, f);
    if (pass)
        fputs("PASS: gate met", f);
    else if (exit_code == ECRC_EXIT_FAIL)
        fputs("FAIL: gate not met", f);
    else if (exit_code == ECRC_EXIT_INVALID)
        fprintf(f, "FAIL: %zu invalid case file%s", ninvalid, ninvalid == 1 ? "" : "s");
    else if (exit_code == ECRC_EXIT_UNREACHABLE)
        fputs("FAIL: the target stopped answering", f);
    else if (exit_code > 128)
        fprintf(f, "FAIL: interrupted by signal %d", exit_code - 128);
    else
        fputs("FAIL: internal error (reports or baseline)", f);
    if (c->o.color)
        fputs(C_OFF, f);
    fprintf(f, " \xe2\x80\x94 %zu new failure%s", newf, newf == 1 ? "" : "s");
    if (rep->baseline_file) {
        fprintf(f, ", %zu fixed; %zu expected failure%s (baseline %s)", rep->nfixed, expected,
                expected == 1 ? "" : "s",
                safe(c->o.bl && c->o.bl->target ? c->o.bl->target : rep->baseline_file, &tmp));
        free(tmp);
    }
    if (s->flaky)
        fprintf(f, ", %zu flaky%s", s->flaky, pass ? " (allowed)" : " (--allow-flaky to accept)");
    fprintf(f, "; %zu passed, %zu skipped of %zu\n", s->passed, s->skipped, s->total);
    fflush(f);
}
