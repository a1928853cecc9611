#include "auth.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* AWS refuses a signature whose X-Amz-Date is further than this from its
 * clock (replays, docs/EMULATOR.md "Auth modes"). */
#define SKEW_SECONDS (5 * 60)

static const char *header(const sigv4_header *h, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcasecmp(h[i].name, name) == 0)
            return h[i].value;
    return NULL;
}

static size_t count(const sigv4_header *h, size_t n, const char *name)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        k += strcasecmp(h[i].name, name) == 0;
    return k;
}

/* yyyymmddThhmmssZ as seconds since the epoch; -1 when it is not that. */
static time_t amz_time(const char *s)
{
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    int used = 0;
    if (strlen(s) != 16 ||
        sscanf(s, "%4d%2d%2dT%2d%2d%2dZ%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
               &tm.tm_min, &tm.tm_sec, &used) != 6 ||
        used != 16)
        return (time_t)-1;
    for (size_t i = 0; i < 16; i++)
        if (i != 8 && i != 15 && (s[i] < '0' || s[i] > '9'))
            return (time_t)-1;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    return timegm(&tm);
}

static void amz_format(time_t t, char out[17])
{
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 17, "%Y%m%dT%H%M%SZ", &tm);
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
    if (count(headers, nheaders, "Authorization") > 1)
        return refuse(why, "IncompleteSignatureException", AUTH_DUPLICATE);
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
    time_t signed_at = amz_time(amz_date), now = time(NULL);
    if (signed_at != (time_t)-1 &&
        (signed_at < now - SKEW_SECONDS || signed_at > now + SKEW_SECONDS)) {
        /* AWS's wording, with the times filled in */
        char limit[17], clock[17];
        amz_format(signed_at < now ? now - SKEW_SECONDS : now + SKEW_SECONDS, limit);
        amz_format(now, clock);
        snprintf(why->text, sizeof why->text,
                 signed_at < now
                     ? "Signature expired: %.16s is now earlier than %s (%s - 5 min.)"
                     : "Signature not yet current: %.16s is still later than %s (%s + 5 min.)",
                 amz_date, limit, clock);
        return refuse(why, "InvalidSignatureException", why->text);
    }
    if (cfg->region && strcmp(parsed.region, cfg->region) != 0)
        return refuse(why, "InvalidSignatureException",
                      "Credential should be scoped to a valid region.");
    if (strcmp(parsed.service, "ecr") != 0)
        return refuse(why, "InvalidSignatureException",
                      "Credential should be scoped to correct service: 'ecr'.");
    sigv4_request req = {method, path, query, headers, nheaders, body, len};
    if (ecr_sigv4_verify(&req, &parsed, amz_date, cfg->secret_key) != ECR_OK)
        return refuse(why, "InvalidSignatureException",
                      "The request signature we calculated does not match the signature you "
                      "provided. Check your AWS Secret Access Key and signing method. Consult "
                      "the service documentation for details.");
    return 0;
}
