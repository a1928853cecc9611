#include "report_text.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ecr/buf.h"
#include "ecr/redact.h"
#include "ecr/util.h"

char *ecrc_report_text_utf8(const char *s)
{
    return ecr_utf8_sanitize(s);
}

char *ecrc_report_text_redact(const char *s)
{
    return ecr_redact(s);
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
