/* Tests of baselines: loading and its validation, applying one to a run
 * (expected failures, fixed entries, regressions, and what the verdict,
 * ecrc_verdict, makes of them; its every rule is in test_verdict.c) and
 * writing one from a run. */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "baseline.h"
#include "suites.h"

static char g_dir[64];

static int suite_init(void)
{
    snprintf(g_dir, sizeof g_dir, "/tmp/ecrc-baseline-XXXXXX");
    return mkdtemp(g_dir) ? 0 : 1;
}

static int suite_clean(void)
{
    rm_tree(g_dir);
    return 0;
}

static const char *write_file(const char *name, const char *text)
{
    static char path[256];
    snprintf(path, sizeof path, "%s/%s", g_dir, name);
    FILE *f = fopen(path, "w");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
    return path;
}

static char *xs(const char *s)
{
    return s ? strdup(s) : NULL;
}

static void add_case(run_report *r, const char *id, case_status st, const char *reason,
                     const char *diff)
{
    r->cases = realloc(r->cases, (r->ncases + 1) * sizeof *r->cases);
    case_report *c = &r->cases[r->ncases++];
    memset(c, 0, sizeof *c);
    c->id = xs(id);
    c->status = st;
    c->reason = xs(reason);
    c->level = xs("C");
    if (diff) {
        c->steps = calloc(1, sizeof *c->steps);
        c->nsteps = 1;
        c->steps[0].name = xs("delete");
        c->steps[0].diff = calloc(1, sizeof(char *));
        c->steps[0].diff[0] = xs(diff);
        c->steps[0].ndiff = 1;
    }
}

/* pass, fail (in baseline), error (in baseline), fail (new), skip (in
 * baseline), pass (in baseline: fixed). */
static run_report *fixture(void)
{
    run_report *r = calloc(1, sizeof *r);
    r->target = xs("moto-5.2.1");
    r->started_at = xs("2025-01-02T03:04:05Z");
    add_case(r, "a-pass", ECRC_CASE_PASS, NULL, NULL);
    add_case(r, "b-fail", ECRC_CASE_FAIL, "1 difference", "$.status: expected 200, got 400");
    add_case(r, "c-error", ECRC_CASE_ERROR, "the target closed the connection", NULL);
    add_case(r, "d-new-fail", ECRC_CASE_FAIL, "2 differences", "$.body.x: expected 1, got 2");
    add_case(r, "e-skip", ECRC_CASE_SKIP, "requires fault-injection", NULL);
    add_case(r, "f-fixed", ECRC_CASE_PASS, NULL, NULL);
    return r;
}

static const char *const GOOD =
    "{\"target\": \"moto-5.2.1\", \"description\": \"moto quirks\",\n"
    " \"expected_failures\": [\n"
    "  {\"id\": \"b-fail\", \"reason\": \"moto returns 400\"},\n"
    "  {\"id\": \"c-error\", \"reason\": \"moto drops the connection\", \"status\": \"error\"},\n"
    "  {\"id\": \"e-skip\", \"reason\": \"skipped here anyway\"},\n"
    "  {\"id\": \"f-fixed\", \"reason\": \"was broken in 5.1\"},\n"
    "  {\"id\": \"z-not-run\", \"reason\": \"filtered out of this run\"}]}\n";

static void test_load_good(void)
{
    diag_list d;
    ecr_diag_init(&d);
    baseline *b = ecrc_baseline_load(write_file("good.json", GOOD), &d);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    CU_ASSERT_EQUAL(d.n, 0);
    CU_ASSERT_STRING_EQUAL(b->target, "moto-5.2.1");
    CU_ASSERT_STRING_EQUAL(b->description, "moto quirks");
    CU_ASSERT_EQUAL(b->n, 5);
    const baseline_entry *e = ecrc_baseline_find(b, "c-error");
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    CU_ASSERT_STRING_EQUAL(e->reason, "moto drops the connection");
    CU_ASSERT_PTR_NULL(ecrc_baseline_find(b, "a-pass"));
    CU_ASSERT_PTR_NULL(ecrc_baseline_find(NULL, "a-pass"));
    ecrc_baseline_free(b);
    ecrc_baseline_free(NULL);

    /* An empty list is a valid baseline. */
    b = ecrc_baseline_load(
        write_file("empty.json", "{\"target\": \"t\", \"expected_failures\": []}"), &d);
    CU_ASSERT_PTR_NOT_NULL(b);
    CU_ASSERT_EQUAL(b ? b->n : 1, 0);
    ecrc_baseline_free(b);
    ecr_diag_free(&d);
}

/* Loads text and expects NULL with a diagnostic whose field and message
 * contain the given fragments. */
static void expect_error(const char *text, const char *field, const char *message)
{
    diag_list d;
    ecr_diag_init(&d);
    const char *path = write_file("bad.json", text);
    baseline *b = ecrc_baseline_load(path, &d);
    CU_ASSERT_PTR_NULL(b);
    ecrc_baseline_free(b);
    int found = 0;
    for (size_t i = 0; i < d.n; i++) {
        CU_ASSERT_STRING_EQUAL(d.items[i].file, path);
        if (strstr(d.items[i].field, field) && strstr(d.items[i].message, message))
            found = 1;
    }
    if (!found) {
        fprintf(stderr, "\nno diagnostic [%s] [%s] for %s; got:\n", field, message, text);
        ecr_diag_print(&d, stderr);
    }
    CU_ASSERT_TRUE(found);
    ecr_diag_free(&d);
}

static void test_load_errors(void)
{
    expect_error("{\"target\": \"t\", \"expected_failures\": [{\"id\": \"a\"}]}",
                 "expected_failures[0].reason", "required member missing");
    expect_error("{\"target\": \"t\", \"expected_failures\": [{\"id\": \"a\", \"reason\": \"\"}]}",
                 "expected_failures[0].reason", "must not be empty");
    expect_error("{\"target\": \"t\", \"expected_failures\": [{\"reason\": \"r\"}]}",
                 "expected_failures[0].id", "required member missing");
    expect_error("{\"target\": \"t\", \"expected_failures\": [{\"id\": 3, \"reason\": \"r\"}]}",
                 "expected_failures[0].id", "must be a string");
    expect_error("{\"target\": \"t\", \"expected_failures\": [{\"id\": \"a\", \"reason\": \"r\"},"
                 " {\"id\": \"b\", \"reason\": \"r\"}, {\"id\": \"a\", \"reason\": \"again\"}]}",
                 "expected_failures[2].id", "listed more than once");
    expect_error("{\"target\": \"t\", \"expected_failures\": [{\"id\": \"a\", \"reson\": \"r\"}]}",
                 "expected_failures[0].reson", "unknown member (allowed: id, reason, status)");
    expect_error("{\"target\": \"t\", \"expected_failures\": [\"a\"]}", "expected_failures[0]",
                 "must be an object");
    expect_error("{\"target\": \"t\", \"expected_failures\": {}}", "expected_failures",
                 "must be an array");
    expect_error("{\"target\": \"t\"}", "expected_failures", "required member missing");
    expect_error("{\"expected_failures\": []}", "target", "required member missing");
    expect_error("{\"target\": \"t\", \"expected_failures\": [], \"extra\": 1}", "extra",
                 "unknown member (allowed: target, description, expected_failures)");
    expect_error("[]", "", "top level must be an object");
    expect_error("{\"target\": \"t\", \"expected_failures\": [", "",
                 "invalid JSON at line 1, column 39: unexpected end of data");
    expect_error("{\"target\": \"t\", \"expected_failures\": []} {}", "",
                 "invalid JSON at line 1, column 42: unexpected bytes after the value");
    expect_error("", "", "invalid JSON: the file is empty");
    /* Hand-edited files are held to the rules of every other file we read. */
    expect_error("{\"target\": \"t\", /* c */ \"expected_failures\": []}", "",
                 "invalid JSON at line 1, column 17: a comment (JSON has none)");
    expect_error("{\"target\": \"t\", \"expected_failures\": [],}", "",
                 "invalid JSON at line 1, column 41: a trailing comma");
    expect_error("{\"target\": \"t\", \"target\": \"u\", \"expected_failures\": []}", "",
                 "invalid JSON at line 1, column 17: duplicate key \"target\" (first at line 1, "
                 "column 2)");
    expect_error("{\"target\": \"t\", \"expected_failures\": [{\"id\": \"a\", \"reason\": \"r\","
                 " \"status\": \"skip\"}]}",
                 "expected_failures[0].status", "must be \"fail\"");

    diag_list d;
    ecr_diag_init(&d);
    char missing[256];
    snprintf(missing, sizeof missing, "%s/no-such-baseline.json", g_dir);
    CU_ASSERT_PTR_NULL(ecrc_baseline_load(missing, &d));
    CU_ASSERT_EQUAL(d.n, 1);
    ecr_diag_free(&d);
}

static void test_apply(void)
{
    diag_list d;
    ecr_diag_init(&d);
    baseline *b = ecrc_baseline_load(write_file("good.json", GOOD), &d);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    run_report *r = fixture();

    /* Without a baseline every failure counts. */
    CU_ASSERT_EQUAL(ecrc_verdict(r, NULL), ECRC_EXIT_FAIL);

    for (int round = 0; round < 2; round++) { /* applying twice gives the same result */
        CU_ASSERT_EQUAL_FATAL(ecrc_baseline_apply(b, r), ECR_OK);
        CU_ASSERT_STRING_EQUAL(r->baseline_file, b->path);
        CU_ASSERT_EQUAL(r->cases[0].baseline_expected, 0);
        CU_ASSERT_EQUAL(r->cases[1].baseline_expected, 1);
        CU_ASSERT_STRING_EQUAL(r->cases[1].baseline_reason, "moto returns 400");
        CU_ASSERT_EQUAL(r->cases[2].baseline_expected, 1); /* error is covered too */
        CU_ASSERT_STRING_EQUAL(r->cases[2].baseline_reason, "moto drops the connection");
        CU_ASSERT_EQUAL(r->cases[3].baseline_expected, 0);
        CU_ASSERT_EQUAL(r->cases[4].baseline_expected, 0); /* a skip is not a failure */
        CU_ASSERT_PTR_NULL(r->cases[4].baseline_reason);
        CU_ASSERT_EQUAL_FATAL(r->nregressions, 1);
        CU_ASSERT_STRING_EQUAL(r->regressions[0], "d-new-fail");
        CU_ASSERT_EQUAL_FATAL(r->nfixed, 1);
        CU_ASSERT_STRING_EQUAL(r->fixed[0], "f-fixed");
        CU_ASSERT_EQUAL(ecrc_verdict(r, NULL), ECRC_EXIT_FAIL);
    }
    report_summary s;
    ecrc_report_summarize(r, &s);
    CU_ASSERT_EQUAL(s.expected, 2);
    CU_ASSERT_EQUAL(s.failed, 2); /* the baseline never hides a failure */

    /* Fixing the new failure makes the run green. */
    r->cases[3].status = ECRC_CASE_PASS;
    CU_ASSERT_EQUAL_FATAL(ecrc_baseline_apply(b, r), ECR_OK);
    CU_ASSERT_EQUAL(r->nregressions, 0);
    CU_ASSERT_EQUAL(ecrc_verdict(r, NULL), ECRC_EXIT_OK);

    /* A case the baseline expects that passes and nothing failing: 0. */
    run_report clean = {0};
    CU_ASSERT_EQUAL(ecrc_verdict(&clean, NULL), ECRC_EXIT_OK);

    /* An entry expects one status: a failure that turns into an error (the
     * target crashed, say) is a regression, and so is the reverse. */
    r->cases[1].status = ECRC_CASE_ERROR;
    r->cases[2].status = ECRC_CASE_FAIL;
    CU_ASSERT_EQUAL_FATAL(ecrc_baseline_apply(b, r), ECR_OK);
    CU_ASSERT_EQUAL_FATAL(r->nregressions, 2);
    CU_ASSERT_STRING_EQUAL(r->regressions[0], "b-fail");
    CU_ASSERT_STRING_EQUAL(r->regressions[1], "c-error");
    CU_ASSERT_EQUAL(r->cases[1].baseline_expected, 0);

    ecrc_report_free(r);
    ecrc_baseline_free(b);
    ecr_diag_free(&d);
}

static void test_write_from_report(void)
{
    run_report *r = fixture();
    diag_list d;
    ecr_diag_init(&d);
    baseline *prev = ecrc_baseline_load(write_file("good.json", GOOD), &d);
    CU_ASSERT_PTR_NOT_NULL_FATAL(prev);
    CU_ASSERT_EQUAL_FATAL(ecrc_baseline_apply(prev, r), ECR_OK);
    /* A failure with neither a diff nor a reason takes the default reason. */
    add_case(r, "g-bare", ECRC_CASE_ERROR, NULL, NULL);

    char path[256];
    snprintf(path, sizeof path, "%s/generated.json", g_dir);
    CU_ASSERT_EQUAL_FATAL(ecrc_baseline_write_from_report(r, path, NULL, "see the logs"), ECR_OK);
    baseline *b = ecrc_baseline_load(path, &d);
    if (!b)
        ecr_diag_print(&d, stderr);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    CU_ASSERT_STRING_EQUAL(b->target, "moto-5.2.1");
    CU_ASSERT_PTR_NOT_NULL(strstr(b->description, "TODO"));
    CU_ASSERT_EQUAL_FATAL(b->n, 4);
    CU_ASSERT_STRING_EQUAL(b->entries[0].id, "b-fail");
    CU_ASSERT_STRING_EQUAL(b->entries[0].reason, "moto returns 400"); /* kept from the old one */
    CU_ASSERT_STRING_EQUAL(b->entries[1].id, "c-error");
    CU_ASSERT_EQUAL(b->entries[1].status, ECRC_CASE_ERROR); /* written as "status": "error" */
    CU_ASSERT_EQUAL(b->entries[0].status, ECRC_CASE_FAIL);
    CU_ASSERT_STRING_EQUAL(b->entries[2].id, "d-new-fail");
    CU_ASSERT_STRING_EQUAL(b->entries[2].reason, "TODO: confirm: $.body.x: expected 1, got 2");
    CU_ASSERT_STRING_EQUAL(b->entries[3].id, "g-bare");
    CU_ASSERT_STRING_EQUAL(b->entries[3].reason, "TODO: confirm: see the logs");

    /* The generated baseline accepts the run it came from. */
    CU_ASSERT_EQUAL_FATAL(ecrc_baseline_apply(b, r), ECR_OK);
    CU_ASSERT_EQUAL(r->nregressions, 0);
    CU_ASSERT_EQUAL(ecrc_verdict(r, NULL), ECRC_EXIT_OK);

    /* Explicit target; reason from the case's reason when there is no diff. */
    run_report *fresh = fixture();
    CU_ASSERT_EQUAL_FATAL(ecrc_baseline_write_from_report(fresh, path, "other", NULL), ECR_OK);
    baseline *b2 = ecrc_baseline_load(path, &d);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b2);
    CU_ASSERT_STRING_EQUAL(b2->target, "other");
    CU_ASSERT_EQUAL_FATAL(b2->n, 3);
    CU_ASSERT_STRING_EQUAL(b2->entries[1].reason,
                           "TODO: confirm: the target closed the connection");

    char bad[256];
    snprintf(bad, sizeof bad, "%s/no/such/dir/b.json", g_dir);
    CU_ASSERT_EQUAL(ecrc_baseline_write_from_report(fresh, bad, NULL, NULL), ECR_EIO);

    ecrc_baseline_free(b2);
    ecrc_report_free(fresh);
    ecrc_baseline_free(b);
    ecrc_baseline_free(prev);
    ecrc_report_free(r);
    ecr_diag_free(&d);
}

int register_baseline_suite(void)
{
    CU_pSuite s = CU_add_suite("baseline", suite_init, suite_clean);
    if (!s)
        return 1;
    if (!CU_add_test(s, "load_good", test_load_good) ||
        !CU_add_test(s, "load_errors", test_load_errors) || !CU_add_test(s, "apply", test_apply) ||
        !CU_add_test(s, "write_from_report", test_write_from_report))
        return 1;
    return 0;
}
