/* causes.h: failures grouped by cause, for the reports that lead with the
 * verdict (report.html, summary.md): when 126 cases error on one wrong key,
 * or 120 fail only on the target's request-id header, the first screen says
 * so once instead of 126 times.
 *
 * A case's cause is what is left of its failure once the values that change
 * from run to run are replaced by their shape (causes_normalise): for an
 * error its reason; for a failure the set of its diff lines (path, expected,
 * got), whatever step they came from. Cases with the same cause form a group.
 * Separately, each normalised diff line shared by several failing cases is a
 * "line group" (the request-id check failing on 120 cases, beside whatever
 * else each of them does wrong).
 */
#ifndef ECR_CAUSES_H
#define ECR_CAUSES_H

#include <stddef.h>

#include "report.h"

typedef struct cause_group {
    char *key;          /* owned: the normalised reason or diff lines, '\n'-separated */
    case_status status; /* ECRC_CASE_FAIL or ECRC_CASE_ERROR */
    size_t *cases;      /* owned: indexes into run_report.cases, in report order */
    size_t n;
    size_t nexpected; /* of which the baseline expects */
} cause_group;

typedef struct cause_list {
    cause_group *groups; /* by case count, most first; ties in report order */
    size_t n;
    cause_group *lines; /* single diff lines shared by two or more failing cases, same order */
    size_t nlines;
    size_t nfailing; /* fail + error cases of the report */
} cause_list;

/* line with run-to-run values replaced by their shape: the run and case in
 * repository names ("ecrc-1a2b3c4d/case-id/app" -> "ecrc-RUN/CASE/app") and any run of 20 or
 * more letters and digits holding both ("<52-char token>"). Returns a new
 * string (the caller frees it), or NULL when memory ran out. */
char *ecrc_causes_normalise(const char *line);

/* Groups the fail and error cases of r into *out. Returns ECR_ENOMEM (*out
 * then empty but safe to free) or ECR_OK. Free with ecrc_causes_free. */
ecr_result ecrc_causes_build(const run_report *r, cause_list *out);

/* Frees what ecrc_causes_build allocated; l may be NULL. */
void ecrc_causes_free(cause_list *l);

#endif
