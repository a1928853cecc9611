/* compare.h: comparing an actual JSON value with a golden value that may
 * contain matchers ($any, $absent, $regex, $type, $set, $partial), producing
 * every differing path. */
#ifndef ECR_COMPARE_H
#define ECR_COMPARE_H

#include <json-c/json.h>
#include <stddef.h>

typedef struct diff_item {
    char *path;     /* "$.body.failures[0].failureCode" */
    char *expected; /* JSON text of the expected value / matcher, or a phrase */
    char *actual;   /* JSON text of the actual value, or "(absent)" */
} diff_item;

typedef struct diff_list {
    diff_item *items;
    size_t n, cap;
} diff_list;

/* Zeroes the list. Cannot fail. */
void ecrc_diff_init(diff_list *d);

/* Adds a difference (strings copied; NULL is taken as ""). Allocation
 * failure drops the item. */
void ecrc_diff_add(diff_list *d, const char *path, const char *expected, const char *actual);

/* Frees every item and zeroes the list; d may be NULL. */
void ecrc_diff_free(diff_list *d);

/* Compares actual against expected (already variable-expanded) and appends
 * every difference under the path prefix `path` (e.g. "$.body"; NULL: "$")
 * to out. actual == NULL means absent (json-c's NULL is also JSON null: a
 * null *member* is told apart from a missing one, a null top-level value
 * cannot be). Returns the number of differences added; 0 means it matches.
 * out may be NULL: then the comparison stops at the first difference and
 * returns 0 or 1. Never fails on bad input: an invalid matcher is itself
 * reported as a difference. Paths: members as .name, or ["name"] when the
 * name is not an identifier; elements as [i]; unmatched $set members as
 * {missing} / {unexpected}. Values are compact JSON cut to about 300 bytes.
 * Objects must have the same members (a missing one shows "(absent)" as
 * actual, an extra one "(absent)" as expected); arrays are compared in order
 * (a length difference is reported once at the array's path, then each
 * differing index); integers are compared exactly, other numbers by value.
 * $set uses a maximum bipartite matching, so overlapping matchers never cause
 * false differences; sets over 1000 elements are reported, not compared. */
size_t ecrc_compare_json(json_object *expected, json_object *actual, const char *path,
                         diff_list *out);

/* Answers to open questions ({"$anyOf": [...], "question": ...}, docs/CASES.md):
 * question -> the answer a target gave; "A|B" when the response matched
 * several alternatives alike. matched is 0 when no alternative matched;
 * answer is then "none (closest: <answer>)". */
typedef struct answer_item {
    char *question;
    char *answer;
    int matched;
} answer_item;

typedef struct answer_list {
    answer_item *items;
    size_t n, cap;
} answer_list;

/* Zeroes the list. Cannot fail. */
void ecrc_answers_init(answer_list *a);

/* Frees every item and zeroes the list; a may be NULL. */
void ecrc_answers_free(answer_list *a);

/* The answer recorded for question, or NULL (a or question NULL: NULL). */
const char *ecrc_answers_get(const answer_list *a, const char *question);

/* Records answer for question (strings copied), replacing an earlier record,
 * except that a matched answer is never replaced by an unmatched one.
 * Allocation failure drops the record. a NULL: no-op. */
void ecrc_answers_set(answer_list *a, const char *question, const char *answer, int matched);

/* Whether the alternative `answer` of question (whose alternatives are
 * answers[0..n)) may be tried, given the answers an earlier step fixed: yes
 * when nothing is fixed for question or none of the fixed answers is among
 * answers; else only when answer is one of them. A recorded answer may name
 * several alternatives that matched the same response, "A|B". */
int ecrc_answers_allows(const answer_list *fixed, const char *question, const char *answer,
                        const char *const *answers, size_t n);

/* ecrc_compare_json with open questions: a $anyOf matches when one of its
 * alternatives does (only the answer fixed in `fixed`, when it is listed);
 * the answer that matched (or "none (closest: X)") is recorded in `given`.
 * On a mismatch the differences of the closest alternative are listed after
 * a line naming the answers. fixed and given may be NULL. */
size_t ecrc_compare_json_open(json_object *expected, json_object *actual, const char *path,
                              diff_list *out, const answer_list *fixed, answer_list *given);

/* Returns 1 when actual matches expected (no differences), else 0. */
int ecrc_compare_matches(json_object *expected, json_object *actual);

#endif
