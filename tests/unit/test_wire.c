/* Tests of what keeps the runner's wire busy (issue 12, item 4): the spare
 * connections a run shares (clientpool), a step's request built once for the
 * runner and reproduce (stepreq), and the request count the schedule goes by
 * (ecrc_fixture_requests). No server: clients are made, never used. */
#include <CUnit/CUnit.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clientpool.h"
#include "fixture.h"
#include "stepreq.h"
#include "suites.h"

static aws_credentials test_creds(void)
{
    aws_credentials c;
    memset(&c, 0, sizeof c);
    snprintf(c.access_key, sizeof c.access_key, "%s", "AKIDECRCONFORMTEST01");
    snprintf(c.secret_key, sizeof c.secret_key, "%s", "secret");
    snprintf(c.region, sizeof c.region, "%s", "us-east-1");
    return c;
}

static void test_pool_is_capped_and_reuses(void)
{
    aws_credentials creds = test_creds();
    aws_transport tr = {.no_proxy = 1};
    CU_ASSERT_PTR_NULL(ecrc_client_pool_new(0, "http://127.0.0.1:9", &creds, 1000, &tr));
    aws_client *none[1];
    CU_ASSERT_EQUAL(ecrc_client_pool_take(NULL, none, 1), 0);

    client_pool *p = ecrc_client_pool_new(3, "http://127.0.0.1:9", &creds, 1000, &tr);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    aws_client *a[5] = {0}, *b[2] = {0};
    CU_ASSERT_EQUAL(ecrc_client_pool_take(p, a, 5), 3); /* never more than max */
    CU_ASSERT_PTR_NOT_NULL(a[0]);
    CU_ASSERT_PTR_NOT_NULL(a[2]);
    CU_ASSERT_PTR_NULL(a[3]);
    CU_ASSERT_EQUAL(ecrc_client_pool_take(p, b, 2), 0); /* all lent: nothing, no wait */
    ecrc_client_pool_give(p, a, 2);
    CU_ASSERT_EQUAL(ecrc_client_pool_take(p, b, 2), 2); /* the ones given back */
    CU_ASSERT(b[0] == a[0] || b[0] == a[1]);
    CU_ASSERT(b[1] == a[0] || b[1] == a[1]);
    CU_ASSERT(b[0] != b[1]);
    ecrc_client_pool_give(p, b, 2);
    ecrc_client_pool_give(p, a + 2, 1);
    ecrc_client_pool_free(p); /* frees all three: ASan sees a leak otherwise */
}

static void test_step_request_as_sent(void)
{
    vars *v = ecrc_vars_new();
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    CU_ASSERT_EQUAL(ecrc_vars_set(v, "repo:app", "ecrc-1/x/app"), ECR_OK);
    CU_ASSERT_EQUAL(ecrc_vars_set(v, "region", "eu-west-1"), ECR_OK);
    char *names[] = {"X-Test"}, *values[] = {"in ${region}"};
    case_step s;
    memset(&s, 0, sizeof s);
    s.name = "state";
    s.operation = "ListImages";
    s.input = json_tokener_parse("{\"repositoryName\":\"${repo:app}\"}");
    s.header_names = names;
    s.header_values = values;
    s.nheaders = 1;
    s.auth = ECRC_SIGN_NONE;
    char bad[64] = "x";
    step_request sq;
    CU_ASSERT_EQUAL_FATAL(ecrc_step_request_build(&s, v, &sq, bad, sizeof bad), ECR_OK);
    CU_ASSERT_STRING_EQUAL(sq.req.body, "{\"repositoryName\":\"ecrc-1/x/app\"}");
    CU_ASSERT_EQUAL(sq.req.body_len, strlen(sq.req.body));
    CU_ASSERT_STRING_EQUAL(sq.req.operation, "ListImages");
    CU_ASSERT_PTR_NULL(sq.req.target);
    CU_ASSERT_EQUAL(sq.req.auth, ECRC_SIGN_NONE);
    CU_ASSERT_EQUAL(sq.req.nheaders, 1);
    CU_ASSERT_STRING_EQUAL(sq.req.headers[0].value, "in eu-west-1");
    CU_ASSERT_PTR_NOT_NULL(sq.in); /* the expanded input, for further pages */
    ecrc_step_request_free(&sq);

    /* A raw body and target, and an unknown variable in a header: named. */
    s.raw_body = "{\"repositoryName\":\"${repo:app}\"";
    s.target = "Custom.${region}";
    values[0] = "${repo:nope}";
    CU_ASSERT_EQUAL(ecrc_step_request_build(&s, v, &sq, bad, sizeof bad), ECR_EINVAL);
    CU_ASSERT_STRING_EQUAL(bad, "repo:nope");
    ecrc_step_request_free(&sq);
    values[0] = "ok";
    CU_ASSERT_EQUAL_FATAL(ecrc_step_request_build(&s, v, &sq, bad, sizeof bad), ECR_OK);
    CU_ASSERT_STRING_EQUAL(sq.req.body, "{\"repositoryName\":\"ecrc-1/x/app\"");
    CU_ASSERT_STRING_EQUAL(sq.req.target, "Custom.eu-west-1");
    CU_ASSERT_PTR_NULL(sq.in);
    ecrc_step_request_free(&sq);
    ecrc_step_request_free(NULL);
    json_object_put(s.input);
    ecrc_vars_free(v);
}

static void test_fixture_requests(void)
{
    /* One repository, two images sharing their config blob, one with two
     * tags; a second repository only reserved. */
    case_blob blobs_a[2], blobs_b[2];
    memset(blobs_a, 0, sizeof blobs_a);
    memset(blobs_b, 0, sizeof blobs_b);
    snprintf(blobs_a[0].digest, sizeof blobs_a[0].digest, "%s", "sha256:c0");
    snprintf(blobs_a[1].digest, sizeof blobs_a[1].digest, "%s", "sha256:a1");
    snprintf(blobs_b[0].digest, sizeof blobs_b[0].digest, "%s", "sha256:c0");
    snprintf(blobs_b[1].digest, sizeof blobs_b[1].digest, "%s", "sha256:b1");
    char *tags[] = {"v1", "latest"};
    case_image imgs[2];
    memset(imgs, 0, sizeof imgs);
    imgs[0].blobs = blobs_a;
    imgs[0].nblobs = 2;
    imgs[0].tags = tags;
    imgs[0].ntags = 2;
    imgs[1].blobs = blobs_b;
    imgs[1].nblobs = 2;
    case_repo repos[2];
    memset(repos, 0, sizeof repos);
    repos[0].create = 1;
    repos[0].images = imgs;
    repos[0].nimages = 2;
    case_def c;
    memset(&c, 0, sizeof c);
    c.repos = repos;
    c.nrepos = 2;
    /* Without the layer API: create 1, deletes 2, PutImage 2 + 1. */
    CU_ASSERT_EQUAL(ecrc_fixture_requests(&c, 0), 1 + 2 + 3);
    /* With it: a check per image, 3 uploads (the shared config once) of 3
     * requests each. */
    CU_ASSERT_EQUAL(ecrc_fixture_requests(&c, 1), 1 + 2 + 3 + 2 + 3 * 3);
}

int register_wire_suite(void)
{
    CU_pSuite s = CU_add_suite("wire", NULL, NULL);
    if (!s)
        return 1;
    if (!CU_add_test(s, "pool_is_capped_and_reuses", test_pool_is_capped_and_reuses) ||
        !CU_add_test(s, "step_request_as_sent", test_step_request_as_sent) ||
        !CU_add_test(s, "fixture_requests", test_fixture_requests))
        return 1;
    return 0;
}
