/* Tests of harness/core/run/retry and ratelimit on a fake clock: nothing here
 * sleeps for real except the one threaded limiter test (a few ms). */
#include <CUnit/CUnit.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "ratelimit.h"
#include "retry.h"
#include "suites.h"

typedef struct fake_clock {
    double now;
    double slept[64];
    size_t nslept;
    double rnd; /* what random01 returns */
} fake_clock;

static double f_now(void *ud)
{
    return ((fake_clock *)ud)->now;
}

static void f_sleep(double ms, void *ud)
{
    fake_clock *f = ud;
    if (f->nslept < 64)
        f->slept[f->nslept++] = ms;
    f->now += ms;
}

static double f_rand(void *ud)
{
    return ((fake_clock *)ud)->rnd;
}

/* A scripted target: answers[i] is the i-th answer's status and error type. */
typedef struct script {
    long status[16];
    const char *type[16];
    ecr_result rc[16];
    int n, calls;
    fake_clock *clk;
    double call_ms; /* each call takes this long on the fake clock */
} script;

static ecr_result scripted(void *ud, aws_response *resp)
{
    script *s = ud;
    memset(resp, 0, sizeof *resp);
    int i = s->calls < s->n ? s->calls : s->n - 1;
    s->calls++;
    s->clk->now += s->call_ms;
    resp->status = s->status[i];
    snprintf(resp->error_type, sizeof resp->error_type, "%s", s->type[i] ? s->type[i] : "");
    resp->body = malloc(8); /* something to free: a leak shows under ASan */
    return s->rc[i];
}

static void test_retryable(void)
{
    aws_response r;
    memset(&r, 0, sizeof r);
    r.status = 400;
    snprintf(r.error_type, sizeof r.error_type, "ThrottlingException");
    CU_ASSERT_TRUE(ecrc_retry_retryable(ECR_OK, &r));
    snprintf(r.error_type, sizeof r.error_type, "RepositoryNotFoundException");
    CU_ASSERT_FALSE(ecrc_retry_retryable(ECR_OK, &r));
    r.status = 503;
    CU_ASSERT_TRUE(ecrc_retry_retryable(ECR_OK, &r));
    r.status = 500;
    CU_ASSERT_TRUE(ecrc_retry_retryable(ECR_OK, &r));
    r.status = 200;
    r.error_type[0] = '\0';
    CU_ASSERT_FALSE(ecrc_retry_retryable(ECR_OK, &r));
    /* no answer at all is "unreachable", not "busy" */
    r.status = 0;
    CU_ASSERT_FALSE(ecrc_retry_retryable(ECR_ECONNECT, &r));
    CU_ASSERT_FALSE(ecrc_retry_retryable(ECR_ETIMEOUT, &r));
}

static void test_delay_is_capped_exponential_full_jitter(void)
{
    fake_clock f = {.rnd = 0.999999};
    ecrc_clock clk = {f_now, f_sleep, f_rand, &f};
    retry_policy p = {5, 100.0, 1000.0, 1e9, &clk};
    /* upper bounds: 100, 200, 400, 800, then the cap */
    CU_ASSERT_DOUBLE_EQUAL(ecrc_retry_delay_ms(&p, 1), 100.0, 0.01);
    CU_ASSERT_DOUBLE_EQUAL(ecrc_retry_delay_ms(&p, 2), 200.0, 0.01);
    CU_ASSERT_DOUBLE_EQUAL(ecrc_retry_delay_ms(&p, 4), 800.0, 0.01);
    CU_ASSERT_DOUBLE_EQUAL(ecrc_retry_delay_ms(&p, 5), 1000.0, 0.01);
    CU_ASSERT_DOUBLE_EQUAL(ecrc_retry_delay_ms(&p, 60), 1000.0, 0.01); /* no overflow */
    f.rnd = 0.0; /* full jitter reaches down to 0 */
    CU_ASSERT_DOUBLE_EQUAL(ecrc_retry_delay_ms(&p, 5), 0.0, 0.01);
    f.rnd = 0.5;
    CU_ASSERT_DOUBLE_EQUAL(ecrc_retry_delay_ms(&p, 3), 200.0, 0.01);
}

static void test_retry_until_success(void)
{
    fake_clock f = {.rnd = 0.5};
    ecrc_clock clk = {f_now, f_sleep, f_rand, &f};
    retry_policy p = {5, 100.0, 5000.0, 30000.0, &clk};
    script s = {
        .status = {400, 503, 200}, .type = {"ThrottlingException", "", ""}, .n = 3, .clk = &f};
    aws_response r;
    int attempts = 0;
    CU_ASSERT_EQUAL(ecrc_retry_run(&p, scripted, &s, &r, &attempts), ECR_OK);
    CU_ASSERT_EQUAL(attempts, 3);
    CU_ASSERT_EQUAL(r.status, 200);
    CU_ASSERT_EQUAL(f.nslept, 2);
    CU_ASSERT_DOUBLE_EQUAL(f.slept[0], 50.0, 0.01);  /* 0.5 * 100 */
    CU_ASSERT_DOUBLE_EQUAL(f.slept[1], 100.0, 0.01); /* 0.5 * 200 */
    ecrc_aws_response_free(&r);
}

static void test_retry_bounded_in_count(void)
{
    fake_clock f = {.rnd = 0.5};
    ecrc_clock clk = {f_now, f_sleep, f_rand, &f};
    retry_policy p = {5, 10.0, 5000.0, 1e9, &clk};
    script s = {.status = {400}, .type = {"ThrottlingException"}, .n = 1, .clk = &f};
    aws_response r;
    int attempts = 0;
    CU_ASSERT_EQUAL(ecrc_retry_run(&p, scripted, &s, &r, &attempts), ECR_OK);
    CU_ASSERT_EQUAL(attempts, 5);
    CU_ASSERT_EQUAL(s.calls, 5);
    CU_ASSERT_EQUAL(f.nslept, 4);
    /* the last answer is kept for the error message */
    CU_ASSERT_STRING_EQUAL(r.error_type, "ThrottlingException");
    ecrc_aws_response_free(&r);
}

static void test_retry_bounded_in_time(void)
{
    fake_clock f = {.rnd = 0.999};
    ecrc_clock clk = {f_now, f_sleep, f_rand, &f};
    /* each call takes 400 ms; the budget is 1 s */
    retry_policy p = {50, 200.0, 200.0, 1000.0, &clk};
    script s = {.status = {500}, .n = 1, .clk = &f, .call_ms = 400.0};
    aws_response r;
    int attempts = 0;
    ecrc_retry_run(&p, scripted, &s, &r, &attempts);
    CU_ASSERT(attempts >= 1 && attempts <= 2);
    CU_ASSERT(f.now <= 1000.0 + 400.0); /* no retry started past the budget */
    ecrc_aws_response_free(&r);
}

static void test_no_retry_for_other_answers(void)
{
    fake_clock f = {.rnd = 0.5};
    ecrc_clock clk = {f_now, f_sleep, f_rand, &f};
    retry_policy p = {5, 100.0, 5000.0, 30000.0, &clk};
    script s = {.status = {400}, .type = {"RepositoryAlreadyExistsException"}, .n = 1, .clk = &f};
    aws_response r;
    int attempts = 0;
    ecrc_retry_run(&p, scripted, &s, &r, &attempts);
    CU_ASSERT_EQUAL(attempts, 1);
    CU_ASSERT_EQUAL(f.nslept, 0);
    ecrc_aws_response_free(&r);
    script t = {.status = {0}, .rc = {ECR_ECONNECT}, .n = 1, .clk = &f};
    CU_ASSERT_EQUAL(ecrc_retry_run(&p, scripted, &t, &r, &attempts), ECR_ECONNECT);
    CU_ASSERT_EQUAL(attempts, 1);
    ecrc_aws_response_free(&r);
}

static void test_ratelimit_spacing(void)
{
    fake_clock f = {.now = 1000.0};
    ecrc_clock clk = {f_now, f_sleep, f_rand, &f};
    CU_ASSERT_PTR_NULL(ecrc_ratelimit_new(0, &clk));
    CU_ASSERT_PTR_NULL(ecrc_ratelimit_new(-1, &clk));
    CU_ASSERT_DOUBLE_EQUAL(ecrc_ratelimit_acquire(NULL), 0.0, 0.001);
    ecrc_ratelimit *rl = ecrc_ratelimit_new(4, &clk); /* 250 ms apart */
    CU_ASSERT_PTR_NOT_NULL_FATAL(rl);
    CU_ASSERT_DOUBLE_EQUAL(ecrc_ratelimit_acquire(rl), 0.0, 0.001);
    /* back to back: each waits for its slot */
    CU_ASSERT_DOUBLE_EQUAL(ecrc_ratelimit_acquire(rl), 250.0, 0.001);
    CU_ASSERT_DOUBLE_EQUAL(ecrc_ratelimit_acquire(rl), 250.0, 0.001);
    CU_ASSERT_DOUBLE_EQUAL(f.now, 1500.0, 0.001);
    /* idle for a while: no banked burst, the next one goes at once and the
     * one after waits a full interval again */
    f.now += 5000.0;
    CU_ASSERT_DOUBLE_EQUAL(ecrc_ratelimit_acquire(rl), 0.0, 0.001);
    CU_ASSERT_DOUBLE_EQUAL(ecrc_ratelimit_acquire(rl), 250.0, 0.001);
    /* a caller that is late for its slot does not wait */
    f.now += 300.0;
    CU_ASSERT_DOUBLE_EQUAL(ecrc_ratelimit_acquire(rl), 0.0, 0.001);
    ecrc_ratelimit_free(rl);
    ecrc_ratelimit_free(NULL);
}

/* Threads share one limiter on the real clock: 12 requests at 1000/s take at
 * least 11 ms in total, whichever threads send them. */
typedef struct shared {
    ecrc_ratelimit *rl;
} shared;

static void *grab(void *arg)
{
    shared *s = arg;
    for (int i = 0; i < 3; i++)
        ecrc_ratelimit_acquire(s->rl);
    return NULL;
}

static void test_ratelimit_shared_by_threads(void)
{
    const ecrc_clock *real = ecrc_clock_real();
    shared s = {ecrc_ratelimit_new(1000, NULL)};
    CU_ASSERT_PTR_NOT_NULL_FATAL(s.rl);
    double t0 = real->now_ms(real->ud);
    pthread_t th[4];
    int started = 0;
    for (int i = 0; i < 4; i++)
        if (pthread_create(&th[i], NULL, grab, &s) == 0)
            started++;
    for (int i = 0; i < started; i++)
        pthread_join(th[i], NULL);
    double took = real->now_ms(real->ud) - t0;
    CU_ASSERT_EQUAL(started, 4);
    CU_ASSERT(took >= 11.0 - 0.5);
    CU_ASSERT(took < 2000.0);
    ecrc_ratelimit_free(s.rl);
}

int register_throttle_suite(void)
{
    CU_pSuite s = CU_add_suite("throttle", NULL, NULL);
    if (!s)
        return 1;
    if (!CU_add_test(s, "retryable", test_retryable) ||
        !CU_add_test(s, "delay_is_capped_exponential_full_jitter",
                     test_delay_is_capped_exponential_full_jitter) ||
        !CU_add_test(s, "retry_until_success", test_retry_until_success) ||
        !CU_add_test(s, "retry_bounded_in_count", test_retry_bounded_in_count) ||
        !CU_add_test(s, "retry_bounded_in_time", test_retry_bounded_in_time) ||
        !CU_add_test(s, "no_retry_for_other_answers", test_no_retry_for_other_answers) ||
        !CU_add_test(s, "ratelimit_spacing", test_ratelimit_spacing) ||
        !CU_add_test(s, "ratelimit_shared_by_threads", test_ratelimit_shared_by_threads))
        return 1;
    return 0;
}
