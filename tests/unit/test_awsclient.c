/* Tests of harness/core/awsclient against a tiny libmicrohttpd server.
 *
 * The server (127.0.0.1, port 0) records the last request (method, URL,
 * headers, body) and answers with a reply the test configures. Signatures are
 * checked on the server side with ecr_sigv4_verify, as the emulator does. */
#include <CUnit/CUnit.h>
#include <arpa/inet.h>
#include <curl/curl.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "awsclient.h"
#include "ecr/protocol.h"
#include "ecr/buf.h"
#include "ecr/sigv4.h"
#include "suites.h"

#define MAX_SRV_HEADERS 64
#define MAX_REPLY_HEADERS 40

/* ---- the test server ---- */

typedef struct srv {
    struct MHD_Daemon *d;
    unsigned short port;
    pthread_mutex_t mu;
    /* reply (set by the test before a call) */
    unsigned status;
    char *reply;
    size_t reply_len;
    const char *reply_hdr[MAX_REPLY_HEADERS][2];
    int chunked;
    int delay_ms;
    /* record of the last request */
    char method[16];
    char url[512];
    char *hname[MAX_SRV_HEADERS], *hvalue[MAX_SRV_HEADERS];
    int nh;
    char *query_y; /* value of the query argument "y", if any */
    char *body;
    size_t body_len;
    int requests;
    int connections;
} srv;

static srv g_srv;

static void record_clear(srv *s)
{
    for (int i = 0; i < s->nh; i++) {
        free(s->hname[i]);
        free(s->hvalue[i]);
    }
    s->nh = 0;
    free(s->body);
    s->body = NULL;
    s->body_len = 0;
    free(s->query_y);
    s->query_y = NULL;
    s->method[0] = s->url[0] = '\0';
}

static enum MHD_Result record_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                     const char *value)
{
    (void)kind;
    srv *s = cls;
    if (s->nh < MAX_SRV_HEADERS) {
        s->hname[s->nh] = strdup(key);
        s->hvalue[s->nh] = strdup(value ? value : "");
        s->nh++;
    }
    return MHD_YES;
}

typedef struct chunk_src {
    char *data;
    size_t len;
} chunk_src;

static ssize_t chunk_reader(void *cls, uint64_t pos, char *out, size_t max)
{
    chunk_src *c = cls;
    if (pos >= c->len)
        return MHD_CONTENT_READER_END_OF_STREAM;
    size_t n = c->len - (size_t)pos;
    if (n > max)
        n = max;
    if (n > 100) /* several chunks */
        n = 100;
    memcpy(out, c->data + pos, n);
    return (ssize_t)n;
}

static void chunk_free(void *cls)
{
    chunk_src *c = cls;
    free(c->data);
    free(c);
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *conn, const char *url,
                               const char *method, const char *version, const char *upload_data,
                               size_t *upload_data_size, void **req_cls)
{
    (void)version;
    srv *s = cls;
    buf *b = *req_cls;
    if (!b) {
        b = malloc(sizeof *b);
        if (!b)
            return MHD_NO;
        ecr_buf_init(b, 1 << 20);
        *req_cls = b;
        return MHD_YES;
    }
    if (*upload_data_size) {
        if (ecr_buf_append(b, upload_data, *upload_data_size))
            return MHD_NO;
        *upload_data_size = 0;
        return MHD_YES;
    }

    pthread_mutex_lock(&s->mu);
    record_clear(s);
    snprintf(s->method, sizeof s->method, "%s", method);
    snprintf(s->url, sizeof s->url, "%s", url);
    MHD_get_connection_values(conn, MHD_HEADER_KIND, record_header, s);
    const char *y = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "y");
    s->query_y = y ? strdup(y) : NULL;
    s->body_len = b->len;
    s->body = malloc(b->len + 1);
    if (s->body) {
        if (b->len)
            memcpy(s->body, b->data, b->len);
        s->body[b->len] = '\0';
    }
    s->requests++;
    unsigned status = s->status;
    int delay = s->delay_ms, chunked = s->chunked;
    size_t rlen = s->reply_len;
    char *reply = malloc(rlen + 1);
    if (reply && rlen)
        memcpy(reply, s->reply, rlen);
    const char *rh[MAX_REPLY_HEADERS][2];
    memcpy(rh, s->reply_hdr, sizeof rh);
    pthread_mutex_unlock(&s->mu);
    if (!reply)
        return MHD_NO;

    if (delay > 0) {
        struct timespec ts = {delay / 1000, (long)(delay % 1000) * 1000000L};
        nanosleep(&ts, NULL);
    }

    struct MHD_Response *r;
    if (chunked) {
        chunk_src *c = malloc(sizeof *c);
        if (!c) {
            free(reply);
            return MHD_NO;
        }
        c->data = reply;
        c->len = rlen;
        r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 1024, chunk_reader, c, chunk_free);
        if (!r)
            chunk_free(c);
    } else {
        r = MHD_create_response_from_buffer(rlen, reply, MHD_RESPMEM_MUST_COPY);
        free(reply);
    }
    if (!r)
        return MHD_NO;
    for (int i = 0; i < MAX_REPLY_HEADERS && rh[i][0]; i++)
        MHD_add_response_header(r, rh[i][0], rh[i][1]);
    enum MHD_Result ret = MHD_queue_response(conn, status, r);
    MHD_destroy_response(r);
    return ret;
}

static void request_done(void *cls, struct MHD_Connection *conn, void **req_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)conn;
    (void)toe;
    buf *b = *req_cls;
    if (b) {
        ecr_buf_free(b);
        free(b);
        *req_cls = NULL;
    }
}

static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
                          enum MHD_ConnectionNotificationCode toe)
{
    (void)conn;
    (void)socket_context;
    srv *s = cls;
    if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
        pthread_mutex_lock(&s->mu);
        s->connections++;
        pthread_mutex_unlock(&s->mu);
    }
}

/* Sets the next reply; hdrs is NULL or {name, value} pairs ending in NULL. */
static void srv_reply(unsigned status, const char *body, const char *const *hdrs)
{
    pthread_mutex_lock(&g_srv.mu);
    free(g_srv.reply);
    g_srv.reply_len = body ? strlen(body) : 0;
    g_srv.reply = strdup(body ? body : "");
    g_srv.status = status;
    g_srv.chunked = 0;
    g_srv.delay_ms = 0;
    memset(g_srv.reply_hdr, 0, sizeof g_srv.reply_hdr);
    for (int i = 0; i < MAX_REPLY_HEADERS && hdrs && hdrs[2 * i]; i++) {
        g_srv.reply_hdr[i][0] = hdrs[2 * i];
        g_srv.reply_hdr[i][1] = hdrs[2 * i + 1];
    }
    pthread_mutex_unlock(&g_srv.mu);
}

/* A recorded request header (first of that name) or NULL; call after the
 * client call returned, when the server is idle. */
static const char *srv_header(const char *name)
{
    for (int i = 0; i < g_srv.nh; i++)
        if (strcasecmp(g_srv.hname[i], name) == 0)
            return g_srv.hvalue[i];
    return NULL;
}

static int srv_header_count(const char *name)
{
    int n = 0;
    for (int i = 0; i < g_srv.nh; i++)
        n += strcasecmp(g_srv.hname[i], name) == 0;
    return n;
}

/* Verifies the recorded request's signature as the emulator would. */
static ecr_result srv_verify(const char *secret)
{
    sigv4_header h[MAX_SRV_HEADERS];
    for (int i = 0; i < g_srv.nh; i++) {
        h[i].name = g_srv.hname[i];
        h[i].value = g_srv.hvalue[i];
    }
    const char *authz = srv_header("Authorization");
    const char *date = srv_header("X-Amz-Date");
    sigv4_auth a;
    if (!authz || !date || ecr_sigv4_parse_authorization(authz, &a) != ECR_OK)
        return ECR_EPARSE;
    sigv4_request r = {g_srv.method,     g_srv.url,  NULL,          h,
                       (size_t)g_srv.nh, g_srv.body, g_srv.body_len};
    return ecr_sigv4_verify(&r, &a, date, secret);
}

static int suite_init(void)
{
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return 1;
    memset(&g_srv, 0, sizeof g_srv);
    pthread_mutex_init(&g_srv.mu, NULL);
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    sa.sin_port = 0;
    g_srv.d = MHD_start_daemon(
        MHD_USE_AUTO_INTERNAL_THREAD, 0, NULL, NULL, handler, &g_srv, MHD_OPTION_SOCK_ADDR,
        (struct sockaddr *)&sa, MHD_OPTION_NOTIFY_COMPLETED, request_done, &g_srv,
        MHD_OPTION_NOTIFY_CONNECTION, on_connection, &g_srv, MHD_OPTION_CONNECTION_TIMEOUT,
        (unsigned)10, MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(256 * 1024), MHD_OPTION_END);
    if (!g_srv.d)
        return 1;
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(g_srv.d, MHD_DAEMON_INFO_BIND_PORT);
    if (!info || !info->port)
        return 1;
    g_srv.port = info->port;
    srv_reply(200, "{}", NULL);
    return 0;
}

static int suite_cleanup(void)
{
    if (g_srv.d)
        MHD_stop_daemon(g_srv.d);
    g_srv.d = NULL;
    record_clear(&g_srv);
    free(g_srv.reply);
    g_srv.reply = NULL;
    pthread_mutex_destroy(&g_srv.mu);
    curl_global_cleanup();
    return 0;
}

/* ---- helpers ---- */

static void test_creds(aws_credentials *c, const char *token)
{
    memset(c, 0, sizeof *c);
    snprintf(c->access_key, sizeof c->access_key, "%s", "AKIDCLIENTTEST000001");
    snprintf(c->secret_key, sizeof c->secret_key, "%s", "client/secret+key=value");
    snprintf(c->session_token, sizeof c->session_token, "%s", token ? token : "");
    snprintf(c->region, sizeof c->region, "%s", "eu-central-1");
}

static aws_client *new_client(const char *token, long timeout_ms, size_t max_response)
{
    char ep[64];
    snprintf(ep, sizeof ep, "http://127.0.0.1:%u", (unsigned)g_srv.port);
    aws_credentials c;
    test_creds(&c, token);
    return ecrc_aws_client_new(ep, &c, timeout_ms, max_response);
}

static ecr_result call_op(aws_client *c, const char *op, const char *body, ecrc_sign_mode mode,
                          const aws_header *h, size_t nh, aws_response *resp)
{
    aws_request req = {op, NULL, body, body ? strlen(body) : 0, mode, h, nh};
    return ecrc_aws_client_call(c, &req, resp);
}

static int is_amz_date(const char *d)
{
    if (!d || strlen(d) != 16 || d[8] != 'T' || d[15] != 'Z')
        return 0;
    for (int i = 0; i < 15; i++)
        if (i != 8 && (d[i] < '0' || d[i] > '9'))
            return 0;
    return 1;
}

static int digits(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++)
        v = v * 10 + (s[i] - '0');
    return v;
}

/* Seconds since the epoch of a valid "yyyymmddThhmmssZ". */
static time_t amz_date_time(const char *d)
{
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    tm.tm_year = digits(d, 4) - 1900;
    tm.tm_mon = digits(d + 4, 2) - 1;
    tm.tm_mday = digits(d + 6, 2);
    tm.tm_hour = digits(d + 9, 2);
    tm.tm_min = digits(d + 11, 2);
    tm.tm_sec = digits(d + 13, 2);
    return timegm(&tm);
}

/* ---- tests ---- */

static void test_headers_sent(void)
{
    static const char *const rh[] = {"X-Test", "yes", "x-amzn-RequestId", "abc", NULL};
    srv_reply(200, "{\"failures\":[],\"imageIds\":[]}", rh);
    aws_client *c = new_client(NULL, 5000, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    const char *body = "{\"repositoryName\":\"ubuntu\",\"imageIds\":[{\"imageTag\":\"a\"}]}";
    aws_response r;
    CU_ASSERT_EQUAL(call_op(c, "BatchDeleteImage", body, ECRC_SIGN_SIGV4, NULL, 0, &r), ECR_OK);
    CU_ASSERT_EQUAL(r.status, 200);
    CU_ASSERT_STRING_EQUAL(r.body, "{\"failures\":[],\"imageIds\":[]}");
    CU_ASSERT_EQUAL(r.body_len, strlen(r.body));
    CU_ASSERT_STRING_EQUAL(r.error_type, "");
    CU_ASSERT_PTR_NULL(r.error_message);
    CU_ASSERT_STRING_EQUAL(r.transport_error, "");
    CU_ASSERT_PTR_NOT_NULL(ecrc_aws_response_header(&r, "x-test"));
    if (ecrc_aws_response_header(&r, "x-test"))
        CU_ASSERT_STRING_EQUAL(ecrc_aws_response_header(&r, "X-TEST"), "yes");
    CU_ASSERT_PTR_NULL(ecrc_aws_response_header(&r, "X-Absent"));
    CU_ASSERT_TRUE(r.elapsed_ms >= 0.0);

    CU_ASSERT_STRING_EQUAL(g_srv.method, "POST");
    CU_ASSERT_STRING_EQUAL(g_srv.url, "/");
    CU_ASSERT_STRING_EQUAL(g_srv.body, body);
    CU_ASSERT_STRING_EQUAL(srv_header("X-Amz-Target"),
                           "AmazonEC2ContainerRegistry_V20150921.BatchDeleteImage");
    CU_ASSERT_STRING_EQUAL(srv_header("Content-Type"), "application/x-amz-json-1.1");
    char host[64];
    snprintf(host, sizeof host, "127.0.0.1:%u", (unsigned)g_srv.port);
    CU_ASSERT_STRING_EQUAL(srv_header("Host"), host);
    CU_ASSERT_PTR_NULL(srv_header("Expect"));
    CU_ASSERT_PTR_NULL(srv_header("Accept"));
    CU_ASSERT_PTR_NULL(srv_header("X-Amz-Security-Token"));
    const char *date = srv_header("X-Amz-Date");
    CU_ASSERT_TRUE(is_amz_date(date));

    const char *authz = srv_header("Authorization");
    CU_ASSERT_PTR_NOT_NULL_FATAL(authz);
    CU_ASSERT_EQUAL(strncmp(authz, "AWS4-HMAC-SHA256 Credential=AKIDCLIENTTEST000001/", 49), 0);
    sigv4_auth a;
    CU_ASSERT_EQUAL_FATAL(ecr_sigv4_parse_authorization(authz, &a), ECR_OK);
    CU_ASSERT_STRING_EQUAL(a.access_key, "AKIDCLIENTTEST000001");
    CU_ASSERT_NSTRING_EQUAL(a.date, date, 8);
    CU_ASSERT_STRING_EQUAL(a.region, "eu-central-1");
    CU_ASSERT_STRING_EQUAL(a.service, "ecr");
    CU_ASSERT_STRING_EQUAL(a.signed_headers, "content-type;host;x-amz-date;x-amz-target");
    /* The exact form: ", " separators, as botocore writes it. */
    char want[512];
    snprintf(want, sizeof want,
             "AWS4-HMAC-SHA256 Credential=AKIDCLIENTTEST000001/%.8s/eu-central-1/ecr/"
             "aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, "
             "Signature=%s",
             date, a.signature);
    CU_ASSERT_STRING_EQUAL(authz, want);

    /* The date is now (UTC), within a generous margin. */
    time_t sent = amz_date_time(date), now = time(NULL);
    CU_ASSERT_TRUE(sent <= now + 1 && sent >= now - 60);

    ecrc_aws_response_free(&r);
    ecrc_aws_response_free(&r); /* idempotent */
    ecrc_aws_client_free(c);
    ecrc_aws_client_free(NULL);
    ecrc_aws_response_free(NULL);
}

static void test_signature_verifies_server_side(void)
{
    srv_reply(200, "{}", NULL);
    aws_client *c = new_client(NULL, 5000, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    aws_response r;
    CU_ASSERT_EQUAL(
        call_op(c, "ListImages", "{\"repositoryName\":\"x\"}", ECRC_SIGN_SIGV4, NULL, 0, &r),
        ECR_OK);
    CU_ASSERT_EQUAL(srv_verify("client/secret+key=value"), ECR_OK);
    CU_ASSERT_EQUAL(srv_verify("client/secret+key=valuf"), ECR_EINVAL);
    ecrc_aws_response_free(&r);

    /* NULL body means "{}", and a literal target replaces the operation. */
    aws_request req = {"ListImages", "Custom.Target", NULL, 0, ECRC_SIGN_SIGV4, NULL, 0};
    CU_ASSERT_EQUAL(ecrc_aws_client_call(c, &req, &r), ECR_OK);
    CU_ASSERT_STRING_EQUAL(g_srv.body, "{}");
    CU_ASSERT_STRING_EQUAL(srv_header("X-Amz-Target"), "Custom.Target");
    CU_ASSERT_EQUAL(srv_verify("client/secret+key=value"), ECR_OK);
    ecrc_aws_response_free(&r);

    /* An explicitly empty body is sent empty. */
    aws_request empty = {"ListImages", NULL, "", 0, ECRC_SIGN_SIGV4, NULL, 0};
    CU_ASSERT_EQUAL(ecrc_aws_client_call(c, &empty, &r), ECR_OK);
    CU_ASSERT_EQUAL(g_srv.body_len, 0);
    CU_ASSERT_EQUAL(srv_verify("client/secret+key=value"), ECR_OK);
    ecrc_aws_response_free(&r);
    ecrc_aws_client_free(c);
}

static void test_session_token(void)
{
    srv_reply(200, "{}", NULL);
    aws_client *c = new_client("FwoGZXIvYXdzEJr//////////wEaDOdu+Z6Z0ZZGgzLn2CKsAT8Z", 5000, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    aws_response r;
    CU_ASSERT_EQUAL(call_op(c, "ListImages", "{}", ECRC_SIGN_SIGV4, NULL, 0, &r), ECR_OK);
    CU_ASSERT_STRING_EQUAL(srv_header("X-Amz-Security-Token"),
                           "FwoGZXIvYXdzEJr//////////wEaDOdu+Z6Z0ZZGgzLn2CKsAT8Z");
    sigv4_auth a;
    CU_ASSERT_EQUAL_FATAL(ecr_sigv4_parse_authorization(srv_header("Authorization"), &a), ECR_OK);
    CU_ASSERT_STRING_EQUAL(a.signed_headers,
                           "content-type;host;x-amz-date;x-amz-security-token;x-amz-target");
    CU_ASSERT_EQUAL(srv_verify("client/secret+key=value"), ECR_OK);
    ecrc_aws_response_free(&r);
    ecrc_aws_client_free(c);
}

static void test_auth_modes(void)
{
    srv_reply(200, "{}", NULL);
    aws_client *c = new_client("tok", 5000, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    aws_response r;
    sigv4_auth a;

    CU_ASSERT_EQUAL(call_op(c, "ListImages", "{}", ECRC_SIGN_NONE, NULL, 0, &r), ECR_OK);
    CU_ASSERT_PTR_NULL(srv_header("Authorization"));
    CU_ASSERT_TRUE(is_amz_date(srv_header("X-Amz-Date")));
    CU_ASSERT_PTR_NOT_NULL(srv_header("X-Amz-Target"));
    ecrc_aws_response_free(&r);

    CU_ASSERT_EQUAL(call_op(c, "ListImages", "{}", ECRC_SIGN_UNKNOWN_KEY, NULL, 0, &r), ECR_OK);
    CU_ASSERT_EQUAL_FATAL(ecr_sigv4_parse_authorization(srv_header("Authorization"), &a), ECR_OK);
    CU_ASSERT_STRING_EQUAL(a.access_key, "AKIDUNKNOWNECRCONFORM0");
    CU_ASSERT_EQUAL(srv_verify("client/secret+key=value"), ECR_OK); /* any secret: ours */
    ecrc_aws_response_free(&r);

    CU_ASSERT_EQUAL(call_op(c, "ListImages", "{}", ECRC_SIGN_WRONG_SECRET, NULL, 0, &r), ECR_OK);
    CU_ASSERT_EQUAL_FATAL(ecr_sigv4_parse_authorization(srv_header("Authorization"), &a), ECR_OK);
    CU_ASSERT_STRING_EQUAL(a.access_key, "AKIDCLIENTTEST000001");
    CU_ASSERT_EQUAL(srv_verify("client/secret+key=value"), ECR_EINVAL);
    CU_ASSERT_EQUAL(srv_verify("client/secret+key=value-wrong"), ECR_OK);
    ecrc_aws_response_free(&r);
    ecrc_aws_client_free(c);
}

static void test_extra_headers(void)
{
    srv_reply(200, "{}", NULL);
    aws_client *c = new_client(NULL, 5000, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    aws_response r;
    sigv4_auth a;

    aws_header h[] = {{"content-type", "application/json"},
                      {"X-Extra", "  spaced   value "},
                      {"X-Amz-Date", "20200101T000000Z"}};
    CU_ASSERT_EQUAL(call_op(c, "ListImages", "{}", ECRC_SIGN_SIGV4, h, 3, &r), ECR_OK);
    CU_ASSERT_EQUAL(srv_header_count("Content-Type"), 1);
    CU_ASSERT_STRING_EQUAL(srv_header("Content-Type"), "application/json");
    CU_ASSERT_EQUAL(srv_header_count("X-Amz-Date"), 1);
    CU_ASSERT_STRING_EQUAL(srv_header("X-Amz-Date"), "20200101T000000Z");
    CU_ASSERT_PTR_NOT_NULL(srv_header("X-Extra"));
    CU_ASSERT_EQUAL_FATAL(ecr_sigv4_parse_authorization(srv_header("Authorization"), &a), ECR_OK);
    CU_ASSERT_STRING_EQUAL(a.signed_headers, "content-type;host;x-amz-date;x-amz-target;x-extra");
    CU_ASSERT_STRING_EQUAL(a.date, "20200101");
    CU_ASSERT_EQUAL(srv_verify("client/secret+key=value"), ECR_OK);
    ecrc_aws_response_free(&r);

    /* An extra header named like another extra is added, not replaced. */
    aws_header dup[] = {{"X-Dup", "a"}, {"X-Dup", "b"}, {"X-Empty", ""}};
    CU_ASSERT_EQUAL(call_op(c, "ListImages", "{}", ECRC_SIGN_SIGV4, dup, 3, &r), ECR_OK);
    CU_ASSERT_EQUAL(srv_header_count("X-Dup"), 2);
    CU_ASSERT_EQUAL(srv_header_count("X-Empty"), 1);
    CU_ASSERT_EQUAL(srv_verify("client/secret+key=value"), ECR_OK);
    ecrc_aws_response_free(&r);

    /* A literal Authorization goes out untouched. */
    aws_header lit[] = {{"Authorization", "AWS4-HMAC-SHA256 garbage"}};
    CU_ASSERT_EQUAL(call_op(c, "ListImages", "{}", ECRC_SIGN_SIGV4, lit, 1, &r), ECR_OK);
    CU_ASSERT_EQUAL(srv_header_count("Authorization"), 1);
    CU_ASSERT_STRING_EQUAL(srv_header("Authorization"), "AWS4-HMAC-SHA256 garbage");
    ecrc_aws_response_free(&r);

    /* Header injection is refused before anything is sent. */
    int before = g_srv.requests;
    aws_header bad[] = {{"X-Bad", "v\r\nX-Injected: 1"}};
    CU_ASSERT_EQUAL(call_op(c, "ListImages", "{}", ECRC_SIGN_SIGV4, bad, 1, &r), ECR_EINVAL);
    ecrc_aws_response_free(&r);
    aws_header bad2[] = {{"X-Bad:", "v"}};
    CU_ASSERT_EQUAL(call_op(c, "ListImages", "{}", ECRC_SIGN_SIGV4, bad2, 1, &r), ECR_EINVAL);
    ecrc_aws_response_free(&r);
    CU_ASSERT_EQUAL(g_srv.requests, before);
    ecrc_aws_client_free(c);
}

typedef struct err_case {
    unsigned status;
    const char *type_header; /* X-Amzn-ErrorType or NULL */
    const char *body;
    const char *want_type;
    const char *want_message; /* NULL: absent */
} err_case;

static void test_error_types(void)
{
    static const err_case cases[] = {
        /* The header wins over the body. */
        {400, "FooError", "{\"__type\":\"Other\",\"message\":\"m\"}", "FooError", "m"},
        {400, "FooError:http://internal.amazon.com/coral/com.amazon.coral.validate/", "{}",
         "FooError", NULL},
        {400, "aws.protocoltests.restjson#FooError", "", "FooError", NULL},
        /* "code" before "__type". */
        {400, NULL, "{\"code\":\"CodeError\",\"__type\":\"TypeError\"}", "CodeError", NULL},
        {400, NULL, "{\"__type\":\"aws.protocoltests.restjson#FooError\",\"message\":\"x\"}",
         "FooError", "x"},
        {400, NULL,
         "{\"__type\":\"com.amazon.coral.validate#ValidationException:http://internal.amazon."
         "com/coral/com.amazon.coral.validate/\"}",
         "ValidationException", NULL},
        {400, NULL,
         "{\"__type\":\"UnrecognizedClientException\",\"Message\":\"The security token "
         "included in the request is invalid.\"}",
         "UnrecognizedClientException", "The security token included in the request is invalid."},
        {400, NULL,
         "{\"__type\":\"RepositoryNotFoundException\",\"message\":\"lower\",\"Message\":\"upper\"}",
         "RepositoryNotFoundException", "lower"},
        /* Non-string members are ignored. */
        {400, NULL, "{\"code\":5,\"__type\":\"T\",\"message\":3}", "T", NULL},
        /* Garbage and non-objects: no crash, nothing derived. */
        {500, NULL, "<html><body>Internal Server Error</body></html>", "", NULL},
        {502, NULL, "", "", NULL},
        {400, NULL, "[\"__type\",\"X\"]", "", NULL},
        {400, NULL, "{\"__type\":\"Truncated\"", "", NULL},
        {400, NULL, "\"__type\"", "", NULL},
        {400, NULL, "{\"nested\":{\"__type\":\"Deep\"}}", "", NULL},
        /* Only error responses get a type. */
        {200, NULL, "{\"__type\":\"NotAnError\"}", "", NULL},
        {300, NULL, "{\"__type\":\"Redirectish\"}", "Redirectish", NULL},
    };
    aws_client *c = new_client(NULL, 5000, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const err_case *e = &cases[i];
        const char *hdr[] = {"X-Amzn-ErrorType", e->type_header, NULL};
        srv_reply(e->status, e->body, e->type_header ? hdr : NULL);
        aws_response r;
        CU_ASSERT_EQUAL(call_op(c, "BatchDeleteImage", "{}", ECRC_SIGN_SIGV4, NULL, 0, &r), ECR_OK);
        CU_ASSERT_EQUAL(r.status, (long)e->status);
        if (strcmp(r.error_type, e->want_type) != 0)
            fprintf(stderr, "\ncase %zu: type \"%s\", want \"%s\"\n", i, r.error_type,
                    e->want_type);
        CU_ASSERT_STRING_EQUAL(r.error_type, e->want_type);
        if (e->want_message) {
            CU_ASSERT_PTR_NOT_NULL(r.error_message);
            if (r.error_message)
                CU_ASSERT_STRING_EQUAL(r.error_message, e->want_message);
        } else {
            CU_ASSERT_PTR_NULL(r.error_message);
        }
        CU_ASSERT_EQUAL(r.body_len, strlen(e->body));
        ecrc_aws_response_free(&r);
    }
    ecrc_aws_client_free(c);
}

static void test_sanitize(void)
{
    char out[16];
    ecrc_aws_sanitize_error_type("aws.protocoltests.restjson#FooError", out, sizeof out);
    CU_ASSERT_STRING_EQUAL(out, "FooError");
    ecrc_aws_sanitize_error_type("FooError:http://internal.amazon.com/coral/x#y", out, sizeof out);
    CU_ASSERT_STRING_EQUAL(out, "FooError");
    ecrc_aws_sanitize_error_type("a#b#c:d#e", out, sizeof out);
    CU_ASSERT_STRING_EQUAL(out, "b#c");
    ecrc_aws_sanitize_error_type("Plain", out, sizeof out);
    CU_ASSERT_STRING_EQUAL(out, "Plain");
    ecrc_aws_sanitize_error_type("ns#", out, sizeof out);
    CU_ASSERT_STRING_EQUAL(out, "");
    ecrc_aws_sanitize_error_type(":x", out, sizeof out);
    CU_ASSERT_STRING_EQUAL(out, "");
    ecrc_aws_sanitize_error_type(NULL, out, sizeof out);
    CU_ASSERT_STRING_EQUAL(out, "");
    /* Too long for out: refused whole, never cut. */
    CU_ASSERT_EQUAL(ecrc_aws_sanitize_error_type("ns#ABCDE:tail", out, 5), ECR_ETOOBIG);
    CU_ASSERT_STRING_EQUAL(out, "");
    CU_ASSERT_EQUAL(ecrc_aws_sanitize_error_type("ns#ABCD:tail", out, 5), ECR_OK);
    CU_ASSERT_STRING_EQUAL(out, "ABCD");
    CU_ASSERT_EQUAL(ecrc_aws_sanitize_error_type("x", NULL, 0), ECR_EINVAL); /* no crash */
}

/* A capabilities answer naming a region or account longer than its field is
 * an error naming the member, never a cut value. */
static void test_probe_too_long(void)
{
    char region[80], body[256], err[256] = "";
    memset(region, 'r', sizeof region - 1);
    region[sizeof region - 1] = '\0';
    snprintf(body, sizeof body, "{\"capabilities\":[],\"region\":\"%s\"}", region);
    srv_reply(200, body, NULL);
    aws_client *c = new_client(NULL, 5000, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    target_info t;
    memset(&t, 0, sizeof t);
    snprintf(t.region, sizeof t.region, "us-east-1");
    CU_ASSERT_EQUAL(ecrc_target_probe(c, &t, 0, err, sizeof err), ECR_ETOOBIG);
    CU_ASSERT_STRING_EQUAL(err, "GET /__ecrconform/capabilities: region is longer than 63 bytes");
    CU_ASSERT_STRING_EQUAL(t.region, "us-east-1");

    srv_reply(200, "{\"capabilities\":[],\"account\":\"1234567890123456789012345678901234\"}",
              NULL);
    CU_ASSERT_EQUAL(ecrc_target_probe(c, &t, 0, err, sizeof err), ECR_ETOOBIG);
    CU_ASSERT_STRING_EQUAL(err, "GET /__ecrconform/capabilities: account is longer than 31 bytes");

    srv_reply(200, "{\"capabilities\":[\"fault-injection\"],\"region\":\"eu-north-1\"}", NULL);
    CU_ASSERT_EQUAL(ecrc_target_probe(c, &t, 0, err, sizeof err), ECR_OK);
    CU_ASSERT_STRING_EQUAL(t.region, "eu-north-1");
    CU_ASSERT_TRUE(t.fault_injection);
    ecrc_aws_client_free(c);
}

/* A response whose error type does not fit is reported as too long, not
 * cut to a type it never sent. */
static void test_error_type_too_long(void)
{
    char type[ECRC_ERROR_TYPE_MAX + 1];
    memset(type, 'E', sizeof type - 1);
    type[sizeof type - 1] = '\0'; /* 256 bytes: one too many */
    char body[512];
    snprintf(body, sizeof body, "{\"__type\":\"ns#%s\",\"message\":\"m\"}", type);
    srv_reply(400, body, NULL);
    aws_client *c = new_client(NULL, 5000, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    aws_response r;
    CU_ASSERT_EQUAL(call_op(c, "ListImages", "{}", ECRC_SIGN_SIGV4, NULL, 0, &r), ECR_OK);
    CU_ASSERT_EQUAL(r.status, 400);
    CU_ASSERT_STRING_EQUAL(r.error_type, "");
    CU_ASSERT_TRUE(r.error_type_too_long);
    CU_ASSERT_STRING_EQUAL(ecrc_aws_response_error_type(&r),
                           "(an error type longer than 255 bytes)");
    CU_ASSERT_STRING_EQUAL(r.error_message, "m");
    ecrc_aws_response_free(&r);

    type[sizeof type - 2] = '\0'; /* 255 bytes: fits whole */
    snprintf(body, sizeof body, "{\"__type\":\"%s\"}", type);
    srv_reply(400, body, NULL);
    CU_ASSERT_EQUAL(call_op(c, "ListImages", "{}", ECRC_SIGN_SIGV4, NULL, 0, &r), ECR_OK);
    CU_ASSERT_STRING_EQUAL(r.error_type, type);
    CU_ASSERT_FALSE(r.error_type_too_long);
    CU_ASSERT_STRING_EQUAL(ecrc_aws_response_error_type(&r), type);
    ecrc_aws_response_free(&r);
    ecrc_aws_client_free(c);
}

static void test_response_cap(void)
{
    char *big = malloc(4097);
    CU_ASSERT_PTR_NOT_NULL_FATAL(big);
    memset(big, 'x', 4096);
    big[4096] = '\0';
    aws_client *c = new_client(NULL, 5000, 1024);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    aws_response r;

    /* Content-Length announces too much. */
    srv_reply(200, big, NULL);
    CU_ASSERT_EQUAL(call_op(c, "ListImages", "{}", ECRC_SIGN_SIGV4, NULL, 0, &r), ECR_ETOOBIG);
    CU_ASSERT_TRUE(r.body_len <= 1024);
    CU_ASSERT_NOT_EQUAL(r.transport_error[0], '\0');
    ecrc_aws_response_free(&r);

    /* Chunked: no length up front, the write callback stops it. */
    srv_reply(200, big, NULL);
    g_srv.chunked = 1;
    CU_ASSERT_EQUAL(call_op(c, "ListImages", "{}", ECRC_SIGN_SIGV4, NULL, 0, &r), ECR_ETOOBIG);
    CU_ASSERT_TRUE(r.body_len <= 1024);
    ecrc_aws_response_free(&r);

    /* Exactly the cap fits, both ways. */
    big[1024] = '\0';
    srv_reply(200, big, NULL);
    CU_ASSERT_EQUAL(call_op(c, "ListImages", "{}", ECRC_SIGN_SIGV4, NULL, 0, &r), ECR_OK);
    CU_ASSERT_EQUAL(r.body_len, 1024);
    ecrc_aws_response_free(&r);
    srv_reply(200, big, NULL);
    g_srv.chunked = 1;
    CU_ASSERT_EQUAL(call_op(c, "ListImages", "{}", ECRC_SIGN_SIGV4, NULL, 0, &r), ECR_OK);
    CU_ASSERT_EQUAL(r.body_len, 1024);
    ecrc_aws_response_free(&r);

    /* Response headers: 4 x 2 KiB pass, 40 x 2 KiB exceed the 64 KiB cap. */
    static char hv[MAX_REPLY_HEADERS][2048];
    const char *many[2 * MAX_REPLY_HEADERS + 1] = {NULL};
    for (int i = 0; i < MAX_REPLY_HEADERS; i++) {
        memset(hv[i], 'v', sizeof hv[i] - 1);
        hv[i][sizeof hv[i] - 1] = '\0';
        many[2 * i] = "X-Big";
        many[2 * i + 1] = hv[i];
    }
    many[2 * 4] = NULL;
    srv_reply(200, "{}", many);
    CU_ASSERT_EQUAL(call_op(c, "ListImages", "{}", ECRC_SIGN_SIGV4, NULL, 0, &r), ECR_OK);
    CU_ASSERT_EQUAL(r.nheaders >= 4 ? strlen(ecrc_aws_response_header(&r, "X-Big")) : 0, 2047);
    ecrc_aws_response_free(&r);
    many[2 * 4] = "X-Big";
    srv_reply(200, "{}", many);
    CU_ASSERT_EQUAL(call_op(c, "ListImages", "{}", ECRC_SIGN_SIGV4, NULL, 0, &r), ECR_ETOOBIG);
    ecrc_aws_response_free(&r);

    ecrc_aws_client_free(c);
    free(big);
    srv_reply(200, "{}", NULL);
}

static unsigned short dead_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return 0;
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof sa;
    unsigned short port = 0;
    if (bind(fd, (struct sockaddr *)&sa, sizeof sa) == 0 &&
        getsockname(fd, (struct sockaddr *)&sa, &len) == 0)
        port = ntohs(sa.sin_port);
    close(fd);
    return port;
}

static void test_unreachable(void)
{
    unsigned short port = dead_port();
    CU_ASSERT_NOT_EQUAL_FATAL(port, 0);
    char ep[64];
    snprintf(ep, sizeof ep, "http://127.0.0.1:%u", (unsigned)port);
    aws_credentials cr;
    test_creds(&cr, NULL);
    aws_client *c = ecrc_aws_client_new(ep, &cr, 2000, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    aws_response r;
    CU_ASSERT_EQUAL(call_op(c, "ListImages", "{}", ECRC_SIGN_SIGV4, NULL, 0, &r), ECR_ECONNECT);
    CU_ASSERT_EQUAL(r.status, 0);
    CU_ASSERT_NOT_EQUAL(r.transport_error[0], '\0');
    CU_ASSERT_PTR_NULL(r.error_message);
    ecrc_aws_response_free(&r);
    CU_ASSERT_EQUAL(ecrc_aws_client_plain(c, "GET", "/", NULL, &r), ECR_ECONNECT);
    ecrc_aws_response_free(&r);
    ecrc_aws_client_free(c);
}

static void test_timeout(void)
{
    srv_reply(200, "{}", NULL);
    g_srv.delay_ms = 1200;
    aws_client *c = new_client(NULL, 200, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    aws_response r;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    CU_ASSERT_EQUAL(call_op(c, "ListImages", "{}", ECRC_SIGN_SIGV4, NULL, 0, &r), ECR_ETIMEOUT);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double ms = (double)(t1.tv_sec - t0.tv_sec) * 1000.0 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
    CU_ASSERT_TRUE(ms >= 150.0 && ms < 1000.0); /* gave up well before the reply */
    CU_ASSERT_NOT_EQUAL(r.transport_error[0], '\0');
    ecrc_aws_response_free(&r);
    ecrc_aws_client_free(c);
    /* Let the server finish the sleeping request before the next test. */
    struct timespec ts = {1, 200L * 1000000L};
    nanosleep(&ts, NULL);
    srv_reply(200, "{}", NULL);
}

static void test_connection_reuse(void)
{
    srv_reply(200, "{}", NULL);
    aws_client *c = new_client(NULL, 5000, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    pthread_mutex_lock(&g_srv.mu);
    int conn0 = g_srv.connections, req0 = g_srv.requests;
    pthread_mutex_unlock(&g_srv.mu);
    aws_response r;
    for (int i = 0; i < 3; i++) {
        CU_ASSERT_EQUAL(call_op(c, "ListImages", "{}", ECRC_SIGN_SIGV4, NULL, 0, &r), ECR_OK);
        ecrc_aws_response_free(&r);
    }
    CU_ASSERT_EQUAL(ecrc_aws_client_plain(c, "GET", "/__ecrconform/health", NULL, &r), ECR_OK);
    ecrc_aws_response_free(&r);
    pthread_mutex_lock(&g_srv.mu);
    CU_ASSERT_EQUAL(g_srv.requests - req0, 4);
    CU_ASSERT_EQUAL(g_srv.connections - conn0, 1);
    pthread_mutex_unlock(&g_srv.mu);
    ecrc_aws_client_free(c);
}

static void test_plain(void)
{
    srv_reply(201, "{\"ok\":true}", NULL);
    aws_client *c = new_client("tok", 5000, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    aws_response r;
    CU_ASSERT_EQUAL(ecrc_aws_client_plain(c, "POST", ECR_CONTROL_FAULTS, "{\"fault\":\"x\"}", &r),
                    ECR_OK);
    CU_ASSERT_EQUAL(r.status, 201);
    CU_ASSERT_STRING_EQUAL(r.body, "{\"ok\":true}");
    CU_ASSERT_STRING_EQUAL(g_srv.method, "POST");
    CU_ASSERT_STRING_EQUAL(g_srv.url, ECR_CONTROL_FAULTS);
    CU_ASSERT_STRING_EQUAL(g_srv.body, "{\"fault\":\"x\"}");
    CU_ASSERT_STRING_EQUAL(srv_header("Content-Type"), "application/json");
    CU_ASSERT_PTR_NULL(srv_header("Authorization"));
    CU_ASSERT_PTR_NULL(srv_header("X-Amz-Target"));
    CU_ASSERT_PTR_NULL(srv_header("X-Amz-Security-Token"));
    ecrc_aws_response_free(&r);

    srv_reply(200, "[]", NULL);
    CU_ASSERT_EQUAL(ecrc_aws_client_plain(c, "GET", "/__ecrconform/state?y=1", NULL, &r), ECR_OK);
    CU_ASSERT_STRING_EQUAL(g_srv.method, "GET");
    CU_ASSERT_STRING_EQUAL(g_srv.url, "/__ecrconform/state");
    CU_ASSERT_PTR_NOT_NULL(g_srv.query_y);
    if (g_srv.query_y)
        CU_ASSERT_STRING_EQUAL(g_srv.query_y, "1");
    CU_ASSERT_EQUAL(g_srv.body_len, 0);
    CU_ASSERT_PTR_NULL(srv_header("Content-Type"));
    ecrc_aws_response_free(&r);

    CU_ASSERT_EQUAL(ecrc_aws_client_plain(c, "DELETE", ECR_CONTROL_FAULTS, NULL, &r), ECR_OK);
    CU_ASSERT_STRING_EQUAL(g_srv.method, "DELETE");
    CU_ASSERT_EQUAL(g_srv.body_len, 0);
    ecrc_aws_response_free(&r);

    /* After a DELETE, a signed call on the same handle is a POST again. */
    CU_ASSERT_EQUAL(call_op(c, "ListImages", "{}", ECRC_SIGN_SIGV4, NULL, 0, &r), ECR_OK);
    CU_ASSERT_STRING_EQUAL(g_srv.method, "POST");
    CU_ASSERT_STRING_EQUAL(g_srv.url, "/");
    CU_ASSERT_EQUAL(srv_verify("client/secret+key=value"), ECR_OK);
    ecrc_aws_response_free(&r);

    CU_ASSERT_EQUAL(ecrc_aws_client_plain(c, "get", "/", NULL, &r), ECR_EINVAL);
    ecrc_aws_response_free(&r);
    CU_ASSERT_EQUAL(ecrc_aws_client_plain(c, "GET", "relative", NULL, &r), ECR_EINVAL);
    ecrc_aws_response_free(&r);
    CU_ASSERT_EQUAL(ecrc_aws_client_plain(c, "GET", "/a b", NULL, &r), ECR_EINVAL);
    ecrc_aws_response_free(&r);
    ecrc_aws_client_free(c);
}

static void test_endpoints(void)
{
    aws_credentials cr;
    test_creds(&cr, NULL);
    CU_ASSERT_PTR_NULL(ecrc_aws_client_new("127.0.0.1:5000", &cr, 0, 0));
    CU_ASSERT_PTR_NULL(ecrc_aws_client_new("ftp://127.0.0.1/", &cr, 0, 0));
    CU_ASSERT_PTR_NULL(ecrc_aws_client_new("http://", &cr, 0, 0));
    CU_ASSERT_PTR_NULL(ecrc_aws_client_new(NULL, &cr, 0, 0));

    /* A path prefix: calls go to "<prefix>/", and that path is signed. */
    char ep[96];
    snprintf(ep, sizeof ep, "http://127.0.0.1:%u/prefix?q=1#frag", (unsigned)g_srv.port);
    aws_client *c = ecrc_aws_client_new(ep, &cr, 0, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    srv_reply(200, "{}", NULL);
    aws_response r;
    CU_ASSERT_EQUAL(call_op(c, "ListImages", "{}", ECRC_SIGN_SIGV4, NULL, 0, &r), ECR_OK);
    CU_ASSERT_STRING_EQUAL(g_srv.url, "/prefix/");
    CU_ASSERT_EQUAL(srv_verify("client/secret+key=value"), ECR_OK);
    ecrc_aws_response_free(&r);
    ecrc_aws_client_free(c);

    /* "localhost" as written, with the port. */
    snprintf(ep, sizeof ep, "http://localhost:%u/", (unsigned)g_srv.port);
    c = ecrc_aws_client_new(ep, &cr, 0, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    if (call_op(c, "ListImages", "{}", ECRC_SIGN_SIGV4, NULL, 0, &r) == ECR_OK) {
        char host[64];
        snprintf(host, sizeof host, "localhost:%u", (unsigned)g_srv.port);
        CU_ASSERT_STRING_EQUAL(srv_header("Host"), host);
        CU_ASSERT_EQUAL(srv_verify("client/secret+key=value"), ECR_OK);
    }
    ecrc_aws_response_free(&r);
    ecrc_aws_client_free(c);
}

/* The one name table of the sign modes: every mode round-trips, and the
 * list in loader messages is the names in enum order. */
static void test_sign_mode_names(void)
{
    static const char *const want[] = {"sigv4", "none", "unknown-key", "wrong-secret"};
    CU_ASSERT_EQUAL(ECRC_SIGN_COUNT, 4);
    for (int m = 0; m < ECRC_SIGN_COUNT; m++) {
        CU_ASSERT_STRING_EQUAL(ecrc_sign_mode_name((ecrc_sign_mode)m), want[m]);
        ecrc_sign_mode back = ECRC_SIGN_COUNT;
        CU_ASSERT_EQUAL(ecrc_sign_mode_parse(want[m], &back), 0);
        CU_ASSERT_EQUAL(back, m);
    }
    CU_ASSERT_STRING_EQUAL(ecrc_sign_mode_list(), "sigv4, none, unknown-key, wrong-secret");
    CU_ASSERT_STRING_EQUAL(ecrc_sign_mode_name(ECRC_SIGN_COUNT), "unknown");
    ecrc_sign_mode m = ECRC_SIGN_NONE;
    CU_ASSERT_EQUAL(ecrc_sign_mode_parse("SigV4", &m), -1);
    CU_ASSERT_EQUAL(ecrc_sign_mode_parse(NULL, &m), -1);
    CU_ASSERT_EQUAL(m, ECRC_SIGN_NONE);
}

static void test_credentials_from_env(void)
{
    static const char *const vars[] = {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
                                       "AWS_SESSION_TOKEN", "AWS_REGION", "AWS_DEFAULT_REGION"};
    char *saved[5];
    for (int i = 0; i < 5; i++) {
        const char *v = getenv(vars[i]);
        saved[i] = v ? strdup(v) : NULL;
        unsetenv(vars[i]);
    }
    aws_credentials c;
    char err[128];
    int from_env = -1;
    CU_ASSERT_EQUAL(ecrc_aws_credentials_from_env(&c, &from_env, err, sizeof err), ECR_OK);
    CU_ASSERT_EQUAL(from_env, 0);
    CU_ASSERT_STRING_EQUAL(c.access_key, ECR_TEST_ACCESS_KEY);
    CU_ASSERT_STRING_EQUAL(c.secret_key, ECR_TEST_SECRET_KEY);
    CU_ASSERT_STRING_EQUAL(c.session_token, "");
    CU_ASSERT_STRING_EQUAL(c.region, ECR_TEST_REGION);

    setenv("AWS_ACCESS_KEY_ID", "AKIDENV", 1); /* half a pair: defaults */
    setenv("AWS_DEFAULT_REGION", "eu-west-3", 1);
    CU_ASSERT_EQUAL(ecrc_aws_credentials_from_env(&c, &from_env, err, sizeof err), ECR_OK);
    CU_ASSERT_EQUAL(from_env, 0);
    CU_ASSERT_STRING_EQUAL(c.access_key, ECR_TEST_ACCESS_KEY);
    CU_ASSERT_STRING_EQUAL(c.region, "eu-west-3");

    setenv("AWS_SECRET_ACCESS_KEY", "envsecret", 1);
    setenv("AWS_SESSION_TOKEN", "envtoken", 1);
    setenv("AWS_REGION", "ap-south-1", 1);
    CU_ASSERT_EQUAL(ecrc_aws_credentials_from_env(&c, &from_env, err, sizeof err), ECR_OK);
    CU_ASSERT_EQUAL(from_env, 1);
    CU_ASSERT_STRING_EQUAL(c.access_key, "AKIDENV");
    CU_ASSERT_STRING_EQUAL(c.secret_key, "envsecret");
    CU_ASSERT_STRING_EQUAL(c.session_token, "envtoken");
    CU_ASSERT_STRING_EQUAL(c.region, "ap-south-1");

    /* Long values are kept whole up to the cap and refused past it, with
     * the variable named: never cut (a cut token fails at the target as
     * "invalid token" with no hint why). */
    char *big = malloc(ECRC_SESSION_TOKEN_MAX + 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(big);
    memset(big, 'T', ECRC_SESSION_TOKEN_MAX);
    big[ECRC_SESSION_TOKEN_MAX - 1] = '\0'; /* 8191 bytes: fits */
    setenv("AWS_SESSION_TOKEN", big, 1);
    CU_ASSERT_EQUAL(ecrc_aws_credentials_from_env(&c, &from_env, err, sizeof err), ECR_OK);
    CU_ASSERT_EQUAL(strlen(c.session_token), ECRC_SESSION_TOKEN_MAX - 1);
    big[ECRC_SESSION_TOKEN_MAX - 1] = 'T';
    big[ECRC_SESSION_TOKEN_MAX] = '\0'; /* 8192 bytes: one too many */
    setenv("AWS_SESSION_TOKEN", big, 1);
    err[0] = '\0';
    CU_ASSERT_EQUAL(ecrc_aws_credentials_from_env(&c, &from_env, err, sizeof err), ECR_ETOOBIG);
    CU_ASSERT_STRING_EQUAL(err, "AWS_SESSION_TOKEN is longer than 8191 bytes");
    CU_ASSERT_STRING_EQUAL(c.session_token, "");
    setenv("AWS_SESSION_TOKEN", "envtoken", 1);

    big[ECRC_ACCESS_KEY_MAX] = '\0';
    setenv("AWS_ACCESS_KEY_ID", big, 1);
    CU_ASSERT_EQUAL(ecrc_aws_credentials_from_env(&c, &from_env, err, sizeof err), ECR_ETOOBIG);
    CU_ASSERT_STRING_EQUAL(err, "AWS_ACCESS_KEY_ID is longer than 255 bytes");
    setenv("AWS_ACCESS_KEY_ID", "AKIDENV", 1);

    big[ECRC_REGION_MAX] = '\0';
    setenv("AWS_REGION", big, 1);
    CU_ASSERT_EQUAL(ecrc_aws_credentials_from_env(&c, &from_env, err, sizeof err), ECR_ETOOBIG);
    CU_ASSERT_STRING_EQUAL(err, "AWS_REGION is longer than 63 bytes");
    unsetenv("AWS_REGION");
    setenv("AWS_DEFAULT_REGION", big, 1);
    CU_ASSERT_EQUAL(ecrc_aws_credentials_from_env(&c, &from_env, err, sizeof err), ECR_ETOOBIG);
    CU_ASSERT_STRING_EQUAL(err, "AWS_DEFAULT_REGION is longer than 63 bytes");
    free(big);

    for (int i = 0; i < 5; i++) {
        if (saved[i])
            setenv(vars[i], saved[i], 1);
        else
            unsetenv(vars[i]);
        free(saved[i]);
    }
}

/* A third oracle: libcurl's own SigV4 (CURLOPT_AWS_SIGV4). Whatever headers
 * curl chose to sign, ecr_sigv4_verify on the server side must accept them. */
static size_t discard(char *d, size_t s, size_t n, void *u)
{
    (void)d;
    (void)u;
    return s * n;
}

static void test_curl_aws_sigv4_crosscheck(void)
{
    srv_reply(200, "{}", NULL);
    CURL *e = curl_easy_init();
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%u/", (unsigned)g_srv.port);
    struct curl_slist *h = NULL;
    h = curl_slist_append(h, "Content-Type: application/x-amz-json-1.1");
    h = curl_slist_append(h, "X-Amz-Target: AmazonEC2ContainerRegistry_V20150921.ListImages");
    const char *body = "{\"repositoryName\":\"curl\"}";
    curl_easy_setopt(e, CURLOPT_URL, url);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(e, CURLOPT_AWS_SIGV4, "aws:amz:us-west-2:ecr");
    curl_easy_setopt(e, CURLOPT_USERPWD, "AKIDCURL:curl/secret");
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, 5000L);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    CURLcode cc = curl_easy_perform(e);
    CU_ASSERT_EQUAL(cc, CURLE_OK);
    if (cc == CURLE_OK) {
        sigv4_auth a;
        CU_ASSERT_EQUAL(ecr_sigv4_parse_authorization(srv_header("Authorization"), &a), ECR_OK);
        /* curl 7.88 signs content-type;host;x-amz-date;x-amz-target; other
         * versions may sign more, which verification handles alike. */
        CU_ASSERT_PTR_NOT_NULL(strstr(a.signed_headers, "host;x-amz-date"));
        CU_ASSERT_STRING_EQUAL(a.region, "us-west-2");
        CU_ASSERT_EQUAL(srv_verify("curl/secret"), ECR_OK);
        CU_ASSERT_EQUAL(srv_verify("curl/secreT"), ECR_EINVAL);
    }
    curl_slist_free_all(h);
    curl_easy_cleanup(e);
}

int register_awsclient_suite(void)
{
    CU_pSuite s = CU_add_suite("awsclient", suite_init, suite_cleanup);
    if (!s)
        return 1;
    if (!CU_add_test(s, "headers_sent", test_headers_sent) ||
        !CU_add_test(s, "signature_verifies_server_side", test_signature_verifies_server_side) ||
        !CU_add_test(s, "session_token", test_session_token) ||
        !CU_add_test(s, "auth_modes", test_auth_modes) ||
        !CU_add_test(s, "extra_headers", test_extra_headers) ||
        !CU_add_test(s, "error_types", test_error_types) ||
        !CU_add_test(s, "sanitize", test_sanitize) ||
        !CU_add_test(s, "error_type_too_long", test_error_type_too_long) ||
        !CU_add_test(s, "probe_too_long", test_probe_too_long) ||
        !CU_add_test(s, "response_cap", test_response_cap) ||
        !CU_add_test(s, "unreachable", test_unreachable) ||
        !CU_add_test(s, "timeout", test_timeout) ||
        !CU_add_test(s, "connection_reuse", test_connection_reuse) ||
        !CU_add_test(s, "plain", test_plain) || !CU_add_test(s, "endpoints", test_endpoints) ||
        !CU_add_test(s, "sign_mode_names", test_sign_mode_names) ||
        !CU_add_test(s, "credentials_from_env", test_credentials_from_env) ||
        !CU_add_test(s, "curl_aws_sigv4_crosscheck", test_curl_aws_sigv4_crosscheck))
        return 1;
    return 0;
}
