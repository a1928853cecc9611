/* api.h: ECR operations as functions from a JSON request to an HTTP status
 * and a JSON reply, without any HTTP. The server calls ecremu_api_handle after
 * authentication; tests call it directly.
 *
 * Order of checks (docs/EMULATOR.md, docs/ECR-BEHAVIOUR.md#order-of-checks): throttling fault,
 * operation (X-Amz-Target), body serialization and member types, constraints
 * (InvalidParameterException), access-denied / server-error faults, the
 * repository lookup, then the operation itself.
 */
#ifndef ECR_EMU_API_H
#define ECR_EMU_API_H

#include <json-c/json.h>
#include <stddef.h>
#include "ops.h"

/* Serves one ECR request. target is the X-Amz-Target header (NULL when
 * absent); body[0..len) is the request body and body[len] must be '\0' (a buf
 * guarantees it). Takes the store lock for the whole operation. Sets *out to
 * the reply (the caller owns it; {"__type","message"} for errors; NULL only
 * when out of memory) and returns the HTTP status (200, 400 or 500). */
int ecremu_api_handle(const api_ctx *ctx, const char *target, const char *body, size_t len,
                      json_object **out);

/* The checks of the front end alone: an unknown X-Amz-Target
 * (UnknownOperationException) or a body that is not a JSON object
 * (SerializationException). Returns 400 with *out set (the caller owns it),
 * or 0 when both are fine (*out NULL). No store access. */
int ecremu_api_front_end(const char *target, const char *body, size_t len, json_object **out);

#endif
