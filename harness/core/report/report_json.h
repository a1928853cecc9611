/* report_json.h: the mapping between the result model (report.h) and the
 * report.json document. ecrc_report_write_json is built on
 * ecrc_report_json_build; ecrc_report_read_json on ecrc_report_json_parse.
 *
 * Document: {"harness": {name, version}, "target": {name, endpoint},
 * "started_at", "duration_ms", "summary": {total, passed, failed, errored,
 * skipped, expected_failures, score, "by_level": {"CD": {total, passed,
 * score}, "IE": {...}}}, "coverage": {"<label>": {"cases": [{id, status}],
 * passed, failed, errored, skipped, total}}, "skipped": [{id, reason}],
 * "baseline"?: {file, expected_failures: [{id, reason}], fixed: [id],
 * regressions: [id]}, "cases": [{id, file, summary, status, reason, covers,
 * level, duration_ms, diff, baseline_expected, baseline_reason?, steps:
 * [{name, operation, level, passed, request, response, diff}]}]}.
 */
#ifndef ECR_REPORT_JSON_H
#define ECR_REPORT_JSON_H

#include <json-c/json.h>
#include "report.h"

/* Builds the report.json tree of r. Every string is redacted and sanitised to
 * valid UTF-8 (report_text.h); a NULL string becomes JSON null. Returns a new
 * reference the caller puts, or NULL when memory ran out. */
json_object *ecrc_report_json_build(const run_report *r);

/* Builds one entry of report.json's "cases" array (the same object, built by
 * the same code, so a per-case stream and report.json cannot disagree).
 * Returns a new reference the caller puts, or NULL when memory ran out. */
json_object *ecrc_report_json_build_case(const case_report *c);

/* Writes root (borrowed) to the file at path, replacing it, as pretty JSON
 * with "/" left unescaped: the one layout of every JSON file ecrconform writes
 * (report.json, baselines, actual responses), atomically (ecr_json_save).
 * Every string and member name is written redacted (ecr_redact) and as valid
 * UTF-8, whatever the target sent.
 * Returns ECR_EIO when the file cannot be written, else ECR_OK. */
ecr_result ecrc_report_json_save(json_object *root, const char *path);

/* A deep copy of j (borrowed) in which every string and member name is
 * redacted (ecr_redact) and valid UTF-8: what ecrconform writes of what a
 * target sent, which may hold the secret it was signed with or bytes that
 * would make the file invalid JSON (report files, goldens `record` writes,
 * `diff`'s lines). A new reference, or NULL when memory runs out. */
json_object *ecrc_report_json_clean(json_object *j);

/* Builds a model from a parsed report.json tree (borrowed). Requires an
 * object with harness.name "ecrconform" and a "cases" array whose entries
 * each have a string "id" and a known "status"; everything else is optional
 * and ignored when of the wrong type. Steps' request/response are not read.
 * Returns NULL and sets *err (static text) when root is not a report or
 * memory ran out. The caller frees the result with ecrc_report_free. */
run_report *ecrc_report_json_parse(json_object *root, const char **err);

/* Writes r to the file at path (replacing it). Strings are sanitised to
 * valid UTF-8 and secrets redacted (report_text.h). Returns ECR_EIO when the
 * file cannot be written, ECR_ENOMEM, else ECR_OK. */
ecr_result ecrc_report_write_json(const run_report *r, const char *path);

#endif
