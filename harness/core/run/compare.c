#include "compare.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ecr/buf.h"
#include "ecr/json.h"
#include "ecr/redact.h"
#include "ecr/regex.h"
#include "golden.h"

/* Values in a diff are for people: a whole ListImages page would drown the
 * report, so each side is cut to about this many bytes. */
#define RENDER_MAX 300

/* $set matching builds an expected x actual table of pairwise comparisons.
 * ECR pages hold at most 1000 items, so this bounds the work (10^6 pairs) for
 * every real response; larger sets are reported instead of compared. */
#define SET_MAX GOLDEN_SET_MAX

/* Paths grow one segment per nesting level; json-c limits nesting, this
 * limits pathological keys. */
#define PATH_MAX_LEN 65536

void ecrc_diff_init(diff_list *d)
{
    memset(d, 0, sizeof *d);
}

void ecrc_diff_add(diff_list *d, const char *path, const char *expected, const char *actual)
{
    if (d->n == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 8;
        diff_item *p = realloc(d->items, cap * sizeof *p);
        if (!p)
            return;
        d->items = p;
        d->cap = cap;
    }
    diff_item *it = &d->items[d->n];
    it->path = strdup(path ? path : "");
    it->expected = strdup(expected ? expected : "");
    it->actual = strdup(actual ? actual : "");
    if (!it->path || !it->expected || !it->actual) {
        free(it->path);
        free(it->expected);
        free(it->actual);
        return;
    }
    d->n++;
}

void ecrc_diff_free(diff_list *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->n; i++) {
        free(d->items[i].path);
        free(d->items[i].expected);
        free(d->items[i].actual);
    }
    free(d->items);
    memset(d, 0, sizeof *d);
}

/* ---- rendering ---------------------------------------------------------- */

/* Compact JSON text of j (json-c's NULL is JSON null), or "(absent)". */
static char *render(json_object *j, int present)
{
    if (!present)
        return strdup("(absent)");
    /* Redacted before the cut: a secret cut in half is no longer found by
     * the redaction of the console and the reports, and its first part
     * would show (ecr/redact.h). */
    char *s = ecr_redact(json_object_to_json_string_ext(j, ECR_JSON_COMPACT));
    if (!s)
        return NULL;
    size_t n = strlen(s);
    if (n <= RENDER_MAX)
        return s;
    n = RENDER_MAX;
    /* Do not cut a UTF-8 sequence in half. */
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
        n--;
    char *out = malloc(n + 4);
    if (out) {
        memcpy(out, s, n);
        memcpy(out + n, "...", 4);
    }
    free(s);
    return out;
}

static int is_identifier(const char *k)
{
    if (!((*k >= 'A' && *k <= 'Z') || (*k >= 'a' && *k <= 'z') || *k == '_'))
        return 0;
    for (k++; *k; k++)
        if (!((*k >= 'A' && *k <= 'Z') || (*k >= 'a' && *k <= 'z') || (*k >= '0' && *k <= '9') ||
              *k == '_'))
            return 0;
    return 1;
}

/* base + ".key", or base + "[\"key\"]" when key is not an identifier. NULL
 * on allocation failure (callers then reuse base). */
static char *path_key(const char *base, const char *key)
{
    buf b;
    ecr_buf_init(&b, PATH_MAX_LEN);
    ecr_result rc = ecr_buf_puts(&b, base);
    if (rc == ECR_OK && is_identifier(key)) {
        rc = ecr_buf_printf(&b, ".%s", key);
    } else if (rc == ECR_OK) {
        json_object *s = json_object_new_string(key);
        rc = s ? ecr_buf_printf(&b, "[%s]", json_object_to_json_string_ext(s, ECR_JSON_COMPACT))
               : ECR_ENOMEM;
        json_object_put(s);
    }
    if (rc != ECR_OK) {
        ecr_buf_free(&b);
        return NULL;
    }
    return ecr_buf_steal(&b);
}

static char *path_suffix(const char *base, const char *suffix)
{
    buf b;
    ecr_buf_init(&b, PATH_MAX_LEN);
    if (ecr_buf_puts(&b, base) != ECR_OK || ecr_buf_puts(&b, suffix) != ECR_OK) {
        ecr_buf_free(&b);
        return NULL;
    }
    return ecr_buf_steal(&b);
}

static char *path_index(const char *base, size_t i)
{
    buf b;
    ecr_buf_init(&b, PATH_MAX_LEN);
    if (ecr_buf_puts(&b, base) != ECR_OK || ecr_buf_printf(&b, "[%zu]", i) != ECR_OK) {
        ecr_buf_free(&b);
        return NULL;
    }
    return ecr_buf_steal(&b);
}

/* ---- reporting ---------------------------------------------------------- */

/* Every report returns 1 (one difference). With out == NULL the comparison is
 * quiet: it only needs to know whether anything differs, and stops early. */
static size_t report(diff_list *out, const char *path, const char *expected, const char *actual)
{
    if (out)
        ecrc_diff_add(out, path, expected, actual);
    return 1;
}

static size_t report_values(diff_list *out, const char *path, json_object *exp, int exp_present,
                            json_object *act, int act_present)
{
    if (!out)
        return 1;
    char *e = render(exp, exp_present);
    char *a = render(act, act_present);
    ecrc_diff_add(out, path, e ? e : "(out of memory)", a ? a : "(out of memory)");
    free(e);
    free(a);
    return 1;
}

static size_t report_expected_text(diff_list *out, const char *path, const char *expected,
                                   json_object *act, int act_present)
{
    if (!out)
        return 1;
    char *a = render(act, act_present);
    ecrc_diff_add(out, path, expected, a ? a : "(out of memory)");
    free(a);
    return 1;
}

/* ---- matchers ----------------------------------------------------------- */

typedef enum matcher {
    M_NONE = 0,
    M_ANY,
    M_ABSENT,
    M_REGEX,
    M_TYPE,
    M_SET,
    M_PARTIAL,
    M_ANYOF,
    M_INVALID
} matcher;

/* Classifies exp: a plain value, a well-formed matcher (its argument in *arg),
 * or an object that uses "$" keys wrongly. */
static matcher classify(json_object *exp, json_object **arg)
{
    *arg = NULL;
    if (json_object_get_type(exp) != json_type_object)
        return M_NONE;
    int dollar = 0;
    json_object_object_foreach (exp, key, val) {
        if (key[0] == '$') {
            dollar = 1;
            *arg = val;
        }
    }
    if (!dollar)
        return M_NONE;
    json_object *alts;
    if (json_object_object_get_ex(exp, "$anyOf", &alts)) {
        json_object *q;
        int len = json_object_object_length(exp);
        int has_q = json_object_object_get_ex(exp, "question", &q);
        *arg = alts;
        if (json_object_get_type(alts) != json_type_array ||
            (has_q && json_object_get_type(q) != json_type_string) || len != 1 + has_q)
            return M_INVALID;
        return M_ANYOF;
    }
    if (json_object_object_length(exp) != 1)
        return M_INVALID;
    json_object *a = *arg;
    json_type t = json_object_get_type(a);
    if (json_object_object_get_ex(exp, "$any", NULL))
        return t == json_type_boolean && json_object_get_boolean(a) ? M_ANY : M_INVALID;
    if (json_object_object_get_ex(exp, "$absent", NULL))
        return t == json_type_boolean && json_object_get_boolean(a) ? M_ABSENT : M_INVALID;
    if (json_object_object_get_ex(exp, "$regex", NULL))
        return t == json_type_string ? M_REGEX : M_INVALID;
    if (json_object_object_get_ex(exp, "$type", NULL))
        return t == json_type_string ? M_TYPE : M_INVALID;
    if (json_object_object_get_ex(exp, "$set", NULL))
        return t == json_type_array ? M_SET : M_INVALID;
    if (json_object_object_get_ex(exp, "$partial", NULL))
        return t == json_type_object ? M_PARTIAL : M_INVALID;
    return M_INVALID;
}

static const char *type_name(json_object *j)
{
    switch (json_object_get_type(j)) {
    case json_type_null:
        return "null";
    case json_type_boolean:
        return "boolean";
    case json_type_int:
    case json_type_double:
        return "number";
    case json_type_string:
        return "string";
    case json_type_object:
        return "object";
    case json_type_array:
        return "array";
    }
    return "?";
}

static int scalar_equal(json_object *exp, json_object *act)
{
    json_type te = json_object_get_type(exp), ta = json_object_get_type(act);
    switch (te) {
    case json_type_null:
        return ta == json_type_null;
    case json_type_boolean:
        return ta == json_type_boolean &&
               !json_object_get_boolean(exp) == !json_object_get_boolean(act);
    case json_type_string:
        return ta == json_type_string &&
               json_object_get_string_len(exp) == json_object_get_string_len(act) &&
               memcmp(json_object_get_string(exp), json_object_get_string(act),
                      (size_t)json_object_get_string_len(exp)) == 0;
    case json_type_int:
    case json_type_double:
        if (ta != json_type_int && ta != json_type_double)
            return 0;
        if (te == json_type_int && ta == json_type_int)
            /* json-c keeps integers as int64 or uint64: the pair of readings
             * identifies the value exactly on both ranges. */
            return json_object_get_int64(exp) == json_object_get_int64(act) &&
                   json_object_get_uint64(exp) == json_object_get_uint64(act);
        return json_object_get_double(exp) == json_object_get_double(act);
    default:
        return 0;
    }
}

/* What a comparison knows about open questions: answers fixed by earlier
 * steps of the case (an alternative with another answer is not tried when
 * the fixed one is listed), and where to record the answers this comparison
 * found. Either may be NULL. */
typedef struct cctx {
    const answer_list *fixed;
    answer_list *given;
} cctx;

static size_t cmp(json_object *exp, json_object *act, int act_present, const char *path,
                  diff_list *out, const cctx *cx);

/* Compares the members of exp with those of act; with strict, members of act
 * not in exp are differences too. */
static size_t cmp_members(json_object *exp, json_object *act, int strict, const char *path,
                          diff_list *out, const cctx *cx)
{
    size_t n = 0;
    json_object_object_foreach (exp, key, val) {
        json_object *a = NULL;
        int present = json_object_object_get_ex(act, key, &a);
        char *p = path_key(path, key);
        n += cmp(val, a, present, p ? p : path, out, cx);
        free(p);
        if (n && !out)
            return n;
    }
    if (!strict)
        return n;
    json_object_object_foreach (act, akey, aval) {
        if (json_object_object_get_ex(exp, akey, NULL))
            continue;
        char *p = path_key(path, akey);
        n += report_values(out, p ? p : path, NULL, 0, aval, 1);
        free(p);
        if (!out)
            return n;
    }
    return n;
}

static size_t cmp_arrays(json_object *exp, json_object *act, const char *path, diff_list *out,
                         const cctx *cx)
{
    size_t ne = json_object_array_length(exp), na = json_object_array_length(act);
    size_t n = 0;
    if (ne != na) {
        if (!out)
            return 1;
        char e[64], a[64];
        snprintf(e, sizeof e, "an array of %zu elements", ne);
        snprintf(a, sizeof a, "an array of %zu elements", na);
        n += report(out, path, e, a);
    }
    size_t max = ne > na ? ne : na;
    for (size_t i = 0; i < max; i++) {
        char *p = path_index(path, i);
        const char *use = p ? p : path;
        if (i >= ne)
            n += report_values(out, use, NULL, 0, json_object_array_get_idx(act, i), 1);
        else
            n += cmp(json_object_array_get_idx(exp, i), json_object_array_get_idx(act, i), i < na,
                     use, out, cx);
        free(p);
        if (n && !out)
            return n;
    }
    return n;
}

/* Kuhn's augmenting path from expected element i; match[j] is the expected
 * element holding actual element j, or -1. Depth is bounded by ne. */
static int augment(size_t i, const unsigned char *ok, size_t na, long *match, unsigned char *seen)
{
    /* A free partner first: with many interchangeable elements ($any, or
     * equal literals) this keeps the search linear instead of re-routing
     * every earlier pair. */
    for (size_t j = 0; j < na; j++) {
        if (ok[i * na + j] && match[j] < 0) {
            match[j] = (long)i;
            return 1;
        }
    }
    for (size_t j = 0; j < na; j++) {
        if (!ok[i * na + j] || seen[j])
            continue;
        seen[j] = 1;
        if (match[j] < 0 || augment((size_t)match[j], ok, na, match, seen)) {
            match[j] = (long)i;
            return 1;
        }
    }
    return 0;
}

/* A multiset comparison. Elements may be matchers whose matches overlap
 * ({"$any": true} next to a literal), so a greedy pairing could miss a
 * perfect one: a maximum bipartite matching finds it whenever it exists. */
static size_t cmp_set(json_object *set, json_object *act, const char *path, diff_list *out,
                      const cctx *cx)
{
    size_t ne = json_object_array_length(set), na = json_object_array_length(act);
    if (!out && ne != na)
        return 1; /* a matching is one-to-one */
    if (ne > SET_MAX || na > SET_MAX) {
        char e[96], a[64];
        snprintf(e, sizeof e, "a $set comparison of at most %d elements (expected has %zu)",
                 SET_MAX, ne);
        snprintf(a, sizeof a, "an array of %zu elements", na);
        return report(out, path, e, a);
    }
    unsigned char *ok = calloc(ne * na + 1, 1);
    long *match = malloc((na + 1) * sizeof *match);
    unsigned char *seen = malloc(na + 1);
    unsigned char *used = calloc(ne + 1, 1);
    size_t n = 0;
    if (!ok || !match || !seen || !used) {
        n = report(out, path, "(out of memory comparing a $set)", "");
        goto done;
    }
    /* Pairing tries are quiet: they record no answers. */
    cctx quiet = {cx ? cx->fixed : NULL, NULL};
    for (size_t i = 0; i < ne; i++)
        for (size_t j = 0; j < na; j++)
            ok[i * na + j] = cmp(json_object_array_get_idx(set, i),
                                 json_object_array_get_idx(act, j), 1, path, NULL, &quiet) == 0;
    for (size_t j = 0; j < na; j++)
        match[j] = -1;
    for (size_t i = 0; i < ne; i++) {
        memset(seen, 0, na + 1);
        augment(i, ok, na, match, seen);
    }
    for (size_t j = 0; j < na; j++)
        if (match[j] >= 0) {
            used[match[j]] = 1;
            if (cx && cx->given) /* the pair chosen: record its answers */
                cmp(json_object_array_get_idx(set, (size_t)match[j]),
                    json_object_array_get_idx(act, j), 1, path, NULL, cx);
        }

    char *miss = path_suffix(path, "{missing}");
    char *unexp = path_suffix(path, "{unexpected}");
    for (size_t i = 0; i < ne && (out || !n); i++)
        if (!used[i])
            n += report_values(out, miss ? miss : path, json_object_array_get_idx(set, i), 1, NULL,
                               0);
    for (size_t j = 0; j < na && (out || !n); j++)
        if (match[j] < 0)
            n += report_values(out, unexp ? unexp : path, NULL, 0,
                               json_object_array_get_idx(act, j), 1);
    free(miss);
    free(unexp);
done:
    free(ok);
    free(match);
    free(seen);
    free(used);
    return n;
}

static void free_regex(json_object *jso, void *userdata)
{
    (void)jso;
    ecr_regex_free(userdata);
}

/* The compiled pattern rides on the expanded golden's pattern string (a fresh
 * copy per step), so a $set or $anyOf that tries it against many values
 * compiles it once. */
static size_t cmp_regex(json_object *exp, json_object *arg, json_object *act, const char *path,
                        diff_list *out)
{
    if (json_object_get_type(act) != json_type_string)
        return report_values(out, path, exp, 1, act, 1);
    char err[200], msg[300];
    ecr_regex *rx = json_object_get_userdata(arg);
    if (!rx) {
        rx = ecr_regex_compile(json_object_get_string(arg), err, sizeof err);
        if (!rx) {
            snprintf(msg, sizeof msg, "a valid $regex (%s)", err);
            return report_expected_text(out, path, msg, act, 1);
        }
        json_object_set_userdata(arg, rx, free_regex);
    }
    int m = ecr_regex_match(rx, json_object_get_string(act),
                            (size_t)json_object_get_string_len(act), err, sizeof err);
    if (m < 0) {
        snprintf(msg, sizeof msg, "a $regex that can be matched (%s)", err);
        return report_expected_text(out, path, msg, act, 1);
    }
    return m == 1 ? 0 : report_values(out, path, exp, 1, act, 1);
}

static size_t cmp_anyof(json_object *exp, json_object *alts, json_object *act, int act_present,
                        const char *path, diff_list *out, const cctx *cx);

static size_t cmp(json_object *exp, json_object *act, int act_present, const char *path,
                  diff_list *out, const cctx *cx)
{
    json_object *arg;
    matcher m = classify(exp, &arg);
    if (m == M_INVALID) {
        char *e = render(exp, 1);
        char msg[RENDER_MAX + 64];
        snprintf(msg, sizeof msg, "a valid matcher (not %s)", e ? e : "?");
        free(e);
        return report_expected_text(out, path, msg, act, act_present);
    }
    if (m == M_ANYOF)
        return cmp_anyof(exp, arg, act, act_present, path, out, cx);
    if (m == M_ANY)
        return act_present ? 0 : report_values(out, path, exp, 1, act, 0);
    if (m == M_ABSENT)
        return act_present ? report_values(out, path, NULL, 0, act, 1) : 0;
    if (!act_present)
        return report_values(out, path, exp, 1, act, 0);

    switch (m) {
    case M_REGEX:
        return cmp_regex(exp, arg, act, path, out);
    case M_TYPE: {
        const char *want = json_object_get_string(arg);
        static const char *const known[] = {"string", "number", "boolean",
                                            "object", "array",  "null"};
        int valid = 0;
        for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
            valid |= strcmp(want, known[i]) == 0;
        if (!valid) {
            char msg[RENDER_MAX];
            snprintf(msg, sizeof msg, "a valid $type (not \"%.100s\")", want);
            return report_expected_text(out, path, msg, act, 1);
        }
        return strcmp(want, type_name(act)) == 0 ? 0 : report_values(out, path, exp, 1, act, 1);
    }
    case M_SET:
        if (json_object_get_type(act) != json_type_array)
            return report_values(out, path, exp, 1, act, 1);
        return cmp_set(arg, act, path, out, cx);
    case M_PARTIAL:
        if (json_object_get_type(act) != json_type_object)
            return report_values(out, path, exp, 1, act, 1);
        return cmp_members(arg, act, 0, path, out, cx);
    default:
        break;
    }

    switch (json_object_get_type(exp)) {
    case json_type_object:
        if (json_object_get_type(act) != json_type_object)
            return report_values(out, path, exp, 1, act, 1);
        return cmp_members(exp, act, 1, path, out, cx);
    case json_type_array:
        if (json_object_get_type(act) != json_type_array)
            return report_values(out, path, exp, 1, act, 1);
        return cmp_arrays(exp, act, path, out, cx);
    default:
        return scalar_equal(exp, act) ? 0 : report_values(out, path, exp, 1, act, 1);
    }
}

/* ---- open questions ----------------------------------------------------- */

void ecrc_answers_init(answer_list *a)
{
    memset(a, 0, sizeof *a);
}

void ecrc_answers_free(answer_list *a)
{
    if (!a)
        return;
    for (size_t i = 0; i < a->n; i++) {
        free(a->items[i].question);
        free(a->items[i].answer);
    }
    free(a->items);
    memset(a, 0, sizeof *a);
}

const char *ecrc_answers_get(const answer_list *a, const char *question)
{
    for (size_t i = 0; a && question && i < a->n; i++)
        if (!strcmp(a->items[i].question, question))
            return a->items[i].answer;
    return NULL;
}

void ecrc_answers_set(answer_list *a, const char *question, const char *answer, int matched)
{
    if (!a || !question)
        return;
    for (size_t i = 0; i < a->n; i++)
        if (!strcmp(a->items[i].question, question)) {
            /* A matched answer wins over a "none matched" record. */
            if (a->items[i].matched && !matched)
                return;
            char *dup = strdup(answer ? answer : "");
            if (!dup)
                return;
            free(a->items[i].answer);
            a->items[i].answer = dup;
            a->items[i].matched = matched;
            return;
        }
    if (a->n == a->cap) {
        size_t cap = a->cap ? a->cap * 2 : 4;
        answer_item *p = realloc(a->items, cap * sizeof *p);
        if (!p)
            return;
        a->items = p;
        a->cap = cap;
    }
    answer_item *it = &a->items[a->n];
    it->question = strdup(question);
    it->answer = strdup(answer ? answer : "");
    it->matched = matched;
    if (!it->question || !it->answer) {
        free(it->question);
        free(it->answer);
        return;
    }
    a->n++;
}

static const char *alt_answer(json_object *alt)
{
    json_object *v;
    if (json_object_get_type(alt) == json_type_object &&
        json_object_object_get_ex(alt, "answer", &v) && json_object_get_type(v) == json_type_string)
        return json_object_get_string(v);
    return "?";
}

/* 1 when name is one of the '|'-separated names of set. */
static int in_set(const char *set, const char *name)
{
    size_t len = strlen(name);
    for (const char *p = set; p && *p;) {
        const char *bar = strchr(p, '|');
        size_t n = bar ? (size_t)(bar - p) : strlen(p);
        if (n == len && !strncmp(p, name, n))
            return 1;
        p = bar ? bar + 1 : NULL;
    }
    return 0;
}

int ecrc_answers_allows(const answer_list *fixed, const char *question, const char *answer,
                        const char *const *answers, size_t n)
{
    const char *f = NULL;
    for (size_t i = 0; fixed && question && i < fixed->n; i++)
        if (fixed->items[i].matched && !strcmp(fixed->items[i].question, question))
            f = fixed->items[i].answer;
    if (!f)
        return 1;
    int listed = 0;
    for (size_t i = 0; i < n; i++)
        listed |= answers[i] && in_set(f, answers[i]);
    return !listed || in_set(f, answer);
}

/* Appends name to the '|'-separated set in out (outsz bytes). */
static void set_add(char *out, size_t outsz, const char *name)
{
    size_t have = strlen(out);
    snprintf(out + have, outsz - have, "%s%s", have ? "|" : "", name);
}

/* An open question inside a value: matches when one alternative's value
 * matches. When an earlier step fixed the answer and it is listed, only that
 * alternative is tried. On a mismatch the differences of the closest
 * alternative are reported, after a line naming the answers tried. */
static size_t cmp_anyof(json_object *exp, json_object *alts, json_object *act, int act_present,
                        const char *path, diff_list *out, const cctx *cx)
{
    json_object *qv;
    const char *q =
        json_object_object_get_ex(exp, "question", &qv) ? json_object_get_string(qv) : "";
    size_t na = json_object_array_length(alts);
    const char *names[64] = {0};
    size_t nn = na < 64 ? na : 64;
    for (size_t i = 0; i < nn; i++)
        names[i] = alt_answer(json_object_array_get_idx(alts, i));
    const answer_list *fixed = cx ? cx->fixed : NULL;
    int forced = 0;
    for (size_t i = 0; i < nn; i++)
        forced |= !ecrc_answers_allows(fixed, q, names[i], names, nn);
    cctx quiet = {fixed, NULL};
    char matched[512] = "";
    json_object *first = NULL;
    for (size_t i = 0; i < na; i++) {
        json_object *alt = json_object_array_get_idx(alts, i), *val = NULL;
        if (!ecrc_answers_allows(fixed, q, alt_answer(alt), names, nn))
            continue;
        int present = json_object_get_type(alt) == json_type_object &&
                      json_object_object_get_ex(alt, "value", &val);
        if (present && cmp(val, act, act_present, path, NULL, &quiet) == 0) {
            set_add(matched, sizeof matched, alt_answer(alt));
            if (!first)
                first = val;
        }
    }
    if (first) {
        if (cx && cx->given) {
            ecrc_answers_set(cx->given, q, matched, 1);
            cmp(first, act, act_present, path, NULL, cx); /* nested records, if any */
        }
        return 0;
    }
    size_t best = na, bestn = 0;
    diff_list bestd;
    ecrc_diff_init(&bestd);
    for (size_t i = 0; out && i < na; i++) {
        json_object *alt = json_object_array_get_idx(alts, i), *val = NULL;
        if (!ecrc_answers_allows(fixed, q, alt_answer(alt), names, nn))
            continue;
        if (!json_object_object_get_ex(alt, "value", &val))
            continue;
        diff_list d;
        ecrc_diff_init(&d);
        size_t k = cmp(val, act, act_present, path, &d, &quiet);
        if (best == na || k < bestn) {
            ecrc_diff_free(&bestd);
            bestd = d;
            best = i;
            bestn = k;
        } else {
            ecrc_diff_free(&d);
        }
    }
    const char *closest = best < na ? alt_answer(json_object_array_get_idx(alts, best)) : "?";
    if (cx && cx->given) {
        char rec[256];
        snprintf(rec, sizeof rec, "none (closest: %s)", closest);
        ecrc_answers_set(cx->given, q, rec, 0);
    }
    if (!out)
        return 1;
    char msg[600];
    if (forced)
        snprintf(msg, sizeof msg,
                 "the answer to open question %s an earlier step gave ('%s'); its differences "
                 "follow",
                 q, closest);
    else {
        int k = snprintf(msg, sizeof msg, "one of the answers to open question %s (", q);
        for (size_t i = 0; i < nn && k > 0 && (size_t)k < sizeof msg; i++)
            k += snprintf(msg + k, sizeof msg - (size_t)k, "%s'%s'", i ? ", " : "", names[i]);
        if (k > 0 && (size_t)k < sizeof msg)
            snprintf(msg + k, sizeof msg - (size_t)k,
                     "); none matched, the closest is '%s', its differences follow", closest);
    }
    size_t n = report_expected_text(out, path, msg, act, act_present);
    for (size_t i = 0; i < bestd.n; i++)
        ecrc_diff_add(out, bestd.items[i].path, bestd.items[i].expected, bestd.items[i].actual);
    n += bestd.n;
    ecrc_diff_free(&bestd);
    return n;
}

size_t ecrc_compare_json_open(json_object *expected, json_object *actual, const char *path,
                              diff_list *out, const answer_list *fixed, answer_list *given)
{
    cctx cx = {fixed, given};
    return cmp(expected, actual, actual != NULL, path ? path : "$", out, &cx);
}

size_t ecrc_compare_json(json_object *expected, json_object *actual, const char *path,
                         diff_list *out)
{
    return cmp(expected, actual, actual != NULL, path ? path : "$", out, NULL);
}

int ecrc_compare_matches(json_object *expected, json_object *actual)
{
    return ecrc_compare_json(expected, actual, "$", NULL) == 0;
}
