#include "ecr/json.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ecr/buf.h"
#include "ecr/util.h"

/* ---- positions ---------------------------------------------------------- */

/* 1-based line and byte column of offset off in text. */
static void line_col(const char *text, size_t off, size_t *line, size_t *col)
{
    *line = 1;
    size_t start = 0;
    for (size_t i = 0; i < off; i++)
        if (text[i] == '\n') {
            (*line)++;
            start = i + 1;
        }
    *col = off - start + 1;
}

static void syntax_error(diag_list *diags, const char *file, const char *text, size_t len,
                         size_t off, const char *fmt, ...) __attribute__((format(printf, 6, 7)));

static void syntax_error(diag_list *diags, const char *file, const char *text, size_t len,
                         size_t off, const char *fmt, ...)
{
    if (!diags)
        return;
    char msg[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    size_t line, col;
    line_col(text, off <= len ? off : len, &line, &col);
    ecr_diag_add(diags, file, "", "invalid JSON at line %zu, column %zu: %s", line, col, msg);
}

static int is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static void set_tokener_flags(json_tokener *tok, unsigned flags)
{
    if (flags & ECR_JSON_STRICT)
        json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
    else if (flags & ECR_JSON_SYNTAX)
        json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
}

/* The value text[0..off) holds when it alone is one complete value (strict
 * json-c stops at the first byte after a value with "unexpected
 * character"), else NULL. A new reference. */
static json_object *value_before(const char *text, size_t off, unsigned flags)
{
    json_tokener *tok = off ? json_tokener_new() : NULL;
    if (!tok)
        return NULL;
    set_tokener_flags(tok, flags);
    json_object *j = json_tokener_parse_ex(tok, text, (int)off);
    if (json_tokener_get_error(tok) == json_tokener_continue)
        j = json_tokener_parse_ex(tok, "", 1);
    if (json_tokener_get_error(tok) != json_tokener_success) {
        json_object_put(j);
        j = NULL;
    }
    json_tokener_free(tok);
    return j;
}

static int complete_before(const char *text, size_t off, unsigned flags)
{
    json_object *j = value_before(text, off, flags);
    json_object_put(j);
    return j != NULL;
}

/* json-c says "unexpected character" for all of these: name the mistakes
 * people actually make in hand-edited files. */
static const char *explain(const char *text, size_t len, size_t off, unsigned flags,
                           const char *desc)
{
    if (off < len && text[off] == '/')
        return "a comment (JSON has none)";
    if (off < len && text[off] == '\'')
        return "a single-quoted string (JSON has \"...\")";
    if (off < len && (text[off] == '}' || text[off] == ']')) {
        size_t i = off;
        while (i > 0 && is_ws(text[i - 1]))
            i--;
        if (i > 0 && text[i - 1] == ',')
            return "a trailing comma";
    }
    if (off < len && complete_before(text, off, flags))
        return "unexpected bytes after the value";
    return desc;
}

/* ---- our scan (ECR_JSON_CHECKED) ---------------------------------------- */

/* One key as written: the bytes between its quotes. */
typedef struct key_ref {
    const char *raw;
    size_t len, off; /* off: of the opening quote */
    int escaped;
    char *decoded; /* set while checking one object */
} key_ref;

typedef struct frame {
    int object, expect_key;
    key_ref *keys;
    size_t n, cap;
} frame;

/* json-c's default nesting limit is 32: deeper text never reaches the scan. */
#define SCAN_DEPTH_MAX 64

typedef struct scan {
    const char *text;
    size_t len;
    const char *file;
    diag_list *diags;
    int failed;
    int full; /* ECR_JSON_CHECKED: also duplicate keys, \u0000, 64-bit range */
} scan;

static int key_cmp(const void *a, const void *b)
{
    const key_ref *x = *(const key_ref *const *)a, *y = *(const key_ref *const *)b;
    int c = strcmp(x->decoded, y->decoded);
    return c ? c : (x->off < y->off ? -1 : x->off > y->off);
}

/* The key's text once its escapes are undone, by json-c (the key was already
 * accepted by it and holds no \u0000). */
static char *decode_key(const key_ref *k)
{
    if (!k->escaped)
        return strndup(k->raw, k->len);
    json_tokener *tok = json_tokener_new();
    if (!tok)
        return NULL;
    json_object *s = json_tokener_parse_ex(tok, k->raw - 1, (int)k->len + 2);
    json_tokener_free(tok);
    char *out = json_object_is_type(s, json_type_string) ? strdup(json_object_get_string(s)) : NULL;
    json_object_put(s);
    return out;
}

/* Reports the first duplicate key of the object f (in document order of the
 * second occurrence). json-c keeps the last value silently. */
static void check_duplicates(scan *S, frame *f)
{
    if (f->n < 2)
        return;
    key_ref **v = calloc(f->n, sizeof *v);
    int oom = !v;
    for (size_t i = 0; !oom && i < f->n; i++) {
        v[i] = &f->keys[i];
        oom = !(v[i]->decoded = decode_key(v[i]));
    }
    if (oom) {
        syntax_error(S->diags, S->file, S->text, S->len, f->keys[0].off, "out of memory");
        S->failed = 1;
    } else {
        qsort(v, f->n, sizeof *v, key_cmp);
        const key_ref *dup = NULL, *first = NULL;
        for (size_t i = 1; i < f->n; i++)
            if (!strcmp(v[i]->decoded, v[i - 1]->decoded) &&
                (i < 2 || strcmp(v[i - 1]->decoded, v[i - 2]->decoded)) &&
                (!dup || v[i]->off < dup->off)) {
                dup = v[i];
                first = v[i - 1];
            }
        if (dup) {
            size_t line, col;
            line_col(S->text, first->off, &line, &col);
            syntax_error(S->diags, S->file, S->text, S->len, dup->off,
                         "duplicate key \"%s\" (first at line %zu, column %zu)", dup->decoded, line,
                         col);
            S->failed = 1;
        }
    }
    for (size_t i = 0; i < f->n; i++) {
        free(f->keys[i].decoded);
        f->keys[i].decoded = NULL;
    }
    free(v);
}

/* Scans the string whose opening quote is at *i; leaves *i on the closing
 * quote. Reports \u0000 and raw control characters. */
static void scan_string(scan *S, size_t *i, int *escaped)
{
    const char *t = S->text;
    *escaped = 0;
    for (size_t j = *i + 1; j < S->len; j++) {
        unsigned char c = (unsigned char)t[j];
        if (c == '"') {
            *i = j;
            return;
        }
        if (c < 0x20) {
            syntax_error(S->diags, S->file, t, S->len, j,
                         "a raw control character (0x%02x) in a string; escape it", c);
            S->failed = 1;
            return;
        }
        if (c == '\\' && j + 1 < S->len) {
            *escaped = 1;
            if (S->full && t[j + 1] == 'u' && j + 5 < S->len && !memcmp(t + j + 2, "0000", 4)) {
                syntax_error(S->diags, S->file, t, S->len, j,
                             "\\u0000 in a string (NUL is refused)");
                S->failed = 1;
                return;
            }
            j++;
        }
    }
    *i = S->len;
}

/* Checks the number whose first character is at *i (leaves *i on its last
 * character). json-c saturates an integer beyond int64/uint64 silently (1
 * and 400 zeros becomes 18446744073709551615), which would rewrite it on the
 * wire and in diffs: such an integer is refused. Fractions and exponents are
 * doubles, which json-c keeps with their original text. */
static void scan_number(scan *S, size_t *i)
{
    const char *t = S->text;
    size_t j = *i + (t[*i] == '-');
    while (j < S->len && t[j] >= '0' && t[j] <= '9')
        j++;
    size_t end = j;
    int is_double = j < S->len && (t[j] == '.' || t[j] == 'e' || t[j] == 'E');
    while (j < S->len && strchr("0123456789.eE+-", t[j]))
        j++;
    size_t start = *i;
    *i = j - 1;
    if (is_double || end - start < 19)
        return;
    char num[32];
    int fits = end - start < sizeof num;
    if (fits) {
        memcpy(num, t + start, end - start);
        num[end - start] = '\0';
        errno = 0;
        if (num[0] == '-')
            (void)strtoll(num, NULL, 10);
        else
            (void)strtoull(num, NULL, 10);
        fits = errno != ERANGE;
    }
    if (!fits) {
        syntax_error(S->diags, S->file, t, S->len, start,
                     "an integer outside the 64-bit range (it would be rewritten; write it as "
                     "a string or a double)");
        S->failed = 1;
    }
}

/* Walks text that json-c accepted and refuses what json-c lets through.
 * Returns 0 when clean. */
static int scan_text(const char *text, size_t len, int full, const char *file, diag_list *diags)
{
    scan S = {text, len, file, diags, 0, full};
    frame st[SCAN_DEPTH_MAX];
    size_t depth = 0;
    for (size_t i = 0; i < len && !S.failed; i++) {
        char c = text[i];
        frame *top = depth ? &st[depth - 1] : NULL;
        switch (c) {
        case '"': {
            size_t start = i;
            int escaped;
            scan_string(&S, &i, &escaped);
            if (!S.failed && S.full && top && top->object && top->expect_key) {
                if (top->n == top->cap) {
                    size_t cap = top->cap ? top->cap * 2 : 8;
                    key_ref *p = realloc(top->keys, cap * sizeof *p);
                    if (!p) {
                        syntax_error(diags, file, text, len, start, "out of memory");
                        S.failed = 1;
                        break;
                    }
                    top->keys = p;
                    top->cap = cap;
                }
                top->keys[top->n++] =
                    (key_ref){text + start + 1, i - start - 1, start, escaped, NULL};
                top->expect_key = 0;
            }
            break;
        }
        case '{':
        case '[':
            if (depth == SCAN_DEPTH_MAX) {
                syntax_error(diags, file, text, len, i, "nested too deeply");
                S.failed = 1;
                break;
            }
            st[depth++] = (frame){c == '{', c == '{', NULL, 0, 0};
            break;
        case '}':
        case ']':
            if (!top)
                break;
            if (top->object && S.full)
                check_duplicates(&S, top);
            free(top->keys);
            depth--;
            break;
        case ',':
            if (top && top->object)
                top->expect_key = 1;
            break;
        case '\'':
            syntax_error(diags, file, text, len, i, "a single-quoted string (JSON has \"...\")");
            S.failed = 1;
            break;
        case 'N':
        case 'I':
            syntax_error(diags, file, text, len, i, "NaN and Infinity are not JSON numbers");
            S.failed = 1;
            break;
        case '-':
        case '0':
        case '1':
        case '2':
        case '3':
        case '4':
        case '5':
        case '6':
        case '7':
        case '8':
        case '9':
            if (S.full)
                scan_number(&S, &i);
            break;
        case '\0':
            syntax_error(diags, file, text, len, i, "a NUL byte");
            S.failed = 1;
            break;
        default:
            break;
        }
    }
    while (depth)
        free(st[--depth].keys);
    return S.failed;
}

/* ---- parsing ------------------------------------------------------------ */

json_object *ecr_json_parse(const char *text, size_t len, unsigned flags, size_t *rest,
                            const char *file, diag_list *diags)
{
    if (!file)
        file = "";
    if (len > (size_t)INT32_MAX - 1) {
        if (diags)
            ecr_diag_add(diags, file, "", "text too large to parse (%zu bytes)", len);
        return NULL;
    }
    size_t first = 0;
    while (first < len && is_ws(text[first]))
        first++;
    if (first == len) {
        if (diags)
            ecr_diag_add(diags, file, "", "invalid JSON: there is no value, only whitespace");
        return NULL;
    }
    json_tokener *tok = json_tokener_new();
    if (!tok) {
        if (diags)
            ecr_diag_add(diags, file, "", "out of memory");
        return NULL;
    }
    set_tokener_flags(tok, flags);
    json_object *j = json_tokener_parse_ex(tok, text, (int)len);
    enum json_tokener_error e = json_tokener_get_error(tok);
    size_t end = json_tokener_get_parse_end(tok);
    if (e == json_tokener_continue) {
        /* A bare number at the very end needs a terminator to be complete;
         * anything else still open is reported at the end of the text. */
        j = json_tokener_parse_ex(tok, "", 1);
        e = json_tokener_get_error(tok);
        end = len;
    }
    json_tokener_free(tok);
    if (e != json_tokener_success && rest && end < len) {
        /* Strict json-c refuses anything after the value; a caller that
         * takes trailing bytes gets the value and where they start. */
        j = value_before(text, end, flags);
        if (j)
            e = json_tokener_success;
    }
    if (e != json_tokener_success) {
        syntax_error(diags, file, text, len, end, "%s",
                     explain(text, len, end, flags, json_tokener_error_desc(e)));
        json_object_put(j);
        return NULL;
    }
    if (!j) {
        if (diags)
            ecr_diag_add(diags, file, "", "the document is null, not a JSON value we can use");
        return NULL;
    }
    /* json-c stops at a NUL byte, strict or not, and in its lenient mode at
     * the end of the value. */
    size_t after = end;
    while (after < len && is_ws(text[after]))
        after++;
    if (after < len && !rest) {
        syntax_error(diags, file, text, len, after, "%s",
                     text[after] ? "unexpected bytes after the value" : "a NUL byte");
        json_object_put(j);
        return NULL;
    }
    if (rest)
        *rest = after;
    if ((flags & (ECR_JSON_CHECKED | ECR_JSON_SYNTAX)) &&
        scan_text(text, end, (flags & ECR_JSON_CHECKED) != 0, file, diags)) {
        json_object_put(j);
        return NULL;
    }
    return j;
}

json_object *ecr_json_read_file(const char *path, size_t maxsize, unsigned flags, char **text,
                                size_t *len, diag_list *diags)
{
    if (text)
        *text = NULL;
    if (len)
        *len = 0;
    char *data, why[160];
    size_t n;
    if (ecr_read_file(path, maxsize, &data, &n, why, sizeof why) != ECR_OK) {
        ecr_diag_add(diags, path, "", "%s", why);
        return NULL;
    }
    if (n == 0) {
        free(data);
        ecr_diag_add(diags, path, "", "invalid JSON: the file is empty");
        return NULL;
    }
    json_object *j = ecr_json_parse(data, n, flags, NULL, path, diags);
    if (j && text) {
        *text = data;
        if (len)
            *len = n;
    } else {
        free(data);
    }
    return j;
}

/* ---- typed getters ------------------------------------------------------ */

void ecr_json_error(ecr_json_src *src, const char *field, const char *fmt, ...)
{
    if (!src)
        return;
    char msg[900];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    ecr_diag_add(src->diags, src->file, field ? field : "", "%s", msg);
    src->errors++;
}

static const char *type_message(json_type t)
{
    switch (t) {
    case json_type_string:
        return "must be a string";
    case json_type_int:
        return "must be an integer";
    case json_type_double:
        return "must be a number";
    case json_type_boolean:
        return "must be true or false";
    case json_type_object:
        return "must be an object";
    case json_type_array:
        return "must be an array";
    default:
        return "must not be null";
    }
}

/* The member without type check; 0 when absent (reported when required). */
static int lookup(ecr_json_src *src, json_object *obj, const char *field, const char *key,
                  unsigned opts, json_object **v)
{
    *v = NULL;
    if (!json_object_is_type(obj, json_type_object) || !json_object_object_get_ex(obj, key, v)) {
        if (opts & ECR_JSON_REQUIRED)
            ecr_json_error(src, field, "required member missing");
        return 0;
    }
    return 1;
}

json_object *ecr_json_member(ecr_json_src *src, json_object *obj, const char *where,
                             const char *key, json_type t, unsigned opts)
{
    char f[DIAG_FIELD_MAX];
    ecr_diag_field_key(f, sizeof f, where, key);
    json_object *v;
    if (!lookup(src, obj, f, key, opts, &v))
        return NULL;
    if (!json_object_is_type(v, t)) {
        ecr_json_error(src, f, "%s", type_message(t));
        return NULL;
    }
    if (opts & ECR_JSON_NONEMPTY) {
        size_t n = t == json_type_string   ? (size_t)json_object_get_string_len(v)
                   : t == json_type_array  ? json_object_array_length(v)
                   : t == json_type_object ? (size_t)json_object_object_length(v)
                                           : 1;
        if (n == 0) {
            ecr_json_error(src, f, "must not be empty");
            return NULL;
        }
    }
    return v;
}

const char *ecr_json_get_string(ecr_json_src *src, json_object *obj, const char *where,
                                const char *key, unsigned opts)
{
    json_object *v = ecr_json_member(src, obj, where, key, json_type_string, opts);
    return v ? json_object_get_string(v) : NULL;
}

json_object *ecr_json_get_object(ecr_json_src *src, json_object *obj, const char *where,
                                 const char *key, unsigned opts)
{
    return ecr_json_member(src, obj, where, key, json_type_object, opts);
}

json_object *ecr_json_get_array(ecr_json_src *src, json_object *obj, const char *where,
                                const char *key, unsigned opts)
{
    return ecr_json_member(src, obj, where, key, json_type_array, opts);
}

int ecr_json_get_int(ecr_json_src *src, json_object *obj, const char *where, const char *key,
                     unsigned opts, int64_t min, int64_t max, int64_t *out)
{
    char f[DIAG_FIELD_MAX];
    ecr_diag_field_key(f, sizeof f, where, key);
    json_object *v;
    if (!lookup(src, obj, f, key, opts, &v))
        return 0;
    int64_t n = json_object_get_int64(v);
    if (!json_object_is_type(v, json_type_int) || n < min || n > max) {
        ecr_json_error(src, f, "must be an integer from %lld to %lld", (long long)min,
                       (long long)max);
        return -1;
    }
    *out = n;
    return 1;
}

int ecr_json_get_bool(ecr_json_src *src, json_object *obj, const char *where, const char *key,
                      unsigned opts, int *out)
{
    char f[DIAG_FIELD_MAX];
    ecr_diag_field_key(f, sizeof f, where, key);
    json_object *v;
    if (!lookup(src, obj, f, key, opts, &v))
        return 0;
    if (!json_object_is_type(v, json_type_boolean)) {
        ecr_json_error(src, f, "%s", type_message(json_type_boolean));
        return -1;
    }
    *out = json_object_get_boolean(v) ? 1 : 0;
    return 1;
}

char **ecr_json_get_strings(ecr_json_src *src, json_object *arr, const char *where, size_t *n)
{
    *n = 0;
    size_t cnt = json_object_array_length(arr);
    char **out = calloc(cnt + 1, sizeof *out);
    if (!out) {
        ecr_json_error(src, where, "out of memory");
        return NULL;
    }
    for (size_t i = 0; i < cnt; i++) {
        json_object *s = json_object_array_get_idx(arr, i);
        char f[DIAG_FIELD_MAX];
        ecr_diag_field_index(f, sizeof f, where, i);
        if (!json_object_is_type(s, json_type_string) || !json_object_get_string_len(s)) {
            ecr_json_error(src, f, "must be a non-empty string");
            continue;
        }
        char *d = strdup(json_object_get_string(s));
        if (!d)
            ecr_json_error(src, f, "out of memory");
        else
            out[(*n)++] = d;
    }
    return out;
}

size_t ecr_json_check_members(ecr_json_src *src, json_object *obj, const char *where,
                              const char *const *allowed)
{
    /* The lists are the callers' constants: they fit. */
    char names[512] = "";
    size_t len = 0;
    for (size_t i = 0; allowed[i] && len < sizeof names; i++) {
        int n = snprintf(names + len, sizeof names - len, "%s%s", i ? ", " : "", allowed[i]);
        len = n < 0 ? sizeof names : len + (size_t)n;
    }
    size_t bad = 0;
    json_object_object_foreach (obj, k, v) {
        (void)v;
        int ok = 0;
        for (size_t i = 0; allowed[i] && !ok; i++)
            ok = !strcmp(k, allowed[i]);
        if (ok)
            continue;
        char f[DIAG_FIELD_MAX];
        ecr_diag_field_key(f, sizeof f, where, k);
        ecr_json_error(src, f, "unknown member (allowed: %s)", names);
        bad++;
    }
    return bad;
}

/* ---- writing ------------------------------------------------------------ */

const char *ecr_json_text(json_object *o)
{
    return json_object_to_json_string_ext(o, ECR_JSON_COMPACT);
}

char *ecr_json_to_string(json_object *o, int flags)
{
    const char *s = json_object_to_json_string_ext(o, flags);
    return s ? strdup(s) : NULL;
}

static ecr_result write_all(int fd, const char *s, size_t n)
{
    while (n) {
        ssize_t w = write(fd, s, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return ECR_EIO;
        s += w;
        n -= (size_t)w;
    }
    return ECR_OK;
}

ecr_result ecr_json_save(json_object *o, const char *path)
{
    const char *text = json_object_to_json_string_ext(o, ECR_JSON_PRETTY);
    if (!text)
        return ECR_ENOMEM;
    /* Same directory as path, so the rename cannot cross file systems. */
    const char *slash = strrchr(path, '/');
    int dirlen = slash ? (int)(slash - path + 1) : 0;
    const char *base = slash ? slash + 1 : path;
    static unsigned counter;
    char *tmp = NULL;
    int fd = -1;
    for (int attempt = 0; attempt < 16 && fd < 0; attempt++) {
        free(tmp);
        unsigned k = __atomic_fetch_add(&counter, 1, __ATOMIC_RELAXED);
        size_t sz = strlen(path) + 48;
        tmp = malloc(sz);
        if (!tmp)
            return ECR_ENOMEM;
        snprintf(tmp, sz, "%.*s.%s.%ld.%u.tmp", dirlen, path, base, (long)getpid(), k);
        fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (fd < 0 && errno != EEXIST)
            break;
    }
    if (fd < 0) {
        free(tmp);
        return ECR_EIO;
    }
    ecr_result rc = write_all(fd, text, strlen(text));
    if (!rc && fsync(fd) != 0)
        rc = ECR_EIO;
    if (close(fd) != 0 && !rc)
        rc = ECR_EIO;
    if (!rc && rename(tmp, path) != 0)
        rc = ECR_EIO;
    if (rc)
        unlink(tmp);
    free(tmp);
    return rc;
}
