/* Tests of report/verdict.c: the exit code of `run`, rule by rule (ecrc.h).
 *
 * The expected codes are the documented numbers (README.md, --help), written
 * as literals on purpose: changing any code the verdict returns, or the value
 * of an ECRC_EXIT_* constant, fails a test here. */
#include <CUnit/CUnit.h>
#include <stdlib.h>
#include <string.h>

#include "suites.h"
#include "verdict.h"

/* A model with one case per status character: p(ass) f(ail) e(rror)
 * t (error: the target did not answer) k (flaky) s(kip). */
static run_report *run_of(const char *statuses)
{
    run_report *r = calloc(1, sizeof *r);
    size_t n = strlen(statuses);
    r->cases = calloc(n ? n : 1, sizeof *r->cases);
    r->ncases = n;
    for (size_t i = 0; i < n; i++) {
        case_report *c = &r->cases[i];
        switch (statuses[i]) {
        case 'p':
            c->status = ECRC_CASE_PASS;
            break;
        case 'f':
            c->status = ECRC_CASE_FAIL;
            break;
        case 'e':
            c->status = ECRC_CASE_ERROR;
            break;
        case 't':
            c->status = ECRC_CASE_ERROR;
            c->transport_error = 1;
            break;
        case 'k':
            c->status = ECRC_CASE_FLAKY;
            break;
        default:
            c->status = ECRC_CASE_SKIP;
            break;
        }
    }
    return r;
}

/* Marks r as run with a baseline that left nregressions regressions. */
static void with_baseline(run_report *r, size_t nregressions)
{
    r->baseline_file = strdup("baselines/moto.json");
    r->regressions = calloc(nregressions ? nregressions : 1, sizeof *r->regressions);
    for (size_t i = 0; i < nregressions; i++)
        r->regressions[r->nregressions++] = strdup("some-case");
}

static int verdict_of(const char *statuses, const ecrc_verdict_input *in)
{
    run_report *r = run_of(statuses);
    int code = ecrc_verdict(r, in);
    ecrc_report_free(r);
    return code;
}

static void test_documented_values(void)
{
    CU_ASSERT_EQUAL(ECRC_EXIT_OK, 0);
    CU_ASSERT_EQUAL(ECRC_EXIT_FAIL, 1);
    CU_ASSERT_EQUAL(ECRC_EXIT_USAGE, 2);
    CU_ASSERT_EQUAL(ECRC_EXIT_INVALID, 3);
    CU_ASSERT_EQUAL(ECRC_EXIT_UNREACHABLE, 4);
    CU_ASSERT_EQUAL(ECRC_EXIT_INTERNAL, 5);
}

static void test_no_run_is_internal(void)
{
    CU_ASSERT_EQUAL(ecrc_verdict(NULL, NULL), 5);
    ecrc_verdict_input in = {.invalid_files = 1};
    CU_ASSERT_EQUAL(ecrc_verdict(NULL, &in), 5);
}

static void test_pass_and_fail(void)
{
    ecrc_verdict_input zero = {0};
    CU_ASSERT_EQUAL(verdict_of("", NULL), 0);
    CU_ASSERT_EQUAL(verdict_of("ppp", NULL), 0);
    CU_ASSERT_EQUAL(verdict_of("ppp", &zero), 0);
    CU_ASSERT_EQUAL(verdict_of("pss", NULL), 0); /* a skip is not a failure */
    CU_ASSERT_EQUAL(verdict_of("sss", NULL), 0); /* nothing ran: not "unreachable" either */
    CU_ASSERT_EQUAL(verdict_of("pfp", NULL), 1);
    CU_ASSERT_EQUAL(verdict_of("pep", &zero), 1); /* an error on the target counts as well */
    CU_ASSERT_EQUAL(verdict_of("fs", NULL), 1);
}

static void test_target_stopped_answering(void)
{
    CU_ASSERT_EQUAL(verdict_of("t", NULL), 4);
    CU_ASSERT_EQUAL(verdict_of("ttt", NULL), 4);
    CU_ASSERT_EQUAL(verdict_of("tst", NULL), 4); /* skipped cases did not run */
    /* Some cases got answers: a verdict on the target's behaviour. */
    CU_ASSERT_EQUAL(verdict_of("tpt", NULL), 1);
    CU_ASSERT_EQUAL(verdict_of("tet", NULL), 1);
    CU_ASSERT_EQUAL(verdict_of("tft", NULL), 1);
    /* It wins over invalid files and a failed baseline (the run says nothing
     * about the target then), not over reports that were not written. */
    ecrc_verdict_input invalid = {.invalid_files = 1};
    CU_ASSERT_EQUAL(verdict_of("tt", &invalid), 4);
    ecrc_verdict_input bl = {.baseline_failed = 1};
    CU_ASSERT_EQUAL(verdict_of("tt", &bl), 4);
    ecrc_verdict_input rep = {.reports_failed = 1};
    CU_ASSERT_EQUAL(verdict_of("tt", &rep), 5);
    /* ... and over a baseline that expects every failure. */
    run_report *r = run_of("tt");
    with_baseline(r, 0);
    CU_ASSERT_EQUAL(ecrc_verdict(r, NULL), 4);
    ecrc_report_free(r);
}

static void test_harness_failures_are_internal(void)
{
    ecrc_verdict_input rep = {.reports_failed = 1};
    ecrc_verdict_input bl = {.baseline_failed = 1};
    ecrc_verdict_input both = {.reports_failed = 1, .baseline_failed = 1, .invalid_files = 1};
    CU_ASSERT_EQUAL(verdict_of("pp", &rep), 5);
    CU_ASSERT_EQUAL(verdict_of("pf", &rep), 5);
    CU_ASSERT_EQUAL(verdict_of("pp", &bl), 5);
    CU_ASSERT_EQUAL(verdict_of("pf", &bl), 5);
    CU_ASSERT_EQUAL(verdict_of("pf", &both), 5); /* over invalid files too */
    CU_ASSERT_EQUAL(verdict_of("", &rep), 5);
}

static void test_invalid_files(void)
{
    ecrc_verdict_input in = {.invalid_files = 1};
    CU_ASSERT_EQUAL(verdict_of("pp", &in), 3); /* the valid cases passing does not hide them */
    CU_ASSERT_EQUAL(verdict_of("pfe", &in), 3);
    CU_ASSERT_EQUAL(verdict_of("e", &in), 3);
    run_report *r = run_of("pf");
    with_baseline(r, 0);
    CU_ASSERT_EQUAL(ecrc_verdict(r, &in), 3); /* over a clean baseline */
    ecrc_report_free(r);
}

static void test_baseline_regressions(void)
{
    /* Failures the baseline expects: green. */
    run_report *r = run_of("pfe");
    with_baseline(r, 0);
    CU_ASSERT_EQUAL(ecrc_verdict(r, NULL), 0);
    ecrc_report_free(r);
    /* A regression: red. */
    r = run_of("pfe");
    with_baseline(r, 1);
    CU_ASSERT_EQUAL(ecrc_verdict(r, NULL), 1);
    ecrc_report_free(r);
    r = run_of("pfe");
    with_baseline(r, 2);
    ecrc_verdict_input zero = {0};
    CU_ASSERT_EQUAL(ecrc_verdict(r, &zero), 1);
    ecrc_report_free(r);
    /* The baseline is the only judge: an all-pass run with a listed
     * regression (never produced by ecrc_baseline_apply) still fails. */
    r = run_of("pp");
    with_baseline(r, 1);
    CU_ASSERT_EQUAL(ecrc_verdict(r, NULL), 1);
    ecrc_report_free(r);
}

static void test_flaky(void)
{
    /* Flaky fails the gate, with or without a baseline, unless allowed. */
    run_report *r = run_of("pkp");
    CU_ASSERT_EQUAL(ecrc_verdict(r, NULL), 1);
    ecrc_verdict_input allow = {.allow_flaky = 1};
    CU_ASSERT_EQUAL(ecrc_verdict(r, &allow), 0);
    with_baseline(r, 0);
    CU_ASSERT_EQUAL(ecrc_verdict(r, NULL), 1);
    CU_ASSERT_EQUAL(ecrc_verdict(r, &allow), 0);
    ecrc_report_free(r);
    /* Allowing flaky cases allows nothing else. */
    r = run_of("kf");
    CU_ASSERT_EQUAL(ecrc_verdict(r, &allow), 1);
    ecrc_report_free(r);
}

int register_verdict_suite(void)
{
    CU_pSuite s = CU_add_suite("verdict", NULL, NULL);
    if (!s)
        return 1;
    if (!CU_add_test(s, "documented_values", test_documented_values) ||
        !CU_add_test(s, "no_run_is_internal", test_no_run_is_internal) ||
        !CU_add_test(s, "pass_and_fail", test_pass_and_fail) ||
        !CU_add_test(s, "target_stopped_answering", test_target_stopped_answering) ||
        !CU_add_test(s, "harness_failures_are_internal", test_harness_failures_are_internal) ||
        !CU_add_test(s, "invalid_files", test_invalid_files) ||
        !CU_add_test(s, "baseline_regressions", test_baseline_regressions) ||
        !CU_add_test(s, "flaky", test_flaky))
        return 1;
    return 0;
}
