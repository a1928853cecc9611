/* diag.h: a list of `file: field: message` diagnostics.
 *
 * Loaders never stop at the first problem: they collect every error so that
 * `ecrconform lint` and `run` can report all of them at once.
 */
#ifndef ECR_DIAG_H
#define ECR_DIAG_H

#include <stddef.h>

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
void diag_init(diag_list *d);

/* Appends a diagnostic (strings are copied; fmt is printf-style). Allocation
 * failure is swallowed after replacing the message by "out of memory": a
 * diagnostic must never be the reason a run crashes. */
void diag_add(diag_list *d, const char *file, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Writes every item as "file: field: message\n" (or "file: message" when the
 * field is empty) to f. */
void diag_print(const diag_list *d, void *file_ptr /* FILE * */);

/* Frees every item; d may be NULL. */
void diag_free(diag_list *d);

#endif
