#include "batchdel.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ecr/buf.h"
#include "ecr/util.h"

/* The processing model (docs/EMULATOR.md, "Several items in one request"):
 * items are processed in order against the repository as the earlier items
 * of the request left it; what earlier items removed is remembered (the
 * removal log below). Where ECR's answer is unknown, the emulator's answers
 * (answers.h) decide: whether an item naming only what was already removed
 * fails or is merged (oq-same-image-twice), and whether a manifest list
 * removed earlier in the request still protects its children
 * (oq-index-then-children). */

/* What the request removed so far: (digest, tag) pairs, tag NULL for an
 * image removed whole. */
/* A manifest list the request removed: its digest, push order and
 * references (copies). */
typedef struct gone_index {
    char digest[DIGEST_STR_SIZE];
    unsigned long long seq;
    char **refs;
    size_t nrefs;
} gone_index;

typedef struct removal_log {
    char **digest;
    char **tag;
    size_t n, cap;
    /* The manifest lists removed so far (copies): under
     * oq-index-then-children=before-request they still protect their
     * children for the rest of the request. */
    struct gone_index *gone;
    size_t ngone, capgone;
} removal_log;

static void log_free(removal_log *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->digest[i]);
        free(l->tag[i]);
    }
    free(l->digest);
    free(l->tag);
    for (size_t i = 0; i < l->ngone; i++) {
        for (size_t k = 0; k < l->gone[i].nrefs; k++)
            free(l->gone[i].refs[k]);
        free(l->gone[i].refs);
    }
    free(l->gone);
    memset(l, 0, sizeof *l);
}

/* Remembers manifest list img (its digest, seq and references) before it is
 * removed. Returns 0, or -1 when out of memory. */
static int log_gone(removal_log *l, const store_image *img)
{
    if (!img->nrefs)
        return 0;
    if (l->ngone == l->capgone) {
        size_t cap = l->capgone ? l->capgone * 2 : 4;
        gone_index *v = realloc(l->gone, cap * sizeof *v);
        if (!v)
            return -1;
        l->gone = v;
        l->capgone = cap;
    }
    gone_index *copy = &l->gone[l->ngone];
    memset(copy, 0, sizeof *copy);
    if (ecr_copy_str(copy->digest, sizeof copy->digest, img->digest) != ECR_OK ||
        !(copy->refs = calloc(img->nrefs, sizeof *copy->refs)))
        return -1;
    copy->seq = img->seq;
    l->ngone++;
    for (size_t k = 0; k < img->nrefs; k++) {
        if (!(copy->refs[k] = strdup(img->refs[k])))
            return -1; /* freed with the log */
        copy->nrefs = k + 1;
    }
    return 0;
}

static int log_add(removal_log *l, const char *digest, const char *tag)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        char **d = realloc(l->digest, cap * sizeof *d);
        if (!d)
            return -1;
        l->digest = d;
        char **t = realloc(l->tag, cap * sizeof *t);
        if (!t)
            return -1;
        l->tag = t;
        l->cap = cap;
    }
    l->digest[l->n] = strdup(digest);
    l->tag[l->n] = tag ? strdup(tag) : NULL;
    if (!l->digest[l->n] || (tag && !l->tag[l->n])) {
        free(l->digest[l->n]);
        free(l->tag[l->n]);
        return -1;
    }
    l->n++;
    return 0;
}

/* 1 when everything the item names was removed by an earlier item: its tag
 * (with its digest, when given), or its image as a whole. */
static int log_covers(const removal_log *l, const char *digest, const char *tag)
{
    for (size_t i = 0; i < l->n; i++) {
        int whole = l->tag[i] == NULL;
        if (digest && strcmp(l->digest[i], digest))
            continue;
        if (!tag && digest && whole)
            return 1;
        if (tag && digest && whole)
            return 1;
        if (tag && l->tag[i] && !strcmp(l->tag[i], tag))
            return 1;
    }
    return 0;
}

static int answer(const op_call *c, emu_question q)
{
    return c->ctx->answers ? c->ctx->answers->v[q] : 0;
}

/* A manifest list naming a child: held now, or removed by the request. */
typedef struct parent_ref {
    unsigned long long seq;
    const char *digest;
} parent_ref;

static int by_seq(const void *a, const void *b)
{
    unsigned long long x = ((const parent_ref *)a)->seq, y = ((const parent_ref *)b)->seq;
    return x < y ? -1 : x > y;
}

/* The manifest lists of r that reference child, in push order, each once:
 * those r holds now, and (with_gone) those the request removed before.
 * Returns their number and *out (free it), or -1 when out of memory. */
static long parents_of(const store_repo *r, const removal_log *log, int with_gone,
                       const char *child, parent_ref **out)
{
    size_t nlive;
    store_image *const *live = ecremu_store_parents(r, child, &nlive);
    size_t n = 0, cap = nlive + (with_gone ? log->ngone : 0);
    parent_ref *v = malloc((cap ? cap : 1) * sizeof *v);
    if (!v)
        return -1;
    for (size_t i = 0; i < nlive; i++)
        v[n++] = (parent_ref){live[i]->seq, live[i]->digest};
    for (size_t i = 0; with_gone && i < log->ngone; i++) {
        const gone_index *g = &log->gone[i];
        for (size_t k = 0; k < g->nrefs; k++) {
            if (strcmp(g->refs[k], child) == 0) {
                v[n++] = (parent_ref){g->seq, g->digest};
                break;
            }
        }
    }
    if (n > nlive) /* the removed ones go back to their place in push order */
        qsort(v, n, sizeof *v, by_seq);
    *out = v;
    return (long)n;
}

/* "Requested image referenced by manifest list: [<p1>, <p2>]" for parents
 * v[0..n): sized to fit them all (no fixed cap: an image can be referenced
 * by any number of manifest lists). Returns NULL when out of memory. */
static char *referenced_message(const parent_ref *v, long n)
{
    static const char head[] = "Requested image referenced by manifest list: [";
    buf msg;
    ecr_buf_init(&msg, sizeof head + (size_t)n * (DIGEST_STR_SIZE + 2) + 2);
    int bad = ecr_buf_puts(&msg, head) != ECR_OK;
    for (long i = 0; i < n && !bad; i++)
        bad = (i && ecr_buf_puts(&msg, ", ")) || ecr_buf_puts(&msg, v[i].digest);
    bad = bad || ecr_buf_puts(&msg, "]");
    char *text = bad ? NULL : ecr_buf_steal(&msg);
    ecr_buf_free(&msg);
    return text;
}

static int add_deleted(json_object *deleted, const char *digest, const char *tag)
{
    json_object *id = ecremu_op_image_id(digest, tag);
    if (!id || json_object_array_add(deleted, id)) {
        json_object_put(id);
        return -1;
    }
    return 0;
}

/* Deletes by digest: the image and all its tags go, one entry per tag (or
 * one bare entry for an untagged image). */
static int delete_image(store_repo *r, store_image *img, json_object *deleted, removal_log *log)
{
    if (!img->ntags && add_deleted(deleted, img->digest, NULL))
        return -1;
    for (size_t t = 0; t < img->ntags; t++)
        if (add_deleted(deleted, img->digest, img->tags[t].name) ||
            log_add(log, img->digest, img->tags[t].name))
            return -1;
    if (log_add(log, img->digest, NULL) || log_gone(log, img))
        return -1;
    ecremu_store_image_delete(r, img);
    return 0;
}

/* Deletes one tag; the image goes with its last tag. */
static int delete_tag(store_repo *r, store_image *img, const char *tag, json_object *deleted,
                      removal_log *log)
{
    if (add_deleted(deleted, img->digest, tag) || log_add(log, img->digest, tag))
        return -1;
    ecremu_store_tag_remove(img, tag);
    if (!img->ntags) {
        if (log_add(log, img->digest, NULL) || log_gone(log, img))
            return -1;
        ecremu_store_image_delete(r, img);
    }
    return 0;
}

/* The lower-case spelling of digest into out (outsz bytes). */
static const char *lower(const char *digest, char *out, size_t outsz)
{
    size_t i = 0;
    for (; digest[i] && i + 1 < outsz; i++)
        out[i] = (char)tolower((unsigned char)digest[i]);
    out[i] = '\0';
    return out;
}

/* Resolves one item, applying the emulator's answers to the open questions
 * on malformed and unusual identifiers. */
static op_id_status resolve(const op_call *c, const store_repo *r, const char *digest,
                            const char *tag, store_image **img)
{
    op_id_status st = ecremu_op_resolve(r, digest, tag, img);
    if (st == OP_ID_BAD_TAG && answer(c, Q_INVALID_TAG) == A_TAG_NOT_FOUND)
        st = OP_ID_NOT_FOUND; /* no format check: such a tag is never stored */
    if (st == OP_ID_NOT_FOUND && digest && answer(c, Q_DIGEST_CASE) == A_CASE_INSENSITIVE) {
        char low[512];
        op_id_status again = ecremu_op_resolve(r, lower(digest, low, sizeof low), tag, img);
        if (again == OP_ID_FOUND || again == OP_ID_TAG_MISMATCH)
            st = again;
    }
    if (st == OP_ID_NOT_FOUND && digest && tag &&
        answer(c, Q_TAG_KNOWN_DIGEST_UNKNOWN) == A_MISMATCH && ecremu_store_image_by_tag(r, tag) &&
        !ecremu_store_image_by_digest(r, digest))
        st = OP_ID_TAG_MISMATCH;
    if (st != OP_ID_FOUND)
        *img = NULL;
    return st;
}

/* One item. Returns 0, or -1 when out of memory. */
static int one_item(op_call *c, store_repo *r, json_object *item, json_object *deleted,
                    json_object *failures, removal_log *log)
{
    const char *digest, *tag, *code, *reason;
    store_image *img;

    ecremu_op_id_fields(item, &digest, &tag);
    /* oq-empty-digest=MissingDigestAndTag: "" counts as no digest. */
    const char *d =
        digest && !*digest && answer(c, Q_EMPTY_DIGEST) == A_EMPTY_MISSING ? NULL : digest;
    if (tag && (tag[0] == '-' || tag[0] == '.') &&
        answer(c, Q_TAG_LEADING_PUNCTUATION) == A_LEADING_INVALID_IMAGE_TAG)
        return ecremu_op_add_failure(failures, digest, tag, "InvalidImageTag",
                                     ecremu_op_id_reason(OP_ID_BAD_TAG));
    op_id_status st = resolve(c, r, d, tag, &img);
    if (st == OP_ID_NOT_FOUND && answer(c, Q_SAME_IMAGE_TWICE) == A_MERGED &&
        log_covers(log, d, tag))
        return 0; /* merged with the earlier item that removed it */
    if (st != OP_ID_FOUND) {
        const char *echo_tag =
            st == OP_ID_BAD_DIGEST && answer(c, Q_INVALID_DIGEST_ECHO) == A_DIGEST_ONLY ? NULL
                                                                                        : tag;
        return ecremu_op_add_failure(failures, digest, echo_tag, ecremu_op_id_code(st),
                                     ecremu_op_id_reason(st));
    }
    if (ecremu_control_item_fault(c->ctx->ctl, r->name, img->digest, &code, &reason))
        return ecremu_op_add_failure(failures, digest, tag, code, reason);

    /* References: on the state before the request (what the repository
     * holds plus what earlier items removed), or (in-order) on the state the
     * earlier items left. */
    int with_gone = answer(c, Q_INDEX_THEN_CHILDREN) != A_INDEX_IN_ORDER;
    /* A tag with its matching digest removes the tag (oq-tag-and-digest=tag)
     * or the whole image (=image). */
    int whole = !tag || (d && answer(c, Q_TAG_AND_DIGEST) == A_WHOLE_IMAGE);
    parent_ref *parents = NULL;
    long np = parents_of(r, log, with_gone, img->digest, &parents);
    int rc;
    if (np < 0) {
        rc = -1;
    } else if (np > 0 && (whole || img->ntags == 1)) {
        /* by digest, or its only remaining tag: the index would dangle */
        char *msg = referenced_message(parents, np);
        rc =
            msg ? ecremu_op_add_failure(failures, digest, tag, "ImageReferencedByManifestList", msg)
                : -1;
        free(msg);
    } else if (!whole) {
        rc = delete_tag(r, img, tag, deleted, log);
    } else {
        rc = delete_image(r, img, deleted, log);
    }
    free(parents);
    return rc;
}

/* Whole-request refusals of malformed tags, when the emulator answers
 * oq-invalid-tag or oq-tag-leading-punctuation with InvalidParameterException:
 * a constraint, so it comes before the repository lookup. */
static int check_tag_format(op_call *c, json_object *ids)
{
    int bad_chars = answer(c, Q_INVALID_TAG) == A_TAG_INVALID_PARAMETER;
    int bad_start = answer(c, Q_TAG_LEADING_PUNCTUATION) == A_LEADING_INVALID_PARAMETER;
    size_t n = ids ? json_object_array_length(ids) : 0;
    for (size_t i = 0; (bad_chars || bad_start) && i < n; i++) {
        const char *digest, *tag;
        ecremu_op_id_fields(json_object_array_get_idx(ids, i), &digest, &tag);
        if (!tag)
            continue;
        int refuse = (bad_chars && !ecremu_op_tag_well_formed(tag)) ||
                     (bad_start && (tag[0] == '-' || tag[0] == '.'));
        if (!refuse)
            continue;
        char mem[96];
        snprintf(mem, sizeof mem, "imageIds.%zu.member.imageTag", i + 1);
        return ecremu_op_invalid(
            c, mem,
            bad_start && (tag[0] == '-' || tag[0] == '.')
                ? "must satisfy regular expression '[a-zA-Z0-9_][a-zA-Z0-9-_.]*'"
                : "must satisfy regular expression '[a-zA-Z0-9-_.]+'");
    }
    return 0;
}

void ecremu_batchdel_run(op_call *c)
{
    const char *reg, *name;
    json_object *ids;

    if (ecremu_op_string(c, c->in, "registryId", &reg) ||
        ecremu_op_string(c, c->in, "repositoryName", &name) ||
        ecremu_op_image_ids(c, "imageIds", &ids))
        return;
    if (ecremu_op_check_registry(c, reg) || ecremu_op_check_repo_name(c, "repositoryName", name) ||
        ecremu_op_check_count(c, "imageIds", ids, 1, 100, 1) ||
        ecremu_op_check_tags(c, "imageIds", ids) || check_tag_format(c, ids) ||
        ecremu_op_request_faults(c, name))
        return;
    store_repo *r = ecremu_op_find_repo(c, reg, name);
    if (!r)
        return;

    json_object *deleted, *failures;
    json_object *o = ecremu_op_batch_reply("imageIds", &deleted, &failures);
    if (!o) {
        json_object_put(o);
        ecremu_op_oom(c);
        return;
    }

    removal_log log = {0};
    size_t n = json_object_array_length(ids);
    int rc = 0;
    for (size_t i = 0; i < n && !rc; i++)
        rc = one_item(c, r, json_object_array_get_idx(ids, i), deleted, failures, &log);
    log_free(&log);
    if (rc) {
        json_object_put(o);
        ecremu_op_oom(c);
        return;
    }
    ecremu_op_ok(c, o);
}
