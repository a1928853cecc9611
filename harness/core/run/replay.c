#include "replay.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casefile.h"
#include "compare.h"
#include "ecr/buf.h"
#include "ecr/digest.h"
#include "ecr/json.h"
#include "ecr/protocol.h"
#include "ecr/sigv4.h"
#include "ecr/util.h"
#include "fixture.h"
#include "instance.h"
#include "vars.h"

/* The error type of a request no loaded case describes. */
#define NO_MATCH_TYPE "EcrconformReplayNoMatch"
/* Where each case (by the run prefix in its repository names) stands in its
 * steps, so that identical requests of one case are answered in step order.
 * A ring: the oldest runs are forgotten first. */
#define CURSORS 1024
#define NAME_MAX_BYTES 512
/* The run prefix placeholder names are made with at load time. */
#define LOAD_RUN_ID "00000000"

/* Operations that build, probe and tear down a fixture: the emulator's
 * model answers them unless a step describes the request exactly. */
static const char *const model_ops[] = {"CreateRepository",
                                        "DeleteRepository",
                                        "PutImage",
                                        "BatchCheckLayerAvailability",
                                        "InitiateLayerUpload",
                                        "UploadLayerPart",
                                        "CompleteLayerUpload",
                                        "DescribeRegistry",
                                        NULL};

typedef struct rp_case {
    const case_def *c;
    answer_list chosen; /* the answer each open question gets in this case */
} rp_case;

typedef struct cursor {
    char key[NAME_MAX_BYTES];
    size_t last; /* the step answered last */
} cursor;

struct ecrc_replay {
    pthread_mutex_t lock;
    rp_case *cases;
    size_t n;
    char account[16];
    char region[64];
    cursor *cursors; /* CURSORS entries */
    size_t ncursors, next_cursor;
    unsigned long golden, nomatch;
};

/* ---- names and variables --------------------------------------------------- */

/* Splits "<prefix>/<case>/<tail>" (exactly three non-empty parts). */
static int split_name(const char *name, char *prefix, size_t psz, char *case_id, size_t csz,
                      const char **tail)
{
    const char *a = strchr(name, '/');
    const char *b = a ? strchr(a + 1, '/') : NULL;
    if (!a || !b || a == name || b == a + 1 || !b[1] || strchr(b + 1, '/'))
        return -1;
    if ((size_t)(a - name) >= psz || (size_t)(b - a - 1) >= csz)
        return -1;
    memcpy(prefix, name, (size_t)(a - name));
    prefix[a - name] = '\0';
    memcpy(case_id, a + 1, (size_t)(b - a - 1));
    case_id[b - a - 1] = '\0';
    *tail = b + 1;
    return 0;
}

/* The fixture repository of c that tail names: its name, or its name padded
 * ("-xxx", or one 'x', as fixture.c and the SDK checks pad). -1: none. */
static int repo_of_tail(const case_def *c, const char *tail)
{
    int best = -1;
    size_t best_len = 0;
    for (size_t i = 0; i < c->nrepos; i++) {
        size_t n = strlen(c->repos[i].name);
        if (strncmp(tail, c->repos[i].name, n) || n < best_len)
            continue;
        const char *rest = tail + n;
        if (*rest == '-')
            rest++;
        while (*rest == 'x')
            rest++;
        if (*rest == '\0' && (tail[n] == '\0' || c->repos[i].length > 0)) {
            best = (int)i;
            best_len = n;
        }
    }
    return best;
}

/* The name repository r of case c has in run prefix (the runner's rule for
 * "ecrc-<run>"; else "<prefix>/<case>/<name>" padded with "-x..." and cut to
 * length, as python/ecrconform_sdk.py does). */
static void derived_name(const char *prefix, const case_def *c, const case_repo *r, char *out,
                         size_t outsz)
{
    if (!strncmp(prefix, "ecrc-", 5) &&
        ecrc_fixture_repo_name(prefix + 5, c->id, r->name, r->length, out, outsz))
        return;
    int n = snprintf(out, outsz, "%s/%s/%s", prefix, c->id, r->name);
    if (n < 0 || (size_t)n >= outsz || r->length <= 0 || (size_t)r->length >= outsz)
        return;
    for (size_t i = (size_t)n; i < (size_t)r->length; i++)
        out[i] = i == (size_t)n ? '-' : 'x';
    out[r->length] = '\0';
}

/* The variables of case c for one request: ${account}, ${region}, every
 * ${digest:<id>}, and ${repo:<name>}: repository `bound` (-1: none) is
 * `name`, the others are named in run `prefix`. NULL when memory runs out. */
static vars *bind(const ecrc_replay *R, const case_def *c, const char *region, const char *prefix,
                  int bound, const char *name)
{
    vars *v = ecrc_vars_new();
    if (!v)
        return NULL;
    int bad = ecrc_vars_set(v, "account", R->account) != ECR_OK ||
              ecrc_vars_set(v, "region", region) != ECR_OK;
    for (size_t i = 0; i < c->nrepos && !bad; i++) {
        const case_repo *r = &c->repos[i];
        char key[300], val[NAME_MAX_BYTES];
        snprintf(key, sizeof key, "repo:%.280s", r->name);
        if ((int)i == bound)
            snprintf(val, sizeof val, "%s", name);
        else
            derived_name(prefix, c, r, val, sizeof val);
        bad |= ecrc_vars_set(v, key, val) != ECR_OK;
        for (size_t k = 0; k < r->nimages && !bad; k++) {
            char dig[DIGEST_STR_SIZE];
            const case_image *im = &r->images[k];
            snprintf(key, sizeof key, "digest:%.280s", im->id);
            bad |= ecr_digest_sha256(im->manifest, im->manifest_len, dig) != ECR_OK ||
                   ecrc_vars_set(v, key, dig) != ECR_OK;
        }
    }
    if (bad) {
        ecrc_vars_free(v);
        return NULL;
    }
    return v;
}

/* The fixture repository step s addresses: its input's repositoryName, or
 * the first ${repo:...} of its raw body; -1 when neither names one. */
static int step_repo(const case_def *c, const case_step *s)
{
    json_object *rn = NULL;
    const char *text = NULL;
    if (s->raw_body)
        text = s->raw_body;
    else if (json_object_object_get_ex(s->input, "repositoryName", &rn) &&
             json_object_is_type(rn, json_type_string))
        text = json_object_get_string(rn);
    const char *p = text ? strstr(text, "${repo:") : NULL;
    if (!p)
        return -1;
    p += 7;
    const char *end = strchr(p, '}');
    for (size_t i = 0; end && i < c->nrepos; i++)
        if (strlen(c->repos[i].name) == (size_t)(end - p) &&
            !strncmp(c->repos[i].name, p, (size_t)(end - p)))
            return (int)i;
    return -1;
}

/* ---- a request against a step ------------------------------------------- */

typedef struct req_view {
    const ecr_http_request *rq;
    const char *target; /* X-Amz-Target, or NULL */
    json_object *body;  /* parsed (an empty body is {}), or NULL when not JSON */
    const char *name;   /* body.repositoryName when a string, else NULL */
    char region[64];    /* the SigV4 scope's, else the replay's */
} req_view;

/* A short, printable rendering of peer bytes for a message. */
static void shown(const char *s, size_t len, char *out, size_t outsz)
{
    size_t o = 0;
    for (size_t i = 0; i < len && o + 5 < outsz; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c < 0x7f && c != '\\')
            out[o++] = (char)c;
        else
            o += (size_t)snprintf(out + o, outsz - o, "\\x%02x", c);
    }
    out[o] = '\0';
}

/* The differences between request q and step s with variables v: target,
 * authentication, the raw headers the step sets, and the body. Added to d
 * (NULL: stop at the first; returns 0 or 1). */
static size_t step_diffs(const case_step *s, const vars *v, const req_view *q, diff_list *d)
{
    size_t n = 0;
    char want[512], got[512];
    /* the operation */
    char *target = NULL;
    if (s->target)
        target = ecrc_vars_expand(v, s->target, 0, NULL, NULL, 0);
    else
        target = ecr_asprintf("%s%s", ECR_TARGET_PREFIX, s->operation);
    if (!target || !q->target || strcmp(target, q->target)) {
        n++;
        if (!d) {
            free(target);
            return 1;
        }
        snprintf(want, sizeof want, "\"%.300s\"", target ? target : "?");
        if (q->target) {
            char t[400];
            shown(q->target, strlen(q->target), t, sizeof t);
            snprintf(got, sizeof got, "\"%s\"", t);
        } else {
            snprintf(got, sizeof got, "(absent)");
        }
        ecrc_diff_add(d, "$.headers[\"X-Amz-Target\"]", want, got);
    }
    free(target);
    /* authentication: only its presence tells steps apart (replay answers
     * the golden of a step that signs wrongly on purpose, too) */
    int none = s->auth == ECRC_SIGN_NONE;
    int has = ecr_http_request_header(q->rq, "Authorization") != NULL;
    if (none == has) {
        n++;
        if (!d)
            return 1;
        ecrc_diff_add(d, "$.headers[\"Authorization\"]",
                      none ? "(absent: the step sends no signature)" : "a SigV4 signature",
                      has ? "a signature" : "(absent)");
    }
    for (size_t i = 0; i < s->nheaders; i++) {
        char *val = ecrc_vars_expand(v, s->header_values[i], 0, NULL, NULL, 0);
        const char *h = ecr_http_request_header(q->rq, s->header_names[i]);
        if (!val || !h || strcmp(val, h)) {
            n++;
            if (!d) {
                free(val);
                return 1;
            }
            char path[300];
            snprintf(path, sizeof path, "$.headers[\"%.200s\"]", s->header_names[i]);
            snprintf(want, sizeof want, "\"%.300s\"", val ? val : "?");
            if (h)
                shown(h, strlen(h), got, sizeof got);
            ecrc_diff_add(d, path, want, h ? got : "(absent)");
        }
        free(val);
    }
    /* the body */
    json_object *expected = NULL;
    ecr_result rc = ECR_OK;
    if (s->raw_body) {
        char *raw = ecrc_vars_expand(v, s->raw_body, 0, &rc, NULL, 0);
        if (raw && strlen(raw) == q->rq->len && !memcmp(raw, q->rq->body, q->rq->len)) {
            free(raw);
            return n;
        }
        expected = raw ? ecr_json_parse(raw, strlen(raw), ECR_JSON_PEER, NULL, NULL, NULL) : NULL;
        if (!expected || !q->body) {
            n++;
            if (d) {
                shown(raw ? raw : "?", raw ? strlen(raw) : 1, want, sizeof want);
                shown(q->rq->body, q->rq->len, got, sizeof got);
                ecrc_diff_add(d, "$.body", want, got);
            }
            free(raw);
            json_object_put(expected);
            return d ? n : 1;
        }
        free(raw);
    } else {
        expected = ecrc_vars_expand_json(v, s->input, &rc, NULL, 0);
        if (rc) {
            json_object_put(expected);
            return n + 1;
        }
    }
    if (!q->body) {
        n++;
        if (d) {
            shown(q->rq->body, q->rq->len, got, sizeof got);
            ecrc_diff_add(d, "$.body", "a JSON object", got);
        }
    } else {
        n += ecrc_compare_json(expected, q->body, "$.body", d);
    }
    json_object_put(expected);
    return d ? n : (n ? 1 : 0);
}

/* ---- choosing the step ------------------------------------------------------ */

typedef struct match {
    size_t ci, si; /* case, step */
    int bound;     /* the repository bound to the request's name, or -1 */
    char prefix[NAME_MAX_BYTES];
    int score;     /* closest search: lower is closer */
    int preferred; /* the bound repository has a length, and it is the name's */
} match;

/* The run prefix and the repository bound to request q's name for case c:
 * the one the name identifies ("<prefix>/<c>/<repo>"); else, with
 * by_step, the repository step s addresses (a name the runner hashed or
 * the SDK cut); else none (literal names). */
static int binding_for(const case_def *c, const case_step *s, const req_view *q, int by_step,
                       char *prefix, size_t psz)
{
    char cid[128];
    const char *tail;
    if (q->name && !split_name(q->name, prefix, psz, cid, sizeof cid, &tail) &&
        !strcmp(cid, c->id)) {
        int r = repo_of_tail(c, tail);
        if (r >= 0)
            return r;
    }
    snprintf(prefix, psz, "ecrc-%s", LOAD_RUN_ID);
    return q->name && by_step ? step_repo(c, s) : -1;
}

static cursor *cursor_for(ecrc_replay *R, const char *key)
{
    for (size_t i = 0; i < R->ncursors; i++)
        if (!strcmp(R->cursors[i].key, key))
            return &R->cursors[i];
    cursor *c;
    if (R->ncursors < CURSORS)
        c = &R->cursors[R->ncursors++];
    else {
        c = &R->cursors[R->next_cursor];
        R->next_cursor = (R->next_cursor + 1) % CURSORS;
    }
    snprintf(c->key, sizeof c->key, "%s", key);
    c->last = (size_t)-1;
    return c;
}

/* ---- replies ------------------------------------------------------------------ */

static int reply_json(ecr_http_reply *out, int status, json_object *body, const char *note)
{
    out->status = status;
    out->body = body ? ecr_json_to_string(body, ECR_JSON_COMPACT) : NULL;
    json_object_put(body);
    if (!out->body) {
        out->status = 500;
        out->body = ecr_strdup("{\"__type\":\"ServerException\",\"message\":\"ecrconform replay: "
                               "out of memory\"}");
    }
    snprintf(out->note, sizeof out->note, "%s", note);
    return 1;
}

static int reply_error(ecr_http_reply *out, int status, const char *type, const char *message,
                       const char *note)
{
    json_object *o = json_object_new_object();
    if (o) {
        json_object_object_add(o, "__type", json_object_new_string(type));
        json_object_object_add(o, "message", json_object_new_string(message));
    }
    return reply_json(out, status, o, note);
}

/* GET /__ecrconform/capabilities, as the emulator's control interface
 * answers it, with strict-auth: replay answers the auth cases from their
 * goldens, as a verifying target would. */
static int capabilities(const ecrc_replay *R, ecr_http_reply *out)
{
    json_object *o = json_object_new_object(), *caps = json_object_new_array(),
                *kinds = json_object_new_array();
    if (!o || !caps || !kinds) {
        json_object_put(o);
        json_object_put(caps);
        json_object_put(kinds);
        return reply_json(out, 500, NULL, "replay capabilities");
    }
    json_object_array_add(caps, json_object_new_string(ECR_CAP_FAULT_INJECTION));
    json_object_array_add(caps, json_object_new_string(ECR_CAP_STRICT_AUTH));
    for (int k = 0; k < ECR_FAULT_KIND_COUNT; k++)
        json_object_array_add(kinds,
                              json_object_new_string(ecr_fault_kind_name((ecr_fault_kind)k)));
    json_object_object_add(o, ECR_CTL_CAPABILITIES, caps);
    json_object_object_add(o, ECR_CTL_FAULT_KINDS, kinds);
    json_object_object_add(o, ECR_CTL_ACCOUNT, json_object_new_string(R->account));
    json_object_object_add(o, ECR_CTL_REGION, json_object_new_string(R->region));
    return reply_json(out, 200, o, "replay capabilities");
}

/* The step's golden as the reply. */
static int answer_step(ecrc_replay *R, const match *m, const req_view *q, ecr_http_reply *out)
{
    rp_case *rc = &R->cases[m->ci];
    const case_step *s = &rc->c->steps[m->si];
    vars *v = bind(R, rc->c, q->region, m->prefix, m->bound, q->name ? q->name : "");
    char err[512];
    if (!v)
        return reply_error(out, 500, "ServerException", "ecrconform replay: out of memory", "");
    ecr_result r = ecrc_instance_reply(s->golden, v, &rc->chosen, out, err, sizeof err);
    ecrc_vars_free(v);
    if (r) {
        char msg[768];
        snprintf(msg, sizeof msg, "ecrconform replay: %s: %s", s->golden_path, err);
        return reply_error(out, 500, "ServerException", msg, "");
    }
    snprintf(out->note, sizeof out->note, "golden %.100s/%.100s", rc->c->id, s->name);
    R->golden++;
    return 1;
}

/* The request matches no step: the closest case and step, and what differs. */
static int no_match(ecrc_replay *R, const req_view *q, ecr_http_reply *out)
{
    char prefix[NAME_MAX_BYTES], cid[128] = "";
    const char *tail;
    int named = q->name && !split_name(q->name, prefix, sizeof prefix, cid, sizeof cid, &tail);
    int named_loaded = 0;
    match best = {0};
    best.score = -1;
    diff_list best_d;
    ecrc_diff_init(&best_d);
    for (size_t ci = 0; ci < R->n; ci++) {
        const case_def *c = R->cases[ci].c;
        named_loaded |= named && !strcmp(cid, c->id);
        for (size_t si = 0; si < c->nsteps; si++) {
            match m = {ci, si, -1, "", 0, 0};
            m.bound = binding_for(c, &c->steps[si], q, 1, m.prefix, sizeof m.prefix);
            vars *v = bind(R, c, q->region, m.prefix, m.bound, q->name ? q->name : "");
            if (!v)
                continue;
            diff_list d;
            ecrc_diff_init(&d);
            step_diffs(&c->steps[si], v, q, &d);
            ecrc_vars_free(v);
            int score = (int)d.n;
            for (size_t k = 0; k < d.n; k++)
                if (!strcmp(d.items[k].path, "$.headers[\"X-Amz-Target\"]"))
                    score += 1000;
            if (named && strcmp(cid, c->id))
                score += 100;
            if (best.score < 0 || score < best.score) {
                best = m;
                best.score = score;
                ecrc_diff_free(&best_d);
                best_d = d;
            } else {
                ecrc_diff_free(&d);
            }
        }
    }
    buf msg;
    ecr_buf_init(&msg, 8192);
    ecr_buf_puts(&msg, "ecrconform replay: no loaded case describes this request");
    if (q->target) {
        char t[200];
        shown(q->target, strlen(q->target), t, sizeof t);
        ecr_buf_puts(&msg, " (X-Amz-Target ");
        ecr_buf_puts(&msg, t);
        if (q->name) {
            char nm[300];
            shown(q->name, strlen(q->name), nm, sizeof nm);
            ecr_buf_puts(&msg, ", repositoryName ");
            ecr_buf_puts(&msg, nm);
        }
        ecr_buf_puts(&msg, ")");
    }
    if (named && !named_loaded) {
        char c2[160];
        shown(cid, strlen(cid), c2, sizeof c2);
        ecr_buf_puts(&msg, "; its repository name names case '");
        ecr_buf_puts(&msg, c2);
        ecr_buf_puts(&msg, "', which is not loaded");
    }
    if (best.score >= 0) {
        const case_def *c = R->cases[best.ci].c;
        char *line = ecr_asprintf("; the closest is case '%s' step '%s' (%s, %s)", c->id,
                                  c->steps[best.si].name, c->steps[best.si].operation, c->path);
        ecr_buf_puts(&msg, line ? line : "");
        free(line);
        for (size_t k = 0; k < best_d.n && k < 3; k++) {
            line = ecr_asprintf("%s %s: expected %s, got %s", k ? ";" : ", which differs at",
                                best_d.items[k].path, best_d.items[k].expected,
                                best_d.items[k].actual);
            ecr_buf_puts(&msg, line ? line : "");
            free(line);
        }
        if (!best_d.n)
            ecr_buf_puts(&msg, ", which the request matches but for the case its repository "
                               "name names");
        if (best_d.n > 3) {
            line = ecr_asprintf(" (and %zu more)", best_d.n - 3);
            ecr_buf_puts(&msg, line ? line : "");
            free(line);
        }
    } else {
        ecr_buf_puts(&msg, "; no case is loaded");
    }
    ecrc_diff_free(&best_d);
    R->nomatch++;
    char note[200] = "no match";
    if (best.score >= 0)
        snprintf(note, sizeof note, "no match (closest %.80s/%.80s)", R->cases[best.ci].c->id,
                 R->cases[best.ci].c->steps[best.si].name);
    int rc = reply_error(out, 400, NO_MATCH_TYPE, msg.data ? msg.data : "no match", note);
    ecr_buf_free(&msg);
    return rc;
}

static int is_model_op(const char *target)
{
    size_t n = sizeof ECR_TARGET_PREFIX - 1;
    if (!target || strncmp(target, ECR_TARGET_PREFIX, n))
        return 0;
    for (size_t i = 0; model_ops[i]; i++)
        if (!strcmp(target + n, model_ops[i]))
            return 1;
    return 0;
}

static int answer_locked(ecrc_replay *R, const ecr_http_request *rq, ecr_http_reply *out)
{
    size_t cp = sizeof ECR_CONTROL_PREFIX - 1;
    if (!strncmp(rq->url, ECR_CONTROL_PREFIX, cp)) {
        const char *mark = ecr_http_request_header(rq, ECR_CONTROL_HEADER);
        if (!strcmp(rq->method, "GET") && !strcmp(rq->url, ECR_CONTROL_CAPABILITIES) && mark &&
            !strcmp(mark, ECR_CONTROL_HEADER_VALUE) && !ecr_http_request_header(rq, "Origin"))
            return capabilities(R, out);
        return 0; /* faults: the emulator's control interface */
    }
    if (strcmp(rq->method, "POST") || strcmp(rq->url, "/"))
        return 0;

    req_view q = {rq, ecr_http_request_header(rq, "X-Amz-Target"), NULL, NULL, ""};
    snprintf(q.region, sizeof q.region, "%s", R->region);
    sigv4_auth auth;
    const char *az = ecr_http_request_header(rq, "Authorization");
    if (az && ecr_sigv4_parse_authorization(az, &auth) == ECR_OK)
        snprintf(q.region, sizeof q.region, "%s", auth.region);
    size_t k = 0;
    while (k < rq->len && isspace((unsigned char)rq->body[k]))
        k++;
    q.body = k == rq->len ? json_object_new_object()
                          : ecr_json_parse(rq->body, rq->len, ECR_JSON_PEER, NULL, NULL, NULL);
    json_object *rn = NULL;
    if (json_object_is_type(q.body, json_type_object) &&
        json_object_object_get_ex(q.body, "repositoryName", &rn) &&
        json_object_is_type(rn, json_type_string) && json_object_get_string_len(rn) < 300)
        q.name = json_object_get_string(rn);

    /* Every step the request matches exactly: of the case its repository
     * name identifies; else of any case, with the names the runner would
     * give (a literal name in the step matches itself); else of any case,
     * with the step's repository bound to the request's name. */
    match found[64];
    size_t nfound = 0;
    char prefix[NAME_MAX_BYTES], cid[128];
    const char *tail;
    int named = q.name && !split_name(q.name, prefix, sizeof prefix, cid, sizeof cid, &tail);
    for (int pass = named ? 0 : 1; pass < 3 && !nfound; pass++) {
        for (size_t ci = 0; ci < R->n && nfound < 64; ci++) {
            const case_def *c = R->cases[ci].c;
            if (pass == 0 && strcmp(c->id, cid))
                continue;
            for (size_t si = 0; si < c->nsteps && nfound < 64; si++) {
                match m = {ci, si, -1, "", 0, 0};
                m.bound = binding_for(c, &c->steps[si], &q, pass == 2, m.prefix, sizeof m.prefix);
                vars *v = bind(R, c, q.region, m.prefix, m.bound, q.name ? q.name : "");
                if (!v)
                    continue;
                /* pass 2 only for names of a bounded length the runner
                 * hashed or the SDK checks cut (repository-name-2-chars):
                 * any other name would match every case's step */
                m.preferred = m.bound >= 0 && c->repos[m.bound].length > 0 &&
                              strlen(q.name) == (size_t)c->repos[m.bound].length;
                if ((pass < 2 || m.preferred) && step_diffs(&c->steps[si], v, &q, NULL) == 0)
                    found[nfound++] = m;
                ecrc_vars_free(v);
            }
        }
    }
    int rc;
    if (nfound) {
        /* Of several cases, the first; of several steps of that case, the
         * first after the one answered last in this run. */
        size_t pick = 0;
        const case_def *c = R->cases[found[pick].ci].c;
        char key[NAME_MAX_BYTES];
        snprintf(key, sizeof key, "%.200s|%.200s", found[pick].prefix, c->id);
        cursor *cur = cursor_for(R, key);
        size_t first = pick, next = (size_t)-1;
        for (size_t i = 0; i < nfound; i++) {
            if (found[i].ci != found[pick].ci)
                continue;
            if (found[i].si < found[first].si)
                first = i;
            if ((cur->last == (size_t)-1 || found[i].si > cur->last) &&
                (next == (size_t)-1 || found[i].si < found[next].si))
                next = i;
        }
        pick = next != (size_t)-1 ? next : first;
        cur->last = found[pick].si;
        rc = answer_step(R, &found[pick], &q, out);
    } else if (is_model_op(q.target)) {
        rc = 0;
    } else {
        rc = no_match(R, &q, out);
    }
    json_object_put(q.body);
    return rc;
}

int ecrc_replay_answer(void *user, const ecr_http_request *rq, ecr_http_reply *out)
{
    ecrc_replay *R = user;
    /* One lock: goldens are json-c trees shared by every request, and json-c
     * caches text inside objects; replay is for test suites, not load. */
    pthread_mutex_lock(&R->lock);
    int rc = answer_locked(R, rq, out);
    pthread_mutex_unlock(&R->lock);
    return rc;
}

/* ---- loading ------------------------------------------------------------------- */

/* Answers every step of c once, with placeholder names, in step order (so
 * the open questions get the answers they will always get), and checks
 * that each answer satisfies its golden. Problems go to diags. */
static int verify_case(ecrc_replay *R, rp_case *rc, diag_list *diags)
{
    const case_def *c = rc->c;
    char prefix[32];
    snprintf(prefix, sizeof prefix, "ecrc-%s", LOAD_RUN_ID);
    vars *v = bind(R, c, R->region, prefix, -1, "");
    if (!v)
        return -1;
    int bad = 0;
    answer_list given;
    ecrc_answers_init(&given);
    for (size_t i = 0; i < c->nsteps; i++) {
        const case_step *s = &c->steps[i];
        ecr_http_reply out;
        char err[768];
        if (ecrc_instance_reply(s->golden, v, &rc->chosen, &out, err, sizeof err)) {
            ecr_diag_add(diags, s->golden_path, "", "replay cannot answer this golden: %s", err);
            bad = 1;
            continue;
        }
        /* the answer must satisfy the golden it came from */
        const golden *g = s->golden;
        if (g->nalts) {
            const char *a = ecrc_answers_get(&rc->chosen, g->question);
            for (size_t k = 0; k < g->nalts; k++)
                if (a && g->alts[k].answer && !strcmp(a, g->alts[k].answer))
                    g = &g->alts[k];
        }
        json_object *body =
            out.body ? ecr_json_parse(out.body, strlen(out.body), ECR_JSON_PEER, NULL, NULL, NULL)
                     : NULL;
        json_object *want = NULL, *got = NULL, *msg = NULL;
        ecr_result r = ECR_OK;
        if (g->body) {
            want = ecrc_vars_expand_json(v, g->body, &r, NULL, 0);
            got = body;
        } else if (g->error_message && body) {
            want = ecrc_vars_expand_json(v, g->error_message, &r, NULL, 0);
            json_object_object_get_ex(body, "message", &msg);
            got = msg;
        }
        diff_list d;
        ecrc_diff_init(&d);
        if (want)
            ecrc_compare_json_open(want, got, g->body ? "$.body" : "$.error.message", &d,
                                   &rc->chosen, &given);
        if (d.n) {
            ecr_diag_add(diags, s->golden_path, "",
                         "replay's answer does not satisfy this golden: %s: expected %s, got %s",
                         d.items[0].path, d.items[0].expected, d.items[0].actual);
            bad = 1;
        }
        ecrc_diff_free(&d);
        json_object_put(want);
        json_object_put(body);
        ecr_http_reply_free(&out);
    }
    ecrc_answers_free(&given);
    ecrc_vars_free(v);
    return bad;
}

/* Appends name to alts, a '\0'-separated list holding each name once. */
static void add_name(buf *alts, const char *name)
{
    for (size_t o = 0; name && o < alts->len; o += strlen(alts->data + o) + 1)
        if (!strcmp(alts->data + o, name))
            return;
    if (name)
        ecr_buf_append(alts, name, strlen(name) + 1);
}

/* Adds to alts (a '\0'-separated list, each entry once) the answers of
 * every open question `question` asks in j (a golden value, walked whole). */
static void answers_in(json_object *j, const char *question, buf *alts, int *asked)
{
    if (json_object_is_type(j, json_type_array)) {
        for (size_t i = 0; i < json_object_array_length(j); i++)
            answers_in(json_object_array_get_idx(j, i), question, alts, asked);
        return;
    }
    if (!json_object_is_type(j, json_type_object))
        return;
    json_object *q = NULL, *list = NULL;
    if (json_object_object_get_ex(j, "question", &q) &&
        json_object_object_get_ex(j, "$anyOf", &list) &&
        !strcmp(json_object_get_string(q), question) &&
        json_object_is_type(list, json_type_array)) {
        *asked = 1;
        for (size_t i = 0; i < json_object_array_length(list); i++) {
            json_object *a = NULL;
            json_object_object_get_ex(json_object_array_get_idx(list, i), "answer", &a);
            add_name(alts, a ? json_object_get_string(a) : NULL);
        }
    }
    json_object_object_foreach (j, k, v) {
        (void)k;
        answers_in(v, question, alts, asked);
    }
}

/* The same for a golden: its top-level question and alternatives, and the
 * values of it and of each alternative. */
static void golden_answers(const golden *g, const char *question, buf *alts, int *asked)
{
    if (g->question && !strcmp(g->question, question)) {
        *asked = 1;
        for (size_t k = 0; k < g->nalts; k++) {
            add_name(alts, g->alts[k].answer);
        }
    }
    answers_in(g->body, question, alts, asked);
    answers_in(g->error_message, question, alts, asked);
    for (size_t k = 0; k < g->nalts; k++)
        golden_answers(&g->alts[k], question, alts, asked);
}

size_t ecrc_replay_check_answers(const struct loaded_set *set, const char *const *answers, size_t n,
                                 diag_list *diags)
{
    size_t bad = 0;
    for (size_t i = 0; i < n; i++) {
        const char *eq = strchr(answers[i], '=');
        if (!eq || eq == answers[i] || !eq[1]) {
            ecr_diag_add(diags, "--open-answer", "", "'%s': expected QUESTION=ANSWER", answers[i]);
            bad++;
            continue;
        }
        char question[256];
        snprintf(question, sizeof question, "%.*s", (int)(eq - answers[i]), answers[i]);
        buf alts;
        ecr_buf_init(&alts, 1u << 16);
        int asked = 0;
        for (size_t c = 0; c < set->n; c++)
            for (size_t s = 0; set->cases[c] && s < set->cases[c]->nsteps; s++)
                if (set->cases[c]->steps[s].golden)
                    golden_answers(set->cases[c]->steps[s].golden, question, &alts, &asked);
        int listed = 0;
        buf names;
        ecr_buf_init(&names, 1u << 16);
        for (size_t o = 0; o < alts.len; o += strlen(alts.data + o) + 1) {
            if (!strcmp(alts.data + o, eq + 1))
                listed = 1;
            if (o)
                ecr_buf_puts(&names, ", ");
            ecr_buf_puts(&names, alts.data + o);
        }
        if (!asked) {
            ecr_diag_add(diags, "--open-answer", "",
                         "'%s': no loaded golden asks the question '%s' (docs/OPEN-QUESTIONS.md)",
                         answers[i], question);
            bad++;
        } else if (!listed) {
            ecr_diag_add(diags, "--open-answer", "",
                         "'%s': '%s' is not an answer the goldens list for %s (they list: %s)",
                         answers[i], eq + 1, question, names.data ? names.data : "");
            bad++;
        }
        ecr_buf_free(&names);
        ecr_buf_free(&alts);
    }
    return bad;
}

ecrc_replay *ecrc_replay_new(const struct loaded_set *set, const char *account, const char *region,
                             const char *const *answers, size_t nanswers, diag_list *diags)
{
    ecrc_replay *R = calloc(1, sizeof *R);
    if (!R)
        return NULL;
    pthread_mutex_init(&R->lock, NULL);
    snprintf(R->account, sizeof R->account, "%s", account ? account : ECR_TEST_ACCOUNT);
    snprintf(R->region, sizeof R->region, "%s", region ? region : ECR_TEST_REGION);
    R->cursors = calloc(CURSORS, sizeof *R->cursors);
    R->cases = calloc(set->n ? set->n : 1, sizeof *R->cases);
    if (!R->cursors || !R->cases) {
        ecrc_replay_free(R);
        return NULL;
    }
    for (size_t i = 0; i < set->n; i++) {
        if (!set->cases[i])
            continue;
        rp_case *rc = &R->cases[R->n];
        rc->c = set->cases[i];
        ecrc_answers_init(&rc->chosen);
        /* --open-answer: fixed before the first step chooses for itself */
        for (size_t a = 0; a < nanswers; a++) {
            const char *eq = strchr(answers[a], '=');
            if (!eq)
                continue;
            char question[256];
            snprintf(question, sizeof question, "%.*s", (int)(eq - answers[a]), answers[a]);
            ecrc_answers_set(&rc->chosen, question, eq + 1, 1);
        }
        int bad = verify_case(R, rc, diags);
        if (bad < 0) {
            ecrc_answers_free(&rc->chosen);
            ecrc_replay_free(R);
            return NULL;
        }
        if (bad)
            ecrc_answers_free(&rc->chosen);
        else
            R->n++;
    }
    return R;
}

size_t ecrc_replay_ncases(const ecrc_replay *r)
{
    return r ? r->n : 0;
}

void ecrc_replay_counts(ecrc_replay *r, unsigned long *answered, unsigned long *nomatch)
{
    pthread_mutex_lock(&r->lock);
    *answered = r->golden;
    *nomatch = r->nomatch;
    pthread_mutex_unlock(&r->lock);
}

void ecrc_replay_free(ecrc_replay *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n; i++)
        ecrc_answers_free(&r->cases[i].chosen);
    free(r->cases);
    free(r->cursors);
    pthread_mutex_destroy(&r->lock);
    free(r);
}
