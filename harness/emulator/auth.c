#include "auth.h"

#include <string.h>
#include <strings.h>

static const char *header(const sigv4_header *h, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcasecmp(h[i].name, name) == 0)
            return h[i].value;
    return NULL;
}

static int refuse(auth_failure *why, const char *type, const char *message)
{
    why->type = type;
    why->message = message;
    return 400;
}

int ecremu_auth_check(const auth_config *cfg, const char *method, const char *path,
                      const char *query, const sigv4_header *headers, size_t nheaders,
                      const void *body, size_t len, auth_failure *why)
{
    const char *authz = header(headers, nheaders, "Authorization");
    if (!authz)
        return refuse(why, "MissingAuthenticationTokenException", "Missing Authentication Token");

    sigv4_auth parsed;
    if (ecr_sigv4_parse_authorization(authz, &parsed) != ECR_OK)
        return refuse(why, "IncompleteSignatureException",
                      "Authorization header requires 'Credential', 'Signature' and "
                      "'SignedHeaders' parameters in the AWS4-HMAC-SHA256 format.");
    const char *amz_date = header(headers, nheaders, "X-Amz-Date");
    if (!amz_date || !*amz_date)
        return refuse(why, "IncompleteSignatureException",
                      "Authorization header requires existence of a 'X-Amz-Date' header.");
    if (cfg->mode != ECREMU_AUTH_STRICT)
        return 0;

    if (strcmp(parsed.access_key, cfg->access_key) != 0)
        return refuse(why, "UnrecognizedClientException",
                      "The security token included in the request is invalid.");
    sigv4_request req = {method, path, query, headers, nheaders, body, len};
    if (ecr_sigv4_verify(&req, &parsed, amz_date, cfg->secret_key) != ECR_OK)
        return refuse(why, "InvalidSignatureException",
                      "The request signature we calculated does not match the signature you "
                      "provided. Check your AWS Secret Access Key and signing method. Consult "
                      "the service documentation for details.");
    return 0;
}
