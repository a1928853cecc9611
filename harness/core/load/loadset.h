/* loadset.h: turning PATH arguments into loaded cases, shared by `run` and
 * `lint`. Every problem is collected; nothing stops at the first bad file. */
#ifndef ECR_CLI_LOAD_H
#define ECR_CLI_LOAD_H

#include "ecrc.h"

#include <stddef.h>
#include "casefile.h"
#include "ecr/diag.h"
#include "runner.h"

#endif
