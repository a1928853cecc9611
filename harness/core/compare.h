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

void diff_init(diff_list *d);

/* Adds a difference (strings copied). Allocation failure drops the item. */
void diff_add(diff_list *d, const char *path, const char *expected, const char *actual);

void diff_free(diff_list *d);

/* Compares actual against expected (already variable-expanded) and appends
 * every difference under the path prefix `path` (e.g. "$.body") to out.
 * actual may be NULL (absent). Returns the number of differences added;
 * 0 means it matches. Never fails on bad input: an invalid matcher is itself
 * reported as a difference. */
size_t compare_json(json_object *expected, json_object *actual, const char *path,
                    diff_list *out);

/* Returns 1 when actual matches expected (no differences), else 0. */
int compare_matches(json_object *expected, json_object *actual);

#endif
