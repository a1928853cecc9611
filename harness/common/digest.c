/* digest.c: SHA-256 and HMAC-SHA256 on OpenSSL 3's EVP API (digest.h).
 *
 * Why not the one-shot calls (EVP_Digest, SHA256, HMAC): under OpenSSL 3
 * each of them fetches its algorithm from the provider tables, under a
 * lock, on every call. With a request signed or verified per call that was
 * the largest single cost of SigV4 in the emulator's profile (EVP_MD_fetch
 * alone ~4% of serve's CPU, issue 12). So the algorithms are fetched once
 * per process, and each thread keeps one digest and one MAC context (freed
 * by a thread-specific-data destructor when the thread ends). */
#include "ecr/digest.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

typedef struct thread_ctx {
    EVP_MD_CTX *md;
    EVP_MAC_CTX *mac;
} thread_ctx;

static pthread_once_t g_once = PTHREAD_ONCE_INIT;
static EVP_MD *g_sha256;
static EVP_MAC *g_hmac;
static pthread_key_t g_key;
static int g_key_ok;

static void thread_ctx_free(void *p)
{
    thread_ctx *t = p;
    if (t) {
        EVP_MD_CTX_free(t->md);
        EVP_MAC_CTX_free(t->mac);
        free(t);
    }
}

static void init_once(void)
{
    g_sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
    g_hmac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    g_key_ok = pthread_key_create(&g_key, thread_ctx_free) == 0;
}

/* This thread's contexts, made on first use; NULL when OpenSSL or memory
 * fails. */
static thread_ctx *contexts(void)
{
    pthread_once(&g_once, init_once);
    if (!g_sha256 || !g_hmac || !g_key_ok)
        return NULL;
    thread_ctx *t = pthread_getspecific(g_key);
    if (t)
        return t;
    t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    char digest[] = "SHA256";
    OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                           OSSL_PARAM_construct_end()};
    t->md = EVP_MD_CTX_new();
    t->mac = EVP_MAC_CTX_new(g_hmac);
    if (!t->md || !t->mac || !EVP_MAC_CTX_set_params(t->mac, params) ||
        pthread_setspecific(g_key, t) != 0) {
        thread_ctx_free(t);
        return NULL;
    }
    return t;
}

ecr_result ecr_sha256(const void *data, size_t len, unsigned char out[32])
{
    thread_ctx *t = contexts();
    unsigned int n = 0;
    if (!t || !EVP_DigestInit_ex2(t->md, g_sha256, NULL) || !EVP_DigestUpdate(t->md, data, len) ||
        !EVP_DigestFinal_ex(t->md, out, &n) || n != 32)
        return ECR_ECRYPTO;
    return ECR_OK;
}

ecr_result ecr_hmac_sha256(const void *key, size_t keylen, const void *msg, size_t msglen,
                           unsigned char out[32])
{
    thread_ctx *t = contexts();
    size_t n = 0;
    /* A NULL parameter list keeps the digest set when the context was made. */
    if (!t || !EVP_MAC_init(t->mac, key, keylen, NULL) || !EVP_MAC_update(t->mac, msg, msglen) ||
        !EVP_MAC_final(t->mac, out, &n, 32) || n != 32)
        return ECR_ECRYPTO;
    return ECR_OK;
}

ecr_result ecr_digest_sha256_hex(const void *data, size_t len, char out[65])
{
    unsigned char md[32];
    static const char hex[] = "0123456789abcdef";

    out[0] = '\0';
    if (ecr_sha256(data, len, md) != ECR_OK)
        return ECR_ECRYPTO;
    for (unsigned int i = 0; i < 32; i++) {
        out[2 * i] = hex[md[i] >> 4];
        out[2 * i + 1] = hex[md[i] & 0x0f];
    }
    out[64] = '\0';
    return ECR_OK;
}

ecr_result ecr_digest_sha256(const void *data, size_t len, char out[DIGEST_STR_SIZE])
{
    memcpy(out, "sha256:", 7);
    ecr_result rc = ecr_digest_sha256_hex(data, len, out + 7);
    if (rc)
        out[0] = '\0';
    return rc;
}
