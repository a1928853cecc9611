/* Tests of harness/core/vars: ${name} expansion in strings and JSON trees,
 * regex escaping, and the scan lint uses. */
#include <CUnit/CUnit.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "suites.h"
#include "vars.h"

static vars *sample(void)
{
    vars *v = ecrc_vars_new();
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    CU_ASSERT_EQUAL(ecrc_vars_set(v, "repo:ubuntu", "ecrc-run1/case/ubuntu"), ECR_OK);
    CU_ASSERT_EQUAL(ecrc_vars_set(v, "digest:a", "sha256:00ff"), ECR_OK);
    CU_ASSERT_EQUAL(ecrc_vars_set(v, "account", "123456789012"), ECR_OK);
    CU_ASSERT_EQUAL(ecrc_vars_set(v, "region", "us-east-1"), ECR_OK);
    return v;
}

static void test_set_get_replace(void)
{
    vars *v = sample();
    CU_ASSERT_STRING_EQUAL(ecrc_vars_get(v, "account"), "123456789012");
    CU_ASSERT_PTR_NULL(ecrc_vars_get(v, "acount"));
    CU_ASSERT_EQUAL(ecrc_vars_set(v, "account", "000000000000"), ECR_OK);
    CU_ASSERT_STRING_EQUAL(ecrc_vars_get(v, "account"), "000000000000");
    /* More than the initial capacity. */
    char name[32];
    for (int i = 0; i < 40; i++) {
        snprintf(name, sizeof name, "digest:i%d", i);
        CU_ASSERT_EQUAL(ecrc_vars_set(v, name, name), ECR_OK);
    }
    CU_ASSERT_STRING_EQUAL(ecrc_vars_get(v, "digest:i39"), "digest:i39");
    CU_ASSERT_STRING_EQUAL(ecrc_vars_get(v, "repo:ubuntu"), "ecrc-run1/case/ubuntu");
    ecrc_vars_free(v);
    ecrc_vars_free(NULL);
}

static void test_expand(void)
{
    vars *v = sample();
    ecr_result rc = ECR_EIO;
    char bad[64] = "junk";
    char *s = ecrc_vars_expand(v, "${repo:ubuntu}@${digest:a} in ${account}/${region}", 0, &rc, bad,
                               sizeof bad);
    CU_ASSERT_EQUAL(rc, ECR_OK);
    CU_ASSERT_STRING_EQUAL(s, "ecrc-run1/case/ubuntu@sha256:00ff in 123456789012/us-east-1");
    CU_ASSERT_STRING_EQUAL(bad, "");
    free(s);

    /* Text without variables, lone dollars and braces pass through. */
    s = ecrc_vars_expand(v, "$ $x a$ {account} $}", 0, &rc, NULL, 0);
    CU_ASSERT_EQUAL(rc, ECR_OK);
    CU_ASSERT_STRING_EQUAL(s, "$ $x a$ {account} $}");
    free(s);
    s = ecrc_vars_expand(v, "", 0, NULL, NULL, 0);
    CU_ASSERT_STRING_EQUAL(s, "");
    free(s);
    ecrc_vars_free(v);
}

static void test_expand_unknown_and_unterminated(void)
{
    vars *v = sample();
    ecr_result rc = ECR_OK;
    char bad[64];
    CU_ASSERT_PTR_NULL(
        ecrc_vars_expand(v, "x ${repo:ubuntu} ${repo:nope} y", 0, &rc, bad, sizeof bad));
    CU_ASSERT_EQUAL(rc, ECR_EINVAL);
    CU_ASSERT_STRING_EQUAL(bad, "repo:nope");

    rc = ECR_OK;
    CU_ASSERT_PTR_NULL(ecrc_vars_expand(v, "name ${account", 0, &rc, bad, sizeof bad));
    CU_ASSERT_EQUAL(rc, ECR_EINVAL);
    CU_ASSERT_STRING_EQUAL(bad, "${account");

    /* The empty name is a name like any other, and unknown. */
    CU_ASSERT_PTR_NULL(ecrc_vars_expand(v, "${}", 0, &rc, bad, sizeof bad));
    CU_ASSERT_EQUAL(rc, ECR_EINVAL);
    CU_ASSERT_STRING_EQUAL(bad, "");

    /* bad is truncated to its size, never overrun. */
    char small[5];
    CU_ASSERT_PTR_NULL(ecrc_vars_expand(v, "${digest:abcdefgh}", 0, &rc, small, sizeof small));
    CU_ASSERT_STRING_EQUAL(small, "dige");
    ecrc_vars_free(v);
}

static void test_expand_regex_escape(void)
{
    vars *v = ecrc_vars_new();
    const char *nasty = "a.b*c(d)[e]{f}|g^h$i\\j+k?l";
    CU_ASSERT_EQUAL(ecrc_vars_set(v, "repo:x", nasty), ECR_OK);
    ecr_result rc;
    char *plain = ecrc_vars_expand(v, "${repo:x}", 0, &rc, NULL, 0);
    CU_ASSERT_STRING_EQUAL(plain, nasty);
    char *re = ecrc_vars_expand(v, "^${repo:x}$", 1, &rc, NULL, 0);
    CU_ASSERT_EQUAL(rc, ECR_OK);
    CU_ASSERT_STRING_EQUAL(re, "^a\\.b\\*c\\(d\\)\\[e\\]\\{f\\}\\|g\\^h\\$i\\\\j\\+k\\?l$");

    /* The escaped pattern matches the value literally and nothing else. */
    regex_t rx;
    CU_ASSERT_EQUAL_FATAL(regcomp(&rx, re, REG_EXTENDED | REG_NOSUB), 0);
    CU_ASSERT_EQUAL(regexec(&rx, nasty, 0, NULL, 0), 0);
    CU_ASSERT_NOT_EQUAL(regexec(&rx, "aXb*c(d)[e]{f}|g^h$i\\j+k?l", 0, NULL, 0), 0);
    CU_ASSERT_NOT_EQUAL(regexec(&rx, "a.bbc(d)[e]{f}|g^h$i\\j+k?l", 0, NULL, 0), 0);
    regfree(&rx);
    free(plain);
    free(re);
    ecrc_vars_free(v);
}

static void test_expand_json(void)
{
    vars *v = sample();
    CU_ASSERT_EQUAL(ecrc_vars_set(v, "digest:b", "sha256:a.b"), ECR_OK);
    json_object *in =
        json_tokener_parse("{\"repositoryName\": \"${repo:ubuntu}\", \"${account}\": 1,"
                           " \"ids\": [{\"imageDigest\": \"${digest:b}\"}, null, true, 2.5, 7],"
                           " \"m\": {\"$regex\": \"^${digest:b}$\"}, \"n\": {\"$any\": true}}");
    CU_ASSERT_PTR_NOT_NULL_FATAL(in);
    ecr_result rc = ECR_EIO;
    json_object *out = ecrc_vars_expand_json(v, in, &rc, NULL, 0);
    CU_ASSERT_EQUAL(rc, ECR_OK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(out);
    CU_ASSERT_STRING_EQUAL(json_object_to_json_string_ext(out, JSON_C_TO_STRING_PLAIN |
                                                                   JSON_C_TO_STRING_NOSLASHESCAPE),
                           "{\"repositoryName\":\"ecrc-run1/case/ubuntu\",\"${account}\":1,"
                           "\"ids\":[{\"imageDigest\":\"sha256:a.b\"},null,true,2.5,7],"
                           "\"m\":{\"$regex\":\"^sha256:a\\\\.b$\"},\"n\":{\"$any\":true}}");
    /* A deep copy: the input is untouched. */
    json_object *rn;
    CU_ASSERT(json_object_object_get_ex(in, "repositoryName", &rn));
    CU_ASSERT_STRING_EQUAL(json_object_get_string(rn), "${repo:ubuntu}");
    json_object_put(out);

    /* An unknown variable deep inside fails the whole copy. */
    json_object *bad_in = json_tokener_parse("{\"a\": [1, {\"b\": \"${digest:zz}\"}]}");
    char bad[32];
    CU_ASSERT_PTR_NULL(ecrc_vars_expand_json(v, bad_in, &rc, bad, sizeof bad));
    CU_ASSERT_EQUAL(rc, ECR_EINVAL);
    CU_ASSERT_STRING_EQUAL(bad, "digest:zz");
    json_object_put(bad_in);

    /* JSON null is NULL in json-c: success is told by rc. */
    rc = ECR_EIO;
    CU_ASSERT_PTR_NULL(ecrc_vars_expand_json(v, NULL, &rc, NULL, 0));
    CU_ASSERT_EQUAL(rc, ECR_OK);
    json_object_put(in);
    ecrc_vars_free(v);
}

typedef struct seen {
    char names[8][32];
    int n;
} seen;

static void collect(const char *name, void *ud)
{
    seen *s = ud;
    if (s->n < 8)
        snprintf(s->names[s->n++], sizeof s->names[0], "%s", name);
}

static void test_scan(void)
{
    seen s = {0};
    CU_ASSERT_EQUAL(ecrc_vars_scan("a ${repo:x} b ${digest:y}${account} $ {no}", collect, &s),
                    ECR_OK);
    CU_ASSERT_EQUAL(s.n, 3);
    CU_ASSERT_STRING_EQUAL(s.names[0], "repo:x");
    CU_ASSERT_STRING_EQUAL(s.names[1], "digest:y");
    CU_ASSERT_STRING_EQUAL(s.names[2], "account");

    seen t = {0};
    CU_ASSERT_EQUAL(ecrc_vars_scan("${region} then ${open", collect, &t), ECR_EINVAL);
    CU_ASSERT_EQUAL(t.n, 1);
    CU_ASSERT_STRING_EQUAL(t.names[0], "region");

    seen u = {0};
    CU_ASSERT_EQUAL(ecrc_vars_scan("", collect, &u), ECR_OK);
    CU_ASSERT_EQUAL(u.n, 0);
}

int register_vars_suite(void)
{
    CU_pSuite s = CU_add_suite("vars", NULL, NULL);
    if (!s)
        return 1;
    if (!CU_add_test(s, "set_get_replace", test_set_get_replace) ||
        !CU_add_test(s, "expand", test_expand) ||
        !CU_add_test(s, "expand_unknown_and_unterminated", test_expand_unknown_and_unterminated) ||
        !CU_add_test(s, "expand_regex_escape", test_expand_regex_escape) ||
        !CU_add_test(s, "expand_json", test_expand_json) || !CU_add_test(s, "scan", test_scan))
        return 1;
    return 0;
}
