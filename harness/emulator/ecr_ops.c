/* ecr_ops.c: every operation of the ECR API (AmazonEC2ContainerRegistry_V20150921),
 * so that the emulator can tell a real ECR operation it does not implement
 * (UnsupportedOperationException) from a name that is no ECR operation at all
 * (UnknownOperationException).
 *
 * Generated once from botocore 1.43.11's model (data/ecr/2015-09-21/service-2.json.gz);
 * regenerate with:
 *   python3 -c "import botocore,gzip,json,os;d=os.path.dirname(botocore.__file__);\
 *   print(sorted(json.load(gzip.open(d+'/data/ecr/2015-09-21/service-2.json.gz'))['operations']))"
 * and paste the names below (sorted: the lookup is a binary search). The e2e
 * test tests/e2e/test_emulator_api.py fails when the newest botocore on the
 * machine knows an operation this table lacks.
 */
#include "ecr_ops.h"

#include <stdlib.h>
#include <string.h>

static const char *const operations[] = {
    "BatchCheckLayerAvailability",
    "BatchDeleteImage",
    "BatchGetImage",
    "BatchGetRepositoryScanningConfiguration",
    "CompleteLayerUpload",
    "CreatePullThroughCacheRule",
    "CreateRepository",
    "CreateRepositoryCreationTemplate",
    "DeleteLifecyclePolicy",
    "DeletePullThroughCacheRule",
    "DeleteRegistryPolicy",
    "DeleteRepository",
    "DeleteRepositoryCreationTemplate",
    "DeleteRepositoryPolicy",
    "DeleteSigningConfiguration",
    "DeregisterPullTimeUpdateExclusion",
    "DescribeImageReplicationStatus",
    "DescribeImageScanFindings",
    "DescribeImageSigningStatus",
    "DescribeImages",
    "DescribePullThroughCacheRules",
    "DescribeRegistry",
    "DescribeRepositories",
    "DescribeRepositoryCreationTemplates",
    "GetAccountSetting",
    "GetAuthorizationToken",
    "GetDownloadUrlForLayer",
    "GetLifecyclePolicy",
    "GetLifecyclePolicyPreview",
    "GetRegistryPolicy",
    "GetRegistryScanningConfiguration",
    "GetRepositoryPolicy",
    "GetSigningConfiguration",
    "InitiateLayerUpload",
    "ListImageReferrers",
    "ListImages",
    "ListPullTimeUpdateExclusions",
    "ListTagsForResource",
    "PutAccountSetting",
    "PutImage",
    "PutImageScanningConfiguration",
    "PutImageTagMutability",
    "PutLifecyclePolicy",
    "PutRegistryPolicy",
    "PutRegistryScanningConfiguration",
    "PutReplicationConfiguration",
    "PutSigningConfiguration",
    "RegisterPullTimeUpdateExclusion",
    "SetRepositoryPolicy",
    "StartImageScan",
    "StartLifecyclePolicyPreview",
    "TagResource",
    "UntagResource",
    "UpdateImageStorageClass",
    "UpdatePullThroughCacheRule",
    "UpdateRepositoryCreationTemplate",
    "UploadLayerPart",
    "ValidatePullThroughCacheRule",
};

#define NOPS (sizeof operations / sizeof operations[0])

static int cmp(const void *key, const void *elem)
{
    return strcmp(key, *(const char *const *)elem);
}

int ecremu_ecr_ops_known(const char *name)
{
    return name && bsearch(name, operations, NOPS, sizeof operations[0], cmp) != NULL;
}

const char *ecremu_ecr_ops_at(size_t i)
{
    return i < NOPS ? operations[i] : NULL;
}
