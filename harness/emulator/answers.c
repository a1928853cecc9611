#include "answers.h"

#include <stdio.h>
#include <string.h>

#define MAX_ANSWERS 3

static const struct {
    const char *question;
    const char *answers[MAX_ANSWERS + 1];
} TABLE[Q_COUNT] = {
    [Q_SAME_IMAGE_TWICE] = {"oq-same-image-twice", {"in-order", "merged", NULL}},
    [Q_INDEX_THEN_CHILDREN] = {"oq-index-then-children", {"before-request", "in-order", NULL}},
    [Q_TAG_AND_DIGEST] = {"oq-tag-and-digest", {"tag", "image", NULL}},
    [Q_TAG_KNOWN_DIGEST_UNKNOWN] = {"oq-tag-known-digest-unknown",
                                    {"ImageNotFound", "ImageTagDoesNotMatchDigest", NULL}},
    [Q_INVALID_DIGEST_ECHO] = {"oq-invalid-digest-echo", {"as-sent", "digest-only", NULL}},
    [Q_INVALID_TAG] = {"oq-invalid-tag",
                       {"InvalidImageTag", "InvalidParameterException", "ImageNotFound", NULL}},
    [Q_TAG_LEADING_PUNCTUATION] = {"oq-tag-leading-punctuation",
                                   {"valid", "InvalidImageTag", "InvalidParameterException", NULL}},
    [Q_EMPTY_DIGEST] = {"oq-empty-digest", {"InvalidImageDigest", "MissingDigestAndTag", NULL}},
    [Q_DIGEST_CASE] = {"oq-digest-case", {"ImageNotFound", "case-insensitive", NULL}},
    [Q_AUTH_ORDER] = {"oq-auth-order", {"auth-first", "front-end-first", NULL}},
};

/* "a|b|c" of question q into out. */
static void answer_list(int q, char *out, size_t outsz)
{
    size_t o = 0;
    out[0] = '\0';
    for (int a = 0; TABLE[q].answers[a] && o < outsz; a++) {
        int k = snprintf(out + o, outsz - o, "%s%s", a ? "|" : "", TABLE[q].answers[a]);
        if (k < 0)
            break;
        o += (size_t)k;
    }
}

static int set_one(const char *item, size_t len, emu_answers *out, char *err, size_t errsz)
{
    const char *eq = memchr(item, '=', len);
    if (!eq) {
        snprintf(err, errsz, "'%.*s': expected QUESTION=ANSWER", (int)len, item);
        return -1;
    }
    size_t qlen = (size_t)(eq - item), alen = len - qlen - 1;
    for (int q = 0; q < Q_COUNT; q++) {
        if (strlen(TABLE[q].question) != qlen || strncmp(TABLE[q].question, item, qlen))
            continue;
        for (int a = 0; TABLE[q].answers[a]; a++)
            if (strlen(TABLE[q].answers[a]) == alen &&
                !strncmp(TABLE[q].answers[a], eq + 1, alen)) {
                out->v[q] = a;
                return 0;
            }
        char list[256];
        answer_list(q, list, sizeof list);
        snprintf(err, errsz, "unknown answer '%.*s' to %s (answers: %s)", (int)alen, eq + 1,
                 TABLE[q].question, list);
        return -1;
    }
    snprintf(err, errsz, "unknown open question '%.*s' (see 'ecrconform serve --help')", (int)qlen,
             item);
    return -1;
}

int ecremu_answers_parse(const char *spec, emu_answers *out, char *err, size_t errsz)
{
    memset(out, 0, sizeof *out);
    if (errsz)
        err[0] = '\0';
    const char *p = spec ? spec : "";
    while (*p) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len && set_one(p, len, out, err, errsz))
            return -1;
        p += len + (end ? 1 : 0);
    }
    return 0;
}

void ecremu_answers_describe(char *out, size_t outsz)
{
    size_t o = 0;
    out[0] = '\0';
    for (int q = 0; q < Q_COUNT && o < outsz; q++) {
        char list[256];
        answer_list(q, list, sizeof list);
        int k = snprintf(out + o, outsz - o, "  %s=%s (default %s)\n", TABLE[q].question, list,
                         TABLE[q].answers[0]);
        if (k < 0)
            break;
        o += (size_t)k;
    }
}
