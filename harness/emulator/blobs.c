#include "blobs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wire.h"

typedef struct repo_blobs {
    char *repo;
    blob **v;
    size_t n;
} repo_blobs;

struct blob_store {
    repo_blobs **repos;
    size_t nrepos;
    upload **uploads;
    size_t nuploads;
    size_t bytes, max_bytes;
};

blob_store *ecremu_blobs_new(size_t max_bytes)
{
    blob_store *bs = calloc(1, sizeof *bs);
    if (bs)
        bs->max_bytes = max_bytes ? max_bytes : BLOBS_DEFAULT_MAX_BYTES;
    return bs;
}

static void blob_free(blob *b)
{
    if (b) {
        free(b->data);
        free(b);
    }
}

static void repo_blobs_free(repo_blobs *rb)
{
    for (size_t i = 0; i < rb->n; i++)
        blob_free(rb->v[i]);
    free(rb->v);
    free(rb->repo);
    free(rb);
}

static void upload_free(upload *u)
{
    if (u) {
        free(u->data);
        free(u->repo);
        free(u);
    }
}

void ecremu_blobs_free(blob_store *bs)
{
    if (!bs)
        return;
    for (size_t i = 0; i < bs->nrepos; i++)
        repo_blobs_free(bs->repos[i]);
    free(bs->repos);
    for (size_t i = 0; i < bs->nuploads; i++)
        upload_free(bs->uploads[i]);
    free(bs->uploads);
    free(bs);
}

size_t ecremu_blobs_bytes(const blob_store *bs)
{
    return bs->bytes;
}

size_t ecremu_blobs_max_bytes(const blob_store *bs)
{
    return bs->max_bytes;
}

void ecremu_blobs_set_max_bytes(blob_store *bs, size_t max_bytes)
{
    bs->max_bytes = max_bytes ? max_bytes : BLOBS_DEFAULT_MAX_BYTES;
}

static repo_blobs *repo_find(const blob_store *bs, const char *repo, size_t *index)
{
    for (size_t i = 0; i < bs->nrepos; i++) {
        if (strcmp(bs->repos[i]->repo, repo) == 0) {
            if (index)
                *index = i;
            return bs->repos[i];
        }
    }
    return NULL;
}

/* Removes uploads[i] (order is not kept: ids are looked up, never listed). */
static void upload_remove_at(blob_store *bs, size_t i)
{
    upload *u = bs->uploads[i];
    bs->bytes -= u->len;
    upload_free(u);
    bs->uploads[i] = bs->uploads[--bs->nuploads];
}

void ecremu_blobs_forget_repo(blob_store *bs, const char *repo)
{
    size_t at;
    repo_blobs *rb = repo_find(bs, repo, &at);
    if (rb) {
        for (size_t i = 0; i < rb->n; i++)
            bs->bytes -= rb->v[i]->size;
        repo_blobs_free(rb);
        memmove(&bs->repos[at], &bs->repos[at + 1], (bs->nrepos - at - 1) * sizeof *bs->repos);
        bs->nrepos--;
    }
    for (size_t i = bs->nuploads; i-- > 0;)
        if (strcmp(bs->uploads[i]->repo, repo) == 0)
            upload_remove_at(bs, i);
}

const blob *ecremu_blobs_find(const blob_store *bs, const char *repo, const char *digest)
{
    const repo_blobs *rb = repo_find(bs, repo, NULL);
    for (size_t i = 0; rb && i < rb->n; i++)
        if (strcmp(rb->v[i]->digest, digest) == 0)
            return rb->v[i];
    return NULL;
}

ecr_result ecremu_blobs_upload_new(blob_store *bs, const char *repo, double now, upload **out)
{
    for (size_t i = bs->nuploads; i-- > 0;)
        if (now - bs->uploads[i]->touched > BLOBS_UPLOAD_IDLE_SECONDS)
            upload_remove_at(bs, i);
    if (bs->nuploads >= BLOBS_MAX_UPLOADS)
        return ECR_ETOOBIG;
    upload *u = calloc(1, sizeof *u);
    upload **v = realloc(bs->uploads, (bs->nuploads + 1) * sizeof *v);
    if (v)
        bs->uploads = v;
    if (u)
        u->repo = strdup(repo);
    if (!u || !v || !u->repo) {
        upload_free(u);
        return ECR_ENOMEM;
    }
    ecremu_wire_uuid(u->id);
    u->touched = now;
    bs->uploads[bs->nuploads++] = u;
    *out = u;
    return ECR_OK;
}

upload *ecremu_blobs_upload_find(blob_store *bs, const char *repo, const char *id)
{
    for (size_t i = 0; i < bs->nuploads; i++)
        if (strcmp(bs->uploads[i]->id, id) == 0 && strcmp(bs->uploads[i]->repo, repo) == 0)
            return bs->uploads[i];
    return NULL;
}

ecr_result ecremu_blobs_upload_append(blob_store *bs, upload *u, const void *data, size_t n,
                                      double now)
{
    if (n > bs->max_bytes || bs->bytes > bs->max_bytes - n)
        return ECR_ETOOBIG;
    if (u->len + n > u->cap) {
        size_t cap = u->cap ? u->cap : 4096;
        while (cap < u->len + n)
            cap = cap > ((size_t)-1) / 2 ? u->len + n : cap * 2;
        unsigned char *d = realloc(u->data, cap);
        if (!d)
            return ECR_ENOMEM;
        u->data = d;
        u->cap = cap;
    }
    memcpy(u->data + u->len, data, n);
    if (u->nparts && (!u->min_inner || u->last_part < u->min_inner))
        u->min_inner = u->last_part;
    u->len += n;
    u->nparts++;
    u->last_part = n;
    u->touched = now;
    bs->bytes += n;
    return ECR_OK;
}

static size_t upload_index(const blob_store *bs, const upload *u)
{
    for (size_t i = 0; i < bs->nuploads; i++)
        if (bs->uploads[i] == u)
            return i;
    return bs->nuploads;
}

void ecremu_blobs_upload_drop(blob_store *bs, upload *u)
{
    size_t i = upload_index(bs, u);
    if (i < bs->nuploads)
        upload_remove_at(bs, i);
}

ecr_result ecremu_blobs_upload_commit(blob_store *bs, upload *u, const char *digest, blob **out)
{
    size_t i = upload_index(bs, u);
    if (i == bs->nuploads)
        return ECR_ENOTFOUND;
    repo_blobs *rb = repo_find(bs, u->repo, NULL);
    if (rb && rb->n >= BLOBS_MAX_PER_REPO)
        return ECR_ETOOBIG;
    if (!rb) {
        rb = calloc(1, sizeof *rb);
        repo_blobs **v = rb ? realloc(bs->repos, (bs->nrepos + 1) * sizeof *v) : NULL;
        if (v)
            bs->repos = v;
        if (rb)
            rb->repo = strdup(u->repo);
        if (!rb || !v || !rb->repo) {
            if (rb)
                repo_blobs_free(rb);
            return ECR_ENOMEM;
        }
        bs->repos[bs->nrepos++] = rb;
    }
    blob *b = calloc(1, sizeof *b);
    blob **v = b ? realloc(rb->v, (rb->n + 1) * sizeof *v) : NULL;
    if (v)
        rb->v = v;
    if (!b || !v) {
        free(b);
        return ECR_ENOMEM;
    }
    snprintf(b->digest, sizeof b->digest, "%s", digest);
    b->data = u->data; /* the bytes move: bs->bytes is unchanged */
    b->size = u->len;
    u->data = NULL;
    u->len = 0;
    rb->v[rb->n++] = b;
    upload_remove_at(bs, i);
    if (out)
        *out = b;
    return ECR_OK;
}
