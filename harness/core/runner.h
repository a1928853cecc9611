/* runner.h: runs loaded cases against a target and builds the run_report.
 *
 * For each case: capability check (skip), run-unique variables, fixture
 * through the public ECR API (CreateRepository, PutImage with imageDigest),
 * faults through the control interface, every step sent and compared with its
 * golden, and a teardown (faults cleared, repositories force-deleted) that
 * runs whatever happened before. Cases are isolated, so they run on `jobs`
 * worker threads, each with its own client (and connection).
 */
#ifndef ECR_RUNNER_H
#define ECR_RUNNER_H

#include <stdio.h>
#include "awsclient.h"
#include "casefile.h"
#include "report.h"
#include "target.h"

/* One entry of a run: a loaded case, or a file that failed to load. */
typedef struct run_entry {
    case_def *c;         /* borrowed; NULL when the file is invalid */
    const char *path;    /* the case file */
    const char *invalid; /* the first diagnostic, when c is NULL */
} run_entry;

typedef struct runner_options {
    const target_info *target;
    aws_credentials creds;
    int jobs;               /* >= 1 */
    long timeout_ms;        /* per request */
    const char *report_dir; /* for reports/actual/<case>/<step>.json */
    FILE *out;              /* progress and result lines; NULL: silent */
    int progress;           /* nonzero: a live progress line (a terminal) */
    int verbose;            /* nonzero: print every step's diff, not just the first lines */
} runner_options;

/* Runs every entry (invalid ones become `error` cases) and returns a new
 * report (cases in entry order; the caller frees with report_free), or NULL on
 * allocation failure. Never stops early: a case that errors does not stop the
 * others. Transport failures make the affected case `error`. */
run_report *runner_run(const runner_options *opt, const run_entry *entries, size_t n);

/* The run-unique repository name for fixture repository `name` of case
 * `case_id` in run `run_id`: "ecrc-<run_id>/<case_id>/<name>", padded with
 * "-" then 'x' characters to exactly `length` when length > 0 (a length too
 * short to hold the prefix yields the prefix unpadded). Writes into out
 * (size outsz) and returns out. */
char *runner_repo_name(const char *run_id, const char *case_id, const char *name, int length,
                       char *out, size_t outsz);

#endif
