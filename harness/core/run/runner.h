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

#include "ecrc.h"

#include <stdio.h>
#include "awsclient.h"
#include "casefile.h"
#include "report.h"
#include "target.h"

#endif
