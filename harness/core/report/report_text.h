/* report_text.h: text hygiene shared by the report writers and the compare
 * matrix: UTF-8 sanitising, HTML / XML / Markdown escaping and defensive
 * redaction of credentials.
 *
 * Reports embed peer data (response bodies, diff lines quoting them) that may
 * hold any bytes. Every writer passes every string through here, so that
 * junit.xml and report.html stay well-formed and report.json stays valid
 * UTF-8 whatever the target sent.
 */
#ifndef ECR_REPORT_TEXT_H
#define ECR_REPORT_TEXT_H

#include <stdio.h>
#include "ecr/result.h"
#include "ecr/util.h"

/* Returns a newly allocated copy of s in which every invalid UTF-8 sequence
 * (stray continuation bytes, overlongs, surrogates, code points above
 * U+10FFFF, truncated sequences) is replaced by U+FFFD. s NULL: returns NULL.
 * NULL also on allocation failure. The caller frees. */
char *ecrc_report_text_utf8(const char *s);

/* Returns a newly allocated copy of s with credentials redacted: ecr_redact
 * (ecr/redact.h), the one redaction path (header values, registered secrets,
 * AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN). s NULL: returns NULL. NULL also
 * on allocation failure. The caller frees. */
char *ecrc_report_text_redact(const char *s);

/* Writes s (NULL: nothing) to f escaped for HTML text and attribute values:
 * & < > " ' as entities, control characters other than \n and \t dropped,
 * invalid UTF-8 as U+FFFD. The text is redacted first (ecrc_report_text_redact).
 * Write errors are left for the caller's ferror(f). */
void ecrc_report_text_html(FILE *f, const char *s);

/* Same for XML 1.0: & < > " ' as entities; in attribute values (attr
 * nonzero) also \n \r \t as character references so they survive attribute
 * normalisation; in text only \r is a reference. Every other character XML
 * 1.0 forbids or discourages (C0 controls, DEL, C1 controls, U+FFFE, U+FFFF)
 * is dropped, invalid UTF-8 becomes U+FFFD. Redacts first. The output is
 * well-formed for any input (no CDATA is used, so "]]>" is harmless). */
void ecrc_report_text_xml(FILE *f, const char *s, int attr);

/* Same for one Markdown table cell or list item: newlines become spaces,
 * Markdown punctuation (\ ` * _ [ ] | # ~) is backslash-escaped, & < > are
 * entities (GitHub renders inline HTML), control characters dropped. Redacts
 * first. */
void ecrc_report_text_md(FILE *f, const char *s);

/* Finishes a report file a writer opened with ecr_atomic_open: renames it
 * into place. Returns ECR_EIO when any earlier write failed (ferror) or
 * closing or renaming failed (path is then untouched), else ECR_OK. a is
 * always released. */
ecr_result ecrc_report_text_close(ecr_atomic_file *a);

/* Writes passed / ran as a percentage with one decimal ("87.5%"), "0.0%"
 * when ran is 0 (ecrc_report_score). Used by HTML, Markdown and the compare
 * matrix. Write errors are left for the caller's ferror(f). */
void ecrc_report_text_percent(FILE *f, size_t passed, size_t ran);

/* Writes a duration in milliseconds as seconds with 3 decimals ("1.250");
 * negative or non-finite values as "0.000". Used by junit and HTML. */
void ecrc_report_text_seconds(FILE *f, double ms);

#endif
