#include "vars.h"

#include <stdlib.h>
#include <string.h>

#include "ecr/buf.h"

/* A case has a handful of variables (one per repository and image plus two),
 * so a linear array beats a hash table in both code and speed. */
typedef struct var {
    char *name;
    char *value;
} var;

struct vars {
    var *items;
    size_t n, cap;
};

/* Expanded strings come from case files and goldens (each capped at a few
 * MiB) and values are short names and digests; this only stops runaway
 * growth. */
#define EXPAND_MAX (16u * 1024 * 1024)

vars *ecrc_vars_new(void)
{
    return calloc(1, sizeof(vars));
}

void ecrc_vars_free(vars *v)
{
    if (!v)
        return;
    for (size_t i = 0; i < v->n; i++) {
        free(v->items[i].name);
        free(v->items[i].value);
    }
    free(v->items);
    free(v);
}

static var *find(const vars *v, const char *name)
{
    for (size_t i = 0; i < v->n; i++)
        if (strcmp(v->items[i].name, name) == 0)
            return &v->items[i];
    return NULL;
}

ecr_result ecrc_vars_set(vars *v, const char *name, const char *value)
{
    char *val = strdup(value);
    if (!val)
        return ECR_ENOMEM;
    var *old = find(v, name);
    if (old) {
        free(old->value);
        old->value = val;
        return ECR_OK;
    }
    if (v->n == v->cap) {
        size_t cap = v->cap ? v->cap * 2 : 8;
        var *p = realloc(v->items, cap * sizeof *p);
        if (!p) {
            free(val);
            return ECR_ENOMEM;
        }
        v->items = p;
        v->cap = cap;
    }
    char *nm = strdup(name);
    if (!nm) {
        free(val);
        return ECR_ENOMEM;
    }
    v->items[v->n].name = nm;
    v->items[v->n].value = val;
    v->n++;
    return ECR_OK;
}

const char *ecrc_vars_get(const vars *v, const char *name)
{
    const var *x = v ? find(v, name) : NULL;
    return x ? x->value : NULL;
}

static void copy_bad(char *bad, size_t badsz, const char *s, size_t n)
{
    if (!bad || badsz == 0)
        return;
    if (n >= badsz)
        n = badsz - 1;
    memcpy(bad, s, n);
    bad[n] = '\0';
}

/* Characters with a meaning in a POSIX ERE outside bracket expressions. */
static ecr_result put_escaped(buf *b, const char *s)
{
    for (; *s; s++) {
        ecr_result rc;
        if (strchr(".[]()*+?{}|^$\\", *s) && (rc = ecr_buf_append(b, "\\", 1)) != ECR_OK)
            return rc;
        if ((rc = ecr_buf_append(b, s, 1)) != ECR_OK)
            return rc;
    }
    return ECR_OK;
}

char *ecrc_vars_expand(const vars *v, const char *s, int regex_escape, ecr_result *rc, char *bad,
                       size_t badsz)
{
    ecr_result dummy;
    if (!rc)
        rc = &dummy;
    *rc = ECR_OK;
    if (bad && badsz)
        bad[0] = '\0';

    buf b;
    ecr_buf_init(&b, EXPAND_MAX);
    ecr_result r = ECR_OK;
    const char *p = s;
    while (r == ECR_OK) {
        const char *start = strstr(p, "${");
        if (!start) {
            r = ecr_buf_puts(&b, p);
            break;
        }
        if ((r = ecr_buf_append(&b, p, (size_t)(start - p))) != ECR_OK)
            break;
        const char *name = start + 2;
        const char *end = strchr(name, '}');
        if (!end) {
            copy_bad(bad, badsz, start, strlen(start));
            r = ECR_EINVAL;
            break;
        }
        size_t nlen = (size_t)(end - name);
        char *nm = strndup(name, nlen);
        if (!nm) {
            r = ECR_ENOMEM;
            break;
        }
        const char *val = ecrc_vars_get(v, nm);
        free(nm);
        if (!val) {
            copy_bad(bad, badsz, name, nlen);
            r = ECR_EINVAL;
            break;
        }
        r = regex_escape ? put_escaped(&b, val) : ecr_buf_puts(&b, val);
        p = end + 1;
    }
    if (r != ECR_OK) {
        ecr_buf_free(&b);
        *rc = r;
        return NULL;
    }
    char *out = ecr_buf_steal(&b);
    if (!out)
        *rc = ECR_ENOMEM;
    return out;
}

/* A {"$regex": "..."} object: its string is a pattern, so substituted values
 * must match literally. */
static int is_regex_matcher(json_object *j)
{
    if (json_object_get_type(j) != json_type_object || json_object_object_length(j) != 1)
        return 0;
    json_object *r;
    return json_object_object_get_ex(j, "$regex", &r) &&
           json_object_get_type(r) == json_type_string;
}

static json_object *expand_node(const vars *v, json_object *j, int in_regex, ecr_result *rc,
                                char *bad, size_t badsz)
{
    switch (json_object_get_type(j)) {
    case json_type_null:
        *rc = ECR_OK;
        return NULL; /* JSON null is json-c's NULL; callers tell it from failure by *rc */
    case json_type_string: {
        char *s = ecrc_vars_expand(v, json_object_get_string(j), in_regex, rc, bad, badsz);
        if (!s)
            return NULL;
        json_object *o = json_object_new_string(s);
        free(s);
        if (!o)
            *rc = ECR_ENOMEM;
        return o;
    }
    case json_type_object: {
        int regex = is_regex_matcher(j);
        json_object *o = json_object_new_object();
        if (!o) {
            *rc = ECR_ENOMEM;
            return NULL;
        }
        json_object_object_foreach (j, key, val) {
            json_object *c = expand_node(v, val, regex, rc, bad, badsz);
            if (*rc != ECR_OK || json_object_object_add(o, key, c) != 0) {
                if (*rc == ECR_OK)
                    *rc = ECR_ENOMEM;
                json_object_put(c);
                json_object_put(o);
                return NULL;
            }
        }
        *rc = ECR_OK;
        return o;
    }
    case json_type_array: {
        size_t n = json_object_array_length(j);
        json_object *o = json_object_new_array_ext((int)n);
        if (!o) {
            *rc = ECR_ENOMEM;
            return NULL;
        }
        for (size_t i = 0; i < n; i++) {
            json_object *c = expand_node(v, json_object_array_get_idx(j, i), 0, rc, bad, badsz);
            if (*rc != ECR_OK || json_object_array_add(o, c) != 0) {
                if (*rc == ECR_OK)
                    *rc = ECR_ENOMEM;
                json_object_put(c);
                json_object_put(o);
                return NULL;
            }
        }
        *rc = ECR_OK;
        return o;
    }
    default: {
        /* Numbers and booleans: copied so the result shares nothing with j. */
        json_object *o = NULL;
        if (json_object_deep_copy(j, &o, NULL) != 0) {
            *rc = ECR_ENOMEM;
            return NULL;
        }
        *rc = ECR_OK;
        return o;
    }
    }
}

json_object *ecrc_vars_expand_json(const vars *v, json_object *j, ecr_result *rc, char *bad,
                                   size_t badsz)
{
    ecr_result dummy;
    if (!rc)
        rc = &dummy;
    if (bad && badsz)
        bad[0] = '\0';
    return expand_node(v, j, 0, rc, bad, badsz);
}

ecr_result ecrc_vars_scan(const char *s, void (*cb)(const char *name, void *ud), void *ud)
{
    const char *p = s;
    const char *start;
    while ((start = strstr(p, "${")) != NULL) {
        const char *name = start + 2;
        const char *end = strchr(name, '}');
        if (!end)
            return ECR_EINVAL;
        char *nm = strndup(name, (size_t)(end - name));
        if (!nm)
            return ECR_ENOMEM;
        cb(nm, ud);
        free(nm);
        p = end + 1;
    }
    return ECR_OK;
}
