/* names.h: the fixed patterns of ECR identifiers, matched by hand.
 *
 * Each function accepts exactly the language of the POSIX ERE beside it
 * (tests/unit/test_store.c compares them on many strings); the EREs stay
 * here as the specification. Matching by hand costs a pass over the string,
 * where compiling the regex on every call cost most of a request's CPU
 * (issue 12). All are pure and thread-safe; s must not be NULL.
 */
#ifndef ECR_EMU_NAMES_H
#define ECR_EMU_NAMES_H

/* The botocore model's RepositoryName pattern, anchored. ERE needs no
 * backslash before '/'. */
#define NAMES_REPO_ERE "^[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*(/[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*)*$"
/* [a-zA-Z0-9-_+.]+:[a-fA-F0-9]+ rewritten for POSIX brackets ('-' last). */
#define NAMES_DIGEST_ERE "^[a-zA-Z0-9_+.-]+:[a-fA-F0-9]+$"
#define NAMES_TAG_ERE "^[a-zA-Z0-9_.-]+$"
#define NAMES_REGISTRY_ERE "^[0-9]{12}$"

/* Each returns 1 when s matches the pattern above, else 0. */
int ecremu_names_repo_ok(const char *s);
int ecremu_names_digest_ok(const char *s);
int ecremu_names_tag_ok(const char *s);
int ecremu_names_registry_ok(const char *s);

#endif
