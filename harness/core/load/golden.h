/* golden.h: loading and validating golden files (docs/CASES.md). */
#ifndef ECR_GOLDEN_H
#define ECR_GOLDEN_H

#include <json-c/json.h>
#include <stddef.h>
#include "ecr/diag.h"

typedef enum golden_level { LEVEL_C = 0, LEVEL_D, LEVEL_I, LEVEL_E } golden_level;

/* A golden. A plain golden holds one expected response (status, body or
 * error, headers). A golden whose whole response is open (docs/CASES.md,
 * "Open questions") holds the question and its alternatives instead: each
 * alternative is a golden of its own (answer, level and sources set, no
 * path/notes, nalts 0) and the top-level response members are unset. */
typedef struct golden {
    char *path; /* NULL in an alternative */
    golden_level level;
    char **sources;
    size_t nsources;
    char *notes; /* NULL when absent */
    int status;
    json_object *body;          /* owned; NULL when the golden expects an error */
    char *error_type;           /* NULL when the golden expects a body */
    json_object *error_message; /* owned; a string or a matcher object; NULL: not compared */
    json_object *error_members; /* owned array of the exact body member names; NULL: not compared */
    json_object *headers;       /* owned object name -> string/matcher; NULL when absent */
    char *skip_default_headers; /* why this step's response need not carry ECR's headers; or NULL */
    char *question;             /* top-level $anyOf: the open question; NULL otherwise */
    /* With a top-level $anyOf, status (when nonzero) is the status every
     * alternative shares: a settled fact checked apart from the question. */
    char *answer;        /* an alternative's answer; NULL otherwise */
    struct golden *alts; /* top-level $anyOf alternatives (owned) */
    size_t nalts;
    int open; /* 1 when the golden holds a $anyOf anywhere (an "open" expectation) */
} golden;

/* Size caps checked before a file is read: case files and goldens, and
 * manifests (ECR itself refuses manifests over 4 MiB; ours are small). */
#define GOLDEN_FILE_MAX (4u * 1024 * 1024)
#define MANIFEST_FILE_MAX (1u * 1024 * 1024)
/* Most elements a $set may hold (pairing is quadratic); lint and compare
 * share it. */
#define GOLDEN_SET_MAX 1000

/* Loads and validates the golden at path: provenance (level, sources, notes
 * for I/E), status, exactly one of body/error, well-formed matchers, and on
 * I/E goldens no plain-string error.message or failureReason; unknown members
 * are errors. Open questions ($anyOf, top-level or inside a value) are
 * checked: a question that is an "oq-" anchor of docs/ECR-BEHAVIOUR.md, at
 * least two alternatives with distinct answers, each with a level and
 * sources, no nested $anyOf, and a provenance level no stronger than the
 * weakest alternative. Every source "ECR-BEHAVIOUR.md#<anchor>" must name an
 * anchor (<a id="...">) of the docs/ECR-BEHAVIOUR.md found in the nearest
 * directory above the golden that has one (up to the root), else in the
 * current directory. Every problem is added to diags (file = path, field =
 * e.g. "provenance.level" or "body.failures[0].failureReason"). Returns NULL when anything was
 * wrong; the caller frees the golden with ecrc_golden_free. Variables are not checked here: only
 * the case knows its fixture (casefile.c does). */
golden *ecrc_golden_load(const char *path, diag_list *diags);

/* ecrc_golden_load on a document already parsed (ECR_JSON_FILE): path only
 * names the golden in diagnostics and locates docs/ECR-BEHAVIOUR.md. Takes
 * ownership of root (always released). Same result and diagnostics as
 * ecrc_golden_load; the fuzz target uses it to keep file I/O out of the
 * loop. */
golden *ecrc_golden_from_json(const char *path, json_object *root, diag_list *diags);

/* Validates matcher syntax inside j (used for body, messages and headers):
 * a "$" key must be the only member of its object and one of $any (true),
 * $absent (true; only as an object member or at the top), $regex (a string
 * that compiles as a POSIX ERE once every ${...} is replaced by a dummy),
 * $type (string, number, boolean, object, array or null), $set (an array)
 * or $partial (an object), except $anyOf, whose object also holds
 * "question" (its alternatives' syntax is checked here, their citations by
 * ecrc_golden_load); matchers nest. Adds problems to diags with field
 * paths under `where`. Returns the number of problems found. */
size_t ecrc_golden_check_matchers(json_object *j, const char *file, const char *where,
                                  diag_list *diags);

/* "C", "D", "I", "E". */
const char *ecrc_golden_level_name(golden_level l);

/* Frees g; g may be NULL. */
void ecrc_golden_free(golden *g);

#endif
