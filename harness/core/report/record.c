#include "record.h"

#include <json-c/json.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "casefile.h"
#include "ecr/buf.h"
#include "ecr/digest.h"
#include "ecr/json.h"
#include "ecr/util.h"
#include "golden.h"
#include "report_json.h"

/* What a run-dependent value becomes in a golden: name -> variable. */
typedef struct subst {
    char *from;
    char *to;
} subst;

typedef struct norm {
    const case_def *c;
    int forced; /* level E: no exact message text (lint), {"$any": true} instead */
    subst *s;
    size_t n;
} norm;

static int add_subst(norm *nm, const char *from, const char *to)
{
    if (!from || !*from)
        return 0;
    subst *v = realloc(nm->s, (nm->n + 1) * sizeof *v);
    if (!v)
        return -1;
    nm->s = v;
    v[nm->n].from = ecr_strdup(from);
    v[nm->n].to = ecr_strdup(to);
    if (!v[nm->n].from || !v[nm->n].to) {
        free(v[nm->n].from);
        free(v[nm->n].to);
        return -1;
    }
    nm->n++;
    return 0;
}

static void norm_free(norm *nm)
{
    for (size_t i = 0; i < nm->n; i++) {
        free(nm->s[i].from);
        free(nm->s[i].to);
    }
    free(nm->s);
}

/* Digests of the case's images, the account and the region. */
static int norm_init(norm *nm, const case_def *c, const ecrc_record_opts *o)
{
    memset(nm, 0, sizeof *nm);
    nm->c = c;
    nm->forced = o->forced;
    for (size_t i = 0; i < c->nrepos; i++)
        for (size_t j = 0; j < c->repos[i].nimages; j++) {
            const case_image *im = &c->repos[i].images[j];
            char d[DIGEST_STR_SIZE];
            char *var = ecr_asprintf("${digest:%s}", im->id);
            int bad = !var || ecr_digest_sha256(im->manifest, im->manifest_len, d) ||
                      add_subst(nm, d, var);
            free(var);
            if (bad)
                return -1;
        }
    if (add_subst(nm, o->target->account, "${account}") ||
        add_subst(nm, o->target->region, "${region}"))
        return -1;
    return 0;
}

/* Length of the run-unique repository name at s ("ecrc-<8 hex>/<case>/<name>"
 * padded to the repository's length), or 0; *repo gets the repository. */
static size_t run_name_at(const norm *nm, const char *s, const case_repo **repo)
{
    if (strncmp(s, "ecrc-", 5))
        return 0;
    for (int i = 5; i < 13; i++)
        if (!strchr("0123456789abcdef", s[i]) || !s[i])
            return 0;
    if (s[13] != '/')
        return 0;
    size_t cl = strlen(nm->c->id);
    if (strncmp(s + 14, nm->c->id, cl) || s[14 + cl] != '/')
        return 0;
    const char *p = s + 15 + cl;
    size_t best = 0;
    for (size_t i = 0; i < nm->c->nrepos; i++) {
        const case_repo *r = &nm->c->repos[i];
        size_t rl = strlen(r->name), total = (size_t)(p - s) + rl;
        if (strncmp(p, r->name, rl))
            continue;
        if (r->length > 0 && (size_t)r->length >= total && strlen(s) >= (size_t)r->length)
            total = (size_t)r->length;
        if (total > best) {
            best = total;
            *repo = r;
        }
    }
    return best;
}

/* s with every run-dependent value replaced by its variable: a new string. */
static char *normalize_string(const norm *nm, const char *s)
{
    buf b;
    ecr_buf_init(&b, 1u << 24);
    for (const char *p = s; *p;) {
        const case_repo *r = NULL;
        size_t n = run_name_at(nm, p, &r);
        if (n) {
            ecr_buf_printf(&b, "${repo:%s}", r->name);
            p += n;
            continue;
        }
        int done = 0;
        for (size_t i = 0; i < nm->n && !done; i++) {
            size_t fl = strlen(nm->s[i].from);
            if (!strncmp(p, nm->s[i].from, fl)) {
                ecr_buf_puts(&b, nm->s[i].to);
                p += fl;
                done = 1;
            }
        }
        if (!done)
            ecr_buf_append(&b, p++, 1);
    }
    return ecr_buf_steal(&b);
}

/* Members whose value is a time: any number there is fine. */
static int is_time_key(const char *k)
{
    return k && (strstr(k, "At") || strstr(k, "Time") || strstr(k, "time"));
}

/* v normalised: variables for run-dependent strings, {"$type":"number"} for
 * times, and every array as a $set (ECR specifies no order for the lists
 * its answers hold). Returns a new value (NULL stays NULL). */
static json_object *normalize(const norm *nm, json_object *v, const char *key)
{
    switch (json_object_get_type(v)) {
    case json_type_object: {
        json_object *o = json_object_new_object();
        json_object_object_foreach (v, k, val)
            json_object_object_add(o, k, normalize(nm, val, k));
        return o;
    }
    case json_type_array: {
        json_object *a = json_object_new_array();
        for (size_t i = 0; i < json_object_array_length(v); i++)
            json_object_array_add(a, normalize(nm, json_object_array_get_idx(v, i), NULL));
        json_object *set = json_object_new_object();
        json_object_object_add(set, "$set", a);
        return set;
    }
    case json_type_string: {
        if (nm->forced && key && (!strcmp(key, "message") || !strcmp(key, "failureReason"))) {
            json_object *any = json_object_new_object();
            json_object_object_add(any, "$any", json_object_new_boolean(1));
            return any;
        }
        char *s = normalize_string(nm, json_object_get_string(v));
        json_object *r = json_object_new_string(s ? s : "");
        free(s);
        return r;
    }
    case json_type_int:
    case json_type_double:
        if (is_time_key(key)) {
            json_object *t = json_object_new_object();
            json_object_object_add(t, "$type", json_object_new_string("number"));
            return t;
        }
        return json_object_get(v);
    default:
        return json_object_get(v);
    }
}

int ecrc_record_parse_response(const char *text, long *status, const char **body)
{
    if (!text || sscanf(text, "HTTP %ld", status) != 1)
        return -1;
    const char *sep = strstr(text, "\n\n");
    *body = sep ? sep + 2 : "";
    return 0;
}

/* The error type as SDKs see it: after '#', before ':' (Smithy). */
static char *error_type_of(json_object *body)
{
    json_object *t = NULL;
    if (!json_object_object_get_ex(body, "__type", &t) || !json_object_is_type(t, json_type_string))
        return NULL;
    const char *s = json_object_get_string(t);
    const char *h = strrchr(s, '#');
    s = h ? h + 1 : s;
    return ecr_asprintf("%.*s", (int)strcspn(s, ":"), s);
}

json_object *ecrc_record_observed(const case_def *c, const step_report *sr,
                                  const ecrc_record_opts *o)
{
    long status;
    const char *btext;
    if (ecrc_record_parse_response(sr->response, &status, &btext))
        return NULL;
    norm nm;
    if (norm_init(&nm, c, o)) {
        norm_free(&nm);
        return NULL;
    }
    size_t rest;
    json_object *body = ecr_json_parse(btext, strlen(btext), ECR_JSON_PEER, &rest, NULL, NULL);
    json_object *g = json_object_new_object();
    json_object_object_add(g, "status", json_object_new_int((int)status));
    if (status >= 300 && body) {
        json_object *e = json_object_new_object();
        char *type = error_type_of(body);
        json_object *m = NULL;
        if (type)
            json_object_object_add(e, "type", json_object_new_string(type));
        free(type);
        if (json_object_object_get_ex(body, "message", &m) ||
            json_object_object_get_ex(body, "Message", &m))
            json_object_object_add(e, "message", normalize(&nm, m, "message"));
        json_object_object_add(g, "error", e);
    } else if (body) {
        json_object_object_add(g, "body", normalize(&nm, body, NULL));
    } else {
        char *s = normalize_string(&nm, btext);
        json_object_object_add(g, "body", json_object_new_string(s ? s : ""));
        free(s);
    }
    json_object_put(body);
    norm_free(&nm);
    /* What a target echoed of our secret must reach neither a golden nor
     * the diff lines; nor bytes that would make the golden invalid JSON. */
    json_object *clean = ecrc_report_json_clean(g);
    json_object_put(g);
    return clean;
}

/* The golden file's members other than provenance, for "did it change". */
static int same_expectation(json_object *old, json_object *now)
{
    json_object *a = json_object_new_object(), *b = json_object_new_object();
    json_object_object_foreach (old, k1, v1)
        if (strcmp(k1, "provenance"))
            json_object_object_add(a, k1, json_object_get(v1));
    json_object_object_foreach (now, k2, v2)
        if (strcmp(k2, "provenance"))
            json_object_object_add(b, k2, json_object_get(v2));
    int same = json_object_equal(a, b);
    json_object_put(a);
    json_object_put(b);
    return same;
}

/* Splits text into lines (in place); returns the count, *lines allocated. */
static size_t split_lines(char *text, char ***lines)
{
    size_t n = 0, cap = 16;
    char **v = malloc(cap * sizeof *v);
    char *save = NULL;
    for (char *l = strtok_r(text, "\n", &save); v && l; l = strtok_r(NULL, "\n", &save)) {
        if (n == cap) {
            char **nv = realloc(v, (cap *= 2) * sizeof *nv);
            if (!nv)
                break;
            v = nv;
        }
        v[n++] = l;
    }
    *lines = v;
    return v ? n : 0;
}

/* A line diff (longest common subsequence) of a and b to out. */
static void print_diff(FILE *out, const char *path, const char *a, const char *b)
{
    char *ta = ecr_strdup(a), *tb = ecr_strdup(b);
    char **la = NULL, **lb = NULL;
    size_t na = ta ? split_lines(ta, &la) : 0, nb = tb ? split_lines(tb, &lb) : 0;
    unsigned *t = calloc((na + 1) * (nb + 1), sizeof *t);
    fprintf(out, "--- %s\n+++ %s (recorded)\n", path, path);
    if (t) {
        for (size_t i = na; i-- > 0;)
            for (size_t j = nb; j-- > 0;)
                t[i * (nb + 1) + j] = !strcmp(la[i], lb[j]) ? t[(i + 1) * (nb + 1) + j + 1] + 1
                                      : t[(i + 1) * (nb + 1) + j] > t[i * (nb + 1) + j + 1]
                                          ? t[(i + 1) * (nb + 1) + j]
                                          : t[i * (nb + 1) + j + 1];
        size_t i = 0, j = 0;
        while (i < na || j < nb) {
            if (i < na && j < nb && !strcmp(la[i], lb[j])) {
                fprintf(out, " %s\n", la[i]);
                i++, j++;
            } else if (j < nb &&
                       (i == na || t[i * (nb + 1) + j + 1] >= t[(i + 1) * (nb + 1) + j])) {
                fprintf(out, "+%s\n", lb[j++]);
            } else {
                fprintf(out, "-%s\n", la[i++]);
            }
        }
    }
    free(t);
    free(la);
    free(lb);
    free(ta);
    free(tb);
}

/* The new golden for step s: observed expectation + provenance. */
static json_object *new_golden(const case_step *s, json_object *old, json_object *obs,
                               const ecrc_record_opts *o)
{
    json_object *g = json_object_new_object();
    json_object *prov = json_object_new_object();
    json_object_object_add(prov, "level", json_object_new_string(o->forced ? "E" : "C"));
    json_object *src = json_object_new_array();
    for (size_t i = 0; i < s->golden->nsources; i++)
        json_object_array_add(src, json_object_new_string(s->golden->sources[i]));
    if (!s->golden->nsources) {
        /* an open golden keeps its sources in the alternatives */
        json_object *alts = NULL;
        if (json_object_object_get_ex(old, "$anyOf", &alts))
            for (size_t i = 0; i < json_object_array_length(alts); i++) {
                json_object *as = NULL;
                if (json_object_object_get_ex(json_object_array_get_idx(alts, i), "sources", &as))
                    for (size_t k = 0; k < json_object_array_length(as); k++)
                        json_object_array_add(src,
                                              json_object_get(json_object_array_get_idx(as, k)));
            }
    }
    json_object_object_add(prov, "sources", src);
    char *notes = ecr_asprintf(
        "Recorded by ecrconform %s from %s (region %s) on %s%s.%s%s", ECRCONFORM_VERSION,
        o->target->endpoint, o->target->region, o->date,
        o->forced ? " with --force: an emulator's answer, level E, never confirmed" : "",
        s->golden->notes ? " Before: " : "", s->golden->notes ? s->golden->notes : "");
    json_object_object_add(prov, "notes", json_object_new_string(notes ? notes : ""));
    free(notes);
    json_object_object_add(g, "provenance", prov);
    json_object_object_foreach (obs, k, v)
        json_object_object_add(g, k, json_object_get(v));
    return g;
}

ecr_result ecrc_record_goldens(const run_report *rep, const run_entry *entries, size_t n,
                               const ecrc_record_opts *o, ecrc_record_stats *st)
{
    memset(st, 0, sizeof *st);
    for (size_t i = 0; i < n && i < rep->ncases; i++) {
        const case_def *c = entries[i].c;
        const case_report *cr = &rep->cases[i];
        if (!c || cr->status == ECRC_CASE_SKIP || cr->status == ECRC_CASE_ERROR) {
            st->skipped++;
            continue;
        }
        for (size_t j = 0; j < c->nsteps && j < cr->nsteps; j++) {
            const case_step *s = &c->steps[j];
            const step_report *sr = &cr->steps[j];
            /* A step that met a settled golden stays as it is; an open one is
             * narrowed to the answer observed. */
            if (sr->passed && !s->golden->open) {
                st->unchanged++;
                continue;
            }
            json_object *obs = ecrc_record_observed(c, sr, o);
            char *old_text = NULL;
            diag_list dl;
            ecr_diag_init(&dl);
            json_object *old =
                ecr_json_read_file(s->golden_path, 1u << 22, ECR_JSON_FILE, &old_text, NULL, &dl);
            ecr_diag_free(&dl);
            if (!obs || !old) {
                st->failed++;
                fprintf(o->out, "record: %s: cannot %s\n", s->golden_path,
                        obs ? "read the golden" : "read the observed answer");
                json_object_put(obs);
                json_object_put(old);
                free(old_text);
                continue;
            }
            if (same_expectation(old, obs)) {
                st->unchanged++;
            } else {
                json_object *g = new_golden(s, old, obs, o);
                const char *text = json_object_to_json_string_ext(g, ECR_JSON_PRETTY);
                print_diff(o->out, s->golden_path, old_text, text);
                if (ecr_json_save(g, s->golden_path)) {
                    st->failed++;
                    fprintf(o->out, "record: %s: cannot write\n", s->golden_path);
                } else {
                    st->written++;
                }
                json_object_put(g);
            }
            json_object_put(obs);
            json_object_put(old);
            free(old_text);
        }
    }
    return ECR_OK;
}

/* Elements of a $set in a canonical order (by their compact text), so two
 * sets compare element by element. A new array. */
static json_object *sorted_set(json_object *a)
{
    size_t n = json_object_array_length(a);
    json_object *out = json_object_new_array();
    char **keys = calloc(n ? n : 1, sizeof *keys);
    size_t *idx = calloc(n ? n : 1, sizeof *idx);
    for (size_t i = 0; keys && idx && i < n; i++) {
        keys[i] = ecr_strdup(
            json_object_to_json_string_ext(json_object_array_get_idx(a, i), ECR_JSON_COMPACT));
        idx[i] = i;
    }
    for (size_t i = 1; keys && idx && i < n; i++) /* insertion sort: sets are small */
        for (size_t j = i; j > 0 && strcmp(keys[idx[j - 1]] ? keys[idx[j - 1]] : "",
                                           keys[idx[j]] ? keys[idx[j]] : "") > 0;
             j--) {
            size_t t = idx[j];
            idx[j] = idx[j - 1];
            idx[j - 1] = t;
        }
    for (size_t i = 0; keys && idx && i < n; i++)
        json_object_array_add(out, json_object_get(json_object_array_get_idx(a, idx[i])));
    for (size_t i = 0; keys && i < n; i++)
        free(keys[i]);
    free(keys);
    free(idx);
    return out;
}

static void say_diff(FILE *out, const char *fmt, ...)
{
    if (!out)
        return;
    va_list ap;
    va_start(ap, fmt);
    vfprintf(out, fmt, ap);
    va_end(ap);
}

/* Counts the places a and b differ ($set elements in any order), writing a
 * "path: A <a> | B <b>" line for each to out unless out is NULL. */
static size_t diff_values(json_object *a, json_object *b, const char *path, FILE *out)
{
    if (json_object_equal(a, b))
        return 0;
    json_type ta = json_object_get_type(a), tb = json_object_get_type(b);
    if (ta == json_type_object && tb == json_type_object) {
        json_object *sa = NULL, *sb = NULL;
        if (json_object_object_get_ex(a, "$set", &sa) &&
            json_object_object_get_ex(b, "$set", &sb) &&
            json_object_array_length(sa) == json_object_array_length(sb)) {
            json_object *xa = sorted_set(sa), *xb = sorted_set(sb);
            size_t n = 0;
            for (size_t i = 0; i < json_object_array_length(xa); i++) {
                char *p = ecr_asprintf("%s{set}[%zu]", path, i);
                n += diff_values(json_object_array_get_idx(xa, i), json_object_array_get_idx(xb, i),
                                 p ? p : path, out);
                free(p);
            }
            json_object_put(xa);
            json_object_put(xb);
            return n;
        }
        size_t n = 0;
        json_object_object_foreach (a, k, va) {
            json_object *vb = NULL;
            char *p = ecr_asprintf("%s.%s", path, k);
            if (!json_object_object_get_ex(b, k, &vb))
                say_diff(out, "    %s: A %s | B (absent)\n", p ? p : path,
                         json_object_to_json_string_ext(va, ECR_JSON_COMPACT)),
                    n++;
            else
                n += diff_values(va, vb, p ? p : path, out);
            free(p);
        }
        json_object_object_foreach (b, k2, vb2) {
            if (json_object_object_get_ex(a, k2, NULL))
                continue;
            say_diff(out, "    %s.%s: A (absent) | B %s\n", path, k2,
                     json_object_to_json_string_ext(vb2, ECR_JSON_COMPACT));
            n++;
        }
        return n;
    }
    say_diff(out, "    %s: A %s | B %s\n", path,
             a ? json_object_to_json_string_ext(a, ECR_JSON_COMPACT) : "(absent)",
             b ? json_object_to_json_string_ext(b, ECR_JSON_COMPACT) : "(absent)");
    return 1;
}

ecr_result ecrc_diff_reports(const run_report *ra, const run_report *rb, const run_entry *entries,
                             size_t n, const ecrc_record_opts *oa, const ecrc_record_opts *ob,
                             ecrc_diff_stats *st)
{
    memset(st, 0, sizeof *st);
    for (size_t i = 0; i < n && i < ra->ncases && i < rb->ncases; i++) {
        const case_def *c = entries[i].c;
        if (!c)
            continue;
        const case_report *ca = &ra->cases[i], *cb = &rb->cases[i];
        for (size_t j = 0; j < c->nsteps && j < ca->nsteps && j < cb->nsteps; j++) {
            json_object *a = ecrc_record_observed(c, &ca->steps[j], oa);
            json_object *b = ecrc_record_observed(c, &cb->steps[j], ob);
            if (!a || !b) {
                st->not_compared++;
            } else {
                st->compared++;
                char *path = ecr_asprintf("%s/%s", c->id, c->steps[j].name);
                if (diff_values(a, b, "$", NULL)) {
                    st->differ++;
                    fprintf(oa->out, "DIFF  %s\n", path ? path : c->id);
                    diff_values(a, b, "$", oa->out);
                }
                free(path);
            }
            json_object_put(a);
            json_object_put(b);
        }
    }
    return ECR_OK;
}
