#include "report_junit.h"

#include <stdio.h>

#include "report_text.h"

/* Writes every diff line of c, one per line, as XML text. */
static void write_diff_text(FILE *f, const case_report *c)
{
    int any = 0;
    for (size_t i = 0; i < c->nsteps; i++) {
        const step_report *s = &c->steps[i];
        for (size_t k = 0; k < s->ndiff; k++) {
            if (any)
                fputc('\n', f);
            if (s->name) {
                fputs("[", f);
                ecrc_report_text_xml(f, s->name, 0);
                fputs("] ", f);
            }
            ecrc_report_text_xml(f, s->diff[k], 0);
            any = 1;
        }
    }
    if (!any)
        ecrc_report_text_xml(f, c->reason, 0);
}

static void write_attr(FILE *f, const char *name, const char *value)
{
    fprintf(f, " %s=\"", name);
    ecrc_report_text_xml(f, value, 1);
    fputc('"', f);
}

/* The test case's properties, moved to the suite's <properties>: the Jenkins
 * schema (junit-10.xsd) allows none inside <testcase>. Each is named
 * "case:<id>:<name>": "baseline" (expected-failure) and one "open:<question>"
 * per answer the target gave to an open question ("<answer> (step <name>)"). */
static void write_case_properties(FILE *f, const case_report *c)
{
    const char *id = c->id ? c->id : "?";
    if (ecrc_report_case_expected_failure(c)) {
        fputs("      <property name=\"case:", f);
        ecrc_report_text_xml(f, id, 1);
        fputs(":baseline\" value=\"expected-failure\"/>\n", f);
    }
    for (size_t i = 0; i < c->nsteps; i++)
        for (size_t k = 0; k < c->steps[i].nanswers; k++) {
            const step_answer *a = &c->steps[i].answers[k];
            fputs("      <property name=\"case:", f);
            ecrc_report_text_xml(f, id, 1);
            fputs(":open:", f);
            ecrc_report_text_xml(f, a->question ? a->question : "?", 1);
            fputs("\" value=\"", f);
            ecrc_report_text_xml(f, a->answer ? a->answer : "?", 1);
            fputs(" (step ", f);
            ecrc_report_text_xml(f, c->steps[i].name ? c->steps[i].name : "?", 1);
            fputs(")\"/>\n", f);
        }
}

/* The same answers as text lines, for readers of the test case alone. */
static int write_answer_lines(FILE *f, const case_report *c)
{
    int any = 0;
    for (size_t i = 0; i < c->nsteps; i++)
        for (size_t k = 0; k < c->steps[i].nanswers; k++) {
            const step_answer *a = &c->steps[i].answers[k];
            fputs("open:", f);
            ecrc_report_text_xml(f, a->question ? a->question : "?", 0);
            fputs(": ", f);
            ecrc_report_text_xml(f, a->answer ? a->answer : "?", 0);
            fputs(" (step ", f);
            ecrc_report_text_xml(f, c->steps[i].name ? c->steps[i].name : "?", 0);
            fputs(")\n", f);
            any = 1;
        }
    return any;
}

static size_t count_answers(const case_report *c)
{
    size_t n = 0;
    for (size_t i = 0; i < c->nsteps; i++)
        n += c->steps[i].nanswers;
    return n;
}

static void write_case(FILE *f, const run_report *r, const case_report *c)
{
    fputs("    <testcase", f);
    fputs(" classname=\"ecrconform.", f);
    ecrc_report_text_xml(f, r->target ? r->target : "unnamed", 1);
    fputc('"', f);
    write_attr(f, "name", c->id);
    /* GitLab links a test case to its file; the schema does not name these
     * two attributes, and Jenkins ignores attributes it does not know. */
    if (c->file) {
        write_attr(f, "file", c->file);
        fputs(" line=\"1\"", f);
    }
    fputs(" time=\"", f);
    ecrc_report_text_seconds(f, c->duration_ms);
    fputc('"', f);

    if (ecrc_report_case_expected_failure(c)) {
        fputs(">\n      <skipped message=\"expected failure (baseline): ", f);
        ecrc_report_text_xml(f, c->baseline_reason ? c->baseline_reason : c->reason, 1);
        fputs("\"/>\n      <system-out>baseline: expected-failure\n", f);
        fprintf(f, "%s: ", ecrc_case_status_name(c->status));
        ecrc_report_text_xml(f, c->reason, 0);
        fputc('\n', f);
        write_diff_text(f, c);
        if (count_answers(c))
            fputc('\n', f);
        write_answer_lines(f, c);
        fputs("</system-out>\n    </testcase>\n", f);
        return;
    }
    switch (c->status) {
    case ECRC_CASE_PASS:
        if (!count_answers(c)) {
            fputs("/>\n", f);
            return;
        }
        fputs(">\n      <system-out>", f);
        write_answer_lines(f, c);
        fputs("</system-out>\n    </testcase>\n", f);
        return;
    case ECRC_CASE_FLAKY:
        /* Surefire's and Jenkins' own word: passed on a rerun after this. */
        fputs(">\n      <flakyFailure", f);
        write_attr(f, "message", c->reason ? c->reason : "flaky");
        fputs(" type=\"flaky\">", f);
        write_diff_text(f, c);
        fputs("</flakyFailure>\n    </testcase>\n", f);
        return;
    case ECRC_CASE_SKIP:
        fputs(">\n      <skipped", f);
        write_attr(f, "message", c->reason);
        fputs("/>\n    </testcase>\n", f);
        return;
    case ECRC_CASE_FAIL:
    case ECRC_CASE_ERROR: {
        const char *tag = c->status == ECRC_CASE_FAIL ? "failure" : "error";
        fprintf(f, ">\n      <%s", tag);
        write_attr(f, "message", c->reason ? c->reason : ecrc_report_case_headline(c));
        fprintf(f, " type=\"%s\">", ecrc_case_status_name(c->status));
        write_diff_text(f, c);
        fprintf(f, "</%s>\n", tag);
        if (count_answers(c)) {
            fputs("      <system-out>", f);
            write_answer_lines(f, c);
            fputs("</system-out>\n", f);
        }
        fputs("    </testcase>\n", f);
        return;
    }
    }
    fputs("/>\n", f); /* an out-of-range status: listed, judged by nobody */
}

ecr_result ecrc_report_write_junit(const run_report *r, const char *path)
{
    size_t failures = 0, errors = 0, skipped = 0;
    for (size_t i = 0; i < r->ncases; i++) {
        const case_report *c = &r->cases[i];
        if (ecrc_report_case_expected_failure(c) || c->status == ECRC_CASE_SKIP)
            skipped++;
        else if (c->status == ECRC_CASE_FAIL)
            failures++;
        else if (c->status == ECRC_CASE_ERROR)
            errors++;
    }

    ecr_atomic_file af;
    if (ecr_atomic_open(&af, path) != ECR_OK)
        return ECR_EIO;
    FILE *f = af.f;
    const char *target = r->target ? r->target : "unnamed";
    fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", f);
    fprintf(f,
            "<testsuites name=\"ecrconform\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\""
            " time=\"",
            r->ncases, failures, errors);
    ecrc_report_text_seconds(f, r->duration_ms);
    fputs("\">\n  <testsuite name=\"ecrconform ", f);
    ecrc_report_text_xml(f, target, 1);
    fprintf(f, "\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" skipped=\"%zu\" time=\"",
            r->ncases, failures, errors, skipped);
    ecrc_report_text_seconds(f, r->duration_ms);
    fputc('"', f);
    if (r->started_at)
        write_attr(f, "timestamp", r->started_at);
    fputs(">\n    <properties>\n", f);
    fputs("      <property name=\"endpoint\"", f);
    write_attr(f, "value", r->endpoint ? r->endpoint : "");
    fputs("/>\n      <property name=\"harness_version\"", f);
    write_attr(f, "value", r->harness_version ? r->harness_version : "");
    fputs("/>\n", f);
    if (r->insecure)
        fputs("      <property name=\"insecure\" value=\"true: TLS certificates were not "
              "verified\"/>\n",
              f);
    if (r->allow_flaky)
        fputs("      <property name=\"allow_flaky\" value=\"true: flaky cases do not fail the "
              "gate\"/>\n",
              f);
    if (r->manifest_only) {
        fputs("      <property name=\"manifest_only_pushes\"", f);
        write_attr(f, "value", r->manifest_only);
        fputs("/>\n", f);
    }
    if (r->baseline_file) {
        fputs("      <property name=\"baseline_file\"", f);
        write_attr(f, "value", r->baseline_file);
        fputs("/>\n", f);
    }
    for (size_t i = 0; i < r->ncases; i++)
        write_case_properties(f, &r->cases[i]);
    fputs("    </properties>\n", f);
    for (size_t i = 0; i < r->ncases; i++)
        write_case(f, r, &r->cases[i]);
    fputs("  </testsuite>\n</testsuites>\n", f);
    return ecrc_report_text_close(&af);
}
