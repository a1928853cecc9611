#include "casefile.h"
#include "ecr/protocol.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ecr/buf.h"
#include "ecr/json.h"
#include "ecr/util.h"
#include "vars.h"

#define ID_MAX 64

/* The state of one ecrc_case_load call. */
typedef struct loader {
    const char *file;
    const char *cases_root;
    const char *golden_root;
    diag_list *diags;
    ecr_json_src src; /* file, diags and the error count the getters share */
    vars *known;      /* variables the case may use (dummy values) */
    buf known_list;   /* "${repo:a}, ${account}, ..." for hints */
    const char *cur;  /* file the variable scan reports against */
    const char *field;
    ecrc_filecache *cache; /* manifests and blobs, read once per load */
} loader;

static void fail(loader *L, const char *file, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void fail(loader *L, const char *file, const char *field, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = ecr_vasprintf(fmt, ap); /* quotes values of any length: never cut */
    va_end(ap);
    ecr_diag_add(L->diags, file, field, "%s", msg ? msg : "out of memory");
    free(msg);
    L->src.errors++;
}

#define ERR(L, field, ...) fail((L), (L)->file, (field), __VA_ARGS__)

static char *xdup(loader *L, const char *s)
{
    char *p = strdup(s);
    if (!p)
        ERR(L, "", "out of memory");
    return p;
}

/* [a-z0-9]+(-[a-z0-9]+)* */
static int valid_name(const char *s)
{
    if (!*s || *s == '-')
        return 0;
    for (const char *p = s; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9'))
            continue;
        if (*p == '-' && p[1] && p[1] != '-')
            continue;
        return 0;
    }
    return 1;
}

/* Image ids appear inside ${digest:<id>}: no braces, no spaces. */
static int valid_image_id(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
              *s == '-' || *s == '_' || *s == '.'))
            return 0;
    return 1;
}

static int in_list(const char *s, const char *const *list)
{
    for (size_t i = 0; list[i]; i++)
        if (!strcmp(s, list[i]))
            return 1;
    return 0;
}

/* Relative, and without ".." components: case files name files below their
 * roots only. */
static int safe_relative(const char *p)
{
    if (!*p || *p == '/')
        return 0;
    for (const char *s = p; s; s = strchr(s, '/')) {
        if (*s == '/')
            s++;
        if (!strncmp(s, "..", 2) && (s[2] == '/' || s[2] == '\0'))
            return 0;
    }
    return 1;
}

/* ---- variables ---------------------------------------------------------- */

static void add_known(loader *L, const char *name)
{
    if (ecrc_vars_set(L->known, name, "x") != ECR_OK) {
        ERR(L, "", "out of memory");
        return;
    }
    ecr_buf_printf(&L->known_list, "%s${%s}", L->known_list.len ? ", " : "", name);
}

/* add_known of <kind><name>: names have no length limit, so the variable
 * name is allocated, never cut. */
static void add_known_pair(loader *L, const char *kind, const char *name)
{
    char *v = ecr_asprintf("%s%s", kind, name);
    if (!v) {
        ERR(L, "", "out of memory");
        return;
    }
    add_known(L, v);
    free(v);
}

static void on_var(const char *name, void *ud)
{
    loader *L = ud;
    if (ecrc_vars_get(L->known, name))
        return;
    fail(L, L->cur, L->field, "unknown variable ${%s} (this case defines %s)", name,
         L->known_list.data ? L->known_list.data : "none");
}

static void scan_string(loader *L, const char *file, const char *field, const char *s)
{
    L->cur = file;
    L->field = field;
    ecr_result rc = ecrc_vars_scan(s, on_var, L);
    if (rc == ECR_EINVAL)
        fail(L, file, field, "unterminated ${ (write ${name})");
    else if (rc != ECR_OK)
        fail(L, file, field, "out of memory");
}

/* Every string value (not key) in j. */
static void scan_json(loader *L, const char *file, const char *field, json_object *j)
{
    switch (json_object_get_type(j)) {
    case json_type_string:
        scan_string(L, file, field, json_object_get_string(j));
        break;
    case json_type_array:
        for (size_t i = 0; i < json_object_array_length(j); i++) {
            char f[DIAG_FIELD_MAX];
            ecr_diag_field_index(f, sizeof f, field, i);
            scan_json(L, file, f, json_object_array_get_idx(j, i));
        }
        break;
    case json_type_object: {
        json_object_object_foreach (j, k, v) {
            char f[DIAG_FIELD_MAX];
            ecr_diag_field_key(f, sizeof f, field, k);
            scan_json(L, file, f, v);
        }
        break;
    }
    default:
        break;
    }
}

/* ---- blobs -------------------------------------------------------------- */

/* "sha256:" + 64 lower-case hex digits: the only digests a blob file name can carry. */
static int blob_digest_ok(const char *d)
{
    if (strncmp(d, "sha256:", 7) || strlen(d) != 71)
        return 0;
    for (const char *p = d + 7; *p; p++)
        if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
            return 0;
    return 1;
}

/* Loads the blob a descriptor {digest, size} of manifest `mp` names (at
 * manifest field `mfield`) into im, unless the image has it already. */
static void load_blob(loader *L, case_image *im, json_object *desc, const char *f, const char *mp,
                      const char *mfield)
{
    json_object *jd = NULL, *js = NULL;
    if (!json_object_is_type(desc, json_type_object) ||
        !json_object_object_get_ex(desc, "digest", &jd) ||
        !json_object_is_type(jd, json_type_string) ||
        !json_object_object_get_ex(desc, "size", &js) || !json_object_is_type(js, json_type_int) ||
        json_object_get_int64(js) < 0) {
        ERR(L, f, "manifest %s: %s: must be a descriptor {digest, size}", mp, mfield);
        return;
    }
    const char *d = json_object_get_string(jd);
    if (!blob_digest_ok(d)) {
        ERR(L, f, "manifest %s: %s.digest: '%s' is not sha256:<64 lower-case hex digits>", mp,
            mfield, d);
        return;
    }
    for (size_t i = 0; i < im->nblobs; i++)
        if (!strcmp(im->blobs[i].digest, d))
            return; /* the same blob twice: uploaded once */
    char path[PATH_MAX];
    if (snprintf(path, sizeof path, "%s/blobs/sha256/%s", L->cases_root, d + 7) >=
        (int)sizeof path) {
        ERR(L, f, "blob path too long");
        return;
    }
    /* Inside the cases directory, like a manifest: a blob linked to a file
     * elsewhere would be pushed to the target. */
    const ecrc_cached_file *cf = ecrc_filecache_get(L->cache, path, L->cases_root, BLOB_FILE_MAX);
    if (!cf) {
        ERR(L, f, "out of memory");
        return;
    }
    if (!cf->data) {
        ERR(L, f,
            "manifest %s: %s: blob %s: %s (limit %u bytes; scripts/gen-fixture-blobs makes the "
            "blobs of every image manifest)",
            mp, mfield, path, cf->inside == 0 ? "resolves outside the cases directory" : cf->why,
            BLOB_FILE_MAX);
        return;
    }
    if (strcmp(cf->digest, d)) {
        ERR(L, f, "manifest %s: %s: blob %s has digest %s, not %s", mp, mfield, path,
            cf->digest[0] ? cf->digest : "(cannot hash it)", d);
        return;
    }
    if ((int64_t)cf->len != json_object_get_int64(js)) {
        ERR(L, f, "manifest %s: %s.size: %lld, but blob %s has %zu bytes", mp, mfield,
            (long long)json_object_get_int64(js), path, cf->len);
        return;
    }
    /* The case owns its copy: the cache lives for one load, a case longer. */
    char *data = malloc(cf->len + 1);
    case_blob *nb = data ? realloc(im->blobs, (im->nblobs + 1) * sizeof *nb) : NULL;
    if (!nb) {
        free(data);
        ERR(L, f, "out of memory");
        return;
    }
    memcpy(data, cf->data, cf->len + 1);
    im->blobs = nb;
    case_blob *b = &im->blobs[im->nblobs++];
    ecr_copy_str(b->digest, sizeof b->digest, d); /* 71 characters: fits */
    b->data = data;
    b->len = cf->len;
}

/* The blobs of image manifest m (config, then layers), so the fixture can
 * push a complete image. An index / manifest list has none. */
static void load_blobs(loader *L, case_image *im, json_object *m, const char *f, const char *mp)
{
    json_object *cfg = NULL, *layers = NULL;
    if (!json_object_is_type(m, json_type_object) || !json_object_object_get_ex(m, "config", &cfg))
        return;
    load_blob(L, im, cfg, f, mp, "config");
    if (!json_object_object_get_ex(m, "layers", &layers) ||
        !json_object_is_type(layers, json_type_array)) {
        ERR(L, f, "manifest %s: layers: an image manifest needs a layers array", mp);
        return;
    }
    for (size_t i = 0; i < json_object_array_length(layers); i++) {
        char mf[64];
        snprintf(mf, sizeof mf, "layers[%zu]", i);
        load_blob(L, im, json_object_array_get_idx(layers, i), f, mp, mf);
    }
}

/* An index or manifest list is pushed after the images it references, in
 * the same repository: ECR refuses it otherwise
 * (ReferencedImagesNotFoundException). */
static void check_children_first(loader *L, const case_repo *r, size_t idx, json_object *m,
                                 const char *f)
{
    json_object *list = NULL;
    if (!json_object_is_type(m, json_type_object) ||
        !json_object_object_get_ex(m, "manifests", &list) ||
        !json_object_is_type(list, json_type_array))
        return;
    for (size_t i = 0; i < json_object_array_length(list); i++) {
        json_object *e = json_object_array_get_idx(list, i), *d = NULL;
        if (!json_object_is_type(e, json_type_object) ||
            !json_object_object_get_ex(e, "digest", &d) ||
            !json_object_is_type(d, json_type_string))
            continue;
        int found = 0;
        for (size_t j = 0; j < idx && !found; j++)
            found = !strcmp(r->images[j].digest, json_object_get_string(d));
        if (!found)
            ERR(L, f,
                "manifest %s: manifests[%zu] (%s) is not an image pushed before it in this "
                "repository: list its child images first (ECR refuses an index whose children "
                "are missing)",
                r->images[idx].manifest_path, i, json_object_get_string(d));
    }
}

/* Reads image im's manifest at full (through the load's cache) into
 * im->manifest and im->digest and returns it parsed, only to prove it is
 * JSON: the exact bytes are what gets pushed. Its problems are reported
 * against the case's field f. NULL when it cannot be used. */
static json_object *read_manifest(loader *L, case_image *im, const char *full, const char *f)
{
    const ecrc_cached_file *cf =
        ecrc_filecache_get(L->cache, full, L->cases_root, MANIFEST_FILE_MAX);
    if (!cf) {
        ERR(L, f, "out of memory");
        return NULL;
    }
    if (cf->inside == 0) {
        ERR(L, f, "manifest %s: resolves outside the cases directory %s", full, L->cases_root);
        return NULL;
    }
    const char *why = "";
    json_object *m = ecrc_filecache_json(L->cache, cf, full, &why);
    if (!m) {
        ERR(L, f, "manifest %s: %s", full, why);
        return NULL;
    }
    if (!cf->digest[0]) {
        ERR(L, f, "manifest %s: cannot hash it", full);
        json_object_put(m);
        return NULL;
    }
    im->manifest = malloc(cf->len + 1);
    if (!im->manifest) {
        ERR(L, f, "out of memory");
        json_object_put(m);
        return NULL;
    }
    memcpy(im->manifest, cf->data, cf->len + 1);
    im->manifest_len = cf->len;
    ecr_copy_str(im->digest, sizeof im->digest, cf->digest);
    return m;
}

/* ---- fixture ------------------------------------------------------------ */

static void load_image(loader *L, case_repo *r, json_object *jo, const char *where,
                       const case_def *c)
{
    static const char *const allowed[] = {"id",         "manifest",    "tags",
                                          "media_type", "send_digest", NULL};
    if (json_object_get_type(jo) != json_type_object) {
        ERR(L, where, "must be an object {id, manifest, tags?, media_type?, send_digest?}");
        return;
    }
    ecr_json_check_members(&L->src, jo, where, allowed);
    case_image *im = &r->images[r->nimages++];
    char f[DIAG_FIELD_MAX];

    const char *id =
        ecr_json_get_string(&L->src, jo, where, "id", ECR_JSON_REQUIRED | ECR_JSON_NONEMPTY);
    if (id) {
        ecr_diag_field_key(f, sizeof f, where, "id");
        if (!valid_image_id(id))
            ERR(L, f, "image id '%s' must match [A-Za-z0-9._-]+", id);
        /* Unique in the whole case: ${digest:<id>} does not name the
         * repository. Reported once, against its first use: a file repeating
         * one id 500 times must not produce 125,000 lines. */
        const char *first_repo = NULL;
        size_t first = 0;
        for (size_t i = 0; i < c->nrepos && !first_repo; i++)
            for (size_t j = 0; j < c->repos[i].nimages && !first_repo; j++)
                if (c->repos[i].images[j].id && !strcmp(c->repos[i].images[j].id, id)) {
                    first_repo = c->repos[i].name ? c->repos[i].name : "";
                    first = j;
                }
        for (size_t j = 0; j + 1 < r->nimages && !first_repo; j++)
            if (r->images[j].id && !strcmp(r->images[j].id, id)) {
                first_repo = r->name ? r->name : "";
                first = j;
            }
        if (first_repo)
            ERR(L, f, "duplicate image id '%s' (first used by images[%zu] of repository '%s')", id,
                first, first_repo);
        im->id = xdup(L, id);
    }

    const char *mp =
        ecr_json_get_string(&L->src, jo, where, "manifest", ECR_JSON_REQUIRED | ECR_JSON_NONEMPTY);
    if (mp) {
        ecr_diag_field_key(f, sizeof f, where, "manifest");
        im->manifest_path = xdup(L, mp);
        if (!safe_relative(mp)) {
            ERR(L, f, "must be a path relative to the cases directory, without '..'");
        } else {
            char full[PATH_MAX];
            if (snprintf(full, sizeof full, "%s/%s", L->cases_root, mp) >= (int)sizeof full) {
                ERR(L, f, "path too long");
            } else {
                /* Parsed only to prove it is JSON: the exact bytes are what
                 * gets pushed, and the runner computes their digest. The
                 * manifest's problems are reported against the case. */
                json_object *m = read_manifest(L, im, full, f);
                if (m) {
                    load_blobs(L, im, m, f, mp);
                    check_children_first(L, r, r->nimages - 1, m, f);
                }
                json_object_put(m);
            }
        }
    }

    json_object *tags = ecr_json_member(&L->src, jo, where, "tags", json_type_array, 0);
    if (tags) {
        ecr_diag_field_key(f, sizeof f, where, "tags");
        im->tags = ecr_json_get_strings(&L->src, tags, f, &im->ntags);
    }
    const char *mt = ecr_json_get_string(&L->src, jo, where, "media_type", ECR_JSON_NONEMPTY);
    if (mt)
        im->media_type = xdup(L, mt);
    im->send_digest = 1;
    json_object *sd;
    if (json_object_object_get_ex(jo, "send_digest", &sd)) {
        ecr_diag_field_key(f, sizeof f, where, "send_digest");
        if (json_object_get_type(sd) != json_type_boolean)
            ERR(L, f, "must be a boolean");
        else
            im->send_digest = json_object_get_boolean(sd);
    }
}

static void load_repo(loader *L, case_def *c, json_object *jo, const char *where)
{
    static const char *const allowed[] = {"name", "images", "create", "length", NULL};
    if (json_object_get_type(jo) != json_type_object) {
        ERR(L, where, "must be an object {name, images?, create?, length?}");
        return;
    }
    ecr_json_check_members(&L->src, jo, where, allowed);
    case_repo *r = &c->repos[c->nrepos];
    r->create = 1;
    char f[DIAG_FIELD_MAX];

    const char *name =
        ecr_json_get_string(&L->src, jo, where, "name", ECR_JSON_REQUIRED | ECR_JSON_NONEMPTY);
    if (name) {
        ecr_diag_field_key(f, sizeof f, where, "name");
        if (!valid_name(name))
            ERR(L, f, "repository name '%s' must match [a-z0-9]+(-[a-z0-9]+)*", name);
        for (size_t i = 0; i < c->nrepos; i++)
            if (c->repos[i].name && !strcmp(c->repos[i].name, name))
                ERR(L, f, "duplicate repository name '%s'", name);
        r->name = xdup(L, name);
    }

    int64_t len;
    ecr_json_get_bool(&L->src, jo, where, "create", 0, &r->create);
    if (ecr_json_get_int(&L->src, jo, where, "length", 0, 2, 256, &len) == 1)
        r->length = (int)len;

    json_object *imgs = ecr_json_member(&L->src, jo, where, "images", json_type_array, 0);
    if (imgs && json_object_array_length(imgs)) {
        ecr_diag_field_key(f, sizeof f, where, "images");
        if (!r->create)
            ERR(L, f, "images need a repository that is created (create is false)");
        size_t n = json_object_array_length(imgs);
        r->images = calloc(n, sizeof *r->images);
        if (!r->images) {
            ERR(L, f, "out of memory");
        } else {
            /* nrepos is bumped only after the images, so duplicate-id checks
             * see the earlier repositories plus this one's own images. */
            for (size_t i = 0; i < n; i++) {
                char e[DIAG_FIELD_MAX];
                ecr_diag_field_index(e, sizeof e, f, i);
                load_image(L, r, json_object_array_get_idx(imgs, i), e, c);
            }
        }
    }
    c->nrepos++;
}

static const case_repo *find_repo(const case_def *c, const char *name)
{
    for (size_t i = 0; i < c->nrepos; i++)
        if (c->repos[i].name && !strcmp(c->repos[i].name, name))
            return &c->repos[i];
    return NULL;
}

static void load_fault(loader *L, case_def *c, json_object *jo, const char *where)
{
    static const char *const allowed[] = {"fault", "repository", "image", "operation", NULL};
    if (json_object_get_type(jo) != json_type_object) {
        ERR(L, where, "must be an object {fault, repository, image?, operation?}");
        return;
    }
    ecr_json_check_members(&L->src, jo, where, allowed);
    case_fault *fl = &c->faults[c->nfaults++];
    char f[DIAG_FIELD_MAX];

    const char *kind =
        ecr_json_get_string(&L->src, jo, where, "fault", ECR_JSON_REQUIRED | ECR_JSON_NONEMPTY);
    if (kind) {
        ecr_diag_field_key(f, sizeof f, where, "fault");
        if (ecr_fault_kind_parse(kind, &fl->kind))
            ERR(L, f, "unknown fault '%s' (known: %s)", kind, ecr_fault_kind_list());
    }
    const case_repo *repo = NULL;
    const char *rn = ecr_json_get_string(&L->src, jo, where, "repository",
                                         ECR_JSON_REQUIRED | ECR_JSON_NONEMPTY);
    if (rn) {
        ecr_diag_field_key(f, sizeof f, where, "repository");
        repo = find_repo(c, rn);
        if (!repo)
            ERR(L, f, "'%s' is not a fixture repository", rn);
        fl->repository = xdup(L, rn);
    }
    const char *img = ecr_json_get_string(&L->src, jo, where, "image", ECR_JSON_NONEMPTY);
    int per_image = kind && fl->kind == ECR_FAULT_IMAGE_INACCESSIBLE;
    ecr_diag_field_key(f, sizeof f, where, "image");
    if (img) {
        if (kind && !per_image)
            ERR(L, f, "only image-inaccessible takes an image");
        int found = 0;
        for (size_t j = 0; repo && j < repo->nimages; j++)
            found |= repo->images[j].id && !strcmp(repo->images[j].id, img);
        if (repo && !found)
            ERR(L, f, "'%s' is not an image of fixture repository '%s'", img, repo->name);
        fl->image = xdup(L, img);
    } else if (per_image && !json_object_object_get_ex(jo, "image", NULL)) {
        ERR(L, f, "image-inaccessible needs the id of a fixture image");
    }
    const char *op = ecr_json_get_string(&L->src, jo, where, "operation", ECR_JSON_NONEMPTY);
    if (op)
        fl->operation = xdup(L, op);
}

static void load_fixture(loader *L, case_def *c, json_object *fx)
{
    static const char *const allowed[] = {"repositories", "faults", NULL};
    if (json_object_get_type(fx) != json_type_object) {
        ERR(L, "fixture", "must be an object {repositories?, faults?}");
        return;
    }
    ecr_json_check_members(&L->src, fx, "fixture", allowed);

    json_object *repos =
        ecr_json_member(&L->src, fx, "fixture", "repositories", json_type_array, 0);
    size_t n = repos ? json_object_array_length(repos) : 0;
    if (n) {
        c->repos = calloc(n, sizeof *c->repos);
        if (!c->repos) {
            ERR(L, "fixture.repositories", "out of memory");
            return;
        }
        for (size_t i = 0; i < n; i++) {
            char f[DIAG_FIELD_MAX];
            ecr_diag_field_index(f, sizeof f, "fixture.repositories", i);
            load_repo(L, c, json_object_array_get_idx(repos, i), f);
        }
    }
    json_object *faults = ecr_json_member(&L->src, fx, "fixture", "faults", json_type_array, 0);
    n = faults ? json_object_array_length(faults) : 0;
    if (n) {
        c->faults = calloc(n, sizeof *c->faults);
        if (!c->faults) {
            ERR(L, "fixture.faults", "out of memory");
            return;
        }
        for (size_t i = 0; i < n; i++) {
            char f[DIAG_FIELD_MAX];
            ecr_diag_field_index(f, sizeof f, "fixture.faults", i);
            load_fault(L, c, json_object_array_get_idx(faults, i), f);
        }
    }
}

/* ---- steps -------------------------------------------------------------- */

/* ECR operation names: an upper-case letter, then letters and digits. */
static int valid_operation(const char *s)
{
    if (!(*s >= 'A' && *s <= 'Z'))
        return 0;
    for (s++; *s; s++)
        if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9')))
            return 0;
    return 1;
}

static void load_raw(loader *L, case_step *s, json_object *raw, const char *where)
{
    static const char *const allowed[] = {"auth", "target", "body", "headers", NULL};
    s->raw = 1;
    if (json_object_get_type(raw) != json_type_object) {
        ERR(L, where, "must be an object {auth?, target?, body?, headers?}");
        return;
    }
    ecr_json_check_members(&L->src, raw, where, allowed);
    char f[DIAG_FIELD_MAX];

    const char *auth = ecr_json_get_string(&L->src, raw, where, "auth", ECR_JSON_NONEMPTY);
    if (auth) {
        ecr_diag_field_key(f, sizeof f, where, "auth");
        if (ecrc_sign_mode_parse(auth, &s->auth))
            ERR(L, f, "unknown auth '%s' (known: %s)", auth, ecrc_sign_mode_list());
    }
    const char *target = ecr_json_get_string(&L->src, raw, where, "target", ECR_JSON_NONEMPTY);
    if (target) {
        ecr_diag_field_key(f, sizeof f, where, "target");
        scan_string(L, L->file, f, target);
        s->target = xdup(L, target);
    }
    /* An empty body is a legitimate malformed request. */
    const char *body = ecr_json_get_string(&L->src, raw, where, "body", 0);
    if (body) {
        ecr_diag_field_key(f, sizeof f, where, "body");
        scan_string(L, L->file, f, body);
        s->raw_body = xdup(L, body);
    }
    json_object *h;
    if (!json_object_object_get_ex(raw, "headers", &h))
        return;
    ecr_diag_field_key(f, sizeof f, where, "headers");
    if (json_object_get_type(h) != json_type_object) {
        ERR(L, f, "must be an object of header name to string");
        return;
    }
    size_t n = (size_t)json_object_object_length(h);
    s->header_names = calloc(n + 1, sizeof *s->header_names);
    s->header_values = calloc(n + 1, sizeof *s->header_values);
    if (!s->header_names || !s->header_values) {
        ERR(L, f, "out of memory");
        return;
    }
    json_object_object_foreach (h, name, val) {
        char hf[DIAG_FIELD_MAX];
        ecr_diag_field_key(hf, sizeof hf, f, name);
        if (!name[0] || strpbrk(name, " \t\r\n:")) {
            ERR(L, hf, "not a valid header name");
            continue;
        }
        if (json_object_get_type(val) != json_type_string) {
            ERR(L, hf, "must be a string");
            continue;
        }
        if (strpbrk(json_object_get_string(val), "\r\n")) {
            ERR(L, hf, "a header value cannot contain CR or LF");
            continue;
        }
        scan_string(L, L->file, hf, json_object_get_string(val));
        char *hn = xdup(L, name), *hv = xdup(L, json_object_get_string(val));
        if (!hn || !hv) {
            free(hn);
            free(hv);
            continue;
        }
        s->header_names[s->nheaders] = hn;
        s->header_values[s->nheaders] = hv;
        s->nheaders++;
    }
}

/* Resolves and loads the golden of step s; c->id is set when valid. */
static void load_step_golden(loader *L, const case_def *c, case_step *s, const char *override,
                             const char *where)
{
    char f[DIAG_FIELD_MAX], path[PATH_MAX];
    ecr_diag_field_key(f, sizeof f, where, "golden");
    int n;
    if (override)
        n = snprintf(path, sizeof path, "%s/%s", L->golden_root, override);
    else if (c->id && s->name)
        n = snprintf(path, sizeof path, "%s/%s/%s.json", L->golden_root, c->id, s->name);
    else
        return; /* the missing id or name is reported already */
    if (n < 0 || (size_t)n >= sizeof path) {
        ERR(L, f, "golden path too long");
        return;
    }
    s->golden_path = xdup(L, path);
    struct stat st;
    if (stat(path, &st) != 0) {
        ERR(L, f, "missing golden: expected %s (%s)", path, strerror(errno));
        return;
    }
    if (ecrc_path_inside(path, L->golden_root) == 0) {
        ERR(L, f, "golden %s resolves outside the golden directory %s", path, L->golden_root);
        return;
    }
    size_t before = L->diags->n;
    s->golden = ecrc_golden_load(path, L->diags);
    L->src.errors += L->diags->n - before;
    if (!s->golden)
        return;
    const golden *g = s->golden;
    for (size_t i = 0; i <= g->nalts; i++) {
        const golden *r = i < g->nalts ? &g->alts[i] : g;
        if (r->body)
            scan_json(L, path, "body", r->body);
        if (r->error_message)
            scan_json(L, path, "error.message", r->error_message);
        if (r->headers)
            scan_json(L, path, "headers", r->headers);
    }
}

static void load_step(loader *L, case_def *c, json_object *jo, const char *where)
{
    static const char *const allowed[] = {"name", "operation", "input", "raw", "golden", NULL};
    if (json_object_get_type(jo) != json_type_object) {
        ERR(L, where, "must be an object {name, operation, input?, raw?, golden?}");
        return;
    }
    ecr_json_check_members(&L->src, jo, where, allowed);
    case_step *s = &c->steps[c->nsteps];
    char f[DIAG_FIELD_MAX];

    const char *name =
        ecr_json_get_string(&L->src, jo, where, "name", ECR_JSON_REQUIRED | ECR_JSON_NONEMPTY);
    if (name) {
        ecr_diag_field_key(f, sizeof f, where, "name");
        if (!valid_name(name))
            ERR(L, f, "step name '%s' must match [a-z0-9]+(-[a-z0-9]+)*", name);
        for (size_t i = 0; i < c->nsteps; i++)
            if (c->steps[i].name && !strcmp(c->steps[i].name, name))
                ERR(L, f, "duplicate step name '%s'", name);
        s->name = xdup(L, name);
    }
    const char *op =
        ecr_json_get_string(&L->src, jo, where, "operation", ECR_JSON_REQUIRED | ECR_JSON_NONEMPTY);
    if (op) {
        ecr_diag_field_key(f, sizeof f, where, "operation");
        if (!valid_operation(op))
            ERR(L, f, "'%s' is not an operation name (like BatchDeleteImage)", op);
        s->operation = xdup(L, op);
    }

    json_object *in;
    ecr_diag_field_key(f, sizeof f, where, "input");
    if (json_object_object_get_ex(jo, "input", &in)) {
        if (json_object_get_type(in) != json_type_object) {
            ERR(L, f, "must be an object (the request body)");
        } else {
            scan_json(L, L->file, f, in);
            s->input = json_object_get(in);
        }
    } else {
        s->input = json_object_new_object();
        if (!s->input)
            ERR(L, f, "out of memory");
    }

    json_object *raw;
    if (json_object_object_get_ex(jo, "raw", &raw)) {
        ecr_diag_field_key(f, sizeof f, where, "raw");
        load_raw(L, s, raw, f);
    }

    const char *override = ecr_json_get_string(&L->src, jo, where, "golden", ECR_JSON_NONEMPTY);
    if (override && !safe_relative(override)) {
        ecr_diag_field_key(f, sizeof f, where, "golden");
        ERR(L, f, "must be a path relative to the golden directory, without '..'");
    } else {
        load_step_golden(L, c, s, override, where);
    }
    c->nsteps++;
}

/* ---- the case ----------------------------------------------------------- */

static void check_id(loader *L, case_def *c, json_object *root)
{
    const char *id =
        ecr_json_get_string(&L->src, root, "", "id", ECR_JSON_REQUIRED | ECR_JSON_NONEMPTY);
    if (!id)
        return;
    if (!valid_name(id) || strlen(id) > ID_MAX) {
        ERR(L, "id", "'%s' must match [a-z0-9]+(-[a-z0-9]+)* and have at most %d characters", id,
            ID_MAX);
        return;
    }
    const char *base = strrchr(L->file, '/');
    base = base ? base + 1 : L->file;
    size_t idlen = strlen(id);
    if (strncmp(base, id, idlen) != 0 || strcmp(base + idlen, ".json") != 0)
        ERR(L, "id", "the file name must be %s.json (it is %s)", id, base);
    c->id = xdup(L, id);
}

static void check_covers(loader *L, case_def *c, json_object *root)
{
    static const char *const prefixes[] = {"failureCode:", "exception:", "behaviour:"};
    json_object *cov = ecr_json_member(&L->src, root, "", "covers", json_type_array,
                                       ECR_JSON_REQUIRED | ECR_JSON_NONEMPTY);
    if (!cov)
        return;
    c->covers = ecr_json_get_strings(&L->src, cov, "covers", &c->ncovers);
    for (size_t i = 0; i < json_object_array_length(cov); i++) {
        json_object *v = json_object_array_get_idx(cov, i);
        if (json_object_get_type(v) != json_type_string || !json_object_get_string_len(v))
            continue; /* reported by get_strings */
        const char *s = json_object_get_string(v);
        int ok = 0;
        for (size_t p = 0; p < 3; p++) {
            size_t pl = strlen(prefixes[p]);
            if (!strncmp(s, prefixes[p], pl) && s[pl] && !strpbrk(s + pl, " \t\r\n"))
                ok = 1;
        }
        if (!ok) {
            char f[DIAG_FIELD_MAX];
            ecr_diag_field_index(f, sizeof f, "covers", i);
            ERR(L, f,
                "'%s' is not a label: use failureCode:<Code>, exception:<Type> or "
                "behaviour:<name>",
                s);
        }
    }
}

case_def *ecrc_case_load(const char *path, const char *cases_root, const char *golden_root,
                         ecrc_filecache *cache, diag_list *diags)
{
    json_object *root = ecr_json_read_file(path, GOLDEN_FILE_MAX, ECR_JSON_FILE, NULL, NULL, diags);
    return root ? ecrc_case_from_json(path, root, cases_root, golden_root, cache, diags) : NULL;
}

case_def *ecrc_case_from_json(const char *path, json_object *root, const char *cases_root,
                              const char *golden_root, ecrc_filecache *cache, diag_list *diags)
{
    static const char *const allowed[] = {"id",      "summary", "covers", "requires",
                                          "fixture", "steps",   NULL};
    loader L = {.file = path,
                .cases_root = cases_root,
                .golden_root = golden_root,
                .diags = diags,
                .src = {path, diags, 0},
                .cache = cache};
    ecrc_filecache *own = cache ? NULL : (L.cache = ecrc_filecache_new());
    ecr_buf_init(&L.known_list, 4096);
    case_def *c = calloc(1, sizeof *c);
    L.known = ecrc_vars_new();
    if (!c || !L.known || !L.cache || !(c->path = strdup(path))) {
        ecr_diag_add(diags, path, "", "out of memory");
        goto out;
    }
    if (json_object_get_type(root) != json_type_object) {
        ERR(&L, "", "a case must be a JSON object");
        goto out;
    }
    ecr_json_check_members(&L.src, root, "", allowed);
    check_id(&L, c, root);
    const char *summary =
        ecr_json_get_string(&L.src, root, "", "summary", ECR_JSON_REQUIRED | ECR_JSON_NONEMPTY);
    if (summary)
        c->summary = xdup(&L, summary);
    check_covers(&L, c, root);

    json_object *req = ecr_json_member(&L.src, root, "", "requires", json_type_array, 0);
    if (req) {
        c->requires = ecr_json_get_strings(&L.src, req, "requires", &c->nrequires);
        for (size_t i = 0; i < c->nrequires; i++)
            if (!in_list(c->requires[i], ecr_capability_names))
                ERR(&L, "requires", "unknown capability '%s' (known: " ECR_CAP_LIST ")",
                    c->requires[i]);
    }

    json_object *fx;
    if (json_object_object_get_ex(root, "fixture", &fx))
        load_fixture(&L, c, fx);
    int needs_faults = c->nfaults > 0;
    for (size_t i = 0; needs_faults && i < c->nrequires; i++)
        if (!strcmp(c->requires[i], ECR_CAP_FAULT_INJECTION))
            needs_faults = 0;
    if (needs_faults)
        ERR(&L, "requires", "fixture.faults needs \"" ECR_CAP_FAULT_INJECTION "\" in requires");

    for (size_t i = 0; i < c->nrepos; i++)
        if (c->repos[i].name) {
            add_known_pair(&L, "repo:", c->repos[i].name);
            for (size_t j = 0; j < c->repos[i].nimages; j++)
                if (c->repos[i].images[j].id)
                    add_known_pair(&L, "digest:", c->repos[i].images[j].id);
        }
    add_known(&L, "account");
    add_known(&L, "region");

    json_object *steps = ecr_json_member(&L.src, root, "", "steps", json_type_array,
                                         ECR_JSON_REQUIRED | ECR_JSON_NONEMPTY);
    size_t n = steps ? json_object_array_length(steps) : 0;
    if (n) {
        c->steps = calloc(n, sizeof *c->steps);
        if (!c->steps) {
            ERR(&L, "steps", "out of memory");
            goto out;
        }
        for (size_t i = 0; i < n; i++) {
            char f[DIAG_FIELD_MAX];
            ecr_diag_field_index(f, sizeof f, "steps", i);
            load_step(&L, c, json_object_array_get_idx(steps, i), f);
        }
        int state = 0;
        for (size_t i = 1; i < c->nsteps; i++)
            if (c->steps[i].operation && (!strcmp(c->steps[i].operation, "ListImages") ||
                                          !strcmp(c->steps[i].operation, "DescribeImages")))
                state = 1;
        if (!state)
            ERR(&L, "steps",
                "no ListImages or DescribeImages step after the first step: every case must "
                "check the state after the call under test");
    }

out:
    json_object_put(root);
    ecrc_filecache_free(own);
    ecrc_vars_free(L.known);
    ecr_buf_free(&L.known_list);
    if (L.src.errors || !c || !c->path) {
        if (!L.src.errors && c && c->path) /* defensive: never fail silently */
            ecr_diag_add(diags, path, "", "out of memory");
        ecrc_case_free(c);
        return NULL;
    }
    return c;
}

static void free_strings(char **v, size_t n)
{
    for (size_t i = 0; v && i < n; i++)
        free(v[i]);
    free(v);
}

void ecrc_case_free(case_def *c)
{
    if (!c)
        return;
    free(c->path);
    free(c->id);
    free(c->summary);
    free_strings(c->covers, c->ncovers);
    free_strings(c->requires, c->nrequires);
    for (size_t i = 0; i < c->nrepos; i++) {
        case_repo *r = &c->repos[i];
        free(r->name);
        for (size_t j = 0; j < r->nimages; j++) {
            case_image *im = &r->images[j];
            free(im->id);
            free(im->manifest_path);
            free(im->manifest);
            for (size_t k = 0; k < im->nblobs; k++)
                free(im->blobs[k].data);
            free(im->blobs);
            free(im->media_type);
            free_strings(im->tags, im->ntags);
        }
        free(r->images);
    }
    free(c->repos);
    for (size_t i = 0; i < c->nfaults; i++) {
        free(c->faults[i].repository);
        free(c->faults[i].image);
        free(c->faults[i].operation);
    }
    free(c->faults);
    for (size_t i = 0; i < c->nsteps; i++) {
        case_step *s = &c->steps[i];
        free(s->name);
        free(s->operation);
        json_object_put(s->input);
        free(s->target);
        free(s->raw_body);
        free_strings(s->header_names, s->nheaders);
        free_strings(s->header_values, s->nheaders);
        free(s->golden_path);
        ecrc_golden_free(s->golden);
    }
    free(c->steps);
    free(c);
}
