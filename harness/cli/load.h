/* load.h: turning PATH arguments into loaded cases, shared by `run` and
 * `lint`. Every problem is collected; nothing stops at the first bad file. */
#ifndef ECR_CLI_LOAD_H
#define ECR_CLI_LOAD_H

#include <stddef.h>
#include "casefile.h"
#include "diag.h"
#include "runner.h"

typedef struct loaded_set {
    char **paths;       /* every case file found (owned) */
    run_entry *entries; /* one per kept path, in path order */
    case_def **cases;   /* owned, parallel to entries (NULL when invalid) */
    char **invalid;     /* owned first diagnostic of each invalid entry, or NULL */
    size_t n;
    size_t ninvalid; /* entries whose file did not load */
} loaded_set;

/* Loads every case under paths (default "cases" when npaths is 0). When
 * filter is non-NULL only cases whose id (or, for invalid files, file stem)
 * matches it are kept: a glob (fnmatch) when it has * ? or [, else a
 * substring. golden_dir NULL means "golden/ beside each case's cases/".
 * All diagnostics go to diags. Returns 0, or -1 on allocation failure. */
int load_cases(const char *const *paths, size_t npaths, const char *filter, const char *golden_dir,
               loaded_set *out, diag_list *diags);

/* Frees the set; s may be NULL. */
void loaded_set_free(loaded_set *s);

#endif
