/* target.h: what the runner knows about the endpoint under test, and the
 * emulator control interface (docs/EMULATOR.md) used for fault injection.
 *
 * A target is probed once per run: GET /__ecrconform/capabilities. An
 * endpoint that answers it with JSON serves the control interface (the
 * built-in emulator, `ecrconform serve`); any other answer (real ECR, moto)
 * means no control interface. No answer at all means the target is
 * unreachable.
 */
#ifndef ECR_TARGET_H
#define ECR_TARGET_H

#include "ecrc.h"

#include "awsclient.h"
#include "ecr/result.h"

/* Returns 1 when t has capability cap (one of the CAP_* names), else 0. */
int ecrc_target_has(const target_info *t, const char *cap);

/* Sets a fault through the control interface. body is the JSON text of
 * {"fault", "repositoryName", "imageDigest"?, "operation"?}. Returns ECR_OK
 * on a 2xx answer; ECR_EINVAL with the target's message in err otherwise;
 * transport errors as ecrc_aws_client_plain. */
ecr_result ecrc_target_set_fault(aws_client *c, const char *body, char *err, size_t errsz);

/* Clears every fault of repository `name`. Same results as ecrc_target_set_fault. */
ecr_result ecrc_target_clear_faults(aws_client *c, const char *name, char *err, size_t errsz);

#endif
