/* auth.h: the emulator's SigV4 checks, in ECR's order (docs/ECR-BEHAVIOUR.md#order-of-checks):
 * no Authorization header, a malformed one (or no X-Amz-Date), an unknown
 * access key, a wrong signature. The signature itself is verified by
 * harness/common/sigv4 over exactly the headers the client listed in
 * SignedHeaders. No HTTP library here: the server hands over the headers. */
#ifndef ECR_EMU_AUTH_H
#define ECR_EMU_AUTH_H

#include <stddef.h>
#include "ecremu.h"
#include "ecr/sigv4.h"

typedef struct auth_config {
    ecremu_auth_mode mode;
    const char *access_key; /* the one key pair the emulator knows (borrowed) */
    const char *secret_key;
    const char *region; /* strict: the credential scope must name it (borrowed) */
} auth_config;

/* The message for more than one Authorization header (IncompleteSignatureException). */
#define AUTH_DUPLICATE "The request carries more than one Authorization header; send exactly one."

/* Why a request was refused: an AWS error type (static) and message (static,
 * or pointing into text). */
typedef struct auth_failure {
    const char *type;
    const char *message;
    char text[160];
} auth_failure;

/* Checks a request. headers are every header received (names in any case).
 * path/query are as on the request line (query NULL when none). Returns 0
 * when the request may proceed, else the HTTP status (400) with *why set.
 * More than one Authorization header is refused in both modes (ambiguous).
 * In ECREMU_AUTH_LENIENT any well-formed header passes; in ECREMU_AUTH_STRICT the
 * access key must be the configured one, X-Amz-Date within 5 minutes of the
 * clock, the scope's region cfg->region and its service "ecr", and the
 * signature must verify. */
int ecremu_auth_check(const auth_config *cfg, const char *method, const char *path,
                      const char *query, const sigv4_header *headers, size_t nheaders,
                      const void *body, size_t len, auth_failure *why);

#endif
