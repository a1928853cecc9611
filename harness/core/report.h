/* report.h: the result model of a run and the writers that turn it into
 * reports (report.json, junit.xml, report.html, summary.md).
 *
 * The runner fills a run_report; writers only read it. Every string in the
 * model is owned by the model and freed by report_free. Credentials never
 * enter the model: the runner redacts Authorization / X-Amz-Security-Token
 * before it records an exchange.
 */
#ifndef ECR_REPORT_H
#define ECR_REPORT_H

#include <stddef.h>
#include "result.h"

typedef enum case_status { CASE_PASS = 0, CASE_FAIL, CASE_ERROR, CASE_SKIP } case_status;

/* "pass", "fail", "error", "skip" */
const char *case_status_name(case_status s);

typedef struct step_report {
    char *name;
    char *operation;
    char *level;    /* golden provenance "C"/"D"/"I"/"E" */
    char *request;  /* "POST / ...headers...\n\nbody", redacted; may be NULL */
    char *response; /* "HTTP 200\nheaders\n\nbody"; may be NULL */
    char **diff;    /* lines "path: expected X, got Y" */
    size_t ndiff;
    int passed;
} step_report;

typedef struct case_report {
    char *id;
    char *file;
    char *summary;
    case_status status;
    char *reason; /* why error/skip/fail (one line); NULL for pass */
    char **covers;
    size_t ncovers;
    char *level; /* weakest provenance among the case's goldens: "C".."E" */
    double duration_ms;
    step_report *steps;
    size_t nsteps;
    int baseline_expected; /* 1: listed in the baseline as an expected failure */
    char *baseline_reason; /* the baseline's reason, or NULL */
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
    size_t cd_total, cd_passed; /* cases whose level is C or D, not skipped */
    size_t ie_total, ie_passed; /* cases whose level is I or E, not skipped */
    double score;               /* passed / (total - skipped), 0 when nothing ran */
} report_summary;

/* Computes the summary. Cannot fail. */
void report_summarize(const run_report *r, report_summary *s);

/* Writes report.json / junit.xml / report.html / summary.md into dir (which
 * must exist). Each returns ECR_EIO when the file cannot be written,
 * ECR_ENOMEM, else ECR_OK. */
ecr_result report_write_json(const run_report *r, const char *path);
ecr_result report_write_junit(const run_report *r, const char *path);
ecr_result report_write_html(const run_report *r, const char *path);
ecr_result report_write_markdown(const run_report *r, const char *path);

/* Writes all four into dir, creating dir when missing. Returns the first
 * failure (after trying all four). */
ecr_result report_write_all(const run_report *r, const char *dir);

/* Reads a report.json written by report_write_json back into a model (for
 * `compare` and `baseline`). Returns NULL and sets *err (static text) when the
 * file is unreadable or not a report. Steps' request/response are not read. */
run_report *report_read_json(const char *path, const char **err);

/* Frees everything; r may be NULL. */
void report_free(run_report *r);

#endif
