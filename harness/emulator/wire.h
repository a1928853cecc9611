/* wire.h: the JSON side of the emulator's wire format, shared by the ECR
 * operations and the control interface.
 *
 * AWS JSON 1.1 bodies are parsed strictly (UTF-8 validated, nothing after
 * the value) and written without escaping '/', so repository names and media
 * types read as they were sent.
 */
#ifndef ECR_EMU_WIRE_H
#define ECR_EMU_WIRE_H

#include <json-c/json.h>
#include <stddef.h>

/* Parses body[0..len) as one JSON value (ecr_json_parse, ECR_JSON_STRICT;
 * body need not be NUL-terminated). An empty
 * or all-whitespace body yields an empty object (botocore always sends "{}";
 * we accept none as the same thing). Returns a new reference the caller puts,
 * or NULL when the body is not well-formed JSON (or out of memory). */
json_object *ecremu_wire_parse(const char *body, size_t len);

/* A NUL inside a string (JSON \u0000) cuts the value every C-string check
 * and lookup sees. This replaces each NUL inside the string values of o (at
 * any depth; member names are left alone) by DEL (0x7f), keeping every
 * length: a byte that no name, tag, digest, id or enum pattern allows
 * either, so the value fails its own rule instead of being read cut.
 * Members whose dotted path from o ("encryptionConfiguration.kmsKey"; an
 * array's items have the array's path) is in keep (NULL-terminated list,
 * or NULL) keep their NULs, for a reader that measures them itself. Adds
 * the number of NULs found, replaced or kept, to *n. Returns -1 when out
 * of memory (a NUL may remain), else 0. */
int ecremu_wire_nul_to_del(json_object *o, const char *const *keep, size_t *n);

/* Returns {"__type": type, "message": message} (a new reference), or NULL
 * when out of memory. message NULL gives "". */
json_object *ecremu_wire_error(const char *type, const char *message);

/* Returns the compact JSON text of o. The string is owned by o (valid until
 * o is put or changed). Never NULL for a non-NULL o except out of memory. */
const char *ecremu_wire_text(json_object *o);

/* Returns a JSON number for epoch seconds, written with millisecond
 * precision (as ECR's timestamps are). New reference or NULL. */
json_object *ecremu_wire_time(double epoch_seconds);

/* Writes a random UUID v4 (RFC 4122, lowercase, from OpenSSL RAND_bytes)
 * into out: request ids and upload ids. Cannot fail (a RAND_bytes failure
 * gives a fixed, still well-formed id). */
void ecremu_wire_uuid(char out[37]);

#endif
