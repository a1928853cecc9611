/* Tests of harness/core/run/awsconfig and resolve: the AWS shared files and
 * the precedence of flags, environment and profiles. The environment is a
 * fake (aws_resolve_input.getenv_fn), so the developer's own AWS set-up never
 * leaks in, and the files live in a private mkdtemp directory. */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "awsconfig.h"
#include "resolve.h"
#include "suites.h"

static char g_dir[64];

static int suite_init(void)
{
    snprintf(g_dir, sizeof g_dir, "/tmp/ecrc-awsconfig-XXXXXX");
    return mkdtemp(g_dir) ? 0 : 1;
}

static int suite_clean(void)
{
    rm_tree(g_dir);
    return 0;
}

/* Writes text to g_dir/name and returns the path (static, per name slot). */
static const char *write_file(const char *name, const char *text)
{
    static char paths[4][256];
    static int next;
    char *p = paths[next++ % 4];
    snprintf(p, 256, "%s/%s", g_dir, name);
    FILE *f = fopen(p, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fputs(text, f);
    fclose(f);
    return p;
}

/* A fake environment: NULL-terminated name/value pairs. */
typedef struct fake_env {
    const char *kv[32];
} fake_env;

static const char *fake_getenv(const char *name, void *ud)
{
    fake_env *e = ud;
    for (size_t i = 0; e->kv[i]; i += 2)
        if (!strcmp(e->kv[i], name))
            return e->kv[i + 1];
    return NULL;
}

static int has_diag(const diag_list *d, const char *needle)
{
    for (size_t i = 0; i < d->n; i++) {
        char line[2048];
        snprintf(line, sizeof line, "%s: %s", d->items[i].file, d->items[i].message);
        if (strstr(line, needle))
            return 1;
    }
    return 0;
}

/* ---- the files ---- */

static void test_profile_sections_and_precedence(void)
{
    const char *cfg = write_file("config", "# comment\n"
                                           "[default]\n"
                                           "region = eu-west-1\n"
                                           "[profile ci]\n"
                                           "Region=ap-south-1\n"
                                           "endpoint_url = http://127.0.0.1:9\n"
                                           "aws_access_key_id = FROMCONFIG\n"
                                           "s3 =\n"
                                           "  max_concurrent_requests = 5\n"
                                           "; another comment\n"
                                           "[ci]\n"
                                           "region = not-this-one\n");
    const char *cred = write_file("credentials", "[ci]\n"
                                                 "aws_access_key_id = AKIACIKEY0000000\n"
                                                 "aws_secret_access_key = s3cr3t = with equals\n"
                                                 "[profile ci]\n"
                                                 "aws_access_key_id = NOTTHISONE\n");
    diag_list d;
    ecr_diag_init(&d);
    aws_profile p;
    CU_ASSERT_EQUAL(ecrc_aws_profile_load("ci", cfg, cred, &p, &d), ECR_OK);
    CU_ASSERT_EQUAL(d.n, 0);
    CU_ASSERT_EQUAL(p.found, 1);
    /* the credentials file wins key by key; config's "[ci]" is not profile ci */
    CU_ASSERT_STRING_EQUAL(p.access_key.value, "AKIACIKEY0000000");
    CU_ASSERT_STRING_EQUAL(p.access_key.file, cred);
    CU_ASSERT_EQUAL(p.access_key.line, 2);
    CU_ASSERT_STRING_EQUAL(p.secret_key.value, "s3cr3t = with equals");
    CU_ASSERT_STRING_EQUAL(p.region.value, "ap-south-1");
    CU_ASSERT_EQUAL(p.region.line, 5);
    CU_ASSERT_STRING_EQUAL(p.endpoint_url.value, "http://127.0.0.1:9");
    CU_ASSERT_PTR_NULL(p.session_token.value);
    ecrc_aws_profile_free(&p);

    CU_ASSERT_EQUAL(ecrc_aws_profile_load("default", cfg, cred, &p, &d), ECR_OK);
    CU_ASSERT_EQUAL(p.found, 1);
    CU_ASSERT_STRING_EQUAL(p.region.value, "eu-west-1");
    CU_ASSERT_PTR_NULL(p.access_key.value);
    ecrc_aws_profile_free(&p);

    CU_ASSERT_EQUAL(ecrc_aws_profile_load("nope", cfg, cred, &p, &d), ECR_OK);
    CU_ASSERT_EQUAL(p.found, 0);
    ecrc_aws_profile_free(&p);

    /* Missing files are empty, not errors. */
    char missing[256];
    snprintf(missing, sizeof missing, "%s/does-not-exist", g_dir);
    CU_ASSERT_EQUAL(ecrc_aws_profile_load("default", missing, NULL, &p, &d), ECR_OK);
    CU_ASSERT_EQUAL(p.found, 0);
    CU_ASSERT_EQUAL(d.n, 0);
    ecrc_aws_profile_free(&p);
    ecr_diag_free(&d);
}

static void test_bad_lines_name_file_and_line(void)
{
    const char *cfg = write_file("bad-config", "[default]\n"
                                               "region = us-east-1\n"
                                               "this line has no equals sign\n"
                                               "[broken\n"
                                               "= no name\n");
    const char *early = write_file("bad-early", "region = us-east-1\n[default]\n");
    diag_list d;
    ecr_diag_init(&d);
    aws_profile p;
    CU_ASSERT_EQUAL(ecrc_aws_profile_load("default", cfg, NULL, &p, &d), ECR_EPARSE);
    ecrc_aws_profile_free(&p);
    char want[300];
    snprintf(want, sizeof want, "%s:3: expected", cfg);
    CU_ASSERT(has_diag(&d, want));
    snprintf(want, sizeof want, "%s:4: a section header", cfg);
    CU_ASSERT(has_diag(&d, want));
    snprintf(want, sizeof want, "%s:5: a setting needs a name", cfg);
    CU_ASSERT(has_diag(&d, want));
    CU_ASSERT_EQUAL(d.n, 3);
    ecr_diag_free(&d);

    ecr_diag_init(&d);
    CU_ASSERT_EQUAL(ecrc_aws_profile_load("default", NULL, early, &p, &d), ECR_EPARSE);
    snprintf(want, sizeof want, "%s:1: a setting before any [section]", early);
    CU_ASSERT(has_diag(&d, want));
    ecrc_aws_profile_free(&p);
    ecr_diag_free(&d);
}

static void test_bounds(void)
{
    /* A line over the bound, and a file over the bound. */
    size_t n = ECRC_AWSCFG_MAX_LINE + 10;
    char *longline = malloc(n + 32);
    CU_ASSERT_PTR_NOT_NULL_FATAL(longline);
    snprintf(longline, n + 32, "[default]\nregion = ");
    size_t off = strlen(longline);
    memset(longline + off, 'a', n);
    longline[off + n] = '\0';
    const char *lf = write_file("long-line", longline);
    free(longline);
    diag_list d;
    ecr_diag_init(&d);
    aws_profile p;
    CU_ASSERT_EQUAL(ecrc_aws_profile_load("default", lf, NULL, &p, &d), ECR_EPARSE);
    CU_ASSERT_PTR_NULL(p.region.value); /* never a cut value */
    char want[300];
    snprintf(want, sizeof want, "%s:2: line longer", lf);
    CU_ASSERT(has_diag(&d, want));
    ecrc_aws_profile_free(&p);
    ecr_diag_free(&d);

    char big[256];
    snprintf(big, sizeof big, "%s/big", g_dir);
    FILE *f = fopen(big, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    for (size_t i = 0; i < ECRC_AWSCFG_MAX_FILE / 16 + 1; i++)
        fputs("# padding.......\n", f);
    fclose(f);
    ecr_diag_init(&d);
    CU_ASSERT_EQUAL(ecrc_aws_profile_load("default", big, NULL, &p, &d), ECR_ETOOBIG);
    CU_ASSERT(has_diag(&d, "larger than"));
    ecrc_aws_profile_free(&p);
    ecr_diag_free(&d);
}

/* ---- resolution ---- */

static ecr_result resolve(fake_env *e, const char *profile, const char *region,
                          const char *endpoint, aws_resolved *out, diag_list *d)
{
    aws_resolve_input in = {.profile = profile,
                            .region = region,
                            .endpoint = endpoint,
                            .getenv_fn = fake_getenv,
                            .getenv_ud = e};
    ecr_diag_init(d);
    return ecrc_aws_resolve(&in, out, d);
}

static void test_builtin_defaults(void)
{
    fake_env e = {{"AWS_CONFIG_FILE", "/nonexistent/c", "AWS_SHARED_CREDENTIALS_FILE",
                   "/nonexistent/k", NULL}};
    aws_resolved r;
    diag_list d;
    CU_ASSERT_EQUAL(resolve(&e, NULL, NULL, NULL, &r, &d), ECR_OK);
    CU_ASSERT_EQUAL(r.builtin, 1);
    CU_ASSERT_PTR_NULL(r.endpoint);
    CU_ASSERT_STRING_EQUAL(r.creds.access_key, ECR_TEST_ACCESS_KEY);
    CU_ASSERT_STRING_EQUAL(r.creds.region, ECR_TEST_REGION);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.creds_from, "test keys"));
    ecrc_aws_resolved_free(&r);
    ecr_diag_free(&d);
}

static void test_env_credentials_and_partial(void)
{
    fake_env e = {{"AWS_ACCESS_KEY_ID", "AKIAENV000000001", "AWS_SECRET_ACCESS_KEY", "envsecret",
                   "AWS_SESSION_TOKEN", "tok", "AWS_CONFIG_FILE", "/nonexistent/c",
                   "AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/k", NULL}};
    aws_resolved r;
    diag_list d;
    CU_ASSERT_EQUAL(resolve(&e, NULL, NULL, "http://127.0.0.1:1/", &r, &d), ECR_OK);
    CU_ASSERT_EQUAL(r.builtin, 0);
    CU_ASSERT_STRING_EQUAL(r.endpoint, "http://127.0.0.1:1"); /* trailing slash dropped */
    CU_ASSERT_STRING_EQUAL(r.endpoint_from, "--endpoint");
    CU_ASSERT_STRING_EQUAL(r.creds.access_key, "AKIAENV000000001");
    CU_ASSERT_STRING_EQUAL(r.creds.session_token, "tok");
    CU_ASSERT_PTR_NOT_NULL(strstr(r.creds_from, "AWS_SESSION_TOKEN"));
    ecrc_aws_resolved_free(&r);
    ecr_diag_free(&d);

    /* Each partial set names what is missing. */
    fake_env p1 = {{"AWS_ACCESS_KEY_ID", "AKIAENV000000001", NULL}};
    CU_ASSERT_EQUAL(resolve(&p1, NULL, NULL, NULL, &r, &d), ECR_EINVAL);
    CU_ASSERT(has_diag(&d, "partial credentials found: AWS_ACCESS_KEY_ID is set, "
                           "AWS_SECRET_ACCESS_KEY missing"));
    ecrc_aws_resolved_free(&r);
    ecr_diag_free(&d);
    fake_env p2 = {{"AWS_SECRET_ACCESS_KEY", "x", NULL}};
    CU_ASSERT_EQUAL(resolve(&p2, NULL, NULL, NULL, &r, &d), ECR_EINVAL);
    CU_ASSERT(has_diag(&d, "AWS_SECRET_ACCESS_KEY is set, AWS_ACCESS_KEY_ID missing"));
    ecrc_aws_resolved_free(&r);
    ecr_diag_free(&d);
    fake_env p3 = {{"AWS_SESSION_TOKEN", "x", NULL}};
    CU_ASSERT_EQUAL(resolve(&p3, NULL, NULL, NULL, &r, &d), ECR_EINVAL);
    CU_ASSERT(has_diag(&d, "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY missing"));
    ecrc_aws_resolved_free(&r);
    ecr_diag_free(&d);
    /* An empty variable is unset (the AWS CLI's rule). */
    fake_env p4 = {{"AWS_ACCESS_KEY_ID", "", "AWS_SECRET_ACCESS_KEY", "", NULL}};
    CU_ASSERT_EQUAL(resolve(&p4, NULL, NULL, NULL, &r, &d), ECR_OK);
    CU_ASSERT_STRING_EQUAL(r.creds.access_key, ECR_TEST_ACCESS_KEY);
    ecrc_aws_resolved_free(&r);
    ecr_diag_free(&d);
}

static void test_no_credentials_for_other_endpoints(void)
{
    fake_env e = {{"AWS_ENDPOINT_URL", "http://127.0.0.1:7", "HOME", "/nonexistent", NULL}};
    aws_resolved r;
    diag_list d;
    CU_ASSERT_EQUAL(resolve(&e, NULL, NULL, NULL, &r, &d), ECR_EINVAL);
    CU_ASSERT(has_diag(&d, "no credentials for http://127.0.0.1:7"));
    CU_ASSERT(has_diag(&d, "AWS_ENDPOINT_URL: "));
    ecrc_aws_resolved_free(&r);
    ecr_diag_free(&d);
}

static void test_profiles(void)
{
    char home[256], awsdir[300];
    snprintf(home, sizeof home, "%s/home", g_dir);
    snprintf(awsdir, sizeof awsdir, "%s/.aws", home);
    mkdir(home, 0700);
    mkdir(awsdir, 0700);
    write_file("home/.aws/credentials", "[default]\n"
                                        "aws_access_key_id = AKIADEFAULT00001\n"
                                        "aws_secret_access_key = defsecret\n"
                                        "[ci]\n"
                                        "aws_access_key_id = AKIACIPROFILE001\n"
                                        "aws_secret_access_key = cisecret\n"
                                        "aws_session_token = citoken\n"
                                        "[half]\n"
                                        "aws_access_key_id = AKIAHALF00000001\n");
    write_file("home/.aws/config", "[profile ci]\n"
                                   "region = eu-central-1\n"
                                   "endpoint_url = http://127.0.0.1:5/\n"
                                   "[profile nokeys]\n"
                                   "region = eu-north-1\n");
    aws_resolved r;
    diag_list d;

    /* default profile from $HOME */
    fake_env e1 = {{"HOME", home, NULL}};
    CU_ASSERT_EQUAL(resolve(&e1, NULL, NULL, NULL, &r, &d), ECR_OK);
    CU_ASSERT_STRING_EQUAL(r.creds.access_key, "AKIADEFAULT00001");
    CU_ASSERT_PTR_NOT_NULL(strstr(r.creds_from, "profile 'default' in "));
    CU_ASSERT_PTR_NOT_NULL(strstr(r.creds_from, "/.aws/credentials:2"));
    CU_ASSERT_EQUAL(r.builtin, 1);
    ecrc_aws_resolved_free(&r);
    ecr_diag_free(&d);

    /* AWS_PROFILE: keys, token, region and endpoint from the profile */
    fake_env e2 = {{"HOME", home, "AWS_PROFILE", "ci", NULL}};
    CU_ASSERT_EQUAL(resolve(&e2, NULL, NULL, NULL, &r, &d), ECR_OK);
    CU_ASSERT_STRING_EQUAL(r.creds.access_key, "AKIACIPROFILE001");
    CU_ASSERT_STRING_EQUAL(r.creds.session_token, "citoken");
    CU_ASSERT_STRING_EQUAL(r.creds.region, "eu-central-1");
    CU_ASSERT_PTR_NOT_NULL(strstr(r.region_from, "profile 'ci' in "));
    CU_ASSERT_STRING_EQUAL(r.endpoint, "http://127.0.0.1:5");
    CU_ASSERT_PTR_NOT_NULL(strstr(r.endpoint_from, "/.aws/config:3"));
    ecrc_aws_resolved_free(&r);
    ecr_diag_free(&d);

    /* environment keys beat AWS_PROFILE; env region and endpoint beat the profile */
    fake_env e3 = {{"HOME", home, "AWS_PROFILE", "ci", "AWS_ACCESS_KEY_ID", "AKIAENV000000001",
                    "AWS_SECRET_ACCESS_KEY", "envsecret", "AWS_DEFAULT_REGION", "us-west-2",
                    "AWS_ENDPOINT_URL", "http://127.0.0.1:6", NULL}};
    CU_ASSERT_EQUAL(resolve(&e3, NULL, NULL, NULL, &r, &d), ECR_OK);
    CU_ASSERT_STRING_EQUAL(r.creds.access_key, "AKIAENV000000001");
    CU_ASSERT_STRING_EQUAL(r.creds.session_token, "");
    CU_ASSERT_STRING_EQUAL(r.creds.region, "us-west-2");
    CU_ASSERT_STRING_EQUAL(r.region_from, "AWS_DEFAULT_REGION");
    CU_ASSERT_STRING_EQUAL(r.endpoint, "http://127.0.0.1:6");
    CU_ASSERT_STRING_EQUAL(r.endpoint_from, "AWS_ENDPOINT_URL");
    ecrc_aws_resolved_free(&r);
    ecr_diag_free(&d);

    /* --profile beats the environment's keys; flags beat everything */
    fake_env e4 = {{"HOME", home, "AWS_ACCESS_KEY_ID", "AKIAENV000000001", "AWS_SECRET_ACCESS_KEY",
                    "envsecret", "AWS_REGION", "sa-east-1", "AWS_DEFAULT_REGION", "us-west-2",
                    "AWS_ENDPOINT_URL_ECR", "http://127.0.0.1:8", "AWS_ENDPOINT_URL",
                    "http://127.0.0.1:6", NULL}};
    CU_ASSERT_EQUAL(resolve(&e4, "ci", NULL, NULL, &r, &d), ECR_OK);
    CU_ASSERT_STRING_EQUAL(r.creds.access_key, "AKIACIPROFILE001");
    CU_ASSERT_STRING_EQUAL(r.creds.region, "sa-east-1");
    CU_ASSERT_STRING_EQUAL(r.region_from, "AWS_REGION");
    CU_ASSERT_STRING_EQUAL(r.endpoint, "http://127.0.0.1:8");
    CU_ASSERT_STRING_EQUAL(r.endpoint_from, "AWS_ENDPOINT_URL_ECR");
    ecrc_aws_resolved_free(&r);
    ecr_diag_free(&d);
    CU_ASSERT_EQUAL(resolve(&e4, "ci", "ca-central-1", "http://127.0.0.1:4", &r, &d), ECR_OK);
    CU_ASSERT_STRING_EQUAL(r.creds.region, "ca-central-1");
    CU_ASSERT_STRING_EQUAL(r.region_from, "--region");
    CU_ASSERT_STRING_EQUAL(r.endpoint, "http://127.0.0.1:4");
    ecrc_aws_resolved_free(&r);
    ecr_diag_free(&d);

    /* AWS_IGNORE_CONFIGURED_ENDPOINT_URLS drops env and profile endpoints */
    fake_env e5 = {{"HOME", home, "AWS_PROFILE", "ci", "AWS_ENDPOINT_URL_ECR", "http://127.0.0.1:8",
                    "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true", NULL}};
    CU_ASSERT_EQUAL(resolve(&e5, NULL, NULL, NULL, &r, &d), ECR_OK);
    CU_ASSERT_EQUAL(r.builtin, 1);
    ecrc_aws_resolved_free(&r);
    ecr_diag_free(&d);

    /* a named profile that does not exist, by flag and by variable */
    CU_ASSERT_EQUAL(resolve(&e1, "nosuch", NULL, NULL, &r, &d), ECR_ENOTFOUND);
    CU_ASSERT(has_diag(&d, "--profile: the config profile 'nosuch' could not be found"));
    ecrc_aws_resolved_free(&r);
    ecr_diag_free(&d);
    fake_env e6 = {{"HOME", home, "AWS_PROFILE", "nosuch", "AWS_ACCESS_KEY_ID", "AKIAENV000000001",
                    "AWS_SECRET_ACCESS_KEY", "envsecret", NULL}};
    CU_ASSERT_EQUAL(resolve(&e6, NULL, NULL, NULL, &r, &d), ECR_ENOTFOUND);
    CU_ASSERT(has_diag(&d, "AWS_PROFILE: the config profile 'nosuch'"));
    ecrc_aws_resolved_free(&r);
    ecr_diag_free(&d);

    /* a profile with half a key pair, and one without keys */
    CU_ASSERT_EQUAL(resolve(&e1, "half", NULL, "http://127.0.0.1:1", &r, &d), ECR_EINVAL);
    CU_ASSERT(has_diag(&d, "partial credentials in profile 'half': aws_secret_access_key is "
                           "missing"));
    ecrc_aws_resolved_free(&r);
    ecr_diag_free(&d);
    CU_ASSERT_EQUAL(resolve(&e1, "nokeys", NULL, NULL, &r, &d), ECR_EINVAL);
    CU_ASSERT(has_diag(&d, "profile 'nokeys' has no aws_access_key_id"));
    ecrc_aws_resolved_free(&r);
    ecr_diag_free(&d);
}

static void test_real_aws_endpoint(void)
{
    fake_env e = {{"AWS_ACCESS_KEY_ID", "AKIAENV000000001", "AWS_SECRET_ACCESS_KEY", "s", "HOME",
                   "/nonexistent", NULL}};
    aws_resolved r;
    diag_list d;
    CU_ASSERT_EQUAL(resolve(&e, NULL, "eu-west-3", "aws", &r, &d), ECR_OK);
    CU_ASSERT_STRING_EQUAL(r.endpoint, "https://api.ecr.eu-west-3.amazonaws.com");
    ecrc_aws_resolved_free(&r);
    ecr_diag_free(&d);
    /* real AWS needs a region; "aws" is only a flag value, not a URL elsewhere */
    CU_ASSERT_EQUAL(resolve(&e, NULL, NULL, "aws", &r, &d), ECR_EINVAL);
    CU_ASSERT(has_diag(&d, "needs a region"));
    ecrc_aws_resolved_free(&r);
    ecr_diag_free(&d);
    fake_env e2 = {{"AWS_ENDPOINT_URL_ECR", "aws", NULL}};
    CU_ASSERT_EQUAL(resolve(&e2, NULL, NULL, NULL, &r, &d), ECR_EINVAL);
    CU_ASSERT(has_diag(&d, "AWS_ENDPOINT_URL_ECR: expected an http:// or https:// URL"));
    ecrc_aws_resolved_free(&r);
    ecr_diag_free(&d);
    CU_ASSERT_EQUAL(resolve(&e, NULL, "us-east-1/../x", "aws", &r, &d), ECR_EINVAL);
    CU_ASSERT(has_diag(&d, "not a region name"));
    ecrc_aws_resolved_free(&r);
    ecr_diag_free(&d);
}

static void test_ca_bundle(void)
{
    const char *pem = write_file("ca.pem", "not really a certificate\n");
    fake_env e = {{"AWS_CA_BUNDLE", pem, "HOME", "/nonexistent", NULL}};
    aws_resolved r;
    diag_list d;
    CU_ASSERT_EQUAL(resolve(&e, NULL, NULL, NULL, &r, &d), ECR_OK);
    CU_ASSERT_STRING_EQUAL(r.ca_bundle, pem);
    CU_ASSERT_STRING_EQUAL(r.ca_bundle_from, "AWS_CA_BUNDLE");
    ecrc_aws_resolved_free(&r);
    ecr_diag_free(&d);
    /* AWS_CA_BUNDLE beats SSL_CERT_FILE, which is the last fallback */
    fake_env e3 = {{"AWS_CA_BUNDLE", pem, "SSL_CERT_FILE", "/nonexistent/other.pem", NULL}};
    CU_ASSERT_EQUAL(resolve(&e3, NULL, NULL, NULL, &r, &d), ECR_OK);
    CU_ASSERT_STRING_EQUAL(r.ca_bundle_from, "AWS_CA_BUNDLE");
    ecrc_aws_resolved_free(&r);
    ecr_diag_free(&d);
    fake_env e4 = {{"SSL_CERT_FILE", pem, NULL}};
    CU_ASSERT_EQUAL(resolve(&e4, NULL, NULL, NULL, &r, &d), ECR_OK);
    CU_ASSERT_STRING_EQUAL(r.ca_bundle, pem);
    CU_ASSERT_STRING_EQUAL(r.ca_bundle_from, "SSL_CERT_FILE");
    ecrc_aws_resolved_free(&r);
    ecr_diag_free(&d);
    fake_env e2 = {{"AWS_CA_BUNDLE", "/nonexistent/ca.pem", NULL}};
    CU_ASSERT_EQUAL(resolve(&e2, NULL, NULL, NULL, &r, &d), ECR_ENOTFOUND);
    CU_ASSERT(has_diag(&d, "AWS_CA_BUNDLE: CA bundle '/nonexistent/ca.pem' cannot be read"));
    ecrc_aws_resolved_free(&r);
    ecr_diag_free(&d);
}

static void test_redact(void)
{
    char out[32];
    ecrc_aws_redact_key("AKIAIOSFODNN7EXAMPLE", out, sizeof out);
    CU_ASSERT_STRING_EQUAL(out, "AKIA...MPLE");
    ecrc_aws_redact_key("SHORTKEY", out, sizeof out);
    CU_ASSERT_STRING_EQUAL(out, "****");
    ecrc_aws_redact_key(NULL, out, sizeof out);
    CU_ASSERT_STRING_EQUAL(out, "****");
}

int register_awsconfig_suite(void)
{
    CU_pSuite s = CU_add_suite("awsconfig", suite_init, suite_clean);
    if (!s)
        return 1;
    if (!CU_add_test(s, "profile_sections_and_precedence", test_profile_sections_and_precedence) ||
        !CU_add_test(s, "bad_lines_name_file_and_line", test_bad_lines_name_file_and_line) ||
        !CU_add_test(s, "bounds", test_bounds) ||
        !CU_add_test(s, "builtin_defaults", test_builtin_defaults) ||
        !CU_add_test(s, "env_credentials_and_partial", test_env_credentials_and_partial) ||
        !CU_add_test(s, "no_credentials_for_other_endpoints",
                     test_no_credentials_for_other_endpoints) ||
        !CU_add_test(s, "profiles", test_profiles) ||
        !CU_add_test(s, "real_aws_endpoint", test_real_aws_endpoint) ||
        !CU_add_test(s, "ca_bundle", test_ca_bundle) || !CU_add_test(s, "redact", test_redact))
        return 1;
    return 0;
}
