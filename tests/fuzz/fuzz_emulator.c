/* fuzz_emulator.c: libFuzzer target for the emulator's request path
 * (ecremu_api_handle): the input is "TARGET\nBODY". The state lives across
 * inputs (so sequences of calls meet earlier state) and is renewed every
 * 2000 inputs to bound memory. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "answers.h"
#include "control.h"
#include "ecr/protocol.h"
#include "store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static store *g_st;
static control *g_ctl;
static emu_answers g_answers;
static unsigned g_runs;

static void renew(void)
{
    ecremu_control_free(g_ctl);
    ecremu_store_free(g_st);
    control_info ci = {ECR_TEST_ACCOUNT, ECR_TEST_REGION, 1};
    g_st = ecremu_store_new();
    g_ctl = ecremu_control_new(&ci);
    char err[256];
    if (!g_st || !g_ctl || ecremu_answers_parse(NULL, &g_answers, err, sizeof err))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!g_st || ++g_runs % 2000 == 0)
        renew();
    const char *nl = memchr(data, '\n', size);
    size_t tlen = nl ? (size_t)(nl - (const char *)data) : size;
    if (tlen > 200)
        return 0;
    char target[256];
    snprintf(target, sizeof target, ECR_TARGET_PREFIX "%.*s", (int)tlen, (const char *)data);
    const char *body = nl ? nl + 1 : "";
    size_t blen = nl ? size - tlen - 1 : 0;
    /* layers are checked (the default of serve) on every other input */
    api_ctx ctx = {g_st, g_ctl, ECR_TEST_ACCOUNT, ECR_TEST_REGION, (int)(g_runs & 1), &g_answers};
    json_object *out = NULL;
    (void)ecremu_api_handle(&ctx, target, body, blen, &out);
    json_object_put(out);
    out = NULL;
    /* the control interface's fault document on the same bytes */
    (void)ecremu_control_handle(g_ctl, "POST", ECR_CONTROL_FAULTS, NULL, body, blen, &out);
    json_object_put(out);
    return 0;
}
