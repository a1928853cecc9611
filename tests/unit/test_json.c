/* Tests of harness/common/json.c: parsing modes, the file reader, the
 * getters, the unknown-member check and the atomic save. */
#include <CUnit/CUnit.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ecr/json.h"
#include "suites.h"

static char g_dir[64];

static int setup(void)
{
    snprintf(g_dir, sizeof g_dir, "/tmp/ecrc-json-XXXXXX");
    return mkdtemp(g_dir) ? 0 : 1;
}

static int teardown(void)
{
    rm_tree(g_dir);
    return 0;
}

static const char *in_dir(const char *name)
{
    static char p[PATH_MAX];
    snprintf(p, sizeof p, "%s/%s", g_dir, name);
    return p;
}

static void write_file(const char *path, const char *text, size_t len)
{
    FILE *f = fopen(path, "wb");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fwrite(text, 1, len, f);
    fclose(f);
}

/* Parses text with flags; returns 1 when refused with exactly one
 * diagnostic whose message equals want (want NULL: accepted). */
static int parses_as(const char *text, size_t len, unsigned flags, const char *want)
{
    diag_list d;
    ecr_diag_init(&d);
    json_object *j = ecr_json_parse(text, len, flags, NULL, "f.json", &d);
    int ok;
    if (!want)
        ok = j != NULL && d.n == 0;
    else
        ok = j == NULL && d.n == 1 && !strcmp(d.items[0].file, "f.json") &&
             !strcmp(d.items[0].field, "") && !strcmp(d.items[0].message, want);
    if (!ok) {
        printf("\n%s: want [%s]; got %s\n", text, want ? want : "(accepted)",
               j ? "a value" : "NULL");
        ecr_diag_print(&d, stdout);
    }
    json_object_put(j);
    ecr_diag_free(&d);
    return ok;
}

#define STRICT_REFUSES(text, msg) CU_ASSERT(parses_as(text, strlen(text), ECR_JSON_FILE, msg))
#define STRICT_ACCEPTS(text) CU_ASSERT(parses_as(text, strlen(text), ECR_JSON_FILE, NULL))

static void test_strict_syntax(void)
{
    STRICT_ACCEPTS("{\"a\": [1, 2.5, true, null, \"x\"]}\n");
    STRICT_ACCEPTS("42"); /* a bare number at the very end is complete */
    STRICT_REFUSES("{\"a\": 1, /* c */ \"b\": 2}",
                   "invalid JSON at line 1, column 10: a comment (JSON has none)");
    STRICT_REFUSES("{\"a\": 1}\n// c\n",
                   "invalid JSON at line 2, column 1: a comment (JSON has none)");
    STRICT_REFUSES("{\"a\": [1,\n 2,\n ]}", "invalid JSON at line 3, column 2: a trailing comma");
    STRICT_REFUSES("{\"a\": 1,}", "invalid JSON at line 1, column 9: a trailing comma");
    STRICT_REFUSES("{\"a\": 1} x",
                   "invalid JSON at line 1, column 10: unexpected bytes after the value");
    STRICT_REFUSES("{\"a\": ", "invalid JSON at line 1, column 7: unexpected end of data");
    STRICT_REFUSES("\"\xff\"", "invalid JSON at line 1, column 2: invalid utf-8 string");
    STRICT_REFUSES("null", "the document is null, not a JSON value we can use");
    STRICT_REFUSES(" \n", "invalid JSON: there is no value, only whitespace");
}

static void test_strict_scan(void)
{
    STRICT_REFUSES("{\"a\": 1,\n \"b\": 2,\n \"a\": 3}",
                   "invalid JSON at line 3, column 2: duplicate key \"a\" (first at line 1, "
                   "column 2)");
    /* The same key spelt with an escape is the same key. */
    STRICT_REFUSES("{\"ab\": 1, \"a\\u0062\": 2}",
                   "invalid JSON at line 1, column 11: duplicate key \"ab\" (first at line 1, "
                   "column 2)");
    STRICT_REFUSES("[{\"x\": {\"k\": 1, \"k\": 1}}]",
                   "invalid JSON at line 1, column 17: duplicate key \"k\" (first at line 1, "
                   "column 9)");
    /* Equal keys in different objects are fine; "\\u0000" is a backslash. */
    STRICT_ACCEPTS("[{\"k\": 1}, {\"k\": {\"k\": 2}}, \"\\\\u0000\"]");
    STRICT_REFUSES("{\"a\": \"x\\u0000y\"}",
                   "invalid JSON at line 1, column 9: \\u0000 in a string (NUL is refused)");
    STRICT_REFUSES("{\"a\\u0000\": 1}",
                   "invalid JSON at line 1, column 4: \\u0000 in a string (NUL is refused)");
    STRICT_REFUSES("{\"a\": \"x\ty\"}", "invalid JSON at line 1, column 9: a raw control "
                                        "character (0x09) in a string; escape it");
    STRICT_REFUSES("{'a': 1}",
                   "invalid JSON at line 1, column 2: a single-quoted string (JSON has \"...\")");
    STRICT_REFUSES("{\"a\": 'x'}",
                   "invalid JSON at line 1, column 7: a single-quoted string (JSON has \"...\")");
    STRICT_REFUSES("[NaN]", "invalid JSON at line 1, column 2: NaN and Infinity are not JSON "
                            "numbers");
    CU_ASSERT(
        parses_as("{}\0{}", 5, ECR_JSON_FILE, "invalid JSON at line 1, column 3: a NUL byte"));
    /* Without the scan (the emulator's requests) json-c decides alone. */
    CU_ASSERT(parses_as("{\"a\": 1, \"a\": 2}", 16, ECR_JSON_STRICT, NULL));
    CU_ASSERT(parses_as("{\"a\": 1} x", 10, ECR_JSON_STRICT,
                        "invalid JSON at line 1, column 10: unexpected bytes after the value"));
}

static void test_peer_rest(void)
{
    /* A peer's body: json-c's lenient defaults, bytes after the value are
     * the caller's to report. */
    const char *body = "{\"a\": 1}  <html>";
    size_t rest = 0;
    json_object *j = ecr_json_parse(body, strlen(body), ECR_JSON_PEER, &rest, NULL, NULL);
    CU_ASSERT_PTR_NOT_NULL(j);
    CU_ASSERT_EQUAL(rest, 10);
    json_object_put(j);
    j = ecr_json_parse("{\"a\": 1}\n", 9, ECR_JSON_PEER, &rest, NULL, NULL);
    CU_ASSERT_EQUAL(rest, 9);
    json_object_put(j);
    CU_ASSERT_PTR_NULL(ecr_json_parse("{\"a\":", 5, ECR_JSON_PEER, &rest, NULL, NULL));
    /* No rest pointer: trailing bytes are an error in every mode. */
    CU_ASSERT(parses_as(body, strlen(body), ECR_JSON_PEER,
                        "invalid JSON at line 1, column 11: unexpected bytes after the value"));
    /* A comment after the value is trailing bytes, not whitespace (json-c's
     * lenient mode ate it, so `{...}//<html>` passed a golden). */
    const char *commented[] = {"{\"a\": 1}//<html>", "{\"a\": 1}/* x */", "{\"a\": 1}\n// x"};
    for (size_t i = 0; i < sizeof commented / sizeof commented[0]; i++) {
        rest = 0;
        j = ecr_json_parse(commented[i], strlen(commented[i]), ECR_JSON_PEER, &rest, NULL, NULL);
        CU_ASSERT_PTR_NOT_NULL(j);
        CU_ASSERT(rest < strlen(commented[i]) && commented[i][rest] == '/');
        json_object_put(j);
    }
}

/* A peer's body is held to JSON's syntax (what json-c's defaults took is
 * refused), but not to our files' extra rules: duplicate keys, \u0000 and
 * big integers are the runner's to report as differences. */
static void test_peer_syntax(void)
{
#define PEER(text, want) CU_ASSERT(parses_as(text, strlen(text), ECR_JSON_PEER, want))
    PEER("{\"a\": 1,}", "invalid JSON at line 1, column 9: a trailing comma");
    PEER("[1,]", "invalid JSON at line 1, column 4: a trailing comma");
    PEER("{'a': 1}", "invalid JSON at line 1, column 2: a single-quoted string (JSON has \"...\")");
    PEER("[NaN]", "invalid JSON at line 1, column 2: NaN and Infinity are not JSON numbers");
    PEER("[-Infinity]", "invalid JSON at line 1, column 3: NaN and Infinity are not JSON numbers");
    PEER("[\"a\tb\"]",
         "invalid JSON at line 1, column 4: a raw control character (0x09) in a string; escape it");
    PEER("/* c */ {}", "invalid JSON at line 1, column 1: a comment (JSON has none)");
    PEER("[01]", "invalid JSON at line 1, column 4: number expected");
    PEER("{\"a\": 1, \"a\": 2}", NULL);
    PEER("[\"a\\u0000b\"]", NULL);
    PEER("[100000000000000000000000]", NULL);
    PEER("[\"\xff\"]", NULL);
    PEER("[\"NaN\", \"it's\", -0, 1e5, true, null]", NULL);
#undef PEER
}

static void test_read_file(void)
{
    diag_list d;
    ecr_diag_init(&d);
    write_file(in_dir("m.json"), "{\"mediaType\": \"x\"}\n\n", 20);
    char *text = NULL;
    size_t len = 0;
    json_object *j = ecr_json_read_file(in_dir("m.json"), 1024, ECR_JSON_FILE, &text, &len, &d);
    CU_ASSERT_PTR_NOT_NULL(j);
    CU_ASSERT_EQUAL(len, 20);
    CU_ASSERT_STRING_EQUAL(text, "{\"mediaType\": \"x\"}\n\n");
    json_object_put(j);
    free(text);
    text = NULL;
    CU_ASSERT_EQUAL(d.n, 0);
    /* Above the cap: refused before reading, text untouched. */
    CU_ASSERT_PTR_NULL(ecr_json_read_file(in_dir("m.json"), 10, ECR_JSON_FILE, &text, &len, &d));
    CU_ASSERT_PTR_NULL(text);
    CU_ASSERT_EQUAL_FATAL(d.n, 1);
    CU_ASSERT_STRING_EQUAL(d.items[0].message, "file too large (20 bytes, limit 10)");
    ecr_diag_free(&d);

    write_file(in_dir("empty.json"), "", 0);
    CU_ASSERT_PTR_NULL(ecr_json_read_file(in_dir("empty.json"), 10, ECR_JSON_FILE, NULL, NULL, &d));
    CU_ASSERT_PTR_NULL(ecr_json_read_file(in_dir("nope.json"), 10, ECR_JSON_FILE, NULL, NULL, &d));
    CU_ASSERT_PTR_NULL(ecr_json_read_file(g_dir, 10, ECR_JSON_FILE, NULL, NULL, &d));
    CU_ASSERT_EQUAL_FATAL(d.n, 3);
    CU_ASSERT_STRING_EQUAL(d.items[0].message, "invalid JSON: the file is empty");
    CU_ASSERT_STRING_EQUAL(d.items[1].message, "cannot open: No such file or directory");
    CU_ASSERT_STRING_EQUAL(d.items[2].message, "cannot read: not a regular file");
    ecr_diag_free(&d);
}

static void test_read_fifo(void)
{
    /* Nobody writes to this FIFO: a blocking open would hang the test. */
    CU_ASSERT_EQUAL_FATAL(mkfifo(in_dir("fifo.json"), 0600), 0);
    time_t t0 = time(NULL);
    diag_list d;
    ecr_diag_init(&d);
    CU_ASSERT_PTR_NULL(ecr_json_read_file(in_dir("fifo.json"), 10, ECR_JSON_FILE, NULL, NULL, &d));
    CU_ASSERT(time(NULL) - t0 < 5);
    CU_ASSERT_EQUAL_FATAL(d.n, 1);
    CU_ASSERT_STRING_EQUAL(d.items[0].message, "cannot read: not a regular file");
    ecr_diag_free(&d);
    unlink(in_dir("fifo.json"));
}

static int has(const diag_list *d, const char *field, const char *message)
{
    for (size_t i = 0; i < d->n; i++)
        if (!strcmp(d->items[i].field, field) && !strcmp(d->items[i].message, message) &&
            !strcmp(d->items[i].file, "doc.json"))
            return 1;
    printf("\nno [%s] [%s] in:\n", field, message);
    ecr_diag_print(d, stdout);
    return 0;
}

static void test_getters(void)
{
    const char *text =
        "{\"s\": \"x\", \"e\": \"\", \"n\": 7, \"b\": true, \"o\": {}, \"a\": [\"p\", "
        "3, \"\", \"q\"], \"big\": 300}";
    json_object *o = ecr_json_parse(text, strlen(text), ECR_JSON_FILE, NULL, "doc.json", NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(o);
    diag_list d;
    ecr_diag_init(&d);
    ecr_json_src src = {"doc.json", &d, 0};

    CU_ASSERT_STRING_EQUAL(ecr_json_get_string(&src, o, "", "s", ECR_JSON_REQUIRED), "x");
    CU_ASSERT_PTR_NULL(ecr_json_get_string(&src, o, "", "e", ECR_JSON_NONEMPTY));
    CU_ASSERT_PTR_NULL(ecr_json_get_string(&src, o, "", "n", 0));
    CU_ASSERT_PTR_NULL(ecr_json_get_string(&src, o, "", "missing", 0)); /* optional: silent */
    CU_ASSERT_PTR_NULL(ecr_json_get_string(&src, o, "top", "req", ECR_JSON_REQUIRED));
    CU_ASSERT_EQUAL(src.errors, 3);
    CU_ASSERT(has(&d, "e", "must not be empty"));
    CU_ASSERT(has(&d, "n", "must be a string"));
    CU_ASSERT(has(&d, "top.req", "required member missing"));

    int64_t n = 0;
    CU_ASSERT_EQUAL(ecr_json_get_int(&src, o, "", "n", 0, 0, 10, &n), 1);
    CU_ASSERT_EQUAL(n, 7);
    CU_ASSERT_EQUAL(ecr_json_get_int(&src, o, "", "big", 0, 2, 256, &n), -1);
    CU_ASSERT(has(&d, "big", "must be an integer from 2 to 256"));
    CU_ASSERT_EQUAL(ecr_json_get_int(&src, o, "", "s", 0, 0, 10, &n), -1);
    CU_ASSERT_EQUAL(ecr_json_get_int(&src, o, "", "zz", 0, 0, 10, &n), 0);
    CU_ASSERT_EQUAL(n, 7);

    int b = 0;
    CU_ASSERT_EQUAL(ecr_json_get_bool(&src, o, "", "b", 0, &b), 1);
    CU_ASSERT_EQUAL(b, 1);
    CU_ASSERT_EQUAL(ecr_json_get_bool(&src, o, "", "n", 0, &b), -1);
    CU_ASSERT(has(&d, "n", "must be true or false"));

    CU_ASSERT_PTR_NOT_NULL(ecr_json_get_object(&src, o, "", "o", 0));
    CU_ASSERT_PTR_NULL(ecr_json_get_object(&src, o, "", "o", ECR_JSON_NONEMPTY));
    CU_ASSERT_PTR_NULL(ecr_json_get_array(&src, o, "", "o", 0));
    CU_ASSERT(has(&d, "o", "must be an array"));

    json_object *a = ecr_json_get_array(&src, o, "", "a", ECR_JSON_NONEMPTY);
    CU_ASSERT_PTR_NOT_NULL_FATAL(a);
    size_t cnt = 0;
    char **v = ecr_json_get_strings(&src, a, "a", &cnt);
    CU_ASSERT_EQUAL_FATAL(cnt, 2);
    CU_ASSERT_STRING_EQUAL(v[0], "p");
    CU_ASSERT_STRING_EQUAL(v[1], "q");
    CU_ASSERT_PTR_NULL(v[2]);
    CU_ASSERT(has(&d, "a[1]", "must be a non-empty string"));
    CU_ASSERT(has(&d, "a[2]", "must be a non-empty string"));
    for (size_t i = 0; i < cnt; i++)
        free(v[i]);
    free(v);
    CU_ASSERT_EQUAL(src.errors, d.n);
    ecr_diag_free(&d);
    json_object_put(o);
}

static void test_check_members(void)
{
    static const char *const allowed[] = {"id", "name", NULL};
    const char *text = "{\"id\": 1, \"nmae\": 2, \"odd key\": 3}";
    json_object *o = ecr_json_parse(text, strlen(text), ECR_JSON_FILE, NULL, "doc.json", NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(o);
    diag_list d;
    ecr_diag_init(&d);
    ecr_json_src src = {"doc.json", &d, 0};
    CU_ASSERT_EQUAL(ecr_json_check_members(&src, o, "steps[0]", allowed), 2);
    CU_ASSERT_EQUAL(src.errors, 2);
    CU_ASSERT(has(&d, "steps[0].nmae", "unknown member (allowed: id, name)"));
    CU_ASSERT(has(&d, "steps[0][\"odd key\"]", "unknown member (allowed: id, name)"));
    ecr_diag_free(&d);
    json_object_put(o);
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    static char data[4096];
    size_t n = fread(data, 1, sizeof data - 1, f);
    data[n] = '\0';
    fclose(f);
    return data;
}

static void test_text_and_save(void)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "p", json_object_new_string("a/b"));
    CU_ASSERT_STRING_EQUAL(ecr_json_text(o), "{\"p\":\"a/b\"}");
    CU_ASSERT_STRING_EQUAL(ecr_json_text(NULL), "null");
    char *s = ecr_json_to_string(o, ECR_JSON_PRETTY);
    CU_ASSERT_STRING_EQUAL(s, "{\n  \"p\": \"a/b\"\n}");

    /* A symlink at the target is replaced, its target left alone. */
    write_file(in_dir("victim"), "keep", 4);
    char victim[PATH_MAX];
    snprintf(victim, sizeof victim, "%s", in_dir("victim"));
    CU_ASSERT_EQUAL_FATAL(symlink(victim, in_dir("out.json")), 0);
    CU_ASSERT_EQUAL(ecr_json_save(o, in_dir("out.json")), ECR_OK);
    CU_ASSERT_STRING_EQUAL(slurp(in_dir("victim")), "keep");
    struct stat st;
    CU_ASSERT_EQUAL_FATAL(lstat(in_dir("out.json"), &st), 0);
    CU_ASSERT(S_ISREG(st.st_mode));
    CU_ASSERT_EQUAL(st.st_mode & 0022, 0);
    CU_ASSERT_STRING_EQUAL(slurp(in_dir("out.json")), s);
    /* No temporary file is left behind. */
    size_t files = 99;
    char cmd[PATH_MAX + 48];
    snprintf(cmd, sizeof cmd, "ls -A '%s' | grep -c 'tmp$'", g_dir);
    FILE *p = popen(cmd, "r");
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    CU_ASSERT_EQUAL(fscanf(p, "%zu", &files), 1);
    pclose(p);
    CU_ASSERT_EQUAL(files, 0);
    /* A directory that does not exist: an error, nothing written. */
    CU_ASSERT_EQUAL(ecr_json_save(o, in_dir("no/such/dir.json")), ECR_EIO);
    free(s);
    json_object_put(o);
    unlink(in_dir("out.json"));
    unlink(in_dir("victim"));
}

int register_json_suite(void)
{
    CU_pSuite s = CU_add_suite("json", setup, teardown);
    if (!s)
        return 1;
    if (!CU_add_test(s, "strict_syntax", test_strict_syntax) ||
        !CU_add_test(s, "strict_scan", test_strict_scan) ||
        !CU_add_test(s, "peer_rest", test_peer_rest) ||
        !CU_add_test(s, "peer_syntax", test_peer_syntax) ||
        !CU_add_test(s, "read_file", test_read_file) ||
        !CU_add_test(s, "read_fifo", test_read_fifo) || !CU_add_test(s, "getters", test_getters) ||
        !CU_add_test(s, "check_members", test_check_members) ||
        !CU_add_test(s, "text_and_save", test_text_and_save))
        return 1;
    return 0;
}
