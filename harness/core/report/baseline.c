#include "baseline.h"

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ecr/buf.h"
#include "ecr/util.h"
#include "report_json.h"
#include "report_text.h"

/* A baseline is a hand-edited list; anything this large is not one. */
#define BASELINE_READ_MAX (16u * 1024u * 1024u)
#define TODO_PREFIX "TODO: confirm: "

void ecrc_baseline_free(baseline *b)
{
    if (!b)
        return;
    for (size_t i = 0; i < b->n; i++) {
        free(b->entries[i].id);
        free(b->entries[i].reason);
    }
    free(b->entries);
    free(b->path);
    free(b->target);
    free(b->description);
    free(b);
}

const baseline_entry *ecrc_baseline_find(const baseline *b, const char *id)
{
    if (!b || !id)
        return NULL;
    for (size_t i = 0; i < b->n; i++)
        if (strcmp(b->entries[i].id, id) == 0)
            return &b->entries[i];
    return NULL;
}

/* Parses the file into a JSON tree; problems go to diags. */
static json_object *read_json(const char *path, diag_list *diags)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        ecr_diag_add(diags, path, "", "cannot open the baseline");
        return NULL;
    }
    buf b;
    ecr_buf_init(&b, BASELINE_READ_MAX);
    char chunk[8192];
    size_t n;
    ecr_result rc = ECR_OK;
    while (!rc && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
        rc = ecr_buf_append(&b, chunk, n);
    if (!rc && ferror(f))
        rc = ECR_EIO;
    fclose(f);
    if (rc) {
        ecr_diag_add(diags, path, "", "cannot read the baseline: %s", ecr_strerror(rc));
        ecr_buf_free(&b);
        return NULL;
    }
    if (!b.data || strlen(b.data) != b.len) {
        ecr_diag_add(diags, path, "", b.len ? "not JSON: contains NUL bytes" : "empty file");
        ecr_buf_free(&b);
        return NULL;
    }
    json_tokener *tok = json_tokener_new();
    if (!tok) {
        ecr_diag_add(diags, path, "", "out of memory");
        ecr_buf_free(&b);
        return NULL;
    }
    json_object *root = json_tokener_parse_ex(tok, b.data, (int)b.len);
    enum json_tokener_error jerr = json_tokener_get_error(tok);
    size_t end = json_tokener_get_parse_end(tok);
    json_tokener_free(tok);
    if (!root || jerr != json_tokener_success) {
        ecr_diag_add(
            diags, path, "", "not valid JSON: %s (at byte %zu)",
            jerr != json_tokener_success ? json_tokener_error_desc(jerr) : "incomplete text", end);
        json_object_put(root);
        root = NULL;
    } else {
        for (size_t i = end; i < b.len; i++) {
            if (!strchr(" \t\r\n", b.data[i])) {
                ecr_diag_add(diags, path, "", "not valid JSON: trailing data at byte %zu", i);
                json_object_put(root);
                root = NULL;
                break;
            }
        }
    }
    ecr_buf_free(&b);
    return root;
}

/* A copy of the non-empty string member key of o (at field path where), or
 * NULL with a diagnostic (required) or silently (optional). */
static char *string_member(json_object *o, const char *key, const char *path, const char *where,
                           int required, diag_list *diags)
{
    char field[DIAG_FIELD_MAX];
    ecr_diag_field_key(field, sizeof field, where, key);
    json_object *v;
    if (!json_object_object_get_ex(o, key, &v)) {
        if (required)
            ecr_diag_add(diags, path, field, "missing");
        return NULL;
    }
    if (!json_object_is_type(v, json_type_string)) {
        ecr_diag_add(diags, path, field, "must be a string");
        return NULL;
    }
    const char *s = json_object_get_string(v);
    if (required && !s[0]) {
        ecr_diag_add(diags, path, field, "must not be empty");
        return NULL;
    }
    char *copy = strdup(s);
    if (!copy)
        ecr_diag_add(diags, path, field, "out of memory");
    return copy;
}

/* Adds a diagnostic for every member of o not named in allowed. */
static void check_members(json_object *o, const char *const *allowed, const char *path,
                          const char *where, diag_list *diags)
{
    json_object_object_foreach (o, key, val) {
        (void)val;
        int ok = 0;
        for (size_t i = 0; allowed[i] && !ok; i++)
            ok = strcmp(key, allowed[i]) == 0;
        if (!ok)
            ecr_diag_add(diags, path, where, "unknown member \"%s\"", key);
    }
}

baseline *ecrc_baseline_load(const char *path, diag_list *diags)
{
    static const char *const top_keys[] = {"target", "description", "expected_failures", NULL};
    static const char *const entry_keys[] = {"id", "reason", "status", NULL};
    size_t before = diags->n;
    json_object *root = read_json(path, diags);
    if (!root)
        return NULL;
    baseline *b = calloc(1, sizeof *b);
    if (!b) {
        ecr_diag_add(diags, path, "", "out of memory");
        json_object_put(root);
        return NULL;
    }
    b->path = strdup(path);
    if (!b->path)
        ecr_diag_add(diags, path, "", "out of memory");
    if (!json_object_is_type(root, json_type_object)) {
        ecr_diag_add(diags, path, "", "the top level must be an object");
        goto done;
    }
    check_members(root, top_keys, path, "", diags);
    b->target = string_member(root, "target", path, "", 1, diags);
    b->description = string_member(root, "description", path, "", 0, diags);

    json_object *list;
    if (!json_object_object_get_ex(root, "expected_failures", &list)) {
        ecr_diag_add(diags, path, "expected_failures", "missing");
        goto done;
    }
    if (!json_object_is_type(list, json_type_array)) {
        ecr_diag_add(diags, path, "expected_failures", "must be an array");
        goto done;
    }
    size_t n = json_object_array_length(list);
    b->entries = n ? calloc(n, sizeof *b->entries) : NULL;
    if (n && !b->entries) {
        ecr_diag_add(diags, path, "expected_failures", "out of memory");
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        char field[DIAG_FIELD_MAX];
        json_object *e = json_object_array_get_idx(list, i);
        ecr_diag_field_index(field, sizeof field, "expected_failures", i);
        if (!json_object_is_type(e, json_type_object)) {
            ecr_diag_add(diags, path, field, "must be an object {\"id\", \"reason\"}");
            continue;
        }
        check_members(e, entry_keys, path, field, diags);
        char *id = string_member(e, "id", path, field, 1, diags);
        char *reason = string_member(e, "reason", path, field, 1, diags);
        /* An entry expects one status: a case that used to fail and now
         * errors (the target crashed, say) is a regression, not "expected". */
        char *status = string_member(e, "status", path, field, 0, diags);
        case_status st = ECRC_CASE_FAIL;
        if (status && strcmp(status, "fail") && strcmp(status, "error")) {
            char st_field[DIAG_FIELD_MAX];
            ecr_diag_field_key(st_field, sizeof st_field, field, "status");
            ecr_diag_add(diags, path, st_field, "must be \"fail\" (the default) or \"error\"");
        } else if (status && !strcmp(status, "error")) {
            st = ECRC_CASE_ERROR;
        }
        free(status);
        if (id && ecrc_baseline_find(b, id)) {
            char id_field[DIAG_FIELD_MAX];
            ecr_diag_field_key(id_field, sizeof id_field, field, "id");
            ecr_diag_add(diags, path, id_field, "\"%s\" is listed more than once", id);
        }
        if (!id || !reason) {
            free(id);
            free(reason);
            continue;
        }
        b->entries[b->n].id = id;
        b->entries[b->n].reason = reason;
        b->entries[b->n].status = st;
        b->n++;
    }
done:
    json_object_put(root);
    if (diags->n != before) {
        ecrc_baseline_free(b);
        return NULL;
    }
    return b;
}

static int is_failure(const case_report *c)
{
    return c->status == ECRC_CASE_FAIL || c->status == ECRC_CASE_ERROR;
}

static void clear_marks(run_report *r)
{
    for (size_t i = 0; i < r->ncases; i++) {
        r->cases[i].baseline_expected = 0;
        free(r->cases[i].baseline_reason);
        r->cases[i].baseline_reason = NULL;
    }
    for (size_t i = 0; i < r->nfixed; i++)
        free(r->fixed[i]);
    for (size_t i = 0; i < r->nregressions; i++)
        free(r->regressions[i]);
    free(r->fixed);
    free(r->regressions);
    free(r->baseline_file);
    r->fixed = r->regressions = NULL;
    r->nfixed = r->nregressions = 0;
    r->baseline_file = NULL;
}

static const case_report *find_case(const run_report *r, const char *id)
{
    for (size_t i = 0; i < r->ncases; i++)
        if (r->cases[i].id && strcmp(r->cases[i].id, id) == 0)
            return &r->cases[i];
    return NULL;
}

ecr_result ecrc_baseline_apply(const baseline *b, run_report *r)
{
    clear_marks(r);
    r->baseline_file = strdup(b->path ? b->path : "");
    if (!r->baseline_file)
        return ECR_ENOMEM;
    if (b->n && !(r->fixed = calloc(b->n, sizeof *r->fixed)))
        return ECR_ENOMEM;
    if (r->ncases && !(r->regressions = calloc(r->ncases, sizeof *r->regressions)))
        return ECR_ENOMEM;

    for (size_t i = 0; i < r->ncases; i++) {
        case_report *c = &r->cases[i];
        if (!is_failure(c))
            continue;
        const baseline_entry *e = ecrc_baseline_find(b, c->id);
        if (e && e->status == c->status) {
            c->baseline_expected = 1;
            if (!(c->baseline_reason = strdup(e->reason)))
                return ECR_ENOMEM;
        } else {
            if (!(r->regressions[r->nregressions] = strdup(c->id ? c->id : "")))
                return ECR_ENOMEM;
            r->nregressions++;
        }
    }
    for (size_t i = 0; i < b->n; i++) {
        const case_report *c = find_case(r, b->entries[i].id);
        if (!c || c->status != ECRC_CASE_PASS)
            continue;
        if (!(r->fixed[r->nfixed] = strdup(b->entries[i].id)))
            return ECR_ENOMEM;
        r->nfixed++;
    }
    return ECR_OK;
}

int ecrc_baseline_exit_code(const run_report *r, int failure_code)
{
    if (r->baseline_file)
        return r->nregressions ? failure_code : 0;
    for (size_t i = 0; i < r->ncases; i++)
        if (is_failure(&r->cases[i]))
            return failure_code;
    return 0;
}

/* A JSON string of s, redacted and valid UTF-8 (reasons quote peer data). */
static json_object *clean_string(const char *s)
{
    char *red = ecrc_report_text_redact(s ? s : "");
    char *clean = red ? ecrc_report_text_utf8(red) : NULL;
    free(red);
    json_object *j = clean ? json_object_new_string(clean) : NULL;
    free(clean);
    return j;
}

static int add(json_object *o, const char *key, json_object *v)
{
    if (!v || json_object_object_add(o, key, v) != 0) {
        json_object_put(v);
        return -1;
    }
    return 0;
}

ecr_result ecrc_baseline_write_from_report(const run_report *r, const char *path,
                                           const char *target, const char *default_reason)
{
    if (!target)
        target = r->target ? r->target : "unnamed";
    if (!default_reason)
        default_reason = "no reason recorded";

    /* target may come from a report file or --target: allocated, not cut. */
    char *desc = ecr_asprintf(
        "Expected failures of %s, generated by `ecrconform baseline` from the run started %s. "
        "Replace every TODO reason with why the target diverges.",
        target, r->started_at ? r->started_at : "(unknown)");
    if (!desc)
        return ECR_ENOMEM;

    int bad = 0;
    json_object *root = json_object_new_object();
    json_object *list = json_object_new_array();
    if (!root || !list) {
        json_object_put(root);
        json_object_put(list);
        free(desc);
        return ECR_ENOMEM;
    }
    bad |= add(root, "target", clean_string(target));
    bad |= add(root, "description", clean_string(desc));
    free(desc);
    bad |= add(root, "expected_failures", list);
    for (size_t i = 0; !bad && i < r->ncases; i++) {
        const case_report *c = &r->cases[i];
        if (!is_failure(c))
            continue;
        char *reason = NULL;
        if (c->baseline_expected && c->baseline_reason) {
            reason = strdup(c->baseline_reason);
        } else {
            const char *why = ecrc_report_case_headline(c);
            buf rb;
            ecr_buf_init(&rb, strlen(why) + strlen(default_reason) + sizeof TODO_PREFIX + 1);
            if (ecr_buf_puts(&rb, TODO_PREFIX) == ECR_OK &&
                ecr_buf_puts(&rb, why[0] ? why : default_reason) == ECR_OK)
                reason = ecr_buf_steal(&rb);
            ecr_buf_free(&rb);
        }
        json_object *e = json_object_new_object();
        if (!reason || !e) {
            free(reason);
            json_object_put(e);
            bad = 1;
            break;
        }
        bad |= add(e, "id", clean_string(c->id));
        bad |= add(e, "reason", clean_string(reason));
        if (c->status == ECRC_CASE_ERROR)
            bad |= add(e, "status", json_object_new_string("error"));
        free(reason);
        if (json_object_array_add(list, e) != 0) {
            json_object_put(e);
            bad = 1;
        }
    }
    if (bad) {
        json_object_put(root);
        return ECR_ENOMEM;
    }
    ecr_result rc = ecrc_report_json_save(root, path);
    json_object_put(root);
    return rc;
}
