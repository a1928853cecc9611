/* Tests of run/liverules.c and run/journal.c: which endpoints are live,
 * which request bodies a live run refuses before sending, and the journal's
 * lines (docs/LIVE.md). */
#include <CUnit/CUnit.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ecr/util.h"
#include "journal.h"
#include "liverules.h"
#include "suites.h"

static void test_loopback(void)
{
    CU_ASSERT_TRUE(ecrc_live_endpoint_is_loopback("http://127.0.0.1:5000"));
    CU_ASSERT_TRUE(ecrc_live_endpoint_is_loopback("http://127.1.2.3"));
    CU_ASSERT_TRUE(ecrc_live_endpoint_is_loopback("https://localhost:443/x"));
    CU_ASSERT_TRUE(ecrc_live_endpoint_is_loopback("http://LOCALHOST"));
    CU_ASSERT_TRUE(ecrc_live_endpoint_is_loopback("http://[::1]:8080/"));
    CU_ASSERT_FALSE(ecrc_live_endpoint_is_loopback("https://api.ecr.us-east-1.amazonaws.com"));
    CU_ASSERT_FALSE(ecrc_live_endpoint_is_loopback("http://10.0.0.1:5000"));
    CU_ASSERT_FALSE(ecrc_live_endpoint_is_loopback("http://127.0.0.1.nip.io"));
    CU_ASSERT_FALSE(ecrc_live_endpoint_is_loopback("http://127.0.0.1@example.com/"));
    CU_ASSERT_FALSE(ecrc_live_endpoint_is_loopback("http://localhost.example.com"));
    CU_ASSERT_FALSE(ecrc_live_endpoint_is_loopback("http://128.0.0.1"));
    CU_ASSERT_FALSE(ecrc_live_endpoint_is_loopback("http://127.0.0.256"));
    CU_ASSERT_FALSE(ecrc_live_endpoint_is_loopback("http://[2001:db8::1]"));
    CU_ASSERT_FALSE(ecrc_live_endpoint_is_loopback("http://0x7f.1"));
    CU_ASSERT_FALSE(ecrc_live_endpoint_is_loopback(""));
    CU_ASSERT_FALSE(ecrc_live_endpoint_is_loopback(NULL));
}

static int refused(const char *body)
{
    char err[512] = "";
    ecr_result rc = ecrc_live_check_request(body, strlen(body), "0123abcd", err, sizeof err);
    if (rc)
        CU_ASSERT_PTR_NOT_NULL(strstr(err, "refused under live rules"));
    return rc != ECR_OK;
}

static void test_requests(void)
{
    /* this run's repositories */
    CU_ASSERT_FALSE(refused("{\"repositoryName\":\"ecrc-0123abcd/case/app\"}"));
    CU_ASSERT_FALSE(refused("{\"repositoryNames\":[\"ecrc-0123abcd/a/x\",\"ecrc-0123abcd/b/y\"]}"));
    CU_ASSERT_FALSE(refused("{}"));
    CU_ASSERT_FALSE(refused("not json at all"));
    /* names ECR would refuse name nobody's repository */
    CU_ASSERT_FALSE(refused("{\"repositoryName\":\"\"}"));
    CU_ASSERT_FALSE(refused("{\"repositoryName\":\"Ubuntu\"}"));
    CU_ASSERT_FALSE(refused("{\"repositoryName\":\"a\"}"));
    CU_ASSERT_FALSE(refused("{\"repositoryName\":\"bad name\"}"));
    CU_ASSERT_FALSE(refused("{\"repositoryName\":\"ubuntu/\"}"));
    CU_ASSERT_FALSE(refused("{\"repositoryName\":7}"));
    /* anybody else's */
    CU_ASSERT_TRUE(refused("{\"repositoryName\":\"app\"}"));
    CU_ASSERT_TRUE(refused("{\"repositoryName\":\"ecrc-0123abce/case/app\"}"));
    CU_ASSERT_TRUE(refused("{\"repositoryName\":\"ecrc-0123abcd\"}"));
    CU_ASSERT_TRUE(refused("{\"repositoryNames\":[\"ecrc-0123abcd/a/x\",\"ubuntu\"]}"));
    CU_ASSERT_TRUE(
        refused("{\"repositoryName\":\"ecrc-0123abcd/a/x\",\"repositoryName\":\"app\"}"));
    CU_ASSERT_TRUE(refused("{\"repositor\\u0079Name\":\"app\"}"));
    CU_ASSERT_TRUE(refused("{\"repositoryName\":\"ap\\u0070\"}"));
    CU_ASSERT_TRUE(refused("{\"repositoryName\":\"ecrc-0123abcd/\\u0061/../x\"}"));
    CU_ASSERT_TRUE(refused("{\"repositoryName\": \"app\", \"imageIds\": [")); /* raw, cut */
    CU_ASSERT_TRUE(refused("{\"resourceArn\":\"arn:aws:ecr:us-east-1:1:repository/ubuntu\"}"));
    CU_ASSERT_TRUE(refused("{\"x\":{\"deep\":{\"sourceRepository\":\"team/svc\"}}}"));
    CU_ASSERT_FALSE(
        refused("{\"resourceArn\":\"arn:aws:ecr:us-east-1:1:repository/ecrc-0123abcd/c/app\"}"));
}

static void test_journal_lines(void)
{
    char dir[] = "/tmp/ecrc-journal-XXXXXX";
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
    char *path = ecr_asprintf("%s/sub/j.jsonl", dir);
    char err[256] = "";
    ecrc_journal *j = ecrc_journal_open(path, "http://127.0.0.1:1", "us-east-1", err, sizeof err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(j);
    ecrc_live *lv = ecrc_live_new(j);
    json_object *in = json_object_new_object();
    CU_ASSERT_EQUAL(
        ecrc_live_before_create(lv, "0123abcd", "ecrc-0123abcd/c/app", in, err, sizeof err),
        ECR_OK);
    /* the tag went into the request */
    json_object *tags = NULL;
    CU_ASSERT_TRUE(json_object_object_get_ex(in, "tags", &tags));
    CU_ASSERT_STRING_EQUAL(json_object_to_json_string_ext(tags, JSON_C_TO_STRING_PLAIN),
                           "[{\"Key\":\"ecrconform-run\",\"Value\":\"0123abcd\"}]");
    json_object_put(in);
    /* a name without the run prefix is never created */
    in = json_object_new_object();
    CU_ASSERT_NOT_EQUAL(ecrc_live_before_create(lv, "0123abcd", "app", in, err, sizeof err),
                        ECR_OK);
    CU_ASSERT_FALSE(json_object_object_get_ex(in, "tags", NULL));
    json_object_put(in);
    ecrc_live_free(lv);
    ecrc_journal_close(j);
    FILE *f = fopen(path, "r");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    char line[1024];
    int n = 0;
    while (fgets(line, sizeof line, f)) {
        n++;
        CU_ASSERT_PTR_NOT_NULL(strstr(line, "\"repository\":\"ecrc-0123abcd/c/app\""));
        CU_ASSERT_PTR_NOT_NULL(strstr(line, "\"event\":\"create\""));
    }
    fclose(f);
    CU_ASSERT_EQUAL(n, 1);
    free(path);
    rm_tree(dir);
}

int register_liverules_suite(void)
{
    CU_pSuite s = CU_add_suite("liverules", NULL, NULL);
    if (!s)
        return 1;
    if (!CU_add_test(s, "loopback", test_loopback) || !CU_add_test(s, "requests", test_requests) ||
        !CU_add_test(s, "journal_lines", test_journal_lines))
        return 1;
    return 0;
}
