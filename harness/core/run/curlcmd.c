/* curlcmd.c: a step's request as a curl command (curlcmd.h). */
#include "curlcmd.h"

#include <string.h>
#include <strings.h>

#include "ecr/buf.h"
#include "ecr/protocol.h"

/* A command is as long as its body, plus headers: bounded by what the step
 * sends, which the loader bounds already. */
#define CURLCMD_MAX (16u * 1024u * 1024u)

/* Appends s single-quoted for sh ('it'\''s'). */
static ecr_result quoted(buf *b, const char *s, size_t n)
{
    ecr_result rc = ecr_buf_puts(b, "'");
    for (size_t i = 0; i < n && !rc; i++)
        rc = s[i] == '\'' ? ecr_buf_puts(b, "'\\''") : ecr_buf_append(b, s + i, 1);
    return rc ? rc : ecr_buf_puts(b, "'");
}

static int has_header(const aws_request *req, const char *name)
{
    for (size_t i = 0; i < req->nheaders; i++)
        if (!strcasecmp(req->headers[i].name, name))
            return 1;
    return 0;
}

static ecr_result header(buf *b, const char *name, const char *value)
{
    ecr_result rc = ecr_buf_puts(b, " \\\n  -H ");
    char line[512];
    /* Names are short and ours or the case file's; a value may be long. */
    size_t nl = strlen(name);
    if (nl + 2 >= sizeof line)
        return ECR_ETOOBIG;
    memcpy(line, name, nl);
    memcpy(line + nl, ": ", 3);
    buf hv;
    ecr_buf_init(&hv, CURLCMD_MAX);
    if (!rc)
        rc = ecr_buf_puts(&hv, line);
    if (!rc)
        rc = ecr_buf_puts(&hv, value);
    if (!rc)
        rc = quoted(b, hv.data, hv.len);
    ecr_buf_free(&hv);
    return rc;
}

char *ecrc_curl_command(const char *endpoint, const char *region, int session_token,
                        const aws_transport *tr, const aws_request *req)
{
    buf b;
    ecr_buf_init(&b, CURLCMD_MAX);
    ecr_result rc = ecr_buf_puts(&b, "curl -sS -i -X POST");
    if (!rc && tr && tr->insecure)
        rc = ecr_buf_puts(&b, " --insecure");
    if (!rc && tr && tr->ca_bundle) {
        rc = ecr_buf_puts(&b, " --cacert ");
        if (!rc)
            rc = quoted(&b, tr->ca_bundle, strlen(tr->ca_bundle));
    }
    char sig[128];
    snprintf(sig, sizeof sig, "aws:amz:%s:ecr", region && region[0] ? region : "us-east-1");
    /* --user is double-quoted so the shell expands the variables, and only
     * them: their values never appear here. */
    /* A literal Authorization header is sent as given, never signed. */
    switch (has_header(req, "Authorization") ? ECRC_SIGN_NONE : req->auth) {
    case ECRC_SIGN_NONE:
        break;
    case ECRC_SIGN_UNKNOWN_KEY:
        if (!rc)
            rc = ecr_buf_printf(&b,
                                " \\\n  --aws-sigv4 '%s' --user "
                                "\"" ECRC_UNKNOWN_ACCESS_KEY ":$AWS_SECRET_ACCESS_KEY\"",
                                sig);
        break;
    case ECRC_SIGN_WRONG_SECRET:
        if (!rc)
            rc = ecr_buf_printf(&b,
                                " \\\n  --aws-sigv4 '%s' --user "
                                "\"$AWS_ACCESS_KEY_ID:${AWS_SECRET_ACCESS_KEY}-wrong\"",
                                sig);
        break;
    default:
        if (!rc)
            rc = ecr_buf_printf(&b,
                                " \\\n  --aws-sigv4 '%s' --user "
                                "\"$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY\"",
                                sig);
        break;
    }
    if (!rc && session_token && req->auth != ECRC_SIGN_NONE &&
        !has_header(req, "X-Amz-Security-Token"))
        rc = ecr_buf_puts(&b, " \\\n  -H \"X-Amz-Security-Token: $AWS_SESSION_TOKEN\"");
    if (!rc && !has_header(req, "Content-Type"))
        rc = header(&b, "Content-Type", ECR_CONTENT_TYPE);
    if (!rc && !has_header(req, "X-Amz-Target")) {
        if (req->target) {
            rc = header(&b, "X-Amz-Target", req->target);
        } else {
            buf t;
            ecr_buf_init(&t, CURLCMD_MAX);
            rc = ecr_buf_printf(&t, ECR_TARGET_PREFIX "%s", req->operation ? req->operation : "");
            if (!rc)
                rc = header(&b, "X-Amz-Target", t.data);
            ecr_buf_free(&t);
        }
    }
    for (size_t i = 0; !rc && i < req->nheaders; i++)
        rc = header(&b, req->headers[i].name, req->headers[i].value ? req->headers[i].value : "");
    if (!rc)
        rc = ecr_buf_puts(&b, " \\\n  --data-binary ");
    if (!rc)
        rc = req->body ? quoted(&b, req->body, req->body_len) : quoted(&b, "{}", 2);
    if (!rc)
        rc = ecr_buf_puts(&b, " \\\n  ");
    if (!rc) {
        /* POST / on the endpoint, as the client sends it. */
        size_t n = strlen(endpoint);
        int slash = n && endpoint[n - 1] == '/';
        buf u;
        ecr_buf_init(&u, CURLCMD_MAX);
        rc = ecr_buf_printf(&u, "%s%s", endpoint, slash ? "" : "/");
        if (!rc)
            rc = quoted(&b, u.data, u.len);
        ecr_buf_free(&u);
    }
    char *out = rc ? NULL : ecr_buf_steal(&b);
    ecr_buf_free(&b);
    return out;
}
