#include "target.h"
#include "ecr/json.h"
#include "ecr/protocol.h"

#include <curl/curl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ecr/util.h"

/* Copies the string member key of j into dst when present. A value longer
 * than dst is the target's error, named in err, never cut. */
static ecr_result copy_member(json_object *j, const char *key, char *dst, size_t dstsz, char *err,
                              size_t errsz)
{
    json_object *v = NULL;
    if (!json_object_object_get_ex(j, key, &v) || !json_object_is_type(v, json_type_string))
        return ECR_OK;
    const char *s = json_object_get_string(v);
    if (strlen(s) < dstsz)
        return ecr_copy_str(dst, dstsz, s);
    snprintf(err, errsz, "GET %s: %s is longer than %zu bytes", ECR_CONTROL_CAPABILITIES, key,
             dstsz - 1);
    return ECR_ETOOBIG;
}

ecr_result ecrc_target_probe(aws_client *c, target_info *t, int no_strict_auth, char *err,
                             size_t errsz)
{
    aws_response r;
    ecr_result rc = ecrc_aws_client_plain(c, "GET", ECR_CONTROL_CAPABILITIES, NULL, &r);
    if (rc) {
        snprintf(err, errsz, "%s%s%s", ecr_strerror(rc), r.transport_error[0] ? ": " : "",
                 r.transport_error);
        ecrc_aws_response_free(&r);
        return rc;
    }
    t->fault_injection = 0;
    t->strict_auth = no_strict_auth ? 0 : 1;

    /* Only a 200 with the documented JSON shape counts: real ECR and moto
     * answer this path with an error or HTML, which means "no control
     * interface", not "broken target". */
    size_t rest;
    json_object *j = r.status == 200 && r.body
                         ? ecr_json_parse(r.body, r.body_len, ECR_JSON_PEER, &rest, NULL, NULL)
                         : NULL;
    json_object *caps = NULL;
    if (j && json_object_object_get_ex(j, ECR_CTL_CAPABILITIES, &caps) &&
        json_object_is_type(caps, json_type_array)) {
        t->strict_auth = 0;
        for (size_t i = 0; i < json_object_array_length(caps); i++) {
            const char *cap = json_object_get_string(json_object_array_get_idx(caps, i));
            if (!cap)
                continue;
            if (!strcmp(cap, ECR_CAP_FAULT_INJECTION))
                t->fault_injection = 1;
            else if (!strcmp(cap, ECR_CAP_STRICT_AUTH))
                t->strict_auth = !no_strict_auth;
        }
        rc = copy_member(j, ECR_CTL_ACCOUNT, t->account, sizeof t->account, err, errsz);
        if (!rc)
            rc = copy_member(j, ECR_CTL_REGION, t->region, sizeof t->region, err, errsz);
    }
    json_object_put(j);
    ecrc_aws_response_free(&r);
    return rc;
}

int ecrc_target_has(const target_info *t, const char *cap)
{
    if (!strcmp(cap, ECR_CAP_FAULT_INJECTION))
        return t->fault_injection;
    if (!strcmp(cap, ECR_CAP_STRICT_AUTH))
        return t->strict_auth;
    if (!strcmp(cap, ECR_CAP_LAYER_API))
        return t->layer_api;
    return 0;
}

/* 1 when an answer says the operation is not there: a server error (moto
 * raises NotImplementedError, an HTML 500) or an error type naming it
 * unknown or unimplemented. */
static int operation_missing(const aws_response *r)
{
    static const char *const types[] = {"UnknownOperationException",
                                        "UnsupportedOperationException",
                                        "NotImplemented",
                                        "NotImplementedException",
                                        "InvalidAction",
                                        NULL};
    if (r->status >= 500)
        return 1;
    for (size_t i = 0; types[i]; i++)
        if (!strcmp(r->error_type, types[i]))
            return 1;
    return 0;
}

void ecrc_target_probe_layers(aws_client *c, target_info *t, const char *repo)
{
    char body[400];
    const char *ops[2] = {"BatchCheckLayerAvailability", "InitiateLayerUpload"};
    const char *bodies[2] = {"{\"repositoryName\":\"%.200s\",\"layerDigests\":[\"sha256:"
                             "0000000000000000000000000000000000000000000000000000000000000000\"]}",
                             "{\"repositoryName\":\"%.200s\"}"};
    t->layer_api = 1;
    t->layer_note[0] = '\0';
    for (size_t i = 0; i < 2; i++) {
        snprintf(body, sizeof body, bodies[i], repo);
        aws_request req = {.operation = ops[i], .body = body, .body_len = strlen(body)};
        aws_response r;
        /* Once, never through the retry policy (retry.h). */
        ecr_result rc = ecrc_aws_client_call(c, &req, &r);
        if (!rc && operation_missing(&r)) {
            t->layer_api = 0;
            snprintf(t->layer_note, sizeof t->layer_note, "%s answered HTTP %ld%s%.80s", ops[i],
                     r.status, r.error_type[0] ? " " : "", r.error_type);
        }
        ecrc_aws_response_free(&r);
        if (rc || !t->layer_api)
            break;
    }
}

static ecr_result control_call(aws_client *c, const char *method, const char *path,
                               const char *body, char *err, size_t errsz)
{
    aws_response r;
    ecr_result rc = ecrc_aws_client_plain(c, method, path, body, &r);
    if (rc) {
        snprintf(err, errsz, "control interface %s %s: %s %s", method, path, ecr_strerror(rc),
                 r.transport_error);
    } else if (r.status < 200 || r.status > 299) {
        snprintf(err, errsz, "control interface %s %s: HTTP %ld: %.200s", method, path, r.status,
                 r.body ? r.body : "");
        rc = ECR_EINVAL;
    }
    ecrc_aws_response_free(&r);
    return rc;
}

ecr_result ecrc_target_set_fault(aws_client *c, const char *body, char *err, size_t errsz)
{
    return control_call(c, "POST", ECR_CONTROL_FAULTS, body, err, errsz);
}

ecr_result ecrc_target_clear_faults(aws_client *c, const char *name, char *err, size_t errsz)
{
    /* curl_easy_escape accepts a NULL handle since libcurl 7.82. */
    char *esc = curl_easy_escape(NULL, name, 0);
    if (!esc)
        return ECR_ENOMEM;
    char *path = ecr_asprintf(ECR_CONTROL_FAULTS "?" ECR_CTL_REPOSITORY "=%s", esc);
    curl_free(esc);
    if (!path)
        return ECR_ENOMEM;
    ecr_result rc = control_call(c, "DELETE", path, NULL, err, errsz);
    free(path);
    return rc;
}

/* registryId (12 digits) at path in the JSON body of a 200 answer, copied
 * into out; 0 when found. */
static int registry_id(const aws_response *r, const char *outer, char *out, size_t outsz)
{
    int found = 0;
    size_t rest;
    json_object *j = r->status == 200 && r->body
                         ? ecr_json_parse(r->body, r->body_len, ECR_JSON_PEER, &rest, NULL, NULL)
                         : NULL;
    json_object *o = j, *v = NULL;
    if (o && outer && !json_object_object_get_ex(j, outer, &o))
        o = NULL;
    if (o && json_object_object_get_ex(o, "registryId", &v) &&
        json_object_is_type(v, json_type_string) && ecr_is_account_id(json_object_get_string(v))) {
        found = ecr_copy_str(out, outsz, json_object_get_string(v)) == ECR_OK;
    }
    json_object_put(j);
    return found ? 0 : -1;
}

static void describe(const aws_response *r, ecr_result rc, char *out, size_t outsz)
{
    if (rc)
        snprintf(out, outsz, "%s %.120s", ecr_strerror(rc), r->transport_error);
    else
        snprintf(out, outsz, "HTTP %ld %.120s", r->status,
                 r->error_type[0] ? r->error_type : "without a registryId");
}

ecr_result ecrc_target_learn_account(aws_client *c, target_info *t, const char *prefix, char *err,
                                     size_t errsz)
{
    char acct[32], a[200], b[200] = "not tried";
    aws_request req = {.operation = "DescribeRegistry", .body = "{}", .body_len = 2};
    aws_response r;
    ecr_result rc = ecrc_aws_client_call(c, &req, &r);
    int ok = !rc && !registry_id(&r, NULL, acct, sizeof acct);
    describe(&r, rc, a, sizeof a);
    ecrc_aws_response_free(&r);
    if (!ok && !rc) {
        char body[300];
        snprintf(body, sizeof body, "{\"repositoryName\":\"%.200s-account\"}", prefix);
        aws_request cr = {.operation = "CreateRepository", .body = body, .body_len = strlen(body)};
        rc = ecrc_aws_client_call(c, &cr, &r);
        ok = !rc && !registry_id(&r, "repository", acct, sizeof acct);
        describe(&r, rc, b, sizeof b);
        int created = !rc && r.status == 200;
        ecrc_aws_response_free(&r);
        if (created) {
            snprintf(body, sizeof body, "{\"repositoryName\":\"%.200s-account\",\"force\":true}",
                     prefix);
            aws_request dr = {
                .operation = "DeleteRepository", .body = body, .body_len = strlen(body)};
            ecrc_aws_client_call(c, &dr, &r);
            ecrc_aws_response_free(&r);
        }
    }
    if (ok) {
        ecr_copy_str(t->account, sizeof t->account, acct); /* 12 digits: fits */
        return ECR_OK;
    }
    snprintf(err, errsz, "DescribeRegistry: %s; CreateRepository: %s", a, b);
    return rc ? rc : ECR_ENOTFOUND;
}
