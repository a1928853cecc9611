/* instance.h: a canonical response that a golden describes, for `ecrconform
 * replay` (docs/REPLAY.md).
 *
 * A golden may hold matchers; replay must answer one concrete response that
 * the golden accepts. The canonical instance of a value: literals as they
 * are; $set its elements in the order written; $partial its members; $anyOf
 * one alternative (the answer already chosen for that question in the case,
 * else the first listed); $regex a string generated from the pattern and
 * verified with the same PCRE2 engine the comparator uses; $type the zero
 * value of the type; $any the string "ecrconform-replay"; an $absent member
 * is left out.
 */
#ifndef ECR_INSTANCE_H
#define ECR_INSTANCE_H

#include <json-c/json.h>
#include <stddef.h>

#include "compare.h" /* answer_list */
#include "ecr/http.h"
#include "ecr/result.h"
#include "golden.h"
#include "vars.h"

/* Longest string ecrc_regex_instance generates (a bound on repeats like
 * {1000}, so that no pattern makes a huge answer). */
#define INSTANCE_REGEX_MAX 4096

/* A short string that regex pattern matches (as ecr_regex_match does:
 * unanchored): the first alternative of every '|', the least repetition of
 * every quantifier (none for * and ?, one for +, m for {m,n}), the first
 * member of a bracket expression (for [^...], the first of a-z A-Z 0-9 space
 * and printable punctuation it allows), 'x' for '.', '0' for \d, 'a' for
 * \w, ' ' for \s; anchors ^ and $ produce nothing; (?:...) groups like (...).
 * Returns a new string (the caller frees it), or NULL with a message in err
 * (errsz bytes) when the pattern uses a construct this generator does not
 * model (lookaround, back-references, \b and other assertions, inline
 * flags), when the result would exceed INSTANCE_REGEX_MAX, or when the
 * string made does not match the pattern after all (checked with
 * ecr_regex_match, so a wrong instance is never served). */
char *ecrc_regex_instance(const char *pattern, char *err, size_t errsz);

/* The canonical instance of the golden value expected (already
 * variable-expanded; not modified). Open questions use and update chosen
 * (question -> answer; may be NULL: then every $anyOf answers its first
 * alternative). Returns a new reference, or NULL with "<where>: message" in
 * err (where: the JSON path under `where`, e.g. "body.failures[0]") when a
 * $regex cannot be instantiated or memory runs out. An expected JSON null
 * gives NULL with err "" (test err[0]). */
json_object *ecrc_instance_json(json_object *expected, answer_list *chosen, const char *where,
                                char *err, size_t errsz);

/* Fills out with the response golden g describes, its values expanded with
 * vars v (vars.h) first: status, and the body (a 200 golden) or the error
 * body {"__type", "message"} (an error golden; a message the golden leaves
 * open is "ecrconform replay: <type>"; with error.members, exactly those
 * members), and the golden's headers except x-amzn-RequestId (the server
 * sends a fresh UUID, which is what a golden's request-id pattern asks for).
 * A top-level $anyOf answers the alternative chosen as above. Returns ECR_OK,
 * or ECR_EINVAL with "<field>: message" in err (an unknown variable, a
 * $regex that cannot be instantiated), ECR_ENOMEM; out is then empty. */
ecr_result ecrc_instance_reply(const golden *g, const vars *v, answer_list *chosen,
                               ecr_http_reply *out, char *err, size_t errsz);

#endif
