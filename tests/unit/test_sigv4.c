/* Tests of harness/common/sigv4: botocore is the oracle.
 *
 * tests/data/sigv4_vectors.json is written by tests/data/gen_sigv4_vectors.py
 * with botocore.auth.SigV4Auth; every vector must be reproduced byte for byte
 * (canonical request, string to sign, signature, Authorization). */
#include <CUnit/CUnit.h>
#include <json-c/json.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ecr/sigv4.h"
#include "suites.h"

/* Published in the AWS SigV4 test suite (get-vanilla) and re-checked by the
 * generator against botocore. Kept here too so a regenerated JSON cannot move
 * it unnoticed. */
#define GET_VANILLA_SIG "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"

#define MAX_VEC_HEADERS 16

static json_object *g_doc;
static json_object *g_vectors; /* borrowed from g_doc */

/* One vector in sigv4 types; strings are borrowed from g_doc. */
typedef struct vec {
    const char *name;
    sigv4_header headers[MAX_VEC_HEADERS];
    sigv4_request req;
    sigv4_credentials creds;
    sigv4_scope scope;
    const char *canonical, *sts, *signature, *authorization;
} vec;

static const char *str_member(json_object *o, const char *key)
{
    json_object *v;
    if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
        return NULL;
    return json_object_get_string(v);
}

static int load_vec(json_object *o, vec *v)
{
    memset(v, 0, sizeof *v);
    json_object *hdrs, *creds;
    if (!json_object_object_get_ex(o, "headers", &hdrs) ||
        !json_object_object_get_ex(o, "credentials", &creds))
        return -1;
    size_t n = json_object_array_length(hdrs);
    if (n > MAX_VEC_HEADERS)
        return -1;
    for (size_t i = 0; i < n; i++) {
        json_object *pair = json_object_array_get_idx(hdrs, i);
        v->headers[i].name = json_object_get_string(json_object_array_get_idx(pair, 0));
        v->headers[i].value = json_object_get_string(json_object_array_get_idx(pair, 1));
    }
    v->name = str_member(o, "name");
    v->req.method = str_member(o, "method");
    v->req.path = str_member(o, "path");
    v->req.query = str_member(o, "query");
    v->req.headers = v->headers;
    v->req.nheaders = n;
    json_object *body;
    json_object_object_get_ex(o, "body", &body);
    v->req.payload = json_object_get_string(body);
    v->req.payload_len = (size_t)json_object_get_string_len(body);
    v->creds.access_key = str_member(creds, "access_key");
    v->creds.secret_key = str_member(creds, "secret_key");
    v->creds.session_token = str_member(creds, "session_token");
    v->scope.amz_date = str_member(o, "amz_date");
    v->scope.region = str_member(o, "region");
    v->scope.service = str_member(o, "service");
    v->canonical = str_member(o, "canonical_request");
    v->sts = str_member(o, "string_to_sign");
    v->signature = str_member(o, "signature");
    v->authorization = str_member(o, "authorization");
    if (!v->name || !v->req.method || !v->req.path || !v->creds.access_key ||
        !v->creds.secret_key || !v->scope.amz_date || !v->canonical || !v->sts || !v->signature ||
        !v->authorization)
        return -1;
    return 0;
}

static size_t nvectors(void)
{
    return g_vectors ? json_object_array_length(g_vectors) : 0;
}

static int get_vec(size_t i, vec *v)
{
    return load_vec(json_object_array_get_idx(g_vectors, i), v);
}

static int suite_init(void)
{
    g_doc = json_object_from_file(src_path("tests/data/sigv4_vectors.json"));
    if (!g_doc || !json_object_object_get_ex(g_doc, "vectors", &g_vectors) ||
        !json_object_is_type(g_vectors, json_type_array)) {
        fprintf(stderr, "cannot load tests/data/sigv4_vectors.json\n");
        return 1;
    }
    return 0;
}

static int suite_cleanup(void)
{
    json_object_put(g_doc);
    g_doc = NULL;
    g_vectors = NULL;
    return 0;
}

/* Reports which vector and what differs: a bare CU_ASSERT would not say. */
static void expect_str(const char *vector, const char *what, const char *got, const char *want)
{
    int ok = got && want && strcmp(got, want) == 0;
    if (!ok)
        fprintf(stderr, "\n[%s] %s:\n  got:  %s\n  want: %s\n", vector, what, got ? got : "(null)",
                want ? want : "(null)");
    CU_ASSERT_TRUE(ok);
}

static void test_vectors_loaded(void)
{
    CU_ASSERT_TRUE(nvectors() >= 8);
    int vanilla = 0;
    for (size_t i = 0; i < nvectors(); i++) {
        vec v;
        CU_ASSERT_EQUAL_FATAL(get_vec(i, &v), 0);
        if (strcmp(v.name, "get-vanilla") == 0) {
            vanilla = 1;
            CU_ASSERT_STRING_EQUAL(v.signature, GET_VANILLA_SIG);
        }
    }
    CU_ASSERT_TRUE(vanilla);
}

static void test_botocore_vectors(void)
{
    for (size_t i = 0; i < nvectors(); i++) {
        vec v;
        CU_ASSERT_EQUAL_FATAL(get_vec(i, &v), 0);
        buf canon, sts, auth;
        ecr_buf_init(&canon, 1 << 20);
        ecr_buf_init(&sts, 1 << 20);
        ecr_buf_init(&auth, 1 << 20);
        char sig[65];

        CU_ASSERT_EQUAL(ecr_sigv4_canonical_request(&v.req, &canon), ECR_OK);
        expect_str(v.name, "canonical request", canon.data, v.canonical);
        CU_ASSERT_EQUAL(ecr_sigv4_string_to_sign(v.canonical, &v.scope, &sts), ECR_OK);
        expect_str(v.name, "string to sign", sts.data, v.sts);
        CU_ASSERT_EQUAL(ecr_sigv4_signature(&v.req, &v.creds, &v.scope, sig), ECR_OK);
        expect_str(v.name, "signature", sig, v.signature);
        CU_ASSERT_EQUAL(ecr_sigv4_authorization(&v.req, &v.creds, &v.scope, &auth), ECR_OK);
        expect_str(v.name, "authorization", auth.data, v.authorization);

        ecr_buf_free(&canon);
        ecr_buf_free(&sts);
        ecr_buf_free(&auth);
    }
}

static void test_verify_accepts_botocore(void)
{
    for (size_t i = 0; i < nvectors(); i++) {
        vec v;
        CU_ASSERT_EQUAL_FATAL(get_vec(i, &v), 0);
        sigv4_auth a;
        CU_ASSERT_EQUAL_FATAL(ecr_sigv4_parse_authorization(v.authorization, &a), ECR_OK);
        CU_ASSERT_STRING_EQUAL(a.access_key, v.creds.access_key);
        CU_ASSERT_STRING_EQUAL(a.region, v.scope.region);
        CU_ASSERT_STRING_EQUAL(a.service, v.scope.service);
        CU_ASSERT_NSTRING_EQUAL(a.date, v.scope.amz_date, 8);
        CU_ASSERT_EQUAL(strlen(a.date), 8);
        CU_ASSERT_STRING_EQUAL(a.signature, v.signature);
        CU_ASSERT_EQUAL(ecr_sigv4_verify(&v.req, &a, v.scope.amz_date, v.creds.secret_key), ECR_OK);
        /* The right key pair only. */
        CU_ASSERT_EQUAL(ecr_sigv4_verify(&v.req, &a, v.scope.amz_date, "not-the-secret"),
                        ECR_EINVAL);
    }
}

static void test_verify_rejects_one_bit(void)
{
    for (size_t i = 0; i < nvectors(); i++) {
        vec v;
        CU_ASSERT_EQUAL_FATAL(get_vec(i, &v), 0);
        sigv4_auth a;
        CU_ASSERT_EQUAL_FATAL(ecr_sigv4_parse_authorization(v.authorization, &a), ECR_OK);
        const char *date = v.scope.amz_date;
        const char *secret = v.creds.secret_key;

        /* Body: flip the lowest bit of the last byte, or add one byte. */
        char body[8192];
        size_t blen = v.req.payload_len;
        CU_ASSERT_FATAL(blen < sizeof body);
        if (blen)
            memcpy(body, v.req.payload, blen);
        else
            body[blen++] = '\0';
        if (v.req.payload_len)
            body[blen - 1] ^= 1;
        sigv4_request r = v.req;
        r.payload = body;
        r.payload_len = blen;
        CU_ASSERT_EQUAL(ecr_sigv4_verify(&r, &a, date, secret), ECR_EINVAL);

        /* A signed header's value. */
        sigv4_header h[MAX_VEC_HEADERS];
        memcpy(h, v.headers, sizeof h);
        char val[256];
        snprintf(val, sizeof val, "%s", h[0].value);
        size_t vlen = strlen(val);
        if (vlen)
            val[vlen - 1] ^= 1;
        else
            snprintf(val, sizeof val, "x");
        h[0].value = val;
        r = v.req;
        r.headers = h;
        CU_ASSERT_EQUAL(ecr_sigv4_verify(&r, &a, date, secret), ECR_EINVAL);

        /* One bit of the signature ('0'<->'1', 'a'<->'b', ... stay hex). */
        char sigval[2048];
        snprintf(sigval, sizeof sigval, "%s", v.authorization);
        char *last = sigval + strlen(sigval) - 1;
        static const char hexd[] = "0123456789abcdef";
        *last = hexd[(strchr(hexd, *last) - hexd) ^ 1];
        sigv4_auth bad;
        CU_ASSERT_EQUAL_FATAL(ecr_sigv4_parse_authorization(sigval, &bad), ECR_OK);
        CU_ASSERT_EQUAL(ecr_sigv4_verify(&v.req, &bad, date, secret), ECR_EINVAL);

        /* A signed header missing from the request. */
        r = v.req;
        r.headers = v.headers + 1;
        r.nheaders = v.req.nheaders - 1;
        CU_ASSERT_EQUAL(ecr_sigv4_verify(&r, &a, date, secret), ECR_EINVAL);

        /* X-Amz-Date of another day than the scope. */
        char other[17];
        snprintf(other, sizeof other, "%s", date);
        other[7] = other[7] == '1' ? '2' : '1';
        CU_ASSERT_EQUAL(ecr_sigv4_verify(&v.req, &a, other, secret), ECR_EINVAL);
        CU_ASSERT_EQUAL(ecr_sigv4_verify(&v.req, &a, "garbage", secret), ECR_EINVAL);

        /* Path and method are signed too. */
        r = v.req;
        r.path = "/other";
        CU_ASSERT_EQUAL(ecr_sigv4_verify(&r, &a, date, secret), ECR_EINVAL);
        r = v.req;
        r.method = "DELETE";
        CU_ASSERT_EQUAL(ecr_sigv4_verify(&r, &a, date, secret), ECR_EINVAL);
    }
}

static void test_verify_ignores_unsigned_headers(void)
{
    vec v;
    CU_ASSERT_EQUAL_FATAL(get_vec(1, &v), 0);
    sigv4_auth a;
    CU_ASSERT_EQUAL_FATAL(ecr_sigv4_parse_authorization(v.authorization, &a), ECR_OK);
    sigv4_header h[MAX_VEC_HEADERS + 3];
    h[0] = (sigv4_header){"User-Agent", "curl/7.88.1"};
    memcpy(h + 1, v.headers, v.req.nheaders * sizeof *h);
    h[v.req.nheaders + 1] = (sigv4_header){"Authorization", v.authorization};
    h[v.req.nheaders + 2] = (sigv4_header){"Content-Length", "99"};
    sigv4_request r = v.req;
    r.headers = h;
    r.nheaders = v.req.nheaders + 3;
    CU_ASSERT_EQUAL(ecr_sigv4_verify(&r, &a, v.scope.amz_date, v.creds.secret_key), ECR_OK);
}

static void test_parse_accepts_variants(void)
{
    sigv4_auth a;
    const char *sig = GET_VANILLA_SIG;
    char v[1024];
    snprintf(v, sizeof v,
             "AWS4-HMAC-SHA256 Signature=%s,SignedHeaders=host;x-amz-date,"
             "Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request",
             sig);
    CU_ASSERT_EQUAL_FATAL(ecr_sigv4_parse_authorization(v, &a), ECR_OK);
    CU_ASSERT_STRING_EQUAL(a.access_key, "AKIDEXAMPLE");
    CU_ASSERT_STRING_EQUAL(a.date, "20150830");
    CU_ASSERT_STRING_EQUAL(a.region, "us-east-1");
    CU_ASSERT_STRING_EQUAL(a.service, "service");
    CU_ASSERT_STRING_EQUAL(a.signed_headers, "host;x-amz-date");
    CU_ASSERT_STRING_EQUAL(a.signature, sig);
}

static void test_parse_rejects_malformed(void)
{
    static const char *const cred = "AKIDEXAMPLE/20150830/us-east-1/service/aws4_request";
    static const char *const sh = "host;x-amz-date";
    const char *sig = GET_VANILLA_SIG;
    struct {
        const char *fmt; /* %1$s credential, %2$s signed headers, %3$s signature */
        ecr_result want;
    } cases[] = {
        {"AWS4-HMAC-SHA1 Credential=%s, SignedHeaders=%s, Signature=%s", ECR_EPARSE},
        {"aws4-hmac-sha256 Credential=%s, SignedHeaders=%s, Signature=%s", ECR_EPARSE},
        {"AWS4-HMAC-SHA256Credential=%s, SignedHeaders=%s, Signature=%s", ECR_EPARSE},
        {"Credential=%s, SignedHeaders=%s, Signature=%s", ECR_EPARSE},
        {"AWS4-HMAC-SHA256 SignedHeaders=%2$s, Signature=%3$s", ECR_EPARSE},
        {"AWS4-HMAC-SHA256 Credential=%1$s, Signature=%3$s", ECR_EPARSE},
        {"AWS4-HMAC-SHA256 Credential=%1$s, SignedHeaders=%2$s", ECR_EPARSE},
        {"AWS4-HMAC-SHA256 Credential=%s, SignedHeaders=%s, Signature=%s,", ECR_EPARSE},
        {"AWS4-HMAC-SHA256 Credential=%s, SignedHeaders=%s, Signature=%s, Signature=%3$s",
         ECR_EPARSE},
        {"AWS4-HMAC-SHA256 Credential=%s, SignedHeaders=%s, Signature=%s, Extra=1", ECR_EPARSE},
        {"AWS4-HMAC-SHA256 Credential=%s,, SignedHeaders=%s, Signature=%s", ECR_EPARSE},
        {"AWS4-HMAC-SHA256 Credential=, SignedHeaders=%2$s, Signature=%3$s", ECR_EPARSE},
        {"AWS4-HMAC-SHA256 Credential=%s, SignedHeaders=%s, Signature=%s0", ECR_EPARSE},
        {"AWS4-HMAC-SHA256 Credential=%s, SignedHeaders=%s, Signature=%.63s", ECR_EPARSE},
        {"AWS4-HMAC-SHA256 Credential=%s, SignedHeaders=%s, Signature=%.63sG", ECR_EPARSE},
        {"AWS4-HMAC-SHA256 Credential=%s, SignedHeaders=%s, Signature=%.63sA", ECR_EPARSE},
        {"AWS4-HMAC-SHA256 Credential=%s, SignedHeaders=host;;x-amz-date, Signature=%3$s",
         ECR_EPARSE},
        {"AWS4-HMAC-SHA256 Credential=%s, SignedHeaders=Host;x-amz-date, Signature=%3$s",
         ECR_EPARSE},
        {"AWS4-HMAC-SHA256 Credential=%s, SignedHeaders=host;, Signature=%3$s", ECR_EPARSE},
        {"AWS4-HMAC-SHA256 Credential=%s, SignedHeaders=host x, Signature=%3$s", ECR_EPARSE},
        {"AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/service, SignedHeaders=%2$s, "
         "Signature=%3$s",
         ECR_EPARSE},
        {"AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/service/aws4_request/x, "
         "SignedHeaders=%2$s, Signature=%3$s",
         ECR_EPARSE},
        {"AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/service/aws5_request, "
         "SignedHeaders=%2$s, Signature=%3$s",
         ECR_EPARSE},
        {"AWS4-HMAC-SHA256 Credential=AKID/2015083/us-east-1/service/aws4_request, "
         "SignedHeaders=%2$s, Signature=%3$s",
         ECR_EPARSE},
        {"AWS4-HMAC-SHA256 Credential=AKID/2015083x/us-east-1/service/aws4_request, "
         "SignedHeaders=%2$s, Signature=%3$s",
         ECR_EPARSE},
        {"AWS4-HMAC-SHA256 Credential=/20150830/us-east-1/service/aws4_request, "
         "SignedHeaders=%2$s, Signature=%3$s",
         ECR_EPARSE},
        {"AWS4-HMAC-SHA256 Credential=AKID/20150830//service/aws4_request, "
         "SignedHeaders=%2$s, Signature=%3$s",
         ECR_EPARSE},
        {"AWS4-HMAC-SHA256 Credential=AKID/20150830/us east/service/aws4_request, "
         "SignedHeaders=%2$s, Signature=%3$s",
         ECR_EPARSE},
        {"AWS4-HMAC-SHA256 Credential=%s, SignedHeaders=%s,\n Signature=%s", ECR_EPARSE},
        {"AWS4-HMAC-SHA256 ", ECR_EPARSE},
        {"", ECR_EPARSE},
        /* Controls: the same header with tidy spacing parses. */
        {"AWS4-HMAC-SHA256  Credential=%s ,SignedHeaders=%s ,  Signature=%s  ", ECR_OK},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char v[1024];
        snprintf(v, sizeof v, cases[i].fmt, cred, sh, sig);
        sigv4_auth a;
        memset(&a, 0x5a, sizeof a);
        ecr_result rc = ecr_sigv4_parse_authorization(v, &a);
        if (rc != cases[i].want)
            fprintf(stderr, "\ncase %zu: \"%s\" gave %d\n", i, v, (int)rc);
        CU_ASSERT_EQUAL(rc, cases[i].want);
        if (rc)
            CU_ASSERT_PTR_NULL(a.signature);
    }

    sigv4_auth a;
    CU_ASSERT_EQUAL(ecr_sigv4_parse_authorization(NULL, &a), ECR_EPARSE);
    CU_ASSERT_EQUAL(ecr_sigv4_parse_authorization("x", NULL), ECR_EINVAL);

    /* Over-long: refused after reading at most sizeof storage bytes. */
    size_t big = 3 * sizeof a.storage;
    char *longv = malloc(big + 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(longv);
    int n = snprintf(longv, big + 1, "AWS4-HMAC-SHA256 Credential=%s, SignedHeaders=", cred);
    memset(longv + n, 'a', big - (size_t)n);
    longv[big] = '\0';
    CU_ASSERT_EQUAL(ecr_sigv4_parse_authorization(longv, &a), ECR_ETOOBIG);
    /* The longest accepted value is storage - 1 bytes. */
    n = snprintf(longv, big + 1,
                 "AWS4-HMAC-SHA256 Credential=%s, Signature=%s, SignedHeaders=", cred, sig);
    memset(longv + n, 'h', sizeof a.storage - 1 - (size_t)n);
    longv[sizeof a.storage - 1] = '\0';
    CU_ASSERT_EQUAL(ecr_sigv4_parse_authorization(longv, &a), ECR_OK);
    longv[sizeof a.storage - 1] = 'h';
    longv[sizeof a.storage] = '\0';
    CU_ASSERT_EQUAL(ecr_sigv4_parse_authorization(longv, &a), ECR_ETOOBIG);
    free(longv);
}

static void expect_prefix(const char *got, const char *want)
{
    int ok = got && strncmp(got, want, strlen(want)) == 0;
    if (!ok)
        fprintf(stderr, "\ngot:  %s\nwant: %s...\n", got ? got : "(null)", want);
    CU_ASSERT_TRUE(ok);
}

static void canon(const char *path, const char *query, buf *out)
{
    sigv4_header h = {"Host", "h"};
    sigv4_request r = {"GET", path, query, &h, 1, NULL, 0};
    ecr_buf_reset(out);
    CU_ASSERT_EQUAL(ecr_sigv4_canonical_request(&r, out), ECR_OK);
}

static void test_canonical_path_and_query(void)
{
    buf b;
    ecr_buf_init(&b, 4096);
    canon("", NULL, &b);
    expect_prefix(b.data, "GET\n/\n\n");
    canon("/a/../../b/./c/..", NULL, &b);
    expect_prefix(b.data, "GET\n/b\n\n");
    canon("/caf\xc3\xa9/x y+z!", NULL, &b);
    expect_prefix(b.data, "GET\n/caf%C3%A9/x%20y%2Bz%21\n\n");
    /* Decoded then re-encoded: lower-case escapes and bare specials end up
     * in one form; a stray '%' stays literal; '+' is a plus. */
    canon("/", "k=%7e%2f&k=a+b&j=%zz&i=%4&h=%41%3D", &b);
    expect_prefix(b.data, "GET\n/\nh=A%3D&i=%254&j=%25zz&k=a%2Bb&k=~%2F\n");
    canon("/", "&&b&a=&", &b);
    expect_prefix(b.data, "GET\n/\na=&b=\n");
    canon("/", "", &b);
    expect_prefix(b.data, "GET\n/\n\nhost:h\n");
    ecr_buf_free(&b);
}

static void test_invalid_inputs(void)
{
    sigv4_header h = {"Host", "h"};
    sigv4_request r = {"GET", "/", NULL, &h, 1, NULL, 0};
    sigv4_credentials c = {"AKID", "secret", NULL};
    sigv4_scope s = {"20150830T123600Z", "us-east-1", "ecr"};
    char sig[65];
    buf b;
    ecr_buf_init(&b, 4096);

    sigv4_request bad = r;
    bad.method = NULL;
    CU_ASSERT_EQUAL(ecr_sigv4_canonical_request(&bad, &b), ECR_EINVAL);
    bad = r;
    bad.path = NULL;
    CU_ASSERT_EQUAL(ecr_sigv4_canonical_request(&bad, &b), ECR_EINVAL);
    bad = r;
    bad.payload_len = 3; /* with a NULL payload */
    CU_ASSERT_EQUAL(ecr_sigv4_canonical_request(&bad, &b), ECR_EINVAL);
    sigv4_header noname = {"", "v"};
    bad = r;
    bad.headers = &noname;
    CU_ASSERT_EQUAL(ecr_sigv4_canonical_request(&bad, &b), ECR_EINVAL);

    const char *dates[] = {"20150830", "20150830T123600", "2015083OT123600Z", "20150830T123600Zx"};
    for (size_t i = 0; i < sizeof dates / sizeof dates[0]; i++) {
        sigv4_scope bs = s;
        bs.amz_date = dates[i];
        CU_ASSERT_EQUAL(ecr_sigv4_signature(&r, &c, &bs, sig), ECR_EINVAL);
        CU_ASSERT_STRING_EQUAL(sig, "");
    }
    sigv4_scope bs = s;
    bs.region = "us-east-1/x";
    CU_ASSERT_EQUAL(ecr_sigv4_signature(&r, &c, &bs, sig), ECR_EINVAL);
    bs = s;
    bs.service = "";
    CU_ASSERT_EQUAL(ecr_sigv4_string_to_sign("x", &bs, &b), ECR_EINVAL);
    sigv4_credentials bc = c;
    bc.access_key = "AK ID";
    CU_ASSERT_EQUAL(ecr_sigv4_authorization(&r, &bc, &s, &b), ECR_EINVAL);

    /* The caller's buffer cap is honoured. */
    buf small;
    ecr_buf_init(&small, 32);
    CU_ASSERT_EQUAL(ecr_sigv4_canonical_request(&r, &small), ECR_ETOOBIG);
    CU_ASSERT_EQUAL(ecr_sigv4_authorization(&r, &c, &s, &small), ECR_ETOOBIG);
    ecr_buf_free(&small);

    CU_ASSERT_EQUAL(ecr_sigv4_signature(&r, &c, &s, sig), ECR_OK);
    CU_ASSERT_EQUAL(strlen(sig), 64);
    ecr_buf_free(&b);
}

/* Header order in the request does not matter; only canonical order does. */
/* The signature computed here from first principles (the key chain of the
 * SigV4 documentation), to check the signer's cached signing keys. */
static void reference_signature(const sigv4_request *req, const sigv4_credentials *creds,
                                const sigv4_scope *scope, char out[65])
{
    buf canon, sts;
    ecr_buf_init(&canon, 1 << 20);
    ecr_buf_init(&sts, 1 << 20);
    CU_ASSERT_EQUAL_FATAL(ecr_sigv4_canonical_request(req, &canon), ECR_OK);
    CU_ASSERT_EQUAL_FATAL(ecr_sigv4_string_to_sign(canon.data, scope, &sts), ECR_OK);
    char secret[256], date[9];
    snprintf(secret, sizeof secret, "AWS4%s", creds->secret_key);
    snprintf(date, sizeof date, "%.8s", scope->amz_date);
    const char *chain[] = {date, scope->region, scope->service, "aws4_request", sts.data};
    unsigned char k[32];
    unsigned int n = 0;
    HMAC(EVP_sha256(), secret, (int)strlen(secret), (const unsigned char *)chain[0],
         strlen(chain[0]), k, &n);
    for (int i = 1; i < 5; i++)
        HMAC(EVP_sha256(), k, 32, (const unsigned char *)chain[i], strlen(chain[i]), k, &n);
    for (int i = 0; i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", k[i]);
    ecr_buf_free(&canon);
    ecr_buf_free(&sts);
}

/* Signing keys are cached per (secret, date, region, service): every
 * combination signs as if its key were derived afresh, also right after
 * one that differs in a single part: no part of the key is left out. */
static void test_signing_key_cache(void)
{
    static const char *secrets[] = {"secret-one", "secret-two"};
    static const char *dates[] = {"20260101T000000Z", "20260102T000000Z"};
    static const char *regions[] = {"us-east-1", "eu-west-1"};
    static const char *services[] = {"ecr", "sts"};
    sigv4_header h[] = {{"Host", "127.0.0.1:1"}, {"X-Amz-Date", NULL}};
    int checked = 0, equal = 0;
    /* Each combination, then straight after it (while it is cached) each
     * combination that differs from it in one part only. */
    for (int base = 0; base < 16; base++) {
        for (int flip = -1; flip < 4; flip++) {
            int x = flip < 0 ? base : base ^ (1 << flip);
            sigv4_credentials creds = {"AKID", secrets[x & 1], NULL};
            sigv4_scope scope = {dates[(x >> 1) & 1], regions[(x >> 2) & 1], services[x >> 3]};
            h[1].value = scope.amz_date;
            sigv4_request req = {"POST", "/", "", h, 2, "{}", 2};
            char got[65], want[65];
            CU_ASSERT_EQUAL(ecr_sigv4_signature(&req, &creds, &scope, got), ECR_OK);
            reference_signature(&req, &creds, &scope, want);
            equal += strcmp(got, want) == 0;
            checked++;
        }
    }
    CU_ASSERT_EQUAL(checked, 80);
    CU_ASSERT_EQUAL(equal, checked);
}

static void test_header_order_independent(void)
{
    sigv4_header a[] = {{"X-Amz-Date", "20150830T123600Z"}, {"Host", "example.amazonaws.com"}};
    sigv4_header b[] = {{"host", "example.amazonaws.com"}, {"x-amz-date", " 20150830T123600Z "}};
    sigv4_request ra = {"GET", "/", NULL, a, 2, NULL, 0};
    sigv4_request rb = {"GET", "/", NULL, b, 2, "", 0};
    sigv4_credentials c = {"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", NULL};
    sigv4_scope s = {"20150830T123600Z", "us-east-1", "service"};
    char sa[65], sb[65];
    CU_ASSERT_EQUAL(ecr_sigv4_signature(&ra, &c, &s, sa), ECR_OK);
    CU_ASSERT_EQUAL(ecr_sigv4_signature(&rb, &c, &s, sb), ECR_OK);
    CU_ASSERT_STRING_EQUAL(sa, GET_VANILLA_SIG);
    CU_ASSERT_STRING_EQUAL(sb, GET_VANILLA_SIG);
}

int register_sigv4_suite(void)
{
    CU_pSuite s = CU_add_suite("sigv4", suite_init, suite_cleanup);
    if (!s)
        return 1;
    if (!CU_add_test(s, "vectors_loaded", test_vectors_loaded) ||
        !CU_add_test(s, "botocore_vectors", test_botocore_vectors) ||
        !CU_add_test(s, "verify_accepts_botocore", test_verify_accepts_botocore) ||
        !CU_add_test(s, "verify_rejects_one_bit", test_verify_rejects_one_bit) ||
        !CU_add_test(s, "verify_ignores_unsigned_headers", test_verify_ignores_unsigned_headers) ||
        !CU_add_test(s, "parse_accepts_variants", test_parse_accepts_variants) ||
        !CU_add_test(s, "parse_rejects_malformed", test_parse_rejects_malformed) ||
        !CU_add_test(s, "canonical_path_and_query", test_canonical_path_and_query) ||
        !CU_add_test(s, "invalid_inputs", test_invalid_inputs) ||
        !CU_add_test(s, "header_order_independent", test_header_order_independent) ||
        !CU_add_test(s, "signing_key_cache", test_signing_key_cache))
        return 1;
    return 0;
}
