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

static size_t count_answers(const case_report *c)
{
    size_t n = 0;
    for (size_t i = 0; i < c->nsteps; i++)
        n += c->steps[i].nanswers;
    return n;
}

/* One property per answer the target gave to an open question:
 * name "open:<question>", value "<answer> (step <name>)". */
static void write_answers(FILE *f, const case_report *c)
{
    for (size_t i = 0; i < c->nsteps; i++)
        for (size_t k = 0; k < c->steps[i].nanswers; k++) {
            const step_answer *a = &c->steps[i].answers[k];
            char name[300], value[600];
            snprintf(name, sizeof name, "open:%s", a->question ? a->question : "?");
            snprintf(value, sizeof value, "%s (step %s)", a->answer ? a->answer : "?",
                     c->steps[i].name ? c->steps[i].name : "?");
            fputs("<property", f);
            write_attr(f, "name", name);
            write_attr(f, "value", value);
            fputs("/>", f);
        }
}

static void write_case(FILE *f, const run_report *r, const case_report *c)
{
    fputs("    <testcase", f);
    fputs(" classname=\"ecrconform.", f);
    ecrc_report_text_xml(f, r->target ? r->target : "unnamed", 1);
    fputc('"', f);
    write_attr(f, "name", c->id);
    fputs(" time=\"", f);
    ecrc_report_text_seconds(f, c->duration_ms);
    fputc('"', f);

    if (ecrc_report_case_expected_failure(c)) {
        fputs(">\n      <properties><property name=\"baseline\" value=\"expected-failure\"/>", f);
        write_answers(f, c);
        fputs("</properties>\n      <skipped message=\"expected failure (baseline): ", f);
        ecrc_report_text_xml(f, c->baseline_reason ? c->baseline_reason : c->reason, 1);
        fputs("\"/>\n      <system-out>", f);
        fprintf(f, "%s: ", ecrc_case_status_name(c->status));
        ecrc_report_text_xml(f, c->reason, 0);
        fputc('\n', f);
        write_diff_text(f, c);
        fputs("</system-out>\n    </testcase>\n", f);
        return;
    }
    switch (c->status) {
    case ECRC_CASE_PASS:
        if (!count_answers(c)) {
            fputs("/>\n", f);
            return;
        }
        fputs(">\n      <properties>", f);
        write_answers(f, c);
        fputs("</properties>\n    </testcase>\n", f);
        return;
    case ECRC_CASE_SKIP:
        fputs(">\n      <skipped", f);
        write_attr(f, "message", c->reason);
        fputs("/>\n    </testcase>\n", f);
        return;
    case ECRC_CASE_FAIL:
    case ECRC_CASE_ERROR: {
        const char *tag = c->status == ECRC_CASE_FAIL ? "failure" : "error";
        fputc('>', f);
        if (count_answers(c)) {
            fputs("\n      <properties>", f);
            write_answers(f, c);
            fputs("</properties>", f);
        }
        fprintf(f, "\n      <%s", tag);
        write_attr(f, "message", c->reason ? c->reason : ecrc_report_case_headline(c));
        fprintf(f, " type=\"%s\">", ecrc_case_status_name(c->status));
        write_diff_text(f, c);
        fprintf(f, "</%s>\n    </testcase>\n", tag);
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
            " skipped=\"%zu\" time=\"",
            r->ncases, failures, errors, skipped);
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
    fputs("    </properties>\n", f);
    for (size_t i = 0; i < r->ncases; i++)
        write_case(f, r, &r->cases[i]);
    fputs("  </testsuite>\n</testsuites>\n", f);
    return ecrc_report_text_close(&af);
}
