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
/* Every control request carries this header with this value, and none may
 * carry an Origin header: a web page can send neither without a CORS
 * preflight the emulator never answers, so it cannot inject faults. */
#define ECR_CONTROL_HEADER "X-Ecrconform-Control"
#define ECR_CONTROL_HEADER_VALUE "1"

/* Capabilities a target may have and a case may require (`requires`). */
#define ECR_CAP_FAULT_INJECTION "fault-injection"
#define ECR_CAP_STRICT_AUTH "strict-auth"
/* The layer upload API (InitiateLayerUpload, UploadLayerPart,
 * CompleteLayerUpload, BatchCheckLayerAvailability): probed by the runner,
 * not announced by the control interface. */
#define ECR_CAP_LAYER_API "layer-api"
/* Every capability name, NULL-terminated, and the same as one line for
 * messages ("fault-injection, strict-auth, layer-api"). */
extern const char *const ecr_capability_names[];
#define ECR_CAP_LIST ECR_CAP_FAULT_INJECTION ", " ECR_CAP_STRICT_AUTH ", " ECR_CAP_LAYER_API

/* Members of the control documents. GET capabilities answers
 * {capabilities, faultKinds, account, region}; POST faults takes
 * {fault, repositoryName, imageDigest?, operation?}; DELETE faults takes the
 * repositoryName query argument. */
#define ECR_CTL_CAPABILITIES "capabilities"
#define ECR_CTL_FAULT_KINDS "faultKinds"
#define ECR_CTL_ACCOUNT "account"
#define ECR_CTL_REGION "region"
#define ECR_CTL_FAULT "fault"
#define ECR_CTL_REPOSITORY "repositoryName"
#define ECR_CTL_IMAGE_DIGEST "imageDigest"
#define ECR_CTL_OPERATION "operation"

/* Fault kinds (docs/EMULATOR.md, docs/CASES.md `fixture.faults`), one
 * X(ENUM_SUFFIX, "name") per kind: the enum, the name table and the list in
 * messages are all made from this one list. The first five fail
 * BatchDeleteImage items that resolve to an image (image-inaccessible only
 * the image with the fault's digest); the last three fail whole requests of
 * one operation naming the repository. */
#define ECR_FAULT_KINDS(X)                                                                         \
    X(KMS_ERROR, "kms-error")                                                                      \
    X(UPSTREAM_ACCESS_DENIED, "upstream-access-denied")                                            \
    X(UPSTREAM_TOO_MANY_REQUESTS, "upstream-too-many-requests")                                    \
    X(UPSTREAM_UNAVAILABLE, "upstream-unavailable")                                                \
    X(IMAGE_INACCESSIBLE, "image-inaccessible")                                                    \
    X(SERVER_ERROR, "server-error")                                                                \
    X(THROTTLING, "throttling")                                                                    \
    X(ACCESS_DENIED, "access-denied")

#define ECR_FAULT_ENUM_(id, name) ECR_FAULT_##id,
typedef enum ecr_fault_kind {
    ECR_FAULT_KINDS(ECR_FAULT_ENUM_) ECR_FAULT_KIND_COUNT
} ecr_fault_kind;
#undef ECR_FAULT_ENUM_

/* The control-interface name of a kind ("kms-error", ...); "unknown" for a
 * value out of range. Never NULL. */
const char *ecr_fault_kind_name(ecr_fault_kind k);

/* Parses a kind name (exact). Returns 0 and sets *out, or -1 when name is
 * NULL or unknown (*out untouched). */
int ecr_fault_kind_parse(const char *name, ecr_fault_kind *out);

/* 1 for the request-level kinds (server-error, throttling, access-denied),
 * else 0. */
int ecr_fault_kind_is_request(ecr_fault_kind k);

/* Every kind name in enum order as one line for messages: "kms-error,
 * upstream-access-denied, ...". Static; never NULL. */
const char *ecr_fault_kind_list(void);

/* ---- Shared checks ------------------------------------------------------ */

/* Returns 1 when s is an AWS account id: exactly 12 ASCII digits (the
 * registryId pattern [0-9]{12}), else 0 (also for NULL). */
int ecr_is_account_id(const char *s);

/* Returns 1 when s can be a region name: 1..ECR_REGION_NAME_MAX characters
 * of [a-z0-9-] (a DNS label set: it ends up in URLs, ARNs and the SigV4
 * credential scope), else 0 (also for NULL). Whether AWS has such a region
 * is not checked. */
#define ECR_REGION_NAME_MAX 63
int ecr_is_region_name(const char *s);

/* Returns 1 when d is a SigV4 X-Amz-Date, "yyyymmddThhmmssZ" (16 bytes,
 * digits where digits belong), else 0 (also for NULL). The calendar is not
 * checked: the signature covers the text as sent. */
int ecr_valid_amz_date(const char *d);

#endif
