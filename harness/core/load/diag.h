/* diag.h: a list of `file: field: message` diagnostics.
 *
 * Loaders never stop at the first problem: they collect every error so that
 * `ecrconform lint` and `run` can report all of them at once.
 */
#ifndef ECR_DIAG_H
#define ECR_DIAG_H

#include "ecrc.h"

#include <stddef.h>

/* Room for a diagnostic field path: deeper paths are cut (see
 * ecrc_diag_field_key), which only shortens a message. */
#define DIAG_FIELD_MAX 512

/* Writes into out (outsz bytes) the field path of member key of base: base +
 * ".key" (just "key" when base is ""), or base + "[\"key\"]" when key is empty
 * or holds a character outside [A-Za-z0-9_$-] (the key is not escaped: the
 * path is for people). out is always NUL-terminated when outsz > 0; a path
 * that does not fit is cut and, when outsz > 4, ends in "...". Cannot fail.
 * out must not overlap base or key. */
void ecrc_diag_field_key(char *out, size_t outsz, const char *base, const char *key);

/* Writes into out the field path of element i of base: base + "[i]". Cut
 * like ecrc_diag_field_key; cannot fail; out must not overlap base. */
void ecrc_diag_field_index(char *out, size_t outsz, const char *base, size_t i);

#endif
