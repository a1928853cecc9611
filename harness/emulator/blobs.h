/* blobs.h: layer blobs (config and layer content that PutImage's manifests
 * reference) and the uploads that create them, per repository.
 *
 * A blob is the exact bytes of a completed layer upload under its digest
 * ("sha256:<hex>" of the bytes). Every byte held, in blobs and in uploads
 * still in progress, counts against one cap per emulator (max_bytes), so a
 * client cannot make the emulator allocate without bound; uploads are capped
 * in number too. The blob store belongs to the store (store.h) and is used
 * under the store's mutex; nothing here locks.
 *
 * Ownership: the blob store owns every blob and upload; pointers handed out
 * stay valid until the blob's repository is forgotten, the upload is
 * committed or dropped, or the store is freed.
 */
#ifndef ECR_EMU_BLOBS_H
#define ECR_EMU_BLOBS_H

#include <stddef.h>
#include "ecr/digest.h"
#include "ecr/result.h"
#include "ecremu.h"

/* Default cap on all bytes held (blobs + uploads in progress);
 * ecremu_config.blob_bytes_max changes it per emulator. */
#define BLOBS_DEFAULT_MAX_BYTES ECREMU_DEFAULT_BLOB_BYTES
/* Uploads in progress at once, over all repositories. */
#define BLOBS_MAX_UPLOADS 256
/* An upload untouched for this long is dropped when a new one starts. */
#define BLOBS_UPLOAD_IDLE_SECONDS 3600.0
/* Blobs per repository. */
#define BLOBS_MAX_PER_REPO 10000

typedef struct blob {
    char digest[DIGEST_STR_SIZE];
    unsigned char *data;
    size_t size;
} blob;

typedef struct upload {
    char id[37]; /* UUID v4, the model's UploadId pattern */
    char *repo;
    unsigned char *data;
    size_t len, cap;
    size_t nparts;
    size_t last_part; /* size of the latest part */
    size_t min_inner; /* smallest part that was followed by another (0: none yet) */
    double touched;   /* epoch seconds of the last part (or the start) */
} upload;

typedef struct blob_store blob_store;

/* Returns an empty blob store holding at most max_bytes (0: the default), or
 * NULL when out of memory. */
blob_store *ecremu_blobs_new(size_t max_bytes);

/* Frees bs and everything it holds. bs may be NULL. */
void ecremu_blobs_free(blob_store *bs);

/* Bytes held now, and the cap. */
size_t ecremu_blobs_bytes(const blob_store *bs);
size_t ecremu_blobs_max_bytes(const blob_store *bs);

/* Sets the cap (0: the default). Bytes already held stay even when they are
 * over a lower cap; only new parts are refused. */
void ecremu_blobs_set_max_bytes(blob_store *bs, size_t max_bytes);

/* Drops every blob and upload of repository repo (it was deleted). */
void ecremu_blobs_forget_repo(blob_store *bs, const char *repo);

/* Returns the blob digest of repo, or NULL. Borrowed. */
const blob *ecremu_blobs_find(const blob_store *bs, const char *repo, const char *digest);

/* Starts an upload into repo at time now (uploads idle for over
 * BLOBS_UPLOAD_IDLE_SECONDS are dropped first). Returns ECR_ETOOBIG when
 * BLOBS_MAX_UPLOADS are in progress, ECR_ENOMEM; on success *out borrows it. */
ecr_result ecremu_blobs_upload_new(blob_store *bs, const char *repo, double now, upload **out);

/* Returns the upload id of repo, or NULL (also when id belongs to another
 * repository). Borrowed. */
upload *ecremu_blobs_upload_find(blob_store *bs, const char *repo, const char *id);

/* Appends one part (n >= 1 bytes) to u at time now and records its size.
 * Returns ECR_ETOOBIG when the cap on bytes held would be passed (u is
 * unchanged), ECR_ENOMEM, else ECR_OK. */
ecr_result ecremu_blobs_upload_append(blob_store *bs, upload *u, const void *data, size_t n,
                                      double now);

/* Ends u without keeping anything; u is freed. */
void ecremu_blobs_upload_drop(blob_store *bs, upload *u);

/* Turns u's bytes into the blob digest of u's repository; u is freed (its
 * bytes move, nothing is copied). Returns ECR_ETOOBIG when the repository
 * already holds BLOBS_MAX_PER_REPO blobs, ECR_ENOMEM (u is then left as it
 * was); on success *out (if not NULL) borrows the blob. The caller checks
 * first that the digest is right and not yet present. */
ecr_result ecremu_blobs_upload_commit(blob_store *bs, upload *u, const char *digest, blob **out);

#endif
