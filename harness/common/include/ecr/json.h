/* ecr/json.h: JSON documents, the one place that parses, reads, checks and
 * writes JSON (json-c underneath).
 *
 * Two kinds of text come in. Our own files (cases, goldens, manifests,
 * baselines, report.json read back) are parsed with ECR_JSON_FILE: json-c's
 * strict mode plus a scan of our own for what json-c lets through (duplicate
 * keys, \u0000, control characters, single quotes, NaN). Bodies from the
 * network are parsed with ECR_JSON_PEER (JSON's syntax, nothing more) or
 * ECR_JSON_STRICT (the emulator's requests): one parse path, the flags
 * select how strict it is.
 *
 * Diagnostics go to a diag_list as `file: field: message`; syntax errors read
 * "invalid JSON at line L, column C: ..." with an empty field.
 *
 * Ownership is json-c's: functions returning json_object * hand over a new
 * reference (the caller puts it); getters return borrowed pointers that live
 * as long as the object they came from.
 */
#ifndef ECR_JSON_H
#define ECR_JSON_H

#include <json-c/json.h>
#include <stddef.h>
#include <stdint.h>

#include "ecr/diag.h"
#include "ecr/result.h"

/* ---- parsing -------------------------------------------------------------- */

/* json-c's strict mode with UTF-8 validation: no comments, no trailing
 * commas, nothing but whitespace after the value. */
#define ECR_JSON_STRICT 0x1u
/* Our scan on top: duplicate keys, \u0000 in a string or key, raw control
 * characters or NUL bytes, single-quoted strings and NaN/Infinity (all of
 * which json-c 0.16 accepts even when strict) are refused. */
#define ECR_JSON_CHECKED 0x2u
/* JSON's syntax and nothing more: json-c's strict mode without UTF-8
 * validation, and our scan for what it lets through that is not JSON
 * (single-quoted strings, NaN/Infinity, raw control characters). Duplicate
 * keys, \u0000, integers beyond 64 bits and invalid UTF-8 are valid syntax
 * here: a peer's are the caller's to report as differences. */
#define ECR_JSON_SYNTAX 0x4u
/* Our own files. */
#define ECR_JSON_FILE (ECR_JSON_STRICT | ECR_JSON_CHECKED)
/* Bodies from a peer. json-c's lenient defaults took comments, trailing
 * commas, single quotes and NaN, so `{...}//<html>` passed a golden. */
#define ECR_JSON_PEER ECR_JSON_SYNTAX

/* Parses len bytes of text (which need not be NUL-terminated) as one JSON
 * value. Returns a new reference, or NULL after adding one diagnostic
 * (file, field "") to diags; diags may be NULL when the caller only needs
 * the yes/no. A document that is just `null` is refused too ("the document
 * is null"), so NULL always means failure.
 *
 * rest: when NULL, anything but whitespace after the value is an error. When
 * not NULL, bytes after a complete value are allowed and *rest receives the
 * offset of the first non-whitespace byte after the value, or len when there
 * is none: a peer's `{...}<html>` (or `{...}// comment`) is then the
 * caller's to report. */
json_object *ecr_json_parse(const char *text, size_t len, unsigned flags, size_t *rest,
                            const char *file, diag_list *diags);

/* Reads the file at path and parses it with flags (no bytes may follow the
 * value). The file is opened without blocking and without following it into
 * a FIFO or device: anything but a regular file is refused, and so is a file
 * larger than maxsize bytes, before a byte is read. Returns a new reference
 * or NULL after adding one diagnostic for path ("cannot open: ...", "cannot
 * read: not a regular file", "file too large (N bytes, limit M)", "invalid
 * JSON: the file is empty", "invalid JSON at line L, column C: ..."). When
 * text is not NULL and the parse succeeds, *text receives the exact bytes
 * (NUL-terminated, caller frees) and *len their count (len may be NULL). */
json_object *ecr_json_read_file(const char *path, size_t maxsize, unsigned flags, char **text,
                                size_t *len, diag_list *diags);

/* ---- typed getters -------------------------------------------------------- */

/* Where a document's diagnostics go. errors counts every diagnostic the
 * getters report, even one the list had no memory to keep, so a loader can
 * rely on it to decide success. */
typedef struct ecr_json_src {
    const char *file;
    diag_list *diags;
    size_t errors;
} ecr_json_src;

/* Adds a diagnostic and counts it in src->errors. Every getter below takes
 * src NULL to mean "look up silently" (report.json is read back that way). */
void ecr_json_error(ecr_json_src *src, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Options of the getters. */
#define ECR_JSON_REQUIRED 0x1u /* absent: "required member missing" */
#define ECR_JSON_NONEMPTY 0x2u /* "" or []: "must not be empty" */

/* Member key of object obj (whose field path is where) when it has type t;
 * obj that is NULL or not an object has no members.
 * Returns it (borrowed) or NULL when absent (reported with
 * ECR_JSON_REQUIRED), of another type ("must be a string", "must be an
 * integer", "must be true or false", "must be an object", "must be an
 * array", ...) or empty under ECR_JSON_NONEMPTY (both reported). */
json_object *ecr_json_member(ecr_json_src *src, json_object *obj, const char *where,
                             const char *key, json_type t, unsigned opts);

/* The string member key (borrowed), or NULL as ecr_json_member. */
const char *ecr_json_get_string(ecr_json_src *src, json_object *obj, const char *where,
                                const char *key, unsigned opts);

/* The object and array members, as ecr_json_member. */
json_object *ecr_json_get_object(ecr_json_src *src, json_object *obj, const char *where,
                                 const char *key, unsigned opts);
json_object *ecr_json_get_array(ecr_json_src *src, json_object *obj, const char *where,
                                const char *key, unsigned opts);

/* The integer member key into *out when it lies in [min, max]. Returns 1 when
 * stored, 0 when absent (reported under ECR_JSON_REQUIRED), -1 when it is not
 * an integer in range ("must be an integer from MIN to MAX", reported). */
int ecr_json_get_int(ecr_json_src *src, json_object *obj, const char *where, const char *key,
                     unsigned opts, int64_t min, int64_t max, int64_t *out);

/* The boolean member key into *out (0 or 1). Returns 1, 0 or -1 as
 * ecr_json_get_int ("must be true or false"). */
int ecr_json_get_bool(ecr_json_src *src, json_object *obj, const char *where, const char *key,
                      unsigned opts, int *out);

/* Copies of the strings of array arr (field path where) into a new
 * NULL-terminated array (caller frees each and the array); *n receives how
 * many were kept. Elements that are not non-empty strings are reported
 * ("must be a non-empty string") and skipped. NULL on out of memory
 * (reported). */
char **ecr_json_get_strings(ecr_json_src *src, json_object *arr, const char *where, size_t *n);

/* The one unknown-member check: every member of object obj not named in
 * allowed (NULL-terminated) is reported at its own field path as
 * "unknown member (allowed: a, b, c)". Returns how many were reported. */
size_t ecr_json_check_members(ecr_json_src *src, json_object *obj, const char *where,
                              const char *const *allowed);

/* ---- writing -------------------------------------------------------------- */

/* The JSON output flags, defined once: compact text for the wire and for
 * diffs, indented text for files people read. Neither escapes '/'. */
#define ECR_JSON_COMPACT (JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)
#define ECR_JSON_PRETTY                                                                            \
    (JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE)

/* o as compact text, borrowed from o (valid until o changes or is freed);
 * "null" for NULL. NULL only when json-c runs out of memory. */
const char *ecr_json_text(json_object *o);

/* o serialised with flags (ECR_JSON_COMPACT or ECR_JSON_PRETTY) into a new
 * string the caller frees; NULL on out of memory. */
char *ecr_json_to_string(json_object *o, int flags);

/* Writes o (ECR_JSON_PRETTY, as json-c writes files: no final newline) to
 * path atomically: a new
 * temporary file in the same directory (O_CREAT|O_EXCL|O_NOFOLLOW, mode
 * 0644 before the umask), fsync, then rename over path. A symlink at path is
 * replaced, never written through; on failure path is untouched and the
 * temporary file removed. Returns ECR_OK, ECR_ENOMEM or ECR_EIO. */
ecr_result ecr_json_save(json_object *o, const char *path);

#endif
