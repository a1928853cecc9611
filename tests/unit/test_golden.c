/* Tests of harness/core/golden: the golden format of docs/CASES.md, one test
 * per validation rule, each asserting the diagnostic's field and message. */
#include <CUnit/CUnit.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "golden.h"
#include "suites.h"

static char tmpdir[64];
static char gpath[128];

static int suite_init(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/ecrc-golden-XXXXXX");
    if (!mkdtemp(tmpdir))
        return 1;
    snprintf(gpath, sizeof gpath, "%s/g.json", tmpdir);
    return 0;
}

static int suite_clean(void)
{
    unlink(gpath);
    return rmdir(tmpdir);
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fputs(text, f);
    fclose(f);
}

/* Loads text as a golden; d receives the diagnostics. */
static golden *load(const char *text, diag_list *d)
{
    write_file(gpath, text);
    ecr_diag_init(d);
    return ecrc_golden_load(gpath, d);
}

/* 1 when d has an item on field whose message contains part. */
static int has(const diag_list *d, const char *field, const char *part)
{
    for (size_t i = 0; i < d->n; i++)
        if (!strcmp(d->items[i].field, field) && strstr(d->items[i].message, part) &&
            !strcmp(d->items[i].file, gpath))
            return 1;
    return 0;
}

static void dump(const diag_list *d)
{
    for (size_t i = 0; i < d->n; i++)
        fprintf(stderr, "\n  [%s] [%s] %s", d->items[i].file, d->items[i].field,
                d->items[i].message);
}

/* Asserts that text is refused with a diagnostic on field containing part. */
#define REFUSED(text, field, part)                                                                 \
    do {                                                                                           \
        diag_list d_;                                                                              \
        golden *g_ = load((text), &d_);                                                            \
        CU_ASSERT_PTR_NULL(g_);                                                                    \
        CU_ASSERT(has(&d_, (field), (part)));                                                      \
        if (!has(&d_, (field), (part)))                                                            \
            dump(&d_);                                                                             \
        ecrc_golden_free(g_);                                                                      \
        ecr_diag_free(&d_);                                                                        \
    } while (0)

#define PROV_C "\"provenance\": {\"level\": \"C\", \"sources\": [\"aws/aws-cli#6424\"]}"
#define PROV_I "\"provenance\": {\"level\": \"I\", \"sources\": [\"x\"], \"notes\": \"why\"}"

/* Found by fuzz_loader (tests/fuzz/regressions/loader/oom-regex-explosion):
 * a golden whose $regex has a long run of '+' made glibc's regcomp take
 * gigabytes. It must load (and be refused) in bounded time and memory, with
 * the regex named. */
static void test_fuzz_regex_explosion(void)
{
    char path[1024], text[4096];
    snprintf(path, sizeof path, "%s/tests/fuzz/regressions/loader/oom-regex-explosion",
             ECRC_SOURCE_DIR);
    FILE *f = fopen(path, "rb");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = '\0';
    CU_ASSERT_FATAL(n > 1 && text[0] == 1); /* fuzz_loader's "this is a golden" byte */
    diag_list d;
    golden *g = load(text + 1, &d);
    CU_ASSERT_PTR_NULL(g);
    int named = 0;
    for (size_t i = 0; i < d.n; i++)
        named |= strstr(d.items[i].field, "failureReason") != NULL;
    CU_ASSERT_TRUE(named);
    if (!named)
        dump(&d);
    ecrc_golden_free(g);
    ecr_diag_free(&d);
}

static void test_valid_body_golden(void)
{
    diag_list d;
    golden *g = load("{\"provenance\": {\"level\": \"D\", \"sources\": [\"API_BatchDeleteImage\","
                     " \"ref 2\"], \"notes\": \"n\"},"
                     " \"status\": 200, \"headers\": {\"Content-Type\": "
                     "\"application/x-amz-json-1.1\", \"x-amzn-RequestId\": {\"$any\": true}},"
                     " \"body\": {\"imageIds\": {\"$set\": [{\"imageDigest\": \"${digest:a}\","
                     " \"imageTag\": {\"$regex\": \"^${repo:x}[a-z]+$\"}}]}, \"failures\": [],"
                     " \"nextToken\": {\"$absent\": true}, \"p\": {\"$partial\": {\"q\": "
                     "{\"$type\": \"null\"}}}}}",
                     &d);
    CU_ASSERT_PTR_NOT_NULL_FATAL(g);
    CU_ASSERT_EQUAL(d.n, 0);
    CU_ASSERT_STRING_EQUAL(g->path, gpath);
    CU_ASSERT_EQUAL(g->level, LEVEL_D);
    CU_ASSERT_EQUAL(g->nsources, 2);
    CU_ASSERT_STRING_EQUAL(g->sources[1], "ref 2");
    CU_ASSERT_STRING_EQUAL(g->notes, "n");
    CU_ASSERT_EQUAL(g->status, 200);
    CU_ASSERT_PTR_NOT_NULL(g->body);
    CU_ASSERT_PTR_NULL(g->error_type);
    CU_ASSERT_PTR_NULL(g->error_message);
    CU_ASSERT_EQUAL(json_object_object_length(g->headers), 2);
    ecrc_golden_free(g);
    ecrc_golden_free(NULL);
    ecr_diag_free(&d);
}

static void test_valid_error_golden(void)
{
    diag_list d;
    golden *g = load("{" PROV_I ", \"status\": 400, \"error\": {\"type\": "
                     "\"RepositoryNotFoundException\", \"message\": {\"$regex\": \"^The "
                     "repository with name '${repo:x}'\"}}}",
                     &d);
    CU_ASSERT_PTR_NOT_NULL_FATAL(g);
    CU_ASSERT_EQUAL(g->level, LEVEL_I);
    CU_ASSERT_PTR_NULL(g->body);
    CU_ASSERT_STRING_EQUAL(g->error_type, "RepositoryNotFoundException");
    CU_ASSERT(json_object_is_type(g->error_message, json_type_object));
    CU_ASSERT_PTR_NULL(g->headers);
    ecrc_golden_free(g);
    ecr_diag_free(&d);

    /* message is optional (not compared), and an exact text is fine on C. */
    g = load("{" PROV_C ", \"status\": 400, \"error\": {\"type\": \"SerializationException\"}}",
             &d);
    CU_ASSERT_PTR_NOT_NULL(g);
    CU_ASSERT_PTR_NULL(g ? g->error_message : NULL);
    ecrc_golden_free(g);
    ecr_diag_free(&d);
    g = load("{" PROV_C ", \"status\": 400, \"error\": {\"type\": \"T\", \"message\": \"m\"}}", &d);
    CU_ASSERT_PTR_NOT_NULL(g);
    ecrc_golden_free(g);
    ecr_diag_free(&d);
}

static void test_file_problems(void)
{
    REFUSED("{\n  \"status\": 200,\n  \"body\": {]\n}\n", "", "invalid JSON at line 3");
    REFUSED("[1]", "", "must be a JSON object");
    REFUSED("null", "", "null");
    REFUSED("{} trailing", "", "invalid JSON at line 1");
    REFUSED("{\"status\": \"\xff\"}", "", "invalid JSON"); /* not UTF-8 */
    REFUSED("", "", "the file is empty");
    REFUSED("{\"a\": 1", "", "invalid JSON at line 1, column 8: unexpected end of data");

    diag_list d;
    ecr_diag_init(&d);
    CU_ASSERT_PTR_NULL(ecrc_golden_load("/nonexistent/golden.json", &d));
    CU_ASSERT_EQUAL(d.n, 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(d.items[0].message, "cannot open"));
    CU_ASSERT_STRING_EQUAL(d.items[0].file, "/nonexistent/golden.json");
    ecr_diag_free(&d);

    /* The size cap is checked before reading: a sparse file costs nothing. */
    int fd = open(gpath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    CU_ASSERT_FATAL(fd >= 0);
    CU_ASSERT_EQUAL(ftruncate(fd, GOLDEN_FILE_MAX + 1), 0);
    close(fd);
    ecr_diag_init(&d);
    CU_ASSERT_PTR_NULL(ecrc_golden_load(gpath, &d));
    CU_ASSERT(has(&d, "", "file too large"));
    ecr_diag_free(&d);

    /* A directory is not a golden. */
    ecr_diag_init(&d);
    CU_ASSERT_PTR_NULL(ecrc_golden_load(tmpdir, &d));
    CU_ASSERT_EQUAL(d.n, 1);
    ecr_diag_free(&d);
}

static void test_unknown_member(void)
{
    REFUSED("{" PROV_C ", \"status\": 200, \"body\": {}, \"bdy\": {}}", "bdy", "unknown member");
    REFUSED("{\"provenance\": {\"level\": \"C\", \"sources\": [\"x\"], \"note\": \"n\"},"
            " \"status\": 200, \"body\": {}}",
            "provenance.note", "unknown member");
    REFUSED("{" PROV_C ", \"status\": 400, \"error\": {\"type\": \"T\", \"mesage\": \"m\"}}",
            "error.mesage", "unknown member");
}

static void test_provenance_required(void)
{
    REFUSED("{\"status\": 200, \"body\": {}}", "provenance", "required");
    REFUSED("{\"provenance\": \"C\", \"status\": 200, \"body\": {}}", "provenance",
            "must be an object");
}

static void test_level(void)
{
    REFUSED("{\"provenance\": {\"level\": \"X\", \"sources\": [\"x\"]}, \"status\": 200, "
            "\"body\": {}}",
            "provenance.level", "one of");
    REFUSED("{\"provenance\": {\"level\": \"c\", \"sources\": [\"x\"]}, \"status\": 200, "
            "\"body\": {}}",
            "provenance.level", "one of");
    REFUSED("{\"provenance\": {\"sources\": [\"x\"]}, \"status\": 200, \"body\": {}}",
            "provenance.level", "required");
    CU_ASSERT_STRING_EQUAL(ecrc_golden_level_name(LEVEL_C), "C");
    CU_ASSERT_STRING_EQUAL(ecrc_golden_level_name(LEVEL_E), "E");
}

static void test_sources(void)
{
    REFUSED("{\"provenance\": {\"level\": \"C\"}, \"status\": 200, \"body\": {}}",
            "provenance.sources", "required");
    REFUSED("{\"provenance\": {\"level\": \"C\", \"sources\": []}, \"status\": 200, \"body\": {}}",
            "provenance.sources", "non-empty array");
    REFUSED("{\"provenance\": {\"level\": \"C\", \"sources\": \"x\"}, \"status\": 200, "
            "\"body\": {}}",
            "provenance.sources", "non-empty array");
    REFUSED("{\"provenance\": {\"level\": \"C\", \"sources\": [\"a\", \"\"]}, \"status\": 200, "
            "\"body\": {}}",
            "provenance.sources[1]", "non-empty string");
    REFUSED("{\"provenance\": {\"level\": \"C\", \"sources\": [1]}, \"status\": 200, "
            "\"body\": {}}",
            "provenance.sources[0]", "non-empty string");
}

static void test_notes(void)
{
    REFUSED("{\"provenance\": {\"level\": \"I\", \"sources\": [\"x\"]}, \"status\": 200, "
            "\"body\": {}}",
            "provenance.notes", "required for level I");
    REFUSED("{\"provenance\": {\"level\": \"E\", \"sources\": [\"x\"], \"notes\": \"\"}, "
            "\"status\": 200, \"body\": {}}",
            "provenance.notes", "required for level E");
    REFUSED("{\"provenance\": {\"level\": \"C\", \"sources\": [\"x\"], \"notes\": 1}, "
            "\"status\": 200, \"body\": {}}",
            "provenance.notes", "must be a string");
}

static void test_status(void)
{
    REFUSED("{" PROV_C ", \"body\": {}}", "status", "required");
    REFUSED("{" PROV_C ", \"status\": \"200\", \"body\": {}}", "status", "integer");
    REFUSED("{" PROV_C ", \"status\": 99, \"body\": {}}", "status", "100..599");
    REFUSED("{" PROV_C ", \"status\": 600, \"body\": {}}", "status", "100..599");
    REFUSED("{" PROV_C ", \"status\": 200.0, \"body\": {}}", "status", "integer");
}

static void test_body_or_error(void)
{
    REFUSED("{" PROV_C ", \"status\": 200}", "", "exactly one of");
    REFUSED("{" PROV_C ", \"status\": 200, \"body\": {}, \"error\": {\"type\": \"T\"}}", "",
            "exactly one of");
    REFUSED("{" PROV_C ", \"status\": 200, \"body\": null}", "body", "must not be null");
}

static void test_error_fields(void)
{
    REFUSED("{" PROV_C ", \"status\": 400, \"error\": \"T\"}", "error", "must be an object");
    REFUSED("{" PROV_C ", \"status\": 400, \"error\": {\"message\": \"m\"}}", "error.type",
            "required");
    REFUSED("{" PROV_C ", \"status\": 400, \"error\": {\"type\": \"\"}}", "error.type",
            "non-empty string");
    REFUSED("{" PROV_C ", \"status\": 400, \"error\": {\"type\": 5}}", "error.type",
            "non-empty string");
    REFUSED("{" PROV_C ", \"status\": 400, \"error\": {\"type\": \"T\", \"message\": 5}}",
            "error.message", "string or a matcher");
    REFUSED("{" PROV_C ", \"status\": 400, \"error\": {\"type\": \"T\", \"message\": {\"a\": 1}}}",
            "error.message", "string or a matcher");
}

static void test_headers(void)
{
    REFUSED("{" PROV_C ", \"status\": 200, \"body\": {}, \"headers\": []}", "headers",
            "must be an object");
    REFUSED("{" PROV_C ", \"status\": 200, \"body\": {}, \"headers\": {\"X-A\": 5}}", "headers.X-A",
            "string or a matcher");
    REFUSED("{" PROV_C ", \"status\": 200, \"body\": {}, \"headers\": {\"X-A\": \"1\", "
            "\"x-a\": \"2\"}}",
            "headers.x-a", "duplicate header name");
    REFUSED("{" PROV_C ", \"status\": 200, \"body\": {}, \"headers\": {\"X-A\": "
            "{\"$regex\": \"[\"}}}",
            "headers.X-A.$regex", "does not compile");
}

static void test_matcher_any_absent(void)
{
    REFUSED("{" PROV_C ", \"status\": 200, \"body\": {\"a\": {\"$any\": false}}}", "body.a.$any",
            "takes the value true");
    REFUSED("{" PROV_C ", \"status\": 200, \"body\": {\"a\": {\"$absent\": 1}}}", "body.a.$absent",
            "takes the value true");
    REFUSED("{" PROV_C ", \"status\": 200, \"body\": {\"a\": [{\"$absent\": true}]}}", "body.a[0]",
            "only valid as an object member");
    REFUSED("{" PROV_C ", \"status\": 200, \"body\": {\"a\": {\"$set\": [{\"$absent\": true}]}}}",
            "body.a.$set[0]", "only valid as an object member");
}

static void test_matcher_regex(void)
{
    REFUSED("{" PROV_C ", \"status\": 200, \"body\": {\"a\": {\"$regex\": \"(\"}}}",
            "body.a.$regex", "does not compile");
    REFUSED("{" PROV_C ", \"status\": 200, \"body\": {\"a\": {\"$regex\": 1}}}", "body.a.$regex",
            "takes a string");
    REFUSED("{" PROV_C ", \"status\": 200, \"body\": {\"a\": {\"$regex\": \"^${repo:x\"}}}",
            "body.a.$regex", "unterminated");
    /* Variables are replaced by a dummy before compiling: this compiles. */
    diag_list d;
    golden *g = load("{" PROV_C ", \"status\": 200, \"body\": {\"a\": {\"$regex\": "
                     "\"^${repo:x}{2}$\"}}}",
                     &d);
    CU_ASSERT_PTR_NOT_NULL(g);
    ecrc_golden_free(g);
    ecr_diag_free(&d);
}

static void test_matcher_type(void)
{
    REFUSED("{" PROV_C ", \"status\": 200, \"body\": {\"a\": {\"$type\": \"int\"}}}",
            "body.a.$type", "one of string, number");
    REFUSED("{" PROV_C ", \"status\": 200, \"body\": {\"a\": {\"$type\": [\"string\"]}}}",
            "body.a.$type", "one of string, number");
}

static void test_matcher_set_partial(void)
{
    REFUSED("{" PROV_C ", \"status\": 200, \"body\": {\"a\": {\"$set\": {}}}}", "body.a.$set",
            "takes an array");
    REFUSED("{" PROV_C ", \"status\": 200, \"body\": {\"a\": {\"$partial\": []}}}",
            "body.a.$partial", "takes an object");
    /* Matchers nest: problems inside are found with their full path. */
    REFUSED("{" PROV_C ", \"status\": 200, \"body\": {\"a\": {\"$set\": [1, {\"$partial\": "
            "{\"b\": {\"$type\": \"x\"}}}]}}}",
            "body.a.$set[1].$partial.b.$type", "one of string");
}

static void test_matcher_unknown_and_shape(void)
{
    REFUSED("{" PROV_C ", \"status\": 200, \"body\": {\"a\": {\"$anything\": true}}}",
            "body.a.$anything", "unknown matcher");
    REFUSED("{" PROV_C ", \"status\": 200, \"body\": {\"a\": {\"$any\": true, \"b\": 1}}}",
            "body.a", "exactly one member");
    REFUSED("{" PROV_C ", \"status\": 200, \"body\": {\"a\": {\"$any\": true, \"$type\": "
            "\"null\"}}}",
            "body.a", "exactly one member");
}

static void test_check_matchers_count(void)
{
    json_object *j = json_tokener_parse(
        "{\"a\": {\"$foo\": 1}, \"b\": [{\"$regex\": \"(\"}], \"c\": {\"$type\": \"string\"}}");
    diag_list d;
    ecr_diag_init(&d);
    CU_ASSERT_EQUAL(ecrc_golden_check_matchers(j, "f.json", "body", &d), 2);
    CU_ASSERT_EQUAL(d.n, 2);
    ecr_diag_free(&d);
    json_object_put(j);
}

static void test_inferred_exact_text(void)
{
    REFUSED("{" PROV_I ", \"status\": 400, \"error\": {\"type\": \"T\", \"message\": \"exact\"}}",
            "error.message", "exact message text on a level I golden");
    REFUSED("{\"provenance\": {\"level\": \"E\", \"sources\": [\"moto\"], \"notes\": \"n\"},"
            " \"status\": 200, \"body\": {\"failures\": [{\"failureCode\": \"X\","
            " \"failureReason\": \"exact\"}]}}",
            "body.failures[0].failureReason", "use a $regex or $any matcher");
    /* Inside matchers too. */
    REFUSED("{" PROV_I ", \"status\": 200, \"body\": {\"failures\": {\"$set\": [{\"$partial\": "
            "{\"failureReason\": \"exact\"}}]}}}",
            "body.failures.$set[0].$partial.failureReason", "exact message text");

    /* An anchored regex without any pattern is an exact text too. */
    REFUSED("{" PROV_I ", \"status\": 400, \"error\": {\"type\": \"T\", \"message\": "
            "{\"$regex\": \"^Requested image not found\\\\.$\"}}}",
            "error.message", "exact text in disguise on a level I golden");
    REFUSED("{" PROV_I ", \"status\": 200, \"body\": {\"failures\": [{\"failureCode\": \"X\","
            " \"failureReason\": {\"$regex\": \"^list: \\\\[${digest:p}\\\\]$\"}}]}}",
            "body.failures[0].failureReason", "exact text in disguise");

    /* Loose texts are what I and E goldens should use. */
    diag_list d;
    golden *g = load("{" PROV_I ", \"status\": 200, \"body\": {\"failures\": [{\"failureCode\": "
                     "\"X\", \"failureReason\": {\"$regex\": \"^Requested\"}}, {\"failureCode\": "
                     "\"Y\", \"failureReason\": {\"$any\": true}}]}}",
                     &d);
    CU_ASSERT_PTR_NOT_NULL(g);
    ecrc_golden_free(g);
    ecr_diag_free(&d);
    /* On C the exact text is the point. */
    g = load("{" PROV_C ", \"status\": 200, \"body\": {\"failures\": [{\"failureReason\": "
             "\"Requested image not found\"}]}}",
             &d);
    CU_ASSERT_PTR_NOT_NULL(g);
    ecrc_golden_free(g);
    ecr_diag_free(&d);
}

static void test_collects_all(void)
{
    /* Several independent problems: every one is reported. */
    diag_list d;
    golden *g = load("{\"provenance\": {\"level\": \"Z\", \"sources\": []}, \"status\": 42,"
                     " \"body\": {\"a\": {\"$type\": \"int\"}}, \"extra\": 1}",
                     &d);
    CU_ASSERT_PTR_NULL(g);
    CU_ASSERT(has(&d, "extra", "unknown member"));
    CU_ASSERT(has(&d, "provenance.level", "one of"));
    CU_ASSERT(has(&d, "provenance.sources", "non-empty"));
    CU_ASSERT(has(&d, "status", "100..599"));
    CU_ASSERT(has(&d, "body.a.$type", "one of"));
    CU_ASSERT_EQUAL(d.n, 5);
    ecr_diag_free(&d);
}

int register_golden_suite(void)
{
    CU_pSuite s = CU_add_suite("golden", suite_init, suite_clean);
    if (!s)
        return 1;
    if (!CU_add_test(s, "valid_body_golden", test_valid_body_golden) ||
        !CU_add_test(s, "valid_error_golden", test_valid_error_golden) ||
        !CU_add_test(s, "file_problems", test_file_problems) ||
        !CU_add_test(s, "unknown_member", test_unknown_member) ||
        !CU_add_test(s, "provenance_required", test_provenance_required) ||
        !CU_add_test(s, "level", test_level) || !CU_add_test(s, "sources", test_sources) ||
        !CU_add_test(s, "notes", test_notes) || !CU_add_test(s, "status", test_status) ||
        !CU_add_test(s, "body_or_error", test_body_or_error) ||
        !CU_add_test(s, "error_fields", test_error_fields) ||
        !CU_add_test(s, "headers", test_headers) ||
        !CU_add_test(s, "matcher_any_absent", test_matcher_any_absent) ||
        !CU_add_test(s, "matcher_regex", test_matcher_regex) ||
        !CU_add_test(s, "matcher_type", test_matcher_type) ||
        !CU_add_test(s, "matcher_set_partial", test_matcher_set_partial) ||
        !CU_add_test(s, "matcher_unknown_and_shape", test_matcher_unknown_and_shape) ||
        !CU_add_test(s, "check_matchers_count", test_check_matchers_count) ||
        !CU_add_test(s, "inferred_exact_text", test_inferred_exact_text) ||
        !CU_add_test(s, "collects_all", test_collects_all) ||
        !CU_add_test(s, "fuzz_regex_explosion", test_fuzz_regex_explosion))
        return 1;
    return 0;
}
