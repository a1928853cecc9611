#include "report_text.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ecr/buf.h"
#include "ecr/util.h"

#define REDACTED "REDACTED"
/* Shorter environment values are not treated as secrets: replacing every "ab"
 * of a report would destroy it and protect nothing real. */
#define MIN_SECRET_LEN 8

char *ecrc_report_text_utf8(const char *s)
{
    return ecr_utf8_sanitize(s);
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

/* The secrets to scrub, with their lengths computed once per string. */
typedef struct secrets {
    const char *s[2];
    size_t len[2];
    size_t n;
} secrets;

/* Appends line [p, end) with every secret occurrence replaced. */
static ecr_result append_scrubbed(buf *b, const char *p, const char *end, const secrets *sec)
{
    const char *run = p;
    while (p < end) {
        size_t hit = 0;
        for (size_t i = 0; i < sec->n && !hit; i++)
            if (*p == sec->s[i][0] && (size_t)(end - p) >= sec->len[i] &&
                memcmp(p, sec->s[i], sec->len[i]) == 0)
                hit = sec->len[i];
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

char *ecrc_report_text_redact(const char *s)
{
    if (!s)
        return NULL;
    secrets sec = {.n = 0};
    const char *env[2] = {getenv("AWS_SECRET_ACCESS_KEY"), getenv("AWS_SESSION_TOKEN")};
    for (size_t i = 0; i < 2; i++) {
        if (env[i] && strlen(env[i]) >= MIN_SECRET_LEN) {
            sec.s[sec.n] = env[i];
            sec.len[sec.n++] = strlen(env[i]);
        }
    }

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

enum esc_mode { ESC_HTML, ESC_XML_TEXT, ESC_XML_ATTR, ESC_MD };

/* The entity for an HTML/XML special character, or NULL. */
static const char *entity(unsigned cp)
{
    switch (cp) {
    case '&':
        return "&amp;";
    case '<':
        return "&lt;";
    case '>':
        return "&gt;";
    case '"':
        return "&quot;";
    case '\'':
        return "&#39;";
    }
    return NULL;
}

/* Writes one decoded character in mode; bytes p[0..n) are its UTF-8 form. */
static void put_char(FILE *f, unsigned cp, const unsigned char *p, size_t n, int valid,
                     enum esc_mode mode)
{
    if (!valid) {
        fputs(ECR_UTF8_REPLACEMENT, f);
        return;
    }
    if (mode == ESC_MD) {
        if (cp == '\n' || cp == '\r' || cp == '\t') {
            fputc(' ', f);
            return;
        }
        if (cp && strchr("\\`*_[]|#~", (int)cp)) {
            fputc('\\', f);
            fputc((int)cp, f);
            return;
        }
        if (cp == '&' || cp == '<' || cp == '>') {
            fputs(entity(cp), f);
            return;
        }
    } else {
        const char *e = entity(cp);
        if (e) {
            fputs(e, f);
            return;
        }
        if (cp == '\n' || cp == '\t' || cp == '\r') {
            /* Attribute normalisation would turn raw whitespace into spaces;
             * HTML drops \r so CRLF responses read like LF ones. */
            if (mode == ESC_XML_ATTR || (mode == ESC_XML_TEXT && cp == '\r'))
                fprintf(f, "&#%u;", cp);
            else if (cp != '\r')
                fputc((int)cp, f);
            return;
        }
    }
    if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == 0xFFFE || cp == 0xFFFF)
        return; /* controls and XML-forbidden characters carry nothing a reader needs */
    fwrite(p, 1, n, f);
}

static void write_escaped(FILE *f, const char *s, enum esc_mode mode)
{
    if (!s)
        return;
    char *clean = ecrc_report_text_redact(s);
    if (!clean) {
        /* Never fall back to the unredacted text. */
        fputs("[text omitted: out of memory]", f);
        return;
    }
    const unsigned char *p = (const unsigned char *)clean;
    while (*p) {
        unsigned cp;
        int valid;
        size_t n = ecr_utf8_decode(p, &cp, &valid);
        put_char(f, cp, p, n, valid, mode);
        p += n;
    }
    free(clean);
}

void ecrc_report_text_html(FILE *f, const char *s)
{
    write_escaped(f, s, ESC_HTML);
}

void ecrc_report_text_xml(FILE *f, const char *s, int attr)
{
    write_escaped(f, s, attr ? ESC_XML_ATTR : ESC_XML_TEXT);
}

void ecrc_report_text_md(FILE *f, const char *s)
{
    write_escaped(f, s, ESC_MD);
}

ecr_result ecrc_report_text_close(ecr_atomic_file *a)
{
    return ecr_atomic_commit(a);
}

void ecrc_report_text_percent(FILE *f, size_t passed, size_t ran)
{
    /* the same fraction as ecrc_report_score, without depending on the model */
    fprintf(f, "%.1f%%", ran ? 100.0 * (double)passed / (double)ran : 0.0);
}

void ecrc_report_text_seconds(FILE *f, double ms)
{
    if (!isfinite(ms) || ms < 0)
        ms = 0;
    fprintf(f, "%.3f", ms / 1000.0);
}
