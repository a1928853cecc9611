#include "registry.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ecr/base64.h"
#include "ecr/protocol.h"
#include "wire.h"

/* One AuthorizationData for registry id: base64("AWS:<password>"), as
 * `docker login -u AWS` expects it. The password is random per call; nothing
 * accepts it (the emulator serves no registry API). */
static json_object *auth_data(const op_call *c, const char *id)
{
    char uuid[37], text[64], endpoint[256];
    ecremu_wire_uuid(uuid);
    snprintf(text, sizeof text, "AWS:ecrconform-%s", uuid);
    snprintf(endpoint, sizeof endpoint, "https://%s.dkr.ecr.%s.amazonaws.com", id, c->ctx->region);
    char *token = ecr_base64_encode(text, strlen(text));
    json_object *o = token ? json_object_new_object() : NULL;
    if (o) {
        json_object_object_add(o, "authorizationToken", json_object_new_string(token));
        json_object_object_add(o, "expiresAt",
                               ecremu_wire_time(ecremu_op_now() + REGISTRY_TOKEN_SECONDS));
        json_object_object_add(o, "proxyEndpoint", json_object_new_string(endpoint));
    }
    free(token);
    return o;
}

void ecremu_registry_auth_token(op_call *c)
{
    json_object *ids;
    if (ecremu_op_string_list(c, c->in, "registryIds", &ids) ||
        ecremu_op_check_count(c, "registryIds", ids, 1, 10, 0))
        return;
    size_t n = ids ? json_object_array_length(ids) : 0;
    for (size_t i = 0; i < n; i++) {
        const char *id = json_object_get_string(json_object_array_get_idx(ids, i));
        if (!ecr_is_account_id(id)) {
            char mem[64];
            snprintf(mem, sizeof mem, "registryIds.%zu.member", i + 1);
            ecremu_op_invalid(c, mem, "must satisfy regular expression [0-9]{12}");
            return;
        }
    }
    json_object *list = json_object_new_array();
    json_object *o = ecremu_op_wrap("authorizationData", list);
    if (!o) {
        ecremu_op_oom(c);
        return;
    }
    for (size_t i = 0; i < (n ? n : 1); i++) {
        const char *id =
            n ? json_object_get_string(json_object_array_get_idx(ids, i)) : c->ctx->account;
        json_object *d = auth_data(c, id);
        if (!d || json_object_array_add(list, d)) {
            json_object_put(d);
            json_object_put(o);
            ecremu_op_oom(c);
            return;
        }
    }
    ecremu_op_ok(c, o);
}

void ecremu_registry_describe(op_call *c)
{
    /* No members; unknown members are ignored as everywhere. Replication is
     * not modelled: no rules. */
    json_object *o = json_object_new_object();
    json_object *repl = json_object_new_object();
    json_object *rules = json_object_new_array();
    if (!o || !repl || !rules) {
        json_object_put(o);
        json_object_put(repl);
        json_object_put(rules);
        ecremu_op_oom(c);
        return;
    }
    json_object_object_add(repl, "rules", rules);
    json_object_object_add(o, "registryId", json_object_new_string(c->ctx->account));
    json_object_object_add(o, "replicationConfiguration", repl);
    ecremu_op_ok(c, o);
}
