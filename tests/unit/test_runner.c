/* Tests of harness/core/run/runner.c and fixture.c: run-unique names, and
 * whole cases run in-process against the built-in emulator (pass, a wrong
 * golden, a dead endpoint, a missing capability, a fixture the target
 * refuses), the per-case callback, and that the runner touches no file: the
 * recorded responses are the report layer's (ecrc_actuals_*, written here
 * into a private mkdtemp directory, never the system temporary directory
 * itself). */
#include <CUnit/CUnit.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "casefile.h"
#include "ecr/protocol.h"
#include "ecremu.h"
#include "fixture.h"
#include "runner.h"
#include "suites.h"

static ecremu *E;
static target_info T;

static int setup(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    ecremu_config ec = {.auth = ECREMU_AUTH_STRICT,
                        .control = 1,
                        .quiet = 1,
                        .access_key = ECR_TEST_ACCESS_KEY,
                        .secret_key = ECR_TEST_SECRET_KEY,
                        .layers = ECREMU_LAYERS_ENFORCE}; /* as `run` starts it */
    if (ecremu_start(&ec, &E))
        return 1;
    memset(&T, 0, sizeof T);
    snprintf(T.name, sizeof T.name, "built-in");
    snprintf(T.endpoint, sizeof T.endpoint, "http://127.0.0.1:%u", ecremu_port(E));
    snprintf(T.account, sizeof T.account, "%s", ECR_TEST_ACCOUNT);
    snprintf(T.region, sizeof T.region, "us-east-1");
    T.fault_injection = 1;
    T.strict_auth = 1;
    T.layer_api = 1;
    return 0;
}

static int teardown(void)
{
    ecremu_stop(E);
    curl_global_cleanup();
    return 0;
}

static int valid_repo_name(const char *s)
{
    /* The botocore model's repositoryName pattern, anchored. */
    regex_t re;
    regcomp(&re, "^[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*(/[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*)*$",
            REG_EXTENDED | REG_NOSUB);
    int ok = regexec(&re, s, 0, NULL, 0) == 0;
    regfree(&re);
    return ok;
}

static void test_repo_names(void)
{
    char out[300];
    CU_ASSERT_STRING_EQUAL(
        ecrc_fixture_repo_name("0a1b2c3d", "doc-case", "ubuntu", 0, out, sizeof out),
        "ecrc-0a1b2c3d/doc-case/ubuntu");
    CU_ASSERT_TRUE(valid_repo_name(out));
    for (int len = 40; len <= 256; len++) {
        ecrc_fixture_repo_name("0a1b2c3d", "doc-case", "r", len, out, sizeof out);
        CU_ASSERT_EQUAL(strlen(out), (size_t)len);
        CU_ASSERT_TRUE(valid_repo_name(out)); /* including a pad of exactly one character */
    }
    /* Too short to hold the prefix (the 2-character minimum): a short name of
     * exactly that length from a hash of run, case and name, valid for ECR. */
    for (int len = 2; len < 24; len++) {
        ecrc_fixture_repo_name("0a1b2c3d", "doc-case", "r", len, out, sizeof out);
        CU_ASSERT_EQUAL(strlen(out), (size_t)len);
        CU_ASSERT_TRUE(valid_repo_name(out));
        CU_ASSERT_EQUAL(strspn(out, "abcdefghijklmnopqrstuvwxyz0123456789"), (size_t)len);
    }
    char a[16], b[16], c2[16];
    ecrc_fixture_repo_name("0a1b2c3d", "doc-case", "r", 8, a, sizeof a);
    ecrc_fixture_repo_name("0a1b2c3d", "doc-case", "r", 8, b, sizeof b);
    ecrc_fixture_repo_name("ffffffff", "doc-case", "r", 8, c2, sizeof c2);
    CU_ASSERT_STRING_EQUAL(a, b);      /* deterministic within a run */
    CU_ASSERT_STRING_NOT_EQUAL(a, c2); /* another run, another name */
    /* A name that does not fit is refused, not cut (a cut name could be
     * another repository's). */
    char small[32];
    CU_ASSERT_PTR_NOT_NULL(
        ecrc_fixture_repo_name("0a1b2c3d", "case", "abcdefghijkl", 0, small, sizeof small));
    CU_ASSERT_STRING_EQUAL(small, "ecrc-0a1b2c3d/case/abcdefghijkl"); /* 31 bytes: fits */
    CU_ASSERT_PTR_NULL(
        ecrc_fixture_repo_name("0a1b2c3d", "case", "abcdefghijklm", 0, small, sizeof small));
    CU_ASSERT_STRING_EQUAL(small, "");
}

static case_def *load(const char *id)
{
    char path[512];
    snprintf(path, sizeof path, "%s/cases/batch-delete-image/%s.json", ECRC_SOURCE_DIR, id);
    diag_list d;
    ecr_diag_init(&d);
    char cases[512], goldens[512]; /* src_path's buffer is overwritten by each call */
    snprintf(cases, sizeof cases, "%s", src_path("cases"));
    snprintf(goldens, sizeof goldens, "%s", src_path("golden"));
    case_def *c = ecrc_case_load(path, cases, goldens, NULL, &d);
    ecr_diag_print(&d, stderr);
    ecr_diag_free(&d);
    return c;
}

static void test_options(runner_options *ro, const target_info *t, int jobs)
{
    memset(ro, 0, sizeof *ro);
    ro->target = t;
    ro->jobs = jobs;
    ro->timeout_ms = 5000;
    CU_ASSERT_EQUAL(ecrc_aws_credentials_from_env(&ro->creds, NULL, NULL, 0), ECR_OK);
    snprintf(ro->creds.access_key, sizeof ro->creds.access_key, "%s", ECR_TEST_ACCESS_KEY);
    snprintf(ro->creds.secret_key, sizeof ro->creds.secret_key, "%s", ECR_TEST_SECRET_KEY);
}

static run_report *run_one(const target_info *t, case_def *c)
{
    runner_options ro;
    test_options(&ro, t, 1);
    run_entry e = {.c = c, .path = c->path};
    return ecrc_runner_run(&ro, &e, 1);
}

static void test_documentation_example_passes(void)
{
    case_def *c = load("documentation-example");
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    run_report *r = run_one(&T, c);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(r->ncases, 1);
    CU_ASSERT_EQUAL(r->cases[0].status, ECRC_CASE_PASS);
    CU_ASSERT_STRING_EQUAL(r->cases[0].id, "documentation-example");
    CU_ASSERT_EQUAL(r->cases[0].nsteps, c->nsteps);
    for (size_t i = 0; i < r->cases[0].nsteps; i++) {
        CU_ASSERT_TRUE(r->cases[0].steps[i].passed);
        /* Recorded exchanges never carry a signature. */
        CU_ASSERT_PTR_NULL(strstr(r->cases[0].steps[i].request, "Signature="));
        CU_ASSERT_PTR_NOT_NULL(strstr(r->cases[0].steps[i].response, "HTTP 200"));
        CU_ASSERT_PTR_NULL(r->cases[0].steps[i].actual_doc); /* nothing to record */
    }
    ecrc_report_free(r);
    ecrc_case_free(c);
}

static void test_wrong_golden_fails_with_paths_and_actual_file(void)
{
    case_def *c = load("documentation-example");
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    c->steps[0].golden->status = 418; /* nobody answers that */
    char dir[] = "/tmp/ecrc-runner-XXXXXX";
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
    run_report *r = run_one(&T, c);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(r->cases[0].status, ECRC_CASE_FAIL);
    const step_report *s = &r->cases[0].steps[0];
    CU_ASSERT_FALSE(s->passed);
    CU_ASSERT_EQUAL_FATAL(s->ndiff, 1);
    CU_ASSERT_STRING_EQUAL(s->diff[0], "$.status: expected 418, got 200");
    /* The runner recorded the response in the model and wrote nothing. */
    CU_ASSERT_PTR_NOT_NULL_FATAL(s->actual_doc);
    CU_ASSERT_PTR_NULL(s->actual);
    char actual[600];
    snprintf(actual, sizeof actual, "%s/actual/documentation-example/%s.json", dir,
             c->steps[0].name);
    CU_ASSERT_NOT_EQUAL(access(actual, F_OK), 0);
    /* The report layer writes it. */
    ecrc_actuals a;
    char *why = NULL;
    CU_ASSERT_EQUAL(ecrc_actuals_open(&a, dir, &why), ECR_OK);
    CU_ASSERT_EQUAL(ecrc_actuals_write_case(&a, &r->cases[0], &why), ECR_OK);
    CU_ASSERT_PTR_NULL(why);
    ecrc_actuals_close(&a);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s->actual);
    CU_ASSERT_STRING_EQUAL(s->actual, actual);
    CU_ASSERT_STRING_EQUAL(s->golden, c->steps[0].golden_path);
    CU_ASSERT_EQUAL(access(actual, R_OK), 0);
    /* The recorded file is not a golden until reviewed: lint refuses it. */
    diag_list d;
    ecr_diag_init(&d);
    golden *g = ecrc_golden_load(actual, &d);
    CU_ASSERT_PTR_NULL(g);
    CU_ASSERT_TRUE(d.n >= 1 && strstr(d.items[0].field, "review") != NULL);
    ecrc_golden_free(g);
    ecr_diag_free(&d);
    /* The state check after it still ran and passed: a failed step does not stop the case. */
    CU_ASSERT_TRUE(r->cases[0].steps[c->nsteps - 1].passed);
    ecrc_report_free(r);
    ecrc_case_free(c);
    rm_tree(dir);
}

static void test_dead_endpoint_is_error_naming_it(void)
{
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t alen = sizeof a;
    bind(s, (struct sockaddr *)&a, sizeof a);
    getsockname(s, (struct sockaddr *)&a, &alen);
    close(s); /* nothing listens there now */
    target_info dead = T;
    snprintf(dead.endpoint, sizeof dead.endpoint, "http://127.0.0.1:%u", ntohs(a.sin_port));
    dead.fault_injection = 0;
    case_def *c = load("documentation-example");
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    run_report *r = run_one(&dead, c);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(r->cases[0].status, ECRC_CASE_ERROR);
    CU_ASSERT_PTR_NOT_NULL(strstr(r->cases[0].reason, "CreateRepository"));
    CU_ASSERT_PTR_NOT_NULL(strstr(r->cases[0].reason, "could not connect"));
    ecrc_report_free(r);
    ecrc_case_free(c);
}

static void test_missing_capability_is_skip(void)
{
    case_def *c = load("kms-error-by-tag");
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    target_info plain = T;
    plain.fault_injection = 0;
    run_report *r = run_one(&plain, c);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(r->cases[0].status, ECRC_CASE_SKIP);
    CU_ASSERT_PTR_NOT_NULL(strstr(r->cases[0].reason, "fault-injection"));
    ecrc_report_free(r);
    ecrc_case_free(c);
}

static void test_fixture_refused_is_error_naming_the_step(void)
{
    case_def *c = load("documentation-example");
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    /* A manifest whose bytes no longer match what PutImage gets as imageDigest
     * cannot happen with real files; simulate a target that refuses the push
     * by making the manifest invalid JSON. */
    free(c->repos[0].images[0].manifest);
    c->repos[0].images[0].manifest = strdup("not a manifest");
    c->repos[0].images[0].manifest_len = strlen("not a manifest");
    run_report *r = run_one(&T, c);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(r->cases[0].status, ECRC_CASE_ERROR);
    CU_ASSERT_PTR_NOT_NULL(strstr(r->cases[0].reason, "fixture: PutImage"));
    /* The operation under test was never reached. */
    CU_ASSERT_PTR_NULL(r->cases[0].steps[0].response);
    ecrc_report_free(r);
    ecrc_case_free(c);
}

/* Builds the fixture of c directly (no steps), tears it down, and returns
 * the build's result with its message in err. tamper (may be NULL) runs
 * between computing the variables and the build. */
static ecr_result build_fixture(const target_info *t, case_def *c, void (*tamper)(fixture *),
                                char *err, size_t errsz)
{
    runner_options ro;
    test_options(&ro, t, 1);
    aws_client *cl = ecrc_aws_client_new(t->endpoint, &ro.creds, 5000, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(cl);
    fixture fx;
    ecrc_fixture_init(&fx, c, "fixtest1", t);
    vars *v = ecrc_vars_new();
    CU_ASSERT_EQUAL(ecrc_fixture_vars(&fx, v, err, errsz), ECR_OK);
    if (tamper)
        tamper(&fx);
    err[0] = '\0';
    ecr_result rc = ecrc_fixture_build(&fx, cl, err, errsz);
    char terr[512];
    CU_ASSERT_EQUAL(ecrc_fixture_teardown(&fx, cl, terr, sizeof terr), ECR_OK);
    ecrc_fixture_free(&fx);
    ecrc_vars_free(v);
    ecrc_aws_client_free(cl);
    return rc;
}

static void test_fixture_uploads_blobs(void)
{
    case_def *c = load("documentation-example");
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    /* The loader read the blobs: config and one layer for docker-a, config
     * and two layers for docker-b. */
    CU_ASSERT_EQUAL(c->repos[0].images[0].nblobs, 2);
    CU_ASSERT_EQUAL(c->repos[0].images[1].nblobs, 3);
    char err[1024];
    CU_ASSERT_EQUAL(build_fixture(&T, c, NULL, err, sizeof err), ECR_OK);
    CU_ASSERT_STRING_EQUAL(err, "");
    ecrc_case_free(c);
}

static void test_fixture_missing_layer_is_layers_not_found(void)
{
    case_def *c = load("documentation-example");
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    /* Forget the last layer of image b: it is never uploaded. */
    case_image *b = &c->repos[0].images[1];
    CU_ASSERT_EQUAL_FATAL(b->nblobs, 3);
    b->nblobs = 2;
    char err[1024];
    CU_ASSERT_EQUAL(build_fixture(&T, c, NULL, err, sizeof err), ECR_EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "PutImage image 'b' tag 'trusty' in 'ubuntu'"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "LayersNotFoundException"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, b->blobs[2].digest)); /* the missing one is named */
    b->nblobs = 3;
    ecrc_case_free(c);
}

/* Image a's digest, one hex digit off: well-formed, but not the sha256 of
 * the manifest the fixture sends. */
static void wrong_digest(fixture *fx)
{
    char *last = &fx->digests[0][strlen(fx->digests[0]) - 1];
    *last = *last == '0' ? '1' : '0';
}

static void test_fixture_wrong_digest_is_digest_mismatch(void)
{
    case_def *c = load("documentation-example");
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    char err[1024];
    CU_ASSERT_EQUAL(build_fixture(&T, c, wrong_digest, err, sizeof err), ECR_EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "PutImage image 'a' tag 'precise' in 'ubuntu'"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "ImageDigestDoesNotMatchException"));
    ecrc_case_free(c);
}

static void test_fixture_index_without_child_is_referenced_images_not_found(void)
{
    case_def *c = load("index-and-children-oci");
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    case_repo *r = &c->repos[0];
    CU_ASSERT_EQUAL_FATAL(r->nimages, 3);
    CU_ASSERT_STRING_EQUAL_FATAL(r->images[2].id, "p");
    /* Push the index before child b: swap them (lint would refuse this order). */
    case_image tmp = r->images[1];
    r->images[1] = r->images[2];
    r->images[2] = tmp;
    char err[1024];
    CU_ASSERT_EQUAL(build_fixture(&T, c, NULL, err, sizeof err), ECR_EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "PutImage image 'p' tag 'multi' in 'app'"));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "ReferencedImagesNotFoundException"));
    ecrc_case_free(c);
}

static void test_run_reports_fixture_refusal_naming_the_step(void)
{
    case_def *c = load("documentation-example");
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    c->repos[0].images[0].nblobs = 1; /* docker-a's layer is never uploaded */
    run_report *r = run_one(&T, c);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(r->cases[0].status, ECRC_CASE_ERROR);
    CU_ASSERT_PTR_NOT_NULL(strstr(r->cases[0].reason, "fixture: PutImage image 'a'"));
    CU_ASSERT_PTR_NOT_NULL(strstr(r->cases[0].reason, "LayersNotFoundException"));
    CU_ASSERT_PTR_NULL(r->cases[0].steps[0].response); /* the step was never sent */
    c->repos[0].images[0].nblobs = 2;
    ecrc_report_free(r);
    ecrc_case_free(c);
}

static void test_target_without_layer_api_gets_manifest_only_pushes(void)
{
    case_def *c = load("documentation-example");
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    target_info t = T;
    t.layer_api = 0;
    snprintf(t.layer_note, sizeof t.layer_note, "BatchCheckLayerAvailability answered HTTP 500");
    /* The enforcing emulator refuses the manifest alone: no blob was sent. */
    char err[1024];
    CU_ASSERT_EQUAL(build_fixture(&t, c, NULL, err, sizeof err), ECR_EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "LayersNotFoundException"));
    /* The report says why pushes were manifest-only; with the API it says nothing. */
    run_report *r = run_one(&t, c);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r->manifest_only);
    CU_ASSERT_STRING_EQUAL(r->manifest_only, "BatchCheckLayerAvailability answered HTTP 500");
    ecrc_report_free(r);
    r = run_one(&T, c);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_PTR_NULL(r->manifest_only);
    ecrc_report_free(r);
    ecrc_case_free(c);
}

static void test_layer_probe_finds_the_emulators_api(void)
{
    runner_options ro;
    test_options(&ro, &T, 1);
    aws_client *cl = ecrc_aws_client_new(T.endpoint, &ro.creds, 5000, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(cl);
    target_info t = T;
    t.layer_api = 0;
    ecrc_target_probe_layers(cl, &t, "ecrconform-probe-unit-layers");
    CU_ASSERT_EQUAL(t.layer_api, 1);
    CU_ASSERT_STRING_EQUAL(t.layer_note, "");
    CU_ASSERT_TRUE(ecrc_target_has(&t, ECR_CAP_LAYER_API));
    ecrc_aws_client_free(cl);
}

/* What the callback saw, checked after the run. */
typedef struct seen {
    size_t calls;
    int in_order;  /* done went 1, 2, 3, ... */
    int counts_ok; /* the counts always added up to done */
    int total_ok;
    const case_report *first;
} seen;

static void on_case(void *user, case_report *cr, const runner_progress *p)
{
    seen *s = user;
    s->calls++;
    if (p->done != s->calls)
        s->in_order = 0;
    size_t sum = 0;
    for (int i = 0; i < ECRC_CASE_NSTATUS; i++)
        sum += p->counts[i];
    if (sum != p->done)
        s->counts_ok = 0;
    if (p->total != 4)
        s->total_ok = 0;
    if (!s->first)
        s->first = cr;
}

static void test_callback_once_per_case_serialised(void)
{
    case_def *good = load("documentation-example");
    case_def *skip = load("kms-error-by-tag");
    case_def *other = load("delete-last-tag");
    CU_ASSERT_PTR_NOT_NULL_FATAL(good);
    CU_ASSERT_PTR_NOT_NULL_FATAL(skip);
    CU_ASSERT_PTR_NOT_NULL_FATAL(other);
    target_info plain = T;
    plain.fault_injection = 0; /* kms-error-by-tag needs it: a skip */
    run_entry e[4] = {{.c = good, .path = good->path},
                      {.c = skip, .path = skip->path},
                      {.c = NULL, .path = "cases/x/broken.json", .invalid = "broken: not JSON"},
                      {.c = other, .path = other->path}};
    runner_options ro;
    test_options(&ro, &plain, 3);
    seen s = {.in_order = 1, .counts_ok = 1, .total_ok = 1};
    ro.on_case_done = on_case;
    ro.user = &s;
    run_report *r = ecrc_runner_run(&ro, e, 4);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(s.calls, 4);
    CU_ASSERT_TRUE(s.in_order);
    CU_ASSERT_TRUE(s.counts_ok);
    CU_ASSERT_TRUE(s.total_ok);
    /* The callback gets the report's own case, not a copy. */
    CU_ASSERT_TRUE(s.first >= r->cases && s.first < r->cases + r->ncases);
    CU_ASSERT_EQUAL(r->cases[0].status, ECRC_CASE_PASS);
    CU_ASSERT_EQUAL(r->cases[1].status, ECRC_CASE_SKIP);
    CU_ASSERT_EQUAL(r->cases[2].status, ECRC_CASE_ERROR);
    CU_ASSERT_STRING_EQUAL(r->cases[2].id, "broken");
    CU_ASSERT_EQUAL(r->cases[3].status, ECRC_CASE_PASS);
    ecrc_report_free(r);
    ecrc_case_free(good);
    ecrc_case_free(skip);
    ecrc_case_free(other);
}

int register_runner_suite(void)
{
    CU_pSuite s = CU_add_suite("runner", setup, teardown);
    if (!s)
        return 1;
    if (!CU_add_test(s, "repo_names", test_repo_names) ||
        !CU_add_test(s, "documentation_example_passes", test_documentation_example_passes) ||
        !CU_add_test(s, "wrong_golden", test_wrong_golden_fails_with_paths_and_actual_file) ||
        !CU_add_test(s, "dead_endpoint", test_dead_endpoint_is_error_naming_it) ||
        !CU_add_test(s, "missing_capability", test_missing_capability_is_skip) ||
        !CU_add_test(s, "fixture_refused", test_fixture_refused_is_error_naming_the_step) ||
        !CU_add_test(s, "callback", test_callback_once_per_case_serialised) ||
        !CU_add_test(s, "fixture_uploads_blobs", test_fixture_uploads_blobs) ||
        !CU_add_test(s, "fixture_missing_layer", test_fixture_missing_layer_is_layers_not_found) ||
        !CU_add_test(s, "fixture_wrong_digest", test_fixture_wrong_digest_is_digest_mismatch) ||
        !CU_add_test(s, "fixture_index_without_child",
                     test_fixture_index_without_child_is_referenced_images_not_found) ||
        !CU_add_test(s, "fixture_refusal_in_run",
                     test_run_reports_fixture_refusal_naming_the_step) ||
        !CU_add_test(s, "manifest_only", test_target_without_layer_api_gets_manifest_only_pushes) ||
        !CU_add_test(s, "layer_probe", test_layer_probe_finds_the_emulators_api))
        return 1;
    return 0;
}
