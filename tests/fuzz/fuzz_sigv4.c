/* fuzz_sigv4.c: libFuzzer target for the SigV4 Authorization parser and the
 * verifier behind the emulator's strict auth. The input is the header value;
 * a parse that succeeds is then verified against a fixed request. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ecr/sigv4.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *value = malloc(size + 1);
    if (!value)
        return 0;
    memcpy(value, data, size);
    value[size] = '\0';
    sigv4_auth a;
    if (ecr_sigv4_parse_authorization(value, &a) == ECR_OK) {
        sigv4_header h[] = {{"Host", "127.0.0.1:1"},
                            {"X-Amz-Date", "20240101T000000Z"},
                            {"Content-Type", "application/x-amz-json-1.1"},
                            {"X-Amz-Target", "AmazonEC2ContainerRegistry_V20150921.ListImages"}};
        sigv4_request req = {"POST", "/", NULL, h, sizeof h / sizeof h[0], "{}", 2};
        (void)ecr_sigv4_verify(&req, &a, "20240101T000000Z", "secret");
    }
    free(value);
    return 0;
}
