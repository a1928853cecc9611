/* ecr/regex.h: the `$regex` matcher's engine, PCRE2 with every cost bounded.
 *
 * glibc's regcomp needs memory exponential in some patterns (`a++++...`,
 * nested bounded repeats), so a golden could make `lint` and `run` hang.
 * PCRE2 compiles in bounded time and memory and stops a match at its limits.
 * The dialect (docs/CASES.md) is PCRE2 in byte mode with `.` matching every
 * byte and `$` only at the very end, so every POSIX ERE the goldens hold keeps
 * its meaning.
 */
#ifndef ECR_REGEX_H
#define ECR_REGEX_H

#include <stddef.h>

/* Longest pattern accepted, in bytes (after ${...} expansion). */
#define ECR_REGEX_MAX_PATTERN 1024
/* Deepest parenthesis nesting accepted. */
#define ECR_REGEX_MAX_NESTING 32

typedef struct ecr_regex ecr_regex;

/* Compiles pattern. Returns the compiled pattern (free with ecr_regex_free),
 * or NULL with a message in err (errsz bytes) when the pattern is longer than
 * ECR_REGEX_MAX_PATTERN, nests deeper than ECR_REGEX_MAX_NESTING, does not
 * compile, or memory runs out. */
ecr_regex *ecr_regex_compile(const char *pattern, char *err, size_t errsz);

/* Matches subject (len bytes, may hold NUL) anywhere, as regexec does.
 * Returns 1 on a match, 0 on none, -1 with a message in err when a match or
 * depth limit was hit (the pattern backtracks too much) or memory ran out. */
int ecr_regex_match(const ecr_regex *rx, const char *subject, size_t len, char *err, size_t errsz);

/* Frees rx; NULL is a no-op. */
void ecr_regex_free(ecr_regex *rx);

#endif
