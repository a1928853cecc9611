/* verdict.c: the one exit decision of `run` (rules in ecrc.h). */
#include "verdict.h"

/* 1 when at least one case ran (was not skipped) and every one that ran
 * errored because the target did not answer. */
static int target_stopped_answering(const run_report *r)
{
    size_t ran = 0, transport = 0;
    for (size_t i = 0; i < r->ncases; i++) {
        if (r->cases[i].status == ECRC_CASE_SKIP)
            continue;
        ran++;
        transport += r->cases[i].transport_error != 0;
    }
    return ran && transport == ran;
}

static int any_failure(const run_report *r)
{
    for (size_t i = 0; i < r->ncases; i++)
        if (r->cases[i].status == ECRC_CASE_FAIL || r->cases[i].status == ECRC_CASE_ERROR)
            return 1;
    return 0;
}

ecrc_exit ecrc_verdict(const run_report *r, const ecrc_verdict_input *in)
{
    static const ecrc_verdict_input none = {0};
    if (!in)
        in = &none;
    if (!r)
        return ECRC_EXIT_INTERNAL;
    if (!in->reports_failed && target_stopped_answering(r))
        return ECRC_EXIT_UNREACHABLE;
    if (in->reports_failed || in->baseline_failed)
        return ECRC_EXIT_INTERNAL;
    if (in->invalid_files)
        return ECRC_EXIT_INVALID;
    for (size_t i = 0; !in->allow_flaky && i < r->ncases; i++)
        if (r->cases[i].status == ECRC_CASE_FLAKY)
            return ECRC_EXIT_FAIL;
    if (r->baseline_file)
        return r->nregressions ? ECRC_EXIT_FAIL : ECRC_EXIT_OK;
    return any_failure(r) ? ECRC_EXIT_FAIL : ECRC_EXIT_OK;
}
