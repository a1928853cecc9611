/* ecr/redact.h: the one redaction path. Everything that reaches a file or
 * the terminal (console lines, diagnostics, reports, reports/actual/,
 * baselines, the request log) goes through ecr_redact, directly or through
 * ecr_term_safe and the report writers, so a target that echoes the secret key
 * or session token cannot make ecrconform write it anywhere.
 */
#ifndef ECR_REDACT_H
#define ECR_REDACT_H

#include <stddef.h>

/* Shorter values are not treated as secrets: replacing every "ab" of a report
 * would destroy it and protect nothing real. */
#define ECR_REDACT_MIN_LEN 8
/* How many secrets can be registered (key and token of a few identities). */
#define ECR_REDACT_MAX 8

/* Registers a secret (copied) to be replaced by "REDACTED" in all later
 * output. NULL, short (< ECR_REDACT_MIN_LEN) and already-registered values are
 * ignored; so are values beyond ECR_REDACT_MAX (never expected: the run has
 * one identity). Thread-safe. */
void ecr_redact_add(const char *secret);

/* A copy of s (NULL: NULL) in which
 *  - the value of every line that starts (after blanks) with "Authorization:"
 *    or "X-Amz-Security-Token:" (any case) is "REDACTED";
 *  - every occurrence of a registered secret, and of the AWS_SECRET_ACCESS_KEY
 *    and AWS_SESSION_TOKEN environment values, is "REDACTED": byte for byte,
 *    or with any of its bytes JSON-escaped ("\/", "\u002f", behind any run
 *    of backslashes) or URL-encoded ("%2F", "%2f"), the forms in which a
 *    target's echo reaches our output.
 * Redact before cutting a text short: a cut secret is no longer found.
 * NULL also when memory runs out (never fall back to the unredacted text).
 * The caller frees. Thread-safe. */
char *ecr_redact(const char *s);

/* Whether s holds a secret ecr_redact would replace (not the header rule). */
int ecr_redact_has_secret(const char *s);

#endif
