/* retry.c: the retry policy of fixture and teardown calls (see retry.h). */
#include "retry.h"

#include <string.h>

/* ---- retries ---- */

int ecrc_retry_retryable(ecr_result rc, const aws_response *r)
{
    if (rc != ECR_OK || !r)
        return 0;
    if (r->status >= 500)
        return 1;
    static const char *const throttled[] = {"ThrottlingException", "ThrottledException",
                                            "TooManyRequestsException", "RequestLimitExceeded"};
    for (size_t i = 0; i < sizeof throttled / sizeof throttled[0]; i++)
        if (!strcmp(r->error_type, throttled[i]))
            return 1;
    return 0;
}

double ecrc_retry_delay_ms(const retry_policy *p, int n)
{
    const ecrc_clock *clk = p->clock ? p->clock : ecrc_clock_real();
    double ceiling = p->base_ms;
    for (int i = 1; i < n && ceiling < p->cap_ms; i++)
        ceiling *= 2.0;
    if (ceiling > p->cap_ms)
        ceiling = p->cap_ms;
    if (ceiling < 0)
        ceiling = 0;
    return clk->random01(clk->ud) * ceiling;
}

ecr_result ecrc_retry_run(const retry_policy *p, retry_attempt_fn fn, void *ud, aws_response *resp,
                          int *attempts)
{
    const ecrc_clock *clk = p->clock ? p->clock : ecrc_clock_real();
    int max = p->max_attempts < 1 ? 1 : p->max_attempts;
    double start = clk->now_ms(clk->ud);
    int n = 0;
    ecr_result rc;
    for (;;) {
        rc = fn(ud, resp);
        n++;
        if (n >= max || !ecrc_retry_retryable(rc, resp))
            break;
        double delay = ecrc_retry_delay_ms(p, n);
        if (clk->now_ms(clk->ud) + delay - start > p->budget_ms)
            break; /* out of time: the last answer stands */
        ecrc_aws_response_free(resp);
        clk->sleep_ms(delay, clk->ud);
    }
    if (attempts)
        *attempts = n;
    return rc;
}

typedef struct call_ctx {
    aws_client *c;
    const aws_request *req;
} call_ctx;

static ecr_result client_attempt(void *ud, aws_response *resp)
{
    call_ctx *x = ud;
    return ecrc_aws_client_call(x->c, x->req, resp);
}

ecr_result ecrc_retry_call(aws_client *c, const aws_request *req, aws_response *resp)
{
    static const retry_policy def = ECRC_RETRY_DEFAULT;
    call_ctx x = {c, req};
    return ecrc_retry_run(&def, client_attempt, &x, resp, NULL);
}
