#include "images.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "layers.h"
#include "page.h"
#include "wire.h"

#define MAX_MANIFEST 4194304 /* the model's ImageManifest max length */
#define MAX_REFS 1024        /* children of one index we keep track of */

#define MT_OCI_INDEX "application/vnd.oci.image.index.v1+json"
#define MT_OCI_MANIFEST "application/vnd.oci.image.manifest.v1+json"

/* What PutImage learns from a manifest's JSON. refs borrow from the parsed
 * manifest object. */
typedef struct manifest_info {
    const char *media_type;
    const char *refs[MAX_REFS];
    size_t nrefs;
    long long layers_size;
} manifest_info;

static void read_manifest(json_object *m, manifest_info *mi)
{
    json_object *v, *list;
    memset(mi, 0, sizeof *mi);
    if (json_object_object_get_ex(m, "mediaType", &v) && json_object_is_type(v, json_type_string))
        mi->media_type = json_object_get_string(v);
    if (json_object_object_get_ex(m, "manifests", &list) &&
        json_object_is_type(list, json_type_array)) {
        size_t n = json_object_array_length(list);
        for (size_t i = 0; i < n && mi->nrefs < MAX_REFS; i++) {
            json_object *d;
            if (json_object_object_get_ex(json_object_array_get_idx(list, i), "digest", &d) &&
                json_object_is_type(d, json_type_string))
                mi->refs[mi->nrefs++] = json_object_get_string(d);
        }
        if (!mi->media_type)
            mi->media_type = MT_OCI_INDEX;
    }
    if (json_object_object_get_ex(m, "layers", &list) &&
        json_object_is_type(list, json_type_array)) {
        size_t n = json_object_array_length(list);
        for (size_t i = 0; i < n; i++) {
            json_object *sz;
            if (json_object_object_get_ex(json_object_array_get_idx(list, i), "size", &sz) &&
                json_object_is_type(sz, json_type_int) && json_object_get_int64(sz) > 0)
                /* saturates: sizes come from the client (fuzz_emulator found the overflow) */
                mi->layers_size = json_object_get_int64(sz) > LLONG_MAX - mi->layers_size
                                      ? LLONG_MAX
                                      : mi->layers_size + json_object_get_int64(sz);
        }
    }
    if (!mi->media_type)
        mi->media_type = MT_OCI_MANIFEST;
}

/* imageSizeInBytes: the layers of a manifest; for an index the largest of
 * its children (the AWS API reference says so for manifest lists). */
static long long image_size(const store_repo *r, const manifest_info *mi)
{
    if (!mi->nrefs)
        return mi->layers_size;
    long long max = 0;
    for (size_t i = 0; i < mi->nrefs; i++) {
        const store_image *child = ecremu_store_image_by_digest(r, mi->refs[i]);
        if (child && child->size > max)
            max = child->size;
    }
    return max;
}

static json_object *image_json(const op_call *c, const char *reg, const store_repo *r,
                               const store_image *img, const char *tag)
{
    json_object *o = json_object_new_object();
    json_object *id = ecremu_op_image_id(img->digest, tag);
    if (!o || !id) {
        json_object_put(o);
        json_object_put(id);
        return NULL;
    }
    json_object_object_add(o, "registryId", json_object_new_string(ecremu_op_registry(c, reg)));
    json_object_object_add(o, "repositoryName", json_object_new_string(r->name));
    json_object_object_add(o, "imageId", id);
    json_object_object_add(o, "imageManifest",
                           json_object_new_string_len(img->manifest, (int)img->manifest_len));
    json_object_object_add(o, "imageManifestMediaType", json_object_new_string(img->media_type));
    return o;
}

static int check_length(op_call *c, const char *member, const char *s, size_t len, size_t max)
{
    if (!s)
        return 0;
    if (len < 1)
        return ecremu_op_invalid(c, member, "Member must have length greater than or equal to 1");
    if (len > max) {
        char rule[96];
        snprintf(rule, sizeof rule, "Member must have length less than or equal to %zu", max);
        return ecremu_op_invalid(c, member, rule);
    }
    return 0;
}

/* 1 when member key of o is a string holding a NUL. */
static int has_nul(json_object *o, const char *key)
{
    json_object *v;
    return json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string) &&
           strlen(json_object_get_string(v)) != (size_t)json_object_get_string_len(v);
}

/* Tag rules of PutImage for an image that exists or is about to. Returns 0
 * when tag may go onto the image with digest (or NULL for a new image). */
static int check_put_tag(op_call *c, const store_repo *r, const char *digest, const char *tag)
{
    if (!tag)
        return 0;
    const store_image *holder = ecremu_store_image_by_tag(r, tag);
    if (holder && r->immutable && (!digest || strcmp(holder->digest, digest) != 0))
        return ecremu_op_fail(
            c, 400, "ImageTagAlreadyExistsException",
            "The image tag '%s' already exists in the '%s' repository and cannot be "
            "overwritten because the repository is immutable.",
            tag, r->name);
    return 0;
}

/* The PutImage reply {"image": Image} for img, stored under tag. */
static void reply_image(op_call *c, const char *reg, const store_repo *r, const store_image *img,
                        const char *tag)
{
    json_object *o = json_object_new_object();
    if (o)
        json_object_object_add(o, "image", image_json(c, reg, r, img, tag));
    ecremu_op_ok(c, o);
}

static void put_existing(op_call *c, store_repo *r, const char *reg, store_image *img,
                         const char *tag)
{
    if (!tag || ecremu_store_image_has_tag(img, tag)) {
        if (tag)
            ecremu_op_fail(
                c, 400, "ImageAlreadyExistsException",
                "Image with digest '%s' and tag '%s' already exists in the repository with "
                "name '%s' in registry with id '%s'",
                img->digest, tag, r->name, ecremu_op_registry(c, reg));
        else
            ecremu_op_fail(
                c, 400, "ImageAlreadyExistsException",
                "Image with digest '%s' already exists in the repository with name '%s' in "
                "registry with id '%s'",
                img->digest, r->name, ecremu_op_registry(c, reg));
        return;
    }
    if (check_put_tag(c, r, img->digest, tag))
        return;
    if (ecremu_store_tag_set(r, img, tag)) {
        ecremu_op_oom(c);
        return;
    }
    reply_image(c, reg, r, img, tag);
}

static void put_new(op_call *c, store_repo *r, const char *reg, const char *manifest, size_t len,
                    const char *computed, const char *media_type, json_object *parsed,
                    const manifest_info *mi, const char *tag)
{
    for (size_t i = 0; i < mi->nrefs; i++) {
        if (!ecremu_store_image_by_digest(r, mi->refs[i])) {
            ecremu_op_fail(
                c, 400, "ReferencedImagesNotFoundException",
                "Some of the images referenced by the manifest list were not found in the "
                "repository: [%s]",
                mi->refs[i]);
            return;
        }
    }
    if (c->ctx->enforce_layers && ecremu_layers_require(c, r, reg, parsed))
        return;
    if (check_put_tag(c, r, NULL, tag))
        return;
    store_image_spec spec = {manifest,
                             len,
                             media_type ? media_type : mi->media_type,
                             image_size(r, mi),
                             ecremu_op_now(),
                             mi->refs,
                             mi->nrefs,
                             computed};
    store_image *img = NULL;
    if (ecremu_store_image_add(r, &spec, &img) || (tag && ecremu_store_tag_set(r, img, tag))) {
        if (img)
            ecremu_store_image_delete(r, img);
        ecremu_op_oom(c);
        return;
    }
    reply_image(c, reg, r, img, tag);
}

void ecremu_images_put(op_call *c)
{
    const char *reg, *name, *manifest, *media_type, *tag, *digest;
    if (ecremu_op_string(c, c->in, "registryId", &reg) ||
        ecremu_op_string(c, c->in, "repositoryName", &name) ||
        ecremu_op_string(c, c->in, "imageManifest", &manifest) ||
        ecremu_op_string(c, c->in, "imageManifestMediaType", &media_type) ||
        ecremu_op_string(c, c->in, "imageTag", &tag) ||
        ecremu_op_string(c, c->in, "imageDigest", &digest))
        return;
    if (ecremu_op_check_registry(c, reg) || ecremu_op_check_repo_name(c, "repositoryName", name))
        return;
    if (!manifest) {
        ecremu_op_invalid(c, "imageManifest", "Member must not be null");
        return;
    }
    json_object *mv = NULL;
    json_object_object_get_ex(c->in, "imageManifest", &mv);
    size_t len = (size_t)json_object_get_string_len(mv);
    if (check_length(c, "imageManifest", manifest, len, MAX_MANIFEST) ||
        check_length(c, "imageTag", tag, tag ? strlen(tag) : 0, 300))
        return;
    /* The one tag validation seen on ECR (inferred for PutImage,
     * docs/EMULATOR.md). A NUL in the tag reads as DEL here, so it fails
     * too instead of being stored altered. */
    if (tag && !ecremu_op_tag_well_formed(tag)) {
        ecremu_op_invalid(c, "imageTag", "must satisfy regular expression '[a-zA-Z0-9-_.]+'");
        return;
    }
    if (ecremu_op_request_faults(c, name))
        return;
    store_repo *r = ecremu_op_find_repo(c, reg, name);
    if (!r)
        return;

    /* The manifest and media type keep their NULs (api.c). A raw NUL in the
     * manifest is a control character JSON forbids; a media type is stored
     * as given and none holds a NUL, nor may the manifest's own mediaType
     * (a \u0000 escape): all are answered as an invalid manifest, the reply
     * ECR gives a manifest whose type it will not take (docs/EMULATOR.md). */
    json_object *parsed = strlen(manifest) == len ? ecremu_wire_parse(manifest, len) : NULL;
    if (!parsed || !json_object_is_type(parsed, json_type_object) ||
        has_nul(c->in, "imageManifestMediaType") || has_nul(parsed, "mediaType")) {
        json_object_put(parsed);
        ecremu_op_invalid(c, "ImageManifest", "Invalid JSON syntax");
        return;
    }
    /* Other strings of the manifest are read for references and blob
     * digests: one cut at a NUL must not find another image or blob. */
    size_t nuls = 0;
    if (ecremu_wire_nul_to_del(parsed, NULL, &nuls)) {
        json_object_put(parsed);
        ecremu_op_oom(c);
        return;
    }
    manifest_info mi;
    read_manifest(parsed, &mi);

    char computed[DIGEST_STR_SIZE];
    if (ecr_digest_sha256(manifest, len, computed)) {
        ecremu_op_oom(c);
    } else if (digest && strcmp(digest, computed) != 0) {
        ecremu_op_fail(c, 400, "ImageDigestDoesNotMatchException",
                       "Provided digest '%s' does not match the digest of the image manifest '%s'",
                       digest, computed);
    } else {
        store_image *img = ecremu_store_image_by_digest(r, computed);
        if (img)
            put_existing(c, r, reg, img, tag);
        else
            put_new(c, r, reg, manifest, len, computed, media_type, parsed, &mi, tag);
    }
    json_object_put(parsed); /* mi.refs borrowed from it until here */
}

/* The members ListImages and DescribeImages share. */
typedef struct list_args {
    const char *reg, *name, *tag_status;
    store_repo *repo;
    page pg; /* not used with imageIds */
} list_args;

static int list_common(op_call *c, list_args *a, json_object **ids)
{
    const char *token;
    json_object *filter;
    int has_max;
    long long max;
    if (ecremu_op_string(c, c->in, "registryId", &a->reg) ||
        ecremu_op_string(c, c->in, "repositoryName", &a->name) ||
        (ids && ecremu_op_image_ids(c, "imageIds", ids)) ||
        ecremu_op_string(c, c->in, "nextToken", &token) ||
        ecremu_op_int(c, c->in, "maxResults", &has_max, &max) ||
        ecremu_op_object(c, c->in, "filter", &filter))
        return -1;
    if (ecremu_op_check_registry(c, a->reg) ||
        ecremu_op_check_repo_name(c, "repositoryName", a->name) ||
        (ids && (ecremu_op_check_count(c, "imageIds", *ids, 1, 100, 0) ||
                 ecremu_op_check_tags(c, "imageIds", *ids))) ||
        ecremu_op_check_max_results(c, has_max, max) ||
        (ids && ecremu_op_check_not_with(c, "maxResults", has_max, "imageIds", *ids != NULL)) ||
        (ids &&
         ecremu_op_check_not_with(c, "nextToken", token != NULL, "imageIds", *ids != NULL)) ||
        ecremu_op_filter_tag_status(c, filter, &a->tag_status) ||
        ecremu_page_begin(c, a->name, has_max, max, token, &a->pg) ||
        ecremu_op_request_faults(c, a->name))
        return -1;
    a->repo = ecremu_op_find_repo(c, a->reg, a->name);
    return a->repo ? 0 : -1;
}

static int status_wants(const char *tag_status, const store_image *img)
{
    if (strcmp(tag_status, "TAGGED") == 0)
        return img->ntags > 0;
    if (strcmp(tag_status, "UNTAGGED") == 0)
        return img->ntags == 0;
    return 1;
}

void ecremu_images_list(op_call *c)
{
    list_args a;
    if (list_common(c, &a, NULL))
        return;
    json_object *list = json_object_new_array();
    json_object *o = ecremu_op_wrap("imageIds", list);
    if (!o) {
        ecremu_op_oom(c);
        return;
    }
    /* Keys: (image seq, 0) for an untagged image, (image seq, tag seq) per
     * tag; images are in push order and tags in the order they were put, so
     * keys increase along the loops. */
    /* A page after a token starts where the token's image is (binary
     * search), not at the first image. */
    const store_repo *r = a.repo;
    for (size_t i = a.pg.resume ? ecremu_store_slot_from(r, a.pg.k1) : 0;
         i < r->nslots && !a.pg.more; i++) {
        const store_image *img = r->slots[i];
        if (!img || !status_wants(a.tag_status, img))
            continue;
        if (!img->ntags && ecremu_page_take(&a.pg, img->seq, 0))
            json_object_array_add(list, ecremu_op_image_id(img->digest, NULL));
        for (size_t t = 0; t < img->ntags; t++)
            if (ecremu_page_take(&a.pg, img->seq, img->tags[t].seq))
                json_object_array_add(list, ecremu_op_image_id(img->digest, img->tags[t].name));
    }
    if (ecremu_page_finish(c, a.name, &a.pg, o)) {
        json_object_put(o);
        ecremu_op_oom(c);
        return;
    }
    ecremu_op_ok(c, o);
}

/* Adds a member whose name is a string literal: json-c neither copies the
 * name nor looks for an existing one (a page of 1000 details adds 8000). */
static void add_new(json_object *o, const char *literal, json_object *v)
{
    json_object_object_add_ex(o, literal, v,
                              JSON_C_OBJECT_ADD_KEY_IS_NEW | JSON_C_OBJECT_ADD_CONSTANT_KEY);
}

static json_object *detail_json(const op_call *c, const list_args *a, const store_image *img)
{
    json_object *o = json_object_new_object();
    if (!o)
        return NULL;
    add_new(o, "registryId", json_object_new_string(ecremu_op_registry(c, a->reg)));
    add_new(o, "repositoryName", json_object_new_string(a->repo->name));
    add_new(o, "imageDigest", json_object_new_string(img->digest));
    if (img->ntags) {
        json_object *tags = json_object_new_array_ext((int)img->ntags);
        for (size_t t = 0; tags && t < img->ntags; t++)
            json_object_array_add(tags, json_object_new_string(img->tags[t].name));
        add_new(o, "imageTags", tags);
    }
    add_new(o, "imageSizeInBytes", json_object_new_int64(img->size));
    add_new(o, "imagePushedAt", ecremu_wire_time(img->pushed_at));
    add_new(o, "imageManifestMediaType", json_object_new_string(img->media_type));
    return o;
}

/* DescribeImages with imageIds: each image once, in the order first named. */
static int describe_ids(op_call *c, const list_args *a, json_object *ids, json_object *list)
{
    size_t n = json_object_array_length(ids); /* at most 100: checked */
    const store_image *found[100];
    size_t nfound = 0;
    for (size_t i = 0; i < n && i < 100; i++) {
        const char *d, *t;
        store_image *img;
        ecremu_op_id_fields(json_object_array_get_idx(ids, i), &d, &t);
        op_id_status st = ecremu_op_resolve(a->repo, d, t, &img);
        if (st == OP_ID_NOT_FOUND || st == OP_ID_TAG_MISMATCH)
            return ecremu_op_fail(
                c, 400, "ImageNotFoundException",
                "The image with imageId {imageDigest:'%s', imageTag:'%s'} does not exist "
                "within the repository with name '%s' in the registry with id '%s'",
                d ? d : "null", t ? t : "null", a->repo->name, ecremu_op_registry(c, a->reg));
        if (st != OP_ID_FOUND) {
            char mem[64];
            snprintf(mem, sizeof mem, "imageIds.%zu.member", i + 1);
            return ecremu_op_invalid(c, mem, ecremu_op_id_reason(st));
        }
        int dup = 0;
        for (size_t k = 0; k < nfound; k++)
            dup |= found[k] == img;
        if (!dup)
            found[nfound++] = img;
    }
    for (size_t k = 0; k < nfound; k++)
        json_object_array_add(list, detail_json(c, a, found[k]));
    return 0;
}

void ecremu_images_describe(op_call *c)
{
    list_args a;
    json_object *ids = NULL;
    if (list_common(c, &a, &ids))
        return;
    json_object *list = json_object_new_array();
    json_object *o = ecremu_op_wrap("imageDetails", list);
    if (!o) {
        ecremu_op_oom(c);
        return;
    }
    if (ids) {
        if (describe_ids(c, &a, ids, list)) {
            json_object_put(o);
            return;
        }
    } else {
        /* One page: from where the token left off (binary search), no
         * more than the page's items plus the one that says more follow. */
        const store_repo *r = a.repo;
        for (size_t i = a.pg.resume ? ecremu_store_slot_from(r, a.pg.k1) : 0;
             i < r->nslots && !a.pg.more; i++) {
            const store_image *img = r->slots[i];
            if (img && status_wants(a.tag_status, img) && ecremu_page_take(&a.pg, img->seq, 0))
                json_object_array_add(list, detail_json(c, &a, img));
        }
        if (ecremu_page_finish(c, a.name, &a.pg, o)) {
            json_object_put(o);
            ecremu_op_oom(c);
            return;
        }
    }
    ecremu_op_ok(c, o);
}

void ecremu_images_batch_get(op_call *c)
{
    const char *reg, *name;
    json_object *ids, *accepted;
    if (ecremu_op_string(c, c->in, "registryId", &reg) ||
        ecremu_op_string(c, c->in, "repositoryName", &name) ||
        ecremu_op_image_ids(c, "imageIds", &ids) ||
        ecremu_op_string_list(c, c->in, "acceptedMediaTypes", &accepted))
        return;
    if (ecremu_op_check_registry(c, reg) || ecremu_op_check_repo_name(c, "repositoryName", name) ||
        ecremu_op_check_count(c, "imageIds", ids, 1, 100, 1) ||
        ecremu_op_check_tags(c, "imageIds", ids) ||
        ecremu_op_check_count(c, "acceptedMediaTypes", accepted, 1, 100, 0) ||
        ecremu_op_request_faults(c, name))
        return;
    store_repo *r = ecremu_op_find_repo(c, reg, name);
    if (!r)
        return;

    json_object *images, *failures;
    json_object *o = ecremu_op_batch_reply("images", &images, &failures);
    if (!o) {
        ecremu_op_oom(c);
        return;
    }
    size_t n = json_object_array_length(ids);
    for (size_t i = 0; i < n; i++) {
        const char *d, *t;
        store_image *img;
        ecremu_op_id_fields(json_object_array_get_idx(ids, i), &d, &t);
        op_id_status st = ecremu_op_resolve(r, d, t, &img);
        if (st != OP_ID_FOUND) {
            if (ecremu_op_add_failure(failures, d, t, ecremu_op_id_code(st),
                                      ecremu_op_id_reason(st))) {
                json_object_put(o);
                ecremu_op_oom(c);
                return;
            }
            continue;
        }
        json_object_array_add(images, image_json(c, reg, r, img, t));
    }
    ecremu_op_ok(c, o);
}
