#include "liverules.h"

#include <ctype.h>
#include <json-c/json.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ecr/json.h"
#include "ecr/util.h"
#include "awsclient.h"
#include "fixture.h"

int ecrc_live_endpoint_is_loopback(const char *url)
{
    if (!url)
        return 0;
    const char *p = strstr(url, "://");
    p = p ? p + 3 : url;
    size_t auth = strcspn(p, "/?#");
    /* userinfo@ is not the host: "http://127.0.0.1@evil.example/" is live. */
    const char *at = memchr(p, '@', auth);
    if (at) {
        auth -= (size_t)(at + 1 - p);
        p = at + 1;
    }
    char host[256];
    size_t n;
    if (*p == '[') {
        const char *close = memchr(p, ']', auth);
        if (!close)
            return 0;
        n = (size_t)(close - p - 1);
        p++;
    } else {
        const char *colon = memchr(p, ':', auth);
        n = colon ? (size_t)(colon - p) : auth;
    }
    if (n == 0 || n >= sizeof host)
        return 0;
    memcpy(host, p, n);
    host[n] = '\0';
    if (!strcasecmp(host, "localhost") || !strcmp(host, "::1"))
        return 1;
    /* 127.0.0.0/8 written as four decimal octets, nothing else: no name is
     * looked up, and "127.0.0.1.example.com" is a name. */
    unsigned a, b, c, d;
    char tail;
    if (sscanf(host, "%3u.%3u.%3u.%3u%c", &a, &b, &c, &d, &tail) == 4 && a == 127 && b < 256 &&
        c < 256 && d < 256) {
        for (const char *q = host; *q; q++)
            if (!isdigit((unsigned char)*q) && *q != '.')
                return 0;
        return 1;
    }
    return 0;
}

/* 1 when name could be an existing repository: ECR's name pattern and
 * length (ECR-BEHAVIOUR.md#repository-names). A name ECR would refuse names
 * nobody's repository, so validation cases may send it. */
static int could_exist(const char *name, size_t len)
{
    if (len < 2 || len > 256)
        return 0;
    for (size_t i = 0; i < len; i++)
        if (name[i] == '\\' || name[i] == '\0')
            return 1; /* escapes decode to anything: assume the worst */
    char *copy = ecr_asprintf("%.*s", (int)len, name);
    if (!copy)
        return 1;
    regex_t rx;
    int ok = 1;
    if (regcomp(&rx, "^(([a-z0-9]+([._-][a-z0-9]+)*)/)*[a-z0-9]+([._-][a-z0-9]+)*$",
                REG_EXTENDED | REG_NOSUB) == 0) {
        ok = regexec(&rx, copy, 0, NULL, 0) == 0;
        regfree(&rx);
    }
    free(copy);
    return ok;
}

/* 1 when the repository name (raw, len bytes) is allowed: this run's prefix
 * "ecrc-<run_id>/" with no escape, or a name that cannot exist. */
static int allowed(const char *name, size_t len, const char *run_id)
{
    char prefix[64];
    int pl = snprintf(prefix, sizeof prefix, "ecrc-%s/", run_id);
    if (pl > 0 && len > (size_t)pl && !memcmp(name, prefix, (size_t)pl) && !memchr(name, '\\', len))
        return 1;
    return !could_exist(name, len);
}

static void refuse(char *err, size_t errsz, const char *name, size_t len, const char *where)
{
    snprintf(err, errsz,
             "refused under live rules before sending: %s names repository '%.*s', which this run "
             "did not create",
             where, (int)(len > 200 ? 200 : len), name);
}

/* Scans the text: every JSON string that follows a key containing
 * "repositor" (any case) or an ARN's ":repository/" must be allowed. Works on
 * bodies that are not valid JSON (raw bodies) and sees duplicate keys a
 * parser would drop. */
static ecr_result scan_text(const char *body, size_t len, const char *run_id, char *err,
                            size_t errsz)
{
    for (size_t i = 0; i < len; i++) {
        if (body[i] != '"')
            continue;
        /* a string literal: [i+1, j) */
        size_t j = i + 1;
        while (j < len && body[j] != '"')
            j += body[j] == '\\' ? 2 : 1;
        if (j > len)
            j = len;
        const char *s = body + i + 1;
        size_t sl = j - i - 1;
        const char *arn = NULL;
        for (size_t k = 0; k + 12 <= sl; k++)
            if (!strncasecmp(s + k, ":repository/", 12))
                arn = s + k + 12;
        if (arn && !allowed(arn, sl - (size_t)(arn - s), run_id)) {
            refuse(err, errsz, arn, sl - (size_t)(arn - s), "an ARN in the body");
            return ECR_EINVAL;
        }
        int key = 0;
        for (size_t k = 0; k + 9 <= sl; k++)
            key |= !strncasecmp(s + k, "repositor", 9);
        size_t q = j + 1;
        while (q < len && isspace((unsigned char)body[q]))
            q++;
        if (!key || q >= len || body[q] != ':') {
            i = j;
            continue;
        }
        /* the value: a string, or an array of strings */
        q++;
        while (q < len && isspace((unsigned char)body[q]))
            q++;
        int array = q < len && body[q] == '[';
        if (array)
            q++;
        for (;;) {
            while (q < len && (isspace((unsigned char)body[q]) || (array && body[q] == ',')))
                q++;
            if (q >= len || body[q] != '"')
                break;
            size_t e = q + 1;
            while (e < len && body[e] != '"')
                e += body[e] == '\\' ? 2 : 1;
            if (e > len)
                e = len;
            if (!allowed(body + q + 1, e - q - 1, run_id)) {
                refuse(err, errsz, body + q + 1, e - q - 1, "the request");
                return ECR_EINVAL;
            }
            q = e + 1;
            if (!array)
                break;
        }
        i = j;
    }
    return ECR_OK;
}

/* Walks a parsed body: keys decoded from escapes ("repositor\u0079Name")
 * are seen here even when the text scan missed them. */
static ecr_result scan_json(json_object *o, const char *run_id, int named, char *err, size_t errsz)
{
    switch (json_object_get_type(o)) {
    case json_type_object: {
        json_object_object_foreach (o, k, v) {
            int n = 0;
            for (const char *p = k; *p && !n; p++)
                n = !strncasecmp(p, "repositor", 9);
            if (scan_json(v, run_id, n, err, errsz))
                return ECR_EINVAL;
        }
        return ECR_OK;
    }
    case json_type_array:
        for (size_t i = 0; i < json_object_array_length(o); i++)
            if (scan_json(json_object_array_get_idx(o, i), run_id, named, err, errsz))
                return ECR_EINVAL;
        return ECR_OK;
    case json_type_string: {
        const char *s = json_object_get_string(o);
        size_t sl = (size_t)json_object_get_string_len(o);
        const char *arn = NULL;
        for (size_t k = 0; k + 12 <= sl; k++)
            if (!strncasecmp(s + k, ":repository/", 12))
                arn = s + k + 12;
        if (arn && !allowed(arn, sl - (size_t)(arn - s), run_id)) {
            refuse(err, errsz, arn, sl - (size_t)(arn - s), "an ARN in the body");
            return ECR_EINVAL;
        }
        if (named && !allowed(s, sl, run_id)) {
            refuse(err, errsz, s, sl, "the request");
            return ECR_EINVAL;
        }
        return ECR_OK;
    }
    default:
        return ECR_OK;
    }
}

ecr_result ecrc_live_check_request(const char *body, size_t len, const char *run_id, char *err,
                                   size_t errsz)
{
    if (!body)
        return ECR_OK;
    if (scan_text(body, len, run_id, err, errsz))
        return ECR_EINVAL;
    size_t rest;
    json_object *j = ecr_json_parse(body, len, ECR_JSON_PEER, &rest, NULL, NULL);
    ecr_result rc = j ? scan_json(j, run_id, 0, err, errsz) : ECR_OK;
    json_object_put(j);
    return rc;
}

ecrc_live *ecrc_live_new(ecrc_journal *journal)
{
    ecrc_live *l = calloc(1, sizeof *l);
    if (l)
        l->journal = journal;
    return l;
}

void ecrc_live_free(ecrc_live *live)
{
    free(live);
}

ecr_result ecrc_live_before_create(const ecrc_live *live, const char *run_id, const char *name,
                                   json_object *in, char *err, size_t errsz)
{
    char prefix[64];
    snprintf(prefix, sizeof prefix, "ecrc-%s/", run_id);
    if (strncmp(name, prefix, strlen(prefix))) {
        snprintf(err, errsz,
                 "refused under live rules: repository '%.200s' lacks the run prefix %s", name,
                 prefix);
        return ECR_EINVAL;
    }
    json_object *tags = json_object_new_array();
    json_object *tag = json_object_new_object();
    if (!tags || !tag) {
        json_object_put(tags);
        json_object_put(tag);
        snprintf(err, errsz, "out of memory");
        return ECR_ENOMEM;
    }
    json_object_object_add(tag, "Key", json_object_new_string(ECRC_LIVE_TAG_KEY));
    json_object_object_add(tag, "Value", json_object_new_string(run_id));
    json_object_array_add(tags, tag);
    json_object_object_add(in, "tags", tags);
    if (live->journal) {
        ecr_result rc = ecrc_journal_record(live->journal, "create", run_id, name);
        if (rc) {
            snprintf(err, errsz, "journal %s: cannot record '%.200s' before creating it: %s",
                     ecrc_journal_path(live->journal), name, ecr_strerror(rc));
            return rc;
        }
    }
    return ECR_OK;
}

char *ecrc_live_case_refusal(const case_def *c, const char *run_id)
{
    if (c->nfaults)
        return ecr_strdup("under live rules: the case injects faults, which needs the control "
                          "interface (never called on a live registry)");
    for (size_t i = 0; i < c->nrepos; i++) {
        char name[FIXTURE_NAME_MAX];
        if (!ecrc_fixture_repo_name(run_id, c->id, c->repos[i].name, c->repos[i].length, name,
                                    sizeof name))
            continue; /* the fixture reports that one itself */
        char prefix[64];
        snprintf(prefix, sizeof prefix, "ecrc-%s/", run_id);
        if (strncmp(name, prefix, strlen(prefix)))
            return ecr_asprintf("under live rules: repository '%s' (length %d) is too short to "
                                "carry the run prefix %s",
                                c->repos[i].name, c->repos[i].length, prefix);
    }
    return NULL;
}

ecr_result ecrc_live_learn_account(aws_client *c, target_info *t, char *err, size_t errsz)
{
    aws_request req = {.operation = "DescribeRegistry", .body = "{}", .body_len = 2};
    aws_response r;
    ecr_result rc = ecrc_aws_client_call(c, &req, &r);
    json_object *j = NULL, *v = NULL;
    size_t rest;
    if (!rc && r.status == 200 && r.body)
        j = ecr_json_parse(r.body, r.body_len, ECR_JSON_PEER, &rest, NULL, NULL);
    if (j && json_object_object_get_ex(j, "registryId", &v) &&
        json_object_is_type(v, json_type_string) && ecr_is_account_id(json_object_get_string(v))) {
        ecr_copy_str(t->account, sizeof t->account, json_object_get_string(v));
    } else {
        snprintf(err, errsz, "DescribeRegistry: %s",
                 rc ? ecr_strerror(rc) : ecrc_aws_response_error_type(&r));
        if (!rc)
            rc = ECR_ENOTFOUND;
    }
    json_object_put(j);
    ecrc_aws_response_free(&r);
    return rc;
}

/* 1 when needle occurs in hay, ignoring ASCII case. */
static int contains_nocase(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (; *hay; hay++)
        if (!strncasecmp(hay, needle, n))
            return 1;
    return 0;
}

int ecrc_live_emulator_tell(aws_client *c, char *what, size_t whatsz)
{
    aws_response r;
    ecr_result rc = ecrc_aws_client_plain(c, "GET", ECR_CONTROL_CAPABILITIES, NULL, &r);
    if (rc) {
        snprintf(what, whatsz, "%s %.200s", ecr_strerror(rc), r.transport_error);
        ecrc_aws_response_free(&r);
        return -1;
    }
    size_t rest;
    json_object *j = r.status == 200 && r.body
                         ? ecr_json_parse(r.body, r.body_len, ECR_JSON_PEER, &rest, NULL, NULL)
                         : NULL;
    int tell = j && json_object_object_get_ex(j, ECR_CTL_CAPABILITIES, NULL);
    json_object_put(j);
    ecrc_aws_response_free(&r);
    if (tell) {
        snprintf(what, whatsz, "it answers the ecrconform control probe (GET %s)",
                 ECR_CONTROL_CAPABILITIES);
        return 1;
    }
    /* An ordinary, harmless call: its headers say who answered. */
    aws_request req = {.operation = "DescribeRegistry", .body = "{}", .body_len = 2};
    rc = ecrc_aws_client_call(c, &req, &r);
    if (rc) {
        snprintf(what, whatsz, "DescribeRegistry: %s %.200s", ecr_strerror(rc), r.transport_error);
        ecrc_aws_response_free(&r);
        return -1;
    }
    const char *server = ecrc_aws_response_header(&r, "Server");
    const char *rid = ecrc_aws_response_header(&r, "x-amzn-RequestId");
    static const char *const servers[] = {"Werkzeug", "moto", "hypercorn", "LocalStack", NULL};
    for (size_t i = 0; server && servers[i]; i++)
        if (contains_nocase(server, servers[i])) {
            snprintf(what, whatsz, "its Server header is '%.100s'", server);
            tell = 1;
        }
    for (size_t i = 0; !tell && i < r.nheaders; i++)
        if (!strncasecmp(r.headers[i].name, "x-localstack", 12)) {
            snprintf(what, whatsz, "it sends the header %.100s", r.headers[i].name);
            tell = 1;
        }
    if (!tell && rid) {
        regex_t rx;
        if (regcomp(&rx, "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$",
                    REG_EXTENDED | REG_NOSUB | REG_ICASE) == 0) {
            if (regexec(&rx, rid, 0, NULL, 0)) {
                snprintf(what, whatsz, "its request id '%.100s' is not a UUID as ECR's are", rid);
                tell = 1;
            }
            regfree(&rx);
        }
    }
    ecrc_aws_response_free(&r);
    return tell;
}
