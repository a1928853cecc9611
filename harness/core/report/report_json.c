#include "report_json.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ecr/json.h"
#include "ecr/util.h"
#include "report_text.h"

/* ---- building ---------------------------------------------------------- */

/* A JSON string of s, redacted and valid UTF-8; null for NULL s. Sets *oom
 * when an allocation failed. */
static json_object *jstr(const char *s, int *oom)
{
    if (!s)
        return NULL;
    char *red = ecrc_report_text_redact(s);
    char *clean = red ? ecrc_report_text_utf8(red) : NULL;
    free(red);
    json_object *j = clean ? json_object_new_string(clean) : NULL;
    free(clean);
    if (!j)
        *oom = 1;
    return j;
}

/* A number with a fixed number of decimals (json-c would print 17 digits). */
static json_object *jnum(double d, int decimals, int *oom)
{
    char text[64];
    if (!isfinite(d))
        d = 0;
    snprintf(text, sizeof text, "%.*f", decimals, d);
    json_object *j = json_object_new_double_s(d, text);
    if (!j)
        *oom = 1;
    return j;
}

static json_object *jsize(size_t n, int *oom)
{
    json_object *j = json_object_new_int64(n > INT64_MAX ? INT64_MAX : (int64_t)n);
    if (!j)
        *oom = 1;
    return j;
}

/* Adds key -> val to o (taking val). A NULL val is a JSON null, which is
 * what the NULL strings of the model mean. */
static void put(json_object *o, const char *key, json_object *val, int *oom)
{
    if (!o || json_object_object_add(o, key, val) != 0) {
        json_object_put(val);
        *oom = 1;
    }
}

static void push(json_object *a, json_object *val, int *oom)
{
    if (!a || json_object_array_add(a, val) != 0) {
        json_object_put(val);
        *oom = 1;
    }
}

static json_object *jobj(int *oom)
{
    json_object *o = json_object_new_object();
    if (!o)
        *oom = 1;
    return o;
}

static json_object *jarr(int *oom)
{
    json_object *a = json_object_new_array();
    if (!a)
        *oom = 1;
    return a;
}

static json_object *jstrv(char *const *v, size_t n, int *oom)
{
    json_object *a = jarr(oom);
    for (size_t i = 0; a && i < n; i++)
        push(a, jstr(v[i], oom), oom);
    return a;
}

static json_object *jid_reason(const char *id, const char *reason, int *oom)
{
    json_object *o = jobj(oom);
    put(o, "id", jstr(id, oom), oom);
    put(o, "reason", jstr(reason, oom), oom);
    return o;
}

static json_object *jlevel(size_t total, size_t passed, int *oom)
{
    json_object *o = jobj(oom);
    put(o, "total", jsize(total, oom), oom);
    put(o, "passed", jsize(passed, oom), oom);
    put(o, "score", jnum(ecrc_report_score(passed, total), 4, oom), oom);
    return o;
}

static json_object *build_summary(const run_report *r, int *oom)
{
    report_summary s;
    ecrc_report_summarize(r, &s);
    json_object *o = jobj(oom);
    put(o, "total", jsize(s.total, oom), oom);
    put(o, "passed", jsize(s.passed, oom), oom);
    put(o, "failed", jsize(s.failed, oom), oom);
    put(o, "errored", jsize(s.errored, oom), oom);
    put(o, "skipped", jsize(s.skipped, oom), oom);
    if (s.flaky) /* present only when --retries made a case flaky */
        put(o, "flaky", jsize(s.flaky, oom), oom);
    if (r->allow_flaky) /* present only when true: flaky cases did not fail the gate */
        put(o, "flaky_allowed", json_object_new_boolean(1), oom);
    put(o, "expected_failures", jsize(s.expected, oom), oom);
    put(o, "score", jnum(s.score, 4, oom), oom);
    json_object *lv = jobj(oom);
    put(lv, "CD", jlevel(s.cd_total, s.cd_passed, oom), oom);
    put(lv, "IE", jlevel(s.ie_total, s.ie_passed, oom), oom);
    put(lv, "open", jlevel(s.open_total, s.open_passed, oom), oom);
    put(o, "default_headers", jlevel(s.headers_total, s.headers_passed, oom), oom);
    put(o, "by_level", lv, oom);
    return o;
}

static json_object *build_coverage(const run_report *r, int *oom)
{
    json_object *o = jobj(oom);
    report_coverage cov;
    if (ecrc_report_coverage_build(r, &cov)) {
        *oom = 1;
        return o;
    }
    for (size_t i = 0; o && i < cov.n; i++) {
        const coverage_entry *e = &cov.entries[i];
        json_object *eo = jobj(oom);
        json_object *cases = jarr(oom);
        for (size_t k = 0; k < e->ncases; k++) {
            const case_report *c = &r->cases[e->cases[k]];
            json_object *co = jobj(oom);
            put(co, "id", jstr(c->id, oom), oom);
            put(co, "status", jstr(ecrc_case_status_name(c->status), oom), oom);
            push(cases, co, oom);
        }
        put(eo, "cases", cases, oom);
        put(eo, "passed", jsize(e->count[ECRC_CASE_PASS], oom), oom);
        put(eo, "failed", jsize(e->count[ECRC_CASE_FAIL], oom), oom);
        put(eo, "errored", jsize(e->count[ECRC_CASE_ERROR], oom), oom);
        put(eo, "skipped", jsize(e->count[ECRC_CASE_SKIP], oom), oom);
        put(eo, "total", jsize(e->total, oom), oom);
        /* The label is a key: sanitise it like any other string. */
        char *red = ecrc_report_text_redact(e->label);
        char *key = red ? ecrc_report_text_utf8(red) : NULL;
        free(red);
        if (key)
            put(o, key, eo, oom);
        else {
            json_object_put(eo);
            *oom = 1;
        }
        free(key);
    }
    ecrc_report_coverage_free(&cov);
    return o;
}

static json_object *build_step(const step_report *s, int *oom)
{
    json_object *o = jobj(oom);
    put(o, "name", jstr(s->name, oom), oom);
    put(o, "operation", jstr(s->operation, oom), oom);
    put(o, "level", jstr(s->level, oom), oom);
    put(o, "passed", json_object_new_boolean(s->passed != 0), oom);
    put(o, "request", jstr(s->request, oom), oom);
    put(o, "response", jstr(s->response, oom), oom);
    put(o, "diff", jstrv(s->diff, s->ndiff, oom), oom);
    if (s->golden)
        put(o, "golden", jstr(s->golden, oom), oom);
    if (s->actual)
        put(o, "actual", jstr(s->actual, oom), oom);
    if (!s->passed && s->reproduce) /* how to send it again by hand */
        put(o, "reproduce", jstr(s->reproduce, oom), oom);
    if (s->headers_checked) {
        put(o, "golden_passed", json_object_new_boolean(s->golden_passed != 0), oom);
        put(o, "headers_passed", json_object_new_boolean(s->headers_passed != 0), oom);
    }
    if (s->open) {
        put(o, "open", json_object_new_boolean(1), oom);
        if (s->settled_failed)
            put(o, "settled_failed", json_object_new_boolean(1), oom);
        json_object *ans = jarr(oom);
        for (size_t i = 0; i < s->nanswers; i++) {
            json_object *a = jobj(oom);
            put(a, "question", jstr(s->answers[i].question, oom), oom);
            put(a, "answer", jstr(s->answers[i].answer, oom), oom);
            put(a, "matched", json_object_new_boolean(s->answers[i].matched != 0), oom);
            push(ans, a, oom);
        }
        put(o, "answers", ans, oom);
    }
    return o;
}

static json_object *build_case(const case_report *c, int *oom)
{
    json_object *o = jobj(oom);
    put(o, "id", jstr(c->id, oom), oom);
    put(o, "file", jstr(c->file, oom), oom);
    put(o, "summary", jstr(c->summary, oom), oom);
    put(o, "status", jstr(ecrc_case_status_name(c->status), oom), oom);
    put(o, "reason", jstr(c->reason, oom), oom);
    put(o, "covers", jstrv(c->covers, c->ncovers, oom), oom);
    put(o, "level", jstr(c->level, oom), oom);
    put(o, "duration_ms", jnum(c->duration_ms, 3, oom), oom);
    json_object *diff = jarr(oom);
    for (size_t i = 0; i < c->nsteps; i++)
        for (size_t k = 0; k < c->steps[i].ndiff; k++)
            push(diff, jstr(c->steps[i].diff[k], oom), oom);
    put(o, "diff", diff, oom);
    put(o, "baseline_expected", json_object_new_boolean(c->baseline_expected != 0), oom);
    if (c->baseline_expected)
        put(o, "baseline_reason", jstr(c->baseline_reason, oom), oom);
    json_object *steps = jarr(oom);
    for (size_t i = 0; i < c->nsteps; i++)
        push(steps, build_step(&c->steps[i], oom), oom);
    put(o, "steps", steps, oom);
    return o;
}

json_object *ecrc_report_json_build_case(const case_report *c)
{
    int oom = 0;
    json_object *o = build_case(c, &oom);
    if (oom) {
        json_object_put(o);
        return NULL;
    }
    return o;
}

json_object *ecrc_report_json_build(const run_report *r)
{
    int oom = 0;
    json_object *root = jobj(&oom);
    if (!root)
        return NULL;

    json_object *h = jobj(&oom);
    put(h, "name", jstr("ecrconform", &oom), &oom);
    put(h, "version", jstr(r->harness_version, &oom), &oom);
    put(root, "harness", h, &oom);
    json_object *t = jobj(&oom);
    put(t, "name", jstr(r->target, &oom), &oom);
    put(t, "endpoint", jstr(r->endpoint, &oom), &oom);
    if (r->insecure) /* present only when true: TLS verification was off */
        put(t, "insecure", json_object_new_boolean(1), &oom);
    if (r->manifest_only) /* present only without the layer API: images without their blobs */
        put(t, "manifest_only_pushes", jstr(r->manifest_only, &oom), &oom);
    put(root, "target", t, &oom);
    put(root, "started_at", jstr(r->started_at, &oom), &oom);
    put(root, "duration_ms", jnum(r->duration_ms, 3, &oom), &oom);
    put(root, "summary", build_summary(r, &oom), &oom);
    put(root, "coverage", build_coverage(r, &oom), &oom);

    json_object *skipped = jarr(&oom);
    for (size_t i = 0; i < r->ncases; i++)
        if (r->cases[i].status == ECRC_CASE_SKIP)
            push(skipped, jid_reason(r->cases[i].id, r->cases[i].reason, &oom), &oom);
    put(root, "skipped", skipped, &oom);

    if (r->baseline_file) {
        json_object *b = jobj(&oom);
        put(b, "file", jstr(r->baseline_file, &oom), &oom);
        json_object *exp = jarr(&oom);
        for (size_t i = 0; i < r->ncases; i++)
            if (r->cases[i].baseline_expected)
                push(exp, jid_reason(r->cases[i].id, r->cases[i].baseline_reason, &oom), &oom);
        put(b, "expected_failures", exp, &oom);
        put(b, "fixed", jstrv(r->fixed, r->nfixed, &oom), &oom);
        put(b, "regressions", jstrv(r->regressions, r->nregressions, &oom), &oom);
        put(root, "baseline", b, &oom);
    }

    json_object *cases = jarr(&oom);
    for (size_t i = 0; i < r->ncases; i++)
        push(cases, build_case(&r->cases[i], &oom), &oom);
    put(root, "cases", cases, &oom);

    if (oom) {
        json_object_put(root);
        return NULL;
    }
    return root;
}

json_object *ecrc_report_json_clean(json_object *j)
{
    switch (json_object_get_type(j)) {
    case json_type_string: {
        char *red = ecrc_report_text_redact(json_object_get_string(j));
        char *ok = ecr_utf8_sanitize(red);
        json_object *o = ok ? json_object_new_string(ok) : NULL;
        free(red);
        free(ok);
        return o;
    }
    case json_type_object: {
        json_object *o = json_object_new_object();
        json_object_object_foreach (j, key, val) {
            char *red = ecrc_report_text_redact(key);
            char *k = ecr_utf8_sanitize(red);
            free(red);
            json_object *c = val ? ecrc_report_json_clean(val) : NULL;
            if (!o || !k || (val && !c) || json_object_object_add(o, k, c) != 0) {
                free(k);
                json_object_put(c);
                json_object_put(o);
                return NULL;
            }
            free(k);
        }
        return o;
    }
    case json_type_array: {
        size_t n = json_object_array_length(j);
        json_object *o = json_object_new_array_ext((int)n);
        for (size_t i = 0; o && i < n; i++) {
            json_object *v = json_object_array_get_idx(j, i);
            json_object *c = v ? ecrc_report_json_clean(v) : NULL;
            if ((v && !c) || json_object_array_add(o, c) != 0) {
                json_object_put(c);
                json_object_put(o);
                return NULL;
            }
        }
        return o;
    }
    default: {
        json_object *o = NULL;
        return json_object_deep_copy(j, &o, NULL) == 0 ? o : NULL;
    }
    }
}

ecr_result ecrc_report_json_save(json_object *root, const char *path)
{
    json_object *clean = root ? ecrc_report_json_clean(root) : NULL;
    if (root && !clean)
        return ECR_ENOMEM;
    ecr_result rc = ecr_json_save(clean, path);
    json_object_put(clean);
    return rc;
}

ecr_result ecrc_report_write_json(const run_report *r, const char *path)
{
    json_object *root = ecrc_report_json_build(r);
    if (!root)
        return ECR_ENOMEM;
    ecr_result rc = ecrc_report_json_save(root, path);
    json_object_put(root);
    return rc;
}

/* ---- parsing ----------------------------------------------------------- */

/* The report is read back leniently: a member that is absent or of another
 * type is simply not there (no diagnostic, hence the NULL source). */
static json_object *member(json_object *o, const char *key, json_type type)
{
    return ecr_json_member(NULL, o, "", key, type, 0);
}

/* A copy of the string member key, or NULL when absent or not a string.
 * Sets *oom when the copy failed. */
static char *dup_member(json_object *o, const char *key, int *oom)
{
    json_object *v = member(o, key, json_type_string);
    if (!v)
        return NULL;
    char *s = strdup(json_object_get_string(v));
    if (!s)
        *oom = 1;
    return s;
}

static double num_member(json_object *o, const char *key)
{
    json_object *v = member(o, key, json_type_double);
    if (!v)
        v = member(o, key, json_type_int);
    double d = v ? json_object_get_double(v) : 0.0;
    return isfinite(d) ? d : 0.0;
}

/* Copies the string elements of the array member key (others skipped). */
static char **dup_strv(json_object *o, const char *key, size_t *n, int *oom)
{
    *n = 0;
    json_object *a = member(o, key, json_type_array);
    size_t len = a ? json_object_array_length(a) : 0;
    if (!len)
        return NULL;
    char **v = calloc(len, sizeof *v);
    if (!v) {
        *oom = 1;
        return NULL;
    }
    for (size_t i = 0; i < len; i++) {
        json_object *e = json_object_array_get_idx(a, i);
        if (!json_object_is_type(e, json_type_string))
            continue;
        v[*n] = strdup(json_object_get_string(e));
        if (!v[*n]) {
            *oom = 1;
            break;
        }
        (*n)++;
    }
    return v;
}

static void parse_step(json_object *o, step_report *s, int *oom)
{
    s->name = dup_member(o, "name", oom);
    s->operation = dup_member(o, "operation", oom);
    s->level = dup_member(o, "level", oom);
    s->request = dup_member(o, "request", oom); /* merge rebuilds report.html from them */
    s->response = dup_member(o, "response", oom);
    json_object *p = member(o, "passed", json_type_boolean);
    s->passed = p ? json_object_get_boolean(p) : 0;
    s->diff = dup_strv(o, "diff", &s->ndiff, oom);
    s->golden = dup_member(o, "golden", oom);
    s->actual = dup_member(o, "actual", oom);
    s->reproduce = dup_member(o, "reproduce", oom);
    json_object *gp = member(o, "golden_passed", json_type_boolean);
    json_object *hp = member(o, "headers_passed", json_type_boolean);
    s->headers_checked = gp && hp;
    s->golden_passed = gp ? json_object_get_boolean(gp) : s->passed;
    s->headers_passed = hp ? json_object_get_boolean(hp) : 0;
    json_object *op = member(o, "open", json_type_boolean);
    s->open = op ? json_object_get_boolean(op) : 0;
    json_object *sf = member(o, "settled_failed", json_type_boolean);
    s->settled_failed = sf ? json_object_get_boolean(sf) : 0;
    json_object *ans = member(o, "answers", json_type_array);
    size_t n = ans ? json_object_array_length(ans) : 0;
    s->answers = n ? calloc(n, sizeof *s->answers) : NULL;
    if (n && !s->answers)
        *oom = 1;
    for (size_t i = 0; s->answers && i < n; i++) {
        json_object *a = json_object_array_get_idx(ans, i);
        if (!json_object_is_type(a, json_type_object))
            continue;
        step_answer *sa = &s->answers[s->nanswers++];
        sa->question = dup_member(a, "question", oom);
        sa->answer = dup_member(a, "answer", oom);
        json_object *m = member(a, "matched", json_type_boolean);
        sa->matched = m ? json_object_get_boolean(m) : 0;
    }
}

/* Returns NULL on success, else the static error text. */
static const char *parse_case(json_object *o, case_report *c, int *oom)
{
    if (!json_object_is_type(o, json_type_object))
        return "a case is not an object";
    json_object *st = member(o, "status", json_type_string);
    if (!member(o, "id", json_type_string))
        return "a case has no string \"id\"";
    if (!st || ecrc_case_status_parse(json_object_get_string(st), &c->status) != 0)
        return "a case has no valid \"status\"";
    c->id = dup_member(o, "id", oom);
    c->file = dup_member(o, "file", oom);
    c->summary = dup_member(o, "summary", oom);
    c->reason = dup_member(o, "reason", oom);
    c->covers = dup_strv(o, "covers", &c->ncovers, oom);
    c->level = dup_member(o, "level", oom);
    c->duration_ms = num_member(o, "duration_ms");
    json_object *be = member(o, "baseline_expected", json_type_boolean);
    c->baseline_expected = be ? json_object_get_boolean(be) : 0;
    c->baseline_reason = dup_member(o, "baseline_reason", oom);

    json_object *steps = member(o, "steps", json_type_array);
    size_t n = steps ? json_object_array_length(steps) : 0;
    if (n) {
        c->steps = calloc(n, sizeof *c->steps);
        if (!c->steps) {
            *oom = 1;
            return NULL;
        }
        for (size_t i = 0; i < n; i++) {
            json_object *so = json_object_array_get_idx(steps, i);
            if (json_object_is_type(so, json_type_object))
                parse_step(so, &c->steps[c->nsteps++], oom);
        }
    }
    return NULL;
}

run_report *ecrc_report_json_parse(json_object *root, const char **err)
{
    const char *dummy;
    if (!err)
        err = &dummy;
    *err = NULL;
    if (!json_object_is_type(root, json_type_object)) {
        *err = "not a report (the top level is not an object)";
        return NULL;
    }
    json_object *h = member(root, "harness", json_type_object);
    json_object *name = member(h, "name", json_type_string);
    if (!name || strcmp(json_object_get_string(name), "ecrconform") != 0) {
        *err = "not an ecrconform report (harness.name is not \"ecrconform\")";
        return NULL;
    }
    json_object *cases = member(root, "cases", json_type_array);
    if (!cases) {
        *err = "not a report (no \"cases\" array)";
        return NULL;
    }

    int oom = 0;
    run_report *r = calloc(1, sizeof *r);
    if (!r) {
        *err = "out of memory";
        return NULL;
    }
    json_object *t = member(root, "target", json_type_object);
    r->harness_version = dup_member(h, "version", &oom);
    r->target = dup_member(t, "name", &oom);
    r->endpoint = dup_member(t, "endpoint", &oom);
    json_object *insecure = NULL;
    r->insecure =
        json_object_object_get_ex(t, "insecure", &insecure) && json_object_get_boolean(insecure);
    json_object *sum = member(root, "summary", json_type_object), *allowed = NULL;
    r->allow_flaky = sum && json_object_object_get_ex(sum, "flaky_allowed", &allowed) &&
                     json_object_get_boolean(allowed);
    r->manifest_only = dup_member(t, "manifest_only_pushes", &oom);
    r->started_at = dup_member(root, "started_at", &oom);
    r->duration_ms = num_member(root, "duration_ms");

    json_object *b = member(root, "baseline", json_type_object);
    if (b) {
        r->baseline_file = dup_member(b, "file", &oom);
        if (!r->baseline_file && !oom)
            r->baseline_file = strdup("");
        if (!r->baseline_file)
            oom = 1;
        r->fixed = dup_strv(b, "fixed", &r->nfixed, &oom);
        r->regressions = dup_strv(b, "regressions", &r->nregressions, &oom);
    }

    size_t n = json_object_array_length(cases);
    if (n) {
        r->cases = calloc(n, sizeof *r->cases);
        if (!r->cases)
            oom = 1;
        else
            r->ncases = n;
    }
    for (size_t i = 0; !oom && i < r->ncases; i++) {
        const char *e = parse_case(json_object_array_get_idx(cases, i), &r->cases[i], &oom);
        if (e) {
            *err = e;
            ecrc_report_free(r);
            return NULL;
        }
    }
    if (oom) {
        *err = "out of memory";
        ecrc_report_free(r);
        return NULL;
    }
    return r;
}
