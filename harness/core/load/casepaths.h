/* casepaths.h: finding case files and the cases directory they belong to
 * (docs/CASES.md "Layout"). Split from casefile so that loading and
 * validating a case stays one readable file; casefile.h includes this. */
#ifndef ECR_CASEPATHS_H
#define ECR_CASEPATHS_H

#include <stddef.h>
#include "ecr/diag.h"

/* Finds the cases root for a case file: the nearest ancestor directory named
 * "cases", textually in path, else in its realpath (so "./x.json" run from
 * inside cases/ works; the result is then absolute). Writes it into out (size
 * outsz) and returns 1, or returns 0 when there is none or it does not fit
 * (the caller then uses the file's own directory). */
int ecrc_case_find_cases_root(const char *path, char *out, size_t outsz);

/* Expands paths (files or directories, recursively, *.json only, skipping any
 * directory named "manifests" and entries starting with ".") into a sorted
 * list of case files without duplicates; a file named directly is taken
 * whatever its name. Non-existent paths and unreadable directories are added
 * to diags. *out is a NULL-terminated array (never NULL unless allocation
 * failed) the caller frees with ecrc_case_paths_free. Returns the number of files.
 * Symbolic links to directories are not followed; a link to a file is taken
 * only when it resolves inside the directory walked (else a diagnostic).
 * Bounded: 16 directory levels, 100000 files. */
size_t ecrc_case_collect_paths(const char *const *paths, size_t npaths, char ***out,
                               diag_list *diags);

/* Whether path, with every symbolic link resolved, is root itself or lies
 * under root (also resolved): 1 inside, 0 outside, -1 when either does not
 * resolve (missing, a link loop, out of memory). The guard that keeps a
 * symlinked manifest, golden or case file from reaching outside the corpus. */
int ecrc_path_inside(const char *path, const char *root);

/* Frees what ecrc_case_collect_paths returned; list may be NULL. */
void ecrc_case_paths_free(char **list);

#endif
