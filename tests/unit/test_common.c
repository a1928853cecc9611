/* Tests of harness/common: bounded buffers, image digests, the shared
 * protocol names and the bounded string copy. */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include "ecr/buf.h"
#include "ecr/digest.h"
#include "ecr/protocol.h"
#include "ecr/redact.h"
#include "ecr/regex.h"
#include "ecr/util.h"
#include "suites.h"

static void test_buf_cap(void)
{
    buf b;
    ecr_buf_init(&b, 8);
    CU_ASSERT_EQUAL(ecr_buf_puts(&b, "1234567"), ECR_OK);
    CU_ASSERT_EQUAL(ecr_buf_puts(&b, "8"), ECR_ETOOBIG);
    CU_ASSERT_STRING_EQUAL(b.data, "1234567");
    CU_ASSERT_EQUAL(b.len, 7);
    ecr_buf_free(&b);
    ecr_buf_free(NULL);
}

static void test_buf_printf_grows(void)
{
    buf b;
    ecr_buf_init(&b, 1 << 20);
    char big[2000];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    CU_ASSERT_EQUAL(ecr_buf_printf(&b, "<%s>", big), ECR_OK);
    CU_ASSERT_EQUAL(b.len, sizeof big + 1);
    CU_ASSERT_EQUAL(b.data[0], '<');
    CU_ASSERT_EQUAL(b.data[b.len - 1], '>');
    char *s = ecr_buf_steal(&b);
    CU_ASSERT_PTR_NULL(b.data);
    CU_ASSERT_EQUAL(strlen(s), sizeof big + 1);
    free(s);
}

static void test_digest_known_values(void)
{
    char d[DIGEST_STR_SIZE];
    /* sha256("") and sha256("abc") from FIPS 180-2. */
    CU_ASSERT_EQUAL(ecr_digest_sha256("", 0, d), ECR_OK);
    CU_ASSERT_STRING_EQUAL(
        d, "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    CU_ASSERT_EQUAL(ecr_digest_sha256("abc", 3, d), ECR_OK);
    CU_ASSERT_STRING_EQUAL(
        d, "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

static void test_digest_exact_bytes(void)
{
    /* A trailing newline is part of the manifest: different bytes, different digest. */
    char a[DIGEST_STR_SIZE], b[DIGEST_STR_SIZE];
    ecr_digest_sha256("{}", 2, a);
    ecr_digest_sha256("{}\n", 3, b);
    CU_ASSERT_STRING_NOT_EQUAL(a, b);
}

/* Every kind has a distinct name that parses back to it, and the list in
 * messages is exactly the names in enum order. */
static void test_fault_kind_names(void)
{
    buf list;
    ecr_buf_init(&list, 4096);
    for (int k = 0; k < ECR_FAULT_KIND_COUNT; k++) {
        const char *name = ecr_fault_kind_name((ecr_fault_kind)k);
        CU_ASSERT_PTR_NOT_NULL_FATAL(name);
        ecr_fault_kind back = ECR_FAULT_KIND_COUNT;
        CU_ASSERT_EQUAL(ecr_fault_kind_parse(name, &back), 0);
        CU_ASSERT_EQUAL(back, k);
        for (int j = 0; j < k; j++)
            CU_ASSERT_STRING_NOT_EQUAL(name, ecr_fault_kind_name((ecr_fault_kind)j));
        ecr_buf_printf(&list, "%s%s", k ? ", " : "", name);
    }
    CU_ASSERT_STRING_EQUAL(ecr_fault_kind_list(), list.data);
    ecr_buf_free(&list);
    CU_ASSERT_STRING_EQUAL(ecr_fault_kind_name(ECR_FAULT_IMAGE_INACCESSIBLE), "image-inaccessible");
    CU_ASSERT_STRING_EQUAL(ecr_fault_kind_name(ECR_FAULT_KIND_COUNT), "unknown");
    ecr_fault_kind k = ECR_FAULT_THROTTLING;
    CU_ASSERT_EQUAL(ecr_fault_kind_parse("Throttling", &k), -1);
    CU_ASSERT_EQUAL(ecr_fault_kind_parse(NULL, &k), -1);
    CU_ASSERT_EQUAL(k, ECR_FAULT_THROTTLING);
    CU_ASSERT_TRUE(ecr_fault_kind_is_request(ECR_FAULT_SERVER_ERROR));
    CU_ASSERT_TRUE(ecr_fault_kind_is_request(ECR_FAULT_ACCESS_DENIED));
    CU_ASSERT_FALSE(ecr_fault_kind_is_request(ECR_FAULT_KMS_ERROR));
    CU_ASSERT_FALSE(ecr_fault_kind_is_request(ECR_FAULT_IMAGE_INACCESSIBLE));
}

static void test_capability_names(void)
{
    size_t n = 0;
    while (ecr_capability_names[n])
        n++;
    CU_ASSERT_EQUAL(n, 3);
    CU_ASSERT_STRING_EQUAL(ecr_capability_names[0], ECR_CAP_FAULT_INJECTION);
    CU_ASSERT_STRING_EQUAL(ecr_capability_names[1], ECR_CAP_STRICT_AUTH);
    CU_ASSERT_STRING_EQUAL(ecr_capability_names[2], ECR_CAP_LAYER_API);
    CU_ASSERT_STRING_EQUAL(ECR_CAP_LIST, "fault-injection, strict-auth, layer-api");
}

/* A value that does not fit is refused whole, never cut. */
static void test_copy_str_bounded(void)
{
    char dst[8] = "junk";
    CU_ASSERT_EQUAL(ecr_copy_str(dst, sizeof dst, "1234567"), ECR_OK);
    CU_ASSERT_STRING_EQUAL(dst, "1234567");
    CU_ASSERT_EQUAL(ecr_copy_str(dst, sizeof dst, "12345678"), ECR_ETOOBIG);
    CU_ASSERT_STRING_EQUAL(dst, "");
    CU_ASSERT_EQUAL(ecr_copy_str(dst, sizeof dst, NULL), ECR_OK);
    CU_ASSERT_STRING_EQUAL(dst, "");
}

static int re_match(const char *pattern, const char *subject)
{
    char err[200];
    ecr_regex *rx = ecr_regex_compile(pattern, err, sizeof err);
    if (!rx)
        return -2;
    int m = ecr_regex_match(rx, subject, strlen(subject), err, sizeof err);
    ecr_regex_free(rx);
    return m;
}

/* The $regex dialect keeps what the goldens' POSIX EREs meant. */
static void test_regex_ere_meaning(void)
{
    CU_ASSERT_EQUAL(re_match("^.+$", "two\nlines"), 1); /* . crosses a newline, as in POSIX */
    CU_ASSERT_EQUAL(re_match("^a$", "a\n"), 0);         /* $ is the very end */
    CU_ASSERT_EQUAL(re_match("[Nn]ot found", "Image Not found here"), 1);
    CU_ASSERT_EQUAL(re_match("^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}$", "0123abcd-ABCD"), 1);
    CU_ASSERT_EQUAL(re_match("^[[:alpha:]]+$", "abc"), 1);
    CU_ASSERT_EQUAL(re_match("^x( because .*)?$", "x because y"), 1);
    CU_ASSERT_EQUAL(re_match("^x( because .*)?$", "xy"), 0);
    CU_ASSERT_EQUAL(re_match("digest", "Digest"), 0); /* case-sensitive */
}

/* Patterns that made glibc's regcomp take gigabytes are refused or bounded. */
static void test_regex_bounded(void)
{
    char err[200];
    char longpat[ECR_REGEX_MAX_PATTERN + 2];
    memset(longpat, 'a', sizeof longpat - 1);
    longpat[sizeof longpat - 1] = '\0';
    CU_ASSERT_PTR_NULL(ecr_regex_compile(longpat, err, sizeof err));
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "longer than"));
    CU_ASSERT_PTR_NULL(ecr_regex_compile("((((a{1,255}){1,255}){1,255}){1,255})", err, sizeof err));
    CU_ASSERT_EQUAL(re_match("a++++++++++++++++++++++", "aaa"), -2);
    /* catastrophic backtracking stops at the match limit */
    char subject[64];
    memset(subject, 'a', 40);
    subject[40] = '!';
    subject[41] = '\0';
    CU_ASSERT_EQUAL(re_match("^(a|aa|a*)*$", subject), -1);
}

/* A registered secret never survives redaction or ecr_term_safe. */
static void test_redact_registered_secret(void)
{
    const char *secret = "unit-test-secret-value-0123456789";
    ecr_redact_add(secret);
    ecr_redact_add("short"); /* ignored: too short to be a secret */
    char *r = ecr_redact("a unit-test-secret-value-0123456789 b short\nAuthorization: AWS4 x");
    CU_ASSERT_STRING_EQUAL(r, "a REDACTED b short\nAuthorization: REDACTED");
    free(r);
    char *t = ecr_term_safe("\x1b[2J unit-test-secret-value-0123456789");
    CU_ASSERT_STRING_EQUAL(t, "?[2J REDACTED");
    free(t);
    CU_ASSERT_TRUE(ecr_redact_has_secret("xx unit-test-secret-value-0123456789"));
    CU_ASSERT_FALSE(ecr_redact_has_secret("nothing here"));
}

/* A target's echo of a secret reaches our output JSON-escaped or
 * URL-encoded as often as byte for byte: every form is redacted. */
static void test_redact_encoded_secret(void)
{
    ecr_redact_add("unit/test+secret/value-0123");
    static const char *const forms[] = {
        "unit/test+secret/value-0123",
        "unit\\/test+secret\\/value-0123",         /* json-c's "\/" */
        "unit\\\\\\/test+secret\\\\\\/value-0123", /* that inside a JSON string */
        "unit%2Ftest%2Bsecret%2Fvalue-0123",
        "unit%2ftest%2bsecret%2fvalue-0123",
        "\\u0075nit\\u002Ftest\\u002bsecret/value-0123",
        "\\\\u0075nit\\\\u002ftest+secret/value-0123",
    };
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
        char in[160];
        snprintf(in, sizeof in, "<%s>", forms[i]);
        char *r = ecr_redact(in);
        CU_ASSERT_STRING_EQUAL(r, "<REDACTED>");
        if (r && strcmp(r, "<REDACTED>"))
            printf("\n%s -> %s\n", in, r);
        free(r);
        CU_ASSERT_TRUE(ecr_redact_has_secret(in));
    }
    /* near misses stay: another byte, a cut secret, a bad escape */
    static const char *const misses[] = {"unit/test+secret/value-012",
                                         "unit%2Xtest+secret/value-0123",
                                         "unit\\u002gtest+secret/value-0123",
                                         "unit/test secret/value-0123",
                                         "%",
                                         "\\",
                                         "\\u00"};
    for (size_t i = 0; i < sizeof misses / sizeof misses[0]; i++) {
        char *r = ecr_redact(misses[i]);
        CU_ASSERT_STRING_EQUAL(r, misses[i]);
        free(r);
    }
}

/* An atomic write replaces a planted symlink, never writes through it. */
static void test_atomic_file_not_through_link(void)
{
    char dir[] = "/tmp/ecrc-unit-atomic-XXXXXX";
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
    char victim[256], link_path[256];
    snprintf(victim, sizeof victim, "%s/victim", dir);
    snprintf(link_path, sizeof link_path, "%s/summary.md", dir);
    FILE *v = fopen(victim, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    fputs("precious", v);
    fclose(v);
    CU_ASSERT_EQUAL_FATAL(symlink(victim, link_path), 0);
    ecr_atomic_file af;
    CU_ASSERT_EQUAL_FATAL(ecr_atomic_open(&af, link_path), ECR_OK);
    fputs("report", af.f);
    CU_ASSERT_EQUAL(ecr_atomic_commit(&af), ECR_OK);
    struct stat st;
    CU_ASSERT_EQUAL(lstat(link_path, &st), 0);
    CU_ASSERT_TRUE(S_ISREG(st.st_mode));
    char got[32] = "";
    v = fopen(victim, "r");
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    CU_ASSERT_PTR_NOT_NULL(fgets(got, sizeof got, v));
    fclose(v);
    CU_ASSERT_STRING_EQUAL(got, "precious");
    rm_tree(dir);
}

/* Account ids and region names: the checks serve, replay, run and resolve
 * share. */
static void test_account_and_region_names(void)
{
    CU_ASSERT_TRUE(ecr_is_account_id("123456789012"));
    CU_ASSERT_FALSE(ecr_is_account_id("12345678901"));
    CU_ASSERT_FALSE(ecr_is_account_id("1234567890123"));
    CU_ASSERT_FALSE(ecr_is_account_id("12345678901a"));
    CU_ASSERT_FALSE(ecr_is_account_id(NULL));
    CU_ASSERT_TRUE(ecr_is_region_name("us-east-1"));
    CU_ASSERT_TRUE(ecr_is_region_name("us-gov-west-1"));
    char longest[ECR_REGION_NAME_MAX + 2];
    memset(longest, 'a', sizeof longest);
    longest[ECR_REGION_NAME_MAX] = '\0';
    CU_ASSERT_TRUE(ecr_is_region_name(longest));
    longest[ECR_REGION_NAME_MAX] = 'a';
    longest[ECR_REGION_NAME_MAX + 1] = '\0';
    CU_ASSERT_FALSE(ecr_is_region_name(longest));
    CU_ASSERT_FALSE(ecr_is_region_name(""));
    CU_ASSERT_FALSE(ecr_is_region_name(NULL));
    CU_ASSERT_FALSE(ecr_is_region_name("US-EAST-1"));
    CU_ASSERT_FALSE(ecr_is_region_name("us east"));
    CU_ASSERT_FALSE(ecr_is_region_name("x/y"));
    CU_ASSERT_FALSE(ecr_is_region_name("us-east-1\n"));
}

int register_common_suite(void)
{
    CU_pSuite s = CU_add_suite("common", NULL, NULL);
    if (!s)
        return 1;
    if (!CU_add_test(s, "buf_cap", test_buf_cap) ||
        !CU_add_test(s, "buf_printf_grows", test_buf_printf_grows) ||
        !CU_add_test(s, "digest_known_values", test_digest_known_values) ||
        !CU_add_test(s, "digest_exact_bytes", test_digest_exact_bytes) ||
        !CU_add_test(s, "fault_kind_names", test_fault_kind_names) ||
        !CU_add_test(s, "capability_names", test_capability_names) ||
        !CU_add_test(s, "copy_str_bounded", test_copy_str_bounded) ||
        !CU_add_test(s, "regex_ere_meaning", test_regex_ere_meaning) ||
        !CU_add_test(s, "regex_bounded", test_regex_bounded) ||
        !CU_add_test(s, "redact_registered_secret", test_redact_registered_secret) ||
        !CU_add_test(s, "redact_encoded_secret", test_redact_encoded_secret) ||
        !CU_add_test(s, "atomic_file_not_through_link", test_atomic_file_not_through_link) ||
        !CU_add_test(s, "account_and_region_names", test_account_and_region_names))
        return 1;
    return 0;
}
