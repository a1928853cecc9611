/* casefile.h: loading and validating case files (docs/CASES.md).
 *
 * A loaded case is plain data: every string is owned by the case and freed by
 * ecrc_case_free. The step input is a json-c object owned by the case (one
 * reference). Input, raw target/body/header values and goldens keep their
 * ${...} variables unexpanded: the runner expands them once the fixture's
 * names and digests are known (vars.h).
 */
#ifndef ECR_CASEFILE_H
#define ECR_CASEFILE_H

#include <json-c/json.h>
#include <stddef.h>
#include "ecrc.h"

#include "ecr/diag.h"
#include "ecr/digest.h"
#include "ecr/protocol.h"
#include "casepaths.h" /* ecrc_case_find_cases_root, ecrc_case_collect_paths */
#include "filecache.h"
#include "golden.h"

/* A blob (config or layer) an image manifest references, read from
 * <cases_root>/blobs/sha256/<hex> when the case is loaded. */
typedef struct case_blob {
    char digest[DIGEST_STR_SIZE]; /* "sha256:<hex>": checked against the bytes */
    char *data;                   /* the exact bytes (owned) */
    size_t len;                   /* equal to the manifest's "size" */
} case_blob;

/* Blob files are small by design (scripts/gen-fixture-blobs writes a few
 * hundred bytes each); the cap keeps a stray file from being pushed. */
#define BLOB_FILE_MAX (4u * 1024 * 1024)

typedef struct case_image {
    char *id;
    char *manifest_path; /* as written, relative to the cases root */
    char *manifest;      /* the file's exact bytes (NUL-terminated) */
    size_t manifest_len;
    char digest[DIGEST_STR_SIZE]; /* sha256 of the manifest bytes ("" when unreadable) */
    case_blob *blobs;             /* config then layers, each digest once; none for an index */
    size_t nblobs;
    char *media_type; /* NULL: taken from the manifest's "mediaType" */
    int send_digest;  /* 1 (default): PutImage carries imageDigest; 0: the target computes it */
    char **tags;
    size_t ntags;
} case_image;

typedef struct case_repo {
    char *name;
    int create; /* 0: reserved name only */
    int length; /* 0: natural length; else pad to exactly this */
    case_image *images;
    size_t nimages;
} case_repo;

typedef struct case_fault {
    ecr_fault_kind kind;
    char *repository; /* fixture repository name */
    char *image;      /* fixture image id, or NULL */
    char *operation;  /* operation the request-level kinds apply to; NULL: BatchDeleteImage */
} case_fault;

typedef struct case_step {
    char *name;
    char *operation;
    json_object *input;  /* owned; {} when absent */
    int raw;             /* nonzero when a "raw" member was given */
    ecrc_sign_mode auth; /* raw.auth; ECRC_SIGN_SIGV4 when absent */
    char *target;        /* NULL: default for operation */
    char *raw_body;      /* NULL: JSON of input */
    char **header_names, **header_values;
    size_t nheaders;
    char *golden_path; /* resolved path of the golden file */
    golden *golden;    /* owned; loaded with the case */
} case_step;

typedef struct case_def {
    char *path; /* the case file */
    char *id;
    char *summary;
    char **covers;
    size_t ncovers;
    char **requires;
    size_t nrequires;
    case_repo *repos;
    size_t nrepos;
    case_fault *faults;
    size_t nfaults;
    case_step *steps;
    size_t nsteps;
} case_def;

/* Loads the case file at path, its manifests (relative to cases_root) and the
 * golden of every step (golden_root/<id>/<step>.json, or golden_root/<golden>
 * when the step overrides it). Validates every rule of docs/CASES.md: types
 * and required members, unknown members (typos), the id pattern and
 * <id>.json file name, covers labels, known capabilities in requires (and
 * "fault-injection" whenever there are faults), unique repository names,
 * image ids (case-wide, [A-Za-z0-9._-]+) and step names, length 2..256,
 * images only in created repositories, manifests readable JSON of at most
 * MANIFEST_FILE_MAX bytes below cases_root (no absolute paths or ".."),
 * complete images (every blob an image manifest references, config and
 * layers, is a file <cases_root>/blobs/sha256/<hex> of at most BLOB_FILE_MAX
 * bytes whose sha256 and size match the manifest; the blobs are loaded),
 * an index / manifest list only after the images it references in the same
 * repository (ECR refuses it otherwise),
 * fault kinds / repository / image, raw.auth, a ListImages or DescribeImages
 * step after the first step, and every ${...} in input, raw and the goldens
 * naming repo:<fixture repo>, digest:<fixture image>, account or region.
 * Manifests are kept as exact bytes; their digests are left to the runner.
 * Every problem found is added to diags as `file: field: message` (the
 * golden's own problems name the golden file); loading goes on after a
 * problem so all of them are reported. Returns the case when it is valid,
 * NULL when anything was wrong (at least one diagnostic was then added). The
 * caller frees with ecrc_case_free. Ids unique across a run are the caller's
 * check (one file is all this sees). Manifests and blobs are read through
 * cache, which a caller loading many cases shares between them (filecache.h:
 * the files must not change meanwhile); NULL gives this case a cache of its
 * own. */
case_def *ecrc_case_load(const char *path, const char *cases_root, const char *golden_root,
                         ecrc_filecache *cache, diag_list *diags);

/* ecrc_case_load on a document already parsed (ECR_JSON_FILE): path only
 * names the case in diagnostics; goldens and manifests are still read below
 * the roots. Takes ownership of root (always released). The fuzz target
 * uses it to keep file I/O out of the loop. */
case_def *ecrc_case_from_json(const char *path, json_object *root, const char *cases_root,
                              const char *golden_root, ecrc_filecache *cache, diag_list *diags);

/* Frees everything c owns; c may be NULL. */
void ecrc_case_free(case_def *c);

#endif
