#include "ecr/buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ecr_buf_init(buf *b, size_t toobig)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->toobig = toobig;
}

ecr_result ecr_buf_append(buf *b, const void *data, size_t n)
{
    if (n >= b->toobig || b->len >= b->toobig - n)
        return ECR_ETOOBIG;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n + 1)
            cap *= 2;
        if (cap > b->toobig)
            cap = b->toobig;
        char *p = realloc(b->data, cap);
        if (!p)
            return ECR_ENOMEM;
        b->data = p;
        b->cap = cap;
    }
    if (n)
        memcpy(b->data + b->len, data, n);
    b->len += n;
    b->data[b->len] = '\0';
    return ECR_OK;
}

ecr_result ecr_buf_puts(buf *b, const char *s)
{
    return ecr_buf_append(b, s, strlen(s));
}

ecr_result ecr_buf_printf(buf *b, const char *fmt, ...)
{
    char small[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0)
        return ECR_EINVAL;
    if ((size_t)n < sizeof small)
        return ecr_buf_append(b, small, (size_t)n);
    char *big = malloc((size_t)n + 1);
    if (!big)
        return ECR_ENOMEM;
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    ecr_result rc = ecr_buf_append(b, big, (size_t)n);
    free(big);
    return rc;
}

void ecr_buf_reset(buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

char *ecr_buf_steal(buf *b)
{
    char *p = b->data;
    if (!p)
        p = calloc(1, 1);
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    return p;
}

void ecr_buf_free(buf *b)
{
    if (!b)
        return;
    free(b->data);
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
}
