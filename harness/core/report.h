/* report.h: the result model of a run and the writers that turn it into
 * reports (report.json, junit.xml, report.html, summary.md).
 *
 * The runner fills a run_report; writers only read it. Every string in the
 * model is owned by the model and freed by report_free. Credentials never
 * enter the model: the runner redacts Authorization / X-Amz-Security-Token
 * before it records an exchange. The writers redact again, defensively
 * (report_text.h), because a report is published as a CI artifact.
 *
 * The four writers live in report_json.c, report_junit.c, report_html.c and
 * report_markdown.c; this header is their public facade.
 */
#ifndef ECR_REPORT_H
#define ECR_REPORT_H

#include <stddef.h>
#include "result.h"

typedef enum case_status { CASE_PASS = 0, CASE_FAIL, CASE_ERROR, CASE_SKIP } case_status;
#define CASE_NSTATUS 4

/* "pass", "fail", "error", "skip"; "unknown" for a value out of range. */
const char *case_status_name(case_status s);

/* Parses a status name (exact, lower case). Returns 0 and sets *out, or -1
 * when name is NULL or not one of the four. */
int case_status_parse(const char *name, case_status *out);

typedef struct step_report {
    char *name;
    char *operation;
    char *level;    /* golden provenance "C"/"D"/"I"/"E" */
    char *request;  /* "POST / ...headers...\n\nbody", redacted; may be NULL */
    char *response; /* "HTTP 200\nheaders\n\nbody"; may be NULL */
    char **diff;    /* lines "path: expected X, got Y" */
    size_t ndiff;
    int passed;
    char *golden; /* the golden file's path; may be NULL */
    char *actual; /* the actual response in golden form, written for a failing step; or NULL */
} step_report;

typedef struct case_report {
    char *id;
    char *file;
    char *summary;
    case_status status;
    char *reason; /* why error/skip/fail (one line); NULL for pass */
    char **covers;
    size_t ncovers;
    char *level; /* weakest provenance among the case's goldens: "C".."E"; NULL: unknown */
    double duration_ms;
    step_report *steps;
    size_t nsteps;
    int baseline_expected; /* 1: listed in the baseline as an expected failure */
    char *baseline_reason; /* the baseline's reason, or NULL */
    int transport_error;   /* 1: the error was the target not answering (not kept in report.json) */
} case_report;

typedef struct run_report {
    char *target;          /* label: "built-in", "moto", ... */
    char *endpoint;        /* URL */
    char *harness_version; /* ECRCONFORM_VERSION */
    char *started_at;      /* ISO 8601 UTC */
    double duration_ms;
    case_report *cases; /* in case-id order */
    size_t ncases;
    /* Baseline bookkeeping (filled by baseline_apply; NULL/0 otherwise). */
    char *baseline_file;
    char **fixed; /* baseline entries that now pass */
    size_t nfixed;
    char **regressions; /* failures not in the baseline */
    size_t nregressions;
} run_report;

typedef struct report_summary {
    size_t total, passed, failed, errored, skipped;
    /* Expectations (step goldens) of non-skipped cases, by provenance level:
     * C or D, and I or E. A case without steps counts once at its own level. */
    size_t cd_total, cd_passed;
    size_t ie_total, ie_passed;
    double score;    /* passed / (total - skipped), 0 when nothing ran */
    size_t expected; /* fail/error cases the baseline expects (still counted as failed/errored) */
} report_summary;

/* Computes the summary. A case with no level (NULL or not C/D/I/E) counts in
 * the totals but in neither level. Cannot fail; r may hold zero cases. */
void report_summarize(const run_report *r, report_summary *s);

/* passed / ran as a fraction, 0 when ran is 0. Cannot fail. */
double report_score(size_t passed, size_t ran);

/* 1 when c failed or errored and the baseline lists it as an expected
 * failure, else 0 (also for a NULL c). Cannot fail. */
int report_case_expected_failure(const case_report *c);

/* The one line that best explains a case's result: the first diff line of the
 * first step that has one, else the reason, else "". Borrowed from c. */
const char *report_case_headline(const case_report *c);

/* Coverage: one entry per distinct label of the cases' covers
 * ("failureCode:ImageNotFound", "exception:...", "behaviour:..."), sorted by
 * label. A case listing a label twice counts once. */
typedef struct coverage_entry {
    const char *label;          /* borrowed from the report */
    size_t count[CASE_NSTATUS]; /* cases per case_status */
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
ecr_result report_coverage_build(const run_report *r, report_coverage *out);

/* Frees what report_coverage_build allocated; c may be NULL. */
void report_coverage_free(report_coverage *c);

/* The failure codes BatchDeleteImage can return (botocore model, reference
 * section 3), NULL-terminated. The HTML coverage matrix lists every one of
 * them, so a code no case covers shows up as a gap. */
extern const char *const report_known_failure_codes[];

/* Writers. Each writes one file at path (replacing it). Strings are
 * sanitised to valid UTF-8 and secrets redacted (report_text.h). Each returns
 * ECR_EIO when the file cannot be written, ECR_ENOMEM, else ECR_OK. */
ecr_result report_write_json(const run_report *r, const char *path);
ecr_result report_write_junit(const run_report *r, const char *path);
ecr_result report_write_html(const run_report *r, const char *path);
ecr_result report_write_markdown(const run_report *r, const char *path);

/* Writes report.json, junit.xml, report.html and summary.md into dir,
 * creating dir (and its parents) when missing. Returns the first failure
 * (after trying all four); ECR_EIO when dir cannot be created. */
ecr_result report_write_all(const run_report *r, const char *dir);

/* mkdir -p: creates dir and its missing parents (mode 0777 before umask).
 * Returns ECR_EIO when that fails or dir exists but is not a directory. */
ecr_result report_make_dirs(const char *dir);

/* Reads a report.json written by report_write_json back into a model (for
 * `compare` and `baseline`). Returns NULL and sets *err (static text) when the
 * file is unreadable, larger than REPORT_READ_MAX, not JSON or not a report;
 * never crashes on garbage. Steps' request/response are not read (NULL). The
 * caller frees the result with report_free. err may be NULL. */
#define REPORT_READ_MAX (256u * 1024u * 1024u)
run_report *report_read_json(const char *path, const char **err);

/* Frees everything; r may be NULL. Also usable on a partially built model as
 * long as unused members are zero (calloc). */
void report_free(run_report *r);

#endif
