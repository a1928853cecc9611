#define PCRE2_CODE_UNIT_WIDTH 8
#include "ecr/regex.h"

#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Bounds on one match: backtracking steps, nested backtracking frames, and
 * the heap PCRE2 may use for them (KiB). A response string is at most a few
 * MiB, so an honest pattern needs a tiny fraction of these. */
#define MATCH_LIMIT 1000000u
#define DEPTH_LIMIT 2000u
#define HEAP_LIMIT_KIB 16384u

struct ecr_regex {
    pcre2_code *code;
    pcre2_match_context *mctx;
};

static void pcre_message(int code, char *err, size_t errsz)
{
    PCRE2_UCHAR msg[160];
    if (pcre2_get_error_message(code, msg, sizeof msg) < 0)
        snprintf((char *)msg, sizeof msg, "PCRE2 error %d", code);
    snprintf(err, errsz, "%s", (const char *)msg);
}

ecr_regex *ecr_regex_compile(const char *pattern, char *err, size_t errsz)
{
    size_t len = strlen(pattern);
    if (len > ECR_REGEX_MAX_PATTERN) {
        snprintf(err, errsz, "pattern is %zu bytes, longer than the limit of %d", len,
                 ECR_REGEX_MAX_PATTERN);
        return NULL;
    }
    ecr_regex *rx = calloc(1, sizeof *rx);
    pcre2_compile_context *cctx = pcre2_compile_context_create(NULL);
    if (!rx || !cctx) {
        free(rx);
        pcre2_compile_context_free(cctx);
        snprintf(err, errsz, "out of memory");
        return NULL;
    }
    pcre2_set_max_pattern_length(cctx, ECR_REGEX_MAX_PATTERN);
    pcre2_set_parens_nest_limit(cctx, ECR_REGEX_MAX_NESTING);
    int code;
    PCRE2_SIZE off;
    /* DOTALL and DOLLAR_ENDONLY: what `.` and `$` mean in a POSIX ERE without
     * REG_NEWLINE. NEVER_BACKSLASH_C: \C could split a UTF-8 sequence. */
    rx->code = pcre2_compile((PCRE2_SPTR)pattern, len,
                             PCRE2_DOTALL | PCRE2_DOLLAR_ENDONLY | PCRE2_NEVER_BACKSLASH_C, &code,
                             &off, cctx);
    pcre2_compile_context_free(cctx);
    if (!rx->code) {
        char msg[160];
        pcre_message(code, msg, sizeof msg);
        snprintf(err, errsz, "%s at offset %zu", msg, (size_t)off);
        free(rx);
        return NULL;
    }
    rx->mctx = pcre2_match_context_create(NULL);
    if (!rx->mctx) {
        ecr_regex_free(rx);
        snprintf(err, errsz, "out of memory");
        return NULL;
    }
    pcre2_set_match_limit(rx->mctx, MATCH_LIMIT);
    pcre2_set_depth_limit(rx->mctx, DEPTH_LIMIT);
    pcre2_set_heap_limit(rx->mctx, HEAP_LIMIT_KIB);
    return rx;
}

int ecr_regex_match(const ecr_regex *rx, const char *subject, size_t len, char *err, size_t errsz)
{
    pcre2_match_data *md = pcre2_match_data_create_from_pattern(rx->code, NULL);
    if (!md) {
        snprintf(err, errsz, "out of memory");
        return -1;
    }
    int rc = pcre2_match(rx->code, (PCRE2_SPTR)subject, len, 0, 0, md, rx->mctx);
    pcre2_match_data_free(md);
    if (rc >= 0)
        return 1;
    if (rc == PCRE2_ERROR_NOMATCH)
        return 0;
    char msg[160];
    pcre_message(rc, msg, sizeof msg);
    snprintf(err, errsz, "the match stopped: %s", msg);
    return -1;
}

void ecr_regex_free(ecr_regex *rx)
{
    if (!rx)
        return;
    pcre2_match_context_free(rx->mctx);
    pcre2_code_free(rx->code);
    free(rx);
}
