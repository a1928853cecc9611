/* baseline.h: expected failures per target (baselines/<target>.json).
 *
 * A baseline lists the cases a given target is known to fail, each with the
 * reason, so CI can stay green on a target that diverges from AWS while every
 * new divergence (a regression) still fails the build:
 *
 *   {"target": "moto-5.2.1", "description": "...",
 *    "expected_failures": [{"id": "<case id>", "reason": "<why>"}]}
 *
 * An entry covers a case with the status it names: "status" is "fail" (the
 * default) or "error"; a case that fails when the entry expects an error, or
 * errors when it expects a failure, is a regression. A baseline never
 * hides anything from the reports: the case keeps its status and the writers
 * label it (report.h: baseline_expected).
 */
#ifndef ECR_BASELINE_H
#define ECR_BASELINE_H

#include "ecrc.h"

#include <stddef.h>
#include "ecr/diag.h"
#include "report.h"
#include "ecr/result.h"

/* The entry for case id, or NULL. Borrowed from b. */
const baseline_entry *ecrc_baseline_find(const baseline *b, const char *id);

#endif
