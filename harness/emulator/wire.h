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
