#include "control.h"
#include "ecr/protocol.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wire.h"

#define DEFAULT_FAULT_OP "BatchDeleteImage"
/* A runaway client must not grow the table without bound: at most this
 * many faults, each with bounded strings (docs/EMULATOR.md). */
#define MAX_FAULTS 1024
#define MAX_REPO_LEN 256   /* ECR's own limit on repository names */
#define MAX_DIGEST_LEN 256 /* "sha256:" and 64 hex digits, with room for other algorithms */
#define MAX_OP_LEN 64      /* the longest ECR operation name is 43 */

typedef struct fault {
    ecr_fault_kind kind;
    char *repo;
    char *digest; /* image-inaccessible only */
    char *op;     /* request-level kinds only */
} fault;

struct control {
    pthread_mutex_t mu;
    control_info info;
    fault *v;
    size_t n;
};

/* What an item fault answers, by kind (the names live in ecr/protocol.h).
 * Request-level kinds have no entry: they fail the whole request. */
static const struct {
    const char *code;   /* failureCode */
    const char *reason; /* failureReason; inferred, see EMULATOR.md */
} items[ECR_FAULT_KIND_COUNT] = {
    [ECR_FAULT_KMS_ERROR] = {"KmsError",
                             "The KMS key used to encrypt the repository could not be used"},
    [ECR_FAULT_UPSTREAM_ACCESS_DENIED] = {"UpstreamAccessDenied",
                                          "The upstream registry denied access to the image"},
    [ECR_FAULT_UPSTREAM_TOO_MANY_REQUESTS] = {"UpstreamTooManyRequests",
                                              "The upstream registry is throttling requests"},
    [ECR_FAULT_UPSTREAM_UNAVAILABLE] = {"UpstreamUnavailable",
                                        "The upstream registry is unavailable"},
    [ECR_FAULT_IMAGE_INACCESSIBLE] = {"ImageInaccessible", "Requested image is inaccessible"},
};

control *ecremu_control_new(const control_info *info)
{
    control *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    if (pthread_mutex_init(&c->mu, NULL) != 0) {
        free(c);
        return NULL;
    }
    c->info = *info;
    return c;
}

static void fault_clear(fault *f)
{
    free(f->repo);
    free(f->digest);
    free(f->op);
}

void ecremu_control_free(control *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n; i++)
        fault_clear(&c->v[i]);
    free(c->v);
    pthread_mutex_destroy(&c->mu);
    free(c);
}

static int same_str(const char *a, const char *b)
{
    if (!a || !b)
        return a == b;
    return strcmp(a, b) == 0;
}

ecr_result ecremu_control_add_fault(control *c, ecr_fault_kind kind, const char *repo,
                                    const char *digest, const char *op)
{
    if ((unsigned)kind >= ECR_FAULT_KIND_COUNT || !repo || !*repo)
        return ECR_EINVAL;
    if (kind == ECR_FAULT_IMAGE_INACCESSIBLE && (!digest || !*digest))
        return ECR_EINVAL;
    if (kind != ECR_FAULT_IMAGE_INACCESSIBLE)
        digest = NULL;
    if (ecr_fault_kind_is_request(kind))
        op = op && *op ? op : DEFAULT_FAULT_OP;
    else
        op = NULL;

    ecr_result rc = ECR_OK;
    pthread_mutex_lock(&c->mu);
    for (size_t i = 0; i < c->n; i++) {
        fault *f = &c->v[i];
        if (f->kind == kind && strcmp(f->repo, repo) == 0 && same_str(f->digest, digest) &&
            same_str(f->op, op))
            goto out;
    }
    if (c->n >= MAX_FAULTS) {
        rc = ECR_ETOOBIG;
        goto out;
    }
    fault *v = realloc(c->v, (c->n + 1) * sizeof *v);
    if (!v) {
        rc = ECR_ENOMEM;
        goto out;
    }
    c->v = v;
    fault nf = {kind, strdup(repo), digest ? strdup(digest) : NULL, op ? strdup(op) : NULL};
    if (!nf.repo || (digest && !nf.digest) || (op && !nf.op)) {
        fault_clear(&nf);
        rc = ECR_ENOMEM;
        goto out;
    }
    c->v[c->n++] = nf;
out:
    pthread_mutex_unlock(&c->mu);
    return rc;
}

void ecremu_control_clear(control *c, const char *repo)
{
    pthread_mutex_lock(&c->mu);
    size_t kept = 0;
    for (size_t i = 0; i < c->n; i++) {
        if (strcmp(c->v[i].repo, repo) == 0)
            fault_clear(&c->v[i]);
        else
            c->v[kept++] = c->v[i];
    }
    c->n = kept;
    pthread_mutex_unlock(&c->mu);
}

int ecremu_control_request_fault(control *c, ecr_fault_kind kind, const char *op, const char *repo)
{
    if (!c || !op || !repo || !ecr_fault_kind_is_request(kind))
        return 0;
    int hit = 0;
    pthread_mutex_lock(&c->mu);
    for (size_t i = 0; i < c->n && !hit; i++) {
        const fault *f = &c->v[i];
        hit = f->kind == kind && strcmp(f->repo, repo) == 0 && strcmp(f->op, op) == 0;
    }
    pthread_mutex_unlock(&c->mu);
    return hit;
}

int ecremu_control_item_fault(control *c, const char *repo, const char *digest, const char **code,
                              const char **reason)
{
    if (!c)
        return 0;
    int found = -1;
    pthread_mutex_lock(&c->mu);
    for (size_t i = 0; i < c->n; i++) {
        const fault *f = &c->v[i];
        if (ecr_fault_kind_is_request(f->kind) || strcmp(f->repo, repo) != 0)
            continue;
        if (f->kind == ECR_FAULT_IMAGE_INACCESSIBLE) {
            if (strcmp(f->digest, digest) == 0) {
                found = (int)f->kind;
                break; /* the image's own fault wins */
            }
        } else if (found < 0) {
            found = (int)f->kind;
        }
    }
    pthread_mutex_unlock(&c->mu);
    if (found < 0)
        return 0;
    *code = items[found].code;
    *reason = items[found].reason;
    return 1;
}

static int reply_message(json_object **out, int status, const char *message)
{
    json_object *o = json_object_new_object();
    if (o)
        json_object_object_add(o, "message", json_object_new_string(message));
    *out = o;
    return o ? status : 500;
}

static int capabilities(control *c, json_object **out)
{
    json_object *o = json_object_new_object();
    json_object *caps = json_object_new_array();
    json_object *faults = json_object_new_array();
    if (!o || !caps || !faults) {
        json_object_put(o);
        json_object_put(caps);
        json_object_put(faults);
        *out = NULL;
        return 500;
    }
    json_object_array_add(caps, json_object_new_string(ECR_CAP_FAULT_INJECTION));
    if (c->info.strict_auth)
        json_object_array_add(caps, json_object_new_string(ECR_CAP_STRICT_AUTH));
    for (int k = 0; k < ECR_FAULT_KIND_COUNT; k++)
        json_object_array_add(faults,
                              json_object_new_string(ecr_fault_kind_name((ecr_fault_kind)k)));
    json_object_object_add(o, ECR_CTL_CAPABILITIES, caps);
    json_object_object_add(o, ECR_CTL_FAULT_KINDS, faults);
    json_object_object_add(o, ECR_CTL_ACCOUNT, json_object_new_string(c->info.account));
    json_object_object_add(o, ECR_CTL_REGION, json_object_new_string(c->info.region));
    *out = o;
    return 200;
}

/* Reads an optional string member; -1 when present but not a string, -2
 * when longer than max bytes or holding a NUL (which would cut it). */
static int opt_string(json_object *obj, const char *key, size_t max, const char **out)
{
    json_object *v = NULL;
    *out = NULL;
    if (!json_object_object_get_ex(obj, key, &v) || !v)
        return 0;
    if (!json_object_is_type(v, json_type_string))
        return -1;
    size_t len = (size_t)json_object_get_string_len(v);
    if (len > max || strlen(json_object_get_string(v)) != len)
        return -2;
    *out = json_object_get_string(v);
    return 0;
}

/* The four members of a fault, each read by opt_string; a refusal in *out
 * and non-zero on failure. */
static int fault_members(json_object *in, const char **kind, const char **repo, const char **digest,
                         const char **op, json_object **out, int *status)
{
    static const struct {
        const char *key;
        size_t max;
    } m[] = {{ECR_CTL_FAULT, MAX_OP_LEN},
             {ECR_CTL_REPOSITORY, MAX_REPO_LEN},
             {ECR_CTL_IMAGE_DIGEST, MAX_DIGEST_LEN},
             {ECR_CTL_OPERATION, MAX_OP_LEN}};
    const char **dst[] = {kind, repo, digest, op};
    for (size_t i = 0; i < sizeof m / sizeof m[0]; i++) {
        int rc = opt_string(in, m[i].key, m[i].max, dst[i]);
        if (rc == -1) {
            *status = reply_message(out, 400,
                                    ECR_CTL_FAULT ", " ECR_CTL_REPOSITORY ", " ECR_CTL_IMAGE_DIGEST
                                                  " and " ECR_CTL_OPERATION " must be strings");
            return -1;
        }
        if (rc == -2) {
            char msg[128];
            snprintf(msg, sizeof msg, "%s must be at most %zu bytes long, without NUL", m[i].key,
                     m[i].max);
            *status = reply_message(out, 400, msg);
            return -1;
        }
    }
    return 0;
}

/* Operation names are letters only; an operation the emulator does not serve
 * is accepted and simply never matches. */
static int valid_op(const char *op)
{
    if (!*op)
        return 0;
    for (const char *p = op; *p; p++)
        if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z')))
            return 0;
    return 1;
}

static int add_fault(control *c, const char *body, size_t len, json_object **out)
{
    json_object *in = ecremu_wire_parse(body, len);
    const char *kind_name, *repo, *digest, *op;
    ecr_fault_kind kind;
    int status;

    if (!in || !json_object_is_type(in, json_type_object)) {
        status = reply_message(out, 400, "the body must be a JSON object");
    } else if (fault_members(in, &kind_name, &repo, &digest, &op, out, &status)) {
        /* status and *out set */
    } else if (!kind_name || ecr_fault_kind_parse(kind_name, &kind)) {
        status = reply_message(out, 400,
                               "unknown or missing fault kind (GET " ECR_CONTROL_CAPABILITIES
                               " lists them in " ECR_CTL_FAULT_KINDS ")");
    } else if (!repo || !*repo) {
        status = reply_message(out, 400, "missing " ECR_CTL_REPOSITORY);
    } else if (kind == ECR_FAULT_IMAGE_INACCESSIBLE && (!digest || !*digest)) {
        status = reply_message(out, 400, "image-inaccessible needs imageDigest");
    } else if (op && !valid_op(op)) {
        status = reply_message(out, 400, "operation must be an ECR operation name");
    } else {
        ecr_result rc = ecremu_control_add_fault(c, kind, repo, digest, op);
        if (rc == ECR_ETOOBIG)
            status =
                reply_message(out, 400,
                              "too many faults are set (at most 1024; DELETE " ECR_CONTROL_FAULTS
                              " clears a repository's)");
        else if (rc)
            status = reply_message(out, 500, "out of memory");
        else
            status = (*out = json_object_new_object()) ? 200 : 500;
    }
    json_object_put(in);
    return status;
}

int ecremu_control_handle(control *c, const char *method, const char *path, const char *repo_query,
                          size_t repo_query_len, const char *body, size_t len, json_object **out)
{
    *out = NULL;
    if (strcmp(path, ECR_CONTROL_CAPABILITIES) == 0) {
        if (strcmp(method, "GET") != 0)
            return reply_message(out, 405, "use GET");
        return capabilities(c, out);
    }
    if (strcmp(path, ECR_CONTROL_FAULTS) == 0) {
        if (strcmp(method, "POST") == 0)
            return add_fault(c, body, len, out);
        if (strcmp(method, "DELETE") == 0) {
            if (!repo_query || !*repo_query)
                return reply_message(out, 400, "missing " ECR_CTL_REPOSITORY " query argument");
            /* Clearing the name cut at a NUL would clear another repository's faults. */
            if (strlen(repo_query) != repo_query_len)
                return reply_message(out, 400,
                                     ECR_CTL_REPOSITORY " query argument contains a NUL byte");
            ecremu_control_clear(c, repo_query);
            return (*out = json_object_new_object()) ? 200 : 500;
        }
        return reply_message(out, 405, "use POST or DELETE");
    }
    return reply_message(out, 404, "no such control resource");
}
