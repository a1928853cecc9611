#include "batchdel.h"

#include <string.h>

#include "ecr/buf.h"

/* Writes "<p1>, <p2>" (the parents of child in the snapshot, each once) into
 * out. Returns the number of parents, or -1 when out of memory. */
static int parents_of(const store_refs *before, const char *child, buf *out)
{
    int n = 0;
    for (size_t i = 0; i < before->n; i++) {
        if (strcmp(before->v[i].child, child) != 0)
            continue;
        int seen = 0;
        for (size_t k = 0; k < i; k++)
            seen |= strcmp(before->v[k].child, child) == 0 &&
                    strcmp(before->v[k].parent, before->v[i].parent) == 0;
        if (seen)
            continue;
        if ((n && ecr_buf_puts(out, ", ")) || ecr_buf_puts(out, before->v[i].parent))
            return -1;
        n++;
    }
    return n;
}

static int add_deleted(json_object *deleted, const char *digest, const char *tag)
{
    json_object *id = ecremu_op_image_id(digest, tag);
    if (!id || json_object_array_add(deleted, id)) {
        json_object_put(id);
        return -1;
    }
    return 0;
}

/* Deletes by digest: the image and all its tags go, one entry per tag (or
 * one bare entry for an untagged image). */
static int delete_image(store_repo *r, store_image *img, json_object *deleted)
{
    if (!img->ntags && add_deleted(deleted, img->digest, NULL))
        return -1;
    for (size_t t = 0; t < img->ntags; t++)
        if (add_deleted(deleted, img->digest, img->tags[t]))
            return -1;
    ecremu_store_image_delete(r, img);
    return 0;
}

/* Deletes one tag (a tag, or a tag with its matching digest: only the tag
 * goes, LocalStack's behaviour); the image goes with its last tag. */
static int delete_tag(store_repo *r, store_image *img, const char *tag, json_object *deleted)
{
    if (add_deleted(deleted, img->digest, tag))
        return -1;
    ecremu_store_tag_remove(img, tag);
    if (!img->ntags)
        ecremu_store_image_delete(r, img);
    return 0;
}

/* One item. Returns 0, or -1 when out of memory. */
static int one_item(op_call *c, store_repo *r, const store_refs *before, json_object *item,
                    json_object *deleted, json_object *failures)
{
    const char *digest, *tag, *code, *reason;
    store_image *img;

    ecremu_op_id_fields(item, &digest, &tag);
    op_id_status st = ecremu_op_resolve(r, digest, tag, &img);
    if (st != OP_ID_FOUND)
        return ecremu_op_add_failure(failures, digest, tag, ecremu_op_id_code(st),
                                     ecremu_op_id_reason(st));
    if (ecremu_control_item_fault(c->ctx->ctl, r->name, img->digest, &code, &reason))
        return ecremu_op_add_failure(failures, digest, tag, code, reason);

    buf parents;
    ecr_buf_init(&parents, 64 * 1024);
    int np = parents_of(before, img->digest, &parents);
    int rc;
    if (np < 0) {
        rc = -1;
    } else if (np > 0 && (!tag || img->ntags == 1)) {
        /* by digest, or its only remaining tag: the index would dangle */
        buf msg;
        ecr_buf_init(&msg, 80 * 1024);
        rc = ecr_buf_printf(&msg, "Requested image referenced by manifest list: [%s]", parents.data)
                 ? -1
                 : ecremu_op_add_failure(failures, digest, tag, "ImageReferencedByManifestList",
                                         msg.data);
        ecr_buf_free(&msg);
    } else if (tag) {
        rc = delete_tag(r, img, tag, deleted);
    } else {
        rc = delete_image(r, img, deleted);
    }
    ecr_buf_free(&parents);
    return rc;
}

void ecremu_batchdel_run(op_call *c)
{
    const char *reg, *name;
    json_object *ids;

    if (ecremu_op_string(c, c->in, "registryId", &reg) ||
        ecremu_op_string(c, c->in, "repositoryName", &name) ||
        ecremu_op_image_ids(c, "imageIds", &ids))
        return;
    if (ecremu_op_check_registry(c, reg) || ecremu_op_check_repo_name(c, "repositoryName", name) ||
        ecremu_op_check_count(c, "imageIds", ids, 1, 100, 1) ||
        ecremu_op_check_tags(c, "imageIds", ids) || ecremu_op_request_faults(c, name))
        return;
    store_repo *r = ecremu_op_find_repo(c, reg, name);
    if (!r)
        return;

    store_refs before;
    json_object *deleted, *failures;
    json_object *o = ecremu_op_batch_reply("imageIds", &deleted, &failures);
    if (!o || ecremu_store_refs_snapshot(r, &before)) {
        json_object_put(o);
        ecremu_op_oom(c);
        return;
    }

    size_t n = json_object_array_length(ids);
    int rc = 0;
    for (size_t i = 0; i < n && !rc; i++)
        rc = one_item(c, r, &before, json_object_array_get_idx(ids, i), deleted, failures);
    ecremu_store_refs_free(&before);
    if (rc) {
        json_object_put(o);
        ecremu_op_oom(c);
        return;
    }
    ecremu_op_ok(c, o);
}
