/* Tests of the emulator's state and operations without HTTP: store.c, the
 * ECR operations behind ecremu_api_handle (ops, repos, images, batchdel), faults and
 * the control interface (control.c), wire.c. Every test gets a fresh store. */
#include <CUnit/CUnit.h>
#include <json-c/json.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

#include "api.h"
#include "ecr/protocol.h"
#include "ecr/buf.h"
#include "control.h"
#include "names.h"
#include "ecr/digest.h"
#include "store.h"
#include "suites.h"
#include "wire.h"

#define ACCOUNT "123456789012"
#define REPO "ecrc-run1/case/ubuntu"
#define MT_DOCKER "application/vnd.docker.distribution.manifest.v2+json"
#define MT_LIST "application/vnd.docker.distribution.manifest.list.v2+json"

static store *g_st;
static control *g_ctl;
static api_ctx g_ctx;
static json_object *g_out; /* the last reply */
static int g_status;

static void setup(void)
{
    control_info ci = {ACCOUNT, "us-east-1", 1};
    g_st = ecremu_store_new();
    g_ctl = ecremu_control_new(&ci);
    g_ctx = (api_ctx){g_st, g_ctl, ACCOUNT, "us-east-1", 0, NULL};
    g_out = NULL;
}

static void teardown(void)
{
    json_object_put(g_out);
    g_out = NULL;
    ecremu_control_free(g_ctl);
    ecremu_store_free(g_st);
}

/* Sends op with a printf-made body; keeps the reply in g_out. */
static int call(const char *op, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int call(const char *op, const char *fmt, ...)
{
    static char body[64 * 1024];
    char target[128];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(body, sizeof body, fmt, ap);
    va_end(ap);
    snprintf(target, sizeof target, ECR_TARGET_PREFIX "%s", op);
    json_object_put(g_out);
    g_out = NULL;
    g_status = ecremu_api_handle(&g_ctx, target, body, strlen(body), &g_out);
    return g_status;
}

/* The member at a dotted path of g_out ("failures.0.imageId"), or NULL. */
static json_object *at(const char *path)
{
    char copy[256], *save = NULL;
    json_object *o = g_out;
    snprintf(copy, sizeof copy, "%s", path);
    for (char *seg = strtok_r(copy, ".", &save); seg && o; seg = strtok_r(NULL, ".", &save)) {
        char *end;
        long idx = strtol(seg, &end, 10);
        if (*end == '\0' && json_object_is_type(o, json_type_array)) {
            o = idx >= 0 && (size_t)idx < json_object_array_length(o)
                    ? json_object_array_get_idx(o, (size_t)idx)
                    : NULL;
        } else if (!json_object_is_type(o, json_type_object) ||
                   !json_object_object_get_ex(o, seg, &o)) {
            o = NULL;
        }
    }
    return o;
}

static const char *str_at(const char *path)
{
    json_object *o = at(path);
    return o && json_object_is_type(o, json_type_string) ? json_object_get_string(o) : "<none>";
}

static size_t len_at(const char *path)
{
    json_object *o = at(path);
    return o && json_object_is_type(o, json_type_array) ? json_object_array_length(o) : 999;
}

/* Asserts an error reply of that status and type. */
#define ASSERT_ERROR(status, type)                                                                 \
    do {                                                                                           \
        CU_ASSERT_EQUAL(g_status, status);                                                         \
        CU_ASSERT_STRING_EQUAL(str_at("__type"), type);                                            \
    } while (0)

/* A distinct Docker v2 manifest per variant, with one layer of 100+variant. */
static const char *manifest(int variant)
{
    static char m[8][512];
    snprintf(
        m[variant], sizeof m[variant],
        "{\n  \"schemaVersion\": 2,\n  \"mediaType\": \"" MT_DOCKER "\",\n"
        "  \"config\": {\"mediaType\": \"application/vnd.docker.container.image.v1+json\", "
        "\"size\": 7, \"digest\": \"sha256:%064d\"},\n"
        "  \"layers\": [{\"mediaType\": \"application/vnd.docker.image.rootfs.diff.tar.gzip\", "
        "\"size\": %d, \"digest\": \"sha256:%064d\"}]\n}\n",
        variant, 100 + variant, variant + 10);
    return m[variant];
}

/* A manifest list naming the given children. */
static const char *index_of(const char *a, const char *b)
{
    static char m[1024];
    snprintf(m, sizeof m,
             "{\"schemaVersion\":2,\"mediaType\":\"" MT_LIST "\",\"manifests\":["
             "{\"mediaType\":\"" MT_DOCKER "\",\"size\":1,\"digest\":\"%s\"}%s%s%s]}",
             a, b ? ",{\"mediaType\":\"" MT_DOCKER "\",\"size\":1,\"digest\":\"" : "", b ? b : "",
             b ? "\"}" : "");
    return m;
}

/* PutImage of exact manifest bytes (tag may be NULL); returns the status. */
static int put_status(const char *repo, const char *m, const char *tag)
{
    json_object *req = json_object_new_object();
    json_object_object_add(req, "repositoryName", json_object_new_string(repo));
    json_object_object_add(req, "imageManifest", json_object_new_string(m));
    if (tag)
        json_object_object_add(req, "imageTag", json_object_new_string(tag));
    call("PutImage", "%s", ecremu_wire_text(req));
    json_object_put(req);
    return g_status;
}

/* PutImage that must succeed; returns the digest (one of 8 rotating slots). */
static const char *put(const char *repo, const char *m, const char *tag)
{
    static char digest[8][DIGEST_STR_SIZE];
    static int slot;
    char *d = digest[slot++ % 8];
    CU_ASSERT_EQUAL(put_status(repo, m, tag), 200);
    snprintf(d, DIGEST_STR_SIZE, "%s", str_at("image.imageId.imageDigest"));
    return d;
}

static void create(const char *repo)
{
    CU_ASSERT_EQUAL(call("CreateRepository", "{\"repositoryName\":\"%s\"}", repo), 200);
}

/* Number of ListImages entries matching digest (and tag, when given). */
static int listed(const char *digest, const char *tag)
{
    int n = 0;
    CU_ASSERT_EQUAL_FATAL(call("ListImages", "{\"repositoryName\":\"" REPO "\"}"), 200);
    for (size_t i = 0; i < len_at("imageIds"); i++) {
        char p[64], q[64];
        snprintf(p, sizeof p, "imageIds.%zu.imageDigest", i);
        snprintf(q, sizeof q, "imageIds.%zu.imageTag", i);
        if (strcmp(str_at(p), digest) == 0 && (!tag || strcmp(str_at(q), tag) == 0))
            n++;
    }
    return n;
}

/* Number of images in REPO (DescribeImages). */
static size_t images_listed(void)
{
    CU_ASSERT_EQUAL_FATAL(call("DescribeImages", "{\"repositoryName\":\"" REPO "\"}"), 200);
    return len_at("imageDetails");
}

/* s as a JSON string literal (one of 2 rotating buffers). */
static const char *quoted(const char *s)
{
    static char text[2][4096];
    static int slot;
    char *out = text[slot++ % 2];
    json_object *o = json_object_new_string(s);
    snprintf(out, sizeof text[0], "%s", ecremu_wire_text(o));
    json_object_put(o);
    return out;
}

static void test_store_model(void)
{
    store_repo *r = NULL;
    CU_ASSERT_EQUAL(ecremu_store_repo_create(g_st, "a/b", 1.0, 0, 0, NULL, NULL, &r), ECR_OK);
    CU_ASSERT_EQUAL(ecremu_store_repo_create(g_st, "a/b", 1.0, 0, 0, NULL, NULL, NULL), ECR_EINVAL);
    CU_ASSERT_STRING_EQUAL(r->encryption_type, "AES256");
    const char *refs[] = {"sha256:child"};
    store_image_spec spec = {"{}", 2, "x", 5, 2.0, NULL, 0, NULL};
    store_image *a = NULL, *b = NULL;
    CU_ASSERT_EQUAL(ecremu_store_image_add(r, &spec, &a), ECR_OK);
    CU_ASSERT_EQUAL(ecremu_store_image_add(r, &spec, &b), ECR_EINVAL); /* same bytes, same digest */
    CU_ASSERT_STRING_EQUAL(
        a->digest, "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a");
    spec = (store_image_spec){"{} ", 3, "x", 5, 2.0, refs, 1, NULL};
    CU_ASSERT_EQUAL(ecremu_store_image_add(r, &spec, &b), ECR_OK);
    CU_ASSERT_EQUAL(ecremu_store_tag_set(r, a, "t"), ECR_OK);
    CU_ASSERT_EQUAL(ecremu_store_tag_set(r, b, "t"), ECR_OK); /* the tag moves */
    CU_ASSERT_EQUAL(a->ntags, 0);
    CU_ASSERT_PTR_EQUAL(ecremu_store_image_by_tag(r, "t"), b);
    store_refs snap;
    CU_ASSERT_EQUAL(ecremu_store_refs_snapshot(r, &snap), ECR_OK);
    CU_ASSERT_EQUAL_FATAL(snap.n, 1);
    CU_ASSERT_STRING_EQUAL(snap.v[0].parent, b->digest);
    CU_ASSERT_STRING_EQUAL(snap.v[0].child, "sha256:child");
    ecremu_store_image_delete(r, b);
    CU_ASSERT_EQUAL(r->nimages, 1);
    CU_ASSERT_STRING_EQUAL(snap.v[0].child, "sha256:child"); /* a copy: survives the delete */
    ecremu_store_refs_free(&snap);
    CU_ASSERT_EQUAL(ecremu_store_tag_remove(a, "nope"), 0);
    ecremu_store_repo_delete(g_st, r);
    CU_ASSERT_PTR_NULL(ecremu_store_repo_find(g_st, "a/b"));
}

/* The indexes agree with a scan of the repository: every image found by its
 * digest and each of its tags, the tag index holding nothing else, the
 * parents of each referenced digest exactly the images listing it (in push
 * order, once), the slots in seq order, slot_from a lower bound. */
static void check_indexes(const store_repo *r)
{
    size_t live = 0, tags = 0, bad = 0;
    for (size_t i = 0; i < r->nslots; i++) {
        const store_image *img = r->slots[i];
        bad += i && r->slot_seq[i - 1] >= r->slot_seq[i];
        bad += ecremu_store_slot_from(r, r->slot_seq[i]) != i;
        if (!img)
            continue;
        live++;
        bad += img->slot != i || r->slot_seq[i] != img->seq;
        bad += ecremu_store_image_by_digest(r, img->digest) != img;
        for (size_t t = 0; t < img->ntags; t++, tags++)
            bad += ecremu_store_image_by_tag(r, img->tags[t].name) != img;
        for (size_t k = 0; k < img->nrefs; k++) {
            size_t np, want = 0;
            store_image *const *p = ecremu_store_parents(r, img->refs[k], &np);
            for (size_t j = 0; j < r->nslots; j++) {
                const store_image *q = r->slots[j];
                int lists = 0;
                for (size_t m = 0; q && m < q->nrefs; m++)
                    lists |= strcmp(q->refs[m], img->refs[k]) == 0;
                if (lists)
                    bad += want >= np || p[want++] != q;
            }
            bad += want != np;
        }
    }
    CU_ASSERT_EQUAL(bad, 0);
    CU_ASSERT_EQUAL(live, r->nimages);
    CU_ASSERT_EQUAL(tags, r->by_tag.n);
    CU_ASSERT_EQUAL(live, r->by_digest.n);
}

/* Random pushes (indexes over earlier images too), tag moves and removals
 * and deletions, the indexes checked against a scan after each round; the
 * slots are compacted on the way; manifests shared across repositories. */
static void test_store_indexes(void)
{
    store_repo *r, *other;
    CU_ASSERT_EQUAL_FATAL(ecremu_store_repo_create(g_st, "idx", 1.0, 0, 0, NULL, NULL, &r), ECR_OK);
    CU_ASSERT_EQUAL_FATAL(ecremu_store_repo_create(g_st, "idx2", 1.0, 0, 0, NULL, NULL, &other),
                          ECR_OK);
    unsigned seed = 7;
    char bytes[4096], tag[32];
    size_t compactions = 0, pushed = 0;
    for (int round = 0; round < 40; round++) {
        for (int n = 0; n < 60; n++) {
            /* an index over up to three images held now, or a plain image */
            const char *refs[3];
            size_t nrefs = 0;
            int len = snprintf(bytes, sizeof bytes, "{\"n\":%zu", pushed);
            for (int k = 0; r->nimages && k < 3 && rand_r(&seed) % 3 == 0; k++) {
                const store_image *c = r->slots[(size_t)rand_r(&seed) % r->nslots];
                if (c)
                    refs[nrefs++] = c->digest;
            }
            snprintf(bytes + len, sizeof bytes - (size_t)len, "}");
            store_image_spec spec = {bytes, strlen(bytes), "x", 1, 1.0, refs, nrefs, NULL};
            store_image *img;
            CU_ASSERT_EQUAL_FATAL(ecremu_store_image_add(r, &spec, &img), ECR_OK);
            pushed++;
            snprintf(tag, sizeof tag, "t%u", (unsigned)(rand_r(&seed) % 200));
            CU_ASSERT_EQUAL(ecremu_store_tag_set(r, img, tag), ECR_OK);
        }
        size_t before = r->nslots;
        /* rounds 30 to 33 delete most of what is there: the slots compact */
        for (int n = 0; n < (round >= 30 && round < 34 ? 400 : 50) && r->nimages; n++) {
            store_image *img = r->slots[(size_t)rand_r(&seed) % r->nslots];
            if (!img)
                continue;
            if (img->ntags && rand_r(&seed) % 2)
                ecremu_store_tag_remove(img, img->tags[0].name);
            else
                ecremu_store_image_delete(r, img);
        }
        compactions += r->nslots < before;
        check_indexes(r);
    }
    CU_ASSERT(compactions > 0);
    CU_ASSERT(r->nimages > 20);

    /* the same bytes in another repository: one copy, refcounted */
    const store_image *a = NULL;
    for (size_t i = 0; !a && i < r->nslots; i++)
        a = r->slots[i];
    CU_ASSERT_PTR_NOT_NULL_FATAL(a);
    char *saved = strdup(a->manifest);
    CU_ASSERT_PTR_NOT_NULL_FATAL(saved);
    store_image_spec spec = {saved, a->manifest_len, "y", 1, 1.0, NULL, 0, NULL};
    store_image *b;
    CU_ASSERT_EQUAL_FATAL(ecremu_store_image_add(other, &spec, &b), ECR_OK);
    CU_ASSERT_PTR_EQUAL(b->manifest, a->manifest);
    CU_ASSERT_STRING_EQUAL(b->digest, a->digest);
    size_t held = g_st->manifests.n;
    ecremu_store_repo_delete(g_st, r);
    CU_ASSERT_EQUAL(g_st->manifests.n, other->nimages); /* only b's copy is left */
    CU_ASSERT(held > g_st->manifests.n);
    CU_ASSERT_STRING_EQUAL(b->manifest, saved); /* survives a's repository */
    free(saved);
    CU_ASSERT_PTR_EQUAL(ecremu_store_image_by_digest(other, b->digest), b);
    CU_ASSERT_PTR_NULL(ecremu_store_repo_find(g_st, "idx"));
    CU_ASSERT_PTR_EQUAL(ecremu_store_repo_find(g_st, "idx2"), other);
}

static void test_repositories(void)
{
    create(REPO);
    CU_ASSERT_STRING_EQUAL(str_at("repository.repositoryArn"),
                           "arn:aws:ecr:us-east-1:" ACCOUNT ":repository/" REPO);
    CU_ASSERT_STRING_EQUAL(str_at("repository.repositoryUri"),
                           ACCOUNT ".dkr.ecr.us-east-1.amazonaws.com/" REPO);
    CU_ASSERT_STRING_EQUAL(str_at("repository.registryId"), ACCOUNT);
    CU_ASSERT_STRING_EQUAL(str_at("repository.imageTagMutability"), "MUTABLE");
    CU_ASSERT_STRING_EQUAL(str_at("repository.encryptionConfiguration.encryptionType"), "AES256");
    CU_ASSERT_TRUE(json_object_is_type(at("repository.createdAt"), json_type_double));
    CU_ASSERT_FALSE(
        json_object_get_boolean(at("repository.imageScanningConfiguration.scanOnPush")));
    CU_ASSERT_PTR_NOT_NULL(at("repository.imageScanningConfiguration.scanOnPush"));

    call("CreateRepository", "{\"repositoryName\":\"" REPO "\"}");
    ASSERT_ERROR(400, "RepositoryAlreadyExistsException");
    CU_ASSERT_STRING_EQUAL(str_at("message"),
                           "The repository with name '" REPO
                           "' already exists in the registry with id '" ACCOUNT "'");

    CU_ASSERT_EQUAL(call("DescribeRepositories", "{}"), 200);
    CU_ASSERT_EQUAL(len_at("repositories"), 1);
    call("DescribeRepositories", "{\"repositoryNames\":[\"" REPO "\",\"nope\"]}");
    ASSERT_ERROR(400, "RepositoryNotFoundException");

    put(REPO, manifest(0), "v1");
    call("DeleteRepository", "{\"repositoryName\":\"" REPO "\"}");
    ASSERT_ERROR(400, "RepositoryNotEmptyException");
    CU_ASSERT_EQUAL(call("DeleteRepository", "{\"repositoryName\":\"" REPO "\",\"force\":true}"),
                    200);
    CU_ASSERT_STRING_EQUAL(str_at("repository.repositoryName"), REPO);
    call("ListImages", "{\"repositoryName\":\"" REPO "\"}");
    ASSERT_ERROR(400, "RepositoryNotFoundException");
    CU_ASSERT_STRING_EQUAL(str_at("message"),
                           "The repository with name '" REPO
                           "' does not exist in the registry with id '" ACCOUNT "'");
}

static void test_put_image(void)
{
    char want[DIGEST_STR_SIZE];
    create(REPO);
    const char *m = manifest(0);
    ecr_digest_sha256(m, strlen(m), want);
    const char *d = put(REPO, m, "v1");
    CU_ASSERT_STRING_EQUAL(d, want); /* sha256 of the exact bytes, newlines included */
    CU_ASSERT_STRING_EQUAL(str_at("image.imageId.imageTag"), "v1");
    CU_ASSERT_STRING_EQUAL(str_at("image.imageManifest"), m);
    CU_ASSERT_STRING_EQUAL(str_at("image.imageManifestMediaType"), MT_DOCKER);
    CU_ASSERT_STRING_EQUAL(str_at("image.registryId"), ACCOUNT);

    put_status(REPO, m, "v1"); /* same manifest, same tag */
    ASSERT_ERROR(400, "ImageAlreadyExistsException");
    put_status(REPO, m, NULL); /* an existing manifest without a tag */
    ASSERT_ERROR(400, "ImageAlreadyExistsException");
    put(REPO, m, "v2"); /* an existing image gets another tag */
    CU_ASSERT_EQUAL(listed(d, NULL), 2);

    /* The tag moves; the old image keeps its other tag. */
    const char *e = put(REPO, manifest(1), "v1");
    CU_ASSERT_EQUAL(listed(d, "v2"), 1);
    CU_ASSERT_EQUAL(listed(d, "v1"), 0);
    CU_ASSERT_EQUAL(listed(e, "v1"), 1);
    /* ... or becomes untagged; it is never deleted. */
    put(REPO, manifest(1), "v2");
    CU_ASSERT_EQUAL(listed(d, NULL), 1);
    CU_ASSERT_PTR_NULL(at("imageIds.0.imageTag"));

    call("PutImage",
         "{\"repositoryName\":\"" REPO
         "\",\"imageManifest\":\"{}\",\"imageDigest\":\"sha256:%064d\"}",
         0);
    ASSERT_ERROR(400, "ImageDigestDoesNotMatchException");
    CU_ASSERT_EQUAL(
        call("PutImage",
             "{\"repositoryName\":\"" REPO "\",\"imageManifest\":\"{}\","
             "\"imageDigest\":\"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e831"
             "0c060f61caaff8a\",\"imageManifestMediaType\":\"x/y\"}"),
        200);
    CU_ASSERT_STRING_EQUAL(str_at("image.imageManifestMediaType"), "x/y");
    CU_ASSERT_PTR_NULL(at("image.imageId.imageTag"));
    call("PutImage", "{\"repositoryName\":\"" REPO "\",\"imageManifest\":\"not json\"}");
    ASSERT_ERROR(400, "InvalidParameterException");
    call("PutImage", "{\"repositoryName\":\"" REPO "\",\"imageManifest\":\"\"}");
    ASSERT_ERROR(400, "InvalidParameterException");

    /* An index whose children are missing is refused. */
    put_status(REPO, index_of("sha256:0000", NULL), NULL);
    ASSERT_ERROR(400, "ReferencedImagesNotFoundException");
    const char *idx = put(REPO, index_of(d, e), "multi");
    CU_ASSERT_STRING_EQUAL(str_at("image.imageManifestMediaType"), MT_LIST);
    CU_ASSERT_EQUAL(call("DescribeImages",
                         "{\"repositoryName\":\"" REPO "\",\"imageIds\":"
                         "[{\"imageDigest\":\"%s\"}]}",
                         idx),
                    200);
    CU_ASSERT_EQUAL(json_object_get_int64(at("imageDetails.0.imageSizeInBytes")), 101);
}

static void test_immutable(void)
{
    CU_ASSERT_EQUAL(call("CreateRepository",
                         "{\"repositoryName\":\"" REPO "\",\"imageTagMutability\":\"IMMUTABLE\"}"),
                    200);
    CU_ASSERT_STRING_EQUAL(str_at("repository.imageTagMutability"), "IMMUTABLE");
    put(REPO, manifest(0), "v1");
    put_status(REPO, manifest(1), "v1");
    ASSERT_ERROR(400, "ImageTagAlreadyExistsException");
    CU_ASSERT_EQUAL(put_status(REPO, manifest(1), "v2"), 200); /* a new tag is fine */
}

static void test_list_and_describe(void)
{
    create(REPO);
    const char *a = put(REPO, manifest(0), "a1");
    put(REPO, manifest(0), "a2");
    const char *u = put(REPO, manifest(1), NULL);
    CU_ASSERT_EQUAL(call("ListImages", "{\"repositoryName\":\"" REPO "\"}"), 200);
    CU_ASSERT_EQUAL(len_at("imageIds"), 3); /* one per tag, one for the untagged image */
    CU_ASSERT_PTR_NULL(at("nextToken"));
    call("ListImages", "{\"repositoryName\":\"" REPO "\",\"filter\":{\"tagStatus\":\"UNTAGGED\"}}");
    CU_ASSERT_EQUAL_FATAL(len_at("imageIds"), 1);
    CU_ASSERT_STRING_EQUAL(str_at("imageIds.0.imageDigest"), u);
    CU_ASSERT_PTR_NULL(at("imageIds.0.imageTag"));
    call("ListImages", "{\"repositoryName\":\"" REPO "\",\"filter\":{\"tagStatus\":\"TAGGED\"}}");
    CU_ASSERT_EQUAL(len_at("imageIds"), 2);
    call("ListImages", "{\"repositoryName\":\"" REPO "\",\"filter\":{\"tagStatus\":\"NONE\"}}");
    ASSERT_ERROR(400, "InvalidParameterException");

    CU_ASSERT_EQUAL(call("DescribeImages", "{\"repositoryName\":\"" REPO "\"}"), 200);
    CU_ASSERT_EQUAL_FATAL(len_at("imageDetails"), 2);
    CU_ASSERT_STRING_EQUAL(str_at("imageDetails.0.imageDigest"), a);
    CU_ASSERT_EQUAL(len_at("imageDetails.0.imageTags"), 2);
    CU_ASSERT_EQUAL(json_object_get_int64(at("imageDetails.0.imageSizeInBytes")), 100);
    CU_ASSERT_STRING_EQUAL(str_at("imageDetails.0.imageManifestMediaType"), MT_DOCKER);
    CU_ASSERT_PTR_NOT_NULL(at("imageDetails.0.imagePushedAt"));
    CU_ASSERT_PTR_NULL(at("imageDetails.1.imageTags")); /* omitted when none */
    call("DescribeImages",
         "{\"repositoryName\":\"" REPO "\",\"imageIds\":[{\"imageTag\":\"zz\"}]}");
    ASSERT_ERROR(400, "ImageNotFoundException");
    CU_ASSERT_PTR_NOT_NULL(strstr(str_at("message"), "imageTag:'zz'"));

    CU_ASSERT_EQUAL(call("BatchGetImage", "{\"repositoryName\":\"" REPO "\",\"imageIds\":"
                                          "[{\"imageTag\":\"a2\"},{\"imageTag\":\"nope\"}]}"),
                    200);
    CU_ASSERT_EQUAL_FATAL(len_at("images"), 1);
    CU_ASSERT_STRING_EQUAL(str_at("images.0.imageId.imageDigest"), a);
    CU_ASSERT_STRING_EQUAL(str_at("images.0.imageId.imageTag"), "a2");
    CU_ASSERT_STRING_EQUAL(str_at("images.0.imageManifest"), manifest(0));
    CU_ASSERT_STRING_EQUAL(str_at("failures.0.failureCode"), "ImageNotFound");
    CU_ASSERT_STRING_EQUAL(str_at("failures.0.imageId.imageTag"), "nope");
}

#define BDI(ids) call("BatchDeleteImage", "{\"repositoryName\":\"" REPO "\",\"imageIds\":" ids "}")

static void test_delete_by_tag(void)
{
    create(REPO);
    const char *d = put(REPO, manifest(0), "precise");
    put(REPO, manifest(0), "trusty");
    CU_ASSERT_EQUAL(BDI("[{\"imageTag\":\"precise\"}]"), 200);
    CU_ASSERT_EQUAL_FATAL(len_at("imageIds"), 1);
    CU_ASSERT_STRING_EQUAL(str_at("imageIds.0.imageDigest"), d);
    CU_ASSERT_STRING_EQUAL(str_at("imageIds.0.imageTag"), "precise");
    CU_ASSERT_EQUAL(len_at("failures"), 0); /* present even when empty */
    CU_ASSERT_EQUAL(listed(d, "trusty"), 1);
    CU_ASSERT_EQUAL(listed(d, NULL), 1);
    /* the last tag takes the image with it */
    CU_ASSERT_EQUAL(BDI("[{\"imageTag\":\"trusty\"}]"), 200);
    CU_ASSERT_EQUAL(listed(d, NULL), 0);
}

static void test_delete_by_digest(void)
{
    create(REPO);
    const char *d = put(REPO, manifest(0), "a");
    put(REPO, manifest(0), "b");
    const char *u = put(REPO, manifest(1), NULL);
    CU_ASSERT_EQUAL(call("BatchDeleteImage",
                         "{\"repositoryName\":\"" REPO "\",\"imageIds\":[{\"imageDigest\":\"%s\"},"
                         "{\"imageDigest\":\"%s\"}]}",
                         d, u),
                    200);
    CU_ASSERT_EQUAL_FATAL(len_at("imageIds"), 3); /* one per tag, then the untagged image */
    CU_ASSERT_STRING_EQUAL(str_at("imageIds.0.imageTag"), "a");
    CU_ASSERT_STRING_EQUAL(str_at("imageIds.1.imageTag"), "b");
    CU_ASSERT_STRING_EQUAL(str_at("imageIds.2.imageDigest"), u);
    CU_ASSERT_EQUAL(json_object_object_length(at("imageIds.2")), 1);
    CU_ASSERT_EQUAL(listed(d, NULL) + listed(u, NULL), 0);
}

static void test_delete_failures(void)
{
    create(REPO);
    const char *d = put(REPO, manifest(0), "a");
    const char *e = put(REPO, manifest(1), "b");
    CU_ASSERT_EQUAL(BDI("[{\"imageTag\":\"latest\"}]"), 200);
    CU_ASSERT_STRING_EQUAL(ecremu_wire_text(g_out),
                           "{\"imageIds\":[],\"failures\":[{\"imageId\":{\"imageTag\":\"latest\"},"
                           "\"failureCode\":\"ImageNotFound\",\"failureReason\":\"Requested image "
                           "not found\"}]}");
    BDI("[{}]");
    CU_ASSERT_STRING_EQUAL(str_at("failures.0.failureCode"), "MissingDigestAndTag");
    CU_ASSERT_STRING_EQUAL(str_at("failures.0.failureReason"),
                           "Invalid request parameters: both tag and digest cannot be null");
    CU_ASSERT_EQUAL(json_object_object_length(at("failures.0.imageId")), 0);
    BDI("[{\"imageDigest\":\"nocolon\"}]");
    CU_ASSERT_STRING_EQUAL(str_at("failures.0.failureCode"), "InvalidImageDigest");
    CU_ASSERT_STRING_EQUAL(str_at("failures.0.imageId.imageDigest"), "nocolon");
    BDI("[{\"imageTag\":\"bad tag!\"}]");
    CU_ASSERT_STRING_EQUAL(str_at("failures.0.failureCode"), "InvalidImageTag");
    BDI("[{\"imageDigest\":\"sha256:abc\"}]");
    CU_ASSERT_STRING_EQUAL(str_at("failures.0.failureCode"), "ImageNotFound");
    CU_ASSERT_STRING_EQUAL(str_at("failures.0.imageId.imageDigest"), "sha256:abc");
    CU_ASSERT_PTR_NULL(at("failures.0.imageId.imageTag"));

    /* tag + digest: mismatch, unknown digest, then a match (only the tag goes) */
    call("BatchDeleteImage",
         "{\"repositoryName\":\"" REPO "\",\"imageIds\":["
         "{\"imageTag\":\"a\",\"imageDigest\":\"%s\"},{\"imageTag\":\"zz\",\"imageDigest\":\"%s\"},"
         "{\"imageTag\":\"b\",\"imageDigest\":\"%s\"}]}",
         e, d, e);
    CU_ASSERT_EQUAL(g_status, 200);
    CU_ASSERT_STRING_EQUAL(str_at("failures.0.failureCode"), "ImageTagDoesNotMatchDigest");
    CU_ASSERT_STRING_EQUAL(
        str_at("failures.0.failureReason"),
        "Invalid request parameters: given tag does not map to the given digest");
    CU_ASSERT_STRING_EQUAL(str_at("failures.1.failureCode"), "ImageNotFound");
    CU_ASSERT_STRING_EQUAL(str_at("failures.1.imageId.imageTag"), "zz");
    CU_ASSERT_STRING_EQUAL(str_at("imageIds.0.imageDigest"), e);
    CU_ASSERT_STRING_EQUAL(str_at("imageIds.0.imageTag"), "b");
    CU_ASSERT_EQUAL(listed(e, NULL), 0); /* "b" was its last tag */
    CU_ASSERT_EQUAL(listed(d, "a"), 1);

    /* the same image twice: the second sees the evolving state */
    call("BatchDeleteImage",
         "{\"repositoryName\":\"" REPO "\",\"imageIds\":["
         "{\"imageDigest\":\"%s\"},{\"imageDigest\":\"%s\"}]}",
         d, d);
    CU_ASSERT_EQUAL(len_at("imageIds"), 1);
    CU_ASSERT_STRING_EQUAL(str_at("failures.0.failureCode"), "ImageNotFound");
}

static void test_manifest_list(void)
{
    create(REPO);
    const char *a = put(REPO, manifest(0), "amd64");
    const char *b = put(REPO, manifest(1), NULL);
    put(REPO, manifest(1), "arm1");
    put(REPO, manifest(1), "arm2");
    char idx[DIGEST_STR_SIZE], idx2[DIGEST_STR_SIZE];
    snprintf(idx, sizeof idx, "%s", put(REPO, index_of(a, b), "multi"));
    char reason[512];
    snprintf(reason, sizeof reason, "Requested image referenced by manifest list: [%s]", idx);

    /* by digest, and by the only remaining tag: refused, the tag stays */
    call("BatchDeleteImage",
         "{\"repositoryName\":\"" REPO "\",\"imageIds\":["
         "{\"imageDigest\":\"%s\"},{\"imageTag\":\"amd64\"},{\"imageTag\":\"arm1\"}]}",
         a);
    CU_ASSERT_EQUAL_FATAL(len_at("failures"), 2);
    CU_ASSERT_STRING_EQUAL(str_at("failures.0.failureCode"), "ImageReferencedByManifestList");
    CU_ASSERT_STRING_EQUAL(str_at("failures.0.failureReason"), reason);
    CU_ASSERT_STRING_EQUAL(str_at("failures.1.imageId.imageTag"), "amd64");
    CU_ASSERT_EQUAL(len_at("imageIds"), 1); /* arm1: b still has arm2 */
    CU_ASSERT_EQUAL(listed(a, "amd64"), 1);

    /* a second parent: both named, ", "-separated */
    snprintf(idx2, sizeof idx2, "%s", put(REPO, index_of(a, NULL), NULL));
    BDI("[{\"imageTag\":\"amd64\"}]");
    CU_ASSERT_PTR_NOT_NULL(strstr(str_at("failures.0.failureReason"), ", "));

    /* index and child in one request: the child still fails (state before) */
    call("BatchDeleteImage",
         "{\"repositoryName\":\"" REPO "\",\"imageIds\":["
         "{\"imageTag\":\"multi\"},{\"imageDigest\":\"%s\"}]}",
         b);
    CU_ASSERT_EQUAL(len_at("imageIds"), 1);
    CU_ASSERT_STRING_EQUAL(str_at("failures.0.failureCode"), "ImageReferencedByManifestList");
    CU_ASSERT_EQUAL(listed(idx, NULL), 0);
    CU_ASSERT_EQUAL(listed(b, "arm2"), 1);
    /* now that the index is gone, b can go */
    call("BatchDeleteImage",
         "{\"repositoryName\":\"" REPO "\",\"imageIds\":["
         "{\"imageDigest\":\"%s\"}]}",
         b);
    CU_ASSERT_EQUAL(len_at("imageIds"), 1);
    CU_ASSERT_EQUAL(len_at("failures"), 0);
}

/* Issue 11 item 15: an image referenced by ~900+ manifest lists got a 500
 * (the parents' names outgrew a fixed 64 KiB buffer). Every parent is named,
 * in push order; parents removed earlier in the same request still count
 * (oq-index-then-children=before-request) and keep their place. */
static void test_many_parents(void)
{
    enum { NPARENTS = 1000 };
    static char first[DIGEST_STR_SIZE], second[DIGEST_STR_SIZE], last[DIGEST_STR_SIZE];
    create(REPO);
    char child[DIGEST_STR_SIZE];
    snprintf(child, sizeof child, "%s", put(REPO, manifest(0), "c"));
    for (int i = 0; i < NPARENTS; i++) {
        char m[512];
        snprintf(m, sizeof m,
                 "{\"schemaVersion\":2,\"mediaType\":\"" MT_LIST "\",\"manifests\":["
                 "{\"mediaType\":\"" MT_DOCKER "\",\"size\":1,\"digest\":\"%s\"}],"
                 "\"annotations\":{\"n\":\"%d\"}}",
                 child, i);
        const char *d = put(REPO, m, NULL);
        snprintf(i == 0 ? first : i == 1 ? second : last, DIGEST_STR_SIZE, "%s", d);
    }
    CU_ASSERT_EQUAL_FATAL(call("BatchDeleteImage",
                               "{\"repositoryName\":\"" REPO "\",\"imageIds\":["
                               "{\"imageDigest\":\"%s\"},{\"imageDigest\":\"%s\"}]}",
                               second, child),
                          200);
    CU_ASSERT_EQUAL(len_at("imageIds"), 1); /* the second parent */
    CU_ASSERT_STRING_EQUAL(str_at("imageIds.0.imageDigest"), second);
    CU_ASSERT_STRING_EQUAL(str_at("failures.0.failureCode"), "ImageReferencedByManifestList");
    const char *why = str_at("failures.0.failureReason");
    char head[256];
    snprintf(head, sizeof head, "Requested image referenced by manifest list: [%s, %s, ", first,
             second);
    CU_ASSERT_EQUAL(strncmp(why, head, strlen(head)), 0);
    size_t commas = 0;
    for (const char *p = why; (p = strstr(p, ", ")) != NULL; p += 2)
        commas++;
    CU_ASSERT_EQUAL(commas, NPARENTS - 1);
    char tail[DIGEST_STR_SIZE + 1];
    snprintf(tail, sizeof tail, "%s]", last);
    size_t n = strlen(why);
    CU_ASSERT(n > strlen(tail) && strcmp(why + n - strlen(tail), tail) == 0);
    CU_ASSERT_EQUAL(listed(child, "c"), 1);
}

/* The hand-written matchers of names.h against the regexes they replace:
 * every string up to length 6 over a small alphabet that holds each
 * pattern's interesting characters, then random longer strings over a wider
 * one. Any disagreement is reported with the string. */
static void test_name_matchers(void)
{
    static const struct {
        const char *ere;
        int (*fn)(const char *);
    } m[] = {{NAMES_REPO_ERE, ecremu_names_repo_ok},
             {NAMES_DIGEST_ERE, ecremu_names_digest_ok},
             {NAMES_TAG_ERE, ecremu_names_tag_ok},
             {NAMES_REGISTRY_ERE, ecremu_names_registry_ok}};
    static const char small[] = "a0._-/:F";
    static const char wide[] = "az09AZfF._-/:+ \x80\t";
    regex_t re[4];
    for (size_t k = 0; k < 4; k++)
        CU_ASSERT_EQUAL_FATAL(regcomp(&re[k], m[k].ere, REG_EXTENDED | REG_NOSUB), 0);
    size_t tried = 0, accepted[4] = {0}, bad = 0;
    char s[32];
    for (size_t len = 0; len <= 6; len++) {
        size_t total = 1;
        for (size_t i = 0; i < len; i++)
            total *= sizeof small - 1;
        for (size_t n = 0; n < total; n++) {
            size_t x = n;
            for (size_t i = 0; i < len; i++, x /= sizeof small - 1)
                s[i] = small[x % (sizeof small - 1)];
            s[len] = '\0';
            for (size_t k = 0; k < 4; k++) {
                int want = regexec(&re[k], s, 0, NULL, 0) == 0;
                accepted[k] += (size_t)want;
                if (m[k].fn(s) != want && bad++ < 5)
                    fprintf(stderr, "\n  pattern %zu disagrees on '%s' (regex %d)", k, s, want);
            }
            tried++;
        }
    }
    unsigned seed = 12345;
    for (int n = 0; n < 200000; n++) {
        size_t len = (size_t)(rand_r(&seed) % 20);
        for (size_t i = 0; i < len; i++)
            s[i] = n % 2 ? wide[rand_r(&seed) % (sizeof wide - 1)]
                         : "0123456789"[rand_r(&seed) % 10]; /* registry ids too */
        s[len] = '\0';
        for (size_t k = 0; k < 4; k++) {
            int want = regexec(&re[k], s, 0, NULL, 0) == 0;
            accepted[k] += (size_t)want;
            if (m[k].fn(s) != want && bad++ < 5)
                fprintf(stderr, "\n  pattern %zu disagrees on '%s' (regex %d)", k, s, want);
        }
        tried++;
    }
    CU_ASSERT_EQUAL(bad, 0);
    CU_ASSERT(tried > 300000);
    for (size_t k = 0; k < 4; k++) {
        CU_ASSERT(accepted[k] > 100); /* each pattern saw both answers */
        CU_ASSERT(accepted[k] < tried);
        regfree(&re[k]);
    }
    CU_ASSERT(ecremu_names_repo_ok("a/b__c-d--e.f"));
    CU_ASSERT(!ecremu_names_repo_ok("a___b"));
    CU_ASSERT(ecremu_names_digest_ok("sha256:ABCdef0"));
    CU_ASSERT(!ecremu_names_digest_ok("sha256:"));
}

static void test_request_errors(void)
{
    create(REPO);
    char target[] = ECR_TARGET_PREFIX "NoSuchThing";
    json_object_put(g_out);
    g_status = ecremu_api_handle(&g_ctx, target, "{}", 2, &g_out);
    ASSERT_ERROR(400, "UnknownOperationException");
    json_object_put(g_out);
    g_status = ecremu_api_handle(&g_ctx, NULL, "{}", 2, &g_out);
    ASSERT_ERROR(400, "UnknownOperationException");

    call("BatchDeleteImage", "{\"repositoryName\": ");
    ASSERT_ERROR(400, "SerializationException");
    call("BatchDeleteImage", "[1]");
    ASSERT_ERROR(400, "SerializationException");
    call("BatchDeleteImage", "{\"repositoryName\":\"" REPO "\",\"imageIds\":{}}");
    ASSERT_ERROR(400, "SerializationException");
    call("BatchDeleteImage", "{\"repositoryName\":42,\"imageIds\":[{\"imageTag\":\"a\"}]}");
    ASSERT_ERROR(400, "SerializationException");
    BDI("[{\"imageTag\":7}]");
    ASSERT_ERROR(400, "SerializationException");

    BDI("[]");
    ASSERT_ERROR(400, "InvalidParameterException");
    CU_ASSERT_STRING_EQUAL(str_at("message"),
                           "Invalid parameter at 'imageIds' failed to satisfy "
                           "constraint: 'Member must have length greater than or equal to 1'");
    buf many;
    ecr_buf_init(&many, 8192);
    for (int i = 0; i < 101; i++)
        ecr_buf_puts(&many, i ? ",{\"imageTag\":\"t\"}" : "[{\"imageTag\":\"t\"}");
    call("BatchDeleteImage", "{\"repositoryName\":\"" REPO "\",\"imageIds\":%s]}", many.data);
    ecr_buf_free(&many);
    CU_ASSERT_STRING_EQUAL(str_at("message"),
                           "Invalid parameter at 'imageIds' failed to satisfy "
                           "constraint: 'Member must have length less than or equal to 100'");
    call("BatchDeleteImage",
         "{\"repositoryName\":\"Upper/Case\",\"imageIds\":[{\"imageTag\":\"t\"}]}");
    ASSERT_ERROR(400, "InvalidParameterException"); /* not RepositoryNotFound: constraints first */
    CU_ASSERT_STRING_EQUAL(str_at("message"),
                           "Invalid parameter at 'repositoryName' failed to satisfy constraint: "
                           "'must satisfy regular expression '(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*"
                           "[a-z0-9]+(?:[._-][a-z0-9]+)*''");
    call("BatchDeleteImage", "{\"repositoryName\":\"a\",\"imageIds\":[{\"imageTag\":\"t\"}]}");
    CU_ASSERT_STRING_EQUAL(str_at("message"),
                           "Invalid parameter at 'repositoryName' failed to "
                           "satisfy constraint: 'must have length greater than or equal to 2'");
    call("BatchDeleteImage", "{\"repositoryName\":\"%0257d\",\"imageIds\":[{\"imageTag\":\"t\"}]}",
         0);
    CU_ASSERT_STRING_EQUAL(str_at("message"),
                           "Invalid parameter at 'repositoryName' failed to "
                           "satisfy constraint: 'must have length less than or equal to 256'");
    call("BatchDeleteImage",
         "{\"repositoryName\":\"a--b__c/d\",\"imageIds\":[{\"imageTag\":\"t\"}]}");
    ASSERT_ERROR(400, "RepositoryNotFoundException"); /* a valid name per the model */
    call("BatchDeleteImage", "{\"registryId\":\"12\",\"repositoryName\":\"" REPO
                             "\",\"imageIds\":[{\"imageTag\":\"t\"}]}");
    CU_ASSERT_STRING_EQUAL(str_at("message"),
                           "Invalid parameter at 'registryId' failed to satisfy "
                           "constraint: 'must satisfy regular expression [0-9]{12}'");
    BDI("[{\"imageTag\":\"\"}]");
    CU_ASSERT_STRING_EQUAL(
        str_at("message"),
        "Invalid parameter at 'imageIds.1.member.imageTag' "
        "failed to satisfy constraint: 'Member must have length greater than or equal to 1'");
    call("BatchDeleteImage",
         "{\"repositoryName\":\"" REPO "\",\"imageIds\":[{\"imageTag\":\"a\"},"
         "{\"imageTag\":\"%0301d\"}]}",
         0);
    CU_ASSERT_STRING_EQUAL(
        str_at("message"),
        "Invalid parameter at 'imageIds.2.member.imageTag' "
        "failed to satisfy constraint: 'Member must have length less than or equal to 300'");
    call("BatchDeleteImage", "{\"registryId\":\"999999999999\",\"repositoryName\":\"" REPO
                             "\",\"imageIds\":[{\"imageTag\":\"t\"}]}");
    ASSERT_ERROR(400, "RepositoryNotFoundException");
    CU_ASSERT_STRING_EQUAL(str_at("message"),
                           "The repository with name '" REPO
                           "' does not exist in the registry with id '999999999999'");
    call("BatchDeleteImage", "{\"imageIds\":[{\"imageTag\":\"t\"}]}");
    ASSERT_ERROR(400, "InvalidParameterException");
}

static void test_faults(void)
{
    create(REPO);
    create("other/repo");
    const char *a = put(REPO, manifest(0), "a");
    const char *b = put(REPO, manifest(1), "b");
    put("other/repo", manifest(0), "a");

    CU_ASSERT_EQUAL(ecremu_control_add_fault(g_ctl, ECR_FAULT_IMAGE_INACCESSIBLE, REPO, b, NULL),
                    ECR_OK);
    BDI("[{\"imageTag\":\"a\"},{\"imageTag\":\"b\"},{\"imageTag\":\"zz\"}]");
    CU_ASSERT_EQUAL(len_at("imageIds"), 1);
    CU_ASSERT_STRING_EQUAL(str_at("failures.0.failureCode"), "ImageInaccessible");
    CU_ASSERT_STRING_EQUAL(str_at("failures.1.failureCode"), "ImageNotFound");
    put(REPO, manifest(0), "a");

    static const struct {
        ecr_fault_kind k;
        const char *code;
    } item[] = {{ECR_FAULT_KMS_ERROR, "KmsError"},
                {ECR_FAULT_UPSTREAM_ACCESS_DENIED, "UpstreamAccessDenied"},
                {ECR_FAULT_UPSTREAM_TOO_MANY_REQUESTS, "UpstreamTooManyRequests"},
                {ECR_FAULT_UPSTREAM_UNAVAILABLE, "UpstreamUnavailable"}};
    for (size_t i = 0; i < sizeof item / sizeof item[0]; i++) {
        ecremu_control_clear(g_ctl, REPO);
        CU_ASSERT_EQUAL(ecremu_control_add_fault(g_ctl, item[i].k, REPO, NULL, NULL), ECR_OK);
        call("BatchDeleteImage",
             "{\"repositoryName\":\"" REPO "\",\"imageIds\":["
             "{\"imageDigest\":\"%s\"}]}",
             a);
        CU_ASSERT_EQUAL(g_status, 200);
        CU_ASSERT_STRING_EQUAL(str_at("failures.0.failureCode"), item[i].code);
        CU_ASSERT_STRING_EQUAL(str_at("failures.0.imageId.imageDigest"), a);
        CU_ASSERT_NOT_EQUAL(strlen(str_at("failures.0.failureReason")), 0);
    }
    /* another repository is untouched */
    CU_ASSERT_EQUAL(call("BatchDeleteImage", "{\"repositoryName\":\"other/repo\",\"imageIds\":"
                                             "[{\"imageTag\":\"a\"}]}"),
                    200);
    CU_ASSERT_EQUAL(len_at("imageIds"), 1);
    ecremu_control_clear(g_ctl, REPO);

    CU_ASSERT_EQUAL(ecremu_control_add_fault(g_ctl, ECR_FAULT_THROTTLING, REPO, NULL, NULL),
                    ECR_OK);
    BDI("[{\"imageTag\":\"a\"}]");
    ASSERT_ERROR(400, "ThrottlingException");
    CU_ASSERT_STRING_EQUAL(str_at("message"), "Rate exceeded");
    CU_ASSERT_EQUAL(call("ListImages", "{\"repositoryName\":\"" REPO "\"}"), 200); /* other op */
    ecremu_control_clear(g_ctl, REPO);

    CU_ASSERT_EQUAL(
        ecremu_control_add_fault(g_ctl, ECR_FAULT_ACCESS_DENIED, REPO, NULL, "ListImages"), 0);
    call("ListImages", "{\"repositoryName\":\"" REPO "\"}");
    ASSERT_ERROR(400, "AccessDeniedException");
    CU_ASSERT_STRING_EQUAL(str_at("message"),
                           "User: arn:aws:iam::" ACCOUNT ":user/ecrconform is not authorized to "
                           "perform: ecr:ListImages on resource: arn:aws:ecr:us-east-1:" ACCOUNT
                           ":repository/" REPO " because no identity-based policy allows the "
                           "ecr:ListImages action");
    call("ListImages", "{\"repositoryName\":\"" REPO "\",\"maxResults\":0}");
    ASSERT_ERROR(400, "InvalidParameterException");
    ecremu_control_clear(g_ctl, REPO);

    CU_ASSERT_EQUAL(ecremu_control_add_fault(g_ctl, ECR_FAULT_SERVER_ERROR, REPO, NULL, NULL),
                    ECR_OK);
    call("DeleteRepository", "{\"repositoryName\":\"" REPO "\",\"force\":true}");
    CU_ASSERT_EQUAL(g_status, 200);
    BDI("[{\"imageTag\":\"a\"}]"); /* survives deletion of the repository */
    ASSERT_ERROR(500, "ServerException");
    CU_ASSERT_STRING_EQUAL(str_at("message"), "An internal server error has occured");
    ecremu_control_clear(g_ctl, REPO);
    BDI("[{\"imageTag\":\"a\"}]");
    ASSERT_ERROR(400, "RepositoryNotFoundException");
}

static int ctl(const char *method, const char *path, const char *repo, const char *body)
{
    json_object_put(g_out);
    g_out = NULL;
    g_status = ecremu_control_handle(g_ctl, method, path, repo, repo ? strlen(repo) : 0, body,
                                     strlen(body), &g_out);
    return g_status;
}

/* Issue 11, item 14: a NUL inside a request string (JSON \u0000) must not
 * let the emulator act on the name cut at the NUL. The whole value fails its
 * pattern, as on ECR. */
static void test_nul_in_strings(void)
{
    call("CreateRepository", "{\"repositoryName\":\"ab\\u0000UPPER CASE!\"}");
    ASSERT_ERROR(400, "InvalidParameterException");
    CU_ASSERT_PTR_NOT_NULL(strstr(str_at("message"), "regular expression"));
    CU_ASSERT_EQUAL(call("DescribeRepositories", "{\"repositoryNames\":[\"ab\"]}"), 400);
    ASSERT_ERROR(400, "RepositoryNotFoundException");

    create("nul-victim");
    call("DeleteRepository", "{\"repositoryName\":\"nul-victim\\u0000/../other\"}");
    ASSERT_ERROR(400, "InvalidParameterException");
    CU_ASSERT_EQUAL(call("DescribeRepositories", "{\"repositoryNames\":[\"nul-victim\"]}"), 200);
    /* json-c cuts a member name at a NUL: "repositoryName\u0000x" must not
     * read as repositoryName */
    call("DeleteRepository", "{\"repositoryName\\u0000x\":\"nul-victim\"}");
    ASSERT_ERROR(400, "SerializationException");
    CU_ASSERT_EQUAL(call("DescribeRepositories", "{\"repositoryNames\":[\"nul-victim\"]}"), 200);
    /* an escaped backslash before u0000 is text, not a NUL: the name fails
     * its pattern as usual */
    call("CreateRepository", "{\"repositoryName\":\"ab\\\\u0000\"}");
    ASSERT_ERROR(400, "InvalidParameterException");

    create(REPO);
    const char *d = put(REPO, manifest(0), "latest");
    CU_ASSERT_EQUAL(BDI("[{\"imageTag\":\"latest\\u0000-not-this\"}]"), 200);
    CU_ASSERT_EQUAL(len_at("imageIds"), 0);
    CU_ASSERT_EQUAL(len_at("failures"), 1);
    CU_ASSERT_STRING_EQUAL(str_at("failures.0.failureCode"), "InvalidImageTag");
    CU_ASSERT_EQUAL(listed(d, "latest"), 1);
    /* a digest with a NUL after a real digest fails the digest rule */
    char body[256];
    snprintf(body, sizeof body, "[{\"imageDigest\":\"%s\\u0000x\"}]", d);
    CU_ASSERT_EQUAL(
        call("BatchDeleteImage", "{\"repositoryName\":\"" REPO "\",\"imageIds\":%s}", body), 200);
    CU_ASSERT_STRING_EQUAL(str_at("failures.0.failureCode"), "InvalidImageDigest");
    CU_ASSERT_EQUAL(listed(d, "latest"), 1);
    /* PutImage with a tag cut by a NUL does not tag the image "v1" */
    json_object *req = json_object_new_object();
    json_object_object_add(req, "repositoryName", json_object_new_string(REPO));
    json_object_object_add(req, "imageManifest", json_object_new_string(manifest(0)));
    json_object_object_add(req, "imageTag", json_object_new_string_len("v1\0x", 4));
    call("PutImage", "%s", ecremu_wire_text(req));
    json_object_put(req);
    ASSERT_ERROR(400, "InvalidParameterException");
    CU_ASSERT_EQUAL(listed(d, "v1"), 0);

    /* nor with the NUL read as DEL: PutImage checks a tag's characters
     * (the whole-request error ECR was seen to give, at 'imageTag') */
    call("PutImage",
         "{\"repositoryName\":\"" REPO "\",\"imageManifest\":%s,\"imageTag\":\"t\\u0000x\"}",
         quoted(manifest(0)));
    ASSERT_ERROR(400, "InvalidParameterException");
    CU_ASSERT_STRING_EQUAL(str_at("message"),
                           "Invalid parameter at 'imageTag' failed to satisfy constraint: 'must "
                           "satisfy regular expression '[a-zA-Z0-9-_.]+''");
    CU_ASSERT_EQUAL(listed(d, NULL), 1); /* "latest" only */
    call("PutImage",
         "{\"repositoryName\":\"" REPO "\",\"imageManifest\":%s,\"imageTag\":\"t\\u0000x\"}",
         quoted(manifest(1)));
    ASSERT_ERROR(400, "InvalidParameterException");
    CU_ASSERT_EQUAL(images_listed(), 1);

    /* a NUL in the manifest text is a raw control character: invalid JSON,
     * never hashed or stored as DEL */
    char m[512];
    size_t mlen = strlen(manifest(1));
    memcpy(m, manifest(1), mlen + 1);
    char *key = strstr(m, "\"schemaVersion\"");
    CU_ASSERT_PTR_NOT_NULL_FATAL(key);
    key[1] = '\0'; /* inside a string of the manifest */
    req = json_object_new_object();
    json_object_object_add(req, "repositoryName", json_object_new_string(REPO));
    json_object_object_add(req, "imageManifest", json_object_new_string_len(m, (int)mlen));
    call("PutImage", "%s", ecremu_wire_text(req));
    json_object_put(req);
    ASSERT_ERROR(400, "InvalidParameterException");
    CU_ASSERT_STRING_EQUAL(str_at("message"), "Invalid parameter at 'ImageManifest' failed to "
                                              "satisfy constraint: 'Invalid JSON syntax'");
    CU_ASSERT_EQUAL(images_listed(), 1);
    /* only NULs (and spaces) are not an empty manifest either */
    call("PutImage", "{\"repositoryName\":\"" REPO "\",\"imageManifest\":\" \\u0000\"}");
    ASSERT_ERROR(400, "InvalidParameterException");
    CU_ASSERT_STRING_EQUAL(str_at("message"), "Invalid parameter at 'ImageManifest' failed to "
                                              "satisfy constraint: 'Invalid JSON syntax'");
    CU_ASSERT_EQUAL(images_listed(), 1);

    /* a media type is stored as given, and no media type holds a NUL: the
     * answer ECR gives a manifest whose type it will not take */
    call("PutImage",
         "{\"repositoryName\":\"" REPO "\",\"imageManifest\":%s,"
         "\"imageManifestMediaType\":\"" MT_DOCKER "\\u0000x\"}",
         quoted(manifest(2)));
    ASSERT_ERROR(400, "InvalidParameterException");
    CU_ASSERT_STRING_EQUAL(str_at("message"), "Invalid parameter at 'ImageManifest' failed to "
                                              "satisfy constraint: 'Invalid JSON syntax'");
    CU_ASSERT_EQUAL(images_listed(), 1);
    /* the same for a manifest's own mediaType (an escaped NUL: valid JSON) */
    char own[1024];
    snprintf(own, sizeof own, "%s", manifest(3));
    char *mt = strstr(own, MT_DOCKER);
    CU_ASSERT_PTR_NOT_NULL_FATAL(mt);
    memmove(mt + strlen(MT_DOCKER) + 6, mt + strlen(MT_DOCKER), strlen(mt + strlen(MT_DOCKER)) + 1);
    memcpy(mt + strlen(MT_DOCKER), "\\u0000", 6);
    put_status(REPO, own, NULL);
    ASSERT_ERROR(400, "InvalidParameterException");
    CU_ASSERT_EQUAL(images_listed(), 1);
    /* an index naming a child's digest followed by an escaped NUL names no
     * image: the cut digest must not find the child */
    char child[DIGEST_STR_SIZE + 8];
    snprintf(child, sizeof child, "%s\\u0000", d);
    CU_ASSERT_EQUAL(put_status(REPO, index_of(child, NULL), NULL), 400);
    ASSERT_ERROR(400, "ReferencedImagesNotFoundException");
    CU_ASSERT_EQUAL(images_listed(), 1);

    /* a body of NULs is not an empty body */
    json_object_put(g_out);
    g_out = NULL;
    g_status = ecremu_api_handle(&g_ctx, ECR_TARGET_PREFIX "DescribeRepositories", "\0", 1, &g_out);
    ASSERT_ERROR(400, "SerializationException");
}

/* PutImage checks a tag's characters with the other constraints, before the
 * repository lookup: ECR's only observed tag validation. */
static void test_put_tag_pattern(void)
{
    create(REPO);
    CU_ASSERT_EQUAL(put_status(REPO, manifest(0), "a b"), 400);
    ASSERT_ERROR(400, "InvalidParameterException");
    CU_ASSERT_STRING_EQUAL(str_at("message"),
                           "Invalid parameter at 'imageTag' failed to satisfy constraint: 'must "
                           "satisfy regular expression '[a-zA-Z0-9-_.]+''");
    CU_ASSERT_EQUAL(put_status(REPO, manifest(0), "a/b"), 400);
    ASSERT_ERROR(400, "InvalidParameterException");
    CU_ASSERT_EQUAL(images_listed(), 0);
    CU_ASSERT_EQUAL(put_status("no-such-repo", manifest(0), "a:b"), 400);
    ASSERT_ERROR(400, "InvalidParameterException");
    const char *d = put(REPO, manifest(0), "v1.0_rc-1");
    CU_ASSERT_EQUAL(listed(d, "v1.0_rc-1"), 1);
}

/* CreateRepository keeps tags as sent, NULs included (ListTagsForResource
 * answers what was sent), and refuses a kmsKey with a NUL rather than keep
 * another key. */
static void test_nul_in_repository_settings(void)
{
    char key[131];
    memset(key, 'k', sizeof key - 1);
    key[sizeof key - 1] = '\0';
    call("CreateRepository",
         "{\"repositoryName\":\"tagged\",\"tags\":[{\"Key\":\"a\\u0000%s\",\"Value\":\"v\"}]}",
         key);
    ASSERT_ERROR(400, "InvalidParameterException"); /* 132 characters, not 1 */
    CU_ASSERT_EQUAL(call("CreateRepository", "{\"repositoryName\":\"tagged\",\"tags\":"
                                             "[{\"Key\":\"k\\u0000x\",\"Value\":\"\\u0000\"}]}"),
                    200);
    CU_ASSERT_EQUAL(call("ListTagsForResource", "{\"resourceArn\":\"arn:aws:ecr:us-east-1:" ACCOUNT
                                                ":repository/tagged\"}"),
                    200);
    json_object *k = at("tags.0.Key"), *v = at("tags.0.Value");
    CU_ASSERT_PTR_NOT_NULL_FATAL(k);
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    CU_ASSERT_EQUAL(json_object_get_string_len(k), 3);
    CU_ASSERT_EQUAL(memcmp(json_object_get_string(k), "k\0x", 3), 0);
    CU_ASSERT_EQUAL(json_object_get_string_len(v), 1);
    CU_ASSERT_EQUAL(json_object_get_string(v)[0], '\0');

    call("CreateRepository", "{\"repositoryName\":\"keyed\",\"encryptionConfiguration\":"
                             "{\"encryptionType\":\"KMS\",\"kmsKey\":\"alias/k\\u0000x\"}}");
    ASSERT_ERROR(400, "InvalidParameterException");
    CU_ASSERT_PTR_NOT_NULL(strstr(str_at("message"), "'encryptionConfiguration.kmsKey'"));
    call("DescribeRepositories", "{\"repositoryNames\":[\"keyed\"]}");
    ASSERT_ERROR(400, "RepositoryNotFoundException");
    /* the enum beside it is still matched whole */
    call("CreateRepository", "{\"repositoryName\":\"keyed\",\"encryptionConfiguration\":"
                             "{\"encryptionType\":\"KMS\\u0000x\"}}");
    ASSERT_ERROR(400, "InvalidParameterException");
}

/* Found by fuzz_emulator: layer sizes whose sum passes INT64_MAX made the
 * image size a signed overflow (UBSan); the size saturates instead. */
static void test_huge_layer_sizes(void)
{
    create(REPO);
    const char *m =
        "{\"schemaVersion\":2,\"mediaType\":\"" MT_DOCKER "\",\"config\":{\"mediaType\":"
        "\"application/vnd.docker.container.image.v1+json\",\"size\":7,\"digest\":"
        "\"sha256:0000000000000000000000000000000000000000000000000000000000000001\"},"
        "\"layers\":[{\"mediaType\":\"application/vnd.docker.image.rootfs.diff.tar.gzip\","
        "\"size\":9223372036854775807,\"digest\":\"sha256:"
        "0000000000000000000000000000000000000000000000000000000000000002\"},"
        "{\"mediaType\":\"application/vnd.docker.image.rootfs.diff.tar.gzip\","
        "\"size\":9223372036854775807,\"digest\":\"sha256:"
        "0000000000000000000000000000000000000000000000000000000000000003\"}]}";
    CU_ASSERT_EQUAL(put_status(REPO, m, "huge"), 200);
    CU_ASSERT_EQUAL(call("DescribeImages", "{\"repositoryName\":\"" REPO "\"}"), 200);
    json_object *size = at("imageDetails.0.imageSizeInBytes");
    CU_ASSERT_PTR_NOT_NULL_FATAL(size);
    CU_ASSERT_EQUAL(json_object_get_int64(size), INT64_MAX);
}

/* Issue 11, item 16: the fault table is bounded in count and in the size of
 * each member, with errors that say so. */
static void test_fault_bounds(void)
{
    char body[2048], name[600];
    memset(name, 'a', 300);
    name[300] = '\0';
    snprintf(body, sizeof body, "{\"fault\":\"kms-error\",\"repositoryName\":\"%s\"}", name);
    CU_ASSERT_EQUAL(ctl("POST", ECR_CONTROL_FAULTS, NULL, body), 400);
    CU_ASSERT_PTR_NOT_NULL(strstr(str_at("message"), "repositoryName must be at most 256 bytes"));
    CU_ASSERT_EQUAL(ctl("POST", ECR_CONTROL_FAULTS, NULL,
                        "{\"fault\":\"kms-error\",\"repositoryName\":\"r\\u0000x\"}"),
                    400);
    snprintf(body, sizeof body,
             "{\"fault\":\"image-inaccessible\",\"repositoryName\":\"r\",\"imageDigest\":"
             "\"sha256:%0300d\"}",
             1);
    CU_ASSERT_EQUAL(ctl("POST", ECR_CONTROL_FAULTS, NULL, body), 400);
    CU_ASSERT_PTR_NOT_NULL(strstr(str_at("message"), "imageDigest must be at most"));
    int ok = 0;
    for (int i = 0; i < 1100; i++) {
        snprintf(body, sizeof body, "{\"fault\":\"kms-error\",\"repositoryName\":\"r%d\"}", i);
        if (ctl("POST", ECR_CONTROL_FAULTS, NULL, body) != 200)
            break;
        ok++;
    }
    CU_ASSERT_EQUAL(ok, 1024);
    CU_ASSERT_EQUAL(g_status, 400);
    CU_ASSERT_PTR_NOT_NULL(strstr(str_at("message"), "too many faults"));
}

static void test_control_interface(void)
{
    CU_ASSERT_EQUAL(ctl("GET", ECR_CONTROL_CAPABILITIES, NULL, ""), 200);
    CU_ASSERT_STRING_EQUAL(str_at("capabilities.0"), "fault-injection");
    CU_ASSERT_STRING_EQUAL(str_at("capabilities.1"), "strict-auth");
    CU_ASSERT_STRING_EQUAL(str_at("account"), ACCOUNT);
    CU_ASSERT_STRING_EQUAL(str_at("region"), "us-east-1");
    CU_ASSERT_EQUAL(ctl("POST", ECR_CONTROL_FAULTS, NULL,
                        "{\"fault\":\"throttling\",\"repositoryName\":\"r1\",\"operation\":"
                        "\"ListImages\"}"),
                    200);
    CU_ASSERT_EQUAL(json_object_object_length(g_out), 0);
    CU_ASSERT_TRUE(ecremu_control_request_fault(g_ctl, ECR_FAULT_THROTTLING, "ListImages", "r1"));
    CU_ASSERT_FALSE(
        ecremu_control_request_fault(g_ctl, ECR_FAULT_THROTTLING, "BatchDeleteImage", "r1"));
    CU_ASSERT_EQUAL(ctl("POST", ECR_CONTROL_FAULTS, NULL,
                        "{\"fault\":\"kms-error\",\"repositoryName\":\"r1\"}"),
                    200);
    CU_ASSERT_EQUAL(
        ctl("POST", ECR_CONTROL_FAULTS, NULL, "{\"fault\":\"melt\",\"repositoryName\":\"r1\"}"),
        400);
    CU_ASSERT_NOT_EQUAL(strlen(str_at("message")), 0);
    CU_ASSERT_EQUAL(ctl("POST", ECR_CONTROL_FAULTS, NULL, "{\"fault\":\"kms-error\"}"), 400);
    CU_ASSERT_EQUAL(ctl("POST", ECR_CONTROL_FAULTS, NULL,
                        "{\"fault\":\"image-inaccessible\",\"repositoryName\":\"r1\"}"),
                    400);
    CU_ASSERT_EQUAL(ctl("POST", ECR_CONTROL_FAULTS, NULL, "not json"), 400);
    CU_ASSERT_EQUAL(ctl("DELETE", ECR_CONTROL_FAULTS, NULL, ""), 400);
    /* Issue 11: "?repositoryName=r1%00x" decodes to "r1\0x" (4 bytes); it
     * must not clear r1's faults. */
    json_object_put(g_out);
    g_out = NULL;
    g_status =
        ecremu_control_handle(g_ctl, "DELETE", ECR_CONTROL_FAULTS, "r1\0x", 4, "", 0, &g_out);
    CU_ASSERT_EQUAL(g_status, 400);
    CU_ASSERT_PTR_NOT_NULL(strstr(str_at("message"), "NUL"));
    const char *kcode, *kreason;
    CU_ASSERT_TRUE(ecremu_control_item_fault(g_ctl, "r1", "sha256:x", &kcode, &kreason));
    CU_ASSERT_EQUAL(ctl("DELETE", ECR_CONTROL_FAULTS, "r1", ""), 200);
    CU_ASSERT_FALSE(ecremu_control_request_fault(g_ctl, ECR_FAULT_THROTTLING, "ListImages", "r1"));
    const char *code, *reason;
    CU_ASSERT_FALSE(ecremu_control_item_fault(g_ctl, "r1", "sha256:x", &code, &reason));
    CU_ASSERT_EQUAL(ctl("GET", ECR_CONTROL_FAULTS, NULL, ""), 405);
    CU_ASSERT_EQUAL(ctl("GET", "/__ecrconform/nothing", NULL, ""), 404);
    ecr_fault_kind k;
    CU_ASSERT_EQUAL(ecr_fault_kind_parse("upstream-unavailable", &k), 0);
    CU_ASSERT_EQUAL(k, ECR_FAULT_UPSTREAM_UNAVAILABLE);
    CU_ASSERT_STRING_EQUAL(ecr_fault_kind_name(ECR_FAULT_ACCESS_DENIED), "access-denied");
}

static int cmp_text(const void *a, const void *b)
{
    return strcmp(a, b);
}

static void test_wire(void)
{
    json_object *o = ecremu_wire_parse("", 0);
    CU_ASSERT_EQUAL(json_object_object_length(o), 0);
    json_object_put(o);
    CU_ASSERT_PTR_NULL(ecremu_wire_parse("{}x", 3));
    CU_ASSERT_PTR_NULL(ecremu_wire_parse("{\"a\":", 5));
    CU_ASSERT_PTR_NULL(ecremu_wire_parse("\"\xff\"", 3)); /* not UTF-8 */
    o = ecremu_wire_parse(" {\"a\":\"x/y\"}\n", 13);
    CU_ASSERT_STRING_EQUAL(ecremu_wire_text(o), "{\"a\":\"x/y\"}"); /* '/' not escaped */
    json_object_put(o);
    o = ecremu_wire_time(1700000000.5);
    CU_ASSERT_STRING_EQUAL(ecremu_wire_text(o), "1700000000.500");
    json_object_put(o);

    /* Request ids: version-4 UUIDs, all different. */
    enum { NIDS = 4000 };
    static char ids[NIDS][37];
    regex_t re;
    CU_ASSERT_EQUAL_FATAL(regcomp(&re,
                                  "^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-"
                                  "[0-9a-f]{12}$",
                                  REG_EXTENDED | REG_NOSUB),
                          0);
    int well_formed = 0;
    for (int i = 0; i < NIDS; i++) {
        ecremu_wire_uuid(ids[i]);
        well_formed += regexec(&re, ids[i], 0, NULL, 0) == 0;
    }
    regfree(&re);
    CU_ASSERT_EQUAL(well_formed, NIDS);
    qsort(ids, NIDS, sizeof ids[0], cmp_text);
    int dups = 0;
    for (int i = 1; i < NIDS; i++)
        dups += strcmp(ids[i - 1], ids[i]) == 0;
    CU_ASSERT_EQUAL(dups, 0);
}

int register_store_suite(void)
{
    CU_pSuite s = CU_add_suite_with_setup_and_teardown("store", NULL, NULL, setup, teardown);
    if (!s)
        return 1;
    if (!CU_add_test(s, "store_model", test_store_model) ||
        !CU_add_test(s, "store_indexes", test_store_indexes) ||
        !CU_add_test(s, "repositories", test_repositories) ||
        !CU_add_test(s, "put_image", test_put_image) ||
        !CU_add_test(s, "immutable", test_immutable) ||
        !CU_add_test(s, "list_and_describe", test_list_and_describe) ||
        !CU_add_test(s, "delete_by_tag", test_delete_by_tag) ||
        !CU_add_test(s, "delete_by_digest", test_delete_by_digest) ||
        !CU_add_test(s, "delete_failures", test_delete_failures) ||
        !CU_add_test(s, "manifest_list", test_manifest_list) ||
        !CU_add_test(s, "many_parents", test_many_parents) ||
        !CU_add_test(s, "name_matchers", test_name_matchers) ||
        !CU_add_test(s, "request_errors", test_request_errors) ||
        !CU_add_test(s, "faults", test_faults) ||
        !CU_add_test(s, "control_interface", test_control_interface) ||
        !CU_add_test(s, "nul_in_strings", test_nul_in_strings) ||
        !CU_add_test(s, "put_tag_pattern", test_put_tag_pattern) ||
        !CU_add_test(s, "nul_in_repository_settings", test_nul_in_repository_settings) ||
        !CU_add_test(s, "fault_bounds", test_fault_bounds) ||
        !CU_add_test(s, "huge_layer_sizes", test_huge_layer_sizes) ||
        !CU_add_test(s, "wire", test_wire))
        return 1;
    return 0;
}
