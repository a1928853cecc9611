/* matrix.h: `ecrconform compare REPORT.json...`: one table of cases (rows)
 * by targets (columns) from several runs, written as compare.html and
 * compare.md.
 *
 * Rows are the union of all case ids, sorted; columns are labelled by each
 * report's target name, a repeated name getting " (2)", " (3)", ...; each
 * cell is the case's status (pass/fail/error/skip, "absent" when that run did
 * not have the case), with "expected" added for failures a baseline expects.
 * Rows where the targets disagree are marked, and so are rows where one
 * target skipped a case another ran (a pass beside a skip is no agreement). Below the rows: the
 * score of each target (passed / (total - skipped)) overall and by provenance level. Strings are
 * escaped and redacted like the run reports (report_text.h).
 */
#ifndef ECR_MATRIX_H
#define ECR_MATRIX_H

#include "ecrc.h"

#include <stddef.h>
#include "ecr/diag.h"
#include "report.h"
#include "ecr/result.h"

/* Writes compare.html and compare.md into dir (created when missing) for
 * reports[0..n) (borrowed; n >= 1). Returns ECR_EINVAL when n is 0, ECR_EIO
 * when dir or a file cannot be written, ECR_ENOMEM, else ECR_OK (after
 * trying both files, the first failure). */
ecr_result ecrc_matrix_write(const run_report *const *reports, size_t n, const char *dir);

/* As ecrc_matrix_write, and each cell of column i links to
 * hrefs[i] + "#case-<id>" (the case in that run's report.html); hrefs (and
 * any hrefs[i]) may be NULL: no links. Borrowed. */
ecr_result ecrc_matrix_write_linked(const run_report *const *reports, const char *const *hrefs,
                                    size_t n, const char *dir);

#endif
