/* Tests of the emulator over HTTP (server.c, auth.c, control over the wire).
 *
 * The client is plain libcurl with CURLOPT_AWS_SIGV4: an independent signer,
 * so these tests check our verifier against curl's implementation rather
 * than against itself. Every emulator binds 127.0.0.1 on port 0. */
#include <CUnit/CUnit.h>
#include <curl/curl.h>
#include <json-c/json.h>
#include <pthread.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "ecr/buf.h"
#include "ecr/protocol.h"
#include "ecremu.h"
#include "suites.h"

#define TARGET "X-Amz-Target: AmazonEC2ContainerRegistry_V20150921."
#define INVALID_SIGNATURE                                                                          \
    "The request signature we calculated does not match the signature you provided. Check your "   \
    "AWS Secret Access Key and signing method. Consult the service documentation for details."

static ecremu *g_strict;

typedef struct reply {
    long status;
    buf body;
    char request_id[128];
    char content_type[128];
    json_object *json; /* parsed body, or NULL */
} reply;

typedef enum signer {
    SIGN_OK,
    SIGN_NONE,
    SIGN_WRONG_SECRET,
    SIGN_UNKNOWN_KEY,
    SIGN_OTHER_REGION,
    SIGN_OTHER_SERVICE
} signer;

/* Extra request headers for the next http() calls (NULL-terminated), and
 * whether control requests carry the control interface's own header. */
static const char *g_extra[160];
static int g_no_control_header;

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
    reply *r = ud;
    return ecr_buf_append(&r->body, p, size * n) == ECR_OK ? size * n : 0;
}

static void keep_header(const char *line, size_t len, const char *name, char *out, size_t outsz)
{
    size_t nl = strlen(name);
    if (len <= nl + 1 || strncasecmp(line, name, nl) != 0 || line[nl] != ':')
        return;
    const char *v = line + nl + 1;
    size_t vl = len - nl - 1;
    while (vl && (*v == ' '))
        v++, vl--;
    while (vl && (v[vl - 1] == '\r' || v[vl - 1] == '\n'))
        vl--;
    snprintf(out, outsz, "%.*s", (int)vl, v);
}

static size_t on_header(char *p, size_t size, size_t n, void *ud)
{
    reply *r = ud;
    keep_header(p, size * n, "x-amzn-RequestId", r->request_id, sizeof r->request_id);
    keep_header(p, size * n, "Content-Type", r->content_type, sizeof r->content_type);
    return size * n;
}

static void reply_free(reply *r)
{
    ecr_buf_free(&r->body);
    json_object_put(r->json);
    r->json = NULL;
}

/* One HTTP exchange. op NULL means no X-Amz-Target; body NULL means GET
 * (unless method says otherwise). Returns 0 when a response arrived. */
static int http(const ecremu *e, const char *method, const char *path, const char *op,
                const char *body, size_t body_len, signer how, reply *r)
{
    char url[256], target[160];
    memset(r, 0, sizeof *r);
    ecr_buf_init(&r->body, 1 << 20);
    snprintf(url, sizeof url, "http://127.0.0.1:%u%s", ecremu_port(e), path);
    CURL *c = curl_easy_init();
    if (!c)
        return -1;
    struct curl_slist *h = NULL;
    h = curl_slist_append(h, "Content-Type: application/x-amz-json-1.1");
    if (op) {
        snprintf(target, sizeof target, TARGET "%s", op);
        h = curl_slist_append(h, target);
    }
    if (!g_no_control_header && strncmp(path, ECR_CONTROL_PREFIX, strlen(ECR_CONTROL_PREFIX)) == 0)
        h = curl_slist_append(h, ECR_CONTROL_HEADER ": " ECR_CONTROL_HEADER_VALUE);
    for (size_t i = 0; g_extra[i]; i++)
        h = curl_slist_append(h, g_extra[i]);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 10000L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, r);
    if (body) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
    }
    if (method)
        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    if (how != SIGN_NONE) {
        const char *ak = how == SIGN_UNKNOWN_KEY ? "AKIDNOSUCHKEY0000000" : ECR_TEST_ACCESS_KEY;
        const char *sk = how == SIGN_WRONG_SECRET ? "not-the-secret" : ECR_TEST_SECRET_KEY;
        curl_easy_setopt(c, CURLOPT_AWS_SIGV4,
                         how == SIGN_OTHER_REGION    ? "aws:amz:eu-west-1:ecr"
                         : how == SIGN_OTHER_SERVICE ? "aws:amz:us-east-1:s3"
                                                     : "aws:amz:us-east-1:ecr");
        curl_easy_setopt(c, CURLOPT_USERNAME, ak);
        curl_easy_setopt(c, CURLOPT_PASSWORD, sk);
    }
    CURLcode rc = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    if (rc != CURLE_OK)
        return -1;
    r->json = r->body.len ? json_tokener_parse(r->body.data) : NULL;
    return 0;
}

/* A signed (or deliberately mis-signed) ECR call. */
static int ecr(const ecremu *e, const char *op, const char *body, signer how, reply *r)
{
    return http(e, NULL, "/", op, body, strlen(body), how, r);
}

static const char *member(const reply *r, const char *key)
{
    json_object *v;
    if (!r->json || !json_object_object_get_ex(r->json, key, &v))
        return "<none>";
    return json_object_get_string(v);
}

/* 1 when the extended regular expression ere matches somewhere in s. */
static int has_match(const char *ere, const char *s)
{
    regex_t re;
    if (regcomp(&re, ere, REG_EXTENDED | REG_NOSUB))
        return 0;
    int ok = regexec(&re, s, 0, NULL, 0) == 0;
    regfree(&re);
    return ok;
}

static int is_uuid_v4(const char *s)
{
    regex_t re;
    if (regcomp(&re, "^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$",
                REG_EXTENDED | REG_NOSUB))
        return 0;
    int ok = regexec(&re, s, 0, NULL, 0) == 0;
    regfree(&re);
    return ok;
}

static ecremu *start(ecremu_auth_mode mode, int control)
{
    ecremu_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.auth = mode;
    cfg.control = control;
    cfg.quiet = 1;
    ecremu *e = NULL;
    if (ecremu_start(&cfg, &e) != ECR_OK)
        return NULL;
    return e;
}

static int suite_init(void)
{
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return 1;
    g_strict = start(ECREMU_AUTH_STRICT, 1);
    return g_strict ? 0 : 1;
}

static int suite_clean(void)
{
    ecremu_stop(g_strict);
    g_strict = NULL;
    curl_global_cleanup();
    return 0;
}

static void test_signed_call(void)
{
    reply r;
    CU_ASSERT_NOT_EQUAL(ecremu_port(g_strict), 0);
    CU_ASSERT_EQUAL_FATAL(
        ecr(g_strict, "CreateRepository", "{\"repositoryName\":\"ecremu/signed\"}", SIGN_OK, &r),
        0);
    CU_ASSERT_EQUAL(r.status, 200);
    CU_ASSERT_STRING_EQUAL(r.content_type, "application/x-amz-json-1.1");
    CU_ASSERT_TRUE(is_uuid_v4(r.request_id));
    CU_ASSERT_PTR_NOT_NULL(strstr(r.body.data, "\"repositoryName\":\"ecremu/signed\""));
    char first_id[128];
    snprintf(first_id, sizeof first_id, "%s", r.request_id);
    reply_free(&r);

    CU_ASSERT_EQUAL_FATAL(ecr(g_strict, "BatchDeleteImage",
                              "{\"repositoryName\":\"ecremu/signed\",\"imageIds\":"
                              "[{\"imageTag\":\"latest\"}]}",
                              SIGN_OK, &r),
                          0);
    CU_ASSERT_EQUAL(r.status, 200);
    CU_ASSERT_STRING_EQUAL(r.body.data,
                           "{\"imageIds\":[],\"failures\":[{\"imageId\":{\"imageTag\":\"latest\"},"
                           "\"failureCode\":\"ImageNotFound\",\"failureReason\":\"Requested image "
                           "not found\"}]}");
    CU_ASSERT_STRING_NOT_EQUAL(r.request_id, first_id);
    reply_free(&r);
}

static void expect_auth_error(const ecremu *e, signer how, const char *type, const char *message)
{
    reply r;
    CU_ASSERT_EQUAL_FATAL(ecr(e, "ListImages", "{\"repositoryName\":\"ecremu/none\"}", how, &r), 0);
    CU_ASSERT_EQUAL(r.status, 400);
    CU_ASSERT_STRING_EQUAL(member(&r, "__type"), type);
    if (message)
        CU_ASSERT_STRING_EQUAL(member(&r, "message"), message);
    CU_ASSERT_STRING_EQUAL(r.content_type, "application/x-amz-json-1.1");
    CU_ASSERT_TRUE(is_uuid_v4(r.request_id));
    reply_free(&r);
}

static void test_auth_failures(void)
{
    expect_auth_error(g_strict, SIGN_NONE, "MissingAuthenticationTokenException",
                      "Missing Authentication Token");
    expect_auth_error(g_strict, SIGN_WRONG_SECRET, "InvalidSignatureException", INVALID_SIGNATURE);
    expect_auth_error(g_strict, SIGN_UNKNOWN_KEY, "UnrecognizedClientException",
                      "The security token included in the request is invalid.");
}

/* A request with hand-written Authorization / X-Amz-Date headers (either may
 * be NULL); returns the parsed reply. */
static void raw_auth(const char *authz, const char *date, reply *r)
{
    char url[128], h1[512], h2[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%u/", ecremu_port(g_strict));
    memset(r, 0, sizeof *r);
    ecr_buf_init(&r->body, 1 << 16);
    CURL *c = curl_easy_init();
    struct curl_slist *h = curl_slist_append(NULL, TARGET "ListImages");
    if (authz) {
        snprintf(h1, sizeof h1, "Authorization: %s", authz);
        h = curl_slist_append(h, h1);
    }
    if (date) {
        snprintf(h2, sizeof h2, "X-Amz-Date: %s", date);
        h = curl_slist_append(h, h2);
    }
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, "{}");
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 10000L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
    CU_ASSERT_EQUAL(curl_easy_perform(c), CURLE_OK);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    r->json = json_tokener_parse(r->body.data ? r->body.data : "");
}

static void test_malformed_authorization(void)
{
    static const char good_form[] =
        "AWS4-HMAC-SHA256 Credential=" ECR_TEST_ACCESS_KEY "/20240101/us-east-1/ecr/"
        "aws4_request, SignedHeaders=host;x-amz-date, Signature="
        "0000000000000000000000000000000000000000000000000000000000000000";
    reply r;
    raw_auth("AWS4-HMAC-SHA256 Credential=nonsense", "20240101T000000Z", &r);
    CU_ASSERT_EQUAL(r.status, 400);
    CU_ASSERT_STRING_EQUAL(member(&r, "__type"), "IncompleteSignatureException");
    reply_free(&r);
    raw_auth(good_form, NULL, &r); /* well-formed, but no X-Amz-Date */
    CU_ASSERT_EQUAL(r.status, 400);
    CU_ASSERT_STRING_EQUAL(member(&r, "__type"), "IncompleteSignatureException");
    CU_ASSERT_PTR_NOT_NULL(strstr(member(&r, "message"), "X-Amz-Date"));
    reply_free(&r);
    raw_auth(good_form, "20240101T000000Z", &r); /* complete, but a made-up signature */
    CU_ASSERT_EQUAL(r.status, 400);
    CU_ASSERT_STRING_EQUAL(member(&r, "__type"), "InvalidSignatureException");
    reply_free(&r);
}

static void test_lenient(void)
{
    ecremu *e = start(ECREMU_AUTH_LENIENT, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    reply r;
    CU_ASSERT_EQUAL(ecr(e, "DescribeRepositories", "{}", SIGN_WRONG_SECRET, &r), 0);
    CU_ASSERT_EQUAL(r.status, 200);
    CU_ASSERT_STRING_EQUAL(r.body.data, "{\"repositories\":[]}");
    reply_free(&r);
    CU_ASSERT_EQUAL(ecr(e, "DescribeRepositories", "{}", SIGN_UNKNOWN_KEY, &r), 0);
    CU_ASSERT_EQUAL(r.status, 200);
    reply_free(&r);
    expect_auth_error(e, SIGN_NONE, "MissingAuthenticationTokenException", NULL);
    /* no control interface on this one: the path is just an unsigned ECR call */
    CU_ASSERT_EQUAL(http(e, NULL, ECR_CONTROL_CAPABILITIES, NULL, NULL, 0, SIGN_NONE, &r), 0);
    CU_ASSERT_EQUAL(r.status, 400);
    CU_ASSERT_STRING_EQUAL(member(&r, "__type"), "MissingAuthenticationTokenException");
    reply_free(&r);
    /* nor does the control interface's 64 KiB body cap apply there */
    static char big[100 * 1024];
    memset(big, ' ', sizeof big);
    CU_ASSERT_EQUAL(http(e, "POST", ECR_CONTROL_FAULTS, NULL, big, sizeof big, SIGN_NONE, &r), 0);
    CU_ASSERT_EQUAL(r.status, 400);
    CU_ASSERT_STRING_EQUAL(member(&r, "__type"), "MissingAuthenticationTokenException");
    reply_free(&r);
    ecremu_stop(e);
}

static void test_control_over_http(void)
{
    reply r;
    CU_ASSERT_EQUAL_FATAL(
        http(g_strict, NULL, ECR_CONTROL_CAPABILITIES, NULL, NULL, 0, SIGN_NONE, &r), 0);
    CU_ASSERT_EQUAL(r.status, 200);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.body.data, "\"fault-injection\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(r.body.data, "\"strict-auth\""));
    CU_ASSERT_STRING_EQUAL(member(&r, "account"), ECR_TEST_ACCOUNT);
    CU_ASSERT_STRING_EQUAL(member(&r, "region"), ECR_TEST_REGION);
    reply_free(&r);

    const char *fault = "{\"fault\":\"throttling\",\"repositoryName\":\"ecremu/ctl\"}";
    CU_ASSERT_EQUAL(
        http(g_strict, "POST", ECR_CONTROL_FAULTS, NULL, fault, strlen(fault), SIGN_NONE, &r), 0);
    CU_ASSERT_EQUAL(r.status, 200);
    CU_ASSERT_STRING_EQUAL(r.body.data, "{}");
    reply_free(&r);
    const char *bdi = "{\"repositoryName\":\"ecremu/ctl\",\"imageIds\":[{\"imageTag\":\"a\"}]}";
    CU_ASSERT_EQUAL(ecr(g_strict, "BatchDeleteImage", bdi, SIGN_OK, &r), 0);
    CU_ASSERT_EQUAL(r.status, 400);
    CU_ASSERT_STRING_EQUAL(member(&r, "__type"), "ThrottlingException");
    reply_free(&r);

    const char *bad = "{\"fault\":\"no-such-kind\",\"repositoryName\":\"ecremu/ctl\"}";
    CU_ASSERT_EQUAL(
        http(g_strict, "POST", ECR_CONTROL_FAULTS, NULL, bad, strlen(bad), SIGN_NONE, &r), 0);
    CU_ASSERT_EQUAL(r.status, 400);
    CU_ASSERT_STRING_NOT_EQUAL(member(&r, "message"), "<none>");
    reply_free(&r);

    CU_ASSERT_EQUAL(http(g_strict, "DELETE", "/__ecrconform/faults?repositoryName=ecremu%2Fctl",
                         NULL, NULL, 0, SIGN_NONE, &r),
                    0);
    CU_ASSERT_EQUAL(r.status, 200);
    reply_free(&r);
    CU_ASSERT_EQUAL(ecr(g_strict, "BatchDeleteImage", bdi, SIGN_OK, &r), 0);
    CU_ASSERT_STRING_EQUAL(member(&r, "__type"), "RepositoryNotFoundException");
    reply_free(&r);
}

/* Issue 11, item 17: a web page can send a "simple" cross-origin POST; the
 * control interface refuses anything with an Origin header and anything
 * without its own header (which a page cannot add without a preflight). */
static void test_control_refuses_web_pages(void)
{
    reply r;
    const char *fault = "{\"fault\":\"throttling\",\"repositoryName\":\"ecremu/web\"}";
    g_extra[0] = "Origin: http://evil.example";
    g_extra[1] = "Content-Type: text/plain";
    CU_ASSERT_EQUAL_FATAL(
        http(g_strict, "POST", ECR_CONTROL_FAULTS, NULL, fault, strlen(fault), SIGN_NONE, &r), 0);
    CU_ASSERT_EQUAL(r.status, 403);
    CU_ASSERT_PTR_NOT_NULL(strstr(member(&r, "message"), "Origin"));
    reply_free(&r);
    g_extra[0] = g_extra[1] = NULL;
    g_no_control_header = 1;
    CU_ASSERT_EQUAL_FATAL(
        http(g_strict, "POST", ECR_CONTROL_FAULTS, NULL, fault, strlen(fault), SIGN_NONE, &r), 0);
    CU_ASSERT_EQUAL(r.status, 403);
    CU_ASSERT_PTR_NOT_NULL(strstr(member(&r, "message"), ECR_CONTROL_HEADER));
    reply_free(&r);
    CU_ASSERT_EQUAL_FATAL(
        http(g_strict, NULL, ECR_CONTROL_CAPABILITIES, NULL, NULL, 0, SIGN_NONE, &r), 0);
    CU_ASSERT_EQUAL(r.status, 403);
    reply_free(&r);
    g_no_control_header = 0;
    /* nothing was set: the repository is not throttled */
    const char *list = "{\"repositoryName\":\"ecremu/web\"}";
    CU_ASSERT_EQUAL(ecr(g_strict, "ListImages", list, SIGN_OK, &r), 0);
    CU_ASSERT_STRING_EQUAL(member(&r, "__type"), "RepositoryNotFoundException");
    reply_free(&r);
}

/* Issue 11, item 18: two Authorization headers are ambiguous: refused, even
 * when each is well-formed (lenient mode would pass either). */
static void test_two_authorization_headers(void)
{
    ecremu *e = start(ECREMU_AUTH_LENIENT, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    static const char a[] =
        "Authorization: AWS4-HMAC-SHA256 Credential=AKIDECRCONFORMTEST01/20240101/us-east-1/ecr/"
        "aws4_request, SignedHeaders=host;x-amz-date, Signature="
        "0000000000000000000000000000000000000000000000000000000000000000";
    reply r;
    g_extra[0] = a;
    g_extra[1] = "X-Amz-Date: 20240101T000000Z";
    CU_ASSERT_EQUAL(ecr(e, "DescribeRepositories", "{}", SIGN_NONE, &r), 0);
    CU_ASSERT_EQUAL(r.status, 200); /* one header: lenient passes it */
    reply_free(&r);
    g_extra[2] = a;
    CU_ASSERT_EQUAL(ecr(e, "DescribeRepositories", "{}", SIGN_NONE, &r), 0);
    CU_ASSERT_EQUAL(r.status, 400);
    CU_ASSERT_STRING_EQUAL(member(&r, "__type"), "IncompleteSignatureException");
    CU_ASSERT_PTR_NOT_NULL(strstr(member(&r, "message"), "more than one Authorization"));
    reply_free(&r);
    /* the second one behind 130 other headers (past those the server keeps) */
    static char filler[130][32];
    for (size_t i = 0; i < 130; i++) {
        snprintf(filler[i], sizeof filler[i], "X-Filler-%zu: x", i);
        g_extra[2 + i] = filler[i];
    }
    g_extra[132] = a;
    CU_ASSERT_EQUAL(ecr(e, "DescribeRepositories", "{}", SIGN_NONE, &r), 0);
    CU_ASSERT_EQUAL(r.status, 400);
    CU_ASSERT_STRING_EQUAL(member(&r, "__type"), "IncompleteSignatureException");
    reply_free(&r);
    memset(g_extra, 0, sizeof g_extra);
    ecremu_stop(e);
}

/* Issue 11, item 19: strict auth refuses a signature more than 5 minutes old
 * (or ahead), and one scoped to another region or service. */
static void test_strict_scope_and_clock(void)
{
    reply r;
    CU_ASSERT_EQUAL(ecr(g_strict, "DescribeRepositories", "{}", SIGN_OTHER_REGION, &r), 0);
    CU_ASSERT_EQUAL(r.status, 400);
    CU_ASSERT_STRING_EQUAL(member(&r, "__type"), "InvalidSignatureException");
    CU_ASSERT_STRING_EQUAL(member(&r, "message"), "Credential should be scoped to a valid region.");
    reply_free(&r);
    CU_ASSERT_EQUAL(ecr(g_strict, "DescribeRepositories", "{}", SIGN_OTHER_SERVICE, &r), 0);
    CU_ASSERT_EQUAL(r.status, 400);
    CU_ASSERT_STRING_EQUAL(member(&r, "__type"), "InvalidSignatureException");
    CU_ASSERT_STRING_EQUAL(member(&r, "message"),
                           "Credential should be scoped to correct service: 'ecr'.");
    reply_free(&r);
    /* curl signs with the X-Amz-Date it is given: a replay from 2024 */
    g_extra[0] = "X-Amz-Date: 20240101T000000Z";
    CU_ASSERT_EQUAL(ecr(g_strict, "DescribeRepositories", "{}", SIGN_OK, &r), 0);
    CU_ASSERT_EQUAL(r.status, 400);
    CU_ASSERT_STRING_EQUAL(member(&r, "__type"), "InvalidSignatureException");
    CU_ASSERT_PTR_NOT_NULL(
        strstr(member(&r, "message"), "Signature expired: 20240101T000000Z is now earlier than "));
    reply_free(&r);
    g_extra[0] = "X-Amz-Date: 29990101T000000Z";
    CU_ASSERT_EQUAL(ecr(g_strict, "DescribeRepositories", "{}", SIGN_OK, &r), 0);
    CU_ASSERT_EQUAL(r.status, 400);
    CU_ASSERT_PTR_NOT_NULL(
        strstr(member(&r, "message"), "Signature not yet current: 29990101T000000Z"));
    reply_free(&r);
    g_extra[0] = NULL;
}

static void test_wire_errors(void)
{
    reply r;
    CU_ASSERT_EQUAL(ecr(g_strict, "NoSuchOperation", "{}", SIGN_OK, &r), 0);
    CU_ASSERT_EQUAL(r.status, 400);
    CU_ASSERT_STRING_EQUAL(member(&r, "__type"), "UnknownOperationException");
    reply_free(&r);
    CU_ASSERT_EQUAL(ecr(g_strict, "BatchDeleteImage", "{\"repositoryName\": ", SIGN_OK, &r), 0);
    CU_ASSERT_EQUAL(r.status, 400);
    CU_ASSERT_STRING_EQUAL(member(&r, "__type"), "SerializationException");
    reply_free(&r);

    /* A body over the cap is read to its end and refused. */
    size_t big = 11u * 1024u * 1024u;
    char *body = malloc(big);
    CU_ASSERT_PTR_NOT_NULL_FATAL(body);
    memset(body, ' ', big);
    CU_ASSERT_EQUAL(http(g_strict, NULL, "/", "ListImages", body, big, SIGN_NONE, &r), 0);
    CU_ASSERT_EQUAL(r.status, 413);
    reply_free(&r);
    free(body);
}

static void test_port_busy(void)
{
    ecremu_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.port = ecremu_port(g_strict);
    cfg.quiet = 1;
    ecremu *e = (ecremu *)&cfg; /* must be reset to NULL */
    CU_ASSERT_EQUAL(ecremu_start(&cfg, &e), ECR_EBUSY);
    CU_ASSERT_PTR_NULL(e);
    cfg.port = 0;
    cfg.account_id = "not-an-account";
    CU_ASSERT_EQUAL(ecremu_start(&cfg, &e), ECR_EINVAL);
    ecremu_stop(NULL);
}

/* The request log, layer enforcement by default, and the larger body limit
 * of UploadLayerPart, on an emulator of its own. */
static void test_request_log_and_layers(void)
{
    char *text = NULL;
    size_t text_len = 0;
    FILE *log = open_memstream(&text, &text_len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(log);
    ecremu_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.auth = ECREMU_AUTH_STRICT;
    cfg.quiet = 1;
    cfg.request_log = log;
    cfg.layers = (ecremu_layers_mode)7;
    ecremu *e = NULL;
    CU_ASSERT_EQUAL(ecremu_start(&cfg, &e), ECR_EINVAL);
    cfg.layers = ECREMU_LAYERS_ENFORCE; /* also the zero value */
    CU_ASSERT_EQUAL_FATAL(ecremu_start(&cfg, &e), ECR_OK);
    reply r;
    CU_ASSERT_EQUAL(ecr(e, "CreateRepository", "{\"repositoryName\":\"ecremu/log\"}", SIGN_OK, &r),
                    0);
    CU_ASSERT_EQUAL(r.status, 200);
    reply_free(&r);
    /* a manifest whose blobs were never uploaded */
    CU_ASSERT_EQUAL(ecr(e, "PutImage",
                        "{\"repositoryName\":\"ecremu/log\",\"imageManifest\":\"{\\\"layers\\\":"
                        "[{\\\"digest\\\":\\\"sha256:abcd\\\"}]}\"}",
                        SIGN_OK, &r),
                    0);
    CU_ASSERT_EQUAL(r.status, 400);
    CU_ASSERT_PTR_NOT_NULL(strstr(r.body.data, "LayersNotFoundException"));
    reply_free(&r);
    CU_ASSERT_EQUAL(
        ecr(e, "InitiateLayerUpload", "{\"repositoryName\":\"ecremu/log\"}", SIGN_OK, &r), 0);
    json_object *id = NULL;
    CU_ASSERT_TRUE_FATAL(r.json && json_object_object_get_ex(r.json, "uploadId", &id));
    char upload_id[64];
    snprintf(upload_id, sizeof upload_id, "%s", json_object_get_string(id));
    reply_free(&r);
    /* about 8 MiB of data (a multiple of 3: no padding) is over 10 MiB as
     * base64: only UploadLayerPart may send that much */
    size_t n = 3u * 2796202u, b64 = n / 3 * 4;
    char *body = malloc(b64 + 256);
    CU_ASSERT_PTR_NOT_NULL_FATAL(body);
    int head = snprintf(body, 256,
                        "{\"repositoryName\":\"ecremu/log\",\"uploadId\":\"%s\","
                        "\"partFirstByte\":0,\"partLastByte\":%zu,\"layerPartBlob\":\"",
                        upload_id, n - 1);
    memset(body + head, 'A', b64); /* base64 of zero bytes */
    memcpy(body + head + b64, "\"}", 3);
    CU_ASSERT_EQUAL(http(e, NULL, "/", "UploadLayerPart", body, strlen(body), SIGN_OK, &r), 0);
    CU_ASSERT_EQUAL(r.status, 200);
    reply_free(&r);
    CU_ASSERT_EQUAL(http(e, NULL, "/", "PutImage", body, strlen(body), SIGN_OK, &r), 0);
    CU_ASSERT_EQUAL(r.status, 413);
    reply_free(&r);
    free(body);
    CU_ASSERT_EQUAL(ecr(e, "NoSuchOperation", "{}", SIGN_OK, &r), 0);
    reply_free(&r);
    ecremu_stop(e);
    fclose(log);
    CU_ASSERT_PTR_NOT_NULL_FATAL(text);
    /* one line per request: operation, status, error type, time */
    CU_ASSERT_TRUE(has_match("^ecremu: CreateRepository 200 [0-9.]+ ms\n", text));
    CU_ASSERT_TRUE(has_match("\necremu: PutImage 400 LayersNotFoundException [0-9.]+ ms\n", text));
    CU_ASSERT_TRUE(has_match("\necremu: UploadLayerPart 200 [0-9.]+ ms\n", text));
    CU_ASSERT_TRUE(has_match("\necremu: PutImage 413 SerializationException [0-9.]+ ms\n", text));
    CU_ASSERT_TRUE(has_match("\necremu: NoSuchOperation 400 UnknownOperationException", text));
    size_t lines = 0;
    for (const char *p = text; *p; p++)
        lines += *p == '\n';
    CU_ASSERT_EQUAL(lines, 6);
    free(text);
}

#define WORKERS 4
#define PER_WORKER 10

static void *worker(void *arg)
{
    long id = (long)arg;
    long ok = 0;
    for (int i = 0; i < PER_WORKER; i++) {
        char body[128];
        reply r;
        snprintf(body, sizeof body, "{\"repositoryName\":\"ecremu/par/w%ld-%d\"}", id, i);
        if (ecr(g_strict, "CreateRepository", body, SIGN_OK, &r) == 0 && r.status == 200)
            ok++;
        reply_free(&r);
    }
    return (void *)ok;
}

static void test_parallel_clients(void)
{
    pthread_t t[WORKERS];
    long total = 0;
    for (long i = 0; i < WORKERS; i++)
        CU_ASSERT_EQUAL_FATAL(pthread_create(&t[i], NULL, worker, (void *)i), 0);
    for (int i = 0; i < WORKERS; i++) {
        void *ok = NULL;
        pthread_join(t[i], &ok);
        total += (long)ok;
    }
    CU_ASSERT_EQUAL(total, WORKERS * PER_WORKER);
    reply r;
    CU_ASSERT_EQUAL(ecr(g_strict, "DescribeRepositories", "{}", SIGN_OK, &r), 0);
    json_object *repos = NULL;
    CU_ASSERT_TRUE(r.json && json_object_object_get_ex(r.json, "repositories", &repos));
    CU_ASSERT_TRUE(repos && json_object_array_length(repos) >= WORKERS * PER_WORKER);
    reply_free(&r);
}

int register_emulator_suite(void)
{
    CU_pSuite s = CU_add_suite("emulator", suite_init, suite_clean);
    if (!s)
        return 1;
    if (!CU_add_test(s, "signed_call", test_signed_call) ||
        !CU_add_test(s, "auth_failures", test_auth_failures) ||
        !CU_add_test(s, "malformed_authorization", test_malformed_authorization) ||
        !CU_add_test(s, "lenient", test_lenient) ||
        !CU_add_test(s, "control_over_http", test_control_over_http) ||
        !CU_add_test(s, "wire_errors", test_wire_errors) ||
        !CU_add_test(s, "control_refuses_web_pages", test_control_refuses_web_pages) ||
        !CU_add_test(s, "two_authorization_headers", test_two_authorization_headers) ||
        !CU_add_test(s, "strict_scope_and_clock", test_strict_scope_and_clock) ||
        !CU_add_test(s, "port_busy", test_port_busy) ||
        !CU_add_test(s, "parallel_clients", test_parallel_clients) ||
        !CU_add_test(s, "request_log_and_layers", test_request_log_and_layers))
        return 1;
    return 0;
}
