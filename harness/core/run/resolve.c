/* resolve.c: the AWS CLI's precedence rules for credentials, region,
 * endpoint and CA bundle.
 *
 * Every value remembers where it came from so the run's header can say it:
 * a run that silently signs with other keys than the user thinks, or tests
 * another endpoint than the one CI configured, is the failure this module
 * exists to prevent (issue 8).
 */
#include "resolve.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "awsconfig.h"
#include "ecr/redact.h"
#include "ecr/util.h"

/* An environment variable, or NULL when unset or empty (the AWS CLI treats
 * an empty value as unset). */
static const char *env(const aws_resolve_input *in, const char *name)
{
    const char *v = in->getenv_fn ? in->getenv_fn(name, in->getenv_ud) : getenv(name);
    return v && *v ? v : NULL;
}

/* A path from variable var, "~/" expanded, else $HOME/.aws/<leaf>; NULL when
 * neither is available. Owned by the caller. */
static char *file_path(const aws_resolve_input *in, const char *var, const char *leaf)
{
    const char *v = env(in, var);
    const char *home = env(in, "HOME");
    if (v) {
        if (v[0] == '~' && v[1] == '/' && home)
            return ecr_asprintf("%s%s", home, v + 1);
        return ecr_strdup(v);
    }
    return home ? ecr_asprintf("%s/.aws/%s", home, leaf) : NULL;
}

static char *from_profile(const aws_resolved *out, const aws_setting *s)
{
    return ecr_asprintf("profile '%s' in %s:%zu", out->profile, s->file, s->line);
}

static int is_web_url(const char *u)
{
    return !strncmp(u, "http://", 7) || !strncmp(u, "https://", 8);
}

/* Copies one credential value; a value too long for its field is an error
 * naming it, never a silent cut. */
static ecr_result put(char *dst, size_t dstsz, const char *v, const char *what, const char *from,
                      diag_list *diags)
{
    if (ecr_copy_str(dst, dstsz, v) == ECR_OK)
        return ECR_OK;
    ecr_diag_add(diags, from, "", "%s is longer than %zu bytes", what, dstsz - 1);
    return ECR_ETOOBIG;
}

static ecr_result creds_from_env(const aws_resolve_input *in, aws_resolved *out, int *found,
                                 diag_list *diags)
{
    const char *ak = env(in, "AWS_ACCESS_KEY_ID");
    const char *sk = env(in, "AWS_SECRET_ACCESS_KEY");
    const char *st = env(in, "AWS_SESSION_TOKEN");
    *found = 0;
    if (!ak && !sk && !st)
        return ECR_OK;
    if (!ak || !sk) {
        /* The AWS CLI's "Partial credentials found in env": say what is
         * missing rather than quietly signing with something else. */
        const char *missing = !ak && !sk ? "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
                              : !ak      ? "AWS_ACCESS_KEY_ID"
                                         : "AWS_SECRET_ACCESS_KEY";
        const char *set = ak   ? "AWS_ACCESS_KEY_ID"
                          : sk ? "AWS_SECRET_ACCESS_KEY"
                               : "AWS_SESSION_TOKEN";
        ecr_diag_add(diags, "environment", "",
                     "partial credentials found: %s is set, %s missing (set both "
                     "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or neither)",
                     set, missing);
        return ECR_EINVAL;
    }
    aws_credentials *c = &out->creds;
    ecr_result rc =
        put(c->access_key, sizeof c->access_key, ak, "AWS_ACCESS_KEY_ID", "environment", diags);
    if (!rc)
        rc = put(c->secret_key, sizeof c->secret_key, sk, "AWS_SECRET_ACCESS_KEY", "environment",
                 diags);
    if (!rc)
        rc = put(c->session_token, sizeof c->session_token, st, "AWS_SESSION_TOKEN", "environment",
                 diags);
    if (rc)
        return rc;
    out->creds_from = ecr_strdup(st ? "environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, "
                                      "AWS_SESSION_TOKEN)"
                                    : "environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY)");
    *found = 1;
    return out->creds_from ? ECR_OK : ECR_ENOMEM;
}

/* Takes the profile's static keys. A profile with one key of the pair is an
 * error (botocore: PartialCredentialsError); one with neither is *found 0. */
static ecr_result creds_from_profile(const aws_profile *p, aws_resolved *out, int *found,
                                     diag_list *diags)
{
    *found = 0;
    const aws_setting *ak = &p->access_key, *sk = &p->secret_key, *st = &p->session_token;
    if (!ak->value && !sk->value)
        return ECR_OK;
    if (!ak->value || !sk->value || !*ak->value || !*sk->value) {
        const aws_setting *have = ak->value ? ak : sk;
        char *where = ecr_asprintf("%s:%zu", have->file, have->line);
        ecr_diag_add(diags, where ? where : have->file, "",
                     "partial credentials in profile '%s': %s is %s", out->profile,
                     !ak->value || !*ak->value ? "aws_access_key_id" : "aws_secret_access_key",
                     (!ak->value || !sk->value) ? "missing" : "empty");
        free(where);
        return ECR_EINVAL;
    }
    aws_credentials *c = &out->creds;
    char *from = from_profile(out, ak);
    if (!from)
        return ECR_ENOMEM;
    ecr_result rc =
        put(c->access_key, sizeof c->access_key, ak->value, "aws_access_key_id", from, diags);
    if (!rc)
        rc = put(c->secret_key, sizeof c->secret_key, sk->value, "aws_secret_access_key", from,
                 diags);
    if (!rc && st->value)
        rc = put(c->session_token, sizeof c->session_token, st->value, "aws_session_token", from,
                 diags);
    if (rc) {
        free(from);
        return rc;
    }
    out->creds_from = from;
    *found = 1;
    return ECR_OK;
}

/* Endpoint: flag, env, profile; *out->endpoint NULL means built-in. */
static ecr_result pick_endpoint(const aws_resolve_input *in, const aws_profile *p,
                                aws_resolved *out, const char **raw, diag_list *diags)
{
    const char *ignore = env(in, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS");
    int configured_ok = !(ignore && !strcmp(ignore, "true"));
    const char *v = NULL;
    char *from = NULL;
    if (in->endpoint) {
        v = in->endpoint;
        from = ecr_strdup("--endpoint");
    } else if (configured_ok && (v = env(in, "AWS_ENDPOINT_URL_ECR"))) {
        from = ecr_strdup("AWS_ENDPOINT_URL_ECR");
    } else if (configured_ok && (v = env(in, "AWS_ENDPOINT_URL"))) {
        from = ecr_strdup("AWS_ENDPOINT_URL");
    } else if (configured_ok && p->endpoint_url.value && *p->endpoint_url.value) {
        v = p->endpoint_url.value;
        from = from_profile(out, &p->endpoint_url);
    }
    *raw = v;
    if (!v) {
        out->builtin = 1;
        out->endpoint_from = ecr_strdup("built-in emulator: no --endpoint, AWS_ENDPOINT_URL_ECR, "
                                        "AWS_ENDPOINT_URL or profile endpoint_url");
        return out->endpoint_from ? ECR_OK : ECR_ENOMEM;
    }
    if (!from)
        return ECR_ENOMEM;
    out->endpoint_from = from;
    if (in->endpoint && !strcmp(v, "aws"))
        return ECR_OK; /* the URL needs the region: made later */
    if (!is_web_url(v)) {
        ecr_diag_add(diags, from, "", "expected an http:// or https:// URL%s, got '%.200s'",
                     in->endpoint ? " (or 'aws' for real Amazon ECR)" : "", v);
        return ECR_EINVAL;
    }
    out->endpoint = ecr_strdup(v);
    if (!out->endpoint)
        return ECR_ENOMEM;
    /* Trailing slashes are the same endpoint. */
    size_t n = strlen(out->endpoint);
    while (n > 8 && out->endpoint[n - 1] == '/')
        out->endpoint[--n] = '\0';
    return ECR_OK;
}

static ecr_result pick_region(const aws_resolve_input *in, const aws_profile *p, aws_resolved *out,
                              int real_aws, diag_list *diags)
{
    const char *v = NULL;
    char *from = NULL;
    if (in->region) {
        v = in->region;
        from = ecr_strdup("--region");
    } else if ((v = env(in, "AWS_REGION"))) {
        from = ecr_strdup("AWS_REGION");
    } else if ((v = env(in, "AWS_DEFAULT_REGION"))) {
        from = ecr_strdup("AWS_DEFAULT_REGION");
    } else if (p->region.value && *p->region.value) {
        v = p->region.value;
        from = from_profile(out, &p->region);
    } else if (real_aws) {
        ecr_diag_add(diags, "--endpoint aws", "",
                     "real Amazon ECR needs a region: give --region, AWS_REGION, "
                     "AWS_DEFAULT_REGION or 'region' in profile '%s'",
                     out->profile);
        return ECR_EINVAL;
    } else {
        v = ECR_TEST_REGION;
        from = ecr_strdup("default: no --region, AWS_REGION, AWS_DEFAULT_REGION or profile "
                          "region");
    }
    if (!from)
        return ECR_ENOMEM;
    out->region_from = from;
    /* A region is a DNS label set: anything else would end up in a URL.
     * Too long is put's message below. */
    if (strlen(v) <= ECR_REGION_NAME_MAX && !ecr_is_region_name(v)) {
        ecr_diag_add(diags, from, "", "not a region name: '%.100s'", v);
        return ECR_EINVAL;
    }
    return put(out->creds.region, sizeof out->creds.region, v, "the region", from, diags);
}

static ecr_result pick_ca_bundle(const aws_resolve_input *in, const aws_profile *p,
                                 aws_resolved *out, diag_list *diags)
{
    const char *v = NULL;
    char *from = NULL;
    if (in->ca_bundle) {
        v = in->ca_bundle;
        from = ecr_strdup("--ca-bundle");
    } else if ((v = env(in, "AWS_CA_BUNDLE"))) {
        from = ecr_strdup("AWS_CA_BUNDLE");
    } else if (p->ca_bundle.value && *p->ca_bundle.value) {
        v = p->ca_bundle.value;
        from = from_profile(out, &p->ca_bundle);
    } else if ((v = env(in, "SSL_CERT_FILE"))) {
        /* OpenSSL's own variable, which the curl tool honours too; libcurl
         * the library does not read it, so we pass it on. */
        from = ecr_strdup("SSL_CERT_FILE");
    } else {
        return ECR_OK;
    }
    if (!from)
        return ECR_ENOMEM;
    out->ca_bundle_from = from;
    if (access(v, R_OK) != 0) {
        ecr_diag_add(diags, from, "", "CA bundle '%.300s' cannot be read", v);
        return ECR_ENOTFOUND;
    }
    out->ca_bundle = ecr_strdup(v);
    return out->ca_bundle ? ECR_OK : ECR_ENOMEM;
}

ecr_result ecrc_aws_resolve(const aws_resolve_input *in, aws_resolved *out, diag_list *diags)
{
    memset(out, 0, sizeof *out);
    const char *named = in->profile ? in->profile : env(in, "AWS_PROFILE");
    out->profile = ecr_strdup(named ? named : "default");
    char *cfg = file_path(in, "AWS_CONFIG_FILE", "config");
    char *cred = file_path(in, "AWS_SHARED_CREDENTIALS_FILE", "credentials");
    aws_profile p;
    ecr_result rc =
        out->profile ? ecrc_aws_profile_load(out->profile, cfg, cred, &p, diags) : ECR_ENOMEM;
    if (!rc && named && !p.found) {
        ecr_diag_add(diags, in->profile ? "--profile" : "AWS_PROFILE", "",
                     "the config profile '%s' could not be found in %s or %s", named,
                     cfg ? cfg : "(no config file: HOME unset)",
                     cred ? cred : "(no credentials file: HOME unset)");
        rc = ECR_ENOTFOUND;
    }

    const char *raw = NULL;
    if (!rc)
        rc = pick_endpoint(in, &p, out, &raw, diags);
    int real_aws = !rc && in->endpoint && raw == in->endpoint && !strcmp(raw, "aws");
    if (!rc)
        rc = pick_region(in, &p, out, real_aws, diags);
    if (!rc && real_aws) {
        out->endpoint = ecr_asprintf("https://api.ecr.%s.amazonaws.com", out->creds.region);
        rc = out->endpoint ? ECR_OK : ECR_ENOMEM;
    }
    if (!rc)
        rc = pick_ca_bundle(in, &p, out, diags);

    int found = 0;
    if (!rc && !in->profile)
        rc = creds_from_env(in, out, &found, diags);
    if (!rc && !found) {
        rc = creds_from_profile(&p, out, &found, diags);
        if (!rc && !found && in->profile) {
            ecr_diag_add(diags, "--profile", "",
                         "profile '%s' has no aws_access_key_id / aws_secret_access_key (only "
                         "static keys are supported)",
                         out->profile);
            rc = ECR_EINVAL;
        }
    }
    if (!rc && !found) {
        if (out->builtin) {
            /* The built-in emulator knows whatever keys the run signs with;
             * these are the documented ones (ecr/protocol.h). */
            ecr_copy_str(out->creds.access_key, sizeof out->creds.access_key, ECR_TEST_ACCESS_KEY);
            ecr_copy_str(out->creds.secret_key, sizeof out->creds.secret_key, ECR_TEST_SECRET_KEY);
            out->creds_from =
                ecr_strdup("documented test keys: no credentials configured, built-in emulator");
            rc = out->creds_from ? ECR_OK : ECR_ENOMEM;
        } else {
            ecr_diag_add(diags, out->endpoint_from, "",
                         "no credentials for %s: set AWS_ACCESS_KEY_ID and "
                         "AWS_SECRET_ACCESS_KEY, or give --profile / AWS_PROFILE, or put keys in "
                         "[default] of %s (the documented test keys are used only with the "
                         "built-in emulator)",
                         out->endpoint, cred ? cred : "~/.aws/credentials");
            rc = ECR_EINVAL;
        }
    }
    if (!rc) {
        /* From now on no output can hold them (ecr/redact.h). */
        ecr_redact_add(out->creds.secret_key);
        ecr_redact_add(out->creds.session_token);
    }
    ecrc_aws_profile_free(&p);
    free(cfg);
    free(cred);
    return rc;
}

void ecrc_aws_resolved_free(aws_resolved *r)
{
    if (!r)
        return;
    free(r->endpoint);
    free(r->ca_bundle);
    free(r->profile);
    free(r->endpoint_from);
    free(r->region_from);
    free(r->creds_from);
    free(r->ca_bundle_from);
    OPENSSL_cleanse(&r->creds, sizeof r->creds);
    memset(r, 0, sizeof *r);
}

void ecrc_aws_redact_key(const char *key, char *out, size_t outsz)
{
    if (!out || outsz < 16)
        return;
    size_t n = key ? strlen(key) : 0;
    if (n < 12)
        snprintf(out, outsz, "****");
    else
        snprintf(out, outsz, "%.4s...%s", key, key + n - 4);
}

void ecrc_aws_resolved_print(const aws_resolved *r, const char *builtin_url, int insecure, FILE *f)
{
    char key[32];
    ecrc_aws_redact_key(r->creds.access_key, key, sizeof key);
    fprintf(f, "  endpoint   %s  [%s]\n",
            r->builtin ? (builtin_url ? builtin_url : "built-in emulator") : r->endpoint,
            r->endpoint_from ? r->endpoint_from : "?");
    fprintf(f, "  region     %s  [%s]\n", r->creds.region, r->region_from ? r->region_from : "?");
    fprintf(f, "  access key %s%s  [%s]\n", key,
            r->creds.session_token[0] ? " + session token" : "",
            r->creds_from ? r->creds_from : "?");
    if (r->ca_bundle)
        fprintf(f, "  CA bundle  %s  [%s]\n", r->ca_bundle, r->ca_bundle_from);
    if (insecure)
        fputs("  WARNING: --insecure: TLS certificates and host names are NOT verified; "
              "anyone on the path can read and change this run's traffic\n",
              f);
}
