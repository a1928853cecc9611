#include "ecr/digest.h"

#include <openssl/evp.h>
#include <string.h>

ecr_result ecr_digest_sha256_hex(const void *data, size_t len, char out[65])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    static const char hex[] = "0123456789abcdef";

    out[0] = '\0';
    if (!EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL) || mdlen != 32)
        return ECR_ECRYPTO;
    for (unsigned int i = 0; i < mdlen; i++) {
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
