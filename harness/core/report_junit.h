/* report_junit.h: the junit.xml writer (report_write_junit, declared in
 * report.h), for CI systems that render JUnit results.
 *
 * Layout: testsuites > testsuite name="ecrconform <target>" > one testcase
 * per case, classname="ecrconform.<target>", name=<case id>, time in
 * seconds. fail -> <failure message=reason>diff lines</failure>, error ->
 * <error message=reason>, skip -> <skipped message=reason/>. A failure the
 * baseline expects is reported as <skipped message="expected failure
 * (baseline): <reason>"/> with the property baseline=expected-failure, so CI
 * stays green while the report still shows it; its diff goes to
 * <system-out>. The counts attributes follow the same rule.
 *
 * This module declares nothing beyond report.h: it only implements
 * report_write_junit.
 */
#ifndef ECR_REPORT_JUNIT_H
#define ECR_REPORT_JUNIT_H

#include "report.h"

#endif
