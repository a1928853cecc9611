#include "golden.h"

#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ecr/buf.h"
#include "ecr/json.h"

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
    regex_t rx;
    int rc = regcomp(&rx, pat, REG_EXTENDED | REG_NOSUB);
    free(pat);
    if (rc != 0) {
        char msg[160];
        regerror(rc, &rx, msg, sizeof msg);
        ecr_diag_add(diags, file, where, "$regex does not compile as a POSIX ERE: %s", msg);
        return 1;
    }
    regfree(&rx);
    return 0;
}

static size_t check(json_object *j, const char *file, const char *where, int member,
                    diag_list *diags);

/* Checks every element of array j, or every member of object j (where
 * $absent is allowed); other values have no children. */
static size_t check_children(json_object *j, const char *file, const char *where, diag_list *diags)
{
    size_t n = 0;
    if (json_object_get_type(j) == json_type_array) {
        for (size_t i = 0; i < json_object_array_length(j); i++) {
            char el[DIAG_FIELD_MAX];
            ecr_diag_field_index(el, sizeof el, where, i);
            n += check(json_object_array_get_idx(j, i), file, el, 0, diags);
        }
    } else if (json_object_get_type(j) == json_type_object) {
        json_object_object_foreach (j, k, v) {
            char m[DIAG_FIELD_MAX];
            ecr_diag_field_key(m, sizeof m, where, k);
            n += check(v, file, m, 1, diags);
        }
    }
    return n;
}

/* One matcher object {"$x": arg}; where names the object. */
static size_t check_matcher(const char *key, json_object *arg, const char *file, const char *where,
                            int member, diag_list *diags)
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
        return check_children(arg, file, sub, diags);
    }
    if (!strcmp(key, "$partial")) {
        if (t != json_type_object) {
            ecr_diag_add(diags, file, sub, "$partial takes an object");
            return 1;
        }
        return check_children(arg, file, sub, diags);
    }
    ecr_diag_add(diags, file, sub,
                 "unknown matcher %s (known: $any, $absent, $regex, $type, $set, $partial)", key);
    return 1;
}

/* member: j is the value of an object member (or a top-level value), where
 * $absent makes sense; array and $set elements are not. */
static size_t check(json_object *j, const char *file, const char *where, int member,
                    diag_list *diags)
{
    json_type t = json_object_get_type(j);
    if (t == json_type_array)
        return check_children(j, file, where, diags);
    if (t != json_type_object)
        return 0;

    size_t dollars = 0;
    json_object_object_foreach (j, key, val) {
        (void)val;
        if (key[0] == '$')
            dollars++;
    }
    if (dollars == 0)
        return check_children(j, file, where, diags);
    if (json_object_object_length(j) != 1) {
        ecr_diag_add(diags, file, where,
                     "a matcher object has exactly one member, the \"$\" key (found %d members)",
                     json_object_object_length(j));
        return 1;
    }
    json_object_object_foreach (j, mk, arg) {
        return check_matcher(mk, arg, file, where, member, diags);
    }
    return 0;
}

size_t ecrc_golden_check_matchers(json_object *j, const char *file, const char *where,
                                  diag_list *diags)
{
    return check(j, file, where ? where : "", 1, diags);
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

static size_t load_error(golden *g, json_object *err, const char *file, diag_list *diags)
{
    static const char *const allowed[] = {"type", "message", NULL};
    size_t n = 0;
    if (json_object_get_type(err) != json_type_object) {
        ecr_diag_add(diags, file, "error", "must be an object {\"type\", \"message\"}");
        return 1;
    }
    ecr_json_src src = {file, diags, 0};
    n += ecr_json_check_members(&src, err, "error", allowed);
    json_object *v;
    if (!json_object_object_get_ex(err, "type", &v)) {
        ecr_diag_add(diags, file, "error.type", "required member missing");
        n++;
    } else if (json_object_get_type(v) != json_type_string || !json_object_get_string_len(v)) {
        ecr_diag_add(diags, file, "error.type", "must be a non-empty string");
        n++;
    } else {
        g->error_type = xstrdup(json_object_get_string(v), &n);
    }
    if (json_object_object_get_ex(err, "message", &v)) {
        if (json_object_get_type(v) != json_type_string && !is_matcher_object(v)) {
            ecr_diag_add(diags, file, "error.message", "must be a string or a matcher");
            n++;
        } else {
            n += ecrc_golden_check_matchers(v, file, "error.message", diags);
            g->error_message = json_object_get(v);
        }
    }
    return n;
}

static size_t load_headers(golden *g, json_object *h, const char *file, diag_list *diags)
{
    if (json_object_get_type(h) != json_type_object) {
        ecr_diag_add(diags, file, "headers",
                     "must be an object of header name to string or matcher");
        return 1;
    }
    size_t n = 0;
    json_object_object_foreach (h, name, val) {
        char f[DIAG_FIELD_MAX];
        ecr_diag_field_key(f, sizeof f, "headers", name);
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

golden *ecrc_golden_load(const char *path, diag_list *diags)
{
    static const char *const allowed[] = {"provenance", "status", "body", "error", "headers", NULL};
    json_object *root = ecr_json_read_file(path, GOLDEN_FILE_MAX, ECR_JSON_FILE, NULL, NULL, diags);
    if (!root)
        return NULL;
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
    ecr_json_src src = {path, diags, 0};
    n += ecr_json_check_members(&src, root, "", allowed);
    int level_ok;
    n += load_provenance(g, root, path, &level_ok, diags);

    json_object *v;
    if (!json_object_object_get_ex(root, "status", &v)) {
        ecr_diag_add(diags, path, "status", "required member missing");
        n++;
    } else if (json_object_get_type(v) != json_type_int || json_object_get_int64(v) < 100 ||
               json_object_get_int64(v) > 599) {
        ecr_diag_add(diags, path, "status", "must be an integer HTTP status (100..599)");
        n++;
    } else {
        g->status = (int)json_object_get_int64(v);
    }

    json_object *body = NULL, *error = NULL;
    int has_body = json_object_object_get_ex(root, "body", &body);
    int has_error = json_object_object_get_ex(root, "error", &error);
    if (has_body == has_error) {
        ecr_diag_add(diags, path, "", "exactly one of \"body\" and \"error\" must be given");
        n++;
    }
    if (has_body) {
        if (!body) {
            ecr_diag_add(diags, path, "body", "must not be null");
            n++;
        } else {
            n += ecrc_golden_check_matchers(body, path, "body", diags);
            g->body = json_object_get(body);
        }
    }
    if (has_error)
        n += load_error(g, error, path, diags);
    if (json_object_object_get_ex(root, "headers", &v))
        n += load_headers(g, v, path, diags);

    if (level_ok && (g->level == LEVEL_I || g->level == LEVEL_E)) {
        const char *lv = ecrc_golden_level_name(g->level);
        int lit;
        if (g->error_message && is_exact_text(g->error_message, &lit)) {
            ecr_diag_add(diags, path, "error.message", lit ? MSG_LITERAL_RE : MSG_EXACT, lv);
            n++;
        }
        if (g->body)
            n += find_exact_reasons(g->body, path, "body", lv, diags);
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

void ecrc_golden_free(golden *g)
{
    if (!g)
        return;
    free(g->path);
    for (size_t i = 0; i < g->nsources; i++)
        free(g->sources[i]);
    free(g->sources);
    free(g->notes);
    json_object_put(g->body);
    free(g->error_type);
    json_object_put(g->error_message);
    json_object_put(g->headers);
    free(g);
}
