/* corpus.h: where `run` finds its cases when no PATH is given, so it works
 * from any directory and once installed, and the usage errors for paths that
 * do not exist.
 *
 * The corpus is a directory holding cases/ (and golden/, baselines/ beside
 * it): --corpus DIR; else the current directory when it has cases/ (a
 * checkout); else the data installed with the binary,
 * <bindir>/../share/ecrconform (CMake installs cases, golden, baselines and
 * docs/ECR-BEHAVIOUR.md there); else the source tree of a build directory,
 * <bindir>/.. (build/ecrconform).
 */
#ifndef ECR_CORPUS_H
#define ECR_CORPUS_H

#include <stddef.h>

/* The cases directory to run when no PATH was given: "cases" when the corpus
 * is the current directory (paths in reports stay relative), else
 * "<corpus>/cases". corpus_opt is --corpus (NULL: search as above). Returns
 * a new string (the caller frees it), or NULL after printing to stderr
 * "ecrconform <cmd>: ..." naming what is missing (a usage error). */
char *cli_corpus_cases(const char *cmd, const char *corpus_opt);

/* 0 when every path exists, else -1 after printing
 * "ecrconform <cmd>: <what> <path>: <strerror>" for the first one missing. */
int cli_paths_exist(const char *cmd, const char *what, const char *const *paths, size_t n);

#endif
