/* Tests of harness/common: bounded buffers and image digests. */
#include <CUnit/CUnit.h>
#include <stdlib.h>
#include <string.h>

#include "ecr/buf.h"
#include "ecr/digest.h"
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

int register_common_suite(void)
{
    CU_pSuite s = CU_add_suite("common", NULL, NULL);
    if (!s)
        return 1;
    if (!CU_add_test(s, "buf_cap", test_buf_cap) ||
        !CU_add_test(s, "buf_printf_grows", test_buf_printf_grows) ||
        !CU_add_test(s, "digest_known_values", test_digest_known_values) ||
        !CU_add_test(s, "digest_exact_bytes", test_digest_exact_bytes))
        return 1;
    return 0;
}
