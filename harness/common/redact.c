#include "ecr/redact.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ecr/buf.h"
#include "ecr/util.h"

#define REDACTED "REDACTED"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static char *registered[ECR_REDACT_MAX];
static size_t nregistered;

void ecr_redact_add(const char *secret)
{
    if (!secret || strlen(secret) < ECR_REDACT_MIN_LEN)
        return;
    pthread_mutex_lock(&lock);
    int known = 0;
    for (size_t i = 0; i < nregistered && !known; i++)
        known = !strcmp(registered[i], secret);
    if (!known && nregistered < ECR_REDACT_MAX) {
        char *copy = strdup(secret);
        if (copy)
            registered[nregistered++] = copy;
    }
    pthread_mutex_unlock(&lock);
}

/* The secrets to scrub, with their lengths, gathered once per string. The
 * registered copies are never freed, so the pointers stay valid. */
typedef struct secrets {
    const char *s[ECR_REDACT_MAX + 2];
    size_t len[ECR_REDACT_MAX + 2];
    size_t n;
} secrets;

static void gather(secrets *sec)
{
    sec->n = 0;
    const char *env[2] = {getenv("AWS_SECRET_ACCESS_KEY"), getenv("AWS_SESSION_TOKEN")};
    for (size_t i = 0; i < 2; i++)
        if (env[i] && strlen(env[i]) >= ECR_REDACT_MIN_LEN) {
            sec->s[sec->n] = env[i];
            sec->len[sec->n++] = strlen(env[i]);
        }
    pthread_mutex_lock(&lock);
    for (size_t i = 0; i < nregistered; i++) {
        sec->s[sec->n] = registered[i];
        sec->len[sec->n++] = strlen(registered[i]);
    }
    pthread_mutex_unlock(&lock);
}

/* Length of the header name prefix ("Authorization:") when the line segment
 * [p, end) starts with a header we redact, else 0. */
static size_t secret_header(const char *p, const char *end)
{
    static const char *const names[] = {"Authorization:", "X-Amz-Security-Token:"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        size_t n = strlen(names[i]);
        if ((size_t)(end - p) >= n && strncasecmp(p, names[i], n) == 0)
            return n;
    }
    return 0;
}

/* The length of the encoding of byte c that starts at p (before end), or 0.
 * A target can echo a secret other than byte for byte, and each form is
 * written somewhere as it came: c itself; JSON's "\/" (json-c writes '/'
 * so), behind any run of backslashes (a JSON string inside a JSON string);
 * JSON's "\u00XX"; URL encoding's "%XX" (either case). */
static size_t encoded_at(const char *p, const char *end, unsigned char c)
{
    if ((unsigned char)*p == c)
        return 1;
    if (*p == '%' && end - p >= 3) {
        int h = ecr_hex_value((unsigned char)p[1]), l = ecr_hex_value((unsigned char)p[2]);
        return h >= 0 && l >= 0 && (unsigned)(h * 16 + l) == c ? 3 : 0;
    }
    if (*p != '\\')
        return 0;
    const char *q = p;
    while (q < end && *q == '\\' && q - p < 16)
        q++;
    if (q < end && (unsigned char)*q == c && c != 'u')
        return (size_t)(q - p) + 1;
    if (end - q >= 5 && q[0] == 'u' && q[1] == '0' && q[2] == '0') {
        int h = ecr_hex_value((unsigned char)q[3]), l = ecr_hex_value((unsigned char)q[4]);
        return h >= 0 && l >= 0 && (unsigned)(h * 16 + l) == c ? (size_t)(q - p) + 5 : 0;
    }
    return 0;
}

/* The length of the text at p that spells one registered secret, each of
 * its bytes in any form encoded_at knows, or 0. */
static size_t secret_at(const char *p, const char *end, const secrets *sec)
{
    if (*p != '%' && *p != '\\') {
        /* the common case: no secret starts here (first bytes differ) */
        size_t i = 0;
        while (i < sec->n && (unsigned char)*p != (unsigned char)sec->s[i][0])
            i++;
        if (i == sec->n)
            return 0;
    }
    for (size_t i = 0; i < sec->n; i++) {
        const char *q = p;
        size_t k = 0;
        for (; k < sec->len[i] && q < end; k++) {
            size_t n = encoded_at(q, end, (unsigned char)sec->s[i][k]);
            if (!n)
                break;
            q += n;
        }
        if (k == sec->len[i])
            return (size_t)(q - p);
    }
    return 0;
}

/* Appends line [p, end) with every secret occurrence replaced. */
static ecr_result append_scrubbed(buf *b, const char *p, const char *end, const secrets *sec)
{
    const char *run = p;
    while (p < end) {
        size_t hit = secret_at(p, end, sec);
        if (!hit) {
            p++;
            continue;
        }
        if (ecr_buf_append(b, run, (size_t)(p - run)) || ecr_buf_puts(b, REDACTED))
            return ECR_ENOMEM;
        p += hit;
        run = p;
    }
    return ecr_buf_append(b, run, (size_t)(end - run));
}

int ecr_redact_has_secret(const char *s)
{
    if (!s)
        return 0;
    secrets sec;
    gather(&sec);
    const char *end = s + strlen(s);
    for (const char *p = s; p < end; p++)
        if (secret_at(p, end, &sec))
            return 1;
    return 0;
}

char *ecr_redact(const char *s)
{
    if (!s)
        return NULL;
    secrets sec;
    gather(&sec);
    size_t len = strlen(s);
    /* A redacted header line is at most "<name>: REDACTED" for a value of at
     * least zero bytes after a name of 14+ bytes, so output < 2 * input + slack. */
    buf b;
    ecr_buf_init(&b, 2 * len + 64);
    const char *p = s;
    for (;;) {
        const char *eol = strchr(p, '\n');
        const char *end = eol ? eol : p + strlen(p);
        const char *q = p;
        while (q < end && (*q == ' ' || *q == '\t'))
            q++;
        size_t hn = secret_header(q, end);
        ecr_result rc;
        if (hn) {
            rc = ecr_buf_append(&b, p, (size_t)(q - p) + hn);
            if (!rc)
                rc = ecr_buf_puts(&b, " " REDACTED);
            if (!rc && end > p && end[-1] == '\r')
                rc = ecr_buf_puts(&b, "\r");
        } else {
            rc = append_scrubbed(&b, p, end, &sec);
        }
        if (!rc && eol)
            rc = ecr_buf_puts(&b, "\n");
        if (rc) {
            ecr_buf_free(&b);
            return NULL;
        }
        if (!eol)
            break;
        p = eol + 1;
    }
    return ecr_buf_steal(&b);
}
