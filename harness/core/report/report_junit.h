/* report_junit.h: the junit.xml writer (ecrc_report_write_junit), for CI systems that render JUnit
 * results.
 *
 * Layout (valid against the Jenkins xUnit plugin's junit-10.xsd, shipped as
 * tests/data/junit/junit-10.xsd): testsuites (no `skipped` attribute) >
 * testsuite name="ecrconform <target>" > one testcase per case,
 * classname="ecrconform.<target>", name=<case id>, file=<case file> line="1"
 * (GitLab's link to the file; not in the schema), time in seconds. fail ->
 * <failure message=reason>diff lines</failure>, error -> <error
 * message=reason>, skip -> <skipped message=reason/>. A failure the baseline
 * expects is reported as <skipped message="expected failure (baseline):
 * <reason>"/>, so CI stays green while the report still shows it; its diff
 * goes to <system-out>. The counts attributes follow the same rule. The
 * schema allows no <properties> in a testcase: a case's properties
 * (baseline=expected-failure, open:<question>=<answer> (step <name>)) are in
 * the suite's <properties> as "case:<id>:<name>", and the answers also as
 * lines of the test case's <system-out>.
 *
 * This module declares nothing beyond report.h: it only implements
 * ecrc_report_write_junit.
 */
#ifndef ECR_REPORT_JUNIT_H
#define ECR_REPORT_JUNIT_H

#include "report.h"

/* Writes r to the file at path (replacing it). Strings are sanitised to
 * valid UTF-8 and secrets redacted (report_text.h). Returns ECR_EIO when the
 * file cannot be written, ECR_ENOMEM, else ECR_OK. */
ecr_result ecrc_report_write_junit(const run_report *r, const char *path);

#endif
