/* Tests of harness/core/load/filecache.c: one read per file and load, the
 * root check, the reasons kept for unreadable files, and the bounds. */
#include <CUnit/CUnit.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ecr/digest.h"
#include "filecache.h"
#include "suites.h"

static char g_dir[64];

static int setup(void)
{
    snprintf(g_dir, sizeof g_dir, "/tmp/ecrc-filecache-XXXXXX");
    return mkdtemp(g_dir) ? 0 : 1;
}

static int teardown(void)
{
    rm_tree(g_dir);
    return 0;
}

static const char *in_dir(const char *name)
{
    static char p[4][PATH_MAX];
    static int k;
    k = (k + 1) % 4;
    snprintf(p[k], sizeof p[k], "%s/%s", g_dir, name);
    return p[k];
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fputs(text, f);
    fclose(f);
}

/* Read once: a file changed after its first read is still served as it
 * was, with the digest of those bytes. */
static void test_read_once(void)
{
    ecrc_filecache *fc = ecrc_filecache_new();
    CU_ASSERT_PTR_NOT_NULL_FATAL(fc);
    const char *p = in_dir("m.json");
    write_text(p, "{\"a\": 1}");
    const ecrc_cached_file *f = ecrc_filecache_get(fc, p, NULL, 100);
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    CU_ASSERT_PTR_NOT_NULL_FATAL(f->data);
    CU_ASSERT_EQUAL(f->len, 8);
    CU_ASSERT_STRING_EQUAL(f->data, "{\"a\": 1}");
    CU_ASSERT_EQUAL(f->inside, 1);
    char want[DIGEST_STR_SIZE];
    CU_ASSERT_EQUAL(ecr_digest_sha256("{\"a\": 1}", 8, want), ECR_OK);
    CU_ASSERT_STRING_EQUAL(f->digest, want);
    write_text(p, "{\"b\": 22}");
    f = ecrc_filecache_get(fc, p, NULL, 100);
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    CU_ASSERT_STRING_EQUAL(f->data, "{\"a\": 1}");
    /* A new cache (a new load) sees the file as it is now. */
    ecrc_filecache *fc2 = ecrc_filecache_new();
    CU_ASSERT_PTR_NOT_NULL_FATAL(fc2);
    f = ecrc_filecache_get(fc2, p, NULL, 100);
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    CU_ASSERT_STRING_EQUAL(f->data, "{\"b\": 22}");
    ecrc_filecache_free(fc2);
    ecrc_filecache_free(fc);
}

/* Unreadable files keep ecr_read_file's reason; the limit is part of the
 * key, so one path under two limits gives two answers. */
static void test_reasons_and_limits(void)
{
    ecrc_filecache *fc = ecrc_filecache_new();
    CU_ASSERT_PTR_NOT_NULL_FATAL(fc);
    const ecrc_cached_file *f = ecrc_filecache_get(fc, in_dir("missing.json"), NULL, 100);
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    CU_ASSERT_PTR_NULL(f->data);
    CU_ASSERT_STRING_EQUAL(f->why, "cannot open: No such file or directory");
    CU_ASSERT_STRING_EQUAL(f->digest, "");

    const char *fifo = in_dir("fifo");
    CU_ASSERT_EQUAL_FATAL(mkfifo(fifo, 0600), 0);
    f = ecrc_filecache_get(fc, fifo, NULL, 100);
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    CU_ASSERT_PTR_NULL(f->data);
    CU_ASSERT_STRING_EQUAL(f->why, "cannot read: not a regular file");

    const char *big = in_dir("big.json");
    write_text(big, "01234567890123456789");
    f = ecrc_filecache_get(fc, big, NULL, 10);
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    CU_ASSERT_PTR_NULL(f->data);
    CU_ASSERT_STRING_EQUAL(f->why, "file too large (20 bytes, limit 10)");
    f = ecrc_filecache_get(fc, big, NULL, 20);
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    CU_ASSERT_EQUAL(f->len, 20);

    const char *empty = in_dir("empty.json");
    write_text(empty, "");
    f = ecrc_filecache_get(fc, empty, NULL, 10);
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    CU_ASSERT_PTR_NOT_NULL(f->data);
    CU_ASSERT_EQUAL(f->len, 0);
    ecrc_filecache_free(fc);
}

/* A path that resolves outside its root is not read at all. */
static void test_root(void)
{
    char root[PATH_MAX];
    snprintf(root, sizeof root, "%s", in_dir("root"));
    CU_ASSERT_EQUAL_FATAL(mkdir(root, 0700), 0);
    const char *outside = in_dir("outside.bin");
    write_text(outside, "secret");
    const char *inner = in_dir("root/inner.bin");
    write_text(inner, "fine");
    const char *link = in_dir("root/link.bin");
    CU_ASSERT_EQUAL_FATAL(symlink(outside, link), 0);
    ecrc_filecache *fc = ecrc_filecache_new();
    CU_ASSERT_PTR_NOT_NULL_FATAL(fc);
    const ecrc_cached_file *f = ecrc_filecache_get(fc, link, root, 100);
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    CU_ASSERT_EQUAL(f->inside, 0);
    CU_ASSERT_PTR_NULL(f->data);
    CU_ASSERT_PTR_NOT_NULL(strstr(f->why, "resolves outside"));
    /* The same path without a root is another entry, read as usual. */
    f = ecrc_filecache_get(fc, link, NULL, 100);
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    CU_ASSERT_PTR_NOT_NULL_FATAL(f->data);
    CU_ASSERT_STRING_EQUAL(f->data, "secret");
    f = ecrc_filecache_get(fc, inner, root, 100);
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    CU_ASSERT_EQUAL(f->inside, 1);
    CU_ASSERT_STRING_EQUAL(f->data, "fine");
    ecrc_filecache_free(fc);
}

/* Past FILECACHE_ENTRIES_MAX entries the cache starts again: memory stays
 * bounded, and a file is then read anew (seen here as its new content). */
static void test_bounded(void)
{
    ecrc_filecache *fc = ecrc_filecache_new();
    CU_ASSERT_PTR_NOT_NULL_FATAL(fc);
    char p[PATH_MAX];
    snprintf(p, sizeof p, "%s", in_dir("kept.json")); /* in_dir's buffers are reused below */
    write_text(p, "old");
    const ecrc_cached_file *f = ecrc_filecache_get(fc, p, NULL, 100);
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    CU_ASSERT_STRING_EQUAL(f->data, "old");
    write_text(p, "new");
    for (int i = 0; i < FILECACHE_ENTRIES_MAX + 8; i++) {
        char name[64];
        snprintf(name, sizeof name, "absent-%d", i);
        CU_ASSERT_PTR_NOT_NULL_FATAL(ecrc_filecache_get(fc, in_dir(name), NULL, 100));
    }
    f = ecrc_filecache_get(fc, p, NULL, 100);
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    CU_ASSERT_PTR_NOT_NULL_FATAL(f->data);
    CU_ASSERT_STRING_EQUAL(f->data, "new");
    ecrc_filecache_free(fc);
    ecrc_filecache_free(NULL);
}

/* A file's JSON is parsed once and shared; the reference a caller holds
 * outlives the cache (it may be emptied while a manifest is in use). */
static void test_json(void)
{
    ecrc_filecache *fc = ecrc_filecache_new();
    CU_ASSERT_PTR_NOT_NULL_FATAL(fc);
    char ok[PATH_MAX], bad[PATH_MAX];
    snprintf(ok, sizeof ok, "%s", in_dir("ok.json"));
    snprintf(bad, sizeof bad, "%s", in_dir("bad.json"));
    write_text(ok, "{\"layers\": [1, 2]}");
    write_text(bad, "{\"layers\": ");
    const char *err = "unset";
    json_object *a = ecrc_filecache_json(fc, ecrc_filecache_get(fc, ok, NULL, 100), ok, &err);
    json_object *b = ecrc_filecache_json(fc, ecrc_filecache_get(fc, ok, NULL, 100), ok, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(a);
    CU_ASSERT_PTR_EQUAL(a, b); /* parsed once */
    json_object_put(b);
    json_object *c = ecrc_filecache_json(fc, ecrc_filecache_get(fc, bad, NULL, 100), bad, &err);
    CU_ASSERT_PTR_NULL(c);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "invalid JSON"));
    const char *missing = in_dir("missing.json");
    c = ecrc_filecache_json(fc, ecrc_filecache_get(fc, missing, NULL, 100), missing, &err);
    CU_ASSERT_PTR_NULL(c);
    CU_ASSERT_STRING_EQUAL(err, "cannot open: No such file or directory");
    const char *empty = in_dir("empty2.json");
    write_text(empty, "");
    c = ecrc_filecache_json(fc, ecrc_filecache_get(fc, empty, NULL, 100), empty, &err);
    CU_ASSERT_PTR_NULL(c);
    CU_ASSERT_STRING_EQUAL(err, "invalid JSON: the file is empty");
    ecrc_filecache_free(fc); /* a still holds its own reference */
    json_object *layers = NULL;
    CU_ASSERT_TRUE(json_object_object_get_ex(a, "layers", &layers));
    CU_ASSERT_EQUAL(json_object_array_length(layers), 2);
    json_object_put(a);
}

int register_filecache_suite(void)
{
    CU_pSuite s = CU_add_suite("filecache", setup, teardown);
    if (!s || !CU_add_test(s, "a file is read once per cache", test_read_once) ||
        !CU_add_test(s, "reasons and size limits", test_reasons_and_limits) ||
        !CU_add_test(s, "paths resolving outside the root are not read", test_root) ||
        !CU_add_test(s, "the cache is bounded", test_bounded) ||
        !CU_add_test(s, "JSON parsed once, references outlive the cache", test_json))
        return 1;
    return 0;
}
