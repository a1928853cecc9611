/* retry.h: retries for the calls that are not under test.
 *
 * Fixture set-up and teardown retry ThrottlingException and 5xx answers with
 * capped exponential backoff and full jitter (delay = uniform(0, min(cap,
 * base * 2^(n-1))), the AWS Architecture Blog's "full jitter"), bounded in
 * attempts and in total time. The step under test is never retried: its
 * first answer is the one judged.
 */
#ifndef ECR_RETRY_H
#define ECR_RETRY_H

#include "ecrc.h"

#include "awsclient.h"
#include "ratelimit.h"

typedef struct retry_policy {
    int max_attempts; /* including the first; values < 1 mean 1 */
    double base_ms;   /* first delay's upper bound */
    double cap_ms;    /* no single delay is longer */
    double budget_ms; /* no retry starts when it would end later than this after the first try */
    const ecrc_clock *clock; /* NULL: ecrc_clock_real() */
} retry_policy;

/* 5 attempts, 100 ms base, 5 s cap, 30 s budget, the real clock. */
#define ECRC_RETRY_DEFAULT                                                                         \
    {                                                                                              \
        5, 100.0, 5000.0, 30000.0, NULL                                                            \
    }

/* 1 when the exchange deserves another try: an answer with HTTP status >= 500
 * or a throttling error type (ThrottlingException, ThrottledException,
 * TooManyRequestsException, RequestLimitExceeded). Transport failures are not
 * retried: a target that does not answer is reported as such. */
int ecrc_retry_retryable(ecr_result rc, const aws_response *r);

/* The delay before retry number n (n = 1 for the first retry): full jitter
 * over min(cap, base * 2^(n-1)). Cannot fail. */
double ecrc_retry_delay_ms(const retry_policy *p, int n);

/* One attempt: fills *resp (initialised by the callee) and returns like
 * ecrc_aws_client_call. */
typedef ecr_result (*retry_attempt_fn)(void *ud, aws_response *resp);

/* Calls fn until its answer is not retryable, the attempts are used up or the
 * time budget would be exceeded, sleeping the policy's delays in between.
 * The last answer stays in *resp (the caller frees it); the earlier ones are
 * freed. *attempts (may be NULL) receives the number of calls made. Returns
 * the last call's result. */
ecr_result ecrc_retry_run(const retry_policy *p, retry_attempt_fn fn, void *ud, aws_response *resp,
                          int *attempts);

/* ecrc_retry_run with ECRC_RETRY_DEFAULT on ecrc_aws_client_call(c, req). */
ecr_result ecrc_retry_call(aws_client *c, const aws_request *req, aws_response *resp);

#endif
