/* control.h: fault injection and the emulator control interface.
 *
 * ECR's public API cannot make a repository's KMS key unusable or an
 * upstream registry throttle on demand, so the emulator keeps a table of
 * faults, keyed by repository name, that tests set through a small HTTP
 * interface under /__ecrconform/ (not part of ECR's wire API; no auth).
 * Faults survive the deletion of their repository until cleared, and apply
 * only to requests naming that repository, so parallel cases never meet
 * each other's faults. docs/EMULATOR.md documents the interface.
 *
 * Thread safety: the table has its own mutex; every function takes it. The
 * lock order is store, then control (api code asks about faults while it
 * holds the store lock; control never takes the store lock).
 */
#ifndef ECR_EMU_CONTROL_H
#define ECR_EMU_CONTROL_H

#include <json-c/json.h>
#include <stddef.h>
#include "ecr/protocol.h"
#include "ecr/result.h"

/* Fault kinds and their names are shared with the runner: ecr/protocol.h
 * (ecr_fault_kind, ecr_fault_kind_name, ecr_fault_kind_parse). */

typedef struct control control;

/* What the capabilities document reports. Strings are borrowed for the
 * lifetime of the control object. */
typedef struct control_info {
    const char *account;
    const char *region;
    int strict_auth;
} control_info;

/* Returns an empty fault table, or NULL when out of memory. info is copied
 * (its strings stay borrowed). */
control *ecremu_control_new(const control_info *info);

/* Frees the table; c may be NULL. */
void ecremu_control_free(control *c);

/* Adds a fault. digest is required for ECR_FAULT_IMAGE_INACCESSIBLE and ignored
 * otherwise; op names the operation of a request-level kind (NULL:
 * "BatchDeleteImage") and is ignored for item kinds. Adding the same fault
 * twice keeps one. Returns ECR_EINVAL for a missing repo/digest, ECR_ENOMEM,
 * else ECR_OK. */
ecr_result ecremu_control_add_fault(control *c, ecr_fault_kind kind, const char *repo,
                                    const char *digest, const char *op);

/* Removes every fault of repository repo. Cannot fail. */
void ecremu_control_clear(control *c, const char *repo);

/* Returns 1 when a request-level fault of that kind is set for requests of
 * operation op naming repository repo, else 0. c may be NULL (no faults). */
int ecremu_control_request_fault(control *c, ecr_fault_kind kind, const char *op, const char *repo);

/* For a BatchDeleteImage item that resolved to the image with digest in
 * repository repo: returns 1 and sets *code / *reason (static strings) when
 * an item fault applies, else 0. An image-inaccessible fault on that image
 * wins over repository-wide kinds, which apply in the order they were added.
 * c may be NULL. */
int ecremu_control_item_fault(control *c, const char *repo, const char *digest, const char **code,
                              const char **reason);

/* Serves one control request. method is the HTTP method, path the URL path
 * (starting with "/__ecrconform/"), repo_query the repositoryName query
 * argument or NULL and repo_query_len its decoded length (a %00 in the query
 * decodes to a NUL inside it: such a name is refused with 400, never cut),
 * body/len the request body. Sets *out to the JSON reply
 * (caller owns it; NULL only when out of memory) and returns the HTTP status:
 * 200 on success, 400 for a bad fault request, 404 for an unknown path,
 * 405 for a wrong method, 500 when out of memory. */
int ecremu_control_handle(control *c, const char *method, const char *path, const char *repo_query,
                          size_t repo_query_len, const char *body, size_t len, json_object **out);

#endif
