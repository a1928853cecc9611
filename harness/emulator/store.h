/* store.h: the emulator's state: repositories and the images they hold.
 *
 * A repository holds images keyed by digest; each image keeps the exact
 * manifest bytes that were pushed, its media type, size, push time, its tags
 * (a tag names at most one image per repository) and, for an image index /
 * manifest list, the digests it references ("manifests"[].digest). Layer
 * blobs and uploads in progress live in the store's blob_store (blobs.h),
 * per repository.
 *
 * Thread safety: one mutex per store. Callers take it with ecremu_store_lock around
 * a whole operation (an ECR request is atomic), and every other function
 * assumes it is held. The structs are readable by callers; only store.c
 * changes them. Pointers to repositories and images stay valid until that
 * repository or image is deleted (or the store freed).
 */
#ifndef ECR_EMU_STORE_H
#define ECR_EMU_STORE_H

#include <pthread.h>
#include <stddef.h>
#include "ecr/digest.h"
#include "ecr/result.h"

typedef struct store_image {
    char digest[DIGEST_STR_SIZE]; /* "sha256:<hex>" of manifest */
    char *manifest;               /* exact bytes, NUL-terminated for convenience */
    size_t manifest_len;
    char *media_type;
    long long size;   /* imageSizeInBytes */
    double pushed_at; /* epoch seconds */
    char **tags;      /* in the order they were put */
    size_t ntags;
    char **refs; /* child digests of an index / manifest list */
    size_t nrefs;
    /* Pagination keys (page.h): seq orders images in push order, tag_seq[i]
     * orders tags[i] (both from the repository's counter, never reused), so a
     * nextToken that names the last item returned stays meaningful whatever
     * happens to other items. */
    unsigned long long seq;
    unsigned long long *tag_seq;
} store_image;

typedef struct store_repo {
    char *name;
    double created_at; /* epoch seconds */
    int immutable;     /* imageTagMutability IMMUTABLE */
    int scan_on_push;
    char *encryption_type; /* "AES256" or "KMS" */
    char *kms_key;         /* NULL unless given */
    char *tags_json;       /* CreateRepository's tags as a JSON array text; NULL: none */
    store_image **images;  /* in push order */
    size_t nimages;
    unsigned long long seq;      /* creation order in the store (pagination key) */
    unsigned long long next_seq; /* counter for the seq of images and tags */
} store_repo;

typedef struct store {
    pthread_mutex_t mu;
    store_repo **repos; /* in creation order */
    size_t nrepos;
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

/* Frees the store and everything in it. s may be NULL. The mutex must not
 * be held. */
void ecremu_store_free(store *s);

/* Take / release the store's mutex. */
void ecremu_store_lock(store *s);
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
 * bytes. Returns ECR_EINVAL when an image with that digest already exists,
 * ECR_ECRYPTO when hashing fails, ECR_ENOMEM; on success *out borrows it. */
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

/* Copies every (parent, child) reference of r into out (initialised here).
 * Returns ECR_ENOMEM (out is then empty), else ECR_OK. Free with
 * ecremu_store_refs_free. */
ecr_result ecremu_store_refs_snapshot(const store_repo *r, store_refs *out);

/* Frees what out holds; out may be NULL. */
void ecremu_store_refs_free(store_refs *out);

#endif
