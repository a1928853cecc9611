#include "baseline.h"

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ecr/buf.h"
#include "ecr/json.h"
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

/* A copy of the string member key of o (at field path where), or NULL: absent
 * (reported when required), not a string, empty when required, or out of
 * memory (all reported). */
static char *string_copy(ecr_json_src *src, json_object *o, const char *where, const char *key,
                         int required)
{
    const char *s = ecr_json_get_string(src, o, where, key,
                                        required ? ECR_JSON_REQUIRED | ECR_JSON_NONEMPTY : 0);
    char *copy = s ? strdup(s) : NULL;
    if (s && !copy)
        ecr_json_error(src, where, "out of memory");
    return copy;
}

baseline *ecrc_baseline_load(const char *path, diag_list *diags)
{
    static const char *const top_keys[] = {"target", "description", "expected_failures", NULL};
    static const char *const entry_keys[] = {"id", "reason", "status", NULL};
    size_t before = diags->n;
    json_object *root =
        ecr_json_read_file(path, BASELINE_READ_MAX, ECR_JSON_FILE, NULL, NULL, diags);
    ecr_json_src src = {path, diags, 0};
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
    ecr_json_check_members(&src, root, "", top_keys);
    b->target = string_copy(&src, root, "", "target", 1);
    b->description = string_copy(&src, root, "", "description", 0);

    json_object *list = ecr_json_get_array(&src, root, "", "expected_failures", ECR_JSON_REQUIRED);
    if (!list)
        goto done;
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
        ecr_json_check_members(&src, e, field, entry_keys);
        char *id = string_copy(&src, e, field, "id", 1);
        char *reason = string_copy(&src, e, field, "reason", 1);
        /* An entry expects one status: a case that used to fail and now
         * errors (the target crashed, say) is a regression, not "expected". */
        char *status = string_copy(&src, e, field, "status", 0);
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
    if (diags->n != before || src.errors) {
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
