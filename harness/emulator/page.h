/* page.h: maxResults / nextToken pagination of ListImages, DescribeImages and
 * DescribeRepositories.
 *
 * Items are listed in the order of a key (k1, k2) that the store assigns and
 * never reuses (store.h: repository, image and tag sequence numbers). A
 * nextToken names the operation, the repository (the scope) and the key of
 * the last item returned; the next page starts after that key. So a token
 * stays valid, and skips or repeats nothing, whatever happens meanwhile to
 * items other than the ones still to come (deleted ones are simply not there,
 * new ones come at the end). The token is opaque to clients: base64 of
 * "ecremu1 <op> <k1> <k2> <scope>".
 */
#ifndef ECR_EMU_PAGE_H
#define ECR_EMU_PAGE_H

#include "ops.h"

/* ECR's page size when maxResults is absent (the API reference: "up to 100
 * results and a nextToken value, if applicable"). */
#define PAGE_DEFAULT 100

typedef struct page {
    size_t limit;              /* items per page */
    int resume;                /* a nextToken was given */
    unsigned long long k1, k2; /* the key of the last item of the previous page */
    size_t count;              /* items added to this page so far */
    int more;                  /* an item after the page exists */
    unsigned long long last1, last2;
} page;

/* Reads maxResults (already type- and range-checked; has_max 0: absent) and
 * nextToken (NULL: absent) for operation c->op over scope (a repository
 * name, or "" for the registry). A token that is not one this emulator gave
 * out for the same operation and scope fails with InvalidParameterException
 * at 'nextToken' (returns -1). */
int ecremu_page_begin(op_call *c, const char *scope, int has_max, long long max, const char *token,
                      page *p);

/* Returns 1 when the item with key (k1, k2) belongs on this page: after the
 * token's key and while the page has room; it is then counted. Returns 0
 * for items before the token, and for items past a full page (which sets
 * more). Items must be offered in increasing key order. */
int ecremu_page_take(page *p, unsigned long long k1, unsigned long long k2);

/* Adds "nextToken" to out when more items follow the page. Returns 0, or -1
 * when out of memory (nothing added). */
int ecremu_page_finish(const op_call *c, const char *scope, const page *p, json_object *out);

#endif
