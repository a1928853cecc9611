/* console.h: what `ecrconform run` shows on the terminal: the header, one
 * line per finished case (with its first diff lines and the diff/accept
 * hints), the live progress line (only on a terminal, or with --progress),
 * in-run warnings, and the summary. The runner prints nothing; this module is
 * the one place that decides what the user sees.
 *
 * Every text that came from a file or a peer (case ids, reasons, diff lines,
 * paths, target names) goes through ecr_term_safe first, so it cannot drive
 * the terminal. Nothing here fails: a write error on the console is not a
 * reason to stop a run.
 */
#ifndef ECR_CONSOLE_H
#define ECR_CONSOLE_H

#include <stddef.h>
#include <stdio.h>
#include "ecrc.h"

typedef struct console {
    FILE *out;    /* header, result lines, progress, summary (stdout) */
    FILE *err;    /* warnings (stderr) */
    int progress; /* nonzero: a live progress line, redrawn after each case */
    int verbose;  /* nonzero: every diff line of a failing step, not just the first ones */
} console;

/* Sets up c; out and err are borrowed. Cannot fail. */
void console_init(console *c, FILE *out, FILE *err, int progress, int verbose);

/* "ecrconform VERSION: N cases against NAME (ENDPOINT), fault injection, strict auth". */
void console_header(console *c, const target_info *t, size_t ncases);

/* One finished case: "PASS  id  [levels]  ms  reason", for a failing case
 * its diff lines (cut after 8 unless verbose when there are more than 10)
 * and, where the actual response was recorded, the `diff -u` and `cp`
 * hints; then the progress line. Meant to be called from the runner's
 * on_case_done (serialised). */
void console_case(console *c, const case_report *cr, const runner_progress *p);

/* A warning on err ("ecrconform run: " + text), after clearing the progress
 * line so the two do not share a line. */
void console_warn(console *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Clears the progress line once the run is over. */
void console_run_done(console *c);

/* The summary after the run: counts, score by level, invalid files, the
 * baseline's regressions and fixed entries, where the reports are. */
void console_summary(console *c, const run_report *rep, const report_summary *s,
                     const char *report_dir, size_t ninvalid);

#endif
