#include "repos.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ecr/json.h"
#include "ecr/util.h"
#include "page.h"
#include "wire.h"

json_object *ecremu_repos_json(const api_ctx *ctx, const store_repo *r)
{
    /* The region is the operator's (serve --region): any length, never cut. */
    char *arn = ecr_asprintf("arn:aws:ecr:%s:%s:repository/%s", ctx->region, ctx->account, r->name);
    char *uri = ecr_asprintf("%s.dkr.ecr.%s.amazonaws.com/%s", ctx->account, ctx->region, r->name);
    json_object *o = json_object_new_object();
    json_object *scan = json_object_new_object();
    json_object *enc = json_object_new_object();
    if (!arn || !uri || !o || !scan || !enc) {
        free(arn);
        free(uri);
        json_object_put(o);
        json_object_put(scan);
        json_object_put(enc);
        return NULL;
    }
    json_object_object_add(o, "repositoryArn", json_object_new_string(arn));
    json_object_object_add(o, "registryId", json_object_new_string(ctx->account));
    json_object_object_add(o, "repositoryName", json_object_new_string(r->name));
    json_object_object_add(o, "repositoryUri", json_object_new_string(uri));
    json_object_object_add(o, "createdAt", ecremu_wire_time(r->created_at));
    json_object_object_add(o, "imageTagMutability",
                           json_object_new_string(r->immutable ? "IMMUTABLE" : "MUTABLE"));
    json_object_object_add(scan, "scanOnPush", json_object_new_boolean(r->scan_on_push));
    json_object_object_add(o, "imageScanningConfiguration", scan);
    json_object_object_add(enc, "encryptionType", json_object_new_string(r->encryption_type));
    if (r->kms_key)
        json_object_object_add(enc, "kmsKey", json_object_new_string(r->kms_key));
    json_object_object_add(o, "encryptionConfiguration", enc);
    free(arn);
    free(uri);
    return o;
}

/* The length of string member key of o, NULs included (0 when absent). */
static size_t member_len(json_object *o, const char *key)
{
    json_object *v;
    return json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string)
               ? (size_t)json_object_get_string_len(v)
               : 0;
}

void ecremu_repos_create(op_call *c)
{
    const char *reg, *name, *mutability, *enc_type = NULL, *kms_key = NULL;
    json_object *tags, *scan, *enc;
    int scan_on_push = 0;

    if (ecremu_op_string(c, c->in, "registryId", &reg) ||
        ecremu_op_string(c, c->in, "repositoryName", &name) ||
        ecremu_op_array(c, c->in, "tags", &tags) ||
        ecremu_op_string(c, c->in, "imageTagMutability", &mutability) ||
        ecremu_op_object(c, c->in, "imageScanningConfiguration", &scan) ||
        ecremu_op_object(c, c->in, "encryptionConfiguration", &enc) ||
        (scan && ecremu_op_bool(c, scan, "scanOnPush", &scan_on_push)) ||
        (enc && (ecremu_op_string(c, enc, "encryptionType", &enc_type) ||
                 ecremu_op_string(c, enc, "kmsKey", &kms_key))))
        return;

    if (ecremu_op_check_registry(c, reg) || ecremu_op_check_repo_name(c, "repositoryName", name))
        return;
    /* Tag: Key 1..128, Value 0..256 characters (ECR's Tag shape); kept as
     * given so ListTagsForResource answers what was sent. They keep their
     * NULs (api.c), so lengths are the values' own, not strlen's. */
    for (size_t i = 0; tags && i < json_object_array_length(tags); i++) {
        json_object *t = json_object_array_get_idx(tags, i);
        const char *k = NULL, *v = NULL;
        char mem[64];
        snprintf(mem, sizeof mem, "tags.%zu.member.key", i + 1);
        if (!json_object_is_type(t, json_type_object)) {
            ecremu_op_fail(c, 400, "SerializationException", "Unexpected value for tags");
            return;
        }
        if (ecremu_op_string(c, t, "Key", &k) || ecremu_op_string(c, t, "Value", &v))
            return;
        size_t klen = k ? member_len(t, "Key") : 0;
        if (!k || klen < 1 || klen > 128) {
            ecremu_op_invalid(c, mem, "Member must have length between 1 and 128");
            return;
        }
        if (!v || member_len(t, "Value") > 256) {
            snprintf(mem, sizeof mem, "tags.%zu.member.value", i + 1);
            ecremu_op_invalid(c, mem, "Member must have length less than or equal to 256");
            return;
        }
    }
    if (mutability && strcmp(mutability, "MUTABLE") && strcmp(mutability, "IMMUTABLE")) {
        ecremu_op_invalid(c, "imageTagMutability",
                          "Member must satisfy enum value set: [MUTABLE, IMMUTABLE]");
        return;
    }
    if (enc && !enc_type) {
        ecremu_op_invalid(c, "encryptionConfiguration.encryptionType", "Member must not be null");
        return;
    }
    if (enc_type && strcmp(enc_type, "AES256") && strcmp(enc_type, "KMS") &&
        strcmp(enc_type, "KMS_DSSE")) {
        ecremu_op_invalid(c, "encryptionConfiguration.encryptionType",
                          "Member must satisfy enum value set: [AES256, KMS, KMS_DSSE]");
        return;
    }
    /* kmsKey keeps its NULs (api.c): it is stored as given, and no KMS key
     * id, alias or ARN holds a NUL (docs/EMULATOR.md, inferred). */
    if (kms_key && strlen(kms_key) != member_len(enc, "kmsKey")) {
        ecremu_op_invalid(c, "encryptionConfiguration.kmsKey",
                          "Member must not contain the character U+0000 (NUL)");
        return;
    }
    if (ecremu_op_request_faults(c, name))
        return;
    if (reg && strcmp(reg, c->ctx->account) != 0) {
        /* Creating in another account's registry: inferred as an IAM denial. */
        ecremu_op_fail(c, 400, "AccessDeniedException",
                       "User: arn:aws:iam::%s:user/ecrconform is not authorized to perform: "
                       "ecr:CreateRepository on resource: arn:aws:ecr:%s:%s:repository/%s",
                       c->ctx->account, c->ctx->region, reg, name);
        return;
    }

    store_repo *r = NULL;
    ecr_result rc = ecremu_store_repo_create(c->ctx->st, name, ecremu_op_now(),
                                             mutability && !strcmp(mutability, "IMMUTABLE"),
                                             scan_on_push, enc_type, kms_key, &r);
    if (rc == ECR_EINVAL) {
        ecremu_op_fail(c, 400, "RepositoryAlreadyExistsException",
                       "The repository with name '%s' already exists in the registry with id '%s'",
                       name, c->ctx->account);
        return;
    }
    if (!rc && tags && json_object_array_length(tags))
        rc = ecremu_store_repo_set_tags(r, json_object_to_json_string_ext(tags, 0));
    if (rc) {
        if (r)
            ecremu_store_repo_delete(c->ctx->st, r);
        ecremu_op_oom(c);
        return;
    }
    ecremu_op_ok(c, ecremu_op_wrap("repository", ecremu_repos_json(c->ctx, r)));
}

void ecremu_repos_describe(op_call *c)
{
    const char *reg, *token;
    json_object *names;
    int has_max;
    long long max;

    if (ecremu_op_string(c, c->in, "registryId", &reg) ||
        ecremu_op_string_list(c, c->in, "repositoryNames", &names) ||
        ecremu_op_string(c, c->in, "nextToken", &token) ||
        ecremu_op_int(c, c->in, "maxResults", &has_max, &max))
        return;
    size_t n = names ? json_object_array_length(names) : 0;

    if (ecremu_op_check_registry(c, reg) ||
        ecremu_op_check_count(c, "repositoryNames", names, 1, 100, 0))
        return;
    for (size_t i = 0; i < n; i++) {
        char mem[64];
        snprintf(mem, sizeof mem, "repositoryNames.%zu.member", i + 1);
        if (ecremu_op_check_repo_name(c, mem,
                                      json_object_get_string(json_object_array_get_idx(names, i))))
            return;
    }
    page pg;
    if (ecremu_op_check_max_results(c, has_max, max) ||
        ecremu_op_check_not_with(c, "maxResults", has_max, "repositoryNames", names != NULL) ||
        ecremu_op_check_not_with(c, "nextToken", token != NULL, "repositoryNames", names != NULL) ||
        ecremu_page_begin(c, "", has_max, max, token, &pg))
        return;
    for (size_t i = 0; i < n; i++)
        if (ecremu_op_request_faults(c,
                                     json_object_get_string(json_object_array_get_idx(names, i))))
            return;

    json_object *list = json_object_new_array();
    json_object *out = ecremu_op_wrap("repositories", list);
    if (!out) {
        ecremu_op_oom(c);
        return;
    }
    if (names) {
        for (size_t i = 0; i < n; i++) {
            store_repo *r = ecremu_op_find_repo(
                c, reg, json_object_get_string(json_object_array_get_idx(names, i)));
            if (!r) {
                json_object_put(out);
                return;
            }
            json_object_array_add(list, ecremu_repos_json(c->ctx, r));
        }
    } else if (!reg || strcmp(reg, c->ctx->account) == 0) {
        /* repositories are in creation order, so their seq increases */
        const store *st = c->ctx->st;
        for (size_t i = 0; i < st->nrepos && !pg.more; i++)
            if (ecremu_page_take(&pg, st->repos[i]->seq, 0))
                json_object_array_add(list, ecremu_repos_json(c->ctx, st->repos[i]));
        if (ecremu_page_finish(c, "", &pg, out)) {
            json_object_put(out);
            ecremu_op_oom(c);
            return;
        }
    }
    ecremu_op_ok(c, out);
}

void ecremu_repos_delete(op_call *c)
{
    const char *reg, *name;
    int force;

    if (ecremu_op_string(c, c->in, "registryId", &reg) ||
        ecremu_op_string(c, c->in, "repositoryName", &name) ||
        ecremu_op_bool(c, c->in, "force", &force))
        return;
    if (ecremu_op_check_registry(c, reg) || ecremu_op_check_repo_name(c, "repositoryName", name) ||
        ecremu_op_request_faults(c, name))
        return;
    store_repo *r = ecremu_op_find_repo(c, reg, name);
    if (!r)
        return;
    if (r->nimages && !force) {
        ecremu_op_fail(c, 400, "RepositoryNotEmptyException",
                       "The repository with name '%s' in registry with id '%s' cannot be deleted "
                       "because it still contains images",
                       name, ecremu_op_registry(c, reg));
        return;
    }
    json_object *out = ecremu_op_wrap("repository", ecremu_repos_json(c->ctx, r));
    if (!out) {
        ecremu_op_oom(c);
        return;
    }
    ecremu_store_repo_delete(c->ctx->st, r);
    ecremu_op_ok(c, out);
}

void ecremu_repos_list_tags(op_call *c)
{
    const char *arn;
    if (ecremu_op_string(c, c->in, "resourceArn", &arn))
        return;
    if (!arn) {
        ecremu_op_invalid(c, "resourceArn", "Member must not be null");
        return;
    }
    /* arn:aws:ecr:<region>:<account>:repository/<name> of this registry. */
    char *prefix = ecr_asprintf("arn:aws:ecr:%s:%s:repository/", c->ctx->region, c->ctx->account);
    if (!prefix) {
        ecremu_op_oom(c);
        return;
    }
    size_t pl = strlen(prefix);
    int ours = strncmp(arn, prefix, pl) == 0;
    free(prefix);
    if (!ours) {
        ecremu_op_fail(c, 400, "InvalidParameterException",
                       "Invalid parameter at 'resourceArn' "
                       "failed to satisfy constraint: 'Invalid "
                       "ARN'");
        return;
    }
    const char *name = arn + pl;
    if (ecremu_op_check_repo_name(c, "resourceArn", name) || ecremu_op_request_faults(c, name))
        return;
    store_repo *r = ecremu_op_find_repo(c, NULL, name);
    if (!r)
        return;
    size_t rest;
    json_object *tags = r->tags_json ? ecr_json_parse(r->tags_json, strlen(r->tags_json),
                                                      ECR_JSON_PEER, &rest, NULL, NULL)
                                     : json_object_new_array();
    json_object *out = tags ? ecremu_op_wrap("tags", tags) : NULL;
    if (!out) {
        ecremu_op_oom(c);
        return;
    }
    ecremu_op_ok(c, out);
}
