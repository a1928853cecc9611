/* ops.h: what every ECR operation of the emulator shares: the call state,
 * error replies, member type checks (SerializationException), constraint
 * checks (InvalidParameterException), request-level faults, the repository
 * lookup and image-identifier resolution.
 *
 * Every check function returns 0 when the check passed and -1 after it has
 * put the error reply into the call (so an operation can simply return).
 * Strings handed out are borrowed from the request object.
 */
#ifndef ECR_EMU_OPS_H
#define ECR_EMU_OPS_H

#include <json-c/json.h>
#include "answers.h"
#include <stddef.h>
#include "control.h"
#include "store.h"

/* What an operation runs against. All borrowed. */
typedef struct api_ctx {
    store *st;
    control *ctl;               /* NULL: no faults */
    const char *account;        /* the caller's account id (registryId) */
    const char *region;         /* for ARNs and repository URIs */
    int enforce_layers;         /* PutImage requires the config and layer blobs (ECR's rule) */
    const emu_answers *answers; /* answers to open questions; NULL: every default */
} api_ctx;

typedef struct op_call {
    const api_ctx *ctx;
    const char *op;   /* "BatchDeleteImage" */
    json_object *in;  /* the request body, an object (borrowed) */
    int status;       /* set by ecremu_op_ok / ecremu_op_fail */
    json_object *out; /* the reply; owned by the call until ecremu_api_handle returns it */
} op_call;

/* Sets a 200 reply (takes ownership of out; NULL means out of memory and
 * becomes a 500). Returns 0. */
int ecremu_op_ok(op_call *c, json_object *out);

/* Sets an error reply {"__type": type, "message": <printf>}. Returns -1. */
int ecremu_op_fail(op_call *c, int status, const char *type, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* InvalidParameterException with ECR's grammar:
 * "Invalid parameter at '<member>' failed to satisfy constraint: '<rule>'". */
int ecremu_op_invalid(op_call *c, const char *member, const char *rule);

/* 500 ServerException for an internal failure (out of memory). Returns -1. */
int ecremu_op_oom(op_call *c);

/* Step 4, member types. Each reads member key of obj; an absent or null
 * member yields NULL / the default and passes. A present member of the wrong
 * JSON type fails with SerializationException. */
int ecremu_op_string(op_call *c, json_object *obj, const char *key, const char **out);
int ecremu_op_bool(op_call *c, json_object *obj, const char *key, int *out);
int ecremu_op_int(op_call *c, json_object *obj, const char *key, int *present, long long *out);
int ecremu_op_array(op_call *c, json_object *obj, const char *key, json_object **out);
int ecremu_op_object(op_call *c, json_object *obj, const char *key, json_object **out);
/* An array whose items are all strings. */
int ecremu_op_string_list(op_call *c, json_object *obj, const char *key, json_object **out);

/* Type-checks an imageIds list: an array of objects whose imageDigest and
 * imageTag are strings when present. *out is NULL when the member is absent. */
int ecremu_op_image_ids(op_call *c, const char *key, json_object **out);

/* Step 5, constraints (InvalidParameterException). */
/* registryId, when given, must match [0-9]{12}. */
int ecremu_op_check_registry(op_call *c, const char *registry_id);
/* A repository name: not null, length 2..256, the model's pattern. member
 * names it in the message ("repositoryName"). */
int ecremu_op_check_repo_name(op_call *c, const char *member, const char *name);
/* A list member with min..max items; required: absent fails 'Member must not
 * be null'. arr NULL means absent. */
int ecremu_op_check_count(op_call *c, const char *member, json_object *arr, size_t min, size_t max,
                          int required);
/* Every imageTag of an imageIds list has length 1..300; the member is named
 * '<key>.<n>.member.imageTag' (n from 1). */
int ecremu_op_check_tags(op_call *c, const char *key, json_object *ids);
/* maxResults, when present, is 1..1000. */
int ecremu_op_check_max_results(op_call *c, int present, long long v);
/* member (present when present is nonzero) may not be given together with
 * other (the API reference says so of maxResults / nextToken with imageIds
 * or repositoryNames): 'Member must not be specified together with <other>'. */
int ecremu_op_check_not_with(op_call *c, const char *member, int present, const char *other,
                             int other_present);
/* filter.tagStatus, when present, is TAGGED, UNTAGGED or ANY. Sets *status
 * to the value, or "ANY" when absent. filter may be NULL. */
int ecremu_op_filter_tag_status(op_call *c, json_object *filter, const char **status);

/* Step 6: access-denied, then server-error faults set for this operation on
 * repository name. */
int ecremu_op_request_faults(op_call *c, const char *name);

/* Step 7: the registry id a reply names (registryId or the caller's). */
const char *ecremu_op_registry(const op_call *c, const char *registry_id);

/* Step 7: finds repository name; a registryId that is not the caller's
 * account, or no such repository, fails with RepositoryNotFoundException.
 * Returns NULL after setting the error. */
store_repo *ecremu_op_find_repo(op_call *c, const char *registry_id, const char *name);

/* Returns 1 when s matches ECR's digest pattern [a-zA-Z0-9-_+.]+:[a-fA-F0-9]+
 * (ImageDigest in failures, LayerDigest), else 0. */
int ecremu_op_valid_digest(const char *s);

/* How an image identifier resolves against a repository. */
typedef enum op_id_status {
    OP_ID_FOUND = 0,
    OP_ID_MISSING,      /* neither imageDigest nor imageTag */
    OP_ID_BAD_DIGEST,   /* InvalidImageDigest */
    OP_ID_BAD_TAG,      /* InvalidImageTag */
    OP_ID_TAG_MISMATCH, /* the tag names another image */
    OP_ID_NOT_FOUND
} op_id_status;

/* Resolves {digest?, tag?} in r; *img is set only for OP_ID_FOUND. */
op_id_status ecremu_op_resolve(const store_repo *r, const char *digest, const char *tag,
                               store_image **img);

/* 1 when tag matches ECR's tag character set [a-zA-Z0-9-_.]+, else 0. */
int ecremu_op_tag_well_formed(const char *tag);

/* failureCode / failureReason of a non-found status (static strings). */
const char *ecremu_op_id_code(op_id_status s);
const char *ecremu_op_id_reason(op_id_status s);

/* Reads imageDigest / imageTag of an imageIds entry (already type-checked). */
void ecremu_op_id_fields(json_object *item, const char **digest, const char **tag);

/* {"imageDigest": digest, "imageTag": tag} with NULL members left out. New
 * reference or NULL. */
json_object *ecremu_op_image_id(const char *digest, const char *tag);

/* An ImageFailure {imageId, failureCode, failureReason} appended to
 * failures. Returns 0, or -1 when out of memory. */
int ecremu_op_add_failure(json_object *failures, const char *digest, const char *tag,
                          const char *code, const char *reason);

/* A new object {"<key>": v}, taking ownership of v. Returns NULL (v freed)
 * when v is NULL or memory ran out, so a caller can wrap a fresh allocation
 * and check once. */
json_object *ecremu_op_wrap(const char *key, json_object *v);

/* The reply of a batch operation: a new object {"<key>": [], "failures": []}
 * whose two arrays are also returned in *items and *failures (borrowed from
 * the object). Both arrays are always present, even when they stay empty
 * (docs/ECR-BEHAVIOUR.md#echo-identifier). Returns NULL (nothing allocated) when out of
 * memory. */
json_object *ecremu_op_batch_reply(const char *key, json_object **items, json_object **failures);

/* The current time in epoch seconds. */
double ecremu_op_now(void);

#endif
