/* clientpool.h: spare connections a run shares between its workers, so that
 * one case can send independent fixture requests at once (fixture.c) without
 * every worker keeping connections of its own idle. The number of clients
 * ever made is capped: the run never holds more than --jobs + max connections
 * to the target (the built-in emulator takes 64). Every client gets the run's
 * transport, so --max-rps (its limiter) and the deadline hold for them too.
 */
#ifndef ECR_CLIENTPOOL_H
#define ECR_CLIENTPOOL_H

#include <stddef.h>

#include "awsclient.h"

typedef struct client_pool client_pool;

/* A pool of at most max clients for endpoint (copied) with creds (copied by
 * each client), timeout_ms per request and transport *tr (copied; its
 * ca_bundle and limiter are borrowed and must outlive the pool). Returns
 * NULL when memory runs out or max is 0 (callers then send serially). */
client_pool *ecrc_client_pool_new(size_t max, const char *endpoint, const aws_credentials *creds,
                                  long timeout_ms, const aws_transport *tr);

/* Lends up to want clients into out (idle ones first, then new ones while
 * fewer than max exist). Never blocks: returns how many it lent (0 when the
 * pool is exhausted, p is NULL, or a client cannot be made). Thread-safe. */
size_t ecrc_client_pool_take(client_pool *p, aws_client **out, size_t want);

/* Returns n clients lent by ecrc_client_pool_take. Thread-safe. */
void ecrc_client_pool_give(client_pool *p, aws_client **cl, size_t n);

/* Frees the pool and every client in it (all must have been given back).
 * p may be NULL. */
void ecrc_client_pool_free(client_pool *p);

#endif
