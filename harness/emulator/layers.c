#include "layers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blobs.h"
#include "ecr/base64.h"
#include "ecr/buf.h"

/* The model's UploadId pattern, as ECR quotes patterns. */
#define UPLOAD_ID_RULE                                                                             \
    "must satisfy regular expression "                                                             \
    "'[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}'"
#define DIGEST_RULE "must satisfy regular expression '[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+'"
/* Missing digests named in one LayersNotFoundException message. */
#define MAX_NAMED 10

static int valid_upload_id(const char *id)
{
    /* 8-4-4-4-12 hex digits: checked by hand, a fixed shape */
    static const char shape[] = "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx";
    if (strlen(id) != sizeof shape - 1)
        return 0;
    for (size_t i = 0; shape[i]; i++) {
        int hex = (id[i] >= '0' && id[i] <= '9') || (id[i] >= 'a' && id[i] <= 'f') ||
                  (id[i] >= 'A' && id[i] <= 'F');
        if (shape[i] == '-' ? id[i] != '-' : !hex)
            return 0;
    }
    return 1;
}

/* Reads registryId, repositoryName and (when upload_id is not NULL)
 * uploadId: step 4, member types. */
static int read_common(op_call *c, const char **reg, const char **name, const char **upload_id)
{
    if (ecremu_op_string(c, c->in, "registryId", reg) ||
        ecremu_op_string(c, c->in, "repositoryName", name) ||
        (upload_id && ecremu_op_string(c, c->in, "uploadId", upload_id)))
        return -1;
    return 0;
}

/* Step 5 for what read_common read; uploadId only when want_upload. */
static int check_common(op_call *c, const char *reg, const char *name, const char *upload_id,
                        int want_upload)
{
    if (ecremu_op_check_registry(c, reg) || ecremu_op_check_repo_name(c, "repositoryName", name))
        return -1;
    if (want_upload && !upload_id)
        return ecremu_op_invalid(c, "uploadId", "Member must not be null");
    if (want_upload && !valid_upload_id(upload_id))
        return ecremu_op_invalid(c, "uploadId", UPLOAD_ID_RULE);
    return 0;
}

static int upload_not_found(op_call *c, const char *reg, const store_repo *r, const char *id)
{
    return ecremu_op_fail(c, 400, "UploadNotFoundException",
                          "The upload with id '%s' does not exist in the repository with name "
                          "'%s' in the registry with id '%s'",
                          id, r->name, ecremu_op_registry(c, reg));
}

/* {registryId, repositoryName, uploadId} plus what the caller adds. */
static json_object *upload_reply(const op_call *c, const char *reg, const store_repo *r,
                                 const char *id)
{
    json_object *o = json_object_new_object();
    if (!o)
        return NULL;
    json_object_object_add(o, "registryId", json_object_new_string(ecremu_op_registry(c, reg)));
    json_object_object_add(o, "repositoryName", json_object_new_string(r->name));
    json_object_object_add(o, "uploadId", json_object_new_string(id));
    return o;
}

void ecremu_layers_initiate(op_call *c)
{
    const char *reg, *name;
    if (read_common(c, &reg, &name, NULL) || check_common(c, reg, name, NULL, 0) ||
        ecremu_op_request_faults(c, name))
        return;
    store_repo *r = ecremu_op_find_repo(c, reg, name);
    if (!r)
        return;
    upload *u = NULL;
    ecr_result rc = ecremu_blobs_upload_new(c->ctx->st->blobs, r->name, ecremu_op_now(), &u);
    if (rc == ECR_ETOOBIG) {
        ecremu_op_fail(c, 400, "LimitExceededException",
                       "The ecrconform emulator holds at most %d layer uploads in progress; "
                       "complete or abandon some first (idle uploads are dropped after %.0f s)",
                       BLOBS_MAX_UPLOADS, BLOBS_UPLOAD_IDLE_SECONDS);
        return;
    }
    if (rc) {
        ecremu_op_oom(c);
        return;
    }
    json_object *o = json_object_new_object();
    if (!o) {
        ecremu_blobs_upload_drop(c->ctx->st->blobs, u);
        ecremu_op_oom(c);
        return;
    }
    json_object_object_add(o, "uploadId", json_object_new_string(u->id));
    json_object_object_add(o, "partSize", json_object_new_int64(LAYERS_PART_SIZE));
    ecremu_op_ok(c, o);
}

/* InvalidLayerPartException carries the upload's coordinates and, once
 * anything was received, the last valid byte (the model's members). */
static void invalid_part(op_call *c, const char *reg, const store_repo *r, const upload *u,
                         const char *why, long long first, long long last)
{
    ecremu_op_fail(c, 400, "InvalidLayerPartException",
                   "The layer part [%lld-%lld] of upload '%s' is not valid: %s", first, last, u->id,
                   why);
    if (c->status != 400 || !c->out)
        return;
    json_object_object_add(c->out, "registryId",
                           json_object_new_string(ecremu_op_registry(c, reg)));
    json_object_object_add(c->out, "repositoryName", json_object_new_string(r->name));
    json_object_object_add(c->out, "uploadId", json_object_new_string(u->id));
    if (u->len)
        json_object_object_add(c->out, "lastValidByteReceived",
                               json_object_new_int64((long long)u->len - 1));
}

void ecremu_layers_upload_part(op_call *c)
{
    const char *reg, *name, *id, *blob_text;
    int has_first, has_last;
    long long first, last;
    if (read_common(c, &reg, &name, &id) ||
        ecremu_op_int(c, c->in, "partFirstByte", &has_first, &first) ||
        ecremu_op_int(c, c->in, "partLastByte", &has_last, &last) ||
        ecremu_op_string(c, c->in, "layerPartBlob", &blob_text))
        return;
    /* A blob is base64 text in AWS JSON; text that is not base64 cannot be
     * read at all, like a member of the wrong type. */
    unsigned char *data = NULL;
    size_t n = 0;
    if (blob_text) {
        json_object *v = NULL;
        json_object_object_get_ex(c->in, "layerPartBlob", &v);
        ecr_result rc =
            ecr_base64_decode(blob_text, (size_t)json_object_get_string_len(v), &data, &n);
        if (rc == ECR_ENOMEM) {
            ecremu_op_oom(c);
            return;
        }
        if (rc) {
            ecremu_op_fail(c, 400, "SerializationException",
                           "layerPartBlob is not valid base64 (RFC 4648, padded, no whitespace)");
            return;
        }
    }
    if (check_common(c, reg, name, id, 1))
        goto out;
    if (!has_first || !has_last || !blob_text) {
        ecremu_op_invalid(c,
                          !has_first  ? "partFirstByte"
                          : !has_last ? "partLastByte"
                                      : "layerPartBlob",
                          "Member must not be null");
        goto out;
    }
    if (first < 0 || last < 0) {
        ecremu_op_invalid(c, first < 0 ? "partFirstByte" : "partLastByte",
                          "Member must have value greater than or equal to 0");
        goto out;
    }
    if (n > LAYERS_PART_MAX) {
        ecremu_op_invalid(c, "layerPartBlob",
                          "Member must have length less than or equal to 20971520");
        goto out;
    }
    if (ecremu_op_request_faults(c, name))
        goto out;
    store_repo *r = ecremu_op_find_repo(c, reg, name);
    if (!r)
        goto out;
    blob_store *bs = c->ctx->st->blobs;
    upload *u = ecremu_blobs_upload_find(bs, r->name, id);
    if (!u) {
        upload_not_found(c, reg, r, id);
        goto out;
    }
    char why[160];
    if (n == 0) {
        invalid_part(c, reg, r, u, "the part holds no bytes", first, last);
        goto out;
    }
    if ((unsigned long long)first != u->len) {
        snprintf(why, sizeof why, "the next part must start at byte %zu", u->len);
        invalid_part(c, reg, r, u, why, first, last);
        goto out;
    }
    if (last < first || (unsigned long long)(last - first) + 1 != n) {
        snprintf(why, sizeof why, "the range does not span the %zu bytes sent", n);
        invalid_part(c, reg, r, u, why, first, last);
        goto out;
    }
    ecr_result rc = ecremu_blobs_upload_append(bs, u, data, n, ecremu_op_now());
    if (rc == ECR_ETOOBIG) {
        ecremu_op_fail(c, 400, "LimitExceededException",
                       "The ecrconform emulator holds at most %zu bytes of layer data (blobs and "
                       "uploads in progress, all repositories); %zu are held and this part has %zu",
                       ecremu_blobs_max_bytes(bs), ecremu_blobs_bytes(bs), n);
        goto out;
    }
    if (rc) {
        ecremu_op_oom(c);
        goto out;
    }
    json_object *o = upload_reply(c, reg, r, u->id);
    if (o)
        json_object_object_add(o, "lastByteReceived", json_object_new_int64(last));
    ecremu_op_ok(c, o);
out:
    free(data);
}

void ecremu_layers_complete(op_call *c)
{
    const char *reg, *name, *id;
    json_object *digests;
    if (read_common(c, &reg, &name, &id) ||
        ecremu_op_string_list(c, c->in, "layerDigests", &digests) ||
        check_common(c, reg, name, id, 1) ||
        ecremu_op_check_count(c, "layerDigests", digests, 1, 100, 1))
        return;
    size_t nd = json_object_array_length(digests);
    for (size_t i = 0; i < nd; i++) {
        if (!ecremu_op_valid_digest(
                json_object_get_string(json_object_array_get_idx(digests, i)))) {
            char mem[64];
            snprintf(mem, sizeof mem, "layerDigests.%zu.member", i + 1);
            ecremu_op_invalid(c, mem, DIGEST_RULE);
            return;
        }
    }
    if (ecremu_op_request_faults(c, name))
        return;
    store_repo *r = ecremu_op_find_repo(c, reg, name);
    if (!r)
        return;
    blob_store *bs = c->ctx->st->blobs;
    upload *u = ecremu_blobs_upload_find(bs, r->name, id);
    if (!u) {
        upload_not_found(c, reg, r, id);
        return;
    }
    if (!u->len) {
        /* the upload stays open: parts may still come */
        ecremu_op_fail(c, 400, "EmptyUploadException",
                       "The upload with id '%s' contains no layer parts", u->id);
        return;
    }
    if (u->min_inner && u->min_inner < LAYERS_PART_MIN) {
        ecremu_op_fail(c, 400, "LayerPartTooSmallException",
                       "Layer parts must be at least 5 MiB in size; a part of %zu bytes of upload "
                       "'%s' was followed by another",
                       u->min_inner, u->id);
        ecremu_blobs_upload_drop(bs, u);
        return;
    }
    char computed[DIGEST_STR_SIZE];
    if (ecr_digest_sha256(u->data, u->len, computed)) {
        ecremu_op_oom(c);
        return;
    }
    for (size_t i = 0; i < nd; i++) {
        const char *d = json_object_get_string(json_object_array_get_idx(digests, i));
        if (strcmp(d, computed) != 0) {
            ecremu_op_fail(c, 400, "InvalidLayerException",
                           "The layer digest calculation performed by the ecrconform emulator "
                           "upon receipt of the image layer ('%s') does not match the digest "
                           "specified ('%s')",
                           computed, d);
            ecremu_blobs_upload_drop(bs, u);
            return;
        }
    }
    if (ecremu_blobs_find(bs, r->name, computed)) {
        ecremu_op_fail(c, 400, "LayerAlreadyExistsException",
                       "The layer with digest '%s' already exists in the repository with name "
                       "'%s' in the registry with id '%s'",
                       computed, r->name, ecremu_op_registry(c, reg));
        ecremu_blobs_upload_drop(bs, u);
        return;
    }
    char upload_id[sizeof u->id];
    memcpy(upload_id, u->id, sizeof upload_id);
    ecr_result rc = ecremu_blobs_upload_commit(bs, u, computed, NULL);
    if (rc == ECR_ETOOBIG) {
        ecremu_op_fail(c, 400, "LimitExceededException",
                       "The ecrconform emulator holds at most %d layer blobs per repository",
                       BLOBS_MAX_PER_REPO);
        return;
    }
    if (rc) {
        ecremu_op_oom(c);
        return;
    }
    json_object *o = upload_reply(c, reg, r, upload_id);
    if (o)
        json_object_object_add(o, "layerDigest", json_object_new_string(computed));
    ecremu_op_ok(c, o);
}

void ecremu_layers_check(op_call *c)
{
    const char *reg, *name;
    json_object *digests;
    if (read_common(c, &reg, &name, NULL) ||
        ecremu_op_string_list(c, c->in, "layerDigests", &digests) ||
        check_common(c, reg, name, NULL, 0) ||
        ecremu_op_check_count(c, "layerDigests", digests, 1, 100, 1))
        return;
    size_t nd = json_object_array_length(digests);
    for (size_t i = 0; i < nd; i++) {
        if (json_object_get_string_len(json_object_array_get_idx(digests, i)) > 1000) {
            char mem[64];
            snprintf(mem, sizeof mem, "layerDigests.%zu.member", i + 1);
            ecremu_op_invalid(c, mem, "Member must have length less than or equal to 1000");
            return;
        }
    }
    if (ecremu_op_request_faults(c, name))
        return;
    store_repo *r = ecremu_op_find_repo(c, reg, name);
    if (!r)
        return;
    json_object *layers, *failures;
    json_object *o = ecremu_op_batch_reply("layers", &layers, &failures);
    if (!o) {
        ecremu_op_oom(c);
        return;
    }
    for (size_t i = 0; i < nd; i++) {
        const char *d = json_object_get_string(json_object_array_get_idx(digests, i));
        json_object *item = json_object_new_object();
        if (!item ||
            json_object_array_add(*d && ecremu_op_valid_digest(d) ? layers : failures, item)) {
            json_object_put(item);
            json_object_put(o);
            ecremu_op_oom(c);
            return;
        }
        json_object_object_add(item, "layerDigest", json_object_new_string(d));
        if (!*d || !ecremu_op_valid_digest(d)) {
            json_object_object_add(
                item, "failureCode",
                json_object_new_string(*d ? "InvalidLayerDigest" : "MissingLayerDigest"));
            json_object_object_add(
                item, "failureReason",
                json_object_new_string(*d ? "Invalid request parameters: layer digest should "
                                            "satisfy the regex '[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+'"
                                          : "Invalid request parameters: the layer digest is "
                                            "empty"));
            continue;
        }
        const blob *b = ecremu_blobs_find(c->ctx->st->blobs, r->name, d);
        json_object_object_add(item, "layerAvailability",
                               json_object_new_string(b ? "AVAILABLE" : "UNAVAILABLE"));
        if (b)
            json_object_object_add(item, "layerSize", json_object_new_int64((long long)b->size));
    }
    ecremu_op_ok(c, o);
}

/* Appends the blob digest d of m's member to the missing list unless the
 * repository has it or it is listed already. */
static void want_blob(const op_call *c, const store_repo *r, json_object *d, const char **missing,
                      size_t *n, size_t *total)
{
    if (!d || !json_object_is_type(d, json_type_string))
        return;
    const char *s = json_object_get_string(d);
    if (ecremu_blobs_find(c->ctx->st->blobs, r->name, s))
        return;
    for (size_t i = 0; i < *n; i++)
        if (strcmp(missing[i], s) == 0)
            return;
    if (*n < MAX_NAMED)
        missing[(*n)++] = s;
    (*total)++;
}

static void want_list(const op_call *c, const store_repo *r, json_object *m, const char *list_key,
                      const char *digest_key, const char **missing, size_t *n, size_t *total)
{
    json_object *list, *d;
    if (!json_object_object_get_ex(m, list_key, &list) ||
        !json_object_is_type(list, json_type_array))
        return;
    size_t len = json_object_array_length(list);
    for (size_t i = 0; i < len; i++) {
        json_object *item = json_object_array_get_idx(list, i);
        if (item && json_object_is_type(item, json_type_object) &&
            json_object_object_get_ex(item, digest_key, &d))
            want_blob(c, r, d, missing, n, total);
    }
}

int ecremu_layers_require(op_call *c, const store_repo *r, const char *reg, json_object *m)
{
    const char *missing[MAX_NAMED];
    size_t n = 0, total = 0;
    json_object *config, *d;
    if (json_object_object_get_ex(m, "config", &config) &&
        json_object_is_type(config, json_type_object) &&
        json_object_object_get_ex(config, "digest", &d))
        want_blob(c, r, d, missing, &n, &total);
    want_list(c, r, m, "layers", "digest", missing, &n, &total);
    want_list(c, r, m, "fsLayers", "blobSum", missing, &n, &total); /* Docker schema 1 */
    if (!n)
        return 0;
    /* The observed ECR text lists the digests as Java prints a list. */
    buf list;
    ecr_buf_init(&list, 4096);
    for (size_t i = 0; i < n; i++)
        ecr_buf_printf(&list, "%s%.100s", i ? ", " : "", missing[i]);
    if (total > n)
        ecr_buf_printf(&list, ", ... (%zu more)", total - n);
    ecremu_op_fail(c, 400, "LayersNotFoundException",
                   "Layers with digests '[%s]' required for pushing image into repository with "
                   "name '%s' in the registry with id '%s' do not exist",
                   list.data ? list.data : "", r->name, ecremu_op_registry(c, reg));
    ecr_buf_free(&list);
    return -1;
}
