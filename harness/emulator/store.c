#include "store.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ecr/util.h"
#include "blobs.h"

/* ---- the hash table ---- */

static unsigned long long hash_str(const char *s)
{
    unsigned long long h = 1469598103934665603ULL; /* FNV-1a */
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ULL;
    }
    return h;
}

/* The index of key's entry, or of the empty entry where it would go. The
 * hash is not stored (16 bytes an entry, not 24): growing and deleting
 * recompute it. */
static size_t map_slot(const store_map *m, const char *key, unsigned long long h)
{
    size_t mask = m->cap - 1;
    size_t i = (size_t)h & mask;
    while (m->v[i].key && strcmp(m->v[i].key, key) != 0)
        i = (i + 1) & mask;
    return i;
}

static void *map_get(const store_map *m, const char *key)
{
    if (!m->n)
        return NULL;
    size_t i = map_slot(m, key, hash_str(key));
    return m->v[i].key ? m->v[i].val : NULL;
}

static int map_grow(store_map *m)
{
    size_t cap = m->cap ? m->cap * 2 : 16;
    store_map_ent *v = calloc(cap, sizeof *v);
    if (!v)
        return -1;
    store_map old = *m;
    m->v = v;
    m->cap = cap;
    for (size_t i = 0; i < old.cap; i++)
        if (old.v[i].key)
            m->v[map_slot(m, old.v[i].key, hash_str(old.v[i].key))] = old.v[i];
    free(old.v);
    return 0;
}

/* Maps key (borrowed from val) to val, replacing what key mapped to.
 * Returns 0, or -1 when out of memory (the map unchanged). */
static int map_put(store_map *m, const char *key, void *val)
{
    if ((m->n + 1) * 4 > m->cap * 3 && map_grow(m))
        return -1; /* load factor at most 3/4 */
    unsigned long long h = hash_str(key);
    size_t i = map_slot(m, key, h);
    if (!m->v[i].key)
        m->n++;
    m->v[i] = (store_map_ent){key, val};
    return 0;
}

/* Removes key when val is what it maps to (a key moved to another value
 * stays). Backward-shift deletion: no tombstones. */
static void map_del(store_map *m, const char *key, const void *val)
{
    if (!m->n)
        return;
    size_t mask = m->cap - 1;
    size_t i = map_slot(m, key, hash_str(key));
    if (!m->v[i].key || m->v[i].val != val)
        return;
    for (size_t j = i;;) {
        j = (j + 1) & mask;
        if (!m->v[j].key)
            break;
        size_t k = (size_t)hash_str(m->v[j].key) & mask; /* j's home */
        /* Move j into the hole at i unless its home lies cyclically in (i, j]. */
        int stays = i <= j ? (i < k && k <= j) : (i < k || k <= j);
        if (!stays) {
            m->v[i] = m->v[j];
            i = j;
        }
    }
    m->v[i].key = NULL;
    m->n--;
}

static void map_free(store_map *m)
{
    free(m->v);
    memset(m, 0, sizeof *m);
}

/* ---- the store ---- */

store *ecremu_store_new(void)
{
    store *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->blobs = ecremu_blobs_new(BLOBS_DEFAULT_MAX_BYTES);
    if (!s->blobs || pthread_rwlock_init(&s->mu, NULL) != 0) {
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

/* Media types nearly every image has, shared instead of copied. */
static char mt_docker[] = "application/vnd.docker.distribution.manifest.v2+json";
static char mt_docker_list[] = "application/vnd.docker.distribution.manifest.list.v2+json";
static char mt_oci[] = "application/vnd.oci.image.manifest.v1+json";
static char mt_oci_index[] = "application/vnd.oci.image.index.v1+json";
static char mt_none[] = "";
static char *const well_known[] = {mt_docker, mt_docker_list, mt_oci, mt_oci_index, mt_none};
#define NWELL (sizeof well_known / sizeof well_known[0])

/* Returns a well-known media type equal to mt, or a copy (NULL when out of
 * memory). */
static char *media_type_keep(const char *mt)
{
    for (size_t i = 0; i < NWELL; i++)
        if (strcmp(well_known[i], mt) == 0)
            return well_known[i];
    return strdup(mt);
}

static void media_type_free(char *mt)
{
    for (size_t i = 0; i < NWELL; i++)
        if (mt == well_known[i])
            return;
    free(mt);
}

static void manifest_release(store *s, const char *bytes)
{
    if (!bytes)
        return;
    store_manifest *m = (store_manifest *)(bytes - offsetof(store_manifest, bytes));
    if (--m->refs)
        return;
    map_del(&s->manifests, m->digest, m);
    free(m);
}

static void image_free(store *s, store_image *img)
{
    if (!img)
        return;
    manifest_release(s, img->manifest);
    if (img->media_type)
        media_type_free(img->media_type);
    for (size_t i = 0; i < img->ntags; i++)
        free(img->tags[i].name);
    free(img->tags);
    free_strv(img->refs, img->nrefs);
    free(img);
}

static void repo_free(store_repo *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->nslots; i++)
        image_free(r->owner, r->slots[i]);
    for (size_t i = 0; i < r->parents.cap; i++) {
        store_parents *p = r->parents.v[i].key ? r->parents.v[i].val : NULL;
        if (p) {
            free(p->child);
            free(p->v);
            free(p);
        }
    }
    map_free(&r->parents);
    map_free(&r->by_digest);
    map_free(&r->by_tag);
    free(r->slots);
    free(r->slot_seq);
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
    map_free(&s->by_name);
    map_free(&s->manifests);
    ecremu_blobs_free(s->blobs);
    pthread_rwlock_destroy(&s->mu);
    free(s);
}

void ecremu_store_lock(store *s)
{
    pthread_rwlock_wrlock(&s->mu);
}

void ecremu_store_rdlock(store *s)
{
    pthread_rwlock_rdlock(&s->mu);
}

void ecremu_store_unlock(store *s)
{
    pthread_rwlock_unlock(&s->mu);
}

store_repo *ecremu_store_repo_find(const store *s, const char *name)
{
    return map_get(&s->by_name, name);
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
    r->owner = s;
    r->name = strdup(name);
    r->encryption_type = strdup(encryption_type ? encryption_type : "AES256");
    r->kms_key = ecr_strdup(kms_key);
    r->created_at = created_at;
    r->immutable = immutable;
    r->scan_on_push = scan_on_push;
    store_repo **v = realloc(s->repos, (s->nrepos + 1) * sizeof *v);
    if (v)
        s->repos = v;
    if (!r->name || !r->encryption_type || (kms_key && !r->kms_key) || !v ||
        map_put(&s->by_name, r->name, r)) {
        repo_free(r);
        return ECR_ENOMEM;
    }
    r->seq = ++s->next_seq;
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
        map_del(&s->by_name, r->name, r);
        ecremu_blobs_forget_repo(s->blobs, r->name);
        repo_free(r);
        return;
    }
}

store_image *ecremu_store_image_by_digest(const store_repo *r, const char *digest)
{
    return map_get(&r->by_digest, digest);
}

int ecremu_store_image_has_tag(const store_image *img, const char *tag)
{
    for (size_t i = 0; i < img->ntags; i++)
        if (strcmp(img->tags[i].name, tag) == 0)
            return 1;
    return 0;
}

store_image *ecremu_store_image_by_tag(const store_repo *r, const char *tag)
{
    return map_get(&r->by_tag, tag);
}

size_t ecremu_store_slot_from(const store_repo *r, unsigned long long seq)
{
    size_t lo = 0, hi = r->nslots; /* first slot_seq >= seq lies in [lo, hi] */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (r->slot_seq[mid] < seq)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

store_image *const *ecremu_store_parents(const store_repo *r, const char *child, size_t *n)
{
    const store_parents *p = map_get(&r->parents, child);
    *n = p ? p->n : 0;
    return p ? p->v : NULL;
}

/* Records that parent references child. Returns 0, or -1 when out of memory. */
static int parents_add(store_repo *r, const char *child, store_image *parent)
{
    store_parents *p = map_get(&r->parents, child);
    if (!p) {
        p = calloc(1, sizeof *p);
        if (!p || !(p->child = strdup(child)) || map_put(&r->parents, p->child, p)) {
            if (p)
                free(p->child);
            free(p);
            return -1;
        }
    }
    /* A parent's references are added together, so a child listed twice
     * finds the parent last. */
    if (p->n && p->v[p->n - 1] == parent)
        return 0;
    if (p->n == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 2;
        store_image **v = realloc(p->v, cap * sizeof *v);
        if (!v)
            return -1;
        p->v = v;
        p->cap = cap;
    }
    p->v[p->n++] = parent;
    return 0;
}

static void parents_remove(store_repo *r, const char *child, const store_image *parent)
{
    store_parents *p = map_get(&r->parents, child);
    if (!p)
        return;
    for (size_t i = 0; i < p->n; i++) {
        if (p->v[i] != parent)
            continue;
        memmove(&p->v[i], &p->v[i + 1], (p->n - i - 1) * sizeof *p->v);
        p->n--;
        break;
    }
    if (!p->n) {
        map_del(&r->parents, p->child, p);
        free(p->child);
        free(p->v);
        free(p);
    }
}

/* Returns the shared copy of the manifest with that digest, made from
 * bytes when the store has none; NULL when out of memory. */
static const store_manifest *manifest_acquire(store *s, const char *digest, const char *bytes,
                                              size_t len)
{
    store_manifest *m = map_get(&s->manifests, digest);
    if (m) {
        m->refs++;
        return m;
    }
    if (len > 0xffffffffu)
        return NULL;
    m = malloc(sizeof *m + len + 1);
    if (!m)
        return NULL;
    m->refs = 1;
    m->len = (unsigned)len;
    memcpy(m->digest, digest, DIGEST_STR_SIZE);
    memcpy(m->bytes, bytes, len);
    m->bytes[len] = '\0';
    if (map_put(&s->manifests, m->digest, m)) {
        free(m);
        return NULL;
    }
    return m;
}

/* Drops the empty slots when they are more than half. */
static void compact(store_repo *r)
{
    size_t holes = r->nslots - r->nimages;
    if (holes < 64 || holes * 2 < r->nslots)
        return;
    size_t k = 0;
    for (size_t i = 0; i < r->nslots; i++) {
        if (!r->slots[i])
            continue;
        r->slots[k] = r->slots[i];
        r->slot_seq[k] = r->slot_seq[i];
        r->slots[k]->slot = k;
        k++;
    }
    r->nslots = k;
}

static int slot_reserve(store_repo *r)
{
    if (r->nslots < r->slot_cap)
        return 0;
    size_t cap = r->slot_cap ? r->slot_cap * 2 : 16;
    store_image **v = realloc(r->slots, cap * sizeof *v);
    if (!v)
        return -1;
    r->slots = v;
    unsigned long long *sv = realloc(r->slot_seq, cap * sizeof *sv);
    if (!sv)
        return -1;
    r->slot_seq = sv;
    r->slot_cap = cap;
    return 0;
}

/* Takes img out of the indexes and its slot; does not free it. */
static void unlink_image(store_repo *r, store_image *img)
{
    for (size_t i = 0; i < img->ntags; i++)
        map_del(&r->by_tag, img->tags[i].name, img);
    for (size_t i = 0; i < img->nrefs; i++)
        parents_remove(r, img->refs[i], img);
    if (img->digest)
        map_del(&r->by_digest, img->digest, img);
    if (img->slot < r->nslots && r->slots[img->slot] == img) {
        r->slots[img->slot] = NULL;
        r->nimages--;
    }
}

ecr_result ecremu_store_image_add(store_repo *r, const store_image_spec *spec, store_image **out)
{
    char digest[DIGEST_STR_SIZE];
    if (spec->digest ? ecr_copy_str(digest, sizeof digest, spec->digest) != ECR_OK
                     : ecr_digest_sha256(spec->manifest, spec->manifest_len, digest) != ECR_OK)
        return ECR_ECRYPTO;
    if (ecremu_store_image_by_digest(r, digest))
        return ECR_EINVAL;

    store_image *img = calloc(1, sizeof *img);
    if (!img)
        return ECR_ENOMEM;
    img->repo = r;
    img->slot = SIZE_MAX; /* in no slot yet */
    const store_manifest *m =
        manifest_acquire(r->owner, digest, spec->manifest, spec->manifest_len);
    if (m) {
        img->digest = m->digest;
        img->manifest = m->bytes;
    }
    img->media_type = media_type_keep(spec->media_type ? spec->media_type : "");
    if (!m || !img->media_type)
        goto nomem;
    img->manifest_len = spec->manifest_len;
    img->size = spec->size;
    img->pushed_at = spec->pushed_at;
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
    if (slot_reserve(r) || map_put(&r->by_digest, img->digest, img))
        goto nomem;
    img->seq = ++r->next_seq;
    img->slot = r->nslots++;
    r->slots[img->slot] = img;
    r->slot_seq[img->slot] = img->seq;
    r->nimages++;
    for (size_t i = 0; i < img->nrefs; i++)
        if (parents_add(r, img->refs[i], img))
            goto nomem;
    *out = img;
    return ECR_OK;
nomem:
    unlink_image(r, img);
    image_free(r->owner, img);
    return ECR_ENOMEM;
}

/* Takes tag i out of img's list (not out of the tag index). */
static void tag_drop(store_image *img, size_t i)
{
    free(img->tags[i].name);
    memmove(&img->tags[i], &img->tags[i + 1], (img->ntags - i - 1) * sizeof *img->tags);
    img->ntags--;
}

ecr_result ecremu_store_tag_set(store_repo *r, store_image *img, const char *tag)
{
    if (ecremu_store_image_has_tag(img, tag))
        return ECR_OK;
    char *copy = strdup(tag);
    store_tag *v = realloc(img->tags, (img->ntags + 1) * sizeof *v);
    if (v)
        img->tags = v;
    store_image *old = ecremu_store_image_by_tag(r, tag);
    if (!copy || !v || map_put(&r->by_tag, copy, img)) {
        free(copy);
        return ECR_ENOMEM;
    }
    /* The index now names img: only the old holder's list changes. */
    for (size_t i = 0; old && i < old->ntags; i++) {
        if (strcmp(old->tags[i].name, tag) == 0) {
            tag_drop(old, i);
            break;
        }
    }
    img->tags[img->ntags++] = (store_tag){copy, ++r->next_seq};
    return ECR_OK;
}

int ecremu_store_tag_remove(store_image *img, const char *tag)
{
    for (size_t i = 0; i < img->ntags; i++) {
        if (strcmp(img->tags[i].name, tag) != 0)
            continue;
        map_del(&img->repo->by_tag, img->tags[i].name, img);
        tag_drop(img, i);
        return 1;
    }
    return 0;
}

void ecremu_store_image_delete(store_repo *r, store_image *img)
{
    unlink_image(r, img);
    image_free(r->owner, img);
    compact(r);
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
    for (size_t i = 0; i < r->nslots; i++)
        total += r->slots[i] ? r->slots[i]->nrefs : 0;
    if (!total)
        return ECR_OK;
    out->v = calloc(total, sizeof *out->v);
    if (!out->v)
        return ECR_ENOMEM;
    for (size_t i = 0; i < r->nslots; i++) {
        const store_image *img = r->slots[i];
        for (size_t j = 0; img && j < img->nrefs; j++) {
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
