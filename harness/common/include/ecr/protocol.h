/* ecr/protocol.h: the names and constants that the runner (harness/core) and
 * the emulator (harness/emulator) must agree on, defined once.
 *
 * Two kinds live here: ECR's own wire protocol (AWS JSON 1.1, SigV4 scope),
 * and ecrconform's control interface (/__ecrconform/, not part of ECR's API)
 * with the documented test credentials. Changing a value here changes both
 * sides at once, which is the point.
 */
#ifndef ECR_PROTOCOL_H
#define ECR_PROTOCOL_H

/* ---- ECR's wire protocol (docs/ECR-BEHAVIOUR.md, request on the wire) ---- */

/* X-Amz-Target is this prefix + the operation name. */
#define ECR_TARGET_PREFIX "AmazonEC2ContainerRegistry_V20150921."
#define ECR_CONTENT_TYPE "application/x-amz-json-1.1"
#define ECR_SIGNING_SERVICE "ecr"

/* ---- Documented test credentials (README, docs/EMULATOR.md) ------------- */

#define ECR_TEST_ACCESS_KEY "AKIDECRCONFORMTEST01"
#define ECR_TEST_SECRET_KEY "ecrconform-test-secret-key-not-a-real-one"
#define ECR_TEST_REGION "us-east-1"
#define ECR_TEST_ACCOUNT "123456789012"

/* ---- The control interface (docs/EMULATOR.md) --------------------------- */

#define ECR_CONTROL_PREFIX "/__ecrconform/"
#define ECR_CONTROL_CAPABILITIES ECR_CONTROL_PREFIX "capabilities"
#define ECR_CONTROL_FAULTS ECR_CONTROL_PREFIX "faults"

/* Capabilities a target may have and a case may require (`requires`). */
#define ECR_CAP_FAULT_INJECTION "fault-injection"
#define ECR_CAP_STRICT_AUTH "strict-auth"

/* ---- Shared checks ------------------------------------------------------ */

/* Returns 1 when s is an AWS account id: exactly 12 ASCII digits (the
 * registryId pattern [0-9]{12}), else 0 (also for NULL). */
int ecr_is_account_id(const char *s);

/* Returns 1 when d is a SigV4 X-Amz-Date, "yyyymmddThhmmssZ" (16 bytes,
 * digits where digits belong), else 0 (also for NULL). The calendar is not
 * checked: the signature covers the text as sent. */
int ecr_valid_amz_date(const char *d);

#endif
