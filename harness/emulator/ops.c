#include "ops.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "names.h"
#include "wire.h"

/* ECR's messages quote the Java form of the pattern
 * (docs/ECR-BEHAVIOUR.md#invalid-parameter-repository-name). */
#define REPO_NAME_RULE                                                                             \
    "must satisfy regular expression "                                                             \
    "'(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*'"
int ecremu_op_ok(op_call *c, json_object *out)
{
    if (!out) {
        ecremu_op_oom(c);
        return 0;
    }
    json_object_put(c->out);
    c->out = out;
    c->status = 200;
    return 0;
}

int ecremu_op_fail(op_call *c, int status, const char *type, const char *fmt, ...)
{
    char msg[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    json_object_put(c->out);
    c->out = ecremu_wire_error(type, msg);
    c->status = c->out ? status : 500;
    return -1;
}

int ecremu_op_invalid(op_call *c, const char *member, const char *rule)
{
    return ecremu_op_fail(c, 400, "InvalidParameterException",
                          "Invalid parameter at '%s' failed to satisfy constraint: '%s'", member,
                          rule);
}

int ecremu_op_oom(op_call *c)
{
    return ecremu_op_fail(c, 500, "ServerException", "An internal server error has occured");
}

/* Coral-style wording for a value of the wrong JSON type (inferred). */
static int wrong_type(op_call *c, json_object *v, const char *want)
{
    switch (json_object_get_type(v)) {
    case json_type_object:
        return ecremu_op_fail(c, 400, "SerializationException",
                              "Start of structure or map found where not expected.");
    case json_type_array:
        return ecremu_op_fail(c, 400, "SerializationException",
                              "Start of list found where not expected");
    case json_type_string:
        return ecremu_op_fail(c, 400, "SerializationException",
                              "STRING_VALUE can not be converted to %s", want);
    case json_type_boolean:
        return ecremu_op_fail(c, 400, "SerializationException",
                              "BOOLEAN_VALUE can not be converted to %s", want);
    default:
        return ecremu_op_fail(c, 400, "SerializationException",
                              "NUMBER_VALUE can not be converted to %s", want);
    }
}

static json_object *member(json_object *obj, const char *key)
{
    json_object *v = NULL;
    if (!obj || !json_object_object_get_ex(obj, key, &v))
        return NULL;
    return v;
}

/* Member key of obj in *out when it has type t. Absent or null: *out NULL,
 * returns 0. Another type: *out NULL, returns -1 after the
 * SerializationException that names want. */
static int typed_member(op_call *c, json_object *obj, const char *key, json_type t,
                        const char *want, json_object **out)
{
    json_object *v = member(obj, key);
    *out = NULL;
    if (!v)
        return 0;
    if (!json_object_is_type(v, t))
        return wrong_type(c, v, want);
    *out = v;
    return 0;
}

int ecremu_op_string(op_call *c, json_object *obj, const char *key, const char **out)
{
    json_object *v;
    int rc = typed_member(c, obj, key, json_type_string, "a String", &v);
    *out = v ? json_object_get_string(v) : NULL;
    return rc;
}

int ecremu_op_bool(op_call *c, json_object *obj, const char *key, int *out)
{
    json_object *v;
    int rc = typed_member(c, obj, key, json_type_boolean, "a Boolean", &v);
    *out = v && json_object_get_boolean(v) ? 1 : 0;
    return rc;
}

int ecremu_op_int(op_call *c, json_object *obj, const char *key, int *present, long long *out)
{
    json_object *v;
    int rc = typed_member(c, obj, key, json_type_int, "an Integer", &v);
    *present = v != NULL;
    *out = v ? (long long)json_object_get_int64(v) : 0;
    return rc;
}

int ecremu_op_array(op_call *c, json_object *obj, const char *key, json_object **out)
{
    return typed_member(c, obj, key, json_type_array, "a Collection", out);
}

int ecremu_op_object(op_call *c, json_object *obj, const char *key, json_object **out)
{
    return typed_member(c, obj, key, json_type_object, "a Structure", out);
}

int ecremu_op_string_list(op_call *c, json_object *obj, const char *key, json_object **out)
{
    if (ecremu_op_array(c, obj, key, out))
        return -1;
    size_t n = *out ? json_object_array_length(*out) : 0;
    for (size_t i = 0; i < n; i++) {
        json_object *item = json_object_array_get_idx(*out, i);
        if (!item)
            return ecremu_op_fail(c, 400, "SerializationException",
                                  "Null value found where a string was expected");
        if (!json_object_is_type(item, json_type_string))
            return wrong_type(c, item, "a String");
    }
    return 0;
}

int ecremu_op_image_ids(op_call *c, const char *key, json_object **out)
{
    if (ecremu_op_array(c, c->in, key, out))
        return -1;
    if (!*out)
        return 0;
    size_t n = json_object_array_length(*out);
    for (size_t i = 0; i < n; i++) {
        json_object *item = json_object_array_get_idx(*out, i);
        const char *s;
        if (!item || !json_object_is_type(item, json_type_object))
            return item ? wrong_type(c, item, "a Structure")
                        : ecremu_op_fail(c, 400, "SerializationException",
                                         "Null value found where a structure was expected");
        if (ecremu_op_string(c, item, "imageDigest", &s) ||
            ecremu_op_string(c, item, "imageTag", &s))
            return -1;
    }
    return 0;
}

int ecremu_op_check_registry(op_call *c, const char *registry_id)
{
    if (registry_id && !ecremu_names_registry_ok(registry_id))
        return ecremu_op_invalid(c, "registryId", "must satisfy regular expression [0-9]{12}");
    return 0;
}

int ecremu_op_check_repo_name(op_call *c, const char *mem, const char *name)
{
    if (!name)
        return ecremu_op_invalid(c, mem, "Member must not be null");
    size_t len = strlen(name);
    if (len < 2)
        return ecremu_op_invalid(c, mem, "must have length greater than or equal to 2");
    if (len > 256)
        return ecremu_op_invalid(c, mem, "must have length less than or equal to 256");
    if (!ecremu_names_repo_ok(name))
        return ecremu_op_invalid(c, mem, REPO_NAME_RULE);
    return 0;
}

int ecremu_op_check_count(op_call *c, const char *mem, json_object *arr, size_t min, size_t max,
                          int required)
{
    char rule[96];
    if (!arr)
        return required ? ecremu_op_invalid(c, mem, "Member must not be null") : 0;
    size_t n = json_object_array_length(arr);
    if (n < min) {
        snprintf(rule, sizeof rule, "Member must have length greater than or equal to %zu", min);
        return ecremu_op_invalid(c, mem, rule);
    }
    if (n > max) {
        snprintf(rule, sizeof rule, "Member must have length less than or equal to %zu", max);
        return ecremu_op_invalid(c, mem, rule);
    }
    return 0;
}

int ecremu_op_check_tags(op_call *c, const char *key, json_object *ids)
{
    size_t n = ids ? json_object_array_length(ids) : 0;
    for (size_t i = 0; i < n; i++) {
        const char *digest, *tag;
        ecremu_op_id_fields(json_object_array_get_idx(ids, i), &digest, &tag);
        if (!tag)
            continue;
        size_t len = strlen(tag);
        if (len >= 1 && len <= 300)
            continue;
        char mem[96];
        snprintf(mem, sizeof mem, "%s.%zu.member.imageTag", key, i + 1);
        return ecremu_op_invalid(c, mem,
                                 len < 1 ? "Member must have length greater than or equal to 1"
                                         : "Member must have length less than or equal to 300");
    }
    return 0;
}

int ecremu_op_check_max_results(op_call *c, int present, long long v)
{
    if (present && v < 1)
        return ecremu_op_invalid(c, "maxResults",
                                 "Member must have value greater than or equal to 1");
    if (present && v > 1000)
        return ecremu_op_invalid(c, "maxResults",
                                 "Member must have value less than or equal to 1000");
    return 0;
}

int ecremu_op_check_not_with(op_call *c, const char *mem, int present, const char *other,
                             int other_present)
{
    char rule[128];
    if (!present || !other_present)
        return 0;
    snprintf(rule, sizeof rule, "Member must not be specified together with %s", other);
    return ecremu_op_invalid(c, mem, rule);
}

int ecremu_op_filter_tag_status(op_call *c, json_object *filter, const char **status)
{
    *status = "ANY";
    const char *s = NULL;
    if (filter && ecremu_op_string(c, filter, "tagStatus", &s))
        return -1;
    if (!s)
        return 0;
    if (strcmp(s, "TAGGED") && strcmp(s, "UNTAGGED") && strcmp(s, "ANY"))
        return ecremu_op_invalid(c, "filter.tagStatus",
                                 "Member must satisfy enum value set: [TAGGED, UNTAGGED, ANY]");
    *status = s;
    return 0;
}

int ecremu_op_request_faults(op_call *c, const char *name)
{
    const api_ctx *x = c->ctx;
    if (ecremu_control_request_fault(x->ctl, ECR_FAULT_ACCESS_DENIED, c->op, name))
        return ecremu_op_fail(c, 400, "AccessDeniedException",
                              "User: arn:aws:iam::%s:user/ecrconform is not authorized to perform: "
                              "ecr:%s on resource: arn:aws:ecr:%s:%s:repository/%s because no "
                              "identity-based policy allows the ecr:%s action",
                              x->account, c->op, x->region, x->account, name, c->op);
    if (ecremu_control_request_fault(x->ctl, ECR_FAULT_SERVER_ERROR, c->op, name))
        return ecremu_op_fail(c, 500, "ServerException", "An internal server error has occured");
    return 0;
}

const char *ecremu_op_registry(const op_call *c, const char *registry_id)
{
    return registry_id ? registry_id : c->ctx->account;
}

store_repo *ecremu_op_find_repo(op_call *c, const char *registry_id, const char *name)
{
    store_repo *r = NULL;
    if (!registry_id || strcmp(registry_id, c->ctx->account) == 0)
        r = ecremu_store_repo_find(c->ctx->st, name);
    if (!r)
        ecremu_op_fail(c, 400, "RepositoryNotFoundException",
                       "The repository with name '%s' does not exist in the registry with id '%s'",
                       name, ecremu_op_registry(c, registry_id));
    return r;
}

int ecremu_op_valid_digest(const char *s)
{
    return s && ecremu_names_digest_ok(s);
}

op_id_status ecremu_op_resolve(const store_repo *r, const char *digest, const char *tag,
                               store_image **img)
{
    *img = NULL;
    if (!digest && !tag)
        return OP_ID_MISSING;
    if (digest && !ecremu_names_digest_ok(digest))
        return OP_ID_BAD_DIGEST;
    if (tag && !ecremu_names_tag_ok(tag))
        return OP_ID_BAD_TAG;
    store_image *by_tag = tag ? ecremu_store_image_by_tag(r, tag) : NULL;
    store_image *by_digest = digest ? ecremu_store_image_by_digest(r, digest) : NULL;
    /* The digest names the image (it is the key); a tag is then checked
     * against it. So an unknown digest is ImageNotFound even when the tag
     * exists, and only a tag naming another existing image is a mismatch
     * (inferred, docs/EMULATOR.md). */
    if ((tag && !by_tag) || (digest && !by_digest))
        return OP_ID_NOT_FOUND;
    if (tag && digest && strcmp(by_tag->digest, digest) != 0)
        return OP_ID_TAG_MISMATCH;
    *img = by_tag ? by_tag : by_digest;
    return OP_ID_FOUND;
}

int ecremu_op_tag_well_formed(const char *tag)
{
    return tag && ecremu_names_tag_ok(tag);
}

const char *ecremu_op_id_code(op_id_status s)
{
    switch (s) {
    case OP_ID_MISSING:
        return "MissingDigestAndTag";
    case OP_ID_BAD_DIGEST:
        return "InvalidImageDigest";
    case OP_ID_BAD_TAG:
        return "InvalidImageTag";
    case OP_ID_TAG_MISMATCH:
        return "ImageTagDoesNotMatchDigest";
    default:
        return "ImageNotFound";
    }
}

const char *ecremu_op_id_reason(op_id_status s)
{
    switch (s) {
    case OP_ID_MISSING:
        return "Invalid request parameters: both tag and digest cannot be null";
    case OP_ID_BAD_DIGEST:
        return "Invalid request parameters: image digest should satisfy the regex "
               "'[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+'";
    case OP_ID_BAD_TAG:
        return "Invalid request parameters: image tag should satisfy the regex "
               "'[a-zA-Z0-9-_.]+'";
    case OP_ID_TAG_MISMATCH:
        return "Invalid request parameters: given tag does not map to the given digest";
    default:
        return "Requested image not found";
    }
}

void ecremu_op_id_fields(json_object *item, const char **digest, const char **tag)
{
    json_object *v;
    *digest = NULL;
    *tag = NULL;
    if ((v = member(item, "imageDigest")) && json_object_is_type(v, json_type_string))
        *digest = json_object_get_string(v);
    if ((v = member(item, "imageTag")) && json_object_is_type(v, json_type_string))
        *tag = json_object_get_string(v);
}

json_object *ecremu_op_image_id(const char *digest, const char *tag)
{
    json_object *o = json_object_new_object();
    if (!o)
        return NULL;
    if (digest && json_object_object_add(o, "imageDigest", json_object_new_string(digest)))
        goto fail;
    if (tag && json_object_object_add(o, "imageTag", json_object_new_string(tag)))
        goto fail;
    return o;
fail:
    json_object_put(o);
    return NULL;
}

int ecremu_op_add_failure(json_object *failures, const char *digest, const char *tag,
                          const char *code, const char *reason)
{
    json_object *f = json_object_new_object();
    json_object *id = ecremu_op_image_id(digest, tag);
    if (!f || !id) {
        json_object_put(f);
        json_object_put(id);
        return -1;
    }
    json_object_object_add(f, "imageId", id);
    json_object_object_add(f, "failureCode", json_object_new_string(code));
    json_object_object_add(f, "failureReason", json_object_new_string(reason));
    if (json_object_array_add(failures, f)) {
        json_object_put(f);
        return -1;
    }
    return 0;
}

json_object *ecremu_op_wrap(const char *key, json_object *v)
{
    json_object *o = v ? json_object_new_object() : NULL;
    if (!o) {
        json_object_put(v);
        return NULL;
    }
    json_object_object_add(o, key, v);
    return o;
}

json_object *ecremu_op_batch_reply(const char *key, json_object **items, json_object **failures)
{
    *items = json_object_new_array();
    *failures = json_object_new_array();
    json_object *o = ecremu_op_wrap(key, *items);
    if (!o || !*failures) {
        json_object_put(o);
        json_object_put(*failures);
        *items = *failures = NULL;
        return NULL;
    }
    json_object_object_add(o, "failures", *failures);
    return o;
}

double ecremu_op_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    /* whole milliseconds, as ECR reports them */
    return (double)ts.tv_sec + (double)(ts.tv_nsec / 1000000) / 1000.0;
}
