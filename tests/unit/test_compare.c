/* Tests of harness/core/compare: literal comparison, every matcher positive
 * and negative, $set as a multiset with overlapping matchers, and the exact
 * paths and texts of the differences. */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compare.h"
#include "suites.h"

static json_object *parse(const char *s)
{
    json_tokener *tok = json_tokener_new();
    json_object *j = json_tokener_parse_ex(tok, s, (int)strlen(s) + 1);
    CU_ASSERT_EQUAL(json_tokener_get_error(tok), json_tokener_success);
    json_tokener_free(tok);
    return j;
}

/* Compares the JSON texts under "$.body" into d; returns the count. */
static size_t run(const char *expected, const char *actual, diff_list *d)
{
    json_object *e = parse(expected), *a = parse(actual);
    size_t n = ecrc_compare_json(e, a, "$.body", d);
    CU_ASSERT_EQUAL(n, d->n);
    /* The quiet form agrees with the loud one. */
    CU_ASSERT_EQUAL(ecrc_compare_matches(e, a), n == 0);
    json_object_put(e);
    json_object_put(a);
    return n;
}

static int matches(const char *expected, const char *actual)
{
    diff_list d;
    ecrc_diff_init(&d);
    size_t n = run(expected, actual, &d);
    ecrc_diff_free(&d);
    return n == 0;
}

/* Asserts that d holds exactly these paths, in this order. */
static void expect_paths(const diff_list *d, const char *const *paths, size_t n)
{
    CU_ASSERT_EQUAL(d->n, n);
    for (size_t i = 0; i < n && i < d->n; i++) {
        CU_ASSERT_STRING_EQUAL(d->items[i].path, paths[i]);
        if (strcmp(d->items[i].path, paths[i]))
            fprintf(stderr, "\n  diff %zu: got path %s, want %s\n", i, d->items[i].path, paths[i]);
    }
}

static void test_literal_equal(void)
{
    CU_ASSERT(matches("{\"a\": [1, \"x\", true, null, {\"b\": 2.5}], \"c\": {}}",
                      "{\"c\": {}, \"a\": [1, \"x\", true, null, {\"b\": 2.5}]}"));
    CU_ASSERT(matches("[]", "[]"));
    CU_ASSERT(matches("\"s\"", "\"s\""));
    CU_ASSERT_FALSE(matches("\"s\"", "\"S\""));
    CU_ASSERT_FALSE(matches("true", "false"));
    CU_ASSERT_FALSE(matches("true", "1"));
    CU_ASSERT_FALSE(matches("{\"a\": null}", "{\"a\": 0}"));
    CU_ASSERT_FALSE(matches("{\"a\": null}", "{\"a\": \"\"}"));
    CU_ASSERT(matches("{\"a\": null}", "{\"a\": null}"));
}

static void test_numbers(void)
{
    CU_ASSERT(matches("1", "1.0"));
    CU_ASSERT(matches("0.5", "0.5"));
    CU_ASSERT(matches("-3", "-3"));
    CU_ASSERT_FALSE(matches("1", "2"));
    CU_ASSERT_FALSE(matches("1", "\"1\""));
    /* Integers compare exactly even where doubles would round them equal. */
    CU_ASSERT_FALSE(matches("9007199254740993", "9007199254740992"));
    CU_ASSERT(matches("9223372036854775807", "9223372036854775807"));
    CU_ASSERT_FALSE(matches("18446744073709551615", "9223372036854775807"));
    CU_ASSERT(matches("18446744073709551615", "18446744073709551615"));
}

static void test_diff_paths_and_texts(void)
{
    diff_list d;
    ecrc_diff_init(&d);
    size_t n = run("{\"failures\": [{\"failureCode\": \"ImageNotFound\", \"imageId\": "
                   "{\"imageTag\": \"latest\"}}], \"imageIds\": [], \"gone\": 1}",
                   "{\"failures\": [{\"failureCode\": \"InvalidImageTag\", \"imageId\": "
                   "{\"imageTag\": \"a/b\"}}], \"imageIds\": [], \"extra\": {\"k\": [1]}}",
                   &d);
    CU_ASSERT_EQUAL(n, 4);
    static const char *const want[] = {"$.body.failures[0].failureCode",
                                       "$.body.failures[0].imageId.imageTag", "$.body.gone",
                                       "$.body.extra"};
    expect_paths(&d, want, 4);
    if (d.n == 4) {
        CU_ASSERT_STRING_EQUAL(d.items[0].expected, "\"ImageNotFound\"");
        CU_ASSERT_STRING_EQUAL(d.items[0].actual, "\"InvalidImageTag\"");
        CU_ASSERT_STRING_EQUAL(d.items[1].actual, "\"a/b\""); /* no "\/" */
        CU_ASSERT_STRING_EQUAL(d.items[2].expected, "1");
        CU_ASSERT_STRING_EQUAL(d.items[2].actual, "(absent)");
        CU_ASSERT_STRING_EQUAL(d.items[3].expected, "(absent)");
        CU_ASSERT_STRING_EQUAL(d.items[3].actual, "{\"k\":[1]}");
    }
    ecrc_diff_free(&d);
}

static void test_non_identifier_keys(void)
{
    diff_list d;
    ecrc_diff_init(&d);
    run("{\"x-amzn-RequestId\": \"a\", \"0k\": 1, \"ok_1\": {\"with space\": 2, "
        "\"q\\\"uote\": 3}}",
        "{\"x-amzn-RequestId\": \"b\", \"0k\": 2, \"ok_1\": {\"with space\": 3, "
        "\"q\\\"uote\": 4}}",
        &d);
    static const char *const want[] = {"$.body[\"x-amzn-RequestId\"]", "$.body[\"0k\"]",
                                       "$.body.ok_1[\"with space\"]", "$.body.ok_1[\"q\\\"uote\"]"};
    expect_paths(&d, want, 4);
    ecrc_diff_free(&d);
}

static void test_type_mismatch(void)
{
    diff_list d;
    ecrc_diff_init(&d);
    run("{\"a\": {\"b\": 1}, \"c\": [1], \"d\": \"s\"}",
        "{\"a\": [1], \"c\": {\"x\": 1}, \"d\": 5}", &d);
    static const char *const want[] = {"$.body.a", "$.body.c", "$.body.d"};
    expect_paths(&d, want, 3);
    if (d.n == 3) {
        CU_ASSERT_STRING_EQUAL(d.items[0].expected, "{\"b\":1}");
        CU_ASSERT_STRING_EQUAL(d.items[0].actual, "[1]");
    }
    ecrc_diff_free(&d);
}

static void test_arrays_in_order(void)
{
    diff_list d;
    ecrc_diff_init(&d);
    run("{\"a\": [1, 2]}", "{\"a\": [2, 1]}", &d);
    static const char *const swapped[] = {"$.body.a[0]", "$.body.a[1]"};
    expect_paths(&d, swapped, 2);
    ecrc_diff_free(&d);

    /* Length reported once, then every differing index, missing and extra. */
    ecrc_diff_init(&d);
    run("{\"a\": [1, 2, 3]}", "{\"a\": [1, 5]}", &d);
    static const char *const shorter[] = {"$.body.a", "$.body.a[1]", "$.body.a[2]"};
    expect_paths(&d, shorter, 3);
    if (d.n == 3) {
        CU_ASSERT_STRING_EQUAL(d.items[0].expected, "an array of 3 elements");
        CU_ASSERT_STRING_EQUAL(d.items[0].actual, "an array of 2 elements");
        CU_ASSERT_STRING_EQUAL(d.items[2].expected, "3");
        CU_ASSERT_STRING_EQUAL(d.items[2].actual, "(absent)");
    }
    ecrc_diff_free(&d);

    ecrc_diff_init(&d);
    run("[1]", "[1, {\"x\": 2}]", &d);
    static const char *const longer[] = {"$.body", "$.body[1]"};
    expect_paths(&d, longer, 2);
    if (d.n == 2) {
        CU_ASSERT_STRING_EQUAL(d.items[1].expected, "(absent)");
        CU_ASSERT_STRING_EQUAL(d.items[1].actual, "{\"x\":2}");
    }
    ecrc_diff_free(&d);
}

static void test_any(void)
{
    CU_ASSERT(matches("{\"a\": {\"$any\": true}}", "{\"a\": 1}"));
    CU_ASSERT(matches("{\"a\": {\"$any\": true}}", "{\"a\": null}"));
    CU_ASSERT(matches("{\"a\": {\"$any\": true}}", "{\"a\": {\"deep\": [1]}}"));
    diff_list d;
    ecrc_diff_init(&d);
    run("{\"a\": {\"$any\": true}}", "{}", &d);
    static const char *const want[] = {"$.body.a"};
    expect_paths(&d, want, 1);
    if (d.n == 1) {
        CU_ASSERT_STRING_EQUAL(d.items[0].expected, "{\"$any\":true}");
        CU_ASSERT_STRING_EQUAL(d.items[0].actual, "(absent)");
    }
    ecrc_diff_free(&d);
    /* Top level: NULL actual is absent. */
    json_object *e = parse("{\"$any\": true}");
    CU_ASSERT_FALSE(ecrc_compare_matches(e, NULL));
    json_object_put(e);
}

static void test_absent(void)
{
    CU_ASSERT(matches("{\"nextToken\": {\"$absent\": true}, \"x\": 1}", "{\"x\": 1}"));
    diff_list d;
    ecrc_diff_init(&d);
    run("{\"nextToken\": {\"$absent\": true}}", "{\"nextToken\": null}", &d);
    static const char *const want[] = {"$.body.nextToken"};
    expect_paths(&d, want, 1);
    if (d.n == 1) {
        CU_ASSERT_STRING_EQUAL(d.items[0].expected, "(absent)");
        CU_ASSERT_STRING_EQUAL(d.items[0].actual, "null");
    }
    ecrc_diff_free(&d);
    json_object *e = parse("{\"$absent\": true}");
    CU_ASSERT_TRUE(ecrc_compare_matches(e, NULL));
    json_object_put(e);
}

static void test_regex(void)
{
    CU_ASSERT(matches("{\"$regex\": \"^Requested image\"}", "\"Requested image not found\""));
    CU_ASSERT(matches("{\"$regex\": \"not\"}", "\"Requested image not found\"")); /* unanchored */
    CU_ASSERT(matches("{\"$regex\": \"^sha256:[0-9a-f]{4}$\"}", "\"sha256:00ff\""));
    CU_ASSERT_FALSE(matches("{\"$regex\": \"^sha256:[0-9a-f]{4}$\"}", "\"sha256:00ffa\""));
    CU_ASSERT_FALSE(matches("{\"$regex\": \"^1$\"}", "1")); /* strings only */
    CU_ASSERT_FALSE(matches("{\"m\": {\"$regex\": \".*\"}}", "{}"));

    diff_list d;
    ecrc_diff_init(&d);
    run("{\"m\": {\"$regex\": \"(\"}}", "{\"m\": \"(\"}", &d);
    static const char *const want[] = {"$.body.m"};
    expect_paths(&d, want, 1);
    if (d.n == 1)
        CU_ASSERT_PTR_NOT_NULL(strstr(d.items[0].expected, "a valid $regex"));
    ecrc_diff_free(&d);
}

static void test_type(void)
{
    static const char *const pos[][2] = {
        {"string", "\"x\""}, {"number", "1"},     {"number", "1.5"}, {"boolean", "false"},
        {"object", "{}"},    {"array", "[1, 2]"}, {"null", "null"},
    };
    for (size_t i = 0; i < sizeof pos / sizeof pos[0]; i++) {
        char e[64], a[64];
        snprintf(e, sizeof e, "{\"v\": {\"$type\": \"%s\"}}", pos[i][0]);
        snprintf(a, sizeof a, "{\"v\": %s}", pos[i][1]);
        CU_ASSERT(matches(e, a));
    }
    CU_ASSERT_FALSE(matches("{\"v\": {\"$type\": \"string\"}}", "{\"v\": 1}"));
    CU_ASSERT_FALSE(matches("{\"v\": {\"$type\": \"number\"}}", "{\"v\": \"1\"}"));
    CU_ASSERT_FALSE(matches("{\"v\": {\"$type\": \"null\"}}", "{}"));
    CU_ASSERT_FALSE(matches("{\"v\": {\"$type\": \"object\"}}", "{\"v\": []}"));
    CU_ASSERT_FALSE(matches("{\"v\": {\"$type\": \"array\"}}", "{\"v\": {}}"));
    CU_ASSERT_FALSE(matches("{\"v\": {\"$type\": \"boolean\"}}", "{\"v\": 0}"));
    CU_ASSERT_FALSE(matches("{\"v\": {\"$type\": \"integer\"}}", "{\"v\": 0}"));
}

static void test_set(void)
{
    CU_ASSERT(matches("{\"$set\": [1, 2, 3]}", "[3, 1, 2]"));
    CU_ASSERT(matches("{\"$set\": []}", "[]"));
    CU_ASSERT(matches("{\"$set\": [{\"t\": \"a\"}, {\"t\": \"b\"}]}",
                      "[{\"t\": \"b\"}, {\"t\": \"a\"}]"));
    CU_ASSERT_FALSE(matches("{\"$set\": [1]}", "{\"0\": 1}"));
    CU_ASSERT_FALSE(matches("{\"$set\": [1, 2]}", "[1, 2, 2]"));

    /* Duplicates count: a multiset, not a set. */
    diff_list d;
    ecrc_diff_init(&d);
    run("{\"ids\": {\"$set\": [1, 1, 2]}}", "{\"ids\": [1, 2, 2]}", &d);
    static const char *const want[] = {"$.body.ids{missing}", "$.body.ids{unexpected}"};
    expect_paths(&d, want, 2);
    if (d.n == 2) {
        CU_ASSERT_STRING_EQUAL(d.items[0].expected, "1");
        CU_ASSERT_STRING_EQUAL(d.items[0].actual, "(absent)");
        CU_ASSERT_STRING_EQUAL(d.items[1].expected, "(absent)");
        CU_ASSERT_STRING_EQUAL(d.items[1].actual, "2");
    }
    ecrc_diff_free(&d);

    ecrc_diff_init(&d);
    run("{\"ids\": {\"$set\": [\"a\", \"a\"]}}", "{\"ids\": [\"a\"]}", &d);
    static const char *const missing[] = {"$.body.ids{missing}"};
    expect_paths(&d, missing, 1);
    ecrc_diff_free(&d);
}

static void test_set_overlapping_matchers(void)
{
    /* Greedy pairing would give "1" to $any and then fail the literal 1. */
    CU_ASSERT(matches("{\"$set\": [{\"$any\": true}, 1]}", "[1, 2]"));
    CU_ASSERT(matches("{\"$set\": [{\"$regex\": \"^a\"}, \"ab\"]}", "[\"ab\", \"ac\"]"));
    CU_ASSERT(matches("{\"$set\": [{\"$type\": \"string\"}, {\"$regex\": \"^x\"}, \"xy\"]}",
                      "[\"xy\", \"xz\", \"q\"]"));
    CU_ASSERT(matches("{\"$set\": [{\"$partial\": {\"a\": 1}}, {\"a\": 1, \"b\": 2}]}",
                      "[{\"a\": 1, \"b\": 2}, {\"a\": 1, \"c\": 3}]"));
    /* No perfect matching exists: exactly one element is left on each side. */
    diff_list d;
    ecrc_diff_init(&d);
    run("{\"$set\": [{\"$regex\": \"^a\"}, {\"$regex\": \"^a\"}, \"b\"]}", "[\"ab\", \"b\", \"c\"]",
        &d);
    static const char *const want[] = {"$.body{missing}", "$.body{unexpected}"};
    expect_paths(&d, want, 2);
    if (d.n == 2) {
        CU_ASSERT_STRING_EQUAL(d.items[0].expected, "{\"$regex\":\"^a\"}");
        CU_ASSERT_STRING_EQUAL(d.items[1].actual, "\"c\"");
    }
    ecrc_diff_free(&d);
}

static void test_set_large(void)
{
    /* 200 distinct objects in reverse order: the matching must find them all
     * without false differences. */
    char *e = malloc(200 * 40 + 64), *a = malloc(200 * 40 + 64);
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    CU_ASSERT_PTR_NOT_NULL_FATAL(a);
    size_t pe = (size_t)snprintf(e, 32, "{\"$set\": [");
    size_t pa = (size_t)snprintf(a, 32, "[");
    for (int i = 0; i < 200; i++) {
        pe += (size_t)snprintf(e + pe, 40, "%s{\"imageTag\": \"t%d\"}", i ? "," : "", i);
        pa += (size_t)snprintf(a + pa, 40, "%s{\"imageTag\": \"t%d\"}", i ? "," : "", 199 - i);
    }
    snprintf(e + pe, 8, "]}");
    snprintf(a + pa, 8, "]");
    CU_ASSERT(matches(e, a));
    free(e);
    free(a);
}

/* Builds {"$set": [elem x ne]} and [i, i+1, ...] (na numbers). */
static void set_texts(const char *elem, size_t ne, size_t na, char **e, char **a)
{
    size_t el = strlen(elem) + 1;
    *e = malloc(ne * el + 32);
    *a = malloc(na * 12 + 8);
    CU_ASSERT_PTR_NOT_NULL_FATAL(*e);
    CU_ASSERT_PTR_NOT_NULL_FATAL(*a);
    size_t pe = (size_t)snprintf(*e, 32, "{\"$set\": [");
    for (size_t i = 0; i < ne; i++)
        pe += (size_t)snprintf(*e + pe, el + 1, "%s%s", i ? "," : "", elem);
    snprintf(*e + pe, 4, "]}");
    size_t pa = (size_t)snprintf(*a, 8, "[");
    for (size_t i = 0; i < na; i++)
        pa += (size_t)snprintf(*a + pa, 12, "%s%zu", i ? "," : "", i);
    snprintf(*a + pa, 4, "]");
}

static void test_set_limits(void)
{
    /* 1000 interchangeable matchers: matched quickly, no false difference. */
    char *e, *a;
    set_texts("{\"$any\": true}", 1000, 1000, &e, &a);
    CU_ASSERT(matches(e, a));
    free(e);
    free(a);
    set_texts("{\"$type\": \"number\"}", 1000, 999, &e, &a);
    diff_list d;
    ecrc_diff_init(&d);
    run(e, a, &d);
    static const char *const one_missing[] = {"$.body{missing}"};
    expect_paths(&d, one_missing, 1);
    ecrc_diff_free(&d);
    free(e);
    free(a);
    /* Beyond the bound the set is reported, not compared. */
    set_texts("{\"$any\": true}", 1001, 1001, &e, &a);
    ecrc_diff_init(&d);
    run(e, a, &d);
    static const char *const whole[] = {"$.body"};
    expect_paths(&d, whole, 1);
    if (d.n == 1)
        CU_ASSERT_PTR_NOT_NULL(strstr(d.items[0].expected, "at most 1000"));
    ecrc_diff_free(&d);
    free(e);
    free(a);
}

static void test_partial(void)
{
    CU_ASSERT(matches("{\"$partial\": {\"a\": 1}}", "{\"a\": 1, \"b\": 2}"));
    CU_ASSERT(matches("{\"$partial\": {}}", "{\"b\": 2}"));
    CU_ASSERT(matches("{\"$partial\": {\"n\": {\"$absent\": true}}}", "{\"b\": 2}"));
    CU_ASSERT_FALSE(matches("{\"$partial\": {\"n\": {\"$absent\": true}}}", "{\"n\": 2}"));
    CU_ASSERT_FALSE(matches("{\"$partial\": {\"a\": 1}}", "[1]"));
    diff_list d;
    ecrc_diff_init(&d);
    run("{\"x\": {\"$partial\": {\"a\": 1, \"b\": {\"c\": 2}}}}",
        "{\"x\": {\"b\": {\"c\": 3}, \"z\": 0}}", &d);
    static const char *const want[] = {"$.body.x.a", "$.body.x.b.c"};
    expect_paths(&d, want, 2);
    ecrc_diff_free(&d);
}

static void test_invalid_matchers(void)
{
    diff_list d;
    ecrc_diff_init(&d);
    run("{\"a\": {\"$foo\": 1}, \"b\": {\"$any\": true, \"x\": 1}, \"c\": {\"$type\": 5}}",
        "{\"a\": 1, \"b\": 1, \"c\": 1}", &d);
    static const char *const want[] = {"$.body.a", "$.body.b", "$.body.c"};
    expect_paths(&d, want, 3);
    for (size_t i = 0; i < d.n; i++)
        CU_ASSERT_PTR_NOT_NULL(strstr(d.items[i].expected, "a valid matcher"));
    ecrc_diff_free(&d);
}

static void test_render_truncation(void)
{
    char big[1200];
    big[0] = '"';
    memset(big + 1, 'x', 1000);
    memcpy(big + 1001, "\"", 2);
    diff_list d;
    ecrc_diff_init(&d);
    run("\"short\"", big, &d);
    CU_ASSERT_EQUAL_FATAL(d.n, 1);
    size_t len = strlen(d.items[0].actual);
    CU_ASSERT(len >= 290 && len <= 310);
    CU_ASSERT_STRING_EQUAL(d.items[0].actual + len - 3, "...");
    ecrc_diff_free(&d);
}

static void test_api_edges(void)
{
    json_object *e = parse("{\"a\": 1}"), *a = parse("{\"a\": 2}");
    diff_list d;
    ecrc_diff_init(&d);
    CU_ASSERT_EQUAL(ecrc_compare_json(e, a, NULL, &d), 1); /* NULL path: "$" */
    CU_ASSERT_STRING_EQUAL(d.items[0].path, "$.a");
    ecrc_diff_free(&d);
    ecrc_diff_free(&d); /* freeing twice is harmless */
    ecrc_diff_free(NULL);
    CU_ASSERT_EQUAL(ecrc_compare_json(e, a, "$", NULL), 1); /* quiet */
    CU_ASSERT_EQUAL(ecrc_compare_json(e, NULL, "$", NULL), 1);
    json_object_put(e);
    json_object_put(a);

    ecrc_diff_init(&d);
    for (int i = 0; i < 100; i++)
        ecrc_diff_add(&d, "$.p", "e", "a");
    CU_ASSERT_EQUAL(d.n, 100);
    ecrc_diff_free(&d);
}

/* ---- $anyOf ------------------------------------------------------------- */

#define DUP_ANYOF                                                                                  \
    "{\"question\": \"oq-x\", \"$anyOf\": ["                                                       \
    "{\"answer\": \"in-order\", \"level\": \"E\", \"sources\": [\"s\"], \"value\": "               \
    "{\"$set\": [{\"code\": \"ImageNotFound\"}]}},"                                                \
    "{\"answer\": \"merged\", \"level\": \"E\", \"sources\": [\"s\"], \"value\": {\"$set\": "      \
    "[]}}]}"

static size_t run_open(const char *expected, const char *actual, diff_list *d,
                       const answer_list *fixed, answer_list *given)
{
    json_object *e = parse(expected), *a = parse(actual);
    size_t n = ecrc_compare_json_open(e, a, "$.body", d, fixed, given);
    json_object_put(e);
    json_object_put(a);
    return n;
}

static void test_anyof_matches_each_answer_and_records_it(void)
{
    answer_list given;
    ecrc_answers_init(&given);
    CU_ASSERT_EQUAL(run_open(DUP_ANYOF, "[]", NULL, NULL, &given), 0);
    CU_ASSERT_STRING_EQUAL(ecrc_answers_get(&given, "oq-x"), "merged");
    CU_ASSERT_EQUAL(run_open(DUP_ANYOF, "[{\"code\": \"ImageNotFound\"}]", NULL, NULL, &given), 0);
    CU_ASSERT_STRING_EQUAL(ecrc_answers_get(&given, "oq-x"), "in-order");
    ecrc_answers_free(&given);
    /* the plain API accepts it too, without recording */
    CU_ASSERT(matches(DUP_ANYOF, "[]"));
}

static void test_anyof_mismatch_names_the_closest_answer(void)
{
    diff_list d;
    answer_list given;
    ecrc_diff_init(&d);
    ecrc_answers_init(&given);
    size_t n =
        run_open(DUP_ANYOF, "[{\"code\": \"ImageNotFound\"}, {\"code\": \"x\"}]", &d, NULL, &given);
    CU_ASSERT(n >= 2);
    CU_ASSERT_STRING_EQUAL(d.items[0].path, "$.body");
    CU_ASSERT_PTR_NOT_NULL(strstr(d.items[0].expected, "'in-order', 'merged'"));
    CU_ASSERT_PTR_NOT_NULL(strstr(d.items[0].expected, "closest is 'in-order'"));
    /* then the closest alternative's own differences */
    CU_ASSERT_STRING_EQUAL(d.items[1].path, "$.body{unexpected}");
    CU_ASSERT_STRING_EQUAL(ecrc_answers_get(&given, "oq-x"), "none (closest: in-order)");
    CU_ASSERT_EQUAL(given.items[0].matched, 0);
    ecrc_diff_free(&d);
    ecrc_answers_free(&given);
}

static void test_anyof_fixed_answer_is_the_only_one_tried(void)
{
    answer_list fixed, given;
    ecrc_answers_init(&fixed);
    ecrc_answers_init(&given);
    ecrc_answers_set(&fixed, "oq-x", "in-order", 1);
    /* "merged" would match, but an earlier step answered in-order */
    diff_list d;
    ecrc_diff_init(&d);
    CU_ASSERT(run_open(DUP_ANYOF, "[]", &d, &fixed, &given) > 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(d.items[0].expected, "an earlier step gave ('in-order')"));
    ecrc_diff_free(&d);
    /* a fixed answer to another question changes nothing */
    answer_list other;
    ecrc_answers_init(&other);
    ecrc_answers_set(&other, "oq-y", "whatever", 1);
    CU_ASSERT_EQUAL(run_open(DUP_ANYOF, "[]", NULL, &other, NULL), 0);
    /* a fixed answer this $anyOf does not list constrains nothing */
    ecrc_answers_set(&other, "oq-x", "sideways", 1);
    CU_ASSERT_EQUAL(run_open(DUP_ANYOF, "[]", NULL, &other, NULL), 0);
    ecrc_answers_free(&other);
    ecrc_answers_free(&fixed);
    ecrc_answers_free(&given);
}

static void test_anyof_inside_set_and_with_absent(void)
{
    /* an alternative inside a $set element: pairing tries every alternative */
    const char *in_set = "{\"$set\": [{\"question\": \"oq-c\", \"$anyOf\": ["
                         "{\"answer\": \"A\", \"level\": \"E\", \"sources\": [\"s\"], \"value\": "
                         "{\"code\": \"A\"}},"
                         "{\"answer\": \"B\", \"level\": \"E\", \"sources\": [\"s\"], \"value\": "
                         "{\"code\": \"B\"}}]}, {\"code\": \"C\"}]}";
    answer_list given;
    ecrc_answers_init(&given);
    CU_ASSERT_EQUAL(run_open(in_set, "[{\"code\": \"C\"}, {\"code\": \"B\"}]", NULL, NULL, &given),
                    0);
    CU_ASSERT_STRING_EQUAL(ecrc_answers_get(&given, "oq-c"), "B");
    CU_ASSERT_FALSE(matches(in_set, "[{\"code\": \"C\"}, {\"code\": \"D\"}]"));
    ecrc_answers_free(&given);
    /* a member that is absent under one answer */
    const char *absent = "{\"m\": {\"question\": \"oq-a\", \"$anyOf\": ["
                         "{\"answer\": \"gone\", \"level\": \"I\", \"sources\": [\"s\"], "
                         "\"value\": {\"$absent\": true}},"
                         "{\"answer\": \"empty\", \"level\": \"I\", \"sources\": [\"s\"], "
                         "\"value\": []}]}}";
    CU_ASSERT(matches(absent, "{}"));
    CU_ASSERT(matches(absent, "{\"m\": []}"));
    CU_ASSERT_FALSE(matches(absent, "{\"m\": [1]}"));
    /* two alternatives matching alike are both recorded */
    const char *alike =
        "{\"question\": \"oq-s\", \"$anyOf\": ["
        "{\"answer\": \"A\", \"level\": \"I\", \"sources\": [\"s\"], \"value\": 1},"
        "{\"answer\": \"B\", \"level\": \"I\", \"sources\": [\"s\"], \"value\": 1}]}";
    ecrc_answers_init(&given);
    CU_ASSERT_EQUAL(run_open(alike, "1", NULL, NULL, &given), 0);
    CU_ASSERT_STRING_EQUAL(ecrc_answers_get(&given, "oq-s"), "A|B");
    answer_list fixed;
    ecrc_answers_init(&fixed);
    ecrc_answers_set(&fixed, "oq-s", "A|B", 1);
    CU_ASSERT_EQUAL(run_open(alike, "1", NULL, &fixed, NULL), 0);
    ecrc_answers_free(&fixed);
    ecrc_answers_free(&given);
    /* malformed: a member beside $anyOf other than question */
    CU_ASSERT_FALSE(matches("{\"$anyOf\": [], \"x\": 1}", "1"));
}

int register_compare_suite(void)
{
    CU_pSuite s = CU_add_suite("compare", NULL, NULL);
    if (!s)
        return 1;
    if (!CU_add_test(s, "literal_equal", test_literal_equal) ||
        !CU_add_test(s, "numbers", test_numbers) ||
        !CU_add_test(s, "diff_paths_and_texts", test_diff_paths_and_texts) ||
        !CU_add_test(s, "non_identifier_keys", test_non_identifier_keys) ||
        !CU_add_test(s, "type_mismatch", test_type_mismatch) ||
        !CU_add_test(s, "arrays_in_order", test_arrays_in_order) ||
        !CU_add_test(s, "any", test_any) || !CU_add_test(s, "absent", test_absent) ||
        !CU_add_test(s, "regex", test_regex) || !CU_add_test(s, "type", test_type) ||
        !CU_add_test(s, "set", test_set) ||
        !CU_add_test(s, "set_overlapping_matchers", test_set_overlapping_matchers) ||
        !CU_add_test(s, "set_large", test_set_large) ||
        !CU_add_test(s, "set_limits", test_set_limits) ||
        !CU_add_test(s, "partial", test_partial) ||
        !CU_add_test(s, "invalid_matchers", test_invalid_matchers) ||
        !CU_add_test(s, "render_truncation", test_render_truncation) ||
        !CU_add_test(s, "api_edges", test_api_edges) ||
        !CU_add_test(s, "anyof_records", test_anyof_matches_each_answer_and_records_it) ||
        !CU_add_test(s, "anyof_closest", test_anyof_mismatch_names_the_closest_answer) ||
        !CU_add_test(s, "anyof_fixed", test_anyof_fixed_answer_is_the_only_one_tried) ||
        !CU_add_test(s, "anyof_set_absent", test_anyof_inside_set_and_with_absent))
        return 1;
    return 0;
}
