/* Tests of harness/common: bounded buffers, image digests, the shared
 * protocol names and the bounded string copy. */
#include <CUnit/CUnit.h>
#include <stdlib.h>
#include <string.h>

#include "ecr/buf.h"
#include "ecr/digest.h"
#include "ecr/protocol.h"
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
        !CU_add_test(s, "copy_str_bounded", test_copy_str_bounded))
        return 1;
    return 0;
}
