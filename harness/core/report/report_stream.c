/* report_stream.c: `run --stream-jsonl`: each finished case as one line of
 * JSON, the same object report.json holds for it (report_json.c builds both)
 * plus the baseline's verdict on it, flushed at once so a reader sees the
 * case as soon as it is done. */
#include "report_stream.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ecr/json.h"
#include "ecr/util.h"
#include "baseline.h"
#include "report_json.h"

struct ecrc_stream {
    FILE *f;
    const baseline *bl;
    ecr_result failed; /* the first write error, kept for close */
};

ecrc_stream *ecrc_stream_open(const char *path, const baseline *bl, char **why)
{
    if (why)
        *why = NULL;
    ecrc_stream *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->bl = bl;
    s->f = fopen(path, "w");
    if (!s->f) {
        if (why)
            *why = ecr_asprintf("%s: %s", path, strerror(errno));
        free(s);
        return NULL;
    }
    return s;
}

/* What the baseline says of c: NULL without a baseline or when it has no
 * word on c; "expected" (a failure it lists with that status), "regression"
 * (a failure it does not list as such) or "fixed" (a case it lists that now
 * passes). The same rules as ecrc_baseline_apply. */
static const char *baseline_mark(const baseline *bl, const case_report *c, const char **reason)
{
    *reason = NULL;
    if (!bl)
        return NULL;
    const baseline_entry *e = c->id ? ecrc_baseline_find(bl, c->id) : NULL;
    if (e)
        *reason = e->reason;
    if (c->status == ECRC_CASE_FAIL || c->status == ECRC_CASE_ERROR)
        return e && e->status == c->status ? "expected" : "regression";
    if (e && c->status == ECRC_CASE_PASS)
        return "fixed";
    return NULL;
}

ecrc_stream *ecrc_stream_open_fp(FILE *f, const baseline *bl)
{
    ecrc_stream *s = f ? calloc(1, sizeof *s) : NULL;
    if (!s) {
        if (f)
            fclose(f);
        return NULL;
    }
    s->f = f;
    s->bl = bl;
    return s;
}

ecr_result ecrc_stream_case(ecrc_stream *s, const case_report *c)
{
    if (!s)
        return ECR_OK;
    json_object *o = ecrc_report_json_build_case(c);
    const char *reason = NULL;
    const char *mark = baseline_mark(s->bl, c, &reason);
    ecr_result rc = ECR_OK;
    if (!o)
        rc = ECR_ENOMEM;
    else if (json_object_object_add(o, "baseline", mark ? json_object_new_string(mark) : NULL) ||
             (reason &&
              json_object_object_add(o, "baseline_entry_reason", json_object_new_string(reason))))
        rc = ECR_ENOMEM;
    const char *text = rc ? NULL : json_object_to_json_string_ext(o, ECR_JSON_COMPACT);
    if (!rc && !text)
        rc = ECR_ENOMEM;
    /* Compact json-c output escapes control characters: one object, one line. */
    if (!rc && (fputs(text, s->f) == EOF || fputc('\n', s->f) == EOF || fflush(s->f)))
        rc = ECR_EIO;
    json_object_put(o);
    if (rc && !s->failed)
        s->failed = rc;
    return rc;
}

ecr_result ecrc_stream_close(ecrc_stream *s)
{
    if (!s)
        return ECR_OK;
    ecr_result rc = s->failed;
    if (fclose(s->f) && !rc)
        rc = ECR_EIO;
    free(s);
    return rc;
}
