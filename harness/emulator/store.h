/* store.h: the emulator's state: repositories and the images they hold.
 *
 * A repository holds images keyed by digest; each image keeps the exact
 * manifest bytes that were pushed, its media type, size, push time, its tags
 * (a tag names at most one image per repository) and, for an image index /
 * manifest list, the digests it references ("manifests"[].digest). Layer
 * blobs and uploads in progress live in the store's blob_store (blobs.h),
 * per repository.
 *
 * Every lookup (repository by name, image by digest or tag, parents of a
 * child) is a hash table probe; adding and removing an image is O(its tags
 * and references), whatever the size of the repository.
 *
 * Thread safety: one read-write lock per store. Callers take it around a
 * whole operation (an ECR request is atomic): ecremu_store_lock to change
 * anything, ecremu_store_rdlock for an operation that only reads (readers
 * run in parallel; nothing here changes state on a lookup). Every other
 * function assumes it is held, exclusively when it changes the store. The structs are readable by
 * callers; only store.c changes them. Pointers to repositories and images stay valid until that
 * repository or image is deleted (or the store freed).
 */
#ifndef ECR_EMU_STORE_H
#define ECR_EMU_STORE_H

#include <pthread.h>
#include <stddef.h>
#include "ecr/digest.h"
#include "ecr/result.h"

/* A string-keyed hash table (open addressing, linear probing). Keys are
 * borrowed from the values they index (an image's digest or tag, a
 * repository's name), so an entry lives exactly as long as its value. */
typedef struct store_map_ent {
    const char *key; /* NULL: empty */
    void *val;
} store_map_ent;

typedef struct store_map {
    store_map_ent *v;
    size_t cap; /* 0 or a power of two */
    size_t n;
} store_map;

/* The manifest bytes of an image, stored once per store: images with the
 * same digest in several repositories share one copy (refcounted). */
typedef struct store_manifest {
    unsigned refs;
    unsigned len; /* at most the model's 4 MiB */
    char digest[DIGEST_STR_SIZE];
    char bytes[]; /* len bytes + NUL */
} store_manifest;

/* A tag of an image and its pagination key (see seq below). */
typedef struct store_tag {
    char *name;
    unsigned long long seq;
} store_tag;

struct store_repo;

/* Memory per image is a figure of the benchmark (docs/PERFORMANCE.md): the
 * digest and the bytes live once in the shared manifest, well-known media
 * types are not copied, a tag and its key share one array. */
typedef struct store_image {
    struct store_repo *repo; /* the repository holding it */
    const char *digest;      /* "sha256:<hex>" of manifest (in the shared manifest) */
    const char *manifest;    /* exact bytes (shared, see store_manifest), NUL-terminated */
    size_t manifest_len;
    char *media_type; /* a copy, or one of store.c's well-known names */
    long long size;   /* imageSizeInBytes */
    double pushed_at; /* epoch seconds */
    store_tag *tags;  /* in the order they were put */
    size_t ntags;
    char **refs; /* child digests of an index / manifest list */
    size_t nrefs;
    /* Pagination keys (page.h): seq orders images in push order, tags[i].seq
     * orders tags[i] (both from the repository's counter, never reused), so a
     * nextToken that names the last item returned stays meaningful whatever
     * happens to other items. */
    unsigned long long seq;
    size_t slot; /* index in repo->slots */
} store_image;

/* The manifest lists of a repository that reference one child digest, in
 * push order, each once. */
typedef struct store_parents {
    char *child; /* the key */
    store_image **v;
    size_t n, cap;
} store_parents;

typedef struct store_repo {
    struct store *owner;
    char *name;
    double created_at; /* epoch seconds */
    int immutable;     /* imageTagMutability IMMUTABLE */
    int scan_on_push;
    char *encryption_type; /* "AES256" or "KMS" */
    char *kms_key;         /* NULL unless given */
    char *tags_json;       /* CreateRepository's tags as a JSON array text; NULL: none */
    /* Images in push order. A deleted image leaves a NULL slot (its seq
     * stays in slot_seq, so the slots stay sorted by seq and a page can
     * start with a binary search); the slots are compacted when more than
     * half are empty. Iterate with `for (i = ecremu_store_slot_from(r, k);
     * i < r->nslots; i++) if (r->slots[i]) ...`. */
    store_image **slots;
    unsigned long long *slot_seq;
    size_t nslots, slot_cap;
    size_t nimages;              /* images held (non-NULL slots) */
    store_map by_digest;         /* digest -> store_image */
    store_map by_tag;            /* tag -> store_image */
    store_map parents;           /* child digest -> store_parents */
    unsigned long long seq;      /* creation order in the store (pagination key) */
    unsigned long long next_seq; /* counter for the seq of images and tags */
} store_repo;

typedef struct store {
    pthread_rwlock_t mu;
    store_repo **repos; /* in creation order */
    size_t nrepos;
    store_map by_name;           /* repository name -> store_repo */
    store_map manifests;         /* digest -> store_manifest */
    unsigned long long next_seq; /* counter for repositories' seq */
    struct blob_store *blobs;    /* layer blobs and uploads (blobs.h); owned */
} store;

/* What an image is made of, as PutImage learned it. All borrowed; the store
 * copies what it keeps. */
typedef struct store_image_spec {
    const char *manifest;
    size_t manifest_len;
    const char *media_type;
    long long size;
    double pushed_at;
    const char *const *refs;
    size_t nrefs;
    const char *digest; /* the manifest's digest when the caller computed it, else NULL */
} store_image_spec;

/* A copy of every (parent index, child digest) pair of a repository. */
typedef struct store_ref {
    char *parent;
    char *child;
} store_ref;

typedef struct store_refs {
    store_ref *v;
    size_t n;
} store_refs;

/* Returns a new empty store (with an empty blob store holding at most
 * BLOBS_DEFAULT_MAX_BYTES), or NULL when out of memory. Free with
 * ecremu_store_free. */
store *ecremu_store_new(void);

/* Frees the store and everything in it. s may be NULL. The lock must not
 * be held. */
void ecremu_store_free(store *s);

/* Take the store's lock to change it (exclusive) or only to read it
 * (shared: readers run in parallel); release either with
 * ecremu_store_unlock. */
void ecremu_store_lock(store *s);
void ecremu_store_rdlock(store *s);
void ecremu_store_unlock(store *s);

/* Returns the repository named name (exact match) or NULL. Borrowed. */
store_repo *ecremu_store_repo_find(const store *s, const char *name);

/* Creates an empty repository with the given settings (encryption_type NULL
 * means "AES256"). Returns ECR_EINVAL when one of that name exists, ECR_ENOMEM;
 * on success *out (if out is not NULL) borrows the new repository. */
ecr_result ecremu_store_repo_create(store *s, const char *name, double created_at, int immutable,
                                    int scan_on_push, const char *encryption_type,
                                    const char *kms_key, store_repo **out);

/* Removes r and all its images, layer blobs and uploads from s and frees
 * them. r must be in s. */
/* Replaces r's tags with a copy of tags_json (a JSON array's text; NULL: no
 * tags). Returns ECR_OK or ECR_ENOMEM (r's tags then unchanged). Caller holds
 * the store lock. */
ecr_result ecremu_store_repo_set_tags(store_repo *r, const char *tags_json);

void ecremu_store_repo_delete(store *s, store_repo *r);

/* Returns the image with that exact digest, or NULL. Borrowed. */
store_image *ecremu_store_image_by_digest(const store_repo *r, const char *digest);

/* Returns the image currently tagged tag, or NULL. Borrowed. */
store_image *ecremu_store_image_by_tag(const store_repo *r, const char *tag);

/* Returns 1 when img carries tag, else 0. */
int ecremu_store_image_has_tag(const store_image *img, const char *tag);

/* Adds a new untagged image. The digest is computed here from the manifest
 * bytes unless spec->digest gives it (it must be theirs). Returns ECR_EINVAL when an image with
 * that digest already exists, ECR_ECRYPTO when hashing fails, ECR_ENOMEM; on success *out borrows
 * it. */
ecr_result ecremu_store_image_add(store_repo *r, const store_image_spec *spec, store_image **out);

/* Puts tag on img, taking it away from whichever image carried it (that image
 * stays, possibly untagged). A tag img already has is left alone. Returns
 * ECR_ENOMEM, else ECR_OK. */
ecr_result ecremu_store_tag_set(store_repo *r, store_image *img, const char *tag);

/* Removes tag from img. Returns 1 when it was there, else 0. The image is
 * never deleted here, even when it loses its last tag. */
int ecremu_store_tag_remove(store_image *img, const char *tag);

/* Removes img (and with it its tags) from r and frees it. Images that img
 * referenced are not touched. img must be in r. */
void ecremu_store_image_delete(store_repo *r, store_image *img);

/* Returns the index of the first slot of r whose image seq is >= seq (0 for
 * seq 0): where a page that resumes after key seq starts. O(log n). */
size_t ecremu_store_slot_from(const store_repo *r, unsigned long long seq);

/* Returns the images of r whose manifest lists reference child, in push
 * order, each once; *n gets their number. Borrowed: valid until r changes.
 * O(1). */
store_image *const *ecremu_store_parents(const store_repo *r, const char *child, size_t *n);

/* Copies every (parent, child) reference of r into out (initialised here).
 * Returns ECR_ENOMEM (out is then empty), else ECR_OK. Free with
 * ecremu_store_refs_free. */
ecr_result ecremu_store_refs_snapshot(const store_repo *r, store_refs *out);

/* Frees what out holds; out may be NULL. */
void ecremu_store_refs_free(store_refs *out);

#endif
