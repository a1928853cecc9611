/* awsclient.c: AWS JSON 1.1 over libcurl, signed with sigv4.
 *
 * libcurl must be initialised once per process before the first client is
 * created: the CLI's main() calls curl_global_init(CURL_GLOBAL_DEFAULT) (and
 * curl_global_cleanup() at exit); the unit tests do it in their suite init.
 * This module never calls it, because it is not ours to call per client.
 *
 * Each call resets the easy handle's options (curl_easy_reset keeps the
 * connection cache) and sets all of them again, so no option of one call can
 * leak into the next one.
 */
#include "awsclient.h"

#include <curl/curl.h>
#include <json-c/json.h>
#include <openssl/crypto.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "ratelimit.h"
#include "ecr/buf.h"
#include "ecr/json.h"
#include "ecr/sigv4.h"
#include "ecr/protocol.h"
#include "ecr/util.h"

#define WRONG_SECRET_SUFFIX "-wrong"
#define CONNECT_TIMEOUT_CAP_MS 10000L
/* Response header bounds: real ECR sends fewer than 10 headers. */
#define MAX_RESP_HEADERS 128
#define MAX_RESP_HEADER_BYTES (64u * 1024u)
/* Request-side bounds for strings we assemble (target, Authorization). */
#define MAX_REQ_STRING (64u * 1024u)

struct aws_client {
    CURL *easy;
    CURLU *base; /* the endpoint, parsed by libcurl */
    char *url;   /* the endpoint with its path ending in '/': where calls go */
    char *path;  /* that path, as sent on the request line (signed) */
    char *host;  /* the Host header value, as libcurl would send it */
    aws_credentials creds;
    long timeout_ms;
    size_t max_response;
    char errbuf[CURL_ERROR_SIZE];
    aws_transport tr;
    char *upper_http_proxy; /* HTTP_PROXY when libcurl would not read a proxy for us */
    double rtt_ms;          /* moving average of the requests' durations; 0: none yet */
};

/* ---- sign modes, credentials and small helpers ---- */

#define SIGN_NAME_(id, name) [ECRC_SIGN_##id] = name,
static const char *const sign_names[ECRC_SIGN_COUNT] = {ECRC_SIGN_MODES(SIGN_NAME_)};
#undef SIGN_NAME_

/* ", sigv4, none, ...": the list starts 2 bytes in. */
#define SIGN_ITEM_(id, name) ", " name
static const char sign_list[] = "" ECRC_SIGN_MODES(SIGN_ITEM_);
#undef SIGN_ITEM_

const char *ecrc_sign_mode_name(ecrc_sign_mode m)
{
    return (unsigned)m < ECRC_SIGN_COUNT ? sign_names[m] : "unknown";
}

int ecrc_sign_mode_parse(const char *name, ecrc_sign_mode *out)
{
    for (int m = 0; name && m < ECRC_SIGN_COUNT; m++) {
        if (strcmp(sign_names[m], name) == 0) {
            *out = (ecrc_sign_mode)m;
            return 0;
        }
    }
    return -1;
}

const char *ecrc_sign_mode_list(void)
{
    return sign_list + 2;
}

/* Copies environment variable name (or fallback when it is unset or empty)
 * into dst. ECR_ETOOBIG, with err naming the variable, when it does not fit. */
static ecr_result copy_env(char *dst, size_t dstsz, const char *name, const char *fallback,
                           char *err, size_t errsz)
{
    const char *v = getenv(name);
    if (ecr_copy_str(dst, dstsz, v && *v ? v : fallback) == ECR_OK)
        return ECR_OK;
    if (err && errsz)
        snprintf(err, errsz, "%s is longer than %zu bytes", name, dstsz - 1);
    return ECR_ETOOBIG;
}

ecr_result ecrc_aws_credentials_from_env(aws_credentials *c, int *from_env, char *err, size_t errsz)
{
    const char *ak = getenv("AWS_ACCESS_KEY_ID");
    const char *sk = getenv("AWS_SECRET_ACCESS_KEY");
    int env = ak && *ak && sk && *sk;
    ecr_result rc = ECR_OK;
    memset(c, 0, sizeof *c);
    /* A half-set pair is useless; take the documented defaults for both. */
    if (env) {
        rc = copy_env(c->access_key, sizeof c->access_key, "AWS_ACCESS_KEY_ID", "", err, errsz);
        if (!rc)
            rc = copy_env(c->secret_key, sizeof c->secret_key, "AWS_SECRET_ACCESS_KEY", "", err,
                          errsz);
        if (!rc)
            rc = copy_env(c->session_token, sizeof c->session_token, "AWS_SESSION_TOKEN", "", err,
                          errsz);
    } else {
        ecr_copy_str(c->access_key, sizeof c->access_key, ECR_TEST_ACCESS_KEY);
        ecr_copy_str(c->secret_key, sizeof c->secret_key, ECR_TEST_SECRET_KEY);
    }
    const char *region = getenv("AWS_REGION");
    const char *region_var = "AWS_REGION";
    if (!region || !*region)
        region_var = "AWS_DEFAULT_REGION";
    if (!rc)
        rc = copy_env(c->region, sizeof c->region, region_var, ECR_TEST_REGION, err, errsz);
    if (rc)
        OPENSSL_cleanse(c, sizeof *c);
    if (from_env)
        *from_env = env;
    return rc;
}

ecr_result ecrc_aws_sanitize_error_type(const char *raw, char *out, size_t outsz)
{
    if (!out || !outsz)
        return ECR_EINVAL;
    out[0] = '\0';
    if (!raw)
        return ECR_OK;
    size_t end = strcspn(raw, ":");
    const char *start = raw;
    const char *hash = memchr(raw, '#', end);
    if (hash)
        start = hash + 1;
    size_t n = (size_t)(raw + end - start);
    if (n >= outsz)
        return ECR_ETOOBIG;
    memcpy(out, start, n);
    out[n] = '\0';
    return ECR_OK;
}

const char *ecrc_aws_response_error_type(const aws_response *resp)
{
    if (resp && resp->error_type_too_long)
        return "(an error type longer than 255 bytes)";
    return resp ? resp->error_type : "";
}

/* transport_error holds libcurl's error buffer whole. */
_Static_assert(sizeof(((aws_response *)0)->transport_error) >= CURL_ERROR_SIZE,
               "transport_error must hold CURL_ERROR_SIZE bytes");
_Static_assert(ECRC_ERROR_TYPE_MAX == 256, "update the text in ecrc_aws_response_error_type");

const char *ecrc_aws_response_header(const aws_response *resp, const char *name)
{
    if (!resp || !name)
        return NULL;
    for (size_t i = 0; i < resp->nheaders; i++)
        if (strcasecmp(resp->headers[i].name, name) == 0)
            return resp->headers[i].value;
    return NULL;
}

static void free_headers(aws_header *h, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(h[i].name);
        free(h[i].value);
    }
    free(h);
}

void ecrc_aws_response_free(aws_response *resp)
{
    if (!resp)
        return;
    free_headers(resp->headers, resp->nheaders);
    free(resp->body);
    free(resp->error_message);
    memset(resp, 0, sizeof *resp);
}

/* ---- client ---- */

static char *url_part(CURLU *u, CURLUPart what, unsigned flags)
{
    char *part = NULL;
    if (curl_url_get(u, what, &part, flags) != CURLUE_OK)
        return NULL;
    return part;
}

/* Host header value: host, plus ":port" unless it is the scheme's default,
 * which is what libcurl itself sends. */
static char *host_header(CURLU *u)
{
    char *host = url_part(u, CURLUPART_HOST, 0);
    if (!host)
        return NULL;
    char *port = url_part(u, CURLUPART_PORT, CURLU_NO_DEFAULT_PORT);
    buf b;
    ecr_buf_init(&b, 1024);
    ecr_result rc = port ? ecr_buf_printf(&b, "%s:%s", host, port) : ecr_buf_puts(&b, host);
    curl_free(host);
    curl_free(port);
    if (rc) {
        ecr_buf_free(&b);
        return NULL;
    }
    return ecr_buf_steal(&b);
}

static int endpoint_setup(aws_client *c, const char *endpoint)
{
    c->base = curl_url();
    if (!c->base || curl_url_set(c->base, CURLUPART_URL, endpoint, 0) != CURLUE_OK)
        return -1;
    char *scheme = url_part(c->base, CURLUPART_SCHEME, 0);
    int web = scheme && (strcmp(scheme, "http") == 0 || strcmp(scheme, "https") == 0);
    curl_free(scheme);
    if (!web)
        return -1;
    /* Calls go to "<endpoint path>/": a query or fragment has no place. */
    if (curl_url_set(c->base, CURLUPART_QUERY, NULL, 0) != CURLUE_OK ||
        curl_url_set(c->base, CURLUPART_FRAGMENT, NULL, 0) != CURLUE_OK)
        return -1;
    char *path = url_part(c->base, CURLUPART_PATH, 0);
    if (!path)
        return -1;
    size_t plen = strlen(path);
    if (plen == 0 || path[plen - 1] != '/') {
        buf b;
        ecr_buf_init(&b, plen + 2);
        if (ecr_buf_printf(&b, "%s/", path)) {
            curl_free(path);
            ecr_buf_free(&b);
            return -1;
        }
        curl_free(path);
        CURLUcode uc = curl_url_set(c->base, CURLUPART_PATH, b.data, 0);
        ecr_buf_free(&b);
        if (uc != CURLUE_OK)
            return -1;
    } else {
        curl_free(path);
    }
    char *p = url_part(c->base, CURLUPART_PATH, 0);
    char *u = url_part(c->base, CURLUPART_URL, 0);
    c->path = p ? strdup(p) : NULL;
    c->url = u ? strdup(u) : NULL;
    curl_free(p);
    curl_free(u);
    c->host = host_header(c->base);
    return c->path && c->url && c->host ? 0 : -1;
}

aws_client *ecrc_aws_client_new(const char *endpoint, const aws_credentials *creds, long timeout_ms,
                                size_t max_response)
{
    if (!endpoint || !creds)
        return NULL;
    aws_client *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->creds = *creds;
    c->timeout_ms = timeout_ms > 0 ? timeout_ms : AWS_DEFAULT_TIMEOUT_MS;
    c->max_response = max_response ? max_response : AWS_DEFAULT_MAX_RESPONSE;
    c->easy = curl_easy_init();
    if (!c->easy || endpoint_setup(c, endpoint) != 0) {
        ecrc_aws_client_free(c);
        return NULL;
    }
    /* libcurl ignores uppercase HTTP_PROXY (a CGI could have it set from a
     * request's "Proxy:" header: httpoxy). The AWS CLI honours it outside a
     * CGI, and users expect the same, so we hand it to libcurl ourselves. */
    const char *lower = getenv("http_proxy"), *upper = getenv("HTTP_PROXY");
    if (!strncmp(c->url, "http://", 7) && !(lower && *lower) && upper && *upper &&
        !getenv("REQUEST_METHOD")) {
        c->upper_http_proxy = strdup(upper);
        if (!c->upper_http_proxy) {
            ecrc_aws_client_free(c);
            return NULL;
        }
    }
    return c;
}

void ecrc_aws_client_set_transport(aws_client *c, const aws_transport *t)
{
    if (c && t)
        c->tr = *t;
}

void ecrc_aws_client_free(aws_client *c)
{
    if (!c)
        return;
    if (c->easy)
        curl_easy_cleanup(c->easy);
    curl_url_cleanup(c->base);
    free(c->url);
    free(c->path);
    free(c->host);
    free(c->upper_http_proxy);
    OPENSSL_cleanse(&c->creds, sizeof c->creds);
    free(c);
}

/* ---- one transfer ---- */

typedef struct xfer {
    buf body;
    aws_header *hdrs; /* MAX_RESP_HEADERS slots, allocated on the first header */
    size_t nhdrs;
    size_t hdr_bytes;
    ecr_result fail; /* why a callback stopped the transfer */
} xfer;

static char *dup_trimmed(const char *s, size_t n)
{
    while (n && (*s == ' ' || *s == '\t')) {
        s++;
        n--;
    }
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
        n--;
    return ecr_strndup(s, n);
}

static size_t on_header(char *data, size_t size, size_t nitems, void *userdata)
{
    xfer *x = userdata;
    size_t len = size * nitems;
    /* A status line starts a response; keep only the last one's headers
     * (a "100 Continue" or any interim response is dropped). */
    if (len >= 5 && memcmp(data, "HTTP/", 5) == 0) {
        free_headers(x->hdrs, x->nhdrs);
        x->hdrs = NULL;
        x->nhdrs = 0;
        x->hdr_bytes = 0;
        return len;
    }
    const char *colon = memchr(data, ':', len);
    /* Blank end-of-headers line, obsolete line folding, or junk: skipped. */
    if (!colon || colon == data || data[0] == ' ' || data[0] == '\t')
        return len;
    x->hdr_bytes += len;
    if (x->nhdrs >= MAX_RESP_HEADERS || x->hdr_bytes > MAX_RESP_HEADER_BYTES) {
        x->fail = ECR_ETOOBIG;
        return 0;
    }
    if (!x->hdrs) {
        x->hdrs = calloc(MAX_RESP_HEADERS, sizeof *x->hdrs);
        if (!x->hdrs) {
            x->fail = ECR_ENOMEM;
            return 0;
        }
    }
    aws_header *h = &x->hdrs[x->nhdrs];
    h->name = dup_trimmed(data, (size_t)(colon - data));
    h->value = dup_trimmed(colon + 1, (size_t)(data + len - colon - 1));
    if (!h->name || !h->value) {
        free(h->name);
        free(h->value);
        h->name = h->value = NULL;
        x->fail = ECR_ENOMEM;
        return 0;
    }
    x->nhdrs++;
    return len;
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *userdata)
{
    xfer *x = userdata;
    size_t len = size * nmemb;
    ecr_result rc = ecr_buf_append(&x->body, data, len);
    if (rc) {
        x->fail = rc;
        return 0; /* makes libcurl abort with CURLE_WRITE_ERROR */
    }
    return len;
}

static ecr_result map_curl_error(CURLcode cc, const xfer *x)
{
    switch (cc) {
    case CURLE_OK:
        return ECR_OK;
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_USE_SSL_FAILED:
        return ECR_ECONNECT;
    case CURLE_OPERATION_TIMEDOUT:
        return ECR_ETIMEOUT;
    case CURLE_FILESIZE_EXCEEDED:
        return ECR_ETOOBIG;
    /* The target answered, badly: HTTP/0.9 or TLS bytes on an http URL, a
     * bad status line or chunk size, a body cut short or undecodable. That
     * is what it did, not "stopped answering". */
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_WEIRD_SERVER_REPLY:
    case CURLE_PARTIAL_FILE:
    case CURLE_BAD_CONTENT_ENCODING:
    case CURLE_RECV_ERROR:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_TOO_MANY_REDIRECTS:
        return ECR_EPROTO;
    case CURLE_WRITE_ERROR:
        return x->fail == ECR_ETOOBIG ? ECR_ETOOBIG : ECR_EHTTP;
    default:
        return ECR_EHTTP;
    }
}

/* Smithy awsJson1_1: X-Amzn-ErrorType, else body "code", else "__type";
 * message from "message" or "Message". A body that is not a JSON object
 * leaves both empty. */
static void parse_error(aws_response *resp)
{
    json_object *root = NULL;
    size_t rest;
    if (resp->body && resp->body_len)
        root = ecr_json_parse(resp->body, resp->body_len, ECR_JSON_PEER, &rest, NULL, NULL);
    if (root && !json_object_is_type(root, json_type_object)) {
        json_object_put(root);
        root = NULL;
    }

    const char *raw = ecrc_aws_response_header(resp, "X-Amzn-ErrorType");
    json_object *v;
    static const char *const type_keys[] = {"code", "__type"};
    for (size_t i = 0; i < 2 && (!raw || !*raw) && root; i++)
        if (json_object_object_get_ex(root, type_keys[i], &v) &&
            json_object_is_type(v, json_type_string))
            raw = json_object_get_string(v);
    if (ecrc_aws_sanitize_error_type(raw, resp->error_type, sizeof resp->error_type) == ECR_ETOOBIG)
        resp->error_type_too_long = 1;

    static const char *const msg_keys[] = {"message", "Message"};
    for (size_t i = 0; i < 2 && root && !resp->error_message; i++)
        if (json_object_object_get_ex(root, msg_keys[i], &v) &&
            json_object_is_type(v, json_type_string))
            resp->error_message = strdup(json_object_get_string(v));
    json_object_put(root);
}

/* Runs one exchange on c's handle. method NULL means POST. */
static ecr_result perform(aws_client *c, const char *method, const char *url,
                          struct curl_slist *headers, const char *body, size_t body_len,
                          aws_response *resp)
{
    xfer x;
    memset(&x, 0, sizeof x);
    /* toobig is exclusive: max_response bytes fit. */
    ecr_buf_init(&x.body, c->max_response < SIZE_MAX ? c->max_response + 1 : SIZE_MAX);
    c->errbuf[0] = '\0';

    CURL *e = c->easy;
    curl_easy_reset(e);
    long timeout_ms = c->timeout_ms;
    if (c->tr.deadline_ms > 0) {
        /* No request outlives the run's deadline; one past it times out at
         * once (1 ms: libcurl reads 0 as "no timeout"). */
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        double left = c->tr.deadline_ms - ((double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6);
        if (left < (double)timeout_ms)
            timeout_ms = left < 1.0 ? 1 : (long)left;
    }
    long connect_ms = timeout_ms < CONNECT_TIMEOUT_CAP_MS ? timeout_ms : CONNECT_TIMEOUT_CAP_MS;
    int ok =
        curl_easy_setopt(e, CURLOPT_URL, url) == CURLE_OK &&
        curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https") == CURLE_OK &&
        curl_easy_setopt(e, CURLOPT_ERRORBUFFER, c->errbuf) == CURLE_OK &&
        curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L) == CURLE_OK &&
        curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, timeout_ms) == CURLE_OK &&
        curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, connect_ms) == CURLE_OK &&
        /* The AWS SDKs speak HTTP/1.1 to ECR; so do we, on TLS too. */
        curl_easy_setopt(e, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1) == CURLE_OK &&
        curl_easy_setopt(e, CURLOPT_HTTPHEADER, headers) == CURLE_OK &&
        curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header) == CURLE_OK &&
        curl_easy_setopt(e, CURLOPT_HEADERDATA, &x) == CURLE_OK &&
        curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body) == CURLE_OK &&
        curl_easy_setopt(e, CURLOPT_WRITEDATA, &x) == CURLE_OK &&
        /* Refuses early when Content-Length announces too much. */
        curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE,
                         c->max_response < (size_t)INT64_MAX ? (curl_off_t)c->max_response
                                                             : (curl_off_t)INT64_MAX) == CURLE_OK &&
        curl_easy_setopt(e, CURLOPT_USERAGENT, "ecrconform/" ECRCONFORM_VERSION) == CURLE_OK;
    /* TLS and proxy (aws_transport). CURLOPT_PROXY "" disables every proxy,
     * including the environment's: loopback traffic to the built-in
     * emulator must never leave through one. */
    if (ok && c->tr.ca_bundle)
        ok = curl_easy_setopt(e, CURLOPT_CAINFO, c->tr.ca_bundle) == CURLE_OK;
    if (ok && c->tr.insecure)
        ok = curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L) == CURLE_OK &&
             curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L) == CURLE_OK;
    if (ok && c->tr.no_proxy)
        ok = curl_easy_setopt(e, CURLOPT_PROXY, "") == CURLE_OK;
    else if (ok && c->upper_http_proxy) /* no_proxy / NO_PROXY still apply (libcurl) */
        ok = curl_easy_setopt(e, CURLOPT_PROXY, c->upper_http_proxy) == CURLE_OK;
    if (ok && (!method || strcmp(method, "POST") == 0 || body)) {
        ok = curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len) == CURLE_OK &&
             curl_easy_setopt(e, CURLOPT_POSTFIELDS, body ? body : "") == CURLE_OK;
    }
    if (ok && method && strcmp(method, "POST") != 0) {
        if (strcmp(method, "GET") == 0 && !body)
            ok = curl_easy_setopt(e, CURLOPT_HTTPGET, 1L) == CURLE_OK;
        else if (strcmp(method, "HEAD") == 0)
            ok = curl_easy_setopt(e, CURLOPT_NOBODY, 1L) == CURLE_OK;
        else
            ok = curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, method) == CURLE_OK;
    }

    ecr_result rc;
    if (!ok) {
        snprintf(resp->transport_error, sizeof resp->transport_error, "libcurl refused an option");
        rc = ECR_EHTTP;
    } else {
        ecrc_ratelimit_acquire(c->tr.limiter);
        CURLcode cc = curl_easy_perform(e);
        long status = 0;
        curl_off_t total_us = 0;
        curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
        curl_easy_getinfo(e, CURLINFO_TOTAL_TIME_T, &total_us);
        resp->status = status;
        resp->elapsed_ms = (double)total_us / 1000.0;
        if (cc == CURLE_OK) /* a quarter of the newest: a few requests adapt it */
            c->rtt_ms =
                c->rtt_ms > 0 ? 0.75 * c->rtt_ms + 0.25 * resp->elapsed_ms : resp->elapsed_ms;
        rc = map_curl_error(cc, &x);
        if (cc != CURLE_OK) {
            if (x.fail == ECR_ETOOBIG)
                snprintf(resp->transport_error, sizeof resp->transport_error,
                         "response exceeds its cap (%zu body bytes, %u headers, %u header "
                         "bytes)",
                         c->max_response, (unsigned)MAX_RESP_HEADERS,
                         (unsigned)MAX_RESP_HEADER_BYTES);
            else
                snprintf(resp->transport_error, sizeof resp->transport_error, "%s%s",
                         c->errbuf[0] ? c->errbuf : curl_easy_strerror(cc),
                         /* libcurl calls any answer without a status line
                          * HTTP/0.9; on http:// the usual one is TLS */
                         cc == CURLE_UNSUPPORTED_PROTOCOL && strstr(c->errbuf, "HTTP/0.9") &&
                                 strncmp(c->url, "http://", 7) == 0
                             ? " (no HTTP status line: a TLS server behind an http:// URL "
                               "answers so; try https://)"
                             : "");
        }
    }
    /* Detach our stack objects from the handle before they go away. */
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, NULL);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, NULL);

    resp->headers = x.hdrs;
    resp->nheaders = x.nhdrs;
    resp->body_len = x.body.len;
    resp->body = ecr_buf_steal(&x.body);
    if (!resp->body && rc == ECR_OK)
        rc = ECR_ENOMEM;
    if (rc == ECR_OK && resp->status >= 300)
        parse_error(resp);
    return rc;
}

double ecrc_aws_client_rtt_ms(const aws_client *c)
{
    return c ? c->rtt_ms : 0;
}

/* ---- requests ---- */

typedef struct hv {
    const char *name;
    const char *value;
    int is_default; /* may still be replaced by an extra header */
} hv;

static int header_ok(const char *name, const char *value)
{
    if (!name || !*name || !value || strpbrk(name, ":\r\n \t") || strpbrk(value, "\r\n"))
        return 0;
    return 1;
}

static ecr_result slist_add(struct curl_slist **list, const char *name, const char *value)
{
    buf line;
    ecr_buf_init(&line, MAX_REQ_STRING);
    /* "Name;" is libcurl's way to send a header with an empty value. */
    ecr_result rc =
        *value ? ecr_buf_printf(&line, "%s: %s", name, value) : ecr_buf_printf(&line, "%s;", name);
    if (!rc) {
        struct curl_slist *l = curl_slist_append(*list, line.data);
        if (l)
            *list = l;
        else
            rc = ECR_ENOMEM;
    }
    ecr_buf_free(&line);
    return rc;
}

static const char *find_hv(const hv *h, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcasecmp(h[i].name, name) == 0)
            return h[i].value;
    return NULL;
}

/* Drops libcurl's own Expect and Accept headers unless the caller set them:
 * neither is part of what an AWS SDK sends. */
static ecr_result add_suppressions(struct curl_slist **list, const hv *h, size_t n)
{
    static const char *const drop[][2] = {{"Expect", "Expect:"}, {"Accept", "Accept:"}};
    for (size_t i = 0; i < 2; i++) {
        if (find_hv(h, n, drop[i][0]))
            continue;
        struct curl_slist *l = curl_slist_append(*list, drop[i][1]);
        if (!l)
            return ECR_ENOMEM;
        *list = l;
    }
    return ECR_OK;
}

/* Signs h[0..n) and appends the Authorization header to list. */
static ecr_result add_authorization(aws_client *c, const aws_request *req, const hv *h, size_t n,
                                    const char *body, size_t body_len, const char *amz_date,
                                    struct curl_slist **list)
{
    sigv4_header *sh = calloc(n ? n : 1, sizeof *sh);
    if (!sh)
        return ECR_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        sh[i].name = h[i].name;
        sh[i].value = h[i].value;
    }
    char secret[sizeof c->creds.secret_key + sizeof WRONG_SECRET_SUFFIX];
    snprintf(secret, sizeof secret, "%s%s", c->creds.secret_key,
             req->auth == ECRC_SIGN_WRONG_SECRET ? WRONG_SECRET_SUFFIX : "");
    sigv4_credentials creds = {req->auth == ECRC_SIGN_UNKNOWN_KEY ? ECRC_UNKNOWN_ACCESS_KEY
                                                                  : c->creds.access_key,
                               secret, c->creds.session_token};
    sigv4_scope scope = {amz_date, c->creds.region, ECR_SIGNING_SERVICE};
    sigv4_request sr = {"POST", c->path, NULL, sh, n, body, body_len};
    buf auth;
    ecr_buf_init(&auth, MAX_REQ_STRING);
    ecr_result rc = ecr_sigv4_authorization(&sr, &creds, &scope, &auth);
    if (!rc)
        rc = slist_add(list, "Authorization", auth.data);
    ecr_buf_free(&auth);
    free(sh);
    OPENSSL_cleanse(secret, sizeof secret);
    return rc;
}

ecr_result ecrc_aws_client_call(aws_client *c, const aws_request *req, aws_response *resp)
{
    if (!resp)
        return ECR_EINVAL;
    memset(resp, 0, sizeof *resp);
    if (!c || !req || (!req->target && !req->operation) || (req->nheaders && !req->headers)) {
        snprintf(resp->transport_error, sizeof resp->transport_error, "invalid request");
        return ECR_EINVAL;
    }
    const char *body = req->body ? req->body : "{}";
    size_t body_len = req->body ? req->body_len : 2;

    char now[17];
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(now, sizeof now, "%Y%m%dT%H%M%SZ", &tm);

    buf target;
    ecr_buf_init(&target, MAX_REQ_STRING);
    ecr_result rc = req->target ? ecr_buf_puts(&target, req->target)
                                : ecr_buf_printf(&target, ECR_TARGET_PREFIX "%s", req->operation);

    size_t cap = 5 + req->nheaders, n = 0;
    hv *h = calloc(cap, sizeof *h);
    if (!h && !rc)
        rc = ECR_ENOMEM;
    if (!rc) {
        h[n++] = (hv){"Content-Type", ECR_CONTENT_TYPE, 1};
        h[n++] = (hv){"Host", c->host, 1};
        h[n++] = (hv){"X-Amz-Date", now, 1};
        h[n++] = (hv){"X-Amz-Target", target.data, 1};
        if (c->creds.session_token[0] && req->auth != ECRC_SIGN_NONE)
            h[n++] = (hv){"X-Amz-Security-Token", c->creds.session_token, 1};
    }
    const char *literal_auth = NULL;
    for (size_t i = 0; i < req->nheaders && !rc; i++) {
        const aws_header *x = &req->headers[i];
        if (!header_ok(x->name, x->value)) {
            rc = ECR_EINVAL;
            break;
        }
        /* A literal Authorization is sent as given, never signed. */
        if (strcasecmp(x->name, "Authorization") == 0) {
            literal_auth = x->value;
            continue;
        }
        size_t j = 0;
        while (j < n && !(h[j].is_default && strcasecmp(h[j].name, x->name) == 0))
            j++;
        h[j] = (hv){x->name, x->value, 0};
        if (j == n)
            n++;
    }
    if (rc == ECR_EINVAL)
        snprintf(resp->transport_error, sizeof resp->transport_error,
                 "invalid extra header (empty name, ':', whitespace or CR/LF)");

    struct curl_slist *list = NULL;
    for (size_t i = 0; i < n && !rc; i++)
        rc = slist_add(&list, h[i].name, h[i].value);
    if (!rc)
        rc = add_suppressions(&list, h, n);
    if (!rc && literal_auth) {
        rc = slist_add(&list, "Authorization", literal_auth);
    } else if (!rc && req->auth != ECRC_SIGN_NONE) {
        /* A replaced X-Amz-Date is what the target sees, so sign with it
         * (clock-skew cases); one that is not a SigV4 date cannot key a
         * signature, and the target will refuse it anyway. */
        const char *date = find_hv(h, n, "X-Amz-Date");
        rc = add_authorization(c, req, h, n, body, body_len, ecr_valid_amz_date(date) ? date : now,
                               &list);
    }
    if (rc && !resp->transport_error[0])
        snprintf(resp->transport_error, sizeof resp->transport_error,
                 "cannot build the request: %s", ecr_strerror(rc));
    if (!rc)
        rc = perform(c, NULL, c->url, list, body, body_len, resp);

    curl_slist_free_all(list);
    free(h);
    ecr_buf_free(&target);
    return rc;
}

static int method_ok(const char *m)
{
    size_t n = 0;
    for (; m[n]; n++)
        if (m[n] < 'A' || m[n] > 'Z')
            return 0;
    return n > 0 && n <= 16;
}

ecr_result ecrc_aws_client_plain(aws_client *c, const char *method, const char *path,
                                 const char *body, aws_response *resp)
{
    if (!resp)
        return ECR_EINVAL;
    memset(resp, 0, sizeof *resp);
    if (!c || !method || !method_ok(method) || !path || path[0] != '/' ||
        strpbrk(path, " \t\r\n")) {
        snprintf(resp->transport_error, sizeof resp->transport_error, "invalid request");
        return ECR_EINVAL;
    }
    /* Resolve path as a reference against the endpoint (libcurl's parser
     * does the work: path and query replace the endpoint's). */
    CURLU *u = curl_url_dup(c->base);
    char *url = NULL;
    if (!u || curl_url_set(u, CURLUPART_URL, path, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_URL, &url, 0) != CURLUE_OK) {
        curl_url_cleanup(u);
        snprintf(resp->transport_error, sizeof resp->transport_error, "invalid path");
        return ECR_EINVAL;
    }
    curl_url_cleanup(u);

    struct curl_slist *list = NULL;
    ecr_result rc = ECR_OK;
    if (body)
        rc = slist_add(&list, "Content-Type", "application/json");
    if (!rc) /* the control interface refuses requests without it */
        rc = slist_add(&list, ECR_CONTROL_HEADER, ECR_CONTROL_HEADER_VALUE);
    if (!rc)
        rc = add_suppressions(&list, NULL, 0);
    if (!rc)
        rc = perform(c, method, url, list, body, body ? strlen(body) : 0, resp);
    else
        snprintf(resp->transport_error, sizeof resp->transport_error, "out of memory");
    curl_slist_free_all(list);
    curl_free(url);
    return rc;
}
