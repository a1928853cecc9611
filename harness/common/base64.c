#include "ecr/base64.h"

#include <limits.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

char *ecr_base64_encode(const void *data, size_t len)
{
    if (len > (size_t)INT_MAX / 4 * 3)
        return NULL;
    size_t n = (len + 2) / 3 * 4; /* EVP_EncodeBlock writes this many plus a NUL */
    char *out = malloc(n + 1);
    if (!out)
        return NULL;
    if (len == 0) {
        out[0] = '\0';
        return out;
    }
    EVP_EncodeBlock((unsigned char *)out, data, (int)len);
    out[n] = '\0';
    return out;
}

static int b64_char(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
           c == '/';
}

ecr_result ecr_base64_decode(const char *text, size_t len, unsigned char **out, size_t *outlen)
{
    *out = NULL;
    *outlen = 0;
    if (len > (size_t)INT_MAX)
        return ECR_ETOOBIG;
    if (len % 4)
        return ECR_EPARSE;
    /* EVP_DecodeBlock trims whitespace, and its output length counts the
     * padding as zero bytes; so the alphabet and padding are checked here and
     * the padding is subtracted below. */
    size_t pad = 0;
    if (len >= 1 && text[len - 1] == '=')
        pad++;
    if (len >= 2 && text[len - 2] == '=')
        pad++;
    for (size_t i = 0; i < len - pad; i++)
        if (!b64_char(text[i]))
            return ECR_EPARSE;
    unsigned char *buf = malloc(len / 4 * 3 + 1);
    if (!buf)
        return ECR_ENOMEM;
    if (len) {
        int n = EVP_DecodeBlock(buf, (const unsigned char *)text, (int)len);
        if (n < 0 || (size_t)n != len / 4 * 3) {
            free(buf);
            return ECR_EPARSE;
        }
    }
    *outlen = len / 4 * 3 - pad;
    buf[*outlen] = '\0';
    *out = buf;
    return ECR_OK;
}
