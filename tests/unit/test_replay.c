/* Tests of harness/core/run/instance: the $regex instance generator and the
 * canonical instance of a golden that `ecrconform replay` answers with. */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compare.h"
#include "ecr/diag.h"
#include "ecr/json.h"
#include "ecr/regex.h"
#include "golden.h"
#include "instance.h"
#include "suites.h"
#include "vars.h"

/* Generates from pattern, checks the result independently with the
 * comparator's engine, and (want non-NULL) that it is exactly want. */
static void instance_is(const char *pattern, const char *want)
{
    char err[512] = "";
    char *s = ecrc_regex_instance(pattern, err, sizeof err);
    if (!s)
        fprintf(stderr, "\n%s: %s\n", pattern, err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    ecr_regex *rx = ecr_regex_compile(pattern, err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(rx);
    CU_ASSERT_EQUAL(ecr_regex_match(rx, s, strlen(s), err, sizeof err), 1);
    if (want && strcmp(s, want))
        fprintf(stderr, "\n%s: got \"%s\", want \"%s\"\n", pattern, s, want);
    if (want)
        CU_ASSERT_STRING_EQUAL(s, want);
    ecr_regex_free(rx);
    free(s);
}

static void test_regex_corpus_patterns(void)
{
    /* every pattern shape the goldens use (variables already expanded,
     * regex-escaped as vars.c does) */
    instance_is("[Nn]ot found", "Not found");
    instance_is("^.+$", "x");
    instance_is("[Mm]anifest list.*sha256:00ff", "Manifest listsha256:00ff");
    instance_is("imageTag", "imageTag");
    instance_is("^Invalid parameter at 'repositoryName' failed to satisfy constraint: .+$",
                "Invalid parameter at 'repositoryName' failed to satisfy constraint: x");
    instance_is("^.*[Tt]ag.*[Dd]igest.*$", "TagDigest");
    instance_is("^Missing Authentication Token.*$", "Missing Authentication Token");
    instance_is("^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$",
                "00000000-0000-0000-0000-000000000000");
    instance_is("[Mm]anifest list.*(sha256:01|sha256:02)", "Manifest listsha256:01");
    instance_is("ecrc-r1/c/missing.*does not exist.*123456789012",
                "ecrc-r1/c/missingdoes not exist123456789012");
    instance_is("^User: arn:aws:[^ ]+ is not authorized to perform: ecr:BatchDeleteImage on "
                "resource: arn:aws:ecr:[^ ]+:repository/ecrc-r1/c/app( because .*)?$",
                "User: arn:aws:a is not authorized to perform: ecr:BatchDeleteImage on resource: "
                "arn:aws:ecr:a:repository/ecrc-r1/c/app");
    instance_is("^The request signature we calculated does not match the signature you "
                "provided\\..*$",
                "The request signature we calculated does not match the signature you provided.");
    instance_is("ecrc\\-r1/c\\.d", "ecrc-r1/c.d");
}

static void test_regex_constructs(void)
{
    instance_is("(a|b)c", "ac");
    instance_is("(?:ab|c)+d", "abd");
    instance_is("[^ ]+", "a");
    instance_is("[^a-z]", "A");
    instance_is("[[:alpha:]]{3}", "aaa");
    instance_is("[[:digit:]x]", "0");
    instance_is("\\d+\\.\\d\\w\\s", "0.0a ");
    instance_is("a{2,5}b{3,}c{0}", "aabbb");
    instance_is("x*?y??z+?", "z");
    instance_is("[]a]", "]");
    instance_is("a{,3}", "a{,3}"); /* not a quantifier in PCRE2: literal */
    instance_is("", "");
    instance_is("((((a))))|b", "a");
}

static void cannot(const char *pattern, const char *why)
{
    char err[512] = "";
    char *s = ecrc_regex_instance(pattern, err, sizeof err);
    CU_ASSERT_PTR_NULL(s);
    if (!strstr(err, why))
        fprintf(stderr, "\n%s: err \"%s\", want \"%s\"\n", pattern, err, why);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, why));
    free(s);
}

static void test_regex_refused(void)
{
    cannot("(?=a)a", "lookaround");
    cannot("(?i)a", "lookaround or inline flags");
    cannot("\\bword", "'\\b'");
    cannot("(a)\\1", "'\\1'");
    cannot("^a$b", "does not match");           /* a misplaced anchor: caught by the check */
    cannot("a{4097}", "exceed 4096");           /* a bounded answer */
    cannot("(", "missing closing parenthesis"); /* PCRE2's own message */
    cannot("[\\p{L}]", "'\\p'");
}

/* ecrc_instance_json of text, checked against the golden value it came from
 * with the comparator (so the instance is one the golden accepts), and
 * compared with want (JSON text). */
static void json_instance_is(const char *text, answer_list *chosen, const char *want)
{
    json_object *g = ecr_json_parse(text, strlen(text), ECR_JSON_FILE, NULL, NULL, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(g);
    char err[512];
    json_object *o = ecrc_instance_json(g, chosen, "body", err, sizeof err);
    CU_ASSERT_STRING_EQUAL(err, "");
    CU_ASSERT_PTR_NOT_NULL_FATAL(o);
    CU_ASSERT_EQUAL(ecrc_compare_json_open(g, o, "$", NULL, chosen, NULL), 0);
    const char *got = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
    if (strcmp(got, want))
        fprintf(stderr, "\ngot %s\nwant %s\n", got, want);
    CU_ASSERT_STRING_EQUAL(got, want);
    json_object_put(o);
    json_object_put(g);
}

static void test_json_matchers(void)
{
    json_instance_is("{\"imageIds\": {\"$set\": [{\"imageTag\": \"a\"}, {\"imageTag\": \"b\"}]},"
                     " \"failures\": {\"$set\": [{\"failureCode\": \"ImageNotFound\","
                     " \"failureReason\": {\"$regex\": \"[Nn]ot found\"}}]},"
                     " \"gone\": {\"$absent\": true}, \"p\": {\"$partial\": {\"e\": [1, null]}},"
                     " \"t\": {\"$type\": \"array\"}, \"n\": {\"$type\": \"number\"}}",
                     NULL,
                     "{\"imageIds\":[{\"imageTag\":\"a\"},{\"imageTag\":\"b\"}],\"failures\":"
                     "[{\"failureCode\":\"ImageNotFound\",\"failureReason\":\"Not found\"}],"
                     "\"p\":{\"e\":[1,null]},\"t\":[],\"n\":0}");
    /* a top-level $partial */
    json_instance_is("{\"$partial\": {\"imageIds\": []}}", NULL, "{\"imageIds\":[]}");
    /* fuzz_instance's finding: $partial's keys are member names, also one
     * spelled "$set" (the comparator and the loader read them so); the
     * instance was built as if it were a $set matcher. */
    json_instance_is("{\"$partial\": {\"$set\": {\"$set\": [{\"imagg\": \"two\"}]}}}", NULL,
                     "{\"$set\":[{\"imagg\":\"two\"}]}");
}

static void test_json_any_of(void)
{
    const char *open = "{\"failures\": {\"question\": \"oq-x\", \"$anyOf\": ["
                       "{\"answer\": \"one\", \"value\": [1]},"
                       "{\"answer\": \"two\", \"value\": {\"$set\": []}}]}}";
    answer_list chosen;
    ecrc_answers_init(&chosen);
    /* the first alternative, which is then the case's answer */
    json_instance_is(open, &chosen, "{\"failures\":[1]}");
    CU_ASSERT_STRING_EQUAL(ecrc_answers_get(&chosen, "oq-x"), "one");
    ecrc_answers_free(&chosen);
    /* an answer fixed earlier (another step of the case) is kept */
    ecrc_answers_init(&chosen);
    ecrc_answers_set(&chosen, "oq-x", "two", 1);
    json_instance_is(open, &chosen, "{\"failures\":[]}");
    ecrc_answers_free(&chosen);
    /* without a list: the first */
    json_instance_is(open, NULL, "{\"failures\":[1]}");
}

static void test_json_regex_error_names_the_field(void)
{
    const char *t = "{\"failures\": [{\"failureReason\": {\"$regex\": \"(?=x)x\"}}]}";
    json_object *g = ecr_json_parse(t, strlen(t), ECR_JSON_FILE, NULL, NULL, NULL);
    char err[512];
    CU_ASSERT_PTR_NULL(ecrc_instance_json(g, NULL, "body", err, sizeof err));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "body.failures[0].failureReason: $regex \"(?=x)x\" cannot "
                                       "be instantiated"));
    json_object_put(g);
}

static vars *sample_vars(void)
{
    vars *v = ecrc_vars_new();
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    ecrc_vars_set(v, "repo:missing", "ecrc-r1/repository-not-found/missing");
    ecrc_vars_set(v, "repo:app", "ecrc-r1/c/app");
    ecrc_vars_set(v, "digest:a", "sha256:00ff");
    ecrc_vars_set(v, "account", "123456789012");
    ecrc_vars_set(v, "region", "us-east-1");
    return v;
}

static golden *load(const char *rel)
{
    diag_list d;
    ecr_diag_init(&d);
    golden *g = ecrc_golden_load(src_path(rel), &d);
    if (!g)
        ecr_diag_print(&d, stderr);
    ecr_diag_free(&d);
    CU_ASSERT_PTR_NOT_NULL(g);
    return g;
}

static void test_reply_error_exact(void)
{
    golden *g = load("golden/repository-not-found/delete.json");
    if (!g)
        return;
    vars *v = sample_vars();
    ecr_http_reply r;
    char err[512];
    CU_ASSERT_EQUAL(ecrc_instance_reply(g, v, NULL, &r, err, sizeof err), ECR_OK);
    CU_ASSERT_EQUAL(r.status, 400);
    CU_ASSERT_STRING_EQUAL(r.body, "{\"__type\":\"RepositoryNotFoundException\",\"message\":\"The "
                                   "repository with name 'ecrc-r1/repository-not-found/missing' "
                                   "does not exist in the registry with id '123456789012'\"}");
    CU_ASSERT_EQUAL(r.nheaders, 0);
    ecr_http_reply_free(&r);
    ecrc_vars_free(v);
    ecrc_golden_free(g);
}

static void test_reply_open_and_headers(void)
{
    vars *v = sample_vars();
    ecr_http_reply r;
    char err[512];
    /* a whole-response $anyOf with a shared status: the first alternative */
    golden *g = load("golden/order-auth-before-operation/delete.json");
    answer_list chosen;
    ecrc_answers_init(&chosen);
    CU_ASSERT_EQUAL(ecrc_instance_reply(g, v, &chosen, &r, err, sizeof err), ECR_OK);
    CU_ASSERT_EQUAL(r.status, 400);
    CU_ASSERT_STRING_EQUAL(r.body, "{\"__type\":\"MissingAuthenticationTokenException\","
                                   "\"message\":\"Missing Authentication Token\"}");
    CU_ASSERT_STRING_EQUAL(ecrc_answers_get(&chosen, "oq-auth-order"), "auth-first");
    ecr_http_reply_free(&r);
    /* the other answer, when the case fixed it */
    ecrc_answers_free(&chosen);
    ecrc_answers_init(&chosen);
    ecrc_answers_set(&chosen, "oq-auth-order", "front-end-first", 1);
    CU_ASSERT_EQUAL(ecrc_instance_reply(g, v, &chosen, &r, err, sizeof err), ECR_OK);
    CU_ASSERT_STRING_EQUAL(r.body, "{\"__type\":\"UnknownOperationException\",\"message\":"
                                   "\"ecrconform replay: UnknownOperationException\"}");
    ecr_http_reply_free(&r);
    ecrc_answers_free(&chosen);
    ecrc_golden_free(g);
    /* a golden's headers: Content-Type is sent, the request id left to the server */
    g = load("golden/response-headers-success/delete.json");
    CU_ASSERT_EQUAL(ecrc_instance_reply(g, v, NULL, &r, err, sizeof err), ECR_OK);
    CU_ASSERT_EQUAL(r.status, 200);
    CU_ASSERT_STRING_EQUAL(ecr_http_reply_get(&r, "content-type"), "application/x-amz-json-1.1");
    CU_ASSERT_PTR_NULL(ecr_http_reply_get(&r, "x-amzn-RequestId"));
    CU_ASSERT_STRING_EQUAL(r.body, "{\"imageIds\":[{\"imageDigest\":\"sha256:00ff\",\"imageTag\":"
                                   "\"latest\"}],\"failures\":[]}");
    ecr_http_reply_free(&r);
    ecrc_golden_free(g);
    /* an unknown variable is an error naming the field, and out is left empty */
    ecrc_vars_free(v);
    v = ecrc_vars_new();
    g = load("golden/repository-not-found/delete.json");
    CU_ASSERT_EQUAL(ecrc_instance_reply(g, v, NULL, &r, err, sizeof err), ECR_EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "error.message: an unknown variable ${repo:missing}"));
    CU_ASSERT_PTR_NULL(r.body);
    ecrc_golden_free(g);
    ecrc_vars_free(v);
}

int register_replay_suite(void)
{
    CU_pSuite s = CU_add_suite("replay", NULL, NULL);
    if (!s)
        return 1;
    if (!CU_add_test(s, "regex_corpus_patterns", test_regex_corpus_patterns) ||
        !CU_add_test(s, "regex_constructs", test_regex_constructs) ||
        !CU_add_test(s, "regex_refused", test_regex_refused) ||
        !CU_add_test(s, "json_matchers", test_json_matchers) ||
        !CU_add_test(s, "json_any_of", test_json_any_of) ||
        !CU_add_test(s, "json_regex_error_names_the_field",
                     test_json_regex_error_names_the_field) ||
        !CU_add_test(s, "reply_error_exact", test_reply_error_exact) ||
        !CU_add_test(s, "reply_open_and_headers", test_reply_open_and_headers))
        return 1;
    return 0;
}
