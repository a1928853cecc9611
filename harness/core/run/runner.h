/* runner.h: runs loaded cases against a target and builds the run_report.
 *
 * For each case: capability check (skip), run-unique variables, fixture
 * through the public ECR API (CreateRepository, PutImage with imageDigest),
 * faults through the control interface, every step sent and compared with its
 * golden, and a teardown (faults cleared, repositories force-deleted) that
 * runs whatever happened before. Cases are isolated, so they run on `jobs`
 * worker threads, each with its own client (and connection).
 *
 * The runner only runs: it prints nothing and touches no file. Each finished
 * case goes to the caller's callback (runner_options.on_case_done, ecrc.h),
 * the whole run comes back as the report model; the CLI owns the console
 * (harness/cli/console.c) and the report layer every file (report/).
 */
#ifndef ECR_RUNNER_H
#define ECR_RUNNER_H

#include "ecrc.h"

#include "awsclient.h"
#include "casefile.h"
#include "report.h"
#include "target.h"

#endif
