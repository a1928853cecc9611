/* ecr/diag.h: a list of `file: field: message` diagnostics.
 *
 * Loaders never stop at the first problem: they collect every error so that
 * `ecrconform lint` and `run` can report all of them at once.
 */
#ifndef ECR_DIAG_H
#define ECR_DIAG_H

#include <stddef.h>

/* Room for a diagnostic field path: deeper paths are cut (see
 * ecr_diag_field_key), which only shortens a message. */
#define DIAG_FIELD_MAX 512

typedef struct diag_item {
    char *file;
    char *field; /* a JSON path such as "steps[1].input" or "" */
    char *message;
} diag_item;

typedef struct diag_list {
    diag_item *items; /* owned */
    size_t n, cap;
} diag_list;

/* Zeroes the list. Cannot fail. */
void ecr_diag_init(diag_list *d);

/* Appends a diagnostic (strings are copied; fmt is printf-style; messages
 * longer than 1023 bytes are cut). When memory runs out the item is dropped
 * silently: a diagnostic must never be the reason a run crashes, and loaders
 * fail on their own allocation failures anyway. */
void ecr_diag_add(diag_list *d, const char *file, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Writes every item as "file: field: message\n" (or "file: message" when the
 * field is empty) to f, each part through ecr_term_safe with newlines shown
 * as '?': names and values from case files never drive the terminal. */
void ecr_diag_print(const diag_list *d, void *file_ptr /* FILE * */);

/* Frees every item; d may be NULL. */
void ecr_diag_free(diag_list *d);

/* Writes into out (outsz bytes) the field path of member key of base: base +
 * ".key" (just "key" when base is ""), or base + "[\"key\"]" when key is empty
 * or holds a character outside [A-Za-z0-9_$-] (the key is not escaped: the
 * path is for people). out is always NUL-terminated when outsz > 0; a path
 * that does not fit is cut and, when outsz > 4, ends in "...". Cannot fail.
 * out must not overlap base or key. */
void ecr_diag_field_key(char *out, size_t outsz, const char *base, const char *key);

/* Writes into out the field path of element i of base: base + "[i]". Cut
 * like ecr_diag_field_key; cannot fail; out must not overlap base. */
void ecr_diag_field_index(char *out, size_t outsz, const char *base, size_t i);

#endif
