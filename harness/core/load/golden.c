#include "golden.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "ecr/buf.h"
#include "ecr/json.h"
#include "ecr/regex.h"

static const char *const LEVEL_NAMES[] = {"C", "D", "I", "E"};

const char *ecrc_golden_level_name(golden_level l)
{
    return (unsigned)l < 4 ? LEVEL_NAMES[l] : "?";
}

/* ---- matcher syntax ----------------------------------------------------- */

static int is_type_name(const char *s)
{
    static const char *const names[] = {"string", "number", "boolean", "object", "array", "null"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(s, names[i]) == 0)
            return 1;
    return 0;
}

/* The pattern with every ${...} replaced by a dummy, so it can be compiled
 * before the variables are known. NULL with *unterminated set when a "${"
 * has no "}". */
static char *regex_with_dummies(const char *re, int *unterminated)
{
    *unterminated = 0;
    buf b;
    ecr_buf_init(&b, GOLDEN_FILE_MAX);
    const char *p = re, *start;
    while ((start = strstr(p, "${")) != NULL) {
        const char *end = strchr(start + 2, '}');
        if (!end) {
            *unterminated = 1;
            ecr_buf_free(&b);
            return NULL;
        }
        if (ecr_buf_append(&b, p, (size_t)(start - p)) != ECR_OK ||
            ecr_buf_puts(&b, "x") != ECR_OK) {
            ecr_buf_free(&b);
            return NULL;
        }
        p = end + 1;
    }
    if (ecr_buf_puts(&b, p) != ECR_OK) {
        ecr_buf_free(&b);
        return NULL;
    }
    return ecr_buf_steal(&b);
}

static size_t check_regex(const char *re, const char *file, const char *where, diag_list *diags)
{
    int unterminated;
    char *pat = regex_with_dummies(re, &unterminated);
    if (!pat) {
        ecr_diag_add(diags, file, where,
                     unterminated ? "$regex has an unterminated ${" : "out of memory");
        return 1;
    }
    char msg[200];
    ecr_regex *rx = ecr_regex_compile(pat, msg, sizeof msg);
    free(pat);
    if (!rx) {
        ecr_diag_add(diags, file, where, "$regex does not compile (PCRE2, docs/CASES.md): %s", msg);
        return 1;
    }
    ecr_regex_free(rx);
    return 0;
}

static size_t check(json_object *j, const char *file, const char *where, int member, int in_alt,
                    diag_list *diags);

/* Checks every element of array j, or every member of object j (where
 * $absent is allowed); other values have no children. in_alt: j is inside an
 * alternative of a $anyOf (where another $anyOf is refused). */
static size_t check_children(json_object *j, const char *file, const char *where, int in_alt,
                             diag_list *diags)
{
    size_t n = 0;
    if (json_object_get_type(j) == json_type_array) {
        for (size_t i = 0; i < json_object_array_length(j); i++) {
            char el[DIAG_FIELD_MAX];
            ecr_diag_field_index(el, sizeof el, where, i);
            n += check(json_object_array_get_idx(j, i), file, el, 0, in_alt, diags);
        }
    } else if (json_object_get_type(j) == json_type_object) {
        json_object_object_foreach (j, k, v) {
            char m[DIAG_FIELD_MAX];
            ecr_diag_field_key(m, sizeof m, where, k);
            n += check(v, file, m, 1, in_alt, diags);
        }
    }
    return n;
}

/* One matcher object {"$x": arg}; where names the object. */
static size_t check_matcher(const char *key, json_object *arg, const char *file, const char *where,
                            int member, int in_alt, diag_list *diags)
{
    char sub[DIAG_FIELD_MAX];
    ecr_diag_field_key(sub, sizeof sub, where, key);
    json_type t = json_object_get_type(arg);
    if (!strcmp(key, "$any") || !strcmp(key, "$absent")) {
        size_t n = 0;
        if (t != json_type_boolean || !json_object_get_boolean(arg)) {
            ecr_diag_add(diags, file, sub, "%s takes the value true", key);
            n++;
        }
        if (!strcmp(key, "$absent") && !member) {
            ecr_diag_add(diags, file, where, "$absent is only valid as an object member");
            n++;
        }
        return n;
    }
    if (!strcmp(key, "$regex")) {
        if (t != json_type_string) {
            ecr_diag_add(diags, file, sub, "$regex takes a string");
            return 1;
        }
        return check_regex(json_object_get_string(arg), file, sub, diags);
    }
    if (!strcmp(key, "$type")) {
        if (t != json_type_string || !is_type_name(json_object_get_string(arg))) {
            ecr_diag_add(diags, file, sub,
                         "$type takes one of string, number, boolean, object, array, null");
            return 1;
        }
        return 0;
    }
    if (!strcmp(key, "$set")) {
        if (t != json_type_array) {
            ecr_diag_add(diags, file, sub, "$set takes an array");
            return 1;
        }
        if (json_object_array_length(arg) > GOLDEN_SET_MAX) {
            ecr_diag_add(diags, file, sub, "$set holds %zu elements, more than the limit of %d",
                         json_object_array_length(arg), GOLDEN_SET_MAX);
            return 1;
        }
        return check_children(arg, file, sub, in_alt, diags);
    }
    if (!strcmp(key, "$partial")) {
        if (t != json_type_object) {
            ecr_diag_add(diags, file, sub, "$partial takes an object");
            return 1;
        }
        return check_children(arg, file, sub, in_alt, diags);
    }
    ecr_diag_add(diags, file, sub,
                 "unknown matcher %s (known: $any, $absent, $regex, $type, $set, $partial, $anyOf)",
                 key);
    return 1;
}

static int level_index(json_object *v)
{
    const char *s = json_object_get_type(v) == json_type_string ? json_object_get_string(v) : "";
    for (int i = 0; i < 4; i++)
        if (!strcmp(s, LEVEL_NAMES[i]))
            return i;
    return -1;
}

static size_t check_string_array(json_object *a, const char *file, const char *where,
                                 diag_list *diags)
{
    if (json_object_get_type(a) != json_type_array || json_object_array_length(a) == 0) {
        ecr_diag_add(diags, file, where, "must be a non-empty array of strings");
        return 1;
    }
    size_t n = 0;
    for (size_t i = 0; i < json_object_array_length(a); i++) {
        json_object *s = json_object_array_get_idx(a, i);
        if (json_object_get_type(s) != json_type_string || !json_object_get_string_len(s)) {
            char f[DIAG_FIELD_MAX];
            ecr_diag_field_index(f, sizeof f, where, i);
            ecr_diag_add(diags, file, f, "must be a non-empty string");
            n++;
        }
    }
    return n;
}

/* The members every alternative of a $anyOf has: answer, level, sources.
 * answers (the alternatives' array) is searched for an earlier equal answer. */
static size_t check_alt_common(json_object *alt, json_object *alts, size_t idx, const char *file,
                               const char *where, diag_list *diags)
{
    size_t n = 0;
    char f[DIAG_FIELD_MAX];
    json_object *v;
    ecr_diag_field_key(f, sizeof f, where, "answer");
    if (!json_object_object_get_ex(alt, "answer", &v) ||
        json_object_get_type(v) != json_type_string || !json_object_get_string_len(v)) {
        ecr_diag_add(diags, file, f, "required: the answer's name, a non-empty string");
        n++;
    } else {
        for (size_t i = 0; i < idx; i++) {
            json_object *o, *a;
            o = json_object_array_get_idx(alts, i);
            if (json_object_get_type(o) == json_type_object &&
                json_object_object_get_ex(o, "answer", &a) &&
                json_object_get_type(a) == json_type_string &&
                !strcmp(json_object_get_string(a), json_object_get_string(v))) {
                ecr_diag_add(diags, file, f, "answer \"%s\" is listed twice",
                             json_object_get_string(v));
                n++;
            }
        }
    }
    ecr_diag_field_key(f, sizeof f, where, "level");
    if (!json_object_object_get_ex(alt, "level", &v) || level_index(v) < 0) {
        ecr_diag_add(diags, file, f, "required: one of \"C\", \"D\", \"I\", \"E\"");
        n++;
    }
    ecr_diag_field_key(f, sizeof f, where, "sources");
    if (!json_object_object_get_ex(alt, "sources", &v)) {
        ecr_diag_add(diags, file, f, "required: where this answer comes from");
        n++;
    } else {
        n += check_string_array(v, file, f, diags);
    }
    return n;
}

static size_t check_question(json_object *obj, const char *file, const char *where,
                             diag_list *diags)
{
    json_object *q;
    char f[DIAG_FIELD_MAX];
    ecr_diag_field_key(f, sizeof f, where, "question");
    if (!json_object_object_get_ex(obj, "question", &q) ||
        json_object_get_type(q) != json_type_string ||
        strncmp(json_object_get_string(q), "oq-", 3) != 0) {
        ecr_diag_add(diags, file, f,
                     "required beside $anyOf: the open question's anchor in "
                     "docs/ECR-BEHAVIOUR.md (\"oq-...\")");
        return 1;
    }
    return 0;
}

/* {"$anyOf": [{answer, level, sources, value}, ...], "question": "oq-..."}
 * inside a body, a message or a header value. */
static size_t check_anyof(json_object *j, const char *file, const char *where, int member,
                          int in_alt, diag_list *diags)
{
    static const char *const alt_allowed[] = {"answer", "level", "sources", "value", NULL};
    size_t n = 0;
    if (in_alt) {
        ecr_diag_add(diags, file, where, "nested $anyOf is refused: an alternative is one answer");
        return 1;
    }
    json_object_object_foreach (j, key, val) {
        (void)val;
        if (strcmp(key, "$anyOf") && strcmp(key, "question")) {
            char f[DIAG_FIELD_MAX];
            ecr_diag_field_key(f, sizeof f, where, key);
            ecr_diag_add(diags, file, f, "unknown member beside $anyOf (allowed: question)");
            n++;
        }
    }
    n += check_question(j, file, where, diags);
    json_object *alts;
    char sub[DIAG_FIELD_MAX];
    ecr_diag_field_key(sub, sizeof sub, where, "$anyOf");
    json_object_object_get_ex(j, "$anyOf", &alts);
    if (json_object_get_type(alts) != json_type_array || json_object_array_length(alts) < 2) {
        ecr_diag_add(diags, file, sub, "$anyOf takes an array of at least two alternatives");
        return n + 1;
    }
    for (size_t i = 0; i < json_object_array_length(alts); i++) {
        json_object *alt = json_object_array_get_idx(alts, i);
        char el[DIAG_FIELD_MAX];
        ecr_diag_field_index(el, sizeof el, sub, i);
        if (json_object_get_type(alt) != json_type_object) {
            ecr_diag_add(diags, file, el, "must be an object {answer, level, sources, value}");
            n++;
            continue;
        }
        json_object_object_foreach (alt, ak, av) {
            (void)av;
            int ok = 0;
            for (size_t k = 0; alt_allowed[k]; k++)
                ok |= !strcmp(ak, alt_allowed[k]);
            if (!ok) {
                char f[DIAG_FIELD_MAX];
                ecr_diag_field_key(f, sizeof f, el, ak);
                ecr_diag_add(diags, file, f, "unknown member");
                n++;
            }
        }
        n += check_alt_common(alt, alts, i, file, el, diags);
        json_object *value;
        char vf[DIAG_FIELD_MAX];
        ecr_diag_field_key(vf, sizeof vf, el, "value");
        if (!json_object_object_get_ex(alt, "value", &value)) {
            ecr_diag_add(diags, file, vf, "required: the value this answer expects");
            n++;
        } else {
            n += check(value, file, vf, member, 1, diags);
        }
    }
    return n;
}

/* member: j is the value of an object member (or a top-level value), where
 * $absent makes sense; array and $set elements are not. */
static size_t check(json_object *j, const char *file, const char *where, int member, int in_alt,
                    diag_list *diags)
{
    json_type t = json_object_get_type(j);
    if (t == json_type_array)
        return check_children(j, file, where, in_alt, diags);
    if (t != json_type_object)
        return 0;

    size_t dollars = 0;
    json_object_object_foreach (j, key, val) {
        (void)val;
        if (key[0] == '$')
            dollars++;
    }
    if (dollars == 0)
        return check_children(j, file, where, in_alt, diags);
    if (json_object_object_get_ex(j, "$anyOf", NULL) && dollars == 1)
        return check_anyof(j, file, where, member, in_alt, diags);
    if (json_object_object_length(j) != 1) {
        ecr_diag_add(diags, file, where,
                     "a matcher object has exactly one member, the \"$\" key (found %d members)",
                     json_object_object_length(j));
        return 1;
    }
    json_object_object_foreach (j, mk, arg) {
        return check_matcher(mk, arg, file, where, member, in_alt, diags);
    }
    return 0;
}

size_t ecrc_golden_check_matchers(json_object *j, const char *file, const char *where,
                                  diag_list *diags)
{
    return check(j, file, where ? where : "", 1, 0, diags);
}

/* ---- the golden --------------------------------------------------------- */

static const char *const MSG_EXACT =
    "exact message text on a level %s golden; use a $regex or $any matcher";
static const char *const MSG_LITERAL_RE =
    "a $regex without any pattern is an exact text in disguise on a level %s golden; match "
    "the text loosely (e.g. '^.*not found.*$')";

/* 1 when the ERE matches exactly one string: only literal characters (or
 * escaped ones, or ${variables}) between ^ and $. Such a regex
 * asserts an exact text, which I/E goldens must not do. */
static int is_literal_regex(const char *re)
{
    const char *p = re, *end = re + strlen(re);
    /* Unanchored at either end, it matches texts around it: loose enough. */
    if (*p != '^' || end - p < 2 || end[-1] != '$' || end[-2] == '\\')
        return 0;
    p++;
    end--;
    while (p < end) {
        if (*p == '\\') {
            p += 2;
        } else if (p[0] == '$' && p[1] == '{') {
            const char *close = strchr(p, '}');
            if (!close || close >= end)
                return 0;
            p = close + 1;
        } else if (strchr(".[]()*+?{}|^$", *p)) {
            return 0;
        } else {
            p++;
        }
    }
    return 1;
}

/* A message value that demands an exact text: a plain string, or a $regex
 * that can match only one string. */
static int is_exact_text(json_object *v, int *literal_regex)
{
    json_object *re;
    *literal_regex = 0;
    if (json_object_get_type(v) == json_type_string)
        return 1;
    if (json_object_get_type(v) == json_type_object &&
        json_object_object_get_ex(v, "$regex", &re) &&
        json_object_get_type(re) == json_type_string &&
        is_literal_regex(json_object_get_string(re))) {
        *literal_regex = 1;
        return 1;
    }
    return 0;
}

/* Level I/E: every failureReason member holding a plain string, matchers'
 * contents included. */
static size_t find_exact_reasons(json_object *j, const char *file, const char *where,
                                 const char *level, diag_list *diags)
{
    size_t n = 0;
    json_type t = json_object_get_type(j);
    if (t == json_type_array) {
        for (size_t i = 0; i < json_object_array_length(j); i++) {
            char el[DIAG_FIELD_MAX];
            ecr_diag_field_index(el, sizeof el, where, i);
            n += find_exact_reasons(json_object_array_get_idx(j, i), file, el, level, diags);
        }
    } else if (t == json_type_object) {
        json_object_object_foreach (j, k, v) {
            char m[DIAG_FIELD_MAX];
            ecr_diag_field_key(m, sizeof m, where, k);
            int lit;
            if (!strcmp(k, "failureReason") && is_exact_text(v, &lit)) {
                ecr_diag_add(diags, file, m, lit ? MSG_LITERAL_RE : MSG_EXACT, level);
                n++;
            } else {
                n += find_exact_reasons(v, file, m, level, diags);
            }
        }
    }
    return n;
}

static int is_matcher_object(json_object *j)
{
    if (json_object_get_type(j) != json_type_object)
        return 0;
    json_object_object_foreach (j, k, v) {
        (void)v;
        if (k[0] == '$')
            return 1;
    }
    return 0;
}

/* Every member of obj not in allowed (NULL-terminated) is reported. */
static size_t unknown_members(json_object *obj, const char *const *allowed, const char *file,
                              const char *where, diag_list *diags)
{
    ecr_json_src src = {file, diags, 0};
    return ecr_json_check_members(&src, obj, where, allowed);
}

static char *xstrdup(const char *s, size_t *fail)
{
    char *p = strdup(s);
    if (!p)
        (*fail)++;
    return p;
}

static size_t load_provenance(golden *g, json_object *root, const char *file, int *level_ok,
                              diag_list *diags)
{
    static const char *const allowed[] = {"level", "sources", "notes", NULL};
    ecr_json_src src = {file, diags, 0};
    *level_ok = 0;
    json_object *prov = ecr_json_get_object(&src, root, "", "provenance", ECR_JSON_REQUIRED), *v;
    if (!prov)
        return src.errors;
    ecr_json_check_members(&src, prov, "provenance", allowed);
    size_t n = 0;

    if (!json_object_object_get_ex(prov, "level", &v)) {
        ecr_diag_add(diags, file, "provenance.level", "required member missing");
        n++;
    } else {
        const char *s =
            json_object_get_type(v) == json_type_string ? json_object_get_string(v) : "";
        int found = 0;
        for (int i = 0; i < 4; i++)
            if (!strcmp(s, LEVEL_NAMES[i])) {
                g->level = (golden_level)i;
                found = 1;
            }
        if (!found) {
            ecr_diag_add(diags, file, "provenance.level",
                         "must be one of \"C\", \"D\", \"I\", \"E\"");
            n++;
        }
        *level_ok = found;
    }

    if (!json_object_object_get_ex(prov, "sources", &v)) {
        ecr_diag_add(diags, file, "provenance.sources", "required member missing");
        n++;
    } else if (json_object_get_type(v) != json_type_array || json_object_array_length(v) == 0) {
        ecr_diag_add(diags, file, "provenance.sources", "must be a non-empty array of strings");
        n++;
    } else {
        g->sources = ecr_json_get_strings(&src, v, "provenance.sources", &g->nsources);
    }

    const char *notes = ecr_json_get_string(&src, prov, "provenance", "notes", 0);
    if (notes)
        g->notes = xstrdup(notes, &n);
    if (*level_ok && (g->level == LEVEL_I || g->level == LEVEL_E) && (!g->notes || !g->notes[0])) {
        ecr_diag_add(diags, file, "provenance.notes",
                     "required for level %s: the decision and its reasoning",
                     ecrc_golden_level_name(g->level));
        n++;
    }
    return n + src.errors;
}

static size_t load_error(golden *g, json_object *err, const char *file, const char *prefix,
                         diag_list *diags)
{
    static const char *const allowed[] = {"type", "message", "members", NULL};
    size_t n = 0;
    char where[DIAG_FIELD_MAX], f[DIAG_FIELD_MAX];
    ecr_diag_field_key(where, sizeof where, prefix, "error");
    if (json_object_get_type(err) != json_type_object) {
        ecr_diag_add(diags, file, where,
                     "must be an object {\"type\", \"message\"?, \"members\"?}");
        return 1;
    }
    n += unknown_members(err, allowed, file, where, diags);
    json_object *v;
    ecr_diag_field_key(f, sizeof f, where, "type");
    if (!json_object_object_get_ex(err, "type", &v)) {
        ecr_diag_add(diags, file, f, "required member missing");
        n++;
    } else if (json_object_get_type(v) != json_type_string || !json_object_get_string_len(v)) {
        ecr_diag_add(diags, file, f, "must be a non-empty string");
        n++;
    } else {
        g->error_type = xstrdup(json_object_get_string(v), &n);
    }
    ecr_diag_field_key(f, sizeof f, where, "message");
    if (json_object_object_get_ex(err, "message", &v)) {
        if (json_object_get_type(v) != json_type_string && !is_matcher_object(v)) {
            ecr_diag_add(diags, file, f, "must be a string or a matcher");
            n++;
        } else {
            n += ecrc_golden_check_matchers(v, file, f, diags);
            g->error_message = json_object_get(v);
        }
    }
    ecr_diag_field_key(f, sizeof f, where, "members");
    if (json_object_object_get_ex(err, "members", &v)) {
        size_t bad = check_string_array(v, file, f, diags);
        for (size_t i = 0; !bad && i < json_object_array_length(v); i++)
            for (size_t k = 0; k < i; k++)
                if (!strcmp(json_object_get_string(json_object_array_get_idx(v, i)),
                            json_object_get_string(json_object_array_get_idx(v, k)))) {
                    ecr_diag_add(diags, file, f, "member name \"%s\" listed twice",
                                 json_object_get_string(json_object_array_get_idx(v, i)));
                    bad++;
                }
        if (bad)
            n += bad;
        else
            g->error_members = json_object_get(v);
    }
    return n;
}

static size_t load_headers(golden *g, json_object *h, const char *file, const char *prefix,
                           diag_list *diags)
{
    char where[DIAG_FIELD_MAX];
    ecr_diag_field_key(where, sizeof where, prefix, "headers");
    if (json_object_get_type(h) != json_type_object) {
        ecr_diag_add(diags, file, where, "must be an object of header name to string or matcher");
        return 1;
    }
    size_t n = 0;
    json_object_object_foreach (h, name, val) {
        char f[DIAG_FIELD_MAX];
        ecr_diag_field_key(f, sizeof f, where, name);
        if (!name[0] || strpbrk(name, " \t\r\n:")) {
            ecr_diag_add(diags, file, f, "not a valid header name");
            n++;
        }
        /* Header names are case-insensitive: two spellings would be two
         * contradicting expectations of one header. */
        json_object_object_foreach (h, other, oval) {
            (void)oval;
            if (other == name)
                break;
            if (!strcasecmp(other, name)) {
                ecr_diag_add(diags, file, f, "duplicate header name (names are case-insensitive)");
                n++;
            }
        }
        if (json_object_get_type(val) != json_type_string && !is_matcher_object(val)) {
            ecr_diag_add(diags, file, f, "must be a string or a matcher");
            n++;
        } else {
            n += ecrc_golden_check_matchers(val, file, f, diags);
        }
    }
    if (!n)
        g->headers = json_object_get(h);
    return n;
}

/* status, body or error, headers of obj into g; prefix names obj ("" at the
 * top, "$anyOf[i]" for an alternative). */
static size_t load_response(golden *g, json_object *obj, const char *file, const char *prefix,
                            int shared_status, diag_list *diags)
{
    size_t n = 0;
    char f[DIAG_FIELD_MAX];
    json_object *v;
    ecr_diag_field_key(f, sizeof f, prefix, "status");
    if (shared_status && !json_object_object_get_ex(obj, "status", NULL)) {
        g->status = shared_status; /* the status every alternative shares */
    } else if (!json_object_object_get_ex(obj, "status", &v)) {
        ecr_diag_add(diags, file, f, "required member missing");
        n++;
    } else if (json_object_get_type(v) != json_type_int || json_object_get_int64(v) < 100 ||
               json_object_get_int64(v) > 599) {
        ecr_diag_add(diags, file, f, "must be an integer HTTP status (100..599)");
        n++;
    } else {
        g->status = (int)json_object_get_int64(v);
        if (shared_status && g->status != shared_status) {
            ecr_diag_add(diags, file, f,
                         "contradicts the status %d shared by every alternative (top level)",
                         shared_status);
            n++;
        }
    }

    json_object *body = NULL, *error = NULL;
    int has_body = json_object_object_get_ex(obj, "body", &body);
    int has_error = json_object_object_get_ex(obj, "error", &error);
    if (has_body == has_error) {
        ecr_diag_add(diags, file, prefix, "exactly one of \"body\" and \"error\" must be given");
        n++;
    }
    ecr_diag_field_key(f, sizeof f, prefix, "body");
    if (has_body) {
        if (!body) {
            ecr_diag_add(diags, file, f, "must not be null");
            n++;
        } else {
            n += ecrc_golden_check_matchers(body, file, f, diags);
            g->body = json_object_get(body);
        }
    }
    if (has_error)
        n += load_error(g, error, file, prefix, diags);
    if (json_object_object_get_ex(obj, "headers", &v))
        n += load_headers(g, v, file, prefix, diags);
    return n;
}

/* ---- citations and open questions --------------------------------------- */

#define BEHAVIOUR_DOC "docs/ECR-BEHAVIOUR.md"
#define BEHAVIOUR_CITE "ECR-BEHAVIOUR.md#"
#define BEHAVIOUR_MAX (1024u * 1024)
/* The text of doc when it is a regular file under BEHAVIOUR_MAX (caller
 * frees), else NULL. */
static char *read_doc(const char *doc)
{
    struct stat st;
    if (stat(doc, &st) != 0 || !S_ISREG(st.st_mode) || (size_t)st.st_size >= BEHAVIOUR_MAX)
        return NULL;
    FILE *fp = fopen(doc, "r");
    if (!fp)
        return NULL;
    char *text = calloc(1, (size_t)st.st_size + 1);
    if (text && fread(text, 1, (size_t)st.st_size, fp) != (size_t)st.st_size) {
        free(text);
        text = NULL;
    }
    fclose(fp);
    return text;
}

/* The text of the docs/ECR-BEHAVIOUR.md in the nearest directory above path
 * that has one, up to the root, else the one in the current directory (a
 * corpus copied elsewhere, linted from the checkout); the caller frees it;
 * NULL when there is none. (This once stopped 8 directories up, and found
 * the current directory's only when the root came sooner: a corpus one level
 * deeper lost its citations.) */
static char *behaviour_doc(const char *path)
{
    char dir[4096], doc[4200];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash;
    while ((slash = strrchr(dir, '/')) != NULL) {
        *slash = '\0';
        snprintf(doc, sizeof doc, "%s/%s", dir[0] ? dir : "", BEHAVIOUR_DOC);
        char *text = read_doc(doc);
        if (text)
            return text;
    }
    return read_doc(BEHAVIOUR_DOC);
}

static int has_anchor(const char *doc, const char *anchor)
{
    if (!doc || !anchor[0] || strchr(anchor, '"'))
        return 0;
    char needle[512];
    int k = snprintf(needle, sizeof needle, "<a id=\"%s\"></a>", anchor);
    if (k < 0 || (size_t)k >= sizeof needle)
        return 0;
    return strstr(doc, needle) != NULL;
}

/* A source "ECR-BEHAVIOUR.md#x" must name an anchor of the doc. */
static size_t check_citation(const char *src, const char *doc, const char *file, const char *field,
                             diag_list *diags)
{
    if (strncmp(src, BEHAVIOUR_CITE, strlen(BEHAVIOUR_CITE)) != 0)
        return 0;
    const char *anchor = src + strlen(BEHAVIOUR_CITE);
    if (!doc) {
        ecr_diag_add(diags, file, field,
                     "cites %s but no " BEHAVIOUR_DOC " was found above the golden", src);
        return 1;
    }
    if (!has_anchor(doc, anchor)) {
        ecr_diag_add(diags, file, field, "cites %s: no anchor '%s' in " BEHAVIOUR_DOC, src, anchor);
        return 1;
    }
    return 0;
}

static size_t check_sources(json_object *arr, const char *doc, const char *file, const char *where,
                            diag_list *diags)
{
    size_t n = 0;
    for (size_t i = 0;
         json_object_get_type(arr) == json_type_array && i < json_object_array_length(arr); i++) {
        json_object *s = json_object_array_get_idx(arr, i);
        if (json_object_get_type(s) != json_type_string)
            continue;
        char f[DIAG_FIELD_MAX];
        ecr_diag_field_index(f, sizeof f, where, i);
        n += check_citation(json_object_get_string(s), doc, file, f, diags);
    }
    return n;
}

/* The citations of one $anyOf object (question anchor, alternatives'
 * sources) and the weakest level among its alternatives. */
static size_t check_open(json_object *obj, const char *doc, const char *file, const char *where,
                         int *weakest, diag_list *diags)
{
    size_t n = 0;
    json_object *q, *alts;
    char f[DIAG_FIELD_MAX];
    if (json_object_object_get_ex(obj, "question", &q) &&
        json_object_get_type(q) == json_type_string) {
        char cite[600];
        snprintf(cite, sizeof cite, BEHAVIOUR_CITE "%s", json_object_get_string(q));
        ecr_diag_field_key(f, sizeof f, where, "question");
        n += check_citation(cite, doc, file, f, diags);
    }
    if (!json_object_object_get_ex(obj, "$anyOf", &alts) ||
        json_object_get_type(alts) != json_type_array)
        return n;
    for (size_t i = 0; i < json_object_array_length(alts); i++) {
        json_object *alt = json_object_array_get_idx(alts, i), *v;
        char el[DIAG_FIELD_MAX];
        ecr_diag_field_key(f, sizeof f, where, "$anyOf");
        ecr_diag_field_index(el, sizeof el, f, i);
        if (json_object_get_type(alt) != json_type_object)
            continue;
        if (json_object_object_get_ex(alt, "level", &v) && level_index(v) > *weakest)
            *weakest = level_index(v);
        if (json_object_object_get_ex(alt, "sources", &v)) {
            char sf[DIAG_FIELD_MAX];
            ecr_diag_field_key(sf, sizeof sf, el, "sources");
            n += check_sources(v, doc, file, sf, diags);
        }
    }
    return n;
}

/* Every $anyOf inside j: citations, weakest alternative level, *open set. */
static size_t scan_open(json_object *j, const char *doc, const char *file, const char *where,
                        int *weakest, int *open, diag_list *diags)
{
    size_t n = 0;
    if (json_object_get_type(j) == json_type_array) {
        for (size_t i = 0; i < json_object_array_length(j); i++) {
            char el[DIAG_FIELD_MAX];
            ecr_diag_field_index(el, sizeof el, where, i);
            n += scan_open(json_object_array_get_idx(j, i), doc, file, el, weakest, open, diags);
        }
    } else if (json_object_get_type(j) == json_type_object) {
        if (json_object_object_get_ex(j, "$anyOf", NULL)) {
            *open = 1;
            n += check_open(j, doc, file, where, weakest, diags);
        }
        json_object_object_foreach (j, k, v) {
            char m[DIAG_FIELD_MAX];
            ecr_diag_field_key(m, sizeof m, where, k);
            n += scan_open(v, doc, file, m, weakest, open, diags);
        }
    }
    return n;
}

/* The exact-text rules of I/E goldens for one expected response. */
static size_t check_loose_texts(const golden *r, const char *file, const char *prefix,
                                golden_level level, diag_list *diags)
{
    size_t n = 0;
    const char *lv = ecrc_golden_level_name(level);
    int lit;
    char f[DIAG_FIELD_MAX];
    if (r->error_message && is_exact_text(r->error_message, &lit)) {
        char e[DIAG_FIELD_MAX];
        ecr_diag_field_key(e, sizeof e, prefix, "error");
        ecr_diag_field_key(f, sizeof f, e, "message");
        ecr_diag_add(diags, file, f, lit ? MSG_LITERAL_RE : MSG_EXACT, lv);
        n++;
    }
    if (r->body) {
        ecr_diag_field_key(f, sizeof f, prefix, "body");
        n += find_exact_reasons(r->body, file, f, lv, diags);
    }
    return n;
}

/* Top-level alternatives: {"question", "$anyOf": [{answer, level, sources,
 * status, body|error, headers?}, ...]}. */
static size_t load_alternatives(golden *g, json_object *root, const char *file, diag_list *diags)
{
    static const char *const allowed[] = {"answer", "level", "sources", "status",
                                          "body",   "error", "headers", NULL};
    size_t n = check_question(root, file, "", diags);
    json_object *q, *alts;
    if (!n && json_object_object_get_ex(root, "question", &q))
        g->question = xstrdup(json_object_get_string(q), &n);
    json_object_object_get_ex(root, "$anyOf", &alts);
    if (json_object_get_type(alts) != json_type_array || json_object_array_length(alts) < 2) {
        ecr_diag_add(diags, file, "$anyOf", "$anyOf takes an array of at least two alternatives");
        return n + 1;
    }
    size_t cnt = json_object_array_length(alts);
    g->alts = calloc(cnt, sizeof *g->alts);
    if (!g->alts)
        return n + 1;
    for (size_t i = 0; i < cnt; i++) {
        json_object *alt = json_object_array_get_idx(alts, i), *v;
        char el[DIAG_FIELD_MAX];
        ecr_diag_field_index(el, sizeof el, "$anyOf", i);
        if (json_object_get_type(alt) != json_type_object) {
            ecr_diag_add(
                diags, file, el,
                "must be an object {answer, level, sources, status, body|error, headers?}");
            n++;
            continue;
        }
        golden *a = &g->alts[g->nalts++];
        n += unknown_members(alt, allowed, file, el, diags);
        n += check_alt_common(alt, alts, i, file, el, diags);
        if (json_object_object_get_ex(alt, "answer", &v) &&
            json_object_get_type(v) == json_type_string)
            a->answer = xstrdup(json_object_get_string(v), &n);
        if (json_object_object_get_ex(alt, "level", &v) && level_index(v) >= 0)
            a->level = (golden_level)level_index(v);
        n += load_response(a, alt, file, el, g->status, diags);
        /* an alternative is one answer: no $anyOf inside it */
        json_object *inner = a->body ? a->body : a->error_message;
        if (inner) {
            diag_list tmp = {0};
            int weak = 0, open = 0;
            scan_open(inner, NULL, file, el, &weak, &open, &tmp);
            ecr_diag_free(&tmp);
            if (open) {
                ecr_diag_add(diags, file, el,
                             "nested $anyOf is refused: an alternative is one answer");
                n++;
            }
        }
    }
    return n;
}

golden *ecrc_golden_load(const char *path, diag_list *diags)
{
    json_object *root = ecr_json_read_file(path, GOLDEN_FILE_MAX, ECR_JSON_FILE, NULL, NULL, diags);
    return root ? ecrc_golden_from_json(path, root, diags) : NULL;
}

golden *ecrc_golden_from_json(const char *path, json_object *root, diag_list *diags)
{
    static const char *const allowed[] = {"provenance", "status",  "body",
                                          "error",      "headers", "skip_default_headers",
                                          "question",   "$anyOf",  NULL};
    if (json_object_get_type(root) != json_type_object) {
        ecr_diag_add(diags, path, "", "a golden must be a JSON object");
        json_object_put(root);
        return NULL;
    }
    golden *g = calloc(1, sizeof *g);
    size_t n = 0, before = diags->n;
    if (!g || !(g->path = strdup(path))) {
        ecr_diag_add(diags, path, "", "out of memory");
        json_object_put(root);
        ecrc_golden_free(g);
        return NULL;
    }
    n += unknown_members(root, allowed, path, "", diags);
    int level_ok;
    n += load_provenance(g, root, path, &level_ok, diags);

    json_object *v;
    if (json_object_object_get_ex(root, "$anyOf", NULL)) {
        static const char *const whole[] = {"body", "error", "headers"};
        /* A status beside $anyOf is a settled fact every alternative shares. */
        if (json_object_object_get_ex(root, "status", &v)) {
            if (json_object_get_type(v) != json_type_int || json_object_get_int64(v) < 100 ||
                json_object_get_int64(v) > 599) {
                ecr_diag_add(diags, path, "status", "must be an integer HTTP status (100..599)");
                n++;
            } else {
                g->status = (int)json_object_get_int64(v);
            }
        }
        for (size_t i = 0; i < sizeof whole / sizeof whole[0]; i++)
            if (json_object_object_get_ex(root, whole[i], NULL)) {
                ecr_diag_add(diags, path, whole[i],
                             "not allowed beside a top-level $anyOf: each alternative holds "
                             "its own response");
                n++;
            }
        n += load_alternatives(g, root, path, diags);
    } else {
        if (json_object_object_get_ex(root, "question", NULL)) {
            ecr_diag_add(diags, path, "question", "only allowed beside a top-level $anyOf");
            n++;
        }
        n += load_response(g, root, path, "", 0, diags);
    }
    if (json_object_object_get_ex(root, "skip_default_headers", &v)) {
        if (json_object_get_type(v) != json_type_string || !json_object_get_string_len(v)) {
            ecr_diag_add(diags, path, "skip_default_headers",
                         "must be a non-empty string: why this response may lack ECR's headers");
            n++;
        } else {
            g->skip_default_headers = xstrdup(json_object_get_string(v), &n);
        }
    }

    /* Citations, open questions and the level rule. */
    char *doc = behaviour_doc(path);
    json_object *prov;
    if (json_object_object_get_ex(root, "provenance", &prov) &&
        json_object_object_get_ex(prov, "sources", &v))
        n += check_sources(v, doc, path, "provenance.sources", diags);
    int weakest = -1, open = 0;
    json_object_object_foreach (root, rk, rv) {
        if (!strcmp(rk, "provenance"))
            continue;
        if (!strcmp(rk, "$anyOf")) {
            open = 1;
            n += check_open(root, doc, path, "", &weakest, diags);
            for (size_t i = 0;
                 json_object_get_type(rv) == json_type_array && i < json_object_array_length(rv);
                 i++) {
                json_object *alt = json_object_array_get_idx(rv, i), *inner;
                char el[DIAG_FIELD_MAX];
                ecr_diag_field_index(el, sizeof el, "$anyOf", i);
                if (json_object_get_type(alt) != json_type_object)
                    continue;
                if (json_object_object_get_ex(alt, "body", &inner))
                    n += scan_open(inner, doc, path, el, &weakest, &open, diags);
            }
            continue;
        }
        n += scan_open(rv, doc, path, rk, &weakest, &open, diags);
    }
    free(doc);
    g->open = open;
    if (level_ok && weakest >= 0 && (int)g->level < weakest) {
        ecr_diag_add(diags, path, "provenance.level",
                     "%s is stronger than the weakest alternative of its $anyOf (%s): a golden's "
                     "level is the weakest level among the facts it asserts",
                     ecrc_golden_level_name(g->level), LEVEL_NAMES[weakest]);
        n++;
    }

    if (level_ok && (g->level == LEVEL_I || g->level == LEVEL_E)) {
        n += check_loose_texts(g, path, "", g->level, diags);
        for (size_t i = 0; i < g->nalts; i++) {
            char el[DIAG_FIELD_MAX];
            ecr_diag_field_index(el, sizeof el, "$anyOf", i);
            n += check_loose_texts(&g->alts[i], path, el, g->level, diags);
        }
    }
    json_object_put(root);
    if (n) {
        if (diags->n == before) /* only allocations failed */
            ecr_diag_add(diags, path, "", "out of memory");
        ecrc_golden_free(g);
        return NULL;
    }
    return g;
}

static void golden_clear(golden *g)
{
    free(g->path);
    for (size_t i = 0; i < g->nsources; i++)
        free(g->sources[i]);
    free(g->sources);
    free(g->notes);
    json_object_put(g->body);
    free(g->error_type);
    json_object_put(g->error_message);
    json_object_put(g->error_members);
    json_object_put(g->headers);
    free(g->skip_default_headers);
    free(g->question);
    free(g->answer);
    for (size_t i = 0; i < g->nalts; i++)
        golden_clear(&g->alts[i]);
    free(g->alts);
}

void ecrc_golden_free(golden *g)
{
    if (!g)
        return;
    golden_clear(g);
    free(g);
}
