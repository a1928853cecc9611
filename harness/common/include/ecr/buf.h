/* buf.h: a growable byte buffer with a hard size cap (curl's dynbuf idea).
 *
 * Every buffer that holds peer data (an HTTP body from the target, a request
 * body in the emulator) is a buf with a "toobig" limit, so a hostile or broken
 * peer cannot make us allocate without bound. The content is always NUL-
 * terminated (the NUL is not counted in len), so text can be used in place.
 */
#ifndef ECR_BUF_H
#define ECR_BUF_H

#include <stddef.h>
#include "ecr/result.h"

typedef struct buf {
    char *data;    /* NULL until the first append; owned by the buf */
    size_t len;    /* bytes used, excluding the terminating NUL */
    size_t cap;    /* bytes allocated */
    size_t toobig; /* appends that would make len >= toobig fail */
} buf;

/* Prepares an empty buffer that may hold at most toobig-1 bytes. Cannot fail. */
void ecr_buf_init(buf *b, size_t toobig);

/* Appends n bytes. Returns ECR_ETOOBIG (buffer unchanged) when the cap would
 * be exceeded, ECR_ENOMEM when allocation fails, else ECR_OK. */
ecr_result ecr_buf_append(buf *b, const void *data, size_t n);

/* Appends a NUL-terminated string; same failures as ecr_buf_append. */
ecr_result ecr_buf_puts(buf *b, const char *s);

/* printf-style append; same failures as ecr_buf_append. */
ecr_result ecr_buf_printf(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Empties the buffer but keeps its memory. */
void ecr_buf_reset(buf *b);

/* Hands the content to the caller (who frees it with free()) and leaves the
 * buffer empty. Returns an empty allocated string when nothing was appended;
 * NULL only on allocation failure. */
char *ecr_buf_steal(buf *b);

/* Frees the content. b may be NULL; a freed buf can be re-used after ecr_buf_init. */
void ecr_buf_free(buf *b);

#endif
