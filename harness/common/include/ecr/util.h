/* ecr/util.h: small text and file helpers that every part of ecrconform
 * shares, so that no module grows its own copy (and its own bugs).
 *
 * Nothing here exits or prints: every failure is a return value.
 */
#ifndef ECR_UTIL_H
#define ECR_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include "ecr/result.h"

/* strdup that accepts NULL (returns NULL). A NULL return for a non-NULL s
 * means out of memory. The caller frees the copy. */
char *ecr_strdup(const char *s);

/* strndup that accepts NULL: at most n bytes of s, NUL-terminated. */
char *ecr_strndup(const char *s, size_t n);

/* Formatted allocation: returns a new string (the caller frees it), or NULL
 * when memory runs out or fmt is invalid. */
char *ecr_asprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *ecr_vasprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

/* Copies src into dst (dstsz bytes) only when it fits with its NUL. Returns
 * ECR_OK, or ECR_ETOOBIG leaving dst as "" (never a silent cut: a cut
 * credential or URL would fail later with a misleading error). dst may not
 * overlap src; src NULL is copied as "". */
ecr_result ecr_copy_str(char *dst, size_t dstsz, const char *src);

/* The value of hexadecimal digit c (either case), or -1. */
int ecr_hex_value(unsigned char c);

/* Reads the regular file at path whole into a new NUL-terminated buffer:
 * *data (the caller frees it) holding *len bytes before the NUL. Opened with
 * O_NONBLOCK so a FIFO or a device is refused at once instead of waiting for
 * a writer; at most max bytes, checked on fstat and again while reading (the
 * file may grow). On failure *data is NULL, *len 0, and why (whysz bytes)
 * holds the message `lint` shows: "cannot open: <errno text>", "cannot read:
 * not a regular file", "file too large (N bytes, limit M)", "file too large
 * (limit M bytes)", "cannot read: <errno text>" or "out of memory". Returns
 * ECR_OK, ECR_ENOTFOUND (open failed), ECR_EIO, ECR_ETOOBIG or ECR_ENOMEM.
 * An empty file is ECR_OK with *len 0. */
ecr_result ecr_read_file(const char *path, size_t max, char **data, size_t *len, char *why,
                         size_t whysz);

/* mkdir -p: creates dir and its missing parents (mode 0777 before umask).
 * Returns ECR_OK when dir exists as a directory afterwards (a symlink to a
 * directory counts), ECR_EIO when a component cannot be created or dir
 * exists but is not a directory, ECR_ETOOBIG when the path is longer than
 * PATH_MAX. */
ecr_result ecr_mkdir_p(const char *dir);

/* U+FFFD, the replacement character, in UTF-8 (3 bytes). */
#define ECR_UTF8_REPLACEMENT "\xEF\xBF\xBD"

/* Decodes one UTF-8 sequence at s (s[0] != 0, NUL-terminated). Returns its
 * length, or 1 for an invalid byte (so each bad byte becomes one U+FFFD), and
 * sets *cp and *valid. Overlong forms, surrogates and code points above
 * U+10FFFF are invalid; the NUL terminator is never consumed as a
 * continuation byte. Cannot fail. */
size_t ecr_utf8_decode(const unsigned char *s, unsigned *cp, int *valid);

/* A copy of s that is valid UTF-8: every invalid sequence becomes U+FFFD.
 * Returns NULL when s is NULL or memory runs out; the caller frees it. */
char *ecr_utf8_sanitize(const char *s);

/* A copy of s fit for a terminal: valid UTF-8 (as ecr_utf8_sanitize), and
 * every control character other than newline and tab (C0, DEL, and the C1
 * range U+0080..U+009F) shown as '?', so text that came from a file or a
 * peer cannot drive the user's terminal (escape sequences, title changes,
 * screen clears). Redacted first (ecr_redact): the terminal is output too.
 * Returns NULL when s is NULL or memory runs out. */
char *ecr_term_safe(const char *s);

/* A file written in place of path atomically: the text goes to a new
 * temporary file beside path (O_CREAT | O_EXCL | O_NOFOLLOW, so a link
 * planted in the directory is never written through), which ecr_atomic_commit
 * renames over path (rename replaces a link at path, it does not follow it). */
typedef struct ecr_atomic_file {
    FILE *f; /* write here between open and commit */
    char *tmp;
    char *path;
} ecr_atomic_file;

/* Creates the temporary file for path. Returns ECR_OK with a->f open,
 * ECR_ENOMEM, or ECR_EIO when it cannot be created. On failure *a holds
 * nothing to release. */
ecr_result ecr_atomic_open(ecr_atomic_file *a, const char *path);

/* Flushes, syncs and closes a->f and renames the temporary file to the path.
 * Returns ECR_OK, or ECR_EIO when any write failed (the temporary file is
 * then removed and path is untouched). Releases everything in a either way. */
ecr_result ecr_atomic_commit(ecr_atomic_file *a);

#endif
