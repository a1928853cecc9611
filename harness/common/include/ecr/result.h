/* result.h: the one result enum shared by every module of ecrconform.
 *
 * Append-only (like CURLcode): values are never renumbered, so logs and tests
 * that print the number stay meaningful. ECR_OK is 0 so `if (rc)` reads as
 * "if it failed".
 */
#ifndef ECR_RESULT_H
#define ECR_RESULT_H

typedef enum ecr_result {
    ECR_OK = 0,
    ECR_ENOMEM,       /* an allocation failed */
    ECR_EIO,          /* a file could not be read or written */
    ECR_EPARSE,       /* input is not well-formed (JSON, a header, a URL) */
    ECR_EINVAL,       /* input is well-formed but breaks a rule of its format */
    ECR_ETOOBIG,      /* peer data exceeded its hard size cap */
    ECR_ECONNECT,     /* the target could not be reached (refused, DNS, TLS) */
    ECR_ETIMEOUT,     /* the target did not answer in time */
    ECR_EHTTP,        /* any other transport failure reported by libcurl */
    ECR_ECRYPTO,      /* OpenSSL refused an operation */
    ECR_ENOTFOUND,    /* a named thing (file, case, repository) does not exist */
    ECR_EBUSY,        /* a resource (port, thread) could not be obtained */
    ECR_EUNSUPPORTED, /* the target lacks a capability the caller needs */
    ECR_EPROTO        /* the target answered, but not with well-formed HTTP */
} ecr_result;

/* Returns a static, human-readable description of `rc`. Never NULL; an
 * unknown value yields "unknown error". */
const char *ecr_strerror(ecr_result rc);

#endif
