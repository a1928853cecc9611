/* Tests of the failures grouped by cause (report/causes.c). */
#include <CUnit/CUnit.h>
#include <stdlib.h>
#include <string.h>

#include "causes.h"
#include "suites.h"

static void test_normalise(void)
{
    char *s = ecrc_causes_normalise("$.headers[\"x-amzn-RequestId\"]: expected a UUID, got "
                                    "\"W5YB7qXNbeHOrFOlE8aGGzjB7KQZroN74jGJ4kXzdQC1wg664Wk5\"");
    CU_ASSERT_STRING_EQUAL(s, "$.headers[\"x-amzn-RequestId\"]: expected a UUID, got "
                              "\"<52-char token>\"");
    free(s);
    /* the run id in a repository name; short tokens, words and numbers stay */
    s = ecrc_causes_normalise("repository ecrc-1a2b3c4d/case/app: expected 400, got 200 "
                              "RepositoryNotFoundException abc123");
    CU_ASSERT_STRING_EQUAL(s, "repository ecrc-RUN/CASE/app: expected 400, got 200 "
                              "RepositoryNotFoundException abc123");
    free(s);
    s = ecrc_causes_normalise("");
    CU_ASSERT_STRING_EQUAL(s, "");
    free(s);
}

static case_report *add(run_report *r, const char *id, case_status st, const char *reason)
{
    case_report *c = &r->cases[r->ncases++];
    memset(c, 0, sizeof *c);
    c->id = strdup(id);
    c->status = st;
    c->reason = reason ? strdup(reason) : NULL;
    return c;
}

static void diffs(case_report *c, const char *a, const char *b)
{
    c->steps = calloc(2, sizeof *c->steps);
    c->nsteps = 2;
    const char *in[2] = {a, b};
    for (size_t i = 0; i < 2; i++) {
        c->steps[i].name = strdup(i ? "state" : "delete");
        if (in[i]) {
            c->steps[i].diff = calloc(1, sizeof(char *));
            c->steps[i].diff[0] = strdup(in[i]);
            c->steps[i].ndiff = 1;
        }
    }
}

#define RID(x) "$.headers: expected a UUID, got \"" x "\""

static void test_groups(void)
{
    run_report *r = calloc(1, sizeof *r);
    r->cases = calloc(8, sizeof *r->cases);
    /* three errors on one wrong key (their repositories differ; one also failed teardown) */
    add(r, "e1", ECRC_CASE_ERROR,
        "fixture: CreateRepository 'app': HTTP 400 UnrecognizedClientException: bad 'key x'");
    add(r, "p1", ECRC_CASE_PASS, NULL);
    add(r, "e2", ECRC_CASE_ERROR,
        "fixture: CreateRepository 'one': HTTP 400 UnrecognizedClientException: bad 'key x'; "
        "teardown: DeleteRepository 'one': HTTP 400"); /* the consequence is no cause */
    /* two failing only on the request id (different values of one shape, different steps) */
    diffs(add(r, "f1", ECRC_CASE_FAIL, "x"), RID("aaaaaaaaaaaaaaaaaaaaaaa1"), NULL);
    diffs(add(r, "f2", ECRC_CASE_FAIL, "x"), NULL, RID("bbbbbbbbbbbbbbbbbbbbbbb2"));
    /* one failing on the request id and on its status */
    case_report *f3 = add(r, "f3", ECRC_CASE_FAIL, "x");
    diffs(f3, RID("ccccccccccccccccccccccc3"), "$.status: expected 400, got 200");
    f3->baseline_expected = 1;
    add(r, "e3", ECRC_CASE_ERROR,
        "fixture: CreateRepository 'b': HTTP 400 UnrecognizedClientException: bad 'key x'");
    add(r, "s1", ECRC_CASE_SKIP, "requires fault-injection");

    cause_list cl;
    CU_ASSERT_EQUAL_FATAL(ecrc_causes_build(r, &cl), ECR_OK);
    CU_ASSERT_EQUAL(cl.nfailing, 6);
    CU_ASSERT_EQUAL_FATAL(cl.n, 3);
    /* most cases first */
    CU_ASSERT_EQUAL(cl.groups[0].status, ECRC_CASE_ERROR);
    CU_ASSERT_EQUAL(cl.groups[0].n, 3);
    /* names set aside, a message with spaces kept */
    CU_ASSERT_STRING_EQUAL(cl.groups[0].key, "fixture: CreateRepository '*': HTTP 400 "
                                             "UnrecognizedClientException: bad 'key x'");
    CU_ASSERT_EQUAL(cl.groups[0].cases[0], 0);
    CU_ASSERT_EQUAL(cl.groups[0].cases[2], 6);
    CU_ASSERT_EQUAL(cl.groups[1].n, 2);
    CU_ASSERT_STRING_EQUAL(cl.groups[1].key, RID("<24-char token>"));
    CU_ASSERT_EQUAL(cl.groups[1].cases[0], 3);
    CU_ASSERT_EQUAL(cl.groups[2].n, 1);
    CU_ASSERT_EQUAL(cl.groups[2].nexpected, 1);
    ecrc_causes_free(&cl);
    ecrc_report_free(r);
}

int register_causes_suite(void)
{
    CU_pSuite s = CU_add_suite("causes", NULL, NULL);
    if (!s || !CU_add_test(s, "normalise", test_normalise) ||
        !CU_add_test(s, "groups", test_groups))
        return 1;
    return 0;
}
