#include "runner.h"
#include "ecr/protocol.h"

#include <json-c/json.h>
#include <openssl/rand.h>
#include <pthread.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "ecr/buf.h"
#include "ecr/json.h"
#include "ecr/util.h"
#include "compare.h"
#include "curlcmd.h"
#include "ecr/digest.h"
#include "ecr/util.h"
#include "fixture.h"
#include "liverules.h"
#include "clientpool.h"
#include "ratelimit.h"
#include "stepreq.h"
#include "vars.h"

/* Shared by the worker threads; `mu` guards next, progress and the calls
 * of opt->on_case_done. */
typedef struct run_ctx {
    const runner_options *opt;
    const run_entry *entries;
    size_t n;
    run_report *rep;
    char run_id[16];
    pthread_mutex_t mu;
    size_t next;         /* into order */
    const size_t *order; /* entries, longest first (NULL: entry order) */
    client_pool *pool;   /* spare connections for fixtures; NULL: none */
    runner_progress progress;
    ecrc_ratelimit *limiter; /* --max-rps, shared by the workers; NULL: none */
    double deadline_at;      /* CLOCK_MONOTONIC ms (--deadline); 0: none */
    int consecutive;         /* cases in a row that could not reach the target */
    char stop[512];          /* why the remaining cases are not run; "" while they are */
} run_ctx;

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

/* ecr_term_safe for a string we own (a message just formatted): peer bytes
 * in it cannot drive the user's terminal or break the reports. Takes
 * ownership of s; returns a new string (NULL when s is NULL or memory runs
 * out). */
static char *term_safe_owned(char *s)
{
    char *t = ecr_term_safe(s);
    free(s);
    return t;
}

/* Sets or extends a case's reason ("first; second"): a later problem never
 * hides (or leaks) an earlier one. Takes ownership of add. */
static void add_reason(case_report *cr, char *add)
{
    if (!add)
        return;
    if (!cr->reason) {
        cr->reason = add;
        return;
    }
    char *both = ecr_asprintf("%s; %s", cr->reason, add);
    free(add);
    if (both) {
        free(cr->reason);
        cr->reason = both;
    }
}

static int is_secret_header(const char *name)
{
    return !strcasecmp(name, "authorization") || !strcasecmp(name, "x-amz-security-token");
}

/* Request as recorded in reports. The Authorization header is built inside
 * the client and never reaches this text; a case's own credential headers are
 * redacted here. */
static char *describe_request(const aws_request *req, const char *target)
{
    buf b;
    ecr_buf_init(&b, 1u << 20);
    ecr_buf_printf(&b, "POST /\nX-Amz-Target: %s\nContent-Type: " ECR_CONTENT_TYPE "\n", target);
    /* An unsigned request gets no Authorization line at all: the report
     * writers redact every such line, which would make it look signed. */
    if (req->auth == ECRC_SIGN_NONE)
        ecr_buf_puts(&b, "(unsigned: no Authorization header sent)\n");
    else
        ecr_buf_printf(&b, "Authorization: AWS4-HMAC-SHA256 REDACTED\n(signing: %s)\n",
                       ecrc_sign_mode_name(req->auth));
    for (size_t i = 0; i < req->nheaders; i++)
        ecr_buf_printf(&b, "%s: %s\n", req->headers[i].name,
                       is_secret_header(req->headers[i].name) ? "REDACTED" : req->headers[i].value);
    ecr_buf_puts(&b, "\n");
    ecr_buf_append(&b, req->body, req->body_len);
    return ecr_buf_steal(&b);
}

static char *describe_response(const aws_response *r)
{
    buf b;
    /* Room for the largest body the client accepts, plus headers. */
    ecr_buf_init(&b, AWS_DEFAULT_MAX_RESPONSE + (1u << 20));
    ecr_buf_printf(&b, "HTTP %ld\n", r->status);
    for (size_t i = 0; i < r->nheaders; i++)
        ecr_buf_printf(&b, "%s: %s\n", r->headers[i].name,
                       is_secret_header(r->headers[i].name) ? "REDACTED" : r->headers[i].value);
    ecr_buf_puts(&b, "\n");
    if (r->body && ecr_buf_append(&b, r->body, r->body_len) == ECR_ETOOBIG)
        ecr_buf_puts(&b, "\n...(body truncated in the report)");
    return ecr_buf_steal(&b);
}

/* Appends "path: expected E, got A" lines of d to the step report. */
static void record_diffs(step_report *sr, const diff_list *d)
{
    if (!d->n)
        return;
    char **lines = realloc(sr->diff, (sr->ndiff + d->n) * sizeof *lines);
    if (!lines)
        return;
    sr->diff = lines;
    for (size_t i = 0; i < d->n; i++) {
        char *l = term_safe_owned(ecr_asprintf("%s: expected %s, got %s", d->items[i].path,
                                               d->items[i].expected, d->items[i].actual));
        if (l)
            sr->diff[sr->ndiff++] = l;
    }
}

/* The actual response in golden form, so a reviewer can diff or accept it.
 * It carries a "review" member naming the target it was recorded from: lint
 * refuses that member, so a copied file cannot become a golden until someone
 * has checked its provenance (it still holds the old golden's) and matchers.
 * The report layer writes it to a file (ecrc_actuals_write_case). Returns a
 * new object (the caller puts it), or NULL when memory ran out. */
static json_object *build_actual(const run_ctx *ctx, const case_step *s, const aws_response *r,
                                 json_object *actual_body)
{
    json_object *g = json_object_new_object();
    if (!g)
        return NULL;
    char *review = ecr_asprintf(
        "recorded from target '%s' (%s): check the provenance (copied from the old golden) "
        "and put matchers back where values are not literal, then delete this member",
        ctx->opt->target->name, ctx->opt->target->endpoint);
    json_object_object_add(g, "review", review ? json_object_new_string(review) : NULL);
    free(review);
    json_object *prov = json_object_new_object();
    json_object_object_add(prov, "level",
                           json_object_new_string(ecrc_golden_level_name(s->golden->level)));
    json_object *src = json_object_new_array();
    for (size_t i = 0; i < s->golden->nsources; i++)
        json_object_array_add(src, json_object_new_string(s->golden->sources[i]));
    json_object_object_add(prov, "sources", src);
    if (s->golden->notes)
        json_object_object_add(prov, "notes", json_object_new_string(s->golden->notes));
    json_object_object_add(g, "provenance", prov);
    json_object_object_add(g, "status", json_object_new_int((int)r->status));
    if (s->golden->headers) {
        /* The headers the golden asserts, with what the target sent. */
        json_object *h = json_object_new_object();
        json_object_object_foreach (s->golden->headers, name, val) {
            (void)val;
            const char *hv = ecrc_aws_response_header(r, name);
            json_object_object_add(h, name, hv ? json_object_new_string(hv) : NULL);
        }
        json_object_object_add(g, "headers", h);
    }
    if (r->status >= 300 && r->error_type[0]) {
        json_object *e = json_object_new_object();
        json_object_object_add(e, "type", json_object_new_string(r->error_type));
        if (r->error_message)
            json_object_object_add(e, "message", json_object_new_string(r->error_message));
        json_object_object_add(g, "error", e);
    } else if (actual_body) {
        json_object_object_add(g, "body", json_object_get(actual_body));
    } else {
        /* Not JSON (an HTML error page, say): kept verbatim as a string. */
        json_object_object_add(
            g, "body", json_object_new_string_len(r->body ? r->body : "", (int)r->body_len));
    }
    return g;
}

/* The JSON body of r, or NULL when it is not JSON (ECR_JSON_PEER: json-c's
 * defaults, as the runner always parsed peers). What a golden cannot see in
 * the parsed value becomes a difference: bytes after the value (a golden
 * describes the whole body) and a key repeated in one object (json-c keeps
 * the last one silently; ECR never sends two). */
static json_object *parse_body(const aws_response *r, diff_list *d)
{
    if (!r->body || !r->body_len)
        return NULL;
    size_t rest = r->body_len;
    json_object *j = ecr_json_parse(r->body, r->body_len, ECR_JSON_PEER, &rest, NULL, NULL);
    if (!j)
        return NULL;
    if (rest < r->body_len) {
        char a[64];
        snprintf(a, sizeof a, "%zu more bytes after the JSON value", r->body_len - rest);
        ecrc_diff_add(d, "$.body", "one JSON value", a);
    }
    diag_list dups;
    ecr_diag_init(&dups);
    size_t rest2 = r->body_len;
    json_object *checked =
        ecr_json_parse(r->body, r->body_len, ECR_JSON_CHECKED, &rest2, NULL, &dups);
    int dup = !checked && dups.n && strstr(dups.items[0].message, "duplicate key");
    int big = !checked && dups.n && strstr(dups.items[0].message, "64-bit range");
    if (dup || big) {
        char a[512];
        snprintf(a, sizeof a, "%.480s", dups.items[0].message);
        ecrc_diff_add(d, "$.body",
                      dup ? "a JSON body without duplicate keys"
                          : "a JSON body whose integers fit in 64 bits",
                      a);
    }
    json_object_put(checked);
    ecr_diag_free(&dups);
    return j;
}

/* error.members: the exact member names of the error body. */
static void check_error_members(const golden *g, json_object *actual_body, diff_list *d)
{
    if (json_object_get_type(actual_body) != json_type_object) {
        ecrc_diff_add(d, "$.error{members}", json_object_to_json_string(g->error_members),
                      "(not a JSON object body)");
        return;
    }
    for (size_t i = 0; i < json_object_array_length(g->error_members); i++) {
        const char *want = json_object_get_string(json_object_array_get_idx(g->error_members, i));
        if (!json_object_object_get_ex(actual_body, want, NULL))
            ecrc_diff_add(d, "$.error{members}{missing}", want, "(absent)");
    }
    json_object_object_foreach (actual_body, key, val) {
        (void)val;
        int listed = 0;
        for (size_t i = 0; i < json_object_array_length(g->error_members); i++)
            listed |= !strcmp(
                key, json_object_get_string(json_object_array_get_idx(g->error_members, i)));
        if (!listed)
            ecrc_diff_add(d, "$.error{members}{unexpected}", "(absent)", key);
    }
}

/* Compares one response with one expected response g (a plain golden or one
 * alternative of an open golden). Answers to open questions inside values
 * are taken from fixed and recorded in given. Returns the number of
 * differences. */
static size_t check_response(const golden *g, vars *v, const aws_response *r,
                             json_object *actual_body, diff_list *d, const answer_list *fixed,
                             answer_list *given)
{
    ecr_result rc;
    char bad[128];
    size_t before = d->n;

    if (r->status != g->status) {
        char e[16], a[16];
        snprintf(e, sizeof e, "%d", g->status);
        snprintf(a, sizeof a, "%ld", r->status);
        ecrc_diff_add(d, "$.status", e, a);
    }
    if (g->error_type) {
        if (strcmp(g->error_type, r->error_type) || r->error_type_too_long) {
            /* The golden's type has no length limit: formatted, not cut. */
            char *e = ecr_asprintf("\"%s\"", g->error_type);
            char *a = r->error_type_too_long ? ecr_strdup(ecrc_aws_response_error_type(r))
                      : r->error_type[0]     ? ecr_asprintf("\"%s\"", r->error_type)
                                             : ecr_asprintf("(no error type; HTTP %ld)", r->status);
            ecrc_diff_add(d, "$.error.type", e ? e : "(out of memory)", a ? a : "(out of memory)");
            free(e);
            free(a);
        }
        if (g->error_message) {
            json_object *exp = ecrc_vars_expand_json(v, g->error_message, &rc, bad, sizeof bad);
            json_object *act = r->error_message ? json_object_new_string(r->error_message) : NULL;
            if (exp)
                ecrc_compare_json_open(exp, act, "$.error.message", d, fixed, given);
            else
                ecrc_diff_add(d, "$.error.message", "(golden uses an unknown variable)", bad);
            json_object_put(exp);
            json_object_put(act);
        }
        if (g->error_members)
            check_error_members(g, actual_body, d);
    }
    if (g->body) {
        json_object *exp = ecrc_vars_expand_json(v, g->body, &rc, bad, sizeof bad);
        if (!exp) {
            ecrc_diff_add(d, "$.body", "(golden uses an unknown variable)", bad);
        } else if (!actual_body) {
            char a[160];
            snprintf(a, sizeof a, "(not JSON: %.100s)", r->body ? r->body : "");
            /* The cut may split a UTF-8 sequence; record_diffs sanitises. */
            ecrc_diff_add(d, "$.body", "a JSON body", a);
        } else {
            ecrc_compare_json_open(exp, actual_body, "$.body", d, fixed, given);
        }
        json_object_put(exp);
    }
    if (g->headers) {
        json_object_object_foreach (g->headers, name, val) {
            json_object *exp = ecrc_vars_expand_json(v, val, &rc, bad, sizeof bad);
            const char *hv = ecrc_aws_response_header(r, name);
            json_object *act = hv ? json_object_new_string(hv) : NULL;
            char *path = ecr_asprintf("$.headers[\"%s\"]", name);
            const char *where = path ? path : "$.headers";
            if (exp)
                ecrc_compare_json_open(exp, act, where, d, fixed, given);
            else
                ecrc_diff_add(d, where, "(golden uses an unknown variable)", bad);
            free(path);
            json_object_put(exp);
            json_object_put(act);
        }
    }
    return d->n - before;
}

/* What every ECR answer carries (ECR-BEHAVIOUR.md#response-headers):
 * Content-Type application/x-amz-json-1.1 and a UUID x-amzn-RequestId.
 * Checked on every step unless the golden asserts the header itself or opts
 * out with skip_default_headers. */
#define UUID_RE "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"

static int golden_names_header(const golden *g, const char *name)
{
    for (size_t i = 0; i <= g->nalts; i++) {
        const golden *r = i < g->nalts ? &g->alts[i] : g;
        if (!r->headers)
            continue;
        json_object_object_foreach (r->headers, k, val) {
            (void)val;
            if (!strcasecmp(k, name))
                return 1;
        }
    }
    return 0;
}

/* Returns the number of differences added; *checked is 1 when the check ran. */
static size_t check_default_headers(const golden *g, const aws_response *r, diff_list *d,
                                    int *checked)
{
    size_t before = d->n;
    *checked = !g->skip_default_headers;
    if (g->skip_default_headers)
        return 0;
    if (!golden_names_header(g, "Content-Type")) {
        const char *ct = ecrc_aws_response_header(r, "Content-Type");
        if (!ct || strcmp(ct, ECR_CONTENT_TYPE)) {
            char a[300];
            snprintf(a, sizeof a, ct ? "\"%.250s\"" : "(absent)", ct);
            ecrc_diff_add(d, "$.headers[\"Content-Type\"]",
                          "\"" ECR_CONTENT_TYPE "\" (default check)", a);
        }
    }
    if (!golden_names_header(g, "x-amzn-RequestId")) {
        const char *id = ecrc_aws_response_header(r, "x-amzn-RequestId");
        regex_t rx;
        int ok = 0;
        if (id && regcomp(&rx, UUID_RE, REG_EXTENDED | REG_NOSUB) == 0) {
            ok = regexec(&rx, id, 0, NULL, 0) == 0;
            regfree(&rx);
        }
        if (!ok) {
            char a[300];
            snprintf(a, sizeof a, id ? "\"%.250s\"" : "(absent)", id);
            ecrc_diff_add(d, "$.headers[\"x-amzn-RequestId\"]", "a UUID (default check)", a);
        }
    }
    return d->n - before;
}

/* Compares one response with its golden: the default headers, then the
 * golden or, for an open golden, its alternatives (only the answer an earlier
 * step of the case fixed, when it is listed; on a mismatch the closest
 * alternative's differences). Returns the number of differences. */
static size_t check_step(const case_step *s, vars *v, const aws_response *r,
                         json_object **actual_body, diff_list *d, const answer_list *fixed,
                         answer_list *given, step_report *sr, size_t *header_diffs)
{
    const golden *g = s->golden;
    /* A body merged from several pages (follow_pages) is given; else the
     * response's own body is parsed here. */
    if (!*actual_body)
        *actual_body = parse_body(r, d);
    int checked;
    size_t hd = check_default_headers(g, r, d, &checked);
    sr->headers_checked = checked;
    sr->headers_passed = checked && hd == 0;
    *header_diffs = hd;
    if (!g->nalts) {
        check_response(g, v, r, *actual_body, d, fixed, given);
        return d->n;
    }
    if (g->status && r->status != g->status) {
        /* The status every answer shares: the step fails on a settled fact. */
        char e[64], a[16];
        snprintf(e, sizeof e, "%d (every answer to %s)", g->status, g->question);
        snprintf(a, sizeof a, "%ld", r->status);
        ecrc_diff_add(d, "$.status", e, a);
        sr->settled_failed = 1;
    }
    const char *names[64] = {0};
    size_t nn = g->nalts < 64 ? g->nalts : 64;
    for (size_t i = 0; i < nn; i++)
        names[i] = g->alts[i].answer;
    int forced = 0;
    for (size_t i = 0; i < nn; i++)
        forced |= !ecrc_answers_allows(fixed, g->question, names[i], names, nn);
    size_t best = g->nalts, bestn = 0;
    diff_list bestd;
    ecrc_diff_init(&bestd);
    char matched[512] = "";
    answer_list inner; /* answers to questions inside the first matching alternative */
    ecrc_answers_init(&inner);
    for (size_t i = 0; i < g->nalts; i++) {
        const golden *a = &g->alts[i];
        if (!ecrc_answers_allows(fixed, g->question, a->answer, names, nn))
            continue;
        diff_list ad;
        answer_list ag;
        ecrc_diff_init(&ad);
        ecrc_answers_init(&ag);
        size_t k = check_response(a, v, r, *actual_body, &ad, fixed, &ag);
        if (k == 0) {
            size_t have = strlen(matched);
            snprintf(matched + have, sizeof matched - have, "%s%s", have ? "|" : "", a->answer);
            if (!inner.n)
                for (size_t j = 0; j < ag.n; j++)
                    ecrc_answers_set(&inner, ag.items[j].question, ag.items[j].answer,
                                     ag.items[j].matched);
            ecrc_answers_free(&ag);
            ecrc_diff_free(&ad);
            continue;
        }
        ecrc_answers_free(&ag);
        if (best == g->nalts || k < bestn) {
            ecrc_diff_free(&bestd);
            bestd = ad;
            best = i;
            bestn = k;
        } else {
            ecrc_diff_free(&ad);
        }
    }
    if (matched[0]) {
        ecrc_answers_set(given, g->question, matched, 1);
        for (size_t j = 0; j < inner.n; j++)
            ecrc_answers_set(given, inner.items[j].question, inner.items[j].answer,
                             inner.items[j].matched);
        ecrc_answers_free(&inner);
        ecrc_diff_free(&bestd);
        return d->n;
    }
    ecrc_answers_free(&inner);
    const char *closest = best < g->nalts ? g->alts[best].answer : "?";
    char rec[256], msg[700];
    snprintf(rec, sizeof rec, "none (closest: %s)", closest);
    ecrc_answers_set(given, g->question, rec, 0);
    if (forced) {
        snprintf(msg, sizeof msg,
                 "the answer to open question %s an earlier step gave ('%s'); its differences "
                 "follow",
                 g->question, closest);
    } else {
        int k = snprintf(msg, sizeof msg, "one of the answers to open question %s (", g->question);
        for (size_t i = 0; i < nn && k > 0 && (size_t)k < sizeof msg; i++)
            k += snprintf(msg + k, sizeof msg - (size_t)k, "%s'%s'", i ? ", " : "", names[i]);
        if (k > 0 && (size_t)k < sizeof msg)
            snprintf(msg + k, sizeof msg - (size_t)k,
                     "); none matched, the closest is '%s', its differences follow", closest);
    }
    char act[64];
    snprintf(act, sizeof act, "HTTP %ld", r->status);
    ecrc_diff_add(d, "$", msg, act);
    for (size_t i = 0; i < bestd.n; i++)
        ecrc_diff_add(d, bestd.items[i].path, bestd.items[i].expected, bestd.items[i].actual);
    ecrc_diff_free(&bestd);
    return d->n;
}

/* The step's answers to open questions into its report, and the matched
 * ones into the case's list (they fix the answer for later steps). */
static void record_answers(step_report *sr, const answer_list *given, answer_list *answers)
{
    if (!given->n)
        return;
    sr->answers = calloc(given->n, sizeof *sr->answers);
    for (size_t i = 0; sr->answers && i < given->n; i++) {
        step_answer *a = &sr->answers[sr->nanswers];
        a->question = ecr_strdup(given->items[i].question);
        a->answer = ecr_strdup(given->items[i].answer);
        a->matched = given->items[i].matched;
        if (a->question && a->answer)
            sr->nanswers++;
        else {
            free(a->question);
            free(a->answer);
        }
        if (given->items[i].matched)
            ecrc_answers_set(answers, given->items[i].question, given->items[i].answer, 1);
    }
}

static int is_transport(ecr_result rc);

/* At most this many pages of one listing are fetched and merged: 100000
 * items at ECR's default page size of 100, far beyond any case; a target
 * whose listing never ends is reported, not followed forever. */
#define PAGES_MAX 1000

/* The array a paged listing returns its items in, for the state-check
 * operations; NULL for any other operation. */
static const char *paged_member(const char *operation)
{
    if (!strcmp(operation, "ListImages"))
        return "imageIds";
    if (!strcmp(operation, "DescribeImages"))
        return "imageDetails";
    return NULL;
}

/* A state check (ListImages, DescribeImages) is judged on the whole listing:
 * when the first answer (r, 200) carries a nextToken and the step chose no
 * page itself (no maxResults or nextToken in its input, no raw body or
 * target), the same request is sent again with each nextToken until a page
 * has none (at most PAGES_MAX pages), and the items are merged into one
 * body without nextToken, set in *merged (NULL when there was nothing to
 * follow). Each further page's transcript is appended to sr->response. A
 * page that is not a 200 listing, or a listing that does not end, adds a
 * diff at $.body.nextToken. Returns 0, or -1 when a page got no answer
 * (cr->reason says why). */
static int follow_pages(run_ctx *ctx, aws_client *cl, const case_step *s, const aws_request *req,
                        json_object *input, const aws_response *r, step_report *sr, case_report *cr,
                        json_object **merged, diff_list *d)
{
    *merged = NULL;
    const char *key = paged_member(s->operation);
    if (!key || s->raw_body || s->target || r->status != 200 || !r->body || !input ||
        json_object_object_get_ex(input, "nextToken", NULL) ||
        json_object_object_get_ex(input, "maxResults", NULL))
        return 0;
    size_t rest;
    json_object *all = ecr_json_parse(r->body, r->body_len, ECR_JSON_PEER, &rest, NULL, NULL);
    json_object *tok = NULL, *items = NULL;
    if (!all || rest < r->body_len || !json_object_object_get_ex(all, "nextToken", &tok) ||
        !json_object_is_type(tok, json_type_string) ||
        !json_object_object_get_ex(all, key, &items) ||
        !json_object_is_type(items, json_type_array)) {
        json_object_put(all); /* one page, or not a listing: compared as it is */
        return 0;
    }
    char *token = ecr_strdup(json_object_get_string(tok));
    /* The transcript keeps what fits in LOG_MAX; pages beyond are said to be
     * left out, never silently dropped (the merged body has them all). */
    const size_t LOG_MAX = AWS_DEFAULT_MAX_RESPONSE + (1u << 20);
    buf log;
    int log_full = 0;
    ecr_buf_init(&log, LOG_MAX + 4096);
    if (sr->response)
        ecr_buf_puts(&log, sr->response);
    int result = 0, complete = 0; /* complete: a page without nextToken came */
    size_t page = 2;
    for (; token && page <= PAGES_MAX; page++) {
        json_object *copy = NULL;
        if (json_object_deep_copy(input, &copy, NULL) || !copy)
            break;
        json_object_object_add(copy, "nextToken", json_object_new_string(token));
        const char *text = json_object_to_json_string_ext(copy, ECR_JSON_COMPACT);
        aws_request pr = *req;
        pr.body = text;
        pr.body_len = strlen(text);
        aws_response pg;
        ecr_result rc = ecrc_aws_client_call(cl, &pr, &pg);
        json_object_put(copy);
        if (rc) {
            add_reason(cr, ecr_asprintf("step %s: page %zu (nextToken): %s %s: %s", s->name, page,
                                        ctx->opt->target->endpoint, ecr_strerror(rc),
                                        pg.transport_error));
            cr->transport_error = is_transport(rc);
            ecrc_aws_response_free(&pg);
            result = -1;
            break;
        }
        char *desc = describe_response(&pg);
        if (!log_full && log.len + (desc ? strlen(desc) : 0) + 100 > LOG_MAX) {
            log_full = 1;
            ecr_buf_printf(&log, "\n\n(pages %zu and later are left out of this transcript)", page);
        } else if (!log_full) {
            ecr_buf_printf(&log, "\n\n--- page %zu (nextToken followed) ---\n%s", page,
                           desc ? desc : "");
        }
        free(desc);
        json_object *pj =
            pg.status == 200 && pg.body
                ? ecr_json_parse(pg.body, pg.body_len, ECR_JSON_PEER, &rest, NULL, NULL)
                : NULL;
        json_object *pitems = NULL, *ptok = NULL;
        free(token);
        token = NULL;
        if (!pj || !json_object_object_get_ex(pj, key, &pitems) ||
            !json_object_is_type(pitems, json_type_array)) {
            char e[160], a[160];
            snprintf(e, sizeof e, "page %zu of the listing: HTTP 200 with %s", page, key);
            snprintf(a, sizeof a, "HTTP %ld %.100s", pg.status,
                     pg.error_type[0] ? pg.error_type : "without that array");
            ecrc_diff_add(d, "$.body.nextToken", e, a);
            json_object_put(pj);
            ecrc_aws_response_free(&pg);
            break;
        }
        for (size_t i = 0; i < json_object_array_length(pitems); i++)
            json_object_array_add(items, json_object_get(json_object_array_get_idx(pitems, i)));
        if (json_object_object_get_ex(pj, "nextToken", &ptok) &&
            json_object_is_type(ptok, json_type_string))
            token = ecr_strdup(json_object_get_string(ptok));
        else
            complete = 1;
        json_object_put(pj);
        ecrc_aws_response_free(&pg);
    }
    if (token && page > PAGES_MAX) {
        char e[80];
        snprintf(e, sizeof e, "the end of the listing within %d pages", PAGES_MAX);
        ecrc_diff_add(d, "$.body.nextToken", e, "a nextToken on every page");
    }
    if (complete) /* the whole listing: no page is left to ask for */
        json_object_object_del(all, "nextToken");
    free(token);
    char *text = ecr_buf_steal(&log);
    if (text) {
        free(sr->response);
        sr->response = text;
    }
    *merged = all;
    return result;
}

/* Sends one step and compares it. Returns 0 when it matched, 1 on a
 * mismatch, -1 when the exchange itself failed (cr->reason says why). */
static int run_step(run_ctx *ctx, aws_client *cl, const case_step *s, vars *v, step_report *sr,
                    case_report *cr, answer_list *answers)
{
    ecr_result rc = ECR_OK;
    char bad[128] = "";
    int result = -1;
    step_request sq;
    if (ecrc_step_request_build(s, v, &sq, bad, sizeof bad)) {
        add_reason(cr,
                   ecr_asprintf("step %s: cannot build the request (variable '%s')", s->name, bad));
        goto out;
    }
    const aws_request req = sq.req;
    const char *body = sq.body, *target = sq.target;
    json_object *in = sq.in; /* the expanded input, for further pages */

    /* The operation name comes from the case file: no length limit. */
    char *default_target = ecr_asprintf(ECR_TARGET_PREFIX "%s", s->operation);
    sr->request = describe_request(&req, target ? target : default_target ? default_target : "");
    sr->reproduce =
        ecrc_curl_command(ctx->opt->target->endpoint, ctx->opt->creds.region,
                          ctx->opt->creds.session_token[0] != '\0', &ctx->opt->transport, &req);
    free(default_target);

    char refused[512];
    if (ctx->opt->live &&
        ecrc_live_check_request(body, strlen(body), ctx->run_id, refused, sizeof refused)) {
        add_reason(cr, term_safe_owned(ecr_asprintf("step %s: %s", s->name, refused)));
        goto out; /* nothing was sent */
    }
    aws_response r;
    rc = ecrc_aws_client_call(cl, &req, &r);
    if (rc) {
        add_reason(cr, ecr_asprintf("step %s: %s %s: %s", s->name, ctx->opt->target->endpoint,
                                    ecr_strerror(rc), r.transport_error));
        cr->transport_error = is_transport(rc);
        ecrc_aws_response_free(&r);
        goto out;
    }
    sr->response = describe_response(&r);

    diff_list d;
    ecrc_diff_init(&d);
    json_object *actual_body = NULL;
    answer_list given;
    ecrc_answers_init(&given);
    if (follow_pages(ctx, cl, s, &req, in, &r, sr, cr, &actual_body, &d) < 0) {
        ecrc_answers_free(&given);
        json_object_put(actual_body);
        ecrc_diff_free(&d);
        ecrc_aws_response_free(&r);
        goto out;
    }
    size_t hd = 0;
    size_t nd = check_step(s, v, &r, &actual_body, &d, answers, &given, sr, &hd);
    record_answers(sr, &given, answers);
    /* The golden's own expectation held when every difference is a default
     * header check: reports count the two expectations apart. */
    sr->golden_passed = nd == hd;
    ecrc_answers_free(&given);
    if (nd) {
        record_diffs(sr, &d);
        sr->actual_doc = build_actual(ctx, s, &r, actual_body);
        result = 1;
    } else {
        sr->passed = 1;
        result = 0;
    }
    json_object_put(actual_body);
    ecrc_diff_free(&d);
    ecrc_aws_response_free(&r);
out:
    ecrc_step_request_free(&sq);
    return result;
}

static const char *first_invalid_id(const char *path, char *out, size_t outsz)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    snprintf(out, outsz, "%s", base);
    char *dot = strrchr(out, '.');
    if (dot && !strcmp(dot, ".json"))
        *dot = '\0';
    return out;
}

static void fill_case_header(case_report *cr, const case_def *c)
{
    cr->id = ecr_strdup(c->id);
    cr->file = ecr_strdup(c->path);
    cr->summary = ecr_strdup(c->summary);
    cr->covers = calloc(c->ncovers ? c->ncovers : 1, sizeof *cr->covers);
    for (size_t i = 0; cr->covers && i < c->ncovers; i++)
        cr->covers[cr->ncovers++] = ecr_strdup(c->covers[i]);
    golden_level weakest = LEVEL_C;
    for (size_t i = 0; i < c->nsteps; i++)
        if (c->steps[i].golden && c->steps[i].golden->level > weakest)
            weakest = c->steps[i].golden->level;
    cr->level = ecr_strdup(ecrc_golden_level_name(weakest));
    cr->steps = calloc(c->nsteps ? c->nsteps : 1, sizeof *cr->steps);
    for (size_t i = 0; cr->steps && i < c->nsteps; i++) {
        step_report *sr = &cr->steps[cr->nsteps++];
        sr->name = ecr_strdup(c->steps[i].name);
        sr->operation = ecr_strdup(c->steps[i].operation);
        sr->level = ecr_strdup(ecrc_golden_level_name(c->steps[i].golden->level));
        sr->open = c->steps[i].golden->open;
        sr->golden = ecr_strdup(c->steps[i].golden_path);
    }
}

static int is_transport(ecr_result rc)
{
    return rc == ECR_ECONNECT || rc == ECR_ETIMEOUT || rc == ECR_EHTTP;
}

/* 1 once a signal asked the run to stop (runner_options.stop). */
static int stopped(const run_ctx *ctx)
{
    return ctx->opt->stop && *ctx->opt->stop;
}

/* fixture.before_create under live rules: tag and journal. */
static ecr_result live_before_create(void *user, const char *name, json_object *in, char *err,
                                     size_t errsz)
{
    const run_ctx *ctx = user;
    return ecrc_live_before_create(ctx->opt->live, ctx->run_id, name, in, err, errsz);
}

static void run_case(run_ctx *ctx, aws_client *cl, const run_entry *e, case_report *cr)
{
    double t0 = now_ms();
    const case_def *c = e->c;
    char idbuf[256];

    if (!c) {
        cr->id = ecr_strdup(first_invalid_id(e->path, idbuf, sizeof idbuf));
        cr->file = ecr_strdup(e->path);
        cr->status = ECRC_CASE_ERROR;
        cr->reason = ecr_asprintf("invalid case file: %s", e->invalid ? e->invalid : "(unknown)");
        /* No level: an invalid file is not an expectation at any level. */
        return;
    }
    fill_case_header(cr, c);

    if (ctx->opt->live && (cr->reason = ecrc_live_case_refusal(c, ctx->run_id)) != NULL) {
        cr->status = ECRC_CASE_SKIP;
        return;
    }

    for (size_t i = 0; i < c->nrequires; i++) {
        if (!ecrc_target_has(ctx->opt->target, c->requires[i])) {
            cr->status = ECRC_CASE_SKIP;
            cr->reason = ecr_asprintf("target '%s' lacks capability '%s'%s", ctx->opt->target->name,
                                      c->requires[i],
                                      strcmp(c->requires[i], ECR_CAP_FAULT_INJECTION)
                                          ? ""
                                          : " (no emulator control interface)");
            return;
        }
    }

    vars *v = ecrc_vars_new();
    fixture fx;
    ecrc_fixture_init(&fx, c, ctx->run_id, ctx->opt->target);
    if (ctx->opt->live) {
        fx.before_create = live_before_create;
        fx.before_create_user = ctx;
    }
    fx.pool = ctx->pool;
    char err[1024] = "";
    ecr_result frc;
    if (!v || ecrc_fixture_vars(&fx, v, err, sizeof err)) {
        cr->status = ECRC_CASE_ERROR;
        cr->reason = ecr_asprintf("cannot set up variables: %s", err[0] ? err : "out of memory");
    } else if ((frc = ecrc_fixture_build(&fx, cl, err, sizeof err)) != ECR_OK) {
        cr->status = ECRC_CASE_ERROR;
        cr->reason = term_safe_owned(ecr_asprintf("fixture: %s", err));
        cr->transport_error = is_transport(frc);
    } else {
        cr->status = ECRC_CASE_PASS;
        answer_list answers; /* open questions answered by earlier steps of this case */
        ecrc_answers_init(&answers);
        for (size_t i = 0; i < c->nsteps; i++) {
            if (stopped(ctx)) {
                cr->status = ECRC_CASE_ERROR;
                add_reason(
                    cr, ecr_asprintf("interrupted by a signal before step %s", c->steps[i].name));
                break;
            }
            int r = run_step(ctx, cl, &c->steps[i], v, &cr->steps[i], cr, &answers);
            if (r < 0) {
                cr->status = ECRC_CASE_ERROR;
                break;
            }
            if (r > 0 && cr->status == ECRC_CASE_PASS)
                cr->status = ECRC_CASE_FAIL;
            if (r > 0)
                add_reason(cr, ecr_asprintf("step %s does not match its golden", c->steps[i].name));
        }
        ecrc_answers_free(&answers);
    }

    /* Teardown runs whatever happened above: the fixture's repositories are
     * always deleted. A failed teardown is reported but does not change the
     * verdict on the behaviour under test. */
    char terr[1024] = "";
    if (ecrc_fixture_teardown(&fx, cl, terr, sizeof terr))
        add_reason(cr, term_safe_owned(ecr_asprintf("teardown: %s", terr)));
    ecrc_fixture_free(&fx);
    ecrc_vars_free(v);
    cr->duration_ms = now_ms() - t0;
}

/* Whether the cases not yet started must not run (deadline passed, breaker
 * tripped): then cr is that case as `error`, "not run", with the cause. A
 * breaker's not-run cases count as transport failures (the target stopped
 * answering); a deadline's do not. Called without ctx->mu. */
static int not_run(run_ctx *ctx, const run_entry *e, case_report *cr)
{
    pthread_mutex_lock(&ctx->mu);
    if (!ctx->stop[0] && ctx->deadline_at > 0 && now_ms() >= ctx->deadline_at)
        snprintf(ctx->stop, sizeof ctx->stop,
                 "not run: the run's deadline (--deadline %ld s) had passed",
                 ctx->opt->deadline_ms / 1000);
    int stop = ctx->stop[0] != '\0' && e->c;
    if (stop) {
        cr->id = ecr_strdup(e->c->id);
        cr->status = ECRC_CASE_ERROR;
        cr->reason = ecr_strdup(ctx->stop);
        cr->transport_error = ctx->opt->breaker > 0 && ctx->consecutive >= ctx->opt->breaker;
    }
    pthread_mutex_unlock(&ctx->mu);
    return stop;
}

/* The breaker: counts cases in a row that could not reach the target. Called
 * with ctx->mu held, after case cr finished (not for cases not run). */
static void count_transport(run_ctx *ctx, const case_report *cr)
{
    ctx->consecutive = cr->transport_error ? ctx->consecutive + 1 : 0;
    if (ctx->opt->breaker > 0 && ctx->consecutive == ctx->opt->breaker && !ctx->stop[0]) {
        char *safe = ecr_term_safe(cr->reason ? cr->reason : "");
        snprintf(ctx->stop, sizeof ctx->stop,
                 "not run: %d cases in a row could not reach the target (last: %.300s)",
                 ctx->consecutive, safe ? safe : "");
        free(safe);
    }
}

/* --retries: a case that failed or errored (not for want of an answer: the
 * target is gone) runs again from a fresh fixture. When an attempt passes the
 * case is flaky; its report stays the first attempt's (what went wrong), with
 * the attempts in its reason. */
static void retry_case(run_ctx *ctx, aws_client *cl, const run_entry *e, case_report *cr)
{
    if (!e->c || cr->transport_error ||
        (cr->status != ECRC_CASE_FAIL && cr->status != ECRC_CASE_ERROR))
        return;
    for (int attempt = 1; attempt <= ctx->opt->retries; attempt++) {
        case_report again;
        memset(&again, 0, sizeof again);
        run_case(ctx, cl, e, &again);
        int passed = again.status == ECRC_CASE_PASS;
        ecrc_case_report_clear(&again);
        if (passed) {
            char *why = ecr_asprintf("passed on retry %d of %d after: %s", attempt,
                                     ctx->opt->retries, cr->reason ? cr->reason : "a failure");
            if (why) {
                free(cr->reason);
                cr->reason = why;
            }
            cr->status = ECRC_CASE_FLAKY;
            return;
        }
    }
}

static void *worker(void *arg)
{
    run_ctx *ctx = arg;
    aws_client *cl =
        ecrc_aws_client_new(ctx->opt->target->endpoint, &ctx->opt->creds, ctx->opt->timeout_ms, 0);
    if (cl) {
        aws_transport tr = ctx->opt->transport;
        tr.limiter = ctx->limiter; /* one for the whole run */
        tr.deadline_ms = ctx->deadline_at;
        ecrc_aws_client_set_transport(cl, &tr);
    }
    for (;;) {
        pthread_mutex_lock(&ctx->mu);
        size_t i = ctx->next < ctx->n ? ctx->next++ : ctx->n;
        pthread_mutex_unlock(&ctx->mu);
        if (i >= ctx->n)
            break;
        if (ctx->order)
            i = ctx->order[i];
        case_report *cr = &ctx->rep->cases[i];
        int ran = 0;
        if (stopped(ctx) && ctx->entries[i].c) {
            fill_case_header(cr, ctx->entries[i].c);
            cr->status = ECRC_CASE_SKIP;
            cr->reason = ecr_strdup("not run: the run was interrupted by a signal");
        } else if (cl) {
            if ((ran = !not_run(ctx, &ctx->entries[i], cr))) {
                run_case(ctx, cl, &ctx->entries[i], cr);
                retry_case(ctx, cl, &ctx->entries[i], cr);
            }
        } else {
            cr->id = ecr_strdup(ctx->entries[i].c ? ctx->entries[i].c->id : ctx->entries[i].path);
            cr->status = ECRC_CASE_ERROR;
            cr->reason = ecr_strdup("cannot create an HTTP client (libcurl)");
        }
        pthread_mutex_lock(&ctx->mu);
        if (ran)
            count_transport(ctx, cr);
        ctx->progress.done++;
        ctx->progress.counts[cr->status]++;
        ctx->progress.index = i;
        if (ctx->opt->on_case_done)
            ctx->opt->on_case_done(ctx->opt->user, cr, &ctx->progress);
        pthread_mutex_unlock(&ctx->mu);
    }
    ecrc_aws_client_free(cl);
    return NULL;
}

/* How many requests case e sends (its fixture, set-up and teardown, and its
 * steps, one page each): the length the schedule goes by. */
static size_t case_requests(const run_entry *e, const target_info *t)
{
    if (!e->c)
        return 0;
    return ecrc_fixture_requests(e->c, t->layer_api) + e->c->nsteps;
}

typedef struct order_key {
    size_t cost, index;
} order_key;

static int by_cost_desc(const void *a, const void *b)
{
    const order_key *x = a, *y = b;
    if (x->cost != y->cost)
        return x->cost < y->cost ? 1 : -1;
    return x->index < y->index ? -1 : x->index > y->index; /* stable: corpus order */
}

/* The order the cases start in: longest first (most requests; ties in entry
 * order), so that the run's makespan is bounded by its longest case rather
 * than by a long case started last. A new array of n indexes (caller frees),
 * or NULL when memory ran out (entry order then). */
static size_t *longest_first(const run_entry *entries, size_t n, const target_info *t)
{
    order_key *keys = calloc(n ? n : 1, sizeof *keys);
    size_t *order = calloc(n ? n : 1, sizeof *order);
    if (!keys || !order) {
        free(keys);
        free(order);
        return NULL;
    }
    for (size_t i = 0; i < n; i++)
        keys[i] = (order_key){case_requests(&entries[i], t), i};
    qsort(keys, n, sizeof *keys, by_cost_desc);
    for (size_t i = 0; i < n; i++)
        order[i] = keys[i].index;
    free(keys);
    return order;
}

/* A new report for n cases (all zero) with the run's header filled in: target,
 * endpoint, version, start time (now, UTC), TLS mode. NULL when memory ran
 * out. Shared by a run and by a run that never reached its target. */
static run_report *new_report(const runner_options *opt, size_t n, time_t now)
{
    run_report *rep = calloc(1, sizeof *rep);
    if (!rep)
        return NULL;
    rep->cases = calloc(n ? n : 1, sizeof *rep->cases);
    if (!rep->cases) {
        free(rep);
        return NULL;
    }
    rep->ncases = n;
    rep->target = ecr_strdup(opt->target->name);
    rep->endpoint = ecr_strdup(opt->target->endpoint);
    rep->harness_version = ecr_strdup(ECRCONFORM_VERSION);
    rep->insecure = opt->transport.insecure;
    char when[32];
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    rep->started_at = ecr_strdup(when);
    return rep;
}

run_report *ecrc_runner_run(const runner_options *opt, const run_entry *entries, size_t n)
{
    time_t now = time(NULL);
    run_report *rep = new_report(opt, n, now);
    if (!rep)
        return NULL;
    if (!opt->target->layer_api) /* peer text: made safe for every report format */
        rep->manifest_only = ecr_term_safe(
            opt->target->layer_note[0] ? opt->target->layer_note : "the target has no layer API");
    run_ctx ctx = {.opt = opt, .entries = entries, .n = n, .rep = rep, .progress.total = n};
    /* NULL when there is no cap (or no memory for one: then uncapped). */
    ctx.limiter = ecrc_ratelimit_new(opt->max_rps, NULL);
    unsigned char rnd[4] = {0};
    if (RAND_bytes(rnd, sizeof rnd) != 1) {
        /* Uniqueness, not secrecy, is needed: time and pid will do. */
        unsigned long x = (unsigned long)now ^ (unsigned long)getpid();
        memcpy(rnd, &x, sizeof rnd);
    }
    snprintf(ctx.run_id, sizeof ctx.run_id, "%02x%02x%02x%02x", rnd[0], rnd[1], rnd[2], rnd[3]);
    pthread_mutex_init(&ctx.mu, NULL);

    double t0 = now_ms();
    if (opt->deadline_ms > 0)
        ctx.deadline_at = (opt->started_ms > 0 ? opt->started_ms : t0) + (double)opt->deadline_ms;
    int jobs = opt->jobs < 1 ? 1 : opt->jobs;
    /* As many spare connections as --jobs asks for, at most 16 (before
     * fewer cases than that lower the number of workers): a fixture's
     * independent requests go out at once, and the run never holds more
     * than 2 x --jobs (or --jobs + 16) connections to the target. */
    size_t spare = jobs < 16 ? (size_t)jobs : 16;
    if ((size_t)jobs > n)
        jobs = n ? (int)n : 1;
    size_t *order = longest_first(entries, n, opt->target);
    ctx.order = order;
    aws_transport ptr = opt->transport;
    ptr.limiter = ctx.limiter;
    ptr.deadline_ms = ctx.deadline_at;
    ctx.pool =
        ecrc_client_pool_new(spare, opt->target->endpoint, &opt->creds, opt->timeout_ms, &ptr);
    pthread_t *th = calloc((size_t)jobs, sizeof *th);
    int started = 0; /* th[0..started) are running: failures are not stored */
    for (int i = 0; th && i < jobs; i++)
        if (pthread_create(&th[started], NULL, worker, &ctx) == 0)
            started++;
    if (!started)
        worker(&ctx); /* no thread could start: run everything here */
    for (int i = 0; i < started; i++)
        pthread_join(th[i], NULL);
    free(th);
    rep->duration_ms = now_ms() - t0;
    ecrc_client_pool_free(ctx.pool);
    free(order);
    pthread_mutex_destroy(&ctx.mu);
    ecrc_ratelimit_free(ctx.limiter);
    return rep;
}

run_report *ecrc_runner_unreachable(const runner_options *opt, const run_entry *entries, size_t n,
                                    const char *cause)
{
    run_report *rep = new_report(opt, n, time(NULL));
    if (!rep)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        const run_entry *e = &entries[i];
        case_report *cr = &rep->cases[i];
        char idbuf[256];
        cr->status = ECRC_CASE_ERROR;
        if (!e->c) {
            cr->id = ecr_strdup(first_invalid_id(e->path, idbuf, sizeof idbuf));
            cr->file = ecr_strdup(e->path);
            cr->reason =
                ecr_asprintf("invalid case file: %s", e->invalid ? e->invalid : "(unknown)");
            continue;
        }
        /* Not run at all: the cause is the target, said on every case so a
         * CI publisher shows it wherever one looks. */
        fill_case_header(cr, e->c);
        cr->transport_error = 1;
        cr->reason = term_safe_owned(ecr_asprintf(
            "target %s unreachable: %s", opt->target->endpoint, cause ? cause : "no answer"));
    }
    return rep;
}
