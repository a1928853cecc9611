/* util.c: see ecr/util.h. */
#include "ecr/util.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ecr/buf.h"
#include "ecr/redact.h"

char *ecr_strdup(const char *s)
{
    return s ? strdup(s) : NULL;
}

char *ecr_strndup(const char *s, size_t n)
{
    return s ? strndup(s, n) : NULL;
}

char *ecr_vasprintf(const char *fmt, va_list ap)
{
    va_list copy;
    va_copy(copy, ap);
    int n = vsnprintf(NULL, 0, fmt, copy);
    va_end(copy);
    if (n < 0)
        return NULL;
    char *p = malloc((size_t)n + 1);
    if (p)
        vsnprintf(p, (size_t)n + 1, fmt, ap);
    return p;
}

char *ecr_asprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *p = ecr_vasprintf(fmt, ap);
    va_end(ap);
    return p;
}

int ecr_hex_value(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

ecr_result ecr_copy_str(char *dst, size_t dstsz, const char *src)
{
    if (!dst || dstsz == 0)
        return ECR_ETOOBIG;
    size_t n = src ? strlen(src) : 0;
    if (n >= dstsz) {
        dst[0] = '\0';
        return ECR_ETOOBIG;
    }
    if (n)
        memcpy(dst, src, n);
    dst[n] = '\0';
    return ECR_OK;
}

ecr_result ecr_mkdir_p(const char *dir)
{
    char path[PATH_MAX];
    size_t len = dir ? strlen(dir) : 0;
    if (len == 0)
        return ECR_EIO;
    if (len >= sizeof path)
        return ECR_ETOOBIG;
    memcpy(path, dir, len + 1);
    for (size_t i = 1; i <= len; i++) {
        if (path[i] != '/' && path[i] != '\0')
            continue;
        char saved = path[i];
        path[i] = '\0';
        if (mkdir(path, 0777) != 0 && errno != EEXIST)
            return ECR_EIO;
        path[i] = saved;
    }
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return ECR_EIO;
    return ECR_OK;
}

size_t ecr_utf8_decode(const unsigned char *s, unsigned *cp, int *valid)
{
    unsigned c = s[0], v, min;
    size_t n;
    *valid = 1;
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2, v = c & 0x1F, min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3, v = c & 0x0F, min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4, v = c & 0x07, min = 0x10000;
    } else {
        goto bad;
    }
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            goto bad;
        v = (v << 6) | (s[i] & 0x3F);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        goto bad;
    *cp = v;
    return n;
bad:
    *cp = 0xFFFD;
    *valid = 0;
    return 1;
}

/* The shared walk: valid sequences copied, invalid ones replaced; with
 * term, control characters (except \n and \t) become '?'. */
static char *clean(const char *s, int term)
{
    if (!s)
        return NULL;
    size_t len = strlen(s);
    buf b;
    ecr_buf_init(&b, 3 * len + 2); /* worst case: every byte a 3-byte U+FFFD */
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        unsigned cp;
        int valid;
        size_t n = ecr_utf8_decode(p, &cp, &valid);
        ecr_result rc;
        if (!valid)
            rc = ecr_buf_append(&b, ECR_UTF8_REPLACEMENT, 3);
        else if (term && ((cp < 0x20 && cp != '\n' && cp != '\t') || (cp >= 0x7f && cp < 0xa0)))
            rc = ecr_buf_append(&b, "?", 1);
        else
            rc = ecr_buf_append(&b, p, n);
        if (rc) {
            ecr_buf_free(&b);
            return NULL;
        }
        p += n;
    }
    return ecr_buf_steal(&b);
}

char *ecr_utf8_sanitize(const char *s)
{
    return clean(s, 0);
}

char *ecr_term_safe(const char *s)
{
    /* Redacted first: the terminal is output too (ecr/redact.h). */
    char *red = ecr_redact(s);
    char *out = clean(red, 1);
    free(red);
    return out;
}

ecr_result ecr_atomic_open(ecr_atomic_file *a, const char *path)
{
    memset(a, 0, sizeof *a);
    /* Same directory as path, so the rename cannot cross file systems. */
    const char *slash = strrchr(path, '/');
    int dirlen = slash ? (int)(slash - path + 1) : 0;
    const char *base = slash ? slash + 1 : path;
    static unsigned counter;
    size_t sz = strlen(path) + 48;
    char *tmp = malloc(sz);
    char *dst = ecr_strdup(path);
    if (!tmp || !dst) {
        free(tmp);
        free(dst);
        return ECR_ENOMEM;
    }
    int fd = -1;
    for (int attempt = 0; attempt < 16 && fd < 0; attempt++) {
        unsigned k = __atomic_fetch_add(&counter, 1, __ATOMIC_RELAXED);
        snprintf(tmp, sz, "%.*s.%s.%ld.%u.tmp", dirlen, path, base, (long)getpid(), k);
        fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (fd < 0 && errno != EEXIST)
            break;
    }
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!f) {
        if (fd >= 0) {
            close(fd);
            unlink(tmp);
        }
        free(tmp);
        free(dst);
        return ECR_EIO;
    }
    a->f = f;
    a->tmp = tmp;
    a->path = dst;
    return ECR_OK;
}

ecr_result ecr_atomic_commit(ecr_atomic_file *a)
{
    int bad = ferror(a->f) || fflush(a->f) != 0 || fsync(fileno(a->f)) != 0;
    if (fclose(a->f) != 0)
        bad = 1;
    if (!bad && rename(a->tmp, a->path) != 0)
        bad = 1;
    if (bad)
        unlink(a->tmp);
    free(a->tmp);
    free(a->path);
    memset(a, 0, sizeof *a);
    return bad ? ECR_EIO : ECR_OK;
}

ecr_result ecr_read_file(const char *path, size_t max, char **data, size_t *len, char *why,
                         size_t whysz)
{
    *data = NULL;
    *len = 0;
    if (whysz)
        why[0] = '\0';
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        snprintf(why, whysz, "cannot open: %s", strerror(errno));
        return ECR_ENOTFOUND;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        snprintf(why, whysz, "cannot read: not a regular file");
        close(fd);
        return ECR_EIO;
    }
    if ((unsigned long long)st.st_size > max) {
        snprintf(why, whysz, "file too large (%lld bytes, limit %zu)", (long long)st.st_size, max);
        close(fd);
        return ECR_ETOOBIG;
    }
    buf b;
    ecr_buf_init(&b, max + 1); /* the file may grow after fstat: the cap holds */
    char chunk[8192];
    ecr_result rc = ECR_OK;
    for (;;) {
        ssize_t n = read(fd, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            snprintf(why, whysz, "cannot read: %s", strerror(errno));
            rc = ECR_EIO;
            break;
        }
        if (n == 0)
            break;
        if ((rc = ecr_buf_append(&b, chunk, (size_t)n)) != ECR_OK) {
            if (rc == ECR_ETOOBIG)
                snprintf(why, whysz, "file too large (limit %zu bytes)", max);
            else
                snprintf(why, whysz, "out of memory");
            break;
        }
    }
    close(fd);
    if (rc == ECR_OK && b.len > max) {
        rc = ECR_ETOOBIG;
        snprintf(why, whysz, "file too large (limit %zu bytes)", max);
    }
    if (rc != ECR_OK) {
        ecr_buf_free(&b);
        return rc;
    }
    size_t n = b.len;
    char *p = ecr_buf_steal(&b); /* "" for an empty file */
    if (!p) {
        snprintf(why, whysz, "out of memory");
        return ECR_ENOMEM;
    }
    *data = p;
    *len = n;
    return ECR_OK;
}
