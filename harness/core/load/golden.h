/* golden.h: loading and validating golden files (docs/CASES.md). */
#ifndef ECR_GOLDEN_H
#define ECR_GOLDEN_H

#include <json-c/json.h>
#include <stddef.h>
#include "ecr/diag.h"

typedef enum golden_level { LEVEL_C = 0, LEVEL_D, LEVEL_I, LEVEL_E } golden_level;

typedef struct golden {
    char *path;
    golden_level level;
    char **sources;
    size_t nsources;
    char *notes; /* NULL when absent */
    int status;
    json_object *body;          /* owned; NULL when the golden expects an error */
    char *error_type;           /* NULL when the golden expects a body */
    json_object *error_message; /* owned; a string or a matcher object; NULL: not compared */
    json_object *headers;       /* owned object name -> string/matcher; NULL when absent */
} golden;

/* Size caps checked before a file is read: case files and goldens, and
 * manifests (ECR itself refuses manifests over 4 MiB; ours are small). */
#define GOLDEN_FILE_MAX (4u * 1024 * 1024)
#define MANIFEST_FILE_MAX (1u * 1024 * 1024)

/* Loads and validates the golden at path: provenance (level, sources, notes
 * for I/E), status, exactly one of body/error, well-formed matchers, and on
 * I/E goldens no plain-string error.message or failureReason; unknown members
 * are errors. Every problem is added to diags (file = path, field = e.g.
 * "provenance.level" or "body.failures[0].failureReason"). Returns NULL when
 * anything was wrong; the caller frees the golden with ecrc_golden_free. Variables
 * are not checked here: only the case knows its fixture (casefile.c does). */
golden *ecrc_golden_load(const char *path, diag_list *diags);

/* Validates matcher syntax inside j (used for body, messages and headers):
 * a "$" key must be the only member of its object and one of $any (true),
 * $absent (true; only as an object member or at the top), $regex (a string
 * that compiles as a POSIX ERE once every ${...} is replaced by a dummy),
 * $type (string, number, boolean, object, array or null), $set (an array)
 * or $partial (an object); matchers nest. Adds problems to diags with field
 * paths under `where`. Returns the number of problems found. */
size_t ecrc_golden_check_matchers(json_object *j, const char *file, const char *where,
                                  diag_list *diags);

/* "C", "D", "I", "E". */
const char *ecrc_golden_level_name(golden_level l);

/* Frees g; g may be NULL. */
void ecrc_golden_free(golden *g);

#endif
