/* filecache.h: the files one load reads more than once (manifests, blobs).
 *
 * A fixture names manifests and blobs that its other images, and other cases,
 * name too: the corpus has 138 cases but a handful of manifests. Reading,
 * resolving (realpath) and hashing a file at every mention cost a corpus load
 * 1,432 opens and 2,048 readlinks, and made a fuzz input naming 500 images
 * take 47 ms. The cache keeps, per (path, root, size limit): the file's bytes
 * or why they could not be read, their SHA-256, and whether the path
 * resolves inside root. It assumes the files do not change during its life:
 * one load (ecrc_load_cases_filtered, or one ecrc_case_load). One thread at
 * a time. Bounded: FILECACHE_ENTRIES_MAX entries and FILECACHE_BYTES_MAX
 * bytes of file data; when an insertion would pass either, the cache is
 * emptied first, so a huge load reads again, never wrongly. */
#ifndef ECRC_FILECACHE_H
#define ECRC_FILECACHE_H

#include <json-c/json.h>
#include <stddef.h>

#include "ecr/digest.h"

#define FILECACHE_ENTRIES_MAX 4096
#define FILECACHE_BYTES_MAX (64u * 1024 * 1024)

typedef struct ecrc_filecache ecrc_filecache;

typedef struct ecrc_cached_file {
    const char *data; /* len bytes and a NUL; NULL when unreadable */
    size_t len;
    char why[160];                /* ecr_read_file's message when data is NULL */
    char digest[DIGEST_STR_SIZE]; /* "sha256:<hex>" of data; "" when unreadable or unhashable */
    int inside; /* ecrc_path_inside(path, root): 1, 0, -1; 1 when no root was given */
} ecrc_cached_file;

/* A new, empty cache, or NULL when memory runs out. Free with
 * ecrc_filecache_free. */
ecrc_filecache *ecrc_filecache_new(void);

/* The file at path: read with ecr_read_file (regular files only, at most max
 * bytes) and hashed the first time, from the cache afterwards. root, when not
 * NULL, is checked first: a path that resolves outside it is not read (data
 * NULL, inside 0, why says so). Returns NULL only when memory runs out. The
 * entry belongs to the cache and stays valid until the next
 * ecrc_filecache_get or ecrc_filecache_free: copy what must outlive that. */
const ecrc_cached_file *ecrc_filecache_get(ecrc_filecache *fc, const char *path, const char *root,
                                           size_t max);

/* File f (an entry ecrc_filecache_get returned, still valid) parsed as JSON
 * (ecr_json_parse, ECR_JSON_FILE, diagnostics naming path), once: images
 * that share a manifest share its parse, which was most of the time of a
 * case naming many images. Returns a new reference the caller releases with
 * json_object_put (so the cache may be emptied meanwhile) and must not
 * modify; NULL when f has no data, is empty or is not valid JSON, with *err
 * (owned by the cache, valid as long as f) saying why, or "out of memory". */
json_object *ecrc_filecache_json(ecrc_filecache *fc, const ecrc_cached_file *f, const char *path,
                                 const char **err);

/* Frees the cache and every entry; fc may be NULL. */
void ecrc_filecache_free(ecrc_filecache *fc);

#endif
