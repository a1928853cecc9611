#include "ecr/sigv4.h"

#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

#include "ecr/digest.h"
#include "ecr/protocol.h"
#include "ecr/util.h"

#define ALGORITHM "AWS4-HMAC-SHA256"
#define TERMINATOR "aws4_request"

/* Cap of the internal canonical request / string-to-sign buffers. A request
 * ECR accepts has a handful of headers (a session token is the largest at a
 * few KiB); the emulator verifies peer requests here, so the bound matters. */
#define MAX_CANONICAL (256u * 1024u)

static int is_unreserved(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.' || c == '~';
}

static int is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

static unsigned char ascii_lower(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') ? (unsigned char)(c - 'A' + 'a') : c;
}

/* The whitespace botocore's trimall (str.split) removes, limited to ASCII:
 * canonical values must not depend on the locale. */
static int is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* Byte order of the lower-cased names, without copying them. */
static int name_cmp(const char *a, const char *b)
{
    for (;; a++, b++) {
        unsigned char ca = ascii_lower((unsigned char)*a), cb = ascii_lower((unsigned char)*b);
        if (ca != cb || !ca)
            return (int)ca - (int)cb;
    }
}

/* A scope component must not be able to forge scope or line separators. */
static int valid_scope_part(const char *s)
{
    if (!s || !*s)
        return 0;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c <= ' ' || c >= 0x7f || c == '/' || c == ',')
            return 0;
    }
    return 1;
}

static ecr_result check_scope(const sigv4_scope *scope)
{
    if (!scope || !ecr_valid_amz_date(scope->amz_date) || !valid_scope_part(scope->region) ||
        !valid_scope_part(scope->service))
        return ECR_EINVAL;
    return ECR_OK;
}

static ecr_result uri_encode(buf *out, const unsigned char *s, size_t n, int keep_slash)
{
    static const char hex[] = "0123456789ABCDEF";
    for (size_t i = 0; i < n; i++) {
        ecr_result rc;
        if (is_unreserved(s[i]) || (keep_slash && s[i] == '/')) {
            rc = ecr_buf_append(out, &s[i], 1);
        } else {
            char esc[3] = {'%', hex[s[i] >> 4], hex[s[i] & 0x0f]};
            rc = ecr_buf_append(out, esc, 3);
        }
        if (rc)
            return rc;
    }
    return ECR_OK;
}

/* The raw path as on the request line, with dot segments and empty segments
 * removed (RFC 3986 5.2.4; AWS also drops consecutive slashes), then encoded
 * once more: "%20" on the wire becomes "%2520", which is what the AWS
 * documentation calls double encoding for non-S3 services. Mirrors botocore's
 * normalize_url_path + quote(safe='/~'). */
static ecr_result canonical_path(const char *path, buf *out)
{
    size_t len = strlen(path);
    if (len == 0)
        return ecr_buf_puts(out, "/");

    size_t maxseg = 1;
    for (size_t i = 0; i < len; i++)
        if (path[i] == '/')
            maxseg++;
    const char **seg = malloc(maxseg * sizeof *seg);
    size_t *seglen = malloc(maxseg * sizeof *seglen);
    if (!seg || !seglen) {
        free(seg);
        free(seglen);
        return ECR_ENOMEM;
    }

    size_t nseg = 0;
    for (const char *p = path; p <= path + len;) {
        const char *end = memchr(p, '/', (size_t)(path + len - p));
        if (!end)
            end = path + len;
        size_t n = (size_t)(end - p);
        if (n == 2 && p[0] == '.' && p[1] == '.') {
            if (nseg)
                nseg--;
        } else if (n > 0 && !(n == 1 && p[0] == '.')) {
            seg[nseg] = p;
            seglen[nseg++] = n;
        }
        p = end + 1;
    }

    ecr_result rc = ECR_OK;
    if (path[0] == '/')
        rc = ecr_buf_puts(out, "/");
    for (size_t i = 0; i < nseg && !rc; i++) {
        if (i)
            rc = ecr_buf_puts(out, "/");
        if (!rc)
            rc = uri_encode(out, (const unsigned char *)seg[i], seglen[i], 0);
    }
    if (!rc && path[len - 1] == '/' && nseg)
        rc = ecr_buf_puts(out, "/");
    free(seg);
    free(seglen);
    return rc;
}

typedef struct qparam {
    char *name;  /* canonical (encoded) */
    char *value; /* canonical (encoded) */
} qparam;

static int qparam_cmp(const void *a, const void *b)
{
    const qparam *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    return c ? c : strcmp(x->value, y->value);
}

/* Decodes %XX escapes of s[0..n) (a '%' not followed by two hex digits stays
 * literal) and encodes the result canonically, so a raw query from a request
 * line and one built from decoded parameters sign the same way. '+' is a
 * literal plus, as in RFC 3986. Returns a malloc'd string or NULL. */
static char *canonical_component(const char *s, size_t n)
{
    buf dec, enc;
    ecr_buf_init(&dec, MAX_CANONICAL);
    ecr_buf_init(&enc, MAX_CANONICAL);
    ecr_result rc = ecr_buf_append(&dec, "", 0);
    for (size_t i = 0; i < n && !rc; i++) {
        unsigned char c = (unsigned char)s[i];
        int hi, lo;
        if (c == '%' && i + 2 < n && (hi = ecr_hex_value((unsigned char)s[i + 1])) >= 0 &&
            (lo = ecr_hex_value((unsigned char)s[i + 2])) >= 0) {
            c = (unsigned char)(hi * 16 + lo);
            i += 2;
        }
        rc = ecr_buf_append(&dec, &c, 1);
    }
    if (!rc)
        rc = ecr_buf_append(&enc, "", 0);
    if (!rc)
        rc = uri_encode(&enc, (const unsigned char *)dec.data, dec.len, 0);
    ecr_buf_free(&dec);
    if (rc) {
        ecr_buf_free(&enc);
        return NULL;
    }
    return ecr_buf_steal(&enc);
}

/* Parameters sorted by encoded name, then encoded value; a name without '='
 * gets an empty value ("flag" -> "flag="); empty pairs ("a&&b") are dropped. */
static ecr_result canonical_query(const char *query, buf *out)
{
    if (!query || !*query)
        return ECR_OK;
    size_t len = strlen(query), max = 1;
    for (size_t i = 0; i < len; i++)
        if (query[i] == '&')
            max++;
    qparam *qp = calloc(max, sizeof *qp);
    if (!qp)
        return ECR_ENOMEM;

    ecr_result rc = ECR_OK;
    size_t n = 0;
    for (const char *p = query; p <= query + len && !rc;) {
        const char *end = memchr(p, '&', (size_t)(query + len - p));
        if (!end)
            end = query + len;
        if (end > p) {
            const char *eq = memchr(p, '=', (size_t)(end - p));
            const char *vstart = eq ? eq + 1 : end;
            qp[n].name = canonical_component(p, (size_t)((eq ? eq : end) - p));
            qp[n].value = canonical_component(vstart, (size_t)(end - vstart));
            n++;
            if (!qp[n - 1].name || !qp[n - 1].value)
                rc = ECR_ENOMEM;
        }
        p = end + 1;
    }
    if (!rc)
        qsort(qp, n, sizeof *qp, qparam_cmp);
    for (size_t i = 0; i < n && !rc; i++)
        rc = ecr_buf_printf(out, "%s%s=%s", i ? "&" : "", qp[i].name, qp[i].value);
    for (size_t i = 0; i < n; i++) {
        free(qp[i].name);
        free(qp[i].value);
    }
    free(qp);
    return rc;
}

typedef struct hdr_ref {
    const sigv4_header *h;
    size_t index; /* request order, so duplicate names keep their order */
} hdr_ref;

static int hdr_ref_cmp(const void *a, const void *b)
{
    const hdr_ref *x = a, *y = b;
    int c = name_cmp(x->h->name, y->h->name);
    if (c)
        return c;
    return (x->index > y->index) - (x->index < y->index);
}

static ecr_result append_lower(buf *out, const char *s)
{
    for (; *s; s++) {
        unsigned char c = ascii_lower((unsigned char)*s);
        ecr_result rc = ecr_buf_append(out, &c, 1);
        if (rc)
            return rc;
    }
    return ECR_OK;
}

/* Trimall: no leading/trailing whitespace, inner runs become one space. */
static ecr_result append_trimmed(buf *out, const char *v)
{
    int pending = 0, any = 0;
    for (; v && *v; v++) {
        unsigned char c = (unsigned char)*v;
        if (is_space(c)) {
            pending = any;
            continue;
        }
        ecr_result rc = ECR_OK;
        if (pending)
            rc = ecr_buf_append(out, " ", 1);
        if (!rc)
            rc = ecr_buf_append(out, &c, 1);
        if (rc)
            return rc;
        pending = 0;
        any = 1;
    }
    return ECR_OK;
}

/* Canonical header lines (each ending in '\n') into lines, the signed header
 * list into names; either may be NULL. */
static ecr_result canonical_headers(const sigv4_request *req, buf *lines, buf *names)
{
    if (req->nheaders && !req->headers)
        return ECR_EINVAL;
    for (size_t i = 0; i < req->nheaders; i++)
        if (!req->headers[i].name || !req->headers[i].name[0])
            return ECR_EINVAL;
    if (req->nheaders == 0)
        return ECR_OK;

    hdr_ref *refs = malloc(req->nheaders * sizeof *refs);
    if (!refs)
        return ECR_ENOMEM;
    for (size_t i = 0; i < req->nheaders; i++) {
        refs[i].h = &req->headers[i];
        refs[i].index = i;
    }
    qsort(refs, req->nheaders, sizeof *refs, hdr_ref_cmp);

    ecr_result rc = ECR_OK;
    for (size_t i = 0; i < req->nheaders && !rc; i++) {
        int first = i == 0 || name_cmp(refs[i - 1].h->name, refs[i].h->name) != 0;
        int last = i + 1 == req->nheaders || name_cmp(refs[i + 1].h->name, refs[i].h->name) != 0;
        if (first) {
            if (names && i)
                rc = ecr_buf_puts(names, ";");
            if (names && !rc)
                rc = append_lower(names, refs[i].h->name);
            if (lines && !rc)
                rc = append_lower(lines, refs[i].h->name);
            if (lines && !rc)
                rc = ecr_buf_puts(lines, ":");
        } else if (lines) {
            rc = ecr_buf_puts(lines, ",");
        }
        if (lines && !rc)
            rc = append_trimmed(lines, refs[i].h->value);
        if (lines && !rc && last)
            rc = ecr_buf_puts(lines, "\n");
    }
    free(refs);
    return rc;
}

ecr_result ecr_sigv4_canonical_request(const sigv4_request *req, buf *out)
{
    if (!req || !req->method || !req->path || !out || (req->payload_len && !req->payload))
        return ECR_EINVAL;

    char payload_hash[65];
    ecr_result rc =
        ecr_digest_sha256_hex(req->payload_len ? req->payload : "", req->payload_len, payload_hash);
    if (rc)
        return rc;

    rc = ecr_buf_printf(out, "%s\n", req->method);
    if (!rc)
        rc = canonical_path(req->path, out);
    if (!rc)
        rc = ecr_buf_puts(out, "\n");
    if (!rc)
        rc = canonical_query(req->query, out);
    if (!rc)
        rc = ecr_buf_puts(out, "\n");
    if (!rc)
        rc = canonical_headers(req, out, NULL);
    if (!rc)
        rc = ecr_buf_puts(out, "\n");
    if (!rc)
        rc = canonical_headers(req, NULL, out);
    if (!rc)
        rc = ecr_buf_printf(out, "\n%s", payload_hash);
    return rc;
}

ecr_result ecr_sigv4_string_to_sign(const char *canonical_request, const sigv4_scope *scope,
                                    buf *out)
{
    if (!canonical_request || !out)
        return ECR_EINVAL;
    ecr_result rc = check_scope(scope);
    if (rc)
        return rc;
    char hash[65];
    rc = ecr_digest_sha256_hex(canonical_request, strlen(canonical_request), hash);
    if (rc)
        return rc;
    return ecr_buf_printf(out, ALGORITHM "\n%s\n%.8s/%s/%s/" TERMINATOR "\n%s", scope->amz_date,
                          scope->amz_date, scope->region, scope->service, hash);
}

static ecr_result hmac_sha256(const void *key, size_t keylen, const char *msg,
                              unsigned char out[32])
{
    return ecr_hmac_sha256(key, keylen, msg, strlen(msg), out);
}

/* The signing key depends only on the secret, the date, the region and the
 * service, so each thread keeps the last few it derived (issue 12: four
 * one-shot HMACs per request were most of SigV4's cost). An entry is found
 * by a SHA-256 fingerprint of those inputs, so the secret itself is not kept;
 * the derived key is, as long as the thread lives (it is what signs and
 * verifies requests of that day). */
#define KEY_CACHE 4
typedef struct key_cache_ent {
    unsigned char fp[32];
    unsigned char key[32];
    int used;
} key_cache_ent;
static _Thread_local key_cache_ent key_cache[KEY_CACHE];
static _Thread_local unsigned key_cache_next;

/* kSigning = HMAC chain over "AWS4"+secret, yyyymmdd, region, service,
 * "aws4_request". */
static ecr_result signing_key(const char *secret, const char *date, const sigv4_scope *scope,
                              unsigned char key[32])
{
    buf k;
    ecr_buf_init(&k, 4096);
    /* The fingerprint's input: the four parts, each NUL-terminated. */
    const char *parts[] = {secret, date, scope->region, scope->service};
    ecr_result rc = ECR_OK;
    for (size_t i = 0; i < 4 && !rc; i++)
        rc = ecr_buf_append(&k, parts[i], strlen(parts[i]) + 1);
    unsigned char fp[32];
    if (!rc)
        rc = ecr_sha256(k.data, k.len, fp);
    for (int i = 0; !rc && i < KEY_CACHE; i++) {
        if (key_cache[i].used && CRYPTO_memcmp(key_cache[i].fp, fp, sizeof fp) == 0) {
            memcpy(key, key_cache[i].key, 32);
            OPENSSL_cleanse(k.data, k.len);
            ecr_buf_free(&k);
            return ECR_OK;
        }
    }
    if (!rc) {
        ecr_buf_reset(&k);
        rc = ecr_buf_printf(&k, "AWS4%s", secret);
    }
    unsigned char a[32];
    if (!rc)
        rc = hmac_sha256(k.data, k.len, date, a);
    if (!rc)
        rc = hmac_sha256(a, sizeof a, scope->region, key);
    if (!rc)
        rc = hmac_sha256(key, 32, scope->service, a);
    if (!rc)
        rc = hmac_sha256(a, sizeof a, TERMINATOR, key);
    if (!rc) {
        key_cache_ent *e = &key_cache[key_cache_next++ % KEY_CACHE];
        memcpy(e->fp, fp, sizeof fp);
        memcpy(e->key, key, 32);
        e->used = 1;
    }
    /* The secret's copies and the intermediate keys do not stay. */
    if (k.data)
        OPENSSL_cleanse(k.data, k.len);
    ecr_buf_free(&k);
    OPENSSL_cleanse(a, sizeof a);
    return rc;
}

/* The hex HMAC of the string to sign under the signing key. */
static ecr_result sign_string(const char *sts, const char *secret, const sigv4_scope *scope,
                              char sig_hex[65])
{
    static const char hex[] = "0123456789abcdef";
    char date[9];
    memcpy(date, scope->amz_date, 8);
    date[8] = '\0';

    unsigned char key[32], a[32];
    ecr_result rc = signing_key(secret, date, scope, key);
    if (!rc)
        rc = hmac_sha256(key, sizeof key, sts, a);
    if (!rc) {
        for (int i = 0; i < 32; i++) {
            sig_hex[2 * i] = hex[a[i] >> 4];
            sig_hex[2 * i + 1] = hex[a[i] & 0x0f];
        }
        sig_hex[64] = '\0';
    }
    OPENSSL_cleanse(key, sizeof key);
    OPENSSL_cleanse(a, sizeof a);
    return rc;
}

ecr_result ecr_sigv4_signature(const sigv4_request *req, const sigv4_credentials *creds,
                               const sigv4_scope *scope, char sig_hex[65])
{
    sig_hex[0] = '\0';
    if (!creds || !creds->secret_key)
        return ECR_EINVAL;
    ecr_result rc = check_scope(scope);
    if (rc)
        return rc;

    buf canon, sts;
    ecr_buf_init(&canon, MAX_CANONICAL);
    ecr_buf_init(&sts, MAX_CANONICAL);
    rc = ecr_sigv4_canonical_request(req, &canon);
    if (!rc)
        rc = ecr_sigv4_string_to_sign(canon.data, scope, &sts);
    if (!rc)
        rc = sign_string(sts.data, creds->secret_key, scope, sig_hex);
    ecr_buf_free(&canon);
    ecr_buf_free(&sts);
    return rc;
}

ecr_result ecr_sigv4_authorization(const sigv4_request *req, const sigv4_credentials *creds,
                                   const sigv4_scope *scope, buf *out)
{
    if (!creds || !valid_scope_part(creds->access_key) || !out)
        return ECR_EINVAL;
    char sig[65];
    ecr_result rc = ecr_sigv4_signature(req, creds, scope, sig);
    if (rc)
        return rc;
    buf names;
    ecr_buf_init(&names, MAX_CANONICAL);
    rc = canonical_headers(req, NULL, &names);
    if (!rc)
        rc = ecr_buf_printf(out,
                            ALGORITHM " Credential=%s/%.8s/%s/%s/" TERMINATOR
                                      ", SignedHeaders=%s, Signature=%s",
                            creds->access_key, scope->amz_date, scope->region, scope->service,
                            names.data ? names.data : "", sig);
    ecr_buf_free(&names);
    return rc;
}

/* ---- parsing (peer data: strict, bounded, no allocation) ---- */

static int is_tchar_lower(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || is_digit(c) || (c && strchr("!#$%&'*+-.^_`|~", c));
}

static int is_scope_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '-' ||
           c == '_' || c == '.';
}

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        s[--n] = '\0';
    return s;
}

/* "AK/yyyymmdd/region/service/aws4_request", split in place. */
static ecr_result parse_credential(char *v, sigv4_auth *out)
{
    char *part[5];
    int n = 0;
    for (char *p = v;;) {
        char *slash = strchr(p, '/');
        if (n == 5)
            return ECR_EPARSE;
        part[n++] = p;
        if (!slash)
            break;
        *slash = '\0';
        p = slash + 1;
    }
    if (n != 5 || strcmp(part[4], TERMINATOR) != 0)
        return ECR_EPARSE;
    for (int i = 0; i < 4; i++)
        if (!*part[i])
            return ECR_EPARSE;
    for (const char *p = part[0]; *p; p++)
        if ((unsigned char)*p <= ' ' || (unsigned char)*p >= 0x7f || *p == ',')
            return ECR_EPARSE;
    if (strlen(part[1]) != 8)
        return ECR_EPARSE;
    for (const char *p = part[1]; *p; p++)
        if (!is_digit((unsigned char)*p))
            return ECR_EPARSE;
    for (int i = 2; i < 4; i++)
        for (const char *p = part[i]; *p; p++)
            if (!is_scope_char((unsigned char)*p))
                return ECR_EPARSE;
    out->access_key = part[0];
    out->date = part[1];
    out->region = part[2];
    out->service = part[3];
    return ECR_OK;
}

static int valid_signed_headers(const char *v)
{
    int empty_item = 1;
    for (; *v; v++) {
        if (*v == ';') {
            if (empty_item)
                return 0;
            empty_item = 1;
        } else if (is_tchar_lower((unsigned char)*v)) {
            empty_item = 0;
        } else {
            return 0;
        }
    }
    return !empty_item;
}

static int valid_signature(const char *v)
{
    size_t n = 0;
    for (; v[n]; n++)
        if (!is_digit((unsigned char)v[n]) && !(v[n] >= 'a' && v[n] <= 'f'))
            return 0;
    return n == 64;
}

static ecr_result parse_authorization(const char *value, sigv4_auth *out)
{
    if (!value)
        return ECR_EPARSE;
    size_t len = strnlen(value, sizeof out->storage);
    if (len == sizeof out->storage)
        return ECR_ETOOBIG;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)value[i];
        if ((c < ' ' && c != '\t') || c >= 0x7f)
            return ECR_EPARSE;
    }
    memcpy(out->storage, value, len + 1);

    size_t alen = strlen(ALGORITHM);
    char *p = out->storage;
    if (strncmp(p, ALGORITHM, alen) != 0 || (p[alen] != ' ' && p[alen] != '\t'))
        return ECR_EPARSE;
    p += alen;

    const char *credential = NULL, *signed_headers = NULL, *signature = NULL;
    char *cred_value = NULL;
    for (;;) {
        char *comma = strchr(p, ',');
        if (comma)
            *comma = '\0';
        char *item = trim(p);
        char *eq = strchr(item, '=');
        if (!eq || eq == item)
            return ECR_EPARSE;
        *eq = '\0';
        char *v = eq + 1;
        const char **slot = NULL;
        if (strcmp(item, "Credential") == 0)
            slot = &credential;
        else if (strcmp(item, "SignedHeaders") == 0)
            slot = &signed_headers;
        else if (strcmp(item, "Signature") == 0)
            slot = &signature;
        if (!slot || *slot || !*v)
            return ECR_EPARSE;
        *slot = v;
        if (slot == &credential)
            cred_value = v;
        if (!comma)
            break;
        p = comma + 1;
    }
    if (!credential || !signed_headers || !signature)
        return ECR_EPARSE;
    if (!valid_signed_headers(signed_headers) || !valid_signature(signature))
        return ECR_EPARSE;
    ecr_result rc = parse_credential(cred_value, out);
    if (rc)
        return rc;
    out->signed_headers = signed_headers;
    out->signature = signature;
    return ECR_OK;
}

ecr_result ecr_sigv4_parse_authorization(const char *value, sigv4_auth *out)
{
    if (!out)
        return ECR_EINVAL;
    memset(out, 0, sizeof *out);
    ecr_result rc = parse_authorization(value, out);
    if (rc)
        memset(out, 0, sizeof *out);
    return rc;
}

/* ---- verification ---- */

/* Whether name (any case) is one of the ';'-separated lower-case names. */
static int in_list(const char *list, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = list; *p;) {
        const char *end = strchr(p, ';');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len == n) {
            size_t i = 0;
            while (i < n && ascii_lower((unsigned char)name[i]) == (unsigned char)p[i])
                i++;
            if (i == n)
                return 1;
        }
        if (!end)
            break;
        p = end + 1;
    }
    return 0;
}

ecr_result ecr_sigv4_verify(const sigv4_request *req, const sigv4_auth *auth, const char *amz_date,
                            const char *secret_key)
{
    if (!req || !auth || !auth->access_key || !auth->date || !auth->region || !auth->service ||
        !auth->signed_headers || !auth->signature || !secret_key ||
        (req->nheaders && !req->headers))
        return ECR_EINVAL;
    /* The credential scope must name the day of X-Amz-Date (AWS refuses a
     * mismatch before looking at the signature). */
    if (!ecr_valid_amz_date(amz_date) || strlen(auth->date) != 8 || memcmp(auth->date, amz_date, 8))
        return ECR_EINVAL;

    sigv4_header *picked = NULL;
    if (req->nheaders) {
        picked = malloc(req->nheaders * sizeof *picked);
        if (!picked)
            return ECR_ENOMEM;
    }
    size_t npicked = 0;
    for (size_t i = 0; i < req->nheaders; i++)
        if (req->headers[i].name && in_list(auth->signed_headers, req->headers[i].name))
            picked[npicked++] = req->headers[i];

    /* Every signed name must be present. */
    ecr_result rc = ECR_OK;
    for (const char *p = auth->signed_headers; *p && !rc;) {
        const char *end = strchr(p, ';');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        int found = 0;
        for (size_t i = 0; i < npicked && !found; i++) {
            const char *name = picked[i].name;
            size_t k = 0;
            while (k < len && name[k] && ascii_lower((unsigned char)name[k]) == (unsigned char)p[k])
                k++;
            found = k == len && !name[k];
        }
        if (!found)
            rc = ECR_EINVAL;
        p = end ? end + 1 : p + len;
    }

    char sig[65];
    if (!rc) {
        sigv4_request r = *req;
        r.headers = picked;
        r.nheaders = npicked;
        sigv4_credentials creds = {auth->access_key, secret_key, NULL};
        sigv4_scope scope = {amz_date, auth->region, auth->service};
        rc = ecr_sigv4_signature(&r, &creds, &scope, sig);
    }
    free(picked);
    if (!rc && (strlen(auth->signature) != 64 || CRYPTO_memcmp(sig, auth->signature, 64) != 0))
        rc = ECR_EINVAL;
    return rc;
}
