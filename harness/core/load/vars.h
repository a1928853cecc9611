/* vars.h: the variables of one case run (${repo:x}, ${digest:a}, ${account},
 * ${region}) and their substitution into strings and JSON trees. */
#ifndef ECR_VARS_H
#define ECR_VARS_H

#include <json-c/json.h>
#include <stddef.h>
#include "ecr/result.h"

typedef struct vars vars;

/* Creates an empty table. NULL on allocation failure. */
vars *ecrc_vars_new(void);

/* Frees the table; v may be NULL. */
void ecrc_vars_free(vars *v);

/* Sets name (e.g. "repo:ubuntu", "digest:a", "account") to value; both are
 * copied, an existing name is replaced. ECR_ENOMEM on failure. */
ecr_result ecrc_vars_set(vars *v, const char *name, const char *value);

/* The value of name, or NULL. Borrowed from v. */
const char *ecrc_vars_get(const vars *v, const char *name);

/* Returns a newly allocated copy of s with every ${name} replaced (caller
 * frees); text outside ${...}, a lone "$" included, is kept as is. When
 * regex_escape is nonzero, substituted values are escaped for POSIX ERE.
 * An unknown variable: returns NULL with ECR_EINVAL in *rc and the name
 * copied to bad (size badsz, may be NULL); an unterminated one: the same with
 * the text from "${" to the end in bad. ECR_ENOMEM on allocation failure.
 * On success *rc is ECR_OK. rc may be NULL. */
char *ecrc_vars_expand(const vars *v, const char *s, int regex_escape, ecr_result *rc, char *bad,
                       size_t badsz);

/* Returns a deep copy of j (new reference, caller puts it) with every string
 * value (not keys) expanded. Strings inside a {"$regex": ...} matcher object
 * are expanded with regex escaping. Same failure convention as ecrc_vars_expand
 * (NULL, *rc, bad); since json-c represents JSON null as NULL, a null j
 * yields NULL with *rc == ECR_OK, so test *rc, not the pointer. rc may be
 * NULL only when j is known not to be null. */
json_object *ecrc_vars_expand_json(const vars *v, json_object *j, ecr_result *rc, char *bad,
                                   size_t badsz);

/* Lists the ${...} names used in s, calling cb for each (for lint; the name
 * is borrowed for the call only). Returns ECR_EINVAL at the first
 * unterminated "${" (names before it were reported), ECR_ENOMEM, else
 * ECR_OK. */
ecr_result ecrc_vars_scan(const char *s, void (*cb)(const char *name, void *ud), void *ud);

#endif
