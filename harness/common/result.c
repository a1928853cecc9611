#include "ecr/result.h"

const char *ecr_strerror(ecr_result rc)
{
    switch (rc) {
    case ECR_OK:
        return "no error";
    case ECR_ENOMEM:
        return "out of memory";
    case ECR_EIO:
        return "input/output error";
    case ECR_EPARSE:
        return "malformed input";
    case ECR_EINVAL:
        return "invalid input";
    case ECR_ETOOBIG:
        return "data exceeds its size limit";
    case ECR_ECONNECT:
        return "could not connect to the target";
    case ECR_ETIMEOUT:
        return "the target did not answer in time";
    case ECR_EHTTP:
        return "HTTP transport error";
    case ECR_ECRYPTO:
        return "cryptographic operation failed";
    case ECR_ENOTFOUND:
        return "not found";
    case ECR_EBUSY:
        return "resource busy";
    case ECR_EUNSUPPORTED:
        return "not supported by the target";
    case ECR_EPROTO:
        return "malformed HTTP answer";
    }
    return "unknown error";
}
