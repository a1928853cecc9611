/* ecr_ops.h: the names of ECR's API operations (a static table generated
 * from botocore's model; see ecr_ops.c for how to regenerate it). */
#ifndef ECR_EMU_ECR_OPS_H
#define ECR_EMU_ECR_OPS_H

#include <stddef.h>

/* Returns 1 when name is an operation of ECR's API (exact, case-sensitive),
 * else 0 (also for NULL). */
int ecremu_ecr_ops_known(const char *name);

/* The i-th name of the table (in strcmp order), or NULL past its end. */
const char *ecremu_ecr_ops_at(size_t i);

#endif
