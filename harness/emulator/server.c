/* server.c: the emulator's HTTP side (libmicrohttpd) and its public API
 * (emulator.h). Requests are authenticated here (auth.c), then handed to the
 * ECR operations (api.c) or the control interface (control.c). */
#include "ecremu.h"
#include "ecr/protocol.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>

#include "api.h"
#include "answers.h"
#include "auth.h"
#include "blobs.h"
#include "control.h"
#include "ecr/buf.h"
#include "ecr/util.h"
#include "store.h"
#include "wire.h"

/* ImageManifest may be 4 MiB; JSON escaping can grow it. Bodies past this
 * are discarded and answered 413. */
#define MAX_BODY (10u * 1024u * 1024u)
/* UploadLayerPart carries up to 20 MiB of layer data as base64 (4/3 of it):
 * 28 MiB leaves room for the other members. Only that operation gets it. */
#define MAX_PART_BODY (28u * 1024u * 1024u)
#define PART_TARGET ECR_TARGET_PREFIX "UploadLayerPart"
/* A fault document is a few short strings (control.c bounds each). */
#define MAX_CONTROL_BODY (64u * 1024u)
#define MAX_HEADERS 128
/* Connections: an epoll event loop per pool thread, so idle connections cost
 * a descriptor and a little memory, not a thread. */
#define THREADS 4
#define MAX_CONNECTIONS 8192u
#define FD_RESERVE 256
/* A connection that has not sent a complete request head is dropped after
 * this many idle seconds (slowloris); once a request's headers are in, the
 * connection gets BODY_TIMEOUT_S (a large body on a slow link, keep-alive). */
#define HEADER_TIMEOUT_S 5
#define BODY_TIMEOUT_S 30
#define SERVER_ERROR_BODY                                                                          \
    "{\"__type\":\"ServerException\",\"message\":\"An internal server error has occured\"}"

struct ecremu {
    struct MHD_Daemon *daemon;
    unsigned short port;
    char *account, *region, *access_key, *secret_key;
    store *st;
    control *ctl; /* NULL when the control interface is off */
    api_ctx api;
    auth_config auth;
    emu_answers answers;
    FILE *log; /* one line per request, or NULL */
    ecremu_intercept_fn intercept;
    void *intercept_user;
};

/* Per-request state held in *req_cls: the bounded body, and what the
 * request log says about it. */
typedef struct request {
    buf body;
    int too_big;
    struct timespec start;
    const char *method, *url; /* owned by MHD for the whole request */
} request;

typedef struct header_list {
    sigv4_header v[MAX_HEADERS];
    size_t n;
    size_t authz; /* Authorization headers seen, those past MAX_HEADERS too */
} header_list;

static enum MHD_Result collect_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                      const char *value)
{
    header_list *h = cls;
    (void)kind;
    if (strcasecmp(key, "Authorization") == 0)
        h->authz++;
    if (h->n < MAX_HEADERS) {
        h->v[h->n].name = key;
        h->v[h->n].value = value ? value : "";
        h->n++;
    }
    return MHD_YES;
}

static double ms_since(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) * 1e3 + (double)(t.tv_nsec - t0->tv_nsec) / 1e6;
}

/* One line on the request log: what was asked (the operation, or the method
 * and path for anything that is not an ECR call), the status, the error type
 * of an error reply, and the time taken. Peer text goes through
 * ecr_term_safe so a request cannot drive the operator's terminal. */
static void log_request(const ecremu *e, struct MHD_Connection *conn, const request *rq, int status,
                        json_object *body, const char *note)
{
    if (!e->log || !rq)
        return;
    static const char prefix[] = ECR_TARGET_PREFIX;
    const char *target = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-Amz-Target");
    int is_control = strncmp(rq->url, ECR_CONTROL_PREFIX, sizeof ECR_CONTROL_PREFIX - 1) == 0;
    char other[256];
    const char *what = other;
    if (!is_control && target && strncmp(target, prefix, sizeof prefix - 1) == 0)
        what = target + sizeof prefix - 1;
    else if (!is_control && target)
        what = target; /* not ECR's prefix: show all of it */
    else
        snprintf(other, sizeof other, "%.16s %.200s%s", rq->method, rq->url,
                 strlen(rq->url) > 200 ? "..." : "");
    json_object *type = NULL;
    if (body && status != 200)
        json_object_object_get_ex(body, "__type", &type);
    char *safe_what = ecr_term_safe(what);
    char *safe_type = type ? ecr_term_safe(json_object_get_string(type)) : NULL;
    /* one fprintf per line: stdio locks the stream per call, so lines of
     * parallel requests do not interleave */
    char *safe_note = note && *note ? ecr_term_safe(note) : NULL;
    fprintf(e->log, "ecremu: %.200s%s %d%s%s %.1f ms%s%.256s\n", safe_what ? safe_what : "?",
            safe_what && strlen(safe_what) > 200 ? "..." : "", status, safe_type ? " " : "",
            safe_type ? safe_type : "", ms_since(&rq->start), safe_note ? " " : "",
            safe_note ? safe_note : "");
    free(safe_note);
    fflush(e->log);
    free(safe_what);
    free(safe_type);
}

/* Sends status with the JSON text of body (which this consumes; NULL means
 * out of memory and becomes a 500), after logging it. */
static enum MHD_Result send_json(const ecremu *e, const request *rq, struct MHD_Connection *conn,
                                 int status, json_object *body)
{
    const char *text = body ? ecremu_wire_text(body) : NULL;
    if (!text) {
        text = SERVER_ERROR_BODY;
        status = 500;
    }
    log_request(e, conn, rq, status, body, NULL);
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(strlen(text), (void *)text, MHD_RESPMEM_MUST_COPY);
    json_object_put(body);
    if (!resp)
        return MHD_NO;
    char id[37];
    ecremu_wire_uuid(id);
    MHD_add_response_header(resp, "Content-Type", ECR_CONTENT_TYPE);
    MHD_add_response_header(resp, "x-amzn-RequestId", id);
    enum MHD_Result rc = MHD_queue_response(conn, (unsigned int)status, resp);
    MHD_destroy_response(resp);
    return rc;
}

static enum MHD_Result send_error(const ecremu *e, const request *rq, struct MHD_Connection *conn,
                                  int status, const char *type, const char *message)
{
    return send_json(e, rq, conn, status, ecremu_wire_error(type, message));
}

static enum MHD_Result serve_ecr(ecremu *e, const request *rq, struct MHD_Connection *conn,
                                 const char *url, const char *method, const char *body, size_t len)
{
    header_list h;
    h.n = h.authz = 0;
    MHD_get_connection_values(conn, MHD_HEADER_KIND, collect_header, &h);

    auth_failure why;
    /* ECR's JSON API never uses a query string; signing it is not supported.
     * MHD hands over the path already percent-decoded: for "/" (the only path
     * ECR serves) that is the raw path; any other path is rejected below
     * after authentication, so a mis-verified odd path changes nothing. */
    int status = ecremu_auth_check(&e->auth, method, url, NULL, h.v, h.n, body, len, &why);
    if (h.authz > 1) { /* auth.c's own check, also when one is past the headers kept */
        status = 400;
        why.type = "IncompleteSignatureException";
        why.message = AUTH_DUPLICATE;
    }
    const char *target = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-Amz-Target");
    if (status && e->answers.v[Q_AUTH_ORDER] == A_FRONT_END_FIRST) {
        /* oq-auth-order=front-end-first: the operation and the body are
         * checked before the failed authentication is reported. */
        json_object *fe = NULL;
        int fs = ecremu_api_front_end(target, body, len, &fe);
        if (fs)
            return send_json(e, rq, conn, fs, fe);
    }
    if (status)
        return send_error(e, rq, conn, status, why.type, why.message);
    if (strcmp(method, "POST") != 0 || strcmp(url, "/") != 0)
        return send_error(e, rq, conn, 400, "UnknownOperationException",
                          "The AWS JSON protocol serves only POST /");

    json_object *out = NULL;
    status = ecremu_api_handle(&e->api, target, body, len, &out);
    return send_json(e, rq, conn, status, out);
}

/* The control interface's error document, {"message": text}; NULL when out
 * of memory (send_json turns that into a 500). */
static json_object *control_refusal(const char *text)
{
    json_object *o = json_object_new_object();
    if (o && json_object_object_add(o, "message", json_object_new_string(text))) {
        json_object_put(o);
        o = NULL;
    }
    return o;
}

/* Sends a hook's reply (ecremu_intercept_fn) and frees it. The error type
 * for the request log is read from the body when it is JSON. */
static enum MHD_Result send_reply(const ecremu *e, const request *rq, struct MHD_Connection *conn,
                                  ecr_http_reply *out)
{
    const char *text = out->body ? out->body : "";
    json_object *parsed =
        out->status != 200 && *text ? ecremu_wire_parse(text, strlen(text)) : NULL;
    log_request(e, conn, rq, out->status, parsed, out->note);
    json_object_put(parsed);
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(strlen(text), (void *)text, MHD_RESPMEM_MUST_COPY);
    if (!resp) {
        ecr_http_reply_free(out);
        return MHD_NO;
    }
    for (size_t i = 0; i < out->nheaders; i++)
        MHD_add_response_header(resp, out->header_names[i], out->header_values[i]);
    if (!ecr_http_reply_get(out, "Content-Type"))
        MHD_add_response_header(resp, "Content-Type", ECR_CONTENT_TYPE);
    if (!ecr_http_reply_get(out, "x-amzn-RequestId")) {
        char id[37];
        ecremu_wire_uuid(id);
        MHD_add_response_header(resp, "x-amzn-RequestId", id);
    }
    enum MHD_Result rc = MHD_queue_response(conn, (unsigned int)out->status, resp);
    MHD_destroy_response(resp);
    ecr_http_reply_free(out);
    return rc;
}

/* Offers the request to the hook; 1 when it answered (out is then filled). */
static int intercepted(ecremu *e, struct MHD_Connection *conn, const char *url, const char *method,
                       const char *body, size_t len, ecr_http_reply *out)
{
    header_list h;
    h.n = h.authz = 0;
    MHD_get_connection_values(conn, MHD_HEADER_KIND, collect_header, &h);
    ecr_http_header hv[MAX_HEADERS];
    for (size_t i = 0; i < h.n; i++)
        hv[i] = (ecr_http_header){h.v[i].name, h.v[i].value};
    ecr_http_request hr = {method, url, hv, h.n, body, len};
    ecr_http_reply_init(out);
    if (e->intercept(e->intercept_user, &hr, out) == 1)
        return 1;
    ecr_http_reply_free(out);
    return 0;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *conn, const char *url,
                              const char *method, const char *version, const char *upload_data,
                              size_t *upload_data_size, void **req_cls)
{
    ecremu *e = cls;
    request *rq = *req_cls;
    (void)version;

    if (!rq) {
        rq = calloc(1, sizeof *rq);
        if (!rq)
            return MHD_NO;
        clock_gettime(CLOCK_MONOTONIC, &rq->start);
        /* the head is complete: the long timeout from now on */
        MHD_set_connection_option(conn, MHD_CONNECTION_OPTION_TIMEOUT,
                                  (unsigned int)BODY_TIMEOUT_S);
        rq->method = method;
        rq->url = url;
        const char *target = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-Amz-Target");
        int ctl = e->ctl && strncmp(url, ECR_CONTROL_PREFIX, sizeof ECR_CONTROL_PREFIX - 1) == 0;
        ecr_buf_init(&rq->body, ctl                                          ? MAX_CONTROL_BODY
                                : target && strcmp(target, PART_TARGET) == 0 ? MAX_PART_BODY
                                                                             : MAX_BODY);
        *req_cls = rq;
        return MHD_YES;
    }
    if (*upload_data_size) {
        /* upload_data is valid only during this call: copy it (or drop it
         * once the cap is passed, still reading to the end). */
        if (!rq->too_big && ecr_buf_append(&rq->body, upload_data, *upload_data_size) != ECR_OK)
            rq->too_big = 1;
        *upload_data_size = 0;
        return MHD_YES;
    }

    const char *body = rq->body.data ? rq->body.data : "";
    size_t len = rq->body.len;
    if (rq->too_big)
        return send_error(e, rq, conn, 413, "SerializationException",
                          rq->body.toobig == MAX_PART_BODY
                              ? "The request body exceeds the emulator's limit of 28 MiB for "
                                "UploadLayerPart"
                          : rq->body.toobig == MAX_CONTROL_BODY
                              ? "The request body exceeds the control interface's limit of 64 KiB"
                              : "The request body exceeds the emulator's limit of 10 MiB");
    ecr_http_reply hooked;
    if (e->intercept && intercepted(e, conn, url, method, body, len, &hooked))
        return send_reply(e, rq, conn, &hooked);
    if (e->ctl && strncmp(url, ECR_CONTROL_PREFIX, sizeof ECR_CONTROL_PREFIX - 1) == 0) {
        /* The _n form gives the decoded length, so a %00 inside the value is seen. */
        const char *repo = NULL;
        size_t repo_len = 0;
        if (MHD_lookup_connection_value_n(conn, MHD_GET_ARGUMENT_KIND, ECR_CTL_REPOSITORY,
                                          sizeof ECR_CTL_REPOSITORY - 1, &repo,
                                          &repo_len) != MHD_YES)
            repo = NULL;
        json_object *out = NULL;
        const char *mark = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, ECR_CONTROL_HEADER);
        if (MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Origin"))
            return send_json(
                e, rq, conn, 403,
                control_refusal("The control interface refuses requests with an Origin "
                                "header (a web page's)"));
        if (!mark || strcmp(mark, ECR_CONTROL_HEADER_VALUE) != 0)
            return send_json(
                e, rq, conn, 403,
                control_refusal("The control interface requires the header " ECR_CONTROL_HEADER
                                ": " ECR_CONTROL_HEADER_VALUE));
        int status = ecremu_control_handle(e->ctl, method, url, repo, repo_len, body, len, &out);
        return send_json(e, rq, conn, status, out);
    }
    return serve_ecr(e, rq, conn, url, method, body, len);
}

static void completed(void *cls, struct MHD_Connection *conn, void **req_cls,
                      enum MHD_RequestTerminationCode toe)
{
    request *rq = *req_cls;
    (void)cls;
    (void)conn;
    (void)toe;
    if (rq) {
        ecr_buf_free(&rq->body);
        free(rq);
        *req_cls = NULL;
    }
}

/* How many connections the daemon holds: thousands (idle clients and
 * slowloris peers must not lock others out), within the descriptors the
 * process may open after raising its soft limit to the hard one. */
static unsigned int connection_limit(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return 64;
    if (rl.rlim_cur < rl.rlim_max) {
        struct rlimit want = {rl.rlim_max, rl.rlim_max};
        if (setrlimit(RLIMIT_NOFILE, &want) == 0)
            rl.rlim_cur = rl.rlim_max;
    }
    /* leave room for the rest of the process (files, the runner's sockets) */
    rlim_t room = rl.rlim_cur > FD_RESERVE + 64 ? rl.rlim_cur - FD_RESERVE : 64;
    return room < MAX_CONNECTIONS ? (unsigned int)room : MAX_CONNECTIONS;
}

static int valid_account(const char *s)
{
    size_t n = strlen(s);
    if (n != 12)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

ecr_result ecremu_start(const ecremu_config *cfg, ecremu **out)
{
    *out = NULL;
    if (!cfg || (cfg->auth != ECREMU_AUTH_LENIENT && cfg->auth != ECREMU_AUTH_STRICT) ||
        (cfg->layers != ECREMU_LAYERS_ENFORCE && cfg->layers != ECREMU_LAYERS_OFF))
        return ECR_EINVAL;
    const char *account = cfg->account_id ? cfg->account_id : ECR_TEST_ACCOUNT;
    const char *region = cfg->region ? cfg->region : ECR_TEST_REGION;
    const char *ak = cfg->access_key ? cfg->access_key : ECR_TEST_ACCESS_KEY;
    const char *sk = cfg->secret_key ? cfg->secret_key : ECR_TEST_SECRET_KEY;
    if (!valid_account(account) || !*region || !*ak || !*sk)
        return ECR_EINVAL;
    emu_answers answers;
    char aerr[256];
    if (ecremu_answers_parse(cfg->open_answers, &answers, aerr, sizeof aerr))
        return ECR_EINVAL;

    ecremu *e = calloc(1, sizeof *e);
    if (!e)
        return ECR_ENOMEM;
    e->account = strdup(account);
    e->region = strdup(region);
    e->access_key = strdup(ak);
    e->secret_key = strdup(sk);
    e->st = ecremu_store_new();
    if (cfg->control) {
        control_info info = {e->account, e->region, cfg->auth == ECREMU_AUTH_STRICT};
        if (e->account && e->region)
            e->ctl = ecremu_control_new(&info);
    }
    if (!e->account || !e->region || !e->access_key || !e->secret_key || !e->st ||
        (cfg->control && !e->ctl)) {
        ecremu_stop(e);
        return ECR_ENOMEM;
    }
    e->answers = answers;
    e->api = (api_ctx){
        e->st, e->ctl, e->account, e->region, cfg->layers == ECREMU_LAYERS_ENFORCE, &e->answers};
    ecremu_blobs_set_max_bytes(e->st->blobs, cfg->blob_bytes_max);
    e->log = cfg->request_log;
    e->intercept = cfg->intercept;
    e->intercept_user = cfg->intercept_user;
    e->auth = (auth_config){cfg->auth, e->access_key, e->secret_key, e->region};

    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons(cfg->port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    unsigned int flags = MHD_USE_EPOLL_INTERNAL_THREAD | (cfg->quiet ? 0 : MHD_USE_ERROR_LOG);
    e->daemon = MHD_start_daemon(
        flags, cfg->port, NULL, NULL, handle, e, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
        MHD_OPTION_NOTIFY_COMPLETED, completed, NULL, MHD_OPTION_CONNECTION_TIMEOUT,
        (unsigned int)HEADER_TIMEOUT_S, MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(32 * 1024),
        MHD_OPTION_CONNECTION_LIMIT, connection_limit(), MHD_OPTION_THREAD_POOL_SIZE,
        (unsigned int)THREADS, MHD_OPTION_END);
    if (!e->daemon) {
        ecremu_stop(e);
        return ECR_EBUSY;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(e->daemon, MHD_DAEMON_INFO_BIND_PORT);
    e->port = info ? info->port : cfg->port;
    *out = e;
    return ECR_OK;
}

ecr_result ecremu_open_answers_check(const char *spec, char *err, size_t errsz)
{
    emu_answers a;
    return ecremu_answers_parse(spec, &a, err, errsz) ? ECR_EINVAL : ECR_OK;
}

void ecremu_open_answers_describe(char *out, size_t outsz)
{
    ecremu_answers_describe(out, outsz);
}

unsigned short ecremu_port(const ecremu *e)
{
    return e ? e->port : 0;
}

void ecremu_stop(ecremu *e)
{
    if (!e)
        return;
    if (e->daemon)
        MHD_stop_daemon(e->daemon);
    ecremu_control_free(e->ctl);
    ecremu_store_free(e->st);
    free(e->account);
    free(e->region);
    free(e->access_key);
    free(e->secret_key);
    free(e);
}
