/* clientpool.c: spare connections shared by a run's workers (clientpool.h). */
#include "clientpool.h"

#include <openssl/crypto.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "ecr/util.h"

struct client_pool {
    pthread_mutex_t mu;
    size_t max, made, nidle;
    aws_client **idle; /* max slots */
    char *endpoint;
    aws_credentials creds;
    long timeout_ms;
    aws_transport tr;
};

client_pool *ecrc_client_pool_new(size_t max, const char *endpoint, const aws_credentials *creds,
                                  long timeout_ms, const aws_transport *tr)
{
    if (!max)
        return NULL;
    client_pool *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->idle = calloc(max, sizeof *p->idle);
    p->endpoint = ecr_strdup(endpoint);
    if (!p->idle || !p->endpoint) {
        free(p->idle);
        free(p->endpoint);
        free(p);
        return NULL;
    }
    p->max = max;
    p->creds = *creds;
    p->timeout_ms = timeout_ms;
    p->tr = *tr;
    pthread_mutex_init(&p->mu, NULL);
    return p;
}

size_t ecrc_client_pool_take(client_pool *p, aws_client **out, size_t want)
{
    if (!p)
        return 0;
    size_t n = 0, create = 0;
    pthread_mutex_lock(&p->mu);
    while (n < want && p->nidle)
        out[n++] = p->idle[--p->nidle];
    if (n < want && p->made < p->max) {
        create = want - n < p->max - p->made ? want - n : p->max - p->made;
        p->made += create; /* reserved: made outside the lock */
    }
    pthread_mutex_unlock(&p->mu);
    size_t failed = 0;
    for (size_t i = 0; i < create; i++) {
        aws_client *c = ecrc_aws_client_new(p->endpoint, &p->creds, p->timeout_ms, 0);
        if (!c) {
            failed++;
            continue;
        }
        ecrc_aws_client_set_transport(c, &p->tr);
        out[n++] = c;
    }
    if (failed) {
        pthread_mutex_lock(&p->mu);
        p->made -= failed;
        pthread_mutex_unlock(&p->mu);
    }
    return n;
}

void ecrc_client_pool_give(client_pool *p, aws_client **cl, size_t n)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->mu);
    for (size_t i = 0; i < n; i++)
        p->idle[p->nidle++] = cl[i]; /* at most made <= max were lent */
    pthread_mutex_unlock(&p->mu);
}

void ecrc_client_pool_free(client_pool *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->nidle; i++)
        ecrc_aws_client_free(p->idle[i]);
    pthread_mutex_destroy(&p->mu);
    OPENSSL_cleanse(&p->creds, sizeof p->creds);
    free(p->idle);
    free(p->endpoint);
    free(p);
}
