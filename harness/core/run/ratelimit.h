/* ratelimit.h: a request-rate limiter shared by every client of a run
 * (`--max-rps N`), and the clock it (and the retry policy, retry.h) runs on.
 *
 * Each request reserves the next free slot of a schedule whose slots are 1/N s
 * apart (a token bucket of capacity 1 refilled at N per second), under a
 * mutex, and sleeps outside the lock until its slot. So the whole run, across
 * worker threads, never sends more than N requests in any second, and an idle
 * limiter does not bank a burst.
 *
 * Time and randomness come from an ecrc_clock so the tests run on a fake
 * clock without sleeping.
 */
#ifndef ECR_RATELIMIT_H
#define ECR_RATELIMIT_H

#include "ecrc.h"

typedef struct ecrc_clock {
    double (*now_ms)(void *ud); /* a monotonic time in ms */
    void (*sleep_ms)(double ms, void *ud);
    double (*random01)(void *ud); /* uniform in [0, 1) */
    void *ud;
} ecrc_clock;

/* The real clock: CLOCK_MONOTONIC, nanosleep, OpenSSL's RAND_bytes.
 * Static; never NULL. */
const ecrc_clock *ecrc_clock_real(void);

/* A rate limiter of rps requests per second, shared by threads. Returns NULL
 * when rps <= 0 or memory runs out. clock NULL means ecrc_clock_real(); it is
 * borrowed and must outlive the limiter. Free with ecrc_ratelimit_free. */
ecrc_ratelimit *ecrc_ratelimit_new(double rps, const ecrc_clock *clock);

/* Waits (sleeping outside the lock) until the caller's slot; returns the ms
 * waited. rl NULL returns 0 at once. Thread-safe. */
double ecrc_ratelimit_acquire(ecrc_ratelimit *rl);

/* Frees rl; NULL is a no-op. No thread may be inside acquire. */
void ecrc_ratelimit_free(ecrc_ratelimit *rl);

#endif
