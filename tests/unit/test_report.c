/* Tests of the result model and its writers (report.json, junit.xml,
 * report.html, summary.md), the text hygiene they share and the compare
 * matrix.
 *
 * The fixture is a run with one case of each status, hostile strings (markup,
 * quotes, "]]>", a control character, invalid UTF-8) and credentials that must
 * never reach a report: a fake Authorization / X-Amz-Security-Token line and
 * the AWS_SECRET_ACCESS_KEY value of the environment. The files are written
 * to a mkdtemp directory and read back; junit.xml is checked by a small
 * well-formedness checker below (no XML library is a dependency). */
#define _GNU_SOURCE /* strcasestr */
#include <CUnit/CUnit.h>
#include <json-c/json.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "matrix.h"
#include "report.h"
#include "report_files.h"
#include "report_html.h"
#include "report_json.h"
#include "report_junit.h"
#include "report_markdown.h"
#include "report_text.h"
#include "suites.h"

#define ENDPOINT "http://127.0.0.1:5000"
#define ENV_SECRET "wJalrXUtnFEMIK7MDENGbPxRfiCYFAKESECRETKEY"
#define AUTH_SIG "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
#define TOKEN "FAKE-SESSION-TOKEN-abcdef123456"
/* < & quotes ]]> a control character and a lone 0xff byte */
#define HOSTILE "<script>alert(\"x\")</script> & 'q' ]]> \x01 bad\xff byte"

/* ---- building a model ---------------------------------------------------- */

static char *xs(const char *s)
{
    return s ? strdup(s) : NULL;
}

static char **strv(const char *const *v, size_t n)
{
    char **out = calloc(n ? n : 1, sizeof *out);
    for (size_t i = 0; i < n; i++)
        out[i] = strdup(v[i]);
    return out;
}

static run_report *new_report(const char *target)
{
    run_report *r = calloc(1, sizeof *r);
    r->target = xs(target);
    r->endpoint = xs(ENDPOINT);
    r->harness_version = xs("0.1.0");
    r->started_at = xs("2025-01-02T03:04:05Z");
    r->duration_ms = 1234.5;
    return r;
}

static case_report *add_case(run_report *r, const char *id, case_status st, const char *level,
                             const char *reason, const char *const *covers, size_t ncovers)
{
    r->cases = realloc(r->cases, (r->ncases + 1) * sizeof *r->cases);
    case_report *c = &r->cases[r->ncases++];
    memset(c, 0, sizeof *c);
    c->id = xs(id);
    c->file = xs("cases/batch-delete-image/x.json");
    c->summary = xs("a summary");
    c->status = st;
    c->reason = xs(reason);
    c->covers = strv(covers, ncovers);
    c->ncovers = ncovers;
    c->level = xs(level);
    c->duration_ms = 12.0;
    return c;
}

static void add_step(case_report *c, const char *name, int passed, const char *request,
                     const char *response, const char *const *diff, size_t ndiff)
{
    c->steps = realloc(c->steps, (c->nsteps + 1) * sizeof *c->steps);
    step_report *s = &c->steps[c->nsteps++];
    memset(s, 0, sizeof *s);
    s->name = xs(name);
    s->operation = xs("BatchDeleteImage");
    s->level = xs(c->level);
    s->passed = passed;
    s->request = xs(request);
    s->response = xs(response);
    s->diff = strv(diff, ndiff);
    s->ndiff = ndiff;
}

static const char *const REQUEST =
    "POST / HTTP/1.1\r\n"
    "Content-Type: application/x-amz-json-1.1\r\n"
    "Authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20250102/us-east-1/ecr/aws4_request, "
    "SignedHeaders=host;x-amz-date, Signature=" AUTH_SIG "\r\n"
    "  x-amz-security-token: " TOKEN "\r\n"
    "\r\n"
    "{\"repositoryName\": \"ubuntu\"}";

/* pass(C) fail(I) error(D) skip(E) pass(E): score 2/4. Levels count expectations
 * (steps): C/D 1/2 (alpha's step; charlie has no steps, so its case level), I/E 1/3
 * (bravo's two failed steps, echo's passed one). */
static run_report *fixture(void)
{
    run_report *r = new_report("built-in");
    const char *cov_a[] = {"failureCode:ImageNotFound", "behaviour:delete-tag-keeps-other-tags"};
    case_report *a = add_case(r, "alpha-pass", ECRC_CASE_PASS, "C", NULL, cov_a, 2);
    add_step(a, "delete", 1, REQUEST, "HTTP 200\nContent-Type: application/x-amz-json-1.1\n\n{}",
             NULL, 0);

    const char *cov_b[] = {"failureCode:ImageNotFound", "exception:RepositoryNotFoundException",
                           "failureCode:ImageNotFound"};
    case_report *b = add_case(r, "bravo-fail", ECRC_CASE_FAIL, "I", HOSTILE, cov_b, 3);
    const char *d1[] = {"$.body.failures[0].failureCode: expected \"<a&b>\", got \"]]>\"",
                        "$.status: expected 200, got 400"};
    const char *d2[] = {"$.body.secret: expected \"x\", got \"" ENV_SECRET "\""};
    add_step(b, "delete", 0, REQUEST, "HTTP 400\n\n{\"message\": \"" ENV_SECRET "\"}", d1, 2);
    add_step(b, "state", 0, NULL, NULL, d2, 1);

    const char *cov_c[] = {"exception:ServerException"};
    add_case(r, "charlie-error", ECRC_CASE_ERROR, "D", "the target closed the connection", cov_c,
             1);

    const char *cov_d[] = {"failureCode:KmsError"};
    add_case(r, "delta-skip", ECRC_CASE_SKIP, "E", "requires fault-injection", cov_d, 1);

    const char *cov_e[] = {"behaviour:by-digest-removes-all-tags"};
    case_report *e = add_case(r, "echo-pass", ECRC_CASE_PASS, "E", NULL, cov_e, 1);
    add_step(e, "delete", 1, "POST /\n\n{}", "HTTP 200\n\n{}", NULL, 0);
    return r;
}

/* ---- files and environment ----------------------------------------------- */

static char g_dir[64];
static char *g_saved_secret;
static int g_had_secret;

static int suite_init(void)
{
    snprintf(g_dir, sizeof g_dir, "/tmp/ecrc-report-XXXXXX");
    if (!mkdtemp(g_dir))
        return 1;
    const char *s = getenv("AWS_SECRET_ACCESS_KEY");
    g_had_secret = s != NULL;
    g_saved_secret = s ? strdup(s) : NULL;
    return setenv("AWS_SECRET_ACCESS_KEY", ENV_SECRET, 1);
}

static int suite_clean(void)
{
    if (g_had_secret)
        setenv("AWS_SECRET_ACCESS_KEY", g_saved_secret, 1);
    else
        unsetenv("AWS_SECRET_ACCESS_KEY");
    free(g_saved_secret);
    rm_tree(g_dir);
    return 0;
}

static const char *in_dir(const char *sub)
{
    static char path[256];
    snprintf(path, sizeof path, "%s/%s", g_dir, sub);
    return path;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, len = 0, n;
    char *s = malloc(cap);
    while ((n = fread(s + len, 1, cap - len - 1, f)) > 0) {
        len += n;
        if (cap - len < 2)
            s = realloc(s, cap *= 2);
    }
    fclose(f);
    s[len] = '\0';
    return s;
}

static void spit(const char *path, const char *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fwrite(data, 1, len, f);
    fclose(f);
}

static size_t count(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
        n++;
    return n;
}

/* Text written by one of the report_text_* functions, via a memory stream. */
static char *escaped(void (*fn)(FILE *, const char *), const char *s)
{
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);
    fn(f, s);
    fclose(f);
    return out;
}

static void xml_attr(FILE *f, const char *s)
{
    ecrc_report_text_xml(f, s, 1);
}

static void xml_text(FILE *f, const char *s)
{
    ecrc_report_text_xml(f, s, 0);
}

/* 1 when s is valid UTF-8 (written independently of report_text.c). */
static int utf8_valid(const unsigned char *s)
{
    while (*s) {
        int n = *s < 0x80 ? 1 : (*s >> 5) == 6 ? 2 : (*s >> 4) == 14 ? 3 : (*s >> 3) == 30 ? 4 : 0;
        if (!n)
            return 0;
        for (int i = 1; i < n; i++)
            if ((s[i] & 0xC0) != 0x80)
                return 0;
        s += n;
    }
    return 1;
}

/* A well-formedness check sufficient for junit.xml: an optional <?xml?>
 * prolog, one root element, tags closed in order, attribute values quoted
 * without '<', every '&' starting an entity or character reference, no
 * control characters besides \t \n \r. Returns NULL or what is wrong. */
static const char *entity_ok(const char *p)
{
    const char *q = p + 1;
    if (*q == '#') {
        q++;
        if (*q < '0' || *q > '9')
            return "bad character reference";
        while (*q >= '0' && *q <= '9')
            q++;
    } else {
        if (*q < 'a' || *q > 'z')
            return "bare '&'";
        while (*q >= 'a' && *q <= 'z')
            q++;
    }
    return *q == ';' ? NULL : "unterminated entity";
}

static int name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == ':' || c == '.';
}

static const char *xml_check(const char *s)
{
    char stack[32][64];
    int depth = 0, roots = 0;
    const char *p = s;
    for (const char *q = s; *q; q++)
        if ((unsigned char)*q < 0x20 && *q != '\t' && *q != '\n' && *q != '\r')
            return "control character";
    if (strncmp(p, "<?xml", 5) == 0) {
        p = strstr(p, "?>");
        if (!p)
            return "unterminated prolog";
        p += 2;
    }
    while (*p) {
        if (*p == '&') {
            const char *e = entity_ok(p);
            if (e)
                return e;
            p++;
            continue;
        }
        if (*p != '<') {
            if (depth == 0 && !strchr(" \t\r\n", *p))
                return "text outside the root element";
            p++;
            continue;
        }
        p++;
        if (*p == '/') {
            p++;
            size_t n = 0;
            while (name_char(p[n]))
                n++;
            if (depth == 0 || strlen(stack[depth - 1]) != n || strncmp(stack[depth - 1], p, n))
                return "mismatched closing tag";
            depth--;
            p += n;
            if (*p != '>')
                return "bad closing tag";
            p++;
            continue;
        }
        size_t n = 0;
        while (name_char(p[n]))
            n++;
        if (n == 0 || n >= 64)
            return "bad element name";
        if (depth == 0 && ++roots > 1)
            return "more than one root element";
        if (depth == 32)
            return "too deep";
        memcpy(stack[depth], p, n);
        stack[depth][n] = '\0';
        p += n;
        for (;;) {
            while (*p == ' ' || *p == '\n' || *p == '\t')
                p++;
            if (*p == '>') {
                depth++;
                p++;
                break;
            }
            if (p[0] == '/' && p[1] == '>') {
                p += 2;
                break;
            }
            size_t an = 0;
            while (name_char(p[an]))
                an++;
            if (!an || p[an] != '=' || (p[an + 1] != '"' && p[an + 1] != '\''))
                return "bad attribute";
            char quote = p[an + 1];
            p += an + 2;
            while (*p && *p != quote) {
                if (*p == '<')
                    return "'<' in an attribute value";
                if (*p == '&' && entity_ok(p))
                    return entity_ok(p);
                p++;
            }
            if (!*p)
                return "unterminated attribute";
            p++;
        }
    }
    if (depth)
        return "unclosed element";
    return roots == 1 ? NULL : "no root element";
}

static json_object *get(json_object *o, const char *path)
{
    /* "a.b.c" */
    char key[128];
    while (o && *path) {
        size_t n = strcspn(path, ".");
        if (n >= sizeof key)
            return NULL;
        memcpy(key, path, n);
        key[n] = '\0';
        if (!json_object_object_get_ex(o, key, &o))
            return NULL;
        path += n + (path[n] == '.');
    }
    return o;
}

static int64_t int_at(json_object *root, const char *path)
{
    json_object *v = get(root, path);
    return v ? json_object_get_int64(v) : -1;
}

static const char *str_at(json_object *root, const char *path)
{
    json_object *v = get(root, path);
    return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : "";
}

/* ---- tests ----------------------------------------------------------------- */

static void test_status_names(void)
{
    CU_ASSERT_STRING_EQUAL(ecrc_case_status_name(ECRC_CASE_PASS), "pass");
    CU_ASSERT_STRING_EQUAL(ecrc_case_status_name(ECRC_CASE_FAIL), "fail");
    CU_ASSERT_STRING_EQUAL(ecrc_case_status_name(ECRC_CASE_ERROR), "error");
    CU_ASSERT_STRING_EQUAL(ecrc_case_status_name(ECRC_CASE_SKIP), "skip");
    CU_ASSERT_STRING_EQUAL(ecrc_case_status_name((case_status)42), "unknown");
    case_status st = ECRC_CASE_PASS;
    CU_ASSERT_EQUAL(ecrc_case_status_parse("error", &st), 0);
    CU_ASSERT_EQUAL(st, ECRC_CASE_ERROR);
    CU_ASSERT_EQUAL(ecrc_case_status_parse("ERROR", &st), -1);
    CU_ASSERT_EQUAL(ecrc_case_status_parse(NULL, &st), -1);
}

static void test_summarize(void)
{
    run_report *r = fixture();
    report_summary s;
    ecrc_report_summarize(r, &s);
    CU_ASSERT_EQUAL(s.total, 5);
    CU_ASSERT_EQUAL(s.passed, 2);
    CU_ASSERT_EQUAL(s.failed, 1);
    CU_ASSERT_EQUAL(s.errored, 1);
    CU_ASSERT_EQUAL(s.skipped, 1);
    CU_ASSERT_DOUBLE_EQUAL(s.score, 0.5, 1e-9);
    CU_ASSERT_EQUAL(s.cd_total, 2);
    CU_ASSERT_EQUAL(s.cd_passed, 1);
    CU_ASSERT_EQUAL(s.ie_total, 3); /* the skipped E case is not counted */
    CU_ASSERT_EQUAL(s.ie_passed, 1);
    CU_ASSERT_EQUAL(s.expected, 0);
    CU_ASSERT_STRING_EQUAL(ecrc_report_case_headline(&r->cases[1]),
                           "$.body.failures[0].failureCode: expected \"<a&b>\", got \"]]>\"");
    CU_ASSERT_STRING_EQUAL(ecrc_report_case_headline(&r->cases[2]),
                           "the target closed the connection");
    CU_ASSERT_STRING_EQUAL(ecrc_report_case_headline(&r->cases[0]), "");

    /* Skips never count as passes: all skipped -> 0, not 1. */
    for (size_t i = 0; i < r->ncases; i++)
        r->cases[i].status = ECRC_CASE_SKIP;
    ecrc_report_summarize(r, &s);
    CU_ASSERT_EQUAL(s.skipped, 5);
    CU_ASSERT_DOUBLE_EQUAL(s.score, 0.0, 1e-9);
    ecrc_report_free(r);

    run_report empty = {0};
    ecrc_report_summarize(&empty, &s);
    CU_ASSERT_EQUAL(s.total, 0);
    CU_ASSERT_DOUBLE_EQUAL(s.score, 0.0, 1e-9);
    ecrc_report_free(NULL);
}

static void test_coverage(void)
{
    run_report *r = fixture();
    report_coverage cov;
    CU_ASSERT_EQUAL_FATAL(ecrc_report_coverage_build(r, &cov), ECR_OK);
    CU_ASSERT_EQUAL_FATAL(cov.n, 6);
    /* Sorted by label. */
    CU_ASSERT_STRING_EQUAL(cov.entries[0].label, "behaviour:by-digest-removes-all-tags");
    CU_ASSERT_STRING_EQUAL(cov.entries[2].label, "exception:RepositoryNotFoundException");
    CU_ASSERT_STRING_EQUAL(cov.entries[4].label, "failureCode:ImageNotFound");
    const coverage_entry *e = &cov.entries[4];
    /* bravo-fail lists the label twice: one case, counted once. */
    CU_ASSERT_EQUAL(e->total, 2);
    CU_ASSERT_EQUAL(e->ncases, 2);
    CU_ASSERT_EQUAL(e->count[ECRC_CASE_PASS], 1);
    CU_ASSERT_EQUAL(e->count[ECRC_CASE_FAIL], 1);
    CU_ASSERT_EQUAL(e->cases[0], 0);
    CU_ASSERT_EQUAL(e->cases[1], 1);
    CU_ASSERT_STRING_EQUAL(cov.entries[5].label, "failureCode:KmsError");
    CU_ASSERT_EQUAL(cov.entries[5].count[ECRC_CASE_SKIP], 1);
    ecrc_report_coverage_free(&cov);
    ecrc_report_coverage_free(NULL);
    ecrc_report_free(r);
}

static void test_text_escaping(void)
{
    char *s = escaped(xml_attr, "a<b&\"c'\x01\x7f]]>\xff\n\t");
    CU_ASSERT_STRING_EQUAL(s, "a&lt;b&amp;&quot;c&#39;]]&gt;\xEF\xBF\xBD&#10;&#9;");
    free(s);
    s = escaped(xml_text, "x\r\ny\x1b");
    CU_ASSERT_STRING_EQUAL(s, "x&#13;\ny");
    free(s);
    s = escaped(ecrc_report_text_html, "<i>\"&'</i>\r\n");
    CU_ASSERT_STRING_EQUAL(s, "&lt;i&gt;&quot;&amp;&#39;&lt;/i&gt;\n");
    free(s);
    s = escaped(ecrc_report_text_md, "a|b *c* _d_ `e` [f](g) <h>\nnext");
    CU_ASSERT_STRING_EQUAL(s, "a\\|b \\*c\\* \\_d\\_ \\`e\\` \\[f\\](g) &lt;h&gt; next");
    free(s);

    /* UTF-8: valid multi-byte kept; overlong, surrogate, truncated and
     * out-of-range sequences become U+FFFD per byte. */
    char *u =
        ecrc_report_text_utf8("\xC3\xA9 \xF0\x9F\x90\xB3 \xC0\xAF \xED\xA0\x80 \xE2\x82 \xF5\x80");
    CU_ASSERT_STRING_EQUAL(u, "\xC3\xA9 \xF0\x9F\x90\xB3 \xEF\xBF\xBD\xEF\xBF\xBD "
                              "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD \xEF\xBF\xBD\xEF\xBF\xBD "
                              "\xEF\xBF\xBD\xEF\xBF\xBD");
    free(u);
    CU_ASSERT_PTR_NULL(ecrc_report_text_utf8(NULL));

    /* Redaction: header lines in any case, with leading blanks, CRLF kept;
     * the environment secret anywhere. */
    char *red =
        ecrc_report_text_redact("POST /\r\nauthorization: AWS4 sig\r\n X-AMZ-SECURITY-TOKEN: t\n"
                                "body " ENV_SECRET " end\nAuthorization-Extra: kept");
    CU_ASSERT_STRING_EQUAL(red, "POST /\r\nauthorization: REDACTED\r\n X-AMZ-SECURITY-TOKEN: "
                                "REDACTED\nbody REDACTED end\nAuthorization-Extra: kept");
    free(red);
    red = ecrc_report_text_redact("Authorization:");
    CU_ASSERT_STRING_EQUAL(red, "Authorization: REDACTED");
    free(red);
}

static void test_write_json(void)
{
    run_report *r = fixture();
    const char *dir = in_dir("run1/nested");
    CU_ASSERT_EQUAL_FATAL(ecrc_report_write_all(r, dir), ECR_OK);
    char path[300];
    snprintf(path, sizeof path, "%s/report.json", dir);
    char *text = slurp(path);
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    CU_ASSERT_TRUE(utf8_valid((const unsigned char *)text));
    CU_ASSERT_PTR_NULL(strstr(text, ENV_SECRET));
    CU_ASSERT_PTR_NULL(strstr(text, AUTH_SIG));
    CU_ASSERT_PTR_NULL(strstr(text, TOKEN));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "REDACTED"));
    free(text);

    json_object *root = json_object_from_file(path);
    CU_ASSERT_PTR_NOT_NULL_FATAL(root);
    CU_ASSERT_STRING_EQUAL(str_at(root, "harness.name"), "ecrconform");
    CU_ASSERT_STRING_EQUAL(str_at(root, "harness.version"), "0.1.0");
    CU_ASSERT_STRING_EQUAL(str_at(root, "target.name"), "built-in");
    CU_ASSERT_STRING_EQUAL(str_at(root, "target.endpoint"), ENDPOINT);
    CU_ASSERT_STRING_EQUAL(str_at(root, "started_at"), "2025-01-02T03:04:05Z");
    CU_ASSERT_EQUAL(int_at(root, "summary.total"), 5);
    CU_ASSERT_EQUAL(int_at(root, "summary.passed"), 2);
    CU_ASSERT_EQUAL(int_at(root, "summary.failed"), 1);
    CU_ASSERT_EQUAL(int_at(root, "summary.errored"), 1);
    CU_ASSERT_EQUAL(int_at(root, "summary.skipped"), 1);
    CU_ASSERT_DOUBLE_EQUAL(json_object_get_double(get(root, "summary.score")), 0.5, 1e-9);
    CU_ASSERT_EQUAL(int_at(root, "summary.by_level.CD.total"), 2);
    CU_ASSERT_EQUAL(int_at(root, "summary.by_level.CD.passed"), 1);
    CU_ASSERT_EQUAL(int_at(root, "summary.by_level.IE.total"), 3);
    CU_ASSERT_EQUAL(int_at(root, "summary.by_level.IE.passed"), 1);
    CU_ASSERT_PTR_NULL(get(root, "baseline"));

    json_object *cov = get(root, "coverage"), *e;
    CU_ASSERT_EQUAL(json_object_object_length(cov), 6);
    CU_ASSERT_TRUE_FATAL(json_object_object_get_ex(cov, "failureCode:ImageNotFound", &e));
    CU_ASSERT_EQUAL(int_at(e, "passed"), 1);
    CU_ASSERT_EQUAL(int_at(e, "total"), 2);
    json_object *cc = get(e, "cases");
    CU_ASSERT_EQUAL_FATAL(json_object_array_length(cc), 2);
    CU_ASSERT_STRING_EQUAL(str_at(json_object_array_get_idx(cc, 1), "id"), "bravo-fail");
    CU_ASSERT_STRING_EQUAL(str_at(json_object_array_get_idx(cc, 1), "status"), "fail");
    CU_ASSERT_TRUE(json_object_object_get_ex(cov, "exception:ServerException", &e));
    CU_ASSERT_EQUAL(int_at(e, "passed"), 0);
    CU_ASSERT_EQUAL(int_at(e, "total"), 1);
    CU_ASSERT_TRUE(json_object_object_get_ex(cov, "behaviour:delete-tag-keeps-other-tags", &e));

    json_object *sk = get(root, "skipped");
    CU_ASSERT_EQUAL_FATAL(json_object_array_length(sk), 1);
    CU_ASSERT_STRING_EQUAL(str_at(json_object_array_get_idx(sk, 0), "id"), "delta-skip");
    CU_ASSERT_STRING_EQUAL(str_at(json_object_array_get_idx(sk, 0), "reason"),
                           "requires fault-injection");

    json_object *cases = get(root, "cases");
    CU_ASSERT_EQUAL_FATAL(json_object_array_length(cases), 5);
    const char *statuses[] = {"pass", "fail", "error", "skip", "pass"};
    for (size_t i = 0; i < 5; i++)
        CU_ASSERT_STRING_EQUAL(str_at(json_object_array_get_idx(cases, i), "status"), statuses[i]);
    json_object *b = json_object_array_get_idx(cases, 1);
    CU_ASSERT_STRING_EQUAL(str_at(b, "id"), "bravo-fail");
    CU_ASSERT_STRING_EQUAL(str_at(b, "level"), "I");
    /* The control character survives (JSON escapes it), the bad byte does not. */
    CU_ASSERT_STRING_EQUAL(str_at(b, "reason"),
                           "<script>alert(\"x\")</script> & 'q' ]]> \x01 bad\xEF\xBF\xBD byte");
    CU_ASSERT_EQUAL(json_object_array_length(get(b, "covers")), 3);
    json_object *diff = get(b, "diff");
    CU_ASSERT_EQUAL_FATAL(json_object_array_length(diff), 3);
    CU_ASSERT_STRING_EQUAL(json_object_get_string(json_object_array_get_idx(diff, 1)),
                           "$.status: expected 200, got 400");
    CU_ASSERT_STRING_EQUAL(json_object_get_string(json_object_array_get_idx(diff, 2)),
                           "$.body.secret: expected \"x\", got \"REDACTED\"");
    CU_ASSERT_FALSE(json_object_get_boolean(get(b, "baseline_expected")));
    json_object *steps = get(b, "steps");
    CU_ASSERT_EQUAL_FATAL(json_object_array_length(steps), 2);
    json_object *s0 = json_object_array_get_idx(steps, 0);
    CU_ASSERT_STRING_EQUAL(str_at(s0, "name"), "delete");
    CU_ASSERT_STRING_EQUAL(str_at(s0, "operation"), "BatchDeleteImage");
    CU_ASSERT_FALSE(json_object_get_boolean(get(s0, "passed")));
    CU_ASSERT_EQUAL(json_object_array_length(get(s0, "diff")), 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(str_at(s0, "request"), "Authorization: REDACTED\r\n"));
    /* A pass has a null reason. */
    json_object *rs = NULL;
    CU_ASSERT_TRUE(json_object_object_get_ex(json_object_array_get_idx(cases, 0), "reason", &rs));
    CU_ASSERT_PTR_NULL(rs);
    json_object_put(root);
    ecrc_report_free(r);
}

static void test_write_junit(void)
{
    run_report *r = fixture();
    const char *path = in_dir("junit.xml");
    CU_ASSERT_EQUAL_FATAL(ecrc_report_write_junit(r, path), ECR_OK);
    char *x = slurp(path);
    CU_ASSERT_PTR_NOT_NULL_FATAL(x);
    const char *problem = xml_check(x);
    if (problem)
        fprintf(stderr, "junit.xml: %s\n", problem);
    CU_ASSERT_PTR_NULL(problem);
    CU_ASSERT_TRUE(utf8_valid((const unsigned char *)x));
    CU_ASSERT_PTR_NOT_NULL(strstr(x, "<testsuite name=\"ecrconform built-in\" tests=\"5\" "
                                     "failures=\"1\" errors=\"1\" skipped=\"1\" time=\"1.234\""));
    CU_ASSERT_EQUAL(count(x, "<testcase "), 5);
    CU_ASSERT_PTR_NOT_NULL(strstr(x, "<testcase classname=\"ecrconform.built-in\" "
                                     "name=\"alpha-pass\" file=\"cases/batch-delete-image/x.json\" "
                                     "line=\"1\" time=\"0.012\"/>"));
    /* junit-10.xsd: no skipped count on <testsuites>, no <properties> in a testcase */
    CU_ASSERT_PTR_NULL(strstr(x, "<testsuites name=\"ecrconform\" tests=\"5\" failures=\"1\" "
                                 "errors=\"1\" skipped"));
    CU_ASSERT_PTR_NOT_NULL(strstr(x, "<failure message=\"&lt;script&gt;alert(&quot;x&quot;)"
                                     "&lt;/script&gt; &amp; &#39;q&#39; ]]&gt;  bad\xEF\xBF\xBD "
                                     "byte\" type=\"fail\">"));
    CU_ASSERT_PTR_NOT_NULL(strstr(x, "[delete] $.status: expected 200, got 400\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(x, "<error message=\"the target closed the connection\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(x, "<skipped message=\"requires fault-injection\"/>"));
    CU_ASSERT_EQUAL(count(x, "<failure "), 1);
    CU_ASSERT_EQUAL(count(x, "<error "), 1);
    CU_ASSERT_PTR_NULL(strstr(x, "]]>"));
    CU_ASSERT_PTR_NULL(strstr(x, ENV_SECRET));
    free(x);
    ecrc_report_free(r);
}

static void test_write_html(void)
{
    run_report *r = fixture();
    add_step(&r->cases[3], "delete", 0, NULL, NULL, NULL, 0); /* delta-skip: a step never run */
    const char *path = in_dir("report.html");
    CU_ASSERT_EQUAL_FATAL(ecrc_report_write_html(r, path), ECR_OK);
    char *h = slurp(path);
    CU_ASSERT_PTR_NOT_NULL_FATAL(h);
    CU_ASSERT_TRUE(utf8_valid((const unsigned char *)h));
    CU_ASSERT_PTR_NULL(strcasestr(h, "<script"));
    CU_ASSERT_PTR_NULL(strcasestr(h, "<link"));
    CU_ASSERT_PTR_NULL(strcasestr(h, "src="));
    CU_ASSERT_PTR_NULL(strcasestr(h, "url("));
    CU_ASSERT_PTR_NULL(strstr(h, "https://"));
    /* The only URL is the endpoint, as text. */
    CU_ASSERT_EQUAL(count(h, "http://"), count(h, ENDPOINT));
    CU_ASSERT_TRUE(count(h, ENDPOINT) >= 1);
    CU_ASSERT_PTR_NULL(strstr(h, ENV_SECRET));
    CU_ASSERT_PTR_NULL(strstr(h, AUTH_SIG));
    CU_ASSERT_PTR_NULL(strstr(h, TOKEN));
    CU_ASSERT_PTR_NOT_NULL(strstr(h, "Authorization: REDACTED"));
    CU_ASSERT_PTR_NOT_NULL(strstr(h, "x-amz-security-token: REDACTED"));
    CU_ASSERT_PTR_NOT_NULL(strstr(h, "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"));
    CU_ASSERT_PTR_NOT_NULL(strstr(h, "ecrconform report: built-in"));
    CU_ASSERT_PTR_NOT_NULL(strstr(h, "2025-01-02T03:04:05Z"));
    CU_ASSERT_PTR_NOT_NULL(strstr(h, "<p class=\"big\">50.0%</p>"));
    CU_ASSERT_PTR_NOT_NULL(strstr(h, "<tr><td>C/D: confirmed on AWS or documented</td>"
                                     "<td class=\"n\">1</td><td class=\"n\">2</td>"));
    /* Coverage: a covered code, an uncovered known code, an exception. */
    CU_ASSERT_PTR_NOT_NULL(strstr(h, "<td>failureCode:ImageNotFound</td>"));
    CU_ASSERT_PTR_NOT_NULL(strstr(h, "<td>exception:ServerException</td>"));
    CU_ASSERT_PTR_NOT_NULL(strstr(h, "<tr class=\"gap\"><td>failureCode:ImageInaccessible</td>"));
    CU_ASSERT_PTR_NULL(strstr(h, "<tr class=\"gap\"><td>failureCode:ImageNotFound</td>"));
    /* The verdict leads, then the causes, the jump links, the score. */
    const char *verdict = strstr(h, "<p class=\"verdict fail\">FAIL: gate not met</p>");
    const char *causes = strstr(h, "<section id=\"causes\">");
    const char *nav = strstr(h, "<nav class=\"jump\">");
    const char *score = strstr(h, "<section id=\"score\">");
    CU_ASSERT_TRUE(verdict && causes && nav && score && verdict < causes && causes < nav &&
                   nav < score);
    CU_ASSERT_PTR_NOT_NULL(strstr(h, "<strong>2 new failures</strong>"));
    /* A skipped case's steps are grey ("not run"), never a red "differs". */
    const char *skipcase = strstr(h, "<details class=\"case\" id=\"case-delta-skip\"");
    CU_ASSERT_PTR_NOT_NULL_FATAL(skipcase);
    const char *skipend = strstr(skipcase, "</details>\n<details");
    const char *differs = strstr(skipcase, "differs");
    CU_ASSERT_TRUE(!differs || (skipend && differs > skipend));
    /* Failures first, then skipped, then every case. */
    const char *fails = strstr(h, "<section id=\"failures\">");
    const char *skips = strstr(h, "<section id=\"skipped\">");
    const char *all = strstr(h, "<section id=\"cases\">");
    CU_ASSERT_TRUE_FATAL(fails && skips && all);
    CU_ASSERT_TRUE(fails < skips && skips < all);
    CU_ASSERT_PTR_NOT_NULL(strstr(h, "<h2>Failures (2)</h2>"));
    CU_ASSERT_TRUE(strstr(fails, "bravo-fail") < skips);
    CU_ASSERT_TRUE(strstr(fails, "charlie-error") < skips);
    CU_ASSERT_TRUE(strstr(skips, "requires fault-injection") < all);
    const char *ids[] = {"alpha-pass", "bravo-fail", "charlie-error", "delta-skip", "echo-pass"};
    for (size_t i = 0; i < 5; i++) {
        char anchor[64];
        snprintf(anchor, sizeof anchor, "id=\"case-%s\"", ids[i]);
        CU_ASSERT_PTR_NOT_NULL(strstr(h, anchor));
    }
    CU_ASSERT_EQUAL(count(h, "<details class=\"case\""), 5);
    CU_ASSERT_PTR_NOT_NULL(strstr(h, "[delete] $.body.failures[0].failureCode: expected "
                                     "&quot;&lt;a&amp;b&gt;&quot;, got &quot;]]&gt;&quot;"));
    CU_ASSERT_PTR_NULL(strchr(h, '\x01'));
    CU_ASSERT_PTR_NULL(strstr(h, "expected failure (baseline)"));
    free(h);
    ecrc_report_free(r);
}

static void test_write_markdown(void)
{
    run_report *r = fixture();
    const char *path = in_dir("summary.md");
    CU_ASSERT_EQUAL_FATAL(ecrc_report_write_markdown(r, path), ECR_OK);
    char *m = slurp(path);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    /* The verdict first: the title, then the gate, then the causes, then the score. */
    CU_ASSERT_PTR_NOT_NULL(strstr(m,
                                  "## ecrconform: built-in: FAIL\n\n**FAIL: gate not met** "
                                  "\xe2\x80\x94 2 new failures; 2 passed, 1 skipped of 5 cases."));
    const char *causes = strstr(m, "### Failures by cause (2)");
    const char *score = strstr(m, "Score 50.0% (2/4 passed): ");
    CU_ASSERT_TRUE(causes && score && causes < score);
    CU_ASSERT_PTR_NOT_NULL(strstr(m, "- **1 case** (error): charlie-error\n"
                                     "  - the target closed the connection\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(m, "2 passed, 1 failed, 1 errored, 1 skipped, 5 total"));
    CU_ASSERT_PTR_NOT_NULL(strstr(m, "| C/D (confirmed, documented) | 1 | 2 | 50.0% |"));
    CU_ASSERT_PTR_NOT_NULL(strstr(m, "| I/E (inferred, emulator-only) | 1 | 3 | 33.3% |"));
    CU_ASSERT_PTR_NOT_NULL(strstr(m, "### Failures (2)"));
    CU_ASSERT_PTR_NOT_NULL(strstr(m, "- **bravo-fail** (fail, level I): $.body.failures\\[0\\]"
                                     ".failureCode: expected \"&lt;a&amp;b&gt;\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(m, "- **charlie-error** (error, level D): the target closed"));
    CU_ASSERT_PTR_NOT_NULL(strstr(m, "### Skipped (1)\n\n- delta-skip: requires fault-injection"));
    CU_ASSERT_PTR_NULL(strstr(m, "<script"));
    CU_ASSERT_PTR_NULL(strstr(m, "### Baseline"));
    CU_ASSERT_PTR_NULL(strstr(m, ENV_SECRET));
    free(m);
    ecrc_report_free(r);
}

static void test_baseline_labels(void)
{
    run_report *r = fixture();
    r->cases[1].baseline_expected = 1;
    r->cases[1].baseline_reason = strdup("moto answers 400 here & <nowhere>");
    r->baseline_file = strdup("baselines/built-in.json");
    r->regressions = strv((const char *const[]){"charlie-error"}, 1);
    r->nregressions = 1;
    r->fixed = strv((const char *const[]){"echo-pass"}, 1);
    r->nfixed = 1;
    CU_ASSERT_EQUAL_FATAL(ecrc_report_write_all(r, in_dir("run2")), ECR_OK);

    char *x = slurp(in_dir("run2/junit.xml"));
    CU_ASSERT_PTR_NULL(xml_check(x));
    CU_ASSERT_PTR_NOT_NULL(strstr(x, "tests=\"5\" failures=\"0\" errors=\"1\" skipped=\"2\""));
    CU_ASSERT_PTR_NOT_NULL(
        strstr(x, "<property name=\"case:bravo-fail:baseline\" value=\"expected-failure\"/>"));
    CU_ASSERT_PTR_NULL(strstr(x, "<testsuites name=\"ecrconform\" tests=\"5\" failures=\"0\" "
                                 "errors=\"1\" skipped"));
    CU_ASSERT_PTR_NOT_NULL(strstr(x, "<skipped message=\"expected failure (baseline): moto "
                                     "answers 400 here &amp; &lt;nowhere&gt;\"/>"));
    CU_ASSERT_EQUAL(count(x, "<failure "), 0);
    free(x);

    char *h = slurp(in_dir("run2/report.html"));
    CU_ASSERT_PTR_NOT_NULL(strstr(h, "expected failure (baseline)"));
    CU_ASSERT_PTR_NOT_NULL(strstr(h, "<section id=\"baseline\">"));
    CU_ASSERT_PTR_NOT_NULL(strstr(h, "moto answers 400 here &amp; &lt;nowhere&gt;"));
    free(h);

    char *m = slurp(in_dir("run2/summary.md"));
    CU_ASSERT_PTR_NOT_NULL(strstr(m, "(1 failures expected by the baseline)"));
    CU_ASSERT_PTR_NOT_NULL(strstr(m, "### Baseline baselines/built-in.json"));
    CU_ASSERT_PTR_NOT_NULL(strstr(m, "- Regressions (1): charlie-error"));
    CU_ASSERT_PTR_NOT_NULL(strstr(m, "- Fixed (remove from the baseline) (1): echo-pass"));
    CU_ASSERT_PTR_NOT_NULL(strstr(m, "*(expected by the baseline)*"));
    free(m);

    json_object *root = json_object_from_file(in_dir("run2/report.json"));
    CU_ASSERT_PTR_NOT_NULL_FATAL(root);
    CU_ASSERT_STRING_EQUAL(str_at(root, "baseline.file"), "baselines/built-in.json");
    CU_ASSERT_EQUAL(int_at(root, "summary.expected_failures"), 1);
    json_object *ef = get(root, "baseline.expected_failures");
    CU_ASSERT_EQUAL_FATAL(json_object_array_length(ef), 1);
    CU_ASSERT_STRING_EQUAL(str_at(json_object_array_get_idx(ef, 0), "id"), "bravo-fail");
    CU_ASSERT_EQUAL(json_object_array_length(get(root, "baseline.fixed")), 1);
    CU_ASSERT_STRING_EQUAL(
        json_object_get_string(json_object_array_get_idx(get(root, "baseline.regressions"), 0)),
        "charlie-error");
    json_object_put(root);

    /* Round trip keeps the baseline bookkeeping. */
    const char *err = NULL;
    run_report *back = ecrc_report_read_json(in_dir("run2/report.json"), &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(back);
    CU_ASSERT_STRING_EQUAL(back->baseline_file, "baselines/built-in.json");
    CU_ASSERT_EQUAL(back->nfixed, 1);
    CU_ASSERT_EQUAL(back->nregressions, 1);
    CU_ASSERT_EQUAL(back->cases[1].baseline_expected, 1);
    CU_ASSERT_STRING_EQUAL(back->cases[1].baseline_reason, "moto answers 400 here & <nowhere>");
    ecrc_report_free(back);
    ecrc_report_free(r);
}

static void test_read_roundtrip(void)
{
    run_report *r = fixture();
    const char *path = in_dir("rt.json");
    CU_ASSERT_EQUAL_FATAL(ecrc_report_write_json(r, path), ECR_OK);
    const char *err = "unset";
    run_report *b = ecrc_report_read_json(path, &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    CU_ASSERT_PTR_NULL(err);
    CU_ASSERT_STRING_EQUAL(b->target, "built-in");
    CU_ASSERT_STRING_EQUAL(b->endpoint, ENDPOINT);
    CU_ASSERT_STRING_EQUAL(b->harness_version, "0.1.0");
    CU_ASSERT_STRING_EQUAL(b->started_at, "2025-01-02T03:04:05Z");
    CU_ASSERT_DOUBLE_EQUAL(b->duration_ms, 1234.5, 1e-6);
    CU_ASSERT_PTR_NULL(b->baseline_file);
    CU_ASSERT_EQUAL_FATAL(b->ncases, r->ncases);
    for (size_t i = 0; i < r->ncases; i++) {
        CU_ASSERT_STRING_EQUAL(b->cases[i].id, r->cases[i].id);
        CU_ASSERT_EQUAL(b->cases[i].status, r->cases[i].status);
        CU_ASSERT_STRING_EQUAL(b->cases[i].level, r->cases[i].level);
        CU_ASSERT_EQUAL(b->cases[i].ncovers, r->cases[i].ncovers);
        CU_ASSERT_EQUAL(b->cases[i].nsteps, r->cases[i].nsteps);
        CU_ASSERT_DOUBLE_EQUAL(b->cases[i].duration_ms, 12.0, 1e-6);
        for (size_t k = 0; k < b->cases[i].nsteps; k++) {
            /* Read back (merge rebuilds report.html from them), as written: redacted. */
            const step_report *bs = &b->cases[i].steps[k], *rs = &r->cases[i].steps[k];
            CU_ASSERT_EQUAL(!bs->request, !rs->request);
            CU_ASSERT_EQUAL(!bs->response, !rs->response);
            CU_ASSERT_TRUE(!bs->request || !strstr(bs->request, AUTH_SIG));
            CU_ASSERT_EQUAL(b->cases[i].steps[k].ndiff, r->cases[i].steps[k].ndiff);
            CU_ASSERT_EQUAL(b->cases[i].steps[k].passed, r->cases[i].steps[k].passed);
        }
    }
    CU_ASSERT_PTR_NULL(b->cases[0].reason);
    CU_ASSERT_STRING_EQUAL(b->cases[3].reason, "requires fault-injection");
    CU_ASSERT_STRING_EQUAL(b->cases[1].steps[0].diff[1], "$.status: expected 200, got 400");
    report_summary s1, s2;
    ecrc_report_summarize(r, &s1);
    ecrc_report_summarize(b, &s2);
    CU_ASSERT_EQUAL(s1.total, s2.total);
    CU_ASSERT_EQUAL(s1.passed, s2.passed);
    CU_ASSERT_EQUAL(s1.cd_total, s2.cd_total);
    CU_ASSERT_EQUAL(s1.ie_passed, s2.ie_passed);
    CU_ASSERT_DOUBLE_EQUAL(s1.score, s2.score, 1e-9);
    /* What was read back writes again (compare and baseline use this). */
    CU_ASSERT_EQUAL(ecrc_report_write_all(b, in_dir("rt-again")), ECR_OK);
    ecrc_report_free(b);
    ecrc_report_free(r);
}

/* --allow-flaky reaches the reports: the gate they lead with is the exit
 * code's (it used to say "FAIL: gate not met" while run exited 0), it reads
 * back, and a merge allows flaky cases only when every shard did. */
static void test_allow_flaky(void)
{
    run_report *r = new_report("built-in");
    add_case(r, "flaky-one", ECRC_CASE_FLAKY, "C", "passed on retry 1 of 1 after: x", NULL, 0);
    add_case(r, "pass-one", ECRC_CASE_PASS, "C", NULL, NULL, 0);
    report_summary s;
    ecrc_report_summarize(r, &s);
    report_gate g;
    ecrc_report_gate(r, &s, &g);
    CU_ASSERT_EQUAL(g.flaky, 1);
    CU_ASSERT_FALSE(g.met);
    CU_ASSERT_EQUAL_FATAL(ecrc_report_write_all(r, in_dir("flaky-no")), ECR_OK);
    char *md = slurp(in_dir("flaky-no/summary.md"));
    char *js = slurp(in_dir("flaky-no/report.json"));
    CU_ASSERT_PTR_NOT_NULL_FATAL(md);
    CU_ASSERT_PTR_NOT_NULL_FATAL(js);
    CU_ASSERT_PTR_NOT_NULL(strstr(md, "FAIL: gate not met"));
    CU_ASSERT_PTR_NULL(strstr(js, "flaky_allowed"));
    free(md);
    free(js);

    r->allow_flaky = 1;
    ecrc_report_gate(r, &s, &g);
    CU_ASSERT_TRUE(g.met);
    CU_ASSERT_TRUE(g.flaky_allowed);
    CU_ASSERT_EQUAL_FATAL(ecrc_report_write_all(r, in_dir("flaky-yes")), ECR_OK);
    md = slurp(in_dir("flaky-yes/summary.md"));
    char *html = slurp(in_dir("flaky-yes/report.html"));
    char *junit = slurp(in_dir("flaky-yes/junit.xml"));
    CU_ASSERT_PTR_NOT_NULL_FATAL(md);
    CU_ASSERT_PTR_NOT_NULL_FATAL(html);
    CU_ASSERT_PTR_NOT_NULL_FATAL(junit);
    CU_ASSERT_PTR_NOT_NULL(strstr(md, "PASS: gate met"));
    CU_ASSERT_PTR_NOT_NULL(strstr(md, "1 flaky (allowed by --allow-flaky)"));
    CU_ASSERT_PTR_NOT_NULL(strstr(html, "PASS: gate met"));
    CU_ASSERT_PTR_NOT_NULL(strstr(junit, "<property name=\"allow_flaky\""));
    free(md);
    free(html);
    free(junit);

    const char *err = "unset";
    run_report *back = ecrc_report_read_json(in_dir("flaky-yes/report.json"), &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(back);
    CU_ASSERT_TRUE(back->allow_flaky);

    run_report *other = new_report("built-in");
    add_case(other, "flaky-two", ECRC_CASE_FLAKY, "C", "passed on retry 1 of 1 after: y", NULL, 0);
    run_report *in[2] = {back, other};
    const char *names[2] = {"a.json", "b.json"};
    diag_list d;
    ecr_diag_init(&d);
    run_report *m = ecrc_report_merge(in, names, 2, &d);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    CU_ASSERT_FALSE(m->allow_flaky);
    ecrc_report_free(m);
    ecr_diag_free(&d);
    ecrc_report_free(other);
    ecrc_report_free(back);
    ecrc_report_free(r);
}

static void test_read_garbage(void)
{
#define T(lit)                                                                                     \
    {                                                                                              \
        lit, sizeof lit - 1                                                                        \
    } /* lengths from the literal, NULs included */
    static const struct {
        const char *text;
        size_t len;
    } bad[] = {
        T(""),
        T("not json at all"),
        T("{"),
        T("[]"),
        T("null"),
        T("{\"cases\": []}"),
        T("{\"harness\": {\"name\": \"other\"}, \"cases\": []}"),
        T("{\"harness\": {\"name\": \"ecrconform\"}}"),
        T("{\"harness\": {\"name\": \"ecrconform\"}, \"cases\": {}}"),
        T("{\"harness\": {\"name\": \"ecrconform\"}, \"cases\": [1]}"),
        T("{\"harness\": {\"name\": \"ecrconform\"}, \"cases\": [{\"status\": \"pass\"}]}"),
        T("{\"harness\": {\"name\": \"ecrconform\"}, \"cases\": [{\"id\": \"a\", \"status\": "
          "\"ok\"}]}"),
        T("{\"harness\": {\"name\": \"ecrconform\"}, \"cases\": []} trailing"),
        T("{\"harness\": {\"name\": \"ecrconform\"}, \"cases\": []}\0{}"),
        T("\xff\xfe\x00\x01garbage"),
    };
#undef T
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        spit(in_dir("garbage.json"), bad[i].text, bad[i].len);
        const char *err = NULL;
        run_report *r = ecrc_report_read_json(in_dir("garbage.json"), &err);
        if (r)
            fprintf(stderr, "garbage %zu was accepted\n", i);
        CU_ASSERT_PTR_NULL(r);
        CU_ASSERT_PTR_NOT_NULL(err);
        ecrc_report_free(r);
    }
    /* Deep nesting is refused by json-c's depth limit, not by a crash. */
    char deep[20001];
    memset(deep, '[', 10000);
    memset(deep + 10000, ']', 10000);
    deep[20000] = '\0';
    spit(in_dir("garbage.json"), deep, 20000);
    const char *err = NULL;
    CU_ASSERT_PTR_NULL(ecrc_report_read_json(in_dir("garbage.json"), &err));
    CU_ASSERT_PTR_NULL(ecrc_report_read_json(in_dir("does-not-exist.json"), &err));
    CU_ASSERT_PTR_NOT_NULL(err);
    CU_ASSERT_PTR_NULL(ecrc_report_read_json(g_dir, NULL)); /* a directory */

    /* The same document without the trailing text is a valid (empty) report. */
    spit(in_dir("garbage.json"), bad[12].text, 48);
    run_report *prefix = ecrc_report_read_json(in_dir("garbage.json"), &err);
    CU_ASSERT_PTR_NOT_NULL(prefix);
    ecrc_report_free(prefix);

    /* Minimal valid report; wrong-typed optional members are ignored. */
    const char *ok = "{\"harness\": {\"name\": \"ecrconform\"}, \"target\": 7, \"duration_ms\": "
                     "\"x\", \"cases\": [{\"id\": \"a\", \"status\": \"skip\", \"covers\": [1, "
                     "\"behaviour:x\"], \"steps\": [3, {\"diff\": [null, \"d\"]}]}]}";
    spit(in_dir("ok.json"), ok, strlen(ok));
    run_report *r = ecrc_report_read_json(in_dir("ok.json"), &err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_PTR_NULL(r->target);
    CU_ASSERT_EQUAL(r->ncases, 1);
    CU_ASSERT_EQUAL(r->cases[0].status, ECRC_CASE_SKIP);
    CU_ASSERT_EQUAL(r->cases[0].ncovers, 1);
    CU_ASSERT_EQUAL_FATAL(r->cases[0].nsteps, 1);
    CU_ASSERT_EQUAL(r->cases[0].steps[0].ndiff, 1);
    ecrc_report_free(r);
}

static void test_write_errors(void)
{
    run_report *r = fixture();
    /* A regular file where the directory should be. */
    spit(in_dir("plainfile"), "x", 1);
    CU_ASSERT_EQUAL(ecrc_report_write_all(r, in_dir("plainfile")), ECR_EIO);
    CU_ASSERT_EQUAL(ecrc_report_write_all(r, in_dir("plainfile/sub")), ECR_EIO);
    CU_ASSERT_EQUAL(ecrc_report_write_json(r, in_dir("no/such/dir/report.json")), ECR_EIO);
    CU_ASSERT_EQUAL(ecrc_report_write_junit(r, in_dir("no/such/dir/junit.xml")), ECR_EIO);
    CU_ASSERT_EQUAL(ecrc_report_write_html(r, in_dir("no/such/dir/r.html")), ECR_EIO);
    CU_ASSERT_EQUAL(ecrc_report_write_markdown(r, in_dir("no/such/dir/s.md")), ECR_EIO);
    ecrc_report_free(r);
}

static void test_empty_report(void)
{
    run_report *r = new_report(NULL);
    CU_ASSERT_EQUAL_FATAL(ecrc_report_write_all(r, in_dir("empty")), ECR_OK);
    char *x = slurp(in_dir("empty/junit.xml"));
    CU_ASSERT_PTR_NULL(xml_check(x));
    CU_ASSERT_PTR_NOT_NULL(strstr(x, "tests=\"0\""));
    free(x);
    char *m = slurp(in_dir("empty/summary.md"));
    CU_ASSERT_PTR_NOT_NULL(strstr(m, "0.0% (0/0 passed)"));
    free(m);
    run_report *b = ecrc_report_read_json(in_dir("empty/report.json"), NULL);
    CU_ASSERT_PTR_NOT_NULL(b);
    CU_ASSERT_EQUAL(b ? b->ncases : 1, 0);
    ecrc_report_free(b);
    ecrc_report_free(r);
}

static void test_matrix(void)
{
    run_report *a = fixture();
    run_report *b = new_report("moto");
    run_report *c = new_report("moto");
    free(b->target);
    b->target = strdup("moto"); /* same name twice: must be disambiguated */
    const char *cov[] = {"failureCode:ImageNotFound"};
    add_case(b, "alpha-pass", ECRC_CASE_FAIL, "C", "moto differs", cov, 1);
    add_case(b, "zulu-only-moto", ECRC_CASE_PASS, "E", NULL, cov, 1);
    add_case(c, "alpha-pass", ECRC_CASE_PASS, "C", NULL, cov, 1);
    case_report *h = add_case(c, "bravo-fail", ECRC_CASE_ERROR, "I", HOSTILE, cov, 1);
    h->baseline_expected = 1;
    add_case(c, "delta-skip", ECRC_CASE_PASS, "E", NULL, cov,
             1); /* skip vs pass: a disagreement of its own */
    free(c->target);
    c->target = strdup("moto<&>");

    const run_report *reps[] = {a, b, c};
    CU_ASSERT_EQUAL(ecrc_matrix_write(reps, 0, in_dir("cmp")), ECR_EINVAL);
    CU_ASSERT_EQUAL_FATAL(ecrc_matrix_write(reps, 3, in_dir("cmp")), ECR_OK);
    char *html = slurp(in_dir("cmp/compare.html"));
    char *md = slurp(in_dir("cmp/compare.md"));
    CU_ASSERT_PTR_NOT_NULL_FATAL(html);
    CU_ASSERT_PTR_NOT_NULL_FATAL(md);
    const char *ids[] = {"alpha-pass", "bravo-fail", "charlie-error",
                         "delta-skip", "echo-pass",  "zulu-only-moto"};
    for (size_t i = 0; i < 6; i++) {
        CU_ASSERT_PTR_NOT_NULL(strstr(html, ids[i]));
        CU_ASSERT_PTR_NOT_NULL(strstr(md, ids[i]));
    }
    /* Rows sorted. */
    CU_ASSERT_TRUE(strstr(html, "alpha-pass") < strstr(html, "zulu-only-moto"));
    CU_ASSERT_PTR_NOT_NULL(strstr(html, "<th>built-in<br>"));
    CU_ASSERT_PTR_NOT_NULL(strstr(html, "<th>moto<br>"));
    CU_ASSERT_PTR_NOT_NULL(strstr(html, "<th>moto&lt;&amp;&gt;<br>"));
    CU_ASSERT_PTR_NOT_NULL(strstr(md, "| case | built-in | moto | moto&lt;&amp;&gt; |"));
    CU_ASSERT_PTR_NULL(strcasestr(html, "<script"));
    CU_ASSERT_PTR_NULL(strstr(html, ENV_SECRET));
    /* alpha-pass: pass / fail / pass -> diverges */
    CU_ASSERT_PTR_NOT_NULL(strstr(html, "<tr class=\"diverge\"><td class=\"id\">alpha-pass</td>"
                                        "<td class=\"pass\">pass</td><td class=\"fail\" "
                                        "title=\"moto differs\">fail</td>"
                                        "<td class=\"pass\">pass</td></tr>"));
    CU_ASSERT_PTR_NOT_NULL(strstr(md, "| alpha-pass (differs) | pass | fail | pass |"));
    CU_ASSERT_PTR_NOT_NULL(
        strstr(md, "| bravo-fail (differs) | fail | absent | error (expected) |"));
    CU_ASSERT_PTR_NOT_NULL(strstr(md, "| delta-skip (differs: skipped) | skip | absent | pass |"));
    CU_ASSERT_PTR_NOT_NULL(strstr(html, "<tr class=\"diverge-skip\"><td class=\"id\">delta-skip"));
    CU_ASSERT_PTR_NOT_NULL(strstr(md, "| echo-pass | pass | absent | absent |"));
    CU_ASSERT_PTR_NOT_NULL(strstr(md, "| **score** | 50.0% (2/4) | 50.0% (1/2) | 66.7% (2/3) |"));
    CU_ASSERT_PTR_NOT_NULL(strstr(html, "<td class=\"absent\">absent</td>"));
    CU_ASSERT_EQUAL(count(md, "\n| "), 6 + 4 + 1); /* cases, 4 score rows (with open), head */
    CU_ASSERT_PTR_NOT_NULL(strstr(md, "| **open (any answer)** |"));
    free(html);
    free(md);

    /* Linked: each present cell links to the case in its run's report. */
    const char *hrefs[] = {"../a/report.html", NULL, "c&d/report.html"};
    CU_ASSERT_EQUAL_FATAL(ecrc_matrix_write_linked(reps, hrefs, 3, in_dir("cmp3")), ECR_OK);
    html = slurp(in_dir("cmp3/compare.html"));
    CU_ASSERT_PTR_NOT_NULL(
        strstr(html, "<td class=\"pass\"><a href=\"../a/report.html#case-alpha-pass\">pass</a>"));
    CU_ASSERT_PTR_NOT_NULL(strstr(html, "<a href=\"c&amp;d/report.html#case-bravo-fail\">"));
    CU_ASSERT_PTR_NOT_NULL(strstr(html, "title=\"moto differs\">fail</td>")); /* no href */
    CU_ASSERT_PTR_NOT_NULL(strstr(html, "<td class=\"absent\">absent</td>")); /* no link */
    free(html);

    /* Duplicate labels: "moto", "moto (2)". */
    const run_report *twice[] = {b, b};
    CU_ASSERT_EQUAL_FATAL(ecrc_matrix_write(twice, 2, in_dir("cmp2")), ECR_OK);
    md = slurp(in_dir("cmp2/compare.md"));
    CU_ASSERT_PTR_NOT_NULL(strstr(md, "| case | moto | moto (2) |"));
    free(md);

    /* From files; a garbage file aborts with a diagnostic. */
    CU_ASSERT_EQUAL_FATAL(ecrc_report_write_json(a, in_dir("m-a.json")), ECR_OK);
    CU_ASSERT_EQUAL_FATAL(ecrc_report_write_json(b, in_dir("m-b.json")), ECR_OK);
    spit(in_dir("m-bad.json"), "{]", 2);
    char pa[256], pb[256], pbad[256];
    snprintf(pa, sizeof pa, "%s", in_dir("m-a.json"));
    snprintf(pb, sizeof pb, "%s", in_dir("m-b.json"));
    snprintf(pbad, sizeof pbad, "%s", in_dir("m-bad.json"));
    diag_list d;
    ecr_diag_init(&d);
    const char *good[] = {pa, pb};
    CU_ASSERT_EQUAL(ecrc_matrix_compare_files(good, 2, in_dir("cmp3"), &d), ECR_OK);
    CU_ASSERT_EQUAL(d.n, 0);
    md = slurp(in_dir("cmp3/compare.md"));
    CU_ASSERT_PTR_NOT_NULL(md);
    CU_ASSERT_PTR_NOT_NULL(md ? strstr(md, "| zulu-only-moto | absent | pass |") : NULL);
    free(md);
    const char *mixed[] = {pa, pbad};
    CU_ASSERT_EQUAL(ecrc_matrix_compare_files(mixed, 2, in_dir("cmp4"), &d), ECR_EPARSE);
    CU_ASSERT_EQUAL_FATAL(d.n, 1);
    CU_ASSERT_STRING_EQUAL(d.items[0].file, pbad);
    CU_ASSERT_EQUAL(access(in_dir("cmp4/compare.md"), F_OK), -1);
    ecr_diag_free(&d);

    ecrc_report_free(a);
    ecrc_report_free(b);
    ecrc_report_free(c);
}

int register_report_suite(void)
{
    CU_pSuite s = CU_add_suite("report", suite_init, suite_clean);
    if (!s)
        return 1;
    if (!CU_add_test(s, "status_names", test_status_names) ||
        !CU_add_test(s, "summarize", test_summarize) ||
        !CU_add_test(s, "coverage", test_coverage) ||
        !CU_add_test(s, "text_escaping", test_text_escaping) ||
        !CU_add_test(s, "write_json", test_write_json) ||
        !CU_add_test(s, "write_junit", test_write_junit) ||
        !CU_add_test(s, "write_html", test_write_html) ||
        !CU_add_test(s, "write_markdown", test_write_markdown) ||
        !CU_add_test(s, "baseline_labels", test_baseline_labels) ||
        !CU_add_test(s, "read_roundtrip", test_read_roundtrip) ||
        !CU_add_test(s, "read_garbage", test_read_garbage) ||
        !CU_add_test(s, "allow_flaky", test_allow_flaky) ||
        !CU_add_test(s, "write_errors", test_write_errors) ||
        !CU_add_test(s, "empty_report", test_empty_report) ||
        !CU_add_test(s, "matrix", test_matrix))
        return 1;
    return 0;
}
