/* api.h: ECR operations as functions from a JSON request to an HTTP status
 * and a JSON reply, without any HTTP. The server calls api_handle after
 * authentication; tests call it directly.
 *
 * Order of checks (docs/EMULATOR.md, reference section 4): throttling fault,
 * operation (X-Amz-Target), body serialization and member types, constraints
 * (InvalidParameterException), access-denied / server-error faults, the
 * repository lookup, then the operation itself.
 */
#ifndef ECR_EMU_API_H
#define ECR_EMU_API_H

#include <json-c/json.h>
#include <stddef.h>
#include "control.h"
#include "store.h"

#define API_TARGET_PREFIX "AmazonEC2ContainerRegistry_V20150921."

/* What an operation runs against. All borrowed. */
typedef struct api_ctx {
    store *st;
    control *ctl;        /* NULL: no faults */
    const char *account; /* the caller's account id (registryId) */
    const char *region;  /* for ARNs and repository URIs */
} api_ctx;

/* Serves one ECR request. target is the X-Amz-Target header (NULL when
 * absent); body[0..len) is the request body and body[len] must be '\0' (a buf
 * guarantees it). Takes the store lock for the whole operation. Sets *out to
 * the reply (the caller owns it; {"__type","message"} for errors; NULL only
 * when out of memory) and returns the HTTP status (200, 400 or 500). */
int api_handle(const api_ctx *ctx, const char *target, const char *body, size_t len,
               json_object **out);

/* Returns 1 when name is an operation the emulator serves, else 0. */
int api_is_operation(const char *name);

#endif
