/* report.h: the result model of a run and the writers that turn it into
 * reports (report.json, junit.xml, report.html, summary.md).
 *
 * The runner fills a run_report; writers only read it. Every string in the
 * model is owned by the model and freed by ecrc_report_free. Credentials never
 * enter the model: the runner redacts Authorization / X-Amz-Security-Token
 * before it records an exchange. The writers redact again, defensively
 * (report_text.h), because a report is published as a CI artifact.
 *
 * The four writers live in report_json.c, report_junit.c, report_html.c and
 * report_markdown.c; this header is their public facade.
 */
#ifndef ECR_REPORT_H
#define ECR_REPORT_H

#include "ecrc.h"

#include <stddef.h>
#include "ecr/result.h"

/* passed / ran as a fraction, 0 when ran is 0. Cannot fail. */
double ecrc_report_score(size_t passed, size_t ran);

/* 1 when c failed or errored and the baseline lists it as an expected
 * failure, else 0 (also for a NULL c). Cannot fail. */
int ecrc_report_case_expected_failure(const case_report *c);

/* The one line that best explains a case's result: the first diff line of the
 * first step that has one, else the reason, else "". Borrowed from c. */
const char *ecrc_report_case_headline(const case_report *c);

/* The gate a run's reports lead with: with a baseline applied
 * (r->baseline_file) it is met when no failure is outside the baseline, else
 * when no case failed or errored; and no case may be flaky unless the run
 * allowed it (r->allow_flaky): the exit code's rules (ecrc_verdict). */
typedef struct report_gate {
    int met;             /* 1: the gate is met */
    size_t new_failures; /* fail/error cases the baseline does not expect (all without one) */
    size_t fixed;        /* baseline entries that pass now */
    size_t expected;     /* fail/error cases the baseline expects */
    size_t flaky;        /* passed only on a retry: the gate fails on them... */
    int flaky_allowed;   /* ...unless 1: the run had --allow-flaky */
} report_gate;

/* Fills *g from r and its summary s. Cannot fail. */
void ecrc_report_gate(const run_report *r, const report_summary *s, report_gate *g);

/* Coverage: one entry per distinct label of the cases' covers
 * ("failureCode:ImageNotFound", "exception:...", "behaviour:..."), sorted by
 * label. A case listing a label twice counts once. */
typedef struct coverage_entry {
    const char *label;               /* borrowed from the report */
    size_t count[ECRC_CASE_NSTATUS]; /* cases per case_status */
    size_t total;
    size_t *cases; /* owned: indexes into run_report.cases, in report order */
    size_t ncases;
} coverage_entry;

typedef struct report_coverage {
    coverage_entry *entries; /* owned */
    size_t n;
} report_coverage;

/* Builds the coverage of r into *out (which borrows labels from r, so free it
 * before r). Returns ECR_ENOMEM (*out empty) or ECR_OK. */
ecr_result ecrc_report_coverage_build(const run_report *r, report_coverage *out);

/* Frees what ecrc_report_coverage_build allocated; c may be NULL. */
void ecrc_report_coverage_free(report_coverage *c);

/* The failure codes BatchDeleteImage can return (botocore model,
 * docs/ECR-BEHAVIOUR.md#failure-codes), NULL-terminated. The HTML coverage matrix lists every one
 * of them, so a code no case covers shows up as a gap. */
extern const char *const ecrc_report_known_failure_codes[];

#endif
