/* report_files.c: the file-level entry points of the report layer: every
 * report of a run written into one directory, and report.json read back. */
#include "report_files.h"

#include <errno.h>
#include <json-c/json.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ecr/json.h"
#include "ecr/util.h"
#include "report.h"
#include "report_html.h"
#include "report_json.h"
#include "report_junit.h"
#include "report_markdown.h"

/* One report file: its writer and, once written, how it went. */
typedef struct report_job {
    const run_report *r;
    char path[PATH_MAX];
    ecr_result (*write)(const run_report *, const char *);
    ecr_result rc;
    pthread_t th;
    int started;
} report_job;

static void *write_job(void *arg)
{
    report_job *j = arg;
    j->rc = j->write(j->r, j->path);
    return NULL;
}

ecr_result ecrc_report_write_all(const run_report *r, const char *dir)
{
    static const struct {
        const char *name;
        ecr_result (*write)(const run_report *, const char *);
    } writers[] = {
        {"report.json", ecrc_report_write_json},
        {"junit.xml", ecrc_report_write_junit},
        {"report.html", ecrc_report_write_html},
        {"summary.md", ecrc_report_write_markdown},
    };
    enum { NW = sizeof writers / sizeof writers[0] };
    ecr_result rc = ecr_mkdir_p(dir);
    if (rc)
        return rc;
    /* The writers only read the report and each writes its own file: they
     * run at once (the reports are on the way to the verdict; a run that
     * finished should not wait for four serialisations one after another).
     * A writer whose thread cannot start runs here. */
    report_job jobs[NW];
    for (size_t i = 0; i < NW; i++) {
        report_job *j = &jobs[i];
        memset(j, 0, sizeof *j);
        j->r = r;
        j->write = writers[i].write;
        int n = snprintf(j->path, sizeof j->path, "%s/%s", dir, writers[i].name);
        if (n < 0 || (size_t)n >= sizeof j->path) {
            j->rc = ECR_EIO;
            continue;
        }
        j->started = i + 1 < NW && pthread_create(&j->th, NULL, write_job, j) == 0;
        if (!j->started)
            write_job(j);
    }
    ecr_result first = ECR_OK;
    for (size_t i = 0; i < NW; i++) {
        if (jobs[i].started)
            pthread_join(jobs[i].th, NULL);
        if (jobs[i].rc && !first)
            first = jobs[i].rc;
    }
    return first;
}

run_report *ecrc_report_read_json(const char *path, const char **err)
{
    const char *dummy;
    if (!err)
        err = &dummy;
    *err = NULL;
    if (!path) {
        *err = "no path given";
        return NULL;
    }
    /* The callers name the file themselves and want one reason: the
     * diagnostic's detail (line, column) is dropped here. */
    diag_list d;
    ecr_diag_init(&d);
    json_object *root =
        ecr_json_read_file(path, ECRC_REPORT_READ_MAX, ECR_JSON_FILE, NULL, NULL, &d);
    if (!root) {
        const char *m = d.n ? d.items[0].message : "";
        *err = !strncmp(m, "file too large", 14) ? "file is larger than the report size limit"
               : !strncmp(m, "invalid JSON", 12) ? "not valid JSON"
               : !strncmp(m, "cannot", 6)        ? "cannot read the file"
                                                 : "out of memory";
        ecr_diag_free(&d);
        return NULL;
    }
    ecr_diag_free(&d);
    run_report *r = ecrc_report_json_parse(root, err);
    json_object_put(root);
    return r;
}

/* ---- freeing ----------------------------------------------------------- */

static void free_strv(char **v, size_t n)
{
    if (!v)
        return;
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

void ecrc_case_report_clear(case_report *c)
{
    if (!c)
        return;
    free(c->id);
    free(c->file);
    free(c->summary);
    free(c->reason);
    free_strv(c->covers, c->ncovers);
    free(c->level);
    for (size_t i = 0; c->steps && i < c->nsteps; i++) {
        step_report *s = &c->steps[i];
        free(s->name);
        free(s->operation);
        free(s->level);
        free(s->request);
        free(s->response);
        free(s->golden);
        free(s->reproduce);
        free(s->actual);
        json_object_put(s->actual_doc);
        free_strv(s->diff, s->ndiff);
        for (size_t k = 0; s->answers && k < s->nanswers; k++) {
            free(s->answers[k].question);
            free(s->answers[k].answer);
        }
        free(s->answers);
    }
    free(c->steps);
    free(c->baseline_reason);
    memset(c, 0, sizeof *c);
}

void ecrc_report_free(run_report *r)
{
    if (!r)
        return;
    free(r->target);
    free(r->endpoint);
    free(r->manifest_only);
    free(r->harness_version);
    free(r->started_at);
    for (size_t i = 0; r->cases && i < r->ncases; i++)
        ecrc_case_report_clear(&r->cases[i]);
    free(r->cases);
    free(r->baseline_file);
    free_strv(r->fixed, r->nfixed);
    free_strv(r->regressions, r->nregressions);
    free(r);
}
