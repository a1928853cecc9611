/* Tests of what issue 8 added to the emulator, without HTTP: the layer
 * upload API and its blob store (layers.c, blobs.c), PutImage's checks on
 * the layer path, maxResults / nextToken pagination (page.c),
 * UnsupportedOperationException (ecr_ops.c), GetAuthorizationToken and
 * DescribeRegistry (registry.c), and ecr/base64.h. Every test gets a fresh
 * store with layer enforcement on. */
#include <CUnit/CUnit.h>
#include <json-c/json.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "blobs.h"
#include "ecr/base64.h"
#include "ecr/digest.h"
#include "ecr/protocol.h"
#include "ecr/util.h"
#include "ecr_ops.h"
#include "layers.h"
#include "page.h"
#include "store.h"
#include "suites.h"
#include "wire.h"

#define ACCOUNT "123456789012"
#define REPO "ecrc-run1/layers/app"
#define OTHER "ecrc-run1/layers/other"
#define MT_DOCKER "application/vnd.docker.distribution.manifest.v2+json"
#define MT_LIST "application/vnd.docker.distribution.manifest.list.v2+json"

static store *g_st;
static api_ctx g_ctx;
static json_object *g_out;
static int g_status;

static void setup(void)
{
    g_st = ecremu_store_new();
    g_ctx = (api_ctx){g_st, NULL, ACCOUNT, "us-east-1", 1, NULL};
    g_out = NULL;
}

static void teardown(void)
{
    json_object_put(g_out);
    g_out = NULL;
    ecremu_store_free(g_st);
}

/* Sends op with a printf-made body of any size; keeps the reply in g_out. */
static int call(const char *op, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int call(const char *op, const char *fmt, ...)
{
    char target[128];
    va_list ap;
    va_start(ap, fmt);
    char *body = ecr_vasprintf(fmt, ap);
    va_end(ap);
    CU_ASSERT_PTR_NOT_NULL_FATAL(body);
    snprintf(target, sizeof target, ECR_TARGET_PREFIX "%s", op);
    json_object_put(g_out);
    g_out = NULL;
    g_status = ecremu_api_handle(&g_ctx, target, body, strlen(body), &g_out);
    free(body);
    return g_status;
}

static json_object *at(const char *path)
{
    char copy[256], *save = NULL;
    json_object *o = g_out;
    snprintf(copy, sizeof copy, "%s", path);
    for (char *seg = strtok_r(copy, ".", &save); seg && o; seg = strtok_r(NULL, ".", &save)) {
        char *end;
        long idx = strtol(seg, &end, 10);
        if (*end == '\0' && json_object_is_type(o, json_type_array))
            o = idx >= 0 && (size_t)idx < json_object_array_length(o)
                    ? json_object_array_get_idx(o, (size_t)idx)
                    : NULL;
        else if (!json_object_is_type(o, json_type_object) ||
                 !json_object_object_get_ex(o, seg, &o))
            o = NULL;
    }
    return o;
}

static const char *str_at(const char *path)
{
    json_object *o = at(path);
    return o && json_object_is_type(o, json_type_string) ? json_object_get_string(o) : "<none>";
}

static long long int_at(const char *path)
{
    json_object *o = at(path);
    return o && json_object_is_type(o, json_type_int) ? json_object_get_int64(o) : -12345;
}

static size_t len_at(const char *path)
{
    json_object *o = at(path);
    return o && json_object_is_type(o, json_type_array) ? json_object_array_length(o) : 999;
}

#define ASSERT_ERROR(status, type)                                                                 \
    do {                                                                                           \
        CU_ASSERT_EQUAL(g_status, status);                                                         \
        CU_ASSERT_STRING_EQUAL(str_at("__type"), type);                                            \
    } while (0)

static void create(const char *repo, int immutable)
{
    CU_ASSERT_EQUAL(call("CreateRepository", "{\"repositoryName\":\"%s\"%s}", repo,
                         immutable ? ",\"imageTagMutability\":\"IMMUTABLE\"" : ""),
                    200);
}

/* InitiateLayerUpload in repo; returns the upload id (static, one slot). */
static const char *initiate(const char *repo)
{
    static char id[64];
    CU_ASSERT_EQUAL(call("InitiateLayerUpload", "{\"repositoryName\":\"%s\"}", repo), 200);
    snprintf(id, sizeof id, "%s", str_at("uploadId"));
    return id;
}

/* UploadLayerPart of data[0..n) as bytes first..last; returns the status. */
static int part(const char *repo, const char *id, const void *data, size_t n, long long first,
                long long last)
{
    char *b64 = ecr_base64_encode(data, n);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b64);
    call("UploadLayerPart",
         "{\"repositoryName\":\"%s\",\"uploadId\":\"%s\",\"partFirstByte\":%lld,"
         "\"partLastByte\":%lld,\"layerPartBlob\":\"%s\"}",
         repo, id, first, last, b64);
    free(b64);
    return g_status;
}

static int complete(const char *repo, const char *id, const char *digest)
{
    return call("CompleteLayerUpload",
                "{\"repositoryName\":\"%s\",\"uploadId\":\"%s\",\"layerDigests\":[\"%s\"]}", repo,
                id, digest);
}

/* Uploads text as one blob of repo (must succeed); returns its digest in
 * out. */
static void upload_blob(const char *repo, const char *text, char out[DIGEST_STR_SIZE])
{
    size_t n = strlen(text);
    CU_ASSERT_EQUAL_FATAL(ecr_digest_sha256(text, n, out), ECR_OK);
    char id[64];
    snprintf(id, sizeof id, "%s", initiate(repo));
    CU_ASSERT_EQUAL(part(repo, id, text, n, 0, (long long)n - 1), 200);
    CU_ASSERT_EQUAL(complete(repo, id, out), 200);
    CU_ASSERT_STRING_EQUAL(str_at("layerDigest"), out);
}

/* A Docker v2 manifest with the given config and layer digests. */
static char *image_manifest(const char *config, const char *layer1, const char *layer2)
{
    return ecr_asprintf("{\"schemaVersion\":2,\"mediaType\":\"" MT_DOCKER "\","
                        "\"config\":{\"mediaType\":\"application/vnd.docker.container.image.v1+"
                        "json\",\"size\":2,\"digest\":\"%s\"},\"layers\":["
                        "{\"mediaType\":\"x\",\"size\":3,\"digest\":\"%s\"},"
                        "{\"mediaType\":\"x\",\"size\":4,\"digest\":\"%s\"}]}",
                        config, layer1, layer2);
}

/* PutImage of m (a JSON string value is made of it) with tag / digest. */
static int put(const char *repo, const char *m, const char *tag, const char *digest)
{
    json_object *req = json_object_new_object();
    json_object_object_add(req, "repositoryName", json_object_new_string(repo));
    json_object_object_add(req, "imageManifest", json_object_new_string(m));
    if (tag)
        json_object_object_add(req, "imageTag", json_object_new_string(tag));
    if (digest)
        json_object_object_add(req, "imageDigest", json_object_new_string(digest));
    call("PutImage", "%s", ecremu_wire_text(req));
    json_object_put(req);
    return g_status;
}

static void test_base64(void)
{
    static const struct {
        const char *plain, *b64;
    } v[] = {{"", ""},
             {"f", "Zg=="},
             {"fo", "Zm8="},
             {"foo", "Zm9v"},
             {"foob", "Zm9vYg=="},
             {"fooba", "Zm9vYmE="},
             {"foobar", "Zm9vYmFy"}}; /* RFC 4648 */
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        char *e = ecr_base64_encode(v[i].plain, strlen(v[i].plain));
        CU_ASSERT_STRING_EQUAL(e, v[i].b64);
        free(e);
        unsigned char *d;
        size_t n;
        CU_ASSERT_EQUAL(ecr_base64_decode(v[i].b64, strlen(v[i].b64), &d, &n), ECR_OK);
        CU_ASSERT_EQUAL(n, strlen(v[i].plain)); /* padding is not counted as data */
        CU_ASSERT_EQUAL(memcmp(d, v[i].plain, n), 0);
        free(d);
    }
    unsigned char bin[256], *d;
    size_t n;
    for (int i = 0; i < 256; i++)
        bin[i] = (unsigned char)i;
    char *e = ecr_base64_encode(bin, sizeof bin);
    CU_ASSERT_EQUAL(ecr_base64_decode(e, strlen(e), &d, &n), ECR_OK);
    CU_ASSERT_EQUAL(n, 256);
    CU_ASSERT_EQUAL(memcmp(d, bin, 256), 0);
    free(d);
    free(e);
    static const char *bad[] = {"Zg=", "Zg", "Z===", "Zm9v\n", " Zm9v", "Zm=v", "Zm9*", "=Zm9"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        d = (unsigned char *)bad;
        CU_ASSERT_EQUAL(ecr_base64_decode(bad[i], strlen(bad[i]), &d, &n), ECR_EPARSE);
        CU_ASSERT_PTR_NULL(d);
        CU_ASSERT_EQUAL(n, 0);
    }
}

static void test_upload_flow(void)
{
    create(REPO, 0);
    CU_ASSERT_EQUAL(call("InitiateLayerUpload", "{\"repositoryName\":\"" REPO "\"}"), 200);
    CU_ASSERT_EQUAL(int_at("partSize"), LAYERS_PART_SIZE);
    char id[64];
    snprintf(id, sizeof id, "%s", str_at("uploadId"));
    CU_ASSERT_EQUAL(strlen(id), 36);
    CU_ASSERT_EQUAL(id[14], '4'); /* a UUID v4 */

    /* a first part of exactly the minimum, then a short final part */
    size_t n1 = LAYERS_PART_MIN, n2 = 10;
    unsigned char *data = malloc(n1 + n2);
    CU_ASSERT_PTR_NOT_NULL_FATAL(data);
    for (size_t i = 0; i < n1 + n2; i++)
        data[i] = (unsigned char)(i * 7 + 3);
    CU_ASSERT_EQUAL(part(REPO, id, data, n1, 0, (long long)n1 - 1), 200);
    CU_ASSERT_EQUAL(int_at("lastByteReceived"), (long long)n1 - 1);
    CU_ASSERT_STRING_EQUAL(str_at("uploadId"), id);
    CU_ASSERT_STRING_EQUAL(str_at("repositoryName"), REPO);
    CU_ASSERT_STRING_EQUAL(str_at("registryId"), ACCOUNT);
    CU_ASSERT_EQUAL(part(REPO, id, data + n1, n2, (long long)n1, (long long)(n1 + n2) - 1), 200);
    CU_ASSERT_EQUAL(ecremu_blobs_bytes(g_st->blobs), n1 + n2);
    char digest[DIGEST_STR_SIZE];
    ecr_digest_sha256(data, n1 + n2, digest);
    free(data);
    CU_ASSERT_EQUAL(complete(REPO, id, digest), 200);
    CU_ASSERT_STRING_EQUAL(str_at("layerDigest"), digest);
    CU_ASSERT_STRING_EQUAL(str_at("uploadId"), id);
    const blob *b = ecremu_blobs_find(g_st->blobs, REPO, digest);
    CU_ASSERT_TRUE_FATAL(b != NULL);
    CU_ASSERT_EQUAL(b->size, n1 + n2);
    CU_ASSERT_EQUAL(ecremu_blobs_bytes(g_st->blobs), n1 + n2); /* moved, not copied */
    /* the upload is finished */
    CU_ASSERT_EQUAL(complete(REPO, id, digest), 400);
    ASSERT_ERROR(400, "UploadNotFoundException");

    /* blobs are per repository */
    create(OTHER, 0);
    CU_ASSERT_PTR_NULL(ecremu_blobs_find(g_st->blobs, OTHER, digest));
    /* deleting the repository drops its blobs and uploads */
    initiate(REPO);
    CU_ASSERT_EQUAL(part(REPO, str_at("uploadId"), "abc", 3, 0, 2), 200);
    CU_ASSERT_EQUAL(call("DeleteRepository", "{\"repositoryName\":\"" REPO "\",\"force\":true}"),
                    200);
    CU_ASSERT_EQUAL(ecremu_blobs_bytes(g_st->blobs), 0);
    create(REPO, 0);
    CU_ASSERT_PTR_NULL(ecremu_blobs_find(g_st->blobs, REPO, digest));
}

static void test_upload_errors(void)
{
    create(REPO, 0);
    create(OTHER, 0);
    char id[64], digest[DIGEST_STR_SIZE];
    snprintf(id, sizeof id, "%s", initiate(REPO));

    /* wrong ranges: InvalidLayerPartException with the model's members */
    CU_ASSERT_EQUAL(part(REPO, id, "abcd", 4, 1, 4), 400);
    ASSERT_ERROR(400, "InvalidLayerPartException");
    CU_ASSERT_STRING_EQUAL(str_at("uploadId"), id);
    CU_ASSERT_STRING_EQUAL(str_at("repositoryName"), REPO);
    CU_ASSERT_PTR_NULL(at("lastValidByteReceived"));       /* nothing received yet */
    CU_ASSERT_EQUAL(part(REPO, id, "abcd", 4, 0, 4), 400); /* 5 bytes claimed, 4 sent */
    ASSERT_ERROR(400, "InvalidLayerPartException");
    CU_ASSERT_EQUAL(part(REPO, id, "abcd", 4, 0, 2), 400);
    ASSERT_ERROR(400, "InvalidLayerPartException");
    CU_ASSERT_EQUAL(part(REPO, id, "", 0, 0, 0), 400);
    ASSERT_ERROR(400, "InvalidLayerPartException");
    CU_ASSERT_EQUAL(part(REPO, id, "abcd", 4, 0, 3), 200);
    CU_ASSERT_EQUAL(part(REPO, id, "ef", 2, 0, 1), 400); /* a part sent again */
    ASSERT_ERROR(400, "InvalidLayerPartException");
    CU_ASSERT_EQUAL(int_at("lastValidByteReceived"), 3);
    CU_ASSERT_EQUAL(part(REPO, id, "ef", 2, 6, 7), 400); /* a gap */
    ASSERT_ERROR(400, "InvalidLayerPartException");

    /* a non-final part under 5 MiB: LayerPartTooSmallException at completion */
    CU_ASSERT_EQUAL(part(REPO, id, "ef", 2, 4, 5), 200);
    ecr_digest_sha256("abcdef", 6, digest);
    CU_ASSERT_EQUAL(complete(REPO, id, digest), 400);
    ASSERT_ERROR(400, "LayerPartTooSmallException");
    CU_ASSERT_EQUAL(complete(REPO, id, digest), 400); /* the upload is gone */
    ASSERT_ERROR(400, "UploadNotFoundException");

    /* nothing sent: EmptyUploadException, and the upload stays open */
    snprintf(id, sizeof id, "%s", initiate(REPO));
    CU_ASSERT_EQUAL(complete(REPO, id, digest), 400);
    ASSERT_ERROR(400, "EmptyUploadException");
    CU_ASSERT_EQUAL(part(REPO, id, "abcdef", 6, 0, 5), 200);

    /* a digest that is not the data's: InvalidLayerException, upload dropped */
    char wrong[DIGEST_STR_SIZE];
    ecr_digest_sha256("abcdeF", 6, wrong);
    CU_ASSERT_EQUAL(complete(REPO, id, wrong), 400);
    ASSERT_ERROR(400, "InvalidLayerException");
    CU_ASSERT_PTR_NOT_NULL(strstr(str_at("message"), digest));
    CU_ASSERT_EQUAL(complete(REPO, id, digest), 400);
    ASSERT_ERROR(400, "UploadNotFoundException");
    CU_ASSERT_EQUAL(ecremu_blobs_bytes(g_st->blobs), 0);

    /* the same blob twice: LayerAlreadyExistsException */
    upload_blob(REPO, "abcdef", digest);
    snprintf(id, sizeof id, "%s", initiate(REPO));
    CU_ASSERT_EQUAL(part(REPO, id, "abcdef", 6, 0, 5), 200);
    CU_ASSERT_EQUAL(complete(REPO, id, digest), 400);
    ASSERT_ERROR(400, "LayerAlreadyExistsException");
    CU_ASSERT_EQUAL(ecremu_blobs_bytes(g_st->blobs), 6);

    /* uploads belong to their repository; unknown ids are not found */
    snprintf(id, sizeof id, "%s", initiate(REPO));
    CU_ASSERT_EQUAL(part(OTHER, id, "x", 1, 0, 0), 400);
    ASSERT_ERROR(400, "UploadNotFoundException");
    CU_ASSERT_EQUAL(part(REPO, "00000000-0000-4000-8000-000000000000", "x", 1, 0, 0), 400);
    ASSERT_ERROR(400, "UploadNotFoundException");
    CU_ASSERT_EQUAL(part("ecrc-run1/nope", id, "x", 1, 0, 0), 400);
    ASSERT_ERROR(400, "RepositoryNotFoundException");

    /* constraints and serialization */
    CU_ASSERT_EQUAL(part(REPO, "not-a-uuid", "x", 1, 0, 0), 400);
    ASSERT_ERROR(400, "InvalidParameterException");
    CU_ASSERT_PTR_NOT_NULL(strstr(str_at("message"), "'uploadId'"));
    CU_ASSERT_EQUAL(part(REPO, id, "x", 1, -1, 0), 400);
    ASSERT_ERROR(400, "InvalidParameterException");
    call("UploadLayerPart",
         "{\"repositoryName\":\"" REPO "\",\"uploadId\":\"%s\",\"partFirstByte\":0,"
         "\"partLastByte\":0,\"layerPartBlob\":\"not base64!\"}",
         id);
    ASSERT_ERROR(400, "SerializationException");
    call("UploadLayerPart",
         "{\"repositoryName\":\"" REPO "\",\"uploadId\":\"%s\",\"partFirstByte\":0,"
         "\"partLastByte\":0}",
         id);
    ASSERT_ERROR(400, "InvalidParameterException");
    CU_ASSERT_PTR_NOT_NULL(strstr(str_at("message"), "'layerPartBlob'"));
    call("UploadLayerPart",
         "{\"repositoryName\":\"" REPO "\",\"uploadId\":\"%s\",\"partFirstByte\":\"0\","
         "\"partLastByte\":0,\"layerPartBlob\":\"eA==\"}",
         id);
    ASSERT_ERROR(400, "SerializationException");
    call("CompleteLayerUpload", "{\"repositoryName\":\"" REPO "\",\"uploadId\":\"%s\"}", id);
    ASSERT_ERROR(400, "InvalidParameterException");
    call("CompleteLayerUpload",
         "{\"repositoryName\":\"" REPO "\",\"uploadId\":\"%s\",\"layerDigests\":[]}", id);
    ASSERT_ERROR(400, "InvalidParameterException");
    call("CompleteLayerUpload",
         "{\"repositoryName\":\"" REPO "\",\"uploadId\":\"%s\",\"layerDigests\":[\"sha256\"]}", id);
    ASSERT_ERROR(400, "InvalidParameterException");
    CU_ASSERT_PTR_NOT_NULL(strstr(str_at("message"), "'layerDigests.1.member'"));
    call("InitiateLayerUpload", "{\"repositoryName\":\"ecrc-run1/nope\"}");
    ASSERT_ERROR(400, "RepositoryNotFoundException");
    call("InitiateLayerUpload", "{}");
    ASSERT_ERROR(400, "InvalidParameterException");
}

static void test_caps(void)
{
    create(REPO, 0);
    /* bytes: the cap counts blobs and uploads in progress together */
    ecremu_blobs_set_max_bytes(g_st->blobs, 10);
    char digest[DIGEST_STR_SIZE], id[64];
    upload_blob(REPO, "123456", digest);
    snprintf(id, sizeof id, "%s", initiate(REPO));
    CU_ASSERT_EQUAL(part(REPO, id, "abcd", 4, 0, 3), 200);
    CU_ASSERT_EQUAL(part(REPO, id, "e", 1, 4, 4), 400);
    ASSERT_ERROR(400, "LimitExceededException");
    CU_ASSERT_PTR_NOT_NULL(strstr(str_at("message"), "at most 10 bytes"));
    CU_ASSERT_EQUAL(ecremu_blobs_bytes(g_st->blobs), 10);
    ecremu_blobs_set_max_bytes(g_st->blobs, 0);
    CU_ASSERT_EQUAL(ecremu_blobs_max_bytes(g_st->blobs), ECREMU_DEFAULT_BLOB_BYTES);
    CU_ASSERT_EQUAL(part(REPO, id, "e", 1, 4, 4), 200); /* the refused part can be sent again */

    /* uploads in progress */
    for (int i = 1; i < BLOBS_MAX_UPLOADS; i++)
        CU_ASSERT_EQUAL(call("InitiateLayerUpload", "{\"repositoryName\":\"" REPO "\"}"), 200);
    call("InitiateLayerUpload", "{\"repositoryName\":\"" REPO "\"}");
    ASSERT_ERROR(400, "LimitExceededException");
    /* finishing one makes room (here: its 4-byte first part was too small) */
    ecr_digest_sha256("abcde", 5, digest);
    CU_ASSERT_EQUAL(complete(REPO, id, digest), 400);
    ASSERT_ERROR(400, "LayerPartTooSmallException");
    CU_ASSERT_EQUAL(call("InitiateLayerUpload", "{\"repositoryName\":\"" REPO "\"}"), 200);
}

static void test_check_availability(void)
{
    create(REPO, 0);
    char have[DIGEST_STR_SIZE], missing[DIGEST_STR_SIZE];
    upload_blob(REPO, "layer one", have);
    ecr_digest_sha256("not uploaded", 12, missing);
    CU_ASSERT_EQUAL(call("BatchCheckLayerAvailability",
                         "{\"repositoryName\":\"" REPO "\",\"layerDigests\":[\"%s\",\"%s\","
                         "\"sha256:xyz\",\"\"]}",
                         have, missing),
                    200);
    CU_ASSERT_EQUAL(len_at("layers"), 2);
    CU_ASSERT_STRING_EQUAL(str_at("layers.0.layerDigest"), have);
    CU_ASSERT_STRING_EQUAL(str_at("layers.0.layerAvailability"), "AVAILABLE");
    CU_ASSERT_EQUAL(int_at("layers.0.layerSize"), 9);
    CU_ASSERT_STRING_EQUAL(str_at("layers.1.layerDigest"), missing);
    CU_ASSERT_STRING_EQUAL(str_at("layers.1.layerAvailability"), "UNAVAILABLE");
    CU_ASSERT_PTR_NULL(at("layers.1.layerSize"));
    CU_ASSERT_EQUAL(len_at("failures"), 2);
    CU_ASSERT_STRING_EQUAL(str_at("failures.0.layerDigest"), "sha256:xyz");
    CU_ASSERT_STRING_EQUAL(str_at("failures.0.failureCode"), "InvalidLayerDigest");
    CU_ASSERT_STRING_EQUAL(str_at("failures.1.layerDigest"), "");
    CU_ASSERT_STRING_EQUAL(str_at("failures.1.failureCode"), "MissingLayerDigest");
    /* another repository does not have it */
    create(OTHER, 0);
    call("BatchCheckLayerAvailability",
         "{\"repositoryName\":\"" OTHER "\",\"layerDigests\":[\"%s\"]}", have);
    CU_ASSERT_STRING_EQUAL(str_at("layers.0.layerAvailability"), "UNAVAILABLE");
    CU_ASSERT_EQUAL(len_at("failures"), 0);
    /* whole-request errors */
    call("BatchCheckLayerAvailability", "{\"repositoryName\":\"" REPO "\",\"layerDigests\":[]}");
    ASSERT_ERROR(400, "InvalidParameterException");
    call("BatchCheckLayerAvailability", "{\"repositoryName\":\"" REPO "\"}");
    ASSERT_ERROR(400, "InvalidParameterException");
    call("BatchCheckLayerAvailability",
         "{\"repositoryName\":\"ecrc-run1/nope\",\"layerDigests\":[\"%s\"]}", have);
    ASSERT_ERROR(400, "RepositoryNotFoundException");
    call("BatchCheckLayerAvailability", "{\"repositoryName\":\"" REPO "\",\"layerDigests\":[1]}");
    ASSERT_ERROR(400, "SerializationException");
}

static void test_put_image_rules(void)
{
    create(REPO, 0);
    char config[DIGEST_STR_SIZE], l1[DIGEST_STR_SIZE], l2[DIGEST_STR_SIZE];
    upload_blob(REPO, "{\"config\":1}", config);
    upload_blob(REPO, "layer 1", l1);
    ecr_digest_sha256("layer 2", 7, l2);
    char *m = image_manifest(config, l1, l2);
    char digest[DIGEST_STR_SIZE];
    ecr_digest_sha256(m, strlen(m), digest);

    /* a layer that was never uploaded */
    CU_ASSERT_EQUAL(put(REPO, m, "v1", NULL), 400);
    ASSERT_ERROR(400, "LayersNotFoundException");
    char *want = ecr_asprintf("Layers with digests '[%s]' required for pushing image into "
                              "repository with name '" REPO "' in the registry with id '" ACCOUNT
                              "' do not exist",
                              l2);
    CU_ASSERT_STRING_EQUAL(str_at("message"), want);
    free(want);
    call("ListImages", "{\"repositoryName\":\"" REPO "\"}");
    CU_ASSERT_EQUAL(len_at("imageIds"), 0);
    /* a missing config blob counts as well, and each missing digest is named once */
    char *m2 = image_manifest("sha256:0000", l2, l2);
    CU_ASSERT_EQUAL(put(REPO, m2, NULL, NULL), 400);
    ASSERT_ERROR(400, "LayersNotFoundException");
    want = ecr_asprintf("'[sha256:0000, %s]'", l2);
    CU_ASSERT_PTR_NOT_NULL(strstr(str_at("message"), want));
    free(want);
    free(m2);

    char l2b[DIGEST_STR_SIZE];
    upload_blob(REPO, "layer 2", l2b);
    /* a wrong imageDigest */
    CU_ASSERT_EQUAL(put(REPO, m, "v1", config), 400);
    ASSERT_ERROR(400, "ImageDigestDoesNotMatchException");
    /* now it goes in */
    CU_ASSERT_EQUAL(put(REPO, m, "v1", digest), 200);
    CU_ASSERT_STRING_EQUAL(str_at("image.imageId.imageDigest"), digest);
    /* the same manifest with the same tag, or again without one */
    CU_ASSERT_EQUAL(put(REPO, m, "v1", NULL), 400);
    ASSERT_ERROR(400, "ImageAlreadyExistsException");
    CU_ASSERT_EQUAL(put(REPO, m, NULL, NULL), 400);
    ASSERT_ERROR(400, "ImageAlreadyExistsException");
    CU_ASSERT_EQUAL(put(REPO, m, "v2", NULL), 200); /* a new tag is added */

    /* an index whose child is missing, then present */
    char *child = image_manifest(config, l1, l1);
    char child_digest[DIGEST_STR_SIZE];
    ecr_digest_sha256(child, strlen(child), child_digest);
    char *index = ecr_asprintf("{\"schemaVersion\":2,\"mediaType\":\"" MT_LIST "\",\"manifests\":["
                               "{\"mediaType\":\"" MT_DOCKER "\",\"size\":1,\"digest\":\"%s\"},"
                               "{\"mediaType\":\"" MT_DOCKER "\",\"size\":1,\"digest\":\"%s\"}]}",
                               digest, child_digest);
    CU_ASSERT_EQUAL(put(REPO, index, "multi", NULL), 400);
    ASSERT_ERROR(400, "ReferencedImagesNotFoundException");
    CU_ASSERT_PTR_NOT_NULL(strstr(str_at("message"), child_digest));
    CU_ASSERT_EQUAL(put(REPO, child, NULL, NULL), 200);
    CU_ASSERT_EQUAL(put(REPO, index, "multi", NULL), 200); /* an index needs no blobs */

    /* IMMUTABLE: a tag on another image cannot move */
    create(OTHER, 1);
    upload_blob(OTHER, "{\"config\":1}", config);
    upload_blob(OTHER, "layer 1", l1);
    upload_blob(OTHER, "layer 2", l2);
    CU_ASSERT_EQUAL(put(OTHER, m, "stable", NULL), 200);
    CU_ASSERT_EQUAL(put(OTHER, child, "stable", NULL), 400);
    ASSERT_ERROR(400, "ImageTagAlreadyExistsException");
    CU_ASSERT_EQUAL(put(OTHER, child, "other", NULL), 200);

    /* with enforcement off, blobs are not looked at */
    g_ctx.enforce_layers = 0;
    char *loose = image_manifest("sha256:1111", "sha256:2222", "sha256:3333");
    CU_ASSERT_EQUAL(put(REPO, loose, "loose", NULL), 200);
    free(loose);
    free(index);
    free(child);
    free(m);
}

/* ListImages / DescribeImages / DescribeRepositories, following nextToken
 * with maxResults max; collects "digest:tag" items into out (joined by ' ').
 * Returns the number of pages. */
static int collect(const char *op, const char *body_members, const char *list_key,
                   const char *item_key, int max, char *out, size_t outsz)
{
    char token[2048] = "";
    int pages = 0;
    out[0] = '\0';
    for (; pages < 100; pages++) {
        char maxs[32] = "";
        if (max)
            snprintf(maxs, sizeof maxs, ",\"maxResults\":%d", max);
        CU_ASSERT_EQUAL_FATAL(call(op, "{%s%s%s%s%s}", body_members, maxs,
                                   *token ? ",\"nextToken\":\"" : "", token, *token ? "\"" : ""),
                              200);
        size_t n = len_at(list_key);
        CU_ASSERT_TRUE(max == 0 || n <= (size_t)max);
        for (size_t i = 0; i < n; i++) {
            char p[128], q[128];
            snprintf(p, sizeof p, "%s.%zu.%s", list_key, i, item_key);
            snprintf(q, sizeof q, "%s.%zu.imageTag", list_key, i);
            size_t used = strlen(out);
            snprintf(out + used, outsz - used, "%s%s%s%s", used ? " " : "", str_at(p),
                     at(q) ? ":" : "", at(q) ? str_at(q) : "");
        }
        json_object *t = at("nextToken");
        if (!t)
            return pages + 1;
        CU_ASSERT_TRUE(n > 0);
        snprintf(token, sizeof token, "%s", json_object_get_string(t));
    }
    CU_FAIL("pagination did not end");
    return pages;
}

/* Pushes n distinct loose manifests (enforcement off) with tags t<i> (and a
 * second tag on even ones). */
static void push_many(const char *repo, int n)
{
    g_ctx.enforce_layers = 0;
    for (int i = 0; i < n; i++) {
        char cfg[80], tag[32];
        snprintf(cfg, sizeof cfg, "sha256:%064d", i);
        char *m = image_manifest(cfg, cfg, cfg);
        snprintf(tag, sizeof tag, "t%d", i);
        CU_ASSERT_EQUAL(put(repo, m, tag, NULL), 200);
        if (i % 2 == 0) {
            snprintf(tag, sizeof tag, "e%d", i);
            CU_ASSERT_EQUAL(put(repo, m, tag, NULL), 200);
        }
        free(m);
    }
    g_ctx.enforce_layers = 1;
}

static void test_pagination(void)
{
    static char all[16384], paged[16384];
    create(REPO, 0);
    push_many(REPO, 7); /* 7 images, 11 tags */
    const char *repo_member = "\"repositoryName\":\"" REPO "\"";
    CU_ASSERT_EQUAL(
        collect("ListImages", repo_member, "imageIds", "imageDigest", 0, all, sizeof all), 1);
    CU_ASSERT_EQUAL(call("ListImages", "{%s}", repo_member), 200);
    CU_ASSERT_EQUAL(len_at("imageIds"), 11);
    for (int max = 1; max <= 12; max++) {
        int pages =
            collect("ListImages", repo_member, "imageIds", "imageDigest", max, paged, sizeof paged);
        CU_ASSERT_EQUAL(pages, (11 + max - 1) / max);
        CU_ASSERT_STRING_EQUAL(paged, all); /* same items, same order, nothing twice */
    }
    CU_ASSERT_EQUAL(
        collect("DescribeImages", repo_member, "imageDetails", "imageDigest", 0, all, sizeof all),
        1);
    CU_ASSERT_EQUAL(collect("DescribeImages", repo_member, "imageDetails", "imageDigest", 3, paged,
                            sizeof paged),
                    3);
    CU_ASSERT_STRING_EQUAL(paged, all);
    /* the filter applies before paging */
    char body[256];
    snprintf(body, sizeof body, "%s,\"filter\":{\"tagStatus\":\"TAGGED\"}", repo_member);
    CU_ASSERT_EQUAL(collect("ListImages", body, "imageIds", "imageDigest", 5, paged, sizeof paged),
                    3);

    /* DescribeRepositories over the registry */
    for (int i = 0; i < 5; i++) {
        snprintf(body, sizeof body, "ecrc-run1/many/r%d", i);
        create(body, 0);
    }
    CU_ASSERT_EQUAL(collect("DescribeRepositories", "\"registryId\":\"" ACCOUNT "\"",
                            "repositories", "repositoryName", 0, all, sizeof all),
                    1);
    CU_ASSERT_EQUAL(collect("DescribeRepositories", "\"registryId\":\"" ACCOUNT "\"",
                            "repositories", "repositoryName", 2, paged, sizeof paged),
                    3);
    CU_ASSERT_STRING_EQUAL(paged, all);
    CU_ASSERT_PTR_NOT_NULL(strstr(all, "ecrc-run1/many/r4"));
}

static void test_page_default_and_stability(void)
{
    create(REPO, 0);
    push_many(REPO, 67); /* 67 images, 101 tags: one more than the default page */
    CU_ASSERT_EQUAL(call("ListImages", "{\"repositoryName\":\"" REPO "\"}"), 200);
    CU_ASSERT_EQUAL(len_at("imageIds"), PAGE_DEFAULT);
    CU_ASSERT_PTR_NOT_NULL(at("nextToken"));
    CU_ASSERT_EQUAL(call("DescribeImages", "{\"repositoryName\":\"" REPO "\"}"), 200);
    CU_ASSERT_EQUAL(len_at("imageDetails"), 67);
    CU_ASSERT_PTR_NULL(at("nextToken"));

    /* a token survives changes to items other than the ones still to come */
    CU_ASSERT_EQUAL(call("ListImages", "{\"repositoryName\":\"" REPO "\",\"maxResults\":3}"), 200);
    char token[1024];
    snprintf(token, sizeof token, "%s", str_at("nextToken"));
    CU_ASSERT_STRING_EQUAL(str_at("imageIds.2.imageTag"), "t1"); /* t0 e0 t1 | e2 t2 ... */
    /* delete an image already listed (and the last one it named), and tag t3 */
    CU_ASSERT_EQUAL(call("BatchDeleteImage",
                         "{\"repositoryName\":\"" REPO "\",\"imageIds\":[{\"imageTag\":\"t1\"},"
                         "{\"imageTag\":\"t0\"},{\"imageTag\":\"t3\"}]}"),
                    200);
    CU_ASSERT_EQUAL(call("ListImages",
                         "{\"repositoryName\":\"" REPO "\",\"maxResults\":2,\"nextToken\":\"%s\"}",
                         token),
                    200);
    CU_ASSERT_STRING_EQUAL(str_at("imageIds.0.imageTag"), "t2");
    CU_ASSERT_STRING_EQUAL(str_at("imageIds.1.imageTag"), "e2");
    /* tags are listed in the order they were put: t2 first, then e2 */
    CU_ASSERT_EQUAL(call("ListImages",
                         "{\"repositoryName\":\"" REPO "\",\"maxResults\":3,\"nextToken\":\"%s\"}",
                         token),
                    200);
    CU_ASSERT_STRING_EQUAL(str_at("imageIds.2.imageTag"), "t4"); /* t3 is gone: no gap */
}

static void test_page_errors(void)
{
    create(REPO, 0);
    create(OTHER, 0);
    push_many(REPO, 3);
    push_many(OTHER, 3);
    CU_ASSERT_EQUAL(call("ListImages", "{\"repositoryName\":\"" REPO "\",\"maxResults\":1}"), 200);
    char token[1024];
    snprintf(token, sizeof token, "%s", str_at("nextToken"));
    static const char *const rule =
        "Invalid parameter at 'nextToken' failed to satisfy constraint: 'Member must be a "
        "nextToken returned by an earlier call of this operation'";
    /* garbage, base64 of something else, a token of another repository or operation */
    char *other_text = ecr_base64_encode("ecremu1 ListImages 1 0 x", 24);
    const char *bad[] = {"garbage!", "", "Zm9vYmFy", other_text};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        call("ListImages", "{\"repositoryName\":\"" REPO "\",\"nextToken\":\"%s\"}", bad[i]);
        ASSERT_ERROR(400, "InvalidParameterException");
        CU_ASSERT_STRING_EQUAL(str_at("message"), rule);
    }
    free(other_text);
    call("ListImages", "{\"repositoryName\":\"" OTHER "\",\"nextToken\":\"%s\"}", token);
    ASSERT_ERROR(400, "InvalidParameterException");
    call("DescribeImages", "{\"repositoryName\":\"" REPO "\",\"nextToken\":\"%s\"}", token);
    ASSERT_ERROR(400, "InvalidParameterException");
    CU_ASSERT_EQUAL(
        call("ListImages", "{\"repositoryName\":\"" REPO "\",\"nextToken\":\"%s\"}", token), 200);
    /* maxResults bounds (the model: 1..1000) */
    static const struct {
        long long v;
        int status;
    } bounds[] = {{0, 400}, {1, 200}, {1000, 200}, {1001, 400}, {-1, 400}};
    static const char *const ops[] = {"ListImages", "DescribeImages", "DescribeRepositories"};
    for (size_t o = 0; o < 3; o++) {
        for (size_t i = 0; i < sizeof bounds / sizeof bounds[0]; i++) {
            CU_ASSERT_EQUAL(
                call(ops[o], "{\"repositoryName\":\"" REPO "\",\"maxResults\":%lld}", bounds[i].v),
                bounds[i].status);
            if (bounds[i].status == 400)
                CU_ASSERT_PTR_NOT_NULL(strstr(str_at("message"), "'maxResults'"));
        }
    }
    /* not together with imageIds / repositoryNames (API reference) */
    call("DescribeImages",
         "{\"repositoryName\":\"" REPO "\",\"imageIds\":[{\"imageTag\":\"t0\"}],\"maxResults\":5}");
    ASSERT_ERROR(400, "InvalidParameterException");
    call("DescribeRepositories", "{\"repositoryNames\":[\"" REPO "\"],\"nextToken\":\"%s\"}",
         token);
    ASSERT_ERROR(400, "InvalidParameterException");
    call("DescribeRepositories", "{\"nextToken\":\"%s\"}", token);
    ASSERT_ERROR(400, "InvalidParameterException");
    call("ListImages", "{\"repositoryName\":\"" REPO "\",\"nextToken\":5}");
    ASSERT_ERROR(400, "SerializationException");
}

static void test_unsupported_operations(void)
{
    /* the table is sorted (the lookup is a binary search) and knows every
     * operation the emulator implements */
    size_t n = 0;
    for (; ecremu_ecr_ops_at(n); n++)
        if (n)
            CU_ASSERT_TRUE(strcmp(ecremu_ecr_ops_at(n - 1), ecremu_ecr_ops_at(n)) < 0);
    CU_ASSERT_TRUE(n >= 50);
    static const char *const implemented[] = {"BatchDeleteImage",
                                              "BatchGetImage",
                                              "CreateRepository",
                                              "DeleteRepository",
                                              "DescribeImages",
                                              "DescribeRepositories",
                                              "ListImages",
                                              "PutImage",
                                              "InitiateLayerUpload",
                                              "UploadLayerPart",
                                              "CompleteLayerUpload",
                                              "BatchCheckLayerAvailability",
                                              "GetAuthorizationToken",
                                              "DescribeRegistry"};
    for (size_t i = 0; i < sizeof implemented / sizeof implemented[0]; i++) {
        CU_ASSERT_TRUE(ecremu_ecr_ops_known(implemented[i]));
        call(implemented[i], "{}");
        CU_ASSERT_STRING_NOT_EQUAL(str_at("__type"), "UnsupportedOperationException");
        CU_ASSERT_STRING_NOT_EQUAL(str_at("__type"), "UnknownOperationException");
    }
    CU_ASSERT_FALSE(ecremu_ecr_ops_known("getdownloadurlforlayer"));
    CU_ASSERT_FALSE(ecremu_ecr_ops_known(NULL));
    call("GetDownloadUrlForLayer", "{}");
    ASSERT_ERROR(400, "UnsupportedOperationException");
    CU_ASSERT_STRING_EQUAL(str_at("message"),
                           "The ecrconform emulator does not implement the ECR operation "
                           "GetDownloadUrlForLayer (docs/EMULATOR.md lists what it implements)");
    call("PutLifecyclePolicy", "{\"repositoryName\":\"x\"}");
    ASSERT_ERROR(400, "UnsupportedOperationException");
    call("DeleteImage", "{}"); /* not an ECR operation */
    ASSERT_ERROR(400, "UnknownOperationException");
}

static void test_registry(void)
{
    double before = ecremu_op_now();
    CU_ASSERT_EQUAL(call("GetAuthorizationToken", "{}"), 200);
    CU_ASSERT_EQUAL(len_at("authorizationData"), 1);
    const char *token = str_at("authorizationData.0.authorizationToken");
    unsigned char *plain;
    size_t n;
    CU_ASSERT_EQUAL_FATAL(ecr_base64_decode(token, strlen(token), &plain, &n), ECR_OK);
    CU_ASSERT_EQUAL(strncmp((char *)plain, "AWS:", 4), 0);
    CU_ASSERT_TRUE(n > 10);
    free(plain);
    json_object *exp = at("authorizationData.0.expiresAt");
    CU_ASSERT_TRUE_FATAL(exp && json_object_is_type(exp, json_type_double));
    double e = json_object_get_double(exp);
    CU_ASSERT_TRUE(e >= before + 43200 - 1 && e <= ecremu_op_now() + 43200 + 1);
    CU_ASSERT_STRING_EQUAL(str_at("authorizationData.0.proxyEndpoint"),
                           "https://" ACCOUNT ".dkr.ecr.us-east-1.amazonaws.com");
    CU_ASSERT_EQUAL(
        call("GetAuthorizationToken", "{\"registryIds\":[\"111111111111\",\"222222222222\"]}"),
        200);
    CU_ASSERT_EQUAL(len_at("authorizationData"), 2);
    CU_ASSERT_STRING_EQUAL(str_at("authorizationData.1.proxyEndpoint"),
                           "https://222222222222.dkr.ecr.us-east-1.amazonaws.com");
    call("GetAuthorizationToken", "{\"registryIds\":[\"12\"]}");
    ASSERT_ERROR(400, "InvalidParameterException");
    CU_ASSERT_PTR_NOT_NULL(strstr(str_at("message"), "'registryIds.1.member'"));
    call("GetAuthorizationToken", "{\"registryIds\":[]}");
    ASSERT_ERROR(400, "InvalidParameterException");
    call("GetAuthorizationToken", "{\"registryIds\":\"123456789012\"}");
    ASSERT_ERROR(400, "SerializationException");

    CU_ASSERT_EQUAL(call("DescribeRegistry", "{}"), 200);
    CU_ASSERT_STRING_EQUAL(str_at("registryId"), ACCOUNT);
    CU_ASSERT_EQUAL(len_at("replicationConfiguration.rules"), 0);
}

int register_layers_suite(void)
{
    CU_pSuite s = CU_add_suite_with_setup_and_teardown("layers", NULL, NULL, setup, teardown);
    if (!s)
        return 1;
    if (!CU_add_test(s, "base64", test_base64) ||
        !CU_add_test(s, "upload_flow", test_upload_flow) ||
        !CU_add_test(s, "upload_errors", test_upload_errors) ||
        !CU_add_test(s, "caps", test_caps) ||
        !CU_add_test(s, "check_availability", test_check_availability) ||
        !CU_add_test(s, "put_image_rules", test_put_image_rules) ||
        !CU_add_test(s, "pagination", test_pagination) ||
        !CU_add_test(s, "page_default_and_stability", test_page_default_and_stability) ||
        !CU_add_test(s, "page_errors", test_page_errors) ||
        !CU_add_test(s, "unsupported_operations", test_unsupported_operations) ||
        !CU_add_test(s, "registry", test_registry))
        return 1;
    return 0;
}
