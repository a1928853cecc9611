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

#include <stddef.h>
#include "diag.h"
#include "report.h"
#include "result.h"

typedef struct baseline_entry {
    char *id;
    char *reason;
    case_status status; /* CASE_FAIL (default) or CASE_ERROR: the status expected */
} baseline_entry;

typedef struct baseline {
    char *path;        /* the file it was loaded from */
    char *target;      /* "moto-5.2.1" */
    char *description; /* NULL when absent */
    baseline_entry *entries;
    size_t n;
} baseline;

/* Loads and validates the baseline at path: a JSON object with a non-empty
 * string "target", an optional string "description" and an array
 * "expected_failures" whose entries are objects with a non-empty string "id"
 * and a non-empty string "reason", no id listed twice, and no other members
 * anywhere (a misspelt key is an error, not a silent no-op). Every problem is
 * added to diags as `path: field: message`. Returns NULL when anything was
 * wrong (at least one diagnostic added) or memory ran out; the caller frees
 * the result with baseline_free. */
baseline *baseline_load(const char *path, diag_list *diags);

/* Frees b; b may be NULL. */
void baseline_free(baseline *b);

/* The entry for case id, or NULL. Borrowed from b. */
const baseline_entry *baseline_find(const baseline *b, const char *id);

/* Applies b to r (idempotent: earlier marks are cleared first):
 *  - every fail/error case listed in b gets baseline_expected = 1 and a copy
 *    of the entry's reason in baseline_reason;
 *  - r->fixed lists the entries whose case now passes (in baseline order);
 *  - r->regressions lists the fail/error cases not in b (in report order);
 *  - r->baseline_file is a copy of b->path.
 * Entries whose case is skipped or absent from r are neither fixed nor
 * regressions (the run may have been filtered). The target names are not
 * compared: choosing the file is the caller's business. Returns ECR_ENOMEM
 * (r may then be partly marked; report_free still frees it) or ECR_OK. */
ecr_result baseline_apply(const baseline *b, run_report *r);

/* Decides the run's verdict: returns 0 when r has no regressions, else
 * failure_code. Without an applied baseline (r->baseline_file NULL) every
 * fail/error case is a regression. Cannot fail. */
int baseline_exit_code(const run_report *r, int failure_code);

/* Writes a baseline listing every fail/error case of r, in report order,
 * with reason "TODO: confirm: " + the case's first diff line or reason
 * (report_case_headline), or + default_reason when the case has neither.
 * A case already expected by an applied baseline keeps that baseline's reason
 * instead, so regenerating does not undo human edits. target NULL uses
 * r->target; default_reason NULL uses "no reason recorded". The file is
 * replaced. Returns ECR_EIO when it cannot be written, ECR_ENOMEM, else
 * ECR_OK. */
ecr_result baseline_write_from_report(const run_report *r, const char *path, const char *target,
                                      const char *default_reason);

#endif
