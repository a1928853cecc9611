/* registry.h: the registry-wide operations GetAuthorizationToken and
 * DescribeRegistry (so that `aws ecr get-login-password` and registry
 * look-ups work against the emulator). Each takes a call whose body is an
 * object and sets its reply (ops.h). */
#ifndef ECR_EMU_REGISTRY_H
#define ECR_EMU_REGISTRY_H

#include "ops.h"

/* How long an authorization token is said to be valid: 12 hours (API
 * reference). Nothing checks it: the emulator has no registry API. */
#define REGISTRY_TOKEN_SECONDS 43200.0

void ecremu_registry_auth_token(op_call *c);
void ecremu_registry_describe(op_call *c);

#endif
