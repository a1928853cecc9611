#include "fixture.h"
#include "ecr/base64.h"
#include "ecr/json.h"
#include "ecr/protocol.h"
#include "ecr/util.h"
#include "retry.h"

#include <json-c/json.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *ecrc_fixture_repo_name(const char *run_id, const char *case_id, const char *name, int length,
                             char *out, size_t outsz)
{
    int n = snprintf(out, outsz, "ecrc-%s/%s/%s", run_id, case_id, name);
    if (n > 0 && length > 0 && n > length && (size_t)length < outsz) {
        /* Too short for the prefix: [a-z0-9]{length} from FNV-1a of the
         * parts (out may hold only a truncated prefix). */
        uint64_t h = 1469598103934665603ull;
        const char *parts[] = {run_id, "/", case_id, "/", name};
        for (size_t k = 0; k < sizeof parts / sizeof parts[0]; k++)
            for (const char *p = parts[k]; *p; p++)
                h = (h ^ (unsigned char)*p) * 1099511628211ull;
        static const char digits[] = "abcdefghijklmnopqrstuvwxyz0123456789";
        for (int i = 0; i < length; i++) {
            out[i] = digits[h % 36];
            h = h / 36 ? h / 36 : (h ^ (uint64_t)i) * 1099511628211ull;
        }
        out[length] = '\0';
        return out;
    }
    if (n < 0 || (size_t)n >= outsz) {
        if (outsz)
            out[0] = '\0';
        return NULL; /* never a cut name: it could collide with another */
    }
    if (length <= 0 || n >= length || (size_t)length >= outsz)
        return out;
    /* Pad so the name still matches ECR's pattern: "-x...x", or a single 'x'
     * when only one character is missing ("name-" would be invalid). */
    size_t pos = (size_t)n, want = (size_t)length;
    if (want - pos >= 2)
        out[pos++] = '-';
    while (pos < want)
        out[pos++] = 'x';
    out[pos] = '\0';
    return out;
}

void ecrc_fixture_init(fixture *fx, const case_def *c, const char *run_id, const target_info *t)
{
    memset(fx, 0, sizeof *fx);
    fx->c = c;
    fx->t = t;
    snprintf(fx->run_id, sizeof fx->run_id, "%s", run_id);
}

static size_t image_count(const case_def *c)
{
    size_t n = 0;
    for (size_t i = 0; i < c->nrepos; i++)
        n += c->repos[i].nimages;
    return n;
}

/* Sets variable <kind><name> (names come from the case file: no length
 * limit, so the key is allocated, never cut). */
static ecr_result set_var(vars *v, const char *kind, const char *name, const char *value)
{
    char *key = ecr_asprintf("%s%s", kind, name);
    ecr_result rc = key ? ecrc_vars_set(v, key, value) : ECR_ENOMEM;
    free(key);
    return rc;
}

ecr_result ecrc_fixture_vars(fixture *fx, vars *v, char *err, size_t errsz)
{
    const case_def *c = fx->c;
    size_t nimg = image_count(c);
    fx->names = calloc(c->nrepos ? c->nrepos : 1, sizeof *fx->names);
    fx->digests = calloc(nimg ? nimg : 1, sizeof *fx->digests);
    fx->created = calloc(c->nrepos ? c->nrepos : 1, 1);
    if (!fx->names || !fx->digests || !fx->created) {
        snprintf(err, errsz, "out of memory");
        return ECR_ENOMEM;
    }
    size_t k = 0;
    for (size_t i = 0; i < c->nrepos; i++) {
        const case_repo *r = &c->repos[i];
        if (!ecrc_fixture_repo_name(fx->run_id, c->id, r->name, r->length, fx->names[i],
                                    FIXTURE_NAME_MAX)) {
            snprintf(err, errsz,
                     "repository '%s': its run-unique name ecrc-%s/%s/%s is longer than %d bytes",
                     r->name, fx->run_id, c->id, r->name, FIXTURE_NAME_MAX - 1);
            return ECR_ETOOBIG;
        }
        if (r->length > 0 && strlen(fx->names[i]) != (size_t)r->length) {
            snprintf(err, errsz,
                     "repository '%s': cannot make a name of length %d (the run prefix "
                     "alone is %zu characters)",
                     r->name, r->length, strlen(fx->names[i]));
            return ECR_EINVAL;
        }
        if (set_var(v, "repo:", r->name, fx->names[i]))
            return ECR_ENOMEM;
        for (size_t j = 0; j < r->nimages; j++, k++) {
            const case_image *im = &r->images[j];
            if (ecr_digest_sha256(im->manifest, im->manifest_len, fx->digests[k])) {
                snprintf(err, errsz, "image '%s': cannot hash the manifest", im->id);
                return ECR_ECRYPTO;
            }
            if (set_var(v, "digest:", im->id, fx->digests[k]))
                return ECR_ENOMEM;
        }
    }
    if (ecrc_vars_set(v, "account", fx->t->account) || ecrc_vars_set(v, "region", fx->t->region))
        return ECR_ENOMEM;
    return ECR_OK;
}

/* Sends one fixture request; any answer but 200 is a fixture failure,
 * except an error of type also_ok (may be NULL), which sets *was_also_ok. On
 * success *body_out (when non-NULL) receives the parsed body (caller puts). */
static ecr_result call_ok_or(aws_client *cl, const char *op, json_object *in, const char *what,
                             const char *also_ok, int *was_also_ok, json_object **body_out,
                             char *err, size_t errsz)
{
    const char *text = json_object_to_json_string_ext(in, ECR_JSON_COMPACT);
    aws_request req = {.operation = op, .body = text, .body_len = strlen(text)};
    aws_response r;
    /* Set-up is not under test: a throttled or failing target gets a few
     * more tries before the case errors. */
    ecr_result rc = ecrc_retry_call(cl, &req, &r);
    if (rc) {
        snprintf(err, errsz, "%s %s: %s: %s", op, what, ecr_strerror(rc), r.transport_error);
    } else if (r.status != 200 && also_ok && !strcmp(r.error_type, also_ok)) {
        *was_also_ok = 1;
    } else if (r.status != 200) {
        snprintf(err, errsz, "%s %s: HTTP %ld %s: %.300s", op, what, r.status,
                 ecrc_aws_response_error_type(&r),
                 r.error_message ? r.error_message : (r.body ? r.body : ""));
        rc = ECR_EINVAL;
    } else if (body_out) {
        size_t rest;
        *body_out =
            r.body ? ecr_json_parse(r.body, r.body_len, ECR_JSON_PEER, &rest, NULL, NULL) : NULL;
    }
    ecrc_aws_response_free(&r);
    return rc;
}

static ecr_result call_ok(aws_client *cl, const char *op, json_object *in, const char *what,
                          json_object **body_out, char *err, size_t errsz)
{
    return call_ok_or(cl, op, in, what, NULL, NULL, body_out, err, errsz);
}

/* Member key of o as a string, or NULL. */
static const char *str_member(json_object *o, const char *key)
{
    json_object *v = NULL;
    if (!o || !json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
        return NULL;
    return json_object_get_string(v);
}

/* The largest part the model allows (UploadLayerPart's layerPartBlob). */
#define PART_MAX (20u * 1024 * 1024)

/* Uploads blob b into repository `repo` (index into fx->names): Initiate,
 * the parts in order (of the partSize the target advertises), Complete with
 * the blob's digest. A blob the repository has meanwhile
 * (LayerAlreadyExistsException) counts as uploaded. */
static ecr_result upload_blob(fixture *fx, aws_client *cl, size_t repo, const case_blob *b,
                              const char *what, char *err, size_t errsz)
{
    json_object *in = json_object_new_object(), *out = NULL;
    json_object_object_add(in, "repositoryName", json_object_new_string(fx->names[repo]));
    ecr_result rc = call_ok(cl, "InitiateLayerUpload", in, what, &out, err, errsz);
    json_object_put(in);
    if (rc)
        return rc;
    const char *uid = str_member(out, "uploadId");
    json_object *ps = NULL;
    size_t part = b->len;
    if (out && json_object_object_get_ex(out, "partSize", &ps) &&
        json_object_is_type(ps, json_type_int) && json_object_get_int64(ps) > 0 &&
        (uint64_t)json_object_get_int64(ps) < part)
        part = (size_t)json_object_get_int64(ps);
    if (part > PART_MAX)
        part = PART_MAX;
    char *upload_id = uid ? ecr_strdup(uid) : NULL;
    json_object_put(out);
    if (!upload_id) {
        snprintf(err, errsz, "InitiateLayerUpload %s: HTTP 200 without uploadId in the body", what);
        return ECR_EINVAL;
    }
    for (size_t first = 0; !rc && first < b->len; first += part) {
        size_t n = b->len - first < part ? b->len - first : part;
        char *b64 = ecr_base64_encode(b->data + first, n);
        if (!b64) {
            snprintf(err, errsz, "UploadLayerPart %s: out of memory", what);
            rc = ECR_ENOMEM;
            break;
        }
        in = json_object_new_object();
        json_object_object_add(in, "repositoryName", json_object_new_string(fx->names[repo]));
        json_object_object_add(in, "uploadId", json_object_new_string(upload_id));
        json_object_object_add(in, "partFirstByte", json_object_new_int64((int64_t)first));
        json_object_object_add(in, "partLastByte", json_object_new_int64((int64_t)(first + n - 1)));
        json_object_object_add(in, "layerPartBlob", json_object_new_string(b64));
        free(b64);
        rc = call_ok(cl, "UploadLayerPart", in, what, NULL, err, errsz);
        json_object_put(in);
    }
    if (!rc) {
        in = json_object_new_object();
        json_object_object_add(in, "repositoryName", json_object_new_string(fx->names[repo]));
        json_object_object_add(in, "uploadId", json_object_new_string(upload_id));
        json_object *ds = json_object_new_array();
        json_object_array_add(ds, json_object_new_string(b->digest));
        json_object_object_add(in, "layerDigests", ds);
        int exists = 0;
        rc = call_ok_or(cl, "CompleteLayerUpload", in, what, "LayerAlreadyExistsException", &exists,
                        &out, err, errsz);
        json_object_put(in);
        const char *got = str_member(out, "layerDigest");
        if (!rc && !exists && (!got || strcmp(got, b->digest))) {
            snprintf(err, errsz,
                     "CompleteLayerUpload %s: the target reports layerDigest %.100s, expected %s",
                     what, got ? got : "(none)", b->digest);
            rc = ECR_EINVAL;
        }
        json_object_put(out);
    }
    free(upload_id);
    return rc;
}

/* 1 when an image listed before im in repository r has blob digest d: that
 * image uploads it (serially it is there by the time im is checked; at once
 * the two would race to upload the same bytes). */
static int earlier_has_blob(const case_repo *r, const case_image *im, const char *d)
{
    for (const case_image *e = r->images; e < im; e++)
        for (size_t i = 0; i < e->nblobs; i++)
            if (!strcmp(e->blobs[i].digest, d))
                return 1;
    return 0;
}

/* Which blobs of image im repository `repo` needs before its PutImage:
 * BatchCheckLayerAvailability (at most 100 digests a call, the model's
 * limit) sets missing[i] for each blob the target does not report AVAILABLE
 * and no earlier image of the repository has (im->nblobs entries, zeroed by
 * the caller). */
static ecr_result check_blobs(fixture *fx, aws_client *cl, size_t repo, const case_image *im,
                              unsigned char *missing, char *err, size_t errsz)
{
    const char *rname = fx->c->repos[repo].name;
    for (size_t start = 0; start < im->nblobs; start += 100) {
        size_t end = im->nblobs - start > 100 ? start + 100 : im->nblobs;
        json_object *in = json_object_new_object(), *out = NULL;
        json_object_object_add(in, "repositoryName", json_object_new_string(fx->names[repo]));
        json_object *ds = json_object_new_array();
        for (size_t i = start; i < end; i++)
            json_object_array_add(ds, json_object_new_string(im->blobs[i].digest));
        json_object_object_add(in, "layerDigests", ds);
        char *what = ecr_asprintf("blobs of image '%s' in '%s'", im->id, rname);
        ecr_result rc = what
                            ? call_ok(cl, "BatchCheckLayerAvailability", in, what, &out, err, errsz)
                            : ECR_ENOMEM;
        free(what);
        json_object_put(in);
        if (rc) {
            if (rc == ECR_ENOMEM)
                snprintf(err, errsz, "out of memory");
            return rc;
        }
        json_object *layers = NULL;
        if (out)
            json_object_object_get_ex(out, "layers", &layers);
        for (size_t i = start; i < end; i++) {
            int available = 0;
            for (size_t k = 0; json_object_is_type(layers, json_type_array) &&
                               k < json_object_array_length(layers);
                 k++) {
                json_object *l = json_object_array_get_idx(layers, k);
                const char *d = str_member(l, "layerDigest"),
                           *a = str_member(l, "layerAvailability");
                if (d && a && !strcmp(d, im->blobs[i].digest) && !strcmp(a, "AVAILABLE"))
                    available = 1;
            }
            missing[i] =
                !available && !earlier_has_blob(&fx->c->repos[repo], im, im->blobs[i].digest);
        }
        json_object_put(out);
    }
    return ECR_OK;
}

/* Uploads blob b of image im into repository `repo`. */
static ecr_result push_blob(fixture *fx, aws_client *cl, size_t repo, const case_image *im,
                            size_t b, char *err, size_t errsz)
{
    char *what = ecr_asprintf("blob %s (%zu bytes) of image '%s' in '%s'", im->blobs[b].digest,
                              im->blobs[b].len, im->id, fx->c->repos[repo].name);
    if (!what) {
        snprintf(err, errsz, "out of memory");
        return ECR_ENOMEM;
    }
    ecr_result rc = upload_blob(fx, cl, repo, &im->blobs[b], what, err, errsz);
    free(what);
    return rc;
}

static const char *manifest_media_type(const case_image *im, json_object **holder)
{
    if (im->media_type)
        return im->media_type;
    size_t rest;
    json_object *m = ecr_json_parse(im->manifest, im->manifest_len, ECR_JSON_PEER, &rest, NULL,
                                    NULL),
                *mt = NULL;
    *holder = m;
    if (m && json_object_object_get_ex(m, "mediaType", &mt) &&
        json_object_is_type(mt, json_type_string))
        return json_object_get_string(mt);
    return NULL;
}

static ecr_result put_image(fixture *fx, aws_client *cl, size_t repo, const case_image *im,
                            const char *digest, const char *tag, char *err, size_t errsz)
{
    json_object *holder = NULL;
    json_object *in = json_object_new_object();
    json_object_object_add(in, "repositoryName", json_object_new_string(fx->names[repo]));
    json_object_object_add(in, "imageManifest",
                           json_object_new_string_len(im->manifest, (int)im->manifest_len));
    const char *mt = manifest_media_type(im, &holder);
    if (mt)
        json_object_object_add(in, "imageManifestMediaType", json_object_new_string(mt));
    if (im->send_digest)
        json_object_object_add(in, "imageDigest", json_object_new_string(digest));
    if (tag)
        json_object_object_add(in, "imageTag", json_object_new_string(tag));
    json_object_put(holder);

    char *what = ecr_asprintf("image '%s'%s%s%s in '%s'", im->id, tag ? " tag '" : "",
                              tag ? tag : "", tag ? "'" : "", fx->c->repos[repo].name);
    json_object *out = NULL;
    ecr_result rc = what ? call_ok(cl, "PutImage", in, what, &out, err, errsz) : ECR_ENOMEM;
    json_object_put(in);
    if (rc) {
        if (!what)
            snprintf(err, errsz, "out of memory");
        free(what);
        return rc;
    }
    /* The digest the target computed must be the sha256 of the bytes sent;
     * an answer without one is not a successful push either. */
    json_object *image = NULL, *id = NULL, *d = NULL;
    if (!out || !json_object_object_get_ex(out, "image", &image) ||
        !json_object_object_get_ex(image, "imageId", &id) ||
        !json_object_object_get_ex(id, "imageDigest", &d) ||
        !json_object_is_type(d, json_type_string)) {
        snprintf(err, errsz, "PutImage %s: HTTP 200 without image.imageId.imageDigest in the body",
                 what);
        rc = ECR_EINVAL;
    } else if (strcmp(json_object_get_string(d), digest)) {
        snprintf(err, errsz,
                 "PutImage %s: the target reports digest %.100s, expected %s (sha256 of the "
                 "manifest bytes)",
                 what, json_object_get_string(d), digest);
        rc = ECR_EINVAL;
    }
    json_object_put(out);
    free(what);
    return rc;
}

static ecr_result set_faults(fixture *fx, aws_client *cl, char *err, size_t errsz)
{
    const case_def *c = fx->c;
    for (size_t i = 0; i < c->nfaults; i++) {
        const case_fault *f = &c->faults[i];
        json_object *in = json_object_new_object();
        json_object_object_add(in, ECR_CTL_FAULT,
                               json_object_new_string(ecr_fault_kind_name(f->kind)));
        const char *digest = NULL;
        size_t k = 0;
        for (size_t r = 0; r < c->nrepos; r++) {
            if (!strcmp(c->repos[r].name, f->repository))
                json_object_object_add(in, ECR_CTL_REPOSITORY,
                                       json_object_new_string(fx->names[r]));
            for (size_t j = 0; j < c->repos[r].nimages; j++, k++)
                if (f->image && !strcmp(c->repos[r].images[j].id, f->image))
                    digest = fx->digests[k];
        }
        if (digest)
            json_object_object_add(in, ECR_CTL_IMAGE_DIGEST, json_object_new_string(digest));
        if (f->operation)
            json_object_object_add(in, ECR_CTL_OPERATION, json_object_new_string(f->operation));
        fx->faults_set = 1;
        char e[700];
        ecr_result rc = ecrc_target_set_fault(
            cl, json_object_to_json_string_ext(in, ECR_JSON_COMPACT), e, sizeof e);
        json_object_put(in);
        if (rc) {
            snprintf(err, errsz, "fault %s on '%s': %s", ecr_fault_kind_name(f->kind),
                     f->repository, e);
            return rc;
        }
    }
    return ECR_OK;
}

/* ---- independent requests at once ------------------------------------- */

/* One image of the case: its repository, its place among all images (the
 * index into fx->digests) and, once checked, which of its blobs to upload
 * (im->nblobs flags; NULL when it has none to check). */
typedef struct fx_image {
    size_t repo, k;
    const case_image *im;
    unsigned char *missing;
} fx_image;

/* One blob to upload: blob `blob` of image img. */
typedef struct fx_upload {
    const fx_image *img;
    size_t blob;
} fx_upload;

/* One task of a fan_out: arg[i] is the task's own (an fx_image, a
 * repository index). */
typedef ecr_result (*fx_task)(fixture *fx, aws_client *cl, const void *arg, char *err,
                              size_t errsz);

/* What the threads of one fan_out share; mu guards next, rc, failed_at, err. */
typedef struct fan {
    fixture *fx;
    fx_task fn;
    const void *const *tasks;
    size_t n;
    pthread_mutex_t mu;
    size_t next, failed_at;
    ecr_result rc;
    char err[1024];
} fan;

typedef struct fan_thread {
    fan *f;
    aws_client *cl;
    pthread_t th;
} fan_thread;

/* Runs tasks until none is left or one has failed (then nothing new
 * starts); the failure of the earliest task is the one reported. */
static void fan_loop(fan *f, aws_client *cl)
{
    char e[1024];
    for (;;) {
        pthread_mutex_lock(&f->mu);
        size_t i = !f->rc && f->next < f->n ? f->next++ : f->n;
        pthread_mutex_unlock(&f->mu);
        if (i >= f->n)
            return;
        e[0] = '\0';
        ecr_result rc = f->fn(f->fx, cl, f->tasks[i], e, sizeof e);
        if (!rc)
            continue;
        pthread_mutex_lock(&f->mu);
        if (!f->rc || i < f->failed_at) {
            f->rc = rc;
            f->failed_at = i;
            snprintf(f->err, sizeof f->err, "%s", e);
        }
        pthread_mutex_unlock(&f->mu);
    }
}

static void *fan_main(void *arg)
{
    fan_thread *t = arg;
    fan_loop(t->f, t->cl);
    return NULL;
}

/* Runs fn on each of the n tasks: one at a time on cl without fx->pool
 * (when the pool has no connection to spare, or the target answers fast),
 * else at once on cl and up to
 * FIXTURE_FANOUT - 1 connections borrowed from the pool, each task whole on
 * one connection (its own requests stay in order). Returns ECR_OK, or the
 * first failure with its message in err. */
static ecr_result fan_out(fixture *fx, aws_client *cl, fx_task fn, const void *const *tasks,
                          size_t n, char *err, size_t errsz)
{
    if (!n)
        return ECR_OK;
    aws_client *extra[FIXTURE_FANOUT - 1];
    size_t want = n - 1 < FIXTURE_FANOUT - 1 ? n - 1 : FIXTURE_FANOUT - 1;
    /* Requests at once save round trips, but each handoff to another
     * thread costs a scheduling delay: against a target that answers
     * within FIXTURE_FANOUT_MIN_RTT_MS (the built-in emulator, a local
     * server; the CPUs are the limit then) one at a time is faster. */
    int slow = ecrc_aws_client_rtt_ms(cl) >= FIXTURE_FANOUT_MIN_RTT_MS;
    size_t k = n > 1 && slow ? ecrc_client_pool_take(fx->pool, extra, want) : 0;
    if (!k) {
        for (size_t i = 0; i < n; i++) {
            ecr_result rc = fn(fx, cl, tasks[i], err, errsz);
            if (rc)
                return rc;
        }
        return ECR_OK;
    }
    fan f = {.fx = fx, .fn = fn, .tasks = tasks, .n = n};
    pthread_mutex_init(&f.mu, NULL);
    fan_thread th[FIXTURE_FANOUT - 1];
    size_t started = 0;
    for (size_t i = 0; i < k; i++) {
        th[started] = (fan_thread){.f = &f, .cl = extra[i]};
        if (pthread_create(&th[started].th, NULL, fan_main, &th[started]) == 0)
            started++;
    }
    fan_loop(&f, cl); /* this thread works too */
    for (size_t i = 0; i < started; i++)
        pthread_join(th[i].th, NULL);
    ecrc_client_pool_give(fx->pool, extra, k);
    pthread_mutex_destroy(&f.mu);
    if (f.rc)
        snprintf(err, errsz, "%s", f.err);
    return f.rc;
}

static ecr_result check_task(fixture *fx, aws_client *cl, const void *arg, char *err, size_t errsz)
{
    const fx_image *img = arg;
    return check_blobs(fx, cl, img->repo, img->im, img->missing, err, errsz);
}

static ecr_result upload_task(fixture *fx, aws_client *cl, const void *arg, char *err, size_t errsz)
{
    const fx_upload *u = arg;
    return push_blob(fx, cl, u->img->repo, u->img->im, u->blob, err, errsz);
}
/* A repository's PutImages: its images in the case's order (an index after
 * its children; the registry lists images in push order, and the reports
 * show those listings), each once per tag in order, or once untagged. img is
 * the repository's first image. */
static ecr_result put_task(fixture *fx, aws_client *cl, const void *arg, char *err, size_t errsz)
{
    const fx_image *img = arg;
    const case_repo *r = &fx->c->repos[img->repo];
    for (size_t j = 0; j < r->nimages; j++) {
        const case_image *im = &r->images[j];
        const char *digest = fx->digests[img->k + j];
        ecr_result rc = ECR_OK;
        for (size_t t = 0; !rc && t < (im->ntags ? im->ntags : 1); t++)
            rc = put_image(fx, cl, img->repo, im, digest, im->ntags ? im->tags[t] : NULL, err,
                           errsz);
        if (rc)
            return rc;
    }
    return ECR_OK;
}

/* CreateRepository of repository *(const size_t *)arg, after the
 * before_create hook; marks it created. */
static ecr_result create_task(fixture *fx, aws_client *cl, const void *arg, char *err, size_t errsz)
{
    size_t i = *(const size_t *)arg;
    ecr_result rc = ECR_OK;
    json_object *in = json_object_new_object();
    json_object_object_add(in, "repositoryName", json_object_new_string(fx->names[i]));
    if (fx->before_create)
        rc = fx->before_create(fx->before_create_user, fx->names[i], in, err, errsz);
    char *what = rc ? NULL : ecr_asprintf("'%s'", fx->c->repos[i].name);
    if (!rc)
        rc = what ? call_ok(cl, "CreateRepository", in, what, NULL, err, errsz) : ECR_ENOMEM;
    if (rc == ECR_ENOMEM && !what)
        snprintf(err, errsz, "out of memory");
    free(what);
    json_object_put(in);
    if (!rc)
        fx->created[i] = 1; /* this repository's own byte: no other task writes it */
    return rc;
}

/* Checks every image's blobs, then uploads the missing ones (each on one
 * connection, the blobs at once with fx->pool). */
static ecr_result push_all_blobs(fixture *fx, aws_client *cl, fx_image *imgs, size_t n, char *err,
                                 size_t errsz)
{
    size_t nblobs = 0;
    for (size_t i = 0; i < n; i++)
        nblobs += imgs[i].im->nblobs;
    if (!nblobs)
        return ECR_OK;
    unsigned char *missing = calloc(nblobs, 1);
    fx_upload *ups = calloc(nblobs, sizeof *ups);
    const void **tasks = calloc(nblobs > n ? nblobs : n, sizeof *tasks);
    ecr_result rc = missing && ups && tasks ? ECR_OK : ECR_ENOMEM;
    if (rc)
        snprintf(err, errsz, "out of memory");
    size_t nt = 0, off = 0;
    for (size_t i = 0; !rc && i < n; off += imgs[i].im->nblobs, i++) {
        imgs[i].missing = missing + off;
        if (imgs[i].im->nblobs)
            tasks[nt++] = &imgs[i];
    }
    if (!rc)
        rc = fan_out(fx, cl, check_task, (const void *const *)tasks, nt, err, errsz);
    size_t nu = 0;
    for (size_t i = 0; !rc && i < n; i++)
        for (size_t b = 0; b < imgs[i].im->nblobs; b++)
            if (imgs[i].missing[b]) {
                ups[nu] = (fx_upload){&imgs[i], b};
                tasks[nu] = &ups[nu];
                nu++;
            }
    if (!rc)
        rc = fan_out(fx, cl, upload_task, (const void *const *)tasks, nu, err, errsz);
    for (size_t i = 0; i < n; i++)
        imgs[i].missing = NULL;
    free(missing);
    free(ups);
    free(tasks);
    return rc;
}

ecr_result ecrc_fixture_build(fixture *fx, aws_client *cl, char *err, size_t errsz)
{
    const case_def *c = fx->c;
    size_t n = image_count(c);
    fx_image *imgs = calloc(n ? n : 1, sizeof *imgs);
    const void **tasks = calloc(n ? n : 1, sizeof *tasks);
    if (!imgs || !tasks) {
        free(imgs);
        free(tasks);
        snprintf(err, errsz, "out of memory");
        return ECR_ENOMEM;
    }
    ecr_result rc = ECR_OK;
    size_t k = 0;
    for (size_t i = 0; i < c->nrepos; i++)
        for (size_t j = 0; j < c->repos[i].nimages; j++, k++)
            imgs[k] = (fx_image){.repo = i, .k = k, .im = &c->repos[i].images[j]};
    /* The repositories: at once, unless a hook must see each creation
     * before it is sent (live rules journal them one by one). */
    size_t *idx = calloc(c->nrepos ? c->nrepos : 1, sizeof *idx);
    const void **rtasks = calloc(c->nrepos ? c->nrepos : 1, sizeof *rtasks);
    size_t nr = 0;
    for (size_t i = 0; idx && rtasks && i < c->nrepos; i++)
        if (c->repos[i].create) {
            idx[nr] = i;
            rtasks[nr] = &idx[nr];
            nr++;
        }
    if (!idx || !rtasks) {
        snprintf(err, errsz, "out of memory");
        rc = ECR_ENOMEM;
    } else if (fx->before_create) {
        for (size_t i = 0; !rc && i < nr; i++)
            rc = create_task(fx, cl, rtasks[i], err, errsz);
    } else {
        rc = fan_out(fx, cl, create_task, (const void *const *)rtasks, nr, err, errsz);
    }
    free(idx);
    free(rtasks);
    /* Images only live in created repositories (the loader checks): every
     * one is pushed. The blobs first (a target without the layer API gets
     * the manifests alone): every image's check at once, then every missing
     * blob's upload at once; then each repository's PutImages in order, the
     * repositories at once. */
    if (!rc && fx->t->layer_api)
        rc = push_all_blobs(fx, cl, imgs, n, err, errsz);
    size_t nt = 0;
    for (size_t i = 0; i < n; i++)
        if (i == 0 || imgs[i].repo != imgs[i - 1].repo)
            tasks[nt++] = &imgs[i];
    if (!rc)
        rc = fan_out(fx, cl, put_task, (const void *const *)tasks, nt, err, errsz);
    free(imgs);
    free(tasks);
    return rc ? rc : set_faults(fx, cl, err, errsz);
}

size_t ecrc_fixture_requests(const case_def *c, int layer_api)
{
    size_t n = 0;
    for (size_t i = 0; i < c->nrepos; i++) {
        const case_repo *r = &c->repos[i];
        n += r->create ? 2 : 1; /* CreateRepository; DeleteRepository in any case */
        for (size_t j = 0; j < r->nimages; j++) {
            const case_image *im = &r->images[j];
            n += im->ntags ? im->ntags : 1;
            if (!layer_api || !im->nblobs)
                continue;
            n += (im->nblobs + 99) / 100;
            for (size_t b = 0; b < im->nblobs; b++)
                if (!earlier_has_blob(r, im, im->blobs[b].digest))
                    n += 3; /* Initiate, one part (blobs are small), Complete */
        }
    }
    if (c->nfaults)
        n += c->nfaults + c->nrepos; /* set, then cleared per repository */
    return n;
}

/* One repository's DeleteRepository in teardown, and how it went. */
typedef struct del_slot {
    size_t repo;
    ecr_result rc;
    char err[1024];
} del_slot;

/* DeleteRepository (force) of the slot's repository. Not under test either:
 * retried. RepositoryNotFound is fine: never created, or a step deleted it.
 * The outcome goes into the slot; always ECR_OK, so that one failure does not
 * stop the other deletions (fan_out starts nothing after a failure). */
static ecr_result delete_task(fixture *fx, aws_client *cl, const void *arg, char *err, size_t errsz)
{
    (void)err;
    (void)errsz;
    del_slot *d = (del_slot *)arg; /* this task's own: written by this thread alone */
    const char *name = fx->c->repos[d->repo].name;
    json_object *in = json_object_new_object();
    json_object_object_add(in, "repositoryName", json_object_new_string(fx->names[d->repo]));
    json_object_object_add(in, "force", json_object_new_boolean(1));
    const char *text = json_object_to_json_string_ext(in, ECR_JSON_COMPACT);
    aws_request req = {.operation = "DeleteRepository", .body = text, .body_len = strlen(text)};
    aws_response r;
    d->rc = ecrc_retry_call(cl, &req, &r);
    if (!d->rc && r.status != 200 && strcmp(r.error_type, "RepositoryNotFoundException")) {
        d->rc = ECR_EINVAL;
        snprintf(d->err, sizeof d->err, "DeleteRepository '%s': HTTP %ld %s", name, r.status,
                 ecrc_aws_response_error_type(&r));
    } else if (d->rc) {
        snprintf(d->err, sizeof d->err, "DeleteRepository '%s': %s %s", name, ecr_strerror(d->rc),
                 r.transport_error);
    }
    ecrc_aws_response_free(&r);
    json_object_put(in);
    return ECR_OK;
}

ecr_result ecrc_fixture_teardown(fixture *fx, aws_client *cl, char *err, size_t errsz)
{
    ecr_result first = ECR_OK;
    const case_def *c = fx->c;
    if (!fx->names)
        return ECR_OK;
    for (size_t i = 0; fx->faults_set && i < c->nrepos; i++) {
        char e[700];
        ecr_result rc = ecrc_target_clear_faults(cl, fx->names[i], e, sizeof e);
        if (rc && !first) {
            first = rc;
            snprintf(err, errsz, "%s", e);
        }
    }
    /* Every repository the case may have created, including one a step
     * created itself: deleting one that does not exist is fine. With
     * fx->pool the repositories at once; the first failure in the case's
     * order is the one reported. */
    del_slot *slots = calloc(c->nrepos ? c->nrepos : 1, sizeof *slots);
    const void **tasks = calloc(c->nrepos ? c->nrepos : 1, sizeof *tasks);
    if (!slots || !tasks) {
        free(slots);
        free(tasks);
        if (!first)
            snprintf(err, errsz, "out of memory");
        return first ? first : ECR_ENOMEM;
    }
    size_t nt = 0;
    for (size_t i = 0; i < c->nrepos; i++) {
        /* A short name is not run-unique for sure: if this fixture did not
         * create it, the repository may be someone else's. */
        if (strncmp(fx->names[i], "ecrc-", 5) && !(fx->created && fx->created[i]))
            continue;
        slots[nt].repo = i;
        tasks[nt] = &slots[nt];
        nt++;
    }
    char e[1024]; /* delete_task keeps its outcome in its slot: never written */
    fan_out(fx, cl, delete_task, (const void *const *)tasks, nt, e, sizeof e);
    for (size_t i = 0; i < nt && !first; i++)
        if (slots[i].rc) {
            first = slots[i].rc;
            snprintf(err, errsz, "%s", slots[i].err);
        }
    free(slots);
    free(tasks);
    return first;
}

void ecrc_fixture_free(fixture *fx)
{
    if (!fx)
        return;
    free(fx->names);
    free(fx->digests);
    free(fx->created);
    fx->names = NULL;
    fx->digests = NULL;
    fx->created = NULL;
}
