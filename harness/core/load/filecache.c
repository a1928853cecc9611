#include "filecache.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casepaths.h"
#include "ecr/diag.h"
#include "ecr/json.h"
#include "ecr/util.h"

typedef struct entry {
    char *key; /* path '\0' root '\0' (root "" when none); NULL: a free slot */
    size_t keylen;
    size_t max;
    uint64_t hash;
    ecrc_cached_file f;
    char *data;        /* f.data, owned */
    int parsed;        /* 1 once ecrc_filecache_json parsed it */
    json_object *json; /* one reference, owned; NULL when not JSON */
    char *json_err;    /* why not, owned */
} entry;

struct ecrc_filecache {
    entry *slots; /* open addressing, linear probing; cap a power of two */
    size_t cap, n;
    size_t bytes; /* file data held */
};

/* FNV-1a over the key and the limit: the table is small and keys are paths,
 * so a simple, well-spread hash is enough. */
static uint64_t hash_key(const char *k, size_t len, size_t max)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)k[i]) * 1099511628211ull;
    return (h ^ max) * 1099511628211ull;
}

ecrc_filecache *ecrc_filecache_new(void)
{
    ecrc_filecache *fc = calloc(1, sizeof *fc);
    if (!fc)
        return NULL;
    fc->cap = 64;
    fc->slots = calloc(fc->cap, sizeof *fc->slots);
    if (!fc->slots) {
        free(fc);
        return NULL;
    }
    return fc;
}

static void clear(ecrc_filecache *fc)
{
    for (size_t i = 0; i < fc->cap; i++) {
        free(fc->slots[i].key);
        free(fc->slots[i].data);
        json_object_put(fc->slots[i].json);
        free(fc->slots[i].json_err);
    }
    memset(fc->slots, 0, fc->cap * sizeof *fc->slots);
    fc->n = 0;
    fc->bytes = 0;
}

void ecrc_filecache_free(ecrc_filecache *fc)
{
    if (!fc)
        return;
    clear(fc);
    free(fc->slots);
    free(fc);
}

static entry *find_slot(entry *slots, size_t cap, const char *key, size_t keylen, size_t max,
                        uint64_t h)
{
    for (size_t i = h & (cap - 1);; i = (i + 1) & (cap - 1)) {
        entry *e = &slots[i];
        if (!e->key ||
            (e->hash == h && e->max == max && e->keylen == keylen && !memcmp(e->key, key, keylen)))
            return e;
    }
}

/* Doubles the table: kept at most half full so probes stay short and a free
 * slot always exists. */
static int grow(ecrc_filecache *fc)
{
    size_t cap = fc->cap * 2;
    entry *slots = calloc(cap, sizeof *slots);
    if (!slots)
        return -1;
    for (size_t i = 0; i < fc->cap; i++)
        if (fc->slots[i].key)
            *find_slot(slots, cap, fc->slots[i].key, fc->slots[i].keylen, fc->slots[i].max,
                       fc->slots[i].hash) = fc->slots[i];
    free(fc->slots);
    fc->slots = slots;
    fc->cap = cap;
    return 0;
}

/* Fills a new entry: the root check, then the read, then the hash. */
static void fill(entry *e, const char *path, const char *root, size_t max)
{
    e->f.inside = root ? ecrc_path_inside(path, root) : 1;
    if (e->f.inside == 0) {
        snprintf(e->f.why, sizeof e->f.why, "resolves outside %s", root);
        return;
    }
    size_t len;
    if (ecr_read_file(path, max, &e->data, &len, e->f.why, sizeof e->f.why) != ECR_OK)
        return;
    e->f.data = e->data;
    e->f.len = len;
    if (ecr_digest_sha256(e->data, len, e->f.digest))
        e->f.digest[0] = '\0';
}

const ecrc_cached_file *ecrc_filecache_get(ecrc_filecache *fc, const char *path, const char *root,
                                           size_t max)
{
    size_t plen = strlen(path), rlen = root ? strlen(root) : 0;
    size_t keylen = plen + 1 + rlen + 1;
    char *key = malloc(keylen);
    if (!key)
        return NULL;
    memcpy(key, path, plen + 1);
    memcpy(key + plen + 1, root ? root : "", rlen + 1);
    uint64_t h = hash_key(key, keylen, max);
    entry *e = find_slot(fc->slots, fc->cap, key, keylen, max, h);
    if (e->key) {
        free(key);
        return &e->f;
    }
    entry fresh = {.key = key, .keylen = keylen, .max = max, .hash = h};
    fill(&fresh, path, root, max);
    if (fc->n + 1 > FILECACHE_ENTRIES_MAX || fc->bytes + fresh.f.len > FILECACHE_BYTES_MAX)
        clear(fc);
    if ((fc->n + 1) * 2 > fc->cap && grow(fc)) {
        free(fresh.key);
        free(fresh.data);
        return NULL;
    }
    e = find_slot(fc->slots, fc->cap, key, keylen, max, h);
    *e = fresh;
    fc->n++;
    fc->bytes += fresh.f.len;
    return &e->f;
}

json_object *ecrc_filecache_json(ecrc_filecache *fc, const ecrc_cached_file *f, const char *path,
                                 const char **err)
{
    (void)fc; /* f belongs to fc: its entry holds the parse */
    entry *e = (entry *)(void *)((char *)(void *)f - offsetof(entry, f));
    if (!e->parsed) {
        e->parsed = 1;
        if (!f->data) {
            e->json_err = ecr_strdup(f->why);
        } else if (f->len == 0) {
            e->json_err = ecr_strdup("invalid JSON: the file is empty");
        } else {
            diag_list d;
            ecr_diag_init(&d);
            e->json = ecr_json_parse(f->data, f->len, ECR_JSON_FILE, NULL, path, &d);
            if (!e->json)
                e->json_err = ecr_strdup(d.n ? d.items[0].message : "out of memory");
            ecr_diag_free(&d);
        }
    }
    if (!e->json) {
        *err = e->json_err ? e->json_err : "out of memory";
        return NULL;
    }
    return json_object_get(e->json);
}
