/* ratelimit.c: the run-wide request-rate limiter and the real clock (see ratelimit.h). */
#include "ratelimit.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/rand.h>

/* ---- the real clock ---- */

static double real_now(void *ud)
{
    (void)ud;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static void real_sleep(double ms, void *ud)
{
    (void)ud;
    if (ms <= 0)
        return;
    long long ns = (long long)(ms * 1e6);
    struct timespec ts = {.tv_sec = (time_t)(ns / 1000000000LL),
                          .tv_nsec = (long)(ns % 1000000000LL)};
    while (nanosleep(&ts, &ts) != 0) /* EINTR: sleep the rest */
        ;
}

static double real_random(void *ud)
{
    (void)ud;
    /* Jitter needs no secrecy, but RAND_bytes is thread-safe and already
     * linked; a failure only makes the delay the maximum's half. */
    unsigned int x = 0;
    if (RAND_bytes((unsigned char *)&x, sizeof x) != 1)
        return 0.5;
    return (double)x / 4294967296.0;
}

static const ecrc_clock REAL = {real_now, real_sleep, real_random, NULL};

const ecrc_clock *ecrc_clock_real(void)
{
    return &REAL;
}

/* ---- the rate limiter ---- */

struct ecrc_ratelimit {
    pthread_mutex_t mu;
    double interval_ms; /* 1000 / rps */
    double next_ms;     /* the next free slot; 0 before the first request */
    const ecrc_clock *clock;
};

ecrc_ratelimit *ecrc_ratelimit_new(double rps, const ecrc_clock *clock)
{
    if (!(rps > 0))
        return NULL;
    ecrc_ratelimit *rl = calloc(1, sizeof *rl);
    if (!rl)
        return NULL;
    if (pthread_mutex_init(&rl->mu, NULL)) {
        free(rl);
        return NULL;
    }
    rl->interval_ms = 1000.0 / rps;
    rl->clock = clock ? clock : ecrc_clock_real();
    return rl;
}

double ecrc_ratelimit_acquire(ecrc_ratelimit *rl)
{
    if (!rl)
        return 0;
    const ecrc_clock *clk = rl->clock;
    pthread_mutex_lock(&rl->mu);
    double now = clk->now_ms(clk->ud);
    /* An idle limiter does not bank slots: the capacity is one request. */
    double slot = rl->next_ms > now ? rl->next_ms : now;
    rl->next_ms = slot + rl->interval_ms;
    pthread_mutex_unlock(&rl->mu);
    double wait = slot - now;
    if (wait > 0)
        clk->sleep_ms(wait, clk->ud);
    return wait;
}

void ecrc_ratelimit_free(ecrc_ratelimit *rl)
{
    if (!rl)
        return;
    pthread_mutex_destroy(&rl->mu);
    free(rl);
}
