/* report_html.h: the report.html writer (ecrc_report_write_html).
 *
 * One self-contained file: inline CSS, no script, no external resource;
 * cases expand with <details>. Sections: header (target, endpoint, version,
 * date), score overall and by provenance level (C/D vs I/E), baseline
 * (when applied), coverage matrix (every failureCode:/exception: label, plus
 * every failure code of BatchDeleteImage no case covers, then the other
 * labels), failures (fail and error) with their diffs, skipped cases with
 * their reasons, then every case with its steps' request, response and diff.
 * Every string is HTML-escaped and redacted (report_text.h).
 *
 * This module declares nothing beyond report.h.
 */
#ifndef ECR_REPORT_HTML_H
#define ECR_REPORT_HTML_H

#include "report.h"

/* Writes r to the file at path (replacing it). Strings are sanitised to
 * valid UTF-8 and secrets redacted (report_text.h). Returns ECR_EIO when the
 * file cannot be written, ECR_ENOMEM, else ECR_OK. */
ecr_result ecrc_report_write_html(const run_report *r, const char *path);

#endif
