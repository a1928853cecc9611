/* answers.h: the emulator's answers to the open questions of
 * docs/ECR-BEHAVIOUR.md ("Open questions"): where nobody knows what ECR
 * does, the emulator answers one way by default and can be switched to every
 * other answer the reference lists (docs/EMULATOR.md, "Open questions").
 * Question and answer names are the goldens' ("question", "answer"). */
#ifndef ECR_EMU_ANSWERS_H
#define ECR_EMU_ANSWERS_H

#include <stddef.h>

typedef enum emu_question {
    Q_SAME_IMAGE_TWICE = 0,     /* in-order | merged */
    Q_INDEX_THEN_CHILDREN,      /* before-request | in-order */
    Q_TAG_AND_DIGEST,           /* tag | image */
    Q_TAG_KNOWN_DIGEST_UNKNOWN, /* ImageNotFound | ImageTagDoesNotMatchDigest */
    Q_INVALID_DIGEST_ECHO,      /* as-sent | digest-only */
    Q_INVALID_TAG,              /* InvalidImageTag | InvalidParameterException | ImageNotFound */
    Q_TAG_LEADING_PUNCTUATION,  /* valid | InvalidImageTag | InvalidParameterException */
    Q_EMPTY_DIGEST,             /* InvalidImageDigest | MissingDigestAndTag */
    Q_DIGEST_CASE,              /* ImageNotFound | case-insensitive */
    Q_AUTH_ORDER,               /* auth-first | front-end-first */
    Q_COUNT
} emu_question;

/* Answer indexes, in the order of each question's list above (0 = default). */
enum { A_IN_ORDER = 0, A_MERGED = 1 };
enum { A_BEFORE_REQUEST = 0, A_INDEX_IN_ORDER = 1 };
enum { A_TAG_ONLY = 0, A_WHOLE_IMAGE = 1 };
enum { A_NOT_FOUND = 0, A_MISMATCH = 1 };
enum { A_AS_SENT = 0, A_DIGEST_ONLY = 1 };
enum { A_TAG_INVALID_IMAGE_TAG = 0, A_TAG_INVALID_PARAMETER = 1, A_TAG_NOT_FOUND = 2 };
enum { A_LEADING_VALID = 0, A_LEADING_INVALID_IMAGE_TAG = 1, A_LEADING_INVALID_PARAMETER = 2 };
enum { A_EMPTY_INVALID_DIGEST = 0, A_EMPTY_MISSING = 1 };
enum { A_CASE_NOT_FOUND = 0, A_CASE_INSENSITIVE = 1 };
enum { A_AUTH_FIRST = 0, A_FRONT_END_FIRST = 1 };

typedef struct emu_answers {
    int v[Q_COUNT]; /* answer index per question; all 0 by default */
} emu_answers;

/* Parses "QUESTION=ANSWER[,QUESTION=ANSWER...]" (NULL or "": every default)
 * into *out, starting from the defaults. Returns 0, or -1 with one line in
 * err (errsz bytes) naming the unknown question or answer and the valid ones. */
int ecremu_answers_parse(const char *spec, emu_answers *out, char *err, size_t errsz);

/* Writes one line per question, "QUESTION: ANSWER|ANSWER... (default X)",
 * into out (outsz bytes, always terminated). */
void ecremu_answers_describe(char *out, size_t outsz);

#endif
