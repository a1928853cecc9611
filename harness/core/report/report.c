/* report.c: the result model's helpers (names, summary, coverage, freeing).
 * The files live in report_files.c; the JSON mapping in report_json.c. */
#include "report.h"

#include <errno.h>
#include <json-c/json.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ecr/buf.h"

const char *const ecrc_report_known_failure_codes[] = {
    "ImageNotFound",
    "ImageReferencedByManifestList",
    "InvalidImageDigest",
    "ImageTagDoesNotMatchDigest",
    "MissingDigestAndTag",
    "InvalidImageTag",
    "KmsError",
    "UpstreamAccessDenied",
    "UpstreamTooManyRequests",
    "UpstreamUnavailable",
    "ImageInaccessible",
    NULL,
};

static const char *const status_names[ECRC_CASE_NSTATUS] = {"pass", "fail", "error", "skip",
                                                            "flaky"};

const char *ecrc_case_status_name(case_status s)
{
    if ((unsigned)s >= ECRC_CASE_NSTATUS)
        return "unknown";
    return status_names[s];
}

int ecrc_case_status_parse(const char *name, case_status *out)
{
    if (!name)
        return -1;
    for (int i = 0; i < ECRC_CASE_NSTATUS; i++) {
        if (strcmp(name, status_names[i]) == 0) {
            *out = (case_status)i;
            return 0;
        }
    }
    return -1;
}

double ecrc_report_score(size_t passed, size_t ran)
{
    return ran ? (double)passed / (double)ran : 0.0;
}

static void count_level(report_summary *s, const char *level, int pass)
{
    const char *l = level ? level : "";
    if (strcmp(l, "C") == 0 || strcmp(l, "D") == 0) {
        s->cd_total++;
        s->cd_passed += (size_t)pass;
    } else if (strcmp(l, "I") == 0 || strcmp(l, "E") == 0) {
        s->ie_total++;
        s->ie_passed += (size_t)pass;
    }
}

void ecrc_report_summarize(const run_report *r, report_summary *s)
{
    memset(s, 0, sizeof *s);
    for (size_t i = 0; i < r->ncases; i++) {
        const case_report *c = &r->cases[i];
        s->total++;
        switch (c->status) {
        case ECRC_CASE_PASS:
            s->passed++;
            break;
        case ECRC_CASE_FAIL:
            s->failed++;
            break;
        case ECRC_CASE_ERROR:
            s->errored++;
            break;
        case ECRC_CASE_SKIP:
            s->skipped++;
            break;
        case ECRC_CASE_FLAKY:
            s->flaky++;
            break;
        }
        if (c->status == ECRC_CASE_SKIP)
            continue; /* a skip says nothing about any level */
        if (ecrc_report_case_expected_failure(c))
            s->expected++;
        /* Levels are counted per expectation (each step's golden), so a case
         * whose C assertion held but whose I state check failed shows up on
         * both sides. Reports read back without steps fall back to the case's
         * own (weakest) level. */
        if (c->nsteps) {
            for (size_t k = 0; k < c->nsteps; k++) {
                const step_report *st = &c->steps[k];
                /* The golden's own expectation, at its level (or open), and
                 * the default header check, a C expectation of its own. */
                int ok = st->headers_checked ? st->golden_passed != 0 : st->passed != 0;
                /* An open golden whose every question got a listed answer but
                 * that failed elsewhere failed on its settled facts: it counts
                 * at its level, not as open. */
                int answered = st->nanswers > 0;
                for (size_t a = 0; a < st->nanswers; a++)
                    answered &= st->answers[a].matched != 0;
                if (st->open && (ok || (!answered && !st->settled_failed))) {
                    s->open_total++;
                    s->open_passed += (size_t)ok;
                } else {
                    count_level(s, st->level, ok);
                }
                if (st->headers_checked) {
                    s->headers_total++;
                    s->headers_passed += st->headers_passed != 0;
                    count_level(s, "C", st->headers_passed != 0);
                }
            }
        } else {
            count_level(s, c->level, c->status == ECRC_CASE_PASS);
        }
    }
    s->score = ecrc_report_score(s->passed, s->total - s->skipped);
}

int ecrc_report_case_expected_failure(const case_report *c)
{
    return c && c->baseline_expected &&
           (c->status == ECRC_CASE_FAIL || c->status == ECRC_CASE_ERROR);
}

const char *ecrc_report_case_headline(const case_report *c)
{
    for (size_t i = 0; i < c->nsteps; i++)
        if (c->steps[i].ndiff && c->steps[i].diff[0])
            return c->steps[i].diff[0];
    return c->reason ? c->reason : "";
}

/* ---- coverage ---------------------------------------------------------- */

static int cmp_label(const void *a, const void *b)
{
    const coverage_entry *x = a, *y = b;
    return strcmp(x->label, y->label);
}

static coverage_entry *find_entry(report_coverage *c, const char *label)
{
    for (size_t i = 0; i < c->n; i++)
        if (strcmp(c->entries[i].label, label) == 0)
            return &c->entries[i];
    return NULL;
}

ecr_result ecrc_report_coverage_build(const run_report *r, report_coverage *out)
{
    out->entries = NULL;
    out->n = 0;
    size_t cap = 0;
    for (size_t i = 0; i < r->ncases; i++)
        cap += r->cases[i].ncovers;
    if (!cap)
        return ECR_OK;
    out->entries = calloc(cap, sizeof *out->entries);
    if (!out->entries)
        return ECR_ENOMEM;

    for (size_t i = 0; i < r->ncases; i++) {
        const case_report *c = &r->cases[i];
        for (size_t k = 0; k < c->ncovers; k++) {
            const char *label = c->covers[k];
            if (!label)
                continue;
            coverage_entry *e = find_entry(out, label);
            if (!e) {
                e = &out->entries[out->n++];
                e->label = label;
                /* At most one slot per case: a label is counted once per case. */
                e->cases = calloc(r->ncases, sizeof *e->cases);
                if (!e->cases) {
                    ecrc_report_coverage_free(out);
                    return ECR_ENOMEM;
                }
            }
            if (e->ncases && e->cases[e->ncases - 1] == i)
                continue; /* listed twice in the same case */
            e->cases[e->ncases++] = i;
            e->total++;
            if ((unsigned)c->status < ECRC_CASE_NSTATUS)
                e->count[c->status]++;
        }
    }
    qsort(out->entries, out->n, sizeof *out->entries, cmp_label);
    return ECR_OK;
}

void ecrc_report_coverage_free(report_coverage *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n; i++)
        free(c->entries[i].cases);
    free(c->entries);
    c->entries = NULL;
    c->n = 0;
}

void ecrc_report_gate(const run_report *r, const report_summary *s, report_gate *g)
{
    g->expected = s->expected;
    g->fixed = r->baseline_file ? r->nfixed : 0;
    g->new_failures = r->baseline_file ? r->nregressions : s->failed + s->errored;
    g->flaky = s->flaky;
    g->flaky_allowed = r->allow_flaky;
    g->met = g->new_failures == 0 && (g->flaky == 0 || g->flaky_allowed);
}
