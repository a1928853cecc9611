/* console.h: what `ecrconform run` shows on the terminal: the header (target,
 * endpoint, credentials source, baseline), then only what needs attention in
 * the corpus order whatever --jobs (new failures and errors with their diffs,
 * expected failures one line each, fixed baseline entries, flaky cases
 * (passed only on a retry) with their first attempt's diffs; passes and skips
 * only with --verbose), the live progress line (only on a terminal, or with
 * --progress), in-run warnings, the summary and, last, the verdict line that
 * leads with the gate result.
 *
 * Every text that came from a file or a peer (case ids, reasons, diff lines,
 * paths, target names) goes through ecr_term_safe first, so it cannot drive
 * the terminal. Nothing here fails: a write error on the console is not a
 * reason to stop a run (memory running out for the ordering buffer only makes
 * cases print as they finish).
 */
#ifndef ECR_CONSOLE_H
#define ECR_CONSOLE_H

#include <stddef.h>
#include <stdio.h>

#include "ecrc.h"

typedef struct console_options {
    int progress;       /* nonzero: a live progress line, redrawn after each case */
    int verbose;        /* nonzero: every diff line, and PASS/SKIP lines too */
    int quiet;          /* nonzero: expected failures only as a count */
    int color;          /* nonzero: ANSI colours on the status tags and the verdict */
    int accept_hint;    /* nonzero: print the `cp ACTUAL GOLDEN` accept hint */
    const baseline *bl; /* borrowed; NULL: no baseline */
} console_options;

typedef struct console {
    FILE *out; /* header, result lines, progress, summary, verdict (stdout) */
    FILE *err; /* warnings (stderr) */
    console_options o;
    const case_report **slots; /* finished cases waiting for their turn, by index */
    size_t nslots;             /* cases in the run; 0: print as they finish */
    size_t next;               /* the first index not printed yet */
    size_t nexpected;          /* expected failures seen (printed or counted) */
} console;

/* Sets up c; out, err and o->bl are borrowed. Cannot fail. */
void console_init(console *c, FILE *out, FILE *err, const console_options *o);

/* Whether to colour out: a terminal, and NO_COLOR unset or empty
 * (https://no-color.org). Cannot fail. */
int console_want_color(FILE *out);

/* "ecrconform VERSION: N cases against NAME (ENDPOINT), fault injection, strict auth". */
void console_header(console *c, const target_info *t, size_t ncases);

/* The header's baseline line (nothing without a baseline). */
void console_header_baseline(console *c);

/* Prepares the in-order printing of a run of ncases cases (ncases slots). When
 * memory runs out cases print as they finish. */
void console_begin(console *c, size_t ncases);

/* One finished case (from the runner's on_case_done, serialised): kept until
 * every case before it (p->index) has finished, then printed in order: for a
 * new failure or error its diff lines (cut after 8 unless verbose when there
 * are more than 10) and, where the actual response was recorded, the
 * `diff -u` hint and (o.accept_hint) the `cp` hint; an expected failure one
 * line; a baseline entry that passes a FIXED line; then the progress line. cr
 * must stay valid until it is printed (it belongs to the run's report). */
void console_case(console *c, const case_report *cr, const runner_progress *p);

/* A warning on err ("ecrconform run: " + text), after clearing the progress
 * line so the two do not share a line. */
void console_warn(console *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Clears the progress line once the run is over, prints the cases still
 * waiting behind one the runner never reported (only when report_alive: the
 * run's report, which they belong to, still exists), and frees the slots. */
void console_run_done(console *c, int report_alive);

/* The summary after the run: counts, score by level, skip reasons, invalid
 * files, where the reports are. */
void console_summary(console *c, const run_report *rep, const report_summary *s,
                     const char *report_dir, size_t ninvalid);

/* The last line: the gate result first ("PASS: gate met — ..." or
 * "FAIL: ..."), from the exit code the verdict gave. */
void console_verdict(console *c, const run_report *rep, const report_summary *s, int exit_code,
                     size_t ninvalid);

#endif
