/* protocol.c: see ecr/protocol.h. */
#include "ecr/protocol.h"

#include <string.h>

const char *const ecr_capability_names[] = {ECR_CAP_FAULT_INJECTION, ECR_CAP_STRICT_AUTH,
                                            ECR_CAP_LAYER_API, NULL};

#define NAME_(id, name) [ECR_FAULT_##id] = name,
static const char *const fault_names[ECR_FAULT_KIND_COUNT] = {ECR_FAULT_KINDS(NAME_)};
#undef NAME_

/* ", kms-error, upstream-access-denied, ...": the list starts 2 bytes in. */
#define ITEM_(id, name) ", " name
static const char fault_list[] = "" ECR_FAULT_KINDS(ITEM_);
#undef ITEM_

const char *ecr_fault_kind_name(ecr_fault_kind k)
{
    if ((unsigned)k >= ECR_FAULT_KIND_COUNT)
        return "unknown";
    return fault_names[k];
}

int ecr_fault_kind_parse(const char *name, ecr_fault_kind *out)
{
    for (int k = 0; name && k < ECR_FAULT_KIND_COUNT; k++) {
        if (strcmp(fault_names[k], name) == 0) {
            *out = (ecr_fault_kind)k;
            return 0;
        }
    }
    return -1;
}

int ecr_fault_kind_is_request(ecr_fault_kind k)
{
    return k == ECR_FAULT_SERVER_ERROR || k == ECR_FAULT_THROTTLING || k == ECR_FAULT_ACCESS_DENIED;
}

const char *ecr_fault_kind_list(void)
{
    return fault_list + 2;
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

int ecr_is_account_id(const char *s)
{
    if (!s || strlen(s) != 12)
        return 0;
    for (size_t i = 0; i < 12; i++)
        if (!is_digit(s[i]))
            return 0;
    return 1;
}

int ecr_is_region_name(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > ECR_REGION_NAME_MAX)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || is_digit(s[i]) || s[i] == '-'))
            return 0;
    return 1;
}

int ecr_valid_amz_date(const char *d)
{
    if (!d || strlen(d) != 16 || d[8] != 'T' || d[15] != 'Z')
        return 0;
    for (int i = 0; i < 15; i++)
        if (i != 8 && !is_digit(d[i]))
            return 0;
    return 1;
}
