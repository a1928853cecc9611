#include "store.h"

#include <stdlib.h>
#include <string.h>

#include "ecr/util.h"
#include "blobs.h"

store *ecremu_store_new(void)
{
    store *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->blobs = ecremu_blobs_new(BLOBS_DEFAULT_MAX_BYTES);
    if (!s->blobs || pthread_mutex_init(&s->mu, NULL) != 0) {
        ecremu_blobs_free(s->blobs);
        free(s);
        return NULL;
    }
    return s;
}

static void free_strv(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

static void image_free(store_image *img)
{
    if (!img)
        return;
    free(img->manifest);
    free(img->media_type);
    free_strv(img->tags, img->ntags);
    free(img->tag_seq);
    free_strv(img->refs, img->nrefs);
    free(img);
}

static void repo_free(store_repo *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->nimages; i++)
        image_free(r->images[i]);
    free(r->images);
    free(r->name);
    free(r->encryption_type);
    free(r->kms_key);
    free(r->tags_json);
    free(r);
}

void ecremu_store_free(store *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->nrepos; i++)
        repo_free(s->repos[i]);
    free(s->repos);
    ecremu_blobs_free(s->blobs);
    pthread_mutex_destroy(&s->mu);
    free(s);
}

void ecremu_store_lock(store *s)
{
    pthread_mutex_lock(&s->mu);
}

void ecremu_store_unlock(store *s)
{
    pthread_mutex_unlock(&s->mu);
}

store_repo *ecremu_store_repo_find(const store *s, const char *name)
{
    for (size_t i = 0; i < s->nrepos; i++)
        if (strcmp(s->repos[i]->name, name) == 0)
            return s->repos[i];
    return NULL;
}

ecr_result ecremu_store_repo_create(store *s, const char *name, double created_at, int immutable,
                                    int scan_on_push, const char *encryption_type,
                                    const char *kms_key, store_repo **out)
{
    if (ecremu_store_repo_find(s, name))
        return ECR_EINVAL;
    store_repo *r = calloc(1, sizeof *r);
    if (!r)
        return ECR_ENOMEM;
    r->name = strdup(name);
    r->encryption_type = strdup(encryption_type ? encryption_type : "AES256");
    r->kms_key = ecr_strdup(kms_key);
    r->created_at = created_at;
    r->immutable = immutable;
    r->scan_on_push = scan_on_push;
    r->seq = ++s->next_seq;
    store_repo **v = realloc(s->repos, (s->nrepos + 1) * sizeof *v);
    if (!r->name || !r->encryption_type || (kms_key && !r->kms_key) || !v) {
        if (v)
            s->repos = v;
        repo_free(r);
        return ECR_ENOMEM;
    }
    s->repos = v;
    s->repos[s->nrepos++] = r;
    if (out)
        *out = r;
    return ECR_OK;
}

ecr_result ecremu_store_repo_set_tags(store_repo *r, const char *tags_json)
{
    char *copy = NULL;
    if (tags_json && !(copy = strdup(tags_json)))
        return ECR_ENOMEM;
    free(r->tags_json);
    r->tags_json = copy;
    return ECR_OK;
}

void ecremu_store_repo_delete(store *s, store_repo *r)
{
    for (size_t i = 0; i < s->nrepos; i++) {
        if (s->repos[i] != r)
            continue;
        memmove(&s->repos[i], &s->repos[i + 1], (s->nrepos - i - 1) * sizeof *s->repos);
        s->nrepos--;
        ecremu_blobs_forget_repo(s->blobs, r->name);
        repo_free(r);
        return;
    }
}

store_image *ecremu_store_image_by_digest(const store_repo *r, const char *digest)
{
    for (size_t i = 0; i < r->nimages; i++)
        if (strcmp(r->images[i]->digest, digest) == 0)
            return r->images[i];
    return NULL;
}

int ecremu_store_image_has_tag(const store_image *img, const char *tag)
{
    for (size_t i = 0; i < img->ntags; i++)
        if (strcmp(img->tags[i], tag) == 0)
            return 1;
    return 0;
}

store_image *ecremu_store_image_by_tag(const store_repo *r, const char *tag)
{
    for (size_t i = 0; i < r->nimages; i++)
        if (ecremu_store_image_has_tag(r->images[i], tag))
            return r->images[i];
    return NULL;
}

ecr_result ecremu_store_image_add(store_repo *r, const store_image_spec *spec, store_image **out)
{
    char digest[DIGEST_STR_SIZE];
    if (ecr_digest_sha256(spec->manifest, spec->manifest_len, digest) != ECR_OK)
        return ECR_ECRYPTO;
    if (ecremu_store_image_by_digest(r, digest))
        return ECR_EINVAL;

    store_image *img = calloc(1, sizeof *img);
    if (!img)
        return ECR_ENOMEM;
    memcpy(img->digest, digest, sizeof digest);
    img->manifest = malloc(spec->manifest_len + 1);
    img->media_type = strdup(spec->media_type ? spec->media_type : "");
    if (!img->manifest || !img->media_type)
        goto nomem;
    memcpy(img->manifest, spec->manifest, spec->manifest_len);
    img->manifest[spec->manifest_len] = '\0';
    img->manifest_len = spec->manifest_len;
    img->size = spec->size;
    img->pushed_at = spec->pushed_at;
    img->seq = ++r->next_seq;
    if (spec->nrefs) {
        img->refs = calloc(spec->nrefs, sizeof *img->refs);
        if (!img->refs)
            goto nomem;
        for (size_t i = 0; i < spec->nrefs; i++) {
            img->refs[i] = strdup(spec->refs[i]);
            img->nrefs = i + 1;
            if (!img->refs[i])
                goto nomem;
        }
    }
    store_image **v = realloc(r->images, (r->nimages + 1) * sizeof *v);
    if (!v)
        goto nomem;
    r->images = v;
    r->images[r->nimages++] = img;
    *out = img;
    return ECR_OK;
nomem:
    image_free(img);
    return ECR_ENOMEM;
}

ecr_result ecremu_store_tag_set(store_repo *r, store_image *img, const char *tag)
{
    if (ecremu_store_image_has_tag(img, tag))
        return ECR_OK;
    char *copy = strdup(tag);
    char **v = realloc(img->tags, (img->ntags + 1) * sizeof *v);
    if (v)
        img->tags = v;
    unsigned long long *sv = v ? realloc(img->tag_seq, (img->ntags + 1) * sizeof *sv) : NULL;
    if (sv)
        img->tag_seq = sv;
    if (!copy || !v || !sv) {
        free(copy);
        return ECR_ENOMEM;
    }
    store_image *old = ecremu_store_image_by_tag(r, tag);
    if (old)
        ecremu_store_tag_remove(old, tag);
    img->tag_seq[img->ntags] = ++r->next_seq;
    img->tags[img->ntags++] = copy;
    return ECR_OK;
}

int ecremu_store_tag_remove(store_image *img, const char *tag)
{
    for (size_t i = 0; i < img->ntags; i++) {
        if (strcmp(img->tags[i], tag) != 0)
            continue;
        free(img->tags[i]);
        memmove(&img->tags[i], &img->tags[i + 1], (img->ntags - i - 1) * sizeof *img->tags);
        memmove(&img->tag_seq[i], &img->tag_seq[i + 1],
                (img->ntags - i - 1) * sizeof *img->tag_seq);
        img->ntags--;
        return 1;
    }
    return 0;
}

void ecremu_store_image_delete(store_repo *r, store_image *img)
{
    for (size_t i = 0; i < r->nimages; i++) {
        if (r->images[i] != img)
            continue;
        memmove(&r->images[i], &r->images[i + 1], (r->nimages - i - 1) * sizeof *r->images);
        r->nimages--;
        image_free(img);
        return;
    }
}

void ecremu_store_refs_free(store_refs *out)
{
    if (!out)
        return;
    for (size_t i = 0; i < out->n; i++) {
        free(out->v[i].parent);
        free(out->v[i].child);
    }
    free(out->v);
    out->v = NULL;
    out->n = 0;
}

ecr_result ecremu_store_refs_snapshot(const store_repo *r, store_refs *out)
{
    size_t total = 0;
    out->v = NULL;
    out->n = 0;
    for (size_t i = 0; i < r->nimages; i++)
        total += r->images[i]->nrefs;
    if (!total)
        return ECR_OK;
    out->v = calloc(total, sizeof *out->v);
    if (!out->v)
        return ECR_ENOMEM;
    for (size_t i = 0; i < r->nimages; i++) {
        const store_image *img = r->images[i];
        for (size_t j = 0; j < img->nrefs; j++) {
            store_ref *ref = &out->v[out->n++];
            ref->parent = strdup(img->digest);
            ref->child = strdup(img->refs[j]);
            if (!ref->parent || !ref->child) {
                ecremu_store_refs_free(out);
                return ECR_ENOMEM;
            }
        }
    }
    return ECR_OK;
}
