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

#include "awsclient.h"
#include "result.h"

#define CAP_FAULT_INJECTION "fault-injection"
#define CAP_STRICT_AUTH "strict-auth"

typedef struct target_info {
    char name[128];     /* label for reports: "built-in", "moto", ... */
    char endpoint[512]; /* URL */
    char account[32];   /* the caller's account id (${account}) */
    char region[64];    /* signing region (${region}) */
    int fault_injection;
    int strict_auth;
} target_info;

/* Probes the target through c and fills the capability flags of t (name,
 * endpoint, account and region must already be set; a probe answer naming an
 * account/region overrides them). Targets without the control interface are
 * assumed to verify signatures (real ECR does) unless `no_strict_auth`.
 * Returns ECR_OK when the target answered anything, else the transport
 * error (ECR_ECONNECT, ECR_ETIMEOUT, ...) with curl's text in err. */
ecr_result target_probe(aws_client *c, target_info *t, int no_strict_auth, char *err, size_t errsz);

/* Returns 1 when t has capability cap (one of the CAP_* names), else 0. */
int target_has(const target_info *t, const char *cap);

/* Sets a fault through the control interface. body is the JSON text of
 * {"fault", "repositoryName", "imageDigest"?, "operation"?}. Returns ECR_OK
 * on a 2xx answer; ECR_EINVAL with the target's message in err otherwise;
 * transport errors as aws_client_plain. */
ecr_result target_set_fault(aws_client *c, const char *body, char *err, size_t errsz);

/* Clears every fault of repository `name`. Same results as target_set_fault. */
ecr_result target_clear_faults(aws_client *c, const char *name, char *err, size_t errsz);

#endif
