#include "ecr/diag.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ecr/util.h"

void ecr_diag_init(diag_list *d)
{
    memset(d, 0, sizeof *d);
}

static char *dup_or_empty(const char *s)
{
    return strdup(s ? s : "");
}

void ecr_diag_add(diag_list *d, const char *file, const char *field, const char *fmt, ...)
{
    /* Messages quote values from files of any length: allocated, not cut. */
    va_list ap;
    va_start(ap, fmt);
    char *msg = ecr_vasprintf(fmt, ap);
    va_end(ap);
    if (!msg)
        return; /* out of memory: as below */

    if (d->n == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 8;
        diag_item *p = realloc(d->items, cap * sizeof *p);
        if (!p) {
            free(msg);
            return; /* nothing sane left to do; the caller still sees earlier items */
        }
        d->items = p;
        d->cap = cap;
    }
    diag_item *it = &d->items[d->n];
    it->file = dup_or_empty(file);
    it->field = dup_or_empty(field);
    it->message = msg;
    if (!it->file || !it->field) {
        free(it->file);
        free(it->field);
        free(it->message);
        return;
    }
    d->n++;
}

/* One part of a diagnostic fit for a terminal: ecr_term_safe, and a newline
 * shown as '?' too, so a name in a file cannot forge a line of its own. */
static void print_safe(FILE *f, const char *s, const char *after)
{
    char *t = ecr_term_safe(s);
    if (t) {
        for (char *p = t; *p; p++)
            if (*p == '\n')
                *p = '?';
        fputs(t, f);
    } else {
        fputs("(out of memory)", f);
    }
    free(t);
    fputs(after, f);
}

void ecr_diag_print(const diag_list *d, void *file_ptr)
{
    FILE *f = file_ptr;
    for (size_t i = 0; i < d->n; i++) {
        const diag_item *it = &d->items[i];
        print_safe(f, it->file, ": ");
        if (it->field[0])
            print_safe(f, it->field, ": ");
        print_safe(f, it->message, "\n");
    }
}

/* Marks a cut field path with "..." (it only shortens a message). */
static void fit(char *out, size_t outsz, int n)
{
    if (n >= 0 && (size_t)n >= outsz && outsz > 4)
        memcpy(out + outsz - 4, "...", 4);
}

void ecr_diag_field_key(char *out, size_t outsz, const char *base, const char *key)
{
    int simple = key[0] != '\0';
    for (const char *k = key; *k; k++)
        if (!((*k >= 'A' && *k <= 'Z') || (*k >= 'a' && *k <= 'z') || (*k >= '0' && *k <= '9') ||
              *k == '_' || *k == '$' || *k == '-'))
            simple = 0;
    if (simple)
        fit(out, outsz, snprintf(out, outsz, "%s%s%s", base, base[0] ? "." : "", key));
    else
        fit(out, outsz, snprintf(out, outsz, "%s[\"%s\"]", base, key));
}

void ecr_diag_field_index(char *out, size_t outsz, const char *base, size_t i)
{
    fit(out, outsz, snprintf(out, outsz, "%s[%zu]", base, i));
}

void ecr_diag_free(diag_list *d)
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
