/* report_markdown.h: the summary.md writer (ecrc_report_write_markdown): a short Markdown summary
 * for CI step summaries and PR comments.
 *
 * Contents: a headline with the score and counts, a table by provenance
 * level, the failures (id, status, first diff line or reason, baseline mark),
 * the skipped cases with their reasons, and the baseline's regressions and
 * fixed entries when a baseline was applied. Lists stop after
 * MARKDOWN_LIST_MAX items ("... and N more, see report.html") so a broken
 * target cannot blow up a PR comment. Every string is Markdown-escaped and
 * redacted (report_text.h).
 *
 * This module declares nothing beyond report.h and that limit.
 */
#ifndef ECR_REPORT_MARKDOWN_H
#define ECR_REPORT_MARKDOWN_H

#include "report.h"

#define MARKDOWN_LIST_MAX 50

/* Writes r to the file at path (replacing it). Strings are sanitised to
 * valid UTF-8 and secrets redacted (report_text.h). Returns ECR_EIO when the
 * file cannot be written, ECR_ENOMEM, else ECR_OK. */
ecr_result ecrc_report_write_markdown(const run_report *r, const char *path);

#endif
