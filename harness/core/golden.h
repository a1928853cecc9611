/* golden.h: loading and validating golden files (docs/CASES.md). */
#ifndef ECR_GOLDEN_H
#define ECR_GOLDEN_H

#include <json-c/json.h>
#include "diag.h"

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

/* Loads and validates the golden at path: provenance (level, sources, notes
 * for I/E), status, exactly one of body/error, well-formed matchers, and on
 * I/E goldens no plain-string error.message or failureReason. Problems are
 * added to diags (file = path). Returns NULL when anything was wrong. */
golden *golden_load(const char *path, diag_list *diags);

/* Validates matcher syntax inside j (used for body and messages); adds
 * problems to diags with field paths under `where`. Returns the number of
 * problems found. */
size_t golden_check_matchers(json_object *j, const char *file, const char *where,
                             diag_list *diags);

/* "C", "D", "I", "E". */
const char *golden_level_name(golden_level l);

/* Frees g; g may be NULL. */
void golden_free(golden *g);

#endif
