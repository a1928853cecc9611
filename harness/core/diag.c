#include "diag.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void diag_init(diag_list *d)
{
    memset(d, 0, sizeof *d);
}

static char *dup_or_empty(const char *s)
{
    return strdup(s ? s : "");
}

void diag_add(diag_list *d, const char *file, const char *field, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);

    if (d->n == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 8;
        diag_item *p = realloc(d->items, cap * sizeof *p);
        if (!p)
            return; /* nothing sane left to do; the caller still sees earlier items */
        d->items = p;
        d->cap = cap;
    }
    diag_item *it = &d->items[d->n];
    it->file = dup_or_empty(file);
    it->field = dup_or_empty(field);
    it->message = dup_or_empty(msg);
    if (!it->file || !it->field || !it->message) {
        free(it->file);
        free(it->field);
        free(it->message);
        return;
    }
    d->n++;
}

void diag_print(const diag_list *d, void *file_ptr)
{
    FILE *f = file_ptr;
    for (size_t i = 0; i < d->n; i++) {
        const diag_item *it = &d->items[i];
        if (it->field[0])
            fprintf(f, "%s: %s: %s\n", it->file, it->field, it->message);
        else
            fprintf(f, "%s: %s\n", it->file, it->message);
    }
}

void diag_free(diag_list *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->n; i++) {
        free(d->items[i].file);
        free(d->items[i].field);
        free(d->items[i].message);
    }
    free(d->items);
    memset(d, 0, sizeof *d);
}
