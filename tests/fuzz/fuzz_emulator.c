/* fuzz_emulator.c: libFuzzer target for the emulator's request path
 * (ecremu_api_handle). The input is a sequence of at most 16 calls separated
 * by "\n---\n", each "Operation\nbody", run in order on a fresh store (so a
 * finding replays from its input alone): seeds create a case's fixture
 * (CreateRepository, PutImage) and then make its steps, so mutations reach
 * the operations' deeper paths. The last call's body is also sent to the
 * control interface as a fault document. Layers are checked on inputs whose
 * length is odd (serve's default), not on even ones (run's manifest-only
 * pushes). */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "answers.h"
#include "api.h"
#include "control.h"
#include "ecr/protocol.h"
#include "store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_CALLS 16
#define SEP "\n---\n"

/* The next call of text[0..len) starting at *pos: its operation and body.
 * Returns 0 when there is none left. */
static int next_call(const char *text, size_t len, size_t *pos, const char **op, size_t *oplen,
                     const char **body, size_t *blen)
{
    if (*pos >= len)
        return 0;
    const char *start = text + *pos;
    size_t rest = len - *pos;
    size_t n = rest;
    /* memchr to each newline, then one comparison: a memcmp at every byte
     * made the instrumented comparisons 14% of the time. */
    for (const char *nl = memchr(start, '\n', rest); nl;
         nl = memchr(nl + 1, '\n', rest - (size_t)(nl + 1 - start))) {
        size_t i = (size_t)(nl - start);
        if (i + sizeof SEP - 1 <= rest && memcmp(nl, SEP, sizeof SEP - 1) == 0) {
            n = i;
            break;
        }
        if (i + 1 >= rest)
            break;
    }
    *pos += n + sizeof SEP - 1;
    const char *nl = memchr(start, '\n', n);
    *op = start;
    *oplen = nl ? (size_t)(nl - start) : n;
    *body = nl ? nl + 1 : start + n;
    *blen = nl ? n - *oplen - 1 : 0;
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    control_info ci = {ECR_TEST_ACCOUNT, ECR_TEST_REGION, 1};
    store *st = ecremu_store_new();
    control *ctl = ecremu_control_new(&ci);
    emu_answers answers;
    char err[256];
    if (!st || !ctl || ecremu_answers_parse(NULL, &answers, err, sizeof err))
        abort();
    api_ctx ctx = {st, ctl, ECR_TEST_ACCOUNT, ECR_TEST_REGION, (int)(size & 1), &answers};

    const char *text = (const char *)data, *op, *body = "";
    size_t pos = 0, oplen, blen = 0;
    for (int calls = 0; calls < MAX_CALLS && next_call(text, size, &pos, &op, &oplen, &body, &blen);
         calls++) {
        if (oplen > 200)
            continue;
        char target[256];
        snprintf(target, sizeof target, ECR_TARGET_PREFIX "%.*s", (int)oplen, op);
        json_object *out = NULL;
        (void)ecremu_api_handle(&ctx, target, body, blen, &out);
        json_object_put(out);
    }
    json_object *out = NULL;
    (void)ecremu_control_handle(ctl, "POST", ECR_CONTROL_FAULTS, NULL, 0, body, blen, &out);
    json_object_put(out);
    ecremu_control_free(ctl);
    ecremu_store_free(st);
    return 0;
}
