#include "instance.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ecr/buf.h"
#include "ecr/json.h"
#include "ecr/regex.h"
#include "ecr/util.h"

/* ---- $regex: a string the pattern matches --------------------------------- */

typedef struct gen {
    const char *p; /* the next pattern byte */
    char *err;
    size_t errsz;
    int failed;
} gen;

static void gen_fail(gen *g, const char *fmt, const char *what)
{
    if (!g->failed)
        snprintf(g->err, g->errsz, fmt, what);
    g->failed = 1;
}

static int put(gen *g, buf *out, const char *s, size_t n)
{
    if (out && ecr_buf_append(out, s, n) != ECR_OK) {
        gen_fail(g, "the instance would exceed %s bytes", "4096");
        return -1;
    }
    return 0;
}

/* Characters a negated class may pick, readable ones first. */
static const char pick_order[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 "
                                 "-_.:/,;=+!@#%&*()[]{}<>?'\"|~^$\\`";

static void set_class(unsigned char *set, int (*is)(int))
{
    for (int c = 1; c < 128; c++)
        if (is(c))
            set[c] = 1;
}

/* A POSIX class name at p ("[:alpha:]"): fills set and returns the bytes
 * used, or 0 when p is not one. */
static size_t posix_class(const char *p, unsigned char *set, int *first)
{
    static const struct {
        const char *name;
        int (*is)(int);
        int first;
    } classes[] = {{"alpha", isalpha, 'a'},   {"digit", isdigit, '0'}, {"alnum", isalnum, 'a'},
                   {"upper", isupper, 'A'},   {"lower", islower, 'a'}, {"space", isspace, ' '},
                   {"xdigit", isxdigit, '0'}, {"punct", ispunct, '-'}, {"print", isprint, 'a'},
                   {"graph", isgraph, 'a'},   {"word", isalnum, 'a'},  {"blank", isblank, ' '}};
    if (strncmp(p, "[:", 2))
        return 0;
    for (size_t i = 0; i < sizeof classes / sizeof classes[0]; i++) {
        size_t n = strlen(classes[i].name);
        if (!strncmp(p + 2, classes[i].name, n) && !strncmp(p + 2 + n, ":]", 2)) {
            set_class(set, classes[i].is);
            if (!strcmp(classes[i].name, "word"))
                set['_'] = 1;
            *first = classes[i].first;
            return n + 4;
        }
    }
    return 0;
}

/* An escape's meaning: a class (fills set, returns its first choice) or a
 * literal (returns it); -1 for assertions and references it does not model. */
static int escape(char c, unsigned char *set)
{
    switch (c) {
    case 'd':
        set_class(set, isdigit);
        return '0';
    case 'w':
        set_class(set, isalnum);
        set['_'] = 1;
        return 'a';
    case 's':
        set_class(set, isspace);
        return ' ';
    case 'n':
        return '\n';
    case 't':
        return '\t';
    case 'r':
        return '\r';
    default:
        if (isalnum((unsigned char)c))
            return -1; /* \b \B \A \z \1 \x \p ...: not modelled */
        return (unsigned char)c;
    }
}

/* A bracket expression after its '['; appends the chosen byte. */
static int gen_class(gen *g, buf *out)
{
    unsigned char set[256] = {0};
    int negated = 0, first = -1;
    if (*g->p == '^') {
        negated = 1;
        g->p++;
    }
    int start = 1;
    while (*g->p && (*g->p != ']' || start)) {
        start = 0;
        int lo, f2 = -1;
        size_t n = posix_class(g->p, set, &f2);
        if (n) {
            g->p += n;
            if (first < 0)
                first = f2;
            continue;
        }
        if (*g->p == '\\') {
            unsigned char esc[256] = {0};
            lo = escape(g->p[1], esc);
            if (lo < 0 || !g->p[1]) {
                gen_fail(g, "a bracket expression holds '\\%.1s', which replay does not model",
                         g->p + 1);
                return -1;
            }
            g->p += 2;
            for (int c = 0; c < 256; c++)
                set[c] |= esc[c];
        } else {
            lo = (unsigned char)*g->p++;
        }
        int hi = lo;
        if (g->p[0] == '-' && g->p[1] && g->p[1] != ']') {
            hi = (unsigned char)g->p[1];
            g->p += 2;
        }
        for (int c = lo; c <= hi; c++)
            set[c] = 1;
        if (first < 0)
            first = lo;
    }
    if (*g->p != ']') {
        gen_fail(g, "%s", "an unterminated bracket expression");
        return -1;
    }
    g->p++;
    char pick = 0;
    if (!negated) {
        pick = (char)first;
    } else {
        for (const char *c = pick_order; *c; c++)
            if (!set[(unsigned char)*c]) {
                pick = *c;
                break;
            }
    }
    if (!pick) {
        gen_fail(g, "%s", "a bracket expression that allows no printable character");
        return -1;
    }
    return put(g, out, &pick, 1);
}

static int gen_alt(gen *g, buf *out, int depth);

/* A quantifier after an atom: the least count it allows (1 when there is
 * none); the pattern is advanced past it, and past a lazy '?' or
 * possessive '+'. */
static long quantifier(gen *g)
{
    long n = 1;
    if (*g->p == '*' || *g->p == '?') {
        n = 0;
        g->p++;
    } else if (*g->p == '+') {
        g->p++;
    } else if (*g->p == '{' && isdigit((unsigned char)g->p[1])) {
        const char *q = g->p + 1;
        char *end;
        long m = strtol(q, &end, 10);
        if (*end == ',') {
            end++;
            while (isdigit((unsigned char)*end))
                end++;
        }
        if (*end != '}')
            return 1; /* not a quantifier: '{' is then a literal, read as the next atom */
        n = m;
        g->p = end + 1;
    } else {
        return 1;
    }
    if (*g->p == '?' || *g->p == '+')
        g->p++;
    return n;
}

/* One atom and its quantifier. */
static int gen_piece(gen *g, buf *out, int depth)
{
    buf atom;
    ecr_buf_init(&atom, INSTANCE_REGEX_MAX);
    int rc = 0;
    char c = *g->p;
    if (c == '(') {
        g->p++;
        if (g->p[0] == '?' && g->p[1] == ':')
            g->p += 2;
        else if (g->p[0] == '?') {
            gen_fail(g,
                     "the group '(?%.1s' (lookaround or inline flags), which replay does not model",
                     g->p + 1);
            rc = -1;
        }
        if (!rc)
            rc = gen_alt(g, &atom, depth + 1);
        if (!rc && *g->p != ')') {
            gen_fail(g, "%s", "an unterminated group");
            rc = -1;
        }
        if (!rc)
            g->p++;
    } else if (c == '[') {
        g->p++;
        rc = gen_class(g, &atom);
    } else if (c == '.') {
        g->p++;
        rc = put(g, &atom, "x", 1);
    } else if (c == '^' || c == '$') {
        g->p++; /* anchors: nothing to produce; a misplaced one fails the final check */
    } else if (c == '\\') {
        unsigned char set[256] = {0};
        int lit = g->p[1] ? escape(g->p[1], set) : -1;
        if (lit < 0) {
            gen_fail(g, "'\\%.1s' (an assertion, reference or code), which replay does not model",
                     g->p + 1);
            rc = -1;
        } else {
            char ch = (char)lit;
            g->p += 2;
            rc = put(g, &atom, &ch, 1);
        }
    } else if (c == '*' || c == '+' || c == '?') {
        gen_fail(g, "'%.1s' with nothing to repeat", g->p);
        rc = -1;
    } else {
        g->p++;
        rc = put(g, &atom, &c, 1);
    }
    if (!rc) {
        long n = quantifier(g);
        for (long i = 0; i < n && !rc; i++)
            rc = put(g, out, atom.data ? atom.data : "", atom.len);
    }
    ecr_buf_free(&atom);
    return rc;
}

/* Alternatives up to ')' or the end: the first one is produced, the others
 * are read (to find the group's end) without output. */
static int gen_alt(gen *g, buf *out, int depth)
{
    if (depth > ECR_REGEX_MAX_NESTING) {
        gen_fail(g, "%s", "groups nested too deep");
        return -1;
    }
    int first = 1;
    for (;;) {
        while (*g->p && *g->p != '|' && *g->p != ')')
            if (gen_piece(g, first ? out : NULL, depth))
                return -1;
        if (*g->p != '|')
            return 0;
        g->p++;
        first = 0;
    }
}

char *ecrc_regex_instance(const char *pattern, char *err, size_t errsz)
{
    char cerr[256];
    ecr_regex *rx = ecr_regex_compile(pattern, cerr, sizeof cerr);
    if (!rx) {
        snprintf(err, errsz, "%s", cerr);
        return NULL;
    }
    gen g = {pattern, err, errsz, 0};
    buf out;
    ecr_buf_init(&out, INSTANCE_REGEX_MAX);
    int rc = gen_alt(&g, &out, 0);
    if (!rc && *g.p) {
        gen_fail(&g, "%s", "an unmatched ')'");
        rc = -1;
    }
    char *s = NULL;
    if (!rc) {
        s = ecr_strndup(out.data ? out.data : "", out.len);
        int m = s ? ecr_regex_match(rx, s, out.len, cerr, sizeof cerr) : -1;
        if (m != 1) {
            if (!s)
                snprintf(err, errsz, "out of memory");
            else if (m == 0)
                snprintf(err, errsz, "the string made from it, \"%.200s\", does not match it", s);
            else
                snprintf(err, errsz, "%s", cerr);
            free(s);
            s = NULL;
        }
    }
    ecr_buf_free(&out);
    ecr_regex_free(rx);
    return s;
}

/* ---- a golden value's canonical instance ---------------------------------- */

static json_object *inst(json_object *e, answer_list *chosen, buf *path, char *err, size_t errsz);
static json_object *inst_members(json_object *e, answer_list *chosen, buf *path, char *err,
                                 size_t errsz);

static int failed(const char *err)
{
    return err[0] != '\0';
}

static void path_err(buf *path, char *err, size_t errsz, const char *msg)
{
    if (!failed(err))
        snprintf(err, errsz, "%s: %s", path->data ? path->data : "", msg);
}

/* The alternative of an $anyOf object to answer: the answer fixed for its
 * question when listed, else the first (which is then fixed). */
static json_object *choose(json_object *e, answer_list *chosen, const char *const *names, size_t n)
{
    json_object *q = NULL, *alts = NULL;
    json_object_object_get_ex(e, "question", &q);
    json_object_object_get_ex(e, "$anyOf", &alts);
    const char *question = q ? json_object_get_string(q) : NULL;
    const char *fixed = chosen && question ? ecrc_answers_get(chosen, question) : NULL;
    size_t pick = 0;
    for (size_t i = 0; fixed && i < n; i++)
        if (names[i] && !strcmp(names[i], fixed)) {
            pick = i;
            break;
        }
    if (chosen && question && !fixed && n && names[0])
        ecrc_answers_set(chosen, question, names[0], 1);
    return json_object_array_get_idx(alts, pick);
}

static json_object *any_of(json_object *e, answer_list *chosen, buf *path, char *err, size_t errsz)
{
    json_object *alts = NULL;
    json_object_object_get_ex(e, "$anyOf", &alts);
    size_t n = json_object_get_type(alts) == json_type_array ? json_object_array_length(alts) : 0;
    const char *names[64];
    if (n == 0 || n > 64) {
        path_err(path, err, errsz, "an $anyOf without 1..64 alternatives");
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        json_object *a = NULL;
        json_object_object_get_ex(json_object_array_get_idx(alts, i), "answer", &a);
        names[i] = a ? json_object_get_string(a) : NULL;
    }
    json_object *alt = choose(e, chosen, names, n), *val = NULL;
    json_object_object_get_ex(alt, "value", &val);
    return inst(val, chosen, path, err, errsz);
}

static json_object *zero_of(const char *type)
{
    if (!strcmp(type, "string"))
        return json_object_new_string("");
    if (!strcmp(type, "number"))
        return json_object_new_int(0);
    if (!strcmp(type, "boolean"))
        return json_object_new_boolean(0);
    if (!strcmp(type, "object"))
        return json_object_new_object();
    if (!strcmp(type, "array"))
        return json_object_new_array();
    return NULL;
}

static json_object *matcher(json_object *e, const char *key, json_object *arg, answer_list *chosen,
                            buf *path, char *err, size_t errsz, int *handled)
{
    *handled = 1;
    if (!strcmp(key, "$regex")) {
        char rerr[320];
        char *s = ecrc_regex_instance(json_object_get_string(arg), rerr, sizeof rerr);
        if (!s) {
            char msg[600];
            snprintf(msg, sizeof msg, "$regex \"%.200s\" cannot be instantiated: %s",
                     json_object_get_string(arg), rerr);
            path_err(path, err, errsz, msg);
            return NULL;
        }
        json_object *o = json_object_new_string(s);
        free(s);
        return o;
    }
    if (!strcmp(key, "$set"))
        return inst(arg, chosen, path, err, errsz);
    if (!strcmp(key, "$partial")) /* its keys are member names, "$set" included */
        return inst_members(arg, chosen, path, err, errsz);
    if (!strcmp(key, "$any"))
        return json_object_new_string("ecrconform-replay");
    if (!strcmp(key, "$type"))
        return zero_of(json_object_get_string(arg));
    if (!strcmp(key, "$anyOf") || !strcmp(key, "question"))
        return any_of(e, chosen, path, err, errsz);
    *handled = 0;
    return NULL;
}

/* An object whose keys are member names (never matchers): each value's
 * instance, $absent members left out. */
static json_object *inst_members(json_object *e, answer_list *chosen, buf *path, char *err,
                                 size_t errsz)
{
    json_object *out = json_object_new_object();
    if (!out) {
        path_err(path, err, errsz, "out of memory");
        return NULL;
    }
    json_object_object_foreach (e, k, v) {
        json_object *absent = NULL;
        if (json_object_get_type(v) == json_type_object &&
            json_object_object_get_ex(v, "$absent", &absent))
            continue;
        size_t mark = path->len;
        ecr_buf_puts(path, ".");
        ecr_buf_puts(path, k);
        json_object *o = inst(v, chosen, path, err, errsz);
        path->len = mark;
        if (path->data)
            path->data[mark] = '\0';
        if (failed(err)) {
            json_object_put(o);
            json_object_put(out);
            return NULL;
        }
        json_object_object_add(out, k, o);
    }
    return out;
}

static json_object *inst_object(json_object *e, answer_list *chosen, buf *path, char *err,
                                size_t errsz)
{
    if (json_object_object_length(e) >= 1) {
        json_object_object_foreach (e, k0, v0) {
            if (k0[0] == '$' || !strcmp(k0, "question")) {
                int handled = 0;
                json_object *o = matcher(e, k0, v0, chosen, path, err, errsz, &handled);
                if (handled)
                    return o;
            }
            break;
        }
    }
    return inst_members(e, chosen, path, err, errsz);
}

static json_object *inst(json_object *e, answer_list *chosen, buf *path, char *err, size_t errsz)
{
    switch (json_object_get_type(e)) {
    case json_type_object:
        return inst_object(e, chosen, path, err, errsz);
    case json_type_array: {
        json_object *out = json_object_new_array();
        if (!out) {
            path_err(path, err, errsz, "out of memory");
            return NULL;
        }
        size_t n = json_object_array_length(e);
        for (size_t i = 0; i < n; i++) {
            size_t mark = path->len;
            char idx[32];
            snprintf(idx, sizeof idx, "[%zu]", i);
            ecr_buf_puts(path, idx);
            json_object *o = inst(json_object_array_get_idx(e, i), chosen, path, err, errsz);
            path->len = mark;
            if (path->data)
                path->data[mark] = '\0';
            if (failed(err)) {
                json_object_put(o);
                json_object_put(out);
                return NULL;
            }
            json_object_array_add(out, o);
        }
        return out;
    }
    case json_type_null:
        return NULL;
    default:
        /* scalars are immutable in use: share the reference */
        return json_object_get(e);
    }
}

json_object *ecrc_instance_json(json_object *expected, answer_list *chosen, const char *where,
                                char *err, size_t errsz)
{
    err[0] = '\0';
    buf path;
    ecr_buf_init(&path, 65536);
    ecr_buf_puts(&path, where ? where : "");
    json_object *o = inst(expected, chosen, &path, err, errsz);
    ecr_buf_free(&path);
    if (failed(err)) {
        json_object_put(o);
        return NULL;
    }
    return o;
}

/* ---- a whole response ------------------------------------------------------ */

/* Expands j with v; NULL with err set on an unknown variable. */
static json_object *expand(const vars *v, json_object *j, const char *field, char *err,
                           size_t errsz, int *bad)
{
    ecr_result rc = ECR_OK;
    char name[128] = "";
    json_object *o = ecrc_vars_expand_json(v, j, &rc, name, sizeof name);
    if (rc) {
        snprintf(err, errsz, "%s: %s", field,
                 rc == ECR_ENOMEM ? "out of memory" : "an unknown variable");
        if (rc != ECR_ENOMEM && name[0])
            snprintf(err + strlen(err), errsz - strlen(err), " ${%.100s}", name);
        *bad = 1;
    }
    return o;
}

/* The instance of one golden (or one top-level alternative) value. */
static json_object *value_of(const vars *v, json_object *j, answer_list *chosen, const char *field,
                             char *err, size_t errsz, int *bad)
{
    json_object *x = expand(v, j, field, err, errsz, bad);
    if (*bad)
        return NULL;
    json_object *o = ecrc_instance_json(x, chosen, field, err, errsz);
    json_object_put(x);
    if (err[0])
        *bad = 1;
    return o;
}

static ecr_result error_body(const golden *g, const vars *v, answer_list *chosen, json_object **out,
                             char *err, size_t errsz)
{
    int bad = 0, want_msg = 1;
    json_object *body = json_object_new_object();
    if (!body)
        return ECR_ENOMEM;
    if (g->error_members) {
        want_msg = 0;
        for (size_t i = 0; i < json_object_array_length(g->error_members); i++) {
            const char *m = json_object_get_string(json_object_array_get_idx(g->error_members, i));
            if (m && !strcmp(m, "message"))
                want_msg = 1;
            else if (m && strcmp(m, "__type"))
                json_object_object_add(body, m, json_object_new_string(""));
        }
    }
    json_object_object_add(body, "__type", json_object_new_string(g->error_type));
    if (want_msg) {
        json_object *msg = NULL;
        if (g->error_message)
            msg = value_of(v, g->error_message, chosen, "error.message", err, errsz, &bad);
        else {
            char text[256];
            snprintf(text, sizeof text, "ecrconform replay: %.200s", g->error_type);
            msg = json_object_new_string(text);
        }
        if (bad) {
            json_object_put(body);
            return ECR_EINVAL;
        }
        json_object_object_add(body, "message", msg);
    }
    *out = body;
    return ECR_OK;
}

/* One plain golden (or alternative) into out; status is the golden's own or
 * the shared one. */
static ecr_result plain_reply(const golden *g, int status, const vars *v, answer_list *chosen,
                              ecr_http_reply *out, char *err, size_t errsz)
{
    int bad = 0;
    json_object *body = NULL;
    ecr_result rc = ECR_OK;
    if (g->error_type)
        rc = error_body(g, v, chosen, &body, err, errsz);
    else if (g->body)
        body = value_of(v, g->body, chosen, "body", err, errsz, &bad);
    if (rc || bad)
        return rc ? rc : ECR_EINVAL;
    out->status = status;
    if (body) {
        char *text = ecr_json_to_string(body, ECR_JSON_COMPACT);
        json_object_put(body);
        if (!text)
            return ECR_ENOMEM;
        out->body = text;
    }
    if (g->headers) {
        json_object_object_foreach (g->headers, name, val) {
            if (!strcasecmp(name, "x-amzn-RequestId"))
                continue;
            char field[300];
            snprintf(field, sizeof field, "headers.%.200s", name);
            json_object *h = value_of(v, val, chosen, field, err, errsz, &bad);
            if (bad)
                return ECR_EINVAL;
            if (json_object_get_type(h) != json_type_string) {
                json_object_put(h);
                snprintf(err, errsz, "%s: the instance is not a string", field);
                return ECR_EINVAL;
            }
            rc = ecr_http_reply_header(out, name, json_object_get_string(h));
            json_object_put(h);
            if (rc)
                return rc;
        }
    }
    return ECR_OK;
}

ecr_result ecrc_instance_reply(const golden *g, const vars *v, answer_list *chosen,
                               ecr_http_reply *out, char *err, size_t errsz)
{
    err[0] = '\0';
    ecr_http_reply_init(out);
    ecr_result rc;
    if (g->nalts) {
        const char *names[64];
        size_t n = g->nalts < 64 ? g->nalts : 64;
        for (size_t i = 0; i < n; i++)
            names[i] = g->alts[i].answer;
        size_t pick = 0;
        const char *fixed = chosen && g->question ? ecrc_answers_get(chosen, g->question) : NULL;
        for (size_t i = 0; fixed && i < n; i++)
            if (names[i] && !strcmp(names[i], fixed)) {
                pick = i;
                break;
            }
        if (chosen && g->question && !fixed && names[0])
            ecrc_answers_set(chosen, g->question, names[0], 1);
        const golden *a = &g->alts[pick];
        rc = plain_reply(a, a->status ? a->status : g->status, v, chosen, out, err, errsz);
    } else {
        rc = plain_reply(g, g->status, v, chosen, out, err, errsz);
    }
    if (rc) {
        if (!err[0])
            snprintf(err, errsz, "%s", ecr_strerror(rc));
        ecr_http_reply_free(out);
    }
    return rc;
}
