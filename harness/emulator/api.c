#include "api.h"
#include "ecr/protocol.h"

#include <stdlib.h>
#include <string.h>

#include "batchdel.h"
#include "ecr_ops.h"
#include "images.h"
#include "layers.h"
#include "ops.h"
#include "registry.h"
#include "repos.h"
#include "wire.h"

typedef void (*op_fn)(op_call *c);

/* reads: the operation only reads the store, so it takes the store's lock
 * shared and runs beside other readers (faults live in control.c, under
 * their own lock). */
static const struct {
    const char *name;
    op_fn run;
    int reads;
} operations[] = {
    {"BatchDeleteImage", ecremu_batchdel_run, 0},
    {"BatchGetImage", ecremu_images_batch_get, 1},
    {"CreateRepository", ecremu_repos_create, 0},
    {"DeleteRepository", ecremu_repos_delete, 0},
    {"DescribeImages", ecremu_images_describe, 1},
    {"DescribeRepositories", ecremu_repos_describe, 1},
    {"ListImages", ecremu_images_list, 1},
    {"PutImage", ecremu_images_put, 0},
    {"InitiateLayerUpload", ecremu_layers_initiate, 0},
    {"UploadLayerPart", ecremu_layers_upload_part, 0},
    {"CompleteLayerUpload", ecremu_layers_complete, 0},
    {"BatchCheckLayerAvailability", ecremu_layers_check, 0},
    {"GetAuthorizationToken", ecremu_registry_auth_token, 1},
    {"DescribeRegistry", ecremu_registry_describe, 1},
    {"ListTagsForResource", ecremu_repos_list_tags, 1},
};

#define NOPS (sizeof operations / sizeof operations[0])

static op_fn find_op(const char *name, int *reads)
{
    for (size_t i = 0; name && i < NOPS; i++) {
        if (strcmp(operations[i].name, name) == 0) {
            if (reads)
                *reads = operations[i].reads;
            return operations[i].run;
        }
    }
    return NULL;
}

/* Throttling is decided before anything else is checked, so it needs only
 * the repository name(s) a request mentions, if they can be read at all. */
static int throttled(const op_call *c)
{
    json_object *v;
    if (!c->in || !json_object_is_type(c->in, json_type_object))
        return 0;
    if (json_object_object_get_ex(c->in, "repositoryName", &v) &&
        json_object_is_type(v, json_type_string) &&
        ecremu_control_request_fault(c->ctx->ctl, ECR_FAULT_THROTTLING, c->op,
                                     json_object_get_string(v)))
        return 1;
    if (json_object_object_get_ex(c->in, "repositoryNames", &v) &&
        json_object_is_type(v, json_type_array)) {
        size_t n = json_object_array_length(v);
        for (size_t i = 0; i < n; i++) {
            json_object *s = json_object_array_get_idx(v, i);
            if (s && json_object_is_type(s, json_type_string) &&
                ecremu_control_request_fault(c->ctx->ctl, ECR_FAULT_THROTTLING, c->op,
                                             json_object_get_string(s)))
                return 1;
        }
    }
    return 0;
}

int ecremu_api_front_end(const char *target, const char *body, size_t len, json_object **out)
{
    static const char prefix[] = ECR_TARGET_PREFIX;
    const char *op = NULL;
    *out = NULL;
    if (target && strncmp(target, prefix, sizeof prefix - 1) == 0)
        op = target + sizeof prefix - 1;
    if (!find_op(op, NULL)) {
        *out = ecremu_wire_error("UnknownOperationException",
                                 target ? "Unknown operation" : "Missing X-Amz-Target header");
        return 400;
    }
    json_object *in = ecremu_wire_parse(body, len);
    int ok = in && json_object_is_type(in, json_type_object);
    json_object_put(in);
    if (ok)
        return 0;
    *out = ecremu_wire_error("SerializationException", "The request body is not a JSON object");
    return 400;
}

/* A NUL inside a request string (JSON \u0000) would cut the name every
 * C-string check and lookup sees. ECR matches the whole value against its
 * patterns, which no NUL satisfies, so each NUL becomes DEL
 * (ecremu_wire_nul_to_del): the value then fails its own rule as ECR's
 * would, and nothing ever acts on the cut name (docs/EMULATOR.md,
 * decisions). Except in the members below, which no pattern checks and
 * which are stored, hashed or echoed: DEL would be a changed value kept as
 * if sent. Each keeps its NULs, and the one operation that reads it
 * measures its real length:
 * - imageManifest: hashed as sent; a raw NUL makes the text invalid JSON,
 *   refused as such (PutImage);
 * - imageManifestMediaType: stored as given, and no media type holds a
 *   NUL: refused like an invalid manifest (PutImage);
 * - tags: kept as sent, NULs and all, for ListTagsForResource
 *   (CreateRepository);
 * - encryptionConfiguration.kmsKey: no KMS key id, alias or ARN holds a
 *   NUL: refused (CreateRepository).
 * No other operation reads these members. */
static const char *const nul_kept[] = {"imageManifest", "imageManifestMediaType", "tags",
                                       "encryptionConfiguration.kmsKey", NULL};

/* The number of \u0000 escapes in a JSON text (an escape is a backslash
 * preceded by an even run of backslashes). json-c keeps member names as C
 * strings, so a NUL in a name cuts it silently: when the text holds more
 * NUL escapes than the values do, a member name had one. */
static size_t nul_escapes(const char *b, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len;) {
        const char *bs = memchr(b + i, '\\', len - i);
        if (!bs)
            break;
        i = (size_t)(bs - b);
        size_t j = i;
        while (j < len && b[j] == '\\')
            j++;
        if ((j - i) % 2 == 1 && len - j >= 5 && memcmp(b + j, "u0000", 5) == 0)
            n++;
        i = j;
    }
    return n;
}

int ecremu_api_handle(const api_ctx *ctx, const char *target, const char *body, size_t len,
                      json_object **out)
{
    static const char prefix[] = ECR_TARGET_PREFIX;
    const char *op = NULL;
    if (target && strncmp(target, prefix, sizeof prefix - 1) == 0)
        op = target + sizeof prefix - 1;
    int reads = 0;
    op_fn run = find_op(op, &reads);

    /* Parsed before the lock: nobody waits for it. */
    op_call c = {ctx, op ? op : "", ecremu_wire_parse(body, len), 0, NULL};
    size_t nuls = 0;
    int nul_oom = c.in && ecremu_wire_nul_to_del(c.in, nul_kept, &nuls);
    int nul_name = c.in && !nul_oom && nul_escapes(body, len) > nuls;
    if (reads)
        ecremu_store_rdlock(ctx->st);
    else
        ecremu_store_lock(ctx->st);
    if (nul_oom) {
        ecremu_op_oom(&c);
    } else if (run && !nul_name && throttled(&c)) {
        ecremu_op_fail(&c, 400, "ThrottlingException", "Rate exceeded");
    } else if (!run && ecremu_ecr_ops_known(op)) {
        /* A real ECR operation: say that the emulator lacks it rather than
         * that it does not exist (docs/EMULATOR.md, emulator-only). */
        ecremu_op_fail(&c, 400, "UnsupportedOperationException",
                       "The ecrconform emulator does not implement the ECR operation %s "
                       "(docs/EMULATOR.md lists what it implements)",
                       op);
    } else if (!run) {
        if (!target)
            ecremu_op_fail(&c, 400, "UnknownOperationException", "Missing X-Amz-Target header");
        else
            ecremu_op_fail(&c, 400, "UnknownOperationException", "Unknown operation %.200s",
                           target);
    } else if (!c.in) {
        ecremu_op_fail(&c, 400, "SerializationException", "The request body is not valid JSON");
    } else if (!json_object_is_type(c.in, json_type_object)) {
        ecremu_op_fail(&c, 400, "SerializationException",
                       "The request body must be a JSON object (a structure)");
    } else if (nul_name) {
        /* the cut name could stand for a real member: refuse, never guess */
        ecremu_op_fail(&c, 400, "SerializationException",
                       "A member name in the request body contains \\u0000 (NUL)");
    } else {
        run(&c);
        if (!c.status)
            ecremu_op_oom(&c); /* an operation that set no reply is a bug: say so loudly */
    }
    ecremu_store_unlock(ctx->st);
    json_object_put(c.in);
    *out = c.out;
    return c.out ? c.status : 500;
}
